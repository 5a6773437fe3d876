/* test-vga-seabios.c: SeaBIOS runs SeaVGABIOS from the VGA's ROM BAR on
 * the PC board (software CPU) and writes its banner and boot messages to
 * the text screen, which the read-out and a PNG show.
 *
 *   test-vga-seabios [BACKEND]   ("software" by default, or "kvm")
 * A missing backend or SeaBIOS skips the test. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include "bw-test.h"
#include "devices/board/bw-pc-board.h"
#include "devices/display/bw-vga.h"
#include "vmm/bw-firmware.h"
#include "vmm/bw-vm.h"
#include "vmm/bw-cpu-backend.h"

static const char *backend_name;

START_TEST (test_seabios_banner)
{
  g_autoptr (BwConfig) config = bw_config_new ();
  bw_config_set_int (config, "ram-mb", 32);
  bw_config_set_string (config, "acceleration", backend_name);
  bw_config_set_string (config, "devices/vga/class", BW_VGA_CLASS);
  bw_config_set_int (config, "devices/vga/vram-mb", 8);
  g_autoptr (GError) error = NULL;
  g_autoptr (BwVm) vm = bw_vm_new (config, &error);
  ck_assert_msg (vm, "%s", error ? error->message : "");
  g_autoptr (BwPcBoard) board = bw_pc_board_new (bw_vm_get_platform (vm), &error);
  ck_assert_msg (board, "%s", error ? error->message : "");
  bw_pc_board_attach (board, vm);
  BwDevice *vga = bw_platform_find_device (bw_vm_get_platform (vm), "vga");
  ck_assert_ptr_nonnull (vga);
  ck_assert_msg (bw_vm_start (vm, &error), "%s", error ? error->message : "");

  /* SeaBIOS finds no disk and says so on the screen. */
  g_autofree char *text = NULL;
  gint64 end = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end && bw_vm_get_state (vm) == BW_VM_STATE_RUNNING)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_clear_pointer (&text, g_free);
      text = bw_vga_get_screen_text (vga, NULL);
      if (text && strstr (text, "SeaBIOS") && strstr (text, "No bootable device"))
        break;
      g_usleep (50 * 1000);
    }
  BwVgaModeInfo info;
  bw_vga_get_mode (vga, &info);
  g_autoptr (GBytes) png = bw_vga_get_png (vga, &error);
  g_autofree char *log_text = bw_log_dup_contents (bw_vm_get_log (vm));
  if (bw_vm_get_state (vm) == BW_VM_STATE_RUNNING)
    bw_vm_power_off (vm, "test done", NULL);
  ck_assert_msg (text && strstr (text, "SeaBIOS"), "no SeaBIOS banner; screen:\n%s\nlog:\n%s",
                 text ? text : "(not text)", log_text);
  ck_assert_msg (strstr (text, "No bootable device"), "screen:\n%s", text);
  ck_assert_int_eq (info.kind, BW_VGA_MODE_TEXT);
  ck_assert_uint_eq (info.cols, 80);
  ck_assert_uint_eq (info.rows, 25);
  ck_assert_uint_eq (info.width, 720);
  ck_assert_ptr_nonnull (png);
  /* The banner's pixels: SeaVGABIOS loaded its font, so row 0 is not all
   * one colour. */
  guint w, h, stride;
  const guint32 *fb = bw_vga_get_framebuffer (vga, &w, &h, &stride);
  guint lit = 0;
  for (guint y = 0; y < 16; y++)
    for (guint x = 0; x < w; x++)
      lit += fb[y * stride + x] != fb[0];
  ck_assert_uint_gt (lit, 100);
  /* BW_VGA_SCREENSHOT=file keeps what the screen showed, for people. */
  const char *keep = g_getenv ("BW_VGA_SCREENSHOT");
  if (keep)
    {
      g_file_set_contents (keep, g_bytes_get_data (png, NULL), (gssize)g_bytes_get_size (png),
                           NULL);
      g_printerr ("%s", text);
    }
}
END_TEST

/* Byte o of the frame holds o mod 256 in the first 64 KiB. */
static guint32
pattern_pixel (guint x, guint y)
{
  guint o = (y * 1024 + x) * 3;
  return (o & 0xff) | (((o + 1) & 0xff) << 8) | (((o + 2) & 0xff) << 16);
}

