/* bw-x86-task.c: hardware task switching (JMP/CALL to a TSS or task gate,
 * interrupts through task gates, IRET with NT) for 16- and 32-bit TSSs.
 *
 * Order as the 386 does it: check the new TSS, save the outgoing state in
 * the old TSS, update busy bits and the back link, load TR, then load the
 * incoming state; a fault while loading segments is raised in the context
 * of the new task.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"
#include "vmm/cpu/bw-x86-desc.h"

static void
set_busy (BwX86Cpu *cpu, uint16_t sel, gboolean busy)
{
  uint32_t addr = cpu->gdtr.base + (sel & ~7u) + 5;
  uint32_t access = bw_x86_sys_read (cpu, addr, 1);
  access = busy ? access | 0x02 : access & ~0x02u;
  bw_x86_sys_write (cpu, addr, 1, access);
}

/* Loads a data segment register of the new task; faults are #TS. */
static void
load_task_seg (BwX86Cpu *cpu, int seg, uint16_t sel)
{
  if (cpu->eflags & BW_X86_VM)
    {
      bw_x86_seg_real (cpu, seg, sel);
      return;
    }
  if ((sel & ~3u) == 0)
    {
      if (seg == BW_X86_SS)
        bw_x86_raise_err (cpu, BW_X86_EXC_TS, 0);
      BwX86SegState null = { .selector = sel };
      bw_x86_seg_set_cache (cpu, seg, &null);
      return;
    }
  uint32_t lo, hi;
  if (!bw_x86_desc_read (cpu, sel, &lo, &hi) || !(hi & 0x1000))
    bw_x86_raise_err (cpu, BW_X86_EXC_TS, sel & ~3u);
  /* The privilege and type checks of an ordinary load, reported as #TS. */
  unsigned dpl = (hi >> 13) & 3, type = (hi >> 8) & 0x1f;
  gboolean code = (type & 0x18) == 0x18;
  if (seg == BW_X86_SS)
    {
      if (code || !(type & 2) || dpl != cpu->cpl || (sel & 3u) != cpu->cpl)
        bw_x86_raise_err (cpu, BW_X86_EXC_TS, sel & ~3u);
    }
  else if (code && !(type & 2))
    bw_x86_raise_err (cpu, BW_X86_EXC_TS, sel & ~3u);
  else if ((!code || !(type & 4)) && (dpl < cpu->cpl || dpl < (sel & 3u)))
    bw_x86_raise_err (cpu, BW_X86_EXC_TS, sel & ~3u);
  if (!(hi & 0x8000))
    bw_x86_raise_err (cpu, seg == BW_X86_SS ? BW_X86_EXC_SS : BW_X86_EXC_NP, sel & ~3u);
  bw_x86_desc_set_accessed (cpu, sel, hi);
  BwX86SegState s;
  bw_x86_desc_to_cache (sel, lo, hi | 0x100, &s);
  bw_x86_seg_set_cache (cpu, seg, &s);
}

