/* bw-i8042.c: the keyboard controller: ports 0x60/0x64, the command set,
 * output buffer arbitration between controller, keyboard and mouse, the
 * output port (A20, reset) and set-1 translation. */
#include "config.h"

#include <string.h>
#include "vmm/bw-platform.h"
#include "devices/peripherals/bw-i8042.h"
#include "devices/peripherals/bw-ps2-keyboard.h"
#include "devices/peripherals/bw-ps2-mouse.h"

/* Status register (port 0x64, read). */
#define STAT_OBF 0x01      /* output buffer full */
#define STAT_SYS 0x04      /* system flag */
#define STAT_CMD 0x08      /* last write was to port 0x64 */
#define STAT_UNLOCKED 0x10 /* keyboard not inhibited */
#define STAT_AUX_OBF 0x20  /* the output buffer holds mouse data */

/* Command byte (controller RAM byte 0). */
#define CMD_KBD_INT 0x01
#define CMD_AUX_INT 0x02
#define CMD_SYS 0x04
#define CMD_KBD_DISABLE 0x10
#define CMD_AUX_DISABLE 0x20
#define CMD_XLATE 0x40

/* Output port. */
#define OUT_RESET 0x01 /* low resets the CPU */
#define OUT_A20 0x02
#define OUT_KBD_OBF 0x10
#define OUT_AUX_OBF 0x20

#define REPLY_QUEUE 4

typedef struct
{
  BwDevice parent;
  guint8 status;
  guint8 ram[32]; /* ram[0] is the command byte */
  guint8 outport;
  guint8 out_data;     /* the output buffer */
  guint8 pending;      /* controller command waiting for a data byte, 0 if none */
  guint8 replies[REPLY_QUEUE]; /* controller answers, served before device data */
  guint8 reply_count;
  bool xlate_release; /* translation saw F0: set bit 7 of the next byte */
  BwPs2Keyboard kbd;
  BwPs2Mouse mouse;

  BwIrqLine *irq_kbd;
  BwIrqLine *irq_aux;
  gboolean updating; /* guards against re-entry from device notifications */
} BwI8042;

static void
update_irq (BwI8042 *s)
{
  gboolean full = (s->status & STAT_OBF) != 0;
  gboolean aux = (s->status & STAT_AUX_OBF) != 0;
  bw_irq_line_set (s->irq_kbd, full && !aux && (s->ram[0] & CMD_KBD_INT));
  bw_irq_line_set (s->irq_aux, full && aux && (s->ram[0] & CMD_AUX_INT));
}

static void
fill (BwI8042 *s, guint8 byte, gboolean aux)
{
  s->out_data = byte;
  s->status |= STAT_OBF;
  if (aux)
    s->status |= STAT_AUX_OBF;
  else
    s->status &= ~STAT_AUX_OBF;
}

/* Refills an empty output buffer: controller answers first, then the
 * keyboard, then the mouse, each only while its interface is enabled. */
static void
update (BwI8042 *s)
{
  if (s->updating)
    return;
  s->updating = TRUE;
  if (!(s->status & STAT_OBF))
    {
      if (s->reply_count > 0)
        {
          fill (s, s->replies[0], FALSE);
          memmove (s->replies, s->replies + 1, --s->reply_count);
        }
      else if (!(s->ram[0] & CMD_KBD_DISABLE) && bw_ps2_keyboard_has_data (&s->kbd))
        {
          while (bw_ps2_keyboard_has_data (&s->kbd))
            {
              guint8 b = bw_ps2_keyboard_read (&s->kbd);
              if (s->ram[0] & CMD_XLATE)
                {
                  if (b == 0xF0)
                    {
                      s->xlate_release = TRUE;
                      continue;
                    }
                  b = bw_ps2_translate_to_set1 (b) | (s->xlate_release ? 0x80 : 0);
                  s->xlate_release = FALSE;
                }
              fill (s, b, FALSE);
              break;
            }
        }
      else if (!(s->ram[0] & CMD_AUX_DISABLE) && bw_ps2_mouse_has_data (&s->mouse))
        fill (s, bw_ps2_mouse_read (&s->mouse), TRUE);
    }
  update_irq (s);
  s->updating = FALSE;
}

static void
device_notify (void *opaque)
{
  update (opaque);
}

static void
reply (BwI8042 *s, guint8 byte)
{
  if (s->reply_count < REPLY_QUEUE)
    s->replies[s->reply_count++] = byte;
  update (s);
}

static guint8
output_port (BwI8042 *s)
{
  guint8 v = s->outport & ~(OUT_KBD_OBF | OUT_AUX_OBF);
  if (s->status & STAT_OBF)
    v |= (s->status & STAT_AUX_OBF) ? OUT_AUX_OBF : OUT_KBD_OBF;
  return v;
}

