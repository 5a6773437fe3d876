/* bw-storage-io.c: file I/O helpers shared by the image formats. */
#define G_LOG_DOMAIN "boxwood-storage"
#include "config.h"

#include "devices/storage/bw-storage-io.h"
#include "devices/storage/bw-disk.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean
set_errno_error (GError **error, int err, const char *path, const char *what)
{
  g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_IO, "%s: %s: %s", path, what,
               g_strerror (err));
  return FALSE;
}

static int
lock_or_close (int fd, const char *path, GError **error)
{
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      int err = errno;
      close (fd);
      if (err == EWOULDBLOCK)
        g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_BUSY,
                     "%s: image is open for writing in another process", path);
      else
        set_errno_error (error, err, path, "cannot lock");
      return -1;
    }
  return fd;
}

int
bw_storage_io_open (const char *path, gboolean writable, GError **error)
{
  int fd = open (path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0)
    {
      set_errno_error (error, errno, path, "cannot open");
      return -1;
    }
  struct stat st;
  if (fstat (fd, &st) < 0)
    {
      int err = errno;
      close (fd);
      set_errno_error (error, err, path, "cannot stat");
      return -1;
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_INVALID, "%s: not a regular file", path);
      return -1;
    }
  if (writable)
    return lock_or_close (fd, path, error);
  return fd;
}

int
bw_storage_io_create (const char *path, GError **error)
{
  int fd = open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int err = errno;
      if (err == EEXIST)
        g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_EXISTS, "%s: file already exists",
                     path);
      else
        set_errno_error (error, err, path, "cannot create");
      return -1;
    }
  return lock_or_close (fd, path, error);
}

gboolean
bw_storage_io_get_size (int fd, const char *path, guint64 *size, GError **error)
{
  struct stat st;
  if (fstat (fd, &st) < 0)
    return set_errno_error (error, errno, path, "cannot stat");
  *size = (guint64) st.st_size;
  return TRUE;
}

gboolean
bw_storage_io_pread (int fd, const char *path, void *buf, gsize len, guint64 offset,
                     GError **error)
{
  guint8 *p = buf;
  while (len > 0)
    {
      ssize_t n = pread (fd, p, len, (off_t) offset);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return set_errno_error (error, errno, path, "read failed");
        }
      if (n == 0)
        {
          g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_CORRUPT,
                       "%s: unexpected end of file at offset %" G_GUINT64_FORMAT, path, offset);
          return FALSE;
        }
      p += n;
      len -= (gsize) n;
      offset += (guint64) n;
    }
  return TRUE;
}

gboolean
bw_storage_io_pwrite (int fd, const char *path, const void *buf, gsize len, guint64 offset,
                      GError **error)
{
  const guint8 *p = buf;
  while (len > 0)
    {
      ssize_t n = pwrite (fd, p, len, (off_t) offset);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return set_errno_error (error, errno, path, "write failed");
        }
      p += n;
      len -= (gsize) n;
      offset += (guint64) n;
    }
  return TRUE;
}

gboolean
bw_storage_io_sync (int fd, const char *path, GError **error)
{
  if (fdatasync (fd) < 0)
    return set_errno_error (error, errno, path, "flush failed");
  return TRUE;
}

gboolean
bw_storage_io_resize (int fd, const char *path, guint64 size, gboolean preallocate,
                      GError **error)
{
  if (ftruncate (fd, (off_t) size) < 0)
    return set_errno_error (error, errno, path, "cannot set size");
  if (preallocate && size > 0)
    {
      int err = posix_fallocate (fd, 0, (off_t) size);
      if (err != 0)
        return set_errno_error (error, err, path, "cannot allocate space");
    }
  return TRUE;
}

gboolean
bw_storage_io_is_zero (const void *buf, gsize len)
{
  const guint8 *p = buf;
  /* Compare the buffer with itself shifted by one byte once the first is 0. */
  return len == 0 || (p[0] == 0 && memcmp (p, p + 1, len - 1) == 0);
}
