/* bw-x86-ops-shift.c: shifts and rotates, SHLD/SHRD, bit tests, BSF/BSR.
 *
 * Counts are masked to five bits (80286 and later). A masked count of
 * zero changes nothing, flags included.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"

static inline __attribute__ ((always_inline)) uint32_t
shift_value (BwX86Cpu *cpu, unsigned kind, int osz, uint32_t v, unsigned count)
{
  unsigned bits = 8u << osz;
  uint32_t m = bw_x86_size_mask (osz);
  uint32_t sign = (m >> 1) + 1;
  uint32_t f = 0;
  uint32_t r, cf, of;

  count &= 31;
  if (count == 0)
    return v;
  v &= m;
  /* Rotates keep SF, ZF, AF and PF and need the old flags; shifts replace
   * all six and need not compute them (a hot path in decompressors). */
  if (kind < 4)
    f = bw_x86_get_eflags (cpu) & BW_X86_ARITH_FLAGS;

  switch (kind)
    {
    case 0: /* ROL */
      {
        unsigned c = count % bits;
        r = c ? ((v << c) | (v >> (bits - c))) & m : v;
        cf = r & 1;
        of = ((r & sign) != 0) ^ cf;
        f = (f & ~(BW_X86_CF | BW_X86_OF)) | (cf ? BW_X86_CF : 0) | (of ? BW_X86_OF : 0);
        break;
      }
    case 1: /* ROR */
      {
        unsigned c = count % bits;
        r = c ? ((v >> c) | (v << (bits - c))) & m : v;
        cf = (r & sign) != 0;
        of = cf ^ ((r & (sign >> 1)) != 0);
        f = (f & ~(BW_X86_CF | BW_X86_OF)) | (cf ? BW_X86_CF : 0) | (of ? BW_X86_OF : 0);
        break;
      }
    case 2: /* RCL: a (bits+1)-bit rotate through CF */
      {
        unsigned c = count % (bits + 1);
        uint64_t w = ((uint64_t) ((f & BW_X86_CF) ? 1 : 0) << bits) | v;
        if (c)
          w = ((w << c) | (w >> (bits + 1 - c))) & ((2ull << bits) - 1);
        r = (uint32_t) w & m;
        cf = (w >> bits) & 1;
        of = ((r & sign) != 0) ^ cf;
        f = (f & ~(BW_X86_CF | BW_X86_OF)) | (cf ? BW_X86_CF : 0) | (of ? BW_X86_OF : 0);
        break;
      }
    case 3: /* RCR */
      {
        unsigned c = count % (bits + 1);
        uint64_t w = ((uint64_t) ((f & BW_X86_CF) ? 1 : 0) << bits) | v;
        if (c)
          w = ((w >> c) | (w << (bits + 1 - c))) & ((2ull << bits) - 1);
        r = (uint32_t) w & m;
        cf = (w >> bits) & 1;
        of = ((r & sign) != 0) ^ ((r & (sign >> 1)) != 0);
        f = (f & ~(BW_X86_CF | BW_X86_OF)) | (cf ? BW_X86_CF : 0) | (of ? BW_X86_OF : 0);
        break;
      }
    case 4: /* SHL */
    case 6: /* SAL (undocumented alias) */
      {
        uint64_t w = (uint64_t) v << count;
        r = (uint32_t) w & m;
        cf = (w >> bits) & 1;
        of = ((r & sign) != 0) ^ cf;
        break;
      }
    case 5: /* SHR */
      r = (uint32_t) ((uint64_t) v >> count);
      cf = (uint32_t) ((uint64_t) v >> (count - 1)) & 1;
      /* OF is the operand's sign for one step; after more steps it is the
       * sign of an already shifted value, 0 (what the 286 shows). */
      of = count == 1 && (v & sign) != 0;
      break;
    default: /* SAR */
      {
        int64_t sv = osz == 0 ? (int8_t) v : osz == 1 ? (int16_t) v : (int32_t) v;
        r = (uint32_t) (sv >> count) & m;
        cf = (uint32_t) (sv >> (count - 1)) & 1;
        of = 0;
        break;
      }
    }
  if (kind >= 4)
    {
      /* Shifts: SF, ZF, PF from the result when someone asks. */
      bw_x86_set_lazy (cpu, BW_X86_LF_RES_CO + osz, 0,
                       (cf ? BW_X86_CF : 0) | (of ? BW_X86_OF : 0), r);
      return r;
    }
  bw_x86_set_arith (cpu, f);
  return r;
}

