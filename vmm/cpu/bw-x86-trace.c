/* bw-x86-trace.c: the instruction trace (bw_x86_cpu_set_trace()).
 *
 * While a trace is on, step_check sends every instruction through the
 * run loop's one-instruction path (bw-x86-debug.c), which calls
 * bw_x86_trace_insn() before executing it; the decoded blocks and their
 * fast path are untouched, so a CPU without a trace pays nothing.
 */
#include "config.h"

#include <capstone/capstone.h>

#include "vmm/cpu/bw-x86-private.h"

struct _BwX86Trace
{
  FILE *out;
  unsigned flags;
  csh cs16, cs32;
  unsigned lines; /* flushed every so often: a guest may never stop */
};

void
bw_x86_trace_free (BwX86Cpu *cpu)
{
  struct _BwX86Trace *t = cpu->trace;
  if (!t)
    return;
  cpu->trace = NULL;
  if (t->cs16)
    cs_close (&t->cs16);
  if (t->cs32)
    cs_close (&t->cs32);
  fflush (t->out);
  g_free (t);
}

bool
bw_x86_cpu_set_trace (BwX86Cpu *cpu, FILE *out, unsigned flags)
{
  bw_x86_trace_free (cpu);
  bool ok = true;
  if (out)
    {
      struct _BwX86Trace *t = g_new0 (struct _BwX86Trace, 1);
      t->out = out;
      t->flags = flags;
      if (cs_open (CS_ARCH_X86, CS_MODE_16, &t->cs16) != CS_ERR_OK
          || cs_open (CS_ARCH_X86, CS_MODE_32, &t->cs32) != CS_ERR_OK)
        {
          g_warning ("software CPU: the trace's disassembler (Capstone) cannot be opened");
          if (t->cs16)
            cs_close (&t->cs16);
          g_free (t);
          ok = false;
        }
      else
        cpu->trace = t;
    }
  bw_x86_debug_update (cpu);
  return ok;
}

/* The instruction's bytes again. The decoder has just fetched them, so
 * the pages are mapped and the translation cannot fault. */
static void
code_bytes (BwX86Cpu *cpu, uint32_t lin, unsigned len, uint8_t *out)
{
  for (unsigned k = 0; k < len; k++)
    {
      BwX86TlbEntry *e = bw_x86_tlb_fill (cpu, lin + k, BW_X86_ACC_X);
      uint32_t off = (lin + k) & 0xfff;
      out[k] = e->host ? e->host[off] : (uint8_t) bw_x86_phys_read (cpu, e->phys_page | off, 1);
    }
}

void
bw_x86_trace_insn (BwX86Cpu *cpu, const BwX86Insn *i)
{
  struct _BwX86Trace *t = cpu->trace;
  const BwX86Seg *cs = &cpu->seg[BW_X86_CS];
  uint8_t bytes[16];
  unsigned len = MIN (i->len, sizeof bytes);
  code_bytes (cpu, cs->s.base + cpu->eip, len, bytes);

  char hex[3 * 16 + 1] = "";
  for (unsigned k = 0; k < len; k++)
    g_snprintf (hex + 3 * k, 4, "%02x ", bytes[k]);
  cs_insn *insn = NULL;
  size_t n = cs_disasm (cs->big ? t->cs32 : t->cs16, bytes, len, cpu->eip, 1, &insn);
  fprintf (t->out, "%04x:%08x  %-24s %s%s%s\n", cs->s.selector, cpu->eip, hex,
           n ? insn[0].mnemonic : "(bad)", n && insn[0].op_str[0] ? " " : "",
           n ? insn[0].op_str : "");
  if (n)
    cs_free (insn, n);
  if (t->flags & BW_X86_TRACE_REGS)
    fprintf (t->out,
             "    EAX=%08x EBX=%08x ECX=%08x EDX=%08x ESI=%08x EDI=%08x EBP=%08x ESP=%08x "
             "EFL=%08x DS=%04x ES=%04x SS=%04x FS=%04x GS=%04x CPL=%u\n",
             cpu->gpr[BW_X86_EAX], cpu->gpr[BW_X86_EBX], cpu->gpr[BW_X86_ECX],
             cpu->gpr[BW_X86_EDX], cpu->gpr[BW_X86_ESI], cpu->gpr[BW_X86_EDI],
             cpu->gpr[BW_X86_EBP], cpu->gpr[BW_X86_ESP], bw_x86_get_eflags (cpu),
             cpu->seg[BW_X86_DS].s.selector, cpu->seg[BW_X86_ES].s.selector,
             cpu->seg[BW_X86_SS].s.selector, cpu->seg[BW_X86_FS].s.selector,
             cpu->seg[BW_X86_GS].s.selector, cpu->cpl);
  if (++t->lines % 65536 == 0)
    fflush (t->out);
}

void
bw_x86_trace_event (BwX86Cpu *cpu, int vector, gboolean soft, gboolean has_error,
                    uint32_t error)
{
  FILE *out = cpu->trace->out;
  /* The run loop sets exc_first to the vector of a fault it delivers, to
   * -1 for an external interrupt or a debug trap. */
  const char *kind = soft ? "int"
                     : (cpu->exc_first == vector || vector == BW_X86_EXC_DB) ? "exception"
                                                                              : "interrupt";
  fprintf (out, "---- %s %02x", kind, vector);
  if (has_error)
    fprintf (out, " error %04x", error);
  fprintf (out, " at %04x:%08x\n", cpu->seg[BW_X86_CS].s.selector, cpu->eip);
  if (!soft && vector < 32 && vector != BW_X86_EXC_DB && vector != BW_X86_EXC_PF)
    fflush (out); /* what led to a crash is worth keeping */
}
