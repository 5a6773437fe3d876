/* bench-ide.c: sequential disk throughput of an ATA disk on a VDI image
 * from inside a guest, against the host's own throughput on a raw file of
 * the same size in the same run (ratios, not absolute numbers).
 *
 * The guest (bench-ide.asm) runs on the PC board with the software CPU:
 * it reads the whole 128 MiB disk with READ DMA, 64 KiB per command
 * (twice), then writes it with WRITE DMA, waiting for IRQ 14 after each command. The
 * host times the phases by the lines the guest prints on COM1 (polled
 * every millisecond). The host side reads and writes a raw file with
 * 64 KiB pread/pwrite calls. Both see the page cache: the numbers compare
 * the paths (device model, worker thread, VDI layer) rather than the
 * disk.
 *
 *   meson test -C BUILD --benchmark ide-disk-throughput -v */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#include "devices/board/bw-pc-board.h"
#include "devices/storage/bw-disk.h"

#define DISK_BYTES (128u << 20)
#define CHUNK (64u << 10)

static void
fill_image (const char *path, BwDiskFormat format)
{
  g_autoptr (GError) error = NULL;
  BwDisk *disk = bw_disk_create (path, format, BW_DISK_VARIANT_DYNAMIC, DISK_BYTES, &error);
  if (!disk)
    g_error ("%s", error->message);
  g_autofree guint8 *buf = g_malloc (1u << 20);
  for (guint i = 0; i < (1u << 20); i++)
    buf[i] = (guint8) (i * 7 + 3);
  for (guint64 off = 0; off < DISK_BYTES; off += 1u << 20)
    if (!bw_disk_write (disk, off, buf, 1u << 20, &error))
      g_error ("%s", error->message);
  bw_disk_flush (disk, NULL);
  bw_disk_unref (disk);
}

/* Host: one pass of 64 KiB preads, then one of pwrites; seconds each. */
static void
host_pass (const char *path, double *read_s, double *write_s)
{
  int fd = g_open (path, O_RDWR, 0);
  g_assert (fd >= 0);
  g_autofree guint8 *buf = g_malloc (CHUNK);
  gint64 t0 = g_get_monotonic_time ();
  for (guint64 off = 0; off < DISK_BYTES; off += CHUNK)
    g_assert (pread (fd, buf, CHUNK, (off_t) off) == CHUNK);
  gint64 t1 = g_get_monotonic_time ();
  for (guint64 off = 0; off < DISK_BYTES; off += CHUNK)
    g_assert (pwrite (fd, buf, CHUNK, (off_t) off) == CHUNK);
  gint64 t2 = g_get_monotonic_time ();
  close (fd);
  *read_s = (t1 - t0) / 1e6;
  *write_s = (t2 - t1) / 1e6;
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = g_dir_make_tmp ("bw-bench-ide-XXXXXX", NULL);
  g_autofree char *vdi = g_build_filename (dir, "disk.vdi", NULL);
  g_autofree char *raw = g_build_filename (dir, "disk.raw", NULL);
  g_autofree char *serial = g_build_filename (dir, "serial.txt", NULL);
  const char *build = g_getenv ("BW_BUILD_ROOT");
  g_autofree char *image = g_build_filename (build ? build : ".", "tests", "devices", "ide",
                                             "bench-ide.bin", NULL);
  fill_image (vdi, BW_DISK_FORMAT_VDI);
  fill_image (raw, BW_DISK_FORMAT_RAW);

  g_autoptr (BwConfig) config = bw_config_new ();
  bw_config_set_int (config, "ram-mb", 16);
  bw_config_set_string (config, "acceleration", "software");
  bw_config_set_string (config, "devices/serial0/class", "uart16550a");
  bw_config_set_string (config, "devices/serial0/mode", "file");
  bw_config_set_string (config, "devices/serial0/path", serial);
  bw_config_set_string (config, "firmware/type", "none");
  bw_config_set_string (config, "boot/image", image);
  bw_config_set_string (config, "boot/image-kind", "flat");
  bw_config_set_string (config, "devices/ide/class", "piix3-ide");
  bw_config_set_string (config, "devices/ide/primary/master/type", "hdd");
  bw_config_set_string (config, "devices/ide/primary/master/path", vdi);
  /* BW_BENCH_IDE_IO=sync: disk I/O on the vCPU thread, for comparison. */
  if (g_getenv ("BW_BENCH_IDE_IO"))
    bw_config_set_string (config, "devices/ide/io", g_getenv ("BW_BENCH_IDE_IO"));

  g_autoptr (GError) error = NULL;
  BwVm *vm = bw_vm_new (config, &error);
  if (!vm)
    {
      g_print ("SKIP: %s\n", error->message);
      return 77;
    }
  BwPcBoard *board = bw_pc_board_new (bw_vm_get_platform (vm), &error);
  if (!board)
    g_error ("%s", error->message);
  bw_pc_board_attach (board, vm);
  if (!bw_vm_start (vm, &error))
    {
      g_print ("SKIP: %s\n", error->message);
      return 77;
    }

  static const char *const marks[] = { "START\n", "READ\n", "AGAIN\n", "WRITE\n", "DONE\n" };
  gint64 at[5] = { 0 };
  guint seen = 0;
  gint64 end = g_get_monotonic_time () + 300 * G_USEC_PER_SEC;
  g_autofree char *out = NULL;
  while (seen < 5 && g_get_monotonic_time () < end && bw_vm_get_state (vm) == BW_VM_STATE_RUNNING)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_clear_pointer (&out, g_free);
      g_file_get_contents (serial, &out, NULL, NULL);
      while (seen < 5 && out && strstr (out, marks[seen]))
        at[seen++] = g_get_monotonic_time ();
      if (out && strstr (out, "FAIL"))
        break;
      g_usleep (1000);
    }
  if (bw_vm_get_state (vm) == BW_VM_STATE_RUNNING)
    bw_vm_power_off (vm, "benchmark done", NULL);
  bw_vm_free (vm);
  bw_pc_board_free (board);
  if (seen < 5 || (out && strstr (out, "FAIL")))
    {
      g_printerr ("the guest did not finish: COM1 said: %s\n", out ? out : "");
      return 1;
    }

  /* The best of three host passes after a warm-up, the better of the
   * guest's two read passes: the machine is shared, the best run is the
   * one least disturbed. */
  double host_read = G_MAXDOUBLE, host_write = G_MAXDOUBLE, r, w;
  host_pass (raw, &r, &w);
  for (guint i = 0; i < 3; i++)
    {
      host_pass (raw, &r, &w);
      host_read = MIN (host_read, r);
      host_write = MIN (host_write, w);
    }
  double guest_read = MIN (at[1] - at[0], at[2] - at[1]) / 1e6;
  double guest_write = (at[3] - at[2]) / 1e6;
  double mb = DISK_BYTES / 1048576.0;
  g_print ("sequential read, 64 KiB commands: guest %.0f MiB/s (VDI), host %.0f MiB/s (raw file), "
           "ratio %.3f\n", mb / guest_read, mb / host_read, host_read / guest_read);
  g_print ("sequential write, 64 KiB commands: guest %.0f MiB/s (VDI), host %.0f MiB/s (raw "
           "file), ratio %.3f\n", mb / guest_write, mb / host_write, host_write / guest_write);
  g_print ("flush at the end: %.1f ms\n", (at[4] - at[3]) / 1e3);

  g_unlink (vdi);
  g_unlink (raw);
  g_unlink (serial);
  g_rmdir (dir);
  return 0;
}
