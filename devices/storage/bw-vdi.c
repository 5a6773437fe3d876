/* bw-vdi.c: reading, writing and creating VDI images.
 *
 * The block map is read and checked whole at open, kept in memory, and
 * written entry by entry as blocks are allocated. Allocation appends a
 * block at the end of the data area: its data reaches the disk before the
 * map entry that points at it, so a crash leaves at worst an unreferenced
 * block, never an entry pointing at garbage. */
#define G_LOG_DOMAIN "boxwood-storage"
#include "config.h"

#include "devices/storage/bw-vdi.h"
#include "devices/storage/bw-vdi-header.h"
#include "devices/storage/bw-disk.h"
#include "devices/storage/bw-storage-io.h"

#include <string.h>
#include <unistd.h>

struct _BwVdi
{
  char *path;
  int fd;
  gboolean writable;
  gboolean barriers;
  gboolean modify_uuid_updated; /* uuidModify renewed in this session */
  BwVdiHeader header;
  guint32 *map;          /* cBlocks entries, host order */
  guint32 next_index;    /* data block index the next allocation gets */
  guint64 file_size;
  guint8 *block_buf;     /* one block, for allocation */
  char uuid[37];
  char modify_uuid[37];
  char parent_uuid[37];
  char parent_modify_uuid[37];
};

gboolean
bw_vdi_probe (const guint8 *buf, gsize len)
{
  return len >= BW_VDI_PRE_HEADER_SIZE
         && (guint32) buf[64] == (BW_VDI_SIGNATURE & 0xff)
         && (guint32) buf[65] == ((BW_VDI_SIGNATURE >> 8) & 0xff)
         && (guint32) buf[66] == ((BW_VDI_SIGNATURE >> 16) & 0xff)
         && (guint32) buf[67] == (BW_VDI_SIGNATURE >> 24);
}

static void
update_uuid_strings (BwVdi *vdi)
{
  bw_vdi_uuid_to_string (vdi->header.uuid_create, vdi->uuid);
  bw_vdi_uuid_to_string (vdi->header.uuid_modify, vdi->modify_uuid);
  bw_vdi_uuid_to_string (vdi->header.uuid_link, vdi->parent_uuid);
  bw_vdi_uuid_to_string (vdi->header.uuid_parent_modify, vdi->parent_modify_uuid);
}

void
bw_vdi_close (BwVdi *vdi)
{
  if (vdi == NULL)
    return;
  if (vdi->fd >= 0)
    close (vdi->fd);
  g_free (vdi->map);
  g_free (vdi->block_buf);
  g_free (vdi->path);
  g_free (vdi);
}

/* Checks every map entry: in range, data inside the file, no two entries
 * sharing a data block. */
static gboolean
check_map (BwVdi *vdi, GError **error)
{
  const BwVdiHeader *h = &vdi->header;
  g_autofree guint8 *seen = g_malloc0 (h->blocks / 8 + 1);
  guint32 count = 0;
  gboolean any = FALSE;
  guint32 max = 0;

  for (guint32 i = 0; i < h->blocks; i++)
    {
      guint32 e = vdi->map[i];
      if (e == BW_VDI_BLOCK_FREE || e == BW_VDI_BLOCK_ZERO)
        continue;
      if (e >= h->blocks)
        {
          g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_CORRUPT,
                       "%s: corrupt VDI image: block map entry %u = %u out of range "
                       "(the image has %u blocks)", vdi->path, i, e, h->blocks);
          return FALSE;
        }
      guint64 end = (guint64) h->off_data + ((guint64) e + 1) * h->block_size;
      if (end > vdi->file_size)
        {
          g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_CORRUPT,
                       "%s: corrupt VDI image: truncated file: data of block %u (entry %u) "
                       "ends at %" G_GUINT64_FORMAT " beyond the end of file (%"
                       G_GUINT64_FORMAT " bytes)", vdi->path, i, e, end, vdi->file_size);
          return FALSE;
        }
      if (seen[e / 8] & (1u << (e % 8)))
        {
          guint32 first = 0;
          while (vdi->map[first] != e)
            first++;
          g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_CORRUPT,
                       "%s: corrupt VDI image: block map entries %u and %u both point at "
                       "data block %u", vdi->path, first, i, e);
          return FALSE;
        }
      seen[e / 8] |= (guint8) (1u << (e % 8));
      count++;
      max = any ? MAX (max, e) : e;
      any = TRUE;
    }

  vdi->next_index = any ? max + 1 : 0;
  if (count != h->blocks_allocated)
    g_debug ("%s: header says %u blocks allocated, block map has %u", vdi->path,
             h->blocks_allocated, count);
  return TRUE;
}

