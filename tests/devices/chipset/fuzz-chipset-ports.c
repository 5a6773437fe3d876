/* fuzz-chipset-ports.c: libFuzzer target over the chipset device models.
 *
 * Each input builds a fresh platform with bw_chipset_add()'s devices and
 * plays the bytes as guest actions: port reads and writes of 1, 2 and 4
 * bytes (mostly at the chipset's own ports, sometimes anywhere), PCI
 * configuration cycles, virtual clock steps, interrupt acknowledges,
 * interrupt lines from other devices, machine resets, and saved-state
 * round trips (with a cut or damaged copy that must be refused or loaded
 * without harm). Anything the sanitizers catch is a bug.
 *
 *   meson setup build-fuzz -Dfuzzing=true (with CC=clang)
 *   ninja -C build-fuzz tests/devices/chipset/fuzz-chipset-ports
 *   build-fuzz/tests/devices/chipset/fuzz-chipset-ports -max_total_time=120 */
#include "config.h"

#include <string.h>
#include "devices/chipset/bw-chipset.h"
#include "vmm/bw-platform.h"

typedef struct
{
  const guint8 *data;
  size_t len, pos;
} Stream;

static guint
take (Stream *s, guint bytes)
{
  guint v = 0;
  for (guint i = 0; i < bytes; i++)
    v = v << 8 | (s->pos < s->len ? s->data[s->pos++] : 0);
  return v;
}

static const guint16 ports[] = {
  0x20, 0x21, 0xa0,  0xa1, 0x4d0, 0x4d1, 0x40,  0x41,  0x42,  0x43,  0x61,  0x70,
  0x71, 0x92, 0x402, 0xe9, 0xcf8, 0xcf9, 0xcfa, 0xcfb, 0xcfc, 0xcfd, 0xcfe, 0xcff,
};

static guint16
pick_port (Stream *s)
{
  guint sel = take (s, 1);
  if (sel < G_N_ELEMENTS (ports) * 8)
    return ports[sel % G_N_ELEMENTS (ports)];
  return (guint16)take (s, 2);
}

static void
log_to_nowhere (const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
}

static void
state_round_trip (BwPlatform *p, Stream *s)
{
  g_autoptr (GByteArray) state = g_byte_array_new ();
  bw_platform_save_state (p, state);
  if (!bw_platform_load_state (p, state->data, state->len, NULL))
    __builtin_trap (); /* a state just saved must load */
  guint how = take (s, 1);
  if (how & 1)
    {
      /* A cut copy must be refused. */
      gsize cut = state->len ? take (s, 2) % state->len : 0;
      if (bw_platform_load_state (p, state->data, cut, NULL))
        __builtin_trap ();
      bw_platform_load_state (p, state->data, state->len, NULL);
    }
  if (how & 2)
    {
      /* A damaged copy may load (any byte values) or fail, never crash;
       * after a failure the board is reset as the VM would. */
      if (state->len)
        state->data[take (s, 2) % state->len] ^= (guint8)take (s, 1);
      if (!bw_platform_load_state (p, state->data, state->len, NULL))
        bw_platform_reset (p);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static gboolean once;
  if (!once)
    {
      g_log_set_default_handler (log_to_nowhere, NULL);
      once = TRUE;
    }
  Stream s = { data, size, 0 };
  BwPlatform *p = bw_platform_new_test (32);
  if (!bw_chipset_add (p, NULL) || !bw_platform_realize (p, NULL))
    __builtin_trap ();
  BwIrqRouter *router = bw_platform_get_irq_router (p);
  BwIrqLine *line = bw_irq_router_get_source (router, 0, "fuzz");
  guint line_gsi = 0;

  for (guint ops = 0; s.pos < s.len && ops < 4096; ops++)
    {
      guint op = take (&s, 1);
      guint64 v;
      static const guint sizes[] = { 1, 2, 4, 1 };
      switch (op % 10)
        {
          case 0:
          case 1:
          case 2:
            {
              guint16 port = pick_port (&s);
              guint sz = sizes[(op >> 4) & 3];
              v = take (&s, sz);
              bw_platform_pio (p, port, &v, sz, TRUE);
            }
            break;
          case 3:
          case 4:
            {
              guint16 port = pick_port (&s);
              v = 0;
              bw_platform_pio (p, port, &v, sizes[(op >> 4) & 3], FALSE);
            }
            break;
          case 5:
            {
              /* A PCI configuration cycle on bus 0. */
              guint32 addr = 0x80000000u | (take (&s, 2) & 0xfffc);
              v = addr;
              bw_platform_pio (p, 0xcf8, &v, 4, TRUE);
              guint sz = sizes[(op >> 4) & 3];
              guint off = take (&s, 1) & 3;
              v = take (&s, 4);
              bw_platform_pio (p, (guint16)(0xcfc + off), &v, sz, (op & 0x80) != 0);
            }
            break;
          case 6:
            {
              /* Up to about 16 ms, sometimes whole seconds. */
              gint64 ns = (gint64)take (&s, 2) << (op & 0x80 ? 14 : 8);
              if ((op & 0xf0) == 0xf0)
                ns = (gint64)(take (&s, 1) % 4) * G_GINT64_CONSTANT (1000000000);
              bw_platform_lock (p);
              bw_clock_step (bw_platform_get_clock (p), ns);
              bw_platform_unlock (p);
            }
            break;
          case 7:
            bw_platform_irq_acknowledge (p);
            break;
          case 8:
            {
              /* Another device's interrupt line. */
              guint what = take (&s, 1);
              if (what & 0x80)
                {
                  bw_irq_line_free (line);
                  line_gsi = what % BW_IRQ_ROUTER_LINES;
                  line = bw_irq_router_get_source (router, line_gsi, "fuzz");
                }
              else if (what & 1)
                bw_irq_line_pulse (line);
              else
                bw_irq_line_set (line, (what & 2) != 0);
            }
            break;
          default:
            if (op & 0x80)
              bw_platform_reset (p);
            else
              state_round_trip (p, &s);
            break;
        }
    }
  bw_platform_free (p);
  return 0;
}
