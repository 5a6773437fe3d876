/* test-i8042.c: the i8042 controller, PS/2 keyboard and mouse through
 * ports 0x60/0x64 on a test platform with a manual clock. */
#include "config.h"

#include "periph-test.h"
#include "devices/peripherals/bw-i8042.h"
#include "devices/peripherals/bw-ps2-keyboard.h"
#include "devices/peripherals/bw-ps2-mouse.h"

#define MS (G_GINT64_CONSTANT (1000000))

static BwPlatform *p;
static BwDevice *kbc;
static guint resets;

static void
on_request (void *user_data, BwPlatformRequest request, const char *reason)
{
  if (request == BW_PLATFORM_REQUEST_RESET)
    resets++;
}

static void
setup (void)
{
  p = bw_platform_new_test (16);
  resets = 0;
  bw_platform_set_request_func (p, on_request, NULL);
  kbc = add_device (p, BW_I8042_CLASS, "i8042", NULL);
}

static void
teardown (void)
{
  g_clear_pointer (&p, bw_platform_free);
}

static void
command (guint8 cmd)
{
  outb (p, 0x64, cmd);
}

static void
command_data (guint8 cmd, guint8 data)
{
  outb (p, 0x64, cmd);
  outb (p, 0x60, data);
}

/* Everything waiting in the output buffer, as the guest reads it. */
static GByteArray *
drain (void)
{
  GByteArray *out = g_byte_array_new ();
  for (int i = 0; i < 1000 && (inb (p, 0x64) & 0x01); i++)
    {
      guint8 b = inb (p, 0x60);
      g_byte_array_append (out, &b, 1);
    }
  return out;
}

static void
expect (const guint8 *bytes, guint len)
{
  g_autoptr (GByteArray) got = drain ();
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < got->len; i++)
    g_string_append_printf (s, " %02x", got->data[i]);
  ck_assert_msg (got->len == len && (len == 0 || memcmp (got->data, bytes, len) == 0), "got%s",
                 s->str);
  g_string_free (s, TRUE);
}

#define EXPECT(...)                                                                                \
  do                                                                                               \
    {                                                                                              \
      static const guint8 want_[] = { __VA_ARGS__ };                                              \
      expect (want_, sizeof want_);                                                                \
    }                                                                                              \
  while (0)
#define EXPECT_NOTHING() expect (NULL, 0)

static void
keys (const guint8 *codes, gsize len)
{
  bw_i8042_put_scancodes (kbc, codes, len);
}

#define KEYS(...)                                                                                  \
  do                                                                                               \
    {                                                                                              \
      static const guint8 k_[] = { __VA_ARGS__ };                                                 \
      keys (k_, sizeof k_);                                                                        \
    }                                                                                              \
  while (0)

START_TEST (test_command_byte)
{
  command (0x20);
  ck_assert_uint_eq (inb (p, 0x64) & 0x01, 1);
  EXPECT (0x03); /* power-on: both interrupts enabled */
  command_data (0x60, 0x45);
  ck_assert (inb (p, 0x64) & 0x04); /* system flag follows bit 2 */
  command (0x20);
  EXPECT (0x45);
  command_data (0x60, 0x00);
  ck_assert (!(inb (p, 0x64) & 0x04));
  /* Other controller RAM bytes. */
  command_data (0x65, 0x5A);
  command (0x25);
  EXPECT (0x5A);
  /* Status bit 3 tells which port was written last. */
  outb (p, 0x64, 0x20);
  ck_assert (inb (p, 0x64) & 0x08);
  drain ();
  outb (p, 0x60, 0xEE); /* echo, to the keyboard */
  ck_assert (!(inb (p, 0x64) & 0x08));
  EXPECT (0xEE);
}
END_TEST

START_TEST (test_self_tests)
{
  command (0xAA);
  EXPECT (0x55);
  ck_assert (inb (p, 0x64) & 0x04);
  command (0xAB);
  EXPECT (0x00);
  command (0xA9);
  EXPECT (0x00);
  command (0xC0);
  EXPECT (0x80);
}
END_TEST

