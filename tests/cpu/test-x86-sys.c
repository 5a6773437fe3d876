/* test-x86-sys.c: unit tests of the software x86 CPU's system extensions:
 * VME and PVI, the I/O permission bitmap, debug registers (nasm guests
 * that log what their handlers see), the debugger hooks and the
 * instruction trace.
 */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "bw-test.h"
#include "bw-test-machine.h"
#include "vmm/cpu/bw-x86-private.h"

/* ---- a small machine: 16 MiB RAM, a port log (bw-test-machine.c) ---------- */

#define RAM_SIZE (16u << 20)

typedef BwTestMachine Machine;

static Machine *
machine_new (void)
{
  return bw_test_machine_new (RAM_SIZE, NULL);
}

static uint32_t
rd32 (Machine *m, uint32_t addr)
{
  return m->ram[addr] | (m->ram[addr + 1] << 8) | (m->ram[addr + 2] << 16)
         | ((uint32_t) m->ram[addr + 3] << 24);
}

static uint32_t
rd16 (Machine *m, uint32_t addr)
{
  return m->ram[addr] | (m->ram[addr + 1] << 8);
}

/* ---- VME, PVI, I/O bitmap ---------------------------------------------- */

START_TEST (test_vme)
{
  Machine *m = machine_new ();
  bw_test_machine_run_guest (m, "vme.bin", 0x7c00);
  /* IF as V86 code sees it is VIF; IOPL reads 3. */
  ck_assert_uint_eq (rd16 (m, 0x800) & 0x3200, 0x3200);  /* STI set VIF */
  ck_assert_uint_eq (rd16 (m, 0x820) & 0x3200, 0x3200);  /* INT 21h pushed VIF as IF */
  ck_assert_uint_eq (rd16 (m, 0x822) & 0x3200, 0x3000);  /* redirection cleared VIF */
  ck_assert_uint_eq (rd16 (m, 0x804) & 0x3200, 0x3200);  /* IRET restored it */
  ck_assert_uint_eq (rd16 (m, 0x806) & 0x3200, 0x3000);  /* CLI */
  ck_assert_uint_eq (rd16 (m, 0x808) & 0x3200, 0x3200);  /* POPF with IF */
  /* The second INT 21h, with IOPL 3: real IF pushed, then cleared. */
  ck_assert_uint_eq (rd16 (m, 0x80e), 8);
  ck_assert_uint_eq (rd16 (m, 0x824) & 0x3200, 0x3200);
  ck_assert_uint_eq (rd16 (m, 0x826) & 0x3200, 0x3000);
  /* INT 30h with IOPL 3 went through the IDT gate, from V86 mode. */
  ck_assert_uint_eq (rd32 (m, 0x900), 0x30);
  ck_assert_uint_eq (rd32 (m, 0x904) & (BW_X86_VM | BW_X86_IOPL), BW_X86_VM | BW_X86_IOPL);

  static const uint8_t faults[] = { 0xcd, 0xfb, 0x9d, 0x9d, 0x66, 0xcf, 0xf4, 0xf4 };
  ck_assert_uint_eq (rd32 (m, 0xf00), G_N_ELEMENTS (faults));
  for (unsigned k = 0; k < G_N_ELEMENTS (faults); k++)
    {
      uint32_t e = 0x1000 + 16 * k;
      ck_assert_msg (rd32 (m, e) == faults[k], "fault %u: opcode %02x, expected %02x", k,
                     rd32 (m, e), faults[k]);
      ck_assert_uint_eq (rd32 (m, e + 8), 0); /* #GP(0) */
      ck_assert_uint_eq (rd32 (m, e + 12) & BW_X86_VM, BW_X86_VM);
    }
  /* INT 30h (bit set, IOPL 0) faulted with VIF set by the POPF. */
  ck_assert_uint_eq (rd32 (m, 0x100c) & (BW_X86_VIF | BW_X86_VIP | BW_X86_IOPL), BW_X86_VIF);
  /* STI faulted with VIP set, VIF clear (the CLI before it worked). */
  ck_assert_uint_eq (rd32 (m, 0x101c) & (BW_X86_VIF | BW_X86_VIP), BW_X86_VIP);
  bw_test_machine_free (m);
}
END_TEST

