/* bw-vm-key-state.h: which keys the guest believes are held.
 *
 * The window feeds every host key press and release through here and
 * sends what comes out to the guest: a press of a key already held is
 * the host's auto-repeat and is dropped (the guest keyboard repeats on
 * its own typematic timer), a release of a key the guest never saw
 * pressed is dropped, and when the window loses focus every held key is
 * released so that the guest does not see a stuck Ctrl. GTK-free. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BwVmKeyState BwVmKeyState;

BwVmKeyState *bw_vm_key_state_new (void);
void bw_vm_key_state_free (BwVmKeyState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwVmKeyState, bw_vm_key_state_free)

/* Appends to out the set-2 bytes to send for a press or release of the
 * evdev key; returns whether anything was appended. */
gboolean bw_vm_key_state_press (BwVmKeyState *state, guint evdev, GByteArray *out);
gboolean bw_vm_key_state_release (BwVmKeyState *state, guint evdev, GByteArray *out);
/* Appends the break codes of every held key (in the order they were
 * pressed, most recent first) and forgets them. */
gboolean bw_vm_key_state_release_all (BwVmKeyState *state, GByteArray *out);
gboolean bw_vm_key_state_is_pressed (BwVmKeyState *state, guint evdev);
guint bw_vm_key_state_n_pressed (BwVmKeyState *state);

G_END_DECLS
