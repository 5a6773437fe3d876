/* bw-manage-setproperty.c: `boxwood-manage setproperty`: global settings. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include <string.h>

#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"

static const char usage[] = "setproperty machinefolder FOLDER|default\n";

static const char help[]
    = "Properties:\n"
      "  machinefolder FOLDER   Where new machines are made (default: \"$HOME/Boxwood VMs\";\n"
      "                         'default' restores it).\n";

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  const char *name = NULL, *value = NULL, *opt, *pos;

  while (bw_manage_args_next (args, &opt, &pos))
    {
      if (opt != NULL)
        return bw_manage_args_unknown (args, opt);
      if (name == NULL)
        name = pos;
      else if (value == NULL)
        value = pos;
      else
        return bw_manage_args_unexpected (args, pos);
    }
  if (name == NULL)
    return bw_manage_args_missing (args, "the property name");
  if (g_ascii_strcasecmp (name, "machinefolder") != 0)
    return bw_manage_syntax_error (cmd, "unknown property '%s'", name);
  if (value == NULL)
    return bw_manage_args_missing (args, "the folder");

  g_autofree char *folder = g_ascii_strcasecmp (value, "default") == 0 || *value == '\0'
                                ? g_strdup ("")
                                : bw_manage_absolute_path (value);
  g_autoptr (BwClient) client = bw_manage_connect ();
  if (client == NULL)
    return BW_MANAGE_EXIT_FAILURE;
  g_autoptr (GError) error = NULL;
  if (!bw_client_set_system_property (client, "machinefolder", folder, &error))
    return bw_manage_client_error (error);
  return BW_MANAGE_EXIT_OK;
}

const BwManageCommand bw_manage_cmd_setproperty = {
  .name = "setproperty",
  .summary = "Change a global setting",
  .usage = usage,
  .help = help,
  .run = run,
};
