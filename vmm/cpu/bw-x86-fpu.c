/* bw-x86-fpu.c: the x87 FPU (D8-DF escapes, FWAIT).
 *
 * Registers are held as the host's long double. On x86 hosts that is the
 * x87's own 80-bit extended format, so loads and stores of m80 operands
 * are exact. The operations whose results depend on the control word run
 * as the same x87 instruction on the host with the guest's rounding,
 * precision control and exception masks loaded into the host's control
 * word for that one instruction (host_x87, host_store, host_load): FADD
 * FSUB FSUBR FMUL FDIV FDIVR in every form, FSQRT, FRNDINT, the compares,
 * FST/FIST and FLD m32/m64. The host thus rounds to 24, 53 or 64 bits with
 * the full 15-bit exponent range and gives the guest's IE DE ZE OE UE PE,
 * C1 and condition codes, and the rebiased result of an unmasked OE/UE.
 * The transcendentals use the host's libm under the guest's rounding
 * (fesetround) at 64 bits, as precision control does not apply to them;
 * they take DE from their operands. Other hosts compute in C at 64 bits
 * without DE or C1. The MMX registers are the mantissas of the physical
 * registers (see bw_x86_mmx_enter); the FXSAVE image also carries the SSE
 * state.
 * With CR0.NE clear, a pending unmasked exception goes out as FERR# on the
 * bus (a PC latches it as IRQ 13; port F0h answers with IGNNE#), see
 * pending_check. Not modelled: the transcendentals' results are libm's,
 * not the x87's own; the freeze of a waiting instruction until IRQ 13
 * (here it completes first).
 */
#include "config.h"

#include <fenv.h>
#include <math.h>

#include "vmm/cpu/bw-x86-private.h"
#include "vmm/cpu/bw-x86-simd.h"

#define FSW_IE 0x0001u
#define FSW_DE 0x0002u
#define FSW_ZE 0x0004u
#define FSW_OE 0x0008u
#define FSW_UE 0x0010u
#define FSW_PE 0x0020u
#define FSW_SF 0x0040u
#define FSW_ES 0x0080u
#define FSW_C0 0x0100u
#define FSW_C1 0x0200u
#define FSW_C2 0x0400u
#define FSW_C3 0x4000u
#define FSW_B 0x8000u
#define FSW_CC (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)

typedef struct
{
  long double st[8]; /* physical registers */
  uint8_t empty;     /* bit per physical register */
  uint16_t fcw, fsw; /* fsw without TOP */
  unsigned top;
  uint32_t fip, fdp;
  uint16_t fcs, fds, fop;
  uint8_t underflow; /* this instruction read an empty register */
  uint8_t ferr;      /* FERR# asserted to the platform (CR0.NE clear) */
  uint8_t ignne;     /* IGNNE# from the chipset (a write to port F0h) */
} Fpu;

/* The FPU state lives in the CPU struct's fpu_state bytes. */
G_STATIC_ASSERT (sizeof (Fpu) <= sizeof (((BwX86Cpu *) 0)->fpu_state));

static inline Fpu *
fpu_of (BwX86Cpu *cpu)
{
  return (Fpu *) cpu->fpu_state;
}

void
bw_x86_fpu_init (BwX86Cpu *cpu)
{
  Fpu *f = fpu_of (cpu);
  memset (f, 0, sizeof *f);
  f->fcw = 0x037f;
  f->empty = 0xff;
}

/* Power-on SSE state (INIT keeps it, as it keeps the x87 registers). */
void
bw_x86_sse_reset (BwX86Cpu *cpu)
{
  memset (cpu->xmm, 0, sizeof cpu->xmm);
  cpu->mxcsr = BW_X86_MXCSR_DEFAULT;
}

/* ---- the register stack ---------------------------------------------------- */

static inline unsigned
phys (Fpu *f, unsigned i)
{
  return (f->top + i) & 7;
}

static inline gboolean
is_empty (Fpu *f, unsigned i)
{
  return (f->empty >> phys (f, i)) & 1;
}

/* The default NaN an invalid operation produces with IE masked. */
static long double
indefinite (void)
{
  return -NAN;
}

/* Records exceptions; returns FALSE when an unmasked one means the
 * destination must be left alone. */
static gboolean
raise_fp (Fpu *f, uint16_t bits)
{
  f->fsw |= bits;
  if (bits & ~f->fcw & 0x3f)
    {
      f->fsw |= FSW_ES | FSW_B;
      return FALSE;
    }
  return TRUE;
}

/* A waiting instruction (FWAIT, the x87 ones but the control group, MMX)
 * with an unmasked exception pending: #MF with CR0.NE set. With NE clear
 * the PC's way: FERR# goes to the platform, which latches it as IRQ 13;
 * the instruction completes and ends its block, so that the interrupt is
 * taken right after it (a real CPU freezes before the instruction until
 * the interrupt or IGNNE# comes, then runs it). After the handler's write
 * to port F0h (IGNNE#) nothing more is reported until FERR# falls with ES
 * (ferr_settle). */
static void
pending_check (BwX86Cpu *cpu, Fpu *f)
{
  if (!(f->fsw & FSW_ES))
    return;
  if (cpu->cr0 & BW_X86_CR0_NE)
    bw_x86_raise (cpu, BW_X86_EXC_MF);
  if (f->ferr || __atomic_load_n (&f->ignne, __ATOMIC_RELAXED))
    return;
  f->ferr = 1;
  if (cpu->bus.ferr)
    {
      cpu->bus.ferr (cpu->bus.opaque, true);
      bw_x86_block_stop_running (cpu);
    }
}

/* After an instruction that may clear ES (FNCLEX, FNINIT, FLDCW, FLDENV,
 * FRSTOR, FNSAVE): FERR# falls, and the chipset's IGNNE# with it. */
static void
ferr_settle (BwX86Cpu *cpu, Fpu *f, gboolean was_asserted)
{
  if (!was_asserted || (f->fsw & FSW_ES))
    return;
  f->ferr = 0;
  __atomic_store_n (&f->ignne, 0, __ATOMIC_RELAXED);
  if (cpu->bus.ferr)
    cpu->bus.ferr (cpu->bus.opaque, false);
}

void
bw_x86_cpu_set_ignne (BwX86Cpu *cpu, bool level)
{
  __atomic_store_n (&fpu_of (cpu)->ignne, level ? 1 : 0, __ATOMIC_RELAXED);
}

static long double
st_get (Fpu *f, unsigned i, gboolean *ok)
{
  if (is_empty (f, i))
    {
      /* Stack underflow. */
      f->underflow = 1;
      f->fsw &= ~FSW_C1;
      *ok = raise_fp (f, FSW_IE | FSW_SF);
      return indefinite ();
    }
  return f->st[phys (f, i)];
}

static void
st_set (Fpu *f, unsigned i, long double v)
{
  f->st[phys (f, i)] = v;
  f->empty &= ~(1u << phys (f, i));
}

static void
fpop (Fpu *f)
{
  f->empty |= 1u << phys (f, 0);
  f->top = (f->top + 1) & 7;
}

static gboolean
fpush (Fpu *f, long double v)
{
  unsigned t = (f->top - 1) & 7;
  if (!((f->empty >> t) & 1))
    {
      /* Stack overflow: with IE masked the indefinite is pushed. */
      f->fsw |= FSW_C1;
      if (!raise_fp (f, FSW_IE | FSW_SF))
        return FALSE;
      v = indefinite ();
    }
  else
    f->fsw &= ~FSW_C1;
  f->top = t;
  st_set (f, 0, v);
  return TRUE;
}

