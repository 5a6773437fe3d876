/* bw-ide-atapi.c: the ATAPI CD-ROM drive: IDENTIFY PACKET DEVICE, the
 * PACKET protocol (12-byte command packet, data by PIO in blocks no
 * larger than the byte count limit in the cylinder registers, or by
 * bus-master DMA), sense data, unit attention, reads of 2048-byte
 * sectors from the ISO, the tray and medium changes.
 *
 * Sense: a command that fails leaves its sense key, ASC and ASCQ for
 * REQUEST SENSE; a command that succeeds clears them. Inserting a medium
 * leaves a unit attention (MEDIUM MAY HAVE CHANGED) that the next command
 * other than INQUIRY, REQUEST SENSE, GET CONFIGURATION and GET EVENT
 * STATUS NOTIFICATION reports, as real drives do. A guest eject (START
 * STOP UNIT with LoEj) opens the tray and unloads the medium, as
 * VirtualBox does; it is refused while removal is prevented. */
#include "config.h"

#include <string.h>
#include "devices/ide/bw-ide-private.h"

void
bw_ide_atapi_identify (BwIdeDrive *d)
{
  guint16 w[256] = { 0 };
  /* ATAPI, CD-ROM, removable, accelerated DRQ, 12-byte packets. */
  w[0] = (2 << 14) | (5 << 8) | (1 << 7) | (2 << 5);
  bw_ide_put_string (w, 10, d->serial, 20);
  bw_ide_put_string (w, 23, "1.0", 8);
  bw_ide_put_string (w, 27, d->model, 40);
  w[49] = (1 << 11) | (1 << 9) | (1 << 8); /* IORDY, LBA, DMA */
  w[53] = 0x0007;
  w[63] = 0x0007 | ((d->xfer_mode >> 3) == 4 ? 0x100 << (d->xfer_mode & 7) : 0);
  w[64] = 0x0003;
  w[65] = w[66] = w[67] = w[68] = 180;
  w[71] = w[72] = 30;
  w[80] = 0x001e; /* ATA/ATAPI-1 to -4 */
  w[82] = (1 << 14) | (1 << 4); /* NOP, PACKET */
  w[83] = 1 << 14;
  w[84] = 1 << 14;
  w[85] = (1 << 14) | (1 << 4);
  w[87] = 1 << 14;
  w[88] = 0x003f | ((d->xfer_mode >> 3) == 8 ? 0x100 << (d->xfer_mode & 7) : 0);
  w[93] = 0x6000 | (d->unit ? 0x0300 : 0x000b);
  bw_ide_send_identify (d, w);
}

static void
set_sense (BwIdeDrive *d, guint8 key, guint8 asc, guint8 ascq)
{
  d->sense_key = key;
  d->asc = asc;
  d->ascq = ascq;
}

void
bw_ide_atapi_good (BwIdeDrive *d)
{
  set_sense (d, BW_SENSE_NONE, 0, 0);
  d->nsector = BW_IDE_IR_IO | BW_IDE_IR_COD;
  bw_ide_command_ok (d);
  d->error = 0;
}

void
bw_ide_atapi_fail (BwIdeDrive *d, guint8 key, guint8 asc, guint8 ascq)
{
  set_sense (d, key, asc, ascq);
  d->nsector = BW_IDE_IR_IO | BW_IDE_IR_COD;
  if (d->ch->xfer == BW_IDE_XFER_DMA_IN || d->ch->xfer == BW_IDE_XFER_DMA_OUT)
    d->ch->bm_status &= (guint8) ~BW_IDE_BM_ST_ACTIVE;
  bw_ide_command_error (d, (guint8) (key << 4));
}

gboolean
bw_ide_atapi_medium_ready (BwIdeDrive *d)
{
  if (d->disk && !d->tray_open)
    return TRUE;
  bw_ide_atapi_fail (d, BW_SENSE_NOT_READY, BW_ASC_MEDIUM_NOT_PRESENT, d->tray_open ? 0x02 : 0x01);
  return FALSE;
}

/* The data phase: PIO blocks or DMA from ch->buf, refilled from the ISO
 * while sectors remain. */

static void next_pio_block (BwIdeDrive *d);

