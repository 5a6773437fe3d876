/* bw-irq.c: interrupt lines and the platform's interrupt router. */
#include "config.h"

#include "vmm/bw-irq.h"

struct _BwIrqLine
{
  BwIrqHandler handler;
  void *opaque;
  guint n;
  gboolean level;
  /* Router sources: which router owns the line. */
  BwIrqRouter *router;
  char *owner;
};

struct _BwIrqRouter
{
  GRecMutex *lock;
  GPtrArray *sources[BW_IRQ_ROUTER_LINES]; /* BwIrqLine of each GSI */
  guint high_count[BW_IRQ_ROUTER_LINES];   /* sources driving high */
  const BwIrqControllerOps *controller;
  void *controller_opaque;
  gboolean cpu_level[4];
  BwCpuLineFunc cpu_func;
  void *cpu_data;
};

BwIrqLine *
bw_irq_line_new (BwIrqHandler handler, void *opaque, guint n)
{
  BwIrqLine *line = g_new0 (BwIrqLine, 1);
  line->handler = handler;
  line->opaque = opaque;
  line->n = n;
  return line;
}

void
bw_irq_line_free (BwIrqLine *line)
{
  if (!line)
    return;
  if (line->router)
    {
      /* A source going away lowers its contribution first. */
      bw_irq_line_set (line, FALSE);
      g_ptr_array_remove (line->router->sources[line->n], line);
      return; /* the array's free function frees it */
    }
  g_free (line->owner);
  g_free (line);
}

void
bw_irq_line_set (BwIrqLine *line, gboolean level)
{
  if (!line)
    return;
  level = !!level;
  if (line->level == level)
    return;
  line->level = level;
  if (line->handler)
    line->handler (line->opaque, line->n, level);
}

void
bw_irq_line_raise (BwIrqLine *line)
{
  bw_irq_line_set (line, TRUE);
}

void
bw_irq_line_lower (BwIrqLine *line)
{
  bw_irq_line_set (line, FALSE);
}

void
bw_irq_line_pulse (BwIrqLine *line)
{
  bw_irq_line_set (line, TRUE);
  bw_irq_line_set (line, FALSE);
}

gboolean
bw_irq_line_get_level (BwIrqLine *line)
{
  return line ? line->level : FALSE;
}

/* The router. */

static void
source_free (gpointer p)
{
  BwIrqLine *line = p;
  g_free (line->owner);
  g_free (line);
}

BwIrqRouter *
bw_irq_router_new (GRecMutex *lock)
{
  BwIrqRouter *router = g_new0 (BwIrqRouter, 1);
  router->lock = lock;
  for (guint i = 0; i < BW_IRQ_ROUTER_LINES; i++)
    router->sources[i] = g_ptr_array_new_with_free_func (source_free);
  router->cpu_level[BW_CPU_LINE_A20] = TRUE;
  return router;
}

void
bw_irq_router_free (BwIrqRouter *router)
{
  if (!router)
    return;
  for (guint i = 0; i < BW_IRQ_ROUTER_LINES; i++)
    g_ptr_array_unref (router->sources[i]);
  g_free (router);
}

/* A source's level changed: update the wired-OR of its GSI. */
static void
source_changed (void *opaque, guint gsi, gboolean level)
{
  BwIrqRouter *router = opaque;
  gboolean before = router->high_count[gsi] > 0;
  if (level)
    router->high_count[gsi]++;
  else if (router->high_count[gsi] > 0)
    router->high_count[gsi]--;
  gboolean after = router->high_count[gsi] > 0;
  if (before != after && router->controller)
    router->controller->set_gsi (router->controller_opaque, gsi, after);
}

BwIrqLine *
bw_irq_router_get_source (BwIrqRouter *router, guint gsi, const char *owner)
{
  g_return_val_if_fail (gsi < BW_IRQ_ROUTER_LINES, NULL);
  BwIrqLine *line = bw_irq_line_new (source_changed, router, gsi);
  line->router = router;
  line->owner = g_strdup (owner);
  g_ptr_array_add (router->sources[gsi], line);
  return line;
}

gboolean
bw_irq_router_get_gsi_level (BwIrqRouter *router, guint gsi)
{
  g_return_val_if_fail (gsi < BW_IRQ_ROUTER_LINES, FALSE);
  return router->high_count[gsi] > 0;
}

void
bw_irq_router_set_controller (BwIrqRouter *router, const BwIrqControllerOps *ops, void *opaque)
{
  router->controller = ops;
  router->controller_opaque = opaque;
  if (!ops)
    return;
  for (guint i = 0; i < BW_IRQ_ROUTER_LINES; i++)
    if (router->high_count[i] > 0)
      ops->set_gsi (opaque, i, TRUE);
}

void
bw_irq_router_set_cpu_line (BwIrqRouter *router, BwCpuLine line, gboolean level)
{
  g_return_if_fail (line <= BW_CPU_LINE_INIT);
  level = !!level;
  gboolean edge = line == BW_CPU_LINE_NMI || line == BW_CPU_LINE_INIT;
  if (!edge && router->cpu_level[line] == level)
    return;
  router->cpu_level[line] = edge ? FALSE : level;
  if (router->cpu_func && (!edge || level))
    router->cpu_func (router->cpu_data, line, level);
}

gboolean
bw_irq_router_get_cpu_line (BwIrqRouter *router, BwCpuLine line)
{
  g_return_val_if_fail (line <= BW_CPU_LINE_INIT, FALSE);
  return router->cpu_level[line];
}

void
bw_irq_router_set_cpu_sink (BwIrqRouter *router, BwCpuLineFunc func, void *user_data)
{
  router->cpu_func = func;
  router->cpu_data = user_data;
  if (func)
    {
      func (user_data, BW_CPU_LINE_INTR, router->cpu_level[BW_CPU_LINE_INTR]);
      func (user_data, BW_CPU_LINE_A20, router->cpu_level[BW_CPU_LINE_A20]);
    }
}

guint8
bw_irq_router_acknowledge (BwIrqRouter *router)
{
  guint8 vector = 0xff;
  if (router->lock)
    g_rec_mutex_lock (router->lock);
  if (router->controller && router->controller->acknowledge)
    vector = router->controller->acknowledge (router->controller_opaque);
  if (router->lock)
    g_rec_mutex_unlock (router->lock);
  return vector;
}
