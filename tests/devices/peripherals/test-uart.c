/* test-uart.c: the 16550A through its registers on a manual clock, and its
 * file and unix socket back ends on a private main context. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "periph-test.h"
#include "devices/peripherals/bw-uart.h"

#define COM1 0x3F8
#define RBR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

static BwPlatform *p;
static GMainContext *ctx;
static char *tmpdir;

static void
setup (void)
{
  p = bw_platform_new_test (16);
  ctx = g_main_context_new ();
  bw_platform_set_main_context (p, ctx);
  tmpdir = g_dir_make_tmp ("bw-uart-XXXXXX", NULL);
  ck_assert (tmpdir != NULL);
}

static void
teardown (void)
{
  g_clear_pointer (&p, bw_platform_free);
  while (g_main_context_iteration (ctx, FALSE))
    ;
  g_clear_pointer (&ctx, g_main_context_unref);
  if (tmpdir)
    {
      g_autoptr (GDir) dir = g_dir_open (tmpdir, 0, NULL);
      const char *name;
      while (dir && (name = g_dir_read_name (dir)))
        {
          g_autofree char *path = g_build_filename (tmpdir, name, NULL);
          g_unlink (path);
        }
      g_rmdir (tmpdir);
    }
  g_clear_pointer (&tmpdir, g_free);
}

static BwDevice *
add_uart (const char *id, const char *mode, const char *path)
{
  BwConfig *node = bw_config_ensure_child (bw_platform_get_config (p), "devices");
  node = bw_config_ensure_child (node, id);
  if (mode)
    bw_config_set_string (node, "mode", mode);
  if (path)
    bw_config_set_string (node, "path", path);
  return add_device (p, BW_UART_CLASS, id, node);
}

static guint8
rd (guint8 reg)
{
  return inb (p, COM1 + reg);
}

static void
wr (guint8 reg, guint8 v)
{
  outb (p, COM1 + reg, v);
}

/* 115200 baud, 8N1. */
static gint64
fast_line (void)
{
  wr (LCR, 0x83);
  wr (0, 1);
  wr (1, 0);
  wr (LCR, 0x03);
  return bw_uart_char_time_ns (1, 0x03);
}

START_TEST (test_registers)
{
  add_uart ("serial0", NULL, NULL);
  ck_assert_uint_eq (rd (LSR), 0x60);
  ck_assert_uint_eq (rd (IIR), 0x01);
  ck_assert_uint_eq (rd (LCR), 0x03);
  wr (SCR, 0xA5);
  ck_assert_uint_eq (rd (SCR), 0xA5);
  wr (LCR, 0x80);
  wr (0, 0x34);
  wr (1, 0x12);
  ck_assert_uint_eq (rd (0), 0x34);
  ck_assert_uint_eq (rd (1), 0x12);
  wr (LCR, 0x1B);
  ck_assert_uint_eq (rd (LCR), 0x1B);
  wr (IER, 0xFF);
  ck_assert_uint_eq (rd (IER), 0x0F);
  /* Character times: 10 bits at 115200, 11 with parity, 7 bits + 2 stop. */
  ck_assert_int_eq (bw_uart_char_time_ns (1, 0x03), 86805);
  ck_assert_int_eq (bw_uart_char_time_ns (1, 0x0B), 95486);
  ck_assert_int_eq (bw_uart_char_time_ns (12, 0x06), 12 * 86805 + 6);
  /* 5 data bits: 1.5 stop bits, 7.5 bits in all. */
  ck_assert_int_eq (bw_uart_char_time_ns (1, 0x04), 15 * 16 * 1000000000ll / 2 / 1843200);
}
END_TEST

