/* bw-irq.h: interrupt lines from devices to the interrupt controller, and
 * from the controller to the CPU.
 *
 * A BwIrqLine is one wire with a level. Whoever owns the receiving end
 * creates it with a handler that is called when the level changes (and
 * only then). An edge-triggered device pulses it (raise then lower); a
 * level-triggered one holds it.
 *
 * The BwIrqRouter is the platform's interrupt fabric: BW_IRQ_ROUTER_LINES
 * global system interrupt inputs (ISA IRQ n is GSI n). Any number of
 * sources may drive one GSI; the router ORs them (wired-OR, as shared PCI
 * interrupts are). The interrupt controller (the PIC pair, a devices/
 * model) connects as the GSI sink and drives the CPU's INTR line through
 * the router; the CPU acknowledges through the router (the INTA cycle).
 * Until a controller connects, levels are remembered and replayed to it.
 *
 * All calls are made under the platform lock, except
 * bw_irq_router_acknowledge(), which takes it itself (it is called from
 * the vCPU thread by a CPU backend). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BW_IRQ_ROUTER_LINES 24

typedef struct _BwIrqLine BwIrqLine;
typedef struct _BwIrqRouter BwIrqRouter;

/* n is the handler's own input number (e.g. the pin), passed back. */
typedef void (*BwIrqHandler) (void *opaque, guint n, gboolean level);

BwIrqLine *bw_irq_line_new (BwIrqHandler handler, void *opaque, guint n);
void bw_irq_line_free (BwIrqLine *line);
/* Sets the level; the handler runs only on a change. NULL lines are
 * accepted and ignored (a device whose IRQ is not wired). */
void bw_irq_line_set (BwIrqLine *line, gboolean level);
void bw_irq_line_raise (BwIrqLine *line);
void bw_irq_line_lower (BwIrqLine *line);
/* Raise then lower: one edge for an edge-triggered input. */
void bw_irq_line_pulse (BwIrqLine *line);
gboolean bw_irq_line_get_level (BwIrqLine *line);

/* What the interrupt controller offers the router. */
typedef struct
{
  /* A GSI's combined level changed. */
  void (*set_gsi) (void *opaque, guint gsi, gboolean level);
  /* INTA: the CPU takes the pending interrupt; return its vector. */
  guint8 (*acknowledge) (void *opaque);
} BwIrqControllerOps;

/* CPU-side lines the router drives. */
typedef enum
{
  BW_CPU_LINE_INTR, /* level: the controller has an interrupt for the CPU */
  BW_CPU_LINE_NMI,  /* edge: raised then lowered */
  BW_CPU_LINE_A20,  /* level: TRUE = address line 20 enabled */
  BW_CPU_LINE_INIT, /* edge: INIT signal */
} BwCpuLine;

typedef void (*BwCpuLineFunc) (void *user_data, BwCpuLine line, gboolean level);

/* lock: the platform's lock, taken by bw_irq_router_acknowledge(). */
BwIrqRouter *bw_irq_router_new (GRecMutex *lock);
void bw_irq_router_free (BwIrqRouter *router);

/* A new source line driving gsi (< BW_IRQ_ROUTER_LINES); owner names it in
 * the log. Freed with the router or with bw_irq_line_free(). */
BwIrqLine *bw_irq_router_get_source (BwIrqRouter *router, guint gsi, const char *owner);
/* The combined level of a GSI. */
gboolean bw_irq_router_get_gsi_level (BwIrqRouter *router, guint gsi);

/* The controller; replays current GSI levels that are high. */
void bw_irq_router_set_controller (BwIrqRouter *router, const BwIrqControllerOps *ops,
                                   void *opaque);

/* Controller -> CPU: INTR level, NMI edge; platform -> CPU: A20, INIT. */
void bw_irq_router_set_cpu_line (BwIrqRouter *router, BwCpuLine line, gboolean level);
gboolean bw_irq_router_get_cpu_line (BwIrqRouter *router, BwCpuLine line);
/* Where CPU lines go (the VM connects vCPU 0's backend). Replays INTR and
 * A20 levels to the new sink. */
void bw_irq_router_set_cpu_sink (BwIrqRouter *router, BwCpuLineFunc func, void *user_data);

/* INTA from the vCPU thread: takes the platform lock, asks the controller.
 * Without a controller returns 0xFF (spurious, what a floating bus gives). */
guint8 bw_irq_router_acknowledge (BwIrqRouter *router);

G_END_DECLS
