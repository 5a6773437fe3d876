/* bw-x86-ops-system.c: flag instructions, HLT, port I/O, the FPU escape
 * without an FPU, undefined opcodes, and the 0F system instructions:
 * descriptor-table registers, control and debug registers, CPUID, RDTSC,
 * MSRs, cache control.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"
#include "vmm/cpu/bw-x86-desc.h"

static inline unsigned
iopl (BwX86Cpu *cpu)
{
  return (cpu->eflags >> 12) & 3;
}

/* Privileged instructions: #GP(0) outside ring 0 (V86 counts as ring 3). */
static void
need_cpl0 (BwX86Cpu *cpu)
{
  if ((cpu->cr0 & BW_X86_CR0_PE) && cpu->cpl != 0)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
}

/* Instructions that only exist in protected mode raise #UD elsewhere. */
static void
need_pmode (BwX86Cpu *cpu)
{
  if (!bw_x86_pmode (cpu))
    bw_x86_raise (cpu, BW_X86_EXC_UD);
}

BW_X86_OP (ud)
{
  bw_x86_raise (cpu, BW_X86_EXC_UD);
}

BW_X86_OP (hlt)
{
  need_cpl0 (cpu);
  cpu->eip = bw_x86_next_eip (cpu, i);
  cpu->halted = TRUE;
}

BW_X86_OP (cmc)
{
  bw_x86_flags_sync (cpu);
  cpu->eflags ^= BW_X86_CF;
}

BW_X86_OP (clc_stc)
{
  bw_x86_flags_sync (cpu);
  cpu->eflags = (cpu->eflags & ~BW_X86_CF) | (i->opc & 1);
}

BW_X86_OP (cld_std)
{
  cpu->eflags = (cpu->eflags & ~BW_X86_DF) | ((i->opc & 1) ? BW_X86_DF : 0);
}

/* CPL > IOPL: #GP, or VIF with VME in V86 mode or PVI at CPL 3. */
static gboolean
if_change_virtual (BwX86Cpu *cpu, gboolean sti)
{
  if (!((cpu->cr0 & BW_X86_CR0_PE) && cpu->cpl > iopl (cpu)))
    return FALSE;
  if (!bw_x86_vif_cli_sti (cpu, sti))
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  return TRUE;
}

BW_X86_OP (cli)
{
  if (if_change_virtual (cpu, FALSE))
    return;
  cpu->eflags &= ~BW_X86_IF;
}

BW_X86_OP (sti)
{
  if (if_change_virtual (cpu, TRUE))
    return;
  if (!(cpu->eflags & BW_X86_IF))
    cpu->irq_shadow = TRUE;
  cpu->eflags |= BW_X86_IF;
}

/* ---- port I/O ------------------------------------------------------------ */

/* In protected mode with CPL > IOPL, and in V86 mode, the TSS I/O
 * permission bitmap decides. */
void
bw_x86_io_check (BwX86Cpu *cpu, uint16_t port, unsigned size)
{
  if (BW_X86_UNLIKELY (cpu->dbp_io))
    bw_x86_debug_io (cpu, port, size);
  if (!(cpu->cr0 & BW_X86_CR0_PE))
    return;
  if (!(cpu->eflags & BW_X86_VM) && cpu->cpl <= iopl (cpu))
    return;
  unsigned type = cpu->tr.attr & 0x0f;
  if ((type != 0x09 && type != 0x0b) || cpu->tr.limit < 0x67)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  uint32_t base = bw_x86_sys_read (cpu, cpu->tr.base + 0x66, 2);
  uint32_t off = base + port / 8;
  if (off + 1 > cpu->tr.limit)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  uint32_t bits = bw_x86_sys_read (cpu, cpu->tr.base + off, 2);
  if ((bits >> (port & 7)) & ((1u << size) - 1))
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
}

BW_X86_OP (in)
{
  unsigned n = bw_x86_bytes (i->osz);
  uint16_t port = (i->opc & 8) ? (uint16_t) cpu->gpr[BW_X86_EDX] : (uint16_t) i->imm;
  bw_x86_io_check (cpu, port, n);
  bw_x86_reg_set (cpu, BW_X86_EAX, i->osz, cpu->bus.port_in (cpu->bus.opaque, port, n));
}

BW_X86_OP (out)
{
  unsigned n = bw_x86_bytes (i->osz);
  uint16_t port = (i->opc & 8) ? (uint16_t) cpu->gpr[BW_X86_EDX] : (uint16_t) i->imm;
  bw_x86_io_check (cpu, port, n);
  cpu->bus.port_out (cpu->bus.opaque, port, n, bw_x86_reg_get (cpu, BW_X86_EAX, i->osz));
}

