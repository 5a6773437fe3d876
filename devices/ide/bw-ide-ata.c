/* bw-ide-ata.c: ATA commands of a hard disk (and the few ATA commands an
 * ATAPI drive accepts): IDENTIFY DEVICE, PIO reads and writes (single
 * sector and multiple mode), DMA reads and writes through the bus
 * master, their 48-bit EXT forms, READ VERIFY, FLUSH CACHE, SET
 * FEATURES, SET MULTIPLE MODE, INITIALIZE DEVICE PARAMETERS, power
 * management, SEEK and RECALIBRATE.
 *
 * Addresses beyond the disk end the command with ERR and IDNF; unknown
 * commands with ERR and ABRT. The sector registers are left at the last
 * sector transferred, or at the first one that failed. */
#include "config.h"

#include <string.h>
#include "devices/ide/bw-ide-private.h"

#define FIRMWARE_REVISION "1.0"

static guint16
cur_cyls (BwIdeDrive *d)
{
  guint64 per_cyl = (guint64) MAX (d->cur_heads, 1) * MAX (d->cur_spt, 1);
  return (guint16) MIN (d->nb_sectors / per_cyl, 65535);
}

static void
identify (BwIdeDrive *d)
{
  guint16 w[256] = { 0 };
  w[0] = 0x0040; /* fixed device */
  w[1] = d->cyls;
  w[3] = d->heads;
  w[6] = d->spt;
  bw_ide_put_string (w, 10, d->serial, 20);
  bw_ide_put_string (w, 23, FIRMWARE_REVISION, 8);
  bw_ide_put_string (w, 27, d->model, 40);
  w[47] = 0x8000 | BW_IDE_MAX_MULT;
  w[48] = 0x0001;                                    /* dword I/O */
  w[49] = (1 << 11) | (1 << 10) | (1 << 9) | (1 << 8); /* IORDY, LBA, DMA */
  w[50] = 0x4000;
  w[51] = w[52] = 0x0200;
  w[53] = 0x0007; /* words 54-58, 64-70 and 88 are valid */
  guint32 cap = (guint32) cur_cyls (d) * d->cur_heads * d->cur_spt;
  w[54] = cur_cyls (d);
  w[55] = d->cur_heads;
  w[56] = d->cur_spt;
  w[57] = (guint16) cap;
  w[58] = (guint16) (cap >> 16);
  w[59] = d->mult_sectors ? 0x0100 | d->mult_sectors : 0;
  guint32 lba28 = (guint32) MIN (d->nb_sectors, 0x0fffffff);
  w[60] = (guint16) lba28;
  w[61] = (guint16) (lba28 >> 16);
  w[63] = 0x0007 | ((d->xfer_mode >> 3) == 4 ? 0x100 << (d->xfer_mode & 7) : 0);
  w[64] = 0x0003; /* PIO 3 and 4 */
  w[65] = w[66] = w[67] = w[68] = 120;
  w[80] = 0x00f0; /* ATA/ATAPI-4 to -7 */
  w[82] = (1 << 14) | (1 << 6) | (1 << 5) | (1 << 3); /* NOP, look-ahead, write cache, PM */
  w[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10); /* FLUSH EXT, FLUSH, LBA48 */
  w[84] = 1 << 14;
  w[85] = (1 << 14) | (d->look_ahead ? 1 << 6 : 0) | (d->write_cache ? 1 << 5 : 0) | (1 << 3);
  w[86] = (1 << 13) | (1 << 12) | (1 << 10);
  w[87] = 1 << 14;
  w[88] = 0x003f | ((d->xfer_mode >> 3) == 8 ? 0x100 << (d->xfer_mode & 7) : 0);
  w[93] = 0x6000 | (d->unit ? 0x0300 : 0x000b); /* 80-wire cable, diagnostics passed */
  for (guint i = 0; i < 4; i++)
    w[100 + i] = (guint16) (d->nb_sectors >> (16 * i));
  bw_ide_send_identify (d, w);
}

