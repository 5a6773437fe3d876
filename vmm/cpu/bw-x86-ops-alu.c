/* bw-x86-ops-alu.c: integer arithmetic and logic: ADD..CMP, TEST, INC,
 * DEC, NOT, NEG, MUL, IMUL, DIV, IDIV, CMPXCHG, XADD.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"

/* The eight ALU operations in encoding order: ADD OR ADC SBB AND SUB XOR
 * CMP. Records lazy flags and returns the result. */
static inline __attribute__ ((always_inline)) uint32_t
alu (BwX86Cpu *cpu, unsigned kind, int osz, uint32_t a, uint32_t b)
{
  uint32_t m = bw_x86_size_mask (osz);
  uint32_t r, c;
  a &= m;
  b &= m;
  switch (kind)
    {
    case 0:
      r = a + b;
      bw_x86_set_lazy (cpu, BW_X86_LF_ADD + osz, a, b, r);
      break;
    case 1:
      r = a | b;
      bw_x86_set_lazy (cpu, BW_X86_LF_LOGIC + osz, a, b, r);
      break;
    case 2:
      c = bw_x86_get_cf (cpu);
      r = a + b + c;
      bw_x86_set_lazy (cpu, (c ? BW_X86_LF_ADC : BW_X86_LF_ADD) + osz, a, b, r);
      break;
    case 3:
      c = bw_x86_get_cf (cpu);
      r = a - b - c;
      bw_x86_set_lazy (cpu, (c ? BW_X86_LF_SBB : BW_X86_LF_SUB) + osz, a, b, r);
      break;
    case 4:
      r = a & b;
      bw_x86_set_lazy (cpu, BW_X86_LF_LOGIC + osz, a, b, r);
      break;
    case 6:
      r = a ^ b;
      bw_x86_set_lazy (cpu, BW_X86_LF_LOGIC + osz, a, b, r);
      break;
    default: /* SUB, CMP */
      r = a - b;
      bw_x86_set_lazy (cpu, BW_X86_LF_SUB + osz, a, b, r);
      break;
    }
  return r & m;
}

/* op r/m, b: read-modify-write of the r/m operand (CMP only reads). */
static inline __attribute__ ((always_inline)) void
alu_rm_k (BwX86Cpu *cpu, const BwX86Insn *i, unsigned kind, int osz, uint32_t b)
{
  if (i->mod == 3)
    {
      uint32_t r = alu (cpu, kind, osz, bw_x86_reg_get (cpu, i->rm, osz), b);
      if (kind != 7)
        bw_x86_reg_set (cpu, i->rm, osz, r);
      return;
    }
  unsigned n = bw_x86_bytes (osz);
  uint32_t off = bw_x86_ea (cpu, i);
  uint32_t lin = kind == 7 ? bw_x86_seg_lin (cpu, i->seg, off, n, BW_X86_ACC_R)
                           : bw_x86_seg_lin_rmw (cpu, i->seg, off, n);
  uint32_t r = alu (cpu, kind, osz, bw_x86_lin_read (cpu, lin, n), b);
  if (kind != 7)
    bw_x86_lin_write (cpu, lin, n, r);
}

static inline void
alu_rm (BwX86Cpu *cpu, const BwX86Insn *i, unsigned kind, uint32_t b)
{
  alu_rm_k (cpu, i, kind, i->osz, b);
}

/* Handlers specialized by operation and size for the common forms: the
 * decoder picks them, so the compiler folds every switch away. */
#define ALU_SIZED(K, OSZ)                                                                   \
  static void alu_rm_r_##K##_##OSZ (BwX86Cpu *cpu, const BwX86Insn *i)                      \
  {                                                                                         \
    alu_rm_k (cpu, i, K, OSZ, bw_x86_reg_get (cpu, i->reg, OSZ));                           \
  }                                                                                         \
  static void alu_r_rm_##K##_##OSZ (BwX86Cpu *cpu, const BwX86Insn *i)                      \
  {                                                                                         \
    uint32_t b_ = bw_x86_rm_get (cpu, i, OSZ);                                              \
    uint32_t r_ = alu (cpu, K, OSZ, bw_x86_reg_get (cpu, i->reg, OSZ), b_);                 \
    if (K != 7)                                                                             \
      bw_x86_reg_set (cpu, i->reg, OSZ, r_);                                                \
  }                                                                                         \
  static void alu_rm_imm_##K##_##OSZ (BwX86Cpu *cpu, const BwX86Insn *i)                    \
  {                                                                                         \
    alu_rm_k (cpu, i, K, OSZ, i->imm);                                                      \
  }