BwVdi *
bw_vdi_open (const char *path, gboolean writable, GError **error)
{
  BwVdi *vdi = g_new0 (BwVdi, 1);
  vdi->path = g_strdup (path);
  vdi->writable = writable;
  vdi->barriers = TRUE;
  vdi->fd = bw_storage_io_open (path, writable, error);
  if (vdi->fd < 0 || !bw_storage_io_get_size (vdi->fd, path, &vdi->file_size, error))
    goto fail;

  guint8 buf[BW_VDI_HEADER_READ_SIZE];
  gsize n = (gsize) MIN (vdi->file_size, (guint64) sizeof buf);
  if (!bw_storage_io_pread (vdi->fd, path, buf, n, 0, error)
      || !bw_vdi_header_parse (&vdi->header, buf, n, vdi->file_size, path, error))
    goto fail;

  const BwVdiHeader *h = &vdi->header;
  gsize map_bytes = (gsize) h->blocks * 4;
  guint8 *raw = g_malloc (map_bytes);
  vdi->map = (guint32 *) raw;
  if (!bw_storage_io_pread (vdi->fd, path, raw, map_bytes, h->off_blocks, error))
    goto fail;
  for (guint32 i = 0; i < h->blocks; i++)
    {
      const guint8 *p = raw + 4 * (gsize) i;
      vdi->map[i] = (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16
                    | (guint32) p[3] << 24;
    }
  if (!check_map (vdi, error))
    goto fail;
  update_uuid_strings (vdi);
  return vdi;

fail:
  bw_vdi_close (vdi);
  return NULL;
}

static gboolean
check_range (BwVdi *vdi, guint64 offset, gsize len, GError **error)
{
  if (offset > vdi->header.disk_size || len > vdi->header.disk_size - offset)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_RANGE,
                   "%s: access of %" G_GSIZE_FORMAT " bytes at %" G_GUINT64_FORMAT
                   " is beyond the disk size of %" G_GUINT64_FORMAT " bytes", vdi->path, len,
                   offset, vdi->header.disk_size);
      return FALSE;
    }
  return TRUE;
}

static guint64
data_offset (BwVdi *vdi, guint32 entry, guint32 in_block)
{
  return (guint64) vdi->header.off_data + (guint64) entry * vdi->header.block_size + in_block;
}

/* Fills buf with what the parent has at offset, or fails for a
 * differencing image whose parent is not open. */
static gboolean
read_unallocated (BwVdi *vdi, guint64 offset, guint8 *buf, gsize len, BwVdiBackingRead backing,
                  gpointer backing_data, GError **error)
{
  if (vdi->header.type != BW_VDI_TYPE_DIFF)
    {
      memset (buf, 0, len);
      return TRUE;
    }
  if (backing == NULL)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_PARENT,
                   "%s: differencing image opened without its parent {%s}", vdi->path,
                   vdi->parent_uuid);
      return FALSE;
    }
  return backing (backing_data, offset, buf, len, error);
}

