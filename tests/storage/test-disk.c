/* test-disk.c: the disk API on VDI (dynamic, fixed, differencing) and raw
 * images: create, open, read, write, allocation, flush, info, clone. */
#include "config.h"

#include "devices/storage/bw-disk.h"
#include "devices/storage/bw-vdi.h"
#include "bw-test.h"
#include "storage-test-util.h"

#define MIB (1024u * 1024u)

static BwDisk *
create_ok (const char *name, BwDiskFormat format, BwDiskVariant variant, guint64 size)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = tpath (name);
  BwDisk *disk = bw_disk_create (path, format, variant, size, &error);
  ck_assert_msg (disk != NULL, "create %s: %s", name, error ? error->message : "");
  return disk;
}

static BwDisk *
open_ok (const char *name, BwDiskOpenFlags flags)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = tpath (name);
  BwDisk *disk = bw_disk_open (path, flags, &error);
  ck_assert_msg (disk != NULL, "open %s: %s", name, error ? error->message : "");
  return disk;
}

static void
write_pattern (BwDisk *disk, guint64 off, gsize len, guint32 seed)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (len);
  fill_pattern (buf, len, off, seed);
  ck_assert_msg (bw_disk_write (disk, off, buf, len, &error), "write: %s",
                 error ? error->message : "");
}

static void
check_pattern (BwDisk *disk, guint64 off, gsize len, guint32 seed)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (len);
  g_autofree guint8 *want = g_malloc (len);
  ck_assert_msg (bw_disk_read (disk, off, buf, len, &error), "read: %s",
                 error ? error->message : "");
  fill_pattern (want, len, off, seed);
  ck_assert_msg (memcmp (buf, want, len) == 0, "data at %" G_GUINT64_FORMAT " differs", off);
}

static void
check_zero (BwDisk *disk, guint64 off, gsize len)
{
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *buf = g_malloc (len);
  memset (buf, 0x55, len);
  ck_assert_msg (bw_disk_read (disk, off, buf, len, &error), "read: %s",
                 error ? error->message : "");
  ck_assert_msg (is_all (buf, len, 0), "not zero at %" G_GUINT64_FORMAT, off);
}

START_TEST (test_vdi_dynamic_create_layout)
{
  g_autoptr (BwDisk) disk = create_ok ("d.vdi", BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC,
                                       8 * MIB);
  BwDiskInfo info;
  bw_disk_get_info (disk, &info);
  ck_assert_int_eq (info.format, BW_DISK_FORMAT_VDI);
  ck_assert_int_eq (info.variant, BW_DISK_VARIANT_DYNAMIC);
  ck_assert_uint_eq (info.virtual_size, 8 * MIB);
  ck_assert_uint_eq (info.allocated_size, 0);
  ck_assert_uint_eq (info.block_size, MIB);
  ck_assert (g_uuid_string_is_valid (info.uuid));
  ck_assert_str_eq (info.parent_uuid, "");
  /* VirtualBox's layout: block map and data both aligned to 1 MiB. */
  ck_assert_uint_eq (info.file_size, 2 * MIB);
  g_autofree char *path = tpath ("d.vdi");
  g_autoptr (GBytes) bytes = read_file_bytes (path);
  const guint8 *b = g_bytes_get_data (bytes, NULL);
  ck_assert_uint_eq (GUINT32_FROM_LE (*(guint32 *) (b + 64)), BW_VDI_SIGNATURE);
  ck_assert_uint_eq (GUINT32_FROM_LE (*(guint32 *) (b + 68)), BW_VDI_VERSION_1_1);
  ck_assert_uint_eq (GUINT32_FROM_LE (*(guint32 *) (b + 72)), 400);
  ck_assert_uint_eq (GUINT32_FROM_LE (*(guint32 *) (b + 340)), MIB);
  ck_assert_uint_eq (GUINT32_FROM_LE (*(guint32 *) (b + 344)), 2 * MIB);
  ck_assert_uint_eq (GUINT32_FROM_LE (*(guint32 *) (b + MIB)), BW_VDI_BLOCK_FREE);
  check_zero (disk, 0, 8 * MIB);
}
END_TEST

