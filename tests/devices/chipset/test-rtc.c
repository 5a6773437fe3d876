/* test-rtc.c: the MC146818 through ports 0x70/0x71 on a manual clock:
 * time from the configured base, roll-overs from seconds to years (leap
 * years, centuries) in BCD and binary, 12 and 24 hour modes, the weekday,
 * update-in-progress, update-ended, alarm and periodic interrupts with
 * register C read-to-clear, the CMOS fields from the configuration, and
 * saved state. */
#include "config.h"

#include "chipset-test.h"
#include "devices/chipset/bw-rtc.h"

#define SEC G_GINT64_CONSTANT (1000000000)

static gint64 board_base = 946684798; /* 1999-12-31 23:59:58 UTC, a Friday */

static CtBoard *
rtc_board_with (BwConfig *config, guint ram_mb)
{
  return ct_board_new_v (ram_mb, config, (const char *const[]){ "rtc-mc146818:rtc", NULL });
}

static BwConfig *shared_config;

static CtBoard *
rtc_board (void)
{
  if (!shared_config)
    shared_config = bw_config_new ();
  bw_config_set_int (shared_config, "devices/rtc/base-time", board_base);
  return rtc_board_with (shared_config, 64);
}

static guint8
cmos_read (CtBoard *b, guint8 index)
{
  ct_outb (b, 0x70, index);
  return ct_inb (b, 0x71);
}

static void
cmos_write (CtBoard *b, guint8 index, guint8 value)
{
  ct_outb (b, 0x70, index);
  ct_outb (b, 0x71, value);
}

typedef struct
{
  guint8 sec, min, hour, dow, day, month, year, century;
} Regs;

static Regs
read_time (CtBoard *b)
{
  return (Regs){ cmos_read (b, 0), cmos_read (b, 2), cmos_read (b, 4), cmos_read (b, 6),
                 cmos_read (b, 7), cmos_read (b, 8), cmos_read (b, 9), cmos_read (b, 0x32) };
}

/* Sets the time with SET held, in the encoding the guest chose in B. */
static void
set_time (CtBoard *b, guint8 mode_b, Regs r)
{
  cmos_write (b, 0x0b, mode_b | 0x80);
  cmos_write (b, 0, r.sec);
  cmos_write (b, 2, r.min);
  cmos_write (b, 4, r.hour);
  cmos_write (b, 6, r.dow);
  cmos_write (b, 7, r.day);
  cmos_write (b, 8, r.month);
  cmos_write (b, 9, r.year);
  cmos_write (b, 0x32, r.century);
  cmos_write (b, 0x0b, mode_b);
}

#define assert_time(r, s, mi, h, dw, d, mo, y, c)                                                  \
  do                                                                                               \
    {                                                                                              \
      ck_assert_uint_eq ((r).sec, s);                                                              \
      ck_assert_uint_eq ((r).min, mi);                                                             \
      ck_assert_uint_eq ((r).hour, h);                                                             \
      ck_assert_uint_eq ((r).dow, dw);                                                             \
      ck_assert_uint_eq ((r).day, d);                                                              \
      ck_assert_uint_eq ((r).month, mo);                                                           \
      ck_assert_uint_eq ((r).year, y);                                                             \
      ck_assert_uint_eq ((r).century, c);                                                          \
    }                                                                                              \
  while (0)

START_TEST (test_base_time_and_rollover_bcd)
{
  CtBoard *b = rtc_board ();
  ck_assert_uint_eq (cmos_read (b, 0x0b), 0x02); /* 24 h, BCD */
  Regs r = read_time (b);
  assert_time (r, 0x58, 0x59, 0x23, 6, 0x31, 0x12, 0x99, 0x19);
  ct_step (b, SEC - 1);
  ck_assert_uint_eq (cmos_read (b, 0), 0x58);
  ct_step (b, 1);
  ck_assert_uint_eq (cmos_read (b, 0), 0x59);
  ct_step (b, SEC);
  r = read_time (b);
  /* Second, minute, hour, day, month, year and century at once. */
  assert_time (r, 0x00, 0x00, 0x00, 7, 0x01, 0x01, 0x00, 0x20);
  ct_step (b, 86400 * SEC);
  r = read_time (b);
  assert_time (r, 0x00, 0x00, 0x00, 1, 0x02, 0x01, 0x00, 0x20); /* Saturday -> Sunday */
  ct_board_free (b);
}
END_TEST