gboolean
bw_vdi_read (BwVdi *vdi, guint64 offset, void *buf, gsize len, BwVdiBackingRead backing,
             gpointer backing_data, GError **error)
{
  if (!check_range (vdi, offset, len, error))
    return FALSE;
  guint8 *out = buf;
  guint32 bs = vdi->header.block_size;
  while (len > 0)
    {
      guint32 block = (guint32) (offset / bs);
      guint32 in_block = (guint32) (offset % bs);
      gsize n = MIN (len, (gsize) (bs - in_block));
      guint32 e = vdi->map[block];
      if (e == BW_VDI_BLOCK_ZERO)
        memset (out, 0, n);
      else if (e == BW_VDI_BLOCK_FREE)
        {
          if (!read_unallocated (vdi, offset, out, n, backing, backing_data, error))
            return FALSE;
        }
      else if (!bw_storage_io_pread (vdi->fd, vdi->path, out, n, data_offset (vdi, e, in_block),
                                     error))
        return FALSE;
      out += n;
      offset += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
write_u32 (BwVdi *vdi, guint64 offset, guint32 v, GError **error)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
  return bw_storage_io_pwrite (vdi->fd, vdi->path, b, 4, offset, error);
}

/* A new modification UUID once per session, as VirtualBox does, so a
 * child can tell that its parent changed under it. */
static gboolean
touch_modify_uuid (BwVdi *vdi, GError **error)
{
  if (vdi->modify_uuid_updated)
    return TRUE;
  guint8 u[16];
  bw_vdi_uuid_generate (u);
  if (!bw_storage_io_pwrite (vdi->fd, vdi->path, u, 16, BW_VDI_OFF_UUID_MODIFY, error))
    return FALSE;
  memcpy (vdi->header.uuid_modify, u, 16);
  bw_vdi_uuid_to_string (u, vdi->modify_uuid);
  vdi->modify_uuid_updated = TRUE;
  return TRUE;
}

static gboolean
set_map_entry (BwVdi *vdi, guint32 block, guint32 entry, GError **error)
{
  if (!write_u32 (vdi, (guint64) vdi->header.off_blocks + (guint64) block * 4, entry, error))
    return FALSE;
  vdi->map[block] = entry;
  return TRUE;
}

/* Writes n bytes at in_block of an unallocated block by appending a whole
 * new block: parent data (or zeros) around the written bytes. */
static gboolean
allocate_block (BwVdi *vdi, guint32 block, guint32 in_block, const guint8 *data, gsize n,
                BwVdiBackingRead backing, gpointer backing_data, GError **error)
{
  BwVdiHeader *h = &vdi->header;
  guint32 bs = h->block_size;
  gboolean whole = in_block == 0 && n == bs;

  if (vdi->map[block] == BW_VDI_BLOCK_FREE || vdi->map[block] == BW_VDI_BLOCK_ZERO)
    {
      gboolean zero_data = bw_storage_io_is_zero (data, n);
      /* Zeros over a block that already reads as zeros: nothing to store. */
      if (zero_data && (vdi->map[block] == BW_VDI_BLOCK_ZERO || h->type != BW_VDI_TYPE_DIFF))
        return TRUE;
      /* A whole zero block of a child: record it without data. */
      if (zero_data && whole)
        return touch_modify_uuid (vdi, error)
               && set_map_entry (vdi, block, BW_VDI_BLOCK_ZERO, error);
    }

  if (vdi->next_index >= h->blocks)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_CORRUPT,
                   "%s: corrupt VDI image: no data block left to allocate (%u of %u used)",
                   vdi->path, vdi->next_index, h->blocks);
      return FALSE;
    }

  if (vdi->block_buf == NULL)
    vdi->block_buf = g_malloc (bs);
  guint8 *buf = vdi->block_buf;
  if (!whole)
    {
      guint64 start = (guint64) block * bs;
      gsize valid = (gsize) MIN ((guint64) bs, h->disk_size - start);
      if (vdi->map[block] == BW_VDI_BLOCK_FREE)
        {
          if (!read_unallocated (vdi, start, buf, valid, backing, backing_data, error))
            return FALSE;
        }
      else
        memset (buf, 0, valid);
      memset (buf + valid, 0, bs - valid);
    }
  memcpy (buf + in_block, data, n);

  guint32 index = vdi->next_index;
  guint64 where = data_offset (vdi, index, 0);
  if (!touch_modify_uuid (vdi, error)
      || !bw_storage_io_pwrite (vdi->fd, vdi->path, buf, bs, where, error))
    return FALSE;
  if (vdi->barriers && !bw_storage_io_sync (vdi->fd, vdi->path, error))
    return FALSE;
  if (!set_map_entry (vdi, block, index, error))
    return FALSE;
  vdi->next_index = index + 1;
  vdi->file_size = MAX (vdi->file_size, where + bs);
  h->blocks_allocated = vdi->next_index;
  return write_u32 (vdi, BW_VDI_OFF_BLOCKS_ALLOCATED, h->blocks_allocated, error);
}

