/* bw-x86-jit.c: the translator, the CPU's second tier.
 *
 * A decoded block (bw-x86-block.c) that has run often enough in 32-bit
 * code becomes x86-64 code for the host. The commonest instruction forms
 * are written out inline: register moves and ALU operations on the guest
 * registers in the CPU structure, the lazy-flag record, loads and stores
 * through the software TLB with the flat-segment test, PUSH/POP, and Jcc
 * from the host's own flags when the ALU operation before it left them.
 * Everything else, and every inline memory access that misses the fast
 * path, calls the instruction's interpreter handler with its decoded
 * BwX86Insn, so the two tiers share one implementation of each rule.
 *
 * The translation keeps the interpreter's state exact at every point a
 * handler or a fault could look: EIP is brought up to date (by a constant
 * add, blocks being straight-line code) before every call, the lazy flags
 * are written as the handlers write them, and the instruction count is
 * added at each exit. Faults longjmp out of the generated code just as
 * out of the interpreter. A block that dies while it runs (a store to its
 * own page) sets cpu->jit_stop, which the code tests after each call.
 *
 * Code lives in one buffer per CPU, filled in order and dropped whole when
 * full (every block falls back to the interpreter until it is hot again).
 * The buffer is mapped twice, writable and executable, never both (W^X);
 * where the host allows no such pair, once with both rights.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/cpu/bw-x86-jit-emit.h"
#include "vmm/cpu/bw-x86-private.h"

#define JIT_BUFFER_SIZE (32u << 20)
/* Room reserved for one block: inline forms stay well under 200 bytes
 * per instruction with their out-of-line paths. */
#define JIT_BLOCK_MAX (BW_X86_BLOCK_MAX_INSNS * 512u)
#define JIT_MAX_STUBS (BW_X86_BLOCK_MAX_INSNS * 2)

struct _BwX86Jit
{
  uint8_t *base;   /* the buffer as the translator writes it */
  uint8_t *exec;   /* the same memory as the host runs it */
  size_t used;
  int threshold; /* runs of a block before it is translated */
  /* BOXWOOD_CPU_PERFMAP=1: /tmp/perf-PID.map names each translation for
   * perf (guest physical address, instructions, opcodes left to handlers). */
  FILE *perf_map;
};

#define CPU_OFF(field) ((int32_t) offsetof (BwX86Cpu, field))
#define GPR(r) (CPU_OFF (gpr) + 4 * (int32_t) (r))
#define SEG(s, field) (CPU_OFF (seg) + (int32_t) ((s) * sizeof (BwX86Seg) + offsetof (BwX86Seg, field)))
#define TLB(field) (CPU_OFF (tlb) + (int32_t) offsetof (BwX86TlbEntry, field))

/* Out-of-line code, written after the block's main path. */
typedef enum
{
  STUB_EXIT,      /* leave with EIP and the count advanced */
  STUB_SLOW,      /* call the handler, come back (or leave if the block died) */
  STUB_BRANCH,    /* a taken branch: leave at its target (CS not flat: the handler) */
  STUB_HANDLER,   /* the handler does the instruction (a branch) and the block ends */
} StubKind;

typedef struct
{
  StubKind kind;
  uint8_t *from[6];     /* rel32s that jump here */
  unsigned n_from;
  const BwX86Insn *insn;
  int32_t eip_delta;    /* EXIT/BRANCH: to the target; SLOW: to the instruction */
  int32_t branch_delta; /* BRANCH: to the branch instruction */
  uint32_t count;       /* instructions done when leaving */
  uint8_t *join;        /* SLOW: where the main path goes on */
} Stub;

typedef struct
{
  BwX86Cpu *cpu;
  BwJitOut o;
  int32_t synced;     /* the offset from the block's start cpu->eip holds */
  gboolean flags_live; /* host SF ZF PF are the guest's lazy flags */
  gboolean of_live;    /* and OF */
  gboolean cf_live;    /* and CF */
  /* The lazy-flag operation cpu->lf_op holds, when an inline form of this
   * block set it (and no handler ran since); else -1. */
  int lazy;
  Stub stubs[JIT_MAX_STUBS];
  unsigned n_stubs;
  gboolean overflow;
  GString *handled; /* for the perf map: opcodes that call their handler */
  /* flat0 bits the block's inline accesses assume (checked at entry);
   * may_assume: whether it may (not after its check kept failing). */
  uint32_t flat_need;
  gboolean may_assume;
} Tr;

/* ---- helpers the generated code calls ---------------------------------- */

#define COND_FN(CC)                                                                         \
  static gboolean jit_cond_##CC (BwX86Cpu *cpu)                                             \
  {                                                                                         \
    return bw_x86_cond_fast (cpu, CC);                                                      \
  }
COND_FN (0) COND_FN (1) COND_FN (2) COND_FN (3) COND_FN (4) COND_FN (5) COND_FN (6)
COND_FN (7) COND_FN (8) COND_FN (9) COND_FN (10) COND_FN (11) COND_FN (12) COND_FN (13)
COND_FN (14) COND_FN (15)
static gboolean (*const jit_cond[16]) (BwX86Cpu *) = {
  jit_cond_0, jit_cond_1, jit_cond_2, jit_cond_3, jit_cond_4, jit_cond_5,
  jit_cond_6, jit_cond_7, jit_cond_8, jit_cond_9, jit_cond_10, jit_cond_11,
  jit_cond_12, jit_cond_13, jit_cond_14, jit_cond_15,
};

/* INC/DEC keep CF: park it in eflags as the handlers do (bw-x86-ops-alu.c). */
static void
jit_park_cf (BwX86Cpu *cpu)
{
  uint32_t cf = bw_x86_get_cf (cpu);
  cpu->eflags = (cpu->eflags & ~BW_X86_CF) | cf;
}

/* After an exit whose target is only known at run time (RET, a handler
 * that branched): the successor's entry when the run loop has nothing to
 * do before it and the previous block has a link to it, else NULL (back
 * to the run loop, which makes the link). Mirrors run_blocks()'s checks. */
static uint8_t *
jit_next (BwX86Cpu *cpu)
{
  if (cpu->insn_count > cpu->jit_end
      || (g_atomic_int_get (&cpu->attention) | g_atomic_int_get (&cpu->nmi_pending)
          | cpu->irq_shadow | cpu->halted | cpu->step_check
          | (cpu->eflags & (BW_X86_TF | BW_X86_RF)))
      || (g_atomic_int_get (&cpu->intr_level) && (cpu->eflags & BW_X86_IF)))
    return NULL;
  BwX86Block *prev = cpu->prev_block;
  /* A CS with a limit: the run loop checks blocks against it. */
  if (!prev || prev->link_gen != cpu->block_gen || !cpu->seg[BW_X86_CS].flat)
    return NULL;
  uint32_t lin = cpu->seg[BW_X86_CS].s.base + cpu->eip;
  for (unsigned k = 0; k < BW_X86_BLOCK_LINKS; k++)
    {
      BwX86Block *b = prev->link[k];
      if (prev->link_lin[k] == lin && b)
        return b->jit_code && b->mode == cpu->seg[BW_X86_CS].big ? b->jit_entry : NULL;
    }
  return NULL;
}

/* ---- code generation --------------------------------------------------- */

static Stub *
add_stub (Tr *t, StubKind kind, uint8_t *from)
{
  if (t->n_stubs == JIT_MAX_STUBS)
    {
      t->overflow = TRUE;
      t->n_stubs = 0;
    }
  Stub *s = &t->stubs[t->n_stubs++];
  memset (s, 0, sizeof *s);
  s->kind = kind;
  s->from[s->n_from++] = from;
  return s;
}

static void
emit_eip_add (BwJitOut *o, int32_t delta)
{
  if (delta)
    jo_add_mem_imm (o, CPU_OFF (eip), delta, 0);
}

static void
sync_eip (Tr *t, int32_t off)
{
  emit_eip_add (&t->o, off - t->synced);
  t->synced = off;
}

/* EIP += delta, insn_count += count, return to the run loop. */
static void
emit_leave (BwJitOut *o, int32_t eip_delta, uint32_t count)
{
  emit_eip_add (o, eip_delta);
  jo_add_mem_imm (o, CPU_OFF (insn_count), (int32_t) count, 1);
  jo_byte (o, 0x5b); /* pop rbx */
  jo_byte (o, 0xc3); /* ret */
}

/* The chain slot, with EDX the linear address the exit goes to:
 *   cmp edx, imm32 (the linear address chained); jne out
 *   cmp dword [rbx + disp32], imm32 (block_gen or code_gen); jne out
 *   jmp rel32
 * bw_x86_jit_chain() writes the address, which generation and its value,
 * and the jump; until then the jump goes to out. The address matters:
 * a block is found by physical address, so it may run from another
 * linear alias of its page, whose exits lead elsewhere. */
