/* bw-debugcon.c: a debug console port: every byte the guest writes goes
 * into the VM log, a line at a time. SeaBIOS writes its log to 0x402 (it
 * checks that a read gives 0xE9 first); Bochs-style guests use 0xE9.
 *
 * Configuration: port (default 0x402). Lines longer than DEBUGCON_LINE_MAX are
 * split; bytes that are not printable ASCII are logged as \xNN; after
 * OUTPUT_LIMIT bytes of a run the rest is counted, not logged, so a guest
 * cannot fill the disk. */
#include "config.h"

#include <string.h>
#include "vmm/bw-platform.h"

#define DEBUGCON_LINE_MAX 200
#define OUTPUT_LIMIT (4u << 20)
#define READBACK 0xe9

typedef struct
{
  BwDevice parent;
  guint8 line[DEBUGCON_LINE_MAX];
  guint16 len;
  guint32 logged;  /* bytes logged this run */
  guint32 dropped; /* bytes not logged since the limit */
} BwDebugcon;

static void
flush_line (BwDebugcon *d)
{
  if (d->len > DEBUGCON_LINE_MAX)
    d->len = 0; /* left over from a refused saved state */
  if (d->len == 0)
    return;
  GString *s = g_string_sized_new (d->len + 8);
  for (guint i = 0; i < d->len; i++)
    {
      guint8 c = d->line[i];
      if (c >= 0x20 && c < 0x7f && c != '\\')
        g_string_append_c (s, (char)c);
      else if (c == '\t')
        g_string_append_c (s, ' ');
      else
        g_string_append_printf (s, "\\x%02x", c);
    }
  d->len = 0;
  if (d->logged >= OUTPUT_LIMIT)
    {
      d->dropped += (guint32)s->len;
      g_string_free (s, TRUE);
      return;
    }
  d->logged += (guint32)s->len;
  bw_device_log (&d->parent, "%s", s->str);
  if (d->logged >= OUTPUT_LIMIT)
    bw_device_log (&d->parent, "(%u bytes logged; further output is not logged)", OUTPUT_LIMIT);
  g_string_free (s, TRUE);
}

static void
debugcon_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwDebugcon *d = opaque;
  if (!is_write)
    {
      *data = READBACK;
      return;
    }
  guint8 c = (guint8)*data;
  if (c == '\n')
    {
      flush_line (d);
      return;
    }
  if (c == '\r')
    return;
  d->line[d->len++] = c;
  if (d->len >= DEBUGCON_LINE_MAX)
    flush_line (d);
}

static const BwIoOps debugcon_ops = { .handler = debugcon_io, .max_access = 1 };

static gboolean
debugcon_realize (BwDevice *dev, GError **error)
{
  gint64 port;
  if (!bw_config_has (dev->config, "port"))
    port = 0x402;
  else if (!bw_config_get_int_range (dev->config, "port", 0, 0xffff, &port, error))
    return FALSE;
  return bw_device_register_pio (dev, (guint16)port, 1, &debugcon_ops, dev, error);
}

static void
debugcon_reset (BwDevice *dev)
{
  flush_line ((BwDebugcon *)dev);
}

static void
debugcon_unrealize (BwDevice *dev)
{
  BwDebugcon *d = (BwDebugcon *)dev;
  flush_line (d);
  if (d->dropped)
    bw_device_log (dev, "%u bytes of output were not logged", d->dropped);
}

static gboolean
debugcon_post_load (void *opaque, int version, GError **error)
{
  BwDebugcon *d = opaque;
  if (d->len >= DEBUGCON_LINE_MAX)
    {
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                   "debug console line length %u is not below %u", d->len, DEBUGCON_LINE_MAX);
      return FALSE;
    }
  return TRUE;
}

static const BwVmStateField debugcon_fields[] = {
  BW_VMSTATE_BUFFER (BwDebugcon, line, DEBUGCON_LINE_MAX),
  BW_VMSTATE_U16 (BwDebugcon, len),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc debugcon_vmstate = {
  .name = "debugcon",
  .version = 1,
  .minimum_version = 1,
  .fields = debugcon_fields,
  .post_load = debugcon_post_load,
};

static const BwDeviceClass debugcon_class = {
  .name = "debugcon",
  .description = "Debug console port (SeaBIOS 0x402, Bochs 0xE9) into the VM log",
  .instance_size = sizeof (BwDebugcon),
  .priority = BW_DEVICE_PRIORITY_DEVICE,
  .realize = debugcon_realize,
  .reset = debugcon_reset,
  .unrealize = debugcon_unrealize,
  .vmstate = &debugcon_vmstate,
};

BW_DEVICE_REGISTER (debugcon_class)
