/* bw-disk.c: the format-independent disk handle. */
#define G_LOG_DOMAIN "boxwood-storage"
#include "config.h"

#include "devices/storage/bw-disk-private.h"
#include "devices/storage/bw-storage-io.h"

#include <string.h>
#include <unistd.h>

/* Longest chain of differencing images followed; also stops loops. */
#define MAX_CHAIN_DEPTH 256

G_DEFINE_QUARK (bw-disk-error-quark, bw_disk_error)

static BwDisk *
disk_new (const char *path, BwDiskFormat format, BwDiskOpenFlags flags)
{
  BwDisk *disk = g_new0 (BwDisk, 1);
  g_atomic_ref_count_init (&disk->ref);
  g_mutex_init (&disk->lock);
  disk->path = g_strdup (path);
  disk->format = format;
  disk->flags = flags;
  return disk;
}

BwDisk *
bw_disk_ref (BwDisk *disk)
{
  g_return_val_if_fail (disk != NULL, NULL);
  g_atomic_ref_count_inc (&disk->ref);
  return disk;
}

void
bw_disk_unref (BwDisk *disk)
{
  if (disk == NULL || !g_atomic_ref_count_dec (&disk->ref))
    return;
  bw_vdi_close (disk->vdi);
  bw_raw_image_close (disk->raw);
  g_clear_pointer (&disk->parent, bw_disk_unref);
  g_mutex_clear (&disk->lock);
  g_free (disk->path);
  g_free (disk);
}

void
bw_disk_close (BwDisk *disk)
{
  g_autoptr (GError) error = NULL;
  if (disk == NULL)
    return;
  if (!bw_disk_flush (disk, &error))
    g_warning ("%s", error->message);
  bw_disk_unref (disk);
}

gboolean
bw_disk_detect_format (const char *path, BwDiskFormat *format, GError **error)
{
  int fd = bw_storage_io_open (path, FALSE, error);
  if (fd < 0)
    return FALSE;
  guint64 size = 0;
  guint8 buf[72];
  gboolean ok = bw_storage_io_get_size (fd, path, &size, error);
  if (ok)
    {
      gsize n = (gsize) MIN (size, (guint64) sizeof buf);
      ok = bw_storage_io_pread (fd, path, buf, n, 0, error);
      if (ok)
        {
          /* A .vdi file without the signature is a damaged VDI, not a raw
           * disk: treating it as raw would let a guest write over it. */
          gboolean named_vdi = g_str_has_suffix (path, ".vdi") || g_str_has_suffix (path, ".VDI");
          *format = bw_vdi_probe (buf, n) || named_vdi ? BW_DISK_FORMAT_VDI : BW_DISK_FORMAT_RAW;
        }
    }
  close (fd);
  return ok;
}

/* Parent reads for a differencing child: beyond the parent's end (it may
 * be smaller) the child sees zeros. */
static gboolean
backing_read (gpointer user_data, guint64 offset, void *buf, gsize len, GError **error)
{
  BwDisk *parent = user_data;
  guint64 size = bw_disk_get_size (parent);
  gsize n = offset >= size ? 0 : (gsize) MIN ((guint64) len, size - offset);
  memset ((guint8 *) buf + n, 0, len - n);
  return n == 0 || bw_disk_read (parent, offset, buf, n, error);
}

