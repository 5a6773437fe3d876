/* bw-preferences-dialog.h: application preferences (GSettings keys
 * "machine-folder" and "host-key" of org.boxwood.Boxwood). The machine
 * folder is also handed to the service, so boxwood-manage agrees. */
#pragma once

#include <gtk/gtk.h>

#include "app/main/client/bw-client.h"

G_BEGIN_DECLS

#define BW_TYPE_PREFERENCES_DIALOG (bw_preferences_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BwPreferencesDialog, bw_preferences_dialog, BW, PREFERENCES_DIALOG, GtkWindow)

/* client may be NULL (no service): the folder is then only stored. */
BwPreferencesDialog *bw_preferences_dialog_new (GtkWindow *parent, GSettings *settings,
                                                BwClient *client);

/* Host key names stored in GSettings (X keysym names), in dropdown order. */
extern const char *const bw_host_key_names[];

G_END_DECLS