START_TEST (test_leap_years)
{
  CtBoard *b = rtc_board ();
  /* 2024 is a leap year. */
  set_time (b, 0x02, (Regs){ 0x59, 0x59, 0x23, 4, 0x28, 0x02, 0x24, 0x20 });
  ct_step (b, SEC);
  Regs r = read_time (b);
  assert_time (r, 0x00, 0x00, 0x00, 5, 0x29, 0x02, 0x24, 0x20);
  ct_step (b, 86400 * SEC);
  r = read_time (b);
  assert_time (r, 0x00, 0x00, 0x00, 6, 0x01, 0x03, 0x24, 0x20);
  /* 2023 is not; 2100 is not (century); 2000 is (400). */
  set_time (b, 0x02, (Regs){ 0x59, 0x59, 0x23, 3, 0x28, 0x02, 0x23, 0x20 });
  ct_step (b, SEC);
  ck_assert_uint_eq (cmos_read (b, 7), 0x01);
  ck_assert_uint_eq (cmos_read (b, 8), 0x03);
  set_time (b, 0x02, (Regs){ 0x59, 0x59, 0x23, 1, 0x28, 0x02, 0x00, 0x21 });
  ct_step (b, SEC);
  ck_assert_uint_eq (cmos_read (b, 7), 0x01);
  ck_assert_uint_eq (cmos_read (b, 8), 0x03);
  set_time (b, 0x02, (Regs){ 0x59, 0x59, 0x23, 2, 0x28, 0x02, 0x00, 0x20 });
  ct_step (b, SEC);
  ck_assert_uint_eq (cmos_read (b, 7), 0x29);
  /* 30-day month. */
  set_time (b, 0x02, (Regs){ 0x59, 0x59, 0x23, 2, 0x30, 0x04, 0x25, 0x20 });
  ct_step (b, SEC);
  ck_assert_uint_eq (cmos_read (b, 7), 0x01);
  ck_assert_uint_eq (cmos_read (b, 8), 0x05);
  ct_board_free (b);
}
END_TEST

START_TEST (test_binary_mode)
{
  CtBoard *b = rtc_board ();
  set_time (b, 0x06, (Regs){ 59, 59, 23, 7, 31, 12, 99, 20 });
  Regs r = read_time (b);
  assert_time (r, 59, 59, 23, 7, 31, 12, 99, 20);
  ct_step (b, SEC);
  r = read_time (b);
  assert_time (r, 0, 0, 0, 1, 1, 1, 0, 21);
  ct_step (b, 3661 * SEC);
  r = read_time (b);
  ck_assert_uint_eq (r.hour, 1);
  ck_assert_uint_eq (r.min, 1);
  ck_assert_uint_eq (r.sec, 1);
  ct_board_free (b);
}
END_TEST

