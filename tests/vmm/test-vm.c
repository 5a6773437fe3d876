/* test-vm.c: the VM object: its state machine, listeners, vCPU threads,
 * HLT and interrupts on a manual clock, reset and power-off requests from
 * devices, backend failures, the execution manager's choice, and the log.
 *
 * No /dev/kvm and no x86 CPU: a scripted backend stands in for the CPU.
 * It "executes" a fixed guest program per test by calling the platform's
 * CPU entry points, exactly as the real backends do. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include "bw-test.h"
#include "vmm/bw-vm.h"

#define PORT_LATCH 0x100   /* +0 data, +1: write 1 arms, read acks the IRQ */
#define PORT_CONTROL 0x500 /* write 1: power off, 2: reset */

enum
{
  SCRIPT_IDLE,  /* hlt forever */
  SCRIPT_IRQ,   /* arm the latch, hlt, take 3 interrupts, power off */
  SCRIPT_ERROR, /* the backend fails at once */
  SCRIPT_RESET, /* ask for a reset, then power off after it */
  SCRIPT_BUSY,  /* guest code that never exits by itself: only a kick stops it */
};

/* SCRIPT_BUSY's run() blocks here until kicked, as a CPU in guest code. */
static GMutex busy_mutex;
static GCond busy_cond;
static guint busy_runs;

static int script;

/* The scripted backend. */

typedef struct
{
  BwVcpu parent;
  gint kicked;
  gint intr;
  guint resets;
  guint armed;
  guint8 vectors[8];
  guint n_vectors;
  BwX86Regs regs;
} TestVcpu;

static TestVcpu *last_vcpu;

static gboolean
test_probe (GError **error)
{
  return TRUE;
}

static BwVcpu *
test_vcpu_new (BwPlatform *platform, guint index, GError **error)
{
  TestVcpu *t = g_new0 (TestVcpu, 1);
  t->parent.platform = platform;
  t->parent.index = index;
  last_vcpu = t;
  return &t->parent;
}

static void
test_vcpu_free (BwVcpu *vcpu)
{
  g_free (vcpu);
}

static void
out8 (BwPlatform *p, guint16 port, guint8 value)
{
  guint64 v = value;
  bw_platform_pio (p, port, &v, 1, TRUE);
}

static guint8
in8 (BwPlatform *p, guint16 port)
{
  guint64 v = 0;
  bw_platform_pio (p, port, &v, 1, FALSE);
  return (guint8) v;
}

static BwCpuExit
test_run (BwVcpu *vcpu, GError **error)
{
  TestVcpu *t = (TestVcpu *) vcpu;
  BwPlatform *p = vcpu->platform;

  if (g_atomic_int_compare_and_exchange (&t->kicked, 1, 0))
    return BW_CPU_EXIT_KICKED;
  switch (script)
    {
    case SCRIPT_IRQ:
      if (g_atomic_int_get (&t->intr))
        {
          /* The interrupt handler: INTA, acknowledge at the device. */
          guint8 vector = bw_platform_irq_acknowledge (p);
          if (t->n_vectors < G_N_ELEMENTS (t->vectors))
            t->vectors[t->n_vectors++] = vector;
          in8 (p, PORT_LATCH + 1);
          if (t->n_vectors == 3)
            out8 (p, PORT_CONTROL, 1);
          else
            out8 (p, PORT_LATCH + 1, 1);
          return BW_CPU_EXIT_KICKED;
        }
      if (!t->armed++)
        out8 (p, PORT_LATCH + 1, 1);
      return BW_CPU_EXIT_HALTED;
    case SCRIPT_ERROR:
      g_set_error (error, BW_CPU_BACKEND_ERROR, BW_CPU_BACKEND_ERROR_FAILED,
                   "invalid opcode 0f ff at f000:fff0");
      return BW_CPU_EXIT_ERROR;
    case SCRIPT_RESET:
      out8 (p, PORT_CONTROL, t->resets >= 2 ? 1 : 2);
      return BW_CPU_EXIT_KICKED;
    case SCRIPT_BUSY:
      g_mutex_lock (&busy_mutex);
      busy_runs++;
      g_cond_broadcast (&busy_cond);
      while (!g_atomic_int_compare_and_exchange (&t->kicked, 1, 0))
        g_cond_wait (&busy_cond, &busy_mutex);
      g_mutex_unlock (&busy_mutex);
      return BW_CPU_EXIT_KICKED;
    default:
      return BW_CPU_EXIT_HALTED;
    }
}

