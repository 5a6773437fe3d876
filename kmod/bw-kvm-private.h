/* bw-kvm-private.h: the pieces of the KVM backend, shared between kmod/
 * files only. Nothing outside kmod/ includes <linux/kvm.h>.
 *
 *   BwKvmSystem  /dev/kvm itself: opened once per process, on the first
 *                probe, with its capabilities, supported CPUID and MSRs
 *   BwKvmVm      one KVM VM per platform: memory slots kept in step with
 *                the platform's memory map
 *   BwKvmVcpu    one vCPU: KVM_RUN loop, exits, interrupt injection, kicks
 *   bw_kvm_regs  BwX86Regs <-> kvm_regs/kvm_sregs/MSRs/debug registers
 *   bw_kvm_cpuid the CPUID table a vCPU gets */
#pragma once

#include <glib.h>
#include <linux/kvm.h>
#include <pthread.h>
#include "kmod/bw-kvm.h"

G_BEGIN_DECLS

/* Where KVM on Intel puts the real-mode TSS (three pages) and the
 * identity-mapped page table (one page): just below the top 16 MiB of
 * the PCI hole, where no PC device of ours lives. */
#define BW_KVM_IDENTITY_MAP_ADDR 0xfeffc000u
#define BW_KVM_TSS_ADDR 0xfeffd000u

typedef struct
{
  int fd;
  int api_version;
  gsize vcpu_mmap_size;
  int nr_memslots;
  gboolean has_tss_addr;
  gboolean has_identity_map_addr;
  gboolean has_vcpu_events;
  gboolean has_debugregs;
  gboolean has_xcrs;
  gsize xsave_size;         /* KVM_GET_XSAVE(2) buffer size; 0: only kvm_fpu */
  gboolean has_xsave2;      /* KVM_GET_XSAVE2 */
  struct kvm_cpuid2 *cpuid; /* KVM_GET_SUPPORTED_CPUID */
  guint32 *msrs;            /* KVM_GET_MSR_INDEX_LIST */
  guint n_msrs;
} BwKvmSystem;

/* Opens /dev/kvm (or $BOXWOOD_KVM_DEVICE) on the first call and checks
 * what the backend needs; later calls return the same result. */
const BwKvmSystem *bw_kvm_system_get (GError **error);
gboolean bw_kvm_system_has_msr (const BwKvmSystem *sys, guint32 index);
/* ioctl() that retries on EINTR; -1 with errno set on failure. */
int bw_kvm_system_ioctl (int fd, unsigned long request, void *arg);

typedef struct _BwKvmVm BwKvmVm;

/* The KVM VM of platform, created on first use (memory slots from its
 * memory map, kept up to date by a map listener); one reference per vCPU. */
BwKvmVm *bw_kvm_vm_acquire (BwPlatform *platform, GError **error);
void bw_kvm_vm_release (BwKvmVm *vm);
int bw_kvm_vm_get_fd (BwKvmVm *vm);
/* Number of KVM memory slots in use (tests). */
guint bw_kvm_vm_get_n_slots (BwKvmVm *vm);

typedef struct
{
  BwVcpu parent;
  BwKvmVm *vm;
  const BwKvmSystem *sys;
  int fd;
  struct kvm_run *run;
  guint32 cpu_signature; /* CPUID.1:EAX, DX after reset */
  BwLog *log;

  /* Kicks: guarded by kick_mutex (see bw-kvm-vcpu.c). */
  GMutex kick_mutex;
  gboolean in_run;
  gboolean poked;
  pthread_t thread;

  /* Lines, set from any thread. */
  gint kick_pending;
  gint intr_level;
  gint nmi_pending;
  gint init_pending;
  gint a20_warned;

  /* vCPU thread only. */
  gboolean wait_for_sipi;    /* an AP after reset: never runs (no local APIC, no SIPI) */
  gboolean window_valid;     /* run->ready_for_interrupt_injection is current */
  gboolean needs_completion; /* an I/O or MMIO exit waits for KVM_RUN to finish it */
  char *failure;             /* a reset that failed: the next run() reports it */
  guint64 exits;             /* every KVM_RUN return */
  guint64 io_exits;
  guint64 mmio_exits;
} BwKvmVcpu;

BwVcpu *bw_kvm_vcpu_new (BwPlatform *platform, guint index, GError **error);
void bw_kvm_vcpu_free (BwVcpu *vcpu);
BwCpuExit bw_kvm_vcpu_run (BwVcpu *vcpu, GError **error);
void bw_kvm_vcpu_kick (BwVcpu *vcpu);
void bw_kvm_vcpu_set_line (BwVcpu *vcpu, BwCpuLine line, gboolean level);
void bw_kvm_vcpu_reset (BwVcpu *vcpu);
gboolean bw_kvm_vcpu_interrupt_deliverable (BwVcpu *vcpu);

gboolean bw_kvm_regs_get (BwVcpu *vcpu, BwX86Regs *regs, GError **error);
gboolean bw_kvm_regs_set (BwVcpu *vcpu, const BwX86Regs *regs, GError **error);
gboolean bw_kvm_regs_get_fpu (BwVcpu *vcpu, BwX86Fpu *fpu, GError **error);
gboolean bw_kvm_regs_set_fpu (BwVcpu *vcpu, const BwX86Fpu *fpu, GError **error);
/* Power-on (init_only FALSE) or INIT (TRUE: x87/SSE state kept) state. */
gboolean bw_kvm_regs_reset (BwKvmVcpu *v, gboolean init_only, GError **error);

/* Gives the vCPU the host's supported CPUID, trimmed to our platform (no
 * local APIC: the interrupt controller is our 8259 pair), with its APIC
 * ID; returns CPUID.1:EAX. */
gboolean bw_kvm_cpuid_setup (const BwKvmSystem *sys, int vcpu_fd, guint index, guint32 *signature,
                             GError **error);

G_END_DECLS
