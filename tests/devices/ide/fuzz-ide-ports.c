/* fuzz-ide-ports.c: libFuzzer target over the PIIX3 IDE controller.
 *
 * Each input builds a fresh board (chipset and IDE with synchronous disk
 * I/O: a VDI disk as primary master, a CD-ROM with an ISO as primary
 * slave, an empty CD-ROM as secondary master, a read-only raw disk as
 * secondary slave) and plays the bytes as guest actions: port reads and
 * writes of 1, 2 and 4 bytes on the task files, control registers and
 * bus-master registers, guest RAM writes (PRD tables, data), PCI
 * configuration writes, whole ATA commands and ATAPI packets (so that
 * the fuzzer reaches deep states quickly), media changes from the front
 * end, resets and saved-state round trips with cut and damaged copies.
 * Anything the sanitizers catch is a bug.
 *
 *   CC=clang meson setup build-fuzz -Dfuzzing=true
 *   ninja -C build-fuzz tests/devices/ide/fuzz-ide-ports
 *   build-fuzz/tests/devices/ide/fuzz-ide-ports -max_total_time=120 */
#include "config.h"

#include <string.h>
#include "devices/chipset/bw-chipset.h"
#include "devices/ide/bw-ide.h"
#include "devices/storage/bw-disk.h"
#include "vmm/bw-platform.h"
#include "tests/bw-fuzz-stream.h"

#define BM_BASE 0xc000

static const guint16 ports[] = {
  0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7, 0x3f6,
  0x170, 0x171, 0x172, 0x173, 0x174, 0x175, 0x176, 0x177, 0x376,
  BM_BASE, BM_BASE + 2, BM_BASE + 4, BM_BASE + 8, BM_BASE + 10, BM_BASE + 12,
};

static char *disk_path, *iso_path, *raw_path;

static void
make_images (void)
{
  g_autofree char *dir = g_dir_make_tmp ("bw-fuzz-ide-XXXXXX", NULL);
  disk_path = g_build_filename (dir, "disk.vdi", NULL);
  iso_path = g_build_filename (dir, "cd.iso", NULL);
  raw_path = g_build_filename (dir, "ro.raw", NULL);
  BwDisk *disk = bw_disk_create (disk_path, BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC,
                                 4u << 20, NULL);
  guint8 sector[512];
  for (guint s = 0; s < 64; s++)
    {
      memset (sector, (int) s, sizeof sector);
      bw_disk_write (disk, (guint64) s * 512, sector, 512, NULL);
    }
  bw_disk_unref (disk);
  disk = bw_disk_create (raw_path, BW_DISK_FORMAT_RAW, BW_DISK_VARIANT_DYNAMIC, 1u << 20, NULL);
  bw_disk_unref (disk);
  g_autofree guint8 *iso = g_malloc0 (32 * 2048);
  for (guint i = 0; i < 32 * 2048; i++)
    iso[i] = (guint8) (i * 7);
  g_file_set_contents (iso_path, (const char *) iso, 32 * 2048, NULL);
}

static BwConfig *
make_config (void)
{
  BwConfig *c = bw_config_new ();
  bw_config_set_string (c, "devices/ide/io", "sync");
  bw_config_set_string (c, "devices/ide/primary/master/type", "hdd");
  bw_config_set_string (c, "devices/ide/primary/master/path", disk_path);
  bw_config_set_string (c, "devices/ide/primary/slave/type", "cdrom");
  bw_config_set_string (c, "devices/ide/primary/slave/path", iso_path);
  bw_config_set_string (c, "devices/ide/secondary/master/type", "cdrom");
  bw_config_set_string (c, "devices/ide/secondary/slave/type", "hdd");
  bw_config_set_string (c, "devices/ide/secondary/slave/path", raw_path);
  bw_config_set_bool (c, "devices/ide/secondary/slave/read-only", TRUE);
  return c;
}

static void
pio (BwPlatform *p, guint16 port, guint32 value, guint size, gboolean write)
{
  guint64 v = value;
  bw_platform_pio (p, port, &v, size, write);
}

static void
pci_write (BwPlatform *p, guint reg, guint32 value, guint size)
{
  pio (p, 0xcf8, 0x80000000u | (((1 << 3) | 1) << 8) | (reg & 0xfc), 4, TRUE);
  pio (p, (guint16) (0xcfc + (reg & 3)), value, size, TRUE);
}

