/* bw-soft-backend.c: the "software" CPU backend (bw-cpu-backend.h) on top
 * of the software x86 CPU.
 *
 * The CPU's bus goes straight to the platform: guest memory pages come
 * from BwMemory's page lookup (cached in the CPU's TLB until the memory
 * map changes), MMIO and port I/O through bw_platform_mmio/pio, which take
 * the platform lock, and the INTA cycle through bw_platform_irq_acknowledge.
 * DMA and loader writes reach the CPU through BwMemory's write listeners
 * and drop the decoded code they overwrite. vCPU 0's FERR# (x87 errors
 * with CR0.NE clear) is latched as IRQ 13 until the guest writes port
 * F0h, which also asserts the CPU's IGNNE#, as a PC chipset does.
 *
 * Time: on a virtual clock (BW_CLOCK_VIRTUAL, chosen for this backend by
 * the VM), vCPU 0's instruction count drives guest time. run() fires the
 * due timers, runs exactly the instructions up to the next deadline
 * (bw_clock_insns_until), and repeats; a device access that moves the
 * deadline earlier (the guest reprograms the PIT) ends the run early. The
 * VM's HLT wait lets the clock catch up with the host (bw_clock_idle).
 */
#include "config.h"

#include <errno.h>

#include "vmm/bw-clock.h"
#include "vmm/bw-cpu-backend.h"
#include "vmm/bw-memory.h"
#include "vmm/cpu/bw-x86-private.h"
#include "vmm/cpu/bw-x86-desc.h"

typedef struct
{
  BwVcpu parent;
  BwX86Cpu *cpu;
  BwMemory *mem;
  volatile gint init_pending;
  volatile gint shutdown;
  FILE *trace; /* BOXWOOD_CPU_TRACE */
  volatile gint kicked;   /* soft_kick() since the last KICKED exit */
  BwClock *clock;         /* the virtual clock this vCPU drives, or NULL */
  gint64 run_deadline;    /* the deadline the current run stops at */
  BwIrqLine *ferr_irq;    /* vCPU 0: FERR# latched as IRQ 13 */
} BwSoftVcpu;

/* Longest run without looking at the clock: timers armed by other threads
 * (the main context) wait at most this long, and the rate adapts. */
#define SLICE_MAX (1u << 20)

/* After a device access on the vCPU's thread: a timer now due before the
 * end of this run cuts it short. */
static inline void
check_deadline (BwSoftVcpu *v)
{
  if (v->clock && bw_clock_get_deadline (v->clock) < v->run_deadline)
    bw_x86_cpu_request_exit (v->cpu);
}

/* ---- the bus -------------------------------------------------------------- */

static uint8_t *
soft_map_page (void *opaque, uint64_t page_addr, bool write)
{
  BwSoftVcpu *v = opaque;
  BwMemoryPage page;
  bw_memory_lookup_page (v->mem, page_addr, &page);
  return write ? page.write : page.read;
}

static uint32_t
soft_mmio_read (void *opaque, uint64_t addr, unsigned size)
{
  BwSoftVcpu *v = opaque;
  guint64 data = 0;
  bw_platform_mmio (v->parent.platform, addr, &data, size, FALSE);
  check_deadline (v);
  return (uint32_t) data;
}

static void
soft_mmio_write (void *opaque, uint64_t addr, unsigned size, uint32_t value)
{
  BwSoftVcpu *v = opaque;
  guint64 data = value;
  bw_platform_mmio (v->parent.platform, addr, &data, size, TRUE);
  check_deadline (v);
}

static uint32_t
soft_port_in (void *opaque, uint16_t port, unsigned size)
{
  BwSoftVcpu *v = opaque;
  guint64 data = 0;
  bw_platform_pio (v->parent.platform, port, &data, size, FALSE);
  check_deadline (v);
  return (uint32_t) data;
}

/* PC-style x87 error reporting (CR0.NE clear): the chipset latches FERR#
 * as IRQ 13 until the guest writes port F0h, which also asserts IGNNE#
 * (the CPU drops it when FERR# falls). */
static void
soft_ferr (void *opaque, bool level)
{
  BwSoftVcpu *v = opaque;
  if (!level || !v->ferr_irq)
    return;
  bw_platform_lock (v->parent.platform);
  bw_irq_line_raise (v->ferr_irq);
  bw_platform_unlock (v->parent.platform);
}

