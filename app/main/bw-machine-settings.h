/* bw-machine-settings.h: the settings of one virtual machine (NAME.bwvm).
 *
 * Plain C structs with GLib containers, registered as boxed types. A
 * BwHardware holds everything a snapshot copies; BwMachineSettings adds the
 * machine's identity, its snapshot tree and its persisted state.
 *
 * Strings are UTF-8, owned by the struct, NULL when unset (an empty string
 * is never stored). UUIDs are lower-case canonical text without braces.
 * Times are microseconds since the Unix epoch (as g_get_real_time ()), 0
 * when unset; files hold them as ISO 8601 UTC.
 *
 * The file format is versioned (BW_SETTINGS_FORMAT_VERSION); older
 * versions are read and upgraded, and before the first rewrite of such a
 * file the original is copied to "NAME.bwvm-v<N>.bak". Unknown elements
 * and attributes are kept in each struct's `extras`. */
#pragma once

#include <glib-object.h>

#include "app/main/bw-xml-extras.h"

G_BEGIN_DECLS

/* Format version that this build writes; it reads 1 and 2. */
#define BW_SETTINGS_FORMAT_VERSION 2
#define BW_SETTINGS_NAMESPACE "https://boxwood.example/settings"

#define BW_MEMORY_MIN_MIB   4u
#define BW_MEMORY_MAX_MIB   1048576u   /* 1 TiB */
#define BW_CPU_COUNT_MAX    64u
#define BW_VRAM_MIN_MIB     1u
#define BW_VRAM_MAX_MIB     256u
#define BW_SCALE_PERCENT_MIN 100u      /* guest screen at its own size */
#define BW_SCALE_PERCENT_MAX 200u
#define BW_BOOT_ORDER_SLOTS 4
#define BW_SERIAL_PORT_COUNT 4         /* slots 1..4 */
#define BW_NETWORK_ADAPTER_COUNT 8     /* slots 0..7 */

typedef enum {
  BW_ACCELERATION_AUTO,
  BW_ACCELERATION_KVM,
  BW_ACCELERATION_SOFTWARE,
} BwAcceleration;

typedef enum {
  BW_FIRMWARE_BIOS,
  BW_FIRMWARE_EFI,
} BwFirmware;

/* How the VM window shows the guest screen (VirtualBox's scaled mode and
 * scale factor). WINDOW: scaled to the window, keeping the aspect ratio;
 * FIXED: the guest's pixels times scale_percent / 100 (100: 1:1), the
 * window scrolls what does not fit. */
typedef enum {
  BW_SCALE_MODE_WINDOW,   /* "window" */
  BW_SCALE_MODE_FIXED,    /* "fixed" */
} BwScaleMode;

typedef enum {
  BW_BOOT_DEVICE_NONE,
  BW_BOOT_DEVICE_FLOPPY,
  BW_BOOT_DEVICE_DVD,
  BW_BOOT_DEVICE_DISK,
  BW_BOOT_DEVICE_NET,
} BwBootDevice;

typedef enum {
  BW_STORAGE_BUS_IDE,
} BwStorageBus;

typedef enum {
  BW_DEVICE_TYPE_HDD,
  BW_DEVICE_TYPE_DVD,
} BwDeviceType;

typedef enum {
  BW_SERIAL_MODE_DISCONNECTED,
  BW_SERIAL_MODE_FILE,
  BW_SERIAL_MODE_UNIX_SOCKET,
} BwSerialMode;

typedef enum {
  BW_NIC_TYPE_AM79C970A,     /* "Am79C970A"  PCnet-PCI II */
  BW_NIC_TYPE_AM79C973,      /* "Am79C973"   PCnet-FAST III */
  BW_NIC_TYPE_82540EM,       /* "82540EM"    Intel PRO/1000 MT Desktop */
  BW_NIC_TYPE_82543GC,       /* "82543GC"    Intel PRO/1000 T Server */
  BW_NIC_TYPE_82545EM,       /* "82545EM"    Intel PRO/1000 MT Server */
  BW_NIC_TYPE_VIRTIO,        /* "virtio" */
} BwNicType;

