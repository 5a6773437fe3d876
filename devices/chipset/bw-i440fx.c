/* bw-i440fx.c: the i440FX PCI and memory controller (host bridge, PCI
 * 8086:1237 at 00:00.0).
 *
 * It owns PCI bus 0 and configuration mechanism #1: CONFIG_ADDRESS is the
 * dword at 0xCF8 (bit 31 enable, bus 23:16, device 15:11, function 10:8,
 * register 7:2), CONFIG_DATA the four bytes at 0xCFC-0xCFF. Its own
 * config space carries the PAM registers 0x59-0x5F, which decide per
 * segment of C0000-FFFFF whether reads and writes go to RAM or to the PCI
 * side (bw_memory_set_pam), and the SMRAM register 0x72 (stored; SMRAM is
 * not modelled by the memory map). */
#include "config.h"

#include "devices/chipset/bw-pci.h"
#include "vmm/bw-platform.h"

#define I440FX_PAM0 0x59
#define I440FX_SMRAM 0x72
#define SMRAM_D_OPEN 0x40
#define SMRAM_D_CLS 0x20
#define SMRAM_D_LCK 0x10
#define SMRAM_G_SMRAME 0x08

typedef struct
{
  BwDevice parent;
  BwPciFunction pci;
  guint32 config_address;
  BwPciBus *bus;
} BwI440fx;

static const char i440fx_class_name[] = "i440fx";

BwPciBus *
bw_pci_bus_find (BwPlatform *platform)
{
  GPtrArray *devices = bw_platform_get_devices (platform);
  for (guint i = 0; i < devices->len; i++)
    {
      BwDevice *dev = g_ptr_array_index (devices, i);
      if (dev->klass->name == i440fx_class_name)
        return ((BwI440fx *)dev)->bus;
    }
  return NULL;
}

/* Segment of each PAM nibble: 0x59 high nibble is F0000-FFFFF (12);
 * 0x5A-0x5F low/high nibbles are C0000, C4000, ..., EC000 (0-11). */
static void
apply_pam (BwI440fx *nb)
{
  BwMemory *mem = bw_device_get_memory (&nb->parent);
  bw_memory_set_pam (mem, 12, (BwPamMode)((nb->pci.config[I440FX_PAM0] >> 4) & 3));
  for (guint seg = 0; seg < 12; seg++)
    {
      guint8 reg = nb->pci.config[I440FX_PAM0 + 1 + seg / 2];
      bw_memory_set_pam (mem, seg, (BwPamMode)((seg & 1 ? reg >> 4 : reg) & 3));
    }
}

static void
apply_smram (BwI440fx *nb)
{
  guint8 *smram = &nb->pci.config[I440FX_SMRAM];
  /* D_LCK closes D_OPEN and makes D_OPEN, D_LCK and G_SMRAME read-only
   * until reset. */
  if (*smram & SMRAM_D_LCK)
    {
      *smram &= ~SMRAM_D_OPEN;
      nb->pci.wmask[I440FX_SMRAM] = SMRAM_D_CLS;
    }
  else
    nb->pci.wmask[I440FX_SMRAM] = SMRAM_D_OPEN | SMRAM_D_CLS | SMRAM_D_LCK | SMRAM_G_SMRAME;
}

static void
i440fx_config_write (BwPciFunction *fn, guint addr, guint32 value, guint size)
{
  BwI440fx *nb = (BwI440fx *)fn->dev;
  if (addr < I440FX_PAM0 + 7 && addr + size > I440FX_PAM0)
    apply_pam (nb);
  if (addr <= I440FX_SMRAM && addr + size > I440FX_SMRAM)
    apply_smram (nb);
}

static void
i440fx_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwI440fx *nb = opaque;

  if (offset < 4)
    {
      if (offset == 0 && size == 4)
        {
          if (is_write)
            nb->config_address = (guint32)*data & 0x80fffffcu;
          else
            *data = nb->config_address;
        }
      else if (offset == 1 && size == 1)
        bw_pci_bus_cf9 (nb->bus, data, is_write); /* the PIIX3's reset control */
      else if (!is_write)
        *data = G_MAXUINT64; /* other widths go out to the (empty) ISA side */
      return;
    }

  guint32 ca = nb->config_address;
  guint bus_nr = (ca >> 16) & 0xff;
  guint devfn = (ca >> 8) & 0xff;
  guint reg = (ca & 0xfc) + (guint)(offset - 4);
  if (!(ca & 0x80000000u) || bus_nr != 0)
    {
      if (!is_write)
        *data = G_MAXUINT64;
      return;
    }
  if (is_write)
    bw_pci_bus_config_write (nb->bus, devfn, reg, (guint32)*data, size);
  else
    *data = bw_pci_bus_config_read (nb->bus, devfn, reg, size);
}

