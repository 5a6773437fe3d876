/* bw-x86-mem.c: the software TLB and the slow paths of memory access.
 *
 * The fast path (inline in bw-x86-private.h) is one compare of the linear
 * page with the TLB entry's tag and a host-pointer access. Everything else
 * lands here: TLB misses, accesses crossing a page, MMIO, ROM writes, and
 * writes to pages holding decoded code, which must drop that code first.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"

void
bw_x86_tlb_flush (BwX86Cpu *cpu)
{
  cpu->block_gen++; /* block links are by linear address */
  for (unsigned k = 0; k < BW_X86_TLB_SIZE; k++)
    {
      cpu->tlb[k].tag_r = BW_X86_TLB_NONE;
      cpu->tlb[k].tag_w = BW_X86_TLB_NONE;
      cpu->tlb[k].host = NULL;
    }
}

void
bw_x86_tlb_flush_page (BwX86Cpu *cpu, uint32_t lin)
{
  BwX86TlbEntry *e = &cpu->tlb[(lin >> 12) & (BW_X86_TLB_SIZE - 1)];
  e->tag_r = e->tag_w = BW_X86_TLB_NONE;
  cpu->block_gen++;
}

void
bw_x86_tlb_protect_phys (BwX86Cpu *cpu, uint32_t phys_page)
{
  for (unsigned k = 0; k < BW_X86_TLB_SIZE; k++)
    if (cpu->tlb[k].tag_w != BW_X86_TLB_NONE && cpu->tlb[k].phys_page == phys_page)
      cpu->tlb[k].tag_w = BW_X86_TLB_NONE;
}

/* Fills the TLB entry of lin for an access of kind acc (raising #PF as the
 * page tables say) and returns it. Fast write access is only granted to
 * RAM pages without decoded code. */
BwX86TlbEntry *
bw_x86_tlb_fill (BwX86Cpu *cpu, uint32_t lin, int acc)
{
  gboolean writable = TRUE, nx = FALSE;
  uint32_t phys = bw_x86_mmu_translate (cpu, lin, acc, &writable, &nx) & cpu->a20_mask;
  uint32_t page = phys & ~0xfffu;
  BwX86TlbEntry *e = &cpu->tlb[(lin >> 12) & (BW_X86_TLB_SIZE - 1)];

  if (e->tag_r != (lin & ~0xfffu) || e->phys_page != page)
    {
      e->tag_r = e->tag_w = BW_X86_TLB_NONE;
      e->phys_page = page;
      e->host = cpu->bus.map_page (cpu->bus.opaque, page, FALSE);
      e->addend = (uintptr_t) e->host - (lin & ~0xfffu);
      if (e->host && !(cpu->dbp_read && bw_x86_debug_page_watched (cpu, lin, FALSE)))
        e->tag_r = lin & ~0xfffu;
    }
  if (BW_X86_UNLIKELY (cpu->align_check))
    e->tag_r = BW_X86_TLB_NONE; /* every access must reach the slow path */
  e->nx = nx;
  if (!cpu->align_check && (acc & BW_X86_ACC_W) && writable && e->host && e->tag_w == BW_X86_TLB_NONE
      && !bw_x86_page_has_code (cpu, page)
      && !(cpu->dbp_write && bw_x86_debug_page_watched (cpu, lin, TRUE)))
    {
      uint8_t *w = cpu->bus.map_page (cpu->bus.opaque, page, TRUE);
      if (w == e->host)
        e->tag_w = lin & ~0xfffu;
    }
  return e;
}

uint32_t
bw_x86_phys_read (BwX86Cpu *cpu, uint32_t paddr, unsigned size)
{
  uint8_t *h = cpu->bus.map_page (cpu->bus.opaque, paddr & ~0xfffu, FALSE);
  if (h)
    {
      uint32_t v = 0;
      for (unsigned k = 0; k < size; k++)
        v |= (uint32_t) h[(paddr & 0xfff) + k] << (8 * k);
      return v;
    }
  return cpu->bus.mmio_read (cpu->bus.opaque, paddr, size);
}

void
bw_x86_phys_write (BwX86Cpu *cpu, uint32_t paddr, unsigned size, uint32_t value)
{
  uint32_t page = paddr & ~0xfffu;
  if (bw_x86_page_has_code (cpu, page))
    bw_x86_block_invalidate_page (cpu, page);
  uint8_t *h = cpu->bus.map_page (cpu->bus.opaque, page, TRUE);
  if (h)
    {
      for (unsigned k = 0; k < size; k++)
        h[(paddr & 0xfff) + k] = (uint8_t) (value >> (8 * k));
      return;
    }
  cpu->bus.mmio_write (cpu->bus.opaque, paddr, size, value);
}

