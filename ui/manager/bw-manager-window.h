/* bw-manager-window.h: the manager's main window.
 *
 * Header bar with New, Settings, Start (normal or headless) and Remove;
 * the machine list (search, keyboard navigation, context menu) beside the
 * details of the selected machine; a banner for errors from the service.
 * Window actions: win.new, win.settings, win.start, win.start-headless,
 * win.remove, win.search. */
#pragma once

#include <gtk/gtk.h>

#include "app/main/client/bw-client.h"

G_BEGIN_DECLS

#define BW_TYPE_MANAGER_WINDOW (bw_manager_window_get_type ())
G_DECLARE_FINAL_TYPE (BwManagerWindow, bw_manager_window, BW, MANAGER_WINDOW, GtkApplicationWindow)

BwManagerWindow *bw_manager_window_new (GtkApplication *app);

/* Connects to the service (starting it if needed) and lists the machines;
 * a failure is shown in the window with a Retry button. */
gboolean bw_manager_window_connect (BwManagerWindow *self);
BwClient *bw_manager_window_get_client (BwManagerWindow *self);

/* Shows "DOING: message. advice" in the error banner. */
void bw_manager_window_show_error (BwManagerWindow *self, const char *doing, const GError *error);

/* Selects the machine with this UUID or name (after the wizard created
 * it); FALSE when the list has no such machine. */
gboolean bw_manager_window_select (BwManagerWindow *self, const char *uuid);
/* `boxwood --select MACHINE`: selects it (UUID or name) and shows its
 * details; a machine the service does not know is reported in the error
 * banner; while the window is not connected, it is chosen once the list
 * arrives. */
void bw_manager_window_select_machine (BwManagerWindow *self, const char *machine);

/* boxwood-vm: $BOXWOOD_VM, else next to the running program, else in the
 * build tree. NULL when none is found (BW_CLIENT_ERROR_NOT_FOUND says
 * what to do). */
char *bw_manager_find_vm_program (GError **error);

G_END_DECLS
