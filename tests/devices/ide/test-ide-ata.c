/* test-ide-ata.c: ATA disks on the PIIX3 IDE through its registers: the
 * PCI identity, IDENTIFY DEVICE, PIO reads and writes on a VDI image,
 * multiple mode, LBA48 beyond 128 GiB on a large sparse image, CHS
 * addressing, errors (beyond the disk, unknown commands, a read-only
 * image, a write the host refuses), FLUSH, power modes, SET FEATURES,
 * SRST and nIEN, EXECUTE DEVICE DIAGNOSTIC, synchronous I/O, saved
 * state. */
#include "config.h"

#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>
#include "ide-test.h"

#define DISK_SECTORS 131072 /* 64 MiB */

static ItBoard *
disk_board (const char *image, const char *extra_key, gboolean extra_value)
{
  BwConfig *config = bw_config_new ();
  it_config_drive (config, "primary/master", "hdd", image);
  if (extra_key)
    bw_config_set_bool (config, extra_key, extra_value);
  return it_board_new (config);
}

static ItBoard *
vdi_board (void)
{
  g_autofree char *path = it_make_disk ("disk.vdi", BW_DISK_FORMAT_VDI, DISK_SECTORS * 512ull, 2048);
  return disk_board (path, NULL, FALSE);
}

static void
identify_words (ItBoard *b, guint16 *w)
{
  guint8 buf[512];
  it_command28 (b, 0, 0, 0, 0, 0xec);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_DRQ);
  it_read_data (b, 0, buf, 512);
  for (guint i = 0; i < 256; i++)
    w[i] = (guint16) (buf[2 * i] | buf[2 * i + 1] << 8);
}

static char *
ata_string (const guint16 *w, guint first, guint words)
{
  char *s = g_malloc0 (words * 2 + 1);
  for (guint i = 0; i < words; i++)
    {
      s[2 * i] = (char) (w[first + i] >> 8);
      s[2 * i + 1] = (char) w[first + i];
    }
  return g_strchomp (s);
}

START_TEST (test_pci_identity)
{
  ItBoard *b = vdi_board ();
  ck_assert_uint_eq (it_pci_read (b, 0x00, 4), 0x70108086);
  ck_assert_uint_eq (it_pci_read (b, 0x08, 4) >> 8, 0x010180);
  ck_assert_uint_eq (it_pci_read (b, 0x3d, 1), 0); /* legacy IRQs, no INTx pin */
  /* BAR4 sizing: 16 bytes of I/O. */
  it_pci_write (b, 0x20, 0xffffffff, 4);
  ck_assert_uint_eq (it_pci_read (b, 0x20, 4), 0xfffffff1);
  it_pci_write (b, 0x20, IT_BM_BASE | 1, 4);
  ck_assert_uint_eq (it_pci_read (b, 0x20, 4), IT_BM_BASE | 1);
  /* IDE timing registers: decode enabled, writable. */
  ck_assert_uint_eq (it_pci_read (b, 0x40, 2), 0x8000);
  ck_assert_uint_eq (it_pci_read (b, 0x42, 2), 0x8000);
  it_pci_write (b, 0x40, 0xa307, 2);
  ck_assert_uint_eq (it_pci_read (b, 0x40, 2), 0xa307);
  it_board_free (b);
}
END_TEST

