/* bw-json-lite.c: see bw-json-lite.h. */
#include "config.h"

#include "bw-json-lite.h"

#include <string.h>

struct _BwJsonDoc
{
  GArray *nodes_blocks; /* of BwJson*, each block 4096 nodes */
  guint used;           /* nodes used in the last block */
  guint n_blocks_used;
  GString *strings;     /* string storage, reset per parse */
  GPtrArray *old_strings;
  const char *p;
  GError **error;
};

#define BLOCK 4096

BwJsonDoc *
bw_json_doc_new (void)
{
  BwJsonDoc *d = g_new0 (BwJsonDoc, 1);
  d->nodes_blocks = g_array_new (FALSE, FALSE, sizeof (BwJson *));
  d->old_strings = g_ptr_array_new_with_free_func (g_free);
  return d;
}

void
bw_json_doc_free (BwJsonDoc *d)
{
  if (!d)
    return;
  for (guint k = 0; k < d->nodes_blocks->len; k++)
    g_free (g_array_index (d->nodes_blocks, BwJson *, k));
  g_array_unref (d->nodes_blocks);
  g_ptr_array_unref (d->old_strings);
  g_free (d);
}

static BwJson *
node (BwJsonDoc *d)
{
  if (d->n_blocks_used == 0 || d->used == BLOCK)
    {
      if (d->n_blocks_used == d->nodes_blocks->len)
        {
          BwJson *b = g_new (BwJson, BLOCK);
          g_array_append_val (d->nodes_blocks, b);
        }
      d->n_blocks_used++;
      d->used = 0;
    }
  BwJson *n = &g_array_index (d->nodes_blocks, BwJson *, d->n_blocks_used - 1)[d->used++];
  memset (n, 0, sizeof *n);
  return n;
}

static void
skip_ws (BwJsonDoc *d)
{
  while (*d->p == ' ' || *d->p == '\t' || *d->p == '\n' || *d->p == '\r')
    d->p++;
}

static gboolean
fail (BwJsonDoc *d, const char *what)
{
  if (d->error && !*d->error)
    g_set_error (d->error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "JSON: %s near \"%.20s\"", what,
                 d->p);
  return FALSE;
}

static char *
parse_string (BwJsonDoc *d)
{
  /* d->p at the opening quote. */
  GString *s = g_string_new (NULL);
  d->p++;
  while (*d->p && *d->p != '"')
    {
      if (*d->p == '\\')
        {
          d->p++;
          switch (*d->p)
            {
            case 'n': g_string_append_c (s, '\n'); break;
            case 't': g_string_append_c (s, '\t'); break;
            case 'r': g_string_append_c (s, '\r'); break;
            case 'b': g_string_append_c (s, '\b'); break;
            case 'f': g_string_append_c (s, '\f'); break;
            case 'u':
              {
                unsigned v = 0;
                for (int k = 1; k <= 4; k++)
                  {
                    if (!g_ascii_isxdigit (d->p[k]))
                      {
                        g_string_free (s, TRUE);
                        fail (d, "bad \\u escape");
                        return NULL;
                      }
                    v = v * 16 + g_ascii_xdigit_value (d->p[k]);
                  }
                g_string_append_unichar (s, v);
                d->p += 4;
                break;
              }
            case '\0':
              g_string_free (s, TRUE);
              fail (d, "unterminated string");
              return NULL;
            default: g_string_append_c (s, *d->p); break;
            }
          d->p++;
        }
      else
        g_string_append_c (s, *d->p++);
    }
  if (*d->p != '"')
    {
      g_string_free (s, TRUE);
      fail (d, "unterminated string");
      return NULL;
    }
  d->p++;
  char *r = g_string_free (s, FALSE);
  g_ptr_array_add (d->old_strings, r);
  return r;
}

static BwJson *parse_value (BwJsonDoc *d, int depth);

static BwJson *
parse_container (BwJsonDoc *d, int depth, gboolean is_obj)
{
  BwJson *n = node (d);
  n->type = is_obj ? BW_JSON_OBJECT : BW_JSON_ARRAY;
  BwJson **tail = &n->child;
  d->p++;
  skip_ws (d);
  if (*d->p == (is_obj ? '}' : ']'))
    {
      d->p++;
      return n;
    }
  for (;;)
    {
      const char *key = NULL;
      skip_ws (d);
      if (is_obj)
        {
          if (*d->p != '"')
            return fail (d, "expected a key"), NULL;
          key = parse_string (d);
          if (!key)
            return NULL;
          skip_ws (d);
          if (*d->p != ':')
            return fail (d, "expected ':'"), NULL;
          d->p++;
        }
      BwJson *v = parse_value (d, depth + 1);
      if (!v)
        return NULL;
      v->key = key;
      *tail = v;
      tail = &v->next;
      n->n_children++;
      skip_ws (d);
      if (*d->p == ',')
        {
          d->p++;
          continue;
        }
      if (*d->p == (is_obj ? '}' : ']'))
        {
          d->p++;
          return n;
        }
      return fail (d, "expected ',' or a closing bracket"), NULL;
    }
}

static BwJson *
parse_value (BwJsonDoc *d, int depth)
{
  if (depth > 64)
    return fail (d, "nested too deeply"), NULL;
  skip_ws (d);
  char c = *d->p;
  if (c == '{' || c == '[')
    return parse_container (d, depth, c == '{');
  if (c == '"')
    {
      char *s = parse_string (d);
      if (!s)
        return NULL;
      BwJson *n = node (d);
      n->type = BW_JSON_STRING;
      n->str = s;
      return n;
    }
  if (c == '-' || g_ascii_isdigit (c))
    {
      char *end;
      gint64 v = g_ascii_strtoll (d->p, &end, 10);
      if (end == d->p)
        return fail (d, "bad number"), NULL;
      d->p = end;
      /* Fractions and exponents are not used by the data; skip them. */
      while (*d->p == '.' || *d->p == 'e' || *d->p == 'E' || *d->p == '+' || *d->p == '-'
             || g_ascii_isdigit (*d->p))
        d->p++;
      BwJson *n = node (d);
      n->type = BW_JSON_NUMBER;
      n->num = v;
      return n;
    }
  if (strncmp (d->p, "true", 4) == 0 || strncmp (d->p, "false", 5) == 0)
    {
      BwJson *n = node (d);
      n->type = BW_JSON_BOOL;
      n->num = d->p[0] == 't';
      d->p += n->num ? 4 : 5;
      return n;
    }
  if (strncmp (d->p, "null", 4) == 0)
    {
      d->p += 4;
      return node (d);
    }
  return fail (d, "unexpected character"), NULL;
}

BwJson *
bw_json_doc_parse (BwJsonDoc *d, const char *text, GError **error)
{
  d->n_blocks_used = 0;
  d->used = 0;
  g_ptr_array_set_size (d->old_strings, 0);
  d->p = text;
  d->error = error;
  BwJson *v = parse_value (d, 0);
  if (!v)
    return NULL;
  skip_ws (d);
  if (*d->p)
    return fail (d, "trailing characters"), NULL;
  return v;
}

BwJson *
bw_json_get (const BwJson *obj, const char *key)
{
  if (!obj || obj->type != BW_JSON_OBJECT)
    return NULL;
  for (BwJson *c = obj->child; c; c = c->next)
    if (strcmp (c->key, key) == 0)
      return c;
  return NULL;
}

BwJson *
bw_json_index (const BwJson *arr, guint n)
{
  if (!arr || arr->type != BW_JSON_ARRAY)
    return NULL;
  BwJson *c = arr->child;
  while (c && n--)
    c = c->next;
  return c;
}
