/* test-os-types.c: the guest OS type table, embedded and on disk. */
#include "config.h"

#include "app/main/bw-os-types.h"
#include "app/main/bw-settings-error.h"
#include "app/main/bw-settings-schema.h"
#include "bw-test.h"
#include "main-test-util.h"

START_TEST (required_entries)
{
  const char *required[] = {
    "Debian", "Debian_64", "Ubuntu", "Ubuntu_64", "Fedora", "Fedora_64", "OpenSUSE",
    "OpenSUSE_64", "ArchLinux", "ArchLinux_64", "Linux", "Linux_64", "WindowsXP",
    "WindowsXP_64", "WindowsVista", "WindowsVista_64", "Windows7", "Windows7_64", "Windows8",
    "Windows8_64", "Windows81", "Windows81_64", "Windows10", "Windows10_64", "Windows11_64",
    "FreeBSD", "FreeBSD_64", "OpenBSD", "OpenBSD_64", "NetBSD", "NetBSD_64", "DOS", "Other",
  };
  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      const BwOsType *t = bw_os_types_lookup (required[i]);
      ck_assert_msg (t != NULL, "missing OS type %s", required[i]);
      ck_assert_str_eq (t->id, required[i]);
      ck_assert_int_eq (t->is_64bit, g_str_has_suffix (required[i], "_64"));
      ck_assert (t->memory_mib >= 4 && t->disk_gib >= 1 && t->vram_mib >= 1);
    }
  ck_assert_str_eq (bw_os_types_lookup ("Debian_64")->family, "Linux");
  ck_assert_str_eq (bw_os_types_lookup ("Windows10_64")->family, "Windows");
  ck_assert_str_eq (bw_os_types_lookup ("NetBSD")->family, "BSD");
  ck_assert_str_eq (bw_os_types_lookup ("Windows10_64")->description, "Windows 10 (64-bit)");
  ck_assert_uint_eq (bw_os_types_lookup ("Windows11_64")->memory_mib, 4096);
  ck_assert_ptr_eq (bw_os_types_lookup ("debian_64"), bw_os_types_lookup ("Debian_64"));
  ck_assert_ptr_null (bw_os_types_lookup ("Windows11"));   /* no 32-bit Windows 11 */
  ck_assert_ptr_null (bw_os_types_lookup ("Plan9"));
  ck_assert_str_eq (bw_os_types_get_default ()->id, "Other");
}
END_TEST

START_TEST (file_matches_embedded_copy)
{
  g_autofree char *path = test_source_path ("data/ostypes.xml");
  GError *error = NULL;
  ck_assert_msg (bw_settings_schema_validate_file (path, &error), "%s",
                 error ? error->message : "");
  g_autoptr (GPtrArray) file = bw_os_types_load_file (path, &error);
  ck_assert_msg (file != NULL, "%s", error ? error->message : "");
  const GPtrArray *all = bw_os_types_get_all ();
  ck_assert_uint_eq (file->len, all->len);
  for (guint i = 0; i < all->len; i++)
    {
      const BwOsType *a = all->pdata[i], *b = file->pdata[i];
      ck_assert_str_eq (a->id, b->id);
      ck_assert_uint_eq (a->memory_mib, b->memory_mib);
    }
}
END_TEST

START_TEST (bad_tables_rejected)
{
  GError *error = NULL;
  const char *dup = "<OSTypes xmlns=\"https://boxwood.example/settings\" version=\"1\">\n"
                    "<OSType id=\"A\" family=\"Other\" description=\"a\" bits=\"32\" memoryMiB=\"8\" diskGiB=\"1\" vramMiB=\"1\"/>\n"
                    "<OSType id=\"a\" family=\"Other\" description=\"b\" bits=\"32\" memoryMiB=\"8\" diskGiB=\"1\" vramMiB=\"1\"/>\n"
                    "</OSTypes>";
  ck_assert_ptr_null (bw_os_types_load_from_data (dup, strlen (dup), "dup.xml", &error));
  ck_assert_msg (g_str_has_prefix (error->message, "dup.xml:3:"), "%s", error->message);
  g_clear_error (&error);
  const char *bits = "<OSTypes xmlns=\"https://boxwood.example/settings\" version=\"1\">\n"
                     "<OSType id=\"A\" family=\"Other\" description=\"a\" bits=\"48\" memoryMiB=\"8\" diskGiB=\"1\" vramMiB=\"1\"/>\n"
                     "</OSTypes>";
  ck_assert_ptr_null (bw_os_types_load_from_data (bits, strlen (bits), "bits.xml", &error));
  ck_assert_msg (strstr (error->message, "bits") != NULL, "%s", error->message);
  g_clear_error (&error);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("os-types");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, required_entries);
  tcase_add_test (tc, file_matches_embedded_copy);
  tcase_add_test (tc, bad_tables_rejected);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
