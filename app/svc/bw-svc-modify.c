#define G_LOG_DOMAIN "boxwood-svc"

#include "config.h"

#include "app/svc/bw-svc-modify.h"

#include <string.h>

#include "app/main/bw-os-types.h"
#include "app/main/client/bw-client.h"

static void
modify_medium_free (BwSvcModifyMedium *m)
{
  g_free (m->path);
  g_free (m);
}

void
bw_svc_modify_result_clear (BwSvcModifyResult *result)
{
  g_clear_pointer (&result->new_name, g_free);
  g_clear_pointer (&result->media, g_ptr_array_unref);
}

static gboolean
bad (GError **error, const char *key, const char *format, ...) G_GNUC_PRINTF (3, 4);

static gboolean
bad (GError **error, const char *key, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT, "%s: %s", key, message);
  return FALSE;
}

static gboolean
parse_uint (const char *key, const char *value, guint min, guint max, guint *out, GError **error)
{
  guint64 v;
  if (!g_ascii_string_to_unsigned (value, 10, min, max, &v, NULL))
    return bad (error, key, "'%s' is not a number from %u to %u", value, min, max);
  *out = (guint) v;
  return TRUE;
}

/* "" clears; anything else must be an absolute path. */
static gboolean
set_path (const char *key, const char *value, char **field, GError **error)
{
  if (*value != '\0' && !g_path_is_absolute (value))
    return bad (error, key, "path '%s' is not absolute", value);
  g_free (*field);
  *field = *value ? g_strdup (value) : NULL;
  return TRUE;
}

static void
set_string (const char *value, char **field)
{
  g_free (*field);
  *field = *value ? g_strdup (value) : NULL;
}

/* The slot number after a key prefix: "uart2" -> 2 when 1 <= n <= max. */
static gboolean
key_slot (const char *key, const char *prefix, guint max, guint *slot)
{
  gsize n = strlen (prefix);
  guint64 v;
  if (strncmp (key, prefix, n) != 0 || key[n] == '\0')
    return FALSE;
  if (!g_ascii_string_to_unsigned (key + n, 10, 1, max, &v, NULL))
    return FALSE;
  *slot = (guint) v;
  return TRUE;
}

static gboolean
apply_uart (BwSerialPort *port, const char *key, const char *value, GError **error)
{
  if (g_strcmp0 (value, "off") == 0)
    {
      port->enabled = FALSE;
      return TRUE;
    }
  g_auto (GStrv) parts = g_strsplit (value, " ", -1);
  guint64 io, irq;
  if (g_strv_length (parts) != 2
      || !g_ascii_string_to_unsigned (parts[0] + (g_str_has_prefix (parts[0], "0x") ? 2 : 0),
                                      16, 1, 0xfff8, &io, NULL)
      || !g_ascii_string_to_unsigned (parts[1], 10, 0, 15, &irq, NULL))
    return bad (error, key, "'%s' is not 'off' or 'IOBASE IRQ' (e.g. '0x3f8 4')", value);
  port->enabled = TRUE;
  port->io_base = (guint) io;
  port->irq = (guint) irq;
  return TRUE;
}

static gboolean
apply_uartmode (BwSerialPort *port, const char *key, const char *value, GError **error)
{
  if (g_strcmp0 (value, "disconnected") == 0)
    {
      port->mode = BW_SERIAL_MODE_DISCONNECTED;
      g_clear_pointer (&port->path, g_free);
      port->server = FALSE;
      return TRUE;
    }
  const char *space = strchr (value, ' ');
  if (space == NULL || space[1] == '\0')
    return bad (error, key, "'%s' is not 'disconnected', 'file PATH', 'server PATH' or 'client PATH'",
                value);
  g_autofree char *mode = g_strndup (value, space - value);
  const char *path = space + 1;
  if (!g_path_is_absolute (path))
    return bad (error, key, "path '%s' is not absolute", path);
  if (g_str_equal (mode, "file"))
    {
      port->mode = BW_SERIAL_MODE_FILE;
      port->server = FALSE;
    }
  else if (g_str_equal (mode, "server") || g_str_equal (mode, "client"))
    {
      port->mode = BW_SERIAL_MODE_UNIX_SOCKET;
      port->server = g_str_equal (mode, "server");
    }
  else
    return bad (error, key, "unknown mode '%s' (disconnected, file, server, client)", mode);
  g_free (port->path);
  port->path = g_strdup (path);
  return TRUE;
}

