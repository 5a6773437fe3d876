/* bw-pc-boot.h: what a loader puts into a PC before its first instruction.
 *
 * A BwPcBoot is a list of byte ranges to copy into guest memory and the
 * CPU state to start in. The loaders (bw-linux-boot.h, bw-guest-loader.h)
 * build one from a file; the board applies it on every hardware reset,
 * from the VM's reset hook, so that a guest that reboots starts its
 * kernel again from a fresh copy (as a PC would reload it from disk).
 *
 * Entry modes:
 *   FIRMWARE   nothing to do: the CPU starts at the reset vector (BIOS)
 *   REAL       real mode at cs:ip (flat binaries, boot-sector style)
 *   PROTECTED  32-bit protected mode with flat 4 GiB segments (selector
 *              0x10 code, 0x18 data, the GDT below), paging off,
 *              interrupts off: what the Linux 32-bit boot protocol and
 *              Multiboot both ask for. */
#pragma once

#include <glib.h>
#include "vmm/bw-memory.h"
#include "vmm/bw-x86-regs.h"

G_BEGIN_DECLS

#pragma GCC visibility push(default)

#define BW_PC_BOOT_ERROR (bw_pc_boot_error_quark ())
GQuark bw_pc_boot_error_quark (void);

typedef enum
{
  BW_PC_BOOT_ERROR_READ,     /* the file cannot be read */
  BW_PC_BOOT_ERROR_FORMAT,   /* not a kernel or image of the kind expected */
  BW_PC_BOOT_ERROR_NO_SPACE, /* does not fit the guest's RAM */
} BwPcBootError;

typedef enum
{
  BW_PC_ENTRY_FIRMWARE,
  BW_PC_ENTRY_REAL,
  BW_PC_ENTRY_PROTECTED,
} BwPcEntryMode;

/* Where the flat GDT for protected-mode entry lives (4 entries). */
#define BW_PC_BOOT_GDT_ADDR 0x1000u
#define BW_PC_BOOT_CODE_SELECTOR 0x10
#define BW_PC_BOOT_DATA_SELECTOR 0x18

typedef struct
{
  guint64 gpa;
  GBytes *data;
} BwPcBootChunk;

typedef struct
{
  GArray *chunks; /* BwPcBootChunk, in the order written */
  BwPcEntryMode mode;
  guint16 cs;     /* real mode: the code segment */
  guint32 eip;
  guint32 esp;
  guint32 eax, ebx, esi;
  char *description; /* one line for the log */
} BwPcBoot;

BwPcBoot *bw_pc_boot_new (BwPcEntryMode mode);
void bw_pc_boot_free (BwPcBoot *boot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwPcBoot, bw_pc_boot_free)

/* Adds a range to copy (takes a reference on data). */
void bw_pc_boot_add (BwPcBoot *boot, guint64 gpa, GBytes *data);
void bw_pc_boot_add_copy (BwPcBoot *boot, guint64 gpa, const void *data, gsize len);

/* Copies every range into guest RAM (and, for protected mode, the GDT).
 * FALSE when a range is not RAM. */
gboolean bw_pc_boot_write (const BwPcBoot *boot, BwMemory *mem, GError **error);
/* Turns registers just after reset into the entry state. */
void bw_pc_boot_apply_regs (const BwPcBoot *boot, BwX86Regs *regs);

#pragma GCC visibility pop

G_END_DECLS
