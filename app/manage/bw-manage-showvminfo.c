/* bw-manage-showvminfo.c: `boxwood-manage showvminfo`: a machine's settings
 * and state, for people or (--machinereadable) as VBoxManage-style
 * key="value" lines for scripts. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "app/main/bw-os-types.h"
#include "app/main/bw-paths.h"
#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"

static const char usage[] = "showvminfo NAME|UUID [--machinereadable]\n";

static const char help[]
    = "Options:\n"
      "  --machinereadable   One KEY=VALUE line per setting; strings are quoted, with \\\\,\n"
      "                      \\\" and \\n escaped. Keys follow VBoxManage's (name, ostype, UUID,\n"
      "                      CfgFile, memory, cpus, vram, boot1, uart1, uartmode1,\n"
      "                      \"IDE-0-0\", VMState, ...), plus acceleration, kernel, initrd\n"
      "                      cmdline, scalemode and scalefactor for Boxwood's own settings.\n";

typedef struct
{
  gboolean machine;         /* --machinereadable */
  GHashTable *medium_uuids; /* location -> uuid, of registered media */
} Out;

static char *
quote (const char *s)
{
  GString *q = g_string_new ("\"");

  for (; s != NULL && *s != '\0'; s++)
    {
      if (*s == '"' || *s == '\\')
        g_string_append_c (q, '\\');
      if (*s == '\n')
        g_string_append (q, "\\n");
      else
        g_string_append_c (q, *s);
    }
  g_string_append_c (q, '"');
  return g_string_free (q, FALSE);
}

static void
put_str (Out *o, const char *key, const char *label, const char *value)
{
  if (o->machine)
    {
      g_autofree char *v = quote (value);
      /* Keys with characters other than letters and digits are quoted too. */
      if (strpbrk (key, "- ") != NULL)
        printf ("\"%s\"=%s\n", key, v);
      else
        printf ("%s=%s\n", key, v);
    }
  else if (label != NULL)
    printf ("%-24s %s\n", label, value != NULL ? value : "");
}

static void
put_uint (Out *o, const char *key, const char *label, guint value, const char *unit)
{
  if (o->machine)
    printf ("%s=%u\n", key, value);
  else
    printf ("%-24s %u%s\n", label, value, unit);
}

static char *
format_time (gint64 usec)
{
  if (usec <= 0)
    return g_strdup ("");
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("");
}

