/* bw-boot-probe: boots a real guest on the software CPU in this process
 * (a BwVm with acceleration "software" and the PC board) and waits for a
 * sign on COM1 or on the VGA text screen.
 *
 *   bw-boot-probe [--kernel F --initrd F --cmdline S] [--cdrom ISO]
 *                 [--ram MB] [--serial RE] [--screen RE] [--limit S]
 *                 [--keys HEX --then-screen RE] [--no-vga] [--skip-missing]
 *                 [--reject RE] [--serial-out F] [--clock auto|host|virtual]
 *
 * Exit: 0 the sign appeared (the time is printed), 1 it did not (the tail
 * of the serial output and the screen are printed), 77 with
 * --skip-missing when a guest file does not exist (the guest images are
 * not prepared in build/guests), 2 bad usage or a machine that cannot be
 * built. --reject fails a run whose serial output matches RE even when the
 * sign appeared (a kernel's complaints about its clocks); --serial-out
 * keeps the whole serial output. */
#define G_LOG_DOMAIN "boxwood-cpu-test"
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "devices/board/bw-pc-board.h"
#include "devices/display/bw-vga.h"
#include "devices/ide/bw-ide.h"
#include "vmm/bw-config.h"
#include "vmm/bw-vm.h"

static char *opt_kernel, *opt_initrd, *opt_cmdline, *opt_cdrom;
static char *opt_serial_re, *opt_screen_re, *opt_keys, *opt_then_re, *opt_reject_re,
  *opt_serial_out, *opt_clock;
static gint opt_ram = 256;
static gdouble opt_limit = 60;
static gboolean opt_skip_missing, opt_no_vga;

static GOptionEntry entries[] = {
  { "kernel", 0, 0, G_OPTION_ARG_FILENAME, &opt_kernel, "Linux kernel (direct boot)", "F" },
  { "initrd", 0, 0, G_OPTION_ARG_FILENAME, &opt_initrd, "initramfs", "F" },
  { "cmdline", 0, 0, G_OPTION_ARG_STRING, &opt_cmdline, "kernel command line", "S" },
  { "cdrom", 0, 0, G_OPTION_ARG_FILENAME, &opt_cdrom, "ISO on the IDE CD, booted first", "ISO" },
  { "ram", 0, 0, G_OPTION_ARG_INT, &opt_ram, "RAM in MiB (256)", "MB" },
  { "serial", 0, 0, G_OPTION_ARG_STRING, &opt_serial_re, "sign on COM1 (regex)", "RE" },
  { "screen", 0, 0, G_OPTION_ARG_STRING, &opt_screen_re, "sign on the text screen (regex)",
    "RE" },
  { "keys", 0, 0, G_OPTION_ARG_STRING, &opt_keys,
    "after the sign, type these set-2 scancodes (hex)", "HEX" },
  { "then-screen", 0, 0, G_OPTION_ARG_STRING, &opt_then_re,
    "after the keys, this on the text screen (regex)", "RE" },
  { "limit", 0, 0, G_OPTION_ARG_DOUBLE, &opt_limit, "seconds to wait (60)", "S" },
  { "reject", 0, 0, G_OPTION_ARG_STRING, &opt_reject_re,
    "fail when the serial output matches this (regex)", "RE" },
  { "serial-out", 0, 0, G_OPTION_ARG_FILENAME, &opt_serial_out,
    "copy the whole serial output here", "F" },
  { "clock", 0, 0, G_OPTION_ARG_STRING, &opt_clock,
    "the machine's clock setting (auto: virtual on this CPU; host to compare)", "MODE" },
  { "no-vga", 0, 0, G_OPTION_ARG_NONE, &opt_no_vga, "no VGA card (serial only)", NULL },
  { "skip-missing", 0, 0, G_OPTION_ARG_NONE, &opt_skip_missing,
    "exit 77 when a guest file is missing", NULL },
  { NULL },
};