static void
test_kick (BwVcpu *vcpu)
{
  g_mutex_lock (&busy_mutex);
  g_atomic_int_set (&((TestVcpu *) vcpu)->kicked, 1);
  g_cond_broadcast (&busy_cond);
  g_mutex_unlock (&busy_mutex);
}

static gboolean
test_get_regs (BwVcpu *vcpu, BwX86Regs *regs, GError **error)
{
  *regs = ((TestVcpu *) vcpu)->regs;
  return TRUE;
}

static gboolean
test_set_regs (BwVcpu *vcpu, const BwX86Regs *regs, GError **error)
{
  ((TestVcpu *) vcpu)->regs = *regs;
  return TRUE;
}

static void
test_set_line (BwVcpu *vcpu, BwCpuLine line, gboolean level)
{
  if (line == BW_CPU_LINE_INTR)
    g_atomic_int_set (&((TestVcpu *) vcpu)->intr, level);
}

static void
test_reset (BwVcpu *vcpu)
{
  TestVcpu *t = (TestVcpu *) vcpu;
  t->resets++;
  bw_x86_regs_init_reset (&t->regs, 0x633);
}

static const BwCpuBackend test_backend = {
  .name = "test",
  .description = "scripted stand-in for a CPU",
  .preference = 100,
  .probe = test_probe,
  .vcpu_new = test_vcpu_new,
  .vcpu_free = test_vcpu_free,
  .run = test_run,
  .kick = test_kick,
  .get_regs = test_get_regs,
  .set_regs = test_set_regs,
  .set_line = test_set_line,
  .reset = test_reset,
};
BW_CPU_BACKEND_REGISTER (test_backend)

/* Devices for the scripts: an interrupt controller, a latch with a timer,
 * a control port. */

typedef struct
{
  BwDevice parent;
  guint32 levels;
} TestPic;

static void
pic_set_gsi (void *opaque, guint gsi, gboolean level)
{
  TestPic *pic = opaque;
  if (level)
    pic->levels |= 1u << gsi;
  else
    pic->levels &= ~(1u << gsi);
  bw_irq_router_set_cpu_line (bw_device_get_irq_router (&pic->parent), BW_CPU_LINE_INTR,
                              pic->levels != 0);
}

static guint8
pic_ack (void *opaque)
{
  TestPic *pic = opaque;
  return pic->levels ? 0x20 + (guint8) g_bit_nth_lsf (pic->levels, -1) : 0x27;
}

static const BwIrqControllerOps pic_ops = { pic_set_gsi, pic_ack };

static gboolean
pic_realize (BwDevice *dev, GError **error)
{
  bw_irq_router_set_controller (bw_device_get_irq_router (dev), &pic_ops, dev);
  return TRUE;
}

static const BwDeviceClass pic_class = {
  .name = "test-pic", .instance_size = sizeof (TestPic),
  .priority = BW_DEVICE_PRIORITY_CORE, .realize = pic_realize,
};
BW_DEVICE_REGISTER (pic_class)

typedef struct
{
  BwDevice parent;
  BwTimer *timer;
  BwIrqLine *irq;
  guint resets;
} TestLatch;

static void
latch_fire (void *opaque)
{
  bw_irq_line_raise (((TestLatch *) opaque)->irq);
}

