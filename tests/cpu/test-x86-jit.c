/* test-x86-jit.c: the translator tier (vmm/cpu/bw-x86-jit.c) against the
 * interpreter. Random 32-bit programs made of the forms the translator
 * inlines (and some it leaves to the handlers) run on three machines,
 * interpreter only (OFF), every block translated at its first run (EAGER)
 * and blocks translated once hot (ON), from the same registers and memory;
 * registers, flags, segments, control registers, the last vector and all
 * of RAM must agree, and the instruction count for programs that took no
 * exception (see compare()). The programs have every addressing shape,
 * accesses that cross pages or reach MMIO, self-modifying stores, loops,
 * subroutines, a DS with a small limit (#GP), paging with PTE changes
 * (#PF) and data breakpoints (#DB); some run again to a budget that every
 * machine must stop at exactly. The nasm guests in 32-bit mode are
 * compared the same way (EAGER against OFF).
 *
 * BW_JIT_SEED and BW_JIT_ITERATIONS override the random test's first seed
 * and its number of programs; program k uses seed + k, so a failure names
 * the one seed that repeats it alone (BW_JIT_ITERATIONS=1).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "bw-test.h"
#include "bw-test-machine.h"

/* ---- the random programs' machine --------------------------------------- */

#define RAM_SIZE 0x40000u /* 256 KiB: everything above is MMIO (reads ~0) */
#define GDT_BASE 0x0800u
#define IDT_BASE 0x1000u
#define HANDLER 0x1800u     /* exceptions without an error code */
#define HANDLER_ERR 0x1840u /* with one */
#define HANDLER_DB 0x1880u  /* #DB (data breakpoints): counts, notes, IRET */
#define RESULT 0x1f00u      /* the handlers store the pushed EIP (and code) here */
#define DB_COUNT 0x3f80u
#define ESP_SLOTS 0x3f00u   /* subroutines keep ESP and the return address here */
#define CODE_BASE 0x4000u
#define CODE_MAX 0x2400u    /* generation stops past this much code */
#define DATA_A 0x8000u      /* 0x8000-0xffff: flat data */
#define SMALL_BASE 0x20000u /* the small data segment (selector 18h), limit fffh */
#define SMALL_LIMIT 0xfffu
#define STACK_TOP 0x30000u
#define PD_BASE 0x38000u    /* paging, for a third of the programs */
#define PT_BASE 0x39000u

#define SEL_CODE 0x08
#define SEL_FLAT 0x10
#define SEL_SMALL 0x18

enum
{
  EAX,
  ECX,
  EDX,
  EBX,
  ESP,
  EBP,
  ESI,
  EDI
};

/* splitmix64: cheap, and the same programs on every host. */
typedef struct
{
  uint64_t s;
} Rng;

static uint32_t
rnd (Rng *r)
{
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return (uint32_t) ((z ^ (z >> 31)) >> 16);
}

static uint32_t
rndn (Rng *r, uint32_t n)
{
  return rnd (r) % n;
}

/* A value with the edges an ALU cares about now and then. */
static uint32_t
rnd_value (Rng *r)
{
  static const uint32_t edges[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
                                    0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu };
  switch (rndn (r, 4))
    {
    case 0: return edges[rndn (r, G_N_ELEMENTS (edges))];
    case 1: return rndn (r, 256);
    default: return rnd (r) ^ (rnd (r) << 16);
    }
}

/* ---- the program generator ---------------------------------------------- */

typedef struct
{
  Rng *r;
  uint8_t *code; /* the image's CODE_BASE */
  uint32_t len;
  gboolean in_loop;  /* ECX counts the loop: not written */
  gboolean in_skip;  /* code a forward branch may skip: DS stays as it is */
  int plain_only;    /* inside a rel8 skip: single instructions only */
  int call_depth;
  gboolean ds_small; /* DS is the small segment (as far as straight code goes) */
  uint32_t holes[16]; /* data bytes inside the code pages */
  unsigned n_holes;
  gboolean paging;
  /* what the programs did, summed over all of them */
  unsigned n_smc, n_small, n_loops, n_calls, n_dbreg, n_remaps;
} Gen;

static void
emit1 (Gen *g, uint8_t b)
{
  g_assert (g->len < 0x3000);
  g->code[g->len++] = b;
}

static void
emit32 (Gen *g, uint32_t v)
{
  for (int k = 0; k < 4; k++)
    emit1 (g, (uint8_t) (v >> (8 * k)));
}

static void
emit_bytes (Gen *g, const uint8_t *b, unsigned n)
{
  for (unsigned k = 0; k < n; k++)
    emit1 (g, b[k]);
}

static uint32_t
here (Gen *g)
{
  return CODE_BASE + g->len;
}

static void
put32 (Gen *g, uint32_t at, uint32_t v)
{
  for (int k = 0; k < 4; k++)
    g->code[at - CODE_BASE + k] = (uint8_t) (v >> (8 * k));
}

static uint8_t
modrm (unsigned mod, unsigned reg, unsigned rm)
{
  return (uint8_t) (mod << 6 | reg << 3 | rm);
}

/* A register the program may write: never ESP, and not ECX in a loop. */
static unsigned
dst32 (Gen *g)
{
  for (;;)
    {
      unsigned r = rndn (g->r, 8);
      if (r != ESP && !(r == ECX && g->in_loop))
        return r;
    }
}

/* AL..BH: AH..BH are 4-7. CL and CH belong to ECX. */
static unsigned
dst8 (Gen *g)
{
  for (;;)
    {
      unsigned r = rndn (g->r, 8);
      if (!((r & 3) == ECX && g->in_loop))
        return r;
    }
}

static void
emit_mov_imm (Gen *g, unsigned r, uint32_t v)
{
  emit1 (g, 0xb8 + r);
  emit32 (g, v);
}

/* The multiplicative inverse of an odd number modulo 2^32. */
static uint32_t
inverse (uint32_t a)
{
  uint32_t x = a;
  for (int k = 0; k < 5; k++)
    x *= 2 - a * x;
  return x;
}

typedef enum
{
  ACC_LOAD,
  ACC_STORE,
} Acc;

/* Where an access of size bytes goes, as an offset in its segment. */
static uint32_t
pick_target (Gen *g, unsigned size, Acc acc, gboolean small)
{
  Rng *r = g->r;
  uint32_t p = rndn (r, 1000);
  if (small)
    {
      /* The small segment: now and then past its limit (#GP). */
      if (p < 12)
        return rndn (r, 2) ? SMALL_LIMIT + 2 - size + rndn (r, 3) : rnd (r) | 0x1000;
      if (p < 350)
        return SMALL_LIMIT + 1 - size - rndn (r, 3);
      return rndn (r, SMALL_LIMIT + 2 - size);
    }
  if (acc == ACC_LOAD)
    {
      if (p < 3)
        return 0xffffffffu - rndn (r, 4); /* at the top of the 4 GiB limit */
      if (p < 80)
        return CODE_BASE + rndn (r, g->len + 32);
      if (p < 110)
        return rndn (r, 0x2000); /* GDT, IDT, handlers */
    }
  if (p < 400)
    return DATA_A + rndn (r, 0x8000 - size + 1);
  if (p < 550)
    return DATA_A + 0x1000 * rndn (r, 8) + 0x1000 - 1 - rndn (r, 3); /* crosses */
  if (p < 600)
    return RAM_SIZE - 1 - rndn (r, 3); /* crosses from RAM into MMIO */
  if (p < 700)
    {
      switch (rndn (r, 3))
        {
        case 0: return RAM_SIZE + rndn (r, 0x100000);
        case 1: return 0xfee00000u + (rndn (r, 0x400) & ~3u);
        default: return rnd (r) | 0x80000000u;
        }
    }
  if (p < 800 && g->n_holes)
    return g->holes[rndn (r, g->n_holes)] + rndn (r, 16 - size + 1);
  if (p < 900)
    return STACK_TOP - 0x100 + rndn (r, 0x200);
  return SMALL_BASE + rndn (r, 0x1000);
}

/* A memory operand: ModRM, SIB and displacement with a zero reg field, a
 * segment override prefix or 0. */
typedef struct
{
  uint8_t b[6];
  unsigned n;
  uint8_t prefix;
} Form;

static void
form_disp (Form *f, unsigned mod, uint32_t d)
{
  if (mod == 1)
    f->b[f->n++] = (uint8_t) d;
  else
    for (int k = 0; k < 4; k++)
      f->b[f->n++] = (uint8_t) (d >> (8 * k));
}

static uint32_t
rnd_disp (Rng *r, unsigned mod)
{
  if (mod == 1)
    return (uint32_t) (int8_t) rnd (r);
  return rndn (r, 2) ? (uint32_t) (int32_t) (int16_t) rnd (r) : rnd (r);
}

/* Builds a memory operand for an access of size bytes and emits the MOVs
 * that put its address in the registers it names: every addressing shape
 * of 32-bit code. LEA-like uses (acc < 0) take the registers as they are. */
static Form
mem_form (Gen *g, unsigned size, int acc)
{
  Rng *r = g->r;
  Form f = { 0 };
  /* Stores always go where pick_target says; loads mostly. */
  gboolean controlled = acc == ACC_STORE || (acc == ACC_LOAD && (g->ds_small || rndn (r, 8)));
  if (!controlled)
    {
      /* Whatever the registers hold (LEA, some loads). */
      unsigned mod = rndn (r, 3), rm = rndn (r, 8);
      if (acc >= 0 && rm == ESP && rndn (r, 2))
        {
          /* [esp+disp]: the stack. */
          f.b[f.n++] = modrm (mod ? mod : 1, 0, 4);
          f.b[f.n++] = 0x24;
          form_disp (&f, mod ? mod : 1, rndn (r, 0x40));
          return f;
        }
      f.b[f.n++] = modrm (mod, 0, rm);
      if (rm == 4)
        {
          uint8_t sib = (uint8_t) rnd (r);
          f.b[f.n++] = sib;
          if (mod == 0 && (sib & 7) == 5)
            form_disp (&f, 2, rnd_disp (r, 2));
        }
      if (mod == 0 && rm == 5)
        form_disp (&f, 2, rnd (r));
      else if (mod)
        form_disp (&f, mod, rnd_disp (r, mod));
      return f;
    }

  /* The shape, then the segment it uses, then the target in it. */
  enum { DISP, BASE, BASE_DISP, SIB_FULL, SIB_NOINDEX, INDEX_ONLY, N_SHAPES };
  unsigned shape = rndn (r, N_SHAPES);
  unsigned base = dst32 (g), index = dst32 (g), scale = rndn (r, 4);
  unsigned mod = 1 + rndn (r, 2);
  if ((shape == SIB_FULL || shape == SIB_NOINDEX) && rndn (r, 3) == 0 && base != EBP)
    mod = 0;
  gboolean uses_ss = (shape == BASE || shape == BASE_DISP || shape == SIB_FULL
                      || shape == SIB_NOINDEX) && base == EBP;
  int seg = uses_ss ? 2 : 3;
  if (rndn (r, 8) == 0)
    {
      static const uint8_t prefixes[] = { 0x26, 0x36, 0x3e, 0x64, 0x65 };
      static const int segs[] = { 0, 2, 3, 4, 5 };
      unsigned k = rndn (r, 5);
      f.prefix = prefixes[k];
      seg = segs[k];
    }
  gboolean small = seg == 3 && g->ds_small;
  if (small)
    g->n_small++;
  uint32_t t = pick_target (g, size, (Acc) acc, small);
  uint32_t d = mod ? rnd_disp (r, mod) : 0;
  switch (shape)
    {
    case DISP:
      f.b[f.n++] = modrm (0, 0, 5);
      form_disp (&f, 2, t);
      break;
    case BASE:
      if (base == EBP)
        {
          f.b[f.n++] = modrm (1, 0, EBP);
          form_disp (&f, 1, 0);
        }
      else
        f.b[f.n++] = modrm (0, 0, base);
      emit_mov_imm (g, base, t);
      break;
    case BASE_DISP:
      f.b[f.n++] = modrm (mod, 0, base);
      form_disp (&f, mod, d);
      emit_mov_imm (g, base, t - d);
      break;
    case SIB_FULL:
      f.b[f.n++] = modrm (mod, 0, 4);
      if (index == base && scale == 0)
        scale = 1 + rndn (r, 3);
      f.b[f.n++] = (uint8_t) (scale << 6 | index << 3 | base);
      if (mod)
        form_disp (&f, mod, d);
      if (index == base)
        /* v + v * 2^scale = t - d: 1 + 2^scale is odd. */
        emit_mov_imm (g, base, (t - d) * inverse (1 + (1u << scale)));
      else
        {
          uint32_t y = rndn (r, 2) ? rndn (r, 0x1000) : rnd_value (r);
          emit_mov_imm (g, index, y);
          emit_mov_imm (g, base, t - d - (y << scale));
        }
      break;
    case SIB_NOINDEX:
      f.b[f.n++] = modrm (mod, 0, 4);
      f.b[f.n++] = (uint8_t) (rndn (r, 4) << 6 | 4 << 3 | base);
      if (mod)
        form_disp (&f, mod, d);
      emit_mov_imm (g, base, t - d);
      break;
    default: /* INDEX_ONLY: [index*scale + disp32] */
      {
        f.b[f.n++] = modrm (0, 0, 4);
        f.b[f.n++] = (uint8_t) (scale << 6 | index << 3 | 5);
        uint32_t y = rndn (r, 2) ? rndn (r, 0x4000) : rnd_value (r);
        form_disp (&f, 2, t - (y << scale));
        emit_mov_imm (g, index, y);
      }
      break;
    }
  return f;
}

