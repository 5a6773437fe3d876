/* bw-io-bus.h: port-I/O and MMIO dispatch.
 *
 * A bus is an ordered map of non-overlapping address ranges; registering a
 * range that overlaps another fails. A device's handler sees the offset
 * from the start of its range, never the absolute address.
 *
 * Values travel as little-endian integers in a guint64: on a write *data
 * holds the value in its low `size` bytes, on a read the handler stores the
 * value there (the bus clears *data first and masks the result to size).
 *
 * Access policy, applied by bw_io_bus_access() before a handler is called:
 *  - Sizes are 1, 2, 4 or 8 bytes.
 *  - An access that is not wholly inside one range is split at range
 *    boundaries; each piece is dispatched on its own (bytes that belong to
 *    no range are unhandled).
 *  - An access wider than ops->max_access is split into max_access-sized
 *    pieces, lowest address first, and the results are joined
 *    little-endian.
 *  - A read narrower than ops->min_access is widened: the naturally aligned
 *    min_access-sized unit around it is read and the wanted bytes are
 *    extracted. A write narrower than min_access is not widened (that would
 *    write bytes the guest did not write): it is reported as unhandled.
 *  - With ops->aligned set, an unaligned access is split into naturally
 *    aligned pieces; otherwise the handler gets it as it is.
 *  - Unhandled accesses (no range, or a size the range refuses) are
 *    reported once per address through the bus's report function (normally
 *    the VM log); reads return all ones, writes are dropped.
 *
 * Locking: a bus is not thread-safe by itself. The platform serializes all
 * device work under its lock (see bw-platform.h); register, unregister and
 * access are called with that lock held. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BW_IO_BUS_ERROR (bw_io_bus_error_quark ())
GQuark bw_io_bus_error_quark (void);

typedef enum
{
  BW_IO_BUS_ERROR_OVERLAP, /* the range overlaps a registered one */
  BW_IO_BUS_ERROR_INVALID, /* empty range, wraps around, bad access sizes */
  BW_IO_BUS_ERROR_NOT_FOUND,
} BwIoBusError;

typedef struct _BwIoBus BwIoBus;

/* offset: from the start of the range. size: 1, 2, 4 or 8. */
typedef void (*BwIoHandler) (void *opaque, guint64 offset, guint64 *data, guint size,
                             gboolean is_write);

typedef struct
{
  BwIoHandler handler;
  guint min_access; /* smallest size the handler takes (0 means 1) */
  guint max_access; /* largest size the handler takes (0 means 4) */
  gboolean aligned; /* split unaligned accesses into aligned pieces */
} BwIoOps;

/* Called for an unhandled access the first time its address is seen. */
typedef void (*BwIoReportFunc) (void *user_data, BwIoBus *bus, guint64 addr, guint size,
                                gboolean is_write, guint64 value);
/* Called after a range was added or removed (the memory map listens to the
 * MMIO bus to keep its flat view up to date). */
typedef void (*BwIoChangeFunc) (void *user_data, BwIoBus *bus);

/* name: "pio" or "mmio", used in reports. addr_limit: highest valid
 * address + 1 (0x10000 for ports, 0 for the whole 64-bit space). */
BwIoBus *bw_io_bus_new (const char *name, guint64 addr_limit);
void bw_io_bus_free (BwIoBus *bus);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwIoBus, bw_io_bus_free)

const char *bw_io_bus_get_name (BwIoBus *bus);

/* Claims [base, base+length). name names the owner in reports and the
 * range listing. ops must outlive the registration. */
gboolean bw_io_bus_register (BwIoBus *bus, const char *name, guint64 base, guint64 length,
                             const BwIoOps *ops, void *opaque, GError **error);
/* Releases the range that starts at base and was registered with opaque. */
gboolean bw_io_bus_unregister (BwIoBus *bus, guint64 base, void *opaque, GError **error);
/* Releases every range registered with opaque (device teardown). */
guint bw_io_bus_unregister_all (BwIoBus *bus, void *opaque);

/* Dispatches one access by the policy above. size: 1, 2, 4 or 8 (other
 * sizes read all ones and are reported). */
void bw_io_bus_access (BwIoBus *bus, guint64 addr, guint64 *data, guint size, gboolean is_write);

/* Convenience wrappers around bw_io_bus_access(). */
guint64 bw_io_bus_read (BwIoBus *bus, guint64 addr, guint size);
void bw_io_bus_write (BwIoBus *bus, guint64 addr, guint size, guint64 value);

/* Whether any range covers addr; with found_base/found_length the range. */
gboolean bw_io_bus_lookup (BwIoBus *bus, guint64 addr, guint64 *found_base,
                           guint64 *found_length, const char **found_name);
/* Whether any range intersects [addr, addr+length). */
gboolean bw_io_bus_intersects (BwIoBus *bus, guint64 addr, guint64 length);

/* Calls func for each range in address order. */
typedef void (*BwIoRangeFunc) (void *user_data, const char *name, guint64 base, guint64 length);
void bw_io_bus_foreach (BwIoBus *bus, BwIoRangeFunc func, void *user_data);

void bw_io_bus_set_report_func (BwIoBus *bus, BwIoReportFunc func, void *user_data);
void bw_io_bus_add_change_func (BwIoBus *bus, BwIoChangeFunc func, void *user_data);
void bw_io_bus_remove_change_func (BwIoBus *bus, BwIoChangeFunc func, void *user_data);

/* Number of unhandled accesses seen so far (all of them, not only the
 * reported first ones). */
guint64 bw_io_bus_get_unhandled_count (BwIoBus *bus);

G_END_DECLS