START_TEST (test_identify)
{
  ItBoard *b = vdi_board ();
  /* Power-on signature of an ATA device. */
  ck_assert_uint_eq (it_inb (b, 0x1f2), 1);
  ck_assert_uint_eq (it_inb (b, 0x1f3), 1);
  ck_assert_uint_eq (it_inb (b, 0x1f4), 0);
  ck_assert_uint_eq (it_inb (b, 0x1f5), 0);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);

  guint16 w[256];
  it_command28 (b, 0, 0, 0, 0, 0xec);
  it_wait (b);
  ck_assert (it_irq (b, 0));
  identify_words (b, w);
  ck_assert_uint_eq (it_altstatus (b, 0), ST_DRDY | ST_DSC);
  ck_assert_uint_eq (w[0], 0x0040);
  ck_assert_uint_eq (w[1], DISK_SECTORS / (16 * 63));
  ck_assert_uint_eq (w[3], 16);
  ck_assert_uint_eq (w[6], 63);
  g_autofree char *model = ata_string (w, 27, 20);
  g_autofree char *serial = ata_string (w, 10, 10);
  g_autofree char *fw = ata_string (w, 23, 4);
  ck_assert_str_eq (model, "BOXWOOD HARDDISK");
  ck_assert (g_str_has_prefix (serial, "BW") && strlen (serial) == 19);
  ck_assert_str_eq (fw, "1.0");
  ck_assert_uint_eq (w[47] & 0xff, 16);
  ck_assert (w[49] & (1 << 9));                   /* LBA */
  ck_assert (w[49] & (1 << 8));                   /* DMA */
  ck_assert_uint_eq (w[60] | (guint32) w[61] << 16, DISK_SECTORS);
  ck_assert_uint_eq (w[63] & 0x07, 0x07);         /* multiword DMA 0-2 */
  ck_assert_uint_eq (w[88] & 0x3f, 0x3f);         /* UDMA 0-5 */
  ck_assert (w[83] & (1 << 10));                  /* LBA48 */
  ck_assert (w[83] & (1 << 12));                  /* FLUSH CACHE */
  guint64 cap48 = 0;
  for (guint i = 0; i < 4; i++)
    cap48 |= (guint64) w[100 + i] << (16 * i);
  ck_assert_uint_eq (cap48, DISK_SECTORS);
  /* Integrity word: signature and checksum. */
  ck_assert_uint_eq (w[255] & 0xff, 0xa5);
  guint8 sum = 0;
  for (guint i = 0; i < 256; i++)
    sum += (guint8) (w[i] + (w[i] >> 8));
  ck_assert_uint_eq (sum, 0);

  /* The absent slave reads 0 and ignores commands. */
  it_outb (b, 0x1f6, 0xb0);
  ck_assert_uint_eq (it_status (b, 0), 0);
  it_outb (b, 0x1f7, 0xec);
  ck_assert_uint_eq (it_status (b, 0), 0);
  ck_assert (!it_irq (b, 0));
  it_board_free (b);
}
END_TEST

static void
read_sectors (ItBoard *b, guint32 lba, guint count, guint8 cmd, guint block, guint8 *out)
{
  it_command28 (b, 0, 0, lba, (guint8) count, cmd);
  for (guint done = 0; done < count; done += block)
    {
      guint n = MIN (block, count - done);
      ck_assert_uint_eq (it_altstatus (b, 0), ST_DRDY | ST_DSC | ST_DRQ);
      ck_assert (it_irq (b, 0));
      ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_DRQ);
      ck_assert (!it_irq (b, 0)); /* the status read cleared it */
      it_read_data (b, 0, out + done * 512, n * 512);
    }
  ck_assert_uint_eq (it_altstatus (b, 0), ST_DRDY | ST_DSC);
}

static void
write_sectors (ItBoard *b, guint32 lba, guint count, guint8 cmd, guint block, const guint8 *in)
{
  it_command28 (b, 0, 0, lba, (guint8) count, cmd);
  for (guint done = 0; done < count; done += block)
    {
      guint n = MIN (block, count - done);
      ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_DRQ);
      it_write_data (b, 0, in + done * 512, n * 512);
      it_wait (b);
      ck_assert (it_irq (b, 0)); /* after each block */
    }
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
}

