/* bw-machine-row.h: one row of the machine list (icon, name, state). */
#pragma once

#include <gtk/gtk.h>

#include "ui/manager/bw-machine-item.h"

G_BEGIN_DECLS

#define BW_TYPE_MACHINE_ROW (bw_machine_row_get_type ())
G_DECLARE_FINAL_TYPE (BwMachineRow, bw_machine_row, BW, MACHINE_ROW, GtkBox)

GtkWidget *bw_machine_row_new (void);
BwMachineItem *bw_machine_row_get_item (BwMachineRow *self);
void bw_machine_row_set_item (BwMachineRow *self, BwMachineItem *item);

G_END_DECLS
