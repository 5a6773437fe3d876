/* bw-piix3-ide.c: the PIIX3 IDE function (PCI 8086:7010, function 1 of
 * the PIIX3 slot) in legacy mode: the two channels' command and control
 * blocks at the ISA addresses with IRQ 14 and 15, the bus-master
 * registers at BAR4, the IDE timing registers, the drives from the
 * configuration (bw-ide.h), saved state and the media-change API. */
#include "config.h"

#include <string.h>
#include "devices/ide/bw-ide-private.h"

static const guint16 cmd_base[2] = { 0x1f0, 0x170 };
static const guint16 ctl_base[2] = { 0x3f6, 0x376 };
static const guint irq_number[2] = { 14, 15 };
static const char *const channel_name[2] = { "primary", "secondary" };
static const char *const position_name[2] = { "master", "slave" };

static void
cmd_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwIdeChannel *ch = opaque;
  if (offset == 0)
    {
      if (is_write)
        bw_ide_data_write (ch, (guint32) *data, size);
      else
        *data = bw_ide_data_read (ch, size);
      return;
    }
  guint64 v = 0;
  for (guint i = 0; i < size && offset + i < 8; i++)
    {
      guint reg = (guint) offset + i;
      if (is_write)
        bw_ide_channel_write (ch, reg, (guint8) (*data >> (8 * i)));
      else
        v |= (guint64) (bw_ide_channel_read (ch, reg) & 0xff) << (8 * i);
    }
  if (!is_write)
    *data = v;
}

static void
ctl_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwIdeChannel *ch = opaque;
  if (is_write)
    bw_ide_devctl_write (ch, (guint8) *data);
  else
    *data = bw_ide_altstatus_read (ch);
}

static void
bm_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwPiix3Ide *ide = opaque;
  BwIdeChannel *ch = &ide->ch[offset >= 8 ? 1 : 0];
  if (is_write)
    bw_ide_bm_write (ch, (guint) offset & 7, *data, size);
  else
    bw_ide_bm_read (ch, (guint) offset & 7, data, size);
}

static const BwIoOps cmd_ops = { .handler = cmd_io, .min_access = 1, .max_access = 4 };
static const BwIoOps ctl_ops = { .handler = ctl_io, .min_access = 1, .max_access = 1 };
static const BwIoOps bm_ops = { .handler = bm_io, .min_access = 1, .max_access = 4,
                                .aligned = TRUE };

static void
log_drive (BwDevice *dev, BwIdeDrive *d)
{
  if (d->kind == BW_IDE_DRIVE_HDD)
    bw_device_log (dev, "%s %s: disk %s, %" G_GUINT64_FORMAT " sectors (CHS %u/%u/%u)%s",
                   channel_name[d->ch->index], position_name[d->unit], d->path, d->nb_sectors,
                   d->cyls, d->heads, d->spt, d->read_only ? ", read-only" : "");
  else if (d->kind == BW_IDE_DRIVE_CDROM)
    bw_device_log (dev, "%s %s: CD-ROM, %s", channel_name[d->ch->index], position_name[d->unit],
                   d->path ? d->path : "no medium");
}

