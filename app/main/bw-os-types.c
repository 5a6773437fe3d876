/* bw-os-types.c: the guest OS type table. */
#define G_LOG_DOMAIN "boxwood-main"
#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "app/main/bw-main-resources.h"
#include "app/main/bw-os-types.h"
#include "app/main/bw-settings-xml-private.h"

void
bw_os_type_free (BwOsType *t)
{
  if (t == NULL)
    return;
  g_free (t->id);
  g_free (t->family);
  g_free (t->description);
  g_free (t);
}

static BwOsType *
parse_entry (const BwXmlReader *rd, xmlNode *node, GError **error)
{
  g_autoptr (GPtrArray) hold = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_os_type_free);
  BwOsType *t = g_new0 (BwOsType, 1);
  g_ptr_array_add (hold, t);
  guint bits = 32;
  if (!bw_xml_get_string (rd, node, "id", TRUE, &t->id, error) ||
      !bw_xml_get_string (rd, node, "family", TRUE, &t->family, error) ||
      !bw_xml_get_string (rd, node, "description", TRUE, &t->description, error) ||
      !bw_xml_get_uint (rd, node, "bits", TRUE, 32, 64, &bits, error) ||
      !bw_xml_get_uint (rd, node, "memoryMiB", TRUE, BW_MEMORY_MIN_MIB,
                        BW_MEMORY_MAX_MIB, &t->memory_mib, error) ||
      !bw_xml_get_uint (rd, node, "diskGiB", TRUE, 1, 65536, &t->disk_gib, error) ||
      !bw_xml_get_uint (rd, node, "vramMiB", TRUE, BW_VRAM_MIN_MIB,
                        BW_VRAM_MAX_MIB, &t->vram_mib, error))
    return NULL;
  if (t->id == NULL || t->family == NULL || t->description == NULL)
    {
      bw_xml_set_error (error, rd, node, "<OSType> has an empty id, family or description");
      return NULL;
    }
  if (bits != 32 && bits != 64)
    {
      bw_xml_set_error (error, rd, node, "bits=\"%u\" must be 32 or 64", bits);
      return NULL;
    }
  t->is_64bit = bits == 64;
  return g_ptr_array_steal_index (hold, 0);
}

GPtrArray *
bw_os_types_load_from_data (const char *data, gsize len,
                            const char *display_name, GError **error)
{
  BwXmlReader rd = { display_name, 0 };
  xmlDoc *doc = bw_xml_parse (data, len, display_name, error);
  if (doc == NULL)
    return NULL;
  GPtrArray *types = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_os_type_free);
  xmlNode *root = bw_xml_check_root (doc, &rd, "OSTypes", 1, 1, error);
  if (root == NULL)
    goto fail;
  for (xmlNode *n = bw_xml_child (root, "OSType"); n != NULL; n = bw_xml_next (n, "OSType"))
    {
      BwOsType *t = parse_entry (&rd, n, error);
      if (t == NULL)
        goto fail;
      for (guint i = 0; i < types->len; i++)
        if (g_ascii_strcasecmp (((BwOsType *) types->pdata[i])->id, t->id) == 0)
          {
            bw_xml_set_error (error, &rd, n, "OS type id \"%s\" appears twice", t->id);
            bw_os_type_free (t);
            goto fail;
          }
      g_ptr_array_add (types, t);
    }
  if (types->len == 0)
    {
      bw_xml_set_error (error, &rd, root, "the OS type table is empty");
      goto fail;
    }
  xmlFreeDoc (doc);
  return types;

fail:
  xmlFreeDoc (doc);
  g_ptr_array_unref (types);
  return NULL;
}

GPtrArray *
bw_os_types_load_file (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  return bw_os_types_load_from_data (data, len, path, error);
}

const GPtrArray *
bw_os_types_get_all (void)
{
  static GPtrArray *table = NULL;
  if (g_once_init_enter (&table))
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GBytes) bytes =
        g_resource_lookup_data (bw_main_get_resource (), "/org/boxwood/main/ostypes.xml",
                                G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      GPtrArray *t = NULL;
      if (bytes != NULL)
        {
          gsize len = 0;
          const char *data = g_bytes_get_data (bytes, &len);
          t = bw_os_types_load_from_data (data, len, "resource:///org/boxwood/main/ostypes.xml", &error);
        }
      /* The table is part of the build and tested; a failure is a build bug. */
      if (t == NULL)
        g_error ("cannot load the embedded OS type table: %s", error->message);
      g_once_init_leave (&table, t);
    }
  return table;
}

const BwOsType *
bw_os_types_lookup (const char *id)
{
  if (id == NULL)
    return NULL;
  const GPtrArray *all = bw_os_types_get_all ();
  for (guint i = 0; i < all->len; i++)
    {
      const BwOsType *t = all->pdata[i];
      if (g_ascii_strcasecmp (t->id, id) == 0)
        return t;
    }
  return NULL;
}

const BwOsType *
bw_os_types_get_default (void)
{
  const BwOsType *t = bw_os_types_lookup ("Other");
  return t ? t : g_ptr_array_index (bw_os_types_get_all (), 0);
}
