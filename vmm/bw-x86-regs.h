/* bw-x86-regs.h: the x86 register file as every CPU backend exchanges it
 * (get/set registers, saved state, the debugger). Segment descriptors are
 * unpacked as in a descriptor cache; limits are in bytes (granularity
 * already applied), as KVM's kvm_segment has them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* General registers in instruction-encoding order. */
typedef enum
{
  BW_X86_RAX, BW_X86_RCX, BW_X86_RDX, BW_X86_RBX,
  BW_X86_RSP, BW_X86_RBP, BW_X86_RSI, BW_X86_RDI,
  BW_X86_R8, BW_X86_R9, BW_X86_R10, BW_X86_R11,
  BW_X86_R12, BW_X86_R13, BW_X86_R14, BW_X86_R15,
  BW_X86_N_GPRS
} BwX86Gpr;

/* Segment registers in encoding order, then LDTR and TR. */
typedef enum
{
  BW_X86_ES, BW_X86_CS, BW_X86_SS, BW_X86_DS, BW_X86_FS, BW_X86_GS,
  BW_X86_LDTR, BW_X86_TR,
  BW_X86_N_SEGS
} BwX86Seg;

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

#define BW_X86_CR0_PE (1u << 0)
#define BW_X86_CR0_ET (1u << 4)
#define BW_X86_CR0_NE (1u << 5)
#define BW_X86_CR0_WP (1u << 16)
#define BW_X86_CR0_NW (1u << 29)
#define BW_X86_CR0_CD (1u << 30)
#define BW_X86_CR0_PG (1u << 31)
#define BW_X86_EFER_SCE (1u << 0)
#define BW_X86_EFER_LME (1u << 8)
#define BW_X86_EFER_LMA (1u << 10)
#define BW_X86_EFER_NXE (1u << 11)

typedef struct
{
  guint64 gpr[BW_X86_N_GPRS];
  guint64 rip;
  guint64 rflags;
  BwX86Segment seg[BW_X86_N_SEGS];
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
