/* test-x86-fpu.c: the x87 of the software CPU against the host's own x87
 * (x86-64 hosts): FADD FSUB FSUBR FMUL FDIV FDIVR in register, pop, m32,
 * m64, m32int and m16int forms, FSQRT, FRNDINT, FCOM/FUCOM/FCOMI and their
 * pops, FTST, FLD m32/m64, FST/FSTP m32/m64, FIST/FISTP m16/m32/m64.
 * Each case is one instruction between an FRSTOR of a random state and an
 * FNSAVE: the same bytes run as a 32-bit guest and natively, and the two saved images (control, status and tag words,
 * all eight registers, bit for bit), the memory operand and, for FCOMI,
 * EFLAGS must agree.
 * The states carry every rounding control, precision control 24, 53 and
 * 64 bits, random exception masks (an unmasked exception is left pending:
 * FNSAVE does not wait), sticky flags, empty registers, and operands at
 * the edges: denormals and pseudo-denormals, values on the 24- and 53-bit
 * rounding boundaries, exponents past double's range, NaNs, infinities.
 * Real-mode byte programs check 1/3 under each precision control and an
 * unmasked denormal-operand exception, and that the host's own control
 * word comes back unchanged. With CR0.NE clear, an unmasked exception
 * reaches the platform as FERR#: on a bus of this test's own (an IRQ 13
 * handler that writes port F0h), and through the software backend to IRQ
 * 13 of a real test platform.
 */
#include "config.h"

#include <fenv.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "bw-test.h"
#include "bw-test-machine.h"
#include "vmm/bw-cpu-backend.h"
#include "vmm/bw-platform.h"

#if defined(__x86_64__)

#define RAM_SIZE (1u << 20)
#define CODE_AT 0x1000u
#define IMG_IN 0x2000u
#define IMG_OUT 0x2100u
#define MEM_AT 0x2200u
#define IMG_BYTES 108 /* FNSAVE, 32-bit layout */

typedef BwTestMachine Machine;

/* Both sides' view: the FRSTOR image, the memory operand, the FNSAVE image
 * and EFLAGS after the instruction. */
typedef struct
{
  uint8_t in[IMG_BYTES];
  uint8_t mem[8];
  uint8_t out[IMG_BYTES + 4]; /* + EFLAGS */
} Run;

/* frstor [edi]; INSN; fnsave [esi]; pushf; pop eax; mov [esi+108], eax.
 * The same bytes in 32-bit and 64-bit code; the memory operand is [edx]. */
static unsigned
frame (uint8_t *p, const uint8_t *insn, unsigned len, uint8_t last)
{
  unsigned n = 0;
  p[n++] = 0xdd;
  p[n++] = 0x27;
  memcpy (p + n, insn, len);
  n += len;
  static const uint8_t tail[] = { 0xdd, 0x36, 0x9c, 0x58, 0x89, 0x46, IMG_BYTES };
  memcpy (p + n, tail, sizeof tail);
  n += sizeof tail;
  p[n++] = last;
  return n;
}

static Machine *
machine_new (void)
{
  BwX86Config config = { .has_fpu = TRUE };
  return bw_test_machine_new (RAM_SIZE, &config);
}

static void
run_guest (Machine *m, const uint8_t *insn, unsigned len, Run *r)
{
  unsigned n = frame (m->ram + CODE_AT, insn, len, 0xf4 /* HLT */);
  bw_x86_cpu_invalidate_code (m->cpu, CODE_AT, n);
  memcpy (m->ram + IMG_IN, r->in, IMG_BYTES);
  memcpy (m->ram + MEM_AT, r->mem, 8);

  BwX86State st;
  bw_x86_cpu_get_state (m->cpu, &st);
  BwX86SegState code = { .selector = 8, .base = 0, .limit = 0xffffffffu, .attr = 0xc09b };
  BwX86SegState data = { .selector = 16, .base = 0, .limit = 0xffffffffu, .attr = 0xc093 };
  for (int s = 0; s < BW_X86_N_SEGS; s++)
    st.seg[s] = data;
  st.seg[BW_X86_CS] = code;
  st.eip = CODE_AT;
  st.eflags = 2;
  st.cr0 = BW_X86_CR0_PE | BW_X86_CR0_ET | BW_X86_CR0_NE | BW_X86_CR0_MP;
  memset (st.gpr, 0, sizeof st.gpr);
  st.gpr[BW_X86_EDI] = IMG_IN;
  st.gpr[BW_X86_ESI] = IMG_OUT;
  st.gpr[BW_X86_EDX] = MEM_AT;
  st.gpr[BW_X86_ESP] = 0x8000;
  bw_x86_cpu_set_state (m->cpu, &st);

  BwX86Exit e = bw_x86_cpu_run (m->cpu, 100);
  ck_assert_int_eq (e, BW_X86_EXIT_HLT);
  memcpy (r->out, m->ram + IMG_OUT, sizeof r->out);
  memcpy (r->mem, m->ram + MEM_AT, 8);
}

