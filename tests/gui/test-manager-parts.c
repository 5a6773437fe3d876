/* test-manager-parts.c: the manager's parts without a display: ISO volume
 * labels and the OS guess, the settings dialog's change list, the
 * wizard's name and folder checks, error text, the files a removal
 * deletes. */
#define G_LOG_DOMAIN "boxwood-test"
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "bw-test.h"
#include "ui/manager/bw-error-text.h"
#include "ui/manager/bw-iso-label.h"
#include "ui/manager/bw-machine-details.h"
#include "ui/manager/bw-machine-preview.h"
#include "ui/manager/bw-new-machine-wizard.h"
#include "ui/manager/bw-remove-dialog.h"
#include "ui/manager/bw-settings-changes.h"

static char *tmp_dir;

static void
setup (void)
{
  tmp_dir = g_dir_make_tmp ("bw-manager-parts-XXXXXX", NULL);
  ck_assert_ptr_nonnull (tmp_dir);
}

static void
rm_rf (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      GDir *dir = g_dir_open (path, 0, NULL);
      const char *name;
      while (dir && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      if (dir)
        g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
teardown (void)
{
  rm_rf (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
}

/* An image of `sectors` sectors with descriptors at 16, 17, ... */
static char *
write_iso (const char *name, const guint8 *types, guint n, const char *label, gsize total)
{
  g_autofree guint8 *data = g_malloc0 (total);
  for (guint i = 0; i < n && (16 + i + 1) * 2048 <= total; i++)
    {
      guint8 *d = data + (16 + i) * 2048;
      d[0] = types[i];
      memcpy (d + 1, "CD001", 5);
      d[6] = 1;
      if (types[i] == 1)
        {
          memset (d + 40, ' ', 32);
          memcpy (d + 40, label, MIN (strlen (label), 32));
        }
    }
  char *path = g_build_filename (tmp_dir, name, NULL);
  ck_assert (g_file_set_contents (path, (char *)data, total, NULL));
  return path;
}

START_TEST (iso_label_plain)
{
  const guint8 types[] = { 1, 255 };
  g_autofree char *path = write_iso ("a.iso", types, 2, "Debian 12.4.0 amd64 n", 20 * 2048);
  g_autoptr (GError) error = NULL;
  g_autofree char *label = bw_iso_read_volume_label (path, &error);
  ck_assert_ptr_nonnull (label);
  ck_assert_str_eq (label, "Debian 12.4.0 amd64 n");
  ck_assert_str_eq (bw_iso_guess_os_type (label), "Debian_64");
}
END_TEST

START_TEST (iso_label_after_boot_record)
{
  const guint8 types[] = { 0, 1, 255 };
  g_autofree char *path = write_iso ("b.iso", types, 3, "FreeBSD_Install", 20 * 2048);
  g_autofree char *label = bw_iso_read_volume_label (path, NULL);
  ck_assert_str_eq (label, "FreeBSD_Install");
  ck_assert_str_eq (bw_iso_guess_os_type (label), "FreeBSD");
}
END_TEST

START_TEST (iso_label_garbage_is_replaced)
{
  const guint8 types[] = { 1, 255 };
  g_autofree char *path = write_iso ("c.iso", types, 2, "AB\x01\xff", 20 * 2048);
  g_autofree char *label = bw_iso_read_volume_label (path, NULL);
  ck_assert_str_eq (label, "AB??");
  ck_assert_ptr_null (bw_iso_guess_os_type (label));
}
END_TEST

START_TEST (iso_not_an_iso)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *small = g_build_filename (tmp_dir, "small.iso", NULL);
  ck_assert (g_file_set_contents (small, "hello", 5, NULL));
  ck_assert_ptr_null (bw_iso_read_volume_label (small, &error));
  ck_assert (g_error_matches (error, BW_ISO_ERROR, BW_ISO_ERROR_NOT_ISO));
  ck_assert_ptr_nonnull (strstr (error->message, small));
  g_clear_error (&error);

  /* A terminator first: no primary descriptor. */
  const guint8 types[] = { 255, 1 };
  g_autofree char *term = write_iso ("t.iso", types, 2, "X", 20 * 2048);
  ck_assert_ptr_null (bw_iso_read_volume_label (term, &error));
  ck_assert (g_error_matches (error, BW_ISO_ERROR, BW_ISO_ERROR_NOT_ISO));
  g_clear_error (&error);

  g_autofree char *none = g_build_filename (tmp_dir, "none.iso", NULL);
  ck_assert_ptr_null (bw_iso_read_volume_label (none, &error));
  ck_assert (g_error_matches (error, BW_ISO_ERROR, BW_ISO_ERROR_IO));
}
END_TEST

START_TEST (os_guesses)
{
  ck_assert_str_eq (bw_iso_guess_os_type ("Ubuntu 22.04.3 LTS amd64"), "Ubuntu_64");
  ck_assert_str_eq (bw_iso_guess_os_type ("Fedora-WS-Live-39-1-5"), "Fedora");
  ck_assert_str_eq (bw_iso_guess_os_type ("CCCOMA_X64FRE_EN-US_DV9"), "Windows10_64");
  ck_assert_str_eq (bw_iso_guess_os_type ("FD13-LiveCD"), "DOS");
  ck_assert_ptr_null (bw_iso_guess_os_type ("GRUB2"));
  ck_assert_ptr_null (bw_iso_guess_os_type (""));
  ck_assert_ptr_null (bw_iso_guess_os_type (NULL));
}
END_TEST

static gboolean
has_change (GStrv changes, const char *key, const char *value)
{
  for (guint i = 0; changes[i] && changes[i + 1]; i += 2)
    if (g_str_equal (changes[i], key) && g_str_equal (changes[i + 1], value))
      return TRUE;
  return FALSE;
}

START_TEST (changes_none_when_equal)
{
  g_autoptr (BwMachineSettings) a = bw_machine_settings_new ("VM", "Debian_64");
  g_autoptr (BwMachineSettings) b = bw_machine_settings_copy (a);
  g_auto (GStrv) changes = bw_settings_changes_compute (a, b);
  ck_assert_uint_eq (g_strv_length (changes), 0);
}
END_TEST

START_TEST (changes_simple_fields)
{
  g_autoptr (BwMachineSettings) a = bw_machine_settings_new ("VM", "Debian_64");
  g_autoptr (BwMachineSettings) b = bw_machine_settings_copy (a);
  g_free (b->name);
  b->name = g_strdup ("Renamed");
  b->description = g_strdup ("notes");
  b->hardware->memory_mib = 1536;
  b->hardware->cpu_count = 2;
  b->hardware->vram_mib = 32;
  b->hardware->acceleration = BW_ACCELERATION_SOFTWARE;
  b->hardware->firmware = BW_FIRMWARE_EFI;
  b->hardware->boot_order[0] = BW_BOOT_DEVICE_DISK;
  b->hardware->scale_mode = BW_SCALE_MODE_FIXED;
  b->hardware->scale_percent = 150;
  g_free (b->hardware->os_type);
  b->hardware->os_type = g_strdup ("Ubuntu_64");
  g_auto (GStrv) changes = bw_settings_changes_compute (a, b);
  ck_assert (has_change (changes, "name", "Renamed"));
  ck_assert (has_change (changes, "description", "notes"));
  ck_assert (has_change (changes, "memory", "1536"));
  ck_assert (has_change (changes, "cpus", "2"));
  ck_assert (has_change (changes, "vram", "32"));
  ck_assert (has_change (changes, "acceleration", "software"));
  ck_assert (has_change (changes, "firmware", "efi"));
  ck_assert (has_change (changes, "boot1", "disk"));
  ck_assert (has_change (changes, "ostype", "Ubuntu_64"));
  ck_assert (has_change (changes, "scalemode", "fixed"));
  ck_assert (has_change (changes, "scalefactor", "150"));
  ck_assert_uint_eq (g_strv_length (changes), 22);

  /* Clearing the description sends an empty value. */
  g_auto (GStrv) back = bw_settings_changes_compute (b, a);
  ck_assert (has_change (back, "description", ""));
}
END_TEST

/* The preview's size and when it asks the VM process for the screen. */
START_TEST (preview_fit_and_states)
{
  int w, h;
  bw_machine_preview_fit (720, 400, 320, 240, &w, &h);
  ck_assert_int_eq (w, 320);
  ck_assert_int_eq (h, 178);
  bw_machine_preview_fit (640, 480, 320, 240, &w, &h);
  ck_assert_int_eq (w, 320);
  ck_assert_int_eq (h, 240);
  bw_machine_preview_fit (1024, 1536, 320, 240, &w, &h); /* tall: the height limits */
  ck_assert_int_eq (w, 160);
  ck_assert_int_eq (h, 240);
  bw_machine_preview_fit (200, 100, 320, 240, &w, &h); /* never enlarged */
  ck_assert_int_eq (w, 200);
  ck_assert_int_eq (h, 100);
  bw_machine_preview_fit (0, 0, 320, 240, &w, &h);
  ck_assert_int_eq (w, 1);
  ck_assert_int_eq (h, 1);
  ck_assert (bw_machine_preview_polls_state ("running"));
  ck_assert (bw_machine_preview_shows_state ("paused"));
  ck_assert (!bw_machine_preview_polls_state ("paused"));
  const char *idle[] = { "poweroff", "saved", "aborted", "starting", "stopping", NULL };
  for (guint i = 0; idle[i] != NULL; i++)
    {
      ck_assert (!bw_machine_preview_shows_state (idle[i]));
      ck_assert (!bw_machine_preview_polls_state (idle[i]));
    }
}
END_TEST

START_TEST (scaling_labels)
{
  g_autofree char *w = bw_scaling_label (BW_SCALE_MODE_WINDOW, 150);
  g_autofree char *one = bw_scaling_label (BW_SCALE_MODE_FIXED, 100);
  g_autofree char *f = bw_scaling_label (BW_SCALE_MODE_FIXED, 175);
  ck_assert_str_eq (w, "Scaled to the window");
  ck_assert_str_eq (one, "1:1 (100 %)");
  ck_assert_str_eq (f, "Fixed at 175 %");
}
END_TEST

START_TEST (changes_serial)
{
  g_autoptr (BwMachineSettings) a = bw_machine_settings_new ("VM", NULL);
  g_autoptr (BwMachineSettings) b = bw_machine_settings_copy (a);
  BwSerialPort *p = &b->hardware->serial_ports[0];
  p->enabled = TRUE;
  p->mode = BW_SERIAL_MODE_UNIX_SOCKET;
  p->server = TRUE;
  p->path = g_strdup ("/tmp/s");
  g_auto (GStrv) on = bw_settings_changes_compute (a, b);
  ck_assert (has_change (on, "uart1", "0x3f8 4"));
  ck_assert (has_change (on, "uartmode1", "server /tmp/s"));
  g_auto (GStrv) off = bw_settings_changes_compute (b, a);
  ck_assert (has_change (off, "uart1", "off"));
  ck_assert_uint_eq (g_strv_length (off), 2);
}
END_TEST

START_TEST (changes_storage)
{
  g_autoptr (BwMachineSettings) a = bw_machine_settings_new ("VM", NULL);
  BwStorageController *ca = bw_hardware_find_controller (a->hardware, "IDE");
  ck_assert_ptr_nonnull (ca);
  g_ptr_array_add (ca->attachments,
                   bw_storage_attachment_new (0, 0, BW_DEVICE_TYPE_HDD, "/d/old.vdi"));
  g_autoptr (BwMachineSettings) b = bw_machine_settings_copy (a);
  BwStorageController *cb = bw_hardware_find_controller (b->hardware, "IDE");
  g_ptr_array_set_size (cb->attachments, 0);
  g_ptr_array_add (cb->attachments,
                   bw_storage_attachment_new (0, 1, BW_DEVICE_TYPE_HDD, "/d/new.vdi"));
  g_ptr_array_add (cb->attachments, bw_storage_attachment_new (1, 0, BW_DEVICE_TYPE_DVD, NULL));
  g_auto (GStrv) changes = bw_settings_changes_compute (a, b);
  ck_assert (has_change (changes, "storageattach:IDE:0:0", "none"));
  ck_assert (has_change (changes, "storageattach:IDE:0:1", "hdd /d/new.vdi"));
  ck_assert (has_change (changes, "storageattach:IDE:1:0", "dvddrive emptydrive"));
  /* Detaching comes before attaching, so a freed slot can be reused. */
  ck_assert_str_eq (changes[0], "storageattach:IDE:0:0");

  /* A controller that is new is added before anything is attached to it. */
  g_autoptr (BwMachineSettings) c = bw_machine_settings_copy (a);
  BwStorageController *extra = bw_storage_controller_new ("IDE2", BW_STORAGE_BUS_IDE);
  g_ptr_array_add (extra->attachments,
                   bw_storage_attachment_new (0, 0, BW_DEVICE_TYPE_DVD, "/d/x.iso"));
  g_ptr_array_add (c->hardware->storage_controllers, extra);
  g_auto (GStrv) added = bw_settings_changes_compute (a, c);
  ck_assert_str_eq (added[0], "storagectl:IDE2");
  ck_assert_str_eq (added[1], "add ide");
  ck_assert (has_change (added, "storageattach:IDE2:0:0", "dvddrive /d/x.iso"));
  g_auto (GStrv) removed = bw_settings_changes_compute (c, a);
  ck_assert (has_change (removed, "storagectl:IDE2", "remove"));
}
END_TEST

START_TEST (wizard_checks)
{
  const char *taken[] = { "Debian", NULL };
  g_autofree char *empty = bw_new_machine_check_name ("", taken);
  g_autofree char *slash = bw_new_machine_check_name ("a/b", taken);
  g_autofree char *dup = bw_new_machine_check_name ("Debian", taken);
  g_autofree char *fine = bw_new_machine_check_name ("Debian 2", taken);
  ck_assert_ptr_nonnull (empty);
  ck_assert_ptr_nonnull (slash);
  ck_assert_ptr_nonnull (strstr (dup, "Debian"));
  ck_assert_ptr_null (fine);

  g_autofree char *relative = bw_new_machine_check_folder ("VMs", "x");
  ck_assert_ptr_nonnull (relative);
  /* A folder that does not exist yet is fine below a writable one. */
  g_autofree char *deep = g_build_filename (tmp_dir, "new", "deeper", NULL);
  g_autofree char *ok = bw_new_machine_check_folder (deep, "x");
  ck_assert_ptr_null (ok);
  /* A file in the way. */
  g_autofree char *file = g_build_filename (tmp_dir, "file", NULL);
  ck_assert (g_file_set_contents (file, "", 0, NULL));
  g_autofree char *below_file = g_build_filename (file, "sub", NULL);
  g_autofree char *not_dir = bw_new_machine_check_folder (below_file, "x");
  ck_assert_ptr_nonnull (not_dir);
  /* A machine already there. */
  g_autofree char *mdir = g_build_filename (tmp_dir, "m", NULL);
  g_mkdir_with_parents (mdir, 0700);
  g_autofree char *bwvm = g_build_filename (mdir, "m.bwvm", NULL);
  ck_assert (g_file_set_contents (bwvm, "", 0, NULL));
  g_autofree char *exists = bw_new_machine_check_folder (tmp_dir, "m");
  ck_assert_ptr_nonnull (exists);
}
END_TEST

START_TEST (error_text_advises)
{
  g_autoptr (GError) busy = g_error_new (BW_CLIENT_ERROR, BW_CLIENT_ERROR_BUSY,
                                         "machine 'x' is running; power it off first");
  g_autofree char *text = bw_error_text ("Could not change “x”", busy);
  ck_assert (g_str_has_prefix (text, "Could not change “x”: machine 'x' is running"));
  ck_assert_ptr_nonnull (strstr (text, "Power the machine off"));
  g_autoptr (GError) other = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "boom");
  g_autofree char *plain = bw_error_text ("Doing", other);
  ck_assert_str_eq (plain, "Doing: boom.");
}
END_TEST

START_TEST (remove_lists_files)
{
  g_autofree char *dir = g_build_filename (tmp_dir, "VM", NULL);
  g_autofree char *logs = g_build_filename (dir, "Logs", NULL);
  g_mkdir_with_parents (logs, 0700);
  g_autofree char *settings = g_build_filename (dir, "VM.bwvm", NULL);
  ck_assert (g_file_set_contents (settings, "x", 1, NULL));
  g_autoptr (GPtrArray) files = bw_remove_dialog_files_to_delete (settings);
  ck_assert_uint_eq (files->len, 2);
  ck_assert_str_eq (g_ptr_array_index (files, 0), settings);
  ck_assert_str_eq (g_ptr_array_index (files, 1), logs);
  g_autoptr (GPtrArray) nothing = bw_remove_dialog_files_to_delete (NULL);
  ck_assert_uint_eq (nothing->len, 0);
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("manager-parts");
  TCase *tc = tcase_create ("parts");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, iso_label_plain);
  tcase_add_test (tc, iso_label_after_boot_record);
  tcase_add_test (tc, iso_label_garbage_is_replaced);
  tcase_add_test (tc, iso_not_an_iso);
  tcase_add_test (tc, os_guesses);
  tcase_add_test (tc, changes_none_when_equal);
  tcase_add_test (tc, changes_simple_fields);
  tcase_add_test (tc, changes_serial);
  tcase_add_test (tc, preview_fit_and_states);
  tcase_add_test (tc, scaling_labels);
  tcase_add_test (tc, changes_storage);
  tcase_add_test (tc, wizard_checks);
  tcase_add_test (tc, error_text_advises);
  tcase_add_test (tc, remove_lists_files);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
