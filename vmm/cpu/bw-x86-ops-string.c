/* bw-x86-ops-string.c: MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS, with and
 * without REP prefixes.
 *
 * A repeated instruction runs a bounded number of iterations per visit and
 * then leaves EIP on itself, so interrupts are taken between iterations
 * as on real hardware; registers are updated after every iteration, so a
 * fault in the middle restarts cleanly.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"

/* Iterations per visit before looking for interrupts. */
#define CHUNK 4096

void bw_x86_io_check (BwX86Cpu *cpu, uint16_t port, unsigned size);

typedef struct
{
  uint32_t amask;   /* address-size mask of SI/DI/CX */
  int32_t step;     /* +size or -size */
  unsigned n;       /* operand bytes */
  gboolean rep;
} StrCtx;

static inline StrCtx
ctx (BwX86Cpu *cpu, const BwX86Insn *i)
{
  StrCtx c;
  c.amask = (i->flags & BW_X86_I_A32) ? 0xffffffffu : 0xffffu;
  c.n = bw_x86_bytes (i->osz);
  c.step = (cpu->eflags & BW_X86_DF) ? -(int32_t) c.n : (int32_t) c.n;
  c.rep = (i->flags & (BW_X86_I_REP | BW_X86_I_REPNE)) != 0;
  return c;
}

static inline uint32_t
reg_a (BwX86Cpu *cpu, int r, const StrCtx *c)
{
  return cpu->gpr[r] & c->amask;
}

static inline void
advance (BwX86Cpu *cpu, int r, const StrCtx *c)
{
  cpu->gpr[r] = (cpu->gpr[r] & ~c->amask) | ((cpu->gpr[r] + c->step) & c->amask);
}

/* Before an iteration: FALSE when a REP count is exhausted. */
static inline gboolean
rep_more (BwX86Cpu *cpu, const StrCtx *c)
{
  return !c->rep || (cpu->gpr[BW_X86_ECX] & c->amask) != 0;
}

static inline void
rep_dec (BwX86Cpu *cpu, const StrCtx *c)
{
  if (c->rep)
    cpu->gpr[BW_X86_ECX] = (cpu->gpr[BW_X86_ECX] & ~c->amask)
                           | ((cpu->gpr[BW_X86_ECX] - 1) & c->amask);
}

/* Runs body up to CHUNK times; sets EIP past the instruction when done. */
#define STRING_LOOP(cpu, i, c, body, stop_cond)                                             \
  do                                                                                        \
    {                                                                                       \
      for (unsigned k_ = 0; k_ < CHUNK; k_++)                                               \
        {                                                                                   \
          if (!rep_more (cpu, &c))                                                          \
            goto done;                                                                      \
          body;                                                                             \
          rep_dec (cpu, &c);                                                                \
          if (!c.rep || (stop_cond))                                                        \
            goto done;                                                                      \
          if (BW_X86_UNLIKELY (cpu->db_trap))                                               \
            {                                                                               \
              /* A breakpoint's trap comes after this iteration. */                         \
              if (rep_more (cpu, &c))                                                       \
                return;                                                                     \
              goto done;                                                                    \
            }                                                                               \
        }                                                                                   \
      return; /* come back for more */                                                      \
    done:                                                                                   \
      cpu->eip = bw_x86_next_eip (cpu, i);                                                  \
    }                                                                                       \
  while (0)

/* The fast path of REP MOVS/STOS going up: the longest run of elements
 * from seg:off that lies in one TLB-mapped page, within the segment's
 * limit and the address size. NULL when the next element needs the slow
 * path (TLB miss, MMIO, code page, limit). */
static uint8_t *
span (BwX86Cpu *cpu, int seg, uint32_t off, const StrCtx *c, gboolean write, uint32_t *elems)
{
  const BwX86Seg *s = &cpu->seg[seg];
  if (off < s->lo || off > s->hi || !(s->rights & (write ? BW_X86_ACC_W : BW_X86_ACC_R)))
    return NULL;
  uint32_t lin = s->s.base + off;
  BwX86TlbEntry *e = &cpu->tlb[(lin >> 12) & (BW_X86_TLB_SIZE - 1)];
  if ((write ? e->tag_w : e->tag_r) != (lin & ~0xfffu))
    return NULL;
  uint64_t room = MIN ((uint64_t) s->hi - off + 1, (uint64_t) c->amask - off + 1);
  room = MIN (room, 4096 - (lin & 0xfff));
  *elems = (uint32_t) (room / c->n);
  return *elems ? e->host + (lin & 0xfff) : NULL;
}

