/* test-linux-boot.c: bzImage header parsing, placement of kernel, zero
 * page, command line and initrd, the entry state; the Multiboot and flat
 * loaders; all with synthetic images and a real guest memory map. */
#include "config.h"

#include <string.h>
#include "bw-test.h"
#include "devices/board/bw-guest-loader.h"
#include "devices/board/bw-linux-boot.h"
#include "vmm/bw-memory.h"

#define MiB (1024u * 1024u)

static guint32
rd32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static void
wr32 (guint8 *p, guint32 v)
{
  for (int i = 0; i < 4; i++)
    p[i] = (v >> (8 * i)) & 0xff;
}

/* A bzImage: boot sector and setup_sects sectors of setup (the header in
 * the first), then kernel_len bytes of "kernel" (a counting pattern). */
static GBytes *
make_bzimage (guint setup_sects, guint16 version, guint8 loadflags, gsize kernel_len,
              guint32 initrd_max, guint32 init_size)
{
  gsize setup = ((setup_sects ? setup_sects : 4) + 1) * 512;
  guint8 *b = g_malloc0 (setup + kernel_len);
  b[0x1f1] = setup_sects;
  b[0x1fe] = 0x55;
  b[0x1ff] = 0xaa;
  b[0x200] = 0xeb;
  b[0x201] = 0x66; /* header ends at 0x268 */
  memcpy (b + 0x202, "HdrS", 4);
  b[0x206] = version & 0xff;
  b[0x207] = version >> 8;
  b[0x211] = loadflags;
  wr32 (b + 0x22c, initrd_max);
  wr32 (b + 0x238, 64);
  wr32 (b + 0x260, init_size);
  for (gsize i = 0; i < kernel_len; i++)
    b[setup + i] = (guint8) (i * 7 + 1);
  return g_bytes_new_take (b, setup + kernel_len);
}

START_TEST (test_header_parse)
{
  g_autoptr (GBytes) img = make_bzimage (0, 0x020f, 0x01, 4096, 0x7fffffff, 0x200000);
  BwLinuxHeader hdr;
  g_autoptr (GError) error = NULL;
  ck_assert (bw_linux_parse_header (g_bytes_get_data (img, NULL), g_bytes_get_size (img), &hdr,
                                    &error));
  ck_assert_uint_eq (hdr.version, 0x020f);
  ck_assert_uint_eq (hdr.setup_sects, 4); /* 0 means 4 */
  ck_assert_uint_eq (hdr.kernel_offset, 5 * 512);
  ck_assert_uint_eq (hdr.kernel_size, 4096);
  ck_assert_uint_eq (hdr.initrd_addr_max, 0x7fffffff);
  ck_assert_uint_eq (hdr.cmdline_size, 64);
  ck_assert_uint_eq (hdr.init_size, 0x200000);
  ck_assert_uint_eq (hdr.header_end, 0x268);

  /* Protocol 2.02: no initrd_addr_max or cmdline_size fields yet. */
  g_autoptr (GBytes) old = make_bzimage (8, 0x0202, 0x01, 100, 0x1234, 0);
  ck_assert (bw_linux_parse_header (g_bytes_get_data (old, NULL), g_bytes_get_size (old), &hdr,
                                    NULL));
  ck_assert_uint_eq (hdr.initrd_addr_max, 0x37ffffff);
  ck_assert_uint_eq (hdr.cmdline_size, 255);
  ck_assert_uint_eq (hdr.kernel_offset, 9 * 512);
}
END_TEST

