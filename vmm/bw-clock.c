/* bw-clock.c: the virtual clock and its timer queue. */
#include "config.h"

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

struct _BwClock
{
  BwClockMode mode;
  GMutex mutex;      /* guards the time base and the cached deadline */
  gint64 now_manual; /* manual mode */
  gint64 host_base;  /* host mode: virtual = host - host_base while running */
  gint64 frozen_at;  /* host mode: virtual time while stopped */
  gboolean running;
  gint64 deadline;   /* cached expiry of the queue head */
  GQueue queue;      /* BwTimer, by (expire, seq) */
  guint64 next_seq;
  guint n_timers;
  BwClockDeadlineFunc deadline_func;
  void *deadline_data;
};

static gint64
host_ns (void)
{
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
  clock->host_base = host_ns ();
  clock->running = TRUE;
  clock->deadline = BW_CLOCK_NEVER;
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
now_locked (BwClock *clock)
{
  if (clock->mode == BW_CLOCK_MANUAL)
    return clock->now_manual;
  return clock->running ? host_ns () - clock->host_base : clock->frozen_at;
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
  if (clock->mode == BW_CLOCK_HOST && clock->running)
    {
      clock->frozen_at = now_locked (clock);
      clock->running = FALSE;
    }
  g_mutex_unlock (&clock->mutex);
}

void
bw_clock_start (BwClock *clock)
{
  g_mutex_lock (&clock->mutex);
  if (clock->mode == BW_CLOCK_HOST && !clock->running)
    {
      clock->host_base = host_ns () - clock->frozen_at;
      clock->running = TRUE;
    }
  g_mutex_unlock (&clock->mutex);
}

gboolean
bw_clock_is_running (BwClock *clock)
{
  return clock->mode == BW_CLOCK_HOST && clock->running;
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
  if (set_manual_time)
    {
      g_mutex_lock (&clock->mutex);
      if (timer->expire > clock->now_manual)
        clock->now_manual = timer->expire;
      g_mutex_unlock (&clock->mutex);
    }
  update_deadline (clock);
  /* The callback may re-arm or free the timer: do not touch it after. */
  timer->func (timer->opaque);
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
  g_return_if_fail (clock->mode == BW_CLOCK_MANUAL);
  if (when_ns <= bw_clock_now (clock))
    {
      bw_clock_run_timers (clock);
      return;
    }
  while (fire_one (clock, when_ns, TRUE))
    ;
  g_mutex_lock (&clock->mutex);
  if (when_ns > clock->now_manual)
    clock->now_manual = when_ns;
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
