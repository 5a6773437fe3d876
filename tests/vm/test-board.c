/* test-board.c: the PC board assembled from a configuration tree: every
 * device at its ports, the BIOS at the reset vector and behind PAM,
 * what fw_cfg tells the firmware (signature, RAM, e820, option ROMs),
 * direct boot set-up, and the errors for bad configurations. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include "bw-test.h"
#include "devices/board/bw-pc-board.h"
#include "devices/chipset/bw-rtc.h"
#include "devices/ide/bw-ide.h"

static char *tmpdir;

static void
setup (void)
{
  tmpdir = g_dir_make_tmp ("bw-board-XXXXXX", NULL);
  ck_assert (tmpdir);
}

static void
teardown (void)
{
  g_autoptr (GDir) dir = g_dir_open (tmpdir, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *p = g_build_filename (tmpdir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (tmpdir);
  g_clear_pointer (&tmpdir, g_free);
}

static char *
write_file (const char *name, const void *data, gsize len)
{
  char *path = g_build_filename (tmpdir, name, NULL);
  ck_assert (g_file_set_contents (path, data, len, NULL));
  return path;
}

/* A 128 KiB "BIOS": 0xB0 everywhere, a far jump at the reset vector. */
static char *
write_bios (void)
{
  gsize len = 128 * 1024;
  g_autofree guint8 *b = g_malloc (len);
  memset (b, 0xb0, len);
  memcpy (b + len - 16, "\xea\x5b\xe0\x00\xf0" "BWTESTBIOS", 15);
  return write_file ("bios.bin", b, len);
}

static BwPlatform *
new_platform (guint ram_mb)
{
  BwPlatform *p = bw_platform_new_test (ram_mb);
  BwConfig *c = bw_platform_get_config (p);
  g_autofree char *bios = write_bios ();
  bw_config_set_string (c, "firmware/bios", bios);
  return p;
}

/* fw_cfg through its ports, as firmware reads it. */
static void
fw_select (BwPlatform *p, guint16 key)
{
  bw_io_bus_write (bw_platform_get_pio (p), 0x510, 2, key);
}

static void
fw_read (BwPlatform *p, void *buf, gsize len)
{
  for (gsize i = 0; i < len; i++)
    ((guint8 *) buf)[i] = (guint8) bw_io_bus_read (bw_platform_get_pio (p), 0x511, 1);
}

/* The selector of a file in the fw_cfg directory, 0 if absent. */
static guint16
fw_find (BwPlatform *p, const char *name, guint32 *size)
{
  fw_select (p, 0x19);
  guint8 count_be[4];
  fw_read (p, count_be, 4);
  guint32 count = GUINT32_FROM_BE (*(guint32 *) count_be);
  for (guint32 i = 0; i < count; i++)
    {
      guint8 e[64];
      fw_read (p, e, 64);
      if (strcmp ((char *) e + 8, name) == 0)
        {
          *size = GUINT32_FROM_BE (*(guint32 *) e);
          return GUINT16_FROM_BE (*(guint16 *) (e + 4));
        }
    }
  return 0;
}

/* CMOS RAM through ports 70h/71h, as firmware reads it. */
static guint8
cmos_read (BwPlatform *p, guint index)
{
  bw_io_bus_write (bw_platform_get_pio (p), 0x70, 1, index);
  return (guint8) bw_io_bus_read (bw_platform_get_pio (p), 0x71, 1);
}

