/* bw-ide-bmdma.c: the bus-master IDE function (SFF-8038i, as in the
 * PIIX): per channel a command register (Start, direction), a status
 * register (Active, Error and Interrupt, the DMA-capable bits) and the
 * PRD table address; and the engine that moves a drive's DMA data
 * through the Physical Region Descriptor table in guest memory.
 *
 * A PRD entry is two dwords: the region's address (bit 0 ignored) and its
 * byte count in bits 15:1 (0 means 64 KiB) with End Of Table in bit 31.
 * After a transfer the status tells the guest how the table and the
 * transfer matched:
 *   Interrupt 1, Active 0: the table was exactly as long as the transfer;
 *   Interrupt 1, Active 1: the table was longer (the guest clears Start);
 *   Interrupt 0, Active 0: the table ended first; the drive keeps waiting
 *                          (DRQ) for a new table and Start.
 * A region outside RAM stops the engine with Error set. Data moves in
 * chunks of up to 64 KiB; each chunk's regions are mapped before its
 * disk I/O starts and copied when it completes. */
#include "config.h"

#include <string.h>
#include "devices/ide/bw-ide-private.h"

void
bw_ide_bm_reset (BwIdeChannel *ch)
{
  ch->bm_cmd = 0;
  ch->bm_status &= BW_IDE_BM_ST_DMA0 | BW_IDE_BM_ST_DMA1; /* software-owned */
  ch->bm_prd = 0;
  ch->prd_pos = ch->prd_addr = ch->prd_left = 0;
  ch->prd_eot = FALSE;
}

static gboolean
bus_master_enabled (BwIdeChannel *ch)
{
  return (bw_pci_function_get (&ch->ide->pci, BW_PCI_COMMAND, 2) & BW_PCI_COMMAND_MASTER) != 0;
}

void
bw_ide_dma_pump (BwIdeChannel *ch)
{
  if (ch->xfer != BW_IDE_XFER_DMA_IN && ch->xfer != BW_IDE_XFER_DMA_OUT)
    return;
  if (!(ch->bm_cmd & BW_IDE_BM_CMD_START) || !(ch->bm_status & BW_IDE_BM_ST_ACTIVE))
    return;
  if (bw_ide_io_busy (ch))
    return;
  if (!bus_master_enabled (ch))
    {
      /* A master abort: the function may not use the bus. */
      bw_ide_dma_stall (ch, TRUE);
      return;
    }
  BwIdeDrive *d = bw_ide_active (ch);
  if (d->kind == BW_IDE_DRIVE_HDD)
    bw_ide_ata_dma_chunk (d);
  else if (d->kind == BW_IDE_DRIVE_CDROM)
    bw_ide_atapi_dma_chunk (d);
}

guint32
bw_ide_dma_map (BwIdeChannel *ch, guint32 want)
{
  BwMemory *mem = bw_device_get_memory (bw_ide_device (ch));
  guint32 pos = ch->prd_pos, addr = ch->prd_addr, left = ch->prd_left;
  gboolean eot = ch->prd_eot;
  guint32 covered = 0;

  if (!ch->sg)
    ch->sg = g_array_new (FALSE, FALSE, sizeof (BwIdeSg));
  g_array_set_size (ch->sg, 0);
  while (covered < want)
    {
      if (left == 0)
        {
          if (eot)
            break;
          guint8 e[8];
          bw_memory_read (mem, pos, e, sizeof e);
          guint32 base = (guint32) e[0] | (guint32) e[1] << 8 | (guint32) e[2] << 16
                         | (guint32) e[3] << 24;
          guint32 ctl = (guint32) e[4] | (guint32) e[5] << 8 | (guint32) e[6] << 16
                        | (guint32) e[7] << 24;
          pos += 8;
          addr = base & ~1u;
          left = ctl & 0xfffe;
          if (left == 0)
            left = 0x10000;
          eot = (ctl & 0x80000000u) != 0;
        }
      guint32 n = MIN (left, want - covered);
      BwIdeSg sg = { addr, n };
      g_array_append_val (ch->sg, sg);
      addr += n;
      left -= n;
      covered += n;
    }
  ch->map_pos = pos;
  ch->map_addr = addr;
  ch->map_left = left;
  ch->map_eot = eot;
  return covered;
}

static void
commit (BwIdeChannel *ch)
{
  ch->prd_pos = ch->map_pos;
  ch->prd_addr = ch->map_addr;
  ch->prd_left = ch->map_left;
  ch->prd_eot = ch->map_eot;
}

