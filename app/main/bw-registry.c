/* bw-registry.c: the machine and media registry on top of boxwood.xml. */
#define G_LOG_DOMAIN "boxwood-main"
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "app/main/bw-os-types.h"
#include "app/main/bw-paths.h"
#include "app/main/bw-registry.h"
#include "app/main/bw-settings-error.h"
#include "app/main/bw-settings-xml-private.h"

struct _BwRegistry {
  char             *config_dir;
  char             *global_path;
  BwGlobalSettings *global;
};

void
bw_registry_machine_free (BwRegistryMachine *m)
{
  if (m == NULL)
    return;
  g_free (m->uuid);
  g_free (m->path);
  bw_machine_settings_free (m->settings);
  g_clear_error (&m->error);
  g_free (m);
}

BwRegistry *
bw_registry_open (const char *config_dir, GError **error)
{
  g_autoptr (BwRegistry) reg = g_new0 (BwRegistry, 1);
  reg->config_dir = config_dir ? bw_paths_absolute (config_dir, NULL) : bw_paths_user_home ();
  reg->global_path = g_build_filename (reg->config_dir, BW_GLOBAL_SETTINGS_FILE_NAME, NULL);
  reg->global = bw_global_settings_load (reg->global_path, error);
  if (reg->global == NULL)
    return NULL;
  if (reg->global->loaded_from_prev)
    g_warning ("%s was missing; read %s%s instead", reg->global_path, reg->global_path,
               BW_PREV_SUFFIX);
  return g_steal_pointer (&reg);
}

void
bw_registry_free (BwRegistry *reg)
{
  if (reg == NULL)
    return;
  g_free (reg->config_dir);
  g_free (reg->global_path);
  bw_global_settings_free (reg->global);
  g_free (reg);
}

const char *
bw_registry_get_config_dir (BwRegistry *reg)
{
  return reg->config_dir;
}

const char *
bw_registry_get_global_path (BwRegistry *reg)
{
  return reg->global_path;
}

BwGlobalSettings *
bw_registry_get_global (BwRegistry *reg)
{
  return reg->global;
}

gboolean
bw_registry_save (BwRegistry *reg, GError **error)
{
  return bw_global_settings_save (reg->global, reg->global_path, error);
}

gboolean
bw_registry_reload (BwRegistry *reg, GError **error)
{
  BwGlobalSettings *g = bw_global_settings_load (reg->global_path, error);
  if (g == NULL)
    return FALSE;
  bw_global_settings_free (reg->global);
  reg->global = g;
  return TRUE;
}

gboolean
bw_registry_set_machine_folder (BwRegistry *reg, const char *folder, GError **error)
{
  if (folder == NULL || folder[0] == '\0')
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_INVALID,
                   "the machine folder cannot be empty");
      return FALSE;
    }
  g_autofree char *old = reg->global->machine_folder;
  reg->global->machine_folder = bw_paths_absolute (folder, NULL);
  if (!bw_registry_save (reg, error))
    {
      g_free (reg->global->machine_folder);
      reg->global->machine_folder = g_steal_pointer (&old);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
bw_registry_list_machines (BwRegistry *reg)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_registry_machine_free);
  for (guint i = 0; i < reg->global->machines->len; i++)
    {
      const BwMachineEntry *e = reg->global->machines->pdata[i];
      BwRegistryMachine *m = g_new0 (BwRegistryMachine, 1);
      m->uuid = g_strdup (e->uuid);
      m->path = g_strdup (e->path);
      m->settings = bw_machine_settings_load (e->path, &m->error);
      if (m->settings != NULL && g_strcmp0 (m->settings->uuid, e->uuid) != 0)
        {
          g_set_error (&m->error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_INVALID,
                       "%s: machine UUID %s does not match the registered UUID %s",
                       e->path, m->settings->uuid, e->uuid);
          g_clear_pointer (&m->settings, bw_machine_settings_free);
        }
      g_ptr_array_add (out, m);
    }
  return out;
}

/* Index of the registered machine with this uuid or name, loading the
 * files only for name matches; -1 if none. */