START_TEST (test_pio_read_write)
{
  g_autofree char *path = it_make_disk ("disk.vdi", BW_DISK_FORMAT_VDI, DISK_SECTORS * 512ull, 2048);
  ItBoard *b = disk_board (path, NULL, FALSE);
  guint8 buf[8 * 512];

  read_sectors (b, 5, 8, 0x20, 1, buf);
  for (guint i = 0; i < 8; i++)
    ck_assert_msg (it_sector_ok (buf + i * 512, 5 + i, 512), "sector %u", 5 + i);
  /* The registers name the last sector read. */
  ck_assert_uint_eq (it_inb (b, 0x1f3), 12);

  guint8 data[3 * 512];
  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 13 + 5);
  write_sectors (b, 100000, 3, 0x30, 1, data);
  memset (buf, 0, sizeof buf);
  read_sectors (b, 100000, 3, 0x20, 1, buf);
  ck_assert (memcmp (buf, data, sizeof data) == 0);
  it_board_free (b); /* flushes */

  /* The image itself holds the data. */
  BwDisk *disk = bw_disk_open (path, BW_DISK_OPEN_READ_ONLY, NULL);
  ck_assert_ptr_nonnull (disk);
  memset (buf, 0, sizeof buf);
  ck_assert (bw_disk_read (disk, 100000ull * 512, buf, sizeof data, NULL));
  ck_assert (memcmp (buf, data, sizeof data) == 0);
  bw_disk_unref (disk);
}
END_TEST

START_TEST (test_multiple)
{
  ItBoard *b = vdi_board ();
  guint8 buf[10 * 512];

  /* Without SET MULTIPLE the multiple commands are refused. */
  it_command28 (b, 0, 0, 0, 4, 0xc4);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_ERR);
  ck_assert_uint_eq (it_inb (b, 0x1f1), ER_ABRT);
  /* A block size that is not a power of two is refused. */
  it_command28 (b, 0, 0, 0, 3, 0xc6);
  ck_assert_uint_eq (it_status (b, 0) & ST_ERR, ST_ERR);
  it_command28 (b, 0, 0, 0, 4, 0xc6);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  guint16 w[256];
  identify_words (b, w);
  ck_assert_uint_eq (w[59], 0x0104);

  read_sectors (b, 40, 10, 0xc4, 4, buf); /* blocks of 4, 4, 2 */
  for (guint i = 0; i < 10; i++)
    ck_assert (it_sector_ok (buf + i * 512, 40 + i, 512));

  for (guint i = 0; i < 10; i++)
    it_fill_sector (buf + i * 512, 9000 + i, 512);
  write_sectors (b, 3000, 10, 0xc5, 4, buf);
  guint8 back[10 * 512];
  read_sectors (b, 3000, 10, 0x20, 1, back);
  ck_assert (memcmp (back, buf, sizeof buf) == 0);
  it_board_free (b);
}
END_TEST

START_TEST (test_lba48_large)
{
  /* 200 GiB, sparse: LBA48 addresses beyond 128 GiB (2^28 sectors). */
  guint64 sectors = 200ull << 21;
  g_autofree char *path = it_make_disk ("big.raw", BW_DISK_FORMAT_RAW, sectors * 512, 0);
  ItBoard *b = disk_board (path, NULL, FALSE);
  guint16 w[256];
  identify_words (b, w);
  ck_assert_uint_eq (w[60] | (guint32) w[61] << 16, 0x0fffffff);
  guint64 cap48 = 0;
  for (guint i = 0; i < 4; i++)
    cap48 |= (guint64) w[100 + i] << (16 * i);
  ck_assert_uint_eq (cap48, sectors);

  guint64 lba = (1ull << 28) + 0x123456;
  guint8 data[2 * 512], back[2 * 512];
  it_fill_sector (data, lba, 512);
  it_fill_sector (data + 512, lba + 1, 512);
  it_command48 (b, 0, 0, lba, 2, 0x34); /* WRITE SECTORS EXT */
  for (guint i = 0; i < 2; i++)
    {
      ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_DRQ);
      it_write_data (b, 0, data + i * 512, 512);
    }
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);

  it_command48 (b, 0, 0, lba, 2, 0x24); /* READ SECTORS EXT */
  for (guint i = 0; i < 2; i++)
    {
      ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_DRQ);
      it_read_data (b, 0, back + i * 512, 512);
    }
  ck_assert (memcmp (data, back, sizeof data) == 0);
  /* The registers hold the last sector; HOB reads the high bytes. */
  guint64 last = lba + 1;
  ck_assert_uint_eq (it_inb (b, 0x1f3), (guint8) last);
  ck_assert_uint_eq (it_inb (b, 0x1f5), (guint8) (last >> 16));
  it_outb (b, 0x3f6, 0x80);
  ck_assert_uint_eq (it_inb (b, 0x1f3), (guint8) (last >> 24));
  ck_assert_uint_eq (it_inb (b, 0x1f4), (guint8) (last >> 32));
  it_outb (b, 0x3f6, 0x00);

  /* One past the end. */
  it_command48 (b, 0, 0, sectors, 1, 0x24);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_ERR);
  ck_assert_uint_eq (it_inb (b, 0x1f1), ER_IDNF);
  it_board_free (b);

  BwDiskInfo info;
  ck_assert (bw_disk_query_info (path, &info, NULL));
  ck_assert_uint_lt (info.allocated_size, 64ull << 20); /* still sparse */
}
END_TEST

