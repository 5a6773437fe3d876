/* test-fw-cfg.c: fw_cfg through its ports and its DMA interface, with
 * guest memory of a test platform. */
#include "config.h"

#include "periph-test.h"
#include "devices/peripherals/bw-fw-cfg.h"

static BwPlatform *p;
static BwDevice *fw;
static BwMemory *mem;

static void
setup_with (gint64 cpus, const char *bootorder, gboolean menu)
{
  p = bw_platform_new_test (64);
  mem = bw_platform_get_memory (p);
  BwConfig *root = bw_platform_get_config (p);
  bw_config_set_int (root, "cpus", cpus);
  bw_config_set_string (root, "uuid", "01234567-89ab-cdef-0011-223344556677");
  BwConfig *node = bw_config_ensure_child (root, "devices/fw-cfg");
  if (bootorder)
    bw_config_set_string (node, "bootorder", bootorder);
  if (menu)
    {
      bw_config_set_bool (node, "boot-menu", TRUE);
      bw_config_set_int (node, "boot-menu-wait", 2500);
      bw_config_set_int (node, "boot-fail-wait", 5000);
    }
  fw = add_device (p, BW_FW_CFG_CLASS, "fw-cfg", node);
}

static void
setup (void)
{
  setup_with (2, NULL, FALSE);
}

static void
teardown (void)
{
  g_clear_pointer (&p, bw_platform_free);
}

static void
select_item (guint16 key)
{
  outw (p, 0x510, key);
}

static void
read_data (guint8 *buf, gsize len)
{
  for (gsize i = 0; i < len; i++)
    buf[i] = inb (p, 0x511);
}

static guint64
read_le (guint16 key, gsize size)
{
  guint8 b[8];
  select_item (key);
  read_data (b, size);
  guint64 v = 0;
  for (gsize i = 0; i < size; i++)
    v |= (guint64) b[i] << (8 * i);
  return v;
}

static guint32
be32 (const guint8 *p4)
{
  return ((guint32) p4[0] << 24) | ((guint32) p4[1] << 16) | ((guint32) p4[2] << 8) | p4[3];
}

/* Looks a file up in the directory read through the data port. */
static gboolean
find_file (const char *name, guint16 *select, guint32 *size)
{
  guint8 count[4];
  select_item (BW_FW_CFG_FILE_DIR);
  read_data (count, 4);
  for (guint32 i = 0; i < be32 (count); i++)
    {
      guint8 e[64];
      read_data (e, 64);
      if (strncmp ((const char *) e + 8, name, 56) == 0)
        {
          *size = be32 (e);
          *select = (e[4] << 8) | e[5];
          return TRUE;
        }
    }
  return FALSE;
}

static GBytes *
read_file (const char *name)
{
  guint16 key;
  guint32 size;
  if (!find_file (name, &key, &size))
    return NULL;
  guint8 *buf = g_malloc (size);
  select_item (key);
  read_data (buf, size);
  return g_bytes_new_take (buf, size);
}

START_TEST (test_signature_and_id)
{
  guint8 sig[5];
  select_item (BW_FW_CFG_SIGNATURE);
  read_data (sig, 5);
  ck_assert (memcmp (sig, "QEMU", 4) == 0);
  ck_assert_uint_eq (sig[4], 0); /* past the end: zeros */
  ck_assert_uint_eq (read_le (BW_FW_CFG_ID, 4), BW_FW_CFG_ID_TRADITIONAL | BW_FW_CFG_ID_DMA);
  /* Selecting again restarts at offset 0. */
  select_item (BW_FW_CFG_SIGNATURE);
  ck_assert_uint_eq (inb (p, 0x511), 'Q');
  /* The DMA register reads "QEMU CFG". */
  ck_assert_uint_eq (inl (p, 0x514), 0x554D4551);
  ck_assert_uint_eq (inl (p, 0x518), 0x47464320);
  /* An unknown item reads zeros. */
  select_item (0x3FF0);
  ck_assert_uint_eq (inb (p, 0x511), 0);
}
END_TEST