#define SLOT_LIN 2    /* offset of the first imm32 */
#define SLOT_FIELD 14 /* offset of the disp32 */
#define SLOT_GEN 18   /* offset of the second imm32 */
#define SLOT_JMP 29   /* offset of the jmp's rel32 */

/* Like emit_leave, but first, when the budget and the run loop allow, on
 * to the successor block once it is chained. */
static void
emit_leave_chained (BwJitOut *o, int32_t eip_delta, uint32_t count)
{
  emit_eip_add (o, eip_delta);
  jo_add_mem_imm (o, CPU_OFF (insn_count), (int32_t) count, 1);
  uint8_t *out[8];
  unsigned n = 0;
  /* mov rax, [rbx + insn_count]; cmp rax, [rbx + jit_end]; ja out */
  jo_byte (o, 0x48);
  jo_load32 (o, JR_AX, CPU_OFF (insn_count));
  jo_byte (o, 0x48);
  jo_alu_rm (o, 7, JR_AX, CPU_OFF (jit_end));
  out[n++] = jo_jcc (o, 0x7);
  /* Requests, NMI, the debugger; INTR only while IF is set. */
  jo_load32 (o, JR_AX, CPU_OFF (attention));
  jo_alu_rm (o, 1, JR_AX, CPU_OFF (nmi_pending));
  jo_alu_rm (o, 1, JR_AX, CPU_OFF (step_check));
  out[n++] = jo_jcc (o, 0x5);
  jo_test_mem8 (o, CPU_OFF (eflags) + 1, BW_X86_IF >> 8);
  uint8_t *no_if = jo_jcc (o, 0x4);
  jo_load32 (o, JR_AX, CPU_OFF (intr_level));
  jo_test_rr (o, JR_AX, JR_AX);
  out[n++] = jo_jcc (o, 0x5);
  jo_patch (o, no_if, o->p);
  /* A CS with a limit: the run loop checks blocks against it. */
  jo_cmp_mem8_zero (o, SEG (BW_X86_CS, flat));
  out[n++] = jo_jcc (o, 0x4);
  jo_load32 (o, JR_DX, CPU_OFF (eip));
  jo_alu_rm (o, 0, JR_DX, SEG (BW_X86_CS, s.base));
  uint8_t *slot = o->p;
  jo_byte (o, 0x81);
  jo_byte (o, 0xfa); /* cmp edx, imm32 */
  jo_u32 (o, 0);
  out[n++] = jo_jcc (o, 0x5);
  jo_byte (o, 0x81);
  jo_byte (o, 0xbb); /* cmp dword [rbx + disp32], imm32 */
  jo_u32 (o, (uint32_t) CPU_OFF (block_gen));
  jo_u32 (o, 0);
  out[n++] = jo_jcc (o, 0x5);
  out[n++] = jo_jmp (o);
  for (unsigned k = 0; k < n; k++)
    jo_patch (o, out[k], o->p);
  /* out: say which slot, and where it went. */
  jo_load32 (o, JR_AX, CPU_OFF (eip));
  jo_alu_rm (o, 0, JR_AX, SEG (BW_X86_CS, s.base));
  jo_store32 (o, CPU_OFF (jit_exit_lin), JR_AX);
  jo_mov_ri64 (o, JR_AX, (uint64_t) (uintptr_t) slot);
  jo_byte (o, 0x48);
  jo_store32 (o, CPU_OFF (jit_exit), JR_AX);
  jo_byte (o, 0x5b); /* pop rbx */
  jo_byte (o, 0xc3); /* ret */
}

/* EIP is set: insn_count += count, then on to the successor found by
 * jit_next(), or back to the run loop. */
static void
emit_leave_indirect (BwJitOut *o, uint32_t count)
{
  jo_add_mem_imm (o, CPU_OFF (insn_count), (int32_t) count, 1);
  jo_arg_cpu (o);
  jo_call (o, (const void *) jit_next);
  jo_byte (o, 0x48);
  jo_test_rr (o, JR_AX, JR_AX);
  uint8_t *none = jo_jcc (o, 0x4);
  jo_byte (o, 0xff); /* jmp rax */
  jo_byte (o, 0xe0);
  jo_patch (o, none, o->p);
  jo_byte (o, 0x5b); /* pop rbx */
  jo_byte (o, 0xc3); /* ret */
}

/* handler (cpu, i) */
static void
emit_handler_call (BwJitOut *o, const BwX86Insn *i)
{
  jo_arg_cpu (o);
  jo_mov_ri64 (o, JR_SI, (uint64_t) (uintptr_t) i);
  jo_call (o, (const void *) i->fn);
}

/* The offset of the memory operand into EAX (32-bit addressing). */
static void
emit_ea (Tr *t, const BwX86Insn *i)
{
  BwJitOut *o = &t->o;
  gboolean base = i->base != BW_X86_NOREG, index = i->index != BW_X86_NOREG;
  if (!base && !index)
    {
      jo_mov_ri (o, JR_AX, i->disp);
      return;
    }
  jo_load32 (o, JR_AX, GPR (base ? i->base : i->index));
  if (base && index)
    {
      jo_load32 (o, JR_CX, GPR (i->index));
      jo_lea_bis (o, JR_AX, JR_AX, JR_CX, i->scale, (int32_t) i->disp);
    }
  else if (index && i->scale)
    {
      jo_shift_ri (o, JR_AX, 4, i->scale);
      if (i->disp)
        jo_alu_ri (o, 0, JR_AX, i->disp);
    }
  else if (i->disp)
    jo_alu_ri (o, 0, JR_AX, i->disp);
}


G_STATIC_ASSERT (sizeof (BwX86TlbEntry) == 32);

/* Linear address of the offset in EAX through segment seg for a size-byte
 * access of kind acc, then the TLB: on a hit the host address is
 * [RDX + RAX]. Misses jump to slow (the handler). Jumps recorded in
 * from[0..2]. */
static unsigned
emit_tlb (Tr *t, int seg, unsigned size, int acc, uint8_t **from)
{
  BwJitOut *o = &t->o;
  unsigned n = 0;
  if (t->may_assume && (seg == BW_X86_DS || seg == BW_X86_SS || seg == BW_X86_ES))
    {
      /* Checked once at the block's entry: the offset is the linear
       * address. A 4 GiB wrap lands on another TLB entry's tag, so the
       * compare below sends it to the slow path. */
      t->flat_need |= (acc == BW_X86_ACC_W ? 2u : 1u) << (2 * seg);
    }
  else
    {
      /* FS/GS (per-CPU data, TLS) have bases: test and add at run time. */
      jo_test_mem8 (o, SEG (seg, flat), (uint8_t) acc);
      from[n++] = jo_jcc (o, 0x4); /* jz: not flat */
      jo_alu_ri (o, 7, JR_AX, 0xfffffffcu);
      from[n++] = jo_jcc (o, 0x7); /* ja: the interpreter's fast-path bound */
      jo_alu_rm (o, 0, JR_AX, SEG (seg, s.base));
    }
  /* RCX = the entry's offset: page number modulo 256, times 32. */
  jo_mov_rr (o, JR_CX, JR_AX);
  jo_shift_ri (o, JR_CX, 5, 12 - 5);
  jo_alu_ri (o, 4, JR_CX, (BW_X86_TLB_SIZE - 1) << 5);
  jo_lea_dx_ax (o, (int8_t) (size - 1));
  jo_alu_ri (o, 4, JR_DX, 0xfffff000u);
  jo_rbx_rcx (o, 0x3b, JR_DX, acc == BW_X86_ACC_W ? TLB (tag_w) : TLB (tag_r), FALSE);
  from[n++] = jo_jcc (o, 0x5); /* jne: miss */
  jo_rbx_rcx (o, 0x8b, JR_DX, TLB (addend), TRUE);
  return n;
}

/* A stub of kind SLOW or HANDLER for the jumps in from[]: i's handler
 * runs there, with EIP at the instruction (off). */
static Stub *
handler_stub (Tr *t, StubKind kind, const BwX86Insn *i, uint8_t **from, unsigned n, int32_t off,
              uint32_t count)
{
  Stub *s = add_stub (t, kind, from[0]);
  for (unsigned k = 1; k < n; k++)
    s->from[s->n_from++] = from[k];
  s->insn = i;
  s->eip_delta = off - t->synced;
  s->count = count;
  return s;
}

/* The jumps in from[] go to one SLOW stub that runs i's handler instead
 * and comes back here. */
static void
slow_path (Tr *t, const BwX86Insn *i, uint8_t **from, unsigned n, int32_t off, uint32_t count)
{
  handler_stub (t, STUB_SLOW, i, from, n, off, count)->join = t->o.p;
}

