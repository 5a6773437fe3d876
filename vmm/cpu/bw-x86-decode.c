/* bw-x86-decode.c: x86 bytes to BwX86Insn, once per block.
 *
 * Table driven: every opcode has an operand format, an operand-size rule
 * and a handler (groups pick the handler by ModRM.reg). The decoder
 * resolves everything that does not depend on register values: sizes,
 * the default segment of the memory operand, immediates, displacements,
 * the registers of the effective address. Handlers never look at bytes.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"
#include "vmm/cpu/bw-x86-simd.h"

enum
{
  F_NONE,     /* no operand bytes */
  F_M,        /* ModRM */
  F_M_IB,     /* ModRM, imm8 */
  F_M_IV,     /* ModRM, imm16/32 by operand size */
  F_IB,       /* imm8 */
  F_IW,       /* imm16 */
  F_IV,       /* imm16/32 */
  F_IW_IB,    /* imm16, imm8 (ENTER) */
  F_FAR,      /* offset16/32, selector16 */
  F_MOFFS,    /* offset by address size */
  F_REL8,     /* 8-bit relative, sign-extended */
  F_RELV,     /* 16/32-bit relative */
  F_GRP3,     /* F6/F7: ModRM, immediate only for /0 and /1 */
  F_PREFIX,
  F_0F,
};

/* Operand-size rules. */
enum
{
  S_V,  /* 16/32 by operand size */
  S_B,  /* byte */
  S_W,  /* always 16 */
};

/* Instruction properties. */
enum
{
  P_EIP = BW_X86_I_SETS_EIP | BW_X86_I_END, /* writes EIP: ends the block */
  P_END = BW_X86_I_END,                     /* ends the block */
  P_JCC = BW_X86_I_SETS_EIP | BW_X86_I_COND, /* ends it when taken */
  P_SX8 = 0x100,                            /* imm8 sign-extended to size */
  P_GRP = 0x200,                            /* handler chosen by ModRM.reg */
  P_MEM = 0x400,                            /* ModRM must name memory (#UD) */
};

typedef struct
{
  uint8_t fmt;
  uint8_t size;
  uint16_t props;
  BwX86Op fn;
  const BwX86Op *grp; /* 8 handlers, when P_GRP */
  const uint16_t *grp_props;
  const BwX86Op *sized;    /* by operand size, replacing fn (or grp) */
  const BwX86Op (*grp_sized)[3]; /* by ModRM.reg and size, for groups */
  const BwX86Op *pfx; /* MMX/SSE: by mandatory prefix (none, 66, F3, F2) */
} BwX86OpDef;

static BwX86OpDef one_byte[256];
static BwX86OpDef two_byte[256];
static BwX86SimdDef simd[256];

#define OP(x) bw_x86_op_##x

static const BwX86Op grp1[8] = { OP (alu_rm_imm), OP (alu_rm_imm), OP (alu_rm_imm),
                                 OP (alu_rm_imm), OP (alu_rm_imm), OP (alu_rm_imm),
                                 OP (alu_rm_imm), OP (alu_rm_imm) };
static const BwX86Op grp2[8] = { OP (shift), OP (shift), OP (shift), OP (shift),
                                 OP (shift), OP (shift), OP (shift), OP (shift) };
static const BwX86Op grp3[8] = { OP (test_rm_imm), OP (test_rm_imm), OP (not), OP (neg),
                                 OP (mul), OP (imul1), OP (div), OP (idiv) };
static const BwX86Op grp4[8] = { OP (inc_rm), OP (dec_rm), OP (ud), OP (ud),
                                 OP (ud), OP (ud), OP (ud), OP (ud) };
static const BwX86Op grp5[8] = { OP (inc_rm), OP (dec_rm), OP (call_rm), OP (call_far_rm),
                                 OP (jmp_rm), OP (jmp_far_rm), OP (push_rm), OP (ud) };
static const uint16_t grp5_props[8] = { 0, 0, P_EIP, P_EIP | P_MEM, P_EIP, P_EIP | P_MEM,
                                        0, 0 };
static const BwX86Op grp_pop[8] = { OP (pop_rm), OP (ud), OP (ud), OP (ud),
                                    OP (ud), OP (ud), OP (ud), OP (ud) };
static const BwX86Op grp_mov[8] = { OP (mov_rm_imm), OP (ud), OP (ud), OP (ud),
                                    OP (ud), OP (ud), OP (ud), OP (ud) };
static const BwX86Op grp6[8] = { OP (sldt_str), OP (sldt_str), OP (lldt_ltr), OP (lldt_ltr),
                                 OP (verr_verw), OP (verr_verw), OP (ud), OP (ud) };
