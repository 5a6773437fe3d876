/* bw-vdi-header.c: decoding, validating and encoding the VDI header. */
#define G_LOG_DOMAIN "boxwood-storage"
#include "config.h"

#include "devices/storage/bw-vdi-header.h"
#include "devices/storage/bw-vdi.h"
#include "devices/storage/bw-disk.h"

#include <string.h>

static guint32
get_u32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static guint64
get_u64 (const guint8 *p)
{
  return (guint64) get_u32 (p) | (guint64) get_u32 (p + 4) << 32;
}

static void
put_u32 (guint8 *p, guint32 v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = (v >> 24) & 0xff;
}

static void
put_u64 (guint8 *p, guint64 v)
{
  put_u32 (p, (guint32) v);
  put_u32 (p + 4, (guint32) (v >> 32));
}

static gboolean
corrupt (GError **error, const char *path, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
corrupt (GError **error, const char *path, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_CORRUPT, "%s: corrupt VDI image: %s", path,
               msg);
  return FALSE;
}

gboolean
bw_vdi_header_parse (BwVdiHeader *h, const guint8 *buf, gsize len, guint64 file_size,
                     const char *path, GError **error)
{
  memset (h, 0, sizeof *h);
  if (len < BW_VDI_PRE_HEADER_SIZE || file_size < BW_VDI_PRE_HEADER_SIZE)
    return corrupt (error, path, "file of %" G_GUINT64_FORMAT " bytes is too short for the "
                    "72-byte pre-header", MIN (file_size, (guint64) len));

  memcpy (h->text, buf, sizeof h->text);
  h->signature = get_u32 (buf + 64);
  h->version = get_u32 (buf + 68);
  if (h->signature != BW_VDI_SIGNATURE)
    return corrupt (error, path, "bad signature 0x%08x (expected 0x%08x)", h->signature,
                    BW_VDI_SIGNATURE);
  if (h->version >> 16 != 1 || (h->version & 0xffff) > 1)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_UNSUPPORTED,
                   "%s: unsupported VDI version %u.%u (only 1.0 and 1.1 are supported)", path,
                   h->version >> 16, h->version & 0xffff);
      return FALSE;
    }

  guint64 min_end = BW_VDI_PRE_HEADER_SIZE + BW_VDI_HEADER_MIN_SIZE;
  if (len < min_end || file_size < min_end)
    return corrupt (error, path, "truncated file: %" G_GUINT64_FORMAT " bytes cannot hold the "
                    "%" G_GUINT64_FORMAT "-byte header", MIN (file_size, (guint64) len), min_end);

  const guint8 *p = buf + BW_VDI_PRE_HEADER_SIZE;
  h->header_size = get_u32 (p + 0);
  h->type = get_u32 (p + 4);
  h->flags = get_u32 (p + 8);
  memcpy (h->comment, p + 12, sizeof h->comment);
  h->comment[sizeof h->comment - 1] = '\0';
  h->off_blocks = get_u32 (buf + 340);
  h->off_data = get_u32 (buf + 344);
  for (int i = 0; i < 4; i++)
    h->legacy_geometry[i] = get_u32 (buf + 348 + 4 * i);
  h->dummy = get_u32 (buf + 364);
  h->disk_size = get_u64 (buf + 368);
  h->block_size = get_u32 (buf + 376);
  h->block_extra = get_u32 (buf + 380);
  h->blocks = get_u32 (buf + 384);
  h->blocks_allocated = get_u32 (buf + 388);
  memcpy (h->uuid_create, buf + 392, 16);
  memcpy (h->uuid_modify, buf + 408, 16);
  memcpy (h->uuid_link, buf + 424, 16);
  memcpy (h->uuid_parent_modify, buf + 440, 16);
  if (h->header_size >= BW_VDI_HEADER_PLUS_SIZE && len >= BW_VDI_HEADER_READ_SIZE)
    for (int i = 0; i < 4; i++)
      h->lchs_geometry[i] = get_u32 (buf + 456 + 4 * i);

  if (h->header_size < BW_VDI_HEADER_MIN_SIZE)
    return corrupt (error, path, "header size %u is smaller than %u", h->header_size,
                    BW_VDI_HEADER_MIN_SIZE);
  if ((guint64) BW_VDI_PRE_HEADER_SIZE + h->header_size > h->off_blocks)
    return corrupt (error, path, "header size %u runs into the block map at offset %u",
                    h->header_size, h->off_blocks);

  switch (h->type)
    {
      case BW_VDI_TYPE_NORMAL:
      case BW_VDI_TYPE_FIXED:
      case BW_VDI_TYPE_DIFF:
        break;
      case BW_VDI_TYPE_UNDO:
        g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_UNSUPPORTED,
                     "%s: unsupported VDI image type 3 (undo)", path);
        return FALSE;
      default:
        return corrupt (error, path, "unknown image type %u", h->type);
    }

  if (h->block_size == 0 || (h->block_size & (h->block_size - 1)) != 0)
    return corrupt (error, path, "block size %u is not a power of two", h->block_size);
  if (h->block_size < 512)
    return corrupt (error, path, "block size %u is smaller than a sector", h->block_size);
  if (h->block_size > BW_VDI_MAX_BLOCK_SIZE)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_UNSUPPORTED,
                   "%s: unsupported VDI block size %u (at most %u)", path, h->block_size,
                   BW_VDI_MAX_BLOCK_SIZE);
      return FALSE;
    }
  if (h->block_extra != 0)
    {
      g_set_error (error, BW_DISK_ERROR, BW_DISK_ERROR_UNSUPPORTED,
                   "%s: unsupported VDI image with %u extra bytes per block", path,
                   h->block_extra);
      return FALSE;
    }

  if (h->off_blocks % 512 != 0 || h->off_data % 512 != 0)
    return corrupt (error, path, "block map offset %u or data offset %u is not sector-aligned",
                    h->off_blocks, h->off_data);

  /* Every block map entry and data offset is 32-bit and a data block index
   * must stay below the FREE/ZERO markers: the largest disk is bounded. */
  if (h->disk_size > G_MAXUINT64 / 2
      || h->disk_size > (guint64) (BW_VDI_BLOCK_ZERO - 1) * h->block_size)
    return corrupt (error, path, "disk size %" G_GUINT64_FORMAT " overflows the block map",
                    h->disk_size);
  if (h->disk_size == 0 || h->blocks == 0)
    return corrupt (error, path, "disk size %" G_GUINT64_FORMAT " with %u blocks is empty",
                    h->disk_size, h->blocks);
  if ((guint64) h->blocks * h->block_size < h->disk_size)
    return corrupt (error, path, "%u blocks of %u bytes do not cover the disk size of %"
                    G_GUINT64_FORMAT " bytes", h->blocks, h->block_size, h->disk_size);
  if (h->blocks >= BW_VDI_BLOCK_ZERO)
    return corrupt (error, path, "block count %u overflows the block map", h->blocks);
  if (h->blocks_allocated > h->blocks)
    return corrupt (error, path, "%u blocks allocated of only %u", h->blocks_allocated,
                    h->blocks);

  guint64 map_end = (guint64) h->off_blocks + (guint64) h->blocks * 4;
  if (h->off_data < map_end)
    return corrupt (error, path, "data offset %u overlaps the block map (%u..%" G_GUINT64_FORMAT
                    ")", h->off_data, h->off_blocks, map_end);
  if (file_size < map_end)
    return corrupt (error, path, "truncated file: block map ends at %" G_GUINT64_FORMAT
                    " beyond the end of file (%" G_GUINT64_FORMAT " bytes)", map_end, file_size);

  if (bw_vdi_uuid_is_null (h->uuid_create))
    return corrupt (error, path, "image UUID is null");
  if (h->type == BW_VDI_TYPE_DIFF && bw_vdi_uuid_is_null (h->uuid_link))
    return corrupt (error, path, "differencing image without a parent UUID");
  if (h->type == BW_VDI_TYPE_DIFF && memcmp (h->uuid_link, h->uuid_create, 16) == 0)
    return corrupt (error, path, "differencing image names itself as its parent");
  return TRUE;
}

