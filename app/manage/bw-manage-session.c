/* bw-manage-session.c: find a running machine's session and connect. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include "app/manage/bw-manage-session.h"

#include "app/manage/bw-manage-client.h"
#include "app/manage/bw-manage.h"

BwClientSession *
bw_manage_find_session (BwClient *client, const char *machine, GError **error)
{
  /* Also the check that the machine exists, with the service's words. */
  g_autofree char *state = bw_client_get_machine_state (client, machine, NULL, error);
  if (state == NULL)
    return NULL;
  g_autoptr (GPtrArray) sessions = bw_client_list_sessions (client, error);
  if (sessions == NULL)
    return NULL;
  for (guint i = 0; i < sessions->len; i++)
    {
      BwClientSession *s = g_ptr_array_index (sessions, i);
      if (g_strcmp0 (s->uuid, machine) == 0 || g_strcmp0 (s->name, machine) == 0)
        return g_ptr_array_steal_index (sessions, i);
    }
  return NULL;
}

int
bw_manage_session_error (GError *error)
{
  g_dbus_error_strip_remote_error (error);
  return bw_manage_error ("%s", error->message);
}

BwDBusSession1 *
bw_manage_open_session (BwClient *client, const char *machine)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BwClientSession) session = bw_manage_find_session (client, machine, &error);
  if (session == NULL)
    {
      if (error != NULL)
        bw_manage_client_error (error);
      else
        bw_manage_error ("Machine '%s' is not running", machine);
      return NULL;
    }
  if (g_strcmp0 (session->state, "poweroff") == 0 || g_strcmp0 (session->state, "aborted") == 0
      || g_strcmp0 (session->state, "saved") == 0)
    {
      bw_manage_error ("Machine '%s' is not running (%s)", machine, session->state);
      return NULL;
    }
  g_autoptr (GDBusConnection) conn = g_dbus_connection_new_for_address_sync (
      session->address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);
  if (conn == NULL)
    {
      bw_manage_error ("Cannot reach the session of machine '%s' at %s: %s", machine,
                       session->address, error->message);
      return NULL;
    }
  BwDBusSession1 *proxy = bw_dbus_session1_proxy_new_sync (
      conn, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS,
      NULL, "/org/boxwood/Session", NULL, &error);
  if (proxy == NULL)
    bw_manage_error ("Cannot reach the session of machine '%s': %s", machine, error->message);
  /* The proxy holds the connection. */
  return proxy;
}