static const char *
tail (const char *text, guint lines)
{
  const char *p = text + strlen (text);
  while (p > text && lines > 0)
    if (*--p == '\n')
      lines--;
  return p;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- boot a guest on the software CPU");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("bw-boot-probe: %s\n", error->message);
      return 2;
    }
  if ((!opt_kernel && !opt_cdrom) || (!opt_serial_re && !opt_screen_re))
    {
      g_printerr ("bw-boot-probe: give --kernel or --cdrom, and --serial or --screen\n");
      return 2;
    }
  const char *files[] = { opt_kernel, opt_initrd, opt_cdrom };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    if (files[i] && !g_file_test (files[i], G_FILE_TEST_IS_REGULAR))
      {
        g_print ("%s: %s is missing (the guest images are not prepared in build/guests; "
                 "tools/guest-images makes them)\n",
                 opt_skip_missing ? "SKIP" : "FAIL", files[i]);
        return opt_skip_missing ? 77 : 2;
      }

  g_autofree char *tmp = g_dir_make_tmp ("bw-boot-probe-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *serial = g_build_filename (tmp, "com1.log", NULL);

  g_autoptr (BwConfig) c = bw_config_new ();
  bw_config_set_string (c, "name", "bw-boot-probe");
  bw_config_set_int (c, "ram-mb", opt_ram);
  bw_config_set_int (c, "cpus", 1);
  bw_config_set_string (c, "acceleration", "software");
  bw_config_set_string (c, "logs-dir", tmp);
  if (opt_clock)
    bw_config_set_string (c, "clock", opt_clock);
  bw_config_set_string (c, "firmware/type", "bios");
  bw_config_set_string (c, "devices/serial0/class", "uart16550a");
  bw_config_set_int (c, "devices/serial0/index", 1);
  bw_config_set_int (c, "devices/serial0/iobase", 0x3f8);
  bw_config_set_int (c, "devices/serial0/irq", 4);
  bw_config_set_string (c, "devices/serial0/mode", "file");
  bw_config_set_string (c, "devices/serial0/path", serial);
  if (!opt_no_vga)
    bw_config_set_string (c, "devices/vga/class", "vga");
  if (opt_kernel)
    {
      bw_config_set_string (c, "boot/kernel", opt_kernel);
      if (opt_initrd)
        bw_config_set_string (c, "boot/initrd", opt_initrd);
      bw_config_set_string (c, "boot/cmdline", opt_cmdline ? opt_cmdline : "");
      bw_config_set_string (c, "boot/order", "c");
    }
  if (opt_cdrom)
    {
      bw_config_set_string (c, "devices/ide/class", BW_IDE_CLASS);
      bw_config_set_string (c, "devices/ide/secondary/master/type", "cdrom");
      bw_config_set_string (c, "devices/ide/secondary/master/path", opt_cdrom);
      bw_config_set_string (c, "boot/order", "dc");
    }

  g_autoptr (BwVm) vm = bw_vm_new (c, &error);
  if (!vm)
    {
      g_print ("FAIL: cannot make the VM: %s\n", error->message);
      return 2;
    }
  g_autoptr (BwPcBoard) board = bw_pc_board_new (bw_vm_get_platform (vm), &error);
  if (!board)
    {
      g_print ("FAIL: cannot build the board: %s\n", error->message);
      return 2;
    }
  bw_pc_board_attach (board, vm);
  g_autoptr (GRegex) serial_re = opt_serial_re ? g_regex_new (opt_serial_re, 0, 0, &error) : NULL;
  g_autoptr (GRegex) reject_re
    = opt_reject_re && !error ? g_regex_new (opt_reject_re, 0, 0, &error) : NULL;
  g_autoptr (GRegex) screen_re = opt_screen_re ? g_regex_new (opt_screen_re, 0, 0, &error) : NULL;
  if (error)
    {
      g_print ("FAIL: bad pattern: %s\n", error->message);
      return 2;
    }

  gint64 t0 = g_get_monotonic_time ();
  if (!bw_vm_start (vm, &error))
    {
      g_print ("FAIL: cannot start: %s\n", error->message);
      return 2;
    }
  gboolean found = FALSE;
  g_autofree char *out = NULL;
  g_autofree char *screen = NULL;
  gdouble secs = 0;
  while (!found)
    {
      /* The serial back ends write from the main context. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      BwVmState st = bw_vm_wait (vm, 20);
      secs = (g_get_monotonic_time () - t0) / 1e6;
      g_clear_pointer (&out, g_free);
      g_file_get_contents (serial, &out, NULL, NULL);
      if (serial_re && out && g_regex_match (serial_re, out, 0, NULL))
        found = TRUE;
      BwDevice *vga = bw_pc_board_get_vga (board);
      if (screen_re && vga)
        {
          g_clear_pointer (&screen, g_free);
          screen = bw_vga_get_screen_text (vga, NULL);
          if (screen && g_regex_match (screen_re, screen, 0, NULL))
            found = TRUE;
        }
      if (found || secs > opt_limit || st == BW_VM_STATE_POWERED_OFF
          || st == BW_VM_STATE_ABORTED)
        break;
    }
  if (found && opt_keys)
    {
      /* Type the keys and wait for what they should show. */
      gsize n = strlen (opt_keys) / 2;
      g_autofree guint8 *buf = g_malloc0 (n + 1);
      for (gsize k = 0; k < n; k++)
        buf[k] = (guint8) g_ascii_strtoull ((char[]){ opt_keys[2 * k], opt_keys[2 * k + 1], 0 },
                                            NULL, 16);
      g_print ("the sign appeared after %.2f s; typing %s\n", secs, opt_keys);
      bw_pc_board_put_scancodes (board, buf, n);
      g_autoptr (GRegex) then_re = g_regex_new (opt_then_re ? opt_then_re : "", 0, 0, NULL);
      found = FALSE;
      gint64 t1 = g_get_monotonic_time ();
      while (!found && then_re && (g_get_monotonic_time () - t1) / 1e6 < 20)
        {
          while (g_main_context_iteration (NULL, FALSE))
            ;
          bw_vm_wait (vm, 50);
          g_clear_pointer (&screen, g_free);
          screen = bw_vga_get_screen_text (bw_pc_board_get_vga (board), NULL);
          found = screen && g_regex_match (then_re, screen, 0, NULL);
        }
      secs = (g_get_monotonic_time () - t0) / 1e6;
    }
  bw_vm_power_off (vm, "bw-boot-probe done", NULL);
  bw_vm_wait (vm, 5000);

  /* The last characters reach the file at power-off. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&out, g_free);
  g_file_get_contents (serial, &out, NULL, NULL);
  if (opt_serial_out && out)
    g_file_set_contents (opt_serial_out, out, -1, NULL);
  g_autoptr (GMatchInfo) reject_m = NULL;
  if (found && reject_re && out && g_regex_match (reject_re, out, 0, &reject_m))
    {
      g_autofree char *what = g_match_info_fetch (reject_m, 0);
      g_print ("FAIL: the sign appeared after %.2f s, but the serial output has “%s”\n", secs,
               what);
      found = FALSE;
    }
  else if (found)
    g_print ("OK: the sign appeared after %.2f s\n", secs);
  else if (!reject_m)
    g_print ("FAIL: no sign after %.2f s (VM %s)\n", secs,
             bw_vm_state_to_string (bw_vm_get_state (vm)));
  g_print ("serial (end):\n%s\n", out ? tail (out, found ? 3 : 25) : "");
  if (screen)
    g_print ("screen:\n%s\n", screen);
  g_remove (serial);
  g_autoptr (GDir) d = g_dir_open (tmp, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (tmp, name, NULL);
      g_remove (p);
    }
  g_rmdir (tmp);
  return found ? 0 : 1;
}