START_TEST (test_12_hour_mode)
{
  CtBoard *b = rtc_board ();
  /* BCD, 12 h: 11:59:59 AM -> 12:00:00 PM (0x92). */
  set_time (b, 0x00, (Regs){ 0x59, 0x59, 0x11, 2, 0x15, 0x06, 0x25, 0x20 });
  ct_step (b, SEC);
  ck_assert_uint_eq (cmos_read (b, 4), 0x92);
  ct_step (b, 3600 * SEC);
  ck_assert_uint_eq (cmos_read (b, 4), 0x81); /* 1 PM */
  /* 11:59:59 PM -> 12:00:00 AM of the next day. */
  set_time (b, 0x00, (Regs){ 0x59, 0x59, 0x91, 2, 0x15, 0x06, 0x25, 0x20 });
  ct_step (b, SEC);
  ck_assert_uint_eq (cmos_read (b, 4), 0x12);
  ck_assert_uint_eq (cmos_read (b, 7), 0x16);
  ck_assert_uint_eq (cmos_read (b, 6), 3);
  /* Binary, 12 h. */
  set_time (b, 0x04, (Regs){ 59, 59, 12 | 0x80, 2, 15, 6, 25, 20 });
  ct_step (b, SEC);
  ck_assert_uint_eq (cmos_read (b, 4), 1 | 0x80);
  /* The same instant read in 24 h mode after switching. */
  cmos_write (b, 0x0b, 0x06);
  ck_assert_uint_eq (cmos_read (b, 4), 13);
  ct_board_free (b);
}
END_TEST

START_TEST (test_set_stops_the_clock)
{
  CtBoard *b = rtc_board ();
  cmos_write (b, 0x0b, 0x82);
  ct_step (b, 5 * SEC);
  ck_assert_uint_eq (cmos_read (b, 0), 0x58);
  cmos_write (b, 0x0b, 0x02);
  ct_step (b, SEC);
  ck_assert_uint_eq (cmos_read (b, 0), 0x59);
  /* Divider held in reset: stopped; restarted: first update after 0.5 s. */
  cmos_write (b, 0x0a, 0x76);
  ct_step (b, 10 * SEC);
  ck_assert_uint_eq (cmos_read (b, 0), 0x59);
  cmos_write (b, 0x0a, 0x26);
  ct_step (b, SEC / 2 - 1);
  ck_assert_uint_eq (cmos_read (b, 0), 0x59);
  ct_step (b, 1);
  ck_assert_uint_eq (cmos_read (b, 0), 0x00);
  ct_board_free (b);
}
END_TEST

START_TEST (test_update_in_progress)
{
  CtBoard *b = rtc_board ();
  ck_assert_uint_eq (cmos_read (b, 0x0a) & 0x80, 0);
  ct_step (b, SEC - 244141 - 1);
  ck_assert_uint_eq (cmos_read (b, 0x0a) & 0x80, 0);
  ct_step (b, 1);
  ck_assert_uint_eq (cmos_read (b, 0x0a), 0xa6);
  ct_step (b, 244141);
  ck_assert_uint_eq (cmos_read (b, 0x0a), 0x26);
  ck_assert_uint_eq (cmos_read (b, 0x0d), 0x80);
  cmos_write (b, 0x0d, 0x00);
  ck_assert_uint_eq (cmos_read (b, 0x0d), 0x80);
  ct_board_free (b);
}
END_TEST

START_TEST (test_update_interrupt)
{
  CtBoard *b = rtc_board ();
  ck_assert_uint_eq (cmos_read (b, 0x0c), 0x00);
  cmos_write (b, 0x0b, 0x12); /* UIE */
  ct_step (b, SEC / 2);
  ck_assert (!ct_gsi (b, 8));
  ct_step (b, SEC / 2);
  ck_assert (ct_gsi (b, 8));
  /* IRQF and UF; PF is set too (rate 1024 Hz) though PIE is off. */
  ck_assert_uint_eq (cmos_read (b, 0x0c), 0xd0);
  ck_assert (!ct_gsi (b, 8));
  ck_assert_uint_eq (cmos_read (b, 0x0c), 0x00);
  ct_step (b, SEC);
  ck_assert (ct_gsi (b, 8));
  /* Flags without the enable: set, but no IRQF and no line. */
  cmos_write (b, 0x0b, 0x02);
  ck_assert_uint_eq (cmos_read (b, 0x0c) & 0x90, 0x10);
  ct_step (b, 2 * SEC);
  ck_assert (!ct_gsi (b, 8));
  ck_assert_uint_eq (cmos_read (b, 0x0c) & 0x90, 0x10);
  ct_board_free (b);
}
END_TEST

