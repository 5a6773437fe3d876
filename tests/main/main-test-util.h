/* main-test-util.h: shared helpers of the app/main tests. */
#pragma once

#include <check.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "app/main/bw-machine-settings.h"

/* A fresh temporary folder used as HOME, BOXWOOD_USER_HOME's parent and
 * XDG_RUNTIME_DIR, so no test touches the real home. */
static inline char *
test_tmp_home (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("bw-main-test-XXXXXX", &error);
  ck_assert_msg (dir != NULL, "g_dir_make_tmp: %s", error ? error->message : "");
  g_autofree char *config = g_build_filename (dir, "config", NULL);
  g_autofree char *runtime = g_build_filename (dir, "runtime", NULL);
  g_mkdir_with_parents (runtime, 0700);
  g_setenv ("HOME", dir, TRUE);
  g_setenv ("BOXWOOD_USER_HOME", config, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", runtime, TRUE);
  return dir;
}

static inline void
test_rm_rf (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  if (d != NULL)
    {
      const char *n;
      while ((n = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *p = g_build_filename (path, n, NULL);
          test_rm_rf (p);
        }
      g_dir_close (d);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static inline char *
test_source_path (const char *rel)
{
  const char *root = g_getenv ("BW_SOURCE_ROOT");
  ck_assert_msg (root != NULL, "BW_SOURCE_ROOT is not set (run through meson test)");
  return g_build_filename (root, rel, NULL);
}

static inline char *
test_read_file (const char *path)
{
  char *data = NULL;
  GError *error = NULL;
  ck_assert_msg (g_file_get_contents (path, &data, NULL, &error), "read %s: %s", path,
                 error ? error->message : "");
  return data;
}

static inline void
test_write_file (const char *path, const char *data, gssize len)
{
  GError *error = NULL;
  ck_assert_msg (g_file_set_contents (path, data, len, &error), "write %s: %s", path,
                 error ? error->message : "");
}

/* Settings with every field away from its default, two levels of
 * snapshots and text that needs escaping. */
static inline BwMachineSettings *
test_full_settings (void)
{
  BwMachineSettings *s = bw_machine_settings_new ("Full <&> \"machine\" é", "Debian_64");
  BwHardware *hw = s->hardware;
  s->description = g_strdup ("line one\nline two & <three>\n  indented ünïcødé");
  hw->memory_mib = 3072;
  hw->cpu_count = 4;
  hw->acceleration = BW_ACCELERATION_SOFTWARE;
  hw->firmware = BW_FIRMWARE_EFI;
  hw->boot_order[0] = BW_BOOT_DEVICE_NET;
  hw->boot_order[1] = BW_BOOT_DEVICE_FLOPPY;
  hw->boot_order[2] = BW_BOOT_DEVICE_DISK;
  hw->boot_order[3] = BW_BOOT_DEVICE_DVD;
  hw->vram_mib = 64;
  hw->scale_mode = BW_SCALE_MODE_FIXED;
  hw->scale_percent = 150;
  hw->kernel = g_strdup ("/boot/vmlinuz-6.1 test");
  hw->initrd = g_strdup ("/boot/initrd.img");
  hw->cmdline = g_strdup ("console=ttyS0 root=/dev/sda1 quiet \"x\"");

  BwStorageController *ide = hw->storage_controllers->pdata[0];
  g_ptr_array_add (ide->attachments,
                   bw_storage_attachment_new (0, 0, BW_DEVICE_TYPE_HDD, "/vms/Full/Full.vdi"));
  g_ptr_array_add (ide->attachments,
                   bw_storage_attachment_new (1, 0, BW_DEVICE_TYPE_DVD, "/isos/debian.iso"));
  g_ptr_array_add (ide->attachments, bw_storage_attachment_new (1, 1, BW_DEVICE_TYPE_DVD, NULL));
  BwStorageController *second = bw_storage_controller_new ("IDE 2", BW_STORAGE_BUS_IDE);
  g_ptr_array_add (second->attachments,
                   bw_storage_attachment_new (0, 1, BW_DEVICE_TYPE_HDD, "/vms/Full/data.vdi"));
  g_ptr_array_add (hw->storage_controllers, second);

  hw->serial_ports[0].enabled = TRUE;
  hw->serial_ports[0].mode = BW_SERIAL_MODE_FILE;
  hw->serial_ports[0].path = g_strdup ("/tmp/com1.log");
  hw->serial_ports[1].enabled = TRUE;
  hw->serial_ports[1].mode = BW_SERIAL_MODE_UNIX_SOCKET;
  hw->serial_ports[1].path = g_strdup ("/run/user/1000/com2.sock");
  hw->serial_ports[1].server = TRUE;
  hw->serial_ports[2].io_base = 0x2e0;
  hw->serial_ports[2].irq = 11;

  g_free (hw->network_adapters[0].mac);
  hw->network_adapters[0].mac = g_strdup ("080027ABCDEF");
  hw->network_adapters[0].type = BW_NIC_TYPE_VIRTIO;
  hw->network_adapters[3].enabled = TRUE;
  hw->network_adapters[3].attachment = BW_NET_ATTACHMENT_HOST_ONLY;
  hw->network_adapters[3].type = BW_NIC_TYPE_AM79C973;
  g_clear_pointer (&hw->network_adapters[7].mac, g_free);

  /* Snapshot tree: root -> (a -> a1, b). */
  BwSnapshot *root = bw_snapshot_new ("Installed", hw);
  root->description = g_strdup ("fresh install");
  root->time_stamp = G_GINT64_CONSTANT (1700000000123456);
  root->hardware->memory_mib = 1024;
  BwSnapshot *a = bw_snapshot_new ("Updated", hw);
  a->state_file = g_strdup ("/vms/Full/Snapshots/{a}.sav");
  a->time_stamp = G_GINT64_CONSTANT (1700000100000000);
  a->hardware->cpu_count = 2;
  BwSnapshot *a1 = bw_snapshot_new ("Updated again", hw);
  a1->time_stamp = G_GINT64_CONSTANT (1700000200000000);
  BwSnapshot *b = bw_snapshot_new ("Branch", hw);
  b->time_stamp = G_GINT64_CONSTANT (1700000300000000);
  b->hardware->acceleration = BW_ACCELERATION_KVM;
  bw_snapshot_add_child (a, a1);
  bw_snapshot_add_child (root, a);
  bw_snapshot_add_child (root, b);
  s->first_snapshot = root;
  s->current_snapshot = g_strdup (a1->uuid);

  s->state_file = g_strdup ("/vms/Full/Snapshots/current.sav");
  s->state = BW_MACHINE_STATE_SAVED;
  s->last_state_change = G_GINT64_CONSTANT (1763760000654321);
  return s;
}
