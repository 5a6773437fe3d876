/* bw-vmstate.c: the serializer and deserializer for BwVmStateDesc tables
 * (format in bw-vmstate.h). */
#include "config.h"

#include <string.h>
#include "vmm/bw-vmstate.h"
#include "vmm/bw-timer.h"

G_DEFINE_QUARK (bw-vmstate-error-quark, bw_vmstate_error)

#define SUBSECTION_MARKER 0x01
#define END_MARKER 0x00

static gsize
type_size (BwVmStateType type)
{
  switch (type)
    {
    case BW_VMSTATE_TYPE_U8:
    case BW_VMSTATE_TYPE_I8:
    case BW_VMSTATE_TYPE_BOOL:
      return 1;
    case BW_VMSTATE_TYPE_U16:
    case BW_VMSTATE_TYPE_I16:
      return 2;
    case BW_VMSTATE_TYPE_U32:
    case BW_VMSTATE_TYPE_I32:
      return 4;
    case BW_VMSTATE_TYPE_U64:
    case BW_VMSTATE_TYPE_I64:
      return 8;
    default:
      return 0;
    }
}

static void
put_be (GByteArray *out, guint64 value, gsize size)
{
  guint8 bytes[8];
  for (gsize i = 0; i < size; i++)
    bytes[i] = (guint8) (value >> (8 * (size - 1 - i)));
  g_byte_array_append (out, bytes, (guint) size);
}

/* Reads a host-order integer of `size` bytes from p. */
static guint64
load_host (const guint8 *p, gsize size)
{
  switch (size)
    {
    case 1:
      return *p;
    case 2:
      {
        guint16 v;
        memcpy (&v, p, 2);
        return v;
      }
    case 4:
      {
        guint32 v;
        memcpy (&v, p, 4);
        return v;
      }
    default:
      {
        guint64 v;
        memcpy (&v, p, 8);
        return v;
      }
    }
}

static void
store_host (guint8 *p, guint64 value, gsize size)
{
  switch (size)
    {
    case 1:
      *p = (guint8) value;
      break;
    case 2:
      {
        guint16 v = (guint16) value;
        memcpy (p, &v, 2);
        break;
      }
    case 4:
      {
        guint32 v = (guint32) value;
        memcpy (p, &v, 4);
        break;
      }
    default:
      memcpy (p, &value, 8);
      break;
    }
}

static void save_fields (const BwVmStateDesc *desc, guint8 *base, GByteArray *out);

static void
save_field (const BwVmStateField *f, guint8 *base, GByteArray *out)
{
  guint8 *p = base + f->offset;

  switch (f->type)
    {
    case BW_VMSTATE_TYPE_BUFFER:
      g_byte_array_append (out, p, (guint) f->count);
      break;
    case BW_VMSTATE_TYPE_STRUCT:
      for (gsize i = 0; i < f->count; i++)
        save_fields (f->sub, p + i * f->stride, out);
      break;
    case BW_VMSTATE_TYPE_TIMER:
      {
        BwTimer *timer;
        memcpy (&timer, p, sizeof timer);
        put_be (out, (guint64) (timer ? bw_timer_get_expire (timer) : -1), 8);
        break;
      }
    case BW_VMSTATE_TYPE_BOOL:
      for (gsize i = 0; i < f->count; i++)
        {
          bool b;
          memcpy (&b, p + i, 1);
          put_be (out, b ? 1 : 0, 1);
        }
      break;
    default:
      {
        gsize size = type_size (f->type);
        for (gsize i = 0; i < f->count; i++)
          put_be (out, load_host (p + i * size, size), size);
        break;
      }
    }
}

static void
save_fields (const BwVmStateDesc *desc, guint8 *base, GByteArray *out)
{
  for (const BwVmStateField *f = desc->fields; f && f->type != BW_VMSTATE_END; f++)
    save_field (f, base, out);
}

