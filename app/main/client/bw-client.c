#define G_LOG_DOMAIN "boxwood-client"

#include "config.h"

#include "app/main/client/bw-client-private.h"
#include "app/main/client/bw-dbus-service1.h"

#include <string.h>

struct _BwClient
{
  GObject parent_instance;
  GDBusConnection *connection;
  BwDBusService1 *proxy;
  gulong closed_handler;
};

G_DEFINE_FINAL_TYPE (BwClient, bw_client, G_TYPE_OBJECT)

enum {
  SIGNAL_MACHINE_REGISTERED,
  SIGNAL_MACHINE_UNREGISTERED,
  SIGNAL_MACHINE_CHANGED,
  SIGNAL_MACHINE_STATE_CHANGED,
  SIGNAL_MEDIA_CHANGED,
  SIGNAL_SYSTEM_PROPERTIES_CHANGED,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
bw_client_machine_free (BwClientMachine *machine)
{
  if (machine == NULL)
    return;
  g_free (machine->uuid);
  g_free (machine->name);
  g_free (machine->settings_path);
  g_free (machine->state);
  g_free (machine->error);
  g_free (machine);
}

void
bw_client_medium_free (BwClientMedium *medium)
{
  if (medium == NULL)
    return;
  g_free (medium->uuid);
  g_free (medium->location);
  g_free (medium->kind);
  g_free (medium->format);
  g_strfreev (medium->used_by);
  g_free (medium->error);
  g_free (medium);
}

void
bw_client_session_free (BwClientSession *session)
{
  if (session == NULL)
    return;
  g_free (session->uuid);
  g_free (session->name);
  g_free (session->address);
  g_free (session->state);
  g_free (session);
}

/* Errors from the service arrive as "GDBus.Error:org.boxwood.Error.X: msg"
 * in BW_CLIENT_ERROR (registered domain); people read only "msg". Errors
 * of the transport (service killed mid-call) become NO_SERVICE. */
static gboolean
fail (GError *local, GError **error)
{
  if (g_dbus_error_is_remote_error (local))
    g_dbus_error_strip_remote_error (local);
  if (local->domain != BW_CLIENT_ERROR && local->domain == G_IO_ERROR
      && (local->code == G_IO_ERROR_CLOSED || local->code == G_IO_ERROR_CONNECTION_CLOSED
          || local->code == G_IO_ERROR_BROKEN_PIPE))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_NO_SERVICE,
                   "lost the connection to boxwood-svc: %s", local->message);
      g_error_free (local);
      return FALSE;
    }
  g_propagate_error (error, local);
  return FALSE;
}

#define CALL_OK(call)                                                          \
  G_STMT_START                                                                 \
  {                                                                            \
    GError *local_ = NULL;                                                     \
    if (!(call))                                                               \
      {                                                                        \
        fail (local_, error);                                                  \
        return 0;                                                              \
      }                                                                        \
  }                                                                            \
  G_STMT_END

/* The service has no idea of our current folder: send absolute paths. */
static char *
absolute (const char *path)
{
  if (path == NULL || *path == '\0' || g_path_is_absolute (path))
    return g_strdup (path ? path : "");
  return g_canonicalize_filename (path, NULL);
}

/* A medium is named by UUID (with or without braces) or by path. */
static char *
absolute_unless_uuid (const char *medium)
{
  gsize len = strlen (medium);
  g_autofree char *bare = (len == 38 && medium[0] == '{') ? g_strndup (medium + 1, 36)
                                                           : g_strdup (medium);
  if (g_uuid_string_is_valid (bare))
    return g_strdup (medium);
  return absolute (medium);
}

static char *
empty_to_null (const char *s)
{
  return (s == NULL || *s == '\0') ? NULL : g_strdup (s);
}

static void
on_machine_registered (BwClient *self, const char *uuid, const char *name)
{
  g_signal_emit (self, signals[SIGNAL_MACHINE_REGISTERED], 0, uuid, name);
}

static void
on_machine_unregistered (BwClient *self, const char *uuid)
{
  g_signal_emit (self, signals[SIGNAL_MACHINE_UNREGISTERED], 0, uuid);
}

