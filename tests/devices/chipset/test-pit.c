/* test-pit.c: the 8254 through its ports on a manual clock: modes 0, 2,
 * 3 and 4 output on IRQ 0, counter latch and read-back, byte access
 * modes, BCD, the channel 2 gate and OUT2 on port 61h, the refresh bit,
 * and saved state. */
#include "config.h"

#include "chipset-test.h"

#define PIT_HZ 1193182

/* IRQ 0 as the interrupt controller sees it. */
static guint rises, falls;
static gboolean level0;

static void
record_gsi (void *opaque, guint gsi, gboolean level)
{
  if (gsi != 0)
    return;
  if (level && !level0)
    rises++;
  if (!level && level0)
    falls++;
  level0 = level;
}

static guint8
no_ack (void *opaque)
{
  return 0xff;
}

static const BwIrqControllerOps recorder = { .set_gsi = record_gsi, .acknowledge = no_ack };

static CtBoard *
pit_board (void)
{
  CtBoard *b = ct_board_new (2, "pit-i8254:pit");
  rises = falls = 0;
  level0 = ct_gsi (b, 0);
  bw_irq_router_set_controller (bw_platform_get_irq_router (b->platform), &recorder, NULL);
  return b;
}

/* Time at which tick d has been reached. */
static gint64
tns (gint64 d)
{
  return (d * G_GINT64_CONSTANT (1000000000) + PIT_HZ - 1) / PIT_HZ;
}

static void
step_to (CtBoard *b, gint64 t)
{
  ct_step (b, t - ct_now (b));
}

static guint
read_count (CtBoard *b, guint ch)
{
  ct_outb (b, 0x43, (guint8)(ch << 6)); /* latch */
  guint lo = ct_inb (b, 0x40 + ch);
  return lo | ct_inb (b, 0x40 + ch) << 8;
}

static void
program (CtBoard *b, guint ch, guint mode, guint count)
{
  ct_outb (b, 0x43, (guint8)(ch << 6 | 0x30 | mode << 1));
  ct_outb (b, 0x40 + ch, (guint8)count);
  ct_outb (b, 0x40 + ch, (guint8)(count >> 8));
}

START_TEST (test_mode0)
{
  CtBoard *b = pit_board ();
  gint64 t0 = ct_now (b);
  ct_outb (b, 0x43, 0x30);
  ck_assert (!ct_gsi (b, 0)); /* OUT low after the control word */
  ct_outb (b, 0x40, 0xe8);
  ct_outb (b, 0x40, 0x03); /* 1000 */
  ck_assert_uint_eq (read_count (b, 0), 1000);
  step_to (b, t0 + tns (400));
  ck_assert_uint_eq (read_count (b, 0), 600);
  step_to (b, t0 + tns (1000) - 1);
  ck_assert (!ct_gsi (b, 0));
  ck_assert_uint_eq (rises, 0);
  step_to (b, t0 + tns (1000));
  ck_assert (ct_gsi (b, 0));
  ck_assert_uint_eq (rises, 1);
  /* OUT stays high; the counter wraps past 0. */
  step_to (b, t0 + tns (1010));
  ck_assert_uint_eq (read_count (b, 0), 65526);
  ct_step (b, 100000000);
  ck_assert (ct_gsi (b, 0));
  ck_assert_uint_eq (rises, 1);
  ct_board_free (b);
}
END_TEST

START_TEST (test_mode2)
{
  CtBoard *b = pit_board ();
  gint64 t0 = ct_now (b);
  program (b, 0, 2, 1193); /* about 1 kHz */
  ck_assert (ct_gsi (b, 0));
  guint base = rises;
  step_to (b, t0 + tns (1193 * 10) - 1);
  ck_assert_uint_eq (rises - base, 9);
  step_to (b, t0 + tns (1193 * 10));
  ck_assert_uint_eq (rises - base, 10);
  ck_assert (ct_gsi (b, 0));
  /* The count runs N..1 and reloads. */
  step_to (b, t0 + tns (1193 * 10 + 93));
  ck_assert_uint_eq (read_count (b, 0), 1100);
  ct_board_free (b);
}
END_TEST

START_TEST (test_mode3)
{
  CtBoard *b = pit_board ();
  gint64 t0 = ct_now (b);
  program (b, 0, 3, 1000);
  ck_assert (ct_gsi (b, 0));
  step_to (b, t0 + tns (499));
  ck_assert (ct_gsi (b, 0));
  step_to (b, t0 + tns (500));
  ck_assert (!ct_gsi (b, 0));
  step_to (b, t0 + tns (999));
  ck_assert (!ct_gsi (b, 0));
  step_to (b, t0 + tns (1000));
  ck_assert (ct_gsi (b, 0));
  guint r = rises, f = falls;
  step_to (b, t0 + tns (1000 * 101));
  ck_assert_uint_eq (rises - r, 100);
  ck_assert_uint_eq (falls - f, 100);
  /* The count goes down by two. */
  step_to (b, ct_now (b) + tns (10) + 1);
  ck_assert_uint_eq (read_count (b, 0), 980);
  ct_board_free (b);
}
END_TEST

