/* bw-config.c: the VM configuration tree. */
#include "config.h"

#include <string.h>
#include "vmm/bw-config.h"

G_DEFINE_QUARK (bw-config-error-quark, bw_config_error)

typedef struct
{
  char *key;
  BwConfigType type;
  union
  {
    gint64 i;
    gboolean b;
    char *s;
    GBytes *bytes;
  };
} Value;

struct _BwConfig
{
  char *name;
  BwConfig *parent;
  GList *children; /* BwConfig, insertion order */
  GPtrArray *values; /* Value, insertion order */
};

static void
value_free (gpointer p)
{
  Value *v = p;
  if (v->type == BW_CONFIG_TYPE_STRING)
    g_free (v->s);
  else if (v->type == BW_CONFIG_TYPE_BYTES)
    g_bytes_unref (v->bytes);
  g_free (v->key);
  g_free (v);
}

static BwConfig *
node_new (const char *name, BwConfig *parent)
{
  BwConfig *node = g_new0 (BwConfig, 1);
  node->name = g_strdup (name);
  node->parent = parent;
  node->values = g_ptr_array_new_with_free_func (value_free);
  return node;
}

BwConfig *
bw_config_new (void)
{
  return node_new ("", NULL);
}

static void
node_free (BwConfig *node)
{
  g_list_free_full (node->children, (GDestroyNotify) node_free);
  g_ptr_array_unref (node->values);
  g_free (node->name);
  g_free (node);
}

void
bw_config_free (BwConfig *root)
{
  if (!root)
    return;
  g_return_if_fail (root->parent == NULL);
  node_free (root);
}

const char *
bw_config_get_name (BwConfig *node)
{
  return node->name;
}

BwConfig *
bw_config_get_parent (BwConfig *node)
{
  return node->parent;
}

GList *
bw_config_get_children (BwConfig *node)
{
  return node->children;
}

static gboolean
valid_name (const char *s, gsize len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (s[i]) && s[i] != '-' && s[i] != '_')
      return FALSE;
  return TRUE;
}

static BwConfig *
child_named (BwConfig *node, const char *name, gsize len)
{
  for (GList *l = node->children; l; l = l->next)
    {
      BwConfig *c = l->data;
      if (strlen (c->name) == len && memcmp (c->name, name, len) == 0)
        return c;
    }
  return NULL;
}

/* Walks path components; with create, makes missing nodes. Returns NULL
 * for a bad or missing path. If last is non-NULL, the final component is
 * not walked but returned there (a key). */
static BwConfig *
walk (BwConfig *node, const char *path, gboolean create, const char **last)
{
  const char *p = path;
  for (;;)
    {
      const char *slash = strchr (p, '/');
      if (!slash)
        break;
      gsize len = (gsize) (slash - p);
      if (!valid_name (p, len))
        return NULL;
      BwConfig *child = child_named (node, p, len);
      if (!child)
        {
          if (!create)
            return NULL;
          g_autofree char *name = g_strndup (p, len);
          child = node_new (name, node);
          node->children = g_list_append (node->children, child);
        }
      node = child;
      p = slash + 1;
    }
  if (last)
    {
      if (!valid_name (p, strlen (p)))
        return NULL;
      *last = p;
      return node;
    }
  if (*p == '\0')
    return node; /* "a/b/" or "" */
  if (!valid_name (p, strlen (p)))
    return NULL;
  BwConfig *child = child_named (node, p, strlen (p));
  if (!child && create)
    {
      child = node_new (p, node);
      node->children = g_list_append (node->children, child);
    }
  return child;
}

BwConfig *
bw_config_get_child (BwConfig *node, const char *path)
{
  return walk (node, path, FALSE, NULL);
}

BwConfig *
bw_config_ensure_child (BwConfig *node, const char *path)
{
  BwConfig *child = walk (node, path, TRUE, NULL);
  if (!child)
    g_critical ("Configuration path “%s” is not valid", path);
  return child;
}

static Value *
find_value (BwConfig *node, const char *key)
{
  const char *last;
  BwConfig *owner = walk (node, key, FALSE, &last);
  if (!owner)
    return NULL;
  for (guint i = 0; i < owner->values->len; i++)
    {
      Value *v = g_ptr_array_index (owner->values, i);
      if (strcmp (v->key, last) == 0)
        return v;
    }
  return NULL;
}

