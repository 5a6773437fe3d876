/* bw-vmstate.h: saved state described as data.
 *
 * Each device describes its state with a BwVmStateDesc: a name, a version,
 * the oldest version it can still load, and a table of fields (offsets into
 * the device's instance struct with fixed types), plus optional subsections
 * that are written only when their needed() predicate says so. The
 * serializer walks the table; nothing is written by hand.
 *
 * Byte format of one section (all integers big-endian):
 *
 *   u8      length of the name (1..255)
 *   bytes   the name, no terminator
 *   u32     version the fields were written with
 *   ...     the fields, in table order, each as:
 *             u8/i8/bool   1 byte (bool is 0 or 1)
 *             u16/i16      2 bytes
 *             u32/i32      4 bytes
 *             u64/i64      8 bytes
 *             buffer       its bytes as they are
 *             struct       the nested description's fields (no header)
 *             timer        i64 expiry in ns on the virtual clock, -1 when
 *                          stopped
 *           arrays are their elements one after another; fields added in
 *           a later version than the one written are absent.
 *   then, for each subsection whose needed() returns TRUE (or that has no
 *   needed()), in table order:
 *   u8      0x01 (subsection marker) followed by a whole section as above
 *   u8      0x00 (end of section)
 *
 * Loading checks the name, rejects versions above `version` or below
 * `minimum_version`, rejects a stream that ends early, a bool that is not 0
 * or 1 and an unknown subsection, then calls post_load() so the device can
 * rebuild derived state. A subsection missing from the stream leaves its
 * fields as they were (reset values). */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

G_BEGIN_DECLS

#define BW_VMSTATE_ERROR (bw_vmstate_error_quark ())
GQuark bw_vmstate_error_quark (void);

typedef enum
{
  BW_VMSTATE_ERROR_TRUNCATED,  /* the stream ended inside a section */
  BW_VMSTATE_ERROR_NAME,       /* the section has another name */
  BW_VMSTATE_ERROR_VERSION,    /* version newer than known or too old */
  BW_VMSTATE_ERROR_INVALID,    /* a value out of range (bool, marker, post_load) */
  BW_VMSTATE_ERROR_SUBSECTION, /* a subsection this description does not know */
} BwVmStateError;

typedef enum
{
  BW_VMSTATE_END = 0, /* terminates a field table */
  BW_VMSTATE_TYPE_U8,
  BW_VMSTATE_TYPE_U16,
  BW_VMSTATE_TYPE_U32,
  BW_VMSTATE_TYPE_U64,
  BW_VMSTATE_TYPE_I8,
  BW_VMSTATE_TYPE_I16,
  BW_VMSTATE_TYPE_I32,
  BW_VMSTATE_TYPE_I64,
  BW_VMSTATE_TYPE_BOOL,   /* C bool */
  BW_VMSTATE_TYPE_BUFFER, /* `count` raw bytes */
  BW_VMSTATE_TYPE_STRUCT, /* `count` nested structs of `stride` bytes described by `sub` */
  BW_VMSTATE_TYPE_TIMER,  /* a BwTimer * member: its expiry is saved and re-armed on load */
} BwVmStateType;

typedef struct _BwVmStateDesc BwVmStateDesc;

typedef struct
{
  const char *name;
  BwVmStateType type;
  size_t offset;            /* from the start of the opaque struct */
  size_t count;             /* elements (1 for a scalar); bytes for a buffer */
  size_t stride;            /* bytes between elements of a struct array */
  int version_added;        /* first version that carries this field (0: always) */
  const BwVmStateDesc *sub; /* nested description for STRUCT */
} BwVmStateField;

struct _BwVmStateDesc
{
  const char *name;
  int version;
  int minimum_version;
  const BwVmStateField *fields;             /* ends with BW_VMSTATE_END_OF_FIELDS */
  const BwVmStateDesc *const *subsections; /* NULL-terminated, or NULL */
  /* Subsections only: written when this returns TRUE (NULL: always). */
  gboolean (*needed) (const void *opaque);
  /* Called before the fields are written, e.g. to fold derived state. */
  void (*pre_save) (void *opaque);
  /* Called after all fields and subsections were read. */
  gboolean (*post_load) (void *opaque, int version, GError **error);
};

