/* test-kvm-guest.c: small real-mode guests (tests/kvm/guest-*.asm) on the
 * KVM backend: port I/O and string I/O to a device on the port bus, MMIO,
 * HLT with an interrupt injected from the test, the interrupt window, an
 * NMI, INIT, PAM changes remapping KVM slots, a triple fault, a kick from another
 * thread, and a whole BwVm rebooting after a triple fault. */
#include "config.h"

#include "bw-test.h"
#include "kvm-test.h"
#include "vmm/bw-vm.h"

typedef struct
{
  BwPlatform *platform;
  const BwCpuBackend *backend;
  BwVcpu *vcpu;
  KvmTestPorts *ports;
} Fixture;

static Fixture fx;

static void
cpu_sink (void *user_data, BwCpuLine line, gboolean level)
{
  fx.backend->set_line (fx.vcpu, line, level);
}

static void
setup (void)
{
  g_autoptr (GError) error = NULL;
  fx.platform = bw_platform_new_test (2);
  fx.backend = bw_kvm_get_backend ();
  fx.vcpu = fx.backend->vcpu_new (fx.platform, 0, &error);
  ck_assert_msg (fx.vcpu != NULL, "%s", error ? error->message : "");
  fx.backend->reset (fx.vcpu);
  fx.ports = kvm_test_ports_new (fx.platform);
  bw_platform_lock (fx.platform);
  bw_irq_router_set_cpu_sink (bw_platform_get_irq_router (fx.platform), cpu_sink, NULL);
  bw_platform_unlock (fx.platform);
}

static void
teardown (void)
{
  bw_irq_router_set_cpu_sink (bw_platform_get_irq_router (fx.platform), NULL, NULL);
  fx.backend->vcpu_free (fx.vcpu);
  bw_platform_free (fx.platform);
  kvm_test_ports_free (fx.ports);
  memset (&fx, 0, sizeof fx);
}

static BwCpuExit
run (void)
{
  g_autoptr (GError) error = NULL;
  BwCpuExit exit = fx.backend->run (fx.vcpu, &error);
  ck_assert_msg (exit != BW_CPU_EXIT_ERROR, "run failed: %s", error ? error->message : "?");
  return exit;
}

static BwX86Regs
regs (void)
{
  BwX86Regs r;
  ck_assert (fx.backend->get_regs (fx.vcpu, &r, NULL));
  return r;
}

static void
boot (const char *guest)
{
  kvm_test_load_guest (fx.platform, guest);
  kvm_test_start_at_load_addr (fx.vcpu);
}

static guint64
read_result (guint offset, guint size)
{
  guint64 value = 0;
  ck_assert (bw_memory_read (bw_platform_get_memory (fx.platform), KVM_TEST_RESULT + offset, &value,
                             size));
  return value;
}

START_TEST (test_port_io)
{
  boot ("pio");
  ck_assert_int_eq (run (), BW_CPU_EXIT_HALTED);
  static const guint8 expected[] = { 0x11, 0x40, 'K', 'V', 'M', '!', 0x41, 0x42, 0x43 };
  kvm_test_ports_expect (fx.ports, expected, sizeof expected);
  ck_assert_uint_eq (read_result (0, 2), 0xbeef);
  ck_assert_uint_eq (read_result (4, 4), 0x12345678);
  ck_assert_uint_eq (read_result (8, 3), 0x434241);
  ck_assert_uint_eq (fx.ports->words->len, 2);
  ck_assert_uint_eq (g_array_index (fx.ports->words, guint16, 0), 0x1234);
  ck_assert_uint_eq (g_array_index (fx.ports->words, guint16, 1), 0x5678);
  BwX86Regs r = regs ();
  ck_assert_uint_eq (r.gpr[BW_X86_REG_RCX] & 0xffff, 0); /* REP ran to the end */
  BwKvmExitCounts counts;
  bw_kvm_vcpu_get_exit_counts (fx.vcpu, &counts);
  /* Eleven I/O instructions, string ones included, at least one exit each. */
  ck_assert_uint_ge (counts.io_exits, 11);
}
END_TEST

typedef struct
{
  guint8 bytes[16];
  GString *trace;
} MmioDev;

static void
mmio_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  MmioDev *d = opaque;
  guint64 v = 0;
  if (is_write)
    memcpy (d->bytes + offset, data, size);
  else
    {
      memcpy (&v, d->bytes + offset, size);
      *data = v;
    }
  g_string_append_printf (d->trace, "%c%u@%u ", is_write ? 'W' : 'R', size, (guint)offset);
}