START_TEST (test_vdi_dynamic_write_allocates)
{
  {
    g_autoptr (BwDisk) disk = create_ok ("d.vdi", BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC,
                                         8 * MIB);
    write_pattern (disk, 3 * MIB + 512, 4096, 1);     /* inside block 3 */
    write_pattern (disk, 2 * MIB - 1024, 3072, 2);    /* blocks 1 and 2 */
    write_pattern (disk, 7 * MIB + 100, 50, 3);       /* unaligned, last block */
    BwDiskInfo info;
    bw_disk_get_info (disk, &info);
    ck_assert_uint_eq (info.allocated_size, 4 * MIB);
    ck_assert_uint_eq (info.file_size, 6 * MIB);
    g_autoptr (GError) error = NULL;
    ck_assert (bw_disk_flush (disk, &error));
    check_pattern (disk, 3 * MIB + 512, 4096, 1);
  }
  g_autoptr (BwDisk) disk = open_ok ("d.vdi", BW_DISK_OPEN_READ_ONLY);
  check_pattern (disk, 3 * MIB + 512, 4096, 1);
  check_pattern (disk, 2 * MIB - 1024, 3072, 2);
  check_pattern (disk, 7 * MIB + 100, 50, 3);
  check_zero (disk, 0, MIB);
  check_zero (disk, 3 * MIB, 512);
  check_zero (disk, 3 * MIB + 4608, MIB - 4608);
  check_zero (disk, 2 * MIB + 2048, MIB - 2048);
  check_zero (disk, 4 * MIB, 3 * MIB + 100);
  BwDiskInfo info;
  bw_disk_get_info (disk, &info);
  ck_assert_uint_eq (info.allocated_size, 4 * MIB);

  /* The header counts the blocks and the map points into the data area in
   * allocation order. */
  g_autofree char *path = tpath ("d.vdi");
  g_autoptr (GBytes) bytes = read_file_bytes (path);
  const guint8 *b = g_bytes_get_data (bytes, NULL);
  ck_assert_uint_eq (GUINT32_FROM_LE (*(guint32 *) (b + 388)), 4);
  const guint32 *map = (const guint32 *) (b + MIB);
  ck_assert_uint_eq (GUINT32_FROM_LE (map[3]), 0);
  ck_assert_uint_eq (GUINT32_FROM_LE (map[1]), 1);
  ck_assert_uint_eq (GUINT32_FROM_LE (map[2]), 2);
  ck_assert_uint_eq (GUINT32_FROM_LE (map[7]), 3);
  ck_assert_uint_eq (GUINT32_FROM_LE (map[0]), BW_VDI_BLOCK_FREE);
}
END_TEST

START_TEST (test_vdi_zero_writes_stay_sparse)
{
  g_autoptr (BwDisk) disk = create_ok ("d.vdi", BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC,
                                       4 * MIB);
  g_autofree guint8 *zeros = g_malloc0 (MIB + 512);
  g_autoptr (GError) error = NULL;
  ck_assert (bw_disk_write (disk, 512, zeros, MIB + 512, &error));
  BwDiskInfo info;
  bw_disk_get_info (disk, &info);
  ck_assert_uint_eq (info.allocated_size, 0);
  check_zero (disk, 0, 4 * MIB);
}
END_TEST

