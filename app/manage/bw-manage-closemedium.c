/* bw-manage-closemedium.c: `boxwood-manage closemedium`: unregister a
 * medium, optionally deleting its file (the service does both). */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include <string.h>

#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"
#include "app/manage/bw-manage-medium.h"

static const char usage[] = "closemedium [disk|dvd] FILE|UUID [--delete]\n";

static const char help[]
    = "Removes a medium from the registered media. It must not be attached to a machine.\n"
      "\n"
      "Options:\n"
      "  --delete   Also delete the image file.\n";

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  const char *what = NULL, *opt, *pos;
  gboolean delete_file = FALSE;

  while (bw_manage_args_next (args, &opt, &pos))
    {
      if (opt != NULL)
        {
          if (strcmp (opt, "--delete") != 0)
            return bw_manage_args_unknown (args, opt);
          delete_file = TRUE;
        }
      else if (what == NULL
               && (g_ascii_strcasecmp (pos, "disk") == 0 || g_ascii_strcasecmp (pos, "dvd") == 0))
        continue;
      else if (what != NULL)
        return bw_manage_args_unexpected (args, pos);
      else
        what = pos;
    }
  if (what == NULL)
    return bw_manage_args_missing (args, "the image file or UUID");

  /* A UUID goes to the service as it is; a file name is made absolute
   * (it may already be gone from the disk and still be registered). */
  g_autofree char *medium
      = bw_manage_looks_like_uuid (what) ? g_strdup (what) : bw_manage_absolute_path (what);
  g_autoptr (BwClient) client = bw_manage_connect ();
  if (client == NULL)
    return BW_MANAGE_EXIT_FAILURE;
  g_autoptr (GError) error = NULL;
  if (!bw_client_close_medium (client, medium, delete_file, &error))
    return bw_manage_client_error (error);
  return BW_MANAGE_EXIT_OK;
}

const BwManageCommand bw_manage_cmd_closemedium = {
  .name = "closemedium",
  .summary = "Unregister a disk or DVD image, optionally deleting it",
  .usage = usage,
  .help = help,
  .run = run,
};
