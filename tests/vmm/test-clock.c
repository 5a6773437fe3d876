/* test-clock.c: timers on the virtual clock: ordering, ties, firing at
 * their own expiry during a step, re-arming, deleting, deadlines, a host
 * clock that stops while paused, and the instruction-driven mode with a
 * counter and a host clock of the test's own (deterministic): timers at
 * their instruction, HLT catching up, pause, tracking the host. */
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


/* ---- virtual mode ------------------------------------------------------- */

typedef struct
{
  guint64 count; /* the "CPU's" instruction counter */
  gint64 host;   /* the "host's" monotonic clock */
} Sim;

static guint64
sim_count (void *data)
{
  return ((Sim *) data)->count;
}

static gint64
sim_host (void *data)
{
  return ((Sim *) data)->host;
}

static BwClock *
virtual_clock (Sim *sim, double rate, gboolean adaptive)
{
  BwClock *clock = bw_clock_new (BW_CLOCK_MANUAL);
  bw_clock_set_host_func (clock, sim_host, sim);
  bw_clock_set_mode (clock, BW_CLOCK_VIRTUAL);
  bw_clock_set_counter (clock, sim_count, sim);
  bw_clock_set_insn_rate (clock, rate, adaptive);
  return clock;
}

typedef struct
{
  BwClock *clock;
  Sim *sim;
  BwTimer *timer;
  gint64 period;
  guint fired;
  gint64 seen_now;
  guint64 seen_count;
} Periodic;

static void
periodic_fire (void *opaque)
{
  Periodic *p = opaque;
  p->fired++;
  p->seen_now = bw_clock_now (p->clock);
  p->seen_count = p->sim->count;
  if (p->period > 0)
    bw_timer_mod (p->timer, p->seen_now + p->period);
}

START_TEST (test_virtual_deadline_at_instruction)
{
  Sim sim = { 0 };
  g_autoptr (BwClock) clock = virtual_clock (&sim, 3.0, FALSE);
  ck_assert_int_eq (bw_clock_get_mode (clock), BW_CLOCK_VIRTUAL);
  ck_assert_int_eq (bw_clock_now (clock), 0);
  sim.count = 100;
  ck_assert_int_eq (bw_clock_now (clock), 300);

  Periodic p = { .clock = clock, .sim = &sim };
  p.timer = bw_timer_new (clock, periodic_fire, &p);
  bw_timer_mod (p.timer, 1000);
  /* 1000 ns at 3 ns per instruction: reached by instruction 334 (1002
   * ns), not by 333 (999 ns). */
  ck_assert_uint_eq (bw_clock_insns_until (clock, 1000), 234);
  sim.count += 233;
  ck_assert_int_eq (bw_clock_now (clock), 999);
  bw_clock_run_timers (clock);
  ck_assert_uint_eq (p.fired, 0);
  ck_assert_uint_eq (bw_clock_insns_until (clock, 1000), 1);
  sim.count += 1;
  bw_clock_run_timers (clock);
  ck_assert_uint_eq (p.fired, 1);
  /* The callback reads its own deadline, then time goes on from the
   * count. */
  ck_assert_int_eq (p.seen_now, 1000);
  ck_assert_uint_eq (p.seen_count, 334);
  ck_assert_int_eq (bw_clock_now (clock), 1002);
  ck_assert_uint_eq (bw_clock_insns_until (clock, 500), 0);
  ck_assert_uint_eq (bw_clock_insns_until (clock, BW_CLOCK_NEVER), G_MAXUINT64);

  /* A new rate keeps the time and counts on from it. */
  bw_clock_set_insn_rate (clock, 0.5, FALSE);
  ck_assert_int_eq (bw_clock_now (clock), 1002);
  sim.count += 10;
  ck_assert_int_eq (bw_clock_now (clock), 1007);
  ck_assert (!bw_clock_adjust (clock)); /* fixed rate */
  ck_assert_double_eq (bw_clock_get_insn_rate (clock), 0.5);
  /* Out-of-range rates are clamped. */
  bw_clock_set_insn_rate (clock, 0, FALSE);
  ck_assert_double_eq (bw_clock_get_insn_rate (clock), BW_CLOCK_MIN_RATE);
  bw_timer_free (p.timer);
}
END_TEST

START_TEST (test_virtual_periodic_ticks_not_lost)
{
  /* A 1 ms tick; the "CPU" runs whatever budget the clock gives it, in
   * runs of at most 10000 instructions, and the host starves it now and
   * then: every tick still fires, each at its own deadline. */
  Sim sim = { 0 };
  g_autoptr (BwClock) clock = virtual_clock (&sim, 7.0, FALSE);
  Periodic p = { .clock = clock, .sim = &sim, .period = 1000000 };
  p.timer = bw_timer_new (clock, periodic_fire, &p);
  bw_timer_mod (p.timer, 1000000);
  guint runs = 0;
  while (bw_clock_now (clock) < 50 * G_GINT64_CONSTANT (1000000))
    {
      gint64 deadline = bw_clock_run_timers (clock);
      guint64 n = MIN (bw_clock_insns_until (clock, deadline), 10000);
      sim.count += MAX (n, 1);
      sim.host += (runs++ % 17 == 0) ? 30000000 : (gint64) n * 50; /* starved */
      if (p.fired)
        ck_assert_int_eq (p.seen_now, (gint64) p.fired * 1000000);
    }
  bw_clock_run_timers (clock);
  ck_assert_uint_eq (p.fired, 50);
  bw_timer_free (p.timer);
}
END_TEST