START_TEST (test_errors)
{
  ItBoard *b = vdi_board ();
  /* Beyond the end: ERR with IDNF, and an interrupt. */
  it_command28 (b, 0, 0, DISK_SECTORS - 1, 2, 0x20);
  it_wait (b);
  ck_assert (it_irq (b, 0));
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_ERR);
  ck_assert_uint_eq (it_inb (b, 0x1f1), ER_IDNF);
  it_command28 (b, 0, 0, DISK_SECTORS, 1, 0xc8); /* READ DMA */
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_ERR);
  ck_assert_uint_eq (it_inb (b, 0x1f1), ER_IDNF);
  /* The last sector itself is fine. */
  guint8 buf[512];
  read_sectors (b, DISK_SECTORS - 1, 1, 0x20, 1, buf);
  /* Unknown commands, NOP and the packet commands abort. */
  static const guint8 bad[] = { 0x5c, 0x00, 0xa0, 0xa1, 0x08, 0xb0 };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      it_command28 (b, 0, 0, 0, 1, bad[i]);
      ck_assert_msg (it_status (b, 0) == (ST_DRDY | ST_DSC | ST_ERR), "command %02x", bad[i]);
      ck_assert_uint_eq (it_inb (b, 0x1f1), ER_ABRT);
    }
  /* A command that works clears the error. */
  it_command28 (b, 0, 0, 0, 0, 0xe7);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  ck_assert_uint_eq (it_inb (b, 0x1f1), 0);
  it_board_free (b);
}
END_TEST

static gboolean
log_contains (ItBoard *b, const char *text)
{
  g_autofree char *log = bw_log_dup_contents (bw_platform_get_log (b->platform));
  return strstr (log, text) != NULL;
}

START_TEST (test_read_only_image)
{
  g_autofree char *path = it_make_disk ("ro.vdi", BW_DISK_FORMAT_VDI, DISK_SECTORS * 512ull, 64);
  ItBoard *b = disk_board (path, "devices/ide/primary/master/read-only", TRUE);
  guint8 buf[512];
  memset (buf, 0xee, sizeof buf);
  it_command28 (b, 0, 0, 3, 1, 0x30);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_ERR);
  ck_assert_uint_eq (it_inb (b, 0x1f1), ER_ABRT);
  it_command28 (b, 0, 0, 3, 1, 0xca); /* WRITE DMA */
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_ERR);
  ck_assert (log_contains (b, "read-only"));
  /* Reading still works and nothing changed. */
  read_sectors (b, 3, 1, 0x20, 1, buf);
  ck_assert (it_sector_ok (buf, 3, 512));
  it_board_free (b);
}
END_TEST

/* A write the host refuses (the file may not grow: EFBIG, as ENOSPC
 * would) is reported, and nothing already on the disk is lost. */
