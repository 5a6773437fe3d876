/* bw-kvm-regs.c: the common register file (bw-x86-regs.h) to and from
 * KVM's structures: kvm_regs, kvm_sregs, the debug registers, the MSRs
 * BwX86Regs carries, and kvm_fpu against the FXSAVE layout. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "kmod/bw-kvm-private.h"

#define MSR_IA32_TSC 0x10u
#define MSR_IA32_SYSENTER_CS 0x174u
#define MSR_IA32_SYSENTER_ESP 0x175u
#define MSR_IA32_SYSENTER_EIP 0x176u
#define MSR_IA32_CR_PAT 0x277u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_CSTAR 0xc0000083u
#define MSR_SYSCALL_MASK 0xc0000084u
#define MSR_KERNEL_GS_BASE 0xc0000102u

static const struct
{
  guint32 index;
  gsize offset;
} msr_fields[] = {
  { MSR_IA32_TSC, offsetof (BwX86Regs, tsc) },
  { MSR_IA32_SYSENTER_CS, offsetof (BwX86Regs, sysenter_cs) },
  { MSR_IA32_SYSENTER_ESP, offsetof (BwX86Regs, sysenter_esp) },
  { MSR_IA32_SYSENTER_EIP, offsetof (BwX86Regs, sysenter_eip) },
  { MSR_IA32_CR_PAT, offsetof (BwX86Regs, pat) },
  { MSR_STAR, offsetof (BwX86Regs, star) },
  { MSR_LSTAR, offsetof (BwX86Regs, lstar) },
  { MSR_CSTAR, offsetof (BwX86Regs, cstar) },
  { MSR_SYSCALL_MASK, offsetof (BwX86Regs, fmask) },
  { MSR_KERNEL_GS_BASE, offsetof (BwX86Regs, kernel_gs_base) },
};
#define N_MSR_FIELDS G_N_ELEMENTS (msr_fields)

typedef struct
{
  struct kvm_msrs head;
  struct kvm_msr_entry entries[N_MSR_FIELDS];
} MsrBuffer;

static gboolean
vcpu_ioctl (BwKvmVcpu *v, unsigned long request, void *arg, const char *what, GError **error)
{
  if (bw_kvm_system_ioctl (v->fd, request, arg) == 0)
    return TRUE;
  g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED, "vCPU %u: %s failed: %s", v->parent.index,
               what, g_strerror (errno));
  return FALSE;
}

/* The MSRs of msr_fields this host has; returns how many. */
static guint
msr_prepare (BwKvmVcpu *v, MsrBuffer *buf, const BwX86Regs *regs)
{
  guint n = 0;
  memset (buf, 0, sizeof *buf);
  for (guint i = 0; i < N_MSR_FIELDS; i++)
    if (bw_kvm_system_has_msr (v->sys, msr_fields[i].index))
      {
        buf->entries[n].index = msr_fields[i].index;
        if (regs)
          buf->entries[n].data = *(const guint64 *)((const guint8 *)regs + msr_fields[i].offset);
        n++;
      }
  buf->head.nmsrs = n;
  return n;
}

static gboolean
msr_transfer (BwKvmVcpu *v, MsrBuffer *buf, guint n, gboolean set, GError **error)
{
  int r = bw_kvm_system_ioctl (v->fd, set ? KVM_SET_MSRS : KVM_GET_MSRS, buf);
  if (r == (int)n)
    return TRUE;
  if (r < 0)
    g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED, "vCPU %u: %s failed: %s",
                 v->parent.index, set ? "KVM_SET_MSRS" : "KVM_GET_MSRS", g_strerror (errno));
  else
    g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED, "vCPU %u: KVM refused MSR %#x (%s)",
                 v->parent.index, buf->entries[r].index, set ? "write" : "read");
  return FALSE;
}

static void
segment_from_kvm (BwX86Segment *d, const struct kvm_segment *s)
{
  d->base = s->base;
  d->limit = s->limit;
  d->selector = s->selector;
  d->type = s->type;
  d->s = s->s;
  d->dpl = s->dpl;
  d->present = s->present;
  d->avl = s->avl;
  d->l = s->l;
  d->db = s->db;
  d->g = s->g;
  d->unusable = s->unusable;
}

