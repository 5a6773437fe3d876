/* test-ide-boot.c: SeaBIOS (Debian's bios.bin) on the PC board finds the
 * PIIX3 IDE drives and boots from them: a boot sector (boot-sector.asm)
 * on a VDI disk as primary master, and the same sector as the El Torito
 * no-emulation image of an ISO built by the test on an ATAPI CD-ROM as
 * secondary master. The boot sector prints the BIOS drive number on
 * COM1; the log shows what SeaBIOS saw. Runs on the software CPU. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include "bw-test.h"
#include "devices/board/bw-pc-board.h"
#include "devices/storage/bw-disk.h"

static char *dir;

static void
setup (void)
{
  dir = g_dir_make_tmp ("bw-ide-boot-XXXXXX", NULL);
  ck_assert_ptr_nonnull (dir);
}

static void
teardown (void)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_unlink (p);
    }
  if (d)
    g_dir_close (d);
  g_rmdir (dir);
  g_clear_pointer (&dir, g_free);
}

static GBytes *
boot_sector (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("BW_BUILD_ROOT"), "tests", "devices",
                                            "ide", "boot-sector.bin", NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  ck_assert_msg (g_file_get_contents (path, &data, &len, NULL), "no %s", path);
  ck_assert_uint_eq (len, 512);
  return g_bytes_new (data, len);
}

static void
le32 (guint8 *p, guint32 v)
{
  for (guint i = 0; i < 4; i++)
    p[i] = (guint8) (v >> (8 * i));
}

static void
both32 (guint8 *p, guint32 v)
{
  for (guint i = 0; i < 4; i++)
    p[i] = p[7 - i] = (guint8) (v >> (8 * i));
}

/* 32 sectors: PVD (16), El Torito boot record (17), terminator (18),
 * boot catalog (19), the boot image (20), root directory (21). */
static char *
make_el_torito (GBytes *sector)
{
  const guint n = 32;
  g_autofree guint8 *img = g_malloc0 (n * 2048);
  guint8 *pvd = img + 16 * 2048;
  pvd[0] = 1;
  memcpy (pvd + 1, "CD001", 5);
  pvd[6] = 1;
  memset (pvd + 8, ' ', 64);
  memcpy (pvd + 40, "BOXWOOD_BOOT", 12);
  both32 (pvd + 80, n);
  pvd[120] = pvd[123] = 1;
  pvd[124] = pvd[127] = 1;
  pvd[129] = pvd[130] = 0x08; /* 2048, both-endian 16-bit */
  guint8 *root = pvd + 156;
  root[0] = 34;
  both32 (root + 2, 21);
  both32 (root + 10, 2048);
  root[25] = 0x02;
  root[28] = root[31] = 1;
  root[32] = 1;
  pvd[881] = 1;

  guint8 *br = img + 17 * 2048;
  memcpy (br + 1, "CD001", 5);
  br[6] = 1;
  memcpy (br + 7, "EL TORITO SPECIFICATION", 23);
  le32 (br + 71, 19);

  guint8 *term = img + 18 * 2048;
  term[0] = 255;
  memcpy (term + 1, "CD001", 5);
  term[6] = 1;

  guint8 *cat = img + 19 * 2048;
  cat[0] = 1; /* validation entry, x86 */
  cat[30] = 0x55;
  cat[31] = 0xaa;
  guint16 sum = 0;
  for (guint i = 0; i < 32; i += 2)
    sum += (guint16) (cat[i] | cat[i + 1] << 8);
  cat[28] = (guint8) (-sum);
  cat[29] = (guint8) ((guint16) (-sum) >> 8);
  cat[32] = 0x88; /* bootable, no emulation, segment 0 (07C0) */
  cat[38] = 4;    /* four 512-byte sectors */
  le32 (cat + 40, 20);

  memcpy (img + 20 * 2048, g_bytes_get_data (sector, NULL), 512);
  memcpy (img + 21 * 2048, root, 34);

  char *path = g_build_filename (dir, "boot.iso", NULL);
  ck_assert (g_file_set_contents (path, (const char *) img, n * 2048, NULL));
  return path;
}

/* Boots SeaBIOS with the given IDE configuration; returns COM1 output
 * and the log. */