START_TEST (test_alarm)
{
  CtBoard *b = rtc_board ();
  /* Alarm at 00:00:05; the clock is at 23:59:58. */
  cmos_write (b, 1, 0x05);
  cmos_write (b, 3, 0x00);
  cmos_write (b, 5, 0x00);
  cmos_write (b, 0x0b, 0x22);
  ct_step (b, 7 * SEC - 1);
  ck_assert (!ct_gsi (b, 8));
  ct_step (b, 1);
  ck_assert (ct_gsi (b, 8));
  guint8 c = cmos_read (b, 0x0c);
  ck_assert_uint_eq (c & 0xa0, 0xa0);
  ck_assert (!ct_gsi (b, 8));
  /* Don't-care hour and minute: every minute at :30. */
  cmos_write (b, 1, 0x30);
  cmos_write (b, 3, 0xc0);
  cmos_write (b, 5, 0xff);
  ct_step (b, 25 * SEC - 1);
  ck_assert (!ct_gsi (b, 8));
  ct_step (b, 1);
  ck_assert (ct_gsi (b, 8));
  cmos_read (b, 0x0c);
  ct_step (b, 59 * SEC);
  ck_assert (!ct_gsi (b, 8));
  ct_step (b, SEC);
  ck_assert (ct_gsi (b, 8));
  /* An alarm passed while AIE was off is still flagged. */
  cmos_write (b, 0x0b, 0x02);
  cmos_read (b, 0x0c);
  ct_step (b, 120 * SEC);
  ck_assert_uint_eq (cmos_read (b, 0x0c) & 0x20, 0x20);
  ct_board_free (b);
}
END_TEST

START_TEST (test_periodic_interrupt)
{
  CtBoard *b = rtc_board ();
  /* 1024 Hz (RS 6), the power-on rate. */
  cmos_write (b, 0x0b, 0x42);
  gint64 period = SEC / 1024 + 1; /* one boundary (976562.5 ns apart) per step */
  guint interrupts = 0;
  for (guint i = 0; i < 1024; i++)
    {
      ct_step (b, period);
      if (ct_gsi (b, 8))
        {
          ck_assert_uint_eq (cmos_read (b, 0x0c) & 0xc0, 0xc0);
          interrupts++;
        }
    }
  ck_assert_uint_eq (interrupts, 1024);
  /* 2 Hz (RS 15). */
  cmos_write (b, 0x0a, 0x2f);
  cmos_read (b, 0x0c);
  interrupts = 0;
  for (guint i = 0; i < 40; i++)
    {
      ct_step (b, SEC / 20);
      if (ct_gsi (b, 8))
        {
          cmos_read (b, 0x0c);
          interrupts++;
        }
    }
  ck_assert_uint_eq (interrupts, 4);
  /* Rate 0 turns it off. */
  cmos_write (b, 0x0a, 0x20);
  cmos_read (b, 0x0c);
  ct_step (b, SEC);
  ck_assert (!ct_gsi (b, 8));
  ck_assert_uint_eq (cmos_read (b, 0x0c) & 0x40, 0);
  ct_board_free (b);
}
END_TEST

START_TEST (test_nmi_bit_and_ram)
{
  CtBoard *b = rtc_board ();
  ct_outb (b, 0x70, 0x80 | 0x40);
  ct_outb (b, 0x71, 0x5a);
  ct_outb (b, 0x70, 0x40);
  ck_assert_uint_eq (ct_inb (b, 0x71), 0x5a);
  ck_assert_uint_eq (ct_inb (b, 0x70), 0xff);
  ct_board_free (b);
}
END_TEST

