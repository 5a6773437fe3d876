/* test-x86-sse.c: MMX, SSE and SSE2 on the software CPU against the same
 * instructions executed by the host (x86-64). For each instruction, in
 * register and memory forms, random and edge-case inputs (NaNs, denormals,
 * infinities, integer limits, saturation edges, shift counts past the
 * width) with random MXCSR rounding, DAZ, FTZ and sticky flags are loaded
 * into both; the instruction runs once on each, and every XMM and MMX
 * register, MXCSR, ECX/EDX, the memory operand and (for COMIS) the flags
 * must come out the same. The host side is a stub generated at run time
 * around the very bytes the guest executes.
 */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <ucontext.h>
#include <string.h>
#include <sys/mman.h>

#include "bw-test.h"
#include "bw-test-machine.h"
#include "vmm/cpu/bw-x86-simd.h"

#if defined(__x86_64__)

/* ---- the guest side: a flat 32-bit machine ------------------------------------- */

#define RAM_SIZE (1u << 20)
#define CODE_AT 0x1000u
#define MEM_AT 0x2000u
#define MEM_BYTES 64

typedef BwTestMachine Machine;

static Machine *
machine_new (void)
{
  BwX86Config config = { .has_fpu = TRUE };
  return bw_test_machine_new (RAM_SIZE, &config);
}

/* The register file both sides start from and end with. */
typedef struct
{
  BwX86Xmm xmm[8];      /* 0 */
  uint64_t mm[8];       /* 128 */
  uint32_t mxcsr;       /* 192 */
  uint32_t host_mxcsr;  /* 196 */
  uint64_t mem_ptr;     /* 200 */
  uint32_t ecx, edx;    /* 208, 212 */
  uint32_t flags;       /* 216 */
  uint32_t pad;
  uint8_t mem[MEM_BYTES] __attribute__ ((aligned (16))); /* 224 */
  int fault; /* 19 when the instruction raised #XM, else -1 */
} Regs;

G_STATIC_ASSERT (G_STRUCT_OFFSET (Regs, mem) == 224);

static void
run_guest (Machine *m, const uint8_t *insn, unsigned len, Regs *r)
{
  memcpy (m->ram + CODE_AT, insn, len);
  m->ram[CODE_AT + len] = 0xf4; /* HLT */
  bw_x86_cpu_invalidate_code (m->cpu, CODE_AT, len + 1);
  memcpy (m->ram + MEM_AT, r->mem, MEM_BYTES);

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
  st.cr4 = BW_X86_CR4_OSFXSR | BW_X86_CR4_OSXMMEXCPT;
  /* #XM (vector 19) goes to a HLT at 1800h. */
  st.idtr = (BwX86TableReg){ 0x3000, 20 * 8 - 1 };
  memset (m->ram + 0x3000, 0, 20 * 8);
  static const uint8_t gate[8] = { 0x00, 0x18, 0x08, 0x00, 0x00, 0x8e, 0x00, 0x00 };
  memcpy (m->ram + 0x3000 + 19 * 8, gate, 8);
  m->ram[0x1800] = 0xf4;
  static const uint8_t gdt[24] = { 0, 0, 0, 0, 0, 0, 0, 0,
                                   0xff, 0xff, 0, 0, 0, 0x9b, 0xcf, 0,
                                   0xff, 0xff, 0, 0, 0, 0x93, 0xcf, 0 };
  memcpy (m->ram + 0x3400, gdt, sizeof gdt);
  st.gdtr = (BwX86TableReg){ 0x3400, sizeof gdt - 1 };
  memset (st.gpr, 0, sizeof st.gpr);
  st.gpr[BW_X86_EAX] = MEM_AT;
  st.gpr[BW_X86_EDI] = MEM_AT;
  st.gpr[BW_X86_ECX] = r->ecx;
  st.gpr[BW_X86_EDX] = r->edx;
  st.gpr[BW_X86_ESP] = 0x8000;
  bw_x86_cpu_set_state (m->cpu, &st);
  memcpy (m->cpu->xmm, r->xmm, sizeof r->xmm);
  m->cpu->mxcsr = r->mxcsr;
  for (unsigned k = 0; k < 8; k++)
    bw_x86_mmx_set (m->cpu, k, r->mm[k]);

  BwX86Exit e = bw_x86_cpu_run (m->cpu, 100);
  ck_assert_int_eq (e, BW_X86_EXIT_HLT);
  r->fault = bw_x86_cpu_get_last_vector (m->cpu);

  bw_x86_cpu_get_state (m->cpu, &st);
  memcpy (r->xmm, m->cpu->xmm, sizeof r->xmm);
  for (unsigned k = 0; k < 8; k++)
    r->mm[k] = bw_x86_mmx_get (m->cpu, k);
  r->mxcsr = m->cpu->mxcsr;
  r->ecx = st.gpr[BW_X86_ECX];
  r->edx = st.gpr[BW_X86_EDX];
  r->flags = st.eflags;
  memcpy (r->mem, m->ram + MEM_AT, MEM_BYTES);
}

