/* bw-piix4-pm.c: the PIIX4 power-management function: ACPI fixed
 * hardware (PM1 event and control, PM timer, GPE0), the SCI, the APM
 * ports and a minimal SMBus host (see bw-piix4-pm.h). */
#include "config.h"

#include <string.h>
#include "devices/chipset/bw-piix4-pm.h"
#include "devices/chipset/bw-pci.h"
#include "vmm/bw-platform.h"

#define PM_PMBA 0x40
#define PM_DEVACTB 0x58
#define PM_PMREGMISC 0x80
#define PM_SMBBA 0x90
#define PM_SMBHSTCFG 0xd2

#define PM1_STS_BITS (BW_PM1_TMR | BW_PM1_GBL | BW_PM1_PWRBTN | BW_PM1_RTC | BW_PM1_WAK)
#define PM1_EN_BITS (BW_PM1_TMR | BW_PM1_GBL | BW_PM1_PWRBTN | BW_PM1_RTC)
#define PM1_CNT_BITS (BW_PM1_CNT_SCI_EN | 0x0002 | 0x1c00) /* SCI_EN, BM_RLD, SLP_TYP */
#define TMR_BIT23 (1u << 23)

#define SMB_IO_SIZE 16
#define SMB_HSTSTS 0
#define SMB_HSTCNT 2
#define SMB_START 0x40
#define SMB_DEV_ERR 0x04

typedef struct
{
  BwDevice parent;
  BwPciFunction pci;
  /* Saved. */
  guint16 sts, en, cnt;
  guint16 gpe_sts, gpe_en;
  guint8 other[BW_PM_IO_SIZE - 0x10]; /* 0x10-0x3F, stored only */
  guint8 apm_status;
  guint8 smb[SMB_IO_SIZE];
  gint64 tmr_base_ns; /* virtual time at which the PM timer read 0 */
  BwTimer *overflow;  /* next change of the timer's bit 23 */
  /* Derived. */
  guint16 pm_mapped, smb_mapped; /* bases now on the port bus, 0 when none */
  BwIrqLine *sci;
} BwPiix4Pm;

/* ns -> PM timer ticks and back, without overflow for any clock value. */
static guint64
ns_to_ticks (gint64 ns)
{
  guint64 n = (guint64)MAX (ns, 0);
  return n / 1000000000u * BW_PIIX4_PM_TIMER_HZ
         + n % 1000000000u * BW_PIIX4_PM_TIMER_HZ / 1000000000u;
}

static gint64
ticks_to_ns (guint64 ticks)
{
  /* Rounded up: at this time the counter has reached ticks. */
  return (gint64)(ticks / BW_PIIX4_PM_TIMER_HZ * 1000000000u
                  + (ticks % BW_PIIX4_PM_TIMER_HZ * 1000000000u + BW_PIIX4_PM_TIMER_HZ - 1)
                      / BW_PIIX4_PM_TIMER_HZ);
}

static guint64
timer_ticks (BwPiix4Pm *pm)
{
  return ns_to_ticks (bw_device_now (&pm->parent) - pm->tmr_base_ns);
}

static void
update_sci (BwPiix4Pm *pm)
{
  gboolean level = (pm->cnt & BW_PM1_CNT_SCI_EN)
                   && ((pm->sts & pm->en & PM1_EN_BITS) || (pm->gpe_sts & pm->gpe_en));
  bw_irq_line_set (pm->sci, level);
}

static void
arm_overflow (BwPiix4Pm *pm)
{
  guint64 next = (timer_ticks (pm) / TMR_BIT23 + 1) * TMR_BIT23;
  bw_timer_mod (pm->overflow, pm->tmr_base_ns + ticks_to_ns (next));
}

static void
overflow_fired (void *opaque)
{
  BwPiix4Pm *pm = opaque;
  pm->sts |= BW_PM1_TMR;
  update_sci (pm);
  arm_overflow (pm);
}

static void
sleep_request (BwPiix4Pm *pm, guint typ)
{
  if (typ == BW_PIIX4_PM_SLP_TYP_S5)
    {
      bw_device_log (&pm->parent, "The guest entered S5 (soft off) through PM1a_CNT");
      bw_device_request_poweroff (&pm->parent, "ACPI S5 (soft off)");
      return;
    }
  /* The tables declare only \_S5; other states have no model here. */
  bw_device_guest_error (&pm->parent, "sleep type %u requested through PM1a_CNT is not supported",
                         typ);
}