START_TEST (test_cmos_fields)
{
  g_autoptr (BwConfig) config = bw_config_new ();
  bw_config_set_int (config, "cpus", 4);
  bw_config_set_int (config, "devices/rtc/base-time", board_base);
  bw_config_set_string (config, "devices/rtc/boot-order", "cdn");
  bw_config_set_int (config, "devices/rtc/disk0/cylinders", 2048);
  bw_config_set_int (config, "devices/rtc/disk0/heads", 16);
  bw_config_set_int (config, "devices/rtc/disk0/sectors", 63);
  bw_config_set_int (config, "devices/rtc/disk3/cylinders", 100);
  bw_config_set_int (config, "devices/rtc/disk3/heads", 4);
  bw_config_set_int (config, "devices/rtc/disk3/sectors", 17);
  bw_config_set_string (config, "devices/rtc/disk3/translation", "large");
  /* 3712 MiB: 3584 below the PCI hole, 128 above 4 GiB. */
  CtBoard *b = rtc_board_with (config, 3712);
  ck_assert_uint_eq (cmos_read (b, 0x15) | cmos_read (b, 0x16) << 8, 640);
  ck_assert_uint_eq (cmos_read (b, 0x17) | cmos_read (b, 0x18) << 8, 0xffff);
  ck_assert_uint_eq (cmos_read (b, 0x30) | cmos_read (b, 0x31) << 8, 0xffff);
  ck_assert_uint_eq (cmos_read (b, 0x34) | cmos_read (b, 0x35) << 8, (3584 - 16) * 16);
  ck_assert_uint_eq (cmos_read (b, 0x5b) | cmos_read (b, 0x5c) << 8 | cmos_read (b, 0x5d) << 16,
                     128 * 16);
  ck_assert_uint_eq (cmos_read (b, 0x5f), 3);
  ck_assert_uint_eq (cmos_read (b, 0x3d), 0x32);
  ck_assert_uint_eq (cmos_read (b, 0x38), 0x41);
  ck_assert_uint_eq (cmos_read (b, 0x10), 0x00);
  ck_assert_uint_eq (cmos_read (b, 0x14), 0x06);
  ck_assert_uint_eq (cmos_read (b, 0x12), 0xf0);
  ck_assert_uint_eq (cmos_read (b, 0x19), 47);
  ck_assert_uint_eq (cmos_read (b, 0x1b) | cmos_read (b, 0x1c) << 8, 2048);
  ck_assert_uint_eq (cmos_read (b, 0x1d), 16);
  ck_assert_uint_eq (cmos_read (b, 0x23), 63);
  ck_assert_uint_eq (cmos_read (b, 0x39), 0x01 | 0x02 << 6);
  guint sum = 0;
  for (guint i = 0x10; i < 0x2e; i++)
    sum += cmos_read (b, (guint8)i);
  ck_assert_uint_eq (cmos_read (b, 0x2e) << 8 | cmos_read (b, 0x2f), sum);
  ct_board_free (b);

  /* 64 MiB. */
  bw_config_remove (config, "devices/rtc/boot-order");
  CtBoard *small = rtc_board_with (config, 64);
  ck_assert_uint_eq (cmos_read (small, 0x17) | cmos_read (small, 0x18) << 8, 63 * 1024);
  ck_assert_uint_eq (cmos_read (small, 0x34) | cmos_read (small, 0x35) << 8, 48 * 16);
  ck_assert_uint_eq (cmos_read (small, 0x5b), 0);
  ck_assert_uint_eq (cmos_read (small, 0x3d), 0x32); /* default "cd" */
  ct_board_free (small);
}
END_TEST

