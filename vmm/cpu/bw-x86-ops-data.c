/* bw-x86-ops-data.c: data movement: MOV in its forms, XCHG, LEA, the
 * stack (PUSH, POP, PUSHA, POPA, PUSHF, POPF, ENTER, LEAVE), segment
 * loads (MOV sreg, LDS..LGS), conversions (CBW, CWD, MOVZX, MOVSX),
 * XLAT, LAHF/SAHF, SETcc, CMOVcc, BSWAP.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"

static inline unsigned
vsize (const BwX86Insn *i)
{
  return (i->flags & BW_X86_I_O32) ? 4 : 2;
}

BW_X86_OP (nop)
{
}

#define MOV_SIZED(OSZ)                                                                      \
  static void mov_rm_r_##OSZ (BwX86Cpu *cpu, const BwX86Insn *i)                            \
  {                                                                                         \
    bw_x86_rm_set (cpu, i, OSZ, bw_x86_reg_get (cpu, i->reg, OSZ));                         \
  }                                                                                         \
  static void mov_r_rm_##OSZ (BwX86Cpu *cpu, const BwX86Insn *i)                            \
  {                                                                                         \
    bw_x86_reg_set (cpu, i->reg, OSZ, bw_x86_rm_get (cpu, i, OSZ));                         \
  }
#define STACK_SIZED(OSZ)                                                                    \
  static void push_r_##OSZ (BwX86Cpu *cpu, const BwX86Insn *i)                              \
  {                                                                                         \
    bw_x86_push (cpu, 1u << OSZ, cpu->gpr[i->reg]);                                         \
  }                                                                                         \
  static void pop_r_##OSZ (BwX86Cpu *cpu, const BwX86Insn *i)                               \
  {                                                                                         \
    uint32_t v_ = bw_x86_pop (cpu, 1u << OSZ);                                              \
    bw_x86_reg_set (cpu, i->reg, OSZ, v_);                                                  \
  }
MOV_SIZED (0)
MOV_SIZED (1)
MOV_SIZED (2)
STACK_SIZED (1)
STACK_SIZED (2)
const BwX86Op bw_x86_mov_rm_r_sized[3] = { mov_rm_r_0, mov_rm_r_1, mov_rm_r_2 };
const BwX86Op bw_x86_mov_r_rm_sized[3] = { mov_r_rm_0, mov_r_rm_1, mov_r_rm_2 };
const BwX86Op bw_x86_push_r_sized[3] = { NULL, push_r_1, push_r_2 };
const BwX86Op bw_x86_pop_r_sized[3] = { NULL, pop_r_1, pop_r_2 };

void
bw_x86_mov_rr32_store (BwX86Cpu *cpu, const BwX86Insn *i)
{
  cpu->gpr[i->rm] = cpu->gpr[i->reg];
}

void
bw_x86_mov_rr32_load (BwX86Cpu *cpu, const BwX86Insn *i)
{
  cpu->gpr[i->reg] = cpu->gpr[i->rm];
}

/* The memory forms: a flat segment and a TLB hit inline, with no stack
 * frame; everything else (limits, misses, MMIO, faults) in one call that
 * starts over, which is safe since nothing has changed yet. */
static __attribute__ ((noinline)) void
mov_r32_m32_slow (BwX86Cpu *cpu, const BwX86Insn *i)
{
  cpu->gpr[i->reg] = bw_x86_rm_get (cpu, i, 2);
}

static __attribute__ ((noinline)) void
mov_m32_r32_slow (BwX86Cpu *cpu, const BwX86Insn *i)
{
  bw_x86_rm_set (cpu, i, 2, cpu->gpr[i->reg]);
}

/* bd: the address is base + displacement with 32-bit addressing (the
 * decoder checked), the commonest form in compiled code. */
BW_X86_INLINE uint32_t
mem_off (BwX86Cpu *cpu, const BwX86Insn *i, gboolean bd)
{
  return bd ? i->disp + cpu->gpr[i->base] : bw_x86_ea (cpu, i);
}

