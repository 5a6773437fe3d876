/* test-vdi-qemu.c: VDI interop with qemu-img in both directions.
 * Boxwood-written images (dynamic and fixed) pass `qemu-img check` and
 * `qemu-img compare` equal to the raw data written; images qemu-img makes
 * and qemu-io fills read back correctly here; a hand-built image with
 * VirtualBox's layout (block map at 1 MiB, blocks out of order) reads the
 * same in both. */
#include "config.h"

#include "devices/storage/bw-disk.h"
#include "devices/storage/bw-vdi.h"
#include "bw-test.h"
#include "storage-test-util.h"

#define MIB (1024u * 1024u)
#define KIB 1024u

static void
require_tools (void)
{
  g_autofree char *img = g_find_program_in_path ("qemu-img");
  g_autofree char *io = g_find_program_in_path ("qemu-io");
  ck_assert_msg (img && io, "qemu-img and qemu-io (Debian's qemu-utils) are needed: tools/setup "
                 "installs them");
}

/* The same bytes go to the image and to a plain reference file. */
typedef struct
{
  BwDisk *disk;
  int ref_fd;
} Pair;

static void
pair_write (Pair *p, guint64 off, gsize len, guint32 seed)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (len);
  fill_pattern (buf, len, off, seed);
  ck_assert_msg (bw_disk_write (p->disk, off, buf, len, &error), "%s",
                 error ? error->message : "");
  ck_assert_int_eq (pwrite (p->ref_fd, buf, len, (off_t) off), (ssize_t) len);
}

static void
qemu_check_and_compare (const char *image, const char *reference)
{
  g_autofree char *out = NULL;
  const char *check[] = { "qemu-img", "check", "-f", "vdi", image, NULL };
  int rc = run_tool (&out, check);
  ck_assert_msg (rc == 0, "qemu-img check %s failed (%d): %s", image, rc, out);
  ck_assert_msg (strstr (out, "No errors") != NULL, "qemu-img check: %s", out);
  g_clear_pointer (&out, g_free);
  const char *compare[] = { "qemu-img", "compare", "-f", "vdi", "-F", "raw", image, reference,
                            NULL };
  rc = run_tool (&out, compare);
  ck_assert_msg (rc == 0, "qemu-img compare %s %s: %d: %s", image, reference, rc, out);
}

static void
boxwood_writes_qemu_reads (BwDiskVariant variant)
{
  require_tools ();
  g_autoptr (GError) error = NULL;
  g_autofree char *image = tpath ("bw.vdi");
  g_autofree char *reference = tpath ("ref.raw");
  Pair p;
  p.disk = bw_disk_create (image, BW_DISK_FORMAT_VDI, variant, 16 * MIB, &error);
  ck_assert_msg (p.disk != NULL, "%s", error ? error->message : "");
  p.ref_fd = open (reference, O_RDWR | O_CREAT | O_TRUNC, 0644);
  ck_assert_int_ge (p.ref_fd, 0);
  ck_assert_int_eq (ftruncate (p.ref_fd, 16 * MIB), 0);
  pair_write (&p, 0, 512, 1);                   /* boot sector */
  pair_write (&p, 5 * MIB - 4 * KIB, 8 * KIB, 2); /* across a block boundary */
  pair_write (&p, 9 * MIB + 123, 4000, 3);      /* unaligned */
  pair_write (&p, 15 * MIB, MIB, 4);            /* whole last block */
  pair_write (&p, 512, 512, 5);                 /* rewrite in an allocated block */
  ck_assert (bw_disk_flush (p.disk, &error));
  bw_disk_close (p.disk);
  close (p.ref_fd);
  qemu_check_and_compare (image, reference);

  g_autofree char *out = NULL;
  const char *info[] = { "qemu-img", "info", "--output=json", image, NULL };
  ck_assert_int_eq (run_tool (&out, info), 0);
  ck_assert_msg (strstr (out, "\"virtual-size\": 16777216") != NULL, "%s", out);
}

