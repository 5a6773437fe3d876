/* bw-x86-sse-state.c: SIMD state and housekeeping: FXSAVE/FXRSTOR,
 * LDMXCSR/STMXCSR, EMMS, the fences, CLFLUSH, MOVNTI; the operand access
 * and MXCSR exception reporting the other SIMD files use; and the 0F table
 * by mandatory prefix that the decoder merges into its own.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-simd.h"

G_STATIC_ASSERT (G_BYTE_ORDER == G_LITTLE_ENDIAN);

/* ---- memory operands ------------------------------------------------------ */

void
bw_x86_simd_load_at (BwX86Cpu *cpu, int seg, uint32_t off, void *dst, unsigned n,
                     gboolean align)
{
  uint32_t lin = bw_x86_seg_lin (cpu, seg, off, n, BW_X86_ACC_R);
  if (align && (lin & 15))
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  uint8_t *d = dst;
  for (unsigned k = 0; k < n; k += 4)
    {
      uint32_t v = bw_x86_lin_read (cpu, lin + k, n - k >= 4 ? 4 : n - k);
      memcpy (d + k, &v, n - k >= 4 ? 4 : n - k);
    }
}

void
bw_x86_simd_store_at (BwX86Cpu *cpu, int seg, uint32_t off, const void *src, unsigned n,
                      gboolean align)
{
  uint32_t lin = bw_x86_seg_lin_rmw (cpu, seg, off, n);
  if (align && (lin & 15))
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  const uint8_t *s = src;
  for (unsigned k = 0; k < n; k += 4)
    {
      uint32_t v = 0;
      memcpy (&v, s + k, n - k >= 4 ? 4 : n - k);
      bw_x86_lin_write (cpu, lin + k, n - k >= 4 ? 4 : n - k, v);
    }
}

void
bw_x86_simd_load (BwX86Cpu *cpu, const BwX86Insn *i, void *dst, unsigned n, gboolean align)
{
  bw_x86_simd_load_at (cpu, i->seg, bw_x86_ea (cpu, i), dst, n, align);
}

void
bw_x86_simd_store (BwX86Cpu *cpu, const BwX86Insn *i, const void *src, unsigned n,
                   gboolean align)
{
  bw_x86_simd_store_at (cpu, i->seg, bw_x86_ea (cpu, i), src, n, align);
}

/* ---- SIMD floating-point exceptions ---------------------------------------- */

void
bw_x86_sse_flags (BwX86Cpu *cpu, uint32_t flags)
{
  uint32_t unmasked = flags & ~(cpu->mxcsr >> 7) & 0x3f;
  if (BW_X86_LIKELY (!unmasked))
    {
      cpu->mxcsr |= flags;
      return;
    }
  /* An unmasked invalid, denormal or divide-by-zero is found before the
   * result is computed: the post-computation flags are then not set. The
   * destination stays as it was. */
  uint32_t pre = BW_X86_MXCSR_IE | BW_X86_MXCSR_DE | BW_X86_MXCSR_ZE;
  if (unmasked & pre)
    flags &= pre;
  cpu->mxcsr |= flags;
  bw_x86_raise (cpu, (cpu->cr4 & BW_X86_CR4_OSXMMEXCPT) ? BW_X86_EXC_XM : BW_X86_EXC_UD);
}

/* ---- FXSAVE, FXRSTOR, LDMXCSR, STMXCSR -------------------------------------- */

/* FXSAVE and FXRSTOR: #NM with CR0.TS or CR0.EM; they work whatever
 * CR4.OSFXSR says (this CPU always includes the XMM registers). */
static void
fx_check (BwX86Cpu *cpu)
{
  if (!cpu->config.has_fpu)
    bw_x86_raise (cpu, BW_X86_EXC_UD);
  if (cpu->cr0 & (BW_X86_CR0_TS | BW_X86_CR0_EM))
    bw_x86_raise (cpu, BW_X86_EXC_NM);
}

/* The part of the image a 32-bit FXSAVE writes: 0-287 (x87, MXCSR,
 * XMM0-7); the rest is reserved or left to software. */
#define FX_BYTES 288

