/* bw-ps2-keyboard.h: a PS/2 (MF2) keyboard behind the i8042.
 *
 * The keyboard takes command bytes from the controller (reset, scancode
 * set, typematic rate and delay, LEDs, echo, identify, enable/disable,
 * resend) and queues its answers and key codes for the controller to take.
 * Front ends press and release keys with set-2 scancode sequences (what
 * `controlvm keyboardputscancode` and the VM window send); the keyboard
 * converts them to the scancode set the guest selected and repeats the
 * last held key on the virtual clock (typematic).
 *
 * All calls are made under the platform lock. The keyboard is part of the
 * i8042 device (bw-i8042.h), which owns its timer and saves its state. */
#pragma once

#include <glib.h>
#include "vmm/bw-timer.h"
#include "vmm/bw-vmstate.h"
#include "devices/peripherals/bw-ps2-queue.h"

G_BEGIN_DECLS

typedef void (*BwPs2NotifyFunc) (void *opaque);

typedef struct
{
  BwPs2Queue queue;
  guint8 scancode_set; /* 1, 2 or 3 */
  bool scanning;       /* enabled (F4) or disabled (F5) */
  guint8 pending_cmd;  /* command waiting for its argument, 0 if none */
  guint8 leds;         /* bit 0 scroll, 1 num, 2 caps lock */
  guint8 typematic;    /* the F3 byte: rate in bits 0-4, delay in bits 5-6 */
  guint8 last_sent;    /* for resend (FE) */
  /* The key being repeated (set-2 code, E0-extended or not). */
  bool repeating;
  bool repeat_ext;
  guint8 repeat_code;
  /* Front-end input parser: prefixes seen so far, a Pause sequence. */
  bool in_ext;
  bool in_release;
  guint8 in_pause; /* bytes of E1 14 77 E1 F0 14 F0 77 seen */
  BwTimer *repeat_timer;

  /*< not saved >*/
  BwPs2NotifyFunc notify; /* new bytes queued */
  void *notify_opaque;
} BwPs2Keyboard;

extern const BwVmStateDesc bw_ps2_keyboard_vmstate;

/* repeat_timer must be a timer whose callback is
 * bw_ps2_keyboard_repeat_timer(kbd). */
void bw_ps2_keyboard_init (BwPs2Keyboard *kbd, BwTimer *repeat_timer, BwPs2NotifyFunc notify,
                           void *opaque);
/* Power-on state: set 2, scanning, default typematic, LEDs off, empty queue. */
void bw_ps2_keyboard_reset (BwPs2Keyboard *kbd);
void bw_ps2_keyboard_repeat_timer (void *opaque);
/* Whether the saved-state fields are in range (post_load). */
gboolean bw_ps2_keyboard_is_valid (const BwPs2Keyboard *kbd);

/* Controller side. */
void bw_ps2_keyboard_write (BwPs2Keyboard *kbd, guint8 byte);
gboolean bw_ps2_keyboard_has_data (const BwPs2Keyboard *kbd);
guint8 bw_ps2_keyboard_read (BwPs2Keyboard *kbd);

/* Front-end side: set-2 make/break sequences ("1C", "F0 1C", "E0 74",
 * "E0 F0 74", the 8-byte Pause). A sequence may be split across calls.
 * Returns how many bytes were taken: it stops before a key that does not
 * fit in the queue, so a front end typing a long string sends the rest
 * after the guest has read some. Keys are dropped (but taken) while
 * scanning is disabled. */
gsize bw_ps2_keyboard_put_scancodes (BwPs2Keyboard *kbd, const guint8 *codes, gsize len);

/* Typematic timing from the F3 byte, in ns. */
gint64 bw_ps2_keyboard_typematic_delay_ns (guint8 typematic);
gint64 bw_ps2_keyboard_typematic_period_ns (guint8 typematic);

/* The 8042's set 2 -> set 1 translation of one byte (F0 handling is the
 * caller's: it sets bit 7 of the next translated byte). */
guint8 bw_ps2_translate_to_set1 (guint8 set2);

G_END_DECLS
