/* bw-vdi-header.h: the VDI pre-header and header, decoded (internal).
 *
 * Byte offsets in the file (little endian), from VirtualBox's VDICore.h:
 *   0  text[64]       72 cbHeader     76 u32Type     80 fFlags
 *  84  szComment[256] 340 offBlocks   344 offData
 * 348  legacy geometry (C, H, S, cbSector)           364 u32Dummy
 * 368  cbDisk (u64)   376 cbBlock     380 cbBlockExtra
 * 384  cBlocks        388 cBlocksAllocated
 * 392  uuidCreate     408 uuidModify  424 uuidLinkage 440 uuidParentModify
 * 456  LCHS geometry (C, H, S, cbSector), end of header 1.1+ (cbHeader 400)
 * qemu-img writes cbHeader 384 (no LCHS geometry). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BW_VDI_PRE_HEADER_SIZE 72
#define BW_VDI_HEADER_MIN_SIZE 384 /* up to uuidParentModify */
#define BW_VDI_HEADER_PLUS_SIZE 400
#define BW_VDI_HEADER_READ_SIZE (BW_VDI_PRE_HEADER_SIZE + BW_VDI_HEADER_PLUS_SIZE)
#define BW_VDI_DATA_ALIGN (1024u * 1024u)
#define BW_VDI_TEXT "<<< Oracle VM VirtualBox Disk Image >>>\n"

/* Field offsets that are rewritten in place. */
#define BW_VDI_OFF_BLOCKS_ALLOCATED 388
#define BW_VDI_OFF_UUID_CREATE 392
#define BW_VDI_OFF_UUID_MODIFY 408

/* Limits: larger blocks are legal VDI but need a block-sized buffer. */
#define BW_VDI_MAX_BLOCK_SIZE (64u * 1024u * 1024u)

typedef struct
{
  char text[64];
  guint32 signature;
  guint32 version;
  guint32 header_size;
  guint32 type;
  guint32 flags;
  char comment[256];
  guint32 off_blocks;
  guint32 off_data;
  guint32 legacy_geometry[4];
  guint32 dummy;
  guint64 disk_size;
  guint32 block_size;
  guint32 block_extra;
  guint32 blocks;
  guint32 blocks_allocated;
  guint8 uuid_create[16];
  guint8 uuid_modify[16];
  guint8 uuid_link[16];
  guint8 uuid_parent_modify[16];
  guint32 lchs_geometry[4];
} BwVdiHeader;

/* Decodes the first bytes of a file (len may be short) and checks every
 * header field against itself and file_size. Does not look at the map. */
gboolean bw_vdi_header_parse (BwVdiHeader *header,
                              const guint8 *buf,
                              gsize len,
                              guint64 file_size,
                              const char *path,
                              GError **error);

/* Encodes pre-header and header into out (BW_VDI_HEADER_READ_SIZE bytes);
 * returns the number of bytes to write (72 + header_size, at most that). */
gsize bw_vdi_header_encode (const BwVdiHeader *header, guint8 *out);

/* A fresh header the way VirtualBox makes one: v1.1+, 1 MiB blocks, map
 * and data aligned to 1 MiB, new creation and modification UUIDs. */
void bw_vdi_header_init (BwVdiHeader *header, guint32 type, guint64 disk_size);

/* VDI stores UUIDs as RTUUID: the first three fields little endian. */
void bw_vdi_uuid_to_string (const guint8 uuid[16], char out[37]);
gboolean bw_vdi_uuid_from_string (const char *str, guint8 uuid[16]);
void bw_vdi_uuid_generate (guint8 uuid[16]);
gboolean bw_vdi_uuid_is_null (const guint8 uuid[16]);

G_END_DECLS
