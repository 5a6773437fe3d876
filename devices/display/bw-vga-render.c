/* bw-vga-render.c: VRAM to the 32-bit framebuffer, with dirty tracking.
 *
 * Each render first finds the VRAM pages that changed: pages written
 * through the window or by DMA are marked pending; while the LFB is
 * mapped the CPU may write VRAM without a trap, so the pages the mode
 * shows are also compared with a shadow copy. Then only what reads a
 * changed page is drawn again: framebuffer lines in graphics and VBE
 * modes, character cells in text modes (which also notice cursor and
 * blink changes, and a font change through its plane-2 pages). Palette
 * and mode changes (s->invalidate) draw everything. What was drawn is
 * recorded per framebuffer line and handed to every client. */
#include "config.h"

#include <string.h>
#include "vmm/bw-platform.h"
#include "devices/display/bw-vga-private.h"

#define PAGE_SIZE (1u << VGA_PAGE_SHIFT)
#define CHANGED_ANY 1
#define CHANGED_PLANE2 2
#define PLANES_SIZE 0x40000u /* four 64 KiB planes, the VGA's own memory */
#define MAX_FB_PIXELS (4096u * 2048u)
/* Cursor blinks every 16 frames, blinking characters every 32 (70 Hz). */
#define CURSOR_BLINK_NS 228571428
#define CHAR_BLINK_NS 457142857

struct _BwVgaClient
{
  BwVga *vga;
  guint32 mode_serial;
  gboolean full;
  guint height;
  gint16 *x0, *x1; /* per line: dirty columns [x0, x1), x0 < 0 when clean */
};

/* Geometry of the VGA modes. */
typedef struct
{
  BwVgaModeKind kind;
  guint width, height;
  guint cols, rows, cw, ch; /* text */
  guint ppc;                /* graphics: pixels per character clock */
  guint rowlines, dscan;
  gboolean dedup; /* graphics: the rows of a character row repeat */
} Geometry;

static guint
vdisp (BwVga *s)
{
  return (s->cr[0x12] | ((s->cr[7] & 0x02) << 7) | ((s->cr[7] & 0x40) << 3)) + 1;
}

static void
geometry (BwVga *s, Geometry *g)
{
  memset (g, 0, sizeof *g);
  if (bw_vga_vbe_enabled (s))
    {
      bw_vga_vbe_fixup (s, FALSE);
      g->kind = s->vbe_height ? BW_VGA_MODE_VBE : BW_VGA_MODE_BLANK;
      g->width = s->vbe_width;
      g->height = MAX (s->vbe_height, 1);
      return;
    }
  guint hchars = s->cr[1] + 1u;
  guint lines = vdisp (s);
  g->rowlines = (s->cr[9] & 0x1f) + 1u;
  g->dscan = s->cr[9] >> 7;
  if (s->gr[6] & 1)
    {
      g->kind = BW_VGA_MODE_GRAPHICS;
      g->ppc = (s->gr[5] & 0x40) ? 4 : 8;
      g->width = hchars * g->ppc;
      guint eff = MAX (lines >> g->dscan, 1u);
      g->dedup = (s->cr[0x17] & 3) == 3;
      g->height = g->dedup ? MAX (eff / g->rowlines, 1u) : eff;
    }
  else
    {
      g->kind = BW_VGA_MODE_TEXT;
      g->cw = (s->sr[1] & 1) ? 8 : 9;
      g->ch = g->rowlines;
      g->cols = hchars;
      g->rows = MAX (lines / g->ch, 1u);
      g->width = g->cols * g->cw;
      g->height = g->rows * g->ch;
    }
  if ((s->sr[1] & 0x20) || !(s->ar_index & 0x20))
    g->kind = BW_VGA_MODE_BLANK;
}

void
bw_vga_get_mode_locked (BwVga *s, BwVgaModeInfo *info)
{
  Geometry g;
  geometry (s, &g);
  memset (info, 0, sizeof *info);
  info->kind = g.kind;
  info->width = g.width;
  info->height = g.height;
  if (g.kind == BW_VGA_MODE_VBE)
    info->bpp = s->vbe_regs[VBE_BPP] ? s->vbe_regs[VBE_BPP] : 8;
  else if (g.kind == BW_VGA_MODE_GRAPHICS)
    info->bpp = g.ppc == 4 ? 8 : 4;
  if (g.kind == BW_VGA_MODE_TEXT)
    {
      info->cols = g.cols;
      info->rows = g.rows;
    }
}