void
bw_x86_task_switch (BwX86Cpu *cpu, uint16_t sel, uint32_t lo, uint32_t hi, int reason,
                    uint32_t next_eip, gboolean has_error, uint32_t error)
{
  unsigned type = (hi >> 8) & 0x0f;
  gboolean tss32 = (type & 0x8) != 0;
  gboolean busy = (type & 0x2) != 0;
  BwX86SegState ntss;
  bw_x86_desc_to_cache (sel, lo, hi, &ntss);

  if (sel & 4)
    bw_x86_raise_err (cpu, BW_X86_EXC_TS, sel & ~3u);
  if (!(hi & 0x8000))
    bw_x86_raise_err (cpu, BW_X86_EXC_NP, sel & ~3u);
  if (ntss.limit < (tss32 ? 0x67u : 0x2bu))
    bw_x86_raise_err (cpu, BW_X86_EXC_TS, sel & ~3u);
  if (reason == BW_X86_TASK_IRET ? !busy : busy)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, sel & ~3u);

  /* Save the outgoing task. */
  uint32_t flags = bw_x86_get_eflags (cpu);
  if (reason == BW_X86_TASK_IRET)
    flags &= ~BW_X86_NT;
  uint32_t ob = cpu->tr.base;
  gboolean old32 = (cpu->tr.attr & 0x08) != 0;
  if (old32)
    {
      bw_x86_sys_write (cpu, ob + 0x20, 4, next_eip);
      bw_x86_sys_write (cpu, ob + 0x24, 4, flags);
      for (int r = 0; r < 8; r++)
        bw_x86_sys_write (cpu, ob + 0x28 + r * 4, 4, cpu->gpr[r]);
      for (int s = 0; s < BW_X86_N_SEGS; s++)
        bw_x86_sys_write (cpu, ob + 0x48 + s * 4, 2, cpu->seg[s].s.selector);
    }
  else
    {
      bw_x86_sys_write (cpu, ob + 0x0e, 2, next_eip);
      bw_x86_sys_write (cpu, ob + 0x10, 2, flags);
      for (int r = 0; r < 8; r++)
        bw_x86_sys_write (cpu, ob + 0x12 + r * 2, 2, cpu->gpr[r]);
      for (int s = 0; s < 4; s++)
        bw_x86_sys_write (cpu, ob + 0x22 + s * 2, 2, cpu->seg[s].s.selector);
    }
  if (reason == BW_X86_TASK_JMP || reason == BW_X86_TASK_IRET)
    set_busy (cpu, cpu->tr.selector, FALSE);

  /* Read the incoming task before anything of it is loaded. */
  uint32_t nb = ntss.base;
  uint32_t eip, nflags, gpr[8], cr3 = cpu->cr3;
  uint16_t segs[BW_X86_N_SEGS] = { 0 }, ldt;
  if (tss32)
    {
      cr3 = bw_x86_sys_read (cpu, nb + 0x1c, 4);
      eip = bw_x86_sys_read (cpu, nb + 0x20, 4);
      nflags = bw_x86_sys_read (cpu, nb + 0x24, 4);
      for (int r = 0; r < 8; r++)
        gpr[r] = bw_x86_sys_read (cpu, nb + 0x28 + r * 4, 4);
      for (int s = 0; s < BW_X86_N_SEGS; s++)
        segs[s] = bw_x86_sys_read (cpu, nb + 0x48 + s * 4, 2);
      ldt = bw_x86_sys_read (cpu, nb + 0x60, 2);
    }
  else
    {
      eip = bw_x86_sys_read (cpu, nb + 0x0e, 2);
      nflags = bw_x86_sys_read (cpu, nb + 0x10, 2) | (flags & 0xffff0000u & ~BW_X86_VM);
      for (int r = 0; r < 8; r++)
        gpr[r] = (cpu->gpr[r] & 0xffff0000u) | bw_x86_sys_read (cpu, nb + 0x12 + r * 2, 2);
      for (int s = 0; s < 4; s++)
        segs[s] = bw_x86_sys_read (cpu, nb + 0x22 + s * 2, 2);
      ldt = bw_x86_sys_read (cpu, nb + 0x2a, 2);
    }
  if (reason == BW_X86_TASK_CALL)
    {
      bw_x86_sys_write (cpu, nb, 2, cpu->tr.selector);
      nflags |= BW_X86_NT;
    }
  if (reason != BW_X86_TASK_IRET)
    set_busy (cpu, sel, TRUE);

  /* Switch: TR, CR3, registers, then segments (faults now belong to the
   * new task). */
  ntss.attr |= 0x02;
  cpu->tr = ntss;
  cpu->cr0 |= BW_X86_CR0_TS;
  if (tss32 && (cpu->cr0 & BW_X86_CR0_PG) && cr3 != cpu->cr3)
    {
      cpu->cr3 = cr3;
      bw_x86_tlb_flush (cpu);
    }
  else if (tss32)
    cpu->cr3 = cr3;
  memcpy (cpu->gpr, gpr, sizeof gpr);
  cpu->eip = eip;
  cpu->eflags = (nflags & ~0x8028u) | 2;
  cpu->lf_op = BW_X86_LF_NONE;
  bw_x86_update_align_check (cpu);

  /* Selectors first without checks, so that a fault below leaves them
   * visible to the handler, as on the 386. */
  for (int s = 0; s < BW_X86_N_SEGS; s++)
    cpu->seg[s].s.selector = segs[s];
  if ((ldt & ~3u) == 0)
    cpu->ldtr = (BwX86SegState){ .selector = ldt };
  else
    {
      uint32_t llo, lhi;
      if ((ldt & 4) || !bw_x86_desc_read (cpu, ldt, &llo, &lhi) || ((lhi >> 8) & 0x1f) != 0x02)
        bw_x86_raise_err (cpu, BW_X86_EXC_TS, ldt & ~3u);
      if (!(lhi & 0x8000))
        bw_x86_raise_err (cpu, BW_X86_EXC_TS, ldt & ~3u);
      bw_x86_desc_to_cache (ldt, llo, lhi, &cpu->ldtr);
    }

  if (cpu->eflags & BW_X86_VM)
    {
      bw_x86_set_cpl (cpu, 3);
      for (int s = 0; s < BW_X86_N_SEGS; s++)
        bw_x86_seg_real (cpu, s, segs[s]);
    }
  else
    {
      /* CS decides the new CPL. */
      uint16_t cs = segs[BW_X86_CS];
      uint32_t clo, chi;
      if ((cs & ~3u) == 0 || !bw_x86_desc_read (cpu, cs, &clo, &chi) || (chi & 0x1800) != 0x1800)
        bw_x86_raise_err (cpu, BW_X86_EXC_TS, cs & ~3u);
      unsigned dpl = (chi >> 13) & 3;
      if ((chi & 0x400) ? dpl > (cs & 3u) : dpl != (cs & 3u))
        bw_x86_raise_err (cpu, BW_X86_EXC_TS, cs & ~3u);
      if (!(chi & 0x8000))
        bw_x86_raise_err (cpu, BW_X86_EXC_NP, cs & ~3u);
      bw_x86_set_cpl (cpu, cs & 3u);
      BwX86SegState c;
      bw_x86_desc_set_accessed (cpu, cs, chi);
      bw_x86_desc_to_cache (cs, clo, chi | 0x100, &c);
      bw_x86_seg_set_cache (cpu, BW_X86_CS, &c);
      load_task_seg (cpu, BW_X86_SS, segs[BW_X86_SS]);
      for (int s = BW_X86_ES; s <= BW_X86_GS; s++)
        if (s != BW_X86_CS && s != BW_X86_SS)
          load_task_seg (cpu, s, segs[s]);
    }
  if (eip > cpu->seg[BW_X86_CS].hi)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  if (has_error)
    bw_x86_push (cpu, tss32 ? 4 : 2, error);
  /* Local breakpoints (L0-L3, LE) belong to the old task; the new TSS's
   * T flag asks for a #DB trap (BT) before its first instruction. */
  if (cpu->dr[7] & 0x155u)
    {
      cpu->dr[7] &= ~0x155u;
      bw_x86_debug_update (cpu);
    }
  if (tss32 && (bw_x86_sys_read (cpu, nb + 0x64, 2) & 1))
    {
      cpu->db_trap |= BW_X86_DR6_BT;
      g_atomic_int_set (&cpu->attention, 1);
    }
}
