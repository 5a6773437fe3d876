/* bw-machine-settings-xml.c: NAME.bwvm <-> BwMachineSettings.
 *
 * Format version 2 (written):
 *   <BoxwoodMachine xmlns="https://boxwood.example/settings" version="2">
 *     <Machine uuid name [currentSnapshot] [stateFile] state [lastStateChange]>
 *       <Description>...</Description>
 *       <Hardware osType>
 *         <CPU count acceleration/> <Memory sizeMiB/> <Firmware type/>
 *         <Boot><Order position="1..4" device/>...</Boot>
 *         <Display vramMiB [scaleMode] [scalePercent]/> <DirectBoot [kernel] [initrd] [cmdline]/>
 *         <StorageControllers><StorageController name type>
 *           <AttachedDevice port device type [medium]/>...
 *         </StorageController></StorageControllers>
 *         <UART><Port slot enabled IOBase IRQ mode [path] server/>...</UART>
 *         <Network><Adapter slot enabled type [MACAddress] attachment/>...</Network>
 *       </Hardware>
 *       <Snapshot uuid name timeStamp [stateFile]>
 *         <Description/> <Hardware/> <Snapshots><Snapshot/>...</Snapshots>
 *       </Snapshot>
 *     </Machine>
 *   </BoxwoodMachine>
 * Version 1, the first draft, differs in two places: <Memory sizeKiB> and
 * <Boot order="dvd,disk"> (a comma list instead of <Order> children).
 * scaleMode and scalePercent came later within version 2; a file without
 * them (either version) reads as scaled to the window at 100 %. */
#define G_LOG_DOMAIN "boxwood-main"
#include "config.h"

#include <errno.h>
#include <string.h>

#include "app/main/bw-atomic-file.h"
#include "app/main/bw-machine-settings.h"
#include "app/main/bw-paths.h"
#include "app/main/bw-settings-xml-private.h"

#define ROOT_NAME "BoxwoodMachine"
/* Deeper snapshot trees are refused: the reader recurses. */
#define MAX_SNAPSHOT_DEPTH 256

/* Known names per element, per format version where they differ. */
static const char *const root_attrs[] = { "version", NULL };
static const char *const root_children[] = { "Machine", NULL };
static const char *const machine_attrs[] = { "uuid", "name", "currentSnapshot", "stateFile",
                                             "state", "lastStateChange", NULL };
static const char *const machine_children[] = { "Description", "Hardware", "Snapshot", NULL };
static const char *const snapshot_attrs[] = { "uuid", "name", "timeStamp", "stateFile", NULL };
static const char *const snapshot_children[] = { "Description", "Hardware", "Snapshots", NULL };
static const char *const snapshots_children[] = { "Snapshot", NULL };
static const char *const hardware_attrs[] = { "osType", NULL };
static const char *const hardware_children[] = { "CPU", "Memory", "Firmware", "Boot", "Display",
                                                 "DirectBoot", "StorageControllers", "UART",
                                                 "Network", NULL };
static const char *const cpu_attrs[] = { "count", "acceleration", NULL };
/* A version 1 file is read as version 1: names that only version 2
 * knows are dropped there rather than kept as unknown, or the rewrite
 * would hold them twice. */
static const char *const memory_attrs_v1[] = { "sizeKiB", "sizeMiB", NULL };
static const char *const memory_attrs_v2[] = { "sizeMiB", NULL };
static const char *const firmware_attrs[] = { "type", NULL };
static const char *const boot_attrs_v1[] = { "order", NULL };
static const char *const boot_children_v1[] = { "Order", NULL };
static const char *const boot_children_v2[] = { "Order", NULL };
static const char *const order_attrs[] = { "position", "device", NULL };
static const char *const display_attrs[] = { "vramMiB", "scaleMode", "scalePercent", NULL };
static const char *const direct_boot_attrs[] = { "kernel", "initrd", "cmdline", NULL };
static const char *const controllers_children[] = { "StorageController", NULL };
static const char *const controller_attrs[] = { "name", "type", NULL };
static const char *const controller_children[] = { "AttachedDevice", NULL };
static const char *const attached_attrs[] = { "port", "device", "type", "medium", NULL };
static const char *const uart_children[] = { "Port", NULL };
static const char *const port_attrs[] = { "slot", "enabled", "IOBase", "IRQ", "mode", "path",
                                          "server", NULL };
