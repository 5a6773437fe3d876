/* test-config.c: the configuration tree: paths, typed values, errors
 * that name the key, defaults, the dump written to the log. */
#include "config.h"

#include <string.h>
#include "bw-test.h"
#include "vmm/bw-config.h"

START_TEST (test_values_and_paths)
{
  g_autoptr (BwConfig) root = bw_config_new ();
  bw_config_set_int (root, "ram-mb", 512);
  bw_config_set_string (root, "acceleration", "software");
  bw_config_set_bool (root, "devices/serial0/enabled", TRUE);
  bw_config_set_int (root, "devices/serial0/port", 0x3f8);
  bw_config_set_string (root, "devices/serial0/class", "uart16550");

  gint64 v;
  ck_assert (bw_config_get_int (root, "ram-mb", &v, NULL));
  ck_assert_int_eq (v, 512);
  BwConfig *serial = bw_config_get_child (root, "devices/serial0");
  ck_assert_ptr_nonnull (serial);
  ck_assert_str_eq (bw_config_get_name (serial), "serial0");
  ck_assert_ptr_eq (bw_config_get_parent (bw_config_get_parent (serial)), root);
  ck_assert (bw_config_get_int (serial, "port", &v, NULL));
  ck_assert_int_eq (v, 0x3f8);
  gboolean b = FALSE;
  ck_assert (bw_config_get_bool (serial, "enabled", &b, NULL));
  ck_assert (b);
  const char *s;
  ck_assert (bw_config_get_string (root, "devices/serial0/class", &s, NULL));
  ck_assert_str_eq (s, "uart16550");
  ck_assert_ptr_eq (bw_config_ensure_child (root, "devices/serial0"), serial);
  ck_assert_uint_eq (g_list_length (bw_config_get_children (bw_config_get_child (root, "devices"))),
                     1);

  /* Replacing a value changes its type. */
  bw_config_set_string (root, "ram-mb", "lots");
  ck_assert_int_eq (bw_config_get_type (root, "ram-mb"), BW_CONFIG_TYPE_STRING);
  ck_assert (bw_config_remove (root, "ram-mb"));
  ck_assert (!bw_config_has (root, "ram-mb"));
  ck_assert (!bw_config_remove (root, "ram-mb"));

  g_autoptr (GBytes) bytes = g_bytes_new ("abc", 3);
  bw_config_set_bytes (root, "firmware/blob", bytes);
  GBytes *got = NULL;
  ck_assert (bw_config_get_bytes (root, "firmware/blob", &got, NULL));
  ck_assert (g_bytes_equal (got, bytes));
  g_bytes_unref (got);
}
END_TEST

START_TEST (test_errors)
{
  g_autoptr (BwConfig) root = bw_config_new ();
  bw_config_set_string (root, "devices/ide0/image", "disk.vdi");
  bw_config_set_int (root, "cpus", 99);
  g_autoptr (GError) error = NULL;
  gint64 v;

  BwConfig *ide = bw_config_get_child (root, "devices/ide0");
  ck_assert (!bw_config_get_int (ide, "image", &v, &error));
  ck_assert (g_error_matches (error, BW_CONFIG_ERROR, BW_CONFIG_ERROR_TYPE));
  ck_assert_ptr_nonnull (strstr (error->message, "devices/ide0/image"));
  g_clear_error (&error);
  ck_assert (!bw_config_get_int (ide, "size", &v, &error));
  ck_assert (g_error_matches (error, BW_CONFIG_ERROR, BW_CONFIG_ERROR_NOT_FOUND));
  ck_assert_ptr_nonnull (strstr (error->message, "devices/ide0/size"));
  g_clear_error (&error);
  ck_assert (!bw_config_get_int_range (root, "cpus", 1, 64, &v, &error));
  ck_assert (g_error_matches (error, BW_CONFIG_ERROR, BW_CONFIG_ERROR_RANGE));
  g_clear_error (&error);
  ck_assert_ptr_null (bw_config_get_child (root, "no/such"));
  ck_assert_ptr_null (bw_config_get_child (root, "bad key"));
  ck_assert (!bw_config_has (root, "../x"));

  /* Defaults for missing keys. */
  ck_assert_int_eq (bw_config_get_int_default (root, "missing", 7), 7);
  ck_assert_int_eq (bw_config_get_int_default (root, "cpus", 7), 99);
  ck_assert (bw_config_get_bool_default (root, "missing", TRUE));
  ck_assert_str_eq (bw_config_get_string_default (ide, "image", "x"), "disk.vdi");
}
END_TEST

START_TEST (test_dump)
{
  g_autoptr (BwConfig) root = bw_config_new ();
  bw_config_set_string (root, "name", "Deb \"12\"");
  bw_config_set_int (root, "ram-mb", 256);
  bw_config_set_bool (root, "devices/rtc/utc", FALSE);
  g_autoptr (GString) out = g_string_new (NULL);
  bw_config_dump (root, out);
  ck_assert_str_eq (out->str, "name = \"Deb \\\"12\\\"\"\n"
                              "ram-mb = 256 (0x100)\n"
                              "devices/\n"
                              "  rtc/\n"
                              "    utc = false\n");
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("config");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_values_and_paths);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_dump);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
