/* test-x86-cpu.c: unit tests of the software x86 CPU: the decoder, some
 * execution groups, exceptions through the IVT, the code cache with
 * self-modifying code and DMA, and protected mode with paging (a nasm
 * guest).
 */
#include "config.h"

#include <gio/gio.h>
#include <math.h>
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

/* ---- decoder ----------------------------------------------------------- */

START_TEST (test_decode_lengths)
{
  static const struct
  {
    uint8_t bytes[16];
    int code32;
    int len;
  } cases[] = {
    { { 0x00, 0x5f, 0x0e }, 0, 3 },                         /* add [bx+0e],bl */
    { { 0x81, 0x84, 0xdf, 0x1d, 0x93, 0x76 }, 0, 6 },       /* add [si+1ddf],7693 */
    { { 0x66, 0xb8, 1, 2, 3, 4 }, 0, 6 },                   /* mov eax,imm32 */
    { { 0x67, 0x8b, 0x04, 0x8d, 0, 0, 0, 0 }, 0, 8 },      /* mov ax,[ecx*4+0] */
    { { 0x8b, 0x44, 0x24, 0x08 }, 1, 4 },                   /* mov eax,[esp+8] */
    { { 0x8b, 0x05, 1, 2, 3, 4 }, 1, 6 },                   /* mov eax,[disp32] */
    { { 0xea, 0x00, 0x7c, 0x00, 0x00 }, 0, 5 },             /* jmp 0:7c00 */
    { { 0xea, 1, 2, 3, 4, 8, 0 }, 1, 7 },                   /* jmp 8:04030201 */
    { { 0xf6, 0xc3, 0x12 }, 0, 3 },                         /* test bl,12 */
    { { 0xf6, 0xd3 }, 0, 2 },                               /* not bl */
    { { 0xf7, 0xc3, 1, 2 }, 0, 4 },                         /* test bx,0201 */
    { { 0xc8, 0x10, 0x00, 0x01 }, 0, 4 },                   /* enter 10,1 */
    { { 0xa1, 0x34, 0x12 }, 0, 3 },                         /* mov ax,[1234] */
    { { 0x0f, 0xb6, 0xc3 }, 0, 3 },                         /* movzx ax,bl */
    { { 0x0f, 0x84, 0x10, 0x00 }, 0, 4 },                   /* jz rel16 */
    { { 0x2e, 0x36, 0x2e, 0x3e, 0x3e, 0x81, 0x84, 0xdf, 0x1d, 0x93, 0x76 }, 0, 11 },
  };
  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      BwX86Insn i;
      int len = bw_x86_decode_insn (cases[k].bytes, 16, cases[k].code32, &i);
      ck_assert_msg (len == cases[k].len, "case %u: length %d, want %d", k, len, cases[k].len);
      ck_assert_int_eq (i.len, len);
    }
}
END_TEST

