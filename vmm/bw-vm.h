/* bw-vm.h: one virtual machine run.
 *
 * A BwVm is made from a configuration tree (bw-config.h), owns the
 * platform (buses, memory, devices, clock), the log, and one thread per
 * vCPU driving the backend the execution manager picked.
 *
 * States and the transitions allowed (anything else is refused):
 *
 *   CREATED --start--> RUNNING <--pause/resume--> PAUSED
 *   CREATED, RUNNING, PAUSED --power off--> POWERED_OFF
 *   CREATED, RUNNING, PAUSED --fatal error--> ABORTED
 *
 * POWERED_OFF and ABORTED are final: a new run is a new BwVm. Saving and
 * restoring come with snapshots.
 *
 * State listeners run on the thread that made the change (a caller of
 * bw_vm_pause(), or a vCPU thread when the guest powers off), with no VM
 * lock held; GUI code marshals to its main context.
 *
 * Threads: the control functions (start, pause, resume, reset, power off)
 * are called from one control thread (boxwood-vm's main thread). */
#pragma once

#include <glib.h>
#include "vmm/bw-config.h"
#include "vmm/bw-platform.h"
#include "vmm/bw-exec-manager.h"

G_BEGIN_DECLS

#define BW_VM_ERROR (bw_vm_error_quark ())
GQuark bw_vm_error_quark (void);

typedef enum
{
  BW_VM_ERROR_CONFIG, /* a bad or missing configuration value */
  BW_VM_ERROR_STATE,  /* the operation is not allowed in this state */
  BW_VM_ERROR_FAILED,
} BwVmError;

typedef enum
{
  BW_VM_STATE_CREATED,
  BW_VM_STATE_RUNNING,
  BW_VM_STATE_PAUSED,
  BW_VM_STATE_POWERED_OFF,
  BW_VM_STATE_ABORTED,
} BwVmState;

typedef struct _BwVm BwVm;

typedef void (*BwVmStateFunc) (void *user_data, BwVm *vm, BwVmState old_state,
                               BwVmState new_state, const char *reason);

/* "created", "running", "paused", "poweredoff", "aborted" (the words
 * boxwood-manage prints). */
const char *bw_vm_state_to_string (BwVmState state);
gboolean bw_vm_state_transition_valid (BwVmState from, BwVmState to);

/* Reads from config (borrowed; must outlive the VM): ram-mb (required),
 * cpus (default 1), acceleration (default "auto"), logs-dir (none: the
 * log stays in memory), clock ("host" or "manual", default "host").
 * Opens and rotates the log and writes the configuration to it. */
BwVm *bw_vm_new (BwConfig *config, GError **error);
/* Powers off first if still running. */
void bw_vm_free (BwVm *vm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwVm, bw_vm_free)

BwPlatform *bw_vm_get_platform (BwVm *vm);
BwLog *bw_vm_get_log (BwVm *vm);
BwConfig *bw_vm_get_config (BwVm *vm);
BwVmState bw_vm_get_state (BwVm *vm);
/* NULL before start. */
const BwCpuBackend *bw_vm_get_backend (BwVm *vm);
/* Why the execution manager chose that backend, one sentence (NULL
 * before start). */
const char *bw_vm_get_backend_reason (BwVm *vm);
guint bw_vm_get_n_vcpus (BwVm *vm);
/* vCPU i (NULL before start). */
BwVcpu *bw_vm_get_vcpu (BwVm *vm, guint index);

guint bw_vm_add_state_listener (BwVm *vm, BwVmStateFunc func, void *user_data);
void bw_vm_remove_state_listener (BwVm *vm, guint id);

/* Called on the vCPU 0 thread right after reset, before the first
 * instruction (direct Linux boot sets registers there). */
typedef gboolean (*BwVmResetHook) (void *user_data, BwVm *vm, BwVcpu *vcpu, GError **error);
void bw_vm_set_reset_hook (BwVm *vm, BwVmResetHook hook, void *user_data);

/* CREATED -> RUNNING: adds the devices the configuration names
 * (bw_platform_add_configured_devices()) to those the caller added,
 * realizes them, resets the platform, picks the
 * backend (logged), creates the vCPUs and starts their threads. On
 * failure the VM is ABORTED and the error says why. */
gboolean bw_vm_start (BwVm *vm, GError **error);
/* RUNNING -> PAUSED: returns once every vCPU has left guest code; the
 * clock stops. */
gboolean bw_vm_pause (BwVm *vm, GError **error);
/* PAUSED -> RUNNING. */
gboolean bw_vm_resume (BwVm *vm, GError **error);
/* Hardware reset of board and vCPUs (state stays RUNNING or PAUSED). */
gboolean bw_vm_reset (BwVm *vm, GError **error);
/* -> POWERED_OFF: stops and joins the vCPU threads; reason goes to the
 * log and to listeners. */
gboolean bw_vm_power_off (BwVm *vm, const char *reason, GError **error);
/* -> ABORTED (a fatal error the VM cannot continue after). */
void bw_vm_abort (BwVm *vm, const char *reason);

/* Blocks until the VM is POWERED_OFF or ABORTED (headless runs), or
 * timeout_ms passes (-1: no limit). Returns the state. */
BwVmState bw_vm_wait (BwVm *vm, gint timeout_ms);

G_END_DECLS