static void
latch_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  TestLatch *l = opaque;
  if (offset == 1 && is_write && *data == 1)
    bw_timer_mod_in (l->timer, 1000);
  else if (offset == 1 && !is_write)
    bw_irq_line_lower (l->irq);
}

static const BwIoOps latch_ops = { .handler = latch_io, .max_access = 1 };

static gboolean
latch_realize (BwDevice *dev, GError **error)
{
  TestLatch *l = (TestLatch *) dev;
  l->timer = bw_device_new_timer (dev, latch_fire, l);
  l->irq = bw_device_get_irq (dev, 5);
  return bw_device_register_pio (dev, PORT_LATCH, 2, &latch_ops, l, error);
}

static void
latch_reset (BwDevice *dev)
{
  ((TestLatch *) dev)->resets++;
}

static const BwDeviceClass latch_class = {
  .name = "test-vm-latch", .instance_size = sizeof (TestLatch),
  .priority = BW_DEVICE_PRIORITY_DEVICE, .realize = latch_realize, .reset = latch_reset,
};
BW_DEVICE_REGISTER (latch_class)

static void
control_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwDevice *dev = opaque;
  if (is_write && *data == 1)
    bw_device_request_poweroff (dev, "power-off port");
  else if (is_write && *data == 2)
    bw_device_request_reset (dev, "reset port");
}

static const BwIoOps control_ops = { .handler = control_io, .max_access = 1 };

static gboolean
control_realize (BwDevice *dev, GError **error)
{
  return bw_device_register_pio (dev, PORT_CONTROL, 1, &control_ops, dev, error);
}

static const BwDeviceClass control_class = {
  .name = "test-control", .instance_size = sizeof (BwDevice),
  .priority = BW_DEVICE_PRIORITY_DEVICE, .realize = control_realize,
};
BW_DEVICE_REGISTER (control_class)

/* Helpers. */

static BwConfig *
test_config (void)
{
  BwConfig *config = bw_config_new ();
  bw_config_set_string (config, "name", "Test VM");
  bw_config_set_int (config, "ram-mb", 16);
  bw_config_set_string (config, "acceleration", "test");
  bw_config_set_string (config, "clock", "manual");
  return config;
}

static BwVm *
test_vm (BwConfig *config)
{
  g_autoptr (GError) error = NULL;
  BwVm *vm = bw_vm_new (config, &error);
  ck_assert_msg (vm != NULL, "%s", error ? error->message : "");
  BwPlatform *p = bw_vm_get_platform (vm);
  ck_assert (bw_platform_add_device (p, "test-pic", "pic", NULL, NULL));
  ck_assert (bw_platform_add_device (p, "test-vm-latch", "latch", NULL, NULL));
  ck_assert (bw_platform_add_device (p, "test-control", "control", NULL, NULL));
  return vm;
}

static void
record_state (void *user_data, BwVm *vm, BwVmState old_state, BwVmState new_state,
              const char *reason)
{
  GString *s = user_data;
  g_string_append_printf (s, "%s>%s ", bw_vm_state_to_string (old_state),
                          bw_vm_state_to_string (new_state));
}

/* Tests. */

START_TEST (test_transition_table)
{
  ck_assert (bw_vm_state_transition_valid (BW_VM_STATE_CREATED, BW_VM_STATE_RUNNING));
  ck_assert (bw_vm_state_transition_valid (BW_VM_STATE_RUNNING, BW_VM_STATE_PAUSED));
  ck_assert (bw_vm_state_transition_valid (BW_VM_STATE_PAUSED, BW_VM_STATE_RUNNING));
  ck_assert (bw_vm_state_transition_valid (BW_VM_STATE_PAUSED, BW_VM_STATE_POWERED_OFF));
  ck_assert (bw_vm_state_transition_valid (BW_VM_STATE_RUNNING, BW_VM_STATE_ABORTED));
  ck_assert (!bw_vm_state_transition_valid (BW_VM_STATE_CREATED, BW_VM_STATE_PAUSED));
  ck_assert (!bw_vm_state_transition_valid (BW_VM_STATE_RUNNING, BW_VM_STATE_RUNNING));
  ck_assert (!bw_vm_state_transition_valid (BW_VM_STATE_POWERED_OFF, BW_VM_STATE_RUNNING));
  ck_assert (!bw_vm_state_transition_valid (BW_VM_STATE_ABORTED, BW_VM_STATE_POWERED_OFF));
  ck_assert (!bw_vm_state_transition_valid (BW_VM_STATE_PAUSED, BW_VM_STATE_CREATED));
  ck_assert_str_eq (bw_vm_state_to_string (BW_VM_STATE_POWERED_OFF), "poweredoff");
}
END_TEST

