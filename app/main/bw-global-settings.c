/* bw-global-settings.c: boxwood.xml <-> BwGlobalSettings.
 *
 *   <BoxwoodGlobal xmlns="https://boxwood.example/settings" version="2">
 *     <SystemProperties defaultMachineFolder="..."/>
 *     <MachineRegistry><MachineEntry uuid src/>...</MachineRegistry>
 *     <MediaRegistry>
 *       <HardDisks><HardDisk uuid location format type [parent]/>...</HardDisks>
 *       <DVDImages><Image uuid location format type/>...</DVDImages>
 *     </MediaRegistry>
 *   </BoxwoodGlobal>
 * Version 1 of this file has the same layout. */
#define G_LOG_DOMAIN "boxwood-main"
#include "config.h"

#include <errno.h>
#include <string.h>

#include "app/main/bw-atomic-file.h"
#include "app/main/bw-global-settings.h"
#include "app/main/bw-paths.h"
#include "app/main/bw-settings-xml-private.h"

#define ROOT_NAME "BoxwoodGlobal"

G_DEFINE_BOXED_TYPE (BwGlobalSettings, bw_global_settings, bw_global_settings_copy,
                     bw_global_settings_free)
G_DEFINE_BOXED_TYPE (BwMedium, bw_medium, bw_medium_copy, bw_medium_free)

static const char *const root_attrs[] = { "version", NULL };
static const char *const root_children[] = { "SystemProperties", "MachineRegistry",
                                             "MediaRegistry", NULL };
static const char *const sysprops_attrs[] = { "defaultMachineFolder", NULL };
static const char *const machines_children[] = { "MachineEntry", NULL };
static const char *const entry_attrs[] = { "uuid", "src", NULL };
static const char *const media_children[] = { "HardDisks", "DVDImages", NULL };
static const char *const hdds_children[] = { "HardDisk", NULL };
static const char *const dvds_children[] = { "Image", NULL };
static const char *const medium_attrs[] = { "uuid", "location", "format", "type", "parent", NULL };
static const char *const none[] = { NULL };

BwMedium *
bw_medium_new (BwMediumKind kind, const char *uuid, const char *path, const char *format)
{
  BwMedium *m = g_new0 (BwMedium, 1);
  m->kind = kind;
  m->uuid = g_strdup (uuid);
  m->path = g_strdup (path);
  m->format = g_strdup (format);
  m->type = kind == BW_MEDIUM_KIND_DVD ? BW_MEDIUM_TYPE_READONLY : BW_MEDIUM_TYPE_NORMAL;
  return m;
}

BwMedium *
bw_medium_copy (const BwMedium *m)
{
  BwMedium *c = bw_medium_new (m->kind, m->uuid, m->path, m->format);
  c->type = m->type;
  c->parent_uuid = g_strdup (m->parent_uuid);
  c->extras = bw_xml_extras_copy (m->extras);
  return c;
}

void
bw_medium_free (BwMedium *m)
{
  if (m == NULL)
    return;
  g_free (m->uuid);
  g_free (m->path);
  g_free (m->format);
  g_free (m->parent_uuid);
  bw_xml_extras_free (m->extras);
  g_free (m);
}

BwMachineEntry *
bw_machine_entry_new (const char *uuid, const char *path)
{
  BwMachineEntry *e = g_new0 (BwMachineEntry, 1);
  e->uuid = g_strdup (uuid);
  e->path = g_strdup (path);
  return e;
}

BwMachineEntry *
bw_machine_entry_copy (const BwMachineEntry *e)
{
  BwMachineEntry *c = bw_machine_entry_new (e->uuid, e->path);
  c->extras = bw_xml_extras_copy (e->extras);
  return c;
}

void
bw_machine_entry_free (BwMachineEntry *e)
{
  if (e == NULL)
    return;
  g_free (e->uuid);
  g_free (e->path);
  bw_xml_extras_free (e->extras);
  g_free (e);
}

BwGlobalSettings *
bw_global_settings_new (void)
{
  BwGlobalSettings *g = g_new0 (BwGlobalSettings, 1);
  g->machine_folder = bw_paths_default_machine_folder ();
  g->machines = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_machine_entry_free);
  g->media = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_medium_free);
  return g;
}

BwGlobalSettings *
bw_global_settings_copy (const BwGlobalSettings *g)
{
  BwGlobalSettings *c = bw_global_settings_new ();
  g_free (c->machine_folder);
  c->machine_folder = g_strdup (g->machine_folder);
  for (guint i = 0; i < g->machines->len; i++)
    g_ptr_array_add (c->machines, bw_machine_entry_copy (g->machines->pdata[i]));
  for (guint i = 0; i < g->media->len; i++)
    g_ptr_array_add (c->media, bw_medium_copy (g->media->pdata[i]));
  c->extras = bw_xml_extras_copy (g->extras);
  c->loaded_version = g->loaded_version;
  c->loaded_from_prev = g->loaded_from_prev;
  return c;
}