BW_X86_INLINE void
mov_r32_m32 (BwX86Cpu *cpu, const BwX86Insn *i, gboolean bd)
{
  uint32_t off = mem_off (cpu, i, bd);
  const BwX86Seg *s = &cpu->seg[i->seg];
  if (BW_X86_LIKELY ((s->flat & BW_X86_ACC_R) && off <= 0xfffffffcu))
    {
      uint32_t lin = s->s.base + off;
      const BwX86TlbEntry *e = &cpu->tlb[(lin >> 12) & (BW_X86_TLB_SIZE - 1)];
      if (BW_X86_LIKELY (e->tag_r == ((lin + 3) & ~0xfffu)))
        {
          uint32_t v;
          memcpy (&v, e->host + (lin & 0xfff), 4);
          cpu->gpr[i->reg] = GUINT32_FROM_LE (v);
          return;
        }
    }
  mov_r32_m32_slow (cpu, i);
}

BW_X86_INLINE void
mov_m32_r32 (BwX86Cpu *cpu, const BwX86Insn *i, gboolean bd)
{
  uint32_t off = mem_off (cpu, i, bd);
  const BwX86Seg *s = &cpu->seg[i->seg];
  if (BW_X86_LIKELY ((s->flat & BW_X86_ACC_W) && off <= 0xfffffffcu))
    {
      uint32_t lin = s->s.base + off;
      const BwX86TlbEntry *e = &cpu->tlb[(lin >> 12) & (BW_X86_TLB_SIZE - 1)];
      if (BW_X86_LIKELY (e->tag_w == ((lin + 3) & ~0xfffu)))
        {
          uint32_t v = GUINT32_TO_LE (cpu->gpr[i->reg]);
          memcpy (e->host + (lin & 0xfff), &v, 4);
          return;
        }
    }
  mov_m32_r32_slow (cpu, i);
}

void
bw_x86_mov_r32_m32 (BwX86Cpu *cpu, const BwX86Insn *i)
{
  mov_r32_m32 (cpu, i, FALSE);
}

void
bw_x86_mov_r32_m32_bd (BwX86Cpu *cpu, const BwX86Insn *i)
{
  mov_r32_m32 (cpu, i, TRUE);
}

void
bw_x86_mov_m32_r32 (BwX86Cpu *cpu, const BwX86Insn *i)
{
  mov_m32_r32 (cpu, i, FALSE);
}

void
bw_x86_mov_m32_r32_bd (BwX86Cpu *cpu, const BwX86Insn *i)
{
  mov_m32_r32 (cpu, i, TRUE);
}

BW_X86_OP (mov_rm_r)
{
  bw_x86_rm_set (cpu, i, i->osz, bw_x86_reg_get (cpu, i->reg, i->osz));
}

BW_X86_OP (mov_r_rm)
{
  bw_x86_reg_set (cpu, i->reg, i->osz, bw_x86_rm_get (cpu, i, i->osz));
}

BW_X86_OP (mov_rm_imm)
{
  bw_x86_rm_set (cpu, i, i->osz, i->imm);
}

BW_X86_OP (mov_r_imm)
{
  bw_x86_reg_set (cpu, i->reg, i->osz, i->imm);
}

BW_X86_OP (mov_a_moffs)
{
  bw_x86_reg_set (cpu, BW_X86_EAX, i->osz,
                  bw_x86_read (cpu, i->seg, i->disp, bw_x86_bytes (i->osz)));
}

BW_X86_OP (mov_moffs_a)
{
  bw_x86_write (cpu, i->seg, i->disp, bw_x86_bytes (i->osz),
                bw_x86_reg_get (cpu, BW_X86_EAX, i->osz));
}

BW_X86_OP (mov_rm_sreg)
{
  if (i->reg >= BW_X86_N_SEGS)
    bw_x86_raise (cpu, BW_X86_EXC_UD);
  uint16_t sel = cpu->seg[i->reg].s.selector;
  /* To a register with 32-bit operand size the upper half is zeroed (P6);
   * to memory it is always a word. */
  if (i->mod == 3)
    bw_x86_reg_set (cpu, i->rm, i->osz, sel);
  else
    bw_x86_write (cpu, i->seg, bw_x86_ea (cpu, i), 2, sel);
}

