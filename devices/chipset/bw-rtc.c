/* bw-rtc.c: the MC146818 real-time clock and its 128 bytes of CMOS RAM
 * (index port 0x70 with the NMI mask in bit 7, data port 0x71), on IRQ 8.
 *
 * The time is not ticked. While the clock runs (divider on, SET clear) it
 * is base_sec plus the whole seconds of virtual time since base_ns, and
 * the time registers are refreshed from it when read; while it is
 * stopped the registers themselves hold the time. The century byte 0x32
 * is kept with the clock, as PC firmware expects. Register C's flags
 * catch up lazily on every access (update-ended and alarm per second
 * boundary passed, periodic per period boundary passed); timers run only
 * when an enabled interrupt needs to be on time. */
#include "config.h"

#include "devices/chipset/bw-rtc.h"
#include "vmm/bw-platform.h"

#define NS_PER_SEC G_GINT64_CONSTANT (1000000000)
#define UIP_NS 244141 /* UIP rises 244 us (8 cycles of 32.768 kHz) before an update */

#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define A_UIP 0x80
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_SQWE 0x08
#define B_DM 0x04 /* binary */
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10
#define D_VRT 0x80

typedef struct
{
  BwDevice parent;
  guint8 cmos[BW_RTC_CMOS_SIZE];
  guint8 index;
  bool nmi_masked;
  gint64 base_sec; /* seconds since 1970 at base_ns (while running) */
  gint64 base_ns;
  guint8 dow_offset;  /* guest's weekday minus the computed one, mod 7 */
  gint64 last_update; /* the last second whose update was accounted */
  gint64 last_period; /* the last periodic boundary accounted */
  gint64 divider_ns;  /* when the divider chain last started */
  bool irq_level;
  BwTimer *update_timer;
  BwTimer *periodic_timer;
  BwIrqLine *irq;
} BwRtc;

