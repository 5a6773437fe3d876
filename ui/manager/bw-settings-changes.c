/* bw-settings-changes.c: settings differences -> ModifyMachine changes. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/manager/bw-settings-changes.h"

#include <unistd.h>

static void
add (GStrvBuilder *b, const char *key, const char *value)
{
  g_strv_builder_add (b, key);
  g_strv_builder_add (b, value);
}

static void
add_uint (GStrvBuilder *b, const char *key, guint value)
{
  g_autofree char *v = g_strdup_printf ("%u", value);
  add (b, key, v);
}

static void
serial_changes (GStrvBuilder *b, const BwSerialPort *old, const BwSerialPort *new)
{
  g_autofree char *uart = g_strdup_printf ("uart%u", new->slot);
  g_autofree char *uartmode = g_strdup_printf ("uartmode%u", new->slot);
  if (!new->enabled)
    {
      if (old->enabled)
        add (b, uart, "off");
      return;
    }
  if (!old->enabled || old->io_base != new->io_base || old->irq != new->irq)
    {
      g_autofree char *v = g_strdup_printf ("0x%x %u", new->io_base, new->irq);
      add (b, uart, v);
    }
  if (old->mode != new->mode || old->server != new->server || g_strcmp0 (old->path, new->path) != 0)
    {
      g_autofree char *v = NULL;
      if (new->mode == BW_SERIAL_MODE_DISCONNECTED || new->path == NULL)
        v = g_strdup ("disconnected");
      else if (new->mode == BW_SERIAL_MODE_FILE)
        v = g_strdup_printf ("file %s", new->path);
      else
        v = g_strdup_printf ("%s %s", new->server ? "server" : "client", new->path);
      add (b, uartmode, v);
    }
}

static gboolean
attachment_equal (const BwStorageAttachment *a, const BwStorageAttachment *b)
{
  return a->type == b->type && g_strcmp0 (a->medium, b->medium) == 0;
}

static void
storage_changes (GStrvBuilder *b, const BwHardware *old, const BwHardware *new)
{
  /* Controllers that went away first (their attachments go with them). */
  for (guint i = 0; i < old->storage_controllers->len; i++)
    {
      BwStorageController *c = g_ptr_array_index (old->storage_controllers, i);
      if (bw_hardware_find_controller (new, c->name) == NULL)
        {
          g_autofree char *key = g_strdup_printf ("storagectl:%s", c->name);
          add (b, key, "remove");
        }
    }
  for (guint i = 0; i < new->storage_controllers->len; i++)
    {
      BwStorageController *c = g_ptr_array_index (new->storage_controllers, i);
      BwStorageController *oc = bw_hardware_find_controller (old, c->name);
      if (oc == NULL)
        {
          g_autofree char *key = g_strdup_printf ("storagectl:%s", c->name);
          g_autofree char *v = g_strdup_printf ("add %s", bw_storage_bus_to_string (c->bus));
          add (b, key, v);
        }
      /* Detach what is gone before attaching, so a slot can be reused. */
      if (oc != NULL)
        for (guint a = 0; a < oc->attachments->len; a++)
          {
            BwStorageAttachment *oa = g_ptr_array_index (oc->attachments, a);
            if (bw_storage_controller_find (c, oa->port, oa->device) == NULL)
              {
                g_autofree char *key
                    = g_strdup_printf ("storageattach:%s:%u:%u", c->name, oa->port, oa->device);
                add (b, key, "none");
              }
          }
      for (guint a = 0; a < c->attachments->len; a++)
        {
          BwStorageAttachment *na = g_ptr_array_index (c->attachments, a);
          BwStorageAttachment *oa
              = oc ? bw_storage_controller_find (oc, na->port, na->device) : NULL;
          if (oa != NULL && attachment_equal (oa, na))
            continue;
          g_autofree char *key
              = g_strdup_printf ("storageattach:%s:%u:%u", c->name, na->port, na->device);
          g_autofree char *v = NULL;
          if (na->type == BW_DEVICE_TYPE_HDD)
            v = g_strdup_printf ("hdd %s", na->medium);
          else
            v = g_strdup_printf ("dvddrive %s", na->medium ? na->medium : "emptydrive");
          add (b, key, v);
        }
    }
}

GStrv
bw_settings_changes_compute (const BwMachineSettings *before, const BwMachineSettings *after)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  const BwHardware *o = before->hardware, *n = after->hardware;

  if (g_strcmp0 (before->name, after->name) != 0)
    add (b, "name", after->name ? after->name : "");
  if (g_strcmp0 (o->os_type, n->os_type) != 0)
    add (b, "ostype", n->os_type ? n->os_type : "Other");
  if (g_strcmp0 (before->description, after->description) != 0)
    add (b, "description", after->description ? after->description : "");
  if (o->memory_mib != n->memory_mib)
    add_uint (b, "memory", n->memory_mib);
  if (o->cpu_count != n->cpu_count)
    add_uint (b, "cpus", n->cpu_count);
  if (o->vram_mib != n->vram_mib)
    add_uint (b, "vram", n->vram_mib);
  if (o->scale_mode != n->scale_mode)
    add (b, "scalemode", bw_scale_mode_to_string (n->scale_mode));
  if (o->scale_percent != n->scale_percent)
    add_uint (b, "scalefactor", n->scale_percent);
  if (o->acceleration != n->acceleration)
    add (b, "acceleration", bw_acceleration_to_string (n->acceleration));
  if (o->firmware != n->firmware)
    add (b, "firmware", bw_firmware_to_string (n->firmware));
  for (guint i = 0; i < BW_BOOT_ORDER_SLOTS; i++)
    if (o->boot_order[i] != n->boot_order[i])
      {
        g_autofree char *key = g_strdup_printf ("boot%u", i + 1);
        add (b, key, bw_boot_device_to_string (n->boot_order[i]));
      }
  for (guint i = 0; i < BW_SERIAL_PORT_COUNT; i++)
    serial_changes (b, &o->serial_ports[i], &n->serial_ports[i]);
  storage_changes (b, o, n);
  return g_strv_builder_end (b);
}

guint
bw_host_memory_mib (void)
{
  long pages = sysconf (_SC_PHYS_PAGES), size = sysconf (_SC_PAGESIZE);
  if (pages <= 0 || size <= 0)
    return BW_MEMORY_MAX_MIB;
  return (guint)MIN ((guint64)pages * (guint64)size / (1024 * 1024), BW_MEMORY_MAX_MIB);
}

guint
bw_host_cpu_count (void)
{
  return CLAMP (g_get_num_processors (), 1, BW_CPU_COUNT_MAX);
}
