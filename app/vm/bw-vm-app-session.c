/* bw-vm-app-session.c: org.boxwood.Session1, served peer to peer on
 * $XDG_RUNTIME_DIR/boxwood/sessions/<uuid> for the owner's uid only. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include "app/main/client/bw-peer-auth.h"
#include "app/main/client/bw-runtime-dir.h"
#include "app/vm/bw-vm-app-keys.h"
#include "app/vm/bw-vm-app-private.h"
#include "devices/display/bw-vga.h"
#include "devices/ide/bw-ide.h"

#define SESSION_OBJECT_PATH "/org/boxwood/Session"

static gboolean
return_error (GDBusMethodInvocation *invocation, BwClientError code, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

static gboolean
return_error (GDBusMethodInvocation *invocation, BwClientError code, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_dbus_method_invocation_return_error_literal (invocation, BW_CLIENT_ERROR, code, message);
  return TRUE;
}

/* A VMM refusal: a state error is Busy, naming the state. */
static gboolean
return_vm_error (GDBusMethodInvocation *invocation, GError *error)
{
  BwClientError code = g_error_matches (error, BW_VM_ERROR, BW_VM_ERROR_STATE)
                         ? BW_CLIENT_ERROR_BUSY
                         : BW_CLIENT_ERROR_FAILED;
  return return_error (invocation, code, "%s", error->message);
}

static gboolean
on_get_info (BwDBusSession1 *sk, GDBusMethodInvocation *inv, BwVmApp *app)
{
  const BwCpuBackend *backend = bw_vm_get_backend (app->vm);
  bw_dbus_session1_complete_get_info (sk, inv, app->uuid, app->name,
                                      app->reported ? app->reported : "starting",
                                      backend ? backend->name : "");
  return TRUE;
}

static gboolean
on_pause (BwDBusSession1 *sk, GDBusMethodInvocation *inv, BwVmApp *app)
{
  g_autoptr (GError) error = NULL;
  if (!bw_vm_pause (app->vm, &error))
    return return_vm_error (inv, error);
  bw_dbus_session1_complete_pause (sk, inv);
  return TRUE;
}

static gboolean
on_resume (BwDBusSession1 *sk, GDBusMethodInvocation *inv, BwVmApp *app)
{
  g_autoptr (GError) error = NULL;
  if (!bw_vm_resume (app->vm, &error))
    return return_vm_error (inv, error);
  bw_dbus_session1_complete_resume (sk, inv);
  return TRUE;
}

static gboolean
on_reset (BwDBusSession1 *sk, GDBusMethodInvocation *inv, BwVmApp *app)
{
  g_autoptr (GError) error = NULL;
  if (!bw_vm_reset (app->vm, &error))
    return return_vm_error (inv, error);
  bw_dbus_session1_complete_reset (sk, inv);
  return TRUE;
}

static gboolean
on_power_off (BwDBusSession1 *sk, GDBusMethodInvocation *inv, BwVmApp *app)
{
  g_autoptr (GError) error = NULL;
  /* Answer first: the process ends soon after the machine does. */
  BwVmState state = bw_vm_get_state (app->vm);
  if (state != BW_VM_STATE_RUNNING && state != BW_VM_STATE_PAUSED)
    return return_error (inv, BW_CLIENT_ERROR_BUSY, "The machine cannot power off: it is %s",
                         bw_vm_state_to_string (state));
  bw_dbus_session1_complete_power_off (sk, inv);
  bw_vm_app_report (app, "stopping");
  if (!bw_vm_power_off (app->vm, "powered off through the session", &error))
    g_warning ("power off: %s", error->message);
  return TRUE;
}

static gboolean
on_acpi_shutdown (BwDBusSession1 *sk, GDBusMethodInvocation *inv, BwVmApp *app)
{
  g_autoptr (GError) error = NULL;
  if (!bw_vm_app_acpi_shutdown (app, &error))
    return return_error (inv,
                         error->domain == BW_VM_ERROR ? BW_CLIENT_ERROR_BUSY
                                                      : BW_CLIENT_ERROR_FAILED,
                         "%s", error->message);
  bw_dbus_session1_complete_acpi_shutdown (sk, inv);
  return TRUE;
}

static gboolean
on_unsupported (BwDBusSession1 *sk, GDBusMethodInvocation *inv, BwVmApp *app)
{
  const char *method = g_dbus_method_invocation_get_method_name (inv);
  return return_error (inv, BW_CLIENT_ERROR_FAILED, "%s is not available: %s", method,
                       "saved states come with snapshots");
}

/* The display and drives exist while the machine does. */
static gboolean
check_live (BwVmApp *app, GDBusMethodInvocation *inv)
{
  BwVmState state = bw_vm_get_state (app->vm);
  if (state == BW_VM_STATE_RUNNING || state == BW_VM_STATE_PAUSED)
    return TRUE;
  return_error (inv, BW_CLIENT_ERROR_BUSY, "The machine is %s", bw_vm_state_to_string (state));
  return FALSE;
}