/* ---- host arithmetic with the guest's rounding and flags -------------------- */

static const int round_modes[4] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };

static void
host_begin (Fpu *f)
{
  feclearexcept (FE_ALL_EXCEPT);
  fesetround (round_modes[(f->fcw >> 10) & 3]);
}

/* Host exception flags to the guest's; FALSE when the result must not be
 * stored (an unmasked exception). */
static gboolean
host_end (Fpu *f)
{
  int e = fetestexcept (FE_ALL_EXCEPT);
  fesetround (FE_TONEAREST);
  uint16_t bits = 0;
  if (e & FE_INVALID)
    bits |= FSW_IE;
  if (e & FE_DIVBYZERO)
    bits |= FSW_ZE;
  if (e & FE_OVERFLOW)
    bits |= FSW_OE;
  if (e & FE_UNDERFLOW)
    bits |= FSW_UE;
  if (e & FE_INEXACT)
    bits |= FSW_PE;
  if (!bits)
    return TRUE;
  return raise_fp (f, bits);
}

/* ---- operations the host's x87 runs under the guest's control word ------------ *
 *
 * The arithmetic the architecture rounds by precision control (FADD FSUB
 * FSUBR FMUL FDIV FDIVR in every form, FSQRT) and the compares run as the
 * very x87 instruction on the host, with the guest's RC, PC and exception
 * masks in the host's control word: the host then rounds to 24, 53 or 64
 * bits with the full exponent range, reports DE, sets C1 and, for unmasked
 * OE or UE, leaves the rebiased result, exactly as the guest's FPU would.
 * Nothing the host runs in between can see an unmasked exception: the
 * status word is read and cleared with non-waiting instructions, and the
 * host's own control word (64-bit precision, all masked, as glibc's long
 * double functions expect) is back before the asm ends. Every operation
 * leaves the host's stack as deep as it found it. */

enum
{
  SRC_ST,  /* ST(i), already in a register */
  SRC_M32, /* m32fp */
  SRC_M64, /* m64fp */
  SRC_I32, /* m32int */
  SRC_I16, /* m16int */
  SRC_I64, /* m64int (FISTP only) */
  N_SRC
};

/* Operations: 0-7 as ModRM.reg of D8 (3, FCOMP, runs as 2), then these. */
enum
{
  HOP_FCOM = 2,
  HOP_FUCOM = 8,
  HOP_FTST,
  HOP_FSQRT,
  HOP_FRNDINT,
};

#if defined(__x86_64__) || defined(__i386__)

/* The host control word for a guest's: its masks, PC and RC. */
static inline uint16_t
host_cw (uint16_t fcw)
{
  return (uint16_t) ((fcw & 0x0f3fu) | 0x0040u);
}

/* *X = *X op Y (or the memory operand at MEM); returns the host's status
 * word after the operation. */
static uint16_t
host_x87 (uint16_t fcw, unsigned op, unsigned src, long double *x, long double y,
          const uint8_t *mem)
{
  uint16_t cw = host_cw (fcw), hcw, sw = 0;
  long double v = *x;
  __asm__ volatile ("fnstcw %0" : "=m"(hcw));
#define HX(bytes)                                                                          \
  __asm__ volatile ("fnclex\n\tfldcw %[cw]\n\t.byte " bytes "\n\t"                         \
                    "fnstsw %[sw]\n\tfnclex\n\tfldcw %[hcw]"                               \
                    : "+t"(v), [sw] "=m"(sw)                                               \
                    : [cw] "m"(cw), [hcw] "m"(hcw), "u"(y), "a"(mem),                      \
                      "m"(*(const uint8_t (*)[8]) mem));                                   \
  break
#define ROW(src, opc, b0, b1, b2, b4, b5, b6, b7)                                          \
  case (src) * 8 + 0: HX (opc ", " b0);                                                    \
  case (src) * 8 + 1: HX (opc ", " b1);                                                    \
  case (src) * 8 + 2:                                                                      \
  case (src) * 8 + 3: HX (opc ", " b2);                                                    \
  case (src) * 8 + 4: HX (opc ", " b4);                                                    \
  case (src) * 8 + 5: HX (opc ", " b5);                                                    \
  case (src) * 8 + 6: HX (opc ", " b6);                                                    \
  case (src) * 8 + 7: HX (opc ", " b7)
#define MEM_ROW(src, opc) ROW (src, opc, "0x00", "0x08", "0x10", "0x20", "0x28", "0x30", "0x38")
  /* Register forms are ST(0) op ST(1) (D8 C1+8*reg); memory forms [eAX]. */
  switch (op < 8 ? src * 8 + op : N_SRC * 8 + op)
    {
      ROW (SRC_ST, "0xd8", "0xc1", "0xc9", "0xd1", "0xe1", "0xe9", "0xf1", "0xf9");
      MEM_ROW (SRC_M32, "0xd8");
      MEM_ROW (SRC_M64, "0xdc");
      MEM_ROW (SRC_I32, "0xda");
      MEM_ROW (SRC_I16, "0xde");
    case N_SRC * 8 + HOP_FUCOM: HX ("0xdd, 0xe1");
    case N_SRC * 8 + HOP_FTST: HX ("0xd9, 0xe4");
    case N_SRC * 8 + HOP_FSQRT: HX ("0xd9, 0xfa");
    case N_SRC * 8 + HOP_FRNDINT: HX ("0xd9, 0xfc");
    default: g_assert_not_reached ();
    }
#undef MEM_ROW
#undef ROW
#undef HX
  *x = v;
  return sw;
}

/* FST/FIST to OUT (SRC_M32 ... SRC_I64) on the host under the guest's
 * control word, but FISTP m64 with IE masked: an unmasked one would keep
 * the copy it pops on the host's stack. */
static uint16_t
host_store (uint16_t fcw, unsigned kind, long double x, uint8_t out[8])
{
  uint16_t cw = host_cw (fcw), hcw, sw = 0;
  if (kind == SRC_I64)
    cw |= 1;
  __asm__ volatile ("fnstcw %0" : "=m"(hcw));
#define HS(bytes)                                                                          \
  __asm__ volatile ("fnclex\n\tfldcw %[cw]\n\t.byte " bytes "\n\t"                         \
                    "fnstsw %[sw]\n\tfnclex\n\tfldcw %[hcw]"                               \
                    : [sw] "=m"(sw), "+m"(*(uint8_t (*)[8]) out)                           \
                    : "t"(x), "a"(out), [cw] "m"(cw), [hcw] "m"(hcw));                     \
  break
  switch (kind)
    {
    case SRC_M32: HS ("0xd9, 0x10");
    case SRC_M64: HS ("0xdd, 0x10");
    case SRC_I16: HS ("0xdf, 0x10");
    case SRC_I32: HS ("0xdb, 0x10");
    default: HS ("0xd9, 0xc0, 0xdf, 0x38"); /* fld st(0); fistp qword [eax] */
    }
#undef HS
  return sw;
}

/* FLD m32fp/m64fp on the host with every exception masked (an unmasked
 * one would leave the host's stack one short); returns the status word. */