START_TEST (test_decode_fields)
{
  BwX86Insn i;
  /* add [bp+si+5],cx: SS by default, base BP, index SI, disp 5. */
  static const uint8_t a[] = { 0x01, 0x4a, 0x05 };
  ck_assert_int_eq (bw_x86_decode_insn (a, sizeof a, FALSE, &i), 3);
  ck_assert_int_eq (i.seg, BW_X86_SS);
  ck_assert_int_eq (i.base, BW_X86_EBP);
  ck_assert_int_eq (i.index, BW_X86_ESI);
  ck_assert_uint_eq (i.disp, 5);
  ck_assert_int_eq (i.reg, BW_X86_ECX);
  ck_assert_int_eq (i.osz, 1);
  ck_assert_ptr_eq (i.fn, bw_x86_alu_rm_r_sized[0][1]); /* ADD, word */

  /* es: override and a 32-bit SIB with scale. */
  static const uint8_t b[] = { 0x26, 0x8b, 0x84, 0x98, 0x10, 0, 0, 0 };
  ck_assert_int_eq (bw_x86_decode_insn (b, sizeof b, TRUE, &i), 8);
  ck_assert_int_eq (i.seg, BW_X86_ES);
  ck_assert_int_eq (i.base, BW_X86_EAX);
  ck_assert_int_eq (i.index, BW_X86_EBX);
  ck_assert_int_eq (i.scale, 2);
  ck_assert_uint_eq (i.disp, 0x10);
  ck_assert_int_eq (i.osz, 2);

  /* 83 /0 sign-extends its immediate. */
  static const uint8_t c[] = { 0x83, 0xc0, 0xff };
  ck_assert_int_eq (bw_x86_decode_insn (c, sizeof c, FALSE, &i), 3);
  ck_assert_uint_eq (i.imm, 0xffffffffu);

  /* LEA with a register operand is #UD; jumps end blocks. */
  static const uint8_t d[] = { 0x8d, 0xc0 };
  bw_x86_decode_insn (d, sizeof d, FALSE, &i);
  ck_assert_ptr_eq (i.fn, bw_x86_op_ud);
  ck_assert (i.flags & BW_X86_I_END);
  static const uint8_t e[] = { 0xeb, 0xfe };
  bw_x86_decode_insn (e, sizeof e, FALSE, &i);
  ck_assert (i.flags & BW_X86_I_SETS_EIP);
  ck_assert_uint_eq (i.imm, (uint32_t) -2);

  /* Truncated input asks for more; 16 bytes of prefixes are too long. */
  ck_assert_int_eq (bw_x86_decode_insn (b, 3, TRUE, &i), 0);
  static const uint8_t f[16] = { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                                 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x90 };
  ck_assert_int_eq (bw_x86_decode_insn (f, sizeof f, FALSE, &i), -1);
}
END_TEST

/* ---- execution --------------------------------------------------------- */

START_TEST (test_alu_flags)
{
  Machine *m = machine_new ();
  /* mov al,7f; add al,1 (OF, SF, AF); pushf; mov bx,ffff; add bx,1 (CF,
   * ZF); mov cx,0; adc cx,0 (takes the carry: CF, ZF clear); pushf; hlt */
  static const uint8_t code[] = { 0xb0, 0x7f, 0x04, 0x01, 0x9c, 0xbb, 0xff, 0xff,
                                  0x83, 0xc3, 0x01, 0xb9, 0x00, 0x00, 0x83, 0xd1,
                                  0x00, 0x9c, 0xf4 };
  bw_test_machine_load_real (m, 0, 0x1000, code, sizeof code);
  BwX86State st = bw_test_machine_run_to_hlt (m);
  uint16_t f1 = m->ram[0x7ffe] | (m->ram[0x7fff] << 8);
  uint16_t f2 = m->ram[0x7ffc] | (m->ram[0x7ffd] << 8);
  ck_assert_uint_eq (st.gpr[BW_X86_EAX] & 0xff, 0x80);
  ck_assert_uint_eq (f1 & (BW_X86_OF | BW_X86_SF | BW_X86_AF | BW_X86_ZF | BW_X86_CF),
                     BW_X86_OF | BW_X86_SF | BW_X86_AF);
  ck_assert_uint_eq (st.gpr[BW_X86_EBX] & 0xffff, 0);
  ck_assert_uint_eq (st.gpr[BW_X86_ECX] & 0xffff, 1); /* adc took the carry */
  ck_assert_uint_eq (f2 & (BW_X86_CF | BW_X86_ZF), 0);
  bw_test_machine_free (m);
}
END_TEST

START_TEST (test_shift_mul_div)
{
  Machine *m = machine_new ();
  /* mov ax,0x8001; rol ax,1 -> 0x0003, CF=1; mov cl,4; shl ax,cl -> 0x30;
   * mov bx,7; mul bx -> ax=0x150 dx=0; mov cx,0x10; div cl -> al=0x15 ah=0; hlt */
  static const uint8_t code[] = { 0xb8, 0x01, 0x80, 0xd1, 0xc0, 0xb1, 0x04, 0xd3, 0xe0,
                                  0xbb, 0x07, 0x00, 0xf7, 0xe3, 0xb1, 0x10, 0xf6, 0xf1,
                                  0xf4 };
  bw_test_machine_load_real (m, 0, 0x1000, code, sizeof code);
  BwX86State st = bw_test_machine_run_to_hlt (m);
  ck_assert_uint_eq (st.gpr[BW_X86_EAX] & 0xffff, 0x0015);
  ck_assert_uint_eq (st.gpr[BW_X86_EDX] & 0xffff, 0);
  bw_test_machine_free (m);
}
END_TEST