static void
soft_port_out (void *opaque, uint16_t port, unsigned size, uint32_t value)
{
  BwSoftVcpu *v = opaque;
  guint64 data = value;
  if (port == 0xf0 && v->ferr_irq)
    {
      bw_platform_lock (v->parent.platform);
      bw_irq_line_lower (v->ferr_irq);
      bw_platform_unlock (v->parent.platform);
      bw_x86_cpu_set_ignne (v->cpu, true);
    }
  bw_platform_pio (v->parent.platform, port, &data, size, TRUE);
  check_deadline (v);
}

static uint8_t
soft_intr_ack (void *opaque)
{
  BwSoftVcpu *v = opaque;
  return bw_platform_irq_acknowledge (v->parent.platform);
}

static void
soft_shutdown (void *opaque)
{
  BwSoftVcpu *v = opaque;
  g_atomic_int_set (&v->shutdown, 1);
}

static int64_t
soft_time_ns (void *opaque)
{
  BwSoftVcpu *v = opaque;
  return bw_clock_now (bw_platform_get_clock (v->parent.platform));
}

/* The virtual clock's counter; read from any thread. */
static guint64
soft_insn_counter (void *data)
{
  BwSoftVcpu *v = data;
  return __atomic_load_n (&v->cpu->insn_count, __ATOMIC_RELAXED);
}

static void
on_map_change (void *user_data, BwMemory *mem)
{
  BwSoftVcpu *v = user_data;
  bw_x86_cpu_flush_mappings (v->cpu);
}

static void
on_memory_write (void *user_data, guint64 gpa, guint64 len)
{
  BwSoftVcpu *v = user_data;
  bw_x86_cpu_invalidate_code (v->cpu, gpa, len);
}

/* ---- backend ---------------------------------------------------------------- */

static gboolean
soft_probe (GError **error)
{
  return TRUE; /* runs anywhere */
}

/* Calibration for auto selection: a ring-0 style compute loop on a
 * private CPU and 64 KiB of memory, counted in guest instructions per
 * second like the KVM backend's assessment. */
typedef struct
{
  uint8_t *mem;
} CalMachine;

static uint8_t *
cal_map_page (void *opaque, uint64_t page, bool write)
{
  CalMachine *m = opaque;
  return page < 0x10000 ? m->mem + page : NULL;
}

static uint32_t
cal_mmio_read (void *opaque, uint64_t addr, unsigned size)
{
  return 0xffffffffu;
}

static void
cal_mmio_write (void *opaque, uint64_t addr, unsigned size, uint32_t value)
{
}

static uint32_t
cal_port_in (void *opaque, uint16_t port, unsigned size)
{
  return 0xffffffffu;
}

static void
cal_port_out (void *opaque, uint16_t port, unsigned size, uint32_t value)
{
}

static void
soft_assess (BwCpuAssessment *result)
{
  /* mov ecx,N; l: add eax,ecx; xor ebx,eax; mov [2000h],ebx;
   * mov edx,[2000h]; dec ecx; jnz l; hlt */
  static const uint8_t loop[] = { 0x66, 0xb9, 0x80, 0x84, 0x1e, 0x00, 0x66, 0x01, 0xc8,
                                  0x66, 0x31, 0xc3, 0x66, 0x89, 0x1e, 0x00, 0x20, 0x66,
                                  0x8b, 0x16, 0x00, 0x20, 0x66, 0x49, 0x75, 0xec, 0xf4 };
  CalMachine m = { .mem = g_malloc0 (0x10000) };
  memcpy (m.mem + 0x1000, loop, sizeof loop);
  BwX86Bus bus = { .opaque = &m, .map_page = cal_map_page, .mmio_read = cal_mmio_read,
                   .mmio_write = cal_mmio_write, .port_in = cal_port_in,
                   .port_out = cal_port_out };
  BwX86Cpu *cpu = bw_x86_cpu_new (&bus, NULL);
  BwX86State st;
  bw_x86_cpu_get_state (cpu, &st);
  st.seg[BW_X86_CS] = (BwX86SegState){ .selector = 0, .base = 0, .limit = 0xffff,
                                       .attr = 0x9b };
  st.eip = 0x1000;
  bw_x86_cpu_set_state (cpu, &st);
  gint64 t0 = g_get_monotonic_time ();
  BwX86Exit e = bw_x86_cpu_run (cpu, 100000000);
  gint64 t1 = g_get_monotonic_time ();
  uint64_t n = bw_x86_cpu_get_insn_count (cpu);
  bw_x86_cpu_free (cpu);
  g_free (m.mem);

  result->verdict = e == BW_X86_EXIT_HLT ? BW_CPU_VERDICT_GOOD : BW_CPU_VERDICT_UNAVAILABLE;
  result->score = t1 > t0 ? (double) n / ((t1 - t0) / 1e6) : 0;
  g_snprintf (result->reason, sizeof result->reason,
              "software CPU: %.0f million guest instructions per second on a calibration loop",
              result->score / 1e6);
}

