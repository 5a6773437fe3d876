/* bw-kvm-cpuid.c: the CPUID table of a vCPU.
 *
 * Starts from KVM_GET_SUPPORTED_CPUID (what the host and KVM can give a
 * guest) and takes out what our platform lacks. There is no local APIC:
 * interrupts come from our userspace 8259 pair, so the APIC, x2APIC and
 * TSC-deadline bits go, and so do the KVM paravirtual features that need
 * an in-kernel APIC. Operating systems and SeaBIOS then stay on the PIC. */
#include "config.h"

#include <errno.h>
#include <sys/ioctl.h>
#include "kmod/bw-kvm-private.h"

#define CPUID_1_EDX_APIC (1u << 9)
#define CPUID_1_ECX_X2APIC (1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define KVM_CPUID_FEATURES_LEAF 0x40000001u
/* KVM paravirtual features that work without an in-kernel APIC:
 * clocksource (0), no I/O delay (1), clocksource2 (3), steal time (5),
 * clocksource stable (24). */
#define KVM_PV_FEATURES_KEPT ((1u << 0) | (1u << 1) | (1u << 3) | (1u << 5) | (1u << 24))

gboolean
bw_kvm_cpuid_setup (const BwKvmSystem *sys, int vcpu_fd, guint index, guint32 *signature,
                    GError **error)
{
  const struct kvm_cpuid2 *supported = sys->cpuid;
  gsize bytes = sizeof *supported + supported->nent * sizeof supported->entries[0];
  g_autofree struct kvm_cpuid2 *cpuid = g_memdup2 (supported, bytes);
  guint32 sig = 0;

  for (guint i = 0; i < cpuid->nent; i++)
    {
      struct kvm_cpuid_entry2 *e = &cpuid->entries[i];
      switch (e->function)
        {
          case 1:
            sig = e->eax;
            e->edx &= ~CPUID_1_EDX_APIC;
            e->ecx &= ~(CPUID_1_ECX_X2APIC | CPUID_1_ECX_TSC_DEADLINE);
            /* Initial APIC ID in EBX[31:24]; one logical processor per
             * package as far as this leaf tells. */
            e->ebx = (e->ebx & 0x0000ffffu) | (1u << 16) | ((guint32)(index & 0xff) << 24);
            break;
          case 0xb:
          case 0x1f:
            e->edx = index; /* x2APIC ID of the topology leaves */
            break;
          case KVM_CPUID_FEATURES_LEAF:
            e->eax &= KVM_PV_FEATURES_KEPT;
            break;
          default:
            break;
        }
    }

  if (bw_kvm_system_ioctl (vcpu_fd, KVM_SET_CPUID2, cpuid) < 0)
    {
      g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED, "KVM_SET_CPUID2 (%u entries): %s",
                   cpuid->nent, g_strerror (errno));
      return FALSE;
    }
  /* The architecture's value when leaf 1 is missing: a 486-class part. */
  *signature = sig ? sig : 0x400;
  return TRUE;
}