static uint16_t
host_load (unsigned src, const uint8_t *mem, long double *out)
{
  uint16_t cw = 0x037f, hcw, sw;
  long double v;
  __asm__ volatile ("fnstcw %0" : "=m"(hcw));
  if (src == SRC_M32)
    __asm__ volatile ("fnclex\n\tfldcw %[cw]\n\t.byte 0xd9, 0x00\n\t"
                      "fnstsw %[sw]\n\tfnclex\n\tfldcw %[hcw]"
                      : "=t"(v), [sw] "=m"(sw)
                      : [cw] "m"(cw), [hcw] "m"(hcw), "a"(mem), "m"(*(const uint8_t (*)[4]) mem));
  else
    __asm__ volatile ("fnclex\n\tfldcw %[cw]\n\t.byte 0xdd, 0x00\n\t"
                      "fnstsw %[sw]\n\tfnclex\n\tfldcw %[hcw]"
                      : "=t"(v), [sw] "=m"(sw)
                      : [cw] "m"(cw), [hcw] "m"(hcw), "a"(mem), "m"(*(const uint8_t (*)[8]) mem));
  *out = v;
  return sw;
}

#else

/* Other hosts: C arithmetic under the guest's rounding; 64-bit precision,
 * no DE, no C1, no rebiased results. */
static long double
src_value (unsigned src, const uint8_t *mem, long double y)
{
  switch (src)
    {
    case SRC_M32: { float v; memcpy (&v, mem, 4); return v; }
    case SRC_M64: { double v; memcpy (&v, mem, 8); return v; }
    case SRC_I32: { int32_t v; memcpy (&v, mem, 4); return v; }
    case SRC_I16: { int16_t v; memcpy (&v, mem, 2); return v; }
    default: return y;
    }
}

static uint16_t
host_x87 (uint16_t fcw, unsigned op, unsigned src, long double *x, long double y,
          const uint8_t *mem)
{
  static const int modes[4] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };
  long double a = *x, b = src_value (src, mem, y);
  uint16_t cc = 0;
  feclearexcept (FE_ALL_EXCEPT);
  fesetround (modes[(fcw >> 10) & 3]);
  switch (op)
    {
    case 0: *x = a + b; break;
    case 1: *x = a * b; break;
    case 4: *x = a - b; break;
    case 5: *x = b - a; break;
    case 6: *x = a / b; break;
    case 7: *x = b / a; break;
    case HOP_FSQRT: *x = sqrtl (a); break;
    case HOP_FRNDINT: *x = rintl (a); break;
    default:
      {
        if (op == HOP_FTST)
          b = 0;
        gboolean quiet = op == HOP_FUCOM;
        if (isunordered (a, b))
          {
            if (!quiet || issignaling (a) || issignaling (b))
              feraiseexcept (FE_INVALID);
            cc = 0x4500;
          }
        else
          cc = a > b ? 0 : a < b ? 0x0100 : 0x4000;
      }
    }
  int e = fetestexcept (FE_ALL_EXCEPT);
  fesetround (FE_TONEAREST);
  return cc | (e & FE_INVALID ? 0x01 : 0) | (e & FE_DIVBYZERO ? 0x04 : 0)
         | (e & FE_OVERFLOW ? 0x08 : 0) | (e & FE_UNDERFLOW ? 0x10 : 0)
         | (e & FE_INEXACT ? 0x20 : 0);
}

static uint16_t
host_load (unsigned src, const uint8_t *mem, long double *out)
{
  *out = src_value (src, mem, 0);
  return 0;
}

#endif

/* ---- memory operands --------------------------------------------------------- */

static uint64_t
read64 (BwX86Cpu *cpu, int seg, uint32_t off)
{
  uint32_t lo = bw_x86_read (cpu, seg, off, 4);
  bw_x86_check_align (cpu, cpu->seg[seg].s.base + off, 8);
  uint32_t hi = bw_x86_read (cpu, seg, off + 4, 4);
  return ((uint64_t) hi << 32) | lo;
}

static void
write64 (BwX86Cpu *cpu, int seg, uint32_t off, uint64_t v)
{
  bw_x86_check_align (cpu, bw_x86_seg_lin (cpu, seg, off, 8, BW_X86_ACC_W), 8);
  bw_x86_write (cpu, seg, off, 4, (uint32_t) v);
  bw_x86_write (cpu, seg, off + 4, 4, (uint32_t) (v >> 32));
}

/* 80-bit extended <-> long double. */
static long double
from_ext80 (uint64_t mant, uint16_t se)
{
#if defined(__x86_64__) || defined(__i386__)
  long double v = 0;
  memcpy (&v, &mant, 8);
  memcpy ((uint8_t *) &v + 8, &se, 2);
  return v;
#else
  int exp = se & 0x7fff;
  long double s = (se & 0x8000) ? -1.0L : 1.0L;
  if (exp == 0x7fff)
    return (mant << 1) ? s * NAN : s * INFINITY;
  return s * ldexpl ((long double) mant, (exp ? exp : 1) - 16383 - 63);
#endif
}

static void
to_ext80 (long double v, uint64_t *mant, uint16_t *se)
{
#if defined(__x86_64__) || defined(__i386__)
  memcpy (mant, &v, 8);
  memcpy (se, (uint8_t *) &v + 8, 2);
#else
  uint16_t sign = signbit (v) ? 0x8000 : 0;
  if (isnan (v))
    {
      *mant = 0xc000000000000000ull;
      *se = sign | 0x7fff;
    }
  else if (isinf (v))
    {
      *mant = 0x8000000000000000ull;
      *se = sign | 0x7fff;
    }
  else if (v == 0)
    {
      *mant = 0;
      *se = sign;
    }
  else
    {
      int e;
      long double m = frexpl (fabsl (v), &e);
      *mant = (uint64_t) ldexpl (m, 64);
      *se = sign | (uint16_t) (e - 1 + 16383);
    }
#endif
}

static long double
load_ext80 (BwX86Cpu *cpu, int seg, uint32_t off)
{
  uint64_t m = read64 (cpu, seg, off);
  uint16_t se = (uint16_t) bw_x86_read (cpu, seg, off + 8, 2);
  return from_ext80 (m, se);
}

static long double
load_int (BwX86Cpu *cpu, int seg, uint32_t off, int bytes)
{
  switch (bytes)
    {
    case 2: return (int16_t) bw_x86_read (cpu, seg, off, 2);
    case 4: return (int32_t) bw_x86_read (cpu, seg, off, 4);
    default: return (int64_t) read64 (cpu, seg, off);
    }
}

static long double
load_bcd (BwX86Cpu *cpu, int seg, uint32_t off)
{
  long double v = 0;
  for (int k = 8; k >= 0; k--)
    {
      uint8_t b = (uint8_t) bw_x86_read (cpu, seg, off + k, 1);
      v = v * 100 + (b >> 4) * 10 + (b & 15);
    }
  if (bw_x86_read (cpu, seg, off + 9, 1) & 0x80)
    v = -v;
  return v;
}

/* ---- operations ----------------------------------------------------------------- */

/* Records an operation's exception bits (IE DE ZE OE UE PE); FALSE when
 * an unmasked invalid, denormal or divide-by-zero exception stops the
 * instruction (no result, no pop). Unmasked OE, UE and PE let it finish. */
static gboolean
record (Fpu *f, uint16_t bits)
{
  bits &= 0x3f;
  f->fsw |= bits;
  uint16_t unmasked = bits & ~f->fcw & 0x3f;
  if (!unmasked)
    return TRUE;
  f->fsw |= FSW_ES | FSW_B;
  return !(unmasked & (FSW_IE | FSW_DE | FSW_ZE));
}

static const uint8_t no_mem[8];