static const char *const network_children[] = { "Adapter", NULL };
static const char *const adapter_attrs[] = { "slot", "enabled", "type", "MACAddress",
                                             "attachment", NULL };
static const char *const none[] = { NULL };

#define TRY(x) do { if (!(x)) return FALSE; } while (0)

/* Reading. */

static gboolean
read_boot_v1 (const BwXmlReader *rd, xmlNode *boot, BwHardware *hw, GError **error)
{
  g_autofree char *order = NULL;
  TRY (bw_xml_get_string (rd, boot, "order", FALSE, &order, error));
  for (guint i = 0; i < BW_BOOT_ORDER_SLOTS; i++)
    hw->boot_order[i] = BW_BOOT_DEVICE_NONE;
  if (order == NULL)
    return TRUE;
  g_auto (GStrv) items = g_strsplit (order, ",", -1);
  if (g_strv_length (items) > BW_BOOT_ORDER_SLOTS)
    {
      bw_xml_set_error (error, rd, boot, "boot order \"%s\" has more than %d devices",
                        order, BW_BOOT_ORDER_SLOTS);
      return FALSE;
    }
  for (guint i = 0; items[i] != NULL; i++)
    if (!bw_boot_device_from_string (g_strstrip (items[i]), &hw->boot_order[i]))
      {
        bw_xml_set_error (error, rd, boot, "unknown boot device \"%s\" in order=\"%s\"",
                          items[i], order);
        return FALSE;
      }
  return TRUE;
}

static gboolean
read_boot_v2 (const BwXmlReader *rd, xmlNode *boot, BwHardware *hw, GError **error)
{
  gboolean seen[BW_BOOT_ORDER_SLOTS] = { FALSE };
  for (guint i = 0; i < BW_BOOT_ORDER_SLOTS; i++)
    hw->boot_order[i] = BW_BOOT_DEVICE_NONE;
  for (xmlNode *o = bw_xml_child (boot, "Order"); o != NULL; o = bw_xml_next (o, "Order"))
    {
      guint pos = 0;
      int dev = 0;
      TRY (bw_xml_get_uint (rd, o, "position", TRUE, 1, BW_BOOT_ORDER_SLOTS, &pos, error));
      TRY (bw_xml_get_enum (rd, o, "device", TRUE, bw_boot_device_from_string,
                            "boot device", &dev, error));
      if (seen[pos - 1])
        {
          bw_xml_set_error (error, rd, o, "boot position %u appears twice", pos);
          return FALSE;
        }
      seen[pos - 1] = TRUE;
      hw->boot_order[pos - 1] = (BwBootDevice) dev;
      g_autofree char *key = g_strdup_printf ("Boot.Order%u", pos);
      bw_xml_extras_collect (&hw->extras, key, o, order_attrs, none);
    }
  return TRUE;
}

static gboolean
read_controller (const BwXmlReader *rd, xmlNode *node, BwHardware *hw, GError **error)
{
  g_autofree char *name = NULL;
  int bus = 0;
  TRY (bw_xml_get_string (rd, node, "name", TRUE, &name, error));
  TRY (bw_xml_get_enum (rd, node, "type", TRUE, bw_storage_bus_from_string,
                        "storage controller type", &bus, error));
  if (name == NULL)
    {
      bw_xml_set_error (error, rd, node, "storage controller name is empty");
      return FALSE;
    }
  if (bw_hardware_find_controller (hw, name) != NULL)
    {
      bw_xml_set_error (error, rd, node, "storage controller name \"%s\" is used twice", name);
      return FALSE;
    }
  BwStorageController *c = bw_storage_controller_new (name, (BwStorageBus) bus);
  g_ptr_array_add (hw->storage_controllers, c);
  bw_xml_extras_collect (&c->extras, "", node, controller_attrs, controller_children);

  for (xmlNode *a = bw_xml_child (node, "AttachedDevice"); a != NULL;
       a = bw_xml_next (a, "AttachedDevice"))
    {
      guint port = 0, device = 0;
      int type = 0;
      g_autofree char *medium = NULL;
      TRY (bw_xml_get_uint (rd, a, "port", TRUE, 0, 1, &port, error));
      TRY (bw_xml_get_uint (rd, a, "device", TRUE, 0, 1, &device, error));
      TRY (bw_xml_get_enum (rd, a, "type", TRUE, bw_device_type_from_string,
                            "device type", &type, error));
      TRY (bw_xml_get_string (rd, a, "medium", FALSE, &medium, error));
      if (bw_storage_controller_find (c, port, device) != NULL)
        {
          bw_xml_set_error (error, rd, a, "port %u device %u of controller \"%s\" is "
                            "attached twice", port, device, name);
          return FALSE;
        }
      if (type == BW_DEVICE_TYPE_HDD && medium == NULL)
        {
          bw_xml_set_error (error, rd, a, "the hard disk at port %u device %u has no medium",
                            port, device);
          return FALSE;
        }
      BwStorageAttachment *att = bw_storage_attachment_new (port, device, type, medium);
      g_ptr_array_add (c->attachments, att);
      bw_xml_extras_collect (&att->extras, "", a, attached_attrs, none);
    }
  return TRUE;
}