START_TEST (test_vdi_fixed)
{
  {
    g_autoptr (BwDisk) disk = create_ok ("f.vdi", BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_FIXED,
                                         3 * MIB + 512);
    BwDiskInfo info;
    bw_disk_get_info (disk, &info);
    ck_assert_int_eq (info.variant, BW_DISK_VARIANT_FIXED);
    ck_assert_uint_eq (info.virtual_size, 3 * MIB + 512);
    ck_assert_uint_eq (info.allocated_size, 4 * MIB);
    ck_assert_uint_eq (info.file_size, 2 * MIB + 4 * MIB);
    check_zero (disk, 0, 3 * MIB + 512);
    write_pattern (disk, MIB - 512, 1024, 9);
    write_pattern (disk, 3 * MIB, 512, 10);
    bw_disk_get_info (disk, &info);
    ck_assert_uint_eq (info.file_size, 6 * MIB);
  }
  g_autoptr (BwDisk) disk = open_ok ("f.vdi", BW_DISK_OPEN_READ_WRITE);
  check_pattern (disk, MIB - 512, 1024, 9);
  check_pattern (disk, 3 * MIB, 512, 10);
  check_zero (disk, 0, MIB - 512);
  /* Fixed images store block n at data index n. */
  g_autofree char *path = tpath ("f.vdi");
  g_autoptr (GBytes) bytes = read_file_bytes (path);
  const guint8 *b = g_bytes_get_data (bytes, NULL);
  ck_assert_uint_eq (GUINT32_FROM_LE (*(guint32 *) (b + 76)), BW_VDI_TYPE_FIXED);
  for (guint32 i = 0; i < 4; i++)
    ck_assert_uint_eq (GUINT32_FROM_LE (*(guint32 *) (b + MIB + 4 * i)), i);
  guint8 want[512];
  fill_pattern (want, 512, 3 * MIB, 10);
  ck_assert_mem_eq (b + 2 * MIB + 3 * MIB, want, 512);
}
END_TEST

START_TEST (test_errors_range_read_only_exists_busy)
{
  g_autoptr (GError) error = NULL;
  guint8 buf[512] = { 0 };
  {
    g_autoptr (BwDisk) disk = create_ok ("d.vdi", BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC,
                                         MIB);
    ck_assert (!bw_disk_read (disk, MIB - 256, buf, 512, &error));
    ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_RANGE));
    g_clear_error (&error);
    ck_assert (!bw_disk_write (disk, G_MAXUINT64 - 10, buf, 512, &error));
    ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_RANGE));
    g_clear_error (&error);

    /* A second writer is refused while the first holds the image. */
    g_autofree char *path = tpath ("d.vdi");
    BwDisk *other = bw_disk_open (path, BW_DISK_OPEN_READ_WRITE, &error);
    ck_assert_ptr_null (other);
    ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_BUSY));
    g_clear_error (&error);

    BwDisk *again = bw_disk_create (path, BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC, MIB,
                                    &error);
    ck_assert_ptr_null (again);
    ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_EXISTS));
    g_clear_error (&error);
  }
  g_autoptr (BwDisk) ro = open_ok ("d.vdi", BW_DISK_OPEN_READ_ONLY);
  ck_assert (bw_disk_is_read_only (ro));
  ck_assert (!bw_disk_write (ro, 0, buf, 512, &error));
  ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_READ_ONLY));
  g_clear_error (&error);

  g_autofree char *missing = tpath ("missing.vdi");
  ck_assert_ptr_null (bw_disk_open (missing, BW_DISK_OPEN_READ_ONLY, &error));
  ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_IO));
  ck_assert (strstr (error->message, missing) != NULL);
  g_clear_error (&error);

  g_autofree char *zero = tpath ("zero.vdi");
  ck_assert_ptr_null (bw_disk_create (zero, BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC, 0,
                                      &error));
  ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_INVALID));
  ck_assert (!g_file_test (zero, G_FILE_TEST_EXISTS));
}
END_TEST

START_TEST (test_zero_block_entry_reads_zero)
{
  {
    g_autoptr (BwDisk) disk = create_ok ("d.vdi", BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC,
                                         2 * MIB);
    write_pattern (disk, 0, 2 * MIB, 4);
  }
  g_autofree char *path = tpath ("d.vdi");
  patch_u32 (path, MIB + 4, BW_VDI_BLOCK_ZERO); /* discard block 1 */
  {
    g_autoptr (BwDisk) disk = open_ok ("d.vdi", BW_DISK_OPEN_READ_WRITE);
    check_pattern (disk, 0, MIB, 4);
    check_zero (disk, MIB, MIB);
    /* Writing part of a discarded block brings it back with zeros around. */
    write_pattern (disk, MIB + 4096, 512, 5);
  }
  g_autoptr (BwDisk) disk = open_ok ("d.vdi", BW_DISK_OPEN_READ_ONLY);
  check_zero (disk, MIB, 4096);
  check_pattern (disk, MIB + 4096, 512, 5);
  check_zero (disk, MIB + 4608, MIB - 4608);
  BwDiskInfo info;
  bw_disk_get_info (disk, &info);
  ck_assert_uint_eq (info.allocated_size, 2 * MIB);
}
END_TEST

