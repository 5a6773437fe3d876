/* bw-vm.c: one VM run: the state machine, vCPU threads and their loop,
 * reset and power-off requests. */
#include "config.h"

#include <string.h>
#include "vmm/bw-vm.h"

G_DEFINE_QUARK (bw-vm-error-quark, bw_vm_error)

typedef struct
{
  guint id;
  BwVmStateFunc func;
  void *user_data;
} Listener;

typedef struct
{
  BwVm *vm;
  BwVcpu *vcpu;
  GThread *thread;
  guint index;
  guint reset_seen; /* reset generation this vCPU has applied */
} VcpuSlot;

struct _BwVm
{
  BwConfig *config;
  BwLog *log;
  BwPlatform *platform;

  GMutex mutex; /* guards everything below; taken after the platform lock */
  GCond cond;
  BwVmState state;
  GArray *listeners;
  guint next_listener_id;

  BwExecChoice choice;
  guint n_vcpus;
  VcpuSlot *vcpus;
  guint live_threads;
  gboolean pause_req;
  guint parked;
  gboolean stop_req;
  BwVmState stop_state; /* POWERED_OFF or ABORTED, for the last thread out */
  char *stop_reason;
  gboolean reset_req;
  guint reset_generation;
  guint64 wake_seq; /* bumped when a halted vCPU may have something to do */
  gboolean final_notified; /* listeners told of POWERED_OFF/ABORTED */
  guint halted;            /* vCPUs in wait_halted() */
  BwVmResetHook reset_hook;
  void *reset_hook_data;
};

static const char *const state_names[] = {
  [BW_VM_STATE_CREATED] = "created",   [BW_VM_STATE_RUNNING] = "running",
  [BW_VM_STATE_PAUSED] = "paused",     [BW_VM_STATE_POWERED_OFF] = "poweredoff",
  [BW_VM_STATE_ABORTED] = "aborted",
};

const char *
bw_vm_state_to_string (BwVmState state)
{
  return state <= BW_VM_STATE_ABORTED ? state_names[state] : "invalid";
}

gboolean
bw_vm_state_transition_valid (BwVmState from, BwVmState to)
{
  switch (from)
    {
    case BW_VM_STATE_CREATED:
      return to == BW_VM_STATE_RUNNING || to == BW_VM_STATE_POWERED_OFF
             || to == BW_VM_STATE_ABORTED;
    case BW_VM_STATE_RUNNING:
      return to == BW_VM_STATE_PAUSED || to == BW_VM_STATE_POWERED_OFF
             || to == BW_VM_STATE_ABORTED;
    case BW_VM_STATE_PAUSED:
      return to == BW_VM_STATE_RUNNING || to == BW_VM_STATE_POWERED_OFF
             || to == BW_VM_STATE_ABORTED;
    default:
      return FALSE; /* final states */
    }
}

/* Changes state if allowed and tells listeners. Called without vm->mutex. */
static gboolean
set_state (BwVm *vm, BwVmState to, const char *reason, GError **error)
{
  g_mutex_lock (&vm->mutex);
  BwVmState from = vm->state;
  if (!bw_vm_state_transition_valid (from, to))
    {
      g_mutex_unlock (&vm->mutex);
      g_set_error (error, BW_VM_ERROR, BW_VM_ERROR_STATE, "The machine cannot go from %s to %s",
                   bw_vm_state_to_string (from), bw_vm_state_to_string (to));
      return FALSE;
    }
  vm->state = to;
  g_autoptr (GArray) listeners = g_array_copy (vm->listeners);
  /* Logged before anyone can see the new state. */
  bw_log_printf (vm->log, "VMM", "State: %s -> %s%s%s%s", bw_vm_state_to_string (from),
                 bw_vm_state_to_string (to), reason ? " (" : "", reason ? reason : "",
                 reason ? ")" : "");
  g_cond_broadcast (&vm->cond);
  g_mutex_unlock (&vm->mutex);

  for (guint i = 0; i < listeners->len; i++)
    {
      Listener *l = &g_array_index (listeners, Listener, i);
      l->func (l->user_data, vm, from, to, reason);
    }
  if (to == BW_VM_STATE_POWERED_OFF || to == BW_VM_STATE_ABORTED)
    {
      /* bw_vm_wait() returns once the listeners have heard of the end. */
      g_mutex_lock (&vm->mutex);
      vm->final_notified = TRUE;
      g_cond_broadcast (&vm->cond);
      g_mutex_unlock (&vm->mutex);
    }
  return TRUE;
}