/* The address and sector count the registers give; FALSE for a CHS
 * address outside the current translation. */
static gboolean
decode (BwIdeDrive *d, guint64 *lba, guint32 *count)
{
  if (d->lba48)
    {
      *lba = (guint64) d->hob_hcyl << 40 | (guint64) d->hob_lcyl << 32
             | (guint64) d->hob_sector << 24 | (guint64) d->hcyl << 16 | (guint64) d->lcyl << 8
             | d->sector;
      guint32 n = (guint32) d->hob_nsector << 8 | d->nsector;
      *count = n ? n : 65536;
      return TRUE;
    }
  *count = d->nsector ? d->nsector : 256;
  if (d->select & BW_IDE_DEV_LBA)
    {
      *lba = (guint64) (d->select & 0x0f) << 24 | (guint64) d->hcyl << 16
             | (guint64) d->lcyl << 8 | d->sector;
      return TRUE;
    }
  guint cyl = (guint) d->hcyl << 8 | d->lcyl;
  guint head = d->select & 0x0f;
  if (d->sector == 0 || d->sector > d->cur_spt || head >= d->cur_heads || cyl >= cur_cyls (d))
    return FALSE;
  *lba = ((guint64) cyl * d->cur_heads + head) * d->cur_spt + d->sector - 1;
  return TRUE;
}

static void
set_address (BwIdeDrive *d, guint64 lba)
{
  if (d->lba48)
    {
      d->sector = (guint8) lba;
      d->lcyl = (guint8) (lba >> 8);
      d->hcyl = (guint8) (lba >> 16);
      d->hob_sector = (guint8) (lba >> 24);
      d->hob_lcyl = (guint8) (lba >> 32);
      d->hob_hcyl = (guint8) (lba >> 40);
    }
  else if (d->select & BW_IDE_DEV_LBA)
    {
      d->sector = (guint8) lba;
      d->lcyl = (guint8) (lba >> 8);
      d->hcyl = (guint8) (lba >> 16);
      d->select = (guint8) ((d->select & 0xf0) | ((lba >> 24) & 0x0f));
    }
  else if (d->cur_heads && d->cur_spt)
    {
      guint64 per_cyl = (guint64) d->cur_heads * d->cur_spt;
      guint64 cyl = lba / per_cyl;
      guint r = (guint) (lba % per_cyl);
      d->lcyl = (guint8) cyl;
      d->hcyl = (guint8) (cyl >> 8);
      d->select = (guint8) ((d->select & 0xf0) | (r / d->cur_spt));
      d->sector = (guint8) (r % d->cur_spt + 1);
    }
}

/* Decodes the address of a read or write and checks it against the disk;
 * on failure the command has ended. */
static gboolean
start_transfer (BwIdeDrive *d, gboolean lba48)
{
  guint64 lba;
  guint32 count;
  d->lba48 = lba48;
  if (!decode (d, &lba, &count) || lba >= d->nb_sectors || count > d->nb_sectors - lba)
    {
      bw_ide_command_error (d, BW_IDE_ER_IDNF);
      return FALSE;
    }
  d->lba = lba;
  d->remaining = count;
  return TRUE;
}

static gboolean
writable (BwIdeDrive *d)
{
  if (!d->read_only && !bw_disk_is_read_only (d->disk))
    return TRUE;
  g_autoptr (GError) error = g_error_new (BW_DISK_ERROR, BW_DISK_ERROR_READ_ONLY,
                                          "%s is read-only", d->path ? d->path : "the image");
  bw_ide_log_io_error (d, "write", error);
  bw_ide_command_error (d, BW_IDE_ER_ABRT);
  return FALSE;
}

static void
advance (BwIdeDrive *d)
{
  d->lba += d->block;
  d->remaining -= MIN (d->block, d->remaining);
  set_address (d, d->lba - 1);
}