/* CRTC memory address of character clock `counter` on row scan line
 * rscan: byte, word or doubleword addressing and the CGA/Hercules
 * substitution of address bits 13 and 14. */
static guint
crtc_address (BwVga *s, guint counter, guint rscan)
{
  guint a;
  if (s->cr[0x14] & 0x40)
    a = (counter << 2) | ((counter >> 14) & 3);
  else if (!(s->cr[0x17] & 0x40))
    a = (counter << 1) | (((s->cr[0x17] & 0x20) ? (counter >> 15) : (counter >> 13)) & 1);
  else
    a = counter;
  if (!(s->cr[0x17] & 1))
    a = (a & ~0x2000u) | ((rscan & 1) << 13);
  if (!(s->cr[0x17] & 2))
    a = (a & ~0x4000u) | ((rscan & 2) << 13);
  return a & 0xffff;
}

guint
bw_vga_text_cell_address (BwVga *s, guint counter)
{
  return crtc_address (s, counter, 0);
}

static guint
start_address (BwVga *s)
{
  return ((guint)s->cr[0x0c] << 8) | s->cr[0x0d];
}

static void
palette (BwVga *s, guint32 pal[256])
{
  gboolean dac8 = (s->vbe_regs[VBE_ENABLE] & VBE_8BIT_DAC) != 0;
  for (guint i = 0; i < 256; i++)
    {
      guint32 c = 0;
      for (guint k = 0; k < 3; k++)
        {
          guint v = s->dac[i * 3 + k];
          if (!dac8)
            v = ((v & 0x3f) << 2) | ((v & 0x3f) >> 4);
          c = (c << 8) | (v & 0xff);
        }
      pal[i] = c;
    }
}

/* A 4-bit attribute colour through the palette registers to a DAC index. */
static guint8
ac_color (BwVga *s, guint v)
{
  guint8 p = s->ar[v & 0x0f];
  guint8 i;
  if (s->ar[0x10] & 0x80)
    i = (guint8)(((s->ar[0x14] & 0x0f) << 4) | (p & 0x0f));
  else
    i = (guint8)(((s->ar[0x14] & 0x0c) << 4) | (p & 0x3f));
  return i & s->pel_mask;
}

static void
mark_line (BwVga *s, guint y, guint x0, guint x1)
{
  if (y >= s->fb_height || x0 >= x1)
    return;
  if (s->line_x0[y] < 0 || (gint)x0 < s->line_x0[y])
    s->line_x0[y] = (gint16)x0;
  if ((gint)x1 > s->line_x1[y])
    s->line_x1[y] = (gint16)x1;
}

static gboolean
page_changed (BwVga *s, guint64 offset)
{
  guint64 p = offset >> VGA_PAGE_SHIFT;
  return p < (s->vram_size >> VGA_PAGE_SHIFT) && s->changed[p];
}

/* Text modes. */

static guint
font_offset (guint map)
{
  return (map & 3) * 0x4000 + (map >> 2) * 0x2000;
}