static void
state_round_trip (BwPlatform *p, Stream *s)
{
  g_autoptr (GByteArray) state = g_byte_array_new ();
  bw_platform_save_state (p, state);
  if (!bw_platform_load_state (p, state->data, state->len, NULL))
    __builtin_trap (); /* a state just saved must load */
  guint how = take (s, 1);
  if (how & 1)
    {
      gsize cut = state->len ? take (s, 3) % state->len : 0;
      if (bw_platform_load_state (p, state->data, cut, NULL))
        __builtin_trap ();
      bw_platform_load_state (p, state->data, state->len, NULL);
    }
  if (how & 2)
    {
      /* A damaged copy loads or fails, never crashes; after a failure
       * the board is reset, as the VM would. */
      if (state->len)
        for (guint i = 0; i < 1 + (how >> 4); i++)
          state->data[take (s, 3) % state->len] ^= (guint8) take (s, 1);
      if (!bw_platform_load_state (p, state->data, state->len, NULL))
        bw_platform_reset (p);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static gboolean once;
  if (!once)
    {
      g_log_set_default_handler (log_to_nowhere, NULL);
      make_images ();
      once = TRUE;
    }
  Stream s = { data, size, 0 };
  BwConfig *config = make_config ();
  BwPlatformOptions options = { .ram_size = 16u << 20, .clock_mode = BW_CLOCK_MANUAL,
                                .config = config };
  BwPlatform *p = bw_platform_new (&options, NULL);
  if (!p || !bw_chipset_add (p, NULL))
    __builtin_trap ();
  BwDevice *ide = bw_platform_add_device (p, BW_IDE_CLASS, "ide", NULL, NULL);
  if (!ide || !bw_platform_realize (p, NULL))
    __builtin_trap ();
  BwMemory *mem = bw_platform_get_memory (p);
  pci_write (p, 0x20, BM_BASE | 1, 4);
  pci_write (p, 0x04, 0x0005, 2);

  static const guint sizes[] = { 1, 2, 4, 2 };
  for (guint ops = 0; s.pos < s.len && ops < 2048; ops++)
    {
      guint op = take (&s, 1);
      switch (op % 12)
        {
        case 0: case 1: case 2:
          {
            guint sel = take (&s, 1);
            guint16 port = ports[sel % G_N_ELEMENTS (ports)];
            if (sel >= 0xf0)
              port = (guint16) (BM_BASE + (sel & 15));
            guint sz = sizes[(op >> 4) & 3];
            pio (p, port, take (&s, sz), sz, TRUE);
          }
          break;
        case 3: case 4:
          {
            guint sel = take (&s, 1);
            guint16 port = ports[sel % G_N_ELEMENTS (ports)];
            guint sz = sizes[(op >> 4) & 3];
            /* Sometimes a whole sector's worth of data port reads. */
            guint n = (op & 0x80) ? 256 : 1;
            for (guint i = 0; i < n; i++)
              pio (p, port, 0, sz, FALSE);
          }
          break;
        case 5:
          {
            /* Guest RAM: a PRD entry in the table area or data anywhere
             * in the first MiB. */
            guint32 addr = (op & 0x80) ? 0x1000 + 8 * (take (&s, 1) & 63)
                                       : take (&s, 3) & 0xfffff;
            guint8 buf[8];
            for (guint i = 0; i < 8; i++)
              buf[i] = (guint8) take (&s, 1);
            bw_memory_write (mem, addr, buf, sizeof buf);
          }
          break;
        case 6:
          {
            /* A whole ATA command on one channel. */
            guint16 base = (op & 0x80) ? 0x170 : 0x1f0;
            pio (p, base + 6, take (&s, 1), 1, TRUE);
            for (guint r = 1; r <= 5; r++)
              pio (p, (guint16) (base + r), take (&s, 1), 1, TRUE);
            static const guint8 cmds[] = { 0x20, 0x24, 0x30, 0x34, 0xc4, 0xc5, 0xc6, 0xc8,
                                           0xca, 0x25, 0x35, 0x40, 0xe7, 0xef, 0x91, 0xec,
                                           0xa1, 0x90, 0x08, 0xe5, 0xe0, 0x70, 0x29, 0x39 };
            guint c = take (&s, 1);
            pio (p, base + 7, c < 0xe0 ? cmds[c % G_N_ELEMENTS (cmds)] : c, 1, TRUE);
          }
          break;
        case 7:
          {
            /* An ATAPI packet: PACKET, then 12 bytes of CDB. */
            guint16 base = (op & 0x80) ? 0x170 : 0x1f0;
            static const guint8 ops_cd[] = { 0x00, 0x03, 0x12, 0x1b, 0x1e, 0x25, 0x28, 0xa8,
                                             0xbe, 0x2b, 0x43, 0x46, 0x4a, 0x51, 0x5a, 0xbd,
                                             0x52, 0xbb };
            pio (p, base + 6, (op & 0x40) ? 0xb0 : 0xa0, 1, TRUE);
            pio (p, base + 1, take (&s, 1) & 1, 1, TRUE);
            pio (p, base + 4, take (&s, 1), 1, TRUE);
            pio (p, base + 5, take (&s, 1), 1, TRUE);
            pio (p, base + 7, 0xa0, 1, TRUE);
            guint8 cdb[12];
            for (guint i = 0; i < 12; i++)
              cdb[i] = (guint8) take (&s, 1);
            if (cdb[0] < 0xc0)
              cdb[0] = ops_cd[cdb[0] % G_N_ELEMENTS (ops_cd)];
            for (guint i = 0; i < 12; i += 2)
              pio (p, base, (guint32) (cdb[i] | cdb[i + 1] << 8), 2, TRUE);
          }
          break;
        case 8:
          {
            /* Bus master: table address and start. */
            guint ch = op & 0x80 ? 8 : 0;
            pio (p, (guint16) (BM_BASE + ch + 4), 0x1000 + 8 * (take (&s, 1) & 31), 4, TRUE);
            pio (p, (guint16) (BM_BASE + ch), take (&s, 1) & 0x09, 1, TRUE);
          }
          break;
        case 9:
          pci_write (p, take (&s, 1) & 0xfc, take (&s, 4), 4);
          break;
        case 10:
          {
            guint which = take (&s, 1);
            guint ch = (which >> 1) & 1, pos = which & 1;
            if (which & 4)
              bw_ide_eject_medium (ide, ch, pos, (which & 8) != 0, NULL);
            else
              bw_ide_insert_medium (ide, ch, pos, (which & 16) ? iso_path : disk_path, NULL);
          }
          break;
        default:
          if (op & 0x80)
            bw_platform_reset (p);
          else
            state_round_trip (p, &s);
          break;
        }
    }
  bw_platform_free (p);
  bw_config_free (config);
  return 0;
}