gboolean
bw_vdi_write (BwVdi *vdi, guint64 offset, const void *buf, gsize len, BwVdiBackingRead backing,
              gpointer backing_data, GError **error)
{
  if (!vdi->writable)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_READ_ONLY, "%s: image is open read-only",
                   vdi->path);
      return FALSE;
    }
  if (!check_range (vdi, offset, len, error))
    return FALSE;
  const guint8 *in = buf;
  guint32 bs = vdi->header.block_size;
  while (len > 0)
    {
      guint32 block = (guint32) (offset / bs);
      guint32 in_block = (guint32) (offset % bs);
      gsize n = MIN (len, (gsize) (bs - in_block));
      guint32 e = vdi->map[block];
      if (e == BW_VDI_BLOCK_FREE || e == BW_VDI_BLOCK_ZERO)
        {
          if (!allocate_block (vdi, block, in_block, in, n, backing, backing_data, error))
            return FALSE;
        }
      else if (!touch_modify_uuid (vdi, error)
               || !bw_storage_io_pwrite (vdi->fd, vdi->path, in, n,
                                         data_offset (vdi, e, in_block), error))
        return FALSE;
      in += n;
      offset += n;
      len -= n;
    }
  return TRUE;
}

gboolean
bw_vdi_flush (BwVdi *vdi, GError **error)
{
  if (!vdi->writable)
    return TRUE;
  return bw_storage_io_sync (vdi->fd, vdi->path, error);
}

gboolean
bw_vdi_set_uuid (BwVdi *vdi, const char *uuid, GError **error)
{
  guint8 u[16];
  if (!bw_vdi_uuid_from_string (uuid, u) || bw_vdi_uuid_is_null (u)
      || memcmp (u, vdi->header.uuid_link, 16) == 0)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_INVALID, "%s: bad UUID \"%s\"",
                   vdi->path, uuid ? uuid : "");
      return FALSE;
    }
  if (!vdi->writable)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_READ_ONLY, "%s: image is open read-only",
                   vdi->path);
      return FALSE;
    }
  if (!bw_storage_io_pwrite (vdi->fd, vdi->path, u, 16, BW_VDI_OFF_UUID_CREATE, error))
    return FALSE;
  memcpy (vdi->header.uuid_create, u, 16);
  bw_vdi_uuid_to_string (u, vdi->uuid);
  return TRUE;
}

void
bw_vdi_set_write_barriers (BwVdi *vdi, gboolean barriers)
{
  vdi->barriers = barriers;
}

/* Writes header and map of a new image and gives the file its size. */
static BwVdi *
create_with_header (const char *path, BwVdiHeader *h, GError **error)
{
  gboolean fixed = h->type == BW_VDI_TYPE_FIXED;
  int fd = bw_storage_io_create (path, error);
  if (fd < 0)
    return NULL;

  gsize map_bytes = (gsize) h->blocks * 4;
  g_autofree guint8 *map = g_malloc (map_bytes);
  for (guint32 i = 0; i < h->blocks; i++)
    {
      guint32 v = fixed ? i : BW_VDI_BLOCK_FREE;
      guint8 *p = map + 4 * (gsize) i;
      p[0] = v & 0xff;
      p[1] = (v >> 8) & 0xff;
      p[2] = (v >> 16) & 0xff;
      p[3] = v >> 24;
    }
  if (fixed)
    h->blocks_allocated = h->blocks;

  guint8 hdr[BW_VDI_HEADER_READ_SIZE];
  gsize hdr_len = bw_vdi_header_encode (h, hdr);
  guint64 size = fixed ? (guint64) h->off_data + (guint64) h->blocks * h->block_size
                       : h->off_data;
  gboolean ok = bw_storage_io_resize (fd, path, size, fixed, error)
                && bw_storage_io_pwrite (fd, path, hdr, hdr_len, 0, error)
                && bw_storage_io_pwrite (fd, path, map, map_bytes, h->off_blocks, error)
                && bw_storage_io_sync (fd, path, error);
  close (fd);
  BwVdi *vdi = ok ? bw_vdi_open (path, TRUE, error) : NULL;
  if (vdi == NULL)
    unlink (path);
  return vdi;
}

