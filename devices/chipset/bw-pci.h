/* bw-pci.h: PCI bus 0 behind the i440FX host bridge.
 *
 * The bus holds up to 256 functions (device 0-31, function 0-7). Each
 * function is a BwPciFunction embedded in its device's instance struct
 * with a 256-byte configuration space, a mask of writable bits and a mask
 * of write-1-to-clear bits; the guest reaches it through configuration
 * mechanism #1 (0xCF8/0xCFC, in bw-i440fx.c).
 *
 * A PCI device's realize:
 *
 *   BwPciBus *bus = bw_pci_bus_find (dev->platform);
 *   if (!bw_pci_function_init (&foo->pci, dev, bus, -1, 0x1234, 0x1111, 0x02,
 *                              0x030000, error))
 *     return FALSE;
 *   bw_pci_function_add_bar (&foo->pci, 0, BW_PCI_BAR_MEM32, 0x1000, &foo_mmio_ops, foo);
 *   bw_pci_function_set_irq_pin (&foo->pci, 1);  (INTA#)
 *
 * and its reset calls bw_pci_function_reset(). Base address registers
 * answer the sizing protocol (write all ones, read back ~(size-1) and the
 * type bits) and are mapped on the port or MMIO bus while the command
 * register's I/O or memory enable bit is set and the address is usable.
 *
 * INTx: a function drives its pin with bw_pci_function_set_irq(); the bus
 * swizzles it to PIRQ A-D as the i440FX board wires its slots (pirq =
 * (pin - 1 + slot - 1) mod 4, what SeaBIOS assumes) and the PIIX3 routes
 * PIRQs to ISA IRQs. The function's config space, with its INTx level,
 * is saved through bw_pci_function_vmstate nested in the device's own
 * description; its post_load calls bw_pci_function_post_load(). */
#pragma once

#include <glib.h>
#include "vmm/bw-device.h"
#include "vmm/bw-memory.h"

G_BEGIN_DECLS

#define BW_PCI_ERROR (bw_pci_error_quark ())
GQuark bw_pci_error_quark (void);

typedef enum
{
  BW_PCI_ERROR_NO_BUS, /* no host bridge on the platform */
  BW_PCI_ERROR_SLOT,   /* the address is taken, or no free slot is left */
} BwPciError;

#define BW_PCI_DEVFN(slot, fn) ((guint)(((slot) << 3) | (fn)))
#define BW_PCI_SLOT(devfn) ((devfn) >> 3)
#define BW_PCI_FUNC(devfn) ((devfn)&7)

/* Standard header offsets. */
#define BW_PCI_VENDOR_ID 0x00
#define BW_PCI_DEVICE_ID 0x02
#define BW_PCI_COMMAND 0x04
#define BW_PCI_STATUS 0x06
#define BW_PCI_REVISION 0x08
#define BW_PCI_CLASS_PROG 0x09
#define BW_PCI_HEADER_TYPE 0x0E
#define BW_PCI_BAR0 0x10
#define BW_PCI_SUBSYSTEM_VENDOR_ID 0x2C
#define BW_PCI_ROM_ADDRESS 0x30
#define BW_PCI_INTERRUPT_LINE 0x3C
#define BW_PCI_INTERRUPT_PIN 0x3D

#define BW_PCI_COMMAND_IO 0x0001
#define BW_PCI_COMMAND_MEMORY 0x0002
#define BW_PCI_COMMAND_MASTER 0x0004
#define BW_PCI_COMMAND_INTX_DISABLE 0x0400
#define BW_PCI_STATUS_INTERRUPT 0x0008
#define BW_PCI_HEADER_MULTI_FUNCTION 0x80

#define BW_PCI_NUM_BARS 6
#define BW_PCI_ROM_SLOT 6 /* the expansion ROM BAR, index 6 */
#define BW_PCI_BAR_UNMAPPED G_MAXUINT64

typedef enum
{
  BW_PCI_BAR_NONE = 0,
  BW_PCI_BAR_IO,
  BW_PCI_BAR_MEM32,
  BW_PCI_BAR_MEM64, /* takes this slot and the next */
  BW_PCI_BAR_ROM,   /* only in BW_PCI_ROM_SLOT */
} BwPciBarType;

typedef struct _BwPciBus BwPciBus;
typedef struct _BwPciFunction BwPciFunction;

/* Told where a BAR now lives (BW_PCI_BAR_UNMAPPED: nowhere), after the
 * bus did its own mapping for ops- or region-backed BARs. */
typedef void (*BwPciBarMapFunc) (BwPciFunction *fn, guint bar, guint64 addr, void *opaque);

typedef struct
{
  BwPciBarType type;
  gboolean prefetch;
  guint64 size;       /* a power of two */
  const BwIoOps *ops; /* dispatched on the port or MMIO bus, or NULL */
  void *opaque;
  BwMemoryRegion *region;   /* moved with the BAR instead, or NULL */
  BwPciBarMapFunc map_func; /* told about every move, or NULL */
  void *map_data;
  guint64 mapped; /* where it is now, BW_PCI_BAR_UNMAPPED when not */
} BwPciBar;

/* Configuration space hooks. read: return the value to give the guest
 * (current holds what the config bytes say). write: called after the
 * masked write was applied to fn->config. addr is the register offset,
 * size 1, 2 or 4. */
