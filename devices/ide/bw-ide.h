/* bw-ide.h: the PIIX3 IDE controller with ATA disks and ATAPI CD-ROMs.
 *
 * Device class "piix3-ide" (BW_IDE_CLASS): PCI 8086:7010, function 1 of
 * the PIIX3 slot, in legacy mode: primary channel at 0x1F0-0x1F7 and
 * 0x3F6 on IRQ 14, secondary at 0x170-0x177 and 0x376 on IRQ 15, and the
 * bus-master IDE registers (command, status, PRD table address per
 * channel) at BAR4. Each channel has a master and a slave position; each
 * position holds nothing, an ATA disk on a VDI or raw image (BwDisk), or
 * an ATAPI CD-ROM drive with or without an ISO image.
 *
 * Configuration keys, read at realize from the device's node
 * (devices/<id>/..., bw_platform_add_device()):
 *   class                    "piix3-ide"
 *   slot                     PCI slot of the PIIX3 (default 1); the IDE
 *                            controller is its function 1
 *   io                       "thread" (default): disk I/O on one worker
 *                            thread per channel, completion raised under
 *                            the platform lock; "sync": I/O in the
 *                            register access itself (fuzzing)
 *   <channel>/<position>/    channel "primary" | "secondary",
 *                            position "master" | "slave":
 *     type                   "hdd" | "cdrom" (no node or no type: empty)
 *     path                   hdd: the image (VDI or raw), required;
 *                            cdrom: the ISO, optional (empty drive)
 *     read-only              bool, hdd only (default false); a CD is
 *                            always read-only
 *     serial                 optional, at most 20 characters (default:
 *                            derived from the image's UUID or path)
 *     model                  optional, at most 40 characters (default
 *                            "BOXWOOD HARDDISK" / "BOXWOOD CD-ROM")
 *
 * Disk I/O never runs on a vCPU thread in "thread" mode: the command sets
 * BSY, a worker reads or writes the image, and the completion (data ready,
 * interrupt) happens under the platform lock. Tests on a manual clock call
 * bw_ide_wait_idle() after a command to make completion deterministic.
 * Images are flushed on FLUSH CACHE, on machine reset and at power-off
 * (unrealize). A write the image refuses (read-only image, EIO, ENOSPC)
 * ends the command with ERR/ABRT, leaves the sector registers at the
 * first sector not written and is logged with the file and the fault. */
#pragma once

#include <glib.h>
#include "vmm/bw-device.h"

G_BEGIN_DECLS

#pragma GCC visibility push(default)

#define BW_IDE_CLASS "piix3-ide"

#define BW_IDE_ERROR (bw_ide_error_quark ())
GQuark bw_ide_error_quark (void);

typedef enum
{
  BW_IDE_ERROR_CONFIG,    /* a bad value under the device's node */
  BW_IDE_ERROR_NO_DRIVE,  /* no drive (or not a CD-ROM) at that position */
  BW_IDE_ERROR_LOCKED,    /* the guest prevents medium removal */
  BW_IDE_ERROR_MEDIUM,    /* the medium file cannot be used */
} BwIdeError;

typedef enum
{
  BW_IDE_DRIVE_NONE,
  BW_IDE_DRIVE_HDD,
  BW_IDE_DRIVE_CDROM,
} BwIdeDriveKind;

typedef struct
{
  BwIdeDriveKind kind;
  gboolean has_medium;
  gboolean read_only;
  guint64 sectors;        /* in the drive's sector size */
  guint sector_size;      /* 512 for disks, 2048 for CDs */
  guint cylinders, heads, sectors_per_track; /* disks: the default CHS geometry */
  char model[41];
  char serial[21];
} BwIdeDriveInfo;

/* channel 0 primary, 1 secondary; position 0 master, 1 slave. */
gboolean bw_ide_get_drive_info (BwDevice *ide, guint channel, guint position, BwIdeDriveInfo *info);

/* Bytes the guest has read from and written to the medium of the drive
 * since the controller was realized (a CD counts only reads). Lock-free
 * and cheap, for activity lights polled a few times a second; FALSE when
 * there is no drive at that position. */
gboolean bw_ide_get_activity (BwDevice *ide, guint channel, guint position, guint64 *bytes_read,
                              guint64 *bytes_written);

/* Media change on a CD-ROM drive while the machine runs (takes the
 * platform lock; opening the file happens outside it). Insert closes
 * the tray and loads the ISO; the guest sees UNIT ATTENTION / MEDIUM MAY
 * HAVE CHANGED on its next command and a NEW MEDIA event. Eject removes
 * the medium; it is refused with BW_IDE_ERROR_LOCKED while the guest
 * prevents removal, unless force. */
gboolean bw_ide_insert_medium (BwDevice *ide, guint channel, guint position, const char *path,
                               GError **error);
gboolean bw_ide_eject_medium (BwDevice *ide, guint channel, guint position, gboolean force,
                              GError **error);

/* Told (under the platform lock) when the guest opens the tray or the
 * medium changes: path is the medium now loaded, or NULL. */
typedef void (*BwIdeMediumFunc) (void *user_data, guint channel, guint position, const char *path);
void bw_ide_set_medium_func (BwDevice *ide, BwIdeMediumFunc func, void *user_data);

/* Waits until no disk I/O is in flight and completes what finished
 * (takes the platform lock). */
void bw_ide_wait_idle (BwDevice *ide);

#pragma GCC visibility pop

G_END_DECLS