START_TEST (test_enable_disable_ports)
{
  command_data (0x60, 0x03);
  command (0xAD);
  command (0x20);
  EXPECT (0x13);
  KEYS (0x1C);
  EXPECT_NOTHING ();
  command (0xAE);
  EXPECT (0x1C);

  command (0xA7);
  command (0x20);
  EXPECT (0x23);
  command_data (0xD4, 0xF2);
  EXPECT_NOTHING ();
  command (0xA8);
  EXPECT (0xFA, 0x00);
}
END_TEST

START_TEST (test_output_port_a20_reset)
{
  BwIrqRouter *router = bw_platform_get_irq_router (p);
  command (0xD0);
  g_autoptr (GByteArray) got = drain ();
  ck_assert_uint_eq (got->len, 1);
  ck_assert (got->data[0] & 0x02); /* A20 on */
  ck_assert (got->data[0] & 0x01); /* not in reset */

  command_data (0xD1, 0xDD);
  ck_assert (!bw_irq_router_get_cpu_line (router, BW_CPU_LINE_A20));
  command (0xD0);
  EXPECT (0xCD);
  command_data (0xD1, 0xDF);
  ck_assert (bw_irq_router_get_cpu_line (router, BW_CPU_LINE_A20));
  command (0xDD);
  ck_assert (!bw_irq_router_get_cpu_line (router, BW_CPU_LINE_A20));
  command (0xDF);
  ck_assert (bw_irq_router_get_cpu_line (router, BW_CPU_LINE_A20));
  ck_assert_uint_eq (resets, 0);

  command_data (0xD1, 0xDE); /* reset line low */
  ck_assert_uint_eq (resets, 1);
  command (0xFE); /* pulse the reset line */
  ck_assert_uint_eq (resets, 2);
  command (0xFF); /* pulse nothing */
  ck_assert_uint_eq (resets, 2);

  /* A command cancels one waiting for its data byte. */
  command (0xD1);
  command (0xAB);
  outb (p, 0x60, 0xEE); /* to the keyboard, not the output port */
  ck_assert (bw_irq_router_get_cpu_line (router, BW_CPU_LINE_A20));
  ck_assert_uint_eq (resets, 2);
  EXPECT (0x00, 0xEE);
}
END_TEST

START_TEST (test_output_buffer_emulation)
{
  command_data (0x60, 0x03);
  command_data (0xD2, 0x42);
  ck_assert_uint_eq (inb (p, 0x64) & 0x21, 0x01);
  ck_assert (gsi_level (p, 1));
  ck_assert (!gsi_level (p, 12));
  ck_assert_uint_eq (inb (p, 0x60), 0x42);
  ck_assert (!gsi_level (p, 1));

  command_data (0xD3, 0x99);
  ck_assert_uint_eq (inb (p, 0x64) & 0x21, 0x21);
  ck_assert (gsi_level (p, 12));
  ck_assert (!gsi_level (p, 1));
  ck_assert_uint_eq (inb (p, 0x60), 0x99);
  ck_assert (!gsi_level (p, 12));

  /* Interrupts off in the command byte: data, but no IRQ. */
  command_data (0x60, 0x00);
  command_data (0xD2, 0x11);
  ck_assert (!gsi_level (p, 1));
  EXPECT (0x11);
}
END_TEST

START_TEST (test_keyboard_set2_untranslated)
{
  command_data (0x60, 0x01);
  KEYS (0x1C);
  ck_assert (gsi_level (p, 1));
  ck_assert_uint_eq (inb (p, 0x60), 0x1C);
  ck_assert (!gsi_level (p, 1));
  KEYS (0xF0, 0x1C, 0xE0, 0x74, 0xE0, 0xF0, 0x74);
  EXPECT (0xF0, 0x1C, 0xE0, 0x74, 0xE0, 0xF0, 0x74);
  /* Sequences may arrive split across calls. */
  KEYS (0xE0);
  EXPECT_NOTHING ();
  KEYS (0x6B);
  EXPECT (0xE0, 0x6B);
}
END_TEST

