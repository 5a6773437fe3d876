/* bw-manage-createvm.c: `boxwood-manage createvm`: make a new machine's
 * folder and settings file (through the service), optionally registered. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "app/main/bw-os-types.h"
#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"

static const char usage[]
    = "createvm --name NAME [--ostype TYPE] [--basefolder FOLDER] [--register]\n";

static const char help[]
    = "Options:\n"
      "  --name NAME          The machine's name; its files go to FOLDER/NAME/NAME.bwvm.\n"
      "  --ostype TYPE        Guest OS type (default Other); it sets the recommended\n"
      "                       memory and video memory. See 'boxwood-manage list ostypes'.\n"
      "  --basefolder FOLDER  Where the machine's folder is made (default: the machine\n"
      "                       folder, see 'boxwood-manage list systemproperties').\n"
      "  --register           Also add the machine to the list of registered machines.\n";

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  const char *name = NULL, *ostype = NULL, *basefolder = NULL;
  gboolean do_register = FALSE;
  const char *opt, *pos;

  while (bw_manage_args_next (args, &opt, &pos))
    {
      if (pos != NULL)
        return bw_manage_args_unexpected (args, pos);
      if (strcmp (opt, "--name") == 0)
        {
          if (!bw_manage_args_value (args, &name))
            return bw_manage_args_status (args);
        }
      else if (strcmp (opt, "--ostype") == 0)
        {
          if (!bw_manage_args_value (args, &ostype))
            return bw_manage_args_status (args);
        }
      else if (strcmp (opt, "--basefolder") == 0)
        {
          if (!bw_manage_args_value (args, &basefolder))
            return bw_manage_args_status (args);
        }
      else if (strcmp (opt, "--register") == 0)
        do_register = TRUE;
      else
        return bw_manage_args_unknown (args, opt);
    }
  if (name == NULL)
    return bw_manage_args_missing (args, "--name");
  if (*name == '\0')
    return bw_manage_syntax_error (cmd, "option '--name': the name is empty");

  const BwOsType *type = NULL;
  if (ostype != NULL && (type = bw_os_types_lookup (ostype)) == NULL)
    return bw_manage_error ("unknown OS type '%s'; 'boxwood-manage list ostypes' shows them",
                            ostype);

  g_autofree char *folder = basefolder != NULL ? bw_manage_absolute_path (basefolder) : NULL;
  g_autoptr (BwClient) client = bw_manage_connect ();
  if (client == NULL)
    return BW_MANAGE_EXIT_FAILURE;

  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uuid = bw_client_create_machine (client, name, type ? type->id : NULL, folder,
                                                    do_register, &path, &error);
  if (uuid == NULL)
    return bw_manage_client_error (error);

  printf ("Virtual machine '%s' is created%s.\n"
          "UUID: %s\n"
          "Settings file: '%s'\n",
          name, do_register ? " and registered" : "", uuid, path);
  return BW_MANAGE_EXIT_OK;
}

const BwManageCommand bw_manage_cmd_createvm = {
  .name = "createvm",
  .summary = "Create a new machine",
  .usage = usage,
  .help = help,
  .run = run,
};
