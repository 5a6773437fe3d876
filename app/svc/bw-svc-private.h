/* bw-svc-private.h: the parts of boxwood-svc: the server (bw-svc.c) and
 * the D-Bus methods with the sessions (bw-svc-dbus.c). */
#pragma once

#include <gio/gio.h>

#include "app/main/client/bw-dbus-service1.h"
#include "app/svc/bw-svc-machines.h"
#include "app/svc/bw-svc.h"

G_BEGIN_DECLS

struct _BwSvc {
  GMainLoop *loop;
  int lock_fd;
  int config_lock_fd;
  char *socket_path;
  GDBusServer *server;
  gboolean server_started;   /* the socket file is ours to remove */
  GDBusAuthObserver *observer;
  GPtrArray *connections;   /* of GDBusConnection*, owned */
  guint idle_id;
  guint idle_ms;
  BwDBusService1 *skeleton;
  BwSvcMachines *machines;
  GHashTable *sessions;     /* machine uuid -> BwSvcSession* */
};

/* Creates the skeleton with its method handlers. */
void bw_svc_dbus_init (BwSvc *svc);
void bw_svc_dbus_finalize (BwSvc *svc);
/* A client connection closed: end the sessions it held (aborted). */
void bw_svc_dbus_connection_closed (BwSvc *svc, GDBusConnection *connection);

G_END_DECLS
