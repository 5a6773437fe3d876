#define G_LOG_DOMAIN "boxwood-svc"

#include "config.h"

#include "app/svc/bw-svc-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "app/main/client/bw-client-private.h"
#include "app/main/client/bw-peer-auth.h"
#include "app/main/client/bw-runtime-dir.h"

#define DEFAULT_IDLE_MS 5000

static guint
idle_ms_from_env (void)
{
  const char *text = g_getenv ("BOXWOOD_SVC_IDLE_TIMEOUT");
  if (text == NULL || *text == '\0')
    return DEFAULT_IDLE_MS;
  char *end = NULL;
  double seconds = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || seconds < 0 || seconds > 86400)
    {
      g_warning ("BOXWOOD_SVC_IDLE_TIMEOUT='%s' is not a number of seconds; using %u",
                 text, DEFAULT_IDLE_MS / 1000);
      return DEFAULT_IDLE_MS;
    }
  return (guint) (seconds * 1000);
}

/* The lock decides which of several services started at once serves: the
 * others exit, and their clients find the winner's socket. */
static gboolean
take_lock (BwSvc *svc, gboolean *held_elsewhere, GError **error)
{
  g_autofree char *path = bw_runtime_dir_service_lock (error);
  if (path == NULL)
    return FALSE;
  svc->lock_fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (svc->lock_fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot open %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  if (flock (svc->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      *held_elsewhere = errno == EWOULDBLOCK;
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot lock %s: %s", path,
                   g_strerror (saved));
      return FALSE;
    }
  /* Who holds it, for people and tests that look. */
  if (ftruncate (svc->lock_fd, 0) == 0)
    {
      g_autofree char *pid = g_strdup_printf ("%d\n", (int) getpid ());
      (void) !write (svc->lock_fd, pid, strlen (pid));
    }
  return TRUE;
}

/* One service per config folder as well: a second login session with
 * another runtime folder must not run a second writer of boxwood.xml.
 * The lock file names our socket so that its clients find us. */
static gboolean
take_config_lock (BwSvc *svc, GError **error)
{
  g_autofree char *path = bw_runtime_dir_config_lock ();
  g_autofree char *dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot create %s: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  svc->config_lock_fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (svc->config_lock_fd < 0 || flock (svc->config_lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;
      g_autofree char *holder = NULL;
      g_file_get_contents (path, &holder, NULL, NULL);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot lock %s (%s); held by: %s", path, g_strerror (saved),
                   holder ? g_strdelimit (holder, "\n", ' ') : "?");
      return FALSE;
    }
  g_autofree char *text = g_strdup_printf ("%d\n%s\n", (int) getpid (), svc->socket_path);
  if (ftruncate (svc->config_lock_fd, 0) == 0)
    (void) !write (svc->config_lock_fd, text, strlen (text));
  return TRUE;
}


static gboolean
on_idle_timeout (gpointer user_data)
{
  BwSvc *svc = user_data;
  svc->idle_id = 0;
  if (svc->connections->len == 0)
    {
      g_message ("no clients; exiting");
      g_main_loop_quit (svc->loop);
    }
  return G_SOURCE_REMOVE;
}

/* At start, the client that spawned us has yet to connect: give it time
 * even when the idle timeout is tiny, or it would chase exiting services. */
#define STARTUP_GRACE_MS 3000

static void
arm_idle_timer (BwSvc *svc, guint ms)
{
  g_clear_handle_id (&svc->idle_id, g_source_remove);
  if (svc->connections->len == 0)
    svc->idle_id = g_timeout_add (ms, on_idle_timeout, svc);
}

static void
on_connection_closed (GDBusConnection *connection, gboolean remote_peer_vanished,
                      GError *error, gpointer user_data)
{
  BwSvc *svc = user_data;
  g_signal_handlers_disconnect_by_func (connection, on_connection_closed, svc);
  g_dbus_interface_skeleton_unexport_from_connection (G_DBUS_INTERFACE_SKELETON (svc->skeleton),
                                                      connection);
  bw_svc_dbus_connection_closed (svc, connection);
  g_ptr_array_remove (svc->connections, connection);
  arm_idle_timer (svc, svc->idle_ms);
}

static gboolean
on_new_connection (GDBusServer *server, GDBusConnection *connection, gpointer user_data)
{
  BwSvc *svc = user_data;
  g_autoptr (GError) error = NULL;

  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (svc->skeleton), connection,
                                         BW_SERVICE_OBJECT_PATH, &error))
    {
      g_warning ("cannot serve a new client: %s", error->message);
      return FALSE;
    }
  g_ptr_array_add (svc->connections, g_object_ref (connection));
  g_signal_connect (connection, "closed", G_CALLBACK (on_connection_closed), svc);
  g_clear_handle_id (&svc->idle_id, g_source_remove);
  /* The connection may already have closed before we saw it. */
  if (g_dbus_connection_is_closed (connection))
    on_connection_closed (connection, TRUE, NULL, svc);
  return TRUE;
}