/* ---- the host side: a stub around the same bytes --------------------------------- */

typedef void (*Stub) (Regs *r);

typedef struct
{
  uint8_t *code;
  unsigned n;
} Emit;

static void
emit (Emit *e, const void *bytes, unsigned n)
{
  memcpy (e->code + e->n, bytes, n);
  e->n += n;
}

/* op modrm(reg, rm = rsi, mod = 2) disp32, with optional prefix bytes. */
static void
emit_rsi (Emit *e, const char *pre, unsigned npre, unsigned reg, uint32_t disp)
{
  emit (e, pre, npre);
  uint8_t modrm = 0x80 | (reg << 3) | 6;
  emit (e, &modrm, 1);
  emit (e, &disp, 4);
}

static Stub
build_stub (uint8_t *page, const uint8_t *insn, unsigned len)
{
  Emit e = { page, 0 };
  emit (&e, "\x48\x89\xfe", 3);                  /* mov rsi, rdi */
  emit_rsi (&e, "\x0f\xae", 2, 3, 196);          /* stmxcsr [rsi+196] */
  emit_rsi (&e, "\x0f\xae", 2, 2, 192);          /* ldmxcsr [rsi+192] */
  for (unsigned k = 0; k < 8; k++)
    {
      emit_rsi (&e, "\x0f\x10", 2, k, 16 * k);   /* movups xmmk, [rsi+16k] */
      emit_rsi (&e, "\x0f\x6f", 2, k, 128 + 8 * k); /* movq mmk, [rsi+128+8k] */
    }
  emit_rsi (&e, "\x48\x8b", 2, 0, 200);          /* mov rax, [rsi+200] */
  emit_rsi (&e, "\x48\x8b", 2, 7, 200);          /* mov rdi, [rsi+200] */
  emit_rsi (&e, "\x8b", 1, 1, 208);              /* mov ecx, [rsi+208] */
  emit_rsi (&e, "\x8b", 1, 2, 212);              /* mov edx, [rsi+212] */
  emit (&e, insn, len);
  emit (&e, "\x9c\x41\x58", 3);                  /* pushfq; pop r8 */
  emit (&e, "\x44\x89\x86\xd8\x00\x00\x00", 7);  /* mov [rsi+216], r8d */
  emit_rsi (&e, "\x89", 1, 1, 208);              /* mov [rsi+208], ecx */
  emit_rsi (&e, "\x89", 1, 2, 212);              /* mov [rsi+212], edx */
  for (unsigned k = 0; k < 8; k++)
    {
      emit_rsi (&e, "\x0f\x11", 2, k, 16 * k);
      emit_rsi (&e, "\x0f\x7f", 2, k, 128 + 8 * k);
    }
  emit_rsi (&e, "\x0f\xae", 2, 3, 192);          /* stmxcsr [rsi+192] */
  emit_rsi (&e, "\x0f\xae", 2, 2, 196);          /* ldmxcsr [rsi+196] */
  emit (&e, "\x0f\x77\xc3", 3);                  /* emms; ret */
  __builtin___clear_cache ((char *) page, (char *) page + e.n);
  return (Stub) (void *) page;
}

/* Runs the stub; an unmasked SIMD exception arrives as SIGFPE, whose
 * context holds MXCSR and the registers at the fault. */
static sigjmp_buf fpe_jmp;
static Regs *fpe_regs;

static void
on_sigfpe (int sig, siginfo_t *info, void *ctx)
{
  ucontext_t *uc = ctx;
  const struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
  fpe_regs->mxcsr = fp->mxcsr;
  memcpy (fpe_regs->xmm, fp->_xmm, sizeof fpe_regs->xmm);
  for (unsigned k = 0; k < 8; k++)
    memcpy (&fpe_regs->mm[k], fp->_st[k].significand, 8); /* TOP is 0: ST(k) = MMk */
  fpe_regs->fault = 19;
  siglongjmp (fpe_jmp, 1);
}

static void
run_host (Stub stub, Regs *r)
{
  struct sigaction sa = { 0 }, old;
  sa.sa_sigaction = on_sigfpe;
  sa.sa_flags = SA_SIGINFO;
  sigaction (SIGFPE, &sa, &old);
  fpe_regs = r;
  r->fault = -1;
  if (sigsetjmp (fpe_jmp, 1) == 0)
    stub (r);
  else
    __asm__ volatile ("emms");
  sigaction (SIGFPE, &old, NULL);
}

