/* bw-iso-label.h: the volume label of an ISO 9660 image, and a guess of
 * the guest OS type from it (the new-machine wizard fills in the OS type
 * when a person picks an installer ISO). No GTK. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BW_ISO_ERROR (bw_iso_error_quark ())

typedef enum
{
  BW_ISO_ERROR_IO,      /* the file cannot be opened or read */
  BW_ISO_ERROR_NOT_ISO, /* no primary volume descriptor at 0x8000 */
} BwIsoError;

GQuark bw_iso_error_quark (void);

/* The volume identifier of the primary volume descriptor (sector 16),
 * trailing blanks removed; "" when the image has none. */
char *bw_iso_read_volume_label (const char *path, GError **error);

/* An id of the OS type table for a volume label ("Debian 12.4.0 amd64 n"
 * -> "Debian_64"), or NULL when the label says nothing we know. */
const char *bw_iso_guess_os_type (const char *label);

G_END_DECLS