BwVm *
bw_vm_new (BwConfig *config, GError **error)
{
  gint64 ram_mb, cpus;
  if (!bw_config_get_int_range (config, "ram-mb", 1, 1 << 20, &ram_mb, error))
    return NULL;
  cpus = bw_config_get_int_default (config, "cpus", 1);
  if (cpus < 1 || cpus > 64)
    {
      g_set_error (error, BW_VM_ERROR, BW_VM_ERROR_CONFIG,
                   "Configuration value “cpus” is %" G_GINT64_FORMAT ", outside 1..64", cpus);
      return NULL;
    }
  /* The clock's final mode depends on the backend (bw_vm_start); until
   * then it is a stopped host clock, or manual when asked for. */
  const char *clock_name = bw_config_get_string_default (config, "clock", "auto");
  BwClockMode clock_mode;
  if (strcmp (clock_name, "host") == 0 || strcmp (clock_name, "auto") == 0
      || strcmp (clock_name, "virtual") == 0)
    clock_mode = BW_CLOCK_HOST;
  else if (strcmp (clock_name, "manual") == 0)
    clock_mode = BW_CLOCK_MANUAL;
  else
    {
      g_set_error (error, BW_VM_ERROR, BW_VM_ERROR_CONFIG,
                   "Configuration value “clock” is “%s”, not “auto”, “host”, “virtual” or "
                   "“manual”", clock_name);
      return NULL;
    }

  const char *logs_dir = bw_config_get_string_default (config, "logs-dir", NULL);
  g_autoptr (BwLog) log = logs_dir ? bw_log_open (logs_dir, error) : bw_log_new_memory ();
  if (!log)
    return NULL;

  BwPlatformOptions options = { .ram_size = (guint64) ram_mb << 20, .clock_mode = clock_mode,
                                .log = log, .config = config };
  BwPlatform *platform = bw_platform_new (&options, error);
  if (!platform)
    {
      bw_log_printf (log, "VMM", "Cannot create the machine: %s", (*error)->message);
      return NULL;
    }

  BwVm *vm = g_new0 (BwVm, 1);
  vm->config = config;
  vm->log = g_steal_pointer (&log);
  vm->platform = platform;
  g_mutex_init (&vm->mutex);
  g_cond_init (&vm->cond);
  vm->state = BW_VM_STATE_CREATED;
  vm->listeners = g_array_new (FALSE, FALSE, sizeof (Listener));
  vm->next_listener_id = 1;
  vm->n_vcpus = (guint) cpus;

  /* Guest time starts with the run, not with the object. */
  bw_clock_stop (bw_platform_get_clock (platform));
  if (logs_dir)
    bw_log_capture_glib (vm->log); /* warnings of the VMM's own code, too */
  g_autoptr (GString) dump = g_string_new (NULL);
  bw_config_dump (config, dump);
  bw_log_printf (vm->log, "VMM", "Configuration:\n%s", dump->str);
  bw_log_printf (vm->log, "VMM", "RAM %" G_GINT64_FORMAT " MiB: %" G_GUINT64_FORMAT
                 " MiB below the PCI hole, %" G_GUINT64_FORMAT " MiB above 4 GiB",
                 ram_mb, bw_memory_get_low_ram_size (bw_platform_get_memory (platform)) >> 20,
                 bw_memory_get_high_ram_size (bw_platform_get_memory (platform)) >> 20);
  return vm;
}

static void join_threads (BwVm *vm);

