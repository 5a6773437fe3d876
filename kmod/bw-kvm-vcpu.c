/* bw-kvm-vcpu.c: one KVM vCPU: creation, the KVM_RUN loop and its exits,
 * interrupt injection from our userspace PIC, kicks.
 *
 * Kicks. Another thread stops a vCPU in KVM_RUN with a signal
 * (BW_KVM_KICK_SIGNAL, a no-op handler) and kvm_run->immediate_exit,
 * which also covers a kick that lands just before KVM_RUN is entered.
 * kick_mutex orders this: a poke sets `poked` and, if the vCPU is inside
 * run(), sets immediate_exit and signals the thread; run() clears
 * `poked` before it looks at the lines and re-checks it when it marks
 * itself in_run, so nothing between the look and KVM_RUN is lost. An
 * external kick (the VM pausing or stopping) also sets kick_pending and
 * makes run() return BW_CPU_EXIT_KICKED; a poke for an interrupt line
 * only makes the loop go round and inject.
 *
 * Completion. KVM finishes an I/O or MMIO instruction (stores the IN
 * value, advances RIP) only on the next KVM_RUN. Before run() returns
 * after such an exit it re-enters once with immediate_exit set, so the
 * registers the VM reads or saves are consistent. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "kmod/bw-kvm-private.h"

#define BW_KVM_KICK_SIGNAL (SIGRTMIN + 6)

static void
kick_handler (int sig)
{
  /* Nothing: interrupting KVM_RUN is the point. */
}

static void
kick_signal_init (void)
{
  static gsize installed;
  static __thread gboolean unblocked;
  if (g_once_init_enter (&installed))
    {
      struct sigaction sa;
      memset (&sa, 0, sizeof sa);
      sa.sa_handler = kick_handler;
      sa.sa_flags = SA_RESTART;
      sigemptyset (&sa.sa_mask);
      sigaction (BW_KVM_KICK_SIGNAL, &sa, NULL);
      g_once_init_leave (&installed, 1);
    }
  if (!unblocked)
    {
      sigset_t set;
      sigemptyset (&set);
      sigaddset (&set, BW_KVM_KICK_SIGNAL);
      pthread_sigmask (SIG_UNBLOCK, &set, NULL);
      unblocked = TRUE;
    }
}

/* Makes a vCPU in run() go round its loop soon. */
static void
poke (BwKvmVcpu *v)
{
  g_mutex_lock (&v->kick_mutex);
  v->poked = TRUE;
  if (v->in_run)
    {
      v->run->immediate_exit = 1;
      pthread_kill (v->thread, BW_KVM_KICK_SIGNAL);
    }
  g_mutex_unlock (&v->kick_mutex);
}

BwVcpu *
bw_kvm_vcpu_new (BwPlatform *platform, guint index, GError **error)
{
  BwKvmVm *vm = bw_kvm_vm_acquire (platform, error);
  if (!vm)
    return NULL;
  BwKvmVcpu *v = g_new0 (BwKvmVcpu, 1);
  v->parent.backend = bw_kvm_get_backend ();
  v->parent.platform = platform;
  v->parent.index = index;
  v->vm = vm;
  v->sys = bw_kvm_system_get (NULL);
  v->log = bw_platform_get_log (platform);
  v->fd = -1;
  g_mutex_init (&v->kick_mutex);

  v->fd = bw_kvm_system_ioctl (bw_kvm_vm_get_fd (vm), KVM_CREATE_VCPU, (void *)(guintptr)index);
  if (v->fd < 0)
    {
      g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED, "KVM_CREATE_VCPU %u failed: %s", index,
                   g_strerror (errno));
      goto failed;
    }
  void *run = mmap (NULL, v->sys->vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
  if (run == MAP_FAILED)
    {
      g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED, "Mapping vCPU %u's kvm_run failed: %s",
                   index, g_strerror (errno));
      goto failed;
    }
  v->run = run;
  if (!bw_kvm_cpuid_setup (v->sys, v->fd, index, &v->cpu_signature, error))
    goto failed;
  /* Until the router says otherwise, A20 is on (it replays the level). */
  return &v->parent;

failed:
  bw_kvm_vcpu_free (&v->parent);
  return NULL;
}

void
bw_kvm_vcpu_free (BwVcpu *vcpu)
{
  BwKvmVcpu *v = (BwKvmVcpu *)vcpu;
  if (!v)
    return;
  if (v->run)
    munmap (v->run, v->sys->vcpu_mmap_size);
  if (v->fd >= 0)
    close (v->fd);
  bw_kvm_vm_release (v->vm);
  g_free (v->failure);
  g_mutex_clear (&v->kick_mutex);
  g_free (v);
}

