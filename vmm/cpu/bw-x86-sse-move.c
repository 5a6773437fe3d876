/* bw-x86-sse-move.c: MMX/SSE/SSE2 data movement: MOVD/MOVQ, the aligned
 * and unaligned 128-bit moves, scalar and half moves, non-temporal
 * stores, masked stores, shuffles, float unpacks, the bitwise float
 * operations, the sign-mask extractions and PINSRW/PEXTRW.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-simd.h"

#define NONE BW_X86_PFX_NONE
#define P66 BW_X86_PFX_66
#define PF3 BW_X86_PFX_F3
#define PF2 BW_X86_PFX_F2

static inline void
need_mem (BwX86Cpu *cpu, const BwX86Insn *i)
{
  if (i->mod == 3)
    bw_x86_raise (cpu, BW_X86_EXC_UD);
}

static inline void
need_reg (BwX86Cpu *cpu, const BwX86Insn *i)
{
  if (i->mod != 3)
    bw_x86_raise (cpu, BW_X86_EXC_UD);
}

/* ---- MOVD, MOVQ ---------------------------------------------------------------- */

/* 0F 6E: MOVD mm, r/m32 */
static BW_X86_OP (movd_mm_rm)
{
  bw_x86_mmx_enter (cpu);
  bw_x86_mmx_set (cpu, i->reg, bw_x86_rm_get (cpu, i, 2));
}

/* 66 0F 6E: MOVD xmm, r/m32 */
static BW_X86_OP (movd_xmm_rm)
{
  bw_x86_sse_check (cpu);
  uint32_t v = bw_x86_rm_get (cpu, i, 2);
  cpu->xmm[i->reg] = (BwX86Xmm){ .d = { v } };
}

/* 0F 7E: MOVD r/m32, mm */
static BW_X86_OP (movd_rm_mm)
{
  bw_x86_mmx_enter (cpu);
  bw_x86_rm_set (cpu, i, 2, (uint32_t) bw_x86_mmx_get (cpu, i->reg));
}

/* 66 0F 7E: MOVD r/m32, xmm */
static BW_X86_OP (movd_rm_xmm)
{
  bw_x86_sse_check (cpu);
  bw_x86_rm_set (cpu, i, 2, cpu->xmm[i->reg].d[0]);
}

/* F3 0F 7E: MOVQ xmm, xmm/m64 (the high half cleared) */
static BW_X86_OP (movq_xmm_xmm64)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s;
  bw_x86_xmm_src (cpu, i, &s, 8, FALSE);
  cpu->xmm[i->reg] = (BwX86Xmm){ .q = { s.q[0] } };
}

/* 66 0F D6: MOVQ xmm/m64, xmm */
static BW_X86_OP (movq_xmm64_xmm)
{
  bw_x86_sse_check (cpu);
  uint64_t v = cpu->xmm[i->reg].q[0];
  if (i->mod == 3)
    cpu->xmm[i->rm] = (BwX86Xmm){ .q = { v } };
  else
    bw_x86_simd_store (cpu, i, &v, 8, FALSE);
}

/* 0F 6F: MOVQ mm, mm/m64 */
static BW_X86_OP (movq_mm_mm64)
{
  bw_x86_mmx_enter (cpu);
  bw_x86_mmx_set (cpu, i->reg, bw_x86_mmx_src (cpu, i));
}

/* 0F 7F: MOVQ mm/m64, mm; 0F E7: MOVNTQ m64, mm */
static BW_X86_OP (movq_mm64_mm)
{
  bw_x86_mmx_enter (cpu);
  uint64_t v = bw_x86_mmx_get (cpu, i->reg);
  if (i->mod == 3)
    bw_x86_mmx_set (cpu, i->rm, v);
  else
    bw_x86_simd_store (cpu, i, &v, 8, FALSE);
}

static BW_X86_OP (movntq)
{
  need_mem (cpu, i);
  bw_x86_op_movq_mm64_mm (cpu, i);
}

/* F3 0F D6: MOVQ2DQ xmm, mm; F2 0F D6: MOVDQ2Q mm, xmm */
static BW_X86_OP (movq2dq)
{
  need_reg (cpu, i);
  bw_x86_sse_check (cpu);
  bw_x86_mmx_enter (cpu);
  cpu->xmm[i->reg] = (BwX86Xmm){ .q = { bw_x86_mmx_get (cpu, i->rm) } };
}