START_TEST (test_divide_error_ivt)
{
  Machine *m = machine_new ();
  /* Vector 0 -> 0000:2000 (hlt). div bl with bl=0 at 0000:1000. */
  m->ram[0] = 0x00;
  m->ram[1] = 0x20;
  m->ram[2] = 0;
  m->ram[3] = 0;
  m->ram[0x2000] = 0xf4;
  static const uint8_t code[] = { 0xb3, 0x00, 0xf6, 0xf3, 0xf4 };
  bw_test_machine_load_real (m, 0, 0x1000, code, sizeof code);
  BwX86State st = bw_test_machine_run_to_hlt (m);
  ck_assert_uint_eq (st.eip, 0x2001);
  ck_assert_uint_eq (st.gpr[BW_X86_ESP] & 0xffff, 0x8000 - 6);
  /* The pushed IP is the faulting DIV (a fault, not a trap). */
  ck_assert_uint_eq (m->ram[0x7ffa] | (m->ram[0x7ffb] << 8), 0x1002);
  ck_assert_int_eq (bw_x86_cpu_get_last_vector (m->cpu), 0);
  bw_test_machine_free (m);
}
END_TEST

START_TEST (test_string_rep)
{
  Machine *m = machine_new ();
  memcpy (m->ram + 0x3000, "boxwood!", 8);
  /* mov si,3000; mov di,4000; mov cx,8; cld; rep movsb; mov di,4000;
   * mov al,'!'; mov cx,8; repne scasb; hlt */
  static const uint8_t code[] = { 0xbe, 0x00, 0x30, 0xbf, 0x00, 0x40, 0xb9, 0x08, 0x00,
                                  0xfc, 0xf3, 0xa4, 0xbf, 0x00, 0x40, 0xb0, 0x21, 0xb9,
                                  0x08, 0x00, 0xf2, 0xae, 0xf4 };
  bw_test_machine_load_real (m, 0, 0x1000, code, sizeof code);
  BwX86State st = bw_test_machine_run_to_hlt (m);
  ck_assert (memcmp (m->ram + 0x4000, "boxwood!", 8) == 0);
  ck_assert_uint_eq (st.gpr[BW_X86_EDI] & 0xffff, 0x4008);
  ck_assert_uint_eq (st.gpr[BW_X86_ECX] & 0xffff, 0);
  ck_assert (st.eflags & BW_X86_ZF);

  /* Overlapping forward copy replicates (element by element), and a
   * word fill crossing a page boundary lands on both pages. */
  m->ram[0x3000] = 'a';
  /* mov si,3000; mov di,3001; mov cx,6; rep movsb; mov di,4ffc; mov ax,0xbeef;
   * mov cx,4; rep stosw; hlt */
  static const uint8_t code2[] = { 0xbe, 0x00, 0x30, 0xbf, 0x01, 0x30, 0xb9, 0x06, 0x00,
                                   0xf3, 0xa4, 0xbf, 0xfc, 0x4f, 0xb8, 0xef, 0xbe, 0xb9,
                                   0x04, 0x00, 0xf3, 0xab, 0xf4 };
  bw_test_machine_load_real (m, 0, 0x1100, code2, sizeof code2);
  st = bw_test_machine_run_to_hlt (m);
  ck_assert (memcmp (m->ram + 0x3000, "aaaaaaa", 7) == 0);
  static const uint8_t fill[8] = { 0xef, 0xbe, 0xef, 0xbe, 0xef, 0xbe, 0xef, 0xbe };
  ck_assert (memcmp (m->ram + 0x4ffc, fill, 8) == 0);
  ck_assert_uint_eq (st.gpr[BW_X86_EDI] & 0xffff, 0x5004);
  ck_assert_uint_eq (st.gpr[BW_X86_ESI] & 0xffff, 0x3006);
  bw_test_machine_free (m);
}
END_TEST

