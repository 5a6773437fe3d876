/* bw-vm-key-state.c: held keys, auto-repeat filter, release on focus loss. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/vm/bw-vm-key-state.h"
#include "ui/vm/bw-vm-keymap.h"

struct _BwVmKeyState
{
  gboolean held[BW_VM_KEY_MAX];
  GArray *order; /* guint evdev codes, oldest first */
};

BwVmKeyState *
bw_vm_key_state_new (void)
{
  BwVmKeyState *state = g_new0 (BwVmKeyState, 1);
  state->order = g_array_new (FALSE, FALSE, sizeof (guint));
  return state;
}

void
bw_vm_key_state_free (BwVmKeyState *state)
{
  if (state == NULL)
    return;
  g_array_unref (state->order);
  g_free (state);
}

static gboolean
append (GByteArray *out, guint evdev, gboolean press)
{
  guint8 seq[BW_VM_KEYMAP_MAX_SEQ];
  gsize n = bw_vm_keymap_encode (evdev, press, seq);
  if (n > 0)
    g_byte_array_append (out, seq, n);
  return n > 0;
}

static void
forget (BwVmKeyState *state, guint evdev)
{
  state->held[evdev] = FALSE;
  for (guint i = 0; i < state->order->len; i++)
    if (g_array_index (state->order, guint, i) == evdev)
      {
        g_array_remove_index (state->order, i);
        break;
      }
}

gboolean
bw_vm_key_state_press (BwVmKeyState *state, guint evdev, GByteArray *out)
{
  if (!bw_vm_keymap_has_key (evdev) || state->held[evdev])
    return FALSE;
  state->held[evdev] = TRUE;
  g_array_append_val (state->order, evdev);
  return append (out, evdev, TRUE);
}

gboolean
bw_vm_key_state_release (BwVmKeyState *state, guint evdev, GByteArray *out)
{
  if (evdev >= BW_VM_KEY_MAX || !state->held[evdev])
    return FALSE;
  forget (state, evdev);
  return append (out, evdev, FALSE);
}

gboolean
bw_vm_key_state_release_all (BwVmKeyState *state, GByteArray *out)
{
  gboolean any = FALSE;
  while (state->order->len > 0)
    {
      guint evdev = g_array_index (state->order, guint, state->order->len - 1);
      forget (state, evdev);
      any |= append (out, evdev, FALSE);
    }
  return any;
}

gboolean
bw_vm_key_state_is_pressed (BwVmKeyState *state, guint evdev)
{
  return evdev < BW_VM_KEY_MAX && state->held[evdev];
}

guint
bw_vm_key_state_n_pressed (BwVmKeyState *state)
{
  return state->order->len;
}
