/* bw-vga.c: the VGA device: configuration, PCI function, legacy ports,
 * Bochs VBE registers, reset and saved state. */
#include "config.h"

#include <string.h>
#include "vmm/bw-platform.h"
#include "vmm/bw-firmware.h"
#include "devices/display/bw-vga-private.h"

G_DEFINE_QUARK (bw - vga - error - quark, bw_vga_error)

#define VGA_PORT_BASE 0x3B0
#define VBE_PORT_BASE 0x1CE
#define VGA_WINDOW_BASE 0xA0000
#define VGA_WINDOW_SIZE 0x20000
/* Where the LFB sits on a board without a PCI bus (Bochs's old address). */
#define VBE_ISA_LFB 0xE0000000u

/* Retrace timing for input status 1: 70 Hz frames of 449 lines. Each read
 * also moves the beam a little so that a guest polling the bits on a
 * clock that does not move (manual clock, a vCPU spinning) sees them
 * change. */
#define FRAME_NS 14285714
#define LINE_NS 31778
#define VRETRACE_NS 64000
#define STATUS_READ_NS 2000

static const BwDeviceClass vga_class;

BwVga *
bw_vga_from_device (BwDevice *dev)
{
  g_return_val_if_fail (dev != NULL && dev->klass == &vga_class, NULL);
  return (BwVga *)dev;
}

gboolean
bw_vga_vbe_enabled (BwVga *s)
{
  return (s->vbe_regs[VBE_ENABLE] & VBE_ENABLED) != 0;
}

/* Bytes of VRAM per 8 pixels (4 bpp planar: one byte in each plane). */
static guint
vbe_bytes_per_8px (guint bpp)
{
  switch (bpp)
    {
      case 4:
        return 4;
      case 8:
        return 8;
      case 15:
      case 16:
        return 16;
      case 24:
        return 24;
      case 32:
        return 32;
      default:
        return 0;
    }
}

/* The effective VBE geometry from the registers as the guest wrote them:
 * anything that does not fit in VRAM is clamped (and logged when asked). */
void
bw_vga_vbe_fixup (BwVga *s, gboolean log)
{
  guint bpp = s->vbe_regs[VBE_BPP];
  if (bpp == 0)
    bpp = 8;
  if (vbe_bytes_per_8px (bpp) == 0)
    {
      if (log)
        bw_device_guest_error (&s->parent, "VBE: %u bits per pixel is not supported, using 8", bpp);
      bpp = 8;
    }
  guint b8 = vbe_bytes_per_8px (bpp);
  guint xres = CLAMP (s->vbe_regs[VBE_XRES], 8, VBE_MAX_XRES) & ~7u;
  guint yres = CLAMP (s->vbe_regs[VBE_YRES], 1, VBE_MAX_YRES);
  guint vwidth = MAX ((guint)s->vbe_regs[VBE_VIRT_WIDTH] & ~7u, xres);
  guint64 line = (guint64)vwidth * b8 / 8;
  if (line > s->vram_size)
    {
      vwidth = (guint)((guint64)s->vram_size * 8 / b8) & ~7u;
      line = (guint64)vwidth * b8 / 8;
      if (log)
        bw_device_guest_error (&s->parent, "VBE: lines of %u pixels do not fit in VRAM",
                               (guint)s->vbe_regs[VBE_XRES]);
    }
  xres = MIN (xres, vwidth);
  guint vheight = line ? (guint)MIN (s->vram_size / line, 0xffff) : 0;
  if (yres > vheight)
    {
      if (log)
        bw_device_guest_error (&s->parent,
                               "VBE: %ux%ux%u needs more than the %u MiB of VRAM: %u lines shown",
                               (guint)s->vbe_regs[VBE_XRES], (guint)s->vbe_regs[VBE_YRES], bpp,
                               s->vram_size >> 20, vheight);
      yres = vheight;
    }
  guint xoff = MIN ((guint)s->vbe_regs[VBE_X_OFFSET], vwidth - xres);
  guint yoff = MIN ((guint)s->vbe_regs[VBE_Y_OFFSET], vheight - yres);
  if (bpp == 4)
    xoff &= ~7u;
  s->vbe_line = (guint32)line;
  s->vbe_start = (guint32)((guint64)yoff * line + (guint64)xoff * b8 / 8);
  s->vbe_width = xres;
  s->vbe_height = yres;
  s->vbe_regs[VBE_VIRT_HEIGHT] = (guint16)vheight;
}