static void
render_text (BwVga *s, const Geometry *g, const guint32 *pal, gboolean redraw)
{
  guint map_a = ((s->sr[3] >> 3) & 4) | ((s->sr[3] >> 2) & 3);
  guint map_b = ((s->sr[3] >> 2) & 4) | (s->sr[3] & 3);
  /* A change in plane 2 within the fonts redraws every cell (the pages
   * also hold the characters of planes 0 and 1, which the cells check). */
  for (guint m = 0; m < 2 && !redraw; m++)
    {
      guint f = font_offset (m ? map_b : map_a) * 4;
      for (guint off = f; off < f + 0x2000 * 4; off += PAGE_SIZE)
        if (s->changed[off >> VGA_PAGE_SHIFT] & CHANGED_PLANE2)
          redraw = TRUE;
    }
  guint ncells = g->cols * g->rows;
  if (s->cells_len != ncells)
    {
      g_free (s->cells);
      s->cells = g_new (guint32, ncells);
      s->cells_len = ncells;
      redraw = TRUE;
    }

  gint64 now = bw_device_now (&s->parent);
  gboolean cursor_on = ((now / CURSOR_BLINK_NS) & 1) == 0 && !(s->cr[0x0a] & 0x20);
  gboolean blink_on = ((now / CHAR_BLINK_NS) & 1) == 0;
  guint cursor = ((guint)s->cr[0x0e] << 8) | s->cr[0x0f];
  guint cstart = s->cr[0x0a] & 0x1f, cend = s->cr[0x0b] & 0x1f;
  gboolean blink_enabled = (s->ar[0x10] & 0x08) != 0;
  gboolean line_graphics = (s->ar[0x10] & 0x04) != 0;
  gboolean mono = (s->ar[0x10] & 0x02) != 0;
  guint underline = s->cr[0x14] & 0x1f;
  guint start = start_address (s);
  guint stride = s->cr[0x13] * 2u;

  for (guint r = 0; r < g->rows; r++)
    for (guint c = 0; c < g->cols; c++)
      {
        guint counter = (start + r * stride + c) & 0xffff;
        guint ma = crtc_address (s, counter, 0);
        guint8 ch = s->vram[ma * 4];
        guint8 attr = s->vram[ma * 4 + 1];
        guint flags = 0;
        if (cursor_on && counter == cursor && cstart <= cend && cstart < g->ch)
          flags |= 1;
        if (blink_enabled && (attr & 0x80) && blink_on)
          flags |= 2;
        guint32 key = ch | ((guint32)attr << 8) | (flags << 16) | 0x80000000u;
        guint idx = r * g->cols + c;
        if (!redraw && s->cells[idx] == key)
          continue;
        s->cells[idx] = key;

        guint fg = attr & 0x0f, bg = attr >> 4;
        if (blink_enabled)
          {
            bg &= 7;
            if ((attr & 0x80) && !blink_on)
              fg = bg;
          }
        guint32 fgc = pal[ac_color (s, fg)], bgc = pal[ac_color (s, bg)];
        guint font = font_offset ((attr & 0x08) ? map_a : map_b);
        const guint8 *glyph = &s->vram[(font + ch * 32u) * 4 + 2];
        guint x0 = c * g->cw, y0 = r * g->ch;
        for (guint y = 0; y < g->ch; y++)
          {
            guint bits = y < 32 ? glyph[y * 4] : 0;
            bits <<= 1;
            if (g->cw == 9 && line_graphics && ch >= 0xc0 && ch <= 0xdf)
              bits |= (bits >> 1) & 1;
            if (mono && (attr & 0x77) == 0x01 && y == underline)
              bits = 0x1ff;
            if ((flags & 1) && y >= cstart && y <= cend)
              bits = 0x1ff;
            guint32 *dst = s->fb + (gsize)(y0 + y) * s->fb_width + x0;
            for (guint x = 0; x < g->cw; x++)
              dst[x] = (bits & (0x100u >> x)) ? fgc : bgc;
            mark_line (s, y0 + y, x0, x0 + g->cw);
          }
      }
}

/* VGA graphics modes. */

static void
render_graphics (BwVga *s, const Geometry *g, const guint32 *pal, gboolean redraw)
{
  guint hchars = g->width / g->ppc;
  guint stride = s->cr[0x13] * 2u;
  guint lc = s->cr[0x18] | ((s->cr[7] & 0x10) << 4) | ((s->cr[9] & 0x40) << 3);
  guint lc_eff = lc >> g->dscan;
  guint pan = s->ar[0x13] & 0x0f;
  pan = g->ppc == 4 ? (pan >> 1) & 3 : (pan > 7 ? 0 : pan);
  guint8 line[(256 + 1) * 8];

  for (guint y = 0; y < g->height; y++)
    {
      guint l = g->dedup ? y * g->rowlines : y;
      guint base = start_address (s), row, rscan;
      if (l > lc_eff)
        {
          base = 0;
          l -= lc_eff + 1;
        }
      row = l / g->rowlines;
      rscan = l % g->rowlines;
      guint counter0 = base + row * stride;

      gboolean dirty = redraw;
      for (guint c = 0; c <= hchars && !dirty; c++)
        dirty = page_changed (s, crtc_address (s, (counter0 + c) & 0xffff, rscan) * 4u);
      if (!dirty)
        continue;

      for (guint c = 0; c <= hchars; c++)
        {
          const guint8 *p = &s->vram[crtc_address (s, (counter0 + c) & 0xffff, rscan) * 4u];
          guint8 *out = &line[c * g->ppc];
          if (g->ppc == 4)
            memcpy (out, p, 4);
          else if (s->gr[5] & 0x20)
            for (guint i = 0; i < 8; i++)
              {
                guint lo = i < 4 ? p[0] : p[1], hi = i < 4 ? p[2] : p[3];
                guint sh = 6 - 2 * (i & 3);
                out[i] = (guint8)(((lo >> sh) & 3) | (((hi >> sh) & 3) << 2));
              }
          else
            for (guint i = 0; i < 8; i++)
              {
                guint b = 7 - i;
                out[i] = (guint8)(((p[0] >> b) & 1) | (((p[1] >> b) & 1) << 1)
                                  | (((p[2] >> b) & 1) << 2) | (((p[3] >> b) & 1) << 3));
              }
        }
      guint32 *dst = s->fb + (gsize)y * s->fb_width;
      for (guint x = 0; x < g->width; x++)
        {
          guint8 v = line[x + pan];
          dst[x] = g->ppc == 4 ? pal[v & s->pel_mask] : pal[ac_color (s, v & s->ar[0x12])];
        }
      mark_line (s, y, 0, g->width);
    }
}