START_TEST (test_mode4_strobe)
{
  CtBoard *b = pit_board ();
  gint64 t0 = ct_now (b);
  program (b, 0, 4, 50);
  ck_assert (ct_gsi (b, 0));
  step_to (b, t0 + tns (51));
  ck_assert_uint_eq (rises, 1); /* one strobe, delivered as a pulse */
  ct_step (b, 50000000);
  ck_assert_uint_eq (rises, 1);
  ct_board_free (b);
}
END_TEST

START_TEST (test_latch_and_readback)
{
  CtBoard *b = pit_board ();
  gint64 t0 = ct_now (b);
  program (b, 0, 2, 5000);
  step_to (b, t0 + tns (100));
  ct_outb (b, 0x43, 0x00); /* latch channel 0 */
  step_to (b, t0 + tns (300));
  ct_outb (b, 0x43, 0x00); /* a second latch before reading is ignored */
  ck_assert_uint_eq (ct_inb (b, 0x40) | ct_inb (b, 0x40) << 8, 4900);
  ck_assert_uint_eq (read_count (b, 0), 4700);

  /* Read-back: status then count of channel 0. */
  ct_outb (b, 0x43, 0xc2);
  guint8 status = ct_inb (b, 0x40);
  ck_assert_uint_eq (status & 0x3f, 0x34); /* lo/hi, mode 2, binary */
  ck_assert_uint_eq (status & 0x40, 0);    /* count loaded */
  ck_assert_uint_eq (ct_inb (b, 0x40) | ct_inb (b, 0x40) << 8, 4700);
  /* Status only, after a new control word: null count set, OUT low in mode 0. */
  ct_outb (b, 0x43, 0x70 | 0x00); /* channel 1, lo/hi, mode 0 */
  ct_outb (b, 0x43, 0xe4);
  ck_assert_uint_eq (ct_inb (b, 0x41), 0x70);
  ct_board_free (b);
}
END_TEST

START_TEST (test_byte_modes_and_bcd)
{
  CtBoard *b = pit_board ();
  gint64 t0 = ct_now (b);
  ct_outb (b, 0x43, 0x54); /* channel 1, LSB only, mode 2 */
  ct_outb (b, 0x41, 0x80);
  ck_assert_uint_eq (ct_inb (b, 0x41), 0x80);
  step_to (b, t0 + tns (16));
  ck_assert_uint_eq (ct_inb (b, 0x41), 0x70);
  ct_outb (b, 0x43, 0x64); /* channel 1, MSB only, mode 2 */
  ct_outb (b, 0x41, 0x02); /* 0x200 */
  t0 = ct_now (b);
  step_to (b, t0 + tns (0x10));
  ck_assert_uint_eq (ct_inb (b, 0x41), 0x01); /* 0x1F0 */

  ct_outb (b, 0x43, 0x75); /* channel 1, lo/hi, mode 2, BCD */
  ct_outb (b, 0x41, 0x00);
  ct_outb (b, 0x41, 0x10); /* 1000 decimal */
  t0 = ct_now (b);
  step_to (b, t0 + tns (1));
  ck_assert_uint_eq (read_count (b, 1), 0x0999);
  step_to (b, t0 + tns (1001));
  ck_assert_uint_eq (read_count (b, 1), 0x0999);
  ct_board_free (b);
}
END_TEST

START_TEST (test_port61_gate_and_out2)
{
  CtBoard *b = pit_board ();
  /* Channel 2, mode 0, gate low: the count does not move. */
  program (b, 2, 0, 100);
  gint64 t0 = ct_now (b);
  ck_assert_uint_eq (ct_inb (b, 0x61) & 0x21, 0x00);
  step_to (b, t0 + tns (500));
  ck_assert_uint_eq (read_count (b, 2), 100);
  ct_outb (b, 0x61, 0x03); /* gate on, speaker data on */
  ck_assert_uint_eq (ct_inb (b, 0x61) & 0x03, 0x03);
  t0 = ct_now (b);
  step_to (b, t0 + tns (40));
  ck_assert_uint_eq (read_count (b, 2), 60);
  ck_assert_uint_eq (ct_inb (b, 0x61) & 0x20, 0);
  ct_outb (b, 0x61, 0x02); /* gate off: suspended */
  step_to (b, t0 + tns (400));
  ck_assert_uint_eq (read_count (b, 2), 60);
  ct_outb (b, 0x61, 0x01);
  t0 = ct_now (b);
  step_to (b, t0 + tns (60));
  ck_assert_uint_eq (ct_inb (b, 0x61) & 0x20, 0x20); /* OUT2 high at terminal count */

  /* Mode 3 square wave on OUT2; gate low forces OUT high. */
  program (b, 2, 3, 200);
  t0 = ct_now (b);
  step_to (b, t0 + tns (150));
  ck_assert_uint_eq (ct_inb (b, 0x61) & 0x20, 0);
  ct_outb (b, 0x61, 0x00);
  ck_assert_uint_eq (ct_inb (b, 0x61) & 0x20, 0x20);
  ct_board_free (b);
}
END_TEST