BW_X86_OP (mov_sreg_rm)
{
  if (i->reg >= BW_X86_N_SEGS || i->reg == BW_X86_CS)
    bw_x86_raise (cpu, BW_X86_EXC_UD);
  uint16_t sel = (uint16_t) bw_x86_rm_get (cpu, i, 1);
  bw_x86_load_seg (cpu, i->reg, sel);
  if (i->reg == BW_X86_SS)
    cpu->irq_shadow = TRUE;
}

BW_X86_OP (lea)
{
  bw_x86_reg_set (cpu, i->reg, i->osz, bw_x86_ea (cpu, i));
}

BW_X86_OP (xchg_rm_r)
{
  int osz = i->osz;
  uint32_t r = bw_x86_reg_get (cpu, i->reg, osz);
  if (i->mod == 3)
    {
      bw_x86_reg_set (cpu, i->reg, osz, bw_x86_reg_get (cpu, i->rm, osz));
      bw_x86_reg_set (cpu, i->rm, osz, r);
      return;
    }
  unsigned n = bw_x86_bytes (osz);
  uint32_t lin = bw_x86_seg_lin_rmw (cpu, i->seg, bw_x86_ea (cpu, i), n);
  uint32_t v = bw_x86_lin_read (cpu, lin, n);
  bw_x86_lin_write (cpu, lin, n, r);
  bw_x86_reg_set (cpu, i->reg, osz, v);
}

BW_X86_OP (xchg_a_r)
{
  int osz = i->osz;
  uint32_t a = bw_x86_reg_get (cpu, BW_X86_EAX, osz);
  bw_x86_reg_set (cpu, BW_X86_EAX, osz, bw_x86_reg_get (cpu, i->reg, osz));
  bw_x86_reg_set (cpu, i->reg, osz, a);
}

/* ---- stack ------------------------------------------------------------ */

BW_X86_OP (push_r)
{
  /* PUSH SP pushes the value before the decrement (80286 and later). */
  bw_x86_push (cpu, vsize (i), cpu->gpr[i->reg]);
}

BW_X86_OP (pop_r)
{
  uint32_t v = bw_x86_pop (cpu, vsize (i));
  bw_x86_reg_set (cpu, i->reg, i->osz, v);
}

BW_X86_OP (push_imm)
{
  bw_x86_push (cpu, vsize (i), i->imm);
}

BW_X86_OP (push_rm)
{
  bw_x86_push (cpu, vsize (i), bw_x86_rm_get (cpu, i, i->osz));
}

BW_X86_OP (pop_rm)
{
  /* The destination's address uses ESP after the pop. */
  unsigned n = vsize (i);
  uint32_t v = bw_x86_stack_peek (cpu, 0, n);
  uint32_t old = cpu->gpr[BW_X86_ESP];
  bw_x86_set_sp (cpu, old + n);
  if (i->mod == 3)
    {
      bw_x86_reg_set (cpu, i->rm, i->osz, v);
      return;
    }
  uint32_t off = bw_x86_ea (cpu, i);
  uint32_t lin;
  /* Restore ESP if the store faults. */
  if (off < cpu->seg[i->seg].lo || (uint64_t) off + n - 1 > cpu->seg[i->seg].hi
      || !(cpu->seg[i->seg].rights & BW_X86_ACC_W))
    {
      cpu->gpr[BW_X86_ESP] = old;
      bw_x86_seg_fault (cpu, i->seg);
    }
  lin = cpu->seg[i->seg].s.base + off;
  bw_x86_lin_write (cpu, lin, n, v);
}

/* Segment number of the push/pop opcodes 06 0E 16 1E 0FA0 0FA8 etc. */
static int
sreg_of (const BwX86Insn *i)
{
  switch (i->opc)
    {
    case 0xa0: case 0xa1: return BW_X86_FS;
    case 0xa8: case 0xa9: return BW_X86_GS;
    default: return (i->opc >> 3) & 3;
    }
}

BW_X86_OP (push_sreg)
{
  unsigned n = vsize (i);
  uint16_t sel = cpu->seg[sreg_of (i)].s.selector;
  /* A 32-bit push of a segment register writes only the low word. */
  uint32_t sp = (cpu->gpr[BW_X86_ESP] - n) & bw_x86_sp_mask (cpu);
  bw_x86_write (cpu, BW_X86_SS, sp, 2, sel);
  bw_x86_set_sp (cpu, sp);
}

