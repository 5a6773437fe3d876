/* bw-acpi-boot: ACPI with real guests on the software CPU, in this
 * process (a BwVm with acceleration "software" and the PC board).
 *
 *   bw-acpi-boot seabios [--limit S]
 *     SeaBIOS (Debian's bios.bin) with no boot device: its POST must run
 *     the board's fw_cfg table loader, so the RSDP it leaves in the F
 *     segment is ours (OEM "BOXWD ") and leads, through the RSDT, to our
 *     FADT with the PIIX4 PM blocks, our DSDT and the FACS.
 *   bw-acpi-boot linux --kernel F --initrd F [--limit S]
 *     The Debian kernel by direct boot with boxwood.action=powerbutton:
 *     its log must show our tables, ACPI mode, the PM timer, and no ACPI
 *     error or warning; then the power button is pressed and the VM must
 *     power itself off through S5 (and only then).
 *   bw-acpi-boot linux-iso --cdrom ISO [--limit S]
 *     The same kernel through SeaBIOS and GRUB from the CD (the guest
 *     images' grub.iso, boxwood.action=poweroff): the kernel must find the
 *     tables SeaBIOS installed from fw_cfg, and its poweroff must power
 *     the VM off through S5.
 *
 * Exit: 0 passed, 1 failed (with the log tail), 77 when a guest file or
 * the BIOS is missing, 2 bad usage. */
#define G_LOG_DOMAIN "boxwood-boot-test"
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "devices/board/bw-pc-board.h"
#include "devices/ide/bw-ide.h"
#include "devices/chipset/bw-piix4-pm.h"
#include "vmm/bw-config.h"
#include "vmm/bw-vm.h"

static char *opt_kernel, *opt_initrd, *opt_cdrom;
static gdouble opt_limit = 300;

static GOptionEntry entries[] = {
  { "kernel", 0, 0, G_OPTION_ARG_FILENAME, &opt_kernel, "Linux kernel (direct boot)", "F" },
  { "initrd", 0, 0, G_OPTION_ARG_FILENAME, &opt_initrd, "initramfs", "F" },
  { "cdrom", 0, 0, G_OPTION_ARG_FILENAME, &opt_cdrom, "ISO booted by SeaBIOS (linux-iso)", "ISO" },
  { "limit", 0, 0, G_OPTION_ARG_DOUBLE, &opt_limit, "seconds to wait per step (300)", "S" },
  { NULL },
};

typedef struct
{
  char *tmp, *serial;
  BwConfig *config;
  BwVm *vm;
  BwPcBoard *board;
  gint64 t0;
} Run;

