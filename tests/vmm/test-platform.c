/* test-platform.c: the device registry and the board: classes registered
 * by constructor, realize and reset in priority order, port ranges
 * claimed through the device helpers, guest errors in the log, timers and
 * IRQs on a virtual clock, and whole-board saved state (round trip,
 * truncation, missing devices). */
#include "config.h"

#include <string.h>
#include "bw-test.h"
#include "vmm/bw-platform.h"

/* A tiny "latch" device: port base+0 holds a byte; writing 1 to base+1
 * arms a timer that raises the IRQ after `delay` ns; reading base+1
 * lowers it. */
typedef struct
{
  BwDevice parent;
  guint8 value;
  guint8 fires;
  BwTimer *timer;
  BwIrqLine *irq;
  guint32 delay;
} Latch;

static GString *events; /* realize/reset order, across classes */

static void
latch_fire (void *opaque)
{
  Latch *l = opaque;
  l->fires++;
  bw_irq_line_raise (l->irq);
}

static void
latch_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  Latch *l = opaque;
  if (offset == 0)
    {
      if (is_write)
        l->value = (guint8) *data;
      else
        *data = l->value;
      return;
    }
  if (is_write)
    {
      if (*data == 1)
        bw_timer_mod_in (l->timer, l->delay);
      else
        bw_device_guest_error (&l->parent, "unknown command %#x", (guint) *data);
    }
  else
    {
      *data = l->fires;
      bw_irq_line_lower (l->irq);
    }
}

static const BwIoOps latch_ops = { .handler = latch_io, .max_access = 1 };

static gboolean
latch_realize (BwDevice *dev, GError **error)
{
  Latch *l = (Latch *) dev;
  g_string_append_printf (events, "R:%s ", dev->id);
  gint64 port = bw_config_get_int_default (dev->config, "port", 0x100);
  gint64 irq = bw_config_get_int_default (dev->config, "irq", 5);
  l->delay = (guint32) bw_config_get_int_default (dev->config, "delay", 1000);
  l->timer = bw_device_new_timer (dev, latch_fire, l);
  l->irq = bw_device_get_irq (dev, (guint) irq);
  return bw_device_register_pio (dev, (guint16) port, 2, &latch_ops, l, error);
}

static void
latch_reset (BwDevice *dev)
{
  Latch *l = (Latch *) dev;
  g_string_append_printf (events, "X:%s ", dev->id);
  l->value = 0;
  l->fires = 0;
  bw_timer_del (l->timer);
  bw_irq_line_lower (l->irq);
}

