/* bw-clock.c: the virtual clock and its timer queue. */
#include "config.h"

#include <math.h>
#include <time.h>
#include "vmm/bw-clock.h"
#include "vmm/bw-timer.h"

struct _BwTimer
{
  BwClock *clock;
  BwTimerFunc func;
  void *opaque;
  gint64 expire;
  guint64 seq;   /* arming order, breaks ties */
  GList *link;   /* in clock->queue while armed */
};

/* Rates are kept as ns per instruction in 16.16 fixed point for now(). */
#define RATE_ONE 65536.0

struct _BwClock
{
  BwClockMode mode;
  GMutex mutex;      /* guards the time base and the cached deadline */
  gint64 now_manual; /* manual mode */
  gint64 host_base;  /* host reference = host - host_base while running */
  gint64 frozen_at;  /* host reference while stopped */
  gboolean running;
  gint64 deadline;   /* cached expiry of the queue head */
  GQueue queue;      /* BwTimer, by (expire, seq) */
  guint64 next_seq;
  guint n_timers;
  BwClockDeadlineFunc deadline_func;
  void *deadline_data;
  BwClockHostFunc host_func;
  void *host_data;

  /* Virtual mode: now = vbase + (count - cbase) * rate_fp / 2^16. */
  BwClockCounterFunc counter;
  void *counter_data;
  gint64 vbase;
  guint64 cbase;
  guint64 rate_fp;
  double rate;         /* the same in ns per instruction */
  double speed;        /* host ns per instruction, smoothed (0: not yet) */
  gboolean adaptive;
  gint64 fire_time;    /* >= 0 while a timer fires: what now() reads */
  gint64 adj_host;     /* host reference at the last adjustment */
  guint64 adj_count;   /* counter then */
  gint64 idle_since;   /* host reference when halted, -1 while busy */
  gint64 idle_ns;      /* halted host time since the last adjustment */
};

