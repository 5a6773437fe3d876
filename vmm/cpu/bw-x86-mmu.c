/* bw-x86-mmu.c: linear to physical translation (2-level paging with 4 KiB
 * and 4 MiB pages; PAE with 2 MiB pages and NX; accessed/dirty bits,
 * user/supervisor and write protection).
 * The result is cached by the caller in the software TLB.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"

#define PTE_P 0x001u
#define PTE_W 0x002u
#define PTE_U 0x004u
#define PTE_A 0x020u
#define PTE_D 0x040u
#define PTE_PS 0x080u

G_NORETURN static void
page_fault (BwX86Cpu *cpu, uint32_t lin, int acc, gboolean present)
{
  uint32_t err = present ? 1 : 0;
  if (acc & BW_X86_ACC_W)
    err |= 2;
  if (cpu->cpl == 3 && !cpu->sys_access)
    err |= 4;
  cpu->sys_access = FALSE;
  if ((acc & BW_X86_ACC_X) && (cpu->efer & BW_X86_EFER_NXE))
    err |= 0x10; /* instruction fetch */
  cpu->cr2 = lin;
  bw_x86_raise_err (cpu, BW_X86_EXC_PF, err);
}

static uint64_t
read_pte64 (BwX86Cpu *cpu, uint32_t addr)
{
  uint32_t lo = bw_x86_phys_read (cpu, addr & cpu->a20_mask, 4);
  uint32_t hi = bw_x86_phys_read (cpu, (addr + 4) & cpu->a20_mask, 4);
  return ((uint64_t) hi << 32) | lo;
}

/* PAE: 3 levels of 64-bit entries, 2 MiB large pages, NX. Physical
 * addresses above 4 GiB are not reachable (the bus is 32-bit for now). */
static uint32_t
translate_pae (BwX86Cpu *cpu, uint32_t lin, int acc, gboolean *writable, gboolean *nx)
{
  gboolean user = cpu->cpl == 3 && !cpu->sys_access;
  gboolean nxe = (cpu->efer & BW_X86_EFER_NXE) != 0;
  uint32_t pdpte_addr = (cpu->cr3 & ~0x1fu) + ((lin >> 30) & 3) * 8;
  uint64_t pdpte = read_pte64 (cpu, pdpte_addr);
  if (!(pdpte & PTE_P))
    page_fault (cpu, lin, acc, FALSE);
  uint32_t pde_addr = ((uint32_t) pdpte & ~0xfffu) + ((lin >> 21) & 0x1ff) * 8;
  uint64_t pde = read_pte64 (cpu, pde_addr);
  if (!(pde & PTE_P))
    page_fault (cpu, lin, acc, FALSE);
  uint64_t rights;
  uint32_t entry_addr, phys;
  uint64_t entry;
  gboolean large = (pde & PTE_PS) != 0;
  if (large)
    {
      rights = pde;
      entry = pde;
      entry_addr = pde_addr;
      phys = ((uint32_t) pde & 0xffe00000u) | (lin & 0x1fffffu);
    }
  else
    {
      uint32_t pte_addr = ((uint32_t) pde & ~0xfffu) + ((lin >> 12) & 0x1ff) * 8;
      uint64_t pte = read_pte64 (cpu, pte_addr);
      if (!(pte & PTE_P))
        page_fault (cpu, lin, acc, FALSE);
      rights = (pde & pte & (PTE_U | PTE_W)) | ((pde | pte) & (1ull << 63));
      entry = pte;
      entry_addr = pte_addr;
      phys = ((uint32_t) pte & ~0xfffu) | (lin & 0xfff);
    }
  if (!(rights & PTE_U) && user)
    page_fault (cpu, lin, acc, TRUE);
  gboolean w = (rights & PTE_W) || (!user && !(cpu->cr0 & BW_X86_CR0_WP));
  if ((acc & BW_X86_ACC_W) && !w)
    page_fault (cpu, lin, acc, TRUE);
  *nx = nxe && (rights & (1ull << 63));
  if ((acc & BW_X86_ACC_X) && *nx)
    page_fault (cpu, lin, acc, TRUE);
  if (!large && !(pde & PTE_A))
    bw_x86_phys_write (cpu, pde_addr & cpu->a20_mask, 4, (uint32_t) pde | PTE_A);
  uint32_t nlo = (uint32_t) entry | PTE_A | ((acc & BW_X86_ACC_W) ? PTE_D : 0);
  if (nlo != (uint32_t) entry)
    bw_x86_phys_write (cpu, entry_addr & cpu->a20_mask, 4, nlo);
  *writable = w && (nlo & PTE_D);
  return phys;
}

uint32_t
bw_x86_mmu_translate (BwX86Cpu *cpu, uint32_t lin, int acc, gboolean *writable, gboolean *nx)
{
  *writable = TRUE;
  *nx = FALSE;
  if (!(cpu->cr0 & BW_X86_CR0_PG))
    return lin;
  if (cpu->cr4 & BW_X86_CR4_PAE)
    return translate_pae (cpu, lin, acc, writable, nx);

  gboolean user = cpu->cpl == 3 && !cpu->sys_access;
  uint32_t pde_addr = (cpu->cr3 & ~0xfffu) | ((lin >> 20) & 0xffc);
  uint32_t pde = bw_x86_phys_read (cpu, pde_addr & cpu->a20_mask, 4);
  if (!(pde & PTE_P))
    page_fault (cpu, lin, acc, FALSE);

  uint32_t rights, phys;
  if ((pde & PTE_PS) && (cpu->cr4 & BW_X86_CR4_PSE))
    {
      rights = pde;
      if (!(rights & PTE_U) && user)
        page_fault (cpu, lin, acc, TRUE);
      gboolean w = (rights & PTE_W) || (!user && !(cpu->cr0 & BW_X86_CR0_WP));
      if ((acc & BW_X86_ACC_W) && !w)
        page_fault (cpu, lin, acc, TRUE);
      uint32_t npde = pde | PTE_A | ((acc & BW_X86_ACC_W) ? PTE_D : 0);
      if (npde != pde)
        bw_x86_phys_write (cpu, pde_addr & cpu->a20_mask, 4, npde);
      /* Until the page is dirty, writes must come back here to set D. */
      *writable = w && (npde & PTE_D);
      phys = (pde & 0xffc00000u) | (lin & 0x3fffffu);
      return phys;
    }

  uint32_t pte_addr = (pde & ~0xfffu) | ((lin >> 10) & 0xffc);
  uint32_t pte = bw_x86_phys_read (cpu, pte_addr & cpu->a20_mask, 4);
  if (!(pte & PTE_P))
    page_fault (cpu, lin, acc, FALSE);
  rights = pde & pte;
  if (!(rights & PTE_U) && user)
    page_fault (cpu, lin, acc, TRUE);
  gboolean w = (rights & PTE_W) || (!user && !(cpu->cr0 & BW_X86_CR0_WP));
  if ((acc & BW_X86_ACC_W) && !w)
    page_fault (cpu, lin, acc, TRUE);
  if (!(pde & PTE_A))
    bw_x86_phys_write (cpu, pde_addr & cpu->a20_mask, 4, pde | PTE_A);
  uint32_t npte = pte | PTE_A | ((acc & BW_X86_ACC_W) ? PTE_D : 0);
  if (npte != pte)
    bw_x86_phys_write (cpu, pte_addr & cpu->a20_mask, 4, npte);
  *writable = w && (npte & PTE_D);
  return (pte & ~0xfffu) | (lin & 0xfff);
}