static const uint16_t grp6_props[8] = { 0, 0, P_END, P_END, 0, 0, 0, 0 };
static const BwX86Op grp7[8] = { OP (sgdt_sidt), OP (sgdt_sidt), OP (lgdt_lidt), OP (lgdt_lidt),
                                 OP (smsw), OP (ud), OP (lmsw), OP (invlpg) };
static const uint16_t grp7_props[8] = { P_MEM, P_MEM, P_MEM | P_END, P_MEM | P_END,
                                        0, 0, P_END, P_MEM | P_END };
static const BwX86Op grp8[8] = { OP (ud), OP (ud), OP (ud), OP (ud),
                                 OP (bt_rm_imm), OP (bt_rm_imm), OP (bt_rm_imm), OP (bt_rm_imm) };
static const BwX86Op grp9[8] = { OP (ud), OP (cmpxchg8b), OP (ud), OP (ud),
                                 OP (ud), OP (ud), OP (ud), OP (ud) };
static const uint16_t grp9_props[8] = { 0, P_MEM, 0, 0, 0, 0, 0, 0 };

static void
def (BwX86OpDef *t, int opc, int fmt, int size, int props, BwX86Op fn)
{
  t[opc] = (BwX86OpDef){ .fmt = fmt, .size = size, .props = props, .fn = fn };
}

static void
def_grp (BwX86OpDef *t, int opc, int fmt, int size, int props, const BwX86Op *grp,
         const uint16_t *grp_props)
{
  t[opc] = (BwX86OpDef){ .fmt = fmt, .size = size, .props = props | P_GRP,
                         .grp = grp, .grp_props = grp_props };
}

static void
set_sized (BwX86OpDef *t, int opc, const BwX86Op *sized)
{
  t[opc].sized = sized;
}

