#define G_LOG_DOMAIN "boxwood-svc"

#include "config.h"

#include "app/svc/bw-svc-machines-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "app/main/bw-os-types.h"
#include "app/main/bw-paths.h"
#include "app/main/bw-settings-error.h"
#include "app/main/client/bw-client.h"
#include "app/svc/bw-svc-modify.h"
#include "devices/storage/bw-disk.h"

static void
entry_free (BwSvcMachineEntry *e)
{
  g_free (e->uuid);
  g_free (e->path);
  g_clear_pointer (&e->settings, bw_machine_settings_free);
  g_clear_error (&e->error);
  g_free (e);
}

void
bw_svc_error_propagate (GError **dest, GError *src, int not_found)
{
  int code = BW_CLIENT_ERROR_FAILED;

  if (src->domain == BW_CLIENT_ERROR)
    {
      g_propagate_error (dest, src);
      return;
    }
  if (src->domain == BW_SETTINGS_ERROR)
    {
      switch (src->code)
        {
        case BW_SETTINGS_ERROR_IO: code = BW_CLIENT_ERROR_IO; break;
        case BW_SETTINGS_ERROR_NOT_FOUND: code = not_found; break;
        case BW_SETTINGS_ERROR_EXISTS: code = BW_CLIENT_ERROR_EXISTS; break;
        default: code = BW_CLIENT_ERROR_BROKEN_SETTINGS; break;
        }
    }
  else if (src->domain == G_FILE_ERROR)
    code = src->code == G_FILE_ERROR_NOENT ? BW_CLIENT_ERROR_NOT_FOUND
           : src->code == G_FILE_ERROR_EXIST ? BW_CLIENT_ERROR_EXISTS
                                             : BW_CLIENT_ERROR_IO;
  else if (src->domain == G_IO_ERROR)
    code = src->code == G_IO_ERROR_NOT_FOUND ? BW_CLIENT_ERROR_NOT_FOUND
           : src->code == G_IO_ERROR_EXISTS  ? BW_CLIENT_ERROR_EXISTS
                                             : BW_CLIENT_ERROR_IO;
  else if (src->domain == BW_DISK_ERROR)
    code = src->code == BW_DISK_ERROR_IO       ? BW_CLIENT_ERROR_IO
           : src->code == BW_DISK_ERROR_EXISTS ? BW_CLIENT_ERROR_EXISTS
           : src->code == BW_DISK_ERROR_BUSY   ? BW_CLIENT_ERROR_BUSY
                                               : BW_CLIENT_ERROR_INVALID_ARGUMENT;

  g_set_error_literal (dest, BW_CLIENT_ERROR, code, src->message);
  g_error_free (src);
}

BwSvcMachines *
bw_svc_machines_new (const char *config_dir)
{
  BwSvcMachines *self = g_new0 (BwSvcMachines, 1);
  self->config_dir = config_dir ? g_strdup (config_dir) : bw_paths_user_home ();
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) entry_free);
  self->live_states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->registry = bw_registry_open (self->config_dir, &self->registry_error);
  if (self->registry == NULL)
    g_warning ("%s", self->registry_error->message);
  else
    bw_svc_rename_recover (self);
  return self;
}

void
bw_svc_machines_free (BwSvcMachines *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->registry, bw_registry_free);
  g_clear_error (&self->registry_error);
  g_hash_table_unref (self->entries);
  g_hash_table_unref (self->live_states);
  g_free (self->config_dir);
  g_free (self);
}

gboolean
bw_svc_machines_check_registry (BwSvcMachines *self, GError **error)
{
  if (self->registry != NULL)
    return TRUE;
  g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BROKEN_SETTINGS, "%s",
               self->registry_error->message);
  return FALSE;
}

static void
entry_stat (BwSvcMachineEntry *e)
{
  struct stat st;
  e->have_stat = stat (e->path, &st) == 0;
  if (e->have_stat)
    {
      e->dev = st.st_dev;
      e->ino = st.st_ino;
      e->size = st.st_size;
      e->mtime = st.st_mtim;
    }
}

static gboolean
entry_is_current (BwSvcMachineEntry *e)
{
  struct stat st;
  if (!e->have_stat || stat (e->path, &st) != 0)
    return FALSE;
  return e->dev == st.st_dev && e->ino == st.st_ino && e->size == st.st_size
         && e->mtime.tv_sec == st.st_mtim.tv_sec && e->mtime.tv_nsec == st.st_mtim.tv_nsec;
}

