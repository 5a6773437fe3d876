/* bw-vm-display.h: the guest screen and the input that goes to the guest.
 *
 * A GtkGLArea (libepoxy) shows a frame source (bw-vm-frame-source.h) as a
 * texture: once per frame clock tick the display asks the source what
 * changed, uploads only those rectangles with glTexSubImage2D and renders;
 * an unchanged source costs one cheap poll per tick and nothing else.
 *
 * Scale modes: BW_VM_SCALE_FIT fills the widget keeping the aspect ratio
 * (bars around); BW_VM_SCALE_ONE_TO_ONE shows each guest pixel as one
 * logical pixel (scale-factor device pixels, nearest filtering) inside a
 * scrolled window.
 *
 * Input: while the display has keyboard focus every key goes to the guest
 * as PS/2 set-2 codes ("scancodes" signal), with host auto-repeat dropped
 * and held keys released on focus loss. A click in the display, or
 * pressing and releasing the host key, captures: grab (bw-vm-grab.h),
 * hidden pointer, relative motion, buttons and wheel ("mouse" signal).
 * The host key alone releases the capture; the host key together with
 * F, C, Del, P, R or Q emits "host-action" instead. */
#pragma once

#include <gtk/gtk.h>
#include "ui/vm/bw-vm-frame-source.h"

G_BEGIN_DECLS

typedef enum
{
  BW_VM_SCALE_FIT,
  BW_VM_SCALE_ONE_TO_ONE,
} BwVmScaleMode;

typedef enum
{
  BW_VM_HOST_ACTION_FULLSCREEN,   /* Host+F */
  BW_VM_HOST_ACTION_SCALE_MODE,   /* Host+C */
  BW_VM_HOST_ACTION_CTRL_ALT_DEL, /* Host+Del */
  BW_VM_HOST_ACTION_PAUSE,        /* Host+P */
  BW_VM_HOST_ACTION_RESET,        /* Host+R */
  BW_VM_HOST_ACTION_CLOSE,        /* Host+Q */
} BwVmHostAction;

/* Counters for tests and the benchmark. */
typedef struct
{
  guint64 polls;           /* source updates asked for */
  guint64 renders;         /* render calls */
  guint64 uploads;         /* glTexSubImage2D/glTexImage2D calls */
  guint64 uploaded_pixels; /* pixels they carried */
  guint64 render_us;       /* wall time spent in render (upload and draw) */
} BwVmDisplayStats;

#define BW_VM_TYPE_DISPLAY (bw_vm_display_get_type ())
G_DECLARE_FINAL_TYPE (BwVmDisplay, bw_vm_display, BW_VM, DISPLAY, GtkWidget)

GtkWidget *bw_vm_display_new (void);
void bw_vm_display_set_source (BwVmDisplay *self, BwVmFrameSource *source);
BwVmFrameSource *bw_vm_display_get_source (BwVmDisplay *self);
void bw_vm_display_set_scale_mode (BwVmDisplay *self, BwVmScaleMode mode);
BwVmScaleMode bw_vm_display_get_scale_mode (BwVmDisplay *self);
/* The size of a guest pixel in the 1:1 mode, in percent (100-200; the
 * machine's fixed scale factor). Default 100. */
void bw_vm_display_set_zoom (BwVmDisplay *self, int percent);
int bw_vm_display_get_zoom (BwVmDisplay *self);
/* The host key as an evdev code (default Right Ctrl, BW_VM_KEY_RIGHTCTRL). */
void bw_vm_display_set_host_key (BwVmDisplay *self, guint evdev);
guint bw_vm_display_get_host_key (BwVmDisplay *self);
gboolean bw_vm_display_get_captured (BwVmDisplay *self);
/* Capture or release keyboard and pointer (no-op when unchanged). */
void bw_vm_display_set_captured (BwVmDisplay *self, gboolean captured);
/* The guest screen size (0 x 0 while blank). */
void bw_vm_display_get_screen_size (BwVmDisplay *self, int *width, int *height);
/* Releases every key the guest holds (a focus change the widget cannot
 * see, such as the window being deactivated). */
void bw_vm_display_release_keys (BwVmDisplay *self);
/* Sends the set-2 sequences of the keys pressed in order, then released
 * in reverse order (Input menu: Ctrl+Alt+Del and friends). */
void bw_vm_display_send_combo (BwVmDisplay *self, const guint *evdev_keys, guint n_keys);
void bw_vm_display_get_stats (BwVmDisplay *self, BwVmDisplayStats *stats);

G_END_DECLS
