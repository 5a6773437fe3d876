/* test-clock.c: timers on the virtual clock: ordering, ties, firing at
 * their own expiry during a step, re-arming, deleting, deadlines, and a
 * host clock that stops while paused. */
#include "config.h"

#include "bw-test.h"
#include "vmm/bw-clock.h"
#include "vmm/bw-timer.h"

typedef struct
{
  BwClock *clock;
  GString *order;
  gint64 fired_at[8];
  guint fired;
} Record;

typedef struct
{
  Record *rec;
  char name;
  BwTimer *timer;
  gint64 period; /* re-arm from the callback when > 0 */
  guint limit;
  guint count;
} Tick;

static void
tick_fire (void *opaque)
{
  Tick *t = opaque;
  Record *r = t->rec;
  g_string_append_c (r->order, t->name);
  if (r->fired < G_N_ELEMENTS (r->fired_at))
    r->fired_at[r->fired] = bw_clock_now (r->clock);
  r->fired++;
  t->count++;
  if (t->period > 0 && t->count < t->limit)
    bw_timer_mod_in (t->timer, t->period);
}

static void
tick_init (Tick *t, Record *r, char name)
{
  t->rec = r;
  t->name = name;
  t->timer = bw_timer_new (r->clock, tick_fire, t);
}

START_TEST (test_order_and_ties)
{
  Record r = { .clock = bw_clock_new (BW_CLOCK_MANUAL), .order = g_string_new (NULL) };
  Tick a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };
  tick_init (&a, &r, 'a');
  tick_init (&b, &r, 'b');
  tick_init (&c, &r, 'c');
  tick_init (&d, &r, 'd');
  ck_assert_int_eq (bw_clock_get_deadline (r.clock), BW_CLOCK_NEVER);
  bw_timer_mod (a.timer, 300);
  bw_timer_mod (b.timer, 100);
  bw_timer_mod (c.timer, 300); /* ties with a, armed later: fires after a */
  bw_timer_mod (d.timer, 200);
  ck_assert_int_eq (bw_clock_get_deadline (r.clock), 100);
  bw_clock_step (r.clock, 99);
  ck_assert_str_eq (r.order->str, "");
  bw_clock_step (r.clock, 1);
  ck_assert_str_eq (r.order->str, "b");
  ck_assert_int_eq (bw_clock_get_deadline (r.clock), 200);
  bw_clock_step (r.clock, 1000);
  ck_assert_str_eq (r.order->str, "bdac");
  /* Each fired with the clock at its own expiry. */
  ck_assert_int_eq (r.fired_at[0], 100);
  ck_assert_int_eq (r.fired_at[1], 200);
  ck_assert_int_eq (r.fired_at[2], 300);
  ck_assert_int_eq (r.fired_at[3], 300);
  ck_assert_int_eq (bw_clock_now (r.clock), 1100);
  ck_assert (!bw_timer_pending (a.timer));
  ck_assert_int_eq (bw_timer_get_expire (a.timer), -1);
  bw_timer_free (a.timer);
  bw_timer_free (b.timer);
  bw_timer_free (c.timer);
  bw_timer_free (d.timer);
  g_string_free (r.order, TRUE);
  bw_clock_free (r.clock);
}
END_TEST

START_TEST (test_periodic_rearm)
{
  Record r = { .clock = bw_clock_new (BW_CLOCK_MANUAL), .order = g_string_new (NULL) };
  Tick p = { .period = 1000, .limit = 5 };
  Tick q = { 0 };
  tick_init (&p, &r, 'p');
  tick_init (&q, &r, 'q');
  bw_timer_mod_in (p.timer, 1000);
  bw_timer_mod (q.timer, 2500);
  bw_clock_step (r.clock, 10000);
  /* p at 1000, 2000, 3000, 4000, 5000; q at 2500 in between. */
  ck_assert_str_eq (r.order->str, "ppqppp");
  ck_assert_int_eq (r.fired_at[2], 2500);
  ck_assert_int_eq (r.fired_at[5], 5000);
  ck_assert (!bw_timer_pending (p.timer));
  bw_timer_free (p.timer);
  bw_timer_free (q.timer);
  g_string_free (r.order, TRUE);
  bw_clock_free (r.clock);
}
END_TEST

