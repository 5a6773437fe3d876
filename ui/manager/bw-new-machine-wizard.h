/* bw-new-machine-wizard.h: the New Machine wizard.
 *
 * Pages: name, folder, optional ISO (its volume label guesses the OS
 * type) and OS type; memory and CPUs (defaults from the OS type, bounded
 * by the host); hard disk (new VDI, existing image, none); summary.
 * Create goes through the service; "created" (uuid) follows. */
#pragma once

#include <gtk/gtk.h>

#include "app/main/client/bw-client.h"

G_BEGIN_DECLS

#define BW_TYPE_NEW_MACHINE_WIZARD (bw_new_machine_wizard_get_type ())
G_DECLARE_FINAL_TYPE (BwNewMachineWizard, bw_new_machine_wizard, BW, NEW_MACHINE_WIZARD, GtkWindow)

BwNewMachineWizard *bw_new_machine_wizard_new (GtkWindow *parent, BwClient *client);

/* Checks of the first page, shared with tests: NULL when fine, else a
 * translated sentence saying what is wrong. taken: names in use. */
char *bw_new_machine_check_name (const char *name, const char *const *taken);
char *bw_new_machine_check_folder (const char *folder, const char *name);

G_END_DECLS
