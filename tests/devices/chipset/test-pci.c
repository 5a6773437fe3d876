/* test-pci.c: the i440FX host bridge through 0xCF8/0xCFC: configuration
 * mechanism #1, read-only and write-1-to-clear bits, BAR sizing and
 * mapping of a PCI device defined here, the PAM registers' effect on the
 * memory map, the SMRAM register, reset and saved state. */
#include "config.h"

#include "chipset-test.h"
#include "devices/chipset/bw-pci.h"

/* A PCI device with every kind of BAR. */
typedef struct
{
  BwDevice parent;
  BwPciFunction pci;
  guint8 regs[32];
  guint32 mem_last;
} TestPciDev;

static void
test_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  TestPciDev *t = opaque;
  if (is_write)
    t->regs[offset] = (guint8)*data;
  else
    *data = t->regs[offset];
}

static void
test_mmio (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  TestPciDev *t = opaque;
  if (is_write)
    t->mem_last = (guint32)*data;
  else
    *data = 0xc0de0000u | (guint32)offset;
}

static const BwIoOps test_io_ops = { .handler = test_io, .max_access = 1 };
static const BwIoOps test_mmio_ops = { .handler = test_mmio, .max_access = 4 };

static gboolean
testdev_realize (BwDevice *dev, GError **error)
{
  TestPciDev *t = (TestPciDev *)dev;
  if (!bw_pci_function_init (&t->pci, dev, bw_pci_bus_find (dev->platform), BW_PCI_DEVFN (3, 0),
                             0x1234, 0xabcd, 0x05, 0x020000, error))
    return FALSE;
  bw_pci_function_add_bar (&t->pci, 0, BW_PCI_BAR_IO, 32, FALSE, &test_io_ops, t);
  bw_pci_function_add_bar (&t->pci, 1, BW_PCI_BAR_MEM32, 4096, FALSE, &test_mmio_ops, t);
  bw_pci_function_add_bar (&t->pci, 2, BW_PCI_BAR_MEM64, 1 << 20, TRUE, NULL, NULL);
  bw_pci_function_add_bar (&t->pci, BW_PCI_ROM_SLOT, BW_PCI_BAR_ROM, 64 << 10, FALSE, NULL, NULL);
  bw_pci_function_set_irq_pin (&t->pci, 1);
  return TRUE;
}

static void
testdev_reset (BwDevice *dev)
{
  bw_pci_function_reset (&((TestPciDev *)dev)->pci);
}

static void
testdev_unrealize (BwDevice *dev)
{
  bw_pci_function_exit (&((TestPciDev *)dev)->pci);
}

static gboolean
testdev_post_load (void *opaque, int version, GError **error)
{
  bw_pci_function_post_load (&((TestPciDev *)opaque)->pci);
  return TRUE;
}

