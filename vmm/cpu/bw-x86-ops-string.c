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
        }                                                                                   \
      return; /* come back for more */                                                      \
    done:                                                                                   \
      cpu->eip = bw_x86_next_eip (cpu, i);                                                  \
    }                                                                                       \
  while (0)

BW_X86_OP (movs)
{
  StrCtx c = ctx (cpu, i);
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
