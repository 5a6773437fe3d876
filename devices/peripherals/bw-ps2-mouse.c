/* bw-ps2-mouse.c: the PS/2 mouse: commands, modes, packets, the
 * IntelliMouse knocks. */
#include "config.h"

#include <string.h>
#include "devices/peripherals/bw-ps2-mouse.h"

#define MOUSE_ACK 0xFA
#define MOUSE_RESEND 0xFE
#define MOUSE_ERROR 0xFC

static const BwVmStateField mouse_fields[] = {
  BW_VMSTATE_STRUCT (BwPs2Mouse, queue, BwPs2Queue, bw_ps2_queue_vmstate),
  BW_VMSTATE_U8 (BwPs2Mouse, device_id),
  BW_VMSTATE_BOOL (BwPs2Mouse, reporting),
  BW_VMSTATE_BOOL (BwPs2Mouse, remote),
  BW_VMSTATE_BOOL (BwPs2Mouse, wrap),
  BW_VMSTATE_BOOL (BwPs2Mouse, scaling_2to1),
  BW_VMSTATE_U8 (BwPs2Mouse, resolution),
  BW_VMSTATE_U8 (BwPs2Mouse, sample_rate),
  BW_VMSTATE_U8 (BwPs2Mouse, pending_cmd),
  BW_VMSTATE_U8_ARRAY (BwPs2Mouse, knock, 3),
  BW_VMSTATE_U8 (BwPs2Mouse, last_sent),
  BW_VMSTATE_I32 (BwPs2Mouse, dx),
  BW_VMSTATE_I32 (BwPs2Mouse, dy),
  BW_VMSTATE_I32 (BwPs2Mouse, dz),
  BW_VMSTATE_U8 (BwPs2Mouse, buttons),
  BW_VMSTATE_END_OF_FIELDS,
};

const BwVmStateDesc bw_ps2_mouse_vmstate = {
  .name = "ps2-mouse",
  .version = 1,
  .minimum_version = 1,
  .fields = mouse_fields,
};

gboolean
bw_ps2_mouse_is_valid (const BwPs2Mouse *mouse)
{
  return bw_ps2_queue_is_valid (&mouse->queue)
         && (mouse->device_id == 0 || mouse->device_id == 3 || mouse->device_id == 4)
         && mouse->resolution <= 3;
}

static void
queue_bytes (BwPs2Mouse *mouse, const guint8 *bytes, guint len)
{
  if (bw_ps2_queue_push (&mouse->queue, bytes, len) && mouse->notify)
    mouse->notify (mouse->notify_opaque);
}

static void
reply (BwPs2Mouse *mouse, guint8 byte)
{
  queue_bytes (mouse, &byte, 1);
}

static void
set_defaults (BwPs2Mouse *mouse)
{
  mouse->reporting = FALSE;
  mouse->remote = FALSE;
  mouse->scaling_2to1 = FALSE;
  mouse->resolution = 2;
  mouse->sample_rate = 100;
  mouse->pending_cmd = 0;
  mouse->dx = mouse->dy = mouse->dz = 0;
}

void
bw_ps2_mouse_init (BwPs2Mouse *mouse, BwPs2NotifyFunc notify, void *opaque)
{
  mouse->notify = notify;
  mouse->notify_opaque = opaque;
  bw_ps2_mouse_reset (mouse);
}

void
bw_ps2_mouse_reset (BwPs2Mouse *mouse)
{
  bw_ps2_queue_clear (&mouse->queue);
  set_defaults (mouse);
  mouse->device_id = 0;
  mouse->wrap = FALSE;
  memset (mouse->knock, 0, sizeof mouse->knock);
  mouse->last_sent = 0;
  mouse->buttons = 0;
}

static int
packet_bytes (const BwPs2Mouse *mouse)
{
  return mouse->device_id == 0 ? 3 : 4;
}

