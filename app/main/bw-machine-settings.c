/* bw-machine-settings.c: the machine settings model: defaults, copies,
 * comparison and value checks. Reading and writing XML is in
 * bw-machine-settings-xml.c. */
#define G_LOG_DOMAIN "boxwood-main"
#include "config.h"

#include <string.h>

#include "app/main/bw-machine-settings.h"
#include "app/main/bw-os-types.h"
#include "app/main/bw-settings-xml-private.h"

G_DEFINE_BOXED_TYPE (BwHardware, bw_hardware, bw_hardware_copy, bw_hardware_free)
G_DEFINE_BOXED_TYPE (BwSnapshot, bw_snapshot, bw_snapshot_copy, bw_snapshot_free)
G_DEFINE_BOXED_TYPE (BwMachineSettings, bw_machine_settings,
                     bw_machine_settings_copy, bw_machine_settings_free)
G_DEFINE_BOXED_TYPE (BwStorageController, bw_storage_controller,
                     bw_storage_controller_copy, bw_storage_controller_free)

/* Standard PC serial ports COM1..COM4. */
static const guint serial_io_bases[BW_SERIAL_PORT_COUNT] = { 0x3f8, 0x2f8, 0x3e8, 0x2e8 };
static const guint serial_irqs[BW_SERIAL_PORT_COUNT] = { 4, 3, 4, 3 };

static gboolean
str_eq (const char *a, const char *b)
{
  return g_strcmp0 (a, b) == 0;
}

char *
bw_generate_mac (void)
{
  /* 0x02: locally administered, unicast. */
  return g_strdup_printf ("02%02X%02X%02X%02X%02X",
                          g_random_int_range (0, 256), g_random_int_range (0, 256),
                          g_random_int_range (0, 256), g_random_int_range (0, 256),
                          g_random_int_range (0, 256));
}

/* Storage. */

BwStorageAttachment *
bw_storage_attachment_new (guint port, guint device, BwDeviceType type,
                           const char *medium)
{
  BwStorageAttachment *a = g_new0 (BwStorageAttachment, 1);
  a->port = port;
  a->device = device;
  a->type = type;
  a->medium = (medium && medium[0]) ? g_strdup (medium) : NULL;
  return a;
}

BwStorageAttachment *
bw_storage_attachment_copy (const BwStorageAttachment *a)
{
  BwStorageAttachment *c = bw_storage_attachment_new (a->port, a->device, a->type, a->medium);
  c->extras = bw_xml_extras_copy (a->extras);
  return c;
}

void
bw_storage_attachment_free (BwStorageAttachment *a)
{
  if (a == NULL)
    return;
  g_free (a->medium);
  bw_xml_extras_free (a->extras);
  g_free (a);
}

static gboolean
attachment_equal (const BwStorageAttachment *a, const BwStorageAttachment *b)
{
  return a->port == b->port && a->device == b->device && a->type == b->type &&
         str_eq (a->medium, b->medium) && bw_xml_extras_equal (a->extras, b->extras);
}

BwStorageController *
bw_storage_controller_new (const char *name, BwStorageBus bus)
{
  BwStorageController *c = g_new0 (BwStorageController, 1);
  c->name = g_strdup (name);
  c->bus = bus;
  c->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_storage_attachment_free);
  return c;
}

BwStorageController *
bw_storage_controller_copy (const BwStorageController *c)
{
  BwStorageController *n = bw_storage_controller_new (c->name, c->bus);
  for (guint i = 0; i < c->attachments->len; i++)
    g_ptr_array_add (n->attachments, bw_storage_attachment_copy (c->attachments->pdata[i]));
  n->extras = bw_xml_extras_copy (c->extras);
  return n;
}

void
bw_storage_controller_free (BwStorageController *c)
{
  if (c == NULL)
    return;
  g_free (c->name);
  g_ptr_array_unref (c->attachments);
  bw_xml_extras_free (c->extras);
  g_free (c);
}

BwStorageAttachment *
bw_storage_controller_find (const BwStorageController *c, guint port, guint device)
{
  for (guint i = 0; i < c->attachments->len; i++)
    {
      BwStorageAttachment *a = c->attachments->pdata[i];
      if (a->port == port && a->device == device)
        return a;
    }
  return NULL;
}