BwSvcMachineEntry *
bw_svc_machines_entry (BwSvcMachines *self, const char *uuid, const char *path)
{
  BwSvcMachineEntry *e = g_hash_table_lookup (self->entries, uuid);
  if (e != NULL && g_str_equal (e->path, path) && entry_is_current (e))
    return e;

  e = g_new0 (BwSvcMachineEntry, 1);
  e->uuid = g_strdup (uuid);
  e->path = g_strdup (path);
  entry_stat (e);
  e->settings = bw_machine_settings_load (path, &e->error);
  if (e->settings != NULL && g_strcmp0 (e->settings->uuid, uuid) != 0)
    {
      /* The registry and the file disagree: someone put another machine's
       * file there. Treat it as broken rather than guess. */
      g_set_error (&e->error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_INVALID,
                   "%s: holds machine {%s}, but the registry expects {%s}", path,
                   e->settings->uuid, uuid);
      g_clear_pointer (&e->settings, bw_machine_settings_free);
    }
  g_hash_table_replace (self->entries, e->uuid, e);
  return e;
}

void
bw_svc_machines_forget (BwSvcMachines *self, const char *uuid)
{
  g_hash_table_remove (self->entries, uuid);
}

/* After writing `settings` (now owned by the cache) to the entry's file. */
static void
entry_update (BwSvcMachines *self, const char *uuid, const char *path,
              BwMachineSettings *settings)
{
  BwSvcMachineEntry *e = g_new0 (BwSvcMachineEntry, 1);
  e->uuid = g_strdup (uuid);
  e->path = g_strdup (path);
  e->settings = settings;
  entry_stat (e);
  g_hash_table_replace (self->entries, e->uuid, e);
}

/* "{ABC...}" or "abc..." -> "abc..." when it looks like a UUID. */
static char *
normalize_uuid (const char *text)
{
  gsize len = strlen (text);
  if (len == 38 && text[0] == '{' && text[37] == '}')
    {
      text++;
      len = 36;
    }
  g_autofree char *candidate = g_ascii_strdown (text, len);
  return g_uuid_string_is_valid (candidate) ? g_steal_pointer (&candidate) : NULL;
}

/* The registry entry and cache entry for a name or uuid. */
static BwSvcMachineEntry *
find_entry (BwSvcMachines *self, const char *machine, GError **error)
{
  if (!bw_svc_machines_check_registry (self, error))
    return NULL;

  BwGlobalSettings *global = bw_registry_get_global (self->registry);
  g_autofree char *uuid = normalize_uuid (machine);
  if (uuid != NULL)
    for (guint i = 0; i < global->machines->len; i++)
      {
        BwMachineEntry *m = g_ptr_array_index (global->machines, i);
        if (g_str_equal (m->uuid, uuid))
          return bw_svc_machines_entry (self, m->uuid, m->path);
      }

  for (guint i = 0; i < global->machines->len; i++)
    {
      BwMachineEntry *m = g_ptr_array_index (global->machines, i);
      BwSvcMachineEntry *e = bw_svc_machines_entry (self, m->uuid, m->path);
      if (e->settings != NULL && g_str_equal (e->settings->name, machine))
        return e;
    }

  g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_UNKNOWN_MACHINE,
               "unknown machine '%s'", machine);
  return NULL;
}

/* As find_entry, but the machine's settings must be readable. */
static BwSvcMachineEntry *
find_readable (BwSvcMachines *self, const char *machine, GError **error)
{
  BwSvcMachineEntry *e = find_entry (self, machine, error);
  if (e != NULL && e->settings == NULL)
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BROKEN_SETTINGS,
                   "machine {%s} cannot be read: %s", e->uuid, e->error->message);
      return NULL;
    }
  return e;
}

/* Another registered machine (not `except_uuid`) named `name`? */
static gboolean
name_taken (BwSvcMachines *self, const char *name, const char *except_uuid)
{
  BwGlobalSettings *global = bw_registry_get_global (self->registry);
  for (guint i = 0; i < global->machines->len; i++)
    {
      BwMachineEntry *m = g_ptr_array_index (global->machines, i);
      if (except_uuid != NULL && g_str_equal (m->uuid, except_uuid))
        continue;
      BwSvcMachineEntry *e = bw_svc_machines_entry (self, m->uuid, m->path);
      if (e->settings != NULL && g_str_equal (e->settings->name, name))
        return TRUE;
    }
  return FALSE;
}