static void
save_section (const BwVmStateDesc *desc, void *opaque, GByteArray *out)
{
  gsize name_len = strlen (desc->name);

  g_return_if_fail (name_len > 0 && name_len < 256);
  if (desc->pre_save)
    desc->pre_save (opaque);
  put_be (out, name_len, 1);
  g_byte_array_append (out, (const guint8 *) desc->name, (guint) name_len);
  put_be (out, (guint32) desc->version, 4);
  save_fields (desc, opaque, out);
  for (const BwVmStateDesc *const *sub = desc->subsections; sub && *sub; sub++)
    {
      if ((*sub)->needed && !(*sub)->needed (opaque))
        continue;
      put_be (out, SUBSECTION_MARKER, 1);
      save_section (*sub, opaque, out);
    }
  put_be (out, END_MARKER, 1);
}

void
bw_vmstate_save (const BwVmStateDesc *desc, void *opaque, GByteArray *out)
{
  g_return_if_fail (desc != NULL && out != NULL);
  save_section (desc, opaque, out);
}

/* Loading. */

typedef struct
{
  const guint8 *data;
  gsize len;
  gsize pos;
  const char *section; /* for messages */
} Reader;

static gboolean
take (Reader *r, gsize n, const guint8 **p, GError **error)
{
  if (r->len - r->pos < n)
    {
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_TRUNCATED,
                   "Saved state of “%s” ends early: %" G_GSIZE_FORMAT " more bytes needed at offset "
                   "%" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT,
                   r->section, n - (r->len - r->pos), r->pos, r->len);
      return FALSE;
    }
  *p = r->data + r->pos;
  r->pos += n;
  return TRUE;
}

static gboolean
get_be (Reader *r, gsize size, guint64 *value, GError **error)
{
  const guint8 *p;
  if (!take (r, size, &p, error))
    return FALSE;
  guint64 v = 0;
  for (gsize i = 0; i < size; i++)
    v = (v << 8) | p[i];
  *value = v;
  return TRUE;
}

static gboolean load_fields (const BwVmStateDesc *desc, guint8 *base, int version, Reader *r,
                             GError **error);

static gboolean
load_field (const BwVmStateField *f, guint8 *base, int version, Reader *r, GError **error)
{
  guint8 *p = base + f->offset;

  switch (f->type)
    {
    case BW_VMSTATE_TYPE_BUFFER:
      {
        const guint8 *src;
        if (!take (r, f->count, &src, error))
          return FALSE;
        memcpy (p, src, f->count);
        return TRUE;
      }
    case BW_VMSTATE_TYPE_STRUCT:
      for (gsize i = 0; i < f->count; i++)
        if (!load_fields (f->sub, p + i * f->stride, version, r, error))
          return FALSE;
      return TRUE;
    case BW_VMSTATE_TYPE_TIMER:
      {
        guint64 v;
        BwTimer *timer;
        if (!get_be (r, 8, &v, error))
          return FALSE;
        memcpy (&timer, p, sizeof timer);
        gint64 expire = (gint64) v;
        if (expire < -1)
          {
            g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                         "Saved state of “%s”: timer “%s” has an invalid expiry %" G_GINT64_FORMAT,
                         r->section, f->name, expire);
            return FALSE;
          }
        if (timer)
          {
            if (expire < 0)
              bw_timer_del (timer);
            else
              bw_timer_mod (timer, expire);
          }
        return TRUE;
      }
    case BW_VMSTATE_TYPE_BOOL:
      for (gsize i = 0; i < f->count; i++)
        {
          guint64 v;
          if (!get_be (r, 1, &v, error))
            return FALSE;
          if (v > 1)
            {
              g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                           "Saved state of “%s”: field “%s” is a boolean but holds %u", r->section,
                           f->name, (guint) v);
              return FALSE;
            }
          bool b = v != 0;
          memcpy (p + i, &b, 1);
        }
      return TRUE;
    default:
      {
        gsize size = type_size (f->type);
        for (gsize i = 0; i < f->count; i++)
          {
            guint64 v;
            if (!get_be (r, size, &v, error))
              return FALSE;
            store_host (p + i * size, v, size);
          }
        return TRUE;
      }
    }
}