START_TEST (test_pvi)
{
  Machine *m = machine_new ();
  bw_test_machine_run_guest (m, "pvi.bin", 0x7c00);
  ck_assert_uint_eq (rd32 (m, 0xf00), 3);
  ck_assert_uint_eq (rd32 (m, 0x1004), 0);  /* CLI at CPL 3 without PVI */
  ck_assert_uint_eq (rd32 (m, 0x1014), 0);  /* MOV from DR7 at CPL 3 */
  /* PVI: CLI and STI change VIF, never IF. */
  ck_assert_uint_eq (rd32 (m, 0x800) & (BW_X86_VIF | BW_X86_IF), BW_X86_IF);
  ck_assert_uint_eq (rd32 (m, 0x804) & (BW_X86_VIF | BW_X86_IF), BW_X86_VIF | BW_X86_IF);
  /* POPFD at CPL > IOPL leaves IF and VIF. */
  ck_assert_uint_eq (rd32 (m, 0x808) & (BW_X86_VIF | BW_X86_IF), BW_X86_VIF | BW_X86_IF);
  /* STI with VIP set faults, VIF still set from before. */
  ck_assert_uint_eq (rd32 (m, 0x1024), 0);
  ck_assert_uint_eq (rd32 (m, 0x1028) & (BW_X86_VIF | BW_X86_VIP), BW_X86_VIF | BW_X86_VIP);
  bw_test_machine_free (m);
}
END_TEST

START_TEST (test_io_bitmap)
{
  Machine *m = machine_new ();
  bw_test_machine_run_guest (m, "iopb.bin", 0x7c00);
  ck_assert_uint_eq (m->ram[0x800], 0x99);  /* IN from an allowed port */
  ck_assert_uint_eq (m->ram[0x804], 0x99);  /* INSB */
  ck_assert_uint_eq (rd32 (m, 0x808), 0);   /* REP OUTSB ran out */
  /* OUT 80h, OUT 81h (word), three OUTSB, the V86 OUT 80h: nothing else. */
  ck_assert_int_eq (m->n_out, 6);
  ck_assert_uint_eq (m->last_out_port, 0x80);
  ck_assert_uint_eq (m->last_out_value, 0x44);
  ck_assert_uint_eq (rd32 (m, 0xf00), 6);
  for (unsigned k = 0; k < 6; k++)
    ck_assert_uint_eq (rd32 (m, 0x1004 + 16 * k), 0);
  /* The last two are V86 mode: OUT 90h (offset 10 in the V86 code), HLT. */
  ck_assert_uint_eq (rd32 (m, 0x1040), 10);
  ck_assert_uint_eq (rd32 (m, 0x1050), 12);
  bw_test_machine_free (m);
}
END_TEST

/* ---- alignment check, WAIT --------------------------------------------- */