static gboolean
read_serial (const BwXmlReader *rd, xmlNode *uart, BwHardware *hw, GError **error)
{
  gboolean seen[BW_SERIAL_PORT_COUNT] = { FALSE };
  for (xmlNode *n = bw_xml_child (uart, "Port"); n != NULL; n = bw_xml_next (n, "Port"))
    {
      guint slot = 0;
      TRY (bw_xml_get_uint (rd, n, "slot", TRUE, 1, BW_SERIAL_PORT_COUNT, &slot, error));
      if (seen[slot - 1])
        {
          bw_xml_set_error (error, rd, n, "serial port slot %u appears twice", slot);
          return FALSE;
        }
      seen[slot - 1] = TRUE;
      BwSerialPort *p = &hw->serial_ports[slot - 1];
      int mode = p->mode;
      TRY (bw_xml_get_bool (rd, n, "enabled", FALSE, &p->enabled, error));
      TRY (bw_xml_get_uint (rd, n, "IOBase", FALSE, 0, 0xffff, &p->io_base, error));
      TRY (bw_xml_get_uint (rd, n, "IRQ", FALSE, 0, 15, &p->irq, error));
      TRY (bw_xml_get_enum (rd, n, "mode", FALSE, bw_serial_mode_from_string,
                            "serial port mode", &mode, error));
      p->mode = mode;
      TRY (bw_xml_get_string (rd, n, "path", FALSE, &p->path, error));
      TRY (bw_xml_get_bool (rd, n, "server", FALSE, &p->server, error));
      if (p->mode != BW_SERIAL_MODE_DISCONNECTED && p->path == NULL)
        {
          bw_xml_set_error (error, rd, n, "serial port %u in mode %s needs a path", slot,
                            bw_serial_mode_to_string (p->mode));
          return FALSE;
        }
      bw_xml_extras_collect (&p->extras, "", n, port_attrs, none);
    }
  return TRUE;
}

static gboolean
valid_mac (const char *mac)
{
  if (strlen (mac) != 12)
    return FALSE;
  for (guint i = 0; i < 12; i++)
    if (!g_ascii_isxdigit (mac[i]))
      return FALSE;
  return TRUE;
}

static gboolean
read_network (const BwXmlReader *rd, xmlNode *net, BwHardware *hw, GError **error)
{
  gboolean seen[BW_NETWORK_ADAPTER_COUNT] = { FALSE };
  for (xmlNode *n = bw_xml_child (net, "Adapter"); n != NULL; n = bw_xml_next (n, "Adapter"))
    {
      guint slot = 0;
      TRY (bw_xml_get_uint (rd, n, "slot", TRUE, 0, BW_NETWORK_ADAPTER_COUNT - 1, &slot, error));
      if (seen[slot])
        {
          bw_xml_set_error (error, rd, n, "network adapter slot %u appears twice", slot);
          return FALSE;
        }
      seen[slot] = TRUE;
      BwNetworkAdapter *a = &hw->network_adapters[slot];
      int type = a->type, att = a->attachment;
      TRY (bw_xml_get_bool (rd, n, "enabled", FALSE, &a->enabled, error));
      TRY (bw_xml_get_enum (rd, n, "type", FALSE, bw_nic_type_from_string,
                            "network adapter type", &type, error));
      TRY (bw_xml_get_enum (rd, n, "attachment", FALSE, bw_net_attachment_from_string,
                            "network attachment", &att, error));
      a->type = type;
      a->attachment = att;
      g_autofree char *mac = NULL;
      TRY (bw_xml_get_string (rd, n, "MACAddress", FALSE, &mac, error));
      if (mac != NULL && !valid_mac (mac))
        {
          bw_xml_set_error (error, rd, n, "MAC address \"%s\" is not 12 hex digits", mac);
          return FALSE;
        }
      g_free (a->mac);
      a->mac = mac ? g_ascii_strup (mac, -1) : NULL;
      bw_xml_extras_collect (&a->extras, "", n, adapter_attrs, none);
    }
  return TRUE;
}

