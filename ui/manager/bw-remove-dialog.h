/* bw-remove-dialog.h: confirm removing a machine, listing what would be
 * deleted. */
#pragma once

#include <gtk/gtk.h>

#include "ui/manager/bw-machine-item.h"

G_BEGIN_DECLS

#define BW_TYPE_REMOVE_DIALOG (bw_remove_dialog_get_type ())
G_DECLARE_FINAL_TYPE (BwRemoveDialog, bw_remove_dialog, BW, REMOVE_DIALOG, GtkWindow)

BwRemoveDialog *bw_remove_dialog_new (GtkWindow *parent, BwClient *client, BwMachineItem *item);

/* The files UnregisterMachine with delete_files removes for a settings
 * file: the file, its -prev copy and Logs/ (those that exist). */
GPtrArray *bw_remove_dialog_files_to_delete (const char *settings_path);

G_END_DECLS