static guint8
pm_read_byte (BwPiix4Pm *pm, guint off, guint32 tmr)
{
  switch (off)
    {
    case BW_PM1_STS: return pm->sts & 0xff;
    case BW_PM1_STS + 1: return pm->sts >> 8;
    case BW_PM1_EN: return pm->en & 0xff;
    case BW_PM1_EN + 1: return pm->en >> 8;
    case BW_PM1_CNT: return pm->cnt & 0xff;
    case BW_PM1_CNT + 1: return pm->cnt >> 8;
    case BW_PM1_CNT + 2:
    case BW_PM1_CNT + 3: return 0;
    case BW_PM_TMR:
    case BW_PM_TMR + 1:
    case BW_PM_TMR + 2:
    case BW_PM_TMR + 3: return (guint8)(tmr >> 8 * (off - BW_PM_TMR));
    case BW_GPE0_STS: return pm->gpe_sts & 0xff;
    case BW_GPE0_STS + 1: return pm->gpe_sts >> 8;
    case BW_GPE0_EN: return pm->gpe_en & 0xff;
    case BW_GPE0_EN + 1: return pm->gpe_en >> 8;
    default: return pm->other[off - 0x10];
    }
}

/* One byte of a write; returns a sleep type to enter, or -1. */
static int
pm_write_byte (BwPiix4Pm *pm, guint off, guint8 v)
{
  guint shift = (off & 1) * 8;
  switch (off)
    {
    case BW_PM1_STS:
    case BW_PM1_STS + 1:
      pm->sts &= ~((guint16)v << shift);
      break;
    case BW_PM1_EN:
    case BW_PM1_EN + 1:
      pm->en = (pm->en & ~(0xff << shift)) | (((guint16)v << shift) & PM1_EN_BITS);
      break;
    case BW_PM1_CNT:
    case BW_PM1_CNT + 1:
      {
        guint16 full = (pm->cnt & ~(0xff << shift)) | ((guint16)v << shift);
        pm->cnt = full & PM1_CNT_BITS;
        /* GBL_RLS would tell an SMM handler that the OS released the
         * global lock; there is none, so it is dropped like SLP_EN. */
        if (off == BW_PM1_CNT + 1 && (full & BW_PM1_CNT_SLP_EN))
          return (full >> 10) & 7;
        break;
      }
    case BW_GPE0_STS:
    case BW_GPE0_STS + 1:
      pm->gpe_sts &= ~((guint16)v << shift);
      break;
    case BW_GPE0_EN:
    case BW_GPE0_EN + 1:
      pm->gpe_en = (pm->gpe_en & ~(0xff << shift)) | ((guint16)v << shift);
      break;
    case BW_PM1_CNT + 2:
    case BW_PM1_CNT + 3:
    case BW_PM_TMR:
    case BW_PM_TMR + 1:
    case BW_PM_TMR + 2:
    case BW_PM_TMR + 3:
      break; /* read-only */
    default:
      pm->other[off - 0x10] = v;
    }
  return -1;
}

static void
pm_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwPiix4Pm *pm = opaque;
  if (!is_write)
    {
      guint32 tmr = (guint32)(timer_ticks (pm) & 0xffffff);
      guint64 v = 0;
      for (guint i = 0; i < size && offset + i < BW_PM_IO_SIZE; i++)
        v |= (guint64)pm_read_byte (pm, (guint)offset + i, tmr) << 8 * i;
      *data = v;
      return;
    }
  int sleep = -1;
  for (guint i = 0; i < size && offset + i < BW_PM_IO_SIZE; i++)
    {
      int s = pm_write_byte (pm, (guint)offset + i, (guint8)(*data >> 8 * i));
      if (s >= 0)
        sleep = s;
    }
  update_sci (pm);
  if (sleep >= 0)
    sleep_request (pm, (guint)sleep);
}

static const BwIoOps pm_ops = { .handler = pm_io, .max_access = 4 };

static void
apm_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwPiix4Pm *pm = opaque;
  if (offset == 1)
    {
      if (is_write)
        pm->apm_status = (guint8)*data;
      else
        *data = pm->apm_status;
      return;
    }
  if (!is_write)
    {
      *data = 0;
      return;
    }
  /* What an SMI handler does for the FADT's ACPI_ENABLE/ACPI_DISABLE. */
  if ((guint8)*data == BW_PIIX4_PM_ACPI_ENABLE)
    pm->cnt |= BW_PM1_CNT_SCI_EN;
  else if ((guint8)*data == BW_PIIX4_PM_ACPI_DISABLE)
    pm->cnt &= ~BW_PM1_CNT_SCI_EN;
  update_sci (pm);
}

static const BwIoOps apm_ops = { .handler = apm_io, .max_access = 1 };