START_TEST (test_com_ports)
{
  add_uart ("serial1", NULL, NULL);
  add_uart ("serial3", NULL, NULL);
  BwConfig *node = bw_config_ensure_child (bw_platform_get_config (p), "devices/other");
  bw_config_set_int (node, "index", 3);
  bw_config_set_int (node, "irq", 5);
  add_device (p, BW_UART_CLASS, "other", node);

  const char *name;
  guint64 base, len;
  ck_assert (bw_io_bus_lookup (bw_platform_get_pio (p), 0x2F8, &base, &len, &name));
  ck_assert_str_eq (name, "serial1");
  ck_assert (bw_io_bus_lookup (bw_platform_get_pio (p), 0x2E8, &base, &len, &name));
  ck_assert_str_eq (name, "serial3");
  ck_assert (bw_io_bus_lookup (bw_platform_get_pio (p), 0x3EF, &base, &len, &name));
  ck_assert_str_eq (name, "other");
  ck_assert (!bw_io_bus_lookup (bw_platform_get_pio (p), 0x3F8, NULL, NULL, NULL));

  /* COM2 interrupts on IRQ 3, the override on IRQ 5. */
  outb (p, 0x2F8 + MCR, 0x08);
  outb (p, 0x2F8 + IER, 0x02);
  ck_assert (gsi_level (p, 3));
  outb (p, 0x3E8 + MCR, 0x08);
  outb (p, 0x3E8 + IER, 0x02);
  ck_assert (gsi_level (p, 5));
  ck_assert (!gsi_level (p, 4));

  g_autoptr (GError) error = NULL;
  BwConfig *bad = bw_config_ensure_child (bw_platform_get_config (p), "devices/bad");
  bw_config_set_int (bad, "index", 5);
  ck_assert (bw_platform_create_device (p, BW_UART_CLASS, "bad", bad, &error) == NULL);
  ck_assert (error != NULL);
}
END_TEST

START_TEST (test_loopback)
{
  add_uart ("serial0", NULL, NULL);
  gint64 t = fast_line ();
  wr (MCR, 0x10 | 0x0F); /* loopback, DTR, RTS, OUT1, OUT2 */
  ck_assert_uint_eq (rd (MSR) & 0xF0, 0xF0);
  wr (MCR, 0x10);
  ck_assert_uint_eq (rd (MSR), 0x0F); /* all four fell: deltas, TERI */
  ck_assert_uint_eq (rd (MSR), 0x00);

  wr (RBR, 'A');
  ck_assert_uint_eq (rd (LSR) & 0x61, 0x20); /* THR empty, shifting */
  step_ns (p, t - 1);
  ck_assert_uint_eq (rd (LSR) & 0x01, 0);
  step_ns (p, 1);
  ck_assert_uint_eq (rd (LSR) & 0x61, 0x61);
  ck_assert_uint_eq (rd (RBR), 'A');
  ck_assert_uint_eq (rd (LSR) & 0x01, 0);

  /* Without FIFOs a second character overruns the first. */
  wr (RBR, 'B');
  step_ns (p, t);
  wr (RBR, 'C');
  step_ns (p, t);
  ck_assert_uint_eq (rd (LSR) & 0x03, 0x03);
  ck_assert_uint_eq (rd (LSR) & 0x03, 0x01); /* OE clears on read */
  ck_assert_uint_eq (rd (RBR), 'B');
}
END_TEST

