/* bw-test-machine.h: the small machine the software CPU's unit tests run
 * on: flat RAM, open bus for MMIO, port 42h reads 99h, and a log of the
 * last port write. Test-only (uses Check's asserts).
 */
#pragma once

#include <glib.h>
#include <stdint.h>

#include "vmm/cpu/bw-x86-cpu.h"

typedef struct
{
  uint8_t *ram;
  uint32_t ram_size;
  BwX86Cpu *cpu;
  uint32_t last_out_port, last_out_value;
  int n_out;
} BwTestMachine;

/* RAM_SIZE bytes of RAM; CONFIG may be NULL (the CPU's defaults). */
BwTestMachine *bw_test_machine_new (uint32_t ram_size, const BwX86Config *config);
void bw_test_machine_free (BwTestMachine *m);

/* Real mode at cs:ip with CODE placed there; SS:SP = 0:8000h, the IVT at 0. */
void bw_test_machine_load_real (BwTestMachine *m, uint16_t cs, uint16_t ip,
                                const uint8_t *code, size_t len);

/* Runs up to a million instructions; the run must end at HLT. */
BwX86State bw_test_machine_run_to_hlt (BwTestMachine *m);

/* Loads the nasm guest $BW_BUILD_ROOT/tests/cpu/NAME at 0000:IP in real
 * mode (bw_test_machine_load_real) and runs it to HLT; aborts the test
 * when the file is absent. */
BwX86State bw_test_machine_run_guest (BwTestMachine *m, const char *name, uint16_t ip);