START_TEST (test_raw)
{
  {
    g_autoptr (BwDisk) disk = create_ok ("r.img", BW_DISK_FORMAT_RAW, BW_DISK_VARIANT_DYNAMIC,
                                         4 * MIB);
    BwDiskInfo info;
    bw_disk_get_info (disk, &info);
    ck_assert_int_eq (info.format, BW_DISK_FORMAT_RAW);
    ck_assert_uint_eq (info.virtual_size, 4 * MIB);
    ck_assert_uint_eq (info.file_size, 4 * MIB);
    ck_assert_str_eq (info.uuid, "");
    write_pattern (disk, 1000, 3000, 6);
  }
  g_autofree char *path = tpath ("r.img");
  BwDiskFormat format = BW_DISK_FORMAT_VDI;
  g_autoptr (GError) error = NULL;
  ck_assert (bw_disk_detect_format (path, &format, &error));
  ck_assert_int_eq (format, BW_DISK_FORMAT_RAW);
  g_autoptr (GBytes) bytes = read_file_bytes (path);
  guint8 want[3000];
  fill_pattern (want, sizeof want, 1000, 6);
  ck_assert_uint_eq (g_bytes_get_size (bytes), 4 * MIB);
  ck_assert_mem_eq ((const guint8 *) g_bytes_get_data (bytes, NULL) + 1000, want, 3000);
  g_autoptr (BwDisk) disk = open_ok ("r.img", BW_DISK_OPEN_READ_ONLY);
  check_pattern (disk, 1000, 3000, 6);
  check_zero (disk, 4000, 4 * MIB - 4000);

  g_autoptr (BwDisk) fixed = create_ok ("f.img", BW_DISK_FORMAT_RAW, BW_DISK_VARIANT_FIXED,
                                        MIB);
  BwDiskInfo info;
  bw_disk_get_info (fixed, &info);
  ck_assert_int_eq (info.variant, BW_DISK_VARIANT_FIXED);
  ck_assert_uint_eq (info.allocated_size, MIB);
}
END_TEST

/* Parent lookup through a table of UUID -> path, as the media registry
 * will do. */
static char *
lookup_table (const char *uuid, const char *child_path, gpointer user_data)
{
  GHashTable *table = user_data;
  ck_assert_ptr_nonnull (child_path);
  return g_strdup (g_hash_table_lookup (table, uuid));
}

