/* bw-uart.c: the 16550A UART: registers, FIFOs, interrupt priorities,
 * transmission at once or at the baud rate, loopback, the back-end link.
 *
 * A byte written to THR goes to the back end at once while the back end
 * takes it, as QEMU and VirtualBox do: Linux's console waits for THRE and
 * TEMT after each character with interrupts off, and a real line's pace
 * would cost a boot seconds of guest time and merge its timer ticks. The
 * shift register and the FIFO hold bytes, leaving one character time
 * apart on the virtual clock (tx_timer), only while the back end would
 * block (a socket peer that does not read) and in loopback mode, where
 * the receiver's timing (trigger levels, character timeout) follows. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "vmm/bw-platform.h"
#include "devices/peripherals/bw-uart.h"
#include "devices/peripherals/bw-serial-backend.h"

#define FIFO_SIZE 16

#define IER_RDA 0x01  /* received data available (and timeout) */
#define IER_THRE 0x02
#define IER_RLS 0x04  /* receiver line status */
#define IER_MS 0x08   /* modem status */

#define IIR_NONE 0x01
#define IIR_RLS 0x06
#define IIR_RDA 0x04
#define IIR_TIMEOUT 0x0C
#define IIR_THRE 0x02
#define IIR_MS 0x00
#define IIR_FIFO 0xC0

#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_PE 0x04
#define LSR_FE 0x08
#define LSR_BI 0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define LSR_ERRORS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

typedef struct
{
  BwDevice parent;
  guint16 divisor;
  guint8 ier, lcr, mcr, lsr, msr, scr;
  guint8 fcr; /* FIFO enable and trigger bits as last written */
  guint8 rx_fifo[FIFO_SIZE];
  guint8 rx_head, rx_count;
  guint8 tx_fifo[FIFO_SIZE];
  guint8 tx_head, tx_count;
  guint8 tsr;        /* transmit shift register */
  bool tsr_full;
  bool thre_pending; /* THR-empty interrupt not yet taken by an IIR read */
  bool timeout_pending;
  BwTimer *tx_timer;
  BwTimer *timeout_timer;

  /*< not saved >*/
  BwIrqLine *irq;
  BwSerialBackend *backend;
} BwUart;

static const struct
{
  guint16 base;
  guint irq;
} com_ports[4] = { { 0x3F8, 4 }, { 0x2F8, 3 }, { 0x3E8, 4 }, { 0x2E8, 3 } };

gint64
bw_uart_char_time_ns (guint16 divisor, guint8 lcr)
{
  guint data_bits = 5 + (lcr & 3);
  /* In half bits: start, data, parity, then 1, 1.5 (5-bit words) or 2 stop bits. */
  guint half_bits = 2 * (1 + data_bits + ((lcr & 0x08) ? 1 : 0));
  half_bits += (lcr & 0x04) ? (data_bits == 5 ? 3 : 4) : 2;
  guint64 div = divisor ? divisor : 65536;
  return (gint64) (half_bits * div * 16 * G_GUINT64_CONSTANT (1000000000) / 2 / BW_UART_CLOCK_HZ);
}

static gint64
char_time (BwUart *s)
{
  return bw_uart_char_time_ns (s->divisor, s->lcr);
}

static gboolean
fifo_enabled (BwUart *s)
{
  return (s->fcr & FCR_ENABLE) != 0;
}

static guint
fifo_capacity (BwUart *s)
{
  return fifo_enabled (s) ? FIFO_SIZE : 1;
}

static guint
rx_trigger (BwUart *s)
{
  static const guint levels[4] = { 1, 4, 8, 14 };
  return fifo_enabled (s) ? levels[s->fcr >> 6] : 1;
}

static guint8
interrupt_id (BwUart *s)
{
  if ((s->ier & IER_RLS) && (s->lsr & LSR_ERRORS))
    return IIR_RLS;
  if ((s->ier & IER_RDA) && s->rx_count >= rx_trigger (s))
    return IIR_RDA;
  if ((s->ier & IER_RDA) && s->timeout_pending)
    return IIR_TIMEOUT;
  if ((s->ier & IER_THRE) && s->thre_pending)
    return IIR_THRE;
  if ((s->ier & IER_MS) && (s->msr & 0x0F))
    return IIR_MS;
  return IIR_NONE;
}

