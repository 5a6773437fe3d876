/* bw-x86-cpu.h: the software x86 CPU, as its owner (the software backend,
 * tests, the debugger) sees it.
 *
 * One BwX86Cpu is one virtual CPU. It is driven by one thread at a time
 * through bw_x86_cpu_run(); the entry points in bw-x86-bus.h may be called
 * from any thread.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm/cpu/bw-x86-bus.h"

/* Segment register numbers, in the order the instruction encoding uses. */
enum
{
  BW_X86_ES,
  BW_X86_CS,
  BW_X86_SS,
  BW_X86_DS,
  BW_X86_FS,
  BW_X86_GS,
  BW_X86_N_SEGS
};

/* General registers, in encoding order. */
enum
{
  BW_X86_EAX,
  BW_X86_ECX,
  BW_X86_EDX,
  BW_X86_EBX,
  BW_X86_ESP,
  BW_X86_EBP,
  BW_X86_ESI,
  BW_X86_EDI
};

/* EFLAGS bits. */
#define BW_X86_CF 0x0001u
#define BW_X86_PF 0x0004u
#define BW_X86_AF 0x0010u
#define BW_X86_ZF 0x0040u
#define BW_X86_SF 0x0080u
#define BW_X86_TF 0x0100u
#define BW_X86_IF 0x0200u
#define BW_X86_DF 0x0400u
#define BW_X86_OF 0x0800u
#define BW_X86_IOPL 0x3000u
#define BW_X86_NT 0x4000u
#define BW_X86_RF 0x10000u
#define BW_X86_VM 0x20000u
#define BW_X86_AC 0x40000u
#define BW_X86_VIF 0x80000u
#define BW_X86_VIP 0x100000u
#define BW_X86_ID 0x200000u

/* CR0 bits. */
#define BW_X86_CR0_PE 0x00000001u
#define BW_X86_CR0_MP 0x00000002u
#define BW_X86_CR0_EM 0x00000004u
#define BW_X86_CR0_TS 0x00000008u
#define BW_X86_CR0_ET 0x00000010u
#define BW_X86_CR0_NE 0x00000020u
#define BW_X86_CR0_WP 0x00010000u
#define BW_X86_CR0_AM 0x00040000u
#define BW_X86_CR0_NW 0x20000000u
#define BW_X86_CR0_CD 0x40000000u
#define BW_X86_CR0_PG 0x80000000u

#define BW_X86_CR4_VME 0x00000001u
#define BW_X86_CR4_PVI 0x00000002u
#define BW_X86_CR4_TSD 0x00000004u
#define BW_X86_CR4_DE 0x00000008u
#define BW_X86_CR4_PSE 0x00000010u
#define BW_X86_CR4_PAE 0x00000020u
#define BW_X86_EFER_NXE 0x00000800u
#define BW_X86_CR4_PGE 0x00000080u

/* A segment register with its descriptor cache. attr holds descriptor
 * bits 40-55 (access byte in 0-7, G/D/L/AVL in 12-15). */
typedef struct
{
  uint16_t selector;
  uint16_t attr;
  uint32_t base;
  uint32_t limit; /* byte granular, already scaled by G */
} BwX86SegState;

typedef struct
{
  uint32_t base;
  uint16_t limit;
} BwX86TableReg;

typedef struct
{
  uint32_t gpr[8];
  uint32_t eip;
  uint32_t eflags;
  BwX86SegState seg[BW_X86_N_SEGS];
  BwX86SegState ldtr, tr;
  BwX86TableReg gdtr, idtr;
  uint32_t cr0, cr2, cr3, cr4;
} BwX86State;

/* The translator: DEFAULT is ON unless BOXWOOD_CPU_JIT says off, on or
 * eager (translate every 32-bit block at its first run, for tests). */
typedef enum
{
  BW_X86_JIT_DEFAULT,
  BW_X86_JIT_ON,
  BW_X86_JIT_OFF,
  BW_X86_JIT_EAGER,
} BwX86JitMode;

