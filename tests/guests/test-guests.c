/* test-guests.c: the project's own guest programs (tests/guests/, nasm) run
 * on a real PC board and report on COM1; each line "OK <what>" must
 * appear, no "FAIL", and then "DONE".
 *
 *   test-guests BACKEND     ("software" or "kvm")
 *
 * The guests start without firmware (a Multiboot kernel, a real-mode flat
 * binary) and through SeaBIOS as an option ROM that fw_cfg hands over.
 * Without the backend (no /dev/kvm, no software CPU in this build) the
 * whole run is a TAP skip that says why. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include "bw-test.h"
#include "devices/board/bw-pc-board.h"
#include "vmm/bw-cpu-backend.h"

static const char *backend_name;

typedef struct
{
  const char *file;   /* in the build folder */
  const char *kind;   /* "multiboot", "flat", "rom" or "linux" */
  const char *expect[12];
  const char *done;   /* what ends the run (default "DONE\n") */
} Guest;

static const Guest guests[] = {
  { "devices.bin", "multiboot",
    { "multiboot", "uart", "pic", "pit", "irq0", "rtc", "fwcfg", "ramsize", "i8042", "port92" } },
  { "realmode.bin", "flat", { "realmode", "irq0" } },
  { "optionrom.rom", "rom", { "optionrom", "bda", "int12", "e820" } },
};

/* COM1 output on one line, for TAP. */
static char *
one_line (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  return g_strjoinv (" | ", lines);
}

/* Runs a guest until it prints DONE or timeout_s passes; returns what it
 * wrote on COM1. */
