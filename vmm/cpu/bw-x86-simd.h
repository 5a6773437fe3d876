/* bw-x86-simd.h: what the MMX, SSE and SSE2 files share: the checks every
 * such instruction makes, operand access, MXCSR bits, and the table of
 * 0F opcodes selected by the mandatory prefix (none, 66, F3, F2) that the
 * decoder merges into its two-byte table.
 */
#pragma once

#include "vmm/cpu/bw-x86-private.h"

#define BW_X86_CR4_OSFXSR 0x00000200u
#define BW_X86_CR4_OSXMMEXCPT 0x00000400u
#define BW_X86_EXC_XM 19

/* MXCSR: exception flags 0-5, DAZ 6, masks 7-12, rounding 13-14, FTZ 15. */
#define BW_X86_MXCSR_IE 0x0001u
#define BW_X86_MXCSR_DE 0x0002u
#define BW_X86_MXCSR_ZE 0x0004u
#define BW_X86_MXCSR_OE 0x0008u
#define BW_X86_MXCSR_UE 0x0010u
#define BW_X86_MXCSR_PE 0x0020u
#define BW_X86_MXCSR_DAZ 0x0040u
#define BW_X86_MXCSR_FTZ 0x8000u
#define BW_X86_MXCSR_DEFAULT 0x1f80u
/* Writable bits (DAZ supported), as FXSAVE reports in MXCSR_MASK. */
#define BW_X86_MXCSR_MASK 0xffffu

/* Mandatory-prefix slots. */
enum
{
  BW_X86_PFX_NONE,
  BW_X86_PFX_66,
  BW_X86_PFX_F3,
  BW_X86_PFX_F2,
};

/* Operand formats of table entries. */
enum
{
  BW_X86_SIMD_UNUSED,
  BW_X86_SIMD_M,    /* ModRM */
  BW_X86_SIMD_M_IB, /* ModRM, imm8 */
  BW_X86_SIMD_NONE, /* no ModRM (EMMS) */
};

typedef struct
{
  uint8_t fmt;
  BwX86Op fn[4]; /* by prefix slot; NULL: #UD */
} BwX86SimdDef;

/* Fills the 0F table (one call per file, from bw_x86_simd_fill). */
void bw_x86_simd_fill (BwX86SimdDef *t);
void bw_x86_simd_fill_state (BwX86SimdDef *t);
void bw_x86_simd_fill_int (BwX86SimdDef *t);
void bw_x86_simd_fill_move (BwX86SimdDef *t);
void bw_x86_simd_fill_fp (BwX86SimdDef *t);
void bw_x86_simd_fill_cvt (BwX86SimdDef *t);

static inline void
bw_x86_simd_def (BwX86SimdDef *t, int opc, int pfx, int fmt, BwX86Op fn)
{
  t[opc].fmt = fmt;
  t[opc].fn[pfx] = fn;
}

/* MMX registers (bw-x86-fpu.c). */
void bw_x86_mmx_enter (BwX86Cpu *cpu);
void bw_x86_mmx_emms (BwX86Cpu *cpu);
uint64_t bw_x86_mmx_get (BwX86Cpu *cpu, unsigned r);
void bw_x86_mmx_set (BwX86Cpu *cpu, unsigned r, uint64_t v);

/* Every SSE/SSE2 instruction on XMM registers: #UD with CR0.EM or
 * CR4.OSFXSR clear, #NM with CR0.TS. */
static inline void
bw_x86_sse_check (BwX86Cpu *cpu)
{
  if (BW_X86_UNLIKELY ((cpu->cr0 & (BW_X86_CR0_EM | BW_X86_CR0_TS))
                       || !(cpu->cr4 & BW_X86_CR4_OSFXSR) || !cpu->config.has_fpu))
    {
      if ((cpu->cr0 & BW_X86_CR0_EM) || !(cpu->cr4 & BW_X86_CR4_OSFXSR)
          || !cpu->config.has_fpu)
        bw_x86_raise (cpu, BW_X86_EXC_UD);
      bw_x86_raise (cpu, BW_X86_EXC_NM);
    }
}

/* Memory operands of n bytes (4, 8 or 16; bw-x86-sse-state.c). align:
 * a 16-byte operand that must be aligned (#GP(0) otherwise). A store
 * checks the whole destination before writing any of it. */
void bw_x86_simd_load (BwX86Cpu *cpu, const BwX86Insn *i, void *dst, unsigned n,
                       gboolean align);
void bw_x86_simd_store (BwX86Cpu *cpu, const BwX86Insn *i, const void *src, unsigned n,
                        gboolean align);
void bw_x86_simd_load_at (BwX86Cpu *cpu, int seg, uint32_t off, void *dst, unsigned n,
                          gboolean align);
void bw_x86_simd_store_at (BwX86Cpu *cpu, int seg, uint32_t off, const void *src, unsigned n,
                           gboolean align);

/* The source operand: XMM register or memory (n bytes into the low end of
 * *s, the rest zero). */
static inline void
bw_x86_xmm_src (BwX86Cpu *cpu, const BwX86Insn *i, BwX86Xmm *s, unsigned n, gboolean align)
{
  if (i->mod == 3)
    *s = cpu->xmm[i->rm];
  else
    {
      if (n < 16)
        memset (s, 0, sizeof *s);
      bw_x86_simd_load (cpu, i, s, n, align);
    }
}

/* An MMX source: register or 8 bytes of memory. */
static inline uint64_t
bw_x86_mmx_src (BwX86Cpu *cpu, const BwX86Insn *i)
{
  if (i->mod == 3)
    return bw_x86_mmx_get (cpu, i->rm);
  uint64_t v;
  bw_x86_simd_load (cpu, i, &v, 8, FALSE);
  return v;
}

/* Merges the exception flags of an SSE operation into MXCSR; an unmasked
 * one raises #XM (CR4.OSXMMEXCPT) or #UD before the destination is
 * written. Returns normally when all flags were masked. */
void bw_x86_sse_flags (BwX86Cpu *cpu, uint32_t flags);
