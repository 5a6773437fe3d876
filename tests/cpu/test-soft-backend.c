/* test-soft-backend.c: the "software" CPU backend through the backend
 * interface, on a real (test) platform: registration, registers in and
 * out, running to HLT, kick, loader writes dropping decoded code, and
 * guest time on a virtual clock driven by the instruction count (timers
 * at their exact instruction, a deadline moved by the guest's own OUT).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "bw-test.h"
#include "vmm/bw-clock.h"
#include "vmm/bw-cpu-backend.h"
#include "vmm/bw-memory.h"
#include "vmm/bw-platform.h"
#include "vmm/bw-timer.h"

typedef struct
{
  BwPlatform *platform;
  const BwCpuBackend *backend;
  BwVcpu *vcpu;
} Fixture;

static void
fixture_init (Fixture *f)
{
  f->platform = bw_platform_new_test (16);
  f->backend = bw_cpu_backend_find ("software");
  ck_assert_ptr_nonnull (f->backend);
  g_autoptr (GError) error = NULL;
  ck_assert (f->backend->probe (&error));
  f->vcpu = f->backend->vcpu_new (f->platform, 0, &error);
  ck_assert_msg (f->vcpu != NULL, "vcpu_new: %s", error ? error->message : "?");
}

static void
fixture_fini (Fixture *f)
{
  f->backend->vcpu_free (f->vcpu);
  bw_platform_free (f->platform);
}

/* Real mode at 0000:ip. */
static void
set_real (Fixture *f, guint16 ip)
{
  BwX86Regs regs;
  bw_x86_regs_init_reset (&regs, 0x633);
  regs.seg[BW_X86_SEG_CS].selector = 0;
  regs.seg[BW_X86_SEG_CS].base = 0;
  regs.rip = ip;
  regs.gpr[BW_X86_REG_RSP] = 0x8000;
  g_autoptr (GError) error = NULL;
  ck_assert (f->backend->set_regs (f->vcpu, &regs, &error));
}

START_TEST (test_run_to_hlt_and_dma)
{
  Fixture f;
  fixture_init (&f);
  BwMemory *mem = bw_platform_get_memory (f.platform);
  /* mov ax,1234h; hlt */
  static const guint8 code[] = { 0xb8, 0x34, 0x12, 0xf4 };
  ck_assert (bw_memory_write (mem, 0x1000, code, sizeof code));
  set_real (&f, 0x1000);

  g_autoptr (GError) error = NULL;
  ck_assert_int_eq (f.backend->run (f.vcpu, &error), BW_CPU_EXIT_HALTED);
  BwX86Regs regs;
  ck_assert (f.backend->get_regs (f.vcpu, &regs, &error));
  ck_assert_uint_eq (regs.gpr[BW_X86_REG_RAX] & 0xffff, 0x1234);
  ck_assert_uint_eq (regs.rip, 0x1004);

  /* A loader (or DMA) rewrites the immediate: the CPU must see it. */
  static const guint8 patch[] = { 0x78, 0x56 };
  ck_assert (bw_memory_write (mem, 0x1001, patch, sizeof patch));
  set_real (&f, 0x1000);
  ck_assert_int_eq (f.backend->run (f.vcpu, &error), BW_CPU_EXIT_HALTED);
  ck_assert (f.backend->get_regs (f.vcpu, &regs, &error));
  ck_assert_uint_eq (regs.gpr[BW_X86_REG_RAX] & 0xffff, 0x5678);
  fixture_fini (&f);
}
END_TEST

