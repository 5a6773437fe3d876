/* bw-guest-loader.c: flat binaries and Multiboot kernels. */
#include "config.h"

#include <string.h>
#include "devices/board/bw-guest-loader.h"

static guint32
rd32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static guint16
rd16 (const guint8 *p)
{
  return (guint16) (p[0] | p[1] << 8);
}

static void
wr32 (guint8 *p, guint32 v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (v >> (8 * i)) & 0xff;
}

/* Guest memory for the image: below the PCI hole, above the low 4 KiB
 * pages the loaders use, not wrapping. */
static gboolean
check_range (guint64 addr, guint64 len, guint64 low_ram, GError **error)
{
  if (addr < 0x2000 || addr + len > low_ram || addr + len < addr
      || (addr < BW_MULTIBOOT_INFO_ADDR + 0x1000 && addr + len > BW_MULTIBOOT_STACK - 0x1000))
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_NO_SPACE,
                   "The image range 0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER
                   "x is outside usable guest RAM (0x2000-0x7fff, 0xa000 up to %" G_GUINT64_FORMAT
                   " MiB)",
                   addr, addr + len, low_ram >> 20);
      return FALSE;
    }
  return TRUE;
}

BwPcBoot *
bw_guest_loader_flat (GBytes *image, guint32 addr, guint64 low_ram, GError **error)
{
  gsize len = g_bytes_get_size (image);
  if (addr == 0)
    addr = BW_FLAT_DEFAULT_ADDR;
  if (len == 0 || addr >= 0x100000 || addr + len > MIN (low_ram, (guint64) 0xa0000)
      || addr < 0x500)
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_NO_SPACE,
                   "A flat binary of %" G_GSIZE_FORMAT " bytes at 0x%x must fit into conventional "
                   "memory (0x500-0x9ffff)",
                   len, addr);
      return NULL;
    }
  BwPcBoot *boot = bw_pc_boot_new (BW_PC_ENTRY_REAL);
  bw_pc_boot_add (boot, addr, image);
  boot->cs = addr <= 0xffff ? 0 : (guint16) (addr >> 4);
  boot->eip = addr <= 0xffff ? addr : (addr & 0xf);
  boot->esp = addr <= 0xffff ? addr : 0xfffe;
  boot->description = g_strdup_printf ("Flat binary, %" G_GSIZE_FORMAT " bytes at 0x%x, real mode "
                                       "%04x:%04x",
                                       len, addr, boot->cs, boot->eip);
  return boot;
}

/* ELF32 i386 executable: its PT_LOAD segments. */
static gboolean
load_elf (BwPcBoot *boot, const guint8 *data, gsize len, guint64 low_ram, guint32 *entry,
          GError **error)
{
  if (len < 52 || memcmp (data, "\177ELF", 4) != 0 || data[4] != 1 || data[5] != 1
      || rd16 (data + 18) != 3)
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT,
                   "The Multiboot header has no load addresses (flag 16) and the file is not a "
                   "32-bit little-endian i386 ELF executable");
      return FALSE;
    }
  *entry = rd32 (data + 24);
  guint32 phoff = rd32 (data + 28);
  guint phentsize = rd16 (data + 42), phnum = rd16 (data + 44);
  if (phentsize < 32 || phoff > len || (guint64) phnum * phentsize > len - phoff)
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT,
                   "The ELF program headers lie outside the file");
      return FALSE;
    }
  guint loaded = 0;
  for (guint i = 0; i < phnum; i++)
    {
      const guint8 *ph = data + phoff + (gsize) i * phentsize;
      if (rd32 (ph) != 1) /* PT_LOAD */
        continue;
      guint32 offset = rd32 (ph + 4), paddr = rd32 (ph + 12);
      guint32 filesz = rd32 (ph + 16), memsz = rd32 (ph + 20);
      if (offset > len || filesz > len - offset || memsz < filesz)
        {
          g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT,
                       "ELF segment %u lies outside the file", i);
          return FALSE;
        }
      if (!check_range (paddr, memsz, low_ram, error))
        return FALSE;
      bw_pc_boot_add_copy (boot, paddr, data + offset, filesz);
      if (memsz > filesz)
        {
          g_autofree guint8 *zeros = g_malloc0 (memsz - filesz);
          bw_pc_boot_add_copy (boot, (guint64) paddr + filesz, zeros, memsz - filesz);
        }
      loaded++;
    }
  if (loaded == 0)
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT,
                   "The ELF file has no loadable segment");
      return FALSE;
    }
  return TRUE;
}

