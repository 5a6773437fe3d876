/* bw-raw-image.h: raw disk images, the file is the disk byte for byte.
 * Not thread-safe by itself; BwDisk serialises calls. Errors are in
 * BW_DISK_ERROR. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BwRawImage BwRawImage;

BwRawImage *bw_raw_image_open (const char *path, gboolean writable, GError **error);
/* Creates a new file of size bytes (fails if path exists): sparse, or with
 * every block allocated when preallocate is TRUE. Returns it open
 * read-write. */
BwRawImage *bw_raw_image_create (const char *path,
                                 guint64 size,
                                 gboolean preallocate,
                                 GError **error);
void bw_raw_image_close (BwRawImage *raw);

/* Both fail with BW_DISK_ERROR_RANGE beyond the size. */
gboolean bw_raw_image_read (BwRawImage *raw, guint64 offset, void *buf, gsize len, GError **error);
gboolean bw_raw_image_write (BwRawImage *raw,
                             guint64 offset,
                             const void *buf,
                             gsize len,
                             GError **error);
gboolean bw_raw_image_flush (BwRawImage *raw, GError **error);

const char *bw_raw_image_get_path (BwRawImage *raw);
guint64 bw_raw_image_get_size (BwRawImage *raw);
/* Bytes the host file system uses for the file. */
guint64 bw_raw_image_get_allocated (BwRawImage *raw);

G_END_DECLS
