/* test-debugcon.c: the debug console ports: SeaBIOS's presence check
 * (reads give 0xE9), bytes logged a line at a time under the device id,
 * escapes, long lines split, the 0xE9 instance from bw_chipset_add(), and
 * saved state with a partial line. */
#include "config.h"

#include "chipset-test.h"
#include "devices/chipset/bw-chipset.h"

static CtBoard *
debugcon_board (void)
{
  return ct_board_new (2, "debugcon");
}

static void
puts_port (CtBoard *b, guint16 port, const char *s)
{
  for (; *s; s++)
    ct_outb (b, port, (guint8)*s);
}

static char *
log_text (CtBoard *b)
{
  return bw_log_dup_contents (bw_platform_get_log (b->platform));
}

START_TEST (test_lines)
{
  CtBoard *b = debugcon_board ();
  ck_assert_uint_eq (ct_inb (b, 0x402), 0xe9);
  puts_port (b, 0x402, "SeaBIOS (version 1.16)\r\nBooting from ");
  g_autofree char *text = log_text (b);
  ck_assert_ptr_nonnull (strstr (text, "debugcon"));
  ck_assert_ptr_nonnull (strstr (text, "SeaBIOS (version 1.16)\n"));
  ck_assert_ptr_null (strstr (text, "Booting"));
  puts_port (b, 0x402, "Hard Disk...\n");
  g_free (text);
  text = log_text (b);
  ck_assert_ptr_nonnull (strstr (text, "Booting from Hard Disk...\n"));
  /* Control bytes are escaped. */
  puts_port (b, 0x402, "a\x01\xff\\b\n");
  g_free (text);
  text = log_text (b);
  ck_assert_ptr_nonnull (strstr (text, "a\\x01\\xff\\x5cb\n"));
  ct_board_free (b);
}
END_TEST

START_TEST (test_long_line_split)
{
  CtBoard *b = debugcon_board ();
  for (guint i = 0; i < 450; i++)
    ct_outb (b, 0x402, 'x');
  g_autofree char *text = log_text (b);
  g_autofree char *full = g_strnfill (200, 'x');
  g_autofree char *line = g_strconcat (full, "\n", NULL);
  const char *first = strstr (text, line);
  ck_assert_ptr_nonnull (first);
  ck_assert_ptr_nonnull (strstr (first + 1, line));
  ct_board_free (b);
}
END_TEST

START_TEST (test_chipset_set)
{
  BwPlatform *p = bw_platform_new_test (16);
  g_autoptr (GError) error = NULL;
  ck_assert_msg (bw_chipset_add (p, &error), "%s", error ? error->message : "");
  ck_assert_msg (bw_platform_realize (p, &error), "%s", error ? error->message : "");
  guint64 v = 0;
  bw_platform_pio (p, 0xe9, &v, 1, FALSE);
  ck_assert_uint_eq (v, 0xe9);
  const char *msg = "hello from e9\n";
  for (const char *c = msg; *c; c++)
    {
      v = (guint8)*c;
      bw_platform_pio (p, 0xe9, &v, 1, TRUE);
    }
  g_autofree char *text = bw_log_dup_contents (bw_platform_get_log (p));
  ck_assert_ptr_nonnull (strstr (text, "debuge9"));
  ck_assert_ptr_nonnull (strstr (text, "hello from e9"));
  bw_platform_free (p);
}
END_TEST

START_TEST (test_saved_state)
{
  CtBoard *b = debugcon_board ();
  ct_check_descriptions (b);
  puts_port (b, 0x402, "partial");
  ct_check_state_round_trip (b, debugcon_board);

  g_autoptr (GByteArray) state = g_byte_array_new ();
  bw_platform_save_state (b->platform, state);
  CtBoard *c = debugcon_board ();
  ck_assert (bw_platform_load_state (c->platform, state->data, state->len, NULL));
  puts_port (c, 0x402, " line\n");
  g_autofree char *text = log_text (c);
  ck_assert_ptr_nonnull (strstr (text, "partial line\n"));
  /* A saved line length past the buffer is refused. */
  state->data[state->len - 1] = 0xff;
  state->data[state->len - 2] = 0xff;
  ck_assert (!bw_platform_load_state (c->platform, state->data, state->len, NULL));
  ct_board_free (c);
  ct_board_free (b);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("debugcon");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_lines);
  tcase_add_test (tc, test_long_line_split);
  tcase_add_test (tc, test_chipset_set);
  tcase_add_test (tc, test_saved_state);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
