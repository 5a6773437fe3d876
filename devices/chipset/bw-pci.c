/* bw-pci.c: PCI bus 0: functions, configuration space with masks, BAR
 * sizing and mapping, INTx to PIRQ swizzling. */
#include "config.h"

#include <string.h>
#include "devices/chipset/bw-pci.h"
#include "vmm/bw-platform.h"

G_DEFINE_QUARK (bw - pci - error - quark, bw_pci_error)

struct _BwPciBus
{
  BwDevice *host;
  BwPciFunction *functions[256];
  guint pirq_count[4];
  BwPciPirqFunc pirq_func;
  void *pirq_data;
  BwPciPortFunc cf9_func;
  void *cf9_data;
};

static const BwVmStateField function_fields[] = {
  BW_VMSTATE_BUFFER (BwPciFunction, config, 256),
  BW_VMSTATE_BOOL (BwPciFunction, intx_level),
  BW_VMSTATE_END_OF_FIELDS,
};

const BwVmStateDesc bw_pci_function_vmstate = {
  .name = "pci-function",
  .version = 1,
  .minimum_version = 1,
  .fields = function_fields,
};

BwPciBus *
bw_pci_bus_new (BwDevice *host)
{
  BwPciBus *bus = g_new0 (BwPciBus, 1);
  bus->host = host;
  return bus;
}

void
bw_pci_bus_free (BwPciBus *bus)
{
  if (!bus)
    return;
  for (guint i = 0; i < 256; i++)
    if (bus->functions[i])
      bus->functions[i]->bus = NULL;
  g_free (bus);
}

BwPciFunction *
bw_pci_bus_get_function (BwPciBus *bus, guint devfn)
{
  return devfn < 256 ? bus->functions[devfn] : NULL;
}

guint
bw_pci_bus_swizzle (guint devfn, guint pin)
{
  return (pin - 1 + BW_PCI_SLOT (devfn) + 3) & 3;
}

/* Little-endian helpers on a 256-byte array. */
static void
put_le (guint8 *a, guint addr, guint32 value, guint size)
{
  for (guint i = 0; i < size && addr + i < 256; i++)
    a[addr + i] = (guint8)(value >> (8 * i));
}

static guint32
get_le (const guint8 *a, guint addr, guint size)
{
  guint32 v = 0;
  for (guint i = 0; i < size && addr + i < 256; i++)
    v |= (guint32)a[addr + i] << (8 * i);
  return v;
}

void
bw_pci_function_set_u8 (BwPciFunction *fn, guint addr, guint8 value, guint8 wmask)
{
  put_le (fn->config, addr, value, 1);
  put_le (fn->wmask, addr, wmask, 1);
}

void
bw_pci_function_set_u16 (BwPciFunction *fn, guint addr, guint16 value, guint16 wmask)
{
  put_le (fn->config, addr, value, 2);
  put_le (fn->wmask, addr, wmask, 2);
}

void
bw_pci_function_set_u32 (BwPciFunction *fn, guint addr, guint32 value, guint32 wmask)
{
  put_le (fn->config, addr, value, 4);
  put_le (fn->wmask, addr, wmask, 4);
}

guint32
bw_pci_function_get (BwPciFunction *fn, guint addr, guint size)
{
  return get_le (fn->config, addr, size);
}