START_TEST (test_operand_size_prefix)
{
  Machine *m = machine_new ();
  /* mov eax,0x12345678; add eax,0x11111111 (66 05); push eax (66 50);
   * pop ebx; in al,42; out 80,al; hlt */
  static const uint8_t code[] = { 0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, 0x66, 0x05, 0x11,
                                  0x11, 0x11, 0x11, 0x66, 0x50, 0x66, 0x5b, 0xe4, 0x42,
                                  0xe6, 0x80, 0xf4 };
  bw_test_machine_load_real (m, 0, 0x1000, code, sizeof code);
  BwX86State st = bw_test_machine_run_to_hlt (m);
  ck_assert_uint_eq (st.gpr[BW_X86_EBX], 0x23456789u);
  ck_assert_uint_eq (st.gpr[BW_X86_EAX], 0x23456799u);
  ck_assert_uint_eq (m->last_out_port, 0x80);
  ck_assert_uint_eq (m->last_out_value, 0x99);
  ck_assert_uint_eq (st.gpr[BW_X86_ESP] & 0xffff, 0x8000);
  bw_test_machine_free (m);
}
END_TEST

START_TEST (test_call_ret_loop)
{
  Machine *m = machine_new ();
  /* mov cx,5; xor ax,ax; l: call f; loop l; hlt; f: add ax,3; ret */
  static const uint8_t code[] = { 0xb9, 0x05, 0x00, 0x31, 0xc0, 0xe8, 0x03, 0x00, 0xe2,
                                  0xfb, 0xf4, 0x83, 0xc0, 0x03, 0xc3 };
  bw_test_machine_load_real (m, 0, 0x1000, code, sizeof code);
  BwX86State st = bw_test_machine_run_to_hlt (m);
  ck_assert_uint_eq (st.gpr[BW_X86_EAX] & 0xffff, 15);
  ck_assert_uint_eq (st.eip, 0x100b);
  bw_test_machine_free (m);
}
END_TEST

START_TEST (test_triple_fault)
{
  Machine *m = machine_new ();
  /* lidt [limit 0]; int3: #GP (vector outside the IVT), whose delivery
   * faults again (#DF), whose delivery faults: shutdown. */
  static const uint8_t code[] = { 0x0f, 0x01, 0x1e, 0x00, 0x11, 0xcc, 0xf4 };
  memset (m->ram + 0x1100, 0, 6);
  bw_test_machine_load_real (m, 0, 0x1000, code, sizeof code);
  BwX86Exit e = bw_x86_cpu_run (m->cpu, 1000);
  ck_assert_int_eq (e, BW_X86_EXIT_SHUTDOWN);
  /* Without a platform shutdown hook the CPU resets itself. */
  BwX86State st;
  bw_x86_cpu_get_state (m->cpu, &st);
  ck_assert_uint_eq (st.seg[BW_X86_CS].selector, 0xf000);
  ck_assert_uint_eq (st.eip, 0xfff0);
  bw_test_machine_free (m);
}
END_TEST

START_TEST (test_single_step_trap)
{
  Machine *m = machine_new ();
  BwX86State st = bw_test_machine_run_guest (m, "tf.bin", 0x1000);
  ck_assert_uint_eq (m->ram[0x2000] | (m->ram[0x2001] << 8), 8);
  ck_assert_uint_eq (st.eflags & BW_X86_TF, 0);
  bw_test_machine_free (m);
}
END_TEST