START_TEST (test_keys)
{
  ck_assert_uint_eq (read_le (BW_FW_CFG_RAM_SIZE, 8), 64u << 20);
  ck_assert_uint_eq (read_le (BW_FW_CFG_NB_CPUS, 2), 2);
  ck_assert_uint_eq (read_le (BW_FW_CFG_MAX_CPUS, 2), 2);
  ck_assert_uint_eq (read_le (BW_FW_CFG_BOOT_MENU, 2), 0);
  guint8 uuid[16];
  select_item (BW_FW_CFG_UUID);
  read_data (uuid, 16);
  static const guint8 want[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                   0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };
  ck_assert (memcmp (uuid, want, 16) == 0);
  /* Direct Linux boot keys come from whoever sets them. */
  bw_fw_cfg_set_u32 (fw, BW_FW_CFG_KERNEL_SIZE, 0x123456);
  ck_assert_uint_eq (read_le (BW_FW_CFG_KERNEL_SIZE, 4), 0x123456);
  bw_fw_cfg_set_item (fw, BW_FW_CFG_KERNEL_SIZE, NULL);
  ck_assert_uint_eq (read_le (BW_FW_CFG_KERNEL_SIZE, 4), 0);
}
END_TEST

START_TEST (test_file_directory)
{
  guint16 key;
  guint32 size;
  ck_assert (find_file ("etc/e820", &key, &size));
  ck_assert_uint_ge (key, BW_FW_CFG_FILE_FIRST);
  ck_assert_uint_eq (size, 20);
  ck_assert (find_file ("etc/boot-fail-wait", &key, &size));
  ck_assert_uint_eq (size, 4);
  ck_assert_uint_eq (read_le (key, 4), 0xFFFFFFFF); /* never retry */
  ck_assert (find_file ("etc/boot-cpus", &key, &size));
  ck_assert_uint_eq (size, 2);
  ck_assert_uint_eq (read_le (key, 2), 2);
  ck_assert (!find_file ("bootorder", &key, &size));
  ck_assert (!find_file ("etc/boot-menu-wait", &key, &size));

  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) rom = g_bytes_new_static ("\x55\xAA\x01rom", 6);
  guint16 sel = bw_fw_cfg_add_file (fw, "genroms/test.bin", rom, &error);
  ck_assert_uint_ne (sel, 0);
  ck_assert (find_file ("genroms/test.bin", &key, &size));
  ck_assert_uint_eq (key, sel);
  ck_assert_uint_eq (size, 6);
  g_autoptr (GBytes) back = read_file ("genroms/test.bin");
  ck_assert (g_bytes_equal (back, rom));
  ck_assert_uint_eq (bw_fw_cfg_find_file (fw, "genroms/test.bin"), sel);

  /* Same name: replaced in place. */
  g_autoptr (GBytes) rom2 = g_bytes_new_static ("longer data", 11);
  ck_assert_uint_eq (bw_fw_cfg_add_file (fw, "genroms/test.bin", rom2, NULL), sel);
  ck_assert (find_file ("genroms/test.bin", &key, &size));
  ck_assert_uint_eq (size, 11);

  char long_name[80];
  memset (long_name, 'x', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = 0;
  ck_assert_uint_eq (bw_fw_cfg_add_file (fw, long_name, rom, &error), 0);
  ck_assert (g_error_matches (error, BW_FW_CFG_ERROR, BW_FW_CFG_ERROR_NAME));
}
END_TEST

START_TEST (test_boot_settings)
{
  teardown ();
  setup_with (4, "/pci@i0cf8/ide@1,1/drive@0/disk@0\nHALT", TRUE);
  ck_assert_uint_eq (read_le (BW_FW_CFG_NB_CPUS, 2), 4);
  ck_assert_uint_eq (read_le (BW_FW_CFG_BOOT_MENU, 2), 1);
  g_autoptr (GBytes) order = read_file ("bootorder");
  ck_assert (order != NULL);
  ck_assert_str_eq (g_bytes_get_data (order, NULL), "/pci@i0cf8/ide@1,1/drive@0/disk@0\nHALT");
  g_autoptr (GBytes) wait = read_file ("etc/boot-menu-wait");
  ck_assert_uint_eq (g_bytes_get_size (wait), 2);
  const guint8 *w = g_bytes_get_data (wait, NULL);
  ck_assert_uint_eq (w[0] | (w[1] << 8), 2500);
  g_autoptr (GBytes) fail = read_file ("etc/boot-fail-wait");
  const guint8 *f = g_bytes_get_data (fail, NULL);
  ck_assert_uint_eq (f[0] | (f[1] << 8) | (f[2] << 16) | ((guint32) f[3] << 24), 5000);
}
END_TEST

