/* bw-piix3.c: the PIIX3 PCI-to-ISA bridge (PCI 8086:7000, function 0 of
 * slot 1).
 *
 * Its PIRQ route control registers 0x60-0x63 steer PCI INTA#-INTD# (after
 * the bus's slot swizzle) to ISA IRQs: bit 7 set disables the route, bits
 * 3:0 name the IRQ (3-7, 9-12, 14, 15; other values route nowhere). Several
 * PIRQs may share an IRQ; the line is their OR. The ISA interrupt
 * controllers, ELCR included, are the PIC device (bw-pic.c), which is
 * where the edge/level choice acts. Port 0xCF9 is its reset control
 * register: a 0-to-1 change of bit 2 resets the machine. */
#include "config.h"

#include "devices/chipset/bw-pci.h"
#include "vmm/bw-platform.h"

#define PIIX3_PIRQRC 0x60
#define PIIX3_PIRQ_DISABLE 0x80
#define RCR_SRST 0x02
#define RCR_RCPU 0x04

typedef struct
{
  BwDevice parent;
  BwPciFunction pci;
  guint8 rcr;
  BwPciBus *bus;
  BwIrqLine *isa_irq[16];
} BwPiix3;

static gboolean
irq_routable (guint irq)
{
  return irq >= 3 && irq <= 15 && irq != 8 && irq != 13;
}

/* The ISA IRQ a PIRQ goes to, or -1. */
static int
pirq_target (BwPiix3 *sb, guint pirq)
{
  guint8 r = sb->pci.config[PIIX3_PIRQRC + pirq];
  if (r & PIIX3_PIRQ_DISABLE || !irq_routable (r & 0x0f))
    return -1;
  return r & 0x0f;
}

static void
update_isa_irqs (BwPiix3 *sb)
{
  gboolean level[16] = { FALSE };
  for (guint p = 0; p < 4; p++)
    {
      int irq = pirq_target (sb, p);
      if (irq >= 0 && sb->bus && bw_pci_bus_get_pirq_level (sb->bus, p))
        level[irq] = TRUE;
    }
  for (guint i = 0; i < 16; i++)
    bw_irq_line_set (sb->isa_irq[i], level[i]);
}

static void
piix3_pirq_changed (void *opaque, guint pirq, gboolean level)
{
  update_isa_irqs (opaque);
}

static void
piix3_config_write (BwPciFunction *fn, guint addr, guint32 value, guint size)
{
  if (addr < PIIX3_PIRQRC + 4 && addr + size > PIIX3_PIRQRC)
    update_isa_irqs ((BwPiix3 *)fn->dev);
}

static void
piix3_cf9 (void *opaque, guint64 *data, gboolean is_write)
{
  BwPiix3 *sb = opaque;
  if (!is_write)
    {
      *data = sb->rcr;
      return;
    }
  guint8 old = sb->rcr;
  sb->rcr = (guint8)*data & RCR_SRST; /* RCPU reads back as 0 */
  if ((*data & RCR_RCPU) && !(old & RCR_RCPU))
    bw_device_request_reset (&sb->parent, *data & RCR_SRST ? "hard reset through port 0xCF9"
                                                           : "soft reset through port 0xCF9");
}

