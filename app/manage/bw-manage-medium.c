/* bw-manage-medium.c: helpers shared by the media subcommands. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include "app/manage/bw-manage-medium.h"

#include <stdio.h>
#include <string.h>

#include "app/manage/bw-manage-client.h"
#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage.h"

gboolean
bw_manage_looks_like_uuid (const char *text)
{
  gsize n = strlen (text);

  if (n == 38 && text[0] == '{' && text[37] == '}')
    {
      g_autofree char *bare = g_strndup (text + 1, 36);
      return g_uuid_string_is_valid (bare);
    }
  return g_uuid_string_is_valid (text);
}

static char *
location_of_uuid (BwClient *client, const char *uuid, GError **error)
{
  g_autoptr (GPtrArray) media = bw_client_list_media (client, NULL, error);
  g_autofree char *bare = g_strndup (uuid[0] == '{' ? uuid + 1 : uuid, 36);

  if (media == NULL)
    return NULL;
  for (guint i = 0; i < media->len; i++)
    {
      const BwClientMedium *m = media->pdata[i];
      if (g_ascii_strcasecmp (m->uuid, bare) == 0)
        return g_strdup (m->location);
    }
  g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_UNKNOWN_MEDIUM,
               "no registered medium has the UUID %s", bare);
  return NULL;
}

char *
bw_manage_resolve_medium (BwClient **client, const char *what)
{
  g_autofree char *path = bw_manage_absolute_path (what);
  g_autoptr (GError) error = NULL;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&path);
  if (!bw_manage_looks_like_uuid (what))
    {
      bw_manage_error ("%s: no such file", path);
      return NULL;
    }
  if (*client == NULL && (*client = bw_manage_connect ()) == NULL)
    return NULL;
  char *location = location_of_uuid (*client, what, &error);
  if (location == NULL)
    bw_manage_client_error (error);
  return location;
}

gboolean
bw_manage_format_from_name (const char *path, BwDiskFormat *format)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (g_str_has_suffix (lower, ".vdi"))
    *format = BW_DISK_FORMAT_VDI;
  else if (g_str_has_suffix (lower, ".img") || g_str_has_suffix (lower, ".raw")
           || g_str_has_suffix (lower, ".bin"))
    *format = BW_DISK_FORMAT_RAW;
  else
    return FALSE;
  return TRUE;
}

char *
bw_manage_parent_lookup (const char *parent_uuid, const char *child_path, gpointer user_data)
{
  BwClient **client = user_data;
  g_autoptr (GError) error = NULL;

  if (*client == NULL)
    {
      *client = bw_client_connect (&error);
      if (*client == NULL)
        return NULL;
    }
  return location_of_uuid (*client, parent_uuid, NULL);
}

guint64
bw_manage_mbytes (guint64 bytes)
{
  return bytes / (1024 * 1024) + (bytes % (1024 * 1024) != 0);
}

int
bw_manage_parse_copy_args (BwManageArgs *args, const char **src, const char **dst, int *format,
                           int *variant)
{
  static const char *const formats[] = { "RAW", "VDI", NULL };
  const BwManageCommand *cmd = bw_manage_args_command (args);
  const char *opt, *pos, *text;
  guint idx;

  G_STATIC_ASSERT (BW_DISK_FORMAT_RAW == 0 && BW_DISK_FORMAT_VDI == 1);
  *src = *dst = NULL;
  *format = *variant = -1;
  while (bw_manage_args_next (args, &opt, &pos))
    {
      if (pos != NULL)
        {
          if (*src == NULL && g_ascii_strcasecmp (pos, "disk") == 0)
            continue;
          if (*src == NULL)
            *src = pos;
          else if (*dst == NULL)
            *dst = pos;
          else
            return bw_manage_args_unexpected (args, pos);
        }
      else if (strcmp (opt, "--format") == 0)
        {
          if (!bw_manage_args_choice (args, formats, &idx))
            return bw_manage_args_status (args);
          *format = idx;
        }
      else if (strcmp (opt, "--variant") == 0)
        {
          BwDiskVariant v;
          if (!bw_manage_args_value (args, &text))
            return bw_manage_args_status (args);
          if (!bw_disk_variant_from_string (text, &v) || v == BW_DISK_VARIANT_DIFFERENCING)
            return bw_manage_syntax_error (cmd, "option '--variant': '%s' is not Standard or Fixed",
                                           text);
          *variant = v;
        }
      else
        return bw_manage_args_unknown (args, opt);
    }
  if (*src == NULL)
    return bw_manage_args_missing (args, "the source image");
  if (*dst == NULL)
    return bw_manage_args_missing (args, "the target image");
  return BW_MANAGE_EXIT_OK;
}

int
bw_manage_copy_disk (BwDisk *src, const char *dst, int format, int variant, BwClient *client)
{
  g_autoptr (GError) error = NULL;
  BwDiskInfo info;
  BwDiskFormat f;

  bw_disk_get_info (src, &info);
  if (format >= 0)
    f = format;
  else if (!bw_manage_format_from_name (dst, &f))
    f = BW_DISK_FORMAT_VDI;
  if (variant < 0)
    variant
        = info.variant == BW_DISK_VARIANT_FIXED ? BW_DISK_VARIANT_FIXED : BW_DISK_VARIANT_DYNAMIC;
  if (g_file_test (dst, G_FILE_TEST_EXISTS))
    return bw_manage_error ("%s: the file already exists", dst);

  if (!bw_disk_clone (src, dst, f, variant, NULL, NULL, &error))
    return bw_manage_gerror (error);

  g_autofree char *uuid = NULL;
  if (client != NULL)
    {
      uuid = bw_client_register_medium (client, dst, "hdd", &error);
      if (uuid == NULL)
        return bw_manage_client_error (error);
    }
  else
    {
      BwDiskInfo out;
      if (bw_disk_query_info (dst, &out, NULL) && *out.uuid != '\0')
        uuid = g_strdup (out.uuid);
    }
  if (uuid != NULL)
    printf ("Copied %s to %s (%s, %s). UUID: %s\n", bw_disk_get_path (src), dst,
            bw_disk_format_to_string (f), bw_disk_variant_to_string (variant), uuid);
  else
    printf ("Copied %s to %s (%s, %s).\n", bw_disk_get_path (src), dst,
            bw_disk_format_to_string (f), bw_disk_variant_to_string (variant));
  return BW_MANAGE_EXIT_OK;
}