/* Offset of an 8-bit guest register in the CPU structure. */
static int32_t
gpr8 (unsigned r)
{
  return r < 4 ? GPR (r) : GPR (r - 4) + 1;
}

static const uint8_t op_load32[] = { 0x8b }, op_load16[] = { 0x0f, 0xb7 },
                     op_load8[] = { 0x0f, 0xb6 }, op_store32[] = { 0x89 },
                     op_store16[] = { 0x66, 0x89 }, op_store8[] = { 0x88 };

/* The lazy-flag operation of ALU kind k (32-bit), or NONE for ADC/SBB. */
static uint32_t
alu_lazy_op (unsigned k)
{
  switch (k)
    {
    case 0: return BW_X86_LF_ADD + 2;
    case 1: case 4: case 6: return BW_X86_LF_LOGIC + 2;
    case 5: case 7: return BW_X86_LF_SUB + 2;
    default: return BW_X86_LF_NONE;
    }
}

/* EAX op= ECX (or imm), recording the lazy flags; the result stays in
 * EAX and the host flags are the guest's. test: TEST (AND, no result). */
static void
emit_alu_core (Tr *t, unsigned kind, gboolean use_imm, uint32_t imm, gboolean test)
{
  BwJitOut *o = &t->o;
  uint32_t lazy = test ? BW_X86_LF_LOGIC + 2 : alu_lazy_op (kind);
  /* Logic results need no operands: the flags come from the result
   * alone (bw-x86-flags.c), so lf_a and lf_b stay as they are. */
  if (lazy != BW_X86_LF_LOGIC + 2)
    {
      jo_store32 (o, CPU_OFF (lf_a), JR_AX);
      if (use_imm)
        jo_store32_imm (o, CPU_OFF (lf_b), imm);
      else
        jo_store32 (o, CPU_OFF (lf_b), JR_CX);
    }
  unsigned host = test ? 4 : kind == 7 ? 5 : kind;
  if (use_imm)
    jo_alu_ri (o, host, JR_AX, imm);
  else
    jo_alu_rr (o, host, JR_AX, JR_CX);
  jo_store32 (o, CPU_OFF (lf_res), JR_AX);
  jo_store32_imm (o, CPU_OFF (lf_op), lazy);
  t->flags_live = t->of_live = t->cf_live = TRUE;
  t->lazy = (int) lazy;
}

/* Register ALU forms: which operands, or FALSE for other handlers. */
static gboolean
alu_reg_form (const BwX86Insn *i, unsigned *kind, unsigned *dst, unsigned *src,
              gboolean *use_imm, gboolean *test)
{
  *test = FALSE;
  *use_imm = FALSE;
  for (unsigned k = 0; k < 8; k++)
    {
      if (i->fn == bw_x86_alu_rr[0][k])
        *kind = k, *dst = i->rm, *src = i->reg;
      else if (i->fn == bw_x86_alu_rr[1][k])
        *kind = k, *dst = i->reg, *src = i->rm;
      else if (i->fn == bw_x86_alu_rr[2][k])
        *kind = k, *dst = i->rm, *src = 0, *use_imm = TRUE;
      else
        continue;
      return alu_lazy_op (k) != BW_X86_LF_NONE;
    }
  if (i->osz != 2)
    return FALSE;
  if (i->fn == bw_x86_op_alu_a_imm)
    {
      *kind = (i->opc >> 3) & 7;
      *dst = BW_X86_EAX;
      *use_imm = TRUE;
      return alu_lazy_op (*kind) != BW_X86_LF_NONE;
    }
  *kind = 4;
  *test = TRUE;
  if (i->fn == bw_x86_op_test_a_imm)
    {
      *dst = BW_X86_EAX;
      *use_imm = TRUE;
      return TRUE;
    }
  if (i->mod != 3)
    return FALSE;
  if (i->fn == bw_x86_op_test_rm_r)
    {
      *dst = i->rm;
      *src = i->reg;
      return TRUE;
    }
  if (i->fn == bw_x86_op_test_rm_imm)
    {
      *dst = i->rm;
      *use_imm = TRUE;
      return TRUE;
    }
  return FALSE;
}

/* A memory operand the inline path can address: 32-bit addressing. */
static gboolean
mem_a32 (const BwX86Insn *i)
{
  return i->mod != 3 && (i->flags & BW_X86_I_A32);
}

/* Loads and stores through the TLB. What: the register and size, and
 * for loads into 8-bit registers the byte write. */
static gboolean
try_mem (Tr *t, const BwX86Insn *i, int32_t off, uint32_t count)
{
  BwJitOut *o = &t->o;
  BwX86Op fn = i->fn;
  unsigned size;
  gboolean store;
  const uint8_t *op;
  unsigned op_len;
  int alu_kind = -1;

  if (!mem_a32 (i))
    return FALSE;
  if (fn == bw_x86_mov_r32_m32_bd || fn == bw_x86_mov_r32_m32)
    size = 4, store = FALSE, op = op_load32, op_len = 1;
  else if (fn == bw_x86_mov_m32_r32_bd || fn == bw_x86_mov_m32_r32)
    size = 4, store = TRUE, op = op_store32, op_len = 1;
  else if (fn == bw_x86_movzx_r32_m16)
    size = 2, store = FALSE, op = op_load16, op_len = 2;
  else if (fn == bw_x86_movzx_r32_m8)
    size = 1, store = FALSE, op = op_load8, op_len = 2;
  else if (fn == bw_x86_mov_m16_r16)
    size = 2, store = TRUE, op = op_store16, op_len = 2;
  else if (fn == bw_x86_mov_rm_r_sized[0])
    size = 1, store = TRUE, op = op_store8, op_len = 1;
  else if (fn == bw_x86_mov_r_rm_sized[0])
    size = 1, store = FALSE, op = op_load8, op_len = 2;
  else if (fn == bw_x86_mov_r_rm_sized[1])
    size = 2, store = FALSE, op = op_load16, op_len = 2;
  else
    {
      /* ALU r32, m32 and CMP m32, r32 / imm: a load, then the operation. */
      for (unsigned k = 0; k < 8 && alu_kind < 0; k++)
        if (alu_lazy_op (k) != BW_X86_LF_NONE
            && (fn == bw_x86_alu_r_rm_sized[k][2]
                || (k == 7 && (fn == bw_x86_alu_rm_r_sized[7][2]
                               || fn == bw_x86_alu_rm_imm_sized[7][2]))))
          alu_kind = (int) k;
      if (alu_kind < 0)
        return FALSE;
      size = 4, store = FALSE, op = op_load32, op_len = 1;
    }

  uint8_t *from[3];
  emit_ea (t, i);
  unsigned n = emit_tlb (t, i->seg, size, store ? BW_X86_ACC_W : BW_X86_ACC_R, from);
  if (store)
    {
      if (size == 1)
        jo_load8 (o, JR_CX, gpr8 (i->reg));
      else
        jo_load32 (o, JR_CX, GPR (i->reg));
      jo_host_access (o, op, op_len, JR_CX);
    }
  else
    {
      jo_host_access (o, op, op_len, JR_CX);
      if (alu_kind >= 0)
        {
          /* a op b with the memory operand where the instruction has it. */
          if (fn == bw_x86_alu_r_rm_sized[alu_kind][2])
            {
              jo_load32 (o, JR_AX, GPR (i->reg));
              emit_alu_core (t, (unsigned) alu_kind, FALSE, 0, FALSE);
              if (alu_kind != 7)
                jo_store32 (o, GPR (i->reg), JR_AX);
            }
          else if (fn == bw_x86_alu_rm_r_sized[7][2])
            {
              jo_mov_rr (o, JR_AX, JR_CX);
              jo_load32 (o, JR_CX, GPR (i->reg));
              emit_alu_core (t, 7, FALSE, 0, FALSE);
            }
          else
            {
              jo_mov_rr (o, JR_AX, JR_CX);
              emit_alu_core (t, 7, TRUE, i->imm, FALSE);
            }
        }
      else if (fn == bw_x86_mov_r_rm_sized[0])
        {
          jo_byte (o, 0x88); /* mov byte [rbx + disp], cl */
          jo_rbx_mem (o, JR_CX, gpr8 (i->reg));
        }
      else if (fn == bw_x86_mov_r_rm_sized[1])
        jo_store16 (o, GPR (i->reg), JR_CX);
      else
        jo_store32 (o, GPR (i->reg), JR_CX);
    }
  /* The slow path's handler does the whole instruction; a store may hit
   * this block's own code, any access a data breakpoint (both end the
   * block after this instruction). */
  slow_path (t, i, from, n, off, count);
  /* The slow path leaves the host flags as the handler did. */
  t->flags_live = t->of_live = t->cf_live = FALSE;
  return TRUE;
}