/* ---- descriptor tables ------------------------------------------------------ */

BW_X86_OP (sgdt_sidt)
{
  const BwX86TableReg *t = i->reg == 0 ? &cpu->gdtr : &cpu->idtr;
  uint32_t off = bw_x86_ea (cpu, i);
  uint32_t off2 = (i->flags & BW_X86_I_A32) ? off + 2 : (off + 2) & 0xffff;
  uint32_t base = (i->flags & BW_X86_I_O32) ? t->base : t->base & 0x00ffffffu;
  bw_x86_seg_lin (cpu, i->seg, off2, 4, BW_X86_ACC_W);
  bw_x86_write (cpu, i->seg, off, 2, t->limit);
  bw_x86_write (cpu, i->seg, off2, 4, base);
}

BW_X86_OP (lgdt_lidt)
{
  need_cpl0 (cpu);
  if (cpu->eflags & BW_X86_VM)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  uint32_t off = bw_x86_ea (cpu, i);
  uint32_t off2 = (i->flags & BW_X86_I_A32) ? off + 2 : (off + 2) & 0xffff;
  uint16_t limit = (uint16_t) bw_x86_read (cpu, i->seg, off, 2);
  uint32_t base = bw_x86_read (cpu, i->seg, off2, 4);
  if (!(i->flags & BW_X86_I_O32))
    base &= 0x00ffffffu;
  BwX86TableReg *t = i->reg == 2 ? &cpu->gdtr : &cpu->idtr;
  t->base = base;
  t->limit = limit;
}

BW_X86_OP (smsw)
{
  if (i->mod == 3)
    bw_x86_reg_set (cpu, i->rm, i->osz, cpu->cr0);
  else
    bw_x86_write (cpu, i->seg, bw_x86_ea (cpu, i), 2, cpu->cr0 & 0xffff);
}

BW_X86_OP (lmsw)
{
  need_cpl0 (cpu);
  if (cpu->eflags & BW_X86_VM)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  uint32_t v = bw_x86_rm_get (cpu, i, 1) & 0xf;
  /* LMSW sets PE but never clears it. */
  uint32_t old = cpu->cr0;
  cpu->cr0 = (cpu->cr0 & ~0xeu) | v | (cpu->cr0 & BW_X86_CR0_PE);
  if ((old ^ cpu->cr0) & BW_X86_CR0_PE)
    bw_x86_seg_refresh_all (cpu);
}

BW_X86_OP (invlpg)
{
  need_cpl0 (cpu);
  if (cpu->eflags & BW_X86_VM)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  bw_x86_tlb_flush_page (cpu, cpu->seg[i->seg].s.base + bw_x86_ea (cpu, i));
}

BW_X86_OP (sldt_str)
{
  need_pmode (cpu);
  uint16_t sel = i->reg == 0 ? cpu->ldtr.selector : cpu->tr.selector;
  if (i->mod == 3)
    bw_x86_reg_set (cpu, i->rm, i->osz, sel);
  else
    bw_x86_write (cpu, i->seg, bw_x86_ea (cpu, i), 2, sel);
}

BW_X86_OP (lldt_ltr)
{
  need_pmode (cpu);
  need_cpl0 (cpu);
  uint16_t sel = (uint16_t) bw_x86_rm_get (cpu, i, 1);
  if (i->reg == 2 && (sel & ~3u) == 0)
    {
      cpu->ldtr = (BwX86SegState){ .selector = sel };
      return;
    }
  if ((sel & 4) || (sel & ~3u) == 0)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, sel & ~3u);
  uint32_t lo, hi;
  if (!bw_x86_desc_read (cpu, sel, &lo, &hi))
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, sel & ~3u);
  unsigned type = (hi >> 8) & 0x1f;
  if (i->reg == 2 ? type != 0x02 : (type != 0x01 && type != 0x09))
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, sel & ~3u);
  if (!(hi & 0x8000))
    bw_x86_raise_err (cpu, BW_X86_EXC_NP, sel & ~3u);
  if (i->reg == 2)
    bw_x86_desc_to_cache (sel, lo, hi, &cpu->ldtr);
  else
    {
      /* Mark the TSS busy. */
      uint32_t addr = cpu->gdtr.base + (sel & ~7u) + 5;
      bw_x86_sys_write (cpu, addr, 1, ((hi >> 8) & 0xff) | 0x02);
      bw_x86_desc_to_cache (sel, lo, hi | 0x200, &cpu->tr);
    }
}