static void
segment_to_kvm (struct kvm_segment *d, const BwX86Segment *s)
{
  memset (d, 0, sizeof *d);
  d->base = s->base;
  d->limit = s->limit;
  d->selector = s->selector;
  d->type = s->type & 0xf;
  d->s = !!s->s;
  d->dpl = s->dpl & 3;
  d->present = !!s->present;
  d->avl = !!s->avl;
  d->l = !!s->l;
  d->db = !!s->db;
  d->g = !!s->g;
  d->unusable = !!s->unusable;
}

static struct kvm_segment *
sreg_segment (struct kvm_sregs *sregs, guint i)
{
  struct kvm_segment *const table[BW_X86_SEG_COUNT] = {
    &sregs->es, &sregs->cs, &sregs->ss, &sregs->ds, &sregs->fs, &sregs->gs, &sregs->ldt, &sregs->tr,
  };
  return table[i];
}

/* kvm_regs keeps the general registers in its own order. */
static guint64 *
gpr_slot (struct kvm_regs *r, guint i)
{
  guint64 *const table[BW_X86_REG_COUNT] = {
    (guint64 *)&r->rax, (guint64 *)&r->rcx, (guint64 *)&r->rdx, (guint64 *)&r->rbx,
    (guint64 *)&r->rsp, (guint64 *)&r->rbp, (guint64 *)&r->rsi, (guint64 *)&r->rdi,
    (guint64 *)&r->r8,  (guint64 *)&r->r9,  (guint64 *)&r->r10, (guint64 *)&r->r11,
    (guint64 *)&r->r12, (guint64 *)&r->r13, (guint64 *)&r->r14, (guint64 *)&r->r15,
  };
  return table[i];
}

gboolean
bw_kvm_regs_get (BwVcpu *vcpu, BwX86Regs *regs, GError **error)
{
  BwKvmVcpu *v = (BwKvmVcpu *)vcpu;
  struct kvm_regs r;
  struct kvm_sregs s;
  memset (regs, 0, sizeof *regs);
  if (!vcpu_ioctl (v, KVM_GET_REGS, &r, "KVM_GET_REGS", error)
      || !vcpu_ioctl (v, KVM_GET_SREGS, &s, "KVM_GET_SREGS", error))
    return FALSE;
  for (guint i = 0; i < BW_X86_REG_COUNT; i++)
    regs->gpr[i] = *gpr_slot (&r, i);
  regs->rip = r.rip;
  regs->rflags = r.rflags;
  for (guint i = 0; i < BW_X86_SEG_COUNT; i++)
    segment_from_kvm (&regs->seg[i], sreg_segment (&s, i));
  regs->gdt.base = s.gdt.base;
  regs->gdt.limit = s.gdt.limit;
  regs->idt.base = s.idt.base;
  regs->idt.limit = s.idt.limit;
  regs->cr0 = s.cr0;
  regs->cr2 = s.cr2;
  regs->cr3 = s.cr3;
  regs->cr4 = s.cr4;
  regs->cr8 = s.cr8;
  regs->efer = s.efer;
  regs->apic_base = s.apic_base;

  if (v->sys->has_debugregs)
    {
      struct kvm_debugregs d;
      if (!vcpu_ioctl (v, KVM_GET_DEBUGREGS, &d, "KVM_GET_DEBUGREGS", error))
        return FALSE;
      memcpy (regs->dr, d.db, sizeof regs->dr);
      regs->dr6 = d.dr6;
      regs->dr7 = d.dr7;
    }

  MsrBuffer buf;
  guint n = msr_prepare (v, &buf, NULL);
  if (!msr_transfer (v, &buf, n, FALSE, error))
    return FALSE;
  for (guint k = 0; k < n; k++)
    for (guint i = 0; i < N_MSR_FIELDS; i++)
      if (msr_fields[i].index == buf.entries[k].index)
        *(guint64 *)((guint8 *)regs + msr_fields[i].offset) = buf.entries[k].data;
  return TRUE;
}

