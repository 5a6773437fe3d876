/* bw-x86-cpu.c: the CPU object, its run loop and the platform's entry
 * points.
 *
 * The run loop works in blocks: at each block boundary it picks up what
 * other threads asked for (exit, A20, code invalidation), delivers pending
 * interrupts, then looks up the decoded block at CS:EIP and interprets it.
 * A later recompiler replaces bw_x86_exec_block() for hot blocks.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"
#include "vmm/cpu/bw-x86-desc.h"

/* Invalidation requests from other threads (DMA), applied at the next
 * block boundary. */
typedef struct
{
  uint64_t addr, len;
} Range;

static GMutex pending_lock;

BwX86Cpu *
bw_x86_cpu_new (const BwX86Bus *bus, const BwX86Config *config)
{
  BwX86Cpu *cpu = g_new0 (BwX86Cpu, 1);
  cpu->bus = *bus;
  if (config)
    cpu->config = *config;
  cpu->last_vector = -1;
  cpu->attention = 1;
  cpu->pending_ranges = g_array_new (FALSE, FALSE, sizeof (Range));
  bw_x86_block_init (cpu);
  bw_x86_jit_init (cpu);
  bw_x86_cpu_reset (cpu);
  return cpu;
}

void
bw_x86_cpu_free (BwX86Cpu *cpu)
{
  if (!cpu)
    return;
  bw_x86_trace_free (cpu);
  bw_x86_block_fini (cpu);
  bw_x86_jit_fini (cpu);
  g_array_unref (cpu->pending_ranges);
  g_free (cpu);
}

static void
reset_common (BwX86Cpu *cpu)
{
  memset (cpu->gpr, 0, sizeof cpu->gpr);
  cpu->gpr[BW_X86_EDX] = 0x00000633; /* family 6, model 3, stepping 3 */
  cpu->eflags = 0x2;
  cpu->lf_op = BW_X86_LF_NONE;
  cpu->cr0 = BW_X86_CR0_ET | (cpu->cr0 & (BW_X86_CR0_CD | BW_X86_CR0_NW));
  cpu->cr2 = cpu->cr3 = cpu->cr4 = 0;
  cpu->cpl = 0;
  cpu->align_check = FALSE;
  for (int s = 0; s < BW_X86_N_SEGS; s++)
    {
      BwX86SegState st = { .selector = 0, .base = 0, .limit = 0xffff,
                           .attr = BW_X86_DESC_P | BW_X86_DESC_S | 0x03 };
      if (s == BW_X86_CS)
        {
          st.selector = 0xf000;
          st.base = 0xffff0000u;
          st.attr = BW_X86_DESC_P | BW_X86_DESC_S | 0x0b;
        }
      bw_x86_seg_set_cache (cpu, s, &st);
    }
  cpu->eip = 0xfff0;
  cpu->gdtr = (BwX86TableReg){ 0, 0xffff };
  cpu->idtr = (BwX86TableReg){ 0, 0xffff };
  cpu->ldtr = (BwX86SegState){ .limit = 0xffff, .attr = BW_X86_DESC_P | 0x02 };
  cpu->tr = (BwX86SegState){ .limit = 0xffff, .attr = BW_X86_DESC_P | 0x0b };
  cpu->halted = FALSE;
  cpu->nmi_blocked = FALSE;
  cpu->irq_shadow = FALSE;
  g_atomic_int_set (&cpu->nmi_pending, 0);
  memset (cpu->dr, 0, sizeof cpu->dr);
  cpu->db_trap = 0;
  bw_x86_debug_update (cpu);
  bw_x86_tlb_flush (cpu);
}

void
bw_x86_cpu_reset (BwX86Cpu *cpu)
{
  cpu->cr0 = BW_X86_CR0_CD | BW_X86_CR0_NW;
  reset_common (cpu);
  cpu->a20_mask = 0xffffffffu;
  cpu->tsc_offset = -bw_x86_tsc_raw (cpu); /* the TSC counts from reset */
  cpu->efer = 0;
  bw_x86_fpu_init (cpu);
  bw_x86_sse_reset (cpu);
  bw_x86_block_flush_all (cpu);
}

