/* bw-pit.c: the 8254 programmable interval timer (0x40-0x43) and port
 * 61h (NMI status and control: channel 2 gate, speaker data, refresh
 * toggle, OUT2).
 *
 * Counters are not ticked: each channel remembers when it started counting
 * on the virtual clock, and its count and OUT follow from the ticks of the
 * 1.193182 MHz input since then, so nothing depends on host time. Channel
 * 0 drives IRQ 0 through a timer armed at OUT's next edge. In the periodic
 * modes only rising edges are scheduled (mode 2's one-tick low pulse is
 * delivered as a pulse), and no faster than every MIN_EDGE_NS: a guest
 * asking for a 600 kHz interrupt gets fewer, as a real CPU would. */
#include "config.h"

#include "vmm/bw-platform.h"

#define PIT_HZ 1193182
#define NS_PER_SEC G_GINT64_CONSTANT (1000000000)
#define MIN_EDGE_NS 10000
#define REFRESH_NS 15085 /* port 61h bit 4 toggles with each DRAM refresh request */

enum
{
  RW_LATCH = 0,
  RW_LSB = 1,
  RW_MSB = 2,
  RW_WORD = 3,
  RW_WORD_MSB = 4, /* a latched or live word whose LSB was read */
};

typedef struct
{
  guint16 count;      /* the count register as written (0: the maximum) */
  guint16 latched;    /* latched count, as the guest will read it */
  guint8 latch_state; /* 0, or RW_* of the latched count still to read */
  guint8 status;
  bool status_latched;
  guint8 rw;   /* RW_LSB, RW_MSB, RW_WORD */
  guint8 mode; /* 0-5 */
  bool bcd;
  bool gate;
  bool null_count;
  bool have_count; /* a count was written since the control word */
  bool counting;   /* counting (modes 1/5: triggered) */
  bool read_msb;   /* RW_WORD live reads: MSB next */
  bool write_msb;  /* RW_WORD writes: MSB next */
  guint8 write_lsb;
  gint64 start_ns; /* virtual time of tick 0 */
  gint64 frozen;   /* ticks reached when the gate went low */
} BwPitChannel;

typedef struct
{
  BwDevice parent;
  BwPitChannel ch[3];
  guint8 port61; /* bits 0-3 as written */
  bool irq_level;
  bool next_rise;
  BwTimer *timer;
  BwIrqLine *irq;
} BwPit;

static gint64
ns_to_ticks (gint64 ns)
{
  if (ns <= 0)
    return 0;
  return (gint64)((unsigned __int128)ns * PIT_HZ / NS_PER_SEC);
}

/* The first time at or after which ns_to_ticks() reaches ticks. */
static gint64
ticks_to_ns (gint64 ticks)
{
  unsigned __int128 n = (unsigned __int128)ticks * NS_PER_SEC + PIT_HZ - 1;
  n /= PIT_HZ;
  return n > G_MAXINT64 / 2 ? G_MAXINT64 / 2 : (gint64)n;
}

static guint
bcd_to_bin (guint v)
{
  return (v >> 12 & 15) * 1000 + (v >> 8 & 15) * 100 + (v >> 4 & 15) * 10 + (v & 15);
}