static void
smb_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwPiix4Pm *pm = (BwPiix4Pm *)((guint8 *)opaque - G_STRUCT_OFFSET (BwPiix4Pm, smb));
  if (!is_write)
    {
      *data = pm->smb[offset];
      return;
    }
  guint8 v = (guint8)*data;
  if (offset == SMB_HSTSTS)
    pm->smb[offset] &= ~v;
  else if (offset == SMB_HSTCNT)
    {
      pm->smb[offset] = v & ~SMB_START;
      /* No device sits on this bus: every transaction ends unanswered. */
      if (v & SMB_START)
        pm->smb[SMB_HSTSTS] |= SMB_DEV_ERR;
    }
  else
    pm->smb[offset] = v;
}

static const BwIoOps smb_ops = { .handler = smb_io, .max_access = 1 };

/* Puts the PM and SMBus port ranges where config space says. */
static void
update_mappings (BwPiix4Pm *pm)
{
  BwIoBus *pio = bw_platform_get_pio (pm->parent.platform);
  guint8 *c = pm->pci.config;
  guint16 pm_base = (c[PM_PMREGMISC] & 1) ? (guint16)(bw_pci_function_get (&pm->pci, PM_PMBA, 4)
                                                      & 0xffc0)
                                          : 0;
  guint16 smb_base
      = ((c[PM_SMBHSTCFG] & 1) && (c[BW_PCI_COMMAND] & BW_PCI_COMMAND_IO))
            ? (guint16)(bw_pci_function_get (&pm->pci, PM_SMBBA, 4) & 0xfff0)
            : 0;
  if (pm_base != pm->pm_mapped)
    {
      if (pm->pm_mapped)
        bw_io_bus_unregister (pio, pm->pm_mapped, pm, NULL);
      pm->pm_mapped = 0;
      g_autoptr (GError) error = NULL;
      if (pm_base && bw_device_register_pio (&pm->parent, pm_base, BW_PM_IO_SIZE, &pm_ops, pm,
                                             &error))
        pm->pm_mapped = pm_base;
      else if (pm_base)
        bw_device_guest_error (&pm->parent, "PM I/O at %#x not mapped: %s", pm_base,
                               error->message);
    }
  if (smb_base != pm->smb_mapped)
    {
      if (pm->smb_mapped)
        bw_io_bus_unregister (pio, pm->smb_mapped, pm->smb, NULL);
      pm->smb_mapped = 0;
      g_autoptr (GError) error = NULL;
      if (smb_base && bw_device_register_pio (&pm->parent, smb_base, SMB_IO_SIZE, &smb_ops,
                                              pm->smb, &error))
        pm->smb_mapped = smb_base;
      else if (smb_base)
        bw_device_guest_error (&pm->parent, "SMBus I/O at %#x not mapped: %s", smb_base,
                               error->message);
    }
}

static void
pm_config_write (BwPciFunction *fn, guint addr, guint32 value, guint size)
{
  update_mappings ((BwPiix4Pm *)fn->dev);
}

static gboolean
pm_realize (BwDevice *dev, GError **error)
{
  BwPiix4Pm *pm = (BwPiix4Pm *)dev;
  BwPciFunction *fn = &pm->pci;
  gint64 slot = bw_config_get_int_default (dev->config, "slot", 1);
  if (slot < 0 || slot > 31)
    {
      g_set_error (error, BW_PCI_ERROR, BW_PCI_ERROR_SLOT,
                   "PIIX4 PM slot %" G_GINT64_FORMAT " is not a PCI slot number (0-31)", slot);
      return FALSE;
    }
  if (!bw_pci_function_init (fn, dev, bw_pci_bus_find (dev->platform),
                             (int)BW_PCI_DEVFN (slot, 3), 0x8086, 0x7113, 0x03, 0x068000, error))
    return FALSE;
  fn->config_write = pm_config_write;
  bw_pci_function_set_u16 (fn, BW_PCI_STATUS, 0x0280, 0);
  bw_pci_function_set_irq_pin (fn, 1);
  bw_pci_function_set_u32 (fn, PM_PMBA, 0x00000001, 0x0000ffc0);
  bw_pci_function_set_u32 (fn, PM_DEVACTB, 0x02000000, 0); /* APMC_EN: "SMM done" */
  bw_pci_function_set_u8 (fn, PM_PMREGMISC, 0x00, 0x01);
  bw_pci_function_set_u32 (fn, PM_SMBBA, 0x00000001, 0x0000fff0);
  bw_pci_function_set_u8 (fn, PM_SMBHSTCFG, 0x00, 0x0f);

  pm->sci = bw_device_get_irq (dev, BW_PIIX4_PM_SCI_IRQ);
  pm->overflow = bw_device_new_timer (dev, overflow_fired, pm);
  return bw_device_register_pio (dev, BW_PIIX4_PM_SMI_CMD, 2, &apm_ops, pm, error);
}