void
bw_x86_cpu_init (BwX86Cpu *cpu)
{
  reset_common (cpu);
}

void
bw_x86_cpu_get_state (BwX86Cpu *cpu, BwX86State *st)
{
  memcpy (st->gpr, cpu->gpr, sizeof st->gpr);
  st->eip = cpu->eip;
  st->eflags = bw_x86_get_eflags (cpu);
  for (int s = 0; s < BW_X86_N_SEGS; s++)
    st->seg[s] = cpu->seg[s].s;
  st->ldtr = cpu->ldtr;
  st->tr = cpu->tr;
  st->gdtr = cpu->gdtr;
  st->idtr = cpu->idtr;
  st->cr0 = cpu->cr0;
  st->cr2 = cpu->cr2;
  st->cr3 = cpu->cr3;
  st->cr4 = cpu->cr4;
}

void
bw_x86_cpu_set_state (BwX86Cpu *cpu, const BwX86State *st)
{
  memcpy (cpu->gpr, st->gpr, sizeof st->gpr);
  cpu->eip = st->eip;
  cpu->eflags = (st->eflags & ~0x8028u) | 2;
  cpu->lf_op = BW_X86_LF_NONE;
  cpu->cr0 = st->cr0 | BW_X86_CR0_ET;
  cpu->cr2 = st->cr2;
  cpu->cr3 = st->cr3;
  cpu->cr4 = st->cr4;
  for (int s = 0; s < BW_X86_N_SEGS; s++)
    bw_x86_seg_set_cache (cpu, s, &st->seg[s]);
  cpu->ldtr = st->ldtr;
  cpu->tr = st->tr;
  cpu->gdtr = st->gdtr;
  cpu->idtr = st->idtr;
  if (cpu->eflags & BW_X86_VM)
    cpu->cpl = 3;
  else if (cpu->cr0 & BW_X86_CR0_PE)
    cpu->cpl = BW_X86_DESC_DPL (st->seg[BW_X86_SS].attr);
  else
    cpu->cpl = 0;
  cpu->halted = FALSE;
  cpu->last_vector = -1;
  /* Decoded blocks stay: they are keyed by physical address and mode. */
  bw_x86_tlb_flush (cpu);
  bw_x86_update_align_check (cpu);
}

/* ---- entry points ----------------------------------------------------- */

void
bw_x86_cpu_set_intr (BwX86Cpu *cpu, bool level)
{
  g_atomic_int_set (&cpu->intr_level, level ? 1 : 0);
}

void
bw_x86_cpu_raise_nmi (BwX86Cpu *cpu)
{
  g_atomic_int_set (&cpu->nmi_pending, 1);
}

void
bw_x86_cpu_set_a20 (BwX86Cpu *cpu, bool enabled)
{
  g_atomic_int_set (&cpu->a20_change, enabled ? 2 : 1);
  g_atomic_int_set (&cpu->attention, 1);
}

void
bw_x86_cpu_invalidate_code (BwX86Cpu *cpu, uint64_t addr, uint64_t len)
{
  Range r = { addr, len };
  g_mutex_lock (&pending_lock);
  g_array_append_val (cpu->pending_ranges, r);
  g_atomic_int_set (&cpu->ranges_pending, 1);
  g_mutex_unlock (&pending_lock);
  g_atomic_int_set (&cpu->attention, 1);
}

void
bw_x86_cpu_flush_mappings (BwX86Cpu *cpu)
{
  g_atomic_int_set (&cpu->flush_request, 1);
  g_atomic_int_set (&cpu->attention, 1);
}

void
bw_x86_cpu_request_exit (BwX86Cpu *cpu)
{
  g_atomic_int_set (&cpu->exit_request, 1);
  g_atomic_int_set (&cpu->attention, 1);
}