/* prefix(es), opcode bytes, the operand with reg in its reg field, imm. */
static void
emit_mem_insn (Gen *g, const Form *f, gboolean o16, const uint8_t *op, unsigned op_len,
               unsigned reg, uint32_t imm, unsigned imm_len)
{
  if (f->prefix)
    emit1 (g, f->prefix);
  if (o16)
    emit1 (g, 0x66);
  emit_bytes (g, op, op_len);
  emit1 (g, f->b[0] | (uint8_t) (reg << 3));
  emit_bytes (g, f->b + 1, f->n - 1);
  for (unsigned k = 0; k < imm_len; k++)
    emit1 (g, (uint8_t) (imm >> (8 * k)));
}

/* ALU kinds the translator inlines: ADD OR AND SUB XOR CMP. */
static unsigned
inline_alu_kind (Rng *r)
{
  static const unsigned kinds[] = { 0, 1, 4, 5, 6, 7 };
  return kinds[rndn (r, G_N_ELEMENTS (kinds))];
}

/* One inlined ALU, shift or multiply operation (the host's flags then are
 * the guest's, or the translator rebuilds them from the lazy record). */
static void
gen_alu (Gen *g)
{
  Rng *r = g->r;
  unsigned k = inline_alu_kind (r);
  unsigned d = k == 7 ? rndn (r, 8) : dst32 (g), s = rndn (r, 8);
  switch (rndn (r, 11))
    {
    case 9: /* shl / shr / sar (and the rotates) by an immediate, 0 and 1 too */
      {
        static const unsigned kinds[] = { 4, 5, 7, 4, 5, 7, 6, 0, 1, 2, 3 };
        unsigned sk = kinds[rndn (r, G_N_ELEMENTS (kinds))], how = rndn (r, 8);
        if (how == 0)
          emit_bytes (g, (const uint8_t[]){ 0xd1, modrm (3, sk, dst32 (g)) }, 2);
        else
          emit_bytes (g, (const uint8_t[]){ 0xc1, modrm (3, sk, dst32 (g)),
                                            (uint8_t) (how == 1   ? 1
                                                       : how == 2 ? rndn (r, 256)
                                                                  : rndn (r, 32)) },
                      3);
      }
      break;
    case 10: /* imul r32, r/m32 (, imm) */
      d = dst32 (g);
      switch (rndn (r, 3))
        {
        case 0:
          emit_bytes (g, (const uint8_t[]){ 0x0f, 0xaf, modrm (3, d, s) }, 3);
          break;
        case 1:
          emit_bytes (g, (const uint8_t[]){ 0x6b, modrm (3, d, s), (uint8_t) rnd (r) }, 3);
          break;
        default:
          emit_bytes (g, (const uint8_t[]){ 0x69, modrm (3, d, s) }, 2);
          emit32 (g, rnd_value (r));
          break;
        }
      break;
    case 0: /* op r/m32, r32 */
      emit1 (g, (uint8_t) (k * 8 + 1));
      emit1 (g, modrm (3, s, d));
      break;
    case 1: /* op r32, r/m32 */
      emit1 (g, (uint8_t) (k * 8 + 3));
      emit1 (g, modrm (3, d, s));
      break;
    case 2: /* op r/m32, imm32 */
      emit1 (g, 0x81);
      emit1 (g, modrm (3, k, d));
      emit32 (g, rnd_value (r));
      break;
    case 3: /* op r/m32, imm8 */
      emit1 (g, 0x83);
      emit1 (g, modrm (3, k, d));
      emit1 (g, (uint8_t) rnd (r));
      break;
    case 4: /* op eax, imm32 */
      emit1 (g, (uint8_t) (k * 8 + 5));
      emit32 (g, rnd_value (r));
      break;
    case 5: /* test */
      switch (rndn (r, 3))
        {
        case 0:
          emit1 (g, 0x85);
          emit1 (g, modrm (3, s, rndn (r, 8)));
          break;
        case 1:
          emit1 (g, 0xf7);
          emit1 (g, modrm (3, 0, rndn (r, 8)));
          emit32 (g, rnd_value (r));
          break;
        default:
          emit1 (g, 0xa9);
          emit32 (g, rnd_value (r));
          break;
        }
      break;
    case 6: /* inc / dec */
      emit1 (g, (uint8_t) ((rndn (r, 2) ? 0x40 : 0x48) + dst32 (g)));
      break;
    case 7: /* op r32, m32 */
      {
        Form f = mem_form (g, 4, ACC_LOAD);
        uint8_t op = (uint8_t) (k * 8 + 3);
        emit_mem_insn (g, &f, FALSE, &op, 1, d, 0, 0);
      }
      break;
    default: /* cmp m32, r32 / imm */
      {
        Form f = mem_form (g, 4, ACC_LOAD);
        switch (rndn (r, 3))
          {
          case 0: emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0x39 }, 1, s, 0, 0); break;
          case 1:
            emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0x81 }, 1, 7, rnd_value (r), 4);
            break;
          default: emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0x83 }, 1, 7, rnd (r), 1); break;
          }
      }
      break;
    }
}

/* Inlined moves, loads, stores and stack operations. */
static void
gen_move (Gen *g)
{
  Rng *r = g->r;
  switch (rndn (r, 14))
    {
    case 12: /* 16- and 8-bit moves: mov r16, r16 / imm16 / m16; mov r8, r8 / imm8 */
      switch (rndn (r, 5))
        {
        case 3:
          emit_bytes (g, (const uint8_t[]){ rndn (r, 2) ? 0x88 : 0x8a,
                                            modrm (3, dst8 (g), dst8 (g)) }, 2);
          break;
        case 4:
          emit_bytes (g, (const uint8_t[]){ (uint8_t) (0xb0 + dst8 (g)), (uint8_t) rnd (r) }, 2);
          break;
        case 0:
          emit_bytes (g, (const uint8_t[]){ 0x66, rndn (r, 2) ? 0x89 : 0x8b,
                                            modrm (3, dst32 (g), dst32 (g)) }, 3);
          break;
        case 1:
          emit_bytes (g, (const uint8_t[]){ 0x66, (uint8_t) (0xb8 + dst32 (g)) }, 2);
          emit_bytes (g, (const uint8_t[]){ (uint8_t) rnd (r), (uint8_t) rnd (r) }, 2);
          break;
        default:
          {
            Form f = mem_form (g, 2, ACC_LOAD);
            emit_mem_insn (g, &f, TRUE, (const uint8_t[]){ 0x8b }, 1, dst32 (g), 0, 0);
          }
          break;
        }
      break;
    case 13: /* mov m16, imm16 / mov m32, imm32 */
      {
        gboolean w = rndn (r, 2);
        Form f = mem_form (g, w ? 2 : 4, ACC_STORE);
        emit_mem_insn (g, &f, w, (const uint8_t[]){ 0xc7 }, 1, 0, rnd_value (r), w ? 2 : 4);
      }
      break;
    case 0: /* mov r32, r32 either way */
      {
        unsigned d = dst32 (g), s = rndn (r, 8);
        if (rndn (r, 2))
          emit_bytes (g, (const uint8_t[]){ 0x89, modrm (3, s, d) }, 2);
        else
          emit_bytes (g, (const uint8_t[]){ 0x8b, modrm (3, d, s) }, 2);
      }
      break;
    case 1:
      emit_mov_imm (g, dst32 (g), rnd_value (r));
      break;
    case 2: /* lea */
      {
        Form f = mem_form (g, 0, -1);
        emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0x8d }, 1, dst32 (g), 0, 0);
      }
      break;
    case 3: /* mov r32, m32 */
      {
        Form f = mem_form (g, 4, ACC_LOAD);
        emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0x8b }, 1, dst32 (g), 0, 0);
      }
      break;
    case 4: /* mov m32, r32 */
      {
        Form f = mem_form (g, 4, ACC_STORE);
        emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0x89 }, 1, rndn (r, 8), 0, 0);
      }
      break;
    case 5: /* movzx r32, m8 / m16 */
      {
        gboolean w = rndn (r, 2);
        Form f = mem_form (g, w ? 2 : 1, ACC_LOAD);
        emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0x0f, w ? 0xb7 : 0xb6 }, 2, dst32 (g),
                       0, 0);
      }
      break;
    case 6: /* mov m16, r16 */
      {
        Form f = mem_form (g, 2, ACC_STORE);
        emit_mem_insn (g, &f, TRUE, (const uint8_t[]){ 0x89 }, 1, rndn (r, 8), 0, 0);
      }
      break;
    case 7: /* mov m8, r8 (AL..BH) */
      {
        Form f = mem_form (g, 1, ACC_STORE);
        emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0x88 }, 1, rndn (r, 8), 0, 0);
      }
      break;
    case 8: /* mov r8, m8 */
      {
        Form f = mem_form (g, 1, ACC_LOAD);
        emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0x8a }, 1, dst8 (g), 0, 0);
      }
      break;
    case 9:
    case 10: /* push r32 */
      emit1 (g, (uint8_t) (0x50 + rndn (r, 8)));
      break;
    default: /* pop r32 */
      emit1 (g, (uint8_t) (0x58 + dst32 (g)));
      break;
    }
}