START_TEST (test_alignment_check)
{
  BwX86Config config = { .has_fpu = TRUE };
  Machine *m = bw_test_machine_new (RAM_SIZE, &config);
  bw_test_machine_run_guest (m, "align.bin", 0x7c00);
  ck_assert_uint_eq (rd32 (m, 0x3038), 0); /* no other exception */
  /* Six #AC(0) at CPL 3 (word store, dword load, RMW, FILD m64,
   * CMPXCHG8B, PUSH to a misaligned stack), then WAIT's #NM in ring 0. */
  ck_assert_uint_eq (rd32 (m, 0xf00), 7);
  for (unsigned k = 0; k < 7; k++)
    {
      uint32_t e = 0x1000 + 16 * k;
      ck_assert_msg (rd32 (m, e) == rd32 (m, 0x1800 + 4 * k), "fault %u at %x, expected %x", k,
                     rd32 (m, e), rd32 (m, 0x1800 + 4 * k));
      ck_assert_uint_eq (rd32 (m, e + 4), 0);
      ck_assert_uint_eq (rd32 (m, e + 8), k < 6 ? 17 : 7);
      ck_assert_uint_eq (rd32 (m, e + 12), k < 6 ? 0x1b : 0x08);
    }
  /* The faulting accesses left no trace. */
  for (uint32_t a = 0x3040; a < 0x3060; a += 4)
    ck_assert_uint_eq (rd32 (m, a), 0);
  ck_assert_uint_eq (rd32 (m, 0x3020), 0x5a5a5a5a);
  ck_assert_uint_eq (rd16 (m, 0x5ffa), 0); /* (5FFCh: PUSHFD later) */
  /* Aligned at CPL 3, then misaligned with AC clear, with AM clear and
   * at CPL 0: no fault, stored. */
  ck_assert_uint_eq (rd32 (m, 0x3000), 0x22221111);
  ck_assert_uint_eq (rd32 (m, 0x3008), 0x11111111);
  ck_assert_uint_eq (rd16 (m, 0x3011), 0x1234);
  ck_assert_uint_eq (rd32 (m, 0x3019), 0x22222222);
  ck_assert_uint_eq (rd32 (m, 0x3025), 0x33333333);
  ck_assert_uint_eq (rd32 (m, 0x3030), 1); /* WAIT with TS alone ran */
  bw_test_machine_free (m);
}
END_TEST

/* ---- debug registers --------------------------------------------------- */

START_TEST (test_debug_registers)
{
  Machine *m = machine_new ();
  BwX86State st = bw_test_machine_run_guest (m, "dbreg.bin", 0x7c00);
  static const struct
  {
    uint32_t test, dr6;
  } db[] = {
    { 1, 0xffff0ff1u }, /* instruction breakpoint, DR0 */
    { 2, 0xffff0ff1u }, /* once, although the instruction faulted */
    { 3, 0xffff0ff2u }, /* data write, DR1 */
    { 4, 0xffff0ff4u }, /* data read, DR2 */
    { 5, 0xffff0ff8u }, /* REP STOSB, DR3 */
    { 6, 0xffff0ff8u }, /* I/O, DR3 */
    { 8, 0xffff2ff0u }, /* general detect: BD */
  };
  ck_assert_uint_eq (rd32 (m, 0xf00), G_N_ELEMENTS (db));
  for (unsigned k = 0; k < G_N_ELEMENTS (db); k++)
    {
      uint32_t e = 0x1000 + 32 * k;
      ck_assert_uint_eq (rd32 (m, e), db[k].test);
      ck_assert_msg (rd32 (m, e + 4) == db[k].dr6, "#DB %u: DR6 %08x, expected %08x", k,
                     rd32 (m, e + 4), db[k].dr6);
      ck_assert_msg (rd32 (m, e + 8) == rd32 (m, 0x980 + 4 * k),
                     "#DB %u: EIP %08x, expected %08x", k, rd32 (m, e + 8),
                     rd32 (m, 0x980 + 4 * k));
    }
  /* Instruction breakpoints push RF clear; the handler's RF let the
   * instruction run once. */
  ck_assert_uint_eq (rd32 (m, 0x100c) & BW_X86_RF, 0);
  ck_assert_uint_eq (rd32 (m, 0x900), 1);
  /* Test 2: the #GP frame had RF set. */
  ck_assert_uint_eq (rd32 (m, 0xf20), 1);
  ck_assert_uint_eq (rd32 (m, 0xf24) & BW_X86_RF, BW_X86_RF);
  /* REP STOSB: the trap after the 6th byte, and then it completed. */
  ck_assert_uint_eq (rd32 (m, 0x1000 + 32 * 4 + 16), 10);
  ck_assert_uint_eq (st.gpr[BW_X86_ECX], 0);
  /* DR4: #UD with CR4.DE, DR6 without. */
  ck_assert_uint_eq (rd32 (m, 0xf10), 1);
  ck_assert_uint_eq (rd32 (m, 0x904), 0xffff0ff0u);
  /* GD: the MOV ran after the #DB, and GD was cleared. */
  ck_assert_uint_eq (rd32 (m, 0x908), 0x1234);
  ck_assert_uint_eq (rd32 (m, 0x90c), 0x400);
  bw_test_machine_free (m);
}
END_TEST

