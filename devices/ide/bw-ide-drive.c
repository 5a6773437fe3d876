/* bw-ide-drive.c: a drive position: its medium (a BwDisk), identity
 * (model, serial, geometry) and the saved-state description of its
 * registers and command progress. */
#include "config.h"

#include <string.h>
#include "devices/ide/bw-ide-private.h"

G_DEFINE_QUARK (bw-ide-error-quark, bw_ide_error)

static const BwVmStateField drive_fields[] = {
  BW_VMSTATE_U8 (BwIdeDrive, feature),
  BW_VMSTATE_U8 (BwIdeDrive, nsector),
  BW_VMSTATE_U8 (BwIdeDrive, sector),
  BW_VMSTATE_U8 (BwIdeDrive, lcyl),
  BW_VMSTATE_U8 (BwIdeDrive, hcyl),
  BW_VMSTATE_U8 (BwIdeDrive, hob_feature),
  BW_VMSTATE_U8 (BwIdeDrive, hob_nsector),
  BW_VMSTATE_U8 (BwIdeDrive, hob_sector),
  BW_VMSTATE_U8 (BwIdeDrive, hob_lcyl),
  BW_VMSTATE_U8 (BwIdeDrive, hob_hcyl),
  BW_VMSTATE_U8 (BwIdeDrive, select),
  BW_VMSTATE_U8 (BwIdeDrive, status),
  BW_VMSTATE_U8 (BwIdeDrive, error),
  BW_VMSTATE_U8 (BwIdeDrive, command),
  BW_VMSTATE_BOOL (BwIdeDrive, irq_pending),
  BW_VMSTATE_BOOL (BwIdeDrive, lba48),
  BW_VMSTATE_BOOL (BwIdeDrive, dma),
  BW_VMSTATE_U8 (BwIdeDrive, mult_sectors),
  BW_VMSTATE_U8 (BwIdeDrive, xfer_mode),
  BW_VMSTATE_BOOL (BwIdeDrive, write_cache),
  BW_VMSTATE_BOOL (BwIdeDrive, look_ahead),
  BW_VMSTATE_U8 (BwIdeDrive, power),
  BW_VMSTATE_U16 (BwIdeDrive, cur_heads),
  BW_VMSTATE_U16 (BwIdeDrive, cur_spt),
  BW_VMSTATE_U64 (BwIdeDrive, lba),
  BW_VMSTATE_U32 (BwIdeDrive, remaining),
  BW_VMSTATE_U16 (BwIdeDrive, block),
  BW_VMSTATE_U8_ARRAY (BwIdeDrive, cdb, 12),
  BW_VMSTATE_U8 (BwIdeDrive, sense_key),
  BW_VMSTATE_U8 (BwIdeDrive, asc),
  BW_VMSTATE_U8 (BwIdeDrive, ascq),
  BW_VMSTATE_U8 (BwIdeDrive, ua_asc),
  BW_VMSTATE_U8 (BwIdeDrive, media_event),
  BW_VMSTATE_BOOL (BwIdeDrive, prevent),
  BW_VMSTATE_BOOL (BwIdeDrive, tray_open),
  BW_VMSTATE_BOOL (BwIdeDrive, medium_was_present),
  BW_VMSTATE_U16 (BwIdeDrive, byte_limit),
  BW_VMSTATE_U32 (BwIdeDrive, atapi_lba),
  BW_VMSTATE_U32 (BwIdeDrive, atapi_sectors),
  BW_VMSTATE_END_OF_FIELDS,
};

/* Nested in the channel's description (its version governs). */
const BwVmStateDesc bw_ide_drive_vmstate = {
  .name = "ide-drive",
  .version = 1,
  .minimum_version = 1,
  .fields = drive_fields,
};

/* ATA strings: ASCII, space padded, two characters per word with the
 * first in the high byte. */
void
bw_ide_put_string (guint16 *words, guint first, const char *s, guint len)
{
  gsize n = strlen (s);
  for (guint i = 0; i < len; i++)
    {
      guint8 c = i < n ? (guint8) s[i] : ' ';
      guint16 *w = &words[first + i / 2];
      if (i & 1)
        *w = (guint16) ((*w & 0xff00) | c);
      else
        *w = (guint16) ((*w & 0x00ff) | (c << 8));
    }
}

static void
copy_id (char *dst, gsize size, const char *src)
{
  g_strlcpy (dst, src, size);
  for (char *p = dst; *p; p++)
    if (!g_ascii_isprint (*p))
      *p = ' ';
}

/* A stable serial: from the VDI's UUID, else from the path. */
static void
default_serial (BwIdeDrive *d)
{
  BwDiskInfo info = { 0 };
  const char *seed = d->path ? d->path : "";
  if (d->disk)
    {
      bw_disk_get_info (d->disk, &info);
      if (info.uuid[0])
        seed = info.uuid;
    }
  guint h1 = g_str_hash (seed);
  g_autofree char *rev = g_strreverse (g_strdup (seed));
  guint h2 = g_str_hash (rev);
  g_snprintf (d->serial, sizeof d->serial, "BW%08X-%08X", h1, h2);
}

/* The classic translation: 16 heads, 63 sectors, cylinders up to 16383. */
static void
default_geometry (BwIdeDrive *d)
{
  guint64 cyls = d->nb_sectors / (16 * 63);
  d->heads = 16;
  d->spt = 63;
  d->cyls = (guint16) CLAMP (cyls, 1, 16383);
  d->cur_heads = d->heads;
  d->cur_spt = d->spt;
}