/* 2:1 scaling as the mouse applies it in stream mode. */
static int
scale (int v)
{
  static const int small[] = { 0, 1, 1, 3, 6, 9 };
  int a = ABS (v);
  int s = a <= 5 ? small[a] : 2 * a;
  return v < 0 ? -s : s;
}

/* Builds one packet from the pending input, takes what it reports off
 * the pending counts, and queues it. FALSE when the queue has no room. */
static gboolean
send_packet (BwPs2Mouse *mouse, gboolean scaled)
{
  int n = packet_bytes (mouse);
  if (bw_ps2_queue_free_space (&mouse->queue) < (guint) n)
    return FALSE;

  int dx = CLAMP (mouse->dx, -256, 255);
  int dy = CLAMP (mouse->dy, -256, 255);
  int dz = CLAMP (mouse->dz, -8, 7);
  mouse->dx -= dx;
  mouse->dy -= dy;
  mouse->dz -= mouse->device_id == 0 ? mouse->dz : dz;

  int rx = scaled ? scale (dx) : dx;
  int ry = scaled ? scale (dy) : dy;
  guint8 b0 = 0x08 | (mouse->buttons & 7);
  if (rx < -256 || rx > 255)
    b0 |= 0x40, rx = CLAMP (rx, -256, 255);
  if (ry < -256 || ry > 255)
    b0 |= 0x80, ry = CLAMP (ry, -256, 255);
  if (rx < 0)
    b0 |= 0x10;
  if (ry < 0)
    b0 |= 0x20;

  guint8 packet[4] = { b0, (guint8) rx, (guint8) ry, 0 };
  if (mouse->device_id == 3)
    packet[3] = (guint8) dz;
  else if (mouse->device_id == 4)
    packet[3] = (dz & 0x0F) | ((mouse->buttons & 0x18) << 1);
  queue_bytes (mouse, packet, n);
  return TRUE;
}

static gboolean
has_pending_motion (const BwPs2Mouse *mouse)
{
  return mouse->dx != 0 || mouse->dy != 0 || (mouse->device_id != 0 && mouse->dz != 0);
}

/* Stream mode: send what is pending while it fits. */
static void
flush_stream (BwPs2Mouse *mouse, gboolean force)
{
  if (mouse->remote || !mouse->reporting || mouse->wrap)
    return;
  while (force || has_pending_motion (mouse))
    {
      if (!send_packet (mouse, mouse->scaling_2to1))
        break;
      force = FALSE;
    }
}

void
bw_ps2_mouse_input (BwPs2Mouse *mouse, int dx, int dy, int dz, guint buttons)
{
  gboolean buttons_changed = (buttons & 0x1F) != mouse->buttons;

  /* Pending counts are bounded so a flood of input cannot overflow them;
   * a real mouse loses counts too when the host does not read. */
  mouse->dx = CLAMP ((gint64) mouse->dx + dx, -65536, 65536);
  mouse->dy = CLAMP ((gint64) mouse->dy - dy, -65536, 65536);
  mouse->dz = CLAMP ((gint64) mouse->dz + dz, -1024, 1024);
  mouse->buttons = buttons & 0x1F;
  if (mouse->remote || !mouse->reporting)
    return;
  flush_stream (mouse, buttons_changed);
}

static void
knock (BwPs2Mouse *mouse, guint8 rate)
{
  mouse->knock[0] = mouse->knock[1];
  mouse->knock[1] = mouse->knock[2];
  mouse->knock[2] = rate;
  if (mouse->knock[0] == 200 && mouse->knock[1] == 100 && mouse->knock[2] == 80
      && mouse->device_id == 0)
    mouse->device_id = 3;
  else if (mouse->knock[0] == 200 && mouse->knock[1] == 200 && mouse->knock[2] == 80
           && mouse->device_id == 3)
    mouse->device_id = 4;
}

