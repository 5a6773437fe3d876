/* bw-raw-image.c: raw images, the file is the disk byte for byte. */
#define G_LOG_DOMAIN "boxwood-storage"
#include "config.h"

#include "devices/storage/bw-raw-image.h"
#include "devices/storage/bw-disk.h"
#include "devices/storage/bw-storage-io.h"

#include <sys/stat.h>
#include <unistd.h>

struct _BwRawImage
{
  char *path;
  int fd;
  gboolean writable;
  guint64 size;
};

BwRawImage *
bw_raw_image_open (const char *path, gboolean writable, GError **error)
{
  BwRawImage *raw = g_new0 (BwRawImage, 1);
  raw->path = g_strdup (path);
  raw->writable = writable;
  raw->fd = bw_storage_io_open (path, writable, error);
  if (raw->fd < 0 || !bw_storage_io_get_size (raw->fd, path, &raw->size, error))
    {
      bw_raw_image_close (raw);
      return NULL;
    }
  return raw;
}

BwRawImage *
bw_raw_image_create (const char *path, guint64 size, gboolean preallocate, GError **error)
{
  if (size == 0 || size > (guint64) G_MAXINT64 / 2)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_INVALID,
                   "%s: disk size %" G_GUINT64_FORMAT " bytes is out of range", path, size);
      return NULL;
    }
  int fd = bw_storage_io_create (path, error);
  if (fd < 0)
    return NULL;
  gboolean ok = bw_storage_io_resize (fd, path, size, preallocate, error)
                && bw_storage_io_sync (fd, path, error);
  close (fd);
  BwRawImage *raw = ok ? bw_raw_image_open (path, TRUE, error) : NULL;
  if (raw == NULL)
    unlink (path);
  return raw;
}

void
bw_raw_image_close (BwRawImage *raw)
{
  if (raw == NULL)
    return;
  if (raw->fd >= 0)
    close (raw->fd);
  g_free (raw->path);
  g_free (raw);
}

static gboolean
check_range (BwRawImage *raw, guint64 offset, gsize len, GError **error)
{
  if (offset > raw->size || len > raw->size - offset)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_RANGE,
                   "%s: access of %" G_GSIZE_FORMAT " bytes at %" G_GUINT64_FORMAT
                   " is beyond the disk size of %" G_GUINT64_FORMAT " bytes", raw->path, len,
                   offset, raw->size);
      return FALSE;
    }
  return TRUE;
}

gboolean
bw_raw_image_read (BwRawImage *raw, guint64 offset, void *buf, gsize len, GError **error)
{
  return check_range (raw, offset, len, error)
         && bw_storage_io_pread (raw->fd, raw->path, buf, len, offset, error);
}

gboolean
bw_raw_image_write (BwRawImage *raw, guint64 offset, const void *buf, gsize len,
                    GError **error)
{
  if (!raw->writable)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_READ_ONLY, "%s: image is open read-only",
                   raw->path);
      return FALSE;
    }
  return check_range (raw, offset, len, error)
         && bw_storage_io_pwrite (raw->fd, raw->path, buf, len, offset, error);
}

gboolean
bw_raw_image_flush (BwRawImage *raw, GError **error)
{
  return !raw->writable || bw_storage_io_sync (raw->fd, raw->path, error);
}

const char *
bw_raw_image_get_path (BwRawImage *raw)
{
  return raw->path;
}

guint64
bw_raw_image_get_size (BwRawImage *raw)
{
  return raw->size;
}

guint64
bw_raw_image_get_allocated (BwRawImage *raw)
{
  struct stat st;
  if (fstat (raw->fd, &st) < 0)
    return 0;
  return MIN ((guint64) st.st_blocks * 512, raw->size);
}
