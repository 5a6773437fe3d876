/* bw-linux-boot.h: direct Linux boot by the x86 boot protocol
 * (Documentation/arch/x86/boot.rst), without firmware.
 *
 * The loader does what a boot loader does and then enters the kernel the
 * way the 32-bit boot protocol describes: it reads the bzImage's setup
 * header, builds the zero page (struct boot_params: the header copy, the
 * e820 map, command line and initrd pointers), places the protected-mode
 * kernel at 1 MiB, the initrd as high as initrd_addr_max and low RAM
 * allow, and starts the CPU at code32_start in flat protected mode with
 * ESI pointing at the zero page. No BIOS runs: the kernel learns the
 * memory map from the zero page, as under kvmtool and Firecracker.
 *
 * Guest memory used:
 *   0x1000   the boot GDT (bw-pc-boot.h)
 *   0x7000   the zero page (4 KiB)
 *   0x20000  the command line (up to the kernel's cmdline_size)
 *   0x9c000  ACPI tables, when the board adds them (bw_linux_boot_add_acpi)
 *   0x100000 the protected-mode kernel
 *   top of low RAM (below initrd_addr_max): the initrd, 4 KiB aligned */
#pragma once

#include <glib.h>
#include "devices/board/bw-pc-boot.h"

G_BEGIN_DECLS

#pragma GCC visibility push(default)

#define BW_LINUX_ZERO_PAGE 0x7000u
#define BW_LINUX_CMDLINE_ADDR 0x20000u
#define BW_LINUX_KERNEL_ADDR 0x100000u
/* Room for the ACPI tables below the EBDA, marked ACPI in the e820 map. */
#define BW_LINUX_ACPI_ADDR 0x9c000u
#define BW_LINUX_ACPI_MAX (0x9fc00u - BW_LINUX_ACPI_ADDR)

/* Setup header offsets (in the file and in the zero page). */
#define BW_LINUX_SETUP_SECTS 0x1f1
#define BW_LINUX_VID_MODE 0x1fa
#define BW_LINUX_BOOT_FLAG 0x1fe
#define BW_LINUX_HEADER_MAGIC 0x202
#define BW_LINUX_VERSION 0x206
#define BW_LINUX_TYPE_OF_LOADER 0x210
#define BW_LINUX_LOADFLAGS 0x211
#define BW_LINUX_CODE32_START 0x214
#define BW_LINUX_RAMDISK_IMAGE 0x218
#define BW_LINUX_RAMDISK_SIZE 0x21c
#define BW_LINUX_HEAP_END_PTR 0x224
#define BW_LINUX_CMD_LINE_PTR 0x228
#define BW_LINUX_INITRD_ADDR_MAX 0x22c
#define BW_LINUX_CMDLINE_SIZE 0x238
#define BW_LINUX_INIT_SIZE 0x260
/* boot_params outside the header. */
#define BW_LINUX_ACPI_RSDP_ADDR 0x070
#define BW_LINUX_ALT_MEM_K 0x1e0
#define BW_LINUX_E820_ENTRIES 0x1e8
#define BW_LINUX_E820_TABLE 0x2d0
#define BW_LINUX_E820_MAX 128

#define BW_LINUX_LOADED_HIGH 0x01
#define BW_LINUX_CAN_USE_HEAP 0x80

typedef struct
{
  guint16 version;          /* protocol version, e.g. 0x020f */
  guint setup_sects;        /* 512-byte sectors of real-mode setup after the boot sector */
  guint8 loadflags;
  gsize kernel_offset;      /* where the protected-mode kernel starts in the file */
  gsize kernel_size;
  guint32 initrd_addr_max;  /* highest byte address an initrd may use */
  guint32 cmdline_size;     /* longest command line, without its NUL */
  guint32 init_size;        /* memory the kernel needs from its load address (0: unknown) */
  gsize header_end;         /* end of the setup header in the file */
} BwLinuxHeader;

/* Checks a bzImage's setup header (boot flag, "HdrS", protocol 2.02 or
 * later, a kernel loaded high) and fills hdr. */
gboolean bw_linux_parse_header (const guint8 *image, gsize len, BwLinuxHeader *hdr,
                                GError **error);

/* A boot image for kernel (+ initrd, may be NULL) with cmdline (NULL:
 * empty) in a machine with low_ram bytes below the PCI hole and high_ram
 * above 4 GiB. */
BwPcBoot *bw_linux_boot_prepare (GBytes *kernel, GBytes *initrd, const char *cmdline,
                                 guint64 low_ram, guint64 high_ram, GError **error);
/* The same from files (errors name them). */
BwPcBoot *bw_linux_boot_load (const char *kernel_path, const char *initrd_path,
                              const char *cmdline, guint64 low_ram, guint64 high_ram,
                              GError **error);

/* Gives a prepared Linux boot ACPI tables: tables (linked for
 * BW_LINUX_ACPI_ADDR, at most BW_LINUX_ACPI_MAX bytes) are copied there,
 * the zero page's e820 map marks their range ACPI (type 3) and its
 * acpi_rsdp_addr (boot_params 0x070, read by Linux 4.20 and later) names
 * the RSDP. FALSE when the tables do not fit or boot has no zero page. */
gboolean bw_linux_boot_add_acpi (BwPcBoot *boot, GBytes *tables, guint32 rsdp_addr,
                                 GError **error);

#pragma GCC visibility pop

G_END_DECLS
