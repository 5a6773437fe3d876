/* bw-machine-details.h: the details pane of the manager window. */
#pragma once

#include <gtk/gtk.h>

#include "ui/manager/bw-machine-item.h"

G_BEGIN_DECLS

#define BW_TYPE_MACHINE_DETAILS (bw_machine_details_get_type ())
G_DECLARE_FINAL_TYPE (BwMachineDetails, bw_machine_details, BW, MACHINE_DETAILS, GtkBox)

/* Shows item (NULL: nothing selected) and follows its changes. */
void bw_machine_details_set_item (BwMachineDetails *self, BwMachineItem *item);

/* Human words for settings values, shared with the wizard's summary. */
char *bw_format_memory (guint mib);
const char *bw_boot_device_label (BwBootDevice device);
const char *bw_acceleration_label (BwAcceleration acceleration);
const char *bw_firmware_label (BwFirmware firmware);
/* "Scaled to the window", "1:1 (100 %)", "Fixed at 150 %". */
char *bw_scaling_label (BwScaleMode mode, guint percent);
/* "IDE primary master" etc. */
char *bw_storage_slot_label (const char *controller, guint port, guint device);

G_END_DECLS