const char *
bw_svc_state_to_string (BwMachineState state)
{
  switch (state)
    {
    case BW_MACHINE_STATE_POWERED_OFF: return "poweroff";
    case BW_MACHINE_STATE_SAVED: return "saved";
    case BW_MACHINE_STATE_ABORTED: return "aborted";
    case BW_MACHINE_STATE_STARTING: return "starting";
    case BW_MACHINE_STATE_RUNNING: return "running";
    case BW_MACHINE_STATE_PAUSED: return "paused";
    case BW_MACHINE_STATE_STOPPING: return "stopping";
    case BW_MACHINE_STATE_SAVING: return "saving";
    case BW_MACHINE_STATE_RESTORING: return "restoring";
    }
  return "poweroff";
}

gboolean
bw_svc_state_from_string (const char *s, BwMachineState *out)
{
  for (int st = BW_MACHINE_STATE_POWERED_OFF; st <= BW_MACHINE_STATE_RESTORING; st++)
    if (g_strcmp0 (s, bw_svc_state_to_string (st)) == 0)
      {
        *out = st;
        return TRUE;
      }
  return FALSE;
}

GVariant *
bw_svc_machines_list (BwSvcMachines *self, GError **error)
{
  if (!bw_svc_machines_check_registry (self, error))
    return NULL;

  BwGlobalSettings *global = bw_registry_get_global (self->registry);
  GVariantBuilder builder;
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sssss)"));
  for (guint i = 0; i < global->machines->len; i++)
    {
      BwMachineEntry *m = g_ptr_array_index (global->machines, i);
      BwSvcMachineEntry *e = bw_svc_machines_entry (self, m->uuid, m->path);
      const char *live = g_hash_table_lookup (self->live_states, m->uuid);
      const char *state = e->settings == NULL ? "inaccessible"
                          : live != NULL      ? live
                                              : bw_svc_state_to_string (e->settings->state);
      g_variant_builder_add (&builder, "(sssss)", m->uuid, e->settings ? e->settings->name : "",
                             m->path, state, e->error ? e->error->message : "");
    }
  return g_variant_builder_end (&builder);
}

const BwMachineSettings *
bw_svc_machines_lookup (BwSvcMachines *self, const char *machine, const char **path_out,
                        GError **error)
{
  BwSvcMachineEntry *e = find_readable (self, machine, error);
  if (e == NULL)
    return NULL;
  if (path_out != NULL)
    *path_out = e->path;
  return e->settings;
}

char *
bw_svc_machines_get_xml (BwSvcMachines *self, const char *machine, char **uuid_out,
                         char **path_out, GError **error)
{
  BwSvcMachineEntry *e = find_readable (self, machine, error);
  if (e == NULL)
    return NULL;
  if (uuid_out != NULL)
    *uuid_out = g_strdup (e->uuid);
  if (path_out != NULL)
    *path_out = g_strdup (e->path);
  return bw_machine_settings_to_data (e->settings, NULL);
}

char *
bw_svc_machines_create (BwSvcMachines *self, const char *name, const char *os_type,
                        const char *base_folder, gboolean do_register, char **path_out,
                        GError **error)
{
  GError *local = NULL;

  if (!bw_svc_machines_check_registry (self, error))
    return NULL;
  if (*name == '\0' || strchr (name, '/') != NULL || g_str_equal (name, ".")
      || g_str_equal (name, ".."))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT,
                   "'%s' cannot be a machine name", name);
      return NULL;
    }
  if (base_folder != NULL && *base_folder != '\0' && !g_path_is_absolute (base_folder))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT,
                   "base folder '%s' is not an absolute path", base_folder);
      return NULL;
    }
  if (os_type != NULL && *os_type != '\0' && bw_os_types_lookup (os_type) == NULL)
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT,
                   "unknown OS type '%s' (see 'boxwood-manage list ostypes')", os_type);
      return NULL;
    }
  if (do_register && name_taken (self, name, NULL))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_DUPLICATE_NAME,
                   "a machine named '%s' is already registered", name);
      return NULL;
    }

  const BwOsType *type = (os_type && *os_type) ? bw_os_types_lookup (os_type) : NULL;
  g_autofree char *path = NULL;
  g_autoptr (BwMachineSettings) settings =
      bw_registry_create_machine (self->registry, name, type ? type->id : NULL,
                                  (base_folder && *base_folder) ? base_folder : NULL,
                                  do_register, &path, &local);
  if (settings == NULL)
    {
      bw_svc_error_propagate (error, local, BW_CLIENT_ERROR_NOT_FOUND);
      return NULL;
    }
  char *uuid = g_strdup (settings->uuid);
  if (do_register)
    entry_update (self, uuid, path, g_steal_pointer (&settings));
  if (path_out != NULL)
    *path_out = g_steal_pointer (&path);
  return uuid;
}

