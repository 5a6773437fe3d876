/* bw-settings-error.h: errors of the settings files and the registry.
 *
 * Messages name the file and, when the fault is in its content, the line:
 * "/home/u/Boxwood VMs/A/A.bwvm:12: memory size 0 MiB is out of range
 * (4..1048576)". */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BW_SETTINGS_ERROR (bw_settings_error_quark ())
GQuark bw_settings_error_quark (void);

typedef enum {
  BW_SETTINGS_ERROR_IO,          /* cannot read or write the file */
  BW_SETTINGS_ERROR_PARSE,       /* not well-formed XML (libxml2's message) */
  BW_SETTINGS_ERROR_INVALID,     /* well-formed, but a value or element is wrong */
  BW_SETTINGS_ERROR_VERSION,     /* format version unknown or newer than ours */
  BW_SETTINGS_ERROR_SCHEMA,      /* fails RELAX NG validation */
  BW_SETTINGS_ERROR_NOT_FOUND,   /* no such machine / medium / OS type */
  BW_SETTINGS_ERROR_EXISTS,      /* duplicate name, uuid, path or file */
} BwSettingsError;

G_END_DECLS
