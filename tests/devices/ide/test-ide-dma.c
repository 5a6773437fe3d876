/* test-ide-dma.c: bus-master DMA of the PIIX3 IDE: READ and WRITE DMA
 * with good PRD tables (several regions, a 64 KiB region written as
 * count 0, start before or after the command, LBA48 across chunks), and
 * with bad ones: a table longer than the transfer (Interrupt and Active),
 * one too short (neither; the drive waits and a second table finishes
 * the job), one without End Of Table, regions outside RAM and bus
 * mastering disabled (Error). Also the write-one-to-clear status bits. */
#include "config.h"

#include "ide-test.h"

#define DISK_SECTORS 131072
#define BM_ACTIVE 0x01
#define BM_ERROR 0x02
#define BM_INT 0x04
#define TABLE 0x1000

static ItBoard *
dma_board (void)
{
  g_autofree char *path = it_make_disk ("d.vdi", BW_DISK_FORMAT_VDI, DISK_SECTORS * 512ull, 1024);
  BwConfig *config = bw_config_new ();
  it_config_drive (config, "primary/master", "hdd", path);
  return it_board_new (config);
}

static void
check_memory (ItBoard *b, guint32 addr, guint64 first_sector, guint count)
{
  guint8 buf[512];
  for (guint i = 0; i < count; i++)
    {
      ck_assert (bw_memory_read (it_mem (b), addr + i * 512, buf, 512));
      ck_assert_msg (it_sector_ok (buf, first_sector + i, 512), "sector %u at %#x",
                     (guint) (first_sector + i), addr + i * 512);
    }
}

START_TEST (test_read_dma)
{
  ItBoard *b = dma_board ();
  /* Two regions of 1 KiB, the second ends the table. */
  it_prd (b, TABLE, 0, 0x10000, 1024, FALSE);
  it_prd (b, TABLE, 1, 0x20000, 1024, TRUE);
  it_command28 (b, 0, 0, 8, 4, 0xc8);
  ck_assert_uint_eq (it_altstatus (b, 0) & ST_DRQ, ST_DRQ); /* waits for the bus master */
  ck_assert (!it_irq (b, 0));
  it_bm_start (b, 0, TABLE, TRUE);
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, BM_INT); /* exact: Active off */
  ck_assert (it_irq (b, 0));
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  check_memory (b, 0x10000, 8, 2);
  check_memory (b, 0x20000, 10, 2);
  it_bm_stop (b, 0);
  /* Interrupt is write-one-to-clear. */
  it_outb (b, IT_BM_BASE + 2, BM_INT);
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, 0);

  /* Bus master started first, then the command; a 64 KiB region (count 0). */
  it_prd (b, TABLE, 0, 0x100000, 0, TRUE);
  it_bm_start (b, 0, TABLE, TRUE);
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, BM_ACTIVE);
  it_command28 (b, 0, 0, 100, 128, 0xc8);
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, BM_INT);
  check_memory (b, 0x100000, 100, 128);
  it_board_free (b);
}
END_TEST

START_TEST (test_write_dma)
{
  ItBoard *b = dma_board ();
  guint8 data[3 * 512];
  for (guint i = 0; i < 3; i++)
    it_fill_sector (data + i * 512, 7000 + i, 512);
  ck_assert (bw_memory_write (it_mem (b), 0x30000, data, 1000));
  ck_assert (bw_memory_write (it_mem (b), 0x40000, data + 1000, sizeof data - 1000));
  it_prd (b, TABLE, 0, 0x30000, 1000, FALSE);
  it_prd (b, TABLE, 1, 0x40000, sizeof data - 1000, TRUE);
  it_command28 (b, 0, 0, 500, 3, 0xca);
  it_bm_start (b, 0, TABLE, FALSE);
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, BM_INT);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  it_bm_stop (b, 0);

  /* Read back by PIO. */
  it_command28 (b, 0, 0, 500, 3, 0x20);
  for (guint i = 0; i < 3; i++)
    {
      guint8 buf[512];
      ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_DRQ);
      it_read_data (b, 0, buf, 512);
      ck_assert (it_sector_ok (buf, 7000 + i, 512));
    }
  it_board_free (b);
}
END_TEST

START_TEST (test_table_longer)
{
  ItBoard *b = dma_board ();
  it_prd (b, TABLE, 0, 0x10000, 8192, TRUE);
  it_command28 (b, 0, 0, 0, 4, 0xc8);
  it_bm_start (b, 0, TABLE, TRUE);
  /* Interrupt with Active still set: the table was larger. */
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, BM_INT | BM_ACTIVE);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  check_memory (b, 0x10000, 0, 4);
  it_bm_stop (b, 0);
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, BM_INT);
  it_board_free (b);
}
END_TEST

START_TEST (test_table_too_short)
{
  ItBoard *b = dma_board ();
  it_prd (b, TABLE, 0, 0x10000, 1024, TRUE);
  it_command28 (b, 0, 0, 40, 4, 0xc8);
  it_bm_start (b, 0, TABLE, TRUE);
  /* Neither Interrupt nor Active: the table ended first. */
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, 0);
  ck_assert (!it_irq (b, 0));
  ck_assert_uint_eq (it_altstatus (b, 0) & (ST_DRQ | ST_ERR), ST_DRQ);
  check_memory (b, 0x10000, 40, 2);
  /* The drive still waits: a new table takes the rest. */
  it_bm_stop (b, 0);
  it_prd (b, TABLE + 0x100, 0, 0x50000, 1024, TRUE);
  it_bm_start (b, 0, TABLE + 0x100, TRUE);
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, BM_INT);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  check_memory (b, 0x50000, 42, 2);

  /* A region shorter than one sector moves nothing. */
  it_bm_stop (b, 0);
  it_prd (b, TABLE, 0, 0x10000, 256, TRUE);
  it_command28 (b, 0, 0, 40, 1, 0xc8);
  it_bm_start (b, 0, TABLE, TRUE);
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, 0);
  /* SRST gets the drive out of it. */
  it_bm_stop (b, 0);
  it_outb (b, 0x3f6, 0x04);
  it_outb (b, 0x3f6, 0x00);
  ck_assert_uint_eq (it_altstatus (b, 0), ST_DRDY | ST_DSC);
  it_board_free (b);
}
END_TEST

