/* bw-cpu-backend.h: the interface both CPU backends implement.
 *
 * kmod/ (KVM) and vmm/cpu/ (the software CPU) each fill in one
 * BwCpuBackend and register it with BW_CPU_BACKEND_REGISTER(). The
 * execution manager (bw-exec-manager.h) picks one per machine; the VM
 * creates one BwVcpu per virtual CPU and runs each on its own thread:
 *
 *   for (;;) {
 *     exit = backend->run (vcpu, &error);
 *     handle exit (pause/stop requests, HLT wait, shutdown, errors)
 *   }
 *
 * Port I/O and MMIO are dispatched by the backend itself, inline, through
 * bw_platform_pio() / bw_platform_mmio() (they take the platform lock), so
 * run() does not return for them. Interrupts: the VM forwards the router's
 * CPU lines to set_line(); when the vCPU can take a maskable interrupt
 * with INTR high it calls bw_platform_irq_acknowledge() for the vector.
 *
 * A backend embeds BwVcpu at the start of its own vCPU struct. */
#pragma once

#include <glib.h>
#include "vmm/bw-x86-regs.h"
#include "vmm/bw-irq.h"
#include "vmm/bw-platform.h"

G_BEGIN_DECLS

#define BW_CPU_BACKEND_ERROR (bw_cpu_backend_error_quark ())
GQuark bw_cpu_backend_error_quark (void);

typedef enum
{
  BW_CPU_BACKEND_ERROR_UNAVAILABLE, /* the backend cannot run on this host */
  BW_CPU_BACKEND_ERROR_FAILED,      /* the backend failed while running */
  BW_CPU_BACKEND_ERROR_UNSUPPORTED, /* an operation the backend lacks */
} BwCpuBackendError;

typedef enum
{
  BW_CPU_EXIT_KICKED,   /* kick() was called, or run() chose to return (after an interrupt, ...) */
  BW_CPU_EXIT_HALTED,   /* HLT with no interrupt deliverable: the VM waits for one */
  BW_CPU_EXIT_SHUTDOWN, /* triple fault: the platform resets, as a PC does */
  BW_CPU_EXIT_DEBUG,    /* a breakpoint or single step (debugger) */
  BW_CPU_EXIT_ERROR,    /* the backend failed; see the GError */
} BwCpuExit;

typedef struct _BwCpuBackend BwCpuBackend;
typedef struct _BwVcpu BwVcpu;

struct _BwVcpu
{
  const BwCpuBackend *backend;
  BwPlatform *platform;
  guint index; /* 0 is the bootstrap processor */
};

/* What auto selection learns from a backend (filled by assess()). */
typedef enum
{
  BW_CPU_VERDICT_UNAVAILABLE, /* cannot run here */
  BW_CPU_VERDICT_SLOW,        /* runs, but measured far below what it should */
  BW_CPU_VERDICT_GOOD,
} BwCpuVerdict;

typedef struct
{
  BwCpuVerdict verdict;
  /* A measure comparable between backends, higher is better (e.g. guest
   * kernel-mode instructions per second of a calibration loop); 0 when
   * not measured. */
  double score;
  /* One line for the log: what was measured and what it means. */
  char reason[512];
} BwCpuAssessment;

struct _BwCpuBackend
{
  const char *name;        /* "kvm", "software" */
  const char *description; /* for the log */
  /* Order tried by auto among GOOD backends: lower first. */
  int preference;

  /* Whether the backend can run on this host at all (opens /dev/kvm and
   * checks capabilities; the software CPU always can). Cheap. */
  gboolean (*probe) (GError **error);
  /* Optional: measure (a short calibration run) for auto selection. NULL
   * means GOOD when probe() succeeds. */
  void (*assess) (BwCpuAssessment *result);

  /* A vCPU on platform; memory slots and the like are set up here. */
  BwVcpu *(*vcpu_new) (BwPlatform *platform, guint index, GError **error);
  void (*vcpu_free) (BwVcpu *vcpu);

  /* Runs guest code on the calling thread until an exit. */
  BwCpuExit (*run) (BwVcpu *vcpu, GError **error);
  /* From any thread: make run() return BW_CPU_EXIT_KICKED soon; a kick
   * while not in run() makes the next run() return at once. */
  void (*kick) (BwVcpu *vcpu);

  /* Registers, on the vCPU thread while not in run() (or with the vCPU
   * stopped). */
  gboolean (*get_regs) (BwVcpu *vcpu, BwX86Regs *regs, GError **error);
  gboolean (*set_regs) (BwVcpu *vcpu, const BwX86Regs *regs, GError **error);
  /* Optional (NULL: not supported). */
  gboolean (*get_fpu) (BwVcpu *vcpu, BwX86Fpu *fpu, GError **error);
  gboolean (*set_fpu) (BwVcpu *vcpu, const BwX86Fpu *fpu, GError **error);

  /* From any thread: the level of a CPU line (bw-irq.h): INTR level,
   * NMI and INIT edges (called with TRUE), A20. The backend makes sure a
   * running vCPU notices (kicking itself if needed). */
  void (*set_line) (BwVcpu *vcpu, BwCpuLine line, gboolean level);

  /* Power-on reset of the vCPU (registers, FPU, MSRs), not in run(). */
  void (*reset) (BwVcpu *vcpu);

  /* Optional: whether an interrupt or NMI could be delivered now, used
   * by the VM's HLT wait (NULL: INTR level alone decides). */
  gboolean (*interrupt_deliverable) (BwVcpu *vcpu);

  /* The backend can drive a BW_CLOCK_VIRTUAL platform clock from vCPU 0's
   * instruction count and fires its timers itself (bw-clock.h); the
   * "auto" clock setting then picks it (bw-exec-manager.h). */
  gboolean drives_virtual_clock;
};

void bw_cpu_backend_register (const BwCpuBackend *backend);
const BwCpuBackend *bw_cpu_backend_find (const char *name);
/* Registered backends by preference. */
GPtrArray *bw_cpu_backend_list (void);

#define BW_CPU_BACKEND_REGISTER(backend_var)                                                       \
  __attribute__ ((constructor)) static void bw_cpu_backend_register_##backend_var (void)          \
  {                                                                                                \
    bw_cpu_backend_register (&(backend_var));                                                      \
  }

G_END_DECLS