static const char *
human_state (const char *state)
{
  static const struct
  {
    const char *state, *text;
  } names[] = {
    { "poweroff", "powered off" }, { "starting", "starting" }, { "running", "running" },
    { "paused", "paused" },        { "stopping", "stopping" }, { "aborted", "aborted" },
    { "saved", "saved" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (names[i].state, state) == 0)
      return names[i].text;
  return state;
}

static void
put_storage (Out *o, const BwHardware *hw)
{
  if (!o->machine)
    printf ("Storage Controllers:\n");
  for (guint i = 0; i < hw->storage_controllers->len; i++)
    {
      const BwStorageController *c = hw->storage_controllers->pdata[i];
      const char *bus = bw_storage_bus_to_string (c->bus);
      char key[64];

      if (o->machine)
        {
          g_snprintf (key, sizeof key, "storagecontrollername%u", i);
          put_str (o, key, NULL, c->name);
          g_snprintf (key, sizeof key, "storagecontrollertype%u", i);
          put_str (o, key, NULL, c->bus == BW_STORAGE_BUS_IDE ? "PIIX3" : bus);
          g_snprintf (key, sizeof key, "storagecontrollerbus%u", i);
          put_str (o, key, NULL, bus);
        }
      else
        printf ("#%u: '%s', Bus: %s, Type: %s\n", i, c->name, bus,
                c->bus == BW_STORAGE_BUS_IDE ? "PIIX3" : bus);

      for (guint j = 0; j < c->attachments->len; j++)
        {
          const BwStorageAttachment *a = c->attachments->pdata[j];
          const char *uuid
              = a->medium != NULL ? g_hash_table_lookup (o->medium_uuids, a->medium) : NULL;
          const char *what = a->medium != NULL ? a->medium : "emptydrive";

          if (o->machine)
            {
              g_snprintf (key, sizeof key, "%s-%u-%u", c->name, a->port, a->device);
              put_str (o, key, NULL, what);
              if (uuid != NULL)
                {
                  g_snprintf (key, sizeof key, "%s-ImageUUID-%u-%u", c->name, a->port, a->device);
                  put_str (o, key, NULL, uuid);
                }
              g_snprintf (key, sizeof key, "%s-type-%u-%u", c->name, a->port, a->device);
              put_str (o, key, NULL, a->type == BW_DEVICE_TYPE_HDD ? "hdd" : "dvddrive");
            }
          else if (uuid != NULL)
            printf ("%s (%u, %u): %s (%s, UUID: %s)\n", c->name, a->port, a->device, what,
                    a->type == BW_DEVICE_TYPE_HDD ? "hdd" : "dvddrive", uuid);
          else
            printf ("%s (%u, %u): %s (%s)\n", c->name, a->port, a->device, what,
                    a->type == BW_DEVICE_TYPE_HDD ? "hdd" : "dvddrive");
        }
    }
  if (!o->machine && hw->storage_controllers->len == 0)
    printf ("  <none>\n");
}

static void
put_uarts (Out *o, const BwHardware *hw)
{
  for (guint i = 0; i < BW_SERIAL_PORT_COUNT; i++)
    {
      const BwSerialPort *p = &hw->serial_ports[i];
      const char *mode = p->mode == BW_SERIAL_MODE_FILE          ? "file"
                         : p->mode == BW_SERIAL_MODE_UNIX_SOCKET ? (p->server ? "server" : "client")
                                                                 : "disconnected";
      char key[16], label[16];

      g_snprintf (key, sizeof key, "uart%u", i + 1);
      g_snprintf (label, sizeof label, "UART %u:", i + 1);
      if (o->machine)
        {
          g_autofree char *v
              = p->enabled ? g_strdup_printf ("0x%04x,%u", p->io_base, p->irq) : g_strdup ("off");
          g_autofree char *m = p->path != NULL && p->mode != BW_SERIAL_MODE_DISCONNECTED
                                   ? g_strdup_printf ("%s,%s", mode, p->path)
                                   : g_strdup (mode);
          put_str (o, key, NULL, v);
          if (p->enabled)
            {
              g_snprintf (key, sizeof key, "uartmode%u", i + 1);
              put_str (o, key, NULL, m);
            }
        }
      else if (!p->enabled)
        printf ("%-24s disabled\n", label);
      else if (p->mode == BW_SERIAL_MODE_DISCONNECTED)
        printf ("%-24s I/O base: 0x%04x, IRQ: %u, disconnected\n", label, p->io_base, p->irq);
      else
        printf ("%-24s I/O base: 0x%04x, IRQ: %u, %s '%s'\n", label, p->io_base, p->irq,
                p->mode == BW_SERIAL_MODE_FILE ? "attached to file"
                : p->server                    ? "server on socket"
                                               : "client of socket",
                p->path);
    }
}

static void
put_nics (Out *o, const BwHardware *hw)
{
  for (guint i = 0; i < BW_NETWORK_ADAPTER_COUNT; i++)
    {
      const BwNetworkAdapter *n = &hw->network_adapters[i];
      char key[20], label[16];

      g_snprintf (key, sizeof key, "nic%u", i + 1);
      g_snprintf (label, sizeof label, "NIC %u:", i + 1);
      if (o->machine)
        {
          put_str (o, key, NULL, n->enabled ? bw_net_attachment_to_string (n->attachment) : "none");
          if (n->enabled)
            {
              g_snprintf (key, sizeof key, "nictype%u", i + 1);
              put_str (o, key, NULL, bw_nic_type_to_string (n->type));
              g_snprintf (key, sizeof key, "macaddress%u", i + 1);
              put_str (o, key, NULL, n->mac);
            }
        }
      else if (n->enabled)
        printf ("%-24s MAC: %s, Attachment: %s, Type: %s\n", label, n->mac ? n->mac : "",
                bw_net_attachment_to_string (n->attachment), bw_nic_type_to_string (n->type));
      else if (i == 0)
        printf ("%-24s disabled\n", label);
    }
}

static void
put_snapshots (Out *o, const BwSnapshot *snap, const char *suffix, guint depth)
{
  if (o->machine)
    {
      g_autofree char *k1 = g_strconcat ("SnapshotName", suffix, NULL);
      g_autofree char *k2 = g_strconcat ("SnapshotUUID", suffix, NULL);
      put_str (o, k1, NULL, snap->name);
      put_str (o, k2, NULL, snap->uuid);
    }
  else
    printf ("%*sName: %s (UUID: %s)\n", 3 * (depth + 1), "", snap->name, snap->uuid);
  for (guint i = 0; i < snap->children->len; i++)
    {
      g_autofree char *sub = g_strdup_printf ("%s-%u", suffix, i + 1);
      put_snapshots (o, snap->children->pdata[i], sub, depth + 1);
    }
}

static GHashTable *
medium_uuids (BwClient *client)
{
  GHashTable *map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) media = bw_client_list_media (client, NULL, NULL);

  for (guint i = 0; media != NULL && i < media->len; i++)
    {
      const BwClientMedium *m = media->pdata[i];
      g_hash_table_insert (map, g_strdup (m->location), g_strdup (m->uuid));
    }
  return map;
}

