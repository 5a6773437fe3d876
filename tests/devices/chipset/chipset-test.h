/* chipset-test.h: a test board for the chipset device tests: a platform
 * on a manual virtual clock, port reads and writes, the CPU-side lines,
 * platform requests, and the saved-state checks every device gets. */
#pragma once

#include <string.h>
#include "bw-test.h"
#include "vmm/bw-platform.h"

typedef struct
{
  BwPlatform *platform;
  guint resets;
  guint poweroffs;
} CtBoard;

static void
ct_request (void *user_data, BwPlatformRequest request, const char *reason)
{
  CtBoard *b = user_data;
  if (request == BW_PLATFORM_REQUEST_RESET)
    b->resets++;
  else if (request == BW_PLATFORM_REQUEST_POWEROFF)
    b->poweroffs++;
}

/* A board with the given devices ("class:id" or "class", NULL-ended),
 * realized and reset. */
static inline CtBoard *
ct_board_new_v (guint ram_mb, BwConfig *config, const char *const *devices)
{
  CtBoard *b = g_new0 (CtBoard, 1);
  BwPlatformOptions options
      = { .ram_size = (guint64)ram_mb << 20, .clock_mode = BW_CLOCK_MANUAL, .config = config };
  g_autoptr (GError) error = NULL;
  b->platform = bw_platform_new (&options, &error);
  ck_assert_msg (b->platform != NULL, "platform: %s", error ? error->message : "");
  bw_platform_set_request_func (b->platform, ct_request, b);
  for (guint i = 0; devices[i]; i++)
    {
      g_auto (GStrv) parts = g_strsplit (devices[i], ":", 2);
      const char *id = parts[1] ? parts[1] : parts[0];
      ck_assert_msg (bw_platform_add_device (b->platform, parts[0], id, NULL, &error), "add %s: %s",
                     devices[i], error ? error->message : "");
    }
  ck_assert_msg (bw_platform_realize (b->platform, &error), "realize: %s",
                 error ? error->message : "");
  return b;
}

#define ct_board_new(ram_mb, ...)                                                                  \
  ct_board_new_v ((ram_mb), NULL, (const char *const[]){ __VA_ARGS__, NULL })

static inline void
ct_board_free (CtBoard *b)
{
  bw_platform_free (b->platform);
  g_free (b);
}

static inline guint32
ct_in (CtBoard *b, guint16 port, guint size)
{
  guint64 v = 0;
  bw_platform_pio (b->platform, port, &v, size, FALSE);
  return (guint32)v;
}

static inline guint8
ct_inb (CtBoard *b, guint16 port)
{
  return (guint8)ct_in (b, port, 1);
}

static inline void
ct_out (CtBoard *b, guint16 port, guint32 value, guint size)
{
  guint64 v = value;
  bw_platform_pio (b->platform, port, &v, size, TRUE);
}

/* PCI configuration mechanism #1 on bus 0: the address of DEV.FN's
 * register REG, and accesses of SIZE bytes through 0xCF8/0xCFC. */
#define CT_CA(dev, fn, reg) (0x80000000u | (dev) << 11 | (fn) << 8 | (reg))

static inline guint32
ct_cfg_read (CtBoard *b, guint32 addr, guint size)
{
  ct_out (b, 0xcf8, addr & ~3u, 4);
  return ct_in (b, 0xcfc + (addr & 3), size);
}

static inline void
ct_cfg_write (CtBoard *b, guint32 addr, guint32 value, guint size)
{
  ct_out (b, 0xcf8, addr & ~3u, 4);
  ct_out (b, 0xcfc + (addr & 3), value, size);
}

static inline void
ct_outb (CtBoard *b, guint16 port, guint8 value)
{
  ct_out (b, port, value, 1);
}

static inline void
ct_step (CtBoard *b, gint64 ns)
{
  bw_platform_lock (b->platform);
  bw_clock_step (bw_platform_get_clock (b->platform), ns);
  bw_platform_unlock (b->platform);
}

static inline gint64
ct_now (CtBoard *b)
{
  return bw_clock_now (bw_platform_get_clock (b->platform));
}

static inline gboolean
ct_gsi (CtBoard *b, guint gsi)
{
  return bw_irq_router_get_gsi_level (bw_platform_get_irq_router (b->platform), gsi);
}

static inline gboolean
ct_cpu_line (CtBoard *b, BwCpuLine line)
{
  return bw_irq_router_get_cpu_line (bw_platform_get_irq_router (b->platform), line);
}

/* Saved state: the board's bytes load into a fresh board built the same
 * way and save again to the very same bytes; every shorter prefix and a
 * stream with one byte more are refused. */
typedef CtBoard *(*CtBoardFactory) (void);

static inline void
ct_check_state_round_trip (CtBoard *b, CtBoardFactory factory)
{
  g_autoptr (GByteArray) first = g_byte_array_new ();
  bw_platform_save_state (b->platform, first);
  ck_assert_uint_gt (first->len, 8);

  CtBoard *copy = factory ();
  g_autoptr (GError) error = NULL;
  ck_assert_msg (bw_platform_load_state (copy->platform, first->data, first->len, &error),
                 "load: %s", error ? error->message : "");
  g_autoptr (GByteArray) second = g_byte_array_new ();
  bw_platform_save_state (copy->platform, second);
  ck_assert_uint_eq (first->len, second->len);
  ck_assert_msg (memcmp (first->data, second->data, first->len) == 0,
                 "saved state differs after a round trip");

  CtBoard *t = factory ();
  for (gsize len = 0; len < first->len; len++)
    {
      g_autoptr (GError) terr = NULL;
      ck_assert_msg (!bw_platform_load_state (t->platform, first->data, len, &terr),
                     "a stream cut to %" G_GSIZE_FORMAT " of %u bytes was accepted", len,
                     first->len);
      ck_assert (terr != NULL);
    }
  ct_board_free (t);
  g_autoptr (GByteArray) longer = g_byte_array_new ();
  g_byte_array_append (longer, first->data, first->len);
  g_byte_array_append (longer, (const guint8 *)"x", 1);
  ck_assert (!bw_platform_load_state (copy->platform, longer->data, longer->len, NULL));
  ct_board_free (copy);
}

/* Every device class on the board has a valid description. */
static inline void
ct_check_descriptions (CtBoard *b)
{
  GPtrArray *devices = bw_platform_get_devices (b->platform);
  for (guint i = 0; i < devices->len; i++)
    {
      BwDevice *dev = g_ptr_array_index (devices, i);
      g_autoptr (GError) error = NULL;
      ck_assert_ptr_nonnull (dev->klass->vmstate);
      ck_assert_msg (bw_vmstate_desc_validate (dev->klass->vmstate, &error), "%s: %s",
                     dev->klass->name, error ? error->message : "");
    }
}