/* Instructions the translator leaves to the interpreter's handlers. */
static void
gen_other (Gen *g)
{
  Rng *r = g->r;
  unsigned d = dst32 (g), s = rndn (r, 8);
  switch (rndn (r, 16))
    {
    case 0: /* adc / sbb r32, r32 or imm */
      {
        unsigned k = 2 + rndn (r, 2);
        if (rndn (r, 2))
          {
            emit1 (g, (uint8_t) (k * 8 + 1));
            emit1 (g, modrm (3, s, d));
          }
        else
          {
            emit1 (g, 0x83);
            emit1 (g, modrm (3, k, d));
            emit1 (g, (uint8_t) rnd (r));
          }
      }
      break;
    case 1: /* adc / sbb r32, m32 */
      {
        Form f = mem_form (g, 4, ACC_LOAD);
        uint8_t op = (uint8_t) ((2 + rndn (r, 2)) * 8 + 3);
        emit_mem_insn (g, &f, FALSE, &op, 1, d, 0, 0);
      }
      break;
    case 2: /* shifts and rotates: by 1, imm8, CL; 32 or 16 bits */
      {
        static const unsigned kinds[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
        unsigned k = kinds[rndn (r, G_N_ELEMENTS (kinds))];
        if (rndn (r, 3) == 0)
          emit1 (g, 0x66);
        switch (rndn (r, 3))
          {
          case 0:
            emit1 (g, 0xd1);
            emit1 (g, modrm (3, k, d));
            break;
          case 1:
            emit1 (g, 0xc1);
            emit1 (g, modrm (3, k, d));
            emit1 (g, (uint8_t) rndn (r, 40));
            break;
          default:
            if (!g->in_loop)
              {
                /* mov cl, a count near the edges (0, 1, the width, 32) */
                static const uint8_t counts[] = { 0, 1, 2, 15, 16, 17, 31, 32, 33, 255 };
                emit1 (g, 0xb1);
                emit1 (g, rndn (r, 2) ? counts[rndn (r, G_N_ELEMENTS (counts))]
                                      : (uint8_t) rnd (r));
              }
            emit1 (g, 0xd3);
            emit1 (g, modrm (3, k, d));
            break;
          }
        if (rndn (r, 2))
          {
            /* pushfd; pop r32: the flags of the shift itself (OF, CF) */
            emit1 (g, 0x9c);
            emit1 (g, (uint8_t) (0x58 + dst32 (g)));
          }
      }
      break;
    case 3: /* setcc r8 */
      emit_bytes (g, (const uint8_t[]){ 0x0f, (uint8_t) (0x90 + rndn (r, 16)) }, 2);
      emit1 (g, modrm (3, 0, dst8 (g)));
      break;
    case 4: /* pushfd; pop r32 */
      emit1 (g, 0x9c);
      if (rndn (r, 2))
        emit1 (g, (uint8_t) (0x58 + d));
      break;
    case 5: /* xchg */
      if (rndn (r, 2))
        {
          emit1 (g, 0x87);
          emit1 (g, modrm (3, d, dst32 (g)));
        }
      else if (rndn (r, 2))
        emit1 (g, (uint8_t) (0x90 + d));
      else
        {
          Form f = mem_form (g, 4, ACC_STORE);
          emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0x87 }, 1, d, 0, 0);
        }
      break;
    case 6: /* not / neg / mul */
      emit1 (g, 0xf7);
      if (rndn (r, 3) == 0)
        emit1 (g, modrm (3, 4, s)); /* mul: EDX:EAX */
      else
        emit1 (g, modrm (3, 2 + rndn (r, 2), d));
      break;
    case 7: /* imul */
      if (rndn (r, 2))
        {
          emit_bytes (g, (const uint8_t[]){ 0x0f, 0xaf }, 2);
          emit1 (g, modrm (3, d, s));
        }
      else
        {
          emit1 (g, 0x6b);
          emit1 (g, modrm (3, d, s));
          emit1 (g, (uint8_t) rnd (r));
        }
      break;
    case 8: /* clc / stc / cmc / cdq / lahf / sahf / nop */
      {
        static const uint8_t ops[] = { 0xf8, 0xf9, 0xf5, 0x99, 0x9f, 0x9e, 0x90 };
        emit1 (g, ops[rndn (r, G_N_ELEMENTS (ops))]);
      }
      break;
    case 9: /* 8- and 16-bit ALU on registers (AH..BH too) */
      if (rndn (r, 2))
        {
          emit1 (g, (uint8_t) (rndn (r, 8) * 8 + 0));
          emit1 (g, modrm (3, rndn (r, 8), dst8 (g)));
        }
      else
        {
          emit1 (g, 0x66);
          emit1 (g, (uint8_t) (rndn (r, 8) * 8 + 1));
          emit1 (g, modrm (3, rndn (r, 8), d));
        }
      break;
    case 10: /* cmovcc, bt, bswap, movsx */
      switch (rndn (r, 4))
        {
        case 0:
          emit_bytes (g, (const uint8_t[]){ 0x0f, (uint8_t) (0x40 + rndn (r, 16)) }, 2);
          emit1 (g, modrm (3, d, s));
          break;
        case 1:
          emit_bytes (g, (const uint8_t[]){ 0x0f, 0xa3 }, 2);
          emit1 (g, modrm (3, s, rndn (r, 8)));
          break;
        case 2:
          emit_bytes (g, (const uint8_t[]){ 0x0f, (uint8_t) (0xc8 + d) }, 2);
          break;
        default:
          emit_bytes (g, (const uint8_t[]){ 0x0f, 0xbe }, 2);
          emit1 (g, modrm (3, d, rndn (r, 8)));
          break;
        }
      break;
    case 11: /* read-modify-write of m32: alu m32, r32 / imm, inc, dec, not */
      {
        Form f = mem_form (g, 4, ACC_STORE);
        switch (rndn (r, 5))
          {
          case 0:
            {
              uint8_t op = (uint8_t) (rndn (r, 7) * 8 + 1);
              emit_mem_insn (g, &f, FALSE, &op, 1, s, 0, 0);
            }
            break;
          case 1:
            emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0x81 }, 1, rndn (r, 7),
                           rnd_value (r), 4);
            break;
          case 2:
            emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0x83 }, 1, rndn (r, 7), rnd (r), 1);
            break;
          case 3:
            emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0xff }, 1, rndn (r, 2), 0, 0);
            break;
          default:
            emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0xf7 }, 1, 2, 0, 0);
            break;
          }
      }
      break;
    case 12: /* setcc m8 */
      {
        Form f = mem_form (g, 1, ACC_STORE);
        emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0x0f, (uint8_t) (0x90 + rndn (r, 16)) },
                       2, 0, 0, 0);
      }
      break;
    case 13: /* push imm / push m32 / pop m32 */
      switch (rndn (r, 3))
        {
        case 0:
          emit1 (g, 0x68);
          emit32 (g, rnd_value (r));
          break;
        case 1:
          {
            Form f = mem_form (g, 4, ACC_LOAD);
            emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0xff }, 1, 6, 0, 0);
          }
          break;
        default:
          {
            Form f = mem_form (g, 4, ACC_STORE);
            emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0x8f }, 1, 0, 0, 0);
          }
          break;
        }
      break;
    case 14: /* mov r16, m16 / mov m8, imm8 */
      if (rndn (r, 2))
        {
          Form f = mem_form (g, 2, ACC_LOAD);
          emit_mem_insn (g, &f, TRUE, (const uint8_t[]){ 0x8b }, 1, d, 0, 0);
        }
      else
        {
          Form f = mem_form (g, 1, ACC_STORE);
          emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ 0xc6 }, 1, 0, rnd (r), 1);
        }
      break;
    default: /* 8-bit alu with memory */
      {
        Form f = mem_form (g, 1, ACC_LOAD);
        emit_mem_insn (g, &f, FALSE, (const uint8_t[]){ (uint8_t) (rndn (r, 8) * 8 + 2) }, 1,
                       dst8 (g), 0, 0);
      }
      break;
    }
}

static void
gen_plain (Gen *g)
{
  switch (rndn (g->r, 5))
    {
    case 0:
    case 1: gen_alu (g); break;
    case 2:
    case 3: gen_move (g); break;
    default: gen_other (g); break;
    }
}

static void gen_item (Gen *g);

/* A Jcc (every condition) or JMP forward over a few items, rel8 or rel32. */
static void
gen_forward_branch (Gen *g)
{
  Rng *r = g->r;
  gboolean rel8 = g->plain_only || rndn (r, 2);
  gboolean jmp = rndn (r, 8) == 0;
  unsigned cc = rndn (r, 16);
  if (rel8)
    emit1 (g, jmp ? 0xeb : (uint8_t) (0x70 + cc));
  else if (jmp)
    emit1 (g, 0xe9);
  else
    emit_bytes (g, (const uint8_t[]){ 0x0f, (uint8_t) (0x80 + cc) }, 2);
  uint32_t at = g->len;
  if (rel8)
    emit1 (g, 0);
  else
    emit32 (g, 0);
  uint32_t start = g->len;
  gboolean skip = g->in_skip;
  g->in_skip = TRUE;
  g->plain_only += rel8;
  unsigned n = rndn (r, 4);
  for (unsigned k = 0; k < n; k++)
    gen_item (g);
  g->plain_only -= rel8;
  g->in_skip = skip;
  uint32_t dist = g->len - start;
  if (rel8)
    {
      g_assert (dist < 128);
      g->code[at] = (uint8_t) dist;
    }
  else
    put32 (g, CODE_BASE + at, dist);
}

/* Self-modifying code: a store into the immediate of an instruction a few
 * instructions ahead in the same block. */
static void
gen_smc (Gen *g)
{
  Rng *r = g->r;
  unsigned v = dst32 (g), size = (unsigned[]){ 4, 2, 1 }[rndn (r, 3)];
  emit_mov_imm (g, v, rnd_value (r));
  /* DS may be the small segment: go through ES or SS, both flat. */
  if (g->ds_small || rndn (r, 2))
    emit1 (g, rndn (r, 2) ? 0x26 : 0x36);
  if (size == 2)
    emit1 (g, 0x66);
  emit1 (g, size == 1 ? 0x88 : 0x89);
  emit1 (g, modrm (0, v, 5));
  uint32_t disp_at = here (g);
  emit32 (g, 0);
  unsigned n = rndn (r, 3);
  for (unsigned k = 0; k < n; k++)
    if (rndn (r, 2))
      gen_alu (g);
    else
      gen_move (g);
  /* The target: mov r32, imm32 or op r32, imm32. */
  uint32_t imm_at;
  unsigned d = dst32 (g);
  if (rndn (r, 2))
    {
      emit1 (g, (uint8_t) (0xb8 + d));
      imm_at = here (g);
    }
  else
    {
      emit1 (g, 0x81);
      emit1 (g, modrm (3, inline_alu_kind (r), d));
      imm_at = here (g);
    }
  emit32 (g, rnd_value (r));
  put32 (g, disp_at, imm_at + rndn (r, 4 - size + 1));
  g->n_smc++;
}

/* A loop run a small number of times: DEC ECX / JNZ, SUB ECX,1 / JNZ or
 * LOOP back to its start. */
static void
gen_loop (Gen *g)
{
  Rng *r = g->r;
  emit_mov_imm (g, ECX, 1 + rndn (r, 40));
  uint32_t top = g->len;
  g->in_loop = TRUE;
  unsigned n = 2 + rndn (r, 12);
  for (unsigned k = 0; k < n; k++)
    gen_item (g);
  g->in_loop = FALSE;
  unsigned kind = rndn (r, 3);
  if (kind == 0)
    emit1 (g, 0x49);
  else if (kind == 1)
    emit_bytes (g, (const uint8_t[]){ 0x83, 0xe9, 0x01 }, 3);
  int32_t back = (int32_t) top - (int32_t) (g->len + 2);
  if (kind == 2 && back >= -128)
    {
      emit1 (g, 0xe2);
      emit1 (g, (uint8_t) back);
    }
  else
    {
      if (kind == 2)
        emit1 (g, 0x49);
      back = (int32_t) top - (int32_t) (g->len + 2);
      if (back >= -128 && rndn (r, 2))
        {
          emit1 (g, 0x75);
          emit1 (g, (uint8_t) back);
        }
      else
        {
          emit_bytes (g, (const uint8_t[]){ 0x0f, 0x85 }, 2);
          emit32 (g, (uint32_t) ((int32_t) top - (int32_t) (g->len + 4)));
        }
    }
  g->n_loops++;
}

/* CALL rel32 to a subroutine right behind a JMP over it, which returns
 * with RET or RET imm16. The body may push, pop and store on the stack as
 * it likes: the return address and ESP wait in slots meanwhile. */
