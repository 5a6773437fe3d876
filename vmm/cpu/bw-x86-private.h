/* bw-x86-private.h: the CPU's insides, shared by the files of vmm/cpu/.
 *
 * See README.md in this folder for the design: decoded blocks, the
 * software TLB, lazy flags, exceptions by longjmp.
 */
#pragma once

#include <glib.h>
#include <setjmp.h>
#include <string.h>

#include "vmm/cpu/bw-x86-cpu.h"

#define BW_X86_LIKELY(x) G_LIKELY (x)
#define BW_X86_UNLIKELY(x) G_UNLIKELY (x)
/* The memory and operand helpers are the interpreter's inner loop. */
#define BW_X86_INLINE static inline __attribute__ ((always_inline))

/* ---- decoded instructions and blocks ---------------------------------- */

typedef struct _BwX86Insn BwX86Insn;
typedef void (*BwX86Op) (BwX86Cpu *cpu, const BwX86Insn *i);

/* Instruction flags. */
enum
{
  BW_X86_I_O32 = 1 << 0,      /* 32-bit operand size */
  BW_X86_I_A32 = 1 << 1,      /* 32-bit address size */
  BW_X86_I_REP = 1 << 2,      /* F3 */
  BW_X86_I_REPNE = 1 << 3,    /* F2 */
  BW_X86_I_SETS_EIP = 1 << 4, /* the handler writes EIP itself */
  BW_X86_I_END = 1 << 5,      /* ends its block */
  BW_X86_I_LOCK = 1 << 6,
  /* Jcc: sets EIP but does not end its block; when not taken the block
   * goes on with the next instruction (imm2: its offset from the block's
   * start, set by the block decoder). */
  BW_X86_I_COND = 1 << 7,
};

/* One decoded instruction: what the interpreter needs and nothing it has
 * to look at the bytes again for. 32 bytes. */
struct _BwX86Insn
{
  BwX86Op fn;
  uint32_t disp;   /* memory operand displacement (or moffs) */
  uint32_t imm;    /* first immediate (or relative branch displacement) */
  uint16_t imm2;   /* second immediate: far selector, ENTER level */
  uint8_t len;     /* bytes, prefixes included */
  uint8_t opc;     /* last opcode byte */
  uint8_t reg;     /* ModRM.reg, or the register in the opcode */
  uint8_t rm;      /* ModRM.rm register when mod == 3 */
  uint8_t mod;     /* ModRM.mod; 3 = register operand */
  uint8_t seg;     /* segment of the memory operand (override applied) */
  uint8_t base;    /* base register, BW_X86_NOREG for none */
  uint8_t index;   /* index register, BW_X86_NOREG for none */
  uint8_t scale;   /* index shift count */
  uint8_t osz;     /* operand size: 0 byte, 1 word, 2 dword */
  uint8_t flags;
  uint8_t pad;
};

#define BW_X86_NOREG 8

#define BW_X86_BLOCK_MAX_INSNS 64
/* Successors remembered per block: a block goes on past a Jcc not taken,
 * so it has an exit per taken Jcc besides its end. */
#define BW_X86_BLOCK_LINKS 4

/* A run of instructions decoded from one physical address in one mode.
 * A block never starts an instruction on another page than its first;
 * only its last instruction may cross into a second page (phys2). */
typedef struct _BwX86Block BwX86Block;
/* A block translated to host code (bw-x86-jit.c). */
typedef void (*BwX86JitFn) (BwX86Cpu *cpu);
typedef struct _BwX86Jit BwX86Jit;
struct _BwX86Block
{
  uint32_t phys;        /* physical address of the first byte */
  uint32_t phys2_page;  /* second page touched, or UINT32_MAX */
  uint32_t mode;        /* decoding mode (see bw_x86_block_mode) */
  uint32_t n_insns;
  uint32_t len;         /* bytes */
  BwX86Block *hash_next;
  BwX86Block *dead_next;
  gboolean dead;
  /* Successors seen at run time, by linear address; valid while
   * link_gen equals the CPU's block_gen (see bw_x86_cpu_run). */
  uint32_t link_gen;
  uint32_t link_next; /* slot the next new successor replaces */
  uint32_t link_lin[BW_X86_BLOCK_LINKS];
  BwX86Block *link[BW_X86_BLOCK_LINKS];
  /* The translation, once the block has run jit_runs times. */
  BwX86JitFn jit_code;
  uint8_t *jit_entry; /* where chained blocks come in */
  uint32_t jit_runs;
  gboolean jit_failed;
  uint32_t jit_bails;   /* entries whose flat-segment check failed */
  gboolean jit_no_flat; /* translate without assuming flat segments */
  BwX86Insn insns[];
};

/* ---- segments, TLB, CPU ------------------------------------------------ */

/* A segment register as the fast path uses it: the state plus the valid
 * offset range and access rights, precomputed when it is loaded. */
typedef struct
{
  BwX86SegState s;
  uint32_t lo, hi; /* valid offsets, inclusive */
  uint8_t rights;  /* BW_X86_ACC_R | BW_X86_ACC_W */
  uint8_t big;     /* D/B bit */
  uint8_t flat;    /* rights when every offset is valid (lo 0, hi 4 GiB - 1), else 0 */
} BwX86Seg;

