/* bw-config.h: the VM configuration tree.
 *
 * A tree of nodes; each node has named values (integer, boolean, string,
 * bytes) and named child nodes. The caller (boxwood-vm) builds it from the
 * machine's settings; the VMM and devices read it with typed getters.
 * Paths use '/' to go down: "devices/serial0/port". Keys are ASCII letters,
 * digits, '-' and '_'.
 *
 * Conventional layout (what boxwood-vm fills in and the VMM reads):
 *   name, uuid                    strings
 *   ram-mb, cpus                  integers
 *   acceleration                  "auto" | "kvm" | "software"
 *   clock                         "host" (default) | "manual" (tests: time
 *                                 jumps to the next timer when every vCPU
 *                                 is halted, and moves at no other time)
 *   logs-dir                      string: the machine's Logs folder
 *   firmware/bios                 path of bios.bin
 *   firmware/vgabios              path of the VGA BIOS
 *   boot/kernel, boot/initrd, boot/cmdline   direct Linux boot
 *   devices/<id>/...              per-device settings; devices/<id>/class
 *                                 names the device class
 *
 * Not thread-safe: built before the VM starts, read-only afterwards. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BW_CONFIG_ERROR (bw_config_error_quark ())
GQuark bw_config_error_quark (void);

typedef enum
{
  BW_CONFIG_ERROR_NOT_FOUND, /* no such key or node */
  BW_CONFIG_ERROR_TYPE,      /* the value has another type */
  BW_CONFIG_ERROR_RANGE,     /* out of the range the caller allows */
  BW_CONFIG_ERROR_INVALID,   /* a bad key or path */
} BwConfigError;

typedef enum
{
  BW_CONFIG_TYPE_NONE,
  BW_CONFIG_TYPE_INT,
  BW_CONFIG_TYPE_BOOL,
  BW_CONFIG_TYPE_STRING,
  BW_CONFIG_TYPE_BYTES,
} BwConfigType;

typedef struct _BwConfig BwConfig;

/* A new root node. Children belong to their parent. */
BwConfig *bw_config_new (void);
/* Frees a root and everything below it. */
void bw_config_free (BwConfig *root);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwConfig, bw_config_free)

const char *bw_config_get_name (BwConfig *node); /* "" for the root */
BwConfig *bw_config_get_parent (BwConfig *node);
/* The node at path below node, or NULL. */
BwConfig *bw_config_get_child (BwConfig *node, const char *path);
/* The node at path, created with any missing ones on the way. */
BwConfig *bw_config_ensure_child (BwConfig *node, const char *path);
/* Children in insertion order; the list belongs to the node. */
GList *bw_config_get_children (BwConfig *node);

/* Setters take "key" or "path/to/key" (missing nodes are created) and
 * replace any value of that key. */
void bw_config_set_int (BwConfig *node, const char *key, gint64 value);
void bw_config_set_bool (BwConfig *node, const char *key, gboolean value);
void bw_config_set_string (BwConfig *node, const char *key, const char *value);
void bw_config_set_bytes (BwConfig *node, const char *key, GBytes *value);
gboolean bw_config_remove (BwConfig *node, const char *key);

BwConfigType bw_config_get_type (BwConfig *node, const char *key);
gboolean bw_config_has (BwConfig *node, const char *key);

/* Typed getters: FALSE with an error naming the full key when missing or
 * of another type. */
gboolean bw_config_get_int (BwConfig *node, const char *key, gint64 *value, GError **error);
gboolean bw_config_get_bool (BwConfig *node, const char *key, gboolean *value, GError **error);
/* The returned string belongs to the tree. */
gboolean bw_config_get_string (BwConfig *node, const char *key, const char **value,
                               GError **error);
gboolean bw_config_get_bytes (BwConfig *node, const char *key, GBytes **value, GError **error);
/* An integer that must lie in [min, max]. */
gboolean bw_config_get_int_range (BwConfig *node, const char *key, gint64 min, gint64 max,
                                  gint64 *value, GError **error);

/* Getters with a default for a missing key. A value of another type is
 * still an error (logged as a warning) and gives the default. */
gint64 bw_config_get_int_default (BwConfig *node, const char *key, gint64 def);
gboolean bw_config_get_bool_default (BwConfig *node, const char *key, gboolean def);
const char *bw_config_get_string_default (BwConfig *node, const char *key, const char *def);

/* "a/b/key" of a node's key, for messages. */
char *bw_config_dup_path (BwConfig *node, const char *key);

/* The tree as indented text, one value per line (written to the log at
 * start, as VirtualBox logs its CFGM tree). Bytes show their length. */
void bw_config_dump (BwConfig *node, GString *out);

G_END_DECLS
