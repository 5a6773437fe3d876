/* test-vga-render.c: the framebuffer the VGA renders from known VRAM
 * contents (text with a loaded font, mode 12h, mode 13h, VBE), its dirty
 * rectangles, the text read-out, PNG export, and garbage that must not
 * crash. */
#include "config.h"

#include <glib/gstdio.h>
#include "vga-test.h"

/* A font where glyph c, row y is (c + y) with bit 0 set on row 3, 'A' a
 * recognisable pattern and the space blank. */
static guint8
glyph_row (guint c, guint y)
{
  if (c == ' ')
    return 0;
  if (c == 'A')
    return y < 16 ? (guint8)(0x80 >> (y & 7)) : 0;
  return (guint8)((c + y) | (y == 3 ? 1 : 0));
}

static void
load_font (VgaBoard *b)
{
  vb_font_access (b, TRUE);
  for (guint c = 0; c < 256; c++)
    for (guint y = 0; y < 32; y++)
      vb_writeb (b, 0xa0000 + c * 32 + y, glyph_row (c, y));
  vb_font_access (b, FALSE);
}

static void
put_char (VgaBoard *b, guint row, guint col, guint8 ch, guint8 attr)
{
  guint32 at = 0xb8000 + (row * 80 + col) * 2;
  vb_writeb (b, at, ch);
  vb_writeb (b, at + 1, attr);
}