static gboolean
apply_nic (BwNetworkAdapter *nic, const char *key, const char *value, GError **error)
{
  if (g_str_equal (value, "none"))
    {
      nic->enabled = FALSE;
      return TRUE;
    }
  BwNetAttachment attachment;
  if (g_str_equal (value, "null"))
    attachment = BW_NET_ATTACHMENT_NONE;
  else if (!bw_net_attachment_from_string (value, &attachment) || attachment == BW_NET_ATTACHMENT_NONE)
    return bad (error, key, "unknown attachment '%s' (none, null, nat, bridged, intnet, hostonly)",
                value);
  nic->enabled = TRUE;
  nic->attachment = attachment;
  return TRUE;
}

static gboolean
apply_mac (BwNetworkAdapter *nic, const char *key, const char *value, GError **error)
{
  if (g_str_equal (value, "auto"))
    {
      g_free (nic->mac);
      nic->mac = bw_generate_mac ();
      return TRUE;
    }
  GString *mac = g_string_new (NULL);
  for (const char *p = value; *p; p++)
    if (*p != ':' && *p != '-')
      g_string_append_c (mac, g_ascii_toupper (*p));
  gboolean ok = mac->len == 12;
  for (gsize i = 0; ok && i < mac->len; i++)
    ok = g_ascii_isxdigit (mac->str[i]);
  /* The first octet's low bit marks multicast, which no adapter may use. */
  if (ok && (g_ascii_xdigit_value (mac->str[1]) & 1))
    {
      g_string_free (mac, TRUE);
      return bad (error, key, "'%s' is a multicast address", value);
    }
  if (!ok)
    {
      g_string_free (mac, TRUE);
      return bad (error, key, "'%s' is not a MAC address of 12 hex digits or 'auto'", value);
    }
  g_free (nic->mac);
  nic->mac = g_string_free (mac, FALSE);
  return TRUE;
}

static gboolean
apply_storagectl (BwMachineSettings *s, const char *key, const char *name, const char *value,
                  GError **error)
{
  BwHardware *hw = s->hardware;
  if (*name == '\0')
    return bad (error, key, "the controller name is empty");

  if (g_str_equal (value, "remove"))
    {
      for (guint i = 0; i < hw->storage_controllers->len; i++)
        {
          BwStorageController *c = g_ptr_array_index (hw->storage_controllers, i);
          if (g_str_equal (c->name, name))
            {
              g_ptr_array_remove_index (hw->storage_controllers, i);
              return TRUE;
            }
        }
      return bad (error, key, "machine '%s' has no storage controller '%s'", s->name, name);
    }

  if (!g_str_has_prefix (value, "add "))
    return bad (error, key, "'%s' is not 'add ide' or 'remove'", value);
  BwStorageBus bus;
  if (!bw_storage_bus_from_string (value + 4, &bus))
    return bad (error, key, "unknown controller type '%s' (ide)", value + 4);
  if (bw_hardware_find_controller (hw, name) != NULL)
    return bad (error, key, "machine '%s' already has a storage controller '%s'", s->name, name);
  g_ptr_array_add (hw->storage_controllers, bw_storage_controller_new (name, bus));
  return TRUE;
}

/* "storageattach:NAME:PORT:DEVICE": NAME may itself contain ':', so the
 * numbers are taken from the right. */