bool
bw_x86_cpu_interrupt_deliverable (BwX86Cpu *cpu)
{
  if (g_atomic_int_get (&cpu->nmi_pending) && !cpu->nmi_blocked)
    return TRUE;
  return g_atomic_int_get (&cpu->intr_level) && (cpu->eflags & BW_X86_IF);
}

bool
bw_x86_cpu_is_halted (BwX86Cpu *cpu)
{
  return cpu->halted;
}

uint64_t
bw_x86_cpu_get_insn_count (BwX86Cpu *cpu)
{
  return cpu->insn_count;
}

void
bw_x86_cpu_set_single_step (BwX86Cpu *cpu, bool on)
{
  cpu->single_step = on;
  bw_x86_debug_update (cpu);
}

void
bw_x86_cpu_set_breakpoint (BwX86Cpu *cpu, uint32_t linear, bool on)
{
  for (int k = 0; k < cpu->n_breakpoints; k++)
    if (cpu->breakpoints[k] == linear)
      {
        if (!on)
          cpu->breakpoints[k] = cpu->breakpoints[--cpu->n_breakpoints];
        return;
      }
  if (on && cpu->n_breakpoints < (int) G_N_ELEMENTS (cpu->breakpoints))
    cpu->breakpoints[cpu->n_breakpoints++] = linear;
  bw_x86_debug_update (cpu);
}

int
bw_x86_cpu_get_last_vector (BwX86Cpu *cpu)
{
  return cpu->last_vector;
}

void
bw_x86_cpu_get_cache_stats (BwX86Cpu *cpu, BwX86CacheStats *stats)
{
  *stats = cpu->stats;
}

/* Applies what other threads asked for, on the CPU's thread at the top of
 * bw_x86_cpu_run() and at block boundaries. */
void
bw_x86_cpu_apply_requests (BwX86Cpu *cpu)
{
  int a20 = g_atomic_int_and (&cpu->a20_change, 0);
  if (a20)
    {
      uint32_t mask = a20 == 2 ? 0xffffffffu : ~(1u << 20);
      if (mask != cpu->a20_mask)
        {
          cpu->a20_mask = mask;
          bw_x86_tlb_flush (cpu);
          /* Blocks are keyed by physical address, which A20 changes. */
          bw_x86_block_flush_all (cpu);
        }
    }
  if (g_atomic_int_and (&cpu->flush_request, 0))
    {
      bw_x86_tlb_flush (cpu);
      bw_x86_block_flush_all (cpu);
    }
  if (g_atomic_int_get (&cpu->ranges_pending))
    {
      g_mutex_lock (&pending_lock);
      for (guint k = 0; k < cpu->pending_ranges->len; k++)
        {
          Range *r = &g_array_index (cpu->pending_ranges, Range, k);
          if (r->len == 0)
            continue;
          uint64_t first = r->addr & ~0xfffull, last = (r->addr + r->len - 1) & ~0xfffull;
          for (uint64_t p = first; p <= last && p < (1ull << 32); p += 4096)
            if (bw_x86_page_has_code (cpu, (uint32_t) p))
              bw_x86_block_invalidate_page (cpu, (uint32_t) p);
        }
      g_array_set_size (cpu->pending_ranges, 0);
      g_atomic_int_set (&cpu->ranges_pending, 0);
      g_mutex_unlock (&pending_lock);
    }
}

/* ---- interpreter ------------------------------------------------------ */

/* eip_mask: CS.D, which cannot change inside a block (what changes it
 * ends the block and sets EIP itself); a constant in each caller. A block
 * that dies under it (self-modifying code, a data breakpoint) has all its
 * instructions flagged END (kill_block), so one test per instruction
 * covers both ends. */
