/* bw-client-private.h: internals shared by the client library's files. */
#pragma once

#include "app/main/client/bw-client.h"

G_BEGIN_DECLS

#define BW_SERVICE_OBJECT_PATH "/org/boxwood/Service"
#define BW_SERVICE_INTERFACE "org.boxwood.Service1"

/* Connects to the service socket and checks that the service answers
 * (GetVersion), starting boxwood-svc when allowed and needed. */
GDBusConnection *bw_client_open_connection (BwClientFlags flags,
                                            GCancellable *cancellable,
                                            GError **error);

/* The boxwood-svc program that would be started (for messages, tests). */
char *bw_client_find_service_program (void);

G_END_DECLS
