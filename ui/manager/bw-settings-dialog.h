/* bw-settings-dialog.h: the settings of one machine.
 *
 * Pages General, System, Display, Storage, Serial Ports edit a copy of the
 * machine's settings; problems (memory beyond the host, a missing image,
 * a bad path) are shown before OK and keep OK insensitive; OK sends all
 * differences in one ModifyMachine. While the machine runs everything is
 * shown locked. */
#pragma once

#include <gtk/gtk.h>

#include "ui/manager/bw-machine-item.h"

G_BEGIN_DECLS

#define BW_TYPE_SETTINGS_DIALOG (bw_settings_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BwSettingsDialog, bw_settings_dialog, BW, SETTINGS_DIALOG, GtkWindow)

/* NULL with error when the machine's settings cannot be read. */
BwSettingsDialog *bw_settings_dialog_new (GtkWindow *parent, BwClient *client, BwMachineItem *item,
                                          GError **error);

G_END_DECLS
