/* bw-kvm-calibrate.c: how fast does this /dev/kvm run guest code?
 *
 * A scratch VM with 64 KiB of RAM runs, in flat 32-bit protected mode,
 *
 *   mov ecx, N ; l: dec ecx ; jnz l ; out 0x10, al ; hlt
 *
 * and the time of KVM_RUN up to the OUT exit is taken for N and 2N
 * iterations (best of three each); the difference is the time of 2N
 * instructions, free of the entry and exit cost. N grows until that
 * difference is long enough to trust (half a millisecond) or the loop
 * is long enough for hardware speed. The same loop, as many times, then
 * runs in ring 3 (IOPL 3 lets it do the OUT), for the log: a paravirtual
 * host that emulates kernel code may run user code natively. Last, one
 * INT n and IRET in protected mode check what an emulating host can
 * emulate. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "kmod/bw-kvm-private.h"

#define SCRATCH_SIZE 0x10000u
#define CODE_ADDR 0x1000u
#define END_PORT 0x10u
#define MIN_DIFF_S 0.0005
#define MAX_ITERATIONS (1u << 22)
#define MAX_RUN_S 0.05 /* stop growing once one run takes this long */

typedef struct
{
  int vm_fd;
  int vcpu_fd;
  struct kvm_run *run;
  gsize run_size;
  guint8 *mem;
} Scratch;

static void
scratch_close (Scratch *s)
{
  if (s->run)
    munmap (s->run, s->run_size);
  if (s->vcpu_fd >= 0)
    close (s->vcpu_fd);
  if (s->vm_fd >= 0)
    close (s->vm_fd);
  if (s->mem)
    munmap (s->mem, SCRATCH_SIZE);
}

static gboolean
failed (GError **error, const char *what)
{
  g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED, "Calibration: %s failed: %s", what,
               g_strerror (errno));
  return FALSE;
}