typedef void (*Stub) (void *in, void *out, void *mem);

static void
run_host (uint8_t *page, const uint8_t *insn, unsigned len, Run *r)
{
  unsigned n = frame (page, insn, len, 0xc3 /* RET */);
  __builtin___clear_cache ((char *) page, (char *) page + n);
  ((Stub) (void *) page) (r->in, r->out, r->mem);
}

/* ---- inputs ----------------------------------------------------------------------- */

/* An 80-bit value: mostly normal numbers near 1, on the rounding
 * boundaries of 24 and 53 bits, at the exponent edges of float, double
 * and extended, and the specials. */
static void
gen_ext80 (GRand *r, uint8_t out[10])
{
  uint64_t m = ((uint64_t) g_rand_int (r) << 32) | g_rand_int (r);
  m |= 1ull << 63;
  unsigned e;
  static const unsigned exps[] = {
    0x3fff - 1022, 0x3fff - 1023, 0x3fff - 1074, 0x3fff + 1023, 0x3fff + 1024,
    0x3fff - 126,  0x3fff - 149,  0x3fff + 127,  0x3fff + 128,  0x3fff + 2000,
    0x3fff - 3000, 1,             2,             64,            0x7ffe,
    0x7ffd,        0x4000 + 8000, 0x3fff - 8000, 30,            0x7ff0,
  };
  switch (g_rand_int_range (r, 0, 10))
    {
    case 0:
    case 1:
      e = 0x3fff + g_rand_int_range (r, -40, 40);
      break;
    case 2: /* 24 or 53 significant bits, then a tail at half an ulp */
    case 3:
      {
        unsigned keep = g_rand_boolean (r) ? 24 : 53;
        m &= ~0ull << (64 - keep);
        static const int64_t tails[] = { 0, 1, -1, 2 };
        uint64_t half = 1ull << (63 - keep);
        m += (g_rand_boolean (r) ? half : 0) + tails[g_rand_int_range (r, 0, 4)];
        m |= 1ull << 63;
        e = 0x3fff + g_rand_int_range (r, -3, 3);
        break;
      }
    case 4:
    case 5:
      e = exps[g_rand_int_range (r, 0, G_N_ELEMENTS (exps))] + g_rand_int_range (r, -2, 3);
      e = CLAMP (e, 1, 0x7ffe);
      break;
    case 6: /* denormal, pseudo-denormal, zero */
      e = 0;
      switch (g_rand_int_range (r, 0, 4))
        {
        case 0: m >>= g_rand_int_range (r, 1, 64); break;
        case 1: m &= g_rand_boolean (r) ? 0x7fffffffffffffffull : 0xffull; break;
        case 2: break; /* J set: pseudo-denormal */
        default: m = 0;
        }
      break;
    case 7: /* infinity, NaNs */
      e = 0x7fff;
      switch (g_rand_int_range (r, 0, 4))
        {
        case 0: m = 1ull << 63; break;
        case 1: m = 0xc000000000000000ull; break;
        case 2: m |= 1ull << 62; break;
        default: m = (m & ~(1ull << 62)) | 1; /* signalling */
        }
      break;
    case 8: /* small integers: exact sums and products */
      {
        int v = g_rand_int_range (r, -20, 21);
        if (v == 0)
          v = 3;
        unsigned a = (unsigned) ABS (v);
        int lz = __builtin_clz (a);
        m = (uint64_t) a << (32 + lz);
        e = 0x3fff + (31 - lz);
        memcpy (out, &m, 8);
        uint16_t se = (uint16_t) (e | (v < 0 ? 0x8000 : 0));
        memcpy (out + 8, &se, 2);
        return;
      }
    default:
      e = 0x3fff + g_rand_int_range (r, -200, 200);
    }
  uint16_t se = (uint16_t) (e | (g_rand_boolean (r) ? 0x8000 : 0));
  memcpy (out, &m, 8);
  memcpy (out + 8, &se, 2);
}