enum
{
  BW_X86_ACC_R = 1,
  BW_X86_ACC_W = 2,
  BW_X86_ACC_X = 4,
};

#define BW_X86_TLB_SIZE 1024
#define BW_X86_TLB_NONE 1u /* never equals a page-aligned tag */

typedef struct
{
  uint32_t tag_r;     /* linear page, or BW_X86_TLB_NONE */
  uint32_t tag_w;
  uint32_t phys_page; /* physical page of the linear page */
  uint32_t nx;        /* no execute (PAE with EFER.NXE) */
  uint8_t *host;      /* host pointer of the page (NULL: MMIO) */
  /* host minus the linear page: host address = addend + linear address
   * (what translated code adds); 32 bytes per entry for its indexing. */
  uintptr_t addend;
} BwX86TlbEntry;

#define BW_X86_BLOCK_HASH 8192

/* An XMM register (SSE), viewed by lane; lanes are little-endian like the
 * guest's memory, so the host must be too (x86). */
typedef union
{
  uint8_t b[16];
  int8_t sb[16];
  uint16_t w[8];
  int16_t sw[8];
  uint32_t d[4];
  int32_t sd[4];
  uint64_t q[2];
  int64_t sq[2];
  float f[4];
  double fd[2];
} BwX86Xmm;

/* Lazy-flag operations; the operand size is added (0, 1, 2). */
enum
{
  BW_X86_LF_NONE = 0,
  BW_X86_LF_ADD = 4,
  BW_X86_LF_ADC = 8,  /* add with carry in set */
  BW_X86_LF_SUB = 12,
  BW_X86_LF_SBB = 16, /* subtract with borrow in set */
  BW_X86_LF_LOGIC = 20,
  BW_X86_LF_INC = 24,
  BW_X86_LF_DEC = 28,
  /* SF, ZF, PF from the result; CF and OF given in lf_b; AF clear (shifts
   * by a nonzero count, MUL, IMUL). */
  BW_X86_LF_RES_CO = 32,
};

#define BW_X86_ARITH_FLAGS                                                                  \
  (BW_X86_CF | BW_X86_PF | BW_X86_AF | BW_X86_ZF | BW_X86_SF | BW_X86_OF)

struct _BwX86Cpu
{
  /* gpr[BW_X86_NOREG] is always 0: an absent base or index adds it, so
   * the effective address needs no tests. */
  uint32_t gpr[9];
  uint32_t eip;
  uint32_t eflags; /* arithmetic bits valid only when lf_op is NONE */
  uint32_t lf_res, lf_a, lf_b;
  uint32_t lf_op;

  BwX86Seg seg[BW_X86_N_SEGS];
  /* Bit 2 * seg: reads through seg reach all 4 GiB from base 0 (no limit
   * check, no base to add); bit 2 * seg + 1: writes do. What translated
   * blocks check once at their entry (bw-x86-jit.c). */
  uint32_t flat0;
  BwX86SegState ldtr, tr;
  BwX86TableReg gdtr, idtr;
  uint32_t cr0, cr2, cr3, cr4;
  uint64_t efer;
  uint8_t cpl;

  BwX86TlbEntry tlb[BW_X86_TLB_SIZE];
  uint32_t a20_mask;

  /* Interrupts and exits; written by other threads. */
  volatile gint intr_level;
  volatile gint nmi_pending;
  volatile gint exit_request;
  volatile gint a20_change; /* new A20 state + 1, or 0 */
  volatile gint flush_request;
  volatile gint ranges_pending;
  volatile gint running;
  volatile gint attention; /* one of the requests above is set */
  GArray *pending_ranges; /* code invalidations from other threads */
  gboolean halted;
  gboolean nmi_blocked;  /* inside an NMI handler until IRET */
  gboolean irq_shadow;   /* STI / MOV SS: no interrupt before the next insn */

  /* Exceptions: handlers longjmp to the run loop. */
  jmp_buf jmp;
  int exc_vector;
  int exc_has_error;
  uint32_t exc_error;
  int exc_nesting; /* 0, 1 while delivering, 2 while delivering #DF */
  int exc_first;
  int last_vector; /* last event delivered */
  uint64_t deliveries; /* events delivered, for the single-step trap */
  uint32_t iret_next_eip; /* saved in the TSS by an IRET task switch */   /* the event being delivered when exc_nesting > 0 */