static gboolean
apply_storageattach (BwMachineSettings *s, const char *key, const char *rest, const char *value,
                     BwSvcModifyResult *result, GError **error)
{
  const char *last = strrchr (rest, ':');
  const char *mid = NULL;
  if (last != NULL)
    for (const char *p = last - 1; p >= rest; p--)
      if (*p == ':')
        {
          mid = p;
          break;
        }
  if (last == NULL || mid == NULL || mid == rest)
    return bad (error, key, "expected storageattach:CONTROLLER:PORT:DEVICE");

  g_autofree char *name = g_strndup (rest, mid - rest);
  g_autofree char *port_text = g_strndup (mid + 1, last - mid - 1);
  guint64 port, device;
  /* IDE: primary and secondary channel, master and slave. */
  if (!g_ascii_string_to_unsigned (port_text, 10, 0, 1, &port, NULL))
    return bad (error, key, "port '%s' is not 0 or 1", port_text);
  if (!g_ascii_string_to_unsigned (last + 1, 10, 0, 1, &device, NULL))
    return bad (error, key, "device '%s' is not 0 or 1", last + 1);

  BwStorageController *c = bw_hardware_find_controller (s->hardware, name);
  if (c == NULL)
    return bad (error, key, "machine '%s' has no storage controller '%s'", s->name, name);

  BwStorageAttachment *existing = bw_storage_controller_find (c, (guint) port, (guint) device);
  if (g_str_equal (value, "none"))
    {
      if (existing != NULL)
        g_ptr_array_remove (c->attachments, existing);
      return TRUE;
    }

  const char *space = strchr (value, ' ');
  g_autofree char *type_text = space ? g_strndup (value, space - value) : g_strdup (value);
  const char *medium = space ? space + 1 : "";
  BwDeviceType type;
  if (g_str_equal (type_text, "hdd"))
    type = BW_DEVICE_TYPE_HDD;
  else if (g_str_equal (type_text, "dvddrive") || g_str_equal (type_text, "dvd"))
    type = BW_DEVICE_TYPE_DVD;
  else
    return bad (error, key, "unknown device type '%s' (hdd, dvddrive) or 'none'", type_text);

  const char *path = NULL;
  if (g_str_equal (medium, "emptydrive"))
    {
      if (type != BW_DEVICE_TYPE_DVD)
        return bad (error, key, "only a dvddrive can be an empty drive");
    }
  else if (*medium == '\0')
    return bad (error, key, "no medium given (a path, emptydrive or none)");
  else if (!g_path_is_absolute (medium))
    return bad (error, key, "path '%s' is not absolute", medium);
  else if (!g_file_test (medium, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_NOT_FOUND,
                   "%s: image file '%s' does not exist", key, medium);
      return FALSE;
    }
  else
    path = medium;

  if (existing != NULL)
    g_ptr_array_remove (c->attachments, existing);
  g_ptr_array_add (c->attachments,
                   bw_storage_attachment_new ((guint) port, (guint) device, type, path));
  if (path != NULL)
    {
      BwSvcModifyMedium *m = g_new0 (BwSvcModifyMedium, 1);
      m->type = type;
      m->path = g_strdup (path);
      if (result->media == NULL)
        result->media = g_ptr_array_new_with_free_func ((GDestroyNotify) modify_medium_free);
      g_ptr_array_add (result->media, m);
    }
  return TRUE;
}