void
bw_global_settings_free (BwGlobalSettings *g)
{
  if (g == NULL)
    return;
  g_free (g->machine_folder);
  g_ptr_array_unref (g->machines);
  g_ptr_array_unref (g->media);
  bw_xml_extras_free (g->extras);
  g_free (g);
}

gboolean
bw_global_settings_equal (const BwGlobalSettings *a, const BwGlobalSettings *b)
{
  if (g_strcmp0 (a->machine_folder, b->machine_folder) != 0 ||
      a->machines->len != b->machines->len || a->media->len != b->media->len ||
      !bw_xml_extras_equal (a->extras, b->extras))
    return FALSE;
  for (guint i = 0; i < a->machines->len; i++)
    {
      const BwMachineEntry *x = a->machines->pdata[i], *y = b->machines->pdata[i];
      if (g_strcmp0 (x->uuid, y->uuid) != 0 || g_strcmp0 (x->path, y->path) != 0 ||
          !bw_xml_extras_equal (x->extras, y->extras))
        return FALSE;
    }
  for (guint i = 0; i < a->media->len; i++)
    {
      const BwMedium *x = a->media->pdata[i], *y = b->media->pdata[i];
      if (x->kind != y->kind || x->type != y->type || g_strcmp0 (x->uuid, y->uuid) != 0 ||
          g_strcmp0 (x->path, y->path) != 0 || g_strcmp0 (x->format, y->format) != 0 ||
          g_strcmp0 (x->parent_uuid, y->parent_uuid) != 0 ||
          !bw_xml_extras_equal (x->extras, y->extras))
        return FALSE;
    }
  return TRUE;
}

BwMachineEntry *
bw_global_settings_find_machine (const BwGlobalSettings *g, const char *uuid_or_path)
{
  g_autofree char *uuid = bw_uuid_normalize (uuid_or_path);
  g_autofree char *path = uuid ? NULL : bw_paths_absolute (uuid_or_path, NULL);
  for (guint i = 0; i < g->machines->len; i++)
    {
      BwMachineEntry *e = g->machines->pdata[i];
      if (uuid ? g_strcmp0 (e->uuid, uuid) == 0 : g_strcmp0 (e->path, path) == 0)
        return e;
    }
  return NULL;
}

BwMedium *
bw_global_settings_find_medium (const BwGlobalSettings *g, BwMediumKind kind,
                                const char *uuid_or_path)
{
  g_autofree char *uuid = bw_uuid_normalize (uuid_or_path);
  g_autofree char *path = uuid ? NULL : bw_paths_absolute (uuid_or_path, NULL);
  for (guint i = 0; i < g->media->len; i++)
    {
      BwMedium *m = g->media->pdata[i];
      if (m->kind != kind)
        continue;
      if (uuid ? g_strcmp0 (m->uuid, uuid) == 0 : g_strcmp0 (m->path, path) == 0)
        return m;
    }
  return NULL;
}

/* Reading. Relative paths are taken relative to boxwood.xml's folder. */

static gboolean
read_path (const BwXmlReader *rd, xmlNode *node, const char *attr, char **out,
           GError **error)
{
  g_autofree char *v = NULL;
  if (!bw_xml_get_string (rd, node, attr, TRUE, &v, error))
    return FALSE;
  if (v == NULL)
    {
      bw_xml_set_error (error, rd, node, "attribute %s is empty", attr);
      return FALSE;
    }
  g_autofree char *base = g_path_get_dirname (rd->file);
  *out = bw_paths_absolute (v, base);
  return TRUE;
}

static gboolean
read_media (const BwXmlReader *rd, xmlNode *list, BwMediumKind kind, const char *elem,
            BwGlobalSettings *g, GError **error)
{
  for (xmlNode *n = bw_xml_child (list, elem); n != NULL; n = bw_xml_next (n, elem))
    {
      g_autoptr (BwMedium) m = bw_medium_new (kind, NULL, NULL, NULL);
      int type = m->type;
      if (!bw_xml_get_uuid (rd, n, "uuid", TRUE, &m->uuid, error) ||
          !read_path (rd, n, "location", &m->path, error) ||
          !bw_xml_get_string (rd, n, "format", TRUE, &m->format, error) ||
          !bw_xml_get_enum (rd, n, "type", FALSE, bw_medium_type_from_string,
                            "medium type", &type, error) ||
          !bw_xml_get_uuid (rd, n, "parent", FALSE, &m->parent_uuid, error))
        return FALSE;
      m->type = type;
      if (m->format == NULL)
        {
          bw_xml_set_error (error, rd, n, "medium %s has an empty format", m->uuid);
          return FALSE;
        }
      if (bw_global_settings_find_medium (g, kind, m->uuid) != NULL)
        {
          bw_xml_set_error (error, rd, n, "medium UUID %s is registered twice", m->uuid);
          return FALSE;
        }
      bw_xml_extras_collect (&m->extras, "", n, medium_attrs, none);
      g_ptr_array_add (g->media, g_steal_pointer (&m));
    }
  return TRUE;
}

