/* bw-firmware.h: putting the system BIOS into the memory map.
 *
 * A PC BIOS image is mapped as ROM so that it ends at 4 GiB (the reset
 * vector FFFFFFF0 is its last 16 bytes), and its last 128 KiB (all of it
 * when smaller) also appear at the top of the first megabyte, E0000-FFFFF,
 * behind the PAM registers: reads there reach the ROM until the BIOS
 * shadows itself into RAM. SeaBIOS comes from Debian's seabios package.
 * The firmware file, its size and SHA-256 go to the VM log. */
#pragma once

#include <glib.h>
#include "vmm/bw-platform.h"

G_BEGIN_DECLS

#define BW_FIRMWARE_ERROR (bw_firmware_error_quark ())
GQuark bw_firmware_error_quark (void);

typedef enum
{
  BW_FIRMWARE_ERROR_MISSING, /* the file does not exist (names the package) */
  BW_FIRMWARE_ERROR_INVALID, /* not a usable size */
  BW_FIRMWARE_ERROR_READ,
} BwFirmwareError;

#define BW_FIRMWARE_ISA_BIOS_SIZE 0x20000u
#define BW_FIRMWARE_MAX_SIZE (16u << 20)

/* The path of a file of the seabios package ("bios.bin",
 * "vgabios-stdvga.bin") in its configured folder. */
char *bw_firmware_seabios_path (const char *file_name);

/* Maps image (a multiple of 64 KiB, at most 16 MiB) as described above,
 * as the ROM regions "bios" and "isa-bios". */
gboolean bw_firmware_map_bios (BwPlatform *platform, GBytes *image, GError **error);

/* Reads path (NULL: SeaBIOS's bios.bin) and maps it. A missing SeaBIOS
 * gives an error that names the package to install. */
gboolean bw_firmware_load_bios (BwPlatform *platform, const char *path, GError **error);

G_END_DECLS
