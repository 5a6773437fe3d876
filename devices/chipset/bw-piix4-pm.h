/* bw-piix4-pm.h: the PIIX4 power-management function (PCI 8086:7113,
 * function 3 of the PIIX slot, 00:01.3 as on QEMU's pc-i440fx), the
 * platform's ACPI hardware (class "piix4-pm").
 *
 * Configuration space: PMBA (0x40, bits 15:6 the base of 64 ports) and
 * PMREGMISC (0x80, bit 0 maps them), SMBBA (0x90) and SMBHSTCFG (0xD2,
 * bit 0 maps the 16 SMBus host ports, which answer every command with
 * "no device"). DEVACTB (0x58) reads with APMC_EN set, which tells SeaBIOS
 * that SMM is already set up (there is no SMM to set up; QEMU does the
 * same without SMM). The BIOS sets PMBA: SeaBIOS puts it at 0x600 when
 * fw_cfg offers a table loader (0xB000 otherwise), and so do the tables.
 *
 * PM I/O (offsets from PMBA), the ACPI fixed hardware:
 *   0x00 PM1a_STS  TMR_STS (0), GBL_STS (5), PWRBTN_STS (8), RTC_STS (10),
 *                  WAK_STS (15); write 1 to clear
 *   0x02 PM1a_EN   the same bits enable the SCI
 *   0x04 PM1a_CNT  SCI_EN (0), GBL_RLS (2), SLP_TYP (12:10), SLP_EN (13,
 *                  write-only): SLP_EN with SLP_TYP 0 (PIIX4 "soft off",
 *                  what the tables' \_S5 says) powers the machine off
 *   0x08 PM_TMR    24-bit counter at 3.579545 MHz on the virtual clock;
 *                  TMR_STS is set each time bit 23 changes
 *   0x0C GPE0_STS  (16 bits, write 1 to clear), 0x0E GPE0_EN (16 bits)
 *   0x10-0x3F      processor control, global and device control: stored
 *                  and read back (no C states, no SMI)
 * The SCI is ISA IRQ 9 (the guest makes it level-triggered in the ELCR):
 * high while SCI_EN is set and an enabled status bit is set.
 *
 * Ports 0xB2 (APM control) and 0xB3 (APM status, a scratch byte): writing
 * 0xF1 to 0xB2 sets SCI_EN and 0xF0 clears it, what the FADT's SMI_CMD,
 * ACPI_ENABLE and ACPI_DISABLE declare (no SMI handler runs). */
#pragma once

#include <glib.h>
#include "vmm/bw-device.h"

G_BEGIN_DECLS

#pragma GCC visibility push(default)

#define BW_PIIX4_PM_CLASS "piix4-pm"

#define BW_PIIX4_PM_DEFAULT_BASE 0x600 /* the PM base SeaBIOS programs */
#define BW_PIIX4_PM_SCI_IRQ 9
#define BW_PIIX4_PM_SMI_CMD 0xb2
#define BW_PIIX4_PM_ACPI_ENABLE 0xf1
#define BW_PIIX4_PM_ACPI_DISABLE 0xf0
#define BW_PIIX4_PM_TIMER_HZ 3579545
#define BW_PIIX4_PM_SLP_TYP_S5 0 /* PIIX4 SUS_TYP 000: soft off */

/* PM1 register offsets and bits. */
#define BW_PM1_STS 0x00
#define BW_PM1_EN 0x02
#define BW_PM1_CNT 0x04
#define BW_PM_TMR 0x08
#define BW_GPE0_STS 0x0c
#define BW_GPE0_EN 0x0e
#define BW_PM_IO_SIZE 0x40

#define BW_PM1_TMR 0x0001
#define BW_PM1_GBL 0x0020
#define BW_PM1_PWRBTN 0x0100
#define BW_PM1_RTC 0x0400
#define BW_PM1_WAK 0x8000
#define BW_PM1_CNT_SCI_EN 0x0001
#define BW_PM1_CNT_GBL_RLS 0x0004
#define BW_PM1_CNT_SLP_EN 0x2000

/* Presses the power button: sets PWRBTN_STS (the SCI follows when the
 * guest enabled it). Returns whether the guest listens (SCI_EN and
 * PWRBTN_EN set), so that a front end can say when nothing will happen.
 * Call under the platform lock. */
gboolean bw_piix4_pm_press_power_button (BwDevice *pm);
/* Whether the guest runs in ACPI mode (SCI_EN). */
gboolean bw_piix4_pm_acpi_enabled (BwDevice *pm);
/* Sets general-purpose event status bit (0-15) of GPE0. */
void bw_piix4_pm_raise_gpe (BwDevice *pm, guint bit);
/* The PM I/O base while mapped, 0 when not. */
guint16 bw_piix4_pm_get_base (BwDevice *pm);

#pragma GCC visibility pop

G_END_DECLS