static char *
run_guest (const Guest *g, int timeout_s)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bw-guest-XXXXXX", &error);
  ck_assert_msg (dir, "%s", error ? error->message : "");
  g_autofree char *serial = g_build_filename (dir, "serial.txt", NULL);
  g_autofree char *image = g_build_filename (g_getenv ("BW_BUILD_ROOT"), "tests", "guests",
                                             g->file, NULL);

  g_autoptr (BwConfig) config = bw_config_new ();
  bw_config_set_int (config, "ram-mb", 16);
  bw_config_set_string (config, "acceleration", backend_name);
  bw_config_set_string (config, "devices/serial0/class", "uart16550a");
  bw_config_set_string (config, "devices/serial0/mode", "file");
  bw_config_set_string (config, "devices/serial0/path", serial);
  if (g_str_equal (g->kind, "rom"))
    bw_config_set_string (config, "firmware/option-roms/rom0/path", image);
  else if (g_str_equal (g->kind, "linux"))
    {
      /* Not ours: a program from the guest cache that speaks the Linux
       * boot protocol; it has no DONE, only its banner. */
      g_free (image);
      image = g_strdup (g->file);
      bw_config_set_int (config, "ram-mb", 64);
      bw_config_set_string (config, "firmware/type", "none");
      bw_config_set_string (config, "boot/kernel", image);
      bw_config_set_string (config, "boot/cmdline", "console=ttyS0,115200");
    }
  else
    {
      bw_config_set_string (config, "firmware/type", "none");
      bw_config_set_string (config, "boot/image", image);
      bw_config_set_string (config, "boot/image-kind", g->kind);
    }

  g_autoptr (BwVm) vm = bw_vm_new (config, &error);
  ck_assert_msg (vm, "%s", error ? error->message : "");
  g_autoptr (BwPcBoard) board = bw_pc_board_new (bw_vm_get_platform (vm), &error);
  ck_assert_msg (board, "%s", error ? error->message : "");
  bw_pc_board_attach (board, vm);
  ck_assert_msg (bw_vm_start (vm, &error), "%s", error ? error->message : "");

  char *out = NULL;
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  for (;;)
    {
      /* The serial back end writes on the main context. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_clear_pointer (&out, g_free);
      g_file_get_contents (serial, &out, NULL, NULL);
      if ((out && strstr (out, g->done ? g->done : "DONE\n")) || g_get_monotonic_time () > end
          || bw_vm_get_state (vm) != BW_VM_STATE_RUNNING)
        break;
      g_usleep (10 * 1000);
    }
  BwVmState state = bw_vm_get_state (vm);
  g_autofree char *log_text = bw_log_dup_contents (bw_vm_get_log (vm));
  gsize log_len = strlen (log_text);
  g_autofree char *log_tail = one_line (log_text + (log_len > 600 ? log_len - 600 : 0));
  if (state != BW_VM_STATE_RUNNING)
    g_printerr ("%s", log_text);
  if (state == BW_VM_STATE_RUNNING)
    bw_vm_power_off (vm, "test done", NULL);
  g_clear_pointer (&vm, bw_vm_free);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&out, g_free);
  g_file_get_contents (serial, &out, NULL, NULL);
  g_unlink (serial);
  g_rmdir (dir);
  g_autofree char *said = one_line (out ? out : "");
  ck_assert_msg (state == BW_VM_STATE_RUNNING, "the machine stopped early (%s); COM1 said: %s; log: %s",
                 bw_vm_state_to_string (state), said, log_tail);
  return out ? out : g_strdup ("");
}

static void
check_guest (const Guest *g, int timeout_s)
{
  g_autofree char *out = run_guest (g, timeout_s);
  g_autofree char *said = one_line (out);
  ck_assert_msg (strstr (out, "DONE\n"), "%s: no DONE within %d s; COM1 said: %s", g->file,
                 timeout_s, said);
  ck_assert_msg (!strstr (out, "FAIL"), "%s failed a check; COM1 said: %s", g->file, said);
  for (guint i = 0; g->expect[i]; i++)
    {
      g_autofree char *line = g_strdup_printf ("OK %s\n", g->expect[i]);
      ck_assert_msg (strstr (out, line), "%s: no “OK %s”; COM1 said: %s", g->file, g->expect[i],
                     said);
    }
}

START_TEST (test_multiboot_devices)
{
  check_guest (&guests[0], 50);
}
END_TEST

START_TEST (test_flat_realmode)
{
  check_guest (&guests[1], 50);
}
END_TEST

/* memtest86+ (Debian's, from the guest cache of tools/guest-images) by
 * the Linux boot protocol: its banner and the memory size it learnt from
 * the zero page's e820 map. */
static char *memtest_path;

START_TEST (test_linux_boot_protocol)
{
  Guest g = { memtest_path, "linux", { NULL }, "64MB" };
  g_autofree char *out = run_guest (&g, 100);
  g_autofree char *said = one_line (out);
  ck_assert_msg (strstr (out, "Memtest86+"), "no banner; COM1 said: %s", said);
  ck_assert_msg (strstr (out, "64MB"), "not 64 MiB of RAM; COM1 said: %s", said);
}
END_TEST

START_TEST (test_option_rom_seabios)
{
  check_guest (&guests[2], 100);
}
END_TEST

int
main (int argc, char **argv)
{
  backend_name = argc > 1 ? argv[1] : "software";
  const BwCpuBackend *backend = bw_cpu_backend_find (backend_name);
  g_autoptr (GError) error = NULL;
  if (!backend)
    {
      g_print ("1..0 # SKIP no CPU backend “%s” in this build\n", backend_name);
      return 0;
    }
  if (!backend->probe (&error))
    {
      g_print ("1..0 # SKIP the %s backend cannot run here: %s\n", backend_name, error->message);
      return 0;
    }
  g_autofree char *bios = g_build_filename (BW_SEABIOS_DIR, "bios.bin", NULL);

  Suite *s = suite_create ("guests");
  TCase *tc = tcase_create ("no-firmware");
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_multiboot_devices);
  tcase_add_test (tc, test_flat_realmode);
  suite_add_tcase (s, tc);
  /* SeaBIOS: a TAP skip would hide the whole run, so without it the test
   * is simply not added (its absence is said on stderr). */
  if (g_file_test (bios, G_FILE_TEST_EXISTS))
    {
      TCase *rom = tcase_create ("seabios");
      tcase_set_timeout (rom, 110);
      tcase_add_test (rom, test_option_rom_seabios);
      suite_add_tcase (s, rom);
    }
  else
    g_printerr ("%s is missing (Debian package seabios): option ROM guest not run\n", bios);
  /* The Linux boot protocol with a real program, on the software CPU
   * only: a /dev/kvm that emulates ring-0 code takes minutes for it. */
  const char *cache = g_getenv ("BOXWOOD_GUEST_CACHE");
  memtest_path = cache ? g_build_filename (cache, "memtest86+ia32.bin", NULL)
                       : g_build_filename (g_getenv ("BW_SOURCE_ROOT"), "build", "guests",
                                           "memtest86+ia32.bin", NULL);
  if (g_str_equal (backend_name, "software") && g_file_test (memtest_path, G_FILE_TEST_EXISTS))
    {
      TCase *lb = tcase_create ("linux-boot");
      tcase_set_timeout (lb, 110);
      tcase_add_test (lb, test_linux_boot_protocol);
      suite_add_tcase (s, lb);
    }
  else
    g_printerr ("memtest86+ by the Linux boot protocol not run (%s, backend %s)\n", memtest_path,
                backend_name);
  return bw_test_run (s);
}