START_TEST (test_keyboard_translated)
{
  command_data (0x60, 0x41); /* translate, keyboard interrupt */
  KEYS (0x1C, 0xF0, 0x1C); /* A */
  EXPECT (0x1E, 0x9E);
  KEYS (0xE0, 0x74, 0xE0, 0xF0, 0x74); /* cursor right */
  EXPECT (0xE0, 0x4D, 0xE0, 0xCD);
  KEYS (0x76, 0x05, 0x83); /* Esc, F1, F7 */
  EXPECT (0x01, 0x3B, 0x41);
  KEYS (0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77); /* Pause */
  EXPECT (0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5);
  /* Command answers pass, and the scancode set reads as translated. */
  outb (p, 0x60, 0xF0);
  outb (p, 0x60, 0x00);
  EXPECT (0xFA, 0xFA, 0x41);
}
END_TEST

START_TEST (test_keyboard_scancode_sets)
{
  command_data (0x60, 0x01);
  outb (p, 0x60, 0xF0);
  outb (p, 0x60, 0x00);
  EXPECT (0xFA, 0xFA, 0x02);

  outb (p, 0x60, 0xF0);
  outb (p, 0x60, 0x01);
  EXPECT (0xFA, 0xFA);
  KEYS (0x1C, 0xF0, 0x1C, 0xE0, 0x75);
  EXPECT (0x1E, 0x9E, 0xE0, 0x48);

  outb (p, 0x60, 0xF0);
  outb (p, 0x60, 0x03);
  EXPECT (0xFA, 0xFA);
  KEYS (0x1C, 0xF0, 0x1C, 0x05, 0xE0, 0x75, 0xE0, 0xF0, 0x75);
  EXPECT (0x1C, 0xF0, 0x1C, 0x07, 0x63, 0xF0, 0x63);
  outb (p, 0x60, 0xF0);
  outb (p, 0x60, 0x00);
  EXPECT (0xFA, 0xFA, 0x03);

  outb (p, 0x60, 0xF0);
  outb (p, 0x60, 0x07);
  EXPECT (0xFA, 0xFE); /* no set 7 */
}
END_TEST

START_TEST (test_keyboard_commands)
{
  command_data (0x60, 0x01);
  outb (p, 0x60, 0xF2);
  EXPECT (0xFA, 0xAB, 0x83);
  outb (p, 0x60, 0xEE);
  EXPECT (0xEE);
  outb (p, 0x60, 0xED);
  outb (p, 0x60, 0x07);
  EXPECT (0xFA, 0xFA);
  ck_assert_uint_eq (bw_i8042_get_leds (kbc), 7);
  outb (p, 0x60, 0xED);
  outb (p, 0x60, 0x02);
  EXPECT (0xFA, 0xFA);
  ck_assert_uint_eq (bw_i8042_get_leds (kbc), 2);
  outb (p, 0x60, 0xFE); /* resend: the last byte again */
  EXPECT (0xFA);
  outb (p, 0x60, 0x42); /* not a command */
  EXPECT (0xFE);

  outb (p, 0x60, 0xF5); /* disable scanning */
  EXPECT (0xFA);
  KEYS (0x1C);
  EXPECT_NOTHING ();
  outb (p, 0x60, 0xF4);
  EXPECT (0xFA);
  KEYS (0x1C);
  EXPECT (0x1C);

  outb (p, 0x60, 0xFF);
  EXPECT (0xFA, 0xAA);
  ck_assert_uint_eq (bw_i8042_get_leds (kbc), 0);
}
END_TEST