#define ALU_KIND(K) ALU_SIZED (K, 0) ALU_SIZED (K, 1) ALU_SIZED (K, 2)
ALU_KIND (0)
ALU_KIND (1)
ALU_KIND (2)
ALU_KIND (3)
ALU_KIND (4)
ALU_KIND (5)
ALU_KIND (6)
ALU_KIND (7)

#define ALU_ROW(F, K) { F##_##K##_0, F##_##K##_1, F##_##K##_2 }
#define ALU_TABLE(F)                                                                        \
  { ALU_ROW (F, 0), ALU_ROW (F, 1), ALU_ROW (F, 2), ALU_ROW (F, 3),                         \
    ALU_ROW (F, 4), ALU_ROW (F, 5), ALU_ROW (F, 6), ALU_ROW (F, 7) }
const BwX86Op bw_x86_alu_rm_r_sized[8][3] = ALU_TABLE (alu_rm_r);
const BwX86Op bw_x86_alu_r_rm_sized[8][3] = ALU_TABLE (alu_r_rm);
const BwX86Op bw_x86_alu_rm_imm_sized[8][3] = ALU_TABLE (alu_rm_imm);

/* Register-to-register forms of the 32-bit handlers above, picked when
 * decoding ModRM.mod 3: no operand-kind test. */
#define ALU_RR(K)                                                                           \
  static void alu_rr_rm_r_##K (BwX86Cpu *cpu, const BwX86Insn *i)                           \
  {                                                                                         \
    uint32_t r_ = alu (cpu, K, 2, cpu->gpr[i->rm], cpu->gpr[i->reg]);                       \
    if (K != 7)                                                                             \
      cpu->gpr[i->rm] = r_;                                                                 \
  }                                                                                         \
  static void alu_rr_r_rm_##K (BwX86Cpu *cpu, const BwX86Insn *i)                           \
  {                                                                                         \
    uint32_t r_ = alu (cpu, K, 2, cpu->gpr[i->reg], cpu->gpr[i->rm]);                      \
    if (K != 7)                                                                             \
      cpu->gpr[i->reg] = r_;                                                                \
  }                                                                                         \
  static void alu_rr_rm_imm_##K (BwX86Cpu *cpu, const BwX86Insn *i)                         \
  {                                                                                         \
    uint32_t r_ = alu (cpu, K, 2, cpu->gpr[i->rm], i->imm);                                 \
    if (K != 7)                                                                             \
      cpu->gpr[i->rm] = r_;                                                                 \
  }
ALU_RR (0) ALU_RR (1) ALU_RR (2) ALU_RR (3) ALU_RR (4) ALU_RR (5) ALU_RR (6) ALU_RR (7)
#define ALU_RR_ROW(F) { F##_0, F##_1, F##_2, F##_3, F##_4, F##_5, F##_6, F##_7 }
const BwX86Op bw_x86_alu_rr[3][8] = { ALU_RR_ROW (alu_rr_rm_r), ALU_RR_ROW (alu_rr_r_rm),
                                      ALU_RR_ROW (alu_rr_rm_imm) };

BwX86Op
bw_x86_alu_reg_form (BwX86Op fn)
{
  for (unsigned k = 0; k < 8; k++)
    {
      if (fn == bw_x86_alu_rm_r_sized[k][2])
        return bw_x86_alu_rr[0][k];
      if (fn == bw_x86_alu_r_rm_sized[k][2])
        return bw_x86_alu_rr[1][k];
      if (fn == bw_x86_alu_rm_imm_sized[k][2])
        return bw_x86_alu_rr[2][k];
    }
  return fn;
}

BW_X86_OP (alu_rm_r)
{
  alu_rm (cpu, i, (i->opc >> 3) & 7, bw_x86_reg_get (cpu, i->reg, i->osz));
}

BW_X86_OP (alu_r_rm)
{
  unsigned kind = (i->opc >> 3) & 7;
  uint32_t b = bw_x86_rm_get (cpu, i, i->osz);
  uint32_t r = alu (cpu, kind, i->osz, bw_x86_reg_get (cpu, i->reg, i->osz), b);
  if (kind != 7)
    bw_x86_reg_set (cpu, i->reg, i->osz, r);
}

BW_X86_OP (alu_a_imm)
{
  unsigned kind = (i->opc >> 3) & 7;
  uint32_t r = alu (cpu, kind, i->osz, bw_x86_reg_get (cpu, BW_X86_EAX, i->osz), i->imm);
  if (kind != 7)
    bw_x86_reg_set (cpu, BW_X86_EAX, i->osz, r);
}