static const BwIoOps mmio_ops = { .handler = mmio_io, .max_access = 4, .aligned = TRUE };

START_TEST (test_mmio)
{
  MmioDev dev = { .trace = g_string_new (NULL) };
  const guint32 preset = 0x11223344;
  memcpy (dev.bytes + 8, &preset, 4);
  bw_platform_lock (fx.platform);
  ck_assert (bw_io_bus_register (bw_platform_get_mmio (fx.platform), "kvm-test-mmio",
                                 KVM_TEST_MMIO_BASE, 16, &mmio_ops, &dev, NULL));
  bw_platform_unlock (fx.platform);
  boot ("mmio");
  ck_assert_int_eq (run (), BW_CPU_EXIT_HALTED);
  ck_assert_uint_eq (dev.bytes[0], 0x5a);
  ck_assert_uint_eq (dev.bytes[2] | dev.bytes[3] << 8, 0x1234);
  guint32 w;
  memcpy (&w, dev.bytes + 4, 4);
  ck_assert_uint_eq (w, 0xcafebabe);
  ck_assert_uint_eq (read_result (0, 4), 0x11223344);
  ck_assert_uint_eq (read_result (4, 1), 0x5a);
  ck_assert_uint_eq (read_result (6, 2), 0x1234);
  ck_assert_str_eq (dev.trace->str, "W1@0 W2@2 W4@4 R4@8 R1@0 R2@2 ");
  bw_platform_lock (fx.platform);
  bw_io_bus_unregister_all (bw_platform_get_mmio (fx.platform), &dev);
  bw_platform_unlock (fx.platform);
  g_string_free (dev.trace, TRUE);
}
END_TEST

/* An interrupt controller that always has vector 0x40 and drops INTR
 * when the CPU takes it. */
static guint acks;

static void
ctl_set_gsi (void *opaque, guint gsi, gboolean level)
{
}

static guint8
ctl_acknowledge (void *opaque)
{
  acks++;
  bw_irq_router_set_cpu_line (bw_platform_get_irq_router (fx.platform), BW_CPU_LINE_INTR, FALSE);
  return 0x40;
}

static const BwIrqControllerOps ctl_ops = { ctl_set_gsi, ctl_acknowledge };

static void
raise_intr (void)
{
  bw_platform_lock (fx.platform);
  bw_irq_router_set_cpu_line (bw_platform_get_irq_router (fx.platform), BW_CPU_LINE_INTR, TRUE);
  bw_platform_unlock (fx.platform);
}

START_TEST (test_hlt_and_interrupts)
{
  acks = 0;
  bw_platform_lock (fx.platform);
  bw_irq_router_set_controller (bw_platform_get_irq_router (fx.platform), &ctl_ops, NULL);
  bw_platform_unlock (fx.platform);
  boot ("irq");

  ck_assert_int_eq (run (), BW_CPU_EXIT_HALTED);
  static const guint8 first[] = { 1 };
  kvm_test_ports_expect (fx.ports, first, sizeof first);
  ck_assert (!fx.backend->interrupt_deliverable (fx.vcpu));

  raise_intr (); /* halted with IF=1: deliverable, and taken on the next run */
  ck_assert (fx.backend->interrupt_deliverable (fx.vcpu));
  ck_assert_int_eq (run (), BW_CPU_EXIT_HALTED);
  static const guint8 second[] = { 1, 2, 3, 4 };
  kvm_test_ports_expect (fx.ports, second, sizeof second);
  ck_assert_uint_eq (acks, 1);

  raise_intr (); /* halted with IF=0: not deliverable; waits for STI */
  ck_assert (!fx.backend->interrupt_deliverable (fx.vcpu));
  ck_assert_int_eq (run (), BW_CPU_EXIT_HALTED);
  static const guint8 third[] = { 1, 2, 3, 4, 5, 2, 6 };
  kvm_test_ports_expect (fx.ports, third, sizeof third);
  ck_assert_uint_eq (acks, 2);
}
END_TEST