/* PIO reads. */

static void pio_read_block (BwIdeDrive *d);

static void
pio_read_done (BwIdeChannel *ch, gboolean ok, const GError *error)
{
  BwIdeDrive *d = bw_ide_active (ch);
  if (ch->xfer != BW_IDE_XFER_BUSY)
    return;
  if (!ok)
    {
      set_address (d, d->lba);
      bw_ide_log_io_error (d, "read", error);
      bw_ide_command_error (d, BW_IDE_ER_UNC);
      return;
    }
  guint32 len = d->block * BW_IDE_SECTOR;
  memcpy (ch->buf, ch->io.data, len);
  ch->buf_len = len;
  bw_ide_pio_in (d, 0, len, BW_IDE_END_ATA_READ, TRUE);
}

static guint
block_sectors (BwIdeDrive *d)
{
  gboolean multiple = d->command == 0xc4 || d->command == 0x29 || d->command == 0xc5
                      || d->command == 0x39;
  return multiple ? MAX (d->mult_sectors, 1) : 1;
}

static void
pio_read_block (BwIdeDrive *d)
{
  BwIdeChannel *ch = d->ch;
  d->block = (guint16) MIN (d->remaining, block_sectors (d));
  ch->xfer = BW_IDE_XFER_BUSY;
  d->status = BW_IDE_ST_BSY | BW_IDE_ST_DRDY;
  bw_ide_io_submit (ch, BW_IDE_IO_READ, d->disk, d->lba * BW_IDE_SECTOR,
                    d->block * BW_IDE_SECTOR, pio_read_done);
}

/* PIO writes. */

static void
pio_write_done (BwIdeChannel *ch, gboolean ok, const GError *error)
{
  BwIdeDrive *d = bw_ide_active (ch);
  if (ch->xfer != BW_IDE_XFER_BUSY)
    return;
  if (!ok)
    {
      set_address (d, d->lba);
      bw_ide_log_io_error (d, "write", error);
      bw_ide_command_error (d, BW_IDE_ER_ABRT);
      return;
    }
  d->dirty = TRUE;
  advance (d);
  if (d->remaining == 0)
    {
      bw_ide_command_ok (d);
      return;
    }
  d->block = (guint16) MIN (d->remaining, block_sectors (d));
  bw_ide_pio_out (d, 0, d->block * BW_IDE_SECTOR, BW_IDE_END_ATA_WRITE, TRUE);
}

void
bw_ide_ata_pio_end (BwIdeDrive *d, BwIdeEnd end)
{
  BwIdeChannel *ch = d->ch;
  if (end == BW_IDE_END_ATA_READ)
    {
      advance (d);
      if (d->remaining > 0)
        pio_read_block (d);
      else
        {
          bw_ide_xfer_stop (ch);
          d->status = BW_IDE_ST_DRDY | BW_IDE_ST_DSC;
        }
      return;
    }
  guint32 len = MIN (d->block * BW_IDE_SECTOR, BW_IDE_BUF_SIZE);
  memcpy (ch->io.data, ch->buf, len);
  ch->xfer = BW_IDE_XFER_BUSY;
  d->status = BW_IDE_ST_BSY | BW_IDE_ST_DRDY;
  bw_ide_io_submit (ch, BW_IDE_IO_WRITE, d->disk, d->lba * BW_IDE_SECTOR, len, pio_write_done);
}

static void
pio_command (BwIdeDrive *d, gboolean lba48, gboolean multiple, gboolean write)
{
  if (multiple && d->mult_sectors == 0)
    {
      bw_ide_command_error (d, BW_IDE_ER_ABRT);
      return;
    }
  if (write && !writable (d))
    return;
  if (!start_transfer (d, lba48))
    return;
  d->ch->active = (guint8) d->unit;
  if (!write)
    {
      pio_read_block (d);
      return;
    }
  d->block = (guint16) MIN (d->remaining, block_sectors (d));
  bw_ide_pio_out (d, 0, d->block * BW_IDE_SECTOR, BW_IDE_END_ATA_WRITE, FALSE);
}