BW_X86_OP (alu_rm_imm)
{
  alu_rm (cpu, i, i->reg, i->imm);
}

BW_X86_OP (test_rm_r)
{
  alu (cpu, 4, i->osz, bw_x86_rm_get (cpu, i, i->osz), bw_x86_reg_get (cpu, i->reg, i->osz));
}

BW_X86_OP (test_a_imm)
{
  alu (cpu, 4, i->osz, bw_x86_reg_get (cpu, BW_X86_EAX, i->osz), i->imm);
}

BW_X86_OP (test_rm_imm)
{
  alu (cpu, 4, i->osz, bw_x86_rm_get (cpu, i, i->osz), i->imm);
}

static inline __attribute__ ((always_inline)) uint32_t
inc_dec (BwX86Cpu *cpu, int osz, uint32_t a, gboolean dec)
{
  /* INC/DEC keep CF: park it in eflags, where the lazy INC/DEC reads it
   * (the other arithmetic bits of eflags are dead while lf_op is set). */
  uint32_t cf = bw_x86_get_cf (cpu);
  cpu->eflags = (cpu->eflags & ~BW_X86_CF) | cf;
  uint32_t r = (dec ? a - 1 : a + 1) & bw_x86_size_mask (osz);
  bw_x86_set_lazy (cpu, (dec ? BW_X86_LF_DEC : BW_X86_LF_INC) + osz, a, 1, r);
  return r;
}

#define INCDEC_SIZED(OSZ)                                                                   \
  static void inc_r_##OSZ (BwX86Cpu *cpu, const BwX86Insn *i)                               \
  {                                                                                         \
    bw_x86_reg_set (cpu, i->reg, OSZ,                                                       \
                    inc_dec (cpu, OSZ, bw_x86_reg_get (cpu, i->reg, OSZ), FALSE));          \
  }                                                                                         \
  static void dec_r_##OSZ (BwX86Cpu *cpu, const BwX86Insn *i)                               \
  {                                                                                         \
    bw_x86_reg_set (cpu, i->reg, OSZ,                                                       \
                    inc_dec (cpu, OSZ, bw_x86_reg_get (cpu, i->reg, OSZ), TRUE));           \
  }
INCDEC_SIZED (1)
INCDEC_SIZED (2)
const BwX86Op bw_x86_inc_r_sized[3] = { NULL, inc_r_1, inc_r_2 };
const BwX86Op bw_x86_dec_r_sized[3] = { NULL, dec_r_1, dec_r_2 };

BW_X86_OP (inc_r)
{
  bw_x86_reg_set (cpu, i->reg, i->osz,
                  inc_dec (cpu, i->osz, bw_x86_reg_get (cpu, i->reg, i->osz), FALSE));
}

BW_X86_OP (dec_r)
{
  bw_x86_reg_set (cpu, i->reg, i->osz,
                  inc_dec (cpu, i->osz, bw_x86_reg_get (cpu, i->reg, i->osz), TRUE));
}

BW_X86_OP (inc_rm)
{
  RMW (cpu, i, i->osz, inc_dec (cpu, i->osz, v, FALSE));
}

BW_X86_OP (dec_rm)
{
  RMW (cpu, i, i->osz, inc_dec (cpu, i->osz, v, TRUE));
}

BW_X86_OP (not)
{
  RMW (cpu, i, i->osz, ~v);
}

BW_X86_OP (neg)
{
  RMW (cpu, i, i->osz, alu (cpu, 5, i->osz, 0, v));
}

/* MUL/IMUL: CF = OF = the high half matters; SF/ZF/PF from the low half. */
static inline void
mul_flags (BwX86Cpu *cpu, int osz, uint32_t lo, gboolean wide)
{
  bw_x86_set_lazy (cpu, BW_X86_LF_RES_CO + osz, 0, wide ? BW_X86_CF | BW_X86_OF : 0, lo);
}

BW_X86_OP (mul)
{
  int osz = i->osz;
  uint64_t a = bw_x86_reg_get (cpu, BW_X86_EAX, osz);
  uint64_t r = a * bw_x86_rm_get (cpu, i, osz);
  switch (osz)
    {
    case 0:
      bw_x86_reg_set (cpu, BW_X86_EAX, 1, (uint32_t) r);
      mul_flags (cpu, 0, (uint32_t) r, (r >> 8) != 0);
      break;
    case 1:
      bw_x86_reg_set (cpu, BW_X86_EAX, 1, (uint32_t) r);
      bw_x86_reg_set (cpu, BW_X86_EDX, 1, (uint32_t) (r >> 16));
      mul_flags (cpu, 1, (uint32_t) r, (r >> 16) != 0);
      break;
    default:
      cpu->gpr[BW_X86_EAX] = (uint32_t) r;
      cpu->gpr[BW_X86_EDX] = (uint32_t) (r >> 32);
      mul_flags (cpu, 2, (uint32_t) r, (r >> 32) != 0);
    }
}