static void
update_irq (BwUart *s)
{
  bw_irq_line_set (s->irq, interrupt_id (s) != IIR_NONE && (s->mcr & MCR_OUT2));
}

/* Modem status inputs: looped back from MCR, or what the back end says. */
static void
update_msr (BwUart *s)
{
  guint8 lines;
  if (s->mcr & MCR_LOOP)
    lines = ((s->mcr & MCR_RTS) ? MSR_CTS : 0) | ((s->mcr & MCR_DTR) ? MSR_DSR : 0)
            | ((s->mcr & MCR_OUT1) ? MSR_RI : 0) | ((s->mcr & MCR_OUT2) ? MSR_DCD : 0);
  else
    lines = s->backend && bw_serial_backend_is_connected (s->backend)
              ? MSR_CTS | MSR_DSR | MSR_DCD
              : 0;
  guint8 old = s->msr;
  guint8 delta = 0;
  if ((old ^ lines) & MSR_CTS)
    delta |= MSR_DCTS;
  if ((old ^ lines) & MSR_DSR)
    delta |= MSR_DDSR;
  if ((old ^ lines) & MSR_DCD)
    delta |= MSR_DDCD;
  if ((old & MSR_RI) && !(lines & MSR_RI))
    delta |= MSR_TERI; /* trailing edge of ring indicator */
  s->msr = lines | (old & 0x0F) | delta;
}

static void
arm_timeout (BwUart *s)
{
  if (fifo_enabled (s) && s->rx_count > 0)
    bw_timer_mod_in (s->timeout_timer, 4 * char_time (s));
  else
    bw_timer_del (s->timeout_timer);
}

static void
receive (BwUart *s, guint8 byte)
{
  if (s->rx_count >= fifo_capacity (s))
    {
      s->lsr |= LSR_OE; /* the character in the shift register is lost */
      return;
    }
  s->rx_fifo[(s->rx_head + s->rx_count++) % FIFO_SIZE] = byte;
  s->lsr |= LSR_DR;
  s->timeout_pending = FALSE;
  arm_timeout (s);
}

/* Takes input from the back end while the receiver has room. */
static void
pull_input (BwUart *s)
{
  if (!s->backend || (s->mcr & MCR_LOOP))
    return;
  guint room = fifo_capacity (s) - MIN (s->rx_count, fifo_capacity (s));
  if (room == 0)
    return;
  guint8 buf[FIFO_SIZE];
  gsize n = bw_serial_backend_read (s->backend, buf, room);
  for (gsize i = 0; i < n; i++)
    receive (s, buf[i]);
}

static void
backend_notify (void *opaque)
{
  BwUart *s = opaque;
  update_msr (s);
  pull_input (s);
  update_irq (s);
}

/* Whether a byte may skip the line's pace and go to the back end now. */
static gboolean
tx_at_once (BwUart *s)
{
  return !(s->mcr & MCR_LOOP) && !(s->backend && bw_serial_backend_would_block (s->backend));
}

static void
emit (BwUart *s, guint8 byte)
{
  if (s->mcr & MCR_LOOP)
    receive (s, byte);
  else if (s->backend)
    bw_serial_backend_write (s->backend, byte);
}

/* Moves the next byte from the FIFO (or THR) into the shift register and
 * times it out on the line. */
static void
start_tx (BwUart *s)
{
  if (s->tsr_full || s->tx_count == 0)
    return;
  s->tsr = s->tx_fifo[s->tx_head];
  s->tx_head = (s->tx_head + 1) % FIFO_SIZE;
  s->tx_count--;
  s->tsr_full = TRUE;
  bw_timer_mod_in (s->tx_timer, char_time (s));
  if (s->tx_count == 0)
    {
      s->lsr |= LSR_THRE;
      s->thre_pending = TRUE;
    }
}

/* Sends what the transmitter holds at once while the back end takes it,
 * shift register first; what remains goes on at the baud rate. THR (or
 * the FIFO) emptying raises the THRE interrupt, as on the chip. */
