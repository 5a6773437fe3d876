/* bw-platform.c: the board: buses, memory, interrupt router, clock,
 * devices, the big lock and the timer thread. */
#include "config.h"

#include <string.h>
#include "vmm/bw-device-private.h"
#include "vmm/bw-platform.h"

struct _BwPlatform
{
  GRecMutex lock;
  BwIoBus *pio;
  BwIoBus *mmio;
  BwMemory *memory;
  BwIrqRouter *irq;
  BwClock *clock;
  BwLog *log;
  gboolean own_log;
  BwConfig *config;
  gboolean own_config;
  GPtrArray *devices; /* BwDevice, in the order added */
  GPtrArray *ordered; /* realized devices in priority order */
  guint next_order;
  BwPlatformRequestFunc request_func;
  void *request_data;
  GMainContext *context;

  /* Timer thread. */
  GThread *timer_thread;
  GMutex timer_mutex;
  GCond timer_cond;
  gboolean timer_stop;
  gboolean timer_wake;
};

static void
report_io (void *user_data, BwIoBus *bus, guint64 addr, guint size, gboolean is_write,
           guint64 value)
{
  BwPlatform *platform = user_data;
  if (is_write)
    bw_log_guest_error (platform->log, bw_io_bus_get_name (bus),
                        "write of %#" G_GINT64_MODIFIER "x (%u bytes) to unclaimed %#"
                        G_GINT64_MODIFIER "x",
                        value, size, addr);
  else
    bw_log_guest_error (platform->log, bw_io_bus_get_name (bus),
                        "read (%u bytes) from unclaimed %#" G_GINT64_MODIFIER "x", size, addr);
}

static void
report_memory (void *user_data, guint64 gpa, guint size, gboolean is_write)
{
  BwPlatform *platform = user_data;
  bw_log_guest_error (platform->log, "memory",
                      "%s (%u bytes) at %#" G_GINT64_MODIFIER "x: no RAM, ROM or device there",
                      is_write ? "write" : "read", size, gpa);
}

static void
clock_deadline_moved (void *user_data, gint64 deadline)
{
  BwPlatform *platform = user_data;
  g_mutex_lock (&platform->timer_mutex);
  platform->timer_wake = TRUE;
  g_cond_signal (&platform->timer_cond);
  g_mutex_unlock (&platform->timer_mutex);
}

BwPlatform *
bw_platform_new (const BwPlatformOptions *options, GError **error)
{
  g_autoptr (BwIoBus) mmio = bw_io_bus_new ("mmio", 0);
  BwMemory *memory = bw_memory_new (options->ram_size, mmio, error);
  if (!memory)
    return NULL;

  BwPlatform *platform = g_new0 (BwPlatform, 1);
  g_rec_mutex_init (&platform->lock);
  platform->pio = bw_io_bus_new ("pio", 0x10000);
  platform->mmio = g_steal_pointer (&mmio);
  platform->memory = memory;
  platform->irq = bw_irq_router_new (&platform->lock);
  platform->clock = bw_clock_new (options->clock_mode);
  platform->log = options->log;
  if (!platform->log)
    {
      platform->log = bw_log_new_memory ();
      platform->own_log = TRUE;
    }
  platform->config = options->config;
  if (!platform->config)
    {
      platform->config = bw_config_new ();
      platform->own_config = TRUE;
    }
  platform->devices = g_ptr_array_new ();
  platform->ordered = g_ptr_array_new ();
  g_mutex_init (&platform->timer_mutex);
  g_cond_init (&platform->timer_cond);
  bw_io_bus_set_report_func (platform->pio, report_io, platform);
  bw_io_bus_set_report_func (platform->mmio, report_io, platform);
  bw_memory_set_report_func (platform->memory, report_memory, platform);
  bw_clock_set_deadline_func (platform->clock, clock_deadline_moved, platform);
  return platform;
}