/* BOXWOOD_CPU_TRACE=FILE logs every instruction of vCPU 0 to FILE (FILE.N
 * for vCPU N), with the registers when BOXWOOD_CPU_TRACE_REGS=1: see
 * bw_x86_cpu_set_trace(). Slow; for debugging guests. */
static void
soft_trace_open (BwSoftVcpu *v, guint index)
{
  const char *path = g_getenv ("BOXWOOD_CPU_TRACE");
  if (!path || !*path)
    return;
  g_autofree char *name = index ? g_strdup_printf ("%s.%u", path, index) : g_strdup (path);
  v->trace = fopen (name, "w");
  if (!v->trace)
    {
      g_warning ("BOXWOOD_CPU_TRACE: %s: %s", name, g_strerror (errno));
      return;
    }
  unsigned flags = g_strcmp0 (g_getenv ("BOXWOOD_CPU_TRACE_REGS"), "1") == 0 ? BW_X86_TRACE_REGS
                                                                            : 0;
  if (!bw_x86_cpu_set_trace (v->cpu, v->trace, flags))
    g_clear_pointer (&v->trace, fclose);
}

static BwVcpu *
soft_vcpu_new (BwPlatform *platform, guint index, GError **error)
{
  BwSoftVcpu *v = g_new0 (BwSoftVcpu, 1);
  v->parent.platform = platform;
  v->parent.index = index;
  v->mem = bw_platform_get_memory (platform);
  BwX86Bus bus = {
    .opaque = v,
    .map_page = soft_map_page,
    .mmio_read = soft_mmio_read,
    .mmio_write = soft_mmio_write,
    .port_in = soft_port_in,
    .port_out = soft_port_out,
    .intr_ack = soft_intr_ack,
    .shutdown = soft_shutdown,
    .get_time_ns = soft_time_ns,
    .ferr = soft_ferr,
  };
  BwX86Config config = { .has_fpu = TRUE };
  v->cpu = bw_x86_cpu_new (&bus, &config);
  soft_trace_open (v, index);
  bw_memory_add_map_listener (v->mem, on_map_change, v);
  bw_memory_add_write_listener (v->mem, on_memory_write, v);
  BwClock *clock = bw_platform_get_clock (platform);
  if (index == 0 && bw_clock_get_mode (clock) == BW_CLOCK_VIRTUAL)
    {
      v->clock = clock;
      bw_clock_set_counter (clock, soft_insn_counter, v);
    }
  v->run_deadline = BW_CLOCK_NEVER;
  if (index == 0)
    {
      bw_platform_lock (platform);
      v->ferr_irq = bw_irq_router_get_source (bw_platform_get_irq_router (platform), 13,
                                              "x87 FERR#");
      bw_platform_unlock (platform);
    }
  return &v->parent;
}

static void
soft_vcpu_free (BwVcpu *vcpu)
{
  BwSoftVcpu *v = (BwSoftVcpu *) vcpu;
  if (!v)
    return;
  if (v->clock)
    bw_clock_set_counter (v->clock, NULL, NULL);
  bw_memory_remove_map_listener (v->mem, on_map_change, v);
  bw_memory_remove_write_listener (v->mem, on_memory_write, v);
  if (v->ferr_irq)
    {
      bw_platform_lock (v->parent.platform);
      bw_irq_line_free (v->ferr_irq);
      bw_platform_unlock (v->parent.platform);
    }
  bw_x86_cpu_free (v->cpu);
  if (v->trace)
    fclose (v->trace);
  g_free (v);
}

