#define G_LOG_DOMAIN "boxwood-svc"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "app/main/client/bw-client.h"
#include "app/main/client/bw-runtime-dir.h"
#include "app/svc/bw-svc-private.h"

/* The methods of org.boxwood.Service1 and the sessions of VM processes.
 * Each handler runs on the main loop, so requests from all clients are
 * applied one after the other; each change is announced to every client
 * by a signal once it is on disk. */

typedef struct {
  char *uuid;
  char *name;
  char *address;
  char *state;
  guint pid;
  GDBusConnection *connection; /* the VM process's connection to us */
} BwSvcSession;

static void
session_free (BwSvcSession *s)
{
  g_free (s->uuid);
  g_free (s->name);
  g_free (s->address);
  g_free (s->state);
  g_clear_object (&s->connection);
  g_free (s);
}

static gboolean
reply_error (GDBusMethodInvocation *invocation, GError *error)
{
  g_dbus_method_invocation_return_gerror (invocation, error);
  g_error_free (error);
  return TRUE;
}

static gboolean
on_get_version (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation, BwSvc *svc)
{
  bw_dbus_service1_complete_get_version (skeleton, invocation, PACKAGE_VERSION);
  return TRUE;
}

static gboolean
on_list_machines (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation, BwSvc *svc)
{
  GError *error = NULL;
  GVariant *rows = bw_svc_machines_list (svc->machines, &error);
  if (rows == NULL)
    return reply_error (invocation, error);
  bw_dbus_service1_complete_list_machines (skeleton, invocation, rows);
  return TRUE;
}

static gboolean
on_get_machine_settings (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation,
                         const char *machine, BwSvc *svc)
{
  GError *error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *path = NULL;
  g_autofree char *xml = bw_svc_machines_get_xml (svc->machines, machine, &uuid, &path, &error);
  if (xml == NULL)
    return reply_error (invocation, error);
  bw_dbus_service1_complete_get_machine_settings (skeleton, invocation, uuid, path, xml);
  return TRUE;
}

static gboolean
on_create_machine (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation,
                   const char *name, const char *os_type, const char *base_folder,
                   gboolean do_register, BwSvc *svc)
{
  GError *error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uuid = bw_svc_machines_create (svc->machines, name, os_type, base_folder,
                                                  do_register, &path, &error);
  if (uuid == NULL)
    return reply_error (invocation, error);
  g_message ("created machine '%s' {%s} at %s%s", name, uuid, path,
             do_register ? "" : " (not registered)");
  bw_dbus_service1_complete_create_machine (skeleton, invocation, uuid, path);
  if (do_register)
    bw_dbus_service1_emit_machine_registered (skeleton, uuid, name);
  return TRUE;
}

static gboolean
on_register_machine (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation,
                     const char *path, BwSvc *svc)
{
  GError *error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *uuid = bw_svc_machines_register (svc->machines, path, &name, &error);
  if (uuid == NULL)
    return reply_error (invocation, error);
  g_message ("registered machine '%s' {%s} from %s", name, uuid, path);
  bw_dbus_service1_complete_register_machine (skeleton, invocation, uuid);
  bw_dbus_service1_emit_machine_registered (skeleton, uuid, name);
  return TRUE;
}

static gboolean
on_unregister_machine (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation,
                       const char *machine, gboolean delete_files, BwSvc *svc)
{
  GError *error = NULL;
  g_autofree char *uuid = NULL;
  if (!bw_svc_machines_unregister (svc->machines, machine, delete_files, &uuid, &error))
    return reply_error (invocation, error);
  g_message ("unregistered machine {%s}%s", uuid, delete_files ? " and deleted its files" : "");
  bw_dbus_service1_complete_unregister_machine (skeleton, invocation);
  bw_dbus_service1_emit_machine_unregistered (skeleton, uuid);
  return TRUE;
}

