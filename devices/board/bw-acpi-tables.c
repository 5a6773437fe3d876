/* bw-acpi-tables.c: RSDP, RSDT, FADT, FACS and DSDT for the PC (see
 * bw-acpi-tables.h). Layouts from the ACPI specification (1.0 FADT,
 * section 5.2); the DSDT is written with bw-aml.h. */
#include "config.h"

#include <string.h>
#include "devices/board/bw-acpi-tables.h"
#include "devices/board/bw-aml.h"
#include "devices/chipset/bw-pci.h"
#include "devices/chipset/bw-piix4-pm.h"

#define OEM_ID "BOXWD "
#define OEM_TABLE_ID "BOXWOOD "
#define CREATOR_ID "BXWD"

/* FADT flags. */
#define FADT_WBINVD (1u << 0)
#define FADT_PROC_C1 (1u << 2)
#define FADT_SLP_BUTTON (1u << 5) /* set: no fixed sleep button */

/* The PIRQ links' IRQ choices: what QEMU's and most boards' tables offer. */
#define LINK_IRQ_MASK ((1u << 5) | (1u << 9) | (1u << 10) | (1u << 11))

void
bw_acpi_config_init_pc (BwAcpiConfig *cfg)
{
  cfg->pm_base = BW_PIIX4_PM_DEFAULT_BASE;
  cfg->sci_irq = BW_PIIX4_PM_SCI_IRQ;
  cfg->smi_cmd = BW_PIIX4_PM_SMI_CMD;
  cfg->acpi_enable = BW_PIIX4_PM_ACPI_ENABLE;
  cfg->acpi_disable = BW_PIIX4_PM_ACPI_DISABLE;
  cfg->piix3_slot = 1;
}

guint8
bw_acpi_checksum (const guint8 *data, gsize len)
{
  guint8 sum = 0;
  for (gsize i = 0; i < len; i++)
    sum += data[i];
  return sum;
}

static void
wr16 (guint8 *p, guint16 v)
{
  p[0] = (guint8)v, p[1] = (guint8)(v >> 8);
}

static void
wr32 (guint8 *p, guint32 v)
{
  for (guint i = 0; i < 4; i++)
    p[i] = (guint8)(v >> 8 * i);
}