static const BwVmStateField testdev_fields[] = {
  BW_VMSTATE_STRUCT (TestPciDev, pci, BwPciFunction, bw_pci_function_vmstate),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc testdev_vmstate = {
  .name = "test-pci",
  .version = 1,
  .minimum_version = 1,
  .fields = testdev_fields,
  .post_load = testdev_post_load,
};

static const BwDeviceClass testdev_class = {
  .name = "test-pci",
  .instance_size = sizeof (TestPciDev),
  .priority = BW_DEVICE_PRIORITY_DEVICE,
  .realize = testdev_realize,
  .reset = testdev_reset,
  .unrealize = testdev_unrealize,
  .vmstate = &testdev_vmstate,
};

BW_DEVICE_REGISTER (testdev_class)

static CtBoard *
pci_board (void)
{
  return ct_board_new (16, "i440fx", "test-pci:nic");
}

START_TEST (test_config_mechanism)
{
  CtBoard *b = pci_board ();
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 0), 4), 0x12378086);
  ck_assert_uint_eq (ct_in (b, 0xcf8, 4), 0x80000000);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 2), 2), 0x1237);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 3), 1), 0x12);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 8), 4), 0x06000002);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 0x0e), 1), 0x00);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 0, 0), 4), 0xabcd1234);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 0, 0x08), 4), 0x02000005);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 0, 0x3c), 2), 0x0100); /* INTA#, line 0 */
  /* Nothing there, another bus, or the enable bit clear: all ones. */
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (5, 0, 0), 4), 0xffffffff);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 1, 0), 4), 0xffffffff);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 0) | 1 << 16, 4), 0xffffffff);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 0) & ~0x80000000u, 4), 0xffffffff);
  /* The low two bits of CONFIG_ADDRESS read as zero; byte writes to 0xCF8
   * do not touch it. */
  ct_out (b, 0xcf8, CT_CA (0, 0, 0x13), 4);
  ck_assert_uint_eq (ct_in (b, 0xcf8, 4), CT_CA (0, 0, 0x10));
  ct_out (b, 0xcf8, 0x12, 1);
  ck_assert_uint_eq (ct_in (b, 0xcf8, 4), CT_CA (0, 0, 0x10));
  /* Read-only identification. */
  ct_cfg_write (b, CT_CA (3, 0, 0), 0xffffffff, 4);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 0, 0), 4), 0xabcd1234);
  /* Writable: latency timer and interrupt line. */
  ct_cfg_write (b, CT_CA (3, 0, 0x3c), 0x0b, 1);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 0, 0x3c), 1), 0x0b);
  ct_cfg_write (b, CT_CA (3, 0, 0x3d), 0x04, 1);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 0, 0x3d), 1), 0x01);
  ct_board_free (b);
}
END_TEST

START_TEST (test_write_one_to_clear)
{
  CtBoard *b = pci_board ();
  TestPciDev *t = (TestPciDev *)bw_platform_find_device (b->platform, "nic");
  t->pci.config[BW_PCI_STATUS + 1] |= 0x30; /* target and master abort seen */
  ct_cfg_write (b, CT_CA (3, 0, 0x06), 0x1000, 2);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 0, 0x06), 2), 0x2000);
  ct_cfg_write (b, CT_CA (3, 0, 0x06), 0x0000, 2);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 0, 0x06), 2), 0x2000);
  ct_cfg_write (b, CT_CA (3, 0, 0x06), 0xffff, 2);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 0, 0x06), 2), 0x0000);
  ct_board_free (b);
}
END_TEST

START_TEST (test_bar_sizing)
{
  CtBoard *b = pci_board ();
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 0, 0x10), 4), 0x00000001);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 0, 0x18), 4), 0x0000000c);
  static const struct
  {
    guint reg;
    guint32 written, expect;
  } sizes[] = {
    { 0x10, 0xffffffff, 0xffffffe1 }, /* 32 bytes of I/O */
    { 0x14, 0xffffffff, 0xfffff000 }, /* 4 KiB of memory */
    { 0x18, 0xffffffff, 0xfff0000c }, /* 1 MiB, 64-bit, prefetchable */
    { 0x1c, 0xffffffff, 0xffffffff }, /* its upper half */
    { 0x20, 0xffffffff, 0x00000000 }, /* no BAR 4 */
    { 0x30, 0xfffff800, 0xffff0000 }, /* 64 KiB ROM */
  };
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      guint32 old = ct_cfg_read (b, CT_CA (3, 0, sizes[i].reg), 4);
      ct_cfg_write (b, CT_CA (3, 0, sizes[i].reg), sizes[i].written, 4);
      ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 0, sizes[i].reg), 4), sizes[i].expect);
      ct_cfg_write (b, CT_CA (3, 0, sizes[i].reg), old, 4);
      ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 0, sizes[i].reg), 4), old);
    }
  ct_board_free (b);
}
END_TEST

