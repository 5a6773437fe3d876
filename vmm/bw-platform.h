/* bw-platform.h: the board the devices sit on.
 *
 * A platform owns the port-I/O bus, the MMIO bus, the guest memory map, the
 * interrupt router, the virtual clock, the devices and the lock that
 * serializes all device work (the vCPU threads' port and MMIO accesses,
 * timer callbacks, back-end events from the GLib main context). It knows
 * nothing about CPUs: a CPU backend uses the entry points below, and the
 * VM (bw-vm.h) ties platform and vCPUs together.
 *
 * Tests build a platform on a manual clock with bw_platform_new_test(),
 * add devices and drive them through bw_io_bus_read()/write() on
 * bw_platform_get_pio() and bw_clock_step() on bw_platform_get_clock(). */
#pragma once

#include <glib.h>
#include "vmm/bw-device.h"
#include "vmm/bw-clock.h"
#include "vmm/bw-log.h"

G_BEGIN_DECLS

typedef enum
{
  BW_PLATFORM_REQUEST_RESET,    /* a device asked for a hardware reset */
  BW_PLATFORM_REQUEST_POWEROFF, /* a device asked to power off (ACPI, debug exit) */
  BW_PLATFORM_REQUEST_SHUTDOWN, /* the CPU shut down (triple fault) */
} BwPlatformRequest;

typedef void (*BwPlatformRequestFunc) (void *user_data, BwPlatformRequest request,
                                       const char *reason);

typedef struct
{
  guint64 ram_size;       /* bytes, multiple of 1 MiB */
  BwClockMode clock_mode;
  BwLog *log;             /* borrowed; NULL: a memory log owned by the platform */
  BwConfig *config;       /* borrowed root; NULL: an empty tree owned by the platform */
} BwPlatformOptions;

BwPlatform *bw_platform_new (const BwPlatformOptions *options, GError **error);
/* Manual clock, memory log, empty config, ram_mb MiB of RAM. */
BwPlatform *bw_platform_new_test (guint ram_mb);
/* Unrealizes and frees the devices, then everything else. */
void bw_platform_free (BwPlatform *platform);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwPlatform, bw_platform_free)

BwIoBus *bw_platform_get_pio (BwPlatform *platform);
BwIoBus *bw_platform_get_mmio (BwPlatform *platform);
BwMemory *bw_platform_get_memory (BwPlatform *platform);
BwIrqRouter *bw_platform_get_irq_router (BwPlatform *platform);
BwClock *bw_platform_get_clock (BwPlatform *platform);
BwLog *bw_platform_get_log (BwPlatform *platform);
BwConfig *bw_platform_get_config (BwPlatform *platform);

/* The big lock (recursive). Device handlers and timer callbacks already
 * run under it; back-end code on the main context takes it before it
 * touches a device. */
void bw_platform_lock (BwPlatform *platform);
void bw_platform_unlock (BwPlatform *platform);
GRecMutex *bw_platform_get_lock (BwPlatform *platform);

/* Devices. id must be unique, made of ASCII letters, digits, '-' and
 * '_'; config may be NULL (the node
 * "devices/<id>" of the platform's tree is used, created if missing). */
BwDevice *bw_platform_add_device (BwPlatform *platform, const char *class_name, const char *id,
                                  BwConfig *config, GError **error);
/* Adds a device for every node under "devices" of the platform's
 * configuration that has a string "class" (the node's name is the id, the
 * node its configuration), in the order of the tree. Nodes without a
 * class are left alone. */
gboolean bw_platform_add_configured_devices (BwPlatform *platform, GError **error);
/* Realizes every device not yet realized, in priority order, then resets
 * them. On failure the error names the device. */
gboolean bw_platform_realize (BwPlatform *platform, GError **error);
/* add + realize + reset in one step (tests). */
BwDevice *bw_platform_create_device (BwPlatform *platform, const char *class_name,
                                     const char *id, BwConfig *config, GError **error);
BwDevice *bw_platform_find_device (BwPlatform *platform, const char *id);
/* Realized devices in priority order. The array belongs to the platform. */
GPtrArray *bw_platform_get_devices (BwPlatform *platform);

/* Hardware reset of the board: PAM back to PCI, A20 on, every device's
 * reset in priority order. Takes the lock. */
void bw_platform_reset (BwPlatform *platform);

/* Saved state of every realized device with a description:
 *   "BWDS" magic, u32 count, then per device:
 *   u8 id length, id, u32 section length, the section (bw-vmstate.h).
 * Loading requires the same set of devices; it rejects truncated input,
 * unknown ids and missing ones. Takes the lock. */
void bw_platform_save_state (BwPlatform *platform, GByteArray *out);
gboolean bw_platform_load_state (BwPlatform *platform, const guint8 *data, gsize len,
                                 GError **error);

/* Entry points for CPU backends (take the lock). */
void bw_platform_pio (BwPlatform *platform, guint16 port, guint64 *data, guint size,
                      gboolean is_write);
void bw_platform_mmio (BwPlatform *platform, guint64 gpa, guint64 *data, guint size,
                       gboolean is_write);
guint8 bw_platform_irq_acknowledge (BwPlatform *platform);
/* Fires expired timers (takes the lock); returns the next deadline. */
gint64 bw_platform_run_timers (BwPlatform *platform);

/* Host-clock platforms: a thread that sleeps until the clock's deadline
 * and fires timers. Started by the VM when it runs; idempotent. */
void bw_platform_start_timer_thread (BwPlatform *platform);
void bw_platform_stop_timer_thread (BwPlatform *platform);

/* Requests go to the VM. Without a handler they are logged only. */
void bw_platform_set_request_func (BwPlatform *platform, BwPlatformRequestFunc func,
                                   void *user_data);
void bw_platform_request (BwPlatform *platform, BwPlatformRequest request, const char *reason);

/* The GLib main context device back ends attach their sources to (default:
 * the global default context). */
GMainContext *bw_platform_get_main_context (BwPlatform *platform);
void bw_platform_set_main_context (BwPlatform *platform, GMainContext *context);

G_END_DECLS