static inline unsigned
shift_count (BwX86Cpu *cpu, const BwX86Insn *i)
{
  switch (i->opc)
    {
    case 0xc0:
    case 0xc1:
      return i->imm;
    case 0xd0:
    case 0xd1:
      return 1;
    default:
      return cpu->gpr[BW_X86_ECX] & 0xff;
    }
}

BW_X86_OP (shift)
{
  unsigned count = shift_count (cpu, i);
  RMW (cpu, i, i->osz, shift_value (cpu, i->reg, i->osz, v, count));
}

/* By operation and size, chosen when decoding (C0, C1, D0-D3), so that
 * the compiler folds shift_value for each. */
#define SHIFT_SIZED(KIND, OSZ)                                                              \
  static void shift_##KIND##_##OSZ (BwX86Cpu *cpu, const BwX86Insn *i)                      \
  {                                                                                         \
    unsigned count = shift_count (cpu, i);                                                  \
    RMW (cpu, i, OSZ, shift_value (cpu, KIND, OSZ, v, count));                              \
  }
#define SHIFT_KIND(KIND) SHIFT_SIZED (KIND, 0) SHIFT_SIZED (KIND, 1) SHIFT_SIZED (KIND, 2)
SHIFT_KIND (0)
SHIFT_KIND (1)
SHIFT_KIND (2)
SHIFT_KIND (3)
SHIFT_KIND (4)
SHIFT_KIND (5)
SHIFT_KIND (6)
SHIFT_KIND (7)
#define SHIFT_ROW(KIND) { shift_##KIND##_0, shift_##KIND##_1, shift_##KIND##_2 }
const BwX86Op bw_x86_shift_sized[8][3] = {
  SHIFT_ROW (0), SHIFT_ROW (1), SHIFT_ROW (2), SHIFT_ROW (3),
  SHIFT_ROW (4), SHIFT_ROW (5), SHIFT_ROW (6), SHIFT_ROW (7),
};

/* The 32-bit register-operand forms, picked when decoding ModRM.mod 3. */
#define SHIFT_RR(KIND)                                                                      \
  static void shift_rr_##KIND (BwX86Cpu *cpu, const BwX86Insn *i)                           \
  {                                                                                         \
    unsigned count = shift_count (cpu, i);                                                  \
    cpu->gpr[i->rm] = shift_value (cpu, KIND, 2, cpu->gpr[i->rm], count);                   \
  }
SHIFT_RR (0) SHIFT_RR (1) SHIFT_RR (2) SHIFT_RR (3)
SHIFT_RR (4) SHIFT_RR (5) SHIFT_RR (6) SHIFT_RR (7)
const BwX86Op bw_x86_shift_rr[8] = { shift_rr_0, shift_rr_1, shift_rr_2, shift_rr_3,
                                     shift_rr_4, shift_rr_5, shift_rr_6, shift_rr_7 };

BwX86Op
bw_x86_shift_reg_form (BwX86Op fn)
{
  for (unsigned k = 0; k < 8; k++)
    if (fn == bw_x86_shift_sized[k][2])
      return bw_x86_shift_rr[k];
  return fn;
}

/* SHLD/SHRD: opcodes A4/A5 left, AC/AD right; A4/AC take an imm8 count. */
static uint32_t
double_shift (BwX86Cpu *cpu, gboolean left, int osz, uint32_t dst, uint32_t src, unsigned count)
{
  unsigned bits = 8u << osz;
  uint32_t m = bw_x86_size_mask (osz);
  count &= 31;
  if (count == 0)
    return dst;
  uint64_t r;
  uint32_t cf;
  if (osz == 1)
    {
      /* 16-bit forms with counts above 16 shift through the destination
       * again, as the P6 family does: a 48-bit dst:src:dst window. */
      uint64_t d = dst & 0xffff, sr = src & 0xffff;
      if (left)
        {
          uint64_t w = (d << 32) | (sr << 16) | d;
          r = (w << count) >> 32;
          cf = (uint32_t) ((w << (count - 1)) >> 47) & 1;
        }
      else
        {
          uint64_t w = (d << 32) | (sr << 16) | d;
          r = w >> count;
          cf = (uint32_t) (w >> (count - 1)) & 1;
        }
    }
  else
    {
      if (left)
        {
          uint64_t w = ((uint64_t) dst << 32) | src;
          r = (w << count) >> 32;
          cf = (uint32_t) (w >> (64 - count)) & 1;
        }
      else
        {
          uint64_t w = ((uint64_t) src << 32) | dst;
          r = w >> count;
          cf = (uint32_t) (w >> (count - 1)) & 1;
        }
    }
  uint32_t res = (uint32_t) r & m;
  uint32_t sign = 1u << (bits - 1);
  uint32_t f = bw_x86_szp (res, osz) | (cf ? BW_X86_CF : 0);
  if ((res ^ dst) & sign)
    f |= BW_X86_OF;
  bw_x86_set_arith (cpu, f);
  return res;
}