START_TEST (test_host_write_error)
{
  g_autofree char *path = it_make_disk ("full.vdi", BW_DISK_FORMAT_VDI, DISK_SECTORS * 512ull, 64);
  ItBoard *b = disk_board (path, NULL, FALSE);
  GStatBuf st;
  ck_assert (g_stat (path, &st) == 0);
  signal (SIGXFSZ, SIG_IGN);
  struct rlimit rl = { .rlim_cur = (rlim_t) st.st_size + 4096, .rlim_max = RLIM_INFINITY };
  ck_assert (setrlimit (RLIMIT_FSIZE, &rl) == 0);

  guint8 data[512];
  memset (data, 0x5a, sizeof data);
  it_command28 (b, 0, 0, 50000, 1, 0x30); /* an unallocated block: the file must grow */
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_DRQ);
  it_write_data (b, 0, data, 512);
  it_wait (b);
  ck_assert (it_irq (b, 0));
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_ERR);
  ck_assert_uint_eq (it_inb (b, 0x1f1), ER_ABRT);
  /* The registers point at the sector that was not written. */
  ck_assert_uint_eq (it_inb (b, 0x1f3), (guint8) 50000);
  ck_assert_uint_eq (it_inb (b, 0x1f4), (guint8) (50000 >> 8));
  ck_assert (log_contains (b, "write failed"));

  /* An allocated block can still be written, and old data is intact. */
  write_sectors (b, 10, 1, 0x30, 1, data);
  guint8 buf[512];
  read_sectors (b, 11, 1, 0x20, 1, buf);
  ck_assert (it_sector_ok (buf, 11, 512));
  read_sectors (b, 10, 1, 0x20, 1, buf);
  ck_assert (memcmp (buf, data, 512) == 0);
  it_board_free (b);
}
END_TEST

/* The image fails under the drive (the file was cut short): a read ends
 * with ERR and UNC at the sector that failed, by PIO and by DMA. */
START_TEST (test_read_error)
{
  g_autofree char *path = it_make_disk ("cut.raw", BW_DISK_FORMAT_RAW, 1u << 20, 64);
  ItBoard *b = disk_board (path, NULL, FALSE);
  ck_assert (truncate (path, 16 * 512) == 0);
  guint8 buf[512];
  read_sectors (b, 3, 1, 0x20, 1, buf);
  ck_assert (it_sector_ok (buf, 3, 512));
  it_command28 (b, 0, 0, 100, 2, 0x20);
  it_wait (b);
  ck_assert (it_irq (b, 0));
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_ERR);
  ck_assert_uint_eq (it_inb (b, 0x1f1), 0x40); /* UNC */
  ck_assert_uint_eq (it_inb (b, 0x1f3), 100);
  ck_assert (log_contains (b, "read failed"));

  it_outb (b, IT_BM_BASE + 2, 0x06);
  it_prd (b, 0x1000, 0, 0x10000, 1024, TRUE);
  it_command28 (b, 0, 0, 200, 2, 0xc8);
  it_outb (b, IT_BM_BASE, 0x09);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_ERR);
  ck_assert_uint_eq (it_inb (b, 0x1f1), 0x40);
  ck_assert_uint_eq (it_inb (b, IT_BM_BASE + 2) & 0x07, 0x04); /* interrupt, not active */
  it_board_free (b);
}
END_TEST

START_TEST (test_chs)
{
  ItBoard *b = vdi_board ();
  /* INITIALIZE DEVICE PARAMETERS: 16 heads, 63 sectors per track. */
  it_outb (b, 0x1f6, 0xa0 | 15);
  it_outb (b, 0x1f2, 63);
  it_outb (b, 0x1f7, 0x91);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  /* Cylinder 1, head 2, sector 3: LBA (1 * 16 + 2) * 63 + 2. */
  it_outb (b, 0x1f6, 0xa0 | 2);
  it_outb (b, 0x1f2, 1);
  it_outb (b, 0x1f3, 3);
  it_outb (b, 0x1f4, 1);
  it_outb (b, 0x1f5, 0);
  it_outb (b, 0x1f7, 0x20);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_DRQ);
  guint8 buf[512];
  it_read_data (b, 0, buf, 512);
  ck_assert (it_sector_ok (buf, (1 * 16 + 2) * 63 + 2, 512));
  /* Sector 0 does not exist in CHS. */
  it_outb (b, 0x1f3, 0);
  it_outb (b, 0x1f7, 0x20);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_ERR);
  ck_assert_uint_eq (it_inb (b, 0x1f1), ER_IDNF);
  it_board_free (b);
}
END_TEST