/* PUSH r32 / POP r32 with a flat 32-bit stack. */
static gboolean
try_stack (Tr *t, const BwX86Insn *i, int32_t off, uint32_t count)
{
  BwJitOut *o = &t->o;
  gboolean push = i->fn == bw_x86_push_r_sized[2];
  if (!push && i->fn != bw_x86_pop_r_sized[2])
    return FALSE;
  uint8_t *from[4];
  jo_cmp_mem8_zero (o, SEG (BW_X86_SS, big));
  from[0] = jo_jcc (o, 0x4); /* je: 16-bit stack */
  jo_load32 (o, JR_AX, GPR (BW_X86_ESP));
  if (push)
    jo_alu_ri (o, 5, JR_AX, 4);
  jo_mov_rr (o, JR_SI, JR_AX);
  unsigned n = 1 + emit_tlb (t, BW_X86_SS, 4, push ? BW_X86_ACC_W : BW_X86_ACC_R, from + 1);
  if (push)
    {
      jo_load32 (o, JR_CX, GPR (i->reg));
      jo_host_access (o, op_store32, 1, JR_CX);
      jo_store32 (o, GPR (BW_X86_ESP), JR_SI);
    }
  else
    {
      jo_host_access (o, op_load32, 1, JR_CX);
      jo_alu_ri (o, 0, JR_SI, 4);
      jo_store32 (o, GPR (BW_X86_ESP), JR_SI);
      jo_store32 (o, GPR (i->reg), JR_CX);
    }
  slow_path (t, i, from, n, off, count);
  t->flags_live = t->of_live = t->cf_live = FALSE;
  return TRUE;
}

/* Makes the host's flags the guest's again from the lazy record of an
 * inline ADD, SUB or logic operation (or INC/DEC: all but CF; shifts and
 * multiplies: SF ZF PF). Redoing the operation on the recorded operands
 * gives exactly the flags it gave. */
static void
regen_flags (Tr *t)
{
  BwJitOut *o = &t->o;
  int lz = t->lazy & ~3;
  switch (lz)
    {
    case BW_X86_LF_ADD:
    case BW_X86_LF_SUB:
      jo_load32 (o, JR_AX, CPU_OFF (lf_a));
      jo_alu_rm (o, lz == BW_X86_LF_ADD ? 0 : 7, JR_AX, CPU_OFF (lf_b));
      t->flags_live = t->of_live = t->cf_live = TRUE;
      break;
    case BW_X86_LF_INC:
    case BW_X86_LF_DEC:
      /* From the result (the operand is not recorded): step back, redo. */
      jo_load32 (o, JR_AX, CPU_OFF (lf_res));
      jo_incdec (o, JR_AX, lz == BW_X86_LF_INC);
      jo_incdec (o, JR_AX, lz == BW_X86_LF_DEC);
      t->flags_live = t->of_live = TRUE;
      break;
    default: /* LOGIC, RES_CO */
      jo_load32 (o, JR_AX, CPU_OFF (lf_res));
      jo_test_rr (o, JR_AX, JR_AX);
      t->flags_live = TRUE;
      t->of_live = t->cf_live = lz == BW_X86_LF_LOGIC;
      break;
    }
}

/* Makes the host's CF the guest's (for ADC/SBB): live already, rebuilt
 * from an ADD/SUB record, clear after logic, bit 0 of eflags after
 * INC/DEC (parked), bit 0 of lf_b after shifts; else parked by a call. */
static void
emit_host_cf (Tr *t)
{
  BwJitOut *o = &t->o;
  int lz = t->lazy & ~3;
  if (t->cf_live)
    return;
  if (t->lazy >= 0 && (lz == BW_X86_LF_ADD || lz == BW_X86_LF_SUB))
    {
      regen_flags (t);
      return;
    }
  if (t->lazy >= 0 && lz == BW_X86_LF_LOGIC)
    jo_byte (o, 0xf8); /* clc */
  else
    {
      int32_t field = CPU_OFF (eflags);
      if (t->lazy >= 0 && lz == BW_X86_LF_RES_CO)
        field = CPU_OFF (lf_b);
      else if (!(t->lazy >= 0 && (lz == BW_X86_LF_INC || lz == BW_X86_LF_DEC)))
        {
          jo_arg_cpu (o);
          jo_call (o, (const void *) jit_park_cf);
        }
      jo_byte (o, 0x0f); /* bt dword [rbx + field], 0 */
      jo_byte (o, 0xba);
      jo_rbx_mem (o, 4, field);
      jo_byte (o, 0);
    }
  t->flags_live = t->of_live = FALSE;
  t->cf_live = TRUE;
}

/* INC/DEC keep CF: park the guest's CF in eflags, as the handlers do
 * (already there after INC/DEC; an unknown record by a call; else from
 * the host's CF as emit_host_cf makes it). Uses EAX, ECX, EDX. */
static void
emit_park_cf (Tr *t)
{
  BwJitOut *o = &t->o;
  int lz = t->lazy & ~3;
  if (t->lazy >= 0 && (lz == BW_X86_LF_INC || lz == BW_X86_LF_DEC))
    return;
  if (t->lazy < 0 && !t->cf_live)
    {
      jo_arg_cpu (o);
      jo_call (o, (const void *) jit_park_cf);
    }
  else
    {
      emit_host_cf (t);
      jo_setc (o, JR_CX);
      jo_movzx_cx_cl (o);
      jo_load32 (o, JR_DX, CPU_OFF (eflags));
      jo_alu_ri (o, 4, JR_DX, ~(uint32_t) BW_X86_CF);
      jo_alu_rr (o, 1, JR_DX, JR_CX);
      jo_store32 (o, CPU_OFF (eflags), JR_DX);
    }
  t->flags_live = t->of_live = t->cf_live = FALSE;
}

/* ADC/SBB r32 with a register or an immediate: the host's own ADC/SBB on
 * the guest's carry; the lazy record says whether a carry went in. */
static gboolean
try_adc_sbb (Tr *t, const BwX86Insn *i)
{
  BwJitOut *o = &t->o;
  int kind = -1, form = -1;
  for (unsigned f = 0; f < 3; f++)
    for (unsigned k = 2; k < 4; k++)
      if (i->fn == bw_x86_alu_rr[f][k])
        kind = (int) k, form = (int) f;
  if (kind < 0)
    return FALSE;
  unsigned dst = form == 1 ? i->reg : i->rm, src = form == 1 ? i->rm : i->reg;
  emit_host_cf (t);
  jo_setc (o, JR_DX);
  jo_load32 (o, JR_AX, GPR (dst));
  jo_store32 (o, CPU_OFF (lf_a), JR_AX);
  if (form == 2)
    {
      jo_store32_imm (o, CPU_OFF (lf_b), i->imm);
      jo_alu_ri (o, (unsigned) kind, JR_AX, i->imm);
    }
  else
    {
      jo_load32 (o, JR_CX, GPR (src));
      jo_store32 (o, CPU_OFF (lf_b), JR_CX);
      jo_alu_rr (o, (unsigned) kind, JR_AX, JR_CX);
    }
  jo_store32 (o, CPU_OFF (lf_res), JR_AX);
  jo_store32 (o, GPR (dst), JR_AX);
  /* lf_op = (ADD or SUB) + 2, plus 4 (ADC, SBB) with a carry in. */
  jo_byte (o, 0x0f); /* movzx edx, dl */
  jo_byte (o, 0xb6);
  jo_byte (o, 0xd2);
  jo_byte (o, 0x8d); /* lea edx, [rdx * 4 + base] */
  jo_byte (o, 0x14);
  jo_byte (o, 0x95);
  jo_u32 (o, (kind == 2 ? BW_X86_LF_ADD : BW_X86_LF_SUB) + 2);
  jo_store32 (o, CPU_OFF (lf_op), JR_DX);
  /* movzx and lea leave the flags: the host's are the guest's. */
  t->flags_live = t->of_live = t->cf_live = TRUE;
  t->lazy = -1;
  return TRUE;
}

/* Host ZF = the guest's ZF from whatever lazy record is there: the
 * result under its size's mask, or eflags when there is none. */