static void
on_machine_changed (BwClient *self, const char *uuid)
{
  g_signal_emit (self, signals[SIGNAL_MACHINE_CHANGED], 0, uuid);
}

static void
on_machine_state_changed (BwClient *self, const char *uuid, const char *state)
{
  g_signal_emit (self, signals[SIGNAL_MACHINE_STATE_CHANGED], 0, uuid, state);
}

static void
on_media_changed (BwClient *self)
{
  g_signal_emit (self, signals[SIGNAL_MEDIA_CHANGED], 0);
}

static void
on_system_properties_changed (BwClient *self)
{
  g_signal_emit (self, signals[SIGNAL_SYSTEM_PROPERTIES_CHANGED], 0);
}

static void
on_closed (GDBusConnection *connection, gboolean remote_peer_vanished, GError *error,
           gpointer user_data)
{
  g_signal_emit (user_data, signals[SIGNAL_CLOSED], 0);
}

static void
bw_client_dispose (GObject *object)
{
  BwClient *self = BW_CLIENT (object);

  if (self->connection != NULL && self->closed_handler != 0)
    g_clear_signal_handler (&self->closed_handler, self->connection);
  g_clear_object (&self->proxy);
  if (self->connection != NULL)
    {
      /* Flush so that a last call's effects are sent before we go. */
      g_dbus_connection_close_sync (self->connection, NULL, NULL);
      g_clear_object (&self->connection);
    }
  G_OBJECT_CLASS (bw_client_parent_class)->dispose (object);
}

