/* bw-io-bus.c: ordered range maps for port I/O and MMIO, with the access
 * splitting and widening policy described in bw-io-bus.h. */
#include "config.h"

#include "vmm/bw-io-bus.h"

G_DEFINE_QUARK (bw-io-bus-error-quark, bw_io_bus_error)

/* Distinct unhandled addresses remembered for "report once"; past this a
 * guest scanning the address space is reported once more, then silently
 * counted. */
#define REPORTED_MAX 4096

typedef struct
{
  guint64 base;
  guint64 length;
  char *name;
  const BwIoOps *ops;
  void *opaque;
} Range;

typedef struct
{
  BwIoChangeFunc func;
  void *user_data;
} ChangeFunc;

struct _BwIoBus
{
  char *name;
  guint64 addr_limit; /* 0: the whole 64-bit space */
  GArray *ranges;     /* Range, sorted by base, disjoint */
  guint last_hit;     /* index of the range found last (guest loops on one port) */
  GHashTable *reported;
  gboolean reported_full;
  guint64 unhandled;
  BwIoReportFunc report;
  void *report_data;
  GArray *change_funcs;
};

static void
range_clear (gpointer p)
{
  Range *r = p;
  g_free (r->name);
}

BwIoBus *
bw_io_bus_new (const char *name, guint64 addr_limit)
{
  BwIoBus *bus = g_new0 (BwIoBus, 1);
  bus->name = g_strdup (name);
  bus->addr_limit = addr_limit;
  bus->ranges = g_array_new (FALSE, FALSE, sizeof (Range));
  g_array_set_clear_func (bus->ranges, range_clear);
  bus->reported = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  bus->change_funcs = g_array_new (FALSE, FALSE, sizeof (ChangeFunc));
  return bus;
}

void
bw_io_bus_free (BwIoBus *bus)
{
  if (!bus)
    return;
  g_array_unref (bus->ranges);
  g_hash_table_unref (bus->reported);
  g_array_unref (bus->change_funcs);
  g_free (bus->name);
  g_free (bus);
}

const char *
bw_io_bus_get_name (BwIoBus *bus)
{
  return bus->name;
}

/* Index of the first range whose base is > addr. */
static guint
upper_bound (BwIoBus *bus, guint64 addr)
{
  guint lo = 0, hi = bus->ranges->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (bus->ranges, Range, mid).base <= addr)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static Range *
find_range (BwIoBus *bus, guint64 addr)
{
  if (bus->last_hit < bus->ranges->len)
    {
      Range *r = &g_array_index (bus->ranges, Range, bus->last_hit);
      if (addr - r->base < r->length)
        return r;
    }
  guint i = upper_bound (bus, addr);
  if (i == 0)
    return NULL;
  Range *r = &g_array_index (bus->ranges, Range, i - 1);
  if (addr - r->base >= r->length)
    return NULL;
  bus->last_hit = i - 1;
  return r;
}

static void
notify_change (BwIoBus *bus)
{
  bus->last_hit = G_MAXUINT;
  for (guint i = 0; i < bus->change_funcs->len; i++)
    {
      ChangeFunc *c = &g_array_index (bus->change_funcs, ChangeFunc, i);
      c->func (c->user_data, bus);
    }
}

static guint
ops_min (const BwIoOps *ops)
{
  return ops->min_access ? ops->min_access : 1;
}

static guint
ops_max (const BwIoOps *ops)
{
  return ops->max_access ? ops->max_access : 4;
}

static gboolean
valid_size (guint size)
{
  return size == 1 || size == 2 || size == 4 || size == 8;
}