static gboolean
piix3_ide_realize (BwDevice *dev, GError **error)
{
  BwPiix3Ide *ide = (BwPiix3Ide *) dev;
  BwPciFunction *fn = &ide->pci;

  gint64 slot = bw_config_get_int_default (dev->config, "slot", 1);
  if (slot < 0 || slot > 31)
    {
      g_set_error (error, BW_IDE_ERROR, BW_IDE_ERROR_CONFIG,
                   "IDE: PIIX3 slot %" G_GINT64_FORMAT " is not a PCI slot number (0-31)", slot);
      return FALSE;
    }
  const char *io = bw_config_get_string_default (dev->config, "io", "thread");
  if (!g_str_equal (io, "thread") && !g_str_equal (io, "sync"))
    {
      g_set_error (error, BW_IDE_ERROR, BW_IDE_ERROR_CONFIG,
                   "IDE: io is “%s”; it must be “thread” or “sync”", io);
      return FALSE;
    }
  for (guint c = 0; c < 2; c++)
    {
      BwIdeChannel *ch = &ide->ch[c];
      ch->ide = ide;
      ch->index = c;
      bw_ide_io_init (ch, g_str_equal (io, "sync"));
      for (guint p = 0; p < 2; p++)
        {
          ch->drive[p].ch = ch;
          ch->drive[p].unit = p;
        }
    }
  for (guint c = 0; c < 2; c++)
    for (guint p = 0; p < 2; p++)
      {
        g_autofree char *path = g_strdup_printf ("%s/%s", channel_name[c], position_name[p]);
        BwIdeDrive *d = &ide->ch[c].drive[p];
        if (!bw_ide_drive_setup (d, bw_config_get_child (dev->config, path), error))
          return FALSE;
        log_drive (dev, d);
      }

  if (!bw_pci_function_init (fn, dev, bw_pci_bus_find (dev->platform),
                             (int) BW_PCI_DEVFN (slot, 1), 0x8086, 0x7010, 0x00, 0x010180, error))
    return FALSE;
  bw_pci_function_set_u16 (fn, BW_PCI_COMMAND, 0x0000, 0x0005); /* I/O, bus master */
  bw_pci_function_set_u16 (fn, BW_PCI_STATUS, 0x0280, 0);
  bw_pci_function_set_u8 (fn, 0x0d, 0x00, 0xf0);       /* latency timer */
  /* IDETIM: the legacy ports are always decoded here, so their decode
   * enable bit (15) reads as set, which is what a guest without firmware
   * (direct Linux boot: ata_piix checks it) must see. */
  bw_pci_function_set_u16 (fn, 0x40, 0x8000, 0xf377);  /* IDETIM primary */
  bw_pci_function_set_u16 (fn, 0x42, 0x8000, 0xf377);  /* IDETIM secondary */
  bw_pci_function_set_u8 (fn, 0x44, 0x00, 0xff);       /* SIDETIM */
  bw_pci_function_add_bar (fn, 4, BW_PCI_BAR_IO, 16, FALSE, &bm_ops, ide);

  for (guint c = 0; c < 2; c++)
    {
      BwIdeChannel *ch = &ide->ch[c];
      ch->irq = bw_device_get_irq (dev, irq_number[c]);
      if (!bw_device_register_pio (dev, cmd_base[c], 8, &cmd_ops, ch, error)
          || !bw_device_register_pio (dev, ctl_base[c], 1, &ctl_ops, ch, error))
        return FALSE;
    }
  return TRUE;
}

static void
piix3_ide_reset (BwDevice *dev)
{
  BwPiix3Ide *ide = (BwPiix3Ide *) dev;
  for (guint c = 0; c < 2; c++)
    {
      BwIdeChannel *ch = &ide->ch[c];
      bw_ide_io_drain (ch);
      for (guint p = 0; p < 2; p++)
        bw_ide_drive_flush (&ch->drive[p]);
      bw_ide_channel_reset (ch, TRUE);
    }
  bw_pci_function_reset (&ide->pci);
}

static void
piix3_ide_unrealize (BwDevice *dev)
{
  BwPiix3Ide *ide = (BwPiix3Ide *) dev;
  for (guint c = 0; c < 2; c++)
    {
      BwIdeChannel *ch = &ide->ch[c];
      bw_ide_io_drain (ch);
      bw_ide_io_shutdown (ch);
      for (guint p = 0; p < 2; p++)
        bw_ide_drive_release (&ch->drive[p]);
      g_clear_pointer (&ch->sg, g_array_unref);
      ch->irq = NULL;
    }
  bw_pci_function_exit (&ide->pci);
}

/* Saved state. */

static void
piix3_ide_pre_save (void *opaque)
{
  BwPiix3Ide *ide = opaque;
  for (guint c = 0; c < 2; c++)
    {
      bw_ide_io_drain (&ide->ch[c]);
      for (guint p = 0; p < 2; p++)
        ide->ch[c].drive[p].medium_was_present = ide->ch[c].drive[p].disk != NULL;
    }
}

static gboolean
piix3_ide_post_load (void *opaque, int version, GError **error)
{
  BwPiix3Ide *ide = opaque;
  bw_pci_function_post_load (&ide->pci);
  for (guint c = 0; c < 2; c++)
    {
      bw_ide_io_discard (&ide->ch[c]);
      bw_ide_channel_post_load (&ide->ch[c]);
    }
  return TRUE;
}

