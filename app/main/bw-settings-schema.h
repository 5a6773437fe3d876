/* bw-settings-schema.h: RELAX NG validation of settings files.
 *
 * The schema (data/boxwood-settings.rng) covers both the machine settings
 * (.bwvm) and boxwood.xml of the current format version; it allows
 * elements and attributes of foreign namespaces anywhere. It is embedded
 * in the library. Used by tests; the loader itself checks values by hand
 * so that its messages are precise. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Validate a file / a document in memory. Errors (BW_SETTINGS_ERROR_SCHEMA
 * or _PARSE) name the file and the first fault with its line. */
gboolean bw_settings_schema_validate_file (const char *path, GError **error);
gboolean bw_settings_schema_validate_data (const char *data,
                                           gsize       len,
                                           const char *display_name,
                                           GError    **error);

G_END_DECLS
