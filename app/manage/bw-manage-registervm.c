/* bw-manage-registervm.c: `boxwood-manage registervm`: add an existing
 * machine settings file (e.g. a folder copied from another host). */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include <stdio.h>

#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"

static const char usage[] = "registervm FILE.bwvm\n";

static const char help[]
    = "Adds the machine described by FILE.bwvm to the registered machines. Its name\n"
      "and UUID must not be taken by a registered machine already.\n";

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  const char *file = NULL;
  const char *opt, *pos;

  while (bw_manage_args_next (args, &opt, &pos))
    {
      if (opt != NULL)
        return bw_manage_args_unknown (args, opt);
      if (file != NULL)
        return bw_manage_args_unexpected (args, pos);
      file = pos;
    }
  if (file == NULL)
    return bw_manage_args_missing (args, "the settings file");

  g_autofree char *path = bw_manage_absolute_path (file);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return bw_manage_error ("%s: no such file", path);

  g_autoptr (BwClient) client = bw_manage_connect ();
  if (client == NULL)
    return BW_MANAGE_EXIT_FAILURE;

  g_autoptr (GError) error = NULL;
  g_autofree char *uuid = bw_client_register_machine (client, path, &error);
  if (uuid == NULL)
    return bw_manage_client_error (error);
  printf ("Registered machine {%s} from '%s'.\n", uuid, path);
  return BW_MANAGE_EXIT_OK;
}

const BwManageCommand bw_manage_cmd_registervm = {
  .name = "registervm",
  .summary = "Register an existing machine settings file",
  .usage = usage,
  .help = help,
  .run = run,
};
