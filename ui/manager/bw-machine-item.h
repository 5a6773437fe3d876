/* bw-machine-item.h: one registered machine as the manager shows it.
 *
 * Items live in a BwMachineList; their properties (name, state, icon)
 * change when the service says so, and the rows of the list follow through
 * property bindings. The settings (OS type, hardware) are fetched from the
 * service the first time something asks for them, so a list of a thousand
 * machines costs one ListMachines call until rows become visible. */
#pragma once

#include "app/main/bw-machine-settings.h"
#include "app/main/client/bw-client.h"

G_BEGIN_DECLS

#define BW_TYPE_MACHINE_ITEM (bw_machine_item_get_type ())
G_DECLARE_FINAL_TYPE (BwMachineItem, bw_machine_item, BW, MACHINE_ITEM, GObject)

BwMachineItem *bw_machine_item_new (BwClient *client, const char *uuid, const char *name,
                                    const char *state, const char *error);

const char *bw_machine_item_get_uuid (BwMachineItem *self);
/* The service connection the item was listed through. Borrowed. */
BwClient *bw_machine_item_get_client (BwMachineItem *self);
const char *bw_machine_item_get_name (BwMachineItem *self);
/* The service's state string ("poweroff", "running", ...). */
const char *bw_machine_item_get_state (BwMachineItem *self);
/* Translated ("Powered Off", "Running", ...). */
const char *bw_machine_item_get_state_label (BwMachineItem *self);
const char *bw_machine_item_get_icon_name (BwMachineItem *self);
/* NULL for a readable machine, else what is wrong with its file. */
const char *bw_machine_item_get_error (BwMachineItem *self);
/* TRUE while a VM process holds the machine (settings are locked). */
gboolean bw_machine_item_is_live (BwMachineItem *self);

void bw_machine_item_set_state (BwMachineItem *self, const char *state);
/* Forget the cached settings (the service said they changed) and fetch
 * them again: the name and icon follow. */
void bw_machine_item_reload (BwMachineItem *self);

/* The settings as the service holds them; fetched once and cached. NULL
 * with error when the machine cannot be read. Borrowed. */
const BwMachineSettings *bw_machine_item_get_settings (BwMachineItem *self, GError **error);
const char *bw_machine_item_get_settings_path (BwMachineItem *self);

/* Translated label for a service state string. */
const char *bw_machine_state_label (const char *state);
/* Icon name for an OS family of the table ("Linux", "Windows", ...). */
const char *bw_os_family_icon_name (const char *family);

G_END_DECLS
