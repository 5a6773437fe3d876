/* bench-vga-frame.c: the cost of producing a frame, above all of an
 * unchanged screen (what a front end pays at every refresh while the
 * guest draws nothing), against a frame where everything changed.
 *
 *   meson test -C BUILD --benchmark display-vga-frame   (or run it)
 * Prints one line per case: microseconds per update. */
#include "config.h"

#include "vga-test.h"

static double
per_update_us (BwVgaClient *c, guint n, guint8 *touch, gsize touch_len)
{
  GArray *rects = g_array_new (FALSE, FALSE, sizeof (BwVgaRect));
  gint64 t0 = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      if (touch)
        memset (touch, (int)i, touch_len);
      g_array_set_size (rects, 0);
      bw_vga_client_update (c, rects);
      if (!touch && rects->len)
        ck_abort_msg ("an unchanged screen reported %u rectangles", rects->len);
    }
  gint64 t1 = g_get_monotonic_time ();
  g_array_unref (rects);
  return (double)(t1 - t0) / n;
}

static void
vbe_mode (VgaBoard *b, guint xres, guint yres, guint bpp)
{
  vb_vbe (b, 4, 0);
  vb_vbe (b, 3, (guint16)bpp);
  vb_vbe (b, 1, (guint16)xres);
  vb_vbe (b, 2, (guint16)yres);
  vb_vbe (b, 4, 0x41);
}

START_TEST (bench_frames)
{
  VgaBoard *b = vga_board_new (16, NULL);
  g_autoptr (BwVgaClient) c = bw_vga_client_new (b->vga);

  /* Text mode 80x25. */
  bw_vga_client_update (c, NULL);
  g_print ("text 80x25, unchanged:                 %8.1f us\n", per_update_us (c, 2000, NULL, 0));

  /* 1024x768x32 with the LFB unmapped: only trapped writes can change
   * VRAM, so the pending bits say everything. */
  vbe_mode (b, 1024, 768, 32);
  bw_vga_client_update (c, NULL);
  g_print ("vbe 1024x768x32, LFB unmapped, unchanged: %6.1f us\n",
           per_update_us (c, 2000, NULL, 0));

  /* LFB mapped: the shown pages are compared with the shadow copy. */
  guint8 *lfb = vb_map_lfb (b);
  bw_vga_client_update (c, NULL);
  g_print ("vbe 1024x768x32, LFB mapped, unchanged:   %6.1f us\n", per_update_us (c, 300, NULL, 0));
  g_print ("vbe 1024x768x32, LFB mapped, one line:    %6.1f us\n",
           per_update_us (c, 300, lfb + 4096 * 100, 4096));
  g_print ("vbe 1024x768x32, LFB mapped, all changed: %6.1f us\n",
           per_update_us (c, 50, lfb, 1024 * 768 * 4));
  vga_board_free (b);
}
END_TEST

int
main (void)
{
  /* A Check test (the board helpers assert), timed in-process. */
  Suite *s = suite_create ("vga-frame");
  TCase *tc = tcase_create ("bench");
  tcase_set_timeout (tc, 300);
  tcase_add_test (tc, bench_frames);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
