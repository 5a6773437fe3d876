/* bw-ide-channel.c: one IDE channel's task file: the command block
 * registers both drives latch, the device control register (nIEN, SRST,
 * HOB), INTRQ, the PIO data port, command dispatch and resets.
 *
 * Reads of an absent drive's registers return 0 (status included), as a
 * PC with a single drive on a channel shows it and as SeaBIOS's probe
 * expects. Commands written while the drive is busy or in a data phase
 * are ignored (DEVICE RESET to an ATAPI drive excepted). */
#include "config.h"

#include <string.h>
#include "devices/ide/bw-ide-private.h"

static const BwVmStateField channel_fields[] = {
  BW_VMSTATE_STRUCT_ARRAY (BwIdeChannel, drive, BwIdeDrive, 2, bw_ide_drive_vmstate),
  BW_VMSTATE_U8 (BwIdeChannel, cur),
  BW_VMSTATE_U8 (BwIdeChannel, active),
  BW_VMSTATE_U8 (BwIdeChannel, devctl),
  BW_VMSTATE_U8 (BwIdeChannel, xfer),
  BW_VMSTATE_U8 (BwIdeChannel, end),
  BW_VMSTATE_BOOL (BwIdeChannel, irq_level),
  BW_VMSTATE_U32 (BwIdeChannel, data_pos),
  BW_VMSTATE_U32 (BwIdeChannel, data_end),
  BW_VMSTATE_U32 (BwIdeChannel, buf_len),
  BW_VMSTATE_U8 (BwIdeChannel, bm_cmd),
  BW_VMSTATE_U8 (BwIdeChannel, bm_status),
  BW_VMSTATE_U32 (BwIdeChannel, bm_prd),
  BW_VMSTATE_U32 (BwIdeChannel, prd_pos),
  BW_VMSTATE_U32 (BwIdeChannel, prd_addr),
  BW_VMSTATE_U32 (BwIdeChannel, prd_left),
  BW_VMSTATE_BOOL (BwIdeChannel, prd_eot),
  BW_VMSTATE_END_OF_FIELDS,
};

/* Nested in the controller's description; the PIO buffer travels in a
 * subsection of the controller only while a PIO transfer is under way. */
const BwVmStateDesc bw_ide_channel_vmstate = {
  .name = "ide-channel",
  .version = 1,
  .minimum_version = 1,
  .fields = channel_fields,
};

static BwIdeDrive *
selected (BwIdeChannel *ch)
{
  return &ch->drive[ch->cur & 1];
}

BwIdeDrive *
bw_ide_active (BwIdeChannel *ch)
{
  return &ch->drive[ch->active & 1];
}

static gboolean
line_level (BwIdeChannel *ch)
{
  BwIdeDrive *d = selected (ch);
  return d->kind != BW_IDE_DRIVE_NONE && d->irq_pending && !(ch->devctl & BW_IDE_DC_NIEN);
}

void
bw_ide_update_irq (BwIdeChannel *ch)
{
  gboolean level = line_level (ch);
  /* The bus master snoops the line: its interrupt bit latches edges. */
  if (level && !ch->irq_level)
    ch->bm_status |= BW_IDE_BM_ST_INT;
  ch->irq_level = level;
  bw_irq_line_set (ch->irq, level);
}

void
bw_ide_raise_irq (BwIdeDrive *d)
{
  d->irq_pending = TRUE;
  bw_ide_update_irq (d->ch);
}

void
bw_ide_xfer_stop (BwIdeChannel *ch)
{
  ch->xfer = BW_IDE_XFER_NONE;
  ch->end = BW_IDE_END_NONE;
  ch->data_pos = ch->data_end = ch->buf_len = 0;
}

static void
pio_start (BwIdeDrive *d, BwIdeXfer xfer, guint32 start, guint32 len, BwIdeEnd end,
           gboolean raise)
{
  BwIdeChannel *ch = d->ch;
  ch->active = (guint8) d->unit;
  ch->xfer = xfer;
  ch->end = end;
  ch->data_pos = MIN (start, BW_IDE_BUF_SIZE);
  ch->data_end = MIN (start + len, BW_IDE_BUF_SIZE);
  d->status = BW_IDE_ST_DRDY | BW_IDE_ST_DSC | BW_IDE_ST_DRQ;
  if (raise)
    bw_ide_raise_irq (d);
}

void
bw_ide_pio_in (BwIdeDrive *d, guint32 start, guint32 len, BwIdeEnd end, gboolean raise)
{
  pio_start (d, BW_IDE_XFER_PIO_IN, start, len, end, raise);
}