gsize
bw_vdi_header_encode (const BwVdiHeader *h, guint8 *out)
{
  memset (out, 0, BW_VDI_HEADER_READ_SIZE);
  memcpy (out, h->text, sizeof h->text);
  put_u32 (out + 64, h->signature);
  put_u32 (out + 68, h->version);
  put_u32 (out + 72, h->header_size);
  put_u32 (out + 76, h->type);
  put_u32 (out + 80, h->flags);
  memcpy (out + 84, h->comment, sizeof h->comment);
  put_u32 (out + 340, h->off_blocks);
  put_u32 (out + 344, h->off_data);
  for (int i = 0; i < 4; i++)
    put_u32 (out + 348 + 4 * i, h->legacy_geometry[i]);
  put_u32 (out + 364, h->dummy);
  put_u64 (out + 368, h->disk_size);
  put_u32 (out + 376, h->block_size);
  put_u32 (out + 380, h->block_extra);
  put_u32 (out + 384, h->blocks);
  put_u32 (out + 388, h->blocks_allocated);
  memcpy (out + 392, h->uuid_create, 16);
  memcpy (out + 408, h->uuid_modify, 16);
  memcpy (out + 424, h->uuid_link, 16);
  memcpy (out + 440, h->uuid_parent_modify, 16);
  for (int i = 0; i < 4; i++)
    put_u32 (out + 456 + 4 * i, h->lchs_geometry[i]);
  return MIN ((gsize) BW_VDI_PRE_HEADER_SIZE + h->header_size, (gsize) BW_VDI_HEADER_READ_SIZE);
}