  /* Decoded code. */
  BwX86Block *hash[BW_X86_BLOCK_HASH];
  uint8_t *code_pages; /* bitmap: one bit per 4 KiB physical page */
  gpointer page_blocks; /* GHashTable: page number -> GPtrArray of blocks */
  BwX86Block *dead_blocks;
  BwX86Block *cur_block; /* the block exec_insns() runs, else NULL */
  uint32_t block_eip;    /* EIP at cur_block's start (a fault counts what ran) */
  uint32_t block_gen;   /* bumped when blocks die or mappings change */
  uint32_t code_gen;    /* bumped when blocks die */
  BwX86Block *prev_block;
  BwX86Insn scratch[BW_X86_BLOCK_MAX_INSNS];
  BwX86CacheStats stats;
  /* The translator (NULL: interpreter only); jit_stop: the running block
   * died, the translated code leaves after the current instruction. */
  BwX86Jit *jit;
  uint8_t jit_stop;
  uint8_t jit_bail; /* a translated block's entry check failed: interpret it */
  uint32_t jit_expect; /* scratch for the generated code */
  /* Chaining: translated blocks jump straight to their successor while
   * insn_count <= jit_end and nothing needs the run loop. jit_exit: the
   * chain slot of the exit the last block left by (NULL: none), with the
   * linear address it went to. */
  uint64_t jit_end;
  uint8_t *jit_exit;
  uint32_t jit_exit_lin;

  /* x87 state (bw-x86-fpu.c keeps its layout private). */
  uint8_t fpu_state[256] __attribute__ ((aligned (16)));
  /* SSE state (bw-x86-sse-*.c); MMX registers alias the x87 mantissas. */
  BwX86Xmm xmm[8] __attribute__ ((aligned (16)));
  uint32_t mxcsr;

  uint32_t dr[8];
  /* Debug registers as the checks use them (bw-x86-debug.c): bit n of each
   * mask is DRn enabled in DR7 for that kind of access. */
  uint8_t dbp_exec, dbp_write, dbp_read, dbp_io;
  uint32_t db_trap;      /* DR6 bits of a #DB trap due after this instruction */
  gboolean db_fault_ibp; /* the #DB being raised is an instruction breakpoint */
  /* Nonzero when the run loop must look at each block's start: debugger
   * step or breakpoints, DR7 instruction breakpoints, the trace. */
  uint32_t step_check;
  struct _BwX86Trace *trace;
  uint64_t msr_apic_base;
  uint64_t msr_bios_sign_id;
  /* Set while translating an implicit supervisor access (bw_x86_sys_*). */
  gboolean sys_access;
  /* CPL 3 with CR0.AM and EFLAGS.AC: no fast TLB entries, and the slow
   * paths raise #AC for misaligned data (bw_x86_update_align_check). */
  gboolean align_check;
  uint64_t msr_sysenter[3];
  uint64_t msr_mtrr[5];
  uint64_t msr_mtrr_var[16];
  uint64_t msr_mtrr_fixed[8];

  uint64_t insn_count;
  uint64_t tsc_offset;
  gboolean single_step;
  uint32_t breakpoints[8];
  int n_breakpoints;

  BwX86Bus bus;
  BwX86Config config;
};

/* ---- exceptions (bw-x86-exc.c) ----------------------------------------- */

enum
{
  BW_X86_EXC_DE = 0,
  BW_X86_EXC_DB = 1,
  BW_X86_EXC_NMI = 2,
  BW_X86_EXC_BP = 3,
  BW_X86_EXC_OFV = 4,
  BW_X86_EXC_BR = 5,
  BW_X86_EXC_UD = 6,
  BW_X86_EXC_NM = 7,
  BW_X86_EXC_DF = 8,
  BW_X86_EXC_TS = 10,
  BW_X86_EXC_NP = 11,
  BW_X86_EXC_SS = 12,
  BW_X86_EXC_GP = 13,
  BW_X86_EXC_PF = 14,
  BW_X86_EXC_MF = 16,
  BW_X86_EXC_AC = 17,
};

G_NORETURN void bw_x86_raise (BwX86Cpu *cpu, int vector);
G_NORETURN void bw_x86_raise_err (BwX86Cpu *cpu, int vector, uint32_t error);
/* Delivers an interrupt or exception through the IVT or IDT. soft: INT n
 * (privilege checks on the gate in protected mode). next_eip: the return
 * address to push. */
void bw_x86_deliver (BwX86Cpu *cpu, int vector, gboolean soft, gboolean has_error,
                     uint32_t error, uint32_t next_eip);

BW_X86_INLINE uint32_t
bw_x86_size_mask (int osz)
{
  return osz == 0 ? 0xffu : osz == 1 ? 0xffffu : 0xffffffffu;
}

/* Task switches (bw-x86-task.c). CALL covers interrupts through task
 * gates too: both nest, with a back link and NT. */
enum
{
  BW_X86_TASK_JMP,
  BW_X86_TASK_CALL,
  BW_X86_TASK_IRET,
};
void bw_x86_task_switch (BwX86Cpu *cpu, uint16_t sel, uint32_t lo, uint32_t hi, int reason,
                         uint32_t next_eip, gboolean has_error, uint32_t error);
/* The stack of privilege level dpl from the current TSS, with its SS
 * descriptor checked (#TS/#SS with ext added to error codes). */
void bw_x86_tss_inner_stack (BwX86Cpu *cpu, unsigned dpl, uint32_t ext, uint16_t *ss,
                             uint32_t *sp, uint32_t *slo, uint32_t *shi);

/* ---- lazy flags (bw-x86-flags.c) --------------------------------------- */