static void
gen_mem (GRand *r, unsigned kind, uint8_t mem[8])
{
  uint64_t u = ((uint64_t) g_rand_int (r) << 32) | g_rand_int (r);
  switch (kind)
    {
    case 32: /* m32fp: specials, denormals, boundaries, random */
      {
        static const uint32_t special[] = { 0, 0x80000000, 1, 0x807fffff, 0x00400000,
                                            0x00800000, 0x7f7fffff, 0x7f800000, 0xff800000,
                                            0x7fc00000, 0x7f800001, 0x3f800000, 0x40400000,
                                            0x3eaaaaab, 0xbf000000, 0x4b800001 };
        uint32_t v;
        switch (g_rand_int_range (r, 0, 4))
          {
          case 0: v = special[g_rand_int_range (r, 0, G_N_ELEMENTS (special))]; break;
          case 1: v = (uint32_t) u & 0x807fffffu; break; /* denormal */
          case 2: v = ((uint32_t) u & 0x807fffffu) | ((uint32_t) g_rand_int_range (r, 100, 150) << 23); break;
          default: v = (uint32_t) u;
          }
        memcpy (mem, &v, 4);
        break;
      }
    case 64:
      {
        static const uint64_t special[] = { 0, 1, 0x000fffffffffffffull, 0x0010000000000000ull,
                                            0x7fefffffffffffffull, 0x7ff0000000000000ull,
                                            0x7ff8000000000000ull, 0x7ff0000000000001ull,
                                            0x3ff0000000000000ull, 0x4008000000000000ull,
                                            0x3fd5555555555555ull, 0xbfe0000000000000ull };
        uint64_t v;
        switch (g_rand_int_range (r, 0, 4))
          {
          case 0: v = special[g_rand_int_range (r, 0, G_N_ELEMENTS (special))]; break;
          case 1: v = u & 0x800fffffffffffffull; break;
          case 2: v = (u & 0x800fffffffffffffull) | ((uint64_t) g_rand_int_range (r, 900, 1150) << 52); break;
          default: v = u;
          }
        memcpy (mem, &v, 8);
        break;
      }
    default: /* integers: edges and small values */
      {
        static const int32_t edge[] = { 0, 1, -1, 3, -3, 7, 10, INT32_MAX, INT32_MIN, 32767,
                                        -32768, 16777217, -16777217 };
        int32_t v = g_rand_boolean (r) ? edge[g_rand_int_range (r, 0, G_N_ELEMENTS (edge))]
                                       : (int32_t) u;
        memcpy (mem, &v, 4);
      }
    }
}

/* ---- the instructions -------------------------------------------------------------- */

enum
{
  F_STI = 1,   /* ModRM + i, i = 0-7 */
  F_MEM = 2,   /* ModRM with [edx] */
  F_FLAGS = 4, /* compare EFLAGS (FCOMI) */
  F_PUSH = 8,  /* FLD: leave the slot below TOP mostly empty */
};

typedef struct
{
  const char *name;
  uint8_t opc, modrm;
  uint8_t flags;
  uint8_t mem; /* 32, 64 (fp), 132, 116 (int) */
} Case;

#define ARITH_MEM(pfx, opc, kind)                                                            \
  { pfx "add", opc, 0x02, F_MEM, kind }, { pfx "mul", opc, 0x0a, F_MEM, kind },              \
    { pfx "com", opc, 0x12, F_MEM, kind }, { pfx "comp", opc, 0x1a, F_MEM, kind },           \
    { pfx "sub", opc, 0x22, F_MEM, kind }, { pfx "subr", opc, 0x2a, F_MEM, kind },           \
    { pfx "div", opc, 0x32, F_MEM, kind }, { pfx "divr", opc, 0x3a, F_MEM, kind }
#define ARITH_REG(sfx, opc, com)                                                             \
  { "fadd" sfx, opc, 0xc0, F_STI, 0 }, { "fmul" sfx, opc, 0xc8, F_STI, 0 },                  \
    { "fsub" sfx, opc, 0xe0, F_STI, 0 }, { "fsubr" sfx, opc, 0xe8, F_STI, 0 },               \
    { "fdiv" sfx, opc, 0xf0, F_STI, 0 }, { "fdivr" sfx, opc, 0xf8, F_STI, 0 }

