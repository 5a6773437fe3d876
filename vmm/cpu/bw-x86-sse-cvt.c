/* bw-x86-sse-cvt.c: SSE/SSE2 conversions between 32-bit integers, single
 * and double precision, in MMX, XMM and general registers: CVTPI2PS/PD,
 * CVTSI2SS/SD, CVT(T)PS2PI, CVT(T)PD2PI, CVT(T)SS2SI, CVT(T)SD2SI,
 * CVTPS2PD, CVTPD2PS, CVTSS2SD, CVTSD2SS, CVTDQ2PS, CVT(T)PS2DQ,
 * CVTDQ2PD, CVT(T)PD2DQ.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-sse-fpcore.h"

#define INT_INDEFINITE 0x80000000u

/* A float or double's value to int32: by MXCSR.RC, or truncated; out of
 * range gives the integer indefinite with IE. */
static inline uint32_t
val_to_i32 (BwSseEnv *e, double x, gboolean trunc_)
{
  double r = trunc_ ? trunc (x) : nearbyint (x);
  if (!(r >= -2147483648.0 && r <= 2147483647.0))
    {
      e->flags |= BW_X86_MXCSR_IE;
      return INT_INDEFINITE;
    }
  if (r != x)
    e->flags |= BW_X86_MXCSR_PE;
  return (uint32_t) (int32_t) r;
}

/* Float or double to int32; NaN gives the integer indefinite with IE. */
static uint32_t
f_to_i32 (BwSseEnv *e, uint32_t a, gboolean trunc_)
{
  a = bw_sse_in_f (e, a);
  if (bw_sse_nan_f (a))
    {
      e->flags |= BW_X86_MXCSR_IE;
      return INT_INDEFINITE;
    }
  return val_to_i32 (e, bw_sse_val_f (a), trunc_);
}

static uint32_t
d_to_i32 (BwSseEnv *e, uint64_t a, gboolean trunc_)
{
  a = bw_sse_in_d (e, a);
  if (bw_sse_nan_d (a))
    {
      e->flags |= BW_X86_MXCSR_IE;
      return INT_INDEFINITE;
    }
  return val_to_i32 (e, bw_sse_val_d (a), trunc_);
}

static uint32_t
i32_to_f (BwSseEnv *e, uint32_t v)
{
  feclearexcept (FE_ALL_EXCEPT);
  volatile int32_t iv = (int32_t) v;
  volatile float r = (float) iv;
  return bw_sse_out_f (e, r);
}

static uint64_t
i32_to_d (uint32_t v)
{
  return bw_sse_bits_d ((double) (int32_t) v);
}

static uint64_t
f_to_d (BwSseEnv *e, uint32_t a)
{
  a = bw_sse_in_f (e, a);
  if (bw_sse_nan_f (a))
    {
      if (bw_sse_snan_f (a))
        e->flags |= BW_X86_MXCSR_IE;
      return ((uint64_t) (a & 0x80000000u) << 32) | 0x7ff8000000000000ull
             | ((uint64_t) (a & 0x003fffffu) << 29);
    }
  if (bw_sse_denorm_f (a))
    e->flags |= BW_X86_MXCSR_DE;
  return bw_sse_bits_d ((double) bw_sse_val_f (a));
}

static uint32_t
d_to_f (BwSseEnv *e, uint64_t a)
{
  a = bw_sse_in_d (e, a);
  if (bw_sse_nan_d (a))
    {
      if (bw_sse_snan_d (a))
        e->flags |= BW_X86_MXCSR_IE;
      return (uint32_t) ((a >> 32) & 0x80000000u) | 0x7fc00000u
             | (uint32_t) ((a >> 29) & 0x003fffffu);
    }
  if (bw_sse_denorm_d (a))
    e->flags |= BW_X86_MXCSR_DE;
  feclearexcept (FE_ALL_EXCEPT);
  volatile double x = bw_sse_val_d (a);
  volatile float r = (float) x;
  BwSseEnv le = { e->mxcsr, 0 };
  uint32_t u = bw_sse_out_f (&le, r);
  if (le.flags & ~(e->mxcsr >> 7) & (BW_X86_MXCSR_OE | BW_X86_MXCSR_UE))
    {
      /* Trapping on range: PE says whether 24 bits hold the value. */
      int ex;
      feclearexcept (FE_ALL_EXCEPT);
      volatile float m = (float) frexp (x, &ex);
      (void) m;
      le.flags &= ~BW_X86_MXCSR_PE;
      if (fetestexcept (FE_INEXACT))
        le.flags |= BW_X86_MXCSR_PE;
    }
  e->flags |= le.flags;
  return u;
}

/* ---- handlers ------------------------------------------------------------------ */

/* What a conversion takes each lane from and to (32-bit lanes in d[],
 * doubles in q[]). */