START_TEST (test_differencing_chain_of_three)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *base_path = tpath ("base.vdi");
  g_autofree char *c1_path = tpath ("c1.vdi");
  g_autofree char *c2_path = tpath ("c2.vdi");
  BwDiskInfo info;
  {
    g_autoptr (BwDisk) base = create_ok ("base.vdi", BW_DISK_FORMAT_VDI,
                                         BW_DISK_VARIANT_DYNAMIC, 4 * MIB);
    write_pattern (base, 0, MIB, 11);        /* block 0: A */
    write_pattern (base, MIB, MIB, 12);      /* block 1: B */
    write_pattern (base, 3 * MIB, 4096, 13); /* block 3: part */
    bw_disk_get_info (base, &info);
    g_hash_table_insert (table, g_strdup (info.uuid), g_strdup (base_path));
  }
  g_autoptr (GBytes) base_before = read_file_bytes (base_path);
  {
    g_autoptr (BwDisk) base = open_ok ("base.vdi", BW_DISK_OPEN_READ_ONLY);
    g_autoptr (BwDisk) c1 = bw_disk_create_diff (c1_path, base, &error);
    ck_assert_msg (c1 != NULL, "%s", error ? error->message : "");
    bw_disk_get_info (c1, &info);
    ck_assert_int_eq (info.variant, BW_DISK_VARIANT_DIFFERENCING);
    ck_assert_uint_eq (info.virtual_size, 4 * MIB);
    BwDiskInfo binfo;
    bw_disk_get_info (base, &binfo);
    ck_assert_str_eq (info.parent_uuid, binfo.uuid);
    g_hash_table_insert (table, g_strdup (info.uuid), g_strdup (c1_path));
    /* Partial write to block 1: copy-up of B, then C over it. */
    write_pattern (c1, MIB + 8192, 1024, 14);
    write_pattern (c1, 2 * MIB, 512, 15);
    bw_disk_get_info (c1, &info);
    ck_assert_uint_eq (info.allocated_size, 2 * MIB);

    g_autoptr (BwDisk) c2 = bw_disk_create_diff (c2_path, c1, &error);
    ck_assert_msg (c2 != NULL, "%s", error ? error->message : "");
    write_pattern (c2, 3 * MIB + 100, 200, 16);
    /* A whole zero block in a child hides the parent's data. */
    g_autofree guint8 *zeros = g_malloc0 (MIB);
    ck_assert (bw_disk_write (c2, 0, zeros, MIB, &error));
  }

  g_autoptr (BwDisk) c2 = bw_disk_open_full (c2_path, BW_DISK_OPEN_READ_ONLY, NULL, lookup_table,
                                             table, &error);
  ck_assert_msg (c2 != NULL, "%s", error ? error->message : "");
  ck_assert_ptr_nonnull (bw_disk_get_parent (c2));
  ck_assert_ptr_nonnull (bw_disk_get_parent (bw_disk_get_parent (c2)));
  check_zero (c2, 0, MIB);
  check_pattern (c2, MIB, 8192, 12);
  check_pattern (c2, MIB + 8192, 1024, 14);
  check_pattern (c2, MIB + 9216, MIB - 9216, 12);
  check_pattern (c2, 2 * MIB, 512, 15);
  check_zero (c2, 2 * MIB + 512, MIB - 512);
  check_pattern (c2, 3 * MIB, 100, 13);
  check_pattern (c2, 3 * MIB + 100, 200, 16);
  check_pattern (c2, 3 * MIB + 300, 4096 - 300, 13);
  check_zero (c2, 3 * MIB + 4096, MIB - 4096);

  /* The middle image with its parent given by path sees its own view. */
  g_autoptr (BwDisk) c1 = bw_disk_open_full (c1_path, BW_DISK_OPEN_READ_ONLY, base_path, NULL,
                                             NULL, &error);
  ck_assert_msg (c1 != NULL, "%s", error ? error->message : "");
  check_pattern (c1, 0, MIB, 11);
  check_pattern (c1, 3 * MIB + 100, 200, 13);

  /* The base never changed. */
  g_autoptr (GBytes) base_after = read_file_bytes (base_path);
  ck_assert (g_bytes_equal (base_before, base_after));
}
END_TEST