static void
transmit (BwUart *s)
{
  if (!s->tsr_full)
    {
      while (s->tx_count > 0 && tx_at_once (s))
        {
          emit (s, s->tx_fifo[s->tx_head]);
          s->tx_head = (s->tx_head + 1) % FIFO_SIZE;
          if (--s->tx_count == 0)
            {
              s->lsr |= LSR_THRE;
              s->thre_pending = TRUE;
            }
        }
      start_tx (s);
    }
  if (!s->tsr_full && s->tx_count == 0)
    s->lsr |= LSR_THRE | LSR_TEMT;
}

/* The shift register's character is out (a state saved by an older
 * model, which always paced, may have one under way too). */
static void
tx_done (void *opaque)
{
  BwUart *s = opaque;
  if (s->tsr_full)
    {
      s->tsr_full = FALSE;
      emit (s, s->tsr);
    }
  transmit (s);
  update_irq (s);
}

static void
rx_timeout (void *opaque)
{
  BwUart *s = opaque;
  if (fifo_enabled (s) && s->rx_count > 0)
    s->timeout_pending = TRUE;
  update_irq (s);
}

static void
clear_rx (BwUart *s)
{
  s->rx_head = s->rx_count = 0;
  s->lsr &= ~LSR_DR;
  s->timeout_pending = FALSE;
  bw_timer_del (s->timeout_timer);
}

static void
clear_tx (BwUart *s)
{
  s->tx_head = s->tx_count = 0;
  s->lsr |= LSR_THRE;
  if (!s->tsr_full)
    s->lsr |= LSR_TEMT;
  s->thre_pending = TRUE;
}

static guint8
read_rbr (BwUart *s)
{
  if (s->rx_count == 0)
    return s->rx_fifo[(s->rx_head + FIFO_SIZE - 1) % FIFO_SIZE]; /* stale, as hardware */
  guint8 byte = s->rx_fifo[s->rx_head];
  s->rx_head = (s->rx_head + 1) % FIFO_SIZE;
  s->rx_count--;
  if (s->rx_count == 0)
    s->lsr &= ~LSR_DR;
  s->timeout_pending = FALSE;
  pull_input (s);
  arm_timeout (s);
  return byte;
}

static void
write_thr (BwUart *s, guint8 byte)
{
  if (s->tx_count >= fifo_capacity (s))
    bw_device_guest_error (&s->parent, "transmitter overrun: THR written while full");
  else
    s->tx_fifo[(s->tx_head + s->tx_count++) % FIFO_SIZE] = byte;
  s->lsr &= ~(LSR_THRE | LSR_TEMT);
  s->thre_pending = FALSE;
  transmit (s);
}

static void
write_fcr (BwUart *s, guint8 v)
{
  if ((v ^ s->fcr) & FCR_ENABLE)
    {
      /* Switching the FIFOs on or off empties them. */
      clear_rx (s);
      clear_tx (s);
    }
  if (!(v & FCR_ENABLE))
    {
      s->fcr = 0;
      return;
    }
  s->fcr = v & 0xC9; /* enable, DMA mode, trigger level */
  if (v & FCR_CLEAR_RX)
    clear_rx (s);
  if (v & FCR_CLEAR_TX)
    clear_tx (s);
  pull_input (s);
}

static void
uart_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwUart *s = opaque;
  gboolean dlab = (s->lcr & LCR_DLAB) != 0;

  if (is_write)
    {
      guint8 v = (guint8) *data;
      switch (offset)
        {
        case 0:
          if (dlab)
            s->divisor = (s->divisor & 0xFF00) | v;
          else
            write_thr (s, v);
          break;
        case 1:
          if (dlab)
            s->divisor = (s->divisor & 0x00FF) | (v << 8);
          else
            {
              /* Enabling the THRE interrupt while THR is empty raises it. */
              if ((v & IER_THRE) && (s->lsr & LSR_THRE))
                s->thre_pending = TRUE;
              s->ier = v & 0x0F;
            }
          break;
        case 2:
          write_fcr (s, v);
          break;
        case 3:
          s->lcr = v;
          break;
        case 4:
          {
            gboolean was_loop = (s->mcr & MCR_LOOP) != 0;
            s->mcr = v & 0x1F;
            update_msr (s);
            if (was_loop && !(s->mcr & MCR_LOOP))
              pull_input (s);
            break;
          }
        case 5: /* LSR: writes are for factory test only */
        case 6:
          break;
        case 7:
          s->scr = v;
          break;
        }
      update_irq (s);
      return;
    }

  switch (offset)
    {
    case 0:
      *data = dlab ? (s->divisor & 0xFF) : read_rbr (s);
      break;
    case 1:
      *data = dlab ? (s->divisor >> 8) : s->ier;
      break;
    case 2:
      {
        guint8 id = interrupt_id (s);
        if (id == IIR_THRE)
          s->thre_pending = FALSE; /* reading IIR takes the THRE interrupt */
        *data = id | (fifo_enabled (s) ? IIR_FIFO : 0);
        break;
      }
    case 3:
      *data = s->lcr;
      break;
    case 4:
      *data = s->mcr;
      break;
    case 5:
      *data = s->lsr;
      s->lsr &= ~LSR_ERRORS;
      break;
    case 6:
      *data = s->msr;
      s->msr &= 0xF0;
      break;
    case 7:
      *data = s->scr;
      break;
    }
  update_irq (s);
}

