/* bw-x86-desc.h: descriptor-table helpers of the protected-mode code. */
#pragma once

#include "vmm/cpu/bw-x86-private.h"

/* Bits of BwX86SegState.attr (descriptor bits 40-55). */
#define BW_X86_DESC_A 0x0001u
#define BW_X86_DESC_S 0x0010u
#define BW_X86_DESC_DPL(a) (((a) >> 5) & 3)
#define BW_X86_DESC_P 0x0080u
#define BW_X86_DESC_DB 0x4000u
#define BW_X86_DESC_G 0x8000u

/* Reads the 8-byte descriptor of selector from the GDT or LDT; FALSE when
 * it lies outside the table. */
gboolean bw_x86_desc_read (BwX86Cpu *cpu, uint16_t selector, uint32_t *lo, uint32_t *hi);
void bw_x86_desc_set_accessed (BwX86Cpu *cpu, uint16_t selector, uint32_t hi);
void bw_x86_desc_to_cache (uint16_t selector, uint32_t lo, uint32_t hi, BwX86SegState *s);
void bw_x86_set_cpl (BwX86Cpu *cpu, unsigned cpl);