static BW_X86_OP (movdq2q)
{
  need_reg (cpu, i);
  bw_x86_sse_check (cpu);
  bw_x86_mmx_enter (cpu);
  bw_x86_mmx_set (cpu, i->reg, cpu->xmm[i->rm].q[0]);
}

/* ---- whole-register moves -------------------------------------------------------- */

static inline void
mov_load (BwX86Cpu *cpu, const BwX86Insn *i, gboolean align)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s;
  bw_x86_xmm_src (cpu, i, &s, 16, align);
  cpu->xmm[i->reg] = s;
}

static inline void
mov_store (BwX86Cpu *cpu, const BwX86Insn *i, gboolean align)
{
  bw_x86_sse_check (cpu);
  if (i->mod == 3)
    cpu->xmm[i->rm] = cpu->xmm[i->reg];
  else
    bw_x86_simd_store (cpu, i, &cpu->xmm[i->reg], 16, align);
}

static BW_X86_OP (movu_load) { mov_load (cpu, i, FALSE); }
static BW_X86_OP (mova_load) { mov_load (cpu, i, TRUE); }
static BW_X86_OP (movu_store) { mov_store (cpu, i, FALSE); }
static BW_X86_OP (mova_store) { mov_store (cpu, i, TRUE); }

/* MOVNTPS, MOVNTPD, MOVNTDQ: aligned stores to memory only. */
static BW_X86_OP (movnt_store)
{
  need_mem (cpu, i);
  mov_store (cpu, i, TRUE);
}

/* F3 0F 10/11: MOVSS; F2 0F 10/11: MOVSD. A load from memory clears the
 * rest of the register; register to register moves the low lane only. */
static inline void
movs_load (BwX86Cpu *cpu, const BwX86Insn *i, unsigned n)
{
  bw_x86_sse_check (cpu);
  if (i->mod == 3)
    memcpy (&cpu->xmm[i->reg], &cpu->xmm[i->rm], n);
  else
    {
      BwX86Xmm s = { 0 };
      bw_x86_simd_load (cpu, i, &s, n, FALSE);
      cpu->xmm[i->reg] = s;
    }
}

static inline void
movs_store (BwX86Cpu *cpu, const BwX86Insn *i, unsigned n)
{
  bw_x86_sse_check (cpu);
  if (i->mod == 3)
    memcpy (&cpu->xmm[i->rm], &cpu->xmm[i->reg], n);
  else
    bw_x86_simd_store (cpu, i, &cpu->xmm[i->reg], n, FALSE);
}

static BW_X86_OP (movss_load) { movs_load (cpu, i, 4); }
static BW_X86_OP (movsd_load) { movs_load (cpu, i, 8); }
static BW_X86_OP (movss_store) { movs_store (cpu, i, 4); }
static BW_X86_OP (movsd_store) { movs_store (cpu, i, 8); }

/* 0F 12: MOVLPS xmm, m64 or MOVHLPS xmm, xmm; 66 0F 12: MOVLPD (memory). */
static BW_X86_OP (movlps_load)
{
  bw_x86_sse_check (cpu);
  if (i->mod == 3)
    cpu->xmm[i->reg].q[0] = cpu->xmm[i->rm].q[1];
  else
    bw_x86_simd_load (cpu, i, &cpu->xmm[i->reg].q[0], 8, FALSE);
}

static BW_X86_OP (movlpd_load)
{
  need_mem (cpu, i);
  bw_x86_op_movlps_load (cpu, i);
}

/* 0F 16: MOVHPS xmm, m64 or MOVLHPS xmm, xmm; 66 0F 16: MOVHPD. */
static BW_X86_OP (movhps_load)
{
  bw_x86_sse_check (cpu);
  if (i->mod == 3)
    cpu->xmm[i->reg].q[1] = cpu->xmm[i->rm].q[0];
  else
    bw_x86_simd_load (cpu, i, &cpu->xmm[i->reg].q[1], 8, FALSE);
}

static BW_X86_OP (movhpd_load)
{
  need_mem (cpu, i);
  bw_x86_op_movhps_load (cpu, i);
}

/* 0F 13 / 0F 17 (and 66): the low or high quadword to memory. */
static BW_X86_OP (movlp_store)
{
  need_mem (cpu, i);
  bw_x86_sse_check (cpu);
  bw_x86_simd_store (cpu, i, &cpu->xmm[i->reg].q[0], 8, FALSE);
}