BW_X86_OP (pop_sreg)
{
  int s = sreg_of (i);
  uint16_t sel = (uint16_t) bw_x86_stack_peek (cpu, 0, 2);
  bw_x86_load_seg (cpu, s, sel);
  bw_x86_set_sp (cpu, cpu->gpr[BW_X86_ESP] + vsize (i));
  if (s == BW_X86_SS)
    cpu->irq_shadow = TRUE;
}

BW_X86_OP (pusha)
{
  unsigned n = vsize (i);
  uint32_t sp = cpu->gpr[BW_X86_ESP], m = bw_x86_sp_mask (cpu);
  /* Check the whole area first so that a fault leaves ESP alone. */
  bw_x86_seg_lin (cpu, BW_X86_SS, (sp - 8 * n) & m, n, BW_X86_ACC_W);
  bw_x86_seg_lin (cpu, BW_X86_SS, (sp - n) & m, n, BW_X86_ACC_W);
  for (int r = 0; r < 8; r++)
    bw_x86_write (cpu, BW_X86_SS, (sp - (r + 1) * n) & m, n,
                  r == BW_X86_ESP ? sp : cpu->gpr[r]);
  bw_x86_set_sp (cpu, sp - 8 * n);
}

BW_X86_OP (popa)
{
  unsigned n = vsize (i);
  uint32_t v[8];
  for (int r = 0; r < 8; r++)
    v[7 - r] = bw_x86_stack_peek (cpu, r * n, n);
  for (int r = 0; r < 8; r++)
    if (r != BW_X86_ESP)
      bw_x86_reg_set (cpu, r, i->osz, v[r]);
  bw_x86_set_sp (cpu, cpu->gpr[BW_X86_ESP] + 8 * n);
}

/* The EFLAGS bits POPF may change at the current privilege level. */
static uint32_t
popf_mask (BwX86Cpu *cpu, gboolean o32)
{
  uint32_t m = BW_X86_ARITH_FLAGS | BW_X86_TF | BW_X86_DF | BW_X86_NT | BW_X86_IF
               | BW_X86_IOPL;
  unsigned iopl = (cpu->eflags >> 12) & 3;
  if (bw_x86_pmode (cpu))
    {
      if (cpu->cpl > 0)
        m &= ~BW_X86_IOPL;
      if (cpu->cpl > iopl)
        m &= ~BW_X86_IF;
    }
  else if (cpu->eflags & BW_X86_VM)
    m &= ~BW_X86_IOPL;
  if (o32)
    m |= BW_X86_AC | BW_X86_ID;
  return m;
}

BW_X86_OP (pushf)
{
  if ((cpu->eflags & BW_X86_VM) && ((cpu->eflags >> 12) & 3) < 3)
    {
      bw_x86_vme_pushf (cpu, (i->flags & BW_X86_I_O32) != 0); /* or #GP */
      return;
    }
  uint32_t f = bw_x86_get_eflags (cpu);
  if (i->flags & BW_X86_I_O32)
    bw_x86_push (cpu, 4, f & ~(BW_X86_VM | BW_X86_RF));
  else
    bw_x86_push (cpu, 2, f);
}

BW_X86_OP (popf)
{
  if ((cpu->eflags & BW_X86_VM) && ((cpu->eflags >> 12) & 3) < 3)
    {
      bw_x86_vme_popf (cpu, (i->flags & BW_X86_I_O32) != 0); /* or #GP */
      return;
    }
  gboolean o32 = (i->flags & BW_X86_I_O32) != 0;
  uint32_t v = bw_x86_pop (cpu, o32 ? 4 : 2);
  uint32_t m = popf_mask (cpu, o32);
  if (!o32)
    m &= 0xffff;
  bw_x86_write_eflags (cpu, v, m);
}

BW_X86_OP (sahf)
{
  uint32_t ah = (cpu->gpr[BW_X86_EAX] >> 8) & 0xff;
  uint32_t m = BW_X86_CF | BW_X86_PF | BW_X86_AF | BW_X86_ZF | BW_X86_SF;
  bw_x86_write_eflags (cpu, ah, m);
}

BW_X86_OP (lahf)
{
  uint32_t f = bw_x86_get_eflags (cpu) & 0xff;
  bw_x86_reg_set (cpu, 4, 0, f); /* AH */
}