static int
find_index (BwRegistry *reg, const char *name_or_uuid, BwMachineSettings **loaded,
            GError **error)
{
  g_autofree char *uuid = bw_uuid_normalize (name_or_uuid);
  GPtrArray *machines = reg->global->machines;
  if (uuid != NULL)
    for (guint i = 0; i < machines->len; i++)
      {
        BwMachineEntry *e = machines->pdata[i];
        if (g_strcmp0 (e->uuid, uuid) == 0)
          {
            if (loaded != NULL && (*loaded = bw_machine_settings_load (e->path, error)) == NULL)
              return -2;
            return (int) i;
          }
      }
  for (guint i = 0; i < machines->len; i++)
    {
      BwMachineEntry *e = machines->pdata[i];
      BwMachineSettings *s = bw_machine_settings_load (e->path, NULL);
      if (s != NULL && g_strcmp0 (s->name, name_or_uuid) == 0)
        {
          if (loaded != NULL)
            *loaded = s;
          else
            bw_machine_settings_free (s);
          return (int) i;
        }
      bw_machine_settings_free (s);
    }
  g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_NOT_FOUND,
               "no registered machine has the name or UUID \"%s\"", name_or_uuid);
  return -1;
}

BwMachineSettings *
bw_registry_find_machine (BwRegistry *reg, const char *name_or_uuid, char **path_out,
                          GError **error)
{
  BwMachineSettings *s = NULL;
  int i = find_index (reg, name_or_uuid, &s, error);
  if (i < 0)
    return NULL;
  if (path_out != NULL)
    *path_out = g_strdup (((BwMachineEntry *) reg->global->machines->pdata[i])->path);
  return s;
}

/* Is a registered machine (loadable) named `name`? */
static gboolean
name_taken (BwRegistry *reg, const char *name)
{
  GError *e = NULL;
  int i = find_index (reg, name, NULL, &e);
  g_clear_error (&e);
  /* find_index also matches a uuid; names that are uuids are not names. */
  return i >= 0;
}

BwMachineSettings *
bw_registry_create_machine (BwRegistry *reg, const char *name, const char *os_type,
                            const char *base_folder, gboolean do_register, char **path_out,
                            GError **error)
{
  g_autofree char *path = bw_paths_machine_settings_file (
    base_folder ? base_folder : reg->global->machine_folder, name, error);
  if (path == NULL)
    return NULL;
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_EXISTS,
                   "machine settings file %s already exists", path);
      return NULL;
    }
  if (do_register && name_taken (reg, name))
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_EXISTS,
                   "a machine named \"%s\" is already registered", name);
      return NULL;
    }
  if (os_type != NULL && bw_os_types_lookup (os_type) == NULL)
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_NOT_FOUND,
                   "unknown OS type \"%s\" (see list ostypes)", os_type);
      return NULL;
    }

  g_autoptr (BwMachineSettings) s = bw_machine_settings_new (name, os_type);
  if (!bw_machine_settings_save (s, path, error))
    return NULL;
  if (do_register)
    {
      g_ptr_array_add (reg->global->machines, bw_machine_entry_new (s->uuid, path));
      if (!bw_registry_save (reg, error))
        {
          g_ptr_array_remove_index (reg->global->machines, reg->global->machines->len - 1);
          return NULL;
        }
    }
  if (path_out != NULL)
    *path_out = g_steal_pointer (&path);
  return g_steal_pointer (&s);
}

BwMachineSettings *
bw_registry_register_machine (BwRegistry *reg, const char *settings_path, GError **error)
{
  g_autofree char *path = bw_paths_absolute (settings_path, NULL);
  g_autoptr (BwMachineSettings) s = bw_machine_settings_load (path, error);
  if (s == NULL)
    return NULL;
  if (bw_global_settings_find_machine (reg->global, path) != NULL)
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_EXISTS,
                   "%s is already registered", path);
      return NULL;
    }
  if (bw_global_settings_find_machine (reg->global, s->uuid) != NULL)
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_EXISTS,
                   "%s: a machine with UUID %s is already registered", path, s->uuid);
      return NULL;
    }
  if (name_taken (reg, s->name))
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_EXISTS,
                   "%s: a machine named \"%s\" is already registered", path, s->name);
      return NULL;
    }
  g_ptr_array_add (reg->global->machines, bw_machine_entry_new (s->uuid, path));
  if (!bw_registry_save (reg, error))
    {
      g_ptr_array_remove_index (reg->global->machines, reg->global->machines->len - 1);
      return NULL;
    }
  return g_steal_pointer (&s);
}

/* Remove a folder's files (not recursing into subfolders it did not make)
 * and the folder itself if then empty. */
static void
remove_tree (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return;
  const char *n;
  while ((n = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, n, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR) && !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
        remove_tree (p);
      else
        g_unlink (p);
    }
  g_dir_close (d);
  g_rmdir (dir);
}