START_TEST (test_fifo_trigger_levels)
{
  add_uart ("serial0", NULL, NULL);
  gint64 t = fast_line ();
  static const guint8 fcr_bits[4] = { 0x00, 0x40, 0x80, 0xC0 };
  static const guint levels[4] = { 1, 4, 8, 14 };

  wr (MCR, 0x18); /* loopback, OUT2 */
  wr (IER, 0x01);
  for (int i = 0; i < 4; i++)
    {
      wr (FCR, 0x07 | fcr_bits[i]);
      ck_assert_uint_eq (rd (IIR), 0xC1);
      for (guint n = 1; n <= levels[i]; n++)
        {
          wr (RBR, (guint8) n);
          step_ns (p, t);
          if (n < levels[i])
            {
              ck_assert_uint_eq (rd (IIR), 0xC1);
              ck_assert (!gsi_level (p, 4));
            }
        }
      ck_assert_uint_eq (rd (IIR), 0xC4);
      ck_assert (gsi_level (p, 4));
      for (guint n = 1; n <= levels[i]; n++)
        ck_assert_uint_eq (rd (RBR), n);
      ck_assert_uint_eq (rd (IIR), 0xC1);
      ck_assert (!gsi_level (p, 4));
    }

  /* The FIFO holds 16; the 17th overruns. */
  wr (FCR, 0x07);
  wr (IER, 0x00);
  for (int n = 0; n < 17; n++)
    {
      wr (RBR, (guint8) n);
      step_ns (p, t);
    }
  ck_assert_uint_eq (rd (LSR) & 0x03, 0x03);
  for (int n = 0; n < 16; n++)
    ck_assert_uint_eq (rd (RBR), n);
  ck_assert_uint_eq (rd (LSR) & 0x01, 0);

  /* The transmitter FIFO takes 16 at once. */
  for (int n = 0; n < 16; n++)
    wr (RBR, (guint8) n);
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x00);
  step_ns (p, 15 * t);
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x20); /* last one in the shift register */
  step_ns (p, t);
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x60);
}
END_TEST

START_TEST (test_character_timeout)
{
  add_uart ("serial0", NULL, NULL);
  gint64 t = fast_line ();
  wr (MCR, 0x18);
  wr (FCR, 0xC7); /* trigger 14 */
  wr (IER, 0x01);
  for (int n = 0; n < 3; n++)
    wr (RBR, 'x');
  step_ns (p, 3 * t);
  ck_assert_uint_eq (rd (IIR), 0xC1);
  step_ns (p, 4 * t - 1);
  ck_assert_uint_eq (rd (IIR), 0xC1);
  step_ns (p, 1);
  ck_assert_uint_eq (rd (IIR), 0xCC);
  ck_assert (gsi_level (p, 4));
  rd (RBR);
  ck_assert_uint_eq (rd (IIR), 0xC1);
  step_ns (p, 4 * t);
  ck_assert_uint_eq (rd (IIR), 0xCC);
  rd (RBR);
  rd (RBR);
  step_ns (p, 10 * t);
  ck_assert_uint_eq (rd (IIR), 0xC1);
}
END_TEST

START_TEST (test_interrupt_priorities)
{
  add_uart ("serial0", NULL, NULL);
  gint64 t = fast_line ();
  wr (MCR, 0x18);
  /* Overrun (line status), data, THR empty and modem status at once. */
  wr (RBR, 1);
  step_ns (p, t);
  wr (RBR, 2);
  step_ns (p, t);
  wr (MCR, 0x1A); /* RTS -> CTS changes */
  wr (IER, 0x0F);
  ck_assert_uint_eq (rd (IIR), 0x06);
  ck_assert (gsi_level (p, 4));
  rd (LSR);
  ck_assert_uint_eq (rd (IIR), 0x04);
  rd (RBR);
  ck_assert_uint_eq (rd (IIR), 0x02);
  ck_assert_uint_eq (rd (IIR), 0x00); /* reading IIR took THRE */
  ck_assert_uint_eq (rd (MSR) & 0x11, 0x11);
  ck_assert_uint_eq (rd (IIR), 0x01);
  ck_assert (!gsi_level (p, 4));
}
END_TEST

