/* test-kvm-backend.c: the KVM backend without guest programs: probing,
 * a missing device, register and FPU round trips, the calibration and
 * what auto, kvm and software acceleration do with it. */
#include "config.h"

#include <stdlib.h>
#include "bw-test.h"
#include "kvm-test.h"
#include "vmm/bw-exec-manager.h"

static BwPlatform *platform;
static BwVcpu *vcpu;
static const BwCpuBackend *backend;

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  platform = bw_platform_new_test (2);
  backend = bw_kvm_get_backend ();
  vcpu = backend->vcpu_new (platform, 0, &error);
  ck_assert_msg (vcpu != NULL, "%s", error ? error->message : "");
  backend->reset (vcpu);
}

static void
teardown (void)
{
  backend->vcpu_free (vcpu);
  bw_platform_free (platform);
}

START_TEST (test_probe)
{
  g_autoptr (GError) error = NULL;
  ck_assert (!bw_kvm_is_open ());
  ck_assert_msg (bw_kvm_probe (&error), "%s", error ? error->message : "");
  ck_assert (bw_kvm_is_open ());
  ck_assert_ptr_eq (bw_cpu_backend_find ("kvm"), bw_kvm_get_backend ());
  ck_assert_str_eq (bw_kvm_get_backend ()->name, "kvm");
}
END_TEST

START_TEST (test_missing_device)
{
  g_setenv ("BOXWOOD_KVM_DEVICE", "/nonexistent/kvm", TRUE);
  g_autoptr (GError) error = NULL;
  ck_assert (!bw_kvm_probe (&error));
  ck_assert_msg (strstr (error->message, "/nonexistent/kvm") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* Forced: the VM does not start, and says why. */
  g_autoptr (GPtrArray) list = g_ptr_array_new ();
  g_ptr_array_add (list, (gpointer)bw_kvm_get_backend ());
  g_autoptr (BwLog) log = bw_log_new_memory ();
  BwExecChoice choice;
  ck_assert (!bw_exec_manager_choose ("kvm", list, log, &choice, &error));
  ck_assert_msg (strstr (error->message, "/nonexistent/kvm") != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert (!bw_exec_manager_choose ("auto", list, log, &choice, &error));
  ck_assert_msg (strstr (error->message, "/nonexistent/kvm") != NULL, "%s", error->message);

  g_autoptr (BwPlatform) p = bw_platform_new_test (1);
  ck_assert_ptr_null (bw_kvm_get_backend ()->vcpu_new (p, 0, NULL));
}
END_TEST

/* A software CPU stand-in: acceleration "software" must not open /dev/kvm. */
static gboolean
soft_probe (GError **error)
{
  return TRUE;
}

static const BwCpuBackend soft = { .name = "software", .preference = 10, .probe = soft_probe };

START_TEST (test_software_never_opens_kvm)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new ();
  g_ptr_array_add (list, (gpointer)bw_kvm_get_backend ());
  g_ptr_array_add (list, (gpointer)&soft);
  g_autoptr (BwLog) log = bw_log_new_memory ();
  BwExecChoice choice;
  g_autoptr (GError) error = NULL;
  ck_assert (bw_exec_manager_choose ("software", list, log, &choice, &error));
  ck_assert_ptr_eq (choice.backend, &soft);
  ck_assert (!bw_kvm_is_open ());
  bw_exec_choice_clear (&choice);
}
END_TEST

START_TEST (test_calibration)
{
  BwKvmCalibration cal;
  g_autoptr (GError) error = NULL;
  ck_assert_msg (bw_kvm_calibrate (&cal, &error), "%s", error ? error->message : "");
  ck_assert (cal.ring0_rate > 0);
  ck_assert_uint_gt (cal.iterations, 0);
  ck_assert (cal.ring0_seconds > 0);
  ck_assert (cal.total_seconds >= cal.ring0_seconds);
  ck_assert (cal.emulated == (cal.ring0_rate < BW_KVM_GOOD_RATE));
  g_autofree char *text = bw_kvm_calibration_describe (&cal);
  ck_assert_ptr_nonnull (strstr (text, "M instructions/s"));
  ck_assert_ptr_nonnull (strstr (text, cal.emulated ? "emulates" : "hardware virtualization"));
  ck_assert ((strstr (text, "cannot run INT n and IRET") != NULL) == cal.protected_int_fails);
  /* The calibration stays short, whatever the host. */
  ck_assert_msg (cal.total_seconds < 2.0, "calibration took %.3f s", cal.total_seconds);
  fprintf (stderr, "# %s\n", text);
}
END_TEST

START_TEST (test_auto_choice)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new ();
  g_ptr_array_add (list, (gpointer)bw_kvm_get_backend ());
  g_autoptr (BwLog) log = bw_log_new_memory ();
  BwExecChoice choice;
  g_autoptr (GError) error = NULL;
  ck_assert_msg (bw_exec_manager_choose ("auto", list, log, &choice, &error), "%s",
                 error ? error->message : "");
  /* With no software CPU, auto takes KVM: quietly when it measured well,
   * with a warning when it emulates kernel code. */
  ck_assert_ptr_eq (choice.backend, bw_kvm_get_backend ());
  g_autofree char *text = bw_log_dup_contents (log);
  ck_assert_msg (strstr (text, "M instructions/s") != NULL, "%s", text);
  if (choice.warning)
    {
      ck_assert_int_eq (choice.assessment.verdict, BW_CPU_VERDICT_SLOW);
      ck_assert_msg (strstr (text, "WARNING") && strstr (text, "emulates"), "%s", text);
    }
  else
    ck_assert_int_eq (choice.assessment.verdict, BW_CPU_VERDICT_GOOD);
  ck_assert (choice.assessment.score > 0);

  /* A good software CPU wins auto over a KVM that emulates kernel code;
   * a KVM that measures well wins over it (lower preference). */
  g_ptr_array_add (list, (gpointer)&soft);
  BwExecChoice second;
  ck_assert (bw_exec_manager_choose ("auto", list, log, &second, &error));
  ck_assert_ptr_eq (second.backend, choice.warning ? &soft : bw_kvm_get_backend ());
  bw_exec_choice_clear (&second);
  bw_exec_choice_clear (&choice);
}
END_TEST