BwPlatform *
bw_platform_new_test (guint ram_mb)
{
  BwPlatformOptions options = { .ram_size = (guint64) ram_mb << 20,
                                .clock_mode = BW_CLOCK_MANUAL };
  g_autoptr (GError) error = NULL;
  BwPlatform *platform = bw_platform_new (&options, &error);
  if (!platform)
    g_error ("Cannot create a test platform: %s", error->message);
  return platform;
}

void
bw_platform_free (BwPlatform *platform)
{
  if (!platform)
    return;
  bw_platform_stop_timer_thread (platform);
  g_rec_mutex_lock (&platform->lock);
  /* Unrealize in reverse priority order, then the unrealized ones. */
  for (guint i = platform->ordered->len; i-- > 0;)
    {
      BwDevice *dev = g_ptr_array_index (platform->ordered, i);
      g_ptr_array_remove (platform->devices, dev);
      bw_device_instance_free (dev);
    }
  for (guint i = platform->devices->len; i-- > 0;)
    bw_device_instance_free (g_ptr_array_index (platform->devices, i));
  g_rec_mutex_unlock (&platform->lock);
  g_ptr_array_unref (platform->ordered);
  g_ptr_array_unref (platform->devices);
  bw_irq_router_free (platform->irq);
  bw_memory_free (platform->memory);
  bw_io_bus_free (platform->mmio);
  bw_io_bus_free (platform->pio);
  bw_clock_free (platform->clock);
  if (platform->own_log)
    bw_log_close (platform->log);
  if (platform->own_config)
    bw_config_free (platform->config);
  if (platform->context)
    g_main_context_unref (platform->context);
  g_mutex_clear (&platform->timer_mutex);
  g_cond_clear (&platform->timer_cond);
  g_rec_mutex_clear (&platform->lock);
  g_free (platform);
}

BwIoBus *
bw_platform_get_pio (BwPlatform *platform)
{
  return platform->pio;
}

BwIoBus *
bw_platform_get_mmio (BwPlatform *platform)
{
  return platform->mmio;
}

BwMemory *
bw_platform_get_memory (BwPlatform *platform)
{
  return platform->memory;
}

BwIrqRouter *
bw_platform_get_irq_router (BwPlatform *platform)
{
  return platform->irq;
}

BwClock *
bw_platform_get_clock (BwPlatform *platform)
{
  return platform->clock;
}

BwLog *
bw_platform_get_log (BwPlatform *platform)
{
  return platform->log;
}

BwConfig *
bw_platform_get_config (BwPlatform *platform)
{
  return platform->config;
}

void
bw_platform_lock (BwPlatform *platform)
{
  g_rec_mutex_lock (&platform->lock);
}

void
bw_platform_unlock (BwPlatform *platform)
{
  g_rec_mutex_unlock (&platform->lock);
}

GRecMutex *
bw_platform_get_lock (BwPlatform *platform)
{
  return &platform->lock;
}

/* Devices. */

BwDevice *
bw_platform_add_device (BwPlatform *platform, const char *class_name, const char *id,
                        BwConfig *config, GError **error)
{
  const BwDeviceClass *klass = bw_device_class_find (class_name);
  if (!klass)
    {
      g_set_error (error, BW_DEVICE_ERROR, BW_DEVICE_ERROR_UNKNOWN_CLASS,
                   "No device class “%s” (is its library linked with link_whole?)", class_name);
      return NULL;
    }
  gboolean valid = id && *id && strlen (id) <= 255;
  for (const char *c = id; valid && *c; c++)
    valid = g_ascii_isalnum (*c) || *c == '-' || *c == '_';
  if (!valid || bw_platform_find_device (platform, id))
    {
      g_set_error (error, BW_DEVICE_ERROR, BW_DEVICE_ERROR_DUPLICATE_ID,
                   "Device id “%s” is empty, too long, not made of letters, digits, '-' and "
                   "'_', or already taken",
                   id ? id : "");
      return NULL;
    }
  if (!config)
    {
      g_autofree char *path = g_strconcat ("devices/", id, NULL);
      config = bw_config_ensure_child (platform->config, path);
    }
  BwDevice *dev = bw_device_instance_new (klass, platform, id, config, platform->next_order++);
  g_ptr_array_add (platform->devices, dev);
  return dev;
}