/* ---- inputs ---------------------------------------------------------------------- */

enum
{
  G_INT,
  G_F32,
  G_F64,
  G_SHIFT, /* integers, with small shift counts in the sources' low quadwords */
};

static uint32_t
gen_f32 (GRand *r)
{
  static const uint32_t special[] = {
    0x00000000, 0x80000000, 0x00000001, 0x807fffff, 0x00400000, 0x00800000, 0x80800000,
    0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7fc12345,
    0x7f800001, 0xff812345, 0x3f800000, 0xbfc00000, 0x3dcccccd, 0x4f000000, 0xcf000000,
    0x4effffff, 0xcf000001, 0x40200000, 0xc0200000, 0x3f000000, 0xbf000000, 0x1e3ce508,
    0x5f800000, 0x0d800000, 0x00ffffff, 0x3fc00000, 0x40400000,
  };
  switch (g_rand_int_range (r, 0, 4))
    {
    case 0:
      return special[g_rand_int_range (r, 0, G_N_ELEMENTS (special))];
    case 1:
      return g_rand_int (r);
    case 2:
      {
        float f = (float) g_rand_double_range (r, -1e6, 1e6);
        if (g_rand_boolean (r))
          f = rintf (f) + 0.5f * g_rand_int_range (r, 0, 2);
        uint32_t u;
        memcpy (&u, &f, 4);
        return u;
      }
    default:
      {
        /* Exponents at the edges: tiny products, overflow. */
        static const int exps[] = { 1, 2, 10, 20, 40, 60, 100, 150, 190, 220, 250, 253, 254 };
        uint32_t e = exps[g_rand_int_range (r, 0, G_N_ELEMENTS (exps))];
        return (g_rand_int (r) & 0x807fffffu) | (e << 23);
      }
    }
}

static uint64_t
gen_f64 (GRand *r)
{
  static const uint64_t special[] = {
    0, 0x8000000000000000ull, 1, 0x800fffffffffffffull, 0x0010000000000000ull,
    0x7fefffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
    0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff8000012345678ull,
    0x7ff0000000000001ull, 0xfff4000000000000ull, 0x3ff0000000000000ull,
    0xbff8000000000000ull, 0x3fb999999999999aull, 0x41e0000000000000ull,
    0xc1e0000000000000ull, 0x41dfffffffc00000ull, 0xc1e0000000200000ull,
    0x41dfffffffffffffull, 0x4004000000000000ull, 0xc004000000000000ull,
    0x3fe0000000000000ull, 0x47efffffe0000000ull, 0x47efffffffffffffull,
    0x36a0000000000000ull, 0x3810000000000000ull, 0x380fffffffffffffull,
    0x3690000000000000ull, 0x7ff0000000800000ull,
  };
  switch (g_rand_int_range (r, 0, 4))
    {
    case 0:
      return special[g_rand_int_range (r, 0, G_N_ELEMENTS (special))];
    case 1:
      return ((uint64_t) g_rand_int (r) << 32) | g_rand_int (r);
    case 2:
      {
        double d = g_rand_double_range (r, -1e10, 1e10);
        if (g_rand_boolean (r))
          d = rint (d) + 0.5 * g_rand_int_range (r, 0, 2);
        uint64_t u;
        memcpy (&u, &d, 8);
        return u;
      }
    default:
      {
        /* Edges of double and of float (for CVTSD2SS). */
        static const int exps[] = { 1, 2, 30, 800, 870, 895, 896, 897, 900, 1023,
                                    1150, 1151, 1152, 1200, 2000, 2046 };
        uint64_t e = exps[g_rand_int_range (r, 0, G_N_ELEMENTS (exps))];
        uint64_t m = (((uint64_t) g_rand_int (r) << 32) | g_rand_int (r))
                     & 0x800fffffffffffffull;
        return m | (e << 52);
      }
    }
}

static uint8_t
gen_byte (GRand *r)
{
  static const uint8_t edge[] = { 0x00, 0x7f, 0x80, 0xff, 0x01, 0xfe, 0x81 };
  if (g_rand_int_range (r, 0, 5) < 2)
    return g_rand_int (r);
  return edge[g_rand_int_range (r, 0, G_N_ELEMENTS (edge))];
}

