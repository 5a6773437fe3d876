/* bw-i8042.h: the i8042 keyboard controller with its PS/2 keyboard and
 * mouse (class "i8042", ports 0x60 and 0x64, ISA IRQ 1 and 12).
 *
 * The controller: command byte (0x20/0x60), self test (0xAA), interface
 * tests, enabling and disabling the keyboard and auxiliary ports, the
 * output port (0xD0/0xD1: A20 gate and reset line go to the platform),
 * writes to the mouse (0xD4), output-buffer emulation (0xD2/0xD3), pulsing
 * the reset line (0xFE), and the set 2 -> set 1 translation that the
 * command byte's bit 6 turns on.
 *
 * Front ends (the VM window, `controlvm keyboardputscancode`) use the
 * functions below; they take the platform lock themselves. */
#pragma once

#include <glib.h>
#include "vmm/bw-device.h"

G_BEGIN_DECLS

#define BW_I8042_CLASS "i8042"

/* Presses or releases keys: set-2 scancode sequences. Returns how many
 * bytes were taken; the rest did not fit in the keyboard's queue and may
 * be sent again after the guest read some (see bw-ps2-keyboard.h). */
gsize bw_i8042_put_scancodes (BwDevice *i8042, const guint8 *codes, gsize len);
/* Relative mouse motion (dy positive is down), wheel steps (positive
 * towards the user) and the full button state (BW_PS2_MOUSE_* bits). */
void bw_i8042_put_mouse (BwDevice *i8042, int dx, int dy, int dz, guint buttons);
/* The keyboard LEDs the guest set: bit 0 scroll, 1 num, 2 caps lock. */
guint8 bw_i8042_get_leds (BwDevice *i8042);

G_END_DECLS