static void
init_one_byte (void)
{
  BwX86OpDef *t = one_byte;
  for (int o = 0; o < 256; o++)
    def (t, o, F_NONE, S_V, 0, OP (ud));

  /* ALU block 00-3F: op rm,r / r,rm / acc,imm. */
  for (int k = 0; k < 8; k++)
    {
      int b = k * 8;
      def (t, b + 0, F_M, S_B, 0, OP (alu_rm_r));
      def (t, b + 1, F_M, S_V, 0, OP (alu_rm_r));
      def (t, b + 2, F_M, S_B, 0, OP (alu_r_rm));
      def (t, b + 3, F_M, S_V, 0, OP (alu_r_rm));
      def (t, b + 4, F_IB, S_B, 0, OP (alu_a_imm));
      def (t, b + 5, F_IV, S_V, 0, OP (alu_a_imm));
    }
  def (t, 0x06, F_NONE, S_V, 0, OP (push_sreg));
  def (t, 0x07, F_NONE, S_V, 0, OP (pop_sreg));
  def (t, 0x0e, F_NONE, S_V, 0, OP (push_sreg));
  def (t, 0x0f, F_0F, S_V, 0, NULL);
  def (t, 0x16, F_NONE, S_V, 0, OP (push_sreg));
  def (t, 0x17, F_NONE, S_V, P_END, OP (pop_sreg));
  def (t, 0x1e, F_NONE, S_V, 0, OP (push_sreg));
  def (t, 0x1f, F_NONE, S_V, 0, OP (pop_sreg));
  def (t, 0x27, F_NONE, S_B, 0, OP (daa));
  def (t, 0x2f, F_NONE, S_B, 0, OP (das));
  def (t, 0x37, F_NONE, S_B, 0, OP (aaa));
  def (t, 0x3f, F_NONE, S_B, 0, OP (aas));
  for (int o = 0x26; o <= 0x3e; o += 8)
    def (t, o, F_PREFIX, 0, 0, NULL);
  for (int o = 0x64; o <= 0x67; o++)
    def (t, o, F_PREFIX, 0, 0, NULL);
  def (t, 0xf0, F_PREFIX, 0, 0, NULL);
  def (t, 0xf2, F_PREFIX, 0, 0, NULL);
  def (t, 0xf3, F_PREFIX, 0, 0, NULL);

  for (int r = 0; r < 8; r++)
    {
      def (t, 0x40 + r, F_NONE, S_V, 0, OP (inc_r));
      def (t, 0x48 + r, F_NONE, S_V, 0, OP (dec_r));
      def (t, 0x50 + r, F_NONE, S_V, 0, OP (push_r));
      def (t, 0x58 + r, F_NONE, S_V, 0, OP (pop_r));
      def (t, 0x90 + r, F_NONE, S_V, 0, OP (xchg_a_r));
      def (t, 0xb0 + r, F_IB, S_B, 0, OP (mov_r_imm));
      def (t, 0xb8 + r, F_IV, S_V, 0, OP (mov_r_imm));
    }
  def (t, 0x90, F_NONE, S_V, 0, OP (nop));
  for (int r = 0; r < 8; r++)
    {
      set_sized (t, 0x40 + r, bw_x86_inc_r_sized);
      set_sized (t, 0x48 + r, bw_x86_dec_r_sized);
      set_sized (t, 0x50 + r, bw_x86_push_r_sized);
      set_sized (t, 0x58 + r, bw_x86_pop_r_sized);
    }
  for (int k = 0; k < 8; k++)
    {
      set_sized (t, k * 8 + 0, bw_x86_alu_rm_r_sized[k]);
      set_sized (t, k * 8 + 1, bw_x86_alu_rm_r_sized[k]);
      set_sized (t, k * 8 + 2, bw_x86_alu_r_rm_sized[k]);
      set_sized (t, k * 8 + 3, bw_x86_alu_r_rm_sized[k]);
    }
  def (t, 0x60, F_NONE, S_V, 0, OP (pusha));
  def (t, 0x61, F_NONE, S_V, 0, OP (popa));
  def (t, 0x62, F_M, S_V, P_MEM, OP (bound));
  def (t, 0x63, F_M, S_W, 0, OP (arpl));
  def (t, 0x68, F_IV, S_V, 0, OP (push_imm));
  def (t, 0x69, F_M_IV, S_V, 0, OP (imul_r_rm_imm));
  def (t, 0x6a, F_IB, S_V, P_SX8, OP (push_imm));
  def (t, 0x6b, F_M_IB, S_V, P_SX8, OP (imul_r_rm_imm));
  def (t, 0x6c, F_NONE, S_B, P_EIP, OP (ins));
  def (t, 0x6d, F_NONE, S_V, P_EIP, OP (ins));
  def (t, 0x6e, F_NONE, S_B, P_EIP, OP (outs));
  def (t, 0x6f, F_NONE, S_V, P_EIP, OP (outs));
  for (int c = 0; c < 16; c++)
    def (t, 0x70 + c, F_REL8, S_V, P_JCC, bw_x86_jcc_cc[c]);

  def_grp (t, 0x80, F_M_IB, S_B, 0, grp1, NULL);
  def_grp (t, 0x81, F_M_IV, S_V, 0, grp1, NULL);
  def_grp (t, 0x82, F_M_IB, S_B, 0, grp1, NULL);
  def_grp (t, 0x83, F_M_IB, S_V, P_SX8, grp1, NULL);
  for (int o = 0x80; o <= 0x83; o++)
    t[o].grp_sized = bw_x86_alu_rm_imm_sized;
  def (t, 0x84, F_M, S_B, 0, OP (test_rm_r));
  def (t, 0x85, F_M, S_V, 0, OP (test_rm_r));
  def (t, 0x86, F_M, S_B, 0, OP (xchg_rm_r));
  def (t, 0x87, F_M, S_V, 0, OP (xchg_rm_r));
  def (t, 0x88, F_M, S_B, 0, OP (mov_rm_r));
  def (t, 0x89, F_M, S_V, 0, OP (mov_rm_r));
  def (t, 0x8a, F_M, S_B, 0, OP (mov_r_rm));
  def (t, 0x8b, F_M, S_V, 0, OP (mov_r_rm));
  set_sized (t, 0x88, bw_x86_mov_rm_r_sized);
  set_sized (t, 0x89, bw_x86_mov_rm_r_sized);
  set_sized (t, 0x8a, bw_x86_mov_r_rm_sized);
  set_sized (t, 0x8b, bw_x86_mov_r_rm_sized);
  def (t, 0x8c, F_M, S_V, 0, OP (mov_rm_sreg));
  def (t, 0x8d, F_M, S_V, P_MEM, OP (lea));
  def (t, 0x8e, F_M, S_W, P_END, OP (mov_sreg_rm));
  def_grp (t, 0x8f, F_M, S_V, 0, grp_pop, NULL);
  def (t, 0x98, F_NONE, S_V, 0, OP (cbw));
  def (t, 0x99, F_NONE, S_V, 0, OP (cwd));
  def (t, 0x9a, F_FAR, S_V, P_EIP, OP (call_far));
  def (t, 0x9b, F_NONE, S_V, 0, OP (wait));
  def (t, 0x9c, F_NONE, S_V, 0, OP (pushf));
  def (t, 0x9d, F_NONE, S_V, P_END, OP (popf));
  def (t, 0x9e, F_NONE, S_B, 0, OP (sahf));
  def (t, 0x9f, F_NONE, S_B, 0, OP (lahf));
  def (t, 0xa0, F_MOFFS, S_B, 0, OP (mov_a_moffs));
  def (t, 0xa1, F_MOFFS, S_V, 0, OP (mov_a_moffs));
  def (t, 0xa2, F_MOFFS, S_B, 0, OP (mov_moffs_a));
  def (t, 0xa3, F_MOFFS, S_V, 0, OP (mov_moffs_a));
  def (t, 0xa4, F_NONE, S_B, P_EIP, OP (movs));
  def (t, 0xa5, F_NONE, S_V, P_EIP, OP (movs));
  def (t, 0xa6, F_NONE, S_B, P_EIP, OP (cmps));
  def (t, 0xa7, F_NONE, S_V, P_EIP, OP (cmps));
  def (t, 0xa8, F_IB, S_B, 0, OP (test_a_imm));
  def (t, 0xa9, F_IV, S_V, 0, OP (test_a_imm));
  def (t, 0xaa, F_NONE, S_B, P_EIP, OP (stos));
  def (t, 0xab, F_NONE, S_V, P_EIP, OP (stos));
  def (t, 0xac, F_NONE, S_B, P_EIP, OP (lods));
  def (t, 0xad, F_NONE, S_V, P_EIP, OP (lods));
  def (t, 0xae, F_NONE, S_B, P_EIP, OP (scas));
  def (t, 0xaf, F_NONE, S_V, P_EIP, OP (scas));

  def_grp (t, 0xc0, F_M_IB, S_B, 0, grp2, NULL);
  def_grp (t, 0xc1, F_M_IB, S_V, 0, grp2, NULL);
  def (t, 0xc2, F_IW, S_V, P_EIP, OP (ret));
  def (t, 0xc3, F_NONE, S_V, P_EIP, OP (ret));
  def (t, 0xc4, F_M, S_V, P_MEM, OP (lxs));
  def (t, 0xc5, F_M, S_V, P_MEM, OP (lxs));
  def_grp (t, 0xc6, F_M_IB, S_B, 0, grp_mov, NULL);
  def_grp (t, 0xc7, F_M_IV, S_V, 0, grp_mov, NULL);
  def (t, 0xc8, F_IW_IB, S_V, 0, OP (enter));
  def (t, 0xc9, F_NONE, S_V, 0, OP (leave));
  def (t, 0xca, F_IW, S_V, P_EIP, OP (retf));
  def (t, 0xcb, F_NONE, S_V, P_EIP, OP (retf));
  def (t, 0xcc, F_NONE, S_V, P_EIP, OP (int3));
  def (t, 0xcd, F_IB, S_V, P_EIP, OP (int_imm));
  def (t, 0xce, F_NONE, S_V, P_EIP, OP (into));
  def (t, 0xcf, F_NONE, S_V, P_EIP, OP (iret));
  def_grp (t, 0xd0, F_M, S_B, 0, grp2, NULL);
  def_grp (t, 0xd1, F_M, S_V, 0, grp2, NULL);
  def_grp (t, 0xd2, F_M, S_B, 0, grp2, NULL);
  def_grp (t, 0xd3, F_M, S_V, 0, grp2, NULL);
  for (int o = 0xc0; o <= 0xd3; o++)
    if (o <= 0xc1 || o >= 0xd0)
      t[o].grp_sized = bw_x86_shift_sized;
  def (t, 0xd4, F_IB, S_B, 0, OP (aam));
  def (t, 0xd5, F_IB, S_B, 0, OP (aad));
  def (t, 0xd6, F_NONE, S_B, 0, OP (salc));
  def (t, 0xd7, F_NONE, S_B, 0, OP (xlat));
  for (int o = 0xd8; o <= 0xdf; o++)
    def (t, o, F_M, S_V, 0, OP (esc));
  def (t, 0xe0, F_REL8, S_V, P_EIP, OP (loop));
  def (t, 0xe1, F_REL8, S_V, P_EIP, OP (loop));
  def (t, 0xe2, F_REL8, S_V, P_EIP, OP (loop));
  def (t, 0xe3, F_REL8, S_V, P_EIP, OP (jcxz));
  def (t, 0xe4, F_IB, S_B, 0, OP (in));
  def (t, 0xe5, F_IB, S_V, 0, OP (in));
  def (t, 0xe6, F_IB, S_B, P_END, OP (out));
  def (t, 0xe7, F_IB, S_V, P_END, OP (out));
  def (t, 0xe8, F_RELV, S_V, P_EIP, OP (call_rel));
  def (t, 0xe9, F_RELV, S_V, P_EIP, OP (jmp_rel));
  def (t, 0xea, F_FAR, S_V, P_EIP, OP (jmp_far));
  def (t, 0xeb, F_REL8, S_V, P_EIP, OP (jmp_rel));
  def (t, 0xec, F_NONE, S_B, 0, OP (in));
  def (t, 0xed, F_NONE, S_V, 0, OP (in));
  def (t, 0xee, F_NONE, S_B, P_END, OP (out));
  def (t, 0xef, F_NONE, S_V, P_END, OP (out));
  def (t, 0xf1, F_NONE, S_V, P_EIP, OP (icebp));
  def (t, 0xf4, F_NONE, S_V, P_EIP, OP (hlt));
  def (t, 0xf5, F_NONE, S_V, 0, OP (cmc));
  def_grp (t, 0xf6, F_GRP3, S_B, 0, grp3, NULL);
  def_grp (t, 0xf7, F_GRP3, S_V, 0, grp3, NULL);
  def (t, 0xf8, F_NONE, S_V, 0, OP (clc_stc));
  def (t, 0xf9, F_NONE, S_V, 0, OP (clc_stc));
  def (t, 0xfa, F_NONE, S_V, 0, OP (cli));
  def (t, 0xfb, F_NONE, S_V, P_END, OP (sti));
  def (t, 0xfc, F_NONE, S_V, 0, OP (cld_std));
  def (t, 0xfd, F_NONE, S_V, 0, OP (cld_std));
  def_grp (t, 0xfe, F_M, S_B, 0, grp4, NULL);
  def_grp (t, 0xff, F_M, S_V, 0, grp5, grp5_props);
}

