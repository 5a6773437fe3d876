/* bw-kvm-backend.c: the "kvm" CPU backend table and its assessment for
 * auto acceleration. */
#include "config.h"

#include "kmod/bw-kvm-private.h"

static void
kvm_assess (BwCpuAssessment *result)
{
  g_autoptr (GError) error = NULL;
  BwKvmCalibration cal;
  if (!bw_kvm_calibrate (&cal, &error))
    {
      result->verdict = BW_CPU_VERDICT_UNAVAILABLE;
      result->score = 0;
      g_snprintf (result->reason, sizeof result->reason, "%s", error->message);
      return;
    }
  g_autofree char *text = bw_kvm_calibration_describe (&cal);
  result->verdict
      = cal.emulated || cal.protected_int_fails ? BW_CPU_VERDICT_SLOW : BW_CPU_VERDICT_GOOD;
  result->score = cal.ring0_rate; /* instructions per second, as the software CPU counts */
  g_strlcpy (result->reason, text, sizeof result->reason);
}

static const BwCpuBackend kvm_backend = {
  .name = "kvm",
  .description = "hardware virtualization through /dev/kvm",
  .preference = 0,
  .probe = bw_kvm_probe,
  .assess = kvm_assess,
  .vcpu_new = bw_kvm_vcpu_new,
  .vcpu_free = bw_kvm_vcpu_free,
  .run = bw_kvm_vcpu_run,
  .kick = bw_kvm_vcpu_kick,
  .get_regs = bw_kvm_regs_get,
  .set_regs = bw_kvm_regs_set,
  .get_fpu = bw_kvm_regs_get_fpu,
  .set_fpu = bw_kvm_regs_set_fpu,
  .set_line = bw_kvm_vcpu_set_line,
  .reset = bw_kvm_vcpu_reset,
  .interrupt_deliverable = bw_kvm_vcpu_interrupt_deliverable,
};
BW_CPU_BACKEND_REGISTER (kvm_backend)

const BwCpuBackend *
bw_kvm_get_backend (void)
{
  return &kvm_backend;
}