/* A <Hardware> element. Missing sub-elements keep bw_hardware_new's
 * defaults, except the MACs, which are not invented on read. */
static BwHardware *
read_hardware (const BwXmlReader *rd, xmlNode *node, GError **error)
{
  g_autoptr (BwHardware) hw = bw_hardware_new ("Other");
  for (guint i = 0; i < BW_NETWORK_ADAPTER_COUNT; i++)
    g_clear_pointer (&hw->network_adapters[i].mac, g_free);
  gboolean v1 = rd->version == 1;

  if (!bw_xml_get_string (rd, node, "osType", TRUE, &hw->os_type, error))
    return NULL;
  if (hw->os_type == NULL)
    {
      bw_xml_set_error (error, rd, node, "osType is empty");
      return NULL;
    }
  bw_xml_extras_collect (&hw->extras, "", node, hardware_attrs, hardware_children);

  xmlNode *n;
  if ((n = bw_xml_child (node, "CPU")) != NULL)
    {
      int accel = hw->acceleration;
      if (!bw_xml_get_uint (rd, n, "count", FALSE, 1, BW_CPU_COUNT_MAX, &hw->cpu_count, error) ||
          !bw_xml_get_enum (rd, n, "acceleration", FALSE, bw_acceleration_from_string,
                            "acceleration", &accel, error))
        return NULL;
      hw->acceleration = accel;
      bw_xml_extras_collect (&hw->extras, "CPU", n, cpu_attrs, none);
    }
  if ((n = bw_xml_child (node, "Memory")) != NULL)
    {
      if (v1)
        {
          guint64 kib = 0;
          if (!bw_xml_get_uint64 (rd, n, "sizeKiB", TRUE, (guint64) BW_MEMORY_MIN_MIB * 1024,
                                  (guint64) BW_MEMORY_MAX_MIB * 1024, &kib, error))
            return NULL;
          if (kib % 1024 != 0)
            {
              bw_xml_set_error (error, rd, n, "memory size %" G_GUINT64_FORMAT
                                " KiB is not a whole number of MiB", kib);
              return NULL;
            }
          hw->memory_mib = (guint) (kib / 1024);
        }
      else if (!bw_xml_get_uint (rd, n, "sizeMiB", TRUE, BW_MEMORY_MIN_MIB, BW_MEMORY_MAX_MIB,
                                 &hw->memory_mib, error))
        return NULL;
      bw_xml_extras_collect (&hw->extras, "Memory", n, v1 ? memory_attrs_v1 : memory_attrs_v2,
                             none);
    }
  if ((n = bw_xml_child (node, "Firmware")) != NULL)
    {
      int fw = hw->firmware;
      if (!bw_xml_get_enum (rd, n, "type", FALSE, bw_firmware_from_string, "firmware",
                            &fw, error))
        return NULL;
      hw->firmware = fw;
      bw_xml_extras_collect (&hw->extras, "Firmware", n, firmware_attrs, none);
    }
  if ((n = bw_xml_child (node, "Boot")) != NULL)
    {
      if (!(v1 ? read_boot_v1 (rd, n, hw, error) : read_boot_v2 (rd, n, hw, error)))
        return NULL;
      bw_xml_extras_collect (&hw->extras, "Boot", n, v1 ? boot_attrs_v1 : none,
                             v1 ? boot_children_v1 : boot_children_v2);
    }
  if ((n = bw_xml_child (node, "Display")) != NULL)
    {
      if (!bw_xml_get_uint (rd, n, "vramMiB", FALSE, BW_VRAM_MIN_MIB, BW_VRAM_MAX_MIB,
                            &hw->vram_mib, error))
        return NULL;
      int mode = hw->scale_mode;
      if (!bw_xml_get_enum (rd, n, "scaleMode", FALSE, bw_scale_mode_from_string,
                            "display scale mode", &mode, error) ||
          !bw_xml_get_uint (rd, n, "scalePercent", FALSE, BW_SCALE_PERCENT_MIN,
                            BW_SCALE_PERCENT_MAX, &hw->scale_percent, error))
        return NULL;
      hw->scale_mode = mode;
      bw_xml_extras_collect (&hw->extras, "Display", n, display_attrs, none);
    }
  if ((n = bw_xml_child (node, "DirectBoot")) != NULL)
    {
      if (!bw_xml_get_string (rd, n, "kernel", FALSE, &hw->kernel, error) ||
          !bw_xml_get_string (rd, n, "initrd", FALSE, &hw->initrd, error) ||
          !bw_xml_get_string (rd, n, "cmdline", FALSE, &hw->cmdline, error))
        return NULL;
      bw_xml_extras_collect (&hw->extras, "DirectBoot", n, direct_boot_attrs, none);
    }
  if ((n = bw_xml_child (node, "StorageControllers")) != NULL)
    {
      for (xmlNode *c = bw_xml_child (n, "StorageController"); c != NULL;
           c = bw_xml_next (c, "StorageController"))
        if (!read_controller (rd, c, hw, error))
          return NULL;
      bw_xml_extras_collect (&hw->extras, "StorageControllers", n, none, controllers_children);
    }
  if ((n = bw_xml_child (node, "UART")) != NULL)
    {
      if (!read_serial (rd, n, hw, error))
        return NULL;
      bw_xml_extras_collect (&hw->extras, "UART", n, none, uart_children);
    }
  if ((n = bw_xml_child (node, "Network")) != NULL)
    {
      if (!read_network (rd, n, hw, error))
        return NULL;
      bw_xml_extras_collect (&hw->extras, "Network", n, none, network_children);
    }
  return g_steal_pointer (&hw);
}