static BwDevice *
get_vga (BwVmApp *app, GDBusMethodInvocation *inv)
{
  if (!check_live (app, inv))
    return NULL;
  BwDevice *vga = bw_pc_board_get_vga (app->board);
  if (!vga)
    return_error (inv, BW_CLIENT_ERROR_FAILED, "The machine has no display");
  return vga;
}

static gboolean
on_screenshot_png (BwDBusSession1 *sk, GDBusMethodInvocation *inv, BwVmApp *app)
{
  BwDevice *vga = get_vga (app, inv);
  if (!vga)
    return TRUE;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = bw_vga_get_png (vga, &error);
  if (!png)
    return return_error (inv, BW_CLIENT_ERROR_FAILED, "%s", error->message);
  bw_dbus_session1_complete_screenshot_png (
    sk, inv, g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, png, TRUE));
  return TRUE;
}

static gboolean
on_get_screen_text (BwDBusSession1 *sk, GDBusMethodInvocation *inv, BwVmApp *app)
{
  BwDevice *vga = get_vga (app, inv);
  if (!vga)
    return TRUE;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = bw_vga_get_screen_text (vga, &error);
  if (!text)
    return return_error (inv, BW_CLIENT_ERROR_FAILED, "%s", error->message);
  bw_dbus_session1_complete_get_screen_text (sk, inv, text);
  return TRUE;
}

/* The drive changes first, then the settings follow through the service
 * (which allows a running machine exactly this change). */
static gboolean
on_mount_medium (BwDBusSession1 *sk, GDBusMethodInvocation *inv, const char *controller,
                 guint port, guint device, const char *path, BwVmApp *app)
{
  if (!check_live (app, inv))
    return TRUE;
  BwDevice *ide = bw_pc_board_get_ide (app->board);
  if (!ide || g_strcmp0 (controller, app->ide_controller) != 0)
    return return_error (inv, BW_CLIENT_ERROR_INVALID_ARGUMENT,
                         "The machine has no storage controller “%s”%s%s%s", controller,
                         app->ide_controller ? " (it has “" : "",
                         app->ide_controller ? app->ide_controller : "",
                         app->ide_controller ? "”)" : "");
  if (port > 1 || device > 1)
    return return_error (inv, BW_CLIENT_ERROR_INVALID_ARGUMENT,
                         "IDE port %u device %u does not exist (ports and devices are 0 or 1)",
                         port, device);
  g_autoptr (GError) error = NULL;
  if (!bw_vm_app_mount_medium (app, port, device, *path ? path : NULL, &error))
    {
      BwClientError code = g_error_matches (error, BW_IDE_ERROR, BW_IDE_ERROR_LOCKED)
                               || g_error_matches (error, BW_VM_ERROR, BW_VM_ERROR_STATE)
                             ? BW_CLIENT_ERROR_BUSY
                           : g_error_matches (error, BW_IDE_ERROR, BW_IDE_ERROR_MEDIUM)
                               || error->domain == BW_CLIENT_ERROR
                             ? BW_CLIENT_ERROR_FAILED
                             : BW_CLIENT_ERROR_INVALID_ARGUMENT;
      return return_error (inv, code, "%s", error->message);
    }
  bw_dbus_session1_complete_mount_medium (sk, inv);
  return TRUE;
}

static gboolean
put_set1 (BwVmApp *app, GDBusMethodInvocation *inv, const guint8 *codes, gsize len)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) set2 = bw_pc_board_set1_to_set2 (codes, len, &error);
  if (!set2)
    {
      return_error (inv, BW_CLIENT_ERROR_INVALID_ARGUMENT, "%s", error->message);
      return FALSE;
    }
  BwVmState state = bw_vm_get_state (app->vm);
  if (state != BW_VM_STATE_RUNNING && state != BW_VM_STATE_PAUSED)
    {
      return_error (inv, BW_CLIENT_ERROR_BUSY, "The machine is %s",
                    bw_vm_state_to_string (state));
      return FALSE;
    }
  bw_pc_board_put_scancodes (app->board, set2->data, set2->len);
  return TRUE;
}

static gboolean
on_put_scancodes (BwDBusSession1 *sk, GDBusMethodInvocation *inv, GVariant *codes,
                  BwVmApp *app)
{
  gsize len = 0;
  const guint8 *data = g_variant_get_fixed_array (codes, &len, 1);
  if (put_set1 (app, inv, data, len))
    bw_dbus_session1_complete_put_scancodes (sk, inv);
  return TRUE;
}

static gboolean
on_put_string (BwDBusSession1 *sk, GDBusMethodInvocation *inv, const char *text, BwVmApp *app)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) codes = bw_vm_app_keys_from_string (text, &error);
  if (!codes)
    return return_error (inv, BW_CLIENT_ERROR_INVALID_ARGUMENT, "%s", error->message);
  if (put_set1 (app, inv, codes->data, codes->len))
    bw_dbus_session1_complete_put_string (sk, inv);
  return TRUE;
}