BW_X86_INLINE void
exec_insns (BwX86Cpu *cpu, const BwX86Insn *i, uint32_t eip_mask)
{
  const BwX86Insn *first = i;
  uint32_t start = cpu->eip;
  for (;;)
    {
      i->fn (cpu, i);
      if (BW_X86_LIKELY (!(i->flags & (BW_X86_I_SETS_EIP | BW_X86_I_END))))
        {
          cpu->eip = (cpu->eip + i->len) & eip_mask;
          i++;
          continue;
        }
      if (!(i->flags & BW_X86_I_SETS_EIP))
        cpu->eip = (cpu->eip + i->len) & eip_mask;
      else if ((i->flags & (BW_X86_I_COND | BW_X86_I_END)) == BW_X86_I_COND
               && cpu->eip == ((start + i->imm2) & eip_mask))
        {
          /* A Jcc not taken (or taken to the next instruction). */
          i++;
          continue;
        }
      break;
    }
  cpu->insn_count += (uint64_t) (i - first) + 1;
}

/* A fault inside a block: the instructions before the faulting one ran
 * (the block's count is only added when it ends normally). Blocks run
 * their instructions in order, so that is the one at EIP's offset. */
static void
count_finished (BwX86Cpu *cpu)
{
  const BwX86Block *b = cpu->cur_block;
  if (!b)
    return;
  uint32_t offset = cpu->eip - cpu->block_eip;
  if (!cpu->seg[BW_X86_CS].big)
    offset &= 0xffff;
  uint32_t at = 0;
  for (uint32_t k = 0; k < b->n_insns; k++)
    {
      if (at == offset)
        {
          cpu->insn_count += k;
          return;
        }
      at += b->insns[k].len;
    }
}

/* Vectors 0 and 10-13 are contributory; 14 (#PF) is its own class. */
static int
exc_class (int v)
{
  if (v == BW_X86_EXC_DE || (v >= BW_X86_EXC_TS && v <= BW_X86_EXC_GP))
    return 1;
  if (v == BW_X86_EXC_PF)
    return 2;
  return 0;
}

static gboolean
has_error_code (int v)
{
  return v == BW_X86_EXC_DF || (v >= BW_X86_EXC_TS && v <= BW_X86_EXC_PF) || v == 17;
}

/* The run loop caught a fault (cpu->exc_*): deliver it, escalating to #DF
 * or shutdown when it happened while delivering another. Returns FALSE on
 * shutdown. */
static gboolean
handle_exception (BwX86Cpu *cpu)
{
  int v = cpu->exc_vector;
  gboolean has_err = cpu->exc_has_error && has_error_code (v);
  uint32_t err = cpu->exc_error;

  if (cpu->exc_nesting > 0)
    {
      int first = cpu->exc_first;
      if (first == BW_X86_EXC_DF)
        return FALSE;
      int c1 = exc_class (first), c2 = exc_class (v);
      if ((c1 == 1 && c2 == 1) || (c1 == 2 && c2 != 0))
        {
          v = BW_X86_EXC_DF;
          has_err = TRUE;
          err = 0;
        }
    }
  cpu->exc_first = v;
  cpu->exc_nesting = 1;
  if (v == BW_X86_EXC_DF)
    cpu->exc_nesting = 2;
  /* Faults push RF set, so that the return does not hit an instruction
   * breakpoint again; an instruction breakpoint's #DB pushes it as is. */
  if (!cpu->db_fault_ibp)
    cpu->eflags |= BW_X86_RF;
  cpu->db_fault_ibp = FALSE;
  bw_x86_flags_sync (cpu);
  bw_x86_deliver (cpu, v, FALSE, has_err, err, cpu->eip);
  cpu->exc_nesting = 0;
  return TRUE;
}

