/* test-ui-vm-vga.c: the VGA device as the VM display's frame source
 * (bw-vm-vga-source.h), on a PC board without firmware: a VBE mode set
 * through the Bochs ports and pixels written through the banked window
 * come out as changed rectangles and pixels; nothing changes, nothing
 * reported; a mode change is a resize. */
#include "config.h"

#include "bw-test.h"
#include "devices/board/bw-pc-board.h"
#include "devices/display/bw-vga.h"
#include "ui/vm/bw-vm-vga-source.h"
#include "vmm/bw-platform.h"

typedef struct
{
  BwConfig *config;
  BwPlatform *platform;
  BwPcBoard *board;
  BwDevice *vga;
} Board;

static Board *
board_new (void)
{
  Board *b = g_new0 (Board, 1);
  g_autoptr (GError) error = NULL;
  b->config = bw_config_new ();
  bw_config_set_string (b->config, "firmware/type", "none");
  bw_config_set_string (b->config, "devices/vga/class", "vga");
  bw_config_set_string (b->config, "devices/vga/rom", "");
  bw_config_set_int (b->config, "devices/vga/vram-mb", 4);
  BwPlatformOptions options
    = { .ram_size = 16u << 20, .clock_mode = BW_CLOCK_MANUAL, .config = b->config };
  b->platform = bw_platform_new (&options, &error);
  ck_assert_msg (b->platform != NULL, "platform: %s", error ? error->message : "");
  b->board = bw_pc_board_new (b->platform, &error);
  ck_assert_msg (b->board != NULL, "board: %s", error ? error->message : "");
  b->vga = bw_platform_find_device (b->platform, "vga");
  ck_assert_ptr_nonnull (b->vga);
  return b;
}

static void
board_free (Board *b)
{
  bw_pc_board_free (b->board);
  bw_platform_free (b->platform);
  bw_config_free (b->config);
  g_free (b);
}

static void
vbe (Board *b, guint16 index, guint16 value)
{
  guint64 v = index;
  bw_platform_pio (b->platform, 0x1ce, &v, 2, TRUE);
  v = value;
  bw_platform_pio (b->platform, 0x1cf, &v, 2, TRUE);
}

static void
vbe_mode (Board *b, guint w, guint h)
{
  vbe (b, 4, 0);
  vbe (b, 3, 32);
  vbe (b, 1, (guint16) w);
  vbe (b, 2, (guint16) h);
  vbe (b, 5, 0);
  vbe (b, 4, 0x01); /* enabled, banked window */
}

/* Pixel (x, y) of a 32-bpp mode of width w through the 64 KiB window. */
static void
put_pixel (Board *b, guint w, guint x, guint y, guint32 rgb)
{
  guint64 off = ((guint64) y * w + x) * 4;
  guint64 v = rgb;
  vbe (b, 5, (guint16) (off >> 16));
  bw_platform_mmio (b->platform, 0xa0000 + (off & 0xffff), &v, 4, TRUE);
}

START_TEST (test_vga_source)
{
  Board *b = board_new ();
  g_autoptr (BwVmFrameSource) src = bw_vm_vga_source_new (b->vga);
  g_autoptr (GArray) rects = g_array_new (FALSE, FALSE, sizeof (BwVmRect));
  gboolean resized;
  int w, h, stride;
  const guint32 *px;

  vbe_mode (b, 320, 200);
  ck_assert (bw_vm_frame_source_update (src, rects, &resized));
  ck_assert (resized);
  px = bw_vm_frame_source_get_pixels (src, &w, &h, &stride);
  ck_assert_ptr_nonnull (px);
  ck_assert_int_eq (w, 320);
  ck_assert_int_eq (h, 200);
  ck_assert_uint_eq (rects->len, 1);

  /* Unchanged: nothing. */
  g_array_set_size (rects, 0);
  ck_assert (!bw_vm_frame_source_update (src, rects, &resized));
  ck_assert (!resized);
  ck_assert_uint_eq (rects->len, 0);

  /* One pixel on line 150: a rectangle covering it, and its value. */
  put_pixel (b, 320, 17, 150, 0x00abcdef);
  ck_assert (bw_vm_frame_source_update (src, rects, &resized));
  ck_assert (!resized);
  ck_assert_uint_ge (rects->len, 1);
  {
    gboolean covered = FALSE;
    for (guint i = 0; i < rects->len; i++)
      {
        BwVmRect *r = &g_array_index (rects, BwVmRect, i);
        ck_assert (r->x >= 0 && r->y >= 0 && r->x + r->width <= 320 && r->y + r->height <= 200);
        covered |= r->x <= 17 && r->x + r->width > 17 && r->y <= 150 && r->y + r->height > 150;
      }
    ck_assert (covered);
  }
  px = bw_vm_frame_source_get_pixels (src, &w, &h, &stride);
  ck_assert_uint_eq (px[150 * stride + 17] & 0xffffff, 0xabcdef);

  /* A mode change is a resize. */
  g_array_set_size (rects, 0);
  vbe_mode (b, 640, 480);
  ck_assert (bw_vm_frame_source_update (src, rects, &resized));
  ck_assert (resized);
  bw_vm_frame_source_get_pixels (src, &w, &h, &stride);
  ck_assert_int_eq (w, 640);
  ck_assert_int_eq (h, 480);

  g_clear_pointer (&src, bw_vm_frame_source_unref);
  board_free (b);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("ui-vm-vga");
  TCase *tc = tcase_create ("vga-source");
  tcase_set_timeout (tc, 20);
  tcase_add_test (tc, test_vga_source);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