static inline int64_t
sext (uint32_t v, int osz)
{
  return osz == 0 ? (int8_t) v : osz == 1 ? (int16_t) v : (int32_t) v;
}

BW_X86_OP (imul1)
{
  int osz = i->osz;
  int64_t r = sext (bw_x86_reg_get (cpu, BW_X86_EAX, osz), osz)
              * sext (bw_x86_rm_get (cpu, i, osz), osz);
  gboolean wide = r != sext ((uint32_t) r, osz);
  switch (osz)
    {
    case 0:
      bw_x86_reg_set (cpu, BW_X86_EAX, 1, (uint32_t) r);
      break;
    case 1:
      bw_x86_reg_set (cpu, BW_X86_EAX, 1, (uint32_t) r);
      bw_x86_reg_set (cpu, BW_X86_EDX, 1, (uint32_t) ((uint64_t) r >> 16));
      break;
    default:
      cpu->gpr[BW_X86_EAX] = (uint32_t) r;
      cpu->gpr[BW_X86_EDX] = (uint32_t) ((uint64_t) r >> 32);
    }
  mul_flags (cpu, osz, (uint32_t) r, wide);
}

static void
imul_to_reg (BwX86Cpu *cpu, const BwX86Insn *i, uint32_t a, uint32_t b)
{
  int osz = i->osz;
  int64_t r = sext (a, osz) * sext (b, osz);
  mul_flags (cpu, osz, (uint32_t) r, r != sext ((uint32_t) r, osz));
  bw_x86_reg_set (cpu, i->reg, osz, (uint32_t) r);
}

BW_X86_OP (imul_r_rm_imm)
{
  imul_to_reg (cpu, i, bw_x86_rm_get (cpu, i, i->osz), i->imm);
}

BW_X86_OP (imul_r_rm)
{
  imul_to_reg (cpu, i, bw_x86_reg_get (cpu, i->reg, i->osz), bw_x86_rm_get (cpu, i, i->osz));
}

BW_X86_OP (div)
{
  int osz = i->osz;
  uint64_t d = bw_x86_rm_get (cpu, i, osz);
  if (d == 0)
    bw_x86_raise (cpu, BW_X86_EXC_DE);
  uint64_t n, q, r;
  switch (osz)
    {
    case 0:
      n = cpu->gpr[BW_X86_EAX] & 0xffff;
      q = n / d;
      r = n % d;
      if (q > 0xff)
        bw_x86_raise (cpu, BW_X86_EXC_DE);
      bw_x86_reg_set (cpu, BW_X86_EAX, 1, (uint32_t) (q | (r << 8)));
      break;
    case 1:
      n = ((cpu->gpr[BW_X86_EDX] & 0xffff) << 16) | (cpu->gpr[BW_X86_EAX] & 0xffff);
      q = n / d;
      r = n % d;
      if (q > 0xffff)
        bw_x86_raise (cpu, BW_X86_EXC_DE);
      bw_x86_reg_set (cpu, BW_X86_EAX, 1, (uint32_t) q);
      bw_x86_reg_set (cpu, BW_X86_EDX, 1, (uint32_t) r);
      break;
    default:
      n = ((uint64_t) cpu->gpr[BW_X86_EDX] << 32) | cpu->gpr[BW_X86_EAX];
      q = n / d;
      r = n % d;
      if (q > 0xffffffffu)
        bw_x86_raise (cpu, BW_X86_EXC_DE);
      cpu->gpr[BW_X86_EAX] = (uint32_t) q;
      cpu->gpr[BW_X86_EDX] = (uint32_t) r;
    }
}