static gboolean
check_interrupts (BwX86Cpu *cpu)
{
  if (cpu->irq_shadow)
    {
      cpu->irq_shadow = FALSE;
      return FALSE;
    }
  if (g_atomic_int_get (&cpu->nmi_pending) && !cpu->nmi_blocked)
    {
      g_atomic_int_set (&cpu->nmi_pending, 0);
      cpu->nmi_blocked = TRUE;
      cpu->exc_first = BW_X86_EXC_NMI;
      cpu->exc_nesting = 1;
      bw_x86_deliver (cpu, BW_X86_EXC_NMI, FALSE, FALSE, 0, cpu->eip);
      cpu->exc_nesting = 0;
      return TRUE;
    }
  if (g_atomic_int_get (&cpu->intr_level) && (cpu->eflags & BW_X86_IF) && cpu->bus.intr_ack)
    {
      uint8_t vec = cpu->bus.intr_ack (cpu->bus.opaque);
      cpu->exc_first = -1;
      cpu->exc_nesting = 1;
      bw_x86_deliver (cpu, vec, FALSE, FALSE, 0, cpu->eip);
      cpu->exc_nesting = 0;
      return TRUE;
    }
  return FALSE;
}

/* The block loop. Apart from bw_x86_cpu_run() and its setjmp, so that the
 * compiler can keep the CPU in registers here. Faults longjmp out of it.
 * stepped: set once an instruction ran (see bw_x86_cpu_run). */
static __attribute__ ((noinline)) BwX86Exit
run_blocks (BwX86Cpu *cpu, uint64_t end, volatile gboolean *stepped)
{
  /* *stepped's value in a register: it only ever goes from FALSE to
   * TRUE here, and the volatile copy is written when it does. */
  gboolean did_step = *stepped;
  cpu->jit_end = end > BW_X86_BLOCK_MAX_INSNS ? end - BW_X86_BLOCK_MAX_INSNS : 0;
  for (;;)
    {
      if (cpu->dead_blocks)
        bw_x86_block_reap (cpu);
      if (BW_X86_UNLIKELY (g_atomic_int_get (&cpu->attention)))
        {
          /* Cleared before the flags are read, so none is lost. */
          g_atomic_int_set (&cpu->attention, 0);
          bw_x86_cpu_apply_requests (cpu);
          if (cpu->db_trap)
            bw_x86_debug_trap (cpu);
          if (g_atomic_int_and (&cpu->exit_request, 0))
            return BW_X86_EXIT_REQUEST;
        }
      /* Bitwise ORs: one branch for the three (usually all clear). */
      if (BW_X86_UNLIKELY (cpu->irq_shadow | g_atomic_int_get (&cpu->nmi_pending)
                           | g_atomic_int_get (&cpu->intr_level))
          && check_interrupts (cpu))
        {
          cpu->halted = FALSE;
          cpu->prev_block = NULL;
          cpu->jit_exit = NULL;
        }
      if (cpu->halted)
        return BW_X86_EXIT_HLT;
      /* The debugger's and the architecture's single steps, and the last
       * few instructions of the budget one at a time, so a run ends
       * exactly where asked (a timer's deadline on the virtual clock),
       * not at the end of the block that crosses it. One compare for
       * both ends of the budget. */
      if (BW_X86_UNLIKELY (cpu->insn_count + BW_X86_BLOCK_MAX_INSNS > end)
          || (BW_X86_UNLIKELY (cpu->step_check | (cpu->eflags & (BW_X86_TF | BW_X86_RF)))
              && bw_x86_debug_wants_step (cpu)))
        {
          if (cpu->insn_count >= end)
            return BW_X86_EXIT_BUDGET;
          if (bw_x86_debug_step (cpu, *stepped))
            return BW_X86_EXIT_DEBUG;
          *stepped = did_step = TRUE;
          continue;
        }
      if (BW_X86_UNLIKELY (!did_step))
        *stepped = did_step = TRUE;
      /* Follow the previous block's link when it names this address. */
      BwX86Block *b = NULL, *prev = cpu->prev_block;
      uint32_t lin = cpu->seg[BW_X86_CS].s.base + cpu->eip;
      if (prev && prev->link_gen == cpu->block_gen)
        {
          for (unsigned k = 0; k < BW_X86_BLOCK_LINKS; k++)
            if (prev->link_lin[k] == lin && prev->link[k])
              {
                b = prev->link[k];
                break;
              }
          if (b && (b->mode != cpu->seg[BW_X86_CS].big || !bw_x86_block_in_cs (cpu, b)))
            b = NULL;
        }
      if (!b)
        {
          b = bw_x86_block_find (cpu);
          if (prev)
            {
              if (prev->link_gen != cpu->block_gen)
                {
                  prev->link_gen = cpu->block_gen;
                  prev->link_next = 0;
                  memset (prev->link, 0, sizeof prev->link);
                }
              /* Round robin once full. */
              unsigned k = prev->link_next;
              prev->link_next = (k + 1) % BW_X86_BLOCK_LINKS;
              prev->link_lin[k] = lin;
              prev->link[k] = b;
            }
        }
      if (cpu->jit_exit)
        bw_x86_jit_chain (cpu, b, lin);
      cpu->prev_block = b;
      cpu->cur_block = b;
      cpu->block_eip = cpu->eip;
      /* A block that becomes hot now runs translated at once (eager
       * translation: from its first run). */
      if (!b->jit_code && cpu->jit && cpu->seg[BW_X86_CS].big)
        bw_x86_jit_consider (cpu, b);
      if (b->jit_code)
        {
          /* Sets prev_block and cur_block to each block it chains to. */
          b->jit_code (cpu);
          if (BW_X86_UNLIKELY (cpu->jit_bail))
            {
              BwX86Block *refused = cpu->cur_block;
              bw_x86_jit_bailed (cpu, refused);
              exec_insns (cpu, refused->insns, 0xffffffffu);
            }
        }
      else if (cpu->seg[BW_X86_CS].big)
        exec_insns (cpu, b->insns, 0xffffffffu);
      else
        exec_insns (cpu, b->insns, 0xffffu);
      cpu->cur_block = NULL;
    }
}

