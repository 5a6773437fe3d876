/* test-piix4-pm.c: the PIIX4 power-management function: its identity at
 * 00:01.3, the PM I/O block placed by PMBA/PMREGMISC, the PM timer on the
 * virtual clock (rate, 24-bit wrap, TMR_STS), the power button and SCI
 * (through SCI_EN, the enable bits, write-1-to-clear, the PIC in level
 * mode), ACPI enable/disable through port 0xB2, S5 through SLP_EN, GPE0,
 * the SMBus host, and saved state. */
#include "config.h"

#include "chipset-test.h"
#include "devices/chipset/bw-pci.h"
#include "devices/chipset/bw-piix4-pm.h"

#define BASE 0xb000

static CtBoard *
pm_board (void)
{
  return ct_board_new (16, "i440fx", "piix3", "pic-i8259:pic", "piix4-pm:pm");
}

/* What SeaBIOS does: PMBA, then PM I/O enable. */
static CtBoard *
mapped_board (void)
{
  CtBoard *b = pm_board ();
  ct_cfg_write (b, CT_CA (1, 3, 0x40), BASE | 1, 4);
  ct_cfg_write (b, CT_CA (1, 3, 0x80), 0x01, 1);
  return b;
}

static BwDevice *
pm (CtBoard *b)
{
  return bw_platform_find_device (b->platform, "pm");
}

START_TEST (test_identity)
{
  CtBoard *b = pm_board ();
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (1, 3, 0), 4), 0x71138086);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (1, 3, 0x08), 4), 0x06800003);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (1, 3, 0x3d), 1), 1);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (1, 3, 0x40), 4), 1); /* I/O space indicator */
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (1, 3, 0x5b), 1), 0x02); /* APMC_EN: SMM "done" */
  ct_cfg_write (b, CT_CA (1, 3, 0x58), 0, 4);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (1, 3, 0x5b), 1), 0x02);
  ct_board_free (b);
}
END_TEST

START_TEST (test_mapping)
{
  CtBoard *b = pm_board ();
  ct_cfg_write (b, CT_CA (1, 3, 0x40), BASE | 1, 4);
  ck_assert_uint_eq (bw_piix4_pm_get_base (pm (b)), 0);
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM1_EN, 2), 0xffff); /* nothing there yet */
  ct_cfg_write (b, CT_CA (1, 3, 0x80), 0x01, 1);
  ck_assert_uint_eq (bw_piix4_pm_get_base (pm (b)), BASE);
  ct_out (b, BASE + BW_PM1_EN, BW_PM1_PWRBTN, 2);
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM1_EN, 2), BW_PM1_PWRBTN);
  /* Low bits of PMBA are not writable; moving it moves the block. */
  ct_cfg_write (b, CT_CA (1, 3, 0x40), 0x6123, 4);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (1, 3, 0x40), 4), 0x6101);
  ck_assert_uint_eq (ct_in (b, 0x6100 + BW_PM1_EN, 2), BW_PM1_PWRBTN);
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM1_EN, 2), 0xffff);
  ct_cfg_write (b, CT_CA (1, 3, 0x80), 0x00, 1);
  ck_assert_uint_eq (bw_piix4_pm_get_base (pm (b)), 0);
  ck_assert_uint_eq (ct_in (b, 0x6100 + BW_PM1_EN, 2), 0xffff);
  ct_board_free (b);
}
END_TEST