typedef enum
{
  I32_TO_F,
  F_TO_I32,
  D_TO_I32,
  F_TO_D,
  D_TO_F,
} Cvt;

/* N lanes of S converted into R by KIND (T: truncating to integer) under
 * MXCSR, the flags merged (and any unmasked exception raised) once, before
 * the caller writes R anywhere. Inlined with constant arguments, it folds
 * to the straight conversions. */
BW_X86_INLINE void
cvt_lanes (BwX86Cpu *cpu, Cvt kind, gboolean t, unsigned n, const BwX86Xmm *s, BwX86Xmm *r)
{
  BwSseEnv e;
  bw_sse_begin (&e, cpu);
  for (unsigned k = 0; k < n; k++)
    switch (kind)
      {
      case I32_TO_F: r->d[k] = i32_to_f (&e, s->d[k]); break;
      case F_TO_I32: r->d[k] = f_to_i32 (&e, s->d[k], t); break;
      case D_TO_I32: r->d[k] = d_to_i32 (&e, s->q[k], t); break;
      case F_TO_D: r->q[k] = f_to_d (&e, s->d[k]); break;
      case D_TO_F: r->d[k] = d_to_f (&e, s->q[k]); break;
      }
  bw_sse_end (&e, cpu);
}

/* xmm <- xmm/m: SIZE source bytes (16: an aligned m128), N lanes by KIND;
 * KEEP leaves the lanes not converted as they were, else they are cleared. */
BW_X86_INLINE void
cvt_xmm (BwX86Cpu *cpu, const BwX86Insn *i, Cvt kind, gboolean t, unsigned size, unsigned n,
         gboolean keep)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s, r = keep ? cpu->xmm[i->reg] : (BwX86Xmm){ 0 };
  bw_x86_xmm_src (cpu, i, &s, size, size == 16);
  cvt_lanes (cpu, kind, t, n, &s, &r);
  cpu->xmm[i->reg] = r;
}

/* 0F 2A: CVTPI2PS xmm, mm/m64 (low two lanes) */
static BW_X86_OP (cvtpi2ps)
{
  bw_x86_sse_check (cpu);
  if (i->mod == 3)
    bw_x86_mmx_enter (cpu);
  BwX86Xmm s, r = cpu->xmm[i->reg];
  s.q[0] = bw_x86_mmx_src (cpu, i);
  cvt_lanes (cpu, I32_TO_F, FALSE, 2, &s, &r);
  cpu->xmm[i->reg] = r;
}

/* 66 0F 2A: CVTPI2PD xmm, mm/m64 (exact) */
static BW_X86_OP (cvtpi2pd)
{
  bw_x86_sse_check (cpu);
  if (i->mod == 3)
    bw_x86_mmx_enter (cpu);
  BwX86Xmm s;
  s.q[0] = bw_x86_mmx_src (cpu, i);
  cpu->xmm[i->reg].q[0] = i32_to_d (s.d[0]);
  cpu->xmm[i->reg].q[1] = i32_to_d (s.d[1]);
}

/* F3 0F 2A: CVTSI2SS xmm, r/m32; F2 0F 2A: CVTSI2SD xmm, r/m32 (exact) */
static BW_X86_OP (cvtsi2ss)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s, r = cpu->xmm[i->reg];
  s.d[0] = bw_x86_rm_get (cpu, i, 2);
  cvt_lanes (cpu, I32_TO_F, FALSE, 1, &s, &r);
  cpu->xmm[i->reg] = r;
}

static BW_X86_OP (cvtsi2sd)
{
  bw_x86_sse_check (cpu);
  cpu->xmm[i->reg].q[0] = i32_to_d (bw_x86_rm_get (cpu, i, 2));
}

/* 0F 2C/2D: CVT(T)PS2PI mm, xmm/m64; 66 0F 2C/2D: CVT(T)PD2PI mm, xmm/m128 */
BW_X86_INLINE void
cvtp2pi (BwX86Cpu *cpu, const BwX86Insn *i, gboolean dbl, gboolean t)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s, r;
  bw_x86_xmm_src (cpu, i, &s, dbl ? 16 : 8, dbl);
  bw_x86_mmx_enter (cpu);
  cvt_lanes (cpu, dbl ? D_TO_I32 : F_TO_I32, t, 2, &s, &r);
  bw_x86_mmx_set (cpu, i->reg, r.q[0]);
}

static BW_X86_OP (cvttps2pi) { cvtp2pi (cpu, i, FALSE, TRUE); }
static BW_X86_OP (cvtps2pi_) { cvtp2pi (cpu, i, FALSE, FALSE); }
static BW_X86_OP (cvttpd2pi) { cvtp2pi (cpu, i, TRUE, TRUE); }
static BW_X86_OP (cvtpd2pi_) { cvtp2pi (cpu, i, TRUE, FALSE); }