void
bw_ide_pio_out (BwIdeDrive *d, guint32 start, guint32 len, BwIdeEnd end, gboolean raise)
{
  pio_start (d, BW_IDE_XFER_PIO_OUT, start, len, end, raise);
}

void
bw_ide_command_ok (BwIdeDrive *d)
{
  bw_ide_xfer_stop (d->ch);
  d->status = BW_IDE_ST_DRDY | BW_IDE_ST_DSC;
  bw_ide_raise_irq (d);
}

void
bw_ide_command_error (BwIdeDrive *d, guint8 error)
{
  bw_ide_xfer_stop (d->ch);
  d->status = BW_IDE_ST_DRDY | BW_IDE_ST_DSC | BW_IDE_ST_ERR;
  d->error = error;
  bw_ide_raise_irq (d);
}

void
bw_ide_drive_signature (BwIdeDrive *d)
{
  d->nsector = d->sector = 1;
  if (d->kind == BW_IDE_DRIVE_CDROM)
    {
      d->lcyl = 0x14;
      d->hcyl = 0xeb;
    }
  else
    d->lcyl = d->hcyl = 0;
  d->hob_feature = d->hob_nsector = d->hob_sector = d->hob_lcyl = d->hob_hcyl = 0;
  d->select = 0;
}

/* The state after a reset with the diagnostic passed. */
static void
drive_reset (BwIdeDrive *d, gboolean hard)
{
  d->feature = 0;
  bw_ide_drive_signature (d);
  d->error = 0x01;
  d->status = d->kind == BW_IDE_DRIVE_HDD ? BW_IDE_ST_DRDY | BW_IDE_ST_DSC : 0;
  d->irq_pending = FALSE;
  d->lba48 = d->dma = FALSE;
  d->lba = 0;
  d->remaining = 0;
  d->block = 0;
  if (hard)
    {
      d->command = 0;
      d->mult_sectors = 0;
      d->xfer_mode = 0;
      d->write_cache = TRUE;
      d->look_ahead = TRUE;
      d->power = 0xff;
      d->cur_heads = d->heads;
      d->cur_spt = d->spt;
    }
  if (d->kind == BW_IDE_DRIVE_CDROM)
    bw_ide_atapi_reset (d, hard);
}

void
bw_ide_channel_reset (BwIdeChannel *ch, gboolean hard)
{
  bw_ide_xfer_stop (ch);
  ch->cur = ch->active = 0;
  if (hard)
    {
      ch->devctl = 0;
      bw_ide_bm_reset (ch);
    }
  for (guint i = 0; i < 2; i++)
    drive_reset (&ch->drive[i], hard);
  bw_ide_update_irq (ch);
}

static void
diagnostic (BwIdeChannel *ch)
{
  bw_ide_io_drain (ch);
  bw_ide_xfer_stop (ch);
  for (guint i = 0; i < 2; i++)
    {
      BwIdeDrive *d = &ch->drive[i];
      bw_ide_drive_signature (d);
      d->error = 0x01;
      d->status = d->kind == BW_IDE_DRIVE_HDD ? BW_IDE_ST_DRDY | BW_IDE_ST_DSC : 0;
      d->irq_pending = FALSE;
    }
  ch->cur = ch->active = 0;
  /* Device 0 answers for the pair (device 1 passed or is absent). */
  BwIdeDrive *d0 = &ch->drive[ch->drive[0].kind != BW_IDE_DRIVE_NONE ? 0 : 1];
  d0->command = 0x90;
  bw_ide_raise_irq (d0);
}

static void
exec_command (BwIdeChannel *ch, guint8 cmd)
{
  if (cmd == 0x90) /* EXECUTE DEVICE DIAGNOSTIC: both devices */
    {
      if (ch->drive[0].kind != BW_IDE_DRIVE_NONE || ch->drive[1].kind != BW_IDE_DRIVE_NONE)
        diagnostic (ch);
      return;
    }
  BwIdeDrive *d = selected (ch);
  if (d->kind == BW_IDE_DRIVE_NONE)
    return;
  gboolean device_reset = cmd == 0x08 && d->kind == BW_IDE_DRIVE_CDROM;
  if (!device_reset)
    {
      if (d->status & (BW_IDE_ST_BSY | BW_IDE_ST_DRQ))
        return;
      /* The other drive still owns the channel's data phase. */
      if (ch->active != ch->cur && ch->xfer != BW_IDE_XFER_NONE)
        return;
      if (bw_ide_io_busy (ch))
        return;
    }
  d->irq_pending = FALSE;
  bw_ide_update_irq (ch);
  ch->active = ch->cur;
  d->command = cmd;
  d->error = 0;
  bw_ide_ata_command (d, cmd);
}

