/* bw-machine-preview.h: a small live picture of a running guest's screen
 * in the details pane.
 *
 * While the machine runs and the preview is on screen, it asks the VM
 * process's session (org.boxwood.Session1.ScreenshotPng) for the screen
 * about once a second, scales it down off the main thread and shows it.
 * Nothing is asked while the machine is powered off or the pane is not
 * mapped; a paused machine is shown once and not polled. */
#pragma once

#include <gtk/gtk.h>

#include "ui/manager/bw-machine-item.h"

G_BEGIN_DECLS

/* Width and height of the preview picture at most, in pixels. */
#define BW_MACHINE_PREVIEW_MAX_WIDTH 320
#define BW_MACHINE_PREVIEW_MAX_HEIGHT 240
/* How often a running guest's screen is fetched. */
#define BW_MACHINE_PREVIEW_INTERVAL_MS 1000

#define BW_TYPE_MACHINE_PREVIEW (bw_machine_preview_get_type ())
G_DECLARE_FINAL_TYPE (BwMachinePreview, bw_machine_preview, BW, MACHINE_PREVIEW, GtkBox)

/* Follows item (NULL: none): visible while it is running or paused. */
void bw_machine_preview_set_item (BwMachinePreview *self, BwMachineItem *item);
/* Screens shown since the item was set (for tests and the log). */
guint bw_machine_preview_get_frame_count (BwMachinePreview *self);

/* The size of a width x height screen fitted into max_w x max_h keeping
 * its aspect, never enlarged, at least 1x1. */
void bw_machine_preview_fit (int width, int height, int max_w, int max_h, int *out_w, int *out_h);
/* Whether a machine in service state `state` is shown, and polled. */
gboolean bw_machine_preview_shows_state (const char *state);
gboolean bw_machine_preview_polls_state (const char *state);

G_END_DECLS
