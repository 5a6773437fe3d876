/* bw-memory.c: the guest-physical memory map (layout and resolution rules
 * in bw-memory.h), kept as a flat view of segments. */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include "vmm/bw-memory.h"

G_DEFINE_QUARK (bw-memory-error-quark, bw_memory_error)

G_STATIC_ASSERT (G_BYTE_ORDER == G_LITTLE_ENDIAN); /* guest values are copied as they are */

#define VGA_WINDOW_START 0xA0000u
#define VGA_WINDOW_END 0xC0000u
#define RAM_MAX (G_GUINT64_CONSTANT (1) << 40)
#define REPORTED_MAX 1024

/* One pointer for every RAM segment: segments merge by name pointer. */
static const char ram_name[] = "ram";

typedef enum
{
  KIND_UNASSIGNED,
  KIND_RAM,     /* system RAM */
  KIND_ROM,     /* read side only */
  KIND_DEVRAM,
  KIND_MMIO,
  KIND_DISCARD, /* write side: dropped quietly (a ROM) */
} Kind;

typedef enum
{
  REGION_ROM,
  REGION_DEVRAM,
} RegionKind;

struct _BwMemoryRegion
{
  BwMemory *mem;
  char *name;
  RegionKind kind;
  guint64 gpa;
  guint64 size;
  guint8 *host;
  gboolean owned; /* host was allocated here (ROM copy) */
  gboolean enabled;
};

/* One piece of the flat view: [start, last] resolves uniformly. */
typedef struct
{
  guint64 start;
  guint64 last;
  Kind read_kind;
  Kind write_kind;
  guint8 *read_host;  /* host address of start for reads, or NULL */
  guint8 *write_host; /* ... for writes */
  const char *name;
} Segment;

typedef struct
{
  gpointer func;
  void *user_data;
} Listener;

struct _BwMemory
{
  guint64 ram_size;
  guint64 low_size;
  guint64 high_size;
  guint8 *ram;
  BwIoBus *mmio;
  GPtrArray *regions; /* BwMemoryRegion */
  guint8 pam[BW_MEMORY_PAM_SEGMENTS];

  GRWLock view_lock;
  GArray *view; /* Segment, sorted, covering the whole 64-bit space */
  guint64 generation;

  GArray *map_listeners;
  GArray *write_listeners;
  BwMemoryReportFunc report;
  void *report_data;
  GMutex report_mutex;
  GHashTable *reported; /* page numbers */
};

static void rebuild (BwMemory *mem);

static void
mmio_changed (void *user_data, BwIoBus *bus)
{
  rebuild (user_data);
}

static void
region_free (gpointer p)
{
  BwMemoryRegion *region = p;
  if (region->owned)
    g_free (region->host);
  g_free (region->name);
  g_free (region);
}