static gboolean
on_put_mouse_event (BwDBusSession1 *sk, GDBusMethodInvocation *inv, gint dx, gint dy, gint dz,
                    guint buttons, BwVmApp *app)
{
  bw_pc_board_put_mouse (app->board, dx, dy, dz, buttons);
  bw_dbus_session1_complete_put_mouse_event (sk, inv);
  return TRUE;
}

static void
on_connection_closed (GDBusConnection *connection, gboolean vanished, GError *error,
                      gpointer user_data)
{
  BwVmApp *app = user_data;
  g_signal_handlers_disconnect_by_func (connection, on_connection_closed, app);
  g_dbus_interface_skeleton_unexport_from_connection (G_DBUS_INTERFACE_SKELETON (app->skeleton),
                                                      connection);
  g_ptr_array_remove (app->connections, connection);
}

static gboolean
on_new_connection (GDBusServer *server, GDBusConnection *connection, gpointer user_data)
{
  BwVmApp *app = user_data;
  g_autoptr (GError) error = NULL;
  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (app->skeleton), connection,
                                         SESSION_OBJECT_PATH, &error))
    {
      g_warning ("cannot serve a session client: %s", error->message);
      return FALSE;
    }
  g_ptr_array_add (app->connections, g_object_ref (connection));
  g_signal_connect (connection, "closed", G_CALLBACK (on_connection_closed), app);
  if (g_dbus_connection_is_closed (connection))
    on_connection_closed (connection, TRUE, NULL, app);
  return TRUE;
}

gboolean
bw_vm_app_session_address (BwVmApp *app, GError **error)
{
  app->socket_path = bw_runtime_dir_session_socket (app->uuid, error);
  if (!app->socket_path)
    return FALSE;
  g_autofree char *escaped = g_dbus_address_escape_value (app->socket_path);
  app->address = g_strconcat ("unix:path=", escaped, NULL);
  return TRUE;
}

gboolean
bw_vm_app_session_start (BwVmApp *app, GError **error)
{
  /* The service gave us the session, so a socket file here is left over
   * from a process that died. */
  if (g_unlink (app->socket_path) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "Cannot remove stale %s: %s",
                   app->socket_path, g_strerror (saved));
      return FALSE;
    }

  app->skeleton = bw_dbus_session1_skeleton_new ();
  app->connections = g_ptr_array_new_with_free_func (g_object_unref);
  BwDBusSession1 *sk = app->skeleton;
  g_signal_connect (sk, "handle-get-info", G_CALLBACK (on_get_info), app);
  g_signal_connect (sk, "handle-pause", G_CALLBACK (on_pause), app);
  g_signal_connect (sk, "handle-resume", G_CALLBACK (on_resume), app);
  g_signal_connect (sk, "handle-reset", G_CALLBACK (on_reset), app);
  g_signal_connect (sk, "handle-power-off", G_CALLBACK (on_power_off), app);
  g_signal_connect (sk, "handle-acpi-shutdown", G_CALLBACK (on_acpi_shutdown), app);
  g_signal_connect (sk, "handle-save-state", G_CALLBACK (on_unsupported), app);
  g_signal_connect (sk, "handle-screenshot-png", G_CALLBACK (on_screenshot_png), app);
  g_signal_connect (sk, "handle-get-screen-text", G_CALLBACK (on_get_screen_text), app);
  g_signal_connect (sk, "handle-mount-medium", G_CALLBACK (on_mount_medium), app);
  g_signal_connect (sk, "handle-put-scancodes", G_CALLBACK (on_put_scancodes), app);
  g_signal_connect (sk, "handle-put-string", G_CALLBACK (on_put_string), app);
  g_signal_connect (sk, "handle-put-mouse-event", G_CALLBACK (on_put_mouse_event), app);

  app->observer = bw_peer_auth_observer_new ();
  g_autofree char *guid = g_dbus_generate_guid ();
  app->server = g_dbus_server_new_sync (app->address, G_DBUS_SERVER_FLAGS_NONE, guid,
                                        app->observer, NULL, error);
  if (!app->server)
    return FALSE;
  g_chmod (app->socket_path, 0600);
  g_signal_connect (app->server, "new-connection", G_CALLBACK (on_new_connection), app);
  g_dbus_server_start (app->server);
  return TRUE;
}

void
bw_vm_app_session_stop_listening (BwVmApp *app)
{
  if (app->server)
    {
      g_dbus_server_stop (app->server); /* also deletes the socket file */
      g_clear_object (&app->server);
    }
}

void
bw_vm_app_session_stop (BwVmApp *app)
{
  bw_vm_app_session_stop_listening (app);
  for (guint i = 0; app->connections && i < app->connections->len; i++)
    {
      GDBusConnection *c = g_ptr_array_index (app->connections, i);
      g_signal_handlers_disconnect_by_func (c, on_connection_closed, app);
      g_dbus_connection_flush_sync (c, NULL, NULL);
      g_dbus_connection_close_sync (c, NULL, NULL);
    }
  g_clear_pointer (&app->connections, g_ptr_array_unref);
  g_clear_object (&app->skeleton);
  g_clear_object (&app->observer);
  g_clear_pointer (&app->socket_path, g_free);
  g_clear_pointer (&app->address, g_free);
}