gboolean
bw_kvm_regs_set (BwVcpu *vcpu, const BwX86Regs *regs, GError **error)
{
  BwKvmVcpu *v = (BwKvmVcpu *)vcpu;
  struct kvm_regs r;
  struct kvm_sregs s;
  memset (&r, 0, sizeof r);
  for (guint i = 0; i < BW_X86_REG_COUNT; i++)
    *gpr_slot (&r, i) = regs->gpr[i];
  r.rip = regs->rip;
  r.rflags = regs->rflags | 0x2; /* bit 1 always reads as one */

  /* Read first so that a pending interrupt (interrupt_bitmap) survives. */
  if (!vcpu_ioctl (v, KVM_GET_SREGS, &s, "KVM_GET_SREGS", error))
    return FALSE;
  for (guint i = 0; i < BW_X86_SEG_COUNT; i++)
    segment_to_kvm (sreg_segment (&s, i), &regs->seg[i]);
  s.gdt.base = regs->gdt.base;
  s.gdt.limit = regs->gdt.limit;
  s.idt.base = regs->idt.base;
  s.idt.limit = regs->idt.limit;
  s.cr0 = regs->cr0;
  s.cr2 = regs->cr2;
  s.cr3 = regs->cr3;
  s.cr4 = regs->cr4;
  s.cr8 = regs->cr8;
  s.efer = regs->efer;
  s.apic_base = regs->apic_base;

  if (!vcpu_ioctl (v, KVM_SET_SREGS, &s, "KVM_SET_SREGS", error)
      || !vcpu_ioctl (v, KVM_SET_REGS, &r, "KVM_SET_REGS", error))
    return FALSE;

  if (v->sys->has_debugregs)
    {
      struct kvm_debugregs d;
      memset (&d, 0, sizeof d);
      memcpy (d.db, regs->dr, sizeof d.db);
      d.dr6 = regs->dr6;
      d.dr7 = regs->dr7;
      if (!vcpu_ioctl (v, KVM_SET_DEBUGREGS, &d, "KVM_SET_DEBUGREGS", error))
        return FALSE;
    }

  MsrBuffer buf;
  guint n = msr_prepare (v, &buf, regs);
  if (!msr_transfer (v, &buf, n, TRUE, error))
    return FALSE;
  /* KVM's interrupt window information described the old state. */
  v->window_valid = FALSE;
  return TRUE;
}

/* FXSAVE layout offsets. */
enum
{
  FX_FCW = 0,
  FX_FSW = 2,
  FX_FTW = 4,
  FX_FOP = 6,
  FX_FIP = 8,
  FX_FDP = 16,
  FX_MXCSR = 24,
  FX_MXCSR_MASK = 28,
  FX_ST0 = 32,
  FX_XMM0 = 160,
};

/* With XSAVE the legacy area of KVM's XSAVE image is the FXSAVE layout,
 * MXCSR_MASK included. (kvm_fpu is the fallback: some kernels do not
 * store MXCSR from KVM_SET_FPU.) */
static gboolean
get_fpu_xsave (BwKvmVcpu *v, BwX86Fpu *fpu, GError **error)
{
  g_autofree guint8 *xsave = g_malloc0 (v->sys->xsave_size);
  if (!vcpu_ioctl (v, v->sys->has_xsave2 ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, xsave, "KVM_GET_XSAVE",
                   error))
    return FALSE;
  memcpy (fpu->fxsave, xsave, sizeof fpu->fxsave);
  return TRUE;
}

/* Replaces the x87 and SSE state; with only_legacy the other XSAVE
 * components go back to their initial state (reset). */
static gboolean
set_fpu_xsave (BwKvmVcpu *v, const BwX86Fpu *fpu, gboolean only_legacy, GError **error)
{
  g_autofree guint8 *xsave = g_malloc0 (v->sys->xsave_size);
  if (!vcpu_ioctl (v, v->sys->has_xsave2 ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, xsave, "KVM_GET_XSAVE",
                   error))
    return FALSE;
  guint32 mxcsr_mask;
  memcpy (&mxcsr_mask, xsave + FX_MXCSR_MASK, 4);
  memcpy (xsave, fpu->fxsave, 416);               /* up to the end of XMM15 */
  memcpy (xsave + FX_MXCSR_MASK, &mxcsr_mask, 4); /* the host's, read-only */
  guint64 xstate_bv;
  memcpy (&xstate_bv, xsave + 512, 8);
  xstate_bv = (only_legacy ? 0 : xstate_bv) | 0x3; /* x87 and SSE from the legacy area */
  memcpy (xsave + 512, &xstate_bv, 8);
  return vcpu_ioctl (v, KVM_SET_XSAVE, xsave, "KVM_SET_XSAVE", error);
}