static void
init_two_byte (void)
{
  BwX86OpDef *t = two_byte;
  for (int o = 0; o < 256; o++)
    def (t, o, F_NONE, S_V, 0, OP (ud));

  def_grp (t, 0x00, F_M, S_W, 0, grp6, grp6_props);
  def_grp (t, 0x01, F_M, S_W, 0, grp7, grp7_props);
  def (t, 0x02, F_M, S_V, 0, OP (lar_lsl));
  def (t, 0x03, F_M, S_V, 0, OP (lar_lsl));
  def (t, 0x06, F_NONE, S_V, P_END, OP (clts));
  def (t, 0x08, F_NONE, S_V, 0, OP (wbinvd));
  def (t, 0x09, F_NONE, S_V, 0, OP (wbinvd));
  def (t, 0x0b, F_NONE, S_V, 0, OP (ud));
  /* 0F 18-1F: hint NOPs with a ModRM operand (Pentium Pro on); 0F 1F is
   * the multi-byte NOP that compilers and kernels pad with. */
  for (int o = 0x18; o <= 0x1f; o++)
    def (t, o, F_M, S_V, 0, OP (nop));
  def (t, 0x20, F_M, S_V, 0, OP (mov_r_cr));
  def (t, 0x21, F_M, S_V, 0, OP (mov_r_dr));
  def (t, 0x22, F_M, S_V, P_EIP, OP (mov_cr_r));
  def (t, 0x23, F_M, S_V, P_END, OP (mov_dr_r));
  def (t, 0x30, F_NONE, S_V, P_END, OP (wrmsr));
  def (t, 0x31, F_NONE, S_V, 0, OP (rdtsc));
  def (t, 0x32, F_NONE, S_V, 0, OP (rdmsr));
  def (t, 0x34, F_NONE, S_V, P_EIP, OP (sysenter));
  def (t, 0x35, F_NONE, S_V, P_EIP, OP (sysexit));
  for (int c = 0; c < 16; c++)
    {
      def (t, 0x40 + c, F_M, S_V, 0, OP (cmovcc));
      def (t, 0x80 + c, F_RELV, S_V, P_JCC, bw_x86_jcc_cc[c]);
      def (t, 0x90 + c, F_M, S_B, 0, OP (setcc));
    }
  def (t, 0xa0, F_NONE, S_V, 0, OP (push_sreg));
  def (t, 0xa1, F_NONE, S_V, 0, OP (pop_sreg));
  def (t, 0xa2, F_NONE, S_V, 0, OP (cpuid));
  def (t, 0xa3, F_M, S_V, 0, OP (bt_rm_r));
  def (t, 0xa4, F_M_IB, S_V, 0, OP (shld_shrd));
  def (t, 0xa5, F_M, S_V, 0, OP (shld_shrd));
  def (t, 0xa8, F_NONE, S_V, 0, OP (push_sreg));
  def (t, 0xa9, F_NONE, S_V, 0, OP (pop_sreg));
  def (t, 0xab, F_M, S_V, 0, OP (bt_rm_r));
  def (t, 0xac, F_M_IB, S_V, 0, OP (shld_shrd));
  def (t, 0xad, F_M, S_V, 0, OP (shld_shrd));
  def (t, 0xaf, F_M, S_V, 0, OP (imul_r_rm));
  def (t, 0xb0, F_M, S_B, 0, OP (cmpxchg));
  def (t, 0xb1, F_M, S_V, 0, OP (cmpxchg));
  def (t, 0xb2, F_M, S_V, P_MEM | P_END, OP (lxs));
  def (t, 0xb3, F_M, S_V, 0, OP (bt_rm_r));
  def (t, 0xb4, F_M, S_V, P_MEM, OP (lxs));
  def (t, 0xb5, F_M, S_V, P_MEM, OP (lxs));
  def (t, 0xb6, F_M, S_B, 0, OP (movzx));
  def (t, 0xb7, F_M, S_W, 0, OP (movzx));
  def_grp (t, 0xba, F_M_IB, S_V, 0, grp8, NULL);
  def (t, 0xbb, F_M, S_V, 0, OP (bt_rm_r));
  def (t, 0xbc, F_M, S_V, 0, OP (bsf_bsr));
  def (t, 0xbd, F_M, S_V, 0, OP (bsf_bsr));
  def (t, 0xbe, F_M, S_B, 0, OP (movsx));
  def (t, 0xbf, F_M, S_W, 0, OP (movsx));
  def (t, 0xc0, F_M, S_B, 0, OP (xadd));
  def (t, 0xc1, F_M, S_V, 0, OP (xadd));
  def_grp (t, 0xc7, F_M, S_V, 0, grp9, grp9_props);
  for (int r = 0; r < 8; r++)
    def (t, 0xc8 + r, F_NONE, S_V, 0, OP (bswap));

  /* MMX, SSE, SSE2 (bw-x86-simd.h): handlers by mandatory prefix. */
  bw_x86_simd_fill (simd);
  for (int o = 0; o < 256; o++)
    if (simd[o].fmt != BW_X86_SIMD_UNUSED)
      {
        static const int fmts[] = { F_NONE, F_M, F_M_IB, F_NONE };
        def (t, o, fmts[simd[o].fmt], S_V, 0, OP (ud));
        t[o].pfx = simd[o].fn;
      }
}

