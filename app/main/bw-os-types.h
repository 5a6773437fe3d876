/* bw-os-types.h: the guest OS type table (data/ostypes.xml).
 *
 * Ids follow VirtualBox's spelling where one exists ("Debian_64",
 * "Windows10_64", "Other"). The table is embedded in the library as a
 * GResource, so every program finds it wherever it runs. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char    *id;            /* "Debian_64" */
  char    *family;        /* "Linux", "Windows", "BSD", "DOS", "Other" */
  char    *description;   /* "Debian (64-bit)" */
  gboolean is_64bit;
  guint    memory_mib;    /* recommended */
  guint    disk_gib;      /* recommended */
  guint    vram_mib;      /* recommended */
} BwOsType;

/* The embedded table, loaded once (thread-safe); borrowed, never freed.
 * Array of const BwOsType*, in table order. */
const GPtrArray *bw_os_types_get_all (void);
/* By id, case-insensitively (VBoxManage accepts "debian_64"); NULL if none. */
const BwOsType  *bw_os_types_lookup (const char *id);
/* "Other": the fallback for unknown ids. Never NULL. */
const BwOsType  *bw_os_types_get_default (void);

/* Parse a table from a file or memory (for tests and the embedded copy).
 * Array of BwOsType*, with a free function. */
GPtrArray       *bw_os_types_load_file (const char *path, GError **error);
GPtrArray       *bw_os_types_load_from_data (const char *data, gsize len,
                                             const char *display_name,
                                             GError    **error);
void             bw_os_type_free (BwOsType *t);

G_END_DECLS
