/* bw-vm-controller.h: how the VM window talks to the machine.
 *
 * The window never touches the VMM: boxwood-vm implements this interface
 * over its BwVm (pause, resume, reset, power off, ACPI, the i8042 for
 * keys and mouse, the CD drive), and the window's tests implement it with
 * a fake that records what it was asked. Every call and every signal
 * happens on the GTK main thread: the implementation marshals VM state
 * listeners (which run on VM threads) to the main context first. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  BW_VM_RUN_STATE_STARTING,
  BW_VM_RUN_STATE_RUNNING,
  BW_VM_RUN_STATE_PAUSED,
  BW_VM_RUN_STATE_STOPPING,
  BW_VM_RUN_STATE_POWERED_OFF,
  BW_VM_RUN_STATE_ABORTED,
} BwVmRunState;

/* Bits for the "activity" signal. */
typedef enum
{
  BW_VM_ACTIVITY_DISK = 1 << 0,
  BW_VM_ACTIVITY_CD = 1 << 1,
} BwVmActivity;

#define BW_VM_TYPE_CONTROLLER (bw_vm_controller_get_type ())
G_DECLARE_INTERFACE (BwVmController, bw_vm_controller, BW_VM, CONTROLLER, GObject)

struct _BwVmControllerInterface
{
  GTypeInterface parent_iface;

  const char *(*get_name) (BwVmController *self);
  BwVmRunState (*get_state) (BwVmController *self);
  /* "KVM" or "software CPU"; NULL before the machine started. */
  const char *(*get_backend_name) (BwVmController *self);
  /* Why this backend, when the person should know (for example "hardware
   * virtualization is not available"); NULL otherwise. */
  const char *(*get_backend_note) (BwVmController *self);
  gboolean (*has_acpi) (BwVmController *self);
  /* The machine's Logs/boxwood.log, or NULL. Caller frees. */
  char *(*get_log_path) (BwVmController *self);
  /* The disc image in the CD drive (NULL: empty or no drive); caller frees. */
  char *(*get_medium) (BwVmController *self);
  gboolean (*has_cd_drive) (BwVmController *self);
  /* Bytes read and written so far by the guest on its disks
   * (BW_VM_ACTIVITY_DISK) or CD drives (BW_VM_ACTIVITY_CD); FALSE when
   * the machine has none. */
  gboolean (*get_io_bytes) (BwVmController *self, BwVmActivity kind, guint64 *read,
                            guint64 *written);

  gboolean (*pause) (BwVmController *self, GError **error);
  gboolean (*resume) (BwVmController *self, GError **error);
  gboolean (*reset) (BwVmController *self, GError **error);
  gboolean (*power_off) (BwVmController *self, GError **error);
  gboolean (*acpi_shutdown) (BwVmController *self, GError **error);
  /* path NULL ejects. */
  gboolean (*mount_medium) (BwVmController *self, const char *path, GError **error);

  /* PS/2 set-2 make/break sequences (bw-vm-keymap.h). */
  void (*put_scancodes) (BwVmController *self, const guint8 *codes, gsize len);
  /* Relative motion (dy down positive), wheel steps (positive towards
   * the user), the full button state (bit 0 left, 1 right, 2 middle,
   * 3 and 4 the side buttons: the BW_PS2_MOUSE_* bits). */
  void (*put_mouse) (BwVmController *self, int dx, int dy, int dz, guint buttons);
};

const char *bw_vm_controller_get_name (BwVmController *self);
BwVmRunState bw_vm_controller_get_state (BwVmController *self);
const char *bw_vm_controller_get_backend_name (BwVmController *self);
const char *bw_vm_controller_get_backend_note (BwVmController *self);
gboolean bw_vm_controller_has_acpi (BwVmController *self);
char *bw_vm_controller_get_log_path (BwVmController *self);
char *bw_vm_controller_get_medium (BwVmController *self);
gboolean bw_vm_controller_has_cd_drive (BwVmController *self);
gboolean bw_vm_controller_get_io_bytes (BwVmController *self, BwVmActivity kind, guint64 *read,
                                        guint64 *written);
gboolean bw_vm_controller_pause (BwVmController *self, GError **error);
gboolean bw_vm_controller_resume (BwVmController *self, GError **error);
gboolean bw_vm_controller_reset (BwVmController *self, GError **error);
gboolean bw_vm_controller_power_off (BwVmController *self, GError **error);
gboolean bw_vm_controller_acpi_shutdown (BwVmController *self, GError **error);
gboolean bw_vm_controller_mount_medium (BwVmController *self, const char *path, GError **error);
void bw_vm_controller_put_scancodes (BwVmController *self, const guint8 *codes, gsize len);
void bw_vm_controller_put_mouse (BwVmController *self, int dx, int dy, int dz, guint buttons);

/* For implementations: emit on the main thread. "state-changed" after the
 * state (or the backend, or ACPI availability) changed; "activity" with
 * BwVmActivity bits when a disk or CD was read or written (at most a few
 * times a second is plenty); "medium-changed" after the CD changed. */
void bw_vm_controller_emit_state_changed (BwVmController *self);
void bw_vm_controller_emit_activity (BwVmController *self, guint activity);
void bw_vm_controller_emit_medium_changed (BwVmController *self);

/* "Running", "Paused", ... for titles (translated). */
const char *bw_vm_run_state_to_label (BwVmRunState state);

G_END_DECLS