static gboolean
copy (BwIdeChannel *ch, guint8 *data, guint32 len, gboolean to_guest)
{
  BwMemory *mem = bw_device_get_memory (bw_ide_device (ch));
  gboolean ok = TRUE;
  guint32 done = 0;
  for (guint i = 0; ch->sg && i < ch->sg->len && done < len; i++)
    {
      BwIdeSg *sg = &g_array_index (ch->sg, BwIdeSg, i);
      guint32 n = MIN (sg->len, len - done);
      if (to_guest)
        ok &= bw_memory_write (mem, sg->addr, data + done, n);
      else
        ok &= bw_memory_read (mem, sg->addr, data + done, n);
      done += n;
    }
  if (ch->sg)
    g_array_set_size (ch->sg, 0);
  commit (ch);
  if (!ok)
    bw_ide_dma_stall (ch, TRUE);
  return ok;
}

gboolean
bw_ide_dma_to_guest (BwIdeChannel *ch, const guint8 *data, guint32 len)
{
  return copy (ch, (guint8 *) data, len, TRUE);
}

gboolean
bw_ide_dma_from_guest (BwIdeChannel *ch, guint8 *data, guint32 len)
{
  return copy (ch, data, len, FALSE);
}

void
bw_ide_dma_stall (BwIdeChannel *ch, gboolean error)
{
  ch->bm_status &= (guint8) ~BW_IDE_BM_ST_ACTIVE;
  if (error)
    {
      ch->bm_status |= BW_IDE_BM_ST_ERROR;
      bw_device_guest_error (bw_ide_device (ch),
                             "%s channel: bus-master DMA to or from memory that is not RAM, "
                             "or with bus mastering disabled",
                             ch->index ? "secondary" : "primary");
    }
}

void
bw_ide_dma_finish (BwIdeChannel *ch)
{
  if (ch->prd_left == 0 && ch->prd_eot)
    ch->bm_status &= (guint8) ~BW_IDE_BM_ST_ACTIVE;
}

void
bw_ide_bm_read (BwIdeChannel *ch, guint offset, guint64 *data, guint size)
{
  guint64 v = 0;
  for (guint i = 0; i < size; i++)
    {
      guint off = offset + i;
      guint8 b = 0;
      switch (off)
        {
        case 0:
          b = ch->bm_cmd;
          break;
        case 2:
          b = ch->bm_status;
          break;
        case 4: case 5: case 6: case 7:
          b = (guint8) (ch->bm_prd >> (8 * (off - 4)));
          break;
        default:
          b = 0;
          break;
        }
      v |= (guint64) b << (8 * i);
    }
  *data = v;
}

static void
command_write (BwIdeChannel *ch, guint8 value)
{
  guint8 old = ch->bm_cmd;
  /* The direction only changes while stopped. */
  if (old & BW_IDE_BM_CMD_START)
    value = (guint8) ((value & BW_IDE_BM_CMD_START) | (old & BW_IDE_BM_CMD_TO_MEMORY));
  ch->bm_cmd = value & (BW_IDE_BM_CMD_START | BW_IDE_BM_CMD_TO_MEMORY);
  if ((value & BW_IDE_BM_CMD_START) && !(old & BW_IDE_BM_CMD_START))
    {
      ch->bm_status |= BW_IDE_BM_ST_ACTIVE;
      ch->prd_pos = ch->bm_prd;
      ch->prd_addr = ch->prd_left = 0;
      ch->prd_eot = FALSE;
      bw_ide_dma_pump (ch);
    }
  else if (!(value & BW_IDE_BM_CMD_START) && (old & BW_IDE_BM_CMD_START))
    {
      /* Stop: the chunk in flight lands (Start is already clear, so
       * nothing new starts), then the engine is idle. */
      bw_ide_io_drain (ch);
      ch->bm_status &= (guint8) ~BW_IDE_BM_ST_ACTIVE;
    }
}

void
bw_ide_bm_write (BwIdeChannel *ch, guint offset, guint64 value, guint size)
{
  for (guint i = 0; i < size; i++)
    {
      guint off = offset + i;
      guint8 b = (guint8) (value >> (8 * i));
      switch (off)
        {
        case 0:
          command_write (ch, b);
          break;
        case 2:
          /* Error and Interrupt are write-one-to-clear; the DMA-capable
           * bits belong to software. */
          ch->bm_status = (guint8) ((ch->bm_status & ~(BW_IDE_BM_ST_DMA0 | BW_IDE_BM_ST_DMA1))
                                    | (b & (BW_IDE_BM_ST_DMA0 | BW_IDE_BM_ST_DMA1)));
          ch->bm_status &= (guint8) ~(b & (BW_IDE_BM_ST_ERROR | BW_IDE_BM_ST_INT));
          break;
        case 4: case 5: case 6: case 7:
          {
            guint shift = 8 * (off - 4);
            ch->bm_prd = (ch->bm_prd & ~(0xffu << shift)) | ((guint32) b << shift);
            ch->bm_prd &= ~3u;
            break;
          }
        default:
          break;
        }
    }
}