/* VBE modes. */

static void
render_vbe (BwVga *s, const guint32 *pal, gboolean redraw)
{
  guint bpp = s->vbe_regs[VBE_BPP] ? s->vbe_regs[VBE_BPP] : 8;
  guint bytes = bpp == 4 ? 0 : (bpp + 7) / 8;
  guint64 span = bpp == 4 ? s->vbe_width / 2 : (guint64)s->vbe_width * bytes;
  for (guint y = 0; y < s->vbe_height && y < s->fb_height; y++)
    {
      guint64 off = s->vbe_start + (guint64)y * s->vbe_line;
      gboolean dirty = redraw;
      for (guint64 o = off & ~(guint64)(PAGE_SIZE - 1); o < off + span && !dirty; o += PAGE_SIZE)
        dirty = page_changed (s, o);
      if (!dirty)
        continue;
      guint32 *dst = s->fb + (gsize)y * s->fb_width;
      guint width = MIN (s->vbe_width, s->fb_width);
      if (off + span > s->vram_size)
        {
          /* fixup keeps the mode inside VRAM; stay safe anyway. */
          memset (dst, 0, width * 4u);
          mark_line (s, y, 0, width);
          continue;
        }
      const guint8 *src = s->vram + off;
      switch (bpp)
        {
          case 4:
            for (guint x = 0; x < width; x++)
              {
                const guint8 *p = src + (x / 8) * 4;
                guint b = 7 - (x & 7);
                guint v = ((p[0] >> b) & 1) | (((p[1] >> b) & 1) << 1) | (((p[2] >> b) & 1) << 2)
                          | (((p[3] >> b) & 1) << 3);
                dst[x] = pal[ac_color (s, v & s->ar[0x12])];
              }
            break;
          case 8:
            for (guint x = 0; x < width; x++)
              dst[x] = pal[src[x]];
            break;
          case 15:
          case 16:
            for (guint x = 0; x < width; x++)
              {
                guint v = src[2 * x] | (src[2 * x + 1] << 8);
                guint r, gr, b;
                if (bpp == 15)
                  r = (v >> 10) & 0x1f, gr = ((v >> 5) & 0x1f) << 1 | ((v >> 9) & 1), b = v & 0x1f;
                else
                  r = (v >> 11) & 0x1f, gr = (v >> 5) & 0x3f, b = v & 0x1f;
                dst[x] = ((r << 3 | r >> 2) << 16) | ((gr << 2 | gr >> 4) << 8) | (b << 3 | b >> 2);
              }
            break;
          case 24:
            for (guint x = 0; x < width; x++)
              dst[x] = src[3 * x] | (src[3 * x + 1] << 8) | ((guint32)src[3 * x + 2] << 16);
            break;
          default:
            for (guint x = 0; x < width; x++)
              {
                guint32 v;
                memcpy (&v, src + 4 * x, 4);
                dst[x] = GUINT32_FROM_LE (v) & 0xffffff;
              }
            break;
        }
      mark_line (s, y, 0, width);
    }
}

