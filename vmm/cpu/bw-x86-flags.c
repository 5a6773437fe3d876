/* bw-x86-flags.c: lazy arithmetic flags.
 *
 * ALU instructions only record the operation, its operands and its result
 * (bw_x86_set_lazy); the six arithmetic flags are computed when something
 * reads them: a conditional jump, PUSHF, an interrupt. Most results are
 * overwritten before anyone looks.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"

/* 1 where a byte has an even number of set bits (PF). */
const uint8_t bw_x86_parity[256] = {
#define P2(n) n, n ^ 1, n ^ 1, n
#define P4(n) P2 (n), P2 (n ^ 1), P2 (n ^ 1), P2 (n)
#define P6(n) P4 (n), P4 (n ^ 1), P4 (n ^ 1), P4 (n)
  P6 (1), P6 (0), P6 (0), P6 (1)
#undef P2
#undef P4
#undef P6
};

uint32_t
bw_x86_flags_arith (BwX86Cpu *cpu)
{
  uint32_t op = cpu->lf_op & ~3u;
  int osz = cpu->lf_op & 3;
  uint32_t m = bw_x86_size_mask (osz);
  uint32_t sign = (m >> 1) + 1;
  uint32_t a = cpu->lf_a & m, b = cpu->lf_b & m, r = cpu->lf_res & m;
  uint32_t f = bw_x86_szp (r, osz);

  switch (op)
    {
    case BW_X86_LF_ADD:
    case BW_X86_LF_ADC:
      if (op == BW_X86_LF_ADD ? r < a : r <= a)
        f |= BW_X86_CF;
      if ((a ^ r) & (b ^ r) & sign)
        f |= BW_X86_OF;
      f |= (a ^ b ^ r) & BW_X86_AF;
      break;
    case BW_X86_LF_SUB:
    case BW_X86_LF_SBB:
      if (op == BW_X86_LF_SUB ? a < b : a <= b)
        f |= BW_X86_CF;
      if ((a ^ b) & (a ^ r) & sign)
        f |= BW_X86_OF;
      f |= (a ^ b ^ r) & BW_X86_AF;
      break;
    case BW_X86_LF_LOGIC:
      break;
    case BW_X86_LF_RES_CO:
      f |= cpu->lf_b & (BW_X86_CF | BW_X86_OF);
      break;
    case BW_X86_LF_INC:
      f |= cpu->eflags & BW_X86_CF;
      if (r == sign)
        f |= BW_X86_OF;
      if ((r & 0xf) == 0)
        f |= BW_X86_AF;
      break;
    case BW_X86_LF_DEC:
      f |= cpu->eflags & BW_X86_CF;
      if (r == sign - 1)
        f |= BW_X86_OF;
      if ((r & 0xf) == 0xf)
        f |= BW_X86_AF;
      break;
    default:
      g_assert_not_reached ();
    }
  return f;
}

gboolean
bw_x86_cond (BwX86Cpu *cpu, unsigned cc)
{
  gboolean r;
  /* Fast paths for the common case of a compare or logic result. */
  uint32_t op = cpu->lf_op & ~3u;
  if ((cc & ~1u) == 4 && cpu->lf_op != BW_X86_LF_NONE)
    r = (cpu->lf_res & bw_x86_size_mask (cpu->lf_op & 3)) == 0;
  else if (op == BW_X86_LF_SUB && cc >> 1 != 5)
    {
      /* CMP/SUB: the condition straight from the operands, as the
       * compare meant it, without building all of EFLAGS. */
      uint32_t m = bw_x86_size_mask (cpu->lf_op & 3);
      uint32_t sign = (m >> 1) + 1;
      uint32_t a = cpu->lf_a & m, b = cpu->lf_b & m, res = cpu->lf_res & m;
      gboolean of = ((a ^ b) & (a ^ res) & sign) != 0;
      gboolean sf = (res & sign) != 0;
      switch (cc >> 1)
        {
        case 0: r = of; break;
        case 1: r = a < b; break;
        case 3: r = a <= b; break;
        case 4: r = sf; break;
        case 6: r = sf != of; break;
        default: r = res == 0 || sf != of; break; /* 7 */
        }
    }
  else if (op == BW_X86_LF_LOGIC && cc >> 1 != 5)
    {
      /* TEST/AND/OR/XOR: CF and OF are clear. */
      uint32_t m = bw_x86_size_mask (cpu->lf_op & 3);
      uint32_t res = cpu->lf_res & m;
      gboolean sf = (res & ((m >> 1) + 1)) != 0;
      switch (cc >> 1)
        {
        case 0: case 1: r = FALSE; break;
        case 3: r = res == 0; break;
        case 4: case 6: r = sf; break;
        default: r = res == 0 || sf; break; /* 7 */
        }
    }
  else
    {
      uint32_t f = bw_x86_get_eflags (cpu);
      switch (cc >> 1)
        {
        case 0: r = (f & BW_X86_OF) != 0; break;
        case 1: r = (f & BW_X86_CF) != 0; break;
        case 2: r = (f & BW_X86_ZF) != 0; break;
        case 3: r = (f & (BW_X86_CF | BW_X86_ZF)) != 0; break;
        case 4: r = (f & BW_X86_SF) != 0; break;
        case 5: r = (f & BW_X86_PF) != 0; break;
        case 6: r = !!(f & BW_X86_SF) != !!(f & BW_X86_OF); break;
        default: r = (f & BW_X86_ZF) || !!(f & BW_X86_SF) != !!(f & BW_X86_OF); break;
        }
    }
  return (cc & 1) ? !r : r;
}

void
bw_x86_write_eflags (BwX86Cpu *cpu, uint32_t value, uint32_t mask)
{
  uint32_t f = bw_x86_get_eflags (cpu);
  f = (f & ~mask) | (value & mask);
  cpu->eflags = (f & ~0x8028u) | 0x2u; /* reserved bits: 1 is set, 3/5/15 clear */
  cpu->lf_op = BW_X86_LF_NONE;
  if (mask & BW_X86_AC)
    bw_x86_update_align_check (cpu);
}