START_TEST (test_no_end_of_table)
{
  ItBoard *b = dma_board ();
  /* Two regions, neither marked last; the transfer ends within them. */
  it_prd (b, TABLE, 0, 0x10000, 1024, FALSE);
  it_prd (b, TABLE, 1, 0x20000, 1024, FALSE);
  it_command28 (b, 0, 0, 60, 4, 0xc8);
  it_bm_start (b, 0, TABLE, TRUE);
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, BM_INT | BM_ACTIVE);
  check_memory (b, 0x10000, 60, 2);
  check_memory (b, 0x20000, 62, 2);
  it_bm_stop (b, 0);

  /* The engine runs on into the zeroed entries after the table: count 0
   * (64 KiB) at address 0. */
  it_prd (b, TABLE, 0, 0x10000, 512, FALSE);
  memset (bw_memory_get_ram_base (it_mem (b)) + TABLE + 8, 0, 8);
  it_command28 (b, 0, 0, 70, 2, 0xc8);
  it_bm_start (b, 0, TABLE, TRUE);
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, BM_INT | BM_ACTIVE);
  check_memory (b, 0x10000, 70, 1);
  check_memory (b, 0x0, 71, 1);
  it_board_free (b);
}
END_TEST

START_TEST (test_lba48_chunks)
{
  ItBoard *b = dma_board ();
  /* 300 sectors: more than one 64 KiB chunk; regions of 64, 64 and 22 KiB. */
  it_prd (b, TABLE, 0, 0x100000, 0, FALSE);
  it_prd (b, TABLE, 1, 0x200000, 0, FALSE);
  it_prd (b, TABLE, 2, 0x300000, 300 * 512 - 2 * 65536, TRUE);
  it_command48 (b, 0, 0, 600, 300, 0x25);
  it_bm_start (b, 0, TABLE, TRUE);
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, BM_INT);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  check_memory (b, 0x100000, 600, 128);
  check_memory (b, 0x200000, 728, 128);
  check_memory (b, 0x300000, 856, 44);
  it_board_free (b);
}
END_TEST

START_TEST (test_bad_memory_and_master_off)
{
  ItBoard *b = dma_board ();
  /* A region in the PCI hole, where nothing is mapped. */
  it_prd (b, TABLE, 0, 0xf0000000u, 512, TRUE);
  it_command28 (b, 0, 0, 0, 1, 0xc8);
  it_bm_start (b, 0, TABLE, TRUE);
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, BM_ERROR);
  it_bm_stop (b, 0);
  it_outb (b, 0x3f6, 0x04);
  it_outb (b, 0x3f6, 0x00);
  it_outb (b, IT_BM_BASE + 2, BM_ERROR | BM_INT);
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, 0);

  /* Bus mastering disabled in the PCI command register. */
  it_pci_write (b, 0x04, 0x0001, 2);
  it_prd (b, TABLE, 0, 0x10000, 512, TRUE);
  it_command28 (b, 0, 0, 0, 1, 0xc8);
  it_bm_start (b, 0, TABLE, TRUE);
  ck_assert_uint_eq (it_bm_status (b, 0) & 7, BM_ERROR);
  it_board_free (b);
}
END_TEST

START_TEST (test_bm_registers)
{
  ItBoard *b = dma_board ();
  /* PRD address: dword aligned; DMA-capable bits are software's. */
  it_out (b, IT_BM_BASE + 4, 0x12345677, 4);
  ck_assert_uint_eq (it_in (b, IT_BM_BASE + 4, 4), 0x12345674);
  it_outb (b, IT_BM_BASE + 2, 0x60);
  ck_assert_uint_eq (it_bm_status (b, 0), 0x60);
  it_out (b, IT_BM_BASE + 8 + 4, 0xabcd00, 4);
  ck_assert_uint_eq (it_in (b, IT_BM_BASE + 12, 4), 0xabcd00);
  ck_assert_uint_eq (it_in (b, IT_BM_BASE + 4, 4), 0x12345674);
  /* A PIO command's interrupt shows in the bus-master status too. */
  it_command28 (b, 0, 0, 0, 0, 0xe7);
  ck_assert_uint_eq (it_bm_status (b, 0), 0x60 | BM_INT);
  /* Saved state of the whole board round trips. */
  g_autoptr (GError) error = NULL;
  ck_assert_msg (bw_vmstate_check (b->ide->klass->vmstate, b->ide, NULL, &error), "%s",
                 error ? error->message : "");
  it_board_free (b);
}
END_TEST

static Suite *
ide_dma_suite (void)
{
  Suite *s = suite_create ("ide-dma");
  TCase *tc = tcase_create ("dma");
  tcase_add_checked_fixture (tc, it_setup, it_teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_read_dma);
  tcase_add_test (tc, test_write_dma);
  tcase_add_test (tc, test_table_longer);
  tcase_add_test (tc, test_table_too_short);
  tcase_add_test (tc, test_no_end_of_table);
  tcase_add_test (tc, test_lba48_chunks);
  tcase_add_test (tc, test_bad_memory_and_master_off);
  tcase_add_test (tc, test_bm_registers);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (ide_dma_suite ());
}
