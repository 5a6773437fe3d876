/* bw-x86-simd-int.c: packed integer arithmetic of MMX and SSE2 (and the
 * MMX additions of SSE): add/subtract with wrap and saturation, compares,
 * logic, shifts, multiplies, packs and unpacks, averages, min/max, sum of
 * absolute differences. Each operation is written once over n bytes and
 * instantiated for MMX registers (n = 8) and XMM registers (n = 16).
 */
#include "config.h"

#include "vmm/cpu/bw-x86-simd.h"

typedef void (*IntOp) (BwX86Xmm *d, const BwX86Xmm *s, unsigned n);

BW_X86_INLINE void
mmx_binop (BwX86Cpu *cpu, const BwX86Insn *i, IntOp op)
{
  bw_x86_mmx_enter (cpu);
  BwX86Xmm d, s;
  s.q[0] = bw_x86_mmx_src (cpu, i);
  d.q[0] = bw_x86_mmx_get (cpu, i->reg);
  op (&d, &s, 8);
  bw_x86_mmx_set (cpu, i->reg, d.q[0]);
}

BW_X86_INLINE void
xmm_binop (BwX86Cpu *cpu, const BwX86Insn *i, IntOp op)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s;
  bw_x86_xmm_src (cpu, i, &s, 16, TRUE);
  op (&cpu->xmm[i->reg], &s, 16);
}