typedef enum {
  BW_NET_ATTACHMENT_NONE,      /* "none": cable unplugged */
  BW_NET_ATTACHMENT_NAT,       /* "nat" */
  BW_NET_ATTACHMENT_BRIDGED,   /* "bridged" */
  BW_NET_ATTACHMENT_INTERNAL,  /* "intnet" */
  BW_NET_ATTACHMENT_HOST_ONLY, /* "hostonly" */
} BwNetAttachment;

/* Persisted states are PoweredOff, Saved and Aborted; the others exist so
 * that the service can use the same enum for live machines. */
typedef enum {
  BW_MACHINE_STATE_POWERED_OFF,
  BW_MACHINE_STATE_SAVED,
  BW_MACHINE_STATE_ABORTED,
  BW_MACHINE_STATE_STARTING,
  BW_MACHINE_STATE_RUNNING,
  BW_MACHINE_STATE_PAUSED,
  BW_MACHINE_STATE_STOPPING,
  BW_MACHINE_STATE_SAVING,
  BW_MACHINE_STATE_RESTORING,
} BwMachineState;

/* Enum <-> the names used in files and on the command line ("auto", "kvm",
 * "dvd", "dvddrive", "unix-socket", "82540EM", "PoweredOff"...). The
 * from_string functions return FALSE for an unknown name. */
const char *bw_acceleration_to_string (BwAcceleration v);
gboolean    bw_acceleration_from_string (const char *s, BwAcceleration *out);
const char *bw_firmware_to_string (BwFirmware v);
gboolean    bw_firmware_from_string (const char *s, BwFirmware *out);
const char *bw_scale_mode_to_string (BwScaleMode v);
gboolean    bw_scale_mode_from_string (const char *s, BwScaleMode *out);
const char *bw_boot_device_to_string (BwBootDevice v);
gboolean    bw_boot_device_from_string (const char *s, BwBootDevice *out);
const char *bw_storage_bus_to_string (BwStorageBus v);
gboolean    bw_storage_bus_from_string (const char *s, BwStorageBus *out);
const char *bw_device_type_to_string (BwDeviceType v);
gboolean    bw_device_type_from_string (const char *s, BwDeviceType *out);
const char *bw_serial_mode_to_string (BwSerialMode v);
gboolean    bw_serial_mode_from_string (const char *s, BwSerialMode *out);
const char *bw_nic_type_to_string (BwNicType v);
gboolean    bw_nic_type_from_string (const char *s, BwNicType *out);
const char *bw_net_attachment_to_string (BwNetAttachment v);
gboolean    bw_net_attachment_from_string (const char *s, BwNetAttachment *out);
const char *bw_machine_state_to_string (BwMachineState v);
gboolean    bw_machine_state_from_string (const char *s, BwMachineState *out);

typedef struct {
  guint         port;        /* 0..1 on IDE (primary, secondary) */
  guint         device;      /* 0..1 (master, slave) */
  BwDeviceType  type;
  char         *medium;      /* absolute path of the image; NULL = empty drive */
  BwXmlExtras  *extras;
} BwStorageAttachment;

typedef struct {
  char         *name;         /* unique within the machine, e.g. "IDE" */
  BwStorageBus  bus;
  GPtrArray    *attachments;  /* of BwStorageAttachment*, owned */
  BwXmlExtras  *extras;
} BwStorageController;

typedef struct {
  guint         slot;        /* 1..4, fixed by the array index + 1 */
  gboolean      enabled;
  guint         io_base;     /* 0x3f8, 0x2f8, 0x3e8, 0x2e8 by default */
  guint         irq;         /* 0..15 */
  BwSerialMode  mode;
  char         *path;        /* file or socket path; NULL when disconnected */
  gboolean      server;      /* unix-socket: listen instead of connect */
  BwXmlExtras  *extras;
} BwSerialPort;

