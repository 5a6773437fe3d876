/* ide-test.h: a test board for the IDE tests: the chipset and the PIIX3
 * IDE function on a manual clock, port and PCI configuration access,
 * guest memory, disk images and a small ISO 9660 image in a temporary
 * folder. Every register access goes through the platform's port bus,
 * as a CPU's would. */
#pragma once

#include <glib/gstdio.h>
#include <string.h>
#include "bw-test.h"
#include "devices/chipset/bw-chipset.h"
#include "devices/ide/bw-ide.h"
#include "devices/storage/bw-disk.h"
#include "vmm/bw-platform.h"

#define IT_BM_BASE 0xc000 /* where the tests put BAR4 */
#define IT_IDE_DEVFN ((1 << 3) | 1)
#define IT_ISO_SECTORS 64

/* Status and error bits. */
#define ST_ERR 0x01
#define ST_DRQ 0x08
#define ST_DSC 0x10
#define ST_DRDY 0x40
#define ST_BSY 0x80
#define ER_ABRT 0x04
#define ER_IDNF 0x10

typedef struct
{
  BwPlatform *platform;
  BwConfig *config;
  BwDevice *ide;
} ItBoard;

static char *it_dir;

static void
it_setup (void)
{
  it_dir = g_dir_make_tmp ("bw-ide-XXXXXX", NULL);
  ck_assert_ptr_nonnull (it_dir);
}