static BwCpuExit
soft_run (BwVcpu *vcpu, GError **error)
{
  BwSoftVcpu *v = (BwSoftVcpu *) vcpu;
  if (g_atomic_int_and (&v->init_pending, 0))
    bw_x86_cpu_init (v->cpu);
  if (v->clock)
    bw_clock_busy (v->clock);
  for (;;)
    {
      uint64_t budget = 1u << 24;
      if (v->clock)
        {
          gint64 deadline = bw_platform_run_timers (v->parent.platform);
          bw_clock_adjust (v->clock);
          /* A timer armed in the past fires on the next round: at least
           * one instruction runs in between. */
          budget = MAX (1, MIN (bw_clock_insns_until (v->clock, deadline), SLICE_MAX));
          v->run_deadline = deadline;
        }
      BwX86Exit e = bw_x86_cpu_run (v->cpu, budget);
      switch (e)
        {
        case BW_X86_EXIT_BUDGET:
          continue;
        case BW_X86_EXIT_HLT:
          v->run_deadline = BW_CLOCK_NEVER;
          if (v->clock)
            bw_platform_run_timers (v->parent.platform); /* a deadline reached by the HLT */
          return BW_CPU_EXIT_HALTED;
        case BW_X86_EXIT_REQUEST:
          /* Our own deadline cut goes round again; a kick or INIT leaves. */
          if (!v->clock || g_atomic_int_and (&v->kicked, 0)
              || g_atomic_int_get (&v->init_pending))
            {
              v->run_deadline = BW_CLOCK_NEVER;
              return BW_CPU_EXIT_KICKED;
            }
          continue;
        case BW_X86_EXIT_SHUTDOWN:
          g_atomic_int_set (&v->shutdown, 0);
          return BW_CPU_EXIT_SHUTDOWN;
        case BW_X86_EXIT_DEBUG:
          return BW_CPU_EXIT_DEBUG;
        }
    }
}

static void
soft_kick (BwVcpu *vcpu)
{
  BwSoftVcpu *v = (BwSoftVcpu *) vcpu;
  g_atomic_int_set (&v->kicked, 1);
  bw_x86_cpu_request_exit (v->cpu);
}

static void
seg_to_regs (const BwX86SegState *s, BwX86Segment *d)
{
  d->base = s->base;
  d->limit = s->limit;
  d->selector = s->selector;
  d->type = s->attr & 0x0f;
  d->s = (s->attr >> 4) & 1;
  d->dpl = (s->attr >> 5) & 3;
  d->present = (s->attr >> 7) & 1;
  d->avl = (s->attr >> 12) & 1;
  d->l = 0;
  d->db = (s->attr >> 14) & 1;
  d->g = (s->attr >> 15) & 1;
  d->unusable = !d->present;
}

static void
seg_from_regs (const BwX86Segment *s, BwX86SegState *d)
{
  d->base = (uint32_t) s->base;
  d->limit = s->limit;
  d->selector = s->selector;
  d->attr = (s->type & 0x0f) | ((s->s & 1) << 4) | ((s->dpl & 3) << 5)
            | ((s->present && !s->unusable) ? 0x80 : 0) | ((s->avl & 1) << 12)
            | ((s->db & 1) << 14) | ((s->g & 1) << 15);
}

static gboolean
soft_get_regs (BwVcpu *vcpu, BwX86Regs *regs, GError **error)
{
  BwSoftVcpu *v = (BwSoftVcpu *) vcpu;
  BwX86Cpu *cpu = v->cpu;
  BwX86State st;
  bw_x86_cpu_get_state (cpu, &st);
  memset (regs, 0, sizeof *regs);
  for (int r = 0; r < 8; r++)
    regs->gpr[r] = st.gpr[r];
  regs->rip = st.eip;
  regs->rflags = st.eflags;
  for (int s = 0; s < BW_X86_N_SEGS; s++)
    seg_to_regs (&st.seg[s], &regs->seg[s]);
  seg_to_regs (&st.ldtr, &regs->seg[BW_X86_SEG_LDTR]);
  seg_to_regs (&st.tr, &regs->seg[BW_X86_SEG_TR]);
  regs->gdt.base = st.gdtr.base;
  regs->gdt.limit = st.gdtr.limit;
  regs->idt.base = st.idtr.base;
  regs->idt.limit = st.idtr.limit;
  regs->cr0 = st.cr0;
  regs->cr2 = st.cr2;
  regs->cr3 = st.cr3;
  regs->cr4 = st.cr4;
  for (int k = 0; k < 4; k++)
    regs->dr[k] = cpu->dr[k];
  regs->dr6 = cpu->dr[6];
  regs->dr7 = cpu->dr[7];
  regs->apic_base = cpu->msr_apic_base;
  regs->efer = cpu->efer;
  regs->tsc = bw_x86_tsc_raw (cpu) + cpu->tsc_offset;
  regs->sysenter_cs = cpu->msr_sysenter[0];
  regs->sysenter_esp = cpu->msr_sysenter[1];
  regs->sysenter_eip = cpu->msr_sysenter[2];
  return TRUE;
}