static BwHardware *
read_required_hardware (const BwXmlReader *rd, xmlNode *owner, GError **error)
{
  xmlNode *n = bw_xml_child (owner, "Hardware");
  if (n == NULL)
    {
      bw_xml_set_error (error, rd, owner, "<%s> has no <Hardware>", (const char *) owner->name);
      return NULL;
    }
  return read_hardware (rd, n, error);
}

static BwSnapshot *
read_snapshot (const BwXmlReader *rd, xmlNode *node, guint depth, GHashTable *seen,
               GError **error)
{
  if (depth > MAX_SNAPSHOT_DEPTH)
    {
      bw_xml_set_error (error, rd, node, "snapshot tree deeper than %d", MAX_SNAPSHOT_DEPTH);
      return NULL;
    }
  g_autoptr (BwSnapshot) s = g_new0 (BwSnapshot, 1);
  s->children = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_snapshot_free);
  if (!bw_xml_get_uuid (rd, node, "uuid", TRUE, &s->uuid, error) ||
      !bw_xml_get_string (rd, node, "name", TRUE, &s->name, error) ||
      !bw_xml_get_time (rd, node, "timeStamp", FALSE, &s->time_stamp, error) ||
      !bw_xml_get_string (rd, node, "stateFile", FALSE, &s->state_file, error))
    return NULL;
  if (s->name == NULL)
    {
      bw_xml_set_error (error, rd, node, "snapshot %s has an empty name", s->uuid);
      return NULL;
    }
  if (g_hash_table_contains (seen, s->uuid))
    {
      bw_xml_set_error (error, rd, node, "snapshot UUID %s is used twice", s->uuid);
      return NULL;
    }
  g_hash_table_add (seen, g_strdup (s->uuid));
  s->description = bw_xml_child_text (node, "Description");
  if ((s->hardware = read_required_hardware (rd, node, error)) == NULL)
    return NULL;
  bw_xml_extras_collect (&s->extras, "", node, snapshot_attrs, snapshot_children);

  xmlNode *kids = bw_xml_child (node, "Snapshots");
  if (kids != NULL)
    {
      for (xmlNode *k = bw_xml_child (kids, "Snapshot"); k != NULL; k = bw_xml_next (k, "Snapshot"))
        {
          BwSnapshot *child = read_snapshot (rd, k, depth + 1, seen, error);
          if (child == NULL)
            return NULL;
          bw_snapshot_add_child (s, child);
        }
      bw_xml_extras_collect (&s->extras, "Snapshots", kids, none, snapshots_children);
    }
  return g_steal_pointer (&s);
}