void
bw_vm_free (BwVm *vm)
{
  if (!vm)
    return;
  BwVmState state = bw_vm_get_state (vm);
  if (state == BW_VM_STATE_RUNNING || state == BW_VM_STATE_PAUSED)
    bw_vm_power_off (vm, "the machine object was released", NULL);
  join_threads (vm);
  bw_platform_stop_timer_thread (vm->platform);
  bw_irq_router_set_cpu_sink (bw_platform_get_irq_router (vm->platform), NULL, NULL);
  for (guint i = 0; vm->vcpus && i < vm->n_vcpus; i++)
    if (vm->vcpus[i].vcpu)
      vm->choice.backend->vcpu_free (vm->vcpus[i].vcpu);
  g_free (vm->vcpus);
  bw_platform_free (vm->platform);
  bw_log_printf (vm->log, "VMM", "Log closed");
  bw_log_close (vm->log);
  bw_exec_choice_clear (&vm->choice);
  g_array_unref (vm->listeners);
  g_free (vm->stop_reason);
  g_mutex_clear (&vm->mutex);
  g_cond_clear (&vm->cond);
  g_free (vm);
}

BwPlatform *
bw_vm_get_platform (BwVm *vm)
{
  return vm->platform;
}

BwLog *
bw_vm_get_log (BwVm *vm)
{
  return vm->log;
}

BwConfig *
bw_vm_get_config (BwVm *vm)
{
  return vm->config;
}

BwVmState
bw_vm_get_state (BwVm *vm)
{
  g_mutex_lock (&vm->mutex);
  BwVmState state = vm->state;
  g_mutex_unlock (&vm->mutex);
  return state;
}

const BwCpuBackend *
bw_vm_get_backend (BwVm *vm)
{
  return vm->choice.backend;
}

const char *
bw_vm_get_backend_reason (BwVm *vm)
{
  return vm->choice.reason;
}

guint
bw_vm_get_n_vcpus (BwVm *vm)
{
  return vm->n_vcpus;
}

BwVcpu *
bw_vm_get_vcpu (BwVm *vm, guint index)
{
  return vm->vcpus && index < vm->n_vcpus ? vm->vcpus[index].vcpu : NULL;
}

guint
bw_vm_add_state_listener (BwVm *vm, BwVmStateFunc func, void *user_data)
{
  g_mutex_lock (&vm->mutex);
  Listener l = { vm->next_listener_id++, func, user_data };
  g_array_append_val (vm->listeners, l);
  g_mutex_unlock (&vm->mutex);
  return l.id;
}

void
bw_vm_remove_state_listener (BwVm *vm, guint id)
{
  g_mutex_lock (&vm->mutex);
  for (guint i = 0; i < vm->listeners->len; i++)
    if (g_array_index (vm->listeners, Listener, i).id == id)
      {
        g_array_remove_index (vm->listeners, i);
        break;
      }
  g_mutex_unlock (&vm->mutex);
}

void
bw_vm_set_reset_hook (BwVm *vm, BwVmResetHook hook, void *user_data)
{
  vm->reset_hook = hook;
  vm->reset_hook_data = user_data;
}

/* Kicks every vCPU out of guest code and wakes halted ones. Called with
 * vm->mutex held. */
static void
kick_all_locked (BwVm *vm)
{
  vm->wake_seq++;
  g_cond_broadcast (&vm->cond);
  for (guint i = 0; vm->vcpus && i < vm->n_vcpus; i++)
    if (vm->vcpus[i].vcpu)
      vm->choice.backend->kick (vm->vcpus[i].vcpu);
}

/* Asks the vCPU threads to stop; the last one out records the final
 * state. Called with vm->mutex held. */
static void
request_stop_locked (BwVm *vm, BwVmState final, const char *reason)
{
  if (vm->stop_req)
    return;
  vm->stop_req = TRUE;
  vm->stop_state = final;
  vm->stop_reason = g_strdup (reason);
  kick_all_locked (vm);
}

