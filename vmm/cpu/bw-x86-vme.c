/* bw-x86-vme.c: the virtual-8086 mode extensions (CR4.VME) and protected-
 * mode virtual interrupts (CR4.PVI).
 *
 * Without them a V86 task with IOPL < 3 faults on CLI, STI, PUSHF, POPF,
 * INT n and IRET, and its monitor emulates each. With VME the CPU does
 * the common cases itself: the interrupt-enable flag those instructions
 * see is VIF, a #GP is left only for the moment a pending virtual
 * interrupt (VIP) would become deliverable, and INT n is sent back to the
 * 8086 program's own vector table when its bit in the TSS redirection
 * bitmap is clear. PVI gives CLI and STI at CPL 3 the same VIF meaning.
 * The run loop and the handlers come here only on those paths.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"

static inline unsigned
iopl (BwX86Cpu *cpu)
{
  return (cpu->eflags >> 12) & 3;
}

gboolean
bw_x86_vif_cli_sti (BwX86Cpu *cpu, gboolean sti)
{
  /* The caller found CPL > IOPL in protected or V86 mode. */
  if ((cpu->eflags & BW_X86_VM) ? !(cpu->cr4 & BW_X86_CR4_VME)
                                : !(cpu->cpl == 3 && (cpu->cr4 & BW_X86_CR4_PVI)))
    return FALSE;
  if (!sti)
    cpu->eflags &= ~BW_X86_VIF;
  else if (cpu->eflags & BW_X86_VIP)
    return FALSE; /* the monitor delivers the pending interrupt */
  else
    cpu->eflags |= BW_X86_VIF;
  return TRUE;
}

/* The FLAGS image V86 code sees with IOPL < 3: VIF in IF's place, IOPL 3. */
static uint32_t
virtual_flags (BwX86Cpu *cpu)
{
  uint32_t f = bw_x86_get_eflags (cpu) & 0xffff & ~BW_X86_IF;
  return f | BW_X86_IOPL | ((cpu->eflags & BW_X86_VIF) ? BW_X86_IF : 0);
}

/* Loads FLAGS popped by POPF or IRET with VME: IF goes to VIF, IOPL and
 * IF stay. Setting IF while VIP is set, or TF at all, is for the
 * monitor (#GP) and changes nothing. */
static void
check_virtual_flags (BwX86Cpu *cpu, uint32_t f)
{
  if ((f & BW_X86_TF) || ((f & BW_X86_IF) && (cpu->eflags & BW_X86_VIP)))
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
}

static void
load_virtual_flags (BwX86Cpu *cpu, uint32_t f)
{
  bw_x86_write_eflags (cpu, f, BW_X86_ARITH_FLAGS | BW_X86_TF | BW_X86_DF | BW_X86_NT);
  cpu->eflags = (cpu->eflags & ~BW_X86_VIF) | ((f & BW_X86_IF) ? BW_X86_VIF : 0);
}

/* PUSHF, POPF, IRET in V86 mode with IOPL < 3: only the 16-bit forms
 * have VME meanings; the 32-bit ones fault as without VME. */
void
bw_x86_vme_pushf (BwX86Cpu *cpu, gboolean o32)
{
  if (!bw_x86_vme (cpu) || o32)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  bw_x86_push (cpu, 2, virtual_flags (cpu));
}

void
bw_x86_vme_popf (BwX86Cpu *cpu, gboolean o32)
{
  if (!bw_x86_vme (cpu) || o32)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  uint32_t f = bw_x86_stack_peek (cpu, 0, 2);
  check_virtual_flags (cpu, f);
  bw_x86_set_sp (cpu, cpu->gpr[BW_X86_ESP] + 2);
  load_virtual_flags (cpu, f);
}

void
bw_x86_vme_iret (BwX86Cpu *cpu, gboolean o32)
{
  if (!bw_x86_vme (cpu) || o32)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  uint32_t ip = bw_x86_stack_peek (cpu, 0, 2);
  uint16_t cs = (uint16_t) bw_x86_stack_peek (cpu, 2, 2);
  uint32_t f = bw_x86_stack_peek (cpu, 4, 2);
  check_virtual_flags (cpu, f);
  bw_x86_seg_real (cpu, BW_X86_CS, cs);
  cpu->eip = ip;
  bw_x86_set_sp (cpu, cpu->gpr[BW_X86_ESP] + 6);
  load_virtual_flags (cpu, f);
  cpu->nmi_blocked = FALSE;
}

/* Bit vector of the TSS's interrupt redirection bitmap, the 32 bytes
 * below the I/O permission bitmap; #GP(0) where it cannot be read. */
static gboolean
redirect_bit (BwX86Cpu *cpu, int vector)
{
  unsigned type = cpu->tr.attr & 0x0f;
  if ((type != 0x09 && type != 0x0b) || cpu->tr.limit < 0x67)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  uint32_t base = bw_x86_sys_read (cpu, cpu->tr.base + 0x66, 2);
  uint32_t off = base - 32 + (uint32_t) vector / 8;
  if (base < 32 || off > cpu->tr.limit)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  return (bw_x86_sys_read (cpu, cpu->tr.base + off, 1) >> (vector & 7)) & 1;
}

/* INT n sent to the 8086 program's own handler: its vector table at
 * linear 0, its stack, FLAGS as the program sees them. */
static void
redirect (BwX86Cpu *cpu, int vector, uint32_t next_eip)
{
  if (BW_X86_UNLIKELY (cpu->trace))
    bw_x86_trace_event (cpu, vector, TRUE, FALSE, 0);
  uint32_t entry = bw_x86_lin_read (cpu, (uint32_t) vector * 4, 4);
  uint32_t flags = iopl (cpu) == 3 ? bw_x86_get_eflags (cpu) & 0xffff : virtual_flags (cpu);
  uint32_t sp = cpu->gpr[BW_X86_ESP];
  bw_x86_write (cpu, BW_X86_SS, (sp - 2) & 0xffff, 2, flags);
  bw_x86_write (cpu, BW_X86_SS, (sp - 4) & 0xffff, 2, cpu->seg[BW_X86_CS].s.selector);
  bw_x86_write (cpu, BW_X86_SS, (sp - 6) & 0xffff, 2, next_eip & 0xffff);
  cpu->gpr[BW_X86_ESP] = (sp & ~0xffffu) | ((sp - 6) & 0xffff);
  cpu->eflags &= ~(BW_X86_TF | (iopl (cpu) == 3 ? BW_X86_IF : BW_X86_VIF));
  bw_x86_seg_real (cpu, BW_X86_CS, entry >> 16);
  cpu->eip = entry & 0xffff;
  cpu->last_vector = vector;
  cpu->deliveries++;
}

void
bw_x86_v86_int (BwX86Cpu *cpu, int vector, uint32_t next_eip)
{
  if ((cpu->cr4 & BW_X86_CR4_VME) && !redirect_bit (cpu, vector))
    {
      redirect (cpu, vector, next_eip);
      return;
    }
  /* To the protected-mode handler, which needs IOPL 3. */
  if (iopl (cpu) < 3)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  bw_x86_deliver (cpu, vector, TRUE, FALSE, 0, next_eip);
}