static guint
vbe_effective_bpp (BwVga *s)
{
  guint bpp = s->vbe_regs[VBE_BPP];
  return vbe_bytes_per_8px (bpp) ? bpp : 8;
}

/* Legacy ports. */

static gboolean
port_inactive (BwVga *s, guint port)
{
  gboolean color = s->misc & 1;
  if (port >= 0x3B0 && port <= 0x3BF)
    return color;
  if (port >= 0x3D0 && port <= 0x3DF)
    return !color;
  return FALSE;
}

static guint8
input_status_1 (BwVga *s)
{
  gint64 t = bw_device_now (&s->parent) + (gint64)s->status_reads * STATUS_READ_NS;
  s->status_reads++;
  gint64 in_frame = t % FRAME_NS;
  gboolean vretrace = in_frame >= FRAME_NS - VRETRACE_NS;
  gboolean hblank = (t % LINE_NS) >= LINE_NS * 4 / 5;
  s->ar_flip = FALSE;
  return (vretrace ? 0x08 : 0) | ((vretrace || hblank) ? 0x01 : 0);
}

static guint8
vga_port_read (BwVga *s, guint port)
{
  if (port_inactive (s, port))
    return 0xff;
  switch (port)
    {
      case 0x3C0:
        return s->ar_index;
      case 0x3C1:
        return (s->ar_index & 0x1f) <= 0x14 ? s->ar[s->ar_index & 0x1f] : 0;
      case 0x3C2:
        return 0x10; /* switch sense: a colour monitor */
      case 0x3C3:
        return 1;
      case 0x3C4:
        return s->sr_index;
      case 0x3C5:
        return s->sr[s->sr_index & 7];
      case 0x3C6:
        return s->pel_mask;
      case 0x3C7:
        return s->dac_state;
      case 0x3C8:
        return s->dac_write_index;
      case 0x3C9:
        {
          guint8 v = s->dac[s->dac_read_index * 3 + s->dac_sub % 3];
          if (++s->dac_sub >= 3)
            {
              s->dac_sub = 0;
              s->dac_read_index++;
            }
          return v;
        }
      case 0x3CA:
        return s->feature;
      case 0x3CC:
        return s->misc;
      case 0x3CE:
        return s->gr_index;
      case 0x3CF:
        return (s->gr_index & 0x0f) <= 8 ? s->gr[s->gr_index & 0x0f] : 0;
      case 0x3B4:
      case 0x3D4:
        return s->cr_index;
      case 0x3B5:
      case 0x3D5:
        return (s->cr_index & 0x1f) <= 0x18 ? s->cr[s->cr_index & 0x1f] : 0;
      case 0x3BA:
      case 0x3DA:
        return input_status_1 (s);
      default:
        return 0xff;
    }
}

/* Writable bits of each register (the rest read as zero). */
static const guint8 sr_mask[8] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e, 0, 0, 0 };
static const guint8 gr_mask[16] = { 0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff };
static const guint8 ar_mask[0x15]
    = { 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0x3f,
        0x3f, 0x3f, 0x3f, 0x3f, 0x3f, 0xef, 0xff, 0x0f, 0x0f, 0x0f };

