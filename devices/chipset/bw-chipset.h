/* bw-chipset.h: the PC chipset devices as one set.
 *
 * Device ids and classes added by bw_chipset_add():
 *   i440fx   "i440fx"        host bridge, PCI bus 0, PAM (00:00.0)
 *   piix3    "piix3"         ISA bridge, PIRQ routing, port 0xCF9 (00:01.0)
 *   pic      "pic-i8259"     8259A pair and ELCR (0x20, 0xA0, 0x4D0)
 *   pit      "pit-i8254"     8254 timer and port 61h (0x40-0x43, 0x61)
 *   rtc      "rtc-mc146818"  RTC and CMOS (0x70-0x71), see bw-rtc.h
 *   port92   "port92"        fast A20 and reset (0x92)
 *   debugcon "debugcon"      SeaBIOS log port 0x402
 *   debuge9  "debugcon"      Bochs-style debug port 0xE9
 * Each uses the config node devices/<id> (bw_platform_add_device()). */
#pragma once

#include <glib.h>
#include "vmm/bw-platform.h"

G_BEGIN_DECLS

/* Adds (does not realize) the devices above. */
gboolean bw_chipset_add (BwPlatform *platform, GError **error);

G_END_DECLS