static gboolean
more_data (BwIdeDrive *d)
{
  return d->ch->data_pos < d->ch->buf_len || d->atapi_sectors > 0;
}

static void
start_data (BwIdeDrive *d)
{
  BwIdeChannel *ch = d->ch;
  ch->active = (guint8) d->unit;
  if (d->dma)
    {
      ch->xfer = BW_IDE_XFER_DMA_IN;
      ch->end = BW_IDE_END_NONE;
      d->status = BW_IDE_ST_DRDY | BW_IDE_ST_DSC | BW_IDE_ST_DRQ;
      bw_ide_dma_pump (ch);
    }
  else
    next_pio_block (d);
}

static void
refill_done (BwIdeChannel *ch, gboolean ok, const GError *error)
{
  BwIdeDrive *d = bw_ide_active (ch);
  if (ch->xfer != BW_IDE_XFER_BUSY)
    return;
  if (!ok)
    {
      bw_ide_log_io_error (d, "CD read", error);
      d->atapi_sectors = 0;
      bw_ide_atapi_fail (d, BW_SENSE_MEDIUM_ERROR, BW_ASC_READ_ERROR, 0);
      ch->bm_status &= (guint8) ~BW_IDE_BM_ST_ACTIVE;
      return;
    }
  guint32 n = d->block;
  memcpy (ch->buf, ch->io.data, n * BW_IDE_CD_SECTOR);
  ch->buf_len = n * BW_IDE_CD_SECTOR;
  ch->data_pos = 0;
  d->atapi_lba += n;
  d->atapi_sectors -= MIN (n, d->atapi_sectors);
  start_data (d);
}

static void
refill (BwIdeDrive *d)
{
  BwIdeChannel *ch = d->ch;
  if (!d->disk)
    {
      d->atapi_sectors = 0;
      bw_ide_atapi_fail (d, BW_SENSE_NOT_READY, BW_ASC_MEDIUM_NOT_PRESENT, 0x01);
      return;
    }
  guint32 n = MIN (d->atapi_sectors, BW_IDE_BUF_SIZE / BW_IDE_CD_SECTOR);
  d->block = (guint16) n;
  ch->active = (guint8) d->unit;
  ch->xfer = BW_IDE_XFER_BUSY;
  d->status = BW_IDE_ST_BSY | BW_IDE_ST_DRDY;
  bw_ide_io_submit (ch, BW_IDE_IO_READ, d->disk, (guint64) d->atapi_lba * BW_IDE_CD_SECTOR,
                    n * BW_IDE_CD_SECTOR, refill_done);
}

static void
next_pio_block (BwIdeDrive *d)
{
  BwIdeChannel *ch = d->ch;
  if (ch->data_pos >= ch->buf_len)
    {
      if (d->atapi_sectors > 0)
        refill (d);
      else
        bw_ide_atapi_good (d);
      return;
    }
  guint32 n = MIN (ch->buf_len - ch->data_pos, MAX (d->byte_limit, 2));
  d->lcyl = (guint8) n;
  d->hcyl = (guint8) (n >> 8);
  d->nsector = BW_IDE_IR_IO;
  bw_ide_pio_in (d, ch->data_pos, n, BW_IDE_END_ATAPI_DATA, TRUE);
}

void
bw_ide_atapi_pio_end (BwIdeDrive *d)
{
  if (more_data (d))
    next_pio_block (d);
  else
    bw_ide_atapi_good (d);
}

void
bw_ide_atapi_dma_chunk (BwIdeDrive *d)
{
  BwIdeChannel *ch = d->ch;
  if (ch->data_pos >= ch->buf_len)
    {
      if (d->atapi_sectors > 0)
        refill (d);
      else
        {
          bw_ide_atapi_good (d);
          bw_ide_dma_finish (ch);
        }
      return;
    }
  guint32 got = bw_ide_dma_map (ch, ch->buf_len - ch->data_pos);
  if (got == 0)
    {
      bw_ide_dma_stall (ch, FALSE);
      return;
    }
  if (!bw_ide_dma_to_guest (ch, ch->buf + ch->data_pos, got))
    return;
  ch->data_pos += got;
  bw_ide_dma_pump (ch);
}