gboolean
bw_platform_add_configured_devices (BwPlatform *platform, GError **error)
{
  BwConfig *devices = bw_config_get_child (platform->config, "devices");
  for (GList *l = devices ? bw_config_get_children (devices) : NULL; l; l = l->next)
    {
      BwConfig *node = l->data;
      if (bw_config_get_type (node, "class") != BW_CONFIG_TYPE_STRING)
        continue;
      const char *klass = bw_config_get_string_default (node, "class", NULL);
      if (bw_platform_find_device (platform, bw_config_get_name (node)))
        continue; /* added by the caller already */
      if (!bw_platform_add_device (platform, klass, bw_config_get_name (node), node, error))
        return FALSE;
      bw_log_printf (platform->log, "VMM", "Device %s: %s", bw_config_get_name (node), klass);
    }
  return TRUE;
}

static gint
device_compare (gconstpointer a, gconstpointer b)
{
  const BwDevice *x = *(BwDevice *const *) a, *y = *(BwDevice *const *) b;
  if (x->klass->priority != y->klass->priority)
    return x->klass->priority < y->klass->priority ? -1 : 1;
  return x->priv->order < y->priv->order ? -1 : (x->priv->order > y->priv->order);
}

gboolean
bw_platform_realize (BwPlatform *platform, GError **error)
{
  g_autoptr (GPtrArray) pending = g_ptr_array_new ();
  gboolean ok = TRUE;

  g_rec_mutex_lock (&platform->lock);
  for (guint i = 0; i < platform->devices->len; i++)
    {
      BwDevice *dev = g_ptr_array_index (platform->devices, i);
      if (!dev->realized)
        g_ptr_array_add (pending, dev);
    }
  g_ptr_array_sort (pending, device_compare);
  for (guint i = 0; i < pending->len && ok; i++)
    {
      BwDevice *dev = g_ptr_array_index (pending, i);
      GError *local = NULL;
      /* Realized before the call so that a failing realize is unrealized
       * (and its ranges released) when the platform goes. */
      dev->realized = TRUE;
      g_ptr_array_add (platform->ordered, dev);
      if (dev->klass->realize && !dev->klass->realize (dev, &local))
        {
          if (local)
            g_propagate_prefixed_error (error, local, "Device “%s” (%s): ", dev->id,
                                        dev->klass->name);
          else
            g_set_error (error, BW_DEVICE_ERROR, BW_DEVICE_ERROR_REALIZE,
                         "Device “%s” (%s) failed to start", dev->id, dev->klass->name);
          ok = FALSE;
        }
    }
  g_ptr_array_sort (platform->ordered, device_compare);
  if (ok)
    for (guint i = 0; i < pending->len; i++)
      {
        BwDevice *dev = g_ptr_array_index (pending, i);
        if (dev->klass->reset)
          dev->klass->reset (dev);
      }
  g_rec_mutex_unlock (&platform->lock);
  return ok;
}

BwDevice *
bw_platform_create_device (BwPlatform *platform, const char *class_name, const char *id,
                           BwConfig *config, GError **error)
{
  BwDevice *dev = bw_platform_add_device (platform, class_name, id, config, error);
  if (!dev || !bw_platform_realize (platform, error))
    return NULL;
  return dev;
}

BwDevice *
bw_platform_find_device (BwPlatform *platform, const char *id)
{
  for (guint i = 0; i < platform->devices->len; i++)
    {
      BwDevice *dev = g_ptr_array_index (platform->devices, i);
      if (strcmp (dev->id, id) == 0)
        return dev;
    }
  return NULL;
}

GPtrArray *
bw_platform_get_devices (BwPlatform *platform)
{
  return platform->ordered;
}

void
bw_platform_reset (BwPlatform *platform)
{
  g_rec_mutex_lock (&platform->lock);
  bw_memory_reset_pam (platform->memory);
  bw_irq_router_set_cpu_line (platform->irq, BW_CPU_LINE_A20, TRUE);
  for (guint i = 0; i < platform->ordered->len; i++)
    {
      BwDevice *dev = g_ptr_array_index (platform->ordered, i);
      if (dev->klass->reset)
        dev->klass->reset (dev);
    }
  g_rec_mutex_unlock (&platform->lock);
}

