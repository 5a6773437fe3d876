/* bw-x86-ops-control.c: jumps, calls, returns, loops, INT/INTO/IRET,
 * BOUND. Near transfers check the target against the CS limit; far
 * transfers load CS by the rules of the current mode.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"
#include "vmm/cpu/bw-x86-desc.h"

void
bw_x86_jump_near (BwX86Cpu *cpu, uint32_t target, gboolean o32)
{
  if (!o32)
    target &= 0xffff;
  const BwX86Seg *cs = &cpu->seg[BW_X86_CS];
  if (target < cs->lo || target > cs->hi)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  cpu->eip = target;
}

static inline gboolean
o32 (const BwX86Insn *i)
{
  return (i->flags & BW_X86_I_O32) != 0;
}

static inline unsigned
vsize (const BwX86Insn *i)
{
  return o32 (i) ? 4 : 2;
}

BW_X86_OP (jmp_rel)
{
  bw_x86_jump_near (cpu, bw_x86_next_eip (cpu, i) + i->imm, o32 (i));
}

BW_X86_OP (jcc)
{
  if (bw_x86_cond (cpu, i->opc & 15))
    bw_x86_jump_near (cpu, bw_x86_next_eip (cpu, i) + i->imm, o32 (i));
  else
    cpu->eip = bw_x86_next_eip (cpu, i);
}

/* By condition, chosen when decoding: the common cases of the condition
 * fold into each (bw_x86_cond_fast). */
#define JCC(CC)                                                                             \
  static void jcc_##CC (BwX86Cpu *cpu, const BwX86Insn *i)                                  \
  {                                                                                         \
    if (bw_x86_cond_fast (cpu, CC))                                                         \
      bw_x86_jump_near (cpu, bw_x86_next_eip (cpu, i) + i->imm, o32 (i));                   \
    else                                                                                    \
      cpu->eip = bw_x86_next_eip (cpu, i);                                                  \
  }
JCC (0) JCC (1) JCC (2) JCC (3) JCC (4) JCC (5) JCC (6) JCC (7)
JCC (8) JCC (9) JCC (10) JCC (11) JCC (12) JCC (13) JCC (14) JCC (15)
const BwX86Op bw_x86_jcc_cc[16] = {
  jcc_0, jcc_1, jcc_2, jcc_3, jcc_4, jcc_5, jcc_6, jcc_7,
  jcc_8, jcc_9, jcc_10, jcc_11, jcc_12, jcc_13, jcc_14, jcc_15,
};

BW_X86_OP (jmp_rm)
{
  bw_x86_jump_near (cpu, bw_x86_rm_get (cpu, i, i->osz), o32 (i));
}

BW_X86_OP (call_rel)
{
  uint32_t next = bw_x86_next_eip (cpu, i);
  uint32_t target = next + i->imm;
  if (!o32 (i))
    target &= 0xffff;
  if (target > cpu->seg[BW_X86_CS].hi)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  bw_x86_push (cpu, vsize (i), next);
  cpu->eip = target;
}

BW_X86_OP (call_rm)
{
  uint32_t next = bw_x86_next_eip (cpu, i);
  uint32_t target = bw_x86_rm_get (cpu, i, i->osz);
  if (target > cpu->seg[BW_X86_CS].hi)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  bw_x86_push (cpu, vsize (i), next);
  cpu->eip = target;
}

BW_X86_OP (ret)
{
  unsigned n = vsize (i);
  uint32_t target = bw_x86_stack_peek (cpu, 0, n);
  bw_x86_jump_near (cpu, target, o32 (i));
  bw_x86_set_sp (cpu, cpu->gpr[BW_X86_ESP] + n + (i->opc == 0xc2 ? i->imm : 0));
}