START_TEST (test_header_rejects)
{
  BwLinuxHeader hdr;
  struct
  {
    GBytes *img;
    const char *needle;
  } bad[] = {
    { make_bzimage (4, 0x0201, 0x01, 100, 0, 0), "too old" },
    { make_bzimage (4, 0x020f, 0x00, 100, 0, 0), "zImage" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      ck_assert (!bw_linux_parse_header (g_bytes_get_data (bad[i].img, NULL),
                                         g_bytes_get_size (bad[i].img), &hdr, &error));
      ck_assert_msg (strstr (error->message, bad[i].needle), "%s", error->message);
      g_bytes_unref (bad[i].img);
    }
  /* No magic, and a file that ends inside its own setup code. */
  guint8 junk[4096];
  memset (junk, 0x90, sizeof junk);
  g_autoptr (GError) e1 = NULL;
  ck_assert (!bw_linux_parse_header (junk, sizeof junk, &hdr, &e1));
  ck_assert (g_error_matches (e1, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_FORMAT));
  g_autoptr (GBytes) img = make_bzimage (60, 0x020f, 0x01, 0, 0, 0);
  g_autoptr (GError) e2 = NULL;
  ck_assert (!bw_linux_parse_header (g_bytes_get_data (img, NULL), 0x1000, &hdr, &e2));
  ck_assert_msg (strstr (e2->message, "Truncated"), "%s", e2->message);
  /* Shorter than a header at all. */
  g_autoptr (GError) e3 = NULL;
  ck_assert (!bw_linux_parse_header (junk, 0x100, &hdr, &e3));
}
END_TEST

START_TEST (test_placement)
{
  const guint64 low = 64 * MiB;
  g_autoptr (GBytes) kernel = make_bzimage (0, 0x020f, 0x01, 10000, 0x37ffffff, 3 * MiB);
  guint8 *rd = g_malloc (5000);
  memset (rd, 0xd5, 5000);
  g_autoptr (GBytes) initrd = g_bytes_new_take (rd, 5000);
  g_autoptr (GError) error = NULL;
  g_autoptr (BwPcBoot) boot
    = bw_linux_boot_prepare (kernel, initrd, "console=ttyS0 quiet", low, 0, &error);
  ck_assert_msg (boot, "%s", error ? error->message : "");
  ck_assert_int_eq (boot->mode, BW_PC_ENTRY_PROTECTED);
  ck_assert_uint_eq (boot->eip, 0x100000);
  ck_assert_uint_eq (boot->esi, BW_LINUX_ZERO_PAGE);

  g_autoptr (BwMemory) mem = bw_memory_new (low, NULL, &error);
  ck_assert (mem);
  ck_assert (bw_pc_boot_write (boot, mem, &error));
  guint8 *ram = bw_memory_get_ram_base (mem);

  /* The kernel at 1 MiB, byte for byte. */
  for (guint i = 0; i < 10000; i += 997)
    ck_assert_uint_eq (ram[0x100000 + i], (guint8) (i * 7 + 1));
  /* The zero page: our header copy and the loader's fields. */
  const guint8 *zp = ram + BW_LINUX_ZERO_PAGE;
  ck_assert_mem_eq (zp + 0x202, "HdrS", 4);
  ck_assert_uint_eq (zp[BW_LINUX_TYPE_OF_LOADER], 0xff);
  ck_assert_uint_eq (zp[BW_LINUX_LOADFLAGS] & 0x81, 0x81);
  ck_assert_uint_eq (rd32 (zp + BW_LINUX_CODE32_START), 0x100000);
  ck_assert_uint_eq (rd32 (zp + BW_LINUX_CMD_LINE_PTR), BW_LINUX_CMDLINE_ADDR);
  ck_assert_str_eq ((const char *) ram + BW_LINUX_CMDLINE_ADDR, "console=ttyS0 quiet");
  /* The initrd at the top of RAM, page aligned, its bytes there. */
  guint32 rd_addr = rd32 (zp + BW_LINUX_RAMDISK_IMAGE);
  ck_assert_uint_eq (rd32 (zp + BW_LINUX_RAMDISK_SIZE), 5000);
  ck_assert_uint_eq (rd_addr % 4096, 0);
  ck_assert_uint_le (rd_addr + 5000, low);
  ck_assert_uint_gt (rd_addr + 5000 + 4096, low);
  ck_assert_uint_eq (ram[rd_addr], 0xd5);
  ck_assert_uint_eq (ram[rd_addr + 4999], 0xd5);
  /* e820: low memory, two reserved ranges, RAM from 1 MiB to the end. */
  ck_assert_uint_eq (zp[BW_LINUX_E820_ENTRIES], 4);
  const guint8 *last = zp + BW_LINUX_E820_TABLE + 3 * 20;
  ck_assert_uint_eq (rd32 (last), 0x100000);
  ck_assert_uint_eq (rd32 (last + 8), low - 0x100000);
  ck_assert_uint_eq (rd32 (last + 16), 1);

  /* The entry state. */
  BwX86Regs regs;
  memset (&regs, 0, sizeof regs);
  bw_x86_regs_init_reset (&regs, 0x663);
  bw_pc_boot_apply_regs (boot, &regs);
  ck_assert_uint_eq (regs.rip, 0x100000);
  ck_assert_uint_eq (regs.gpr[BW_X86_REG_RSI], BW_LINUX_ZERO_PAGE);
  ck_assert_uint_eq (regs.cr0 & 0x80000001, 1);
  ck_assert_uint_eq (regs.seg[BW_X86_SEG_CS].selector, 0x10);
  ck_assert_uint_eq (regs.seg[BW_X86_SEG_CS].limit, 0xffffffff);
  ck_assert_uint_eq (regs.seg[BW_X86_SEG_DS].selector, 0x18);
  ck_assert_uint_eq (regs.rflags & 0x200, 0); /* interrupts off */
  ck_assert_uint_eq (regs.gdt.base, BW_PC_BOOT_GDT_ADDR);
  /* The GDT the selectors point at: flat code and data. */
  ck_assert_uint_eq (ram[BW_PC_BOOT_GDT_ADDR + 0x10 + 5], 0x9b);
  ck_assert_uint_eq (ram[BW_PC_BOOT_GDT_ADDR + 0x18 + 5], 0x93);
}
END_TEST

START_TEST (test_placement_limits)
{
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL;
  /* The initrd must stay under initrd_addr_max. */
  g_autoptr (GBytes) k = make_bzimage (4, 0x020f, 0x01, 1000, 0x00ffffff, 0);
  g_autoptr (GBytes) small = g_bytes_new_take (g_malloc0 (100), 100);
  g_autoptr (BwPcBoot) boot = bw_linux_boot_prepare (k, small, NULL, 64 * MiB, 0, &e1);
  ck_assert (boot);
  guint64 rd_addr = 0;
  for (guint i = 0; i < boot->chunks->len; i++)
    if (g_bytes_get_size (g_array_index (boot->chunks, BwPcBootChunk, i).data) == 100)
      rd_addr = g_array_index (boot->chunks, BwPcBootChunk, i).gpa;
  ck_assert_uint_eq (rd_addr, 0x00fff000);

  /* A command line longer than the kernel takes (64 here). */
  char longline[100];
  memset (longline, 'x', sizeof longline - 1);
  longline[sizeof longline - 1] = 0;
  ck_assert (!bw_linux_boot_prepare (k, NULL, longline, 64 * MiB, 0, &e2));
  ck_assert_msg (strstr (e2->message, "at most 64"), "%s", e2->message);

  /* An initrd that does not fit between kernel and top of RAM. */
  g_autoptr (GBytes) big = g_bytes_new_take (g_malloc0 (15 * MiB), 15 * MiB);
  g_autoptr (GBytes) k2 = make_bzimage (4, 0x020f, 0x01, 1000, 0x37ffffff, 2 * MiB);
  ck_assert (!bw_linux_boot_prepare (k2, big, NULL, 16 * MiB, 0, &e3));
  ck_assert (g_error_matches (e3, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_NO_SPACE));

  /* A kernel that needs more memory than there is. */
  g_autoptr (GError) e4 = NULL;
  g_autoptr (GBytes) k3 = make_bzimage (4, 0x020f, 0x01, 1000, 0x37ffffff, 40 * MiB);
  ck_assert (!bw_linux_boot_prepare (k3, NULL, NULL, 16 * MiB, 0, &e4));
  ck_assert (g_error_matches (e4, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_NO_SPACE));
}
END_TEST

/* Multiboot with the address fields (what nasm -f bin guests use). */
static GBytes *
make_multiboot (guint32 load, guint32 entry, guint32 bss_extra, gboolean good_checksum)
{
  gsize len = 256;
  guint8 *b = g_malloc0 (len);
  guint32 flags = 0x00010002;
  wr32 (b + 16, 0x1badb002);
  wr32 (b + 20, flags);
  wr32 (b + 24, (guint32) -(0x1badb002 + flags) + (good_checksum ? 0 : 1));
  wr32 (b + 28, load + 16);
  wr32 (b + 32, load);
  wr32 (b + 36, load + len);
  wr32 (b + 40, load + len + bss_extra);
  wr32 (b + 44, entry);
  for (gsize i = 48; i < len; i++)
    b[i] = 0xcc;
  return g_bytes_new_take (b, len);
}

START_TEST (test_multiboot)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) img = make_multiboot (0x100000, 0x100030, 4096, TRUE);
  g_autoptr (BwPcBoot) boot
    = bw_guest_loader_multiboot (img, "hello", 16 * MiB, 0, &error);
  ck_assert_msg (boot, "%s", error ? error->message : "");
  ck_assert_uint_eq (boot->eip, 0x100030);
  ck_assert_uint_eq (boot->eax, 0x2badb002);
  ck_assert_uint_eq (boot->ebx, BW_MULTIBOOT_INFO_ADDR);
  g_autoptr (BwMemory) mem = bw_memory_new (16 * MiB, NULL, &error);
  guint8 *ram = bw_memory_get_ram_base (mem);
  memset (ram + 0x100000, 0xee, 0x2000); /* the bss must come back zeroed */
  ck_assert (bw_pc_boot_write (boot, mem, &error));
  ck_assert_uint_eq (rd32 (ram + 0x100010), 0x1badb002);
  ck_assert_uint_eq (ram[0x100000 + 255], 0xcc);
  ck_assert_uint_eq (ram[0x100000 + 256], 0);
  ck_assert_uint_eq (ram[0x100000 + 256 + 4095], 0);
  const guint8 *info = ram + BW_MULTIBOOT_INFO_ADDR;
  ck_assert_uint_eq (rd32 (info) & 0x45, 0x45);
  ck_assert_uint_eq (rd32 (info + 8), 15 * 1024); /* mem_upper in KiB */
  ck_assert_str_eq ((const char *) ram + rd32 (info + 16), "hello");

  g_autoptr (GBytes) bad = make_multiboot (0x100000, 0x100030, 0, FALSE);
  g_autoptr (GError) e2 = NULL;
  ck_assert (!bw_guest_loader_multiboot (bad, NULL, 16 * MiB, 0, &e2));
  ck_assert_msg (strstr (e2->message, "No Multiboot header"), "%s", e2->message);
  /* Loading over the end of RAM. */
  g_autoptr (GBytes) high = make_multiboot (0xfff000, 0xfff030, 0x10000, TRUE);
  g_autoptr (GError) e3 = NULL;
  ck_assert (!bw_guest_loader_multiboot (high, NULL, 16 * MiB, 0, &e3));
  ck_assert (g_error_matches (e3, BW_PC_BOOT_ERROR, BW_PC_BOOT_ERROR_NO_SPACE));
}
END_TEST