gboolean
bw_pci_function_init (BwPciFunction *fn, BwDevice *dev, BwPciBus *bus, int devfn, guint16 vendor,
                      guint16 device, guint8 revision, guint32 class_code, GError **error)
{
  if (!bus)
    {
      g_set_error (error, BW_PCI_ERROR, BW_PCI_ERROR_NO_BUS,
                   "No PCI bus: the machine has no i440FX host bridge");
      return FALSE;
    }
  if (devfn < 0)
    {
      for (guint slot = 0; slot < 32 && devfn < 0; slot++)
        {
          gboolean used = FALSE;
          for (guint f = 0; f < 8; f++)
            used |= bus->functions[BW_PCI_DEVFN (slot, f)] != NULL;
          if (!used)
            devfn = (int)BW_PCI_DEVFN (slot, 0);
        }
      if (devfn < 0)
        {
          g_set_error (error, BW_PCI_ERROR, BW_PCI_ERROR_SLOT, "No free PCI slot is left");
          return FALSE;
        }
    }
  if (devfn > 255 || bus->functions[devfn])
    {
      g_set_error (error, BW_PCI_ERROR, BW_PCI_ERROR_SLOT,
                   "PCI address 00:%02x.%x is taken or invalid", BW_PCI_SLOT ((guint)devfn),
                   BW_PCI_FUNC ((guint)devfn));
      return FALSE;
    }
  memset (fn->config, 0, sizeof fn->config);
  memset (fn->wmask, 0, sizeof fn->wmask);
  memset (fn->w1cmask, 0, sizeof fn->w1cmask);
  memset (fn->bars, 0, sizeof fn->bars);
  for (guint i = 0; i <= BW_PCI_NUM_BARS; i++)
    fn->bars[i].mapped = BW_PCI_BAR_UNMAPPED;
  fn->dev = dev;
  fn->bus = bus;
  fn->devfn = (guint)devfn;
  fn->have_defaults = FALSE;
  fn->intx_level = FALSE;
  fn->intx_asserted = FALSE;

  bw_pci_function_set_u16 (fn, BW_PCI_VENDOR_ID, vendor, 0);
  bw_pci_function_set_u16 (fn, BW_PCI_DEVICE_ID, device, 0);
  /* I/O, memory, bus master, parity response, SERR, fast back-to-back,
   * INTx disable. */
  bw_pci_function_set_u16 (fn, BW_PCI_COMMAND, 0, 0x0747);
  bw_pci_function_set_u16 (fn, BW_PCI_STATUS, 0, 0);
  put_le (fn->w1cmask, BW_PCI_STATUS, 0xf900, 2); /* error bits */
  bw_pci_function_set_u8 (fn, BW_PCI_REVISION, revision, 0);
  put_le (fn->config, BW_PCI_CLASS_PROG, class_code & 0xffffff, 3);
  bw_pci_function_set_u8 (fn, 0x0c, 0, 0xff); /* cache line size */
  bw_pci_function_set_u8 (fn, 0x0d, 0, 0xff); /* latency timer */
  bw_pci_function_set_u8 (fn, BW_PCI_INTERRUPT_LINE, 0, 0xff);
  bus->functions[devfn] = fn;
  return TRUE;
}

static void bar_unmap (BwPciFunction *fn, guint index);

void
bw_pci_function_exit (BwPciFunction *fn)
{
  if (!fn->bus)
    return;
  for (guint i = 0; i <= BW_PCI_NUM_BARS; i++)
    bar_unmap (fn, i);
  bw_pci_function_set_irq (fn, FALSE);
  fn->bus->functions[fn->devfn] = NULL;
  fn->bus = NULL;
}

static guint
bar_offset (guint index)
{
  return index == BW_PCI_ROM_SLOT ? BW_PCI_ROM_ADDRESS : BW_PCI_BAR0 + 4 * index;
}

static void
add_bar (BwPciFunction *fn, guint index, BwPciBarType type, guint64 size, gboolean prefetch)
{
  g_return_if_fail (index <= BW_PCI_NUM_BARS);
  g_return_if_fail ((index == BW_PCI_ROM_SLOT) == (type == BW_PCI_BAR_ROM));
  g_return_if_fail (type != BW_PCI_BAR_MEM64 || index + 1 < BW_PCI_NUM_BARS);
  guint64 min = type == BW_PCI_BAR_IO ? 4 : type == BW_PCI_BAR_ROM ? 2048 : 16;
  if (size < min)
    size = min;
  g_return_if_fail ((size & (size - 1)) == 0);

  BwPciBar *bar = &fn->bars[index];
  bar->type = type;
  bar->prefetch = prefetch;
  bar->size = size;
  bar->mapped = BW_PCI_BAR_UNMAPPED;
  guint off = bar_offset (index);
  guint64 mask = ~(size - 1);
  switch (type)
    {
      case BW_PCI_BAR_IO:
        bw_pci_function_set_u32 (fn, off, 0x1, (guint32)mask & ~3u);
        break;
      case BW_PCI_BAR_MEM32:
        bw_pci_function_set_u32 (fn, off, prefetch ? 0x8 : 0, (guint32)mask & ~0xfu);
        break;
      case BW_PCI_BAR_MEM64:
        bw_pci_function_set_u32 (fn, off, 0x4 | (prefetch ? 0x8 : 0), (guint32)mask & ~0xfu);
        bw_pci_function_set_u32 (fn, off + 4, 0, (guint32)(mask >> 32));
        break;
      case BW_PCI_BAR_ROM:
        bw_pci_function_set_u32 (fn, off, 0, ((guint32)mask & ~0x7ffu) | 1);
        break;
      case BW_PCI_BAR_NONE:
        break;
    }
}

