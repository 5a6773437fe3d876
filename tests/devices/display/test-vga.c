/* test-vga.c: the VGA's registers, the legacy window's access modes,
 * the PCI function with its BARs and VGA BIOS, and saved state. */
#include "config.h"

#include "vga-test.h"
#include "vmm/bw-firmware.h"

START_TEST (test_sequencer_gc_round_trip)
{
  VgaBoard *b = vga_board_new (1, NULL);
  /* Writable bits per register: what reads back after writing 0xff. */
  static const guint8 sr_bits[5] = { 0x03, 0x3d, 0x0f, 0x3f, 0x0e };
  for (guint i = 0; i < 5; i++)
    {
      vb_seq (b, (guint8)i, 0xff);
      ck_assert_uint_eq (vb_inb (b, 0x3c5), sr_bits[i]);
      vb_seq (b, (guint8)i, 0x00);
      ck_assert_uint_eq (vb_inb (b, 0x3c5), 0);
    }
  vb_outb (b, 0x3c4, 0x02);
  ck_assert_uint_eq (vb_inb (b, 0x3c4), 0x02);
  /* A word write carries index and data. */
  vb_out (b, 0x3c4, 0x0a02, 2);
  ck_assert_uint_eq (vb_inb (b, 0x3c5), 0x0a);

  static const guint8 gr_bits[9] = { 0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff };
  for (guint i = 0; i < 9; i++)
    {
      vb_gc (b, (guint8)i, 0xff);
      ck_assert_uint_eq (vb_inb (b, 0x3cf), gr_bits[i]);
      vb_gc (b, (guint8)i, 0x5a & gr_bits[i]);
      ck_assert_uint_eq (vb_inb (b, 0x3cf), 0x5a & gr_bits[i]);
    }
  vga_board_free (b);
}
END_TEST

START_TEST (test_crtc_protect)
{
  VgaBoard *b = vga_board_new (1, NULL);
  vb_crtc (b, 0x11, 0x00);
  for (guint i = 0; i <= 0x18; i++)
    {
      if (i == 0x11)
        continue;
      vb_crtc (b, (guint8)i, (guint8)(0x30 + i));
      ck_assert_uint_eq (vb_inb (b, 0x3d5), 0x30 + i);
    }
  /* Protected: CR00-CR06 keep their values, CR07 takes only bit 4. */
  vb_crtc (b, 0x11, 0x80);
  vb_crtc (b, 0x01, 0x99);
  ck_assert_uint_eq (vb_inb (b, 0x3d5), 0x31);
  vb_crtc (b, 0x07, 0xef);
  ck_assert_uint_eq (vb_inb (b, 0x3d5), 0x27);
  vb_crtc (b, 0x08, 0x77); /* not protected */
  ck_assert_uint_eq (vb_inb (b, 0x3d5), 0x77);
  vb_crtc (b, 0x11, 0x00);
  vb_crtc (b, 0x01, 0x99);
  ck_assert_uint_eq (vb_inb (b, 0x3d5), 0x99);

  /* Misc output bit 0 moves the CRTC between 3Dx and 3Bx. */
  vb_outb (b, 0x3c2, 0x66);
  ck_assert_uint_eq (vb_inb (b, 0x3cc), 0x66);
  ck_assert_uint_eq (vb_inb (b, 0x3d5), 0xff);
  vb_outb (b, 0x3b4, 0x01);
  ck_assert_uint_eq (vb_inb (b, 0x3b5), 0x99);
  vga_board_free (b);
}
END_TEST