gboolean
bw_svc_modify_apply (BwMachineSettings *s, const char *key, const char *value,
                     BwSvcModifyResult *result, GError **error)
{
  BwHardware *hw = s->hardware;
  guint slot;

  if (!g_utf8_validate (value, -1, NULL))
    return bad (error, key, "value is not UTF-8");

  if (g_str_equal (key, "name"))
    {
      if (*value == '\0' || strchr (value, '/') != NULL || g_str_equal (value, ".")
          || g_str_equal (value, ".."))
        return bad (error, key, "'%s' cannot be a machine name", value);
      g_free (s->name);
      s->name = g_strdup (value);
      g_free (result->new_name);
      result->new_name = g_strdup (value);
      return TRUE;
    }
  if (g_str_equal (key, "ostype"))
    {
      const BwOsType *t = bw_os_types_lookup (value);
      if (t == NULL)
        return bad (error, key, "unknown OS type '%s' (see 'boxwood-manage list ostypes')", value);
      g_free (hw->os_type);
      hw->os_type = g_strdup (t->id);
      return TRUE;
    }
  if (g_str_equal (key, "description"))
    {
      set_string (value, &s->description);
      return TRUE;
    }
  if (g_str_equal (key, "memory"))
    return parse_uint (key, value, BW_MEMORY_MIN_MIB, BW_MEMORY_MAX_MIB, &hw->memory_mib, error);
  if (g_str_equal (key, "cpus"))
    return parse_uint (key, value, 1, BW_CPU_COUNT_MAX, &hw->cpu_count, error);
  if (g_str_equal (key, "vram"))
    return parse_uint (key, value, BW_VRAM_MIN_MIB, BW_VRAM_MAX_MIB, &hw->vram_mib, error);
  if (g_str_equal (key, "scalemode"))
    {
      if (!bw_scale_mode_from_string (value, &hw->scale_mode))
        return bad (error, key, "'%s' is not window or fixed", value);
      return TRUE;
    }
  if (g_str_equal (key, "scalefactor"))
    return parse_uint (key, value, BW_SCALE_PERCENT_MIN, BW_SCALE_PERCENT_MAX,
                       &hw->scale_percent, error);
  if (g_str_equal (key, "acceleration"))
    {
      if (!bw_acceleration_from_string (value, &hw->acceleration))
        return bad (error, key, "'%s' is not auto, kvm or software", value);
      return TRUE;
    }
  if (g_str_equal (key, "firmware"))
    {
      if (!bw_firmware_from_string (value, &hw->firmware))
        return bad (error, key, "'%s' is not bios or efi", value);
      return TRUE;
    }
  if (key_slot (key, "boot", BW_BOOT_ORDER_SLOTS, &slot))
    {
      if (!bw_boot_device_from_string (value, &hw->boot_order[slot - 1]))
        return bad (error, key, "'%s' is not none, floppy, dvd, disk or net", value);
      return TRUE;
    }
  if (g_str_equal (key, "kernel"))
    return set_path (key, value, &hw->kernel, error);
  if (g_str_equal (key, "initrd"))
    return set_path (key, value, &hw->initrd, error);
  if (g_str_equal (key, "cmdline"))
    {
      set_string (value, &hw->cmdline);
      return TRUE;
    }
  if (key_slot (key, "uartmode", BW_SERIAL_PORT_COUNT, &slot))
    return apply_uartmode (&hw->serial_ports[slot - 1], key, value, error);
  if (key_slot (key, "uart", BW_SERIAL_PORT_COUNT, &slot))
    return apply_uart (&hw->serial_ports[slot - 1], key, value, error);
  if (key_slot (key, "nictype", BW_NETWORK_ADAPTER_COUNT, &slot))
    {
      if (!bw_nic_type_from_string (value, &hw->network_adapters[slot - 1].type))
        return bad (error, key, "unknown adapter type '%s'", value);
      return TRUE;
    }
  if (key_slot (key, "nic", BW_NETWORK_ADAPTER_COUNT, &slot))
    return apply_nic (&hw->network_adapters[slot - 1], key, value, error);
  if (key_slot (key, "macaddress", BW_NETWORK_ADAPTER_COUNT, &slot))
    return apply_mac (&hw->network_adapters[slot - 1], key, value, error);
  if (g_str_has_prefix (key, "storagectl:"))
    return apply_storagectl (s, key, key + strlen ("storagectl:"), value, error);
  if (g_str_has_prefix (key, "storageattach:"))
    return apply_storageattach (s, key, key + strlen ("storageattach:"), value, result, error);

  g_set_error (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT,
               "unknown setting '%s'", key);
  return FALSE;
}