void
bw_x86_update_align_check (BwX86Cpu *cpu)
{
  gboolean on = cpu->cpl == 3 && (cpu->cr0 & BW_X86_CR0_AM) && (cpu->eflags & BW_X86_AC);
  if (on && !cpu->align_check)
    {
      cpu->align_check = TRUE;
      bw_x86_tlb_flush (cpu); /* no fast entries while checking */
    }
  cpu->align_check = on;
}

uint32_t
bw_x86_lin_read_slow (BwX86Cpu *cpu, uint32_t lin, unsigned size)
{
  bw_x86_check_align (cpu, lin, size);
  if (BW_X86_UNLIKELY (cpu->dbp_read))
    bw_x86_debug_data (cpu, lin, size, FALSE);
  if ((lin & 0xfff) > 4096 - size)
    {
      /* Crosses a page: byte by byte, each page translated on its own. */
      uint32_t v = 0;
      for (unsigned k = 0; k < size; k++)
        v |= bw_x86_lin_read (cpu, lin + k, 1) << (8 * k);
      return v;
    }
  BwX86TlbEntry *e = bw_x86_tlb_fill (cpu, lin, BW_X86_ACC_R);
  if (e->host)
    {
      /* Not through the fast path: a watched page has no read tag. */
      const uint8_t *p = e->host + (lin & 0xfff);
      uint32_t v = 0;
      for (unsigned k = 0; k < size; k++)
        v |= (uint32_t) p[k] << (8 * k);
      return v;
    }
  return cpu->bus.mmio_read (cpu->bus.opaque, e->phys_page | (lin & 0xfff), size);
}

void
bw_x86_lin_write_slow (BwX86Cpu *cpu, uint32_t lin, unsigned size, uint32_t value)
{
  bw_x86_check_align (cpu, lin, size);
  if (BW_X86_UNLIKELY (cpu->dbp_write))
    bw_x86_debug_data (cpu, lin, size, TRUE);
  if ((lin & 0xfff) > 4096 - size)
    {
      /* Both pages must be writable before either byte is stored. */
      bw_x86_tlb_fill (cpu, lin, BW_X86_ACC_W);
      bw_x86_tlb_fill (cpu, lin + size - 1, BW_X86_ACC_W);
      for (unsigned k = 0; k < size; k++)
        bw_x86_lin_write (cpu, lin + k, 1, value >> (8 * k));
      return;
    }
  BwX86TlbEntry *e = bw_x86_tlb_fill (cpu, lin, BW_X86_ACC_W);
  if (e->tag_w == (lin & ~0xfffu))
    {
      bw_x86_lin_write (cpu, lin, size, value);
      return;
    }
  /* ROM, MMIO or a page with decoded code. */
  bw_x86_phys_write (cpu, e->phys_page | (lin & 0xfff), size, value);
}

void
bw_x86_probe_write_slow (BwX86Cpu *cpu, uint32_t lin, unsigned size)
{
  bw_x86_check_align (cpu, lin, size);
  bw_x86_tlb_fill (cpu, lin, BW_X86_ACC_W);
  if ((lin & 0xfff) > 4096 - size)
    bw_x86_tlb_fill (cpu, lin + size - 1, BW_X86_ACC_W);
}

/* Translates one byte of an implicit supervisor access at CPL 3. No TLB
 * entry is made: it would carry supervisor rights into user mode. */
static uint32_t
sys_phys (BwX86Cpu *cpu, uint32_t lin, int acc)
{
  gboolean writable, nx;
  cpu->sys_access = TRUE;
  uint32_t phys = bw_x86_mmu_translate (cpu, lin, acc, &writable, &nx);
  cpu->sys_access = FALSE;
  return phys & cpu->a20_mask;
}

uint32_t
bw_x86_sys_read (BwX86Cpu *cpu, uint32_t lin, unsigned size)
{
  /* At CPL 3 byte by byte (never alignment-checked), paging on or off. */
  if (cpu->cpl != 3)
    return bw_x86_lin_read (cpu, lin, size);
  uint32_t v = 0;
  for (unsigned k = 0; k < size; k++)
    v |= bw_x86_phys_read (cpu, sys_phys (cpu, lin + k, BW_X86_ACC_R), 1) << (8 * k);
  return v;
}

void
bw_x86_sys_write (BwX86Cpu *cpu, uint32_t lin, unsigned size, uint32_t value)
{
  if (cpu->cpl != 3)
    {
      bw_x86_lin_write (cpu, lin, size, value);
      return;
    }
  /* Every byte translated (and checked) before any is stored. */
  uint32_t phys[4];
  for (unsigned k = 0; k < size && k < 4; k++)
    phys[k] = sys_phys (cpu, lin + k, BW_X86_ACC_W);
  for (unsigned k = 0; k < size && k < 4; k++)
    bw_x86_phys_write (cpu, phys[k], 1, (value >> (8 * k)) & 0xff);
}