static BW_X86_OP (movhp_store)
{
  need_mem (cpu, i);
  bw_x86_sse_check (cpu);
  bw_x86_simd_store (cpu, i, &cpu->xmm[i->reg].q[1], 8, FALSE);
}

/* ---- bitwise float operations, unpacks, shuffles --------------------------------- */

static inline void
logic (BwX86Cpu *cpu, const BwX86Insn *i, int op)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s;
  bw_x86_xmm_src (cpu, i, &s, 16, TRUE);
  BwX86Xmm *d = &cpu->xmm[i->reg];
  for (unsigned k = 0; k < 2; k++)
    switch (op)
      {
      case 0: d->q[k] &= s.q[k]; break;
      case 1: d->q[k] = ~d->q[k] & s.q[k]; break;
      case 2: d->q[k] |= s.q[k]; break;
      default: d->q[k] ^= s.q[k]; break;
      }
}

static BW_X86_OP (andps) { logic (cpu, i, 0); }
static BW_X86_OP (andnps) { logic (cpu, i, 1); }
static BW_X86_OP (orps) { logic (cpu, i, 2); }
static BW_X86_OP (xorps) { logic (cpu, i, 3); }

static BW_X86_OP (unpcklps)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s, *d = &cpu->xmm[i->reg];
  bw_x86_xmm_src (cpu, i, &s, 16, TRUE);
  BwX86Xmm r = { .d = { d->d[0], s.d[0], d->d[1], s.d[1] } };
  *d = r;
}

static BW_X86_OP (unpckhps)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s, *d = &cpu->xmm[i->reg];
  bw_x86_xmm_src (cpu, i, &s, 16, TRUE);
  BwX86Xmm r = { .d = { d->d[2], s.d[2], d->d[3], s.d[3] } };
  *d = r;
}

static BW_X86_OP (unpcklpd)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s, *d = &cpu->xmm[i->reg];
  bw_x86_xmm_src (cpu, i, &s, 16, TRUE);
  d->q[1] = s.q[0];
}

static BW_X86_OP (unpckhpd)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s, *d = &cpu->xmm[i->reg];
  bw_x86_xmm_src (cpu, i, &s, 16, TRUE);
  d->q[0] = d->q[1];
  d->q[1] = s.q[1];
}

static BW_X86_OP (shufps)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s, *d = &cpu->xmm[i->reg];
  bw_x86_xmm_src (cpu, i, &s, 16, TRUE);
  unsigned m = i->imm;
  BwX86Xmm r = { .d = { d->d[m & 3], d->d[(m >> 2) & 3], s.d[(m >> 4) & 3], s.d[(m >> 6) & 3] } };
  *d = r;
}

static BW_X86_OP (shufpd)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s, *d = &cpu->xmm[i->reg];
  bw_x86_xmm_src (cpu, i, &s, 16, TRUE);
  BwX86Xmm r = { .q = { d->q[i->imm & 1], s.q[(i->imm >> 1) & 1] } };
  *d = r;
}

/* 0F 70: PSHUFW mm; 66: PSHUFD; F3: PSHUFHW; F2: PSHUFLW. */
static BW_X86_OP (pshufw)
{
  bw_x86_mmx_enter (cpu);
  BwX86Xmm s, r;
  s.q[0] = bw_x86_mmx_src (cpu, i);
  for (unsigned k = 0; k < 4; k++)
    r.w[k] = s.w[(i->imm >> (2 * k)) & 3];
  bw_x86_mmx_set (cpu, i->reg, r.q[0]);
}

static BW_X86_OP (pshufd)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s, r;
  bw_x86_xmm_src (cpu, i, &s, 16, TRUE);
  for (unsigned k = 0; k < 4; k++)
    r.d[k] = s.d[(i->imm >> (2 * k)) & 3];
  cpu->xmm[i->reg] = r;
}

static inline void
pshuf_half (BwX86Cpu *cpu, const BwX86Insn *i, unsigned half)
{
  bw_x86_sse_check (cpu);
  BwX86Xmm s, r;
  bw_x86_xmm_src (cpu, i, &s, 16, TRUE);
  r = s;
  for (unsigned k = 0; k < 4; k++)
    r.w[half * 4 + k] = s.w[half * 4 + ((i->imm >> (2 * k)) & 3)];
  cpu->xmm[i->reg] = r;
}