static guint32
rd32 (const guint8 *p)
{
  return p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

/* Appends a table: the standard header, then body; records its checksum.
 * Returns its offset. */
static guint32
add_table (BwAcpiTables *t, const char *sig, guint8 revision, const guint8 *body, gsize len)
{
  guint32 off = t->tables->len;
  guint8 h[BW_ACPI_HEADER_SIZE] = { 0 };
  memcpy (h, sig, 4);
  wr32 (h + 4, (guint32)(BW_ACPI_HEADER_SIZE + len));
  h[8] = revision;
  memcpy (h + 10, OEM_ID, 6);
  memcpy (h + 16, OEM_TABLE_ID, 8);
  wr32 (h + 24, 1);
  memcpy (h + 28, CREATOR_ID, 4);
  wr32 (h + 32, 1);
  g_byte_array_append (t->tables, h, sizeof h);
  g_byte_array_append (t->tables, body, (guint)len);
  BwAcpiChecksum c = { off + 9, off, (guint32)(BW_ACPI_HEADER_SIZE + len), FALSE };
  g_array_append_val (t->checksums, c);
  t->tables->data[off + 9] = 0;
  t->tables->data[off + 9] = (guint8)-bw_acpi_checksum (t->tables->data + off, c.length);
  return off;
}

static void
add_pointer (BwAcpiTables *t, guint32 offset, gboolean in_rsdp)
{
  BwAcpiPointer p = { offset, 4, in_rsdp };
  g_array_append_val (t->pointers, p);
}

/* An IRQ resource (Level, ActiveLow, Shared) with the given mask, and the
 * end tag. */
static BwAml *
irq_template (guint16 mask)
{
  const guint8 res[] = { 0x23, (guint8)mask, (guint8)(mask >> 8), 0x18, 0x79, 0x00 };
  return bw_aml_buffer (res, sizeof res);
}

/* \_SB.LNKx: PIRQ x as a PCI interrupt link on the PIIX3 register. */
static BwAml *
link_device (guint i)
{
  g_autofree char *name = g_strdup_printf ("LNK%c", 'A' + i);
  g_autofree char *reg = g_strdup_printf ("\\_SB_.PCI0.ISA_.PRQ%c", 'A' + i);
  /* _STA: disabled (bit 7) or enabled and decoding. */
  BwAml *sta = bw_aml_method (
      "_STA", 0, FALSE,
      bw_aml_cat (bw_aml_if (bw_aml_op2 (BW_AML_AND, bw_aml_namestring (reg), bw_aml_int (0x80),
                                         NULL),
                             bw_aml_return (bw_aml_int (0x09))),
                  bw_aml_return (bw_aml_int (0x0b)), NULL));
  BwAml *dis = bw_aml_method (
      "_DIS", 0, FALSE,
      bw_aml_op2 (BW_AML_OR, bw_aml_namestring (reg), bw_aml_int (0x80), bw_aml_namestring (reg)));
  /* _CRS: the routed IRQ as a one-bit mask, none when disabled. */
  BwAml *crs = bw_aml_method (
      "_CRS", 0, TRUE,
      bw_aml_cat (
          bw_aml_name_decl ("PRR0", irq_template (0)),
          bw_aml_create_word_field (bw_aml_namestring ("PRR0"), 1, "IRQW"),
          bw_aml_if (bw_aml_lnot (bw_aml_op2 (BW_AML_AND, bw_aml_namestring (reg),
                                              bw_aml_int (0x80), NULL)),
                     bw_aml_op2 (BW_AML_SHIFT_LEFT, bw_aml_int (1),
                                 bw_aml_op2 (BW_AML_AND, bw_aml_namestring (reg),
                                             bw_aml_int (0x0f), NULL),
                                 bw_aml_namestring ("IRQW"))),
          bw_aml_return (bw_aml_namestring ("PRR0")), NULL));
  /* _SRS: the lowest bit of the mask chosen is the IRQ. */
  BwAml *srs = bw_aml_method (
      "_SRS", 1, TRUE,
      bw_aml_cat (bw_aml_create_word_field (bw_aml_arg (0), 1, "IRQW"),
                  bw_aml_find_set_right_bit (bw_aml_namestring ("IRQW"), bw_aml_local (0)),
                  bw_aml_decrement (bw_aml_local (0)),
                  bw_aml_store (bw_aml_local (0), bw_aml_namestring (reg)), NULL));
  return bw_aml_device (
      name, bw_aml_cat (bw_aml_name_decl ("_HID", bw_aml_eisaid ("PNP0C0F")),
                        bw_aml_name_decl ("_UID", bw_aml_int (i + 1)),
                        bw_aml_name_decl ("_PRS", irq_template (LINK_IRQ_MASK)), sta, dis, crs,
                        srs, NULL));
}

/* _PRT: every slot's four pins, swizzled as the bus wires them. */
static BwAml *
prt (void)
{
  BwAml *entries = bw_aml_new ();
  for (guint slot = 0; slot < 32; slot++)
    for (guint pin = 0; pin < 4; pin++)
      {
        guint pirq = bw_pci_bus_swizzle (BW_PCI_DEVFN (slot, 0), pin + 1);
        g_autofree char *link = g_strdup_printf ("\\_SB_.LNK%c", 'A' + pirq);
        bw_aml_append (entries,
                       bw_aml_package (4, bw_aml_cat (bw_aml_int ((guint64)slot << 16 | 0xffff),
                                                      bw_aml_int (pin),
                                                      bw_aml_namestring (link), bw_aml_int (0),
                                                      NULL)));
      }
  return bw_aml_name_decl ("_PRT", bw_aml_package (32 * 4, entries));
}

static BwAml *
dsdt_body (const BwAcpiConfig *cfg)
{
  static const char *const prq[] = { "PRQA", "PRQB", "PRQC", "PRQD" };
  static const guint widths[] = { 8, 8, 8, 8 };
  BwAml *isa = bw_aml_device (
      "ISA", bw_aml_cat (bw_aml_name_decl ("_ADR", bw_aml_int ((guint64)cfg->piix3_slot << 16)),
                         bw_aml_opregion ("PIRQ", BW_AML_PCI_CONFIG, 0x60, 4),
                         bw_aml_field_bytes ("PIRQ", 4, prq, widths), NULL));
  BwAml *pci0 = bw_aml_device (
      "PCI0", bw_aml_cat (bw_aml_name_decl ("_HID", bw_aml_eisaid ("PNP0A03")),
                          bw_aml_name_decl ("_ADR", bw_aml_int (0)),
                          bw_aml_name_decl ("_UID", bw_aml_int (0)), prt (), isa, NULL));
  BwAml *sb = bw_aml_cat (pci0, link_device (0), link_device (1), link_device (2),
                         link_device (3), NULL);
  /* \_S5: PM1a_CNT.SLP_TYP 0, the PIIX4's soft off (PM1b: none). */
  BwAml *s5 = bw_aml_name_decl (
      "\\_S5", bw_aml_package (4, bw_aml_cat (bw_aml_int (BW_PIIX4_PM_SLP_TYP_S5),
                                               bw_aml_int (BW_PIIX4_PM_SLP_TYP_S5),
                                               bw_aml_int (0), bw_aml_int (0), NULL)));
  return bw_aml_cat (bw_aml_scope ("\\_SB", sb), s5, NULL);
}

static guint32
add_fadt (BwAcpiTables *t, const BwAcpiConfig *cfg)
{
  /* The body after the header: offsets below are from the table start. */
  guint8 f[BW_ACPI_FADT_SIZE] = { 0 };
  wr32 (f + 36, t->facs);
  wr32 (f + 40, t->dsdt);
  f[44] = 0; /* INT_MODEL: dual 8259 */
  wr16 (f + 46, cfg->sci_irq);
  wr32 (f + 48, cfg->smi_cmd);
  f[52] = cfg->acpi_enable;
  f[53] = cfg->acpi_disable;
  wr32 (f + 56, cfg->pm_base + BW_PM1_STS);
  wr32 (f + 64, cfg->pm_base + BW_PM1_CNT);
  wr32 (f + 76, cfg->pm_base + BW_PM_TMR);
  wr32 (f + 80, cfg->pm_base + BW_GPE0_STS);
  f[88] = 4; /* PM1_EVT_LEN */
  f[89] = 2; /* PM1_CNT_LEN */
  f[91] = 4; /* PM_TMR_LEN */
  f[92] = 4; /* GPE0_BLK_LEN */
  wr16 (f + 96, 0x0fff);  /* P_LVL2_LAT: no C2 */
  wr16 (f + 98, 0x0fff);  /* P_LVL3_LAT: no C3 */
  f[108] = 0x32;          /* CENTURY: the CMOS byte */
  wr32 (f + 112, FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON);
  guint32 off = add_table (t, "FACP", 1, f + BW_ACPI_HEADER_SIZE,
                           BW_ACPI_FADT_SIZE - BW_ACPI_HEADER_SIZE);
  add_pointer (t, off + 36, FALSE);
  add_pointer (t, off + 40, FALSE);
  return off;
}

BwAcpiTables *
bw_acpi_tables_build (const BwAcpiConfig *cfg)
{
  BwAcpiTables *t = g_new0 (BwAcpiTables, 1);
  t->tables = g_byte_array_new ();
  t->rsdp = g_byte_array_new ();
  t->pointers = g_array_new (FALSE, FALSE, sizeof (BwAcpiPointer));
  t->checksums = g_array_new (FALSE, FALSE, sizeof (BwAcpiChecksum));

  /* FACS first: it must be 64-byte aligned, and the blob is. */
  guint8 facs[BW_ACPI_FACS_SIZE] = { 'F', 'A', 'C', 'S' };
  wr32 (facs + 4, BW_ACPI_FACS_SIZE);
  t->facs = 0;
  g_byte_array_append (t->tables, facs, sizeof facs);

  g_autoptr (BwAml) aml = dsdt_body (cfg);
  t->dsdt = add_table (t, "DSDT", 1, aml->data, aml->len);
  t->fadt = add_fadt (t, cfg);
  guint8 entry[4];
  wr32 (entry, t->fadt);
  t->rsdt = add_table (t, "RSDT", 1, entry, sizeof entry);
  add_pointer (t, t->rsdt + BW_ACPI_HEADER_SIZE, FALSE);

  guint8 r[BW_ACPI_RSDP_SIZE] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };
  memcpy (r + 9, OEM_ID, 6);
  r[15] = 0; /* revision 0: ACPI 1.0, RSDT only */
  wr32 (r + 16, t->rsdt);
  r[8] = (guint8)-bw_acpi_checksum (r, sizeof r);
  g_byte_array_append (t->rsdp, r, sizeof r);
  add_pointer (t, 16, TRUE);
  BwAcpiChecksum c = { 8, 0, BW_ACPI_RSDP_SIZE, TRUE };
  g_array_append_val (t->checksums, c);
  return t;
}

