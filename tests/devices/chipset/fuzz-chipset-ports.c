/* fuzz-chipset-ports.c: libFuzzer target over the chipset device models.
 *
 * Each input builds a fresh platform with bw_chipset_add()'s devices, the
 * PIIX4 power management (ACPI) function and a PCI function with I/O,
 * memory, 64-bit and ROM BARs, and plays the bytes as guest actions: port reads and writes of 1, 2 and 4 bytes
 * (mostly at the chipset's own ports, sometimes anywhere), PCI
 * configuration cycles, memory accesses (PAM area, BARs), virtual clock steps, interrupt
 * acknowledges, interrupt lines from other devices, machine resets, and saved-state round trips
 * (with a cut or damaged copy that must be refused or loaded without harm). Anything the sanitizers
 * catch is a bug.
 *
 *   meson setup build-fuzz -Dfuzzing=true (with CC=clang)
 *   ninja -C build-fuzz tests/devices/chipset/fuzz-chipset-ports
 *   build-fuzz/tests/devices/chipset/fuzz-chipset-ports -max_total_time=120 */
#include "config.h"

#include <string.h>
#include "devices/chipset/bw-chipset.h"
#include "devices/chipset/bw-pci.h"
#include "vmm/bw-platform.h"
#include "tests/bw-fuzz-stream.h"

/* A PCI function with every kind of BAR, so that the guest's BAR
 * programming maps and unmaps real ranges, and an INTx pin. */
typedef struct
{
  BwDevice parent;
  BwPciFunction pci;
  guint8 regs[64];
} FuzzPci;

static void
fuzz_pci_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  FuzzPci *f = opaque;
  if (is_write)
    {
      f->regs[offset % sizeof f->regs] = (guint8)*data;
      bw_pci_function_set_irq (&f->pci, *data & 1);
    }
  else
    *data = f->regs[offset % sizeof f->regs];
}

static const BwIoOps fuzz_pci_ops = { .handler = fuzz_pci_io, .max_access = 4 };

static gboolean
fuzz_pci_realize (BwDevice *dev, GError **error)
{
  FuzzPci *f = (FuzzPci *)dev;
  if (!bw_pci_function_init (&f->pci, dev, bw_pci_bus_find (dev->platform), -1, 0x1af4, 0x1000, 0,
                             0x020000, error))
    return FALSE;
  bw_pci_function_add_bar (&f->pci, 0, BW_PCI_BAR_IO, 64, FALSE, &fuzz_pci_ops, f);
  bw_pci_function_add_bar (&f->pci, 1, BW_PCI_BAR_MEM32, 4096, FALSE, &fuzz_pci_ops, f);
  bw_pci_function_add_bar (&f->pci, 2, BW_PCI_BAR_MEM64, 1 << 16, TRUE, &fuzz_pci_ops, f);
  bw_pci_function_add_bar (&f->pci, BW_PCI_ROM_SLOT, BW_PCI_BAR_ROM, 1 << 16, FALSE, &fuzz_pci_ops,
                           f);
  bw_pci_function_set_irq_pin (&f->pci, 1);
  return TRUE;
}

static void
fuzz_pci_reset (BwDevice *dev)
{
  bw_pci_function_reset (&((FuzzPci *)dev)->pci);
}

static void
fuzz_pci_unrealize (BwDevice *dev)
{
  bw_pci_function_exit (&((FuzzPci *)dev)->pci);
}

static gboolean
fuzz_pci_post_load (void *opaque, int version, GError **error)
{
  bw_pci_function_post_load (&((FuzzPci *)opaque)->pci);
  return TRUE;
}

static const BwVmStateField fuzz_pci_fields[] = {
  BW_VMSTATE_STRUCT (FuzzPci, pci, BwPciFunction, bw_pci_function_vmstate),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc fuzz_pci_vmstate = {
  .name = "fuzz-pci",
  .version = 1,
  .minimum_version = 1,
  .fields = fuzz_pci_fields,
  .post_load = fuzz_pci_post_load,
};

static const BwDeviceClass fuzz_pci_class = {
  .name = "fuzz-pci",
  .instance_size = sizeof (FuzzPci),
  .priority = BW_DEVICE_PRIORITY_DEVICE,
  .realize = fuzz_pci_realize,
  .reset = fuzz_pci_reset,
  .unrealize = fuzz_pci_unrealize,
  .vmstate = &fuzz_pci_vmstate,
};

BW_DEVICE_REGISTER (fuzz_pci_class)

static const guint16 ports[] = {
  0x20, 0x21, 0xa0,  0xa1, 0x4d0, 0x4d1, 0x40,  0x41,  0x42,  0x43,  0x61,  0x70,
  0x71, 0x92, 0x402, 0xe9, 0xcf8, 0xcf9, 0xcfa, 0xcfb, 0xcfc, 0xcfd, 0xcfe, 0xcff,
  0xb2, 0xb3, 0xb000, 0xb002, 0xb004, 0xb005, 0xb008, 0xb00c, 0xb00e, 0xb028, 0xb100, 0xb102,
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
  if (!bw_chipset_add (p, NULL) || !bw_platform_add_device (p, "fuzz-pci", "nic", NULL, NULL)
      || !bw_platform_add_device (p, "piix4-pm", "acpi", NULL, NULL)
      || !bw_platform_realize (p, NULL))
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