/* Whether the descriptor of sel is visible at CPL/RPL for LAR, LSL,
 * VERR, VERW. */
static gboolean
desc_visible (BwX86Cpu *cpu, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
  if ((sel & ~3u) == 0 || !bw_x86_desc_read (cpu, sel, lo, hi))
    return FALSE;
  unsigned dpl = (*hi >> 13) & 3, type = (*hi >> 8) & 0x1f;
  gboolean conforming_code = (type & 0x1c) == 0x1c;
  if (!conforming_code && (dpl < cpu->cpl || dpl < (sel & 3u)))
    return FALSE;
  return TRUE;
}

static void
set_zf (BwX86Cpu *cpu, gboolean on)
{
  uint32_t f = bw_x86_get_eflags (cpu) & BW_X86_ARITH_FLAGS & ~BW_X86_ZF;
  bw_x86_set_arith (cpu, f | (on ? BW_X86_ZF : 0));
}

BW_X86_OP (verr_verw)
{
  need_pmode (cpu);
  uint16_t sel = (uint16_t) bw_x86_rm_get (cpu, i, 1);
  uint32_t lo, hi;
  gboolean ok = desc_visible (cpu, sel, &lo, &hi) && (hi & 0x1000);
  if (ok)
    {
      unsigned type = (hi >> 8) & 0x0f;
      if (i->reg == 4)
        ok = !(type & 0x8) || (type & 0x2); /* data, or readable code */
      else
        ok = !(type & 0x8) && (type & 0x2); /* writable data */
    }
  set_zf (cpu, ok);
}

BW_X86_OP (lar_lsl)
{
  need_pmode (cpu);
  uint16_t sel = (uint16_t) bw_x86_rm_get (cpu, i, 1);
  uint32_t lo, hi;
  gboolean ok = desc_visible (cpu, sel, &lo, &hi);
  if (ok && !(hi & 0x1000))
    {
      /* System descriptors: LAR accepts TSS, LDT, gates; LSL no gates. */
      static const uint8_t lar_ok[16] = { 0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0 };
      static const uint8_t lsl_ok[16] = { 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0 };
      unsigned type = (hi >> 8) & 0x0f;
      ok = i->opc == 0x02 ? lar_ok[type] : lsl_ok[type];
    }
  set_zf (cpu, ok);
  if (!ok)
    return;
  if (i->opc == 0x02)
    bw_x86_reg_set (cpu, i->reg, i->osz, hi & 0x00f0ff00u);
  else
    {
      BwX86SegState s;
      bw_x86_desc_to_cache (sel, lo, hi, &s);
      bw_x86_reg_set (cpu, i->reg, i->osz, s.limit);
    }
}

BW_X86_OP (arpl)
{
  need_pmode (cpu);
  uint32_t dst = bw_x86_rm_get (cpu, i, 1);
  uint32_t src = bw_x86_reg_get (cpu, i->reg, 1);
  if ((dst & 3) < (src & 3))
    {
      bw_x86_rm_set (cpu, i, 1, (dst & ~3u) | (src & 3));
      set_zf (cpu, TRUE);
    }
  else
    set_zf (cpu, FALSE);
}

/* ---- control and debug registers ------------------------------------------ */

BW_X86_OP (clts)
{
  need_cpl0 (cpu);
  cpu->cr0 &= ~BW_X86_CR0_TS;
}

BW_X86_OP (wbinvd)
{
  need_cpl0 (cpu);
}

static void
need_cpl0_strict (BwX86Cpu *cpu)
{
  if (cpu->eflags & BW_X86_VM)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  need_cpl0 (cpu);
}

BW_X86_OP (mov_r_cr)
{
  need_cpl0_strict (cpu);
  uint32_t v;
  switch (i->reg)
    {
    case 0: v = cpu->cr0; break;
    case 2: v = cpu->cr2; break;
    case 3: v = cpu->cr3; break;
    case 4: v = cpu->cr4; break;
    default: bw_x86_raise (cpu, BW_X86_EXC_UD);
    }
  cpu->gpr[i->rm] = v;
}