/* Saved state. */

static void
put_u32 (GByteArray *out, guint32 v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };
  g_byte_array_append (out, b, 4);
}

static guint32
get_u32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

void
bw_platform_save_state (BwPlatform *platform, GByteArray *out)
{
  g_rec_mutex_lock (&platform->lock);
  guint count = 0;
  for (guint i = 0; i < platform->ordered->len; i++)
    count += ((BwDevice *) g_ptr_array_index (platform->ordered, i))->klass->vmstate != NULL;
  g_byte_array_append (out, (const guint8 *) "BWDS", 4);
  put_u32 (out, count);
  for (guint i = 0; i < platform->ordered->len; i++)
    {
      BwDevice *dev = g_ptr_array_index (platform->ordered, i);
      if (!dev->klass->vmstate)
        continue;
      guint8 id_len = (guint8) strlen (dev->id);
      g_byte_array_append (out, &id_len, 1);
      g_byte_array_append (out, (const guint8 *) dev->id, id_len);
      guint at = out->len;
      put_u32 (out, 0);
      bw_vmstate_save (dev->klass->vmstate, dev, out);
      guint32 len = out->len - at - 4;
      guint8 *p = out->data + at;
      p[0] = len >> 24, p[1] = len >> 16, p[2] = len >> 8, p[3] = len;
    }
  g_rec_mutex_unlock (&platform->lock);
}

static gboolean
truncated (GError **error, const char *what)
{
  g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_TRUNCATED,
               "Saved device state ends early (in %s)", what);
  return FALSE;
}

gboolean
bw_platform_load_state (BwPlatform *platform, const guint8 *data, gsize len, GError **error)
{
  gsize pos = 8;
  gboolean ok = TRUE;

  if (len < 8)
    return truncated (error, "the header");
  if (memcmp (data, "BWDS", 4) != 0)
    {
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                   "Saved device state does not start with BWDS");
      return FALSE;
    }
  guint32 count = get_u32 (data + 4);
  g_autoptr (GHashTable) loaded = g_hash_table_new (NULL, NULL);

  g_rec_mutex_lock (&platform->lock);
  for (guint32 n = 0; n < count && ok; n++)
    {
      if (len - pos < 1 || len - pos - 1 < data[pos] + 4u)
        {
          ok = truncated (error, "a device header");
          break;
        }
      g_autofree char *id = g_strndup ((const char *) data + pos + 1, data[pos]);
      pos += 1 + data[pos];
      guint32 section_len = get_u32 (data + pos);
      pos += 4;
      if (len - pos < section_len)
        {
          ok = truncated (error, id);
          break;
        }
      BwDevice *dev = bw_platform_find_device (platform, id);
      if (!dev || !dev->realized || !dev->klass->vmstate
          || g_hash_table_contains (loaded, dev))
        {
          g_set_error (error, BW_DEVICE_ERROR, BW_DEVICE_ERROR_STATE,
                       "Saved state holds device “%s”, which this machine does not have (or "
                       "holds it twice)",
                       id);
          ok = FALSE;
          break;
        }
      GError *local = NULL;
      if (!bw_vmstate_load_exact (dev->klass->vmstate, dev, data + pos, section_len, &local))
        {
          g_propagate_prefixed_error (error, local, "Device “%s”: ", id);
          ok = FALSE;
          break;
        }
      g_hash_table_add (loaded, dev);
      pos += section_len;
    }
  if (ok && pos != len)
    {
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                   "Saved device state has %" G_GSIZE_FORMAT " bytes after the last device",
                   len - pos);
      ok = FALSE;
    }
  for (guint i = 0; ok && i < platform->ordered->len; i++)
    {
      BwDevice *dev = g_ptr_array_index (platform->ordered, i);
      if (dev->klass->vmstate && !g_hash_table_contains (loaded, dev))
        {
          g_set_error (error, BW_DEVICE_ERROR, BW_DEVICE_ERROR_STATE,
                       "Saved state lacks device “%s”", dev->id);
          ok = FALSE;
        }
    }
  g_rec_mutex_unlock (&platform->lock);
  return ok;
}

