/* bw-vm-app-config.h: a machine's settings as the VMM's configuration
 * tree (vmm/bw-config.h, devices/board/bw-pc-board.h).
 * Settings in, strings out. */
#pragma once

#include <glib.h>
#include "app/main/bw-machine-settings.h"
#include "vmm/bw-config.h"

G_BEGIN_DECLS

#define BW_VM_APP_ERROR (bw_vm_app_error_quark ())
GQuark bw_vm_app_error_quark (void);

typedef enum
{
  BW_VM_APP_ERROR_UNSUPPORTED, /* a setting this version cannot run yet */
  BW_VM_APP_ERROR_USAGE,       /* bad command line */
  BW_VM_APP_ERROR_FAILED,
} BwVmAppError;

/* The configuration ids of the IDE controller and the VGA. */
#define BW_VM_APP_IDE_ID "ide"
#define BW_VM_APP_VGA_ID "vga"

/* Direct-boot overrides from the command line (any may be NULL). */
typedef struct
{
  const char *kernel;
  const char *initrd;
  const char *cmdline;
  const char *image;      /* a test guest: flat binary or Multiboot kernel */
  const char *image_kind; /* "flat" | "multiboot" */
  const char *bios;       /* another BIOS image */
} BwVmAppBootOverrides;

/* The tree for settings, whose file is settings_path (the log goes to
 * Logs/ beside it). Writes name, uuid, ram-mb, cpus, acceleration,
 * logs-dir, firmware/type, boot/order, boot/kernel|initrd|cmdline and
 * devices/serial<N> (class uart16550a, index, iobase, irq, mode
 * disconnected|file|server|client, path), devices/ide (class piix3-ide,
 * <primary|secondary>/<master|slave>/type hdd|cdrom and path, from the
 * IDE controller's attachments: port = channel, device = position) and
 * devices/vga (class vga, vram-mb). */
BwConfig *bw_vm_app_config_from_settings (const BwMachineSettings *settings,
                                          const char *settings_path,
                                          const BwVmAppBootOverrides *overrides, GError **error);

G_END_DECLS
