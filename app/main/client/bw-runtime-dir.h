/* bw-runtime-dir.h: where the service and the sessions put their sockets.
 *
 * $XDG_RUNTIME_DIR/boxwood, or /tmp/boxwood-$UID when XDG_RUNTIME_DIR is
 * unset. The folder is created with mode 0700 and must be a real folder
 * owned by the current user (a folder someone else planted in /tmp is
 * refused, not used). Shared by boxwood-svc, its clients and the VM
 * process. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Creates the folder if needed and checks it. */
char *bw_runtime_dir_get (GError **error);

/* <runtime dir>/service: the service's socket. */
char *bw_runtime_dir_service_socket (GError **error);

/* <runtime dir>/service.lock: held (flock) by the one running service. */
char *bw_runtime_dir_service_lock (GError **error);

/* <config folder>/service.lock (bw_paths_user_home ()): held by the one
 * service that owns this config folder, holding its pid and socket path
 * on two lines. Two login sessions with different runtime folders (a
 * desktop and an ssh login without XDG_RUNTIME_DIR) share one config
 * folder, so they must share one service: the second session's clients
 * find it here. */
char *bw_runtime_dir_config_lock (void);

/* The socket path recorded in the config lock, or NULL. */
char *bw_runtime_dir_config_lock_socket (void);

/* <runtime dir>/sessions/<uuid>: a VM process's session socket; creates
 * sessions/ (0700). */
char *bw_runtime_dir_session_socket (const char *uuid, GError **error);

G_END_DECLS