/* DMA. */

static void
dma_done (BwIdeDrive *d)
{
  bw_ide_command_ok (d);
  bw_ide_dma_finish (d->ch);
}

static void
dma_error (BwIdeDrive *d, guint8 error)
{
  bw_ide_command_error (d, error);
  d->ch->bm_status &= (guint8) ~BW_IDE_BM_ST_ACTIVE;
}

static void
dma_read_done (BwIdeChannel *ch, gboolean ok, const GError *error)
{
  BwIdeDrive *d = bw_ide_active (ch);
  if (ch->xfer != BW_IDE_XFER_DMA_IN)
    return;
  if (!ok)
    {
      set_address (d, d->lba);
      bw_ide_log_io_error (d, "read", error);
      dma_error (d, BW_IDE_ER_UNC);
      return;
    }
  if (!bw_ide_dma_to_guest (ch, ch->io.data, d->block * BW_IDE_SECTOR))
    return;
  advance (d);
  if (d->remaining == 0)
    dma_done (d);
  else
    bw_ide_dma_pump (ch);
}

static void
dma_write_done (BwIdeChannel *ch, gboolean ok, const GError *error)
{
  BwIdeDrive *d = bw_ide_active (ch);
  if (ch->xfer != BW_IDE_XFER_DMA_OUT)
    return;
  if (!ok)
    {
      set_address (d, d->lba);
      bw_ide_log_io_error (d, "write", error);
      dma_error (d, BW_IDE_ER_ABRT);
      return;
    }
  d->dirty = TRUE;
  advance (d);
  if (d->remaining == 0)
    dma_done (d);
  else
    bw_ide_dma_pump (ch);
}

void
bw_ide_ata_dma_chunk (BwIdeDrive *d)
{
  BwIdeChannel *ch = d->ch;
  guint32 want = MIN (d->remaining, BW_IDE_BUF_SIZE / BW_IDE_SECTOR) * BW_IDE_SECTOR;
  guint32 n = bw_ide_dma_map (ch, want) / BW_IDE_SECTOR;
  if (n == 0)
    {
      bw_ide_dma_stall (ch, FALSE);
      return;
    }
  d->block = (guint16) n;
  if (ch->xfer == BW_IDE_XFER_DMA_IN)
    {
      bw_ide_io_submit (ch, BW_IDE_IO_READ, d->disk, d->lba * BW_IDE_SECTOR, n * BW_IDE_SECTOR,
                        dma_read_done);
      return;
    }
  if (!bw_ide_dma_from_guest (ch, ch->io.data, n * BW_IDE_SECTOR))
    return;
  bw_ide_io_submit (ch, BW_IDE_IO_WRITE, d->disk, d->lba * BW_IDE_SECTOR, n * BW_IDE_SECTOR,
                    dma_write_done);
}

static void
dma_command (BwIdeDrive *d, gboolean lba48, gboolean write)
{
  if (write && !writable (d))
    return;
  if (!start_transfer (d, lba48))
    return;
  BwIdeChannel *ch = d->ch;
  ch->active = (guint8) d->unit;
  ch->xfer = write ? BW_IDE_XFER_DMA_OUT : BW_IDE_XFER_DMA_IN;
  ch->end = BW_IDE_END_NONE;
  ch->data_pos = ch->data_end = ch->buf_len = 0;
  d->status = BW_IDE_ST_DRDY | BW_IDE_ST_DSC | BW_IDE_ST_DRQ;
  bw_ide_dma_pump (ch);
}

/* READ VERIFY: reads the sectors and drops the data. */

static void verify_chunk (BwIdeDrive *d);