static void
check_e820_entry (const guint8 *e, guint64 addr, guint64 len, guint32 type)
{
  guint64 a = 0, l = 0;
  for (int i = 7; i >= 0; i--)
    {
      a = (a << 8) | e[i];
      l = (l << 8) | e[8 + i];
    }
  guint32 t = e[16] | (e[17] << 8) | (e[18] << 16) | ((guint32) e[19] << 24);
  ck_assert_uint_eq (a, addr);
  ck_assert_uint_eq (l, len);
  ck_assert_uint_eq (t, type);
}

START_TEST (test_e820)
{
  g_autoptr (GBytes) table = read_file ("etc/e820");
  ck_assert_uint_eq (g_bytes_get_size (table), 20);
  check_e820_entry (g_bytes_get_data (table, NULL), 0, 64u << 20, BW_E820_RAM);

  bw_fw_cfg_add_e820 (fw, 0xFEFFC000, 0x4000, BW_E820_RESERVED);
  g_autoptr (GBytes) table2 = read_file ("etc/e820");
  ck_assert_uint_eq (g_bytes_get_size (table2), 40);
  const guint8 *e = g_bytes_get_data (table2, NULL);
  check_e820_entry (e, 0, 64u << 20, BW_E820_RAM);
  check_e820_entry (e + 20, 0xFEFFC000, 0x4000, BW_E820_RESERVED);
}
END_TEST

/* DMA helpers: a descriptor at `desc` in guest RAM. */
static void
put_be (guint8 *b, guint64 v, int size)
{
  for (int i = 0; i < size; i++)
    b[i] = (guint8) (v >> (8 * (size - 1 - i)));
}

static guint32
dma (guint64 desc, guint32 control, guint32 length, guint64 address)
{
  guint8 d[16];
  put_be (d, control, 4);
  put_be (d + 4, length, 4);
  put_be (d + 8, address, 8);
  ck_assert (bw_memory_write (mem, desc, d, 16));
  /* The register is big-endian in port order: the guest swaps bytes. */
  outl (p, 0x514, GUINT32_SWAP_LE_BE ((guint32) (desc >> 32)));
  outl (p, 0x518, GUINT32_SWAP_LE_BE ((guint32) desc));
  guint8 c[4];
  ck_assert (bw_memory_read (mem, desc, c, 4));
  return be32 (c);
}

START_TEST (test_dma_read_skip_select)
{
  guint8 buf[64];
  memset (buf, 0xCC, sizeof buf);
  bw_memory_write (mem, 0x2000, buf, sizeof buf);

  guint32 ctl = dma (0x1000, (BW_FW_CFG_SIGNATURE << 16) | BW_FW_CFG_DMA_SELECT | BW_FW_CFG_DMA_READ,
                     4, 0x2000);
  ck_assert_uint_eq (ctl, 0);
  bw_memory_read (mem, 0x2000, buf, 8);
  ck_assert (memcmp (buf, "QEMU\xCC\xCC\xCC\xCC", 8) == 0);

  /* Past the end of the item: zeros. */
  select_item (BW_FW_CFG_SIGNATURE);
  ck_assert_uint_eq (dma (0x1000, BW_FW_CFG_DMA_READ, 8, 0x2000), 0);
  bw_memory_read (mem, 0x2000, buf, 9);
  ck_assert (memcmp (buf, "QEMU\0\0\0\0\xCC", 9) == 0);

  /* Select the directory, skip its count, read the first entry. */
  ck_assert_uint_eq (dma (0x1000, (BW_FW_CFG_FILE_DIR << 16) | BW_FW_CFG_DMA_SELECT, 0, 0), 0);
  ck_assert_uint_eq (dma (0x1000, BW_FW_CFG_DMA_SKIP, 4, 0), 0);
  ck_assert_uint_eq (dma (0x1000, BW_FW_CFG_DMA_READ, 64, 0x3000), 0);
  bw_memory_read (mem, 0x3000, buf, 64);
  guint16 key;
  guint32 size;
  ck_assert (find_file ((const char *) buf + 8, &key, &size));
  ck_assert_uint_eq (be32 (buf), size);
  ck_assert_uint_eq ((buf[4] << 8) | buf[5], key);

  /* DMA and port reads share the offset. */
  select_item (BW_FW_CFG_SIGNATURE);
  ck_assert_uint_eq (dma (0x1000, BW_FW_CFG_DMA_SKIP, 2, 0), 0);
  ck_assert_uint_eq (inb (p, 0x511), 'M');
}
END_TEST

