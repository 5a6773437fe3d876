/* test-acpi-tables.c: the PC's ACPI tables and the AML writer: package
 * lengths, name strings and integers as the spec encodes them; the tables
 * parsed back (RSDP -> RSDT -> FADT -> FACS/DSDT, lengths, checksums, the
 * FADT's PM blocks and SCI); the fw_cfg linker/loader script run the way
 * SeaBIOS runs it, at made-up addresses; the directly linked image; and,
 * where iasl (acpica-tools) is installed, the DSDT disassembled without
 * errors with the objects a guest looks for. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include "bw-test.h"
#include "devices/board/bw-acpi-tables.h"
#include "devices/board/bw-aml.h"
#include "devices/chipset/bw-piix4-pm.h"

static guint32
rd32 (const guint8 *p)
{
  return p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static guint16
rd16 (const guint8 *p)
{
  return p[0] | (guint16)(p[1] << 8);
}

static BwAcpiTables *
pc_tables (void)
{
  BwAcpiConfig cfg;
  bw_acpi_config_init_pc (&cfg);
  return bw_acpi_tables_build (&cfg);
}

START_TEST (test_pkg_length)
{
  guint8 b[4];
  guint n;
  ck_assert (bw_aml_pkg_length (0, b, &n));
  ck_assert_uint_eq (n, 1);
  ck_assert_uint_eq (b[0], 1);
  ck_assert (bw_aml_pkg_length (62, b, &n));
  ck_assert_uint_eq (n, 1);
  ck_assert_uint_eq (b[0], 63);
  /* 63 bytes + 2 length bytes = 65 = 0x41: 0x41 low nibble, then 0x04. */
  ck_assert (bw_aml_pkg_length (63, b, &n));
  ck_assert_uint_eq (n, 2);
  ck_assert_uint_eq (b[0], 0x41);
  ck_assert_uint_eq (b[1], 0x04);
  ck_assert (bw_aml_pkg_length (0xffd, b, &n)); /* 0xfff with 2 bytes */
  ck_assert_uint_eq (n, 2);
  ck_assert_uint_eq (b[0], 0x4f);
  ck_assert_uint_eq (b[1], 0xff);
  ck_assert (bw_aml_pkg_length (0xffe, b, &n)); /* 0x1001 with 3 bytes */
  ck_assert_uint_eq (n, 3);
  ck_assert_uint_eq (b[0], 0x81);
  ck_assert_uint_eq (b[1], 0x00);
  ck_assert_uint_eq (b[2], 0x01);
  ck_assert (!bw_aml_pkg_length (0x10000000, b, &n));
}
END_TEST

static void
check_bytes (BwAml *a, const guint8 *want, gsize len)
{
  ck_assert_uint_eq (a->len, len);
  ck_assert_mem_eq (a->data, want, len);
  bw_aml_free (a);
}

START_TEST (test_encodings)
{
  check_bytes (bw_aml_int (0), (const guint8[]){ 0x00 }, 1);
  check_bytes (bw_aml_int (1), (const guint8[]){ 0x01 }, 1);
  check_bytes (bw_aml_int (0x80), (const guint8[]){ 0x0a, 0x80 }, 2);
  check_bytes (bw_aml_int (0x1234), (const guint8[]){ 0x0b, 0x34, 0x12 }, 3);
  check_bytes (bw_aml_int (0x0001ffff), (const guint8[]){ 0x0c, 0xff, 0xff, 0x01, 0x00 }, 5);
  check_bytes (bw_aml_eisaid ("PNP0A03"), (const guint8[]){ 0x0c, 0x41, 0xd0, 0x0a, 0x03 }, 5);
  check_bytes (bw_aml_namestring ("\\_S5"), (const guint8[]){ 0x5c, '_', 'S', '5', '_' }, 5);
  check_bytes (bw_aml_namestring ("^ISA.PRQA"),
               (const guint8[]){ 0x5e, 0x2e, 'I', 'S', 'A', '_', 'P', 'R', 'Q', 'A' }, 10);
  check_bytes (bw_aml_namestring ("\\_SB.PCI0.ISA"),
               (const guint8[]){ 0x5c, 0x2f, 3, '_', 'S', 'B', '_', 'P', 'C', 'I', '0', 'I', 'S',
                                 'A', '_' },
               15);
  /* Name (_S5, Package () { Zero, Zero }) */
  check_bytes (bw_aml_name_decl ("_S5", bw_aml_package (2, bw_aml_cat (bw_aml_int (0),
                                                                       bw_aml_int (0), NULL))),
               (const guint8[]){ 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x00 }, 10);
  /* Method (_STA, 0, NotSerialized) { Return (0x0B) } */
  check_bytes (bw_aml_method ("_STA", 0, FALSE, bw_aml_return (bw_aml_int (0x0b))),
               (const guint8[]){ 0x14, 0x09, '_', 'S', 'T', 'A', 0x00, 0xa4, 0x0a, 0x0b }, 10);
}
END_TEST