typedef guint32 (*BwPciConfigRead) (BwPciFunction *fn, guint addr, guint size, guint32 current);
typedef void (*BwPciConfigWrite) (BwPciFunction *fn, guint addr, guint32 value, guint size);

struct _BwPciFunction
{
  /* Saved (bw_pci_function_vmstate). */
  guint8 config[256];
  bool intx_level; /* the device's INTx pin, before INTx disable */

  /* Set up at realize. */
  BwDevice *dev;
  BwPciBus *bus;
  guint devfn;
  guint8 wmask[256];    /* bits the guest may write */
  guint8 w1cmask[256];  /* bits a written 1 clears */
  guint8 defaults[256]; /* config at reset, captured on the first reset */
  gboolean have_defaults;
  BwPciBar bars[BW_PCI_NUM_BARS + 1];
  BwPciConfigRead config_read;
  BwPciConfigWrite config_write;
  gboolean intx_asserted; /* what the bus counts for this function */
};

extern const BwVmStateDesc bw_pci_function_vmstate;

/* The bus of the platform's host bridge, or NULL. */
BwPciBus *bw_pci_bus_find (BwPlatform *platform);

/* Puts fn at devfn (or the first free slot's function 0 when devfn < 0)
 * with a type 0 header; standard writable bits (command, status W1C,
 * cache line size, latency timer, interrupt line). */
gboolean bw_pci_function_init (BwPciFunction *fn, BwDevice *dev, BwPciBus *bus, int devfn,
                               guint16 vendor, guint16 device, guint8 revision, guint32 class_code,
                               GError **error);
/* Leaves the bus (unmaps its BARs); called from unrealize. */
void bw_pci_function_exit (BwPciFunction *fn);

/* BARs. index 0-5 (BW_PCI_ROM_SLOT with BW_PCI_BAR_ROM). size: a power of
 * two, at least 4 for I/O, 16 for memory, 2048 for a ROM. ops/opaque:
 * dispatched on the bus while mapped (may be NULL). */
void bw_pci_function_add_bar (BwPciFunction *fn, guint index, BwPciBarType type, guint64 size,
                              gboolean prefetch, const BwIoOps *ops, void *opaque);
/* A BAR backed by a memory region (moved and enabled with the BAR). */
void bw_pci_function_add_bar_region (BwPciFunction *fn, guint index, BwPciBarType type,
                                     guint64 size, gboolean prefetch, BwMemoryRegion *region);
void bw_pci_function_set_bar_map_func (BwPciFunction *fn, guint index, BwPciBarMapFunc func,
                                       void *data);
guint64 bw_pci_function_get_bar_address (BwPciFunction *fn, guint index);

/* pin: 0 none, 1-4 INTA#-INTD#. */
void bw_pci_function_set_irq_pin (BwPciFunction *fn, guint pin);
void bw_pci_function_set_irq (BwPciFunction *fn, gboolean level);

/* Config values and writable masks at realize (little-endian). */
void bw_pci_function_set_u8 (BwPciFunction *fn, guint addr, guint8 value, guint8 wmask);
void bw_pci_function_set_u16 (BwPciFunction *fn, guint addr, guint16 value, guint16 wmask);
void bw_pci_function_set_u32 (BwPciFunction *fn, guint addr, guint32 value, guint32 wmask);
guint32 bw_pci_function_get (BwPciFunction *fn, guint addr, guint size);

/* Config back to its power-on values (the first call captures them),
 * INTx low, BARs unmapped. */
void bw_pci_function_reset (BwPciFunction *fn);
/* After loading config: remaps BARs, re-asserts INTx. */
void bw_pci_function_post_load (BwPciFunction *fn);
/* Remaps BARs from the current config (after a device changed it). */
void bw_pci_function_update_mappings (BwPciFunction *fn);

/* Configuration access as mechanism #1 makes it: bus 0 only; a missing
 * function reads all ones. addr: register offset, size 1, 2 or 4, not
 * crossing a dword. */
guint32 bw_pci_bus_config_read (BwPciBus *bus, guint devfn, guint addr, guint size);
void bw_pci_bus_config_write (BwPciBus *bus, guint devfn, guint addr, guint32 value, guint size);
BwPciFunction *bw_pci_bus_get_function (BwPciBus *bus, guint devfn);

/* PIRQ A-D (0-3) levels: wired-OR of the functions swizzled onto each.
 * The PIIX3 listens. */
typedef void (*BwPciPirqFunc) (void *opaque, guint pirq, gboolean level);
void bw_pci_bus_set_pirq_func (BwPciBus *bus, BwPciPirqFunc func, void *opaque);
gboolean bw_pci_bus_get_pirq_level (BwPciBus *bus, guint pirq);
guint bw_pci_bus_swizzle (guint devfn, guint pin);

/* Port 0xCF9 belongs to the PIIX3 but sits inside the host bridge's
 * 0xCF8 dword; byte accesses there are handed to this hook. */
typedef void (*BwPciPortFunc) (void *opaque, guint64 *data, gboolean is_write);
void bw_pci_bus_set_cf9_func (BwPciBus *bus, BwPciPortFunc func, void *opaque);

/* Internal to the host bridge. */
BwPciBus *bw_pci_bus_new (BwDevice *host);
void bw_pci_bus_free (BwPciBus *bus);
void bw_pci_bus_cf9 (BwPciBus *bus, guint64 *data, gboolean is_write);

G_END_DECLS
