/* bw-manage-createmedium.c: `boxwood-manage createmedium`: create a disk
 * image file here (the storage library does the writing) and register it
 * as a medium through the service. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"
#include "app/manage/bw-manage-medium.h"

static const char usage[] = "createmedium [disk] --filename FILE --size MB [--format VDI|RAW] "
                            "[--variant Standard|Fixed]\n";

static const char help[]
    = "Creates a new, empty hard disk image and registers it (see 'list hdds').\n"
      "\n"
      "Options:\n"
      "  --filename FILE    The image file to create; it must not exist yet.\n"
      "  --size MB          Its size in MiB (--sizebyte BYTES for an exact size).\n"
      "  --format VDI|RAW   Image format; default from the file name (.img, .raw: RAW),\n"
      "                     else VDI.\n"
      "  --variant V        Standard (grows as the guest writes; the default) or Fixed (all\n"
      "                     space allocated now).\n";

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  static const char *const formats[] = { "RAW", "VDI", NULL };
  const char *filename = NULL, *variant_text = NULL, *opt, *pos;
  guint64 size = 0;
  guint format_idx = G_MAXUINT;
  gboolean have_size = FALSE;
  BwDiskFormat format = BW_DISK_FORMAT_VDI;
  BwDiskVariant variant = BW_DISK_VARIANT_DYNAMIC;

  G_STATIC_ASSERT (BW_DISK_FORMAT_RAW == 0 && BW_DISK_FORMAT_VDI == 1);

  while (bw_manage_args_next (args, &opt, &pos))
    {
      if (pos != NULL)
        {
          if (g_ascii_strcasecmp (pos, "disk") == 0 || g_ascii_strcasecmp (pos, "hdd") == 0)
            continue;
          if (g_ascii_strcasecmp (pos, "dvd") == 0 || g_ascii_strcasecmp (pos, "floppy") == 0)
            return bw_manage_syntax_error (cmd, "only disk images can be created, not '%s'", pos);
          return bw_manage_args_unexpected (args, pos);
        }
      if (strcmp (opt, "--filename") == 0)
        {
          if (!bw_manage_args_value (args, &filename))
            return bw_manage_args_status (args);
        }
      else if (strcmp (opt, "--size") == 0)
        {
          /* At most 16 PiB: far from overflowing a byte count; the storage
           * library rejects what its format cannot hold. */
          if (!bw_manage_args_uint (args, 1, G_GUINT64_CONSTANT (1) << 34, &size))
            return bw_manage_args_status (args);
          size <<= 20;
          have_size = TRUE;
        }
      else if (strcmp (opt, "--sizebyte") == 0)
        {
          if (!bw_manage_args_uint (args, 1, G_GUINT64_CONSTANT (1) << 54, &size))
            return bw_manage_args_status (args);
          have_size = TRUE;
        }
      else if (strcmp (opt, "--format") == 0)
        {
          if (!bw_manage_args_choice (args, formats, &format_idx))
            return bw_manage_args_status (args);
        }
      else if (strcmp (opt, "--variant") == 0)
        {
          if (!bw_manage_args_value (args, &variant_text))
            return bw_manage_args_status (args);
          if (!bw_disk_variant_from_string (variant_text, &variant)
              || variant == BW_DISK_VARIANT_DIFFERENCING)
            return bw_manage_syntax_error (cmd, "option '--variant': '%s' is not Standard or Fixed",
                                           variant_text);
        }
      else
        return bw_manage_args_unknown (args, opt);
    }
  if (filename == NULL)
    return bw_manage_args_missing (args, "--filename");
  if (!have_size)
    return bw_manage_args_missing (args, "--size");
  if (format_idx != G_MAXUINT)
    format = format_idx;
  else if (!bw_manage_format_from_name (filename, &format))
    format = BW_DISK_FORMAT_VDI;

  g_autofree char *path = bw_manage_absolute_path (filename);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return bw_manage_error ("%s: the file already exists", path);

  /* Connect first, so that a service that cannot start leaves no file. */
  g_autoptr (BwClient) client = bw_manage_connect ();
  if (client == NULL)
    return BW_MANAGE_EXIT_FAILURE;

  g_autoptr (GError) error = NULL;
  BwDisk *disk = bw_disk_create (path, format, variant, size, &error);
  if (disk == NULL)
    return bw_manage_gerror (error);
  gboolean flushed = bw_disk_flush (disk, &error);
  bw_disk_close (disk);
  if (!flushed)
    {
      g_unlink (path);
      return bw_manage_gerror (error);
    }

  g_autofree char *uuid = bw_client_register_medium (client, path, "hdd", &error);
  if (uuid == NULL)
    {
      g_unlink (path);
      return bw_manage_client_error (error);
    }
  printf ("Medium created. UUID: %s\n", uuid);
  return BW_MANAGE_EXIT_OK;
}

const BwManageCommand bw_manage_cmd_createmedium = {
  .name = "createmedium",
  .summary = "Create a new disk image",
  .usage = usage,
  .help = help,
  .run = run,
};
