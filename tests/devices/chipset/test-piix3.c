/* test-piix3.c: the PIIX3 ISA bridge: its identity at 00:01.0, PCI INTx
 * swizzled to PIRQ A-D and routed to ISA IRQs by registers 0x60-0x63
 * (disabled and reserved routes, sharing, rerouting, INTx disable), an
 * interrupt through the PIC in level mode, the reset control register at
 * 0xCF9, and saved state. */
#include "config.h"

#include "chipset-test.h"
#include "devices/chipset/bw-pci.h"

/* A PCI function whose INTx pin the test drives; config slot, pin. */
typedef struct
{
  BwDevice parent;
  BwPciFunction pci;
} IntxDev;

static gboolean
intx_realize (BwDevice *dev, GError **error)
{
  IntxDev *d = (IntxDev *)dev;
  gint64 slot = bw_config_get_int_default (dev->config, "slot", 3);
  gint64 pin = bw_config_get_int_default (dev->config, "pin", 1);
  if (!bw_pci_function_init (&d->pci, dev, bw_pci_bus_find (dev->platform),
                             (int)BW_PCI_DEVFN (slot, 0), 0x1234, 0x0001, 0, 0xff0000, error))
    return FALSE;
  bw_pci_function_set_irq_pin (&d->pci, (guint)pin);
  return TRUE;
}

static void
intx_reset (BwDevice *dev)
{
  bw_pci_function_reset (&((IntxDev *)dev)->pci);
}

static void
intx_unrealize (BwDevice *dev)
{
  bw_pci_function_exit (&((IntxDev *)dev)->pci);
}

static gboolean
intx_post_load (void *opaque, int version, GError **error)
{
  bw_pci_function_post_load (&((IntxDev *)opaque)->pci);
  return TRUE;
}

static const BwVmStateField intx_fields[] = {
  BW_VMSTATE_STRUCT (IntxDev, pci, BwPciFunction, bw_pci_function_vmstate),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc intx_vmstate = {
  .name = "test-intx",
  .version = 1,
  .minimum_version = 1,
  .fields = intx_fields,
  .post_load = intx_post_load,
};

static const BwDeviceClass intx_class = {
  .name = "test-intx",
  .instance_size = sizeof (IntxDev),
  .priority = BW_DEVICE_PRIORITY_DEVICE,
  .realize = intx_realize,
  .reset = intx_reset,
  .unrealize = intx_unrealize,
  .vmstate = &intx_vmstate,
};

BW_DEVICE_REGISTER (intx_class)

static BwConfig *config;

/* Two functions: slot 3 INTA# (-> PIRQC) and slot 4 INTB# (-> PIRQA). */
static CtBoard *
piix3_board (void)
{
  if (!config)
    {
      config = bw_config_new ();
      bw_config_set_int (config, "devices/a/slot", 3);
      bw_config_set_int (config, "devices/a/pin", 1);
      bw_config_set_int (config, "devices/b/slot", 4);
      bw_config_set_int (config, "devices/b/pin", 2);
    }
  return ct_board_new_v (16, config,
                         (const char *const[]){ "i440fx", "piix3", "pic-i8259:pic", "test-intx:a",
                                                "test-intx:b", NULL });
}

static IntxDev *
dev (CtBoard *b, const char *id)
{
  return (IntxDev *)bw_platform_find_device (b->platform, id);
}

START_TEST (test_identity)
{
  CtBoard *b = piix3_board ();
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (1, 0, 0), 4), 0x70008086);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (1, 0, 0x0a), 2), 0x0601);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (1, 0, 0x0e), 1), 0x80);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (1, 0, 0x60), 4), 0x80808080);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (1, 0, 0x69), 1), 0x02);
  ct_board_free (b);
}
END_TEST

