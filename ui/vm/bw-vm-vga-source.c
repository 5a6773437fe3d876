/* bw-vm-vga-source.c: BwVgaClient behind the frame source callbacks. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/vm/bw-vm-vga-source.h"

#include <string.h>
#include "vmm/bw-platform.h"

typedef struct
{
  BwDevice *vga;
  BwVgaClient *client;
  GArray *vga_rects; /* BwVgaRect */
  guint32 *copy;     /* our copy of the screen, width x height */
  int width, height;
} VgaSource;

static gboolean
vga_update (gpointer data, GArray *rects, gboolean *resized)
{
  VgaSource *s = data;
  BwPlatform *platform = s->vga->platform;
  const guint32 *fb;
  guint w = 0, h = 0, stride = 0;

  g_array_set_size (s->vga_rects, 0);
  /* The lock is recursive: holding it across update and copy keeps
   * another client from re-rendering in between. */
  bw_platform_lock (platform);
  bw_vga_client_update (s->client, s->vga_rects);
  fb = bw_vga_get_framebuffer (s->vga, &w, &h, &stride);
  if (fb == NULL)
    w = h = 0;
  if ((int) w != s->width || (int) h != s->height)
    {
      g_free (s->copy);
      s->width = (int) w;
      s->height = (int) h;
      s->copy = g_new0 (guint32, (gsize) MAX (w, 1) * MAX (h, 1));
      *resized = TRUE;
      g_array_set_size (s->vga_rects, 0);
      if (w > 0 && h > 0)
        {
          BwVgaRect all = { 0, 0, (int) w, (int) h };
          g_array_append_val (s->vga_rects, all);
        }
    }
  for (guint i = 0; i < s->vga_rects->len; i++)
    {
      BwVgaRect *vr = &g_array_index (s->vga_rects, BwVgaRect, i);
      BwVmRect r = { vr->x, vr->y, vr->width, vr->height };
      if (!bw_vm_rect_clip (&r, s->width, s->height))
        continue;
      for (int y = r.y; y < r.y + r.height; y++)
        memcpy (s->copy + (gsize) y * s->width + r.x, fb + (gsize) y * stride + r.x,
                (gsize) r.width * sizeof (guint32));
      g_array_append_val (rects, r);
    }
  bw_platform_unlock (platform);
  return *resized || s->vga_rects->len > 0;
}

static const guint32 *
vga_get_pixels (gpointer data, int *width, int *height, int *stride)
{
  VgaSource *s = data;
  *width = s->width;
  *height = s->height;
  *stride = s->width;
  return s->width > 0 ? s->copy : NULL;
}

static void
vga_free (gpointer data)
{
  VgaSource *s = data;
  bw_vga_client_free (s->client);
  g_array_unref (s->vga_rects);
  g_free (s->copy);
  g_free (s);
}

static const BwVmFrameSourceFuncs vga_funcs = {
  .update = vga_update,
  .get_pixels = vga_get_pixels,
};

BwVmFrameSource *
bw_vm_vga_source_new (BwDevice *vga)
{
  VgaSource *s = g_new0 (VgaSource, 1);
  s->vga = vga;
  s->client = bw_vga_client_new (vga);
  s->vga_rects = g_array_new (FALSE, FALSE, sizeof (BwVgaRect));
  return bw_vm_frame_source_new (&vga_funcs, s, vga_free);
}