/* Real-mode data breakpoint set up from outside: the trap goes through
 * the IVT after the store, the fast path elsewhere still works. */
START_TEST (test_data_breakpoint_real_mode)
{
  /* mov word [0x3000], 1; mov word [0x3002], 2; mov [0x4000], ax; hlt
   * handler: inc word [0x2000]; iret */
  static const uint8_t code[] = { 0xc7, 0x06, 0x00, 0x30, 0x01, 0x00, 0xc7, 0x06, 0x02,
                                  0x30, 0x02, 0x00, 0xa3, 0x00, 0x40, 0xf4, 0xff, 0x06,
                                  0x00, 0x20, 0xcf };
  Machine *m = machine_new ();
  bw_test_machine_load_real (m, 0, 0x1000, code, sizeof code);
  m->ram[4] = 0x10; /* vector 1: 0000:1010 */
  m->ram[5] = 0x10;
  m->cpu->dr[1] = 0x3002;
  m->cpu->dr[7] = 0x00500004; /* L1, write, 2 bytes */
  bw_x86_debug_update (m->cpu);
  bw_test_machine_run_to_hlt (m);
  ck_assert_uint_eq (rd16 (m, 0x2000), 1);
  ck_assert_uint_eq (m->cpu->dr[6] & 0xf, 2);
  ck_assert_uint_eq (rd16 (m, 0x3000), 1);
  ck_assert_uint_eq (rd16 (m, 0x3002), 2);
  bw_test_machine_free (m);
}
END_TEST

static void
wr32 (Machine *m, uint32_t addr, uint32_t v)
{
  for (int k = 0; k < 4; k++)
    m->ram[addr + k] = (uint8_t) (v >> (8 * k));
}

/* A JMP to a TSS with the T flag: a #DB trap (BT) in the new task before
 * its first instruction; DR7's local enables are cleared, global kept. */
