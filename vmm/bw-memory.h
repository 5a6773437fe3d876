/* bw-memory.h: the guest-physical memory map of a PC.
 *
 * Layout:
 *   [0, low_ram)               RAM; low_ram = min(ram_size, BW_MEMORY_PCI_HOLE_START)
 *   [PCI_HOLE_START, 4 GiB)    the PCI hole: MMIO (BARs, fw_cfg DMA, ...) and ROMs,
 *                              e.g. the BIOS at 4 GiB - its size
 *   [4 GiB, 4 GiB + high_ram)  the rest of RAM
 *   0xC0000-0xFFFFF            PAM-shadowed: 13 segments (C0000-EFFFF in 16 KiB
 *                              pieces, F0000-FFFFF as one 64 KiB piece) whose
 *                              reads come from RAM or from the PCI side (ROMs,
 *                              MMIO) and whose writes go to RAM or to the PCI side,
 *                              as the i440FX PAM registers say
 *
 * What an address resolves to, first match wins:
 *   1. an MMIO-bus range (so VGA's A0000-BFFFF window hides RAM below it)
 *   2. inside C0000-FFFFF: the PAM attribute of its segment decides between
 *      RAM and the PCI side for reads and writes separately
 *   3. a ROM region (reads from its bytes, writes dropped) or a device RAM
 *      region (a device's own host memory, e.g. a framebuffer)
 *   4. system RAM
 *   5. nothing: reads all ones, writes dropped (reported once per page)
 * The PCI side in step 2 is steps 3 and 5 (never system RAM). The legacy
 * VGA window A0000-BFFFF always belongs to the PCI side (SMRAM is not
 * modelled): without a VGA device it reads all ones.
 *
 * Regions are in whole 4 KiB pages. The map is kept as a flat view of
 * segments (rebuilt on every change) so that the CPU's page lookups and
 * the KVM slot view are cheap. Listeners hear about map changes (to flush
 * TLBs or rebuild KVM slots) and about RAM written by devices (to drop
 * decoded code).
 *
 * Threads: lookups and accesses may run on any thread. Map changes (PAM,
 * regions) are made under the platform lock; listeners are called from
 * the thread that changed the map, after the new view is in place. */
#pragma once

#include <glib.h>
#include "vmm/bw-io-bus.h"

G_BEGIN_DECLS

#define BW_MEMORY_ERROR (bw_memory_error_quark ())
GQuark bw_memory_error_quark (void);

typedef enum
{
  BW_MEMORY_ERROR_INVALID,  /* bad size or alignment */
  BW_MEMORY_ERROR_OVERLAP,  /* a region overlaps another */
  BW_MEMORY_ERROR_NO_SPACE, /* the host could not allocate guest RAM */
} BwMemoryError;

#define BW_MEMORY_PAGE_SIZE 4096u
#define BW_MEMORY_PAGE_MASK (~(guint64) (BW_MEMORY_PAGE_SIZE - 1))
#define BW_MEMORY_PCI_HOLE_START G_GUINT64_CONSTANT (0xE0000000)
#define BW_MEMORY_4G G_GUINT64_CONSTANT (0x100000000)
#define BW_MEMORY_PAM_START 0xC0000u
#define BW_MEMORY_PAM_END 0x100000u
#define BW_MEMORY_PAM_SEGMENTS 13

/* i440FX PAM attribute of one segment (the 2-bit field: RE is bit 0, WE
 * bit 1). */
typedef enum
{
  BW_PAM_PCI = 0,        /* reads and writes go to the PCI side */
  BW_PAM_READ_RAM = 1,   /* reads from RAM, writes to the PCI side (ROM: dropped) */
  BW_PAM_WRITE_RAM = 2,  /* reads from the PCI side, writes to RAM */
  BW_PAM_RAM = 3,        /* reads and writes RAM */
} BwPamMode;

typedef struct _BwMemory BwMemory;
typedef struct _BwMemoryRegion BwMemoryRegion;

/* Allocates ram_size bytes of zeroed guest RAM (a multiple of 1 MiB, at
 * least 1 MiB) and lays it out around the PCI hole. mmio may be NULL (no
 * MMIO); otherwise the memory map follows its ranges. All PAM segments
 * start as BW_PAM_PCI, as on a PC at power-on. */
BwMemory *bw_memory_new (guint64 ram_size, BwIoBus *mmio, GError **error);
void bw_memory_free (BwMemory *mem);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwMemory, bw_memory_free)

guint64 bw_memory_get_ram_size (BwMemory *mem);
guint64 bw_memory_get_low_ram_size (BwMemory *mem);  /* RAM below the hole */
guint64 bw_memory_get_high_ram_size (BwMemory *mem); /* RAM from 4 GiB */
/* Host memory backing system RAM: low RAM first, high RAM right after. */
guint8 *bw_memory_get_ram_base (BwMemory *mem);

/* A read-only region holding a copy of data (size rounded up to whole
 * pages, the rest filled with 0xFF). */
