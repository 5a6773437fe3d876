/* bench-kvm-pio.c: what the KVM backend adds to a port-I/O exit, against
 * raw KVM_RUN in the same run, and how long a VM takes from bw_vm_new()
 * to its first guest instruction.
 *
 * Both sides run the same real-mode guest at 0000:7C00,
 *
 *   mov cx, N ; l: out dx, al ; dec cx ; jnz l ; hlt
 *
 * Raw: a minimal loop around KVM_RUN that only counts the OUT exits.
 * Backend: bw_kvm_get_backend()->run() with a device on the platform's
 * port bus, so each exit goes through the platform lock and the bus.
 * The ratio (backend / raw, per exit) is the number to watch; absolute
 * times depend on the host (where guest kernel code is emulated both
 * sides pay for that equally).
 *
 * Start-up: boxwood-vm cannot be started here without a registered
 * machine and its service, so this measures the same work in-process:
 * bw_vm_new() + bw_vm_start() until the guest's first instruction (an
 * OUT) reaches a port device, with acceleration "kvm" and "auto" (auto
 * includes the calibration). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "kmod/bw-kvm.h"
#include "vmm/bw-vm.h"

#define LOAD_ADDR 0x7c00u
#define PORT 0x510u
#define ROUNDS 5

static void
make_guest (guint8 *code, guint16 n)
{
  const guint8 bytes[] = {
    0xba, PORT & 0xff, PORT >> 8, /* mov dx, PORT */
    0xb9, n & 0xff,    n >> 8,    /* mov cx, n */
    0xee,                         /* l: out dx, al */
    0x49,                         /* dec cx */
    0x75, 0xfc,                   /* jnz l */
    0xf4,                         /* hlt */
  };
  memcpy (code, bytes, sizeof bytes);
}

/* Raw KVM: a VM of its own and a minimal KVM_RUN loop. */
typedef struct
{
  int kvm, vm, vcpu;
  gsize run_size;
  struct kvm_run *run;
  guint8 *mem;
} Raw;