/* From the router (platform lock held): CPU lines go to the BSP. */
static void
cpu_line_changed (void *user_data, BwCpuLine line, gboolean level)
{
  BwVm *vm = user_data;
  BwVcpu *bsp = vm->vcpus ? vm->vcpus[0].vcpu : NULL;
  if (bsp)
    vm->choice.backend->set_line (bsp, line, level);
  if (level && (line == BW_CPU_LINE_INTR || line == BW_CPU_LINE_NMI || line == BW_CPU_LINE_INIT))
    {
      g_mutex_lock (&vm->mutex);
      vm->wake_seq++;
      g_cond_broadcast (&vm->cond);
      g_mutex_unlock (&vm->mutex);
    }
}

/* From devices and the CPU (may be on a vCPU thread, platform lock held). */
static void
platform_request (void *user_data, BwPlatformRequest request, const char *reason)
{
  BwVm *vm = user_data;
  g_mutex_lock (&vm->mutex);
  if (request == BW_PLATFORM_REQUEST_POWEROFF)
    request_stop_locked (vm, BW_VM_STATE_POWERED_OFF, reason);
  else
    {
      vm->reset_req = TRUE;
      kick_all_locked (vm);
    }
  g_mutex_unlock (&vm->mutex);
}

static gboolean
run_reset_hook (BwVm *vm, VcpuSlot *slot)
{
  g_autoptr (GError) error = NULL;
  if (slot->index != 0 || !vm->reset_hook)
    return TRUE;
  if (vm->reset_hook (vm->reset_hook_data, vm, slot->vcpu, &error))
    return TRUE;
  g_autofree char *reason = g_strdup_printf ("start-up failed: %s", error->message);
  bw_vm_abort (vm, reason);
  return FALSE;
}

/* The BSP resets the board; every vCPU resets itself. */
static gboolean
apply_reset (BwVm *vm, VcpuSlot *slot)
{
  if (slot->index == 0)
    {
      bw_log_printf (vm->log, "VMM", "Hardware reset");
      bw_platform_reset (vm->platform);
      g_mutex_lock (&vm->mutex);
      vm->reset_req = FALSE;
      vm->reset_generation++;
      g_cond_broadcast (&vm->cond);
      g_mutex_unlock (&vm->mutex);
    }
  vm->choice.backend->reset (slot->vcpu);
  g_mutex_lock (&vm->mutex);
  slot->reset_seen = vm->reset_generation;
  g_mutex_unlock (&vm->mutex);
  return run_reset_hook (vm, slot);
}

static gboolean
interrupt_pending (BwVm *vm, VcpuSlot *slot)
{
  const BwCpuBackend *b = vm->choice.backend;
  if (b->interrupt_deliverable)
    return b->interrupt_deliverable (slot->vcpu);
  return slot->index == 0
         && bw_irq_router_get_cpu_line (bw_platform_get_irq_router (vm->platform),
                                        BW_CPU_LINE_INTR);
}

/* HLT: sleep until an interrupt or a request. On a manual clock, when
 * every vCPU is halted, time jumps to the next timer so the guest sees it
 * fire (and stands still otherwise). On a virtual clock the clock decides
 * (bw_clock_idle): at once to the next timer while the guest is behind
 * the host, else a sleep until the host reaches that timer. */