static guint32
rd32 (const guint8 *p)
{
  return p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static const char *
tail (const char *text, guint lines)
{
  const char *p = text + strlen (text);
  while (p > text && lines > 0)
    if (*--p == '\n')
      lines--;
  return p;
}

typedef enum
{
  BOOT_FIRMWARE, /* SeaBIOS, nothing to boot */
  BOOT_DIRECT,   /* --kernel/--initrd */
  BOOT_CDROM,    /* SeaBIOS from --cdrom */
} BootKind;

static gboolean
run_start (Run *r, BootKind kind)
{
  g_autoptr (GError) error = NULL;
  r->tmp = g_dir_make_tmp ("bw-acpi-boot-XXXXXX", &error);
  g_assert_no_error (error);
  r->serial = g_build_filename (r->tmp, "com1.log", NULL);
  r->config = bw_config_new ();
  BwConfig *c = r->config;
  bw_config_set_string (c, "name", "bw-acpi-boot");
  bw_config_set_int (c, "ram-mb", 256);
  bw_config_set_int (c, "cpus", 1);
  bw_config_set_string (c, "acceleration", "software");
  bw_config_set_string (c, "logs-dir", r->tmp);
  bw_config_set_string (c, "firmware/type", "bios");
  bw_config_set_string (c, "devices/serial0/class", "uart16550a");
  bw_config_set_int (c, "devices/serial0/index", 1);
  bw_config_set_int (c, "devices/serial0/iobase", 0x3f8);
  bw_config_set_int (c, "devices/serial0/irq", 4);
  bw_config_set_string (c, "devices/serial0/mode", "file");
  bw_config_set_string (c, "devices/serial0/path", r->serial);
  if (kind == BOOT_CDROM)
    {
      bw_config_set_string (c, "devices/ide/class", BW_IDE_CLASS);
      bw_config_set_string (c, "devices/ide/secondary/master/type", "cdrom");
      bw_config_set_string (c, "devices/ide/secondary/master/path", opt_cdrom);
      bw_config_set_string (c, "boot/order", "d");
    }
  if (kind == BOOT_DIRECT)
    {
      bw_config_set_string (c, "boot/kernel", opt_kernel);
      bw_config_set_string (c, "boot/initrd", opt_initrd);
      bw_config_set_string (c, "boot/cmdline",
                            "console=ttyS0,115200 panic=-1 cryptomgr.notests isapnp=0 "
                            "boxwood.action=powerbutton");
    }
  r->vm = bw_vm_new (c, &error);
  if (r->vm)
    r->board = bw_pc_board_new (bw_vm_get_platform (r->vm), &error);
  if (!r->vm || !r->board)
    {
      g_print ("FAIL: cannot build the machine: %s\n", error->message);
      return FALSE;
    }
  if (!bw_pc_board_has_acpi (r->board))
    {
      g_print ("FAIL: the board has no ACPI\n");
      return FALSE;
    }
  bw_pc_board_attach (r->board, r->vm);
  r->t0 = g_get_monotonic_time ();
  if (!bw_vm_start (r->vm, &error))
    {
      g_print ("FAIL: cannot start: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

static gdouble
run_secs (Run *r)
{
  return (g_get_monotonic_time () - r->t0) / 1e6;
}

/* Runs the VM a little; returns the serial output so far (owned by caller). */
static char *
run_step (Run *r, BwVmState *state)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  *state = bw_vm_wait (r->vm, 50);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  char *out = NULL;
  g_file_get_contents (r->serial, &out, NULL, NULL);
  return out ? out : g_strdup ("");
}

/* Stops and frees the machine; *vmlog (may be NULL): the VM log then. */
static void
run_finish (Run *r, char **vmlog)
{
  if (r->vm)
    {
      bw_vm_power_off (r->vm, "bw-acpi-boot done", NULL);
      bw_vm_wait (r->vm, 5000);
    }
  g_clear_pointer (&r->board, bw_pc_board_free);
  g_clear_pointer (&r->vm, bw_vm_free);
  g_clear_pointer (&r->config, bw_config_free);
  if (vmlog)
    {
      g_autofree char *path = g_build_filename (r->tmp, "boxwood.log", NULL);
      g_file_get_contents (path, vmlog, NULL, NULL);
    }
  g_autoptr (GDir) d = g_dir_open (r->tmp, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (r->tmp, name, NULL);
      g_remove (p);
    }
  g_rmdir (r->tmp);
  g_free (r->tmp);
  g_free (r->serial);
}

/* A table at a guest address: its signature, length and checksum. */
static guint8 *
read_table (BwMemory *mem, guint32 addr, const char *sig, GString *why)
{
  guint8 h[36];
  if (!bw_memory_read (mem, addr, h, sizeof h) || memcmp (h, sig, 4) != 0)
    {
      g_string_append_printf (why, "no %s at 0x%x; ", sig, addr);
      return NULL;
    }
  guint32 len = rd32 (h + 4);
  if (len < 36 || len > 65536)
    {
      g_string_append_printf (why, "%s at 0x%x has length %u; ", sig, addr, len);
      return NULL;
    }
  guint8 *t = g_malloc (len);
  bw_memory_read (mem, addr, t, len);
  guint8 sum = 0;
  for (guint32 i = 0; i < len; i++)
    sum += t[i];
  if (sum != 0 || memcmp (t + 10, "BOXWD ", 6) != 0)
    {
      g_string_append_printf (why, "%s at 0x%x: checksum %u, OEM %.6s; ", sig, addr, sum, t + 10);
      g_free (t);
      return NULL;
    }
  return t;
}

/* Finds our RSDP in the F segment and walks the tables; TRUE when all
 * are there and right. */
static gboolean
check_firmware_tables (BwMemory *mem, guint16 base, GString *why)
{
  for (guint32 a = 0xe0000; a < 0x100000; a += 16)
    {
      guint8 r[20];
      if (!bw_memory_read (mem, a, r, sizeof r) || memcmp (r, "RSD PTR ", 8) != 0)
        continue;
      guint8 sum = 0;
      for (guint i = 0; i < 20; i++)
        sum += r[i];
      if (sum != 0 || memcmp (r + 9, "BOXWD ", 6) != 0)
        {
          g_string_append_printf (why, "an RSDP at 0x%x that is not ours (OEM %.6s); ", a, r + 9);
          continue;
        }
      g_autofree guint8 *rsdt = read_table (mem, rd32 (r + 16), "RSDT", why);
      g_autofree guint8 *fadt = rsdt ? read_table (mem, rd32 (rsdt + 36), "FACP", why) : NULL;
      g_autofree guint8 *dsdt = fadt ? read_table (mem, rd32 (fadt + 40), "DSDT", why) : NULL;
      guint8 facs[8] = { 0 };
      if (!dsdt || !bw_memory_read (mem, rd32 (fadt + 36), facs, 8)
          || memcmp (facs, "FACS", 4) != 0)
        return FALSE;
      g_print ("RSDP at 0x%x, RSDT at 0x%x, FADT at 0x%x (PM1a_EVT 0x%x, SCI %u), DSDT at 0x%x "
               "(%u bytes), FACS at 0x%x\n",
               a, rd32 (r + 16), rd32 (rsdt + 36), rd32 (fadt + 56), fadt[46], rd32 (fadt + 40),
               rd32 (dsdt + 4), rd32 (fadt + 36));
      return rd32 (fadt + 56) == base && fadt[46] == 9;
    }
  return FALSE;
}

static int
test_seabios (void)
{
  Run r = { 0 };
  int rc = 1;
  g_autoptr (GString) why = g_string_new (NULL);
  if (!run_start (&r, BOOT_FIRMWARE))
    goto out;
  BwMemory *mem = bw_platform_get_memory (bw_vm_get_platform (r.vm));
  while (run_secs (&r) < opt_limit)
    {
      BwVmState st;
      g_free (run_step (&r, &st));
      g_string_truncate (why, 0);
      bw_platform_lock (bw_vm_get_platform (r.vm));
      guint16 base = bw_piix4_pm_get_base (
          bw_platform_find_device (bw_vm_get_platform (r.vm), BW_PC_BOARD_ACPI_ID));
      bw_platform_unlock (bw_vm_get_platform (r.vm));
      g_string_append_printf (why, "PM I/O at 0x%x; ", base);
      if (check_firmware_tables (mem, base, why))
        {
          g_print ("OK: SeaBIOS installed the board's ACPI tables after %.2f s\n", run_secs (&r));
          rc = 0;
          break;
        }
      if (st == BW_VM_STATE_POWERED_OFF || st == BW_VM_STATE_ABORTED)
        break;
    }
  if (rc)
    g_print ("FAIL: no ACPI tables of ours after %.2f s: %s\n", run_secs (&r),
             why->len ? why->str : "no RSDP in E0000-FFFFF");
out:
  run_finish (&r, NULL);
  return rc;
}

static gboolean
wait_serial (Run *r, GRegex *re, char **out, BwVmState *st)
{
  while (run_secs (r) < opt_limit)
    {
      g_free (*out);
      *out = run_step (r, st);
      if (g_regex_match (re, *out, 0, NULL))
        return TRUE;
      if (*st == BW_VM_STATE_POWERED_OFF || *st == BW_VM_STATE_ABORTED)
        return FALSE;
    }
  return FALSE;
}

/* What the kernel says about ACPI while it boots: our tables at addresses
 * matching addr (16 hex digits), ACPI mode, the PM timer, S5, the PCI
 * root and a link; no ACPI error or warning. */
static gboolean
check_kernel_log (const char *out, const char *addr)
{
  const char *want[] = {
    "ACPI: RSDP 0x@ 000014 \\(v00 BOXWD \\)",
    "ACPI: RSDT 0x@ 000028 \\(v01 BOXWD  BOXWOOD ",
    "ACPI: FACP 0x@ 000074 \\(v01 BOXWD  BOXWOOD ",
    "ACPI: DSDT 0x@ [0-9A-F]{6} \\(v01 BOXWD  BOXWOOD ",
    "ACPI: FACS 0x@ 000040",
    "ACPI: PM-Timer IO Port: 0x608",
    "ACPI: Interpreter enabled",
    "ACPI: PM: \\(supports S0 S5\\)",
    "ACPI: PCI Root Bridge \\[PCI0\\]",
    "ACPI: PCI: Interrupt link LNKA configured for IRQ",
  };
  gboolean ok = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      g_auto (GStrv) parts = g_strsplit (want[i], "@", -1);
      g_autofree char *re = g_strjoinv (addr, parts);
      if (!g_regex_match_simple (re, out, 0, 0))
        {
          g_print ("FAIL: the kernel log lacks /%s/\n", re);
          ok = FALSE;
        }
    }
  g_autoptr (GRegex) bad = g_regex_new ("^.*(ACPI( BIOS)? (Error|Warning)|ACPI: .*(error|fail)|"
                                        "AE_[A-Z_]+).*$",
                                        G_REGEX_MULTILINE | G_REGEX_CASELESS, 0, NULL);
  g_autoptr (GMatchInfo) mi = NULL;
  for (g_regex_match (bad, out, 0, &mi); g_match_info_matches (mi); g_match_info_next (mi, NULL))
    {
      g_autofree char *line = g_match_info_fetch (mi, 0);
      g_print ("FAIL: ACPI trouble in the kernel log: %s\n", line);
      ok = FALSE;
    }
  return ok;
}

static int
test_linux (void)
{
  Run r = { 0 };
  g_autofree char *out = NULL;
  BwVmState st = BW_VM_STATE_RUNNING;
  g_autoptr (GRegex) waiting = g_regex_new ("boxwood: waiting for the ACPI power button", 0, 0,
                                            NULL);
  g_autofree char *vmlog = NULL;
  if (!run_start (&r, BOOT_DIRECT))
    goto out;
  if (!wait_serial (&r, waiting, &out, &st))
    {
      g_print ("FAIL: the guest did not reach its wait for the power button in %.0f s (VM %s)\n",
               run_secs (&r), bw_vm_state_to_string (st));
      goto out;
    }
  gdouble booted = run_secs (&r);
  g_print ("the guest waits for the power button after %.2f s\n", booted);

  if (!check_kernel_log (out, "000000000009C[0-9A-F]{3}"))
    goto out;

  /* Nothing happens on its own: the guest waits. */
  for (guint i = 0; i < 20; i++)
    g_free (run_step (&r, &st));
  if (st != BW_VM_STATE_RUNNING)
    {
      g_print ("FAIL: the VM is %s before the button was pressed\n", bw_vm_state_to_string (st));
      goto out;
    }

  gdouble pressed = run_secs (&r);
  bw_pc_board_press_power_button (r.board);
  while (run_secs (&r) - pressed < 60 && st != BW_VM_STATE_POWERED_OFF
         && st != BW_VM_STATE_ABORTED)
    {
      g_free (out);
      out = run_step (&r, &st);
    }
  gdouble off = run_secs (&r);
  g_free (out);
  out = run_step (&r, &st);
  if (st != BW_VM_STATE_POWERED_OFF)
    {
      g_print ("FAIL: the VM is %s %.1f s after the power button\n", bw_vm_state_to_string (st),
               run_secs (&r) - pressed);
      goto out;
    }
  /* /init powers off only after the kernel counted the button event;
   * kernel lines may cut into its own, so look for the kernel's. */
  if (!strstr (out, "ACPI: PM: Preparing to enter system sleep state S5"))
    {
      g_print ("FAIL: the VM powered off but the kernel did not enter S5\n");
      goto out;
    }
  /* The VM log says why it went off (it is complete once the VM is freed). */
  run_finish (&r, &vmlog);
  if (!vmlog || !strstr (vmlog, "ACPI S5 (soft off)"))
    {
      g_print ("FAIL: the VM log does not say the guest entered S5:\n%s\n",
               vmlog ? tail (vmlog, 15) : "(none)");
      return 1;
    }
  g_print ("OK: booted in %.2f s; powered off through S5 %.2f s after the power button\n", booted,
           off - pressed);
  return 0;
out:
  if (out)
    g_print ("serial (end):\n%s\n", tail (out, 40));
  run_finish (&r, NULL);
  return 1;
}

static int
test_linux_iso (void)
{
  Run r = { 0 };
  g_autofree char *out = NULL, *vmlog = NULL;
  BwVmState st = BW_VM_STATE_RUNNING;
  g_autoptr (GRegex) s5 = g_regex_new ("reboot: Power down", 0, 0, NULL);
  if (!run_start (&r, BOOT_CDROM))
    goto out;
  /* The guest prints its marker, powers off; the VM must go off. */
  wait_serial (&r, s5, &out, &st);
  for (guint i = 0; i < 100 && st == BW_VM_STATE_RUNNING; i++)
    {
      g_free (out);
      out = run_step (&r, &st);
    }
  if (st != BW_VM_STATE_POWERED_OFF || !strstr (out, "BOXWOOD-GUEST-READY"))
    {
      g_print ("FAIL: after %.0f s the VM is %s (the guest should boot and power off)\n",
               run_secs (&r), bw_vm_state_to_string (st));
      goto out;
    }
  if (!check_kernel_log (out, "[0-9A-F]{16}")
      || !strstr (out, "ACPI: PM: Preparing to enter system sleep state S5"))
    goto out;
  gdouble secs = run_secs (&r);
  run_finish (&r, &vmlog);
  if (!vmlog || !strstr (vmlog, "ACPI S5 (soft off)"))
    {
      g_print ("FAIL: the VM log does not say the guest entered S5\n");
      return 1;
    }
  g_print ("OK: SeaBIOS, GRUB and Linux with the board's tables; powered off through S5 after "
           "%.2f s\n",
           secs);
  return 0;
out:
  if (out)
    g_print ("serial (end):\n%s\n", tail (out, 40));
  run_finish (&r, NULL);
  return 1;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) ctx = g_option_context_new ("seabios|linux|linux-iso - ACPI on real guests");
  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error) || argc != 2)
    {
      g_printerr ("bw-acpi-boot: %s\n", error ? error->message : "say seabios or linux");
      return 2;
    }
  if (strcmp (argv[1], "seabios") == 0)
    {
      const char *bios = BW_SEABIOS_DIR "/bios.bin";
      if (!g_file_test (bios, G_FILE_TEST_IS_REGULAR))
        {
          g_print ("SKIP: %s is missing (Debian's seabios package)\n", bios);
          return 77;
        }
      return test_seabios ();
    }
  if (strcmp (argv[1], "linux") == 0)
    {
      const char *files[] = { opt_kernel, opt_initrd };
      for (guint i = 0; i < G_N_ELEMENTS (files); i++)
        if (!files[i] || !g_file_test (files[i], G_FILE_TEST_IS_REGULAR))
          {
            g_print ("SKIP: %s is missing (tools/guest-images prepares build/guests)\n",
                     files[i] ? files[i] : "--kernel/--initrd");
            return 77;
          }
      return test_linux ();
    }
  if (strcmp (argv[1], "linux-iso") == 0)
    {
      if (!opt_cdrom || !g_file_test (opt_cdrom, G_FILE_TEST_IS_REGULAR))
        {
          g_print ("SKIP: %s is missing (tools/guest-images prepares build/guests)\n",
                   opt_cdrom ? opt_cdrom : "--cdrom");
          return 77;
        }
      return test_linux_iso ();
    }
  g_printerr ("bw-acpi-boot: say seabios, linux or linux-iso\n");
  return 2;
}