START_TEST (test_features_power_flush)
{
  ItBoard *b = vdi_board ();
  guint16 w[256];
  /* SET FEATURES: transfer mode multiword DMA 2, then UDMA 5. */
  it_outb (b, 0x1f1, 0x03);
  it_command28 (b, 0, 0, 0, 0x22, 0xef);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  identify_words (b, w);
  ck_assert_uint_eq (w[63], 0x0407);
  ck_assert_uint_eq (w[88], 0x003f);
  it_outb (b, 0x1f1, 0x03);
  it_command28 (b, 0, 0, 0, 0x45, 0xef);
  identify_words (b, w);
  ck_assert_uint_eq (w[63], 0x0007);
  ck_assert_uint_eq (w[88], 0x203f);
  it_outb (b, 0x1f1, 0x03);
  it_command28 (b, 0, 0, 0, 0x50, 0xef); /* no such mode */
  ck_assert_uint_eq (it_status (b, 0) & ST_ERR, ST_ERR);
  /* Write cache off shows in word 85. */
  it_outb (b, 0x1f1, 0x82);
  it_command28 (b, 0, 0, 0, 0, 0xef);
  identify_words (b, w);
  ck_assert (!(w[85] & (1 << 5)));
  it_outb (b, 0x1f1, 0x77); /* unknown feature */
  it_command28 (b, 0, 0, 0, 0, 0xef);
  ck_assert_uint_eq (it_inb (b, 0x1f1), ER_ABRT);

  /* Power: standby, check, idle, check. */
  it_command28 (b, 0, 0, 0, 0, 0xe0);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  it_command28 (b, 0, 0, 0, 0x55, 0xe5);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  ck_assert_uint_eq (it_inb (b, 0x1f2), 0x00);
  it_command28 (b, 0, 0, 0, 0, 0xe1);
  it_command28 (b, 0, 0, 0, 0x55, 0xe5);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  ck_assert_uint_eq (it_inb (b, 0x1f2), 0xff);

  /* FLUSH CACHE after a write, and its EXT form. */
  guint8 data[512] = { 1, 2, 3 };
  write_sectors (b, 7, 1, 0x30, 1, data);
  it_command28 (b, 0, 0, 0, 0, 0xe7);
  it_wait (b);
  ck_assert (it_irq (b, 0));
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  it_command28 (b, 0, 0, 0, 0, 0xea);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  /* READ VERIFY reads without a data phase. */
  it_command28 (b, 0, 0, 10, 200, 0x40);
  it_wait (b);
  ck_assert (it_irq (b, 0));
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  it_command28 (b, 0, 0, DISK_SECTORS - 10, 20, 0x40);
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC | ST_ERR);
  ck_assert_uint_eq (it_inb (b, 0x1f1), ER_IDNF);
  it_board_free (b);
}
END_TEST

