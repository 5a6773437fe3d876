/* bw-uart.h: the 16550A UART (class "uart16550a"), COM1-COM4.
 *
 * Config node keys (all optional):
 *   index    1..4: COM1 0x3F8/IRQ 4, COM2 0x2F8/IRQ 3, COM3 0x3E8/IRQ 4,
 *            COM4 0x2E8/IRQ 3 (default: from an id "serialN" -> N+1, else 1)
 *   iobase   port base, overrides the index's
 *   irq      ISA IRQ, overrides the index's
 *   mode     "disconnected" (default) | "file" | "server" | "client"
 *   path     the file or unix socket for the modes that need one
 *
 * Registers: RBR/THR, IER, IIR/FCR, LCR, MCR (loopback), LSR, MSR, SCR and
 * the divisor latch. 16-byte FIFOs with trigger levels 1/4/8/14, the
 * character timeout, and interrupt identification by priority (line
 * status, received data or timeout, THR empty, modem status). A
 * character written to THR goes to the back end at once (THR and the
 * shift register empty again, THRE interrupt) while the back end takes
 * it; while it would block, and in loopback mode, characters leave one
 * character time apart on the virtual clock (start, data, parity and
 * stop bits at the programmed baud rate). The IRQ reaches the PIC only
 * while MCR OUT2 is set, as a PC wires it. */
#pragma once

#include <glib.h>
#include "vmm/bw-device.h"

G_BEGIN_DECLS

#define BW_UART_CLASS "uart16550a"
#define BW_UART_CLOCK_HZ 1843200

/* One character's time on the line for a divisor and LCR, in ns. */
gint64 bw_uart_char_time_ns (guint16 divisor, guint8 lcr);

/* Bytes the back end dropped (tests, statistics). */
guint64 bw_uart_get_dropped (BwDevice *uart);

G_END_DECLS