BwDisk *
bw_ide_open_iso (const char *path, guint64 *sectors, GError **error)
{
  g_autoptr (GError) local = NULL;
  BwDisk *disk = bw_disk_open (path, BW_DISK_OPEN_READ_ONLY, &local);
  if (!disk)
    {
      g_set_error (error, BW_IDE_ERROR, BW_IDE_ERROR_MEDIUM, "CD image %s cannot be opened: %s",
                   path, local->message);
      return NULL;
    }
  guint64 n = bw_disk_get_size (disk) / BW_IDE_CD_SECTOR;
  if (n == 0 || n > G_MAXUINT32)
    {
      g_set_error (error, BW_IDE_ERROR, BW_IDE_ERROR_MEDIUM,
                   "CD image %s is not usable: %" G_GUINT64_FORMAT " bytes", path,
                   bw_disk_get_size (disk));
      bw_disk_unref (disk);
      return NULL;
    }
  *sectors = n;
  return disk;
}

gboolean
bw_ide_drive_setup (BwIdeDrive *d, BwConfig *node, GError **error)
{
  d->kind = BW_IDE_DRIVE_NONE;
  if (!node || !bw_config_has (node, "type"))
    return TRUE;
  const char *type = bw_config_get_string_default (node, "type", "");
  const char *path = bw_config_get_string_default (node, "path", NULL);
  g_autofree char *where = bw_config_dup_path (node, "type");

  if (g_str_equal (type, "hdd"))
    {
      if (!path || !*path)
        {
          g_set_error (error, BW_IDE_ERROR, BW_IDE_ERROR_CONFIG,
                       "%s: a hard disk needs a path to its image", where);
          return FALSE;
        }
      d->read_only = bw_config_get_bool_default (node, "read-only", FALSE);
      g_autoptr (GError) local = NULL;
      d->disk = bw_disk_open (path, d->read_only ? BW_DISK_OPEN_READ_ONLY
                                                 : BW_DISK_OPEN_READ_WRITE, &local);
      if (!d->disk)
        {
          g_set_error (error, BW_IDE_ERROR, BW_IDE_ERROR_MEDIUM, "Disk image %s: %s", path,
                       local->message);
          return FALSE;
        }
      d->nb_sectors = bw_disk_get_size (d->disk) / BW_IDE_SECTOR;
      if (d->nb_sectors == 0)
        {
          g_set_error (error, BW_IDE_ERROR, BW_IDE_ERROR_MEDIUM,
                       "Disk image %s is smaller than one sector", path);
          g_clear_pointer (&d->disk, bw_disk_unref);
          return FALSE;
        }
      d->kind = BW_IDE_DRIVE_HDD;
      copy_id (d->model, sizeof d->model,
               bw_config_get_string_default (node, "model", "BOXWOOD HARDDISK"));
    }
  else if (g_str_equal (type, "cdrom"))
    {
      d->read_only = TRUE;
      if (path && *path)
        {
          d->disk = bw_ide_open_iso (path, &d->nb_sectors, error);
          if (!d->disk)
            return FALSE;
        }
      d->kind = BW_IDE_DRIVE_CDROM;
      copy_id (d->model, sizeof d->model,
               bw_config_get_string_default (node, "model", "BOXWOOD CD-ROM"));
    }
  else
    {
      g_set_error (error, BW_IDE_ERROR, BW_IDE_ERROR_CONFIG,
                   "%s is “%s”; it must be “hdd” or “cdrom”", where, type);
      return FALSE;
    }
  d->path = g_strdup (path && *path ? path : NULL);
  const char *serial = bw_config_get_string_default (node, "serial", NULL);
  if (serial)
    copy_id (d->serial, sizeof d->serial, serial);
  else
    default_serial (d);
  if (d->kind == BW_IDE_DRIVE_HDD)
    default_geometry (d);
  return TRUE;
}

void
bw_ide_drive_flush (BwIdeDrive *d)
{
  if (!d->disk || !d->dirty)
    return;
  g_autoptr (GError) error = NULL;
  if (!bw_disk_flush (d->disk, &error))
    bw_ide_log_io_error (d, "flush", error);
  else
    d->dirty = FALSE;
}

void
bw_ide_drive_release (BwIdeDrive *d)
{
  bw_ide_drive_flush (d);
  g_clear_pointer (&d->disk, bw_disk_unref);
  g_clear_pointer (&d->path, g_free);
  d->kind = BW_IDE_DRIVE_NONE;
}

#define MAX_LOGGED_ERRORS 16

void
bw_ide_log_io_error (BwIdeDrive *d, const char *what, const GError *error)
{
  BwDevice *dev = bw_ide_device (d->ch);
  d->io_errors++;
  if (d->io_errors <= MAX_LOGGED_ERRORS)
    bw_device_log (dev, "%s %s: %s failed, the guest was told: %s%s",
                   d->ch->index ? "secondary" : "primary", d->unit ? "slave" : "master", what,
                   error ? error->message : "unknown error",
                   d->io_errors == MAX_LOGGED_ERRORS ? " (further errors are not logged)" : "");
}

void
bw_ide_send_identify (BwIdeDrive *d, guint16 *w)
{
  /* Integrity word: signature A5h and the checksum of all bytes. */
  w[255] = 0x00a5;
  guint8 sum = 0;
  for (guint i = 0; i < 255; i++)
    sum += (guint8) (w[i] + (w[i] >> 8));
  sum += 0xa5;
  w[255] |= (guint16) ((guint8) -sum) << 8;

  guint8 *buf = d->ch->buf;
  for (guint i = 0; i < 256; i++)
    {
      buf[2 * i] = (guint8) w[i];
      buf[2 * i + 1] = (guint8) (w[i] >> 8);
    }
  d->ch->buf_len = 512;
  bw_ide_pio_in (d, 0, 512, BW_IDE_END_IDENTIFY, TRUE);
}
