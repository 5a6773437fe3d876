/* bw-vm-grab.c: X11 grabs (a documented exception to "GTK only") and
 * the Wayland shortcut inhibitor. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/vm/bw-vm-grab.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#ifdef GDK_WINDOWING_X11
static gboolean
x11_surface (GtkWidget *widget, Display **dpy, Window *xid)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GdkSurface *surface = native ? gtk_native_get_surface (native) : NULL;
  if (surface == NULL || !GDK_IS_X11_SURFACE (surface))
    return FALSE;
  *dpy = gdk_x11_display_get_xdisplay (gtk_widget_get_display (widget));
  *xid = gdk_x11_surface_get_xid (surface);
  return *xid != 0;
}
#endif

gboolean
bw_vm_grab_can_warp (GtkWidget *widget)
{
#ifdef GDK_WINDOWING_X11
  Display *dpy;
  Window xid;
  return x11_surface (widget, &dpy, &xid);
#else
  return FALSE;
#endif
}

gboolean
bw_vm_grab_begin (GtkWidget *widget, GdkEvent *event)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GdkSurface *surface = native ? gtk_native_get_surface (native) : NULL;
#ifdef GDK_WINDOWING_X11
  Display *dpy;
  Window xid;
  if (x11_surface (widget, &dpy, &xid))
    {
      int kb, ptr;
      ptr = XGrabPointer (dpy, xid, True,
                          ButtonPressMask | ButtonReleaseMask | PointerMotionMask,
                          GrabModeAsync, GrabModeAsync, xid, None, CurrentTime);
      kb = XGrabKeyboard (dpy, xid, True, GrabModeAsync, GrabModeAsync, CurrentTime);
      if (ptr != GrabSuccess || kb != GrabSuccess)
        {
          g_debug ("X11 grab refused (pointer %d, keyboard %d)", ptr, kb);
          XUngrabPointer (dpy, CurrentTime);
          XUngrabKeyboard (dpy, CurrentTime);
          XFlush (dpy);
          return FALSE;
        }
      XFlush (dpy);
      return TRUE;
    }
#endif
  if (surface != NULL && GDK_IS_TOPLEVEL (surface))
    gdk_toplevel_inhibit_system_shortcuts (GDK_TOPLEVEL (surface), event);
  return TRUE;
}

void
bw_vm_grab_end (GtkWidget *widget)
{
  GtkNative *native = gtk_widget_get_native (widget);
  GdkSurface *surface = native ? gtk_native_get_surface (native) : NULL;
#ifdef GDK_WINDOWING_X11
  Display *dpy;
  Window xid;
  if (x11_surface (widget, &dpy, &xid))
    {
      XUngrabPointer (dpy, CurrentTime);
      XUngrabKeyboard (dpy, CurrentTime);
      XFlush (dpy);
      return;
    }
#endif
  if (surface != NULL && GDK_IS_TOPLEVEL (surface))
    gdk_toplevel_restore_system_shortcuts (GDK_TOPLEVEL (surface));
}

void
bw_vm_grab_warp (GtkWidget *widget, double x, double y)
{
#ifdef GDK_WINDOWING_X11
  Display *dpy;
  Window xid;
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t in = GRAPHENE_POINT_INIT ((float) x, (float) y), out;
  double nx, ny;
  int scale;

  if (!x11_surface (widget, &dpy, &xid)
      || !gtk_widget_compute_point (widget, GTK_WIDGET (native), &in, &out))
    return;
  /* Widget -> surface coordinates: add the native's surface transform. */
  gtk_native_get_surface_transform (native, &nx, &ny);
  scale = gtk_widget_get_scale_factor (widget);
  XWarpPointer (dpy, None, xid, 0, 0, 0, 0, (int) ((out.x + nx) * scale),
                (int) ((out.y + ny) * scale));
  XFlush (dpy);
#endif
}