static void
vga_port_write (BwVga *s, guint port, guint8 v)
{
  if (port_inactive (s, port))
    return;
  switch (port)
    {
      case 0x3C0:
        if (!s->ar_flip)
          {
            if ((v ^ s->ar_index) & 0x20)
              s->invalidate = TRUE;
            s->ar_index = v & 0x3f;
          }
        else
          {
            guint i = s->ar_index & 0x1f;
            if (i <= 0x14 && s->ar[i] != (v & ar_mask[i]))
              {
                s->ar[i] = v & ar_mask[i];
                s->invalidate = TRUE;
              }
          }
        s->ar_flip = !s->ar_flip;
        break;
      case 0x3C2:
        if (s->misc != v)
          s->invalidate = TRUE;
        s->misc = v;
        break;
      case 0x3C4:
        s->sr_index = v & 7;
        break;
      case 0x3C5:
        {
          guint i = s->sr_index & 7;
          v &= sr_mask[i];
          if ((i == 1 || i == 3) && s->sr[i] != v)
            s->invalidate = TRUE;
          s->sr[i] = v;
          break;
        }
      case 0x3C6:
        if (s->pel_mask != v)
          s->invalidate = TRUE;
        s->pel_mask = v;
        break;
      case 0x3C7:
        s->dac_read_index = v;
        s->dac_sub = 0;
        s->dac_state = 3;
        break;
      case 0x3C8:
        s->dac_write_index = v;
        s->dac_sub = 0;
        s->dac_state = 0;
        break;
      case 0x3C9:
        s->dac_cache[s->dac_sub % 3] = (s->vbe_regs[VBE_ENABLE] & VBE_8BIT_DAC) ? v : (v & 0x3f);
        if (++s->dac_sub >= 3)
          {
            memcpy (&s->dac[s->dac_write_index * 3], s->dac_cache, 3);
            s->dac_sub = 0;
            s->dac_write_index++;
            s->invalidate = TRUE;
          }
        break;
      case 0x3CE:
        s->gr_index = v & 0x0f;
        break;
      case 0x3CF:
        {
          guint i = s->gr_index & 0x0f;
          v &= gr_mask[i];
          if (((i == 5 && ((s->gr[5] ^ v) & 0x60)) || (i == 6 && ((s->gr[6] ^ v) & 0x01))))
            s->invalidate = TRUE;
          s->gr[i] = v;
          break;
        }
      case 0x3B4:
      case 0x3D4:
        s->cr_index = v & 0x1f;
        break;
      case 0x3B5:
      case 0x3D5:
        {
          guint i = s->cr_index & 0x1f;
          if (i > 0x18)
            break;
          /* CR11 bit 7 write-protects CR00-CR07, but for CR07's line
           * compare bit. */
          if (i <= 7 && (s->cr[0x11] & 0x80))
            {
              if (i != 7)
                break;
              v = (s->cr[7] & ~0x10) | (v & 0x10);
            }
          if (s->cr[i] != v && i != 0x0e && i != 0x0f)
            s->invalidate = TRUE;
          s->cr[i] = v;
          break;
        }
      case 0x3BA:
      case 0x3DA:
        s->feature = v;
        break;
      default:
        break;
    }
}

static void
vga_port_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwVga *s = opaque;
  guint port = VGA_PORT_BASE + (guint)offset;
  if (is_write)
    vga_port_write (s, port, (guint8)*data);
  else
    *data = vga_port_read (s, port);
}

static const BwIoOps vga_port_ops = { .handler = vga_port_io, .max_access = 1 };

/* Bochs VBE. */

