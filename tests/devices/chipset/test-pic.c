/* test-pic.c: the 8259A pair through its ports: initialization words,
 * fully nested priority, masking, EOI variants and rotation, automatic
 * EOI, cascade, edge versus level (ELCR), spurious IRQ 7 and 15, special
 * mask mode, poll mode, and saved state. */
#include "config.h"

#include "chipset-test.h"

static BwIrqLine *lines[16];

static CtBoard *
pic_board (void)
{
  CtBoard *b = ct_board_new (2, "pic-i8259:pic");
  BwIrqRouter *router = bw_platform_get_irq_router (b->platform);
  for (guint i = 0; i < 16; i++)
    lines[i] = bw_irq_router_get_source (router, i, "test");
  return b;
}

/* The usual PC programming: master at 0x08, slave at 0x70, x86 mode. */
static void
init_pics (CtBoard *b, guint8 icw4)
{
  ct_outb (b, 0x20, 0x11);
  ct_outb (b, 0x21, 0x08);
  ct_outb (b, 0x21, 0x04);
  ct_outb (b, 0x21, icw4);
  ct_outb (b, 0xa0, 0x11);
  ct_outb (b, 0xa1, 0x70);
  ct_outb (b, 0xa1, 0x02);
  ct_outb (b, 0xa1, icw4);
  ct_outb (b, 0x21, 0x00);
  ct_outb (b, 0xa1, 0x00);
}

static gboolean
intr (CtBoard *b)
{
  return ct_cpu_line (b, BW_CPU_LINE_INTR);
}

static guint8
ack (CtBoard *b)
{
  return bw_platform_irq_acknowledge (b->platform);
}

static guint8
read_isr (CtBoard *b, guint16 base)
{
  ct_outb (b, base, 0x0b);
  guint8 v = ct_inb (b, base);
  ct_outb (b, base, 0x0a);
  return v;
}

START_TEST (test_init_and_registers)
{
  CtBoard *b = pic_board ();
  init_pics (b, 0x01);
  ct_outb (b, 0x21, 0xa5);
  ck_assert_uint_eq (ct_inb (b, 0x21), 0xa5);
  ct_outb (b, 0xa1, 0x3c);
  ck_assert_uint_eq (ct_inb (b, 0xa1), 0x3c);
  /* IRR is read by default; a masked request still shows there. */
  bw_irq_line_pulse (lines[0]);
  ck_assert_uint_eq (ct_inb (b, 0x20) & 0x01, 0x01);
  ck_assert (!intr (b)); /* IRQ 0 is masked (0xa5) */
  ck_assert_uint_eq (read_isr (b, 0x20), 0);
  /* ICW1 again clears the mask. */
  init_pics (b, 0x01);
  ck_assert_uint_eq (ct_inb (b, 0x21), 0x00);
  ct_board_free (b);
}
END_TEST

START_TEST (test_priority_and_eoi)
{
  CtBoard *b = pic_board ();
  init_pics (b, 0x01);
  ck_assert (!intr (b));
  bw_irq_line_pulse (lines[3]);
  bw_irq_line_pulse (lines[1]);
  ck_assert (intr (b));
  ck_assert_uint_eq (ack (b), 0x09); /* IRQ 1 before IRQ 3 */
  ck_assert_uint_eq (read_isr (b, 0x20), 0x02);
  ck_assert (!intr (b)); /* IRQ 3 waits for IRQ 1's EOI */
  /* A higher priority request interrupts the service of IRQ 1. */
  bw_irq_line_pulse (lines[0]);
  ck_assert (intr (b));
  ck_assert_uint_eq (ack (b), 0x08);
  ck_assert_uint_eq (read_isr (b, 0x20), 0x03);
  ct_outb (b, 0x20, 0x20); /* non-specific EOI: IRQ 0 */
  ck_assert_uint_eq (read_isr (b, 0x20), 0x02);
  ck_assert (!intr (b));
  ct_outb (b, 0x20, 0x61); /* specific EOI for IRQ 1 */
  ck_assert_uint_eq (read_isr (b, 0x20), 0x00);
  ck_assert (intr (b));
  ck_assert_uint_eq (ack (b), 0x0b);
  ct_outb (b, 0x20, 0x20);
  ck_assert (!intr (b));
  ck_assert_uint_eq (ct_inb (b, 0x20), 0x00); /* IRR empty */
  ct_board_free (b);
}
END_TEST