/* KVM_EXIT_IO: every element of a string instruction goes to the port
 * bus in order; KVM advances RSI/RDI/RCX itself. */
static gboolean
handle_io (BwKvmVcpu *v, GError **error)
{
  struct kvm_run *run = v->run;
  guint size = run->io.size;
  guint64 bytes = (guint64)size * run->io.count;
  if ((size != 1 && size != 2 && size != 4) || run->io.data_offset + bytes > v->sys->vcpu_mmap_size)
    {
      g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED,
                   "KVM reported port I/O it cannot have meant: port %#x, size %u, count %u",
                   run->io.port, size, run->io.count);
      return FALSE;
    }
  gboolean out = run->io.direction == KVM_EXIT_IO_OUT;
  guint8 *p = (guint8 *)run + run->io.data_offset;
  BwPlatform *platform = v->parent.platform;
  /* One lock for the whole string (a disk sector read with REP INSW is
   * a single exit of 256 elements). */
  bw_platform_lock (platform);
  BwIoBus *bus = bw_platform_get_pio (platform);
  for (guint i = 0; i < run->io.count; i++, p += size)
    {
      guint64 value = 0;
      if (out)
        memcpy (&value, p, size);
      bw_io_bus_access (bus, run->io.port, &value, size, out);
      if (!out)
        memcpy (p, &value, size);
    }
  bw_platform_unlock (platform);
  return TRUE;
}

/* KVM_EXIT_MMIO: one access of up to 8 bytes; odd sizes go byte by byte. */
static void
handle_mmio (BwKvmVcpu *v)
{
  struct kvm_run *run = v->run;
  guint len = MIN (run->mmio.len, 8u);
  gboolean write = run->mmio.is_write;
  if (len == 1 || len == 2 || len == 4 || len == 8)
    {
      guint64 value = 0;
      if (write)
        memcpy (&value, run->mmio.data, len);
      bw_platform_mmio (v->parent.platform, run->mmio.phys_addr, &value, len, write);
      if (!write)
        memcpy (run->mmio.data, &value, len);
      return;
    }
  for (guint i = 0; i < len; i++)
    {
      guint64 value = write ? run->mmio.data[i] : 0;
      bw_platform_mmio (v->parent.platform, run->mmio.phys_addr + i, &value, 1, write);
      if (!write)
        run->mmio.data[i] = (guint8)value;
    }
}

/* NMI and INTR before entering the guest. INTR follows the protocol for
 * a userspace interrupt controller: inject (KVM_INTERRUPT) only when KVM
 * said the guest can take one, and otherwise ask for an exit as soon as
 * it can (request_interrupt_window). */
static gboolean
inject (BwKvmVcpu *v, GError **error)
{
  struct kvm_run *run = v->run;
  if (g_atomic_int_exchange (&v->nmi_pending, 0) && bw_kvm_system_ioctl (v->fd, KVM_NMI, NULL) < 0)
    {
      g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED, "vCPU %u: KVM_NMI failed: %s",
                   v->parent.index, g_strerror (errno));
      return FALSE;
    }
  gboolean intr = g_atomic_int_get (&v->intr_level);
  if (intr && v->window_valid && run->ready_for_interrupt_injection)
    {
      struct kvm_interrupt irq = { .irq = bw_platform_irq_acknowledge (v->parent.platform) };
      if (bw_kvm_system_ioctl (v->fd, KVM_INTERRUPT, &irq) < 0)
        {
          g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED,
                       "vCPU %u: KVM_INTERRUPT (vector %#x) failed: %s", v->parent.index, irq.irq,
                       g_strerror (errno));
          return FALSE;
        }
      v->window_valid = FALSE; /* one per window; KVM tells us of the next */
      intr = g_atomic_int_get (&v->intr_level);
    }
  run->request_interrupt_window = intr ? 1 : 0;
  return TRUE;
}

/* One KVM_RUN; returns its result and errno. */
static int
enter (BwKvmVcpu *v, int *err)
{
  g_mutex_lock (&v->kick_mutex);
  v->in_run = TRUE;
  v->thread = pthread_self ();
  if (v->poked)
    v->run->immediate_exit = 1;
  g_mutex_unlock (&v->kick_mutex);

  int r = ioctl (v->fd, KVM_RUN, NULL);
  *err = errno;

  g_mutex_lock (&v->kick_mutex);
  v->in_run = FALSE;
  v->run->immediate_exit = 0;
  g_mutex_unlock (&v->kick_mutex);
  v->exits++;
  return r;
}

