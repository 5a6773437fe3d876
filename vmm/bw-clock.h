/* bw-clock.h: the virtual clock that devices' timers and the guest's time
 * follow.
 *
 * Time is in nanoseconds from the clock's creation. Three modes:
 *  - BW_CLOCK_HOST: follows the host's monotonic clock while running;
 *    stopped while the VM is paused (bw_clock_stop/start), so a paused
 *    guest does not see time jump. For KVM, whose vCPU runs at host speed.
 *  - BW_CLOCK_MANUAL: moves only when told to (bw_clock_step,
 *    bw_clock_advance_to). Tests use it to drive devices deterministically.
 *  - BW_CLOCK_VIRTUAL: follows a CPU's instruction counter (as QEMU's
 *    icount does): now = time at the last rebase + instructions since then
 *    x a rate in ns per instruction. The CPU thread runs up to the next
 *    deadline (bw_clock_insns_until), then fires the timers
 *    (bw_clock_run_timers), so a timer fires at the instruction where its
 *    deadline falls however the host schedules that thread, and no
 *    periodic tick is lost. The rate adapts (bw_clock_adjust) so that
 *    virtual time tracks the host reference (host time while running) on
 *    average; while the CPU is halted, bw_clock_idle() lets time catch up
 *    with the host at once, timer by timer, or says how long to sleep when
 *    it is not behind. A software CPU 4-10x slower than hardware thus sees
 *    consistent time: PIT, RTC, PM timer and TSC all follow one clock.
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
  BW_CLOCK_VIRTUAL,
} BwClockMode;

typedef struct _BwClock BwClock;

/* A manual clock starts at 0; a host clock starts running at 0. */
BwClock *bw_clock_new (BwClockMode mode);
/* Every timer must be freed first. */
void bw_clock_free (BwClock *clock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwClock, bw_clock_free)

BwClockMode bw_clock_get_mode (BwClock *clock);
/* Switches mode, keeping the current time (the platform is created before
 * the CPU backend that decides it is known). A clock switched to virtual
 * mode has its host reference start at the current time. */
void bw_clock_set_mode (BwClock *clock, BwClockMode mode);

/* Current virtual time in ns. */
gint64 bw_clock_now (BwClock *clock);

/* Host and virtual modes: stop and restart the flow of time
 * (pause/resume); in virtual mode the host reference stops, so a resumed
 * guest is not behind by the pause. Nested calls are not counted: stop
 * twice, start once runs again. */
void bw_clock_stop (BwClock *clock);
void bw_clock_start (BwClock *clock);
gboolean bw_clock_is_running (BwClock *clock);

/* Manual and virtual modes: move time forward by delta_ns, firing every
 * timer that expires on the way at its own expiry time (bw_clock_now()
 * inside the callback is the timer's expiry), in order. Timers armed by
 * callbacks during the step also fire if they fall inside it. In virtual
 * mode this is a jump: the instruction count does not move. */
void bw_clock_step (BwClock *clock, gint64 delta_ns);
/* The same up to an absolute time (no-op if in the past). */
void bw_clock_advance_to (BwClock *clock, gint64 when_ns);

/* Fires every timer whose expiry is <= now, in order (in virtual mode each
 * callback reads its own expiry as now). Returns the next deadline
 * (BW_CLOCK_NEVER when none). */
gint64 bw_clock_run_timers (BwClock *clock);

/* Expiry of the earliest armed timer, BW_CLOCK_NEVER when none. */
gint64 bw_clock_get_deadline (BwClock *clock);

/* Called (with the platform lock held, from the arming thread) whenever
 * the earliest deadline moves earlier, so a thread sleeping until the old
 * deadline can wake up. One function per clock. */
typedef void (*BwClockDeadlineFunc) (void *user_data, gint64 deadline_ns);
void bw_clock_set_deadline_func (BwClock *clock, BwClockDeadlineFunc func, void *user_data);

/* ---- virtual mode ---------------------------------------------------------
 *
 * The counter is read under the clock's mutex from any thread calling
 * bw_clock_now(); it must be cheap and never go backwards. Without one the
 * count stands still. Setting it keeps the current time. */
typedef guint64 (*BwClockCounterFunc) (void *data);
void bw_clock_set_counter (BwClock *clock, BwClockCounterFunc func, void *data);

/* Ns of virtual time per instruction (default 10, clamped to
 * BW_CLOCK_MIN_RATE..BW_CLOCK_MAX_RATE) and whether bw_clock_adjust() may
 * change it. A fixed rate makes guest time a function of the instruction
 * count alone (deterministic runs, tests). */
#define BW_CLOCK_MIN_RATE 0.25
#define BW_CLOCK_MAX_RATE 100000.0
void bw_clock_set_insn_rate (BwClock *clock, double ns_per_insn, gboolean adaptive);
double bw_clock_get_insn_rate (BwClock *clock);

/* Instructions the counter must advance from now for the clock to reach
 * when_ns: 0 when it is already there, G_MAXUINT64 for BW_CLOCK_NEVER. */
guint64 bw_clock_insns_until (BwClock *clock, gint64 when_ns);

/* From the counting thread, between runs of instructions: at most every
 * BW_CLOCK_ADJUST_PERIOD of host reference time, re-measure how fast the
 * counter runs on the host (halted time excluded) and set the rate so that
 * virtual time runs with the host reference and makes up the lag (host
 * reference - virtual time) over about a second. A lag above
 * BW_CLOCK_MAX_LAG (the thread starved, a debugger held it) is given up
 * rather than raced through. Returns TRUE when the rate changed. */
#define BW_CLOCK_ADJUST_PERIOD (100 * G_GINT64_CONSTANT (1000000))
#define BW_CLOCK_MAX_LAG (1000 * G_GINT64_CONSTANT (1000000))
gboolean bw_clock_adjust (BwClock *clock);

/* Under the platform lock, when every CPU counting for the clock is
 * halted: while virtual time is behind the host reference it jumps to
 * the next deadline, firing that timer (returns 0: check for an interrupt
 * and call again), or to the host reference when the next deadline lies
 * beyond it; then returns the host ns to sleep before the next deadline
 * (BW_CLOCK_NEVER: none; wait for a wake-up). The halted time does not
 * count as running time for bw_clock_adjust(); bw_clock_busy() ends it. */
gint64 bw_clock_idle (BwClock *clock);
void bw_clock_busy (BwClock *clock);

/* The host reference: host time while running since the clock started,
 * less the lag given up (what a host clock would read). Host and virtual
 * modes. */
gint64 bw_clock_get_host_time (BwClock *clock);

/* Tests: the host's monotonic time in ns comes from func instead of
 * CLOCK_MONOTONIC (NULL restores it). Keeps the current times. */
typedef gint64 (*BwClockHostFunc) (void *data);
void bw_clock_set_host_func (BwClock *clock, BwClockHostFunc func, void *data);

G_END_DECLS
