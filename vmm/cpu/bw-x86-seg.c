/* bw-x86-seg.c: segment registers and their descriptor caches.
 *
 * Every load fills the cache and precomputes what the memory fast path
 * checks: the valid offset range (expand-down segments included) and the
 * read/write rights.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"
#include "vmm/cpu/bw-x86-desc.h"

G_NORETURN void
bw_x86_seg_fault (BwX86Cpu *cpu, int seg)
{
  bw_x86_raise_err (cpu, seg == BW_X86_SS ? BW_X86_EXC_SS : BW_X86_EXC_GP, 0);
}

void
bw_x86_seg_set_cache (BwX86Cpu *cpu, int seg, const BwX86SegState *s)
{
  BwX86Seg *d = &cpu->seg[seg];
  uint8_t type = s->attr & 0x1f; /* S bit and type */
  d->s = *s;
  d->big = (s->attr >> 14) & 1;
  cpu->flat0 &= ~(3u << (2 * seg));

  if (!(s->attr & BW_X86_DESC_P))
    {
      /* A null or unusable selector: any access faults. */
      d->lo = 1;
      d->hi = 0;
      d->rights = 0;
      d->flat = 0;
      return;
    }
  if ((type & 0x18) == 0x10 && (type & 0x04))
    {
      /* Expand-down data segment: offsets above the limit. */
      d->lo = s->limit + 1;
      d->hi = d->big ? 0xffffffffu : 0xffffu;
    }
  else
    {
      d->lo = 0;
      d->hi = s->limit;
    }
  if (!bw_x86_pmode (cpu))
    /* Real and V86 mode: only the limit is checked. */
    d->rights = BW_X86_ACC_R | BW_X86_ACC_W | BW_X86_ACC_X;
  else if (type & 0x08)
    d->rights = BW_X86_ACC_X | ((type & 0x02) ? BW_X86_ACC_R : 0);
  else
    d->rights = BW_X86_ACC_R | ((type & 0x02) ? BW_X86_ACC_W : 0);
  /* The fast path of bw_x86_seg_lin(). */
  d->flat = d->lo == 0 && d->hi == 0xffffffffu ? d->rights : 0;
  if (s->base == 0)
    cpu->flat0 |= (uint32_t) (((d->flat & BW_X86_ACC_R) ? 1 : 0)
                              | ((d->flat & BW_X86_ACC_W) ? 2 : 0)) << (2 * seg);
}

/* Real and virtual-8086 mode: base = selector * 16, 64 KiB, read/write.
 * The limit and attributes of the cache are kept in real mode (that is
 * what "unreal mode" relies on); V86 mode forces them. */
void
bw_x86_seg_real (BwX86Cpu *cpu, int seg, uint16_t selector)
{
  BwX86SegState s = cpu->seg[seg].s;
  s.selector = selector;
  s.base = (uint32_t) selector << 4;
  if ((cpu->eflags & BW_X86_VM) || !(s.attr & BW_X86_DESC_P))
    {
      s.limit = 0xffff;
      s.attr = BW_X86_DESC_P | BW_X86_DESC_S | 0x02 | (seg == BW_X86_CS ? 0x08 : 0)
               | ((cpu->eflags & BW_X86_VM) ? 0x60 : 0);
    }
  bw_x86_seg_set_cache (cpu, seg, &s);
}

gboolean
bw_x86_desc_read (BwX86Cpu *cpu, uint16_t selector, uint32_t *lo, uint32_t *hi)
{
  uint32_t base, limit;
  if (selector & 4)
    {
      if (!(cpu->ldtr.attr & BW_X86_DESC_P))
        return FALSE;
      base = cpu->ldtr.base;
      limit = cpu->ldtr.limit;
    }
  else
    {
      base = cpu->gdtr.base;
      limit = cpu->gdtr.limit;
    }
  uint32_t off = selector & ~7u;
  if (off + 7 > limit)
    return FALSE;
  *lo = bw_x86_sys_read (cpu, base + off, 4);
  *hi = bw_x86_sys_read (cpu, base + off + 4, 4);
  return TRUE;
}