static void
gen_bytes (GRand *r, int gen, uint8_t *p, unsigned n)
{
  for (unsigned k = 0; k < n;)
    switch (gen)
      {
      case G_F32:
        {
          uint32_t u = gen_f32 (r);
          memcpy (p + k, &u, 4);
          k += 4;
        }
        break;
      case G_F64:
        {
          uint64_t u = gen_f64 (r);
          memcpy (p + k, &u, 8);
          k += 8;
        }
        break;
      default:
        p[k++] = gen_byte (r);
      }
  if (gen == G_SHIFT && g_rand_int_range (r, 0, 4) != 0)
    {
      uint64_t cnt = g_rand_int_range (r, 0, 70);
      memcpy (p, &cnt, 8);
    }
}

/* ---- the instructions ------------------------------------------------------------- */

enum
{
  F_R = 1,    /* register form only */
  F_M = 2,    /* memory form only */
  F_IMM = 4,  /* imm8 */
  F_IMM7 = 8, /* imm8 0-7 (compare predicates) */
  F_FLAGS = 16,
  F_APPROX = 32, /* RCP/RSQRT: within the architecture's error bound */
};

typedef struct
{
  const char *name;
  uint8_t pfx; /* 0, 66, F3, F2 */
  uint8_t opc; /* after 0F */
  int8_t reg;  /* fixed ModRM.reg (groups), -1 for register 1 */
  uint8_t flags;
  uint8_t gen;
} Case;

#define C(name, pfx, opc, flags, gen) { name, pfx, opc, -1, flags, gen }
#define G(name, pfx, opc, reg, gen) { name, pfx, opc, reg, F_R | F_IMM, gen }

