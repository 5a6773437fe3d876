/* bw-vm-app-window.h: boxwood-vm's window front end (built only with
 * GTK). The BwVmWindow of ui/vm over this process's BwVm and BwPcBoard,
 * through a BwVmController implemented here. */
#pragma once

#include "app/vm/bw-vm-app-private.h"

G_BEGIN_DECLS

/* Opens the display (before anything is registered, so that a missing
 * display is a plain start-up error). */
gboolean bw_vm_app_window_init (GError **error);
/* After bw_vm_start(): the window on the running machine. */
gboolean bw_vm_app_window_open (BwVmApp *app, GError **error);
/* The CD drive's medium changed (main thread, outside the platform
 * lock): the window's Devices menu and status bar follow. */
void bw_vm_app_window_medium_changed (BwVmApp *app);
/* Destroys the window and the controller (before the VM goes). */
void bw_vm_app_window_close (BwVmApp *app);

G_END_DECLS
