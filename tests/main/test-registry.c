/* test-registry.c: boxwood.xml and the machine and media registry. */
#include "config.h"

#include "app/main/bw-global-settings.h"
#include "app/main/bw-paths.h"
#include "app/main/bw-registry.h"
#include "app/main/bw-settings-error.h"
#include "app/main/bw-settings-schema.h"
#include "bw-test.h"
#include "main-test-util.h"

static char *tmp;

static void
setup (void)
{
  tmp = test_tmp_home ();
}

static void
teardown (void)
{
  test_rm_rf (tmp);
  g_clear_pointer (&tmp, g_free);
}

static BwRegistry *
open_ok (void)
{
  GError *error = NULL;
  BwRegistry *reg = bw_registry_open (NULL, &error);
  ck_assert_msg (reg != NULL, "%s", error ? error->message : "");
  return reg;
}

static BwMachineSettings *
create_ok (BwRegistry *reg, const char *name, char **path)
{
  GError *error = NULL;
  BwMachineSettings *s = bw_registry_create_machine (reg, name, "Debian_64", NULL, TRUE, path,
                                                     &error);
  ck_assert_msg (s != NULL, "create %s: %s", name, error ? error->message : "");
  return s;
}

START_TEST (paths_and_defaults)
{
  g_autofree char *home = bw_paths_user_home ();
  g_autofree char *config = g_build_filename (tmp, "config", NULL);
  ck_assert_str_eq (home, config);
  g_unsetenv ("BOXWOOD_USER_HOME");
  g_autofree char *xdg = bw_paths_user_home ();
  /* g_get_user_config_dir () is cached at first use; it honours
   * XDG_CONFIG_HOME set by the fixture before then. */
  ck_assert (g_str_has_suffix (xdg, "/boxwood"));
  g_setenv ("BOXWOOD_USER_HOME", config, TRUE);

  g_autoptr (BwRegistry) reg = open_ok ();
  BwGlobalSettings *g = bw_registry_get_global (reg);
  g_autofree char *folder = g_build_filename (tmp, "Boxwood VMs", NULL);
  ck_assert_str_eq (g->machine_folder, folder);
  ck_assert_uint_eq (g->machines->len, 0);
  /* Nothing is written until something changes. */
  ck_assert (!g_file_test (bw_registry_get_global_path (reg), G_FILE_TEST_EXISTS));
}
END_TEST

START_TEST (create_register_find)
{
  g_autoptr (BwRegistry) reg = open_ok ();
  g_autofree char *pa = NULL;
  g_autoptr (BwMachineSettings) a = create_ok (reg, "Alpha", &pa);
  g_autoptr (BwMachineSettings) b = create_ok (reg, "Beta", NULL);
  g_autofree char *expected = g_build_filename (tmp, "Boxwood VMs", "Alpha", "Alpha.bwvm", NULL);
  ck_assert_str_eq (pa, expected);
  ck_assert (g_file_test (pa, G_FILE_TEST_IS_REGULAR));
  GError *error = NULL;
  ck_assert_msg (bw_settings_schema_validate_file (pa, &error), "%s", error ? error->message : "");
  ck_assert_msg (bw_settings_schema_validate_file (bw_registry_get_global_path (reg), &error),
                 "%s", error ? error->message : "");

  /* Another registry object sees both, by name and by uuid. */
  g_autoptr (BwRegistry) other = open_ok ();
  g_autofree char *found_path = NULL;
  g_autoptr (BwMachineSettings) fa = bw_registry_find_machine (other, "Alpha", &found_path, &error);
  ck_assert_ptr_nonnull (fa);
  ck_assert_str_eq (fa->uuid, a->uuid);
  ck_assert_str_eq (found_path, pa);
  g_autofree char *braced = g_strdup_printf ("{%s}", b->uuid);
  g_autoptr (BwMachineSettings) fb = bw_registry_find_machine (other, braced, NULL, &error);
  ck_assert_ptr_nonnull (fb);
  ck_assert_str_eq (fb->name, "Beta");
  ck_assert_ptr_null (bw_registry_find_machine (other, "Gamma", NULL, &error));
  ck_assert_int_eq (error->code, BW_SETTINGS_ERROR_NOT_FOUND);
  ck_assert_msg (strstr (error->message, "Gamma"), "%s", error->message);
  g_clear_error (&error);

  /* Duplicates are refused. */
  ck_assert_ptr_null (bw_registry_create_machine (reg, "Alpha", NULL, NULL, TRUE, NULL, &error));
  ck_assert_int_eq (error->code, BW_SETTINGS_ERROR_EXISTS);
  g_clear_error (&error);
  ck_assert_ptr_null (bw_registry_register_machine (reg, pa, &error));
  ck_assert_int_eq (error->code, BW_SETTINGS_ERROR_EXISTS);
  g_clear_error (&error);
  ck_assert_ptr_null (bw_registry_create_machine (reg, "X", "NoSuchOS", NULL, TRUE, NULL, &error));
  ck_assert_int_eq (error->code, BW_SETTINGS_ERROR_NOT_FOUND);
  g_clear_error (&error);
}
END_TEST