START_TEST (test_masking)
{
  CtBoard *b = pic_board ();
  init_pics (b, 0x01);
  ct_outb (b, 0x21, 0x10);
  bw_irq_line_pulse (lines[4]);
  ck_assert (!intr (b));
  ck_assert_uint_eq (ct_inb (b, 0x20), 0x10);
  ct_outb (b, 0x21, 0x00);
  ck_assert (intr (b));
  ck_assert_uint_eq (ack (b), 0x0c);
  ct_outb (b, 0x20, 0x20);
  /* Masking the cascade input hides the whole slave. */
  ct_outb (b, 0x21, 0x04);
  bw_irq_line_pulse (lines[12]);
  ck_assert (!intr (b));
  ct_outb (b, 0x21, 0x00);
  ck_assert (intr (b));
  ck_assert_uint_eq (ack (b), 0x74);
  ct_board_free (b);
}
END_TEST

START_TEST (test_rotation)
{
  CtBoard *b = pic_board ();
  init_pics (b, 0x01);
  /* Set priority: IRQ 4 lowest, so IRQ 5 is the highest. */
  ct_outb (b, 0x20, 0xc4);
  bw_irq_line_pulse (lines[3]);
  bw_irq_line_pulse (lines[6]);
  ck_assert_uint_eq (ack (b), 0x0e); /* IRQ 6 beats IRQ 3 now */
  /* Rotate on non-specific EOI: IRQ 6 becomes lowest, 7 highest. */
  ct_outb (b, 0x20, 0xa0);
  ck_assert_uint_eq (read_isr (b, 0x20), 0);
  bw_irq_line_pulse (lines[7]);
  ck_assert_uint_eq (ack (b), 0x0f);
  ct_outb (b, 0x20, 0xe7); /* rotate on specific EOI 7: IRQ 0 highest */
  bw_irq_line_pulse (lines[2 + 3]);
  ck_assert_uint_eq (ack (b), 0x0b); /* IRQ 3 (pending) beats IRQ 5 */
  ct_outb (b, 0x20, 0x20);
  ck_assert_uint_eq (ack (b), 0x0d);
  ct_board_free (b);
}
END_TEST

START_TEST (test_auto_eoi)
{
  CtBoard *b = pic_board ();
  init_pics (b, 0x03);
  bw_irq_line_pulse (lines[5]);
  ck_assert_uint_eq (ack (b), 0x0d);
  ck_assert_uint_eq (read_isr (b, 0x20), 0);
  bw_irq_line_pulse (lines[6]);
  ck_assert (intr (b)); /* nothing in service blocks it */
  ck_assert_uint_eq (ack (b), 0x0e);
  /* Rotate in automatic EOI mode: the acknowledged IRQ becomes lowest. */
  ct_outb (b, 0x20, 0x80);
  bw_irq_line_pulse (lines[1]);
  ck_assert_uint_eq (ack (b), 0x09);
  bw_irq_line_pulse (lines[0]);
  bw_irq_line_pulse (lines[2 + 1]);
  ck_assert_uint_eq (ack (b), 0x0b); /* IRQ 3 now outranks IRQ 0 */
  ck_assert_uint_eq (ack (b), 0x08);
  ct_outb (b, 0x20, 0x00); /* clear rotate in AEOI */
  ct_board_free (b);
}
END_TEST

START_TEST (test_cascade)
{
  CtBoard *b = pic_board ();
  init_pics (b, 0x01);
  bw_irq_line_pulse (lines[10]);
  ck_assert (intr (b));
  ck_assert_uint_eq (ack (b), 0x72);
  ck_assert_uint_eq (read_isr (b, 0x20), 0x04);
  ck_assert_uint_eq (read_isr (b, 0xa0), 0x04);
  /* IRQ 9 has higher priority on the slave but the master's IR2 is in
   * service (no special fully nested mode): it waits. */
  bw_irq_line_pulse (lines[9]);
  ck_assert (!intr (b));
  ct_outb (b, 0xa0, 0x20);
  ct_outb (b, 0x20, 0x20);
  ck_assert (intr (b));
  ck_assert_uint_eq (ack (b), 0x71);
  ct_board_free (b);
}
END_TEST