uint32_t bw_x86_flags_arith (BwX86Cpu *cpu);
gboolean bw_x86_cond (BwX86Cpu *cpu, unsigned cc);

static inline uint32_t
bw_x86_get_eflags (BwX86Cpu *cpu)
{
  if (cpu->lf_op == BW_X86_LF_NONE)
    return cpu->eflags;
  return (cpu->eflags & ~BW_X86_ARITH_FLAGS) | bw_x86_flags_arith (cpu);
}

/* Makes the arithmetic bits of cpu->eflags current. */
static inline void
bw_x86_flags_sync (BwX86Cpu *cpu)
{
  if (cpu->lf_op != BW_X86_LF_NONE)
    {
      cpu->eflags = bw_x86_get_eflags (cpu);
      cpu->lf_op = BW_X86_LF_NONE;
    }
}

BW_X86_INLINE void
bw_x86_set_lazy (BwX86Cpu *cpu, uint32_t op, uint32_t a, uint32_t b, uint32_t res)
{
  cpu->lf_op = op;
  cpu->lf_a = a;
  cpu->lf_b = b;
  cpu->lf_res = res;
}

/* Replaces the arithmetic flags with explicit values. The other bits of
 * cpu->eflags are always current, so the pending lazy flags are dropped
 * without being computed. */
static inline void
bw_x86_set_arith (BwX86Cpu *cpu, uint32_t bits)
{
  cpu->lf_op = BW_X86_LF_NONE;
  cpu->eflags = (cpu->eflags & ~BW_X86_ARITH_FLAGS) | (bits & BW_X86_ARITH_FLAGS);
}

/* CF alone, without computing the other flags (ADC, SBB, INC, DEC). */
static inline uint32_t
bw_x86_get_cf (BwX86Cpu *cpu)
{
  uint32_t m = bw_x86_size_mask (cpu->lf_op & 3);
  uint32_t a = cpu->lf_a & m, b = cpu->lf_b & m, r = cpu->lf_res & m;
  switch (cpu->lf_op & ~3u)
    {
    case BW_X86_LF_ADD: return r < a;
    case BW_X86_LF_ADC: return r <= a;
    case BW_X86_LF_SUB: return a < b;
    case BW_X86_LF_SBB: return a <= b;
    case BW_X86_LF_LOGIC: return 0;
    case BW_X86_LF_RES_CO: return cpu->lf_b & BW_X86_CF;
    default: return cpu->eflags & BW_X86_CF; /* NONE, INC, DEC */
    }
}

/* bw_x86_cond() for a condition known when compiling: ZF and CF straight
 * from the lazy state, the signed and unsigned compares after CMP/SUB and
 * TEST/AND/OR/XOR without building EFLAGS; the rest out of line. */
BW_X86_INLINE gboolean
bw_x86_cond_fast (BwX86Cpu *cpu, unsigned cc)
{
  static const uint32_t masks[4] = { 0xffu, 0xffffu, 0xffffffffu, 0xffffffffu };
  uint32_t op = cpu->lf_op;
  uint32_t m = masks[op & 3];
  gboolean r;
  switch (cc >> 1)
    {
    case 1: /* B */
      r = bw_x86_get_cf (cpu) != 0;
      break;
    case 2: /* Z */
      r = op != BW_X86_LF_NONE ? (cpu->lf_res & m) == 0 : (cpu->eflags & BW_X86_ZF) != 0;
      break;
    case 5: /* P */
      return bw_x86_cond (cpu, cc);
    default:
      if ((op & ~3u) == BW_X86_LF_SUB)
        {
          uint32_t sign = (m >> 1) + 1;
          uint32_t a = cpu->lf_a & m, b = cpu->lf_b & m, res = cpu->lf_res & m;
          gboolean of = ((a ^ b) & (a ^ res) & sign) != 0;
          gboolean sf = (res & sign) != 0;
          switch (cc >> 1)
            {
            case 0: r = of; break;
            case 3: r = a <= b; break;
            case 4: r = sf; break;
            case 6: r = sf != of; break;
            default: r = res == 0 || sf != of; break; /* 7 */
            }
        }
      else if ((op & ~3u) == BW_X86_LF_LOGIC)
        {
          uint32_t res = cpu->lf_res & m;
          gboolean sf = (res & ((m >> 1) + 1)) != 0;
          switch (cc >> 1)
            {
            case 0: r = FALSE; break;
            case 3: r = res == 0; break;
            case 4: case 6: r = sf; break;
            default: r = res == 0 || sf; break; /* 7 */
            }
        }
      else
        return bw_x86_cond (cpu, cc);
    }
  return (cc & 1) ? !r : r;
}

/* Writes EFLAGS from an instruction (POPF, IRET); mask: bits it may change. */
void bw_x86_write_eflags (BwX86Cpu *cpu, uint32_t value, uint32_t mask);