/* Changed pages, from pending marks and (LFB mapped) the shadow copy. */
static void
find_changes (BwVga *s, guint64 from, guint64 to, gboolean all)
{
  to = MIN (to, (guint64)s->vram_size);
  for (guint64 o = from & ~(guint64)(PAGE_SIZE - 1); o < to; o += PAGE_SIZE)
    {
      guint64 p = o >> VGA_PAGE_SHIFT;
      gboolean ch = all || s->pending[p]
                    || (s->lfb_mapped && memcmp (s->vram + o, s->shadow + o, PAGE_SIZE) != 0);
      if (ch)
        {
          s->changed[p] = CHANGED_ANY;
          for (guint i = 2; i < PAGE_SIZE && !all; i += 4)
            if (s->vram[o + i] != s->shadow[o + i])
              {
                s->changed[p] |= CHANGED_PLANE2;
                break;
              }
          s->pending[p] = 0;
          memcpy (s->shadow + o, s->vram + o, PAGE_SIZE);
        }
    }
}

static void
clear_changes (BwVga *s, guint64 from, guint64 to)
{
  to = MIN (to, (guint64)s->vram_size);
  if (from < to)
    memset (s->changed + (from >> VGA_PAGE_SHIFT), 0,
            ((to - 1) >> VGA_PAGE_SHIFT) - (from >> VGA_PAGE_SHIFT) + 1);
}

static void
client_resize (BwVgaClient *c, guint height)
{
  if (c->height != height)
    {
      g_free (c->x0);
      g_free (c->x1);
      c->x0 = g_new (gint16, height);
      c->x1 = g_new (gint16, height);
      c->height = height;
    }
  for (guint y = 0; y < height; y++)
    c->x0[y] = c->x1[y] = -1;
}

void
bw_vga_render (BwVga *s)
{
  Geometry g;
  geometry (s, &g);
  guint width = MAX (g.width, 1u), height = MAX (g.height, 1u);
  if ((guint64)width * height > MAX_FB_PIXELS)
    height = MAX_FB_PIXELS / width;
  gboolean redraw = s->invalidate;
  if (width != s->fb_width || height != s->fb_height || g.kind != s->fb_kind || !s->fb)
    {
      g_free (s->fb);
      s->fb = g_new0 (guint32, (gsize)width * height);
      g_free (s->line_x0);
      g_free (s->line_x1);
      s->line_x0 = g_new (gint16, height);
      s->line_x1 = g_new (gint16, height);
      if (width != s->fb_width || height != s->fb_height)
        s->mode_serial++;
      s->fb_width = width;
      s->fb_height = height;
      s->fb_kind = g.kind;
      redraw = TRUE;
    }
  for (guint y = 0; y < height; y++)
    s->line_x0[y] = s->line_x1[y] = -1;
  if (g.kind == BW_VGA_MODE_TEXT)
    g.rows = MIN (g.rows, height / g.ch);
  else if (g.kind == BW_VGA_MODE_GRAPHICS)
    g.height = MIN (g.height, height);

  guint64 from = 0, to = PLANES_SIZE;
  if (g.kind == BW_VGA_MODE_VBE)
    {
      from = s->vbe_start;
      to = s->vbe_start + (guint64)s->vbe_line * s->vbe_height;
    }
  find_changes (s, from, to, redraw);

  guint32 pal[256];
  palette (s, pal);
  switch (g.kind)
    {
      case BW_VGA_MODE_TEXT:
        render_text (s, &g, pal, redraw);
        break;
      case BW_VGA_MODE_GRAPHICS:
        render_graphics (s, &g, pal, redraw);
        break;
      case BW_VGA_MODE_VBE:
        render_vbe (s, pal, redraw);
        break;
      default:
        if (redraw)
          {
            memset (s->fb, 0, (gsize)width * height * 4);
            for (guint y = 0; y < height; y++)
              mark_line (s, y, 0, width);
          }
        break;
    }
  clear_changes (s, from, to);
  s->invalidate = FALSE;

  for (guint i = 0; i < s->clients->len; i++)
    {
      BwVgaClient *c = g_ptr_array_index (s->clients, i);
      if (c->height != height)
        continue; /* it gets everything at its next update */
      for (guint y = 0; y < height; y++)
        if (s->line_x0[y] >= 0)
          {
            if (c->x0[y] < 0 || s->line_x0[y] < c->x0[y])
              c->x0[y] = s->line_x0[y];
            c->x1[y] = MAX (c->x1[y], s->line_x1[y]);
          }
    }
}