static guint16
vbe_read (BwVga *s)
{
  guint i = s->vbe_index;
  if (i >= VBE_NUM_REGS)
    return 0;
  if ((s->vbe_regs[VBE_ENABLE] & VBE_GETCAPS) && i <= VBE_BPP)
    {
      static const guint16 caps[] = { VBE_ID5, VBE_MAX_XRES, VBE_MAX_YRES, 32 };
      return caps[i];
    }
  switch (i)
    {
      case VBE_VIDEO_MEMORY_64K:
        return (guint16)MIN (s->vram_size >> 16, 0xffff);
      case VBE_VIRT_WIDTH:
      case VBE_VIRT_HEIGHT:
      case VBE_X_OFFSET:
      case VBE_Y_OFFSET:
        {
          /* What the card really uses (SeaVGABIOS reads the line length
           * back from VIRT_WIDTH). */
          bw_vga_vbe_fixup (s, FALSE);
          guint b8 = vbe_bytes_per_8px (vbe_effective_bpp (s));
          guint vwidth = s->vbe_line * 8 / b8;
          if (i == VBE_VIRT_WIDTH)
            return (guint16)vwidth;
          if (i == VBE_VIRT_HEIGHT)
            return s->vbe_regs[VBE_VIRT_HEIGHT];
          guint pixel = (guint)((guint64)(s->vbe_start % MAX (s->vbe_line, 1)) * 8 / b8);
          return (guint16)(i == VBE_X_OFFSET ? pixel : s->vbe_start / MAX (s->vbe_line, 1));
        }
      default:
        return s->vbe_regs[i];
    }
}

static void
vbe_enable (BwVga *s, guint16 v)
{
  guint16 old = s->vbe_regs[VBE_ENABLE];
  s->vbe_regs[VBE_ENABLE]
      = v & (VBE_ENABLED | VBE_GETCAPS | VBE_8BIT_DAC | VBE_LFB_ENABLED | VBE_NOCLEAR);
  if ((v & VBE_ENABLED) && !(old & VBE_ENABLED))
    {
      bw_vga_vbe_fixup (s, TRUE);
      if (!(v & VBE_NOCLEAR))
        {
          guint64 len = MIN ((guint64)s->vbe_line * s->vbe_regs[VBE_VIRT_HEIGHT], s->vram_size);
          memset (s->vram, 0, len);
          bw_vga_mark_dirty (s, 0, len);
        }
      /* The legacy window becomes the 64 KiB bank at A0000, as the Bochs
       * card sets it. */
      s->gr[6] = (s->gr[6] & ~0x0c) | 0x05;
      s->cr[0x17] |= 0x03;
      if (vbe_effective_bpp (s) > 4)
        s->sr[4] |= 0x08;
      else
        s->sr[4] = (s->sr[4] & ~0x08) | 0x04;
    }
  else if (!(v & VBE_ENABLED))
    s->vbe_regs[VBE_BANK] = 0;
  s->invalidate = TRUE;
}

static void
vbe_write (BwVga *s, guint16 v)
{
  guint i = s->vbe_index;
  switch (i)
    {
      case VBE_ID:
        if (v >= VBE_ID0 && v <= VBE_ID5)
          s->vbe_regs[VBE_ID] = v;
        else
          bw_device_guest_error (&s->parent, "VBE: unknown interface id %#x", v);
        break;
      case VBE_XRES:
      case VBE_YRES:
      case VBE_BPP:
      case VBE_VIRT_WIDTH:
      case VBE_X_OFFSET:
      case VBE_Y_OFFSET:
        s->vbe_regs[i] = v;
        if (bw_vga_vbe_enabled (s))
          {
            bw_vga_vbe_fixup (s, i != VBE_X_OFFSET && i != VBE_Y_OFFSET);
            s->invalidate = TRUE;
          }
        break;
      case VBE_BANK:
        {
          guint banks = MAX (s->vram_size >> 16, 1);
          if (v >= banks)
            bw_device_guest_error (&s->parent, "VBE: bank %u beyond the %u of VRAM", v, banks);
          s->vbe_regs[VBE_BANK] = (guint16)(v % banks);
          break;
        }
      case VBE_ENABLE:
        vbe_enable (s, v);
        break;
      default:
        break; /* VIRT_HEIGHT and VIDEO_MEMORY_64K are read-only */
    }
}