/* PF, ZF, SF of a result of size osz. */
extern const uint8_t bw_x86_parity[256];
static inline uint32_t
bw_x86_szp (uint32_t res, int osz)
{
  uint32_t m = bw_x86_size_mask (osz);
  uint32_t sign = (m >> 1) + 1;
  uint32_t f = 0;
  res &= m;
  if (res == 0)
    f |= BW_X86_ZF;
  if (res & sign)
    f |= BW_X86_SF;
  if (bw_x86_parity[res & 0xff])
    f |= BW_X86_PF;
  return f;
}

/* ---- memory (bw-x86-mem.c, bw-x86-mmu.c) ------------------------------- */

uint32_t bw_x86_lin_read_slow (BwX86Cpu *cpu, uint32_t lin, unsigned size);
void bw_x86_lin_write_slow (BwX86Cpu *cpu, uint32_t lin, unsigned size, uint32_t value);
/* Linear to physical for an access of the given kind; raises #PF. Fills
 * the TLB entry for the page. */
BwX86TlbEntry *bw_x86_tlb_fill (BwX86Cpu *cpu, uint32_t lin, int acc);
void bw_x86_tlb_flush (BwX86Cpu *cpu);
void bw_x86_tlb_flush_page (BwX86Cpu *cpu, uint32_t lin);
/* Drops fast write access to every linear page that maps physical page
 * phys_page (it now holds decoded code). */
void bw_x86_tlb_protect_phys (BwX86Cpu *cpu, uint32_t phys_page);
/* Paging walk (bw-x86-mmu.c). Returns the physical address. */
uint32_t bw_x86_mmu_translate (BwX86Cpu *cpu, uint32_t lin, int acc, gboolean *writable,
                               gboolean *nx);
uint32_t bw_x86_phys_read (BwX86Cpu *cpu, uint32_t paddr, unsigned size);
/* Implicit supervisor accesses: descriptor tables and the TSS are read and
 * written with supervisor rights even at CPL 3 (an interrupt from user
 * mode reads the IDT on a supervisor page). */
uint32_t bw_x86_sys_read (BwX86Cpu *cpu, uint32_t lin, unsigned size);
void bw_x86_sys_write (BwX86Cpu *cpu, uint32_t lin, unsigned size, uint32_t value);
void bw_x86_phys_write (BwX86Cpu *cpu, uint32_t paddr, unsigned size, uint32_t value);
/* Recomputes align_check; called wherever CR0, CPL or EFLAGS.AC change. */
void bw_x86_update_align_check (BwX86Cpu *cpu);

/* #AC(0) for a misaligned 2-, 4- or 8-byte data access while alignment
 * checking is on (the slow paths call it; so do 8-byte operands made of
 * two 4-byte accesses). */
BW_X86_INLINE void
bw_x86_check_align (BwX86Cpu *cpu, uint32_t lin, unsigned size)
{
  if (BW_X86_UNLIKELY (cpu->align_check) && (size == 2 || size == 4 || size == 8)
      && (lin & (size - 1)))
    bw_x86_raise_err (cpu, BW_X86_EXC_AC, 0);
}

BW_X86_INLINE uint32_t
bw_x86_lin_read (BwX86Cpu *cpu, uint32_t lin, unsigned size)
{
  /* One compare: the entry of lin's page holds that page, and the last
   * byte lies on it too (the next page would have another entry). */
  BwX86TlbEntry *e = &cpu->tlb[(lin >> 12) & (BW_X86_TLB_SIZE - 1)];
  if (BW_X86_LIKELY (e->tag_r == ((lin + size - 1) & ~0xfffu)))
    {
      const uint8_t *p = e->host + (lin & 0xfff);
      /* memcpy: guest data is unaligned; the compiler emits one load. */
      switch (size)
        {
        case 1:
          return *p;
        case 2:
          {
            uint16_t v;
            memcpy (&v, p, 2);
            return GUINT16_FROM_LE (v);
          }
        default:
          {
            uint32_t v;
            memcpy (&v, p, 4);
            return GUINT32_FROM_LE (v);
          }
        }
    }
  return bw_x86_lin_read_slow (cpu, lin, size);
}

BW_X86_INLINE void
bw_x86_lin_write (BwX86Cpu *cpu, uint32_t lin, unsigned size, uint32_t v)
{
  BwX86TlbEntry *e = &cpu->tlb[(lin >> 12) & (BW_X86_TLB_SIZE - 1)];
  if (BW_X86_LIKELY (e->tag_w == ((lin + size - 1) & ~0xfffu)))
    {
      uint8_t *p = e->host + (lin & 0xfff);
      switch (size)
        {
        case 1:
          *p = (uint8_t) v;
          return;
        case 2:
          {
            uint16_t le = GUINT16_TO_LE ((uint16_t) v);
            memcpy (p, &le, 2);
            return;
          }
        default:
          {
            uint32_t le = GUINT32_TO_LE (v);
            memcpy (p, &le, 4);
            return;
          }
        }
    }
  bw_x86_lin_write_slow (cpu, lin, size, v);
}

/* ---- segmentation (bw-x86-seg.c) --------------------------------------- */

G_NORETURN void bw_x86_seg_fault (BwX86Cpu *cpu, int seg);
/* Loads a segment register in the current mode (real/V86: base = sel<<4;
 * protected: descriptor checks, #GP/#SS/#NP). */
