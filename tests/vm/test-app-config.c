/* test-app-config.c: boxwood-vm's translation of machine settings into
 * the VMM configuration tree, and its text-to-scancode table. */
#include "config.h"

#include <string.h>
#include "bw-test.h"
#include "app/vm/bw-vm-app-config.h"
#include "app/vm/bw-vm-app-keys.h"

static BwMachineSettings *
sample (void)
{
  BwMachineSettings *s = bw_machine_settings_new ("Test VM", "Debian");
  BwHardware *hw = s->hardware;
  hw->memory_mib = 256;
  hw->cpu_count = 2;
  hw->acceleration = BW_ACCELERATION_KVM;
  hw->boot_order[0] = BW_BOOT_DEVICE_DISK;
  hw->boot_order[1] = BW_BOOT_DEVICE_NONE;
  hw->boot_order[2] = BW_BOOT_DEVICE_DVD;
  hw->boot_order[3] = BW_BOOT_DEVICE_NET;
  hw->serial_ports[0].enabled = TRUE;
  hw->serial_ports[0].mode = BW_SERIAL_MODE_FILE;
  hw->serial_ports[0].path = g_strdup ("/tmp/com1.log");
  hw->serial_ports[1].enabled = TRUE;
  hw->serial_ports[1].mode = BW_SERIAL_MODE_UNIX_SOCKET;
  hw->serial_ports[1].server = TRUE;
  hw->serial_ports[1].path = g_strdup ("/tmp/com2.sock");
  hw->serial_ports[2].enabled = TRUE;
  hw->serial_ports[2].mode = BW_SERIAL_MODE_UNIX_SOCKET;
  hw->serial_ports[2].path = g_strdup ("/tmp/com3.sock");
  hw->serial_ports[3].enabled = FALSE;
  return s;
}

static const char *
str (BwConfig *c, const char *key)
{
  const char *v = NULL;
  g_autoptr (GError) error = NULL;
  ck_assert_msg (bw_config_get_string (c, key, &v, &error), "%s", error ? error->message : "");
  return v;
}

static gint64
num (BwConfig *c, const char *key)
{
  gint64 v = 0;
  g_autoptr (GError) error = NULL;
  ck_assert_msg (bw_config_get_int (c, key, &v, &error), "%s", error ? error->message : "");
  return v;
}

START_TEST (test_translation)
{
  g_autoptr (BwMachineSettings) s = sample ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BwConfig) c
    = bw_vm_app_config_from_settings (s, "/home/u/Boxwood VMs/Test VM/Test VM.bwvm", NULL, &error);
  ck_assert_msg (c, "%s", error ? error->message : "");
  ck_assert_str_eq (str (c, "name"), "Test VM");
  ck_assert_str_eq (str (c, "uuid"), s->uuid);
  ck_assert_int_eq (num (c, "ram-mb"), 256);
  ck_assert_int_eq (num (c, "cpus"), 2);
  ck_assert_str_eq (str (c, "acceleration"), "kvm");
  ck_assert_str_eq (str (c, "logs-dir"), "/home/u/Boxwood VMs/Test VM/Logs");
  ck_assert_str_eq (str (c, "firmware/type"), "bios");
  ck_assert_str_eq (str (c, "boot/order"), "cdn"); /* "none" slots skipped, three at most */
  ck_assert (!bw_config_has (c, "boot/kernel"));

  ck_assert_str_eq (str (c, "devices/serial0/class"), "uart16550a");
  ck_assert_int_eq (num (c, "devices/serial0/index"), 1);
  ck_assert_int_eq (num (c, "devices/serial0/iobase"), 0x3f8);
  ck_assert_int_eq (num (c, "devices/serial0/irq"), 4);
  ck_assert_str_eq (str (c, "devices/serial0/mode"), "file");
  ck_assert_str_eq (str (c, "devices/serial0/path"), "/tmp/com1.log");
  ck_assert_str_eq (str (c, "devices/serial1/mode"), "server");
  ck_assert_int_eq (num (c, "devices/serial1/iobase"), 0x2f8);
  ck_assert_int_eq (num (c, "devices/serial1/irq"), 3);
  ck_assert_str_eq (str (c, "devices/serial2/mode"), "client");
  ck_assert_str_eq (str (c, "devices/serial2/path"), "/tmp/com3.sock");
  ck_assert_ptr_null (bw_config_get_child (c, "devices/serial3"));
}
END_TEST