START_TEST (test_random_code_is_harmless)
{
  /* Garbage from a guest: random bytes in real mode and in 32-bit flat
   * protected mode must only ever raise exceptions, never crash the host;
   * with every 32-bit block translated at its first run too (_i = 1). */
  BwX86Config config = { .has_fpu = TRUE, .jit = _i ? BW_X86_JIT_EAGER : BW_X86_JIT_OFF };
  Machine *m = bw_test_machine_new (RAM_SIZE, &config);
  GRand *rand = g_rand_new_with_seed (20261122);
  for (int round = 0; round < 300; round++)
    {
      for (uint32_t a = 0x1000; a < 0x3000; a++)
        m->ram[a] = (uint8_t) g_rand_int (rand);
      for (int v = 0; v < 256; v++)
        {
          /* Every vector to a HLT at 0000:0500. */
          m->ram[v * 4] = 0x00;
          m->ram[v * 4 + 1] = 0x05;
          m->ram[v * 4 + 2] = m->ram[v * 4 + 3] = 0;
        }
      m->ram[0x500] = 0xf4;
      bw_test_machine_load_real (m, 0, 0x1000, m->ram + 0x1000, 0x2000);
      if (round & 1)
        {
          BwX86State st;
          bw_x86_cpu_get_state (m->cpu, &st);
          st.cr0 |= BW_X86_CR0_PE;
          for (int sr = 0; sr < BW_X86_N_SEGS; sr++)
            st.seg[sr] = (BwX86SegState){ .selector = 0x10, .base = 0, .limit = 0xffffffffu,
                                          .attr = 0xc093 };
          st.seg[BW_X86_CS] = (BwX86SegState){ .selector = 0x08, .base = 0,
                                               .limit = 0xffffffffu, .attr = 0xc09b };
          st.idtr = (BwX86TableReg){ 0x6000, 0x7ff };
          st.gdtr = (BwX86TableReg){ 0x7000, 0x17 };
          bw_x86_cpu_set_state (m->cpu, &st);
        }
      BwX86Exit e = bw_x86_cpu_run (m->cpu, 20000);
      ck_assert_int_ne (e, BW_X86_EXIT_DEBUG);
    }
  g_rand_free (rand);
  bw_test_machine_free (m);
}
END_TEST

/* ---- code cache -------------------------------------------------------- */

START_TEST (test_self_modifying_code)
{
  Machine *m = machine_new ();
  BwX86State st = bw_test_machine_run_guest (m, "smc.bin", 0x1000);
  ck_assert_uint_eq (st.gpr[BW_X86_EAX] & 0xff, 5);
  ck_assert_uint_eq (st.gpr[BW_X86_EBX] & 0xff, 7);
  ck_assert_uint_eq (st.gpr[BW_X86_ECX] & 0xffff, 2);
  BwX86CacheStats stats;
  bw_x86_cpu_get_cache_stats (m->cpu, &stats);
  ck_assert_uint_gt (stats.blocks_invalidated, 0);
  bw_test_machine_free (m);
}
END_TEST

START_TEST (test_dma_invalidation)
{
  Machine *m = machine_new ();
  /* mov al,1; hlt -- run, change it behind the CPU's back, run again. */
  static const uint8_t code[] = { 0xb0, 0x01, 0xf4 };
  bw_test_machine_load_real (m, 0, 0x1000, code, sizeof code);
  BwX86State st = bw_test_machine_run_to_hlt (m);
  ck_assert_uint_eq (st.gpr[BW_X86_EAX] & 0xff, 1);

  BwX86CacheStats before;
  bw_x86_cpu_get_cache_stats (m->cpu, &before);
  m->ram[0x1001] = 0x09; /* a device writes the immediate */
  bw_x86_cpu_invalidate_code (m->cpu, 0x1001, 1);
  bw_test_machine_load_real (m, 0, 0x1000, m->ram + 0x1000, 0); /* same code, reset registers */
  st = bw_test_machine_run_to_hlt (m);
  ck_assert_uint_eq (st.gpr[BW_X86_EAX] & 0xff, 9);
  BwX86CacheStats after;
  bw_x86_cpu_get_cache_stats (m->cpu, &after);
  ck_assert_uint_gt (after.blocks_invalidated, before.blocks_invalidated);

  /* Unchanged code is reused, not decoded again. */
  bw_test_machine_load_real (m, 0, 0x1000, m->ram + 0x1000, 0);
  bw_test_machine_run_to_hlt (m);
  BwX86CacheStats again;
  bw_x86_cpu_get_cache_stats (m->cpu, &again);
  ck_assert_uint_eq (again.blocks_decoded, after.blocks_decoded);
  bw_test_machine_free (m);
}
END_TEST

/* ---- protected mode ---------------------------------------------------- */

START_TEST (test_protected_mode_paging)
{
  Machine *m = machine_new ();
  BwX86State st = bw_test_machine_run_guest (m, "pmode.bin", 0x7c00);
  ck_assert_uint_eq (st.cr0 & 0x80000001u, 0x80000001u);
  ck_assert_uint_eq (st.gpr[BW_X86_EAX], 0x12345678u);
  ck_assert_uint_eq (st.gpr[BW_X86_EBX], 0x00c00004u);
  ck_assert_uint_eq (st.gpr[BW_X86_ECX], 2);
  ck_assert_uint_eq (st.gpr[BW_X86_EDX], 0xc0de);
  ck_assert_uint_eq (st.gpr[BW_X86_ESI], 0x1234);
  ck_assert_uint_eq (st.cr2, 0x00c00004u);
  /* The alias wrote physical 0x2000; the PTE got its accessed and dirty bits. */
  ck_assert_uint_eq (m->ram[0x2000], 0x78);
  ck_assert_uint_eq (m->ram[0x11000] & 0x60, 0x60);
  bw_test_machine_free (m);
}
END_TEST