/* The header of the table at off: its signature, and a length that fits. */
static const guint8 *
table_at (const guint8 *blob, gsize blob_len, guint32 off, const char *sig)
{
  ck_assert_uint_lt (off + BW_ACPI_HEADER_SIZE, blob_len + 1);
  const guint8 *t = blob + off;
  ck_assert_msg (memcmp (t, sig, 4) == 0, "expected %s at %u", sig, off);
  ck_assert_uint_le (off + rd32 (t + 4), blob_len);
  ck_assert_uint_eq (bw_acpi_checksum (t, rd32 (t + 4)), 0);
  ck_assert_mem_eq (t + 10, "BOXWD ", 6);
  return t;
}

/* Walks RSDP -> RSDT -> FADT -> FACS, DSDT in a blob whose tables sit at
 * address base; checks every table. Returns the DSDT. */
static const guint8 *
walk (const guint8 *blob, gsize len, guint32 base, const guint8 *rsdp)
{
  ck_assert_mem_eq (rsdp, "RSD PTR ", 8);
  ck_assert_uint_eq (bw_acpi_checksum (rsdp, BW_ACPI_RSDP_SIZE), 0);
  ck_assert_uint_eq (rsdp[15], 0);
  const guint8 *rsdt = table_at (blob, len, rd32 (rsdp + 16) - base, "RSDT");
  ck_assert_uint_eq (rd32 (rsdt + 4), BW_ACPI_HEADER_SIZE + 4);
  const guint8 *fadt = table_at (blob, len, rd32 (rsdt + 36) - base, "FACP");
  ck_assert_uint_eq (rd32 (fadt + 4), BW_ACPI_FADT_SIZE);
  ck_assert_uint_eq (fadt[8], 1);
  guint32 facs = rd32 (fadt + 36) - base;
  ck_assert_mem_eq (blob + facs, "FACS", 4);
  ck_assert_uint_eq (rd32 (blob + facs + 4), BW_ACPI_FACS_SIZE);
  ck_assert_uint_eq ((facs + base) % 64, 0);
  ck_assert_uint_eq (rd16 (fadt + 46), 9);
  ck_assert_uint_eq (rd32 (fadt + 48), 0xb2);
  ck_assert_uint_eq (fadt[52], BW_PIIX4_PM_ACPI_ENABLE);
  ck_assert_uint_eq (fadt[53], BW_PIIX4_PM_ACPI_DISABLE);
  ck_assert_uint_eq (rd32 (fadt + 56), 0x600);
  ck_assert_uint_eq (rd32 (fadt + 64), 0x604);
  ck_assert_uint_eq (rd32 (fadt + 76), 0x608);
  ck_assert_uint_eq (rd32 (fadt + 80), 0x60c);
  ck_assert_uint_eq (fadt[88], 4);
  ck_assert_uint_eq (fadt[89], 2);
  ck_assert_uint_eq (fadt[91], 4);
  ck_assert_uint_eq (fadt[92], 4);
  guint32 flags = rd32 (fadt + 112);
  ck_assert_uint_eq (flags & (1u << 4), 0);        /* fixed power button */
  ck_assert_uint_eq (flags & (1u << 5), 1u << 5); /* no fixed sleep button */
  ck_assert_uint_eq (flags & (1u << 8), 0);        /* 24-bit timer */
  return table_at (blob, len, rd32 (fadt + 40) - base, "DSDT");
}