BwMemory *
bw_memory_new (guint64 ram_size, BwIoBus *mmio, GError **error)
{
  if (ram_size < (1u << 20) || ram_size % (1u << 20) != 0 || ram_size > RAM_MAX)
    {
      g_set_error (error, BW_MEMORY_ERROR, BW_MEMORY_ERROR_INVALID,
                   "Guest RAM of %" G_GUINT64_FORMAT " bytes: must be a whole number of MiB "
                   "from 1 MiB to 1 TiB",
                   ram_size);
      return NULL;
    }
  void *ram = mmap (NULL, ram_size, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (ram == MAP_FAILED)
    {
      g_set_error (error, BW_MEMORY_ERROR, BW_MEMORY_ERROR_NO_SPACE,
                   "Cannot reserve %" G_GUINT64_FORMAT " MiB of guest RAM: %s", ram_size >> 20,
                   g_strerror (errno));
      return NULL;
    }

  BwMemory *mem = g_new0 (BwMemory, 1);
  mem->ram_size = ram_size;
  mem->low_size = MIN (ram_size, BW_MEMORY_PCI_HOLE_START);
  mem->high_size = ram_size - mem->low_size;
  mem->ram = ram;
  mem->mmio = mmio;
  mem->regions = g_ptr_array_new_with_free_func (region_free);
  g_rw_lock_init (&mem->view_lock);
  mem->map_listeners = g_array_new (FALSE, FALSE, sizeof (Listener));
  mem->write_listeners = g_array_new (FALSE, FALSE, sizeof (Listener));
  g_mutex_init (&mem->report_mutex);
  mem->reported = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  if (mmio)
    bw_io_bus_add_change_func (mmio, mmio_changed, mem);
  rebuild (mem);
  return mem;
}

void
bw_memory_free (BwMemory *mem)
{
  if (!mem)
    return;
  if (mem->mmio)
    bw_io_bus_remove_change_func (mem->mmio, mmio_changed, mem);
  munmap (mem->ram, mem->ram_size);
  g_ptr_array_unref (mem->regions);
  if (mem->view)
    g_array_unref (mem->view);
  g_rw_lock_clear (&mem->view_lock);
  g_array_unref (mem->map_listeners);
  g_array_unref (mem->write_listeners);
  g_mutex_clear (&mem->report_mutex);
  g_hash_table_unref (mem->reported);
  g_free (mem);
}

guint64
bw_memory_get_ram_size (BwMemory *mem)
{
  return mem->ram_size;
}

guint64
bw_memory_get_low_ram_size (BwMemory *mem)
{
  return mem->low_size;
}

guint64
bw_memory_get_high_ram_size (BwMemory *mem)
{
  return mem->high_size;
}

guint8 *
bw_memory_get_ram_base (BwMemory *mem)
{
  return mem->ram;
}

/* Resolution of one address (the rules of bw-memory.h). */

static BwMemoryRegion *
region_at (BwMemory *mem, guint64 addr)
{
  for (guint i = 0; i < mem->regions->len; i++)
    {
      BwMemoryRegion *r = g_ptr_array_index (mem->regions, i);
      if (r->enabled && addr - r->gpa < r->size)
        return r;
    }
  return NULL;
}

static guint8 *
ram_host (BwMemory *mem, guint64 addr)
{
  if (addr < mem->low_size)
    return mem->ram + addr;
  if (addr >= BW_MEMORY_4G && addr - BW_MEMORY_4G < mem->high_size)
    return mem->ram + mem->low_size + (addr - BW_MEMORY_4G);
  return NULL;
}

static void
resolve (BwMemory *mem, guint64 addr, Segment *seg)
{
  seg->read_host = seg->write_host = NULL;
  seg->name = NULL;
  if (mem->mmio && bw_io_bus_lookup (mem->mmio, addr, NULL, NULL, &seg->name))
    {
      seg->read_kind = seg->write_kind = KIND_MMIO;
      return;
    }

  /* The PCI side: ROM and device regions, else nothing. */
  Kind pci_read = KIND_UNASSIGNED, pci_write = KIND_UNASSIGNED;
  guint8 *pci_host = NULL;
  BwMemoryRegion *r = region_at (mem, addr);
  if (r)
    {
      pci_host = r->host + (addr - r->gpa);
      pci_read = r->kind == REGION_ROM ? KIND_ROM : KIND_DEVRAM;
      pci_write = r->kind == REGION_ROM ? KIND_DISCARD : KIND_DEVRAM;
      seg->name = r->name;
    }

  if (addr >= BW_MEMORY_PAM_START && addr < BW_MEMORY_PAM_END)
    {
      guint s = addr >= 0xF0000 ? 12 : (guint) ((addr - BW_MEMORY_PAM_START) >> 14);
      guint8 mode = mem->pam[s];
      guint8 *ram = ram_host (mem, addr);
      if ((mode & BW_PAM_READ_RAM) && ram)
        {
          seg->read_kind = KIND_RAM;
          seg->read_host = ram;
        }
      else
        {
          seg->read_kind = pci_read;
          seg->read_host = pci_host;
        }
      if ((mode & BW_PAM_WRITE_RAM) && ram)
        {
          seg->write_kind = KIND_RAM;
          seg->write_host = ram;
        }
      else
        {
          seg->write_kind = pci_write;
          seg->write_host = pci_write == KIND_DEVRAM ? pci_host : NULL;
        }
      /* Named after what reads see, so shadow RAM merges with RAM. */
      seg->name = seg->read_kind == KIND_RAM || !r ? ram_name : r->name;
      return;
    }

  guint8 *ram = (addr >= VGA_WINDOW_START && addr < VGA_WINDOW_END) ? NULL : ram_host (mem, addr);
  if (!r && ram)
    {
      seg->read_kind = seg->write_kind = KIND_RAM;
      seg->read_host = seg->write_host = ram;
      seg->name = ram_name;
      return;
    }
  seg->read_kind = pci_read;
  seg->write_kind = pci_write;
  seg->read_host = pci_host;
  seg->write_host = pci_write == KIND_DEVRAM ? pci_host : NULL;
}

/* The flat view. */

static void
add_boundary (GArray *points, guint64 addr)
{
  g_array_append_val (points, addr);
}

static void
add_range_boundaries (void *user_data, const char *name, guint64 base, guint64 length)
{
  GArray *points = user_data;
  add_boundary (points, base);
  if (base + length > base)
    add_boundary (points, base + length);
}

static gint
cmp_u64 (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return x < y ? -1 : x > y;
}

static gboolean
same_run (const Segment *a, const Segment *b)
{
  guint64 len = a->last - a->start + 1;
  if (a->read_kind != b->read_kind || a->write_kind != b->write_kind || a->name != b->name)
    return FALSE;
  if ((a->read_host == NULL) != (b->read_host == NULL)
      || (a->read_host && a->read_host + len != b->read_host))
    return FALSE;
  if ((a->write_host == NULL) != (b->write_host == NULL)
      || (a->write_host && a->write_host + len != b->write_host))
    return FALSE;
  return TRUE;
}

static void
notify_map (BwMemory *mem)
{
  for (guint i = 0; i < mem->map_listeners->len; i++)
    {
      Listener *l = &g_array_index (mem->map_listeners, Listener, i);
      ((BwMemoryMapFunc) l->func) (l->user_data, mem);
    }
}

static void
rebuild (BwMemory *mem)
{
  g_autoptr (GArray) points = g_array_new (FALSE, FALSE, sizeof (guint64));

  add_boundary (points, 0);
  add_boundary (points, mem->low_size);
  add_boundary (points, BW_MEMORY_4G);
  add_boundary (points, BW_MEMORY_4G + mem->high_size);
  add_boundary (points, VGA_WINDOW_START);
  add_boundary (points, VGA_WINDOW_END);
  for (guint i = 0; i <= 12; i++)
    add_boundary (points, BW_MEMORY_PAM_START + i * 0x4000u);
  add_boundary (points, BW_MEMORY_PAM_END);
  for (guint i = 0; i < mem->regions->len; i++)
    {
      BwMemoryRegion *r = g_ptr_array_index (mem->regions, i);
      if (r->enabled)
        add_range_boundaries (points, NULL, r->gpa, r->size);
    }
  if (mem->mmio)
    bw_io_bus_foreach (mem->mmio, add_range_boundaries, points);
  g_array_sort (points, cmp_u64);

  GArray *view = g_array_new (FALSE, FALSE, sizeof (Segment));
  for (guint i = 0; i < points->len; i++)
    {
      guint64 start = g_array_index (points, guint64, i);
      if (i > 0 && start == g_array_index (points, guint64, i - 1))
        continue;
      guint64 last = G_MAXUINT64;
      for (guint j = i + 1; j < points->len; j++)
        if (g_array_index (points, guint64, j) != start)
          {
            last = g_array_index (points, guint64, j) - 1;
            break;
          }
      Segment seg = { .start = start, .last = last };
      resolve (mem, start, &seg);
      if (view->len > 0)
        {
          Segment *prev = &g_array_index (view, Segment, view->len - 1);
          if (same_run (prev, &seg))
            {
              prev->last = last;
              continue;
            }
        }
      g_array_append_val (view, seg);
    }

  g_rw_lock_writer_lock (&mem->view_lock);
  GArray *old = mem->view;
  mem->view = view;
  mem->generation++;
  g_rw_lock_writer_unlock (&mem->view_lock);
  if (old)
    {
      g_array_unref (old);
      notify_map (mem);
    }
}

/* Called with the view lock held. */
static const Segment *
find_segment (BwMemory *mem, guint64 addr)
{
  GArray *view = mem->view;
  guint lo = 0, hi = view->len;
  while (hi - lo > 1)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (view, Segment, mid).start <= addr)
        lo = mid;
      else
        hi = mid;
    }
  return &g_array_index (view, Segment, lo);
}