START_TEST (test_pae_nx)
{
  Machine *m = machine_new ();
  BwX86State st = bw_test_machine_run_guest (m, "pae.bin", 0x7c00);
  ck_assert_uint_eq (st.gpr[BW_X86_EAX], 0xc3);
  ck_assert_uint_eq (st.gpr[BW_X86_EBX], 0x800000);
  ck_assert_uint_eq (st.gpr[BW_X86_ECX], 0x11);
  ck_assert_uint_eq (st.gpr[BW_X86_EDX], 0xc0de);
  bw_test_machine_free (m);
}
END_TEST

static uint32_t
rd32 (Machine *m, uint32_t addr)
{
  return m->ram[addr] | (m->ram[addr + 1] << 8) | (m->ram[addr + 2] << 16)
         | ((uint32_t) m->ram[addr + 3] << 24);
}

START_TEST (test_tasks_and_call_gates)
{
  Machine *m = machine_new ();
  BwX86State st = bw_test_machine_run_guest (m, "tasks.bin", 0x7c00);
  ck_assert_uint_eq (rd32 (m, 0x500), 0x7a5c);
  ck_assert_uint_eq (rd32 (m, 0x504), 2);      /* CALL to a TSS, then a task gate */
  ck_assert_uint_eq (rd32 (m, 0x508), 0x4000); /* nested: NT set */
  ck_assert_uint_eq (rd32 (m, 0x510), 0x1234); /* call-gate parameter copied */
  ck_assert_uint_eq (rd32 (m, 0x514), 0x08);
  ck_assert_uint_eq (rd32 (m, 0x518), 0x23);
  ck_assert_uint_eq (rd32 (m, 0x51c), 3);      /* back in ring 3 after RETF */
  ck_assert_uint_eq (st.gpr[BW_X86_EAX], 0x1b);
  ck_assert_uint_eq (st.tr.selector, 0x28);
  ck_assert_uint_eq (st.cr0 & BW_X86_CR0_TS, BW_X86_CR0_TS);
  bw_test_machine_free (m);
}
END_TEST

/* An interrupt from ring 3 reads the IDT, GDT and TSS on a supervisor
 * page: implicit supervisor accesses, allowed whatever the CPL. */
START_TEST (test_user_interrupt_supervisor_tables)
{
  Machine *m = machine_new ();
  BwX86State st = bw_test_machine_run_guest (m, "usersys.bin", 0x7c00);
  ck_assert_uint_eq (rd32 (m, 0x504), 0); /* no page fault */
  ck_assert_uint_eq (rd32 (m, 0x500), 0x600d);
  ck_assert_uint_eq (st.gpr[BW_X86_EAX], 0x1b);
  bw_test_machine_free (m);
}
END_TEST

START_TEST (test_v86_and_sysenter)
{
  Machine *m = machine_new ();
  BwX86State st = bw_test_machine_run_guest (m, "v86.bin", 0x7c00);
  ck_assert_uint_eq (rd32 (m, 0x600), 0x2000);
  ck_assert_uint_eq (rd32 (m, 0x604), 0x20000);
  ck_assert_uint_eq (rd32 (m, 0x608), 0x3000);
  ck_assert_uint_eq (rd32 (m, 0x60c) & 0xffff, 0x1234);
  ck_assert_uint_eq (rd32 (m, 0x610), 0);
  ck_assert_uint_eq (rd32 (m, 0x614), 0x08);
  ck_assert_uint_eq (st.gpr[BW_X86_EAX], 0x5151);
  ck_assert_uint_eq (st.gpr[BW_X86_ESP], 0x8800);
  ck_assert_uint_eq (bw_x86_cpu_get_last_vector (m->cpu), BW_X86_EXC_GP);
  bw_test_machine_free (m);
}
END_TEST

