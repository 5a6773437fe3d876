/* bw-ps2-queue.h: the byte queue between a PS/2 device and the i8042.
 *
 * A PS/2 device answers commands and reports input by queueing bytes that
 * the controller takes one at a time into its output buffer. The queue is
 * a plain ring with a saved-state description, shared by the keyboard and
 * the mouse. */
#pragma once

#include <glib.h>
#include "vmm/bw-vmstate.h"

G_BEGIN_DECLS

#define BW_PS2_QUEUE_SIZE 256

typedef struct
{
  guint8 data[BW_PS2_QUEUE_SIZE];
  guint16 head;  /* index of the oldest byte */
  guint16 count; /* bytes queued */
} BwPs2Queue;

extern const BwVmStateDesc bw_ps2_queue_vmstate;

void bw_ps2_queue_clear (BwPs2Queue *q);
guint bw_ps2_queue_free_space (const BwPs2Queue *q);
/* Appends len bytes if all of them fit; FALSE (nothing queued) otherwise. */
gboolean bw_ps2_queue_push (BwPs2Queue *q, const guint8 *bytes, guint len);
gboolean bw_ps2_queue_push_byte (BwPs2Queue *q, guint8 byte);
/* The oldest byte, removed; 0 when empty. */
guint8 bw_ps2_queue_pop (BwPs2Queue *q);
/* head and count within range (checked after loading saved state). */
gboolean bw_ps2_queue_is_valid (const BwPs2Queue *q);

G_END_DECLS
