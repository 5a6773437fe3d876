/* bw-vm-app-keys.h: text to PS/2 set-1 scancodes on a US keyboard layout
 * (`controlvm keyboardputstring`, Session1.PutString). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Make and break codes, with Left Shift around characters that need it;
 * "\n" is Enter, "\t" Tab, "\b" Backspace. FALSE with an error naming the
 * first character the layout cannot type (nothing is returned then). */
GByteArray *bw_vm_app_keys_from_string (const char *text, GError **error);

G_END_DECLS