typedef struct {
  guint           slot;      /* 0..7, fixed by the array index */
  gboolean        enabled;
  BwNicType       type;
  char           *mac;       /* 12 upper-case hex digits, no separators */
  BwNetAttachment attachment;
  BwXmlExtras    *extras;
} BwNetworkAdapter;

/* What a snapshot copies: the machine's virtual hardware. */
typedef struct {
  char            *os_type;        /* an id of the OS type table, e.g. "Debian_64" */
  guint            memory_mib;
  guint            cpu_count;
  BwAcceleration   acceleration;
  BwFirmware       firmware;
  BwBootDevice     boot_order[BW_BOOT_ORDER_SLOTS];
  guint            vram_mib;
  BwScaleMode      scale_mode;     /* <Display scaleMode>, default window */
  guint            scale_percent;  /* <Display scalePercent>, 100..200, default 100 */
  char            *kernel;         /* direct boot: bzImage path, NULL = firmware boot */
  char            *initrd;
  char            *cmdline;
  GPtrArray       *storage_controllers;   /* of BwStorageController*, owned */
  BwSerialPort     serial_ports[BW_SERIAL_PORT_COUNT];
  BwNetworkAdapter network_adapters[BW_NETWORK_ADAPTER_COUNT];
  BwXmlExtras     *extras;
} BwHardware;

typedef struct _BwSnapshot BwSnapshot;
struct _BwSnapshot {
  char        *uuid;
  char        *name;
  char        *description;
  gint64       time_stamp;     /* when it was taken */
  char        *state_file;     /* saved state, NULL if taken powered off */
  BwHardware  *hardware;       /* owned, never NULL */
  GPtrArray   *children;       /* of BwSnapshot*, owned */
  BwSnapshot  *parent;         /* not owned; NULL for the first snapshot */
  BwXmlExtras *extras;
};

typedef struct {
  char           *uuid;
  char           *name;
  char           *description;
  BwHardware     *hardware;          /* the current state; owned, never NULL */
  BwSnapshot     *first_snapshot;    /* root of the snapshot tree, NULL if none */
  char           *current_snapshot;  /* uuid, NULL if no snapshots */
  char           *state_file;        /* saved state of the machine, NULL if none */
  BwMachineState  state;
  gint64          last_state_change;
  BwXmlExtras    *extras;

  /* Not stored in the file: how it was loaded. */
  guint           loaded_version;    /* format version read (0 = made in memory) */
  gboolean        loaded_from_prev;  /* main file missing, "-prev" was read */
} BwMachineSettings;

#define BW_TYPE_HARDWARE          (bw_hardware_get_type ())
#define BW_TYPE_SNAPSHOT          (bw_snapshot_get_type ())
#define BW_TYPE_MACHINE_SETTINGS  (bw_machine_settings_get_type ())
#define BW_TYPE_STORAGE_CONTROLLER (bw_storage_controller_get_type ())

GType bw_hardware_get_type (void) G_GNUC_CONST;
GType bw_snapshot_get_type (void) G_GNUC_CONST;
GType bw_machine_settings_get_type (void) G_GNUC_CONST;
GType bw_storage_controller_get_type (void) G_GNUC_CONST;

/* Hardware with defaults for an OS type (recommended memory and VRAM from
 * the table; unknown or NULL id: "Other"), 1 CPU, auto acceleration, BIOS,
 * boot order dvd, disk, none, none, scaled to the window (100 %), no controllers, serial ports disabled at
 * their standard I/O bases and IRQs, network adapter 0 enabled (82540EM,
 * NAT, a fresh locally administered MAC), the others disabled. */
BwHardware *bw_hardware_new (const char *os_type);
BwHardware *bw_hardware_copy (const BwHardware *hw);
void        bw_hardware_free (BwHardware *hw);
gboolean    bw_hardware_equal (const BwHardware *a, const BwHardware *b);
BwStorageController *bw_hardware_find_controller (const BwHardware *hw,
                                                  const char       *name);
/* How the VM window should scale the guest screen: the mode, and for
 * BW_SCALE_MODE_FIXED the factor in percent (BW_SCALE_PERCENT_MIN..MAX;
 * 100 is 1:1). Files without these attributes give WINDOW and 100. */