static BwX86Regs
sample_regs (void)
{
  BwX86Regs r;
  memset (&r, 0, sizeof r);
  for (guint i = 0; i < BW_X86_REG_COUNT; i++)
    r.gpr[i] = G_GUINT64_CONSTANT (0x0101010101010101) * (i + 1);
  r.rip = 0x12345;
  r.rflags = 0x2 | 0x1 | 0x40 | 0x800; /* CF ZF OF */
  BwX86Segment code = { .base = 0,
                        .limit = 0xffffffff,
                        .selector = 0x08,
                        .type = 0xb,
                        .s = 1,
                        .present = 1,
                        .db = 1,
                        .g = 1 };
  BwX86Segment data = code;
  data.selector = 0x10;
  data.type = 0x3;
  r.seg[BW_X86_SEG_CS] = code;
  r.seg[BW_X86_SEG_SS] = r.seg[BW_X86_SEG_DS] = r.seg[BW_X86_SEG_ES] = data;
  r.seg[BW_X86_SEG_FS] = data;
  r.seg[BW_X86_SEG_FS].base = 0x4000;
  r.seg[BW_X86_SEG_GS] = data;
  r.seg[BW_X86_SEG_GS].base = 0x8000;
  r.seg[BW_X86_SEG_LDTR] = (BwX86Segment){
    .selector = 0x18, .base = 0x3000, .limit = 0xff, .type = 0x2, .present = 1
  };
  r.seg[BW_X86_SEG_TR] = (BwX86Segment){
    .selector = 0x20, .base = 0x2000, .limit = 0x67, .type = 0xb, .present = 1
  };
  r.gdt = (BwX86Table){ .base = 0x1000, .limit = 0x27 };
  r.idt = (BwX86Table){ .base = 0x1800, .limit = 0x7ff };
  r.cr0 = 0x31; /* PE ET NE */
  r.cr2 = 0xdeadb000;
  r.cr3 = 0x5000;
  r.dr[0] = 0x1000;
  r.dr[1] = 0x2000;
  r.dr[2] = 0x3000;
  r.dr[3] = 0x4000;
  r.dr6 = 0xffff0ff0;
  r.dr7 = 0x400 | 0x3; /* L0 G0 */
  r.sysenter_cs = 0x08;
  r.sysenter_esp = 0x9000;
  r.sysenter_eip = 0xc0001000;
  r.pat = G_GUINT64_CONSTANT (0x0007040600070406) ^ 0x1; /* WC in PA0 */
  r.star = G_GUINT64_CONSTANT (0x0023001000000000);
  r.lstar = G_GUINT64_CONSTANT (0xffffffff81000000);
  r.cstar = G_GUINT64_CONSTANT (0xffffffff81000100);
  r.fmask = 0x47700;
  r.kernel_gs_base = G_GUINT64_CONSTANT (0xffff888000000000);
  r.tsc = G_GUINT64_CONSTANT (1) << 40;
  return r;
}