/* "memory, name" for the log; values may be long or private. */
static char *
change_keys (GVariant *changes)
{
  GString *keys = g_string_new (NULL);
  GVariantIter iter;
  const char *key;
  g_variant_iter_init (&iter, changes);
  while (g_variant_iter_next (&iter, "(&s&s)", &key, NULL))
    g_string_append_printf (keys, "%s%s", keys->len ? ", " : "", key);
  return g_string_free (keys, FALSE);
}

static gboolean
on_modify_machine (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation,
                   const char *machine, GVariant *changes, BwSvc *svc)
{
  GError *error = NULL;
  g_autofree char *uuid = NULL;
  gboolean media_changed = FALSE;
  if (!bw_svc_machines_modify (svc->machines, machine, changes, &uuid, &media_changed, &error))
    {
      /* Images registered before a later step failed are still news. */
      if (media_changed)
        bw_dbus_service1_emit_media_changed (skeleton);
      return reply_error (invocation, error);
    }
  g_autofree char *keys = change_keys (changes);
  g_message ("changed machine {%s}: %s", uuid, keys);
  bw_dbus_service1_complete_modify_machine (skeleton, invocation);
  bw_dbus_service1_emit_machine_changed (skeleton, uuid);
  if (media_changed)
    bw_dbus_service1_emit_media_changed (skeleton);
  return TRUE;
}

static gboolean
on_get_machine_state (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation,
                      const char *machine, BwSvc *svc)
{
  GError *error = NULL;
  const char *state;
  gint64 last_change;
  if (!bw_svc_machines_get_state (svc->machines, machine, &state, &last_change, &error))
    return reply_error (invocation, error);
  bw_dbus_service1_complete_get_machine_state (skeleton, invocation, state, last_change);
  return TRUE;
}

static gboolean
on_get_system_properties (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation,
                          BwSvc *svc)
{
  GError *error = NULL;
  GVariant *props = bw_svc_machines_get_properties (svc->machines, &error);
  if (props == NULL)
    return reply_error (invocation, error);
  bw_dbus_service1_complete_get_system_properties (skeleton, invocation, props);
  return TRUE;
}

static gboolean
on_set_system_property (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation,
                        const char *name, const char *value, BwSvc *svc)
{
  GError *error = NULL;
  if (!bw_svc_machines_set_property (svc->machines, name, value, &error))
    return reply_error (invocation, error);
  bw_dbus_service1_complete_set_system_property (skeleton, invocation);
  bw_dbus_service1_emit_system_properties_changed (skeleton);
  return TRUE;
}

static gboolean
on_list_media (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation, const char *kind,
               BwSvc *svc)
{
  GError *error = NULL;
  GVariant *rows = bw_svc_media_list (svc->machines, kind, &error);
  if (rows == NULL)
    return reply_error (invocation, error);
  bw_dbus_service1_complete_list_media (skeleton, invocation, rows);
  return TRUE;
}

static gboolean
on_register_medium (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation,
                    const char *location, const char *kind, BwSvc *svc)
{
  GError *error = NULL;
  gboolean added = FALSE;
  g_autofree char *uuid = bw_svc_media_register (svc->machines, location, kind, &added, &error);
  if (uuid == NULL)
    return reply_error (invocation, error);
  bw_dbus_service1_complete_register_medium (skeleton, invocation, uuid);
  if (added)
    bw_dbus_service1_emit_media_changed (skeleton);
  return TRUE;
}

static gboolean
on_close_medium (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation,
                 const char *medium, gboolean delete_file, BwSvc *svc)
{
  GError *error = NULL;
  if (!bw_svc_media_close (svc->machines, medium, delete_file, &error))
    return reply_error (invocation, error);
  bw_dbus_service1_complete_close_medium (skeleton, invocation);
  bw_dbus_service1_emit_media_changed (skeleton);
  return TRUE;
}

/* ---- sessions ---------------------------------------------------------- */

static void
announce_state (BwSvc *svc, const char *uuid, const char *state)
{
  bw_dbus_service1_emit_machine_state_changed (svc->skeleton, uuid, state);
}

