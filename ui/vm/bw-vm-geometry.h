/* bw-vm-geometry.h: where the guest screen goes in the display, and
 * which parts of the texture need uploading. GTK-free, so that the unit
 * tests check the arithmetic without a display.
 *
 * All sizes here are in device pixels (widget size times the scale
 * factor), which is what GL draws in. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  int x, y, width, height;
} BwVmRect;

/* Scale to window: the largest rectangle with the framebuffer's aspect
 * ratio that fits in the area, centred (letterbox or pillarbox bars). */
void bw_vm_geometry_fit (int fb_width, int fb_height, int area_width, int area_height,
                         BwVmRect *out);
/* 1:1: one guest pixel is scale x scale device pixels (scale = the
 * widget's scale factor), centred when the area is larger, at the
 * origin (the scrolled window pans) when it is not. */
void bw_vm_geometry_one_to_one (int fb_width, int fb_height, int area_width, int area_height,
                                int scale, BwVmRect *out);
/* A fixed scale factor (the machine's display setting): one guest pixel
 * is scale * percent / 100 device pixels, placed as for 1:1. */
void bw_vm_geometry_fixed (int fb_width, int fb_height, int area_width, int area_height, int scale,
                           int percent, BwVmRect *out);
/* Whether dest shows every guest pixel as a whole number of device pixels
 * in both directions: then nearest filtering is sharp and exact; else
 * linear filtering avoids uneven pixel widths. */
gboolean bw_vm_geometry_is_integer_scale (int fb_width, int fb_height, const BwVmRect *dest);
/* Clips r to 0,0..width,height; FALSE when nothing is left. */
gboolean bw_vm_rect_clip (BwVmRect *r, int width, int height);

/* The parts of the texture that changed since the last upload. */
typedef struct _BwVmDirty BwVmDirty;

BwVmDirty *bw_vm_dirty_new (void);
void bw_vm_dirty_free (BwVmDirty *dirty);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwVmDirty, bw_vm_dirty_free)

/* A new framebuffer size: everything is dirty. */
void bw_vm_dirty_set_size (BwVmDirty *dirty, int width, int height);
/* Adds a changed rectangle (clipped; empty ones are ignored). Rectangles
 * inside one already listed are dropped; when the list grows past a
 * handful or covers half the screen it becomes one full-screen upload,
 * which a GL driver does faster than many small ones. */
void bw_vm_dirty_add (BwVmDirty *dirty, const BwVmRect *rect);
void bw_vm_dirty_add_all (BwVmDirty *dirty);
gboolean bw_vm_dirty_is_empty (BwVmDirty *dirty);
gboolean bw_vm_dirty_is_full (BwVmDirty *dirty);
/* The rectangles to upload now (valid until the next call on dirty). */
const BwVmRect *bw_vm_dirty_peek (BwVmDirty *dirty, guint *n_rects);
void bw_vm_dirty_clear (BwVmDirty *dirty);

G_END_DECLS
