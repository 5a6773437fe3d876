/* bw-x86-sse-fp.c: SSE/SSE2 floating-point arithmetic on packed and
 * scalar single and double lanes: ADD SUB MUL DIV MIN MAX SQRT, the
 * approximations RCP and RSQRT, CMPcc, COMIS/UCOMIS. The per-lane rules
 * are in bw-x86-sse-fpcore.h.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-sse-fpcore.h"

enum
{
  PS,
  PD,
  SS,
  SD,
};

static const unsigned form_bytes[4] = { 16, 16, 4, 8 };

/* The destination's lanes after op with the source; unmasked exceptions
 * leave it alone (bw_sse_end raises before it is written). */
static inline void
arith (BwX86Cpu *cpu, const BwX86Insn *i, int op, int form)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s;
  bw_x86_xmm_src (cpu, i, &s, form_bytes[form], form <= PD);
  BwX86Xmm r = cpu->xmm[i->reg];
  BwSseEnv e;
  bw_sse_begin (&e, cpu);
  unsigned lanes = form == PS ? 4 : form == PD ? 2 : 1;
  for (unsigned k = 0; k < lanes; k++)
    {
      if (form == PS || form == SS)
        r.d[k] = op == BW_SSE_SQRT ? bw_sse_arith_f (&e, op, s.d[k], 0)
                                   : bw_sse_arith_f (&e, op, r.d[k], s.d[k]);
      else
        r.q[k] = op == BW_SSE_SQRT ? bw_sse_arith_d (&e, op, s.q[k], 0)
                                   : bw_sse_arith_d (&e, op, r.q[k], s.q[k]);
    }
  bw_sse_end (&e, cpu);
  cpu->xmm[i->reg] = r;
}