START_TEST (test_lifecycle)
{
  script = SCRIPT_IDLE;
  g_autoptr (BwConfig) config = test_config ();
  BwVm *vm = test_vm (config);
  g_autoptr (GString) seen = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  bw_vm_add_state_listener (vm, record_state, seen);
  ck_assert_int_eq (bw_vm_get_state (vm), BW_VM_STATE_CREATED);
  ck_assert (!bw_vm_pause (vm, &error));
  ck_assert (g_error_matches (error, BW_VM_ERROR, BW_VM_ERROR_STATE));
  g_clear_error (&error);

  ck_assert (bw_vm_start (vm, &error));
  ck_assert_int_eq (bw_vm_get_state (vm), BW_VM_STATE_RUNNING);
  ck_assert_str_eq (bw_vm_get_backend (vm)->name, "test");
  ck_assert_ptr_nonnull (bw_vm_get_vcpu (vm, 0));
  ck_assert (!bw_vm_start (vm, &error));
  g_clear_error (&error);
  ck_assert (!bw_vm_resume (vm, &error));
  g_clear_error (&error);

  ck_assert (bw_vm_pause (vm, &error));
  ck_assert_int_eq (bw_vm_get_state (vm), BW_VM_STATE_PAUSED);
  ck_assert (!bw_vm_pause (vm, &error));
  g_clear_error (&error);
  ck_assert (bw_vm_resume (vm, &error));
  ck_assert (bw_vm_power_off (vm, "user request", &error));
  ck_assert_int_eq (bw_vm_get_state (vm), BW_VM_STATE_POWERED_OFF);
  ck_assert_int_eq (bw_vm_wait (vm, 0), BW_VM_STATE_POWERED_OFF);
  ck_assert (!bw_vm_resume (vm, &error));
  g_clear_error (&error);
  ck_assert (!bw_vm_power_off (vm, "again", &error));
  g_clear_error (&error);
  ck_assert_str_eq (seen->str, "created>running running>paused paused>running "
                               "running>poweredoff ");

  g_autofree char *log = bw_log_dup_contents (bw_vm_get_log (vm));
  ck_assert_ptr_nonnull (strstr (log, "EM: Using the test backend"));
  ck_assert_ptr_nonnull (strstr (log, "State: running -> poweredoff (user request)"));
  ck_assert_ptr_nonnull (strstr (log, "name = \"Test VM\""));
  bw_vm_free (vm);
}
END_TEST

/* Pause, resume and power off must get a vCPU out of guest code that
 * never exits by itself (a missing kick would hang here). */
START_TEST (test_kick_busy_vcpu)
{
  script = SCRIPT_BUSY;
  g_autoptr (BwConfig) config = test_config ();
  bw_config_set_int (config, "cpus", 2);
  BwVm *vm = test_vm (config);
  ck_assert (bw_vm_start (vm, NULL));
  ck_assert_uint_eq (bw_vm_get_n_vcpus (vm), 2);
  g_mutex_lock (&busy_mutex);
  while (busy_runs < 2) /* both vCPUs are in guest code */
    g_cond_wait (&busy_cond, &busy_mutex);
  g_mutex_unlock (&busy_mutex);
  ck_assert (bw_vm_pause (vm, NULL));
  ck_assert (bw_vm_resume (vm, NULL));
  ck_assert (bw_vm_reset (vm, NULL));
  ck_assert (bw_vm_power_off (vm, "done", NULL));
  ck_assert_int_eq (bw_vm_get_state (vm), BW_VM_STATE_POWERED_OFF);
  bw_vm_free (vm);
}
END_TEST