START_TEST (test_task_switch_debug_trap)
{
  Machine *m = machine_new ();
  static const uint32_t gdt[] = { 0, 0, 0x0000ffff, 0x00cf9a00, 0x0000ffff, 0x00cf9200,
                                  0x20000067, 0x00008900, 0x21000067, 0x00008900 };
  memcpy (m->ram + 0x1000, gdt, sizeof gdt);
  wr32 (m, 0x1808, 0x00083100);  /* IDT vector 1: 0008:3100, interrupt gate */
  wr32 (m, 0x180c, 0x00008e00);
  static const uint8_t jmp[] = { 0xea, 0, 0, 0, 0, 0x20, 0 };  /* jmp 0020:0 */
  memcpy (m->ram + 0x3000, jmp, sizeof jmp);
  m->ram[0x3010] = 0xf4;                                         /* hlt */
  static const uint8_t handler[] = { 0xff, 0x05, 0x00, 0x40, 0, 0, 0xcf }; /* inc [4000h]; iretd */
  memcpy (m->ram + 0x3100, handler, sizeof handler);
  /* TSS B: EIP, EFLAGS, ESP, segments, T flag. */
  wr32 (m, 0x2100 + 0x20, 0x3010);
  wr32 (m, 0x2100 + 0x24, 2);
  wr32 (m, 0x2100 + 0x38, 0x9000);
  static const uint16_t segs[6] = { 0x10, 0x08, 0x10, 0x10, 0x10, 0x10 };
  for (int s = 0; s < 6; s++)
    wr32 (m, 0x2100 + 0x48 + 4 * s, segs[s]);
  m->ram[0x2100 + 0x64] = 1;

  BwX86State st;
  bw_x86_cpu_get_state (m->cpu, &st);
  st.cr0 = BW_X86_CR0_PE | BW_X86_CR0_ET;
  for (int s = 0; s < BW_X86_N_SEGS; s++)
    st.seg[s] = (BwX86SegState){ .selector = 0x10, .limit = 0xffffffffu, .attr = 0xc093 };
  st.seg[BW_X86_CS] = (BwX86SegState){ .selector = 0x08, .limit = 0xffffffffu, .attr = 0xc09b };
  st.gdtr = (BwX86TableReg){ 0x1000, sizeof gdt - 1 };
  st.idtr = (BwX86TableReg){ 0x1800, 0x0f };
  st.tr = (BwX86SegState){ .selector = 0x18, .base = 0x2000, .limit = 0x67, .attr = 0x8b };
  st.eip = 0x3000;
  st.gpr[BW_X86_ESP] = 0x8000;
  st.eflags = 2;
  bw_x86_cpu_set_state (m->cpu, &st);
  m->cpu->dr[7] = 0x0000000bu; /* L0, G0, G1 (execute breakpoints elsewhere) */
  m->cpu->dr[0] = 0x5000;
  m->cpu->dr[1] = 0x5000;
  bw_x86_debug_update (m->cpu);

  st = bw_test_machine_run_to_hlt (m);
  ck_assert_uint_eq (st.tr.selector, 0x20);
  ck_assert_uint_eq (rd32 (m, 0x4000), 1);
  ck_assert_uint_eq (bw_x86_dr_read (m->cpu, 6), 0xffff8ff0u);
  ck_assert_uint_eq (bw_x86_dr_read (m->cpu, 7), 0x40au);
  bw_test_machine_free (m);
}
END_TEST

/* ---- debugger hooks ---------------------------------------------------- */

START_TEST (test_debugger_hooks)
{
  /* inc ax; inc ax; inc ax; inc ax; hlt */
  static const uint8_t code[] = { 0x40, 0x40, 0x40, 0x40, 0xf4 };
  Machine *m = machine_new ();
  bw_test_machine_load_real (m, 0, 0x1000, code, sizeof code);
  BwX86State st;

  bw_x86_cpu_set_breakpoint (m->cpu, 0x1002, true);
  ck_assert_int_eq (bw_x86_cpu_run (m->cpu, 1000), BW_X86_EXIT_DEBUG);
  bw_x86_cpu_get_state (m->cpu, &st);
  ck_assert_uint_eq (st.eip, 0x1002);
  ck_assert_uint_eq (st.gpr[BW_X86_EAX] & 0xffff, 2);

  /* Resuming from the breakpoint runs it; single step stops after each. */
  bw_x86_cpu_set_single_step (m->cpu, true);
  ck_assert_int_eq (bw_x86_cpu_run (m->cpu, 1000), BW_X86_EXIT_DEBUG);
  bw_x86_cpu_get_state (m->cpu, &st);
  ck_assert_uint_eq (st.eip, 0x1003);
  bw_x86_cpu_set_single_step (m->cpu, false);
  bw_x86_cpu_set_breakpoint (m->cpu, 0x1002, false);
  st = bw_test_machine_run_to_hlt (m);
  ck_assert_uint_eq (st.gpr[BW_X86_EAX] & 0xffff, 4);
  bw_test_machine_free (m);
}
END_TEST

/* ---- instruction trace ------------------------------------------------- */

