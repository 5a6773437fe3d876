/* bw-aml.c: encodes AML terms (see bw-aml.h). */
#include "config.h"

#include <stdarg.h>
#include <string.h>
#include "devices/board/bw-aml.h"

#define OP_ZERO 0x00
#define OP_ONE 0x01
#define OP_NAME 0x08
#define OP_BYTE 0x0a
#define OP_WORD 0x0b
#define OP_DWORD 0x0c
#define OP_STRING 0x0d
#define OP_QWORD 0x0e
#define OP_SCOPE 0x10
#define OP_BUFFER 0x11
#define OP_PACKAGE 0x12
#define OP_METHOD 0x14
#define OP_DUAL_NAME 0x2e
#define OP_MULTI_NAME 0x2f
#define OP_EXT 0x5b
#define OP_EXT_OPREGION 0x80
#define OP_EXT_FIELD 0x81
#define OP_EXT_DEVICE 0x82
#define OP_ROOT 0x5c
#define OP_PARENT 0x5e
#define OP_LOCAL0 0x60
#define OP_ARG0 0x68
#define OP_STORE 0x70
#define OP_DECREMENT 0x76
#define OP_FIND_SET_RIGHT_BIT 0x82
#define OP_CREATE_WORD_FIELD 0x8b
#define OP_LNOT 0x92
#define OP_IF 0xa0
#define OP_ELSE 0xa1
#define OP_RETURN 0xa4
#define OP_ONES 0xff

BwAml *
bw_aml_new (void)
{
  return g_byte_array_new ();
}

void
bw_aml_free (BwAml *aml)
{
  if (aml)
    g_byte_array_unref (aml);
}

void
bw_aml_append (BwAml *to, BwAml *child)
{
  if (!child)
    return;
  g_byte_array_append (to, child->data, child->len);
  bw_aml_free (child);
}

BwAml *
bw_aml_cat (BwAml *first, ...)
{
  va_list ap;
  va_start (ap, first);
  for (BwAml *next = va_arg (ap, BwAml *); next; next = va_arg (ap, BwAml *))
    bw_aml_append (first, next);
  va_end (ap);
  return first;
}

static void
put8 (BwAml *a, guint8 v)
{
  g_byte_array_append (a, &v, 1);
}

static void
put_le (BwAml *a, guint64 v, guint bytes)
{
  for (guint i = 0; i < bytes; i++)
    put8 (a, (guint8)(v >> 8 * i));
}

gboolean
bw_aml_pkg_length (gsize len, guint8 out[4], guint *out_len)
{
  /* One byte holds up to 63; with n more bytes the first keeps 4 bits. */
  if (len + 1 <= 0x3f)
    {
      out[0] = (guint8)(len + 1);
      *out_len = 1;
      return TRUE;
    }
  for (guint n = 2; n <= 4; n++)
    {
      gsize total = len + n;
      if (total < ((gsize)1 << (4 + 8 * (n - 1))))
        {
          out[0] = (guint8)(((n - 1) << 6) | (total & 0x0f));
          for (guint i = 1; i < n; i++)
            out[i] = (guint8)(total >> (4 + 8 * (i - 1)));
          *out_len = n;
          return TRUE;
        }
    }
  return FALSE;
}

/* op bytes, PkgLength, body (consumed). */
static BwAml *
with_pkg (const guint8 *op, guint op_len, BwAml *body)
{
  BwAml *a = bw_aml_new ();
  g_byte_array_append (a, op, op_len);
  guint8 pl[4];
  guint n;
  if (!bw_aml_pkg_length (body->len, pl, &n))
    g_error ("AML object of %u bytes is too long", body->len);
  g_byte_array_append (a, pl, n);
  bw_aml_append (a, body);
  return a;
}

static void
put_seg (BwAml *a, const char *seg, gsize len)
{
  g_assert (len >= 1 && len <= 4);
  for (gsize i = 0; i < 4; i++)
    put8 (a, i < len ? (guint8)seg[i] : '_');
}