static BwMachineSettings *
read_machine (BwXmlReader *rd, xmlDoc *doc, GError **error)
{
  xmlNode *root = bw_xml_check_root (doc, rd, ROOT_NAME, 1, BW_SETTINGS_FORMAT_VERSION, error);
  if (root == NULL)
    return NULL;
  xmlNode *m = bw_xml_child (root, "Machine");
  if (m == NULL)
    {
      bw_xml_set_error (error, rd, root, "no <Machine> element");
      return NULL;
    }

  g_autoptr (BwMachineSettings) s = g_new0 (BwMachineSettings, 1);
  int state = BW_MACHINE_STATE_POWERED_OFF;
  if (!bw_xml_get_uuid (rd, m, "uuid", TRUE, &s->uuid, error) ||
      !bw_xml_get_string (rd, m, "name", TRUE, &s->name, error) ||
      !bw_xml_get_uuid (rd, m, "currentSnapshot", FALSE, &s->current_snapshot, error) ||
      !bw_xml_get_string (rd, m, "stateFile", FALSE, &s->state_file, error) ||
      !bw_xml_get_enum (rd, m, "state", FALSE, bw_machine_state_from_string,
                        "machine state", &state, error) ||
      !bw_xml_get_time (rd, m, "lastStateChange", FALSE, &s->last_state_change, error))
    return NULL;
  s->state = state;
  if (s->name == NULL)
    {
      bw_xml_set_error (error, rd, m, "the machine name is empty");
      return NULL;
    }
  s->description = bw_xml_child_text (m, "Description");
  if ((s->hardware = read_required_hardware (rd, m, error)) == NULL)
    return NULL;

  xmlNode *snap = bw_xml_child (m, "Snapshot");
  if (snap != NULL)
    {
      g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      if (bw_xml_next (snap, "Snapshot") != NULL)
        {
          bw_xml_set_error (error, rd, bw_xml_next (snap, "Snapshot"),
                            "a machine has one first snapshot; more are children of it");
          return NULL;
        }
      if ((s->first_snapshot = read_snapshot (rd, snap, 0, seen, error)) == NULL)
        return NULL;
    }
  if (s->current_snapshot != NULL && bw_machine_settings_find_snapshot (s, s->current_snapshot) == NULL)
    {
      bw_xml_set_error (error, rd, m, "current snapshot %s is not in the snapshot tree",
                        s->current_snapshot);
      return NULL;
    }
  if (s->current_snapshot == NULL && s->first_snapshot != NULL)
    {
      bw_xml_set_error (error, rd, m, "the machine has snapshots but no currentSnapshot");
      return NULL;
    }

  bw_xml_extras_collect (&s->extras, "", m, machine_attrs, machine_children);
  bw_xml_extras_collect (&s->extras, ROOT_NAME, root, root_attrs, root_children);
  s->loaded_version = rd->version;
  return g_steal_pointer (&s);
}

BwMachineSettings *
bw_machine_settings_load_from_data (const char *data, gsize len,
                                    const char *display_name, GError **error)
{
  BwXmlReader rd = { display_name ? display_name : "(settings)", 0 };
  xmlDoc *doc = bw_xml_parse (data, len, rd.file, error);
  if (doc == NULL)
    return NULL;
  BwMachineSettings *s = read_machine (&rd, doc, error);
  xmlFreeDoc (doc);
  return s;
}

BwMachineSettings *
bw_machine_settings_load (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  gboolean used_prev = FALSE;
  if (!bw_atomic_file_read (path, &data, &len, &used_prev, error))
    return NULL;
  g_autofree char *shown = used_prev ? g_strconcat (path, BW_PREV_SUFFIX, NULL) : g_strdup (path);
  BwMachineSettings *s = bw_machine_settings_load_from_data (data, len, shown, error);
  if (s != NULL)
    s->loaded_from_prev = used_prev;
  return s;
}