START_TEST (test_typematic)
{
  command_data (0x60, 0x01);
  /* Rate 0 (30/s, 33.3 ms) after 250 ms. */
  outb (p, 0x60, 0xF3);
  outb (p, 0x60, 0x00);
  EXPECT (0xFA, 0xFA);
  ck_assert_int_eq (bw_ps2_keyboard_typematic_delay_ns (0x00), 250 * MS);
  ck_assert_int_eq (bw_ps2_keyboard_typematic_period_ns (0x00), 8 * 4166667);
  ck_assert_int_eq (bw_ps2_keyboard_typematic_period_ns (0x1F), 15 * 8 * 4166667);
  ck_assert_int_eq (bw_ps2_keyboard_typematic_delay_ns (0x60), 1000 * MS);

  KEYS (0x1C);
  EXPECT (0x1C);
  step_ns (p, 250 * MS - 1);
  EXPECT_NOTHING ();
  step_ns (p, 1);
  EXPECT (0x1C);
  step_ns (p, 8 * 4166667 - 1);
  EXPECT_NOTHING ();
  step_ns (p, 1);
  EXPECT (0x1C);
  step_ns (p, 10 * 8 * 4166667);
  g_autoptr (GByteArray) ten = drain ();
  ck_assert_uint_eq (ten->len, 10);

  /* A second key takes over the repeat; its release stops it. */
  KEYS (0x1B);
  EXPECT (0x1B);
  step_ns (p, 250 * MS);
  EXPECT (0x1B);
  KEYS (0xF0, 0x1B);
  EXPECT (0xF0, 0x1B);
  step_ns (p, 2000 * MS);
  EXPECT_NOTHING ();

  /* Default after reset: 500 ms, then 10.9/s. */
  outb (p, 0x60, 0xFF);
  EXPECT (0xFA, 0xAA);
  KEYS (0x1C);
  EXPECT (0x1C);
  step_ns (p, 499 * MS);
  EXPECT_NOTHING ();
  step_ns (p, 1 * MS);
  EXPECT (0x1C);
  step_ns (p, bw_ps2_keyboard_typematic_period_ns (0x2B));
  EXPECT (0x1C);
}
END_TEST

static void
mouse_cmd (guint8 byte)
{
  command_data (0xD4, byte);
}

START_TEST (test_mouse_plain)
{
  command_data (0x60, 0x03);
  mouse_cmd (0xFF);
  ck_assert (inb (p, 0x64) & 0x20);
  ck_assert (gsi_level (p, 12));
  EXPECT (0xFA, 0xAA, 0x00);
  mouse_cmd (0xF2);
  EXPECT (0xFA, 0x00);
  mouse_cmd (0xE9); /* status: stream, disabled, 1:1, 4 counts/mm, 100/s */
  EXPECT (0xFA, 0x00, 0x02, 0x64);

  /* Reporting off: nothing. */
  bw_i8042_put_mouse (kbc, 3, 4, 0, 0);
  EXPECT_NOTHING ();
  mouse_cmd (0xF4);
  EXPECT (0xFA);
  /* 3 right, 4 down (PS/2 counts up as positive), left button. */
  bw_i8042_put_mouse (kbc, 3, 4, 0, BW_PS2_MOUSE_LEFT);
  EXPECT (0x29, 0x03, 0xFC);
  bw_i8042_put_mouse (kbc, -300, -2, 0, BW_PS2_MOUSE_LEFT | BW_PS2_MOUSE_RIGHT);
  EXPECT (0x1B, 0x00, 0x02, 0x1B, 0xD4, 0x00);
  /* Button release alone sends a packet; the wheel does not exist. */
  bw_i8042_put_mouse (kbc, 0, 0, 3, 0);
  EXPECT (0x08, 0x00, 0x00);

  mouse_cmd (0xE8);
  mouse_cmd (0x03);
  mouse_cmd (0xE7);
  mouse_cmd (0xF3);
  mouse_cmd (40);
  EXPECT (0xFA, 0xFA, 0xFA, 0xFA, 0xFA);
  mouse_cmd (0xE9);
  EXPECT (0xFA, 0x30, 0x03, 40);
  /* 2:1 scaling: 3 -> 3, 5 -> 9, 10 -> 20. */
  bw_i8042_put_mouse (kbc, 5, -10, 0, 0);
  EXPECT (0x08, 0x09, 0x14);

  /* Remote mode: packets only on request. */
  mouse_cmd (0xF0);
  EXPECT (0xFA);
  bw_i8042_put_mouse (kbc, 7, 0, 0, BW_PS2_MOUSE_MIDDLE);
  EXPECT_NOTHING ();
  mouse_cmd (0xEB);
  EXPECT (0xFA, 0x0C, 0x07, 0x00);

  /* Wrap mode echoes. */
  mouse_cmd (0xEE);
  mouse_cmd (0x12);
  mouse_cmd (0xEC);
  EXPECT (0xFA, 0x12, 0xFA);
}
END_TEST