BW_X86_OP (idiv)
{
  int osz = i->osz;
  int64_t d = sext (bw_x86_rm_get (cpu, i, osz), osz);
  if (d == 0)
    bw_x86_raise (cpu, BW_X86_EXC_DE);
  int64_t n, q, r, lim;
  switch (osz)
    {
    case 0:
      n = (int16_t) cpu->gpr[BW_X86_EAX];
      lim = 0x80;
      break;
    case 1:
      n = (int32_t) (((cpu->gpr[BW_X86_EDX] & 0xffff) << 16) | (cpu->gpr[BW_X86_EAX] & 0xffff));
      lim = 0x8000;
      break;
    default:
      n = (int64_t) (((uint64_t) cpu->gpr[BW_X86_EDX] << 32) | cpu->gpr[BW_X86_EAX]);
      lim = 0x80000000ll;
      if (n == INT64_MIN && d == -1)
        bw_x86_raise (cpu, BW_X86_EXC_DE);
    }
  q = n / d;
  r = n % d;
  if (q >= lim || q < -lim)
    bw_x86_raise (cpu, BW_X86_EXC_DE);
  switch (osz)
    {
    case 0:
      bw_x86_reg_set (cpu, BW_X86_EAX, 1, (uint32_t) ((q & 0xff) | ((r & 0xff) << 8)));
      break;
    case 1:
      bw_x86_reg_set (cpu, BW_X86_EAX, 1, (uint32_t) q);
      bw_x86_reg_set (cpu, BW_X86_EDX, 1, (uint32_t) r);
      break;
    default:
      cpu->gpr[BW_X86_EAX] = (uint32_t) q;
      cpu->gpr[BW_X86_EDX] = (uint32_t) r;
    }
}

BW_X86_OP (cmpxchg)
{
  int osz = i->osz;
  uint32_t acc = bw_x86_reg_get (cpu, BW_X86_EAX, osz);
  uint32_t src = bw_x86_reg_get (cpu, i->reg, osz);
  if (i->mod == 3)
    {
      uint32_t v = bw_x86_reg_get (cpu, i->rm, osz);
      alu (cpu, 7, osz, acc, v);
      if (acc == v)
        bw_x86_reg_set (cpu, i->rm, osz, src);
      else
        bw_x86_reg_set (cpu, BW_X86_EAX, osz, v);
      return;
    }
  unsigned n = bw_x86_bytes (osz);
  uint32_t lin = bw_x86_seg_lin_rmw (cpu, i->seg, bw_x86_ea (cpu, i), n);
  uint32_t v = bw_x86_lin_read (cpu, lin, n);
  /* The destination is always written (the old value when unequal). */
  bw_x86_lin_write (cpu, lin, n, acc == v ? src : v);
  alu (cpu, 7, osz, acc, v);
  if (acc != v)
    bw_x86_reg_set (cpu, BW_X86_EAX, osz, v);
}

BW_X86_OP (cmpxchg8b)
{
  uint32_t lin = bw_x86_seg_lin_rmw (cpu, i->seg, bw_x86_ea (cpu, i), 8);
  uint32_t lo = bw_x86_lin_read (cpu, lin, 4), hi = bw_x86_lin_read (cpu, lin + 4, 4);
  uint32_t f = bw_x86_get_eflags (cpu) & BW_X86_ARITH_FLAGS & ~BW_X86_ZF;
  if (lo == cpu->gpr[BW_X86_EAX] && hi == cpu->gpr[BW_X86_EDX])
    {
      bw_x86_lin_write (cpu, lin, 4, cpu->gpr[BW_X86_EBX]);
      bw_x86_lin_write (cpu, lin + 4, 4, cpu->gpr[BW_X86_ECX]);
      f |= BW_X86_ZF;
    }
  else
    {
      bw_x86_lin_write (cpu, lin, 4, lo);
      bw_x86_lin_write (cpu, lin + 4, 4, hi);
      cpu->gpr[BW_X86_EAX] = lo;
      cpu->gpr[BW_X86_EDX] = hi;
    }
  bw_x86_set_arith (cpu, f);
}

BW_X86_OP (xadd)
{
  int osz = i->osz;
  uint32_t src = bw_x86_reg_get (cpu, i->reg, osz);
  if (i->mod == 3)
    {
      uint32_t v = bw_x86_reg_get (cpu, i->rm, osz);
      uint32_t r = alu (cpu, 0, osz, v, src);
      bw_x86_reg_set (cpu, i->reg, osz, v);
      bw_x86_reg_set (cpu, i->rm, osz, r);
      return;
    }
  unsigned n = bw_x86_bytes (osz);
  uint32_t lin = bw_x86_seg_lin_rmw (cpu, i->seg, bw_x86_ea (cpu, i), n);
  uint32_t v = bw_x86_lin_read (cpu, lin, n);
  uint32_t r = alu (cpu, 0, osz, v, src);
  bw_x86_lin_write (cpu, lin, n, r);
  bw_x86_reg_set (cpu, i->reg, osz, v);
}