START_TEST (test_special_fully_nested)
{
  CtBoard *b = pic_board ();
  init_pics (b, 0x01);
  /* Master with SFNM: a higher slave request interrupts the slave's own. */
  ct_outb (b, 0x20, 0x11);
  ct_outb (b, 0x21, 0x08);
  ct_outb (b, 0x21, 0x04);
  ct_outb (b, 0x21, 0x11);
  bw_irq_line_pulse (lines[10]);
  ck_assert_uint_eq (ack (b), 0x72);
  bw_irq_line_pulse (lines[9]);
  ck_assert (intr (b));
  ck_assert_uint_eq (ack (b), 0x71);
  ct_board_free (b);
}
END_TEST

START_TEST (test_edge_and_level)
{
  CtBoard *b = pic_board ();
  init_pics (b, 0x01);
  ck_assert_uint_eq (ct_inb (b, 0x4d1), 0x00);
  ct_outb (b, 0x4d1, 0xff);
  ck_assert_uint_eq (ct_inb (b, 0x4d1), 0xde); /* IRQ 8 and 13 stay edge */
  ct_outb (b, 0x4d0, 0xff);
  ck_assert_uint_eq (ct_inb (b, 0x4d0), 0xf8); /* IRQ 0-2 stay edge */
  ct_outb (b, 0x4d0, 0x00);

  /* Level (IRQ 5): the request follows the line. */
  ct_outb (b, 0x4d0, 0x20);
  bw_irq_line_raise (lines[5]);
  ck_assert (intr (b));
  bw_irq_line_lower (lines[5]);
  ck_assert (!intr (b));
  ck_assert_uint_eq (ct_inb (b, 0x20) & 0x20, 0);
  bw_irq_line_raise (lines[5]);
  ck_assert_uint_eq (ack (b), 0x0d);
  ct_outb (b, 0x20, 0x20);
  ck_assert (intr (b)); /* still high after EOI: again */
  ck_assert_uint_eq (ack (b), 0x0d);
  bw_irq_line_lower (lines[5]);
  ct_outb (b, 0x20, 0x20);
  ck_assert (!intr (b));

  /* Level on the slave (IRQ 11): shared by two sources, wired-OR. */
  ct_outb (b, 0x4d1, 0x08);
  BwIrqLine *other = bw_irq_router_get_source (bw_platform_get_irq_router (b->platform), 11, "t2");
  bw_irq_line_raise (lines[11]);
  bw_irq_line_raise (other);
  ck_assert_uint_eq (ack (b), 0x73);
  bw_irq_line_lower (lines[11]);
  ct_outb (b, 0xa0, 0x20);
  ct_outb (b, 0x20, 0x20);
  ck_assert (intr (b));
  ck_assert_uint_eq (ack (b), 0x73);
  bw_irq_line_lower (other);
  ct_outb (b, 0xa0, 0x20);
  ct_outb (b, 0x20, 0x20);
  ck_assert_uint_eq (ct_inb (b, 0xa0) & 0x08, 0);

  /* Edge (IRQ 4): a pulse is latched; a held line interrupts once. */
  bw_irq_line_pulse (lines[4]);
  ck_assert (intr (b));
  ck_assert_uint_eq (ack (b), 0x0c);
  ct_outb (b, 0x20, 0x20);
  ck_assert (!intr (b));
  bw_irq_line_raise (lines[4]);
  ck_assert_uint_eq (ack (b), 0x0c);
  ct_outb (b, 0x20, 0x20);
  ck_assert (!intr (b));
  bw_irq_line_lower (lines[4]);
  ct_board_free (b);
}
END_TEST

