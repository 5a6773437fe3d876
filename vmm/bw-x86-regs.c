/* bw-x86-regs.c: reset values and dumps of the common x86 register file. */
#include "config.h"

#include <string.h>
#include "vmm/bw-x86-regs.h"

static void
set_segment (BwX86Segment *seg, guint16 selector, guint64 base, guint8 type, guint8 s)
{
  memset (seg, 0, sizeof *seg);
  seg->selector = selector;
  seg->base = base;
  seg->limit = 0xffff;
  seg->type = type;
  seg->s = s;
  seg->present = 1;
}

void
bw_x86_regs_init_reset (BwX86Regs *regs, guint32 cpu_signature)
{
  memset (regs, 0, sizeof *regs);
  /* Intel SDM vol. 3, "Processor State After Reset". */
  regs->gpr[BW_X86_REG_RDX] = cpu_signature;
  regs->rip = 0xfff0;
  regs->rflags = 0x2;
  set_segment (&regs->seg[BW_X86_SEG_CS], 0xf000, 0xffff0000, 0xb, 1); /* code, RX, accessed */
  for (guint i = 0; i < 6; i++)
    if (i != BW_X86_SEG_CS)
      set_segment (&regs->seg[i], 0, 0, 0x3, 1); /* data, RW, accessed */
  set_segment (&regs->seg[BW_X86_SEG_LDTR], 0, 0, 0x2, 0); /* LDT */
  set_segment (&regs->seg[BW_X86_SEG_TR], 0, 0, 0xb, 0);   /* busy 32-bit TSS */
  regs->gdt.limit = 0xffff;
  regs->idt.limit = 0xffff;
  regs->cr0 = 0x60000010; /* CD, NW, ET */
  regs->dr6 = 0xffff0ff0;
  regs->dr7 = 0x400;
  regs->apic_base = 0xfee00000 | (1u << 11) | (1u << 8); /* enabled, BSP */
  regs->pat = G_GUINT64_CONSTANT (0x0007040600070406);
}

void
bw_x86_fpu_init_reset (BwX86Fpu *fpu)
{
  memset (fpu, 0, sizeof *fpu);
  /* FXSAVE layout: FCW at 0, MXCSR at 24. FINIT's control word; after
   * RESET the x87 is as after FINIT with the tag word all empty (the
   * abridged tag byte is then 0). */
  fpu->fxsave[0] = 0x7f;
  fpu->fxsave[1] = 0x03;
  fpu->fxsave[24] = 0x80;
  fpu->fxsave[25] = 0x1f;
}

static const char *const gpr_names[BW_X86_REG_COUNT] = {
  "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
  "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
static const char *const seg_names[BW_X86_SEG_COUNT] = {
  "es", "cs", "ss", "ds", "fs", "gs", "ldtr", "tr",
};

void
bw_x86_regs_dump (const BwX86Regs *regs, GString *out)
{
  for (guint i = 0; i < BW_X86_REG_COUNT; i++)
    g_string_append_printf (out, "%s=%016" G_GINT64_MODIFIER "x%s", gpr_names[i], regs->gpr[i],
                            (i % 4 == 3) ? "\n" : " ");
  g_string_append_printf (out, "rip=%016" G_GINT64_MODIFIER "x rflags=%08" G_GINT64_MODIFIER "x\n",
                          regs->rip, regs->rflags);
  for (guint i = 0; i < BW_X86_SEG_COUNT; i++)
    {
      const BwX86Segment *s = &regs->seg[i];
      g_string_append_printf (out,
                              "%-4s=%04x base=%016" G_GINT64_MODIFIER "x limit=%08x type=%x s=%u "
                              "dpl=%u p=%u db=%u l=%u g=%u%s\n",
                              seg_names[i], s->selector, s->base, s->limit, s->type, s->s, s->dpl,
                              s->present, s->db, s->l, s->g, s->unusable ? " unusable" : "");
    }
  g_string_append_printf (out,
                          "gdt=%08" G_GINT64_MODIFIER "x:%04x idt=%08" G_GINT64_MODIFIER "x:%04x\n",
                          regs->gdt.base, regs->gdt.limit, regs->idt.base, regs->idt.limit);
  g_string_append_printf (out,
                          "cr0=%08" G_GINT64_MODIFIER "x cr2=%08" G_GINT64_MODIFIER
                          "x cr3=%08" G_GINT64_MODIFIER "x cr4=%08" G_GINT64_MODIFIER
                          "x efer=%" G_GINT64_MODIFIER "x\n",
                          regs->cr0, regs->cr2, regs->cr3, regs->cr4, regs->efer);
}