BW_X86_OP (loop)
{
  uint32_t amask = (i->flags & BW_X86_I_A32) ? 0xffffffffu : 0xffffu;
  uint32_t c = (cpu->gpr[BW_X86_ECX] - 1) & amask;
  cpu->gpr[BW_X86_ECX] = (cpu->gpr[BW_X86_ECX] & ~amask) | c;
  gboolean take = c != 0;
  if (i->opc == 0xe0)
    take = take && !bw_x86_cond (cpu, 4);
  else if (i->opc == 0xe1)
    take = take && bw_x86_cond (cpu, 4);
  if (take)
    bw_x86_jump_near (cpu, bw_x86_next_eip (cpu, i) + i->imm, o32 (i));
  else
    cpu->eip = bw_x86_next_eip (cpu, i);
}

BW_X86_OP (jcxz)
{
  uint32_t amask = (i->flags & BW_X86_I_A32) ? 0xffffffffu : 0xffffu;
  if ((cpu->gpr[BW_X86_ECX] & amask) == 0)
    bw_x86_jump_near (cpu, bw_x86_next_eip (cpu, i) + i->imm, o32 (i));
  else
    cpu->eip = bw_x86_next_eip (cpu, i);
}

/* ---- far transfers ---------------------------------------------------- */

/* Loads CS for a far JMP/CALL/RET to a code segment at the same privilege
 * (or a conforming one). Returns with CS loaded; the caller sets EIP. */
static void
load_cs_far (BwX86Cpu *cpu, uint16_t sel, uint32_t off, gboolean is_ret)
{
  if (!bw_x86_pmode (cpu))
    {
      BwX86SegState s = cpu->seg[BW_X86_CS].s;
      if (off > s.limit)
        bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
      bw_x86_seg_real (cpu, BW_X86_CS, sel);
      return;
    }
  if ((sel & ~3u) == 0)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  uint32_t lo, hi;
  if (!bw_x86_desc_read (cpu, sel, &lo, &hi))
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, sel & ~3u);
  unsigned dpl = (hi >> 13) & 3, rpl = sel & 3;
  if ((hi & 0x1800) != 0x1800)
    /* Call gates and task switches come with the rest of protected mode. */
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, sel & ~3u);
  gboolean conforming = (hi & 0x400) != 0;
  if (is_ret)
    {
      if (rpl < cpu->cpl || (conforming ? dpl > rpl : dpl != rpl))
        bw_x86_raise_err (cpu, BW_X86_EXC_GP, sel & ~3u);
    }
  else if (conforming ? dpl > cpu->cpl : (dpl != cpu->cpl || rpl > cpu->cpl))
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, sel & ~3u);
  if (!(hi & 0x8000))
    bw_x86_raise_err (cpu, BW_X86_EXC_NP, sel & ~3u);
  BwX86SegState s;
  bw_x86_desc_to_cache (is_ret ? sel : (sel & ~3u) | cpu->cpl, lo, hi | 0x100, &s);
  if (off > s.limit)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  bw_x86_desc_set_accessed (cpu, sel, hi);
  bw_x86_seg_set_cache (cpu, BW_X86_CS, &s);
}

/* Far JMP/CALL in protected mode to a system descriptor: a call gate, a
 * task gate or a TSS. Returns FALSE for a code segment (the ordinary
 * path). */