START_TEST (test_devices_at_ports)
{
  g_autoptr (BwPlatform) p = new_platform (32);
  BwConfig *c = bw_platform_get_config (p);
  g_autofree char *serial = g_build_filename (tmpdir, "com2.txt", NULL);
  bw_config_set_string (c, "devices/serial1/class", "uart16550a");
  bw_config_set_int (c, "devices/serial1/index", 2);
  bw_config_set_string (c, "devices/serial1/mode", "file");
  bw_config_set_string (c, "devices/serial1/path", serial);
  g_autoptr (GError) error = NULL;
  g_autoptr (BwPcBoard) board = bw_pc_board_new (p, &error);
  ck_assert_msg (board, "%s", error ? error->message : "");

  const char *ids[] = { "i440fx", "piix3", "pic", "pit", "rtc", "port92", "debugcon",
                        "debuge9", "i8042", "fw_cfg", "serial1" };
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      BwDevice *dev = bw_platform_find_device (p, ids[i]);
      ck_assert_msg (dev && dev->realized, "device %s missing or not realized", ids[i]);
    }
  const guint16 ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x40, 0x43, 0x61, 0x70, 0x71,
                            0x92, 0x402, 0xe9, 0x60, 0x64, 0x510, 0x511, 0x2f8, 0x2ff, 0xcf8,
                            0xcfc };
  for (guint i = 0; i < G_N_ELEMENTS (ports); i++)
    ck_assert_msg (bw_io_bus_lookup (bw_platform_get_pio (p), ports[i], NULL, NULL, NULL),
                   "nothing at port 0x%x", ports[i]);
  /* COM1 was not configured. */
  ck_assert (!bw_io_bus_lookup (bw_platform_get_pio (p), 0x3f8, NULL, NULL, NULL));

  /* The host bridge answers on PCI 00:00.0 as an i440FX. */
  bw_io_bus_write (bw_platform_get_pio (p), 0xcf8, 4, 0x80000000);
  ck_assert_uint_eq (bw_io_bus_read (bw_platform_get_pio (p), 0xcfc, 4), 0x12378086);
  /* The i8042 self test. */
  bw_io_bus_write (bw_platform_get_pio (p), 0x64, 1, 0xaa);
  ck_assert_uint_eq (bw_io_bus_read (bw_platform_get_pio (p), 0x60, 1), 0x55);
  ck_assert_ptr_nonnull (strstr (bw_pc_board_describe_boot (board), "BIOS"));
  ck_assert_ptr_null (bw_pc_board_get_boot (board));
}
END_TEST

START_TEST (test_bios_at_reset_vector)
{
  g_autoptr (BwPlatform) p = new_platform (16);
  g_autoptr (GError) error = NULL;
  g_autoptr (BwPcBoard) board = bw_pc_board_new (p, &error);
  ck_assert_msg (board, "%s", error ? error->message : "");
  BwMemory *mem = bw_platform_get_memory (p);
  guint8 top[16], isa[16];
  ck_assert (bw_memory_read (mem, 0xfffffff0, top, 16));
  ck_assert_mem_eq (top, "\xea\x5b\xe0\x00\xf0" "BWTESTBIOS", 15);
  /* The same bytes at F000:FFF0 while PAM sends reads to the PCI side. */
  ck_assert (bw_memory_read (mem, 0xffff0, isa, 16));
  ck_assert_mem_eq (isa, top, 16);
  guint8 b;
  ck_assert (bw_memory_read (mem, 0xe0000, &b, 1));
  ck_assert_uint_eq (b, 0xb0);
}
END_TEST

START_TEST (test_fw_cfg_contents)
{
  g_autoptr (BwPlatform) p = new_platform (48);
  /* An option ROM for SeaBIOS. */
  guint8 rom[512] = { 0x55, 0xaa, 1, 0xcb };
  g_autofree char *rom_path = write_file ("test.rom", rom, sizeof rom);
  bw_config_set_string (bw_platform_get_config (p), "firmware/option-roms/r0/path", rom_path);
  g_autoptr (GError) error = NULL;
  g_autoptr (BwPcBoard) board = bw_pc_board_new (p, &error);
  ck_assert_msg (board, "%s", error ? error->message : "");

  char sig[4];
  fw_select (p, 0x00);
  fw_read (p, sig, 4);
  ck_assert_mem_eq (sig, "QEMU", 4);
  guint64 ram = 0;
  fw_select (p, 0x03);
  fw_read (p, &ram, 8);
  ck_assert_uint_eq (GUINT64_FROM_LE (ram), 48u << 20);

  guint32 size = 0;
  guint16 sel = fw_find (p, "etc/e820", &size);
  ck_assert_uint_ne (sel, 0);
  ck_assert_uint_ge (size, 20);
  fw_select (p, sel);
  guint8 e[20];
  fw_read (p, e, 20);
  ck_assert_uint_eq (GUINT64_FROM_LE (*(guint64 *) e), 0);
  ck_assert_uint_eq (GUINT64_FROM_LE (*(guint64 *) (e + 8)), 48u << 20);
  ck_assert_uint_eq (GUINT32_FROM_LE (*(guint32 *) (e + 16)), 1);

  sel = fw_find (p, "genroms/test.rom", &size);
  ck_assert_uint_ne (sel, 0);
  ck_assert_uint_eq (size, 512);
  guint8 back[4];
  fw_select (p, sel);
  fw_read (p, back, 4);
  ck_assert_mem_eq (back, rom, 4);
}
END_TEST