START_TEST (test_kick_and_regs_round_trip)
{
  Fixture f;
  fixture_init (&f);
  BwMemory *mem = bw_platform_get_memory (f.platform);
  static const guint8 loop[] = { 0xeb, 0xfe }; /* jmp $ */
  ck_assert (bw_memory_write (mem, 0x2000, loop, sizeof loop));
  set_real (&f, 0x2000);
  /* A kick before run() makes run() return at once. */
  f.backend->kick (f.vcpu);
  g_autoptr (GError) error = NULL;
  ck_assert_int_eq (f.backend->run (f.vcpu, &error), BW_CPU_EXIT_KICKED);

  BwX86Regs in, out;
  ck_assert (f.backend->get_regs (f.vcpu, &in, &error));
  in.gpr[BW_X86_REG_RBX] = 0xdeadbeef;
  in.rflags = 0x202;
  in.seg[BW_X86_SEG_DS].selector = 0x40;
  in.seg[BW_X86_SEG_DS].base = 0x400;
  ck_assert (f.backend->set_regs (f.vcpu, &in, &error));
  ck_assert (f.backend->get_regs (f.vcpu, &out, &error));
  ck_assert_uint_eq (out.gpr[BW_X86_REG_RBX], 0xdeadbeef);
  ck_assert_uint_eq (out.rflags, 0x202);
  ck_assert_uint_eq (out.seg[BW_X86_SEG_DS].selector, 0x40);
  ck_assert_uint_eq (out.seg[BW_X86_SEG_DS].base, 0x400);
  ck_assert_uint_eq (out.seg[BW_X86_SEG_DS].present, in.seg[BW_X86_SEG_DS].present);
  ck_assert_uint_eq (out.seg[BW_X86_SEG_CS].type, in.seg[BW_X86_SEG_CS].type);

  /* The x87 state round-trips as an FXSAVE image. */
  BwX86Fpu fin, fout;
  memset (&fin, 0, sizeof fin);
  fin.fxsave[0] = 0x7f;
  fin.fxsave[1] = 0x02; /* FCW 027F */
  fin.fxsave[3] = 0x38; /* TOP 7 */
  fin.fxsave[4] = 0x80; /* physical register 7 valid */
  static const guint8 one[10] = { 0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f }; /* 1.0 */
  memcpy (fin.fxsave + 32, one, 10);
  ck_assert (f.backend->set_fpu (f.vcpu, &fin, &error));
  ck_assert (f.backend->get_fpu (f.vcpu, &fout, &error));
  ck_assert (memcmp (fout.fxsave, fin.fxsave, 6) == 0);
  ck_assert (memcmp (fout.fxsave + 32, one, 10) == 0);

  /* Long mode is refused with a clear error. */
  in.efer = 0x500;
  g_clear_error (&error);
  ck_assert (!f.backend->set_regs (f.vcpu, &in, &error));
  ck_assert (g_error_matches (error, BW_CPU_BACKEND_ERROR, BW_CPU_BACKEND_ERROR_UNSUPPORTED));
  fixture_fini (&f);
}
END_TEST

START_TEST (test_tsc_follows_platform_clock)
{
  Fixture f;
  fixture_init (&f);
  BwMemory *mem = bw_platform_get_memory (f.platform);
  /* rdtsc; mov ebx,eax; hlt; rdtsc; sub eax,ebx; hlt */
  static const guint8 code[] = { 0x0f, 0x31, 0x66, 0x89, 0xc3, 0xf4,
                                 0x0f, 0x31, 0x66, 0x29, 0xd8, 0xf4 };
  ck_assert (bw_memory_write (mem, 0x3000, code, sizeof code));
  set_real (&f, 0x3000);
  g_autoptr (GError) error = NULL;
  ck_assert_int_eq (f.backend->run (f.vcpu, &error), BW_CPU_EXIT_HALTED);
  /* The test platform's clock is manual: 5 us pass, and only those. */
  bw_platform_lock (f.platform);
  bw_clock_step (bw_platform_get_clock (f.platform), 5000);
  bw_platform_unlock (f.platform);
  /* Out of HLT without an interrupt: loading the registers wakes it. */
  BwX86Regs regs;
  ck_assert (f.backend->get_regs (f.vcpu, &regs, &error));
  ck_assert (f.backend->set_regs (f.vcpu, &regs, &error));
  ck_assert_int_eq (f.backend->run (f.vcpu, &error), BW_CPU_EXIT_HALTED);
  ck_assert (f.backend->get_regs (f.vcpu, &regs, &error));
  ck_assert_uint_eq (regs.rip, 0x300c);
  ck_assert_uint_eq (regs.gpr[BW_X86_REG_RAX] & 0xffffffffu, 5000); /* 1 GHz */
  fixture_fini (&f);
}
END_TEST


/* ---- the virtual clock ----------------------------------------------------- */

typedef struct
{
  Fixture f;
  BwClock *clock;
  BwTimer *timer;
  gint64 fired_at;
  guint fired;
  gint64 out_delay; /* what OUT to port 0xe0 arms the timer for */
} ClockFixture;