/* A fresh value slot for key (replacing an old one). */
static Value *
slot_for (BwConfig *node, const char *key)
{
  const char *last;
  BwConfig *owner = walk (node, key, TRUE, &last);
  if (!owner)
    {
      g_critical ("Configuration key “%s” is not valid", key);
      return NULL;
    }
  for (guint i = 0; i < owner->values->len; i++)
    {
      Value *v = g_ptr_array_index (owner->values, i);
      if (strcmp (v->key, last) == 0)
        {
          char *k = g_steal_pointer (&v->key);
          if (v->type == BW_CONFIG_TYPE_STRING)
            g_free (v->s);
          else if (v->type == BW_CONFIG_TYPE_BYTES)
            g_bytes_unref (v->bytes);
          memset (v, 0, sizeof *v);
          v->key = k;
          return v;
        }
    }
  Value *v = g_new0 (Value, 1);
  v->key = g_strdup (last);
  g_ptr_array_add (owner->values, v);
  return v;
}

void
bw_config_set_int (BwConfig *node, const char *key, gint64 value)
{
  Value *v = slot_for (node, key);
  if (!v)
    return;
  v->type = BW_CONFIG_TYPE_INT;
  v->i = value;
}

void
bw_config_set_bool (BwConfig *node, const char *key, gboolean value)
{
  Value *v = slot_for (node, key);
  if (!v)
    return;
  v->type = BW_CONFIG_TYPE_BOOL;
  v->b = !!value;
}

void
bw_config_set_string (BwConfig *node, const char *key, const char *value)
{
  Value *v = slot_for (node, key);
  if (!v)
    return;
  v->type = BW_CONFIG_TYPE_STRING;
  v->s = g_strdup (value ? value : "");
}

void
bw_config_set_bytes (BwConfig *node, const char *key, GBytes *value)
{
  Value *v = slot_for (node, key);
  if (!v)
    return;
  v->type = BW_CONFIG_TYPE_BYTES;
  v->bytes = g_bytes_ref (value);
}

gboolean
bw_config_remove (BwConfig *node, const char *key)
{
  const char *last;
  BwConfig *owner = walk (node, key, FALSE, &last);
  if (!owner)
    return FALSE;
  for (guint i = 0; i < owner->values->len; i++)
    {
      Value *v = g_ptr_array_index (owner->values, i);
      if (strcmp (v->key, last) == 0)
        {
          g_ptr_array_remove_index (owner->values, i);
          return TRUE;
        }
    }
  return FALSE;
}

BwConfigType
bw_config_get_type (BwConfig *node, const char *key)
{
  Value *v = find_value (node, key);
  return v ? v->type : BW_CONFIG_TYPE_NONE;
}

gboolean
bw_config_has (BwConfig *node, const char *key)
{
  return find_value (node, key) != NULL;
}

char *
bw_config_dup_path (BwConfig *node, const char *key)
{
  GString *path = g_string_new (key);
  for (BwConfig *n = node; n && n->parent; n = n->parent)
    {
      g_string_prepend_c (path, '/');
      g_string_prepend (path, n->name);
    }
  return g_string_free (path, FALSE);
}

static const char *
type_name (BwConfigType type)
{
  switch (type)
    {
    case BW_CONFIG_TYPE_INT:
      return "an integer";
    case BW_CONFIG_TYPE_BOOL:
      return "a boolean";
    case BW_CONFIG_TYPE_STRING:
      return "a string";
    case BW_CONFIG_TYPE_BYTES:
      return "bytes";
    default:
      return "nothing";
    }
}

static Value *
get_typed (BwConfig *node, const char *key, BwConfigType type, GError **error)
{
  Value *v = find_value (node, key);
  if (!v)
    {
      g_autofree char *path = bw_config_dup_path (node, key);
      g_set_error (error, BW_CONFIG_ERROR, BW_CONFIG_ERROR_NOT_FOUND,
                   "Configuration value “%s” is missing", path);
      return NULL;
    }
  if (v->type != type)
    {
      g_autofree char *path = bw_config_dup_path (node, key);
      g_set_error (error, BW_CONFIG_ERROR, BW_CONFIG_ERROR_TYPE,
                   "Configuration value “%s” is %s, not %s", path, type_name (v->type),
                   type_name (type));
      return NULL;
    }
  return v;
}