BW_X86_OP (mov_cr_r)
{
  need_cpl0_strict (cpu);
  uint32_t v = cpu->gpr[i->rm];
  switch (i->reg)
    {
    case 0:
      if ((v & BW_X86_CR0_PG) && !(v & BW_X86_CR0_PE))
        bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
      if ((v & BW_X86_CR0_NW) && !(v & BW_X86_CR0_CD))
        bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
      v |= BW_X86_CR0_ET;
      if ((v ^ cpu->cr0) & (BW_X86_CR0_PG | BW_X86_CR0_WP | BW_X86_CR0_PE))
        bw_x86_tlb_flush (cpu);
      {
        gboolean pe_changed = ((v ^ cpu->cr0) & BW_X86_CR0_PE) != 0;
        cpu->cr0 = v;
        if (pe_changed)
          bw_x86_seg_refresh_all (cpu);
        bw_x86_update_align_check (cpu);
      }
      break;
    case 2:
      cpu->cr2 = v;
      break;
    case 3:
      cpu->cr3 = v;
      bw_x86_tlb_flush (cpu);
      break;
    case 4:
      /* VME PVI TSD DE PSE PAE MCE PGE OSFXSR OSXMMEXCPT */
      if (v & ~0x6ffu)
        bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
      cpu->cr4 = v;
      bw_x86_tlb_flush (cpu);
      bw_x86_debug_update (cpu); /* DE enables I/O breakpoints */
      break;
    default:
      bw_x86_raise (cpu, BW_X86_EXC_UD);
    }
  cpu->eip = bw_x86_next_eip (cpu, i);
}

/* DR4/DR5 (#UD with CR4.DE) and DR7.GD: bw-x86-debug.c. */
BW_X86_OP (mov_r_dr)
{
  need_cpl0_strict (cpu);
  cpu->gpr[i->rm] = bw_x86_dr_read (cpu, i->reg);
}

BW_X86_OP (mov_dr_r)
{
  need_cpl0_strict (cpu);
  bw_x86_dr_write (cpu, i->reg, cpu->gpr[i->rm]);
}

/* ---- identification, time stamp, MSRs ------------------------------------- */

BW_X86_OP (cpuid)
{
  uint32_t leaf = cpu->gpr[BW_X86_EAX];
  uint32_t a = 0, b = 0, c = 0, d = 0;
  switch (leaf)
    {
    case 0x80000000u:
      a = 0x80000001u;
      break;
    case 0x80000001u:
      d = 1u << 20; /* NX */
      break;
    case 0:
      a = 1;
      b = 0x756e6547; /* "GenuineIntel" */
      d = 0x49656e69;
      c = 0x6c65746e;
      break;
    case 1:
      a = 0x633; /* family 6, model 3, stepping 3: Pentium II class */
      /* PSE, TSC, MSR, PAE, CX8, SEP, PGE, CMOV; FPU only when one is
       * fitted. */
      d = (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 8) | (1u << 11) | (1u << 13)
          | (1u << 15);
      if (cpu->config.has_fpu)
        {
          /* FPU; MMX, FXSR, SSE, SSE2 and CLFSH (64-byte lines) live on
           * the x87 state (bw-x86-sse-*.c). */
          d |= 1u | (1u << 19) | (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26);
          b = 8u << 8;
        }
      d |= (1u << 1) | (1u << 2); /* VME, DE (bw-x86-vme.c, bw-x86-debug.c) */
      break;
    default:
      break;
    }
  cpu->gpr[BW_X86_EAX] = a;
  cpu->gpr[BW_X86_EBX] = b;
  cpu->gpr[BW_X86_ECX] = c;
  cpu->gpr[BW_X86_EDX] = d;
}

uint64_t
bw_x86_tsc_raw (BwX86Cpu *cpu)
{
  /* The platform's virtual clock at a nominal 1 GHz, else instructions. */
  if (cpu->bus.get_time_ns)
    return (uint64_t) cpu->bus.get_time_ns (cpu->bus.opaque);
  return cpu->insn_count;
}

static uint64_t
tsc (BwX86Cpu *cpu)
{
  return bw_x86_tsc_raw (cpu) + cpu->tsc_offset;
}

BW_X86_OP (rdtsc)
{
  if ((cpu->cr4 & 0x4) && cpu->cpl != 0 && (cpu->cr0 & BW_X86_CR0_PE))
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  uint64_t t = tsc (cpu);
  cpu->gpr[BW_X86_EAX] = (uint32_t) t;
  cpu->gpr[BW_X86_EDX] = (uint32_t) (t >> 32);
}

