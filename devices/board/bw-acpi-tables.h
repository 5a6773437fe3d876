/* bw-acpi-tables.h: the PC's ACPI tables, built as bytes.
 *
 * The set (ACPI 1.0 layouts, which every ACPI OS reads):
 *   RSDP  "RSD PTR ", revision 0, pointing at the RSDT
 *   RSDT  one entry: the FADT (no MADT: the platform has no APIC)
 *   FADT  revision 1: SCI on IRQ 9, SMI_CMD 0xB2 with ACPI_ENABLE 0xF1 /
 *         ACPI_DISABLE 0xF0, the PIIX4 PM blocks (PM1a_EVT at base,
 *         PM1a_CNT at base+4, PM_TMR at base+8, GPE0 at base+0xC, 4
 *         bytes), a fixed power button, no fixed sleep button, no C2/C3,
 *         the RTC century at CMOS 0x32
 *   FACS  64 bytes, 64-byte aligned
 *   DSDT  \_SB.PCI0 (PNP0A03) with _PRT sending every slot's INTA-D to
 *         the links LNKA-LNKD (PNP0C0F, the PIIX3 PIRQ route registers
 *         0x60-0x63 of 00:01.0, read and written from AML), and \_S5
 *         with sleep type 0, the PIIX4's soft off
 *
 * The tables blob holds FACS, DSDT, FADT, RSDT in that order, with the
 * pointers between tables written as offsets into the blob, and the RSDP
 * separately with the RSDT's offset. Two ways to give them to a guest:
 *  - bw_acpi_tables_loader(): QEMU's fw_cfg linker/loader script
 *    ("etc/table-loader": ALLOCATE both files, ADD_POINTER for every
 *    pointer, ADD_CHECKSUM for every checksum), which SeaBIOS runs
 *    instead of building tables of its own;
 *  - bw_acpi_tables_link(): one image for a fixed guest address with the
 *    pointers and checksums final (direct Linux boot, no firmware). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#pragma GCC visibility push(default)

#define BW_ACPI_FILE_RSDP "etc/acpi/rsdp"
#define BW_ACPI_FILE_TABLES "etc/acpi/tables"
#define BW_ACPI_FILE_LOADER "etc/table-loader"

/* Linker/loader commands (each entry 128 bytes, little-endian). */
#define BW_ACPI_LOADER_ENTRY_SIZE 128
#define BW_ACPI_LOADER_FILE_LEN 56
#define BW_ACPI_LOADER_ALLOCATE 1
#define BW_ACPI_LOADER_ADD_POINTER 2
#define BW_ACPI_LOADER_ADD_CHECKSUM 3
#define BW_ACPI_LOADER_ZONE_HIGH 1
#define BW_ACPI_LOADER_ZONE_FSEG 2

#define BW_ACPI_RSDP_SIZE 20
#define BW_ACPI_HEADER_SIZE 36
#define BW_ACPI_FADT_SIZE 116
#define BW_ACPI_FACS_SIZE 64

typedef struct
{
  guint16 pm_base;    /* PM I/O base the firmware or board programs */
  guint8 sci_irq;
  guint16 smi_cmd;
  guint8 acpi_enable, acpi_disable;
  guint8 piix3_slot;  /* the PIIX3's PCI slot (its PIRQ registers) */
} BwAcpiConfig;

/* What the platform is: PM at 0x600 (where SeaBIOS puts it when it runs a
 * table loader), SCI 9, APM port 0xB2, PIIX3 in slot 1. */
void bw_acpi_config_init_pc (BwAcpiConfig *cfg);

typedef struct
{
  guint32 offset; /* of the pointer in the file that holds it */
  guint8 size;
  gboolean in_rsdp; /* the pointer is in the RSDP (else in the tables) */
} BwAcpiPointer;

typedef struct
{
  guint32 offset, start, length; /* checksum byte and the range it covers */
  gboolean in_rsdp;
} BwAcpiChecksum;

typedef struct
{
  GByteArray *tables; /* FACS, DSDT, FADT, RSDT; pointers as offsets */
  GByteArray *rsdp;
  GArray *pointers;  /* BwAcpiPointer: each points into the tables */
  GArray *checksums; /* BwAcpiChecksum */
  guint32 facs, dsdt, fadt, rsdt; /* offsets of each table */
} BwAcpiTables;

BwAcpiTables *bw_acpi_tables_build (const BwAcpiConfig *cfg);
void bw_acpi_tables_free (BwAcpiTables *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwAcpiTables, bw_acpi_tables_free)

/* The "etc/table-loader" script for the files BW_ACPI_FILE_RSDP and
 * BW_ACPI_FILE_TABLES. */
GBytes *bw_acpi_tables_loader (const BwAcpiTables *t);

/* The tables with the RSDP appended (16-byte aligned), for a guest that
 * finds them at gpa: pointers made absolute, checksums final.
 * *rsdp_addr: where the RSDP lands. */
GBytes *bw_acpi_tables_link (const BwAcpiTables *t, guint32 gpa, guint32 *rsdp_addr);

/* The 8-bit sum of len bytes (0 for a table with a right checksum). */
guint8 bw_acpi_checksum (const guint8 *data, gsize len);

#pragma GCC visibility pop

G_END_DECLS