static void
fxsave (BwX86Cpu *cpu, const BwX86Insn *i)
{
  fx_check (cpu);
  uint8_t img[512] __attribute__ ((aligned (16)));
  bw_x86_cpu_get_fxsave (cpu, img);
  uint32_t off = bw_x86_ea (cpu, i);
  /* The whole 512-byte area must be writable and aligned. */
  uint32_t lin = bw_x86_seg_lin_rmw (cpu, i->seg, off, 512);
  if (lin & 15)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  bw_x86_simd_store_at (cpu, i->seg, off, img, FX_BYTES, FALSE);
}

static void
fxrstor (BwX86Cpu *cpu, const BwX86Insn *i)
{
  fx_check (cpu);
  uint8_t img[512] __attribute__ ((aligned (16)));
  uint32_t off = bw_x86_ea (cpu, i);
  uint32_t lin = bw_x86_seg_lin (cpu, i->seg, off, 512, BW_X86_ACC_R);
  if (lin & 15)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  bw_x86_simd_load_at (cpu, i->seg, off, img, 512, FALSE);
  uint32_t mxcsr;
  memcpy (&mxcsr, img + 24, 4);
  if (mxcsr & ~BW_X86_MXCSR_MASK)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  bw_x86_cpu_set_fxsave (cpu, img);
}

static void
ldmxcsr (BwX86Cpu *cpu, const BwX86Insn *i)
{
  bw_x86_sse_check (cpu);
  uint32_t v = bw_x86_read (cpu, i->seg, bw_x86_ea (cpu, i), 4);
  if (v & ~BW_X86_MXCSR_MASK)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  cpu->mxcsr = v;
}

static void
stmxcsr (BwX86Cpu *cpu, const BwX86Insn *i)
{
  bw_x86_sse_check (cpu);
  bw_x86_write (cpu, i->seg, bw_x86_ea (cpu, i), 4, cpu->mxcsr);
}

/* 0F AE: FXSAVE FXRSTOR LDMXCSR STMXCSR - - - CLFLUSH with memory;
 * LFENCE MFENCE SFENCE with a register. One CPU with coherent memory
 * needs nothing for the fences or the cache line flush. */
static BW_X86_OP (grp15)
{
  if (i->mod == 3)
    {
      if (i->reg < 5)
        bw_x86_raise (cpu, BW_X86_EXC_UD);
      return;
    }
  switch (i->reg)
    {
    case 0: fxsave (cpu, i); break;
    case 1: fxrstor (cpu, i); break;
    case 2: ldmxcsr (cpu, i); break;
    case 3: stmxcsr (cpu, i); break;
    case 7:
      /* CLFLUSH: the address must be readable (a fault is reported). */
      bw_x86_read (cpu, i->seg, bw_x86_ea (cpu, i), 1);
      break;
    default: bw_x86_raise (cpu, BW_X86_EXC_UD);
    }
}

static BW_X86_OP (emms)
{
  bw_x86_mmx_emms (cpu);
}

/* MOVNTI m32, r32: an ordinary store here (no cache to bypass). */
static BW_X86_OP (movnti)
{
  if (i->mod == 3)
    bw_x86_raise (cpu, BW_X86_EXC_UD);
  bw_x86_write (cpu, i->seg, bw_x86_ea (cpu, i), 4, cpu->gpr[i->reg]);
}

void
bw_x86_simd_fill_state (BwX86SimdDef *t)
{
  bw_x86_simd_def (t, 0xae, BW_X86_PFX_NONE, BW_X86_SIMD_M, bw_x86_op_grp15);
  bw_x86_simd_def (t, 0xae, BW_X86_PFX_66, BW_X86_SIMD_M, bw_x86_op_grp15);
  bw_x86_simd_def (t, 0x77, BW_X86_PFX_NONE, BW_X86_SIMD_NONE, bw_x86_op_emms);
  bw_x86_simd_def (t, 0xc3, BW_X86_PFX_NONE, BW_X86_SIMD_M, bw_x86_op_movnti);
}

void
bw_x86_simd_fill (BwX86SimdDef *t)
{
  bw_x86_simd_fill_state (t);
  bw_x86_simd_fill_int (t);
  bw_x86_simd_fill_move (t);
  bw_x86_simd_fill_fp (t);
  bw_x86_simd_fill_cvt (t);
}