START_TEST (test_mouse_intellimouse)
{
  command_data (0x60, 0x03);
  mouse_cmd (0xF3);
  mouse_cmd (200);
  mouse_cmd (0xF3);
  mouse_cmd (100);
  mouse_cmd (0xF3);
  mouse_cmd (80);
  EXPECT (0xFA, 0xFA, 0xFA, 0xFA, 0xFA, 0xFA);
  mouse_cmd (0xF2);
  EXPECT (0xFA, 0x03);
  mouse_cmd (0xF4);
  EXPECT (0xFA);
  bw_i8042_put_mouse (kbc, 1, 0, 2, 0);
  EXPECT (0x08, 0x01, 0x00, 0x02);
  bw_i8042_put_mouse (kbc, 0, 0, -1, BW_PS2_MOUSE_LEFT);
  EXPECT (0x09, 0x00, 0x00, 0xFF);
  bw_i8042_put_mouse (kbc, 0, 0, 20, BW_PS2_MOUSE_LEFT); /* 7 + 7 + 6 */
  EXPECT (0x09, 0x00, 0x00, 0x07, 0x09, 0x00, 0x00, 0x07, 0x09, 0x00, 0x00, 0x06);

  /* Then 200, 200, 80: IntelliMouse Explorer, buttons 4/5 in byte 4. */
  mouse_cmd (0xF3);
  mouse_cmd (200);
  mouse_cmd (0xF3);
  mouse_cmd (200);
  mouse_cmd (0xF3);
  mouse_cmd (80);
  drain ();
  mouse_cmd (0xF2);
  EXPECT (0xFA, 0x04);
  bw_i8042_put_mouse (kbc, 0, 0, -2, BW_PS2_MOUSE_BUTTON4);
  EXPECT (0x08, 0x00, 0x00, 0x1E);

  /* Reset forgets the wheel. */
  mouse_cmd (0xFF);
  EXPECT (0xFA, 0xAA, 0x00);
  mouse_cmd (0xF2);
  EXPECT (0xFA, 0x00);
}
END_TEST

START_TEST (test_keyboard_and_mouse_share_buffer)
{
  command_data (0x60, 0x03);
  mouse_cmd (0xF4);
  EXPECT (0xFA);
  KEYS (0x1C);
  bw_i8042_put_mouse (kbc, 1, 0, 0, 0);
  /* Keyboard first; aux bytes flagged in the status register. */
  ck_assert_uint_eq (inb (p, 0x64) & 0x21, 0x01);
  ck_assert_uint_eq (inb (p, 0x60), 0x1C);
  for (int i = 0; i < 3; i++)
    {
      ck_assert_uint_eq (inb (p, 0x64) & 0x21, 0x21);
      ck_assert (gsi_level (p, 12));
      inb (p, 0x60);
    }
  ck_assert_uint_eq (inb (p, 0x64) & 0x01, 0);
}
END_TEST