/* Compile-time check that a member has the size the field type expects. */
#define BW_VMSTATE_CHECK_SIZE_(Type, field, size)                                                  \
  (offsetof (Type, field) + 0 * sizeof (char[sizeof (((Type *) 0)->field) == (size) ? 1 : -1]))

#define BW_VMSTATE_SCALAR_(Type, field, t, ctype, v)                                               \
  { .name = #field, .type = (t), .offset = BW_VMSTATE_CHECK_SIZE_ (Type, field, sizeof (ctype)),   \
    .count = 1, .version_added = (v) }

#define BW_VMSTATE_ARRAY_(Type, field, t, ctype, n, v)                                             \
  { .name = #field, .type = (t),                                                                   \
    .offset = BW_VMSTATE_CHECK_SIZE_ (Type, field, sizeof (ctype) * (n)), .count = (n),            \
    .version_added = (v) }

#define BW_VMSTATE_U8_V(Type, f, v) BW_VMSTATE_SCALAR_ (Type, f, BW_VMSTATE_TYPE_U8, uint8_t, v)
#define BW_VMSTATE_U16_V(Type, f, v) BW_VMSTATE_SCALAR_ (Type, f, BW_VMSTATE_TYPE_U16, uint16_t, v)
#define BW_VMSTATE_U32_V(Type, f, v) BW_VMSTATE_SCALAR_ (Type, f, BW_VMSTATE_TYPE_U32, uint32_t, v)
#define BW_VMSTATE_U64_V(Type, f, v) BW_VMSTATE_SCALAR_ (Type, f, BW_VMSTATE_TYPE_U64, uint64_t, v)
#define BW_VMSTATE_I8_V(Type, f, v) BW_VMSTATE_SCALAR_ (Type, f, BW_VMSTATE_TYPE_I8, int8_t, v)
#define BW_VMSTATE_I16_V(Type, f, v) BW_VMSTATE_SCALAR_ (Type, f, BW_VMSTATE_TYPE_I16, int16_t, v)
#define BW_VMSTATE_I32_V(Type, f, v) BW_VMSTATE_SCALAR_ (Type, f, BW_VMSTATE_TYPE_I32, int32_t, v)
#define BW_VMSTATE_I64_V(Type, f, v) BW_VMSTATE_SCALAR_ (Type, f, BW_VMSTATE_TYPE_I64, int64_t, v)
#define BW_VMSTATE_BOOL_V(Type, f, v) BW_VMSTATE_SCALAR_ (Type, f, BW_VMSTATE_TYPE_BOOL, bool, v)

#define BW_VMSTATE_U8(Type, f) BW_VMSTATE_U8_V (Type, f, 0)
#define BW_VMSTATE_U16(Type, f) BW_VMSTATE_U16_V (Type, f, 0)
#define BW_VMSTATE_U32(Type, f) BW_VMSTATE_U32_V (Type, f, 0)
#define BW_VMSTATE_U64(Type, f) BW_VMSTATE_U64_V (Type, f, 0)
#define BW_VMSTATE_I8(Type, f) BW_VMSTATE_I8_V (Type, f, 0)
#define BW_VMSTATE_I16(Type, f) BW_VMSTATE_I16_V (Type, f, 0)
#define BW_VMSTATE_I32(Type, f) BW_VMSTATE_I32_V (Type, f, 0)
#define BW_VMSTATE_I64(Type, f) BW_VMSTATE_I64_V (Type, f, 0)
#define BW_VMSTATE_BOOL(Type, f) BW_VMSTATE_BOOL_V (Type, f, 0)
/* `int` members (32 bits on every supported host). */
#define BW_VMSTATE_INT(Type, f) BW_VMSTATE_I32 (Type, f)

#define BW_VMSTATE_U8_ARRAY(Type, f, n) BW_VMSTATE_ARRAY_ (Type, f, BW_VMSTATE_TYPE_U8, uint8_t, n, 0)
#define BW_VMSTATE_U16_ARRAY(Type, f, n)                                                           \
  BW_VMSTATE_ARRAY_ (Type, f, BW_VMSTATE_TYPE_U16, uint16_t, n, 0)
#define BW_VMSTATE_U32_ARRAY(Type, f, n)                                                           \
  BW_VMSTATE_ARRAY_ (Type, f, BW_VMSTATE_TYPE_U32, uint32_t, n, 0)