static gboolean
contains (const guint8 *data, gsize len, const char *needle)
{
  gsize n = strlen (needle);
  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (data + i, needle, n) == 0)
      return TRUE;
  return FALSE;
}

START_TEST (test_tables)
{
  g_autoptr (BwAcpiTables) t = pc_tables ();
  const guint8 *dsdt = walk (t->tables->data, t->tables->len, 0, t->rsdp->data);
  guint32 dlen = rd32 (dsdt + 4);
  ck_assert (contains (dsdt, dlen, "_S5_"));
  ck_assert (contains (dsdt, dlen, "PCI0"));
  ck_assert (contains (dsdt, dlen, "_PRT"));
  for (char c = 'A'; c <= 'D'; c++)
    {
      char name[] = { 'L', 'N', 'K', c, 0 };
      ck_assert (contains (dsdt, dlen, name));
    }
}
END_TEST

/* Runs the loader script the way SeaBIOS does, with the tables at
 * tables_addr and the RSDP at rsdp_addr. */
static void
run_loader (const BwAcpiTables *t, guint32 tables_addr, guint32 rsdp_addr, guint8 *tables,
            guint8 *rsdp)
{
  g_autoptr (GBytes) loader = bw_acpi_tables_loader (t);
  gsize len;
  const guint8 *l = g_bytes_get_data (loader, &len);
  ck_assert_uint_eq (len % BW_ACPI_LOADER_ENTRY_SIZE, 0);
  guint allocs = 0;
  for (gsize off = 0; off < len; off += BW_ACPI_LOADER_ENTRY_SIZE)
    {
      const guint8 *e = l + off;
      const char *file = (const char *)e + 4;
      ck_assert_uint_eq (e[4 + BW_ACPI_LOADER_FILE_LEN - 1], 0);
      gboolean is_rsdp = strcmp (file, BW_ACPI_FILE_RSDP) == 0;
      ck_assert (is_rsdp || strcmp (file, BW_ACPI_FILE_TABLES) == 0);
      guint8 *data = is_rsdp ? rsdp : tables;
      gsize data_len = is_rsdp ? t->rsdp->len : t->tables->len;
      switch (rd32 (e))
        {
        case BW_ACPI_LOADER_ALLOCATE:
          ck_assert_uint_eq (off, allocs * BW_ACPI_LOADER_ENTRY_SIZE); /* allocations first */
          allocs++;
          ck_assert_uint_eq (e[8 + BW_ACPI_LOADER_FILE_LEN],
                             is_rsdp ? BW_ACPI_LOADER_ZONE_FSEG : BW_ACPI_LOADER_ZONE_HIGH);
          ck_assert_uint_eq ((is_rsdp ? rsdp_addr : tables_addr)
                                 % rd32 (e + 4 + BW_ACPI_LOADER_FILE_LEN),
                             0);
          break;
        case BW_ACPI_LOADER_ADD_POINTER:
          {
            const char *src = (const char *)e + 4 + BW_ACPI_LOADER_FILE_LEN;
            ck_assert_str_eq (src, BW_ACPI_FILE_TABLES);
            guint32 at = rd32 (e + 4 + 2 * BW_ACPI_LOADER_FILE_LEN);
            ck_assert_uint_eq (e[8 + 2 * BW_ACPI_LOADER_FILE_LEN], 4);
            ck_assert_uint_le (at + 4, data_len);
            guint32 v = rd32 (data + at) + tables_addr;
            for (guint i = 0; i < 4; i++)
              data[at + i] = (guint8)(v >> 8 * i);
            break;
          }
        case BW_ACPI_LOADER_ADD_CHECKSUM:
          {
            guint32 at = rd32 (e + 4 + BW_ACPI_LOADER_FILE_LEN);
            guint32 start = rd32 (e + 8 + BW_ACPI_LOADER_FILE_LEN);
            guint32 n = rd32 (e + 12 + BW_ACPI_LOADER_FILE_LEN);
            ck_assert_uint_le (start + n, data_len);
            ck_assert (at >= start && at < start + n);
            data[at] -= bw_acpi_checksum (data + start, n);
            break;
          }
        default:
          ck_abort_msg ("unknown loader command %u", rd32 (e));
        }
    }
  ck_assert_uint_eq (allocs, 2);
}

