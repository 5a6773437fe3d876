/* bw-vga-private.h: the VGA device's state, shared by its files:
 * bw-vga.c (device, ports, VBE, PCI), bw-vga-mem.c (the legacy window),
 * bw-vga-render.c (framebuffer and dirty tracking), bw-vga-screen.c (text
 * read-out, PNG).
 *
 * VRAM layout: plane p of byte offset o lives at vram[o * 4 + p], so the
 * four planes of one address are one 32-bit word (what the renderer and
 * the latches want) and VBE modes see VRAM as one linear buffer. */
#pragma once

#include <glib.h>
#include "devices/display/bw-vga.h"
#include "devices/chipset/bw-pci.h"

G_BEGIN_DECLS

#define VGA_MAX_VRAM_MB 256
#define VGA_PAGE_SHIFT 12
#define VBE_MAX_XRES 2560
#define VBE_MAX_YRES 1600

/* Bochs VBE register indices and ENABLE bits. */
enum
{
  VBE_ID,
  VBE_XRES,
  VBE_YRES,
  VBE_BPP,
  VBE_ENABLE,
  VBE_BANK,
  VBE_VIRT_WIDTH,
  VBE_VIRT_HEIGHT,
  VBE_X_OFFSET,
  VBE_Y_OFFSET,
  VBE_VIDEO_MEMORY_64K,
  VBE_NUM_REGS = 16,
};
#define VBE_ID0 0xB0C0
#define VBE_ID5 0xB0C5
#define VBE_ENABLED 0x01
#define VBE_GETCAPS 0x02
#define VBE_8BIT_DAC 0x20
#define VBE_LFB_ENABLED 0x40
#define VBE_NOCLEAR 0x80

typedef struct _BwVga BwVga;

struct _BwVga
{
  BwDevice parent;
  BwPciFunction pci;

  /* Saved registers. */
  guint8 misc, feature;
  guint8 sr_index, sr[8];
  guint8 gr_index, gr[16];
  guint8 cr_index, cr[32];
  guint8 ar_index, ar[32];
  bool ar_flip; /* next 0x3C0 write is data */
  guint8 dac_read_index, dac_write_index, dac_sub, dac_state, pel_mask;
  guint8 dac[768];
  guint8 dac_cache[3];
  guint8 latch[4];
  guint16 vbe_index;
  guint16 vbe_regs[VBE_NUM_REGS];
  guint32 status_reads; /* moves the retrace bits on a clock that stands */
  guint32 saved_vram_mb;

  /* From the configuration. */
  guint32 vram_size;
  guint8 *vram;
  BwMemoryRegion *lfb;
  BwMemoryRegion *rom;
  gboolean lfb_mapped;

  /* Derived VBE geometry (vbe_fixup()). */
  guint32 vbe_line, vbe_start;
  guint vbe_width, vbe_height;

  /* Rendering (bw-vga-render.c). */
  guint8 *shadow;      /* VRAM as last rendered, for pages written behind our back */
  guint8 *pending;     /* per VRAM page: written through the window or DMA */
  guint8 *changed;     /* per VRAM page: changed since the last render */
  gboolean invalidate; /* palette or mode changed: render everything */
  guint32 *fb;
  guint fb_width, fb_height;
  BwVgaModeKind fb_kind;
  guint32 mode_serial; /* increments on every size change */
  guint32 *cells;      /* text: what each cell shows (char, attr, flags) */
  guint cells_len;
  guint32 text_key;
  gint16 *line_x0, *line_x1; /* per framebuffer line: columns rendered */
  GPtrArray *clients;
};

BwVga *bw_vga_from_device (BwDevice *dev);

/* bw-vga-mem.c */
extern const BwIoOps bw_vga_window_ops;
void bw_vga_mark_dirty (BwVga *s, guint64 vram_offset, guint64 len);

/* bw-vga.c */
void bw_vga_vbe_fixup (BwVga *s, gboolean log);
gboolean bw_vga_vbe_enabled (BwVga *s);

/* bw-vga-render.c */
void bw_vga_render_init (BwVga *s);
void bw_vga_render_free (BwVga *s);
void bw_vga_render (BwVga *s);
void bw_vga_get_mode_locked (BwVga *s, BwVgaModeInfo *info);
guint bw_vga_text_cell_address (BwVga *s, guint counter);

/* bw-vga-screen.c */
void bw_vga_cp437_append (GString *out, guint8 ch);

G_END_DECLS
