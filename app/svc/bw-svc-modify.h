/* bw-svc-modify.h: ModifyMachine's key/value changes applied to settings.
 *
 * Pure: works on a copy of the settings the caller owns and touches no
 * file; the caller validates the result, registers new media and writes
 * the file. Keys and values are documented at ModifyMachine in
 * data/dbus/org.boxwood.Service1.xml. */
#pragma once

#include <glib.h>

#include "app/main/bw-machine-settings.h"

G_BEGIN_DECLS

typedef struct {
  char *new_name;       /* set when a "name" change was applied */
  GPtrArray *media;     /* of BwSvcModifyMedium*: images newly attached */
} BwSvcModifyResult;

typedef struct {
  BwDeviceType type;
  char *path;
} BwSvcModifyMedium;

void bw_svc_modify_result_clear (BwSvcModifyResult *result);

/* Applies one change to settings. Errors are BW_CLIENT_ERROR_INVALID_ARGUMENT
 * (or NOT_FOUND for a missing image file) and name the key. */
gboolean bw_svc_modify_apply (BwMachineSettings *settings,
                              const char *key,
                              const char *value,
                              BwSvcModifyResult *result,
                              GError **error);

G_END_DECLS