START_TEST (test_differencing_parent_errors)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *base_path = tpath ("base.vdi");
  g_autofree char *other_path = tpath ("other.vdi");
  g_autofree char *child_path = tpath ("child.vdi");
  {
    g_autoptr (BwDisk) base = create_ok ("base.vdi", BW_DISK_FORMAT_VDI,
                                         BW_DISK_VARIANT_DYNAMIC, 2 * MIB);
    g_autoptr (BwDisk) other = create_ok ("other.vdi", BW_DISK_FORMAT_VDI,
                                          BW_DISK_VARIANT_DYNAMIC, 2 * MIB);
    g_autoptr (BwDisk) child = bw_disk_create_diff (child_path, base, &error);
    ck_assert_ptr_nonnull (child);
    write_pattern (child, 0, 512, 20);
    g_autoptr (BwDisk) raw = create_ok ("r.img", BW_DISK_FORMAT_RAW, BW_DISK_VARIANT_DYNAMIC,
                                        MIB);
    g_autofree char *bad = tpath ("bad.vdi");
    ck_assert_ptr_null (bw_disk_create_diff (bad, raw, &error));
    ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_INVALID));
    g_clear_error (&error);
  }
  ck_assert_ptr_null (bw_disk_open (child_path, BW_DISK_OPEN_READ_ONLY, &error));
  ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_PARENT));
  ck_assert (strstr (error->message, "child.vdi") != NULL);
  g_clear_error (&error);

  ck_assert_ptr_null (bw_disk_open_full (child_path, BW_DISK_OPEN_READ_ONLY, other_path, NULL,
                                         NULL, &error));
  ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_PARENT));
  ck_assert (strstr (error->message, "other.vdi") != NULL);
  g_clear_error (&error);

  /* Without its parent: info works, the child's own data reads, the rest
   * fails rather than inventing zeros. */
  BwDiskInfo info;
  ck_assert (bw_disk_query_info (child_path, &info, &error));
  ck_assert_int_eq (info.variant, BW_DISK_VARIANT_DIFFERENCING);
  ck_assert_uint_eq (info.allocated_size, MIB);
  g_autoptr (BwDisk) alone = open_ok ("child.vdi", BW_DISK_OPEN_READ_ONLY | BW_DISK_OPEN_NO_PARENT);
  check_pattern (alone, 0, 512, 20);
  guint8 buf[512];
  ck_assert (!bw_disk_read (alone, MIB, buf, sizeof buf, &error));
  ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_PARENT));
}
END_TEST

static gboolean
count_progress (guint64 done, guint64 total, gpointer user_data)
{
  guint *calls = user_data;
  ck_assert_uint_le (done, total);
  (*calls)++;
  return TRUE;
}

static gboolean
cancel_progress (guint64 done, guint64 total, gpointer user_data)
{
  return done < 2 * MIB;
}

START_TEST (test_clone_and_convert)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *raw_path = tpath ("src.img");
  g_autofree char *vdi_path = tpath ("conv.vdi");
  g_autofree char *fixed_path = tpath ("fixed.vdi");
  g_autofree char *back_path = tpath ("back.img");
  {
    g_autoptr (BwDisk) raw = create_ok ("src.img", BW_DISK_FORMAT_RAW, BW_DISK_VARIANT_DYNAMIC,
                                        5 * MIB + 1024);
    write_pattern (raw, 100, 5000, 30);
    write_pattern (raw, 4 * MIB, MIB + 1024, 31);
  }
  g_autoptr (BwDisk) raw = open_ok ("src.img", BW_DISK_OPEN_READ_ONLY);
  guint calls = 0;
  ck_assert_msg (bw_disk_clone (raw, vdi_path, BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC,
                                count_progress, &calls, &error), "%s",
                 error ? error->message : "");
  ck_assert_uint_eq (calls, 6);
  g_autoptr (BwDisk) vdi = open_ok ("conv.vdi", BW_DISK_OPEN_READ_ONLY);
  BwDiskInfo info;
  bw_disk_get_info (vdi, &info);
  ck_assert_uint_eq (info.virtual_size, 5 * MIB + 1024);
  ck_assert_uint_eq (info.allocated_size, 3 * MIB); /* blocks 0, 4, 5 */
  check_pattern (vdi, 100, 5000, 30);
  check_pattern (vdi, 4 * MIB, MIB + 1024, 31);
  check_zero (vdi, 5100, 4 * MIB - 5100);

  ck_assert (bw_disk_clone (vdi, fixed_path, BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_FIXED, NULL,
                            NULL, &error));
  ck_assert (bw_disk_clone (vdi, back_path, BW_DISK_FORMAT_RAW, BW_DISK_VARIANT_DYNAMIC, NULL,
                            NULL, &error));
  g_autoptr (GBytes) a = read_file_bytes (raw_path);
  g_autoptr (GBytes) b = read_file_bytes (back_path);
  ck_assert (g_bytes_equal (a, b));
  g_autoptr (BwDisk) fixed = open_ok ("fixed.vdi", BW_DISK_OPEN_READ_ONLY);
  bw_disk_get_info (fixed, &info);
  ck_assert_int_eq (info.variant, BW_DISK_VARIANT_FIXED);
  check_pattern (fixed, 4 * MIB, MIB + 1024, 31);

  /* An existing target is refused; a cancelled clone leaves nothing. */
  ck_assert (!bw_disk_clone (vdi, back_path, BW_DISK_FORMAT_RAW, BW_DISK_VARIANT_DYNAMIC, NULL,
                             NULL, &error));
  ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_EXISTS));
  g_clear_error (&error);
  g_autofree char *cancel_path = tpath ("cancel.vdi");
  ck_assert (!bw_disk_clone (vdi, cancel_path, BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC,
                             cancel_progress, NULL, &error));
  ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_CANCELLED));
  ck_assert (!g_file_test (cancel_path, G_FILE_TEST_EXISTS));
}
END_TEST