START_TEST (test_interrupts_on_manual_clock)
{
  script = SCRIPT_IRQ;
  g_autoptr (BwConfig) config = test_config ();
  BwVm *vm = test_vm (config);
  g_autoptr (GString) seen = g_string_new (NULL);
  bw_vm_add_state_listener (vm, record_state, seen);
  ck_assert (bw_vm_start (vm, NULL));
  ck_assert_int_eq (bw_vm_wait (vm, 20000), BW_VM_STATE_POWERED_OFF);
  TestVcpu *t = last_vcpu;
  ck_assert_uint_eq (t->n_vectors, 3);
  for (guint i = 0; i < 3; i++)
    ck_assert_uint_eq (t->vectors[i], 0x25);
  /* Guest time moved only when the vCPU slept: three 1 us timers. */
  ck_assert_int_eq (bw_clock_now (bw_platform_get_clock (bw_vm_get_platform (vm))), 3000);
  ck_assert_str_eq (seen->str, "created>running running>poweredoff ");
  g_autofree char *log = bw_log_dup_contents (bw_vm_get_log (vm));
  ck_assert_ptr_nonnull (strstr (log, "control: power-off port"));
  bw_vm_free (vm);
}
END_TEST

/* The same guest on the host clock: the platform's timer thread fires the
 * timers and wakes the halted vCPU. Only the outcome is checked, not how
 * long it took. */
START_TEST (test_interrupts_on_host_clock)
{
  script = SCRIPT_IRQ;
  g_autoptr (BwConfig) config = test_config ();
  bw_config_set_string (config, "clock", "host");
  BwVm *vm = test_vm (config);
  ck_assert (bw_vm_start (vm, NULL));
  ck_assert_int_eq (bw_vm_wait (vm, 20000), BW_VM_STATE_POWERED_OFF);
  ck_assert_uint_eq (last_vcpu->n_vectors, 3);
  ck_assert_int_ge (bw_clock_now (bw_platform_get_clock (bw_vm_get_platform (vm))), 3000);
  bw_vm_free (vm);
}
END_TEST

START_TEST (test_reset_request)
{
  script = SCRIPT_RESET;
  g_autoptr (BwConfig) config = test_config ();
  BwVm *vm = test_vm (config);
  ck_assert (bw_vm_start (vm, NULL));
  ck_assert_int_eq (bw_vm_wait (vm, 20000), BW_VM_STATE_POWERED_OFF);
  /* One reset at start, one for the request. */
  ck_assert_uint_eq (last_vcpu->resets, 2);
  TestLatch *latch = (TestLatch *) bw_platform_find_device (bw_vm_get_platform (vm), "latch");
  ck_assert_uint_eq (latch->resets, 3); /* realize, start, the request */
  ck_assert_uint_eq (last_vcpu->regs.rip, 0xfff0);
  g_autofree char *log = bw_log_dup_contents (bw_vm_get_log (vm));
  ck_assert_ptr_nonnull (strstr (log, "Request: reset (control: reset port)"));
  ck_assert_ptr_nonnull (strstr (log, "Hardware reset"));
  bw_vm_free (vm);
}
END_TEST

START_TEST (test_backend_error_aborts)
{
  script = SCRIPT_ERROR;
  g_autoptr (BwConfig) config = test_config ();
  BwVm *vm = test_vm (config);
  ck_assert (bw_vm_start (vm, NULL));
  ck_assert_int_eq (bw_vm_wait (vm, 20000), BW_VM_STATE_ABORTED);
  g_autofree char *log = bw_log_dup_contents (bw_vm_get_log (vm));
  ck_assert_ptr_nonnull (strstr (log, "invalid opcode 0f ff"));
  ck_assert_ptr_nonnull (strstr (log, "rip=000000000000fff0"));
  ck_assert_ptr_nonnull (strstr (log, "State: running -> aborted"));
  bw_vm_free (vm);
}
END_TEST