START_TEST (test_bar_mapping)
{
  CtBoard *b = pci_board ();
  TestPciDev *t = (TestPciDev *)bw_platform_find_device (b->platform, "nic");
  BwMemory *mem = bw_platform_get_memory (b->platform);
  ct_cfg_write (b, CT_CA (3, 0, 0x10), 0xc000, 4);
  ct_cfg_write (b, CT_CA (3, 0, 0x14), 0xfeb00000, 4);
  /* Not decoded until the command register enables it. */
  ck_assert_uint_eq (ct_inb (b, 0xc005), 0xff);
  ck_assert_uint_eq (bw_pci_function_get_bar_address (&t->pci, 0), BW_PCI_BAR_UNMAPPED);
  ct_cfg_write (b, CT_CA (3, 0, 0x04), BW_PCI_COMMAND_IO | BW_PCI_COMMAND_MEMORY, 2);
  ck_assert_uint_eq (bw_pci_function_get_bar_address (&t->pci, 0), 0xc000);
  ct_outb (b, 0xc005, 0x5a);
  ck_assert_uint_eq (t->regs[5], 0x5a);
  ck_assert_uint_eq (ct_inb (b, 0xc005), 0x5a);
  guint64 v = 0;
  bw_platform_mmio (b->platform, 0xfeb00010, &v, 4, FALSE);
  ck_assert_uint_eq (v, 0xc0de0010);
  v = 0x11223344;
  bw_memory_access (mem, 0xfeb00020, &v, 4, TRUE);
  ck_assert_uint_eq (t->mem_last, 0x11223344);
  /* Moved: the old range is free again. */
  ct_cfg_write (b, CT_CA (3, 0, 0x10), 0xd001, 4);
  ck_assert_uint_eq (ct_inb (b, 0xc005), 0xff);
  ck_assert_uint_eq (ct_inb (b, 0xd005), 0x5a);
  /* The all-ones sizing pattern is not an address. */
  ct_cfg_write (b, CT_CA (3, 0, 0x14), 0xffffffff, 4);
  ck_assert_uint_eq (bw_pci_function_get_bar_address (&t->pci, 1), BW_PCI_BAR_UNMAPPED);
  /* Over the host bridge's own ports: refused, stays off, no harm. */
  ct_cfg_write (b, CT_CA (3, 0, 0x10), 0x0ce0, 4);
  ck_assert_uint_eq (bw_pci_function_get_bar_address (&t->pci, 0), BW_PCI_BAR_UNMAPPED);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 0), 4), 0x12378086);
  /* The 64-bit BAR above 4 GiB. */
  ct_cfg_write (b, CT_CA (3, 0, 0x18), 0x00000000, 4);
  ct_cfg_write (b, CT_CA (3, 0, 0x1c), 0x00000008, 4);
  ck_assert_uint_eq (bw_pci_function_get_bar_address (&t->pci, 2),
                     G_GUINT64_CONSTANT (0x800000000));
  /* The ROM needs its enable bit as well. */
  ct_cfg_write (b, CT_CA (3, 0, 0x30), 0xfea00000, 4);
  ck_assert_uint_eq (bw_pci_function_get_bar_address (&t->pci, 6), BW_PCI_BAR_UNMAPPED);
  ct_cfg_write (b, CT_CA (3, 0, 0x30), 0xfea00001, 4);
  ck_assert_uint_eq (bw_pci_function_get_bar_address (&t->pci, 6), 0xfea00000);
  /* Memory decoding off unmaps the memory BARs only. */
  ct_cfg_write (b, CT_CA (3, 0, 0x10), 0xc000, 4);
  ct_cfg_write (b, CT_CA (3, 0, 0x04), BW_PCI_COMMAND_IO, 2);
  ck_assert_uint_eq (bw_pci_function_get_bar_address (&t->pci, 6), BW_PCI_BAR_UNMAPPED);
  ck_assert_uint_eq (bw_pci_function_get_bar_address (&t->pci, 0), 0xc000);
  /* Reset unmaps everything and restores the registers. */
  bw_platform_reset (b->platform);
  ck_assert_uint_eq (bw_pci_function_get_bar_address (&t->pci, 0), BW_PCI_BAR_UNMAPPED);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (3, 0, 0x10), 4), 0x00000001);
  ck_assert_uint_eq (ct_inb (b, 0xc005), 0xff);
  ct_board_free (b);
}
END_TEST