static gboolean
piix3_realize (BwDevice *dev, GError **error)
{
  BwPiix3 *sb = (BwPiix3 *)dev;
  BwPciFunction *fn = &sb->pci;

  sb->bus = bw_pci_bus_find (dev->platform);
  gint64 slot = bw_config_get_int_default (dev->config, "slot", 1);
  if (slot < 0 || slot > 31)
    {
      g_set_error (error, BW_PCI_ERROR, BW_PCI_ERROR_SLOT,
                   "PIIX3 slot %" G_GINT64_FORMAT " is not a PCI slot number (0-31)", slot);
      return FALSE;
    }
  if (!bw_pci_function_init (fn, dev, sb->bus, (int)BW_PCI_DEVFN (slot, 0), 0x8086, 0x7000, 0x00,
                             0x060100, error))
    return FALSE;
  fn->config_write = piix3_config_write;
  bw_pci_function_set_u16 (fn, BW_PCI_COMMAND, 0x0007, 0x0008);
  bw_pci_function_set_u16 (fn, BW_PCI_STATUS, 0x0200, 0);
  bw_pci_function_set_u8 (fn, BW_PCI_HEADER_TYPE, BW_PCI_HEADER_MULTI_FUNCTION, 0);
  bw_pci_function_set_u8 (fn, 0x4c, 0x4d, 0xff);      /* ISA I/O recovery timer */
  bw_pci_function_set_u16 (fn, 0x4e, 0x0003, 0x07ff); /* X-bus chip select */
  for (guint p = 0; p < 4; p++)
    bw_pci_function_set_u8 (fn, PIIX3_PIRQRC + p, PIIX3_PIRQ_DISABLE, 0x8f);
  bw_pci_function_set_u8 (fn, 0x69, 0x02, 0xfe);      /* top of memory */
  bw_pci_function_set_u16 (fn, 0x6a, 0x0000, 0x0087); /* misc status */
  bw_pci_function_set_u8 (fn, 0x70, 0x80, 0xcf);      /* motherboard IRQ route */
  bw_pci_function_set_u8 (fn, 0x76, 0x0c, 0x8f);      /* motherboard DMA */
  bw_pci_function_set_u8 (fn, 0x77, 0x0c, 0x8f);
  bw_pci_function_set_u16 (fn, 0x78, 0x0002, 0xfff2);         /* programmable chip select */
  bw_pci_function_set_u8 (fn, 0x80, 0x00, 0x7f);              /* APIC base relocation */
  bw_pci_function_set_u8 (fn, 0x82, 0x00, 0x0f);              /* deterministic latency */
  bw_pci_function_set_u8 (fn, 0xa0, 0x08, 0x1f);              /* SMI control */
  bw_pci_function_set_u16 (fn, 0xa2, 0x0000, 0x00ff);         /* SMI enable */
  bw_pci_function_set_u32 (fn, 0xa4, 0x00000000, 0xffffffff); /* system event enable */
  bw_pci_function_set_u8 (fn, 0xa8, 0x0f, 0xff);              /* fast off timer */
  bw_pci_function_set_u16 (fn, 0xaa, 0x0000, 0x01ff);         /* SMI request */
  bw_pci_function_set_u8 (fn, 0xac, 0x00, 0xff);
  bw_pci_function_set_u8 (fn, 0xae, 0x00, 0xff);

  for (guint i = 0; i < 16; i++)
    if (irq_routable (i))
      sb->isa_irq[i] = bw_device_get_irq (dev, i);
  bw_pci_bus_set_pirq_func (sb->bus, piix3_pirq_changed, sb);
  bw_pci_bus_set_cf9_func (sb->bus, piix3_cf9, sb);
  return TRUE;
}

static void
piix3_unrealize (BwDevice *dev)
{
  BwPiix3 *sb = (BwPiix3 *)dev;
  if (sb->pci.bus)
    {
      bw_pci_bus_set_pirq_func (sb->bus, NULL, NULL);
      bw_pci_bus_set_cf9_func (sb->bus, NULL, NULL);
    }
  bw_pci_function_exit (&sb->pci);
}

static void
piix3_reset (BwDevice *dev)
{
  BwPiix3 *sb = (BwPiix3 *)dev;
  sb->rcr = 0;
  bw_pci_function_reset (&sb->pci);
  update_isa_irqs (sb);
}

static gboolean
piix3_post_load (void *opaque, int version, GError **error)
{
  BwPiix3 *sb = opaque;
  sb->rcr &= RCR_SRST;
  bw_pci_function_post_load (&sb->pci);
  update_isa_irqs (sb);
  return TRUE;
}

static const BwVmStateField piix3_fields[] = {
  BW_VMSTATE_STRUCT (BwPiix3, pci, BwPciFunction, bw_pci_function_vmstate),
  BW_VMSTATE_U8 (BwPiix3, rcr),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc piix3_vmstate = {
  .name = "piix3",
  .version = 1,
  .minimum_version = 1,
  .fields = piix3_fields,
  .post_load = piix3_post_load,
};

static const BwDeviceClass piix3_class = {
  .name = "piix3",
  .description = "Intel PIIX3 PCI-to-ISA bridge with PIRQ routing",
  .instance_size = sizeof (BwPiix3),
  .priority = BW_DEVICE_PRIORITY_BASE,
  .realize = piix3_realize,
  .reset = piix3_reset,
  .unrealize = piix3_unrealize,
  .vmstate = &piix3_vmstate,
};

BW_DEVICE_REGISTER (piix3_class)