void
bw_vga_render_init (BwVga *s)
{
  guint pages = s->vram_size >> VGA_PAGE_SHIFT;
  s->shadow = g_malloc0 (s->vram_size);
  s->pending = g_malloc0 (pages);
  s->changed = g_malloc0 (pages);
  s->clients = g_ptr_array_new ();
  s->invalidate = TRUE;
}

void
bw_vga_render_free (BwVga *s)
{
  if (s->clients)
    for (guint i = 0; i < s->clients->len; i++)
      ((BwVgaClient *)g_ptr_array_index (s->clients, i))->vga = NULL;
  g_clear_pointer (&s->clients, g_ptr_array_unref);
  g_clear_pointer (&s->shadow, g_free);
  g_clear_pointer (&s->pending, g_free);
  g_clear_pointer (&s->changed, g_free);
  g_clear_pointer (&s->fb, g_free);
  g_clear_pointer (&s->line_x0, g_free);
  g_clear_pointer (&s->line_x1, g_free);
  g_clear_pointer (&s->cells, g_free);
  s->cells_len = 0;
}

/* Public API. */

BwVgaClient *
bw_vga_client_new (BwDevice *vga)
{
  BwVga *s = bw_vga_from_device (vga);
  g_return_val_if_fail (s != NULL, NULL);
  BwVgaClient *c = g_new0 (BwVgaClient, 1);
  c->vga = s;
  c->full = TRUE;
  bw_platform_lock (vga->platform);
  if (s->clients)
    g_ptr_array_add (s->clients, c);
  bw_platform_unlock (vga->platform);
  return c;
}

void
bw_vga_client_free (BwVgaClient *c)
{
  if (!c)
    return;
  if (c->vga)
    {
      BwPlatform *platform = c->vga->parent.platform;
      bw_platform_lock (platform);
      g_ptr_array_remove (c->vga->clients, c);
      bw_platform_unlock (platform);
    }
  g_free (c->x0);
  g_free (c->x1);
  g_free (c);
}

gboolean
bw_vga_client_update (BwVgaClient *c, GArray *rects)
{
  BwVga *s = c->vga;
  if (!s)
    return FALSE;
  BwPlatform *platform = s->parent.platform;
  bw_platform_lock (platform);
  bw_vga_render (s);
  gboolean resized = c->mode_serial != s->mode_serial || c->height != s->fb_height;
  if (resized || c->full)
    {
      client_resize (c, s->fb_height);
      c->mode_serial = s->mode_serial;
      c->full = FALSE;
      BwVgaRect r = { 0, 0, (int)s->fb_width, (int)s->fb_height };
      if (rects)
        g_array_append_val (rects, r);
    }
  else
    {
      for (guint y = 0; y < c->height;)
        {
          if (c->x0[y] < 0)
            {
              y++;
              continue;
            }
          guint y0 = y;
          gint x0 = c->x0[y], x1 = c->x1[y];
          while (y < c->height && c->x0[y] >= 0)
            {
              x0 = MIN (x0, c->x0[y]);
              x1 = MAX (x1, c->x1[y]);
              c->x0[y] = c->x1[y] = -1;
              y++;
            }
          BwVgaRect r = { x0, (int)y0, x1 - x0, (int)(y - y0) };
          if (rects)
            g_array_append_val (rects, r);
        }
    }
  bw_platform_unlock (platform);
  return resized;
}

const guint32 *
bw_vga_get_framebuffer (BwDevice *vga, guint *width, guint *height, guint *stride)
{
  BwVga *s = bw_vga_from_device (vga);
  g_return_val_if_fail (s != NULL, NULL);
  bw_platform_lock (vga->platform);
  if (!s->fb)
    bw_vga_render (s);
  if (width)
    *width = s->fb_width;
  if (height)
    *height = s->fb_height;
  if (stride)
    *stride = s->fb_width;
  const guint32 *fb = s->fb;
  bw_platform_unlock (vga->platform);
  return fb;
}

void
bw_vga_get_mode (BwDevice *vga, BwVgaModeInfo *info)
{
  BwVga *s = bw_vga_from_device (vga);
  g_return_if_fail (s != NULL);
  bw_platform_lock (vga->platform);
  bw_vga_get_mode_locked (s, info);
  bw_platform_unlock (vga->platform);
}