BwScaleMode bw_hardware_get_scale_mode (const BwHardware *hw);
guint       bw_hardware_get_scale_percent (const BwHardware *hw);
/* Fresh random MAC for adapter defaults: "02xxxxxxxxxx". */
char       *bw_generate_mac (void);

BwStorageController *bw_storage_controller_new (const char *name, BwStorageBus bus);
BwStorageController *bw_storage_controller_copy (const BwStorageController *c);
void                 bw_storage_controller_free (BwStorageController *c);
/* The attachment at port/device, or NULL. */
BwStorageAttachment *bw_storage_controller_find (const BwStorageController *c,
                                                 guint port, guint device);
BwStorageAttachment *bw_storage_attachment_new (guint port, guint device,
                                                BwDeviceType type,
                                                const char *medium);
BwStorageAttachment *bw_storage_attachment_copy (const BwStorageAttachment *a);
void                 bw_storage_attachment_free (BwStorageAttachment *a);

/* A snapshot of `hw` (copied), fresh uuid, time stamp now. */
BwSnapshot *bw_snapshot_new (const char *name, const BwHardware *hw);
/* Deep copy of the subtree; the copy's parent is NULL. */
BwSnapshot *bw_snapshot_copy (const BwSnapshot *snap);
void        bw_snapshot_free (BwSnapshot *snap);   /* frees the subtree */
/* Append `child` (owned) to `parent` and set its parent pointer. */
void        bw_snapshot_add_child (BwSnapshot *parent, BwSnapshot *child);

/* A new machine: fresh uuid, `name`, hardware from bw_hardware_new
 * (os_type), one IDE controller "IDE" with no attachments, PoweredOff,
 * last state change now. */
BwMachineSettings *bw_machine_settings_new (const char *name, const char *os_type);
BwMachineSettings *bw_machine_settings_copy (const BwMachineSettings *s);
void               bw_machine_settings_free (BwMachineSettings *s);
/* Every stored field, extras and snapshot tree included; not the
 * loaded_* fields. */
gboolean           bw_machine_settings_equal (const BwMachineSettings *a,
                                              const BwMachineSettings *b);
/* Depth-first search of the snapshot tree; NULL if absent. */
BwSnapshot        *bw_machine_settings_find_snapshot (const BwMachineSettings *s,
                                                      const char *uuid);
guint              bw_machine_settings_count_snapshots (const BwMachineSettings *s);

/* Load a settings file. If `path` is missing but "path-prev" exists, that
 * is read and loaded_from_prev is set (callers should report it). Errors
 * name the file, the line and the fault. */
BwMachineSettings *bw_machine_settings_load (const char *path, GError **error);
/* Parse from memory; `display_name` is used in messages (e.g. the path). */
BwMachineSettings *bw_machine_settings_load_from_data (const char *data,
                                                       gsize       len,
                                                       const char *display_name,
                                                       GError    **error);
/* The XML text of the current format version (UTF-8, with declaration). */
char              *bw_machine_settings_to_data (const BwMachineSettings *s,
                                                gsize                   *len);
/* Write atomically (bw_atomic_file_write): `path`.tmp, fsync, keep the
 * old file as `path`-prev, rename, fsync the folder. When the settings
 * were loaded from an older version and no backup exists yet, the file at
 * `path` is first copied to `path`-v<N>.bak. Afterwards loaded_version is
 * the current version. Makes the parent folder if missing. */
gboolean           bw_machine_settings_save (BwMachineSettings *s,
                                             const char        *path,
                                             GError           **error);
/* Check the values (ranges, unique controller names and attachment slots,
 * current snapshot exists, ...), as the loader does. */
gboolean           bw_machine_settings_validate (const BwMachineSettings *s,
                                                 GError                 **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwHardware, bw_hardware_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwSnapshot, bw_snapshot_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwMachineSettings, bw_machine_settings_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwStorageController, bw_storage_controller_free)

G_END_DECLS
