/* test-firmware.c: the BIOS image at the top of 4 GiB and in the ISA
 * window behind PAM, with SeaBIOS from Debian's package and with made-up
 * images; bad sizes and missing files give clear errors. */
#include "config.h"

#include <string.h>
#include "bw-test.h"
#include "vmm/bw-firmware.h"

static guint64
rd (BwPlatform *p, guint64 gpa, guint size)
{
  guint64 v = 0;
  bw_platform_mmio (p, gpa, &v, size, FALSE);
  return v;
}

START_TEST (test_seabios)
{
  g_autoptr (BwPlatform) p = bw_platform_new_test (32);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = bw_firmware_seabios_path ("bios.bin");
  g_autofree char *bios = NULL;
  gsize size = 0;
  ck_assert_msg (g_file_get_contents (path, &bios, &size, NULL),
                 "%s is missing: tools/setup installs the seabios package", path);

  ck_assert_msg (bw_firmware_load_bios (p, NULL, &error), "%s", error ? error->message : "");
  /* The reset vector: the image's last 16 bytes, at FFFFFFF0 and (through
   * the ISA window) at FFFF0. SeaBIOS starts with a far jump (EA). */
  guint8 vec[16];
  for (guint i = 0; i < 16; i++)
    vec[i] = (guint8) rd (p, 0xfffffff0 + i, 1);
  ck_assert_mem_eq (vec, bios + size - 16, 16);
  ck_assert_uint_eq (vec[0], 0xea);
  ck_assert_uint_eq (rd (p, 0xffff0, 4), rd (p, 0xfffffff0, 4));
  ck_assert_uint_eq (rd (p, 0xe0000, 4), rd (p, BW_MEMORY_4G - 0x20000, 4));
  /* Shadow RAM on: the window reads RAM (zeroed) instead. */
  bw_memory_set_pam (bw_platform_get_memory (p), 12, BW_PAM_RAM);
  ck_assert_uint_eq (rd (p, 0xffff0, 4), 0);
  g_autofree char *log = bw_log_dup_contents (bw_platform_get_log (p));
  ck_assert_ptr_nonnull (strstr (log, "Firmware: "));
  ck_assert_ptr_nonnull (strstr (log, "SHA-256 "));
}
END_TEST

START_TEST (test_small_and_large_images)
{
  /* 64 KiB: all of it in the ISA window, at F0000. */
  g_autoptr (BwPlatform) p = bw_platform_new_test (16);
  g_autofree guint8 *small = g_malloc (0x10000);
  for (guint i = 0; i < 0x10000; i++)
    small[i] = (guint8) (i >> 8);
  g_autoptr (GBytes) s = g_bytes_new (small, 0x10000);
  ck_assert (bw_firmware_map_bios (p, s, NULL));
  ck_assert_uint_eq (rd (p, 0xf0000, 1), 0x00);
  ck_assert_uint_eq (rd (p, 0xfff00, 1), 0xff);
  ck_assert_uint_eq (rd (p, 0xffff0000, 1), 0x00);
  ck_assert_uint_eq (rd (p, 0xe0000, 1), 0xff); /* nothing below F0000 */

  /* 256 KiB: only the last 128 KiB in the window. */
  g_autoptr (BwPlatform) q = bw_platform_new_test (16);
  g_autofree guint8 *big = g_malloc (0x40000);
  for (guint i = 0; i < 0x40000; i++)
    big[i] = (guint8) (i >> 16);
  g_autoptr (GBytes) b = g_bytes_new (big, 0x40000);
  ck_assert (bw_firmware_map_bios (q, b, NULL));
  ck_assert_uint_eq (rd (q, 0xfffc0000, 1), 0);
  ck_assert_uint_eq (rd (q, 0xe0000, 1), 2);
  ck_assert_uint_eq (rd (q, 0xfffff, 1), 3);
}
END_TEST

START_TEST (test_errors)
{
  g_autoptr (BwPlatform) p = bw_platform_new_test (16);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) odd = g_bytes_new_static ("\x90\x90\x90", 3);
  ck_assert (!bw_firmware_map_bios (p, odd, &error));
  ck_assert (g_error_matches (error, BW_FIRMWARE_ERROR, BW_FIRMWARE_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert (!bw_firmware_load_bios (p, "/nonexistent/bios.bin", &error));
  ck_assert (g_error_matches (error, BW_FIRMWARE_ERROR, BW_FIRMWARE_ERROR_MISSING));
  ck_assert_ptr_nonnull (strstr (error->message, "/nonexistent/bios.bin"));
  g_clear_error (&error);
  /* Nothing was mapped by the failures. */
  ck_assert_uint_eq (rd (p, 0xfffffff0, 4), 0xffffffff);
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("firmware");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_seabios);
  tcase_add_test (tc, test_small_and_large_images);
  tcase_add_test (tc, test_errors);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
