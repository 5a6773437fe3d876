/* bw-manage-showmediuminfo.c: `boxwood-manage showmediuminfo`: what an
 * image file holds (read here, without writing) and whether it is
 * registered and used. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"
#include "app/manage/bw-manage-medium.h"

static const char usage[] = "showmediuminfo [disk|dvd] FILE|UUID\n";

static const char help[]
    = "Shows an image's format, variant, UUIDs, capacity and size on disk, and which\n"
      "machines use it when it is registered. The file is only read.\n";

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  const char *what = NULL, *opt, *pos;

  while (bw_manage_args_next (args, &opt, &pos))
    {
      if (opt != NULL)
        return bw_manage_args_unknown (args, opt);
      if (what == NULL
          && (g_ascii_strcasecmp (pos, "disk") == 0 || g_ascii_strcasecmp (pos, "dvd") == 0))
        continue;
      if (what != NULL)
        return bw_manage_args_unexpected (args, pos);
      what = pos;
    }
  if (what == NULL)
    return bw_manage_args_missing (args, "the image file or UUID");

  g_autoptr (BwClient) client = NULL;
  g_autofree char *path = bw_manage_resolve_medium (&client, what);
  if (path == NULL)
    return BW_MANAGE_EXIT_FAILURE;

  g_autoptr (GError) error = NULL;
  BwDiskInfo info;
  if (!bw_disk_query_info (path, &info, &error))
    return bw_manage_gerror (error);

  /* The service knows whether it is registered and who uses it. */
  if (client == NULL && (client = bw_manage_connect ()) == NULL)
    return BW_MANAGE_EXIT_FAILURE;
  g_autoptr (GPtrArray) media = bw_client_list_media (client, NULL, &error);
  if (media == NULL)
    return bw_manage_client_error (error);
  const BwClientMedium *registered = NULL;
  for (guint i = 0; i < media->len; i++)
    if (strcmp (((BwClientMedium *)media->pdata[i])->location, path) == 0)
      registered = media->pdata[i];

  printf ("UUID:           %s\n", *info.uuid != '\0'   ? info.uuid
                                  : registered != NULL ? registered->uuid
                                                       : "-");
  if (info.variant == BW_DISK_VARIANT_DIFFERENCING)
    printf ("Parent UUID:    %s\n", info.parent_uuid);
  else
    printf ("Parent UUID:    base\n");
  printf ("State:          %s\n", registered != NULL ? "created" : "not registered");
  printf ("Location:       %s\n", path);
  printf ("Storage format: %s\n", bw_disk_format_to_string (info.format));
  printf ("Format variant: %s\n", bw_disk_variant_to_string (info.variant));
  printf ("Capacity:       %" G_GUINT64_FORMAT " MBytes\n", bw_manage_mbytes (info.virtual_size));
  printf ("Size on disk:   %" G_GUINT64_FORMAT " MBytes\n", bw_manage_mbytes (info.file_size));
  if (info.block_size != 0)
    printf ("Block size:     %u KBytes\n", info.block_size / 1024);
  if (registered != NULL && registered->used_by != NULL && registered->used_by[0] != NULL)
    {
      g_autofree char *used = g_strjoinv (", ", registered->used_by);
      printf ("In use by VMs:  %s\n", used);
    }
  return BW_MANAGE_EXIT_OK;
}

const BwManageCommand bw_manage_cmd_showmediuminfo = {
  .name = "showmediuminfo",
  .summary = "Show what a disk image holds",
  .usage = usage,
  .help = help,
  .run = run,
};
