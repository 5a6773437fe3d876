/* test-ui-vm-display.c: the VM display's arithmetic: aspect-correct
 * placement, 1:1 on HiDPI, filtering choice, and the dirty-rectangle
 * bookkeeping that decides what is uploaded; the in-memory frame source. */
#include "config.h"

#include "bw-test.h"
#include "ui/vm/bw-vm-frame-source.h"
#include "ui/vm/bw-vm-geometry.h"

#define ck_assert_rect(r, X, Y, W, H)                                                       \
  ck_assert_msg ((r).x == (X) && (r).y == (Y) && (r).width == (W) && (r).height == (H),     \
                 "rect %d,%d %dx%d, want %d,%d %dx%d", (r).x, (r).y, (r).width, (r).height,  \
                 (X), (Y), (W), (H))

START_TEST (test_fit_letterbox)
{
  BwVmRect r;
  /* 4:3 in a wide area: bars left and right. */
  bw_vm_geometry_fit (640, 480, 1000, 480, &r);
  ck_assert_rect (r, 180, 0, 640, 480);
  /* 4:3 in a tall area: bars above and below. */
  bw_vm_geometry_fit (640, 480, 640, 800, &r);
  ck_assert_rect (r, 0, 160, 640, 480);
  /* Exact fit and exact double. */
  bw_vm_geometry_fit (720, 400, 720, 400, &r);
  ck_assert_rect (r, 0, 0, 720, 400);
  bw_vm_geometry_fit (1024, 768, 2048, 1536, &r);
  ck_assert_rect (r, 0, 0, 2048, 1536);
  /* Text mode 720x400 in 1920x1080 (HiDPI device pixels). */
  bw_vm_geometry_fit (720, 400, 1920, 1080, &r);
  ck_assert_rect (r, 0, 6, 1920, 1067);
  /* Aspect kept within a pixel. */
  bw_vm_geometry_fit (1920, 1080, 801, 601, &r);
  ck_assert_int_eq (r.width, 801);
  ck_assert_int_eq (r.height, 451);
  ck_assert_int_eq (r.y, 75);
}
END_TEST

START_TEST (test_fit_degenerate)
{
  BwVmRect r;
  bw_vm_geometry_fit (0, 480, 100, 100, &r);
  ck_assert_rect (r, 0, 0, 0, 0);
  bw_vm_geometry_fit (640, 480, 0, 0, &r);
  ck_assert_rect (r, 0, 0, 0, 0);
  /* A huge guest in a tiny window: never zero-sized, no overflow. */
  bw_vm_geometry_fit (16384, 16384, 1, 1, &r);
  ck_assert_rect (r, 0, 0, 1, 1);
  bw_vm_geometry_fit (16384, 1, 3, 1000, &r);
  ck_assert_int_eq (r.width, 3);
  ck_assert_int_ge (r.height, 1);
}
END_TEST

START_TEST (test_one_to_one)
{
  BwVmRect r;
  /* Scale 1: centred in a larger area. */
  bw_vm_geometry_one_to_one (640, 480, 800, 600, 1, &r);
  ck_assert_rect (r, 80, 60, 640, 480);
  ck_assert (bw_vm_geometry_is_integer_scale (640, 480, &r));
  /* HiDPI scale 2: each guest pixel is 2x2 device pixels, nearest. */
  bw_vm_geometry_one_to_one (640, 480, 1280, 960, 2, &r);
  ck_assert_rect (r, 0, 0, 1280, 960);
  ck_assert (bw_vm_geometry_is_integer_scale (640, 480, &r));
  /* A smaller area (scrolled): at the origin. */
  bw_vm_geometry_one_to_one (1024, 768, 500, 400, 1, &r);
  ck_assert_rect (r, 0, 0, 1024, 768);
  /* Bad scale factors count as 1. */
  bw_vm_geometry_one_to_one (10, 10, 10, 10, 0, &r);
  ck_assert_rect (r, 0, 0, 10, 10);
}
END_TEST

START_TEST (test_fixed_scale)
{
  BwVmRect r;
  /* 150 %: 640x480 becomes 960x720, centred, and is not an integer
   * scale (linear filtering). */
  bw_vm_geometry_fixed (640, 480, 1000, 800, 1, 150, &r);
  ck_assert_rect (r, 20, 40, 960, 720);
  ck_assert (!bw_vm_geometry_is_integer_scale (640, 480, &r));
  /* 200 % on a HiDPI scale 2: 4x4 device pixels per guest pixel. */
  bw_vm_geometry_fixed (320, 200, 100, 100, 2, 200, &r);
  ck_assert_rect (r, 0, 0, 1280, 800);
  ck_assert (bw_vm_geometry_is_integer_scale (320, 200, &r));
  /* 100 % is 1:1. */
  BwVmRect one;
  bw_vm_geometry_fixed (800, 600, 900, 700, 1, 100, &r);
  bw_vm_geometry_one_to_one (800, 600, 900, 700, 1, &one);
  ck_assert_rect (r, one.x, one.y, one.width, one.height);
}
END_TEST