START_TEST (test_swizzle)
{
  /* PIRQ = (pin - 1 + slot - 1) mod 4, as SeaBIOS assumes. */
  ck_assert_uint_eq (bw_pci_bus_swizzle (BW_PCI_DEVFN (1, 0), 1), 0);
  ck_assert_uint_eq (bw_pci_bus_swizzle (BW_PCI_DEVFN (1, 0), 4), 3);
  ck_assert_uint_eq (bw_pci_bus_swizzle (BW_PCI_DEVFN (2, 0), 1), 1);
  ck_assert_uint_eq (bw_pci_bus_swizzle (BW_PCI_DEVFN (3, 0), 1), 2);
  ck_assert_uint_eq (bw_pci_bus_swizzle (BW_PCI_DEVFN (4, 0), 2), 0);
  ck_assert_uint_eq (bw_pci_bus_swizzle (BW_PCI_DEVFN (5, 0), 3), 2);
}
END_TEST

START_TEST (test_routing)
{
  CtBoard *b = piix3_board ();
  IntxDev *a = dev (b, "a"), *bb = dev (b, "b");
  /* Not routed yet: nothing reaches the ISA side. */
  bw_pci_function_set_irq (&a->pci, TRUE);
  for (guint i = 0; i < 16; i++)
    ck_assert (!ct_gsi (b, i));
  /* PIRQC -> IRQ 10. */
  ct_cfg_write (b, CT_CA (1, 0, 0x62), 0x0a, 1);
  ck_assert (ct_gsi (b, 10));
  bw_pci_function_set_irq (&a->pci, FALSE);
  ck_assert (!ct_gsi (b, 10));
  bw_pci_function_set_irq (&a->pci, TRUE);
  /* Rerouting moves the level. */
  ct_cfg_write (b, CT_CA (1, 0, 0x62), 0x0b, 1);
  ck_assert (!ct_gsi (b, 10));
  ck_assert (ct_gsi (b, 11));
  /* Disabled route, and IRQs that cannot be routed (0, 2, 8, 13). */
  ct_cfg_write (b, CT_CA (1, 0, 0x62), 0x8b, 1);
  ck_assert (!ct_gsi (b, 11));
  static const guint8 reserved[] = { 0x00, 0x02, 0x08, 0x0d };
  for (guint i = 0; i < G_N_ELEMENTS (reserved); i++)
    {
      ct_cfg_write (b, CT_CA (1, 0, 0x62), reserved[i], 1);
      ck_assert (!ct_gsi (b, reserved[i]));
    }
  /* Reserved bits 6:4 read as zero. */
  ct_cfg_write (b, CT_CA (1, 0, 0x62), 0x7b, 1);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (1, 0, 0x62), 1), 0x0b);
  /* Sharing: PIRQA (device b) and PIRQC (device a) both on IRQ 11. */
  ct_cfg_write (b, CT_CA (1, 0, 0x60), 0x0b, 1);
  bw_pci_function_set_irq (&bb->pci, TRUE);
  bw_pci_function_set_irq (&a->pci, FALSE);
  ck_assert (ct_gsi (b, 11));
  bw_pci_function_set_irq (&bb->pci, FALSE);
  ck_assert (!ct_gsi (b, 11));
  /* INTx disable in the device's command register; the status bit still
   * shows the device's request. */
  bw_pci_function_set_irq (&a->pci, TRUE);
  ck_assert (ct_gsi (b, 11));
  ct_cfg_write (b, CT_CA (3, 0, 0x04), BW_PCI_COMMAND_INTX_DISABLE, 2);
  ck_assert (!ct_gsi (b, 11));
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 0, 0x06), 2) & BW_PCI_STATUS_INTERRUPT,
                     BW_PCI_STATUS_INTERRUPT);
  ct_cfg_write (b, CT_CA (3, 0, 0x04), 0, 2);
  ck_assert (ct_gsi (b, 11));
  /* A reset lowers everything and disables the routes. */
  bw_platform_reset (b->platform);
  ck_assert (!ct_gsi (b, 11));
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (1, 0, 0x60), 4), 0x80808080);
  ct_board_free (b);
}
END_TEST