static void
vbe_port_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwVga *s = opaque;
  /* 0x1CE index, 0x1CF data, both 16 bits wide (a byte access reads or
   * writes the low byte). */
  if (offset == 0)
    {
      if (is_write)
        s->vbe_index = (guint16)*data;
      else
        *data = s->vbe_index;
    }
  else if (offset == 1)
    {
      if (is_write)
        vbe_write (s, (guint16)*data);
      else
        *data = vbe_read (s);
    }
}

static const BwIoOps vbe_port_ops = { .handler = vbe_port_io, .max_access = 2 };

/* BAR2, the MMIO mirror of the registers (as QEMU's stdvga has it, which
 * Linux's bochs driver prefers to the ports): 0x000-0x3FF EDID (none
 * here: reads zero), 0x400-0x41F ports 0x3C0-0x3DF, 0x500-0x515 the VBE
 * registers (16 bits each); no QEMU extension registers (0x600 reads 0). */
#define MMIO_BAR_SIZE 0x1000

static void
mmio_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwVga *s = opaque;
  if (offset >= 0x400 && offset < 0x420)
    {
      /* Wider accesses are bytes in address order (index then data). */
      for (guint i = 0; i < size && offset + i < 0x420; i++)
        {
          guint port = 0x3c0 + (guint)(offset - 0x400) + i;
          if (is_write)
            vga_port_write (s, port, (guint8)(*data >> (8 * i)));
          else
            *data |= (guint64)vga_port_read (s, port) << (8 * i);
        }
    }
  else if (offset >= 0x500 && offset < 0x500 + 2 * VBE_NUM_REGS && !(offset & 1) && size == 2)
    {
      guint16 saved = s->vbe_index;
      s->vbe_index = (guint16)((offset - 0x500) / 2);
      if (is_write)
        vbe_write (s, (guint16)*data);
      else
        *data = vbe_read (s);
      s->vbe_index = saved;
    }
}

static const BwIoOps mmio_ops = { .handler = mmio_io, .max_access = 4 };

/* Reset: the registers of mode 3 (80x25 colour text), as the BIOS leaves
 * them, so that a guest started without firmware has a text screen. */
static const guint8 mode3_sr[5] = { 0x03, 0x00, 0x03, 0x00, 0x02 };
static const guint8 mode3_cr[0x19]
    = { 0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00,
        0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96, 0xb9, 0xa3, 0xff };
static const guint8 mode3_gr[9] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff };
static const guint8 mode3_ar[0x15]
    = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a,
        0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08, 0x00 };

static void
update_lfb_mapped (BwVga *s)
{
  s->lfb_mapped
      = !s->pci.bus || bw_pci_function_get_bar_address (&s->pci, 0) != BW_PCI_BAR_UNMAPPED;
}

static void
vga_reset (BwDevice *dev)
{
  BwVga *s = (BwVga *)dev;
  if (s->pci.bus)
    bw_pci_function_reset (&s->pci);
  update_lfb_mapped (s);
  s->misc = 0x67;
  s->feature = 0;
  memset (s->sr, 0, sizeof s->sr);
  memset (s->gr, 0, sizeof s->gr);
  memset (s->cr, 0, sizeof s->cr);
  memset (s->ar, 0, sizeof s->ar);
  memcpy (s->sr, mode3_sr, sizeof mode3_sr);
  memcpy (s->cr, mode3_cr, sizeof mode3_cr);
  memcpy (s->gr, mode3_gr, sizeof mode3_gr);
  memcpy (s->ar, mode3_ar, sizeof mode3_ar);
  s->sr_index = s->gr_index = s->cr_index = 0;
  s->ar_index = 0x20;
  s->ar_flip = FALSE;
  /* The 64 EGA colours (rgbRGB) in the first DAC entries. */
  memset (s->dac, 0, sizeof s->dac);
  for (guint i = 0; i < 64; i++)
    {
      s->dac[i * 3 + 0] = ((i >> 2) & 1) * 0x2a + ((i >> 5) & 1) * 0x15;
      s->dac[i * 3 + 1] = ((i >> 1) & 1) * 0x2a + ((i >> 4) & 1) * 0x15;
      s->dac[i * 3 + 2] = (i & 1) * 0x2a + ((i >> 3) & 1) * 0x15;
    }
  s->dac_read_index = s->dac_write_index = s->dac_sub = s->dac_state = 0;
  s->pel_mask = 0xff;
  memset (s->latch, 0, sizeof s->latch);
  s->vbe_index = 0;
  memset (s->vbe_regs, 0, sizeof s->vbe_regs);
  s->vbe_regs[VBE_ID] = VBE_ID0;
  s->status_reads = 0;
  bw_vga_vbe_fixup (s, FALSE);
  s->invalidate = TRUE;
}