static BW_X86_OP (pshufhw) { pshuf_half (cpu, i, 1); }
static BW_X86_OP (pshuflw) { pshuf_half (cpu, i, 0); }

/* ---- sign masks, word insert/extract, masked stores --------------------------------- */

static BW_X86_OP (movmskps)
{
  need_reg (cpu, i);
  bw_x86_sse_check (cpu);
  uint32_t m = 0;
  for (unsigned k = 0; k < 4; k++)
    m |= (cpu->xmm[i->rm].d[k] >> 31) << k;
  cpu->gpr[i->reg] = m;
}

static BW_X86_OP (movmskpd)
{
  need_reg (cpu, i);
  bw_x86_sse_check (cpu);
  cpu->gpr[i->reg] = (uint32_t) ((cpu->xmm[i->rm].q[0] >> 63) | ((cpu->xmm[i->rm].q[1] >> 63) << 1));
}

static BW_X86_OP (pmovmskb_mm)
{
  need_reg (cpu, i);
  bw_x86_mmx_enter (cpu);
  BwX86Xmm s;
  s.q[0] = bw_x86_mmx_get (cpu, i->rm);
  uint32_t m = 0;
  for (unsigned k = 0; k < 8; k++)
    m |= (uint32_t) (s.b[k] >> 7) << k;
  cpu->gpr[i->reg] = m;
}

static BW_X86_OP (pmovmskb_xmm)
{
  need_reg (cpu, i);
  bw_x86_sse_check (cpu);
  uint32_t m = 0;
  for (unsigned k = 0; k < 16; k++)
    m |= (uint32_t) (cpu->xmm[i->rm].b[k] >> 7) << k;
  cpu->gpr[i->reg] = m;
}

/* PINSRW: a word from r32 (low 16 bits) or m16. */
static inline uint16_t
word_src (BwX86Cpu *cpu, const BwX86Insn *i)
{
  if (i->mod == 3)
    return (uint16_t) cpu->gpr[i->rm];
  return (uint16_t) bw_x86_read (cpu, i->seg, bw_x86_ea (cpu, i), 2);
}

static BW_X86_OP (pinsrw_mm)
{
  bw_x86_mmx_enter (cpu);
  uint16_t w = word_src (cpu, i);
  BwX86Xmm d;
  d.q[0] = bw_x86_mmx_get (cpu, i->reg);
  d.w[i->imm & 3] = w;
  bw_x86_mmx_set (cpu, i->reg, d.q[0]);
}

static BW_X86_OP (pinsrw_xmm)
{
  bw_x86_sse_check (cpu);
  uint16_t w = word_src (cpu, i);
  cpu->xmm[i->reg].w[i->imm & 7] = w;
}

static BW_X86_OP (pextrw_mm)
{
  need_reg (cpu, i);
  bw_x86_mmx_enter (cpu);
  BwX86Xmm s;
  s.q[0] = bw_x86_mmx_get (cpu, i->rm);
  cpu->gpr[i->reg] = s.w[i->imm & 3];
}

static BW_X86_OP (pextrw_xmm)
{
  need_reg (cpu, i);
  bw_x86_sse_check (cpu);
  cpu->gpr[i->reg] = cpu->xmm[i->rm].w[i->imm & 7];
}

/* MASKMOVQ / MASKMOVDQU: the bytes whose mask byte has its top bit set
 * go to DS:(E)DI (segment override allowed). Checked as a whole first. */
static void
maskmov (BwX86Cpu *cpu, const BwX86Insn *i, const uint8_t *data, const uint8_t *mask,
         unsigned n)
{
  uint32_t off = cpu->gpr[BW_X86_EDI];
  if (!(i->flags & BW_X86_I_A32))
    off &= 0xffff;
  gboolean any = FALSE;
  for (unsigned k = 0; k < n; k++)
    any |= mask[k] >> 7;
  if (!any)
    return;
  bw_x86_seg_lin_rmw (cpu, i->seg, off, n);
  for (unsigned k = 0; k < n; k++)
    if (mask[k] & 0x80)
      bw_x86_write (cpu, i->seg, off + k, 1, data[k]);
}

