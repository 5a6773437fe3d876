/* test-svc-modify.c: ModifyMachine's key/value changes (bw-svc-modify.c),
 * applied to settings in memory. */
#define G_LOG_DOMAIN "boxwood-test"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "app/main/client/bw-client.h"
#include "app/svc/bw-svc-modify.h"
#include "bw-test.h"

static BwMachineSettings *settings;
static BwSvcModifyResult result;

static void
setup (void)
{
  settings = bw_machine_settings_new ("Test", "Debian_64");
  memset (&result, 0, sizeof result);
}

static void
teardown (void)
{
  bw_machine_settings_free (settings);
  bw_svc_modify_result_clear (&result);
}

static void
apply_ok (const char *key, const char *value)
{
  g_autoptr (GError) error = NULL;
  ck_assert_msg (bw_svc_modify_apply (settings, key, value, &result, &error), "%s=%s: %s", key,
                 value, error ? error->message : "");
  ck_assert_msg (bw_machine_settings_validate (settings, &error), "%s=%s: %s", key, value,
                 error ? error->message : "");
}

/* Must fail with INVALID_ARGUMENT and a message naming the key, leaving
 * the settings as they were. */
static void
apply_bad (const char *key, const char *value)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BwMachineSettings) before = bw_machine_settings_copy (settings);
  ck_assert_msg (!bw_svc_modify_apply (settings, key, value, &result, &error),
                 "%s=%s was accepted", key, value);
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT)
             || g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_NOT_FOUND));
  ck_assert_msg (strstr (error->message, key) != NULL, "%s", error->message);
  ck_assert_msg (bw_machine_settings_equal (before, settings), "%s=%s changed something", key,
                 value);
}

START_TEST (test_basic_keys)
{
  apply_ok ("memory", "2048");
  ck_assert_uint_eq (settings->hardware->memory_mib, 2048);
  apply_ok ("cpus", "4");
  ck_assert_uint_eq (settings->hardware->cpu_count, 4);
  apply_ok ("vram", "64");
  ck_assert_uint_eq (settings->hardware->vram_mib, 64);
  apply_ok ("scalemode", "fixed");
  ck_assert_int_eq (settings->hardware->scale_mode, BW_SCALE_MODE_FIXED);
  apply_ok ("scalefactor", "175");
  ck_assert_uint_eq (settings->hardware->scale_percent, 175);
  apply_ok ("acceleration", "software");
  ck_assert_int_eq (settings->hardware->acceleration, BW_ACCELERATION_SOFTWARE);
  apply_ok ("ostype", "windows10_64");
  ck_assert_str_eq (settings->hardware->os_type, "Windows10_64");
  apply_ok ("description", "a b c");
  ck_assert_str_eq (settings->description, "a b c");
  apply_ok ("description", "");
  ck_assert_ptr_null (settings->description);
  apply_ok ("boot4", "net");
  ck_assert_int_eq (settings->hardware->boot_order[3], BW_BOOT_DEVICE_NET);
  apply_ok ("kernel", "/boot/vmlinuz");
  apply_ok ("cmdline", "console=ttyS0 quiet");
  ck_assert_str_eq (settings->hardware->cmdline, "console=ttyS0 quiet");
  apply_ok ("kernel", "");
  ck_assert_ptr_null (settings->hardware->kernel);
  apply_ok ("name", "Other name");
  ck_assert_str_eq (settings->name, "Other name");
  ck_assert_str_eq (result.new_name, "Other name");
}
END_TEST

START_TEST (test_bad_values)
{
  apply_bad ("memory", "0");
  apply_bad ("memory", "12abc");
  apply_bad ("memory", "-5");
  apply_bad ("memory", "99999999999999999999");
  apply_bad ("cpus", "0");
  apply_bad ("cpus", "65");
  apply_bad ("vram", "257");
  apply_bad ("scalemode", "stretch");
  apply_bad ("scalefactor", "99");
  apply_bad ("scalefactor", "201");
  apply_bad ("acceleration", "fast");
  apply_bad ("firmware", "coreboot");
  apply_bad ("boot0", "disk");
  apply_bad ("boot5", "disk");
  apply_bad ("boot1", "tape");
  apply_bad ("ostype", "Plan9000");
  apply_bad ("kernel", "relative/vmlinuz");
  apply_bad ("name", "");
  apply_bad ("name", "a/b");
  apply_bad ("name", "..");
  apply_bad ("bogus", "1");
  apply_bad ("uart5", "off");
  apply_bad ("description", "\xff\xfe");
}
END_TEST

