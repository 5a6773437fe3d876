/* bw-svc.h: boxwood-svc, the service that owns the machine registry.
 *
 * One process per user: it takes an flock on <runtime>/service.lock (a
 * second copy started at the same moment exits at once) and writes its pid
 * there, listens on
 * <runtime>/service with a GDBusServer that admits only its own uid, and
 * exports org.boxwood.Service1 on every connection, so every client sees
 * every signal. All requests are handled on the main loop, one at a time.
 * It exits (removing its socket) a while after its last client left:
 * BOXWOOD_SVC_IDLE_TIMEOUT seconds (default 5, fractions allowed). Its
 * messages go to <runtime>/service.log (the client that starts it points
 * stdout and stderr there). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BwSvc BwSvc;

/* Exit status: 0 after an idle exit or SIGTERM, and also when another
 * service already holds the lock; 1 when it cannot serve. */
int bw_svc_main (int argc, char **argv);

G_END_DECLS
