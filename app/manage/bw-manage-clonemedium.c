/* bw-manage-clonemedium.c: `boxwood-manage clonemedium`: copy a disk image
 * (a differencing image is copied with its parents merged in) into a new,
 * registered image. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"
#include "app/manage/bw-manage-medium.h"

static const char usage[]
    = "clonemedium [disk] SOURCE|UUID TARGET [--format VDI|RAW] [--variant Standard|Fixed]\n";

static const char help[]
    = "Copies every byte the guest sees of SOURCE into the new image TARGET and\n"
      "registers TARGET. A differencing image is copied with its parents merged in.\n"
      "\n"
      "Options:\n"
      "  --format VDI|RAW  Target format; default from TARGET's name (.img, .raw: RAW),\n"
      "                    else VDI.\n"
      "  --variant V       Standard (grows as written) or Fixed; default: as SOURCE.\n";

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  const char *src, *dst;
  int format, variant;
  int status = bw_manage_parse_copy_args (args, &src, &dst, &format, &variant);

  if (status != BW_MANAGE_EXIT_OK)
    return status;

  g_autoptr (BwClient) client = NULL;
  g_autofree char *src_path = bw_manage_resolve_medium (&client, src);
  if (src_path == NULL)
    return BW_MANAGE_EXIT_FAILURE;
  g_autofree char *dst_path = bw_manage_absolute_path (dst);
  if (g_file_test (dst_path, G_FILE_TEST_EXISTS))
    return bw_manage_error ("%s: the file already exists", dst_path);
  if (client == NULL && (client = bw_manage_connect ()) == NULL)
    return BW_MANAGE_EXIT_FAILURE;

  g_autoptr (GError) error = NULL;
  g_autoptr (BwDisk) disk = bw_disk_open_full (src_path, BW_DISK_OPEN_READ_ONLY, NULL,
                                               bw_manage_parent_lookup, &client, &error);
  if (disk == NULL)
    return bw_manage_gerror (error);
  return bw_manage_copy_disk (disk, dst_path, format, variant, client);
}

const BwManageCommand bw_manage_cmd_clonemedium = {
  .name = "clonemedium",
  .summary = "Copy a disk image into a new one",
  .usage = usage,
  .help = help,
  .run = run,
};