void
bw_acpi_tables_free (BwAcpiTables *t)
{
  if (!t)
    return;
  g_byte_array_unref (t->tables);
  g_byte_array_unref (t->rsdp);
  g_array_unref (t->pointers);
  g_array_unref (t->checksums);
  g_free (t);
}

static guint8 *
loader_entry (GByteArray *out, guint32 command)
{
  guint8 *e = g_malloc0 (BW_ACPI_LOADER_ENTRY_SIZE);
  wr32 (e, command);
  g_byte_array_append (out, e, BW_ACPI_LOADER_ENTRY_SIZE);
  g_free (e);
  return out->data + out->len - BW_ACPI_LOADER_ENTRY_SIZE;
}

static void
put_file (guint8 *at, const char *name)
{
  g_assert (strlen (name) < BW_ACPI_LOADER_FILE_LEN);
  memcpy (at, name, strlen (name));
}

GBytes *
bw_acpi_tables_loader (const BwAcpiTables *t)
{
  GByteArray *out = g_byte_array_new ();
  /* The tables anywhere in high memory (64-byte aligned for the FACS),
   * the RSDP in the F segment where OSes look for it. */
  guint8 *e = loader_entry (out, BW_ACPI_LOADER_ALLOCATE);
  put_file (e + 4, BW_ACPI_FILE_TABLES);
  wr32 (e + 4 + BW_ACPI_LOADER_FILE_LEN, 64);
  e[8 + BW_ACPI_LOADER_FILE_LEN] = BW_ACPI_LOADER_ZONE_HIGH;
  e = loader_entry (out, BW_ACPI_LOADER_ALLOCATE);
  put_file (e + 4, BW_ACPI_FILE_RSDP);
  wr32 (e + 4 + BW_ACPI_LOADER_FILE_LEN, 16);
  e[8 + BW_ACPI_LOADER_FILE_LEN] = BW_ACPI_LOADER_ZONE_FSEG;
  for (guint i = 0; i < t->pointers->len; i++)
    {
      const BwAcpiPointer *p = &g_array_index (t->pointers, BwAcpiPointer, i);
      e = loader_entry (out, BW_ACPI_LOADER_ADD_POINTER);
      put_file (e + 4, p->in_rsdp ? BW_ACPI_FILE_RSDP : BW_ACPI_FILE_TABLES);
      put_file (e + 4 + BW_ACPI_LOADER_FILE_LEN, BW_ACPI_FILE_TABLES);
      wr32 (e + 4 + 2 * BW_ACPI_LOADER_FILE_LEN, p->offset);
      e[8 + 2 * BW_ACPI_LOADER_FILE_LEN] = p->size;
    }
  /* Checksums after the pointers they cover. */
  for (guint i = 0; i < t->checksums->len; i++)
    {
      const BwAcpiChecksum *c = &g_array_index (t->checksums, BwAcpiChecksum, i);
      e = loader_entry (out, BW_ACPI_LOADER_ADD_CHECKSUM);
      put_file (e + 4, c->in_rsdp ? BW_ACPI_FILE_RSDP : BW_ACPI_FILE_TABLES);
      wr32 (e + 4 + BW_ACPI_LOADER_FILE_LEN, c->offset);
      wr32 (e + 8 + BW_ACPI_LOADER_FILE_LEN, c->start);
      wr32 (e + 12 + BW_ACPI_LOADER_FILE_LEN, c->length);
    }
  return g_byte_array_free_to_bytes (out);
}