void bw_x86_load_seg (BwX86Cpu *cpu, int seg, uint16_t selector);
/* Sets the cache directly and recomputes the fast-path fields. */
void bw_x86_seg_set_cache (BwX86Cpu *cpu, int seg, const BwX86SegState *s);
void bw_x86_seg_real (BwX86Cpu *cpu, int seg, uint16_t selector);
/* Recomputes the fast-path fields after a mode change (CR0.PE). */
void bw_x86_seg_refresh_all (BwX86Cpu *cpu);

static inline gboolean
bw_x86_pmode (BwX86Cpu *cpu)
{
  return (cpu->cr0 & BW_X86_CR0_PE) && !(cpu->eflags & BW_X86_VM);
}

/* Segment-relative offset to linear address, with the limit and rights
 * checks of the segment. */
BW_X86_INLINE uint32_t
bw_x86_seg_lin (BwX86Cpu *cpu, int seg, uint32_t off, unsigned size, int acc)
{
  const BwX86Seg *s = &cpu->seg[seg];
  if (BW_X86_LIKELY ((s->flat & acc) == acc && off <= 0xfffffffcu))
    return s->s.base + off;
  if (BW_X86_UNLIKELY (off < s->lo || (uint64_t) off + size - 1 > s->hi
                       || (s->rights & acc) != acc))
    bw_x86_seg_fault (cpu, seg);
  return s->s.base + off;
}

void bw_x86_probe_write_slow (BwX86Cpu *cpu, uint32_t lin, unsigned size);

/* For read-modify-write: checks the write side (rights, page faults)
 * before anything is read, so that a fault leaves no trace. */
BW_X86_INLINE uint32_t
bw_x86_seg_lin_rmw (BwX86Cpu *cpu, int seg, uint32_t off, unsigned size)
{
  uint32_t lin = bw_x86_seg_lin (cpu, seg, off, size, BW_X86_ACC_R | BW_X86_ACC_W);
  BwX86TlbEntry *e = &cpu->tlb[(lin >> 12) & (BW_X86_TLB_SIZE - 1)];
  if (BW_X86_UNLIKELY (e->tag_w != ((lin + size - 1) & ~0xfffu)))
    bw_x86_probe_write_slow (cpu, lin, size);
  return lin;
}

BW_X86_INLINE uint32_t
bw_x86_read (BwX86Cpu *cpu, int seg, uint32_t off, unsigned size)
{
  return bw_x86_lin_read (cpu, bw_x86_seg_lin (cpu, seg, off, size, BW_X86_ACC_R), size);
}

BW_X86_INLINE void
bw_x86_write (BwX86Cpu *cpu, int seg, uint32_t off, unsigned size, uint32_t v)
{
  bw_x86_lin_write (cpu, bw_x86_seg_lin (cpu, seg, off, size, BW_X86_ACC_W), size, v);
}

/* ---- registers and operands ------------------------------------------- */

BW_X86_INLINE uint32_t
bw_x86_reg_get (BwX86Cpu *cpu, unsigned r, int osz)
{
  switch (osz)
    {
    case 0:
      return r < 4 ? cpu->gpr[r] & 0xff : (cpu->gpr[r - 4] >> 8) & 0xff;
    case 1:
      return cpu->gpr[r] & 0xffff;
    default:
      return cpu->gpr[r];
    }
}

BW_X86_INLINE void
bw_x86_reg_set (BwX86Cpu *cpu, unsigned r, int osz, uint32_t v)
{
  switch (osz)
    {
    case 0:
      if (r < 4)
        cpu->gpr[r] = (cpu->gpr[r] & ~0xffu) | (v & 0xff);
      else
        cpu->gpr[r - 4] = (cpu->gpr[r - 4] & ~0xff00u) | ((v & 0xff) << 8);
      break;
    case 1:
      cpu->gpr[r] = (cpu->gpr[r] & ~0xffffu) | (v & 0xffff);
      break;
    default:
      cpu->gpr[r] = v;
    }
}

/* Offset of the memory operand. */
BW_X86_INLINE uint32_t
bw_x86_ea (BwX86Cpu *cpu, const BwX86Insn *i)
{
  uint32_t ea = i->disp + cpu->gpr[i->base] + (cpu->gpr[i->index] << i->scale);
  if (!(i->flags & BW_X86_I_A32))
    ea &= 0xffff;
  return ea;
}

BW_X86_INLINE unsigned
bw_x86_bytes (int osz)
{
  return 1u << osz;
}

BW_X86_INLINE uint32_t
bw_x86_rm_get (BwX86Cpu *cpu, const BwX86Insn *i, int osz)
{
  if (i->mod == 3)
    return bw_x86_reg_get (cpu, i->rm, osz);
  return bw_x86_read (cpu, i->seg, bw_x86_ea (cpu, i), bw_x86_bytes (osz));
}