START_TEST (test_thre_interrupt)
{
  add_uart ("serial0", NULL, NULL);
  gint64 t = fast_line ();
  wr (MCR, 0x08); /* OUT2: the IRQ reaches the PIC */
  wr (IER, 0x02);
  ck_assert (gsi_level (p, 4));
  ck_assert_uint_eq (rd (IIR), 0x02);
  ck_assert_uint_eq (rd (IIR), 0x01);
  ck_assert (!gsi_level (p, 4));

  /* Nothing connected takes each byte at once: THR and the shift
   * register empty again, THRE raised anew by every write. */
  wr (RBR, 'a');
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x60);
  ck_assert (gsi_level (p, 4));
  ck_assert_uint_eq (rd (IIR), 0x02);
  ck_assert (!gsi_level (p, 4));
  wr (RBR, 'b');
  ck_assert (gsi_level (p, 4));
  ck_assert_uint_eq (rd (IIR), 0x02);
  ck_assert_uint_eq (rd (IIR), 0x01);

  /* In loopback the line's pace holds: 'c' moves to the shift register
   * (THRE), 'd' waits in THR until 'c' is out. */
  wr (MCR, 0x18);
  wr (RBR, 'c');
  ck_assert_uint_eq (rd (IIR), 0x02);
  wr (RBR, 'd');
  ck_assert_uint_eq (rd (IIR), 0x01);
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x00);
  step_ns (p, t);
  ck_assert (gsi_level (p, 4));
  ck_assert_uint_eq (rd (IIR), 0x02);
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x20);
  step_ns (p, t);
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x60);
  wr (MCR, 0x08);

  /* Without OUT2 the line stays low. */
  wr (MCR, 0x00);
  wr (IER, 0x00);
  wr (IER, 0x02);
  ck_assert (!gsi_level (p, 4));
  wr (MCR, 0x08);
  ck_assert (gsi_level (p, 4));
}
END_TEST

static char *
read_file (const char *path)
{
  char *text = NULL;
  g_file_get_contents (path, &text, NULL, NULL);
  return text ? text : g_strdup ("");
}

static void
send_string (const char *s, gint64 t)
{
  for (; *s; s++)
    {
      while (!(rd (LSR) & 0x20))
        step_ns (p, t);
      wr (RBR, (guint8) *s);
    }
  step_ns (p, 2 * t);
}

START_TEST (test_file_backend)
{
  g_autofree char *path = g_build_filename (tmpdir, "serial.log", NULL);
  g_file_set_contents (path, "old\n", -1, NULL);
  add_uart ("serial0", "file", path);
  gint64 t = fast_line ();
  send_string ("Hello, file\n", t);
  for (int i = 0; i < 100; i++)
    {
      g_autofree char *text = read_file (path);
      if (strlen (text) >= 16)
        break;
      g_main_context_iteration (ctx, TRUE);
    }
  g_autofree char *text = read_file (path);
  ck_assert_str_eq (text, "old\nHello, file\n");
  ck_assert_uint_eq (rd (MSR) & 0xB0, 0xB0); /* a file is always there */

  /* Output still queued when the machine goes is written at close. */
  send_string ("bye\n", t);
  g_clear_pointer (&p, bw_platform_free);
  g_autofree char *after = read_file (path);
  ck_assert_str_eq (after, "old\nHello, file\nbye\n");
}
END_TEST

/* At the default 9600 baud, with no time passing at all: every byte
 * reaches the file back end at once and THR and the shift register are
 * empty right after each write (Linux's console waits for both), with
 * the THRE interrupt; a burst larger than the FIFO never overruns it.
 * Loopback keeps the line's pace and sends nothing to the file. */
