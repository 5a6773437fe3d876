/* bw-settings-xml-private.h: shared pieces of the settings readers and
 * writers (machine settings, boxwood.xml). Not installed, not public. */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "app/main/bw-settings-error.h"
#include "app/main/bw-machine-settings.h"
#include "app/main/bw-xml-extras.h"

G_BEGIN_DECLS

/* What a reader carries: the name used in messages and the version. */
typedef struct {
  const char *file;
  guint       version;
} BwXmlReader;

/* Parse a whole document without network access, entity expansion or DTDs.
 * Parse errors name the file and libxml2's line. */
xmlDoc     *bw_xml_parse (const char *data, gsize len, const char *file,
                          GError **error);
/* Read the root: checks its name and namespace, reads version="N" and
 * checks it is within [min_version, max_version]. */
xmlNode    *bw_xml_check_root (xmlDoc *doc, BwXmlReader *rd,
                               const char *root_name, guint min_version,
                               guint max_version, GError **error);

/* "file:line: message" as BW_SETTINGS_ERROR_INVALID. */
void        bw_xml_set_error (GError **error, const BwXmlReader *rd,
                              const xmlNode *node, const char *format, ...)
                              G_GNUC_PRINTF (4, 5);

/* Element in our namespace with this local name? */
gboolean    bw_xml_is (const xmlNode *node, const char *name);
/* First child element in our namespace named `name`, or NULL. */
xmlNode    *bw_xml_child (const xmlNode *node, const char *name);
/* Next sibling element in our namespace named `name` after `node`. */
xmlNode    *bw_xml_next (const xmlNode *node, const char *name);

/* Attribute getters. A missing attribute leaves *out unchanged and
 * returns TRUE unless `required`. Bad values give an error naming the
 * attribute, its value and the allowed range. */
gboolean    bw_xml_get_string (const BwXmlReader *rd, xmlNode *node,
                               const char *name, gboolean required,
                               char **out, GError **error);
gboolean    bw_xml_get_uint (const BwXmlReader *rd, xmlNode *node,
                             const char *name, gboolean required,
                             guint64 min, guint64 max, guint *out,
                             GError **error);
gboolean    bw_xml_get_uint64 (const BwXmlReader *rd, xmlNode *node,
                               const char *name, gboolean required,
                               guint64 min, guint64 max, guint64 *out,
                               GError **error);
gboolean    bw_xml_get_bool (const BwXmlReader *rd, xmlNode *node,
                             const char *name, gboolean required,
                             gboolean *out, GError **error);
/* Enum through one of the bw_*_from_string functions. */
typedef gboolean (*BwXmlEnumParser) (const char *s, int *out);
gboolean    bw_xml_get_enum (const BwXmlReader *rd, xmlNode *node,
                             const char *name, gboolean required,
                             gpointer parser, const char *what, int *out,
                             GError **error);
gboolean    bw_xml_get_uuid (const BwXmlReader *rd, xmlNode *node,
                             const char *name, gboolean required,
                             char **out, GError **error);
gboolean    bw_xml_get_time (const BwXmlReader *rd, xmlNode *node,
                             const char *name, gboolean required,
                             gint64 *out, GError **error);
/* Text of a child element (e.g. <Description>), NULL when absent/empty. */
char       *bw_xml_child_text (const xmlNode *node, const char *name);

/* Writer helpers: set an attribute (nothing for NULL strings). */
void        bw_xml_set_string (xmlNode *node, const char *name, const char *value);
void        bw_xml_set_uint (xmlNode *node, const char *name, guint64 value);
void        bw_xml_set_hex (xmlNode *node, const char *name, guint value);
void        bw_xml_set_bool (xmlNode *node, const char *name, gboolean value);
void        bw_xml_set_time (xmlNode *node, const char *name, gint64 usec);
xmlNode    *bw_xml_add_child (xmlNode *parent, const char *name);
/* <name>text</name>, nothing for NULL. */
void        bw_xml_add_text_child (xmlNode *parent, const char *name,
                                   const char *text);
/* New document with root <root_name xmlns=... version=N>. */
xmlDoc     *bw_xml_new_doc (const char *root_name, guint version, xmlNode **root);
char       *bw_xml_dump (xmlDoc *doc, gsize *len);

/* UUIDs: canonical lower case, braces stripped; NULL if not a UUID. */
char       *bw_uuid_normalize (const char *text);
char       *bw_uuid_new (void);
/* ISO 8601 UTC <-> microseconds since the epoch. */
char       *bw_time_format (gint64 usec);
gboolean    bw_time_parse (const char *text, gint64 *usec);

/* Unknown XML. `known_attrs` and `known_children` are NULL-terminated
 * lists of names in no namespace (attributes) and our namespace (child
 * elements); everything else on `node` is copied into *extras under
 * `key` ("" for the struct's own element). */
void        bw_xml_extras_collect (BwXmlExtras **extras, const char *key,
                                   const xmlNode *node,
                                   const char *const *known_attrs,
                                   const char *const *known_children);
/* Was anything collected under `key`? */
gboolean    bw_xml_extras_has (const BwXmlExtras *extras, const char *key);
/* Put what was collected under `key` back onto `node`. */
void        bw_xml_extras_apply (const BwXmlExtras *extras, const char *key,
                                 xmlNode *node);

G_END_DECLS