START_TEST (test_bad_configs)
{
  struct
  {
    const char *key, *value, *needle;
  } bad[] = {
    { "firmware/type", "uefi", "Unknown firmware type" },
    { "firmware/bios", "/nonexistent/bios.bin", "does not exist" },
    { "boot/image", "/nonexistent/guest.bin", "Cannot read" },
    { "firmware/option-roms/r0/path", NULL, "not an option ROM" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (BwPlatform) p = new_platform (16);
      g_autofree char *junk = write_file ("junk.rom", "not a rom at all", 16);
      bw_config_set_string (bw_platform_get_config (p), bad[i].key,
                            bad[i].value ? bad[i].value : junk);
      g_autoptr (GError) error = NULL;
      g_autoptr (BwPcBoard) board = bw_pc_board_new (p, &error);
      ck_assert_msg (!board, "%s=%s accepted", bad[i].key, bad[i].value);
      ck_assert_msg (strstr (error->message, bad[i].needle), "%s", error->message);
    }
}
END_TEST

START_TEST (test_direct_boot_config)
{
  /* A Multiboot image through the configuration; no BIOS needed. */
  guint8 img[64] = { 0 };
  guint32 hdr[8] = { 0x1badb002, 0x00010000, (guint32) -(0x1badb002 + 0x00010000),
                     0x200000, 0x200000, 0x200000 + 64, 0x200000 + 64, 0x200020 };
  memcpy (img, hdr, sizeof hdr);
  g_autofree char *path = write_file ("guest.bin", img, sizeof img);
  g_autoptr (BwPlatform) p = bw_platform_new_test (16);
  BwConfig *c = bw_platform_get_config (p);
  bw_config_set_string (c, "firmware/type", "none");
  bw_config_set_string (c, "boot/image", path);
  bw_config_set_string (c, "boot/image-kind", "multiboot");
  g_autoptr (GError) error = NULL;
  g_autoptr (BwPcBoard) board = bw_pc_board_new (p, &error);
  ck_assert_msg (board, "%s", error ? error->message : "");
  const BwPcBoot *boot = bw_pc_board_get_boot (board);
  ck_assert (boot);
  ck_assert_uint_eq (boot->eip, 0x200020);
  ck_assert_ptr_nonnull (strstr (bw_pc_board_describe_boot (board), "Multiboot"));
  /* Written into RAM already (so a bad placement fails here, not later). */
  guint32 magic = 0;
  ck_assert (bw_memory_read (bw_platform_get_memory (p), 0x200000, &magic, 4));
  ck_assert_uint_eq (GUINT32_FROM_LE (magic), 0x1badb002);
  /* No BIOS was mapped: the reset vector reads all ones. */
  guint8 b = 0;
  bw_memory_read (bw_platform_get_memory (p), 0xfffffff0, &b, 1);
  ck_assert_uint_eq (b, 0xff);

  /* Kernel and image together are refused. */
  g_autoptr (BwPlatform) p2 = bw_platform_new_test (16);
  bw_config_set_string (bw_platform_get_config (p2), "boot/image", path);
  bw_config_set_string (bw_platform_get_config (p2), "boot/kernel", path);
  g_autoptr (GError) e2 = NULL;
  g_autoptr (BwPcBoard) b2 = bw_pc_board_new (p2, &e2);
  ck_assert (!b2);
  ck_assert_ptr_nonnull (strstr (e2->message, "choose one"));
}
END_TEST

START_TEST (test_seabios_default)
{
  g_autofree char *bios = g_build_filename (BW_SEABIOS_DIR, "bios.bin", NULL);
  g_autoptr (BwPlatform) p = bw_platform_new_test (16);
  g_autoptr (GError) error = NULL;
  g_autoptr (BwPcBoard) board = bw_pc_board_new (p, &error);
  if (!g_file_test (bios, G_FILE_TEST_EXISTS))
    {
      /* Without the package the error names it. */
      ck_assert (!board);
      ck_assert_ptr_nonnull (strstr (error->message, "seabios"));
      return;
    }
  ck_assert_msg (board, "%s", error ? error->message : "");
  g_autofree char *log = bw_log_dup_contents (bw_platform_get_log (p));
  ck_assert_ptr_nonnull (strstr (log, bios));
}
END_TEST

/* An IDE disk and CD drive and the VGA from the configuration: the disk's
 * geometry in the CMOS, the boot order as SeaBIOS names the drives. */
START_TEST (test_storage_and_display)
{
  g_autoptr (BwPlatform) p = new_platform (32);
  BwConfig *c = bw_platform_get_config (p);
  /* 16 MiB raw disk: 32 cylinders of 16 heads x 63 sectors, and a bit. */
  gsize disk_len = 16u << 20;
  g_autofree guint8 *zeros = g_malloc0 (disk_len);
  g_autofree char *disk = write_file ("disk.img", zeros, disk_len);
  bw_config_set_string (c, "devices/ide/class", BW_IDE_CLASS);
  bw_config_set_string (c, "devices/ide/primary/master/type", "hdd");
  bw_config_set_string (c, "devices/ide/primary/master/path", disk);
  bw_config_set_string (c, "devices/ide/secondary/slave/type", "cdrom");
  bw_config_set_string (c, "devices/vga/class", "vga");
  bw_config_set_int (c, "devices/vga/vram-mb", 8);
  bw_config_set_string (c, "boot/order", "dc");
  g_autoptr (GError) error = NULL;
  g_autoptr (BwPcBoard) board = bw_pc_board_new (p, &error);
  ck_assert_msg (board, "%s", error ? error->message : "");
  ck_assert_ptr_nonnull (bw_pc_board_get_ide (board));
  ck_assert_ptr_nonnull (bw_pc_board_get_vga (board));

  /* The IDE function and the VGA on PCI. */
  BwIoBus *pio = bw_platform_get_pio (p);
  bw_io_bus_write (pio, 0xcf8, 4, 0x80000900); /* 00:01.1 */
  ck_assert_uint_eq (bw_io_bus_read (pio, 0xcfc, 4), 0x70108086);
  gboolean vga_found = FALSE;
  for (guint slot = 2; slot < 32; slot++)
    {
      bw_io_bus_write (pio, 0xcf8, 4, 0x80000000 | slot << 11);
      if (bw_io_bus_read (pio, 0xcfc, 4) == 0x11111234)
        vga_found = TRUE;
    }
  ck_assert (vga_found);

  /* CD first, then the disk. */
  const char *expect = "/pci@i0cf8/*@1,1/drive@1/disk@1\n/pci@i0cf8/*@1,1/drive@0/disk@0\n";
  ck_assert_str_eq (bw_pc_board_get_bootorder (board), expect);
  guint32 size = 0;
  guint16 sel = fw_find (p, "bootorder", &size);
  ck_assert_uint_ne (sel, 0);
  ck_assert_uint_eq (size, strlen (expect) + 1);
  g_autofree char *text = g_malloc0 (size);
  fw_select (p, sel);
  fw_read (p, text, size);
  ck_assert_str_eq (text, expect);

  /* Drive 0 is type 47 with 32 cylinders, 16 heads, 63 sectors. */
  ck_assert_uint_eq (cmos_read (p, BW_CMOS_DISK_TYPES), 0xf0);
  ck_assert_uint_eq (cmos_read (p, BW_CMOS_DISK0_TYPE), 47);
  ck_assert_uint_eq (cmos_read (p, BW_CMOS_DISK0_GEOMETRY), 32);
  ck_assert_uint_eq (cmos_read (p, BW_CMOS_DISK0_GEOMETRY + 2), 16);
  ck_assert_uint_eq (cmos_read (p, BW_CMOS_DISK0_GEOMETRY + 8), 63);
  guint sum = 0;
  for (guint i = 0x10; i < BW_CMOS_CHECKSUM; i++)
    sum += cmos_read (p, i);
  ck_assert_uint_eq (cmos_read (p, BW_CMOS_CHECKSUM), (sum >> 8) & 0xff);
  ck_assert_uint_eq (cmos_read (p, BW_CMOS_CHECKSUM + 1), sum & 0xff);
  /* The memory fields survive the refill. */
  ck_assert_uint_eq (cmos_read (p, BW_CMOS_BASE_MEM), 640 & 0xff);
}
END_TEST

/* The activity counters behind the VM window's disk and CD lights: a
 * READ SECTORS and a WRITE SECTORS through the ports count 512 bytes
 * each, on the drive that ran them only. */
START_TEST (test_ide_activity)
{
  g_autoptr (BwPlatform) p = new_platform (32);
  BwConfig *c = bw_platform_get_config (p);
  gsize disk_len = 1u << 20;
  g_autofree guint8 *zeros = g_malloc0 (disk_len);
  g_autofree char *disk = write_file ("disk.img", zeros, disk_len);
  bw_config_set_string (c, "devices/ide/class", BW_IDE_CLASS);
  bw_config_set_string (c, "devices/ide/io", "sync");
  bw_config_set_string (c, "devices/ide/primary/master/type", "hdd");
  bw_config_set_string (c, "devices/ide/primary/master/path", disk);
  bw_config_set_string (c, "devices/ide/secondary/master/type", "cdrom");
  g_autoptr (GError) error = NULL;
  g_autoptr (BwPcBoard) board = bw_pc_board_new (p, &error);
  ck_assert_msg (board, "%s", error ? error->message : "");
  BwDevice *ide = bw_pc_board_get_ide (board);
  BwIoBus *pio = bw_platform_get_pio (p);
  guint64 r = 1, w = 1;

  ck_assert (bw_ide_get_activity (ide, 0, 0, &r, &w));
  ck_assert_uint_eq (r, 0);
  ck_assert_uint_eq (w, 0);
  ck_assert (!bw_ide_get_activity (ide, 0, 1, &r, &w)); /* no drive there */
  ck_assert_uint_eq (r, 0);

  /* READ SECTORS, LBA 3, one sector. */
  bw_io_bus_write (pio, 0x1f6, 1, 0xe0);
  bw_io_bus_write (pio, 0x1f2, 1, 1);
  bw_io_bus_write (pio, 0x1f3, 1, 3);
  bw_io_bus_write (pio, 0x1f4, 1, 0);
  bw_io_bus_write (pio, 0x1f5, 1, 0);
  bw_io_bus_write (pio, 0x1f7, 1, 0x20);
  bw_ide_wait_idle (ide);
  ck_assert_uint_eq (bw_io_bus_read (pio, 0x1f7, 1) & 0x89, 0x08); /* DRQ, no BSY/ERR */
  for (guint i = 0; i < 256; i++)
    bw_io_bus_read (pio, 0x1f0, 2);
  ck_assert (bw_ide_get_activity (ide, 0, 0, &r, &w));
  ck_assert_uint_eq (r, 512);
  ck_assert_uint_eq (w, 0);

  /* WRITE SECTORS, LBA 4, one sector. */
  bw_io_bus_write (pio, 0x1f6, 1, 0xe0);
  bw_io_bus_write (pio, 0x1f2, 1, 1);
  bw_io_bus_write (pio, 0x1f3, 1, 4);
  bw_io_bus_write (pio, 0x1f7, 1, 0x30);
  bw_ide_wait_idle (ide);
  for (guint i = 0; i < 256; i++)
    bw_io_bus_write (pio, 0x1f0, 2, 0xabcd);
  bw_ide_wait_idle (ide);
  ck_assert_uint_eq (bw_io_bus_read (pio, 0x1f7, 1) & 0x81, 0);
  ck_assert (bw_ide_get_activity (ide, 0, 0, &r, &w));
  ck_assert_uint_eq (r, 512);
  ck_assert_uint_eq (w, 512);

  /* The CD drive saw nothing. */
  ck_assert (bw_ide_get_activity (ide, 1, 0, &r, &w));
  ck_assert_uint_eq (r + w, 0);
}
END_TEST

/* Each byte the i8042 loads is a new IRQ 1 edge through the 8259, so a
 * driver that reads one byte per interrupt sees every byte. */
START_TEST (test_keyboard_irq_per_byte)
{
  g_autoptr (BwPlatform) p = new_platform (16);
  g_autoptr (GError) error = NULL;
  g_autoptr (BwPcBoard) board = bw_pc_board_new (p, &error);
  ck_assert_msg (board, "%s", error ? error->message : "");
  BwIoBus *pio = bw_platform_get_pio (p);
  BwIrqRouter *router = bw_platform_get_irq_router (p);
  /* Master PIC: edge triggered, vectors 08-0F, nothing masked. */
  const guint8 icw[][2] = { { 0x20, 0x11 }, { 0x21, 0x08 }, { 0x21, 0x04 }, { 0x21, 0x01 },
                            { 0x21, 0x00 } };
  for (guint i = 0; i < G_N_ELEMENTS (icw); i++)
    bw_io_bus_write (pio, icw[i][0], 1, icw[i][1]);
  /* Keyboard interrupts on, translation to set 1. */
  bw_io_bus_write (pio, 0x64, 1, 0x60);
  bw_io_bus_write (pio, 0x60, 1, 0x45);
  const guint8 a_press_release[] = { 0x1c, 0xf0, 0x1c };
  bw_pc_board_put_scancodes (board, a_press_release, sizeof a_press_release);

  const guint8 expect[] = { 0x1e, 0x9e };
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      ck_assert_uint_eq (bw_irq_router_acknowledge (router), 0x09);
      ck_assert_uint_eq (bw_io_bus_read (pio, 0x60, 1), expect[i]);
      bw_io_bus_write (pio, 0x20, 1, 0x20); /* EOI */
    }
  /* Nothing more: IRQ 1 is low and the buffer empty. */
  ck_assert_uint_eq (bw_io_bus_read (pio, 0x64, 1) & 1, 0);
  bw_io_bus_write (pio, 0x20, 1, 0x0a); /* read IRR */
  ck_assert_uint_eq (bw_io_bus_read (pio, 0x20, 1) & 0x02, 0);
}
END_TEST