gboolean
bw_config_get_int (BwConfig *node, const char *key, gint64 *value, GError **error)
{
  Value *v = get_typed (node, key, BW_CONFIG_TYPE_INT, error);
  if (v)
    *value = v->i;
  return v != NULL;
}

gboolean
bw_config_get_bool (BwConfig *node, const char *key, gboolean *value, GError **error)
{
  Value *v = get_typed (node, key, BW_CONFIG_TYPE_BOOL, error);
  if (v)
    *value = v->b;
  return v != NULL;
}

gboolean
bw_config_get_string (BwConfig *node, const char *key, const char **value, GError **error)
{
  Value *v = get_typed (node, key, BW_CONFIG_TYPE_STRING, error);
  if (v)
    *value = v->s;
  return v != NULL;
}

gboolean
bw_config_get_bytes (BwConfig *node, const char *key, GBytes **value, GError **error)
{
  Value *v = get_typed (node, key, BW_CONFIG_TYPE_BYTES, error);
  if (v)
    *value = g_bytes_ref (v->bytes);
  return v != NULL;
}

gboolean
bw_config_get_int_range (BwConfig *node, const char *key, gint64 min, gint64 max, gint64 *value,
                         GError **error)
{
  gint64 v;
  if (!bw_config_get_int (node, key, &v, error))
    return FALSE;
  if (v < min || v > max)
    {
      g_autofree char *path = bw_config_dup_path (node, key);
      g_set_error (error, BW_CONFIG_ERROR, BW_CONFIG_ERROR_RANGE,
                   "Configuration value “%s” is %" G_GINT64_FORMAT ", outside %" G_GINT64_FORMAT
                   "..%" G_GINT64_FORMAT,
                   path, v, min, max);
      return FALSE;
    }
  *value = v;
  return TRUE;
}

static gboolean
default_check (BwConfig *node, const char *key, BwConfigType type, Value **out)
{
  Value *v = find_value (node, key);
  if (!v)
    return FALSE;
  if (v->type != type)
    {
      g_autofree char *path = bw_config_dup_path (node, key);
      g_warning ("Configuration value “%s” is %s, not %s; using the default", path,
                 type_name (v->type), type_name (type));
      return FALSE;
    }
  *out = v;
  return TRUE;
}

gint64
bw_config_get_int_default (BwConfig *node, const char *key, gint64 def)
{
  Value *v;
  return default_check (node, key, BW_CONFIG_TYPE_INT, &v) ? v->i : def;
}

gboolean
bw_config_get_bool_default (BwConfig *node, const char *key, gboolean def)
{
  Value *v;
  return default_check (node, key, BW_CONFIG_TYPE_BOOL, &v) ? v->b : def;
}

const char *
bw_config_get_string_default (BwConfig *node, const char *key, const char *def)
{
  Value *v;
  return default_check (node, key, BW_CONFIG_TYPE_STRING, &v) ? v->s : def;
}

static void
dump (BwConfig *node, GString *out, int depth)
{
  for (guint i = 0; i < node->values->len; i++)
    {
      Value *v = g_ptr_array_index (node->values, i);
      g_string_append_printf (out, "%*s%s = ", depth * 2, "", v->key);
      switch (v->type)
        {
        case BW_CONFIG_TYPE_INT:
          g_string_append_printf (out, "%" G_GINT64_FORMAT " (%#" G_GINT64_MODIFIER "x)\n", v->i,
                                  v->i);
          break;
        case BW_CONFIG_TYPE_BOOL:
          g_string_append (out, v->b ? "true\n" : "false\n");
          break;
        case BW_CONFIG_TYPE_STRING:
          {
            g_autofree char *escaped = g_strescape (v->s, NULL);
            g_string_append_printf (out, "\"%s\"\n", escaped);
            break;
          }
        case BW_CONFIG_TYPE_BYTES:
          g_string_append_printf (out, "<%" G_GSIZE_FORMAT " bytes>\n", g_bytes_get_size (v->bytes));
          break;
        default:
          g_string_append (out, "?\n");
          break;
        }
    }
  for (GList *l = node->children; l; l = l->next)
    {
      BwConfig *c = l->data;
      g_string_append_printf (out, "%*s%s/\n", depth * 2, "", c->name);
      dump (c, out, depth + 1);
    }
}

void
bw_config_dump (BwConfig *node, GString *out)
{
  dump (node, out, 0);
}