static gboolean
controller_equal (const BwStorageController *a, const BwStorageController *b)
{
  if (!str_eq (a->name, b->name) || a->bus != b->bus ||
      a->attachments->len != b->attachments->len ||
      !bw_xml_extras_equal (a->extras, b->extras))
    return FALSE;
  for (guint i = 0; i < a->attachments->len; i++)
    if (!attachment_equal (a->attachments->pdata[i], b->attachments->pdata[i]))
      return FALSE;
  return TRUE;
}

/* Hardware. */

BwHardware *
bw_hardware_new (const char *os_type)
{
  const BwOsType *os = bw_os_types_lookup (os_type);
  if (os == NULL)
    os = bw_os_types_get_default ();

  BwHardware *hw = g_new0 (BwHardware, 1);
  hw->os_type = g_strdup (os->id);
  hw->memory_mib = os->memory_mib;
  hw->cpu_count = 1;
  hw->acceleration = BW_ACCELERATION_AUTO;
  hw->firmware = BW_FIRMWARE_BIOS;
  hw->boot_order[0] = BW_BOOT_DEVICE_DVD;
  hw->boot_order[1] = BW_BOOT_DEVICE_DISK;
  hw->boot_order[2] = BW_BOOT_DEVICE_NONE;
  hw->boot_order[3] = BW_BOOT_DEVICE_NONE;
  hw->vram_mib = os->vram_mib;
  hw->scale_mode = BW_SCALE_MODE_WINDOW;
  hw->scale_percent = BW_SCALE_PERCENT_MIN;
  hw->storage_controllers =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bw_storage_controller_free);
  for (guint i = 0; i < BW_SERIAL_PORT_COUNT; i++)
    {
      BwSerialPort *p = &hw->serial_ports[i];
      p->slot = i + 1;
      p->io_base = serial_io_bases[i];
      p->irq = serial_irqs[i];
      p->mode = BW_SERIAL_MODE_DISCONNECTED;
    }
  for (guint i = 0; i < BW_NETWORK_ADAPTER_COUNT; i++)
    {
      BwNetworkAdapter *n = &hw->network_adapters[i];
      n->slot = i;
      n->enabled = i == 0;
      n->type = BW_NIC_TYPE_82540EM;
      n->mac = bw_generate_mac ();
      n->attachment = i == 0 ? BW_NET_ATTACHMENT_NAT : BW_NET_ATTACHMENT_NONE;
    }
  return hw;
}

BwHardware *
bw_hardware_copy (const BwHardware *hw)
{
  BwHardware *c = g_new0 (BwHardware, 1);
  *c = *hw;
  c->os_type = g_strdup (hw->os_type);
  c->kernel = g_strdup (hw->kernel);
  c->initrd = g_strdup (hw->initrd);
  c->cmdline = g_strdup (hw->cmdline);
  c->storage_controllers =
    g_ptr_array_new_with_free_func ((GDestroyNotify) bw_storage_controller_free);
  for (guint i = 0; i < hw->storage_controllers->len; i++)
    g_ptr_array_add (c->storage_controllers,
                     bw_storage_controller_copy (hw->storage_controllers->pdata[i]));
  for (guint i = 0; i < BW_SERIAL_PORT_COUNT; i++)
    {
      c->serial_ports[i].path = g_strdup (hw->serial_ports[i].path);
      c->serial_ports[i].extras = bw_xml_extras_copy (hw->serial_ports[i].extras);
    }
  for (guint i = 0; i < BW_NETWORK_ADAPTER_COUNT; i++)
    {
      c->network_adapters[i].mac = g_strdup (hw->network_adapters[i].mac);
      c->network_adapters[i].extras = bw_xml_extras_copy (hw->network_adapters[i].extras);
    }
  c->extras = bw_xml_extras_copy (hw->extras);
  return c;
}

void
bw_hardware_free (BwHardware *hw)
{
  if (hw == NULL)
    return;
  g_free (hw->os_type);
  g_free (hw->kernel);
  g_free (hw->initrd);
  g_free (hw->cmdline);
  g_ptr_array_unref (hw->storage_controllers);
  for (guint i = 0; i < BW_SERIAL_PORT_COUNT; i++)
    {
      g_free (hw->serial_ports[i].path);
      bw_xml_extras_free (hw->serial_ports[i].extras);
    }
  for (guint i = 0; i < BW_NETWORK_ADAPTER_COUNT; i++)
    {
      g_free (hw->network_adapters[i].mac);
      bw_xml_extras_free (hw->network_adapters[i].extras);
    }
  bw_xml_extras_free (hw->extras);
  g_free (hw);
}