START_TEST (test_attribute_flip_flop)
{
  VgaBoard *b = vga_board_new (1, NULL);
  vb_inb (b, 0x3da); /* index state */
  vb_outb (b, 0x3c0, 0x05);
  vb_outb (b, 0x3c0, 0x2a);
  ck_assert_uint_eq (vb_inb (b, 0x3c0), 0x05);
  ck_assert_uint_eq (vb_inb (b, 0x3c1), 0x2a);
  /* The next write is an index again; reading 3DA in between resets the
   * flip-flop even after an index write. */
  vb_outb (b, 0x3c0, 0x06);
  vb_inb (b, 0x3da);
  vb_outb (b, 0x3c0, 0x07);
  vb_outb (b, 0x3c0, 0x11);
  vb_outb (b, 0x3c0, 0x07);
  ck_assert_uint_eq (vb_inb (b, 0x3c1), 0x11);
  vb_outb (b, 0x3c0, 0x12); /* data for index 7 */
  ck_assert_uint_eq (vb_inb (b, 0x3c1), 0x12);
  vb_outb (b, 0x3c0, 0x06); /* an index again */
  vb_outb (b, 0x3c0, 0x21);
  ck_assert_uint_eq (vb_inb (b, 0x3c0), 0x06);
  ck_assert_uint_eq (vb_inb (b, 0x3c1), 0x21);
  /* Mode control drops bit 4; palette entries are 6 bits. */
  vb_attr (b, 0x10, 0xff);
  vb_inb (b, 0x3da);
  vb_outb (b, 0x3c0, 0x10);
  ck_assert_uint_eq (vb_inb (b, 0x3c1), 0xef);
  vb_inb (b, 0x3da);
  vb_attr (b, 0x03, 0xff);
  vb_inb (b, 0x3da);
  vb_outb (b, 0x3c0, 0x03);
  ck_assert_uint_eq (vb_inb (b, 0x3c1), 0x3f);
  vga_board_free (b);
}
END_TEST

START_TEST (test_dac_auto_increment)
{
  VgaBoard *b = vga_board_new (1, NULL);
  vb_outb (b, 0x3c8, 0x10);
  for (guint i = 0; i < 6; i++)
    vb_outb (b, 0x3c9, (guint8)(0x40 | (i * 7)));
  ck_assert_uint_eq (vb_inb (b, 0x3c8), 0x12);
  ck_assert_uint_eq (vb_inb (b, 0x3c7) & 3, 0); /* write mode */
  vb_outb (b, 0x3c7, 0x10);
  ck_assert_uint_eq (vb_inb (b, 0x3c7) & 3, 3);
  for (guint i = 0; i < 6; i++)
    ck_assert_uint_eq (vb_inb (b, 0x3c9), (i * 7) & 0x3f); /* 6 bits */
  /* Wraps from 255 to 0. */
  vb_dac (b, 0xff, 1, 2, 3);
  ck_assert_uint_eq (vb_inb (b, 0x3c8), 0x00);
  vb_outb (b, 0x3c6, 0x0f);
  ck_assert_uint_eq (vb_inb (b, 0x3c6), 0x0f);
  vga_board_free (b);
}
END_TEST

START_TEST (test_input_status_moves)
{
  VgaBoard *b = vga_board_new (1, NULL);
  /* Even on a clock that stands still, polling sees retrace come and go. */
  guint seen_on = 0, seen_off = 0;
  for (guint i = 0; i < 20000 && (!seen_on || !seen_off); i++)
    {
      if (vb_inb (b, 0x3da) & 0x08)
        seen_on++;
      else
        seen_off++;
    }
  ck_assert_uint_gt (seen_on, 0);
  ck_assert_uint_gt (seen_off, 0);
  vga_board_free (b);
}
END_TEST

/* Planar mode 12h: the write modes, set/reset, rotate, logical functions,
 * bit mask, the latches and both read modes. */
static guint8
plane_byte (VgaBoard *b, guint plane, guint32 off)
{
  vb_gc (b, 4, (guint8)plane);
  return vb_readb (b, 0xa0000 + off);
}

