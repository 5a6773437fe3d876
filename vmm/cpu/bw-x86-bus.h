/* bw-x86-bus.h: how the software x86 CPU meets the platform.
 *
 * The CPU knows nothing about devices. The platform hands it a BwX86Bus: a
 * table of callbacks with one opaque pointer. Guest-physical memory is seen
 * in 4 KiB pages: map_page() returns a host pointer to the start of a RAM or
 * ROM page, which the CPU caches in its software TLB and then reads and
 * writes directly; pages without a host pointer (MMIO, unassigned) go
 * through mmio_read()/mmio_write() on every access.
 *
 * The functions at the end are the entry points the platform calls: the
 * interrupt lines, the A20 gate, code invalidation after DMA, reset, INIT.
 * They may be called from another thread than the one running the CPU;
 * they only set flags that the CPU picks up at its next block boundary
 * (or when bw_x86_cpu_run() starts). bw_x86_cpu_reset() and
 * bw_x86_cpu_init() are the exception: call them while the CPU is not
 * running.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct _BwX86Cpu BwX86Cpu;

#define BW_X86_PAGE_SIZE 4096u
#define BW_X86_PAGE_MASK (~(uint64_t) (BW_X86_PAGE_SIZE - 1))

typedef struct
{
  void *opaque;

  /* Host pointer to the first byte of the guest-physical page at page_addr
   * (a multiple of 4096), or NULL when the page is not plain memory. With
   * write, the page must be writable RAM: return NULL for ROM so that
   * writes reach mmio_write(), which may drop them. A pointer stays valid
   * until the platform calls bw_x86_cpu_flush_mappings(). */
  uint8_t *(*map_page) (void *opaque, uint64_t page_addr, bool write);

  /* Accesses to pages without a host pointer. size is 1, 2 or 4; an
   * access never crosses a page. Unassigned addresses read as all ones. */
  uint32_t (*mmio_read) (void *opaque, uint64_t addr, unsigned size);
  void (*mmio_write) (void *opaque, uint64_t addr, unsigned size, uint32_t value);

  /* I/O ports; size is 1, 2 or 4. Unclaimed ports read as all ones. */
  uint32_t (*port_in) (void *opaque, uint16_t port, unsigned size);
  void (*port_out) (void *opaque, uint16_t port, unsigned size, uint32_t value);

  /* The CPU accepts a maskable interrupt: acknowledge it at the interrupt
   * controller and return its vector (0-255). */
  uint8_t (*intr_ack) (void *opaque);

  /* The CPU shut down (triple fault); a PC turns this into a reset. May be
   * NULL: the CPU then resets itself. */
  void (*shutdown) (void *opaque);

  /* The platform's virtual time in nanoseconds; the TSC follows it at
   * 1 GHz. May be NULL: the TSC then counts instructions. */
  int64_t (*get_time_ns) (void *opaque);

  /* FERR#, the x87's error output, for PC-style error reporting with
   * CR0.NE clear: TRUE when a waiting FPU instruction finds an unmasked
   * exception pending (a PC latches that as IRQ 13), FALSE when the
   * exception is cleared. May be NULL. */
  void (*ferr) (void *opaque, bool level);
} BwX86Bus;

/* Entry points for the platform. */

/* The level of the INTR line from the PIC. */
void bw_x86_cpu_set_intr (BwX86Cpu *cpu, bool level);
/* An edge on the NMI line. */
void bw_x86_cpu_raise_nmi (BwX86Cpu *cpu);
/* The A20 gate: when disabled, physical address bit 20 reads as zero. */
void bw_x86_cpu_set_a20 (BwX86Cpu *cpu, bool enabled);
/* Guest-physical [addr, addr+len) was written behind the CPU's back (DMA,
 * the platform's own loader): drop decoded code there. */
void bw_x86_cpu_invalidate_code (BwX86Cpu *cpu, uint64_t addr, uint64_t len);
/* The memory map changed (RAM shadowing, BARs): forget every host pointer. */
void bw_x86_cpu_flush_mappings (BwX86Cpu *cpu);
/* Power-on/hardware reset and the INIT signal. INIT keeps the FPU, the
 * caches' contents and the MSRs, like a real CPU. */
void bw_x86_cpu_reset (BwX86Cpu *cpu);
void bw_x86_cpu_init (BwX86Cpu *cpu);
/* IGNNE#: the chipset asserts it when the guest writes port F0h (to
 * acknowledge IRQ 13); the FPU then reports nothing more until FERR#
 * falls, which also drops IGNNE#. */
void bw_x86_cpu_set_ignne (BwX86Cpu *cpu, bool level);
/* Ask bw_x86_cpu_run() to return at the next block boundary. */
void bw_x86_cpu_request_exit (BwX86Cpu *cpu);