BW_X86_OP (shld_shrd)
{
  gboolean left = i->opc < 0xa8;
  unsigned count = (i->opc & 1) ? cpu->gpr[BW_X86_ECX] & 0xff : i->imm;
  uint32_t src = bw_x86_reg_get (cpu, i->reg, i->osz);
  RMW (cpu, i, i->osz, double_shift (cpu, left, i->osz, v, src, count));
}

/* BT/BTS/BTR/BTC: kind 0-3. With a register bit offset and a memory
 * operand, the offset reaches outside the addressed word. */
static uint32_t
bit_op (BwX86Cpu *cpu, unsigned kind, uint32_t v, unsigned bit)
{
  uint32_t mask = 1u << bit;
  uint32_t f = bw_x86_get_eflags (cpu) & BW_X86_ARITH_FLAGS & ~BW_X86_CF;
  if (v & mask)
    f |= BW_X86_CF;
  bw_x86_set_arith (cpu, f);
  switch (kind)
    {
    case 1: return v | mask;
    case 2: return v & ~mask;
    case 3: return v ^ mask;
    default: return v;
    }
}

static void
bit_test (BwX86Cpu *cpu, const BwX86Insn *i, unsigned kind, uint32_t bitoff, gboolean reg_off)
{
  int osz = i->osz;
  unsigned bits = 8u << osz;
  if (i->mod == 3)
    {
      uint32_t v = bw_x86_reg_get (cpu, i->rm, osz);
      uint32_t r = bit_op (cpu, kind, v, bitoff & (bits - 1));
      if (kind)
        bw_x86_reg_set (cpu, i->rm, osz, r);
      return;
    }
  uint32_t off = bw_x86_ea (cpu, i);
  if (reg_off)
    {
      int32_t s = osz == 1 ? (int16_t) bitoff : (int32_t) bitoff;
      off += (uint32_t) ((s >> (osz == 1 ? 4 : 5)) * (int32_t) (bits / 8));
      if (!(i->flags & BW_X86_I_A32))
        off &= 0xffff;
    }
  unsigned n = bits / 8;
  uint32_t lin = kind ? bw_x86_seg_lin_rmw (cpu, i->seg, off, n)
                      : bw_x86_seg_lin (cpu, i->seg, off, n, BW_X86_ACC_R);
  uint32_t v = bw_x86_lin_read (cpu, lin, n);
  uint32_t r = bit_op (cpu, kind, v, bitoff & (bits - 1));
  if (kind)
    bw_x86_lin_write (cpu, lin, n, r);
}

BW_X86_OP (bt_rm_r)
{
  static const uint8_t kinds[4] = { 0, 1, 2, 3 }; /* A3 BT, AB BTS, B3 BTR, BB BTC */
  unsigned kind = kinds[(i->opc >> 3) & 3];
  bit_test (cpu, i, kind, bw_x86_reg_get (cpu, i->reg, i->osz), TRUE);
}

BW_X86_OP (bt_rm_imm)
{
  bit_test (cpu, i, i->reg - 4, i->imm, FALSE);
}

BW_X86_OP (bsf_bsr)
{
  int osz = i->osz;
  uint32_t v = bw_x86_rm_get (cpu, i, osz);
  uint32_t f = bw_x86_get_eflags (cpu) & BW_X86_ARITH_FLAGS & ~BW_X86_ZF;
  if (v == 0)
    {
      bw_x86_set_arith (cpu, f | BW_X86_ZF);
      return; /* destination unchanged */
    }
  unsigned idx = i->opc == 0xbc ? (unsigned) __builtin_ctz (v) : 31u - __builtin_clz (v);
  bw_x86_set_arith (cpu, f);
  bw_x86_reg_set (cpu, i->reg, osz, idx);
}