static guint8
mem_read8 (BwMemory *mem, guint64 gpa)
{
  guint64 v = 0;
  bw_memory_access (mem, gpa, &v, 1, FALSE);
  return (guint8)v;
}

static void
mem_write8 (BwMemory *mem, guint64 gpa, guint8 value)
{
  guint64 v = value;
  bw_memory_access (mem, gpa, &v, 1, TRUE);
}

START_TEST (test_pam)
{
  CtBoard *b = pci_board ();
  BwMemory *mem = bw_platform_get_memory (b->platform);
  /* A BIOS image below 1 MiB on the PCI side. */
  guint8 rom[0x10000];
  memset (rom, 0xaa, sizeof rom);
  ck_assert_ptr_nonnull (bw_memory_add_rom (mem, "bios", 0xf0000, rom, sizeof rom, NULL));

  ck_assert_uint_eq (mem_read8 (mem, 0xf1234), 0xaa); /* power-on: PCI side */
  ck_assert_uint_eq (mem_read8 (mem, 0xc0000), 0xff); /* nothing there */
  /* Write-only to RAM: reads still the ROM, writes land in RAM. */
  ct_cfg_write (b, CT_CA (0, 0, 0x59), 0x20, 1);
  ck_assert_uint_eq (bw_memory_get_pam (mem, 12), BW_PAM_WRITE_RAM);
  mem_write8 (mem, 0xf1234, 0x42);
  ck_assert_uint_eq (mem_read8 (mem, 0xf1234), 0xaa);
  /* Read and write RAM: the shadow copy shows. */
  ct_cfg_write (b, CT_CA (0, 0, 0x59), 0x30, 1);
  ck_assert_uint_eq (mem_read8 (mem, 0xf1234), 0x42);
  /* Read-only RAM: writes are dropped (they go to the ROM). */
  ct_cfg_write (b, CT_CA (0, 0, 0x59), 0x10, 1);
  mem_write8 (mem, 0xf1234, 0x99);
  ck_assert_uint_eq (mem_read8 (mem, 0xf1234), 0x42);
  /* Reserved bits read as zero. */
  ct_cfg_write (b, CT_CA (0, 0, 0x59), 0xff, 1);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 0x59), 1), 0x70);

  /* 0x5A: low nibble C0000-C3FFF, high nibble C4000-C7FFF. */
  ct_cfg_write (b, CT_CA (0, 0, 0x5a), 0x03, 1);
  ck_assert_uint_eq (bw_memory_get_pam (mem, 0), BW_PAM_RAM);
  ck_assert_uint_eq (bw_memory_get_pam (mem, 1), BW_PAM_PCI);
  mem_write8 (mem, 0xc0010, 0x77);
  mem_write8 (mem, 0xc4010, 0x77);
  ck_assert_uint_eq (mem_read8 (mem, 0xc0010), 0x77);
  ck_assert_uint_eq (mem_read8 (mem, 0xc4010), 0xff);
  /* A dword write covering 0x5C-0x5F sets eight segments at once. */
  ct_cfg_write (b, CT_CA (0, 0, 0x5c), 0x13311331, 4);
  ck_assert_uint_eq (bw_memory_get_pam (mem, 4), BW_PAM_READ_RAM);
  ck_assert_uint_eq (bw_memory_get_pam (mem, 5), BW_PAM_RAM);
  ck_assert_uint_eq (bw_memory_get_pam (mem, 6), BW_PAM_RAM);
  ck_assert_uint_eq (bw_memory_get_pam (mem, 7), BW_PAM_READ_RAM);
  ck_assert_uint_eq (bw_memory_get_pam (mem, 11), BW_PAM_READ_RAM);

  /* Reset: back to the PCI side. */
  bw_platform_reset (b->platform);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 0x58), 4), 0);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 0x5c), 4), 0);
  ck_assert_uint_eq (bw_memory_get_pam (mem, 12), BW_PAM_PCI);
  ck_assert_uint_eq (mem_read8 (mem, 0xf1234), 0xaa);
  ct_board_free (b);
}
END_TEST