static gboolean
far_system (BwX86Cpu *cpu, uint16_t sel, gboolean is_call, uint32_t next_eip)
{
  if (!bw_x86_pmode (cpu) || (sel & ~3u) == 0)
    return FALSE;
  uint32_t lo, hi;
  if (!bw_x86_desc_read (cpu, sel, &lo, &hi))
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, sel & ~3u);
  if (hi & 0x1000)
    return FALSE;
  unsigned type = (hi >> 8) & 0x0f, dpl = (hi >> 13) & 3, rpl = sel & 3;
  if (dpl < cpu->cpl || dpl < rpl)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, sel & ~3u);
  if (!(hi & 0x8000))
    bw_x86_raise_err (cpu, BW_X86_EXC_NP, sel & ~3u);
  int reason = is_call ? BW_X86_TASK_CALL : BW_X86_TASK_JMP;

  switch (type)
    {
    case 0x01:
    case 0x09: /* available TSS */
      bw_x86_task_switch (cpu, sel, lo, hi, reason, next_eip, FALSE, 0);
      return TRUE;
    case 0x05: /* task gate */
      {
        uint16_t tss = lo >> 16;
        uint32_t tlo, thi;
        if ((tss & 4) || !bw_x86_desc_read (cpu, tss, &tlo, &thi))
          bw_x86_raise_err (cpu, BW_X86_EXC_GP, tss & ~3u);
        unsigned ttype = (thi >> 8) & 0x1f;
        if (ttype != 0x01 && ttype != 0x09)
          bw_x86_raise_err (cpu, BW_X86_EXC_GP, tss & ~3u);
        bw_x86_task_switch (cpu, tss, tlo, thi, reason, next_eip, FALSE, 0);
        return TRUE;
      }
    case 0x04:
    case 0x0c: /* call gate */
      break;
    default:
      bw_x86_raise_err (cpu, BW_X86_EXC_GP, sel & ~3u);
    }

  gboolean gate32 = type == 0x0c;
  uint16_t csel = lo >> 16;
  uint32_t target = (lo & 0xffff) | (gate32 ? (hi & 0xffff0000u) : 0);
  unsigned n_params = hi & 0x1f;
  uint32_t clo, chi;
  if ((csel & ~3u) == 0)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  if (!bw_x86_desc_read (cpu, csel, &clo, &chi) || (chi & 0x1800) != 0x1800)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, csel & ~3u);
  unsigned cdpl = (chi >> 13) & 3;
  gboolean conforming = (chi & 0x400) != 0;
  if (cdpl > cpu->cpl || (!is_call && !conforming && cdpl != cpu->cpl))
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, csel & ~3u);
  if (!(chi & 0x8000))
    bw_x86_raise_err (cpu, BW_X86_EXC_NP, csel & ~3u);
  BwX86SegState c;
  unsigned size = gate32 ? 4 : 2;

  if (is_call && !conforming && cdpl < cpu->cpl)
    {
      /* More privileged: new stack from the TSS, parameters copied. */
      uint16_t ss, old_ss = cpu->seg[BW_X86_SS].s.selector;
      uint16_t old_cs = cpu->seg[BW_X86_CS].s.selector;
      uint32_t sp, slo, shi, old_esp = cpu->gpr[BW_X86_ESP];
      bw_x86_tss_inner_stack (cpu, cdpl, 0, &ss, &sp, &slo, &shi);
      uint32_t params[31];
      for (unsigned k = 0; k < n_params; k++)
        params[k] = bw_x86_stack_peek (cpu, k * size, size);
      bw_x86_set_cpl (cpu, cdpl);
      BwX86SegState s;
      bw_x86_desc_set_accessed (cpu, ss, shi);
      bw_x86_desc_to_cache (ss, slo, shi | 0x100, &s);
      bw_x86_seg_set_cache (cpu, BW_X86_SS, &s);
      cpu->gpr[BW_X86_ESP] = cpu->seg[BW_X86_SS].big ? sp : sp & 0xffff;
      bw_x86_push (cpu, size, old_ss);
      bw_x86_push (cpu, size, old_esp);
      for (unsigned k = n_params; k-- > 0;)
        bw_x86_push (cpu, size, params[k]);
      bw_x86_push (cpu, size, old_cs);
      bw_x86_push (cpu, size, next_eip);
      bw_x86_desc_to_cache ((csel & ~3u) | cdpl, clo, chi | 0x100, &c);
    }
  else
    {
      if (is_call)
        {
          uint32_t m = bw_x86_sp_mask (cpu), esp = cpu->gpr[BW_X86_ESP];
          bw_x86_seg_lin (cpu, BW_X86_SS, (esp - 2 * size) & m, size, BW_X86_ACC_W);
          bw_x86_push (cpu, size, cpu->seg[BW_X86_CS].s.selector);
          bw_x86_push (cpu, size, next_eip);
        }
      bw_x86_desc_to_cache ((csel & ~3u) | cpu->cpl, clo, chi | 0x100, &c);
    }
  if (target > c.limit)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  bw_x86_desc_set_accessed (cpu, csel, chi);
  bw_x86_seg_set_cache (cpu, BW_X86_CS, &c);
  cpu->eip = target;
  return TRUE;
}