START_TEST (test_set1_to_set2)
{
  /* A make/break, an extended key and the Pause sequence. */
  const guint8 in[] = { 0x1e, 0x9e, 0xe0, 0x48, 0xe0, 0xc8, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5 };
  const guint8 want[] = { 0x1c, 0xf0, 0x1c, 0xe0, 0x75, 0xe0, 0xf0, 0x75,
                          0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) out = bw_pc_board_set1_to_set2 (in, sizeof in, &error);
  ck_assert_msg (out, "%s", error ? error->message : "");
  ck_assert_uint_eq (out->len, sizeof want);
  ck_assert_mem_eq (out->data, want, sizeof want);
  /* F7 is the one set-2 key code above 7F. */
  const guint8 f7[] = { 0x41 };
  g_autoptr (GByteArray) f7_out = bw_pc_board_set1_to_set2 (f7, 1, NULL);
  ck_assert_uint_eq (f7_out->data[0], 0x83);
  const guint8 bad[] = { 0x00 }; /* no key has set-1 code 00 */
  g_autoptr (GError) e2 = NULL;
  ck_assert (!bw_pc_board_set1_to_set2 (bad, 1, &e2));
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("board");
  TCase *tc = tcase_create ("board");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_devices_at_ports);
  tcase_add_test (tc, test_bios_at_reset_vector);
  tcase_add_test (tc, test_fw_cfg_contents);
  tcase_add_test (tc, test_bad_configs);
  tcase_add_test (tc, test_direct_boot_config);
  tcase_add_test (tc, test_seabios_default);
  tcase_add_test (tc, test_set1_to_set2);
  tcase_add_test (tc, test_storage_and_display);
  tcase_add_test (tc, test_ide_activity);
  tcase_add_test (tc, test_keyboard_irq_per_byte);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