START_TEST (unregister_and_register_again)
{
  g_autoptr (BwRegistry) reg = open_ok ();
  g_autofree char *pa = NULL;
  g_autoptr (BwMachineSettings) a = create_ok (reg, "Alpha", &pa);
  GError *error = NULL;
  g_autofree char *removed = NULL;
  ck_assert (bw_registry_unregister_machine (reg, "Alpha", FALSE, &removed, &error));
  ck_assert_str_eq (removed, pa);
  ck_assert (g_file_test (pa, G_FILE_TEST_EXISTS));
  ck_assert_uint_eq (bw_registry_get_global (reg)->machines->len, 0);

  g_autoptr (BwMachineSettings) r = bw_registry_register_machine (reg, pa, &error);
  ck_assert_msg (r != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (r->uuid, a->uuid);

  /* --delete removes the settings files and the empty folder. */
  g_autofree char *logs = bw_paths_machine_logs_dir (pa, TRUE, NULL);
  g_autofree char *log = g_build_filename (logs, "boxwood.log", NULL);
  test_write_file (log, "x", -1);
  r->hardware->memory_mib = 256;
  ck_assert (bw_machine_settings_save (r, pa, NULL));   /* makes -prev */
  ck_assert (bw_registry_unregister_machine (reg, a->uuid, TRUE, NULL, &error));
  g_autofree char *folder = g_path_get_dirname (pa);
  ck_assert_msg (!g_file_test (folder, G_FILE_TEST_EXISTS), "%s still exists", folder);

  ck_assert (!bw_registry_unregister_machine (reg, "Alpha", FALSE, NULL, &error));
  ck_assert_int_eq (error->code, BW_SETTINGS_ERROR_NOT_FOUND);
  g_clear_error (&error);
}
END_TEST

START_TEST (broken_machine_listed_with_error)
{
  g_autoptr (BwRegistry) reg = open_ok ();
  g_autofree char *pa = NULL, *pb = NULL, *pc = NULL;
  g_autoptr (BwMachineSettings) a = create_ok (reg, "Alpha", &pa);
  g_autoptr (BwMachineSettings) b = create_ok (reg, "Beta", &pb);
  g_autoptr (BwMachineSettings) c = create_ok (reg, "Gamma", &pc);

  /* Truncate Beta mid-file. */
  g_autofree char *text = test_read_file (pb);
  test_write_file (pb, text, strlen (text) / 2);
  g_autofree char *gamma_before = test_read_file (pc);

  g_autoptr (GPtrArray) list = bw_registry_list_machines (reg);
  ck_assert_uint_eq (list->len, 3);
  BwRegistryMachine *ma = list->pdata[0], *mb = list->pdata[1], *mc = list->pdata[2];
  ck_assert_ptr_nonnull (ma->settings);
  ck_assert_str_eq (ma->settings->name, "Alpha");
  ck_assert_ptr_null (mb->settings);
  ck_assert_ptr_nonnull (mb->error);
  ck_assert_str_eq (mb->path, pb);
  ck_assert_str_eq (mb->uuid, b->uuid);
  g_autofree char *prefix = g_strconcat (pb, ":", NULL);
  ck_assert_msg (g_str_has_prefix (mb->error->message, prefix), "%s", mb->error->message);
  ck_assert_msg (atoi (mb->error->message + strlen (prefix)) > 1, "%s", mb->error->message);
  ck_assert_ptr_nonnull (mc->settings);
  ck_assert_str_eq (mc->settings->name, "Gamma");

  /* Finding another machine still works; nothing else was touched. */
  GError *error = NULL;
  g_autoptr (BwMachineSettings) fc = bw_registry_find_machine (reg, "Gamma", NULL, &error);
  ck_assert_ptr_nonnull (fc);
  g_autofree char *gamma_after = test_read_file (pc);
  ck_assert_str_eq (gamma_before, gamma_after);

  /* A file whose uuid differs from the registered one is reported too. */
  g_autoptr (BwMachineSettings) swapped = bw_machine_settings_copy (a);
  g_free (swapped->uuid);
  swapped->uuid = g_uuid_string_random ();
  ck_assert (bw_machine_settings_save (swapped, pa, NULL));
  g_autoptr (GPtrArray) list2 = bw_registry_list_machines (reg);
  BwRegistryMachine *m0 = list2->pdata[0];
  ck_assert_ptr_null (m0->settings);
  ck_assert_msg (strstr (m0->error->message, "does not match"), "%s", m0->error->message);
}
END_TEST

START_TEST (global_round_trip_and_media)
{
  g_autoptr (BwRegistry) reg = open_ok ();
  GError *error = NULL;
  g_autofree char *odd = g_build_filename (tmp, "vms", "..", "machines", NULL);
  g_autofree char *clean = g_build_filename (tmp, "machines", NULL);
  ck_assert (bw_registry_set_machine_folder (reg, odd, &error));
  ck_assert_str_eq (bw_registry_get_global (reg)->machine_folder, clean);
  ck_assert (!bw_registry_set_machine_folder (reg, "/tmp/a\x01b", &error));
  ck_assert_int_eq (error->code, BW_SETTINGS_ERROR_INVALID);
  g_clear_error (&error);
  ck_assert_str_eq (bw_registry_get_global (reg)->machine_folder, clean);

  g_autoptr (BwMedium) disk = bw_medium_new (BW_MEDIUM_KIND_HDD,
                                             "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
                                             "/vms/a.vdi", "VDI");
  g_autoptr (BwMedium) diff = bw_medium_new (BW_MEDIUM_KIND_HDD,
                                             "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
                                             "/vms/Snapshots/{x}.vdi", "VDI");
  diff->parent_uuid = g_strdup (disk->uuid);
  diff->type = BW_MEDIUM_TYPE_IMMUTABLE;
  g_autoptr (BwMedium) iso = bw_medium_new (BW_MEDIUM_KIND_DVD,
                                            "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
                                            "/isos/debian.iso", "RAW");
  ck_assert (bw_registry_add_medium (reg, disk, &error));
  ck_assert (bw_registry_add_medium (reg, diff, &error));
  ck_assert (bw_registry_add_medium (reg, iso, &error));
  ck_assert (!bw_registry_add_medium (reg, disk, &error));
  ck_assert_int_eq (error->code, BW_SETTINGS_ERROR_EXISTS);
  g_clear_error (&error);
  g_autoptr (BwMachineSettings) a = create_ok (reg, "Alpha", NULL);

  const char *path = bw_registry_get_global_path (reg);
  ck_assert_msg (bw_settings_schema_validate_file (path, &error), "%s", error ? error->message : "");
  g_autoptr (BwGlobalSettings) back = bw_global_settings_load (path, &error);
  ck_assert_ptr_nonnull (back);
  ck_assert (bw_global_settings_equal (bw_registry_get_global (reg), back));
  ck_assert_uint_eq (back->media->len, 3);
  g_autoptr (GPtrArray) hdds = bw_registry_list_media (reg, BW_MEDIUM_KIND_HDD);
  g_autoptr (GPtrArray) dvds = bw_registry_list_media (reg, BW_MEDIUM_KIND_DVD);
  ck_assert_uint_eq (hdds->len, 2);
  ck_assert_uint_eq (dvds->len, 1);
  BwMedium *d = bw_global_settings_find_medium (back, BW_MEDIUM_KIND_HDD, "/vms/Snapshots/{x}.vdi");
  ck_assert_ptr_nonnull (d);
  ck_assert_str_eq (d->parent_uuid, disk->uuid);
  ck_assert_int_eq (d->type, BW_MEDIUM_TYPE_IMMUTABLE);
  ck_assert_int_eq (((BwMedium *) dvds->pdata[0])->type, BW_MEDIUM_TYPE_READONLY);

  ck_assert (bw_registry_remove_medium (reg, BW_MEDIUM_KIND_DVD, "/isos/debian.iso", &error));
  ck_assert (!bw_registry_remove_medium (reg, BW_MEDIUM_KIND_DVD, "/isos/debian.iso", &error));
  g_clear_error (&error);
  g_autoptr (BwRegistry) again = open_ok ();
  g_autoptr (GPtrArray) dvds2 = bw_registry_list_media (again, BW_MEDIUM_KIND_DVD);
  ck_assert_uint_eq (dvds2->len, 0);

  /* -prev of boxwood.xml exists after the second write and loads. */
  g_autofree char *prev = g_strconcat (path, "-prev", NULL);
  g_autoptr (BwGlobalSettings) p = bw_global_settings_load (prev, &error);
  ck_assert_ptr_nonnull (p);
}
END_TEST

START_TEST (global_unknown_xml_and_errors)
{
  g_autofree char *config = g_build_filename (tmp, "config", NULL);
  g_mkdir_with_parents (config, 0700);
  g_autofree char *path = g_build_filename (config, "boxwood.xml", NULL);
  test_write_file (path,
    "<?xml version=\"1.0\"?>\n"
    "<BoxwoodGlobal xmlns=\"https://boxwood.example/settings\" xmlns:x=\"urn:x\" version=\"1\">\n"
    "  <SystemProperties defaultMachineFolder=\"/m\" x:theme=\"dark\"/>\n"
    "  <MachineRegistry>\n"
    "    <MachineEntry uuid=\"0f8fad5b-d9cb-469f-a165-70867728950e\" src=\"/m/A/A.bwvm\" x:group=\"g\"/>\n"
    "  </MachineRegistry>\n"
    "  <x:Plugins><x:Plugin name=\"p\"/></x:Plugins>\n"
    "</BoxwoodGlobal>\n", -1);
  g_autofree char *original = test_read_file (path);
  g_autoptr (BwRegistry) reg = open_ok ();
  ck_assert_uint_eq (bw_registry_get_global (reg)->loaded_version, 1);
  GError *error = NULL;
  ck_assert (bw_registry_save (reg, &error));
  g_autofree char *backup = g_strconcat (path, "-v1.bak", NULL);
  g_autofree char *kept = test_read_file (backup);
  ck_assert_str_eq (kept, original);
  g_autofree char *text = test_read_file (path);
  ck_assert_msg (strstr (text, "x:theme=\"dark\"") && strstr (text, "x:group=\"g\"") &&
                 strstr (text, "<x:Plugin name=\"p\"/>") && strstr (text, "version=\"2\""),
                 "%s", text);
  ck_assert_msg (bw_settings_schema_validate_file (path, &error), "%s", error ? error->message : "");

  /* A broken boxwood.xml is an error naming it; it is not overwritten. */
  test_write_file (path, "<BoxwoodGlobal xmlns=\"https://boxwood.example/settings\" version=\"2\">\n"
                         "<MachineRegistry><MachineEntry src=\"/a\"/>\n</MachineRegistry></BoxwoodGlobal>", -1);
  ck_assert_ptr_null (bw_registry_open (NULL, &error));
  g_autofree char *prefix = g_strconcat (path, ":2: ", NULL);
  ck_assert_msg (g_str_has_prefix (error->message, prefix), "%s", error->message);
  g_clear_error (&error);
}
END_TEST

static Suite *
suite (void)
{
  Suite *s = suite_create ("registry");
  TCase *tc = tcase_create ("core");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, paths_and_defaults);
  tcase_add_test (tc, create_register_find);
  tcase_add_test (tc, unregister_and_register_again);
  tcase_add_test (tc, broken_machine_listed_with_error);
  tcase_add_test (tc, global_round_trip_and_media);
  tcase_add_test (tc, global_unknown_xml_and_errors);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (suite ());
}
