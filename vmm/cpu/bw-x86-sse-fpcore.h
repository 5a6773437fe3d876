/* bw-x86-sse-fpcore.h: one SSE floating-point operation on one lane, as
 * the CPU defines it: DAZ on the inputs, NaN propagation (the first
 * source's NaN wins, quieted; invalid operations give the negative
 * default NaN), the denormal-operand flag, rounding by MXCSR.RC and FTZ
 * on tiny results. The arithmetic itself is the host's IEEE float and
 * double with its exception flags (as the x87 code does), so results are
 * correctly rounded on any IEEE host; x86 hosts also agree on tininess.
 * Shared by bw-x86-sse-fp.c and bw-x86-sse-cvt.c.
 */
#pragma once

#include <fenv.h>
#include <math.h>

#include "vmm/cpu/bw-x86-simd.h"

typedef struct
{
  uint32_t mxcsr;
  uint32_t flags; /* MXCSR exception bits collected */
} BwSseEnv;

static const int bw_sse_round_modes[4] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD,
                                           FE_TOWARDZERO };

static inline void
bw_sse_begin (BwSseEnv *e, BwX86Cpu *cpu)
{
  e->mxcsr = cpu->mxcsr;
  e->flags = 0;
  fesetround (bw_sse_round_modes[(e->mxcsr >> 13) & 3]);
}

static inline void
bw_sse_end (BwSseEnv *e, BwX86Cpu *cpu)
{
  fesetround (FE_TONEAREST);
  if (e->flags)
    bw_x86_sse_flags (cpu, e->flags);
}

/* Host exception flags raised by the operation just done. */
static inline uint32_t
bw_sse_host_flags (void)
{
  int x = fetestexcept (FE_ALL_EXCEPT);
  uint32_t f = 0;
  if (x & FE_INVALID)
    f |= BW_X86_MXCSR_IE;
  if (x & FE_DIVBYZERO)
    f |= BW_X86_MXCSR_ZE;
  if (x & FE_OVERFLOW)
    f |= BW_X86_MXCSR_OE;
  if (x & FE_UNDERFLOW)
    f |= BW_X86_MXCSR_UE;
  if (x & FE_INEXACT)
    f |= BW_X86_MXCSR_PE;
  return f;
}

enum
{
  BW_SSE_ADD,
  BW_SSE_SUB,
  BW_SSE_MUL,
  BW_SSE_DIV,
  BW_SSE_MIN,
  BW_SSE_MAX,
  BW_SSE_SQRT,
};

/* Generates the lane functions for one width: T the host type, U the bit
 * pattern type, S the suffix, and the format's masks. */