/* A = A op B (B from ST(i), or MEM as SRC says) for the D8-DE arithmetic
 * and FSQRT; C1 says whether the result was rounded up. */
static long double
arith (Fpu *f, unsigned op, long double a, unsigned src, long double b, const uint8_t *mem,
       gboolean *ok)
{
  uint16_t sw = host_x87 (f->fcw, op, src, &a, b, mem ? mem : no_mem);
  f->fsw = (f->fsw & ~FSW_C1) | (sw & FSW_C1);
  *ok = record (f, sw) && *ok;
  /* A masked stack underflow gives the indefinite, whatever the other
   * operand. */
  return f->underflow ? indefinite () : a;
}

/* FCOM family (OP: HOP_FCOM, HOP_FUCOM, HOP_FTST) on the host: C3 C2 C0,
 * or ZF PF CF for FCOMI. OK is FALSE after an unmasked stack fault. Returns
 * FALSE when an unmasked exception stops the instruction: no condition
 * codes, no pop. */
static gboolean
compare (BwX86Cpu *cpu, Fpu *f, unsigned op, long double a, unsigned src, long double b,
         const uint8_t *mem, gboolean to_eflags, gboolean ok)
{
  uint16_t sw = host_x87 (f->fcw, op, src, &a, b, mem ? mem : no_mem);
  /* The condition codes are set even when an unmasked exception stops
   * the instruction (as the host's x87 does); only the pop is left out. */
  gboolean done = record (f, sw) && ok;
  if (to_eflags)
    {
      uint32_t fl = bw_x86_get_eflags (cpu) & BW_X86_ARITH_FLAGS;
      fl &= ~(BW_X86_ZF | BW_X86_PF | BW_X86_CF | BW_X86_OF | BW_X86_SF | BW_X86_AF);
      if (sw & FSW_C0)
        fl |= BW_X86_CF;
      if (sw & FSW_C2)
        fl |= BW_X86_PF;
      if (sw & FSW_C3)
        fl |= BW_X86_ZF;
      bw_x86_set_arith (cpu, fl);
      return done;
    }
  f->fsw = (f->fsw & ~FSW_CC) | (sw & (FSW_C0 | FSW_C2 | FSW_C3));
  return done;
}

/* A denormal or pseudo-denormal (exponent 0, mantissa not 0): the operand
 * the DE exception is about. */
static gboolean
is_denormal (long double v)
{
  uint64_t m;
  uint16_t se;
  to_ext80 (v, &m, &se);
  return (se & 0x7fff) == 0 && m != 0;
}

/* Memory operand bytes for the D8/DA/DC/DE forms. */
static void
read_src (BwX86Cpu *cpu, int seg, uint32_t off, unsigned src, uint8_t mem[8])
{
  if (src == SRC_M64)
    {
      uint64_t v = read64 (cpu, seg, off);
      memcpy (mem, &v, 8);
      return;
    }
  uint32_t v = bw_x86_read (cpu, seg, off, src == SRC_I16 ? 2 : 4);
  memcpy (mem, &v, 4);
}

/* FLD m32fp/m64fp: DE for a denormal (the value is loaded even when DE
 * is unmasked), IE for a signalling NaN (quieted; not loaded when IE is
 * unmasked). Stack overflow comes first and hides them. */
static void
fld_real (BwX86Cpu *cpu, Fpu *f, int seg, uint32_t off, unsigned src)
{
  uint8_t mem[8] = { 0 };
  read_src (cpu, seg, off, src, mem);
  long double v;
  uint16_t sw = host_load (src, mem, &v);
  if ((f->empty >> ((f->top - 1) & 7)) & 1)
    {
      record (f, sw);
      if (sw & ~f->fcw & FSW_IE)
        {
          f->fsw &= ~FSW_C1;
          return;
        }
    }
  fpush (f, v);
}

static uint16_t
tag_word (Fpu *f)
{
  uint16_t tw = 0;
  for (unsigned p = 0; p < 8; p++)
    {
      unsigned t;
      uint64_t m;
      uint16_t se;
      to_ext80 (f->st[p], &m, &se);
      unsigned e = se & 0x7fff;
      if ((f->empty >> p) & 1)
        t = 3;
      else if (e == 0 && m == 0)
        t = 1;
      else if (e == 0 || e == 0x7fff || !(m >> 63))
        t = 2; /* denormal, infinity, NaN, unsupported */
      else
        t = 0;
      tw |= t << (2 * p);
    }
  return tw;
}

static uint16_t
status_word (Fpu *f)
{
  return (f->fsw & ~0x3800u) | (uint16_t) (f->top << 11);
}

/* FSTENV/FNSAVE image (protected-mode layout, also used in real mode). */
static unsigned
store_env (BwX86Cpu *cpu, const BwX86Insn *i, uint32_t off)
{
  Fpu *f = fpu_of (cpu);
  gboolean o32 = (i->flags & BW_X86_I_O32) != 0;
  unsigned n = o32 ? 4 : 2;
  uint32_t v[7] = { f->fcw, status_word (f), tag_word (f), f->fip,
                    f->fcs | ((uint32_t) f->fop << 16), f->fdp, f->fds };
  bw_x86_seg_lin (cpu, i->seg, off, 7 * n, BW_X86_ACC_W);
  for (int k = 0; k < 7; k++)
    bw_x86_write (cpu, i->seg, off + k * n, n, o32 || k != 4 ? v[k] : f->fcs);
  return 7 * n;
}

static unsigned
load_env (BwX86Cpu *cpu, const BwX86Insn *i, uint32_t off)
{
  Fpu *f = fpu_of (cpu);
  gboolean o32 = (i->flags & BW_X86_I_O32) != 0;
  unsigned n = o32 ? 4 : 2;
  uint32_t v[7];
  for (int k = 0; k < 7; k++)
    v[k] = bw_x86_read (cpu, i->seg, off + k * n, n);
  f->fcw = (uint16_t) v[0] | 0x40;
  f->fsw = (uint16_t) v[1] & ~0x3800u;
  f->top = (v[1] >> 11) & 7;
  f->empty = 0;
  for (unsigned p = 0; p < 8; p++)
    if (((v[2] >> (2 * p)) & 3) == 3)
      f->empty |= 1u << p;
  f->fip = v[3];
  f->fcs = (uint16_t) v[4];
  f->fdp = v[5];
  f->fds = (uint16_t) v[6];
  /* Pending unmasked exceptions show in ES and B. */
  if (f->fsw & ~f->fcw & 0x3f)
    f->fsw |= FSW_ES | FSW_B;
  else
    f->fsw &= ~(FSW_ES | FSW_B);
  return 7 * n;
}

#if defined(__x86_64__) || defined(__i386__)
/* FST/FSTP m32fp/m64fp and FIST/FISTP by the host's x87: rounding by RC,
 * C1 for rounded up, the masked responses. An unmasked IE, OE or UE
 * leaves memory alone and stops the instruction (no pop); an unmasked PE
 * does not. */
static void
store_host (BwX86Cpu *cpu, Fpu *f, const BwX86Insn *i, uint32_t off, unsigned kind,
            long double v, gboolean *ok)
{
  uint8_t out[8] = { 0 };
  uint16_t sw = host_store (f->fcw, kind, v, out);
  f->fsw = (f->fsw & ~FSW_C1) | (sw & FSW_C1);
  record (f, sw);
  if ((sw & ~f->fcw & (FSW_IE | FSW_OE | FSW_UE)) || !*ok)
    {
      *ok = FALSE;
      return;
    }
  uint32_t lo, hi;
  memcpy (&lo, out, 4);
  memcpy (&hi, out + 4, 4);
  if (kind == SRC_M64 || kind == SRC_I64)
    write64 (cpu, i->seg, off, ((uint64_t) hi << 32) | lo);
  else
    bw_x86_write (cpu, i->seg, off, kind == SRC_I16 ? 2 : 4, lo);
}
#endif