gboolean
bw_io_bus_register (BwIoBus *bus, const char *name, guint64 base, guint64 length,
                    const BwIoOps *ops, void *opaque, GError **error)
{
  g_return_val_if_fail (bus != NULL && ops != NULL && ops->handler != NULL, FALSE);

  guint64 last = base + length - 1;
  if (length == 0 || last < base || (bus->addr_limit && last >= bus->addr_limit))
    {
      g_set_error (error, BW_IO_BUS_ERROR, BW_IO_BUS_ERROR_INVALID,
                   "%s range %#" G_GINT64_MODIFIER "x+%#" G_GINT64_MODIFIER
                   "x of “%s” is empty or outside the bus",
                   bus->name, base, length, name);
      return FALSE;
    }
  if (!valid_size (ops_min (ops)) || !valid_size (ops_max (ops)) || ops_min (ops) > ops_max (ops))
    {
      g_set_error (error, BW_IO_BUS_ERROR, BW_IO_BUS_ERROR_INVALID,
                   "%s range of “%s”: access sizes %u..%u are not 1, 2, 4 or 8 in order",
                   bus->name, name, ops_min (ops), ops_max (ops));
      return FALSE;
    }

  guint i = upper_bound (bus, base);
  /* The range before must end below base; the one after must start past last. */
  const Range *prev = i > 0 ? &g_array_index (bus->ranges, Range, i - 1) : NULL;
  const Range *next = i < bus->ranges->len ? &g_array_index (bus->ranges, Range, i) : NULL;
  const Range *clash = NULL;
  if (prev && base - prev->base < prev->length)
    clash = prev;
  else if (next && next->base <= last)
    clash = next;
  if (clash)
    {
      g_set_error (error, BW_IO_BUS_ERROR, BW_IO_BUS_ERROR_OVERLAP,
                   "%s range %#" G_GINT64_MODIFIER "x-%#" G_GINT64_MODIFIER
                   "x of “%s” overlaps %#" G_GINT64_MODIFIER "x-%#" G_GINT64_MODIFIER
                   "x of “%s”",
                   bus->name, base, last, name, clash->base, clash->base + clash->length - 1,
                   clash->name);
      return FALSE;
    }

  Range r = { .base = base, .length = length, .name = g_strdup (name), .ops = ops,
              .opaque = opaque };
  g_array_insert_val (bus->ranges, i, r);
  notify_change (bus);
  return TRUE;
}

gboolean
bw_io_bus_unregister (BwIoBus *bus, guint64 base, void *opaque, GError **error)
{
  guint i = upper_bound (bus, base);
  if (i > 0)
    {
      Range *r = &g_array_index (bus->ranges, Range, i - 1);
      if (r->base == base && r->opaque == opaque)
        {
          g_array_remove_index (bus->ranges, i - 1);
          notify_change (bus);
          return TRUE;
        }
    }
  g_set_error (error, BW_IO_BUS_ERROR, BW_IO_BUS_ERROR_NOT_FOUND,
               "%s: no range starts at %#" G_GINT64_MODIFIER "x for this owner", bus->name, base);
  return FALSE;
}

guint
bw_io_bus_unregister_all (BwIoBus *bus, void *opaque)
{
  guint removed = 0;
  for (guint i = bus->ranges->len; i-- > 0;)
    if (g_array_index (bus->ranges, Range, i).opaque == opaque)
      {
        g_array_remove_index (bus->ranges, i);
        removed++;
      }
  if (removed)
    notify_change (bus);
  return removed;
}

static void
unhandled (BwIoBus *bus, guint64 addr, guint size, gboolean is_write, guint64 *data)
{
  bus->unhandled++;
  if (!is_write)
    *data = size >= 8 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << (8 * size)) - 1;
  if (bus->reported_full || g_hash_table_contains (bus->reported, &addr))
    return;
  if (g_hash_table_size (bus->reported) >= REPORTED_MAX)
    bus->reported_full = TRUE;
  else
    g_hash_table_add (bus->reported, g_memdup2 (&addr, sizeof addr));
  if (bus->report)
    bus->report (bus->report_data, bus, addr, size, is_write, is_write ? *data : 0);
}

static guint64
size_mask (guint size)
{
  return size >= 8 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << (8 * size)) - 1;
}

static void dispatch (BwIoBus *bus, guint64 addr, guint64 *data, guint size, gboolean is_write);

/* Splits an access into two halves, lowest address first. */
static void
dispatch_halves (BwIoBus *bus, guint64 addr, guint64 *data, guint size, gboolean is_write)
{
  guint half = size / 2;
  guint64 lo = is_write ? *data & size_mask (half) : 0;
  guint64 hi = is_write ? (*data >> (8 * half)) & size_mask (half) : 0;
  dispatch (bus, addr, &lo, half, is_write);
  dispatch (bus, addr + half, &hi, half, is_write);
  if (!is_write)
    *data = (lo & size_mask (half)) | ((hi & size_mask (half)) << (8 * half));
}

