/* test-port92.c: port 92h: bit 1 drives the A20 line, a 0-to-1 change of
 * bit 0 asks for a reset (once per change), other bits read back, reset
 * state, and saved state. */
#include "config.h"

#include "chipset-test.h"

static CtBoard *
port92_board (void)
{
  return ct_board_new (2, "port92");
}

START_TEST (test_a20)
{
  CtBoard *b = port92_board ();
  ck_assert (ct_cpu_line (b, BW_CPU_LINE_A20)); /* the platform starts with A20 on */
  ck_assert_uint_eq (ct_inb (b, 0x92), 0x00);
  ct_outb (b, 0x92, 0x00);
  ck_assert (!ct_cpu_line (b, BW_CPU_LINE_A20));
  ct_outb (b, 0x92, 0x02);
  ck_assert (ct_cpu_line (b, BW_CPU_LINE_A20));
  ck_assert_uint_eq (ct_inb (b, 0x92), 0x02);
  ct_outb (b, 0x92, 0xc8);
  ck_assert (!ct_cpu_line (b, BW_CPU_LINE_A20));
  ck_assert_uint_eq (ct_inb (b, 0x92), 0xc8);
  ck_assert_uint_eq (b->resets, 0);
  ct_board_free (b);
}
END_TEST

START_TEST (test_fast_reset)
{
  CtBoard *b = port92_board ();
  ct_outb (b, 0x92, 0x03);
  ck_assert_uint_eq (b->resets, 1);
  ct_outb (b, 0x92, 0x03); /* still set: no new edge */
  ck_assert_uint_eq (b->resets, 1);
  ct_outb (b, 0x92, 0x02);
  ct_outb (b, 0x92, 0x01);
  ck_assert_uint_eq (b->resets, 2);
  /* What the VM does on the request: a platform reset. */
  bw_platform_reset (b->platform);
  ck_assert_uint_eq (ct_inb (b, 0x92), 0x00);
  ck_assert (ct_cpu_line (b, BW_CPU_LINE_A20));
  ct_outb (b, 0x92, 0x01);
  ck_assert_uint_eq (b->resets, 3);
  ct_board_free (b);
}
END_TEST

START_TEST (test_saved_state)
{
  CtBoard *b = port92_board ();
  ct_check_descriptions (b);
  ct_outb (b, 0x92, 0x42);
  ct_check_state_round_trip (b, port92_board);
  ct_board_free (b);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("port92");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_a20);
  tcase_add_test (tc, test_fast_reset);
  tcase_add_test (tc, test_saved_state);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
