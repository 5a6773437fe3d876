/* test-vdi-validate.c: every kind of damaged VDI image is refused on open
 * with an error naming the file and the fault, and is left byte for byte
 * as it was, whether opened read-only or read-write. */
#include "config.h"

#include "devices/storage/bw-disk.h"
#include "devices/storage/bw-vdi.h"
#include "bw-test.h"
#include "storage-test-util.h"

#include <unistd.h>

#define MIB (1024u * 1024u)

/* The intact image: 4 MiB dynamic, map at 1 MiB, data at 2 MiB, blocks 0
 * and 2 allocated (data indices 0 and 1), file 4 MiB long. */
static char *
make_good_image (const char *name)
{
  g_autoptr (GError) error = NULL;
  char *path = tpath (name);
  g_autoptr (BwDisk) disk = bw_disk_create (path, BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC,
                                            4 * MIB, &error);
  ck_assert_msg (disk != NULL, "%s", error ? error->message : "");
  g_autofree guint8 *buf = g_malloc (MIB);
  fill_pattern (buf, MIB, 0, 1);
  ck_assert (bw_disk_write (disk, 0, buf, MIB, &error));
  ck_assert (bw_disk_write (disk, 2 * MIB, buf, MIB, &error));
  return path;
}

static void
cut (const char *path, goffset size)
{
  ck_assert_int_eq (truncate (path, size), 0);
}

typedef struct
{
  const char *what;
  void (*mutate) (const char *path);
  int code;
  const char *message;
} Fault;

static void m_short (const char *p) { cut (p, 40); }
static void m_empty (const char *p) { cut (p, 0); }
static void m_header_cut (const char *p) { cut (p, 200); }
static void m_signature (const char *p) { patch_u32 (p, 64, 0xdeadbeef); }
static void m_version (const char *p) { patch_u32 (p, 68, 0x00020000); }
static void m_header_small (const char *p) { patch_u32 (p, 72, 100); }
static void m_header_big (const char *p) { patch_u32 (p, 72, 0x200000); }
static void m_type (const char *p) { patch_u32 (p, 76, 9); }
static void m_block_pow2 (const char *p) { patch_u32 (p, 376, 1000000); }
static void m_block_zero (const char *p) { patch_u32 (p, 376, 0); }
static void m_block_count (const char *p) { patch_u32 (p, 384, 2); }
static void m_size_overflow (const char *p) { patch_u64 (p, 368, G_GUINT64_CONSTANT (0xfffffffffffff000)); }
static void m_allocated (const char *p) { patch_u32 (p, 388, 99); }
static void m_unaligned (const char *p) { patch_u32 (p, 340, MIB + 4); }
static void m_data_overlap (const char *p) { patch_u32 (p, 344, MIB); }
static void m_map_cut (const char *p) { cut (p, MIB + 8); }
static void m_data_cut (const char *p) { cut (p, 3 * MIB + 4096); }
static void m_entry_range (const char *p) { patch_u32 (p, MIB + 4, 77); }
static void m_entry_beyond_file (const char *p) { patch_u32 (p, MIB + 4, 3); }
static void m_entry_duplicate (const char *p) { patch_u32 (p, MIB + 8, 0); }
static void m_null_uuid (const char *p) { guint8 z[16] = { 0 }; patch_bytes (p, 392, z, 16); }
static void m_undo (const char *p) { patch_u32 (p, 76, 3); }

static void
m_diff_self (const char *p)
{
  g_autoptr (GBytes) b = read_file_bytes (p);
  patch_u32 (p, 76, BW_VDI_TYPE_DIFF);
  patch_bytes (p, 424, (const guint8 *) g_bytes_get_data (b, NULL) + 392, 16);
}

static const Fault faults[] = {
  { "short file", m_short, BW_DISK_ERROR_CORRUPT, "too short for the 72-byte pre-header" },
  { "empty file", m_empty, BW_DISK_ERROR_CORRUPT, "too short" },
  { "truncated header", m_header_cut, BW_DISK_ERROR_CORRUPT, "cannot hold the 456-byte header" },
  { "bad signature", m_signature, BW_DISK_ERROR_CORRUPT, "bad signature 0xdeadbeef" },
  { "version", m_version, BW_DISK_ERROR_UNSUPPORTED, "unsupported VDI version 2.0" },
  { "header size small", m_header_small, BW_DISK_ERROR_CORRUPT, "header size 100" },
  { "header size big", m_header_big, BW_DISK_ERROR_CORRUPT, "runs into the block map" },
  { "image type", m_type, BW_DISK_ERROR_CORRUPT, "unknown image type 9" },
  { "undo type", m_undo, BW_DISK_ERROR_UNSUPPORTED, "type 3 (undo)" },
  { "block size", m_block_pow2, BW_DISK_ERROR_CORRUPT, "block size 1000000 is not a power of two" },
  { "block size 0", m_block_zero, BW_DISK_ERROR_CORRUPT, "block size 0 is not a power of two" },
  { "block count", m_block_count, BW_DISK_ERROR_CORRUPT, "2 blocks of 1048576 bytes do not cover" },
  { "size overflow", m_size_overflow, BW_DISK_ERROR_CORRUPT, "overflows the block map" },
  { "allocated count", m_allocated, BW_DISK_ERROR_CORRUPT, "99 blocks allocated of only 4" },
  { "unaligned map", m_unaligned, BW_DISK_ERROR_CORRUPT, "not sector-aligned" },
  { "data overlaps map", m_data_overlap, BW_DISK_ERROR_CORRUPT, "overlaps the block map" },
  { "truncated map", m_map_cut, BW_DISK_ERROR_CORRUPT, "truncated file: block map ends at 1048592" },
  { "truncated data", m_data_cut, BW_DISK_ERROR_CORRUPT, "truncated file: data of block 2" },
  { "entry out of range", m_entry_range, BW_DISK_ERROR_CORRUPT, "block map entry 1 = 77 out of range" },
  { "entry beyond file", m_entry_beyond_file, BW_DISK_ERROR_CORRUPT, "beyond the end of file" },
  { "duplicate entry", m_entry_duplicate, BW_DISK_ERROR_CORRUPT, "entries 0 and 2 both point at data block 0" },
  { "null uuid", m_null_uuid, BW_DISK_ERROR_CORRUPT, "image UUID is null" },
  { "diff names itself", m_diff_self, BW_DISK_ERROR_CORRUPT, "names itself as its parent" },
};