START_TEST (test_flat)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) img = g_bytes_new_static ("\xfa\xf4", 2);
  g_autoptr (BwPcBoot) boot = bw_guest_loader_flat (img, 0, 1 * MiB, &error);
  ck_assert (boot);
  ck_assert_int_eq (boot->mode, BW_PC_ENTRY_REAL);
  ck_assert_uint_eq (boot->cs, 0);
  ck_assert_uint_eq (boot->eip, 0x7c00);
  BwX86Regs regs;
  bw_x86_regs_init_reset (&regs, 0x663);
  bw_pc_boot_apply_regs (boot, &regs);
  ck_assert_uint_eq (regs.seg[BW_X86_SEG_CS].base, 0);
  ck_assert_uint_eq (regs.rip, 0x7c00);
  ck_assert_uint_eq (regs.cr0 & 1, 0);

  g_autoptr (BwPcBoot) high = bw_guest_loader_flat (img, 0x20000, 1 * MiB, &error);
  ck_assert_uint_eq (high->cs, 0x2000);
  ck_assert_uint_eq (high->eip, 0);
  g_autoptr (GError) e2 = NULL;
  ck_assert (!bw_guest_loader_flat (img, 0x9ffff, 1 * MiB, &e2));
}
END_TEST

/* Corrupted images: every loader answers with an image or an error, and
 * what it would write stays inside guest RAM (bw_pc_boot_write checks). */
