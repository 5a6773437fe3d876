/* bw-vm-app-keys.c: US layout, characters to set-1 scancodes. */
#include "config.h"

#include <string.h>

#include "app/vm/bw-vm-app-keys.h"
#include "app/vm/bw-vm-app-config.h"

#define LSHIFT 0x2a

/* Set-1 code of an unshifted character, 0 if none. */
static guint8
plain_code (char c)
{
  static const char row1[] = "1234567890-=";
  static const char row2[] = "qwertyuiop[]";
  static const char row3[] = "asdfghjkl;'`";
  static const char row4[] = "\\zxcvbnm,./";
  const char *p;
  if (c == 0)
    return 0;
  if ((p = strchr (row1, c)))
    return 0x02 + (p - row1);
  if ((p = strchr (row2, c)))
    return 0x10 + (p - row2);
  if ((p = strchr (row3, c)))
    return 0x1e + (p - row3);
  if ((p = strchr (row4, c)))
    return 0x2b + (p - row4);
  switch (c)
    {
    case ' ': return 0x39;
    case '\n': return 0x1c;
    case '\t': return 0x0f;
    case '\b': return 0x0e;
    default: return 0;
    }
}

/* The unshifted character on the key of a shifted one, 0 if none. */
static char
unshift (char c)
{
  static const char shifted[] = "!@#$%^&*()_+{}:\"~|<>?";
  static const char plain[] = "1234567890-=[];'`\\,./";
  if (g_ascii_isupper (c))
    return g_ascii_tolower (c);
  const char *p = c ? strchr (shifted, c) : NULL;
  return p ? plain[p - shifted] : 0;
}

GByteArray *
bw_vm_app_keys_from_string (const char *text, GError **error)
{
  g_autoptr (GByteArray) out = g_byte_array_new ();
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, BW_VM_APP_ERROR, BW_VM_APP_ERROR_USAGE, "The text is not valid UTF-8");
      return NULL;
    }
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar ch = g_utf8_get_char (p);
      guint8 code = ch < 0x80 ? plain_code ((char) ch) : 0;
      gboolean shift = FALSE;
      if (!code && ch < 0x80 && unshift ((char) ch))
        {
          code = plain_code (unshift ((char) ch));
          shift = TRUE;
        }
      if (!code)
        {
          char buf[8] = { 0 };
          g_unichar_to_utf8 (ch, buf);
          g_set_error (error, BW_VM_APP_ERROR, BW_VM_APP_ERROR_USAGE,
                       "“%s” (U+%04X) cannot be typed on a US keyboard layout", buf, ch);
          return NULL;
        }
      guint8 seq[6];
      guint n = 0;
      if (shift)
        seq[n++] = LSHIFT;
      seq[n++] = code;
      seq[n++] = code | 0x80;
      if (shift)
        seq[n++] = LSHIFT | 0x80;
      g_byte_array_append (out, seq, n);
    }
  return g_steal_pointer (&out);
}