gboolean
bw_hardware_equal (const BwHardware *a, const BwHardware *b)
{
  if (!str_eq (a->os_type, b->os_type) || a->memory_mib != b->memory_mib ||
      a->cpu_count != b->cpu_count || a->acceleration != b->acceleration ||
      a->firmware != b->firmware || a->vram_mib != b->vram_mib ||
      a->scale_mode != b->scale_mode || a->scale_percent != b->scale_percent ||
      memcmp (a->boot_order, b->boot_order, sizeof a->boot_order) != 0 ||
      !str_eq (a->kernel, b->kernel) || !str_eq (a->initrd, b->initrd) ||
      !str_eq (a->cmdline, b->cmdline) ||
      a->storage_controllers->len != b->storage_controllers->len ||
      !bw_xml_extras_equal (a->extras, b->extras))
    return FALSE;
  for (guint i = 0; i < a->storage_controllers->len; i++)
    if (!controller_equal (a->storage_controllers->pdata[i], b->storage_controllers->pdata[i]))
      return FALSE;
  for (guint i = 0; i < BW_SERIAL_PORT_COUNT; i++)
    {
      const BwSerialPort *p = &a->serial_ports[i], *q = &b->serial_ports[i];
      if (p->slot != q->slot || p->enabled != q->enabled || p->io_base != q->io_base ||
          p->irq != q->irq || p->mode != q->mode || !str_eq (p->path, q->path) ||
          p->server != q->server || !bw_xml_extras_equal (p->extras, q->extras))
        return FALSE;
    }
  for (guint i = 0; i < BW_NETWORK_ADAPTER_COUNT; i++)
    {
      const BwNetworkAdapter *p = &a->network_adapters[i], *q = &b->network_adapters[i];
      if (p->slot != q->slot || p->enabled != q->enabled || p->type != q->type ||
          !str_eq (p->mac, q->mac) || p->attachment != q->attachment ||
          !bw_xml_extras_equal (p->extras, q->extras))
        return FALSE;
    }
  return TRUE;
}

BwScaleMode
bw_hardware_get_scale_mode (const BwHardware *hw)
{
  g_return_val_if_fail (hw != NULL, BW_SCALE_MODE_WINDOW);
  return hw->scale_mode;
}

guint
bw_hardware_get_scale_percent (const BwHardware *hw)
{
  g_return_val_if_fail (hw != NULL, BW_SCALE_PERCENT_MIN);
  return CLAMP (hw->scale_percent, BW_SCALE_PERCENT_MIN, BW_SCALE_PERCENT_MAX);
}

BwStorageController *
bw_hardware_find_controller (const BwHardware *hw, const char *name)
{
  for (guint i = 0; i < hw->storage_controllers->len; i++)
    {
      BwStorageController *c = hw->storage_controllers->pdata[i];
      if (str_eq (c->name, name))
        return c;
    }
  return NULL;
}

/* Snapshots. */

static BwSnapshot *
snapshot_alloc (void)
{
  BwSnapshot *s = g_new0 (BwSnapshot, 1);
  s->children = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_snapshot_free);
  return s;
}

BwSnapshot *
bw_snapshot_new (const char *name, const BwHardware *hw)
{
  BwSnapshot *s = snapshot_alloc ();
  s->uuid = bw_uuid_new ();
  s->name = g_strdup (name);
  s->time_stamp = g_get_real_time ();
  s->hardware = bw_hardware_copy (hw);
  return s;
}

BwSnapshot *
bw_snapshot_copy (const BwSnapshot *snap)
{
  BwSnapshot *s = snapshot_alloc ();
  s->uuid = g_strdup (snap->uuid);
  s->name = g_strdup (snap->name);
  s->description = g_strdup (snap->description);
  s->time_stamp = snap->time_stamp;
  s->state_file = g_strdup (snap->state_file);
  s->hardware = bw_hardware_copy (snap->hardware);
  s->extras = bw_xml_extras_copy (snap->extras);
  for (guint i = 0; i < snap->children->len; i++)
    bw_snapshot_add_child (s, bw_snapshot_copy (snap->children->pdata[i]));
  return s;
}

