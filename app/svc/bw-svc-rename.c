#define G_LOG_DOMAIN "boxwood-svc"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "app/main/bw-atomic-file.h"
#include "app/main/bw-paths.h"
#include "app/main/client/bw-client.h"
#include "app/svc/bw-svc-machines-private.h"

/* Renaming machine OLD to NEW moves <base>/OLD/OLD.bwvm (and its -prev and
 * backups) to <base>/NEW/NEW.bwvm and then points the registry there: three
 * steps that a crash can separate. The settings (with the new name) are
 * written first, in place; then a journal in the config folder records
 * where the file goes; then the files move; then the registry is updated
 * and the journal removed. On start the service finishes whatever a
 * journal says was under way, so a registered machine is never lost. */

#define JOURNAL_NAME "rename-journal"
#define JOURNAL_GROUP "rename"

static char *
journal_path (BwSvcMachines *self)
{
  return g_build_filename (self->config_dir, JOURNAL_NAME, NULL);
}

static void
journal_remove (BwSvcMachines *self)
{
  g_autofree char *path = journal_path (self);
  g_autofree char *prev = g_strconcat (path, BW_PREV_SUFFIX, NULL);
  g_unlink (path);
  g_unlink (prev);
}

static gboolean
journal_write (BwSvcMachines *self, const char *uuid, const char *from, const char *to,
               GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_key_file_set_string (kf, JOURNAL_GROUP, "uuid", uuid);
  g_key_file_set_string (kf, JOURNAL_GROUP, "from", from);
  g_key_file_set_string (kf, JOURNAL_GROUP, "to", to);
  gsize len;
  g_autofree char *data = g_key_file_to_data (kf, &len, NULL);
  g_autofree char *path = journal_path (self);
  return bw_atomic_file_write (path, data, len, error);
}

/* Where the settings file of a machine at `old_path` goes for `new_name`;
 * NULL (and no error) when nothing moves. */
static char *
plan (const char *old_path, const char *new_name, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (old_path);
  g_autofree char *base = g_path_get_basename (old_path);
  if (!g_str_has_suffix (base, BW_MACHINE_SETTINGS_SUFFIX))
    return NULL;
  g_autofree char *stem = g_strndup (base, strlen (base) - strlen (BW_MACHINE_SETTINGS_SUFFIX));
  if (g_str_equal (stem, new_name))
    return NULL;

  g_autofree char *new_file = g_strconcat (new_name, BW_MACHINE_SETTINGS_SUFFIX, NULL);
  g_autofree char *dir_base = g_path_get_basename (dir);
  g_autofree char *target = NULL;
  const char *blocker;
  g_autofree char *new_dir = NULL;
  if (g_str_equal (dir_base, stem))
    {
      g_autofree char *parent = g_path_get_dirname (dir);
      new_dir = g_build_filename (parent, new_name, NULL);
      target = g_build_filename (new_dir, new_file, NULL);
      blocker = new_dir;
    }
  else
    {
      target = g_build_filename (dir, new_file, NULL);
      blocker = target;
    }
  if (g_file_test (blocker, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_EXISTS,
                   "cannot rename the machine to '%s': '%s' already exists", new_name, blocker);
      return NULL;
    }
  return g_steal_pointer (&target);
}

/* Moves every "<from base>*" file of from's folder to "<to base>*". */
static gboolean
move_files (const char *from, const char *to, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (from);
  g_autofree char *old_base = g_path_get_basename (from);
  g_autofree char *new_base = g_path_get_basename (to);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return TRUE; /* already moved with its folder */

  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  /* Skip what already carries the new name, in case the new name begins
   * with the old file's name ("A" renamed to "A.bwvm x"). */
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, old_base) && !g_str_has_prefix (name, new_base))
      g_ptr_array_add (names, g_strdup (name));

  for (guint i = 0; i < names->len; i++)
    {
      const char *old_name = g_ptr_array_index (names, i);
      g_autofree char *src = g_build_filename (dir, old_name, NULL);
      g_autofree char *dst_name = g_strconcat (new_base, old_name + strlen (old_base), NULL);
      g_autofree char *dst = g_build_filename (dir, dst_name, NULL);
      if (g_rename (src, dst) != 0)
        {
          int saved = errno;
          g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_IO, "cannot rename '%s' to '%s': %s",
                       src, dst, g_strerror (saved));
          return FALSE;
        }
    }
  return TRUE;
}

/* "<old_dir>/x" -> "<new_dir>/x"; TRUE when it changed. */
static gboolean
rebase (char **path, const char *old_dir, const char *new_dir)
{
  gsize n = strlen (old_dir);
  if (*path == NULL || strncmp (*path, old_dir, n) != 0 || (*path)[n] != G_DIR_SEPARATOR)
    return FALSE;
  char *moved = g_strconcat (new_dir, *path + n, NULL);
  g_free (*path);
  *path = moved;
  return TRUE;
}

static gboolean
rebase_hardware (BwHardware *hw, const char *old_dir, const char *new_dir)
{
  gboolean changed = rebase (&hw->kernel, old_dir, new_dir);
  changed |= rebase (&hw->initrd, old_dir, new_dir);
  for (guint i = 0; i < BW_SERIAL_PORT_COUNT; i++)
    changed |= rebase (&hw->serial_ports[i].path, old_dir, new_dir);
  for (guint c = 0; c < hw->storage_controllers->len; c++)
    {
      BwStorageController *ctl = g_ptr_array_index (hw->storage_controllers, c);
      for (guint a = 0; a < ctl->attachments->len; a++)
        {
          BwStorageAttachment *att = g_ptr_array_index (ctl->attachments, a);
          changed |= rebase (&att->medium, old_dir, new_dir);
        }
    }
  return changed;
}