static void
emit_lazy_zf (Tr *t)
{
  BwJitOut *o = &t->o;
  static const uint32_t masks[4] = { 0xffu, 0xffffu, 0xffffffffu, 0xffffffffu };
  jo_load32 (o, JR_CX, CPU_OFF (lf_op));
  jo_test_rr (o, JR_CX, JR_CX);
  uint8_t *none = jo_jcc (o, 0x4);
  jo_alu_ri (o, 4, JR_CX, 3);
  jo_mov_ri64 (o, JR_DX, (uint64_t) (uintptr_t) masks);
  static const uint8_t load_mask[] = { 0x8b, 0x14, 0x8a }; /* mov edx, [rdx + rcx * 4] */
  jo_bytes (o, load_mask, sizeof load_mask);
  jo_byte (o, 0x85); /* test [rbx + lf_res], edx */
  jo_rbx_mem (o, JR_DX, CPU_OFF (lf_res));
  uint8_t *done = jo_jmp (o);
  jo_patch (o, none, o->p);
  jo_load32 (o, JR_AX, CPU_OFF (eflags));
  jo_byte (o, 0xf7); /* not eax */
  jo_byte (o, 0xd0);
  jo_byte (o, 0xa8); /* test al, ZF */
  jo_byte (o, BW_X86_ZF);
  jo_patch (o, done, o->p);
  t->flags_live = t->of_live = t->cf_live = FALSE;
}

/* The conditions that read OF. */
static gboolean
cond_uses_of (unsigned cc)
{
  return (cc >> 1) == 0 || (cc >> 1) == 6 || (cc >> 1) == 7;
}

/* Read-modify-write of a 32-bit memory operand: ADD/OR/AND/SUB/XOR m32,
 * r32 or imm, INC/DEC m32, NOT m32, and the store MOV m32, imm32. */
static gboolean
try_rmw (Tr *t, const BwX86Insn *i, int32_t off, uint32_t count)
{
  BwJitOut *o = &t->o;
  BwX86Op fn = i->fn;
  int kind = -1;
  gboolean use_imm = FALSE;
  if (!mem_a32 (i) || i->osz != 2)
    return FALSE;
  for (unsigned k = 0; k < 7 && kind < 0; k++)
    if (alu_lazy_op (k) != BW_X86_LF_NONE
        && (fn == bw_x86_alu_rm_r_sized[k][2] || fn == bw_x86_alu_rm_imm_sized[k][2]))
      {
        kind = (int) k;
        use_imm = fn == bw_x86_alu_rm_imm_sized[k][2];
      }
  gboolean inc = fn == bw_x86_op_inc_rm, dec = fn == bw_x86_op_dec_rm;
  gboolean not = fn == bw_x86_op_not, mov_imm = fn == bw_x86_op_mov_rm_imm;
  if (kind < 0 && !inc && !dec && !not && !mov_imm)
    return FALSE;
  if (inc || dec)
    emit_park_cf (t); /* before the address: it uses EAX-EDX */
  uint8_t *from[3];
  emit_ea (t, i);
  unsigned n = emit_tlb (t, i->seg, 4, BW_X86_ACC_W, from);
  static const uint8_t op_mov_imm[] = { 0xc7 }, op_not[] = { 0xf7 };
  if (mov_imm)
    {
      jo_host_access (o, op_mov_imm, 1, 0);
      jo_u32 (o, i->imm);
    }
  else
    {
      jo_host_addr (o);
      if (not)
        jo_at_rdx (o, op_not, 1, 2);
      else
        {
          jo_at_rdx (o, op_load32, 1, JR_AX);
          if (kind >= 0)
            {
              if (!use_imm)
                jo_load32 (o, JR_CX, GPR (i->reg));
              emit_alu_core (t, (unsigned) kind, use_imm, i->imm, FALSE);
            }
          else
            {
              jo_incdec (o, JR_AX, dec);
              jo_store32 (o, CPU_OFF (lf_res), JR_AX);
              jo_store32_imm (o, CPU_OFF (lf_op), (inc ? BW_X86_LF_INC : BW_X86_LF_DEC) + 2);
              t->lazy = (inc ? BW_X86_LF_INC : BW_X86_LF_DEC) + 2;
            }
          jo_at_rdx (o, op_store32, 1, JR_AX);
        }
    }
  slow_path (t, i, from, n, off, count);
  /* The slow path joins with the host's flags as the handler left them. */
  t->flags_live = t->of_live = t->cf_live = FALSE;
  return TRUE;
}

/* The lazy record of a shift or multiply (result in EAX, CF and OF bits
 * in ECX) and the result into guest register dst. */
static void
emit_res_co (Tr *t, unsigned dst)
{
  BwJitOut *o = &t->o;
  jo_store32 (o, CPU_OFF (lf_b), JR_CX);
  jo_store32 (o, CPU_OFF (lf_res), JR_AX);
  jo_store32_imm (o, CPU_OFF (lf_op), BW_X86_LF_RES_CO + 2);
  jo_store32 (o, GPR (dst), JR_AX);
  t->flags_live = t->of_live = t->cf_live = FALSE;
  t->lazy = BW_X86_LF_RES_CO + 2;
}

/* SHL/SHR/SAR (ModRM.reg 4-7) of a bits-wide register by a constant
 * count: the host's shift of the same width gives the result and CF; OF
 * is SHL's result sign ^ CF, SHR-by-one's operand sign, else 0 (as
 * bw-x86-ops-shift.c defines it). Counts from the width up leave the
 * host's CF undefined: the caller keeps those for the handler. */
static void
emit_shift (Tr *t, const BwX86Insn *i, unsigned kind, unsigned bits, unsigned count)
{
  BwJitOut *o = &t->o;
  unsigned ext = kind == 6 ? 4 : kind;
  if (bits == 16)
    jo_load16 (o, JR_AX, GPR (i->rm));
  else
    jo_load32 (o, JR_AX, GPR (i->rm));
  if (ext == 5 && count == 1)
    jo_mov_rr (o, JR_DX, JR_AX);
  if (bits == 16)
    jo_byte (o, 0x66);
  jo_shift_ri (o, JR_AX, ext, (uint8_t) count);
  jo_setc (o, JR_CX);
  jo_movzx_cx_cl (o);
  if (ext == 4 || (ext == 5 && count == 1))
    {
      if (ext == 4)
        {
          jo_mov_rr (o, JR_DX, JR_AX);
          jo_shift_ri (o, JR_DX, 5, (uint8_t) (bits - 1));
          jo_alu_rr (o, 6, JR_DX, JR_CX);
        }
      else
        jo_shift_ri (o, JR_DX, 5, (uint8_t) (bits - 1));
      jo_shift_ri (o, JR_DX, 4, 11);
      jo_alu_rr (o, 1, JR_CX, JR_DX);
    }
  if (bits == 32)
    {
      emit_res_co (t, i->rm);
      return;
    }
  jo_store32 (o, CPU_OFF (lf_b), JR_CX);
  jo_store32 (o, CPU_OFF (lf_res), JR_AX);
  jo_store32_imm (o, CPU_OFF (lf_op), BW_X86_LF_RES_CO + 1);
  jo_store16 (o, GPR (i->rm), JR_AX);
  /* A 16-bit record: the 32-bit flag rebuilding does not apply. */
  t->flags_live = t->of_live = t->cf_live = FALSE;
  t->lazy = -1;
}

/* SHL/SHR/SAR r32 by CL: a count of 0 (mod 32) changes nothing, flags
 * included; else as emit_shift, with SHR's OF chosen at run time. */
static void
emit_shift_cl (Tr *t, const BwX86Insn *i, unsigned kind)
{
  BwJitOut *o = &t->o;
  unsigned ext = kind == 6 ? 4 : kind;
  jo_load32 (o, JR_CX, GPR (BW_X86_ECX));
  jo_alu_ri (o, 4, JR_CX, 31);
  uint8_t *none = jo_jcc (o, 0x4);
  jo_load32 (o, JR_AX, GPR (i->rm));
  jo_mov_rr (o, JR_DX, JR_AX);
  jo_byte (o, 0xd3); /* shl/shr/sar eax, cl */
  jo_byte (o, 0xc0 | (ext << 3));
  jo_setc (o, 5); /* setc ch: CH is 0 below a count of 32 */
  static const uint8_t movzx_si_ch[] = { 0x0f, 0xb6, 0xf5 };
  jo_bytes (o, movzx_si_ch, sizeof movzx_si_ch);
  if (ext == 4)
    {
      jo_mov_rr (o, JR_DX, JR_AX);
      jo_shift_ri (o, JR_DX, 5, 31);
      jo_alu_rr (o, 6, JR_DX, JR_SI);
    }
  else if (ext == 5)
    {
      /* OF: the operand's sign, for a count of one only. */
      jo_shift_ri (o, JR_DX, 5, 31);
      static const uint8_t cmp_cl_1[] = { 0x80, 0xf9, 0x01 };
      jo_bytes (o, cmp_cl_1, sizeof cmp_cl_1);
      uint8_t *one = jo_jcc (o, 0x4);
      jo_alu_rr (o, 6, JR_DX, JR_DX);
      jo_patch (o, one, o->p);
    }
  if (ext != 7)
    {
      jo_shift_ri (o, JR_DX, 4, 11);
      jo_alu_rr (o, 1, JR_SI, JR_DX);
    }
  jo_mov_rr (o, JR_CX, JR_SI);
  emit_res_co (t, i->rm);
  jo_patch (o, none, o->p);
  /* The count may have been 0: nothing known about the flags then. */
  t->lazy = -1;
}