START_TEST (test_clone_flattens_differencing)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *child_path = tpath ("child.vdi");
  g_autofree char *flat_path = tpath ("flat.vdi");
  g_autoptr (BwDisk) base = create_ok ("base.vdi", BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC,
                                       3 * MIB);
  write_pattern (base, 0, 3 * MIB, 40);
  g_autoptr (BwDisk) child = bw_disk_create_diff (child_path, base, &error);
  ck_assert_ptr_nonnull (child);
  write_pattern (child, MIB + 512, 512, 41);
  ck_assert (bw_disk_clone (child, flat_path, BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC, NULL,
                            NULL, &error));
  g_autoptr (BwDisk) flat = open_ok ("flat.vdi", BW_DISK_OPEN_READ_ONLY);
  BwDiskInfo info;
  bw_disk_get_info (flat, &info);
  ck_assert_int_eq (info.variant, BW_DISK_VARIANT_DYNAMIC);
  ck_assert_str_eq (info.parent_uuid, "");
  check_pattern (flat, 0, MIB + 512, 40);
  check_pattern (flat, MIB + 512, 512, 41);
  check_pattern (flat, MIB + 1024, 2 * MIB - 1024, 40);
}
END_TEST

START_TEST (test_chosen_uuids)
{
  g_autoptr (GError) error = NULL;
  const char *want = "0b7e8a52-3c1d-4f6e-9a2b-5d4c3b2a1f00";
  g_autofree char *child_path = tpath ("child.vdi");
  {
    g_autoptr (BwDisk) base = create_ok ("base.vdi", BW_DISK_FORMAT_VDI,
                                         BW_DISK_VARIANT_DYNAMIC, MIB);
    BwDiskInfo binfo;
    bw_disk_get_info (base, &binfo);
    g_autoptr (BwDisk) child = bw_disk_create_diff_full (child_path, base, want, &error);
    ck_assert_msg (child != NULL, "%s", error ? error->message : "");
    /* A child cannot take its parent's UUID. */
    ck_assert (!bw_disk_set_uuid (child, binfo.uuid, &error));
    ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_INVALID));
    g_clear_error (&error);
    ck_assert (bw_disk_set_uuid (base, "11111111-2222-3333-4444-555555555555", &error));
  }
  BwDiskInfo info;
  ck_assert (bw_disk_query_info (child_path, &info, &error));
  ck_assert_str_eq (info.uuid, want);
  g_autofree char *base_path = tpath ("base.vdi");
  ck_assert (bw_disk_query_info (base_path, &info, &error));
  ck_assert_str_eq (info.uuid, "11111111-2222-3333-4444-555555555555");

  g_autoptr (BwDisk) raw = create_ok ("r.img", BW_DISK_FORMAT_RAW, BW_DISK_VARIANT_DYNAMIC, MIB);
  ck_assert (!bw_disk_set_uuid (raw, want, &error));
  ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_INVALID));
  g_clear_error (&error);
  g_autoptr (BwDisk) ro = open_ok ("base.vdi", BW_DISK_OPEN_READ_ONLY);
  ck_assert (!bw_disk_set_uuid (ro, want, &error));
  ck_assert (g_error_matches (error, BW_DISK_ERROR, BW_DISK_ERROR_READ_ONLY));
}
END_TEST