void
bw_pci_function_add_bar (BwPciFunction *fn, guint index, BwPciBarType type, guint64 size,
                         gboolean prefetch, const BwIoOps *ops, void *opaque)
{
  add_bar (fn, index, type, size, prefetch);
  fn->bars[index].ops = ops;
  fn->bars[index].opaque = opaque;
}

void
bw_pci_function_add_bar_region (BwPciFunction *fn, guint index, BwPciBarType type, guint64 size,
                                gboolean prefetch, BwMemoryRegion *region)
{
  add_bar (fn, index, type, size, prefetch);
  fn->bars[index].region = region;
  if (region)
    bw_memory_region_set_enabled (region, FALSE);
}

void
bw_pci_function_set_bar_map_func (BwPciFunction *fn, guint index, BwPciBarMapFunc func, void *data)
{
  g_return_if_fail (index <= BW_PCI_NUM_BARS);
  fn->bars[index].map_func = func;
  fn->bars[index].map_data = data;
}

guint64
bw_pci_function_get_bar_address (BwPciFunction *fn, guint index)
{
  return index <= BW_PCI_NUM_BARS ? fn->bars[index].mapped : BW_PCI_BAR_UNMAPPED;
}

/* Where the BAR should be now by its register and the command bits. */
static guint64
bar_target (BwPciFunction *fn, guint index)
{
  BwPciBar *bar = &fn->bars[index];
  guint16 cmd = (guint16)get_le (fn->config, BW_PCI_COMMAND, 2);
  guint32 lo = get_le (fn->config, bar_offset (index), 4);
  guint64 addr, last;

  switch (bar->type)
    {
      case BW_PCI_BAR_IO:
        if (!(cmd & BW_PCI_COMMAND_IO))
          return BW_PCI_BAR_UNMAPPED;
        addr = lo & ~(guint64)3;
        last = addr + bar->size - 1;
        if (addr == 0 || last > 0xffff)
          return BW_PCI_BAR_UNMAPPED;
        return addr;
      case BW_PCI_BAR_MEM32:
      case BW_PCI_BAR_ROM:
        if (!(cmd & BW_PCI_COMMAND_MEMORY))
          return BW_PCI_BAR_UNMAPPED;
        if (bar->type == BW_PCI_BAR_ROM && !(lo & 1))
          return BW_PCI_BAR_UNMAPPED;
        addr = lo & (bar->type == BW_PCI_BAR_ROM ? ~(guint64)0x7ff : ~(guint64)0xf);
        addr &= 0xffffffffu;
        last = addr + bar->size - 1;
        /* The all-ones sizing pattern (and anything reaching 4 GiB) is not
         * a usable address. */
        if (addr == 0 || last >= 0xffffffffu)
          return BW_PCI_BAR_UNMAPPED;
        return addr;
      case BW_PCI_BAR_MEM64:
        if (!(cmd & BW_PCI_COMMAND_MEMORY))
          return BW_PCI_BAR_UNMAPPED;
        addr = ((guint64)get_le (fn->config, bar_offset (index) + 4, 4) << 32) | (lo & ~0xfu);
        last = addr + bar->size - 1;
        if (addr == 0 || last < addr || last == G_MAXUINT64
            || addr >= (G_GUINT64_CONSTANT (1) << 52))
          return BW_PCI_BAR_UNMAPPED;
        return addr;
      case BW_PCI_BAR_NONE:
        break;
    }
  return BW_PCI_BAR_UNMAPPED;
}