static void
pm_unrealize (BwDevice *dev)
{
  bw_pci_function_exit (&((BwPiix4Pm *)dev)->pci);
}

static void
pm_reset (BwDevice *dev)
{
  BwPiix4Pm *pm = (BwPiix4Pm *)dev;
  bw_pci_function_reset (&pm->pci);
  pm->sts = pm->en = pm->cnt = pm->gpe_sts = pm->gpe_en = 0;
  memset (pm->other, 0, sizeof pm->other);
  memset (pm->smb, 0, sizeof pm->smb);
  pm->apm_status = 0;
  pm->tmr_base_ns = bw_device_now (dev);
  update_mappings (pm);
  update_sci (pm);
  arm_overflow (pm);
}

static gboolean
pm_post_load (void *opaque, int version, GError **error)
{
  BwPiix4Pm *pm = opaque;
  pm->sts &= PM1_STS_BITS;
  pm->en &= PM1_EN_BITS;
  pm->cnt &= PM1_CNT_BITS;
  /* A timer origin in the future or ages ago is corrupt: restart it. */
  gint64 now = bw_device_now (&pm->parent);
  if (pm->tmr_base_ns > now || pm->tmr_base_ns < now - ((gint64)1 << 62))
    pm->tmr_base_ns = now;
  bw_pci_function_post_load (&pm->pci);
  update_mappings (pm);
  update_sci (pm);
  if (!bw_timer_pending (pm->overflow))
    arm_overflow (pm);
  return TRUE;
}

static const BwVmStateField pm_fields[] = {
  BW_VMSTATE_STRUCT (BwPiix4Pm, pci, BwPciFunction, bw_pci_function_vmstate),
  BW_VMSTATE_U16 (BwPiix4Pm, sts),
  BW_VMSTATE_U16 (BwPiix4Pm, en),
  BW_VMSTATE_U16 (BwPiix4Pm, cnt),
  BW_VMSTATE_U16 (BwPiix4Pm, gpe_sts),
  BW_VMSTATE_U16 (BwPiix4Pm, gpe_en),
  BW_VMSTATE_BUFFER (BwPiix4Pm, other, BW_PM_IO_SIZE - 0x10),
  BW_VMSTATE_U8 (BwPiix4Pm, apm_status),
  BW_VMSTATE_BUFFER (BwPiix4Pm, smb, SMB_IO_SIZE),
  BW_VMSTATE_I64 (BwPiix4Pm, tmr_base_ns),
  BW_VMSTATE_TIMER (BwPiix4Pm, overflow),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc pm_vmstate = {
  .name = "piix4-pm",
  .version = 1,
  .minimum_version = 1,
  .fields = pm_fields,
  .post_load = pm_post_load,
};

static const BwDeviceClass pm_class = {
  .name = BW_PIIX4_PM_CLASS,
  .description = "Intel PIIX4 power management: ACPI PM1, PM timer, GPE0, SCI, APM ports",
  .instance_size = sizeof (BwPiix4Pm),
  .priority = BW_DEVICE_PRIORITY_DEVICE,
  .realize = pm_realize,
  .reset = pm_reset,
  .unrealize = pm_unrealize,
  .vmstate = &pm_vmstate,
};

BW_DEVICE_REGISTER (pm_class)

gboolean
bw_piix4_pm_press_power_button (BwDevice *dev)
{
  BwPiix4Pm *pm = (BwPiix4Pm *)dev;
  pm->sts |= BW_PM1_PWRBTN;
  update_sci (pm);
  return (pm->cnt & BW_PM1_CNT_SCI_EN) && (pm->en & BW_PM1_PWRBTN);
}

gboolean
bw_piix4_pm_acpi_enabled (BwDevice *dev)
{
  return (((BwPiix4Pm *)dev)->cnt & BW_PM1_CNT_SCI_EN) != 0;
}

void
bw_piix4_pm_raise_gpe (BwDevice *dev, guint bit)
{
  BwPiix4Pm *pm = (BwPiix4Pm *)dev;
  g_return_if_fail (bit < 16);
  pm->gpe_sts |= 1u << bit;
  update_sci (pm);
}

guint16
bw_piix4_pm_get_base (BwDevice *dev)
{
  return ((BwPiix4Pm *)dev)->pm_mapped;
}
