/* bw-device.c: the device class registry and the helpers devices use
 * during realize and in their handlers. */
#include "config.h"

#include <string.h>
#include "vmm/bw-device-private.h"
#include "vmm/bw-platform.h"

G_DEFINE_QUARK (bw-device-error-quark, bw_device_error)

static GMutex classes_mutex;
static GPtrArray *classes; /* const BwDeviceClass * */

void
bw_device_class_register (const BwDeviceClass *klass)
{
  g_return_if_fail (klass != NULL && klass->name != NULL);
  g_return_if_fail (klass->instance_size >= sizeof (BwDevice));
  g_mutex_lock (&classes_mutex);
  if (!classes)
    classes = g_ptr_array_new ();
  gboolean duplicate = FALSE;
  for (guint i = 0; i < classes->len; i++)
    {
      const BwDeviceClass *c = g_ptr_array_index (classes, i);
      if (c == klass)
        duplicate = TRUE; /* registered twice (linked twice): harmless */
      else if (strcmp (c->name, klass->name) == 0)
        {
          g_mutex_unlock (&classes_mutex);
          g_error ("Two device classes are named “%s”", klass->name);
        }
    }
  if (!duplicate)
    g_ptr_array_add (classes, (gpointer) klass);
  g_mutex_unlock (&classes_mutex);
}

const BwDeviceClass *
bw_device_class_find (const char *name)
{
  const BwDeviceClass *found = NULL;
  g_mutex_lock (&classes_mutex);
  for (guint i = 0; classes && i < classes->len; i++)
    {
      const BwDeviceClass *c = g_ptr_array_index (classes, i);
      if (strcmp (c->name, name) == 0)
        found = c;
    }
  g_mutex_unlock (&classes_mutex);
  return found;
}

static gint
class_compare (gconstpointer a, gconstpointer b)
{
  const BwDeviceClass *x = *(const BwDeviceClass *const *) a;
  const BwDeviceClass *y = *(const BwDeviceClass *const *) b;
  if (x->priority != y->priority)
    return x->priority < y->priority ? -1 : 1;
  return strcmp (x->name, y->name);
}

GPtrArray *
bw_device_class_list (void)
{
  GPtrArray *list = g_ptr_array_new ();
  g_mutex_lock (&classes_mutex);
  for (guint i = 0; classes && i < classes->len; i++)
    g_ptr_array_add (list, g_ptr_array_index (classes, i));
  g_mutex_unlock (&classes_mutex);
  g_ptr_array_sort (list, class_compare);
  return list;
}

/* Instances. */

BwDevice *
bw_device_instance_new (const BwDeviceClass *klass, BwPlatform *platform, const char *id,
                        BwConfig *config, guint order)
{
  BwDevice *dev = g_malloc0 (klass->instance_size);
  dev->klass = klass;
  dev->id = g_strdup (id);
  dev->platform = platform;
  dev->config = config;
  dev->priv = g_new0 (BwDevicePrivate, 1);
  dev->priv->order = order;
  dev->priv->timers = g_ptr_array_new_with_free_func ((GDestroyNotify) bw_timer_free);
  dev->priv->irqs = g_ptr_array_new ();
  dev->priv->opaques = g_ptr_array_new ();
  g_ptr_array_add (dev->priv->opaques, dev);
  return dev;
}

void
bw_device_instance_free (BwDevice *dev)
{
  if (!dev)
    return;
  if (dev->realized)
    {
      if (dev->klass->unrealize)
        dev->klass->unrealize (dev);
      /* Release what the helpers took, whatever opaque it was taken with. */
      for (guint i = 0; i < dev->priv->opaques->len; i++)
        {
          void *opaque = g_ptr_array_index (dev->priv->opaques, i);
          bw_io_bus_unregister_all (bw_platform_get_pio (dev->platform), opaque);
          bw_io_bus_unregister_all (bw_platform_get_mmio (dev->platform), opaque);
        }
      dev->realized = FALSE;
    }
  for (guint i = 0; i < dev->priv->irqs->len; i++)
    bw_irq_line_free (g_ptr_array_index (dev->priv->irqs, i));
  g_ptr_array_unref (dev->priv->irqs);
  g_ptr_array_unref (dev->priv->timers);
  g_ptr_array_unref (dev->priv->opaques);
  g_free (dev->priv);
  g_free (dev->id);
  g_free (dev);
}

static void
remember_opaque (BwDevice *dev, void *opaque)
{
  if (!g_ptr_array_find (dev->priv->opaques, opaque, NULL))
    g_ptr_array_add (dev->priv->opaques, opaque);
}

gboolean
bw_device_register_pio (BwDevice *dev, guint16 base, guint16 length, const BwIoOps *ops,
                        void *opaque, GError **error)
{
  if (!bw_io_bus_register (bw_platform_get_pio (dev->platform), dev->id, base, length, ops, opaque,
                           error))
    return FALSE;
  remember_opaque (dev, opaque);
  return TRUE;
}

gboolean
bw_device_register_mmio (BwDevice *dev, guint64 base, guint64 length, const BwIoOps *ops,
                         void *opaque, GError **error)
{
  if (!bw_io_bus_register (bw_platform_get_mmio (dev->platform), dev->id, base, length, ops,
                           opaque, error))
    return FALSE;
  remember_opaque (dev, opaque);
  return TRUE;
}

gboolean
bw_device_unregister_mmio (BwDevice *dev, guint64 base, void *opaque, GError **error)
{
  return bw_io_bus_unregister (bw_platform_get_mmio (dev->platform), base, opaque, error);
}

BwIrqLine *
bw_device_get_irq (BwDevice *dev, guint gsi)
{
  BwIrqLine *line = bw_irq_router_get_source (bw_platform_get_irq_router (dev->platform), gsi,
                                              dev->id);
  if (line)
    g_ptr_array_add (dev->priv->irqs, line);
  return line;
}

BwTimer *
bw_device_new_timer (BwDevice *dev, BwTimerFunc func, void *opaque)
{
  BwTimer *timer = bw_timer_new (bw_platform_get_clock (dev->platform), func, opaque);
  g_ptr_array_add (dev->priv->timers, timer);
  return timer;
}

gint64
bw_device_now (BwDevice *dev)
{
  return bw_clock_now (bw_platform_get_clock (dev->platform));
}

BwMemory *
bw_device_get_memory (BwDevice *dev)
{
  return bw_platform_get_memory (dev->platform);
}

BwIrqRouter *
bw_device_get_irq_router (BwDevice *dev)
{
  return bw_platform_get_irq_router (dev->platform);
}

BwDevice *
bw_device_find (BwDevice *dev, const char *id)
{
  return bw_platform_find_device (dev->platform, id);
}

void
bw_device_log (BwDevice *dev, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  bw_log_vprintf (bw_platform_get_log (dev->platform), dev->id, format, args);
  va_end (args);
}

void
bw_device_guest_error (BwDevice *dev, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  bw_log_guest_error (bw_platform_get_log (dev->platform), dev->id, "%s", message);
}

void
bw_device_request_reset (BwDevice *dev, const char *reason)
{
  g_autofree char *why = g_strdup_printf ("%s: %s", dev->id, reason);
  bw_platform_request (dev->platform, BW_PLATFORM_REQUEST_RESET, why);
}

void
bw_device_request_poweroff (BwDevice *dev, const char *reason)
{
  g_autofree char *why = g_strdup_printf ("%s: %s", dev->id, reason);
  bw_platform_request (dev->platform, BW_PLATFORM_REQUEST_POWEROFF, why);
}