static const Case cases[] = {
  /* moves, shuffles, logic */
  C ("movups", 0, 0x10, 0, G_INT), C ("movupd", 0x66, 0x10, 0, G_INT),
  C ("movss", 0xf3, 0x10, 0, G_INT), C ("movsd", 0xf2, 0x10, 0, G_INT),
  C ("movups st", 0, 0x11, 0, G_INT), C ("movupd st", 0x66, 0x11, 0, G_INT),
  C ("movss st", 0xf3, 0x11, 0, G_INT), C ("movsd st", 0xf2, 0x11, 0, G_INT),
  C ("movlps/movhlps", 0, 0x12, 0, G_INT), C ("movlpd", 0x66, 0x12, F_M, G_INT),
  C ("movlps st", 0, 0x13, F_M, G_INT), C ("movlpd st", 0x66, 0x13, F_M, G_INT),
  C ("unpcklps", 0, 0x14, 0, G_INT), C ("unpcklpd", 0x66, 0x14, 0, G_INT),
  C ("unpckhps", 0, 0x15, 0, G_INT), C ("unpckhpd", 0x66, 0x15, 0, G_INT),
  C ("movhps/movlhps", 0, 0x16, 0, G_INT), C ("movhpd", 0x66, 0x16, F_M, G_INT),
  C ("movhps st", 0, 0x17, F_M, G_INT), C ("movhpd st", 0x66, 0x17, F_M, G_INT),
  C ("movaps", 0, 0x28, 0, G_INT), C ("movapd", 0x66, 0x28, 0, G_INT),
  C ("movaps st", 0, 0x29, 0, G_INT), C ("movapd st", 0x66, 0x29, 0, G_INT),
  C ("movntps", 0, 0x2b, F_M, G_INT), C ("movntpd", 0x66, 0x2b, F_M, G_INT),
  C ("movmskps", 0, 0x50, F_R, G_F32), C ("movmskpd", 0x66, 0x50, F_R, G_F64),
  C ("andps", 0, 0x54, 0, G_INT), C ("andpd", 0x66, 0x54, 0, G_INT),
  C ("andnps", 0, 0x55, 0, G_INT), C ("andnpd", 0x66, 0x55, 0, G_INT),
  C ("orps", 0, 0x56, 0, G_INT), C ("orpd", 0x66, 0x56, 0, G_INT),
  C ("xorps", 0, 0x57, 0, G_INT), C ("xorpd", 0x66, 0x57, 0, G_INT),
  C ("movd mm,r/m", 0, 0x6e, 0, G_INT), C ("movd xmm,r/m", 0x66, 0x6e, 0, G_INT),
  C ("movq mm", 0, 0x6f, 0, G_INT), C ("movdqa", 0x66, 0x6f, 0, G_INT),
  C ("movdqu", 0xf3, 0x6f, 0, G_INT),
  C ("pshufw", 0, 0x70, F_IMM, G_INT), C ("pshufd", 0x66, 0x70, F_IMM, G_INT),
  C ("pshufhw", 0xf3, 0x70, F_IMM, G_INT), C ("pshuflw", 0xf2, 0x70, F_IMM, G_INT),
  C ("movd r/m,mm", 0, 0x7e, 0, G_INT), C ("movd r/m,xmm", 0x66, 0x7e, 0, G_INT),
  C ("movq xmm,xmm/m64", 0xf3, 0x7e, 0, G_INT),
  C ("movq mm st", 0, 0x7f, 0, G_INT), C ("movdqa st", 0x66, 0x7f, 0, G_INT),
  C ("movdqu st", 0xf3, 0x7f, 0, G_INT),
  C ("movnti", 0, 0xc3, F_M, G_INT),
  C ("pinsrw mm", 0, 0xc4, F_IMM, G_INT), C ("pinsrw xmm", 0x66, 0xc4, F_IMM, G_INT),
  C ("pextrw mm", 0, 0xc5, F_R | F_IMM, G_INT), C ("pextrw xmm", 0x66, 0xc5, F_R | F_IMM, G_INT),
  C ("shufps", 0, 0xc6, F_IMM, G_INT), C ("shufpd", 0x66, 0xc6, F_IMM, G_INT),
  C ("movq xmm/m64,xmm", 0x66, 0xd6, 0, G_INT), C ("movq2dq", 0xf3, 0xd6, F_R, G_INT),
  C ("movdq2q", 0xf2, 0xd6, F_R, G_INT),
  C ("pmovmskb mm", 0, 0xd7, F_R, G_INT), C ("pmovmskb xmm", 0x66, 0xd7, F_R, G_INT),
  C ("movntq", 0, 0xe7, F_M, G_INT), C ("movntdq", 0x66, 0xe7, F_M, G_INT),
  C ("maskmovq", 0, 0xf7, F_R, G_INT), C ("maskmovdqu", 0x66, 0xf7, F_R, G_INT),
  /* packed integers, MMX and XMM */
#define I2(name, opc, gen) C (name, 0, opc, 0, gen), C (name " xmm", 0x66, opc, 0, gen)
  I2 ("punpcklbw", 0x60, G_INT), I2 ("punpcklwd", 0x61, G_INT), I2 ("punpckldq", 0x62, G_INT),
  I2 ("packsswb", 0x63, G_INT), I2 ("pcmpgtb", 0x64, G_INT), I2 ("pcmpgtw", 0x65, G_INT),
  I2 ("pcmpgtd", 0x66, G_INT), I2 ("packuswb", 0x67, G_INT), I2 ("punpckhbw", 0x68, G_INT),
  I2 ("punpckhwd", 0x69, G_INT), I2 ("punpckhdq", 0x6a, G_INT), I2 ("packssdw", 0x6b, G_INT),
  C ("punpcklqdq", 0x66, 0x6c, 0, G_INT), C ("punpckhqdq", 0x66, 0x6d, 0, G_INT),
  I2 ("pcmpeqb", 0x74, G_INT), I2 ("pcmpeqw", 0x75, G_INT), I2 ("pcmpeqd", 0x76, G_INT),
  I2 ("psrlw", 0xd1, G_SHIFT), I2 ("psrld", 0xd2, G_SHIFT), I2 ("psrlq", 0xd3, G_SHIFT),
  I2 ("paddq", 0xd4, G_INT), I2 ("pmullw", 0xd5, G_INT), I2 ("psubusb", 0xd8, G_INT),
  I2 ("psubusw", 0xd9, G_INT), I2 ("pminub", 0xda, G_INT), I2 ("pand", 0xdb, G_INT),
  I2 ("paddusb", 0xdc, G_INT), I2 ("paddusw", 0xdd, G_INT), I2 ("pmaxub", 0xde, G_INT),
  I2 ("pandn", 0xdf, G_INT), I2 ("pavgb", 0xe0, G_INT), I2 ("psraw", 0xe1, G_SHIFT),
  I2 ("psrad", 0xe2, G_SHIFT), I2 ("pavgw", 0xe3, G_INT), I2 ("pmulhuw", 0xe4, G_INT),
  I2 ("pmulhw", 0xe5, G_INT), I2 ("psubsb", 0xe8, G_INT), I2 ("psubsw", 0xe9, G_INT),
  I2 ("pminsw", 0xea, G_INT), I2 ("por", 0xeb, G_INT), I2 ("paddsb", 0xec, G_INT),
  I2 ("paddsw", 0xed, G_INT), I2 ("pmaxsw", 0xee, G_INT), I2 ("pxor", 0xef, G_INT),
  I2 ("psllw", 0xf1, G_SHIFT), I2 ("pslld", 0xf2, G_SHIFT), I2 ("psllq", 0xf3, G_SHIFT),
  I2 ("pmuludq", 0xf4, G_INT), I2 ("pmaddwd", 0xf5, G_INT), I2 ("psadbw", 0xf6, G_INT),
  I2 ("psubb", 0xf8, G_INT), I2 ("psubw", 0xf9, G_INT), I2 ("psubd", 0xfa, G_INT),
  I2 ("psubq", 0xfb, G_INT), I2 ("paddb", 0xfc, G_INT), I2 ("paddw", 0xfd, G_INT),
  I2 ("paddd", 0xfe, G_INT),
#undef I2
  G ("psrlw imm", 0, 0x71, 2, G_INT), G ("psraw imm", 0, 0x71, 4, G_INT),
  G ("psllw imm", 0, 0x71, 6, G_INT), G ("psrld imm", 0, 0x72, 2, G_INT),
  G ("psrad imm", 0, 0x72, 4, G_INT), G ("pslld imm", 0, 0x72, 6, G_INT),
  G ("psrlq imm", 0, 0x73, 2, G_INT), G ("psllq imm", 0, 0x73, 6, G_INT),
  G ("psrlw xmm imm", 0x66, 0x71, 2, G_INT), G ("psraw xmm imm", 0x66, 0x71, 4, G_INT),
  G ("psllw xmm imm", 0x66, 0x71, 6, G_INT), G ("psrld xmm imm", 0x66, 0x72, 2, G_INT),
  G ("psrad xmm imm", 0x66, 0x72, 4, G_INT), G ("pslld xmm imm", 0x66, 0x72, 6, G_INT),
  G ("psrlq xmm imm", 0x66, 0x73, 2, G_INT), G ("psrldq", 0x66, 0x73, 3, G_INT),
  G ("psllq xmm imm", 0x66, 0x73, 6, G_INT), G ("pslldq", 0x66, 0x73, 7, G_INT),
  /* floating point */
#define F4(name, opc, flags)                                                                \
  C (name "ps", 0, opc, flags, G_F32), C (name "pd", 0x66, opc, flags, G_F64),              \
    C (name "ss", 0xf3, opc, flags, G_F32), C (name "sd", 0xf2, opc, flags, G_F64)
  F4 ("sqrt", 0x51, 0), F4 ("add", 0x58, 0), F4 ("mul", 0x59, 0), F4 ("sub", 0x5c, 0),
  F4 ("min", 0x5d, 0), F4 ("div", 0x5e, 0), F4 ("max", 0x5f, 0), F4 ("cmp", 0xc2, F_IMM7),
#undef F4
  C ("rsqrtps", 0, 0x52, F_APPROX, G_F32), C ("rsqrtss", 0xf3, 0x52, F_APPROX, G_F32),
  C ("rcpps", 0, 0x53, F_APPROX, G_F32), C ("rcpss", 0xf3, 0x53, F_APPROX, G_F32),
  C ("ucomiss", 0, 0x2e, F_FLAGS, G_F32), C ("ucomisd", 0x66, 0x2e, F_FLAGS, G_F64),
  C ("comiss", 0, 0x2f, F_FLAGS, G_F32), C ("comisd", 0x66, 0x2f, F_FLAGS, G_F64),
  /* conversions */
  C ("cvtpi2ps", 0, 0x2a, 0, G_INT), C ("cvtpi2pd", 0x66, 0x2a, 0, G_INT),
  C ("cvtsi2ss", 0xf3, 0x2a, 0, G_INT), C ("cvtsi2sd", 0xf2, 0x2a, 0, G_INT),
  C ("cvttps2pi", 0, 0x2c, 0, G_F32), C ("cvttpd2pi", 0x66, 0x2c, 0, G_F64),
  C ("cvttss2si", 0xf3, 0x2c, 0, G_F32), C ("cvttsd2si", 0xf2, 0x2c, 0, G_F64),
  C ("cvtps2pi", 0, 0x2d, 0, G_F32), C ("cvtpd2pi", 0x66, 0x2d, 0, G_F64),
  C ("cvtss2si", 0xf3, 0x2d, 0, G_F32), C ("cvtsd2si", 0xf2, 0x2d, 0, G_F64),
  C ("cvtps2pd", 0, 0x5a, 0, G_F32), C ("cvtpd2ps", 0x66, 0x5a, 0, G_F64),
  C ("cvtss2sd", 0xf3, 0x5a, 0, G_F32), C ("cvtsd2ss", 0xf2, 0x5a, 0, G_F64),
  C ("cvtdq2ps", 0, 0x5b, 0, G_INT), C ("cvtps2dq", 0x66, 0x5b, 0, G_F32),
  C ("cvttps2dq", 0xf3, 0x5b, 0, G_F32),
  C ("cvtdq2pd", 0xf3, 0xe6, 0, G_INT), C ("cvtpd2dq", 0xf2, 0xe6, 0, G_F64),
  C ("cvttpd2dq", 0x66, 0xe6, 0, G_F64),
};