void
bw_x86_jump_far (BwX86Cpu *cpu, uint16_t sel, uint32_t off, gboolean is32)
{
  if (!is32)
    off &= 0xffff;
  load_cs_far (cpu, sel, off, FALSE);
  cpu->eip = off;
}

static void
jump_far_insn (BwX86Cpu *cpu, const BwX86Insn *i, uint16_t sel, uint32_t off)
{
  if (far_system (cpu, sel, FALSE, bw_x86_next_eip (cpu, i)))
    return;
  bw_x86_jump_far (cpu, sel, off, o32 (i));
}

BW_X86_OP (jmp_far)
{
  jump_far_insn (cpu, i, i->imm2, i->imm);
}

BW_X86_OP (jmp_far_rm)
{
  unsigned n = vsize (i);
  uint32_t off = bw_x86_ea (cpu, i);
  uint32_t target = bw_x86_read (cpu, i->seg, off, n);
  uint32_t off2 = (i->flags & BW_X86_I_A32) ? off + n : (off + n) & 0xffff;
  uint16_t sel = (uint16_t) bw_x86_read (cpu, i->seg, off2, 2);
  jump_far_insn (cpu, i, sel, target);
}

static void
call_far (BwX86Cpu *cpu, const BwX86Insn *i, uint16_t sel, uint32_t target)
{
  unsigned n = vsize (i);
  uint32_t next = bw_x86_next_eip (cpu, i);
  if (far_system (cpu, sel, TRUE, next))
    return;
  uint16_t old_cs = cpu->seg[BW_X86_CS].s.selector;
  uint32_t sp = cpu->gpr[BW_X86_ESP], m = bw_x86_sp_mask (cpu);
  if (!o32 (i))
    target &= 0xffff;
  /* Both pushes must fit before CS changes. */
  bw_x86_seg_lin (cpu, BW_X86_SS, (sp - 2 * n) & m, n, BW_X86_ACC_W);
  bw_x86_seg_lin (cpu, BW_X86_SS, (sp - n) & m, n, BW_X86_ACC_W);
  BwX86Seg saved = cpu->seg[BW_X86_CS];
  load_cs_far (cpu, sel, target, FALSE);
  /* Write the return address; undo CS if that faults (paging). */
  BwX86Seg loaded = cpu->seg[BW_X86_CS];
  cpu->seg[BW_X86_CS] = saved;
  bw_x86_push (cpu, n, old_cs);
  bw_x86_push (cpu, n, next);
  cpu->seg[BW_X86_CS] = loaded;
  cpu->eip = target;
}

BW_X86_OP (call_far)
{
  call_far (cpu, i, i->imm2, i->imm);
}

BW_X86_OP (call_far_rm)
{
  unsigned n = vsize (i);
  uint32_t off = bw_x86_ea (cpu, i);
  uint32_t target = bw_x86_read (cpu, i->seg, off, n);
  uint32_t off2 = (i->flags & BW_X86_I_A32) ? off + n : (off + n) & 0xffff;
  uint16_t sel = (uint16_t) bw_x86_read (cpu, i->seg, off2, 2);
  call_far (cpu, i, sel, target);
}

/* After CS was loaded for a return to the outer level rpl: switch to the
 * outer stack and drop data segments the outer level may not use. */