static void
dispatch_in_range (BwIoBus *bus, Range *r, guint64 addr, guint64 *data, guint size,
                   gboolean is_write)
{
  const BwIoOps *ops = r->ops;
  guint64 offset = addr - r->base;
  guint min = ops_min (ops), max = ops_max (ops);

  if (size > max)
    {
      /* Wider than the device takes: pieces of max, lowest address first. */
      guint64 result = 0;
      for (guint done = 0; done < size; done += max)
        {
          guint64 piece = is_write ? (*data >> (8 * done)) & size_mask (max) : 0;
          dispatch (bus, addr + done, &piece, max, is_write);
          if (!is_write)
            result |= (piece & size_mask (max)) << (8 * done);
        }
      if (!is_write)
        *data = result;
      return;
    }

  if (size < min)
    {
      guint64 unit_offset = offset & ~(guint64) (min - 1);
      if (is_write || unit_offset + min > r->length)
        {
          unhandled (bus, addr, size, is_write, data);
          return;
        }
      guint64 unit = 0;
      ops->handler (r->opaque, unit_offset, &unit, min, FALSE);
      *data = (unit >> (8 * (offset - unit_offset))) & size_mask (size);
      return;
    }

  if (ops->aligned && (offset & (size - 1)) != 0)
    {
      dispatch_halves (bus, addr, data, size, is_write);
      return;
    }

  if (is_write)
    {
      guint64 value = *data & size_mask (size);
      ops->handler (r->opaque, offset, &value, size, TRUE);
    }
  else
    {
      guint64 value = 0;
      ops->handler (r->opaque, offset, &value, size, FALSE);
      *data = value & size_mask (size);
    }
}

static void
dispatch (BwIoBus *bus, guint64 addr, guint64 *data, guint size, gboolean is_write)
{
  Range *r = find_range (bus, addr);

  if (r && addr - r->base + size <= r->length && addr + size - 1 >= addr)
    {
      dispatch_in_range (bus, r, addr, data, size, is_write);
      return;
    }
  if (size > 1 && (r || bw_io_bus_intersects (bus, addr, size)))
    {
      /* Straddles a range boundary: halves until each piece fits. */
      dispatch_halves (bus, addr, data, size, is_write);
      return;
    }
  unhandled (bus, addr, size, is_write, data);
}

void
bw_io_bus_access (BwIoBus *bus, guint64 addr, guint64 *data, guint size, gboolean is_write)
{
  g_return_if_fail (bus != NULL && data != NULL);

  if (!valid_size (size))
    {
      unhandled (bus, addr, size > 8 ? 8 : size, is_write, data);
      return;
    }
  if (is_write)
    *data &= size_mask (size);
  dispatch (bus, addr, data, size, is_write);
}

guint64
bw_io_bus_read (BwIoBus *bus, guint64 addr, guint size)
{
  guint64 data = 0;
  bw_io_bus_access (bus, addr, &data, size, FALSE);
  return data;
}

void
bw_io_bus_write (BwIoBus *bus, guint64 addr, guint size, guint64 value)
{
  bw_io_bus_access (bus, addr, &value, size, TRUE);
}

gboolean
bw_io_bus_lookup (BwIoBus *bus, guint64 addr, guint64 *found_base, guint64 *found_length,
                  const char **found_name)
{
  Range *r = find_range (bus, addr);
  if (!r)
    return FALSE;
  if (found_base)
    *found_base = r->base;
  if (found_length)
    *found_length = r->length;
  if (found_name)
    *found_name = r->name;
  return TRUE;
}

gboolean
bw_io_bus_intersects (BwIoBus *bus, guint64 addr, guint64 length)
{
  if (length == 0)
    return FALSE;
  guint64 last = addr + length - 1;
  if (last < addr)
    last = G_MAXUINT64;
  if (find_range (bus, addr))
    return TRUE;
  /* Any range starting inside (addr, last]? */
  guint i = upper_bound (bus, addr);
  return i < bus->ranges->len && g_array_index (bus->ranges, Range, i).base <= last;
}

void
bw_io_bus_foreach (BwIoBus *bus, BwIoRangeFunc func, void *user_data)
{
  for (guint i = 0; i < bus->ranges->len; i++)
    {
      Range *r = &g_array_index (bus->ranges, Range, i);
      func (user_data, r->name, r->base, r->length);
    }
}

void
bw_io_bus_set_report_func (BwIoBus *bus, BwIoReportFunc func, void *user_data)
{
  bus->report = func;
  bus->report_data = user_data;
}

void
bw_io_bus_add_change_func (BwIoBus *bus, BwIoChangeFunc func, void *user_data)
{
  ChangeFunc c = { func, user_data };
  g_array_append_val (bus->change_funcs, c);
}

void
bw_io_bus_remove_change_func (BwIoBus *bus, BwIoChangeFunc func, void *user_data)
{
  for (guint i = 0; i < bus->change_funcs->len; i++)
    {
      ChangeFunc *c = &g_array_index (bus->change_funcs, ChangeFunc, i);
      if (c->func == func && c->user_data == user_data)
        {
          g_array_remove_index (bus->change_funcs, i);
          return;
        }
    }
}

guint64
bw_io_bus_get_unhandled_count (BwIoBus *bus)
{
  return bus->unhandled;
}