START_TEST (test_regs_round_trip)
{
  g_autoptr (GError) error = NULL;
  BwX86Regs in = sample_regs (), out;
  ck_assert_msg (backend->set_regs (vcpu, &in, &error), "%s", error ? error->message : "");
  ck_assert_msg (backend->get_regs (vcpu, &out, &error), "%s", error ? error->message : "");
  for (guint i = 0; i < BW_X86_REG_COUNT; i++)
    ck_assert_uint_eq (out.gpr[i], in.gpr[i]);
  ck_assert_uint_eq (out.rip, in.rip);
  ck_assert_uint_eq (out.rflags, in.rflags);
  for (guint i = 0; i < BW_X86_SEG_COUNT; i++)
    {
      const BwX86Segment *a = &in.seg[i], *b = &out.seg[i];
      ck_assert_msg (a->selector == b->selector && a->base == b->base && a->limit == b->limit
                         && a->type == b->type && a->s == b->s && a->dpl == b->dpl
                         && a->present == b->present && a->db == b->db && a->g == b->g,
                     "segment %u differs: sel %x/%x base %lx/%lx limit %x/%x type %x/%x", i,
                     a->selector, b->selector, (unsigned long)a->base, (unsigned long)b->base,
                     a->limit, b->limit, a->type, b->type);
    }
  ck_assert_uint_eq (out.gdt.base, in.gdt.base);
  ck_assert_uint_eq (out.gdt.limit, in.gdt.limit);
  ck_assert_uint_eq (out.idt.base, in.idt.base);
  ck_assert_uint_eq (out.idt.limit, in.idt.limit);
  ck_assert_uint_eq (out.cr0, in.cr0);
  ck_assert_uint_eq (out.cr2, in.cr2);
  ck_assert_uint_eq (out.cr3, in.cr3);
  for (guint i = 0; i < 4; i++)
    ck_assert_uint_eq (out.dr[i], in.dr[i]);
  ck_assert_uint_eq (out.dr7, in.dr7);
  ck_assert_uint_eq (out.sysenter_cs, in.sysenter_cs);
  ck_assert_uint_eq (out.sysenter_esp, in.sysenter_esp);
  ck_assert_uint_eq (out.sysenter_eip, in.sysenter_eip);
  ck_assert_uint_eq (out.pat, in.pat);
  ck_assert_uint_eq (out.star, in.star);
  ck_assert_uint_eq (out.lstar, in.lstar);
  ck_assert_uint_eq (out.cstar, in.cstar);
  ck_assert_uint_eq (out.fmask, in.fmask);
  ck_assert_uint_eq (out.kernel_gs_base, in.kernel_gs_base);
  /* The TSC is read (KVM may align a written TSC with its other vCPUs'
   * or the host's, so its value is not compared). */
  ck_assert_uint_ne (out.tsc, 0);
}
END_TEST