/* MSRs kept as plain storage. */
static uint64_t *
msr_slot (BwX86Cpu *cpu, uint32_t idx)
{
  switch (idx)
    {
    case 0x1b: return &cpu->msr_apic_base;
    /* BIOS_SIGN_ID: Linux writes 0 there before CPUID and reads the
     * microcode revision back (bits 63:32); we have none, so 0. */
    case 0x8b: return &cpu->msr_bios_sign_id;
    case 0x174: return &cpu->msr_sysenter[0];
    case 0x175: return &cpu->msr_sysenter[1];
    case 0x176: return &cpu->msr_sysenter[2];
    case 0xfe: return &cpu->msr_mtrr[0]; /* MTRRcap */
    case 0x2ff: return &cpu->msr_mtrr[1];
    case 0x250: return &cpu->msr_mtrr[2];
    case 0x258: return &cpu->msr_mtrr[3];
    case 0x259: return &cpu->msr_mtrr[4];
    default:
      if (idx >= 0x200 && idx < 0x210)
        return &cpu->msr_mtrr_var[idx - 0x200];
      if (idx >= 0x268 && idx < 0x270)
        return &cpu->msr_mtrr_fixed[idx - 0x268];
      return NULL;
    }
}

BW_X86_OP (rdmsr)
{
  need_cpl0_strict (cpu);
  uint32_t idx = cpu->gpr[BW_X86_ECX];
  uint64_t v;
  if (idx == 0x10)
    v = tsc (cpu);
  else if (idx == 0x17)
    v = 0; /* PLATFORM_ID: no platform bits */
  else if (idx == 0xc0000080u)
    v = cpu->efer;
  else
    {
      uint64_t *slot = msr_slot (cpu, idx);
      if (!slot)
        bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
      v = *slot;
    }
  cpu->gpr[BW_X86_EAX] = (uint32_t) v;
  cpu->gpr[BW_X86_EDX] = (uint32_t) (v >> 32);
}

BW_X86_OP (wrmsr)
{
  need_cpl0_strict (cpu);
  uint32_t idx = cpu->gpr[BW_X86_ECX];
  uint64_t v = ((uint64_t) cpu->gpr[BW_X86_EDX] << 32) | cpu->gpr[BW_X86_EAX];
  if (idx == 0x10)
    {
      cpu->tsc_offset = v - bw_x86_tsc_raw (cpu);
      return;
    }
  if (idx == 0xc0000080u)
    {
      /* EFER: only NXE; long mode (LME) is not offered. */
      if (v & ~(uint64_t) BW_X86_EFER_NXE)
        bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
      cpu->efer = v;
      bw_x86_tlb_flush (cpu);
      return;
    }
  uint64_t *slot = msr_slot (cpu, idx);
  if (!slot || idx == 0xfe)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  *slot = v;
}

/* ---- SYSENTER / SYSEXIT ------------------------------------------------------ */

static void
flat_seg (BwX86Cpu *cpu, int seg, uint16_t sel, gboolean code, unsigned dpl)
{
  BwX86SegState s = { .selector = sel, .base = 0, .limit = 0xffffffffu,
                      .attr = (uint16_t) (BW_X86_DESC_P | BW_X86_DESC_S | (dpl << 5)
                                          | (code ? 0x0b : 0x03) | BW_X86_DESC_DB
                                          | BW_X86_DESC_G) };
  bw_x86_seg_set_cache (cpu, seg, &s);
}

BW_X86_OP (sysenter)
{
  uint16_t cs = (uint16_t) cpu->msr_sysenter[0];
  if (!(cpu->cr0 & BW_X86_CR0_PE) || (cs & ~3u) == 0)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  bw_x86_flags_sync (cpu);
  cpu->eflags &= ~(BW_X86_VM | BW_X86_IF | BW_X86_RF);
  bw_x86_set_cpl (cpu, 0);
  flat_seg (cpu, BW_X86_CS, cs & ~3u, TRUE, 0);
  flat_seg (cpu, BW_X86_SS, (cs & ~3u) + 8, FALSE, 0);
  cpu->gpr[BW_X86_ESP] = (uint32_t) cpu->msr_sysenter[1];
  cpu->eip = (uint32_t) cpu->msr_sysenter[2];
}

BW_X86_OP (sysexit)
{
  uint16_t cs = (uint16_t) cpu->msr_sysenter[0];
  if (!bw_x86_pmode (cpu) || cpu->cpl != 0 || (cs & ~3u) == 0)
    bw_x86_raise_err (cpu, BW_X86_EXC_GP, 0);
  bw_x86_set_cpl (cpu, 3);
  flat_seg (cpu, BW_X86_CS, ((cs & ~3u) + 16) | 3, TRUE, 3);
  flat_seg (cpu, BW_X86_SS, ((cs & ~3u) + 24) | 3, FALSE, 3);
  cpu->gpr[BW_X86_ESP] = cpu->gpr[BW_X86_ECX];
  cpu->eip = cpu->gpr[BW_X86_EDX];
}