BwAml *
bw_aml_namestring (const char *path)
{
  BwAml *a = bw_aml_new ();
  while (*path == '\\' || *path == '^')
    put8 (a, *path++ == '\\' ? OP_ROOT : OP_PARENT);
  g_auto (GStrv) segs = *path ? g_strsplit (path, ".", -1) : g_new0 (char *, 1);
  guint n = g_strv_length (segs);
  if (n == 0)
    put8 (a, OP_ZERO); /* NullName */
  else if (n == 2)
    put8 (a, OP_DUAL_NAME);
  else if (n > 2)
    {
      put8 (a, OP_MULTI_NAME);
      put8 (a, (guint8)n);
    }
  for (guint i = 0; i < n; i++)
    put_seg (a, segs[i], strlen (segs[i]));
  return a;
}

BwAml *
bw_aml_int (guint64 v)
{
  BwAml *a = bw_aml_new ();
  if (v == 0)
    put8 (a, OP_ZERO);
  else if (v == 1)
    put8 (a, OP_ONE);
  else if (v == G_MAXUINT64)
    put8 (a, OP_ONES);
  else if (v <= 0xff)
    put8 (a, OP_BYTE), put8 (a, (guint8)v);
  else if (v <= 0xffff)
    put8 (a, OP_WORD), put_le (a, v, 2);
  else if (v <= 0xffffffff)
    put8 (a, OP_DWORD), put_le (a, v, 4);
  else
    put8 (a, OP_QWORD), put_le (a, v, 8);
  return a;
}

BwAml *
bw_aml_string (const char *s)
{
  BwAml *a = bw_aml_new ();
  put8 (a, OP_STRING);
  g_byte_array_append (a, (const guint8 *)s, (guint)strlen (s) + 1);
  return a;
}

BwAml *
bw_aml_eisaid (const char *id)
{
  /* Three letters of five bits each, then four hex digits, big-endian. */
  g_assert (strlen (id) == 7);
  guint32 v = ((guint32)(id[0] - 0x40) << 26) | ((guint32)(id[1] - 0x40) << 21)
              | ((guint32)(id[2] - 0x40) << 16) | (guint32)g_ascii_strtoull (id + 3, NULL, 16);
  BwAml *a = bw_aml_new ();
  put8 (a, OP_DWORD);
  put_le (a, GUINT32_SWAP_LE_BE (v), 4);
  return a;
}

BwAml *
bw_aml_buffer (const guint8 *data, gsize len)
{
  BwAml *body = bw_aml_int (len);
  g_byte_array_append (body, data, (guint)len);
  return with_pkg ((const guint8[]){ OP_BUFFER }, 1, body);
}

BwAml *
bw_aml_package (guint count, BwAml *elements)
{
  g_assert (count <= 255);
  BwAml *body = bw_aml_new ();
  put8 (body, (guint8)count);
  bw_aml_append (body, elements);
  return with_pkg ((const guint8[]){ OP_PACKAGE }, 1, body);
}

BwAml *
bw_aml_local (guint n)
{
  g_assert (n < 8);
  BwAml *a = bw_aml_new ();
  put8 (a, (guint8)(OP_LOCAL0 + n));
  return a;
}

BwAml *
bw_aml_arg (guint n)
{
  g_assert (n < 7);
  BwAml *a = bw_aml_new ();
  put8 (a, (guint8)(OP_ARG0 + n));
  return a;
}

BwAml *
bw_aml_name_decl (const char *name, BwAml *value)
{
  BwAml *a = bw_aml_new ();
  put8 (a, OP_NAME);
  return bw_aml_cat (a, bw_aml_namestring (name), value, NULL);
}

BwAml *
bw_aml_scope (const char *path, BwAml *body)
{
  return with_pkg ((const guint8[]){ OP_SCOPE }, 1,
                   bw_aml_cat (bw_aml_namestring (path), body, NULL));
}

BwAml *
bw_aml_device (const char *name, BwAml *body)
{
  return with_pkg ((const guint8[]){ OP_EXT, OP_EXT_DEVICE }, 2,
                   bw_aml_cat (bw_aml_namestring (name), body, NULL));
}

BwAml *
bw_aml_method (const char *name, guint args, gboolean serialized, BwAml *body)
{
  g_assert (args <= 7);
  BwAml *head = bw_aml_namestring (name);
  put8 (head, (guint8)(args | (serialized ? 0x08 : 0)));
  return with_pkg ((const guint8[]){ OP_METHOD }, 1, bw_aml_cat (head, body, NULL));
}