guint32
bw_ide_channel_read (BwIdeChannel *ch, guint reg)
{
  BwIdeDrive *d = selected (ch);
  gboolean hob = (ch->devctl & BW_IDE_DC_HOB) != 0;
  gboolean absent = d->kind == BW_IDE_DRIVE_NONE;

  switch (reg)
    {
    case 1:
      return absent ? 0 : hob ? d->hob_feature : d->error;
    case 2:
      return absent ? 0 : hob ? d->hob_nsector : d->nsector;
    case 3:
      return absent ? 0 : hob ? d->hob_sector : d->sector;
    case 4:
      return absent ? 0 : hob ? d->hob_lcyl : d->lcyl;
    case 5:
      return absent ? 0 : hob ? d->hob_hcyl : d->hcyl;
    case 6:
      return d->select;
    case 7:
      if (absent)
        return 0;
      d->irq_pending = FALSE;
      bw_ide_update_irq (ch);
      return d->status;
    default:
      return 0xff;
    }
}

void
bw_ide_channel_write (BwIdeChannel *ch, guint reg, guint8 value)
{
  /* Any command block write clears HOB. */
  ch->devctl &= (guint8) ~BW_IDE_DC_HOB;
  if (reg == 7)
    {
      exec_command (ch, value);
      return;
    }
  for (guint i = 0; i < 2; i++)
    {
      BwIdeDrive *d = &ch->drive[i];
      switch (reg)
        {
        case 1:
          d->hob_feature = d->feature;
          d->feature = value;
          break;
        case 2:
          d->hob_nsector = d->nsector;
          d->nsector = value;
          break;
        case 3:
          d->hob_sector = d->sector;
          d->sector = value;
          break;
        case 4:
          d->hob_lcyl = d->lcyl;
          d->lcyl = value;
          break;
        case 5:
          d->hob_hcyl = d->hcyl;
          d->hcyl = value;
          break;
        case 6:
          d->select = value;
          break;
        default:
          break;
        }
    }
  if (reg == 6)
    {
      ch->cur = (value & BW_IDE_DEV_DEV) ? 1 : 0;
      bw_ide_update_irq (ch);
    }
}

guint8
bw_ide_altstatus_read (BwIdeChannel *ch)
{
  BwIdeDrive *d = selected (ch);
  return d->kind == BW_IDE_DRIVE_NONE ? 0 : d->status;
}

void
bw_ide_devctl_write (BwIdeChannel *ch, guint8 value)
{
  guint8 old = ch->devctl;
  ch->devctl = value;
  if ((value & BW_IDE_DC_SRST) && !(old & BW_IDE_DC_SRST))
    {
      /* Reset asserted: the command in progress ends, the drives are
       * busy until SRST is released. */
      bw_ide_io_drain (ch);
      bw_ide_xfer_stop (ch);
      for (guint i = 0; i < 2; i++)
        {
          BwIdeDrive *d = &ch->drive[i];
          if (d->kind != BW_IDE_DRIVE_NONE)
            d->status = BW_IDE_ST_BSY;
          d->irq_pending = FALSE;
        }
    }
  else if (!(value & BW_IDE_DC_SRST) && (old & BW_IDE_DC_SRST))
    {
      for (guint i = 0; i < 2; i++)
        drive_reset (&ch->drive[i], FALSE);
      ch->cur = ch->active = 0;
    }
  bw_ide_update_irq (ch);
}

static void
pio_end (BwIdeChannel *ch)
{
  BwIdeDrive *d = bw_ide_active (ch);
  BwIdeEnd end = (BwIdeEnd) ch->end;
  ch->xfer = BW_IDE_XFER_NONE;
  ch->end = BW_IDE_END_NONE;
  d->status &= (guint8) ~BW_IDE_ST_DRQ;
  switch (end)
    {
    case BW_IDE_END_ATA_READ:
    case BW_IDE_END_ATA_WRITE:
      bw_ide_ata_pio_end (d, end);
      break;
    case BW_IDE_END_IDENTIFY:
      d->status = BW_IDE_ST_DRDY | BW_IDE_ST_DSC;
      break;
    case BW_IDE_END_ATAPI_PACKET:
      bw_ide_atapi_packet (d);
      break;
    case BW_IDE_END_ATAPI_DATA:
      bw_ide_atapi_pio_end (d);
      break;
    default:
      d->status = BW_IDE_ST_DRDY | BW_IDE_ST_DSC;
      break;
    }
}

