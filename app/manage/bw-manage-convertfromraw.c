/* bw-manage-convertfromraw.c: `boxwood-manage convertfromraw`: turn a raw
 * disk dump into an image. Like VBoxManage's, it touches no settings: the
 * new image is not registered. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"
#include "app/manage/bw-manage-medium.h"

static const char usage[]
    = "convertfromraw RAWFILE TARGET [--format VDI|RAW] [--variant Standard|Fixed]\n";

static const char help[]
    = "Copies the raw disk RAWFILE (byte for byte the disk, e.g. from dd) into the new\n"
      "image TARGET. TARGET is not registered; attach it with 'storageattach'.\n"
      "\n"
      "Options:\n"
      "  --format VDI|RAW  Target format; default from TARGET's name (.img, .raw: RAW),\n"
      "                    else VDI.\n"
      "  --variant V       Standard (grows as written; the default) or Fixed.\n";

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  const char *src, *dst;
  int format, variant;
  int status = bw_manage_parse_copy_args (args, &src, &dst, &format, &variant);

  if (status != BW_MANAGE_EXIT_OK)
    return status;

  g_autofree char *src_path = bw_manage_absolute_path (src);
  g_autofree char *dst_path = bw_manage_absolute_path (dst);
  if (!g_file_test (src_path, G_FILE_TEST_IS_REGULAR))
    return bw_manage_error ("%s: no such file", src_path);

  g_autoptr (GError) error = NULL;
  BwDiskFormat detected;
  if (!bw_disk_detect_format (src_path, &detected, &error))
    return bw_manage_gerror (error);
  if (detected != BW_DISK_FORMAT_RAW)
    return bw_manage_error ("%s: this is a %s image, not a raw disk; use 'clonemedium'", src_path,
                            bw_disk_format_to_string (detected));

  g_autoptr (BwDisk) disk = bw_disk_open (src_path, BW_DISK_OPEN_READ_ONLY, &error);
  if (disk == NULL)
    return bw_manage_gerror (error);
  if (variant < 0)
    variant = BW_DISK_VARIANT_DYNAMIC;
  return bw_manage_copy_disk (disk, dst_path, format, variant, NULL);
}

const BwManageCommand bw_manage_cmd_convertfromraw = {
  .name = "convertfromraw",
  .summary = "Convert a raw disk file into a disk image",
  .usage = usage,
  .help = help,
  .run = run,
};