#define BW_VMSTATE_U64_ARRAY(Type, f, n)                                                           \
  BW_VMSTATE_ARRAY_ (Type, f, BW_VMSTATE_TYPE_U64, uint64_t, n, 0)
#define BW_VMSTATE_I32_ARRAY(Type, f, n)                                                           \
  BW_VMSTATE_ARRAY_ (Type, f, BW_VMSTATE_TYPE_I32, int32_t, n, 0)
#define BW_VMSTATE_I64_ARRAY(Type, f, n)                                                           \
  BW_VMSTATE_ARRAY_ (Type, f, BW_VMSTATE_TYPE_I64, int64_t, n, 0)
#define BW_VMSTATE_BOOL_ARRAY(Type, f, n)                                                          \
  BW_VMSTATE_ARRAY_ (Type, f, BW_VMSTATE_TYPE_BOOL, bool, n, 0)

/* A member of exactly n bytes (uint8_t buf[n] or a packed blob). */
#define BW_VMSTATE_BUFFER(Type, f, n)                                                              \
  { .name = #f, .type = BW_VMSTATE_TYPE_BUFFER, .offset = BW_VMSTATE_CHECK_SIZE_ (Type, f, n),     \
    .count = (n) }

/* A nested struct member of C type SubType, described by desc. */
#define BW_VMSTATE_STRUCT(Type, f, SubType, desc)                                                  \
  { .name = #f, .type = BW_VMSTATE_TYPE_STRUCT,                                                    \
    .offset = BW_VMSTATE_CHECK_SIZE_ (Type, f, sizeof (SubType)), .count = 1,                      \
    .stride = sizeof (SubType), .sub = &(desc) }

/* An array `SubType f[n]`. */
#define BW_VMSTATE_STRUCT_ARRAY(Type, f, SubType, n, desc)                                         \
  { .name = #f, .type = BW_VMSTATE_TYPE_STRUCT,                                                    \
    .offset = BW_VMSTATE_CHECK_SIZE_ (Type, f, sizeof (SubType) * (n)), .count = (n),              \
    .stride = sizeof (SubType), .sub = &(desc) }

/* A `BwTimer *` member (see bw-timer.h). */
#define BW_VMSTATE_TIMER(Type, f)                                                                  \
  { .name = #f, .type = BW_VMSTATE_TYPE_TIMER,                                                     \
    .offset = BW_VMSTATE_CHECK_SIZE_ (Type, f, sizeof (void *)), .count = 1 }

#define BW_VMSTATE_END_OF_FIELDS { .name = NULL, .type = BW_VMSTATE_END }

/* Appends one section for opaque to out. Calls pre_save hooks. */
void bw_vmstate_save (const BwVmStateDesc *desc, void *opaque, GByteArray *out);

/* Reads one section from data[0..len) into opaque. On success *consumed
 * (may be NULL) is the number of bytes the section took; trailing bytes are
 * left to the caller. On failure opaque may be partly overwritten: the
 * caller resets the device or discards the VM. */
gboolean bw_vmstate_load (const BwVmStateDesc *desc, void *opaque, const guint8 *data, gsize len,
                          gsize *consumed, GError **error);

/* Like bw_vmstate_load() but the section must take exactly len bytes. */
gboolean bw_vmstate_load_exact (const BwVmStateDesc *desc, void *opaque, const guint8 *data,
                                gsize len, GError **error);

/* Checks a description for mistakes (duplicate field names, version_added
 * above version, minimum_version above version, missing sub). Tests call it
 * for every device. */
gboolean bw_vmstate_desc_validate (const BwVmStateDesc *desc, GError **error);

/* For device tests: saves opaque, checks that every shorter prefix of the
 * stream fails to load with BW_VMSTATE_ERROR_TRUNCATED, loads the whole
 * stream back and checks that saving again gives the same bytes. opaque
 * ends in the state it started in (as far as the description covers it).
 * With saved non-NULL, the stream is returned there for exact-byte
 * checks. FALSE with an error saying what went wrong. */
gboolean bw_vmstate_check (const BwVmStateDesc *desc, void *opaque, GByteArray **saved,
                           GError **error);

G_END_DECLS