static void
bw_client_class_init (BwClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  object_class->dispose = bw_client_dispose;

  signals[SIGNAL_MACHINE_REGISTERED] =
      g_signal_new ("machine-registered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                    NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_MACHINE_UNREGISTERED] =
      g_signal_new ("machine-unregistered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_MACHINE_CHANGED] =
      g_signal_new ("machine-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_MACHINE_STATE_CHANGED] =
      g_signal_new ("machine-state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                    NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_MEDIA_CHANGED] =
      g_signal_new ("media-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                    NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SYSTEM_PROPERTIES_CHANGED] =
      g_signal_new ("system-properties-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_CLOSED] =
      g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                    NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bw_client_init (BwClient *self)
{
}

BwClient *
bw_client_connect (GError **error)
{
  return bw_client_connect_full (BW_CLIENT_FLAGS_NONE, NULL, error);
}

BwClient *
bw_client_connect_full (BwClientFlags flags, GCancellable *cancellable, GError **error)
{
  /* Make sure the error domain is registered before the first reply. */
  (void) bw_client_error_quark ();

  g_autoptr (GDBusConnection) connection =
      bw_client_open_connection (flags, cancellable, error);
  if (connection == NULL)
    return NULL;

  GError *local = NULL;
  g_autoptr (BwDBusService1) proxy =
      bw_dbus_service1_proxy_new_sync (connection, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                                       NULL, BW_SERVICE_OBJECT_PATH, cancellable, &local);
  if (proxy == NULL)
    {
      fail (local, error);
      return NULL;
    }

  BwClient *self = g_object_new (BW_TYPE_CLIENT, NULL);
  self->connection = g_steal_pointer (&connection);
  self->proxy = g_steal_pointer (&proxy);
  g_signal_connect_object (self->proxy, "machine-registered",
                           G_CALLBACK (on_machine_registered), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->proxy, "machine-unregistered",
                           G_CALLBACK (on_machine_unregistered), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->proxy, "machine-changed",
                           G_CALLBACK (on_machine_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->proxy, "machine-state-changed",
                           G_CALLBACK (on_machine_state_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->proxy, "media-changed",
                           G_CALLBACK (on_media_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->proxy, "system-properties-changed",
                           G_CALLBACK (on_system_properties_changed), self, G_CONNECT_SWAPPED);
  self->closed_handler = g_signal_connect (self->connection, "closed",
                                           G_CALLBACK (on_closed), self);
  return self;
}

GDBusConnection *
bw_client_get_connection (BwClient *self)
{
  g_return_val_if_fail (BW_IS_CLIENT (self), NULL);
  return self->connection;
}

char *
bw_client_get_version (BwClient *self, GError **error)
{
  char *version = NULL;
  CALL_OK (bw_dbus_service1_call_get_version_sync (self->proxy, &version, NULL, &local_));
  return version;
}

GPtrArray *
bw_client_list_machines (BwClient *self, GError **error)
{
  g_autoptr (GVariant) rows = NULL;
  CALL_OK (bw_dbus_service1_call_list_machines_sync (self->proxy, &rows, NULL, &local_));

  GPtrArray *machines = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_client_machine_free);
  GVariantIter iter;
  const char *uuid, *name, *path, *state, *err;
  g_variant_iter_init (&iter, rows);
  while (g_variant_iter_next (&iter, "(&s&s&s&s&s)", &uuid, &name, &path, &state, &err))
    {
      BwClientMachine *m = g_new0 (BwClientMachine, 1);
      m->uuid = g_strdup (uuid);
      m->name = g_strdup (name);
      m->settings_path = g_strdup (path);
      m->state = g_strdup (state);
      m->error = empty_to_null (err);
      g_ptr_array_add (machines, m);
    }
  return machines;
}

char *
bw_client_get_machine_settings (BwClient *self, const char *machine, char **uuid,
                                char **settings_path, GError **error)
{
  g_autofree char *out_uuid = NULL;
  g_autofree char *out_path = NULL;
  char *xml = NULL;
  CALL_OK (bw_dbus_service1_call_get_machine_settings_sync (self->proxy, machine, &out_uuid,
                                                            &out_path, &xml, NULL, &local_));
  if (uuid != NULL)
    *uuid = g_steal_pointer (&out_uuid);
  if (settings_path != NULL)
    *settings_path = g_steal_pointer (&out_path);
  return xml;
}

char *
bw_client_create_machine (BwClient *self, const char *name, const char *os_type,
                          const char *base_folder, gboolean register_machine,
                          char **settings_path, GError **error)
{
  char *uuid = NULL;
  g_autofree char *path = NULL;
  g_autofree char *base = absolute (base_folder);
  CALL_OK (bw_dbus_service1_call_create_machine_sync (self->proxy, name, os_type ? os_type : "",
                                                      base,
                                                      register_machine, &uuid, &path, NULL,
                                                      &local_));
  if (settings_path != NULL)
    *settings_path = g_steal_pointer (&path);
  return uuid;
}

char *
bw_client_register_machine (BwClient *self, const char *settings_path, GError **error)
{
  char *uuid = NULL;
  g_autofree char *path = absolute (settings_path);
  CALL_OK (bw_dbus_service1_call_register_machine_sync (self->proxy, path, &uuid,
                                                        NULL, &local_));
  return uuid;
}

gboolean
bw_client_unregister_machine (BwClient *self, const char *machine, gboolean delete_files,
                              GError **error)
{
  CALL_OK (bw_dbus_service1_call_unregister_machine_sync (self->proxy, machine, delete_files,
                                                          NULL, &local_));
  return TRUE;
}

gboolean
bw_client_modify_machine (BwClient *self, const char *machine, const char *const *changes,
                          GError **error)
{
  GVariantBuilder builder;
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ss)"));
  for (gsize i = 0; changes != NULL && changes[i] != NULL; i += 2)
    {
      if (changes[i + 1] == NULL)
        {
          g_variant_builder_clear (&builder);
          g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT,
                       "change '%s' has no value", changes[i]);
          return FALSE;
        }
      g_variant_builder_add (&builder, "(ss)", changes[i], changes[i + 1]);
    }
  CALL_OK (bw_dbus_service1_call_modify_machine_sync (self->proxy, machine,
                                                      g_variant_builder_end (&builder),
                                                      NULL, &local_));
  return TRUE;
}

char *
bw_client_get_machine_state (BwClient *self, const char *machine, gint64 *last_change,
                             GError **error)
{
  char *state = NULL;
  gint64 when = 0;
  CALL_OK (bw_dbus_service1_call_get_machine_state_sync (self->proxy, machine, &state, &when,
                                                         NULL, &local_));
  if (last_change != NULL)
    *last_change = when;
  return state;
}

GHashTable *
bw_client_get_system_properties (BwClient *self, GError **error)
{
  g_autoptr (GVariant) props = NULL;
  CALL_OK (bw_dbus_service1_call_get_system_properties_sync (self->proxy, &props, NULL,
                                                             &local_));
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GVariantIter iter;
  const char *key, *value;
  g_variant_iter_init (&iter, props);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    g_hash_table_insert (table, g_strdup (key), g_strdup (value));
  return table;
}

gboolean
bw_client_set_system_property (BwClient *self, const char *name, const char *value,
                               GError **error)
{
  CALL_OK (bw_dbus_service1_call_set_system_property_sync (self->proxy, name, value, NULL,
                                                           &local_));
  return TRUE;
}

GPtrArray *
bw_client_list_media (BwClient *self, const char *kind, GError **error)
{
  g_autoptr (GVariant) rows = NULL;
  CALL_OK (bw_dbus_service1_call_list_media_sync (self->proxy, kind ? kind : "", &rows, NULL,
                                                  &local_));
  GPtrArray *media = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_client_medium_free);
  GVariantIter iter;
  const char *uuid, *location, *mkind, *format, *err;
  guint64 size;
  GVariant *used_by;
  g_variant_iter_init (&iter, rows);
  while (g_variant_iter_next (&iter, "(&s&s&s&st@as&s)", &uuid, &location, &mkind, &format,
                              &size, &used_by, &err))
    {
      BwClientMedium *m = g_new0 (BwClientMedium, 1);
      m->uuid = g_strdup (uuid);
      m->location = g_strdup (location);
      m->kind = g_strdup (mkind);
      m->format = g_strdup (format);
      m->size = size;
      m->used_by = g_variant_dup_strv (used_by, NULL);
      m->error = empty_to_null (err);
      g_variant_unref (used_by);
      g_ptr_array_add (media, m);
    }
  return media;
}

char *
bw_client_register_medium (BwClient *self, const char *location, const char *kind,
                           GError **error)
{
  char *uuid = NULL;
  g_autofree char *path = absolute (location);
  CALL_OK (bw_dbus_service1_call_register_medium_sync (self->proxy, path, kind, &uuid,
                                                      NULL, &local_));
  return uuid;
}

gboolean
bw_client_close_medium (BwClient *self, const char *medium, gboolean delete_file,
                        GError **error)
{
  g_autofree char *name = absolute_unless_uuid (medium);
  CALL_OK (bw_dbus_service1_call_close_medium_sync (self->proxy, name, delete_file, NULL,
                                                    &local_));
  return TRUE;
}

char *
bw_client_register_session (BwClient *self, const char *machine, const char *address,
                            GError **error)
{
  char *uuid = NULL;
  CALL_OK (bw_dbus_service1_call_register_session_sync (self->proxy, machine, address, &uuid,
                                                        NULL, &local_));
  return uuid;
}

gboolean
bw_client_set_session_state (BwClient *self, const char *machine, const char *state,
                             GError **error)
{
  CALL_OK (bw_dbus_service1_call_set_session_state_sync (self->proxy, machine, state, NULL,
                                                         &local_));
  return TRUE;
}

GPtrArray *
bw_client_list_sessions (BwClient *self, GError **error)
{
  g_autoptr (GVariant) rows = NULL;
  CALL_OK (bw_dbus_service1_call_list_sessions_sync (self->proxy, &rows, NULL, &local_));
  GPtrArray *sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_client_session_free);
  GVariantIter iter;
  const char *uuid, *name, *address, *state;
  guint32 pid;
  g_variant_iter_init (&iter, rows);
  while (g_variant_iter_next (&iter, "(&s&s&s&su)", &uuid, &name, &address, &state, &pid))
    {
      BwClientSession *s = g_new0 (BwClientSession, 1);
      s->uuid = g_strdup (uuid);
      s->name = g_strdup (name);
      s->address = g_strdup (address);
      s->state = g_strdup (state);
      s->pid = pid;
      g_ptr_array_add (sessions, s);
    }
  return sessions;
}