START_TEST (test_integer_scale)
{
  BwVmRect r = { 0, 0, 1280, 800 };
  ck_assert (bw_vm_geometry_is_integer_scale (640, 400, &r));
  r.width = 1281;
  ck_assert (!bw_vm_geometry_is_integer_scale (640, 400, &r));
  r = (BwVmRect) { 0, 0, 320, 200 }; /* shrunk: linear */
  ck_assert (!bw_vm_geometry_is_integer_scale (640, 400, &r));
  ck_assert (!bw_vm_geometry_is_integer_scale (0, 400, &r));
}
END_TEST

START_TEST (test_clip)
{
  BwVmRect r = { -10, -10, 30, 30 };
  ck_assert (bw_vm_rect_clip (&r, 100, 100));
  ck_assert_rect (r, 0, 0, 20, 20);
  r = (BwVmRect) { 90, 95, 30, 30 };
  ck_assert (bw_vm_rect_clip (&r, 100, 100));
  ck_assert_rect (r, 90, 95, 10, 5);
  r = (BwVmRect) { 100, 0, 5, 5 };
  ck_assert (!bw_vm_rect_clip (&r, 100, 100));
  r = (BwVmRect) { 0, 0, -5, 5 };
  ck_assert (!bw_vm_rect_clip (&r, 100, 100));
  /* Garbage that would overflow int addition. */
  r = (BwVmRect) { G_MAXINT - 1, 0, G_MAXINT, 5 };
  ck_assert (!bw_vm_rect_clip (&r, 100, 100));
  r = (BwVmRect) { G_MININT, G_MININT, G_MAXINT, G_MAXINT };
  ck_assert (!bw_vm_rect_clip (&r, 100, 100));
}
END_TEST

START_TEST (test_dirty_bookkeeping)
{
  g_autoptr (BwVmDirty) d = bw_vm_dirty_new ();
  const BwVmRect *rects;
  guint n;

  /* A new size: one full upload. */
  bw_vm_dirty_set_size (d, 1024, 768);
  ck_assert (bw_vm_dirty_is_full (d));
  rects = bw_vm_dirty_peek (d, &n);
  ck_assert_uint_eq (n, 1);
  ck_assert_rect (rects[0], 0, 0, 1024, 768);
  bw_vm_dirty_clear (d);
  ck_assert (bw_vm_dirty_is_empty (d));

  /* Small changes stay small. */
  bw_vm_dirty_add (d, &(BwVmRect) { 8, 16, 8, 16 });     /* a character cell */
  bw_vm_dirty_add (d, &(BwVmRect) { 10, 20, 2, 2 });     /* inside it: dropped */
  bw_vm_dirty_add (d, &(BwVmRect) { 1000, 760, 100, 100 }); /* clipped */
  bw_vm_dirty_add (d, &(BwVmRect) { 2000, 0, 10, 10 });  /* outside: dropped */
  bw_vm_dirty_add (d, &(BwVmRect) { 0, 0, 0, 10 });      /* empty: dropped */
  rects = bw_vm_dirty_peek (d, &n);
  ck_assert_uint_eq (n, 2);
  ck_assert_rect (rects[0], 8, 16, 8, 16);
  ck_assert_rect (rects[1], 1000, 760, 24, 8);
  ck_assert (!bw_vm_dirty_is_full (d));

  /* A rectangle covering listed ones replaces them. */
  bw_vm_dirty_add (d, &(BwVmRect) { 0, 0, 64, 64 });
  rects = bw_vm_dirty_peek (d, &n);
  ck_assert_uint_eq (n, 2);
  ck_assert_rect (rects[0], 1000, 760, 24, 8);
  ck_assert_rect (rects[1], 0, 0, 64, 64);
  bw_vm_dirty_clear (d);

  /* Many small ones become one full upload. */
  for (int i = 0; i < 17; i++)
    bw_vm_dirty_add (d, &(BwVmRect) { i * 20, 0, 10, 10 });
  ck_assert (bw_vm_dirty_is_full (d));
  rects = bw_vm_dirty_peek (d, &n);
  ck_assert_uint_eq (n, 1);
  ck_assert_rect (rects[0], 0, 0, 1024, 768);
  /* Further adds do nothing while full. */
  bw_vm_dirty_add (d, &(BwVmRect) { 5, 5, 5, 5 });
  bw_vm_dirty_peek (d, &n);
  ck_assert_uint_eq (n, 1);
  bw_vm_dirty_clear (d);

  /* Half the screen or more: full. */
  bw_vm_dirty_add (d, &(BwVmRect) { 0, 0, 1024, 383 });
  ck_assert (!bw_vm_dirty_is_full (d));
  bw_vm_dirty_add (d, &(BwVmRect) { 0, 383, 1024, 1 });
  ck_assert (bw_vm_dirty_is_full (d));
}
END_TEST

