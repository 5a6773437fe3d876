/* test-io-bus.c: range registration (overlaps rejected), dispatch with
 * offsets, splitting, widening, straddling and unhandled accesses. */
#include "config.h"

#include <string.h>
#include "bw-test.h"
#include "vmm/bw-io-bus.h"

#define MAX_CALLS 32

typedef struct
{
  guint64 offset;
  guint size;
  gboolean is_write;
  guint64 value;
} Call;

typedef struct
{
  Call calls[MAX_CALLS];
  guint n;
  guint8 regs[16];
} Dev;

static void
dev_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  Dev *dev = opaque;
  if (is_write)
    for (guint i = 0; i < size && offset + i < 16; i++)
      dev->regs[offset + i] = (guint8) (*data >> (8 * i));
  else
    {
      *data = 0;
      for (guint i = 0; i < size && offset + i < 16; i++)
        *data |= (guint64) dev->regs[offset + i] << (8 * i);
    }
  if (dev->n < MAX_CALLS)
    dev->calls[dev->n++] = (Call) { offset, size, is_write, *data };
}

static const BwIoOps ops_any = { .handler = dev_io, .max_access = 8 };
static const BwIoOps ops_byte = { .handler = dev_io, .max_access = 1 };
static const BwIoOps ops_dword = { .handler = dev_io, .min_access = 4, .max_access = 4 };
static const BwIoOps ops_aligned = { .handler = dev_io, .max_access = 4, .aligned = TRUE };

