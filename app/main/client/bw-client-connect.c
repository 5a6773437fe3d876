#define G_LOG_DOMAIN "boxwood-client"

#include "config.h"

#include "app/main/client/bw-client-private.h"
#include "app/main/client/bw-runtime-dir.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* How long a client keeps trying before it gives up; a cold service on a
 * loaded machine needs well under a second, so this is generous. */
#define CONNECT_TIMEOUT_US (10 * G_USEC_PER_SEC)
/* A second spawn while the first one may still be starting is harmless
 * (the service lock makes the late one exit), but pointless when frequent. */
#define RESPAWN_INTERVAL_US (G_USEC_PER_SEC)
#define SERVICE_LOG_LIMIT (1024 * 1024)

char *
bw_client_find_service_program (void)
{
  const char *env = g_getenv ("BOXWOOD_SVC");
  if (env != NULL && *env != '\0')
    return g_strdup (env);

  /* Installed programs sit side by side; in the build tree, programs in
   * app/manage or tests find the service through BW_BUILD_DIR. */
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  if (self != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self);
      g_autofree char *next = g_build_filename (dir, "boxwood-svc", NULL);
      if (g_file_test (next, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&next);
    }

  g_autofree char *built = g_build_filename (BW_BUILD_DIR, "app", "svc", "boxwood-svc", NULL);
  if (g_file_test (built, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&built);

  char *on_path = g_find_program_in_path ("boxwood-svc");
  return on_path ? on_path : g_strdup ("boxwood-svc");
}

/* The service's stdout and stderr go to <runtime>/service.log, so that a
 * client's terminal (or a test harness's pipe) is not held open by a
 * service that outlives it. */
static int
open_service_log (void)
{
  g_autofree char *dir = bw_runtime_dir_get (NULL);
  if (dir == NULL)
    return -1;
  g_autofree char *path = g_build_filename (dir, "service.log", NULL);
  struct stat st;
  int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
  if (g_stat (path, &st) == 0 && st.st_size > SERVICE_LOG_LIMIT)
    flags |= O_TRUNC;
  return open (path, flags, 0600);
}

static gboolean
spawn_service (GError **error)
{
  g_autofree char *program = bw_client_find_service_program ();
  char *argv[] = { program, NULL };
  int log_fd = open_service_log ();
  int null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  /* Without G_SPAWN_DO_NOT_REAP_CHILD GLib double-forks, so the service is
   * not our child and leaves no zombie; it calls setsid() itself. */
  gboolean ok = g_spawn_async_with_fds (NULL, argv, NULL,
                                        G_SPAWN_SEARCH_PATH,
                                        NULL, NULL, NULL,
                                        null_fd, log_fd, log_fd, error);
  if (log_fd >= 0)
    close (log_fd);
  if (null_fd >= 0)
    close (null_fd);
  if (!ok)
    g_prefix_error (error, "cannot start %s: ", program);
  return ok;
}

static GDBusConnection *
try_connect (const char *socket_path, GCancellable *cancellable, GError **error)
{
  g_autofree char *escaped = g_dbus_address_escape_value (socket_path);
  g_autofree char *address = g_strconcat ("unix:path=", escaped, NULL);
  g_autoptr (GDBusConnection) connection =
      g_dbus_connection_new_for_address_sync (address,
                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT,
                                              NULL, cancellable, error);
  if (connection == NULL)
    return NULL;

  /* A service that is shutting down may still complete the handshake; only
   * an answer proves that it took us on. */
  g_autoptr (GVariant) reply =
      g_dbus_connection_call_sync (connection, NULL, BW_SERVICE_OBJECT_PATH,
                                   BW_SERVICE_INTERFACE, "GetVersion", NULL,
                                   G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE,
                                   5000, cancellable, error);
  if (reply == NULL)
    return NULL;
  return g_steal_pointer (&connection);
}

GDBusConnection *
bw_client_open_connection (BwClientFlags flags, GCancellable *cancellable, GError **error)
{
  g_autoptr (GError) dir_error = NULL;
  g_autofree char *socket_path = bw_runtime_dir_service_socket (&dir_error);
  if (socket_path == NULL)
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_NO_SERVICE, "%s", dir_error->message);
      return NULL;
    }

  gint64 deadline = g_get_monotonic_time () + CONNECT_TIMEOUT_US;
  gint64 last_spawn = 0;
  gulong delay_us = 5000;
  g_autoptr (GError) last_error = NULL;

  for (;;)
    {
      g_clear_error (&last_error);
      GDBusConnection *connection = try_connect (socket_path, cancellable, &last_error);
      if (connection != NULL)
        return connection;

      /* The service of our config folder may serve another login session
       * from another runtime folder. */
      g_autofree char *other = bw_runtime_dir_config_lock_socket ();
      if (other != NULL && !g_str_equal (other, socket_path)
          && (connection = try_connect (other, cancellable, NULL)) != NULL)
        return connection;
      if (g_error_matches (last_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        break;
      if (flags & BW_CLIENT_FLAGS_NO_AUTOSTART)
        break;

      gint64 now = g_get_monotonic_time ();
      if (now >= deadline)
        break;
      if (last_spawn == 0 || now - last_spawn >= RESPAWN_INTERVAL_US)
        {
          g_autoptr (GError) spawn_error = NULL;
          if (!spawn_service (&spawn_error))
            {
              g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_NO_SERVICE,
                           "%s", spawn_error->message);
              return NULL;
            }
          last_spawn = now;
        }
      g_usleep (delay_us);
      delay_us = MIN (delay_us * 2, 100000);
    }

  if (g_error_matches (last_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&last_error));
      return NULL;
    }
  if (last_error != NULL)
    g_dbus_error_strip_remote_error (last_error);
  g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_NO_SERVICE,
               "cannot connect to boxwood-svc at %s: %s", socket_path,
               last_error ? last_error->message : "gave up");
  return NULL;
}