static void
wait_halted (BwVm *vm, VcpuSlot *slot)
{
  BwClock *clock = bw_platform_get_clock (vm->platform);
  g_mutex_lock (&vm->mutex);
  vm->halted++;
  g_mutex_unlock (&vm->mutex);
  for (;;)
    {
      g_mutex_lock (&vm->mutex);
      gboolean leave = vm->stop_req || vm->pause_req || vm->reset_req
                       || slot->reset_seen != vm->reset_generation;
      gboolean all_halted = vm->halted >= vm->live_threads;
      guint64 seq = vm->wake_seq;
      g_mutex_unlock (&vm->mutex);
      if (leave || interrupt_pending (vm, slot))
        break;

      if (bw_clock_get_mode (clock) == BW_CLOCK_MANUAL && all_halted)
        {
          bw_platform_lock (vm->platform);
          gint64 deadline = bw_clock_get_deadline (clock);
          if (deadline != BW_CLOCK_NEVER)
            bw_clock_advance_to (clock, deadline);
          bw_platform_unlock (vm->platform);
          if (deadline != BW_CLOCK_NEVER)
            continue;
        }
      gint64 wait_us = 50 * 1000;
      if (bw_clock_get_mode (clock) == BW_CLOCK_VIRTUAL && all_halted)
        {
          bw_platform_lock (vm->platform);
          gint64 sleep_ns = bw_clock_idle (clock);
          bw_platform_unlock (vm->platform);
          if (sleep_ns == 0)
            continue;
          /* Short enough that a timer armed by another thread (the main
           * context) is seen soon; the clock catches up on waking. */
          wait_us = MIN (wait_us, MAX (sleep_ns / 1000, 1));
          wait_us = MIN (wait_us, 10 * 1000);
        }

      g_mutex_lock (&vm->mutex);
      if (vm->wake_seq == seq)
        /* A bounded wait: a wake-up racing with the check above costs at
         * most this much. */
        g_cond_wait_until (&vm->cond, &vm->mutex, g_get_monotonic_time () + wait_us);
      g_mutex_unlock (&vm->mutex);
    }
  g_mutex_lock (&vm->mutex);
  vm->halted--;
  g_mutex_unlock (&vm->mutex);
}

static gpointer
vcpu_thread (gpointer data)
{
  VcpuSlot *slot = data;
  BwVm *vm = slot->vm;
  const BwCpuBackend *backend = vm->choice.backend;
  gboolean ok = run_reset_hook (vm, slot);

  while (ok)
    {
      g_mutex_lock (&vm->mutex);
      while (vm->pause_req && !vm->stop_req)
        {
          vm->parked++;
          g_cond_broadcast (&vm->cond);
          g_cond_wait (&vm->cond, &vm->mutex);
          vm->parked--;
        }
      gboolean stop = vm->stop_req;
      gboolean reset = (slot->index == 0 && vm->reset_req)
                       || (slot->index != 0 && slot->reset_seen != vm->reset_generation);
      g_mutex_unlock (&vm->mutex);
      if (stop)
        break;
      if (reset)
        {
          ok = apply_reset (vm, slot);
          continue;
        }

      g_autoptr (GError) error = NULL;
      BwCpuExit exit = backend->run (slot->vcpu, &error);
      switch (exit)
        {
        case BW_CPU_EXIT_KICKED:
        case BW_CPU_EXIT_DEBUG:
          break;
        case BW_CPU_EXIT_HALTED:
          wait_halted (vm, slot);
          break;
        case BW_CPU_EXIT_SHUTDOWN:
          bw_platform_request (vm->platform, BW_PLATFORM_REQUEST_SHUTDOWN,
                               "the CPU shut down (triple fault)");
          break;
        case BW_CPU_EXIT_ERROR:
        default:
          {
            g_autofree char *reason = g_strdup_printf (
              "vCPU %u: %s", slot->index, error ? error->message : "the CPU backend failed");
            g_autoptr (GString) dump = g_string_new (NULL);
            BwX86Regs regs;
            if (backend->get_regs (slot->vcpu, &regs, NULL))
              bw_x86_regs_dump (&regs, dump);
            bw_log_printf (vm->log, "CPU", "Fatal: %s\n%s", reason, dump->str);
            g_mutex_lock (&vm->mutex);
            request_stop_locked (vm, BW_VM_STATE_ABORTED, reason);
            g_mutex_unlock (&vm->mutex);
            break;
          }
        }
    }

  g_mutex_lock (&vm->mutex);
  if (!vm->stop_req)
    request_stop_locked (vm, BW_VM_STATE_ABORTED, "a vCPU failed to start");
  gboolean last = --vm->live_threads == 0;
  BwVmState final = vm->stop_state;
  g_autofree char *reason = g_strdup (vm->stop_reason);
  g_cond_broadcast (&vm->cond);
  g_mutex_unlock (&vm->mutex);
  if (last)
    set_state (vm, final, reason, NULL); /* may already be final via bw_vm_abort() */
  return NULL;
}

