/* bw-vm-grab.h: exclusive keyboard and pointer for a captured display.
 *
 * GTK 4 has no public grab API. On X11 the display grabs with
 * XGrabPointer (confined to its window) and XGrabKeyboard on the
 * surface's XID, and keeps the pointer in the middle with XWarpPointer so
 * that motion never stops at a screen edge. On Wayland it asks the
 * compositor to inhibit its shortcuts (gdk_toplevel_inhibit_system_
 * shortcuts); pointer confinement and relative motion need protocols GTK
 * 4.8 does not expose, so there the pointer is hidden but not confined. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Whether the platform lets us warp the pointer back (X11). */
gboolean bw_vm_grab_can_warp (GtkWidget *widget);
/* Grabs for widget's toplevel; event is the triggering event if any.
 * Returns FALSE when another client holds a grab. */
gboolean bw_vm_grab_begin (GtkWidget *widget, GdkEvent *event);
void bw_vm_grab_end (GtkWidget *widget);
/* Moves the pointer to x, y in widget coordinates (X11 only). */
void bw_vm_grab_warp (GtkWidget *widget, double x, double y);

G_END_DECLS