START_TEST (test_mod_and_del)
{
  Record r = { .clock = bw_clock_new (BW_CLOCK_MANUAL), .order = g_string_new (NULL) };
  Tick a = { 0 }, b = { 0 };
  tick_init (&a, &r, 'a');
  tick_init (&b, &r, 'b');
  bw_timer_mod (a.timer, 100);
  bw_timer_mod (b.timer, 200);
  bw_timer_mod (a.timer, 300); /* moved past b */
  ck_assert_int_eq (bw_clock_get_deadline (r.clock), 200);
  bw_timer_del (b.timer);
  ck_assert_int_eq (bw_clock_get_deadline (r.clock), 300);
  bw_clock_advance_to (r.clock, 250);
  ck_assert_str_eq (r.order->str, "");
  bw_clock_advance_to (r.clock, 100); /* the past: nothing happens */
  ck_assert_int_eq (bw_clock_now (r.clock), 250);
  bw_clock_advance_to (r.clock, 300);
  ck_assert_str_eq (r.order->str, "a");
  /* An expiry in the past fires at the next run. */
  bw_timer_mod (b.timer, 10);
  ck_assert_int_eq (bw_clock_run_timers (r.clock), BW_CLOCK_NEVER);
  ck_assert_str_eq (r.order->str, "ab");
  bw_timer_free (a.timer);
  bw_timer_free (b.timer);
  g_string_free (r.order, TRUE);
  bw_clock_free (r.clock);
}
END_TEST

typedef struct
{
  guint calls;
  gint64 last;
} DeadlineLog;

static void
on_deadline (void *user_data, gint64 deadline)
{
  DeadlineLog *d = user_data;
  d->calls++;
  d->last = deadline;
}

static void
nop (void *opaque)
{
}

START_TEST (test_deadline_notification)
{
  g_autoptr (BwClock) clock = bw_clock_new (BW_CLOCK_MANUAL);
  DeadlineLog d = { 0 };
  bw_clock_set_deadline_func (clock, on_deadline, &d);
  BwTimer *a = bw_timer_new (clock, nop, NULL);
  BwTimer *b = bw_timer_new (clock, nop, NULL);
  bw_timer_mod (a, 500);
  ck_assert_uint_eq (d.calls, 1);
  ck_assert_int_eq (d.last, 500);
  bw_timer_mod (b, 800); /* later: the sleeper need not wake */
  ck_assert_uint_eq (d.calls, 1);
  bw_timer_mod (b, 200);
  ck_assert_uint_eq (d.calls, 2);
  ck_assert_int_eq (d.last, 200);
  bw_timer_free (a);
  bw_timer_free (b);
  ck_assert_int_eq (bw_clock_get_deadline (clock), BW_CLOCK_NEVER);
}
END_TEST

START_TEST (test_host_clock_stops)
{
  g_autoptr (BwClock) clock = bw_clock_new (BW_CLOCK_HOST);
  ck_assert (bw_clock_is_running (clock));
  gint64 t0 = bw_clock_now (clock);
  ck_assert_int_ge (t0, 0);
  bw_clock_stop (clock);
  ck_assert (!bw_clock_is_running (clock));
  gint64 t1 = bw_clock_now (clock);
  g_usleep (2000);
  ck_assert_int_eq (bw_clock_now (clock), t1); /* frozen while stopped */
  bw_clock_start (clock);
  gint64 t2 = bw_clock_now (clock);
  ck_assert_int_ge (t2, t1);
  /* The stopped interval is not counted: far less than the 2 ms slept
   * plus anything before would give, but never backwards. */
  ck_assert_int_ge (bw_clock_now (clock), t2);
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("clock");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_order_and_ties);
  tcase_add_test (tc, test_periodic_rearm);
  tcase_add_test (tc, test_mod_and_del);
  tcase_add_test (tc, test_deadline_notification);
  tcase_add_test (tc, test_host_clock_stops);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