static void
lookup (BwMemory *mem, guint64 addr, Segment *out)
{
  g_rw_lock_reader_lock (&mem->view_lock);
  *out = *find_segment (mem, addr);
  g_rw_lock_reader_unlock (&mem->view_lock);
}

guint64
bw_memory_get_generation (BwMemory *mem)
{
  g_rw_lock_reader_lock (&mem->view_lock);
  guint64 generation = mem->generation;
  g_rw_lock_reader_unlock (&mem->view_lock);
  return generation;
}

/* Regions. */

static gboolean
check_region (BwMemory *mem, BwMemoryRegion *self, const char *name, guint64 gpa, guint64 size,
              GError **error)
{
  if (size == 0 || gpa % BW_MEMORY_PAGE_SIZE || size % BW_MEMORY_PAGE_SIZE || gpa + size < gpa)
    {
      g_set_error (error, BW_MEMORY_ERROR, BW_MEMORY_ERROR_INVALID,
                   "Memory region “%s” at %#" G_GINT64_MODIFIER "x, %" G_GUINT64_FORMAT
                   " bytes: not whole 4 KiB pages",
                   name, gpa, size);
      return FALSE;
    }
  for (guint i = 0; i < mem->regions->len; i++)
    {
      BwMemoryRegion *r = g_ptr_array_index (mem->regions, i);
      if (r == self || !r->enabled)
        continue;
      if (gpa < r->gpa + r->size && r->gpa < gpa + size)
        {
          g_set_error (error, BW_MEMORY_ERROR, BW_MEMORY_ERROR_OVERLAP,
                       "Memory region “%s” at %#" G_GINT64_MODIFIER "x overlaps “%s” at %#"
                       G_GINT64_MODIFIER "x",
                       name, gpa, r->name, r->gpa);
          return FALSE;
        }
    }
  return TRUE;
}