static const Case cases[] = {
  ARITH_REG (" st0,sti", 0xd8, 0),
  { "fcom sti", 0xd8, 0xd0, F_STI, 0 },
  { "fcomp sti", 0xd8, 0xd8, F_STI, 0 },
  ARITH_REG (" sti,st0", 0xdc, 0),
  ARITH_REG ("p sti,st0", 0xde, 0),
  { "fcompp", 0xde, 0xd9, 0, 0 },
  ARITH_MEM ("f m32 ", 0xd8, 32),
  ARITH_MEM ("f m64 ", 0xdc, 64),
  ARITH_MEM ("fi m32 ", 0xda, 132),
  ARITH_MEM ("fi m16 ", 0xde, 116),
  { "fsqrt", 0xd9, 0xfa, 0, 0 },
  { "ftst", 0xd9, 0xe4, 0, 0 },
  { "frndint", 0xd9, 0xfc, 0, 0 },
  { "fucom", 0xdd, 0xe0, F_STI, 0 },
  { "fucomp", 0xdd, 0xe8, F_STI, 0 },
  { "fucompp", 0xda, 0xe9, 0, 0 },
  { "fucomi", 0xdb, 0xe8, F_STI | F_FLAGS, 0 },
  { "fcomi", 0xdb, 0xf0, F_STI | F_FLAGS, 0 },
  { "fucomip", 0xdf, 0xe8, F_STI | F_FLAGS, 0 },
  { "fcomip", 0xdf, 0xf0, F_STI | F_FLAGS, 0 },
  { "fld m32", 0xd9, 0x02, F_MEM | F_PUSH, 32 },
  { "fld m64", 0xdd, 0x02, F_MEM | F_PUSH, 64 },
  { "fst m32", 0xd9, 0x12, F_MEM, 32 },
  { "fstp m64", 0xdd, 0x1a, F_MEM, 64 },
  { "fist m16", 0xdf, 0x12, F_MEM, 116 },
  { "fistp m32", 0xdb, 0x1a, F_MEM, 132 },
  { "fistp m64", 0xdf, 0x3a, F_MEM, 64 },
};

static const unsigned pcs[3] = { 0, 2, 3 };

static void
gen_state (GRand *r, const Case *c, uint8_t img[IMG_BYTES], unsigned *pc_out)
{
  memset (img, 0, IMG_BYTES);
  unsigned masks = g_rand_int_range (r, 0, 3) == 0 ? g_rand_int (r) & 0x3f : 0x3f;
  unsigned pc = pcs[g_rand_int_range (r, 0, 3)];
  unsigned rc = g_rand_int_range (r, 0, 4);
  uint16_t cw = (uint16_t) (0x40 | masks | (pc << 8) | (rc << 10));
  unsigned top = g_rand_int_range (r, 0, 8);
  /* Sticky flags only where masked: an unmasked one would be pending. */
  uint16_t sw = (uint16_t) ((g_rand_int (r) & masks & 0x3f) | (g_rand_int (r) & 0x4700)
                            | (top << 11));
  uint16_t tw = 0;
  for (unsigned p = 0; p < 8; p++)
    {
      gboolean empty = g_rand_int_range (r, 0, 12) == 0;
      if ((c->flags & F_PUSH) && p == ((top - 1) & 7))
        empty = g_rand_int_range (r, 0, 8) != 0;
      if (empty)
        tw |= 3u << (2 * p);
    }
  memcpy (img + 0, &cw, 2);
  memcpy (img + 4, &sw, 2);
  memcpy (img + 8, &tw, 2);
  for (unsigned k = 0; k < 8; k++)
    gen_ext80 (r, img + 28 + 10 * k);
  *pc_out = pc;
}

static char *
describe (const uint8_t *img, gboolean flags)
{
  GString *s = g_string_new (NULL);
  uint16_t cw, sw, tw;
  memcpy (&cw, img, 2);
  memcpy (&sw, img + 4, 2);
  memcpy (&tw, img + 8, 2);
  g_string_append_printf (s, "cw=%04x sw=%04x tw=%04x", cw, sw, tw);
  for (unsigned k = 0; k < 8; k++)
    {
      uint64_t m;
      uint16_t se;
      memcpy (&m, img + 28 + 10 * k, 8);
      memcpy (&se, img + 36 + 10 * k, 2);
      g_string_append_printf (s, " st%u=%04x:%016llx", k, se, (unsigned long long) m);
    }
  if (flags)
    {
      uint32_t fl;
      memcpy (&fl, img + IMG_BYTES, 4);
      g_string_append_printf (s, " eflags=%03x", fl & 0x8d5);
    }
  return g_string_free (s, FALSE);
}