static void
verify_done (BwIdeChannel *ch, gboolean ok, const GError *error)
{
  BwIdeDrive *d = bw_ide_active (ch);
  if (ch->xfer != BW_IDE_XFER_BUSY)
    return;
  if (!ok)
    {
      set_address (d, d->lba);
      bw_ide_log_io_error (d, "verify", error);
      bw_ide_command_error (d, BW_IDE_ER_UNC);
      return;
    }
  advance (d);
  if (d->remaining == 0)
    bw_ide_command_ok (d);
  else
    verify_chunk (d);
}

static void
verify_chunk (BwIdeDrive *d)
{
  d->block = (guint16) MIN (d->remaining, BW_IDE_BUF_SIZE / BW_IDE_SECTOR);
  d->ch->xfer = BW_IDE_XFER_BUSY;
  d->status = BW_IDE_ST_BSY | BW_IDE_ST_DRDY;
  bw_ide_io_submit (d->ch, BW_IDE_IO_READ, d->disk, d->lba * BW_IDE_SECTOR,
                    d->block * BW_IDE_SECTOR, verify_done);
}

/* FLUSH CACHE. */

static void
flush_done (BwIdeChannel *ch, gboolean ok, const GError *error)
{
  BwIdeDrive *d = bw_ide_active (ch);
  if (ch->xfer != BW_IDE_XFER_BUSY)
    return;
  if (!ok)
    {
      bw_ide_log_io_error (d, "flush", error);
      bw_ide_command_error (d, BW_IDE_ER_ABRT);
      return;
    }
  d->dirty = FALSE;
  bw_ide_command_ok (d);
}

static void
flush (BwIdeDrive *d)
{
  if (!d->disk || !d->dirty)
    {
      bw_ide_command_ok (d);
      return;
    }
  d->ch->xfer = BW_IDE_XFER_BUSY;
  d->status = BW_IDE_ST_BSY | BW_IDE_ST_DRDY;
  bw_ide_io_submit (d->ch, BW_IDE_IO_FLUSH, d->disk, 0, 0, flush_done);
}

static void
set_features (BwIdeDrive *d)
{
  switch (d->feature)
    {
    case 0x02:
    case 0x82:
      d->write_cache = d->feature == 0x02;
      break;
    case 0xaa:
    case 0x55:
      d->look_ahead = d->feature == 0xaa;
      break;
    case 0x66:
    case 0xcc:
      break;
    case 0x03:
      {
        guint8 mode = d->nsector;
        gboolean pio = mode <= 0x01 || (mode >= 0x08 && mode <= 0x0c);
        gboolean mwdma = mode >= 0x20 && mode <= 0x22;
        gboolean udma = mode >= 0x40 && mode <= 0x45;
        if (!pio && !mwdma && !udma)
          {
            bw_ide_command_error (d, BW_IDE_ER_ABRT);
            return;
          }
        d->xfer_mode = mode;
        break;
      }
    default:
      bw_ide_command_error (d, BW_IDE_ER_ABRT);
      return;
    }
  bw_ide_command_ok (d);
}

