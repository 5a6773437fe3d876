/* bw-test-machine.c: the software CPU's unit-test machine (see the header). */
#include "config.h"

#include <string.h>

#include "bw-test.h"
#include "bw-test-machine.h"

static uint8_t *
map_page (void *opaque, uint64_t page, bool write)
{
  BwTestMachine *m = opaque;
  return page < m->ram_size ? m->ram + page : NULL;
}

static uint32_t
mmio_read (void *opaque, uint64_t addr, unsigned size)
{
  return 0xffffffffu;
}

static void
mmio_write (void *opaque, uint64_t addr, unsigned size, uint32_t value)
{
}

static uint32_t
port_in (void *opaque, uint16_t port, unsigned size)
{
  return port == 0x42 ? 0x99 : 0xffffffffu;
}

static void
port_out (void *opaque, uint16_t port, unsigned size, uint32_t value)
{
  BwTestMachine *m = opaque;
  m->last_out_port = port;
  m->last_out_value = value;
  m->n_out++;
}

BwTestMachine *
bw_test_machine_new (uint32_t ram_size, const BwX86Config *config)
{
  BwTestMachine *m = g_new0 (BwTestMachine, 1);
  m->ram = g_malloc0 (ram_size);
  m->ram_size = ram_size;
  BwX86Bus bus = { .opaque = m, .map_page = map_page, .mmio_read = mmio_read,
                   .mmio_write = mmio_write, .port_in = port_in, .port_out = port_out };
  m->cpu = bw_x86_cpu_new (&bus, config);
  return m;
}

void
bw_test_machine_free (BwTestMachine *m)
{
  bw_x86_cpu_free (m->cpu);
  g_free (m->ram);
  g_free (m);
}

void
bw_test_machine_load_real (BwTestMachine *m, uint16_t cs, uint16_t ip,
                           const uint8_t *code, size_t len)
{
  uint32_t lin = ((uint32_t) cs << 4) + ip;
  memcpy (m->ram + lin, code, len);
  bw_x86_cpu_invalidate_code (m->cpu, lin, len);
  BwX86State st;
  bw_x86_cpu_get_state (m->cpu, &st);
  for (int s = 0; s < BW_X86_N_SEGS; s++)
    st.seg[s] = (BwX86SegState){ .selector = 0, .base = 0, .limit = 0xffff, .attr = 0x93 };
  st.seg[BW_X86_CS] = (BwX86SegState){ .selector = cs, .base = (uint32_t) cs << 4,
                                       .limit = 0xffff, .attr = 0x9b };
  st.eip = ip;
  st.gpr[BW_X86_ESP] = 0x8000;
  st.eflags = 2;
  st.cr0 = 0;
  st.idtr = (BwX86TableReg){ 0, 0x3ff };
  bw_x86_cpu_set_state (m->cpu, &st);
}

BwX86State
bw_test_machine_run_to_hlt (BwTestMachine *m)
{
  BwX86Exit e = bw_x86_cpu_run (m->cpu, 1000000);
  ck_assert_int_eq (e, BW_X86_EXIT_HLT);
  BwX86State st;
  bw_x86_cpu_get_state (m->cpu, &st);
  return st;
}

BwX86State
bw_test_machine_run_guest (BwTestMachine *m, const char *name, uint16_t ip)
{
  const char *build = g_getenv ("BW_BUILD_ROOT");
  g_autofree char *path = g_build_filename (build ? build : ".", "tests", "cpu", name, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len;
  if (!g_file_get_contents (path, &data, &len, &error))
    ck_abort_msg ("guest %s: %s", path, error->message);
  bw_test_machine_load_real (m, 0, ip, (const uint8_t *) data, len);
  return bw_test_machine_run_to_hlt (m);
}
