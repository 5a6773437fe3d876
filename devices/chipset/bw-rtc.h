/* bw-rtc.h: what other code may do with the MC146818 RTC/CMOS device
 * ("rtc-mc146818", bw-rtc.c).
 *
 * Configuration (the device's node; see bw_rtc_cmos_init()):
 *   base-time      integer, seconds since 1970-01-01 UTC the clock starts
 *                  at (default: the host's time when the machine starts)
 *   localtime      boolean: keep local time instead of UTC (Windows)
 *   boot-order     string of 'a' (floppy), 'c' (disk), 'd' (CD), 'n'
 *                  (network), up to three (default: root key boot/order,
 *                  else "cd")
 *   cpus           integer (default: the root key cpus, else 1)
 *   disk0..disk3   child nodes for the ATA drives present (primary
 *                  master, primary slave, secondary master, secondary
 *                  slave): cylinders, heads, sectors (integers) and
 *                  translation ("none", "lba", "large", "rechs"; default:
 *                  lba above 1024 cylinders, else none)
 * RAM sizes come from the platform's memory map. */
#pragma once

#include <glib.h>
#include "vmm/bw-device.h"

G_BEGIN_DECLS

#define BW_RTC_CMOS_SIZE 128

/* CMOS RAM offsets that firmware reads. */
#define BW_CMOS_FLOPPY_TYPES 0x10
#define BW_CMOS_DISK_TYPES 0x12
#define BW_CMOS_EQUIPMENT 0x14
#define BW_CMOS_BASE_MEM 0x15
#define BW_CMOS_EXT_MEM 0x17
#define BW_CMOS_DISK0_TYPE 0x19
#define BW_CMOS_DISK1_TYPE 0x1a
#define BW_CMOS_DISK0_GEOMETRY 0x1b
#define BW_CMOS_DISK1_GEOMETRY 0x24
#define BW_CMOS_CHECKSUM 0x2e
#define BW_CMOS_EXT_MEM2 0x30
#define BW_CMOS_CENTURY 0x32
#define BW_CMOS_MEM_ABOVE_16M 0x34
#define BW_CMOS_BOOT_ORDER3 0x38
#define BW_CMOS_DISK_TRANSLATION 0x39
#define BW_CMOS_BOOT_ORDER12 0x3d
#define BW_CMOS_MEM_ABOVE_4G 0x5b
#define BW_CMOS_CPU_COUNT 0x5f

/* Fills the CMOS RAM fields (0x0E-0x7F, not the clock) from the
 * configuration and the memory map. FALSE with an error for a bad value
 * (an unknown boot device letter, a geometry out of range). */
gboolean bw_rtc_cmos_init (BwDevice *dev, guint8 *cmos, GError **error);

/* CMOS RAM of a realized "rtc-mc146818" device (index 0x0E-0x7F; the
 * clock registers are not reachable here). Under the platform lock. */
guint8 bw_rtc_cmos_read (BwDevice *rtc, guint index);
void bw_rtc_cmos_write (BwDevice *rtc, guint index, guint8 value);

G_END_DECLS