BW_X86_INLINE void
bw_x86_rm_set (BwX86Cpu *cpu, const BwX86Insn *i, int osz, uint32_t v)
{
  if (i->mod == 3)
    bw_x86_reg_set (cpu, i->rm, osz, v);
  else
    bw_x86_write (cpu, i->seg, bw_x86_ea (cpu, i), bw_x86_bytes (osz), v);
}

/* Read-modify-write of r/m through a function of the old value. */
#define RMW(cpu, i, osz, expr)                                                              \
  do                                                                                        \
    {                                                                                       \
      if ((i)->mod == 3)                                                                    \
        {                                                                                   \
          uint32_t v = bw_x86_reg_get (cpu, (i)->rm, osz);                                  \
          bw_x86_reg_set (cpu, (i)->rm, osz, (expr));                                       \
        }                                                                                   \
      else                                                                                  \
        {                                                                                   \
          unsigned n_ = bw_x86_bytes (osz);                                                 \
          uint32_t lin_ = bw_x86_seg_lin_rmw (cpu, (i)->seg, bw_x86_ea (cpu, i), n_);       \
          uint32_t v = bw_x86_lin_read (cpu, lin_, n_);                                     \
          bw_x86_lin_write (cpu, lin_, n_, (expr));                                         \
        }                                                                                   \
    }                                                                                       \
  while (0)

/* ---- stack ------------------------------------------------------------- */

BW_X86_INLINE uint32_t
bw_x86_sp_mask (BwX86Cpu *cpu)
{
  return cpu->seg[BW_X86_SS].big ? 0xffffffffu : 0xffffu;
}

BW_X86_INLINE void
bw_x86_set_sp (BwX86Cpu *cpu, uint32_t sp)
{
  uint32_t m = bw_x86_sp_mask (cpu);
  cpu->gpr[BW_X86_ESP] = (cpu->gpr[BW_X86_ESP] & ~m) | (sp & m);
}

BW_X86_INLINE void
bw_x86_push (BwX86Cpu *cpu, unsigned size, uint32_t v)
{
  uint32_t sp = (cpu->gpr[BW_X86_ESP] - size) & bw_x86_sp_mask (cpu);
  bw_x86_write (cpu, BW_X86_SS, sp, size, v);
  bw_x86_set_sp (cpu, sp);
}

/* Reads the value n bytes above the stack pointer, without popping. */
BW_X86_INLINE uint32_t
bw_x86_stack_peek (BwX86Cpu *cpu, uint32_t n, unsigned size)
{
  uint32_t sp = (cpu->gpr[BW_X86_ESP] + n) & bw_x86_sp_mask (cpu);
  return bw_x86_read (cpu, BW_X86_SS, sp, size);
}

BW_X86_INLINE uint32_t
bw_x86_pop (BwX86Cpu *cpu, unsigned size)
{
  uint32_t v = bw_x86_stack_peek (cpu, 0, size);
  bw_x86_set_sp (cpu, cpu->gpr[BW_X86_ESP] + size);
  return v;
}

void bw_x86_cpu_apply_requests (BwX86Cpu *cpu);
/* The time stamp counter before the guest's offset (bw-x86-ops-system.c). */
uint64_t bw_x86_tsc_raw (BwX86Cpu *cpu);
/* FNINIT state (power-on reset; INIT keeps the FPU). */
void bw_x86_fpu_init (BwX86Cpu *cpu);
/* Power-on SSE state: XMM registers zero, MXCSR 1F80h (bw-x86-fpu.c). */
void bw_x86_sse_reset (BwX86Cpu *cpu);

/* ---- decoder and code cache (bw-x86-decode.c, bw-x86-block.c) ---------- */

/* Decodes one block at the current CS:EIP into cpu->scratch; returns the
 * number of instructions and the physical page of its last byte. Raises
 * the fetch fault if the first instruction cannot be fetched. */
unsigned bw_x86_decode_block (BwX86Cpu *cpu, unsigned max_insns, uint32_t *last_phys_page);
/* Decodes one instruction from the bytes at code (at most avail bytes);
 * returns its length, 0 if more bytes are needed, -1 for a form that is
 * longer than 15 bytes. Used by the block decoder and by unit tests. */
int bw_x86_decode_insn (const uint8_t *code, unsigned avail, gboolean code32, BwX86Insn *out);

BwX86Block *bw_x86_block_find (BwX86Cpu *cpu);

/* Whether block b at the current EIP lies within CS's limit (decoding
 * checks it; a block found again under another CS must be checked too). */
static inline gboolean
bw_x86_block_in_cs (const BwX86Cpu *cpu, const BwX86Block *b)
{
  const BwX86Seg *cs = &cpu->seg[BW_X86_CS];
  return cs->flat
         || (cpu->eip >= cs->lo && (uint64_t) cpu->eip + b->len - 1 <= cs->hi);
}
void bw_x86_block_invalidate_page (BwX86Cpu *cpu, uint32_t phys_page);
void bw_x86_block_flush_all (BwX86Cpu *cpu);
void bw_x86_block_reap (BwX86Cpu *cpu);
/* Ends the running block after the current instruction (it is dropped
 * and decoded again when next reached). */