START_TEST (test_seabios_vbe_mode)
{
  g_autofree char *rom = g_build_filename (g_getenv ("BW_BUILD_ROOT"), "tests", "devices",
                                           "display", "vbe-pattern.rom", NULL);
  g_autoptr (BwConfig) config = bw_config_new ();
  bw_config_set_int (config, "ram-mb", 32);
  bw_config_set_string (config, "acceleration", backend_name);
  bw_config_set_string (config, "devices/vga/class", BW_VGA_CLASS);
  bw_config_set_string (config, "firmware/option-roms/rom0/path", rom);
  g_autoptr (GError) error = NULL;
  g_autoptr (BwVm) vm = bw_vm_new (config, &error);
  ck_assert_msg (vm, "%s", error ? error->message : "");
  g_autoptr (BwPcBoard) board = bw_pc_board_new (bw_vm_get_platform (vm), &error);
  ck_assert_msg (board, "%s", error ? error->message : "");
  bw_pc_board_attach (board, vm);
  BwDevice *vga = bw_platform_find_device (bw_vm_get_platform (vm), "vga");
  ck_assert_msg (bw_vm_start (vm, &error), "%s", error ? error->message : "");

  g_autoptr (BwVgaClient) client = bw_vga_client_new (vga);
  BwVgaModeInfo info = { 0 };
  gboolean drawn = FALSE;
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!drawn && g_get_monotonic_time () < end && bw_vm_get_state (vm) == BW_VM_STATE_RUNNING)
    {
      g_usleep (50 * 1000);
      bw_vga_client_update (client, NULL);
      bw_vga_get_mode (vga, &info);
      if (info.kind == BW_VGA_MODE_VBE && info.width == 1024)
        {
          guint w, h, stride;
          const guint32 *fb = bw_vga_get_framebuffer (vga, &w, &h, &stride);
          /* The last whole pixel the ROM writes (line 21, x 340). */
          drawn = fb[21 * stride + 340] == pattern_pixel (340, 21);
        }
    }
  g_autofree char *log_text = bw_log_dup_contents (bw_vm_get_log (vm));
  if (bw_vm_get_state (vm) == BW_VM_STATE_RUNNING)
    bw_vm_power_off (vm, "test done", NULL);
  if (!drawn)
    {
      gsize len = strlen (log_text);
      g_printerr ("%s\n", log_text + (len > 3000 ? len - 3000 : 0));
    }
  ck_assert_msg (drawn, "no VBE pattern (mode %d %ux%ux%u)", info.kind, info.width, info.height,
                 info.bpp);
  ck_assert_uint_eq (info.height, 768);
  ck_assert_uint_eq (info.bpp, 24);
  guint w, h, stride;
  const guint32 *fb = bw_vga_get_framebuffer (vga, &w, &h, &stride);
  for (guint y = 0; y < 21; y++)
    for (guint x = 0; x < 1024; x += 7)
      ck_assert_uint_eq (fb[y * stride + x], pattern_pixel (x, y));
  /* Below the pattern the mode set cleared the screen. */
  ck_assert_uint_eq (fb[400 * stride + 500], 0);
}
END_TEST

int
main (int argc, char **argv)
{
  backend_name = argc > 1 ? argv[1] : "software";
  g_autofree char *bios = bw_firmware_seabios_path ("bios.bin");
  g_autofree char *vgabios = bw_firmware_seabios_path ("vgabios-stdvga.bin");
  const BwCpuBackend *backend = bw_cpu_backend_find (backend_name);
  if (!backend || !backend->probe (NULL) || !g_file_test (bios, G_FILE_TEST_EXISTS)
      || !g_file_test (vgabios, G_FILE_TEST_EXISTS))
    {
      g_print ("1..0 # SKIP no usable %s backend or no SeaBIOS\n", backend_name);
      return 0;
    }
  Suite *s = suite_create ("vga-seabios");
  TCase *tc = tcase_create ("boot");
  tcase_set_timeout (tc, 200);
  tcase_add_test (tc, test_seabios_banner);
  g_autofree char *rom
      = g_build_filename (g_getenv ("BW_BUILD_ROOT") ? g_getenv ("BW_BUILD_ROOT") : ".", "tests",
                          "devices", "display", "vbe-pattern.rom", NULL);
  if (g_file_test (rom, G_FILE_TEST_EXISTS))
    tcase_add_test (tc, test_seabios_vbe_mode);
  else
    g_printerr ("%s is missing (nasm?): the VBE case is left out\n", rom);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