START_TEST (test_text_screen)
{
  VgaBoard *b = vga_board_new (1, NULL);
  load_font (b);
  for (guint i = 0; i < 80 * 25; i++)
    put_char (b, i / 80, i % 80, ' ', 0x07);
  put_char (b, 1, 2, 'A', 0x1e);  /* yellow on blue */
  put_char (b, 1, 3, 0xc4, 0x1e); /* line graphics: 9th column repeats */
  put_char (b, 1, 4, 0x42, 0x1e); /* ordinary: 9th column is background */
  put_char (b, 2, 0, 0xc9, 0x07);
  put_char (b, 2, 1, 0x01, 0x07);
  vb_crtc (b, 0x0a, 0x20); /* cursor off for now */

  g_autoptr (BwVgaClient) client = bw_vga_client_new (b->vga);
  GArray *rects;
  ck_assert_uint_eq (vb_update (client, &rects), 1);
  BwVgaRect *r = &g_array_index (rects, BwVgaRect, 0);
  ck_assert_int_eq (r->width, 720);
  ck_assert_int_eq (r->height, 400);
  g_array_unref (rects);
  BwVgaModeInfo info;
  bw_vga_get_mode (b->vga, &info);
  ck_assert_int_eq (info.kind, BW_VGA_MODE_TEXT);
  ck_assert_uint_eq (info.cols, 80);
  ck_assert_uint_eq (info.rows, 25);

  guint32 yellow = vb_rgb6 (0x3f, 0x3f, 0x15), blue = vb_rgb6 (0, 0, 0x2a);
  /* 'A' at cell (1, 2): pixel x = 18 + (y & 7) is set on row y. */
  for (guint y = 0; y < 16; y++)
    for (guint x = 0; x < 9; x++)
      {
        gboolean on = x < 8 && x == (y & 7);
        ck_assert_msg (vb_pixel (b, 18 + x, 16 + y) == (on ? yellow : blue), "A at %u,%u: %06x", x,
                       y, vb_pixel (b, 18 + x, 16 + y));
      }
  /* Row 3 of every glyph has bit 0 set: the 9th column repeats it for
   * 0xC4, not for 0x42. */
  ck_assert_uint_eq (vb_pixel (b, 27 + 7, 16 + 3), yellow);
  ck_assert_uint_eq (vb_pixel (b, 27 + 8, 16 + 3), yellow);
  ck_assert_uint_eq (vb_pixel (b, 36 + 7, 16 + 3), yellow);
  ck_assert_uint_eq (vb_pixel (b, 36 + 8, 16 + 3), blue);

  /* Nothing changed: no rectangles. */
  ck_assert_uint_eq (vb_update (client, NULL), 0);

  /* One character: one cell. */
  put_char (b, 10, 40, 'A', 0x1e);
  ck_assert_uint_eq (vb_update (client, &rects), 1);
  r = &g_array_index (rects, BwVgaRect, 0);
  ck_assert_int_eq (r->x, 360);
  ck_assert_int_eq (r->y, 160);
  ck_assert_int_eq (r->width, 9);
  ck_assert_int_eq (r->height, 16);
  g_array_unref (rects);

  /* The cursor at (10, 41), scan lines 14-15, in the foreground colour. */
  vb_crtc (b, 0x0a, 0x0e);
  vb_crtc (b, 0x0b, 0x0f);
  vb_crtc (b, 0x0e, (10 * 80 + 41) >> 8);
  vb_crtc (b, 0x0f, (10 * 80 + 41) & 0xff);
  vb_update (client, NULL);
  guint32 grey = vb_rgb6 (0x2a, 0x2a, 0x2a);
  ck_assert_uint_eq (vb_pixel (b, 369 + 4, 160 + 14), grey);
  ck_assert_uint_eq (vb_pixel (b, 369 + 4, 160 + 13), 0);
  /* Moving the cursor redraws two cells only. */
  vb_crtc (b, 0x0f, (10 * 80 + 42) & 0xff);
  ck_assert_uint_eq (vb_update (client, &rects), 1);
  r = &g_array_index (rects, BwVgaRect, 0);
  ck_assert_int_eq (r->x, 369);
  ck_assert_int_eq (r->width, 18);
  g_array_unref (rects);

  /* The text read-out, code page 437 to UTF-8. */
  g_autofree char *text = bw_vga_get_screen_text (b->vga, NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  ck_assert_uint_eq (g_strv_length (lines), 26);
  ck_assert_str_eq (lines[0], "");
  ck_assert_str_eq (lines[1], "  A─B");
  ck_assert_str_eq (lines[2], "╔☺");
  ck_assert_str_eq (lines[10], "                                        A");
  vga_board_free (b);
}
END_TEST

START_TEST (test_text_blink)
{
  VgaBoard *b = vga_board_new (1, NULL);
  load_font (b);
  for (guint i = 0; i < 80 * 25; i++)
    put_char (b, i / 80, i % 80, ' ', 0x07);
  put_char (b, 0, 0, 'A', 0x9e); /* blinking yellow on blue */
  vb_crtc (b, 0x0a, 0x20);
  g_autoptr (BwVgaClient) client = bw_vga_client_new (b->vga);
  vb_update (client, NULL);
  guint32 yellow = vb_rgb6 (0x3f, 0x3f, 0x15), blue = vb_rgb6 (0, 0, 0x2a);
  ck_assert_uint_eq (vb_pixel (b, 0, 0), yellow);
  /* Half a blink period later (32 frames at 70 Hz): background only, and
   * only that cell is redrawn. */
  bw_platform_lock (b->platform);
  bw_clock_step (bw_platform_get_clock (b->platform), 460 * G_GINT64_CONSTANT (1000000));
  bw_platform_unlock (b->platform);
  GArray *rects;
  ck_assert_uint_eq (vb_update (client, &rects), 1);
  ck_assert_int_eq (g_array_index (rects, BwVgaRect, 0).width, 9);
  g_array_unref (rects);
  ck_assert_uint_eq (vb_pixel (b, 0, 0), blue);
  /* Blink off in the mode control register: bit 7 is background
   * intensity (light blue background, yellow shown). */
  vb_attr (b, 0x10, 0x04);
  vb_update (client, NULL);
  ck_assert_uint_eq (vb_pixel (b, 0, 0), yellow);
  ck_assert_uint_eq (vb_pixel (b, 1, 0), vb_rgb6 (0x15, 0x15, 0x3f));
  /* 8-dot characters. */
  vb_seq (b, 1, 0x01);
  BwVgaModeInfo info;
  bw_vga_get_mode (b->vga, &info);
  ck_assert_uint_eq (info.width, 640);
  vga_board_free (b);
}
END_TEST

START_TEST (test_text_80x50)
{
  VgaBoard *b = vga_board_new (1, NULL);
  load_font (b);
  /* 8-line characters: 400 lines make 50 rows. */
  vb_crtc (b, 0x09, 0x47);
  put_char (b, 49, 0, 'E', 0x07);
  put_char (b, 49, 1, 'n', 0x07);
  put_char (b, 49, 2, 'd', 0x07);
  BwVgaModeInfo info;
  bw_vga_get_mode (b->vga, &info);
  ck_assert_uint_eq (info.rows, 50);
  ck_assert_uint_eq (info.height, 400);
  g_autofree char *text = bw_vga_get_screen_text (b->vga, NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  ck_assert_str_eq (lines[49], "End");
  /* Row y of 'E' in the last character row. */
  g_autoptr (BwVgaClient) client = bw_vga_client_new (b->vga);
  vb_update (client, NULL);
  guint32 grey = vb_rgb6 (0x2a, 0x2a, 0x2a);
  for (guint y = 0; y < 8; y++)
    for (guint x = 0; x < 8; x++)
      {
        gboolean on = (glyph_row ('E', y) >> (7 - x)) & 1;
        ck_assert_uint_eq (vb_pixel (b, x, 49 * 8 + y), on ? grey : 0);
      }
  /* Not a text mode: an error, not a guess. */
  vb_mode_13h (b);
  g_autoptr (GError) error = NULL;
  ck_assert_ptr_null (bw_vga_get_screen_text (b->vga, &error));
  ck_assert (g_error_matches (error, BW_VGA_ERROR, BW_VGA_ERROR_NOT_TEXT));
  vga_board_free (b);
}
END_TEST

START_TEST (test_mode_13h)
{
  VgaBoard *b = vga_board_new (1, NULL);
  vb_mode_13h (b);
  vb_dac (b, 0x2a, 0x3f, 0x00, 0x00);
  vb_dac (b, 0x2b, 0x00, 0x3f, 0x10);
  vb_writeb (b, 0xa0000 + 17 * 320 + 101, 0x2a);
  vb_writeb (b, 0xa0000 + 199 * 320 + 319, 0x2b);
  g_autoptr (BwVgaClient) client = bw_vga_client_new (b->vga);
  vb_update (client, NULL);
  BwVgaModeInfo info;
  bw_vga_get_mode (b->vga, &info);
  ck_assert_int_eq (info.kind, BW_VGA_MODE_GRAPHICS);
  ck_assert_uint_eq (info.width, 320);
  ck_assert_uint_eq (info.height, 200);
  ck_assert_uint_eq (vb_pixel (b, 101, 17), 0xff0000);
  ck_assert_uint_eq (vb_pixel (b, 100, 17), 0);
  ck_assert_uint_eq (vb_pixel (b, 102, 17), 0);
  ck_assert_uint_eq (vb_pixel (b, 319, 199), vb_rgb6 (0, 0x3f, 0x10));
  /* One pixel: the rectangle covers the lines of its 4 KiB VRAM page
   * (1 KiB of each plane: about three lines). */
  vb_writeb (b, 0xa0000 + 50 * 320 + 7, 0x2b);
  GArray *rects;
  ck_assert_uint_eq (vb_update (client, &rects), 1);
  BwVgaRect *r = &g_array_index (rects, BwVgaRect, 0);
  ck_assert_int_le (r->y, 50);
  ck_assert_int_gt (r->y + r->height, 50);
  ck_assert_int_le (r->height, 5);
  g_array_unref (rects);
  /* A palette change redraws everything. */
  vb_dac (b, 0x2a, 0x00, 0x00, 0x3f);
  ck_assert_uint_eq (vb_update (client, &rects), 1);
  ck_assert_int_eq (g_array_index (rects, BwVgaRect, 0).height, 200);
  g_array_unref (rects);
  ck_assert_uint_eq (vb_pixel (b, 101, 17), 0x0000ff);
  /* The pel mask applies. */
  vb_outb (b, 0x3c6, 0x0f);
  vb_update (client, NULL);
  ck_assert_uint_eq (vb_pixel (b, 101, 17), vb_rgb6 (0, 0x2a, 0x15)); /* DAC 0x0a */
  vga_board_free (b);
}
END_TEST

START_TEST (test_mode_12h)
{
  VgaBoard *b = vga_board_new (1, NULL);
  vb_mode_12h (b);
  /* Write mode 2: colour 12 at pixel (10, 5). */
  vb_gc (b, 5, 0x02);
  vb_gc (b, 8, 0x80 >> (10 & 7));
  guint32 at = 0xa0000 + 5 * 80 + 10 / 8;
  vb_readb (b, at);
  vb_writeb (b, at, 0x0c);
  g_autoptr (BwVgaClient) client = bw_vga_client_new (b->vga);
  vb_update (client, NULL);
  BwVgaModeInfo info;
  bw_vga_get_mode (b->vga, &info);
  ck_assert_uint_eq (info.width, 640);
  ck_assert_uint_eq (info.height, 480);
  ck_assert_uint_eq (vb_pixel (b, 10, 5), vb_rgb6 (0x3f, 0x15, 0x15)); /* AC 0x3c */
  ck_assert_uint_eq (vb_pixel (b, 9, 5), 0);
  ck_assert_uint_eq (vb_pixel (b, 11, 5), 0);
  /* The colour plane enable register masks planes 2 and 3 out. */
  vb_attr (b, 0x12, 0x03);
  vb_update (client, NULL);
  ck_assert_uint_eq (vb_pixel (b, 10, 5), 0);
  vga_board_free (b);
}
END_TEST

static void
vbe_set (VgaBoard *b, guint xres, guint yres, guint bpp, guint16 flags)
{
  vb_vbe (b, 4, 0);
  vb_vbe (b, 3, (guint16)bpp);
  vb_vbe (b, 1, (guint16)xres);
  vb_vbe (b, 2, (guint16)yres);
  vb_vbe (b, 5, 0);
  vb_vbe (b, 4, 0x01 | flags);
}

START_TEST (test_vbe_mode)
{
  VgaBoard *b = vga_board_new (4, NULL);
  /* ID negotiation as SeaVGABIOS does it. */
  ck_assert_uint_eq (vb_vbe_read (b, 0), 0xb0c0);
  vb_vbe (b, 0, 0xb0c5);
  ck_assert_uint_eq (vb_vbe_read (b, 0), 0xb0c5);
  vb_vbe (b, 0, 0x1234);
  ck_assert_uint_eq (vb_vbe_read (b, 0), 0xb0c5);
  ck_assert_uint_eq (vb_vbe_read (b, 10), 4 * 16);
  vb_vbe (b, 4, 0x02);
  ck_assert_uint_eq (vb_vbe_read (b, 1), 2560);
  ck_assert_uint_eq (vb_vbe_read (b, 3), 32);
  vb_vbe (b, 4, 0x00);

  guint8 *lfb = vb_map_lfb (b);
  vbe_set (b, 1024, 768, 32, 0x40);
  ck_assert_uint_eq (vb_vbe_read (b, 6), 1024);
  ck_assert_uint_eq (vb_vbe_read (b, 7), (4u << 20) / 4096);
  BwVgaModeInfo info;
  bw_vga_get_mode (b->vga, &info);
  ck_assert_int_eq (info.kind, BW_VGA_MODE_VBE);
  ck_assert_uint_eq (info.width, 1024);
  ck_assert_uint_eq (info.height, 768);
  ck_assert_uint_eq (info.bpp, 32);

  g_autoptr (BwVgaClient) client = bw_vga_client_new (b->vga);
  ck_assert_uint_eq (vb_update (client, NULL), 1);
  ck_assert_uint_eq (vb_update (client, NULL), 0);

  /* A CPU write to the LFB (no trap): found by the shadow compare. */
  guint32 px = 0x00123456;
  memcpy (lfb + (300 * 1024 + 200) * 4, &px, 4);
  GArray *rects;
  ck_assert_uint_eq (vb_update (client, &rects), 1);
  BwVgaRect *r = &g_array_index (rects, BwVgaRect, 0);
  ck_assert_int_le (r->y, 300);
  ck_assert_int_gt (r->y + r->height, 300);
  ck_assert_int_le (r->height, 2); /* a 4 KiB page is one line here */
  g_array_unref (rects);
  ck_assert_uint_eq (vb_pixel (b, 200, 300), 0x123456);
  ck_assert_uint_eq (vb_update (client, NULL), 0);

  /* DMA into the LFB and a write through the banked window. */
  guint32 px2 = 0x00abcdef;
  ck_assert (bw_memory_write (bw_platform_get_memory (b->platform), VB_LFB + (700 * 1024 + 5) * 4,
                              &px2, 4));
  vb_vbe (b, 5, (guint16)((100 * 4096) >> 16));
  vb_writeb (b, 0xa0000 + ((100 * 4096) & 0xffff) + 8, 0x77);
  ck_assert_uint_eq (vb_update (client, &rects), 2);
  ck_assert_int_eq (g_array_index (rects, BwVgaRect, 0).y, 100);
  ck_assert_int_eq (g_array_index (rects, BwVgaRect, 1).y, 700);
  g_array_unref (rects);
  ck_assert_uint_eq (vb_pixel (b, 5, 700), 0xabcdef);
  ck_assert_uint_eq (vb_pixel (b, 2, 100), 0x000077);

  /* A second client sees everything first, then the same changes. */
  g_autoptr (BwVgaClient) other = bw_vga_client_new (b->vga);
  ck_assert_uint_eq (vb_update (other, NULL), 1);
  memcpy (lfb + 4, &px, 4);
  ck_assert_uint_eq (vb_update (client, NULL), 1);
  ck_assert_uint_eq (vb_update (other, NULL), 1);

  /* 16 bpp, 8 bpp with the 8-bit DAC. */
  vbe_set (b, 640, 480, 16, 0x40);
  guint16 rgb565 = 0xf800 | (0x3f << 5);
  memcpy (lfb + (10 * 640 + 3) * 2, &rgb565, 2);
  vb_update (client, NULL);
  ck_assert_uint_eq (vb_pixel (b, 3, 10), 0xffff00);
  vbe_set (b, 800, 600, 8, 0x40 | 0x20);
  vb_dac (b, 9, 0x80, 0x40, 0xff);
  lfb[20 * 800 + 1] = 9;
  vb_update (client, NULL);
  ck_assert_uint_eq (vb_pixel (b, 1, 20), 0x8040ff);
  /* Without NOCLEAR the mode set cleared VRAM. */
  ck_assert_uint_eq (lfb[4], 0);
  vga_board_free (b);
}
END_TEST

START_TEST (test_vbe_oversize_and_garbage)
{
  VgaBoard *b = vga_board_new (1, NULL);
  g_autoptr (BwVgaClient) client = bw_vga_client_new (b->vga);
  /* 2560x1600x32 needs 16 MiB: clamped to the lines that fit in 1 MiB. */
  vbe_set (b, 2560, 1600, 32, 0x40);
  BwVgaModeInfo info;
  bw_vga_get_mode (b->vga, &info);
  ck_assert_uint_eq (info.width, 2560);
  ck_assert_uint_eq (info.height, (1u << 20) / (2560 * 4));
  vb_update (client, NULL);
  /* Huge offsets, a bpp that does not exist, zero sizes. */
  vb_vbe (b, 8, 0xffff);
  vb_vbe (b, 9, 0xffff);
  vb_vbe (b, 3, 7);
  vb_vbe (b, 1, 0);
  vb_vbe (b, 6, 0xffff);
  vb_update (client, NULL);
  vb_vbe (b, 5, 0xffff);
  vb_writeb (b, 0xa0000, 1);
  vb_readb (b, 0xaffff);
  vb_vbe (b, 4, 0);

  /* Random writes to every register and the window, rendering between. */
  GRand *rand = g_rand_new_with_seed (4242);
  static const guint16 ports[] = { 0x3c0, 0x3c1, 0x3c2, 0x3c4, 0x3c5, 0x3c6, 0x3c7, 0x3c8,
                                   0x3c9, 0x3ce, 0x3cf, 0x3d4, 0x3d5, 0x3da, 0x3b4, 0x3b5 };
  for (guint i = 0; i < 200000; i++)
    {
      guint what = g_rand_int_range (rand, 0, 100);
      guint8 v = (guint8)g_rand_int (rand);
      if (what < 60)
        vb_outb (b, ports[g_rand_int_range (rand, 0, G_N_ELEMENTS (ports))], v);
      else if (what < 65)
        vb_vbe (b, (guint16)g_rand_int_range (rand, 0, 12), (guint16)g_rand_int (rand));
      else if (what < 90)
        vb_writeb (b, 0xa0000 + g_rand_int_range (rand, 0, 0x20000), v);
      else if (what < 99)
        vb_readb (b, 0xa0000 + g_rand_int_range (rand, 0, 0x20000));
      else
        {
          vb_update (client, NULL);
          g_autofree char *t = bw_vga_get_screen_text (b->vga, NULL);
        }
    }
  g_rand_free (rand);
  vga_board_free (b);
}
END_TEST

START_TEST (test_png_export)
{
  VgaBoard *b = vga_board_new (1, NULL);
  vb_mode_13h (b);
  vb_dac (b, 1, 0x3f, 0x00, 0x00);
  vb_dac (b, 2, 0x00, 0x20, 0x3f);
  for (guint x = 0; x < 320; x++)
    vb_writeb (b, 0xa0000 + 3 * 320 + x, (x & 1) ? 1 : 2);
  vb_writeb (b, 0xa0000 + 199 * 320 + 5, 1);

  g_autofree char *dir = g_dir_make_tmp ("bw-vga-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "screen.png", NULL);
  g_autoptr (GError) error = NULL;
  ck_assert_msg (bw_vga_write_png (b->vga, path, &error), "%s", error ? error->message : "");

  /* Decoded by Python's zlib, not by our code: chunk CRCs, the Sub filter
   * undone, and three pixels printed as hex. */
  const char *script
      = "import sys, struct, zlib\n"
        "d = open(sys.argv[1], 'rb').read()\n"
        "assert d[:8] == b'\\x89PNG\\r\\n\\x1a\\n'\n"
        "p, idat = 8, b''\n"
        "while p < len(d):\n"
        "    n, = struct.unpack('>I', d[p:p+4]); t = d[p+4:p+8]; c = d[p+8:p+8+n]\n"
        "    assert struct.unpack('>I', d[p+8+n:p+12+n])[0] == zlib.crc32(t + c)\n"
        "    if t == b'IHDR': w, h, depth, kind = struct.unpack('>IIBB', c[:10])\n"
        "    if t == b'IDAT': idat += c\n"
        "    p += 12 + n\n"
        "raw = zlib.decompress(idat); row = 1 + 3 * w; img = []\n"
        "for y in range(h):\n"
        "    f = raw[y*row]; line = bytearray(raw[y*row+1:(y+1)*row])\n"
        "    assert f in (0, 1)\n"
        "    if f == 1:\n"
        "        for i in range(3, len(line)): line[i] = (line[i] + line[i-3]) & 255\n"
        "    img.append(line)\n"
        "px = lambda x, y: img[y][3*x:3*x+3].hex()\n"
        "print(w, h, depth, kind, px(0, 3), px(1, 3), px(5, 199), px(6, 199))\n";
  const char *argv[] = { "/usr/bin/python3", "-c", script, path, NULL };
  g_autofree char *out = NULL;
  int status = 0;
  ck_assert (g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                           &status, &error));
  ck_assert_msg (g_spawn_check_wait_status (status, NULL), "python3 failed");
  ck_assert_str_eq (out, "320 200 8 2 0082ff ff0000 ff0000 000000\n");
  g_unlink (path);
  g_rmdir (dir);
  vga_board_free (b);
}
END_TEST

static Suite *
render_suite (void)
{
  Suite *s = suite_create ("vga-render");
  TCase *tc = tcase_create ("text");
  tcase_add_test (tc, test_text_screen);
  tcase_add_test (tc, test_text_80x50);
  tcase_add_test (tc, test_text_blink);
  suite_add_tcase (s, tc);
  tc = tcase_create ("graphics");
  tcase_add_test (tc, test_mode_13h);
  tcase_add_test (tc, test_mode_12h);
  tcase_add_test (tc, test_png_export);
  suite_add_tcase (s, tc);
  tc = tcase_create ("vbe");
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_vbe_mode);
  tcase_add_test (tc, test_vbe_oversize_and_garbage);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (render_suite ());
}
