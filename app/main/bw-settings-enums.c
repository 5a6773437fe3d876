/* bw-settings-enums.c: enum values <-> the names used in files and on the
 * command line. */
#define G_LOG_DOMAIN "boxwood-main"
#include "config.h"

#include <string.h>

#include "app/main/bw-global-settings.h"
#include "app/main/bw-machine-settings.h"

static gboolean
lookup (const char *const *names, guint n, const char *s, int *out)
{
  if (s == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (names[i] != NULL && strcmp (names[i], s) == 0)
      {
        *out = (int) i;
        return TRUE;
      }
  return FALSE;
}

/* One pair of functions per enum; values are the array indexes. */
#define BW_ENUM_STRINGS(Type, prefix, ...)                                  \
  static const char *const prefix##_names[] = { __VA_ARGS__ };              \
  const char *prefix##_to_string (Type v)                                   \
  {                                                                         \
    return (guint) v < G_N_ELEMENTS (prefix##_names) ? prefix##_names[v]    \
                                                     : "invalid";           \
  }                                                                         \
  gboolean prefix##_from_string (const char *s, Type *out)                  \
  {                                                                         \
    int v;                                                                  \
    if (!lookup (prefix##_names, G_N_ELEMENTS (prefix##_names), s, &v))     \
      return FALSE;                                                         \
    *out = (Type) v;                                                        \
    return TRUE;                                                            \
  }

BW_ENUM_STRINGS (BwAcceleration, bw_acceleration, "auto", "kvm", "software")
BW_ENUM_STRINGS (BwFirmware, bw_firmware, "bios", "efi")
BW_ENUM_STRINGS (BwScaleMode, bw_scale_mode, "window", "fixed")
BW_ENUM_STRINGS (BwBootDevice, bw_boot_device, "none", "floppy", "dvd", "disk", "net")
BW_ENUM_STRINGS (BwStorageBus, bw_storage_bus, "ide")
BW_ENUM_STRINGS (BwDeviceType, bw_device_type, "hdd", "dvddrive")
BW_ENUM_STRINGS (BwSerialMode, bw_serial_mode, "disconnected", "file", "unix-socket")
BW_ENUM_STRINGS (BwNicType, bw_nic_type, "Am79C970A", "Am79C973", "82540EM",
                 "82543GC", "82545EM", "virtio")
BW_ENUM_STRINGS (BwNetAttachment, bw_net_attachment, "none", "nat", "bridged",
                 "intnet", "hostonly")
BW_ENUM_STRINGS (BwMachineState, bw_machine_state, "PoweredOff", "Saved", "Aborted",
                 "Starting", "Running", "Paused", "Stopping", "Saving", "Restoring")
BW_ENUM_STRINGS (BwMediumType, bw_medium_type, "Normal", "Immutable", "Writethrough",
                 "Shareable", "Readonly", "MultiAttach")

const char *
bw_medium_kind_to_string (BwMediumKind v)
{
  return v == BW_MEDIUM_KIND_DVD ? "dvd" : "hdd";
}
