/* bw-manage-client.h: boxwood-manage's side of the service client: connect,
 * report errors the same way everywhere, fetch a machine's settings. */
#pragma once

#include <glib.h>

#include "app/main/bw-machine-settings.h"
#include "app/main/client/bw-client.h"

G_BEGIN_DECLS

/* Connects to boxwood-svc (starting it); NULL after printing the error. */
BwClient *bw_manage_connect (void);

/* Prints error and returns the exit status for it. */
int bw_manage_client_error (const GError *error);

/* Sends keys[i] = values[i] to ModifyMachine; returns the exit status. */
int bw_manage_modify (BwClient *client, const char *machine, GPtrArray *keys, GPtrArray *values);
/* Same for one change. */
int bw_manage_modify1 (BwClient *client, const char *machine, const char *key, const char *value);

/* The machine's settings as the service holds them; NULL after printing
 * the error. uuid and settings_path may be NULL. */
BwMachineSettings *bw_manage_get_settings (BwClient *client, const char *machine, char **uuid,
                                           char **settings_path);

/* Paths given on the command line are relative to the caller's folder, but
 * the service runs elsewhere: always send absolute paths. */
char *bw_manage_absolute_path (const char *path);

G_END_DECLS