/* The parts both sides must agree on: control, status and tag words,
 * the registers, EFLAGS for FCOMI (FIP, FDP and the selectors differ). */
static gboolean
same_result (const Case *c, const Run *g, const Run *h)
{
  for (unsigned k = 0; k < 12; k += 4) /* the words; the bytes above them are reserved */
    if (memcmp (g->out + k, h->out + k, 2) != 0)
      return FALSE;
  if (memcmp (g->out + 28, h->out + 28, 80) != 0)
    return FALSE;
  if (memcmp (g->mem, h->mem, 8) != 0)
    return FALSE;
  if (c->flags & F_FLAGS)
    {
      uint32_t a, b;
      memcpy (&a, g->out + IMG_BYTES, 4);
      memcpy (&b, h->out + IMG_BYTES, 4);
      return (a & 0x8d5) == (b & 0x8d5);
    }
  return TRUE;
}

typedef struct
{
  unsigned runs, bad, by_pc[4], unmasked, denormal_flag;
} Tally;

static unsigned
run_case (Machine *m, uint8_t *page, const Case *c, GRand *rnd, unsigned n, Tally *t)
{
  unsigned bad = 0;
  for (unsigned it = 0; it < n; it++)
    {
      uint8_t insn[2] = { c->opc, c->modrm };
      if (c->flags & F_STI)
        insn[1] += g_rand_int_range (rnd, 0, 8);
      Run in;
      memset (&in, 0, sizeof in);
      unsigned pc;
      gen_state (rnd, c, in.in, &pc);
      if (c->flags & F_MEM)
        gen_mem (rnd, c->mem, in.mem);
      Run host = in, guest = in;
      run_host (page, insn, 2, &host);
      run_guest (m, insn, 2, &guest);
      t->runs++;
      t->by_pc[pc]++;
      uint16_t hsw, hcw;
      memcpy (&hsw, host.out + 4, 2);
      memcpy (&hcw, host.out, 2);
      if (hsw & 0x80)
        t->unmasked++;
      if (hsw & 0x02)
        t->denormal_flag++;
      if (!same_result (c, &guest, &host))
        {
          if (bad < 3)
            {
              g_autofree char *si = describe (in.in, FALSE);
              g_autofree char *sh = describe (host.out, c->flags & F_FLAGS);
              g_autofree char *sg = describe (guest.out, c->flags & F_FLAGS);
              uint64_t mem;
              memcpy (&mem, in.mem, 8);
              uint64_t hmem, gmem;
              memcpy (&hmem, host.mem, 8);
              memcpy (&gmem, guest.mem, 8);
              fprintf (stderr, "MISMATCH %s (%02x %02x) mem=%016llx\n  in:   %s\n  host: %s mem=%016llx\n  soft: %s mem=%016llx\n",
                       c->name, insn[0], insn[1], (unsigned long long) mem, si, sh,
                       (unsigned long long) hmem, sg, (unsigned long long) gmem);
            }
          bad++;
        }
    }
  return bad;
}

