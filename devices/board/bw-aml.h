/* bw-aml.h: a small writer of ACPI Machine Language (ACPI spec, chapter
 * 20 "ACPI Machine Language Specification"), enough for the DSDT that
 * bw-acpi-tables.c builds.
 *
 * A BwAml is a byte array holding encoded terms. Constructors return a
 * new one; the ones that take BwAml arguments consume them (append and
 * free), so that a tree is written as nested calls:
 *
 *   bw_aml_scope ("\\_SB_", bw_aml_device ("PCI0",
 *       bw_aml_cat (bw_aml_name_decl ("_HID", bw_aml_eisaid ("PNP0A03")),
 *                   bw_aml_name_decl ("_ADR", bw_aml_int (0)), NULL)));
 *
 * Names: a path of 4-character segments separated by '.', optionally
 * starting with '\\' (root) or '^' (parent); short segments are padded
 * with '_' ("ISA" is "ISA_"). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef GByteArray BwAml;

/* Opcodes of the two-operand integer operators (Operand Operand Target). */
#define BW_AML_ADD 0x72
#define BW_AML_SHIFT_LEFT 0x79
#define BW_AML_SHIFT_RIGHT 0x7a
#define BW_AML_AND 0x7b
#define BW_AML_OR 0x7d
/* Logical operators (Operand Operand). */
#define BW_AML_LAND 0x90
#define BW_AML_LOR 0x91
#define BW_AML_LEQUAL 0x93
#define BW_AML_LGREATER 0x94
#define BW_AML_LLESS 0x95

/* Operation region spaces. */
#define BW_AML_SYSTEM_MEMORY 0x00
#define BW_AML_SYSTEM_IO 0x01
#define BW_AML_PCI_CONFIG 0x02

BwAml *bw_aml_new (void);
void bw_aml_free (BwAml *aml);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwAml, bw_aml_free)

/* Appends child to to and frees child. */
void bw_aml_append (BwAml *to, BwAml *child);
/* first, then each further argument, up to a NULL. */
BwAml *bw_aml_cat (BwAml *first, ...) G_GNUC_NULL_TERMINATED;

/* Data. */
BwAml *bw_aml_int (guint64 value);
BwAml *bw_aml_string (const char *s);
BwAml *bw_aml_eisaid (const char *id); /* "PNP0A03" as a DWord */
BwAml *bw_aml_buffer (const guint8 *data, gsize len);
BwAml *bw_aml_package (guint count, BwAml *elements); /* elements may be NULL */
BwAml *bw_aml_namestring (const char *path);
BwAml *bw_aml_local (guint n); /* Local0-7 */
BwAml *bw_aml_arg (guint n);   /* Arg0-6 */

/* Named objects and scopes. */
BwAml *bw_aml_name_decl (const char *name, BwAml *value);
BwAml *bw_aml_scope (const char *path, BwAml *body);
BwAml *bw_aml_device (const char *name, BwAml *body);
BwAml *bw_aml_method (const char *name, guint args, gboolean serialized, BwAml *body);
BwAml *bw_aml_opregion (const char *name, guint8 space, guint64 offset, guint64 length);
/* Field (region, ByteAcc, NoLock, Preserve) with fields of the given
 * names and widths in bits; a NULL name leaves a gap. */
BwAml *bw_aml_field_bytes (const char *region, guint n, const char *const *names,
                           const guint *bits);

/* Statements and expressions. */
BwAml *bw_aml_if (BwAml *predicate, BwAml *body);
BwAml *bw_aml_else (BwAml *body);
BwAml *bw_aml_return (BwAml *value);
BwAml *bw_aml_store (BwAml *value, BwAml *target);
/* op (BW_AML_AND ...) a b target; target NULL: none. */
BwAml *bw_aml_op2 (guint8 op, BwAml *a, BwAml *b, BwAml *target);
BwAml *bw_aml_logic (guint8 op, BwAml *a, BwAml *b);
BwAml *bw_aml_lnot (BwAml *a);
BwAml *bw_aml_find_set_right_bit (BwAml *a, BwAml *target);
BwAml *bw_aml_decrement (BwAml *target);
BwAml *bw_aml_create_word_field (BwAml *buffer, guint byte_index, const char *name);

/* Encodes a package length for a body of len bytes (the encoding counts
 * itself); FALSE when it is too long for AML (256 MiB). */
gboolean bw_aml_pkg_length (gsize len, guint8 out[4], guint *out_len);

G_END_DECLS