/* Configuration and realize. */

static void
lfb_mapped (BwPciFunction *fn, guint bar, guint64 addr, void *opaque)
{
  BwVga *s = opaque;
  s->lfb_mapped = addr != BW_PCI_BAR_UNMAPPED;
  s->invalidate = TRUE;
}

static void
lfb_dma_written (void *user_data, guint64 gpa, guint64 len)
{
  BwVga *s = user_data;
  if (!s->lfb_mapped)
    return;
  guint64 base = s->pci.bus ? bw_pci_function_get_bar_address (&s->pci, 0) : VBE_ISA_LFB;
  if (base == BW_PCI_BAR_UNMAPPED || gpa + len <= base || gpa >= base + s->vram_size)
    return;
  guint64 from = MAX (gpa, base) - base, to = MIN (gpa + len, base + s->vram_size) - base;
  bw_vga_mark_dirty (s, from, to - from);
}

static guint64
pow2_at_least (guint64 v)
{
  guint64 p = 1;
  while (p < v)
    p <<= 1;
  return p;
}

static gboolean
load_rom (BwVga *s, BwPciBus *bus, GError **error)
{
  BwConfig *root = bw_platform_get_config (s->parent.platform);
  const char *path = bw_config_get_string_default (s->parent.config, "rom", NULL);
  g_autofree char *default_path = NULL;
  if (!path)
    path = bw_config_get_string_default (root, "firmware/vgabios", NULL);
  if (!path)
    path = default_path = bw_firmware_seabios_path ("vgabios-stdvga.bin");
  if (!*path)
    return TRUE;
  if (!bus)
    {
      bw_device_log (&s->parent, "No PCI bus: the VGA BIOS %s is not mapped", path);
      return TRUE;
    }

  g_autoptr (GError) local = NULL;
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &data, &len, &local))
    {
      if (default_path && g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, BW_VGA_ERROR, BW_VGA_ERROR_ROM,
                     "The VGA BIOS %s is missing: install the Debian package “seabios”", path);
      else
        g_set_error (error, BW_VGA_ERROR, BW_VGA_ERROR_ROM, "Cannot read the VGA BIOS: %s",
                     local->message);
      return FALSE;
    }
  g_autofree guint8 *rom = (guint8 *)data;
  if (len < 512 || len > 0x40000 || rom[0] != 0x55 || rom[1] != 0xaa)
    {
      g_set_error (error, BW_VGA_ERROR, BW_VGA_ERROR_ROM,
                   "%s is not a VGA BIOS (it must start with 55 AA and hold 512 bytes to 256 KiB)",
                   path);
      return FALSE;
    }
  s->rom = bw_memory_add_rom (bw_device_get_memory (&s->parent), "vga-rom",
                              BW_MEMORY_PCI_HOLE_START, rom, len, error);
  if (!s->rom)
    return FALSE;
  bw_pci_function_add_bar_region (&s->pci, BW_PCI_ROM_SLOT, BW_PCI_BAR_ROM, pow2_at_least (len),
                                  FALSE, s->rom);
  bw_device_log (&s->parent, "VGA BIOS %s (%" G_GSIZE_FORMAT " bytes) in the ROM BAR", path, len);
  return TRUE;
}