static BwGlobalSettings *
read_global (BwXmlReader *rd, xmlDoc *doc, GError **error)
{
  xmlNode *root = bw_xml_check_root (doc, rd, ROOT_NAME, 1, BW_SETTINGS_FORMAT_VERSION, error);
  if (root == NULL)
    return NULL;
  g_autoptr (BwGlobalSettings) g = bw_global_settings_new ();
  bw_xml_extras_collect (&g->extras, "", root, root_attrs, root_children);

  xmlNode *n = bw_xml_child (root, "SystemProperties");
  if (n != NULL)
    {
      g_autofree char *folder = NULL;
      if (!bw_xml_get_string (rd, n, "defaultMachineFolder", FALSE, &folder, error))
        return NULL;
      if (folder != NULL)
        {
          g_free (g->machine_folder);
          g->machine_folder = g_steal_pointer (&folder);
        }
      bw_xml_extras_collect (&g->extras, "SystemProperties", n, sysprops_attrs, none);
    }

  n = bw_xml_child (root, "MachineRegistry");
  if (n != NULL)
    {
      for (xmlNode *e = bw_xml_child (n, "MachineEntry"); e != NULL;
           e = bw_xml_next (e, "MachineEntry"))
        {
          g_autoptr (BwMachineEntry) entry = bw_machine_entry_new (NULL, NULL);
          if (!bw_xml_get_uuid (rd, e, "uuid", TRUE, &entry->uuid, error) ||
              !read_path (rd, e, "src", &entry->path, error))
            return NULL;
          if (bw_global_settings_find_machine (g, entry->uuid) != NULL)
            {
              bw_xml_set_error (error, rd, e, "machine UUID %s is registered twice",
                                entry->uuid);
              return NULL;
            }
          bw_xml_extras_collect (&entry->extras, "", e, entry_attrs, none);
          g_ptr_array_add (g->machines, g_steal_pointer (&entry));
        }
      bw_xml_extras_collect (&g->extras, "MachineRegistry", n, none, machines_children);
    }

  n = bw_xml_child (root, "MediaRegistry");
  if (n != NULL)
    {
      xmlNode *l;
      if ((l = bw_xml_child (n, "HardDisks")) != NULL)
        {
          if (!read_media (rd, l, BW_MEDIUM_KIND_HDD, "HardDisk", g, error))
            return NULL;
          bw_xml_extras_collect (&g->extras, "HardDisks", l, none, hdds_children);
        }
      if ((l = bw_xml_child (n, "DVDImages")) != NULL)
        {
          if (!read_media (rd, l, BW_MEDIUM_KIND_DVD, "Image", g, error))
            return NULL;
          bw_xml_extras_collect (&g->extras, "DVDImages", l, none, dvds_children);
        }
      bw_xml_extras_collect (&g->extras, "MediaRegistry", n, none, media_children);
    }
  g->loaded_version = rd->version;
  return g_steal_pointer (&g);
}

BwGlobalSettings *
bw_global_settings_load_from_data (const char *data, gsize len, const char *display_name,
                                   GError **error)
{
  BwXmlReader rd = { display_name ? display_name : "(global settings)", 0 };
  xmlDoc *doc = bw_xml_parse (data, len, rd.file, error);
  if (doc == NULL)
    return NULL;
  BwGlobalSettings *g = read_global (&rd, doc, error);
  xmlFreeDoc (doc);
  return g;
}

BwGlobalSettings *
bw_global_settings_load (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  gboolean used_prev = FALSE;
  GError *local = NULL;
  if (!bw_atomic_file_read (path, &data, &len, &used_prev, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_error_free (local);
          return bw_global_settings_new ();
        }
      g_propagate_error (error, local);
      return NULL;
    }
  g_autofree char *shown = used_prev ? g_strconcat (path, BW_PREV_SUFFIX, NULL) : g_strdup (path);
  BwGlobalSettings *g = bw_global_settings_load_from_data (data, len, shown, error);
  if (g != NULL)
    g->loaded_from_prev = used_prev;
  return g;
}

/* Writing. */

