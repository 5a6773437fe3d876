/* bw-peer-auth.h: who may talk to a Boxwood socket.
 *
 * The service and every VM session serve D-Bus peer to peer on Unix
 * sockets. Only the same user may connect, with credentials the kernel
 * vouches for (EXTERNAL over a Unix socket); this observer says so to a
 * GDBusServer. One rule, shared, so the two servers cannot drift apart. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

GDBusAuthObserver *bw_peer_auth_observer_new (void);

G_END_DECLS