START_TEST (test_through_the_pic)
{
  CtBoard *b = piix3_board ();
  IntxDev *a = dev (b, "a");
  /* Master and slave as a BIOS leaves them, IRQ 11 level-triggered. */
  static const guint8 init[][2]
      = { { 0x20, 0x11 }, { 0x21, 0x08 }, { 0x21, 0x04 }, { 0x21, 0x01 }, { 0xa0, 0x11 },
          { 0xa1, 0x70 }, { 0xa1, 0x02 }, { 0xa1, 0x01 }, { 0x21, 0x00 }, { 0xa1, 0x00 } };
  for (guint i = 0; i < G_N_ELEMENTS (init); i++)
    ct_outb (b, init[i][0], init[i][1]);
  ct_outb (b, 0x4d1, 0x08);
  ct_cfg_write (b, CT_CA (1, 0, 0x62), 0x0b, 1);
  bw_pci_function_set_irq (&a->pci, TRUE);
  ck_assert (ct_cpu_line (b, BW_CPU_LINE_INTR));
  ck_assert_uint_eq (bw_platform_irq_acknowledge (b->platform), 0x73);
  /* The device still asserts: after EOI it comes again. */
  ct_outb (b, 0xa0, 0x20);
  ct_outb (b, 0x20, 0x20);
  ck_assert (ct_cpu_line (b, BW_CPU_LINE_INTR));
  ck_assert_uint_eq (bw_platform_irq_acknowledge (b->platform), 0x73);
  bw_pci_function_set_irq (&a->pci, FALSE);
  ct_outb (b, 0xa0, 0x20);
  ct_outb (b, 0x20, 0x20);
  ck_assert (!ct_cpu_line (b, BW_CPU_LINE_INTR));
  ct_board_free (b);
}
END_TEST

START_TEST (test_reset_control)
{
  CtBoard *b = piix3_board ();
  ck_assert_uint_eq (ct_inb (b, 0xcf9), 0x00);
  ct_outb (b, 0xcf9, 0x02);
  ck_assert_uint_eq (b->resets, 0);
  ck_assert_uint_eq (ct_inb (b, 0xcf9), 0x02);
  ct_outb (b, 0xcf9, 0x06);
  ck_assert_uint_eq (b->resets, 1);
  ck_assert_uint_eq (ct_inb (b, 0xcf9), 0x02);
  ct_outb (b, 0xcf9, 0x04);
  ck_assert_uint_eq (b->resets, 2);
  /* A dword at 0xCF8 is still the config address, not a reset. */
  ct_out (b, 0xcf8, 0x80000004, 4);
  ck_assert_uint_eq (b->resets, 2);
  ct_board_free (b);
}
END_TEST

START_TEST (test_saved_state)
{
  CtBoard *b = piix3_board ();
  ct_check_descriptions (b);
  ct_cfg_write (b, CT_CA (1, 0, 0x60), 0x0b0a0905, 4);
  ct_cfg_write (b, CT_CA (1, 0, 0x4c), 0x4e, 1);
  ct_outb (b, 0xcf9, 0x02);
  bw_pci_function_set_irq (&dev (b, "a")->pci, TRUE);
  ct_check_state_round_trip (b, piix3_board);

  g_autoptr (GByteArray) state = g_byte_array_new ();
  bw_platform_save_state (b->platform, state);
  CtBoard *c = piix3_board ();
  ck_assert (bw_platform_load_state (c->platform, state->data, state->len, NULL));
  ck_assert (ct_gsi (c, 10)); /* PIRQC -> 10, device a asserting */
  ct_board_free (c);
  ct_board_free (b);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("piix3");
  TCase *tc = tcase_create ("core");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_identity);
  tcase_add_test (tc, test_swizzle);
  tcase_add_test (tc, test_routing);
  tcase_add_test (tc, test_through_the_pic);
  tcase_add_test (tc, test_reset_control);
  tcase_add_test (tc, test_saved_state);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