START_TEST (test_file_backend_at_once)
{
  g_autofree char *path = g_build_filename (tmpdir, "fast.log", NULL);
  BwDevice *dev = add_uart ("serial0", "file", path);
  BwClock *clock = bw_platform_get_clock (p);
  gint64 start = bw_clock_now (clock);
  wr (MCR, 0x0B); /* DTR, RTS, OUT2 */
  wr (IER, 0x02);
  ck_assert_uint_eq (rd (IIR), 0x02);
  ck_assert (!gsi_level (p, 4));

  wr (RBR, '1');
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x60);
  ck_assert (gsi_level (p, 4));
  ck_assert_uint_eq (rd (IIR), 0x02);
  ck_assert (!gsi_level (p, 4));

  /* FIFO mode: a burst of 40 as a driver's interrupt handler writes it
   * (16 per THRE interrupt), then a console's byte at a time. */
  wr (FCR, 0x07);
  GString *want = g_string_new ("1");
  for (int n = 0; n < 40; n++)
    {
      guint8 byte = (guint8) ('A' + n % 26);
      wr (RBR, byte);
      g_string_append_c (want, (char) byte);
      ck_assert_uint_eq (rd (LSR) & 0x60, 0x60);
      ck_assert (gsi_level (p, 4));
    }
  ck_assert_uint_eq (rd (IIR), 0xC2);
  ck_assert_uint_eq (rd (IIR), 0xC1);
  for (const char *c = "console\n"; *c; c++)
    {
      ck_assert_uint_eq (rd (LSR) & 0x60, 0x60);
      wr (RBR, (guint8) *c);
      g_string_append_c (want, *c);
    }
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x60);

  /* Loopback: paced, received, not sent to the file. */
  wr (MCR, 0x1B);
  wr (RBR, 'L');
  ck_assert_uint_eq (rd (LSR) & 0x61, 0x20);
  ck_assert_int_eq (bw_clock_now (clock), start);
  step_ns (p, bw_uart_char_time_ns (12, 0x03));
  ck_assert_uint_eq (rd (LSR) & 0x61, 0x61);
  ck_assert_uint_eq (rd (RBR), 'L');
  wr (MCR, 0x0B);
  wr (RBR, '!');
  g_string_append_c (want, '!');
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x60);

  ck_assert_uint_eq (bw_uart_get_dropped (dev), 0);
  g_clear_pointer (&p, bw_platform_free);
  g_autofree char *text = read_file (path);
  ck_assert_str_eq (text, want->str);
  g_string_free (want, TRUE);
}
END_TEST

/* Characters still in the FIFO and shift register when the machine powers
 * off (no time for the baud rate to send them) reach the file. */
START_TEST (test_file_backend_drains_fifo_at_power_off)
{
  g_autofree char *path = g_build_filename (tmpdir, "last.log", NULL);
  add_uart ("serial0", "file", path);
  fast_line ();
  wr (FCR, 0x01); /* FIFO on */
  for (const char *c = "last line\n"; *c; c++)
    wr (0, (guint8) *c);
  g_clear_pointer (&p, bw_platform_free);
  g_autofree char *text = read_file (path);
  ck_assert_str_eq (text, "last line\n");
}
END_TEST

static int
connect_to (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);
  int fd = socket (AF_UNIX, SOCK_STREAM, 0);
  ck_assert (fd >= 0);
  ck_assert_msg (connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0, "connect: %s",
                 g_strerror (errno));
  fcntl (fd, F_SETFL, O_NONBLOCK);
  return fd;
}

/* Runs the main context until the peer has read `want`. */
static void
peer_expect (int fd, const char *want)
{
  GString *got = g_string_new (NULL);
  for (int i = 0; i < 1000 && got->len < strlen (want); i++)
    {
      char buf[256];
      ssize_t n = read (fd, buf, sizeof buf);
      if (n > 0)
        g_string_append_len (got, buf, n);
      else
        g_main_context_iteration (ctx, TRUE);
    }
  ck_assert_str_eq (got->str, want);
  g_string_free (got, TRUE);
}

/* The guest reads `len` bytes, running the main context while none wait. */
static void
guest_expect (const char *want, gint64 t)
{
  gsize len = strlen (want);
  g_autofree char *got = g_malloc0 (len + 1);
  gsize n = 0;
  for (int i = 0; i < 100000 && n < len; i++)
    {
      if (rd (LSR) & 0x01)
        got[n++] = (char) rd (RBR);
      else
        g_main_context_iteration (ctx, TRUE);
    }
  ck_assert_str_eq (got, want);
}

/* Returns the MSR that showed the change (with its delta bits). */
static guint8
wait_connected (gboolean connected)
{
  guint8 msr = rd (MSR);
  for (int i = 0; i < 1000 && ((msr & 0x80) != 0) != connected; i++)
    {
      g_main_context_iteration (ctx, TRUE);
      msr = rd (MSR);
    }
  ck_assert_uint_eq ((msr & 0x80) != 0, connected);
  return msr;
}

