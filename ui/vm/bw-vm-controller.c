/* bw-vm-controller.c: the window's view of the machine (an interface). */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/vm/bw-vm-controller.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

G_DEFINE_INTERFACE (BwVmController, bw_vm_controller, G_TYPE_OBJECT)

enum
{
  SIGNAL_STATE_CHANGED,
  SIGNAL_ACTIVITY,
  SIGNAL_MEDIUM_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
bw_vm_controller_default_init (BwVmControllerInterface *iface)
{
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed", G_TYPE_FROM_INTERFACE (iface),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 0);
  signals[SIGNAL_ACTIVITY] = g_signal_new ("activity", G_TYPE_FROM_INTERFACE (iface),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           1, G_TYPE_UINT);
  signals[SIGNAL_MEDIUM_CHANGED] = g_signal_new ("medium-changed", G_TYPE_FROM_INTERFACE (iface),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 0);
}

#define IFACE(self) BW_VM_CONTROLLER_GET_IFACE (self)

/* Fails with a clear error when the implementation lacks a method. */
#define REQUIRE(self, method, error)                                                   \
  G_STMT_START                                                                         \
  {                                                                                    \
    g_return_val_if_fail (BW_VM_IS_CONTROLLER (self), FALSE);                          \
    if (IFACE (self)->method == NULL)                                                  \
      {                                                                                \
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,                      \
                     _("This machine cannot do that (%s)"), #method);                  \
        return FALSE;                                                                  \
      }                                                                                \
  }                                                                                    \
  G_STMT_END

const char *
bw_vm_controller_get_name (BwVmController *self)
{
  g_return_val_if_fail (BW_VM_IS_CONTROLLER (self), NULL);
  return IFACE (self)->get_name ? IFACE (self)->get_name (self) : NULL;
}

BwVmRunState
bw_vm_controller_get_state (BwVmController *self)
{
  g_return_val_if_fail (BW_VM_IS_CONTROLLER (self), BW_VM_RUN_STATE_ABORTED);
  return IFACE (self)->get_state ? IFACE (self)->get_state (self) : BW_VM_RUN_STATE_RUNNING;
}

const char *
bw_vm_controller_get_backend_name (BwVmController *self)
{
  g_return_val_if_fail (BW_VM_IS_CONTROLLER (self), NULL);
  return IFACE (self)->get_backend_name ? IFACE (self)->get_backend_name (self) : NULL;
}

const char *
bw_vm_controller_get_backend_note (BwVmController *self)
{
  g_return_val_if_fail (BW_VM_IS_CONTROLLER (self), NULL);
  return IFACE (self)->get_backend_note ? IFACE (self)->get_backend_note (self) : NULL;
}

gboolean
bw_vm_controller_has_acpi (BwVmController *self)
{
  g_return_val_if_fail (BW_VM_IS_CONTROLLER (self), FALSE);
  return IFACE (self)->has_acpi && IFACE (self)->acpi_shutdown && IFACE (self)->has_acpi (self);
}

char *
bw_vm_controller_get_log_path (BwVmController *self)
{
  g_return_val_if_fail (BW_VM_IS_CONTROLLER (self), NULL);
  return IFACE (self)->get_log_path ? IFACE (self)->get_log_path (self) : NULL;
}

char *
bw_vm_controller_get_medium (BwVmController *self)
{
  g_return_val_if_fail (BW_VM_IS_CONTROLLER (self), NULL);
  return IFACE (self)->get_medium ? IFACE (self)->get_medium (self) : NULL;
}

gboolean
bw_vm_controller_has_cd_drive (BwVmController *self)
{
  g_return_val_if_fail (BW_VM_IS_CONTROLLER (self), FALSE);
  return IFACE (self)->has_cd_drive && IFACE (self)->mount_medium
         && IFACE (self)->has_cd_drive (self);
}

gboolean
bw_vm_controller_get_io_bytes (BwVmController *self, BwVmActivity kind, guint64 *read,
                               guint64 *written)
{
  guint64 r = 0, w = 0;
  gboolean ok;
  g_return_val_if_fail (BW_VM_IS_CONTROLLER (self), FALSE);
  ok = IFACE (self)->get_io_bytes && IFACE (self)->get_io_bytes (self, kind, &r, &w);
  if (read)
    *read = ok ? r : 0;
  if (written)
    *written = ok ? w : 0;
  return ok;
}

gboolean
bw_vm_controller_pause (BwVmController *self, GError **error)
{
  REQUIRE (self, pause, error);
  return IFACE (self)->pause (self, error);
}

gboolean
bw_vm_controller_resume (BwVmController *self, GError **error)
{
  REQUIRE (self, resume, error);
  return IFACE (self)->resume (self, error);
}

gboolean
bw_vm_controller_reset (BwVmController *self, GError **error)
{
  REQUIRE (self, reset, error);
  return IFACE (self)->reset (self, error);
}

gboolean
bw_vm_controller_power_off (BwVmController *self, GError **error)
{
  REQUIRE (self, power_off, error);
  return IFACE (self)->power_off (self, error);
}

gboolean
bw_vm_controller_acpi_shutdown (BwVmController *self, GError **error)
{
  REQUIRE (self, acpi_shutdown, error);
  return IFACE (self)->acpi_shutdown (self, error);
}

gboolean
bw_vm_controller_mount_medium (BwVmController *self, const char *path, GError **error)
{
  REQUIRE (self, mount_medium, error);
  return IFACE (self)->mount_medium (self, path, error);
}

void
bw_vm_controller_put_scancodes (BwVmController *self, const guint8 *codes, gsize len)
{
  g_return_if_fail (BW_VM_IS_CONTROLLER (self));
  if (IFACE (self)->put_scancodes && len > 0)
    IFACE (self)->put_scancodes (self, codes, len);
}

void
bw_vm_controller_put_mouse (BwVmController *self, int dx, int dy, int dz, guint buttons)
{
  g_return_if_fail (BW_VM_IS_CONTROLLER (self));
  if (IFACE (self)->put_mouse)
    IFACE (self)->put_mouse (self, dx, dy, dz, buttons);
}

void
bw_vm_controller_emit_state_changed (BwVmController *self)
{
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0);
}

void
bw_vm_controller_emit_activity (BwVmController *self, guint activity)
{
  g_signal_emit (self, signals[SIGNAL_ACTIVITY], 0, activity);
}

void
bw_vm_controller_emit_medium_changed (BwVmController *self)
{
  g_signal_emit (self, signals[SIGNAL_MEDIUM_CHANGED], 0);
}

const char *
bw_vm_run_state_to_label (BwVmRunState state)
{
  switch (state)
    {
    case BW_VM_RUN_STATE_STARTING:
      return _("Starting");
    case BW_VM_RUN_STATE_RUNNING:
      return _("Running");
    case BW_VM_RUN_STATE_PAUSED:
      return _("Paused");
    case BW_VM_RUN_STATE_STOPPING:
      return _("Stopping");
    case BW_VM_RUN_STATE_POWERED_OFF:
      return _("Powered Off");
    case BW_VM_RUN_STATE_ABORTED:
      return _("Aborted");
    }
  return _("Unknown");
}