START_TEST (test_timer)
{
  CtBoard *b = mapped_board ();
  guint32 t0 = ct_in (b, BASE + BW_PM_TMR, 4);
  ck_assert_uint_eq (t0, 0);
  ct_step (b, 1000000000); /* one second: exactly the rate */
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM_TMR, 4), BW_PIIX4_PM_TIMER_HZ);
  /* A byte read sees the same counter. */
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM_TMR + 2, 1), BW_PIIX4_PM_TIMER_HZ >> 16);
  /* Read-only. */
  ct_out (b, BASE + BW_PM_TMR, 0, 4);
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM_TMR, 4), BW_PIIX4_PM_TIMER_HZ);
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM1_STS, 2) & BW_PM1_TMR, 0);
  /* Bit 23 changes at 2^23 ticks (2.3435 s): TMR_STS. */
  ct_step (b, 1340000000);
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM1_STS, 2) & BW_PM1_TMR, 0);
  ct_step (b, 5000000);
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM1_STS, 2) & BW_PM1_TMR, BW_PM1_TMR);
  ck_assert_uint_ge (ct_in (b, BASE + BW_PM_TMR, 4), 1u << 23);
  ct_out (b, BASE + BW_PM1_STS, BW_PM1_TMR, 2);
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM1_STS, 2) & BW_PM1_TMR, 0);
  /* 24 bits wide: after 2^24 ticks (4.687 s) it wraps. */
  ct_step (b, 2400000000);
  guint32 t = ct_in (b, BASE + BW_PM_TMR, 4);
  ck_assert_uint_lt (t, 1u << 23);
  ck_assert_uint_eq (t, (guint32)((guint64)ct_now (b) * BW_PIIX4_PM_TIMER_HZ / 1000000000u)
                            & 0xffffff);
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM1_STS, 2) & BW_PM1_TMR, BW_PM1_TMR);
  /* With TMR_EN and SCI_EN, the overflow is an SCI. */
  ck_assert (!ct_gsi (b, 9));
  ct_out (b, BASE + BW_PM1_EN, BW_PM1_TMR, 2);
  ck_assert (!ct_gsi (b, 9));
  ct_outb (b, 0xb2, BW_PIIX4_PM_ACPI_ENABLE);
  ck_assert (ct_gsi (b, 9));
  ct_out (b, BASE + BW_PM1_STS, BW_PM1_TMR, 2);
  ck_assert (!ct_gsi (b, 9));
  ct_board_free (b);
}
END_TEST

START_TEST (test_power_button)
{
  CtBoard *b = mapped_board ();
  /* Pressed before the guest listens: the status is set, no SCI. */
  bw_platform_lock (b->platform);
  ck_assert (!bw_piix4_pm_press_power_button (pm (b)));
  bw_platform_unlock (b->platform);
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM1_STS, 2) & BW_PM1_PWRBTN, BW_PM1_PWRBTN);
  ck_assert (!ct_gsi (b, 9));
  /* ACPI enable through the SMI command port sets SCI_EN. */
  ck_assert (!bw_piix4_pm_acpi_enabled (pm (b)));
  ct_outb (b, 0xb2, BW_PIIX4_PM_ACPI_ENABLE);
  ck_assert (bw_piix4_pm_acpi_enabled (pm (b)));
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM1_CNT, 2) & BW_PM1_CNT_SCI_EN, 1);
  ck_assert (!ct_gsi (b, 9));
  ct_out (b, BASE + BW_PM1_EN, BW_PM1_PWRBTN, 2);
  ck_assert (ct_gsi (b, 9));
  /* Write 1 to clear; writing 0 leaves it. */
  ct_out (b, BASE + BW_PM1_STS, 0, 2);
  ck_assert (ct_gsi (b, 9));
  ct_out (b, BASE + BW_PM1_STS, BW_PM1_PWRBTN, 2);
  ck_assert (!ct_gsi (b, 9));
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM1_STS, 2), 0);
  /* Pressed again while the guest listens. */
  bw_platform_lock (b->platform);
  ck_assert (bw_piix4_pm_press_power_button (pm (b)));
  bw_platform_unlock (b->platform);
  ck_assert (ct_gsi (b, 9));
  /* ACPI disable drops the SCI, the status stays. */
  ct_outb (b, 0xb2, BW_PIIX4_PM_ACPI_DISABLE);
  ck_assert (!ct_gsi (b, 9));
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM1_STS, 2) & BW_PM1_PWRBTN, BW_PM1_PWRBTN);
  /* The APM status port is a scratch byte. */
  ct_outb (b, 0xb3, 0x5a);
  ck_assert_uint_eq (ct_inb (b, 0xb3), 0x5a);
  ct_board_free (b);
}
END_TEST