BwPcBoot *
bw_guest_loader_multiboot (GBytes *image, const char *cmdline, guint64 low_ram, guint64 high_ram,
                           GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (image, &len);
  gsize hoff = 0;
  gboolean found = FALSE;
  for (hoff = 0; hoff + 12 <= MIN (len, (gsize) 8192); hoff += 4)
    if (rd32 (data + hoff) == BW_MULTIBOOT_MAGIC
        && (guint32) (rd32 (data + hoff) + rd32 (data + hoff + 4) + rd32 (data + hoff + 8)) == 0)
      {
        found = TRUE;
        break;
      }
  if (!found)
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT,
                   "No Multiboot header (magic 0x1BADB002 with a valid checksum) in the first "
                   "8 KiB");
      return NULL;
    }
  guint32 flags = rd32 (data + hoff + 4);
  if (flags & 0x4) /* a video mode request: no graphics here; ignored, as it is optional */
    flags &= ~0x4u;
  if (flags & 0xfffc)
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT,
                   "The Multiboot header asks for features this loader lacks (flags 0x%x)",
                   flags & 0xfffc);
      return NULL;
    }

  g_autoptr (BwPcBoot) boot = bw_pc_boot_new (BW_PC_ENTRY_PROTECTED);
  guint32 entry = 0;
  if (flags & 0x10000)
    {
      if (hoff + 32 > len)
        {
          g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT,
                       "Truncated Multiboot header");
          return NULL;
        }
      guint32 header_addr = rd32 (data + hoff + 12), load_addr = rd32 (data + hoff + 16);
      guint32 load_end = rd32 (data + hoff + 20), bss_end = rd32 (data + hoff + 24);
      entry = rd32 (data + hoff + 28);
      if (header_addr < load_addr || header_addr - load_addr > hoff)
        {
          g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT,
                       "Multiboot header_addr 0x%x lies before load_addr 0x%x or the file start",
                       header_addr, load_addr);
          return NULL;
        }
      gsize file_off = hoff - (header_addr - load_addr);
      gsize size = load_end ? (gsize) (load_end - load_addr) : len - file_off;
      if (load_end && load_end < load_addr)
        size = G_MAXSIZE;
      if (size > len - file_off)
        {
          g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT,
                       "Multiboot load_end_addr 0x%x lies beyond the end of the file", load_end);
          return NULL;
        }
      guint64 end = MAX ((guint64) load_addr + size, (guint64) bss_end);
      if (!check_range (load_addr, end - load_addr, low_ram, error))
        return NULL;
      bw_pc_boot_add_copy (boot, load_addr, data + file_off, size);
      if (bss_end > load_addr + size)
        {
          g_autofree guint8 *zeros = g_malloc0 (bss_end - (load_addr + size));
          bw_pc_boot_add_copy (boot, load_addr + size, zeros, bss_end - (load_addr + size));
        }
    }
  else if (!load_elf (boot, data, len, low_ram, &entry, error))
    return NULL;

  /* Information: flags mem (0), cmdline (2), mmap (6). */
  guint8 info[0x800] = { 0 };
  const guint mmap_off = 0x80, cmdline_off = 0x100;
  if (!cmdline)
    cmdline = "";
  gsize cl = MIN (strlen (cmdline), sizeof info - cmdline_off - 1);
  wr32 (info, 0x1 | 0x4 | 0x40);
  wr32 (info + 4, 639);
  wr32 (info + 8, (guint32) MIN ((low_ram - 0x100000) >> 10, G_MAXUINT32));
  wr32 (info + 16, BW_MULTIBOOT_INFO_ADDR + cmdline_off);
  const struct
  {
    guint64 addr, size;
    guint32 type;
  } map[] = { { 0, 0x9fc00, 1 }, { 0x100000, low_ram - 0x100000, 1 },
              { G_GUINT64_CONSTANT (0x100000000), high_ram, 1 } };
  guint n = 0;
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (map[i].size)
      {
        guint8 *e = info + mmap_off + 24 * n++;
        wr32 (e, 20);
        wr32 (e + 4, (guint32) map[i].addr);
        wr32 (e + 8, (guint32) (map[i].addr >> 32));
        wr32 (e + 12, (guint32) map[i].size);
        wr32 (e + 16, (guint32) (map[i].size >> 32));
        wr32 (e + 20, map[i].type);
      }
  wr32 (info + 44, 24 * n);
  wr32 (info + 48, BW_MULTIBOOT_INFO_ADDR + mmap_off);
  memcpy (info + cmdline_off, cmdline, cl);
  bw_pc_boot_add_copy (boot, BW_MULTIBOOT_INFO_ADDR, info, sizeof info);

  boot->eip = entry;
  boot->eax = BW_MULTIBOOT_BOOTLOADER_MAGIC;
  boot->ebx = BW_MULTIBOOT_INFO_ADDR;
  boot->esp = BW_MULTIBOOT_STACK;
  boot->description = g_strdup_printf ("Multiboot kernel, %" G_GSIZE_FORMAT " bytes, entry 0x%x",
                                       len, entry);
  return g_steal_pointer (&boot);
}

BwPcBoot *
bw_guest_loader_load (const char *kind, const char *path, guint32 addr, const char *cmdline,
                      guint64 low_ram, guint64 high_ram, GError **error)
{
  g_autoptr (GError) local = NULL;
  char *contents = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &contents, &len, &local))
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_READ, "Cannot read the guest image: %s",
                   local->message);
      return NULL;
    }
  g_autoptr (GBytes) image = g_bytes_new_take (contents, len);
  BwPcBoot *boot;
  if (g_strcmp0 (kind, "flat") == 0)
    boot = bw_guest_loader_flat (image, addr, low_ram, &local);
  else if (g_strcmp0 (kind, "multiboot") == 0)
    boot = bw_guest_loader_multiboot (image, cmdline, low_ram, high_ram, &local);
  else
    {
      g_set_error (error, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT,
                   "Unknown guest image kind “%s”: “flat” or “multiboot”", kind);
      return NULL;
    }
  if (!boot)
    g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", path);
  return boot;
}
