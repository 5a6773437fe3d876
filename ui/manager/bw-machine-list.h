/* bw-machine-list.h: the registered machines, kept up to date.
 *
 * A GListModel of BwMachineItem filled by the service's ListMachines and
 * changed by its signals: MachineRegistered appends, MachineUnregistered
 * removes, MachineChanged reloads the item, MachineStateChanged sets its
 * state. No GTK. */
#pragma once

#include "ui/manager/bw-machine-item.h"

G_BEGIN_DECLS

#define BW_TYPE_MACHINE_LIST (bw_machine_list_get_type ())
G_DECLARE_FINAL_TYPE (BwMachineList, bw_machine_list, BW, MACHINE_LIST, GObject)

BwMachineList *bw_machine_list_new (void);

/* Follows client (NULL: forget everything) and lists its machines. */
gboolean bw_machine_list_set_client (BwMachineList *self, BwClient *client, GError **error);
BwClient *bw_machine_list_get_client (BwMachineList *self);

/* The item with this UUID, or NULL; position may be NULL. Borrowed. */
BwMachineItem *bw_machine_list_find (BwMachineList *self, const char *uuid, guint *position);

G_END_DECLS
