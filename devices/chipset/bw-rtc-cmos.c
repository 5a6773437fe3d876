/* bw-rtc-cmos.c: the CMOS RAM fields a PC BIOS and operating systems read
 * (memory sizes, equipment, disks, boot order, CPU count), from the
 * configuration and the memory map, laid out as QEMU's PC does so that
 * SeaBIOS finds them where it looks. */
#include "config.h"

#include <string.h>
#include "devices/chipset/bw-rtc.h"
#include "vmm/bw-platform.h"

static gboolean
bad_config (GError **error, BwConfig *node, const char *key, const char *what)
{
  g_autofree char *path = bw_config_dup_path (node, key);
  g_set_error (error, BW_CONFIG_ERROR, BW_CONFIG_ERROR_RANGE, "%s: %s", path, what);
  return FALSE;
}

static void
put16 (guint8 *cmos, guint index, guint v)
{
  cmos[index] = (guint8)v;
  cmos[index + 1] = (guint8)(v >> 8);
}

static void
fill_memory (BwDevice *dev, guint8 *cmos)
{
  BwMemory *mem = bw_device_get_memory (dev);
  guint64 low = bw_memory_get_low_ram_size (mem);
  guint64 high = bw_memory_get_high_ram_size (mem);

  put16 (cmos, BW_CMOS_BASE_MEM, 640);
  guint64 ext_kb = low > (1u << 20) ? (low >> 10) - 1024 : 0;
  put16 (cmos, BW_CMOS_EXT_MEM, (guint)MIN (ext_kb, 0xffff));
  put16 (cmos, BW_CMOS_EXT_MEM2, (guint)MIN (ext_kb, 0xffff));
  guint64 above16 = low > (16u << 20) ? (low - (16u << 20)) >> 16 : 0;
  put16 (cmos, BW_CMOS_MEM_ABOVE_16M, (guint)MIN (above16, 0xffff));
  guint64 above4g = MIN (high >> 16, 0xffffff);
  cmos[BW_CMOS_MEM_ABOVE_4G] = (guint8)above4g;
  cmos[BW_CMOS_MEM_ABOVE_4G + 1] = (guint8)(above4g >> 8);
  cmos[BW_CMOS_MEM_ABOVE_4G + 2] = (guint8)(above4g >> 16);
}

static gboolean
fill_boot_order (BwDevice *dev, guint8 *cmos, GError **error)
{
  BwConfig *root = bw_platform_get_config (dev->platform);
  const char *order = bw_config_get_string_default (dev->config, "boot-order", NULL);
  if (!order)
    order = bw_config_get_string_default (root, "boot/order", "cd");
  guint8 code[3] = { 0, 0, 0 };
  if (strlen (order) > 3)
    return bad_config (error, dev->config, "boot-order", "at most three boot devices");
  for (guint i = 0; order[i]; i++)
    {
      const char *p = strchr ("acdn", order[i]);
      if (!p || !*p)
        return bad_config (error, dev->config, "boot-order",
                           "boot devices are a (floppy), c (disk), d (CD) and n (network)");
      static const guint8 codes[] = { 1, 2, 3, 4 };
      code[i] = codes[p - "acdn"];
    }
  gboolean check_floppy = bw_config_get_bool_default (dev->config, "floppy-boot-check", FALSE);
  cmos[BW_CMOS_BOOT_ORDER12] = (guint8)(code[1] << 4 | code[0]);
  cmos[BW_CMOS_BOOT_ORDER3] = (guint8)(code[2] << 4 | (check_floppy ? 0 : 1));
  return TRUE;
}

static gboolean
fill_disks (BwDevice *dev, guint8 *cmos, GError **error)
{
  guint8 translation = 0;
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("disk%u", i);
      BwConfig *node = bw_config_get_child (dev->config, name);
      if (!node)
        continue;
      gint64 cyl, heads, sectors;
      if (!bw_config_get_int_range (node, "cylinders", 1, 65535, &cyl, error)
          || !bw_config_get_int_range (node, "heads", 1, 255, &heads, error)
          || !bw_config_get_int_range (node, "sectors", 1, 255, &sectors, error))
        return FALSE;
      const char *tr = bw_config_get_string_default (node, "translation", NULL);
      guint8 t;
      if (!tr)
        t = cyl > 1024 ? 1 : 0;
      else if (strcmp (tr, "none") == 0)
        t = 0;
      else if (strcmp (tr, "lba") == 0)
        t = 1;
      else if (strcmp (tr, "large") == 0)
        t = 2;
      else if (strcmp (tr, "rechs") == 0)
        t = 3;
      else
        return bad_config (error, node, "translation", "not none, lba, large or rechs");
      translation |= (guint8)(t << (2 * i));

      if (i < 2)
        {
          /* Drive type 47 (user defined) with its parameter block. */
          cmos[BW_CMOS_DISK_TYPES] |= i == 0 ? 0xf0 : 0x0f;
          cmos[i == 0 ? BW_CMOS_DISK0_TYPE : BW_CMOS_DISK1_TYPE] = 47;
          guint8 *g = cmos + (i == 0 ? BW_CMOS_DISK0_GEOMETRY : BW_CMOS_DISK1_GEOMETRY);
          g[0] = (guint8)cyl;
          g[1] = (guint8)(cyl >> 8);
          g[2] = (guint8)heads;
          g[3] = 0xff; /* no write precompensation */
          g[4] = 0xff;
          g[5] = 0xc0 | (heads > 8 ? 0x08 : 0);
          g[6] = (guint8)cyl; /* landing zone */
          g[7] = (guint8)(cyl >> 8);
          g[8] = (guint8)sectors;
        }
    }
  cmos[BW_CMOS_DISK_TRANSLATION] = translation;
  return TRUE;
}

gboolean
bw_rtc_cmos_init (BwDevice *dev, guint8 *cmos, GError **error)
{
  BwConfig *root = bw_platform_get_config (dev->platform);
  memset (cmos + 0x0e, 0, BW_RTC_CMOS_SIZE - 0x0e);

  fill_memory (dev, cmos);
  cmos[BW_CMOS_FLOPPY_TYPES] = 0; /* no floppy drives */
  cmos[BW_CMOS_EQUIPMENT] = 0x06; /* FPU, PS/2 mouse, VGA, no floppy */
  if (!fill_disks (dev, cmos, error) || !fill_boot_order (dev, cmos, error))
    return FALSE;

  gint64 cpus = bw_config_get_int_default (root, "cpus", 1);
  cpus = bw_config_get_int_default (dev->config, "cpus", cpus);
  if (cpus < 1 || cpus > 255)
    return bad_config (error, dev->config, "cpus", "the CPU count must be 1-255");
  cmos[BW_CMOS_CPU_COUNT] = (guint8)(cpus - 1);

  /* The AT checksum over 0x10-0x2D, high byte first. */
  guint sum = 0;
  for (guint i = 0x10; i < BW_CMOS_CHECKSUM; i++)
    sum += cmos[i];
  cmos[BW_CMOS_CHECKSUM] = (guint8)(sum >> 8);
  cmos[BW_CMOS_CHECKSUM + 1] = (guint8)sum;
  return TRUE;
}