START_TEST (test_sci_through_pic)
{
  CtBoard *b = mapped_board ();
  /* Master PIC: ICW1-4 at vector 0x08, slave at 0x70; IRQ 2 and 9
   * unmasked; IRQ 9 level-triggered in the ELCR, as Linux sets it. */
  ct_outb (b, 0x20, 0x11), ct_outb (b, 0x21, 0x08), ct_outb (b, 0x21, 0x04), ct_outb (b, 0x21, 1);
  ct_outb (b, 0xa0, 0x11), ct_outb (b, 0xa1, 0x70), ct_outb (b, 0xa1, 0x02), ct_outb (b, 0xa1, 1);
  ct_outb (b, 0x21, 0xfb);
  ct_outb (b, 0xa1, 0xfd);
  ct_outb (b, 0x4d1, 0x02);
  ct_outb (b, 0xb2, BW_PIIX4_PM_ACPI_ENABLE);
  ct_out (b, BASE + BW_PM1_EN, BW_PM1_PWRBTN, 2);
  ck_assert (!ct_cpu_line (b, BW_CPU_LINE_INTR));
  bw_platform_lock (b->platform);
  bw_piix4_pm_press_power_button (pm (b));
  bw_platform_unlock (b->platform);
  ck_assert (ct_cpu_line (b, BW_CPU_LINE_INTR));
  ck_assert_uint_eq (bw_platform_irq_acknowledge (b->platform), 0x71);
  ct_out (b, BASE + BW_PM1_STS, BW_PM1_PWRBTN, 2);
  ct_outb (b, 0xa0, 0x20), ct_outb (b, 0x20, 0x20); /* EOI */
  ck_assert (!ct_cpu_line (b, BW_CPU_LINE_INTR));
  ct_board_free (b);
}
END_TEST

START_TEST (test_sleep)
{
  CtBoard *b = mapped_board ();
  ct_outb (b, 0xb2, BW_PIIX4_PM_ACPI_ENABLE);
  /* SLP_TYP alone (what ACPICA writes first) does nothing. */
  ct_out (b, BASE + BW_PM1_CNT, BW_PM1_CNT_SCI_EN | 5 << 10, 2);
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM1_CNT, 2), BW_PM1_CNT_SCI_EN | 5 << 10);
  ck_assert_uint_eq (b->poweroffs, 0);
  /* A sleep type the tables do not declare is refused. */
  ct_out (b, BASE + BW_PM1_CNT, BW_PM1_CNT_SCI_EN | 5 << 10 | BW_PM1_CNT_SLP_EN, 2);
  ck_assert_uint_eq (b->poweroffs, 0);
  ct_out (b, BASE + BW_PM1_CNT, BW_PM1_CNT_SCI_EN, 2);
  ck_assert_uint_eq (b->poweroffs, 0);
  /* SLP_TYP 0 (S5) with SLP_EN: off. SLP_EN reads back as 0. */
  ct_out (b, BASE + BW_PM1_CNT, BW_PM1_CNT_SCI_EN | BW_PM1_CNT_SLP_EN, 2);
  ck_assert_uint_eq (b->poweroffs, 1);
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM1_CNT, 2), BW_PM1_CNT_SCI_EN);
  /* The same as a byte write to the high half. */
  ct_outb (b, BASE + BW_PM1_CNT + 1, BW_PM1_CNT_SLP_EN >> 8);
  ck_assert_uint_eq (b->poweroffs, 2);
  ct_board_free (b);
}
END_TEST

START_TEST (test_gpe)
{
  CtBoard *b = mapped_board ();
  ct_outb (b, 0xb2, BW_PIIX4_PM_ACPI_ENABLE);
  bw_platform_lock (b->platform);
  bw_piix4_pm_raise_gpe (pm (b), 9);
  bw_platform_unlock (b->platform);
  ck_assert_uint_eq (ct_in (b, BASE + BW_GPE0_STS, 2), 0x200);
  ck_assert (!ct_gsi (b, 9));
  ct_out (b, BASE + BW_GPE0_EN, 0x200, 2);
  ck_assert_uint_eq (ct_in (b, BASE + BW_GPE0_EN, 2), 0x200);
  ck_assert (ct_gsi (b, 9));
  ct_out (b, BASE + BW_GPE0_STS + 1, 0x02, 1);
  ck_assert_uint_eq (ct_in (b, BASE + BW_GPE0_STS, 2), 0);
  ck_assert (!ct_gsi (b, 9));
  /* The rest of the block is stored and read back. */
  ct_out (b, BASE + 0x28, 0x12345678, 4);
  ck_assert_uint_eq (ct_in (b, BASE + 0x28, 4), 0x12345678);
  ct_board_free (b);
}
END_TEST