static void
raw_open (Raw *r, guint16 n)
{
  r->kvm = open ("/dev/kvm", O_RDWR | O_CLOEXEC);
  r->vm = ioctl (r->kvm, KVM_CREATE_VM, 0);
  ioctl (r->vm, KVM_SET_TSS_ADDR, 0xfeffd000ul);
  r->mem = mmap (NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  struct kvm_userspace_memory_region region
      = { .memory_size = 0x10000, .userspace_addr = (guint64)(guintptr)r->mem };
  ioctl (r->vm, KVM_SET_USER_MEMORY_REGION, &region);
  make_guest (r->mem + LOAD_ADDR, n);
  r->vcpu = ioctl (r->vm, KVM_CREATE_VCPU, 0);
  r->run_size = ioctl (r->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
  r->run = mmap (NULL, r->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, r->vcpu, 0);
  if (r->vm < 0 || r->vcpu < 0 || r->run == MAP_FAILED)
    g_error ("raw KVM set-up failed: %s", g_strerror (errno));
}

/* Seconds per OUT exit. */
static double
raw_round (Raw *r, guint16 n)
{
  struct kvm_sregs sregs;
  ioctl (r->vcpu, KVM_GET_SREGS, &sregs);
  sregs.cs.base = 0;
  sregs.cs.selector = 0;
  ioctl (r->vcpu, KVM_SET_SREGS, &sregs);
  struct kvm_regs regs = { .rip = LOAD_ADDR, .rflags = 2 };
  ioctl (r->vcpu, KVM_SET_REGS, &regs);
  guint exits = 0;
  gint64 start = g_get_monotonic_time ();
  for (;;)
    {
      if (ioctl (r->vcpu, KVM_RUN, NULL) < 0)
        g_error ("KVM_RUN: %s", g_strerror (errno));
      if (r->run->exit_reason == KVM_EXIT_IO)
        exits++;
      else if (r->run->exit_reason == KVM_EXIT_HLT)
        break;
      else
        g_error ("raw KVM: unexpected exit %u", r->run->exit_reason);
    }
  double t = (g_get_monotonic_time () - start) / 1e6;
  if (exits != n)
    g_error ("raw KVM: %u exits, %u expected", exits, n);
  return t / n;
}

static void
raw_close (Raw *r)
{
  munmap (r->run, r->run_size);
  close (r->vcpu);
  close (r->vm);
  close (r->kvm);
  munmap (r->mem, 0x10000);
}

static guint64 port_writes;

static void
count_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  port_writes++;
}

static const BwIoOps count_ops = { .handler = count_io };

/* The backend on a platform with a device on the port bus. */
typedef struct
{
  BwPlatform *platform;
  const BwCpuBackend *b;
  BwVcpu *vcpu;
} Backend;

static void
backend_open (Backend *k, guint16 n)
{
  g_autoptr (GError) error = NULL;
  k->platform = bw_platform_new_test (1);
  bw_platform_lock (k->platform);
  bw_io_bus_register (bw_platform_get_pio (k->platform), "bench", PORT, 1, &count_ops, NULL, NULL);
  bw_platform_unlock (k->platform);
  guint8 code[16];
  make_guest (code, n);
  bw_memory_write (bw_platform_get_memory (k->platform), LOAD_ADDR, code, sizeof code);
  k->b = bw_kvm_get_backend ();
  k->vcpu = k->b->vcpu_new (k->platform, 0, &error);
  if (!k->vcpu)
    g_error ("%s", error->message);
}

/* Seconds per OUT exit. */
static double
backend_round (Backend *k, guint16 n)
{
  g_autoptr (GError) error = NULL;
  k->b->reset (k->vcpu);
  BwX86Regs regs;
  k->b->get_regs (k->vcpu, &regs, NULL);
  regs.seg[BW_X86_SEG_CS].selector = 0;
  regs.seg[BW_X86_SEG_CS].base = 0;
  regs.rip = LOAD_ADDR;
  k->b->set_regs (k->vcpu, &regs, NULL);
  port_writes = 0;
  gint64 start = g_get_monotonic_time ();
  BwCpuExit exit = k->b->run (k->vcpu, &error);
  double t = (g_get_monotonic_time () - start) / 1e6;
  if (exit != BW_CPU_EXIT_HALTED || port_writes != n)
    g_error ("backend: exit %d, %" G_GUINT64_FORMAT " writes: %s", exit, port_writes,
             error ? error->message : "");
  return t / n;
}

static void
backend_close (Backend *k)
{
  k->b->vcpu_free (k->vcpu);
  bw_platform_free (k->platform);
}

/* Start-up: from bw_vm_new() to the first OUT of the guest. */
typedef struct
{
  GMutex mutex;
  GCond cond;
  gint64 first;
} FirstOut;

static void
first_out (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  FirstOut *f = opaque;
  g_mutex_lock (&f->mutex);
  if (!f->first)
    f->first = g_get_monotonic_time ();
  g_cond_broadcast (&f->cond);
  g_mutex_unlock (&f->mutex);
}

static const BwIoOps first_ops = { .handler = first_out };

static gboolean
load_hook (void *user_data, BwVm *vm, BwVcpu *vcpu, GError **error)
{
  guint8 code[16];
  make_guest (code, 1);
  bw_memory_write (bw_platform_get_memory (bw_vm_get_platform (vm)), LOAD_ADDR, code, sizeof code);
  const BwCpuBackend *b = bw_vm_get_backend (vm);
  BwX86Regs regs;
  if (!b->get_regs (vcpu, &regs, error))
    return FALSE;
  regs.seg[BW_X86_SEG_CS].selector = 0;
  regs.seg[BW_X86_SEG_CS].base = 0;
  regs.rip = LOAD_ADDR;
  return b->set_regs (vcpu, &regs, error);
}

static double
start_to_first_instruction (const char *acceleration, char **backend_line)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BwConfig) config = bw_config_new ();
  bw_config_set_int (config, "ram-mb", 64);
  bw_config_set_string (config, "acceleration", acceleration);
  FirstOut f = { 0 };
  g_mutex_init (&f.mutex);
  g_cond_init (&f.cond);

  gint64 start = g_get_monotonic_time ();
  BwVm *vm = bw_vm_new (config, &error);
  if (!vm)
    g_error ("%s", error->message);
  BwPlatform *platform = bw_vm_get_platform (vm);
  bw_platform_lock (platform);
  bw_io_bus_register (bw_platform_get_pio (platform), "bench", PORT, 1, &first_ops, &f, NULL);
  bw_platform_unlock (platform);
  bw_vm_set_reset_hook (vm, load_hook, NULL);
  if (!bw_vm_start (vm, &error))
    g_error ("%s", error->message);
  g_mutex_lock (&f.mutex);
  while (!f.first)
    g_cond_wait (&f.cond, &f.mutex);
  g_mutex_unlock (&f.mutex);
  double t = (f.first - start) / 1e6;

  g_autofree char *log = bw_log_dup_contents (bw_vm_get_log (vm));
  const char *line = strstr (log, "Using the");
  *backend_line = line ? g_strndup (line, strcspn (line, "\n")) : g_strdup ("?");
  bw_vm_power_off (vm, "benchmark done", NULL);
  bw_vm_free (vm);
  g_mutex_clear (&f.mutex);
  g_cond_clear (&f.cond);
  return t;
}

int
main (void)
{
  g_autoptr (GError) error = NULL;
  if (!bw_kvm_probe (&error))
    {
      printf ("bench-kvm-pio: skipped: %s\n", error->message);
      return 0;
    }
  /* Rounds alternate between the two, so that a busy host slows both. */
  const guint16 n = 20000;
  Raw r;
  Backend k;
  raw_open (&r, n);
  backend_open (&k, n);
  double raw = G_MAXDOUBLE, backend = G_MAXDOUBLE;
  for (guint round = 0; round < ROUNDS; round++)
    {
      raw = MIN (raw, raw_round (&r, n));
      backend = MIN (backend, backend_round (&k, n));
    }
  raw_close (&r);
  backend_close (&k);
  printf ("port-I/O exit round trip (%u OUTs, best of %u alternating rounds):\n", n, ROUNDS);
  printf ("  raw KVM_RUN loop:  %8.2f us per exit\n", raw * 1e6);
  printf ("  KVM backend:       %8.2f us per exit\n", backend * 1e6);
  printf ("  ratio backend/raw: %8.2f\n", backend / raw);

  BwKvmCalibration cal;
  if (bw_kvm_calibrate (&cal, NULL))
    printf ("calibration: %.1f M guest ring-0 instructions/s (%s)\n", cal.ring0_rate / 1e6,
            cal.emulated ? "emulated" : "hardware");

  printf ("VM start to first guest instruction (in-process: bw_vm_new + bw_vm_start; the\n"
          "boxwood-vm process needs a registered machine and its service, not measured here):\n");
  const char *accels[] = { "kvm", "auto" };
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    {
      g_autofree char *line = NULL;
      double t = start_to_first_instruction (accels[i], &line);
      printf ("  acceleration %-4s: %8.2f ms  [%s]\n", accels[i], t * 1e3, line);
    }
  return 0;
}