char *
bw_svc_machines_register (BwSvcMachines *self, const char *path, char **name_out,
                          GError **error)
{
  GError *local = NULL;

  if (!bw_svc_machines_check_registry (self, error))
    return NULL;
  if (!g_path_is_absolute (path))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT,
                   "settings file '%s' is not an absolute path", path);
      return NULL;
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_NOT_FOUND,
                   "settings file '%s' does not exist", path);
      return NULL;
    }

  /* Check names here: the registry says only "exists" for every clash. */
  g_autoptr (BwMachineSettings) probe = bw_machine_settings_load (path, &local);
  if (probe == NULL)
    {
      bw_svc_error_propagate (error, local, BW_CLIENT_ERROR_NOT_FOUND);
      return NULL;
    }
  BwGlobalSettings *global = bw_registry_get_global (self->registry);
  if (bw_global_settings_find_machine (global, probe->uuid) != NULL)
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_DUPLICATE_NAME,
                   "machine {%s} in '%s' is already registered", probe->uuid, path);
      return NULL;
    }
  if (name_taken (self, probe->name, NULL))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_DUPLICATE_NAME,
                   "a machine named '%s' is already registered", probe->name);
      return NULL;
    }

  g_autoptr (BwMachineSettings) settings =
      bw_registry_register_machine (self->registry, path, &local);
  if (settings == NULL)
    {
      bw_svc_error_propagate (error, local, BW_CLIENT_ERROR_NOT_FOUND);
      return NULL;
    }
  /* The registry keeps the normalised path. */
  BwMachineEntry *m = bw_global_settings_find_machine (global, settings->uuid);
  char *uuid = g_strdup (settings->uuid);
  if (name_out != NULL)
    *name_out = g_strdup (settings->name);
  entry_update (self, uuid, m ? m->path : path, g_steal_pointer (&settings));
  return uuid;
}

gboolean
bw_svc_machines_unregister (BwSvcMachines *self, const char *machine, gboolean delete_files,
                            char **uuid_out, GError **error)
{
  GError *local = NULL;
  BwSvcMachineEntry *e = find_entry (self, machine, error);
  if (e == NULL)
    return FALSE;
  if (bw_svc_machines_is_live (self, e->uuid))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BUSY,
                   "machine '%s' is %s; power it off first", machine,
                   (const char *) g_hash_table_lookup (self->live_states, e->uuid));
      return FALSE;
    }
  g_autofree char *uuid = g_strdup (e->uuid);
  if (!bw_registry_unregister_machine (self->registry, uuid, delete_files, NULL, &local))
    {
      bw_svc_error_propagate (error, local, BW_CLIENT_ERROR_UNKNOWN_MACHINE);
      return FALSE;
    }
  bw_svc_machines_forget (self, uuid);
  if (uuid_out != NULL)
    *uuid_out = g_steal_pointer (&uuid);
  return TRUE;
}

/* A hard disk may belong to one machine only (VirtualBox's "Normal"). */
static gboolean
check_disk_free (BwSvcMachines *self, const char *path, const char *own_uuid, GError **error)
{
  BwGlobalSettings *global = bw_registry_get_global (self->registry);
  for (guint i = 0; i < global->machines->len; i++)
    {
      BwMachineEntry *m = g_ptr_array_index (global->machines, i);
      if (g_str_equal (m->uuid, own_uuid))
        continue;
      BwSvcMachineEntry *e = bw_svc_machines_entry (self, m->uuid, m->path);
      if (e->settings == NULL)
        continue;
      GPtrArray *ctls = e->settings->hardware->storage_controllers;
      for (guint c = 0; c < ctls->len; c++)
        {
          BwStorageController *ctl = g_ptr_array_index (ctls, c);
          for (guint a = 0; a < ctl->attachments->len; a++)
            {
              BwStorageAttachment *att = g_ptr_array_index (ctl->attachments, a);
              if (att->type == BW_DEVICE_TYPE_HDD && g_strcmp0 (att->medium, path) == 0)
                {
                  g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BUSY,
                               "disk image '%s' is already attached to machine '%s'", path,
                               e->settings->name);
                  return FALSE;
                }
            }
        }
    }
  return TRUE;
}