static BwMemoryRegion *
add_region (BwMemory *mem, RegionKind kind, const char *name, guint64 gpa, guint8 *host,
            gboolean owned, guint64 size)
{
  BwMemoryRegion *r = g_new0 (BwMemoryRegion, 1);
  r->mem = mem;
  r->name = g_strdup (name);
  r->kind = kind;
  r->gpa = gpa;
  r->size = size;
  r->host = host;
  r->owned = owned;
  r->enabled = TRUE;
  g_ptr_array_add (mem->regions, r);
  rebuild (mem);
  return r;
}

BwMemoryRegion *
bw_memory_add_rom (BwMemory *mem, const char *name, guint64 gpa, const void *data, gsize size,
                   GError **error)
{
  guint64 pages = ((guint64) size + BW_MEMORY_PAGE_SIZE - 1) & BW_MEMORY_PAGE_MASK;
  if (!check_region (mem, NULL, name, gpa, pages, error))
    return NULL;
  guint8 *copy = g_malloc (pages);
  memcpy (copy, data, size);
  memset (copy + size, 0xff, pages - size);
  return add_region (mem, REGION_ROM, name, gpa, copy, TRUE, pages);
}

BwMemoryRegion *
bw_memory_add_device_ram (BwMemory *mem, const char *name, guint64 gpa, void *host, gsize size,
                          GError **error)
{
  if (!check_region (mem, NULL, name, gpa, size, error))
    return NULL;
  return add_region (mem, REGION_DEVRAM, name, gpa, host, FALSE, size);
}

gboolean
bw_memory_region_set_address (BwMemoryRegion *region, guint64 gpa, GError **error)
{
  if (region->gpa == gpa)
    return TRUE;
  if (region->enabled && !check_region (region->mem, region, region->name, gpa, region->size, error))
    return FALSE;
  region->gpa = gpa;
  if (region->enabled)
    rebuild (region->mem);
  return TRUE;
}

gboolean
bw_memory_region_set_enabled (BwMemoryRegion *region, gboolean enabled)
{
  enabled = !!enabled;
  if (region->enabled == enabled)
    return TRUE;
  if (enabled && !check_region (region->mem, region, region->name, region->gpa, region->size, NULL))
    return FALSE;
  region->enabled = enabled;
  rebuild (region->mem);
  return TRUE;
}

guint8 *
bw_memory_region_get_host (BwMemoryRegion *region)
{
  return region->host;
}

void
bw_memory_remove_region (BwMemory *mem, BwMemoryRegion *region)
{
  if (g_ptr_array_remove (mem->regions, region))
    rebuild (mem);
}

/* PAM. */

void
bw_memory_set_pam (BwMemory *mem, guint segment, BwPamMode mode)
{
  g_return_if_fail (segment < BW_MEMORY_PAM_SEGMENTS);
  if (mem->pam[segment] == (guint8) (mode & 3))
    return;
  mem->pam[segment] = (guint8) (mode & 3);
  rebuild (mem);
}

BwPamMode
bw_memory_get_pam (BwMemory *mem, guint segment)
{
  g_return_val_if_fail (segment < BW_MEMORY_PAM_SEGMENTS, BW_PAM_PCI);
  return (BwPamMode) mem->pam[segment];
}