static void
show (Out *o, const BwMachineSettings *s, const char *path, const char *state, gint64 since)
{
  const BwHardware *hw = s->hardware;
  const BwOsType *os = bw_os_types_lookup (hw->os_type ? hw->os_type : "Other");
  g_autofree char *folder = bw_paths_machine_folder (path);
  g_autofree char *snaps = g_build_filename (folder, "Snapshots", NULL);
  g_autofree char *logs = g_build_filename (folder, "Logs", NULL);
  g_autofree char *when = format_time (since);

  put_str (o, "name", "Name:", s->name);
  if (o->machine)
    put_str (o, "ostype", NULL, hw->os_type ? hw->os_type : "Other");
  else
    put_str (o, NULL, "Guest OS:", os != NULL ? os->description : hw->os_type);
  put_str (o, "UUID", "UUID:", s->uuid);
  put_str (o, "CfgFile", "Config file:", path);
  put_str (o, "SnapFldr", "Snapshot folder:", snaps);
  put_str (o, "LogFldr", "Log folder:", logs);
  put_uint (o, "memory", "Memory size:", hw->memory_mib, " MB");
  put_uint (o, "vram", "VRAM size:", hw->vram_mib, " MB");
  put_str (o, "scalemode", "Display scaling:", bw_scale_mode_to_string (hw->scale_mode));
  put_uint (o, "scalefactor", "Display scale factor:", hw->scale_percent, " %");
  put_uint (o, "cpus", "Number of CPUs:", hw->cpu_count, "");
  put_str (o, "acceleration", "Acceleration:", bw_acceleration_to_string (hw->acceleration));
  if (o->machine)
    put_str (o, "firmware", NULL, hw->firmware == BW_FIRMWARE_EFI ? "EFI" : "BIOS");
  else
    put_str (o, NULL, "Firmware:", hw->firmware == BW_FIRMWARE_EFI ? "EFI" : "BIOS");
  for (guint i = 0; i < BW_BOOT_ORDER_SLOTS; i++)
    {
      char key[8], label[24];
      g_snprintf (key, sizeof key, "boot%u", i + 1);
      g_snprintf (label, sizeof label, "Boot Device %u:", i + 1);
      put_str (o, key, label, bw_boot_device_to_string (hw->boot_order[i]));
    }
  if (o->machine || hw->kernel != NULL)
    {
      put_str (o, "kernel", "Direct boot kernel:", hw->kernel ? hw->kernel : "");
      put_str (o, "initrd", "Direct boot initrd:", hw->initrd ? hw->initrd : "");
      put_str (o, "cmdline", "Kernel command line:", hw->cmdline ? hw->cmdline : "");
    }
  if (o->machine)
    {
      put_str (o, "VMState", NULL, state);
      put_str (o, "VMStateChangeTime", NULL, when);
    }
  else
    {
      g_autofree char *text = *when != '\0'
                                  ? g_strdup_printf ("%s (since %s)", human_state (state), when)
                                  : g_strdup (human_state (state));
      put_str (o, NULL, "State:", text);
    }
  put_storage (o, hw);
  put_uarts (o, hw);
  put_nics (o, hw);
  if (s->first_snapshot != NULL)
    {
      if (!o->machine)
        printf ("Snapshots:\n");
      put_snapshots (o, s->first_snapshot, "", 0);
      if (o->machine && s->current_snapshot != NULL)
        put_str (o, "CurrentSnapshotUUID", NULL, s->current_snapshot);
    }
  if (o->machine)
    put_str (o, "description", NULL, s->description ? s->description : "");
  else if (s->description != NULL)
    printf ("Description:\n%s\n", s->description);
}

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  const char *machine = NULL, *opt, *pos;
  Out o = { 0 };

  while (bw_manage_args_next (args, &opt, &pos))
    {
      if (pos != NULL)
        {
          if (machine != NULL)
            return bw_manage_args_unexpected (args, pos);
          machine = pos;
        }
      else if (strcmp (opt, "--machinereadable") == 0)
        o.machine = TRUE;
      else
        return bw_manage_args_unknown (args, opt);
    }
  if (machine == NULL)
    return bw_manage_args_missing (args, "the machine's name or UUID");

  g_autoptr (BwClient) client = bw_manage_connect ();
  if (client == NULL)
    return BW_MANAGE_EXIT_FAILURE;

  g_autofree char *uuid = NULL, *path = NULL;
  g_autoptr (BwMachineSettings) settings = bw_manage_get_settings (client, machine, &uuid, &path);
  if (settings == NULL)
    return BW_MANAGE_EXIT_FAILURE;

  g_autoptr (GError) error = NULL;
  gint64 since = 0;
  g_autofree char *state = bw_client_get_machine_state (client, uuid, &since, &error);
  if (state == NULL)
    return bw_manage_client_error (error);

  o.medium_uuids = medium_uuids (client);
  show (&o, settings, path, state, since);
  g_hash_table_unref (o.medium_uuids);
  return BW_MANAGE_EXIT_OK;
}

const BwManageCommand bw_manage_cmd_showvminfo = {
  .name = "showvminfo",
  .summary = "Show a machine's settings and state",
  .usage = usage,
  .help = help,
  .run = run,
};