static void
gen_call (Gen *g)
{
  Rng *r = g->r;
  emit1 (g, 0xe8);
  emit32 (g, 5);
  emit1 (g, 0xe9);
  uint32_t at = here (g);
  emit32 (g, 0);
  /* pop dword [ss:slot+4]; mov [ss:slot], esp */
  uint32_t slot = ESP_SLOTS + 8 * (uint32_t) g->call_depth;
  emit_bytes (g, (const uint8_t[]){ 0x36, 0x8f, 0x05 }, 3);
  emit32 (g, slot + 4);
  emit_bytes (g, (const uint8_t[]){ 0x36, 0x89, 0x25 }, 3);
  emit32 (g, slot);
  gboolean skip = g->in_skip;
  g->in_skip = TRUE;
  g->call_depth++;
  unsigned n = 1 + rndn (r, 5);
  for (unsigned k = 0; k < n; k++)
    gen_item (g);
  g->call_depth--;
  g->in_skip = skip;
  /* mov esp, [ss:slot]; push dword [ss:slot+4] */
  emit_bytes (g, (const uint8_t[]){ 0x36, 0x8b, 0x25 }, 3);
  emit32 (g, slot);
  emit_bytes (g, (const uint8_t[]){ 0x36, 0xff, 0x35 }, 3);
  emit32 (g, slot + 4);
  if (rndn (r, 4))
    emit1 (g, 0xc3);
  else
    emit_bytes (g, (const uint8_t[]){ 0xc2, (uint8_t) (4 * rndn (r, 3)), 0 }, 3);
  put32 (g, at, here (g) - (at + 4));
  g->n_calls++;
}

/* With paging: a data page's PTE rewritten (present and writable,
 * read-only or not present, A and D as they come), then INVLPG or a CR3
 * reload, so translated code must see the new mapping. */
static void
gen_remap (Gen *g)
{
  Rng *r = g->r;
  static const uint32_t flags[] = { 0x07, 0x07, 0x05, 0x06 };
  uint32_t page = (DATA_A >> 12) + rndn (r, 8);
  uint32_t pte = page << 12 | flags[rndn (r, G_N_ELEMENTS (flags))] | (rnd (r) & 0x60);
  emit_bytes (g, (const uint8_t[]){ 0x36, 0xc7, 0x05 }, 3);
  emit32 (g, PT_BASE + 4 * page);
  emit32 (g, pte);
  if (rndn (r, 2))
    {
      emit_bytes (g, (const uint8_t[]){ 0x36, 0x0f, 0x01, 0x3d }, 4); /* invlpg [ss:a] */
      emit32 (g, page << 12 | rndn (r, 0x1000));
    }
  else
    emit_bytes (g, (const uint8_t[]){ 0x0f, 0x20, 0xd8, 0x0f, 0x22, 0xd8 }, 6);
  g->n_remaps++;
}

static void
gen_item (Gen *g)
{
  Rng *r = g->r;
  if (g->plain_only)
    {
      gen_plain (g);
      return;
    }
  unsigned p = rndn (r, 100);
  if (p < 12)
    {
      /* An ALU operation and at once a Jcc on its flags. */
      gen_alu (g);
      gen_forward_branch (g);
    }
  else if (p < 22)
    gen_forward_branch (g);
  else if (p < 28)
    gen_smc (g);
  else if (p < 31 && g->n_holes < G_N_ELEMENTS (g->holes))
    {
      /* Data inside the code: jmp over 16 bytes that stores may hit. */
      emit_bytes (g, (const uint8_t[]){ 0xeb, 16 }, 2);
      g->holes[g->n_holes++] = here (g);
      for (int k = 0; k < 16; k++)
        emit1 (g, (uint8_t) rnd (r));
    }
  else if (p < 36 && !g->in_loop && !g->in_skip)
    {
      /* DS to the small segment or back: push sel; pop ds. */
      g->ds_small = !g->ds_small;
      emit_bytes (g, (const uint8_t[]){ 0x6a, g->ds_small ? SEL_SMALL : SEL_FLAT, 0x1f }, 3);
    }
  else if (p < 44 && !g->in_loop && !g->in_skip)
    gen_loop (g);
  else if (p < 50 && g->call_depth < 2)
    gen_call (g);
  else if (p < 53 && g->paging)
    gen_remap (g);
  else
    gen_plain (g);
}

/* ---- the image: tables, handlers, data and the program ------------------ */

static void
put_desc (uint8_t *p, uint32_t base, uint32_t limit, uint16_t attr)
{
  gboolean gran = limit > 0xfffff;
  if (gran)
    limit >>= 12;
  p[0] = (uint8_t) limit;
  p[1] = (uint8_t) (limit >> 8);
  p[2] = (uint8_t) base;
  p[3] = (uint8_t) (base >> 8);
  p[4] = (uint8_t) (base >> 16);
  p[5] = (uint8_t) attr;
  p[6] = (uint8_t) (((limit >> 16) & 0xf) | ((attr >> 8) & 0xf0) | (gran ? 0x80 : 0));
  p[7] = (uint8_t) (base >> 24);
}

/* Identity paging: 4 KiB pages for the first 4 MiB, then 4 MiB pages
 * (PSE) for the rest, accessed and dirty bits as they come; a few data
 * pages not present or read-only (#PF, with CR0.WP for stores). */
static void
build_page_tables (uint8_t *ram, Rng *r)
{
  for (uint32_t i = 0; i < 1024; i++)
    {
      uint32_t pde = i == 0 ? PT_BASE | 0x07 : (i << 22) | 0x87;
      pde |= rnd (r) & (i == 0 ? 0x20 : 0x60);
      memcpy (ram + PD_BASE + 4 * i, &pde, 4);
    }
  for (uint32_t k = 0; k < 1024; k++)
    {
      uint32_t pte = k << 12 | 0x07 | (rnd (r) & 0x60);
      gboolean data = (k >= DATA_A >> 12 && k < 0x10) || k == SMALL_BASE >> 12;
      uint32_t p = rndn (r, 100);
      if (data && p < 2)
        pte &= ~1u;
      else if (data && p < 6)
        pte &= ~2u;
      memcpy (ram + PT_BASE + 4 * k, &pte, 4);
    }
}

static void
build_image (uint8_t *ram, Rng *r, Gen *g, gboolean may_page)
{
  for (uint32_t a = 0; a < RAM_SIZE; a += 4)
    {
      uint32_t v = rnd (r);
      memcpy (ram + a, &v, 4);
    }
  memset (ram + GDT_BASE, 0, 8);
  put_desc (ram + GDT_BASE + SEL_CODE, 0, 0xffffffffu, 0xc09b);
  put_desc (ram + GDT_BASE + SEL_FLAT, 0, 0xffffffffu, 0xc093);
  put_desc (ram + GDT_BASE + SEL_SMALL, SMALL_BASE, SMALL_LIMIT, 0x4093);
  for (unsigned v = 0; v < 32; v++)
    {
      gboolean err = v == 8 || (v >= 10 && v <= 14) || v == 17;
      uint32_t h = v == 1 ? HANDLER_DB : err ? HANDLER_ERR : HANDLER;
      uint8_t *p = ram + IDT_BASE + 8 * v;
      p[0] = (uint8_t) h;
      p[1] = (uint8_t) (h >> 8);
      p[2] = SEL_CODE;
      p[3] = 0;
      p[4] = 0;
      p[5] = 0x8e; /* 32-bit interrupt gate */
      p[6] = (uint8_t) (h >> 16);
      p[7] = (uint8_t) (h >> 24);
    }
  /* mov eax,[esp]; mov [ss:RESULT],eax; hlt -- and with an error code:
   * mov eax,[esp+4]; mov ecx,[esp]; mov [ss:RESULT],eax;
   * mov [ss:RESULT+4],ecx; hlt. SS, since DS may be the small one. */
  static const uint8_t h0[] = { 0x8b, 0x04, 0x24, 0x36, 0xa3, RESULT & 0xff, RESULT >> 8, 0, 0,
                                0xf4 };
  static const uint8_t h1[] = { 0x8b, 0x44, 0x24, 0x04, 0x8b, 0x0c, 0x24, 0x36, 0xa3,
                                RESULT & 0xff, RESULT >> 8, 0, 0, 0x36, 0x89, 0x0d,
                                (RESULT + 4) & 0xff, (RESULT + 4) >> 8, 0, 0, 0xf4 };
  memcpy (ram + HANDLER, h0, sizeof h0);
  memcpy (ram + HANDLER_ERR, h1, sizeof h1);
  /* #DB: push eax; mov eax,[esp+4]; xor [ss:DB_COUNT+4],eax (where it
   * trapped); add [ss:DB_COUNT+8],ebx (how far the program was); inc
   * dword [ss:DB_COUNT]; pop eax; iretd */
  static const uint8_t hdb[] = { 0x50, 0x8b, 0x44, 0x24, 0x04,
                                 0x36, 0x31, 0x05, (DB_COUNT + 4) & 0xff, DB_COUNT >> 8, 0, 0,
                                 0x36, 0x01, 0x1d, (DB_COUNT + 8) & 0xff, DB_COUNT >> 8, 0, 0,
                                 0x36, 0xff, 0x05, DB_COUNT & 0xff, DB_COUNT >> 8, 0, 0,
                                 0x58, 0xcf };
  memcpy (ram + HANDLER_DB, hdb, sizeof hdb);
  memset (ram + DB_COUNT, 0, 12);

  gboolean paging = may_page && rndn (r, 3) == 0;
  if (paging)
    build_page_tables (ram, r);

  memset (g, 0, sizeof *g);
  g->paging = paging;
  g->r = r;
  g->code = ram + CODE_BASE;
  if (rndn (r, 4) == 0)
    {
      /* Data breakpoints on two places stores go: DR0, DR1, DR7; the #DB
       * handler counts the hits and returns. */
      static const uint8_t lens[] = { 0, 1, 3 };
      uint32_t dr7 = 0;
      for (unsigned k = 0; k < 2; k++)
        {
          unsigned len = lens[rndn (r, 3)], rw = rndn (r, 2) ? 1 : 3;
          /* Not on the stack: #DB's own pushes would hit it again. */
          uint32_t at;
          do
            at = pick_target (g, 4, ACC_STORE, FALSE) & ~len;
          while (at - (STACK_TOP - 0x2000) < 0x3000);
          emit_mov_imm (g, EAX, at);
          emit_bytes (g, (const uint8_t[]){ 0x0f, 0x23, modrm (3, k, EAX) }, 3);
          dr7 |= 1u << (2 * k) | (rw | len << 2) << (16 + 4 * k);
        }
      emit_mov_imm (g, EAX, dr7);
      emit_bytes (g, (const uint8_t[]){ 0x0f, 0x23, modrm (3, 7, EAX) }, 3);
      emit_mov_imm (g, EAX, rnd_value (r));
      g->n_dbreg++;
    }
  unsigned n = 20 + rndn (r, 60);
  for (unsigned k = 0; k < n && g->len < CODE_MAX; k++)
    gen_item (g);
  emit1 (g, 0xf4);
}

/* From the CPU's reset state (TR, LDTR, CR3, CR4 as it has them). */
static void
initial_state (BwX86State *st, Rng *r, const BwX86State *reset, gboolean paging)
{
  *st = *reset;
  for (int k = 0; k < 8; k++)
    st->gpr[k] = rnd_value (r);
  st->gpr[ESP] = STACK_TOP - 8 + rndn (r, 16); /* pushes cross the page now and then */
  st->eip = CODE_BASE;
  st->eflags = 2 | (rnd (r) & (BW_X86_CF | BW_X86_PF | BW_X86_AF | BW_X86_ZF | BW_X86_SF
                               | BW_X86_OF));
  st->cr0 = BW_X86_CR0_PE | BW_X86_CR0_ET;
  if (paging)
    {
      st->cr0 |= BW_X86_CR0_PG | (rndn (r, 2) ? BW_X86_CR0_WP : 0);
      st->cr3 = PD_BASE;
      st->cr4 |= BW_X86_CR4_PSE;
    }
  for (int s = 0; s < BW_X86_N_SEGS; s++)
    st->seg[s] = (BwX86SegState){ .selector = SEL_FLAT, .base = 0, .limit = 0xffffffffu,
                                  .attr = 0xc093 };
  st->seg[BW_X86_CS] = (BwX86SegState){ .selector = SEL_CODE, .base = 0,
                                        .limit = 0xffffffffu, .attr = 0xc09b };
  st->gdtr = (BwX86TableReg){ GDT_BASE, 0x1f };
  st->idtr = (BwX86TableReg){ IDT_BASE, 32 * 8 - 1 };
}

/* ---- comparing two machines --------------------------------------------- */