static gboolean
start_server (BwSvc *svc, GError **error)
{
  /* We hold the lock, so a socket file left here belongs to a service that
   * died: nobody else may be listening on it. */
  if (g_unlink (svc->socket_path) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot remove stale %s: %s",
                   svc->socket_path, g_strerror (saved));
      return FALSE;
    }

  /* Only our own uid may talk to us (bw-peer-auth.h). */
  svc->observer = bw_peer_auth_observer_new ();

  g_autofree char *escaped = g_dbus_address_escape_value (svc->socket_path);
  g_autofree char *address = g_strconcat ("unix:path=", escaped, NULL);
  g_autofree char *guid = g_dbus_generate_guid ();
  svc->server = g_dbus_server_new_sync (address, G_DBUS_SERVER_FLAGS_NONE, guid, svc->observer,
                                        NULL, error);
  if (svc->server == NULL)
    return FALSE;
  g_chmod (svc->socket_path, 0600);
  g_signal_connect (svc->server, "new-connection", G_CALLBACK (on_new_connection), svc);
  g_dbus_server_start (svc->server);
  svc->server_started = TRUE;
  return TRUE;
}

static gboolean
on_quit_signal (gpointer user_data)
{
  BwSvc *svc = user_data;
  g_message ("terminated by a signal; exiting");
  g_main_loop_quit (svc->loop);
  return G_SOURCE_CONTINUE;
}

static void
bw_svc_free (BwSvc *svc)
{
  /* Stop listening and remove the socket while we still hold the lock, so
   * that a successor never finds our socket and never loses its own. */
  if (svc->server != NULL)
    {
      g_dbus_server_stop (svc->server);
      g_clear_object (&svc->server);
    }
  if (svc->socket_path != NULL && svc->server_started)
    g_unlink (svc->socket_path);
  for (guint i = 0; i < svc->connections->len; i++)
    {
      GDBusConnection *c = g_ptr_array_index (svc->connections, i);
      g_signal_handlers_disconnect_by_func (c, on_connection_closed, svc);
      g_dbus_connection_close_sync (c, NULL, NULL);
    }
  g_ptr_array_unref (svc->connections);
  g_clear_handle_id (&svc->idle_id, g_source_remove);
  bw_svc_dbus_finalize (svc);
  g_clear_object (&svc->observer);
  g_clear_pointer (&svc->machines, bw_svc_machines_free);
  g_clear_pointer (&svc->loop, g_main_loop_unref);
  g_free (svc->socket_path);
  if (svc->config_lock_fd >= 0)
    close (svc->config_lock_fd);
  if (svc->lock_fd >= 0)
    close (svc->lock_fd);
  g_free (svc);
}

int
bw_svc_main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  gboolean held_elsewhere = FALSE;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          g_print ("Usage: boxwood-svc\n\n"
                   "The Boxwood background service. Clients start it when needed;\n"
                   "it exits %d s after its last client left (BOXWOOD_SVC_IDLE_TIMEOUT).\n",
                   DEFAULT_IDLE_MS / 1000);
          return 0;
        }
      if (g_str_equal (argv[i], "--version"))
        {
          g_print ("boxwood-svc %s\n", PACKAGE_VERSION);
          return 0;
        }
      g_printerr ("boxwood-svc: unknown option '%s' (see --help)\n", argv[i]);
      return 2;
    }

  /* Our own session: a client's Ctrl+C or closed terminal must not take
   * the service (and every other client's view) down with it. */
  setsid ();
  (void) bw_client_error_quark ();

  BwSvc *svc = g_new0 (BwSvc, 1);
  svc->lock_fd = -1;
  svc->config_lock_fd = -1;
  svc->idle_ms = idle_ms_from_env ();
  svc->connections = g_ptr_array_new_with_free_func (g_object_unref);
  svc->loop = g_main_loop_new (NULL, FALSE);

  if (!take_lock (svc, &held_elsewhere, &error))
    {
      if (held_elsewhere)
        g_message ("another boxwood-svc is running; exiting");
      else
        g_printerr ("boxwood-svc: %s\n", error->message);
      bw_svc_free (svc);
      return held_elsewhere ? 0 : 1;
    }

  svc->socket_path = bw_runtime_dir_service_socket (&error);
  if (svc->socket_path == NULL || !take_config_lock (svc, &error))
    {
      g_printerr ("boxwood-svc: %s; exiting\n", error->message);
      bw_svc_free (svc);
      return 1;
    }

  svc->machines = bw_svc_machines_new (NULL);
  bw_svc_dbus_init (svc);

  if (!start_server (svc, &error))
    {
      g_printerr ("boxwood-svc: %s\n", error->message);
      bw_svc_free (svc);
      return 1;
    }
  g_message ("serving on %s (pid %d)", svc->socket_path, (int) getpid ());

  /* A client that vanishes mid-reply must not take us down. */
  signal (SIGPIPE, SIG_IGN);
  g_unix_signal_add (SIGTERM, on_quit_signal, svc);
  g_unix_signal_add (SIGINT, on_quit_signal, svc);
  g_unix_signal_add (SIGHUP, on_quit_signal, svc);
  arm_idle_timer (svc, MAX (svc->idle_ms, STARTUP_GRACE_MS));
  g_main_loop_run (svc->loop);

  bw_svc_free (svc);
  return 0;
}