void
bw_x86_desc_set_accessed (BwX86Cpu *cpu, uint16_t selector, uint32_t hi)
{
  if (hi & 0x100)
    return;
  uint32_t base = (selector & 4) ? cpu->ldtr.base : cpu->gdtr.base;
  bw_x86_sys_write (cpu, base + (selector & ~7u) + 5, 1, ((hi >> 8) & 0xff) | 1);
}

void
bw_x86_desc_to_cache (uint16_t selector, uint32_t lo, uint32_t hi, BwX86SegState *s)
{
  s->selector = selector;
  s->base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
  uint32_t limit = (lo & 0xffff) | (hi & 0xf0000u);
  if (hi & 0x800000u)
    limit = (limit << 12) | 0xfff;
  s->limit = limit;
  s->attr = (uint16_t) (((hi >> 8) & 0xff) | ((hi >> 8) & 0xf000));
}

void
bw_x86_load_seg (BwX86Cpu *cpu, int seg, uint16_t selector)
{
  if (!bw_x86_pmode (cpu))
    {
      bw_x86_seg_real (cpu, seg, selector);
      return;
    }

  uint16_t idx_err = selector & ~3u;
  unsigned rpl = selector & 3, cpl = cpu->cpl;
  if ((selector & ~3u) == 0)
    {
      if (seg == BW_X86_SS)
        bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
      BwX86SegState null = { .selector = selector };
      bw_x86_seg_set_cache (cpu, seg, &null);
      return;
    }

  uint32_t lo, hi;
  if (!bw_x86_desc_read (cpu, selector, &lo, &hi))
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, idx_err);
  unsigned dpl = (hi >> 13) & 3;
  unsigned type = (hi >> 8) & 0x1f;
  gboolean code = (type & 0x18) == 0x18, data = (type & 0x18) == 0x10;

  if (seg == BW_X86_SS)
    {
      if (rpl != cpl || dpl != cpl || !data || !(type & 0x02))
        bw_x86_raise_err (cpu, BW_X86_EXC_GP, idx_err);
      if (!(hi & 0x8000))
        bw_x86_raise_err (cpu, BW_X86_EXC_SS, idx_err);
    }
  else
    {
      if (!data && !(code && (type & 0x02)))
        bw_x86_raise_err (cpu, BW_X86_EXC_GP, idx_err);
      /* Data and non-conforming code: DPL must be >= CPL and RPL. */
      if ((data || !(type & 0x04)) && (dpl < cpl || dpl < rpl))
        bw_x86_raise_err (cpu, BW_X86_EXC_GP, idx_err);
      if (!(hi & 0x8000))
        bw_x86_raise_err (cpu, BW_X86_EXC_NP, idx_err);
    }
  bw_x86_desc_set_accessed (cpu, selector, hi);
  BwX86SegState s;
  bw_x86_desc_to_cache (selector, lo, hi | 0x100, &s);
  bw_x86_seg_set_cache (cpu, seg, &s);
}

void
bw_x86_seg_refresh_all (BwX86Cpu *cpu)
{
  for (int s = 0; s < BW_X86_N_SEGS; s++)
    {
      BwX86SegState st = cpu->seg[s].s;
      bw_x86_seg_set_cache (cpu, s, &st);
    }
}

void
bw_x86_set_cpl (BwX86Cpu *cpu, unsigned cpl)
{
  /* The TLB does not remember user/supervisor rights separately. */
  if ((cpl == 3) != (cpu->cpl == 3) && (cpu->cr0 & BW_X86_CR0_PG))
    bw_x86_tlb_flush (cpu);
  cpu->cpl = cpl;
  bw_x86_update_align_check (cpu);
}