START_TEST (test_gate_triggered_modes)
{
  CtBoard *b = pit_board ();
  /* Mode 1: OUT high until the gate's rising edge, then low for N ticks. */
  program (b, 2, 1, 100);
  ck_assert_uint_eq (ct_inb (b, 0x61) & 0x20, 0x20);
  ct_step (b, tns (500));
  ck_assert_uint_eq (read_count (b, 2), 100); /* not triggered */
  ct_outb (b, 0x61, 0x01);
  gint64 t0 = ct_now (b);
  ck_assert_uint_eq (ct_inb (b, 0x61) & 0x20, 0);
  step_to (b, t0 + tns (99));
  ck_assert_uint_eq (ct_inb (b, 0x61) & 0x20, 0);
  ck_assert_uint_eq (read_count (b, 2), 1);
  step_to (b, t0 + tns (100));
  ck_assert_uint_eq (ct_inb (b, 0x61) & 0x20, 0x20);
  /* Retriggered by another rising edge. */
  ct_outb (b, 0x61, 0x00);
  ct_outb (b, 0x61, 0x01);
  ck_assert_uint_eq (ct_inb (b, 0x61) & 0x20, 0);

  /* Mode 5: one tick low N ticks after the trigger. */
  ct_outb (b, 0x61, 0x00);
  program (b, 2, 5, 30);
  ct_outb (b, 0x61, 0x01);
  t0 = ct_now (b);
  step_to (b, t0 + tns (29));
  ck_assert_uint_eq (ct_inb (b, 0x61) & 0x20, 0x20);
  step_to (b, t0 + tns (30));
  ck_assert_uint_eq (ct_inb (b, 0x61) & 0x20, 0);
  step_to (b, t0 + tns (31));
  ck_assert_uint_eq (ct_inb (b, 0x61) & 0x20, 0x20);
  ct_board_free (b);
}
END_TEST

START_TEST (test_refresh_toggle)
{
  CtBoard *b = pit_board ();
  guint8 first = ct_inb (b, 0x61) & 0x10;
  guint changes = 0;
  for (guint i = 0; i < 20; i++)
    {
      ct_step (b, 15085);
      guint8 now = ct_inb (b, 0x61) & 0x10;
      changes += now != first;
      first = now;
    }
  ck_assert_uint_eq (changes, 20);
  /* Not writable. */
  ct_outb (b, 0x61, 0xf0);
  ck_assert_uint_eq (ct_inb (b, 0x61) & 0xcf, 0x00);
  ct_board_free (b);
}
END_TEST

START_TEST (test_fast_rate_is_bounded)
{
  CtBoard *b = pit_board ();
  program (b, 0, 2, 2); /* 600 kHz asked */
  guint base = rises;
  ct_step (b, 10000000); /* 10 ms */
  ck_assert_uint_gt (rises - base, 100);
  ck_assert_uint_le (rises - base, 1001);
  ct_board_free (b);
}
END_TEST

START_TEST (test_saved_state)
{
  CtBoard *b = pit_board ();
  ct_check_descriptions (b);
  program (b, 0, 2, 11932);
  program (b, 2, 3, 1234);
  ct_outb (b, 0x61, 0x03);
  ct_step (b, 3000000);
  ct_outb (b, 0x43, 0x80); /* latch channel 2 */
  ct_inb (b, 0x42);        /* half read */
  ct_outb (b, 0x43, 0x50); /* channel 1 LSB mode 0, no count */
  ct_check_state_round_trip (b, pit_board);
  ct_board_free (b);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("pit");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_mode0);
  tcase_add_test (tc, test_mode2);
  tcase_add_test (tc, test_mode3);
  tcase_add_test (tc, test_mode4_strobe);
  tcase_add_test (tc, test_latch_and_readback);
  tcase_add_test (tc, test_byte_modes_and_bcd);
  tcase_add_test (tc, test_port61_gate_and_out2);
  tcase_add_test (tc, test_gate_triggered_modes);
  tcase_add_test (tc, test_refresh_toggle);
  tcase_add_test (tc, test_fast_rate_is_bounded);
  tcase_add_test (tc, test_saved_state);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