void bw_x86_block_stop_running (BwX86Cpu *cpu);
void bw_x86_block_init (BwX86Cpu *cpu);
void bw_x86_block_fini (BwX86Cpu *cpu);

/* The translator (bw-x86-jit.c). consider: counts a run of b and
 * translates it once it is hot; b->jit_code is then set. */
void bw_x86_jit_init (BwX86Cpu *cpu);
void bw_x86_jit_fini (BwX86Cpu *cpu);
void bw_x86_jit_consider (BwX86Cpu *cpu, BwX86Block *b);
/* A translated block refused to run (cpu->jit_bail): the caller
 * interprets it; after a few refusals it is translated again without the
 * assumption that failed. */
void bw_x86_jit_bailed (BwX86Cpu *cpu, BwX86Block *b);
/* Points the chain slot the last translated block left by at b, when b is
 * translated and is where that exit went (lin: b's linear address). */
void bw_x86_jit_chain (BwX86Cpu *cpu, BwX86Block *b, uint32_t lin);

static inline gboolean
bw_x86_page_has_code (BwX86Cpu *cpu, uint32_t phys_page)
{
  uint32_t pn = phys_page >> 12;
  return (cpu->code_pages[pn >> 3] >> (pn & 7)) & 1;
}

/* ---- instruction handlers (bw-x86-ops-*.c) ----------------------------- */

#define BW_X86_OP(name) void bw_x86_op_##name (BwX86Cpu *cpu, const BwX86Insn *i)

/* Control flow helper: branch within CS with the limit check. */
void bw_x86_jump_near (BwX86Cpu *cpu, uint32_t target, gboolean o32);
void bw_x86_jump_far (BwX86Cpu *cpu, uint16_t sel, uint32_t off, gboolean o32);
/* Interrupt return in real mode and protected mode. */
void bw_x86_iret (BwX86Cpu *cpu, gboolean o32);

static inline uint32_t
bw_x86_next_eip (BwX86Cpu *cpu, const BwX86Insn *i)
{
  uint32_t n = cpu->eip + i->len;
  return cpu->seg[BW_X86_CS].big ? n : (n & 0xffff);
}

/* ---- debug registers, VME, trace (bw-x86-debug.c, -vme.c, -trace.c) ---- */

#define BW_X86_DR6_BD 0x2000u
#define BW_X86_DR6_BS 0x4000u
#define BW_X86_DR6_BT 0x8000u

/* Recomputes the DR7 masks and step_check after DR7, CR4 or a debugger
 * setting changed. */
void bw_x86_debug_update (BwX86Cpu *cpu);
uint32_t bw_x86_dr_read (BwX86Cpu *cpu, unsigned reg);
void bw_x86_dr_write (BwX86Cpu *cpu, unsigned reg, uint32_t value);
/* Whether the page of lin holds a data breakpoint on this kind of access
 * (such pages get no fast TLB entry). */
gboolean bw_x86_debug_page_watched (BwX86Cpu *cpu, uint32_t lin, gboolean write);
/* A data access on the slow path: records a trap for the breakpoints it
 * matches. */
void bw_x86_debug_data (BwX86Cpu *cpu, uint32_t lin, unsigned size, gboolean write);
void bw_x86_debug_io (BwX86Cpu *cpu, uint16_t port, unsigned size);
/* Whether the instruction at CS:EIP must run alone (TF, RF, debugger,
 * trace, an instruction breakpoint on its page). */
gboolean bw_x86_debug_wants_step (BwX86Cpu *cpu);
/* Runs one instruction with breakpoint, trace and trap handling; TRUE
 * when the debugger stops before it. after_first: an instruction already
 * ran in this bw_x86_cpu_run() call. */
gboolean bw_x86_debug_step (BwX86Cpu *cpu, gboolean after_first);
/* Delivers the pending #DB trap (cpu->db_trap). */
void bw_x86_debug_trap (BwX86Cpu *cpu);

/* VME and PVI (bw-x86-vme.c). */
static inline gboolean
bw_x86_vme (BwX86Cpu *cpu)
{
  return (cpu->eflags & BW_X86_VM) && (cpu->cr4 & BW_X86_CR4_VME);
}
/* CLI/STI where CPL > IOPL: FALSE if they must fault, else done on VIF. */
gboolean bw_x86_vif_cli_sti (BwX86Cpu *cpu, gboolean sti);
void bw_x86_v86_int (BwX86Cpu *cpu, int vector, uint32_t next_eip);
void bw_x86_vme_pushf (BwX86Cpu *cpu, gboolean o32);
void bw_x86_vme_popf (BwX86Cpu *cpu, gboolean o32);
void bw_x86_vme_iret (BwX86Cpu *cpu, gboolean o32);

/* The instruction trace (bw-x86-trace.c); cpu->trace is non-NULL while on. */
void bw_x86_trace_insn (BwX86Cpu *cpu, const BwX86Insn *i);
void bw_x86_trace_event (BwX86Cpu *cpu, int vector, gboolean soft, gboolean has_error,
                         uint32_t error);
void bw_x86_trace_free (BwX86Cpu *cpu);

#include "vmm/cpu/bw-x86-ops.h"
