/* bw-conformance-286.c: runs the 80286 real-mode single-instruction tests
 * (../shared/conformance/80286-real, see its README) on the software CPU.
 *
 *   bw-conformance-286 [-v] [DIR] [FORM...]
 *
 * DIR defaults to $BW_CONFORMANCE_286, else
 * $BW_SOURCE_ROOT/../shared/conformance/80286-real. FORMs ("00", "F6.7")
 * restrict the run to those files. Prints failures per form and the pass
 * rate over the tests run; exits 1 below 99.5 %, 77 (skip) when the data
 * is not there, 2 when it cannot be read.
 */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "bw-json-lite.h"
#include "vmm/cpu/bw-x86-cpu.h"

#define RAM_SIZE (16u << 20)
#define PASS_PERCENT 99.5

/* ---- the machine: 16 MiB of RAM, open bus everywhere else ---------------- */

typedef struct
{
  uint8_t *ram;
} Machine;

static uint8_t *
map_page (void *opaque, uint64_t page, bool write)
{
  Machine *m = opaque;
  return page < RAM_SIZE ? m->ram + page : NULL;
}

static uint32_t
mmio_read (void *opaque, uint64_t addr, unsigned size)
{
  return 0xffffffffu;
}

static void
mmio_write (void *opaque, uint64_t addr, unsigned size, uint32_t value)
{
}

static uint32_t
port_in (void *opaque, uint16_t port, unsigned size)
{
  return 0xffffffffu; /* the recording board's open bus */
}

static void
port_out (void *opaque, uint16_t port, unsigned size, uint32_t value)
{
}

/* ---- the skip list --------------------------------------------------------
 *
 * Forms where a 386-class CPU (which Boxwood's is: a Pentium II) legitimately
 * differs from the 80286 that recorded the data. Each rule names the form
 * and says why; a test it matches is counted as skipped, not as run. */

typedef struct
{
  const char *form; /* file stem, e.g. "9D" or "F6.7"; "*" for every form */
  gboolean (*match) (BwJson *test);
  const char *why;
} SkipRule;

static int64_t
reg_of (BwJson *regs, const char *name)
{
  BwJson *v = bw_json_get (regs, name);
  return v ? v->num : -1;
}

static int
ram_byte (BwJson *ram, int64_t addr)
{
  for (BwJson *e = ram ? ram->child : NULL; e; e = e->next)
    if (bw_json_index (e, 0)->num == addr)
      return (int) bw_json_index (e, 1)->num;
  return -1;
}

/* Opcode and ModRM byte of the test's instruction, after its prefixes. */
static gboolean
opcode_modrm (BwJson *t, int *opc, int *modrm)
{
  BwJson *bytes = bw_json_get (t, "bytes");
  BwJson *b = bytes ? bytes->child : NULL;
  while (b && (b->num == 0x26 || b->num == 0x2e || b->num == 0x36 || b->num == 0x3e
               || b->num == 0xf0 || b->num == 0xf2 || b->num == 0xf3))
    b = b->next;
  if (!b || !b->next)
    return FALSE;
  *opc = (int) b->num;
  *modrm = (int) b->next->num;
  return TRUE;
}

/* MOV to or from segment register 4 or 5: FS and GS exist on a 386; the
 * 286 raises #UD. */
static gboolean
uses_fs_gs (BwJson *t)
{
  int opc, modrm;
  return opcode_modrm (t, &opc, &modrm) && (opc == 0x8c || opc == 0x8e)
         && ((modrm >> 3) & 7) >= 4 && ((modrm >> 3) & 7) <= 5;
}

static gboolean
has_exception (BwJson *t, int vector)
{
  BwJson *exc = bw_json_get (t, "exception");
  return exc && bw_json_get (exc, "number")->num == vector;
}

/* An FPU escape whose memory operand faulted: without a coprocessor the
 * 286 still runs the operand through its bus unit; a 386 without one
 * does not touch it. */