static void
decode_init (void)
{
  static gsize done;
  if (g_once_init_enter (&done))
    {
      init_one_byte ();
      init_two_byte ();
      g_once_init_leave (&done, 1);
    }
}

/* Little-endian reads from the byte buffer, with a bounds check. */
#define NEED(n)                                                                             \
  do                                                                                        \
    {                                                                                       \
      if (p + (n) > avail)                                                                  \
        return p + (n) > 15 ? -1 : 0;                                                       \
    }                                                                                       \
  while (0)

static inline uint32_t
le (const uint8_t *c, unsigned n)
{
  uint32_t v = 0;
  for (unsigned k = 0; k < n; k++)
    v |= (uint32_t) c[k] << (8 * k);
  return v;
}

int
bw_x86_decode_insn (const uint8_t *code, unsigned avail, gboolean code32, BwX86Insn *out)
{
  decode_init ();
  if (avail > 15)
    avail = 15;

  unsigned p = 0;
  int seg_ovr = -1;
  gboolean o32 = code32, a32 = code32;
  uint8_t flags = 0;
  const BwX86OpDef *d;
  uint8_t opc;

  for (;;)
    {
      NEED (1);
      opc = code[p++];
      d = &one_byte[opc];
      if (d->fmt != F_PREFIX)
        break;
      switch (opc)
        {
        case 0x26: seg_ovr = BW_X86_ES; break;
        case 0x2e: seg_ovr = BW_X86_CS; break;
        case 0x36: seg_ovr = BW_X86_SS; break;
        case 0x3e: seg_ovr = BW_X86_DS; break;
        case 0x64: seg_ovr = BW_X86_FS; break;
        case 0x65: seg_ovr = BW_X86_GS; break;
        case 0x66: o32 = !code32; break;
        case 0x67: a32 = !code32; break;
        case 0xf0: flags |= BW_X86_I_LOCK; break;
        case 0xf2: flags = (flags & ~BW_X86_I_REP) | BW_X86_I_REPNE; break;
        case 0xf3: flags = (flags & ~BW_X86_I_REPNE) | BW_X86_I_REP; break;
        }
    }
  if (d->fmt == F_0F)
    {
      NEED (1);
      opc = code[p++];
      d = &two_byte[opc];
    }

  BwX86Insn i = { 0 };
  i.opc = opc;
  i.reg = opc & 7;
  i.base = i.index = BW_X86_NOREG;
  i.seg = seg_ovr >= 0 ? seg_ovr : BW_X86_DS;
  i.mod = 3;
  if (o32)
    flags |= BW_X86_I_O32;
  if (a32)
    flags |= BW_X86_I_A32;
  i.osz = d->size == S_B ? 0 : d->size == S_W ? 1 : o32 ? 2 : 1;

  int fmt = d->fmt;
  uint32_t props = d->props;
  BwX86Op fn = d->fn;
  if (d->pfx)
    {
      /* F2/F3 select before 66; the last of F2 and F3 counts. */
      int slot = (flags & BW_X86_I_REP)     ? BW_X86_PFX_F3
                 : (flags & BW_X86_I_REPNE) ? BW_X86_PFX_F2
                 : o32 != code32            ? BW_X86_PFX_66
                                            : BW_X86_PFX_NONE;
      fn = d->pfx[slot] ? d->pfx[slot] : OP (ud);
    }

  if (fmt == F_M || fmt == F_M_IB || fmt == F_M_IV || fmt == F_GRP3)
    {
      NEED (1);
      uint8_t modrm = code[p++];
      i.mod = modrm >> 6;
      i.reg = (modrm >> 3) & 7;
      i.rm = modrm & 7;
      if (props & P_GRP)
        {
          fn = d->grp[i.reg];
          if (d->grp_props)
            props |= d->grp_props[i.reg];
          if (fmt == F_GRP3)
            fmt = i.reg < 2 ? (d->size == S_B ? F_M_IB : F_M_IV) : F_M;
        }
      if (i.mod != 3 && !a32)
        {
          static const uint8_t b16[8] = { BW_X86_EBX, BW_X86_EBX, BW_X86_EBP, BW_X86_EBP,
                                          BW_X86_ESI, BW_X86_EDI, BW_X86_EBP, BW_X86_EBX };
          static const uint8_t x16[8] = { BW_X86_ESI, BW_X86_EDI, BW_X86_ESI, BW_X86_EDI,
                                          BW_X86_NOREG, BW_X86_NOREG, BW_X86_NOREG,
                                          BW_X86_NOREG };
          if (i.mod == 0 && i.rm == 6)
            {
              NEED (2);
              i.disp = le (code + p, 2);
              p += 2;
            }
          else
            {
              i.base = b16[i.rm];
              i.index = x16[i.rm];
              if (seg_ovr < 0 && i.base == BW_X86_EBP)
                i.seg = BW_X86_SS;
              if (i.mod == 1)
                {
                  NEED (1);
                  i.disp = (uint32_t) (int8_t) code[p++];
                }
              else if (i.mod == 2)
                {
                  NEED (2);
                  i.disp = le (code + p, 2);
                  p += 2;
                }
            }
        }
      else if (i.mod != 3)
        {
          unsigned base = i.rm;
          gboolean no_base = FALSE;
          if (i.rm == 4)
            {
              NEED (1);
              uint8_t sib = code[p++];
              i.scale = sib >> 6;
              unsigned idx = (sib >> 3) & 7;
              i.index = idx == 4 ? BW_X86_NOREG : idx;
              base = sib & 7;
              if (base == 5 && i.mod == 0)
                no_base = TRUE;
            }
          else if (i.rm == 5 && i.mod == 0)
            no_base = TRUE;
          if (!no_base)
            {
              i.base = base;
              if (seg_ovr < 0 && (base == BW_X86_ESP || base == BW_X86_EBP))
                i.seg = BW_X86_SS;
            }
          if (no_base || i.mod == 2)
            {
              NEED (4);
              i.disp = le (code + p, 4);
              p += 4;
            }
          else if (i.mod == 1)
            {
              NEED (1);
              i.disp = (uint32_t) (int8_t) code[p++];
            }
        }
      if (d->grp_sized)
        fn = d->grp_sized[i.reg][i.osz];
      if ((props & P_MEM) && i.mod == 3)
        fn = OP (ud);
    }

  unsigned vsize = o32 ? 4 : 2;
  switch (fmt)
    {
    case F_M_IB:
    case F_IB:
    case F_REL8:
      NEED (1);
      i.imm = code[p++];
      if (fmt == F_REL8 || (props & P_SX8))
        i.imm = (uint32_t) (int8_t) i.imm;
      break;
    case F_M_IV:
    case F_IV:
    case F_RELV:
      NEED (vsize);
      i.imm = le (code + p, vsize);
      if (fmt == F_RELV && vsize == 2)
        i.imm = (uint32_t) (int16_t) i.imm;
      p += vsize;
      break;
    case F_IW:
      NEED (2);
      i.imm = le (code + p, 2);
      p += 2;
      break;
    case F_IW_IB:
      NEED (3);
      i.imm = le (code + p, 2);
      i.imm2 = code[p + 2];
      p += 3;
      break;
    case F_FAR:
      NEED (vsize + 2);
      i.imm = le (code + p, vsize);
      i.imm2 = (uint16_t) le (code + p + vsize, 2);
      p += vsize + 2;
      break;
    case F_MOFFS:
      NEED (a32 ? 4 : 2);
      i.disp = le (code + p, a32 ? 4 : 2);
      p += a32 ? 4 : 2;
      i.mod = 0;
      break;
    default:
      break;
    }

  if (d->sized && fn == d->fn)
    fn = d->sized[i.osz];
  /* MOV r32 <-> r/m32, the commonest instructions: by operand kind and
   * address form too. */
  gboolean base_disp = (flags & BW_X86_I_A32) && i.mod != 3 && i.index == BW_X86_NOREG
                       && i.base != BW_X86_NOREG;
  if (fn == bw_x86_mov_rm_r_sized[2])
    fn = i.mod == 3 ? bw_x86_mov_rr32_store
         : base_disp ? bw_x86_mov_m32_r32_bd : bw_x86_mov_m32_r32;
  else if (fn == bw_x86_mov_r_rm_sized[2])
    fn = i.mod == 3 ? bw_x86_mov_rr32_load
         : base_disp ? bw_x86_mov_r32_m32_bd : bw_x86_mov_r32_m32;
  else if (fn == OP (movzx) && i.mod != 3 && (flags & BW_X86_I_O32))
    fn = i.osz == 0 ? bw_x86_movzx_r32_m8 : bw_x86_movzx_r32_m16;
  else if (fn == bw_x86_mov_rm_r_sized[1] && i.mod != 3)
    fn = bw_x86_mov_m16_r16;
  else if (i.mod == 3 && i.osz == 2)
    fn = bw_x86_shift_reg_form (bw_x86_alu_reg_form (fn));
  i.fn = fn;
  i.len = p;
  i.flags = flags | (props & (BW_X86_I_SETS_EIP | BW_X86_I_END | BW_X86_I_COND));
  /* An undefined opcode ends its block: it raises #UD when reached. */
  if (fn == OP (ud))
    i.flags |= BW_X86_I_END;
  *out = i;
  return p;
}