BW_X86_OP (enter)
{
  unsigned n = vsize (i);
  uint32_t m = bw_x86_sp_mask (cpu);
  unsigned level = i->imm2 & 31;
  uint32_t sp = cpu->gpr[BW_X86_ESP];
  uint32_t bp = cpu->gpr[BW_X86_EBP];

  sp = (sp - n) & m;
  bw_x86_write (cpu, BW_X86_SS, sp, n, bp);
  uint32_t frame = sp;
  if (level > 0)
    {
      for (unsigned k = 1; k < level; k++)
        {
          bp = (bp - n) & (cpu->seg[BW_X86_SS].big ? 0xffffffffu : 0xffffu);
          uint32_t v = bw_x86_read (cpu, BW_X86_SS, bp, n);
          sp = (sp - n) & m;
          bw_x86_write (cpu, BW_X86_SS, sp, n, v);
        }
      sp = (sp - n) & m;
      bw_x86_write (cpu, BW_X86_SS, sp, n, frame);
    }
  sp = (sp - i->imm) & m;
  /* The final stack pointer must be usable. */
  bw_x86_seg_lin (cpu, BW_X86_SS, sp, 1, BW_X86_ACC_W);
  bw_x86_reg_set (cpu, BW_X86_EBP, n == 4 ? 2 : 1, frame);
  bw_x86_set_sp (cpu, sp);
}

BW_X86_OP (leave)
{
  unsigned n = vsize (i);
  uint32_t bp = cpu->gpr[BW_X86_EBP] & bw_x86_sp_mask (cpu);
  uint32_t v = bw_x86_read (cpu, BW_X86_SS, bp, n);
  bw_x86_set_sp (cpu, bp + n);
  bw_x86_reg_set (cpu, BW_X86_EBP, i->osz, v);
}

/* ---- segment loads with a far pointer --------------------------------- */

BW_X86_OP (lxs)
{
  int s;
  switch (i->opc)
    {
    case 0xc4: s = BW_X86_ES; break;
    case 0xc5: s = BW_X86_DS; break;
    case 0xb2: s = BW_X86_SS; break;
    case 0xb4: s = BW_X86_FS; break;
    default: s = BW_X86_GS; break;
    }
  unsigned n = vsize (i);
  uint32_t off = bw_x86_ea (cpu, i);
  uint32_t v = bw_x86_read (cpu, i->seg, off, n);
  uint32_t off2 = off + n;
  if (!(i->flags & BW_X86_I_A32))
    off2 &= 0xffff;
  uint16_t sel = (uint16_t) bw_x86_read (cpu, i->seg, off2, 2);
  bw_x86_load_seg (cpu, s, sel);
  bw_x86_reg_set (cpu, i->reg, i->osz, v);
  if (s == BW_X86_SS)
    cpu->irq_shadow = TRUE;
}

/* ---- conversions ------------------------------------------------------ */

BW_X86_OP (cbw)
{
  if (i->flags & BW_X86_I_O32)
    cpu->gpr[BW_X86_EAX] = (uint32_t) (int32_t) (int16_t) cpu->gpr[BW_X86_EAX];
  else
    bw_x86_reg_set (cpu, BW_X86_EAX, 1, (uint32_t) (int16_t) (int8_t) cpu->gpr[BW_X86_EAX]);
}

BW_X86_OP (cwd)
{
  if (i->flags & BW_X86_I_O32)
    cpu->gpr[BW_X86_EDX] = (cpu->gpr[BW_X86_EAX] & 0x80000000u) ? 0xffffffffu : 0;
  else
    bw_x86_reg_set (cpu, BW_X86_EDX, 1, (cpu->gpr[BW_X86_EAX] & 0x8000) ? 0xffff : 0);
}

BW_X86_OP (movzx)
{
  uint32_t v = bw_x86_rm_get (cpu, i, i->osz);
  bw_x86_reg_set (cpu, i->reg, (i->flags & BW_X86_I_O32) ? 2 : 1, v);
}

/* MOVZX r32, m8 / m16 (bytes of compressed streams, 16-bit probability
 * tables) and MOV m16, r16, with the same frameless fast path. */
