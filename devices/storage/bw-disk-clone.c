/* bw-disk-clone.c: copying one disk into a new image (clonemedium,
 * convertfromraw). A freshly created target reads as zeros everywhere, so
 * all-zero chunks are never written: dynamic targets stay sparse. */
#define G_LOG_DOMAIN "boxwood-storage"
#include "config.h"

#include "devices/storage/bw-disk-private.h"
#include "devices/storage/bw-storage-io.h"

#include <unistd.h>

#define CHUNK_SIZE (1024u * 1024u) /* one VDI block */

gboolean
bw_disk_clone (BwDisk *src, const char *dst_path, BwDiskFormat format, BwDiskVariant variant,
               BwDiskProgress progress, gpointer user_data, GError **error)
{
  g_return_val_if_fail (src != NULL && dst_path != NULL, FALSE);
  guint64 size = bw_disk_get_size (src);
  g_autoptr (BwDisk) dst = bw_disk_create (dst_path, format, variant, size, error);
  if (dst == NULL)
    return FALSE;
  /* A half-made target is deleted, so allocation needs no barriers. */
  if (dst->vdi)
    bw_vdi_set_write_barriers (dst->vdi, FALSE);

  g_autofree guint8 *buf = g_malloc (CHUNK_SIZE);
  gboolean ok = TRUE;
  for (guint64 off = 0; ok && off < size;)
    {
      gsize n = (gsize) MIN ((guint64) CHUNK_SIZE, size - off);
      ok = bw_disk_read (src, off, buf, n, error)
           && (bw_storage_io_is_zero (buf, n) || bw_disk_write (dst, off, buf, n, error));
      off += n;
      if (ok && progress != NULL && !progress (off, size, user_data))
        {
          g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_CANCELLED,
                       "%s: copy cancelled", dst_path);
          ok = FALSE;
        }
    }
  ok = ok && bw_disk_flush (dst, error);
  g_clear_pointer (&dst, bw_disk_unref);
  if (!ok)
    unlink (dst_path);
  return ok;
}