BwX86Exit
bw_x86_cpu_run (BwX86Cpu *cpu, uint64_t max_insns)
{
  uint64_t end = cpu->insn_count + max_insns;
  volatile BwX86Exit exit_reason = BW_X86_EXIT_BUDGET;
  /* Set after one instruction ran: a breakpoint at the start address does
   * not stop the run that resumes from it. */
  volatile gboolean stepped = FALSE;

  g_atomic_int_set (&cpu->running, 1);
  cpu->prev_block = NULL;
  cpu->jit_exit = NULL;
  if (setjmp (cpu->jmp))
    {
      count_finished (cpu);
      cpu->jit_exit = NULL;
      cpu->prev_block = NULL;
      cpu->cur_block = NULL;
      cpu->db_trap = 0; /* the faulting instruction did not complete */
      if (!handle_exception (cpu))
        {
          /* Triple fault: the platform resets the machine. Said in the
           * log, with the state, since a guest that resets this way
           * leaves no message of its own. */
          g_warning ("software CPU: triple fault (vector %d while delivering #DF) at "
                     "%04x:%08x, CPL %u, CR0 %08x CR2 %08x CR3 %08x CR4 %08x ESP %08x, "
                     "IDT %08x+%04x, GDT %08x+%04x, TR %04x",
                     cpu->exc_vector, cpu->seg[BW_X86_CS].s.selector, cpu->eip, cpu->cpl,
                     cpu->cr0, cpu->cr2, cpu->cr3, cpu->cr4, cpu->gpr[BW_X86_ESP],
                     cpu->idtr.base, cpu->idtr.limit, cpu->gdtr.base, cpu->gdtr.limit,
                     cpu->tr.selector);
          cpu->exc_nesting = 0;
          exit_reason = BW_X86_EXIT_SHUTDOWN;
          if (cpu->bus.shutdown)
            cpu->bus.shutdown (cpu->bus.opaque);
          else
            bw_x86_cpu_reset (cpu);
          goto out;
        }
      if (cpu->single_step)
        {
          exit_reason = BW_X86_EXIT_DEBUG;
          goto out;
        }
    }

  exit_reason = run_blocks (cpu, end, &stepped);
out:
  g_atomic_int_set (&cpu->running, 0);
  return exit_reason;
}
