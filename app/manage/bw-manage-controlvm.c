/* bw-manage-controlvm.c: `boxwood-manage controlvm`: act on a running
 * machine through its session. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include <string.h>

#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"
#include "app/manage/bw-manage-session.h"

static const char usage[]
    = "controlvm NAME|UUID pause|resume|reset|poweroff|acpipowerbutton\n"
      "controlvm NAME|UUID keyboardputscancode HEX [HEX...]\n"
      "controlvm NAME|UUID keyboardputstring TEXT [TEXT...]\n"
      "controlvm NAME|UUID screenshotpng FILE\n"
      "controlvm NAME|UUID screentext\n"
      "controlvm NAME|UUID dvdattach FILE|emptydrive\n";

static const char help[]
    = "Actions:\n"
      "  pause, resume          Stop and continue the virtual CPUs.\n"
      "  reset                  A hardware reset.\n"
      "  poweroff               Pull the plug: the machine stops at once.\n"
      "  acpipowerbutton        Press the ACPI power button: the guest's OS shuts\n"
      "                         down cleanly (if it listens).\n"
      "  keyboardputscancode    PS/2 scancodes of set 1 in hex (1E 9E types 'a').\n"
      "  keyboardputstring      Types the text (US layout); several arguments are\n"
      "                         joined by spaces.\n"
      "  screenshotpng FILE     The screen as a PNG, in any mode.\n"
      "  screentext             The text-mode screen as text, one line per row.\n"
      "  dvdattach WHAT         Puts an ISO image into the machine's first DVD drive\n"
      "                         or empties it (emptydrive); the settings follow. For\n"
      "                         another drive use 'storageattach' while it runs.\n";

/* The first DVD drive of the settings, for dvdattach. */
static gboolean
first_dvd (BwClient *client, const char *machine, char **controller, guint *port, guint *device)
{
  g_autoptr (BwMachineSettings) settings = bw_manage_get_settings (client, machine, NULL, NULL);
  if (settings == NULL)
    return FALSE;
  GPtrArray *ctls = settings->hardware->storage_controllers;
  for (guint i = 0; i < ctls->len; i++)
    {
      BwStorageController *c = g_ptr_array_index (ctls, i);
      for (guint j = 0; j < c->attachments->len; j++)
        {
          BwStorageAttachment *a = g_ptr_array_index (c->attachments, j);
          if (a->type == BW_DEVICE_TYPE_DVD)
            {
              *controller = g_strdup (c->name);
              *port = a->port;
              *device = a->device;
              return TRUE;
            }
        }
    }
  bw_manage_error ("Machine '%s' has no DVD drive; add one with 'storageattach --type "
                   "dvddrive' while it is powered off",
                   machine);
  return FALSE;
}