static void
clock_fixture_init (ClockFixture *c, double rate)
{
  memset (c, 0, sizeof *c);
  c->f.platform = bw_platform_new_test (16);
  c->f.backend = bw_cpu_backend_find ("software");
  ck_assert (c->f.backend->drives_virtual_clock);
  c->clock = bw_platform_get_clock (c->f.platform);
  /* As bw_vm_start does: the mode before vCPU 0 exists. */
  bw_clock_set_mode (c->clock, BW_CLOCK_VIRTUAL);
  bw_clock_set_insn_rate (c->clock, rate, FALSE);
  g_autoptr (GError) error = NULL;
  c->f.vcpu = c->f.backend->vcpu_new (c->f.platform, 0, &error);
  ck_assert_msg (c->f.vcpu != NULL, "vcpu_new: %s", error ? error->message : "?");
}

static void
clock_fixture_fini (ClockFixture *c)
{
  bw_timer_free (c->timer);
  fixture_fini (&c->f);
}

/* The timer makes run() return (a kick, as a device raising an interrupt
 * for an idle VM would not, but it shows where the CPU stood). */
static void
on_timer (void *opaque)
{
  ClockFixture *c = opaque;
  c->fired++;
  c->fired_at = bw_clock_now (c->clock);
  c->f.backend->kick (c->f.vcpu);
}

static void
on_port (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  ClockFixture *c = opaque;
  if (is_write)
    bw_timer_mod_in (c->timer, c->out_delay);
}

static void
nop_timer (void *opaque)
{
}

/* CX counts instructions less the JMPs: a round is eight INCs and a JMP,
 * one decoded block, so a run that stopped only at block ends could not
 * stop where a deadline falls inside it. */
#define INC8 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41
static const guint8 count_loop[] = { INC8, 0xeb, 0xf6 }; /* l: 8x inc cx; jmp l */

START_TEST (test_virtual_clock_timer_at_instruction)
{
  ClockFixture c;
  clock_fixture_init (&c, 4.0);
  ck_assert (bw_memory_write (bw_platform_get_memory (c.f.platform), 0x3000, count_loop,
                              sizeof count_loop));
  set_real (&c.f, 0x3000);
  c.timer = bw_timer_new (c.clock, on_timer, &c);
  /* 4 us at 4 ns per instruction: after instruction 1000, that is 111
   * rounds (999) and one INC. */
  bw_timer_mod (c.timer, 4000);
  g_autoptr (GError) error = NULL;
  ck_assert_int_eq (c.f.backend->run (c.f.vcpu, &error), BW_CPU_EXIT_KICKED);
  ck_assert_uint_eq (c.fired, 1);
  ck_assert_int_eq (c.fired_at, 4000);
  ck_assert_int_eq (bw_clock_now (c.clock), 4000);
  BwX86Regs regs;
  ck_assert (c.f.backend->get_regs (c.f.vcpu, &regs, &error));
  ck_assert_uint_eq (regs.gpr[BW_X86_REG_RCX] & 0xffff, 111 * 8 + 1);
  ck_assert_uint_eq (regs.rip, 0x3001);

  /* 1 us more is 250 instructions: 1250 = 138 rounds and 8 INCs. */
  bw_timer_mod_in (c.timer, 1000);
  ck_assert_int_eq (c.f.backend->run (c.f.vcpu, &error), BW_CPU_EXIT_KICKED);
  ck_assert_int_eq (c.fired_at, 5000);
  ck_assert (c.f.backend->get_regs (c.f.vcpu, &regs, &error));
  ck_assert_uint_eq (regs.gpr[BW_X86_REG_RCX] & 0xffff, 138 * 8 + 8);
  ck_assert_uint_eq (regs.rip, 0x3008);
  /* The TSC is the same clock (1 GHz). */
  ck_assert_uint_eq (regs.tsc, 5000);
  clock_fixture_fini (&c);
}
END_TEST