static const BwIoOps i440fx_ops = {
  .handler = i440fx_io,
  .max_access = 4,
  .aligned = TRUE,
};

static gboolean
i440fx_realize (BwDevice *dev, GError **error)
{
  BwI440fx *nb = (BwI440fx *)dev;

  nb->bus = bw_pci_bus_new (dev);
  if (!bw_pci_function_init (&nb->pci, dev, nb->bus, BW_PCI_DEVFN (0, 0), 0x8086, 0x1237, 0x02,
                             0x060000, error))
    return FALSE;
  nb->pci.config_write = i440fx_config_write;
  bw_pci_function_set_u16 (&nb->pci, BW_PCI_COMMAND, 0x0006, 0x0146);
  bw_pci_function_set_u16 (&nb->pci, BW_PCI_STATUS, 0x0280, 0);
  /* PMCCFG, DETURBO, DBC, the DRAM control and timing registers. */
  for (guint r = 0x50; r < I440FX_PAM0; r++)
    bw_pci_function_set_u8 (&nb->pci, r, 0, 0xff);
  bw_pci_function_set_u8 (&nb->pci, I440FX_PAM0, 0, 0x70);
  for (guint r = I440FX_PAM0 + 1; r < I440FX_PAM0 + 7; r++)
    bw_pci_function_set_u8 (&nb->pci, r, 0, 0x77);
  for (guint r = 0x60; r < 0x68; r++) /* DRAM row boundaries */
    bw_pci_function_set_u8 (&nb->pci, r, 0x01, 0xff);
  bw_pci_function_set_u8 (&nb->pci, 0x68, 0, 0xc0);    /* fixed DRAM hole */
  bw_pci_function_set_u8 (&nb->pci, 0x70, 0x20, 0xf8); /* multi-transaction timer */
  bw_pci_function_set_u8 (&nb->pci, 0x71, 0x10, 0xff); /* CPU latency timer */
  bw_pci_function_set_u8 (&nb->pci, I440FX_SMRAM, 0x02,
                          SMRAM_D_OPEN | SMRAM_D_CLS | SMRAM_D_LCK | SMRAM_G_SMRAME);
  bw_pci_function_set_u8 (&nb->pci, 0x90, 0, 0xff); /* error command */
  bw_pci_function_set_u8 (&nb->pci, 0x91, 0, 0);    /* error status */
  nb->pci.w1cmask[0x91] = 0x11;
  bw_pci_function_set_u8 (&nb->pci, 0x93, 0, 0x0e); /* turbo reset control */

  return bw_device_register_pio (dev, 0xcf8, 8, &i440fx_ops, nb, error);
}

static void
i440fx_unrealize (BwDevice *dev)
{
  BwI440fx *nb = (BwI440fx *)dev;
  bw_pci_function_exit (&nb->pci);
  g_clear_pointer (&nb->bus, bw_pci_bus_free);
}

static void
i440fx_reset (BwDevice *dev)
{
  BwI440fx *nb = (BwI440fx *)dev;
  nb->config_address = 0;
  bw_pci_function_reset (&nb->pci);
  apply_smram (nb);
  apply_pam (nb);
}

static gboolean
i440fx_post_load (void *opaque, int version, GError **error)
{
  BwI440fx *nb = opaque;
  nb->config_address &= 0x80fffffcu;
  /* The SMRAM lock decides the mask; reapply it before the config. */
  bw_pci_function_post_load (&nb->pci);
  apply_smram (nb);
  apply_pam (nb);
  return TRUE;
}

static const BwVmStateField i440fx_fields[] = {
  BW_VMSTATE_STRUCT (BwI440fx, pci, BwPciFunction, bw_pci_function_vmstate),
  BW_VMSTATE_U32 (BwI440fx, config_address),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc i440fx_vmstate = {
  .name = "i440fx",
  .version = 1,
  .minimum_version = 1,
  .fields = i440fx_fields,
  .post_load = i440fx_post_load,
};

static const BwDeviceClass i440fx_class = {
  .name = i440fx_class_name,
  .description = "Intel 440FX PCI host bridge with PAM shadowing",
  .instance_size = sizeof (BwI440fx),
  .priority = BW_DEVICE_PRIORITY_CORE,
  .realize = i440fx_realize,
  .reset = i440fx_reset,
  .unrealize = i440fx_unrealize,
  .vmstate = &i440fx_vmstate,
};

BW_DEVICE_REGISTER (i440fx_class)