START_TEST (test_smbus)
{
  CtBoard *b = pm_board ();
  ct_cfg_write (b, CT_CA (1, 3, 0x90), 0xb101, 4);
  ct_cfg_write (b, CT_CA (1, 3, 0xd2), 0x09, 1);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (1, 3, 0x90), 4), 0xb101);
  ck_assert_uint_eq (ct_inb (b, 0xb100), 0xff); /* PCI I/O space still off */
  ct_cfg_write (b, CT_CA (1, 3, 0x04), 0x0001, 2);
  ck_assert_uint_eq (ct_inb (b, 0xb100), 0x00);
  ct_outb (b, 0xb104, 0xa1); /* address 0x50, read */
  ct_outb (b, 0xb102, 0x48); /* start a byte-data transaction */
  ck_assert_uint_eq (ct_inb (b, 0xb100), 0x04); /* nobody answered */
  ct_outb (b, 0xb100, 0x04);
  ck_assert_uint_eq (ct_inb (b, 0xb100), 0x00);
  ct_board_free (b);
}
END_TEST

START_TEST (test_reset)
{
  CtBoard *b = mapped_board ();
  ct_outb (b, 0xb2, BW_PIIX4_PM_ACPI_ENABLE);
  ct_out (b, BASE + BW_PM1_EN, BW_PM1_PWRBTN, 2);
  ct_step (b, 3000000000);
  bw_platform_reset (b->platform);
  ck_assert_uint_eq (bw_piix4_pm_get_base (pm (b)), 0);
  ck_assert (!bw_piix4_pm_acpi_enabled (pm (b)));
  ct_cfg_write (b, CT_CA (1, 3, 0x40), BASE | 1, 4);
  ct_cfg_write (b, CT_CA (1, 3, 0x80), 0x01, 1);
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM1_EN, 2), 0);
  ck_assert_uint_eq (ct_in (b, BASE + BW_PM_TMR, 4), 0); /* counts from the reset */
  ct_board_free (b);
}
END_TEST

START_TEST (test_saved_state)
{
  CtBoard *b = mapped_board ();
  ct_check_descriptions (b);
  ct_outb (b, 0xb2, BW_PIIX4_PM_ACPI_ENABLE);
  ct_outb (b, 0xb3, 0x33);
  ct_out (b, BASE + BW_PM1_EN, BW_PM1_PWRBTN | BW_PM1_TMR, 2);
  ct_out (b, BASE + BW_GPE0_EN, 0x0003, 2);
  ct_step (b, 1500000000);
  bw_platform_lock (b->platform);
  bw_piix4_pm_press_power_button (pm (b));
  bw_platform_unlock (b->platform);
  ct_check_state_round_trip (b, pm_board);

  g_autoptr (GByteArray) state = g_byte_array_new ();
  bw_platform_save_state (b->platform, state);
  CtBoard *c = pm_board ();
  ct_step (c, 1500000000); /* the clock is the VM's to restore */
  ck_assert (bw_platform_load_state (c->platform, state->data, state->len, NULL));
  ck_assert_uint_eq (bw_piix4_pm_get_base (pm (c)), BASE);
  ck_assert (ct_gsi (c, 9));
  ck_assert_uint_eq (ct_in (c, BASE + BW_PM_TMR, 4), ct_in (b, BASE + BW_PM_TMR, 4));
  ck_assert_uint_eq (ct_inb (c, 0xb3), 0x33);
  /* The overflow timer came along: TMR_STS at the same moment. */
  ct_step (b, 900000000);
  ct_step (c, 900000000);
  ck_assert_uint_eq (ct_in (c, BASE + BW_PM1_STS, 2), ct_in (b, BASE + BW_PM1_STS, 2));
  ck_assert_uint_eq (ct_in (c, BASE + BW_PM1_STS, 2) & BW_PM1_TMR, BW_PM1_TMR);
  ct_board_free (c);
  ct_board_free (b);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("piix4-pm");
  TCase *tc = tcase_create ("core");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_identity);
  tcase_add_test (tc, test_mapping);
  tcase_add_test (tc, test_timer);
  tcase_add_test (tc, test_power_button);
  tcase_add_test (tc, test_sci_through_pic);
  tcase_add_test (tc, test_sleep);
  tcase_add_test (tc, test_gpe);
  tcase_add_test (tc, test_smbus);
  tcase_add_test (tc, test_reset);
  tcase_add_test (tc, test_saved_state);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
