/* bw-device.h: the device model API.
 *
 * A device is one file: an instance struct that starts with a BwDevice,
 * a BwDeviceClass (name, instance size, realize, reset, saved state), and
 * a BW_DEVICE_REGISTER() line that registers the class when the library
 * loads (a constructor, as kvmtool's init lists). Classes sit on a
 * priority list; the platform realizes and resets its devices in priority
 * order, then in the order they were added.
 *
 *   typedef struct { BwDevice parent; guint8 reg; BwIrqLine *irq; } BwFoo;
 *
 *   static void foo_io (void *opaque, guint64 offset, guint64 *data,
 *                       guint size, gboolean is_write) { ... }
 *   static const BwIoOps foo_ops = { .handler = foo_io, .max_access = 1 };
 *
 *   static gboolean foo_realize (BwDevice *dev, GError **error) {
 *     BwFoo *foo = (BwFoo *) dev;
 *     foo->irq = bw_device_get_irq (dev, 4);
 *     return bw_device_register_pio (dev, 0x3f8, 8, &foo_ops, foo, error);
 *   }
 *   static const BwVmStateField foo_fields[] = {
 *     BW_VMSTATE_U8 (BwFoo, reg), BW_VMSTATE_END_OF_FIELDS };
 *   static const BwVmStateDesc foo_vmstate = {
 *     .name = "foo", .version = 1, .minimum_version = 1, .fields = foo_fields };
 *   static const BwDeviceClass foo_class = {
 *     .name = "foo", .instance_size = sizeof (BwFoo),
 *     .priority = BW_DEVICE_PRIORITY_DEVICE, .realize = foo_realize,
 *     .reset = foo_reset, .vmstate = &foo_vmstate };
 *   BW_DEVICE_REGISTER (foo_class)
 *
 * The vmstate offsets are relative to the instance struct (the device
 * itself is the opaque pointer). Devices see only offsets on a bus, IRQ
 * lines, timers, guest memory for DMA and their config node; they find
 * other devices by id when they must (the PCI host finding PIIX3).
 *
 * Linking: constructors in a static library are dropped when nothing
 * references their object file, so link device libraries with
 * link_whole (libboxwood-vmm does; so must test executables). */
#pragma once

#include <glib.h>
#include "vmm/bw-vmstate.h"
#include "vmm/bw-io-bus.h"
#include "vmm/bw-irq.h"
#include "vmm/bw-timer.h"
#include "vmm/bw-memory.h"
#include "vmm/bw-config.h"

G_BEGIN_DECLS

#define BW_DEVICE_ERROR (bw_device_error_quark ())
GQuark bw_device_error_quark (void);

typedef enum
{
  BW_DEVICE_ERROR_UNKNOWN_CLASS,
  BW_DEVICE_ERROR_DUPLICATE_ID,
  BW_DEVICE_ERROR_REALIZE, /* a realize hook failed without its own error */
  BW_DEVICE_ERROR_STATE,   /* saved state of an unknown or missing device */
} BwDeviceError;

/* Realize/reset order (kvmtool's init levels). */
typedef enum
{
  BW_DEVICE_PRIORITY_CORE = 0,     /* interrupt controllers, host bridge */
  BW_DEVICE_PRIORITY_BASE = 10,    /* bus bridges (PIIX3), timers (PIT, RTC) */
  BW_DEVICE_PRIORITY_DEVICE = 20,  /* ordinary devices */
  BW_DEVICE_PRIORITY_FIRMWARE = 30, /* fw_cfg, ROM loaders: see all devices */
  BW_DEVICE_PRIORITY_LATE = 40,
} BwDevicePriority;

typedef struct _BwDevice BwDevice;
typedef struct _BwPlatform BwPlatform;

typedef struct
{
  const char *name;        /* class name, unique: "uart16550", "pic-i8259" */
  const char *description; /* one line for listings */
  gsize instance_size;     /* >= sizeof (BwDevice) */
  BwDevicePriority priority;
  /* Claims ranges, lines and timers; reads dev->config. */
  gboolean (*realize) (BwDevice *dev, GError **error);
  /* Power-on/hardware reset of the registers (after realize, and on every
   * machine reset). */
  void (*reset) (BwDevice *dev);
  /* Releases what realize took besides bus ranges and IRQ source lines,
   * which the platform releases itself. May be NULL. */
  void (*unrealize) (BwDevice *dev);
  /* Saved state; NULL only for devices without state. */
  const BwVmStateDesc *vmstate;
} BwDeviceClass;

struct _BwDevice
{
  const BwDeviceClass *klass;
  char *id;             /* instance name, unique per platform: "serial0" */
  BwPlatform *platform;
  BwConfig *config;     /* this device's config node (never NULL) */
  gboolean realized;
  /*< private >*/
  struct _BwDevicePrivate *priv;
};

/* Registration (called by BW_DEVICE_REGISTER's constructor). */
void bw_device_class_register (const BwDeviceClass *klass);
const BwDeviceClass *bw_device_class_find (const char *name);
/* Classes in priority order, then by name. */
GPtrArray *bw_device_class_list (void);

#define BW_DEVICE_REGISTER(klass_var)                                                              \
  __attribute__ ((constructor)) static void bw_device_register_##klass_var (void)                 \
  {                                                                                                \
    bw_device_class_register (&(klass_var));                                                       \
  }

/* Helpers for realize and for handlers: thin wrappers over the platform's
 * buses, router, clock and memory that also remember what to release. */
gboolean bw_device_register_pio (BwDevice *dev, guint16 base, guint16 length, const BwIoOps *ops,
                                 void *opaque, GError **error);
gboolean bw_device_register_mmio (BwDevice *dev, guint64 base, guint64 length, const BwIoOps *ops,
                                  void *opaque, GError **error);
gboolean bw_device_unregister_mmio (BwDevice *dev, guint64 base, void *opaque, GError **error);
/* A source line on ISA IRQ / GSI n. */
BwIrqLine *bw_device_get_irq (BwDevice *dev, guint gsi);
/* A timer on the platform clock, freed when the device goes. */
BwTimer *bw_device_new_timer (BwDevice *dev, BwTimerFunc func, void *opaque);
gint64 bw_device_now (BwDevice *dev);
BwMemory *bw_device_get_memory (BwDevice *dev);
BwIrqRouter *bw_device_get_irq_router (BwDevice *dev);
/* Another device on the same platform, or NULL. */
BwDevice *bw_device_find (BwDevice *dev, const char *id);

/* Log lines tagged with the device id. */
void bw_device_log (BwDevice *dev, const char *format, ...) G_GNUC_PRINTF (2, 3);
/* A guest-visible error: the guest did something this model refuses or
 * does not implement (see bw_log_guest_error()). */
void bw_device_guest_error (BwDevice *dev, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Machine-level requests a device may make (port 92h, 0xCF9, i8042). */
void bw_device_request_reset (BwDevice *dev, const char *reason);
void bw_device_request_poweroff (BwDevice *dev, const char *reason);

G_END_DECLS