static gint64
host_ns (BwClock *clock)
{
  if (clock->host_func)
    return clock->host_func (clock->host_data);
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

BwClock *
bw_clock_new (BwClockMode mode)
{
  BwClock *clock = g_new0 (BwClock, 1);
  clock->mode = mode;
  g_mutex_init (&clock->mutex);
  clock->host_base = host_ns (clock);
  clock->running = TRUE;
  clock->deadline = BW_CLOCK_NEVER;
  clock->fire_time = -1;
  clock->idle_since = -1;
  clock->rate = 10.0;
  clock->rate_fp = (guint64) (clock->rate * RATE_ONE);
  clock->adaptive = TRUE;
  g_queue_init (&clock->queue);
  return clock;
}

void
bw_clock_free (BwClock *clock)
{
  if (!clock)
    return;
  if (clock->n_timers)
    g_warning ("Virtual clock freed with %u timers still alive", clock->n_timers);
  g_mutex_clear (&clock->mutex);
  g_free (clock);
}

BwClockMode
bw_clock_get_mode (BwClock *clock)
{
  return clock->mode;
}

static gint64
host_ref_locked (BwClock *clock)
{
  return clock->running ? host_ns (clock) - clock->host_base : clock->frozen_at;
}

static guint64
count_locked (BwClock *clock)
{
  return clock->counter ? clock->counter (clock->counter_data) : clock->cbase;
}

/* Virtual time at a counter value, ignoring a firing timer. */
static gint64
virtual_at (BwClock *clock, guint64 count)
{
  unsigned __int128 d = (unsigned __int128) (count - clock->cbase) * clock->rate_fp;
  d >>= 16;
  return d >= (unsigned __int128) (G_MAXINT64 - 1 - clock->vbase) ? G_MAXINT64 - 1
                                                                  : clock->vbase + (gint64) d;
}

static gint64
now_locked (BwClock *clock)
{
  switch (clock->mode)
    {
    case BW_CLOCK_MANUAL:
      return clock->now_manual;
    case BW_CLOCK_VIRTUAL:
      if (clock->fire_time >= 0)
        return clock->fire_time;
      return virtual_at (clock, count_locked (clock));
    default:
      return host_ref_locked (clock);
    }
}

/* Virtual mode: time continues from t at the current count (a jump, or a
 * new rate taking over). */
static void
rebase_locked (BwClock *clock, gint64 t)
{
  clock->vbase = t;
  clock->cbase = count_locked (clock);
}

gint64
bw_clock_now (BwClock *clock)
{
  g_mutex_lock (&clock->mutex);
  gint64 now = now_locked (clock);
  g_mutex_unlock (&clock->mutex);
  return now;
}

void
bw_clock_stop (BwClock *clock)
{
  g_mutex_lock (&clock->mutex);
  if (clock->mode != BW_CLOCK_MANUAL && clock->running)
    {
      clock->frozen_at = host_ref_locked (clock);
      clock->running = FALSE;
    }
  g_mutex_unlock (&clock->mutex);
}

void
bw_clock_start (BwClock *clock)
{
  g_mutex_lock (&clock->mutex);
  if (clock->mode != BW_CLOCK_MANUAL && !clock->running)
    {
      clock->host_base = host_ns (clock) - clock->frozen_at;
      clock->running = TRUE;
      if (clock->idle_since >= 0)
        clock->idle_since = clock->frozen_at; /* the pause is not idle time */
    }
  g_mutex_unlock (&clock->mutex);
}

gboolean
bw_clock_is_running (BwClock *clock)
{
  return clock->mode != BW_CLOCK_MANUAL && clock->running;
}

/* Sets the host reference to t (running or not). */
static void
set_host_ref_locked (BwClock *clock, gint64 t)
{
  if (clock->running)
    clock->host_base = host_ns (clock) - t;
  else
    clock->frozen_at = t;
}

void
bw_clock_set_mode (BwClock *clock, BwClockMode mode)
{
  g_mutex_lock (&clock->mutex);
  gint64 t = now_locked (clock);
  clock->mode = mode;
  clock->fire_time = -1;
  switch (mode)
    {
    case BW_CLOCK_MANUAL:
      clock->now_manual = t;
      break;
    case BW_CLOCK_VIRTUAL:
      rebase_locked (clock, t);
      set_host_ref_locked (clock, t);
      clock->adj_host = t;
      clock->adj_count = clock->cbase;
      clock->idle_ns = 0;
      clock->idle_since = -1;
      break;
    default:
      set_host_ref_locked (clock, t);
      break;
    }
  g_mutex_unlock (&clock->mutex);
}

static void
update_deadline (BwClock *clock)
{
  BwTimer *head = g_queue_peek_head (&clock->queue);
  g_mutex_lock (&clock->mutex);
  gint64 old = clock->deadline;
  clock->deadline = head ? head->expire : BW_CLOCK_NEVER;
  gint64 now_deadline = clock->deadline;
  g_mutex_unlock (&clock->mutex);
  if (now_deadline < old && clock->deadline_func)
    clock->deadline_func (clock->deadline_data, now_deadline);
}

gint64
bw_clock_get_deadline (BwClock *clock)
{
  g_mutex_lock (&clock->mutex);
  gint64 deadline = clock->deadline;
  g_mutex_unlock (&clock->mutex);
  return deadline;
}

void
bw_clock_set_deadline_func (BwClock *clock, BwClockDeadlineFunc func, void *user_data)
{
  clock->deadline_func = func;
  clock->deadline_data = user_data;
}

/* Pops and fires the head timer if it expires at or before limit. */
static gboolean
fire_one (BwClock *clock, gint64 limit, gboolean set_manual_time)
{
  BwTimer *timer = g_queue_peek_head (&clock->queue);
  if (!timer || timer->expire > limit)
    return FALSE;
  g_queue_delete_link (&clock->queue, timer->link);
  timer->link = NULL;
  gint64 expire = timer->expire;
  g_mutex_lock (&clock->mutex);
  if (set_manual_time && clock->mode == BW_CLOCK_MANUAL)
    {
      if (expire > clock->now_manual)
        clock->now_manual = expire;
    }
  else if (set_manual_time && clock->mode == BW_CLOCK_VIRTUAL)
    {
      if (expire > now_locked (clock))
        rebase_locked (clock, expire);
    }
  else if (clock->mode == BW_CLOCK_VIRTUAL)
    /* Reached at an instruction boundary at or just past the expiry: the
     * callback sees the expiry, so periodic devices do not drift. */
    clock->fire_time = expire;
  g_mutex_unlock (&clock->mutex);
  update_deadline (clock);
  /* The callback may re-arm or free the timer: do not touch it after. */
  timer->func (timer->opaque);
  if (clock->mode == BW_CLOCK_VIRTUAL)
    {
      g_mutex_lock (&clock->mutex);
      clock->fire_time = -1;
      g_mutex_unlock (&clock->mutex);
    }
  return TRUE;
}

gint64
bw_clock_run_timers (BwClock *clock)
{
  /* Timers re-armed in the past by their callbacks would loop forever;
   * each pass fires only what was due when it started, plus a bound. */
  gint64 now = bw_clock_now (clock);
  guint budget = 100000;
  while (budget-- > 0 && fire_one (clock, now, FALSE))
    ;
  return bw_clock_get_deadline (clock);
}

void
bw_clock_advance_to (BwClock *clock, gint64 when_ns)
{
  g_return_if_fail (clock->mode != BW_CLOCK_HOST);
  if (when_ns <= bw_clock_now (clock))
    {
      bw_clock_run_timers (clock);
      return;
    }
  while (fire_one (clock, when_ns, TRUE))
    ;
  g_mutex_lock (&clock->mutex);
  if (clock->mode == BW_CLOCK_MANUAL && when_ns > clock->now_manual)
    clock->now_manual = when_ns;
  else if (clock->mode == BW_CLOCK_VIRTUAL && when_ns > now_locked (clock))
    rebase_locked (clock, when_ns);
  g_mutex_unlock (&clock->mutex);
}

void
bw_clock_step (BwClock *clock, gint64 delta_ns)
{
  g_return_if_fail (delta_ns >= 0);
  gint64 now = bw_clock_now (clock);
  gint64 target = delta_ns > G_MAXINT64 - now ? G_MAXINT64 - 1 : now + delta_ns;
  bw_clock_advance_to (clock, target);
}

/* Timers. */

BwTimer *
bw_timer_new (BwClock *clock, BwTimerFunc func, void *opaque)
{
  g_return_val_if_fail (clock != NULL && func != NULL, NULL);
  BwTimer *timer = g_new0 (BwTimer, 1);
  timer->clock = clock;
  timer->func = func;
  timer->opaque = opaque;
  timer->expire = -1;
  clock->n_timers++;
  return timer;
}

void
bw_timer_free (BwTimer *timer)
{
  if (!timer)
    return;
  bw_timer_del (timer);
  timer->clock->n_timers--;
  g_free (timer);
}

BwClock *
bw_timer_get_clock (BwTimer *timer)
{
  return timer->clock;
}

static gint
timer_compare (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const BwTimer *x = a, *y = b;
  if (x->expire != y->expire)
    return x->expire < y->expire ? -1 : 1;
  return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

void
bw_timer_mod (BwTimer *timer, gint64 expire_ns)
{
  BwClock *clock = timer->clock;
  if (timer->link)
    g_queue_delete_link (&clock->queue, timer->link);
  timer->expire = expire_ns < 0 ? 0 : expire_ns;
  timer->seq = clock->next_seq++;
  g_queue_insert_sorted (&clock->queue, timer, timer_compare, NULL);
  timer->link = g_queue_find (&clock->queue, timer);
  update_deadline (clock);
}

void
bw_timer_mod_in (BwTimer *timer, gint64 delta_ns)
{
  gint64 now = bw_clock_now (timer->clock);
  bw_timer_mod (timer, delta_ns > G_MAXINT64 - now ? G_MAXINT64 - 1 : now + delta_ns);
}

void
bw_timer_del (BwTimer *timer)
{
  if (!timer->link)
    return;
  g_queue_delete_link (&timer->clock->queue, timer->link);
  timer->link = NULL;
  update_deadline (timer->clock);
}

gboolean
bw_timer_pending (BwTimer *timer)
{
  return timer->link != NULL;
}

gint64
bw_timer_get_expire (BwTimer *timer)
{
  return timer->link ? timer->expire : -1;
}

/* ---- virtual mode ---------------------------------------------------------- */

void
bw_clock_set_counter (BwClock *clock, BwClockCounterFunc func, void *data)
{
  g_mutex_lock (&clock->mutex);
  gint64 t = clock->mode == BW_CLOCK_VIRTUAL ? virtual_at (clock, count_locked (clock)) : 0;
  clock->counter = func;
  clock->counter_data = data;
  if (clock->mode == BW_CLOCK_VIRTUAL)
    rebase_locked (clock, t);
  clock->adj_count = count_locked (clock);
  g_mutex_unlock (&clock->mutex);
}

static void
set_rate_locked (BwClock *clock, double ns_per_insn)
{
  if (!(ns_per_insn >= BW_CLOCK_MIN_RATE)) /* also NaN */
    ns_per_insn = BW_CLOCK_MIN_RATE;
  if (ns_per_insn > BW_CLOCK_MAX_RATE)
    ns_per_insn = BW_CLOCK_MAX_RATE;
  if (clock->mode == BW_CLOCK_VIRTUAL)
    rebase_locked (clock, virtual_at (clock, count_locked (clock)));
  clock->rate = ns_per_insn;
  clock->rate_fp = (guint64) llround (ns_per_insn * RATE_ONE);
}

void
bw_clock_set_insn_rate (BwClock *clock, double ns_per_insn, gboolean adaptive)
{
  g_mutex_lock (&clock->mutex);
  set_rate_locked (clock, ns_per_insn);
  clock->adaptive = adaptive;
  g_mutex_unlock (&clock->mutex);
}

double
bw_clock_get_insn_rate (BwClock *clock)
{
  g_mutex_lock (&clock->mutex);
  double rate = clock->rate;
  g_mutex_unlock (&clock->mutex);
  return rate;
}

guint64
bw_clock_insns_until (BwClock *clock, gint64 when_ns)
{
  if (when_ns == BW_CLOCK_NEVER)
    return G_MAXUINT64;
  g_mutex_lock (&clock->mutex);
  guint64 count = count_locked (clock);
  guint64 n = 0;
  if (virtual_at (clock, count) < when_ns)
    {
      /* The least k with vbase + k * rate_fp / 2^16 >= when_ns, counted
       * from the base as now() does, so the rounding agrees with it. */
      unsigned __int128 need = (unsigned __int128) (when_ns - clock->vbase) << 16;
      unsigned __int128 k = (need + clock->rate_fp - 1) / clock->rate_fp;
      unsigned __int128 done = count - clock->cbase;
      unsigned __int128 left = k > done ? k - done : 1;
      n = left > G_MAXUINT64 / 2 ? G_MAXUINT64 / 2 : (guint64) left;
    }
  g_mutex_unlock (&clock->mutex);
  return n;
}

/* Ends a halted interval at host reference h. */
static void
end_idle_locked (BwClock *clock, gint64 h)
{
  if (clock->idle_since < 0)
    return;
  if (h > clock->idle_since)
    clock->idle_ns += h - clock->idle_since;
  clock->idle_since = -1;
}

void
bw_clock_busy (BwClock *clock)
{
  g_mutex_lock (&clock->mutex);
  end_idle_locked (clock, host_ref_locked (clock));
  g_mutex_unlock (&clock->mutex);
}

gboolean
bw_clock_adjust (BwClock *clock)
{
  g_mutex_lock (&clock->mutex);
  gboolean changed = FALSE;
  gint64 h = clock->mode == BW_CLOCK_VIRTUAL && clock->running ? host_ref_locked (clock) : 0;
  if (clock->mode != BW_CLOCK_VIRTUAL || !clock->running
      || h - clock->adj_host < BW_CLOCK_ADJUST_PERIOD)
    goto out;

  end_idle_locked (clock, h);
  guint64 count = count_locked (clock);
  gint64 busy = h - clock->adj_host - clock->idle_ns;
  guint64 n = count - clock->adj_count;
  gint64 vt = virtual_at (clock, count);
  gint64 lag = h - vt;
  if (lag > BW_CLOCK_MAX_LAG)
    {
      /* Give the excess up: the host reference steps back. */
      h -= lag - BW_CLOCK_MAX_LAG;
      set_host_ref_locked (clock, h);
      lag = BW_CLOCK_MAX_LAG;
    }
  if (clock->adaptive && n >= 1000 && busy > 0)
    {
      /* Host ns per instruction over the window, smoothed: a window in
       * which the host preempted the thread does not swing it. */
      double speed = (double) busy / (double) n;
      clock->speed = clock->speed > 0 ? 0.75 * clock->speed + 0.25 * speed : speed;
      /* Then the lag: make it up over about a second. */
      double fix = 1.0 + (double) lag / (double) BW_CLOCK_MAX_LAG;
      fix = CLAMP (fix, 0.25, 2.0);
      double rate = CLAMP (clock->speed * fix, clock->rate / 2, clock->rate * 2);
      set_rate_locked (clock, rate);
      changed = TRUE;
      g_debug ("virtual clock: %.3f s, lag %.1f ms, %.1f%% halted, %.1f host ns/insn "
               "(smoothed %.1f), rate now %.2f ns/insn", vt / 1e9, lag / 1e6,
               100.0 * clock->idle_ns / MAX (1, h - clock->adj_host), speed, clock->speed,
               clock->rate);
    }
  clock->adj_host = h;
  clock->adj_count = count;
  clock->idle_ns = 0;
out:
  g_mutex_unlock (&clock->mutex);
  return changed;
}

gint64
bw_clock_idle (BwClock *clock)
{
  g_return_val_if_fail (clock->mode == BW_CLOCK_VIRTUAL, BW_CLOCK_NEVER);
  g_mutex_lock (&clock->mutex);
  gint64 h = host_ref_locked (clock);
  if (clock->idle_since < 0)
    clock->idle_since = h;
  gint64 vt = virtual_at (clock, count_locked (clock));
  g_mutex_unlock (&clock->mutex);

  gint64 deadline = bw_clock_get_deadline (clock);
  if (deadline != BW_CLOCK_NEVER && deadline <= MAX (h, vt))
    {
      /* Behind the host (or the timer is already due): straight to it. */
      bw_clock_advance_to (clock, deadline);
      return 0;
    }
  if (vt < h)
    bw_clock_advance_to (clock, h); /* fires nothing: the deadline is later */
  return deadline == BW_CLOCK_NEVER ? BW_CLOCK_NEVER : deadline - h;
}

gint64
bw_clock_get_host_time (BwClock *clock)
{
  g_mutex_lock (&clock->mutex);
  gint64 h = clock->mode == BW_CLOCK_MANUAL ? clock->now_manual : host_ref_locked (clock);
  g_mutex_unlock (&clock->mutex);
  return h;
}

void
bw_clock_set_host_func (BwClock *clock, BwClockHostFunc func, void *data)
{
  g_mutex_lock (&clock->mutex);
  gint64 h = host_ref_locked (clock);
  clock->host_func = func;
  clock->host_data = data;
  set_host_ref_locked (clock, h);
  g_mutex_unlock (&clock->mutex);
}