void
bw_ide_atapi_reply (BwIdeDrive *d, guint32 len, guint32 alloc)
{
  BwIdeChannel *ch = d->ch;
  len = MIN (MIN (len, alloc), BW_IDE_BUF_SIZE);
  if (len == 0)
    {
      bw_ide_atapi_good (d);
      return;
    }
  ch->buf_len = len;
  ch->data_pos = 0;
  d->atapi_sectors = 0;
  start_data (d);
}

static void
read_sectors (BwIdeDrive *d, guint32 lba, guint32 count)
{
  if (!bw_ide_atapi_medium_ready (d))
    return;
  if (count == 0)
    {
      bw_ide_atapi_good (d);
      return;
    }
  if (lba >= d->nb_sectors || count > d->nb_sectors - lba)
    {
      bw_ide_atapi_fail (d, BW_SENSE_ILLEGAL_REQUEST, BW_ASC_LBA_OUT_OF_RANGE, 0);
      return;
    }
  d->atapi_lba = lba;
  d->atapi_sectors = count;
  d->ch->buf_len = d->ch->data_pos = 0;
  refill (d);
}

static guint32
be32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

static guint16
be16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

static void
notify (BwIdeDrive *d)
{
  BwPiix3Ide *ide = d->ch->ide;
  if (ide->medium_func)
    ide->medium_func (ide->medium_data, d->ch->index, d->unit, d->disk ? d->path : NULL);
}

static void
start_stop (BwIdeDrive *d)
{
  gboolean loej = (d->cdb[4] & 0x02) != 0;
  gboolean start = (d->cdb[4] & 0x01) != 0;
  if (loej && !start)
    {
      if (d->prevent)
        {
          bw_ide_atapi_fail (d, BW_SENSE_ILLEGAL_REQUEST, BW_ASC_REMOVAL_PREVENTED, 0x02);
          return;
        }
      gboolean had = d->disk != NULL;
      d->tray_open = TRUE;
      g_clear_pointer (&d->disk, bw_disk_unref);
      g_clear_pointer (&d->path, g_free);
      d->nb_sectors = 0;
      if (had)
        {
          d->media_event = 3; /* media removal */
          notify (d);
        }
    }
  else if (loej && start)
    d->tray_open = FALSE;
  bw_ide_atapi_good (d);
}

static void
request_sense (BwIdeDrive *d)
{
  guint8 *b = d->ch->buf;
  guint8 key = d->sense_key, asc = d->asc, ascq = d->ascq;
  if (key == BW_SENSE_NONE && d->ua_asc)
    {
      key = BW_SENSE_UNIT_ATTENTION;
      asc = d->ua_asc;
      ascq = 0;
      d->ua_asc = 0;
    }
  memset (b, 0, 18);
  b[0] = 0x70; /* current error, fixed format */
  b[2] = key;
  b[7] = 10;
  b[12] = asc;
  b[13] = ascq;
  bw_ide_atapi_reply (d, 18, d->cdb[4]);
}

static gboolean
allowed_with_unit_attention (guint8 op)
{
  return op == 0x12 || op == 0x03 || op == 0x46 || op == 0x4a;
}

