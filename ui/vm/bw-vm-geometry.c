/* bw-vm-geometry.c: aspect-correct placement and dirty-rectangle lists. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/vm/bw-vm-geometry.h"

/* Past this many separate rectangles one full upload is cheaper. */
#define MAX_RECTS 16

void
bw_vm_geometry_fit (int fb_width, int fb_height, int area_width, int area_height, BwVmRect *out)
{
  *out = (BwVmRect) { 0, 0, 0, 0 };
  if (fb_width <= 0 || fb_height <= 0 || area_width <= 0 || area_height <= 0)
    return;
  /* Compare area_w/area_h with fb_w/fb_h in integers: no rounding drift. */
  if ((gint64) area_width * fb_height <= (gint64) area_height * fb_width)
    {
      out->width = area_width;
      out->height = (int) (((gint64) area_width * fb_height + fb_width / 2) / fb_width);
    }
  else
    {
      out->height = area_height;
      out->width = (int) (((gint64) area_height * fb_width + fb_height / 2) / fb_height);
    }
  out->width = MAX (out->width, 1);
  out->height = MAX (out->height, 1);
  out->x = (area_width - out->width) / 2;
  out->y = (area_height - out->height) / 2;
}

void
bw_vm_geometry_one_to_one (int fb_width, int fb_height, int area_width, int area_height,
                           int scale, BwVmRect *out)
{
  bw_vm_geometry_fixed (fb_width, fb_height, area_width, area_height, scale, 100, out);
}

void
bw_vm_geometry_fixed (int fb_width, int fb_height, int area_width, int area_height, int scale,
                      int percent, BwVmRect *out)
{
  scale = MAX (scale, 1);
  percent = CLAMP (percent, 1, 1000);
  /* 64-bit products: guest sizes are bounded, but not by this code. */
  out->width = (int) ((gint64) MAX (fb_width, 0) * scale * percent / 100);
  out->height = (int) ((gint64) MAX (fb_height, 0) * scale * percent / 100);
  out->x = MAX ((area_width - out->width) / 2, 0);
  out->y = MAX ((area_height - out->height) / 2, 0);
}

gboolean
bw_vm_geometry_is_integer_scale (int fb_width, int fb_height, const BwVmRect *dest)
{
  return fb_width > 0 && fb_height > 0 && dest->width >= fb_width && dest->height >= fb_height
         && dest->width % fb_width == 0 && dest->height % fb_height == 0;
}

gboolean
bw_vm_rect_clip (BwVmRect *r, int width, int height)
{
  int x1 = CLAMP (r->x, 0, width), y1 = CLAMP (r->y, 0, height);
  /* Widen before adding: a guest-supplied size must not overflow. */
  gint64 x2 = CLAMP ((gint64) r->x + r->width, 0, width);
  gint64 y2 = CLAMP ((gint64) r->y + r->height, 0, height);
  if (r->width <= 0 || r->height <= 0 || x2 <= x1 || y2 <= y1)
    {
      *r = (BwVmRect) { 0, 0, 0, 0 };
      return FALSE;
    }
  *r = (BwVmRect) { x1, y1, (int) (x2 - x1), (int) (y2 - y1) };
  return TRUE;
}

struct _BwVmDirty
{
  int width, height;
  gboolean full;
  gint64 area; /* sum of the listed rectangles' areas */
  GArray *rects;
};

BwVmDirty *
bw_vm_dirty_new (void)
{
  BwVmDirty *dirty = g_new0 (BwVmDirty, 1);
  dirty->rects = g_array_new (FALSE, FALSE, sizeof (BwVmRect));
  return dirty;
}

void
bw_vm_dirty_free (BwVmDirty *dirty)
{
  if (dirty == NULL)
    return;
  g_array_unref (dirty->rects);
  g_free (dirty);
}

void
bw_vm_dirty_add_all (BwVmDirty *dirty)
{
  g_array_set_size (dirty->rects, 0);
  dirty->area = 0;
  dirty->full = dirty->width > 0 && dirty->height > 0;
  if (dirty->full)
    {
      BwVmRect all = { 0, 0, dirty->width, dirty->height };
      g_array_append_val (dirty->rects, all);
      dirty->area = (gint64) dirty->width * dirty->height;
    }
}

void
bw_vm_dirty_set_size (BwVmDirty *dirty, int width, int height)
{
  dirty->width = MAX (width, 0);
  dirty->height = MAX (height, 0);
  bw_vm_dirty_add_all (dirty);
}

static gboolean
contains (const BwVmRect *outer, const BwVmRect *inner)
{
  return inner->x >= outer->x && inner->y >= outer->y
         && inner->x + inner->width <= outer->x + outer->width
         && inner->y + inner->height <= outer->y + outer->height;
}

void
bw_vm_dirty_add (BwVmDirty *dirty, const BwVmRect *rect)
{
  BwVmRect r = *rect;

  if (dirty->full || !bw_vm_rect_clip (&r, dirty->width, dirty->height))
    return;
  for (guint i = 0; i < dirty->rects->len; i++)
    if (contains (&g_array_index (dirty->rects, BwVmRect, i), &r))
      return;
  /* Drop listed rectangles the new one covers. */
  for (guint i = dirty->rects->len; i-- > 0;)
    {
      BwVmRect *old = &g_array_index (dirty->rects, BwVmRect, i);
      if (contains (&r, old))
        {
          dirty->area -= (gint64) old->width * old->height;
          g_array_remove_index_fast (dirty->rects, i);
        }
    }
  g_array_append_val (dirty->rects, r);
  dirty->area += (gint64) r.width * r.height;
  if (dirty->rects->len > MAX_RECTS || dirty->area * 2 >= (gint64) dirty->width * dirty->height)
    bw_vm_dirty_add_all (dirty);
}

gboolean
bw_vm_dirty_is_empty (BwVmDirty *dirty)
{
  return dirty->rects->len == 0;
}

gboolean
bw_vm_dirty_is_full (BwVmDirty *dirty)
{
  return dirty->full;
}

const BwVmRect *
bw_vm_dirty_peek (BwVmDirty *dirty, guint *n_rects)
{
  *n_rects = dirty->rects->len;
  return (const BwVmRect *) dirty->rects->data;
}

void
bw_vm_dirty_clear (BwVmDirty *dirty)
{
  g_array_set_size (dirty->rects, 0);
  dirty->area = 0;
  dirty->full = FALSE;
}