static inline void
advance_by (BwX86Cpu *cpu, int r, const StrCtx *c, uint32_t k)
{
  cpu->gpr[r] = (cpu->gpr[r] & ~c->amask) | ((cpu->gpr[r] + k * c->n) & c->amask);
  cpu->gpr[BW_X86_ECX] = (cpu->gpr[BW_X86_ECX] & ~c->amask)
                         | ((cpu->gpr[BW_X86_ECX] - k) & c->amask);
}

/* Runs as many elements of REP STOS (dst only) or REP MOVS as whole-page
 * host runs allow; returns how many. */
static uint32_t
fast_rep (BwX86Cpu *cpu, const BwX86Insn *i, const StrCtx *c, gboolean movs, uint32_t budget)
{
  uint32_t done = 0;
  uint32_t v = bw_x86_reg_get (cpu, BW_X86_EAX, i->osz);
  while (done < budget)
    {
      uint32_t count = cpu->gpr[BW_X86_ECX] & c->amask;
      if (count == 0)
        break;
      uint32_t kd, ks = UINT32_MAX;
      uint8_t *d = span (cpu, BW_X86_ES, cpu->gpr[BW_X86_EDI] & c->amask, c, TRUE, &kd);
      if (!d)
        break;
      const uint8_t *src = NULL;
      if (movs)
        {
          src = span (cpu, i->seg, cpu->gpr[BW_X86_ESI] & c->amask, c, FALSE, &ks);
          if (!src)
            break;
        }
      uint32_t k = MIN (MIN (count, kd), MIN (ks, budget - done));
      size_t bytes = (size_t) k * c->n;
      if (movs)
        {
          if (d > src && d < src + bytes)
            /* Forward overlap: element by element, as the CPU does. */
            for (size_t b = 0; b < bytes; b += c->n)
              memcpy (d + b, src + b, c->n);
          else
            memmove (d, src, bytes);
          cpu->gpr[BW_X86_ESI] = (cpu->gpr[BW_X86_ESI] & ~c->amask)
                                 | ((cpu->gpr[BW_X86_ESI] + bytes) & c->amask);
        }
      else if (c->n == 1)
        memset (d, (int) (v & 0xff), bytes);
      else
        for (size_t b = 0; b < bytes; b += c->n)
          {
            uint32_t le = GUINT32_TO_LE (v);
            memcpy (d + b, &le, c->n);
          }
      advance_by (cpu, BW_X86_EDI, c, k);
      done += k;
    }
  return done;
}

BW_X86_OP (movs)
{
  StrCtx c = ctx (cpu, i);
  if (c.rep && c.step > 0)
    {
      /* Host-memory runs, one slow element where a run cannot start
       * (it fills the TLB or takes the fault). */
      for (unsigned round = 0; round < 64; round++)
        {
          fast_rep (cpu, i, &c, TRUE, 1u << 20);
          if (!rep_more (cpu, &c))
            break;
          uint32_t v = bw_x86_read (cpu, i->seg, reg_a (cpu, BW_X86_ESI, &c), c.n);
          bw_x86_write (cpu, BW_X86_ES, reg_a (cpu, BW_X86_EDI, &c), c.n, v);
          advance (cpu, BW_X86_ESI, &c);
          advance (cpu, BW_X86_EDI, &c);
          rep_dec (cpu, &c);
          if (!rep_more (cpu, &c) || cpu->db_trap)
            break; /* done, or a breakpoint's trap after this element */
        }
      if (!rep_more (cpu, &c))
        cpu->eip = bw_x86_next_eip (cpu, i);
      return;
    }
  STRING_LOOP (cpu, i, c,
               {
                 uint32_t v = bw_x86_read (cpu, i->seg, reg_a (cpu, BW_X86_ESI, &c), c.n);
                 bw_x86_write (cpu, BW_X86_ES, reg_a (cpu, BW_X86_EDI, &c), c.n, v);
                 advance (cpu, BW_X86_ESI, &c);
                 advance (cpu, BW_X86_EDI, &c);
               },
               FALSE);
}

