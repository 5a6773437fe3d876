/* bw-x86-debug.c: debug registers (DR0-DR3, DR6, DR7) and the run loop's
 * one-instruction path that the debugger, the trace, TF and RF use.
 *
 * The fast path pays nothing for this. Instruction breakpoints: the run
 * loop looks at a block's start only while step_check is set, and runs
 * the instructions of a page holding a breakpoint one at a time. Data
 * breakpoints: a linear page holding one gets no fast TLB entry for that
 * kind of access, so its accesses reach the slow paths of bw-x86-mem.c,
 * which call bw_x86_debug_data(). I/O breakpoints (CR4.DE) are checked
 * with the I/O permission. A hit records a trap (cpu->db_trap) that the
 * run loop delivers when the instruction has completed.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"

/* DR7: Ln/Gn in bits 2n and 2n+1, R/Wn in 16+4n, LENn in 18+4n. */
#define DR7_GD 0x2000u

static inline unsigned
dr7_rw (uint32_t dr7, unsigned n)
{
  return (dr7 >> (16 + 4 * n)) & 3;
}

/* Bytes covered by breakpoint n (LEN 10b is 8 bytes on later CPUs). */
static inline uint32_t
dr7_len (uint32_t dr7, unsigned n)
{
  static const uint8_t len[4] = { 1, 2, 8, 4 };
  return len[(dr7 >> (18 + 4 * n)) & 3];
}

void
bw_x86_debug_update (BwX86Cpu *cpu)
{
  uint32_t dr7 = cpu->dr[7];
  uint8_t x = 0, w = 0, r = 0, io = 0;
  for (unsigned n = 0; n < 4; n++)
    {
      if (!((dr7 >> (2 * n)) & 3))
        continue;
      switch (dr7_rw (dr7, n))
        {
        case 0: x |= 1u << n; break;
        case 1: w |= 1u << n; break;
        case 3: w |= 1u << n; r |= 1u << n; break;
        default: /* I/O: only with CR4.DE, undefined without */
          if (cpu->cr4 & BW_X86_CR4_DE)
            io |= 1u << n;
          break;
        }
    }
  gboolean data_changed = w != cpu->dbp_write || r != cpu->dbp_read;
  cpu->dbp_exec = x;
  cpu->dbp_write = w;
  cpu->dbp_read = r;
  cpu->dbp_io = io;
  cpu->step_check = cpu->single_step || cpu->n_breakpoints || cpu->trace || x;
  if (data_changed)
    bw_x86_tlb_flush (cpu); /* watched pages lose their fast entries */
}

/* MOV from/to DRn: DR4/DR5 are DR6/DR7 unless CR4.DE makes them #UD;
 * with DR7.GD any access is a #DB fault (BD), and GD clears so that the
 * handler can use the registers. The caller checked CPL and V86. */
static unsigned
dr_access (BwX86Cpu *cpu, unsigned reg)
{
  if (reg == 4 || reg == 5)
    {
      if (cpu->cr4 & BW_X86_CR4_DE)
        bw_x86_raise (cpu, BW_X86_EXC_UD);
      reg += 2;
    }
  if (cpu->dr[7] & DR7_GD)
    {
      cpu->dr[6] |= BW_X86_DR6_BD;
      cpu->dr[7] &= ~DR7_GD;
      bw_x86_raise (cpu, BW_X86_EXC_DB);
    }
  return reg;
}

uint32_t
bw_x86_dr_read (BwX86Cpu *cpu, unsigned reg)
{
  reg = dr_access (cpu, reg);
  switch (reg)
    {
    case 6: return (cpu->dr[6] & 0xe00fu) | 0xffff0ff0u;
    case 7: return cpu->dr[7] | 0x400u;
    default: return cpu->dr[reg];
    }
}

void
bw_x86_dr_write (BwX86Cpu *cpu, unsigned reg, uint32_t value)
{
  reg = dr_access (cpu, reg);
  switch (reg)
    {
    case 6:
      cpu->dr[6] = value & 0xe00fu;
      return;
    case 7:
      cpu->dr[7] = value & 0xffff23ffu; /* bits 11, 12, 14, 15 read 0, 10 reads 1 */
      break;
    default:
      cpu->dr[reg] = value;
      if (cpu->dbp_write | cpu->dbp_read)
        bw_x86_tlb_flush (cpu);
      break;
    }
  bw_x86_debug_update (cpu);
}

gboolean
bw_x86_debug_page_watched (BwX86Cpu *cpu, uint32_t lin, gboolean write)
{
  unsigned m = write ? cpu->dbp_write : cpu->dbp_read;
  for (unsigned n = 0; m; n++, m >>= 1)
    if ((m & 1) && ((cpu->dr[n] ^ lin) & ~0xfffu) == 0)
      return TRUE;
  return FALSE;
}

/* Breakpoints of mask whose range overlaps [addr, addr + size). */
static unsigned
match (BwX86Cpu *cpu, unsigned mask, uint32_t addr, unsigned size)
{
  unsigned hits = 0;
  for (unsigned n = 0; mask; n++, mask >>= 1)
    {
      if (!(mask & 1))
        continue;
      uint32_t len = dr7_len (cpu->dr[7], n);
      uint64_t lo = cpu->dr[n] & ~(len - 1);
      if ((uint64_t) addr < lo + len && lo < (uint64_t) addr + size)
        hits |= 1u << n;
    }
  return hits;
}