/* Lets KVM finish the last I/O or MMIO instruction without running more
 * guest code. */
static gboolean
complete_pending (BwKvmVcpu *v, GError **error)
{
  if (!v->needs_completion)
    return TRUE;
  v->needs_completion = FALSE;
  v->run->immediate_exit = 1;
  int r = ioctl (v->fd, KVM_RUN, NULL);
  int err = errno;
  v->run->immediate_exit = 0;
  if (r < 0 && err != EINTR && err != EAGAIN)
    {
      g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED,
                   "vCPU %u: finishing an I/O instruction failed: %s", v->parent.index,
                   g_strerror (err));
      return FALSE;
    }
  return TRUE;
}

static BwCpuExit fail (BwKvmVcpu *v, GError **error, const char *format, ...) G_GNUC_PRINTF (3, 4);

static BwCpuExit
fail (BwKvmVcpu *v, GError **error, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  bw_log_printf (v->log, "KVM", "vCPU %u: %s", v->parent.index, message);
  g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED, "%s", message);
  return BW_CPU_EXIT_ERROR;
}

static const char *
internal_error_name (guint32 suberror)
{
  switch (suberror)
    {
      case KVM_INTERNAL_ERROR_EMULATION:
        return "instruction emulation failed";
      case KVM_INTERNAL_ERROR_SIMUL_EX:
        return "an exception occurred while delivering another";
      case KVM_INTERNAL_ERROR_DELIVERY_EV:
        return "an exit happened while delivering an event";
      case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
        return "the hardware exited for an unexpected reason";
      default:
        return "unknown suberror";
    }
}

static BwCpuExit
internal_error (BwKvmVcpu *v, GError **error)
{
  struct kvm_run *run = v->run;
  g_autoptr (GString) data = g_string_new (NULL);
  guint n = MIN (run->internal.ndata, G_N_ELEMENTS (run->internal.data));
  for (guint i = 0; i < n; i++)
    g_string_append_printf (data, " %#" G_GINT64_MODIFIER "x", (guint64)run->internal.data[i]);
  return fail (v, error, "KVM internal error %u (%s)%s%s", run->internal.suberror,
               internal_error_name (run->internal.suberror), n ? "; data:" : "", data->str);
}

BwCpuExit
bw_kvm_vcpu_run (BwVcpu *vcpu, GError **error)
{
  BwKvmVcpu *v = (BwKvmVcpu *)vcpu;
  struct kvm_run *run = v->run;
  g_autoptr (GError) local = NULL;
  kick_signal_init ();
  if (v->failure)
    return fail (v, error, "%s", v->failure);
  if (v->wait_for_sipi)
    {
      /* An application processor waits for a startup IPI, which only a
       * local APIC sends; the platform has none, so it stays here. */
      g_atomic_int_set (&v->kick_pending, 0);
      return BW_CPU_EXIT_HALTED;
    }

  for (;;)
    {
      g_mutex_lock (&v->kick_mutex);
      v->poked = FALSE;
      g_mutex_unlock (&v->kick_mutex);

      if (g_atomic_int_exchange (&v->kick_pending, 0))
        {
          if (!complete_pending (v, &local))
            return fail (v, error, "%s", local->message);
          return BW_CPU_EXIT_KICKED;
        }
      if (g_atomic_int_exchange (&v->init_pending, 0)
          && (!complete_pending (v, &local) || !bw_kvm_regs_reset (v, TRUE, &local)))
        return fail (v, error, "INIT failed: %s", local->message);
      if (!inject (v, &local))
        return fail (v, error, "%s", local->message);

      int err;
      int r = enter (v, &err);
      v->needs_completion = FALSE;
      if (r < 0)
        {
          if (err == EINTR || err == EAGAIN)
            continue; /* a kick or a poke: the top of the loop sorts it out */
          return fail (v, error, "KVM_RUN failed: %s", g_strerror (err));
        }
      v->window_valid = TRUE;

      switch (run->exit_reason)
        {
          case KVM_EXIT_IO:
            v->io_exits++;
            if (!handle_io (v, &local))
              return fail (v, error, "%s", local->message);
            v->needs_completion = TRUE;
            break;
          case KVM_EXIT_MMIO:
            v->mmio_exits++;
            handle_mmio (v);
            v->needs_completion = TRUE;
            break;
          case KVM_EXIT_IRQ_WINDOW_OPEN:
          case KVM_EXIT_INTR:
            break;
          case KVM_EXIT_HLT:
            return BW_CPU_EXIT_HALTED;
          case KVM_EXIT_SHUTDOWN:
            bw_log_printf (v->log, "KVM", "vCPU %u shut down (triple fault)", v->parent.index);
            return BW_CPU_EXIT_SHUTDOWN;
          case KVM_EXIT_DEBUG:
            return BW_CPU_EXIT_DEBUG;
          case KVM_EXIT_SYSTEM_EVENT:
            if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
              {
                bw_platform_request (v->parent.platform, BW_PLATFORM_REQUEST_RESET,
                                     "KVM reported a reset");
                return BW_CPU_EXIT_KICKED;
              }
            if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
              return BW_CPU_EXIT_SHUTDOWN;
            return fail (v, error, "KVM system event %u", run->system_event.type);
          case KVM_EXIT_FAIL_ENTRY:
            return fail (v, error,
                         "the host refused to enter the guest (hardware entry failure reason "
                         "%#" G_GINT64_MODIFIER "x): guest state the CPU does not accept",
                         (guint64)run->fail_entry.hardware_entry_failure_reason);
          case KVM_EXIT_INTERNAL_ERROR:
            return internal_error (v, error);
          case KVM_EXIT_EXCEPTION:
            return fail (v, error, "KVM passed up exception %u (error code %#x)", run->ex.exception,
                         run->ex.error_code);
          default:
            return fail (v, error, "KVM exit reason %u is not handled", run->exit_reason);
        }
    }
}