static guint
bin_to_bcd (guint v)
{
  return (v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | (v % 10);
}

/* The count as a number of ticks: 0 is 65536 (10000 in BCD). */
static gint64
modulus (const BwPitChannel *c)
{
  guint n = c->bcd ? bcd_to_bin (c->count) % 10000 : c->count;
  if (n == 0)
    n = c->bcd ? 10000 : 65536;
  return n;
}

static gboolean
gate_suspends (const BwPitChannel *c)
{
  return !c->gate && (c->mode == 0 || c->mode == 2 || c->mode == 3 || c->mode == 4);
}

/* Ticks since counting started, -1 when not counting. */
static gint64
elapsed (const BwPitChannel *c, gint64 now)
{
  if (!c->counting)
    return -1;
  if (gate_suspends (c))
    return c->frozen;
  return ns_to_ticks (now - c->start_ns);
}

static gboolean
channel_out (const BwPitChannel *c, gint64 now)
{
  gint64 d = elapsed (c, now);
  gint64 n = modulus (c);
  if (d < 0)
    return c->mode != 0; /* mode 0 goes low on the control word */
  switch (c->mode)
    {
      case 0:
      case 1:
        return d >= n;
      case 2:
        return !c->gate || n < 2 || d % n != n - 1;
      case 3:
        return !c->gate || d % n < (n + 1) / 2;
      default: /* 4, 5: one tick low at the terminal count */
        return d != n;
    }
}

static guint
channel_count (const BwPitChannel *c, gint64 now)
{
  gint64 d = elapsed (c, now);
  gint64 n = modulus (c);
  gint64 wrap = c->bcd ? 10000 : 65536;
  gint64 v;
  if (d < 0)
    v = n;
  else if (c->mode == 2)
    v = n - d % n;
  else if (c->mode == 3)
    v = n - (2 * d) % n;
  else
    v = ((n - d % wrap) % wrap + wrap) % wrap;
  v %= wrap;
  return c->bcd ? bin_to_bcd ((guint)v) : (guint)v;
}

static guint8
channel_status (const BwPitChannel *c, gint64 now)
{
  return (channel_out (c, now) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) | (c->rw << 4)
         | (c->mode << 1) | (c->bcd ? 1 : 0);
}

/* Channel 0 -> IRQ 0. */

static void
irq_set (BwPit *pit, gboolean level)
{
  pit->irq_level = level;
  bw_irq_line_set (pit->irq, level);
}

static void
schedule (BwPit *pit, gint64 now)
{
  BwPitChannel *c = &pit->ch[0];
  gint64 d = elapsed (c, now);
  gint64 n = modulus (c);
  gint64 next = -1;
  gboolean rise = TRUE;
  gboolean periodic = c->mode == 2 || c->mode == 3;

  if (d >= 0 && !gate_suspends (c))
    switch (c->mode)
      {
        case 0:
        case 1:
          if (d < n)
            next = n;
          break;
        case 2:
          next = (d / n + 1) * n;
          break;
        case 3:
          if (d % n < (n + 1) / 2)
            next = d - d % n + (n + 1) / 2, rise = FALSE;
          else
            next = d - d % n + n;
          break;
        default:
          if (d <= n)
            next = n + 1;
          break;
      }
  if (next < 0)
    {
      bw_timer_del (pit->timer);
      return;
    }
  gint64 when = c->start_ns + ticks_to_ns (next);
  if (periodic && when < now + MIN_EDGE_NS)
    {
      /* Too fast to deliver: the next rising edge at least MIN_EDGE_NS on. */
      gint64 dmin = ns_to_ticks (now + MIN_EDGE_NS - c->start_ns);
      next = (dmin / n + 1) * n;
      rise = TRUE;
      when = c->start_ns + ticks_to_ns (next);
    }
  pit->next_rise = rise;
  bw_timer_mod (pit->timer, when);
}

static void
pit_timer (void *opaque)
{
  BwPit *pit = opaque;
  gint64 now = bw_device_now (&pit->parent);
  if (!pit->next_rise)
    irq_set (pit, FALSE);
  else
    {
      if (pit->irq_level)
        irq_set (pit, FALSE); /* the low pulse we did not stop for */
      irq_set (pit, TRUE);
    }
  schedule (pit, now);
}

/* After any change to channel 0: OUT as it is now, next edge. */
static void
irq_update (BwPit *pit, gint64 now)
{
  irq_set (pit, channel_out (&pit->ch[0], now));
  schedule (pit, now);
}

static void
set_gate (BwPit *pit, guint i, gboolean gate, gint64 now)
{
  BwPitChannel *c = &pit->ch[i];
  if (c->gate == gate)
    return;
  if (!gate)
    {
      if (c->counting && c->mode != 1 && c->mode != 5)
        c->frozen = ns_to_ticks (now - c->start_ns);
      c->gate = FALSE;
    }
  else
    {
      c->gate = TRUE;
      switch (c->mode)
        {
          case 0:
          case 4:
            if (c->counting)
              c->start_ns = now - ticks_to_ns (c->frozen);
            break;
          case 2:
          case 3:
            if (c->counting)
              c->start_ns = now; /* reload */
            break;
          default: /* 1, 5: the rising edge triggers */
            if (c->have_count)
              {
                c->counting = TRUE;
                c->start_ns = now;
              }
            break;
        }
    }
  if (i == 0)
    irq_update (pit, now);
}

static void
load_count (BwPit *pit, guint i, guint16 value, gint64 now)
{
  BwPitChannel *c = &pit->ch[i];
  c->count = value;
  c->have_count = TRUE;
  c->null_count = FALSE;
  if (c->mode == 1 || c->mode == 5)
    return; /* waits for a gate edge */
  c->counting = TRUE;
  c->start_ns = now;
  c->frozen = 0;
  if (i == 0)
    irq_update (pit, now);
}

static void
control_word (BwPit *pit, guint8 v, gint64 now)
{
  guint sc = v >> 6;
  if (sc == 3)
    {
      /* Read-back: bit 5 clear latches counts, bit 4 clear latches status. */
      for (guint i = 0; i < 3; i++)
        {
          BwPitChannel *c = &pit->ch[i];
          if (!(v & (2u << i)))
            continue;
          if (!(v & 0x20) && !c->latch_state)
            {
              c->latched = (guint16)channel_count (c, now);
              c->latch_state = c->rw;
            }
          if (!(v & 0x10) && !c->status_latched)
            {
              c->status = channel_status (c, now);
              c->status_latched = TRUE;
            }
        }
      return;
    }
  BwPitChannel *c = &pit->ch[sc];
  guint rw = (v >> 4) & 3;
  if (rw == RW_LATCH)
    {
      if (!c->latch_state)
        {
          c->latched = (guint16)channel_count (c, now);
          c->latch_state = c->rw;
        }
      return;
    }
  c->rw = (guint8)rw;
  c->mode = (v >> 1) & 7;
  if (c->mode > 5)
    c->mode -= 4; /* 6 and 7 are 2 and 3 */
  c->bcd = v & 1;
  c->null_count = TRUE;
  c->have_count = FALSE;
  c->counting = FALSE;
  c->read_msb = c->write_msb = FALSE;
  c->latch_state = 0;
  c->status_latched = FALSE;
  if (sc == 0)
    irq_update (pit, now);
}

static void
counter_write (BwPit *pit, guint i, guint8 v, gint64 now)
{
  BwPitChannel *c = &pit->ch[i];
  switch (c->rw)
    {
      case RW_LSB:
        load_count (pit, i, v, now);
        break;
      case RW_MSB:
        load_count (pit, i, (guint16)(v << 8), now);
        break;
      default:
        if (!c->write_msb)
          {
            c->write_lsb = v;
            c->write_msb = TRUE;
          }
        else
          {
            c->write_msb = FALSE;
            load_count (pit, i, (guint16)(c->write_lsb | v << 8), now);
          }
        break;
    }
}

static guint8
counter_read (BwPit *pit, guint i, gint64 now)
{
  BwPitChannel *c = &pit->ch[i];
  if (c->status_latched)
    {
      c->status_latched = FALSE;
      return c->status;
    }
  if (c->latch_state)
    {
      guint8 v;
      switch (c->latch_state)
        {
          case RW_LSB:
            v = (guint8)c->latched, c->latch_state = 0;
            break;
          case RW_MSB:
            v = (guint8)(c->latched >> 8), c->latch_state = 0;
            break;
          case RW_WORD:
            v = (guint8)c->latched, c->latch_state = RW_WORD_MSB;
            break;
          default:
            v = (guint8)(c->latched >> 8), c->latch_state = 0;
            break;
        }
      return v;
    }
  guint count = channel_count (c, now);
  switch (c->rw)
    {
      case RW_LSB:
        return (guint8)count;
      case RW_MSB:
        return (guint8)(count >> 8);
      default:
        c->read_msb = !c->read_msb;
        return c->read_msb ? (guint8)count : (guint8)(count >> 8);
    }
}

static void
pit_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwPit *pit = opaque;
  gint64 now = bw_device_now (&pit->parent);
  if (offset == 3)
    {
      if (is_write)
        control_word (pit, (guint8)*data, now);
      else
        *data = 0xff; /* the control register cannot be read */
      return;
    }
  if (is_write)
    counter_write (pit, (guint)offset, (guint8)*data, now);
  else
    *data = counter_read (pit, (guint)offset, now);
}