START_TEST (test_direct_boot)
{
  g_autoptr (BwMachineSettings) s = sample ();
  s->hardware->kernel = g_strdup ("/boot/vmlinuz");
  s->hardware->initrd = g_strdup ("/boot/initrd.img");
  s->hardware->cmdline = g_strdup ("console=ttyS0");
  g_autoptr (BwConfig) c = bw_vm_app_config_from_settings (s, NULL, NULL, NULL);
  ck_assert_str_eq (str (c, "boot/kernel"), "/boot/vmlinuz");
  ck_assert_str_eq (str (c, "boot/initrd"), "/boot/initrd.img");
  ck_assert_str_eq (str (c, "boot/cmdline"), "console=ttyS0");
  ck_assert (!bw_config_has (c, "logs-dir"));

  /* The command line's kernel replaces the settings' one, initrd included. */
  BwVmAppBootOverrides ov = { .kernel = "/tmp/bzImage", .cmdline = "quiet" };
  g_autoptr (BwConfig) c2 = bw_vm_app_config_from_settings (s, NULL, &ov, NULL);
  ck_assert_str_eq (str (c2, "boot/kernel"), "/tmp/bzImage");
  ck_assert (!bw_config_has (c2, "boot/initrd"));
  ck_assert_str_eq (str (c2, "boot/cmdline"), "quiet");

  /* A test image. */
  BwVmAppBootOverrides ov2 = { .image = "/tmp/guest.bin", .image_kind = "flat" };
  g_autoptr (BwConfig) c3 = bw_vm_app_config_from_settings (s, NULL, &ov2, NULL);
  ck_assert_str_eq (str (c3, "boot/image"), "/tmp/guest.bin");
  ck_assert_str_eq (str (c3, "boot/image-kind"), "flat");
  ck_assert (!bw_config_has (c3, "boot/kernel"));
}
END_TEST

START_TEST (test_efi_refused)
{
  g_autoptr (BwMachineSettings) s = sample ();
  s->hardware->firmware = BW_FIRMWARE_EFI;
  g_autoptr (GError) error = NULL;
  ck_assert_ptr_null (bw_vm_app_config_from_settings (s, NULL, NULL, &error));
  ck_assert (g_error_matches (error, BW_VM_APP_ERROR, BW_VM_APP_ERROR_UNSUPPORTED));
  ck_assert_ptr_nonnull (strstr (error->message, "Test VM"));
}
END_TEST

START_TEST (test_keys)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) k = bw_vm_app_keys_from_string ("aZ1!\n", &error);
  ck_assert_msg (k, "%s", error ? error->message : "");
  const guint8 want[] = { 0x1e, 0x9e,                   /* a */
                          0x2a, 0x2c, 0xac, 0xaa,       /* Z with shift */
                          0x02, 0x82,                   /* 1 */
                          0x2a, 0x02, 0x82, 0xaa,       /* ! */
                          0x1c, 0x9c };                 /* Enter */
  ck_assert_uint_eq (k->len, sizeof want);
  ck_assert_mem_eq (k->data, want, sizeof want);

  g_autoptr (GError) e2 = NULL;
  ck_assert_ptr_null (bw_vm_app_keys_from_string ("ok é", &e2));
  ck_assert_ptr_nonnull (strstr (e2->message, "U+00E9"));
  g_autoptr (GError) e3 = NULL;
  ck_assert_ptr_null (bw_vm_app_keys_from_string ("\x01", &e3));
}
END_TEST

/* The IDE controller's attachments become the PIIX3 IDE's drives, and
 * the VGA gets the VRAM size. */
START_TEST (test_storage)
{
  g_autoptr (BwMachineSettings) s = sample ();
  s->hardware->vram_mib = 32;
  BwStorageController *ide = bw_hardware_find_controller (s->hardware, "IDE");
  ck_assert (ide);
  g_ptr_array_add (ide->attachments,
                   bw_storage_attachment_new (0, 0, BW_DEVICE_TYPE_HDD, "/tmp/disk.vdi"));
  g_ptr_array_add (ide->attachments,
                   bw_storage_attachment_new (1, 0, BW_DEVICE_TYPE_DVD, "/tmp/cd.iso"));
  g_ptr_array_add (ide->attachments, bw_storage_attachment_new (1, 1, BW_DEVICE_TYPE_DVD, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (BwConfig) c = bw_vm_app_config_from_settings (s, NULL, NULL, &error);
  ck_assert_msg (c, "%s", error ? error->message : "");
  ck_assert_str_eq (str (c, "devices/ide/class"), "piix3-ide");
  ck_assert_str_eq (str (c, "devices/ide/primary/master/type"), "hdd");
  ck_assert_str_eq (str (c, "devices/ide/primary/master/path"), "/tmp/disk.vdi");
  ck_assert_str_eq (str (c, "devices/ide/secondary/master/type"), "cdrom");
  ck_assert_str_eq (str (c, "devices/ide/secondary/master/path"), "/tmp/cd.iso");
  ck_assert_str_eq (str (c, "devices/ide/secondary/slave/type"), "cdrom");
  ck_assert (!bw_config_has (c, "devices/ide/secondary/slave/path"));
  ck_assert (!bw_config_get_child (c, "devices/ide/primary/slave"));
  ck_assert_str_eq (str (c, "devices/vga/class"), "vga");
  ck_assert_int_eq (num (c, "devices/vga/vram-mb"), 32);

  /* A disk without an image cannot run. */
  g_ptr_array_add (ide->attachments, bw_storage_attachment_new (0, 1, BW_DEVICE_TYPE_HDD, NULL));
  g_autoptr (BwConfig) bad = bw_vm_app_config_from_settings (s, NULL, NULL, &error);
  ck_assert_ptr_null (bad);
  ck_assert_ptr_nonnull (strstr (error->message, "no image"));
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("app-config");
  TCase *tc = tcase_create ("config");
  tcase_add_test (tc, test_translation);
  tcase_add_test (tc, test_direct_boot);
  tcase_add_test (tc, test_efi_refused);
  tcase_add_test (tc, test_keys);
  tcase_add_test (tc, test_storage);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
