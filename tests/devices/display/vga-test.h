/* vga-test.h: a test board for the VGA tests: the chipset (PCI bus) and
 * the VGA on a manual clock; ports, the legacy window, PCI config, the
 * LFB, and mode set-ups written through the registers as a BIOS would. */
#pragma once

#include <string.h>
#include "bw-test.h"
#include "vmm/bw-platform.h"
#include "devices/chipset/bw-chipset.h"
#include "devices/display/bw-vga.h"

typedef struct
{
  BwConfig *config;
  BwPlatform *platform;
  BwDevice *vga;
  guint devfn;
} VgaBoard;

/* rom: NULL for none. */
static inline VgaBoard *
vga_board_new (guint vram_mb, const char *rom)
{
  VgaBoard *b = g_new0 (VgaBoard, 1);
  b->config = bw_config_new ();
  bw_config_set_int (b->config, "devices/vga/vram-mb", vram_mb);
  bw_config_set_string (b->config, "devices/vga/rom", rom ? rom : "");
  BwPlatformOptions options
      = { .ram_size = 32u << 20, .clock_mode = BW_CLOCK_MANUAL, .config = b->config };
  g_autoptr (GError) error = NULL;
  b->platform = bw_platform_new (&options, &error);
  ck_assert_msg (b->platform != NULL, "platform: %s", error ? error->message : "");
  ck_assert_msg (bw_chipset_add (b->platform, &error), "chipset: %s", error ? error->message : "");
  b->vga = bw_platform_add_device (b->platform, BW_VGA_CLASS, "vga", NULL, &error);
  ck_assert_msg (b->vga != NULL, "vga: %s", error ? error->message : "");
  ck_assert_msg (bw_platform_realize (b->platform, &error), "realize: %s",
                 error ? error->message : "");
  b->devfn = 0xff;
  return b;
}

static inline void
vga_board_free (VgaBoard *b)
{
  bw_platform_free (b->platform);
  bw_config_free (b->config);
  g_free (b);
}

static inline guint32
vb_in (VgaBoard *b, guint16 port, guint size)
{
  guint64 v = 0;
  bw_platform_pio (b->platform, port, &v, size, FALSE);
  return (guint32)v;
}

static inline void
vb_out (VgaBoard *b, guint16 port, guint32 value, guint size)
{
  guint64 v = value;
  bw_platform_pio (b->platform, port, &v, size, TRUE);
}

static inline guint8
vb_inb (VgaBoard *b, guint16 port)
{
  return (guint8)vb_in (b, port, 1);
}

#define vb_outb(b, p, v) vb_out ((b), (p), (v), 1)

static inline guint8
vb_readb (VgaBoard *b, guint32 gpa)
{
  guint64 v = 0;
  bw_platform_mmio (b->platform, gpa, &v, 1, FALSE);
  return (guint8)v;
}

static inline void
vb_writeb (VgaBoard *b, guint32 gpa, guint8 value)
{
  guint64 v = value;
  bw_platform_mmio (b->platform, gpa, &v, 1, TRUE);
}

static inline void
vb_seq (VgaBoard *b, guint8 index, guint8 value)
{
  vb_outb (b, 0x3c4, index);
  vb_outb (b, 0x3c5, value);
}

static inline void
vb_gc (VgaBoard *b, guint8 index, guint8 value)
{
  vb_outb (b, 0x3ce, index);
  vb_outb (b, 0x3cf, value);
}

static inline void
vb_crtc (VgaBoard *b, guint8 index, guint8 value)
{
  vb_outb (b, 0x3d4, index);
  vb_outb (b, 0x3d5, value);
}

static inline void
vb_attr (VgaBoard *b, guint8 index, guint8 value)
{
  vb_inb (b, 0x3da);
  vb_outb (b, 0x3c0, index);
  vb_outb (b, 0x3c0, value);
  vb_outb (b, 0x3c0, 0x20);
}

static inline void
vb_dac (VgaBoard *b, guint8 index, guint8 r, guint8 g, guint8 bl)
{
  vb_outb (b, 0x3c8, index);
  vb_outb (b, 0x3c9, r);
  vb_outb (b, 0x3c9, g);
  vb_outb (b, 0x3c9, bl);
}

static inline void
vb_vbe (VgaBoard *b, guint16 index, guint16 value)
{
  vb_out (b, 0x1ce, index, 2);
  vb_out (b, 0x1cf, value, 2);
}

static inline guint16
vb_vbe_read (VgaBoard *b, guint16 index)
{
  vb_out (b, 0x1ce, index, 2);
  return (guint16)vb_in (b, 0x1cf, 2);
}

/* PCI configuration through mechanism #1. */
static inline guint32
vb_pci_read (VgaBoard *b, guint devfn, guint reg)
{
  vb_out (b, 0xcf8, 0x80000000u | (devfn << 8) | (reg & 0xfc), 4);
  return vb_in (b, 0xcfc, 4);
}

static inline void
vb_pci_write (VgaBoard *b, guint devfn, guint reg, guint32 value)
{
  vb_out (b, 0xcf8, 0x80000000u | (devfn << 8) | (reg & 0xfc), 4);
  vb_out (b, 0xcfc, value, 4);
}

