/* bw-ps2-mouse.h: a PS/2 mouse behind the i8042's auxiliary port.
 *
 * Commands: reset, defaults, enable/disable reporting, stream and remote
 * modes, read data, wrap (echo) mode, sample rate, resolution, scaling,
 * status request, identify. The IntelliMouse knock (sample rates 200, 100,
 * 80) turns it into a wheel mouse (ID 3, 4-byte packets); after that,
 * 200, 200, 80 makes it an IntelliMouse Explorer (ID 4: wheel and buttons
 * 4 and 5 in the fourth byte).
 *
 * Front ends queue relative motion, wheel steps and button state; in
 * stream mode with reporting on, the mouse sends packets as soon as the
 * queue has room and keeps what does not fit for the next packet.
 *
 * All calls are made under the platform lock. The mouse is part of the
 * i8042 device, which saves its state. */
#pragma once

#include <glib.h>
#include "vmm/bw-vmstate.h"
#include "devices/peripherals/bw-ps2-queue.h"
#include "devices/peripherals/bw-ps2-keyboard.h" /* BwPs2NotifyFunc */

G_BEGIN_DECLS

/* Buttons for bw_ps2_mouse_input(). */
enum
{
  BW_PS2_MOUSE_LEFT = 1 << 0,
  BW_PS2_MOUSE_RIGHT = 1 << 1,
  BW_PS2_MOUSE_MIDDLE = 1 << 2,
  BW_PS2_MOUSE_BUTTON4 = 1 << 3,
  BW_PS2_MOUSE_BUTTON5 = 1 << 4,
};

typedef struct
{
  BwPs2Queue queue;
  guint8 device_id;   /* 0 plain, 3 IntelliMouse, 4 IntelliMouse Explorer */
  bool reporting;     /* data reporting enabled (F4) */
  bool remote;        /* remote mode (F0) instead of stream mode */
  bool wrap;          /* wrap (echo) mode (EE) */
  bool scaling_2to1;  /* E7 */
  guint8 resolution;  /* 0..3: 1, 2, 4, 8 counts/mm */
  guint8 sample_rate; /* reports/s */
  guint8 pending_cmd; /* F3 or E8 waiting for its argument, 0 if none */
  guint8 knock[3];    /* the last three sample rates set, newest last */
  guint8 last_sent;
  /* Input not yet sent. */
  gint32 dx, dy, dz; /* dy: positive is up, as PS/2 counts it */
  guint8 buttons;

  /*< not saved >*/
  BwPs2NotifyFunc notify;
  void *notify_opaque;
} BwPs2Mouse;

extern const BwVmStateDesc bw_ps2_mouse_vmstate;

void bw_ps2_mouse_init (BwPs2Mouse *mouse, BwPs2NotifyFunc notify, void *opaque);
void bw_ps2_mouse_reset (BwPs2Mouse *mouse);
gboolean bw_ps2_mouse_is_valid (const BwPs2Mouse *mouse);

/* Controller side. */
void bw_ps2_mouse_write (BwPs2Mouse *mouse, guint8 byte);
gboolean bw_ps2_mouse_has_data (const BwPs2Mouse *mouse);
guint8 bw_ps2_mouse_read (BwPs2Mouse *mouse);

/* Front-end side. dx: right is positive; dy: down is positive (screen
 * direction; the mouse flips it); dz: wheel steps, positive towards the
 * user (scrolling down); buttons: BW_PS2_MOUSE_* bits, the full state. */
void bw_ps2_mouse_input (BwPs2Mouse *mouse, int dx, int dy, int dz, guint buttons);

G_END_DECLS