START_TEST (test_start_failures)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BwConfig) config = test_config ();
  bw_config_set_string (config, "acceleration", "kvm"); /* not in this executable */
  BwVm *vm = test_vm (config);
  ck_assert (!bw_vm_start (vm, &error));
  ck_assert (g_error_matches (error, BW_EXEC_MANAGER_ERROR, BW_EXEC_MANAGER_ERROR_UNKNOWN));
  ck_assert_int_eq (bw_vm_get_state (vm), BW_VM_STATE_ABORTED);
  bw_vm_free (vm);
  g_clear_error (&error);

  /* Two devices on one port: start fails and says which. */
  bw_config_set_string (config, "acceleration", "test");
  vm = test_vm (config);
  ck_assert (bw_platform_add_device (bw_vm_get_platform (vm), "test-control", "control2", NULL,
                                     NULL));
  ck_assert (!bw_vm_start (vm, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "control2"));
  bw_vm_free (vm);
  g_clear_error (&error);

  g_autoptr (BwConfig) bad = bw_config_new ();
  ck_assert_ptr_null (bw_vm_new (bad, &error));
  ck_assert (g_error_matches (error, BW_CONFIG_ERROR, BW_CONFIG_ERROR_NOT_FOUND));
  g_clear_error (&error);
  bw_config_set_int (bad, "ram-mb", 16);
  bw_config_set_string (bad, "clock", "sundial");
  ck_assert_ptr_null (bw_vm_new (bad, &error));
  ck_assert (g_error_matches (error, BW_VM_ERROR, BW_VM_ERROR_CONFIG));
}
END_TEST

START_TEST (test_log_file)
{
  script = SCRIPT_IDLE;
  g_autofree char *tmp = g_dir_make_tmp ("bw-vm-XXXXXX", NULL);
  g_autofree char *logs = g_build_filename (tmp, "Logs", NULL);
  g_autoptr (BwConfig) config = test_config ();
  bw_config_set_string (config, "logs-dir", logs);
  for (int run = 0; run < 2; run++)
    {
      BwVm *vm = test_vm (config);
      ck_assert (bw_vm_start (vm, NULL));
      ck_assert (bw_vm_power_off (vm, "test over", NULL));
      bw_vm_free (vm);
    }
  g_autofree char *path = g_build_filename (logs, "boxwood.log", NULL);
  g_autofree char *old = g_build_filename (logs, "boxwood.log.1", NULL);
  g_autofree char *text = NULL;
  ck_assert (g_file_get_contents (path, &text, NULL, NULL));
  ck_assert (g_file_test (old, G_FILE_TEST_EXISTS));
  ck_assert_ptr_nonnull (strstr (text, "ram-mb = 16"));
  ck_assert_ptr_nonnull (strstr (text, "Using the test backend"));
  ck_assert_ptr_nonnull (strstr (text, "Power off: test over"));
  ck_assert_ptr_nonnull (strstr (text, "Log closed"));
  g_remove (path);
  g_remove (old);
  g_rmdir (logs);
  g_rmdir (tmp);
}
END_TEST

/* Execution manager on hand-made candidates. */

static gboolean
probe_ok (GError **error)
{
  return TRUE;
}

static gboolean
probe_fail (GError **error)
{
  g_set_error (error, BW_CPU_BACKEND_ERROR, BW_CPU_BACKEND_ERROR_UNAVAILABLE,
               "/dev/kvm: No such file or directory");
  return FALSE;
}