/* Declares k_NAME (the operation) and the two handlers. */
#define INT_OP(name)                                                                        \
  static void k_##name (BwX86Xmm *d, const BwX86Xmm *s, unsigned n);                        \
  static G_GNUC_UNUSED BW_X86_OP (mmx_##name) { mmx_binop (cpu, i, k_##name); }             \
  static BW_X86_OP (xmm_##name) { xmm_binop (cpu, i, k_##name); }                           \
  static inline void k_##name (BwX86Xmm *d, const BwX86Xmm *s, unsigned n)

/* Lane loops: N lanes of the given view. */
#define LANES_B for (unsigned k = 0; k < n; k++)
#define LANES_W for (unsigned k = 0; k < n / 2; k++)
#define LANES_D for (unsigned k = 0; k < n / 4; k++)
#define LANES_Q for (unsigned k = 0; k < n / 8; k++)

static inline int8_t
sat8 (int v)
{
  return v > 127 ? 127 : v < -128 ? -128 : v;
}

static inline uint8_t
satu8 (int v)
{
  return v > 255 ? 255 : v < 0 ? 0 : v;
}

static inline int16_t
sat16 (int v)
{
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

static inline uint16_t
satu16 (int v)
{
  return v > 65535 ? 65535 : v < 0 ? 0 : v;
}

/* ---- add, subtract ----------------------------------------------------------- */

INT_OP (paddb) { LANES_B d->b[k] += s->b[k]; }
INT_OP (paddw) { LANES_W d->w[k] += s->w[k]; }
INT_OP (paddd) { LANES_D d->d[k] += s->d[k]; }
INT_OP (paddq) { LANES_Q d->q[k] += s->q[k]; }
INT_OP (psubb) { LANES_B d->b[k] -= s->b[k]; }
INT_OP (psubw) { LANES_W d->w[k] -= s->w[k]; }
INT_OP (psubd) { LANES_D d->d[k] -= s->d[k]; }
INT_OP (psubq) { LANES_Q d->q[k] -= s->q[k]; }
INT_OP (paddsb) { LANES_B d->sb[k] = sat8 (d->sb[k] + s->sb[k]); }
INT_OP (paddsw) { LANES_W d->sw[k] = sat16 (d->sw[k] + s->sw[k]); }
INT_OP (paddusb) { LANES_B d->b[k] = satu8 (d->b[k] + s->b[k]); }
INT_OP (paddusw) { LANES_W d->w[k] = satu16 (d->w[k] + s->w[k]); }
INT_OP (psubsb) { LANES_B d->sb[k] = sat8 (d->sb[k] - s->sb[k]); }
INT_OP (psubsw) { LANES_W d->sw[k] = sat16 (d->sw[k] - s->sw[k]); }
INT_OP (psubusb) { LANES_B d->b[k] = satu8 (d->b[k] - s->b[k]); }
INT_OP (psubusw) { LANES_W d->w[k] = satu16 (d->w[k] - s->w[k]); }

/* ---- compares, logic -------------------------------------------------------- */

INT_OP (pcmpeqb) { LANES_B d->b[k] = d->b[k] == s->b[k] ? 0xff : 0; }
INT_OP (pcmpeqw) { LANES_W d->w[k] = d->w[k] == s->w[k] ? 0xffff : 0; }
INT_OP (pcmpeqd) { LANES_D d->d[k] = d->d[k] == s->d[k] ? 0xffffffffu : 0; }
INT_OP (pcmpgtb) { LANES_B d->b[k] = d->sb[k] > s->sb[k] ? 0xff : 0; }
INT_OP (pcmpgtw) { LANES_W d->w[k] = d->sw[k] > s->sw[k] ? 0xffff : 0; }
INT_OP (pcmpgtd) { LANES_D d->d[k] = d->sd[k] > s->sd[k] ? 0xffffffffu : 0; }
INT_OP (pand) { LANES_Q d->q[k] &= s->q[k]; }
INT_OP (pandn) { LANES_Q d->q[k] = ~d->q[k] & s->q[k]; }
INT_OP (por) { LANES_Q d->q[k] |= s->q[k]; }
INT_OP (pxor) { LANES_Q d->q[k] ^= s->q[k]; }

/* ---- min, max, average, SAD (SSE on MMX, SSE2 on XMM) ------------------------- */

INT_OP (pminub) { LANES_B d->b[k] = MIN (d->b[k], s->b[k]); }
INT_OP (pmaxub) { LANES_B d->b[k] = MAX (d->b[k], s->b[k]); }
INT_OP (pminsw) { LANES_W d->sw[k] = MIN (d->sw[k], s->sw[k]); }
INT_OP (pmaxsw) { LANES_W d->sw[k] = MAX (d->sw[k], s->sw[k]); }
INT_OP (pavgb) { LANES_B d->b[k] = (uint8_t) ((d->b[k] + s->b[k] + 1) >> 1); }
INT_OP (pavgw) { LANES_W d->w[k] = (uint16_t) ((d->w[k] + s->w[k] + 1) >> 1); }

INT_OP (psadbw)
{
  for (unsigned h = 0; h < n / 8; h++)
    {
      unsigned sum = 0;
      for (unsigned k = 0; k < 8; k++)
        {
          int a = d->b[h * 8 + k], b = s->b[h * 8 + k];
          sum += a > b ? a - b : b - a;
        }
      d->q[h] = sum;
    }
}

/* ---- multiplies ------------------------------------------------------------- */

INT_OP (pmullw) { LANES_W d->w[k] = (uint16_t) (d->sw[k] * s->sw[k]); }
INT_OP (pmulhw) { LANES_W d->w[k] = (uint16_t) ((d->sw[k] * s->sw[k]) >> 16); }
INT_OP (pmulhuw) { LANES_W d->w[k] = (uint16_t) (((uint32_t) d->w[k] * s->w[k]) >> 16); }
INT_OP (pmuludq) { LANES_Q d->q[k] = (uint64_t) d->d[2 * k] * s->d[2 * k]; }

INT_OP (pmaddwd)
{
  LANES_D
  {
    int64_t v = (int64_t) d->sw[2 * k] * s->sw[2 * k]
                + (int64_t) d->sw[2 * k + 1] * s->sw[2 * k + 1];
    d->d[k] = (uint32_t) v; /* only 8000h*8000h twice wraps, to 80000000h */
  }
}

/* ---- packs and unpacks ------------------------------------------------------ */

INT_OP (packsswb)
{
  BwX86Xmm r;
  LANES_W
  {
    r.sb[k] = sat8 (d->sw[k]);
    r.sb[k + n / 2] = sat8 (s->sw[k]);
  }
  memcpy (d, &r, n);
}

INT_OP (packuswb)
{
  BwX86Xmm r;
  LANES_W
  {
    r.b[k] = satu8 (d->sw[k]);
    r.b[k + n / 2] = satu8 (s->sw[k]);
  }
  memcpy (d, &r, n);
}

INT_OP (packssdw)
{
  BwX86Xmm r;
  LANES_D
  {
    r.sw[k] = sat16 (d->sd[k]);
    r.sw[k + n / 4] = sat16 (s->sd[k]);
  }
  memcpy (d, &r, n);
}

/* Interleaves the low (hi = 0) or high halves lane by lane. */
static inline void
unpack (BwX86Xmm *d, const BwX86Xmm *s, unsigned n, unsigned lane, gboolean hi)
{
  BwX86Xmm r;
  unsigned half = n / 2, cnt = half / lane;
  for (unsigned k = 0; k < cnt; k++)
    {
      memcpy (r.b + 2 * k * lane, d->b + (hi ? half : 0) + k * lane, lane);
      memcpy (r.b + (2 * k + 1) * lane, s->b + (hi ? half : 0) + k * lane, lane);
    }
  memcpy (d, &r, n);
}

INT_OP (punpcklbw) { unpack (d, s, n, 1, FALSE); }
INT_OP (punpcklwd) { unpack (d, s, n, 2, FALSE); }
INT_OP (punpckldq) { unpack (d, s, n, 4, FALSE); }
INT_OP (punpcklqdq) { unpack (d, s, n, 8, FALSE); }
INT_OP (punpckhbw) { unpack (d, s, n, 1, TRUE); }
INT_OP (punpckhwd) { unpack (d, s, n, 2, TRUE); }
INT_OP (punpckhdq) { unpack (d, s, n, 4, TRUE); }
INT_OP (punpckhqdq) { unpack (d, s, n, 8, TRUE); }

/* ---- shifts ------------------------------------------------------------------- */

static inline void
shift (BwX86Xmm *d, unsigned n, unsigned kind, unsigned lane, uint64_t cnt)
{
  unsigned bits = lane * 8;
  for (unsigned k = 0; k < n / lane; k++)
    {
      uint64_t v, m = bits == 64 ? ~0ull : (1ull << bits) - 1;
      switch (lane)
        {
        case 2: v = d->w[k]; break;
        case 4: v = d->d[k]; break;
        default: v = d->q[k]; break;
        }
      switch (kind)
        {
        case 0: /* logical right */
          v = cnt >= bits ? 0 : v >> cnt;
          break;
        case 1: /* arithmetic right */
          {
            int64_t sv = (int64_t) (v << (64 - bits)) >> (64 - bits);
            v = (uint64_t) (sv >> (cnt >= bits ? bits - 1 : cnt)) & m;
          }
          break;
        default: /* left */
          v = cnt >= bits ? 0 : (v << cnt) & m;
          break;
        }
      switch (lane)
        {
        case 2: d->w[k] = (uint16_t) v; break;
        case 4: d->d[k] = (uint32_t) v; break;
        default: d->q[k] = v; break;
        }
    }
}

/* By register or memory: the count is the source's low quadword. */
INT_OP (psrlw) { shift (d, n, 0, 2, s->q[0]); }
INT_OP (psrld) { shift (d, n, 0, 4, s->q[0]); }
INT_OP (psrlq) { shift (d, n, 0, 8, s->q[0]); }
INT_OP (psraw) { shift (d, n, 1, 2, s->q[0]); }
INT_OP (psrad) { shift (d, n, 1, 4, s->q[0]); }
INT_OP (psllw) { shift (d, n, 2, 2, s->q[0]); }
INT_OP (pslld) { shift (d, n, 2, 4, s->q[0]); }
INT_OP (psllq) { shift (d, n, 2, 8, s->q[0]); }

/* 0F 71/72/73 with imm8: the operation by ModRM.reg (register only).
 * kinds: -1 #UD, 0-2 as shift(), 3 PSRLDQ, 4 PSLLDQ (XMM only). */
static void
shift_imm (BwX86Cpu *cpu, const BwX86Insn *i, unsigned lane, gboolean xmm)
{
  static const int kinds[3][8] = {
    { -1, -1, 0, -1, 1, -1, 2, -1 },
    { -1, -1, 0, -1, 1, -1, 2, -1 },
    { -1, -1, 0, 3, -1, -1, 2, 4 },
  };
  int kind = kinds[lane == 2 ? 0 : lane == 4 ? 1 : 2][i->reg];
  if (i->mod != 3 || kind < 0 || (kind >= 3 && !xmm))
    bw_x86_raise (cpu, BW_X86_EXC_UD);
  unsigned cnt = i->imm & 0xff;
  if (!xmm)
    {
      bw_x86_mmx_enter (cpu);
      BwX86Xmm d;
      d.q[0] = bw_x86_mmx_get (cpu, i->rm);
      shift (&d, 8, kind, lane, cnt);
      bw_x86_mmx_set (cpu, i->rm, d.q[0]);
      return;
    }
  bw_x86_sse_check (cpu);
  BwX86Xmm *d = &cpu->xmm[i->rm];
  if (kind < 3)
    {
      shift (d, 16, kind, lane, cnt);
      return;
    }
  BwX86Xmm r = { 0 };
  if (cnt > 16)
    cnt = 16;
  if (kind == 3)
    memcpy (r.b, d->b + cnt, 16 - cnt);
  else
    memcpy (r.b + cnt, d->b, 16 - cnt);
  *d = r;
}

static BW_X86_OP (mmx_grp12) { shift_imm (cpu, i, 2, FALSE); }
static BW_X86_OP (mmx_grp13) { shift_imm (cpu, i, 4, FALSE); }
static BW_X86_OP (mmx_grp14) { shift_imm (cpu, i, 8, FALSE); }
static BW_X86_OP (xmm_grp12) { shift_imm (cpu, i, 2, TRUE); }
static BW_X86_OP (xmm_grp13) { shift_imm (cpu, i, 4, TRUE); }
static BW_X86_OP (xmm_grp14) { shift_imm (cpu, i, 8, TRUE); }

/* ---- the table ------------------------------------------------------------------ */

void
bw_x86_simd_fill_int (BwX86SimdDef *t)
{
  /* Opcode, MMX form (no prefix), SSE2 form (66). */
  static const struct
  {
    uint8_t opc;
    BwX86Op mmx, xmm;
  } ops[] = {
#define E(opc, name) { opc, bw_x86_op_mmx_##name, bw_x86_op_xmm_##name }
    E (0x60, punpcklbw), E (0x61, punpcklwd), E (0x62, punpckldq), E (0x63, packsswb),
    E (0x64, pcmpgtb),   E (0x65, pcmpgtw),   E (0x66, pcmpgtd),   E (0x67, packuswb),
    E (0x68, punpckhbw), E (0x69, punpckhwd), E (0x6a, punpckhdq), E (0x6b, packssdw),
    E (0x74, pcmpeqb),   E (0x75, pcmpeqw),   E (0x76, pcmpeqd),
    E (0xd1, psrlw),     E (0xd2, psrld),     E (0xd3, psrlq),     E (0xd4, paddq),
    E (0xd5, pmullw),    E (0xd8, psubusb),   E (0xd9, psubusw),   E (0xda, pminub),
    E (0xdb, pand),      E (0xdc, paddusb),   E (0xdd, paddusw),   E (0xde, pmaxub),
    E (0xdf, pandn),     E (0xe0, pavgb),     E (0xe1, psraw),     E (0xe2, psrad),
    E (0xe3, pavgw),     E (0xe4, pmulhuw),   E (0xe5, pmulhw),    E (0xe8, psubsb),
    E (0xe9, psubsw),    E (0xea, pminsw),    E (0xeb, por),       E (0xec, paddsb),
    E (0xed, paddsw),    E (0xee, pmaxsw),    E (0xef, pxor),      E (0xf1, psllw),
    E (0xf2, pslld),     E (0xf3, psllq),     E (0xf4, pmuludq),   E (0xf5, pmaddwd),
    E (0xf6, psadbw),    E (0xf8, psubb),     E (0xf9, psubw),     E (0xfa, psubd),
    E (0xfb, psubq),     E (0xfc, paddb),     E (0xfd, paddw),     E (0xfe, paddd),
#undef E
  };
  for (unsigned k = 0; k < G_N_ELEMENTS (ops); k++)
    {
      bw_x86_simd_def (t, ops[k].opc, BW_X86_PFX_NONE, BW_X86_SIMD_M, ops[k].mmx);
      bw_x86_simd_def (t, ops[k].opc, BW_X86_PFX_66, BW_X86_SIMD_M, ops[k].xmm);
    }
  /* The quadword unpacks exist only for XMM. */
  bw_x86_simd_def (t, 0x6c, BW_X86_PFX_66, BW_X86_SIMD_M, bw_x86_op_xmm_punpcklqdq);
  bw_x86_simd_def (t, 0x6d, BW_X86_PFX_66, BW_X86_SIMD_M, bw_x86_op_xmm_punpckhqdq);
  bw_x86_simd_def (t, 0x71, BW_X86_PFX_NONE, BW_X86_SIMD_M_IB, bw_x86_op_mmx_grp12);
  bw_x86_simd_def (t, 0x72, BW_X86_PFX_NONE, BW_X86_SIMD_M_IB, bw_x86_op_mmx_grp13);
  bw_x86_simd_def (t, 0x73, BW_X86_PFX_NONE, BW_X86_SIMD_M_IB, bw_x86_op_mmx_grp14);
  bw_x86_simd_def (t, 0x71, BW_X86_PFX_66, BW_X86_SIMD_M_IB, bw_x86_op_xmm_grp12);
  bw_x86_simd_def (t, 0x72, BW_X86_PFX_66, BW_X86_SIMD_M_IB, bw_x86_op_xmm_grp13);
  bw_x86_simd_def (t, 0x73, BW_X86_PFX_66, BW_X86_SIMD_M_IB, bw_x86_op_xmm_grp14);
}
