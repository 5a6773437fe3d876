/* bw-global-settings.h: boxwood.xml, the global settings file.
 *
 * It holds the global settings (default machine folder), the registered
 * machines (uuid and settings path of each) and the media registry (hard
 * disk and DVD images). Same versioning, atomic writes and preservation
 * of unknown XML as the machine settings. */
#pragma once

#include <glib-object.h>

#include "app/main/bw-xml-extras.h"

G_BEGIN_DECLS

typedef enum {
  BW_MEDIUM_KIND_HDD,
  BW_MEDIUM_KIND_DVD,
} BwMediumKind;

/* VirtualBox's medium types. */
typedef enum {
  BW_MEDIUM_TYPE_NORMAL,        /* "Normal" */
  BW_MEDIUM_TYPE_IMMUTABLE,     /* "Immutable" */
  BW_MEDIUM_TYPE_WRITETHROUGH,  /* "Writethrough" */
  BW_MEDIUM_TYPE_SHAREABLE,     /* "Shareable" */
  BW_MEDIUM_TYPE_READONLY,      /* "Readonly" (DVD images) */
  BW_MEDIUM_TYPE_MULTIATTACH,   /* "MultiAttach" */
} BwMediumType;

const char *bw_medium_type_to_string (BwMediumType v);
gboolean    bw_medium_type_from_string (const char *s, BwMediumType *out);
const char *bw_medium_kind_to_string (BwMediumKind v);   /* "hdd", "dvd" */

typedef struct {
  char        *uuid;
  char        *path;          /* absolute */
  char        *format;        /* "VDI", "RAW" (DVD images: "RAW") */
  BwMediumKind kind;
  BwMediumType type;
  char        *parent_uuid;   /* differencing images; NULL otherwise */
  BwXmlExtras *extras;
} BwMedium;

typedef struct {
  char        *uuid;
  char        *path;          /* absolute path of the .bwvm file */
  BwXmlExtras *extras;
} BwMachineEntry;

typedef struct {
  char      *machine_folder;   /* default folder for new machines */
  GPtrArray *machines;         /* of BwMachineEntry*, owned, registration order */
  GPtrArray *media;            /* of BwMedium*, owned (hard disks and DVDs) */
  BwXmlExtras *extras;

  guint      loaded_version;   /* 0 = made in memory */
  gboolean   loaded_from_prev;
} BwGlobalSettings;

#define BW_TYPE_GLOBAL_SETTINGS (bw_global_settings_get_type ())
#define BW_TYPE_MEDIUM          (bw_medium_get_type ())
GType bw_global_settings_get_type (void) G_GNUC_CONST;
GType bw_medium_get_type (void) G_GNUC_CONST;

BwMedium *bw_medium_new (BwMediumKind kind, const char *uuid,
                         const char *path, const char *format);
BwMedium *bw_medium_copy (const BwMedium *m);
void      bw_medium_free (BwMedium *m);

BwMachineEntry *bw_machine_entry_new (const char *uuid, const char *path);
BwMachineEntry *bw_machine_entry_copy (const BwMachineEntry *e);
void            bw_machine_entry_free (BwMachineEntry *e);

/* Defaults: machine folder bw_paths_default_machine_folder (), nothing
 * registered. */
BwGlobalSettings *bw_global_settings_new (void);
BwGlobalSettings *bw_global_settings_copy (const BwGlobalSettings *g);
void              bw_global_settings_free (BwGlobalSettings *g);
gboolean          bw_global_settings_equal (const BwGlobalSettings *a,
                                            const BwGlobalSettings *b);

/* Load `path`. A missing file (and missing -prev) is NOT an error here:
 * it gives defaults with loaded_version 0. A missing file with a -prev
 * present loads -prev and sets loaded_from_prev. */
BwGlobalSettings *bw_global_settings_load (const char *path, GError **error);
BwGlobalSettings *bw_global_settings_load_from_data (const char *data,
                                                     gsize       len,
                                                     const char *display_name,
                                                     GError    **error);
char             *bw_global_settings_to_data (const BwGlobalSettings *g,
                                              gsize                  *len);
/* Atomic, like bw_machine_settings_save; makes the folder if missing. */
gboolean          bw_global_settings_save (BwGlobalSettings *g,
                                           const char       *path,
                                           GError          **error);

/* Lookups: by uuid, or by absolute path (compared after normalising). */
BwMachineEntry *bw_global_settings_find_machine (const BwGlobalSettings *g,
                                                 const char *uuid_or_path);
BwMedium       *bw_global_settings_find_medium (const BwGlobalSettings *g,
                                                BwMediumKind kind,
                                                const char *uuid_or_path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwGlobalSettings, bw_global_settings_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwMedium, bw_medium_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwMachineEntry, bw_machine_entry_free)

G_END_DECLS
