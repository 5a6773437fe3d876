/* fuzz-vdi.c: libFuzzer target for the VDI reader.
 *
 * Each input is written to a temporary .vdi file, opened through the disk
 * API (detection, header and map validation, info) and read; when it
 * opens, it is also opened read-write and one sector is written and read
 * back, which exercises block allocation in whatever layout the input
 * describes. Differencing inputs get a real parent (any UUID is answered
 * with it; the seed's UUID matches), so parent reads and copy-up run too.
 *
 *   CC=clang meson setup build-fuzz -Dfuzzing=true -Dgui=disabled
 *   ninja -C build-fuzz tests/storage/fuzz-vdi
 *   mkdir -p build-fuzz/corpus-vdi
 *   build-fuzz/tests/storage/fuzz-vdi -max_total_time=120 build-fuzz/corpus-vdi \
 *       tests/storage/corpus-vdi
 * (new inputs go to the first folder; the committed seeds stay as they are) */
#include "config.h"

#include "devices/storage/bw-disk.h"
#include "devices/storage/bw-vdi.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* The differencing seed names this parent UUID (bytes 0x21..0x30 in the
 * file), so mutated children can reach a real parent. */
#define FUZZ_PARENT_UUID "24232221-2625-2827-292a-2b2c2d2e2f30"

static char *fuzz_path;
static char *parent_path;

static void
remove_files (void)
{
  if (fuzz_path)
    unlink (fuzz_path);
  if (parent_path)
    unlink (parent_path);
}

static const char *
scratch_dir (void)
{
  return g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir ();
}

/* A 4 MiB dynamic parent with data in its first two blocks, made once. */
static void
make_parent (void)
{
  parent_path = g_strdup_printf ("%s/bw-fuzz-vdi-parent-%d.vdi", scratch_dir (), (int) getpid ());
  unlink (parent_path);
  BwDisk *parent = bw_disk_create (parent_path, BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC,
                                   4 * 1024 * 1024, NULL);
  if (parent == NULL || !bw_disk_set_uuid (parent, FUZZ_PARENT_UUID, NULL))
    abort ();
  guint8 buf[4096];
  memset (buf, 0x3c, sizeof buf);
  if (!bw_disk_write (parent, 0, buf, sizeof buf, NULL)
      || !bw_disk_write (parent, 1024 * 1024 + 512, buf, sizeof buf, NULL))
    abort ();
  bw_disk_unref (parent);
}

static char *
lookup_parent (const char *uuid, const char *child_path, gpointer user_data)
{
  return g_strdup (parent_path);
}

static const char *
input_file (const guint8 *data, size_t size)
{
  if (fuzz_path == NULL)
    {
      fuzz_path = g_strdup_printf ("%s/bw-fuzz-vdi-%d.vdi", scratch_dir (), (int) getpid ());
      make_parent ();
      atexit (remove_files);
    }
  int fd = open (fuzz_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    abort ();
  if (size > 0 && write (fd, data, size) != (ssize_t) size)
    abort ();
  close (fd);
  return fuzz_path;
}

static void
read_some (BwDisk *disk)
{
  guint8 buf[4096];
  guint64 size = bw_disk_get_size (disk);
  BwDiskInfo info;
  bw_disk_get_info (disk, &info);
  guint64 step = info.block_size ? info.block_size : 4096;
  /* The first sector of up to 64 blocks, a read across a block boundary,
   * and the last bytes. */
  for (guint64 off = 0, n = 0; off < size && n < 64; off += step, n++)
    bw_disk_read (disk, off, buf, (gsize) MIN ((guint64) 512, size - off), NULL);
  if (size > step + 256)
    bw_disk_read (disk, step - 256, buf, 512, NULL);
  if (size >= sizeof buf)
    bw_disk_read (disk, size - sizeof buf, buf, sizeof buf, NULL);
  /* Past the end must fail, never crash. */
  g_autoptr (GError) error = NULL;
  if (bw_disk_read (disk, size, buf, 1, &error))
    abort ();
}

static void
write_one (const char *path, const guint8 *data, size_t size)
{
  BwDisk *disk = bw_disk_open_full (path, BW_DISK_OPEN_READ_WRITE, NULL, lookup_parent, NULL,
                                    NULL);
  if (disk == NULL)
    return;
  BwDiskInfo info;
  bw_disk_get_info (disk, &info);
  guint64 disk_size = info.virtual_size;
  /* Large blocks make each allocation slow without finding more. */
  if (info.block_size <= 1024 * 1024 && disk_size >= 512)
    {
      guint8 sector[512], back[512];
      guint64 off = size >= 8 ? ((guint64) data[size - 1] << 16 | (guint64) data[size - 2] << 8)
                                  * 512 % disk_size
                              : 0;
      off = MIN (off, disk_size - 512);
      memset (sector, 0xa5, sizeof sector);
      if (bw_disk_write (disk, off, sector, sizeof sector, NULL)
          && bw_disk_read (disk, off, back, sizeof back, NULL)
          && memcmp (sector, back, sizeof sector) != 0)
        abort (); /* a write that succeeded must read back */
    }
  bw_disk_unref (disk);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  const char *path = input_file (data, size);
  BwDisk *disk = bw_disk_open_full (path, BW_DISK_OPEN_READ_ONLY, NULL, lookup_parent, NULL, NULL);
  if (disk == NULL)
    disk = bw_disk_open (path, BW_DISK_OPEN_READ_ONLY | BW_DISK_OPEN_NO_PARENT, NULL);
  if (disk != NULL)
    {
      read_some (disk);
      bw_disk_unref (disk);
      write_one (path, data, size);
    }
  return 0;
}