START_TEST (test_socket_server_round_trip)
{
  g_autofree char *path = g_build_filename (tmpdir, "com1.sock", NULL);
  add_uart ("serial0", "server", path);
  gint64 t = fast_line ();
  wr (FCR, 0x07);
  ck_assert_uint_eq (rd (MSR) & 0x80, 0);

  /* Output with nobody connected is dropped, not kept. */
  send_string ("lost", t);
  ck_assert_uint_eq (bw_uart_get_dropped (bw_platform_find_device (p, "serial0")), 4);

  int fd = connect_to (path);
  ck_assert_uint_eq (wait_connected (TRUE), 0xB0 | 0x0B); /* CTS, DSR, DCD came: deltas */
  send_string ("ping\n", t);
  peer_expect (fd, "ping\n");

  const char *reply = "pong: a reply longer than the sixteen-byte FIFO\n";
  ck_assert (write (fd, reply, strlen (reply)) == (ssize_t) strlen (reply));
  guest_expect (reply, t);

  /* The client leaves; another may come. */
  close (fd);
  wait_connected (FALSE);
  fd = connect_to (path);
  wait_connected (TRUE);
  send_string ("again\n", t);
  peer_expect (fd, "again\n");
  close (fd);

  /* Closing removes the socket file. */
  g_clear_pointer (&p, bw_platform_free);
  ck_assert (!g_file_test (path, G_FILE_TEST_EXISTS));
}
END_TEST

/* Reads whatever the peer has waiting into `got`, running the main
 * context, until it holds `want` bytes. */
static void
peer_drain (int fd, GByteArray *got, gsize want)
{
  for (int i = 0; i < 100000 && got->len < want; i++)
    {
      guint8 buf[65536];
      ssize_t n = read (fd, buf, sizeof buf);
      if (n > 0)
        g_byte_array_append (got, buf, (guint) n);
      else
        g_main_context_iteration (ctx, TRUE);
    }
  ck_assert_uint_eq (got->len, want);
}

/* A peer that does not read: the socket and then the back end's queue
 * fill, and from then on the transmitter keeps the baud rate (nothing is
 * lost for a long while). Once the peer reads again, bytes go at once. */
START_TEST (test_socket_blocked_peer_paces)
{
  g_autofree char *path = g_build_filename (tmpdir, "slow.sock", NULL);
  BwDevice *dev = add_uart ("serial0", "server", path);
  gint64 t = fast_line ();
  wr (FCR, 0x07);
  int fd = connect_to (path);
  wait_connected (TRUE);

  guint sent = 0;
  for (; sent < (8u << 20) && (rd (LSR) & 0x40); sent++)
    {
      wr (RBR, (guint8) (sent % 251));
      if (sent % 4096 == 0)
        while (g_main_context_iteration (ctx, FALSE))
          ;
    }
  ck_assert_msg (!(rd (LSR) & 0x40), "%u bytes went out at once to a peer that does not read",
                 sent);
  ck_assert_uint_ge (sent, 64u << 10);
  /* The last byte is in the shift register: THR empty, not the line. */
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x20);
  wr (RBR, (guint8) (sent++ % 251));
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x00);
  step_ns (p, t - 1);
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x00);
  step_ns (p, 1);
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x20); /* paced: one character time */

  /* The peer reads all that reached the back end (all but the one
   * shifting); the next character time sends that one, and bytes go at
   * once again. */
  g_autoptr (GByteArray) got = g_byte_array_new ();
  peer_drain (fd, got, sent - 1);
  step_ns (p, t);
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x60);
  for (int n = 0; n < 20; n++)
    {
      wr (RBR, (guint8) (sent++ % 251));
      ck_assert_uint_eq (rd (LSR) & 0x60, 0x60);
    }
  peer_drain (fd, got, sent);
  for (guint i = 0; i < sent; i++)
    ck_assert_msg (got->data[i] == i % 251, "byte %u out of order", i);
  ck_assert_uint_eq (bw_uart_get_dropped (dev), 0);
  close (fd);
}
END_TEST