void
bw_vdi_header_init (BwVdiHeader *h, guint32 type, guint64 disk_size)
{
  memset (h, 0, sizeof *h);
  memcpy (h->text, BW_VDI_TEXT, strlen (BW_VDI_TEXT));
  h->signature = BW_VDI_SIGNATURE;
  h->version = BW_VDI_VERSION_1_1;
  h->header_size = BW_VDI_HEADER_PLUS_SIZE;
  h->type = type;
  h->legacy_geometry[3] = 512;
  h->lchs_geometry[3] = 512;
  h->disk_size = disk_size;
  h->block_size = BW_VDI_BLOCK_SIZE;
  h->blocks = (guint32) ((disk_size + BW_VDI_BLOCK_SIZE - 1) / BW_VDI_BLOCK_SIZE);
  h->off_blocks = BW_VDI_DATA_ALIGN;
  guint64 map_end = (guint64) h->off_blocks + (guint64) h->blocks * 4;
  h->off_data = (guint32) ((map_end + BW_VDI_DATA_ALIGN - 1) / BW_VDI_DATA_ALIGN
                           * BW_VDI_DATA_ALIGN);
  bw_vdi_uuid_generate (h->uuid_create);
  bw_vdi_uuid_generate (h->uuid_modify);
}

void
bw_vdi_uuid_to_string (const guint8 u[16], char out[37])
{
  if (bw_vdi_uuid_is_null (u))
    {
      out[0] = '\0';
      return;
    }
  g_snprintf (out, 37,
              "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
              u[3], u[2], u[1], u[0], u[5], u[4], u[7], u[6], u[8], u[9], u[10], u[11], u[12],
              u[13], u[14], u[15]);
}

gboolean
bw_vdi_uuid_from_string (const char *str, guint8 u[16])
{
  if (str == NULL || !g_uuid_string_is_valid (str))
    return FALSE;
  guint8 be[16];
  int n = 0;
  for (const char *p = str; *p && n < 16; p++)
    {
      if (*p == '-')
        continue;
      be[n++] = (guint8) (g_ascii_xdigit_value (p[0]) << 4 | g_ascii_xdigit_value (p[1]));
      p++;
    }
  /* time_low, time_mid and time_hi are stored little endian. */
  static const int order[16] = { 3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15 };
  for (int i = 0; i < 16; i++)
    u[i] = be[order[i]];
  return TRUE;
}

void
bw_vdi_uuid_generate (guint8 u[16])
{
  g_autofree char *s = g_uuid_string_random ();
  bw_vdi_uuid_from_string (s, u);
}

gboolean
bw_vdi_uuid_is_null (const guint8 u[16])
{
  for (int i = 0; i < 16; i++)
    if (u[i] != 0)
      return FALSE;
  return TRUE;
}