static void
set_a20 (BwI8042 *s, gboolean on)
{
  s->outport = on ? s->outport | OUT_A20 : s->outport & ~OUT_A20;
  bw_irq_router_set_cpu_line (bw_device_get_irq_router (&s->parent), BW_CPU_LINE_A20, on);
}

static void
write_output_port (BwI8042 *s, guint8 v)
{
  s->outport = v | OUT_RESET; /* the reset line pulses; it does not stay low */
  set_a20 (s, (v & OUT_A20) != 0);
  if (!(v & OUT_RESET))
    bw_device_request_reset (&s->parent, "i8042 output port reset line");
}

static void
set_command_byte (BwI8042 *s, guint8 v)
{
  s->ram[0] = v;
  s->status = (v & CMD_SYS) ? s->status | STAT_SYS : s->status & ~STAT_SYS;
  update (s);
}

static void
controller_command (BwI8042 *s, guint8 cmd)
{
  s->pending = 0; /* a new command cancels one still waiting for its data */
  if (cmd >= 0x20 && cmd <= 0x3F)
    {
      reply (s, s->ram[cmd & 0x1F]);
      return;
    }
  if ((cmd >= 0x60 && cmd <= 0x7F) || cmd == 0xD1 || cmd == 0xD2 || cmd == 0xD3 || cmd == 0xD4)
    {
      s->pending = cmd;
      return;
    }
  if (cmd >= 0xF0)
    {
      /* Pulse output port lines 0-3 whose bits are 0; line 0 is reset. */
      if (!(cmd & 1))
        bw_device_request_reset (&s->parent, "i8042 pulse of the reset line");
      return;
    }
  switch (cmd)
    {
    case 0xA1: /* controller firmware version */
      reply (s, 0x00);
      break;
    case 0xA4: /* password installed? no */
      reply (s, 0xF1);
      break;
    case 0xA7:
      set_command_byte (s, s->ram[0] | CMD_AUX_DISABLE);
      break;
    case 0xA8:
      set_command_byte (s, s->ram[0] & ~CMD_AUX_DISABLE);
      break;
    case 0xA9: /* auxiliary interface test: no error */
    case 0xAB: /* keyboard interface test: no error */
      reply (s, 0x00);
      break;
    case 0xAA:
      s->status |= STAT_SYS;
      reply (s, 0x55);
      break;
    case 0xAD:
      set_command_byte (s, s->ram[0] | CMD_KBD_DISABLE);
      break;
    case 0xAE:
      set_command_byte (s, s->ram[0] & ~CMD_KBD_DISABLE);
      break;
    case 0xC0: /* input port: keyboard not inhibited */
      reply (s, 0x80);
      break;
    case 0xC1:
    case 0xC2: /* poll input port into the status: nothing to show */
      break;
    case 0xD0:
      reply (s, output_port (s));
      break;
    case 0xDD:
      set_a20 (s, FALSE);
      break;
    case 0xDF:
      set_a20 (s, TRUE);
      break;
    case 0xE0: /* test inputs: clock and data low */
      reply (s, 0x00);
      break;
    default:
      bw_device_guest_error (&s->parent, "unknown controller command %#04x", cmd);
      break;
    }
}

static void
data_write (BwI8042 *s, guint8 v)
{
  guint8 pending = s->pending;
  s->pending = 0;
  if (pending >= 0x60 && pending <= 0x7F)
    {
      if (pending == 0x60)
        set_command_byte (s, v);
      else
        s->ram[pending & 0x1F] = v;
      return;
    }
  switch (pending)
    {
    case 0xD1:
      write_output_port (s, v);
      break;
    case 0xD2: /* as if the keyboard sent it */
    case 0xD3: /* as if the mouse sent it */
      fill (s, v, pending == 0xD3);
      update_irq (s);
      break;
    case 0xD4:
      bw_ps2_mouse_write (&s->mouse, v);
      break;
    default:
      bw_ps2_keyboard_write (&s->kbd, v);
      break;
    }
}

static void
i8042_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwI8042 *s = opaque;
  gboolean command_port = offset == 4;

  if (is_write)
    {
      if (command_port)
        {
          s->status |= STAT_CMD;
          controller_command (s, (guint8) *data);
        }
      else
        {
          s->status &= ~STAT_CMD;
          data_write (s, (guint8) *data);
        }
      return;
    }
  if (command_port)
    {
      *data = s->status;
      return;
    }
  *data = s->out_data;
  s->status &= ~(STAT_OBF | STAT_AUX_OBF);
  /* The line falls with the emptied buffer and rises again when the next
   * byte is loaded: a new edge, so an edge-triggered PIC interrupts once
   * per byte (a driver that reads one byte per interrupt relies on it). */
  update_irq (s);
  update (s);
}

static void
i8042_io_data (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  i8042_io (opaque, 0, data, size, is_write);
}

static void
i8042_io_command (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  i8042_io (opaque, 4, data, size, is_write);
}

