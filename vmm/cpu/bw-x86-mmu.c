/* bw-x86-mmu.c: linear to physical translation (2-level paging, 4 KiB and
 * 4 MiB pages, accessed/dirty bits, user/supervisor and write protection).
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
  if (cpu->cpl == 3)
    err |= 4;
  cpu->cr2 = lin;
  bw_x86_raise_err (cpu, BW_X86_EXC_PF, err);
}

uint32_t
bw_x86_mmu_translate (BwX86Cpu *cpu, uint32_t lin, int acc, gboolean *writable)
{
  *writable = TRUE;
  if (!(cpu->cr0 & BW_X86_CR0_PG))
    return lin;

  gboolean user = cpu->cpl == 3;
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