static int
do_action (BwClient *client, const char *machine, BwDBusSession1 *s, const char *action,
           char **rest)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = FALSE;
  if (strcmp (action, "pause") == 0)
    ok = bw_dbus_session1_call_pause_sync (s, NULL, &error);
  else if (strcmp (action, "resume") == 0)
    ok = bw_dbus_session1_call_resume_sync (s, NULL, &error);
  else if (strcmp (action, "reset") == 0)
    ok = bw_dbus_session1_call_reset_sync (s, NULL, &error);
  else if (strcmp (action, "poweroff") == 0)
    ok = bw_dbus_session1_call_power_off_sync (s, NULL, &error);
  else if (strcmp (action, "acpipowerbutton") == 0)
    ok = bw_dbus_session1_call_acpi_shutdown_sync (s, NULL, &error);
  else if (strcmp (action, "keyboardputscancode") == 0)
    {
      g_autoptr (GByteArray) codes = g_byte_array_new ();
      for (guint i = 0; rest[i] != NULL; i++)
        {
          guint64 v;
          if (!g_ascii_string_to_unsigned (rest[i], 16, 0, 0xff, &v, NULL))
            return bw_manage_error ("'%s' is not a scancode (a hex byte, 00-FF)", rest[i]);
          guint8 b = (guint8) v;
          g_byte_array_append (codes, &b, 1);
        }
      GVariant *v = g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, codes->data, codes->len, 1);
      ok = bw_dbus_session1_call_put_scancodes_sync (s, v, NULL, &error);
    }
  else if (strcmp (action, "keyboardputstring") == 0)
    {
      g_autofree char *text = g_strjoinv (" ", rest);
      ok = bw_dbus_session1_call_put_string_sync (s, text, NULL, &error);
    }
  else if (strcmp (action, "screenshotpng") == 0)
    {
      g_autoptr (GVariant) png = NULL;
      if (!bw_dbus_session1_call_screenshot_png_sync (s, &png, NULL, &error))
        return bw_manage_session_error (error);
      gsize len = 0;
      const guint8 *data = g_variant_get_fixed_array (png, &len, 1);
      if (!g_file_set_contents (rest[0], (const char *) data, len, &error))
        return bw_manage_gerror (error);
      return BW_MANAGE_EXIT_OK;
    }
  else if (strcmp (action, "screentext") == 0)
    {
      g_autofree char *text = NULL;
      if (!bw_dbus_session1_call_get_screen_text_sync (s, &text, NULL, &error))
        return bw_manage_session_error (error);
      fputs (text, stdout);
      return BW_MANAGE_EXIT_OK;
    }
  else /* dvdattach */
    {
      g_autofree char *controller = NULL;
      guint port = 0, device = 0;
      if (!first_dvd (client, machine, &controller, &port, &device))
        return BW_MANAGE_EXIT_FAILURE;
      g_autofree char *path = g_ascii_strcasecmp (rest[0], "emptydrive") == 0
                                  ? g_strdup ("")
                                  : bw_manage_absolute_path (rest[0]);
      ok = bw_dbus_session1_call_mount_medium_sync (s, controller, port, device, path, NULL,
                                                    &error);
    }
  return ok ? BW_MANAGE_EXIT_OK : bw_manage_session_error (error);
}

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  /* name, argument count: -1 one or more, else exactly that many. */
  static const struct
  {
    const char *name;
    int nargs;
  } actions[] = {
    { "pause", 0 },      { "resume", 0 },     { "reset", 0 },
    { "poweroff", 0 },   { "acpipowerbutton", 0 }, { "keyboardputscancode", -1 }, { "keyboardputstring", -1 },
    { "screenshotpng", 1 }, { "screentext", 0 }, { "dvdattach", 1 },
  };
  const char *opt, *pos;
  g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  while (bw_manage_args_next (args, &opt, &pos))
    {
      if (pos == NULL)
        return bw_manage_args_unknown (args, opt);
      g_ptr_array_add (words, g_strdup (pos));
    }
  if (words->len < 1)
    return bw_manage_args_missing (args, "the machine's name or UUID");
  if (words->len < 2)
    return bw_manage_args_missing (args, "an action");
  const char *machine = words->pdata[0], *action = words->pdata[1];
  int nargs = -2;
  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (g_ascii_strcasecmp (action, actions[i].name) == 0)
      {
        action = actions[i].name;
        nargs = actions[i].nargs;
      }
  if (nargs == -2)
    return bw_manage_syntax_error (cmd, "unknown action '%s'", action);
  int given = (int) words->len - 2;
  if (nargs == -1 && given < 1)
    return bw_manage_syntax_error (cmd, "%s needs at least one argument", action);
  if (nargs >= 0 && given != nargs)
    return bw_manage_syntax_error (cmd, "%s takes %d argument%s, not %d", action, nargs,
                                   nargs == 1 ? "" : "s", given);
  g_ptr_array_add (words, NULL);

  g_autoptr (BwClient) client = bw_manage_connect ();
  if (client == NULL)
    return BW_MANAGE_EXIT_FAILURE;
  g_autoptr (BwDBusSession1) session = bw_manage_open_session (client, machine);
  if (session == NULL)
    return BW_MANAGE_EXIT_FAILURE;
  return do_action (client, machine, session, action, (char **) words->pdata + 2);
}

const BwManageCommand bw_manage_cmd_controlvm = {
  .name = "controlvm",
  .summary = "Control a running machine: pause, reset, keys, screen, DVD",
  .usage = usage,
  .help = help,
  .run = run,
};