static void
port61_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwPit *pit = opaque;
  gint64 now = bw_device_now (&pit->parent);
  if (is_write)
    {
      pit->port61 = (guint8)*data & 0x0f;
      set_gate (pit, 2, pit->port61 & 1, now);
      return;
    }
  *data = pit->port61 | ((now / REFRESH_NS) & 1 ? 0x10 : 0)
          | (channel_out (&pit->ch[2], now) ? 0x20 : 0);
}

static const BwIoOps pit_ops = { .handler = pit_io, .max_access = 1 };
static const BwIoOps port61_ops = { .handler = port61_io, .max_access = 1 };

static gboolean
pit_realize (BwDevice *dev, GError **error)
{
  BwPit *pit = (BwPit *)dev;
  pit->irq = bw_device_get_irq (dev, 0);
  pit->timer = bw_device_new_timer (dev, pit_timer, pit);
  return bw_device_register_pio (dev, 0x40, 4, &pit_ops, pit, error)
         && bw_device_register_pio (dev, 0x61, 1, &port61_ops, pit, error);
}

static void
pit_reset (BwDevice *dev)
{
  BwPit *pit = (BwPit *)dev;
  gint64 now = bw_device_now (dev);
  for (guint i = 0; i < 3; i++)
    {
      BwPitChannel *c = &pit->ch[i];
      *c = (BwPitChannel){ 0 };
      c->gate = i != 2;
      c->rw = RW_WORD;
      c->mode = 3;
    }
  pit->port61 = 0;
  pit->next_rise = TRUE;
  bw_timer_del (pit->timer);
  irq_update (pit, now);
}