static gboolean
esc_operand_fault (BwJson *t)
{
  return has_exception (t, 13);
}

/* A string instruction faulting on a word at offset FFFF: the 286 has
 * already stepped SI/DI; a 386 faults with the registers unchanged. */
static gboolean
string_prestep (BwJson *t)
{
  BwJson *f = bw_json_get (bw_json_get (t, "final"), "regs");
  return has_exception (t, 13) && (bw_json_get (f, "si") || bw_json_get (f, "di"));
}

/* Longer than 10 bytes with its prefixes: the 286 raises #GP, a 386
 * accepts up to 15. */
static gboolean
longer_than_10 (BwJson *t)
{
  /* bytes: the instruction and the HLT after it. */
  return has_exception (t, 13) && bw_json_get (t, "bytes")->n_children - 1 > 10;
}

static const SkipRule skip_rules[] = {
  { "*", longer_than_10, "instruction over 10 bytes: #GP on the 286, fine on a 386" },
  { "8C", uses_fs_gs, "FS/GS exist on a 386 (#UD on the 286)" },
  { "8E", uses_fs_gs, "FS/GS exist on a 386 (#UD on the 286)" },
  { "D8", esc_operand_fault, "ESC operand checked by the 286 without an FPU" },
  { "D9", esc_operand_fault, "ESC operand checked by the 286 without an FPU" },
  { "DA", esc_operand_fault, "ESC operand checked by the 286 without an FPU" },
  { "DB", esc_operand_fault, "ESC operand checked by the 286 without an FPU" },
  { "DC", esc_operand_fault, "ESC operand checked by the 286 without an FPU" },
  { "DD", esc_operand_fault, "ESC operand checked by the 286 without an FPU" },
  { "DE", esc_operand_fault, "ESC operand checked by the 286 without an FPU" },
  { "DF", esc_operand_fault, "ESC operand checked by the 286 without an FPU" },
  { "6C", string_prestep, "286 steps SI/DI before a segment-overrun fault" },
  { "6D", string_prestep, "286 steps SI/DI before a segment-overrun fault" },
  { "6E", string_prestep, "286 steps SI/DI before a segment-overrun fault" },
  { "6F", string_prestep, "286 steps SI/DI before a segment-overrun fault" },
  { "A4", string_prestep, "286 steps SI/DI before a segment-overrun fault" },
  { "A5", string_prestep, "286 steps SI/DI before a segment-overrun fault" },
  { "A6", string_prestep, "286 steps SI/DI before a segment-overrun fault" },
  { "A7", string_prestep, "286 steps SI/DI before a segment-overrun fault" },
  { "AA", string_prestep, "286 steps SI/DI before a segment-overrun fault" },
  { "AB", string_prestep, "286 steps SI/DI before a segment-overrun fault" },
  { "AC", string_prestep, "286 steps SI/DI before a segment-overrun fault" },
  { "AD", string_prestep, "286 steps SI/DI before a segment-overrun fault" },
  { "AE", string_prestep, "286 steps SI/DI before a segment-overrun fault" },
  { "AF", string_prestep, "286 steps SI/DI before a segment-overrun fault" },
};

/* Checked after running: the 286 reports a segment-limit violation of an
 * SS-relative access (stack operations, [BP+..] operands) as #GP (13); a
 * 386 raises #SS (12). Such a test runs with the vector-13 handler also
 * installed for vector 12, and is skipped when the vector is the only
 * difference: it expected 13, the CPU delivered 12, all else matched. */
#define SKIP_SS_FAULT "SS-relative overrun is #SS on a 386, #GP on the 286"

/* Relaxed checks: forms that run, with some FLAGS bits left out of the
 * comparison. In real mode a 386 lets POPF and IRET load IOPL (bits
 * 12-13) and NT (bit 14) from the popped image; the 286 keeps them clear. */
