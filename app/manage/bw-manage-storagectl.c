/* bw-manage-storagectl.c: `boxwood-manage storagectl`: add or remove a
 * machine's storage controller. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include <string.h>

#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"

static const char usage[] = "storagectl NAME|UUID --name CONTROLLER --add ide\n"
                            "storagectl NAME|UUID --name CONTROLLER --remove\n";

static const char help[]
    = "Options:\n"
      "  --name CONTROLLER  The controller's name within the machine (e.g. IDE); no ':'.\n"
      "  --add ide          Add a controller on this bus (ide: PIIX3 IDE, two ports with\n"
      "                     two devices each).\n"
      "  --remove           Remove the controller and detach its devices.\n";

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  static const char *const buses[] = { "ide", NULL };
  const char *machine = NULL, *name = NULL;
  gboolean add = FALSE, remove = FALSE;
  const char *opt, *pos;
  guint bus = 0;

  while (bw_manage_args_next (args, &opt, &pos))
    {
      if (pos != NULL)
        {
          if (machine != NULL)
            return bw_manage_args_unexpected (args, pos);
          machine = pos;
        }
      else if (strcmp (opt, "--name") == 0)
        {
          if (!bw_manage_args_value (args, &name))
            return bw_manage_args_status (args);
        }
      else if (strcmp (opt, "--add") == 0)
        {
          if (!bw_manage_args_choice (args, buses, &bus))
            return bw_manage_args_status (args);
          add = TRUE;
        }
      else if (strcmp (opt, "--remove") == 0)
        remove = TRUE;
      else
        return bw_manage_args_unknown (args, opt);
    }
  if (machine == NULL)
    return bw_manage_args_missing (args, "the machine's name or UUID");
  if (name == NULL)
    return bw_manage_args_missing (args, "--name");
  if (*name == '\0' || strchr (name, ':') != NULL)
    return bw_manage_syntax_error (cmd, "controller name '%s' is empty or has a ':'", name);
  if (add == remove)
    return bw_manage_syntax_error (cmd, "give one of --add or --remove");

  g_autofree char *key = g_strdup_printf ("storagectl:%s", name);
  g_autofree char *value = add ? g_strdup_printf ("add %s", buses[bus]) : g_strdup ("remove");
  g_autoptr (BwClient) client = bw_manage_connect ();
  if (client == NULL)
    return BW_MANAGE_EXIT_FAILURE;
  return bw_manage_modify1 (client, machine, key, value);
}

const BwManageCommand bw_manage_cmd_storagectl = {
  .name = "storagectl",
  .summary = "Add or remove a storage controller",
  .usage = usage,
  .help = help,
  .run = run,
};