void
bw_snapshot_free (BwSnapshot *snap)
{
  if (snap == NULL)
    return;
  g_free (snap->uuid);
  g_free (snap->name);
  g_free (snap->description);
  g_free (snap->state_file);
  bw_hardware_free (snap->hardware);
  g_ptr_array_unref (snap->children);
  bw_xml_extras_free (snap->extras);
  g_free (snap);
}

void
bw_snapshot_add_child (BwSnapshot *parent, BwSnapshot *child)
{
  child->parent = parent;
  g_ptr_array_add (parent->children, child);
}

static gboolean
snapshot_equal (const BwSnapshot *a, const BwSnapshot *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (!str_eq (a->uuid, b->uuid) || !str_eq (a->name, b->name) ||
      !str_eq (a->description, b->description) || a->time_stamp != b->time_stamp ||
      !str_eq (a->state_file, b->state_file) ||
      !bw_hardware_equal (a->hardware, b->hardware) ||
      !bw_xml_extras_equal (a->extras, b->extras) ||
      a->children->len != b->children->len)
    return FALSE;
  for (guint i = 0; i < a->children->len; i++)
    if (!snapshot_equal (a->children->pdata[i], b->children->pdata[i]))
      return FALSE;
  return TRUE;
}

static BwSnapshot *
snapshot_find (BwSnapshot *s, const char *uuid)
{
  if (s == NULL)
    return NULL;
  if (str_eq (s->uuid, uuid))
    return s;
  for (guint i = 0; i < s->children->len; i++)
    {
      BwSnapshot *f = snapshot_find (s->children->pdata[i], uuid);
      if (f)
        return f;
    }
  return NULL;
}

static guint
snapshot_count (const BwSnapshot *s)
{
  if (s == NULL)
    return 0;
  guint n = 1;
  for (guint i = 0; i < s->children->len; i++)
    n += snapshot_count (s->children->pdata[i]);
  return n;
}

/* Machine. */

BwMachineSettings *
bw_machine_settings_new (const char *name, const char *os_type)
{
  BwMachineSettings *s = g_new0 (BwMachineSettings, 1);
  s->uuid = bw_uuid_new ();
  s->name = g_strdup (name);
  s->hardware = bw_hardware_new (os_type);
  g_ptr_array_add (s->hardware->storage_controllers,
                   bw_storage_controller_new ("IDE", BW_STORAGE_BUS_IDE));
  s->state = BW_MACHINE_STATE_POWERED_OFF;
  s->last_state_change = g_get_real_time ();
  return s;
}

BwMachineSettings *
bw_machine_settings_copy (const BwMachineSettings *s)
{
  BwMachineSettings *c = g_new0 (BwMachineSettings, 1);
  *c = *s;
  c->uuid = g_strdup (s->uuid);
  c->name = g_strdup (s->name);
  c->description = g_strdup (s->description);
  c->hardware = bw_hardware_copy (s->hardware);
  c->first_snapshot = s->first_snapshot ? bw_snapshot_copy (s->first_snapshot) : NULL;
  c->current_snapshot = g_strdup (s->current_snapshot);
  c->state_file = g_strdup (s->state_file);
  c->extras = bw_xml_extras_copy (s->extras);
  return c;
}

void
bw_machine_settings_free (BwMachineSettings *s)
{
  if (s == NULL)
    return;
  g_free (s->uuid);
  g_free (s->name);
  g_free (s->description);
  bw_hardware_free (s->hardware);
  bw_snapshot_free (s->first_snapshot);
  g_free (s->current_snapshot);
  g_free (s->state_file);
  bw_xml_extras_free (s->extras);
  g_free (s);
}

gboolean
bw_machine_settings_equal (const BwMachineSettings *a, const BwMachineSettings *b)
{
  return str_eq (a->uuid, b->uuid) && str_eq (a->name, b->name) &&
         str_eq (a->description, b->description) &&
         bw_hardware_equal (a->hardware, b->hardware) &&
         snapshot_equal (a->first_snapshot, b->first_snapshot) &&
         str_eq (a->current_snapshot, b->current_snapshot) &&
         str_eq (a->state_file, b->state_file) && a->state == b->state &&
         a->last_state_change == b->last_state_change &&
         bw_xml_extras_equal (a->extras, b->extras);
}

