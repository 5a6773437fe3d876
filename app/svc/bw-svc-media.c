#define G_LOG_DOMAIN "boxwood-svc"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "app/main/client/bw-client.h"
#include "app/svc/bw-svc-machines-private.h"
#include "devices/storage/bw-disk.h"

/* The media registry: the hard disk and DVD images that boxwood.xml
 * knows, checked when registered, listed with what uses them. */

static gboolean
parse_kind (const char *kind, BwMediumKind *out, GError **error)
{
  if (g_strcmp0 (kind, "hdd") == 0 || g_strcmp0 (kind, "disk") == 0)
    *out = BW_MEDIUM_KIND_HDD;
  else if (g_strcmp0 (kind, "dvd") == 0)
    *out = BW_MEDIUM_KIND_DVD;
  else
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT,
                   "unknown medium kind '%s' (hdd, dvd)", kind);
      return FALSE;
    }
  return TRUE;
}

/* Names of the registered machines whose current hardware uses `path`. */
static GPtrArray *
users_of (BwSvcMachines *self, const char *path)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  BwGlobalSettings *global = bw_registry_get_global (self->registry);
  for (guint i = 0; i < global->machines->len; i++)
    {
      BwMachineEntry *m = g_ptr_array_index (global->machines, i);
      BwSvcMachineEntry *e = bw_svc_machines_entry (self, m->uuid, m->path);
      if (e->settings == NULL)
        continue;
      GPtrArray *ctls = e->settings->hardware->storage_controllers;
      gboolean used = FALSE;
      for (guint c = 0; !used && c < ctls->len; c++)
        {
          BwStorageController *ctl = g_ptr_array_index (ctls, c);
          for (guint a = 0; !used && a < ctl->attachments->len; a++)
            used = g_strcmp0 (((BwStorageAttachment *) g_ptr_array_index (ctl->attachments, a))
                                  ->medium,
                              path)
                   == 0;
        }
      if (used)
        g_ptr_array_add (names, g_strdup (e->settings->name));
    }
  return names;
}

static void
add_kind (BwSvcMachines *self, BwMediumKind kind, GVariantBuilder *builder)
{
  GPtrArray *media = bw_registry_list_media (self->registry, kind);
  for (guint i = 0; i < media->len; i++)
    {
      BwMedium *m = g_ptr_array_index (media, i);
      guint64 size = 0;
      g_autoptr (GError) error = NULL;
      const char *format = m->format ? m->format : "RAW";
      if (kind == BW_MEDIUM_KIND_HDD)
        {
          BwDiskInfo info;
          if (bw_disk_query_info (m->path, &info, &error))
            {
              size = info.virtual_size;
              format = bw_disk_format_to_string (info.format);
            }
        }
      else
        {
          struct stat st;
          if (g_stat (m->path, &st) == 0)
            size = st.st_size;
          else
            g_set_error (&error, G_FILE_ERROR, g_file_error_from_errno (errno),
                         "%s: %s", m->path, g_strerror (errno));
        }
      g_autoptr (GPtrArray) users = users_of (self, m->path);
      g_ptr_array_add (users, NULL);
      g_variant_builder_add (builder, "(sssst^ass)", m->uuid, m->path,
                             bw_medium_kind_to_string (kind), format, size,
                             (char **) users->pdata, error ? error->message : "");
    }
  g_ptr_array_unref (media);
}

GVariant *
bw_svc_media_list (BwSvcMachines *self, const char *kind, GError **error)
{
  if (!bw_svc_machines_check_registry (self, error))
    return NULL;
  BwMediumKind k = BW_MEDIUM_KIND_HDD;
  if (kind != NULL && *kind != '\0' && !parse_kind (kind, &k, error))
    return NULL;

  GVariantBuilder builder;
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sssstass)"));
  if (kind == NULL || *kind == '\0' || k == BW_MEDIUM_KIND_HDD)
    add_kind (self, BW_MEDIUM_KIND_HDD, &builder);
  if (kind == NULL || *kind == '\0' || k == BW_MEDIUM_KIND_DVD)
    add_kind (self, BW_MEDIUM_KIND_DVD, &builder);
  return g_variant_builder_end (&builder);
}

