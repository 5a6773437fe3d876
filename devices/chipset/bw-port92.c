/* bw-port92.c: system control port A (port 92h, "fast A20 and reset").
 *
 * Bit 1 drives the CPU's A20 line (as does the i8042's output port; the
 * last write of either wins, as on QEMU's PC); a 0-to-1 change of bit 0
 * asks the platform for a reset. The other bits (password lock, disk
 * activity lights) are kept and read back. */
#include "config.h"

#include "vmm/bw-platform.h"

#define PORT92_RESET 0x01
#define PORT92_A20 0x02

typedef struct
{
  BwDevice parent;
  guint8 value;
} BwPort92;

static void
port92_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwPort92 *p = opaque;
  if (!is_write)
    {
      *data = p->value;
      return;
    }
  guint8 old = p->value;
  p->value = (guint8)*data;
  bw_irq_router_set_cpu_line (bw_device_get_irq_router (&p->parent), BW_CPU_LINE_A20,
                              (p->value & PORT92_A20) != 0);
  if ((p->value & PORT92_RESET) && !(old & PORT92_RESET))
    bw_device_request_reset (&p->parent, "fast reset through port 92h");
}

static const BwIoOps port92_ops = { .handler = port92_io, .max_access = 1 };

static gboolean
port92_realize (BwDevice *dev, GError **error)
{
  return bw_device_register_pio (dev, 0x92, 1, &port92_ops, dev, error);
}

static void
port92_reset (BwDevice *dev)
{
  /* The platform turns A20 on at reset; the port's own bit starts clear. */
  ((BwPort92 *)dev)->value = 0;
}

static const BwVmStateField port92_fields[] = {
  BW_VMSTATE_U8 (BwPort92, value),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc port92_vmstate = {
  .name = "port92",
  .version = 1,
  .minimum_version = 1,
  .fields = port92_fields,
};

static const BwDeviceClass port92_class = {
  .name = "port92",
  .description = "System control port A: fast A20 gate and fast reset",
  .instance_size = sizeof (BwPort92),
  .priority = BW_DEVICE_PRIORITY_DEVICE,
  .realize = port92_realize,
  .reset = port92_reset,
  .vmstate = &port92_vmstate,
};

BW_DEVICE_REGISTER (port92_class)