void
bw_memory_reset_pam (BwMemory *mem)
{
  gboolean changed = FALSE;
  for (guint i = 0; i < BW_MEMORY_PAM_SEGMENTS; i++)
    {
      changed |= mem->pam[i] != BW_PAM_PCI;
      mem->pam[i] = BW_PAM_PCI;
    }
  if (changed)
    rebuild (mem);
}

/* Lookups and accesses. */

void
bw_memory_lookup_page (BwMemory *mem, guint64 gpa, BwMemoryPage *page)
{
  guint64 start = gpa & BW_MEMORY_PAGE_MASK;
  Segment seg;
  lookup (mem, start, &seg);
  gboolean whole = seg.start <= start && seg.last >= start + BW_MEMORY_PAGE_SIZE - 1;
  page->read = whole && seg.read_host ? seg.read_host + (start - seg.start) : NULL;
  page->write = whole && seg.write_host ? seg.write_host + (start - seg.start) : NULL;
}

guint8 *
bw_memory_get_host_range (BwMemory *mem, guint64 gpa, gsize len, gboolean write)
{
  if (len == 0 || gpa + len - 1 < gpa)
    return NULL;
  Segment seg;
  lookup (mem, gpa, &seg);
  if (gpa + len - 1 > seg.last)
    return NULL;
  Kind kind = write ? seg.write_kind : seg.read_kind;
  guint8 *host = write ? seg.write_host : seg.read_host;
  if ((kind != KIND_RAM && kind != KIND_DEVRAM) || !host)
    return NULL;
  return host + (gpa - seg.start);
}

static void
report_unassigned (BwMemory *mem, guint64 gpa, guint size, gboolean is_write)
{
  guint64 page = gpa >> 12;
  gboolean first = FALSE;
  g_mutex_lock (&mem->report_mutex);
  if (g_hash_table_size (mem->reported) < REPORTED_MAX
      && !g_hash_table_contains (mem->reported, &page))
    {
      g_hash_table_add (mem->reported, g_memdup2 (&page, sizeof page));
      first = TRUE;
    }
  g_mutex_unlock (&mem->report_mutex);
  if (first && mem->report)
    mem->report (mem->report_data, gpa, size, is_write);
}

void
bw_memory_set_report_func (BwMemory *mem, BwMemoryReportFunc func, void *user_data)
{
  mem->report = func;
  mem->report_data = user_data;
}

static guint64
ones (guint size)
{
  return size >= 8 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << (8 * size)) - 1;
}

void
bw_memory_access (BwMemory *mem, guint64 gpa, guint64 *data, guint size, gboolean is_write)
{
  g_return_if_fail (size == 1 || size == 2 || size == 4 || size == 8);
  Segment seg;
  lookup (mem, gpa, &seg);

  if (gpa + size - 1 > seg.last || gpa + size - 1 < gpa)
    {
      /* Crosses into a differently mapped piece: byte by byte. */
      guint64 result = 0;
      for (guint i = 0; i < size; i++)
        {
          guint64 byte = is_write ? (*data >> (8 * i)) & 0xff : 0;
          bw_memory_access (mem, gpa + i, &byte, 1, is_write);
          result |= (byte & 0xff) << (8 * i);
        }
      if (!is_write)
        *data = result;
      return;
    }

  Kind kind = is_write ? seg.write_kind : seg.read_kind;
  guint8 *host = is_write ? seg.write_host : seg.read_host;
  switch (kind)
    {
    case KIND_RAM:
    case KIND_ROM:
    case KIND_DEVRAM:
      if (is_write)
        memcpy (host + (gpa - seg.start), data, size);
      else
        {
          guint64 value = 0;
          memcpy (&value, host + (gpa - seg.start), size);
          *data = value;
        }
      return;
    case KIND_MMIO:
      bw_io_bus_access (mem->mmio, gpa, data, size, is_write);
      return;
    case KIND_DISCARD:
      return;
    case KIND_UNASSIGNED:
    default:
      if (!is_write)
        *data = ones (size);
      report_unassigned (mem, gpa, size, is_write);
      return;
    }
}

static void
notify_write (BwMemory *mem, guint64 gpa, guint64 len)
{
  for (guint i = 0; i < mem->write_listeners->len; i++)
    {
      Listener *l = &g_array_index (mem->write_listeners, Listener, i);
      ((BwMemoryWriteFunc) l->func) (l->user_data, gpa, len);
    }
}