/* RCP/RSQRT: same class of result, and within 1.5 * 2^-12 relative. */
static gboolean
approx_equal (uint32_t a, uint32_t b)
{
  float x, y;
  memcpy (&x, &a, 4);
  memcpy (&y, &b, 4);
  if (isnan (x) || isnan (y))
    return isnan (x) && isnan (y);
  if (isinf (x) || isinf (y) || x == 0 || y == 0)
    return a == b;
  return fabsf (x - y) <= fabsf (y) * 0x1.8p-12f;
}

static char *
describe (const Regs *r)
{
  GString *s = g_string_new (NULL);
  for (unsigned k = 0; k < 8; k++)
    g_string_append_printf (s, " xmm%u=%016llx:%016llx", k, (unsigned long long) r->xmm[k].q[1],
                            (unsigned long long) r->xmm[k].q[0]);
  for (unsigned k = 0; k < 8; k++)
    g_string_append_printf (s, " mm%u=%016llx", k, (unsigned long long) r->mm[k]);
  g_string_append_printf (s, " mxcsr=%04x ecx=%08x edx=%08x flags=%03x fault=%d mem=",
                          r->mxcsr, r->ecx, r->edx, r->flags & 0x8d5, r->fault);
  for (unsigned k = 0; k < 32; k++)
    g_string_append_printf (s, "%02x", r->mem[k]);
  return g_string_free (s, FALSE);
}