/* The saved state keeps all of VRAM, which lives in its own page-aligned
 * allocation (it is guest memory behind the LFB). The vmstate tables only
 * know offsets from the device struct, so the VRAM field's offset and
 * length are filled in when the device is realized; hence one realized
 * VGA per process. A pointer-and-length buffer type in bw-vmstate.h
 * would remove this. */
static BwVmStateField vga_vram_fields[] = {
  { .name = "vram", .type = BW_VMSTATE_TYPE_BUFFER, .offset = 0, .count = 0 },
  BW_VMSTATE_END_OF_FIELDS,
};
static BwVga *vram_owner;

static gboolean
vga_realize (BwDevice *dev, GError **error)
{
  BwVga *s = (BwVga *)dev;
  gint64 mb = 16;
  if (bw_config_has (dev->config, "vram-mb")
      && !bw_config_get_int_range (dev->config, "vram-mb", 1, VGA_MAX_VRAM_MB, &mb, error))
    return FALSE;
  if (vram_owner)
    {
      g_set_error (error, BW_VGA_ERROR, BW_VGA_ERROR_CONFIG,
                   "Only one VGA can be realized at a time (“%s” is)", vram_owner->parent.id);
      return FALSE;
    }
  s->vram_size = (guint32)mb << 20;
  s->vram = g_aligned_alloc0 (s->vram_size, 1, BW_MEMORY_PAGE_SIZE);

  BwMemory *mem = bw_device_get_memory (dev);
  BwPciBus *bus = bw_pci_bus_find (dev->platform);
  s->lfb = bw_memory_add_device_ram (mem, "vga-lfb", bus ? BW_MEMORY_PCI_HOLE_START : VBE_ISA_LFB,
                                     s->vram, s->vram_size, error);
  if (!s->lfb)
    return FALSE;
  if (bus)
    {
      if (!bw_pci_function_init (&s->pci, dev, bus, -1, 0x1234, 0x1111, 0x02, 0x030000, error))
        return FALSE;
      bw_pci_function_add_bar_region (&s->pci, 0, BW_PCI_BAR_MEM32, pow2_at_least (s->vram_size),
                                      TRUE, s->lfb);
      bw_pci_function_set_bar_map_func (&s->pci, 0, lfb_mapped, s);
      bw_pci_function_add_bar (&s->pci, 2, BW_PCI_BAR_MEM32, MMIO_BAR_SIZE, FALSE, &mmio_ops, s);
    }
  else
    s->lfb_mapped = TRUE;
  if (!load_rom (s, bus, error))
    return FALSE;

  if (!bw_device_register_pio (dev, VGA_PORT_BASE, 0x30, &vga_port_ops, s, error)
      || !bw_device_register_pio (dev, VBE_PORT_BASE, 3, &vbe_port_ops, s, error)
      || !bw_device_register_mmio (dev, VGA_WINDOW_BASE, VGA_WINDOW_SIZE, &bw_vga_window_ops, s,
                                   error))
    return FALSE;
  bw_memory_add_write_listener (mem, lfb_dma_written, s);
  bw_vga_render_init (s);

  vram_owner = s;
  vga_vram_fields[0].offset = (size_t)((guintptr)s->vram - (guintptr)s);
  vga_vram_fields[0].count = s->vram_size;
  bw_device_log (dev, "Standard VGA with Bochs VBE, %u MiB VRAM", s->vram_size >> 20);
  return TRUE;
}

static void
vga_unrealize (BwDevice *dev)
{
  BwVga *s = (BwVga *)dev;
  BwMemory *mem = bw_device_get_memory (dev);
  bw_memory_remove_write_listener (mem, lfb_dma_written, s);
  if (s->pci.bus)
    bw_pci_function_exit (&s->pci);
  if (s->lfb)
    bw_memory_remove_region (mem, s->lfb);
  if (s->rom)
    bw_memory_remove_region (mem, s->rom);
  bw_vga_render_free (s);
  if (vram_owner == s)
    vram_owner = NULL;
  g_aligned_free (s->vram);
  s->vram = NULL;
}