START_TEST (test_overlap_rejected)
{
  g_autoptr (BwIoBus) bus = bw_io_bus_new ("pio", 0x10000);
  Dev a = { 0 }, b = { 0 };
  g_autoptr (GError) error = NULL;

  ck_assert (bw_io_bus_register (bus, "a", 0x60, 1, &ops_any, &a, NULL));
  ck_assert (bw_io_bus_register (bus, "b", 0x64, 1, &ops_any, &b, NULL));
  ck_assert (!bw_io_bus_register (bus, "c", 0x60, 2, &ops_any, &b, &error));
  ck_assert (g_error_matches (error, BW_IO_BUS_ERROR, BW_IO_BUS_ERROR_OVERLAP));
  ck_assert_ptr_nonnull (strstr (error->message, "“a”"));
  g_clear_error (&error);
  ck_assert (!bw_io_bus_register (bus, "c", 0x5f, 2, &ops_any, &b, &error));
  g_clear_error (&error);
  ck_assert (!bw_io_bus_register (bus, "c", 0x00, 0x1000, &ops_any, &b, &error));
  g_clear_error (&error);
  ck_assert (!bw_io_bus_register (bus, "c", 0x63, 2, &ops_any, &b, &error));
  g_clear_error (&error);
  /* Neighbours touching but not overlapping are fine. */
  ck_assert (bw_io_bus_register (bus, "c", 0x61, 3, &ops_any, &b, NULL));
  ck_assert (bw_io_bus_register (bus, "d", 0x65, 1, &ops_any, &b, NULL));
  /* Empty, outside the bus, bad access sizes. */
  ck_assert (!bw_io_bus_register (bus, "e", 0x100, 0, &ops_any, &b, &error));
  ck_assert (g_error_matches (error, BW_IO_BUS_ERROR, BW_IO_BUS_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert (!bw_io_bus_register (bus, "e", 0xfffe, 4, &ops_any, &b, &error));
  g_clear_error (&error);
  static const BwIoOps bad = { .handler = dev_io, .min_access = 4, .max_access = 2 };
  ck_assert (!bw_io_bus_register (bus, "e", 0x100, 4, &bad, &b, &error));
  g_clear_error (&error);
  /* After unregistering, the space is free again. */
  ck_assert (!bw_io_bus_unregister (bus, 0x60, &b, &error)); /* wrong owner */
  g_clear_error (&error);
  ck_assert (bw_io_bus_unregister (bus, 0x60, &a, NULL));
  ck_assert (bw_io_bus_register (bus, "a2", 0x60, 1, &ops_any, &a, NULL));
  ck_assert_uint_eq (bw_io_bus_unregister_all (bus, &b), 3);
  ck_assert (!bw_io_bus_lookup (bus, 0x64, NULL, NULL, NULL));
  ck_assert (bw_io_bus_lookup (bus, 0x60, NULL, NULL, NULL));
}
END_TEST

START_TEST (test_dispatch_offsets)
{
  g_autoptr (BwIoBus) bus = bw_io_bus_new ("pio", 0x10000);
  Dev dev = { 0 };
  ck_assert (bw_io_bus_register (bus, "uart", 0x3f8, 8, &ops_any, &dev, NULL));
  bw_io_bus_write (bus, 0x3fb, 1, 0x83);
  ck_assert_uint_eq (dev.n, 1);
  ck_assert_uint_eq (dev.calls[0].offset, 3);
  ck_assert_uint_eq (dev.calls[0].size, 1);
  ck_assert (dev.calls[0].is_write);
  ck_assert_uint_eq (dev.regs[3], 0x83);
  ck_assert_uint_eq (bw_io_bus_read (bus, 0x3fb, 1), 0x83);
  /* A write's value is masked to its size before the handler sees it. */
  bw_io_bus_write (bus, 0x3f8, 2, 0xdeadbeef);
  ck_assert_uint_eq (dev.calls[dev.n - 1].value, 0xbeef);
  ck_assert_uint_eq (bw_io_bus_read (bus, 0x3f8, 4), 0x8300beef);
  ck_assert_uint_eq (bw_io_bus_get_unhandled_count (bus), 0);
}
END_TEST

START_TEST (test_split_wide_access)
{
  g_autoptr (BwIoBus) bus = bw_io_bus_new ("pio", 0x10000);
  Dev dev = { 0 };
  ck_assert (bw_io_bus_register (bus, "bytes", 0x100, 8, &ops_byte, &dev, NULL));
  bw_io_bus_write (bus, 0x100, 4, 0x44332211);
  ck_assert_uint_eq (dev.n, 4);
  for (guint i = 0; i < 4; i++)
    {
      ck_assert_uint_eq (dev.calls[i].offset, i);
      ck_assert_uint_eq (dev.calls[i].size, 1);
      ck_assert_uint_eq (dev.calls[i].value, 0x11 * (i + 1));
    }
  dev.n = 0;
  ck_assert_uint_eq (bw_io_bus_read (bus, 0x101, 2), 0x3322);
  ck_assert_uint_eq (dev.n, 2);
  ck_assert_uint_eq (dev.calls[0].offset, 1);
  ck_assert_uint_eq (dev.calls[1].offset, 2);
}
END_TEST

START_TEST (test_widen_narrow_read)
{
  g_autoptr (BwIoBus) bus = bw_io_bus_new ("mmio", 0);
  Dev dev = { 0 };
  ck_assert (bw_io_bus_register (bus, "dw", 0x1000, 8, &ops_dword, &dev, NULL));
  bw_io_bus_write (bus, 0x1004, 4, 0xa1b2c3d4);
  dev.n = 0;
  ck_assert_uint_eq (bw_io_bus_read (bus, 0x1006, 1), 0xb2);
  ck_assert_uint_eq (dev.n, 1);
  ck_assert_uint_eq (dev.calls[0].offset, 4);
  ck_assert_uint_eq (dev.calls[0].size, 4);
  ck_assert_uint_eq (bw_io_bus_read (bus, 0x1005, 2), 0xb2c3);
  /* A narrow write is refused, not widened. */
  dev.n = 0;
  bw_io_bus_write (bus, 0x1004, 1, 0xff);
  ck_assert_uint_eq (dev.n, 0);
  ck_assert_uint_eq (dev.regs[4], 0xd4);
  ck_assert_uint_eq (bw_io_bus_get_unhandled_count (bus), 1);
}
END_TEST

START_TEST (test_straddling_ranges)
{
  g_autoptr (BwIoBus) bus = bw_io_bus_new ("pio", 0x10000);
  Dev a = { 0 }, b = { 0 };
  ck_assert (bw_io_bus_register (bus, "a", 0x10, 2, &ops_any, &a, NULL));
  ck_assert (bw_io_bus_register (bus, "b", 0x12, 2, &ops_any, &b, NULL));
  bw_io_bus_write (bus, 0x11, 2, 0xbbaa);
  ck_assert_uint_eq (a.n, 1);
  ck_assert_uint_eq (b.n, 1);
  ck_assert_uint_eq (a.calls[0].offset, 1);
  ck_assert_uint_eq (a.calls[0].value, 0xaa);
  ck_assert_uint_eq (b.calls[0].offset, 0);
  ck_assert_uint_eq (b.calls[0].value, 0xbb);
  /* Half claimed, half not: the unclaimed byte reads as ones. */
  ck_assert_uint_eq (bw_io_bus_read (bus, 0x13, 2), 0xff00 | b.regs[1]);
  ck_assert_uint_eq (bw_io_bus_get_unhandled_count (bus), 1);
}
END_TEST

START_TEST (test_aligned_split)
{
  g_autoptr (BwIoBus) bus = bw_io_bus_new ("mmio", 0);
  Dev dev = { 0 };
  ck_assert (bw_io_bus_register (bus, "al", 0x2000, 16, &ops_aligned, &dev, NULL));
  bw_io_bus_write (bus, 0x2001, 4, 0x04030201);
  ck_assert_uint_ge (dev.n, 2);
  for (guint i = 0; i < dev.n; i++)
    ck_assert_uint_eq (dev.calls[i].offset % dev.calls[i].size, 0);
  ck_assert_uint_eq (bw_io_bus_read (bus, 0x2001, 4), 0x04030201);
  ck_assert_uint_eq (bw_io_bus_read (bus, 0x2000, 8), 0x0000000403020100);
}
END_TEST

typedef struct
{
  guint reports;
  guint64 last_addr;
} Reports;

static void
on_report (void *user_data, BwIoBus *bus, guint64 addr, guint size, gboolean is_write,
           guint64 value)
{
  Reports *r = user_data;
  r->reports++;
  r->last_addr = addr;
}

START_TEST (test_unhandled)
{
  g_autoptr (BwIoBus) bus = bw_io_bus_new ("pio", 0x10000);
  Reports r = { 0 };
  bw_io_bus_set_report_func (bus, on_report, &r);
  ck_assert_uint_eq (bw_io_bus_read (bus, 0x80, 1), 0xff);
  ck_assert_uint_eq (bw_io_bus_read (bus, 0x80, 2), 0xffff);
  ck_assert_uint_eq (bw_io_bus_read (bus, 0x80, 4), 0xffffffff);
  bw_io_bus_write (bus, 0x80, 1, 0x12);
  ck_assert_uint_eq (r.reports, 1); /* once per address */
  ck_assert_uint_eq (bw_io_bus_read (bus, 0x81, 1), 0xff);
  ck_assert_uint_eq (r.reports, 2);
  ck_assert_uint_eq (r.last_addr, 0x81);
  ck_assert_uint_eq (bw_io_bus_get_unhandled_count (bus), 5);
  /* Sizes that are not 1, 2, 4 or 8 are unhandled too. */
  guint64 data = 0;
  bw_io_bus_access (bus, 0x90, &data, 3, FALSE);
  ck_assert_uint_eq (data, 0xffffff);
}
END_TEST

static void
on_change (void *user_data, BwIoBus *bus)
{
  (*(guint *) user_data)++;
}

START_TEST (test_change_notification)
{
  g_autoptr (BwIoBus) bus = bw_io_bus_new ("mmio", 0);
  Dev dev = { 0 };
  guint changes = 0;
  bw_io_bus_add_change_func (bus, on_change, &changes);
  ck_assert (bw_io_bus_register (bus, "x", 0xfee00000, 0x1000, &ops_any, &dev, NULL));
  ck_assert_uint_eq (changes, 1);
  ck_assert (!bw_io_bus_register (bus, "y", 0xfee00800, 0x1000, &ops_any, &dev, NULL));
  ck_assert_uint_eq (changes, 1);
  ck_assert (bw_io_bus_intersects (bus, 0xfedff000, 0x2000));
  ck_assert (!bw_io_bus_intersects (bus, 0xfedff000, 0x1000));
  ck_assert (bw_io_bus_intersects (bus, 0xfee00fff, 1));
  ck_assert (!bw_io_bus_intersects (bus, 0xfee01000, 0x10));
  ck_assert (bw_io_bus_unregister (bus, 0xfee00000, &dev, NULL));
  ck_assert_uint_eq (changes, 2);
  bw_io_bus_remove_change_func (bus, on_change, &changes);
  ck_assert (bw_io_bus_register (bus, "x", 0xfee00000, 0x1000, &ops_any, &dev, NULL));
  ck_assert_uint_eq (changes, 2);
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("io-bus");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_overlap_rejected);
  tcase_add_test (tc, test_dispatch_offsets);
  tcase_add_test (tc, test_split_wide_access);
  tcase_add_test (tc, test_widen_narrow_read);
  tcase_add_test (tc, test_straddling_ranges);
  tcase_add_test (tc, test_aligned_split);
  tcase_add_test (tc, test_unhandled);
  tcase_add_test (tc, test_change_notification);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