static gboolean
check_create_size (const char *path, guint64 size, GError **error)
{
  /* The map must fit below 4 GiB with its 1 MiB-aligned offsets. */
  const guint64 max = (guint64) 0x3ff00000 * BW_VDI_BLOCK_SIZE;
  if (size == 0 || size > max)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_INVALID,
                   "%s: disk size %" G_GUINT64_FORMAT " bytes is out of range (1 byte to %"
                   G_GUINT64_FORMAT " bytes)", path, size, max);
      return FALSE;
    }
  return TRUE;
}

BwVdi *
bw_vdi_create (const char *path, guint64 size, gboolean fixed, GError **error)
{
  if (!check_create_size (path, size, error))
    return NULL;
  BwVdiHeader h;
  bw_vdi_header_init (&h, fixed ? BW_VDI_TYPE_FIXED : BW_VDI_TYPE_NORMAL,
                      (size + 511) / 512 * 512);
  return create_with_header (path, &h, error);
}

BwVdi *
bw_vdi_create_diff (const char *path, guint64 size, const char *parent_uuid,
                    const char *parent_modify_uuid, GError **error)
{
  if (!check_create_size (path, size, error))
    return NULL;
  BwVdiHeader h;
  bw_vdi_header_init (&h, BW_VDI_TYPE_DIFF, (size + 511) / 512 * 512);
  if (!bw_vdi_uuid_from_string (parent_uuid, h.uuid_link)
      || (parent_modify_uuid != NULL && parent_modify_uuid[0] != '\0'
          && !bw_vdi_uuid_from_string (parent_modify_uuid, h.uuid_parent_modify)))
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_INVALID,
                   "%s: bad parent UUID \"%s\"", path, parent_uuid ? parent_uuid : "");
      return NULL;
    }
  return create_with_header (path, &h, error);
}

const char *
bw_vdi_get_path (BwVdi *vdi)
{
  return vdi->path;
}

guint64
bw_vdi_get_size (BwVdi *vdi)
{
  return vdi->header.disk_size;
}

BwVdiType
bw_vdi_get_image_type (BwVdi *vdi)
{
  return (BwVdiType) vdi->header.type;
}

guint32
bw_vdi_get_block_size (BwVdi *vdi)
{
  return vdi->header.block_size;
}

guint32
bw_vdi_get_block_count (BwVdi *vdi)
{
  return vdi->header.blocks;
}

guint32
bw_vdi_get_blocks_allocated (BwVdi *vdi)
{
  guint32 n = 0;
  for (guint32 i = 0; i < vdi->header.blocks; i++)
    if (vdi->map[i] < BW_VDI_BLOCK_ZERO)
      n++;
  return n;
}

guint64
bw_vdi_get_file_size (BwVdi *vdi)
{
  return vdi->file_size;
}

guint32
bw_vdi_get_block_map_offset (BwVdi *vdi)
{
  return vdi->header.off_blocks;
}

guint32
bw_vdi_get_data_offset (BwVdi *vdi)
{
  return vdi->header.off_data;
}

guint32
bw_vdi_get_block_entry (BwVdi *vdi, guint32 block)
{
  g_return_val_if_fail (block < vdi->header.blocks, BW_VDI_BLOCK_FREE);
  return vdi->map[block];
}

const char *
bw_vdi_get_uuid (BwVdi *vdi)
{
  return vdi->uuid;
}

const char *
bw_vdi_get_modify_uuid (BwVdi *vdi)
{
  return vdi->modify_uuid;
}

const char *
bw_vdi_get_parent_uuid (BwVdi *vdi)
{
  return vdi->parent_uuid;
}

const char *
bw_vdi_get_parent_modify_uuid (BwVdi *vdi)
{
  return vdi->parent_modify_uuid;
}
