/* periph-test.h: helpers shared by the peripheral device tests: a test
 * platform on a manual clock and port access. */
#pragma once

#include <glib.h>
#include <string.h>
#include "vmm/bw-platform.h"
#include "bw-test.h"

static inline guint8
inb (BwPlatform *p, guint16 port)
{
  return (guint8) bw_io_bus_read (bw_platform_get_pio (p), port, 1);
}

static inline void
outb (BwPlatform *p, guint16 port, guint8 v)
{
  bw_io_bus_write (bw_platform_get_pio (p), port, 1, v);
}

static inline void
outw (BwPlatform *p, guint16 port, guint16 v)
{
  bw_io_bus_write (bw_platform_get_pio (p), port, 2, v);
}

static inline guint32
inl (BwPlatform *p, guint16 port)
{
  return (guint32) bw_io_bus_read (bw_platform_get_pio (p), port, 4);
}

static inline void
outl (BwPlatform *p, guint16 port, guint32 v)
{
  bw_io_bus_write (bw_platform_get_pio (p), port, 4, v);
}

static inline void
step_ns (BwPlatform *p, gint64 ns)
{
  bw_clock_step (bw_platform_get_clock (p), ns);
}

static inline gboolean
gsi_level (BwPlatform *p, guint gsi)
{
  return bw_irq_router_get_gsi_level (bw_platform_get_irq_router (p), gsi);
}

static inline BwDevice *
add_device (BwPlatform *p, const char *klass, const char *id, BwConfig *config)
{
  g_autoptr (GError) error = NULL;
  BwDevice *dev = bw_platform_create_device (p, klass, id, config, &error);
  ck_assert_msg (dev != NULL, "cannot create %s: %s", id, error ? error->message : "?");
  return dev;
}

/* Saves the platform, loads it into `other` and checks that saving
 * `other` gives the same bytes; then checks that every truncation of the
 * stream is refused. */
static inline void
check_state_round_trip (BwPlatform *p, BwPlatform *other)
{
  g_autoptr (GByteArray) first = g_byte_array_new ();
  g_autoptr (GByteArray) second = g_byte_array_new ();
  g_autoptr (GError) error = NULL;

  bw_platform_save_state (p, first);
  ck_assert_msg (bw_platform_load_state (other, first->data, first->len, &error), "load: %s",
                 error ? error->message : "?");
  bw_platform_save_state (other, second);
  ck_assert_uint_eq (first->len, second->len);
  ck_assert (memcmp (first->data, second->data, first->len) == 0);

  for (guint len = 0; len < first->len; len++)
    {
      g_autoptr (GError) e = NULL;
      ck_assert_msg (!bw_platform_load_state (other, first->data, len, &e),
                     "a stream cut at %u of %u bytes was accepted", len, first->len);
      ck_assert (e != NULL);
    }
  /* A failed load may leave a device half written: load it whole again. */
  ck_assert (bw_platform_load_state (other, first->data, first->len, NULL));
}

static inline void
check_vmstate_valid (const char *klass)
{
  const BwDeviceClass *c = bw_device_class_find (klass);
  g_autoptr (GError) error = NULL;
  ck_assert (c != NULL && c->vmstate != NULL);
  ck_assert_msg (bw_vmstate_desc_validate (c->vmstate, &error), "%s", error ? error->message : "");
}