static BwDisk *
open_chain (const char *path, BwDiskOpenFlags flags, const char *parent_path,
            BwDiskParentLookup lookup, gpointer user_data, int depth, GError **error)
{
  BwDiskFormat format;
  if (!bw_disk_detect_format (path, &format, error))
    return NULL;
  gboolean writable = (flags & BW_DISK_OPEN_READ_WRITE) != 0;
  g_autoptr (BwDisk) disk = disk_new (path, format, flags);
  if (format == BW_DISK_FORMAT_RAW)
    {
      disk->raw = bw_raw_image_open (path, writable, error);
      return disk->raw ? g_steal_pointer (&disk) : NULL;
    }

  disk->vdi = bw_vdi_open (path, writable, error);
  if (disk->vdi == NULL)
    return NULL;
  if (bw_vdi_get_image_type (disk->vdi) != BW_VDI_TYPE_DIFF || (flags & BW_DISK_OPEN_NO_PARENT))
    return g_steal_pointer (&disk);

  const char *want = bw_vdi_get_parent_uuid (disk->vdi);
  if (depth >= MAX_CHAIN_DEPTH)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_PARENT,
                   "%s: chain of differencing images deeper than %d", path, MAX_CHAIN_DEPTH);
      return NULL;
    }
  g_autofree char *ppath = NULL;
  if (parent_path != NULL)
    ppath = g_strdup (parent_path);
  else if (lookup != NULL)
    ppath = lookup (want, path, user_data);
  if (ppath == NULL)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_PARENT,
                   "%s: parent image {%s} of this differencing image was not found", path,
                   want);
      return NULL;
    }
  disk->parent = open_chain (ppath, BW_DISK_OPEN_READ_ONLY, NULL, lookup, user_data,
                             depth + 1, error);
  if (disk->parent == NULL)
    return NULL;
  if (disk->parent->vdi == NULL || strcmp (bw_vdi_get_uuid (disk->parent->vdi), want) != 0)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_PARENT,
                   "%s: parent %s has UUID {%s}, but this differencing image needs {%s}", path,
                   ppath, disk->parent->vdi ? bw_vdi_get_uuid (disk->parent->vdi) : "none",
                   want);
      return NULL;
    }
  return g_steal_pointer (&disk);
}

BwDisk *
bw_disk_open_full (const char *path, BwDiskOpenFlags flags, const char *parent_path,
                   BwDiskParentLookup lookup, gpointer user_data, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  return open_chain (path, flags, parent_path, lookup, user_data, 0, error);
}

BwDisk *
bw_disk_open (const char *path, BwDiskOpenFlags flags, GError **error)
{
  return bw_disk_open_full (path, flags, NULL, NULL, NULL, error);
}

BwDisk *
bw_disk_create (const char *path, BwDiskFormat format, BwDiskVariant variant, guint64 size,
                GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  if (variant == BW_DISK_VARIANT_DIFFERENCING)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_INVALID,
                   "%s: a differencing image needs a parent (bw_disk_create_diff)", path);
      return NULL;
    }
  gboolean fixed = variant == BW_DISK_VARIANT_FIXED;
  guint64 rounded = size > G_MAXUINT64 - 511 ? size : (size + 511) / 512 * 512;
  g_autoptr (BwDisk) disk = disk_new (path, format, BW_DISK_OPEN_READ_WRITE);
  if (format == BW_DISK_FORMAT_VDI)
    disk->vdi = bw_vdi_create (path, rounded, fixed, error);
  else
    disk->raw = bw_raw_image_create (path, rounded, fixed, error);
  if (disk->vdi == NULL && disk->raw == NULL)
    return NULL;
  return g_steal_pointer (&disk);
}

BwDisk *
bw_disk_create_diff (const char *path, BwDisk *parent, GError **error)
{
  return bw_disk_create_diff_full (path, parent, NULL, error);
}

gboolean
bw_disk_set_uuid (BwDisk *disk, const char *uuid, GError **error)
{
  g_return_val_if_fail (disk != NULL, FALSE);
  if (disk->vdi == NULL)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_INVALID, "%s: raw images have no UUID",
                   disk->path);
      return FALSE;
    }
  g_mutex_lock (&disk->lock);
  gboolean ok = bw_vdi_set_uuid (disk->vdi, uuid, error);
  g_mutex_unlock (&disk->lock);
  return ok;
}