START_TEST (test_cmos_api)
{
  CtBoard *b = rtc_board ();
  BwDevice *rtc = bw_platform_find_device (b->platform, "rtc");
  bw_rtc_cmos_write (rtc, 0x12, 0xf0);
  ck_assert_uint_eq (cmos_read (b, 0x12), 0xf0);
  cmos_write (b, 0x40, 0x11);
  ck_assert_uint_eq (bw_rtc_cmos_read (rtc, 0x40), 0x11);
  /* The clock registers are not reachable this way. */
  bw_rtc_cmos_write (rtc, 0x00, 0x33);
  bw_rtc_cmos_write (rtc, 0x0b, 0x80);
  ck_assert_uint_eq (cmos_read (b, 0x0b), 0x02);
  ck_assert_uint_eq (bw_rtc_cmos_read (rtc, 0x0c), 0xff);
  ck_assert_uint_eq (bw_rtc_cmos_read (rtc, 0x80), 0xff);
  ct_board_free (b);
}
END_TEST

START_TEST (test_bad_config)
{
  g_autoptr (BwConfig) config = bw_config_new ();
  bw_config_set_string (config, "devices/rtc/boot-order", "cx");
  BwPlatformOptions options
      = { .ram_size = 16 << 20, .clock_mode = BW_CLOCK_MANUAL, .config = config };
  g_autoptr (BwPlatform) p = bw_platform_new (&options, NULL);
  g_autoptr (GError) error = NULL;
  ck_assert (!bw_platform_create_device (p, "rtc-mc146818", "rtc", NULL, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "devices/rtc/boot-order"));
}
END_TEST

START_TEST (test_host_time_default)
{
  g_autoptr (BwConfig) config = bw_config_new ();
  gint64 before = g_get_real_time () / G_USEC_PER_SEC;
  CtBoard *b = rtc_board_with (config, 16);
  g_autoptr (GDateTime) now = g_date_time_new_from_unix_utc (before);
  guint year = (guint)g_date_time_get_year (now) % 100;
  guint8 reg = cmos_read (b, 9);
  guint got = (reg >> 4) * 10 + (reg & 15);
  /* The year may have turned between the two readings. */
  ck_assert (got == year || got == (year + 1) % 100);
  ct_board_free (b);
}
END_TEST

START_TEST (test_reset_keeps_time)
{
  CtBoard *b = rtc_board ();
  cmos_write (b, 0x0b, 0x72);
  cmos_write (b, 0x50, 0x33);
  ct_step (b, 3 * SEC);
  bw_platform_reset (b->platform);
  ck_assert_uint_eq (cmos_read (b, 0x0b), 0x02);
  ck_assert_uint_eq (cmos_read (b, 0x0c), 0x00);
  ck_assert (!ct_gsi (b, 8));
  ck_assert_uint_eq (cmos_read (b, 0x50), 0x33);
  ck_assert_uint_eq (cmos_read (b, 0), 0x01);
  ct_board_free (b);
}
END_TEST

START_TEST (test_saved_state)
{
  CtBoard *b = rtc_board ();
  ct_check_descriptions (b);
  cmos_write (b, 0x0b, 0x62);
  cmos_write (b, 1, 0x10);
  cmos_write (b, 0x60, 0xab);
  ct_step (b, 1500 * 1000 * 1000);
  ct_outb (b, 0x70, 0x8c);
  ct_check_state_round_trip (b, rtc_board);
  ct_board_free (b);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("rtc");
  TCase *tc = tcase_create ("core");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_base_time_and_rollover_bcd);
  tcase_add_test (tc, test_leap_years);
  tcase_add_test (tc, test_binary_mode);
  tcase_add_test (tc, test_12_hour_mode);
  tcase_add_test (tc, test_set_stops_the_clock);
  tcase_add_test (tc, test_update_in_progress);
  tcase_add_test (tc, test_update_interrupt);
  tcase_add_test (tc, test_alarm);
  tcase_add_test (tc, test_periodic_interrupt);
  tcase_add_test (tc, test_nmi_bit_and_ram);
  tcase_add_test (tc, test_cmos_fields);
  tcase_add_test (tc, test_cmos_api);
  tcase_add_test (tc, test_bad_config);
  tcase_add_test (tc, test_host_time_default);
  tcase_add_test (tc, test_reset_keeps_time);
  tcase_add_test (tc, test_saved_state);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