/* CPU entry points. */

void
bw_platform_pio (BwPlatform *platform, guint16 port, guint64 *data, guint size, gboolean is_write)
{
  g_rec_mutex_lock (&platform->lock);
  bw_io_bus_access (platform->pio, port, data, size, is_write);
  g_rec_mutex_unlock (&platform->lock);
}

void
bw_platform_mmio (BwPlatform *platform, guint64 gpa, guint64 *data, guint size, gboolean is_write)
{
  g_rec_mutex_lock (&platform->lock);
  bw_memory_access (platform->memory, gpa, data, size, is_write);
  g_rec_mutex_unlock (&platform->lock);
}

guint8
bw_platform_irq_acknowledge (BwPlatform *platform)
{
  return bw_irq_router_acknowledge (platform->irq);
}

gint64
bw_platform_run_timers (BwPlatform *platform)
{
  g_rec_mutex_lock (&platform->lock);
  gint64 deadline = bw_clock_run_timers (platform->clock);
  g_rec_mutex_unlock (&platform->lock);
  return deadline;
}

/* The timer thread (host clock). */

static gpointer
timer_thread_main (gpointer data)
{
  BwPlatform *platform = data;

  g_mutex_lock (&platform->timer_mutex);
  while (!platform->timer_stop)
    {
      platform->timer_wake = FALSE;
      g_mutex_unlock (&platform->timer_mutex);
      gint64 deadline = bw_platform_run_timers (platform);
      gint64 now = bw_clock_now (platform->clock);
      g_mutex_lock (&platform->timer_mutex);
      if (platform->timer_stop || platform->timer_wake)
        continue;
      if (deadline == BW_CLOCK_NEVER || !bw_clock_is_running (platform->clock))
        g_cond_wait (&platform->timer_cond, &platform->timer_mutex);
      else if (deadline > now)
        {
          /* Microsecond granularity; round up so we do not wake early. */
          gint64 end = g_get_monotonic_time () + (deadline - now + 999) / 1000;
          g_cond_wait_until (&platform->timer_cond, &platform->timer_mutex, end);
        }
    }
  g_mutex_unlock (&platform->timer_mutex);
  return NULL;
}

void
bw_platform_start_timer_thread (BwPlatform *platform)
{
  if (platform->timer_thread || bw_clock_get_mode (platform->clock) != BW_CLOCK_HOST)
    return;
  platform->timer_stop = FALSE;
  platform->timer_thread = g_thread_new ("bw-timers", timer_thread_main, platform);
}

void
bw_platform_stop_timer_thread (BwPlatform *platform)
{
  if (!platform->timer_thread)
    return;
  g_mutex_lock (&platform->timer_mutex);
  platform->timer_stop = TRUE;
  g_cond_signal (&platform->timer_cond);
  g_mutex_unlock (&platform->timer_mutex);
  g_thread_join (platform->timer_thread);
  platform->timer_thread = NULL;
}

/* Requests. */

void
bw_platform_set_request_func (BwPlatform *platform, BwPlatformRequestFunc func, void *user_data)
{
  platform->request_func = func;
  platform->request_data = user_data;
}

void
bw_platform_request (BwPlatform *platform, BwPlatformRequest request, const char *reason)
{
  static const char *const names[] = { "reset", "power off", "shutdown" };
  bw_log_printf (platform->log, "VMM", "Request: %s (%s)", names[request], reason);
  if (platform->request_func)
    platform->request_func (platform->request_data, request, reason);
}

GMainContext *
bw_platform_get_main_context (BwPlatform *platform)
{
  return platform->context ? platform->context : g_main_context_default ();
}

void
bw_platform_set_main_context (BwPlatform *platform, GMainContext *context)
{
  if (context)
    g_main_context_ref (context);
  if (platform->context)
    g_main_context_unref (platform->context);
  platform->context = context;
}