START_TEST (test_dirty_no_size)
{
  g_autoptr (BwVmDirty) d = bw_vm_dirty_new ();
  guint n;
  bw_vm_dirty_set_size (d, 0, 0);
  ck_assert (bw_vm_dirty_is_empty (d));
  bw_vm_dirty_add (d, &(BwVmRect) { 0, 0, 10, 10 });
  bw_vm_dirty_peek (d, &n);
  ck_assert_uint_eq (n, 0);
}
END_TEST

START_TEST (test_memory_source)
{
  BwVmMemorySource *mem;
  g_autoptr (BwVmFrameSource) src = bw_vm_memory_source_new (320, 200, &mem);
  g_autoptr (GArray) rects = g_array_new (FALSE, FALSE, sizeof (BwVmRect));
  gboolean resized;
  int w, h, stride;
  guint32 *px;

  /* First update: resized. */
  ck_assert (bw_vm_frame_source_update (src, rects, &resized));
  ck_assert (resized);
  ck_assert_ptr_nonnull (bw_vm_frame_source_get_pixels (src, &w, &h, &stride));
  ck_assert_int_eq (w, 320);
  ck_assert_int_eq (h, 200);
  ck_assert_int_eq (stride, 320);
  /* Unchanged: no change reported, no rectangles. */
  for (int i = 0; i < 100; i++)
    ck_assert (!bw_vm_frame_source_update (src, rects, &resized));
  ck_assert_uint_eq (rects->len, 0);
  ck_assert_uint_eq (bw_vm_frame_source_get_n_updates (src), 101);
  /* A damaged rectangle comes out once, clipped. */
  px = bw_vm_memory_source_get_pixels (mem, &w, &h);
  px[5 * 320 + 7] = 0x123456;
  bw_vm_memory_source_damage (mem, 7, 5, 1, 1);
  bw_vm_memory_source_damage (mem, 310, 190, 100, 100);
  bw_vm_memory_source_damage (mem, 400, 0, 1, 1);
  ck_assert (bw_vm_frame_source_update (src, rects, &resized));
  ck_assert (!resized);
  ck_assert_uint_eq (rects->len, 2);
  ck_assert_rect (g_array_index (rects, BwVmRect, 0), 7, 5, 1, 1);
  ck_assert_rect (g_array_index (rects, BwVmRect, 1), 310, 190, 10, 10);
  ck_assert_uint_eq (bw_vm_frame_source_get_pixels (src, &w, &h, &stride)[5 * 320 + 7],
                     0x123456);
  g_array_set_size (rects, 0);
  ck_assert (!bw_vm_frame_source_update (src, rects, &resized));
  /* Blank (0x0): no pixels. */
  bw_vm_memory_source_resize (mem, 0, 0);
  ck_assert (bw_vm_frame_source_update (src, rects, &resized));
  ck_assert (resized);
  ck_assert_ptr_null (bw_vm_frame_source_get_pixels (src, &w, &h, &stride));
  ck_assert_int_eq (w, 0);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("ui-vm-display");
  TCase *tc = tcase_create ("geometry");
  tcase_add_test (tc, test_fit_letterbox);
  tcase_add_test (tc, test_fit_degenerate);
  tcase_add_test (tc, test_one_to_one);
  tcase_add_test (tc, test_fixed_scale);
  tcase_add_test (tc, test_integer_scale);
  tcase_add_test (tc, test_clip);
  suite_add_tcase (s, tc);
  tc = tcase_create ("dirty");
  tcase_add_test (tc, test_dirty_bookkeeping);
  tcase_add_test (tc, test_dirty_no_size);
  tcase_add_test (tc, test_memory_source);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