/* Runs one case for n random inputs in each allowed form; returns the
 * number of mismatches (the first few are printed). */
static unsigned
run_case (Machine *m, Stub *stub_page, uint8_t *page, const Case *c, GRand *rnd,
          unsigned n)
{
  unsigned bad = 0;
  for (int form = 0; form < 2; form++)
    {
      gboolean mem = form == 1;
      if ((mem && (c->flags & F_R)) || (!mem && (c->flags & F_M)))
        continue;
      for (unsigned it = 0; it < n; it++)
        {
          uint8_t insn[8];
          unsigned len = 0;
          if (c->pfx)
            insn[len++] = c->pfx;
          insn[len++] = 0x0f;
          insn[len++] = c->opc;
          unsigned reg = c->reg >= 0 ? (unsigned) c->reg : 1;
          /* Register form: reg, rm = 2; memory form: [eax] / [rax]. */
          insn[len++] = mem ? (uint8_t) (reg << 3) : (uint8_t) (0xc0 | (reg << 3) | 2);
          if (c->flags & F_IMM)
            insn[len++] = c->reg >= 0 ? (uint8_t) g_rand_int_range (rnd, 0, 70) : (uint8_t) g_rand_int (rnd);
          else if (c->flags & F_IMM7)
            insn[len++] = g_rand_int_range (rnd, 0, 8);

          Regs in;
          memset (&in, 0, sizeof in);
          for (unsigned k = 0; k < 8; k++)
            {
              gen_bytes (rnd, c->gen, in.xmm[k].b, 16);
              gen_bytes (rnd, c->gen == G_F64 ? G_F32 : c->gen, (uint8_t *) &in.mm[k], 8);
            }
          gen_bytes (rnd, c->gen, in.mem, MEM_BYTES);
          uint8_t gp[8];
          gen_bytes (rnd, G_INT, gp, 8);
          memcpy (&in.ecx, gp, 4);
          memcpy (&in.edx, gp + 4, 4);
          /* One run in three with random exception masks: the host then
           * faults (SIGFPE) where the guest must take #XM. */
          uint32_t masks = it % 3 == 2 ? (g_rand_int (rnd) & 0x1f80) : 0x1f80;
          in.mxcsr = masks | (g_rand_int_range (rnd, 0, 4) << 13)
                     | (g_rand_boolean (rnd) ? BW_X86_MXCSR_DAZ : 0)
                     | (g_rand_boolean (rnd) ? BW_X86_MXCSR_FTZ : 0)
                     | (g_rand_boolean (rnd) ? g_rand_int (rnd) & 0x3f : 0);

          Regs host = in, guest = in;
          host.mem_ptr = (uint64_t) (uintptr_t) host.mem;
          Stub stub = build_stub (page, insn, len);
          (void) stub_page;
          run_host (stub, &host);
          run_guest (m, insn, len, &guest);

          gboolean same = TRUE;
          if (c->flags & F_APPROX)
            {
              for (unsigned k = 0; k < 8; k++)
                for (unsigned l = 0; l < 4; l++)
                  same &= approx_equal (guest.xmm[k].d[l], host.xmm[k].d[l]);
            }
          else
            same &= memcmp (guest.xmm, host.xmm, sizeof host.xmm) == 0;
          same &= memcmp (guest.mm, host.mm, sizeof host.mm) == 0;
          same &= guest.mxcsr == host.mxcsr;
          same &= guest.fault == host.fault;
          same &= guest.ecx == host.ecx && guest.edx == host.edx;
          same &= memcmp (guest.mem, host.mem, MEM_BYTES) == 0;
          if ((c->flags & F_FLAGS) && host.fault < 0)
            same &= (guest.flags & 0x8d5) == (host.flags & 0x8d5);
          if (!same)
            {
              if (bad < 3)
                {
                  g_autofree char *si = describe (&in);
                  g_autofree char *sh = describe (&host);
                  g_autofree char *sg = describe (&guest);
                  GString *hex = g_string_new (NULL);
                  for (unsigned k = 0; k < len; k++)
                    g_string_append_printf (hex, "%02x ", insn[k]);
                  fprintf (stderr, "MISMATCH %s (%s): %s\n  in:   %s\n  host: %s\n  soft: %s\n",
                           c->name, mem ? "mem" : "reg", hex->str, si, sh, sg);
                  g_string_free (hex, TRUE);
                }
              bad++;
            }
        }
    }
  return bad;
}