/* Copies between buf and guest memory segment by segment. */
static gboolean
copy (BwMemory *mem, guint64 gpa, guint8 *buf, gsize len, gboolean is_write)
{
  gboolean all_memory = TRUE;
  while (len > 0)
    {
      Segment seg;
      lookup (mem, gpa, &seg);
      guint64 avail = seg.last - gpa + 1;
      gsize n = avail == 0 || avail > len ? len : (gsize) avail; /* avail 0: wrapped, whole space */
      Kind kind = is_write ? seg.write_kind : seg.read_kind;
      guint8 *host = is_write ? seg.write_host : seg.read_host;
      if (kind == KIND_RAM || kind == KIND_DEVRAM || kind == KIND_ROM)
        {
          if (is_write)
            {
              memcpy (host + (gpa - seg.start), buf, n);
              notify_write (mem, gpa, n);
            }
          else
            memcpy (buf, host + (gpa - seg.start), n);
        }
      else
        {
          if (!is_write)
            memset (buf, 0xff, n);
          if (kind != KIND_DISCARD)
            all_memory = FALSE;
        }
      buf += n;
      len -= n;
      gpa += n;
      if (gpa == 0 && len > 0)
        return FALSE; /* ran off the top of the address space */
    }
  return all_memory;
}

gboolean
bw_memory_read (BwMemory *mem, guint64 gpa, void *buf, gsize len)
{
  return copy (mem, gpa, buf, len, FALSE);
}

gboolean
bw_memory_write (BwMemory *mem, guint64 gpa, const void *buf, gsize len)
{
  return copy (mem, gpa, (guint8 *) buf, len, TRUE);
}

/* Listeners. */

static void
listener_add (GArray *array, gpointer func, void *user_data)
{
  Listener l = { func, user_data };
  g_array_append_val (array, l);
}

static void
listener_remove (GArray *array, gpointer func, void *user_data)
{
  for (guint i = 0; i < array->len; i++)
    {
      Listener *l = &g_array_index (array, Listener, i);
      if (l->func == func && l->user_data == user_data)
        {
          g_array_remove_index (array, i);
          return;
        }
    }
}

void
bw_memory_add_map_listener (BwMemory *mem, BwMemoryMapFunc func, void *user_data)
{
  listener_add (mem->map_listeners, (gpointer) func, user_data);
}

void
bw_memory_remove_map_listener (BwMemory *mem, BwMemoryMapFunc func, void *user_data)
{
  listener_remove (mem->map_listeners, (gpointer) func, user_data);
}

void
bw_memory_add_write_listener (BwMemory *mem, BwMemoryWriteFunc func, void *user_data)
{
  listener_add (mem->write_listeners, (gpointer) func, user_data);
}

void
bw_memory_remove_write_listener (BwMemory *mem, BwMemoryWriteFunc func, void *user_data)
{
  listener_remove (mem->write_listeners, (gpointer) func, user_data);
}

/* KVM slots: page-aligned runs with host memory for reads. */
GArray *
bw_memory_get_slots (BwMemory *mem)
{
  GArray *slots = g_array_new (FALSE, FALSE, sizeof (BwMemorySlot));
  g_rw_lock_reader_lock (&mem->view_lock);
  for (guint i = 0; i < mem->view->len; i++)
    {
      const Segment *seg = &g_array_index (mem->view, Segment, i);
      if (!seg->read_host)
        continue;
      guint64 start = (seg->start + BW_MEMORY_PAGE_SIZE - 1) & BW_MEMORY_PAGE_MASK;
      guint64 end = (seg->last + 1) & BW_MEMORY_PAGE_MASK; /* exclusive */
      if (seg->last == G_MAXUINT64 || end <= start)
        continue;
      gboolean read_only = !(seg->write_host && seg->write_host == seg->read_host);
      guint8 *host = seg->read_host + (start - seg->start);
      if (slots->len > 0)
        {
          BwMemorySlot *prev = &g_array_index (slots, BwMemorySlot, slots->len - 1);
          if (prev->gpa + prev->size == start && prev->host + prev->size == host
              && prev->read_only == read_only && g_strcmp0 (prev->name, seg->name) == 0)
            {
              prev->size += end - start;
              continue;
            }
        }
      BwMemorySlot slot = { .gpa = start, .size = end - start, .host = host,
                            .read_only = read_only, .name = seg->name ? seg->name : ram_name };
      g_array_append_val (slots, slot);
    }
  g_rw_lock_reader_unlock (&mem->view_lock);
  return slots;
}