void
bw_kvm_vcpu_kick (BwVcpu *vcpu)
{
  BwKvmVcpu *v = (BwKvmVcpu *)vcpu;
  g_atomic_int_set (&v->kick_pending, 1);
  poke (v);
}

void
bw_kvm_vcpu_set_line (BwVcpu *vcpu, BwCpuLine line, gboolean level)
{
  BwKvmVcpu *v = (BwKvmVcpu *)vcpu;
  switch (line)
    {
      case BW_CPU_LINE_INTR:
        g_atomic_int_set (&v->intr_level, !!level);
        if (level)
          poke (v);
        break;
      case BW_CPU_LINE_NMI:
        if (level)
          {
            g_atomic_int_set (&v->nmi_pending, 1);
            poke (v);
          }
        break;
      case BW_CPU_LINE_INIT:
        if (level)
          {
            g_atomic_int_set (&v->init_pending, 1);
            poke (v);
          }
        break;
      case BW_CPU_LINE_A20:
        /* KVM has no A20 gate: addresses are never wrapped at 1 MiB. */
        if (!level && !g_atomic_int_exchange (&v->a20_warned, 1))
          bw_log_printf (v->log, "KVM",
                         "The guest turned A20 off; KVM cannot mask address line 20, so memory "
                         "from 1 MiB stays visible (guests that rely on the wrap-around differ)");
        break;
      default:
        break;
    }
}

void
bw_kvm_vcpu_reset (BwVcpu *vcpu)
{
  BwKvmVcpu *v = (BwKvmVcpu *)vcpu;
  GError *error = NULL;
  g_atomic_int_set (&v->nmi_pending, 0);
  g_atomic_int_set (&v->init_pending, 0);
  g_atomic_int_set (&v->kick_pending, 0);
  v->run->request_interrupt_window = 0;
  if (!complete_pending (v, &error) || !bw_kvm_regs_reset (v, FALSE, &error))
    {
      g_free (v->failure);
      v->failure = g_strdup_printf ("reset failed: %s", error->message);
      bw_log_printf (v->log, "KVM", "vCPU %u: %s", v->parent.index, v->failure);
      g_error_free (error);
      return;
    }
  g_clear_pointer (&v->failure, g_free);
  v->wait_for_sipi = v->parent.index != 0;
}

gboolean
bw_kvm_vcpu_interrupt_deliverable (BwVcpu *vcpu)
{
  BwKvmVcpu *v = (BwKvmVcpu *)vcpu;
  if (v->wait_for_sipi)
    return FALSE;
  if (g_atomic_int_get (&v->nmi_pending) || g_atomic_int_get (&v->init_pending))
    return TRUE;
  /* if_flag is current after every exit, HLT's included. */
  return g_atomic_int_get (&v->intr_level) && v->run->if_flag;
}

void
bw_kvm_vcpu_get_exit_counts (BwVcpu *vcpu, BwKvmExitCounts *counts)
{
  BwKvmVcpu *v = (BwKvmVcpu *)vcpu;
  counts->exits = v->exits;
  counts->io_exits = v->io_exits;
  counts->mmio_exits = v->mmio_exits;
}

guint
bw_kvm_vcpu_get_n_slots (BwVcpu *vcpu)
{
  return bw_kvm_vm_get_n_slots (((BwKvmVcpu *)vcpu)->vm);
}
