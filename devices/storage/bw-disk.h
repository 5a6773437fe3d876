/* bw-disk.h: one disk image, whatever its format.
 *
 * The generic disk API used by the IDE device, the service and the command
 * line. A BwDisk is a reference-counted handle on an image file (VDI or
 * raw, see bw_disk_detect_format) and, for a differencing VDI, on its
 * parent chain. Every call on one BwDisk is serialised by a mutex, so a
 * vCPU thread and an I/O thread may share it.
 *
 * Offsets and lengths are in bytes; any alignment works, 512-byte sectors
 * are what callers normally use. Accesses beyond the virtual size fail
 * with BW_DISK_ERROR_RANGE. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BW_DISK_ERROR (bw_disk_error_quark ())

typedef enum
{
  BW_DISK_ERROR_IO,          /* a system call on the file failed */
  BW_DISK_ERROR_CORRUPT,     /* the image failed validation */
  BW_DISK_ERROR_UNSUPPORTED, /* valid, but a version or feature we do not handle */
  BW_DISK_ERROR_READ_ONLY,   /* write to a disk opened read-only */
  BW_DISK_ERROR_RANGE,       /* access beyond the virtual size */
  BW_DISK_ERROR_PARENT,      /* parent of a differencing image missing or mismatched */
  BW_DISK_ERROR_INVALID,     /* bad argument (size 0, unknown format name, ...) */
  BW_DISK_ERROR_EXISTS,      /* create: the file already exists */
  BW_DISK_ERROR_BUSY,        /* opened read-write by another process */
  BW_DISK_ERROR_CANCELLED,   /* bw_disk_clone's progress callback said stop */
} BwDiskError;

GQuark bw_disk_error_quark (void);

typedef enum
{
  BW_DISK_FORMAT_RAW,
  BW_DISK_FORMAT_VDI,
} BwDiskFormat;

typedef enum
{
  BW_DISK_VARIANT_DYNAMIC,      /* VirtualBox "Standard": grows on write */
  BW_DISK_VARIANT_FIXED,        /* all space allocated at creation */
  BW_DISK_VARIANT_DIFFERENCING, /* VDI child of a parent image */
} BwDiskVariant;

typedef enum
{
  BW_DISK_OPEN_READ_ONLY = 0,
  BW_DISK_OPEN_READ_WRITE = 1 << 0,
  /* Open a differencing image without its parent: info works, reading a
   * block the child does not hold fails with BW_DISK_ERROR_PARENT. */
  BW_DISK_OPEN_NO_PARENT = 1 << 1,
} BwDiskOpenFlags;

#define BW_DISK_UUID_LEN 37 /* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" + NUL */

typedef struct
{
  BwDiskFormat format;
  BwDiskVariant variant;
  guint64 virtual_size;   /* bytes the guest sees */
  guint64 allocated_size; /* bytes of guest data stored in this file (VDI:
                           * allocated blocks x block size; raw: space the
                           * host file system uses) */
  guint64 file_size;      /* size of the file itself */
  guint32 block_size;     /* VDI allocation block; 0 for raw */
  char uuid[BW_DISK_UUID_LEN];        /* "" for raw images */
  char parent_uuid[BW_DISK_UUID_LEN]; /* "" unless differencing */
} BwDiskInfo;

typedef struct _BwDisk BwDisk;

/* Finds the file of the parent image with UUID parent_uuid for the
 * differencing image child_path; returns a newly allocated path, or NULL
 * when it is not known. */
typedef char *(*BwDiskParentLookup) (const char *parent_uuid,
                                     const char *child_path,
                                     gpointer user_data);

/* Called by bw_disk_clone after each chunk; return FALSE to cancel. */
typedef gboolean (*BwDiskProgress) (guint64 done, guint64 total, gpointer user_data);

BwDisk *bw_disk_open (const char *path, BwDiskOpenFlags flags, GError **error);

/* As bw_disk_open; a differencing image's parent is parent_path if given,
 * else whatever lookup returns, and the same lookup finds grandparents.
 * Parents are opened read-only and their UUID must match the link. */