START_TEST (test_sse_against_host)
{
  uint8_t *page = mmap (NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ck_assert (page != MAP_FAILED);
  Machine *m = machine_new ();
  /* BW_SSE_SEED and BW_SSE_ITERATIONS widen the search by hand. */
  const char *seed = g_getenv ("BW_SSE_SEED"), *iters = g_getenv ("BW_SSE_ITERATIONS");
  unsigned n = iters ? (unsigned) g_ascii_strtoull (iters, NULL, 10) : 400;
  GRand *rnd = g_rand_new_with_seed (seed ? (guint32) g_ascii_strtoull (seed, NULL, 0) : 0x55e2);
  unsigned total_bad = 0, n_bad_cases = 0;
  for (unsigned k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      unsigned bad = run_case (m, NULL, page, &cases[k], rnd, n);
      if (bad)
        {
          fprintf (stderr, "%s: %u mismatches\n", cases[k].name, bad);
          n_bad_cases++;
        }
      total_bad += bad;
    }
  fprintf (stderr, "%u instruction forms checked, %u with mismatches\n",
           (unsigned) G_N_ELEMENTS (cases), n_bad_cases);
  g_rand_free (rnd);
  bw_test_machine_free (m);
  munmap (page, 4096);
  ck_assert_uint_eq (total_bad, 0);
}
END_TEST


/* The saved state (the FXSAVE image of bw_x86_cpu_get/set_fxsave) carries
 * the XMM registers and MXCSR; reserved MXCSR bits from a corrupt image
 * are dropped, not loaded. */
START_TEST (test_state_image)
{
  Machine *m = machine_new ();
  for (unsigned k = 0; k < 8; k++)
    for (unsigned b = 0; b < 16; b++)
      m->cpu->xmm[k].b[b] = (uint8_t) (k * 16 + b);
  m->cpu->mxcsr = 0x7fc1;
  uint8_t img[512];
  bw_x86_cpu_get_fxsave (m->cpu, img);
  ck_assert_uint_eq (img[24] | (img[25] << 8), 0x7fc1);
  ck_assert_uint_eq (img[28] | (img[29] << 8), 0xffff);
  ck_assert_uint_eq (img[160 + 5 * 16 + 3], 5 * 16 + 3);

  Machine *m2 = machine_new ();
  ck_assert_uint_eq (m2->cpu->mxcsr, 0x1f80);
  ck_assert_uint_eq (m2->cpu->xmm[7].q[1], 0);
  bw_x86_cpu_set_fxsave (m2->cpu, img);
  ck_assert (memcmp (m2->cpu->xmm, m->cpu->xmm, sizeof m->cpu->xmm) == 0);
  ck_assert_uint_eq (m2->cpu->mxcsr, 0x7fc1);
  img[26] = 0xff; /* reserved bits 16-23 */
  bw_x86_cpu_set_fxsave (m2->cpu, img);
  ck_assert_uint_eq (m2->cpu->mxcsr, 0x7fc1);
  bw_test_machine_free (m2);
  bw_test_machine_free (m);
}
END_TEST

#endif

static Suite *
sse_suite (void)
{
  Suite *s = suite_create ("x86-sse");
  TCase *tc = tcase_create ("against-host");
  tcase_set_timeout (tc, 120);
#if defined(__x86_64__)
  tcase_add_test (tc, test_sse_against_host);
  tcase_add_test (tc, test_state_image);
#endif
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (sse_suite ());
}
