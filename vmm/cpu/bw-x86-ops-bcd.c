/* bw-x86-ops-bcd.c: decimal adjustment: DAA, DAS, AAA, AAS, AAM, AAD, and
 * the undocumented SALC.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"

static inline uint32_t
al (BwX86Cpu *cpu)
{
  return cpu->gpr[BW_X86_EAX] & 0xff;
}

BW_X86_OP (daa)
{
  uint32_t f = bw_x86_get_eflags (cpu);
  uint32_t a = al (cpu), old = a;
  uint32_t cf = f & BW_X86_CF, af = 0;
  if ((a & 0x0f) > 9 || (f & BW_X86_AF))
    {
      a += 6;
      cf |= (a > 0xff) ? BW_X86_CF : 0;
      af = BW_X86_AF;
    }
  if (old > 0x99 || (f & BW_X86_CF))
    {
      a += 0x60;
      cf = BW_X86_CF;
    }
  else
    cf = 0;
  a &= 0xff;
  bw_x86_reg_set (cpu, BW_X86_EAX, 0, a);
  bw_x86_set_arith (cpu, bw_x86_szp (a, 0) | cf | af);
}

BW_X86_OP (das)
{
  uint32_t f = bw_x86_get_eflags (cpu);
  uint32_t a = al (cpu), old = a;
  uint32_t cf = 0, af = 0;
  if ((a & 0x0f) > 9 || (f & BW_X86_AF))
    {
      cf = ((f & BW_X86_CF) || a < 6) ? BW_X86_CF : 0;
      a = (a - 6) & 0xff;
      af = BW_X86_AF;
    }
  if (old > 0x99 || (f & BW_X86_CF))
    {
      a = (a - 0x60) & 0xff;
      cf = BW_X86_CF;
    }
  bw_x86_reg_set (cpu, BW_X86_EAX, 0, a);
  bw_x86_set_arith (cpu, bw_x86_szp (a, 0) | cf | af);
}

BW_X86_OP (aaa)
{
  uint32_t f = bw_x86_get_eflags (cpu);
  uint32_t ax = cpu->gpr[BW_X86_EAX] & 0xffff;
  uint32_t adj = 0;
  if ((ax & 0x0f) > 9 || (f & BW_X86_AF))
    {
      ax = (ax + 0x106) & 0xffff;
      adj = BW_X86_AF | BW_X86_CF;
    }
  ax &= 0xff0f;
  bw_x86_reg_set (cpu, BW_X86_EAX, 1, ax);
  bw_x86_set_arith (cpu, bw_x86_szp (ax & 0xff, 0) | adj);
}

BW_X86_OP (aas)
{
  uint32_t f = bw_x86_get_eflags (cpu);
  uint32_t ax = cpu->gpr[BW_X86_EAX] & 0xffff;
  uint32_t adj = 0;
  if ((ax & 0x0f) > 9 || (f & BW_X86_AF))
    {
      ax = (ax - 6) & 0xffff;
      ax = (ax - 0x100) & 0xffff;
      adj = BW_X86_AF | BW_X86_CF;
    }
  ax &= 0xff0f;
  bw_x86_reg_set (cpu, BW_X86_EAX, 1, ax);
  bw_x86_set_arith (cpu, bw_x86_szp (ax & 0xff, 0) | adj);
}

BW_X86_OP (aam)
{
  uint32_t base = i->imm & 0xff;
  if (base == 0)
    bw_x86_raise (cpu, BW_X86_EXC_DE);
  uint32_t a = al (cpu);
  uint32_t r = ((a / base) << 8) | (a % base);
  bw_x86_reg_set (cpu, BW_X86_EAX, 1, r);
  bw_x86_set_arith (cpu, bw_x86_szp (r & 0xff, 0));
}

BW_X86_OP (aad)
{
  uint32_t base = i->imm & 0xff;
  uint32_t ax = cpu->gpr[BW_X86_EAX];
  uint32_t r = ((ax & 0xff) + ((ax >> 8) & 0xff) * base) & 0xff;
  bw_x86_reg_set (cpu, BW_X86_EAX, 1, r);
  bw_x86_set_arith (cpu, bw_x86_szp (r, 0));
}

BW_X86_OP (salc)
{
  bw_x86_reg_set (cpu, BW_X86_EAX, 0, bw_x86_get_cf (cpu) ? 0xff : 0);
}