BwSnapshot *
bw_machine_settings_find_snapshot (const BwMachineSettings *s, const char *uuid)
{
  return snapshot_find (s->first_snapshot, uuid);
}

guint
bw_machine_settings_count_snapshots (const BwMachineSettings *s)
{
  return snapshot_count (s->first_snapshot);
}

/* Value checks, shared with the loader (which adds line numbers). */

static gboolean
invalid (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError **error, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_INVALID, msg);
  return FALSE;
}

/* XML 1.0 cannot hold C0 control characters other than tab, newline and
 * carriage return, nor invalid UTF-8: refuse them before writing. */
static gboolean
check_text (const char *value, const char *where, const char *what, GError **error)
{
  if (value == NULL)
    return TRUE;
  if (!g_utf8_validate (value, -1, NULL))
    return invalid (error, "%s: %s is not valid UTF-8", where, what);
  for (const char *p = value; *p; p++)
    if ((guchar) *p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
      return invalid (error, "%s: %s contains the control character 0x%02x, which a "
                      "settings file cannot hold", where, what, (guchar) *p);
  return TRUE;
}

static gboolean
validate_hardware (const BwHardware *hw, const char *where, GError **error)
{
  if (!check_text (hw->os_type, where, "the OS type", error) ||
      !check_text (hw->kernel, where, "the kernel path", error) ||
      !check_text (hw->initrd, where, "the initrd path", error) ||
      !check_text (hw->cmdline, where, "the kernel command line", error))
    return FALSE;
  if (hw->memory_mib < BW_MEMORY_MIN_MIB || hw->memory_mib > BW_MEMORY_MAX_MIB)
    return invalid (error, "%s: memory size %u MiB is out of range (%u..%u)", where,
                    hw->memory_mib, BW_MEMORY_MIN_MIB, BW_MEMORY_MAX_MIB);
  if (hw->cpu_count < 1 || hw->cpu_count > BW_CPU_COUNT_MAX)
    return invalid (error, "%s: CPU count %u is out of range (1..%u)", where,
                    hw->cpu_count, BW_CPU_COUNT_MAX);
  if (hw->vram_mib < BW_VRAM_MIN_MIB || hw->vram_mib > BW_VRAM_MAX_MIB)
    return invalid (error, "%s: video memory %u MiB is out of range (%u..%u)", where,
                    hw->vram_mib, BW_VRAM_MIN_MIB, BW_VRAM_MAX_MIB);
  if ((guint) hw->scale_mode > BW_SCALE_MODE_FIXED)
    return invalid (error, "%s: invalid display scale mode", where);
  if (hw->scale_percent < BW_SCALE_PERCENT_MIN || hw->scale_percent > BW_SCALE_PERCENT_MAX)
    return invalid (error, "%s: display scale factor %u %% is out of range (%u..%u)", where,
                    hw->scale_percent, BW_SCALE_PERCENT_MIN, BW_SCALE_PERCENT_MAX);
  if (hw->os_type == NULL)
    return invalid (error, "%s: no OS type", where);
  for (guint i = 0; i < BW_BOOT_ORDER_SLOTS; i++)
    if ((guint) hw->boot_order[i] > BW_BOOT_DEVICE_NET)
      return invalid (error, "%s: boot slot %u has an invalid device", where, i + 1);
  for (guint i = 0; i < hw->storage_controllers->len; i++)
    {
      const BwStorageController *c = hw->storage_controllers->pdata[i];
      if (c->name == NULL)
        return invalid (error, "%s: a storage controller has no name", where);
      if (!check_text (c->name, where, "a storage controller name", error))
        return FALSE;
      for (guint j = 0; j < i; j++)
        if (str_eq (c->name, ((BwStorageController *) hw->storage_controllers->pdata[j])->name))
          return invalid (error, "%s: storage controller name \"%s\" is used twice",
                          where, c->name);
      for (guint k = 0; k < c->attachments->len; k++)
        {
          const BwStorageAttachment *a = c->attachments->pdata[k];
          if (!check_text (a->medium, where, "a medium path", error))
            return FALSE;
          if (a->port > 1 || a->device > 1)
            return invalid (error, "%s: controller \"%s\": port %u device %u does not "
                            "exist on IDE (ports 0..1, devices 0..1)", where, c->name,
                            a->port, a->device);
          for (guint m = 0; m < k; m++)
            {
              const BwStorageAttachment *o = c->attachments->pdata[m];
              if (o->port == a->port && o->device == a->device)
                return invalid (error, "%s: controller \"%s\": port %u device %u is "
                                "attached twice", where, c->name, a->port, a->device);
            }
          if (a->type == BW_DEVICE_TYPE_HDD && a->medium == NULL)
            return invalid (error, "%s: controller \"%s\": the hard disk at port %u "
                            "device %u has no medium", where, c->name, a->port, a->device);
        }
    }
  for (guint i = 0; i < BW_SERIAL_PORT_COUNT; i++)
    {
      const BwSerialPort *p = &hw->serial_ports[i];
      if (p->slot != i + 1 || p->io_base > 0xffff || p->irq > 15)
        return invalid (error, "%s: serial port %u: bad slot, I/O base 0x%x or IRQ %u",
                        where, i + 1, p->io_base, p->irq);
      if (!check_text (p->path, where, "a serial port path", error))
        return FALSE;
      if (p->mode != BW_SERIAL_MODE_DISCONNECTED && p->path == NULL)
        return invalid (error, "%s: serial port %u: mode %s needs a path", where,
                        i + 1, bw_serial_mode_to_string (p->mode));
    }
  for (guint i = 0; i < BW_NETWORK_ADAPTER_COUNT; i++)
    {
      const BwNetworkAdapter *n = &hw->network_adapters[i];
      if (n->slot != i)
        return invalid (error, "%s: network adapter %u has slot %u", where, i, n->slot);
      if (n->mac != NULL)
        {
          gboolean ok = strlen (n->mac) == 12;
          for (guint k = 0; ok && k < 12; k++)
            ok = g_ascii_isxdigit (n->mac[k]) && !g_ascii_islower (n->mac[k]);
          if (!ok)
            return invalid (error, "%s: network adapter %u: MAC address \"%s\" is not "
                            "12 upper-case hex digits", where, i, n->mac);
        }
    }
  return TRUE;
}

static gboolean
validate_snapshots (const BwSnapshot *s, GHashTable *seen, GError **error)
{
  if (s->uuid == NULL)
    return invalid (error, "snapshot \"%s\" has no UUID", s->name ? s->name : "");
  if (!g_hash_table_add (seen, s->uuid))
    return invalid (error, "snapshot UUID %s is used twice", s->uuid);
  if (s->name == NULL)
    return invalid (error, "snapshot %s has no name", s->uuid);
  g_autofree char *where = g_strdup_printf ("snapshot \"%s\"", s->name);
  if (!check_text (s->name, "snapshot", "the name", error) ||
      !check_text (s->description, where, "the description", error) ||
      !check_text (s->state_file, where, "the state file path", error))
    return FALSE;
  if (!validate_hardware (s->hardware, where, error))
    return FALSE;
  for (guint i = 0; i < s->children->len; i++)
    if (!validate_snapshots (s->children->pdata[i], seen, error))
      return FALSE;
  return TRUE;
}

gboolean
bw_machine_settings_validate (const BwMachineSettings *s, GError **error)
{
  if (s->uuid == NULL || !g_uuid_string_is_valid (s->uuid))
    return invalid (error, "the machine has no valid UUID");
  if (s->name == NULL)
    return invalid (error, "the machine has no name");
  if (!check_text (s->name, "machine", "the name", error) ||
      !check_text (s->description, "machine", "the description", error) ||
      !check_text (s->state_file, "machine", "the state file path", error))
    return FALSE;
  if (!validate_hardware (s->hardware, "machine", error))
    return FALSE;
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  if (s->first_snapshot && !validate_snapshots (s->first_snapshot, seen, error))
    return FALSE;
  if (s->current_snapshot != NULL && bw_machine_settings_find_snapshot (s, s->current_snapshot) == NULL)
    return invalid (error, "current snapshot %s is not in the snapshot tree",
                    s->current_snapshot);
  if (s->current_snapshot == NULL && s->first_snapshot != NULL)
    return invalid (error, "the machine has snapshots but no current snapshot");
  return TRUE;
}