static gboolean
pio_ready (BwIdeChannel *ch, BwIdeXfer want)
{
  return ch->xfer == want && ch->cur == ch->active && ch->data_pos < ch->data_end
         && ch->data_end <= BW_IDE_BUF_SIZE;
}

guint32
bw_ide_data_read (BwIdeChannel *ch, guint size)
{
  if (!pio_ready (ch, BW_IDE_XFER_PIO_IN))
    return 0;
  guint32 v = 0;
  for (guint i = 0; i < size && ch->data_pos < ch->data_end; i++)
    v |= (guint32) ch->buf[ch->data_pos++] << (8 * i);
  if (ch->data_pos >= ch->data_end)
    pio_end (ch);
  return v;
}

void
bw_ide_data_write (BwIdeChannel *ch, guint32 value, guint size)
{
  if (!pio_ready (ch, BW_IDE_XFER_PIO_OUT))
    return;
  for (guint i = 0; i < size && ch->data_pos < ch->data_end; i++)
    ch->buf[ch->data_pos++] = (guint8) (value >> (8 * i));
  if (ch->data_pos >= ch->data_end)
    pio_end (ch);
}

/* After loading: bring values a damaged or foreign stream may hold into
 * range, then show the interrupt line as saved. */
void
bw_ide_channel_post_load (BwIdeChannel *ch)
{
  ch->cur &= 1;
  ch->active &= 1;
  if (ch->end > BW_IDE_END_LAST)
    ch->end = BW_IDE_END_NONE;
  if (ch->xfer > BW_IDE_XFER_LAST || ch->xfer == BW_IDE_XFER_BUSY)
    {
      /* Nothing is in flight after a save; a busy phase cannot resume. */
      ch->xfer = BW_IDE_XFER_NONE;
      bw_ide_active (ch)->status = BW_IDE_ST_DRDY | BW_IDE_ST_ERR;
      bw_ide_active (ch)->error = BW_IDE_ER_ABRT;
    }
  /* The phase must belong to a drive of the right kind. */
  BwIdeDrive *a = bw_ide_active (ch);
  gboolean ata_end = ch->end == BW_IDE_END_ATA_READ || ch->end == BW_IDE_END_ATA_WRITE;
  gboolean atapi_end = ch->end == BW_IDE_END_ATAPI_PACKET || ch->end == BW_IDE_END_ATAPI_DATA;
  if (a->kind == BW_IDE_DRIVE_NONE || (ata_end && a->kind != BW_IDE_DRIVE_HDD)
      || (atapi_end && a->kind != BW_IDE_DRIVE_CDROM))
    bw_ide_xfer_stop (ch);
  ch->buf_len = MIN (ch->buf_len, BW_IDE_BUF_SIZE);
  ch->data_end = MIN (ch->data_end, BW_IDE_BUF_SIZE);
  ch->data_pos = MIN (ch->data_pos, ch->data_end);
  for (guint i = 0; i < 2; i++)
    {
      BwIdeDrive *d = &ch->drive[i];
      d->mult_sectors = MIN (d->mult_sectors, BW_IDE_MAX_MULT);
      if (d->kind == BW_IDE_DRIVE_HDD)
        {
          if (d->lba > d->nb_sectors || d->remaining > d->nb_sectors - d->lba)
            d->lba = d->remaining = 0;
          if (d->block > BW_IDE_BUF_SIZE / BW_IDE_SECTOR)
            d->block = 0;
          if (d->cur_heads == 0 || d->cur_heads > 16 || d->cur_spt == 0 || d->cur_spt > 255)
            {
              d->cur_heads = d->heads;
              d->cur_spt = d->spt;
            }
        }
      if (d->kind == BW_IDE_DRIVE_CDROM)
        {
          gboolean present = d->disk != NULL;
          if (present != d->medium_was_present)
            {
              d->ua_asc = BW_ASC_MEDIUM_CHANGED;
              d->media_event = present ? 2 : 3;
            }
          if (!d->disk || d->atapi_lba > d->nb_sectors
              || d->atapi_sectors > d->nb_sectors - d->atapi_lba)
            d->atapi_sectors = 0;
        }
    }
  ch->irq_level = line_level (ch);
  bw_irq_line_set (ch->irq, ch->irq_level);
}