START_TEST (test_planar_write_modes)
{
  VgaBoard *b = vga_board_new (1, NULL);
  vb_mode_12h (b);

  /* Mode 0 with set/reset on planes 0 and 2 (colour 5), CPU data on the
   * others, rotated right by 4. */
  vb_gc (b, 0, 0x05);
  vb_gc (b, 1, 0x05);
  vb_gc (b, 3, 0x04);
  vb_writeb (b, 0xa0010, 0x3c);
  ck_assert_uint_eq (plane_byte (b, 0, 0x10), 0xff);
  ck_assert_uint_eq (plane_byte (b, 1, 0x10), 0xc3);
  ck_assert_uint_eq (plane_byte (b, 2, 0x10), 0xff);
  ck_assert_uint_eq (plane_byte (b, 3, 0x10), 0xc3);
  vb_gc (b, 1, 0x00);
  vb_gc (b, 3, 0x00);

  /* Bit mask keeps the latched bits; XOR combines with the latches. */
  vb_readb (b, 0xa0010); /* latches = ff c3 ff c3 */
  vb_gc (b, 8, 0x0f);
  vb_gc (b, 3, 0x18); /* XOR */
  vb_writeb (b, 0xa0010, 0xff);
  ck_assert_uint_eq (plane_byte (b, 0, 0x10), 0xf0);
  ck_assert_uint_eq (plane_byte (b, 1, 0x10), 0xcc);
  vb_gc (b, 3, 0x00);
  vb_gc (b, 8, 0xff);

  /* Mode 1 copies the latches (a screen-to-screen copy). */
  vb_readb (b, 0xa0010);
  vb_gc (b, 5, 0x01);
  vb_writeb (b, 0xa0020, 0x00);
  ck_assert_uint_eq (plane_byte (b, 0, 0x20), 0xf0);
  ck_assert_uint_eq (plane_byte (b, 1, 0x20), 0xcc);
  ck_assert_uint_eq (plane_byte (b, 2, 0x20), 0xf0);
  ck_assert_uint_eq (plane_byte (b, 3, 0x20), 0xcc);

  /* Mode 2: the CPU byte's low nibble is a colour for the masked bits. */
  vb_gc (b, 5, 0x02);
  vb_readb (b, 0xa0030);
  vb_gc (b, 8, 0x81);
  vb_writeb (b, 0xa0030, 0x09);
  ck_assert_uint_eq (plane_byte (b, 0, 0x30), 0x81);
  ck_assert_uint_eq (plane_byte (b, 1, 0x30), 0x00);
  ck_assert_uint_eq (plane_byte (b, 3, 0x30), 0x81);

  /* Mode 3: set/reset is the colour, the rotated CPU byte ANDs the mask. */
  vb_gc (b, 5, 0x03);
  vb_gc (b, 8, 0xf0);
  vb_gc (b, 0, 0x06);
  vb_readb (b, 0xa0040);
  vb_writeb (b, 0xa0040, 0x3c);
  ck_assert_uint_eq (plane_byte (b, 0, 0x40), 0x00);
  ck_assert_uint_eq (plane_byte (b, 1, 0x40), 0x30);
  ck_assert_uint_eq (plane_byte (b, 2, 0x40), 0x30);

  /* The map mask limits the planes written. */
  vb_gc (b, 5, 0x00);
  vb_gc (b, 8, 0xff);
  vb_gc (b, 0, 0x00);
  vb_seq (b, 2, 0x02);
  vb_writeb (b, 0xa0050, 0x77);
  ck_assert_uint_eq (plane_byte (b, 0, 0x50), 0x00);
  ck_assert_uint_eq (plane_byte (b, 1, 0x50), 0x77);
  vb_seq (b, 2, 0x0f);

  /* Read mode 1: colour compare of pixels at 0x30 (colour 9 at bits 7
   * and 0, colour 0 elsewhere). */
  vb_gc (b, 5, 0x08);
  vb_gc (b, 2, 0x09);
  vb_gc (b, 7, 0x0f);
  ck_assert_uint_eq (vb_readb (b, 0xa0030), 0x81);
  vb_gc (b, 2, 0x00);
  ck_assert_uint_eq (vb_readb (b, 0xa0030), 0x7e);
  vb_gc (b, 7, 0x00); /* nothing counts: all match */
  ck_assert_uint_eq (vb_readb (b, 0xa0030), 0xff);
  vga_board_free (b);
}
END_TEST