static void
bar_unmap (BwPciFunction *fn, guint index)
{
  BwPciBar *bar = &fn->bars[index];
  if (bar->mapped == BW_PCI_BAR_UNMAPPED)
    return;
  if (bar->ops)
    {
      BwIoBus *iobus = bar->type == BW_PCI_BAR_IO ? bw_platform_get_pio (fn->dev->platform)
                                                  : bw_platform_get_mmio (fn->dev->platform);
      bw_io_bus_unregister (iobus, bar->mapped, bar->opaque, NULL);
    }
  if (bar->region)
    bw_memory_region_set_enabled (bar->region, FALSE);
  bar->mapped = BW_PCI_BAR_UNMAPPED;
}

static void
bar_map (BwPciFunction *fn, guint index, guint64 addr)
{
  BwPciBar *bar = &fn->bars[index];
  g_autoptr (GError) error = NULL;
  gboolean ok = TRUE;

  if (bar->ops)
    {
      if (bar->type == BW_PCI_BAR_IO)
        ok = bw_device_register_pio (fn->dev, (guint16)addr, (guint16)bar->size, bar->ops,
                                     bar->opaque, &error);
      else
        ok = bw_device_register_mmio (fn->dev, addr, bar->size, bar->ops, bar->opaque, &error);
    }
  if (ok && bar->region)
    {
      ok = bw_memory_region_set_address (bar->region, addr, &error);
      if (ok)
        bw_memory_region_set_enabled (bar->region, TRUE);
      else if (bar->ops)
        {
          BwIoBus *iobus = bar->type == BW_PCI_BAR_IO ? bw_platform_get_pio (fn->dev->platform)
                                                      : bw_platform_get_mmio (fn->dev->platform);
          bw_io_bus_unregister (iobus, addr, bar->opaque, NULL);
        }
    }
  if (!ok)
    {
      /* Guests program overlapping BARs while they probe; the BAR stays
       * off until it is moved somewhere free. */
      bw_device_guest_error (fn->dev, "BAR %u at %#" G_GINT64_MODIFIER "x not mapped: %s", index,
                             addr, error ? error->message : "overlap");
      return;
    }
  bar->mapped = addr;
}

void
bw_pci_function_update_mappings (BwPciFunction *fn)
{
  if (!fn->bus)
    return;
  for (guint i = 0; i <= BW_PCI_NUM_BARS; i++)
    {
      BwPciBar *bar = &fn->bars[i];
      if (bar->type == BW_PCI_BAR_NONE)
        continue;
      guint64 target = bar_target (fn, i);
      if (target == bar->mapped)
        continue;
      bar_unmap (fn, i);
      if (target != BW_PCI_BAR_UNMAPPED)
        bar_map (fn, i, target);
      if (bar->map_func)
        bar->map_func (fn, i, bar->mapped, bar->map_data);
    }
}

/* INTx. */

static void
update_intx (BwPciFunction *fn)
{
  guint pin = fn->config[BW_PCI_INTERRUPT_PIN];
  guint16 cmd = (guint16)get_le (fn->config, BW_PCI_COMMAND, 2);
  gboolean assert
      = fn->intx_level && !(cmd & BW_PCI_COMMAND_INTX_DISABLE) && pin >= 1 && pin <= 4 && fn->bus;

  if (fn->intx_level)
    fn->config[BW_PCI_STATUS] |= BW_PCI_STATUS_INTERRUPT;
  else
    fn->config[BW_PCI_STATUS] &= ~BW_PCI_STATUS_INTERRUPT;
  if (assert == fn->intx_asserted)
    return;
  fn->intx_asserted = assert;
  if (!fn->bus)
    return;
  BwPciBus *bus = fn->bus;
  guint pirq = bw_pci_bus_swizzle (fn->devfn, pin >= 1 && pin <= 4 ? pin : 1);
  gboolean before = bus->pirq_count[pirq] > 0;
  if (assert)
    bus->pirq_count[pirq]++;
  else if (bus->pirq_count[pirq] > 0)
    bus->pirq_count[pirq]--;
  gboolean after = bus->pirq_count[pirq] > 0;
  if (before != after && bus->pirq_func)
    bus->pirq_func (bus->pirq_data, pirq, after);
}