static inline guint
vb_vga_devfn (VgaBoard *b)
{
  if (b->devfn == 0xff)
    for (guint devfn = 0; devfn < 256; devfn += 8)
      if (vb_pci_read (b, devfn, 0) == 0x11111234u)
        b->devfn = devfn;
  ck_assert_uint_ne (b->devfn, 0xff);
  return b->devfn;
}

#define VB_LFB 0xE0000000u

/* Puts the LFB at VB_LFB and turns on memory decoding; returns the host
 * pointer a CPU would write through (no trap). */
static inline guint8 *
vb_map_lfb (VgaBoard *b)
{
  guint devfn = vb_vga_devfn (b);
  vb_pci_write (b, devfn, 0x10, VB_LFB);
  vb_pci_write (b, devfn, 0x04, 0x0003);
  guint8 *host
      = bw_memory_get_host_range (bw_platform_get_memory (b->platform), VB_LFB, 4096, TRUE);
  ck_assert_ptr_nonnull (host);
  return host;
}

/* Mode set-ups by the registers (the standard BIOS tables). */
static inline void
vb_load_regs (VgaBoard *b, guint8 misc, const guint8 *sr, const guint8 *cr, const guint8 *gr,
              const guint8 *ar)
{
  vb_outb (b, 0x3c2, misc);
  for (guint i = 0; i < 5; i++)
    vb_seq (b, (guint8)i, sr[i]);
  vb_crtc (b, 0x11, 0x00); /* unprotect */
  for (guint i = 0; i < 0x19; i++)
    vb_crtc (b, (guint8)i, cr[i]);
  for (guint i = 0; i < 9; i++)
    vb_gc (b, (guint8)i, gr[i]);
  vb_inb (b, 0x3da);
  for (guint i = 0; i < 0x15; i++)
    {
      vb_outb (b, 0x3c0, (guint8)i);
      vb_outb (b, 0x3c0, ar[i]);
    }
  vb_outb (b, 0x3c0, 0x20);
}

static inline void
vb_mode_13h (VgaBoard *b)
{
  static const guint8 sr[5] = { 0x03, 0x01, 0x0f, 0x00, 0x0e };
  static const guint8 cr[0x19]
      = { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00, 0x00, 0x00,
          0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x40, 0x96, 0xb9, 0xa3, 0xff };
  static const guint8 gr[9] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x0f, 0xff };
  static const guint8 ar[0x15] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                                   0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x41, 0x00, 0x0f, 0x00, 0x00 };
  vb_load_regs (b, 0x63, sr, cr, gr, ar);
}

static inline void
vb_mode_12h (VgaBoard *b)
{
  static const guint8 sr[5] = { 0x03, 0x01, 0x0f, 0x00, 0x06 };
  static const guint8 cr[0x19]
      = { 0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0x0b, 0x3e, 0x00, 0x40, 0x00, 0x00, 0x00,
          0x00, 0x00, 0x00, 0xea, 0x8c, 0xdf, 0x28, 0x00, 0xe7, 0x04, 0xe3, 0xff };
  static const guint8 gr[9] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x0f, 0xff };
  static const guint8 ar[0x15] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a,
                                   0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x01, 0x00, 0x0f, 0x00, 0x00 };
  vb_load_regs (b, 0xe3, sr, cr, gr, ar);
}

/* Font access: plane 2 at A0000, as a BIOS loads a font. */
static inline void
vb_font_access (VgaBoard *b, gboolean on)
{
  vb_seq (b, 2, on ? 0x04 : 0x03);
  vb_seq (b, 4, on ? 0x06 : 0x02);
  vb_gc (b, 4, on ? 0x02 : 0x00);
  vb_gc (b, 5, on ? 0x00 : 0x10);
  vb_gc (b, 6, on ? 0x04 : 0x0e);
}

/* The 6-bit DAC value v as the renderer shows it in 8 bits. */
static inline guint32
vb_c6 (guint v)
{
  return (v << 2) | (v >> 4);
}

static inline guint32
vb_rgb6 (guint r, guint g, guint bl)
{
  return (vb_c6 (r) << 16) | (vb_c6 (g) << 8) | vb_c6 (bl);
}

/* One update of client c; returns the number of rectangles. */
static inline guint
vb_update (BwVgaClient *c, GArray **rects_out)
{
  GArray *rects = g_array_new (FALSE, FALSE, sizeof (BwVgaRect));
  bw_vga_client_update (c, rects);
  guint n = rects->len;
  if (rects_out)
    *rects_out = rects;
  else
    g_array_unref (rects);
  return n;
}

static inline guint32
vb_pixel (VgaBoard *b, guint x, guint y)
{
  guint w, h, stride;
  const guint32 *fb = bw_vga_get_framebuffer (b->vga, &w, &h, &stride);
  ck_assert_msg (x < w && y < h, "pixel %u,%u outside %ux%u", x, y, w, h);
  return fb[(gsize)y * stride + x];
}
