/* test-irq.c: lines, the router's wired-OR, the controller hand-over and
 * the CPU lines. */
#include "config.h"

#include "bw-test.h"
#include "vmm/bw-irq.h"

typedef struct
{
  gboolean levels[BW_IRQ_ROUTER_LINES];
  guint changes;
  guint acks;
} Pic;

static void
pic_set_gsi (void *opaque, guint gsi, gboolean level)
{
  Pic *pic = opaque;
  pic->levels[gsi] = level;
  pic->changes++;
}

static guint8
pic_ack (void *opaque)
{
  Pic *pic = opaque;
  pic->acks++;
  for (guint i = 0; i < 16; i++)
    if (pic->levels[i])
      return 0x08 + i;
  return 0x0f;
}

static const BwIrqControllerOps pic_ops = { pic_set_gsi, pic_ack };

typedef struct
{
  guint n;
  gboolean level;
  guint calls;
} Edge;

static void
edge_handler (void *opaque, guint n, gboolean level)
{
  Edge *e = opaque;
  e->n = n;
  e->level = level;
  e->calls++;
}

START_TEST (test_line)
{
  Edge e = { 0 };
  BwIrqLine *line = bw_irq_line_new (edge_handler, &e, 5);
  bw_irq_line_raise (line);
  bw_irq_line_raise (line); /* no change, no call */
  ck_assert_uint_eq (e.calls, 1);
  ck_assert_uint_eq (e.n, 5);
  ck_assert (bw_irq_line_get_level (line));
  bw_irq_line_pulse (line); /* already high: only the lowering is seen */
  ck_assert_uint_eq (e.calls, 2);
  ck_assert (!e.level);
  bw_irq_line_pulse (line);
  ck_assert_uint_eq (e.calls, 4);
  bw_irq_line_set (NULL, TRUE); /* unwired: ignored */
  bw_irq_line_free (line);
}
END_TEST

START_TEST (test_wired_or_and_replay)
{
  GRecMutex lock;
  g_rec_mutex_init (&lock);
  BwIrqRouter *router = bw_irq_router_new (&lock);
  Pic pic = { 0 };
  BwIrqLine *a = bw_irq_router_get_source (router, 11, "nic");
  BwIrqLine *b = bw_irq_router_get_source (router, 11, "ide");
  BwIrqLine *c = bw_irq_router_get_source (router, 4, "com1");
  ck_assert_ptr_null (bw_irq_router_get_source (router, BW_IRQ_ROUTER_LINES, "bad"));

  /* Before the controller connects, levels are kept and replayed. */
  bw_irq_line_raise (c);
  ck_assert (bw_irq_router_get_gsi_level (router, 4));
  ck_assert_uint_eq (bw_irq_router_acknowledge (router), 0xff);
  bw_irq_router_set_controller (router, &pic_ops, &pic);
  ck_assert (pic.levels[4]);
  ck_assert_uint_eq (pic.changes, 1);

  bw_irq_line_raise (a);
  ck_assert (pic.levels[11]);
  bw_irq_line_raise (b);
  ck_assert_uint_eq (pic.changes, 2); /* still high: no new edge */
  bw_irq_line_lower (a);
  ck_assert (pic.levels[11]);       /* b still holds it */
  bw_irq_line_lower (b);
  ck_assert (!pic.levels[11]);
  ck_assert_uint_eq (pic.changes, 3);

  /* A source that goes away stops driving its GSI. */
  bw_irq_line_raise (a);
  bw_irq_line_free (a);
  ck_assert (!pic.levels[11]);
  ck_assert (!bw_irq_router_get_gsi_level (router, 11));

  ck_assert_uint_eq (bw_irq_router_acknowledge (router), 0x0c);
  ck_assert_uint_eq (pic.acks, 1);
  bw_irq_router_free (router);
  g_rec_mutex_clear (&lock);
}
END_TEST

typedef struct
{
  gboolean level[4];
  guint calls[4];
} Cpu;

static void
cpu_line (void *user_data, BwCpuLine line, gboolean level)
{
  Cpu *cpu = user_data;
  cpu->level[line] = level;
  cpu->calls[line]++;
}

START_TEST (test_cpu_lines)
{
  BwIrqRouter *router = bw_irq_router_new (NULL);
  Cpu cpu = { 0 };
  ck_assert (bw_irq_router_get_cpu_line (router, BW_CPU_LINE_A20)); /* on at power-on */
  bw_irq_router_set_cpu_line (router, BW_CPU_LINE_INTR, TRUE);
  bw_irq_router_set_cpu_sink (router, cpu_line, &cpu);
  ck_assert (cpu.level[BW_CPU_LINE_INTR]); /* replayed */
  ck_assert (cpu.level[BW_CPU_LINE_A20]);
  bw_irq_router_set_cpu_line (router, BW_CPU_LINE_INTR, TRUE);
  ck_assert_uint_eq (cpu.calls[BW_CPU_LINE_INTR], 1);
  bw_irq_router_set_cpu_line (router, BW_CPU_LINE_A20, FALSE);
  ck_assert (!cpu.level[BW_CPU_LINE_A20]);
  /* NMI is an edge: every raise is delivered, lowering is not. */
  bw_irq_router_set_cpu_line (router, BW_CPU_LINE_NMI, TRUE);
  bw_irq_router_set_cpu_line (router, BW_CPU_LINE_NMI, TRUE);
  bw_irq_router_set_cpu_line (router, BW_CPU_LINE_NMI, FALSE);
  ck_assert_uint_eq (cpu.calls[BW_CPU_LINE_NMI], 2);
  ck_assert (!bw_irq_router_get_cpu_line (router, BW_CPU_LINE_NMI));
  bw_irq_router_free (router);
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("irq");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_line);
  tcase_add_test (tc, test_wired_or_and_replay);
  tcase_add_test (tc, test_cpu_lines);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