#define MOVZX_MEM(OSZ, N)                                                                   \
  static __attribute__ ((noinline)) void movzx_r32_m##N##_slow (BwX86Cpu *cpu,              \
                                                                const BwX86Insn *i)         \
  {                                                                                         \
    cpu->gpr[i->reg] = bw_x86_rm_get (cpu, i, OSZ);                                         \
  }                                                                                         \
  void bw_x86_movzx_r32_m##N (BwX86Cpu *cpu, const BwX86Insn *i)                            \
  {                                                                                         \
    uint32_t off = bw_x86_ea (cpu, i);                                                      \
    const BwX86Seg *s = &cpu->seg[i->seg];                                                  \
    if (BW_X86_LIKELY ((s->flat & BW_X86_ACC_R) && off <= 0xfffffffcu))                     \
      {                                                                                     \
        uint32_t lin = s->s.base + off;                                                     \
        const BwX86TlbEntry *e = &cpu->tlb[(lin >> 12) & (BW_X86_TLB_SIZE - 1)];            \
        if (BW_X86_LIKELY (e->tag_r == ((lin + (1u << OSZ) - 1) & ~0xfffu)))                \
          {                                                                                 \
            uint16_t v_ = 0;                                                                \
            memcpy (&v_, e->host + (lin & 0xfff), 1u << OSZ);                               \
            cpu->gpr[i->reg] = GUINT16_FROM_LE (v_);                                        \
            return;                                                                         \
          }                                                                                 \
      }                                                                                     \
    movzx_r32_m##N##_slow (cpu, i);                                                         \
  }
MOVZX_MEM (0, 8)
MOVZX_MEM (1, 16)

static __attribute__ ((noinline)) void
mov_m16_r16_slow (BwX86Cpu *cpu, const BwX86Insn *i)
{
  bw_x86_rm_set (cpu, i, 1, cpu->gpr[i->reg] & 0xffff);
}

void
bw_x86_mov_m16_r16 (BwX86Cpu *cpu, const BwX86Insn *i)
{
  uint32_t off = bw_x86_ea (cpu, i);
  const BwX86Seg *s = &cpu->seg[i->seg];
  if (BW_X86_LIKELY ((s->flat & BW_X86_ACC_W) && off <= 0xfffffffcu))
    {
      uint32_t lin = s->s.base + off;
      const BwX86TlbEntry *e = &cpu->tlb[(lin >> 12) & (BW_X86_TLB_SIZE - 1)];
      if (BW_X86_LIKELY (e->tag_w == ((lin + 1) & ~0xfffu)))
        {
          uint16_t v = GUINT16_TO_LE ((uint16_t) cpu->gpr[i->reg]);
          memcpy (e->host + (lin & 0xfff), &v, 2);
          return;
        }
    }
  mov_m16_r16_slow (cpu, i);
}

BW_X86_OP (movsx)
{
  uint32_t v = bw_x86_rm_get (cpu, i, i->osz);
  v = i->osz == 0 ? (uint32_t) (int8_t) v : (uint32_t) (int16_t) v;
  bw_x86_reg_set (cpu, i->reg, (i->flags & BW_X86_I_O32) ? 2 : 1, v);
}

BW_X86_OP (xlat)
{
  uint32_t off = cpu->gpr[BW_X86_EBX] + (cpu->gpr[BW_X86_EAX] & 0xff);
  if (!(i->flags & BW_X86_I_A32))
    off &= 0xffff;
  bw_x86_reg_set (cpu, BW_X86_EAX, 0, bw_x86_read (cpu, i->seg, off, 1));
}

BW_X86_OP (setcc)
{
  bw_x86_rm_set (cpu, i, 0, bw_x86_cond (cpu, i->opc & 15) ? 1 : 0);
}

BW_X86_OP (cmovcc)
{
  /* The source is read (and may fault) whether or not it moves. */
  uint32_t v = bw_x86_rm_get (cpu, i, i->osz);
  if (bw_x86_cond (cpu, i->opc & 15))
    bw_x86_reg_set (cpu, i->reg, i->osz, v);
  else if (i->osz == 2)
    cpu->gpr[i->reg] = cpu->gpr[i->reg];
}

BW_X86_OP (bswap)
{
  cpu->gpr[i->reg] = GUINT32_SWAP_LE_BE (cpu->gpr[i->reg]);
}