/* Writing. */

static void
write_hardware (xmlNode *parent, const BwHardware *hw)
{
  xmlNode *h = bw_xml_add_child (parent, "Hardware");
  bw_xml_set_string (h, "osType", hw->os_type);

  xmlNode *n = bw_xml_add_child (h, "CPU");
  bw_xml_set_uint (n, "count", hw->cpu_count);
  bw_xml_set_string (n, "acceleration", bw_acceleration_to_string (hw->acceleration));
  bw_xml_extras_apply (hw->extras, "CPU", n);

  n = bw_xml_add_child (h, "Memory");
  bw_xml_set_uint (n, "sizeMiB", hw->memory_mib);
  bw_xml_extras_apply (hw->extras, "Memory", n);

  n = bw_xml_add_child (h, "Firmware");
  bw_xml_set_string (n, "type", bw_firmware_to_string (hw->firmware));
  bw_xml_extras_apply (hw->extras, "Firmware", n);

  n = bw_xml_add_child (h, "Boot");
  for (guint i = 0; i < BW_BOOT_ORDER_SLOTS; i++)
    {
      xmlNode *o = bw_xml_add_child (n, "Order");
      bw_xml_set_uint (o, "position", i + 1);
      bw_xml_set_string (o, "device", bw_boot_device_to_string (hw->boot_order[i]));
      g_autofree char *key = g_strdup_printf ("Boot.Order%u", i + 1);
      bw_xml_extras_apply (hw->extras, key, o);
    }
  bw_xml_extras_apply (hw->extras, "Boot", n);

  n = bw_xml_add_child (h, "Display");
  bw_xml_set_uint (n, "vramMiB", hw->vram_mib);
  bw_xml_set_string (n, "scaleMode", bw_scale_mode_to_string (hw->scale_mode));
  bw_xml_set_uint (n, "scalePercent", hw->scale_percent);
  bw_xml_extras_apply (hw->extras, "Display", n);

  n = bw_xml_add_child (h, "DirectBoot");
  bw_xml_set_string (n, "kernel", hw->kernel);
  bw_xml_set_string (n, "initrd", hw->initrd);
  bw_xml_set_string (n, "cmdline", hw->cmdline);
  bw_xml_extras_apply (hw->extras, "DirectBoot", n);

  n = bw_xml_add_child (h, "StorageControllers");
  for (guint i = 0; i < hw->storage_controllers->len; i++)
    {
      const BwStorageController *c = hw->storage_controllers->pdata[i];
      xmlNode *cn = bw_xml_add_child (n, "StorageController");
      bw_xml_set_string (cn, "name", c->name);
      bw_xml_set_string (cn, "type", bw_storage_bus_to_string (c->bus));
      for (guint k = 0; k < c->attachments->len; k++)
        {
          const BwStorageAttachment *a = c->attachments->pdata[k];
          xmlNode *an = bw_xml_add_child (cn, "AttachedDevice");
          bw_xml_set_uint (an, "port", a->port);
          bw_xml_set_uint (an, "device", a->device);
          bw_xml_set_string (an, "type", bw_device_type_to_string (a->type));
          bw_xml_set_string (an, "medium", a->medium);
          bw_xml_extras_apply (a->extras, "", an);
        }
      bw_xml_extras_apply (c->extras, "", cn);
    }
  bw_xml_extras_apply (hw->extras, "StorageControllers", n);

  n = bw_xml_add_child (h, "UART");
  for (guint i = 0; i < BW_SERIAL_PORT_COUNT; i++)
    {
      const BwSerialPort *p = &hw->serial_ports[i];
      xmlNode *pn = bw_xml_add_child (n, "Port");
      bw_xml_set_uint (pn, "slot", i + 1);
      bw_xml_set_bool (pn, "enabled", p->enabled);
      bw_xml_set_hex (pn, "IOBase", p->io_base);
      bw_xml_set_uint (pn, "IRQ", p->irq);
      bw_xml_set_string (pn, "mode", bw_serial_mode_to_string (p->mode));
      bw_xml_set_string (pn, "path", p->path);
      bw_xml_set_bool (pn, "server", p->server);
      bw_xml_extras_apply (p->extras, "", pn);
    }
  bw_xml_extras_apply (hw->extras, "UART", n);

  n = bw_xml_add_child (h, "Network");
  for (guint i = 0; i < BW_NETWORK_ADAPTER_COUNT; i++)
    {
      const BwNetworkAdapter *a = &hw->network_adapters[i];
      xmlNode *an = bw_xml_add_child (n, "Adapter");
      bw_xml_set_uint (an, "slot", i);
      bw_xml_set_bool (an, "enabled", a->enabled);
      bw_xml_set_string (an, "type", bw_nic_type_to_string (a->type));
      bw_xml_set_string (an, "MACAddress", a->mac);
      bw_xml_set_string (an, "attachment", bw_net_attachment_to_string (a->attachment));
      bw_xml_extras_apply (a->extras, "", an);
    }
  bw_xml_extras_apply (hw->extras, "Network", n);

  bw_xml_extras_apply (hw->extras, "", h);
}