START_TEST (test_nmi)
{
  boot ("nmi");
  ck_assert_int_eq (run (), BW_CPU_EXIT_HALTED);
  ck_assert (!fx.backend->interrupt_deliverable (fx.vcpu));
  bw_platform_lock (fx.platform);
  bw_irq_router_set_cpu_line (bw_platform_get_irq_router (fx.platform), BW_CPU_LINE_NMI, TRUE);
  bw_platform_unlock (fx.platform);
  ck_assert (fx.backend->interrupt_deliverable (fx.vcpu));
  ck_assert_int_eq (run (), BW_CPU_EXIT_HALTED);
  static const guint8 expected[] = { 1, 7, 8 };
  kvm_test_ports_expect (fx.ports, expected, sizeof expected);
}
END_TEST

/* INIT: the vCPU starts again at the reset vector; x87 state is kept. */
START_TEST (test_init)
{
  g_autofree guint8 *rom = g_malloc (0x10000);
  memset (rom, 0xf4, 0x10000); /* HLT everywhere, the reset vector included */
  bw_platform_lock (fx.platform);
  ck_assert (bw_memory_add_rom (bw_platform_get_memory (fx.platform), "bios", 0xffff0000, rom,
                                0x10000, NULL)
             != NULL);
  bw_platform_unlock (fx.platform);
  boot ("pio");
  BwX86Fpu fpu;
  ck_assert (fx.backend->get_fpu (fx.vcpu, &fpu, NULL));
  fpu.fxsave[0] = 0x7f;
  fpu.fxsave[1] = 0x02; /* FCW 027F */
  ck_assert (fx.backend->set_fpu (fx.vcpu, &fpu, NULL));
  bw_platform_lock (fx.platform);
  bw_irq_router_set_cpu_line (bw_platform_get_irq_router (fx.platform), BW_CPU_LINE_INIT, TRUE);
  bw_platform_unlock (fx.platform);
  ck_assert_int_eq (run (), BW_CPU_EXIT_HALTED);
  ck_assert_uint_eq (fx.ports->log->len, 0); /* the pio guest never ran */
  BwX86Regs r = regs ();
  ck_assert_uint_eq (r.seg[BW_X86_SEG_CS].base, 0xffff0000);
  ck_assert_uint_eq (r.rip, 0xfff1);
  ck_assert (fx.backend->get_fpu (fx.vcpu, &fpu, NULL));
  ck_assert_uint_eq (fpu.fxsave[0] | fpu.fxsave[1] << 8, 0x027f);
}
END_TEST

START_TEST (test_pam_slot_update)
{
  BwMemory *mem = bw_platform_get_memory (fx.platform);
  guint8 *ram = bw_memory_get_ram_base (mem);
  g_autofree guint8 *rom = g_malloc (0x10000);
  memset (rom, 0xab, 0x10000);
  bw_platform_lock (fx.platform);
  ck_assert (bw_memory_add_rom (mem, "isa-bios", 0xf0000, rom, 0x10000, NULL) != NULL);
  bw_platform_unlock (fx.platform);
  ram[0xf0000] = 0x11;
  boot ("slot");

  /* PCI: reads the ROM, the write is dropped. */
  ck_assert_int_eq (run (), BW_CPU_EXIT_HALTED);
  static const guint8 pci[] = { 0xab, 0xab };
  kvm_test_ports_expect (fx.ports, pci, 2);
  guint slots_pci = bw_kvm_vcpu_get_n_slots (fx.vcpu);

  /* RAM: reads 11, writes 77 to RAM. */
  bw_platform_lock (fx.platform);
  bw_memory_set_pam (mem, 12, BW_PAM_RAM);
  bw_platform_unlock (fx.platform);
  g_byte_array_set_size (fx.ports->log, 0);
  ck_assert_int_eq (run (), BW_CPU_EXIT_HALTED);
  static const guint8 shadow[] = { 0x11, 0x77 };
  kvm_test_ports_expect (fx.ports, shadow, 2);
  ck_assert_uint_eq (ram[0xf0000], 0x77);
  ck_assert_uint_ne (bw_kvm_vcpu_get_n_slots (fx.vcpu), slots_pci);

  /* Read RAM, write to the PCI side: a read-only slot over RAM. */
  ram[0xf0000] = 0x22;
  bw_platform_lock (fx.platform);
  bw_memory_set_pam (mem, 12, BW_PAM_READ_RAM);
  bw_platform_unlock (fx.platform);
  g_byte_array_set_size (fx.ports->log, 0);
  ck_assert_int_eq (run (), BW_CPU_EXIT_HALTED);
  static const guint8 ro[] = { 0x22, 0x22 };
  kvm_test_ports_expect (fx.ports, ro, 2);
  ck_assert_uint_eq (ram[0xf0000], 0x22);

  /* Read the ROM, write RAM (how a BIOS shadows itself): a read-only
   * slot over the ROM copy, writes exit and land in RAM. */
  bw_platform_lock (fx.platform);
  bw_memory_set_pam (mem, 12, BW_PAM_WRITE_RAM);
  bw_platform_unlock (fx.platform);
  g_byte_array_set_size (fx.ports->log, 0);
  ck_assert_int_eq (run (), BW_CPU_EXIT_HALTED);
  static const guint8 wo[] = { 0xab, 0xab };
  kvm_test_ports_expect (fx.ports, wo, 2);
  ck_assert_uint_eq (ram[0xf0000], 0x77);
}
END_TEST

