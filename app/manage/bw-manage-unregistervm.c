/* bw-manage-unregistervm.c: `boxwood-manage unregistervm`: forget a
 * machine, optionally deleting its settings and logs. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include <string.h>

#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"

static const char usage[] = "unregistervm NAME|UUID [--delete]\n";

static const char help[]
    = "Removes the machine from the registered machines; its files stay where they are.\n"
      "\n"
      "Options:\n"
      "  --delete   Also delete its settings file (and the previous copy), its logs and\n"
      "             its folder when that is then empty. Disk images are kept; delete\n"
      "             them with 'boxwood-manage closemedium FILE --delete'.\n";

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  const char *machine = NULL;
  gboolean delete_files = FALSE;
  const char *opt, *pos;

  while (bw_manage_args_next (args, &opt, &pos))
    {
      if (pos != NULL)
        {
          if (machine != NULL)
            return bw_manage_args_unexpected (args, pos);
          machine = pos;
        }
      else if (strcmp (opt, "--delete") == 0)
        delete_files = TRUE;
      else
        return bw_manage_args_unknown (args, opt);
    }
  if (machine == NULL)
    return bw_manage_args_missing (args, "the machine's name or UUID");

  g_autoptr (BwClient) client = bw_manage_connect ();
  if (client == NULL)
    return BW_MANAGE_EXIT_FAILURE;

  g_autoptr (GError) error = NULL;
  if (!bw_client_unregister_machine (client, machine, delete_files, &error))
    return bw_manage_client_error (error);
  return BW_MANAGE_EXIT_OK;
}

const BwManageCommand bw_manage_cmd_unregistervm = {
  .name = "unregistervm",
  .summary = "Unregister a machine, optionally deleting its files",
  .usage = usage,
  .help = help,
  .run = run,
};
