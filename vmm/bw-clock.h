/* bw-clock.h: the virtual clock that devices' timers and the guest's time
 * follow.
 *
 * Time is in nanoseconds from the clock's creation. Two modes:
 *  - BW_CLOCK_HOST: follows the host's monotonic clock while running;
 *    stopped while the VM is paused (bw_clock_stop/start), so a paused
 *    guest does not see time jump.
 *  - BW_CLOCK_MANUAL: moves only when told to (bw_clock_step,
 *    bw_clock_advance_to). Tests use it to drive devices deterministically;
 *    a software CPU may use it to let guest time follow its instruction
 *    count.
 *
 * Timers (bw-timer.h) are kept in a queue ordered by expiry, then by the
 * order they were armed. bw_clock_run_timers() fires the expired ones;
 * whoever owns the clock calls it: the manual step functions do it
 * themselves, the platform's timer thread does it in host mode, a CPU loop
 * may do it at deadlines.
 *
 * Threads: timers are armed, fired and stepped under the platform lock.
 * bw_clock_now() and bw_clock_get_deadline() are safe from any thread
 * without it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BW_CLOCK_NEVER G_MAXINT64

typedef enum
{
  BW_CLOCK_HOST,
  BW_CLOCK_MANUAL,
} BwClockMode;

typedef struct _BwClock BwClock;

/* A manual clock starts at 0; a host clock starts running at 0. */
BwClock *bw_clock_new (BwClockMode mode);
/* Every timer must be freed first. */
void bw_clock_free (BwClock *clock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwClock, bw_clock_free)

BwClockMode bw_clock_get_mode (BwClock *clock);

/* Current virtual time in ns. */
gint64 bw_clock_now (BwClock *clock);

/* Host mode: stop and restart the flow of time (pause/resume). Nested
 * calls are not counted: stop twice, start once runs again. */
void bw_clock_stop (BwClock *clock);
void bw_clock_start (BwClock *clock);
gboolean bw_clock_is_running (BwClock *clock);

/* Manual mode: move time forward by delta_ns, firing every timer that
 * expires on the way at its own expiry time (bw_clock_now() inside the
 * callback is the timer's expiry), in order. Timers armed by callbacks
 * during the step also fire if they fall inside it. */
void bw_clock_step (BwClock *clock, gint64 delta_ns);
/* Manual mode: the same up to an absolute time (no-op if in the past). */
void bw_clock_advance_to (BwClock *clock, gint64 when_ns);

/* Fires every timer whose expiry is <= now, in order. Returns the next
 * deadline (BW_CLOCK_NEVER when none). */
gint64 bw_clock_run_timers (BwClock *clock);

/* Expiry of the earliest armed timer, BW_CLOCK_NEVER when none. */
gint64 bw_clock_get_deadline (BwClock *clock);

/* Called (with the platform lock held, from the arming thread) whenever
 * the earliest deadline moves earlier, so a thread sleeping until the old
 * deadline can wake up. One function per clock. */
typedef void (*BwClockDeadlineFunc) (void *user_data, gint64 deadline_ns);
void bw_clock_set_deadline_func (BwClock *clock, BwClockDeadlineFunc func, void *user_data);

G_END_DECLS