static const BwIoOps uart_ops = { .handler = uart_io, .max_access = 1 };

static guint
default_index (BwDevice *dev)
{
  if (g_str_has_prefix (dev->id, "serial") && dev->id[6] >= '0' && dev->id[6] <= '3'
      && dev->id[7] == '\0')
    return dev->id[6] - '0' + 1;
  return 1;
}

static gboolean
uart_realize (BwDevice *dev, GError **error)
{
  BwUart *s = (BwUart *) dev;
  gint64 index, base, irq;
  BwSerialBackendMode mode = BW_SERIAL_BACKEND_DISCONNECTED;

  if (bw_config_has (dev->config, "index"))
    {
      if (!bw_config_get_int_range (dev->config, "index", 1, 4, &index, error))
        return FALSE;
    }
  else
    index = default_index (dev);
  base = com_ports[index - 1].base;
  irq = com_ports[index - 1].irq;
  if (bw_config_has (dev->config, "iobase")
      && !bw_config_get_int_range (dev->config, "iobase", 0, 0xFFF8, &base, error))
    return FALSE;
  if (bw_config_has (dev->config, "irq")
      && !bw_config_get_int_range (dev->config, "irq", 0, 15, &irq, error))
    return FALSE;
  const char *mode_name = bw_config_get_string_default (dev->config, "mode", "disconnected");
  if (!bw_serial_backend_mode_from_string (mode_name, &mode, error))
    return FALSE;

  s->irq = bw_device_get_irq (dev, (guint) irq);
  s->tx_timer = bw_device_new_timer (dev, tx_done, s);
  s->timeout_timer = bw_device_new_timer (dev, rx_timeout, s);
  if (!bw_device_register_pio (dev, (guint16) base, 8, &uart_ops, s, error))
    return FALSE;

  if (mode != BW_SERIAL_BACKEND_DISCONNECTED)
    {
      const char *path = bw_config_get_string_default (dev->config, "path", NULL);
      s->backend = bw_serial_backend_new (mode, path, bw_platform_get_main_context (dev->platform),
                                          bw_platform_get_lock (dev->platform), backend_notify, s,
                                          error);
      if (!s->backend)
        {
          g_prefix_error (error, "%s: ", dev->id);
          return FALSE;
        }
    }
  bw_device_log (dev, "16550A at %#x, IRQ %u, %s%s%s", (guint) base, (guint) irq, mode_name,
                 s->backend ? " " : "",
                 s->backend ? bw_config_get_string_default (dev->config, "path", "") : "");
  return TRUE;
}

static void
uart_unrealize (BwDevice *dev)
{
  BwUart *s = (BwUart *) dev;
  /* The guest's last words may sit in the shift register and FIFO while
   * the transmitter paces them (a lagging back end): a real port would
   * finish sending them, so the back end gets them before it closes. */
  if (s->backend && !(s->mcr & MCR_LOOP))
    {
      if (s->tsr_full)
        bw_serial_backend_write (s->backend, s->tsr);
      for (guint i = 0; i < s->tx_count; i++)
        bw_serial_backend_write (s->backend, s->tx_fifo[(s->tx_head + i) % FIFO_SIZE]);
      s->tsr_full = FALSE;
      s->tx_count = 0;
    }
  g_clear_pointer (&s->backend, bw_serial_backend_close);
}