static gboolean
load_fields (const BwVmStateDesc *desc, guint8 *base, int version, Reader *r, GError **error)
{
  for (const BwVmStateField *f = desc->fields; f && f->type != BW_VMSTATE_END; f++)
    {
      if (f->version_added > version)
        continue;
      if (!load_field (f, base, version, r, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_header (Reader *r, const BwVmStateDesc *expected_or_null, const BwVmStateDesc *parent,
             const BwVmStateDesc **desc, int *version, GError **error)
{
  guint64 name_len, v;
  const guint8 *name;

  if (!get_be (r, 1, &name_len, error))
    return FALSE;
  if (name_len == 0)
    {
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                   "Saved state of “%s”: a section without a name", r->section);
      return FALSE;
    }
  if (!take (r, name_len, &name, error))
    return FALSE;

  if (expected_or_null)
    {
      if (strlen (expected_or_null->name) != name_len
          || memcmp (expected_or_null->name, name, name_len) != 0)
        {
          g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_NAME,
                       "Saved state is of “%.*s”, not of “%s”", (int) name_len, name,
                       expected_or_null->name);
          return FALSE;
        }
      *desc = expected_or_null;
    }
  else
    {
      *desc = NULL;
      for (const BwVmStateDesc *const *sub = parent->subsections; sub && *sub; sub++)
        if (strlen ((*sub)->name) == name_len && memcmp ((*sub)->name, name, name_len) == 0)
          *desc = *sub;
      if (!*desc)
        {
          g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_SUBSECTION,
                       "Saved state of “%s” has an unknown subsection “%.*s”", parent->name,
                       (int) name_len, name);
          return FALSE;
        }
    }

  if (!get_be (r, 4, &v, error))
    return FALSE;
  *version = (int) (guint32) v;
  if ((gint64) (guint32) v > (*desc)->version || (gint64) (guint32) v < (*desc)->minimum_version)
    {
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_VERSION,
                   "Saved state of “%s” has version %u; this build loads versions %d to %d",
                   (*desc)->name, (guint) (guint32) v, (*desc)->minimum_version, (*desc)->version);
      return FALSE;
    }
  return TRUE;
}

