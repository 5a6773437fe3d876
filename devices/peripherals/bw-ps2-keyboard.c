/* bw-ps2-keyboard.c: the PS/2 keyboard: commands, scancode sets,
 * typematic repeat, the key queue. */
#include "config.h"

#include "devices/peripherals/bw-ps2-keyboard.h"

#define KBD_ACK 0xFA
#define KBD_RESEND 0xFE
#define KBD_BAT_OK 0xAA
#define KBD_ECHO 0xEE
#define KBD_DEFAULT_TYPEMATIC 0x2B /* 10.9 characters/s after 500 ms */

/* The 8042's translation ROM: set-2 code -> set-1 code for 0x00-0x7F. */
static const guint8 set1_from_set2[128] = {
  0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58, 0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
  0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a, 0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
  0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c, 0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
  0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e, 0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
  0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60, 0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
  0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e, 0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
  0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b, 0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
  0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45, 0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

guint8
bw_ps2_translate_to_set1 (guint8 set2)
{
  if (set2 < 0x80)
    return set1_from_set2[set2];
  if (set2 == 0x83) /* F7, the one set-2 key code above 0x7F */
    return 0x41;
  if (set2 == 0x84) /* Alt+SysRq */
    return 0x54;
  return set2; /* command answers (FA, AA, EE, FE) and prefixes pass */
}

/* Set 3 codes of the keys whose set-2 and set-3 codes differ; every other
 * plain key has the same code in both sets, every other E0 key has none. */
typedef struct
{
  guint8 set2;
  guint8 set3;
} CodeMap;

static const CodeMap set3_plain[] = {
  { 0x05, 0x07 }, { 0x06, 0x0F }, { 0x04, 0x17 }, { 0x0C, 0x1F }, { 0x03, 0x27 },
  { 0x0B, 0x2F }, { 0x83, 0x37 }, { 0x0A, 0x3F }, { 0x01, 0x47 }, { 0x09, 0x4F },
  { 0x78, 0x56 }, { 0x07, 0x5E }, { 0x76, 0x08 }, { 0x14, 0x11 }, { 0x11, 0x19 },
  { 0x58, 0x14 }, { 0x77, 0x76 }, { 0x7E, 0x5F }, { 0x7C, 0x7E }, { 0x7B, 0x84 },
  { 0x79, 0x7C }, { 0x5D, 0x5C }, { 0x84, 0x57 },
};

static const CodeMap set3_ext[] = {
  { 0x11, 0x39 }, { 0x14, 0x58 }, { 0x70, 0x67 }, { 0x6C, 0x6E }, { 0x7D, 0x6F },
  { 0x71, 0x64 }, { 0x69, 0x65 }, { 0x7A, 0x6D }, { 0x75, 0x63 }, { 0x6B, 0x61 },
  { 0x72, 0x60 }, { 0x74, 0x6A }, { 0x4A, 0x77 }, { 0x5A, 0x79 }, { 0x1F, 0x8B },
  { 0x27, 0x8C }, { 0x2F, 0x8D }, { 0x7C, 0x57 },
};

static guint8
set3_code (gboolean ext, guint8 code)
{
  const CodeMap *map = ext ? set3_ext : set3_plain;
  guint n = ext ? G_N_ELEMENTS (set3_ext) : G_N_ELEMENTS (set3_plain);
  for (guint i = 0; i < n; i++)
    if (map[i].set2 == code)
      return map[i].set3;
  return ext ? 0 : code;
}

static const BwVmStateField keyboard_fields[] = {
  BW_VMSTATE_STRUCT (BwPs2Keyboard, queue, BwPs2Queue, bw_ps2_queue_vmstate),
  BW_VMSTATE_U8 (BwPs2Keyboard, scancode_set),
  BW_VMSTATE_BOOL (BwPs2Keyboard, scanning),
  BW_VMSTATE_U8 (BwPs2Keyboard, pending_cmd),
  BW_VMSTATE_U8 (BwPs2Keyboard, leds),
  BW_VMSTATE_U8 (BwPs2Keyboard, typematic),
  BW_VMSTATE_U8 (BwPs2Keyboard, last_sent),
  BW_VMSTATE_BOOL (BwPs2Keyboard, repeating),
  BW_VMSTATE_BOOL (BwPs2Keyboard, repeat_ext),
  BW_VMSTATE_U8 (BwPs2Keyboard, repeat_code),
  BW_VMSTATE_BOOL (BwPs2Keyboard, in_ext),
  BW_VMSTATE_BOOL (BwPs2Keyboard, in_release),
  BW_VMSTATE_U8 (BwPs2Keyboard, in_pause),
  BW_VMSTATE_TIMER (BwPs2Keyboard, repeat_timer),
  BW_VMSTATE_END_OF_FIELDS,
};

const BwVmStateDesc bw_ps2_keyboard_vmstate = {
  .name = "ps2-keyboard",
  .version = 1,
  .minimum_version = 1,
  .fields = keyboard_fields,
};

gboolean
bw_ps2_keyboard_is_valid (const BwPs2Keyboard *kbd)
{
  return bw_ps2_queue_is_valid (&kbd->queue) && kbd->scancode_set >= 1
         && kbd->scancode_set <= 3 && kbd->in_pause < 8;
}

gint64
bw_ps2_keyboard_typematic_delay_ns (guint8 typematic)
{
  return (((typematic >> 5) & 3) + 1) * 250 * G_GINT64_CONSTANT (1000000);
}

gint64
bw_ps2_keyboard_typematic_period_ns (guint8 typematic)
{
  /* (8 + A) * 2^B * 4.17 ms: 30 characters/s at 0, 2 at 0x1F. */
  guint a = typematic & 7, b = (typematic >> 3) & 3;
  return (gint64) (8 + a) * (1 << b) * 4166667;
}

static void
queue_bytes (BwPs2Keyboard *kbd, const guint8 *bytes, guint len)
{
  if (bw_ps2_queue_push (&kbd->queue, bytes, len) && kbd->notify)
    kbd->notify (kbd->notify_opaque);
}

static void
reply (BwPs2Keyboard *kbd, guint8 byte)
{
  queue_bytes (kbd, &byte, 1);
}

static void
stop_repeat (BwPs2Keyboard *kbd)
{
  kbd->repeating = FALSE;
  if (kbd->repeat_timer)
    bw_timer_del (kbd->repeat_timer);
}

static void
set_defaults (BwPs2Keyboard *kbd)
{
  kbd->scancode_set = 2;
  kbd->typematic = KBD_DEFAULT_TYPEMATIC;
  kbd->pending_cmd = 0;
  stop_repeat (kbd);
}

void
bw_ps2_keyboard_init (BwPs2Keyboard *kbd, BwTimer *repeat_timer, BwPs2NotifyFunc notify,
                      void *opaque)
{
  kbd->repeat_timer = repeat_timer;
  kbd->notify = notify;
  kbd->notify_opaque = opaque;
  bw_ps2_keyboard_reset (kbd);
}

void
bw_ps2_keyboard_reset (BwPs2Keyboard *kbd)
{
  bw_ps2_queue_clear (&kbd->queue);
  set_defaults (kbd);
  kbd->scanning = TRUE;
  kbd->leds = 0;
  kbd->last_sent = 0;
  kbd->in_ext = kbd->in_release = FALSE;
  kbd->in_pause = 0;
}

/* One key event, given in set 2, queued in the current set. */
static void
emit_key (BwPs2Keyboard *kbd, gboolean ext, gboolean release, guint8 code)
{
  guint8 out[3];
  guint n = 0;

  switch (kbd->scancode_set)
    {
    case 1:
      if (ext)
        out[n++] = 0xE0;
      out[n++] = bw_ps2_translate_to_set1 (code) | (release ? 0x80 : 0);
      break;
    case 3:
      code = set3_code (ext, code);
      if (code == 0)
        return; /* E0 12 and similar fake keys have no set-3 code */
      if (release)
        out[n++] = 0xF0;
      out[n++] = code;
      break;
    default:
      if (ext)
        out[n++] = 0xE0;
      if (release)
        out[n++] = 0xF0;
      out[n++] = code;
      break;
    }
  queue_bytes (kbd, out, n);
}

static void
emit_pause (BwPs2Keyboard *kbd)
{
  static const guint8 set2[] = { 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77 };
  static const guint8 set1[] = { 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5 };
  static const guint8 set3[] = { 0x62, 0xF0, 0x62 };

  if (kbd->scancode_set == 1)
    queue_bytes (kbd, set1, sizeof set1);
  else if (kbd->scancode_set == 3)
    queue_bytes (kbd, set3, sizeof set3);
  else
    queue_bytes (kbd, set2, sizeof set2);
}

static void
key_event (BwPs2Keyboard *kbd, gboolean ext, gboolean release, guint8 code)
{
  if (!kbd->scanning)
    return;
  emit_key (kbd, ext, release, code);
  if (release)
    {
      if (kbd->repeating && kbd->repeat_ext == ext && kbd->repeat_code == code)
        stop_repeat (kbd);
      return;
    }
  if (ext && code == 0x12)
    return; /* the fake shift before Print Screen does not repeat */
  kbd->repeating = TRUE;
  kbd->repeat_ext = ext;
  kbd->repeat_code = code;
  if (kbd->repeat_timer)
    bw_timer_mod_in (kbd->repeat_timer, bw_ps2_keyboard_typematic_delay_ns (kbd->typematic));
}

void
bw_ps2_keyboard_repeat_timer (void *opaque)
{
  BwPs2Keyboard *kbd = opaque;
  if (!kbd->repeating || !kbd->scanning)
    return;
  emit_key (kbd, kbd->repeat_ext, FALSE, kbd->repeat_code);
  bw_timer_mod_in (kbd->repeat_timer, bw_ps2_keyboard_typematic_period_ns (kbd->typematic));
}

/* The most one key event queues (Pause in set 2). */
#define MAX_EVENT_BYTES 8

gsize
bw_ps2_keyboard_put_scancodes (BwPs2Keyboard *kbd, const guint8 *codes, gsize len)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 b = codes[i];
      gboolean completes = kbd->in_pause == 7
                           || (kbd->in_pause == 0 && b != 0xE0 && b != 0xF0 && b != 0xE1);
      if (completes && kbd->scanning && bw_ps2_queue_free_space (&kbd->queue) < MAX_EVENT_BYTES)
        return i;
      if (kbd->in_pause > 0)
        {
          /* The rest of E1 14 77 E1 F0 14 F0 77: Pause has no break code. */
          if (++kbd->in_pause == 8)
            {
              kbd->in_pause = 0;
              if (kbd->scanning)
                emit_pause (kbd);
            }
          continue;
        }
      switch (b)
        {
        case 0xE0:
          kbd->in_ext = TRUE;
          break;
        case 0xF0:
          kbd->in_release = TRUE;
          break;
        case 0xE1:
          kbd->in_pause = 1;
          kbd->in_ext = kbd->in_release = FALSE;
          break;
        default:
          key_event (kbd, kbd->in_ext, kbd->in_release, b);
          kbd->in_ext = kbd->in_release = FALSE;
          break;
        }
    }
  return len;
}