void
bw_pci_function_set_irq_pin (BwPciFunction *fn, guint pin)
{
  g_return_if_fail (pin <= 4);
  gboolean level = fn->intx_level;
  bw_pci_function_set_irq (fn, FALSE);
  fn->config[BW_PCI_INTERRUPT_PIN] = (guint8)pin;
  bw_pci_function_set_irq (fn, level);
}

void
bw_pci_function_set_irq (BwPciFunction *fn, gboolean level)
{
  fn->intx_level = !!level;
  update_intx (fn);
}

void
bw_pci_bus_set_pirq_func (BwPciBus *bus, BwPciPirqFunc func, void *opaque)
{
  bus->pirq_func = func;
  bus->pirq_data = opaque;
}

gboolean
bw_pci_bus_get_pirq_level (BwPciBus *bus, guint pirq)
{
  return pirq < 4 && bus->pirq_count[pirq] > 0;
}

void
bw_pci_bus_set_cf9_func (BwPciBus *bus, BwPciPortFunc func, void *opaque)
{
  bus->cf9_func = func;
  bus->cf9_data = opaque;
}

void
bw_pci_bus_cf9 (BwPciBus *bus, guint64 *data, gboolean is_write)
{
  if (bus->cf9_func)
    bus->cf9_func (bus->cf9_data, data, is_write);
  else if (!is_write)
    *data = 0xff;
}

/* Reset and saved state. */

void
bw_pci_function_reset (BwPciFunction *fn)
{
  if (!fn->have_defaults)
    {
      memcpy (fn->defaults, fn->config, sizeof fn->defaults);
      fn->have_defaults = TRUE;
    }
  else
    memcpy (fn->config, fn->defaults, sizeof fn->config);
  fn->intx_level = FALSE;
  update_intx (fn);
  bw_pci_function_update_mappings (fn);
}

void
bw_pci_function_post_load (BwPciFunction *fn)
{
  /* The saved bytes are taken as they are; only the read-only header
   * must not change under the device's feet. */
  if (fn->have_defaults)
    for (guint i = 0; i < 256; i++)
      if (fn->wmask[i] == 0 && fn->w1cmask[i] == 0 && i != BW_PCI_STATUS)
        fn->config[i] = fn->defaults[i];
  update_intx (fn);
  bw_pci_function_update_mappings (fn);
}

/* Configuration access. */

guint32
bw_pci_bus_config_read (BwPciBus *bus, guint devfn, guint addr, guint size)
{
  BwPciFunction *fn = devfn < 256 ? bus->functions[devfn] : NULL;
  guint32 ones = size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
  if (!fn || addr + size > 256)
    return ones;
  guint32 value = get_le (fn->config, addr, size);
  if (fn->config_read)
    value = fn->config_read (fn, addr, size, value) & ones;
  return value;
}

static gboolean
overlaps (guint addr, guint size, guint start, guint end)
{
  return addr < end && addr + size > start;
}

void
bw_pci_bus_config_write (BwPciBus *bus, guint devfn, guint addr, guint32 value, guint size)
{
  BwPciFunction *fn = devfn < 256 ? bus->functions[devfn] : NULL;
  if (!fn || addr + size > 256)
    return;
  for (guint i = 0; i < size; i++)
    {
      guint8 b = (guint8)(value >> (8 * i));
      guint a = addr + i;
      fn->config[a] = (fn->config[a] & ~fn->wmask[a]) | (b & fn->wmask[a]);
      fn->config[a] &= ~(b & fn->w1cmask[a]);
    }
  if (overlaps (addr, size, BW_PCI_COMMAND, BW_PCI_COMMAND + 2))
    update_intx (fn);
  if (overlaps (addr, size, BW_PCI_COMMAND, BW_PCI_COMMAND + 2)
      || overlaps (addr, size, BW_PCI_BAR0, BW_PCI_BAR0 + 24)
      || overlaps (addr, size, BW_PCI_ROM_ADDRESS, BW_PCI_ROM_ADDRESS + 4))
    bw_pci_function_update_mappings (fn);
  if (fn->config_write)
    fn->config_write (fn, addr, value, size);
}
