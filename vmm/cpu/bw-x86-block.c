/* bw-x86-block.c: the cache of decoded blocks.
 *
 * Blocks are found by the physical address of their first byte and the
 * decoding mode, so code shared by several linear mappings is decoded
 * once, and invalidation is by physical page: a bitmap says which pages
 * hold decoded code, a table lists the blocks on each page. A page with
 * code gets no fast write access in the TLB, so the first write to it
 * drops its blocks (self-modifying code, loaders) and re-opens the page.
 * Dropped blocks are freed between blocks, never under the interpreter.
 */
#include "config.h"

#include "vmm/cpu/bw-x86-private.h"

#define N_PAGES (1u << 20)

/* page number -> GPtrArray of the blocks on it; kept per CPU. */
static GHashTable *
page_table (BwX86Cpu *cpu)
{
  return (GHashTable *) cpu->page_blocks;
}

void
bw_x86_block_init (BwX86Cpu *cpu)
{
  cpu->code_pages = g_malloc0 (N_PAGES / 8);
  cpu->page_blocks = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                            (GDestroyNotify) g_ptr_array_unref);
}

static inline unsigned
hash_of (uint32_t phys, uint32_t mode)
{
  uint32_t h = phys * 0x9e3779b1u ^ mode;
  return (h >> 13) & (BW_X86_BLOCK_HASH - 1);
}

static void
page_add (BwX86Cpu *cpu, uint32_t page, BwX86Block *b)
{
  uint32_t pn = page >> 12;
  GPtrArray *arr = g_hash_table_lookup (page_table (cpu), GUINT_TO_POINTER (pn));
  if (!arr)
    {
      arr = g_ptr_array_new ();
      g_hash_table_insert (page_table (cpu), GUINT_TO_POINTER (pn), arr);
    }
  g_ptr_array_add (arr, b);
  if (!bw_x86_page_has_code (cpu, page))
    {
      cpu->code_pages[pn >> 3] |= 1u << (pn & 7);
      bw_x86_tlb_protect_phys (cpu, page);
    }
}

static void
page_remove (BwX86Cpu *cpu, uint32_t page, BwX86Block *b)
{
  GPtrArray *arr = g_hash_table_lookup (page_table (cpu), GUINT_TO_POINTER (page >> 12));
  if (arr)
    g_ptr_array_remove_fast (arr, b);
}

/* Unhooks a block from the hash and the page lists; freed later. */
static void
kill_block (BwX86Cpu *cpu, BwX86Block *b)
{
  page_remove (cpu, b->phys & ~0xfffu, b);
  if (b->phys2_page != UINT32_MAX)
    page_remove (cpu, b->phys2_page, b);
  BwX86Block **pp = &cpu->hash[hash_of (b->phys, b->mode)];
  while (*pp && *pp != b)
    pp = &(*pp)->hash_next;
  if (*pp)
    *pp = b->hash_next;
  b->dead = TRUE;
  /* The running block stops after the current instruction: exec_insns()
   * ends at an instruction flagged END (the block never runs again). */
  if (b == cpu->cur_block)
    {
      for (uint32_t k = 0; k < b->n_insns; k++)
        b->insns[k].flags |= BW_X86_I_END;
      cpu->jit_stop = 1;
    }
  cpu->block_gen++;
  /* Translated code only chains to translated blocks. */
  if (b->jit_code)
    cpu->code_gen++;
  b->dead_next = cpu->dead_blocks;
  cpu->dead_blocks = b;
  cpu->stats.blocks_invalidated++;
  cpu->stats.blocks_live--;
}

void
bw_x86_block_invalidate_page (BwX86Cpu *cpu, uint32_t phys_page)
{
  uint32_t pn = phys_page >> 12;
  GPtrArray *arr = NULL;
  if (!g_hash_table_steal_extended (page_table (cpu), GUINT_TO_POINTER (pn), NULL,
                                    (gpointer *) &arr))
    {
      cpu->code_pages[pn >> 3] &= ~(1u << (pn & 7));
      return;
    }
  for (guint k = 0; k < arr->len; k++)
    {
      BwX86Block *b = arr->pdata[k];
      if (b->dead)
        continue;
      /* Also unlists it from the other page of a block that crosses. */
      kill_block (cpu, b);
    }
  g_ptr_array_unref (arr);
  cpu->code_pages[pn >> 3] &= ~(1u << (pn & 7));
}