static gboolean
load_section (const BwVmStateDesc *expected, const BwVmStateDesc *parent, void *opaque, Reader *r,
              int depth, GError **error)
{
  const BwVmStateDesc *desc;
  int version;

  if (depth > 16)
    {
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                   "Saved state of “%s”: subsections nested too deeply", r->section);
      return FALSE;
    }
  if (!read_header (r, expected, parent, &desc, &version, error))
    return FALSE;
  if (!load_fields (desc, opaque, version, r, error))
    return FALSE;

  for (;;)
    {
      guint64 marker;
      if (!get_be (r, 1, &marker, error))
        return FALSE;
      if (marker == END_MARKER)
        break;
      if (marker != SUBSECTION_MARKER)
        {
          g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                       "Saved state of “%s”: bad marker 0x%02x at offset %" G_GSIZE_FORMAT,
                       desc->name, (guint) marker, r->pos - 1);
          return FALSE;
        }
      if (!load_section (NULL, desc, opaque, r, depth + 1, error))
        return FALSE;
    }

  if (desc->post_load)
    {
      GError *local = NULL;
      if (!desc->post_load (opaque, version, &local))
        {
          if (local)
            g_propagate_prefixed_error (error, local, "Saved state of “%s”: ", desc->name);
          else
            g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                         "Saved state of “%s” holds values the device refuses", desc->name);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
bw_vmstate_load (const BwVmStateDesc *desc, void *opaque, const guint8 *data, gsize len,
                 gsize *consumed, GError **error)
{
  Reader r = { .data = data, .len = data ? len : 0, .pos = 0, .section = desc->name };

  if (!load_section (desc, NULL, opaque, &r, 0, error))
    return FALSE;
  if (consumed)
    *consumed = r.pos;
  return TRUE;
}

gboolean
bw_vmstate_load_exact (const BwVmStateDesc *desc, void *opaque, const guint8 *data, gsize len,
                       GError **error)
{
  gsize consumed;

  if (!bw_vmstate_load (desc, opaque, data, len, &consumed, error))
    return FALSE;
  if (consumed != len)
    {
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                   "Saved state of “%s”: %" G_GSIZE_FORMAT " unexpected bytes after the section",
                   desc->name, len - consumed);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate (const BwVmStateDesc *desc, int depth, GError **error)
{
  if (!desc->name || !*desc->name || strlen (desc->name) > 255)
    {
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                   "A saved-state description has no name or one over 255 bytes");
      return FALSE;
    }
  if (depth > 16)
    {
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                   "Saved state “%s” nests too deeply (a cycle?)", desc->name);
      return FALSE;
    }
  if (desc->minimum_version > desc->version || desc->minimum_version < 0)
    {
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_VERSION,
                   "Saved state “%s”: minimum_version %d is not within 0..%d", desc->name,
                   desc->minimum_version, desc->version);
      return FALSE;
    }
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  for (const BwVmStateField *f = desc->fields; f && f->type != BW_VMSTATE_END; f++)
    {
      if (!f->name || !g_hash_table_add (names, (gpointer) f->name))
        {
          g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                       "Saved state “%s”: field “%s” has no name or appears twice", desc->name,
                       f->name ? f->name : "(null)");
          return FALSE;
        }
      if (f->version_added > desc->version)
        {
          g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_VERSION,
                       "Saved state “%s”: field “%s” added in version %d, above %d", desc->name,
                       f->name, f->version_added, desc->version);
          return FALSE;
        }
      if (f->count == 0 && f->type != BW_VMSTATE_TYPE_BUFFER)
        {
          g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                       "Saved state “%s”: field “%s” has no elements", desc->name, f->name);
          return FALSE;
        }
      if (f->type == BW_VMSTATE_TYPE_STRUCT && (!f->sub || !validate (f->sub, depth + 1, error)))
        {
          if (!f->sub)
            g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                         "Saved state “%s”: struct field “%s” has no description", desc->name,
                         f->name);
          return FALSE;
        }
    }
  g_autoptr (GHashTable) subs = g_hash_table_new (g_str_hash, g_str_equal);
  for (const BwVmStateDesc *const *sub = desc->subsections; sub && *sub; sub++)
    {
      if (!validate (*sub, depth + 1, error))
        return FALSE;
      if (!g_hash_table_add (subs, (gpointer) (*sub)->name))
        {
          g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                       "Saved state “%s”: subsection “%s” appears twice", desc->name,
                       (*sub)->name);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
bw_vmstate_desc_validate (const BwVmStateDesc *desc, GError **error)
{
  g_return_val_if_fail (desc != NULL, FALSE);
  return validate (desc, 0, error);
}

gboolean
bw_vmstate_check (const BwVmStateDesc *desc, void *opaque, GByteArray **saved, GError **error)
{
  g_autoptr (GByteArray) first = g_byte_array_new ();
  if (!bw_vmstate_desc_validate (desc, error))
    return FALSE;
  bw_vmstate_save (desc, opaque, first);

  for (guint len = 0; len < first->len; len++)
    {
      g_autoptr (GError) local = NULL;
      if (bw_vmstate_load (desc, opaque, first->data, len, NULL, &local))
        {
          g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                       "Saved state of “%s” cut to %u of %u bytes was accepted", desc->name, len,
                       first->len);
          return FALSE;
        }
      if (!g_error_matches (local, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_TRUNCATED))
        {
          g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                       "Saved state of “%s” cut to %u bytes failed for another reason: %s",
                       desc->name, len, local->message);
          return FALSE;
        }
    }

  g_autoptr (GError) local = NULL;
  if (!bw_vmstate_load_exact (desc, opaque, first->data, first->len, &local))
    {
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                   "Saved state of “%s” does not load back: %s", desc->name, local->message);
      return FALSE;
    }
  g_autoptr (GByteArray) second = g_byte_array_new ();
  bw_vmstate_save (desc, opaque, second);
  if (second->len != first->len || memcmp (second->data, first->data, first->len) != 0)
    {
      gsize at = 0;
      while (at < MIN (first->len, second->len) && first->data[at] == second->data[at])
        at++;
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                   "Saved state of “%s” changes in a round trip: first difference at byte %"
                   G_GSIZE_FORMAT " (%u bytes, then %u)",
                   desc->name, at, first->len, second->len);
      return FALSE;
    }
  if (saved)
    *saved = g_steal_pointer (&first);
  return TRUE;
}