GBytes *
bw_acpi_tables_link (const BwAcpiTables *t, guint32 gpa, guint32 *rsdp_addr)
{
  guint32 rsdp_off = (t->tables->len + 15) & ~15u;
  GByteArray *out = g_byte_array_sized_new (rsdp_off + t->rsdp->len);
  g_byte_array_append (out, t->tables->data, t->tables->len);
  g_byte_array_set_size (out, rsdp_off);
  memset (out->data + t->tables->len, 0, rsdp_off - t->tables->len);
  g_byte_array_append (out, t->rsdp->data, t->rsdp->len);
  for (guint i = 0; i < t->pointers->len; i++)
    {
      const BwAcpiPointer *p = &g_array_index (t->pointers, BwAcpiPointer, i);
      guint8 *at = out->data + p->offset + (p->in_rsdp ? rsdp_off : 0);
      wr32 (at, rd32 (at) + gpa);
    }
  for (guint i = 0; i < t->checksums->len; i++)
    {
      const BwAcpiChecksum *c = &g_array_index (t->checksums, BwAcpiChecksum, i);
      guint32 base = c->in_rsdp ? rsdp_off : 0;
      out->data[base + c->offset] = 0;
      out->data[base + c->offset]
          = (guint8)-bw_acpi_checksum (out->data + base + c->start, c->length);
    }
  *rsdp_addr = gpa + rsdp_off;
  return g_byte_array_free_to_bytes (out);
}