START_TEST (test_window_mapping)
{
  VgaBoard *b = vga_board_new (1, NULL);
  /* Mode 3 (after reset): odd/even at B8000; A0000 is outside. */
  vb_writeb (b, 0xb8000, 'H');
  vb_writeb (b, 0xb8001, 0x1f);
  vb_writeb (b, 0xb8002, 'i');
  ck_assert_uint_eq (vb_readb (b, 0xb8000), 'H');
  ck_assert_uint_eq (vb_readb (b, 0xb8001), 0x1f);
  ck_assert_uint_eq (vb_readb (b, 0xb8002), 'i');
  ck_assert_uint_eq (vb_readb (b, 0xa0000), 0xff);
  vb_writeb (b, 0xa0000, 0x12);
  ck_assert_uint_eq (vb_readb (b, 0xb0000), 0xff);
  /* In planar access the characters are in plane 0, attributes in plane
   * 1, at the even offsets. */
  vb_seq (b, 4, 0x06);
  vb_gc (b, 5, 0x00);
  vb_gc (b, 6, 0x05);
  ck_assert_uint_eq (plane_byte (b, 0, 0), 'H');
  ck_assert_uint_eq (plane_byte (b, 1, 0), 0x1f);
  ck_assert_uint_eq (plane_byte (b, 0, 2), 'i');
  /* Chain-4: consecutive bytes in consecutive planes. */
  vb_seq (b, 2, 0x0f);
  vb_seq (b, 4, 0x0e);
  for (guint i = 0; i < 8; i++)
    vb_writeb (b, 0xa0100 + i, (guint8)(0xa0 + i));
  vb_seq (b, 4, 0x06);
  ck_assert_uint_eq (plane_byte (b, 0, 0x100), 0xa0);
  ck_assert_uint_eq (plane_byte (b, 3, 0x100), 0xa3);
  ck_assert_uint_eq (plane_byte (b, 1, 0x104), 0xa5);
  /* Wider accesses are byte accesses in address order. */
  vb_seq (b, 4, 0x0e);
  guint64 v = 0x1122334455667788ull;
  bw_platform_mmio (b->platform, 0xa0200, &v, 8, TRUE);
  v = 0;
  bw_platform_mmio (b->platform, 0xa0200, &v, 4, FALSE);
  ck_assert_uint_eq (v, 0x55667788u);
  vga_board_free (b);
}
END_TEST

START_TEST (test_pci_function)
{
  g_autofree char *rom_path = bw_firmware_seabios_path ("vgabios-stdvga.bin");
  VgaBoard *b = vga_board_new (4, rom_path);
  guint devfn = vb_vga_devfn (b);
  ck_assert_uint_eq (vb_pci_read (b, devfn, 0x08) >> 8, 0x030000);
  /* BAR0: prefetchable 32-bit memory, 4 MiB. */
  vb_pci_write (b, devfn, 0x10, 0xffffffff);
  ck_assert_uint_eq (vb_pci_read (b, devfn, 0x10), 0xffc00008u);
  /* The ROM BAR holds SeaVGABIOS. */
  vb_pci_write (b, devfn, 0x30, 0xfffff800);
  guint32 rom_mask = vb_pci_read (b, devfn, 0x30);
  ck_assert_uint_ne (rom_mask & 0xfffff800u, 0);
  vb_pci_write (b, devfn, 0x30, 0xfe000000 | 1);
  vb_map_lfb (b);
  guint8 sig[2] = { 0 };
  ck_assert (bw_memory_read (bw_platform_get_memory (b->platform), 0xfe000000, sig, 2));
  ck_assert_uint_eq (sig[0], 0x55);
  ck_assert_uint_eq (sig[1], 0xaa);
  /* The LFB is VRAM: what VBE's bank shows through the window. */
  vb_vbe (b, 4, 0x00);
  vb_vbe (b, 1, 640);
  vb_vbe (b, 2, 480);
  vb_vbe (b, 3, 8);
  vb_vbe (b, 4, 0x41);
  vb_vbe (b, 5, 2);
  vb_writeb (b, 0xa0123, 0x5a);
  /* BAR2 mirrors the VBE and VGA registers. */
  vb_pci_write (b, devfn, 0x18, 0xfebf0000);
  guint64 v = 0;
  bw_platform_mmio (b->platform, 0xfebf0000 + 0x500 + 2 * 5, &v, 2, FALSE);
  ck_assert_uint_eq (v, 2);
  v = 0x0f02; /* sequencer index 2, map mask 0x0f */
  bw_platform_mmio (b->platform, 0xfebf0000 + 0x404, &v, 2, TRUE);
  ck_assert_uint_eq (vb_inb (b, 0x3c5), 0x0f);
  guint8 byte = 0;
  ck_assert (bw_memory_read (bw_platform_get_memory (b->platform), VB_LFB + 0x20123, &byte, 1));
  ck_assert_uint_eq (byte, 0x5a);
  vga_board_free (b);
}
END_TEST

