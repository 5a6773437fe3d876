/* test-memory.c: the PC memory map: RAM around the PCI hole, ROMs, the
 * PAM modes of C0000-FFFFF, MMIO over RAM, KVM slots, DMA listeners. */
#include "config.h"

#include <string.h>
#include "bw-test.h"
#include "vmm/bw-memory.h"

#define MiB (G_GUINT64_CONSTANT (1) << 20)

static guint64
rd (BwMemory *mem, guint64 gpa, guint size)
{
  guint64 v = 0;
  bw_memory_access (mem, gpa, &v, size, FALSE);
  return v;
}

static void
wr (BwMemory *mem, guint64 gpa, guint size, guint64 v)
{
  bw_memory_access (mem, gpa, &v, size, TRUE);
}

START_TEST (test_layout_small)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BwMemory) mem = bw_memory_new (64 * MiB, NULL, &error);
  ck_assert_ptr_nonnull (mem);
  ck_assert_uint_eq (bw_memory_get_low_ram_size (mem), 64 * MiB);
  ck_assert_uint_eq (bw_memory_get_high_ram_size (mem), 0);
  wr (mem, 0x1000, 4, 0x12345678);
  ck_assert_uint_eq (rd (mem, 0x1000, 4), 0x12345678);
  ck_assert_uint_eq (bw_memory_get_ram_base (mem)[0x1000], 0x78);
  /* Past the end of RAM: nothing. */
  ck_assert_uint_eq (rd (mem, 64 * MiB, 4), 0xffffffff);
  wr (mem, 64 * MiB, 4, 0);
  ck_assert_uint_eq (rd (mem, 64 * MiB, 4), 0xffffffff);
}
END_TEST

