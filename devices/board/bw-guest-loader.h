/* bw-guest-loader.h: small guests without firmware: flat binaries and
 * Multiboot (version 1) kernels.
 *
 * Flat binary: the file is copied to its load address (default 0x7C00,
 * where a BIOS puts a boot sector) and entered in real mode there: CS 0
 * and IP the address when it is below 64 KiB, else CS address/16.
 *
 * Multiboot: the header (magic 0x1BADB002 in the first 8 KiB, 4-byte
 * aligned) gives the load addresses when flag 16 is set (the "a.out
 * kludge", what nasm -f bin guests use); otherwise the file must be an
 * ELF32 executable and its PT_LOAD segments are loaded. The kernel is
 * entered in flat protected mode with EAX 0x2BADB002 and EBX pointing at
 * the Multiboot information (memory sizes, command line, memory map). */
#pragma once

#include <glib.h>
#include "devices/board/bw-pc-boot.h"

G_BEGIN_DECLS

#pragma GCC visibility push(default)

#define BW_FLAT_DEFAULT_ADDR 0x7c00u
#define BW_MULTIBOOT_MAGIC 0x1badb002u
#define BW_MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002u
#define BW_MULTIBOOT_INFO_ADDR 0x9000u  /* info, then the memory map, then the command line */
#define BW_MULTIBOOT_STACK 0x8ff0u      /* a small stack below the info */

BwPcBoot *bw_guest_loader_flat (GBytes *image, guint32 addr, guint64 low_ram, GError **error);
BwPcBoot *bw_guest_loader_multiboot (GBytes *image, const char *cmdline, guint64 low_ram,
                                     guint64 high_ram, GError **error);
/* kind "flat" or "multiboot"; reads path (errors name it). addr: flat
 * binaries only (0: the default). */
BwPcBoot *bw_guest_loader_load (const char *kind, const char *path, guint32 addr,
                                const char *cmdline, guint64 low_ram, guint64 high_ram,
                                GError **error);

#pragma GCC visibility pop

G_END_DECLS