BwDisk *bw_disk_open_full (const char *path,
                           BwDiskOpenFlags flags,
                           const char *parent_path,
                           BwDiskParentLookup lookup,
                           gpointer user_data,
                           GError **error);

/* Creates a new image (fails if path exists) and returns it open
 * read-write. VDI: dynamic or fixed, 1 MiB blocks. RAW: a sparse file
 * (dynamic) or fully allocated (fixed). size is rounded up to 512 bytes. */
BwDisk *bw_disk_create (const char *path,
                        BwDiskFormat format,
                        BwDiskVariant variant,
                        guint64 size,
                        GError **error);

/* Creates a differencing VDI at path whose parent is the open VDI parent
 * (its UUIDs are recorded in the child) and returns the child open
 * read-write with parent attached. */
BwDisk *bw_disk_create_diff (const char *path, BwDisk *parent, GError **error);
/* The same with a chosen UUID for the child (NULL: a random one), so a
 * snapshot's "{uuid}.vdi" can be named before it is made. */
BwDisk *bw_disk_create_diff_full (const char *path,
                                  BwDisk *parent,
                                  const char *uuid,
                                  GError **error);

/* Gives a writable VDI a new creation UUID (VBoxManage sethduuid). Raw
 * images have none: BW_DISK_ERROR_INVALID. */
gboolean bw_disk_set_uuid (BwDisk *disk, const char *uuid, GError **error);

/* Copies every byte of src's virtual disk into a new image at dst_path.
 * All-zero blocks are skipped for dynamic targets. On failure or cancel
 * the partial target is removed. variant must be dynamic or fixed. */
gboolean bw_disk_clone (BwDisk *src,
                        const char *dst_path,
                        BwDiskFormat format,
                        BwDiskVariant variant,
                        BwDiskProgress progress,
                        gpointer user_data,
                        GError **error);

BwDisk *bw_disk_ref (BwDisk *disk);
void bw_disk_unref (BwDisk *disk);
/* Flushes (a failure is logged) and drops the caller's reference. Call
 * bw_disk_flush first when the error matters. */
void bw_disk_close (BwDisk *disk);

gboolean bw_disk_read (BwDisk *disk, guint64 offset, void *buf, gsize len, GError **error);
gboolean bw_disk_write (BwDisk *disk, guint64 offset, const void *buf, gsize len, GError **error);
/* Makes every completed write durable (fdatasync), metadata included. */
gboolean bw_disk_flush (BwDisk *disk, GError **error);

guint64 bw_disk_get_size (BwDisk *disk);
gboolean bw_disk_is_read_only (BwDisk *disk);
const char *bw_disk_get_path (BwDisk *disk);
BwDiskFormat bw_disk_get_format (BwDisk *disk);
/* The open parent of a differencing image (no new reference), or NULL. */
BwDisk *bw_disk_get_parent (BwDisk *disk);
void bw_disk_get_info (BwDisk *disk, BwDiskInfo *info);

/* Opens path read-only without its parent and fills info. */
gboolean bw_disk_query_info (const char *path, BwDiskInfo *info, GError **error);
/* VDI if the file carries the VDI signature or its name ends in ".vdi"
 * (so a damaged VDI is refused rather than taken for a raw disk), else
 * RAW. */
gboolean bw_disk_detect_format (const char *path, BwDiskFormat *format, GError **error);

/* "VDI" / "RAW" */
const char *bw_disk_format_to_string (BwDiskFormat format);
/* Case-insensitive "VDI" or "RAW". */
gboolean bw_disk_format_from_string (const char *str, BwDiskFormat *format);
/* "dynamic" / "fixed" / "differencing" */
const char *bw_disk_variant_to_string (BwDiskVariant variant);
/* Case-insensitive; accepts VBoxManage's "Standard" and "Fixed" as well as
 * "dynamic", "fixed", "diff" and "differencing". */
gboolean bw_disk_variant_from_string (const char *str, BwDiskVariant *variant);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwDisk, bw_disk_unref)

G_END_DECLS