static gpointer
echo_peer (gpointer data)
{
  int fd = GPOINTER_TO_INT (data);
  char buf[512];
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    if (write (fd, buf, n) != n)
      break;
  return NULL;
}

static gpointer
run_context (gpointer data)
{
  g_main_loop_run (data);
  return NULL;
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

/* As in a running VM: the back end on a main-context thread, the guest on
 * this one holding the platform lock for each access, an echoing peer. */
START_TEST (test_socket_threaded_echo)
{
  g_autofree char *path = g_build_filename (tmpdir, "echo.sock", NULL);
  add_uart ("serial0", "server", path);
  gint64 t = fast_line ();
  wr (FCR, 0x07);
  GMainLoop *loop = g_main_loop_new (ctx, FALSE);
  GThread *context_thread = g_thread_new ("context", run_context, loop);

  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);
  int fd = socket (AF_UNIX, SOCK_STREAM, 0);
  ck_assert (connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0);
  GThread *peer = g_thread_new ("peer", echo_peer, GINT_TO_POINTER (fd));

  const gsize total = 8192;
  gsize sent = 0, received = 0;
  gboolean in_order = TRUE;
  for (int spins = 0; spins < 2000000 && received < total; spins++)
    {
      gboolean progress = FALSE;
      bw_platform_lock (p);
      if ((rd (MSR) & 0x80) && sent < total && (rd (LSR) & 0x20))
        {
          wr (RBR, (guint8) (sent++ * 7));
          progress = TRUE;
        }
      while (rd (LSR) & 0x01)
        {
          in_order &= rd (RBR) == (guint8) (received++ * 7);
          progress = TRUE;
        }
      bw_clock_step (bw_platform_get_clock (p), t);
      bw_platform_unlock (p);
      if (!progress)
        g_usleep (50);
    }
  ck_assert_uint_eq (received, total);
  ck_assert (in_order);
  ck_assert_uint_eq (bw_uart_get_dropped (bw_platform_find_device (p, "serial0")), 0);

  shutdown (fd, SHUT_RDWR);
  g_thread_join (peer);
  close (fd);
  g_main_context_invoke (ctx, quit_loop, loop);
  g_thread_join (context_thread);
  g_main_loop_unref (loop);
}
END_TEST

START_TEST (test_socket_client)
{
  g_autofree char *path = g_build_filename (tmpdir, "listener.sock", NULL);
  g_autoptr (GError) error = NULL;

  /* Nobody listening: a clear error naming the path. */
  BwConfig *node = bw_config_ensure_child (bw_platform_get_config (p), "devices/serial0");
  bw_config_set_string (node, "mode", "client");
  bw_config_set_string (node, "path", path);
  ck_assert (bw_platform_create_device (p, BW_UART_CLASS, "serial0", node, &error) == NULL);
  ck_assert (error && strstr (error->message, path));
  g_clear_pointer (&p, bw_platform_free);
  p = bw_platform_new_test (16);
  bw_platform_set_main_context (p, ctx);

  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);
  int lfd = socket (AF_UNIX, SOCK_STREAM, 0);
  ck_assert (bind (lfd, (struct sockaddr *) &addr, sizeof addr) == 0);
  ck_assert (listen (lfd, 1) == 0);
  add_uart ("serial0", "client", path);
  int fd = accept (lfd, NULL, NULL);
  ck_assert (fd >= 0);
  fcntl (fd, F_SETFL, O_NONBLOCK);
  gint64 t = fast_line ();
  ck_assert (rd (MSR) & 0x80);
  send_string ("hello server\n", t);
  peer_expect (fd, "hello server\n");
  ck_assert (write (fd, "hi", 2) == 2);
  guest_expect ("hi", t);
  close (fd);
  close (lfd);
}
END_TEST