static void
expect_refused (const char *path, const Fault *f, BwDiskOpenFlags flags)
{
  g_autoptr (GError) error = NULL;
  BwDisk *disk = bw_disk_open (path, flags, &error);
  ck_assert_msg (disk == NULL, "%s: opened a damaged image", f->what);
  ck_assert_msg (g_error_matches (error, BW_DISK_ERROR, f->code), "%s: code %d, message %s",
                 f->what, error ? error->code : -1, error ? error->message : "");
  ck_assert_msg (strstr (error->message, path) != NULL, "%s: no file name in \"%s\"", f->what,
                 error->message);
  ck_assert_msg (strstr (error->message, f->message) != NULL, "%s: \"%s\" lacks \"%s\"",
                 f->what, error->message, f->message);
}

START_TEST (test_fault)
{
  const Fault *f = &faults[_i];
  g_autofree char *path = make_good_image ("bad.vdi");
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (BwDisk) ok = bw_disk_open (path, BW_DISK_OPEN_READ_ONLY, &error);
    ck_assert_msg (ok != NULL, "intact image: %s", error ? error->message : "");
  }
  f->mutate (path);
  g_autoptr (GBytes) before = read_file_bytes (path);
  expect_refused (path, f, BW_DISK_OPEN_READ_ONLY);
  expect_refused (path, f, BW_DISK_OPEN_READ_WRITE);
  BwDiskInfo info;
  g_autoptr (GError) error = NULL;
  ck_assert (!bw_disk_query_info (path, &info, &error));
  g_autoptr (GBytes) after = read_file_bytes (path);
  ck_assert_msg (g_bytes_equal (before, after), "%s: the file changed", f->what);
}
END_TEST

/* A map entry past the header's allocated count (a crash between the map
 * and the count) is still valid data; the next allocation goes after it. */
START_TEST (test_count_behind_map_is_tolerated)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = make_good_image ("lag.vdi");
  patch_u32 (path, 388, 1);
  g_autoptr (BwDisk) disk = bw_disk_open (path, BW_DISK_OPEN_READ_WRITE, &error);
  ck_assert_msg (disk != NULL, "%s", error ? error->message : "");
  guint8 buf[512];
  fill_pattern (buf, sizeof buf, 0, 7);
  ck_assert (bw_disk_write (disk, MIB, buf, sizeof buf, &error));
  g_autoptr (GBytes) b = read_file_bytes (path);
  const guint8 *d = g_bytes_get_data (b, NULL);
  ck_assert_uint_eq (GUINT32_FROM_LE (*(guint32 *) (d + MIB + 4)), 2);
  ck_assert_uint_eq (GUINT32_FROM_LE (*(guint32 *) (d + 388)), 3);
  ck_assert_uint_eq (g_bytes_get_size (b), 5 * MIB);
}
END_TEST

/* Data appended without its map entry (a crash before the map write) is
 * an orphan: the next allocation reuses its place. */
START_TEST (test_orphan_block_is_reused)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = make_good_image ("orphan.vdi");
  g_autofree guint8 *junk = g_malloc (MIB);
  memset (junk, 0xee, MIB);
  patch_bytes (path, 4 * MIB, junk, MIB);
  {
    g_autoptr (BwDisk) disk = bw_disk_open (path, BW_DISK_OPEN_READ_WRITE, &error);
    ck_assert_msg (disk != NULL, "%s", error ? error->message : "");
    guint8 buf[512];
    memset (buf, 0, sizeof buf);
    ck_assert (bw_disk_read (disk, 3 * MIB, buf, sizeof buf, &error));
    ck_assert (is_all (buf, sizeof buf, 0));
    fill_pattern (buf, sizeof buf, 3 * MIB, 8);
    ck_assert (bw_disk_write (disk, 3 * MIB, buf, sizeof buf, &error));
  }
  g_autoptr (GBytes) b = read_file_bytes (path);
  const guint8 *d = g_bytes_get_data (b, NULL);
  ck_assert_uint_eq (g_bytes_get_size (b), 5 * MIB);
  ck_assert_uint_eq (GUINT32_FROM_LE (*(guint32 *) (d + MIB + 12)), 2);
  ck_assert (is_all (d + 4 * MIB + 512, MIB - 512, 0));
}
END_TEST

static Suite *
validate_suite (void)
{
  Suite *s = suite_create ("vdi-validate");
  TCase *tc = tcase_create ("faults");
  tcase_add_checked_fixture (tc, storage_test_setup, storage_test_teardown);
  tcase_set_timeout (tc, 20);
  tcase_add_loop_test (tc, test_fault, 0, G_N_ELEMENTS (faults));
  tcase_add_test (tc, test_count_behind_map_is_tolerated);
  tcase_add_test (tc, test_orphan_block_is_reused);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (validate_suite ());
}
