/* bw-pc-board.h: the PC machine, assembled from a configuration tree.
 *
 * bw_pc_board_new() puts on a platform what a PC has, by class name
 * through the device registry: the chipset (bw-chipset.h: i440FX, PIIX3,
 * PIC, PIT, RTC/CMOS, port 92h, debug ports 0x402 and 0xE9), the i8042
 * with keyboard and mouse ("i8042"), fw_cfg ("fw_cfg"), and every device
 * the tree names under devices/ (the UARTs serial0..serial3 that
 * boxwood-vm writes there). It realizes them, then loads what runs
 * first, from the platform's configuration:
 *
 *   firmware/type        "bios" (default) or "none"
 *   firmware/bios        the BIOS image (default: SeaBIOS's bios.bin from
 *                        BW_SEABIOS_DIR; missing: an error naming Debian's
 *                        seabios package), mapped at the top of 4 GiB and
 *                        its last 128 KiB at E0000-FFFFF behind PAM
 *   firmware/option-roms/<n>/path   option ROMs handed to SeaBIOS through
 *                        fw_cfg as "genroms/<file name>" (as QEMU hands
 *                        over linuxboot.bin); SeaBIOS runs them at POST
 *   boot/kernel, boot/initrd, boot/cmdline
 *                        direct Linux boot (bw-linux-boot.h): the board
 *                        loads the bzImage itself and enters it in
 *                        protected mode; no firmware runs
 *   boot/order           'c' disk, 'd' CD (also 'a', 'n' for the CMOS):
 *                        with a "piix3-ide" device configured, the board
 *                        gives SeaBIOS a fw_cfg "bootorder" listing its
 *                        disks for each 'c' and CD drives for each 'd'
 *                        and puts the disks' geometry into the CMOS
 *   devices/<id>/class "piix3-ide" / "vga"
 *                        the IDE controller (bw-ide.h) and the VGA
 *                        (bw-vga.h; it brings its own VGA BIOS ROM)
 *   acpi                 bool, default TRUE: the PIIX4 power-management
 *                        function ("piix4-pm", id "acpi", 00:01.3) and
 *                        ACPI tables (bw-acpi-tables.h): given to SeaBIOS
 *                        through fw_cfg's table loader, or, for a direct
 *                        Linux boot, put at 0x9C000 with the PM I/O
 *                        programmed as firmware would. The guest's S5
 *                        powers the VM off (a platform power-off request)
 *   boot/image, boot/image-kind ("flat" | "multiboot"), boot/image-address,
 *   boot/cmdline         a test guest without firmware (bw-guest-loader.h)
 *
 * With a kernel or image the BIOS is still mapped when it can be found (a
 * guest may read the ROM area) but nothing jumps to it. The loaded image
 * is written again, and the CPU set to its entry state, on every hardware
 * reset, through the VM's reset hook (bw_pc_board_attach()). */
#pragma once

#include <glib.h>
#include "vmm/bw-vm.h"
#include "devices/board/bw-pc-boot.h"

G_BEGIN_DECLS

#pragma GCC visibility push(default)

#define BW_PC_BOARD_ERROR (bw_pc_board_error_quark ())
GQuark bw_pc_board_error_quark (void);

typedef enum
{
  BW_PC_BOARD_ERROR_CONFIG, /* a bad value in the configuration */
  BW_PC_BOARD_ERROR_ROM,    /* an option ROM that cannot be used */
} BwPcBoardError;

/* Device ids the board uses besides the chipset's. */
#define BW_PC_BOARD_I8042_ID "i8042"
#define BW_PC_BOARD_FW_CFG_ID "fw_cfg"
#define BW_PC_BOARD_ACPI_ID "acpi"

typedef struct _BwPcBoard BwPcBoard;

/* Adds and realizes the devices, maps the firmware, loads the kernel or
 * image. The board borrows platform. */
BwPcBoard *bw_pc_board_new (BwPlatform *platform, GError **error);
void bw_pc_board_free (BwPcBoard *board);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwPcBoard, bw_pc_board_free)

/* Installs the reset hook that writes the boot image and sets the entry
 * registers (nothing to do for a firmware boot). The board must outlive
 * the VM's run. */
void bw_pc_board_attach (BwPcBoard *board, BwVm *vm);

/* The image loaded instead of firmware, or NULL. */
const BwPcBoot *bw_pc_board_get_boot (BwPcBoard *board);
/* The configured IDE controller and VGA (NULL when there are none). */
BwDevice *bw_pc_board_get_ide (BwPcBoard *board);
BwDevice *bw_pc_board_get_vga (BwPcBoard *board);
/* The fw_cfg "bootorder" text given to SeaBIOS, or NULL. */
const char *bw_pc_board_get_bootorder (BwPcBoard *board);

/* What starts first: "SeaBIOS ..." / the loader's description. */
const char *bw_pc_board_describe_boot (BwPcBoard *board);

/* ACPI: whether the machine has it (config "acpi"); whether the guest
 * switched to ACPI mode (SCI_EN), i.e. an ACPI OS runs that can hear the
 * power button. */
gboolean bw_pc_board_has_acpi (BwPcBoard *board);
gboolean bw_pc_board_acpi_in_use (BwPcBoard *board);
/* The power button (what VirtualBox calls ACPI shutdown): sets PWRBTN_STS
 * and raises the SCI when the guest enabled it; the guest decides what to
 * do (an ACPI OS shuts down and enters S5, which powers the VM off). A
 * no-op without ACPI. Takes the platform lock; any thread. */
void bw_pc_board_press_power_button (BwPcBoard *board);

/* Keys to the PS/2 keyboard: set-2 make/break sequences (takes the
 * platform lock). */
void bw_pc_board_put_scancodes (BwPcBoard *board, const guint8 *set2, gsize len);
/* Relative motion, wheel and buttons (bit 0 left, 1 right, 2 middle) to
 * the PS/2 mouse. */
void bw_pc_board_put_mouse (BwPcBoard *board, int dx, int dy, int dz, guint buttons);
/* Set-1 codes (what `controlvm keyboardputscancode` takes, as
 * VBoxManage) to set 2. FALSE with an error for a code set 1 lacks. */
GByteArray *bw_pc_board_set1_to_set2 (const guint8 *set1, gsize len, GError **error);

#pragma GCC visibility pop

G_END_DECLS