gboolean
bw_vm_start (BwVm *vm, GError **error)
{
  if (bw_vm_get_state (vm) != BW_VM_STATE_CREATED)
    {
      g_set_error (error, BW_VM_ERROR, BW_VM_ERROR_STATE, "The machine cannot start: it is %s",
                   bw_vm_state_to_string (bw_vm_get_state (vm)));
      return FALSE;
    }

  GError *local = NULL;
  if (!bw_platform_add_configured_devices (vm->platform, &local)
      || !bw_platform_realize (vm->platform, &local))
    goto failed;
  bw_platform_reset (vm->platform);

  const char *accel = bw_config_get_string_default (vm->config, "acceleration", "auto");
  if (!bw_exec_manager_choose (accel, NULL, vm->log, &vm->choice, &local))
    goto failed;

  const BwCpuBackend *backend = vm->choice.backend;
  /* Before the vCPUs exist: the software CPU attaches its counter to a
   * virtual clock when it creates vCPU 0. */
  bw_clock_set_mode (bw_platform_get_clock (vm->platform),
                     bw_exec_manager_choose_clock (
                       bw_config_get_string_default (vm->config, "clock", "auto"), backend,
                       vm->n_vcpus, vm->log));
  vm->vcpus = g_new0 (VcpuSlot, vm->n_vcpus);
  for (guint i = 0; i < vm->n_vcpus; i++)
    {
      vm->vcpus[i].vm = vm;
      vm->vcpus[i].index = i;
      vm->vcpus[i].vcpu = backend->vcpu_new (vm->platform, i, &local);
      if (!vm->vcpus[i].vcpu)
        goto failed;
      backend->reset (vm->vcpus[i].vcpu);
    }
  bw_log_printf (vm->log, "VMM", "%u vCPU(s) on the %s backend (%s)", vm->n_vcpus, backend->name,
                 backend->description ? backend->description : "");

  bw_platform_lock (vm->platform);
  bw_irq_router_set_cpu_sink (bw_platform_get_irq_router (vm->platform), cpu_line_changed, vm);
  bw_platform_set_request_func (vm->platform, platform_request, vm);
  bw_platform_unlock (vm->platform);

  if (!set_state (vm, BW_VM_STATE_RUNNING, "started", error))
    return FALSE;
  bw_clock_start (bw_platform_get_clock (vm->platform));
  bw_platform_start_timer_thread (vm->platform);
  g_mutex_lock (&vm->mutex);
  vm->live_threads = vm->n_vcpus;
  g_mutex_unlock (&vm->mutex);
  for (guint i = 0; i < vm->n_vcpus; i++)
    {
      g_autofree char *name = g_strdup_printf ("bw-vcpu%u", i);
      vm->vcpus[i].thread = g_thread_new (name, vcpu_thread, &vm->vcpus[i]);
    }
  return TRUE;

failed:
  bw_log_printf (vm->log, "VMM", "Start failed: %s", local->message);
  set_state (vm, BW_VM_STATE_ABORTED, local->message, NULL);
  g_propagate_error (error, local);
  return FALSE;
}

gboolean
bw_vm_pause (BwVm *vm, GError **error)
{
  g_mutex_lock (&vm->mutex);
  if (vm->state != BW_VM_STATE_RUNNING || vm->stop_req)
    {
      BwVmState state = vm->state;
      g_mutex_unlock (&vm->mutex);
      g_set_error (error, BW_VM_ERROR, BW_VM_ERROR_STATE, "The machine cannot pause: it is %s",
                   bw_vm_state_to_string (state));
      return FALSE;
    }
  vm->pause_req = TRUE;
  kick_all_locked (vm);
  while (vm->parked < vm->live_threads && !vm->stop_req)
    g_cond_wait (&vm->cond, &vm->mutex);
  gboolean stopped = vm->stop_req;
  g_mutex_unlock (&vm->mutex);
  if (stopped)
    {
      g_set_error (error, BW_VM_ERROR, BW_VM_ERROR_STATE,
                   "The machine stopped while it was being paused");
      return FALSE;
    }
  bw_platform_stop_timer_thread (vm->platform);
  bw_clock_stop (bw_platform_get_clock (vm->platform));
  return set_state (vm, BW_VM_STATE_PAUSED, "paused", error);
}