static void
return_outer (BwX86Cpu *cpu, unsigned rpl, uint16_t ss, uint32_t esp)
{
  unsigned old_cpl = cpu->cpl;
  bw_x86_set_cpl (cpu, rpl);
  /* SS is checked against the new CPL; on a fault, the old one returns. */
  if ((ss & 3) != rpl)
    {
      bw_x86_set_cpl (cpu, old_cpl);
      bw_x86_raise_err (cpu, BW_X86_EXC_GP, ss & ~3u);
    }
  bw_x86_load_seg (cpu, BW_X86_SS, ss);
  cpu->gpr[BW_X86_ESP] = cpu->seg[BW_X86_SS].big ? esp : (esp & 0xffff);
  for (int s = BW_X86_ES; s <= BW_X86_GS; s++)
    {
      if (s == BW_X86_CS || s == BW_X86_SS)
        continue;
      BwX86SegState *d = &cpu->seg[s].s;
      gboolean conf_code = (d->attr & 0x1c) == 0x1c;
      if (!conf_code && BW_X86_DESC_DPL (d->attr) < rpl)
        {
          BwX86SegState null = { 0 };
          bw_x86_seg_set_cache (cpu, s, &null);
        }
    }
}

BW_X86_OP (retf)
{
  unsigned n = vsize (i);
  uint32_t target = bw_x86_stack_peek (cpu, 0, n);
  uint16_t sel = (uint16_t) bw_x86_stack_peek (cpu, n, n);
  if (!o32 (i))
    target &= 0xffff;
  if (bw_x86_pmode (cpu) && (sel & 3) > cpu->cpl)
    {
      uint32_t imm = i->opc == 0xca ? i->imm : 0;
      uint32_t esp = bw_x86_stack_peek (cpu, 2 * n + imm, n);
      uint16_t ss = (uint16_t) bw_x86_stack_peek (cpu, 3 * n + imm, n);
      load_cs_far (cpu, sel, target, TRUE);
      return_outer (cpu, sel & 3, ss, esp + imm);
      cpu->eip = target;
      return;
    }
  load_cs_far (cpu, sel, target, TRUE);
  cpu->eip = target;
  bw_x86_set_sp (cpu, cpu->gpr[BW_X86_ESP] + 2 * n + (i->opc == 0xca ? i->imm : 0));
}

/* ---- interrupts ------------------------------------------------------- */

BW_X86_OP (int_imm)
{
  if (cpu->eflags & BW_X86_VM)
    {
      /* IOPL and the VME redirection bitmap decide (bw-x86-vme.c). */
      bw_x86_v86_int (cpu, i->imm & 0xff, bw_x86_next_eip (cpu, i));
      return;
    }
  bw_x86_deliver (cpu, i->imm & 0xff, TRUE, FALSE, 0, bw_x86_next_eip (cpu, i));
}

BW_X86_OP (int3)
{
  bw_x86_deliver (cpu, BW_X86_EXC_BP, TRUE, FALSE, 0, bw_x86_next_eip (cpu, i));
}

BW_X86_OP (into)
{
  if (bw_x86_cond (cpu, 0))
    bw_x86_deliver (cpu, BW_X86_EXC_OFV, TRUE, FALSE, 0, bw_x86_next_eip (cpu, i));
  else
    cpu->eip = bw_x86_next_eip (cpu, i);
}

BW_X86_OP (icebp)
{
  /* INT1: a debug trap delivered like a hardware event. */
  bw_x86_deliver (cpu, BW_X86_EXC_DB, FALSE, FALSE, 0, bw_x86_next_eip (cpu, i));
}