void
bw_ide_atapi_packet (BwIdeDrive *d)
{
  memcpy (d->cdb, d->ch->buf, sizeof d->cdb);
  d->ch->buf_len = d->ch->data_pos = 0;
  guint8 op = d->cdb[0];

  if (d->ua_asc && !allowed_with_unit_attention (op))
    {
      guint8 asc = d->ua_asc;
      d->ua_asc = 0;
      bw_ide_atapi_fail (d, BW_SENSE_UNIT_ATTENTION, asc, 0);
      return;
    }
  switch (op)
    {
    case 0x00: /* TEST UNIT READY */
      if (bw_ide_atapi_medium_ready (d))
        bw_ide_atapi_good (d);
      return;
    case 0x03:
      request_sense (d);
      return;
    case 0x1b:
      start_stop (d);
      return;
    case 0x1e: /* PREVENT ALLOW MEDIUM REMOVAL */
      d->prevent = (d->cdb[4] & 0x01) != 0;
      bw_ide_atapi_good (d);
      return;
    case 0x25: /* READ CAPACITY */
      if (bw_ide_atapi_medium_ready (d))
        {
          guint8 *b = d->ch->buf;
          guint32 last = (guint32) (d->nb_sectors - 1);
          b[0] = (guint8) (last >> 24);
          b[1] = (guint8) (last >> 16);
          b[2] = (guint8) (last >> 8);
          b[3] = (guint8) last;
          b[4] = 0;
          b[5] = 0;
          b[6] = BW_IDE_CD_SECTOR >> 8;
          b[7] = 0;
          bw_ide_atapi_reply (d, 8, 8);
        }
      return;
    case 0x28: /* READ(10) */
      read_sectors (d, be32 (d->cdb + 2), be16 (d->cdb + 7));
      return;
    case 0xa8: /* READ(12) */
      read_sectors (d, be32 (d->cdb + 2), be32 (d->cdb + 6));
      return;
    case 0xbe: /* READ CD: user data of data sectors only */
      {
        guint32 count = (guint32) d->cdb[6] << 16 | (guint32) d->cdb[7] << 8 | d->cdb[8];
        guint type = (d->cdb[1] >> 2) & 7;
        if (count && ((d->cdb[9] & 0xf8) != 0x10 || (type != 0 && type != 2)))
          bw_ide_atapi_fail (d, BW_SENSE_ILLEGAL_REQUEST, BW_ASC_INVALID_FIELD, 0);
        else
          read_sectors (d, be32 (d->cdb + 2), count);
        return;
      }
    case 0x2b: /* SEEK(10) */
      if (bw_ide_atapi_medium_ready (d))
        {
          if (be32 (d->cdb + 2) >= d->nb_sectors)
            bw_ide_atapi_fail (d, BW_SENSE_ILLEGAL_REQUEST, BW_ASC_LBA_OUT_OF_RANGE, 0);
          else
            bw_ide_atapi_good (d);
        }
      return;
    case 0xbb: /* SET CD SPEED: the image reads at any speed */
      bw_ide_atapi_good (d);
      return;
    default:
      if (!bw_ide_atapi_info_command (d))
        bw_ide_atapi_fail (d, BW_SENSE_ILLEGAL_REQUEST, BW_ASC_INVALID_COMMAND, 0);
      return;
    }
}

void
bw_ide_atapi_packet_command (BwIdeDrive *d)
{
  d->dma = (d->feature & 0x01) != 0;
  guint limit = (guint) d->hcyl << 8 | d->lcyl;
  if (limit == 0 || limit > 0xfffe)
    limit = 0xfffe;
  d->byte_limit = (guint16) MAX (limit & ~1u, 2);
  d->nsector = BW_IDE_IR_COD;
  d->ch->buf_len = 12;
  bw_ide_pio_out (d, 0, 12, BW_IDE_END_ATAPI_PACKET, FALSE);
}

void
bw_ide_atapi_reset (BwIdeDrive *d, gboolean hard)
{
  d->atapi_sectors = 0;
  d->dma = FALSE;
  if (hard)
    {
      set_sense (d, BW_SENSE_NONE, 0, 0);
      d->ua_asc = 0;
      d->media_event = 0;
      d->prevent = FALSE;
      d->tray_open = FALSE;
    }
}

void
bw_ide_atapi_set_medium (BwIdeDrive *d, BwDisk *disk, const char *path, guint64 sectors)
{
  BwIdeChannel *ch = d->ch;
  if (ch->active == d->unit && ch->xfer != BW_IDE_XFER_NONE)
    {
      /* A read of the old disc cannot go on. */
      d->atapi_sectors = 0;
      bw_ide_atapi_fail (d, BW_SENSE_UNIT_ATTENTION, BW_ASC_MEDIUM_CHANGED, 0);
    }
  g_clear_pointer (&d->disk, bw_disk_unref);
  g_free (d->path);
  d->disk = disk;
  d->path = g_strdup (path);
  d->nb_sectors = disk ? sectors : 0;
  d->tray_open = FALSE;
  if (disk)
    {
      d->ua_asc = BW_ASC_MEDIUM_CHANGED;
      d->media_event = 2; /* new media */
    }
  else
    d->media_event = 3; /* media removal */
  notify (d);
}