START_TEST (test_fpu)
{
  BwX86Config config = { .has_fpu = TRUE };
  Machine *m = bw_test_machine_new (RAM_SIZE, &config);
  bw_test_machine_run_guest (m, "fpu.bin", 0x1000);
  double d;
  memcpy (&d, m->ram + 0x2000, 8);
  ck_assert (fabs (d - sqrt (4.375)) < 1e-15);
  ck_assert_int_eq ((int32_t) rd32 (m, 0x2008), -7);
  ck_assert_uint_eq (m->ram[0x200c] | (m->ram[0x200d] << 8), 3);
  uint16_t sw = m->ram[0x200e] | (m->ram[0x200f] << 8);
  ck_assert_uint_eq (sw & 0x4500, 0x0100);                     /* C0 only: less */
  ck_assert_uint_eq (m->ram[0x2010] | (m->ram[0x2011] << 8), 2); /* to even */
  sw = m->ram[0x2012] | (m->ram[0x2013] << 8);
  ck_assert_uint_eq (sw & 0x4500, 0x0500);                     /* infinity */
  ck_assert_uint_eq (sw & 0x0004, 0x0004);                     /* ZE recorded */
  ck_assert_uint_eq (rd32 (m, 0x2014), 0xffc00000u);            /* indefinite */
  sw = m->ram[0x2018] | (m->ram[0x2019] << 8);
  ck_assert_uint_eq (sw & 0x41, 0x41);                         /* IE + SF */
  static const uint8_t bcd[10] = { 0x34, 0x12 };
  ck_assert (memcmp (m->ram + 0x2020, bcd, 10) == 0);
  ck_assert_uint_eq (m->ram[0x201a] & 0x41, 0x01);             /* FCOMI: CF, not ZF */
  float fl;
  memcpy (&fl, m->ram + 0x201c, 4);
  ck_assert (fl == 3.75f);
  ck_assert_uint_eq (m->ram[0x202a] | (m->ram[0x202b] << 8), 0x037f);
  bw_test_machine_free (m);
}
END_TEST

