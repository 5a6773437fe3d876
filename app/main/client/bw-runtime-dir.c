#define G_LOG_DOMAIN "boxwood-client"

#include "config.h"

#include "app/main/client/bw-runtime-dir.h"

#include "app/main/bw-paths.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* Makes PATH a folder with mode 0700 owned by us, or says why it cannot
 * be trusted. lstat, not stat: a symlink planted in /tmp is refused. */
static gboolean
ensure_private_dir (const char *path, GError **error)
{
  if (g_mkdir (path, 0700) != 0 && errno != EEXIST)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot create runtime folder %s: %s", path, g_strerror (saved));
      return FALSE;
    }

  struct stat st;
  if (lstat (path, &st) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot read runtime folder %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (!S_ISDIR (st.st_mode) || st.st_uid != getuid ())
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   "runtime folder %s is not a folder owned by uid %u; refusing to use it",
                   path, (unsigned) getuid ());
      return FALSE;
    }
  if ((st.st_mode & 0777) != 0700 && chmod (path, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot make runtime folder %s private: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

char *
bw_runtime_dir_get (GError **error)
{
  const char *xdg = g_getenv ("XDG_RUNTIME_DIR");
  g_autofree char *path = NULL;

  if (xdg != NULL && *xdg != '\0')
    path = g_build_filename (xdg, "boxwood", NULL);
  else
    path = g_strdup_printf ("/tmp/boxwood-%u", (unsigned) getuid ());

  if (!ensure_private_dir (path, error))
    return NULL;
  return g_steal_pointer (&path);
}

char *
bw_runtime_dir_service_socket (GError **error)
{
  g_autofree char *dir = bw_runtime_dir_get (error);
  return dir ? g_build_filename (dir, "service", NULL) : NULL;
}

char *
bw_runtime_dir_service_lock (GError **error)
{
  g_autofree char *dir = bw_runtime_dir_get (error);
  return dir ? g_build_filename (dir, "service.lock", NULL) : NULL;
}

char *
bw_runtime_dir_session_socket (const char *uuid, GError **error)
{
  g_autofree char *dir = bw_runtime_dir_get (error);
  if (dir == NULL)
    return NULL;
  g_autofree char *sessions = g_build_filename (dir, "sessions", NULL);
  if (!ensure_private_dir (sessions, error))
    return NULL;
  return g_build_filename (sessions, uuid, NULL);
}

char *
bw_runtime_dir_config_lock (void)
{
  g_autofree char *config = bw_paths_user_home ();
  return g_build_filename (config, "service.lock", NULL);
}

char *
bw_runtime_dir_config_lock_socket (void)
{
  g_autofree char *path = bw_runtime_dir_config_lock ();
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  g_auto (GStrv) lines = g_strsplit (text, "\n", 3);
  if (g_strv_length (lines) < 2 || !g_path_is_absolute (lines[1]))
    return NULL;
  return g_strdup (lines[1]);
}
