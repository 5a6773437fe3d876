/* bw-peer-auth.c: same-user EXTERNAL authentication for our D-Bus servers. */
#include "config.h"

#include <unistd.h>

#include "app/main/client/bw-peer-auth.h"

static gboolean
on_allow_mechanism (GDBusAuthObserver *observer, const char *mechanism, gpointer user_data)
{
  return g_strcmp0 (mechanism, "EXTERNAL") == 0;
}

static gboolean
on_authorize_peer (GDBusAuthObserver *observer, GIOStream *stream, GCredentials *credentials,
                   gpointer user_data)
{
  return credentials != NULL && g_credentials_get_unix_user (credentials, NULL) == getuid ();
}

GDBusAuthObserver *
bw_peer_auth_observer_new (void)
{
  GDBusAuthObserver *observer = g_dbus_auth_observer_new ();
  g_signal_connect (observer, "allow-mechanism", G_CALLBACK (on_allow_mechanism), NULL);
  g_signal_connect (observer, "authorize-authenticated-peer", G_CALLBACK (on_authorize_peer),
                    NULL);
  return observer;
}
