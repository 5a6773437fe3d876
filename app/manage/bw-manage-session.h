/* bw-manage-session.h: reaching a running machine's session
 * (org.boxwood.Session1, served by its boxwood-vm process). */
#pragma once

#include <glib.h>
#include "app/main/client/bw-client.h"
#include "app/main/client/bw-dbus-session1.h"

G_BEGIN_DECLS

/* The session of machine (name or UUID) when it runs; NULL with an
 * error when the service does not know it, and NULL without an error
 * when it is not running. */
BwClientSession *bw_manage_find_session (BwClient *client, const char *machine, GError **error);

/* A proxy on the running machine's session; NULL after printing why
 * (unknown machine, not running, cannot connect). */
BwDBusSession1 *bw_manage_open_session (BwClient *client, const char *machine);

/* Prints a session call's error (the remote error name stripped) and
 * returns the exit status. */
int bw_manage_session_error (GError *error);

G_END_DECLS