START_TEST (test_virtual_idle_catches_up)
{
  Sim sim = { 0 };
  g_autoptr (BwClock) clock = virtual_clock (&sim, 10.0, FALSE);
  Periodic p = { .clock = clock, .sim = &sim, .period = 1000000 };
  p.timer = bw_timer_new (clock, periodic_fire, &p);
  bw_timer_mod (p.timer, 1000000);

  /* Halted 10.5 ms behind the host: the clock jumps from timer to timer
   * at once (each call fires one), then to the host's time. */
  sim.host = 10500000;
  guint calls = 0;
  while (bw_clock_idle (clock) == 0)
    calls++;
  ck_assert_uint_eq (calls, 10);
  ck_assert_uint_eq (p.fired, 10);
  ck_assert_int_eq (p.seen_now, 10000000);
  ck_assert_int_eq (bw_clock_now (clock), 10500000);
  ck_assert_uint_eq (sim.count, 0); /* no instruction ran */

  /* Not behind: sleep until the host reaches the next tick. */
  ck_assert_int_eq (bw_clock_idle (clock), 500000);
  ck_assert_uint_eq (p.fired, 10);
  sim.host += 200000;
  ck_assert_int_eq (bw_clock_idle (clock), 300000);
  ck_assert_int_eq (bw_clock_now (clock), 10700000);
  sim.host += 300000;
  ck_assert_int_eq (bw_clock_idle (clock), 0);
  ck_assert_uint_eq (p.fired, 11);

  /* Ahead of the host (a fast run): no jump, a longer sleep. */
  sim.count += 200000; /* 2 ms at 10 ns */
  ck_assert_int_eq (bw_clock_now (clock), 13000000);
  bw_clock_run_timers (clock); /* the ticks at 12 and 13 ms */
  ck_assert_uint_eq (p.fired, 13);
  ck_assert_int_eq (bw_clock_idle (clock), 14000000 - sim.host);
  ck_assert_int_eq (bw_clock_now (clock), 13000000);

  /* No timer: time follows the host while halted. */
  bw_timer_del (p.timer);
  sim.host = 20000000;
  ck_assert_int_eq (bw_clock_idle (clock), BW_CLOCK_NEVER);
  ck_assert_int_eq (bw_clock_now (clock), 20000000);
  bw_timer_free (p.timer);
}
END_TEST

START_TEST (test_virtual_pause_stops_time)
{
  Sim sim = { 0 };
  g_autoptr (BwClock) clock = virtual_clock (&sim, 10.0, TRUE);
  Periodic p = { .clock = clock, .sim = &sim };
  p.timer = bw_timer_new (clock, periodic_fire, &p);
  bw_timer_mod (p.timer, 1000000000);
  sim.count = 1000;
  sim.host = 10000;
  ck_assert (bw_clock_is_running (clock));
  bw_clock_stop (clock);
  ck_assert (!bw_clock_is_running (clock));
  gint64 vt = bw_clock_now (clock);
  /* Paused for 5 s of host time: neither the guest's time nor the host
   * reference moves, so on resume the guest is not 5 s behind and does
   * not race through its timers. */
  sim.host += 5000000000;
  ck_assert_int_eq (bw_clock_get_host_time (clock), 10000);
  bw_clock_start (clock);
  ck_assert_int_eq (bw_clock_now (clock), vt);
  ck_assert_int_eq (bw_clock_get_host_time (clock), 10000);
  ck_assert_int_eq (bw_clock_idle (clock), 1000000000 - 10000);
  ck_assert_uint_eq (p.fired, 0);
  /* The rate is not fooled either: the pause is no running time. */
  sim.host += BW_CLOCK_ADJUST_PERIOD;
  bw_clock_busy (clock);
  sim.count += 1000000;
  ck_assert (bw_clock_adjust (clock));
  ck_assert_double_le (bw_clock_get_insn_rate (clock), 20.0);
  bw_timer_free (p.timer);
}
END_TEST

/* Runs the "CPU" at speed host ns per instruction for host_ns, in runs up
 * to the next deadline as the software backend does, with a halt (the
 * guest idle) every idle_every runs. */