/* SHL/SHR/SAR r32/r16 by an immediate or 1; IMUL r32, r32(, imm); MOV
 * r16 from a register. */
static gboolean
try_shift_mul (Tr *t, const BwX86Insn *i)
{
  BwJitOut *o = &t->o;
  gboolean by_constant = i->opc == 0xc1 || i->opc == 0xd1;
  unsigned count = (i->opc == 0xd1 ? 1 : i->imm) & 31;
  for (unsigned k = 4; k < 8 && by_constant; k++)
    {
      unsigned bits = i->fn == bw_x86_shift_rr[k] ? 32
                      : i->fn == bw_x86_shift_sized[k][1] && i->mod == 3 ? 16 : 0;
      if (!bits || count >= bits)
        continue;
      if (count) /* 0 changes nothing, flags included */
        emit_shift (t, i, k, bits, count);
      return TRUE;
    }
  for (unsigned k = 4; k < 8 && i->opc == 0xd3; k++)
    if (i->fn == bw_x86_shift_rr[k])
      {
        emit_shift_cl (t, i, k);
        return TRUE;
      }
  gboolean imm = i->fn == bw_x86_op_imul_r_rm_imm;
  if ((imm || i->fn == bw_x86_op_imul_r_rm) && i->osz == 2 && i->mod == 3)
    {
      /* CF = OF = the product does not fit: the host's too. */
      if (imm)
        {
          jo_load32 (o, JR_AX, GPR (i->rm));
          jo_imul_rri (o, JR_AX, JR_AX, i->imm);
        }
      else
        {
          jo_load32 (o, JR_AX, GPR (i->reg));
          jo_imul_rm (o, JR_AX, GPR (i->rm));
        }
      jo_setc (o, JR_CX);
      jo_movzx_cx_cl (o);
      jo_imul_rri (o, JR_CX, JR_CX, BW_X86_CF | BW_X86_OF);
      emit_res_co (t, i->reg);
      return TRUE;
    }
  if (i->mod == 3 && (i->fn == bw_x86_mov_r_rm_sized[1] || i->fn == bw_x86_mov_rm_r_sized[1]))
    {
      gboolean load = i->fn == bw_x86_mov_r_rm_sized[1];
      jo_load16 (o, JR_AX, GPR (load ? i->rm : i->reg));
      jo_store16 (o, GPR (load ? i->reg : i->rm), JR_AX);
      return TRUE;
    }
  return FALSE;
}

/* Register-only forms; no call, no slow path. */
static gboolean
try_reg (Tr *t, const BwX86Insn *i)
{
  BwJitOut *o = &t->o;
  unsigned kind, dst, src;
  gboolean use_imm, test;
  if (alu_reg_form (i, &kind, &dst, &src, &use_imm, &test))
    {
      jo_load32 (o, JR_AX, GPR (dst));
      if (!use_imm)
        jo_load32 (o, JR_CX, GPR (src));
      emit_alu_core (t, kind, use_imm, i->imm, test);
      if (!test && kind != 7)
        jo_store32 (o, GPR (dst), JR_AX);
      return TRUE;
    }
  if (i->fn == bw_x86_mov_rr32_store || i->fn == bw_x86_mov_rr32_load)
    {
      gboolean st = i->fn == bw_x86_mov_rr32_store;
      jo_load32 (o, JR_AX, GPR (st ? i->reg : i->rm));
      jo_store32 (o, GPR (st ? i->rm : i->reg), JR_AX);
      return TRUE;
    }
  if (i->fn == bw_x86_op_mov_r_imm && i->osz == 2)
    {
      jo_store32_imm (o, GPR (i->reg), i->imm);
      return TRUE;
    }
  if (i->fn == bw_x86_op_mov_r_imm && i->osz == 0)
    {
      jo_byte (o, 0xc6); /* mov byte [rbx + disp], imm8 */
      jo_rbx_mem (o, 0, gpr8 (i->reg));
      jo_byte (o, (uint8_t) i->imm);
      return TRUE;
    }
  if (i->mod == 3 && (i->fn == bw_x86_mov_r_rm_sized[0] || i->fn == bw_x86_mov_rm_r_sized[0]))
    {
      gboolean load = i->fn == bw_x86_mov_r_rm_sized[0];
      jo_load8 (o, JR_AX, gpr8 (load ? i->rm : i->reg));
      jo_byte (o, 0x88); /* mov byte [rbx + disp], al */
      jo_rbx_mem (o, JR_AX, gpr8 (load ? i->reg : i->rm));
      return TRUE;
    }
  if (i->fn == bw_x86_op_lea && i->osz == 2 && (i->flags & BW_X86_I_A32))
    {
      /* emit_ea's shifts and adds change the host flags. */
      emit_ea (t, i);
      jo_store32 (o, GPR (i->reg), JR_AX);
      t->flags_live = t->of_live = t->cf_live = FALSE;
      return TRUE;
    }
  if (try_adc_sbb (t, i))
    return TRUE;
  gboolean inc = i->fn == bw_x86_inc_r_sized[2];
  if (inc || i->fn == bw_x86_dec_r_sized[2])
    {
      emit_park_cf (t);
      /* INC/DEC flags come from the result and the parked CF alone. */
      jo_load32 (o, JR_AX, GPR (i->reg));
      jo_incdec (o, JR_AX, !inc);
      jo_store32 (o, CPU_OFF (lf_res), JR_AX);
      jo_store32_imm (o, CPU_OFF (lf_op), (inc ? BW_X86_LF_INC : BW_X86_LF_DEC) + 2);
      jo_store32 (o, GPR (i->reg), JR_AX);
      t->flags_live = t->of_live = TRUE;
      t->cf_live = FALSE;
      t->lazy = (inc ? BW_X86_LF_INC : BW_X86_LF_DEC) + 2;
      return TRUE;
    }
  return try_shift_mul (t, i);
}

/* CALL rel32 and RET (C3, C2 iw) with a flat CS and a flat 32-bit stack;
 * anything else is the handler's (STUB_HANDLER). */
static gboolean
try_call_ret (Tr *t, const BwX86Insn *i, int32_t off, uint32_t count)
{
  BwJitOut *o = &t->o;
  gboolean call = i->fn == bw_x86_op_call_rel;
  if ((!call && i->fn != bw_x86_op_ret) || !(i->flags & BW_X86_I_O32))
    return FALSE;
  uint8_t *from[5];
  unsigned n = 0;
  jo_cmp_mem8_zero (o, SEG (BW_X86_CS, flat));
  from[n++] = jo_jcc (o, 0x4);
  jo_cmp_mem8_zero (o, SEG (BW_X86_SS, big));
  from[n++] = jo_jcc (o, 0x4);
  jo_load32 (o, JR_AX, GPR (BW_X86_ESP));
  if (call)
    jo_alu_ri (o, 5, JR_AX, 4);
  jo_mov_rr (o, JR_SI, JR_AX);
  n += emit_tlb (t, BW_X86_SS, 4, call ? BW_X86_ACC_W : BW_X86_ACC_R, from + n);
  if (call)
    {
      /* Push the next instruction's address, then on to the target. */
      jo_load32 (o, JR_CX, CPU_OFF (eip));
      jo_alu_ri (o, 0, JR_CX, (uint32_t) (off + i->len - t->synced));
      jo_host_access (o, op_store32, 1, JR_CX);
      jo_store32 (o, GPR (BW_X86_ESP), JR_SI);
      emit_leave_chained (o, (int32_t) ((uint32_t) off + i->len + i->imm - (uint32_t) t->synced),
                          count);
    }
  else
    {
      jo_host_access (o, op_load32, 1, JR_CX);
      jo_alu_ri (o, 0, JR_SI, 4 + (i->opc == 0xc2 ? (i->imm & 0xffff) : 0));
      jo_store32 (o, GPR (BW_X86_ESP), JR_SI);
      jo_store32 (o, CPU_OFF (eip), JR_CX);
      emit_leave_indirect (o, count);
    }
  handler_stub (t, STUB_HANDLER, i, from, n, off, count);
  return TRUE;
}

static gboolean
cond_uses_cf (unsigned cc)
{
  return (cc >> 1) == 1 || (cc >> 1) == 3;
}

