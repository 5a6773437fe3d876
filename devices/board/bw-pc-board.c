/* bw-pc-board.c: the PC: devices by class name, firmware, what boots. */
#include "config.h"

#include <string.h>
#include "devices/board/bw-pc-board.h"
#include "devices/board/bw-linux-boot.h"
#include "devices/board/bw-guest-loader.h"
#include "devices/board/bw-acpi-tables.h"
#include "devices/chipset/bw-pci.h"
#include "devices/chipset/bw-piix4-pm.h"
#include "devices/chipset/bw-chipset.h"
#include "devices/chipset/bw-rtc.h"
#include "devices/ide/bw-ide.h"
#include "devices/display/bw-vga.h"
#include "devices/peripherals/bw-fw-cfg.h"
#include "devices/peripherals/bw-i8042.h"
#include "devices/peripherals/bw-ps2-keyboard.h"
#include "vmm/bw-firmware.h"

G_DEFINE_QUARK (bw-pc-board-error-quark, bw_pc_board_error)

struct _BwPcBoard
{
  BwPlatform *platform;
  BwPcBoot *boot;
  char *boot_description;
  BwDevice *ide; /* the configured PIIX3 IDE controller, or NULL */
  BwDevice *vga;
  BwDevice *pm; /* the PIIX4 PM function (ACPI), or NULL */
  char *bootorder;
};