START_TEST (test_srst_nien_diagnostic)
{
  ItBoard *b = vdi_board ();
  guint8 half[256];

  /* nIEN: the drive interrupts but the line stays low. */
  it_outb (b, 0x3f6, 0x02);
  it_command28 (b, 0, 0, 0, 0, 0xec);
  it_wait (b);
  ck_assert (!it_irq (b, 0));
  ck_assert_uint_eq (it_altstatus (b, 0), ST_DRDY | ST_DSC | ST_DRQ);
  it_outb (b, 0x3f6, 0x00);
  ck_assert (it_irq (b, 0)); /* still pending */

  /* SRST in the middle of a PIO read. */
  it_command28 (b, 0, 0, 20, 2, 0x20);
  it_wait (b);
  it_read_data (b, 0, half, sizeof half);
  it_outb (b, 0x3f6, 0x04);
  ck_assert_uint_eq (it_altstatus (b, 0), ST_BSY);
  it_outb (b, 0x3f6, 0x00);
  ck_assert_uint_eq (it_altstatus (b, 0), ST_DRDY | ST_DSC);
  ck_assert (!it_irq (b, 0));
  ck_assert_uint_eq (it_inb (b, 0x1f1), 0x01); /* diagnostic code */
  ck_assert_uint_eq (it_inb (b, 0x1f2), 1);
  ck_assert_uint_eq (it_inb (b, 0x1f3), 1);
  ck_assert_uint_eq (it_inb (b, 0x1f4), 0);
  ck_assert_uint_eq (it_inb (b, 0x1f5), 0);
  ck_assert_uint_eq (it_in (b, 0x1f0, 2), 0); /* no data phase any more */
  /* The drive works afterwards. */
  guint8 buf[512];
  read_sectors (b, 21, 1, 0x20, 1, buf);
  ck_assert (it_sector_ok (buf, 21, 512));

  /* EXECUTE DEVICE DIAGNOSTIC. */
  it_outb (b, 0x1f2, 0x33);
  it_outb (b, 0x1f7, 0x90);
  it_wait (b);
  ck_assert (it_irq (b, 0));
  ck_assert_uint_eq (it_status (b, 0), ST_DRDY | ST_DSC);
  ck_assert_uint_eq (it_inb (b, 0x1f1), 0x01);
  ck_assert_uint_eq (it_inb (b, 0x1f2), 1);
  it_board_free (b);
}
END_TEST

START_TEST (test_sync_io)
{
  g_autofree char *path = it_make_disk ("s.vdi", BW_DISK_FORMAT_VDI, DISK_SECTORS * 512ull, 64);
  BwConfig *config = bw_config_new ();
  it_config_drive (config, "primary/master", "hdd", path);
  bw_config_set_string (config, "devices/ide/io", "sync");
  ItBoard *b = it_board_new (config);
  /* No waiting: the data is there when the command write returns. */
  it_command28 (b, 0, 0, 9, 1, 0x20);
  ck_assert_uint_eq (it_inb (b, 0x3f6), ST_DRDY | ST_DSC | ST_DRQ);
  guint8 buf[512];
  for (guint i = 0; i < 512; i += 2)
    {
      guint16 w = (guint16) it_in (b, 0x1f0, 2);
      buf[i] = (guint8) w;
      buf[i + 1] = (guint8) (w >> 8);
    }
  ck_assert (it_sector_ok (buf, 9, 512));
  /* 32-bit data port reads. */
  it_command28 (b, 0, 0, 10, 1, 0x20);
  for (guint i = 0; i < 512; i += 4)
    {
      guint32 v = it_in (b, 0x1f0, 4);
      memcpy (buf + i, &v, 4);
    }
  ck_assert (it_sector_ok (buf, 10, 512));
  ck_assert_uint_eq (it_inb (b, 0x3f6), ST_DRDY | ST_DSC);
  it_board_free (b);
}
END_TEST

START_TEST (test_bad_config)
{
  BwConfig *config = bw_config_new ();
  it_config_drive (config, "primary/master", "floppy", "/nonexistent");
  BwPlatformOptions options = { .ram_size = 32u << 20, .clock_mode = BW_CLOCK_MANUAL,
                                .config = config };
  BwPlatform *p = bw_platform_new (&options, NULL);
  ck_assert (bw_chipset_add (p, NULL));
  ck_assert_ptr_nonnull (bw_platform_add_device (p, BW_IDE_CLASS, "ide", NULL, NULL));
  g_autoptr (GError) error = NULL;
  ck_assert (!bw_platform_realize (p, &error));
  ck_assert (strstr (error->message, "floppy") != NULL);
  bw_platform_free (p);
  bw_config_free (config);

  config = bw_config_new ();
  it_config_drive (config, "secondary/slave", "hdd", "/nonexistent/disk.vdi");
  options.config = config;
  p = bw_platform_new (&options, NULL);
  ck_assert (bw_chipset_add (p, NULL));
  ck_assert_ptr_nonnull (bw_platform_add_device (p, BW_IDE_CLASS, "ide", NULL, NULL));
  g_clear_error (&error);
  ck_assert (!bw_platform_realize (p, &error));
  ck_assert (strstr (error->message, "/nonexistent/disk.vdi") != NULL);
  bw_platform_free (p);
  bw_config_free (config);
}
END_TEST