static void
simulate (BwClock *clock, Sim *sim, double speed, gint64 host_ns, guint idle_every)
{
  gint64 end = sim->host + host_ns;
  guint runs = 0;
  while (sim->host < end)
    {
      gint64 deadline = bw_clock_run_timers (clock);
      bw_clock_adjust (clock);
      guint64 n = MAX (1, MIN (bw_clock_insns_until (clock, deadline), 100000));
      sim->count += n;
      sim->host += (gint64) (n * speed);
      if (idle_every && ++runs % idle_every == 0)
        {
          gint64 sleep;
          while ((sleep = bw_clock_idle (clock)) == 0)
            ;
          sim->host += MIN (sleep, 2000000);
          bw_clock_idle (clock);
          bw_clock_busy (clock);
        }
    }
}

START_TEST (test_virtual_tracks_host)
{
  Sim sim = { 0 };
  g_autoptr (BwClock) clock = virtual_clock (&sim, 10.0, TRUE);
  Periodic p = { .clock = clock, .sim = &sim, .period = 4000000 };
  p.timer = bw_timer_new (clock, periodic_fire, &p);
  bw_timer_mod (p.timer, 4000000);
  const gint64 s = 1000000000;

  /* A CPU 3x slower than the nominal rate, busy: after a few seconds
   * virtual time runs with the host (within 2%), the rate near 30 ns. */
  simulate (clock, &sim, 30.0, 5 * s, 0);
  gint64 lag = bw_clock_get_host_time (clock) - bw_clock_now (clock);
  ck_assert_msg (ABS (lag) < s / 50, "lag %" G_GINT64_FORMAT, lag);
  ck_assert_double_ge (bw_clock_get_insn_rate (clock), 27.0);
  ck_assert_double_le (bw_clock_get_insn_rate (clock), 33.0);

  /* The host slows it to a tenth (a loaded host), then it recovers; and
   * a guest that idles half the time: still with the host on average. */
  simulate (clock, &sim, 300.0, 5 * s, 0);
  simulate (clock, &sim, 20.0, 5 * s, 3);
  lag = bw_clock_get_host_time (clock) - bw_clock_now (clock);
  ck_assert_msg (ABS (lag) < s / 20, "lag %" G_GINT64_FORMAT, lag);

  /* A stall (the thread not scheduled for 4 s): the lag beyond
   * BW_CLOCK_MAX_LAG is given up, the rest made up within seconds. */
  sim.host += 4 * s;
  simulate (clock, &sim, 20.0, 100000000, 0);
  lag = bw_clock_get_host_time (clock) - bw_clock_now (clock);
  ck_assert_int_le (lag, BW_CLOCK_MAX_LAG);
  simulate (clock, &sim, 20.0, 10 * s, 0);
  lag = bw_clock_get_host_time (clock) - bw_clock_now (clock);
  ck_assert_msg (ABS (lag) < s / 20, "lag %" G_GINT64_FORMAT, lag);

  /* Every 4 ms tick of the guest fired, none lost. */
  ck_assert_int_eq (p.fired, bw_clock_now (clock) / 4000000);
  bw_timer_free (p.timer);
}
END_TEST

START_TEST (test_mode_switch_keeps_time)
{
  Sim sim = { .host = 1000 };
  g_autoptr (BwClock) clock = bw_clock_new (BW_CLOCK_HOST);
  bw_clock_set_host_func (clock, sim_host, &sim);
  gint64 t0 = bw_clock_now (clock); /* what the real host clock had counted */
  sim.host += 5000;
  ck_assert_int_eq (bw_clock_now (clock), t0 + 5000);
  bw_clock_set_mode (clock, BW_CLOCK_VIRTUAL);
  ck_assert_int_eq (bw_clock_now (clock), t0 + 5000);
  ck_assert_int_eq (bw_clock_get_host_time (clock), t0 + 5000);
  bw_clock_set_counter (clock, sim_count, &sim);
  sim.count = 100; /* 10 ns each by default */
  ck_assert_int_eq (bw_clock_now (clock), t0 + 6000);
  bw_clock_set_counter (clock, NULL, NULL);
  sim.count = 200;
  ck_assert_int_eq (bw_clock_now (clock), t0 + 6000);
  bw_clock_set_mode (clock, BW_CLOCK_MANUAL);
  ck_assert_int_eq (bw_clock_now (clock), t0 + 6000);
  bw_clock_step (clock, 10);
  ck_assert_int_eq (bw_clock_now (clock), t0 + 6010);
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
  TCase *tv = tcase_create ("virtual");
  tcase_add_test (tv, test_virtual_deadline_at_instruction);
  tcase_add_test (tv, test_virtual_periodic_ticks_not_lost);
  tcase_add_test (tv, test_virtual_idle_catches_up);
  tcase_add_test (tv, test_virtual_pause_stops_time);
  tcase_add_test (tv, test_virtual_tracks_host);
  tcase_add_test (tv, test_mode_switch_keeps_time);
  suite_add_tcase (suite, tv);
  return bw_test_run (suite);
}