/* Commands both kinds of drive take. */
static gboolean
common_command (BwIdeDrive *d, guint8 cmd)
{
  switch (cmd)
    {
    case 0xef:
      set_features (d);
      return TRUE;
    case 0xe0: case 0x94: /* STANDBY IMMEDIATE */
    case 0xe2: case 0x96: /* STANDBY */
    case 0xe6: case 0x99: /* SLEEP: woken by the next command here */
      d->power = 0x00;
      bw_ide_command_ok (d);
      return TRUE;
    case 0xe1: case 0x95: /* IDLE IMMEDIATE */
    case 0xe3: case 0x97: /* IDLE */
      d->power = 0xff;
      bw_ide_command_ok (d);
      return TRUE;
    case 0xe5: case 0x98: /* CHECK POWER MODE */
      d->nsector = d->power;
      bw_ide_command_ok (d);
      return TRUE;
    case 0xe7: case 0xea: /* FLUSH CACHE (EXT) */
      flush (d);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
cd_command (BwIdeDrive *d, guint8 cmd)
{
  switch (cmd)
    {
    case 0xa1:
      bw_ide_atapi_identify (d);
      return;
    case 0xa0:
      bw_ide_atapi_packet_command (d);
      return;
    case 0x08: /* DEVICE RESET */
      bw_ide_io_drain (d->ch);
      bw_ide_xfer_stop (d->ch);
      bw_ide_drive_signature (d);
      d->error = 0x01;
      d->status = 0;
      bw_ide_atapi_reset (d, FALSE);
      return;
    default:
      if (common_command (d, cmd))
        return;
      /* IDENTIFY DEVICE and the rest: abort with the packet signature,
       * which is how a driver tells an ATAPI device. */
      bw_ide_drive_signature (d);
      bw_ide_command_error (d, BW_IDE_ER_ABRT);
    }
}

void
bw_ide_ata_command (BwIdeDrive *d, guint8 cmd)
{
  if (d->kind == BW_IDE_DRIVE_CDROM)
    {
      cd_command (d, cmd);
      return;
    }
  if (cmd != 0xe5 && cmd != 0x98) /* anything but CHECK POWER MODE wakes the drive */
    d->power = 0xff;
  switch (cmd)
    {
    case 0xec:
      identify (d);
      break;
    case 0x20: case 0x21:
      pio_command (d, FALSE, FALSE, FALSE);
      break;
    case 0x24:
      pio_command (d, TRUE, FALSE, FALSE);
      break;
    case 0xc4:
      pio_command (d, FALSE, TRUE, FALSE);
      break;
    case 0x29:
      pio_command (d, TRUE, TRUE, FALSE);
      break;
    case 0x30: case 0x31:
      pio_command (d, FALSE, FALSE, TRUE);
      break;
    case 0x34:
      pio_command (d, TRUE, FALSE, TRUE);
      break;
    case 0xc5:
      pio_command (d, FALSE, TRUE, TRUE);
      break;
    case 0x39:
      pio_command (d, TRUE, TRUE, TRUE);
      break;
    case 0xc8: case 0xc9:
      dma_command (d, FALSE, FALSE);
      break;
    case 0x25:
      dma_command (d, TRUE, FALSE);
      break;
    case 0xca: case 0xcb:
      dma_command (d, FALSE, TRUE);
      break;
    case 0x35:
      dma_command (d, TRUE, TRUE);
      break;
    case 0x40: case 0x41: case 0x42:
      if (start_transfer (d, cmd == 0x42))
        verify_chunk (d);
      break;
    case 0xc6: /* SET MULTIPLE MODE: 0 turns it off */
      {
        guint n = d->nsector;
        if (n > BW_IDE_MAX_MULT || (n & (n - 1)))
          bw_ide_command_error (d, BW_IDE_ER_ABRT);
        else
          {
            d->mult_sectors = (guint8) n;
            bw_ide_command_ok (d);
          }
        break;
      }
    case 0x91: /* INITIALIZE DEVICE PARAMETERS */
      if (d->nsector == 0)
        bw_ide_command_error (d, BW_IDE_ER_ABRT);
      else
        {
          d->cur_heads = (guint16) ((d->select & 0x0f) + 1);
          d->cur_spt = d->nsector;
          bw_ide_command_ok (d);
        }
      break;
    case 0x70: /* SEEK */
      {
        guint64 lba;
        guint32 count;
        d->lba48 = FALSE;
        if (decode (d, &lba, &count) && lba < d->nb_sectors)
          bw_ide_command_ok (d);
        else
          bw_ide_command_error (d, BW_IDE_ER_IDNF);
        break;
      }
    default:
      if (cmd >= 0x10 && cmd <= 0x1f) /* RECALIBRATE */
        bw_ide_command_ok (d);
      else if (!common_command (d, cmd))
        bw_ide_command_error (d, BW_IDE_ER_ABRT);
      break;
    }
}
