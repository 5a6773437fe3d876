/* bw-atomic-file.c: crash-safe replacement of a settings file.
 *
 * The order of steps is what makes it safe:
 *   1. write PATH.tmp, fsync it;
 *   2. hard-link PATH to PATH-prev.tmp and rename that over PATH-prev
 *      (PATH itself is never moved away, so it always exists);
 *   3. rename PATH.tmp over PATH (atomic on POSIX file systems);
 *   4. fsync the folder so the renames are durable.
 * A crash before 3 leaves the old PATH; after 3, the new one. */
#define G_LOG_DOMAIN "boxwood-main"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "app/main/bw-atomic-file.h"
#include "app/main/bw-paths.h"

static gboolean
set_errno_error (GError **error, int e, const char *what, const char *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
               "%s %s: %s", what, path, g_strerror (e));
  return FALSE;
}

static gboolean
fsync_dir (const char *dir, GError **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return set_errno_error (error, errno, "cannot open folder", dir);
  if (fsync (fd) != 0 && errno != EINVAL)
    {
      int e = errno;
      close (fd);
      return set_errno_error (error, e, "cannot sync folder", dir);
    }
  close (fd);
  return TRUE;
}

/* Write all of `data` to a new `tmp` and fsync it. */
static gboolean
write_synced (const char *tmp, const char *data, gsize len, GError **error)
{
  int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return set_errno_error (error, errno, "cannot create", tmp);
  gsize done = 0;
  while (done < len)
    {
      ssize_t n = write (fd, data + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int e = errno;
          close (fd);
          g_unlink (tmp);
          return set_errno_error (error, e, "cannot write", tmp);
        }
      done += (gsize) n;
    }
  if (fsync (fd) != 0)
    {
      int e = errno;
      close (fd);
      g_unlink (tmp);
      return set_errno_error (error, e, "cannot sync", tmp);
    }
  if (close (fd) != 0)
    {
      int e = errno;
      g_unlink (tmp);
      return set_errno_error (error, e, "cannot close", tmp);
    }
  return TRUE;
}

/* Make `prev` a copy of the current `path` without ever removing `path`:
 * hard link under a temporary name, then rename over `prev`. */
static gboolean
keep_previous (const char *path, const char *prev, GError **error)
{
  g_autofree char *prev_tmp = g_strconcat (prev, ".tmp", NULL);
  g_unlink (prev_tmp);
  if (link (path, prev_tmp) != 0)
    {
      if (errno == ENOENT)
        return TRUE;                /* first write: nothing to keep */
      /* File systems without hard links: copy instead. */
      g_autofree char *contents = NULL;
      gsize len = 0;
      if (!g_file_get_contents (path, &contents, &len, error))
        return FALSE;
      if (!write_synced (prev_tmp, contents, len, error))
        return FALSE;
    }
  if (g_rename (prev_tmp, prev) != 0)
    {
      int e = errno;
      g_unlink (prev_tmp);
      return set_errno_error (error, e, "cannot rename to", prev);
    }
  return TRUE;
}

gboolean
bw_atomic_file_write (const char *path, const char *data, gsize len,
                      GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
  g_autofree char *prev = g_strconcat (path, BW_PREV_SUFFIX, NULL);

  if (!write_synced (tmp, data, len, error))
    return FALSE;
  if (!keep_previous (path, prev, error))
    {
      g_unlink (tmp);
      return FALSE;
    }
  if (g_rename (tmp, path) != 0)
    {
      int e = errno;
      g_unlink (tmp);
      return set_errno_error (error, e, "cannot rename to", path);
    }
  return fsync_dir (dir, error);
}

gboolean
bw_atomic_file_read (const char *path, char **data, gsize *len,
                     gboolean *used_prev, GError **error)
{
  GError *local = NULL;
  if (used_prev)
    *used_prev = FALSE;
  if (g_file_get_contents (path, data, len, &local))
    return TRUE;
  if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  g_autofree char *prev = g_strconcat (path, BW_PREV_SUFFIX, NULL);
  if (g_file_get_contents (prev, data, len, NULL))
    {
      g_clear_error (&local);
      if (used_prev)
        *used_prev = TRUE;
      return TRUE;
    }
  g_propagate_error (error, local);
  return FALSE;
}

gboolean
bw_atomic_file_backup (const char *path, const char *dest, GError **error)
{
  if (g_file_test (dest, G_FILE_TEST_EXISTS))
    return TRUE;
  g_autofree char *contents = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;
  g_autofree char *tmp = g_strconcat (dest, ".tmp", NULL);
  if (!write_synced (tmp, contents, len, error))
    return FALSE;
  if (g_rename (tmp, dest) != 0)
    {
      int e = errno;
      g_unlink (tmp);
      return set_errno_error (error, e, "cannot rename to", dest);
    }
  g_autofree char *dir = g_path_get_dirname (dest);
  return fsync_dir (dir, error);
}
