/* bw-fw-cfg.h: the QEMU firmware configuration device (class "fw-cfg"),
 * how SeaBIOS learns the machine it runs on.
 *
 * Ports: 0x510 selector (16-bit write), 0x511 data (8-bit read, the offset
 * advances), 0x514-0x51B DMA address (big-endian, written as two 32-bit
 * halves; writing the low half at 0x518 starts the transfer; reading gives
 * the signature "QEMU CFG").
 *
 * Items made at realize: signature "QEMU", ID (traditional and DMA
 * interfaces), UUID, RAM size, CPU count and maximum, boot menu, the file
 * directory (0x19) and the files "etc/e820" (RAM from the memory map plus
 * entries added with bw_fw_cfg_add_e820()), "etc/boot-cpus", "bootorder",
 * "etc/boot-fail-wait" and, with the boot menu, "etc/boot-menu-wait".
 *
 * Config: the platform root's "uuid" and "cpus" ("max-cpus" optional);
 * the device node's "boot-menu" (bool), "boot-menu-wait" (ms),
 * "boot-fail-wait" (ms, -1 = never retry, the default) and "bootorder"
 * (newline-separated device paths).
 *
 * DMA: the guest writes the address of a 16-byte descriptor (big-endian
 * u32 control, u32 length, u64 address). Control bits: 0x01 error, 0x02
 * read, 0x04 skip, 0x08 select (item in bits 16-31), 0x10 write. The
 * device clears control when done, or leaves the error bit set: a
 * descriptor or buffer outside guest RAM, an address range that wraps,
 * or a write (no item is writable). Reads past an item's end give zeros.
 *
 * Other code (the VM's boot set-up, option ROM loaders, later ACPI) adds
 * keys and files with the functions below, under the platform lock or
 * before the machine runs. */
#pragma once

#include <glib.h>
#include "vmm/bw-device.h"

G_BEGIN_DECLS

#define BW_FW_CFG_CLASS "fw-cfg"

#define BW_FW_CFG_ERROR (bw_fw_cfg_error_quark ())
GQuark bw_fw_cfg_error_quark (void);

typedef enum
{
  BW_FW_CFG_ERROR_NAME, /* empty or too long a file name */
  BW_FW_CFG_ERROR_FULL, /* no selector left for another file */
} BwFwCfgError;

#define BW_FW_CFG_PORT_SELECTOR 0x510
#define BW_FW_CFG_PORT_DATA 0x511
#define BW_FW_CFG_PORT_DMA 0x514

/* Keys (docs/specs/fw_cfg of QEMU; the ones SeaBIOS and linuxboot read). */
enum
{
  BW_FW_CFG_SIGNATURE = 0x00,
  BW_FW_CFG_ID = 0x01,
  BW_FW_CFG_UUID = 0x02,
  BW_FW_CFG_RAM_SIZE = 0x03,
  BW_FW_CFG_NOGRAPHIC = 0x04,
  BW_FW_CFG_NB_CPUS = 0x05,
  BW_FW_CFG_MACHINE_ID = 0x06,
  BW_FW_CFG_KERNEL_ADDR = 0x07,
  BW_FW_CFG_KERNEL_SIZE = 0x08,
  BW_FW_CFG_KERNEL_CMDLINE = 0x09,
  BW_FW_CFG_INITRD_ADDR = 0x0A,
  BW_FW_CFG_INITRD_SIZE = 0x0B,
  BW_FW_CFG_BOOT_DEVICE = 0x0C,
  BW_FW_CFG_NUMA = 0x0D,
  BW_FW_CFG_BOOT_MENU = 0x0E,
  BW_FW_CFG_MAX_CPUS = 0x0F,
  BW_FW_CFG_KERNEL_ENTRY = 0x10,
  BW_FW_CFG_KERNEL_DATA = 0x11,
  BW_FW_CFG_INITRD_DATA = 0x12,
  BW_FW_CFG_CMDLINE_ADDR = 0x13,
  BW_FW_CFG_CMDLINE_SIZE = 0x14,
  BW_FW_CFG_CMDLINE_DATA = 0x15,
  BW_FW_CFG_SETUP_ADDR = 0x16,
  BW_FW_CFG_SETUP_SIZE = 0x17,
  BW_FW_CFG_SETUP_DATA = 0x18,
  BW_FW_CFG_FILE_DIR = 0x19,
  BW_FW_CFG_FILE_FIRST = 0x20,
  BW_FW_CFG_FILE_LAST = 0x3FFF,
  BW_FW_CFG_WRITE_CHANNEL = 0x4000,
  BW_FW_CFG_ARCH_LOCAL = 0x8000,
  BW_FW_CFG_E820_TABLE = 0x8003,
};

#define BW_FW_CFG_ID_TRADITIONAL 0x01
#define BW_FW_CFG_ID_DMA 0x02

#define BW_FW_CFG_DMA_ERROR 0x01
#define BW_FW_CFG_DMA_READ 0x02
#define BW_FW_CFG_DMA_SKIP 0x04
#define BW_FW_CFG_DMA_SELECT 0x08
#define BW_FW_CFG_DMA_WRITE 0x10

#define BW_FW_CFG_MAX_FILE_NAME 56 /* with its terminator */

/* e820 types. */
#define BW_E820_RAM 1
#define BW_E820_RESERVED 2

/* A numbered item (a key below 0x20, or an arch-local one). data may be
 * NULL to remove it. */
void bw_fw_cfg_set_item (BwDevice *fw_cfg, guint16 key, GBytes *data);
void bw_fw_cfg_set_u16 (BwDevice *fw_cfg, guint16 key, guint16 value);
void bw_fw_cfg_set_u32 (BwDevice *fw_cfg, guint16 key, guint32 value);
void bw_fw_cfg_set_u64 (BwDevice *fw_cfg, guint16 key, guint64 value);
/* A named file ("genroms/linuxboot.bin", "etc/acpi/tables"); replaces a
 * file of that name. Returns its selector, or 0 with an error for a bad
 * name or a full directory. */
guint16 bw_fw_cfg_add_file (BwDevice *fw_cfg, const char *name, GBytes *data, GError **error);
/* The selector of a file, 0 when there is none. */
guint16 bw_fw_cfg_find_file (BwDevice *fw_cfg, const char *name);
/* An extra entry in "etc/e820" (e.g. a reserved range). */
void bw_fw_cfg_add_e820 (BwDevice *fw_cfg, guint64 address, guint64 length, guint32 type);

G_END_DECLS