BwAml *
bw_aml_opregion (const char *name, guint8 space, guint64 offset, guint64 length)
{
  BwAml *a = bw_aml_new ();
  put8 (a, OP_EXT);
  put8 (a, OP_EXT_OPREGION);
  bw_aml_append (a, bw_aml_namestring (name));
  put8 (a, space);
  return bw_aml_cat (a, bw_aml_int (offset), bw_aml_int (length), NULL);
}

BwAml *
bw_aml_field_bytes (const char *region, guint n, const char *const *names, const guint *bits)
{
  BwAml *body = bw_aml_namestring (region);
  put8 (body, 0x01); /* ByteAcc, NoLock, Preserve */
  for (guint i = 0; i < n; i++)
    {
      guint8 pl[4];
      guint len;
      if (names[i])
        put_seg (body, names[i], strlen (names[i]));
      else
        put8 (body, 0x00); /* ReservedField */
      /* A field's width is a PkgLength-style number, not a length. */
      g_assert (bits[i] >= 1);
      bw_aml_pkg_length (bits[i] - 1, pl, &len);
      if (len == 1)
        pl[0] = (guint8)bits[i];
      else
        {
          pl[0] = (guint8)(((len - 1) << 6) | (bits[i] & 0x0f));
          for (guint k = 1; k < len; k++)
            pl[k] = (guint8)(bits[i] >> (4 + 8 * (k - 1)));
        }
      g_byte_array_append (body, pl, len);
    }
  return with_pkg ((const guint8[]){ OP_EXT, OP_EXT_FIELD }, 2, body);
}

BwAml *
bw_aml_if (BwAml *predicate, BwAml *body)
{
  return with_pkg ((const guint8[]){ OP_IF }, 1, bw_aml_cat (predicate, body, NULL));
}

BwAml *
bw_aml_else (BwAml *body)
{
  return with_pkg ((const guint8[]){ OP_ELSE }, 1, body);
}

BwAml *
bw_aml_return (BwAml *value)
{
  BwAml *a = bw_aml_new ();
  put8 (a, OP_RETURN);
  return bw_aml_cat (a, value, NULL);
}

BwAml *
bw_aml_store (BwAml *value, BwAml *target)
{
  BwAml *a = bw_aml_new ();
  put8 (a, OP_STORE);
  return bw_aml_cat (a, value, target, NULL);
}

static BwAml *
target_or_null (BwAml *target)
{
  return target ? target : bw_aml_namestring ("");
}

BwAml *
bw_aml_op2 (guint8 op, BwAml *a, BwAml *b, BwAml *target)
{
  BwAml *r = bw_aml_new ();
  put8 (r, op);
  return bw_aml_cat (r, a, b, target_or_null (target), NULL);
}

BwAml *
bw_aml_logic (guint8 op, BwAml *a, BwAml *b)
{
  BwAml *r = bw_aml_new ();
  put8 (r, op);
  return bw_aml_cat (r, a, b, NULL);
}

BwAml *
bw_aml_lnot (BwAml *a)
{
  BwAml *r = bw_aml_new ();
  put8 (r, OP_LNOT);
  return bw_aml_cat (r, a, NULL);
}

BwAml *
bw_aml_find_set_right_bit (BwAml *a, BwAml *target)
{
  BwAml *r = bw_aml_new ();
  put8 (r, OP_FIND_SET_RIGHT_BIT);
  return bw_aml_cat (r, a, target_or_null (target), NULL);
}

BwAml *
bw_aml_decrement (BwAml *target)
{
  BwAml *r = bw_aml_new ();
  put8 (r, OP_DECREMENT);
  return bw_aml_cat (r, target, NULL);
}

BwAml *
bw_aml_create_word_field (BwAml *buffer, guint byte_index, const char *name)
{
  BwAml *r = bw_aml_new ();
  put8 (r, OP_CREATE_WORD_FIELD);
  return bw_aml_cat (r, buffer, bw_aml_int (byte_index), bw_aml_namestring (name), NULL);
}