START_TEST (test_missing_rom)
{
  g_autoptr (BwConfig) config = bw_config_new ();
  bw_config_set_string (config, "devices/vga/rom", "/nonexistent/vgabios.bin");
  BwPlatformOptions options
      = { .ram_size = 16u << 20, .clock_mode = BW_CLOCK_MANUAL, .config = config };
  g_autoptr (BwPlatform) platform = bw_platform_new (&options, NULL);
  ck_assert (bw_chipset_add (platform, NULL));
  ck_assert_ptr_nonnull (bw_platform_add_device (platform, BW_VGA_CLASS, "vga", NULL, NULL));
  g_autoptr (GError) error = NULL;
  ck_assert (!bw_platform_realize (platform, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "vgabios"));

  bw_config_set_int (config, "devices/vga/vram-mb", 1000);
  g_autoptr (GError) error2 = NULL;
  g_autoptr (BwPlatform) p2 = bw_platform_new (&options, NULL);
  ck_assert_ptr_nonnull (bw_platform_add_device (p2, BW_VGA_CLASS, "vga", NULL, NULL));
  ck_assert (!bw_platform_realize (p2, &error2));
  ck_assert_ptr_nonnull (strstr (error2->message, "vram-mb"));
}
END_TEST

START_TEST (test_saved_state)
{
  VgaBoard *b = vga_board_new (1, NULL);
  vb_writeb (b, 0xb8000, 'Z');
  vb_writeb (b, 0xb8001, 0x4e);
  vb_dac (b, 7, 1, 2, 3);
  vb_crtc (b, 0x0e, 0x01);
  vb_vbe (b, 5, 3);
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) bytes = NULL;
  ck_assert_msg (bw_vmstate_check (b->vga->klass->vmstate, b->vga, &bytes, &error), "%s",
                 error ? error->message : "");
  /* Registers and then the whole of VRAM. */
  ck_assert_uint_gt (bytes->len, 1u << 20);

  g_autoptr (GByteArray) all = g_byte_array_new ();
  bw_platform_save_state (b->platform, all);
  g_autofree char *text = bw_vga_get_screen_text (b->vga, NULL);
  vga_board_free (b);

  /* Into a fresh board: the same screen. */
  b = vga_board_new (1, NULL);
  ck_assert_msg (bw_platform_load_state (b->platform, all->data, all->len, &error), "%s",
                 error ? error->message : "");
  g_autofree char *text2 = bw_vga_get_screen_text (b->vga, NULL);
  ck_assert_str_eq (text, text2);
  ck_assert_uint_eq (vb_readb (b, 0xb8001), 0x4e);
  vga_board_free (b);

  /* Into a board with other VRAM: refused. */
  b = vga_board_new (2, NULL);
  g_clear_error (&error);
  ck_assert (!bw_platform_load_state (b->platform, all->data, all->len, &error));
  ck_assert (error != NULL);
  vga_board_free (b);
}
END_TEST

static Suite *
vga_suite (void)
{
  Suite *s = suite_create ("vga");
  TCase *tc = tcase_create ("registers");
  tcase_add_test (tc, test_sequencer_gc_round_trip);
  tcase_add_test (tc, test_crtc_protect);
  tcase_add_test (tc, test_attribute_flip_flop);
  tcase_add_test (tc, test_dac_auto_increment);
  tcase_add_test (tc, test_input_status_moves);
  suite_add_tcase (s, tc);
  tc = tcase_create ("memory");
  tcase_add_test (tc, test_planar_write_modes);
  tcase_add_test (tc, test_window_mapping);
  suite_add_tcase (s, tc);
  tc = tcase_create ("pci");
  tcase_add_test (tc, test_pci_function);
  tcase_add_test (tc, test_missing_rom);
  suite_add_tcase (s, tc);
  tc = tcase_create ("state");
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_saved_state);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (vga_suite ());
}