static void
store_int (BwX86Cpu *cpu, Fpu *f, const BwX86Insn *i, uint32_t off, int bytes, long double v,
           gboolean *ok)
{
#if defined(__x86_64__) || defined(__i386__)
  store_host (cpu, f, i, off, bytes == 2 ? SRC_I16 : bytes == 4 ? SRC_I32 : SRC_I64, v, ok);
#else
  int64_t lim = bytes == 2 ? INT16_MAX : bytes == 4 ? INT32_MAX : INT64_MAX;
  /* rintl() is a pure function to the compiler: the volatile copies keep
   * it between the two rounding-mode changes. */
  host_begin (f);
  volatile long double in = v, out = rintl (in);
  long double r = out;
  gboolean inexact = r != v;
  fesetround (FE_TONEAREST);
  int64_t iv;
  if (isnan (r) || r > (long double) lim || r < -(long double) lim - 1)
    {
      if (!raise_fp (f, FSW_IE))
        {
          *ok = FALSE;
          return;
        }
      iv = bytes == 2 ? INT16_MIN : bytes == 4 ? INT32_MIN : INT64_MIN;
    }
  else
    {
      iv = (int64_t) r;
      if (inexact && !raise_fp (f, FSW_PE))
        {
          *ok = FALSE;
          return;
        }
    }
  if (bytes == 8)
    write64 (cpu, i->seg, off, (uint64_t) iv);
  else
    bw_x86_write (cpu, i->seg, off, bytes, (uint32_t) iv);
#endif
}

static void
store_real (BwX86Cpu *cpu, Fpu *f, const BwX86Insn *i, uint32_t off, int kind, long double v,
            gboolean *ok)
{
#if defined(__x86_64__) || defined(__i386__)
  if (kind < 2)
    {
      store_host (cpu, f, i, off, kind == 0 ? SRC_M32 : SRC_M64, v, ok);
      return;
    }
#endif
  host_begin (f);
  if (kind == 0)
    {
      volatile float fv = (float) v;
      float copy = fv;
      if (!host_end (f))
        {
          *ok = FALSE;
          return;
        }
      uint32_t u;
      memcpy (&u, &copy, 4);
      bw_x86_write (cpu, i->seg, off, 4, u);
    }
  else if (kind == 1)
    {
      volatile double dv = (double) v;
      double copy = dv;
      if (!host_end (f))
        {
          *ok = FALSE;
          return;
        }
      uint64_t u;
      memcpy (&u, &copy, 8);
      write64 (cpu, i->seg, off, u);
    }
  else
    {
      host_end (f);
      uint64_t m;
      uint16_t se;
      to_ext80 (v, &m, &se);
      bw_x86_seg_lin (cpu, i->seg, off, 10, BW_X86_ACC_W);
      write64 (cpu, i->seg, off, m);
      bw_x86_write (cpu, i->seg, off + 8, 2, se);
    }
}

static void
store_bcd (BwX86Cpu *cpu, Fpu *f, const BwX86Insn *i, uint32_t off, long double v, gboolean *ok)
{
  host_begin (f);
  volatile long double in = v, out = rintl (in);
  long double r = out;
  fesetround (FE_TONEAREST);
  uint8_t b[10] = { 0 };
  if (isnan (r) || fabsl (r) >= 1e18L)
    {
      if (!raise_fp (f, FSW_IE))
        {
          *ok = FALSE;
          return;
        }
      b[7] = 0xc0; /* packed BCD indefinite: FFFF C000 0000 0000 0000 */
      b[8] = 0xff;
      b[9] = 0xff;
    }
  else
    {
      uint64_t u = (uint64_t) fabsl (r);
      for (int k = 0; k < 9; k++)
        {
          b[k] = (uint8_t) ((u % 10) | (((u / 10) % 10) << 4));
          u /= 100;
        }
      b[9] = signbit (r) ? 0x80 : 0;
    }
  bw_x86_seg_lin (cpu, i->seg, off, 10, BW_X86_ACC_W);
  for (int k = 0; k < 10; k++)
    bw_x86_write (cpu, i->seg, off + k, 1, b[k]);
}

static void
fxam (Fpu *f)
{
  f->fsw &= ~FSW_CC;
  if (is_empty (f, 0))
    {
      f->fsw |= FSW_C3 | FSW_C0;
      return;
    }
  long double v = f->st[phys (f, 0)];
  if (signbit (v))
    f->fsw |= FSW_C1;
  switch (fpclassify (v))
    {
    case FP_NAN: f->fsw |= FSW_C0; break;
    case FP_INFINITE: f->fsw |= FSW_C2 | FSW_C0; break;
    case FP_ZERO: f->fsw |= FSW_C3; break;
    case FP_SUBNORMAL: f->fsw |= FSW_C3 | FSW_C2; break;
    default: f->fsw |= FSW_C2; break;
    }
}

/* D9 E8-EE constants. */
static const long double constants[7] = {
  1.0L,
  3.321928094887362347870319429489390175864831393L, /* log2(10) */
  1.442695040888963407359924681001892137426645954L, /* log2(e) */
  3.141592653589793238462643383279502884197169399L, /* pi */
  0.301029995663981195213738894724493026768189881L, /* log10(2) */
  0.693147180559945309417232121458176568075500134L, /* ln(2) */
  0.0L,
};