static void
it_rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  if (dir)
    {
      const char *name;
      while ((name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          it_rm_rf (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static void
it_teardown (void)
{
  it_rm_rf (it_dir);
  g_clear_pointer (&it_dir, g_free);
}

static inline char *
it_path (const char *name)
{
  return g_build_filename (it_dir, name, NULL);
}

/* Sector s of a test disk: its number in the first 8 bytes, then a
 * pattern that differs per sector and per byte. */
static inline void
it_fill_sector (guint8 *buf, guint64 s, guint size)
{
  for (guint i = 0; i < size; i++)
    buf[i] = (guint8) (s * 7 + i * 3 + 1);
  for (guint i = 0; i < 8; i++)
    buf[i] = (guint8) (s >> (8 * i));
}

static inline gboolean
it_sector_ok (const guint8 *buf, guint64 s, guint size)
{
  guint8 want[2048];
  it_fill_sector (want, s, size);
  return memcmp (buf, want, size) == 0;
}

/* A disk image with the pattern in its first `filled` sectors. */
static inline char *
it_make_disk (const char *name, BwDiskFormat format, guint64 size, guint filled)
{
  char *path = it_path (name);
  g_autoptr (GError) error = NULL;
  BwDisk *disk = bw_disk_create (path, format, BW_DISK_VARIANT_DYNAMIC, size, &error);
  ck_assert_msg (disk != NULL, "create %s: %s", path, error ? error->message : "");
  guint8 buf[512];
  for (guint s = 0; s < filled; s++)
    {
      it_fill_sector (buf, s, 512);
      ck_assert (bw_disk_write (disk, (guint64) s * 512, buf, 512, NULL));
    }
  ck_assert (bw_disk_flush (disk, NULL));
  bw_disk_unref (disk);
  return path;
}

static inline void
it_both_endian32 (guint8 *p, guint32 v)
{
  for (guint i = 0; i < 4; i++)
    {
      p[i] = (guint8) (v >> (8 * i));
      p[7 - i] = (guint8) (v >> (8 * i));
    }
}

static inline void
it_both_endian16 (guint8 *p, guint16 v)
{
  p[0] = p[3] = (guint8) v;
  p[1] = p[2] = (guint8) (v >> 8);
}

/* A minimal ISO 9660 image of IT_ISO_SECTORS sectors: system area, a
 * primary volume descriptor (sector 16), the terminator (17), the root
 * directory (18), the path table (19); sectors from 20 on carry the test
 * pattern. */
static inline char *
it_make_iso (const char *name, const char *volume)
{
  char *path = it_path (name);
  g_autofree guint8 *img = g_malloc0 (IT_ISO_SECTORS * 2048);
  guint8 *pvd = img + 16 * 2048;
  pvd[0] = 1;
  memcpy (pvd + 1, "CD001", 5);
  pvd[6] = 1;
  memset (pvd + 8, ' ', 32);
  memset (pvd + 40, ' ', 32);
  memcpy (pvd + 40, volume, MIN (strlen (volume), 32));
  it_both_endian32 (pvd + 80, IT_ISO_SECTORS);
  it_both_endian16 (pvd + 120, 1);
  it_both_endian16 (pvd + 124, 1);
  it_both_endian16 (pvd + 128, 2048);
  it_both_endian32 (pvd + 132, 10);
  pvd[140] = 19; /* type L path table */
  pvd[151] = 19; /* type M path table, big-endian */
  guint8 *root = pvd + 156;
  root[0] = 34;
  it_both_endian32 (root + 2, 18);
  it_both_endian32 (root + 10, 2048);
  root[25] = 0x02; /* directory */
  it_both_endian16 (root + 28, 1);
  root[32] = 1;
  pvd[881] = 1;
  guint8 *term = img + 17 * 2048;
  term[0] = 255;
  memcpy (term + 1, "CD001", 5);
  term[6] = 1;
  for (guint i = 0; i < 2; i++) /* "." and ".." */
    {
      guint8 *r = img + 18 * 2048 + 34 * i;
      memcpy (r, root, 34);
      r[33] = (guint8) i;
    }
  guint8 *pt = img + 19 * 2048;
  pt[0] = 1;
  pt[2] = 18;
  pt[6] = 1;
  for (guint s = 20; s < IT_ISO_SECTORS; s++)
    it_fill_sector (img + s * 2048, s, 2048);
  ck_assert (g_file_set_contents (path, (const char *) img, IT_ISO_SECTORS * 2048, NULL));
  return path;
}

/* Ports. */

static inline guint32
it_in (ItBoard *b, guint16 port, guint size)
{
  guint64 v = 0;
  bw_platform_pio (b->platform, port, &v, size, FALSE);
  return (guint32) v;
}

static inline void
it_out (ItBoard *b, guint16 port, guint32 value, guint size)
{
  guint64 v = value;
  bw_platform_pio (b->platform, port, &v, size, TRUE);
}

static inline guint8
it_inb (ItBoard *b, guint16 port)
{
  return (guint8) it_in (b, port, 1);
}

static inline void
it_outb (ItBoard *b, guint16 port, guint8 value)
{
  it_out (b, port, value, 1);
}

static inline guint32
it_pci_read (ItBoard *b, guint reg, guint size)
{
  it_out (b, 0xcf8, 0x80000000u | IT_IDE_DEVFN << 8 | (reg & 0xfc), 4);
  return it_in (b, (guint16) (0xcfc + (reg & 3)), size);
}

static inline void
it_pci_write (ItBoard *b, guint reg, guint32 value, guint size)
{
  it_out (b, 0xcf8, 0x80000000u | IT_IDE_DEVFN << 8 | (reg & 0xfc), 4);
  it_out (b, (guint16) (0xcfc + (reg & 3)), value, size);
}

static inline void
it_wait (ItBoard *b)
{
  bw_ide_wait_idle (b->ide);
}

static inline gboolean
it_irq (ItBoard *b, guint channel)
{
  return bw_irq_router_get_gsi_level (bw_platform_get_irq_router (b->platform),
                                      channel ? 15 : 14);
}

static inline BwMemory *
it_mem (ItBoard *b)
{
  return bw_platform_get_memory (b->platform);
}

/* The board: chipset plus "piix3-ide" with the drives config names
 * (config is taken). BAR4 at IT_BM_BASE with I/O and bus mastering on. */
static inline ItBoard *
it_board_new (BwConfig *config)
{
  ItBoard *b = g_new0 (ItBoard, 1);
  b->config = config ? config : bw_config_new ();
  BwPlatformOptions options = { .ram_size = 32u << 20,
                                .clock_mode = BW_CLOCK_MANUAL,
                                .config = b->config };
  g_autoptr (GError) error = NULL;
  b->platform = bw_platform_new (&options, &error);
  ck_assert_msg (b->platform != NULL, "platform: %s", error ? error->message : "");
  ck_assert (bw_chipset_add (b->platform, &error));
  b->ide = bw_platform_add_device (b->platform, BW_IDE_CLASS, "ide", NULL, &error);
  ck_assert_msg (b->ide != NULL, "add: %s", error ? error->message : "");
  ck_assert_msg (bw_platform_realize (b->platform, &error), "realize: %s",
                 error ? error->message : "");
  it_pci_write (b, 0x20, IT_BM_BASE | 1, 4);
  it_pci_write (b, 0x04, 0x0005, 2);
  return b;
}

static inline void
it_board_free (ItBoard *b)
{
  bw_platform_free (b->platform);
  bw_config_free (b->config);
  g_free (b);
}

/* Config for one drive: channel "primary"/"secondary", position
 * "master"/"slave". */
static inline void
it_config_drive (BwConfig *config, const char *where, const char *type, const char *path)
{
  g_autofree char *t = g_strdup_printf ("devices/ide/%s/type", where);
  bw_config_set_string (config, t, type);
  if (path)
    {
      g_autofree char *p = g_strdup_printf ("devices/ide/%s/path", where);
      bw_config_set_string (config, p, path);
    }
}

/* Task file helpers for the primary channel (base 0x1F0) or the
 * secondary (0x170). */
static inline guint16
it_base (guint channel)
{
  return channel ? 0x170 : 0x1f0;
}

static inline guint8
it_status (ItBoard *b, guint channel)
{
  it_wait (b);
  return it_inb (b, (guint16) (it_base (channel) + 7));
}

static inline guint8
it_altstatus (ItBoard *b, guint channel)
{
  it_wait (b);
  return it_inb (b, channel ? 0x376 : 0x3f6);
}

/* LBA28 registers and a command. */
static inline void
it_command28 (ItBoard *b, guint channel, guint dev, guint32 lba, guint8 count, guint8 cmd)
{
  guint16 base = it_base (channel);
  it_outb (b, base + 6, (guint8) (0xe0 | (dev << 4) | ((lba >> 24) & 0x0f)));
  it_outb (b, base + 2, count);
  it_outb (b, base + 3, (guint8) lba);
  it_outb (b, base + 4, (guint8) (lba >> 8));
  it_outb (b, base + 5, (guint8) (lba >> 16));
  it_outb (b, base + 7, cmd);
}

static inline void
it_command48 (ItBoard *b, guint channel, guint dev, guint64 lba, guint16 count, guint8 cmd)
{
  guint16 base = it_base (channel);
  it_outb (b, base + 6, (guint8) (0x40 | (dev << 4)));
  it_outb (b, base + 2, (guint8) (count >> 8));
  it_outb (b, base + 3, (guint8) (lba >> 24));
  it_outb (b, base + 4, (guint8) (lba >> 32));
  it_outb (b, base + 5, (guint8) (lba >> 40));
  it_outb (b, base + 2, (guint8) count);
  it_outb (b, base + 3, (guint8) lba);
  it_outb (b, base + 4, (guint8) (lba >> 8));
  it_outb (b, base + 5, (guint8) (lba >> 16));
  it_outb (b, base + 7, cmd);
}

/* Reads one PIO block of words after waiting for the drive. */
static inline void
it_read_data (ItBoard *b, guint channel, guint8 *buf, guint bytes)
{
  it_wait (b);
  for (guint i = 0; i < bytes; i += 2)
    {
      guint16 w = (guint16) it_in (b, it_base (channel), 2);
      buf[i] = (guint8) w;
      buf[i + 1] = (guint8) (w >> 8);
    }
}

static inline void
it_write_data (ItBoard *b, guint channel, const guint8 *buf, guint bytes)
{
  it_wait (b);
  for (guint i = 0; i < bytes; i += 2)
    it_out (b, it_base (channel), (guint32) (buf[i] | buf[i + 1] << 8), 2);
}

/* A PRD table at table: (addr, bytes, last) entries. */
static inline void
it_prd (ItBoard *b, guint32 table, guint index, guint32 addr, guint32 bytes, gboolean eot)
{
  guint8 e[8];
  guint32 count = bytes & 0xfffe; /* 0 means 64 KiB */
  for (guint i = 0; i < 4; i++)
    {
      e[i] = (guint8) (addr >> (8 * i));
      e[4 + i] = (guint8) (count >> (8 * i));
    }
  if (eot)
    e[7] |= 0x80;
  ck_assert (bw_memory_write (it_mem (b), table + 8 * index, e, 8));
}

/* Bus master of a channel: PRD table, clear status, start. */
static inline void
it_bm_start (ItBoard *b, guint channel, guint32 table, gboolean to_memory)
{
  guint16 bm = (guint16) (IT_BM_BASE + 8 * channel);
  it_out (b, bm + 4, table, 4);
  it_outb (b, bm + 2, 0x06);
  it_outb (b, bm, (guint8) ((to_memory ? 0x08 : 0) | 0x01));
}

static inline guint8
it_bm_status (ItBoard *b, guint channel)
{
  it_wait (b);
  return it_inb (b, (guint16) (IT_BM_BASE + 8 * channel + 2));
}

static inline void
it_bm_stop (ItBoard *b, guint channel)
{
  it_outb (b, (guint16) (IT_BM_BASE + 8 * channel), 0x00);
}