static gboolean
soft_set_regs (BwVcpu *vcpu, const BwX86Regs *regs, GError **error)
{
  BwSoftVcpu *v = (BwSoftVcpu *) vcpu;
  BwX86Cpu *cpu = v->cpu;
  if (regs->efer & 0x500) /* LME/LMA */
    {
      g_set_error (error, BW_CPU_BACKEND_ERROR, BW_CPU_BACKEND_ERROR_UNSUPPORTED,
                   "software CPU: long mode is not supported yet");
      return FALSE;
    }
  BwX86State st;
  memset (&st, 0, sizeof st);
  for (int r = 0; r < 8; r++)
    st.gpr[r] = (uint32_t) regs->gpr[r];
  st.eip = (uint32_t) regs->rip;
  st.eflags = (uint32_t) regs->rflags;
  for (int s = 0; s < BW_X86_N_SEGS; s++)
    seg_from_regs (&regs->seg[s], &st.seg[s]);
  seg_from_regs (&regs->seg[BW_X86_SEG_LDTR], &st.ldtr);
  seg_from_regs (&regs->seg[BW_X86_SEG_TR], &st.tr);
  st.gdtr = (BwX86TableReg){ (uint32_t) regs->gdt.base, regs->gdt.limit };
  st.idtr = (BwX86TableReg){ (uint32_t) regs->idt.base, regs->idt.limit };
  st.cr0 = (uint32_t) regs->cr0;
  st.cr2 = (uint32_t) regs->cr2;
  st.cr3 = (uint32_t) regs->cr3;
  st.cr4 = (uint32_t) regs->cr4;
  bw_x86_cpu_set_state (cpu, &st);
  for (int k = 0; k < 4; k++)
    cpu->dr[k] = (uint32_t) regs->dr[k];
  cpu->dr[6] = (uint32_t) regs->dr6;
  cpu->dr[7] = (uint32_t) regs->dr7;
  cpu->msr_apic_base = regs->apic_base;
  cpu->efer = regs->efer & BW_X86_EFER_NXE;
  cpu->tsc_offset = regs->tsc - bw_x86_tsc_raw (cpu);
  cpu->msr_sysenter[0] = regs->sysenter_cs;
  cpu->msr_sysenter[1] = regs->sysenter_esp;
  cpu->msr_sysenter[2] = regs->sysenter_eip;
  return TRUE;
}

static gboolean
soft_get_fpu (BwVcpu *vcpu, BwX86Fpu *fpu, GError **error)
{
  bw_x86_cpu_get_fxsave (((BwSoftVcpu *) vcpu)->cpu, fpu->fxsave);
  return TRUE;
}

static gboolean
soft_set_fpu (BwVcpu *vcpu, const BwX86Fpu *fpu, GError **error)
{
  bw_x86_cpu_set_fxsave (((BwSoftVcpu *) vcpu)->cpu, fpu->fxsave);
  return TRUE;
}

static void
soft_set_line (BwVcpu *vcpu, BwCpuLine line, gboolean level)
{
  BwSoftVcpu *v = (BwSoftVcpu *) vcpu;
  switch (line)
    {
    case BW_CPU_LINE_INTR:
      bw_x86_cpu_set_intr (v->cpu, level);
      break;
    case BW_CPU_LINE_NMI:
      if (level)
        bw_x86_cpu_raise_nmi (v->cpu);
      break;
    case BW_CPU_LINE_A20:
      bw_x86_cpu_set_a20 (v->cpu, level);
      break;
    case BW_CPU_LINE_INIT:
      if (level)
        {
          g_atomic_int_set (&v->init_pending, 1);
          bw_x86_cpu_request_exit (v->cpu);
        }
      break;
    }
}

static void
soft_reset (BwVcpu *vcpu)
{
  BwSoftVcpu *v = (BwSoftVcpu *) vcpu;
  g_atomic_int_set (&v->init_pending, 0);
  bw_x86_cpu_reset (v->cpu);
}

static gboolean
soft_interrupt_deliverable (BwVcpu *vcpu)
{
  BwSoftVcpu *v = (BwSoftVcpu *) vcpu;
  return bw_x86_cpu_interrupt_deliverable (v->cpu) || g_atomic_int_get (&v->init_pending);
}

static const BwCpuBackend soft_backend = {
  .name = "software",
  .description = "Boxwood's software x86 CPU (decoded-block interpreter)",
  .preference = 10,
  .probe = soft_probe,
  .assess = soft_assess,
  .vcpu_new = soft_vcpu_new,
  .vcpu_free = soft_vcpu_free,
  .run = soft_run,
  .kick = soft_kick,
  .get_regs = soft_get_regs,
  .set_regs = soft_set_regs,
  .get_fpu = soft_get_fpu,
  .set_fpu = soft_set_fpu,
  .set_line = soft_set_line,
  .reset = soft_reset,
  .interrupt_deliverable = soft_interrupt_deliverable,
  .drives_virtual_clock = TRUE,
};
BW_CPU_BACKEND_REGISTER (soft_backend)