static void
board_log (BwPcBoard *board, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
board_log (BwPcBoard *board, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  bw_log_vprintf (bw_platform_get_log (board->platform), "Board", format, args);
  va_end (args);
}

/* Option ROMs from firmware/option-roms/<n>/path into fw_cfg. */
static gboolean
add_option_roms (BwPcBoard *board, BwConfig *config, BwDevice *fw_cfg, GError **error)
{
  BwConfig *roms = bw_config_get_child (config, "firmware/option-roms");
  for (GList *l = roms ? bw_config_get_children (roms) : NULL; l; l = l->next)
    {
      const char *path;
      if (!bw_config_get_string (l->data, "path", &path, error))
        return FALSE;
      g_autoptr (GError) local = NULL;
      char *data = NULL;
      gsize len = 0;
      if (!g_file_get_contents (path, &data, &len, &local))
        {
          g_set_error (error, BW_PC_BOARD_ERROR, BW_PC_BOARD_ERROR_ROM,
                       "Cannot read the option ROM: %s", local->message);
          return FALSE;
        }
      g_autoptr (GBytes) rom = g_bytes_new_take (data, len);
      if (len < 512 || len > 0x40000 || ((guint8 *) data)[0] != 0x55
          || ((guint8 *) data)[1] != 0xaa)
        {
          g_set_error (error, BW_PC_BOARD_ERROR, BW_PC_BOARD_ERROR_ROM,
                       "%s is not an option ROM (it must start with 55 AA and hold 512 bytes "
                       "to 256 KiB)",
                       path);
          return FALSE;
        }
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *name = g_strconcat ("genroms/", base, NULL);
      if (!bw_fw_cfg_add_file (fw_cfg, name, rom, error))
        return FALSE;
      board_log (board, "Option ROM %s (%" G_GSIZE_FORMAT " bytes) as fw_cfg file %s", path, len,
                 name);
    }
  return TRUE;
}

/* A kernel or test image instead of firmware. */
static gboolean
load_boot_image (BwPcBoard *board, BwConfig *config, GError **error)
{
  BwMemory *mem = bw_platform_get_memory (board->platform);
  guint64 low = bw_memory_get_low_ram_size (mem), high = bw_memory_get_high_ram_size (mem);
  const char *kernel = bw_config_get_string_default (config, "boot/kernel", NULL);
  const char *image = bw_config_get_string_default (config, "boot/image", NULL);
  const char *cmdline = bw_config_get_string_default (config, "boot/cmdline", NULL);
  if (kernel && image)
    {
      g_set_error (error, BW_PC_BOARD_ERROR, BW_PC_BOARD_ERROR_CONFIG,
                   "Both boot/kernel and boot/image are set: choose one");
      return FALSE;
    }
  if (kernel)
    board->boot = bw_linux_boot_load (
      kernel, bw_config_get_string_default (config, "boot/initrd", NULL), cmdline, low, high,
      error);
  else if (image)
    {
      gint64 addr = 0;
      if (bw_config_has (config, "boot/image-address")
          && !bw_config_get_int_range (config, "boot/image-address", 0, 0xfffff, &addr, error))
        return FALSE;
      board->boot = bw_guest_loader_load (
        bw_config_get_string_default (config, "boot/image-kind", "multiboot"), image,
        (guint32) addr, cmdline, low, high, error);
    }
  else
    return TRUE;
  if (!board->boot)
    return FALSE;
  /* Check now that it fits, rather than on the vCPU thread. */
  return bw_pc_boot_write (board->boot, mem, error);
}

/* The first configured device of a class, or NULL. */
static BwDevice *
find_configured (BwPcBoard *board, BwConfig *config, const char *klass)
{
  BwConfig *devices = bw_config_get_child (config, "devices");
  for (GList *l = devices ? bw_config_get_children (devices) : NULL; l; l = l->next)
    if (g_strcmp0 (bw_config_get_string_default (l->data, "class", NULL), klass) == 0)
      return bw_platform_find_device (board->platform, bw_config_get_name (l->data));
  return NULL;
}

/* The ATA disks' geometry into the CMOS (types 47 with parameter blocks
 * for the primary channel, translation bits for all four): the RTC
 * computes its fields from its node's disk0..disk3, so give it those and
 * let it fill a fresh copy. */
static gboolean
set_cmos_disks (BwPcBoard *board, GError **error)
{
  BwDevice *rtc = bw_platform_find_device (board->platform, "rtc");
  if (!rtc || !board->ide)
    return TRUE;
  gboolean any = FALSE;
  for (guint i = 0; i < 4; i++)
    {
      BwIdeDriveInfo info;
      if (!bw_ide_get_drive_info (board->ide, i / 2, i % 2, &info)
          || info.kind != BW_IDE_DRIVE_HDD)
        continue;
      g_autofree char *name = g_strdup_printf ("disk%u", i);
      BwConfig *node = bw_config_ensure_child (rtc->config, name);
      bw_config_set_int (node, "cylinders", CLAMP (info.cylinders, 1, 65535));
      bw_config_set_int (node, "heads", CLAMP (info.heads, 1, 255));
      bw_config_set_int (node, "sectors", CLAMP (info.sectors_per_track, 1, 255));
      any = TRUE;
    }
  if (!any)
    return TRUE;
  guint8 cmos[BW_RTC_CMOS_SIZE] = { 0 };
  if (!bw_rtc_cmos_init (rtc, cmos, error))
    return FALSE;
  for (guint i = 0x0e; i < BW_RTC_CMOS_SIZE; i++)
    bw_rtc_cmos_write (rtc, i, cmos[i]);
  return TRUE;
}

/* SeaBIOS's "bootorder" from boot/order: each 'c' lists the ATA disks and
 * each 'd' the CD drives, as SeaBIOS names them (its boot.c: the PCI path
 * of the controller, a glob for the device name, then
 * /drive@<channel>/disk@<unit>). Devices left out boot after those
 * listed, in SeaBIOS's default order. */
static char *
make_bootorder (BwPcBoard *board, BwConfig *config)
{
  const char *order = bw_config_get_string_default (config, "boot/order", NULL);
  if (!order || !board->ide)
    return NULL;
  gint64 slot = bw_config_get_int_default (board->ide->config, "slot", 1);
  g_autoptr (GString) out = g_string_new (NULL);
  for (const char *o = order; *o; o++)
    {
      BwIdeDriveKind want = *o == 'c' ? BW_IDE_DRIVE_HDD
                            : *o == 'd' ? BW_IDE_DRIVE_CDROM
                                        : BW_IDE_DRIVE_NONE;
      if (want == BW_IDE_DRIVE_NONE)
        continue;
      for (guint i = 0; i < 4; i++)
        {
          BwIdeDriveInfo info;
          if (bw_ide_get_drive_info (board->ide, i / 2, i % 2, &info) && info.kind == want)
            g_string_append_printf (out, "/pci@i0cf8/*@%x,1/drive@%u/disk@%u\n", (guint) slot,
                                    i / 2, i % 2);
        }
    }
  return out->len ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

static gboolean
setup_storage (BwPcBoard *board, BwConfig *config, GError **error)
{
  board->ide = find_configured (board, config, BW_IDE_CLASS);
  board->vga = find_configured (board, config, BW_VGA_CLASS);
  bw_platform_lock (board->platform);
  gboolean ok = set_cmos_disks (board, error);
  board->bootorder = ok ? make_bootorder (board, config) : NULL;
  if (board->bootorder)
    {
      BwDevice *fw_cfg = bw_platform_find_device (board->platform, BW_PC_BOARD_FW_CFG_ID);
      g_autoptr (GBytes) bytes = g_bytes_new (board->bootorder, strlen (board->bootorder) + 1);
      ok = bw_fw_cfg_add_file (fw_cfg, "bootorder", bytes, error) != 0;
    }
  bw_platform_unlock (board->platform);
  if (ok && board->bootorder)
    {
      g_autofree char *flat = g_strdelimit (g_strdup (board->bootorder), "\n", ' ');
      board_log (board, "SeaBIOS boot order: %s", flat);
    }
  return ok;
}

/* ACPI tables: to SeaBIOS through the fw_cfg linker/loader, or straight
 * into a directly booted kernel's memory. */
static gboolean
setup_acpi (BwPcBoard *board, BwConfig *config, GError **error)
{
  if (!board->pm)
    return TRUE;
  BwAcpiConfig cfg;
  bw_acpi_config_init_pc (&cfg);
  g_autoptr (BwAcpiTables) t = bw_acpi_tables_build (&cfg);
  if (board->boot)
    {
      if (!bw_config_has (config, "boot/kernel"))
        return TRUE; /* a test image: it brings what it needs */
      guint32 rsdp = 0;
      g_autoptr (GBytes) linked = bw_acpi_tables_link (t, BW_LINUX_ACPI_ADDR, &rsdp);
      if (!bw_linux_boot_add_acpi (board->boot, linked, rsdp, error))
        return FALSE;
      board_log (board, "ACPI: %u bytes of tables at 0x%x, RSDP at 0x%x (direct boot)",
                 t->tables->len, BW_LINUX_ACPI_ADDR, rsdp);
      return TRUE;
    }
  BwDevice *fw_cfg = bw_platform_find_device (board->platform, BW_PC_BOARD_FW_CFG_ID);
  g_autoptr (GBytes) tables = g_bytes_new (t->tables->data, t->tables->len);
  g_autoptr (GBytes) rsdp = g_bytes_new (t->rsdp->data, t->rsdp->len);
  g_autoptr (GBytes) loader = bw_acpi_tables_loader (t);
  bw_platform_lock (board->platform);
  gboolean ok = bw_fw_cfg_add_file (fw_cfg, BW_ACPI_FILE_TABLES, tables, error)
                && bw_fw_cfg_add_file (fw_cfg, BW_ACPI_FILE_RSDP, rsdp, error)
                && bw_fw_cfg_add_file (fw_cfg, BW_ACPI_FILE_LOADER, loader, error);
  bw_platform_unlock (board->platform);
  if (ok)
    board_log (board, "ACPI: %u bytes of tables for SeaBIOS through fw_cfg %s", t->tables->len,
               BW_ACPI_FILE_LOADER);
  return ok;
}

/* What firmware does for the PM function before an OS runs, for a kernel
 * started without firmware: PM I/O at the base the tables name, SCI 9. */
static void
program_pm (BwPcBoard *board)
{
  BwPciBus *bus = bw_pci_bus_find (board->platform);
  gint64 slot = bw_config_get_int_default (board->pm->config, "slot", 1);
  guint devfn = BW_PCI_DEVFN ((guint)slot, 3);
  bw_platform_lock (board->platform);
  bw_pci_bus_config_write (bus, devfn, BW_PCI_INTERRUPT_LINE, BW_PIIX4_PM_SCI_IRQ, 1);
  bw_pci_bus_config_write (bus, devfn, 0x40, BW_PIIX4_PM_DEFAULT_BASE | 1, 4);
  bw_pci_bus_config_write (bus, devfn, 0x80, 0x01, 1);
  bw_platform_unlock (board->platform);
}

BwPcBoard *
bw_pc_board_new (BwPlatform *platform, GError **error)
{
  g_autoptr (BwPcBoard) board = g_new0 (BwPcBoard, 1);
  board->platform = platform;
  BwConfig *config = bw_platform_get_config (platform);

  if (!bw_chipset_add (platform, error)
      || !bw_platform_add_device (platform, BW_I8042_CLASS, BW_PC_BOARD_I8042_ID, NULL, error)
      || !bw_platform_add_device (platform, BW_FW_CFG_CLASS, BW_PC_BOARD_FW_CFG_ID, NULL, error)
      || (bw_config_get_bool_default (config, "acpi", TRUE)
          && !bw_platform_add_device (platform, BW_PIIX4_PM_CLASS, BW_PC_BOARD_ACPI_ID, NULL,
                                      error))
      || !bw_platform_add_configured_devices (platform, error)
      || !bw_platform_realize (platform, error))
    return NULL;

  board->pm = bw_platform_find_device (platform, BW_PC_BOARD_ACPI_ID);
  if (!load_boot_image (board, config, error) || !setup_storage (board, config, error)
      || !setup_acpi (board, config, error))
    return NULL;

  const char *type = bw_config_get_string_default (config, "firmware/type", "bios");
  if (strcmp (type, "bios") != 0 && strcmp (type, "none") != 0)
    {
      g_set_error (error, BW_PC_BOARD_ERROR, BW_PC_BOARD_ERROR_CONFIG,
                   "Unknown firmware type “%s”: “bios” or “none”", type);
      return NULL;
    }
  const char *bios = bw_config_get_string_default (config, "firmware/bios", NULL);
  if (strcmp (type, "bios") == 0)
    {
      g_autoptr (GError) local = NULL;
      if (!bw_firmware_load_bios (platform, bios, &local))
        {
          /* A kernel or image starts without it. */
          if (!board->boot)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return NULL;
            }
          board_log (board, "No BIOS mapped: %s", local->message);
        }
    }

  BwDevice *fw_cfg = bw_platform_find_device (platform, BW_PC_BOARD_FW_CFG_ID);
  bw_platform_lock (platform);
  gboolean ok = add_option_roms (board, config, fw_cfg, error);
  bw_platform_unlock (platform);
  if (!ok)
    return NULL;

  if (board->boot)
    board->boot_description = g_strdup (board->boot->description);
  else if (strcmp (type, "bios") == 0)
    board->boot_description = g_strdup_printf ("BIOS %s", bios ? bios : "SeaBIOS (bios.bin)");
  else
    board->boot_description = g_strdup ("nothing (no firmware, no kernel)");
  board_log (board, "Boot: %s", board->boot_description);
  return g_steal_pointer (&board);
}

void
bw_pc_board_free (BwPcBoard *board)
{
  if (!board)
    return;
  bw_pc_boot_free (board->boot);
  g_free (board->boot_description);
  g_free (board->bootorder);
  g_free (board);
}

static gboolean
reset_hook (void *user_data, BwVm *vm, BwVcpu *vcpu, GError **error)
{
  BwPcBoard *board = user_data;
  if (!board->boot)
    return TRUE;
  if (board->pm)
    program_pm (board);
  if (!bw_pc_boot_write (board->boot, bw_platform_get_memory (board->platform), error))
    return FALSE;
  const BwCpuBackend *backend = bw_vm_get_backend (vm); /* vcpu->backend may be unset */
  BwX86Regs regs;
  if (!backend->get_regs (vcpu, &regs, error))
    return FALSE;
  bw_pc_boot_apply_regs (board->boot, &regs);
  return backend->set_regs (vcpu, &regs, error);
}

void
bw_pc_board_attach (BwPcBoard *board, BwVm *vm)
{
  bw_vm_set_reset_hook (vm, reset_hook, board);
}

const BwPcBoot *
bw_pc_board_get_boot (BwPcBoard *board)
{
  return board->boot;
}

BwDevice *
bw_pc_board_get_ide (BwPcBoard *board)
{
  return board->ide;
}

BwDevice *
bw_pc_board_get_vga (BwPcBoard *board)
{
  return board->vga;
}

const char *
bw_pc_board_get_bootorder (BwPcBoard *board)
{
  return board->bootorder;
}

const char *
bw_pc_board_describe_boot (BwPcBoard *board)
{
  return board->boot_description;
}

gboolean
bw_pc_board_has_acpi (BwPcBoard *board)
{
  return board->pm != NULL;
}

gboolean
bw_pc_board_acpi_in_use (BwPcBoard *board)
{
  if (!board->pm)
    return FALSE;
  bw_platform_lock (board->platform);
  gboolean on = bw_piix4_pm_acpi_enabled (board->pm);
  bw_platform_unlock (board->platform);
  return on;
}

void
bw_pc_board_press_power_button (BwPcBoard *board)
{
  if (!board->pm)
    return;
  bw_platform_lock (board->platform);
  gboolean listening = bw_piix4_pm_press_power_button (board->pm);
  bw_platform_unlock (board->platform);
  board_log (board, "ACPI power button pressed%s",
             listening ? "" : " (the guest does not listen for it: not in ACPI mode or the "
                              "power button event is not enabled)");
}

void
bw_pc_board_put_scancodes (BwPcBoard *board, const guint8 *set2, gsize len)
{
  BwDevice *kbd = bw_platform_find_device (board->platform, BW_PC_BOARD_I8042_ID);
  if (kbd)
    bw_i8042_put_scancodes (kbd, set2, len);
}

void
bw_pc_board_put_mouse (BwPcBoard *board, int dx, int dy, int dz, guint buttons)
{
  BwDevice *kbd = bw_platform_find_device (board->platform, BW_PC_BOARD_I8042_ID);
  if (kbd)
    bw_i8042_put_mouse (kbd, dx, dy, dz, buttons);
}

GByteArray *
bw_pc_board_set1_to_set2 (const guint8 *set1, gsize len, GError **error)
{
  /* The inverse of the i8042's translation, built once. */
  static guint8 inverse[0x80];
  static gsize once = 0;
  if (g_once_init_enter (&once))
    {
      for (guint s2 = 0x84; s2 > 0; s2--)
        {
          guint8 s1 = bw_ps2_translate_to_set1 ((guint8) s2);
          if (s1 < 0x80 && s2 != 0x84)
            inverse[s1] = (guint8) s2; /* the lowest set-2 code wins a clash... */
        }
      inverse[0x41] = 0x83; /* ...but F7 and SysRq have codes above 7F in set 2 */
      inverse[0x54] = 0x84;
      g_once_init_leave (&once, 1);
    }
  g_autoptr (GByteArray) out = g_byte_array_new ();
  for (gsize i = 0; i < len; i++)
    {
      guint8 c = set1[i];
      if (c == 0xe0 || c == 0xe1)
        {
          g_byte_array_append (out, &c, 1);
          continue;
        }
      guint8 code = inverse[c & 0x7f];
      if (code == 0)
        {
          g_set_error (error, BW_PC_BOARD_ERROR, BW_PC_BOARD_ERROR_CONFIG,
                       "Scancode %02X is not a set-1 key code", c);
          return NULL;
        }
      if (c & 0x80)
        g_byte_array_append (out, (const guint8 *) "\xf0", 1);
      g_byte_array_append (out, &code, 1);
    }
  return g_steal_pointer (&out);
}