/* Device RAM whose host memory is not page-aligned cannot be a KVM slot:
 * the guest still reaches it, through MMIO exits. */
START_TEST (test_unaligned_device_ram)
{
  BwMemory *mem = bw_platform_get_memory (fx.platform);
  g_autofree guint8 *block = g_malloc0 (0x10000 + 64);
  guint8 *host = block + 16;
  if (((guintptr)host & 0xfff) == 0)
    host += 16;
  host[0] = 0x5c;
  bw_platform_lock (fx.platform);
  BwMemoryRegion *region
      = bw_memory_add_device_ram (mem, "unaligned", 0xf0000, host, 0x10000, NULL);
  bw_platform_unlock (fx.platform);
  ck_assert_ptr_nonnull (region);
  boot ("slot");
  ck_assert_int_eq (run (), BW_CPU_EXIT_HALTED);
  static const guint8 expected[] = { 0x5c, 0x77 };
  kvm_test_ports_expect (fx.ports, expected, 2);
  ck_assert_uint_eq (host[0], 0x77);
  BwKvmExitCounts counts;
  bw_kvm_vcpu_get_exit_counts (fx.vcpu, &counts);
  ck_assert_uint_ge (counts.mmio_exits, 3);
  g_autofree char *log = bw_log_dup_contents (bw_platform_get_log (fx.platform));
  ck_assert_msg (strstr (log, "not page-aligned") != NULL, "%s", log);
  bw_platform_lock (fx.platform);
  bw_memory_remove_region (mem, region);
  bw_platform_unlock (fx.platform);
}
END_TEST

START_TEST (test_triple_fault_and_reset)
{
  boot ("triple");
  ck_assert_int_eq (run (), BW_CPU_EXIT_SHUTDOWN);
  fx.backend->reset (fx.vcpu);
  BwX86Regs r = regs ();
  ck_assert_uint_eq (r.seg[BW_X86_SEG_CS].selector, 0xf000);
  ck_assert_uint_eq (r.seg[BW_X86_SEG_CS].base, 0xffff0000);
  ck_assert_uint_eq (r.rip, 0xfff0);
  ck_assert_uint_eq (r.cr0 & 0xffffffff, 0x60000010);
  ck_assert_uint_eq (r.idt.limit, 0xffff);
  ck_assert_uint_ne (r.gpr[BW_X86_REG_RDX], 0); /* the CPU signature */
  /* And it runs again: the same guest from the top. */
  boot ("triple");
  ck_assert_int_eq (run (), BW_CPU_EXIT_SHUTDOWN);
}
END_TEST

static gpointer
kicker (gpointer data)
{
  g_mutex_lock (&fx.ports->mutex);
  while (fx.ports->reads == 0)
    g_cond_wait (&fx.ports->cond, &fx.ports->mutex);
  g_mutex_unlock (&fx.ports->mutex);
  fx.backend->kick (fx.vcpu);
  return NULL;
}

START_TEST (test_kick)
{
  fx.ports->answer = 0x99;
  boot ("kick");
  /* A kick before run() makes the next run() return at once. */
  fx.backend->kick (fx.vcpu);
  ck_assert_int_eq (run (), BW_CPU_EXIT_KICKED);
  ck_assert_uint_eq (regs ().rip, KVM_TEST_LOAD_ADDR);

  /* A kick from another thread while the guest spins. */
  GThread *thread = g_thread_new ("kicker", kicker, NULL);
  ck_assert_int_eq (run (), BW_CPU_EXIT_KICKED);
  g_thread_join (thread);
  BwX86Regs r = regs ();
  /* The IN was completed before run() returned, whenever the kick came. */
  ck_assert_uint_eq (r.gpr[BW_X86_REG_RAX] & 0xff, 0x99);
  ck_assert_uint_eq (r.rip, KVM_TEST_LOAD_ADDR + 4); /* at `spin` */
}
END_TEST