START_TEST (test_mutations)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BwMemory) mem = bw_memory_new (16 * MiB, NULL, &error);
  GRand *rand = g_rand_new_with_seed (1234);
  g_autoptr (GBytes) k = make_bzimage (4, 0x020f, 0x01, 600, 0x37ffffff, 0x100000);
  g_autoptr (GBytes) m = make_multiboot (0x100000, 0x100030, 512, TRUE);
  for (guint round = 0; round < 3000; round++)
    {
      GBytes *base = round % 2 ? k : m;
      gsize len = g_bytes_get_size (base);
      guint8 *b = g_memdup2 (g_bytes_get_data (base, NULL), len);
      for (guint n = g_rand_int_range (rand, 1, 8); n > 0; n--)
        {
          /* Mostly the header fields, where the loaders look. */
          gsize at = g_rand_boolean (rand) ? (gsize) g_rand_int_range (rand, 0x1f0, 0x270) % len
                                           : (gsize) g_rand_int_range (rand, 0, (gint32) len);
          b[at] = (guint8) g_rand_int (rand);
        }
      if (round % 7 == 0)
        len = g_rand_int_range (rand, 0, (gint32) len);
      g_autoptr (GBytes) img = g_bytes_new_take (b, len);
      g_autoptr (GError) e = NULL;
      BwPcBoot *boot = round % 2 ? bw_linux_boot_prepare (img, img, "x", 16 * MiB, 0, &e)
                                 : bw_guest_loader_multiboot (img, "x", 16 * MiB, 0, &e);
      ck_assert ((boot != NULL) != (e != NULL));
      if (boot)
        {
          g_autoptr (GError) we = NULL;
          bw_pc_boot_write (boot, mem, &we);
          bw_pc_boot_free (boot);
        }
    }
  g_rand_free (rand);
}
END_TEST

int
main (void)
{
  Suite *s = suite_create ("linux-boot");
  TCase *tc = tcase_create ("loaders");
  tcase_add_test (tc, test_header_parse);
  tcase_add_test (tc, test_header_rejects);
  tcase_add_test (tc, test_placement);
  tcase_add_test (tc, test_placement_limits);
  tcase_add_test (tc, test_multiboot);
  tcase_add_test (tc, test_flat);
  tcase_add_test (tc, test_mutations);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