/* F3/F2 0F 2C/2D: CVT(T)SS2SI, CVT(T)SD2SI r32, xmm/m */
BW_X86_INLINE void
cvts2si (BwX86Cpu *cpu, const BwX86Insn *i, gboolean dbl, gboolean t)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s, r;
  bw_x86_xmm_src (cpu, i, &s, dbl ? 8 : 4, FALSE);
  cvt_lanes (cpu, dbl ? D_TO_I32 : F_TO_I32, t, 1, &s, &r);
  cpu->gpr[i->reg] = r.d[0];
}

static BW_X86_OP (cvttss2si) { cvts2si (cpu, i, FALSE, TRUE); }
static BW_X86_OP (cvtss2si) { cvts2si (cpu, i, FALSE, FALSE); }
static BW_X86_OP (cvttsd2si) { cvts2si (cpu, i, TRUE, TRUE); }
static BW_X86_OP (cvtsd2si) { cvts2si (cpu, i, TRUE, FALSE); }

/* 0F 5A: CVTPS2PD xmm, xmm/m64; 66: CVTPD2PS xmm, xmm/m128 (high half
 * cleared); F3: CVTSS2SD, F2: CVTSD2SS (the rest of the destination kept) */
static BW_X86_OP (cvtps2pd) { cvt_xmm (cpu, i, F_TO_D, FALSE, 8, 2, FALSE); }
static BW_X86_OP (cvtpd2ps) { cvt_xmm (cpu, i, D_TO_F, FALSE, 16, 2, FALSE); }
static BW_X86_OP (cvtss2sd) { cvt_xmm (cpu, i, F_TO_D, FALSE, 4, 1, TRUE); }
static BW_X86_OP (cvtsd2ss) { cvt_xmm (cpu, i, D_TO_F, FALSE, 8, 1, TRUE); }

/* 0F 5B: CVTDQ2PS; 66: CVTPS2DQ; F3: CVTTPS2DQ */
static BW_X86_OP (cvtdq2ps) { cvt_xmm (cpu, i, I32_TO_F, FALSE, 16, 4, FALSE); }
static BW_X86_OP (cvtps2dq) { cvt_xmm (cpu, i, F_TO_I32, FALSE, 16, 4, FALSE); }
static BW_X86_OP (cvttps2dq) { cvt_xmm (cpu, i, F_TO_I32, TRUE, 16, 4, FALSE); }

/* F3 0F E6: CVTDQ2PD xmm, xmm/m64 (exact); F2: CVTPD2DQ; 66: CVTTPD2DQ
 * (high half cleared) */
static BW_X86_OP (cvtdq2pd)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s, r;
  bw_x86_xmm_src (cpu, i, &s, 8, FALSE);
  r.q[0] = i32_to_d (s.d[0]);
  r.q[1] = i32_to_d (s.d[1]);
  cpu->xmm[i->reg] = r;
}

static BW_X86_OP (cvtpd2dq) { cvt_xmm (cpu, i, D_TO_I32, FALSE, 16, 2, FALSE); }
static BW_X86_OP (cvttpd2dq) { cvt_xmm (cpu, i, D_TO_I32, TRUE, 16, 2, FALSE); }

void
bw_x86_simd_fill_cvt (BwX86SimdDef *t)
{
  const int M = BW_X86_SIMD_M;
#define D(opc, pfx, name) bw_x86_simd_def (t, opc, BW_X86_PFX_##pfx, M, bw_x86_op_##name)
  D (0x2a, NONE, cvtpi2ps);
  D (0x2a, 66, cvtpi2pd);
  D (0x2a, F3, cvtsi2ss);
  D (0x2a, F2, cvtsi2sd);
  D (0x2c, NONE, cvttps2pi);
  D (0x2c, 66, cvttpd2pi);
  D (0x2c, F3, cvttss2si);
  D (0x2c, F2, cvttsd2si);
  D (0x2d, NONE, cvtps2pi_);
  D (0x2d, 66, cvtpd2pi_);
  D (0x2d, F3, cvtss2si);
  D (0x2d, F2, cvtsd2si);
  D (0x5a, NONE, cvtps2pd);
  D (0x5a, 66, cvtpd2ps);
  D (0x5a, F3, cvtss2sd);
  D (0x5a, F2, cvtsd2ss);
  D (0x5b, NONE, cvtdq2ps);
  D (0x5b, 66, cvtps2dq);
  D (0x5b, F3, cvttps2dq);
  D (0xe6, F3, cvtdq2pd);
  D (0xe6, F2, cvtpd2dq);
  D (0xe6, 66, cvttpd2dq);
#undef D
}
