/* bw-vga-mem.c: the legacy window at A0000-BFFFF: memory map select,
 * chain-4, odd/even and planar access with the latches, the four write
 * modes (rotate, set/reset, logical function, bit mask), read mode 1's
 * colour compare, and the VBE bank.
 *
 * Addressing follows the hardware: chain-4 sends CPU address a to plane
 * a & 3 at offset a & ~3, odd/even sends it to plane a & 1 (plus the read
 * map's bit 1 for reads) at offset a & ~1; the CRTC's word and doubleword
 * modes undo that when the screen is read out (bw-vga-render.c). */
#include "config.h"

#include <string.h>
#include "devices/display/bw-vga-private.h"

void
bw_vga_mark_dirty (BwVga *s, guint64 vram_offset, guint64 len)
{
  if (!s->pending || len == 0 || vram_offset >= s->vram_size)
    return;
  guint64 last = MIN (vram_offset + len, s->vram_size) - 1;
  for (guint64 p = vram_offset >> VGA_PAGE_SHIFT; p <= last >> VGA_PAGE_SHIFT; p++)
    s->pending[p] = 1;
}

/* The offset into the selected window, or FALSE when addr (from A0000) is
 * outside it. */
static gboolean
window_offset (BwVga *s, guint32 addr, guint32 *off)
{
  switch ((s->gr[6] >> 2) & 3)
    {
      case 0:
        *off = addr;
        return TRUE;
      case 1:
        *off = addr;
        return addr < 0x10000;
      case 2:
        *off = addr - 0x10000;
        return addr >= 0x10000 && addr < 0x18000;
      default:
        *off = addr - 0x18000;
        return addr >= 0x18000;
    }
}

/* VBE packed-pixel modes see the bank of VRAM as plain bytes. */
static gboolean
linear_bank (BwVga *s)
{
  guint bpp = s->vbe_regs[VBE_BPP];
  return bw_vga_vbe_enabled (s) && bpp != 4;
}

/* Plane offset of off with the VBE bank; FALSE beyond the planes. */
static gboolean
plane_offset (BwVga *s, guint32 off, guint32 *po)
{
  if (bw_vga_vbe_enabled (s))
    {
      guint64 o = (guint64)off + ((guint64)s->vbe_regs[VBE_BANK] << 16);
      if (o >= s->vram_size / 4)
        return FALSE;
      *po = (guint32)o;
      return TRUE;
    }
  *po = off & 0xffff;
  return TRUE;
}

static guint8
window_read (BwVga *s, guint32 addr)
{
  guint32 off, po;
  if (!window_offset (s, addr, &off))
    return 0xff;
  if (linear_bank (s))
    {
      guint64 i = (guint64)off + ((guint64)s->vbe_regs[VBE_BANK] << 16);
      return i < s->vram_size ? s->vram[i] : 0xff;
    }
  if (s->sr[4] & 0x08)
    {
      if (!plane_offset (s, off & ~3u, &po))
        return 0xff;
      return s->vram[(po << 2) | (off & 3)];
    }
  gboolean odd_even = (s->gr[5] & 0x10) != 0;
  if (!plane_offset (s, odd_even ? off & ~1u : off, &po))
    return 0xff;
  memcpy (s->latch, &s->vram[po << 2], 4);
  if (s->gr[5] & 0x08)
    {
      /* Read mode 1: 1 where every plane that counts matches its colour. */
      guint8 diff = 0;
      for (guint p = 0; p < 4; p++)
        if (s->gr[7] & (1u << p))
          diff |= s->latch[p] ^ ((s->gr[2] & (1u << p)) ? 0xff : 0x00);
      return (guint8)~diff;
    }
  guint plane = odd_even ? ((s->gr[4] & 2) | (off & 1)) : (s->gr[4] & 3);
  return s->latch[plane];
}

static guint8
rotate (guint8 v, guint n)
{
  n &= 7;
  return n ? (guint8)((v >> n) | (v << (8 - n))) : v;
}

static void
window_write (BwVga *s, guint32 addr, guint8 v)
{
  guint32 off, po;
  if (!window_offset (s, addr, &off))
    return;
  if (linear_bank (s))
    {
      guint64 i = (guint64)off + ((guint64)s->vbe_regs[VBE_BANK] << 16);
      if (i < s->vram_size)
        {
          s->vram[i] = v;
          s->pending[i >> VGA_PAGE_SHIFT] = 1;
        }
      return;
    }
  if (s->sr[4] & 0x08)
    {
      guint plane = off & 3;
      if ((s->sr[2] & (1u << plane)) && plane_offset (s, off & ~3u, &po))
        {
          s->vram[(po << 2) | plane] = v;
          s->pending[po >> (VGA_PAGE_SHIFT - 2)] = 1;
        }
      return;
    }

  guint enable = s->sr[2] & 0x0f;
  gboolean odd_even = !(s->sr[4] & 0x04);
  if (odd_even)
    enable &= (off & 1) ? 0x0a : 0x05;
  if (!enable || !plane_offset (s, odd_even ? off & ~1u : off, &po))
    return;

  guint8 d[4];
  guint8 mask = s->gr[8];
  guint mode = s->gr[5] & 3;
  switch (mode)
    {
      case 0:
        {
          guint8 r = rotate (v, s->gr[3]);
          for (guint p = 0; p < 4; p++)
            d[p] = (s->gr[1] & (1u << p)) ? ((s->gr[0] & (1u << p)) ? 0xff : 0) : r;
          break;
        }
      case 1:
        memcpy (d, s->latch, 4);
        break;
      case 2:
        for (guint p = 0; p < 4; p++)
          d[p] = (v & (1u << p)) ? 0xff : 0;
        break;
      default:
        mask &= rotate (v, s->gr[3]);
        for (guint p = 0; p < 4; p++)
          d[p] = (s->gr[0] & (1u << p)) ? 0xff : 0;
        break;
    }
  if (mode != 1)
    for (guint p = 0; p < 4; p++)
      {
        switch ((s->gr[3] >> 3) & 3)
          {
            case 1:
              d[p] &= s->latch[p];
              break;
            case 2:
              d[p] |= s->latch[p];
              break;
            case 3:
              d[p] ^= s->latch[p];
              break;
            default:
              break;
          }
        d[p] = (d[p] & mask) | (s->latch[p] & ~mask);
      }
  guint8 *dst = &s->vram[po << 2];
  for (guint p = 0; p < 4; p++)
    if (enable & (1u << p))
      dst[p] = d[p];
  s->pending[po >> (VGA_PAGE_SHIFT - 2)] = 1;
}

static void
window_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwVga *s = opaque;
  if (is_write)
    {
      for (guint i = 0; i < size; i++)
        window_write (s, (guint32)offset + i, (guint8)(*data >> (8 * i)));
    }
  else
    {
      guint64 v = 0;
      for (guint i = 0; i < size; i++)
        v |= (guint64)window_read (s, (guint32)offset + i) << (8 * i);
      *data = v;
    }
}

const BwIoOps bw_vga_window_ops = { .handler = window_io, .max_access = 8 };
