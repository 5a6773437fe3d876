/* bw-vm-window.h: the window of one running machine.
 *
 * The guest screen (BwVmDisplay) with the menus Machine, View, Input,
 * Devices and Help, and a status bar with disk and CD activity, the CPU
 * backend and the capture state. The title is "NAME [State] - Boxwood".
 * The window reaches the machine only through a BwVmController and
 * follows its "state-changed", "activity" and "medium-changed" signals.
 * Closing it asks whether to send the ACPI shutdown signal or to power
 * off; it destroys itself once the machine is powered off.
 *
 * How boxwood-vm uses it (link bw_ui_vm_dep):
 *   source = bw_vm_vga_source_new (bw_platform_find_device (platform, "vga"));
 *   controller = its own BwVmController over the BwVm and the BwPcBoard
 *     (put_scancodes -> bw_pc_board_put_scancodes, put_mouse ->
 *     bw_pc_board_put_mouse, pause/resume/reset/power_off -> bw_vm_*,
 *     get_state from bw_vm_get_state, get_backend_name from the backend
 *     the execution manager chose, get_backend_note when it fell back to
 *     the software CPU; VM state listeners marshalled to the main context
 *     and turned into bw_vm_controller_emit_state_changed());
 *   window = bw_vm_window_new (app, controller, source);
 *   bw_vm_window_set_host_key (window, <org.boxwood.Boxwood host-key>);
 *   gtk_window_present (GTK_WINDOW (window)); */
#pragma once

#include <gtk/gtk.h>
#include "ui/vm/bw-vm-controller.h"
#include "ui/vm/bw-vm-display.h"
#include "ui/vm/bw-vm-frame-source.h"

G_BEGIN_DECLS

#define BW_VM_TYPE_WINDOW (bw_vm_window_get_type ())
G_DECLARE_FINAL_TYPE (BwVmWindow, bw_vm_window, BW_VM, WINDOW, GtkApplicationWindow)

/* source may be NULL (no screen yet; set it later on the display). */
BwVmWindow *bw_vm_window_new (GtkApplication *app, BwVmController *controller,
                              BwVmFrameSource *source);
BwVmController *bw_vm_window_get_controller (BwVmWindow *self);
BwVmDisplay *bw_vm_window_get_display (BwVmWindow *self);
/* The host key as a GSettings value ("Control_R") or key name. */
void bw_vm_window_set_host_key (BwVmWindow *self, const char *setting);
/* Writes the guest screen as it is shown (the frame source's pixels) to
 * a PNG file. */
gboolean bw_vm_window_save_screenshot (BwVmWindow *self, const char *path, GError **error);
/* The BwVmActivity bits whose status-bar lights are on now. */
guint bw_vm_window_get_lit_activity (BwVmWindow *self);
/* The title for a machine name and state, with the capture hint. */
char *bw_vm_window_format_title (const char *name, BwVmRunState state, gboolean captured,
                                 const char *host_key_name);

G_END_DECLS