static BW_X86_OP (maskmovq)
{
  need_reg (cpu, i);
  bw_x86_mmx_enter (cpu);
  uint64_t d = bw_x86_mmx_get (cpu, i->reg), m = bw_x86_mmx_get (cpu, i->rm);
  maskmov (cpu, i, (const uint8_t *) &d, (const uint8_t *) &m, 8);
}

static BW_X86_OP (maskmovdqu)
{
  need_reg (cpu, i);
  bw_x86_sse_check (cpu);
  BwX86Xmm d = cpu->xmm[i->reg], m = cpu->xmm[i->rm];
  maskmov (cpu, i, d.b, m.b, 16);
}

void
bw_x86_simd_fill_move (BwX86SimdDef *t)
{
  const int M = BW_X86_SIMD_M, MI = BW_X86_SIMD_M_IB;
#define D(opc, pfx, fmt, name) bw_x86_simd_def (t, opc, pfx, fmt, bw_x86_op_##name)
  D (0x10, NONE, M, movu_load);
  D (0x10, P66, M, movu_load);
  D (0x10, PF3, M, movss_load);
  D (0x10, PF2, M, movsd_load);
  D (0x11, NONE, M, movu_store);
  D (0x11, P66, M, movu_store);
  D (0x11, PF3, M, movss_store);
  D (0x11, PF2, M, movsd_store);
  D (0x12, NONE, M, movlps_load);
  D (0x12, P66, M, movlpd_load);
  D (0x13, NONE, M, movlp_store);
  D (0x13, P66, M, movlp_store);
  D (0x14, NONE, M, unpcklps);
  D (0x14, P66, M, unpcklpd);
  D (0x15, NONE, M, unpckhps);
  D (0x15, P66, M, unpckhpd);
  D (0x16, NONE, M, movhps_load);
  D (0x16, P66, M, movhpd_load);
  D (0x17, NONE, M, movhp_store);
  D (0x17, P66, M, movhp_store);
  D (0x28, NONE, M, mova_load);
  D (0x28, P66, M, mova_load);
  D (0x29, NONE, M, mova_store);
  D (0x29, P66, M, mova_store);
  D (0x2b, NONE, M, movnt_store);
  D (0x2b, P66, M, movnt_store);
  D (0x50, NONE, M, movmskps);
  D (0x50, P66, M, movmskpd);
  D (0x54, NONE, M, andps);
  D (0x54, P66, M, andps);
  D (0x55, NONE, M, andnps);
  D (0x55, P66, M, andnps);
  D (0x56, NONE, M, orps);
  D (0x56, P66, M, orps);
  D (0x57, NONE, M, xorps);
  D (0x57, P66, M, xorps);
  D (0x6e, NONE, M, movd_mm_rm);
  D (0x6e, P66, M, movd_xmm_rm);
  D (0x6f, NONE, M, movq_mm_mm64);
  D (0x6f, P66, M, mova_load);
  D (0x6f, PF3, M, movu_load);
  D (0x70, NONE, MI, pshufw);
  D (0x70, P66, MI, pshufd);
  D (0x70, PF3, MI, pshufhw);
  D (0x70, PF2, MI, pshuflw);
  D (0x7e, NONE, M, movd_rm_mm);
  D (0x7e, P66, M, movd_rm_xmm);
  D (0x7e, PF3, M, movq_xmm_xmm64);
  D (0x7f, NONE, M, movq_mm64_mm);
  D (0x7f, P66, M, mova_store);
  D (0x7f, PF3, M, movu_store);
  D (0xc4, NONE, MI, pinsrw_mm);
  D (0xc4, P66, MI, pinsrw_xmm);
  D (0xc5, NONE, MI, pextrw_mm);
  D (0xc5, P66, MI, pextrw_xmm);
  D (0xc6, NONE, MI, shufps);
  D (0xc6, P66, MI, shufpd);
  D (0xd6, P66, M, movq_xmm64_xmm);
  D (0xd6, PF3, M, movq2dq);
  D (0xd6, PF2, M, movdq2q);
  D (0xd7, NONE, M, pmovmskb_mm);
  D (0xd7, P66, M, pmovmskb_xmm);
  D (0xe7, NONE, M, movntq);
  D (0xe7, P66, M, movnt_store);
  D (0xf7, NONE, M, maskmovq);
  D (0xf7, P66, M, maskmovdqu);
#undef D
}