/* Jcc rel and JMP rel with a 32-bit operand size. */
static gboolean
try_branch (Tr *t, const BwX86Insn *i, int32_t off, uint32_t count)
{
  BwJitOut *o = &t->o;
  if (!(i->flags & BW_X86_I_O32))
    return FALSE;
  /* EIP arithmetic wraps at 4 GiB: in uint32_t. */
  uint32_t target = (uint32_t) off + i->len + i->imm;
  uint8_t *from;
  if (i->fn == bw_x86_op_jmp_rel)
    from = jo_jmp (o);
  else
    {
      int cc = -1;
      for (unsigned k = 0; k < 16; k++)
        if (i->fn == bw_x86_jcc_cc[k])
          cc = (int) k;
      if (cc < 0)
        return FALSE;
      int lz = t->lazy & ~3;
      gboolean need_cf = cond_uses_cf ((unsigned) cc), need_of = cond_uses_of ((unsigned) cc);
#define HOST_HAS_FLAGS                                                                      \
  (t->flags_live && (!need_cf || t->cf_live) && (!need_of || t->of_live))
      if (!HOST_HAS_FLAGS && t->lazy >= 0
          && (lz == BW_X86_LF_ADD || lz == BW_X86_LF_SUB || lz == BW_X86_LF_LOGIC
              || (lz == BW_X86_LF_INC || lz == BW_X86_LF_DEC ? !need_cf
                  : !need_cf && !need_of)))
        regen_flags (t);
      if (!HOST_HAS_FLAGS && (cc == 4 || cc == 5))
        {
          /* JZ/JNZ on an unknown record: ZF in line. */
          emit_lazy_zf (t);
        }
      else if (!HOST_HAS_FLAGS)
        {
          jo_arg_cpu (o);
          jo_call (o, (const void *) jit_cond[cc]);
          jo_test_rr (o, JR_AX, JR_AX);
          cc = 0x5; /* jnz */
          t->flags_live = t->of_live = t->cf_live = FALSE;
        }
#undef HOST_HAS_FLAGS
      from = jo_jcc (o, (unsigned) cc);
    }
  Stub *s = add_stub (t, STUB_BRANCH, from);
  s->insn = i;
  s->eip_delta = (int32_t) (target - (uint32_t) t->synced);
  s->branch_delta = off - t->synced;
  s->count = count;
  return TRUE;
}

static void
emit_stubs (Tr *t)
{
  BwJitOut *o = &t->o;
  for (unsigned k = 0; k < t->n_stubs; k++)
    {
      Stub *s = &t->stubs[k];
      for (unsigned f = 0; f < s->n_from; f++)
        jo_patch (o, s->from[f], o->p);
      switch (s->kind)
        {
        case STUB_EXIT:
          emit_leave (o, s->eip_delta, s->count);
          break;
        case STUB_BRANCH:
          {
            /* A CS that is not flat checks its limit: the handler does. */
            jo_cmp_mem8_zero (o, SEG (BW_X86_CS, flat));
            uint8_t *checked = jo_jcc (o, 0x4);
            emit_leave_chained (o, s->eip_delta, s->count);
            jo_patch (o, checked, o->p);
            emit_eip_add (o, s->branch_delta);
            emit_handler_call (o, s->insn);
            emit_leave (o, 0, s->count);
            break;
          }
        case STUB_HANDLER:
          emit_eip_add (o, s->eip_delta);
          emit_handler_call (o, s->insn);
          emit_leave_indirect (o, s->count);
          break;
        case STUB_SLOW:
          emit_eip_add (o, s->eip_delta);
          emit_handler_call (o, s->insn);
          {
            /* The block died (a store to its code) or must end here (a
             * data breakpoint): leave after this instruction. */
            jo_cmp_mem8_zero (o, CPU_OFF (jit_stop));
            uint8_t *alive = jo_jcc (o, 0x4);
            emit_leave (o, s->insn->len, s->count);
            jo_patch (o, alive, o->p);
          }
          emit_eip_add (o, -s->eip_delta);
          jo_patch (o, jo_jmp (o), s->join);
          break;
        }
    }
}

/* The generic form: sync EIP, call the handler, then what its flags say. */
static void
emit_generic (Tr *t, const BwX86Insn *i, int32_t off, uint32_t count, gboolean last)
{
  BwJitOut *o = &t->o;
  sync_eip (t, off);
  gboolean cond = (i->flags & (BW_X86_I_SETS_EIP | BW_X86_I_COND))
                  == (BW_X86_I_SETS_EIP | BW_X86_I_COND);
  if (cond)
    {
      /* A conditional branch left to its handler: taken when EIP is not
       * the next instruction's. */
      jo_load32 (o, JR_AX, CPU_OFF (eip));
      jo_alu_ri (o, 0, JR_AX, i->len);
      jo_store32 (o, CPU_OFF (jit_expect), JR_AX);
    }
  emit_handler_call (o, i);
  t->flags_live = t->of_live = t->cf_live = FALSE;
  t->lazy = -1;
  if (cond)
    {
      jo_load32 (o, JR_AX, CPU_OFF (eip));
      jo_alu_rm (o, 7, JR_AX, CPU_OFF (jit_expect));
      Stub *s = add_stub (t, STUB_EXIT, jo_jcc (o, 0x5));
      s->eip_delta = 0;
      s->count = count;
      t->synced = off + i->len;
      return;
    }
  if (i->flags & BW_X86_I_SETS_EIP)
    {
      emit_leave_indirect (o, count);
      return;
    }
  if (last)
    return; /* the block's end leaves */
  jo_cmp_mem8_zero (o, CPU_OFF (jit_stop));
  Stub *s = add_stub (t, STUB_EXIT, jo_jcc (o, 0x5));
  s->eip_delta = off + i->len - t->synced;
  s->count = count;
}

static gboolean
translate (BwX86Cpu *cpu, BwX86Block *b, uint8_t *code, size_t room, size_t *used,
           uint8_t **entry, GString *handled)
{
  Tr *t = g_new0 (Tr, 1);
  t->handled = handled;
  t->cpu = cpu;
  t->lazy = -1;
  t->o.p = code;
  t->o.end = code + room;

  BwJitOut *o = &t->o;
  jo_byte (o, 0x53);           /* push rbx */
  jo_byte (o, 0x48);           /* mov rbx, rdi */
  jo_byte (o, 0x89);
  jo_byte (o, 0xfb);
  /* Chained blocks come in here: this block is the running one. */
  *entry = o->p;
  jo_mov_ri64 (o, JR_AX, (uint64_t) (uintptr_t) b);
  jo_byte (o, 0x48);
  jo_store32 (o, CPU_OFF (cur_block), JR_AX);
  jo_byte (o, 0x48);
  jo_store32 (o, CPU_OFF (prev_block), JR_AX);
  jo_byte (o, 0xc6); /* mov byte [rbx + jit_stop], 0 */
  jo_rbx_mem (o, 0, CPU_OFF (jit_stop));
  jo_byte (o, 0);
  jo_load32 (o, JR_AX, CPU_OFF (eip));
  jo_store32 (o, CPU_OFF (block_eip), JR_AX);
  /* mov eax, [rbx + flat0]; and eax, NEED; cmp eax, NEED; jne bail: NEED
   * is written once the block is translated. */
  t->may_assume = !b->jit_no_flat;
  jo_load32 (o, JR_AX, CPU_OFF (flat0));
  jo_byte (o, 0x25);
  uint8_t *need_and = o->p;
  jo_u32 (o, 0);
  jo_byte (o, 0x3d);
  uint8_t *need_cmp = o->p;
  jo_u32 (o, 0);
  uint8_t *bail = jo_jcc (o, 0x5);

  int32_t off = 0;
  gboolean left = FALSE;
  for (uint32_t k = 0; k < b->n_insns && !left; k++)
    {
      const BwX86Insn *i = &b->insns[k];
      gboolean last = k + 1 == b->n_insns;
      gboolean inline_form = TRUE;
      if (try_branch (t, i, off, k + 1))
        {
          if (i->fn == bw_x86_op_jmp_rel)
            left = TRUE;
        }
      else if (try_call_ret (t, i, off, k + 1))
        left = TRUE;
      else if (!try_reg (t, i) && !try_mem (t, i, off, k + 1) && !try_rmw (t, i, off, k + 1)
               && !try_stack (t, i, off, k + 1))
        {
          inline_form = FALSE;
          emit_generic (t, i, off, k + 1, last);
          if (t->handled)
            g_string_append_printf (t->handled, " %02x", i->opc);
          /* POP DS/ES/FS/GS and LDS/LES/LFS/LGS load a data segment and
           * do not end the block: what the entry checked no longer holds. */
          if (i->fn == bw_x86_op_pop_sreg || i->fn == bw_x86_op_lxs)
            t->may_assume = FALSE;
          if ((i->flags & (BW_X86_I_SETS_EIP | BW_X86_I_COND)) == BW_X86_I_SETS_EIP)
            left = TRUE;
        }
      off += i->len;
      /* The block's end: on to the next instruction. After an inline form
       * the block ended at a page end or its size limit, so the run loop
       * has nothing to look at there; after a handler it may have (STI,
       * MOV SS, HLT, ...). */
      if (last && !left)
        {
          if (inline_form)
            emit_leave_chained (o, off - t->synced, k + 1);
          else
            emit_leave (o, off - t->synced, k + 1);
        }
    }
  emit_stubs (t);
  /* The entry check refuses: the run loop interprets the block. */
  jo_patch (o, bail, o->p);
  jo_byte (o, 0xc6); /* mov byte [rbx + jit_bail], 1 */
  jo_rbx_mem (o, 0, CPU_OFF (jit_bail));
  jo_byte (o, 1);
  jo_byte (o, 0x5b); /* pop rbx */
  jo_byte (o, 0xc3); /* ret */
  gboolean ok = !t->overflow && o->p <= o->end;
  if (ok)
    {
      memcpy (need_and, &t->flat_need, 4);
      memcpy (need_cmp, &t->flat_need, 4);
    }
  *used = (size_t) (o->p - code);
  g_free (t);
  return ok;
}