START_TEST (test_x87_against_host)
{
  uint8_t *page = mmap (NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ck_assert (page != MAP_FAILED);
  Machine *m = machine_new ();
  /* BW_FPU_SEED and BW_FPU_ITERATIONS widen the search by hand. */
  const char *seed = g_getenv ("BW_FPU_SEED"), *iters = g_getenv ("BW_FPU_ITERATIONS");
  unsigned n = iters ? (unsigned) g_ascii_strtoull (iters, NULL, 10) : 3000;
  GRand *rnd = g_rand_new_with_seed (seed ? (guint32) g_ascii_strtoull (seed, NULL, 0) : 0x8787);
  Tally t = { 0 };
  unsigned n_bad_cases = 0;
  for (unsigned k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      unsigned bad = run_case (m, page, &cases[k], rnd, n, &t);
      if (bad)
        {
          fprintf (stderr, "%s: %u of %u mismatch\n", cases[k].name, bad, n);
          n_bad_cases++;
        }
      t.bad += bad;
    }
  fprintf (stderr,
           "%u instruction forms, %u runs (PC 24/53/64: %u/%u/%u), %u left an unmasked "
           "exception pending, %u set DE; %u forms with mismatches\n",
           (unsigned) G_N_ELEMENTS (cases), t.runs, t.by_pc[0], t.by_pc[2], t.by_pc[3],
           t.unmasked, t.denormal_flag, n_bad_cases);
  g_rand_free (rnd);
  bw_test_machine_free (m);
  munmap (page, 4096);
  ck_assert_uint_eq (t.bad, 0);
}
END_TEST

/* ---- a real-mode program: precision control as a guest sets it ------------------ */

static uint64_t
mant_at (Machine *m, uint32_t at, uint16_t *se)
{
  uint64_t v;
  memcpy (&v, m->ram + at, 8);
  memcpy (se, m->ram + at + 8, 2);
  return v;
}

START_TEST (test_precision_control_guest)
{
  static const uint8_t code[] = {
    /* for each control word at 500h, 502h, 504h: fldcw; fld1; fidiv word [506h];
     * fstp tword [510h + 10h * k] */
    0xd9, 0x2e, 0x00, 0x05, 0xd9, 0xe8, 0xde, 0x36, 0x06, 0x05, 0xdb, 0x3e, 0x10, 0x05,
    0xd9, 0x2e, 0x02, 0x05, 0xd9, 0xe8, 0xde, 0x36, 0x06, 0x05, 0xdb, 0x3e, 0x20, 0x05,
    0xd9, 0x2e, 0x04, 0x05, 0xd9, 0xe8, 0xde, 0x36, 0x06, 0x05, 0xdb, 0x3e, 0x30, 0x05,
    /* PC = 24, round down: 2/3 */
    0xd9, 0x2e, 0x08, 0x05, 0xd9, 0xe8, 0xd8, 0xc0, 0xde, 0x36, 0x06, 0x05,
    0xdb, 0x3e, 0x40, 0x05,
    /* DE unmasked (cw 037dh): fld qword [50ah], a denormal double: no push,
     * DE and ES pending; fnstsw [50eh]; fnclex */
    0xd9, 0x2e, 0x0c, 0x05, 0xdd, 0x06, 0x60, 0x05, 0xdd, 0x3e, 0x0e, 0x05, 0xdb, 0xe2,
    0xf4,
  };
  Machine *m = machine_new ();
  static const uint16_t words[] = { 0x007f, 0x027f, 0x037f, 3, 0x047f, 0, 0x037d };
  memcpy (m->ram + 0x500, words, sizeof words);
  uint64_t denormal = 0x0000000000012345ull;
  memcpy (m->ram + 0x560, &denormal, 8);
  bw_test_machine_load_real (m, 0, 0x1000, code, sizeof code);
  bw_test_machine_run_to_hlt (m);

  uint16_t se;
  ck_assert_uint_eq (mant_at (m, 0x510, &se), 0xaaaaab0000000000ull); /* 24 bits */
  ck_assert_uint_eq (se, 0x3ffd);
  ck_assert_uint_eq (mant_at (m, 0x520, &se), 0xaaaaaaaaaaaaa800ull); /* 53 bits */
  ck_assert_uint_eq (se, 0x3ffd);
  ck_assert_uint_eq (mant_at (m, 0x530, &se), 0xaaaaaaaaaaaaaaabull); /* 64 bits */
  ck_assert_uint_eq (se, 0x3ffd);
  ck_assert_uint_eq (mant_at (m, 0x540, &se), 0xaaaaaa0000000000ull); /* 2/3 rounded down */
  ck_assert_uint_eq (se, 0x3ffe);
  uint16_t sw;
  memcpy (&sw, m->ram + 0x50e, 2);
  ck_assert_uint_eq (sw & 0x80df, 0x8082); /* B, ES, DE (PE is sticky from above) */
  /* An unmasked DE does not stop FLD (the x87 loads the value all the
   * same): TOP 7, the denormal normalized in ST(0). */
  ck_assert_uint_eq ((sw >> 11) & 7, 7);
  uint8_t fx[512];
  bw_x86_cpu_get_fxsave (m->cpu, fx);
  uint64_t m0;
  uint16_t se0;
  memcpy (&m0, fx + 32, 8);
  memcpy (&se0, fx + 40, 2);
  ck_assert_uint_eq (m0, 0x12345ull << (63 - 16));
  ck_assert_uint_eq (se0, 0x3fff - 1022 - 36);

  /* The host's own FPU state is as it was. */
  uint16_t hcw;
  __asm__ volatile ("fnstcw %0" : "=m"(hcw));
  ck_assert_uint_eq (hcw & 0x0f3f, 0x033f);
  ck_assert_int_eq (fegetround (), FE_TONEAREST);
  volatile long double third = 1.0L;
  third /= 3;
  uint64_t hm;
  long double copy = third;
  memcpy (&hm, &copy, 8);
  ck_assert_uint_eq (hm, 0xaaaaaaaaaaaaaaabull);
  bw_test_machine_free (m);
}
END_TEST

/* ---- FERR# and IGNNE# with CR0.NE clear ----------------------------------------- */

/* A bus with the PC's chipset logic for x87 errors: FERR# latched as IRQ
 * 13 (vector 75h here) until a write to port F0h, which asserts IGNNE#. */
typedef struct
{
  uint8_t *ram;
  BwX86Cpu *cpu;
  unsigned ferr_rises, ferr_falls;
  gboolean irq13;
} FerrBus;

static uint8_t *
fb_map_page (void *opaque, uint64_t page, bool write)
{
  FerrBus *b = opaque;
  return page < RAM_SIZE ? b->ram + page : NULL;
}

static uint32_t
fb_mmio_read (void *opaque, uint64_t addr, unsigned size)
{
  return 0xffffffffu;
}

static void
fb_mmio_write (void *opaque, uint64_t addr, unsigned size, uint32_t value)
{
}

static uint32_t
fb_port_in (void *opaque, uint16_t port, unsigned size)
{
  return 0xffffffffu;
}

static void
fb_port_out (void *opaque, uint16_t port, unsigned size, uint32_t value)
{
  FerrBus *b = opaque;
  if (port == 0xf0)
    {
      b->irq13 = FALSE;
      bw_x86_cpu_set_intr (b->cpu, false);
      bw_x86_cpu_set_ignne (b->cpu, true);
    }
}

static uint8_t
fb_intr_ack (void *opaque)
{
  return 0x75;
}

static void
fb_ferr (void *opaque, bool level)
{
  FerrBus *b = opaque;
  if (level)
    {
      b->ferr_rises++;
      b->irq13 = TRUE;
      bw_x86_cpu_set_intr (b->cpu, true);
    }
  else
    b->ferr_falls++;
}

START_TEST (test_ferr_irq13)
{
  FerrBus b = { .ram = g_malloc0 (RAM_SIZE) };
  BwX86Bus bus = { .opaque = &b, .map_page = fb_map_page, .mmio_read = fb_mmio_read,
                   .mmio_write = fb_mmio_write, .port_in = fb_port_in,
                   .port_out = fb_port_out, .intr_ack = fb_intr_ack, .ferr = fb_ferr };
  BwX86Config config = { .has_fpu = TRUE };
  b.cpu = bw_x86_cpu_new (&bus, &config);
  static const uint8_t code[] = {
    0xfb,                   /* sti */
    0xdb, 0xe3,             /* fninit */
    0xd9, 0x2e, 0x00, 0x05, /* fldcw [500h]: ZE unmasked */
    0xd9, 0xe8, 0xd9, 0xee, /* fld1; fldz */
    0xde, 0xf9,             /* fdivp: 1/0, ZE pending */
    0x9b,                   /* fwait: FERR#, IRQ 13 taken right after */
    0xa0, 0x00, 0x06, 0xa2, 0x04, 0x06, /* mov al, [600h]; mov [604h], al */
    0x9b,                   /* fwait: IGNNE# (the handler wrote F0h) */
    0xdd, 0x3e, 0x02, 0x05, /* fnstsw [502h] */
    0xdb, 0xe2,             /* fnclex: FERR# and IGNNE# fall */
    0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9, /* again: 1/0 */
    0xd9, 0xe8,             /* fld1 (waiting): FERR# again */
    0x90, 0x90,
    0xf4,
  };
  /* INT 75h: inc byte [600h]; out 0F0h, al; iret */
  static const uint8_t handler[] = { 0xfe, 0x06, 0x00, 0x06, 0xe6, 0xf0, 0xcf };
  memcpy (b.ram + 0x1000, code, sizeof code);
  memcpy (b.ram + 0x2000, handler, sizeof handler);
  const uint8_t vec[4] = { 0x00, 0x20, 0x00, 0x00 };
  memcpy (b.ram + 0x75 * 4, vec, 4);
  const uint16_t cw = 0x037b;
  memcpy (b.ram + 0x500, &cw, 2);

  BwX86State st;
  bw_x86_cpu_get_state (b.cpu, &st);
  for (int s = 0; s < BW_X86_N_SEGS; s++)
    st.seg[s] = (BwX86SegState){ .selector = 0, .base = 0, .limit = 0xffff, .attr = 0x93 };
  st.seg[BW_X86_CS] = (BwX86SegState){ .selector = 0, .base = 0, .limit = 0xffff, .attr = 0x9b };
  st.eip = 0x1000;
  st.gpr[BW_X86_ESP] = 0x8000;
  st.eflags = 2;
  st.cr0 = BW_X86_CR0_ET; /* NE clear */
  st.idtr = (BwX86TableReg){ 0, 0x3ff };
  bw_x86_cpu_set_state (b.cpu, &st);
  ck_assert_int_eq (bw_x86_cpu_run (b.cpu, 1000), BW_X86_EXIT_HLT);

  ck_assert_uint_eq (b.ferr_rises, 2);
  ck_assert_uint_eq (b.ferr_falls, 1);
  ck_assert_uint_eq (b.ram[0x604], 1); /* the handler ran after the first FWAIT */
  ck_assert_uint_eq (b.ram[0x600], 2); /* and after the FLD1 */
  ck_assert (!b.irq13);                /* each time acknowledged at port F0h */
  ck_assert_int_eq (bw_x86_cpu_get_last_vector (b.cpu), 0x75);
  uint16_t sw;
  memcpy (&sw, b.ram + 0x502, 2);
  ck_assert_uint_eq (sw & 0x80ff, 0x8084); /* B ES ZE: pending all along, no #MF */
  bw_x86_cpu_free (b.cpu);
  g_free (b.ram);
}
END_TEST

/* The software backend on a test platform: FERR# is IRQ 13 until port F0h. */
START_TEST (test_ferr_backend)
{
  BwPlatform *platform = bw_platform_new_test (16);
  const BwCpuBackend *backend = bw_cpu_backend_find ("software");
  ck_assert_ptr_nonnull (backend);
  g_autoptr (GError) error = NULL;
  BwVcpu *vcpu = backend->vcpu_new (platform, 0, &error);
  ck_assert_msg (vcpu != NULL, "vcpu_new: %s", error ? error->message : "?");
  static const uint8_t code[] = {
    0xfa, 0xdb, 0xe3, 0xd9, 0x2e, 0x00, 0x05, 0xd9, 0xe8, 0xd9, 0xee, 0xde, 0xf9,
    0x9b, 0xf4,             /* as above, IF clear; hlt */
    0xe6, 0xf0, 0xf4,       /* out 0F0h, al; hlt */
  };
  const uint16_t cw = 0x037b;
  BwMemory *mem = bw_platform_get_memory (platform);
  ck_assert (bw_memory_write (mem, 0x1000, code, sizeof code));
  ck_assert (bw_memory_write (mem, 0x500, &cw, 2));
  BwX86Regs regs;
  bw_x86_regs_init_reset (&regs, 0x633); /* CR0.NE clear */
  regs.seg[BW_X86_SEG_CS].selector = 0;
  regs.seg[BW_X86_SEG_CS].base = 0;
  regs.rip = 0x1000;
  regs.gpr[BW_X86_REG_RSP] = 0x8000;
  ck_assert (backend->set_regs (vcpu, &regs, &error));
  BwIrqRouter *router = bw_platform_get_irq_router (platform);

  ck_assert_int_eq (backend->run (vcpu, &error), BW_CPU_EXIT_HALTED);
  bw_platform_lock (platform);
  ck_assert (bw_irq_router_get_gsi_level (router, 13));
  bw_platform_unlock (platform);
  ck_assert (backend->get_regs (vcpu, &regs, &error));
  regs.rip = 0x100f;
  ck_assert (backend->set_regs (vcpu, &regs, &error));
  ck_assert_int_eq (backend->run (vcpu, &error), BW_CPU_EXIT_HALTED);
  bw_platform_lock (platform);
  ck_assert (!bw_irq_router_get_gsi_level (router, 13));
  bw_platform_unlock (platform);
  backend->vcpu_free (vcpu);
  bw_platform_free (platform);
}
END_TEST

#endif

static Suite *
fpu_suite (void)
{
  Suite *s = suite_create ("x86-fpu");
  TCase *tc = tcase_create ("against-host");
  tcase_set_timeout (tc, 60);
#if defined(__x86_64__)
  tcase_add_test (tc, test_x87_against_host);
  tcase_add_test (tc, test_precision_control_guest);
  tcase_add_test (tc, test_ferr_irq13);
  tcase_add_test (tc, test_ferr_backend);
#endif
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (fpu_suite ());
}