static gboolean
pit_post_load (void *opaque, int version, GError **error)
{
  BwPit *pit = opaque;
  for (guint i = 0; i < 3; i++)
    {
      BwPitChannel *c = &pit->ch[i];
      if (c->mode > 5 || c->rw < RW_LSB || c->rw > RW_WORD || c->latch_state > RW_WORD_MSB)
        {
          g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                       "8254 channel %u: mode %u, access %u or latch %u out of range", i, c->mode,
                       c->rw, c->latch_state);
          return FALSE;
        }
      /* Keep times where the tick arithmetic cannot overflow. */
      gint64 now = bw_device_now (&pit->parent);
      c->start_ns = CLAMP (c->start_ns, now - (G_GINT64_CONSTANT (1) << 61),
                           now + (G_GINT64_CONSTANT (1) << 61));
      c->frozen = CLAMP (c->frozen, 0, G_GINT64_CONSTANT (1) << 40);
    }
  pit->port61 &= 0x0f;
  if (pit->ch[2].gate != (pit->port61 & 1))
    pit->ch[2].gate = pit->port61 & 1;
  bw_irq_line_set (pit->irq, pit->irq_level);
  return TRUE;
}

static const BwVmStateField channel_fields[] = {
  BW_VMSTATE_U16 (BwPitChannel, count),
  BW_VMSTATE_U16 (BwPitChannel, latched),
  BW_VMSTATE_U8 (BwPitChannel, latch_state),
  BW_VMSTATE_U8 (BwPitChannel, status),
  BW_VMSTATE_BOOL (BwPitChannel, status_latched),
  BW_VMSTATE_U8 (BwPitChannel, rw),
  BW_VMSTATE_U8 (BwPitChannel, mode),
  BW_VMSTATE_BOOL (BwPitChannel, bcd),
  BW_VMSTATE_BOOL (BwPitChannel, gate),
  BW_VMSTATE_BOOL (BwPitChannel, null_count),
  BW_VMSTATE_BOOL (BwPitChannel, have_count),
  BW_VMSTATE_BOOL (BwPitChannel, counting),
  BW_VMSTATE_BOOL (BwPitChannel, read_msb),
  BW_VMSTATE_BOOL (BwPitChannel, write_msb),
  BW_VMSTATE_U8 (BwPitChannel, write_lsb),
  BW_VMSTATE_I64 (BwPitChannel, start_ns),
  BW_VMSTATE_I64 (BwPitChannel, frozen),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc channel_vmstate = {
  .name = "i8254-channel",
  .version = 1,
  .minimum_version = 1,
  .fields = channel_fields,
};

static const BwVmStateField pit_fields[] = {
  BW_VMSTATE_STRUCT_ARRAY (BwPit, ch, BwPitChannel, 3, channel_vmstate),
  BW_VMSTATE_U8 (BwPit, port61),
  BW_VMSTATE_BOOL (BwPit, irq_level),
  BW_VMSTATE_BOOL (BwPit, next_rise),
  BW_VMSTATE_TIMER (BwPit, timer),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc pit_vmstate = {
  .name = "pit-i8254",
  .version = 1,
  .minimum_version = 1,
  .fields = pit_fields,
  .post_load = pit_post_load,
};

static const BwDeviceClass pit_class = {
  .name = "pit-i8254",
  .description = "8254 interval timer on IRQ 0, port 61h speaker gate",
  .instance_size = sizeof (BwPit),
  .priority = BW_DEVICE_PRIORITY_BASE,
  .realize = pit_realize,
  .reset = pit_reset,
  .vmstate = &pit_vmstate,
};

BW_DEVICE_REGISTER (pit_class)