START_TEST (test_bad_mode)
{
  g_autoptr (GError) error = NULL;
  BwConfig *node = bw_config_ensure_child (bw_platform_get_config (p), "devices/serial0");
  bw_config_set_string (node, "mode", "pigeon");
  ck_assert (bw_platform_create_device (p, BW_UART_CLASS, "serial0", node, &error) == NULL);
  ck_assert (error && strstr (error->message, "pigeon"));
  g_clear_error (&error);
  bw_config_set_string (node, "mode", "file");
  ck_assert (bw_platform_create_device (p, BW_UART_CLASS, "serial1", node, &error) == NULL);
  ck_assert (error != NULL);
}
END_TEST

START_TEST (test_state_round_trip)
{
  add_uart ("serial0", NULL, NULL);
  gint64 t = fast_line ();
  wr (MCR, 0x1B);
  wr (FCR, 0x87);
  wr (IER, 0x05);
  wr (SCR, 0x77);
  for (int n = 0; n < 5; n++)
    wr (RBR, (guint8) ('a' + n));
  step_ns (p, 2 * t + t / 2); /* two received, one shifting, two queued */

  g_autoptr (BwPlatform) other = bw_platform_new_test (16);
  bw_platform_set_main_context (other, ctx);
  add_device (other, BW_UART_CLASS, "serial0", NULL);
  check_state_round_trip (p, other);
  check_vmstate_valid (BW_UART_CLASS);

  /* The copy goes on where the original was. */
  BwPlatform *orig = p;
  p = other;
  ck_assert_uint_eq (rd (SCR), 0x77);
  step_ns (p, 3 * t + 5 * t);
  for (int n = 0; n < 5; n++)
    ck_assert_uint_eq (rd (RBR), 'a' + n);
  ck_assert_uint_eq (rd (LSR) & 0x61, 0x60);
  p = orig;
}
END_TEST

/* A state saved while a character was under way (as the older model,
 * which always paced, saved most states with output): the loaded UART
 * sends it when its timer expires, and the byte queued behind it at once. */
START_TEST (test_state_with_pending_transmission)
{
  g_autofree char *path = g_build_filename (tmpdir, "resumed.log", NULL);
  add_uart ("serial0", NULL, NULL);
  gint64 t = fast_line ();
  wr (FCR, 0x01);
  wr (MCR, 0x10); /* loopback keeps the pace... */
  wr (RBR, 'o');
  wr (RBR, 'k');
  wr (MCR, 0x00); /* ...and leaving it, the two go on to the line */
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x00);
  g_autoptr (GByteArray) state = g_byte_array_new ();
  bw_platform_save_state (p, state);

  g_clear_pointer (&p, bw_platform_free);
  p = bw_platform_new_test (16);
  bw_platform_set_main_context (p, ctx);
  add_uart ("serial0", "file", path);
  g_autoptr (GError) error = NULL;
  ck_assert_msg (bw_platform_load_state (p, state->data, state->len, &error), "load: %s",
                 error ? error->message : "?");
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x00);
  step_ns (p, t);
  ck_assert_uint_eq (rd (LSR) & 0x60, 0x60);
  g_clear_pointer (&p, bw_platform_free);
  g_autofree char *text = read_file (path);
  ck_assert_str_eq (text, "ok");
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("uart");
  TCase *tc = tcase_create ("core");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 20);
  tcase_add_test (tc, test_registers);
  tcase_add_test (tc, test_com_ports);
  tcase_add_test (tc, test_loopback);
  tcase_add_test (tc, test_fifo_trigger_levels);
  tcase_add_test (tc, test_character_timeout);
  tcase_add_test (tc, test_interrupt_priorities);
  tcase_add_test (tc, test_thre_interrupt);
  tcase_add_test (tc, test_file_backend);
  tcase_add_test (tc, test_file_backend_at_once);
  tcase_add_test (tc, test_file_backend_drains_fifo_at_power_off);
  tcase_add_test (tc, test_socket_blocked_peer_paces);
  tcase_add_test (tc, test_socket_server_round_trip);
  tcase_add_test (tc, test_socket_threaded_echo);
  tcase_add_test (tc, test_socket_client);
  tcase_add_test (tc, test_bad_mode);
  tcase_add_test (tc, test_state_round_trip);
  tcase_add_test (tc, test_state_with_pending_transmission);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