static void
write_snapshot (xmlNode *parent, const BwSnapshot *s)
{
  xmlNode *n = bw_xml_add_child (parent, "Snapshot");
  bw_xml_set_string (n, "uuid", s->uuid);
  bw_xml_set_string (n, "name", s->name);
  bw_xml_set_time (n, "timeStamp", s->time_stamp);
  bw_xml_set_string (n, "stateFile", s->state_file);
  bw_xml_add_text_child (n, "Description", s->description);
  write_hardware (n, s->hardware);
  if (s->children->len > 0 || bw_xml_extras_has (s->extras, "Snapshots"))
    {
      xmlNode *kids = bw_xml_add_child (n, "Snapshots");
      for (guint i = 0; i < s->children->len; i++)
        write_snapshot (kids, s->children->pdata[i]);
      bw_xml_extras_apply (s->extras, "Snapshots", kids);
    }
  bw_xml_extras_apply (s->extras, "", n);
}

char *
bw_machine_settings_to_data (const BwMachineSettings *s, gsize *len)
{
  xmlNode *root = NULL;
  xmlDoc *doc = bw_xml_new_doc (ROOT_NAME, BW_SETTINGS_FORMAT_VERSION, &root);
  xmlNode *m = bw_xml_add_child (root, "Machine");
  bw_xml_set_string (m, "uuid", s->uuid);
  bw_xml_set_string (m, "name", s->name);
  bw_xml_set_string (m, "currentSnapshot", s->current_snapshot);
  bw_xml_set_string (m, "stateFile", s->state_file);
  bw_xml_set_string (m, "state", bw_machine_state_to_string (s->state));
  bw_xml_set_time (m, "lastStateChange", s->last_state_change);
  bw_xml_add_text_child (m, "Description", s->description);
  write_hardware (m, s->hardware);
  if (s->first_snapshot != NULL)
    write_snapshot (m, s->first_snapshot);
  bw_xml_extras_apply (s->extras, "", m);
  bw_xml_extras_apply (s->extras, ROOT_NAME, root);
  char *data = bw_xml_dump (doc, len);
  xmlFreeDoc (doc);
  return data;
}

gboolean
bw_machine_settings_save (BwMachineSettings *s, const char *path, GError **error)
{
  GError *local = NULL;
  if (!bw_machine_settings_validate (s, &local))
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_INVALID,
                   "%s: not saved: %s", path, local->message);
      g_error_free (local);
      return FALSE;
    }
  g_autofree char *dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   "cannot create folder %s: %s", dir, g_strerror (e));
      return FALSE;
    }
  /* First rewrite of an older format: keep the original as it was. */
  if (s->loaded_version != 0 && s->loaded_version < BW_SETTINGS_FORMAT_VERSION &&
      g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *backup = g_strdup_printf ("%s-v%u.bak", path, s->loaded_version);
      if (!bw_atomic_file_backup (path, backup, error))
        return FALSE;
    }
  gsize len = 0;
  g_autofree char *data = bw_machine_settings_to_data (s, &len);
  if (!bw_atomic_file_write (path, data, len, error))
    return FALSE;
  s->loaded_version = BW_SETTINGS_FORMAT_VERSION;
  s->loaded_from_prev = FALSE;
  return TRUE;
}
