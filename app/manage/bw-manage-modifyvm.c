/* bw-manage-modifyvm.c: `boxwood-manage modifyvm`: change a machine's
 * settings. The options are checked here for form (numbers, words, paths
 * made absolute) and sent to the service as one all-or-nothing change
 * list; the service checks ranges against the settings model. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include <string.h>

#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"

static const char usage[]
    = "modifyvm NAME|UUID [--name NAME] [--ostype TYPE] [--description TEXT]\n"
      "  [--memory MB] [--cpus N] [--vram MB] [--acceleration auto|kvm|software]\n"
      "  [--scalemode window|fixed] [--scalefactor PERCENT]\n"
      "  [--firmware bios|efi] [--boot<1-4> none|floppy|dvd|disk|net]\n"
      "  [--uart<1-4> off|IOBASE IRQ]\n"
      "  [--uartmode<1-4> disconnected|file PATH|server PATH|client PATH]\n"
      "  [--kernel PATH|none] [--initrd PATH|none] [--cmdline TEXT]\n"
      "  [--nic<1-8> none|null|nat|bridged|intnet|hostonly] [--nictype<1-8> TYPE]\n"
      "  [--macaddress<1-8> auto|XXXXXXXXXXXX]\n";

static const char help[]
    = "Options:\n"
      "  --name NAME            Rename the machine (its folder and files keep their names).\n"
      "  --ostype TYPE          Guest OS type; see 'boxwood-manage list ostypes'.\n"
      "  --description TEXT     Free text shown in the manager.\n"
      "  --memory MB            Guest RAM in MiB.\n"
      "  --cpus N               Number of virtual CPUs.\n"
      "  --vram MB              Video memory in MiB.\n"
      "  --scalemode window|fixed\n"
      "                         How the VM window shows the guest screen: scaled to the\n"
      "                         window (keeping the aspect ratio) or at a fixed size.\n"
      "  --scalefactor PERCENT  The fixed size: 100 (1:1) to 200.\n"
      "  --acceleration MODE    CPU backend: auto (measure and pick), kvm (/dev/kvm) or\n"
      "                         software (Boxwood's own x86 CPU).\n"
      "  --firmware bios|efi    Firmware (bios: SeaBIOS).\n"
      "  --boot1 .. --boot4 DEV Boot order: none, floppy, dvd, disk or net.\n"
      "  --uart1 .. --uart4 off|IOBASE IRQ\n"
      "                         Serial port N off, or on at an I/O base and IRQ\n"
      "                         (COM1 is 0x3f8 4, COM2 0x2f8 3).\n"
      "  --uartmode1 .. --uartmode4 MODE\n"
      "                         Where serial port N is connected: disconnected,\n"
      "                         file PATH (output written to a file), server PATH (a Unix\n"
      "                         socket the machine creates) or client PATH (an existing\n"
      "                         Unix socket).\n"
      "  --kernel PATH|none     Direct boot: start this Linux kernel (bzImage) instead of\n"
      "                         the firmware's boot; none goes back to the firmware.\n"
      "  --initrd PATH|none     Direct boot: initial ramdisk loaded with the kernel.\n"
      "  --cmdline TEXT         Direct boot: the kernel command line (\"\" clears it).\n"
      "  --nic1 .. --nic8 MODE  Network adapter N: none (disabled), null (no cable), nat,\n"
      "                         bridged, intnet or hostonly (stored; networking comes later).\n"
      "  --nictype1 .. --nictype8 TYPE\n"
      "                         Am79C970A, Am79C973, 82540EM, 82543GC, 82545EM or virtio.\n"
      "  --macaddress1 .. --macaddress8 auto|MAC\n"
      "                         12 hex digits, or auto for a fresh one.\n"
      "\n"
      "All changes are applied together or not at all. The machine must not be running.\n";

typedef struct
{
  GPtrArray *keys;
  GPtrArray *values;
} Changes;

static void
add (Changes *c, const char *key, char *value)
{
  g_ptr_array_add (c->keys, g_strdup (key));
  g_ptr_array_add (c->values, value);
}

/* "--uart3" -> 3 when the option is PREFIX followed by one digit 1..max. */
static guint
numbered (const char *option, const char *prefix, guint max)
{
  gsize n = strlen (prefix);

  if (strncmp (option, prefix, n) != 0 || option[n] < '1' || option[n] > '0' + (int)max
      || option[n + 1] != '\0')
    return 0;
  return option[n] - '0';
}