void
bw_x86_iret (BwX86Cpu *cpu, gboolean is32)
{
  unsigned n = is32 ? 4 : 2;
  if (!(cpu->cr0 & BW_X86_CR0_PE))
    {
      uint32_t ip = bw_x86_stack_peek (cpu, 0, n);
      uint16_t sel = (uint16_t) bw_x86_stack_peek (cpu, n, n);
      uint32_t f = bw_x86_stack_peek (cpu, 2 * n, n);
      if (!is32)
        ip &= 0xffff;
      if (ip > cpu->seg[BW_X86_CS].s.limit)
        bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
      bw_x86_seg_real (cpu, BW_X86_CS, sel);
      cpu->eip = ip;
      bw_x86_set_sp (cpu, cpu->gpr[BW_X86_ESP] + 3 * n);
      uint32_t mask = BW_X86_ARITH_FLAGS | BW_X86_TF | BW_X86_IF | BW_X86_DF | BW_X86_IOPL
                      | BW_X86_NT;
      if (is32)
        mask |= BW_X86_AC | BW_X86_ID | BW_X86_RF;
      bw_x86_write_eflags (cpu, f, mask);
      cpu->nmi_blocked = FALSE;
      return;
    }
  if (cpu->eflags & BW_X86_VM)
    {
      if (((cpu->eflags >> 12) & 3) < 3)
        {
          bw_x86_vme_iret (cpu, is32); /* or #GP */
          return;
        }
      uint32_t ip = bw_x86_stack_peek (cpu, 0, n);
      uint16_t sel = (uint16_t) bw_x86_stack_peek (cpu, n, n);
      uint32_t f = bw_x86_stack_peek (cpu, 2 * n, n);
      bw_x86_seg_real (cpu, BW_X86_CS, sel);
      cpu->eip = is32 ? ip : ip & 0xffff;
      bw_x86_set_sp (cpu, cpu->gpr[BW_X86_ESP] + 3 * n);
      uint32_t mask = BW_X86_ARITH_FLAGS | BW_X86_TF | BW_X86_IF | BW_X86_DF | BW_X86_NT;
      if (is32)
        mask |= BW_X86_AC | BW_X86_ID | BW_X86_RF;
      bw_x86_write_eflags (cpu, f, mask);
      cpu->nmi_blocked = FALSE;
      return;
    }
  if (cpu->eflags & BW_X86_NT)
    {
      /* Return to the task in the back link of the current TSS. */
      uint16_t back = bw_x86_sys_read (cpu, cpu->tr.base, 2);
      uint32_t lo, hi;
      if ((back & 4) || !bw_x86_desc_read (cpu, back, &lo, &hi)
          || (((hi >> 8) & 0x1f) != 0x03 && ((hi >> 8) & 0x1f) != 0x0b))
        bw_x86_raise_err (cpu, BW_X86_EXC_TS, back & ~3u);
      bw_x86_task_switch (cpu, back, lo, hi, BW_X86_TASK_IRET, cpu->iret_next_eip, FALSE, 0);
      cpu->nmi_blocked = FALSE;
      return;
    }
  uint32_t ip = bw_x86_stack_peek (cpu, 0, n);
  uint16_t sel = (uint16_t) bw_x86_stack_peek (cpu, n, n);
  uint32_t f = bw_x86_stack_peek (cpu, 2 * n, n);
  if (is32 && (f & BW_X86_VM) && cpu->cpl == 0)
    {
      /* Return to virtual-8086 mode: the frame holds ESP, SS, ES, DS, FS, GS. */
      uint32_t esp = bw_x86_stack_peek (cpu, 12, 4);
      uint16_t ss = (uint16_t) bw_x86_stack_peek (cpu, 16, 4);
      uint16_t es = (uint16_t) bw_x86_stack_peek (cpu, 20, 4);
      uint16_t ds = (uint16_t) bw_x86_stack_peek (cpu, 24, 4);
      uint16_t fs = (uint16_t) bw_x86_stack_peek (cpu, 28, 4);
      uint16_t gs = (uint16_t) bw_x86_stack_peek (cpu, 32, 4);
      bw_x86_write_eflags (cpu, f, 0x3f7fd5u);
      bw_x86_set_cpl (cpu, 3);
      bw_x86_seg_real (cpu, BW_X86_CS, sel);
      bw_x86_seg_real (cpu, BW_X86_SS, ss);
      bw_x86_seg_real (cpu, BW_X86_ES, es);
      bw_x86_seg_real (cpu, BW_X86_DS, ds);
      bw_x86_seg_real (cpu, BW_X86_FS, fs);
      bw_x86_seg_real (cpu, BW_X86_GS, gs);
      cpu->gpr[BW_X86_ESP] = esp;
      cpu->eip = ip & 0xffff;
      cpu->nmi_blocked = FALSE;
      return;
    }
  unsigned rpl = sel & 3;
  if (rpl < cpu->cpl)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, sel & ~3u);
  if (rpl > cpu->cpl)
    {
      /* Return to an outer level: pop SS:ESP too, then drop data segments
       * the outer level may not use. */
      uint32_t esp = bw_x86_stack_peek (cpu, 3 * n, n);
      uint16_t ss = (uint16_t) bw_x86_stack_peek (cpu, 4 * n, n);
      unsigned old_cpl = cpu->cpl;
      uint32_t fmask = 0x257fd5u;
      if (old_cpl == 0)
        fmask |= BW_X86_IOPL | BW_X86_VIF | BW_X86_VIP;
      if (old_cpl <= ((cpu->eflags >> 12) & 3))
        fmask |= BW_X86_IF;
      if (!is32)
        fmask &= 0xffff;
      load_cs_far (cpu, sel, is32 ? ip : ip & 0xffff, TRUE);
      return_outer (cpu, rpl, ss, esp);
      bw_x86_write_eflags (cpu, f, fmask);
      cpu->eip = is32 ? ip : ip & 0xffff;
      cpu->nmi_blocked = FALSE;
      return;
    }
  load_cs_far (cpu, sel, is32 ? ip : ip & 0xffff, TRUE);
  uint32_t fmask = 0x257fd5u;
  if (cpu->cpl == 0)
    fmask |= BW_X86_IOPL;
  if (cpu->cpl <= ((cpu->eflags >> 12) & 3))
    fmask |= BW_X86_IF;
  if (!is32)
    fmask &= 0xffff;
  fmask &= ~(BW_X86_VM | BW_X86_IOPL) | (cpu->cpl == 0 ? BW_X86_IOPL : 0);
  if (cpu->cpl == 0 && is32)
    fmask |= BW_X86_VIF | BW_X86_VIP;
  bw_x86_set_sp (cpu, cpu->gpr[BW_X86_ESP] + 3 * n);
  bw_x86_write_eflags (cpu, f, fmask & ~BW_X86_VM);
  cpu->eip = is32 ? ip : ip & 0xffff;
  cpu->nmi_blocked = FALSE;
}

BW_X86_OP (iret)
{
  cpu->iret_next_eip = bw_x86_next_eip (cpu, i);
  bw_x86_iret (cpu, o32 (i));
}

BW_X86_OP (bound)
{
  int osz = i->osz;
  unsigned n = bw_x86_bytes (osz);
  uint32_t off = bw_x86_ea (cpu, i);
  uint32_t off2 = (i->flags & BW_X86_I_A32) ? off + n : (off + n) & 0xffff;
  int32_t lo, hi, v;
  if (osz == 1)
    {
      lo = (int16_t) bw_x86_read (cpu, i->seg, off, 2);
      hi = (int16_t) bw_x86_read (cpu, i->seg, off2, 2);
      v = (int16_t) cpu->gpr[i->reg];
    }
  else
    {
      lo = (int32_t) bw_x86_read (cpu, i->seg, off, 4);
      hi = (int32_t) bw_x86_read (cpu, i->seg, off2, 4);
      v = (int32_t) cpu->gpr[i->reg];
    }
  if (v < lo || v > hi)
    bw_x86_raise (cpu, BW_X86_EXC_BR);
}