static void
record_trap (BwX86Cpu *cpu, unsigned hits)
{
  cpu->db_trap |= hits;
  /* The block ends after this instruction; the run loop delivers. */
  bw_x86_block_stop_running (cpu);
  g_atomic_int_set (&cpu->attention, 1);
}

void
bw_x86_debug_data (BwX86Cpu *cpu, uint32_t lin, unsigned size, gboolean write)
{
  unsigned hits = match (cpu, write ? cpu->dbp_write : cpu->dbp_read, lin, size);
  if (hits)
    record_trap (cpu, hits);
}

void
bw_x86_debug_io (BwX86Cpu *cpu, uint16_t port, unsigned size)
{
  unsigned hits = match (cpu, cpu->dbp_io, port, size);
  if (hits)
    record_trap (cpu, hits);
}

/* ---- the one-instruction path ------------------------------------------- */

static gboolean
on_page (uint32_t a, uint32_t lin)
{
  return ((a ^ lin) & ~0xfffu) == 0;
}

gboolean
bw_x86_debug_wants_step (BwX86Cpu *cpu)
{
  if (cpu->single_step || cpu->trace || (cpu->eflags & (BW_X86_TF | BW_X86_RF)))
    return TRUE;
  /* Blocks start no instruction on another page than their first. */
  uint32_t lin = cpu->seg[BW_X86_CS].s.base + cpu->eip;
  for (int k = 0; k < cpu->n_breakpoints; k++)
    if (on_page (cpu->breakpoints[k], lin))
      return TRUE;
  unsigned m = cpu->dbp_exec;
  for (unsigned n = 0; m; n++, m >>= 1)
    if ((m & 1) && on_page (cpu->dr[n], lin))
      return TRUE;
  return FALSE;
}

static void
deliver_db (BwX86Cpu *cpu, uint32_t dr6_bits)
{
  /* B0-B3 report this event's breakpoints; BD, BS, BT accumulate. */
  if (dr6_bits & 0xf)
    cpu->dr[6] &= ~0xfu;
  cpu->dr[6] |= dr6_bits;
  cpu->exc_first = -1;
  cpu->exc_nesting = 1;
  bw_x86_deliver (cpu, BW_X86_EXC_DB, FALSE, FALSE, 0, cpu->eip);
  cpu->exc_nesting = 0;
  /* Hits by the delivery's own pushes are dropped, or a breakpoint on
   * the handler's stack would loop. */
  cpu->db_trap = 0;
}

void
bw_x86_debug_trap (BwX86Cpu *cpu)
{
  uint32_t bits = cpu->db_trap;
  cpu->db_trap = 0;
  if (bits)
    deliver_db (cpu, bits);
}

gboolean
bw_x86_debug_step (BwX86Cpu *cpu, gboolean after_first)
{
  uint32_t lin = cpu->seg[BW_X86_CS].s.base + cpu->eip;
  if (after_first && cpu->single_step)
    return TRUE;
  if (after_first)
    for (int k = 0; k < cpu->n_breakpoints; k++)
      if (cpu->breakpoints[k] == lin)
        return TRUE;

  /* Instruction breakpoints are faults, checked before the instruction
   * unless RF says it is being resumed. */
  if (cpu->dbp_exec && !(cpu->eflags & BW_X86_RF))
    {
      unsigned hits = 0, m = cpu->dbp_exec;
      for (unsigned n = 0; m; n++, m >>= 1)
        if ((m & 1) && cpu->dr[n] == lin)
          hits |= 1u << n;
      if (hits)
        {
          cpu->dr[6] = (cpu->dr[6] & ~0xfu) | hits;
          cpu->db_fault_ibp = TRUE;
          bw_x86_raise (cpu, BW_X86_EXC_DB);
        }
    }

  /* One instruction, decoded without caching. */
  uint32_t page;
  bw_x86_decode_block (cpu, 1, &page);
  BwX86Insn one = cpu->scratch[0];
  if (cpu->trace)
    bw_x86_trace_insn (cpu, &one);
  /* RF is cleared as the instruction starts; IRET may set it again. */
  cpu->eflags &= ~BW_X86_RF;
  gboolean tf = (cpu->eflags & BW_X86_TF) != 0;
  uint64_t delivered = cpu->deliveries;
  one.fn (cpu, &one);
  if (!(one.flags & BW_X86_I_SETS_EIP))
    cpu->eip = bw_x86_next_eip (cpu, &one);
  cpu->insn_count++;

  /* Traps after it: TF set when it began (a single-step trap unless it
   * raised or called an interrupt itself) and breakpoint hits. */
  uint32_t bits = cpu->db_trap;
  cpu->db_trap = 0;
  if (tf && cpu->deliveries == delivered)
    bits |= BW_X86_DR6_BS;
  if (bits)
    deliver_db (cpu, bits);
  return FALSE;
}