/* D9 F0-FF and friends: operations on ST(0) (and ST(1)). */
static void
misc_d9 (BwX86Cpu *cpu, Fpu *f, unsigned rm_byte)
{
  gboolean ok = TRUE;
  long double a, b, r;
  switch (rm_byte)
    {
    case 0xe0: /* FCHS */
      a = st_get (f, 0, &ok);
      if (ok)
        st_set (f, 0, -a);
      f->fsw &= ~FSW_C1;
      return;
    case 0xe1: /* FABS */
      a = st_get (f, 0, &ok);
      if (ok)
        st_set (f, 0, fabsl (a));
      f->fsw &= ~FSW_C1;
      return;
    case 0xe4: /* FTST */
      a = st_get (f, 0, &ok);
      compare (cpu, f, HOP_FTST, a, SRC_ST, 0, NULL, FALSE, ok);
      return;
    case 0xe5:
      fxam (f);
      return;
    case 0xf6: /* FDECSTP */
      f->top = (f->top - 1) & 7;
      f->fsw &= ~FSW_C1;
      return;
    case 0xf7: /* FINCSTP */
      f->top = (f->top + 1) & 7;
      f->fsw &= ~FSW_C1;
      return;
    default:
      break;
    }
  if (rm_byte >= 0xe8 && rm_byte <= 0xee)
    {
      fpush (f, constants[rm_byte - 0xe8]);
      return;
    }

  a = st_get (f, 0, &ok);
  if (rm_byte == 0xfa || rm_byte == 0xfc) /* FSQRT (rounded by precision control), FRNDINT */
    {
      r = arith (f, rm_byte == 0xfa ? HOP_FSQRT : HOP_FRNDINT, a, SRC_ST, 0, NULL, &ok);
      if (ok)
        st_set (f, 0, r);
      return;
    }
  /* The rest take a denormal operand as DE (not the host's libm's flags:
   * its intermediate steps are not the instruction's operands). */
  gboolean two = rm_byte == 0xf1 || rm_byte == 0xf3 || rm_byte == 0xf5 || rm_byte == 0xf8
                 || rm_byte == 0xf9 || rm_byte == 0xfd;
  if (rm_byte >= 0xf0 && (is_denormal (a) || (two && !is_empty (f, 1) && is_denormal (f->st[phys (f, 1)])))
      && !record (f, FSW_DE))
    return;
  host_begin (f);
  switch (rm_byte)
    {
    case 0xf0: /* F2XM1 */
      r = expm1l (a * 0.693147180559945309417232121458176568L);
      if (host_end (f) && ok)
        st_set (f, 0, r);
      return;
    case 0xf1: /* FYL2X */
      b = st_get (f, 1, &ok);
      r = b * log2l (a);
      if (host_end (f) && ok)
        {
          st_set (f, 1, r);
          fpop (f);
        }
      return;
    case 0xf2: /* FPTAN */
      r = tanl (a);
      if (host_end (f) && ok)
        {
          st_set (f, 0, r);
          fpush (f, 1.0L);
        }
      f->fsw &= ~FSW_C2;
      return;
    case 0xf3: /* FPATAN */
      b = st_get (f, 1, &ok);
      r = atan2l (b, a);
      if (host_end (f) && ok)
        {
          st_set (f, 1, r);
          fpop (f);
        }
      return;
    case 0xf4: /* FXTRACT */
      {
        int e;
        long double m = frexpl (a, &e);
        if (host_end (f) && ok)
          {
            st_set (f, 0, a == 0 ? -INFINITY : (long double) (e - 1));
            fpush (f, a == 0 ? a : m * 2);
          }
        return;
      }
    case 0xf5: /* FPREM1 */
    case 0xf8: /* FPREM */
      {
        b = st_get (f, 1, &ok);
        long double q = rm_byte == 0xf8 ? truncl (a / b) : rintl (a / b);
        r = rm_byte == 0xf8 ? fmodl (a, b) : remainderl (a, b);
        if (host_end (f) && ok)
          {
            st_set (f, 0, r);
            uint64_t qi = isfinite (q) ? (uint64_t) fabsl (fmodl (q, 8.0L)) : 0;
            f->fsw &= ~FSW_CC;
            if (qi & 1)
              f->fsw |= FSW_C1;
            if (qi & 2)
              f->fsw |= FSW_C3;
            if (qi & 4)
              f->fsw |= FSW_C0;
          }
        return;
      }
    case 0xf9: /* FYL2XP1 */
      b = st_get (f, 1, &ok);
      r = b * log1pl (a) / 0.693147180559945309417232121458176568L;
      if (host_end (f) && ok)
        {
          st_set (f, 1, r);
          fpop (f);
        }
      return;
    case 0xfb: /* FSINCOS */
      {
        long double s = sinl (a), c = cosl (a);
        if (host_end (f) && ok)
          {
            st_set (f, 0, s);
            fpush (f, c);
          }
        f->fsw &= ~FSW_C2;
        return;
      }
    case 0xfd: /* FSCALE */
      b = st_get (f, 1, &ok);
      r = scalbnl (a, (int) MAX (MIN (truncl (b), 1e6L), -1e6L));
      if (host_end (f) && ok)
        st_set (f, 0, r);
      return;
    case 0xfe: /* FSIN */
      r = sinl (a);
      if (host_end (f) && ok)
        st_set (f, 0, r);
      f->fsw &= ~FSW_C2;
      return;
    case 0xff: /* FCOS */
      r = cosl (a);
      if (host_end (f) && ok)
        st_set (f, 0, r);
      f->fsw &= ~FSW_C2;
      return;
    default:
      host_end (f);
      bw_x86_raise (cpu, BW_X86_EXC_UD);
    }
}

static gboolean
fcmov_cond (BwX86Cpu *cpu, unsigned opc, unsigned reg)
{
  static const uint8_t cc[4] = { 2, 4, 6, 10 }; /* B, E, BE, U (P) */
  gboolean r = bw_x86_cond (cpu, cc[reg & 3]);
  return opc == 0xdb ? !r : r;
}

/* ---- the escape handler ------------------------------------------------------------ */

static void esc_body (BwX86Cpu *cpu, const BwX86Insn *i, Fpu *f);

BW_X86_OP (esc)
{
  if (cpu->cr0 & (BW_X86_CR0_EM | BW_X86_CR0_TS))
    bw_x86_raise (cpu, BW_X86_EXC_NM);
  if (!cpu->config.has_fpu)
    return; /* no coprocessor: the instruction does nothing (an empty socket) */
  Fpu *f = fpu_of (cpu);
  gboolean ferr = f->ferr;
  esc_body (cpu, i, f);
  ferr_settle (cpu, f, ferr);
}