static char *
boot (BwConfig *config, char **log_out)
{
  g_autofree char *serial = g_build_filename (dir, "serial.txt", NULL);
  bw_config_set_int (config, "ram-mb", 32);
  bw_config_set_string (config, "acceleration", "software");
  bw_config_set_string (config, "devices/serial0/class", "uart16550a");
  bw_config_set_string (config, "devices/serial0/mode", "file");
  bw_config_set_string (config, "devices/serial0/path", serial);
  bw_config_set_string (config, "devices/ide/class", "piix3-ide");

  g_autoptr (GError) error = NULL;
  BwVm *vm = bw_vm_new (config, &error);
  ck_assert_msg (vm, "%s", error ? error->message : "");
  BwPcBoard *board = bw_pc_board_new (bw_vm_get_platform (vm), &error);
  ck_assert_msg (board, "%s", error ? error->message : "");
  bw_pc_board_attach (board, vm);
  ck_assert_msg (bw_vm_start (vm, &error), "%s", error ? error->message : "");
  char *out = NULL;
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end && bw_vm_get_state (vm) == BW_VM_STATE_RUNNING)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_clear_pointer (&out, g_free);
      g_file_get_contents (serial, &out, NULL, NULL);
      if (out && strstr (out, "BOOTED DL=") && strchr (strstr (out, "BOOTED"), '\n'))
        break;
      g_usleep (10 * 1000);
    }
  *log_out = bw_log_dup_contents (bw_vm_get_log (vm));
  if (bw_vm_get_state (vm) == BW_VM_STATE_RUNNING)
    bw_vm_power_off (vm, "test done", NULL);
  bw_vm_free (vm);
  bw_pc_board_free (board);
  g_unlink (serial);
  return out ? out : g_strdup ("");
}

START_TEST (test_boot_disk)
{
  g_autoptr (GBytes) sector = boot_sector ();
  g_autofree char *path = g_build_filename (dir, "disk.vdi", NULL);
  BwDisk *disk = bw_disk_create (path, BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC, 32u << 20,
                                 NULL);
  ck_assert_ptr_nonnull (disk);
  ck_assert (bw_disk_write (disk, 0, g_bytes_get_data (sector, NULL), 512, NULL));
  bw_disk_unref (disk);

  g_autoptr (BwConfig) config = bw_config_new ();
  bw_config_set_string (config, "devices/ide/primary/master/type", "hdd");
  bw_config_set_string (config, "devices/ide/primary/master/path", path);
  bw_config_set_string (config, "devices/ide/secondary/master/type", "cdrom");
  g_autofree char *log = NULL;
  g_autofree char *out = boot (config, &log);
  ck_assert_msg (strstr (log, "BOXWOOD HARDDISK ATA-7 Hard-Disk (32 MiBytes)"),
                 "SeaBIOS did not list the disk: %s", log);
  ck_assert_msg (strstr (log, "BOXWOOD CD-ROM ATAPI-4 DVD/CD"), "no CD-ROM: %s", log);
  ck_assert_msg (strstr (out, "BOOTED DL=80\n"), "COM1 said: %s", out);
}
END_TEST

START_TEST (test_boot_cd)
{
  g_autoptr (GBytes) sector = boot_sector ();
  g_autofree char *iso = make_el_torito (sector);
  g_autoptr (BwConfig) config = bw_config_new ();
  bw_config_set_string (config, "devices/ide/secondary/master/type", "cdrom");
  bw_config_set_string (config, "devices/ide/secondary/master/path", iso);
  g_autofree char *log = NULL;
  g_autofree char *out = boot (config, &log);
  ck_assert_msg (strstr (log, "Booting from DVD/CD"), "SeaBIOS did not boot the CD: %s", log);
  /* SeaBIOS gives the first CD drive number E0h. */
  ck_assert_msg (strstr (out, "BOOTED DL=E0\n"), "COM1 said: %s", out);
}
END_TEST

static Suite *
ide_boot_suite (void)
{
  Suite *s = suite_create ("ide-boot");
  TCase *tc = tcase_create ("seabios");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_boot_disk);
  tcase_add_test (tc, test_boot_cd);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (ide_boot_suite ());
}
