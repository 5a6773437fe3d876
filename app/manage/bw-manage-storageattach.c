/* bw-manage-storageattach.c: `boxwood-manage storageattach`: attach a disk
 * or DVD image to a controller slot, or empty the slot. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include <string.h>

#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"
#include "app/manage/bw-manage-medium.h"
#include "app/manage/bw-manage-session.h"

static const char usage[]
    = "storageattach NAME|UUID --storagectl CONTROLLER --port N [--device N]\n"
      "  [--type hdd|dvddrive] --medium FILE|UUID|none|emptydrive\n";

static const char help[]
    = "Options:\n"
      "  --storagectl CONTROLLER  The controller (see 'storagectl').\n"
      "  --port N                 Port on the controller (IDE: 0 primary, 1 secondary).\n"
      "  --device N               Device on the port (IDE: 0 master, 1 slave); default 0.\n"
      "  --type hdd|dvddrive      What is attached: a hard disk or a DVD drive.\n"
      "  --medium WHAT            An image file or a registered medium's UUID (it is\n"
      "                           registered as a medium if it is not yet), none to\n"
      "                           empty the slot, or emptydrive for a DVD drive with no disc.\n"
      "\n"
      "While the machine runs, only the disc in an existing DVD drive can change\n"
      "(--type dvddrive --medium FILE|emptydrive); the guest sees the new medium.\n";

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  static const char *const types[] = { "hdd", "dvddrive", NULL };
  const char *machine = NULL, *controller = NULL, *medium = NULL;
  guint64 port = G_MAXUINT64, device = 0;
  guint type = G_MAXUINT;
  const char *opt, *pos;

  while (bw_manage_args_next (args, &opt, &pos))
    {
      if (pos != NULL)
        {
          if (machine != NULL)
            return bw_manage_args_unexpected (args, pos);
          machine = pos;
        }
      else if (strcmp (opt, "--storagectl") == 0)
        {
          if (!bw_manage_args_value (args, &controller))
            return bw_manage_args_status (args);
        }
      else if (strcmp (opt, "--port") == 0)
        {
          if (!bw_manage_args_uint (args, 0, 255, &port))
            return bw_manage_args_status (args);
        }
      else if (strcmp (opt, "--device") == 0)
        {
          if (!bw_manage_args_uint (args, 0, 255, &device))
            return bw_manage_args_status (args);
        }
      else if (strcmp (opt, "--type") == 0)
        {
          if (!bw_manage_args_choice (args, types, &type))
            return bw_manage_args_status (args);
        }
      else if (strcmp (opt, "--medium") == 0)
        {
          if (!bw_manage_args_value (args, &medium))
            return bw_manage_args_status (args);
        }
      else
        return bw_manage_args_unknown (args, opt);
    }
  if (machine == NULL)
    return bw_manage_args_missing (args, "the machine's name or UUID");
  if (controller == NULL)
    return bw_manage_args_missing (args, "--storagectl");
  if (*controller == '\0' || strchr (controller, ':') != NULL)
    return bw_manage_syntax_error (cmd, "controller name '%s' is empty or has a ':'", controller);
  if (port == G_MAXUINT64)
    return bw_manage_args_missing (args, "--port");
  if (medium == NULL)
    return bw_manage_args_missing (args, "--medium");

  gboolean none = g_ascii_strcasecmp (medium, "none") == 0;
  gboolean empty = g_ascii_strcasecmp (medium, "emptydrive") == 0;
  if (empty && type == 0)
    return bw_manage_syntax_error (cmd, "'--medium emptydrive' needs '--type dvddrive'");
  if (empty)
    type = 1;
  if (none && type == G_MAXUINT)
    type = 0; /* the slot is emptied; its type does not matter */
  if (type == G_MAXUINT)
    return bw_manage_args_missing (args, "--type");

  g_autoptr (BwClient) client = NULL;
  g_autofree char *location = NULL;
  if (!none && !empty && (location = bw_manage_resolve_medium (&client, medium)) == NULL)
    return BW_MANAGE_EXIT_FAILURE;
  if (client == NULL && (client = bw_manage_connect ()) == NULL)
    return BW_MANAGE_EXIT_FAILURE;

  /* A running machine changes the disc in its drive through its session,
   * which records it in the settings. */
  if (type == 1 && !none)
    {
      g_autoptr (BwClientSession) live = bw_manage_find_session (client, machine, NULL);
      if (live != NULL
          && (g_strcmp0 (live->state, "running") == 0 || g_strcmp0 (live->state, "paused") == 0))
        {
          g_autoptr (BwDBusSession1) session = bw_manage_open_session (client, machine);
          if (session == NULL)
            return BW_MANAGE_EXIT_FAILURE;
          g_autoptr (GError) error = NULL;
          if (!bw_dbus_session1_call_mount_medium_sync (session, controller, (guint) port,
                                                        (guint) device, empty ? "" : location,
                                                        NULL, &error))
            return bw_manage_session_error (error);
          return BW_MANAGE_EXIT_OK;
        }
    }

  g_autofree char *key = g_strdup_printf (
      "storageattach:%s:%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, controller, port, device);
  g_autofree char *value = none    ? g_strdup ("none")
                           : empty ? g_strdup ("dvddrive emptydrive")
                                   : g_strdup_printf ("%s %s", types[type], location);
  return bw_manage_modify1 (client, machine, key, value);
}

const BwManageCommand bw_manage_cmd_storageattach = {
  .name = "storageattach",
  .summary = "Attach a disk or DVD image to a machine, or detach it",
  .usage = usage,
  .help = help,
  .run = run,
};