/* A VM process's session socket lives in our runtime folder; once the
 * process is gone nobody else removes it. */
static void
remove_session_socket (const char *uuid, const char *address)
{
  g_autofree char *expected = bw_runtime_dir_session_socket (uuid, NULL);
  if (expected == NULL)
    return;
  g_autofree char *escaped = g_dbus_address_escape_value (expected);
  g_autofree char *wanted = g_strconcat ("unix:path=", escaped, NULL);
  if (g_str_equal (address, wanted))
    g_unlink (expected);
}

/* Ends a session; a final state of poweroff, saved or aborted is written
 * to the machine's settings. */
static void
end_session (BwSvc *svc, const char *uuid, BwMachineState final_state)
{
  g_autoptr (GError) error = NULL;
  BwSvcSession *s = g_hash_table_lookup (svc->sessions, uuid);
  if (s == NULL)
    return;

  g_autofree char *id = g_strdup (uuid);
  if (final_state == BW_MACHINE_STATE_ABORTED)
    remove_session_socket (s->uuid, s->address);
  g_hash_table_remove (svc->sessions, uuid);
  bw_svc_machines_set_live_state (svc->machines, id, NULL);
  if (!bw_svc_machines_persist_state (svc->machines, id, final_state, &error))
    g_warning ("cannot record the state of machine {%s}: %s", id, error->message);
  g_message ("machine {%s} is now %s", id, bw_svc_state_to_string (final_state));
  announce_state (svc, id, bw_svc_state_to_string (final_state));
}

static gboolean
on_register_session (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation,
                     const char *machine, const char *address, BwSvc *svc)
{
  GError *error = NULL;
  const BwMachineSettings *settings = bw_svc_machines_lookup (svc->machines, machine, NULL, &error);
  if (settings == NULL)
    return reply_error (invocation, error);
  if (g_hash_table_contains (svc->sessions, settings->uuid))
    {
      g_set_error (&error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BUSY,
                   "machine '%s' is already running", settings->name);
      return reply_error (invocation, error);
    }
  if (*address == '\0' || !g_dbus_is_supported_address (address, NULL))
    {
      g_set_error (&error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT,
                   "'%s' is not a D-Bus address", address);
      return reply_error (invocation, error);
    }

  GDBusConnection *connection = g_dbus_method_invocation_get_connection (invocation);
  GCredentials *cred = g_dbus_connection_get_peer_credentials (connection);
  BwSvcSession *s = g_new0 (BwSvcSession, 1);
  s->uuid = g_strdup (settings->uuid);
  s->name = g_strdup (settings->name);
  s->address = g_strdup (address);
  s->state = g_strdup ("starting");
  s->pid = cred ? (guint) MAX (g_credentials_get_unix_pid (cred, NULL), 0) : 0;
  s->connection = g_object_ref (connection);
  g_hash_table_replace (svc->sessions, s->uuid, s);
  bw_svc_machines_set_live_state (svc->machines, s->uuid, s->state);

  bw_dbus_service1_complete_register_session (skeleton, invocation, s->uuid);
  announce_state (svc, s->uuid, s->state);
  return TRUE;
}

static gboolean
on_set_session_state (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation,
                      const char *machine, const char *state, BwSvc *svc)
{
  GError *error = NULL;
  BwMachineState st;
  const BwMachineSettings *settings = bw_svc_machines_lookup (svc->machines, machine, NULL, &error);
  if (settings == NULL)
    return reply_error (invocation, error);
  BwSvcSession *s = g_hash_table_lookup (svc->sessions, settings->uuid);
  if (s == NULL || s->connection != g_dbus_method_invocation_get_connection (invocation))
    {
      g_set_error (&error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BUSY,
                   "this client holds no session of machine '%s'", settings->name);
      return reply_error (invocation, error);
    }
  if (!bw_svc_state_from_string (state, &st))
    {
      g_set_error (&error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT,
                   "unknown machine state '%s'", state);
      return reply_error (invocation, error);
    }

  g_autofree char *uuid = g_strdup (s->uuid);
  bw_dbus_service1_complete_set_session_state (skeleton, invocation);
  if (st == BW_MACHINE_STATE_POWERED_OFF || st == BW_MACHINE_STATE_SAVED
      || st == BW_MACHINE_STATE_ABORTED)
    end_session (svc, uuid, st);
  else if (!g_str_equal (s->state, state))
    {
      g_free (s->state);
      s->state = g_strdup (state);
      bw_svc_machines_set_live_state (svc->machines, uuid, state);
      announce_state (svc, uuid, state);
    }
  return TRUE;
}

