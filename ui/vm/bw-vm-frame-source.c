/* bw-vm-frame-source.c: the frame source wrapper and the in-memory source. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/vm/bw-vm-frame-source.h"

struct _BwVmFrameSource
{
  gatomicrefcount ref;
  const BwVmFrameSourceFuncs *funcs;
  gpointer data;
  GDestroyNotify destroy;
  guint64 n_updates;
};

G_DEFINE_BOXED_TYPE (BwVmFrameSource, bw_vm_frame_source, bw_vm_frame_source_ref,
                     bw_vm_frame_source_unref)

BwVmFrameSource *
bw_vm_frame_source_new (const BwVmFrameSourceFuncs *funcs, gpointer data, GDestroyNotify destroy)
{
  BwVmFrameSource *source = g_new0 (BwVmFrameSource, 1);
  g_atomic_ref_count_init (&source->ref);
  source->funcs = funcs;
  source->data = data;
  source->destroy = destroy;
  return source;
}

BwVmFrameSource *
bw_vm_frame_source_ref (BwVmFrameSource *source)
{
  g_atomic_ref_count_inc (&source->ref);
  return source;
}

void
bw_vm_frame_source_unref (BwVmFrameSource *source)
{
  if (source == NULL || !g_atomic_ref_count_dec (&source->ref))
    return;
  if (source->destroy != NULL)
    source->destroy (source->data);
  g_free (source);
}

gboolean
bw_vm_frame_source_update (BwVmFrameSource *source, GArray *rects, gboolean *resized)
{
  gboolean r = FALSE;
  *resized = FALSE;
  source->n_updates++;
  r = source->funcs->update (source->data, rects, resized);
  return r || *resized;
}

const guint32 *
bw_vm_frame_source_get_pixels (BwVmFrameSource *source, int *width, int *height, int *stride)
{
  const guint32 *pixels;
  *width = *height = *stride = 0;
  pixels = source->funcs->get_pixels (source->data, width, height, stride);
  if (pixels == NULL || *width <= 0 || *height <= 0 || *stride < *width)
    {
      *width = *height = *stride = 0;
      return NULL;
    }
  return pixels;
}

guint64
bw_vm_frame_source_get_n_updates (BwVmFrameSource *source)
{
  return source->n_updates;
}

/* The in-memory source. */

struct _BwVmMemorySource
{
  int width, height;
  guint32 *pixels;
  gboolean resized;
  GArray *damage; /* BwVmRect since the last update */
};

static gboolean
memory_update (gpointer data, GArray *rects, gboolean *resized)
{
  BwVmMemorySource *memory = data;
  gboolean changed = memory->damage->len > 0 || memory->resized;
  *resized = memory->resized;
  if (memory->damage->len > 0)
    g_array_append_vals (rects, memory->damage->data, memory->damage->len);
  g_array_set_size (memory->damage, 0);
  memory->resized = FALSE;
  return changed;
}

static const guint32 *
memory_get_pixels (gpointer data, int *width, int *height, int *stride)
{
  BwVmMemorySource *memory = data;
  *width = memory->width;
  *height = memory->height;
  *stride = memory->width;
  return memory->pixels;
}

static void
memory_free (gpointer data)
{
  BwVmMemorySource *memory = data;
  g_array_unref (memory->damage);
  g_free (memory->pixels);
  g_free (memory);
}

static const BwVmFrameSourceFuncs memory_funcs = {
  .update = memory_update,
  .get_pixels = memory_get_pixels,
};

BwVmFrameSource *
bw_vm_memory_source_new (int width, int height, BwVmMemorySource **out_memory)
{
  BwVmMemorySource *memory = g_new0 (BwVmMemorySource, 1);
  memory->damage = g_array_new (FALSE, FALSE, sizeof (BwVmRect));
  bw_vm_memory_source_resize (memory, width, height);
  *out_memory = memory;
  return bw_vm_frame_source_new (&memory_funcs, memory, memory_free);
}

void
bw_vm_memory_source_resize (BwVmMemorySource *memory, int width, int height)
{
  g_return_if_fail (width >= 0 && height >= 0 && width <= 16384 && height <= 16384);
  g_free (memory->pixels);
  memory->width = width;
  memory->height = height;
  memory->pixels = g_new0 (guint32, (gsize) MAX (width, 1) * MAX (height, 1));
  memory->resized = TRUE;
  g_array_set_size (memory->damage, 0);
}

guint32 *
bw_vm_memory_source_get_pixels (BwVmMemorySource *memory, int *width, int *height)
{
  *width = memory->width;
  *height = memory->height;
  return memory->pixels;
}

void
bw_vm_memory_source_damage (BwVmMemorySource *memory, int x, int y, int width, int height)
{
  BwVmRect r = { x, y, width, height };
  if (bw_vm_rect_clip (&r, memory->width, memory->height))
    g_array_append_val (memory->damage, r);
}