/* A running machine may change the medium in a DVD drive it has (the
 * session does that in the drive and records it here); nothing else. */
static gboolean
only_dvd_changes (const BwMachineSettings *settings, GVariant *changes)
{
  GVariantIter iter;
  const char *key, *value;
  g_variant_iter_init (&iter, changes);
  while (g_variant_iter_next (&iter, "(&s&s)", &key, &value))
    {
      g_auto (GStrv) parts = g_strsplit (key, ":", -1);
      if (g_strv_length (parts) != 4 || !g_str_equal (parts[0], "storageattach")
          || !g_str_has_prefix (value, "dvddrive "))
        return FALSE;
      guint64 port, device;
      if (!g_ascii_string_to_unsigned (parts[2], 10, 0, 1, &port, NULL)
          || !g_ascii_string_to_unsigned (parts[3], 10, 0, 1, &device, NULL))
        return FALSE;
      BwStorageController *c = bw_hardware_find_controller (settings->hardware, parts[1]);
      BwStorageAttachment *a = c ? bw_storage_controller_find (c, port, device) : NULL;
      if (!a || a->type != BW_DEVICE_TYPE_DVD)
        return FALSE;
    }
  return TRUE;
}

gboolean
bw_svc_machines_modify (BwSvcMachines *self, const char *machine, GVariant *changes,
                        char **uuid_out, gboolean *media_changed_out, GError **error)
{
  GError *local = NULL;
  BwSvcMachineEntry *e = find_readable (self, machine, error);
  if (e == NULL)
    return FALSE;
  if (bw_svc_machines_is_live (self, e->uuid) && !only_dvd_changes (e->settings, changes))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BUSY,
                   "machine '%s' is %s; its settings can be changed when it is powered off",
                   e->settings->name,
                   (const char *) g_hash_table_lookup (self->live_states, e->uuid));
      return FALSE;
    }

  g_autofree char *uuid = g_strdup (e->uuid);
  g_autofree char *path = g_strdup (e->path);
  g_autofree char *old_name = g_strdup (e->settings->name);
  g_autoptr (BwMachineSettings) copy = bw_machine_settings_copy (e->settings);
  BwSvcModifyResult result = { 0 };
  GVariantIter iter;
  const char *key, *value;
  gboolean ok = TRUE;

  g_variant_iter_init (&iter, changes);
  while (ok && g_variant_iter_next (&iter, "(&s&s)", &key, &value))
    ok = bw_svc_modify_apply (copy, key, value, &result, error);
  if (!ok)
    goto out;

  if (result.new_name != NULL && !g_str_equal (result.new_name, old_name)
      && name_taken (self, result.new_name, uuid))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_DUPLICATE_NAME,
                   "a machine named '%s' is already registered", result.new_name);
      ok = FALSE;
      goto out;
    }
  if (!bw_machine_settings_validate (copy, &local))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT, "%s",
                   local->message);
      g_clear_error (&local);
      ok = FALSE;
      goto out;
    }

  /* Images first: an image registered for a change that then fails to be
   * written is harmless; a machine pointing at an unregistered one is not. */
  for (guint i = 0; result.media != NULL && i < result.media->len; i++)
    {
      BwSvcModifyMedium *m = g_ptr_array_index (result.media, i);
      gboolean added = FALSE;
      if (m->type == BW_DEVICE_TYPE_HDD && !check_disk_free (self, m->path, uuid, error))
        {
          ok = FALSE;
          goto out;
        }
      g_autofree char *medium_uuid =
          bw_svc_media_register (self, m->path, m->type == BW_DEVICE_TYPE_HDD ? "hdd" : "dvd",
                                 &added, error);
      if (medium_uuid == NULL)
        {
          ok = FALSE;
          goto out;
        }
      if (added && media_changed_out != NULL)
        *media_changed_out = TRUE;
    }

  if (result.new_name != NULL && !g_str_equal (result.new_name, old_name))
    {
      g_autofree char *new_path = NULL;
      /* The rename writes the settings itself, before it moves files. */
      ok = bw_svc_rename_machine (self, uuid, path, copy, &new_path, error);
      /* Paths inside may have moved with the folder: re-read on next use. */
      bw_svc_machines_forget (self, uuid);
    }
  else
    {
      ok = bw_machine_settings_save (copy, path, &local);
      if (ok)
        entry_update (self, uuid, path, g_steal_pointer (&copy));
      else
        bw_svc_error_propagate (error, local, BW_CLIENT_ERROR_NOT_FOUND);
    }