static gboolean
scratch_open (Scratch *s, const BwKvmSystem *sys, GError **error)
{
  memset (s, 0, sizeof *s);
  s->vm_fd = s->vcpu_fd = -1;
  s->vm_fd = bw_kvm_system_ioctl (sys->fd, KVM_CREATE_VM, 0);
  if (s->vm_fd < 0)
    return failed (error, "KVM_CREATE_VM");
  guint64 identity = BW_KVM_IDENTITY_MAP_ADDR;
  if (sys->has_identity_map_addr)
    bw_kvm_system_ioctl (s->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity);
  if (sys->has_tss_addr)
    bw_kvm_system_ioctl (s->vm_fd, KVM_SET_TSS_ADDR, (void *)(guintptr)BW_KVM_TSS_ADDR);
  s->mem = mmap (NULL, SCRATCH_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (s->mem == MAP_FAILED)
    {
      s->mem = NULL;
      return failed (error, "allocating its RAM");
    }
  struct kvm_userspace_memory_region region = {
    .slot = 0,
    .guest_phys_addr = 0,
    .memory_size = SCRATCH_SIZE,
    .userspace_addr = (guint64)(guintptr)s->mem,
  };
  if (bw_kvm_system_ioctl (s->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
    return failed (error, "KVM_SET_USER_MEMORY_REGION");
  s->vcpu_fd = bw_kvm_system_ioctl (s->vm_fd, KVM_CREATE_VCPU, 0);
  if (s->vcpu_fd < 0)
    return failed (error, "KVM_CREATE_VCPU");
  guint32 signature;
  if (!bw_kvm_cpuid_setup (sys, s->vcpu_fd, 0, &signature, error))
    return FALSE;
  s->run_size = sys->vcpu_mmap_size;
  void *run = mmap (NULL, s->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, s->vcpu_fd, 0);
  if (run == MAP_FAILED)
    return failed (error, "mapping kvm_run");
  s->run = run;

  static const guint8 code[] = {
    0xb9, 0,        0, 0, 0, /* mov ecx, imm32 */
    0x49,                    /* l: dec ecx */
    0x75, 0xfd,              /* jnz l */
    0xe6, END_PORT,          /* out END_PORT, al */
    0xf4,                    /* hlt */
    0xeb, 0xfe,              /* jmp $ */
  };
  memcpy (s->mem + CODE_ADDR, code, sizeof code);
  return TRUE;
}

/* Flat 4 GiB segments at privilege level cpl. */
static gboolean
enter_protected_mode (Scratch *s, guint cpl, GError **error)
{
  struct kvm_sregs sregs;
  if (bw_kvm_system_ioctl (s->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
    return failed (error, "KVM_GET_SREGS");
  struct kvm_segment seg = {
    .base = 0,
    .limit = 0xffffffff,
    .type = 0xb,
    .present = 1,
    .dpl = cpl,
    .db = 1,
    .s = 1,
    .g = 1,
    .selector = (guint16)(0x08 | cpl),
  };
  sregs.cs = seg;
  seg.type = 0x3;
  seg.selector = (guint16)(0x10 | cpl);
  sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = seg;
  sregs.cr0 |= 1; /* PE */
  if (bw_kvm_system_ioctl (s->vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
    return failed (error, "KVM_SET_SREGS");
  return TRUE;
}

/* One run of the loop with n iterations: seconds from KVM_RUN to the OUT. */
static gboolean
time_loop (Scratch *s, guint cpl, guint32 n, double *seconds, GError **error)
{
  memcpy (s->mem + CODE_ADDR + 1, &n, 4);
  struct kvm_regs regs;
  memset (&regs, 0, sizeof regs);
  regs.rip = CODE_ADDR;
  regs.rsp = SCRATCH_SIZE - 16;
  regs.rflags = 0x2 | (cpl ? 0x3000 : 0); /* IOPL 3 for the ring-3 OUT */
  if (bw_kvm_system_ioctl (s->vcpu_fd, KVM_SET_REGS, &regs) < 0)
    return failed (error, "KVM_SET_REGS");

  gint64 start = g_get_monotonic_time ();
  int r;
  do
    r = ioctl (s->vcpu_fd, KVM_RUN, NULL);
  while (r < 0 && (errno == EINTR || errno == EAGAIN));
  gint64 end = g_get_monotonic_time ();
  if (r < 0)
    return failed (error, "KVM_RUN");
  if (s->run->exit_reason != KVM_EXIT_IO || s->run->io.port != END_PORT)
    {
      g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED,
                   "Calibration: the ring-%u loop ended with KVM exit %u instead of its OUT", cpl,
                   s->run->exit_reason);
      return FALSE;
    }
  /* Let KVM finish the OUT before the next KVM_SET_REGS. */
  s->run->immediate_exit = 1;
  ioctl (s->vcpu_fd, KVM_RUN, NULL);
  s->run->immediate_exit = 0;
  *seconds = (end - start) / 1e6;
  return TRUE;
}

static gboolean
best_of_three (Scratch *s, guint cpl, guint32 n, double *best, GError **error)
{
  *best = G_MAXDOUBLE;
  for (guint i = 0; i < 3; i++)
    {
      double t;
      if (!time_loop (s, cpl, n, &t, error))
        return FALSE;
      *best = MIN (*best, t);
    }
  return TRUE;
}

/* Instructions per second at cpl; iterations and the time of the extra
 * ones in *n and *diff. With *n_out set, that loop count is used as it
 * is; otherwise it grows as described at the top. */
static gboolean
measure (Scratch *s, guint cpl, double *rate, guint32 *n_out, double *diff_out, GError **error)
{
  if (!enter_protected_mode (s, cpl, error))
    return FALSE;
  gboolean fixed = *n_out != 0;
  guint32 n = fixed ? *n_out / 2 : 64;
  double t1, t2;
  for (;;)
    {
      if (!best_of_three (s, cpl, n, &t1, error) || !best_of_three (s, cpl, 2 * n, &t2, error))
        return FALSE;
      if (fixed || t2 - t1 >= MIN_DIFF_S || 2 * n >= MAX_ITERATIONS || t2 >= MAX_RUN_S)
        break;
      n *= 4;
    }
  /* Scheduling noise can make the difference vanish on a fast host; a
   * microsecond floor keeps the rate finite (and still clearly fast). */
  double diff = MAX (t2 - t1, 1e-6);
  *rate = 2.0 * n / diff;
  *n_out = 2 * n;
  *diff_out = diff;
  return TRUE;
}

/* INT 30h in 32-bit protected mode through a real GDT and IDT (at 0x500
 * and 0x600), to a handler that does OUT 11h and IRETD; the main line
 * then does OUT 10h. Some emulating hosts cannot emulate INT or IRET
 * outside real mode: KVM then stops with an internal error. */
#define GDT_ADDR 0x500u
#define IDT_ADDR 0x600u
#define INT_VECTOR 0x30u
#define HANDLER_ADDR 0x2000u
#define INT_CODE_ADDR 0x3000u

static gboolean
protected_int_works (Scratch *s)
{
  static const guint64 gdt[] = {
    0, G_GUINT64_CONSTANT (0x00cf9a000000ffff), /* 0x08: flat 32-bit code */
    G_GUINT64_CONSTANT (0x00cf92000000ffff),    /* 0x10: flat data */
  };
  memcpy (s->mem + GDT_ADDR, gdt, sizeof gdt);
  guint8 gate[8] = { HANDLER_ADDR & 0xff, HANDLER_ADDR >> 8, 0x08, 0, 0, 0x8e, 0, 0 };
  memset (s->mem + IDT_ADDR, 0, (INT_VECTOR + 1) * 8);
  memcpy (s->mem + IDT_ADDR + INT_VECTOR * 8, gate, sizeof gate);
  static const guint8 handler[] = { 0xe6, 0x11, 0xcf };                /* out 11h, al; iretd */
  static const guint8 code[] = { 0xcd, INT_VECTOR, 0xe6, 0x10, 0xf4 }; /* int; out 10h; hlt */
  memcpy (s->mem + HANDLER_ADDR, handler, sizeof handler);
  memcpy (s->mem + INT_CODE_ADDR, code, sizeof code);

  struct kvm_sregs sregs;
  if (!enter_protected_mode (s, 0, NULL)
      || bw_kvm_system_ioctl (s->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
    return FALSE;
  sregs.gdt.base = GDT_ADDR;
  sregs.gdt.limit = sizeof gdt - 1;
  sregs.idt.base = IDT_ADDR;
  sregs.idt.limit = (INT_VECTOR + 1) * 8 - 1;
  struct kvm_regs regs = { .rip = INT_CODE_ADDR, .rsp = SCRATCH_SIZE - 16, .rflags = 0x2 };
  if (bw_kvm_system_ioctl (s->vcpu_fd, KVM_SET_SREGS, &sregs) < 0
      || bw_kvm_system_ioctl (s->vcpu_fd, KVM_SET_REGS, &regs) < 0)
    return FALSE;
  guint expect[] = { 0x11, 0x10 };
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      int r;
      do
        r = ioctl (s->vcpu_fd, KVM_RUN, NULL);
      while (r < 0 && (errno == EINTR || errno == EAGAIN));
      if (r < 0 || s->run->exit_reason != KVM_EXIT_IO || s->run->io.port != expect[i])
        return FALSE;
    }
  return TRUE;
}

gboolean
bw_kvm_calibrate (BwKvmCalibration *result, GError **error)
{
  memset (result, 0, sizeof *result);
  const BwKvmSystem *sys = bw_kvm_system_get (error);
  if (!sys)
    return FALSE;
  gint64 start = g_get_monotonic_time ();
  Scratch s;
  gboolean ok = scratch_open (&s, sys, error);
  guint32 n = 0;
  double diff = 0;
  if (ok)
    ok = measure (&s, 0, &result->ring0_rate, &n, &diff, error);
  if (ok)
    {
      result->iterations = n;
      result->ring0_seconds = diff;
      result->emulated = result->ring0_rate < BW_KVM_GOOD_RATE;
      /* Ring 3 is informational (same loop count): a host that cannot
       * set it up does not fail the calibration. */
      guint32 n3 = n;
      double diff3;
      if (!measure (&s, 3, &result->ring3_rate, &n3, &diff3, NULL))
        result->ring3_rate = 0;
      result->protected_int_fails = !protected_int_works (&s);
    }
  scratch_close (&s);
  result->total_seconds = (g_get_monotonic_time () - start) / 1e6;
  return ok;
}

char *
bw_kvm_calibration_describe (const BwKvmCalibration *cal)
{
  g_autofree char *ring3 = cal->ring3_rate > 0
                               ? g_strdup_printf ("; ring 3: %.1f M/s", cal->ring3_rate / 1e6)
                               : g_strdup ("");
  g_autofree char *measured
      = g_strdup_printf ("guest ring-0 code ran at %.1f M instructions/s (%" G_GUINT64_FORMAT
                         " loop iterations, %.2f ms%s; calibration took %.1f ms)",
                         cal->ring0_rate / 1e6, cal->iterations, cal->ring0_seconds * 1e3, ring3,
                         cal->total_seconds * 1e3);
  const char *int_note = cal->protected_int_fails
                             ? "; it also cannot run INT n and IRET in protected mode (a "
                               "protected-mode operating system stops there with a KVM "
                               "internal error)"
                             : "";
  if (cal->emulated)
    return g_strdup_printf ("%s; below %.0f M/s, so this /dev/kvm emulates guest kernel code "
                            "instead of running it on hardware (a nested, paravirtual KVM); "
                            "hardware virtualization runs this loop at over 1000 M/s%s",
                            measured, BW_KVM_GOOD_RATE / 1e6, int_note);
  return g_strdup_printf ("%s: hardware virtualization%s", measured, int_note);
}
