/* bw-linux-boot.c: bzImage loading by the Linux x86 boot protocol. */
#include "config.h"

#include <string.h>
#include "devices/board/bw-linux-boot.h"

static guint16
rd16 (const guint8 *p)
{
  return (guint16) (p[0] | p[1] << 8);
}

static guint32
rd32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static void
wr16 (guint8 *p, guint16 v)
{
  p[0] = v & 0xff;
  p[1] = v >> 8;
}

static void
wr32 (guint8 *p, guint32 v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (v >> (8 * i)) & 0xff;
}

static void
wr64 (guint8 *p, guint64 v)
{
  for (int i = 0; i < 8; i++)
    p[i] = (v >> (8 * i)) & 0xff;
}

gboolean
bw_linux_parse_header (const guint8 *image, gsize len, BwLinuxHeader *hdr, GError **error)
{
  memset (hdr, 0, sizeof *hdr);
  if (len < 0x250 || rd16 (image + BW_LINUX_BOOT_FLAG) != 0xaa55
      || memcmp (image + BW_LINUX_HEADER_MAGIC, "HdrS", 4) != 0)
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT,
                   "Not a Linux kernel image: no boot protocol header (“HdrS” at 0x202)");
      return FALSE;
    }
  hdr->version = rd16 (image + BW_LINUX_VERSION);
  if (hdr->version < 0x0202)
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT,
                   "Linux boot protocol %u.%02u is too old: 2.02 or later is needed",
                   hdr->version >> 8, hdr->version & 0xff);
      return FALSE;
    }
  hdr->loadflags = image[BW_LINUX_LOADFLAGS];
  if (!(hdr->loadflags & BW_LINUX_LOADED_HIGH))
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT,
                   "A zImage (kernel loaded low) is not supported: use a bzImage");
      return FALSE;
    }
  hdr->setup_sects = image[BW_LINUX_SETUP_SECTS] ? image[BW_LINUX_SETUP_SECTS] : 4;
  hdr->kernel_offset = (gsize) (hdr->setup_sects + 1) * 512;
  if (hdr->kernel_offset >= len)
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT,
                   "Truncated kernel image: %" G_GSIZE_FORMAT " bytes, but the setup code alone "
                   "takes %" G_GSIZE_FORMAT,
                   len, hdr->kernel_offset);
      return FALSE;
    }
  hdr->kernel_size = len - hdr->kernel_offset;
  hdr->initrd_addr_max = hdr->version >= 0x0203 ? rd32 (image + BW_LINUX_INITRD_ADDR_MAX)
                                                : 0x37ffffff;
  hdr->cmdline_size = hdr->version >= 0x0206 ? rd32 (image + BW_LINUX_CMDLINE_SIZE) : 255;
  hdr->init_size = hdr->version >= 0x020a && len >= BW_LINUX_INIT_SIZE + 4
                     ? rd32 (image + BW_LINUX_INIT_SIZE)
                     : 0;
  /* The header ends where the jump at 0x200 lands. */
  hdr->header_end = MIN ((gsize) 0x202 + image[0x201], MIN (len, (gsize) 0x290));
  return TRUE;
}

/* Fills the zero page's e820 map and returns the entry count. */
static guint
fill_e820 (guint8 *zp, guint64 low_ram, guint64 high_ram)
{
  const struct
  {
    guint64 addr, size;
    guint32 type;
  } map[] = {
    { 0, 0x9fc00, 1 },                                   /* conventional memory */
    { 0x9fc00, 0x400, 2 },                               /* EBDA */
    { 0xf0000, 0x10000, 2 },                             /* BIOS area */
    { 0x100000, low_ram > 0x100000 ? low_ram - 0x100000 : 0, 1 },
    { G_GUINT64_CONSTANT (0x100000000), high_ram, 1 },
  };
  guint n = 0;
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    {
      if (map[i].size == 0)
        continue;
      guint8 *e = zp + BW_LINUX_E820_TABLE + 20 * n++;
      wr64 (e, map[i].addr);
      wr64 (e + 8, map[i].size);
      wr32 (e + 16, map[i].type);
    }
  zp[BW_LINUX_E820_ENTRIES] = (guint8) n;
  return n;
}