typedef struct
{
  gint64 year;                                 /* full year */
  guint month, day, hour, minute, second, dow; /* dow 0 = Sunday */
} RtcTime;

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
static gint64
days_from_date (gint64 y, guint m, guint d)
{
  y -= m <= 2;
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
date_from_days (gint64 z, RtcTime *t)
{
  z += 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  t->day = (guint)(doy - (153 * mp + 2) / 5 + 1);
  t->month = (guint)(mp < 10 ? mp + 3 : mp - 9);
  t->year = yoe + era * 400 + (t->month <= 2);
}

static guint
days_in_month (gint64 y, guint m)
{
  static const guint8 days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  gboolean leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

static gint64
floor_div (gint64 a, gint64 b)
{
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static void
time_from_seconds (gint64 s, RtcTime *t)
{
  gint64 days = floor_div (s, 86400);
  gint64 sod = s - days * 86400;
  date_from_days (days, t);
  t->hour = (guint)(sod / 3600);
  t->minute = (guint)(sod / 60 % 60);
  t->second = (guint)(sod % 60);
  t->dow = (guint)(((days + 4) % 7 + 7) % 7);
}

/* Register encoding in the current data mode. */
static guint8
encode (BwRtc *rtc, guint v)
{
  if (rtc->cmos[REG_B] & B_DM)
    return (guint8)v;
  return (guint8)((v / 10 % 10) << 4 | v % 10);
}

static guint
decode (BwRtc *rtc, guint8 v)
{
  if (rtc->cmos[REG_B] & B_DM)
    return v;
  return (v >> 4) * 10 + (v & 15);
}

static guint8
encode_hour (BwRtc *rtc, guint hour)
{
  if (rtc->cmos[REG_B] & B_24H)
    return encode (rtc, hour);
  guint h12 = hour % 12 == 0 ? 12 : hour % 12;
  return encode (rtc, h12) | (hour >= 12 ? 0x80 : 0);
}

static guint
decode_hour (BwRtc *rtc, guint8 v)
{
  if (rtc->cmos[REG_B] & B_24H)
    return MIN (decode (rtc, v), 23);
  guint h12 = CLAMP (decode (rtc, v & 0x7f), 1, 12);
  return h12 % 12 + (v & 0x80 ? 12 : 0);
}

static gboolean
running (BwRtc *rtc)
{
  return (rtc->cmos[REG_A] & 0x70) <= 0x20 && !(rtc->cmos[REG_B] & B_SET);
}

static gboolean
divider_on (BwRtc *rtc)
{
  return (rtc->cmos[REG_A] & 0x70) <= 0x20;
}

static gint64
now_ns (BwRtc *rtc)
{
  return bw_device_now (&rtc->parent);
}

/* Whole seconds of the running clock at now. */
static gint64
current_seconds (BwRtc *rtc, gint64 now)
{
  return rtc->base_sec + floor_div (now - rtc->base_ns, NS_PER_SEC);
}

/* The time the registers hold, normalized into range. */
static gint64
seconds_from_registers (BwRtc *rtc, guint *dow_reg)
{
  guint8 *c = rtc->cmos;
  gint64 year = MIN (decode (rtc, c[BW_CMOS_CENTURY]), 99) * 100 + MIN (decode (rtc, c[9]), 99);
  guint month = CLAMP (decode (rtc, c[8]), 1, 12);
  guint day = CLAMP (decode (rtc, c[7]), 1, days_in_month (year, month));
  guint hour = decode_hour (rtc, c[4]);
  guint minute = MIN (decode (rtc, c[2]), 59);
  guint second = MIN (decode (rtc, c[0]), 59);
  *dow_reg = CLAMP (decode (rtc, c[6]), 1, 7);
  return days_from_date (year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

static void
registers_from_seconds (BwRtc *rtc, gint64 s)
{
  RtcTime t;
  time_from_seconds (s, &t);
  guint8 *c = rtc->cmos;
  c[0] = encode (rtc, t.second);
  c[2] = encode (rtc, t.minute);
  c[4] = encode_hour (rtc, t.hour);
  c[6] = encode (rtc, (t.dow + rtc->dow_offset) % 7 + 1);
  c[7] = encode (rtc, t.day);
  c[8] = encode (rtc, t.month);
  c[9] = encode (rtc, (guint)(((t.year % 100) + 100) % 100));
  c[BW_CMOS_CENTURY] = encode (rtc, (guint)(((t.year / 100) % 100 + 100) % 100));
}

/* Takes the registers as the new time; the second boundary stays where
 * it was unless restart says the clock starts now. */
static void
load_registers (BwRtc *rtc, gint64 now, gboolean restart)
{
  guint dow_reg;
  gint64 s = seconds_from_registers (rtc, &dow_reg);
  RtcTime t;
  time_from_seconds (s, &t);
  rtc->dow_offset = (guint8)((dow_reg - 1 + 7 - t.dow) % 7);
  if (restart)
    rtc->base_ns = now;
  else
    rtc->base_ns += floor_div (now - rtc->base_ns, NS_PER_SEC) * NS_PER_SEC;
  rtc->base_sec = s;
  rtc->last_update = s;
}

static gboolean
alarm_matches (BwRtc *rtc, gint64 s)
{
  gint64 sod = s - floor_div (s, 86400) * 86400;
  guint8 now[3] = { encode (rtc, (guint)(sod % 60)), encode (rtc, (guint)(sod / 60 % 60)),
                    encode_hour (rtc, (guint)(sod / 3600)) };
  for (guint i = 0; i < 3; i++)
    {
      guint8 alarm = rtc->cmos[1 + 2 * i];
      if ((alarm & 0xc0) != 0xc0 && alarm != now[i])
        return FALSE;
    }
  return TRUE;
}

/* Period of the periodic interrupt in 32.768 kHz cycles, 0 when off. */
static gint64
period_cycles (BwRtc *rtc)
{
  guint rs = rtc->cmos[REG_A] & 0x0f;
  if (rs == 0)
    return 0;
  return rs <= 2 ? G_GINT64_CONSTANT (1) << (rs + 6) : G_GINT64_CONSTANT (1) << (rs - 1);
}

static gint64
cycles_since (gint64 from, gint64 now)
{
  if (now <= from)
    return 0;
  return (gint64)((unsigned __int128)(now - from) * 32768 / NS_PER_SEC);
}

static gint64
cycles_to_ns (gint64 cycles)
{
  return (gint64)(((unsigned __int128)cycles * NS_PER_SEC + 32767) / 32768);
}

static gint64
current_period (BwRtc *rtc, gint64 now)
{
  gint64 p = period_cycles (rtc);
  return p ? cycles_since (rtc->divider_ns, now) / p : 0;
}

/* Accounts for the updates and periodic boundaries up to now. */
static void
catch_up (BwRtc *rtc, gint64 now)
{
  if (running (rtc))
    {
      gint64 cur = current_seconds (rtc, now);
      if (cur > rtc->last_update)
        {
          rtc->cmos[REG_C] |= C_UF;
          /* An alarm of hour, minute and second recurs within a day. */
          gint64 from = MAX (rtc->last_update + 1, cur - 86400);
          for (gint64 s = from; s <= cur && !(rtc->cmos[REG_C] & C_AF); s++)
            if (alarm_matches (rtc, s))
              rtc->cmos[REG_C] |= C_AF;
          rtc->last_update = cur;
        }
    }
  if (divider_on (rtc) && period_cycles (rtc))
    {
      gint64 cur = current_period (rtc, now);
      if (cur > rtc->last_period)
        {
          rtc->cmos[REG_C] |= C_PF;
          rtc->last_period = cur;
        }
    }
}

static void
update_irq (BwRtc *rtc)
{
  gboolean irqf = (rtc->cmos[REG_C] & rtc->cmos[REG_B] & (C_PF | C_AF | C_UF)) != 0;
  if (irqf)
    rtc->cmos[REG_C] |= C_IRQF;
  else
    rtc->cmos[REG_C] &= ~C_IRQF;
  rtc->irq_level = irqf;
  bw_irq_line_set (rtc->irq, irqf);
}

static void
schedule (BwRtc *rtc, gint64 now)
{
  guint8 b = rtc->cmos[REG_B];
  if (running (rtc) && (b & (B_UIE | B_AIE)))
    bw_timer_mod (rtc->update_timer,
                  rtc->base_ns + (floor_div (now - rtc->base_ns, NS_PER_SEC) + 1) * NS_PER_SEC);
  else
    bw_timer_del (rtc->update_timer);

  gint64 p = period_cycles (rtc);
  if (divider_on (rtc) && p && (b & B_PIE))
    bw_timer_mod (rtc->periodic_timer,
                  rtc->divider_ns + cycles_to_ns ((current_period (rtc, now) + 1) * p));
  else
    bw_timer_del (rtc->periodic_timer);
}

static void
rtc_timer (void *opaque)
{
  BwRtc *rtc = opaque;
  gint64 now = now_ns (rtc);
  catch_up (rtc, now);
  update_irq (rtc);
  schedule (rtc, now);
}

static void
write_a (BwRtc *rtc, guint8 v, gint64 now)
{
  gboolean was_running = running (rtc), was_on = divider_on (rtc);
  if (was_running)
    registers_from_seconds (rtc, current_seconds (rtc, now));
  gint64 old_period = period_cycles (rtc);
  rtc->cmos[REG_A] = v & 0x7f;
  if (!divider_on (rtc))
    return;
  if (!was_on)
    {
      /* The first update comes half a second after the divider starts. */
      rtc->divider_ns = now;
      rtc->last_period = 0;
      if (running (rtc))
        load_registers (rtc, now - NS_PER_SEC / 2, TRUE);
    }
  else if (old_period != period_cycles (rtc))
    rtc->last_period = current_period (rtc, now);
}

static void
write_b (BwRtc *rtc, guint8 v, gint64 now)
{
  gboolean was_running = running (rtc);
  if (was_running)
    registers_from_seconds (rtc, current_seconds (rtc, now));
  if (v & B_SET)
    v &= ~B_UIE; /* SET clears UIE */
  /* A new data mode applies to the next refresh of running registers;
   * stopped ones keep their digits, as the chip does. */
  rtc->cmos[REG_B] = v;
  if (!was_running && running (rtc))
    load_registers (rtc, now, TRUE);
}

static void
write_time (BwRtc *rtc, guint index, guint8 v, gint64 now)
{
  if (running (rtc))
    {
      registers_from_seconds (rtc, current_seconds (rtc, now));
      rtc->cmos[index] = v;
      load_registers (rtc, now, FALSE);
    }
  else
    rtc->cmos[index] = v;
}

static guint8
rtc_read (BwRtc *rtc, guint index, gint64 now)
{
  catch_up (rtc, now);
  switch (index)
    {
      case REG_A:
        {
          guint8 a = rtc->cmos[REG_A];
          gint64 frac
              = (now - rtc->base_ns) - floor_div (now - rtc->base_ns, NS_PER_SEC) * NS_PER_SEC;
          if (running (rtc) && frac >= NS_PER_SEC - UIP_NS)
            a |= A_UIP;
          return a;
        }
      case REG_C:
        {
          update_irq (rtc);
          guint8 c = rtc->cmos[REG_C];
          rtc->cmos[REG_C] = 0;
          update_irq (rtc);
          schedule (rtc, now);
          return c;
        }
      case REG_D:
        return D_VRT;
      default:
        if ((index <= 9 || index == BW_CMOS_CENTURY) && running (rtc))
          registers_from_seconds (rtc, current_seconds (rtc, now));
        return rtc->cmos[index];
    }
}

static void
rtc_write (BwRtc *rtc, guint index, guint8 v, gint64 now)
{
  catch_up (rtc, now);
  switch (index)
    {
      case 1:
      case 3:
      case 5:
        rtc->cmos[index] = v; /* alarms */
        break;
      case REG_A:
        write_a (rtc, v, now);
        break;
      case REG_B:
        write_b (rtc, v, now);
        break;
      case REG_C:
      case REG_D:
        break; /* read-only */
      default:
        if (index <= 9 || index == BW_CMOS_CENTURY)
          write_time (rtc, index, v, now);
        else
          rtc->cmos[index] = v;
        break;
    }
  update_irq (rtc);
  schedule (rtc, now);
}

static void
rtc_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwRtc *rtc = opaque;
  if (offset == 0)
    {
      if (is_write)
        {
          rtc->index = (guint8)*data & 0x7f;
          rtc->nmi_masked = (*data & 0x80) != 0;
        }
      else
        *data = 0xff; /* the index register is write-only */
      return;
    }
  gint64 now = now_ns (rtc);
  if (is_write)
    rtc_write (rtc, rtc->index, (guint8)*data, now);
  else
    *data = rtc_read (rtc, rtc->index, now);
}

static const BwIoOps rtc_ops = { .handler = rtc_io, .max_access = 1 };

guint8
bw_rtc_cmos_read (BwDevice *dev, guint index)
{
  BwRtc *rtc = (BwRtc *)dev;
  return index >= 0x0e && index < BW_RTC_CMOS_SIZE ? rtc->cmos[index] : 0xff;
}

void
bw_rtc_cmos_write (BwDevice *dev, guint index, guint8 value)
{
  BwRtc *rtc = (BwRtc *)dev;
  if (index >= 0x0e && index < BW_RTC_CMOS_SIZE && index != BW_CMOS_CENTURY)
    rtc->cmos[index] = value;
}

/* Keeps loaded (or partly loaded) values inside ranges the arithmetic
 * above is safe with. */
static void
sanitize (BwRtc *rtc, gint64 now)
{
  const gint64 ns_range = G_GINT64_CONSTANT (1) << 61;
  const gint64 sec_range = G_GINT64_CONSTANT (1) << 40;
  rtc->index &= 0x7f;
  rtc->dow_offset %= 7;
  rtc->cmos[REG_A] &= 0x7f;
  rtc->cmos[REG_D] = D_VRT;
  rtc->base_ns = CLAMP (rtc->base_ns, now - ns_range, now + ns_range);
  rtc->divider_ns = CLAMP (rtc->divider_ns, now - ns_range, now + ns_range);
  rtc->base_sec = CLAMP (rtc->base_sec, -sec_range, sec_range);
  gint64 cur = current_seconds (rtc, now);
  rtc->last_update = CLAMP (rtc->last_update, cur - sec_range, cur + sec_range);
  rtc->last_period = CLAMP (rtc->last_period, 0, G_GINT64_CONSTANT (1) << 62);
}

static gboolean
rtc_realize (BwDevice *dev, GError **error)
{
  BwRtc *rtc = (BwRtc *)dev;
  gint64 now = bw_device_now (dev);

  rtc->irq = bw_device_get_irq (dev, 8);
  rtc->update_timer = bw_device_new_timer (dev, rtc_timer, rtc);
  rtc->periodic_timer = bw_device_new_timer (dev, rtc_timer, rtc);
  if (!bw_rtc_cmos_init (dev, rtc->cmos, error))
    return FALSE;

  /* Battery-backed: the time and RAM are set here, not on reset. */
  gint64 base;
  if (bw_config_has (dev->config, "base-time"))
    {
      if (!bw_config_get_int_range (dev->config, "base-time", -62135596800, 253402300799, &base,
                                    error))
        return FALSE;
    }
  else
    {
      base = g_get_real_time () / G_USEC_PER_SEC;
      if (bw_config_get_bool_default (dev->config, "localtime", FALSE))
        {
          g_autoptr (GDateTime) local = g_date_time_new_now_local ();
          base += g_date_time_get_utc_offset (local) / G_USEC_PER_SEC;
        }
    }
  rtc->cmos[REG_A] = 0x26; /* 32.768 kHz divider, 1024 Hz rate */
  rtc->cmos[REG_B] = B_24H;
  rtc->cmos[REG_D] = D_VRT;
  rtc->base_sec = base;
  rtc->base_ns = now;
  rtc->last_update = base;
  rtc->divider_ns = now;
  rtc->last_period = 0;
  rtc->dow_offset = 0;
  registers_from_seconds (rtc, base);
  return bw_device_register_pio (dev, 0x70, 2, &rtc_ops, rtc, error);
}

static void
rtc_reset (BwDevice *dev)
{
  BwRtc *rtc = (BwRtc *)dev;
  gint64 now = now_ns (rtc);
  /* RESET clears the interrupt enables and flags; time and RAM stay. */
  sanitize (rtc, now);
  catch_up (rtc, now);
  rtc->cmos[REG_B] &= ~(B_PIE | B_AIE | B_UIE | B_SQWE);
  rtc->cmos[REG_C] = 0;
  rtc->index = 0;
  rtc->nmi_masked = FALSE;
  update_irq (rtc);
  schedule (rtc, now);
}

static gboolean
rtc_post_load (void *opaque, int version, GError **error)
{
  BwRtc *rtc = opaque;
  sanitize (rtc, now_ns (rtc));
  bw_irq_line_set (rtc->irq, rtc->irq_level);
  return TRUE;
}

static const BwVmStateField rtc_fields[] = {
  BW_VMSTATE_BUFFER (BwRtc, cmos, BW_RTC_CMOS_SIZE),
  BW_VMSTATE_U8 (BwRtc, index),
  BW_VMSTATE_BOOL (BwRtc, nmi_masked),
  BW_VMSTATE_I64 (BwRtc, base_sec),
  BW_VMSTATE_I64 (BwRtc, base_ns),
  BW_VMSTATE_U8 (BwRtc, dow_offset),
  BW_VMSTATE_I64 (BwRtc, last_update),
  BW_VMSTATE_I64 (BwRtc, last_period),
  BW_VMSTATE_I64 (BwRtc, divider_ns),
  BW_VMSTATE_BOOL (BwRtc, irq_level),
  BW_VMSTATE_TIMER (BwRtc, update_timer),
  BW_VMSTATE_TIMER (BwRtc, periodic_timer),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc rtc_vmstate = {
  .name = "rtc-mc146818",
  .version = 1,
  .minimum_version = 1,
  .fields = rtc_fields,
  .post_load = rtc_post_load,
};

static const BwDeviceClass rtc_class = {
  .name = "rtc-mc146818",
  .description = "MC146818 real-time clock and CMOS RAM on IRQ 8",
  .instance_size = sizeof (BwRtc),
  .priority = BW_DEVICE_PRIORITY_BASE,
  .realize = rtc_realize,
  .reset = rtc_reset,
  .vmstate = &rtc_vmstate,
};

BW_DEVICE_REGISTER (rtc_class)
