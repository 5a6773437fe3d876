/* bw-atomic-file.h: crash-safe replacement of a settings file.
 *
 * Writing PATH: write PATH.tmp in the same folder and fsync it; hard-link
 * the current PATH to PATH-prev (replacing the old -prev through a rename,
 * so PATH always exists and is complete); rename PATH.tmp over PATH; fsync
 * the folder. A crash at any moment leaves PATH (old or new) or, before
 * the very first write finished, nothing but maybe PATH.tmp. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean bw_atomic_file_write (const char *path,
                               const char *data,
                               gsize       len,
                               GError    **error);

/* Read PATH; if it does not exist, read PATH-prev instead and set
 * *used_prev. A missing file with no -prev gives G_FILE_ERROR_NOENT in
 * G_FILE_ERROR naming PATH. */
gboolean bw_atomic_file_read (const char *path,
                              char      **data,
                              gsize      *len,
                              gboolean   *used_prev,
                              GError    **error);

/* Copy PATH to DEST (durably: temp, fsync, rename) unless DEST exists. */
gboolean bw_atomic_file_backup (const char *path,
                                const char *dest,
                                GError    **error);

G_END_DECLS