BwMemoryRegion *bw_memory_add_rom (BwMemory *mem, const char *name, guint64 gpa,
                                   const void *data, gsize size, GError **error);
/* A region backed by host memory the caller owns (readable and writable),
 * e.g. a framebuffer. size a multiple of 4 KiB. */
BwMemoryRegion *bw_memory_add_device_ram (BwMemory *mem, const char *name, guint64 gpa,
                                          void *host, gsize size, GError **error);
/* Moves or hides a ROM or device RAM region (PCI BARs). Fails on overlap. */
gboolean bw_memory_region_set_address (BwMemoryRegion *region, guint64 gpa, GError **error);
/* FALSE when enabling would overlap another region (a guest may program
 * BARs that way): the region then stays disabled. */
gboolean bw_memory_region_set_enabled (BwMemoryRegion *region, gboolean enabled);
guint8 *bw_memory_region_get_host (BwMemoryRegion *region);
void bw_memory_remove_region (BwMemory *mem, BwMemoryRegion *region);

/* PAM: segment 0..12 (0 = C0000-C3FFF, ..., 11 = EC000-EFFFF, 12 = F0000-FFFFF). */
void bw_memory_set_pam (BwMemory *mem, guint segment, BwPamMode mode);
BwPamMode bw_memory_get_pam (BwMemory *mem, guint segment);
/* Every segment back to BW_PAM_PCI (platform reset). */
void bw_memory_reset_pam (BwMemory *mem);

/* Resolution of one 4 KiB page for the CPU's fast path. read/write are
 * host pointers to the page's first byte, or NULL when that direction must
 * go through bw_memory_access() (MMIO, unassigned, a dropped ROM write).
 * The pointers are valid until the next map-change notification. */
typedef struct
{
  guint8 *read;
  guint8 *write;
} BwMemoryPage;

void bw_memory_lookup_page (BwMemory *mem, guint64 gpa, BwMemoryPage *page);

/* Convenience: a host pointer for [gpa, gpa+len) if the whole range is
 * plain RAM (system or device RAM) for that direction, else NULL. */
guint8 *bw_memory_get_host_range (BwMemory *mem, guint64 gpa, gsize len, gboolean write);

/* The slow path for one access of 1, 2, 4 or 8 bytes by the CPU: RAM, ROM,
 * MMIO bus dispatch, or unassigned (all ones). The caller holds the
 * platform lock when the access may reach the MMIO bus. An access that
 * crosses into a differently mapped page is split. CPU writes do not call
 * write listeners (the CPU knows about them). */
void bw_memory_access (BwMemory *mem, guint64 gpa, guint64 *data, guint size, gboolean is_write);

/* Device (DMA) and loader accesses of any length. Reads of MMIO and
 * unassigned space give all ones; writes to them are dropped (DMA into
 * MMIO is not modelled). Writes that reach RAM call the write listeners.
 * Return FALSE when part of the range was not RAM or ROM. */
gboolean bw_memory_read (BwMemory *mem, guint64 gpa, void *buf, gsize len);
gboolean bw_memory_write (BwMemory *mem, guint64 gpa, const void *buf, gsize len);

/* Listeners. */
typedef void (*BwMemoryMapFunc) (void *user_data, BwMemory *mem);
typedef void (*BwMemoryWriteFunc) (void *user_data, guint64 gpa, guint64 len);
void bw_memory_add_map_listener (BwMemory *mem, BwMemoryMapFunc func, void *user_data);
void bw_memory_remove_map_listener (BwMemory *mem, BwMemoryMapFunc func, void *user_data);
void bw_memory_add_write_listener (BwMemory *mem, BwMemoryWriteFunc func, void *user_data);
void bw_memory_remove_write_listener (BwMemory *mem, BwMemoryWriteFunc func, void *user_data);

/* The map as KVM memory slots: maximal runs of pages with contiguous host
 * memory, in address order. read_only slots (ROM, PAM read-from-RAM) make
 * writes exit to userspace as MMIO, which then goes to bw_memory_access().
 * Ranges without a slot (MMIO, unassigned) exit as MMIO too. */
typedef struct
{
  guint64 gpa;
  guint64 size;
  guint8 *host;
  gboolean read_only;
  const char *name; /* "ram", a ROM's or device region's name */
} BwMemorySlot;

/* Returns a new array of BwMemorySlot. */
GArray *bw_memory_get_slots (BwMemory *mem);

/* Accesses that hit nothing (no RAM, ROM or MMIO range): reported once
 * per page (the platform logs them). */
typedef void (*BwMemoryReportFunc) (void *user_data, guint64 gpa, guint size, gboolean is_write);
void bw_memory_set_report_func (BwMemory *mem, BwMemoryReportFunc func, void *user_data);

/* Increments on every map change; lets a CPU check cheaply whether its
 * cached pointers are stale. */
guint64 bw_memory_get_generation (BwMemory *mem);

G_END_DECLS