START_TEST (test_serial)
{
  apply_ok ("uart2", "0x2f8 3");
  BwSerialPort *p = &settings->hardware->serial_ports[1];
  ck_assert (p->enabled);
  ck_assert_uint_eq (p->io_base, 0x2f8);
  ck_assert_uint_eq (p->irq, 3);
  apply_ok ("uartmode2", "server /tmp/com 2.sock");
  ck_assert_int_eq (p->mode, BW_SERIAL_MODE_UNIX_SOCKET);
  ck_assert (p->server);
  ck_assert_str_eq (p->path, "/tmp/com 2.sock");
  apply_ok ("uartmode2", "client /tmp/c");
  ck_assert (!p->server);
  apply_ok ("uartmode2", "disconnected");
  ck_assert_int_eq (p->mode, BW_SERIAL_MODE_DISCONNECTED);
  ck_assert_ptr_null (p->path);
  apply_ok ("uart2", "off");
  ck_assert (!p->enabled);

  apply_bad ("uart1", "0x3f8");
  apply_bad ("uart1", "0x3f8 16");
  apply_bad ("uart1", "zz 4");
  apply_bad ("uartmode1", "file");
  apply_bad ("uartmode1", "file relative");
  apply_bad ("uartmode1", "tcpserver 5000");
}
END_TEST

START_TEST (test_network)
{
  apply_ok ("nic2", "nat");
  BwNetworkAdapter *n = &settings->hardware->network_adapters[1];
  ck_assert (n->enabled);
  ck_assert_int_eq (n->attachment, BW_NET_ATTACHMENT_NAT);
  apply_ok ("nic2", "null");
  ck_assert (n->enabled);
  ck_assert_int_eq (n->attachment, BW_NET_ATTACHMENT_NONE);
  apply_ok ("nictype2", "virtio");
  ck_assert_int_eq (n->type, BW_NIC_TYPE_VIRTIO);
  apply_ok ("macaddress2", "02:00:11:22:33:aa");
  ck_assert_str_eq (n->mac, "0200112233AA");
  apply_ok ("macaddress2", "auto");
  ck_assert_int_eq (strlen (n->mac), 12);
  apply_ok ("nic2", "none");
  ck_assert (!n->enabled);

  apply_bad ("nic9", "nat");
  apply_bad ("nic1", "wifi");
  apply_bad ("nictype1", "ne2000");
  apply_bad ("macaddress1", "0200112233");
  apply_bad ("macaddress1", "0300112233AA"); /* multicast */
  apply_bad ("macaddress1", "02001122GGAA");
}
END_TEST

START_TEST (test_storage)
{
  g_autofree char *dir = g_dir_make_tmp ("bw-modify-XXXXXX", NULL);
  g_autofree char *img = g_build_filename (dir, "cd.iso", NULL);
  ck_assert (g_file_set_contents (img, "iso", 3, NULL));

  /* A controller name may hold spaces and colons. */
  apply_ok ("storagectl:SATA: two", "add ide");
  BwStorageController *c = bw_hardware_find_controller (settings->hardware, "SATA: two");
  ck_assert_ptr_nonnull (c);
  g_autofree char *dvd = g_strconcat ("dvddrive ", img, NULL);
  apply_ok ("storageattach:SATA: two:1:0", dvd);
  BwStorageAttachment *a = bw_storage_controller_find (c, 1, 0);
  ck_assert_ptr_nonnull (a);
  ck_assert_int_eq (a->type, BW_DEVICE_TYPE_DVD);
  ck_assert_str_eq (a->medium, img);
  ck_assert_uint_eq (result.media->len, 1);

  apply_ok ("storageattach:SATA: two:1:0", "dvddrive emptydrive");
  a = bw_storage_controller_find (c, 1, 0);
  ck_assert_ptr_null (a->medium);
  apply_ok ("storageattach:SATA: two:1:0", "none");
  ck_assert_ptr_null (bw_storage_controller_find (c, 1, 0));

  apply_bad ("storagectl:IDE", "add ide"); /* new machines have "IDE" */
  apply_bad ("storagectl:X", "add scsi");
  apply_bad ("storagectl:X", "remove");
  apply_bad ("storageattach:X:0:0", "none");
  apply_bad ("storageattach:IDE:2:0", "none");
  apply_bad ("storageattach:IDE:0:2", "none");
  apply_bad ("storageattach:IDE:0", "none");
  apply_bad ("storageattach:IDE:0:0", "hdd emptydrive");
  apply_bad ("storageattach:IDE:0:0", "floppy /x");
  apply_bad ("storageattach:IDE:0:0", "hdd relative.vdi");
  apply_bad ("storageattach:IDE:0:0", "hdd /no/such/file.vdi");

  apply_ok ("storagectl:SATA: two", "remove");
  ck_assert_ptr_null (bw_hardware_find_controller (settings->hardware, "SATA: two"));
  g_unlink (img);
  g_rmdir (dir);
}
END_TEST

static Suite *
modify_suite (void)
{
  Suite *s = suite_create ("svc-modify");
  TCase *tc = tcase_create ("modify");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_basic_keys);
  tcase_add_test (tc, test_bad_values);
  tcase_add_test (tc, test_serial);
  tcase_add_test (tc, test_network);
  tcase_add_test (tc, test_storage);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (modify_suite ());
}
