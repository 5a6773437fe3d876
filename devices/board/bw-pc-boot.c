/* bw-pc-boot.c: boot images and the entry state they start in. */
#include "config.h"

#include <string.h>
#include "devices/board/bw-pc-boot.h"

G_DEFINE_QUARK (bw-pc-boot-error-quark, bw_pc_boot_error)

static void
chunk_clear (gpointer p)
{
  BwPcBootChunk *c = p;
  g_clear_pointer (&c->data, g_bytes_unref);
}

BwPcBoot *
bw_pc_boot_new (BwPcEntryMode mode)
{
  BwPcBoot *boot = g_new0 (BwPcBoot, 1);
  boot->chunks = g_array_new (FALSE, TRUE, sizeof (BwPcBootChunk));
  g_array_set_clear_func (boot->chunks, chunk_clear);
  boot->mode = mode;
  return boot;
}

void
bw_pc_boot_free (BwPcBoot *boot)
{
  if (!boot)
    return;
  g_array_unref (boot->chunks);
  g_free (boot->description);
  g_free (boot);
}

void
bw_pc_boot_add (BwPcBoot *boot, guint64 gpa, GBytes *data)
{
  BwPcBootChunk c = { gpa, g_bytes_ref (data) };
  g_array_append_val (boot->chunks, c);
}

void
bw_pc_boot_add_copy (BwPcBoot *boot, guint64 gpa, const void *data, gsize len)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, len);
  bw_pc_boot_add (boot, gpa, bytes);
}

/* A flat 4 GiB descriptor: base 0, limit FFFFF pages, present, DPL 0,
 * 32-bit, the given type (0xA/0xB code, 0x2/0x3 data). */
static guint64
flat_descriptor (guint type)
{
  return G_GUINT64_CONSTANT (0x00cf00000000ffff) | ((guint64) (0x90 | type) << 40);
}

gboolean
bw_pc_boot_write (const BwPcBoot *boot, BwMemory *mem, GError **error)
{
  if (boot->mode == BW_PC_ENTRY_PROTECTED)
    {
      guint64 gdt[4] = { 0, 0, GUINT64_TO_LE (flat_descriptor (0xb)),
                         GUINT64_TO_LE (flat_descriptor (0x3)) };
      if (!bw_memory_write (mem, BW_PC_BOOT_GDT_ADDR, gdt, sizeof gdt))
        {
          g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_NO_SPACE,
                       "No RAM for the boot GDT at 0x%x", BW_PC_BOOT_GDT_ADDR);
          return FALSE;
        }
    }
  for (guint i = 0; i < boot->chunks->len; i++)
    {
      const BwPcBootChunk *c = &g_array_index (boot->chunks, BwPcBootChunk, i);
      gsize len = g_bytes_get_size (c->data);
      if (len == 0)
        continue;
      /* Check first: bw_memory_write() drops what is not RAM. */
      if (!bw_memory_get_host_range (mem, c->gpa, len, TRUE)
          || !bw_memory_write (mem, c->gpa, g_bytes_get_data (c->data, NULL), len))
        {
          g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_NO_SPACE,
                       "The boot image range 0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER
                       "x is not in guest RAM",
                       c->gpa, c->gpa + len - 1);
          return FALSE;
        }
    }
  return TRUE;
}

static void
set_segment (BwX86Segment *seg, guint16 selector, guint64 base, guint32 limit, guint8 type,
             gboolean big)
{
  memset (seg, 0, sizeof *seg);
  seg->selector = selector;
  seg->base = base;
  seg->limit = limit;
  seg->type = type;
  seg->s = 1;
  seg->present = 1;
  seg->db = big;
  seg->g = big;
}

void
bw_pc_boot_apply_regs (const BwPcBoot *boot, BwX86Regs *regs)
{
  if (boot->mode == BW_PC_ENTRY_FIRMWARE)
    return;
  memset (regs->gpr, 0, sizeof regs->gpr);
  regs->rflags = 0x2;
  regs->rip = boot->eip;
  regs->gpr[BW_X86_REG_RSP] = boot->esp;
  regs->gpr[BW_X86_REG_RAX] = boot->eax;
  regs->gpr[BW_X86_REG_RBX] = boot->ebx;
  regs->gpr[BW_X86_REG_RSI] = boot->esi;

  if (boot->mode == BW_PC_ENTRY_REAL)
    {
      set_segment (&regs->seg[BW_X86_SEG_CS], boot->cs, (guint64) boot->cs << 4, 0xffff, 0xb,
                   FALSE);
      for (guint s = 0; s < BW_X86_SEG_LDTR; s++)
        if (s != BW_X86_SEG_CS)
          set_segment (&regs->seg[s], boot->cs, (guint64) boot->cs << 4, 0xffff, 0x3, FALSE);
      return;
    }

  set_segment (&regs->seg[BW_X86_SEG_CS], BW_PC_BOOT_CODE_SELECTOR, 0, 0xffffffff, 0xb, TRUE);
  for (guint s = 0; s < BW_X86_SEG_LDTR; s++)
    if (s != BW_X86_SEG_CS)
      set_segment (&regs->seg[s], BW_PC_BOOT_DATA_SELECTOR, 0, 0xffffffff, 0x3, TRUE);
  regs->gdt.base = BW_PC_BOOT_GDT_ADDR;
  regs->gdt.limit = 4 * 8 - 1;
  regs->cr0 = (regs->cr0 & ~(guint64) 0x80000000) | 0x1; /* PE, paging off */
  regs->cr0 &= ~(guint64) 0x60000000;                    /* caches on (CD, NW clear) */
}
