/* bw-vm-log-window.h: the machine's log (Logs/boxwood.log) as text.
 *
 * Machine > Show Log opens it: a read-only, monospace view of the file,
 * scrolled to its end (the newest lines), with Reload. The title is
 * "NAME - Log". A file that cannot be read shows why instead of text. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BW_VM_TYPE_LOG_WINDOW (bw_vm_log_window_get_type ())
G_DECLARE_FINAL_TYPE (BwVmLogWindow, bw_vm_log_window, BW_VM, LOG_WINDOW, GtkWindow)

BwVmLogWindow *bw_vm_log_window_new (GtkWindow *parent, const char *machine_name,
                                     const char *path);
/* Reads the file again; FALSE (and the reason shown) when it cannot. */
gboolean bw_vm_log_window_reload (BwVmLogWindow *self, GError **error);

G_END_DECLS
