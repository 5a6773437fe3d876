/* bw-fuzz-stream.h: what the device fuzzers share. A libFuzzer input read
 * as a stream of big-endian numbers (zeros once it runs out), and a log
 * handler that drops the guest errors a fuzzer provokes by the million. */
#pragma once

#include <glib.h>

typedef struct
{
  const guint8 *data;
  size_t len, pos;
} Stream;

static inline guint
take (Stream *s, guint bytes)
{
  guint v = 0;
  for (guint i = 0; i < bytes; i++)
    v = v << 8 | (s->pos < s->len ? s->data[s->pos++] : 0);
  return v;
}

static inline void
log_to_nowhere (const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
}