static char *
absolute_or_none (const char *path)
{
  if (g_ascii_strcasecmp (path, "none") == 0 || *path == '\0')
    return g_strdup ("");
  return bw_manage_absolute_path (path);
}

static gboolean
parse_uart (BwManageArgs *args, Changes *c, guint port)
{
  const char *base, *irq;
  guint64 b, i;
  char key[8];

  g_snprintf (key, sizeof key, "uart%u", port);
  if (!bw_manage_args_value (args, &base))
    return FALSE;
  if (g_ascii_strcasecmp (base, "off") == 0)
    {
      add (c, key, g_strdup ("off"));
      return TRUE;
    }
  if (!bw_manage_parse_uint (base, 0, 0xffff, &b))
    {
      bw_manage_syntax_error (bw_manage_args_command (args),
                              "option '%s': '%s' is not 'off' or an I/O base such as 0x3f8",
                              bw_manage_args_current (args), base);
      return FALSE;
    }
  if (!bw_manage_args_extra (args, "an IRQ after the I/O base", &irq))
    return FALSE;
  if (!bw_manage_parse_uint (irq, 0, 15, &i))
    {
      bw_manage_syntax_error (bw_manage_args_command (args),
                              "option '%s': IRQ '%s' is not a number from 0 to 15",
                              bw_manage_args_current (args), irq);
      return FALSE;
    }
  add (c, key, g_strdup_printf ("0x%04" G_GINT64_MODIFIER "x %" G_GUINT64_FORMAT, b, i));
  return TRUE;
}

static gboolean
parse_uartmode (BwManageArgs *args, Changes *c, guint port)
{
  static const char *const modes[] = { "disconnected", "file", "server", "client", NULL };
  const char *path;
  guint mode;
  char key[12];

  g_snprintf (key, sizeof key, "uartmode%u", port);
  if (!bw_manage_args_choice (args, modes, &mode))
    return FALSE;
  if (mode == 0)
    {
      add (c, key, g_strdup ("disconnected"));
      return TRUE;
    }
  if (!bw_manage_args_extra (args, "a path after the mode", &path))
    return FALSE;
  if (*path == '\0')
    {
      bw_manage_syntax_error (bw_manage_args_command (args), "option '%s': the path is empty",
                              bw_manage_args_current (args));
      return FALSE;
    }
  g_autofree char *abs = bw_manage_absolute_path (path);
  add (c, key, g_strdup_printf ("%s %s", modes[mode], abs));
  return TRUE;
}