static void
command_argument (BwPs2Keyboard *kbd, guint8 cmd, guint8 arg)
{
  switch (cmd)
    {
    case 0xED:
      kbd->leds = arg & 7;
      reply (kbd, KBD_ACK);
      break;
    case 0xF0:
      if (arg == 0)
        {
          guint8 answer[2] = { KBD_ACK, kbd->scancode_set };
          queue_bytes (kbd, answer, 2);
        }
      else if (arg <= 3)
        {
          kbd->scancode_set = arg;
          stop_repeat (kbd);
          reply (kbd, KBD_ACK);
        }
      else
        reply (kbd, KBD_RESEND);
      break;
    case 0xF3:
      kbd->typematic = arg & 0x7F;
      reply (kbd, KBD_ACK);
      break;
    default: /* FB/FC/FD: the set-3 key-type argument is taken and ignored */
      reply (kbd, KBD_ACK);
      break;
    }
}

void
bw_ps2_keyboard_write (BwPs2Keyboard *kbd, guint8 byte)
{
  /* An argument with bit 7 set is a new command (the keyboard aborts the
   * old one), as real keyboards do. */
  if (kbd->pending_cmd && byte < 0x80)
    {
      guint8 cmd = kbd->pending_cmd;
      kbd->pending_cmd = 0;
      command_argument (kbd, cmd, byte);
      return;
    }
  kbd->pending_cmd = 0;

  switch (byte)
    {
    case 0xED: /* LEDs */
    case 0xF0: /* scancode set */
    case 0xF3: /* typematic rate and delay */
    case 0xFB:
    case 0xFC:
    case 0xFD: /* set-3 key types for one key */
      kbd->pending_cmd = byte;
      reply (kbd, KBD_ACK);
      break;
    case 0xEE:
      reply (kbd, KBD_ECHO);
      break;
    case 0xF2:
      {
        static const guint8 id[] = { KBD_ACK, 0xAB, 0x83 };
        queue_bytes (kbd, id, sizeof id);
        break;
      }
    case 0xF4:
      bw_ps2_queue_clear (&kbd->queue);
      kbd->scanning = TRUE;
      reply (kbd, KBD_ACK);
      break;
    case 0xF5:
      bw_ps2_queue_clear (&kbd->queue);
      set_defaults (kbd);
      kbd->scanning = FALSE;
      reply (kbd, KBD_ACK);
      break;
    case 0xF6:
      bw_ps2_queue_clear (&kbd->queue);
      set_defaults (kbd);
      reply (kbd, KBD_ACK);
      break;
    case 0xF7:
    case 0xF8:
    case 0xF9:
    case 0xFA: /* set-3 all-keys types: accepted */
      reply (kbd, KBD_ACK);
      break;
    case 0xFE:
      reply (kbd, kbd->last_sent);
      break;
    case 0xFF:
      bw_ps2_keyboard_reset (kbd);
      {
        static const guint8 bat[] = { KBD_ACK, KBD_BAT_OK };
        queue_bytes (kbd, bat, sizeof bat);
      }
      break;
    default:
      reply (kbd, KBD_RESEND);
      break;
    }
}

gboolean
bw_ps2_keyboard_has_data (const BwPs2Keyboard *kbd)
{
  return kbd->queue.count > 0;
}

guint8
bw_ps2_keyboard_read (BwPs2Keyboard *kbd)
{
  guint8 byte = bw_ps2_queue_pop (&kbd->queue);
  kbd->last_sent = byte;
  return byte;
}