static void
assess_slow_kvm (BwCpuAssessment *a)
{
  a->verdict = BW_CPU_VERDICT_SLOW;
  a->score = 2e5;
  g_strlcpy (a->reason, "guest kernel code emulated: 0.2 M instr/s", sizeof a->reason);
}

static void
assess_slow_other (BwCpuAssessment *a)
{
  a->verdict = BW_CPU_VERDICT_SLOW;
  a->score = 1e5;
  g_strlcpy (a->reason, "slower still", sizeof a->reason);
}

static const BwCpuBackend fake_kvm_slow = { .name = "kvm", .preference = 0, .probe = probe_ok,
                                            .assess = assess_slow_kvm };
static const BwCpuBackend fake_kvm_gone = { .name = "kvm", .preference = 0, .probe = probe_fail };
static const BwCpuBackend fake_kvm_good = { .name = "kvm", .preference = 0, .probe = probe_ok };
static const BwCpuBackend fake_sw = { .name = "software", .preference = 10, .probe = probe_ok };
static const BwCpuBackend fake_other = { .name = "other", .preference = 20, .probe = probe_ok,
                                         .assess = assess_slow_other };

static const BwCpuBackend *
choose (const char *accel, const BwCpuBackend *const *list, gboolean *warning, GError **error)
{
  g_autoptr (GPtrArray) candidates = g_ptr_array_new ();
  for (; *list; list++)
    g_ptr_array_add (candidates, (gpointer) *list);
  g_autoptr (BwLog) log = bw_log_new_memory ();
  BwExecChoice choice;
  if (!bw_exec_manager_choose (accel, candidates, log, &choice, error))
    return NULL;
  const BwCpuBackend *b = choice.backend;
  *warning = choice.warning;
  ck_assert_ptr_nonnull (choice.reason);
  g_autofree char *text = bw_log_dup_contents (log);
  ck_assert_ptr_nonnull (strstr (text, choice.reason));
  bw_exec_choice_clear (&choice);
  return b;
}

START_TEST (test_exec_manager)
{
  gboolean warning = FALSE;
  g_autoptr (GError) error = NULL;

  const BwCpuBackend *good[] = { &fake_sw, &fake_kvm_good, NULL };
  ck_assert_ptr_eq (choose ("auto", good, &warning, NULL), &fake_kvm_good);
  ck_assert (!warning);

  /* The nested-KVM case: KVM measured slow, the software CPU wins. */
  const BwCpuBackend *slow[] = { &fake_kvm_slow, &fake_sw, NULL };
  ck_assert_ptr_eq (choose ("auto", slow, &warning, NULL), &fake_sw);
  ck_assert (!warning);

  /* No software CPU yet: KVM anyway, with a warning. */
  const BwCpuBackend *only_slow[] = { &fake_other, &fake_kvm_slow, NULL };
  ck_assert_ptr_eq (choose ("auto", only_slow, &warning, NULL), &fake_kvm_slow);
  ck_assert (warning);

  const BwCpuBackend *gone[] = { &fake_kvm_gone, &fake_sw, NULL };
  ck_assert_ptr_eq (choose ("auto", gone, &warning, NULL), &fake_sw);
  ck_assert_ptr_null (choose ("kvm", gone, &warning, &error));
  ck_assert (g_error_matches (error, BW_EXEC_MANAGER_ERROR, BW_EXEC_MANAGER_ERROR_UNAVAILABLE));
  ck_assert_ptr_nonnull (strstr (error->message, "/dev/kvm"));
  g_clear_error (&error);

  /* Forcing a slow KVM is the user's choice. */
  ck_assert_ptr_eq (choose ("kvm", slow, &warning, NULL), &fake_kvm_slow);
  ck_assert_ptr_eq (choose ("software", slow, &warning, NULL), &fake_sw);
  ck_assert_ptr_null (choose ("warp", slow, &warning, &error));
  ck_assert (g_error_matches (error, BW_EXEC_MANAGER_ERROR, BW_EXEC_MANAGER_ERROR_UNKNOWN));
  g_clear_error (&error);

  const BwCpuBackend *none[] = { &fake_kvm_gone, NULL };
  ck_assert_ptr_null (choose ("auto", none, &warning, &error));
  ck_assert (g_error_matches (error, BW_EXEC_MANAGER_ERROR, BW_EXEC_MANAGER_ERROR_UNAVAILABLE));
}
END_TEST