BwDisk *
bw_disk_create_diff_full (const char *path, BwDisk *parent, const char *uuid, GError **error)
{
  g_return_val_if_fail (path != NULL && parent != NULL, NULL);
  if (uuid != NULL && !g_uuid_string_is_valid (uuid))
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_INVALID, "%s: bad UUID \"%s\"", path,
                   uuid);
      return NULL;
    }
  if (parent->vdi == NULL)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_INVALID,
                   "%s: the parent of a differencing image must be a VDI image, %s is %s", path,
                   parent->path, bw_disk_format_to_string (parent->format));
      return NULL;
    }
  g_mutex_lock (&parent->lock);
  g_autofree char *parent_uuid = g_strdup (bw_vdi_get_uuid (parent->vdi));
  g_autofree char *modify = g_strdup (bw_vdi_get_modify_uuid (parent->vdi));
  g_mutex_unlock (&parent->lock);

  g_autoptr (BwDisk) disk = disk_new (path, BW_DISK_FORMAT_VDI, BW_DISK_OPEN_READ_WRITE);
  disk->vdi = bw_vdi_create_diff (path, bw_disk_get_size (parent), parent_uuid, modify,
                                  error);
  if (disk->vdi == NULL)
    return NULL;
  if (uuid != NULL && !bw_vdi_set_uuid (disk->vdi, uuid, error))
    {
      g_clear_pointer (&disk->vdi, bw_vdi_close);
      unlink (path);
      return NULL;
    }
  disk->parent = bw_disk_ref (parent);
  return g_steal_pointer (&disk);
}

gboolean
bw_disk_read (BwDisk *disk, guint64 offset, void *buf, gsize len, GError **error)
{
  g_return_val_if_fail (disk != NULL && (buf != NULL || len == 0), FALSE);
  g_mutex_lock (&disk->lock);
  gboolean ok;
  if (disk->vdi)
    ok = bw_vdi_read (disk->vdi, offset, buf, len, disk->parent ? backing_read : NULL,
                      disk->parent, error);
  else
    ok = bw_raw_image_read (disk->raw, offset, buf, len, error);
  g_mutex_unlock (&disk->lock);
  return ok;
}

gboolean
bw_disk_write (BwDisk *disk, guint64 offset, const void *buf, gsize len, GError **error)
{
  g_return_val_if_fail (disk != NULL && (buf != NULL || len == 0), FALSE);
  if (!(disk->flags & BW_DISK_OPEN_READ_WRITE))
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_READ_ONLY, "%s: disk is open read-only",
                   disk->path);
      return FALSE;
    }
  g_mutex_lock (&disk->lock);
  gboolean ok;
  if (disk->vdi)
    ok = bw_vdi_write (disk->vdi, offset, buf, len, disk->parent ? backing_read : NULL,
                       disk->parent, error);
  else
    ok = bw_raw_image_write (disk->raw, offset, buf, len, error);
  g_mutex_unlock (&disk->lock);
  return ok;
}

gboolean
bw_disk_flush (BwDisk *disk, GError **error)
{
  g_return_val_if_fail (disk != NULL, FALSE);
  g_mutex_lock (&disk->lock);
  gboolean ok = disk->vdi ? bw_vdi_flush (disk->vdi, error)
                          : bw_raw_image_flush (disk->raw, error);
  g_mutex_unlock (&disk->lock);
  return ok;
}

guint64
bw_disk_get_size (BwDisk *disk)
{
  /* Fixed at open: no lock needed. */
  return disk->vdi ? bw_vdi_get_size (disk->vdi) : bw_raw_image_get_size (disk->raw);
}

gboolean
bw_disk_is_read_only (BwDisk *disk)
{
  return !(disk->flags & BW_DISK_OPEN_READ_WRITE);
}

const char *
bw_disk_get_path (BwDisk *disk)
{
  return disk->path;
}

BwDiskFormat
bw_disk_get_format (BwDisk *disk)
{
  return disk->format;
}