BwPcBoot *
bw_linux_boot_prepare (GBytes *kernel, GBytes *initrd, const char *cmdline, guint64 low_ram,
                       guint64 high_ram, GError **error)
{
  gsize len;
  const guint8 *image = g_bytes_get_data (kernel, &len);
  BwLinuxHeader hdr;
  if (!bw_linux_parse_header (image, len, &hdr, error))
    return NULL;
  if (!cmdline)
    cmdline = "";
  gsize cmdline_len = strlen (cmdline);
  if (cmdline_len > hdr.cmdline_size)
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT,
                   "The kernel command line has %" G_GSIZE_FORMAT " bytes; this kernel takes at "
                   "most %u",
                   cmdline_len, hdr.cmdline_size);
      return NULL;
    }

  /* The kernel decompresses itself in place: it needs init_size bytes
   * from its load address, and never less than its own size. */
  guint64 kernel_end = BW_LINUX_KERNEL_ADDR + MAX ((guint64) hdr.kernel_size, hdr.init_size);
  if (kernel_end > low_ram)
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_NO_SPACE,
                   "The kernel needs %" G_GUINT64_FORMAT " MiB of RAM from 1 MiB up; the machine "
                   "has %" G_GUINT64_FORMAT " MiB below the PCI hole",
                   (kernel_end - BW_LINUX_KERNEL_ADDR + 0xfffff) >> 20, low_ram >> 20);
      return NULL;
    }

  g_autoptr (BwPcBoot) boot = bw_pc_boot_new (BW_PC_ENTRY_PROTECTED);
  guint8 *zp = g_malloc0 (4096);
  memcpy (zp + BW_LINUX_SETUP_SECTS, image + BW_LINUX_SETUP_SECTS,
          hdr.header_end - BW_LINUX_SETUP_SECTS);
  zp[BW_LINUX_TYPE_OF_LOADER] = 0xff; /* a loader without an assigned id */
  zp[BW_LINUX_LOADFLAGS] = hdr.loadflags | BW_LINUX_CAN_USE_HEAP;
  wr16 (zp + BW_LINUX_VID_MODE, 0xffff); /* "normal" text mode */
  wr16 (zp + BW_LINUX_HEAP_END_PTR, 0xfe00 - 0x200);
  wr32 (zp + BW_LINUX_CODE32_START, BW_LINUX_KERNEL_ADDR);
  wr32 (zp + BW_LINUX_CMD_LINE_PTR, BW_LINUX_CMDLINE_ADDR);
  wr32 (zp + BW_LINUX_ALT_MEM_K, (guint32) MIN ((low_ram - 0x100000) >> 10, G_MAXUINT32));
  fill_e820 (zp, low_ram, high_ram);

  gsize initrd_len = initrd ? g_bytes_get_size (initrd) : 0;
  guint64 initrd_addr = 0;
  if (initrd_len > 0)
    {
      guint64 top = MIN ((guint64) hdr.initrd_addr_max + 1, low_ram);
      if (top < initrd_len || ((top - initrd_len) & ~(guint64) 0xfff) < kernel_end)
        {
          g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_NO_SPACE,
                       "The initrd (%" G_GSIZE_FORMAT " KiB) does not fit between the kernel "
                       "and the top of low RAM (%" G_GUINT64_FORMAT " MiB)",
                       initrd_len >> 10, top >> 20);
          g_free (zp);
          return NULL;
        }
      initrd_addr = (top - initrd_len) & ~(guint64) 0xfff;
      wr32 (zp + BW_LINUX_RAMDISK_IMAGE, (guint32) initrd_addr);
      wr32 (zp + BW_LINUX_RAMDISK_SIZE, (guint32) initrd_len);
    }

  g_autoptr (GBytes) zero_page = g_bytes_new_take (zp, 4096);
  bw_pc_boot_add (boot, BW_LINUX_ZERO_PAGE, zero_page);
  bw_pc_boot_add_copy (boot, BW_LINUX_CMDLINE_ADDR, cmdline, cmdline_len + 1);
  g_autoptr (GBytes) pm = g_bytes_new_from_bytes (kernel, hdr.kernel_offset, hdr.kernel_size);
  bw_pc_boot_add (boot, BW_LINUX_KERNEL_ADDR, pm);
  if (initrd_len > 0)
    bw_pc_boot_add (boot, initrd_addr, initrd);

  boot->eip = BW_LINUX_KERNEL_ADDR;
  boot->esi = BW_LINUX_ZERO_PAGE;
  boot->esp = BW_LINUX_ZERO_PAGE; /* the kernel sets its own; a sane value meanwhile */
  boot->description = g_strdup_printf (
    "Linux boot protocol %u.%02u: %" G_GSIZE_FORMAT " KiB kernel at 0x%x, initrd %" G_GSIZE_FORMAT
    " KiB at 0x%" G_GINT64_MODIFIER "x, command line “%s”",
    hdr.version >> 8, hdr.version & 0xff, hdr.kernel_size >> 10, BW_LINUX_KERNEL_ADDR,
    initrd_len >> 10, initrd_addr, cmdline);
  return g_steal_pointer (&boot);
}