START_TEST (test_loader)
{
  g_autoptr (BwAcpiTables) t = pc_tables ();
  static const guint32 addrs[] = { 0x07fe0000, 0x3ffff000, 0x00100040 };
  for (guint i = 0; i < G_N_ELEMENTS (addrs); i++)
    {
      g_autofree guint8 *tables = g_memdup2 (t->tables->data, t->tables->len);
      g_autofree guint8 *rsdp = g_memdup2 (t->rsdp->data, t->rsdp->len);
      run_loader (t, addrs[i], 0xf5a10, tables, rsdp);
      walk (tables, t->tables->len, addrs[i], rsdp);
    }
}
END_TEST

START_TEST (test_link)
{
  g_autoptr (BwAcpiTables) t = pc_tables ();
  guint32 rsdp_addr = 0;
  g_autoptr (GBytes) img = bw_acpi_tables_link (t, 0x9c000, &rsdp_addr);
  gsize len;
  const guint8 *d = g_bytes_get_data (img, &len);
  ck_assert_uint_eq (rsdp_addr % 16, 0);
  ck_assert_uint_ge (rsdp_addr, 0x9c000 + t->tables->len);
  ck_assert_uint_eq (rsdp_addr + BW_ACPI_RSDP_SIZE, 0x9c000 + len);
  walk (d, len, 0x9c000, d + (rsdp_addr - 0x9c000));
  /* The unlinked tables are unchanged. */
  walk (t->tables->data, t->tables->len, 0, t->rsdp->data);
}
END_TEST

START_TEST (test_iasl)
{
  g_autofree char *iasl = g_find_program_in_path ("iasl");
  if (!iasl)
    {
      g_print ("# iasl (acpica-tools) is not installed: skipping the disassembly check\n");
      return;
    }
  g_autoptr (BwAcpiTables) t = pc_tables ();
  const guint8 *dsdt = t->tables->data + t->dsdt;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bw-acpi-XXXXXX", &error);
  ck_assert_ptr_nonnull (dir);
  g_autofree char *aml = g_build_filename (dir, "dsdt.aml", NULL);
  g_autofree char *dsl = g_build_filename (dir, "dsdt.dsl", NULL);
  ck_assert (g_file_set_contents (aml, (const char *)dsdt, rd32 (dsdt + 4), NULL));
  const char *argv[] = { iasl, "-d", aml, NULL };
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  ck_assert (g_spawn_sync (dir, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                           &err, &status, NULL));
  ck_assert_msg (g_spawn_check_wait_status (status, NULL), "iasl -d failed: %s", err);
  g_autofree char *text = NULL;
  ck_assert (g_file_get_contents (dsl, &text, NULL, NULL));
  ck_assert_ptr_null (strstr (text, "Error"));
  ck_assert_ptr_null (strstr (text, "Unknown"));
  static const char *const want[] = {
    "Name (\\_S5, Package (0x04)",
    "Name (_HID, EisaId (\"PNP0A03\")",
    "Name (_PRT, Package (0x80)",
    "0x0003FFFF, \n                    Zero, \n                    \\_SB.LNKC",
    "OperationRegion (PIRQ, PCI_Config, 0x60, 0x04)",
    "Device (LNKD)",
    "IRQ (Level, ActiveLow, Shared, )\n                    {5,9,10,11}",
    "IRQW = (One << (\\_SB.PCI0.ISA.PRQA & 0x0F))",
    "\\_SB.PCI0.ISA.PRQB = Local0",
  };
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    ck_assert_msg (strstr (text, want[i]) != NULL, "the disassembly lacks “%s”", want[i]);
  g_remove (aml);
  g_remove (dsl);
  g_rmdir (dir);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("acpi-tables");
  TCase *tc = tcase_create ("core");
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_pkg_length);
  tcase_add_test (tc, test_encodings);
  tcase_add_test (tc, test_tables);
  tcase_add_test (tc, test_loader);
  tcase_add_test (tc, test_link);
  tcase_add_test (tc, test_iasl);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