#define BW_SSE_WIDTH(T, U, S, SQRTFN, FREXP, LDEXP, SIGN, EXP, MANT, QUIET, DEFNAN)          \
  static inline gboolean bw_sse_nan_##S (U u)                                                \
  {                                                                                         \
    return (u & EXP) == EXP && (u & MANT);                                                  \
  }                                                                                         \
  static inline gboolean bw_sse_snan_##S (U u)                                               \
  {                                                                                         \
    return bw_sse_nan_##S (u) && !(u & QUIET);                                               \
  }                                                                                         \
  static inline gboolean bw_sse_denorm_##S (U u)                                             \
  {                                                                                         \
    return !(u & EXP) && (u & MANT);                                                        \
  }                                                                                         \
  static inline T bw_sse_val_##S (U u)                                                       \
  {                                                                                         \
    T v;                                                                                    \
    memcpy (&v, &u, sizeof v);                                                              \
    return v;                                                                               \
  }                                                                                         \
  static inline U bw_sse_bits_##S (T v)                                                      \
  {                                                                                         \
    U u;                                                                                    \
    memcpy (&u, &v, sizeof u);                                                              \
    return u;                                                                               \
  }                                                                                         \
  /* DAZ: denormal inputs read as zeros of their sign. */                                  \
  static inline U bw_sse_in_##S (BwSseEnv *e, U u)                                           \
  {                                                                                         \
    if ((e->mxcsr & BW_X86_MXCSR_DAZ) && bw_sse_denorm_##S (u))                              \
      return u & SIGN;                                                                      \
    return u;                                                                               \
  }                                                                                         \
  /* A result: flags from the host, FTZ, the default NaN. */                              \
  static inline U bw_sse_out_##S (BwSseEnv *e, T r)                                          \
  {                                                                                         \
    uint32_t f = bw_sse_host_flags ();                                                      \
    U u = bw_sse_bits_##S (r);                                                               \
    if (f & BW_X86_MXCSR_IE)                                                                \
      {                                                                                     \
        e->flags |= BW_X86_MXCSR_IE;                                                        \
        return DEFNAN;                                                                      \
      }                                                                                     \
    gboolean tiny = bw_sse_denorm_##S (u) || (f & BW_X86_MXCSR_UE);                          \
    if (tiny && !(e->mxcsr & (BW_X86_MXCSR_UE << 7)))                                      \
      f |= BW_X86_MXCSR_UE; /* unmasked: even exact tiny results */                         \
    else if (tiny && (e->mxcsr & BW_X86_MXCSR_FTZ))                                         \
      {                                                                                     \
        f |= BW_X86_MXCSR_UE | BW_X86_MXCSR_PE;                                             \
        u &= SIGN;                                                                          \
      }                                                                                     \
    e->flags |= f;                                                                          \
    return u;                                                                               \
  }                                                                                         \
  /* With overflow or underflow unmasked the CPU traps with the result    \
   * rounded to precision but not to range, so PE tells whether that was \
   * inexact: the same operation on operands scaled into range. */        \
  static inline gboolean bw_sse_inexact_##S (int op, U a, U b, gboolean overflow)            \
  {                                                                                         \
    T x = bw_sse_val_##S (a), y = bw_sse_val_##S (b);                                         \
    int ex, ey;                                                                             \
    feclearexcept (FE_ALL_EXCEPT);                                                          \
    if (op == BW_SSE_MUL || op == BW_SSE_DIV)                                               \
      {                                                                                     \
        x = FREXP (x, &ex);                                                                 \
        y = FREXP (y, &ey);                                                                 \
      }                                                                                     \
    else                                                                                    \
      {                                                                                     \
        /* Both by one power of two; bits the smaller loses would have    \
         * made the sum inexact anyway (FE_INEXACT stays raised). */       \
        x = LDEXP (x, overflow ? -4 : 64);                                                  \
        y = LDEXP (y, overflow ? -4 : 64);                                                  \
      }                                                                                     \
    volatile T vx = x, vy = y, r;                                                           \
    switch (op)                                                                             \
      {                                                                                     \
      case BW_SSE_ADD: r = vx + vy; break;                                                  \
      case BW_SSE_SUB: r = vx - vy; break;                                                  \
      case BW_SSE_MUL: r = vx * vy; break;                                                  \
      default: r = vx / vy; break;                                                          \
      }                                                                                     \
    (void) r;                                                                               \
    return fetestexcept (FE_INEXACT) != 0;                                                  \
  }                                                                                         \
  /* The flags of one result, PE fixed up for unmasked OE/UE. */          \
  static inline U bw_sse_result_##S (BwSseEnv *e, int op, U a, U b, T r)                      \
  {                                                                                         \
    BwSseEnv le = { e->mxcsr, 0 };                                                          \
    U u = bw_sse_out_##S (&le, r);                                                           \
    uint32_t trap = le.flags & ~(e->mxcsr >> 7) & (BW_X86_MXCSR_OE | BW_X86_MXCSR_UE);      \
    if (trap && op != BW_SSE_SQRT)                                                          \
      {                                                                                     \
        le.flags &= ~BW_X86_MXCSR_PE;                                                       \
        if (bw_sse_inexact_##S (op, a, b, (trap & BW_X86_MXCSR_OE) != 0))                    \
          le.flags |= BW_X86_MXCSR_PE;                                                      \
      }                                                                                     \
    e->flags |= le.flags;                                                                   \
    return u;                                                                               \
  }                                                                                         \
  static inline U bw_sse_arith_##S (BwSseEnv *e, int op, U a, U b)                           \
  {                                                                                         \
    a = bw_sse_in_##S (e, a);                                                                \
    b = bw_sse_in_##S (e, b);                                                                \
    gboolean unary = op == BW_SSE_SQRT;                                                     \
    gboolean na = bw_sse_nan_##S (a), nb = !unary && bw_sse_nan_##S (b);                      \
    if (op == BW_SSE_MIN || op == BW_SSE_MAX)                                               \
      {                                                                                     \
        /* Any NaN: invalid, and the second operand is the result (so is     \
         * it for two zeros). */                                                            \
        if (na || nb)                                                                       \
          {                                                                                 \
            e->flags |= BW_X86_MXCSR_IE;                                                    \
            return b;                                                                       \
          }                                                                                 \
        if (bw_sse_denorm_##S (a) || bw_sse_denorm_##S (b))                                   \
          e->flags |= BW_X86_MXCSR_DE;                                                      \
        T x = bw_sse_val_##S (a), y = bw_sse_val_##S (b);                                     \
        return (op == BW_SSE_MIN ? x < y : x > y) ? a : b;                                  \
      }                                                                                     \
    if (na || nb)                                                                           \
      {                                                                                     \
        if (bw_sse_snan_##S (a) || (!unary && bw_sse_snan_##S (b)))                           \
          e->flags |= BW_X86_MXCSR_IE;                                                      \
        return (na ? a : b) | QUIET;                                                        \
      }                                                                                     \
    if (unary && (a & SIGN) && (a & ~SIGN))                                                 \
      {                                                                                     \
        /* The square root of a negative number: invalid, and no DE. */    \
        e->flags |= BW_X86_MXCSR_IE;                                                        \
        return DEFNAN;                                                                      \
      }                                                                                     \
    /* A division by zero reports ZE alone, not DE for the dividend. */   \
    if ((bw_sse_denorm_##S (a) || (!unary && bw_sse_denorm_##S (b)))                          \
        && !(op == BW_SSE_DIV && !(b & ~SIGN)))                                             \
      e->flags |= BW_X86_MXCSR_DE;                                                          \
    volatile T x = bw_sse_val_##S (a), y = bw_sse_val_##S (b);                                \
    feclearexcept (FE_ALL_EXCEPT);                                                          \
    volatile T r;                                                                           \
    switch (op)                                                                             \
      {                                                                                     \
      case BW_SSE_ADD: r = x + y; break;                                                    \
      case BW_SSE_SUB: r = x - y; break;                                                    \
      case BW_SSE_MUL: r = x * y; break;                                                    \
      case BW_SSE_DIV: r = x / y; break;                                                    \
      default: r = SQRTFN (x); break;                                                       \
      }                                                                                     \
    return bw_sse_result_##S (e, op, a, b, r);                                               \
  }                                                                                         \
  /* CMPccPS/PD predicates 0-7; signalling ones (LT LE NLT NLE) are      \
   * invalid on any NaN, the quiet ones only on a signalling NaN. */                      \
  static inline gboolean bw_sse_cmp_##S (BwSseEnv *e, unsigned pred, U a, U b)                \
  {                                                                                         \
    a = bw_sse_in_##S (e, a);                                                                \
    b = bw_sse_in_##S (e, b);                                                                \
    gboolean un = bw_sse_nan_##S (a) || bw_sse_nan_##S (b);                                   \
    gboolean sig = (pred & 3) == 1 || (pred & 3) == 2;                                      \
    if (bw_sse_snan_##S (a) || bw_sse_snan_##S (b) || (un && sig))                            \
      e->flags |= BW_X86_MXCSR_IE;                                                          \
    else if (!un && (bw_sse_denorm_##S (a) || bw_sse_denorm_##S (b)))                        \
      e->flags |= BW_X86_MXCSR_DE;                                                          \
    T x = bw_sse_val_##S (a), y = bw_sse_val_##S (b);                                         \
    gboolean r;                                                                             \
    switch (pred & 3)                                                                       \
      {                                                                                     \
      case 0: r = !un && x == y; break;                                                     \
      case 1: r = !un && x < y; break;                                                      \
      case 2: r = !un && x <= y; break;                                                     \
      default: r = un; break;                                                               \
      }                                                                                     \
    return (pred & 4) ? !r : r;                                                             \
  }                                                                                         \
  /* COMIS/UCOMIS: ZF PF CF as 111 unordered, 000 greater, 001 less,      \
   * 100 equal. */                                                                          \
  static inline uint32_t bw_sse_comi_##S (BwSseEnv *e, gboolean signal, U a, U b)             \
  {                                                                                         \
    a = bw_sse_in_##S (e, a);                                                                \
    b = bw_sse_in_##S (e, b);                                                                \
    gboolean un = bw_sse_nan_##S (a) || bw_sse_nan_##S (b);                                   \
    if (bw_sse_snan_##S (a) || bw_sse_snan_##S (b) || (un && signal))                         \
      e->flags |= BW_X86_MXCSR_IE;                                                          \
    else if (!un && (bw_sse_denorm_##S (a) || bw_sse_denorm_##S (b)))                        \
      e->flags |= BW_X86_MXCSR_DE;                                                          \
    T x = bw_sse_val_##S (a), y = bw_sse_val_##S (b);                                         \
    if (un)                                                                                 \
      return BW_X86_ZF | BW_X86_PF | BW_X86_CF;                                             \
    if (x == y)                                                                             \
      return BW_X86_ZF;                                                                     \
    return x < y ? BW_X86_CF : 0;                                                           \
  }

BW_SSE_WIDTH (float, uint32_t, f, sqrtf, frexpf, ldexpf, 0x80000000u, 0x7f800000u, 0x007fffffu, 0x00400000u,
              0xffc00000u)
BW_SSE_WIDTH (double, uint64_t, d, sqrt, frexp, ldexp, 0x8000000000000000ull, 0x7ff0000000000000ull,
              0x000fffffffffffffull, 0x0008000000000000ull, 0xfff8000000000000ull)