/* Splits the e820 RAM entry holding [addr, addr+len) around a new entry
 * of the given type. */
static gboolean
e820_carve (guint8 *zp, guint64 addr, guint64 len, guint32 type)
{
  guint n = zp[BW_LINUX_E820_ENTRIES];
  for (guint i = 0; i < n; i++)
    {
      guint8 *e = zp + BW_LINUX_E820_TABLE + 20 * i;
      guint64 start = rd32 (e) | (guint64)rd32 (e + 4) << 32;
      guint64 size = rd32 (e + 8) | (guint64)rd32 (e + 12) << 32;
      if (rd32 (e + 16) != 1 || addr < start || addr + len > start + size)
        continue;
      if (n + 2 > BW_LINUX_E820_MAX)
        return FALSE;
      /* start..addr RAM, addr..addr+len type, rest RAM, in address order. */
      guint8 *after = e + 20;
      memmove (after + 40, after, 20 * (n - i - 1));
      wr64 (e + 8, addr - start);
      wr64 (e + 20, addr);
      wr64 (e + 28, len);
      wr32 (e + 36, type);
      wr64 (e + 40, addr + len);
      wr64 (e + 48, start + size - addr - len);
      wr32 (e + 56, 1);
      zp[BW_LINUX_E820_ENTRIES] = (guint8)(n + 2);
      return TRUE;
    }
  return FALSE;
}

gboolean
bw_linux_boot_add_acpi (BwPcBoot *boot, GBytes *tables, guint32 rsdp_addr, GError **error)
{
  gsize len = g_bytes_get_size (tables);
  BwPcBootChunk *zc = NULL;
  for (guint i = 0; i < boot->chunks->len; i++)
    if (g_array_index (boot->chunks, BwPcBootChunk, i).gpa == BW_LINUX_ZERO_PAGE)
      zc = &g_array_index (boot->chunks, BwPcBootChunk, i);
  if (!zc || len > BW_LINUX_ACPI_MAX || rsdp_addr < BW_LINUX_ACPI_ADDR
      || rsdp_addr + 20 > BW_LINUX_ACPI_ADDR + len)
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_NO_SPACE,
                   "ACPI tables of %" G_GSIZE_FORMAT " bytes do not fit the %u bytes at 0x%x "
                   "for a direct Linux boot",
                   len, BW_LINUX_ACPI_MAX, BW_LINUX_ACPI_ADDR);
      return FALSE;
    }
  guint8 *zp = g_bytes_unref_to_data (g_bytes_ref (zc->data), &(gsize){ 0 });
  if (!e820_carve (zp, BW_LINUX_ACPI_ADDR, BW_LINUX_ACPI_MAX, 3))
    {
      g_free (zp);
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_NO_SPACE,
                   "No RAM at 0x%x in the e820 map for the ACPI tables", BW_LINUX_ACPI_ADDR);
      return FALSE;
    }
  wr64 (zp + BW_LINUX_ACPI_RSDP_ADDR, rsdp_addr);
  g_bytes_unref (zc->data);
  zc->data = g_bytes_new_take (zp, 4096);
  bw_pc_boot_add (boot, BW_LINUX_ACPI_ADDR, tables);
  return TRUE;
}

static GBytes *
read_file (const char *what, const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &data, &len, &local))
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_READ, "Cannot read the %s: %s",
                   what, local->message);
      return NULL;
    }
  return g_bytes_new_take (data, len);
}

BwPcBoot *
bw_linux_boot_load (const char *kernel_path, const char *initrd_path, const char *cmdline,
                    guint64 low_ram, guint64 high_ram, GError **error)
{
  g_autoptr (GBytes) kernel = read_file ("kernel", kernel_path, error);
  if (!kernel)
    return NULL;
  g_autoptr (GBytes) initrd = NULL;
  if (initrd_path && !(initrd = read_file ("initrd", initrd_path, error)))
    return NULL;
  g_autoptr (GError) local = NULL;
  BwPcBoot *boot = bw_linux_boot_prepare (kernel, initrd, cmdline, low_ram, high_ram, &local);
  if (!boot)
    g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", kernel_path);
  return boot;
}