START_TEST (test_spurious)
{
  CtBoard *b = pic_board ();
  init_pics (b, 0x01);
  /* INTA with nothing pending: IRQ 7, not put in service. */
  ck_assert_uint_eq (ack (b), 0x0f);
  ck_assert_uint_eq (read_isr (b, 0x20), 0);
  /* A level request on the slave that goes away after the master latched
   * its cascade edge: spurious IRQ 15, master IR2 in service. */
  ct_outb (b, 0x4d1, 0x02);
  bw_irq_line_raise (lines[9]);
  ck_assert (intr (b));
  bw_irq_line_lower (lines[9]);
  ck_assert (intr (b));
  ck_assert_uint_eq (ack (b), 0x77);
  ck_assert_uint_eq (read_isr (b, 0xa0), 0);
  ck_assert_uint_eq (read_isr (b, 0x20), 0x04);
  ct_board_free (b);
}
END_TEST

START_TEST (test_special_mask_mode)
{
  CtBoard *b = pic_board ();
  init_pics (b, 0x01);
  bw_irq_line_pulse (lines[3]);
  ck_assert_uint_eq (ack (b), 0x0b);
  bw_irq_line_pulse (lines[5]);
  ck_assert (!intr (b));
  ct_outb (b, 0x21, 0x08); /* mask the level in service */
  ct_outb (b, 0x20, 0x68); /* set special mask mode */
  ck_assert (intr (b));
  ck_assert_uint_eq (ack (b), 0x0d);
  ct_outb (b, 0x20, 0x65); /* specific EOI 5 */
  ct_outb (b, 0x20, 0x48); /* reset special mask mode */
  ck_assert_uint_eq (read_isr (b, 0x20), 0x08);
  ct_board_free (b);
}
END_TEST

START_TEST (test_poll_mode)
{
  CtBoard *b = pic_board ();
  init_pics (b, 0x01);
  ct_outb (b, 0x20, 0x0c);
  ck_assert_uint_eq (ct_inb (b, 0x20), 0x00); /* nothing pending */
  bw_irq_line_pulse (lines[6]);
  ct_outb (b, 0x20, 0x0c);
  ck_assert_uint_eq (ct_inb (b, 0x20), 0x86);
  ck_assert_uint_eq (read_isr (b, 0x20), 0x40); /* the poll acknowledged it */
  ck_assert_uint_eq (ct_inb (b, 0x20), 0x00);   /* one read only */
  ct_board_free (b);
}
END_TEST

START_TEST (test_garbage_init)
{
  CtBoard *b = pic_board ();
  /* ICW1 without ICW4, single mode, then OCW1 lands on the mask. */
  ct_outb (b, 0x20, 0x12);
  ct_outb (b, 0x21, 0x20);
  ct_outb (b, 0x21, 0x7e);
  ck_assert_uint_eq (ct_inb (b, 0x21), 0x7e);
  bw_irq_line_pulse (lines[0]);
  ck_assert_uint_eq (ack (b), 0x20);
  ct_board_free (b);
}
END_TEST

START_TEST (test_saved_state)
{
  CtBoard *b = pic_board ();
  ct_check_descriptions (b);
  init_pics (b, 0x01);
  ct_outb (b, 0x4d1, 0x0c);
  ct_outb (b, 0x21, 0x30);
  bw_irq_line_pulse (lines[1]);
  bw_irq_line_pulse (lines[10]);
  bw_irq_line_raise (lines[11]);
  ack (b);
  ct_outb (b, 0xa0, 0x0b);
  ct_check_state_round_trip (b, pic_board);
  ct_board_free (b);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("pic");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_init_and_registers);
  tcase_add_test (tc, test_priority_and_eoi);
  tcase_add_test (tc, test_masking);
  tcase_add_test (tc, test_rotation);
  tcase_add_test (tc, test_auto_eoi);
  tcase_add_test (tc, test_cascade);
  tcase_add_test (tc, test_special_fully_nested);
  tcase_add_test (tc, test_edge_and_level);
  tcase_add_test (tc, test_spurious);
  tcase_add_test (tc, test_special_mask_mode);
  tcase_add_test (tc, test_poll_mode);
  tcase_add_test (tc, test_garbage_init);
  tcase_add_test (tc, test_saved_state);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