/* Saved state. */

static void
vga_pre_save (void *opaque)
{
  BwVga *s = opaque;
  s->saved_vram_mb = s->vram_size >> 20;
}

static gboolean
vga_post_load (void *opaque, int version, GError **error)
{
  BwVga *s = opaque;
  if (s->saved_vram_mb != s->vram_size >> 20)
    {
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                   "Saved state of the VGA has %u MiB of VRAM, this one %u MiB", s->saved_vram_mb,
                   s->vram_size >> 20);
      return FALSE;
    }
  s->dac_sub %= 3;
  if (s->pci.bus)
    bw_pci_function_post_load (&s->pci);
  update_lfb_mapped (s);
  bw_vga_vbe_fixup (s, FALSE);
  bw_vga_mark_dirty (s, 0, s->vram_size);
  s->invalidate = TRUE;
  return TRUE;
}

static const BwVmStateDesc vga_vram_vmstate = {
  .name = "vga-vram",
  .version = 1,
  .minimum_version = 1,
  .fields = vga_vram_fields,
};

static const BwVmStateDesc *const vga_subsections[] = { &vga_vram_vmstate, NULL };

static const BwVmStateField vga_fields[] = {
  BW_VMSTATE_U32 (BwVga, saved_vram_mb),
  BW_VMSTATE_STRUCT (BwVga, pci, BwPciFunction, bw_pci_function_vmstate),
  BW_VMSTATE_U8 (BwVga, misc),
  BW_VMSTATE_U8 (BwVga, feature),
  BW_VMSTATE_U8 (BwVga, sr_index),
  BW_VMSTATE_U8_ARRAY (BwVga, sr, 8),
  BW_VMSTATE_U8 (BwVga, gr_index),
  BW_VMSTATE_U8_ARRAY (BwVga, gr, 16),
  BW_VMSTATE_U8 (BwVga, cr_index),
  BW_VMSTATE_U8_ARRAY (BwVga, cr, 32),
  BW_VMSTATE_U8 (BwVga, ar_index),
  BW_VMSTATE_U8_ARRAY (BwVga, ar, 32),
  BW_VMSTATE_BOOL (BwVga, ar_flip),
  BW_VMSTATE_U8 (BwVga, dac_read_index),
  BW_VMSTATE_U8 (BwVga, dac_write_index),
  BW_VMSTATE_U8 (BwVga, dac_sub),
  BW_VMSTATE_U8 (BwVga, dac_state),
  BW_VMSTATE_U8 (BwVga, pel_mask),
  BW_VMSTATE_BUFFER (BwVga, dac, 768),
  BW_VMSTATE_U8_ARRAY (BwVga, dac_cache, 3),
  BW_VMSTATE_U8_ARRAY (BwVga, latch, 4),
  BW_VMSTATE_U16 (BwVga, vbe_index),
  BW_VMSTATE_U16_ARRAY (BwVga, vbe_regs, VBE_NUM_REGS),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc vga_vmstate = {
  .name = "vga",
  .version = 1,
  .minimum_version = 1,
  .fields = vga_fields,
  .subsections = vga_subsections,
  .pre_save = vga_pre_save,
  .post_load = vga_post_load,
};

static const BwDeviceClass vga_class = {
  .name = BW_VGA_CLASS,
  .description = "Standard VGA with Bochs VBE extensions (PCI 1234:1111)",
  .instance_size = sizeof (BwVga),
  .priority = BW_DEVICE_PRIORITY_DEVICE,
  .realize = vga_realize,
  .reset = vga_reset,
  .unrealize = vga_unrealize,
  .vmstate = &vga_vmstate,
};

BW_DEVICE_REGISTER (vga_class)