static void
esc_body (BwX86Cpu *cpu, const BwX86Insn *i, Fpu *f)
{
  f->underflow = 0;
  unsigned opc = i->opc, reg = i->reg;
  unsigned rm_byte = 0xc0 | (reg << 3) | i->rm;
  /* Control instructions do not look at pending exceptions. */
  gboolean control = (opc == 0xd9 && i->mod != 3 && reg >= 4)
                     || (opc == 0xdb && i->mod == 3 && (rm_byte == 0xe2 || rm_byte == 0xe3))
                     || (opc == 0xdd && i->mod != 3 && (reg == 4 || reg == 6 || reg == 7))
                     || (opc == 0xdf && rm_byte == 0xe0 && i->mod == 3);
  if (!control)
    {
      pending_check (cpu, f);
      f->fop = (uint16_t) (((opc & 7) << 8) | (i->mod << 6) | (reg << 3) | i->rm);
      f->fip = cpu->eip;
      f->fcs = cpu->seg[BW_X86_CS].s.selector;
    }

  gboolean ok = TRUE;
  long double a, b, r;

  if (i->mod != 3)
    {
      uint32_t off = bw_x86_ea (cpu, i);
      if (!control)
        {
          f->fdp = off;
          f->fds = cpu->seg[i->seg].s.selector;
        }
      switch (opc)
        {
        case 0xd8:
        case 0xda:
        case 0xdc:
        case 0xde:
          {
            unsigned src = opc == 0xd8 ? SRC_M32 : opc == 0xdc ? SRC_M64
                           : opc == 0xda ? SRC_I32 : SRC_I16;
            uint8_t mem[8] = { 0 };
            read_src (cpu, i->seg, off, src, mem);
            a = st_get (f, 0, &ok);
            if (reg == 2 || reg == 3)
              {
                if (compare (cpu, f, HOP_FCOM, a, src, 0, mem, FALSE, ok) && reg == 3)
                  fpop (f);
                return;
              }
            r = arith (f, reg, a, src, 0, mem, &ok);
          }
          if (ok)
            st_set (f, 0, r);
          return;
        case 0xd9:
          switch (reg)
            {
            case 0:
              fld_real (cpu, f, i->seg, off, SRC_M32);
              return;
            case 2:
            case 3:
              a = st_get (f, 0, &ok);
              store_real (cpu, f, i, off, 0, a, &ok);
              if (reg == 3 && ok)
                fpop (f);
              return;
            case 4:
              load_env (cpu, i, off);
              return;
            case 5:
              f->fcw = (uint16_t) bw_x86_read (cpu, i->seg, off, 2) | 0x40;
              if (f->fsw & ~f->fcw & 0x3f)
                f->fsw |= FSW_ES | FSW_B;
              else
                f->fsw &= ~(FSW_ES | FSW_B);
              return;
            case 6:
              store_env (cpu, i, off);
              f->fcw |= 0x3f; /* FSTENV masks all exceptions */
              return;
            case 7:
              bw_x86_write (cpu, i->seg, off, 2, f->fcw);
              return;
            default:
              bw_x86_raise (cpu, BW_X86_EXC_UD);
            }
        case 0xdb:
          switch (reg)
            {
            case 0:
              fpush (f, load_int (cpu, i->seg, off, 4));
              return;
            case 2:
            case 3:
              a = st_get (f, 0, &ok);
              store_int (cpu, f, i, off, 4, a, &ok);
              if (reg == 3 && ok)
                fpop (f);
              return;
            case 5:
              fpush (f, load_ext80 (cpu, i->seg, off));
              return;
            case 7:
              a = st_get (f, 0, &ok);
              store_real (cpu, f, i, off, 2, a, &ok);
              if (ok)
                fpop (f);
              return;
            default:
              bw_x86_raise (cpu, BW_X86_EXC_UD);
            }
        case 0xdd:
          switch (reg)
            {
            case 0:
              fld_real (cpu, f, i->seg, off, SRC_M64);
              return;
            case 2:
            case 3:
              a = st_get (f, 0, &ok);
              store_real (cpu, f, i, off, 1, a, &ok);
              if (reg == 3 && ok)
                fpop (f);
              return;
            case 4: /* FRSTOR */
              {
                unsigned n = load_env (cpu, i, off);
                for (unsigned k = 0; k < 8; k++)
                  {
                    uint64_t m = read64 (cpu, i->seg, off + n + k * 10);
                    uint16_t se = (uint16_t) bw_x86_read (cpu, i->seg, off + n + k * 10 + 8, 2);
                    f->st[phys (f, k)] = from_ext80 (m, se);
                  }
                return;
              }
            case 6: /* FNSAVE */
              {
                unsigned n = store_env (cpu, i, off);
                for (unsigned k = 0; k < 8; k++)
                  {
                    uint64_t m;
                    uint16_t se;
                    to_ext80 (f->st[phys (f, k)], &m, &se);
                    write64 (cpu, i->seg, off + n + k * 10, m);
                    bw_x86_write (cpu, i->seg, off + n + k * 10 + 8, 2, se);
                  }
                bw_x86_fpu_init (cpu);
                return;
              }
            case 7:
              bw_x86_write (cpu, i->seg, off, 2, status_word (f));
              return;
            default:
              bw_x86_raise (cpu, BW_X86_EXC_UD);
            }
        case 0xdf:
          switch (reg)
            {
            case 0:
              fpush (f, load_int (cpu, i->seg, off, 2));
              return;
            case 2:
            case 3:
              a = st_get (f, 0, &ok);
              store_int (cpu, f, i, off, 2, a, &ok);
              if (reg == 3 && ok)
                fpop (f);
              return;
            case 4:
              fpush (f, load_bcd (cpu, i->seg, off));
              return;
            case 5:
              fpush (f, load_int (cpu, i->seg, off, 8));
              return;
            case 6:
              a = st_get (f, 0, &ok);
              store_bcd (cpu, f, i, off, a, &ok);
              if (ok)
                fpop (f);
              return;
            case 7:
              a = st_get (f, 0, &ok);
              store_int (cpu, f, i, off, 8, a, &ok);
              if (ok)
                fpop (f);
              return;
            default:
              bw_x86_raise (cpu, BW_X86_EXC_UD);
            }
        }
      return;
    }

  /* Register forms. */
  unsigned s = i->rm;
  switch (opc)
    {
    case 0xd8:
      a = st_get (f, 0, &ok);
      b = st_get (f, s, &ok);
      if (reg == 2 || reg == 3)
        {
          if (compare (cpu, f, HOP_FCOM, a, SRC_ST, b, NULL, FALSE, ok) && reg == 3)
            fpop (f);
          return;
        }
      r = arith (f, reg, a, SRC_ST, b, NULL, &ok);
      if (ok)
        st_set (f, 0, r);
      return;
    case 0xdc:
    case 0xde:
      {
        if (opc == 0xde && reg == 3)
          {
            if (s != 1)
              bw_x86_raise (cpu, BW_X86_EXC_UD);
            /* FCOMPP */
            a = st_get (f, 0, &ok);
            b = st_get (f, 1, &ok);
            if (compare (cpu, f, HOP_FCOM, a, SRC_ST, b, NULL, FALSE, ok))
              {
                fpop (f);
                fpop (f);
              }
            return;
          }
        a = st_get (f, s, &ok);
        b = st_get (f, 0, &ok);
        if (reg == 2 || reg == 3)
          {
            if (compare (cpu, f, HOP_FCOM, b, SRC_ST, a, NULL, FALSE, ok)
                && (reg == 3 || opc == 0xde))
              fpop (f);
            return;
          }
        /* ST(i) = ST(i) op ST(0): SUB/SUBR and DIV/DIVR swap meaning. */
        static const uint8_t swap[8] = { 0, 1, 2, 3, 5, 4, 7, 6 };
        r = arith (f, swap[reg], a, SRC_ST, b, NULL, &ok);
        if (ok)
          {
            st_set (f, s, r);
            if (opc == 0xde)
              fpop (f);
          }
        return;
      }
    case 0xd9:
      switch (reg)
        {
        case 0: /* FLD ST(i) */
          a = st_get (f, s, &ok);
          if (ok)
            fpush (f, a);
          return;
        case 1: /* FXCH */
          a = st_get (f, 0, &ok);
          b = st_get (f, s, &ok);
          if (ok)
            {
              st_set (f, 0, b);
              st_set (f, s, a);
            }
          f->fsw &= ~FSW_C1;
          return;
        case 2:
          if (s == 0)
            return; /* FNOP */
          bw_x86_raise (cpu, BW_X86_EXC_UD);
        case 3: /* FSTP1 (undocumented alias) */
          a = st_get (f, 0, &ok);
          st_set (f, s, a);
          fpop (f);
          return;
        default:
          misc_d9 (cpu, f, rm_byte);
          return;
        }
    case 0xda:
      if (reg < 4)
        {
          a = st_get (f, s, &ok);
          if (ok && fcmov_cond (cpu, opc, reg))
            st_set (f, 0, a);
          return;
        }
      if (rm_byte == 0xe9) /* FUCOMPP */
        {
          a = st_get (f, 0, &ok);
          b = st_get (f, 1, &ok);
          if (compare (cpu, f, HOP_FUCOM, a, SRC_ST, b, NULL, FALSE, ok))
            {
              fpop (f);
              fpop (f);
            }
          return;
        }
      bw_x86_raise (cpu, BW_X86_EXC_UD);
    case 0xdb:
      if (reg < 4)
        {
          a = st_get (f, s, &ok);
          if (ok && fcmov_cond (cpu, opc, reg))
            st_set (f, 0, a);
          return;
        }
      if (reg == 4)
        {
          switch (rm_byte)
            {
            case 0xe2: /* FNCLEX */
              f->fsw &= ~(0x3fu | FSW_SF | FSW_ES | FSW_B);
              return;
            case 0xe3: /* FNINIT */
              bw_x86_fpu_init (cpu);
              return;
            case 0xe0:
            case 0xe1:
            case 0xe4:
              return; /* FENI, FDISI, FSETPM: no-ops after the 287 */
            default:
              bw_x86_raise (cpu, BW_X86_EXC_UD);
            }
        }
      if (reg == 5 || reg == 6) /* FUCOMI, FCOMI */
        {
          a = st_get (f, 0, &ok);
          b = st_get (f, s, &ok);
          compare (cpu, f, reg == 5 ? HOP_FUCOM : HOP_FCOM, a, SRC_ST, b, NULL, TRUE, ok);
          return;
        }
      bw_x86_raise (cpu, BW_X86_EXC_UD);
    case 0xdd:
      switch (reg)
        {
        case 0: /* FFREE */
          f->empty |= 1u << phys (f, s);
          return;
        case 2:
        case 3:
          a = st_get (f, 0, &ok);
          st_set (f, s, a);
          if (reg == 3)
            fpop (f);
          return;
        case 4:
        case 5:
          a = st_get (f, 0, &ok);
          b = st_get (f, s, &ok);
          if (compare (cpu, f, HOP_FUCOM, a, SRC_ST, b, NULL, FALSE, ok) && reg == 5)
            fpop (f);
          return;
        default:
          bw_x86_raise (cpu, BW_X86_EXC_UD);
        }
    case 0xdf:
      if (rm_byte == 0xe0) /* FNSTSW AX */
        {
          bw_x86_reg_set (cpu, BW_X86_EAX, 1, status_word (f));
          return;
        }
      if (reg == 5 || reg == 6) /* FUCOMIP, FCOMIP */
        {
          a = st_get (f, 0, &ok);
          b = st_get (f, s, &ok);
          if (compare (cpu, f, reg == 5 ? HOP_FUCOM : HOP_FCOM, a, SRC_ST, b, NULL, TRUE, ok))
            fpop (f);
          return;
        }
      if (reg == 0) /* FFREEP */
        {
          f->empty |= 1u << phys (f, s);
          fpop (f);
          return;
        }
      bw_x86_raise (cpu, BW_X86_EXC_UD);
    }
}