char *
bw_svc_media_register (BwSvcMachines *self, const char *location, const char *kind,
                       gboolean *added_out, GError **error)
{
  GError *local = NULL;
  BwMediumKind k;

  if (added_out != NULL)
    *added_out = FALSE;
  if (!bw_svc_machines_check_registry (self, error) || !parse_kind (kind, &k, error))
    return NULL;
  if (!g_path_is_absolute (location))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT,
                   "image '%s' is not an absolute path", location);
      return NULL;
    }
  if (!g_file_test (location, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_NOT_FOUND,
                   "image file '%s' does not exist", location);
      return NULL;
    }

  BwGlobalSettings *global = bw_registry_get_global (self->registry);
  BwMedium *known = bw_global_settings_find_medium (global, k, location);
  if (known != NULL)
    return g_strdup (known->uuid);

  /* A disk must open cleanly before anything refers to it; a VDI brings
   * its own UUID, a raw image or a DVD gets a fresh one. */
  g_autofree char *uuid = NULL;
  const char *format = "RAW";
  if (k == BW_MEDIUM_KIND_HDD)
    {
      BwDiskInfo info;
      if (!bw_disk_query_info (location, &info, &local))
        {
          bw_svc_error_propagate (error, local, BW_CLIENT_ERROR_NOT_FOUND);
          return NULL;
        }
      format = bw_disk_format_to_string (info.format);
      if (info.uuid[0] != '\0')
        uuid = g_strdup (info.uuid);
    }
  if (uuid == NULL)
    uuid = g_uuid_string_random ();
  if (bw_global_settings_find_medium (global, k, uuid) != NULL)
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_DUPLICATE_NAME,
                   "image '%s' has UUID {%s}, which another registered image already has",
                   location, uuid);
      return NULL;
    }

  g_autoptr (BwMedium) medium = bw_medium_new (k, uuid, location, format);
  if (!bw_registry_add_medium (self->registry, medium, &local))
    {
      bw_svc_error_propagate (error, local, BW_CLIENT_ERROR_NOT_FOUND);
      return NULL;
    }
  if (added_out != NULL)
    *added_out = TRUE;
  return g_steal_pointer (&uuid);
}

gboolean
bw_svc_media_close (BwSvcMachines *self, const char *medium, gboolean delete_file,
                    GError **error)
{
  GError *local = NULL;
  if (!bw_svc_machines_check_registry (self, error))
    return FALSE;

  BwGlobalSettings *global = bw_registry_get_global (self->registry);
  BwMediumKind kind = BW_MEDIUM_KIND_HDD;
  BwMedium *m = bw_global_settings_find_medium (global, kind, medium);
  if (m == NULL)
    {
      kind = BW_MEDIUM_KIND_DVD;
      m = bw_global_settings_find_medium (global, kind, medium);
    }
  if (m == NULL)
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_UNKNOWN_MEDIUM,
                   "no registered image '%s'", medium);
      return FALSE;
    }

  g_autofree char *path = g_strdup (m->path);
  g_autoptr (GPtrArray) users = users_of (self, path);
  if (users->len > 0)
    {
      g_ptr_array_add (users, NULL);
      g_autofree char *names = g_strjoinv ("', '", (char **) users->pdata);
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BUSY,
                   "image '%s' is attached to machine '%s'; detach it first", path, names);
      return FALSE;
    }
  if (!bw_registry_remove_medium (self->registry, kind, path, &local))
    {
      bw_svc_error_propagate (error, local, BW_CLIENT_ERROR_UNKNOWN_MEDIUM);
      return FALSE;
    }
  if (delete_file && g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_IO,
                   "image '%s' was closed but cannot be deleted: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