START_TEST (test_dma_errors)
{
  /* A buffer beyond guest RAM. */
  guint32 ctl = dma (0x1000, (BW_FW_CFG_SIGNATURE << 16) | BW_FW_CFG_DMA_SELECT | BW_FW_CFG_DMA_READ,
                     4, G_GUINT64_CONSTANT (0x123400000000));
  ck_assert_uint_eq (ctl & BW_FW_CFG_DMA_ERROR, BW_FW_CFG_DMA_ERROR);
  /* Part RAM, part beyond. */
  ctl = dma (0x1000, BW_FW_CFG_DMA_READ, 0x2000, (64u << 20) - 0x1000);
  ck_assert_uint_eq (ctl & BW_FW_CFG_DMA_ERROR, BW_FW_CFG_DMA_ERROR);
  /* A range that wraps around. */
  ctl = dma (0x1000, BW_FW_CFG_DMA_READ, 0x100, G_GUINT64_CONSTANT (0xFFFFFFFFFFFFFFF0));
  ck_assert_uint_eq (ctl & BW_FW_CFG_DMA_ERROR, BW_FW_CFG_DMA_ERROR);
  /* Writes: nothing is writable. */
  ctl = dma (0x1000, BW_FW_CFG_DMA_WRITE, 4, 0x2000);
  ck_assert_uint_eq (ctl & BW_FW_CFG_DMA_ERROR, BW_FW_CFG_DMA_ERROR);
  /* A huge read into RAM stops at RAM's end with the error bit. */
  ctl = dma (0x1000, BW_FW_CFG_DMA_READ, 0xFFFFFFFF, 0x10000);
  ck_assert_uint_eq (ctl & BW_FW_CFG_DMA_ERROR, BW_FW_CFG_DMA_ERROR);

  /* A descriptor outside RAM, or wrapping: no crash, nothing written. */
  outl (p, 0x514, GUINT32_SWAP_LE_BE (0xFFFFFFFF));
  outl (p, 0x518, GUINT32_SWAP_LE_BE (0xFFFFFFF8));
  outl (p, 0x514, GUINT32_SWAP_LE_BE (0x00001000));
  outl (p, 0x518, GUINT32_SWAP_LE_BE (0x00000000));

  /* Still works afterwards. */
  ctl = dma (0x1000, (BW_FW_CFG_ID << 16) | BW_FW_CFG_DMA_SELECT | BW_FW_CFG_DMA_READ, 4, 0x2000);
  ck_assert_uint_eq (ctl, 0);
  guint8 id[4];
  bw_memory_read (mem, 0x2000, id, 4);
  ck_assert_uint_eq (id[0], 3);
}
END_TEST

START_TEST (test_state_round_trip)
{
  select_item (BW_FW_CFG_SIGNATURE);
  inb (p, 0x511);
  outl (p, 0x514, GUINT32_SWAP_LE_BE (0x12)); /* high half written, low pending */

  g_autoptr (BwPlatform) other = bw_platform_new_test (64);
  bw_config_set_int (bw_platform_get_config (other), "cpus", 2);
  add_device (other, BW_FW_CFG_CLASS, "fw-cfg", NULL);
  check_state_round_trip (p, other);
  check_vmstate_valid (BW_FW_CFG_CLASS);

  /* The exact bytes of the section: name, version, selector, offset, the
   * DMA register, end marker. */
  g_autoptr (GByteArray) section = g_byte_array_new ();
  bw_vmstate_save (fw->klass->vmstate, fw, section);
  static const guint8 want[] = { 6,    'f',  'w',  '-', 'c', 'f', 'g', 0, 0, 0, 1, 0x00, 0x00,
                                 0x00, 0x00, 0x00, 0x01, 0,   0,   0,   0x12, 0, 0, 0, 0, 0x00 };
  ck_assert_uint_eq (section->len, sizeof want);
  ck_assert (memcmp (section->data, want, sizeof want) == 0);
  BwPlatform *orig = p;
  p = other;
  ck_assert_uint_eq (inb (p, 0x511), 'E');
  p = orig;
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("fw-cfg");
  TCase *tc = tcase_create ("core");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_signature_and_id);
  tcase_add_test (tc, test_keys);
  tcase_add_test (tc, test_file_directory);
  tcase_add_test (tc, test_boot_settings);
  tcase_add_test (tc, test_e820);
  tcase_add_test (tc, test_dma_read_skip_select);
  tcase_add_test (tc, test_dma_errors);
  tcase_add_test (tc, test_state_round_trip);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