static void
uart_reset (BwDevice *dev)
{
  BwUart *s = (BwUart *) dev;
  s->divisor = 12; /* 9600 baud until the guest says otherwise */
  s->ier = 0;
  s->lcr = 0x03;   /* 8N1 */
  s->mcr = 0;
  s->lsr = LSR_THRE | LSR_TEMT;
  s->msr = 0;
  s->scr = 0;
  s->fcr = 0;
  s->rx_head = s->rx_count = 0;
  s->tx_head = s->tx_count = 0;
  s->tsr_full = FALSE;
  s->thre_pending = FALSE;
  s->timeout_pending = FALSE;
  bw_timer_del (s->tx_timer);
  bw_timer_del (s->timeout_timer);
  update_msr (s);
  s->msr &= 0xF0; /* power-on is not a change */
  update_irq (s);
}

static gboolean
uart_post_load (void *opaque, int version, GError **error)
{
  BwUart *s = opaque;
  if (s->rx_head >= FIFO_SIZE || s->rx_count > FIFO_SIZE || s->tx_head >= FIFO_SIZE
      || s->tx_count > FIFO_SIZE)
    {
      g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                   "Saved UART state has a FIFO index out of range");
      return FALSE;
    }
  /* A character under way keeps its timer (states from the older model,
   * which always paced, often have one; it then sends the rest at once).
   * One without, or bytes behind an empty shift register, would stall
   * the transmitter for good (a damaged state): they go on in a moment. */
  if ((s->tsr_full || s->tx_count > 0) && !bw_timer_pending (s->tx_timer))
    bw_timer_mod_in (s->tx_timer, char_time (s));
  update_irq (s);
  return TRUE;
}

static const BwVmStateField uart_fields[] = {
  BW_VMSTATE_U16 (BwUart, divisor),
  BW_VMSTATE_U8 (BwUart, ier),
  BW_VMSTATE_U8 (BwUart, lcr),
  BW_VMSTATE_U8 (BwUart, mcr),
  BW_VMSTATE_U8 (BwUart, lsr),
  BW_VMSTATE_U8 (BwUart, msr),
  BW_VMSTATE_U8 (BwUart, scr),
  BW_VMSTATE_U8 (BwUart, fcr),
  BW_VMSTATE_BUFFER (BwUart, rx_fifo, FIFO_SIZE),
  BW_VMSTATE_U8 (BwUart, rx_head),
  BW_VMSTATE_U8 (BwUart, rx_count),
  BW_VMSTATE_BUFFER (BwUart, tx_fifo, FIFO_SIZE),
  BW_VMSTATE_U8 (BwUart, tx_head),
  BW_VMSTATE_U8 (BwUart, tx_count),
  BW_VMSTATE_U8 (BwUart, tsr),
  BW_VMSTATE_BOOL (BwUart, tsr_full),
  BW_VMSTATE_BOOL (BwUart, thre_pending),
  BW_VMSTATE_BOOL (BwUart, timeout_pending),
  BW_VMSTATE_TIMER (BwUart, tx_timer),
  BW_VMSTATE_TIMER (BwUart, timeout_timer),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc uart_vmstate = {
  .name = "uart16550a",
  .version = 1,
  .minimum_version = 1,
  .fields = uart_fields,
  .post_load = uart_post_load,
};

static const BwDeviceClass uart_class = {
  .name = BW_UART_CLASS,
  .description = "16550A UART with FIFOs (COM1-COM4)",
  .instance_size = sizeof (BwUart),
  .priority = BW_DEVICE_PRIORITY_DEVICE,
  .realize = uart_realize,
  .reset = uart_reset,
  .unrealize = uart_unrealize,
  .vmstate = &uart_vmstate,
};

BW_DEVICE_REGISTER (uart_class)

guint64
bw_uart_get_dropped (BwDevice *dev)
{
  g_return_val_if_fail (dev && dev->klass == &uart_class, 0);
  BwUart *s = (BwUart *) dev;
  return s->backend ? bw_serial_backend_get_dropped (s->backend) : 0;
}
