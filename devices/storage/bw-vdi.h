/* bw-vdi.h: VirtualBox Disk Image (VDI) files.
 *
 * Layout (all little endian): a 72-byte pre-header (text, signature
 * 0xBEDA107F, version 1.1), a header of cbHeader bytes, a block map of
 * cBlocks 32-bit entries at offBlocks, and data blocks from offData. Map
 * entry n is the index of block n's data in the data area, or FREE
 * (0xFFFFFFFF: not here; a differencing image reads its parent) or ZERO
 * (0xFFFFFFFE: reads as zeros). Offsets come from the header: VirtualBox
 * aligns both to 1 MiB, qemu-img puts the map at 512 bytes.
 *
 * A BwVdi is not thread-safe by itself; BwDisk serialises calls. Most
 * code should use bw-disk.h; this is the format layer under it. Errors are
 * in BW_DISK_ERROR. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BW_VDI_SIGNATURE 0xBEDA107Fu
#define BW_VDI_VERSION_1_1 0x00010001u
#define BW_VDI_BLOCK_SIZE (1024u * 1024u)
#define BW_VDI_BLOCK_FREE 0xFFFFFFFFu
#define BW_VDI_BLOCK_ZERO 0xFFFFFFFEu

typedef enum
{
  BW_VDI_TYPE_NORMAL = 1, /* dynamic */
  BW_VDI_TYPE_FIXED = 2,
  BW_VDI_TYPE_UNDO = 3,
  BW_VDI_TYPE_DIFF = 4,
} BwVdiType;

typedef struct _BwVdi BwVdi;

/* Reads len bytes at offset of the parent image, for blocks this image
 * does not hold (differencing images only). */
typedef gboolean (*BwVdiBackingRead) (gpointer user_data,
                                      guint64 offset,
                                      void *buf,
                                      gsize len,
                                      GError **error);

/* TRUE if buf (the first bytes of a file, at least 72) has the VDI
 * signature. */
gboolean bw_vdi_probe (const guint8 *buf, gsize len);

/* Opens and validates path; on any fault returns NULL with an error naming
 * the file and the fault, having written nothing. */
BwVdi *bw_vdi_open (const char *path, gboolean writable, GError **error);

/* Creates a dynamic (fixed = FALSE) or fixed VDI of size bytes (rounded up
 * to 512) the way VirtualBox does: header v1.1, 1 MiB blocks, block map
 * and data area aligned to 1 MiB. Returns it open read-write. */
BwVdi *bw_vdi_create (const char *path, guint64 size, gboolean fixed, GError **error);

/* Creates a differencing VDI of size bytes linked to the parent with
 * creation UUID parent_uuid and modification UUID parent_modify_uuid
 * (strings; the latter may be NULL). */
BwVdi *bw_vdi_create_diff (const char *path,
                           guint64 size,
                           const char *parent_uuid,
                           const char *parent_modify_uuid,
                           GError **error);

void bw_vdi_close (BwVdi *vdi);

/* backing may be NULL: then FREE blocks read as zeros in a base image and
 * fail with BW_DISK_ERROR_PARENT in a differencing image. */
gboolean bw_vdi_read (BwVdi *vdi,
                      guint64 offset,
                      void *buf,
                      gsize len,
                      BwVdiBackingRead backing,
                      gpointer backing_data,
                      GError **error);

/* Writes, allocating blocks as needed: the new block is appended (a block
 * of a differencing image is first filled from backing), its data made
 * durable, then its map entry and the allocated count are written. */
gboolean bw_vdi_write (BwVdi *vdi,
                       guint64 offset,
                       const void *buf,
                       gsize len,
                       BwVdiBackingRead backing,
                       gpointer backing_data,
                       GError **error);

gboolean bw_vdi_flush (BwVdi *vdi, GError **error);

/* Rewrites the image's creation UUID (VBoxManage sethduuid; naming a new
 * differencing image after its own UUID). Needs a writable image. */
gboolean bw_vdi_set_uuid (BwVdi *vdi, const char *uuid, GError **error);

/* When FALSE, block allocation skips the fdatasync between data and map
 * (for a target being filled by a clone, which is deleted on failure). */
void bw_vdi_set_write_barriers (BwVdi *vdi, gboolean barriers);

const char *bw_vdi_get_path (BwVdi *vdi);
guint64 bw_vdi_get_size (BwVdi *vdi);
BwVdiType bw_vdi_get_image_type (BwVdi *vdi);
guint32 bw_vdi_get_block_size (BwVdi *vdi);
guint32 bw_vdi_get_block_count (BwVdi *vdi);
guint32 bw_vdi_get_blocks_allocated (BwVdi *vdi);
guint64 bw_vdi_get_file_size (BwVdi *vdi);
guint32 bw_vdi_get_block_map_offset (BwVdi *vdi);
guint32 bw_vdi_get_data_offset (BwVdi *vdi);
/* Map entry of block index (an index, FREE or ZERO). */
guint32 bw_vdi_get_block_entry (BwVdi *vdi, guint32 block);
/* UUIDs as strings; the parent ones are "" unless differencing. */
const char *bw_vdi_get_uuid (BwVdi *vdi);
const char *bw_vdi_get_modify_uuid (BwVdi *vdi);
const char *bw_vdi_get_parent_uuid (BwVdi *vdi);
const char *bw_vdi_get_parent_modify_uuid (BwVdi *vdi);

G_END_DECLS