gboolean
bw_vm_resume (BwVm *vm, GError **error)
{
  if (!set_state (vm, BW_VM_STATE_RUNNING, "resumed", error))
    return FALSE;
  bw_clock_start (bw_platform_get_clock (vm->platform));
  bw_platform_start_timer_thread (vm->platform);
  g_mutex_lock (&vm->mutex);
  vm->pause_req = FALSE;
  g_cond_broadcast (&vm->cond);
  g_mutex_unlock (&vm->mutex);
  return TRUE;
}

gboolean
bw_vm_reset (BwVm *vm, GError **error)
{
  BwVmState state = bw_vm_get_state (vm);
  if (state != BW_VM_STATE_RUNNING && state != BW_VM_STATE_PAUSED)
    {
      g_set_error (error, BW_VM_ERROR, BW_VM_ERROR_STATE, "The machine cannot reset: it is %s",
                   bw_vm_state_to_string (state));
      return FALSE;
    }
  bw_log_printf (vm->log, "VMM", "Reset requested by the user");
  g_mutex_lock (&vm->mutex);
  vm->reset_req = TRUE; /* applied by the BSP, at once or on resume */
  kick_all_locked (vm);
  g_mutex_unlock (&vm->mutex);
  return TRUE;
}

static void
join_threads (BwVm *vm)
{
  for (guint i = 0; vm->vcpus && i < vm->n_vcpus; i++)
    if (vm->vcpus[i].thread && vm->vcpus[i].thread != g_thread_self ())
      {
        g_thread_join (vm->vcpus[i].thread);
        vm->vcpus[i].thread = NULL;
      }
}

gboolean
bw_vm_power_off (BwVm *vm, const char *reason, GError **error)
{
  if (!reason)
    reason = "powered off";
  g_mutex_lock (&vm->mutex);
  BwVmState state = vm->state;
  gboolean threads = vm->live_threads > 0;
  if (state == BW_VM_STATE_RUNNING || state == BW_VM_STATE_PAUSED)
    request_stop_locked (vm, BW_VM_STATE_POWERED_OFF, reason);
  g_mutex_unlock (&vm->mutex);
  if (!bw_vm_state_transition_valid (state, BW_VM_STATE_POWERED_OFF))
    {
      g_set_error (error, BW_VM_ERROR, BW_VM_ERROR_STATE, "The machine cannot power off: it is %s",
                   bw_vm_state_to_string (state));
      return FALSE;
    }
  bw_log_printf (vm->log, "VMM", "Power off: %s", reason);
  if (!threads)
    return set_state (vm, BW_VM_STATE_POWERED_OFF, reason, error);
  join_threads (vm); /* the last thread out records the state */
  bw_platform_stop_timer_thread (vm->platform);
  return TRUE;
}

void
bw_vm_abort (BwVm *vm, const char *reason)
{
  g_mutex_lock (&vm->mutex);
  request_stop_locked (vm, BW_VM_STATE_ABORTED, reason);
  g_mutex_unlock (&vm->mutex);
  bw_log_printf (vm->log, "VMM", "Aborted: %s", reason);
  set_state (vm, BW_VM_STATE_ABORTED, reason, NULL);
}

BwVmState
bw_vm_wait (BwVm *vm, gint timeout_ms)
{
  gint64 end = timeout_ms < 0 ? -1 : g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_mutex_lock (&vm->mutex);
  while (!vm->final_notified)
    {
      if (end < 0)
        g_cond_wait (&vm->cond, &vm->mutex);
      else if (!g_cond_wait_until (&vm->cond, &vm->mutex, end))
        break;
    }
  BwVmState state = vm->state;
  g_mutex_unlock (&vm->mutex);
  return state;
}
