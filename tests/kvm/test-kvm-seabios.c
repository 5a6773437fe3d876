/* test-kvm-seabios.c: the real thing on the KVM backend: SeaBIOS from
 * Debian's seabios package on the PC board (libboxwood-vmm's devices)
 * runs its POST to the end, "No bootable device" (there are no disks).
 * On the way it shadows itself into RAM through PAM (KVM slot remaps),
 * takes timer interrupts from the PIT through our PIC (injection and HLT
 * waits) and prints through the debug port 0x402 into the VM log. */
#include "config.h"

#include "bw-test.h"
#include "devices/board/bw-pc-board.h"
#include "kvm-test.h"
#include "vmm/bw-firmware.h"
#include "vmm/bw-vm.h"

#define WAIT_S 150 /* POST takes seconds where guest kernel code is emulated */

START_TEST (test_seabios_post)
{
  g_autofree char *bios = bw_firmware_seabios_path ("bios.bin");
  /* tools/setup installs it. */
  ck_assert_msg (g_file_test (bios, G_FILE_TEST_EXISTS),
                 "%s is missing: install Debian's seabios package (tools/setup does)", bios);
  g_autoptr (BwConfig) config = bw_config_new ();
  bw_config_set_int (config, "ram-mb", 32);
  bw_config_set_string (config, "acceleration", "kvm");
  g_autoptr (GError) error = NULL;
  BwVm *vm = bw_vm_new (config, &error);
  ck_assert_msg (vm != NULL, "%s", error ? error->message : "");
  g_autoptr (BwPcBoard) board = bw_pc_board_new (bw_vm_get_platform (vm), &error);
  ck_assert_msg (board != NULL, "%s", error ? error->message : "");
  bw_pc_board_attach (board, vm);
  ck_assert_msg (bw_vm_start (vm, &error), "%s", error ? error->message : "");

  g_autofree char *log = NULL;
  gint64 end = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;
  gboolean done = FALSE;
  while (!done && g_get_monotonic_time () < end && bw_vm_get_state (vm) == BW_VM_STATE_RUNNING)
    {
      g_usleep (100 * 1000);
      g_free (log);
      log = bw_log_dup_contents (bw_vm_get_log (vm));
      done = strstr (log, "No bootable device") != NULL;
    }
  BwVmState state = bw_vm_get_state (vm);
  bw_vm_power_off (vm, "test done", NULL);
  g_free (log);
  log = bw_log_dup_contents (bw_vm_get_log (vm));
  ck_assert_msg (done, "SeaBIOS did not reach its boot failure (VM %s):\n%s",
                 bw_vm_state_to_string (state), log);
  ck_assert_msg (strstr (log, "SeaBIOS (version") != NULL, "%s", log);
  ck_assert_msg (strstr (log, "Booting from Hard Disk") != NULL, "%s", log);
  ck_assert_msg (strstr (log, "KVM internal error") == NULL, "%s", log);
  bw_vm_free (vm);
}
END_TEST

int
main (void)
{
  if (kvm_test_skip_without_kvm ())
    return 0;
  Suite *suite = suite_create ("kvm-seabios");
  TCase *tc = tcase_create ("seabios");
  tcase_set_timeout (tc, WAIT_S + 30);
  tcase_add_test (tc, test_seabios_post);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
