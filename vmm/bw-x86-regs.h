/* bw-x86-regs.h: the x86 register file as every CPU backend exchanges it
 * (get/set registers, saved state, the debugger). Segment descriptors are
 * unpacked as in a descriptor cache; limits are in bytes (granularity
 * already applied), as KVM's kvm_segment has them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Names are BW_X86_REG_* and BW_X86_SEG_* so that this header can sit
 * beside the software CPU's own (vmm/cpu/bw-x86-cpu.h) in its backend. */

/* General registers in instruction-encoding order. */
typedef enum
{
  BW_X86_REG_RAX, BW_X86_REG_RCX, BW_X86_REG_RDX, BW_X86_REG_RBX,
  BW_X86_REG_RSP, BW_X86_REG_RBP, BW_X86_REG_RSI, BW_X86_REG_RDI,
  BW_X86_REG_R8, BW_X86_REG_R9, BW_X86_REG_R10, BW_X86_REG_R11,
  BW_X86_REG_R12, BW_X86_REG_R13, BW_X86_REG_R14, BW_X86_REG_R15,
  BW_X86_REG_COUNT
} BwX86GprIndex;

/* Segment registers in encoding order, then LDTR and TR. */
typedef enum
{
  BW_X86_SEG_ES, BW_X86_SEG_CS, BW_X86_SEG_SS, BW_X86_SEG_DS, BW_X86_SEG_FS, BW_X86_SEG_GS,
  BW_X86_SEG_LDTR, BW_X86_SEG_TR,
  BW_X86_SEG_COUNT
} BwX86SegIndex;

typedef struct
{
  guint64 base;
  guint32 limit;   /* in bytes */
  guint16 selector;
  guint8 type;     /* 4-bit descriptor type */
  guint8 s;        /* 1: code/data, 0: system */
  guint8 dpl;
  guint8 present;
  guint8 avl;
  guint8 l;        /* 64-bit code */
  guint8 db;       /* default operand size / big */
  guint8 g;        /* granularity (informational: limit is already in bytes) */
  guint8 unusable; /* null selector loaded in protected mode */
} BwX86Segment;

typedef struct
{
  guint64 base;
  guint16 limit;
} BwX86Table;

typedef struct
{
  guint64 gpr[BW_X86_REG_COUNT];
  guint64 rip;
  guint64 rflags;
  BwX86Segment seg[BW_X86_SEG_COUNT];
  BwX86Table gdt;
  BwX86Table idt;
  guint64 cr0, cr2, cr3, cr4, cr8;
  guint64 dr[4];
  guint64 dr6, dr7;
  guint64 efer;
  guint64 apic_base;
  /* MSRs a 32-bit guest and its saved state need. */
  guint64 tsc;
  guint64 sysenter_cs, sysenter_esp, sysenter_eip;
  guint64 pat;
  /* 64-bit MSRs (zero on a 32-bit CPU). */
  guint64 star, lstar, cstar, fmask, kernel_gs_base;
} BwX86Regs;

/* x87/MMX/SSE state in the FXSAVE layout (512 bytes). */
typedef struct
{
  guint8 fxsave[512] __attribute__ ((aligned (16)));
} BwX86Fpu;

/* The state after RESET, as the architecture defines it: CS selector
 * F000 with base FFFF0000, IP FFF0, EFLAGS 2, CR0 60000010, DX the CPU
 * signature. */
void bw_x86_regs_init_reset (BwX86Regs *regs, guint32 cpu_signature);
/* Power-on FPU state (FCW 037F, MXCSR 1F80). */
void bw_x86_fpu_init_reset (BwX86Fpu *fpu);

/* One-line-per-group text dump for logs and the debugger. */
void bw_x86_regs_dump (const BwX86Regs *regs, GString *out);

G_END_DECLS