typedef struct
{
  BwX86Exit exit;
  BwX86State st;
  uint64_t insns;
  int vector;
} Outcome;

static Outcome
run_machine (BwTestMachine *m, const uint8_t *image, const BwX86State *st, uint64_t budget)
{
  memcpy (m->ram, image, m->ram_size);
  bw_x86_cpu_invalidate_code (m->cpu, 0, m->ram_size);
  bw_x86_cpu_set_state (m->cpu, st);
  Outcome o;
  uint64_t before = bw_x86_cpu_get_insn_count (m->cpu);
  o.exit = bw_x86_cpu_run (m->cpu, budget);
  bw_x86_cpu_get_state (m->cpu, &o.st);
  o.insns = bw_x86_cpu_get_insn_count (m->cpu) - before;
  o.vector = bw_x86_cpu_get_last_vector (m->cpu);
  return o;
}

static uint32_t
rd32 (const BwTestMachine *m, uint32_t addr)
{
  uint32_t v;
  memcpy (&v, m->ram + addr, 4);
  return v;
}

static const char *const gpr_names[8] = { "eax", "ecx", "edx", "ebx",
                                          "esp", "ebp", "esi", "edi" };

/* NULL when a and b agree (registers, flags, segments, control registers,
 * count, last vector, RAM); else every difference, the translated side
 * first. */