static gboolean
valid_mac (const char *text)
{
  if (g_ascii_strcasecmp (text, "auto") == 0)
    return TRUE;
  for (int i = 0; i < 12; i++)
    if (!g_ascii_isxdigit (text[i]))
      return FALSE;
  return text[12] == '\0';
}

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  static const char *const accel[] = { "auto", "kvm", "software", NULL };
  static const char *const firmware[] = { "bios", "efi", NULL };
  static const char *const scale_modes[] = { "window", "fixed", NULL };
  static const char *const boot[] = { "none", "floppy", "dvd", "disk", "net", NULL };
  static const char *const nics[]
      = { "none", "null", "nat", "bridged", "intnet", "hostonly", NULL };
  static const char *const nic_types[]
      = { "Am79C970A", "Am79C973", "82540EM", "82543GC", "82545EM", "virtio", NULL };
  g_autoptr (GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
  Changes c = { keys, values };
  const char *machine = NULL;
  const char *opt, *pos, *text;
  guint64 n;
  guint idx, port;

  while (bw_manage_args_next (args, &opt, &pos))
    {
      if (pos != NULL)
        {
          if (machine != NULL)
            return bw_manage_args_unexpected (args, pos);
          machine = pos;
        }
      else if (strcmp (opt, "--name") == 0 || strcmp (opt, "--ostype") == 0
               || strcmp (opt, "--description") == 0 || strcmp (opt, "--cmdline") == 0)
        {
          if (!bw_manage_args_value (args, &text))
            return bw_manage_args_status (args);
          if (strcmp (opt, "--name") == 0 && *text == '\0')
            return bw_manage_syntax_error (cmd, "option '--name': the name is empty");
          add (&c, opt + 2, g_strdup (text));
        }
      else if (strcmp (opt, "--memory") == 0 || strcmp (opt, "--vram") == 0
               || strcmp (opt, "--cpus") == 0)
        {
          /* The settings model's limits, so that a typo gets the usage. */
          gboolean mem = strcmp (opt, "--memory") == 0, vram = strcmp (opt, "--vram") == 0;
          guint64 min = mem ? BW_MEMORY_MIN_MIB : vram ? BW_VRAM_MIN_MIB : 1;
          guint64 max = mem ? BW_MEMORY_MAX_MIB : vram ? BW_VRAM_MAX_MIB : BW_CPU_COUNT_MAX;
          if (!bw_manage_args_uint (args, min, max, &n))
            return bw_manage_args_status (args);
          add (&c, opt + 2, g_strdup_printf ("%" G_GUINT64_FORMAT, n));
        }
      else if (strcmp (opt, "--acceleration") == 0)
        {
          if (!bw_manage_args_choice (args, accel, &idx))
            return bw_manage_args_status (args);
          add (&c, "acceleration", g_strdup (accel[idx]));
        }
      else if (strcmp (opt, "--scalemode") == 0)
        {
          if (!bw_manage_args_choice (args, scale_modes, &idx))
            return bw_manage_args_status (args);
          add (&c, "scalemode", g_strdup (scale_modes[idx]));
        }
      else if (strcmp (opt, "--scalefactor") == 0)
        {
          if (!bw_manage_args_uint (args, 100, 200, &n))
            return bw_manage_args_status (args);
          add (&c, "scalefactor", g_strdup_printf ("%" G_GUINT64_FORMAT, n));
        }
      else if (strcmp (opt, "--firmware") == 0)
        {
          if (!bw_manage_args_choice (args, firmware, &idx))
            return bw_manage_args_status (args);
          add (&c, "firmware", g_strdup (firmware[idx]));
        }
      else if ((port = numbered (opt, "--boot", 4)) != 0)
        {
          if (!bw_manage_args_choice (args, boot, &idx))
            return bw_manage_args_status (args);
          add (&c, opt + 2, g_strdup (boot[idx]));
        }
      else if ((port = numbered (opt, "--uart", 4)) != 0)
        {
          if (!parse_uart (args, &c, port))
            return bw_manage_args_status (args);
        }
      else if ((port = numbered (opt, "--uartmode", 4)) != 0)
        {
          if (!parse_uartmode (args, &c, port))
            return bw_manage_args_status (args);
        }
      else if ((port = numbered (opt, "--nic", 8)) != 0)
        {
          if (!bw_manage_args_choice (args, nics, &idx))
            return bw_manage_args_status (args);
          add (&c, opt + 2, g_strdup (nics[idx]));
        }
      else if ((port = numbered (opt, "--nictype", 8)) != 0)
        {
          if (!bw_manage_args_choice (args, nic_types, &idx))
            return bw_manage_args_status (args);
          add (&c, opt + 2, g_strdup (nic_types[idx]));
        }
      else if ((port = numbered (opt, "--macaddress", 8)) != 0)
        {
          if (!bw_manage_args_value (args, &text))
            return bw_manage_args_status (args);
          if (!valid_mac (text))
            return bw_manage_syntax_error (cmd, "option '%s': '%s' is not 12 hex digits or auto",
                                           opt, text);
          add (&c, opt + 2,
               g_ascii_strcasecmp (text, "auto") == 0 ? g_strdup ("auto")
                                                      : g_ascii_strup (text, -1));
        }
      else if (strcmp (opt, "--kernel") == 0 || strcmp (opt, "--initrd") == 0)
        {
          if (!bw_manage_args_value (args, &text))
            return bw_manage_args_status (args);
          add (&c, opt + 2, absolute_or_none (text));
        }
      else
        return bw_manage_args_unknown (args, opt);
    }

  if (machine == NULL)
    return bw_manage_args_missing (args, "the machine's name or UUID");
  if (keys->len == 0)
    return bw_manage_syntax_error (cmd, "nothing to change");

  g_autoptr (BwClient) client = bw_manage_connect ();
  if (client == NULL)
    return BW_MANAGE_EXIT_FAILURE;
  return bw_manage_modify (client, machine, keys, values);
}

const BwManageCommand bw_manage_cmd_modifyvm = {
  .name = "modifyvm",
  .summary = "Change a machine's settings",
  .usage = usage,
  .help = help,
  .run = run,
};