static void
write_media (xmlNode *parent, const char *list_name, const char *elem, BwMediumKind kind,
             const BwGlobalSettings *g)
{
  xmlNode *l = bw_xml_add_child (parent, list_name);
  for (guint i = 0; i < g->media->len; i++)
    {
      const BwMedium *m = g->media->pdata[i];
      if (m->kind != kind)
        continue;
      xmlNode *n = bw_xml_add_child (l, elem);
      bw_xml_set_string (n, "uuid", m->uuid);
      bw_xml_set_string (n, "location", m->path);
      bw_xml_set_string (n, "format", m->format);
      bw_xml_set_string (n, "type", bw_medium_type_to_string (m->type));
      bw_xml_set_string (n, "parent", m->parent_uuid);
      bw_xml_extras_apply (m->extras, "", n);
    }
  bw_xml_extras_apply (g->extras, list_name, l);
}

char *
bw_global_settings_to_data (const BwGlobalSettings *g, gsize *len)
{
  xmlNode *root = NULL;
  xmlDoc *doc = bw_xml_new_doc (ROOT_NAME, BW_SETTINGS_FORMAT_VERSION, &root);

  xmlNode *n = bw_xml_add_child (root, "SystemProperties");
  bw_xml_set_string (n, "defaultMachineFolder", g->machine_folder);
  bw_xml_extras_apply (g->extras, "SystemProperties", n);

  n = bw_xml_add_child (root, "MachineRegistry");
  for (guint i = 0; i < g->machines->len; i++)
    {
      const BwMachineEntry *e = g->machines->pdata[i];
      xmlNode *en = bw_xml_add_child (n, "MachineEntry");
      bw_xml_set_string (en, "uuid", e->uuid);
      bw_xml_set_string (en, "src", e->path);
      bw_xml_extras_apply (e->extras, "", en);
    }
  bw_xml_extras_apply (g->extras, "MachineRegistry", n);

  n = bw_xml_add_child (root, "MediaRegistry");
  write_media (n, "HardDisks", "HardDisk", BW_MEDIUM_KIND_HDD, g);
  write_media (n, "DVDImages", "Image", BW_MEDIUM_KIND_DVD, g);
  bw_xml_extras_apply (g->extras, "MediaRegistry", n);

  bw_xml_extras_apply (g->extras, "", root);
  char *data = bw_xml_dump (doc, len);
  xmlFreeDoc (doc);
  return data;
}

/* Text that XML 1.0 can hold: valid UTF-8 without C0 controls other than
 * tab, newline and carriage return. */
static gboolean
text_ok (const char *value)
{
  if (value == NULL)
    return TRUE;
  if (!g_utf8_validate (value, -1, NULL))
    return FALSE;
  for (const char *p = value; *p; p++)
    if ((guchar) *p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
      return FALSE;
  return TRUE;
}

static gboolean
check_global (const BwGlobalSettings *g, const char *path, GError **error)
{
  const char *bad = NULL;
  if (!text_ok (g->machine_folder))
    bad = g->machine_folder;
  for (guint i = 0; bad == NULL && i < g->machines->len; i++)
    {
      const BwMachineEntry *e = g->machines->pdata[i];
      if (e->uuid == NULL || e->path == NULL || !text_ok (e->path))
        bad = e->path ? e->path : "(machine entry without uuid or path)";
    }
  for (guint i = 0; bad == NULL && i < g->media->len; i++)
    {
      const BwMedium *m = g->media->pdata[i];
      if (m->uuid == NULL || m->path == NULL || m->format == NULL || !text_ok (m->path) ||
          !text_ok (m->format))
        bad = m->path ? m->path : "(medium without uuid, path or format)";
    }
  if (bad == NULL)
    return TRUE;
  g_autofree char *shown = g_strescape (bad, NULL);
  g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_INVALID,
               "%s: not saved: \"%s\" is incomplete or has characters a settings file "
               "cannot hold", path, shown);
  return FALSE;
}

gboolean
bw_global_settings_save (BwGlobalSettings *g, const char *path, GError **error)
{
  if (!check_global (g, path, error))
    return FALSE;
  g_autofree char *dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   "cannot create folder %s: %s", dir, g_strerror (e));
      return FALSE;
    }
  if (g->loaded_version != 0 && g->loaded_version < BW_SETTINGS_FORMAT_VERSION &&
      g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *backup = g_strdup_printf ("%s-v%u.bak", path, g->loaded_version);
      if (!bw_atomic_file_backup (path, backup, error))
        return FALSE;
    }
  gsize len = 0;
  g_autofree char *data = bw_global_settings_to_data (g, &len);
  if (!bw_atomic_file_write (path, data, len, error))
    return FALSE;
  g->loaded_version = BW_SETTINGS_FORMAT_VERSION;
  g->loaded_from_prev = FALSE;
  return TRUE;
}