/* The whole machine: a BwVm on acceleration "kvm" runs guest-reboot,
 * which triple-faults once (the VM resets the board and the vCPU) and
 * powers off on its second boot. */
static gboolean
reboot_hook (void *user_data, BwVm *vm, BwVcpu *vcpu, GError **error)
{
  BwPlatform *platform = bw_vm_get_platform (vm);
  guint8 boots = 0;
  bw_memory_read (bw_platform_get_memory (platform), KVM_TEST_RESULT, &boots, 1);
  if (boots == 0)
    kvm_test_load_guest (platform, "reboot");
  kvm_test_start_at_load_addr (vcpu);
  return TRUE;
}

static void
vm_reboot (guint cpus)
{
  g_autoptr (BwConfig) config = bw_config_new ();
  bw_config_set_int (config, "ram-mb", 2);
  bw_config_set_int (config, "cpus", cpus);
  bw_config_set_string (config, "acceleration", "kvm");
  g_autoptr (GError) error = NULL;
  BwVm *vm = bw_vm_new (config, &error);
  ck_assert_msg (vm != NULL, "%s", error ? error->message : "");
  KvmTestPorts *ports = kvm_test_ports_new (bw_vm_get_platform (vm));
  bw_vm_set_reset_hook (vm, reboot_hook, NULL);
  ck_assert_msg (bw_vm_start (vm, &error), "%s", error ? error->message : "");
  ck_assert_ptr_eq (bw_vm_get_backend (vm), bw_kvm_get_backend ());
  BwVmState state = bw_vm_wait (vm, 20000);
  g_autofree char *log = bw_log_dup_contents (bw_vm_get_log (vm));
  ck_assert_msg (state == BW_VM_STATE_POWERED_OFF, "the VM is %s:\n%s",
                 bw_vm_state_to_string (state), log);
  static const guint8 expected[] = { 1, 2 };
  kvm_test_ports_expect (ports, expected, sizeof expected);
  ck_assert_msg (strstr (log, "triple fault") != NULL, "%s", log);
  ck_assert_msg (strstr (log, "Hardware reset") != NULL, "%s", log);
  ck_assert_msg (strstr (log, "the test guest is done") != NULL, "%s", log);
  for (guint i = 1; i < cpus; i++)
    {
      /* Application processors wait for a startup IPI that never comes
       * (no local APIC): still at the reset vector. */
      BwVcpu *ap = bw_vm_get_vcpu (vm, i);
      BwX86Regs r;
      ck_assert (ap->backend->get_regs (ap, &r, NULL));
      ck_assert_uint_eq (r.rip, 0xfff0);
      ck_assert_uint_eq (r.seg[BW_X86_SEG_CS].base, 0xffff0000);
    }
  bw_vm_free (vm);
  kvm_test_ports_free (ports);
}

START_TEST (test_vm_reboot_and_power_off)
{
  vm_reboot (1);
}
END_TEST

START_TEST (test_vm_two_cpus)
{
  vm_reboot (2);
}
END_TEST

int
main (void)
{
  if (kvm_test_skip_without_kvm ())
    return 0;
  Suite *suite = suite_create ("kvm-guest");
  TCase *tc = tcase_create ("guests");
  tcase_add_checked_fixture (tc, setup, teardown);
  /* Guest kernel code may be emulated (about 1000 times slower); the
   * guests are tiny, but leave room on a loaded host. */
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_port_io);
  tcase_add_test (tc, test_mmio);
  tcase_add_test (tc, test_hlt_and_interrupts);
  tcase_add_test (tc, test_nmi);
  tcase_add_test (tc, test_init);
  tcase_add_test (tc, test_pam_slot_update);
  tcase_add_test (tc, test_unaligned_device_ram);
  tcase_add_test (tc, test_triple_fault_and_reset);
  tcase_add_test (tc, test_kick);
  suite_add_tcase (suite, tc);

  TCase *vm = tcase_create ("vm");
  tcase_set_timeout (vm, 30);
  tcase_add_test (vm, test_vm_reboot_and_power_off);
  tcase_add_test (vm, test_vm_two_cpus);
  suite_add_tcase (suite, vm);
  return bw_test_run (suite);
}