typedef struct
{
  const char *form;
  uint32_t ignore_flags;
} Relaxation;

static const Relaxation relaxations[] = {
  { "9D", 0x7000 },
  { "CF", 0x7000 },
};

static uint32_t
relaxed_mask (const char *form)
{
  for (guint k = 0; k < G_N_ELEMENTS (relaxations); k++)
    if (strcmp (relaxations[k].form, form) == 0)
      return relaxations[k].ignore_flags;
  return 0;
}

static const char *
skip_reason (const char *form, BwJson *test)
{
  for (guint k = 0; k < G_N_ELEMENTS (skip_rules); k++)
    if ((strcmp (skip_rules[k].form, "*") == 0 || strcmp (skip_rules[k].form, form) == 0)
        && skip_rules[k].match (test))
      return skip_rules[k].why;
  return NULL;
}

/* ---- one test -------------------------------------------------------------- */

static const char *const reg_names[] = { "ax", "cx", "dx", "bx", "sp", "bp", "si", "di" };
static const char *const seg_names[] = { "es", "cs", "ss", "ds" };

static void
load_state (BwX86Cpu *cpu, BwJson *regs)
{
  BwX86State st;
  bw_x86_cpu_get_state (cpu, &st);
  memset (&st, 0, sizeof st);
  for (int r = 0; r < 8; r++)
    st.gpr[r] = (uint32_t) reg_of (regs, reg_names[r]);
  for (int s = 0; s < 6; s++)
    {
      uint16_t sel = s < 4 ? (uint16_t) reg_of (regs, seg_names[s]) : 0;
      st.seg[s] = (BwX86SegState){ .selector = sel, .base = (uint32_t) sel << 4,
                                   .limit = 0xffff,
                                   .attr = 0x80 | 0x10 | (s == 1 ? 0x0b : 0x03) };
    }
  st.eip = (uint32_t) reg_of (regs, "ip");
  /* IOPL and NT cannot be set in real mode on the 286 (README). */
  st.eflags = (uint32_t) reg_of (regs, "flags") & 0x0fffu;
  st.idtr = (BwX86TableReg){ 0, 0x3ff };
  st.gdtr = (BwX86TableReg){ 0, 0xffff };
  st.ldtr = (BwX86SegState){ .limit = 0xffff, .attr = 0x82 };
  st.tr = (BwX86SegState){ .limit = 0xffff, .attr = 0x8b };
  bw_x86_cpu_set_state (cpu, &st);
}

static gboolean verbose;

typedef struct
{
  guint run, passed, skipped;
  GString *first_failure;
} FormResult;

