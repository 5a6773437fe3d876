/* bw-vm-frame-source.h: what the VM display draws from.
 *
 * A frame source is a small table of callbacks, so that the display can
 * show the VGA device (bw-vm-vga-source.h), or, in tests and benchmarks,
 * an in-memory framebuffer (BwVmMemorySource below), without knowing
 * which. The display polls update() once per frame clock tick on the GTK
 * thread; a source that did not change must answer FALSE cheaply, and the
 * display then does no upload and no render. */
#pragma once

#include <glib-object.h>
#include "ui/vm/bw-vm-geometry.h"

G_BEGIN_DECLS

typedef struct
{
  /* Appends to rects (BwVmRect) what changed since the previous call and
   * sets *resized when the size changed (then everything counts as
   * changed). Returns whether anything changed. */
  gboolean (*update) (gpointer data, GArray *rects, gboolean *resized);
  /* The pixels as of the last update(): XRGB8888 (0x00RRGGBB in host
   * order), stride in pixels. NULL or a zero size when there is no
   * picture (a blank screen). */
  const guint32 *(*get_pixels) (gpointer data, int *width, int *height, int *stride);
} BwVmFrameSourceFuncs;

typedef struct _BwVmFrameSource BwVmFrameSource;

GType bw_vm_frame_source_get_type (void) G_GNUC_CONST;
#define BW_VM_TYPE_FRAME_SOURCE (bw_vm_frame_source_get_type ())

/* funcs must outlive the source (a static table); destroy frees data. */
BwVmFrameSource *bw_vm_frame_source_new (const BwVmFrameSourceFuncs *funcs, gpointer data,
                                         GDestroyNotify destroy);
BwVmFrameSource *bw_vm_frame_source_ref (BwVmFrameSource *source);
void bw_vm_frame_source_unref (BwVmFrameSource *source);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwVmFrameSource, bw_vm_frame_source_unref)

gboolean bw_vm_frame_source_update (BwVmFrameSource *source, GArray *rects, gboolean *resized);
const guint32 *bw_vm_frame_source_get_pixels (BwVmFrameSource *source, int *width, int *height,
                                              int *stride);
/* How many times update() was called (tests and the benchmark). */
guint64 bw_vm_frame_source_get_n_updates (BwVmFrameSource *source);

/* An in-memory framebuffer: whoever owns it draws into the pixels and
 * reports what it drew with damage(). */
typedef struct _BwVmMemorySource BwVmMemorySource;

/* The returned source owns the memory source. */
BwVmFrameSource *bw_vm_memory_source_new (int width, int height, BwVmMemorySource **out_memory);
void bw_vm_memory_source_resize (BwVmMemorySource *memory, int width, int height);
guint32 *bw_vm_memory_source_get_pixels (BwVmMemorySource *memory, int *width, int *height);
void bw_vm_memory_source_damage (BwVmMemorySource *memory, int x, int y, int width, int height);

G_END_DECLS