static const BwIoOps data_ops = { .handler = i8042_io_data, .max_access = 1 };
static const BwIoOps command_ops = { .handler = i8042_io_command, .max_access = 1 };

static gboolean
i8042_realize (BwDevice *dev, GError **error)
{
  BwI8042 *s = (BwI8042 *) dev;
  s->irq_kbd = bw_device_get_irq (dev, 1);
  s->irq_aux = bw_device_get_irq (dev, 12);
  BwTimer *repeat = bw_device_new_timer (dev, bw_ps2_keyboard_repeat_timer, &s->kbd);
  bw_ps2_keyboard_init (&s->kbd, repeat, device_notify, s);
  bw_ps2_mouse_init (&s->mouse, device_notify, s);
  return bw_device_register_pio (dev, 0x60, 1, &data_ops, s, error)
         && bw_device_register_pio (dev, 0x64, 1, &command_ops, s, error);
}

static void
i8042_reset (BwDevice *dev)
{
  BwI8042 *s = (BwI8042 *) dev;
  memset (s->ram, 0, sizeof s->ram);
  s->ram[0] = CMD_KBD_INT | CMD_AUX_INT;
  s->status = STAT_CMD | STAT_UNLOCKED;
  s->outport = 0xCC | OUT_A20 | OUT_RESET; /* unused lines read high */
  s->out_data = 0;
  s->pending = 0;
  s->reply_count = 0;
  s->xlate_release = FALSE;
  bw_ps2_keyboard_reset (&s->kbd);
  bw_ps2_mouse_reset (&s->mouse);
  update_irq (s);
}

static gboolean
i8042_post_load (void *opaque, int version, GError **error)
{
  BwI8042 *s = opaque;
  if (s->reply_count > REPLY_QUEUE || !bw_ps2_keyboard_is_valid (&s->kbd)
      || !bw_ps2_mouse_is_valid (&s->mouse))
    {
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                   "Saved i8042 state has a queue or setting out of range");
      return FALSE;
    }
  update_irq (s);
  return TRUE;
}

static const BwVmStateField i8042_fields[] = {
  BW_VMSTATE_U8 (BwI8042, status),
  BW_VMSTATE_BUFFER (BwI8042, ram, 32),
  BW_VMSTATE_U8 (BwI8042, outport),
  BW_VMSTATE_U8 (BwI8042, out_data),
  BW_VMSTATE_U8 (BwI8042, pending),
  BW_VMSTATE_BUFFER (BwI8042, replies, REPLY_QUEUE),
  BW_VMSTATE_U8 (BwI8042, reply_count),
  BW_VMSTATE_BOOL (BwI8042, xlate_release),
  BW_VMSTATE_STRUCT (BwI8042, kbd, BwPs2Keyboard, bw_ps2_keyboard_vmstate),
  BW_VMSTATE_STRUCT (BwI8042, mouse, BwPs2Mouse, bw_ps2_mouse_vmstate),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc i8042_vmstate = {
  .name = "i8042",
  .version = 1,
  .minimum_version = 1,
  .fields = i8042_fields,
  .post_load = i8042_post_load,
};

static const BwDeviceClass i8042_class = {
  .name = BW_I8042_CLASS,
  .description = "i8042 keyboard controller with PS/2 keyboard and mouse",
  .instance_size = sizeof (BwI8042),
  .priority = BW_DEVICE_PRIORITY_DEVICE,
  .realize = i8042_realize,
  .reset = i8042_reset,
  .vmstate = &i8042_vmstate,
};

BW_DEVICE_REGISTER (i8042_class)

/* Front-end API. */

static BwI8042 *
get (BwDevice *dev)
{
  g_return_val_if_fail (dev != NULL && dev->klass == &i8042_class, NULL);
  return (BwI8042 *) dev;
}

gsize
bw_i8042_put_scancodes (BwDevice *dev, const guint8 *codes, gsize len)
{
  BwI8042 *s = get (dev);
  if (!s)
    return 0;
  bw_platform_lock (dev->platform);
  gsize taken = bw_ps2_keyboard_put_scancodes (&s->kbd, codes, len);
  bw_platform_unlock (dev->platform);
  return taken;
}

void
bw_i8042_put_mouse (BwDevice *dev, int dx, int dy, int dz, guint buttons)
{
  BwI8042 *s = get (dev);
  if (!s)
    return;
  bw_platform_lock (dev->platform);
  bw_ps2_mouse_input (&s->mouse, dx, dy, dz, buttons);
  bw_platform_unlock (dev->platform);
}

guint8
bw_i8042_get_leds (BwDevice *dev)
{
  BwI8042 *s = get (dev);
  if (!s)
    return 0;
  bw_platform_lock (dev->platform);
  guint8 leds = s->kbd.leds;
  bw_platform_unlock (dev->platform);
  return leds;
}