START_TEST (test_trace)
{
  /* Real mode at 0000:1000: mov ax,1234h; add ax,bx; int 20h; hlt.
   * Vector 20h: 0000:1100: mov bx,ax; iret. */
  static const uint8_t code[] = { 0xb8, 0x34, 0x12, 0x01, 0xd8, 0xcd, 0x20, 0xf4 };
  static const uint8_t handler[] = { 0x89, 0xc3, 0xcf };
  Machine *m = machine_new ();
  bw_test_machine_load_real (m, 0, 0x1000, code, sizeof code);
  memcpy (m->ram + 0x1100, handler, sizeof handler);
  m->ram[0x80] = 0x00;
  m->ram[0x81] = 0x11;

  char *text = NULL;
  size_t size = 0;
  FILE *out = open_memstream (&text, &size);
  ck_assert (bw_x86_cpu_set_trace (m->cpu, out, BW_X86_TRACE_REGS));
  BwX86State st = bw_test_machine_run_to_hlt (m);
  ck_assert_uint_eq (st.gpr[BW_X86_EBX] & 0xffff, 0x1234);
  bw_x86_cpu_set_trace (m->cpu, NULL, 0);
  fclose (out);

  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  ck_assert_str_eq (lines[0], "0000:00001000  b8 34 12                 mov ax, 0x1234");
  ck_assert (g_str_has_prefix (lines[1], "    EAX=00000000 "));
  ck_assert_str_eq (lines[2], "0000:00001003  01 d8                    add ax, bx");
  ck_assert (g_str_has_prefix (lines[3], "    EAX=00001234 "));
  ck_assert_str_eq (lines[4], "0000:00001005  cd 20                    int 0x20");
  ck_assert_str_eq (lines[6], "---- int 20 at 0000:00001005");
  ck_assert_str_eq (lines[7], "0000:00001100  89 c3                    mov bx, ax");
  ck_assert_str_eq (lines[9], "0000:00001102  cf                       iret");
  ck_assert_str_eq (lines[11], "0000:00001007  f4                       hlt");
  ck_assert_str_eq (lines[13], "");
  free (text);

  /* 32-bit code, no registers; off again, nothing more is written. */
  static const uint8_t code32[] = { 0xb8, 0x78, 0x56, 0x34, 0x12, 0x8d, 0x44, 0x98, 0x08, 0xf4 };
  memcpy (m->ram + 0x5000, code32, sizeof code32);
  bw_x86_cpu_invalidate_code (m->cpu, 0x5000, sizeof code32);
  bw_x86_cpu_get_state (m->cpu, &st);
  st.cr0 |= BW_X86_CR0_PE;
  for (int s = 0; s < BW_X86_N_SEGS; s++)
    st.seg[s] = (BwX86SegState){ .selector = 0x10, .limit = 0xffffffffu, .attr = 0xc093 };
  st.seg[BW_X86_CS] = (BwX86SegState){ .selector = 0x08, .limit = 0xffffffffu, .attr = 0xc09b };
  st.eip = 0x5000;
  bw_x86_cpu_set_state (m->cpu, &st);
  out = open_memstream (&text, &size);
  ck_assert (bw_x86_cpu_set_trace (m->cpu, out, 0));
  bw_test_machine_run_to_hlt (m);
  bw_x86_cpu_set_trace (m->cpu, NULL, 0);
  fclose (out);
  ck_assert_str_eq (text, "0008:00005000  b8 78 56 34 12           mov eax, 0x12345678\n"
                          "0008:00005005  8d 44 98 08              lea eax, [eax + ebx*4 + 8]\n"
                          "0008:00005009  f4                       hlt\n");
  free (text);
  bw_test_machine_free (m);
}
END_TEST

static Suite *
sys_suite (void)
{
  Suite *s = suite_create ("x86-sys");
  TCase *tc = tcase_create ("vme");
  tcase_add_test (tc, test_vme);
  tcase_add_test (tc, test_pvi);
  tcase_add_test (tc, test_io_bitmap);
  tcase_add_test (tc, test_alignment_check);
  suite_add_tcase (s, tc);
  tc = tcase_create ("debug");
  tcase_add_test (tc, test_debug_registers);
  tcase_add_test (tc, test_data_breakpoint_real_mode);
  tcase_add_test (tc, test_task_switch_debug_trap);
  tcase_add_test (tc, test_debugger_hooks);
  tcase_add_test (tc, test_trace);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (sys_suite ());
}
