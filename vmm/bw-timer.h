/* bw-timer.h: one-shot timers on a virtual clock (bw-clock.h).
 *
 * A timer belongs to one clock and fires its callback once when the clock
 * reaches its expiry; a periodic device re-arms it from the callback.
 * Arming an armed timer moves it. Timers that expire at the same time fire
 * in the order they were armed. All calls are made under the platform
 * lock (device code already runs under it). */
#pragma once

#include <glib.h>
#include "vmm/bw-clock.h"

G_BEGIN_DECLS

typedef struct _BwTimer BwTimer;
typedef void (*BwTimerFunc) (void *opaque);

BwTimer *bw_timer_new (BwClock *clock, BwTimerFunc func, void *opaque);
/* Disarms and frees; NULL is accepted. */
void bw_timer_free (BwTimer *timer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwTimer, bw_timer_free)

BwClock *bw_timer_get_clock (BwTimer *timer);

/* Arms the timer to fire at expire_ns (absolute, on its clock). An expiry
 * in the past fires at the next bw_clock_run_timers(). */
void bw_timer_mod (BwTimer *timer, gint64 expire_ns);
/* Arms the timer delta_ns from now. */
void bw_timer_mod_in (BwTimer *timer, gint64 delta_ns);
void bw_timer_del (BwTimer *timer);
gboolean bw_timer_pending (BwTimer *timer);
/* The expiry of an armed timer, -1 when it is not armed. */
gint64 bw_timer_get_expire (BwTimer *timer);

G_END_DECLS