#define ARITH(name, op)                                                                     \
  static BW_X86_OP (name##ps) { arith (cpu, i, op, PS); }                                   \
  static BW_X86_OP (name##pd) { arith (cpu, i, op, PD); }                                   \
  static BW_X86_OP (name##ss) { arith (cpu, i, op, SS); }                                   \
  static BW_X86_OP (name##sd) { arith (cpu, i, op, SD); }

ARITH (add, BW_SSE_ADD)
ARITH (sub, BW_SSE_SUB)
ARITH (mul, BW_SSE_MUL)
ARITH (div, BW_SSE_DIV)
ARITH (min, BW_SSE_MIN)
ARITH (max, BW_SSE_MAX)
ARITH (sqrt, BW_SSE_SQRT)

/* ---- RCP, RSQRT: approximations (relative error at most 1.5 * 2^-12 on
 * the CPU); here the correctly rounded value, within that bound. They set
 * no flags; denormal inputs count as zeros and tiny results flush. ---- */

static uint32_t
approx (uint32_t a, gboolean rsqrt)
{
  uint32_t sign = a & 0x80000000u;
  if (bw_sse_nan_f (a))
    return a | 0x00400000u;
  if (bw_sse_denorm_f (a))
    a = sign;
  float x = bw_sse_val_f (a);
  if (rsqrt)
    {
      if (x == 0)
        return sign | 0x7f800000u;
      if (sign)
        return 0xffc00000u;
      if (isinf (x))
        return 0;
      return bw_sse_bits_f ((float) (1.0 / sqrt ((double) x)));
    }
  if (x == 0)
    return sign | 0x7f800000u;
  if (isinf (x))
    return sign;
  uint32_t r = bw_sse_bits_f ((float) (1.0 / (double) x));
  return bw_sse_denorm_f (r) ? sign : r;
}

static inline void
approx_op (BwX86Cpu *cpu, const BwX86Insn *i, gboolean rsqrt, gboolean packed)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s;
  bw_x86_xmm_src (cpu, i, &s, packed ? 16 : 4, packed);
  BwX86Xmm *d = &cpu->xmm[i->reg];
  for (unsigned k = 0; k < (packed ? 4u : 1u); k++)
    d->d[k] = approx (s.d[k], rsqrt);
}

static BW_X86_OP (rcpps) { approx_op (cpu, i, FALSE, TRUE); }
static BW_X86_OP (rcpss) { approx_op (cpu, i, FALSE, FALSE); }
static BW_X86_OP (rsqrtps) { approx_op (cpu, i, TRUE, TRUE); }
static BW_X86_OP (rsqrtss) { approx_op (cpu, i, TRUE, FALSE); }

/* ---- compares --------------------------------------------------------------- */

static inline void
cmp (BwX86Cpu *cpu, const BwX86Insn *i, int form)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s;
  bw_x86_xmm_src (cpu, i, &s, form_bytes[form], form <= PD);
  BwX86Xmm r = cpu->xmm[i->reg];
  unsigned pred = i->imm & 7;
  BwSseEnv e;
  bw_sse_begin (&e, cpu);
  unsigned lanes = form == PS ? 4 : form == PD ? 2 : 1;
  for (unsigned k = 0; k < lanes; k++)
    {
      if (form == PS || form == SS)
        r.d[k] = bw_sse_cmp_f (&e, pred, r.d[k], s.d[k]) ? 0xffffffffu : 0;
      else
        r.q[k] = bw_sse_cmp_d (&e, pred, r.q[k], s.q[k]) ? ~0ull : 0;
    }
  bw_sse_end (&e, cpu);
  cpu->xmm[i->reg] = r;
}

static BW_X86_OP (cmpps) { cmp (cpu, i, PS); }
static BW_X86_OP (cmppd) { cmp (cpu, i, PD); }
static BW_X86_OP (cmpss) { cmp (cpu, i, SS); }
static BW_X86_OP (cmpsd) { cmp (cpu, i, SD); }

static inline void
comi (BwX86Cpu *cpu, const BwX86Insn *i, gboolean dbl, gboolean signal)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s;
  bw_x86_xmm_src (cpu, i, &s, dbl ? 8 : 4, FALSE);
  BwSseEnv e;
  bw_sse_begin (&e, cpu);
  uint32_t f = dbl ? bw_sse_comi_d (&e, signal, cpu->xmm[i->reg].q[0], s.q[0])
                   : bw_sse_comi_f (&e, signal, cpu->xmm[i->reg].d[0], s.d[0]);
  bw_sse_end (&e, cpu);
  bw_x86_set_arith (cpu, f); /* OF, SF, AF cleared */
}

static BW_X86_OP (ucomiss) { comi (cpu, i, FALSE, FALSE); }
static BW_X86_OP (ucomisd) { comi (cpu, i, TRUE, FALSE); }
static BW_X86_OP (comiss) { comi (cpu, i, FALSE, TRUE); }
static BW_X86_OP (comisd) { comi (cpu, i, TRUE, TRUE); }

void
bw_x86_simd_fill_fp (BwX86SimdDef *t)
{
  static const struct
  {
    uint8_t opc;
    BwX86Op fn[4]; /* none, 66, F3, F2 */
  } ops[] = {
#define E4(opc, name)                                                                       \
  { opc, { bw_x86_op_##name##ps, bw_x86_op_##name##pd, bw_x86_op_##name##ss,                \
           bw_x86_op_##name##sd } }
    E4 (0x51, sqrt), E4 (0x58, add), E4 (0x59, mul), E4 (0x5c, sub),
    E4 (0x5d, min),  E4 (0x5e, div), E4 (0x5f, max), E4 (0xc2, cmp),
#undef E4
    { 0x52, { bw_x86_op_rsqrtps, NULL, bw_x86_op_rsqrtss, NULL } },
    { 0x53, { bw_x86_op_rcpps, NULL, bw_x86_op_rcpss, NULL } },
    { 0x2e, { bw_x86_op_ucomiss, bw_x86_op_ucomisd, NULL, NULL } },
    { 0x2f, { bw_x86_op_comiss, bw_x86_op_comisd, NULL, NULL } },
  };
  for (unsigned k = 0; k < G_N_ELEMENTS (ops); k++)
    for (int p = 0; p < 4; p++)
      if (ops[k].fn[p])
        bw_x86_simd_def (t, ops[k].opc, p, ops[k].opc == 0xc2 ? BW_X86_SIMD_M_IB : BW_X86_SIMD_M,
                         ops[k].fn[p]);
}