static gboolean
on_list_sessions (BwDBusService1 *skeleton, GDBusMethodInvocation *invocation, BwSvc *svc)
{
  GVariantBuilder builder;
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssssu)"));
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init (&iter, svc->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      BwSvcSession *s = value;
      g_variant_builder_add (&builder, "(ssssu)", s->uuid, s->name, s->address, s->state, s->pid);
    }
  bw_dbus_service1_complete_list_sessions (skeleton, invocation, g_variant_builder_end (&builder));
  return TRUE;
}

void
bw_svc_dbus_connection_closed (BwSvc *svc, GDBusConnection *connection)
{
  g_autoptr (GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer value;
  g_hash_table_iter_init (&iter, svc->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((BwSvcSession *) value)->connection == connection)
      g_ptr_array_add (gone, g_strdup (((BwSvcSession *) value)->uuid));
  for (guint i = 0; i < gone->len; i++)
    {
      g_message ("the VM process of machine {%s} went away; recording it as aborted",
                 (char *) g_ptr_array_index (gone, i));
      end_session (svc, g_ptr_array_index (gone, i), BW_MACHINE_STATE_ABORTED);
    }
}

void
bw_svc_dbus_init (BwSvc *svc)
{
  svc->sessions = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) session_free);
  svc->skeleton = bw_dbus_service1_skeleton_new ();
  BwDBusService1 *sk = svc->skeleton;
  g_signal_connect (sk, "handle-get-version", G_CALLBACK (on_get_version), svc);
  g_signal_connect (sk, "handle-list-machines", G_CALLBACK (on_list_machines), svc);
  g_signal_connect (sk, "handle-get-machine-settings", G_CALLBACK (on_get_machine_settings), svc);
  g_signal_connect (sk, "handle-create-machine", G_CALLBACK (on_create_machine), svc);
  g_signal_connect (sk, "handle-register-machine", G_CALLBACK (on_register_machine), svc);
  g_signal_connect (sk, "handle-unregister-machine", G_CALLBACK (on_unregister_machine), svc);
  g_signal_connect (sk, "handle-modify-machine", G_CALLBACK (on_modify_machine), svc);
  g_signal_connect (sk, "handle-get-machine-state", G_CALLBACK (on_get_machine_state), svc);
  g_signal_connect (sk, "handle-get-system-properties",
                    G_CALLBACK (on_get_system_properties), svc);
  g_signal_connect (sk, "handle-set-system-property", G_CALLBACK (on_set_system_property), svc);
  g_signal_connect (sk, "handle-list-media", G_CALLBACK (on_list_media), svc);
  g_signal_connect (sk, "handle-register-medium", G_CALLBACK (on_register_medium), svc);
  g_signal_connect (sk, "handle-close-medium", G_CALLBACK (on_close_medium), svc);
  g_signal_connect (sk, "handle-register-session", G_CALLBACK (on_register_session), svc);
  g_signal_connect (sk, "handle-set-session-state", G_CALLBACK (on_set_session_state), svc);
  g_signal_connect (sk, "handle-list-sessions", G_CALLBACK (on_list_sessions), svc);
}

void
bw_svc_dbus_finalize (BwSvc *svc)
{
  g_clear_pointer (&svc->sessions, g_hash_table_unref);
  g_clear_object (&svc->skeleton);
}