START_TEST (test_boxwood_dynamic_passes_qemu)
{
  boxwood_writes_qemu_reads (BW_DISK_VARIANT_DYNAMIC);
}
END_TEST

START_TEST (test_boxwood_fixed_passes_qemu)
{
  boxwood_writes_qemu_reads (BW_DISK_VARIANT_FIXED);
}
END_TEST

static void
expect_bytes (BwDisk *disk, guint64 off, gsize len, guint8 value)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (len);
  ck_assert_msg (bw_disk_read (disk, off, buf, len, &error), "%s", error ? error->message : "");
  ck_assert_msg (is_all (buf, len, value), "bytes at %" G_GUINT64_FORMAT " are not 0x%02x", off,
                 value);
}

static void
qemu_writes_boxwood_reads (gboolean fixed)
{
  require_tools ();
  g_autoptr (GError) error = NULL;
  g_autofree char *image = tpath ("q.vdi");
  const char *create_dyn[] = { "qemu-img", "create", "-q", "-f", "vdi", image, "8M", NULL };
  const char *create_fixed[] = { "qemu-img", "create", "-q", "-f", "vdi", "-o", "static=on",
                                 image, "8M", NULL };
  g_autofree char *out = NULL;
  ck_assert_msg (run_tool (&out, fixed ? create_fixed : create_dyn) == 0, "%s", out);
  g_clear_pointer (&out, g_free);
  const char *fill[] = { "qemu-io", "-f", "vdi", "-c", "write -P 0xab 1M 64k", "-c",
                         "write -P 0xcd 5000k 4k", "-c", "write -P 0x11 8188k 4k", image, NULL };
  ck_assert_msg (run_tool (&out, fill) == 0, "%s", out);

  /* qemu-img puts the block map right after the header. */
  BwVdi *vdi = bw_vdi_open (image, FALSE, &error);
  ck_assert_msg (vdi != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (bw_vdi_get_block_map_offset (vdi), 512);
  bw_vdi_close (vdi);

  {
    g_autoptr (BwDisk) disk = bw_disk_open (image, BW_DISK_OPEN_READ_ONLY, &error);
    ck_assert_msg (disk != NULL, "%s", error ? error->message : "");
    BwDiskInfo info;
    bw_disk_get_info (disk, &info);
    ck_assert_int_eq (info.variant, fixed ? BW_DISK_VARIANT_FIXED : BW_DISK_VARIANT_DYNAMIC);
    ck_assert_uint_eq (info.virtual_size, 8 * MIB);
    ck_assert_uint_eq (info.allocated_size, fixed ? 8 * MIB : 3 * MIB);
    expect_bytes (disk, 0, MIB, 0);
    expect_bytes (disk, MIB, 64 * KIB, 0xab);
    expect_bytes (disk, MIB + 64 * KIB, 5000 * KIB - MIB - 64 * KIB, 0);
    expect_bytes (disk, 5000 * KIB, 4 * KIB, 0xcd);
    expect_bytes (disk, 5004 * KIB, 8188 * KIB - 5004 * KIB, 0);
    expect_bytes (disk, 8188 * KIB, 4 * KIB, 0x11);
  }

  /* Boxwood then writes into qemu's layout; qemu still agrees. */
  g_autofree char *reference = tpath ("ref.raw");
  g_clear_pointer (&out, g_free);
  const char *convert[] = { "qemu-img", "convert", "-f", "vdi", "-O", "raw", image, reference,
                            NULL };
  ck_assert_msg (run_tool (&out, convert) == 0, "%s", out);
  Pair p;
  p.disk = bw_disk_open (image, BW_DISK_OPEN_READ_WRITE, &error);
  ck_assert_msg (p.disk != NULL, "%s", error ? error->message : "");
  p.ref_fd = open (reference, O_RDWR);
  ck_assert_int_ge (p.ref_fd, 0);
  pair_write (&p, MIB + 60 * KIB, 8 * KIB, 7);
  pair_write (&p, 3 * MIB + 512, 1024, 8);
  pair_write (&p, 7 * MIB, MIB, 9);
  bw_disk_close (p.disk);
  close (p.ref_fd);
  qemu_check_and_compare (image, reference);
}

START_TEST (test_qemu_dynamic_reads_in_boxwood)
{
  qemu_writes_boxwood_reads (FALSE);
}
END_TEST

START_TEST (test_qemu_static_reads_in_boxwood)
{
  qemu_writes_boxwood_reads (TRUE);
}
END_TEST

static void
put32 (guint8 *p, guint32 v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = v >> 24;
}

/* Built here byte by byte, not by Boxwood's encoder: VirtualBox's layout
 * with the block map at 1 MiB and data at 2 MiB; block 0 lives in data
 * slot 1, block 2 in slot 0, block 1 is free. */
START_TEST (test_hand_built_map_at_1mib)
{
  require_tools ();
  g_autoptr (GError) error = NULL;
  gsize size = 4 * MIB;
  g_autofree guint8 *f = g_malloc0 (size);
  memcpy (f, "<<< Oracle VM VirtualBox Disk Image >>>\n", 40);
  put32 (f + 64, 0xbeda107f);
  put32 (f + 68, 0x00010001);
  put32 (f + 72, 400);
  put32 (f + 76, 1);
  put32 (f + 340, MIB);
  put32 (f + 344, 2 * MIB);
  put32 (f + 360, 512);
  put32 (f + 368, 3 * MIB); /* cbDisk, low half */
  put32 (f + 376, MIB);
  put32 (f + 384, 3);
  put32 (f + 388, 2);
  for (int i = 0; i < 16; i++)
    {
      f[392 + i] = (guint8) (0x10 + i); /* uuidCreate */
      f[408 + i] = (guint8) (0x40 + i); /* uuidModify */
    }
  put32 (f + 468, 512);
  put32 (f + MIB + 0, 1);
  put32 (f + MIB + 4, BW_VDI_BLOCK_FREE);
  put32 (f + MIB + 8, 0);
  fill_pattern (f + 2 * MIB, MIB, 2 * MIB, 21);
  fill_pattern (f + 3 * MIB, MIB, 0, 20);
  g_autofree char *image = tpath ("vbox.vdi");
  ck_assert (g_file_set_contents (image, (const char *) f, (gssize) size, &error));

  g_autoptr (BwDisk) disk = bw_disk_open (image, BW_DISK_OPEN_READ_ONLY, &error);
  ck_assert_msg (disk != NULL, "%s", error ? error->message : "");
  BwDiskInfo info;
  bw_disk_get_info (disk, &info);
  ck_assert_str_eq (info.uuid, "13121110-1514-1716-1819-1a1b1c1d1e1f");
  ck_assert_uint_eq (info.virtual_size, 3 * MIB);
  g_autofree guint8 *all = g_malloc (3 * MIB);
  ck_assert (bw_disk_read (disk, 0, all, 3 * MIB, &error));
  g_autofree guint8 *want = g_malloc0 (3 * MIB);
  fill_pattern (want, MIB, 0, 20);
  fill_pattern (want + 2 * MIB, MIB, 2 * MIB, 21);
  ck_assert (memcmp (all, want, 3 * MIB) == 0);

  /* qemu-img reads it the same way. */
  g_autofree char *reference = tpath ("ref.raw");
  ck_assert (g_file_set_contents (reference, (const char *) want, 3 * MIB, &error));
  qemu_check_and_compare (image, reference);
}
END_TEST

static Suite *
qemu_suite (void)
{
  Suite *s = suite_create ("vdi-qemu");
  TCase *tc = tcase_create ("interop");
  tcase_add_checked_fixture (tc, storage_test_setup, storage_test_teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_boxwood_dynamic_passes_qemu);
  tcase_add_test (tc, test_boxwood_fixed_passes_qemu);
  tcase_add_test (tc, test_qemu_dynamic_reads_in_boxwood);
  tcase_add_test (tc, test_qemu_static_reads_in_boxwood);
  tcase_add_test (tc, test_hand_built_map_at_1mib);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (qemu_suite ());
}
