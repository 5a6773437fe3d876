/* bw-json-lite.h: a small JSON reader for the conformance data (objects,
 * arrays, integers, strings, true/false/null). Values live in an arena
 * that is reset per document, so reading 100,000 lines allocates almost
 * nothing.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

typedef enum
{
  BW_JSON_NULL,
  BW_JSON_BOOL,
  BW_JSON_NUMBER,
  BW_JSON_STRING,
  BW_JSON_ARRAY,
  BW_JSON_OBJECT,
} BwJsonType;

typedef struct _BwJson BwJson;
struct _BwJson
{
  BwJsonType type;
  int64_t num;         /* NUMBER (integers only), BOOL */
  const char *str;     /* STRING; the key of an object member */
  const char *key;
  BwJson *child;       /* first element or member */
  BwJson *next;        /* next sibling */
  guint n_children;
};

typedef struct _BwJsonDoc BwJsonDoc;

BwJsonDoc *bw_json_doc_new (void);
void bw_json_doc_free (BwJsonDoc *doc);
/* Parses text (NUL-terminated); the result lives until the next parse.
 * NULL with error set for malformed input. */
BwJson *bw_json_doc_parse (BwJsonDoc *doc, const char *text, GError **error);

BwJson *bw_json_get (const BwJson *obj, const char *key);
BwJson *bw_json_index (const BwJson *arr, guint n);