static void
command_argument (BwPs2Mouse *mouse, guint8 cmd, guint8 arg)
{
  if (cmd == 0xF3)
    {
      mouse->sample_rate = arg;
      knock (mouse, arg);
    }
  else
    mouse->resolution = arg & 3;
  reply (mouse, MOUSE_ACK);
}

void
bw_ps2_mouse_write (BwPs2Mouse *mouse, guint8 byte)
{
  if (mouse->pending_cmd)
    {
      guint8 cmd = mouse->pending_cmd;
      mouse->pending_cmd = 0;
      command_argument (mouse, cmd, byte);
      return;
    }
  if (mouse->wrap && byte != 0xEC && byte != 0xFF)
    {
      reply (mouse, byte); /* wrap mode echoes everything else */
      return;
    }

  switch (byte)
    {
    case 0xE6:
      mouse->scaling_2to1 = FALSE;
      reply (mouse, MOUSE_ACK);
      break;
    case 0xE7:
      mouse->scaling_2to1 = TRUE;
      reply (mouse, MOUSE_ACK);
      break;
    case 0xE8:
    case 0xF3:
      mouse->pending_cmd = byte;
      reply (mouse, MOUSE_ACK);
      break;
    case 0xE9:
      {
        guint8 status = (mouse->remote ? 0x40 : 0) | (mouse->reporting ? 0x20 : 0)
                        | (mouse->scaling_2to1 ? 0x10 : 0) | ((mouse->buttons & 1) << 2)
                        | ((mouse->buttons & 4) >> 1) | ((mouse->buttons & 2) >> 1);
        guint8 answer[4] = { MOUSE_ACK, status, mouse->resolution, mouse->sample_rate };
        queue_bytes (mouse, answer, 4);
        break;
      }
    case 0xEA:
      mouse->remote = FALSE;
      mouse->dx = mouse->dy = mouse->dz = 0;
      reply (mouse, MOUSE_ACK);
      break;
    case 0xEB:
      reply (mouse, MOUSE_ACK);
      send_packet (mouse, FALSE);
      break;
    case 0xEC:
      mouse->wrap = FALSE;
      reply (mouse, MOUSE_ACK);
      break;
    case 0xEE:
      mouse->wrap = TRUE;
      mouse->dx = mouse->dy = mouse->dz = 0;
      reply (mouse, MOUSE_ACK);
      break;
    case 0xF0:
      mouse->remote = TRUE;
      mouse->dx = mouse->dy = mouse->dz = 0;
      reply (mouse, MOUSE_ACK);
      break;
    case 0xF2:
      {
        guint8 answer[2] = { MOUSE_ACK, mouse->device_id };
        queue_bytes (mouse, answer, 2);
        break;
      }
    case 0xF4:
      mouse->reporting = TRUE;
      mouse->dx = mouse->dy = mouse->dz = 0;
      reply (mouse, MOUSE_ACK);
      break;
    case 0xF5:
      mouse->reporting = FALSE;
      reply (mouse, MOUSE_ACK);
      break;
    case 0xF6:
      set_defaults (mouse);
      reply (mouse, MOUSE_ACK);
      break;
    case 0xFE:
      reply (mouse, mouse->last_sent);
      break;
    case 0xFF:
      bw_ps2_mouse_reset (mouse);
      {
        static const guint8 bat[] = { MOUSE_ACK, 0xAA, 0x00 };
        queue_bytes (mouse, bat, sizeof bat);
      }
      break;
    default:
      reply (mouse, MOUSE_RESEND);
      break;
    }
}

gboolean
bw_ps2_mouse_has_data (const BwPs2Mouse *mouse)
{
  return mouse->queue.count > 0;
}

guint8
bw_ps2_mouse_read (BwPs2Mouse *mouse)
{
  guint8 byte = bw_ps2_queue_pop (&mouse->queue);
  mouse->last_sent = byte;
  /* Room again: motion that did not fit goes out now. */
  if (mouse->queue.count == 0)
    flush_stream (mouse, FALSE);
  return byte;
}
