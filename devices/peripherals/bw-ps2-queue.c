/* bw-ps2-queue.c: the byte ring of a PS/2 device. */
#include "config.h"

#include "devices/peripherals/bw-ps2-queue.h"

static const BwVmStateField queue_fields[] = {
  BW_VMSTATE_BUFFER (BwPs2Queue, data, BW_PS2_QUEUE_SIZE),
  BW_VMSTATE_U16 (BwPs2Queue, head),
  BW_VMSTATE_U16 (BwPs2Queue, count),
  BW_VMSTATE_END_OF_FIELDS,
};

const BwVmStateDesc bw_ps2_queue_vmstate = {
  .name = "ps2-queue",
  .version = 1,
  .minimum_version = 1,
  .fields = queue_fields,
};

void
bw_ps2_queue_clear (BwPs2Queue *q)
{
  q->head = 0;
  q->count = 0;
}

guint
bw_ps2_queue_free_space (const BwPs2Queue *q)
{
  return BW_PS2_QUEUE_SIZE - q->count;
}

gboolean
bw_ps2_queue_push (BwPs2Queue *q, const guint8 *bytes, guint len)
{
  if (len > bw_ps2_queue_free_space (q))
    return FALSE;
  for (guint i = 0; i < len; i++)
    q->data[(q->head + q->count++) % BW_PS2_QUEUE_SIZE] = bytes[i];
  return TRUE;
}

gboolean
bw_ps2_queue_push_byte (BwPs2Queue *q, guint8 byte)
{
  return bw_ps2_queue_push (q, &byte, 1);
}

guint8
bw_ps2_queue_pop (BwPs2Queue *q)
{
  if (q->count == 0)
    return 0;
  guint8 byte = q->data[q->head];
  q->head = (q->head + 1) % BW_PS2_QUEUE_SIZE;
  q->count--;
  return byte;
}

gboolean
bw_ps2_queue_is_valid (const BwPs2Queue *q)
{
  return q->head < BW_PS2_QUEUE_SIZE && q->count <= BW_PS2_QUEUE_SIZE;
}