BwDisk *
bw_disk_get_parent (BwDisk *disk)
{
  return disk->parent;
}

void
bw_disk_get_info (BwDisk *disk, BwDiskInfo *info)
{
  g_return_if_fail (disk != NULL && info != NULL);
  memset (info, 0, sizeof *info);
  info->format = disk->format;
  info->virtual_size = bw_disk_get_size (disk);
  g_mutex_lock (&disk->lock);
  if (disk->vdi)
    {
      BwVdi *vdi = disk->vdi;
      switch (bw_vdi_get_image_type (vdi))
        {
          case BW_VDI_TYPE_FIXED:
            info->variant = BW_DISK_VARIANT_FIXED;
            break;
          case BW_VDI_TYPE_DIFF:
            info->variant = BW_DISK_VARIANT_DIFFERENCING;
            break;
          default:
            info->variant = BW_DISK_VARIANT_DYNAMIC;
            break;
        }
      info->block_size = bw_vdi_get_block_size (vdi);
      info->allocated_size = (guint64) bw_vdi_get_blocks_allocated (vdi) * info->block_size;
      info->file_size = bw_vdi_get_file_size (vdi);
      g_strlcpy (info->uuid, bw_vdi_get_uuid (vdi), sizeof info->uuid);
      g_strlcpy (info->parent_uuid, bw_vdi_get_parent_uuid (vdi), sizeof info->parent_uuid);
    }
  else
    {
      info->allocated_size = bw_raw_image_get_allocated (disk->raw);
      info->file_size = bw_raw_image_get_size (disk->raw);
      info->variant = info->allocated_size < info->virtual_size ? BW_DISK_VARIANT_DYNAMIC
                                                                : BW_DISK_VARIANT_FIXED;
    }
  g_mutex_unlock (&disk->lock);
}

gboolean
bw_disk_query_info (const char *path, BwDiskInfo *info, GError **error)
{
  g_autoptr (BwDisk) disk = bw_disk_open (path, BW_DISK_OPEN_READ_ONLY | BW_DISK_OPEN_NO_PARENT,
                                          error);
  if (disk == NULL)
    return FALSE;
  bw_disk_get_info (disk, info);
  return TRUE;
}

const char *
bw_disk_format_to_string (BwDiskFormat format)
{
  return format == BW_DISK_FORMAT_VDI ? "VDI" : "RAW";
}

gboolean
bw_disk_format_from_string (const char *str, BwDiskFormat *format)
{
  if (str && g_ascii_strcasecmp (str, "VDI") == 0)
    *format = BW_DISK_FORMAT_VDI;
  else if (str && g_ascii_strcasecmp (str, "RAW") == 0)
    *format = BW_DISK_FORMAT_RAW;
  else
    return FALSE;
  return TRUE;
}

const char *
bw_disk_variant_to_string (BwDiskVariant variant)
{
  switch (variant)
    {
      case BW_DISK_VARIANT_FIXED:
        return "fixed";
      case BW_DISK_VARIANT_DIFFERENCING:
        return "differencing";
      case BW_DISK_VARIANT_DYNAMIC:
      default:
        return "dynamic";
    }
}

gboolean
bw_disk_variant_from_string (const char *str, BwDiskVariant *variant)
{
  static const struct
  {
    const char *name;
    BwDiskVariant variant;
  } names[] = {
    { "standard", BW_DISK_VARIANT_DYNAMIC },
    { "dynamic", BW_DISK_VARIANT_DYNAMIC },
    { "fixed", BW_DISK_VARIANT_FIXED },
    { "diff", BW_DISK_VARIANT_DIFFERENCING },
    { "differencing", BW_DISK_VARIANT_DIFFERENCING },
  };
  for (gsize i = 0; str && i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (str, names[i].name) == 0)
      {
        *variant = names[i].variant;
        return TRUE;
      }
  return FALSE;
}