static gboolean
get_fpu_legacy (BwKvmVcpu *v, BwX86Fpu *fpu, GError **error)
{
  struct kvm_fpu f;
  if (!vcpu_ioctl (v, KVM_GET_FPU, &f, "KVM_GET_FPU", error))
    return FALSE;
  guint8 *x = fpu->fxsave;
  memset (fpu, 0, sizeof *fpu);
  memcpy (x + FX_FCW, &f.fcw, 2);
  memcpy (x + FX_FSW, &f.fsw, 2);
  x[FX_FTW] = f.ftwx;
  memcpy (x + FX_FOP, &f.last_opcode, 2);
  memcpy (x + FX_FIP, &f.last_ip, 8);
  memcpy (x + FX_FDP, &f.last_dp, 8);
  memcpy (x + FX_MXCSR, &f.mxcsr, 4);
  /* kvm_fpu does not carry MXCSR_MASK; this is what SSE2 CPUs report. */
  guint32 mask = 0xffff;
  memcpy (x + FX_MXCSR_MASK, &mask, 4);
  for (guint i = 0; i < 8; i++)
    memcpy (x + FX_ST0 + 16 * i, f.fpr[i], 16);
  for (guint i = 0; i < 16; i++)
    memcpy (x + FX_XMM0 + 16 * i, f.xmm[i], 16);
  return TRUE;
}

static gboolean
set_fpu_legacy (BwKvmVcpu *v, const BwX86Fpu *fpu, GError **error)
{
  struct kvm_fpu f;
  const guint8 *x = fpu->fxsave;
  memset (&f, 0, sizeof f);
  memcpy (&f.fcw, x + FX_FCW, 2);
  memcpy (&f.fsw, x + FX_FSW, 2);
  f.ftwx = x[FX_FTW];
  memcpy (&f.last_opcode, x + FX_FOP, 2);
  memcpy (&f.last_ip, x + FX_FIP, 8);
  memcpy (&f.last_dp, x + FX_FDP, 8);
  memcpy (&f.mxcsr, x + FX_MXCSR, 4);
  for (guint i = 0; i < 8; i++)
    memcpy (f.fpr[i], x + FX_ST0 + 16 * i, 16);
  for (guint i = 0; i < 16; i++)
    memcpy (f.xmm[i], x + FX_XMM0 + 16 * i, 16);
  return vcpu_ioctl (v, KVM_SET_FPU, &f, "KVM_SET_FPU", error);
}

gboolean
bw_kvm_regs_get_fpu (BwVcpu *vcpu, BwX86Fpu *fpu, GError **error)
{
  BwKvmVcpu *v = (BwKvmVcpu *)vcpu;
  return v->sys->xsave_size ? get_fpu_xsave (v, fpu, error) : get_fpu_legacy (v, fpu, error);
}

gboolean
bw_kvm_regs_set_fpu (BwVcpu *vcpu, const BwX86Fpu *fpu, GError **error)
{
  BwKvmVcpu *v = (BwKvmVcpu *)vcpu;
  return v->sys->xsave_size ? set_fpu_xsave (v, fpu, FALSE, error) : set_fpu_legacy (v, fpu, error);
}

gboolean
bw_kvm_regs_reset (BwKvmVcpu *v, gboolean init_only, GError **error)
{
  if (v->sys->has_vcpu_events)
    {
      /* Drop whatever was being delivered: a queued exception, an
       * injected interrupt, a pending NMI; NMIs unmasked again. */
      struct kvm_vcpu_events ev;
      memset (&ev, 0, sizeof ev);
      ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
      if (!vcpu_ioctl (v, KVM_SET_VCPU_EVENTS, &ev, "KVM_SET_VCPU_EVENTS", error))
        return FALSE;
    }

  BwX86Regs regs;
  bw_x86_regs_init_reset (&regs, v->cpu_signature);
  regs.apic_base = 0; /* there is no local APIC (see bw-kvm-cpuid.c) */
  if (!bw_kvm_regs_set (&v->parent, &regs, error))
    return FALSE;
  if (init_only)
    return TRUE;

  if (v->sys->has_xcrs)
    {
      struct kvm_xcrs xcrs;
      memset (&xcrs, 0, sizeof xcrs);
      xcrs.nr_xcrs = 1;
      xcrs.xcrs[0].xcr = 0;
      xcrs.xcrs[0].value = 1; /* x87 only, as after RESET */
      if (!vcpu_ioctl (v, KVM_SET_XCRS, &xcrs, "KVM_SET_XCRS", error))
        return FALSE;
    }
  BwX86Fpu fpu;
  bw_x86_fpu_init_reset (&fpu);
  if (!(v->sys->xsave_size ? set_fpu_xsave (v, &fpu, TRUE, error)
                           : set_fpu_legacy (v, &fpu, error)))
    return FALSE;
  return TRUE;
}