typedef struct
{
  BwX86JitMode jit;
  /* Whether an x87 FPU is present. Without one, ESC opcodes decode and do
   * nothing (CR0.EM clear, ET clear), as on a board with an empty socket. */
  bool has_fpu;
} BwX86Config;

typedef enum
{
  BW_X86_EXIT_BUDGET,    /* ran the number of instructions asked for */
  BW_X86_EXIT_HLT,       /* executed HLT with no interrupt to wake it */
  BW_X86_EXIT_REQUEST,   /* bw_x86_cpu_request_exit() */
  BW_X86_EXIT_SHUTDOWN,  /* triple fault */
  BW_X86_EXIT_DEBUG,     /* single step or breakpoint */
} BwX86Exit;

BwX86Cpu *bw_x86_cpu_new (const BwX86Bus *bus, const BwX86Config *config);
void bw_x86_cpu_free (BwX86Cpu *cpu);

void bw_x86_cpu_get_state (BwX86Cpu *cpu, BwX86State *state);
/* Sets every register. Segment caches are taken as given (a loader may put
 * the CPU straight into protected mode). The TLB is flushed; decoded code
 * stays valid, as it follows memory, not registers. */
void bw_x86_cpu_set_state (BwX86Cpu *cpu, const BwX86State *state);

/* Runs until max_insns instructions have executed (the last ones of the
 * budget run one at a time, so it stops exactly there: the virtual clock
 * puts a timer's deadline at that instruction) or another exit happens. */
BwX86Exit bw_x86_cpu_run (BwX86Cpu *cpu, uint64_t max_insns);

/* The x87 state as an FXSAVE image (512 bytes; SSE parts zero). */
void bw_x86_cpu_get_fxsave (BwX86Cpu *cpu, uint8_t out[512]);
void bw_x86_cpu_set_fxsave (BwX86Cpu *cpu, const uint8_t in[512]);

bool bw_x86_cpu_is_halted (BwX86Cpu *cpu);
/* Whether a pending NMI or INTR could be taken now (for HLT waits). */
bool bw_x86_cpu_interrupt_deliverable (BwX86Cpu *cpu);
/* Instructions retired since creation. */
uint64_t bw_x86_cpu_get_insn_count (BwX86Cpu *cpu);

/* Debugger hooks: with single step on, run() returns BW_X86_EXIT_DEBUG
 * after every instruction; a breakpoint stops before the instruction at
 * that linear address executes. */
void bw_x86_cpu_set_single_step (BwX86Cpu *cpu, bool on);
void bw_x86_cpu_set_breakpoint (BwX86Cpu *cpu, uint32_t linear, bool on);

/* Instruction trace: while out is set, every instruction is written to
 * it before it executes, one line each: CS:EIP, its bytes and its
 * disassembly (Capstone), then with BW_X86_TRACE_REGS a line of the
 * registers as they are before it; interrupts and exceptions get a line
 * as they are delivered. The CPU then runs one instruction at a time
 * (slow); off, it costs nothing. NULL turns it off; the CPU never closes
 * out. FALSE (and no trace) if the disassembler cannot be opened. Call it
 * on the CPU's thread or while the CPU is not running. */
#define BW_X86_TRACE_REGS 1u
bool bw_x86_cpu_set_trace (BwX86Cpu *cpu, FILE *out, unsigned flags);

/* The vector of the last exception or interrupt delivered, -1 if none
 * since creation or bw_x86_cpu_set_state() (for the debugger and tests). */
int bw_x86_cpu_get_last_vector (BwX86Cpu *cpu);

/* Statistics of the decoded-code cache, for tests and benchmarks. */
typedef struct
{
  uint64_t blocks_decoded;
  uint64_t blocks_invalidated;
  uint64_t blocks_live;
  uint64_t jit_blocks;  /* blocks translated to host code */
  uint64_t jit_bytes;   /* host code written */
  uint64_t jit_flushes; /* times the code buffer was dropped whole */
  uint64_t jit_chains;  /* exits pointed straight at their successor */
  uint64_t jit_bails;   /* translated blocks that refused to run (segments) */
} BwX86CacheStats;
void bw_x86_cpu_get_cache_stats (BwX86Cpu *cpu, BwX86CacheStats *stats);