START_TEST (test_bad_sizes)
{
  g_autoptr (GError) error = NULL;
  ck_assert_ptr_null (bw_memory_new (0, NULL, &error));
  ck_assert (g_error_matches (error, BW_MEMORY_ERROR, BW_MEMORY_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert_ptr_null (bw_memory_new (MiB + 4096, NULL, &error));
  g_clear_error (&error);
  g_autoptr (BwMemory) mem = bw_memory_new (16 * MiB, NULL, NULL);
  guint8 rom[16] = { 0 };
  ck_assert_ptr_null (bw_memory_add_rom (mem, "odd", 0xfff00800, rom, sizeof rom, &error));
  ck_assert (g_error_matches (error, BW_MEMORY_ERROR, BW_MEMORY_ERROR_INVALID));
  g_clear_error (&error);
  ck_assert_ptr_nonnull (bw_memory_add_rom (mem, "a", 0xfff00000, rom, sizeof rom, NULL));
  ck_assert_ptr_null (bw_memory_add_rom (mem, "b", 0xfff00000, rom, sizeof rom, &error));
  ck_assert (g_error_matches (error, BW_MEMORY_ERROR, BW_MEMORY_ERROR_OVERLAP));
}
END_TEST

START_TEST (test_pci_hole)
{
  /* 4 GiB of RAM: 3.5 GiB below the hole, 512 MiB from 4 GiB. The memory
   * is reserved, not touched, so this is cheap. */
  g_autoptr (BwMemory) mem = bw_memory_new (4096 * MiB, NULL, NULL);
  ck_assert_ptr_nonnull (mem);
  ck_assert_uint_eq (bw_memory_get_low_ram_size (mem), BW_MEMORY_PCI_HOLE_START);
  ck_assert_uint_eq (bw_memory_get_high_ram_size (mem), 4096 * MiB - BW_MEMORY_PCI_HOLE_START);

  wr (mem, BW_MEMORY_PCI_HOLE_START - 4, 4, 0xcafef00d);
  ck_assert_uint_eq (rd (mem, BW_MEMORY_PCI_HOLE_START - 4, 4), 0xcafef00d);
  /* The hole itself holds nothing. */
  wr (mem, BW_MEMORY_PCI_HOLE_START, 4, 0x11111111);
  ck_assert_uint_eq (rd (mem, BW_MEMORY_PCI_HOLE_START, 4), 0xffffffff);
  ck_assert_uint_eq (rd (mem, 0xfec00000, 4), 0xffffffff);
  /* Above 4 GiB: the rest of RAM, right after low RAM in host memory. */
  wr (mem, BW_MEMORY_4G, 8, G_GUINT64_CONSTANT (0x0102030405060708));
  guint8 *host = bw_memory_get_host_range (mem, BW_MEMORY_4G, 8, FALSE);
  ck_assert_ptr_eq (host, bw_memory_get_ram_base (mem) + BW_MEMORY_PCI_HOLE_START);
  ck_assert_uint_eq (host[0], 0x08);
  ck_assert_uint_eq (rd (mem, BW_MEMORY_4G + bw_memory_get_high_ram_size (mem), 1), 0xff);
  /* A straddling access: last RAM byte plus hole. */
  bw_memory_get_ram_base (mem)[BW_MEMORY_PCI_HOLE_START - 1] = 0x5a;
  ck_assert_uint_eq (rd (mem, BW_MEMORY_PCI_HOLE_START - 1, 2), 0xff5a);

  BwMemoryPage page;
  bw_memory_lookup_page (mem, BW_MEMORY_PCI_HOLE_START + 0x123, &page);
  ck_assert_ptr_null (page.read);
  ck_assert_ptr_null (page.write);
  bw_memory_lookup_page (mem, 0x7000, &page);
  ck_assert_ptr_eq (page.read, bw_memory_get_ram_base (mem) + 0x7000);
  ck_assert_ptr_eq (page.write, page.read);
}
END_TEST

START_TEST (test_rom)
{
  g_autoptr (BwMemory) mem = bw_memory_new (32 * MiB, NULL, NULL);
  guint8 bios[0x2000];
  for (guint i = 0; i < sizeof bios; i++)
    bios[i] = (guint8) i;
  ck_assert_ptr_nonnull (bw_memory_add_rom (mem, "bios", 0xfffe0000, bios, 0x1800, NULL));
  ck_assert_uint_eq (rd (mem, 0xfffe0010, 4), 0x13121110);
  wr (mem, 0xfffe0010, 4, 0);
  ck_assert_uint_eq (rd (mem, 0xfffe0010, 4), 0x13121110);
  /* The tail of the last page is filled with 0xff. */
  ck_assert_uint_eq (rd (mem, 0xfffe1800, 1), 0xff);
  BwMemoryPage page;
  bw_memory_lookup_page (mem, 0xfffe0000, &page);
  ck_assert_ptr_nonnull (page.read);
  ck_assert_ptr_null (page.write);
  ck_assert_uint_eq (page.read[5], 5);
}
END_TEST

static void
fill (BwMemory *mem, guint64 gpa, guint8 value, gsize len)
{
  memset (bw_memory_get_ram_base (mem) + gpa, value, len);
}

START_TEST (test_pam_modes)
{
  g_autoptr (BwMemory) mem = bw_memory_new (32 * MiB, NULL, NULL);
  guint8 isa_bios[0x10000];
  memset (isa_bios, 0xaa, sizeof isa_bios);
  ck_assert_ptr_nonnull (bw_memory_add_rom (mem, "isa-bios", 0xf0000, isa_bios, sizeof isa_bios,
                                            NULL));
  fill (mem, 0xf0000, 0x55, 0x10000);
  guint8 *ram = bw_memory_get_ram_base (mem);

  /* Power-on: everything to the PCI side. Reads the ROM, writes vanish. */
  ck_assert_uint_eq (bw_memory_get_pam (mem, 12), BW_PAM_PCI);
  ck_assert_uint_eq (rd (mem, 0xffff0, 1), 0xaa);
  wr (mem, 0xffff0, 1, 0x01);
  ck_assert_uint_eq (ram[0xffff0], 0x55);
  ck_assert_uint_eq (rd (mem, 0xffff0, 1), 0xaa);

  /* Write-only RAM: the BIOS copies itself into shadow RAM. */
  bw_memory_set_pam (mem, 12, BW_PAM_WRITE_RAM);
  wr (mem, 0xffff0, 1, 0x02);
  ck_assert_uint_eq (ram[0xffff0], 0x02);
  ck_assert_uint_eq (rd (mem, 0xffff0, 1), 0xaa);
  BwMemoryPage page;
  bw_memory_lookup_page (mem, 0xff000, &page);
  ck_assert_ptr_eq (page.write, ram + 0xff000);
  ck_assert_ptr_nonnull (page.read);
  ck_assert_ptr_ne (page.read, ram + 0xff000);

  /* Read-only RAM: reads the shadow, writes are dropped. */
  bw_memory_set_pam (mem, 12, BW_PAM_READ_RAM);
  ck_assert_uint_eq (rd (mem, 0xffff0, 1), 0x02);
  wr (mem, 0xffff0, 1, 0x03);
  ck_assert_uint_eq (ram[0xffff0], 0x02);
  bw_memory_lookup_page (mem, 0xff000, &page);
  ck_assert_ptr_eq (page.read, ram + 0xff000);
  ck_assert_ptr_null (page.write);

  /* Read/write RAM. */
  bw_memory_set_pam (mem, 12, BW_PAM_RAM);
  wr (mem, 0xffff0, 1, 0x04);
  ck_assert_uint_eq (rd (mem, 0xffff0, 1), 0x04);
  ck_assert_uint_eq (ram[0xffff0], 0x04);

  /* Segments are independent: C0000-C3FFF has no ROM behind it. */
  fill (mem, 0xc0000, 0x66, 0x8000);
  ck_assert_uint_eq (rd (mem, 0xc0000, 1), 0xff);
  bw_memory_set_pam (mem, 1, BW_PAM_RAM); /* C4000-C7FFF */
  ck_assert_uint_eq (rd (mem, 0xc3fff, 1), 0xff);
  ck_assert_uint_eq (rd (mem, 0xc4000, 1), 0x66);
  ck_assert_uint_eq (rd (mem, 0xc3fff, 2), 0x66ff); /* straddles two segments */
  bw_memory_set_pam (mem, 11, BW_PAM_RAM); /* EC000-EFFFF */
  fill (mem, 0xec000, 0x77, 0x4000);
  ck_assert_uint_eq (rd (mem, 0xeffff, 1), 0x77);
  ck_assert_uint_eq (rd (mem, 0xe8000, 1), 0xff);

  bw_memory_reset_pam (mem);
  ck_assert_uint_eq (rd (mem, 0xffff0, 1), 0xaa);
  ck_assert_uint_eq (rd (mem, 0xc4000, 1), 0xff);
}
END_TEST

typedef struct
{
  guint64 offset;
  guint size;
  gboolean is_write;
  guint64 value;
  guint calls;
} MmioLog;

static void
mmio_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  MmioLog *log = opaque;
  log->offset = offset;
  log->size = size;
  log->is_write = is_write;
  log->calls++;
  if (is_write)
    log->value = *data;
  else
    *data = 0xabcd0000 | offset;
}

static const BwIoOps mmio_ops = { .handler = mmio_io, .max_access = 4 };

static void
count_map_change (void *user_data, BwMemory *mem)
{
  (*(guint *) user_data)++;
}

START_TEST (test_mmio_over_ram)
{
  g_autoptr (BwIoBus) bus = bw_io_bus_new ("mmio", 0);
  g_autoptr (BwMemory) mem = bw_memory_new (32 * MiB, bus, NULL);
  MmioLog log = { 0 };
  guint changes = 0;
  guint64 gen = bw_memory_get_generation (mem);
  bw_memory_add_map_listener (mem, count_map_change, &changes);

  /* The VGA window never reads RAM, even without a VGA device. */
  fill (mem, 0xa0000, 0x11, 0x20000);
  ck_assert_uint_eq (rd (mem, 0xa0000, 1), 0xff);

  ck_assert (bw_io_bus_register (bus, "vga", 0xa0000, 0x20000, &mmio_ops, &log, NULL));
  ck_assert_uint_eq (changes, 1);
  ck_assert_uint_gt (bw_memory_get_generation (mem), gen);
  ck_assert_uint_eq (rd (mem, 0xa0010, 2), 0x0010);
  ck_assert_uint_eq (log.offset, 0x10);
  wr (mem, 0xb8000, 2, 0x0741);
  ck_assert_uint_eq (log.offset, 0x18000);
  ck_assert_uint_eq (log.value, 0x0741);
  ck_assert (log.is_write);
  BwMemoryPage page;
  bw_memory_lookup_page (mem, 0xb8000, &page);
  ck_assert_ptr_null (page.read);

  /* An MMIO range inside RAM hides the RAM below it. */
  ck_assert (bw_io_bus_register (bus, "dev", 0x200000, 0x100, &mmio_ops, &log, NULL));
  ck_assert_uint_eq (rd (mem, 0x200004, 4), 0xabcd0004);
  bw_memory_lookup_page (mem, 0x200000, &page);
  ck_assert_ptr_null (page.read);
  /* Partly covered page: slow path, RAM beside the range still RAM. */
  wr (mem, 0x200100, 4, 0x99887766);
  ck_assert_uint_eq (rd (mem, 0x200100, 4), 0x99887766);
  ck_assert_uint_eq (bw_memory_get_ram_base (mem)[0x200100], 0x66);
  ck_assert (bw_io_bus_unregister (bus, 0x200000, &log, NULL));
  bw_memory_lookup_page (mem, 0x200000, &page);
  ck_assert_ptr_eq (page.read, bw_memory_get_ram_base (mem) + 0x200000);
  bw_memory_set_pam (mem, 0, BW_PAM_RAM);
  ck_assert_uint_eq (changes, 4);
  bw_memory_set_pam (mem, 0, BW_PAM_RAM); /* no change, no notification */
  ck_assert_uint_eq (changes, 4);
}
END_TEST

static const BwMemorySlot *
slot_at (GArray *slots, guint64 gpa)
{
  for (guint i = 0; i < slots->len; i++)
    {
      const BwMemorySlot *s = &g_array_index (slots, BwMemorySlot, i);
      if (gpa >= s->gpa && gpa - s->gpa < s->size)
        return s;
    }
  return NULL;
}

START_TEST (test_kvm_slots)
{
  g_autoptr (BwIoBus) bus = bw_io_bus_new ("mmio", 0);
  g_autoptr (BwMemory) mem = bw_memory_new (4096 * MiB, bus, NULL);
  guint8 bios[0x20000];
  memset (bios, 0xcc, sizeof bios);
  ck_assert_ptr_nonnull (bw_memory_add_rom (mem, "bios", BW_MEMORY_4G - sizeof bios, bios,
                                            sizeof bios, NULL));
  ck_assert_ptr_nonnull (bw_memory_add_rom (mem, "isa-bios", 0xe0000, bios, sizeof bios, NULL));
  g_autoptr (GArray) slots = bw_memory_get_slots (mem);
  guint8 *ram = bw_memory_get_ram_base (mem);

  const BwMemorySlot *low = slot_at (slots, 0);
  ck_assert_ptr_nonnull (low);
  ck_assert_uint_eq (low->gpa, 0);
  ck_assert_uint_eq (low->size, 0xa0000);
  ck_assert (!low->read_only);
  ck_assert_ptr_null (slot_at (slots, 0xa0000));
  ck_assert_ptr_null (slot_at (slots, 0xc0000)); /* PAM PCI, no ROM there */
  const BwMemorySlot *isa = slot_at (slots, 0xe0000);
  ck_assert_ptr_nonnull (isa);
  ck_assert (isa->read_only);
  ck_assert_uint_eq (isa->size, 0x20000);
  const BwMemorySlot *main_ram = slot_at (slots, 0x100000);
  ck_assert_ptr_nonnull (main_ram);
  ck_assert_uint_eq (main_ram->gpa + main_ram->size, BW_MEMORY_PCI_HOLE_START);
  ck_assert_ptr_eq (main_ram->host, ram + 0x100000);
  ck_assert_ptr_null (slot_at (slots, BW_MEMORY_PCI_HOLE_START));
  const BwMemorySlot *top = slot_at (slots, BW_MEMORY_4G - 1);
  ck_assert (top && top->read_only && top->size == sizeof bios);
  const BwMemorySlot *high = slot_at (slots, BW_MEMORY_4G);
  ck_assert (high && !high->read_only);
  ck_assert_ptr_eq (high->host, ram + BW_MEMORY_PCI_HOLE_START);
  ck_assert_uint_eq (high->size, 4096 * MiB - BW_MEMORY_PCI_HOLE_START);

  /* Shadow RAM everywhere: C0000-FFFFF joins the RAM around it. */
  for (guint s = 0; s < BW_MEMORY_PAM_SEGMENTS; s++)
    bw_memory_set_pam (mem, s, BW_PAM_RAM);
  g_autoptr (GArray) shadowed = bw_memory_get_slots (mem);
  const BwMemorySlot *c = slot_at (shadowed, 0xc0000);
  ck_assert (c && !c->read_only && c->gpa == 0xc0000);
  ck_assert_uint_eq (c->gpa + c->size, BW_MEMORY_PCI_HOLE_START);
  /* Read-only shadow: RAM pointer, read-only slot. */
  bw_memory_set_pam (mem, 12, BW_PAM_READ_RAM);
  g_autoptr (GArray) ro = bw_memory_get_slots (mem);
  const BwMemorySlot *f = slot_at (ro, 0xf0000);
  ck_assert (f && f->read_only && f->host == ram + 0xf0000 && f->size == 0x10000);
}
END_TEST

typedef struct
{
  guint calls;
  guint64 gpa, len;
} Writes;

static void
on_dma_write (void *user_data, guint64 gpa, guint64 len)
{
  Writes *w = user_data;
  w->calls++;
  w->gpa = gpa;
  w->len = len;
}

START_TEST (test_dma_and_listeners)
{
  g_autoptr (BwMemory) mem = bw_memory_new (16 * MiB, NULL, NULL);
  Writes w = { 0 };
  bw_memory_add_write_listener (mem, on_dma_write, &w);
  guint8 buf[300];
  for (guint i = 0; i < sizeof buf; i++)
    buf[i] = (guint8) (i * 7);
  ck_assert (bw_memory_write (mem, 0x7f00, buf, sizeof buf));
  ck_assert_uint_eq (w.calls, 1);
  ck_assert_uint_eq (w.gpa, 0x7f00);
  ck_assert_uint_eq (w.len, sizeof buf);
  guint8 back[300];
  ck_assert (bw_memory_read (mem, 0x7f00, back, sizeof back));
  ck_assert_mem_eq (back, buf, sizeof buf);
  /* CPU accesses do not notify (the CPU knows its own writes). */
  wr (mem, 0x100, 4, 1);
  ck_assert_uint_eq (w.calls, 1);
  /* Reading across the end of RAM: the missing part is all ones. */
  guint8 tail[8];
  ck_assert (!bw_memory_read (mem, 16 * MiB - 4, tail, sizeof tail));
  ck_assert_uint_eq (tail[4], 0xff);
  ck_assert_uint_eq (tail[7], 0xff);
  /* Writing into the hole fails but writes the RAM part. */
  ck_assert (!bw_memory_write (mem, 16 * MiB - 2, buf, 4));
  ck_assert_uint_eq (bw_memory_get_ram_base (mem)[16 * MiB - 1], buf[1]);
  bw_memory_remove_write_listener (mem, on_dma_write, &w);
  ck_assert (bw_memory_write (mem, 0, buf, 4));
  ck_assert_uint_eq (w.calls, 2);
  /* Host ranges: only wholly-RAM ranges. */
  ck_assert_ptr_nonnull (bw_memory_get_host_range (mem, 0x1000, 0x1000, TRUE));
  ck_assert_ptr_null (bw_memory_get_host_range (mem, 0x9f000, 0x2000, FALSE));
  ck_assert_ptr_null (bw_memory_get_host_range (mem, 16 * MiB - 1, 2, FALSE));
}
END_TEST

START_TEST (test_device_ram_region)
{
  g_autoptr (BwMemory) mem = bw_memory_new (16 * MiB, NULL, NULL);
  g_autofree guint8 *fb = g_malloc0 (0x10000);
  BwMemoryRegion *r = bw_memory_add_device_ram (mem, "lfb", 0xfd000000, fb, 0x10000, NULL);
  ck_assert_ptr_nonnull (r);
  wr (mem, 0xfd000100, 4, 0x00ff00ff);
  ck_assert_uint_eq (fb[0x100], 0xff);
  ck_assert (bw_memory_region_set_address (r, 0xfe000000, NULL));
  ck_assert_uint_eq (rd (mem, 0xfd000100, 4), 0xffffffff);
  ck_assert_uint_eq (rd (mem, 0xfe000100, 4), 0x00ff00ff);
  ck_assert (bw_memory_region_set_enabled (r, FALSE));
  ck_assert_uint_eq (rd (mem, 0xfe000100, 4), 0xffffffff);
  /* Another region takes the space meanwhile: enabling is refused. */
  g_autofree guint8 *other = g_malloc0 (0x1000);
  BwMemoryRegion *o = bw_memory_add_device_ram (mem, "other", 0xfe008000, other, 0x1000, NULL);
  ck_assert_ptr_nonnull (o);
  ck_assert (!bw_memory_region_set_enabled (r, TRUE));
  ck_assert_uint_eq (rd (mem, 0xfe000100, 4), 0xffffffff);
  bw_memory_remove_region (mem, o);
  ck_assert (bw_memory_region_set_enabled (r, TRUE));
  ck_assert_ptr_eq (bw_memory_get_host_range (mem, 0xfe000000, 16, TRUE), fb);
  bw_memory_remove_region (mem, r);
  ck_assert_uint_eq (rd (mem, 0xfe000100, 4), 0xffffffff);
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("memory");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_layout_small);
  tcase_add_test (tc, test_bad_sizes);
  tcase_add_test (tc, test_pci_hole);
  tcase_add_test (tc, test_rom);
  tcase_add_test (tc, test_pam_modes);
  tcase_add_test (tc, test_mmio_over_ram);
  tcase_add_test (tc, test_kvm_slots);
  tcase_add_test (tc, test_dma_and_listeners);
  tcase_add_test (tc, test_device_ram_region);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