START_TEST (test_fpu_round_trip)
{
  g_autoptr (GError) error = NULL;
  BwX86Fpu in, out;
  bw_x86_fpu_init_reset (&in);
  in.fxsave[0] = 0x7f; /* FCW 027F: 53-bit precision */
  in.fxsave[1] = 0x02;
  in.fxsave[4] = 0x80;  /* ST7 tagged valid */
  in.fxsave[24] = 0xa0; /* MXCSR 1FA0 */
  for (guint i = 0; i < 10; i++)
    in.fxsave[32 + 7 * 16 + i] = (guint8)(0x30 + i);
  for (guint i = 0; i < 16; i++)
    in.fxsave[160 + 3 * 16 + i] = (guint8)(0xc0 + i);
  ck_assert_msg (backend->set_fpu (vcpu, &in, &error), "%s", error ? error->message : "");
  ck_assert_msg (backend->get_fpu (vcpu, &out, &error), "%s", error ? error->message : "");
  ck_assert_mem_eq (out.fxsave, in.fxsave, 28);                      /* up to MXCSR_MASK */
  ck_assert_mem_eq (out.fxsave + 32, in.fxsave + 32, 512 - 32 - 96); /* ST0-7, XMM0-15 */
}
END_TEST

START_TEST (test_reset_state)
{
  BwX86Regs in = sample_regs (), out;
  ck_assert (backend->set_regs (vcpu, &in, NULL));
  backend->reset (vcpu);
  ck_assert (backend->get_regs (vcpu, &out, NULL));
  BwX86Regs want;
  bw_x86_regs_init_reset (&want, (guint32)out.gpr[BW_X86_REG_RDX]);
  ck_assert_uint_eq (out.rip, 0xfff0);
  ck_assert_uint_eq (out.rflags, 0x2);
  ck_assert_uint_eq (out.seg[BW_X86_SEG_CS].selector, 0xf000);
  ck_assert_uint_eq (out.seg[BW_X86_SEG_CS].base, 0xffff0000);
  ck_assert_uint_eq (out.cr0 & 0xffffffff, want.cr0);
  ck_assert_uint_eq (out.sysenter_eip, 0);
  ck_assert_uint_eq (out.pat, want.pat);
  for (guint i = 0; i < BW_X86_REG_COUNT; i++)
    if (i != BW_X86_REG_RDX)
      ck_assert_uint_eq (out.gpr[i], 0);
  BwX86Fpu fpu;
  ck_assert (backend->get_fpu (vcpu, &fpu, NULL));
  ck_assert_uint_eq (fpu.fxsave[0] | fpu.fxsave[1] << 8, 0x037f);
  ck_assert_uint_eq (fpu.fxsave[24] | fpu.fxsave[25] << 8, 0x1f80);
}
END_TEST

/* Register state KVM cannot take is refused with an error naming the
 * call, never half applied into a crash. */
START_TEST (test_bad_regs_refused)
{
  BwX86Regs r;
  ck_assert (backend->get_regs (vcpu, &r, NULL));
  r.cr0 = 0x80000000u | 0x10; /* PG without PE */
  g_autoptr (GError) error = NULL;
  ck_assert (!backend->set_regs (vcpu, &r, &error));
  ck_assert_msg (strstr (error->message, "KVM_SET_SREGS") != NULL, "%s", error->message);
}
END_TEST

int
main (void)
{
  if (kvm_test_skip_without_kvm ())
    return 0;
  Suite *suite = suite_create ("kvm-backend");
  TCase *probe = tcase_create ("probe");
  tcase_set_timeout (probe, 30);
  tcase_add_test (probe, test_probe);
  tcase_add_test (probe, test_missing_device);
  tcase_add_test (probe, test_software_never_opens_kvm);
  tcase_add_test (probe, test_calibration);
  tcase_add_test (probe, test_auto_choice);
  suite_add_tcase (suite, probe);

  TCase *regs = tcase_create ("registers");
  tcase_add_checked_fixture (regs, setup, teardown);
  tcase_add_test (regs, test_regs_round_trip);
  tcase_add_test (regs, test_fpu_round_trip);
  tcase_add_test (regs, test_reset_state);
  tcase_add_test (regs, test_bad_regs_refused);
  suite_add_tcase (suite, regs);
  return bw_test_run (suite);
}