BW_X86_OP (wait)
{
  if ((cpu->cr0 & (BW_X86_CR0_MP | BW_X86_CR0_TS)) == (BW_X86_CR0_MP | BW_X86_CR0_TS))
    bw_x86_raise (cpu, BW_X86_EXC_NM);
  if (cpu->config.has_fpu)
    pending_check (cpu, fpu_of (cpu));
}

/* ---- FXSAVE image (saved state, the backend interface) ----------------------- */

void
bw_x86_cpu_get_fxsave (BwX86Cpu *cpu, uint8_t out[512])
{
  Fpu *f = fpu_of (cpu);
  memset (out, 0, 512);
  uint16_t sw = status_word (f);
  memcpy (out + 0, &f->fcw, 2);
  memcpy (out + 2, &sw, 2);
  uint8_t ftw = 0;
  for (unsigned p = 0; p < 8; p++)
    if (!((f->empty >> p) & 1))
      ftw |= 1u << p;
  out[4] = ftw;
  memcpy (out + 6, &f->fop, 2);
  memcpy (out + 8, &f->fip, 4);
  memcpy (out + 12, &f->fcs, 2);
  memcpy (out + 16, &f->fdp, 4);
  memcpy (out + 20, &f->fds, 2);
  uint32_t mask = BW_X86_MXCSR_MASK;
  memcpy (out + 24, &cpu->mxcsr, 4);
  memcpy (out + 28, &mask, 4);
  memcpy (out + 160, cpu->xmm, sizeof cpu->xmm);
  for (unsigned k = 0; k < 8; k++)
    {
      uint64_t m;
      uint16_t se;
      to_ext80 (f->st[phys (f, k)], &m, &se);
      memcpy (out + 32 + 16 * k, &m, 8);
      memcpy (out + 40 + 16 * k, &se, 2);
    }
}

void
bw_x86_cpu_set_fxsave (BwX86Cpu *cpu, const uint8_t in[512])
{
  Fpu *f = fpu_of (cpu);
  gboolean ferr = f->ferr;
  uint16_t sw;
  memcpy (&f->fcw, in + 0, 2);
  memcpy (&sw, in + 2, 2);
  f->fsw = sw & ~0x3800u;
  f->top = (sw >> 11) & 7;
  f->empty = 0;
  for (unsigned p = 0; p < 8; p++)
    if (!((in[4] >> p) & 1))
      f->empty |= 1u << p;
  memcpy (&f->fop, in + 6, 2);
  memcpy (&f->fip, in + 8, 4);
  memcpy (&f->fcs, in + 12, 2);
  memcpy (&f->fdp, in + 16, 4);
  memcpy (&f->fds, in + 20, 2);
  for (unsigned k = 0; k < 8; k++)
    {
      uint64_t m;
      uint16_t se;
      memcpy (&m, in + 32 + 16 * k, 8);
      memcpy (&se, in + 40 + 16 * k, 2);
      f->st[phys (f, k)] = from_ext80 (m, se);
    }
  /* Reserved MXCSR bits from a saved image are dropped (FXRSTOR checks
   * them before it gets here). */
  uint32_t mxcsr;
  memcpy (&mxcsr, in + 24, 4);
  cpu->mxcsr = mxcsr & BW_X86_MXCSR_MASK;
  memcpy (cpu->xmm, in + 160, sizeof cpu->xmm);
  ferr_settle (cpu, f, ferr);
}

/* ---- MMX: the registers are the mantissas of the physical x87 registers -- */

/* What every MMX instruction checks first: #UD with CR0.EM, #NM with
 * CR0.TS, #MF for a pending x87 exception. */
BW_X86_INLINE Fpu *
mmx_check (BwX86Cpu *cpu)
{
  if ((cpu->cr0 & BW_X86_CR0_EM) || !cpu->config.has_fpu)
    bw_x86_raise (cpu, BW_X86_EXC_UD);
  if (cpu->cr0 & BW_X86_CR0_TS)
    bw_x86_raise (cpu, BW_X86_EXC_NM);
  Fpu *f = fpu_of (cpu);
  pending_check (cpu, f);
  return f;
}

/* Every MMX instruction but EMMS: the checks, then TOP = 0 and all tags
 * valid. */
void
bw_x86_mmx_enter (BwX86Cpu *cpu)
{
  Fpu *f = mmx_check (cpu);
  f->top = 0;
  f->empty = 0;
}

/* EMMS: the checks, then all tags empty. */
void
bw_x86_mmx_emms (BwX86Cpu *cpu)
{
  mmx_check (cpu)->empty = 0xff;
}

uint64_t
bw_x86_mmx_get (BwX86Cpu *cpu, unsigned r)
{
  uint64_t m;
  uint16_t se;
  to_ext80 (fpu_of (cpu)->st[r & 7], &m, &se);
  return m;
}

/* A write sets the exponent and sign bits (79-64) to ones, as the CPU
 * does: the register reads back as a NaN to x87 code. */
void
bw_x86_mmx_set (BwX86Cpu *cpu, unsigned r, uint64_t v)
{
  Fpu *f = fpu_of (cpu);
#if defined(__x86_64__) || defined(__i386__)
  long double ld = 0;
  uint16_t se = 0xffff;
  memcpy (&ld, &v, 8);
  memcpy ((uint8_t *) &ld + 8, &se, 2);
  f->st[r & 7] = ld;
#else
  f->st[r & 7] = from_ext80 (v, 0xffff);
#endif
}