static gboolean
rebase_snapshot (BwSnapshot *snap, const char *old_dir, const char *new_dir)
{
  if (snap == NULL)
    return FALSE;
  gboolean changed = rebase_hardware (snap->hardware, old_dir, new_dir);
  changed |= rebase (&snap->state_file, old_dir, new_dir);
  for (guint i = 0; snap->children != NULL && i < snap->children->len; i++)
    changed |= rebase_snapshot (g_ptr_array_index (snap->children, i), old_dir, new_dir);
  return changed;
}

/* Images, logs and snapshots moved with the folder: point the settings
 * file at `path` there. Idempotent, so recovery can run it again. */
static gboolean
rebase_settings (const char *path, const char *old_dir, const char *new_dir, GError **error)
{
  g_autoptr (BwMachineSettings) s = bw_machine_settings_load (path, error);
  if (s == NULL)
    return FALSE;
  gboolean changed = rebase_hardware (s->hardware, old_dir, new_dir);
  changed |= rebase (&s->state_file, old_dir, new_dir);
  changed |= rebase_snapshot (s->first_snapshot, old_dir, new_dir);
  return !changed || bw_machine_settings_save (s, path, error);
}

/* Does the rest of a rename from `from` to `to` and registers whichever
 * file exists at the end (to, or the renamed file in the old folder, or
 * from). Returns that path. */
static char *
complete (BwSvcMachines *self, const char *uuid, const char *from, const char *to,
          GError **error)
{
  GError *local = NULL;
  g_autofree char *old_dir = g_path_get_dirname (from);
  g_autofree char *new_dir = g_path_get_dirname (to);
  g_autofree char *new_base = g_path_get_basename (to);
  g_autofree char *mid = g_build_filename (old_dir, new_base, NULL);
  gboolean ok = move_files (from, to, &local);

  if (ok && !g_str_equal (old_dir, new_dir) && g_file_test (old_dir, G_FILE_TEST_IS_DIR)
      && !g_file_test (new_dir, G_FILE_TEST_EXISTS) && g_rename (old_dir, new_dir) != 0)
    {
      int saved = errno;
      g_set_error (&local, BW_CLIENT_ERROR, BW_CLIENT_ERROR_IO, "cannot rename '%s' to '%s': %s",
                   old_dir, new_dir, g_strerror (saved));
    }

  const char *final = g_file_test (to, G_FILE_TEST_EXISTS)    ? to
                      : g_file_test (mid, G_FILE_TEST_EXISTS) ? mid
                                                              : from;
  gboolean folder_moved = final == to && !g_str_equal (old_dir, new_dir);
  if (local == NULL && folder_moved)
    rebase_settings (final, old_dir, new_dir, &local);
  if (local != NULL)
    g_warning ("renaming machine {%s}: %s; its settings are at %s", uuid, local->message, final);
  g_clear_error (&local);

  /* One write of boxwood.xml: the machine's path and the paths of the
   * images that moved with its folder. */
  BwGlobalSettings *global = bw_registry_get_global (self->registry);
  BwMachineEntry *m = bw_global_settings_find_machine (global, uuid);
  gboolean changed = FALSE;
  if (m != NULL && !g_str_equal (m->path, final))
    {
      g_free (m->path);
      m->path = g_strdup (final);
      changed = TRUE;
    }
  for (guint i = 0; folder_moved && i < global->media->len; i++)
    changed |= rebase (&((BwMedium *) g_ptr_array_index (global->media, i))->path, old_dir,
                       new_dir);
  if (changed && !bw_registry_save (self->registry, &local))
    {
      /* Keep memory as the disk says; the journal stays for the next try. */
      bw_registry_reload (self->registry, NULL);
      bw_svc_error_propagate (error, local, BW_CLIENT_ERROR_NOT_FOUND);
      return NULL;
    }
  journal_remove (self);
  bw_svc_machines_forget (self, uuid);
  return g_strdup (final);
}

gboolean
bw_svc_rename_machine (BwSvcMachines *self, const char *uuid, const char *old_path,
                       BwMachineSettings *settings, char **new_path_out, GError **error)
{
  GError *local = NULL;
  g_autofree char *target = plan (old_path, settings->name, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  if (!bw_machine_settings_save (settings, old_path, &local))
    {
      bw_svc_error_propagate (error, local, BW_CLIENT_ERROR_NOT_FOUND);
      return FALSE;
    }
  if (target == NULL)
    {
      *new_path_out = g_strdup (old_path);
      return TRUE;
    }
  if (!journal_write (self, uuid, old_path, target, &local))
    {
      /* Nothing moved: the machine keeps its folder under the new name. */
      g_warning ("cannot write the rename journal: %s", local->message);
      g_clear_error (&local);
      *new_path_out = g_strdup (old_path);
      return TRUE;
    }
  *new_path_out = complete (self, uuid, old_path, target, error);
  return *new_path_out != NULL;
}

void
bw_svc_rename_recover (BwSvcMachines *self)
{
  g_autofree char *path = journal_path (self);
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) error = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &error))
    {
      g_warning ("%s: %s; ignoring it", path, error->message);
      journal_remove (self);
      return;
    }
  g_autofree char *uuid = g_key_file_get_string (kf, JOURNAL_GROUP, "uuid", NULL);
  g_autofree char *from = g_key_file_get_string (kf, JOURNAL_GROUP, "from", NULL);
  g_autofree char *to = g_key_file_get_string (kf, JOURNAL_GROUP, "to", NULL);
  if (uuid == NULL || from == NULL || to == NULL)
    {
      journal_remove (self);
      return;
    }
  g_message ("finishing the interrupted rename of machine {%s} to %s", uuid, to);
  g_autofree char *final = complete (self, uuid, from, to, &error);
  if (final == NULL)
    g_warning ("%s", error->message);
}