START_TEST (test_smram)
{
  CtBoard *b = pci_board ();
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 0x72), 1), 0x02);
  ct_cfg_write (b, CT_CA (0, 0, 0x72), 0x48, 1);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 0x72), 1), 0x4a);
  ct_cfg_write (b, CT_CA (0, 0, 0x72), 0x5f, 1); /* lock */
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 0x72), 1), 0x1a);
  ct_cfg_write (b, CT_CA (0, 0, 0x72), 0x60, 1); /* only D_CLS still writable */
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 0x72), 1), 0x3a);
  bw_platform_reset (b->platform);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 0x72), 1), 0x02);
  ct_cfg_write (b, CT_CA (0, 0, 0x72), 0x40, 1);
  ck_assert_uint_eq (ct_cfg_read (b, CT_CA (0, 0, 0x72), 1), 0x42);
  ct_board_free (b);
}
END_TEST

START_TEST (test_saved_state)
{
  CtBoard *b = pci_board ();
  ct_check_descriptions (b);
  ct_cfg_write (b, CT_CA (0, 0, 0x59), 0x30, 1);
  ct_cfg_write (b, CT_CA (0, 0, 0x5b), 0x13, 1);
  ct_cfg_write (b, CT_CA (0, 0, 0x72), 0x1a, 1);
  ct_cfg_write (b, CT_CA (3, 0, 0x10), 0xc100, 4);
  ct_cfg_write (b, CT_CA (3, 0, 0x14), 0xfeb00000, 4);
  ct_cfg_write (b, CT_CA (3, 0, 0x04), 0x0003, 2);
  ct_out (b, 0xcf8, CT_CA (3, 0, 0x3c), 4);
  ct_check_state_round_trip (b, pci_board);

  /* A loaded board decodes what the saved one did. */
  g_autoptr (GByteArray) state = g_byte_array_new ();
  bw_platform_save_state (b->platform, state);
  CtBoard *c = pci_board ();
  ck_assert (bw_platform_load_state (c->platform, state->data, state->len, NULL));
  TestPciDev *t = (TestPciDev *)bw_platform_find_device (c->platform, "nic");
  ck_assert_uint_eq (bw_pci_function_get_bar_address (&t->pci, 0), 0xc100);
  ck_assert_uint_eq (bw_memory_get_pam (bw_platform_get_memory (c->platform), 12), BW_PAM_RAM);
  ck_assert_uint_eq (bw_memory_get_pam (bw_platform_get_memory (c->platform), 2), BW_PAM_RAM);
  ck_assert_uint_eq (bw_memory_get_pam (bw_platform_get_memory (c->platform), 3), BW_PAM_READ_RAM);
  ck_assert_uint_eq (ct_in (c, 0xcf8, 4), CT_CA (3, 0, 0x3c));
  /* The SMRAM lock survives too. */
  ct_cfg_write (c, CT_CA (0, 0, 0x72), 0x48, 1);
  ck_assert_uint_eq (ct_cfg_read (c, CT_CA (0, 0, 0x72), 1), 0x1a);
  ct_board_free (c);
  ct_board_free (b);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("pci");
  TCase *tc = tcase_create ("core");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_config_mechanism);
  tcase_add_test (tc, test_write_one_to_clear);
  tcase_add_test (tc, test_bar_sizing);
  tcase_add_test (tc, test_bar_mapping);
  tcase_add_test (tc, test_pam);
  tcase_add_test (tc, test_smram);
  tcase_add_test (tc, test_saved_state);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
