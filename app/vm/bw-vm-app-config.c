/* bw-vm-app-config.c: settings -> configuration tree. */
#include "config.h"

#include "app/vm/bw-vm-app-config.h"

G_DEFINE_QUARK (bw-vm-app-error-quark, bw_vm_app_error)

static char
boot_letter (BwBootDevice dev)
{
  switch (dev)
    {
    case BW_BOOT_DEVICE_FLOPPY: return 'a';
    case BW_BOOT_DEVICE_DISK: return 'c';
    case BW_BOOT_DEVICE_DVD: return 'd';
    case BW_BOOT_DEVICE_NET: return 'n';
    case BW_BOOT_DEVICE_NONE:
    default: return 0;
    }
}

static void
add_serial (BwConfig *root, const BwSerialPort *port, guint i)
{
  g_autofree char *id = g_strdup_printf ("devices/serial%u", i);
  BwConfig *node = bw_config_ensure_child (root, id);
  bw_config_set_string (node, "class", "uart16550a");
  bw_config_set_int (node, "index", i + 1);
  bw_config_set_int (node, "iobase", port->io_base);
  bw_config_set_int (node, "irq", port->irq);
  const char *mode = "disconnected";
  if (port->path && port->mode == BW_SERIAL_MODE_FILE)
    mode = "file";
  else if (port->path && port->mode == BW_SERIAL_MODE_UNIX_SOCKET)
    mode = port->server ? "server" : "client";
  bw_config_set_string (node, "mode", mode);
  if (g_strcmp0 (mode, "disconnected") != 0)
    bw_config_set_string (node, "path", port->path);
}

/* The IDE controller's attachments: port 0/1 is the primary/secondary
 * channel, device 0/1 its master/slave. One PIIX3 has one IDE function,
 * so a second IDE controller is refused. */
static gboolean
add_storage (BwConfig *root, const BwMachineSettings *settings, GError **error)
{
  const BwHardware *hw = settings->hardware;
  const BwStorageController *ide = NULL;
  for (guint i = 0; hw->storage_controllers && i < hw->storage_controllers->len; i++)
    {
      const BwStorageController *c = g_ptr_array_index (hw->storage_controllers, i);
      if (c->bus != BW_STORAGE_BUS_IDE)
        continue;
      if (ide)
        {
          g_set_error (error, BW_VM_APP_ERROR, BW_VM_APP_ERROR_UNSUPPORTED,
                       "Machine “%s” has two IDE controllers (“%s” and “%s”); the PIIX3 has one",
                       settings->name, ide->name, c->name);
          return FALSE;
        }
      ide = c;
    }
  if (!ide)
    return TRUE;
  BwConfig *node = bw_config_ensure_child (root, "devices/" BW_VM_APP_IDE_ID);
  bw_config_set_string (node, "class", "piix3-ide");
  for (guint i = 0; i < ide->attachments->len; i++)
    {
      const BwStorageAttachment *a = g_ptr_array_index (ide->attachments, i);
      if (a->port > 1 || a->device > 1)
        {
          g_set_error (error, BW_VM_APP_ERROR, BW_VM_APP_ERROR_UNSUPPORTED,
                       "Machine “%s”: IDE port %u device %u does not exist (ports and devices "
                       "are 0 or 1)",
                       settings->name, a->port, a->device);
          return FALSE;
        }
      g_autofree char *path = g_strdup_printf ("%s/%s", a->port ? "secondary" : "primary",
                                               a->device ? "slave" : "master");
      BwConfig *drive = bw_config_ensure_child (node, path);
      if (a->type == BW_DEVICE_TYPE_HDD)
        {
          if (!a->medium)
            {
              g_set_error (error, BW_VM_APP_ERROR, BW_VM_APP_ERROR_UNSUPPORTED,
                           "Machine “%s”: the hard disk at IDE port %u device %u has no image",
                           settings->name, a->port, a->device);
              return FALSE;
            }
          bw_config_set_string (drive, "type", "hdd");
          bw_config_set_string (drive, "path", a->medium);
        }
      else
        {
          bw_config_set_string (drive, "type", "cdrom");
          if (a->medium)
            bw_config_set_string (drive, "path", a->medium);
        }
    }
  return TRUE;
}

BwConfig *
bw_vm_app_config_from_settings (const BwMachineSettings *settings, const char *settings_path,
                                const BwVmAppBootOverrides *overrides, GError **error)
{
  const BwHardware *hw = settings->hardware;
  if (hw->firmware != BW_FIRMWARE_BIOS)
    {
      g_set_error (error, BW_VM_APP_ERROR, BW_VM_APP_ERROR_UNSUPPORTED,
                   "Machine “%s” asks for %s firmware; this version runs BIOS machines only",
                   settings->name, bw_firmware_to_string (hw->firmware));
      return NULL;
    }

  g_autoptr (BwConfig) root = bw_config_new ();
  bw_config_set_string (root, "name", settings->name);
  bw_config_set_string (root, "uuid", settings->uuid);
  bw_config_set_int (root, "ram-mb", hw->memory_mib);
  bw_config_set_int (root, "cpus", hw->cpu_count);
  bw_config_set_string (root, "acceleration", bw_acceleration_to_string (hw->acceleration));
  if (settings_path)
    {
      g_autofree char *dir = g_path_get_dirname (settings_path);
      g_autofree char *logs = g_build_filename (dir, "Logs", NULL);
      bw_config_set_string (root, "logs-dir", logs);
    }

  bw_config_set_string (root, "firmware/type", "bios");
  /* The RTC's CMOS boot fields take up to three devices. */
  char order[BW_BOOT_ORDER_SLOTS + 1] = { 0 };
  guint n = 0;
  for (guint i = 0; i < BW_BOOT_ORDER_SLOTS && n < 3; i++)
    if (boot_letter (hw->boot_order[i]))
      order[n++] = boot_letter (hw->boot_order[i]);
  if (n > 0)
    bw_config_set_string (root, "boot/order", order);

  const char *kernel = hw->kernel, *initrd = hw->initrd, *cmdline = hw->cmdline;
  if (overrides && (overrides->kernel || overrides->image))
    {
      kernel = overrides->kernel;
      initrd = overrides->initrd;
      cmdline = overrides->cmdline;
    }
  else if (overrides && overrides->cmdline)
    cmdline = overrides->cmdline;
  if (kernel)
    bw_config_set_string (root, "boot/kernel", kernel);
  if (kernel && initrd)
    bw_config_set_string (root, "boot/initrd", initrd);
  if (cmdline && (kernel || (overrides && overrides->image)))
    bw_config_set_string (root, "boot/cmdline", cmdline);
  if (overrides && overrides->image)
    {
      bw_config_set_string (root, "boot/image", overrides->image);
      bw_config_set_string (root, "boot/image-kind",
                            overrides->image_kind ? overrides->image_kind : "multiboot");
    }
  if (overrides && overrides->bios)
    bw_config_set_string (root, "firmware/bios", overrides->bios);

  if (!add_storage (root, settings, error))
    return NULL;
  bw_config_set_string (root, "devices/" BW_VM_APP_VGA_ID "/class", "vga");
  bw_config_set_int (root, "devices/" BW_VM_APP_VGA_ID "/vram-mb", hw->vram_mib);

  for (guint i = 0; i < BW_SERIAL_PORT_COUNT; i++)
    if (hw->serial_ports[i].enabled)
      add_serial (root, &hw->serial_ports[i], i);
  return g_steal_pointer (&root);
}