/* Saved state: an idle controller passes the round-trip and truncation
 * check; one saved in the middle of a PIO read resumes in a new board. */
START_TEST (test_state)
{
  g_autofree char *path = it_make_disk ("st.vdi", BW_DISK_FORMAT_VDI, DISK_SECTORS * 512ull, 64);
  ItBoard *b = disk_board (path, NULL, FALSE);
  it_command28 (b, 0, 0, 0, 4, 0xc6);
  it_wait (b);
  g_autoptr (GError) error = NULL;
  ck_assert_msg (bw_vmstate_desc_validate (b->ide->klass->vmstate, &error), "%s",
                 error ? error->message : "");
  ck_assert_msg (bw_vmstate_check (b->ide->klass->vmstate, b->ide, NULL, &error), "%s",
                 error ? error->message : "");

  it_command28 (b, 0, 0, 30, 3, 0x20);
  guint8 first[512], rest[3 * 512];
  it_read_data (b, 0, first, 512);
  it_read_data (b, 0, rest, 100); /* part of the second sector */
  g_autoptr (GByteArray) saved = g_byte_array_new ();
  bw_platform_save_state (b->platform, saved);
  it_board_free (b); /* the image is locked while open for writing */

  ItBoard *c = disk_board (path, NULL, FALSE);
  ck_assert_msg (bw_platform_load_state (c->platform, saved->data, saved->len, &error), "%s",
                 error ? error->message : "");
  g_autoptr (GByteArray) again = g_byte_array_new ();
  bw_platform_save_state (c->platform, again);
  ck_assert_uint_eq (again->len, saved->len);
  ck_assert (memcmp (again->data, saved->data, saved->len) == 0);
  /* Cut streams are refused (a sample of lengths, the tail in full). */
  for (gsize len = 0; len < saved->len; len += len + 64 < saved->len ? 997 : 1)
    ck_assert (!bw_platform_load_state (c->platform, saved->data, len, NULL));
  ck_assert (bw_platform_load_state (c->platform, saved->data, saved->len, NULL));

  it_read_data (c, 0, rest + 100, 1024 - 100);
  ck_assert (it_sector_ok (first, 30, 512));
  ck_assert (it_sector_ok (rest, 31, 512));
  ck_assert_uint_eq (it_status (c, 0), ST_DRDY | ST_DSC | ST_DRQ);
  it_read_data (c, 0, rest + 1024, 512);
  ck_assert (it_sector_ok (rest + 1024, 32, 512));
  ck_assert_uint_eq (it_status (c, 0), ST_DRDY | ST_DSC);
  /* Multiple mode came along. */
  guint16 w[256];
  identify_words (c, w);
  ck_assert_uint_eq (w[59], 0x0104);
  it_board_free (c);
}
END_TEST

static Suite *
ide_ata_suite (void)
{
  Suite *s = suite_create ("ide-ata");
  TCase *tc = tcase_create ("ata");
  tcase_add_checked_fixture (tc, it_setup, it_teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_pci_identity);
  tcase_add_test (tc, test_identify);
  tcase_add_test (tc, test_pio_read_write);
  tcase_add_test (tc, test_multiple);
  tcase_add_test (tc, test_lba48_large);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_read_only_image);
  tcase_add_test (tc, test_host_write_error);
  tcase_add_test (tc, test_read_error);
  tcase_add_test (tc, test_chs);
  tcase_add_test (tc, test_features_power_flush);
  tcase_add_test (tc, test_srst_nien_diagnostic);
  tcase_add_test (tc, test_sync_io);
  tcase_add_test (tc, test_bad_config);
  tcase_add_test (tc, test_state);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (ide_ata_suite ());
}