static const BwVmStateField latch_fields[] = {
  BW_VMSTATE_U8 (Latch, value),
  BW_VMSTATE_U8 (Latch, fires),
  BW_VMSTATE_TIMER (Latch, timer),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc latch_vmstate = {
  .name = "latch", .version = 1, .minimum_version = 1, .fields = latch_fields,
};

static const BwDeviceClass latch_class = {
  .name = "test-latch",
  .description = "a latch with a timer and an IRQ",
  .instance_size = sizeof (Latch),
  .priority = BW_DEVICE_PRIORITY_DEVICE,
  .realize = latch_realize,
  .reset = latch_reset,
  .vmstate = &latch_vmstate,
};
BW_DEVICE_REGISTER (latch_class)

/* A core-priority device without state, added after the latches. */
static gboolean
core_realize (BwDevice *dev, GError **error)
{
  g_string_append_printf (events, "R:%s ", dev->id);
  return TRUE;
}

static void
core_reset (BwDevice *dev)
{
  g_string_append_printf (events, "X:%s ", dev->id);
}

static const BwDeviceClass core_class = {
  .name = "test-core",
  .instance_size = sizeof (BwDevice),
  .priority = BW_DEVICE_PRIORITY_CORE,
  .realize = core_realize,
  .reset = core_reset,
};
BW_DEVICE_REGISTER (core_class)

static void
setup (void)
{
  events = g_string_new (NULL);
}

static void
teardown (void)
{
  g_string_free (events, TRUE);
}

START_TEST (test_registry)
{
  ck_assert_ptr_eq (bw_device_class_find ("test-latch"), &latch_class);
  ck_assert_ptr_null (bw_device_class_find ("no-such-device"));
  g_autoptr (GPtrArray) list = bw_device_class_list ();
  ck_assert_uint_ge (list->len, 2);
  ck_assert_ptr_eq (g_ptr_array_index (list, 0), &core_class); /* priority order */
  ck_assert (bw_vmstate_desc_validate (&latch_vmstate, NULL));
}
END_TEST

START_TEST (test_realize_order_and_errors)
{
  g_autoptr (BwPlatform) p = bw_platform_new_test (16);
  g_autoptr (GError) error = NULL;
  ck_assert_ptr_nonnull (bw_platform_add_device (p, "test-latch", "latch0", NULL, NULL));
  ck_assert_ptr_nonnull (bw_platform_add_device (p, "test-latch", "latch1", NULL, NULL));
  bw_config_set_int (bw_platform_get_config (p), "devices/latch1/port", 0x200);
  ck_assert_ptr_nonnull (bw_platform_add_device (p, "test-core", "core", NULL, NULL));
  ck_assert_ptr_null (bw_platform_add_device (p, "test-latch", "latch0", NULL, &error));
  ck_assert (g_error_matches (error, BW_DEVICE_ERROR, BW_DEVICE_ERROR_DUPLICATE_ID));
  g_clear_error (&error);
  ck_assert_ptr_null (bw_platform_add_device (p, "test-latch", "bad id/..", NULL, &error));
  ck_assert (g_error_matches (error, BW_DEVICE_ERROR, BW_DEVICE_ERROR_DUPLICATE_ID));
  g_clear_error (&error);
  ck_assert_ptr_null (bw_platform_add_device (p, "nope", "x", NULL, &error));
  ck_assert (g_error_matches (error, BW_DEVICE_ERROR, BW_DEVICE_ERROR_UNKNOWN_CLASS));
  g_clear_error (&error);

  ck_assert (bw_platform_realize (p, &error));
  ck_assert_str_eq (events->str, "R:core R:latch0 R:latch1 X:core X:latch0 X:latch1 ");
  GPtrArray *devices = bw_platform_get_devices (p);
  ck_assert_uint_eq (devices->len, 3);
  ck_assert_str_eq (((BwDevice *) g_ptr_array_index (devices, 0))->id, "core");

  g_string_truncate (events, 0);
  bw_platform_reset (p);
  ck_assert_str_eq (events->str, "X:core X:latch0 X:latch1 ");

  /* A third latch on latch0's ports fails to realize, naming itself. */
  ck_assert_ptr_nonnull (bw_platform_add_device (p, "test-latch", "latch2", NULL, NULL));
  ck_assert (!bw_platform_realize (p, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "latch2"));
  ck_assert_ptr_nonnull (strstr (error->message, "overlaps"));
}
END_TEST

START_TEST (test_ports_timers_irqs)
{
  g_autoptr (BwPlatform) p = bw_platform_new_test (16);
  BwIoBus *pio = bw_platform_get_pio (p);
  BwClock *clock = bw_platform_get_clock (p);
  BwIrqRouter *router = bw_platform_get_irq_router (p);
  bw_config_set_int (bw_platform_get_config (p), "devices/latch/delay", 5000);
  ck_assert_ptr_nonnull (bw_platform_create_device (p, "test-latch", "latch", NULL, NULL));

  bw_io_bus_write (pio, 0x100, 1, 0x42);
  ck_assert_uint_eq (bw_io_bus_read (pio, 0x100, 1), 0x42);
  bw_io_bus_write (pio, 0x101, 1, 1); /* arm */
  bw_clock_step (clock, 4999);
  ck_assert (!bw_irq_router_get_gsi_level (router, 5));
  bw_clock_step (clock, 1);
  ck_assert (bw_irq_router_get_gsi_level (router, 5));
  ck_assert_uint_eq (bw_io_bus_read (pio, 0x101, 1), 1); /* read lowers */
  ck_assert (!bw_irq_router_get_gsi_level (router, 5));

  /* Guest errors reach the log, tagged with the device id; so do
   * unclaimed ports. */
  bw_io_bus_write (pio, 0x101, 1, 9);
  ck_assert_uint_eq (bw_io_bus_read (pio, 0x3ff, 1), 0xff);
  g_autofree char *text = bw_log_dup_contents (bw_platform_get_log (p));
  ck_assert_ptr_nonnull (strstr (text, "latch: guest error: unknown command 0x9"));
  ck_assert_ptr_nonnull (strstr (text, "pio: guest error: read (1 bytes) from unclaimed 0x3ff"));

  /* The CPU entry points go through the same buses. */
  guint64 v = 0;
  bw_platform_pio (p, 0x100, &v, 1, FALSE);
  ck_assert_uint_eq (v, 0x42);
  bw_platform_mmio (p, 0x1000, &v, 4, FALSE);
  ck_assert_uint_eq (v, 0);
}
END_TEST

START_TEST (test_saved_state)
{
  g_autoptr (BwPlatform) a = bw_platform_new_test (16);
  g_autoptr (BwPlatform) b = bw_platform_new_test (16);
  for (int i = 0; i < 2; i++)
    {
      BwPlatform *p = i ? b : a;
      ck_assert (bw_platform_add_device (p, "test-core", "core", NULL, NULL));
      ck_assert (bw_platform_add_device (p, "test-latch", "latch0", NULL, NULL));
      bw_config_set_int (bw_platform_get_config (p), "devices/latch1/port", 0x200);
      ck_assert (bw_platform_add_device (p, "test-latch", "latch1", NULL, NULL));
      ck_assert (bw_platform_realize (p, NULL));
    }
  bw_io_bus_write (bw_platform_get_pio (a), 0x100, 1, 0x11);
  bw_io_bus_write (bw_platform_get_pio (a), 0x200, 1, 0x22);
  bw_io_bus_write (bw_platform_get_pio (a), 0x201, 1, 1);

  g_autoptr (GByteArray) state = g_byte_array_new ();
  bw_platform_save_state (a, state);
  /* "BWDS", 2 devices (core has no state), then latch0's section. */
  static const guint8 head[] = { 'B', 'W', 'D', 'S', 0, 0, 0, 2, 6, 'l', 'a', 't', 'c', 'h', '0',
                                 0, 0, 0, 21 };
  ck_assert_mem_eq (state->data, head, sizeof head);
  ck_assert_uint_eq (state->len, 8 + 2 * (1 + 6 + 4 + 21));

  g_autoptr (GError) error = NULL;
  ck_assert (bw_platform_load_state (b, state->data, state->len, &error));
  ck_assert_uint_eq (bw_io_bus_read (bw_platform_get_pio (b), 0x100, 1), 0x11);
  ck_assert_uint_eq (bw_io_bus_read (bw_platform_get_pio (b), 0x200, 1), 0x22);
  /* The armed timer came along: it fires on b's clock. */
  bw_clock_step (bw_platform_get_clock (b), 1000);
  ck_assert (bw_irq_router_get_gsi_level (bw_platform_get_irq_router (b), 5));

  for (guint len = 0; len < state->len; len++)
    ck_assert_msg (!bw_platform_load_state (b, state->data, len, NULL),
                   "board state cut to %u bytes was accepted", len);

  /* A board without latch1 cannot take this state, nor can one with an
   * extra device. */
  g_autoptr (BwPlatform) c = bw_platform_new_test (16);
  ck_assert (bw_platform_create_device (c, "test-latch", "latch0", NULL, NULL));
  ck_assert (!bw_platform_load_state (c, state->data, state->len, &error));
  ck_assert (g_error_matches (error, BW_DEVICE_ERROR, BW_DEVICE_ERROR_STATE));
  g_clear_error (&error);
  bw_config_set_int (bw_platform_get_config (c), "devices/latch1/port", 0x200);
  bw_config_set_int (bw_platform_get_config (c), "devices/latch2/port", 0x300);
  ck_assert (bw_platform_create_device (c, "test-latch", "latch1", NULL, NULL));
  ck_assert (bw_platform_create_device (c, "test-latch", "latch2", NULL, NULL));
  ck_assert (!bw_platform_load_state (c, state->data, state->len, &error));
  ck_assert_ptr_nonnull (strstr (error->message, "latch2"));
}
END_TEST

START_TEST (test_configured_devices)
{
  g_autoptr (BwConfig) config = bw_config_new ();
  bw_config_set_string (config, "devices/core/class", "test-core");
  bw_config_set_string (config, "devices/a/class", "test-latch");
  bw_config_set_int (config, "devices/a/port", 0x60);
  bw_config_set_int (config, "devices/b/port", 0x70); /* no class: not a device */
  BwPlatformOptions options = { .ram_size = 16 << 20, .clock_mode = BW_CLOCK_MANUAL,
                                .config = config };
  g_autoptr (BwPlatform) p = bw_platform_new (&options, NULL);
  ck_assert (bw_platform_add_configured_devices (p, NULL));
  ck_assert (bw_platform_realize (p, NULL));
  ck_assert_uint_eq (bw_platform_get_devices (p)->len, 2);
  ck_assert_ptr_null (bw_platform_find_device (p, "b"));
  bw_io_bus_write (bw_platform_get_pio (p), 0x60, 1, 0x5a);
  ck_assert_uint_eq (bw_io_bus_read (bw_platform_get_pio (p), 0x60, 1), 0x5a);

  g_autoptr (GError) error = NULL;
  bw_config_set_string (config, "devices/c/class", "no-such-class");
  ck_assert (!bw_platform_add_configured_devices (p, &error));
  ck_assert (g_error_matches (error, BW_DEVICE_ERROR, BW_DEVICE_ERROR_UNKNOWN_CLASS));
}
END_TEST

typedef struct
{
  BwPlatformRequest request;
  char *reason;
} Req;

static void
on_request (void *user_data, BwPlatformRequest request, const char *reason)
{
  Req *r = user_data;
  r->request = request;
  g_free (r->reason);
  r->reason = g_strdup (reason);
}

START_TEST (test_requests)
{
  g_autoptr (BwPlatform) p = bw_platform_new_test (16);
  BwDevice *dev = bw_platform_create_device (p, "test-core", "core", NULL, NULL);
  Req r = { 0 };
  bw_platform_set_request_func (p, on_request, &r);
  bw_device_request_reset (dev, "port 92h bit 0");
  ck_assert_int_eq (r.request, BW_PLATFORM_REQUEST_RESET);
  ck_assert_str_eq (r.reason, "core: port 92h bit 0");
  bw_device_request_poweroff (dev, "debug exit");
  ck_assert_int_eq (r.request, BW_PLATFORM_REQUEST_POWEROFF);
  g_free (r.reason);
  ck_assert_ptr_eq (bw_device_find (dev, "core"), dev);
  ck_assert_ptr_eq (bw_device_get_memory (dev), bw_platform_get_memory (p));
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("platform");
  TCase *tc = tcase_create ("core");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_registry);
  tcase_add_test (tc, test_realize_order_and_errors);
  tcase_add_test (tc, test_ports_timers_irqs);
  tcase_add_test (tc, test_saved_state);
  tcase_add_test (tc, test_requests);
  tcase_add_test (tc, test_configured_devices);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
