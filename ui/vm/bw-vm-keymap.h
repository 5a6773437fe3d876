/* bw-vm-keymap.h: host key codes to PS/2 scancode set 2.
 *
 * GTK 4 reports hardware keycodes as X11/XKB keycodes on both X11 and
 * Wayland: the Linux evdev code plus 8. The table is indexed by the evdev
 * code (linux/input-event-codes.h) and covers every key of a 105-key PC
 * keyboard plus the Japanese, Korean and Brazilian keys and the common
 * multimedia keys. The i8042 (devices/peripherals/bw-i8042.h) takes set-2
 * sequences and translates to set 1 itself when the guest asks for it, as
 * a PC's controller does. GTK-free. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest sequence (Pause's make code). */
#define BW_VM_KEYMAP_MAX_SEQ 8

/* A few evdev codes the window needs by name. */
enum
{
  BW_VM_KEY_ESC = 1,
  BW_VM_KEY_BACKSPACE = 14,
  BW_VM_KEY_LEFTCTRL = 29,
  BW_VM_KEY_LEFTALT = 56,
  BW_VM_KEY_F1 = 59,
  BW_VM_KEY_F10 = 68,
  BW_VM_KEY_F11 = 87,
  BW_VM_KEY_F12 = 88,
  BW_VM_KEY_RIGHTCTRL = 97,
  BW_VM_KEY_RIGHTALT = 100,
  BW_VM_KEY_DELETE = 111,
  BW_VM_KEY_PAUSE = 119,
  BW_VM_KEY_LEFTMETA = 125,
  BW_VM_KEY_RIGHTMETA = 126,
  BW_VM_KEY_MAX = 256,
};

/* X11/XKB keycode (what GdkEvent reports) to evdev code; 0 when none. */
static inline guint
bw_vm_keymap_evdev_from_hardware (guint hardware_keycode)
{
  return hardware_keycode >= 8 ? hardware_keycode - 8 : 0;
}

/* Whether the key exists in the table. */
gboolean bw_vm_keymap_has_key (guint evdev);
/* A short English name ("Right Ctrl", "Keypad 7"), NULL if unknown. */
const char *bw_vm_keymap_key_name (guint evdev);
/* Writes the make (press) or break (release) sequence of the key into
 * out (room for BW_VM_KEYMAP_MAX_SEQ bytes); returns its length, 0 for
 * an unknown key or for a release of a key that has no break code (Pause,
 * the Korean Hangul and Hanja keys). */
gsize bw_vm_keymap_encode (guint evdev, gboolean press, guint8 *out);
/* Whether the key sends nothing on release. */
gboolean bw_vm_keymap_make_only (guint evdev);
/* The evdev code whose name is name (bw_vm_keymap_key_name(), case
 * insensitive), 0 if none: for the host key setting. */
guint bw_vm_keymap_key_from_name (const char *name);
/* The host key setting (org.boxwood.Boxwood host-key: an X keysym name
 * such as "Control_R", "Alt_L", "Super_R") or a key name as above; 0 if
 * neither. */
guint bw_vm_keymap_key_from_setting (const char *value);

G_END_DECLS
