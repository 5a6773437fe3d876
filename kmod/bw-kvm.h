/* bw-kvm.h: the KVM backend (/dev/kvm).
 *
 * It registers itself as the CPU backend "kvm" (bw-cpu-backend.h);
 * the execution manager reaches it only through that table. What is
 * here besides is for tests, benchmarks and diagnostics.
 *
 * The interrupt controllers are our own userspace models: no in-kernel
 * irqchip is created, so the guest's interrupts come from the platform's
 * router (KVM_INTERRUPT when the guest can take one, an interrupt-window
 * exit when it cannot yet), and HLT returns to the VM, which sleeps until
 * an interrupt or a timer. Port I/O (string I/O included) and MMIO exits
 * are dispatched inline to the platform's buses.
 *
 * Calibration: some hosts (nested, paravirtual KVM such as the one this
 * project is built on) expose a /dev/kvm that emulates guest kernel code
 * instruction by instruction, about 1000 times slower than hardware. The
 * backend's assess() runs a short loop in a scratch VM, in ring 0 and in
 * ring 3, times it against its known instruction count, and calls the
 * backend SLOW below BW_KVM_GOOD_RATE. */
#pragma once

#include <glib.h>
#include "vmm/bw-cpu-backend.h"

G_BEGIN_DECLS

#define BW_KVM_ERROR (bw_kvm_error_quark ())
GQuark bw_kvm_error_quark (void);

typedef enum
{
  BW_KVM_ERROR_UNAVAILABLE, /* no /dev/kvm, no permission, a missing capability */
  BW_KVM_ERROR_FAILED,      /* an ioctl failed */
} BwKvmError;

/* Guest ring-0 instructions per second below which /dev/kvm counts as
 * emulating kernel code. Hardware runs the calibration loop at a few
 * thousand million per second; the emulating hosts at a few million. */
#define BW_KVM_GOOD_RATE 100e6

typedef struct
{
  double ring0_rate;    /* guest ring-0 instructions per second */
  double ring3_rate;    /* ring 3, the same loop; 0 when it could not run */
  guint64 iterations;   /* loop count of the longer timed run */
  double ring0_seconds; /* time of those extra iterations in ring 0 */
  double total_seconds; /* the whole calibration, VM set-up included */
  gboolean emulated;    /* ring0_rate < BW_KVM_GOOD_RATE */
  /* INT n or IRET in protected mode stopped KVM with an internal error
   * (seen on hosts that emulate kernel code): protected-mode systems
   * cannot run. */
  gboolean protected_int_fails;
} BwKvmCalibration;

/* The backend table (also registered under "kvm"). */
const BwCpuBackend *bw_kvm_get_backend (void);

/* Opens /dev/kvm and checks the capabilities the backend needs. The path
 * is $BOXWOOD_KVM_DEVICE when set (tests), else /dev/kvm. */
gboolean bw_kvm_probe (GError **error);
/* Whether this process has tried to open /dev/kvm (acceleration
 * "software" never does). */
gboolean bw_kvm_is_open (void);

/* Runs the calibration (tens of milliseconds at most). */
gboolean bw_kvm_calibrate (BwKvmCalibration *result, GError **error);
/* The sentence assess() logs for a calibration. */
char *bw_kvm_calibration_describe (const BwKvmCalibration *cal);

/* Exits counted on a vCPU of this backend since its creation. */
typedef struct
{
  guint64 exits;
  guint64 io_exits;
  guint64 mmio_exits;
} BwKvmExitCounts;
void bw_kvm_vcpu_get_exit_counts (BwVcpu *vcpu, BwKvmExitCounts *counts);
/* KVM memory slots of the vCPU's VM (tests of slot updates). */
guint bw_kvm_vcpu_get_n_slots (BwVcpu *vcpu);

G_END_DECLS