/* Copies code bytes of the page holding lin into buf (up to the page end);
 * returns how many. Faults propagate (the caller decides if they count). */
static unsigned
fetch_page (BwX86Cpu *cpu, uint32_t lin, uint8_t *buf, unsigned max, uint32_t *phys_page)
{
  BwX86TlbEntry *e = bw_x86_tlb_fill (cpu, lin, BW_X86_ACC_X);
  unsigned n = MIN (max, 4096 - (lin & 0xfff));
  *phys_page = e->phys_page;
  if (e->host)
    memcpy (buf, e->host + (lin & 0xfff), n);
  else
    for (unsigned k = 0; k < n; k++)
      buf[k] = (uint8_t) bw_x86_phys_read (cpu, e->phys_page | ((lin + k) & 0xfff), 1);
  return n;
}

unsigned
bw_x86_decode_block (BwX86Cpu *cpu, unsigned max_insns, uint32_t *last_phys_page)
{
  const BwX86Seg *cs = &cpu->seg[BW_X86_CS];
  gboolean code32 = cs->big;
  uint32_t eip = cpu->eip;
  uint32_t start_lin = cs->s.base + eip;
  uint32_t page_end = (start_lin | 0xfff) + 1; /* may wrap to 0 */
  unsigned n = 0;

  /* The bytes of the first page, plus up to 15 of the next when an
   * instruction crosses. */
  uint8_t buf[4096 + 16];
  uint32_t first_phys;
  unsigned have = fetch_page (cpu, start_lin, buf, 4096, &first_phys);
  gboolean have_next = FALSE;
  *last_phys_page = first_phys;

  unsigned off = 0; /* into buf */
  while (n < max_insns)
    {
      BwX86Insn *i = &cpu->scratch[n];
      /* Instructions must lie within CS; the first raises #GP. */
      if (eip < cs->lo || eip > cs->hi)
        {
          if (n == 0)
            bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
          break;
        }
      int len = bw_x86_decode_insn (buf + off, have - off, code32, i);
      if (len == 0 && !have_next)
        {
          /* Crosses into the next page: fetch up to 15 bytes of it. A
           * fault there belongs to this instruction, so a later one only
           * ends the block. */
          uint32_t next_phys;
          if (n > 0)
            break;
          have += fetch_page (cpu, page_end, buf + have, 16, &next_phys);
          have_next = TRUE;
          *last_phys_page = next_phys;
          len = bw_x86_decode_insn (buf + off, have - off, code32, i);
        }
      if (len <= 0)
        {
          /* Longer than 15 bytes: #GP, or #UD-like garbage at the end. */
          if (n == 0)
            bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
          break;
        }
      uint64_t last = (uint64_t) eip + len - 1;
      if (last > cs->hi && !(!code32 && cs->hi >= 0xffff))
        {
          if (n == 0)
            bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
          break;
        }
      n++;
      off += len;
      if (i->flags & BW_X86_I_COND)
        i->imm2 = (uint16_t) off;
      eip += len;
      if (!code32)
        eip &= 0xffff;
      if (i->flags & BW_X86_I_END)
        break;
      /* Stay on one page, and stop when 16-bit EIP wrapped. */
      if (off >= 4096 - (start_lin & 0xfff) || have_next || eip < cpu->eip)
        break;
    }
  if (n > 0)
    cpu->scratch[n - 1].flags |= BW_X86_I_END;
  return n;
}