void
bw_x86_block_flush_all (BwX86Cpu *cpu)
{
  g_hash_table_remove_all (page_table (cpu));
  for (unsigned h = 0; h < BW_X86_BLOCK_HASH; h++)
    while (cpu->hash[h])
      kill_block (cpu, cpu->hash[h]);
  memset (cpu->code_pages, 0, N_PAGES / 8);
}

void
bw_x86_block_stop_running (BwX86Cpu *cpu)
{
  if (cpu->cur_block && !cpu->cur_block->dead)
    kill_block (cpu, cpu->cur_block);
}

void
bw_x86_block_reap (BwX86Cpu *cpu)
{
  cpu->prev_block = NULL;
  while (cpu->dead_blocks)
    {
      BwX86Block *b = cpu->dead_blocks;
      cpu->dead_blocks = b->dead_next;
      g_free (b);
    }
}

void
bw_x86_block_fini (BwX86Cpu *cpu)
{
  bw_x86_block_flush_all (cpu);
  bw_x86_block_reap (cpu);
  g_hash_table_unref (page_table (cpu));
  g_free (cpu->code_pages);
}

BwX86Block *
bw_x86_block_find (BwX86Cpu *cpu)
{
  const BwX86Seg *cs = &cpu->seg[BW_X86_CS];
  uint32_t lin = cs->s.base + cpu->eip;
  BwX86TlbEntry *e = &cpu->tlb[(lin >> 12) & (BW_X86_TLB_SIZE - 1)];
  if (e->tag_r != (lin & ~0xfffu) || e->nx)
    e = bw_x86_tlb_fill (cpu, lin, BW_X86_ACC_X); /* raises #PF for NX */
  uint32_t phys = e->phys_page | (lin & 0xfff);
  uint32_t mode = cs->big;
  unsigned h = hash_of (phys, mode);

  for (BwX86Block *b = cpu->hash[h]; b; b = b->hash_next)
    if (b->phys == phys && b->mode == mode)
      {
        if (!bw_x86_block_in_cs (cpu, b))
          {
            /* Decoded under a larger CS: decode again, which stops at
             * the limit (or raises #GP for the first instruction). */
            kill_block (cpu, b);
            break;
          }
        if (b->phys2_page != UINT32_MAX)
          {
            /* The second page must still map where it did. */
            uint32_t lin2 = (lin | 0xfff) + 1;
            BwX86TlbEntry *e2 = bw_x86_tlb_fill (cpu, lin2, BW_X86_ACC_X);
            if (e2->phys_page != b->phys2_page)
              {
                kill_block (cpu, b);
                break;
              }
          }
        return b;
      }

  uint32_t last_page;
  unsigned n = bw_x86_decode_block (cpu, BW_X86_BLOCK_MAX_INSNS, &last_page);
  BwX86Block *b = g_malloc (sizeof (BwX86Block) + n * sizeof (BwX86Insn));
  b->phys = phys;
  b->mode = mode;
  b->n_insns = n;
  b->len = 0;
  for (unsigned k = 0; k < n; k++)
    b->len += cpu->scratch[k].len;
  b->dead = FALSE;
  b->dead_next = NULL;
  b->link_gen = cpu->block_gen - 1;
  b->link_next = 0;
  memset (b->link, 0, sizeof b->link);
  b->jit_code = NULL;
  b->jit_runs = 0;
  b->jit_failed = FALSE;
  b->jit_bails = 0;
  b->jit_no_flat = FALSE;
  b->phys2_page = last_page != (phys & ~0xfffu) ? last_page : UINT32_MAX;
  memcpy (b->insns, cpu->scratch, n * sizeof (BwX86Insn));
  b->hash_next = cpu->hash[h];
  cpu->hash[h] = b;
  page_add (cpu, phys & ~0xfffu, b);
  if (b->phys2_page != UINT32_MAX)
    page_add (cpu, b->phys2_page, b);
  cpu->stats.blocks_decoded++;
  cpu->stats.blocks_live++;
  return b;
}