START_TEST (test_virtual_clock_guest_moves_deadline)
{
  /* The guest programs a "device" whose timer falls in the middle of the
   * run the CPU is in: the run is cut there, not at its planned end. */
  ClockFixture c;
  clock_fixture_init (&c, 2.0);
  static const BwIoOps ops = { .handler = on_port };
  g_autoptr (GError) error = NULL;
  ck_assert (bw_io_bus_register (bw_platform_get_pio (c.f.platform), "test", 0xe0, 1, &ops, &c,
                                 &error));
  /* out 0e0h,al; l: 8x inc cx; jmp l */
  static const guint8 code[] = { 0xe6, 0xe0, INC8, 0xeb, 0xf6 };
  ck_assert (bw_memory_write (bw_platform_get_memory (c.f.platform), 0x3000, code, sizeof code));
  set_real (&c.f, 0x3000);
  c.timer = bw_timer_new (c.clock, on_timer, &c);
  BwTimer *far = bw_timer_new (c.clock, nop_timer, NULL);
  bw_timer_mod (far, 1000000000); /* the run is planned up to here */
  /* The OUT happens at time 0 (the start of its block); 12 ns on is 6
   * instructions: the OUT and 5 INCs of the loop's first block. */
  c.out_delay = 12;
  ck_assert_int_eq (c.f.backend->run (c.f.vcpu, &error), BW_CPU_EXIT_KICKED);
  ck_assert_uint_eq (c.fired, 1);
  ck_assert_int_eq (c.fired_at, 12);
  BwX86Regs regs;
  ck_assert (c.f.backend->get_regs (c.f.vcpu, &regs, &error));
  ck_assert_uint_eq (regs.gpr[BW_X86_REG_RCX] & 0xffff, 5);
  ck_assert_uint_eq (regs.rip, 0x3007);
  bw_timer_free (far);
  clock_fixture_fini (&c);
}
END_TEST

START_TEST (test_assess)
{
  const BwCpuBackend *backend = bw_cpu_backend_find ("software");
  ck_assert_ptr_nonnull (backend->assess);
  BwCpuAssessment a = { 0 };
  backend->assess (&a);
  ck_assert_int_eq (a.verdict, BW_CPU_VERDICT_GOOD);
  ck_assert (a.score > 1e6); /* far below any real machine's rate */
  ck_assert (strstr (a.reason, "software CPU") != NULL);
}
END_TEST

/* BOXWOOD_CPU_TRACE=FILE: the backend writes the vCPU's instruction trace
 * (BOXWOOD_CPU_TRACE_REGS=1 adds the registers). */
START_TEST (test_trace_env)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bw-soft-trace-XXXXXX", &error);
  ck_assert_msg (dir != NULL, "%s", error ? error->message : "?");
  g_autofree char *path = g_build_filename (dir, "trace.txt", NULL);
  g_setenv ("BOXWOOD_CPU_TRACE", path, TRUE);
  g_setenv ("BOXWOOD_CPU_TRACE_REGS", "1", TRUE);
  Fixture f;
  fixture_init (&f);
  g_unsetenv ("BOXWOOD_CPU_TRACE");
  g_unsetenv ("BOXWOOD_CPU_TRACE_REGS");
  /* mov ax,1234h; hlt */
  static const guint8 code[] = { 0xb8, 0x34, 0x12, 0xf4 };
  ck_assert (bw_memory_write (bw_platform_get_memory (f.platform), 0x1000, code, sizeof code));
  set_real (&f, 0x1000);
  ck_assert_int_eq (f.backend->run (f.vcpu, &error), BW_CPU_EXIT_HALTED);
  fixture_fini (&f); /* closes the file */

  g_autofree char *text = NULL;
  ck_assert (g_file_get_contents (path, &text, NULL, &error));
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  ck_assert_uint_eq (g_strv_length (lines), 5);
  ck_assert_str_eq (lines[0], "0000:00001000  b8 34 12                 mov ax, 0x1234");
  ck_assert (g_str_has_prefix (lines[1], "    EAX=00000000 "));
  ck_assert_str_eq (lines[2], "0000:00001003  f4                       hlt");
  ck_assert (g_str_has_prefix (lines[3], "    EAX=00001234 "));
  g_unlink (path);
  g_rmdir (dir);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("soft-backend");
  TCase *tc = tcase_create ("backend");
  tcase_add_test (tc, test_run_to_hlt_and_dma);
  tcase_add_test (tc, test_kick_and_regs_round_trip);
  tcase_add_test (tc, test_tsc_follows_platform_clock);
  tcase_add_test (tc, test_assess);
  tcase_add_test (tc, test_trace_env);
  tcase_add_test (tc, test_virtual_clock_timer_at_instruction);
  tcase_add_test (tc, test_virtual_clock_guest_moves_deadline);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