out:
  bw_svc_modify_result_clear (&result);
  if (ok && uuid_out != NULL)
    *uuid_out = g_steal_pointer (&uuid);
  return ok;
}

void
bw_svc_machines_set_live_state (BwSvcMachines *self, const char *uuid, const char *state)
{
  if (state == NULL)
    g_hash_table_remove (self->live_states, uuid);
  else
    g_hash_table_replace (self->live_states, g_strdup (uuid), g_strdup (state));
}

gboolean
bw_svc_machines_is_live (BwSvcMachines *self, const char *uuid)
{
  return g_hash_table_contains (self->live_states, uuid);
}

gboolean
bw_svc_machines_get_state (BwSvcMachines *self, const char *machine, const char **state_out,
                           gint64 *last_change_out, GError **error)
{
  BwSvcMachineEntry *e = find_readable (self, machine, error);
  if (e == NULL)
    return FALSE;
  const char *live = g_hash_table_lookup (self->live_states, e->uuid);
  *state_out = live ? live : bw_svc_state_to_string (e->settings->state);
  *last_change_out = e->settings->last_state_change;
  return TRUE;
}

gboolean
bw_svc_machines_persist_state (BwSvcMachines *self, const char *uuid, BwMachineState state,
                               GError **error)
{
  GError *local = NULL;
  BwSvcMachineEntry *e = find_readable (self, uuid, error);
  if (e == NULL)
    return FALSE;
  g_autoptr (BwMachineSettings) copy = bw_machine_settings_copy (e->settings);
  copy->state = state;
  copy->last_state_change = g_get_real_time ();
  g_autofree char *path = g_strdup (e->path);
  if (!bw_machine_settings_save (copy, path, &local))
    {
      bw_svc_error_propagate (error, local, BW_CLIENT_ERROR_NOT_FOUND);
      return FALSE;
    }
  entry_update (self, uuid, path, g_steal_pointer (&copy));
  return TRUE;
}

GVariant *
bw_svc_machines_get_properties (BwSvcMachines *self, GError **error)
{
  /* Answers even with a broken boxwood.xml: which file, and who we are,
   * is what a person then needs. */
  GVariantBuilder builder;
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{ss}"));
  if (self->registry != NULL)
    {
      BwGlobalSettings *global = bw_registry_get_global (self->registry);
      g_variant_builder_add (&builder, "{ss}", "machinefolder",
                             global->machine_folder ? global->machine_folder : "");
    }
  g_autofree char *config_file =
      g_build_filename (self->config_dir, BW_GLOBAL_SETTINGS_FILE_NAME, NULL);
  g_variant_builder_add (&builder, "{ss}", "configfile", config_file);
  g_variant_builder_add (&builder, "{ss}", "version", PACKAGE_VERSION);
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_variant_builder_add (&builder, "{ss}", "pid", pid);
  return g_variant_builder_end (&builder);
}

gboolean
bw_svc_machines_set_property (BwSvcMachines *self, const char *name, const char *value,
                              GError **error)
{
  GError *local = NULL;
  if (!bw_svc_machines_check_registry (self, error))
    return FALSE;
  if (!g_str_equal (name, "machinefolder"))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT,
                   "unknown or read-only system property '%s' (machinefolder)", name);
      return FALSE;
    }
  g_autofree char *folder = *value ? g_strdup (value) : bw_paths_default_machine_folder ();
  if (!g_path_is_absolute (folder))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT,
                   "machinefolder: '%s' is not an absolute path", value);
      return FALSE;
    }
  if (!bw_registry_set_machine_folder (self->registry, folder, &local))
    {
      bw_svc_error_propagate (error, local, BW_CLIENT_ERROR_NOT_FOUND);
      return FALSE;
    }
  return TRUE;
}
