/* bw-x86-exc.c: exceptions and interrupt delivery.
 *
 * A fault anywhere in an instruction longjmps to the run loop with EIP
 * still at the instruction's first byte, so the instruction has no effect
 * beyond what the architecture allows. The run loop then delivers it here:
 * through the IVT in real mode, through interrupt and trap gates of the
 * IDT in protected mode (stack switch from the TSS on a privilege change,
 * V86 segment saving). A fault while delivering a contributory fault or
 * page fault becomes #DF; a fault while delivering #DF shuts the CPU down.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"
#include "vmm/cpu/bw-x86-desc.h"

G_NORETURN void
bw_x86_raise (BwX86Cpu *cpu, int vector)
{
  cpu->exc_vector = vector;
  cpu->exc_has_error = FALSE;
  cpu->exc_error = 0;
  longjmp (cpu->jmp, 1);
}

G_NORETURN void
bw_x86_raise_err (BwX86Cpu *cpu, int vector, uint32_t error)
{
  cpu->exc_vector = vector;
  cpu->exc_has_error = TRUE;
  cpu->exc_error = error;
  longjmp (cpu->jmp, 1);
}

static void
deliver_real (BwX86Cpu *cpu, int vector, uint32_t next_eip)
{
  uint32_t off = (uint32_t) vector * 4;
  if (off + 3 > cpu->idtr.limit)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, off + 2);
  uint32_t entry = bw_x86_sys_read (cpu, cpu->idtr.base + off, 4);
  uint32_t flags = bw_x86_get_eflags (cpu);
  bw_x86_push (cpu, 2, flags);
  bw_x86_push (cpu, 2, cpu->seg[BW_X86_CS].s.selector);
  bw_x86_push (cpu, 2, next_eip);
  cpu->eflags = flags & ~(BW_X86_IF | BW_X86_TF | BW_X86_AC | BW_X86_RF);
  cpu->lf_op = BW_X86_LF_NONE;
  bw_x86_update_align_check (cpu);
  bw_x86_seg_real (cpu, BW_X86_CS, entry >> 16);
  cpu->eip = entry & 0xffff;
}

void
bw_x86_tss_inner_stack (BwX86Cpu *cpu, unsigned dpl, uint32_t ext, uint16_t *ss_out,
                        uint32_t *sp_out, uint32_t *slo, uint32_t *shi)
{
  uint32_t sp;
  uint16_t ss;
  if ((cpu->tr.attr & 0x0f) == 0x09 || (cpu->tr.attr & 0x0f) == 0x0b)
    {
      uint32_t o = 4 + dpl * 8;
      if (o + 5 > cpu->tr.limit)
        bw_x86_raise_err (cpu, BW_X86_EXC_TS, (cpu->tr.selector & ~3u) + ext);
      sp = bw_x86_sys_read (cpu, cpu->tr.base + o, 4);
      ss = bw_x86_sys_read (cpu, cpu->tr.base + o + 4, 2);
    }
  else
    {
      uint32_t o = 2 + dpl * 4;
      if (o + 3 > cpu->tr.limit)
        bw_x86_raise_err (cpu, BW_X86_EXC_TS, (cpu->tr.selector & ~3u) + ext);
      sp = bw_x86_sys_read (cpu, cpu->tr.base + o, 2);
      ss = bw_x86_sys_read (cpu, cpu->tr.base + o + 2, 2);
    }
  if ((ss & ~3u) == 0 || !bw_x86_desc_read (cpu, ss, slo, shi) || (ss & 3) != dpl
      || ((*shi >> 13) & 3) != dpl || (*shi & 0x1a00) != 0x1200)
    bw_x86_raise_err (cpu, BW_X86_EXC_TS, (ss & ~3u) + ext);
  if (!(*shi & 0x8000))
    bw_x86_raise_err (cpu, BW_X86_EXC_SS, (ss & ~3u) + ext);
  *ss_out = ss;
  *sp_out = sp;
}

static void
deliver_protected (BwX86Cpu *cpu, int vector, gboolean soft, gboolean has_error,
                   uint32_t error, uint32_t next_eip)
{
  uint32_t ext = soft ? 0 : 1;
  uint32_t idt_err = (uint32_t) vector * 8 + 2 + ext;
  if ((uint32_t) vector * 8 + 7 > cpu->idtr.limit)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, idt_err);
  uint32_t lo = bw_x86_sys_read (cpu, cpu->idtr.base + vector * 8, 4);
  uint32_t hi = bw_x86_sys_read (cpu, cpu->idtr.base + vector * 8 + 4, 4);
  unsigned type = (hi >> 8) & 0x1f;
  unsigned gate_dpl = (hi >> 13) & 3;
  gboolean gate32;

  switch (type)
    {
    case 0x06: case 0x07: gate32 = FALSE; break;
    case 0x0e: case 0x0f: gate32 = TRUE; break;
    case 0x05: gate32 = FALSE; break;
    default:
      bw_x86_raise_err (cpu, BW_X86_EXC_GP, idt_err);
    }
  if (soft && gate_dpl < cpu->cpl)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, idt_err);
  if (!(hi & 0x8000))
    bw_x86_raise_err (cpu, BW_X86_EXC_NP, idt_err);
  if (type == 0x05)
    {
      /* Task gate: switch to the TSS it names (nested, with back link). */
      uint16_t tss = lo >> 16;
      uint32_t tlo, thi;
      if ((tss & 4) || !bw_x86_desc_read (cpu, tss, &tlo, &thi)
          || (((thi >> 8) & 0x1f) != 0x01 && ((thi >> 8) & 0x1f) != 0x09))
        bw_x86_raise_err (cpu, BW_X86_EXC_TS, (tss & ~3u) + ext);
      bw_x86_task_switch (cpu, tss, tlo, thi, BW_X86_TASK_CALL, next_eip, has_error, error);
      return;
    }

  uint16_t sel = lo >> 16;
  uint32_t target = (lo & 0xffff) | (gate32 ? (hi & 0xffff0000u) : 0);
  if ((sel & ~3u) == 0)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, ext);
  uint32_t clo, chi;
  if (!bw_x86_desc_read (cpu, sel, &clo, &chi))
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, (sel & ~3u) + ext);
  unsigned dpl = (chi >> 13) & 3;
  if ((chi & 0x1800) != 0x1800 || dpl > cpu->cpl)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, (sel & ~3u) + ext);
  if (!(chi & 0x8000))
    bw_x86_raise_err (cpu, BW_X86_EXC_NP, (sel & ~3u) + ext);

  uint32_t flags = bw_x86_get_eflags (cpu);
  gboolean v86 = (flags & BW_X86_VM) != 0;
  gboolean conforming = (chi & 0x400) != 0;
  unsigned size = gate32 ? 4 : 2;
  BwX86SegState old_cs = cpu->seg[BW_X86_CS].s, old_ss = cpu->seg[BW_X86_SS].s;
  uint32_t old_esp = cpu->gpr[BW_X86_ESP];

  if (!conforming && dpl < cpu->cpl)
    {
      /* Inner privilege: the new stack comes from the TSS. */
      uint32_t sp, slo, shi;
      uint16_t ss;
      bw_x86_tss_inner_stack (cpu, dpl, ext, &ss, &sp, &slo, &shi);
      if (v86)
        cpu->eflags &= ~BW_X86_VM; /* segment loads below are protected-mode */
      bw_x86_set_cpl (cpu, dpl);
      BwX86SegState s;
      bw_x86_desc_set_accessed (cpu, ss, shi);
      bw_x86_desc_to_cache (ss, slo, shi | 0x100, &s);
      bw_x86_seg_set_cache (cpu, BW_X86_SS, &s);
      cpu->gpr[BW_X86_ESP] = cpu->seg[BW_X86_SS].big ? sp : sp & 0xffff;
      if (v86)
        {
          bw_x86_push (cpu, size, cpu->seg[BW_X86_GS].s.selector);
          bw_x86_push (cpu, size, cpu->seg[BW_X86_FS].s.selector);
          bw_x86_push (cpu, size, cpu->seg[BW_X86_DS].s.selector);
          bw_x86_push (cpu, size, cpu->seg[BW_X86_ES].s.selector);
        }
      bw_x86_push (cpu, size, old_ss.selector);
      bw_x86_push (cpu, size, old_esp);
    }
  else if (v86)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, (sel & ~3u) + ext);
  else
    dpl = cpu->cpl;

  bw_x86_push (cpu, size, flags);
  bw_x86_push (cpu, size, old_cs.selector);
  bw_x86_push (cpu, size, next_eip);
  if (has_error)
    bw_x86_push (cpu, size, error);

  if (v86)
    {
      BwX86SegState null = { 0 };
      for (int s = BW_X86_ES; s <= BW_X86_GS; s++)
        if (s != BW_X86_CS && s != BW_X86_SS)
          bw_x86_seg_set_cache (cpu, s, &null);
    }
  BwX86SegState c;
  bw_x86_desc_set_accessed (cpu, sel, chi);
  bw_x86_desc_to_cache ((sel & ~3u) | dpl, clo, chi | 0x100, &c);
  bw_x86_seg_set_cache (cpu, BW_X86_CS, &c);
  cpu->eip = gate32 ? target : target & 0xffff;
  flags &= ~(BW_X86_TF | BW_X86_NT | BW_X86_RF | BW_X86_VM);
  if (!(type & 1))
    flags &= ~BW_X86_IF;
  cpu->eflags = flags;
  cpu->lf_op = BW_X86_LF_NONE;
  bw_x86_update_align_check (cpu);
}

void
bw_x86_deliver (BwX86Cpu *cpu, int vector, gboolean soft, gboolean has_error, uint32_t error,
                uint32_t next_eip)
{
  cpu->last_vector = vector;
  cpu->deliveries++;
  if (BW_X86_UNLIKELY (cpu->trace))
    bw_x86_trace_event (cpu, vector, soft, has_error, error);
  /* INT n in V86 mode was checked by bw_x86_v86_int(); INT3 and INTO are
   * not IOPL-sensitive there. */
  if (!(cpu->cr0 & BW_X86_CR0_PE))
    deliver_real (cpu, vector, next_eip);
  else
    deliver_protected (cpu, vector, soft, has_error, error, next_eip);
  cpu->halted = FALSE;
}