BW_X86_OP (stos)
{
  StrCtx c = ctx (cpu, i);
  uint32_t v = bw_x86_reg_get (cpu, BW_X86_EAX, i->osz);
  if (c.rep && c.step > 0)
    {
      for (unsigned round = 0; round < 64; round++)
        {
          fast_rep (cpu, i, &c, FALSE, 1u << 20);
          if (!rep_more (cpu, &c))
            break;
          bw_x86_write (cpu, BW_X86_ES, reg_a (cpu, BW_X86_EDI, &c), c.n, v);
          advance (cpu, BW_X86_EDI, &c);
          rep_dec (cpu, &c);
          if (!rep_more (cpu, &c) || cpu->db_trap)
            break; /* done, or a breakpoint's trap after this element */
        }
      if (!rep_more (cpu, &c))
        cpu->eip = bw_x86_next_eip (cpu, i);
      return;
    }
  STRING_LOOP (cpu, i, c,
               {
                 bw_x86_write (cpu, BW_X86_ES, reg_a (cpu, BW_X86_EDI, &c), c.n, v);
                 advance (cpu, BW_X86_EDI, &c);
               },
               FALSE);
}

BW_X86_OP (lods)
{
  StrCtx c = ctx (cpu, i);
  STRING_LOOP (cpu, i, c,
               {
                 uint32_t v = bw_x86_read (cpu, i->seg, reg_a (cpu, BW_X86_ESI, &c), c.n);
                 bw_x86_reg_set (cpu, BW_X86_EAX, i->osz, v);
                 advance (cpu, BW_X86_ESI, &c);
               },
               FALSE);
}

/* CMPS/SCAS: REPE stops on a difference, REPNE on equality. */
static inline gboolean
cmp_stop (BwX86Cpu *cpu, const BwX86Insn *i)
{
  gboolean zf = bw_x86_cond (cpu, 4);
  return (i->flags & BW_X86_I_REPNE) ? zf : !zf;
}

static inline void
compare (BwX86Cpu *cpu, int osz, uint32_t a, uint32_t b)
{
  uint32_t m = bw_x86_size_mask (osz);
  a &= m;
  b &= m;
  bw_x86_set_lazy (cpu, BW_X86_LF_SUB + osz, a, b, (a - b) & m);
}

BW_X86_OP (cmps)
{
  StrCtx c = ctx (cpu, i);
  STRING_LOOP (cpu, i, c,
               {
                 uint32_t a = bw_x86_read (cpu, i->seg, reg_a (cpu, BW_X86_ESI, &c), c.n);
                 uint32_t b = bw_x86_read (cpu, BW_X86_ES, reg_a (cpu, BW_X86_EDI, &c), c.n);
                 compare (cpu, i->osz, a, b);
                 advance (cpu, BW_X86_ESI, &c);
                 advance (cpu, BW_X86_EDI, &c);
               },
               cmp_stop (cpu, i));
}

BW_X86_OP (scas)
{
  StrCtx c = ctx (cpu, i);
  uint32_t a = bw_x86_reg_get (cpu, BW_X86_EAX, i->osz);
  STRING_LOOP (cpu, i, c,
               {
                 uint32_t b = bw_x86_read (cpu, BW_X86_ES, reg_a (cpu, BW_X86_EDI, &c), c.n);
                 compare (cpu, i->osz, a, b);
                 advance (cpu, BW_X86_EDI, &c);
               },
               cmp_stop (cpu, i));
}

BW_X86_OP (ins)
{
  StrCtx c = ctx (cpu, i);
  uint16_t port = (uint16_t) cpu->gpr[BW_X86_EDX];
  bw_x86_io_check (cpu, port, c.n);
  STRING_LOOP (cpu, i, c,
               {
                 /* The destination is checked before the port is read. */
                 uint32_t off = reg_a (cpu, BW_X86_EDI, &c);
                 bw_x86_seg_lin (cpu, BW_X86_ES, off, c.n, BW_X86_ACC_W);
                 uint32_t v = cpu->bus.port_in (cpu->bus.opaque, port, c.n);
                 bw_x86_write (cpu, BW_X86_ES, off, c.n, v);
                 advance (cpu, BW_X86_EDI, &c);
               },
               FALSE);
}

BW_X86_OP (outs)
{
  StrCtx c = ctx (cpu, i);
  uint16_t port = (uint16_t) cpu->gpr[BW_X86_EDX];
  bw_x86_io_check (cpu, port, c.n);
  STRING_LOOP (cpu, i, c,
               {
                 uint32_t v = bw_x86_read (cpu, i->seg, reg_a (cpu, BW_X86_ESI, &c), c.n);
                 cpu->bus.port_out (cpu->bus.opaque, port, c.n, v);
                 advance (cpu, BW_X86_ESI, &c);
               },
               FALSE);
}