/* ---- the buffer and the entry point ------------------------------------ */

/* A writable and an executable view of one memfd; else (or for perf,
 * which reads its map files only for anonymous memory) one mapping with
 * both rights. */
static gboolean
map_buffer (BwX86Jit *jit, gboolean for_perf)
{
  int fd = for_perf ? -1 : memfd_create ("boxwood-cpu-code", MFD_CLOEXEC);
  if (fd >= 0)
    {
      void *rw = MAP_FAILED, *rx = MAP_FAILED;
      if (ftruncate (fd, JIT_BUFFER_SIZE) == 0)
        {
          rw = mmap (NULL, JIT_BUFFER_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
          rx = mmap (NULL, JIT_BUFFER_SIZE, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
        }
      close (fd);
      if (rw != MAP_FAILED && rx != MAP_FAILED)
        {
          jit->base = rw;
          jit->exec = rx;
          return TRUE;
        }
      if (rw != MAP_FAILED)
        munmap (rw, JIT_BUFFER_SIZE);
      if (rx != MAP_FAILED)
        munmap (rx, JIT_BUFFER_SIZE);
    }
  void *mem = mmap (NULL, JIT_BUFFER_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED)
    return FALSE;
  jit->base = jit->exec = mem;
  return TRUE;
}

/* The executable address of a place in the writable view, and back. */
static inline uint8_t *
exec_addr (const BwX86Jit *jit, uint8_t *p)
{
  return jit->exec + (p - jit->base);
}

void
bw_x86_jit_init (BwX86Cpu *cpu)
{
  const char *env = g_getenv ("BOXWOOD_CPU_JIT");
  BwX86JitMode mode = cpu->config.jit;
  if (mode == BW_X86_JIT_DEFAULT && env)
    mode = g_str_equal (env, "off") ? BW_X86_JIT_OFF
           : g_str_equal (env, "eager") ? BW_X86_JIT_EAGER : BW_X86_JIT_ON;
  if (mode == BW_X86_JIT_OFF)
    return;
  BwX86Jit *jit = g_new0 (BwX86Jit, 1);
  gboolean perf = g_strcmp0 (g_getenv ("BOXWOOD_CPU_PERFMAP"), "1") == 0;
  if (!map_buffer (jit, perf))
    {
      g_warning ("software CPU: no executable memory for the translator (%s); "
                 "interpreting only", g_strerror (errno));
      g_free (jit);
      return;
    }
  jit->threshold = mode == BW_X86_JIT_EAGER ? 1 : 16;
  if (perf)
    {
      g_autofree char *path = g_strdup_printf ("/tmp/perf-%d.map", (int) getpid ());
      jit->perf_map = fopen (path, "a");
      if (jit->perf_map)
        setvbuf (jit->perf_map, NULL, _IOLBF, 0);
    }
  cpu->jit = jit;
}

void
bw_x86_jit_fini (BwX86Cpu *cpu)
{
  if (!cpu->jit)
    return;
  g_debug ("translator: %" G_GUINT64_FORMAT " blocks, %" G_GUINT64_FORMAT " bytes, %"
           G_GUINT64_FORMAT " chains, %" G_GUINT64_FORMAT " flushes; %" G_GUINT64_FORMAT
           " blocks invalidated, %u mapping changes",
           cpu->stats.jit_blocks, cpu->stats.jit_bytes, cpu->stats.jit_chains,
           cpu->stats.jit_flushes, cpu->stats.blocks_invalidated,
           cpu->block_gen - cpu->code_gen);
  if (cpu->jit->perf_map)
    fclose (cpu->jit->perf_map);
  if (cpu->jit->exec != cpu->jit->base)
    munmap (cpu->jit->exec, JIT_BUFFER_SIZE);
  munmap (cpu->jit->base, JIT_BUFFER_SIZE);
  g_free (cpu->jit);
  cpu->jit = NULL;
}

/* Drops every translation (the buffer is full). Only between blocks. */
static void
flush_code (BwX86Cpu *cpu)
{
  for (unsigned h = 0; h < BW_X86_BLOCK_HASH; h++)
    for (BwX86Block *b = cpu->hash[h]; b; b = b->hash_next)
      {
        b->jit_code = NULL;
        b->jit_runs = 0;
      }
  cpu->jit->used = 0;
  cpu->jit_exit = NULL;
  cpu->stats.jit_flushes++;
}

void
bw_x86_jit_consider (BwX86Cpu *cpu, BwX86Block *b)
{
  BwX86Jit *jit = cpu->jit;
  if (++b->jit_runs < (uint32_t) jit->threshold || !b->mode || b->jit_failed)
    return;
  if (JIT_BUFFER_SIZE - jit->used < JIT_BLOCK_MAX)
    flush_code (cpu);
  size_t used;
  uint8_t *code = jit->base + jit->used;
  uint8_t *entry;
  GString *handled = jit->perf_map ? g_string_new (NULL) : NULL;
  if (!translate (cpu, b, code, JIT_BLOCK_MAX, &used, &entry, handled))
    {
      b->jit_failed = TRUE;
      if (handled)
        g_string_free (handled, TRUE);
      return;
    }
  if (handled)
    {
      fprintf (jit->perf_map, "%lx %zx guest-%08x/%u%s%s\n",
               (unsigned long) (uintptr_t) exec_addr (jit, code), used, b->phys, b->n_insns,
               handled->len ? " handlers" : "", handled->str);
      g_string_free (handled, TRUE);
    }
  jit->used += (used + 15) & ~(size_t) 15;
  b->jit_code = (BwX86JitFn) exec_addr (jit, code);
  b->jit_entry = exec_addr (jit, entry);
  cpu->stats.jit_blocks++;
  cpu->stats.jit_bytes += used;
}

void
bw_x86_jit_chain (BwX86Cpu *cpu, BwX86Block *b, uint32_t lin)
{
  uint8_t *slot = cpu->jit_exit;
  cpu->jit_exit = NULL;
  if (!b->jit_code || cpu->jit_exit_lin != lin)
    return;
  /* A successor on the page this block starts on stays right across TLB
   * flushes: the instructions that change mappings end their blocks
   * without chaining, so while a chain runs, the page still maps where it
   * did when the run loop found its first block; only the death of a
   * block (code_gen) breaks such a chain. Other successors also depend
   * on the mapping (block_gen). */
  uint32_t from_lin = cpu->seg[BW_X86_CS].s.base + cpu->block_eip;
  gboolean same_page = ((from_lin ^ lin) & ~0xfffu) == 0 && b->phys2_page == UINT32_MAX;
  int32_t field = same_page ? CPU_OFF (code_gen) : CPU_OFF (block_gen);
  uint32_t gen = same_page ? cpu->code_gen : cpu->block_gen;
  memcpy (slot + SLOT_LIN, &lin, 4);
  memcpy (slot + SLOT_FIELD, &field, 4);
  memcpy (slot + SLOT_GEN, &gen, 4);
  /* slot is in the writable view (the code says where), the entry in the
   * executable one: the distance is the same in both. */
  int32_t rel = (int32_t) ((b->jit_entry - cpu->jit->exec) - (slot + SLOT_JMP + 4 - cpu->jit->base));
  memcpy (slot + SLOT_JMP, &rel, 4);
  cpu->stats.jit_chains++;
}

void
bw_x86_jit_bailed (BwX86Cpu *cpu, BwX86Block *b)
{
  cpu->jit_bail = 0;
  cpu->stats.jit_bails++;
  if (++b->jit_bails < 4)
    return;
  /* Its segments are not flat where it runs: translate it again with the
   * checks at each access. Chains to the old code break (code_gen). */
  b->jit_code = NULL;
  b->jit_entry = NULL;
  b->jit_runs = 0;
  b->jit_no_flat = TRUE;
  cpu->code_gen++;
  cpu->block_gen++;
}