static void
fail_note (FormResult *res, BwJson *test, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static void
fail_note (FormResult *res, BwJson *test, const char *fmt, ...)
{
  if (res->first_failure->len > 0 && !verbose)
    return;
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  BwJson *name = bw_json_get (test, "name");
  BwJson *hash = bw_json_get (test, "hash");
  g_string_append_printf (res->first_failure, "    %s (%s): %s\n", name ? name->str : "?",
                          hash ? hash->str : "?", msg);
}

typedef enum
{
  RESULT_PASS,
  RESULT_FAIL,
  RESULT_SKIP,
} Result;

static Result
run_test (BwX86Cpu *cpu, Machine *m, BwJson *test, uint32_t flags_mask, FormResult *res)
{
  BwJson *init = bw_json_get (test, "initial");
  BwJson *fin = bw_json_get (test, "final");
  BwJson *iregs = bw_json_get (init, "regs"), *fregs = bw_json_get (fin, "regs");
  BwJson *iram = bw_json_get (init, "ram"), *fram = bw_json_get (fin, "ram");
  BwJson *exc = bw_json_get (test, "exception");
  if (!iregs || !fregs || !iram || !fram)
    {
      fail_note (res, test, "malformed test");
      return RESULT_FAIL;
    }

  for (BwJson *e = iram->child; e; e = e->next)
    {
      int64_t addr = bw_json_index (e, 0)->num;
      if (addr < 0 || addr >= RAM_SIZE)
        continue;
      m->ram[addr] = (uint8_t) bw_json_index (e, 1)->num;
      /* The loader writes behind the CPU, like DMA. */
      bw_x86_cpu_invalidate_code (cpu, (uint64_t) addr, 1);
    }
  load_state (cpu, iregs);

  /* Where the 286 raised #GP for an SS-relative overrun, a 386 raises #SS:
   * give vector 12 the test's vector-13 handler (unless the test set it),
   * so that everything else can still be compared. */
  gboolean gp_expected = exc && bw_json_get (exc, "number")->num == 13;
  if (gp_expected && ram_byte (iram, 0x30) < 0 && ram_byte (iram, 0x34) >= 0)
    {
      for (int k = 0; k < 4; k++)
        m->ram[0x30 + k] = (uint8_t) ram_byte (iram, 0x34 + k);
      bw_x86_cpu_invalidate_code (cpu, 0x30, 4);
    }

  BwX86Exit why = bw_x86_cpu_run (cpu, 200000);
  if (why != BW_X86_EXIT_HLT)
    {
      fail_note (res, test, "did not reach HLT (exit %d)", why);
      return RESULT_FAIL;
    }

  BwX86State st;
  bw_x86_cpu_get_state (cpu, &st);
  gboolean ok = TRUE;
  for (int r = 0; r < 8; r++)
    {
      int64_t want = reg_of (fregs, reg_names[r]);
      if (want < 0)
        want = reg_of (iregs, reg_names[r]);
      if ((st.gpr[r] & 0xffff) != want)
        {
          fail_note (res, test, "%s = %04x, want %04x", reg_names[r], st.gpr[r] & 0xffff,
                     (unsigned) want);
          ok = FALSE;
        }
    }
  for (int s = 0; s < 4; s++)
    {
      int64_t want = reg_of (fregs, seg_names[s]);
      if (want < 0)
        want = reg_of (iregs, seg_names[s]);
      if (st.seg[s].selector != want)
        {
          fail_note (res, test, "%s = %04x, want %04x", seg_names[s], st.seg[s].selector,
                     (unsigned) want);
          ok = FALSE;
        }
    }
  int64_t want_ip = reg_of (fregs, "ip");
  if (want_ip < 0)
    want_ip = reg_of (iregs, "ip");
  if ((st.eip & 0xffff) != want_ip)
    {
      fail_note (res, test, "ip = %04x, want %04x", st.eip & 0xffff, (unsigned) want_ip);
      ok = FALSE;
    }
  int64_t want_f = reg_of (fregs, "flags");
  if (want_f < 0)
    want_f = reg_of (iregs, "flags") & 0x0fff;
  if (((st.eflags ^ (uint32_t) want_f) & flags_mask & 0xffff) != 0)
    {
      fail_note (res, test, "flags = %04x, want %04x (mask %04x)", st.eflags & 0xffff,
                 (unsigned) want_f, flags_mask);
      ok = FALSE;
    }

  /* The FLAGS image an exception pushed: the handler halts at once, so it
   * lies 4 bytes above the final SS:SP. (The data's flag_address is even-
   * aligned, which misses it when SP is odd.) */
  int64_t flag_addr = -1, flag_addr2 = -1;
  if (exc)
    {
      int64_t ss = reg_of (fregs, "ss"), sp = reg_of (fregs, "sp");
      if (ss < 0)
        ss = reg_of (iregs, "ss");
      if (sp < 0)
        sp = reg_of (iregs, "sp");
      flag_addr = ss * 16 + ((sp + 4) & 0xffff);
      flag_addr2 = ss * 16 + ((sp + 5) & 0xffff);
    }
  for (BwJson *e = fram->child; e; e = e->next)
    {
      int64_t addr = bw_json_index (e, 0)->num;
      int want = (int) bw_json_index (e, 1)->num;
      if (addr < 0 || addr >= RAM_SIZE)
        continue;
      int mask = 0xff;
      /* The FLAGS image pushed by an exception: ignore undefined flags. */
      if (addr == flag_addr)
        mask = flags_mask & 0xff;
      else if (addr == flag_addr2)
        mask = (flags_mask >> 8) & 0xff;
      if ((m->ram[addr] ^ want) & mask)
        {
          fail_note (res, test, "ram[%06x] = %02x, want %02x", (unsigned) addr, m->ram[addr],
                     want);
          ok = FALSE;
        }
    }
  if (ok && gp_expected && bw_x86_cpu_get_last_vector (cpu) == 12)
    {
      if (verbose)
        g_print ("  skip %s: %s\n", bw_json_get (test, "name")->str, SKIP_SS_FAULT);
      return RESULT_SKIP;
    }
  return ok ? RESULT_PASS : RESULT_FAIL;
}

/* ---- files ------------------------------------------------------------------- */

static uint32_t
flags_mask_of (BwJson *meta, const char *form)
{
  g_auto (GStrv) parts = g_strsplit (form, ".", 2);
  BwJson *op = bw_json_get (bw_json_get (meta, "opcodes"), parts[0]);
  if (op && parts[1])
    op = bw_json_get (bw_json_get (op, "reg"), parts[1]);
  BwJson *mask = bw_json_get (op, "flags-mask");
  return mask ? (uint32_t) mask->num : 0xffffu;
}

static gboolean
run_file (BwX86Cpu *cpu, Machine *m, const char *path, const char *form, uint32_t flags_mask,
          FormResult *res, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GInputStream) raw = G_INPUT_STREAM (g_file_read (file, NULL, error));
  if (!raw)
    return FALSE;
  g_autoptr (GZlibDecompressor) z = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr (GInputStream) conv = g_converter_input_stream_new (raw, G_CONVERTER (z));
  g_autoptr (GDataInputStream) data = g_data_input_stream_new (conv);
  BwJsonDoc *doc = bw_json_doc_new ();
  gboolean ok = TRUE;

  for (;;)
    {
      gsize len;
      g_autofree char *line = g_data_input_stream_read_line (data, &len, NULL, error);
      if (!line)
        {
          ok = error == NULL || *error == NULL;
          break;
        }
      if (len == 0)
        continue;
      BwJson *test = bw_json_doc_parse (doc, line, error);
      if (!test)
        {
          g_prefix_error (error, "%s: ", path);
          ok = FALSE;
          break;
        }
      const char *why = skip_reason (form, test);
      if (why)
        {
          res->skipped++;
          if (verbose)
            g_print ("  skip %s: %s\n", bw_json_get (test, "name")->str, why);
          continue;
        }
      switch (run_test (cpu, m, test, flags_mask, res))
        {
        case RESULT_PASS:
          res->run++;
          res->passed++;
          break;
        case RESULT_FAIL:
          res->run++;
          break;
        case RESULT_SKIP:
          res->skipped++;
          break;
        }
    }
  bw_json_doc_free (doc);
  return ok;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

int
main (int argc, char **argv)
{
  const char *dir = NULL;
  GPtrArray *only = g_ptr_array_new ();
  for (int k = 1; k < argc; k++)
    {
      if (strcmp (argv[k], "-v") == 0)
        verbose = TRUE;
      else if (!dir && g_file_test (argv[k], G_FILE_TEST_IS_DIR))
        dir = argv[k];
      else
        g_ptr_array_add (only, argv[k]);
    }
  g_autofree char *default_dir = NULL;
  if (!dir)
    dir = g_getenv ("BW_CONFORMANCE_286");
  if (!dir)
    {
      const char *root = g_getenv ("BW_SOURCE_ROOT");
      default_dir = g_build_filename (root ? root : ".", "..", "shared", "conformance",
                                      "80286-real", NULL);
      dir = default_dir;
    }

  g_autofree char *meta_path = g_build_filename (dir, "metadata.json", NULL);
  g_autofree char *meta_text = NULL;
  g_autoptr (GError) error = NULL;
  if (!g_file_test (meta_path, G_FILE_TEST_EXISTS))
    {
      /* No data here (a checkout without ../shared): meson's skip code. */
      g_print ("bw-conformance-286: no conformance data at %s; skipped\n", dir);
      return 77;
    }
  if (!g_file_get_contents (meta_path, &meta_text, NULL, &error))
    {
      g_printerr ("bw-conformance-286: %s\n", error->message);
      return 2;
    }
  BwJsonDoc *meta_doc = bw_json_doc_new ();
  BwJson *meta = bw_json_doc_parse (meta_doc, meta_text, &error);
  if (!meta)
    {
      g_printerr ("bw-conformance-286: %s: %s\n", meta_path, error->message);
      return 2;
    }

  g_autoptr (GDir) d = g_dir_open (dir, 0, &error);
  if (!d)
    {
      g_printerr ("bw-conformance-286: %s\n", error->message);
      return 2;
    }
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)))
    if (g_str_has_suffix (name, ".jsonl.gz"))
      g_ptr_array_add (files, g_strdup (name));
  g_ptr_array_sort (files, compare_names);

  Machine m = { .ram = g_malloc0 (RAM_SIZE) };
  BwX86Bus bus = { .opaque = &m, .map_page = map_page, .mmio_read = mmio_read,
                   .mmio_write = mmio_write, .port_in = port_in, .port_out = port_out };
  BwX86Config config = { .has_fpu = FALSE };
  BwX86Cpu *cpu = bw_x86_cpu_new (&bus, &config);

  guint total_run = 0, total_pass = 0, total_skip = 0;
  gint64 t0 = g_get_monotonic_time ();
  for (guint k = 0; k < files->len; k++)
    {
      const char *fname = files->pdata[k];
      g_autofree char *form = g_strndup (fname, strlen (fname) - strlen (".jsonl.gz"));
      if (only->len)
        {
          gboolean want = FALSE;
          for (guint j = 0; j < only->len; j++)
            want |= g_ascii_strcasecmp (only->pdata[j], form) == 0;
          if (!want)
            continue;
        }
      g_autofree char *path = g_build_filename (dir, fname, NULL);
      FormResult res = { .first_failure = g_string_new (NULL) };
      uint32_t flags_mask = flags_mask_of (meta, form) & ~relaxed_mask (form);
      if (!run_file (cpu, &m, path, form, flags_mask, &res, &error))
        {
          g_printerr ("bw-conformance-286: %s\n", error->message);
          return 2;
        }
      total_run += res.run;
      total_pass += res.passed;
      total_skip += res.skipped;
      if (res.passed != res.run || verbose)
        g_print ("%-5s %4u/%-4u passed%s%s\n%s", form, res.passed, res.run,
                 res.skipped ? ", skipped " : "",
                 res.skipped ? g_strdup_printf ("%u", res.skipped) : "", res.first_failure->str);
      g_string_free (res.first_failure, TRUE);
    }
  double secs = (g_get_monotonic_time () - t0) / 1e6;
  double pct = total_run ? 100.0 * total_pass / total_run : 0;
  g_print ("80286 real mode: %u of %u tests passed (%.3f %%), %u skipped, %.1f s\n", total_pass,
           total_run, pct, total_skip, secs);

  bw_x86_cpu_free (cpu);
  g_free (m.ram);
  g_ptr_array_unref (files);
  g_ptr_array_unref (only);
  bw_json_doc_free (meta_doc);
  return total_run > 0 && pct >= PASS_PERCENT ? 0 : 1;
}
