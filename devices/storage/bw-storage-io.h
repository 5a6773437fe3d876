/* bw-storage-io.h: whole-buffer pread/pwrite and file opening for the
 * image formats, with GErrors that name the file (internal to storage). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Opens path read-only or read-write; a read-write open takes an exclusive
 * flock so two processes never write one image. */
int bw_storage_io_open (const char *path, gboolean writable, GError **error);
/* Creates path (O_EXCL) read-write, locked as above. */
int bw_storage_io_create (const char *path, GError **error);
gboolean bw_storage_io_get_size (int fd, const char *path, guint64 *size, GError **error);
/* Reads exactly len bytes; reaching end of file is an error. */
gboolean bw_storage_io_pread (int fd,
                              const char *path,
                              void *buf,
                              gsize len,
                              guint64 offset,
                              GError **error);
gboolean bw_storage_io_pwrite (int fd,
                               const char *path,
                               const void *buf,
                               gsize len,
                               guint64 offset,
                               GError **error);
gboolean bw_storage_io_sync (int fd, const char *path, GError **error);
/* Makes the file size bytes long, allocating all of it when preallocate. */
gboolean bw_storage_io_resize (int fd,
                               const char *path,
                               guint64 size,
                               gboolean preallocate,
                               GError **error);
gboolean bw_storage_io_is_zero (const void *buf, gsize len);

G_END_DECLS