START_TEST (test_key_queue_backpressure)
{
  /* 300 presses and releases of A: more than the queue holds. */
  guint8 codes[900];
  for (int i = 0; i < 300; i++)
    codes[3 * i] = 0x1C, codes[3 * i + 1] = 0xF0, codes[3 * i + 2] = 0x1C;
  command_data (0x60, 0x01);
  gsize taken = bw_i8042_put_scancodes (kbc, codes, sizeof codes);
  ck_assert_uint_gt (taken, 200);
  ck_assert_uint_lt (taken, sizeof codes);
  g_autoptr (GByteArray) first = drain ();
  /* All taken bytes came out, but a prefix waiting for its key. */
  ck_assert_uint_le (first->len, taken);
  ck_assert_uint_ge (first->len + 1, taken);
  for (int round = 0; round < 10 && taken < sizeof codes; round++)
    {
      taken += bw_i8042_put_scancodes (kbc, codes + taken, sizeof codes - taken);
      g_autoptr (GByteArray) more = drain ();
      g_byte_array_append (first, more->data, more->len);
    }
  ck_assert_uint_eq (taken, sizeof codes);
  ck_assert_uint_eq (first->len, sizeof codes);
  ck_assert (memcmp (first->data, codes, sizeof codes) == 0);
  KEYS (0x1C, 0xF0, 0x1C); /* the repeat stopped at the last release */
  step_ns (p, 5000 * MS);
  EXPECT (0x1C, 0xF0, 0x1C);
}
END_TEST

START_TEST (test_state_round_trip)
{
  command_data (0x60, 0x43);
  outb (p, 0x60, 0xF3);
  outb (p, 0x60, 0x05);
  KEYS (0x1C, 0x1B); /* queued, repeating, not read */
  command_data (0xD4, 0xF3);
  command_data (0xD4, 200);
  bw_i8042_put_mouse (kbc, 1, 2, 0, 1);
  step_ns (p, 100 * MS);

  g_autoptr (BwPlatform) other = bw_platform_new_test (16);
  add_device (other, BW_I8042_CLASS, "i8042", NULL);
  check_state_round_trip (p, other);
  check_vmstate_valid (BW_I8042_CLASS);

  /* The restored one behaves alike: same bytes, repeat continues. */
  GByteArray *a = drain ();
  BwPlatform *saved = p;
  p = other;
  GByteArray *b = drain ();
  ck_assert_uint_eq (a->len, b->len);
  ck_assert (memcmp (a->data, b->data, a->len) == 0);
  step_ns (p, 1000 * MS);
  g_autoptr (GByteArray) repeats = drain ();
  ck_assert_uint_gt (repeats->len, 0);
  ck_assert_uint_eq (repeats->data[0], 0x1F); /* S (set 2 0x1B) translated */
  p = saved;
  g_byte_array_unref (a);
  g_byte_array_unref (b);
}
END_TEST

START_TEST (test_garbage_is_harmless)
{
  /* Every command byte with every follow-up, never a crash. */
  for (guint cmd = 0; cmd < 256; cmd++)
    {
      if (cmd == 0xD1 || (cmd >= 0xF0 && !(cmd & 1)))
        continue; /* those reset the machine, tested above */
      command (cmd);
      outb (p, 0x60, (guint8) (cmd * 7));
      drain ();
      command_data (0xD4, (guint8) cmd);
      drain ();
      outb (p, 0x60, (guint8) cmd);
      drain ();
    }
  command_data (0x60, 0x03);
  drain ();
  command (0xAA);
  EXPECT (0x55);
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("i8042");
  TCase *tc = tcase_create ("core");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_command_byte);
  tcase_add_test (tc, test_self_tests);
  tcase_add_test (tc, test_enable_disable_ports);
  tcase_add_test (tc, test_output_port_a20_reset);
  tcase_add_test (tc, test_output_buffer_emulation);
  tcase_add_test (tc, test_keyboard_set2_untranslated);
  tcase_add_test (tc, test_keyboard_translated);
  tcase_add_test (tc, test_keyboard_scancode_sets);
  tcase_add_test (tc, test_keyboard_commands);
  tcase_add_test (tc, test_typematic);
  tcase_add_test (tc, test_mouse_plain);
  tcase_add_test (tc, test_mouse_intellimouse);
  tcase_add_test (tc, test_keyboard_and_mouse_share_buffer);
  tcase_add_test (tc, test_key_queue_backpressure);
  tcase_add_test (tc, test_state_round_trip);
  tcase_add_test (tc, test_garbage_is_harmless);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