static char *
compare (const char *what, const Outcome *a, const BwTestMachine *ma, const Outcome *b,
         const BwTestMachine *mb)
{
  GString *d = g_string_new (NULL);
#define DIFF(cond, ...)                                                                     \
  if (cond)                                                                                 \
    g_string_append_printf (d, __VA_ARGS__)
  DIFF (a->exit != b->exit, " exit %d/%d", b->exit, a->exit);
  for (int k = 0; k < 8; k++)
    DIFF (a->st.gpr[k] != b->st.gpr[k], " %s %08x/%08x", gpr_names[k], b->st.gpr[k],
          a->st.gpr[k]);
  DIFF (a->st.eip != b->st.eip, " eip %08x/%08x", b->st.eip, a->st.eip);
  DIFF (a->st.eflags != b->st.eflags, " eflags %08x/%08x", b->st.eflags, a->st.eflags);
  for (int s = 0; s < BW_X86_N_SEGS; s++)
    DIFF (memcmp (&a->st.seg[s], &b->st.seg[s], sizeof a->st.seg[s]) != 0,
          " segment %d %04x/%04x", s, b->st.seg[s].selector, a->st.seg[s].selector);
  DIFF (a->st.cr0 != b->st.cr0, " cr0 %08x/%08x", b->st.cr0, a->st.cr0);
  DIFF (a->st.cr2 != b->st.cr2, " cr2 %08x/%08x", b->st.cr2, a->st.cr2);
  DIFF (a->st.cr3 != b->st.cr3, " cr3 %08x/%08x", b->st.cr3, a->st.cr3);
  DIFF (a->st.cr4 != b->st.cr4, " cr4 %08x/%08x", b->st.cr4, a->st.cr4);
  DIFF (a->st.tr.selector != b->st.tr.selector, " tr %04x/%04x", b->st.tr.selector,
        a->st.tr.selector);
  DIFF (a->vector != b->vector, " last vector %d/%d", b->vector, a->vector);
  /* Faults too: both tiers count what a block ran before its fault. */
  DIFF (a->insns != b->insns,
        " %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " instructions", b->insns, a->insns);
  unsigned n_ram = 0;
  for (uint32_t k = 0; k < ma->ram_size; k++)
    if (ma->ram[k] != mb->ram[k] && n_ram++ == 0)
      g_string_append_printf (d, " RAM[%05x] %02x/%02x", k, mb->ram[k], ma->ram[k]);
  DIFF (n_ram > 1, " (%u bytes of RAM differ)", n_ram);
#undef DIFF
  if (!d->len)
    {
      g_string_free (d, TRUE);
      return NULL;
    }
  g_string_prepend (d, " (translated/interpreted):");
  g_string_prepend (d, what);
  return g_string_free (d, FALSE);
}

/* For the report: the smallest budget after which the translating machine's
 * registers differ from the interpreter's (the runs end exactly at the
 * budget, the last instructions one at a time, so the difference comes
 * from the last translated block before that point). */
static void
bisect (BwTestMachine *mo, BwTestMachine *mt, const uint8_t *image, const BwX86State *st,
        uint64_t total)
{
  for (uint64_t n = 1; n <= total + 64; n++)
    {
      BwTestMachine *ms[2] = { mo, mt };
      BwX86State out[2];
      for (int k = 0; k < 2; k++)
        {
          memcpy (ms[k]->ram, image, ms[k]->ram_size);
          bw_x86_cpu_invalidate_code (ms[k]->cpu, 0, ms[k]->ram_size);
          bw_x86_cpu_set_state (ms[k]->cpu, st);
          bw_x86_cpu_run (ms[k]->cpu, n);
          bw_x86_cpu_get_state (ms[k]->cpu, &out[k]);
        }
      if (memcmp (out[0].gpr, out[1].gpr, sizeof out[0].gpr) != 0 || out[0].eip != out[1].eip
          || out[0].eflags != out[1].eflags)
        {
          fprintf (stderr, "first difference after %" G_GUINT64_FORMAT " instructions: eip "
                   "%08x/%08x", n, out[1].eip, out[0].eip);
          for (int k = 0; k < 8; k++)
            if (out[0].gpr[k] != out[1].gpr[k])
              fprintf (stderr, " %s %08x/%08x", gpr_names[k], out[1].gpr[k], out[0].gpr[k]);
          fprintf (stderr, " eflags %08x/%08x\n", out[1].eflags, out[0].eflags);
          return;
        }
    }
}

static uint64_t
env_number (const char *name, uint64_t fallback)
{
  const char *v = g_getenv (name);
  return v && *v ? g_ascii_strtoull (v, NULL, 0) : fallback;
}

START_TEST (test_random_programs)
{
  uint64_t seed0 = env_number ("BW_JIT_SEED", 20261122);
  uint64_t iterations = env_number ("BW_JIT_ITERATIONS", 1200);
  BwX86Config off = { .jit = BW_X86_JIT_OFF }, eager = { .jit = BW_X86_JIT_EAGER },
              on = { .jit = BW_X86_JIT_ON };
  BwTestMachine *mo = bw_test_machine_new (RAM_SIZE, &off);
  BwTestMachine *me = bw_test_machine_new (RAM_SIZE, &eager);
  BwTestMachine *mn = bw_test_machine_new (RAM_SIZE, &on);
  uint8_t *image = g_malloc (RAM_SIZE);
  BwX86State reset;
  bw_x86_cpu_get_state (mo->cpu, &reset);
  unsigned n_gp = 0, n_pf = 0, n_paging = 0, n_smc = 0, n_small = 0, n_loops = 0;
  unsigned n_calls = 0, n_budget = 0, n_dbreg = 0, n_db_hits = 0, n_remaps = 0;
  uint64_t n_insns = 0;

  for (uint64_t it = 0; it < iterations; it++)
    {
      uint64_t seed = seed0 + it;
      Rng r = { seed * 0x2545f4914f6cdd1dull };
      Gen g;
      build_image (image, &r, &g, TRUE);
      BwX86State st;
      initial_state (&st, &r, &reset, g.paging);

      Outcome ro = run_machine (mo, image, &st, 2000000);
      Outcome re = run_machine (me, image, &st, 2000000);
      Outcome rn = run_machine (mn, image, &st, 2000000);
      char *diff = compare ("eager", &ro, mo, &re, me);
      if (!diff)
        diff = compare ("on", &ro, mo, &rn, mn);
      if (!diff && ro.vector < 0 && it % 4 == 0)
        {
          /* A budget ends every machine at the same instruction (chained
           * translated blocks included). */
          uint64_t budget = 1 + rndn (&r, (uint32_t) ro.insns);
          Outcome bo = run_machine (mo, image, &st, budget);
          Outcome be = run_machine (me, image, &st, budget);
          Outcome bn = run_machine (mn, image, &st, budget);
          ck_assert_uint_eq (bo.insns, budget);
          diff = compare ("eager with a budget", &bo, mo, &be, me);
          if (!diff)
            diff = compare ("on with a budget", &bo, mo, &bn, mn);
          if (diff)
            fprintf (stderr, "budget %" G_GUINT64_FORMAT "\n", budget);
          n_budget++;
        }
      if (diff)
        {
          fprintf (stderr, "program (BW_JIT_SEED=%" G_GUINT64_FORMAT " BW_JIT_ITERATIONS=1), "
                   "%u bytes at %05x:\n", seed, g.len, CODE_BASE);
          for (uint32_t k = 0; k < g.len; k++)
            fprintf (stderr, "%02x%s", image[CODE_BASE + k], k % 32 == 31 ? "\n" : " ");
          fprintf (stderr, "\ninitial:");
          for (int k = 0; k < 8; k++)
            fprintf (stderr, " %s=%08x", gpr_names[k], st.gpr[k]);
          fprintf (stderr, " eflags=%08x\n", st.eflags);
          fprintf (stderr, "interpreter: exit %d at %08x, last vector %d, %" G_GUINT64_FORMAT
                   " instructions, handler saw EIP %08x\n", ro.exit, ro.st.eip, ro.vector,
                   ro.insns, rd32 (mo, RESULT));
          if (!strstr (diff, "budget"))
            bisect (mo, strncmp (diff, "on", 2) ? me : mn, image, &st, ro.insns);
          ck_abort_msg ("seed %" G_GUINT64_FORMAT ": %s", seed, diff);
        }
      /* The reference itself must end as the programs are built to. */
      ck_assert_msg (ro.exit == BW_X86_EXIT_HLT, "seed %" G_GUINT64_FORMAT ": exit %d", seed,
                     ro.exit);
      n_gp += ro.vector == 13;
      n_pf += ro.vector == 14;
      n_paging += g.paging;
      n_smc += g.n_smc;
      n_small += g.n_small;
      n_loops += g.n_loops;
      n_calls += g.n_calls;
      n_dbreg += g.n_dbreg;
      n_remaps += g.n_remaps;
      n_db_hits += rd32 (mo, DB_COUNT);
      n_insns += ro.insns;
    }

  BwX86CacheStats se, sn;
  bw_x86_cpu_get_cache_stats (me->cpu, &se);
  bw_x86_cpu_get_cache_stats (mn->cpu, &sn);
  fprintf (stderr, "# %" G_GUINT64_FORMAT " programs, %" G_GUINT64_FORMAT
           " instructions, %u with paging (%u PTE changes), %u ended by #GP, %u by #PF, "
           "%u SMC stores, "
           "%u small-segment accesses, %u loops, %u calls, %u with data breakpoints (%u "
           "hits), %u runs to a budget; eager translated %" G_GUINT64_FORMAT " blocks (%"
           G_GUINT64_FORMAT " MiB, %" G_GUINT64_FORMAT " buffer flushes), on %"
           G_GUINT64_FORMAT "\n",
           iterations, n_insns, n_paging, n_remaps, n_gp, n_pf, n_smc, n_small, n_loops, n_calls,
           n_dbreg, n_db_hits, n_budget, se.jit_blocks, se.jit_bytes >> 20, se.jit_flushes,
           sn.jit_blocks);
  ck_assert_uint_gt (se.jit_blocks, 0);
  if (iterations >= 100)
    {
      /* The programs reach what they are made to reach. */
      ck_assert_uint_gt (sn.jit_blocks, 0);
      ck_assert_uint_gt (n_gp, 0);
      ck_assert_uint_gt (n_pf, 0);
      ck_assert_uint_gt (n_smc, 0);
      ck_assert_uint_gt (n_small, 0);
      ck_assert_uint_gt (n_db_hits, 0);
      ck_assert_uint_gt (n_remaps, 0);
      ck_assert_uint_gt (se.blocks_invalidated, 0);
    }
  g_free (image);
  bw_test_machine_free (mo);
  bw_test_machine_free (me);
  bw_test_machine_free (mn);
}
END_TEST

/* ---- fixed cases ------------------------------------------------------ */

/* Bytes placed at a physical address before a fixed case runs. */
typedef struct
{
  uint32_t at;
  const void *bytes;
  size_t len;
} Piece;

/* Runs a fixed case on a fresh machine in flat 32-bit mode (with the
 * random programs' page tables when paging): the pieces are placed after
 * the image (and the page tables) are built; execution starts at
 * CODE_BASE and must end at HLT. */
static BwTestMachine *
run_pieces (BwX86JitMode mode, gboolean paging, const Piece *pieces, unsigned n,
            BwX86State *out)
{
  BwX86Config config = { .jit = mode };
  BwTestMachine *m = bw_test_machine_new (RAM_SIZE, &config);
  Rng r = { 1 };
  Gen g;
  build_image (m->ram, &r, &g, FALSE);
  if (paging)
    build_page_tables (m->ram, &r);
  memset (m->ram + DATA_A, 0, 0x8000);
  for (unsigned k = 0; k < n; k++)
    memcpy (m->ram + pieces[k].at, pieces[k].bytes, pieces[k].len);
  BwX86State reset, st;
  bw_x86_cpu_get_state (m->cpu, &reset);
  initial_state (&st, &r, &reset, paging);
  bw_x86_cpu_set_state (m->cpu, &st);
  ck_assert_int_eq (bw_x86_cpu_run (m->cpu, 100000), BW_X86_EXIT_HLT);
  bw_x86_cpu_get_state (m->cpu, out);
  return m;
}

/* Runs code at CODE_BASE in flat 32-bit mode on a fresh machine. */
static BwTestMachine *
run_fixed (BwX86JitMode mode, const uint8_t *code, size_t len, BwX86State *out)
{
  Piece piece = { CODE_BASE, code, len };
  return run_pieces (mode, FALSE, &piece, 1, out);
}

/* A store into the immediate of a later instruction of the same block
 * takes effect in translated code, in a loop that runs it again. */
START_TEST (test_smc_same_block)
{
  static const uint8_t code[] = {
    0xb9, 0x14, 0x00, 0x00, 0x00,             /* mov ecx, 20 */
    0x31, 0xd2,                               /* l: xor edx, edx */
    0x89, 0x0d, 0x13, 0x40, 0x00, 0x00,       /* mov [4013h], ecx */
    0x42,                                     /* inc edx */
    0x8d, 0x76, 0x00,                         /* lea esi, [esi+0] */
    0x81, 0xc2, 0x00, 0x00, 0x00, 0x00,       /* add edx, imm (4013h) */
    0x01, 0xd3,                               /* add ebx, edx */
    0x49,                                     /* dec ecx */
    0x75, 0xe9,                               /* jnz l */
    0xf4,
  };
  for (int mode = BW_X86_JIT_ON; mode <= BW_X86_JIT_EAGER; mode++)
    {
      BwX86State st;
      BwTestMachine *m = run_fixed ((BwX86JitMode) mode, code, sizeof code, &st);
      /* edx = 1 + ecx each pass: the last add had ecx = 1. */
      ck_assert_uint_eq (st.gpr[EDX], 2);
      ck_assert_uint_eq (rd32 (m, CODE_BASE + 0x13), 1);
      BwX86CacheStats s;
      bw_x86_cpu_get_cache_stats (m->cpu, &s);
      ck_assert_uint_gt (s.blocks_invalidated, 0);
      if (mode == BW_X86_JIT_EAGER)
        ck_assert_uint_gt (s.jit_blocks, 0);
      bw_test_machine_free (m);
    }
}
END_TEST

/* SHL/SHR/SAR by CL at the counts where the flags change rules (0: none
 * change; 1: OF defined; 31; 32 = 0 again) on values whose top two bits
 * differ: every result and PUSHFD's flags must match the interpreter's. */
START_TEST (test_shift_by_cl_flags)
{
  static const uint8_t counts[] = { 0, 1, 2, 31, 32, 33 };
  static const uint32_t values[] = { 0x40000001u, 0x80000000u, 0xc0000001u, 1u };
  GByteArray *code = g_byte_array_new ();
  uint32_t out = 0x8000; /* where PUSHFD's image goes, through ESP */
  for (unsigned e = 4; e < 8; e++)
    for (unsigned c = 0; c < G_N_ELEMENTS (counts); c++)
      for (unsigned v = 0; v < G_N_ELEMENTS (values); v++)
        {
          uint8_t set[] = { 0xb8, 0, 0, 0, 0, 0xb1, counts[c], 0x83, 0xe0, 0xff };
          memcpy (set + 1, &values[v], 4);
          g_byte_array_append (code, set, 7);          /* mov eax, v; mov cl, n */
          /* add eax, 0: a known lazy record before the shift */
          static const uint8_t add0[] = { 0x83, 0xc0, 0x00 };
          g_byte_array_append (code, add0, sizeof add0);
          uint8_t shift[] = { 0xd3, (uint8_t) (0xc0 | (e << 3)) }; /* shl/shr/sal/sar eax, cl */
          g_byte_array_append (code, shift, sizeof shift);
          uint8_t save[] = { 0x9c, 0x5a,                   /* pushfd; pop edx */
                             0x89, 0x15, 0, 0, 0, 0,       /* mov [out], edx */
                             0x89, 0x05, 0, 0, 0, 0 };     /* mov [out + 4], eax */
          uint32_t at = out, at4 = out + 4;
          memcpy (save + 4, &at, 4);
          memcpy (save + 10, &at4, 4);
          g_byte_array_append (code, save, sizeof save);
          out += 8;
        }
  static const uint8_t hlt[] = { 0xf4 };
  g_byte_array_append (code, hlt, 1);
  BwX86State st[2];
  BwTestMachine *m[2];
  for (int k = 0; k < 2; k++)
    m[k] = run_fixed (k ? BW_X86_JIT_EAGER : BW_X86_JIT_OFF, code->data, code->len, &st[k]);
  for (uint32_t a = 0x8000; a < out; a += 4)
    ck_assert_msg (rd32 (m[0], a) == rd32 (m[1], a), "at %x: interpreted %08x, translated %08x",
                   a, rd32 (m[0], a), rd32 (m[1], a));
  BwX86CacheStats s;
  bw_x86_cpu_get_cache_stats (m[1]->cpu, &s);
  ck_assert_uint_gt (s.jit_blocks, 0);
  for (int k = 0; k < 2; k++)
    bw_test_machine_free (m[k]);
  g_byte_array_unref (code);
}
END_TEST

/* One physical code page at two linear addresses: block A (at the end
 * of the page) falls through to the next page, which is different code
 * behind each alias. A chain made for one alias must not be taken from
 * the other (the translator once chained by physical block only). */
static BwTestMachine *
run_alias (BwX86JitMode mode, BwX86State *out)
{
  /* Linear page 2Ah maps to physical 6000h (A's page), 2Bh to 2C000h. */
  static const uint32_t pte_2a = 0x6000 | 0x67, pte_2b = 0x2c000 | 0x67;
  static const uint8_t a[] = { 0x83, 0xc0, 0x01, 0x83, 0xc0, 0x02 }; /* add eax,1; add eax,2 */
  static const uint8_t b1[] = { 0x83, 0xc3, 0x01, 0xff, 0xe7 }; /* add ebx,1; jmp edi */
  static const uint8_t b2[] = { 0x83, 0xc1, 0x01, 0xff, 0xe7 }; /* add ecx,1; jmp edi */
  static const uint8_t main_code[] = {
    0x31, 0xc0, 0x31, 0xdb, 0x31, 0xc9,       /* xor eax,eax; xor ebx,ebx; xor ecx,ecx */
    0xbd, 0x14, 0x00, 0x00, 0x00,             /* mov ebp, 20 */
    /* 0x400b L: */
    0xbf, 0x1a, 0x40, 0x00, 0x00,             /* mov edi, 401ah */
    0xba, 0xfa, 0x6f, 0x00, 0x00,             /* mov edx, 6ffah (V1) */
    0xff, 0xe2,                               /* jmp edx */
    0x90, 0x90, 0x90,
    /* 0x401a: */
    0xbf, 0x29, 0x40, 0x00, 0x00,             /* mov edi, 4029h */
    0xba, 0xfa, 0xaf, 0x02, 0x00,             /* mov edx, 2affah (V2) */
    0xff, 0xe2,                               /* jmp edx */
    0x90, 0x90, 0x90,
    /* 0x4029: */
    0x4d,                                     /* dec ebp */
    0x75, 0xdf,                               /* jnz 400bh */
    0xf4,
  };
  const Piece pieces[] = {
    { PT_BASE + 4 * 0x2a, &pte_2a, 4 }, { PT_BASE + 4 * 0x2b, &pte_2b, 4 },
    { 0x6ffa, a, sizeof a }, { 0x7000, b1, sizeof b1 }, { 0x2c000, b2, sizeof b2 },
    { CODE_BASE, main_code, sizeof main_code },
  };
  return run_pieces (mode, TRUE, pieces, G_N_ELEMENTS (pieces), out);
}

START_TEST (test_code_alias_chain)
{
  static const BwX86JitMode modes[] = { BW_X86_JIT_OFF, BW_X86_JIT_EAGER, BW_X86_JIT_ON };
  for (unsigned mode = 0; mode < G_N_ELEMENTS (modes); mode++)
    {
      BwX86State st;
      BwTestMachine *m = run_alias (modes[mode], &st);
      ck_assert_uint_eq (st.gpr[EAX], 120);
      ck_assert_uint_eq (st.gpr[EBX], 20);
      ck_assert_uint_eq (st.gpr[ECX], 20);
      bw_test_machine_free (m);
    }
}
END_TEST

/* A block found again under a CS with a smaller limit: its successor
 * beyond the limit must raise #GP, not run from the cache or a chain. */
static BwTestMachine *
run_cs_limit (BwX86JitMode mode, BwX86State *out)
{
  static const uint8_t a[] = { 0x83, 0xc0, 0x01, 0x83, 0xc0, 0x02 }; /* at 6ffah */
  static const uint8_t b[] = { 0x83, 0xc3, 0x01, 0xff, 0xe7 };       /* at 7000h */
  static const uint8_t main_code[] = {
    0x31, 0xc0, 0x31, 0xdb, 0x90, 0x90, 0x90, 0x90, /* xor eax,eax; xor ebx,ebx */
    /* 4008h */ 0xbf, 0x15, 0x40, 0, 0, 0xba, 0xfa, 0x6f, 0, 0, 0xff, 0xe2, 0x90,
    /* 4015h */ 0xbf, 0x1c, 0x40, 0, 0, 0xff, 0xe2,
    /* 401ch: GDT 18h = code, base 0, limit 6fffh, 32-bit */
    0xc7, 0x05, 0x18, 0x08, 0, 0, 0xff, 0x6f, 0x00, 0x00,
    0xc7, 0x05, 0x1c, 0x08, 0, 0, 0x00, 0x9b, 0x40, 0x00,
    /* 4030h */ 0xea, 0x37, 0x40, 0, 0, 0x18, 0x00,
    /* 4037h */ 0xbf, 0x40, 0x40, 0, 0, 0xff, 0xe2, 0xf4, 0xf4,
    /* 4040h */ 0xf4,
  };
  const Piece pieces[] = {
    { 0x6ffa, a, sizeof a }, { 0x7000, b, sizeof b }, { CODE_BASE, main_code, sizeof main_code },
  };
  return run_pieces (mode, FALSE, pieces, G_N_ELEMENTS (pieces), out);
}

START_TEST (test_cs_limit_chain)
{
  static const BwX86JitMode modes[] = { BW_X86_JIT_OFF, BW_X86_JIT_EAGER };
  for (unsigned k = 0; k < G_N_ELEMENTS (modes); k++)
    {
      BwX86State st;
      BwTestMachine *m = run_cs_limit (modes[k], &st);
      /* Twice through A and B under the flat CS; then A under CS 18h,
       * whose limit ends at 6fffh: the fall-through to 7000h is #GP(0)
       * (the handler keeps the pushed EIP at RESULT). */
      ck_assert_uint_eq (st.gpr[EBX], 2);
      ck_assert_int_eq (bw_x86_cpu_get_last_vector (m->cpu), 13);
      ck_assert_uint_eq (rd32 (m, RESULT), 0x7000);
      bw_test_machine_free (m);
    }
}
END_TEST

/* A load through a DS with a small limit raises #GP(0) at the load, after
 * the inline instructions before it in the block took effect. */
START_TEST (test_small_segment_fault)
{
  static const uint8_t code[] = {
    0x6a, SEL_SMALL, 0x1f,                    /* push 18h; pop ds */
    0xbb, 0x00, 0x0f, 0x00, 0x00,             /* mov ebx, 0f00h */
    0x8b, 0x43, 0x10,                         /* mov eax, [ebx+10h]: in the limit */
    0x89, 0xc6,                               /* mov esi, eax */
    0x83, 0xc3, 0x7f,                         /* add ebx, 7fh */
    0x8b, 0x7b, 0x7e,                         /* mov edi, [ebx+7eh]: ffdh, past fffh */
    0xf4,
  };
  BwX86State st[2];
  BwTestMachine *m[2];
  for (int k = 0; k < 2; k++)
    {
      m[k] = run_fixed (k ? BW_X86_JIT_EAGER : BW_X86_JIT_OFF, code, sizeof code, &st[k]);
      ck_assert_int_eq (bw_x86_cpu_get_last_vector (m[k]->cpu), 13); /* #GP */
      ck_assert_uint_eq (rd32 (m[k], RESULT), CODE_BASE + 16); /* the pushed EIP */
      ck_assert_uint_eq (rd32 (m[k], RESULT + 4), 0);          /* the error code */
      ck_assert_uint_eq (st[k].gpr[ESI], rd32 (m[k], SMALL_BASE + 0xf10));
      ck_assert_uint_eq (st[k].gpr[EBX], 0xf7f);
      ck_assert_uint_eq (st[k].seg[BW_X86_DS].selector, SEL_SMALL);
    }
  ck_assert (memcmp (st[0].gpr, st[1].gpr, sizeof st[0].gpr) == 0);
  ck_assert_uint_eq (st[0].eflags, st[1].eflags);
  BwX86CacheStats s;
  bw_x86_cpu_get_cache_stats (m[1]->cpu, &s);
  ck_assert_uint_gt (s.jit_blocks, 0);
  bw_test_machine_free (m[0]);
  bw_test_machine_free (m[1]);
}
END_TEST

/* ---- fixed snippets: every tier against the interpreter --------------- */

/* Runs setup once, then code 20 times (a counter at DATA_A + 7ff0h, so
 * that ON translates it too: dec dword [counter]; jnz; hlt follow it) at
 * CODE_BASE in flat 32-bit mode, interpreted, eager and on, for budget
 * instructions (200000: to the HLT); NULL when everything compare() looks
 * at agrees and the interpreter ended as asked. *ran: how many it ran. */
static char *
diff_snippet (const uint8_t *code, size_t len, const uint8_t *setup, size_t setup_len,
              uint64_t budget, uint64_t *ran)
{
  GByteArray *img = g_byte_array_new ();
  g_byte_array_append (img, setup, (guint) setup_len);
  uint32_t top = CODE_BASE + img->len;
  g_byte_array_append (img, code, (guint) len);
  uint8_t tail[] = { 0xff, 0x0d, 0, 0, 0, 0, 0x0f, 0x85, 0, 0, 0, 0, 0xf4 };
  uint32_t counter = DATA_A + 0x7ff0;
  memcpy (tail + 2, &counter, 4);
  int32_t rel = (int32_t) (top - (CODE_BASE + img->len + 12));
  memcpy (tail + 8, &rel, 4);
  g_byte_array_append (img, tail, sizeof tail);
  static const BwX86JitMode modes[3] = { BW_X86_JIT_OFF, BW_X86_JIT_EAGER, BW_X86_JIT_ON };
  BwTestMachine *m[3];
  Outcome o[3];
  for (int k = 0; k < 3; k++)
    {
      BwX86Config config = { .jit = modes[k] };
      m[k] = bw_test_machine_new (RAM_SIZE, &config);
      Rng r = { 7 };
      Gen g;
      build_image (m[k]->ram, &r, &g, FALSE);
      memset (m[k]->ram + DATA_A, 0, 0x8000);
      memcpy (m[k]->ram + CODE_BASE, img->data, img->len);
      uint32_t n = 20;
      memcpy (m[k]->ram + counter, &n, 4);
      BwX86State reset;
      bw_x86_cpu_get_state (m[k]->cpu, &reset);
      initial_state (&o[k].st, &r, &reset, FALSE);
      bw_x86_cpu_set_state (m[k]->cpu, &o[k].st);
      o[k].exit = bw_x86_cpu_run (m[k]->cpu, budget);
      bw_x86_cpu_get_state (m[k]->cpu, &o[k].st);
      o[k].insns = bw_x86_cpu_get_insn_count (m[k]->cpu);
      o[k].vector = bw_x86_cpu_get_last_vector (m[k]->cpu);
    }
  char *d = compare ("eager", &o[0], m[0], &o[1], m[1]);
  if (!d)
    d = compare ("on", &o[0], m[0], &o[2], m[2]);
  if (!d && o[0].exit != (budget < 200000 ? BW_X86_EXIT_BUDGET : BW_X86_EXIT_HLT))
    d = g_strdup_printf ("interpreter: exit %d at %08x", o[0].exit, o[0].st.eip);
  *ran = o[0].insns;
  for (int k = 0; k < 3; k++)
    bw_test_machine_free (m[k]);
  g_byte_array_unref (img);
  return d;
}

/* Hand-made sequences at the translator's edges: register aliasing, the
 * lazy-flag states each inline form leaves for the next (CF parked by
 * INC/DEC, ADC/SBB after shifts, logic, IMUL), 16-bit operand sizes,
 * segment loads inside a block, accesses across pages, data breakpoints,
 * stores into the running block by PUSH and CALL, and branches with a CS
 * that has a limit or a 16-bit stack (the handlers' paths). */
START_TEST (test_snippets)
{
  /* adc ebx,ebx after inc; sbb after dec; adc after shl, xor, cmp, imul,
   * sar; pushfd; pop [8100h] */
  static const uint8_t adc_sbb[] = { 0x40, 0x11, 0xdb, 0x49, 0x19, 0xd2, 0xc1, 0xe6, 0x03,
                                     0x11, 0xf7, 0x83, 0xf0, 0x05, 0x19, 0xc0, 0x39, 0xcb,
                                     0x11, 0xc9, 0x0f, 0xaf, 0xc3, 0x83, 0xd3, 0x01, 0xd1,
                                     0xfa, 0x83, 0xde, 0x07, 0x9c, 0x8f, 0x05, 0x00, 0x81,
                                     0, 0 };
  /* add eax,7fffffffh; inc ecx; jbe; jo; dec esi; jl; ja; jb */
  static const uint8_t inc_cond[] = { 0x05, 0xff, 0xff, 0xff, 0x7f, 0x41, 0x76, 0x01, 0x43,
                                      0x70, 0x01, 0x42, 0x4e, 0x7c, 0x01, 0x47, 0x77, 0x01,
                                      0x45, 0x72, 0x01, 0x46 };
  /* shifts by CL of 32 and 33 after a known record, of ECX itself */
  static const uint8_t shift_cl[] = { 0x01, 0xd8, 0xb9, 0x20, 0, 0, 0, 0xd3, 0xe0, 0x72, 0x01,
                                      0x43, 0x83, 0xd2, 0x00, 0xb9, 0x21, 0, 0, 0, 0xd3, 0xe9,
                                      0x19, 0xf6, 0xd3, 0xe1, 0x74, 0x01, 0x47, 0x89, 0xd9,
                                      0xd3, 0xf9, 0x19, 0xc0 };
  /* push esp; pop eax; sub eax,esp; push esp; pop esp; mov ebx,esp;
   * push ebx; pop esp; add esi,eax */
  static const uint8_t stack_esp[] = { 0x54, 0x58, 0x29, 0xe0, 0x54, 0x5c, 0x89, 0xe3, 0x53,
                                       0x5c, 0x01, 0xc6 };
  /* push 18h; pop ds; loads, stores, inc through the small DS; back */
  static const uint8_t pop_ds[] = { 0x6a, 0x18, 0x1f, 0x8b, 0x05, 0x00, 0x01, 0, 0, 0x89,
                                    0x05, 0x04, 0x01, 0, 0, 0xff, 0x05, 0x08, 0x01, 0, 0,
                                    0x6a, 0x10, 0x1f, 0x8b, 0x1d, 0x00, 0x01, 0, 0, 0x03,
                                    0x1d, 0x00, 0x81, 0, 0 };
  /* les eax,[8100h] (18h:0); es: load and store; push ds; pop es; es: load */
  static const uint8_t les_setup[] = { 0xc7, 0x05, 0x00, 0x81, 0, 0, 0, 0, 0, 0,
                                       0xc7, 0x05, 0x04, 0x81, 0, 0, 0x18, 0, 0, 0 };
  static const uint8_t les[] = { 0xc4, 0x05, 0x00, 0x81, 0, 0, 0x26, 0x8b, 0x1d, 0x00, 0x01,
                                 0, 0, 0x26, 0x89, 0x0d, 0x10, 0x01, 0, 0, 0x1e, 0x07, 0x26,
                                 0x8b, 0x15, 0x00, 0x81, 0, 0 };
  /* 16-bit ALU, shifts, moves, INC/DEC, ADC, IMUL, PUSH/POP, Jcc after */
  static const uint8_t o16[] = { 0x66, 0x01, 0xd8, 0x66, 0xc1, 0xe0, 0x03, 0x66, 0xd1, 0xe8,
                                 0x73, 0x01, 0x43, 0x66, 0xd1, 0xf8, 0x66, 0x89, 0xd8, 0x66,
                                 0x89, 0x1d, 0x00, 0x81, 0, 0, 0x66, 0x8b, 0x0d, 0x02, 0x81,
                                 0, 0, 0x66, 0x40, 0x66, 0x05, 0xff, 0x7f, 0x66, 0x83, 0xd0,
                                 0x01, 0x66, 0x0f, 0xaf, 0xc3, 0x66, 0x6b, 0xc0, 0x07, 0x66,
                                 0x50, 0x66, 0x58, 0x66, 0xd1, 0xe0, 0x73, 0x01, 0x43, 0x7c,
                                 0x01, 0x42, 0x66, 0x48, 0x70, 0x01, 0x46 };
  /* branches to the next instruction: jz, jnz rel32, jmp, jecxz, o16 jz */
  static const uint8_t to_next[] = { 0x74, 0x00, 0x0f, 0x85, 0, 0, 0, 0, 0xeb, 0x00, 0x40,
                                     0xe3, 0x00, 0x66, 0x0f, 0x84, 0x00, 0x00, 0x43 };
  /* IMUL overflowing and not, imm8 -128, then jo, jc, jnp, adc */
  static const uint8_t imul[] = { 0xb8, 0, 0, 1, 0, 0x0f, 0xaf, 0xc0, 0x70, 0x01, 0x43, 0x69,
                                  0xd9, 0xff, 0xff, 0xff, 0x7f, 0x72, 0x01, 0x42, 0x6b, 0xc0,
                                  0x80, 0x0f, 0xaf, 0xc9, 0x7b, 0x01, 0x46, 0x83, 0xd7, 0x00 };
  /* the address register as destination: mov eax,[eax]; add eax,[eax-8];
   * cmp [eax-8308h],eax */
  static const uint8_t alias_mem[] = { 0xc7, 0x05, 0x00, 0x83, 0, 0, 0x08, 0x83, 0, 0, 0xb8,
                                       0x00, 0x83, 0, 0, 0x8b, 0x00, 0x03, 0x40, 0xf8, 0x39,
                                       0x80, 0xf8, 0x7c, 0xff, 0xff, 0x7c, 0x01, 0x43 };
  /* 4-, 2- and 1-byte accesses at 8ffdh-8fffh: across a page */
  static const uint8_t cross[] = { 0x89, 0x1d, 0xfe, 0x8f, 0, 0, 0xff, 0x05, 0xfd, 0x8f, 0, 0,
                                   0x0f, 0xb7, 0x0d, 0xff, 0x8f, 0, 0, 0x88, 0x3d, 0xff, 0x8f,
                                   0, 0, 0x66, 0x89, 0x15, 0xff, 0x8f, 0, 0 };
  /* LEA with ESP, EBP, an index alone, an absolute address, [esi+esi-1] */
  static const uint8_t lea[] = { 0x8d, 0x04, 0x24, 0x8d, 0x44, 0x8d, 0x10, 0x8d, 0x1c, 0x8d,
                                 0, 0, 0, 0, 0x8d, 0x15, 0x78, 0x56, 0x34, 0x12, 0x8d, 0x34,
                                 0x0c, 0x8d, 0x7c, 0x36, 0xff, 0x8d, 0x0c, 0x49 };
  /* AH/BH/CH/DH moves between registers, memory and immediates, MOVZX */
  static const uint8_t r8[] = { 0x88, 0xe0, 0x88, 0xc4, 0x8a, 0x25, 0x00, 0x81, 0, 0, 0x88,
                                0x3d, 0x01, 0x81, 0, 0, 0xb4, 0x7f, 0xb7, 0x80, 0x0f, 0xb6,
                                0x05, 0x01, 0x81, 0, 0, 0x0f, 0xb7, 0x0d, 0x00, 0x81, 0, 0,
                                0x88, 0xf6, 0x8a, 0xd4, 0x88, 0x2d, 0x03, 0x81, 0, 0 };
  /* NOT, INC, DEC, ADD, XOR, CMP, MOV on m32 with jc, jl, adc, sbb after */
  static const uint8_t rmw[] = { 0xf7, 0x15, 0x00, 0x81, 0, 0, 0xff, 0x05, 0x00, 0x81, 0, 0,
                                 0x72, 0x01, 0x43, 0xff, 0x0d, 0x04, 0x81, 0, 0, 0x83, 0x05,
                                 0x08, 0x81, 0, 0, 0x80, 0x31, 0x1d, 0x0c, 0x81, 0, 0, 0x83,
                                 0x3d, 0x08, 0x81, 0, 0, 0x05, 0x7c, 0x01, 0x42, 0xc7, 0x05,
                                 0x10, 0x81, 0, 0, 0x44, 0x33, 0x22, 0x11, 0x11, 0xc0, 0xff,
                                 0x05, 0x14, 0x81, 0, 0, 0x19, 0xc9 };
  /* DR0 = 8200h, 4 bytes, read/write: a load, a 16-bit store and an INC
   * of the next dword in one block (each hit ends it) */
  static const uint8_t dbr_setup[] = { 0xb8, 0x00, 0x82, 0, 0, 0x0f, 0x23, 0xc0, 0xb8, 0x01,
                                       0x00, 0x0f, 0x00, 0x0f, 0x23, 0xf8 };
  static const uint8_t dbr[] = { 0x8b, 0x1d, 0x00, 0x82, 0, 0, 0x43, 0x01, 0xda, 0x66, 0x89,
                                 0x05, 0x02, 0x82, 0, 0, 0x40, 0xff, 0x05, 0x04, 0x82, 0, 0,
                                 0x41 };
  /* FS flat from base 1000h (descriptor 18h rewritten), an offset that
   * wraps, a CS override, a GS load */
  static const uint8_t fs_setup[] = { 0xc7, 0x05, 0x18, 0x08, 0, 0, 0xff, 0xff, 0x00, 0x10,
                                      0xc7, 0x05, 0x1c, 0x08, 0, 0, 0x00, 0x93, 0xcf, 0x00,
                                      0x6a, 0x18, 0x0f, 0xa1 };
  static const uint8_t fs[] = { 0x64, 0x8b, 0x05, 0x00, 0x70, 0, 0, 0x64, 0x89, 0x1d, 0x08,
                                0x70, 0, 0, 0x64, 0xff, 0x05, 0x0c, 0x70, 0, 0, 0x64, 0x8b,
                                0x0d, 0xfc, 0xff, 0xff, 0xff, 0x2e, 0x8b, 0x15, 0x00, 0x40,
                                0, 0, 0x65, 0x8b, 0x35, 0x00, 0x81, 0, 0 };
  /* ESP into the code: push eax writes the counter over the immediate of
   * the next instruction (add ecx, imm32) of the same block */
  static const uint8_t smc_push[] = { 0x89, 0x25, 0x00, 0x8f, 0, 0, 0xbc, 0x18, 0x40, 0, 0,
                                      0x8b, 0x05, 0xf0, 0xff, 0, 0, 0x50, 0x81, 0xc1, 0, 0, 0,
                                      0, 0x8b, 0x25, 0x00, 0x8f, 0, 0 };
  /* CALL pushes its return address over the immediate after it */
  static const uint8_t smc_call[] = { 0x89, 0x25, 0x00, 0x8f, 0, 0, 0xbc, 0x16, 0x40, 0, 0,
                                      0xe8, 0x0e, 0, 0, 0, 0x81, 0xc2, 0, 0, 0, 0, 0x8b, 0x25,
                                      0x00, 0x8f, 0, 0, 0xeb, 0x01, 0xc3 };
  /* push; call; ret 4; Jcc and JMP to the next instruction; push/pop */
  static const uint8_t branches[] = { 0x50, 0xe8, 0x02, 0, 0, 0, 0xeb, 0x03, 0xc2, 0x04, 0x00,
                                      0x43, 0x74, 0x00, 0x0f, 0x85, 0, 0, 0, 0, 0xeb, 0x00,
                                      0x40, 0x50, 0x5b, 0x54, 0x5e, 0x39, 0xc8, 0x7f, 0x01,
                                      0x42 };
  /* CS 18h: base 0, limit ffffh (not flat), by jmp far */
  static const uint8_t cs_setup[] = { 0xc7, 0x05, 0x18, 0x08, 0, 0, 0xff, 0xff, 0x00, 0x00,
                                      0xc7, 0x05, 0x1c, 0x08, 0, 0, 0x00, 0x9b, 0x40, 0x00,
                                      0xea, 0x1b, 0x40, 0, 0, 0x18, 0x00 };
  /* SS 18h: a 16-bit stack (B clear), SP 9000h */
  static const uint8_t ss16_setup[] = { 0xc7, 0x05, 0x18, 0x08, 0, 0, 0xff, 0xff, 0x00, 0x00,
                                        0xc7, 0x05, 0x1c, 0x08, 0, 0, 0x00, 0x93, 0x00, 0x00,
                                        0x6a, 0x18, 0x17, 0xbc, 0x00, 0x90, 0, 0 };
  static const uint8_t tf[] = { 0x9c, 0x81, 0x0c, 0x24, 0x00, 0x01, 0, 0, 0x9d, 0x40, 0x43, 0x01, 0xd8, 0x74, 0x01, 0x42, 0x9c, 0x81, 0x24, 0x24, 0xff, 0xfe, 0xff, 0xff, 0x9d, 0x41 };
  static const uint8_t cli_sti[] = { 0xfa, 0x40, 0x43, 0xfb, 0x41, 0x90 };
#define SNIP(code, setup, setup_len) { #code, code, sizeof code, setup, setup_len }
  static const struct
  {
    const char *name;
    const uint8_t *code;
    size_t len;
    const uint8_t *setup;
    size_t setup_len;
  } snips[] = {
    SNIP (adc_sbb, NULL, 0),     SNIP (inc_cond, NULL, 0),   SNIP (shift_cl, NULL, 0),
    SNIP (stack_esp, NULL, 0),   SNIP (pop_ds, NULL, 0),     SNIP (o16, NULL, 0),
    SNIP (to_next, NULL, 0),     SNIP (imul, NULL, 0),       SNIP (alias_mem, NULL, 0),
    SNIP (cross, NULL, 0),       SNIP (lea, NULL, 0),        SNIP (r8, NULL, 0),
    SNIP (rmw, NULL, 0),         SNIP (smc_push, NULL, 0),   SNIP (smc_call, NULL, 0),
    SNIP (branches, NULL, 0), SNIP (tf, NULL, 0), SNIP (cli_sti, NULL, 0),
    SNIP (les, les_setup, sizeof les_setup),
    SNIP (dbr, dbr_setup, sizeof dbr_setup),
    SNIP (fs, fs_setup, sizeof fs_setup),
    { "branches with CS limited", branches, sizeof branches, cs_setup, sizeof cs_setup },
    { "branches on a 16-bit stack", branches, sizeof branches, ss16_setup, sizeof ss16_setup },
  };
#undef SNIP
  for (unsigned k = 0; k < G_N_ELEMENTS (snips); k++)
    {
      uint64_t total, ran;
      char *d = diff_snippet (snips[k].code, snips[k].len, snips[k].setup, snips[k].setup_len,
                              200000, &total);
      ck_assert_msg (d == NULL, "%s: %s", snips[k].name, d);
      /* And stopped by budgets inside the loop (chained blocks included). */
      for (uint64_t b = 7; b < total; b += total / 5 + 1)
        {
          d = diff_snippet (snips[k].code, snips[k].len, snips[k].setup, snips[k].setup_len, b,
                            &ran);
          ck_assert_msg (d == NULL, "%s with a budget of %" G_GUINT64_FORMAT ": %s",
                         snips[k].name, b, d);
          ck_assert_uint_eq (ran, b);
        }
    }
}
END_TEST

/* ---- the nasm guests: translated against interpreted ------------------ */

static const char *const guests[] = {
  "pmode.bin", "pae.bin", "tasks.bin", "usersys.bin", "v86.bin", "sse.bin",
  "vme.bin", "pvi.bin", "iopb.bin", "dbreg.bin", "align.bin",
};

START_TEST (test_guests)
{
  const char *name = guests[_i];
  BwX86Config off = { .jit = BW_X86_JIT_OFF, .has_fpu = TRUE },
              eager = { .jit = BW_X86_JIT_EAGER, .has_fpu = TRUE };
  BwTestMachine *mo = bw_test_machine_new (16u << 20, &off);
  BwTestMachine *me = bw_test_machine_new (16u << 20, &eager);
  Outcome a = { .exit = BW_X86_EXIT_HLT }, b = { .exit = BW_X86_EXIT_HLT };
  a.st = bw_test_machine_run_guest (mo, name, 0x7c00);
  b.st = bw_test_machine_run_guest (me, name, 0x7c00);
  a.insns = bw_x86_cpu_get_insn_count (mo->cpu);
  b.insns = bw_x86_cpu_get_insn_count (me->cpu);
  a.vector = bw_x86_cpu_get_last_vector (mo->cpu);
  b.vector = bw_x86_cpu_get_last_vector (me->cpu);
  char *diff = compare (name, &a, mo, &b, me);
  ck_assert_msg (diff == NULL, "%s", diff);
  BwX86CacheStats s;
  bw_x86_cpu_get_cache_stats (me->cpu, &s);
  ck_assert_msg (s.jit_blocks > 0, "%s: nothing translated", name);
  bw_test_machine_free (mo);
  bw_test_machine_free (me);
}
END_TEST

static Suite *
jit_suite (void)
{
  Suite *s = suite_create ("x86-jit");
  TCase *tc = tcase_create ("fixed");
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_smc_same_block);
  tcase_add_test (tc, test_small_segment_fault);
  tcase_add_test (tc, test_shift_by_cl_flags);
  tcase_add_test (tc, test_code_alias_chain);
  tcase_add_test (tc, test_cs_limit_chain);
  tcase_add_test (tc, test_snippets);
  suite_add_tcase (s, tc);
  tc = tcase_create ("random");
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_random_programs);
  suite_add_tcase (s, tc);
  tc = tcase_create ("guests");
  tcase_set_timeout (tc, 30);
  tcase_add_loop_test (tc, test_guests, 0, G_N_ELEMENTS (guests));
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (jit_suite ());
}