static void
delete_machine_files (const char *path)
{
  g_autofree char *folder = bw_paths_machine_folder (path);
  g_autofree char *base = g_path_get_basename (path);
  GDir *d = g_dir_open (folder, 0, NULL);
  if (d != NULL)
    {
      const char *n;
      /* The settings file and its companions: -prev, .tmp, -vN.bak. */
      while ((n = g_dir_read_name (d)) != NULL)
        if (g_str_has_prefix (n, base) &&
            (n[strlen (base)] == '\0' || n[strlen (base)] == '-' || n[strlen (base)] == '.'))
          {
            g_autofree char *p = g_build_filename (folder, n, NULL);
            g_unlink (p);
          }
      g_dir_close (d);
    }
  g_autofree char *logs = bw_paths_machine_logs_dir (path, FALSE, NULL);
  g_autofree char *snaps = bw_paths_machine_snapshots_dir (path, FALSE, NULL);
  remove_tree (logs);
  remove_tree (snaps);
  g_rmdir (folder);   /* only if empty: disk images stay */
}

gboolean
bw_registry_unregister_machine (BwRegistry *reg, const char *name_or_uuid,
                                gboolean delete_files, char **path_out, GError **error)
{
  int i = find_index (reg, name_or_uuid, NULL, error);
  if (i < 0)
    return FALSE;
  BwMachineEntry *e = g_ptr_array_steal_index (reg->global->machines, (guint) i);
  if (!bw_registry_save (reg, error))
    {
      g_ptr_array_insert (reg->global->machines, i, e);
      return FALSE;
    }
  if (delete_files)
    delete_machine_files (e->path);
  if (path_out != NULL)
    *path_out = g_strdup (e->path);
  bw_machine_entry_free (e);
  return TRUE;
}

gboolean
bw_registry_update_machine_path (BwRegistry *reg, const char *uuid, const char *new_path,
                                 GError **error)
{
  g_autofree char *u = bw_uuid_normalize (uuid);
  BwMachineEntry *e = u ? bw_global_settings_find_machine (reg->global, u) : NULL;
  if (e == NULL)
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_NOT_FOUND,
                   "no registered machine has the UUID \"%s\"", uuid);
      return FALSE;
    }
  g_autofree char *old = e->path;
  e->path = bw_paths_absolute (new_path, NULL);
  if (!bw_registry_save (reg, error))
    {
      g_free (e->path);
      e->path = g_steal_pointer (&old);
      return FALSE;
    }
  return TRUE;
}

gboolean
bw_registry_add_medium (BwRegistry *reg, const BwMedium *medium, GError **error)
{
  g_autofree char *uuid = bw_uuid_normalize (medium->uuid);
  if (uuid == NULL || medium->path == NULL || medium->format == NULL)
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_INVALID,
                   "medium %s needs a UUID, a path and a format",
                   medium->path ? medium->path : "(no path)");
      return FALSE;
    }
  g_autofree char *path = bw_paths_absolute (medium->path, NULL);
  if (bw_global_settings_find_medium (reg->global, medium->kind, uuid) != NULL)
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_EXISTS,
                   "a medium with UUID %s is already registered", uuid);
      return FALSE;
    }
  if (bw_global_settings_find_medium (reg->global, medium->kind, path) != NULL)
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_EXISTS,
                   "%s is already registered", path);
      return FALSE;
    }
  BwMedium *m = bw_medium_copy (medium);
  g_free (m->uuid);
  m->uuid = g_steal_pointer (&uuid);
  g_free (m->path);
  m->path = g_steal_pointer (&path);
  g_ptr_array_add (reg->global->media, m);
  if (!bw_registry_save (reg, error))
    {
      g_ptr_array_remove_index (reg->global->media, reg->global->media->len - 1);
      return FALSE;
    }
  return TRUE;
}

gboolean
bw_registry_remove_medium (BwRegistry *reg, BwMediumKind kind, const char *uuid_or_path,
                           GError **error)
{
  BwMedium *m = bw_global_settings_find_medium (reg->global, kind, uuid_or_path);
  if (m == NULL)
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_NOT_FOUND,
                   "no registered %s image has the UUID or path \"%s\"",
                   kind == BW_MEDIUM_KIND_DVD ? "DVD" : "hard disk", uuid_or_path);
      return FALSE;
    }
  guint idx = 0;
  g_ptr_array_find (reg->global->media, m, &idx);
  g_ptr_array_steal_index (reg->global->media, idx);
  if (!bw_registry_save (reg, error))
    {
      g_ptr_array_insert (reg->global->media, (int) idx, m);
      return FALSE;
    }
  bw_medium_free (m);
  return TRUE;
}

GPtrArray *
bw_registry_list_media (BwRegistry *reg, BwMediumKind kind)
{
  GPtrArray *out = g_ptr_array_new ();
  for (guint i = 0; i < reg->global->media->len; i++)
    {
      BwMedium *m = reg->global->media->pdata[i];
      if (m->kind == kind)
        g_ptr_array_add (out, m);
    }
  return out;
}