/* MMX/SSE system behaviour (guests/sse.asm). */
START_TEST (test_sse_system)
{
  BwX86Config config = { .has_fpu = TRUE };
  Machine *m = bw_test_machine_new (RAM_SIZE, &config);
  bw_test_machine_run_guest (m, "sse.bin", 0x7c00);
  const uint8_t *r = m->ram + 0x3000;
  static const struct
  {
    unsigned slot;
    uint8_t vector;
    const char *what;
  } faults[] = {
    { 0x00, 6, "SSE with CR4.OSFXSR clear" },   { 0x0e, 0xff, "MMX with CR4.OSFXSR clear" },
    { 0x01, 0xff, "SSE with CR4.OSFXSR set" },  { 0x02, 7, "SSE with CR0.TS" },
    { 0x03, 7, "FXSAVE with CR0.TS" },          { 0x04, 7, "MMX with CR0.TS" },
    { 0x05, 6, "SSE with CR0.EM" },             { 0x06, 6, "MMX with CR0.EM" },
    { 0x07, 7, "FXSAVE with CR0.EM" },          { 0x08, 6, "SIMD exception, no OSXMMEXCPT" },
    { 0x09, 19, "SIMD exception with OSXMMEXCPT" },
    { 0x0a, 13, "LDMXCSR reserved bit" },       { 0x0b, 13, "MOVAPS misaligned" },
    { 0x0c, 0xff, "MOVUPS misaligned" },        { 0x0d, 13, "FXRSTOR reserved MXCSR bit" },
  };
  for (unsigned k = 0; k < G_N_ELEMENTS (faults); k++)
    ck_assert_msg (r[faults[k].slot] == faults[k].vector, "%s: vector %u, expected %u",
                   faults[k].what, r[faults[k].slot], faults[k].vector);
  /* #XM: ZE recorded, the destination kept 1.0. */
  ck_assert_uint_eq (rd32 (m, 0x3010), 0x1d84);
  ck_assert_uint_eq (rd32 (m, 0x3014), 0x3f800000u);
  /* FXRSTOR brought back MXCSR, XMM3 and ST0 (pi). */
  ck_assert_uint_eq (rd32 (m, 0x3018), 0x3fc0);
  for (unsigned k = 0; k < 4; k++)
    ck_assert_uint_eq (rd32 (m, 0x3020 + 4 * k), 0x11111111u * (k + 1));
  double pi;
  memcpy (&pi, m->ram + 0x3030, 8);
  ck_assert (pi == M_PI);
  /* MMX aliasing: MM7 = the mantissa of 1.0 in R7; after an MMX write
   * TOP = 0 and no register empty; EMMS empties them all; the register
   * reads as the pattern with exponent and sign all ones. */
  ck_assert_uint_eq (rd32 (m, 0x3038), 0);
  ck_assert_uint_eq (rd32 (m, 0x303c), 0x80000000u);
  ck_assert_uint_eq ((rd32 (m, 0x3044) >> 11) & 7, 0);
  /* FNSTENV classifies non-empty registers by content: R0 (the pattern,
   * exponent all ones) special, R7 (1.0) valid, none empty. */
  uint32_t tw = rd32 (m, 0x3048) & 0xffff;
  for (unsigned k = 0; k < 8; k++)
    ck_assert_uint_ne ((tw >> (2 * k)) & 3, 3);
  ck_assert_uint_eq (tw & 3, 2);
  ck_assert_uint_eq (tw >> 14, 0);
  ck_assert_uint_eq (rd32 (m, 0x3068) & 0xffff, 0xffff);
  ck_assert_uint_eq (rd32 (m, 0x3080 + 28), 0x89abcdefu);
  ck_assert_uint_eq (rd32 (m, 0x3080 + 32), 0x01234567u);
  ck_assert_uint_eq (rd32 (m, 0x3080 + 36) & 0xffff, 0xffff);
  /* The FXSAVE image: FCW, MXCSR, MXCSR_MASK, ST0 = pi, XMM3. */
  ck_assert_uint_eq (rd32 (m, 0x3200) & 0xffff, 0x037f);
  ck_assert_uint_eq (rd32 (m, 0x3200 + 24), 0x3fc0);
  ck_assert_uint_eq (rd32 (m, 0x3200 + 28), 0xffff);
  ck_assert_uint_eq (rd32 (m, 0x3200 + 36), 0xc90fdaa2u); /* pi's mantissa, high */
  ck_assert_uint_eq (rd32 (m, 0x3200 + 160 + 48), 0x11111111u);
  ck_assert_uint_eq (rd32 (m, 0x3200 + 160 + 60), 0x44444444u);
  bw_test_machine_free (m);
}
END_TEST

static Suite *
cpu_suite (void)
{
  Suite *s = suite_create ("x86-cpu");
  TCase *tc = tcase_create ("decode");
  tcase_add_test (tc, test_decode_lengths);
  tcase_add_test (tc, test_decode_fields);
  suite_add_tcase (s, tc);
  tc = tcase_create ("execute");
  tcase_add_test (tc, test_alu_flags);
  tcase_add_test (tc, test_shift_mul_div);
  tcase_add_test (tc, test_divide_error_ivt);
  tcase_add_test (tc, test_string_rep);
  tcase_add_test (tc, test_operand_size_prefix);
  tcase_add_test (tc, test_call_ret_loop);
  tcase_add_test (tc, test_triple_fault);
  tcase_add_test (tc, test_single_step_trap);
  tcase_add_loop_test (tc, test_random_code_is_harmless, 0, 2);
  suite_add_tcase (s, tc);
  tc = tcase_create ("code-cache");
  tcase_add_test (tc, test_self_modifying_code);
  tcase_add_test (tc, test_dma_invalidation);
  suite_add_tcase (s, tc);
  tc = tcase_create ("protected-mode");
  tcase_add_test (tc, test_protected_mode_paging);
  tcase_add_test (tc, test_pae_nx);
  tcase_add_test (tc, test_tasks_and_call_gates);
  tcase_add_test (tc, test_v86_and_sysenter);
  tcase_add_test (tc, test_user_interrupt_supervisor_tables);
  suite_add_tcase (s, tc);
  tc = tcase_create ("fpu");
  tcase_add_test (tc, test_fpu);
  tcase_add_test (tc, test_sse_system);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (cpu_suite ());
}