static gboolean
pio_needed (BwIdeChannel *ch)
{
  return ch->xfer == BW_IDE_XFER_PIO_IN || ch->xfer == BW_IDE_XFER_PIO_OUT
         || (ch->xfer == BW_IDE_XFER_DMA_IN && ch->data_pos < ch->buf_len);
}

static gboolean
pio0_needed (const void *opaque)
{
  return pio_needed ((BwIdeChannel *) &((const BwPiix3Ide *) opaque)->ch[0]);
}

static gboolean
pio1_needed (const void *opaque)
{
  return pio_needed ((BwIdeChannel *) &((const BwPiix3Ide *) opaque)->ch[1]);
}

static const BwVmStateField pio0_fields[] = {
  BW_VMSTATE_BUFFER (BwPiix3Ide, ch[0].buf, BW_IDE_BUF_SIZE),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateField pio1_fields[] = {
  BW_VMSTATE_BUFFER (BwPiix3Ide, ch[1].buf, BW_IDE_BUF_SIZE),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc pio0_vmstate = {
  .name = "piix3-ide/buffer0", .version = 1, .minimum_version = 1,
  .fields = pio0_fields, .needed = pio0_needed,
};

static const BwVmStateDesc pio1_vmstate = {
  .name = "piix3-ide/buffer1", .version = 1, .minimum_version = 1,
  .fields = pio1_fields, .needed = pio1_needed,
};

static const BwVmStateDesc *const piix3_ide_subsections[] = { &pio0_vmstate, &pio1_vmstate, NULL };

static const BwVmStateField piix3_ide_fields[] = {
  BW_VMSTATE_STRUCT (BwPiix3Ide, pci, BwPciFunction, bw_pci_function_vmstate),
  BW_VMSTATE_STRUCT_ARRAY (BwPiix3Ide, ch, BwIdeChannel, 2, bw_ide_channel_vmstate),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc piix3_ide_vmstate = {
  .name = "piix3-ide",
  .version = 1,
  .minimum_version = 1,
  .fields = piix3_ide_fields,
  .subsections = piix3_ide_subsections,
  .pre_save = piix3_ide_pre_save,
  .post_load = piix3_ide_post_load,
};

static const BwDeviceClass piix3_ide_class = {
  .name = BW_IDE_CLASS,
  .description = "Intel PIIX3 IDE controller with ATA disks and ATAPI CD-ROM drives",
  .instance_size = sizeof (BwPiix3Ide),
  .priority = BW_DEVICE_PRIORITY_DEVICE,
  .realize = piix3_ide_realize,
  .reset = piix3_ide_reset,
  .unrealize = piix3_ide_unrealize,
  .vmstate = &piix3_ide_vmstate,
};

BW_DEVICE_REGISTER (piix3_ide_class)

/* Front-end API. */

static BwPiix3Ide *
ide_of (BwDevice *dev)
{
  return dev && dev->klass == &piix3_ide_class ? (BwPiix3Ide *) dev : NULL;
}

static BwIdeDrive *
find_drive (BwDevice *dev, guint channel, guint position, gboolean cdrom, GError **error)
{
  BwPiix3Ide *ide = ide_of (dev);
  BwIdeDrive *d = ide && channel < 2 && position < 2 ? &ide->ch[channel].drive[position] : NULL;
  if (!d || d->kind == BW_IDE_DRIVE_NONE || (cdrom && d->kind != BW_IDE_DRIVE_CDROM))
    {
      g_set_error (error, BW_IDE_ERROR, BW_IDE_ERROR_NO_DRIVE, "There is no %s at IDE %s %s",
                   cdrom ? "CD-ROM drive" : "drive", channel < 2 ? channel_name[channel] : "?",
                   position < 2 ? position_name[position] : "?");
      return NULL;
    }
  return d;
}

gboolean
bw_ide_get_drive_info (BwDevice *dev, guint channel, guint position, BwIdeDriveInfo *info)
{
  memset (info, 0, sizeof *info);
  BwIdeDrive *d = find_drive (dev, channel, position, FALSE, NULL);
  if (!d)
    return FALSE;
  bw_platform_lock (dev->platform);
  info->kind = d->kind;
  info->has_medium = d->disk != NULL;
  info->read_only = d->read_only;
  info->sectors = d->nb_sectors;
  info->sector_size = d->kind == BW_IDE_DRIVE_CDROM ? BW_IDE_CD_SECTOR : BW_IDE_SECTOR;
  info->cylinders = d->cyls;
  info->heads = d->heads;
  info->sectors_per_track = d->spt;
  g_strlcpy (info->model, d->model, sizeof info->model);
  g_strlcpy (info->serial, d->serial, sizeof info->serial);
  bw_platform_unlock (dev->platform);
  return TRUE;
}

gboolean
bw_ide_get_activity (BwDevice *dev, guint channel, guint position, guint64 *bytes_read,
                     guint64 *bytes_written)
{
  BwIdeDrive *d = find_drive (dev, channel, position, FALSE, NULL);
  if (bytes_read)
    *bytes_read = d ? __atomic_load_n (&d->bytes_read, __ATOMIC_RELAXED) : 0;
  if (bytes_written)
    *bytes_written = d ? __atomic_load_n (&d->bytes_written, __ATOMIC_RELAXED) : 0;
  return d != NULL;
}

gboolean
bw_ide_insert_medium (BwDevice *dev, guint channel, guint position, const char *path,
                      GError **error)
{
  if (!find_drive (dev, channel, position, TRUE, error))
    return FALSE;
  guint64 sectors = 0;
  BwDisk *disk = bw_ide_open_iso (path, &sectors, error);
  if (!disk)
    return FALSE;
  bw_platform_lock (dev->platform);
  BwIdeDrive *d = &ide_of (dev)->ch[channel].drive[position];
  if (d->disk && d->prevent)
    {
      bw_platform_unlock (dev->platform);
      bw_disk_unref (disk);
      g_set_error (error, BW_IDE_ERROR, BW_IDE_ERROR_LOCKED,
                   "The guest has locked the medium in the IDE %s %s drive",
                   channel_name[channel], position_name[position]);
      return FALSE;
    }
  bw_ide_io_drain (d->ch);
  bw_ide_atapi_set_medium (d, disk, path, sectors);
  bw_device_log (dev, "%s %s: medium %s inserted", channel_name[channel],
                 position_name[position], path);
  bw_platform_unlock (dev->platform);
  return TRUE;
}

gboolean
bw_ide_eject_medium (BwDevice *dev, guint channel, guint position, gboolean force,
                     GError **error)
{
  if (!find_drive (dev, channel, position, TRUE, error))
    return FALSE;
  bw_platform_lock (dev->platform);
  BwIdeDrive *d = &ide_of (dev)->ch[channel].drive[position];
  if (d->disk && d->prevent && !force)
    {
      bw_platform_unlock (dev->platform);
      g_set_error (error, BW_IDE_ERROR, BW_IDE_ERROR_LOCKED,
                   "The guest has locked the medium in the IDE %s %s drive",
                   channel_name[channel], position_name[position]);
      return FALSE;
    }
  if (d->disk)
    {
      bw_ide_io_drain (d->ch);
      bw_ide_atapi_set_medium (d, NULL, NULL, 0);
      bw_device_log (dev, "%s %s: medium ejected", channel_name[channel],
                     position_name[position]);
    }
  bw_platform_unlock (dev->platform);
  return TRUE;
}

void
bw_ide_set_medium_func (BwDevice *dev, BwIdeMediumFunc func, void *user_data)
{
  BwPiix3Ide *ide = ide_of (dev);
  g_return_if_fail (ide != NULL);
  bw_platform_lock (dev->platform);
  ide->medium_func = func;
  ide->medium_data = user_data;
  bw_platform_unlock (dev->platform);
}

void
bw_ide_wait_idle (BwDevice *dev)
{
  BwPiix3Ide *ide = ide_of (dev);
  g_return_if_fail (ide != NULL);
  bw_platform_lock (dev->platform);
  for (guint c = 0; c < 2; c++)
    bw_ide_io_drain (&ide->ch[c]);
  bw_platform_unlock (dev->platform);
}