typedef struct
{
  BwDisk *disk;
  guint64 base;
  guint32 seed;
} ThreadJob;

static gpointer
thread_writer (gpointer data)
{
  ThreadJob *job = data;
  guint8 buf[4096];
  for (int i = 0; i < 64; i++)
    {
      guint64 off = job->base + (guint64) i * 8192;
      fill_pattern (buf, sizeof buf, off, job->seed);
      if (!bw_disk_write (job->disk, off, buf, sizeof buf, NULL))
        return GINT_TO_POINTER (1);
      guint8 back[4096];
      if (!bw_disk_read (job->disk, off, back, sizeof back, NULL)
          || memcmp (back, buf, sizeof buf) != 0)
        return GINT_TO_POINTER (2);
    }
  return NULL;
}

START_TEST (test_two_threads_share_a_disk)
{
  g_autoptr (BwDisk) disk = create_ok ("t.vdi", BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC,
                                       4 * MIB);
  /* Interleaved regions: both threads allocate blocks at the same time. */
  ThreadJob a = { disk, 0, 50 }, b = { disk, 4096, 51 };
  GThread *ta = g_thread_new ("a", thread_writer, &a);
  GThread *tb = g_thread_new ("b", thread_writer, &b);
  ck_assert_ptr_null (g_thread_join (ta));
  ck_assert_ptr_null (g_thread_join (tb));
  for (int i = 0; i < 64; i++)
    {
      check_pattern (disk, (guint64) i * 8192, 4096, 50);
      check_pattern (disk, 4096 + (guint64) i * 8192, 4096, 51);
    }
  BwDiskInfo info;
  bw_disk_get_info (disk, &info);
  ck_assert_uint_eq (info.allocated_size, MIB);
}
END_TEST

START_TEST (test_names)
{
  BwDiskFormat f;
  BwDiskVariant v;
  ck_assert (bw_disk_format_from_string ("vdi", &f) && f == BW_DISK_FORMAT_VDI);
  ck_assert (bw_disk_format_from_string ("RAW", &f) && f == BW_DISK_FORMAT_RAW);
  ck_assert (!bw_disk_format_from_string ("vmdk", &f));
  ck_assert_str_eq (bw_disk_format_to_string (BW_DISK_FORMAT_VDI), "VDI");
  ck_assert (bw_disk_variant_from_string ("Standard", &v) && v == BW_DISK_VARIANT_DYNAMIC);
  ck_assert (bw_disk_variant_from_string ("Fixed", &v) && v == BW_DISK_VARIANT_FIXED);
  ck_assert (bw_disk_variant_from_string ("diff", &v) && v == BW_DISK_VARIANT_DIFFERENCING);
  ck_assert (!bw_disk_variant_from_string ("Split2G", &v));
  ck_assert_str_eq (bw_disk_variant_to_string (BW_DISK_VARIANT_FIXED), "fixed");
}
END_TEST

static Suite *
disk_suite (void)
{
  Suite *s = suite_create ("disk");
  TCase *tc = tcase_create ("disk");
  tcase_add_checked_fixture (tc, storage_test_setup, storage_test_teardown);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_vdi_dynamic_create_layout);
  tcase_add_test (tc, test_vdi_dynamic_write_allocates);
  tcase_add_test (tc, test_vdi_zero_writes_stay_sparse);
  tcase_add_test (tc, test_vdi_fixed);
  tcase_add_test (tc, test_errors_range_read_only_exists_busy);
  tcase_add_test (tc, test_zero_block_entry_reads_zero);
  tcase_add_test (tc, test_raw);
  tcase_add_test (tc, test_differencing_chain_of_three);
  tcase_add_test (tc, test_differencing_parent_errors);
  tcase_add_test (tc, test_clone_and_convert);
  tcase_add_test (tc, test_clone_flattens_differencing);
  tcase_add_test (tc, test_chosen_uuids);
  tcase_add_test (tc, test_two_threads_share_a_disk);
  tcase_add_test (tc, test_names);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (disk_suite ());
}