/* How guest time flows follows from the backend (bw-exec-manager.h). */
static BwClockMode
choose_clock (const char *setting, const BwCpuBackend *b, guint n_vcpus, const char *logged)
{
  g_autoptr (BwLog) log = bw_log_new_memory ();
  BwClockMode mode = bw_exec_manager_choose_clock (setting, b, n_vcpus, log);
  g_autofree char *text = bw_log_dup_contents (log);
  ck_assert_msg (strstr (text, logged) != NULL, "log: %s", text);
  return mode;
}

START_TEST (test_exec_manager_clock)
{
  static const BwCpuBackend sw = { .name = "software", .probe = probe_ok,
                                   .drives_virtual_clock = TRUE };
  ck_assert_int_eq (choose_clock ("auto", &sw, 1, "Clock: virtual"), BW_CLOCK_VIRTUAL);
  ck_assert_int_eq (choose_clock (NULL, &sw, 1, "Clock: virtual"), BW_CLOCK_VIRTUAL);
  ck_assert_int_eq (choose_clock ("virtual", &sw, 1, "Clock: virtual"), BW_CLOCK_VIRTUAL);
  /* KVM runs at host speed; a virtual clock follows one vCPU. */
  ck_assert_int_eq (choose_clock ("auto", &fake_kvm_good, 1, "Clock: host (the CPU runs at"),
                    BW_CLOCK_HOST);
  ck_assert_int_eq (choose_clock ("virtual", &fake_kvm_good, 1, "cannot drive one"),
                    BW_CLOCK_HOST);
  ck_assert_int_eq (choose_clock ("auto", &sw, 2, "more"), BW_CLOCK_HOST);
  /* What the settings ask for otherwise. */
  ck_assert_int_eq (choose_clock ("host", &sw, 1, "Clock: host"), BW_CLOCK_HOST);
  ck_assert_int_eq (choose_clock ("manual", &sw, 1, "Clock: manual"), BW_CLOCK_MANUAL);
}
END_TEST

/* The scripted backend drives no clock: "virtual" falls back to host
 * time, and the VM still runs its guest. */
START_TEST (test_virtual_clock_setting_falls_back)
{
  script = SCRIPT_IRQ;
  g_autoptr (BwConfig) config = test_config ();
  bw_config_set_string (config, "clock", "virtual");
  BwVm *vm = test_vm (config);
  ck_assert (bw_vm_start (vm, NULL));
  ck_assert_int_eq (bw_clock_get_mode (bw_platform_get_clock (bw_vm_get_platform (vm))),
                    BW_CLOCK_HOST);
  ck_assert_int_eq (bw_vm_wait (vm, 20000), BW_VM_STATE_POWERED_OFF);
  ck_assert_uint_eq (last_vcpu->n_vectors, 3);
  bw_vm_free (vm);
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("vm");
  TCase *tc = tcase_create ("core");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_transition_table);
  tcase_add_test (tc, test_lifecycle);
  tcase_add_test (tc, test_kick_busy_vcpu);
  tcase_add_test (tc, test_interrupts_on_manual_clock);
  tcase_add_test (tc, test_interrupts_on_host_clock);
  tcase_add_test (tc, test_reset_request);
  tcase_add_test (tc, test_backend_error_aborts);
  tcase_add_test (tc, test_start_failures);
  tcase_add_test (tc, test_log_file);
  tcase_add_test (tc, test_exec_manager);
  tcase_add_test (tc, test_exec_manager_clock);
  tcase_add_test (tc, test_virtual_clock_setting_falls_back);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
