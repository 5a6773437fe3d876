/* bw-pic.c: the cascaded 8259A pair of a PC (master at 0x20/0x21 on IRQ
 * 0-7, slave at 0xA0/0xA1 on IRQ 8-15 cascaded into master IR2) and the
 * PIIX3's edge/level control registers (ELCR, 0x4D0/0x4D1), which choose
 * each input's trigger mode in place of ICW1's LTIM bit.
 *
 * It is the platform's interrupt controller: the router hands it GSI
 * levels, it drives the CPU's INTR line and answers the INTA cycle with a
 * vector. Implemented from the 8259A data sheet: ICW1-ICW4, OCW1-OCW3, IRR
 * or ISR reads, fully nested priority with rotation (automatic, specific
 * and non-specific), specific and non-specific EOI, automatic EOI, special
 * mask mode, special fully nested mode on the master, poll mode, and
 * spurious IRQ 7 / 15 when a request goes away before INTA. */
#include "config.h"

#include "vmm/bw-platform.h"

typedef struct
{
  guint8 irr;         /* interrupt request register */
  guint8 isr;         /* in-service register */
  guint8 imr;         /* interrupt mask register */
  guint8 input;       /* input pin levels */
  guint8 edge_seen;   /* edge detector: level last seen by the edge logic */
  guint8 elcr;        /* 1 = level triggered */
  guint8 lowest;      /* IR that has the lowest priority (rotation) */
  guint8 vector_base; /* ICW2 & 0xF8 */
  guint8 icw1;
  guint8 icw3;
  guint8 icw4;
  guint8 init_step; /* 0 ready, 1 ICW2 next, 2 ICW3 next, 3 ICW4 next */
  bool read_isr;    /* OCW3 RR/RIS: reads of port 0 give ISR */
  bool poll;        /* OCW3 P: the next read of port 0 is a poll */
  bool special_mask;
  bool rotate_aeoi;
  bool output; /* INT pin */
} BwPicChip;

typedef struct
{
  BwDevice parent;
  BwPicChip chip[2];
  BwIrqRouter *router;
} BwPic;

#define ICW1_IC4 0x01
#define ICW1_SNGL 0x02
#define ICW4_AEOI 0x02
#define ICW4_SFNM 0x10

static const guint8 elcr_writable[2] = { 0xf8, 0xde }; /* IRQ 0-2, 8, 13 are always edge */

/* Priority 0 (highest) .. 7 of the highest-priority bit of mask, 8 if
 * none. The IR after `lowest` has priority 0. */
static guint
priority_of (const BwPicChip *c, guint8 mask)
{
  for (guint p = 0; p < 8; p++)
    if (mask & (1u << ((c->lowest + 1 + p) & 7)))
      return p;
  return 8;
}

static guint
ir_of_priority (const BwPicChip *c, guint p)
{
  return (c->lowest + 1 + p) & 7;
}

/* The IR this chip would present, or -1. */
static int
chip_pending (const BwPicChip *c, gboolean master)
{
  guint8 req = c->irr & ~c->imr;
  guint p = priority_of (c, req);
  if (p == 8)
    return -1;
  guint8 blocking = c->isr;
  if (c->special_mask)
    blocking &= ~c->imr; /* masked in-service levels do not block */
  if (master && (c->icw4 & ICW4_SFNM))
    blocking &= ~0x04; /* the slave may interrupt its own service */
  if (priority_of (c, blocking) <= p)
    return -1;
  return (int)ir_of_priority (c, p);
}

static void chip_set_input (BwPic *pic, guint n, guint ir, gboolean level);

static void
update (BwPic *pic)
{
  BwPicChip *slave = &pic->chip[1];
  gboolean slave_out = chip_pending (slave, FALSE) >= 0;
  if (slave_out != slave->output)
    {
      slave->output = slave_out;
      chip_set_input (pic, 0, 2, slave_out);
      return; /* chip_set_input updates again */
    }
  BwPicChip *master = &pic->chip[0];
  master->output = chip_pending (master, TRUE) >= 0;
  bw_irq_router_set_cpu_line (pic->router, BW_CPU_LINE_INTR, master->output);
}

static void
chip_set_input (BwPic *pic, guint n, guint ir, gboolean level)
{
  BwPicChip *c = &pic->chip[n];
  guint8 bit = 1u << ir;
  if (level)
    c->input |= bit;
  else
    c->input &= ~bit;
  if (c->elcr & bit)
    {
      /* Level: the request follows the pin. */
      if (level)
        c->irr |= bit;
      else
        c->irr &= ~bit;
      c->edge_seen = (c->edge_seen & ~bit) | (level ? bit : 0);
    }
  else if (level)
    {
      if (!(c->edge_seen & bit))
        c->irr |= bit;
      c->edge_seen |= bit;
    }
  else
    c->edge_seen &= ~bit; /* a request latched by an edge stays */
  update (pic);
}

static void
pic_set_gsi (void *opaque, guint gsi, gboolean level)
{
  /* GSI 2 is the cascade input, not an ISA line. */
  if (gsi < 16 && gsi != 2)
    chip_set_input (opaque, gsi >> 3, gsi & 7, level);
}

/* INTA on one chip for ir: ISR set (unless AEOI), an edge request taken. */
static void
chip_ack (BwPicChip *c, guint ir)
{
  guint8 bit = 1u << ir;
  if (c->icw4 & ICW4_AEOI)
    {
      if (c->rotate_aeoi)
        c->lowest = (guint8)ir;
    }
  else
    c->isr |= bit;
  if (!(c->elcr & bit))
    c->irr &= ~bit;
}

static guint8
pic_acknowledge (void *opaque)
{
  BwPic *pic = opaque;
  BwPicChip *m = &pic->chip[0], *s = &pic->chip[1];
  guint8 vector;

  int ir = chip_pending (m, TRUE);
  if (ir < 0)
    vector = m->vector_base | 7; /* spurious IRQ 7: ISR untouched */
  else if (ir == 2 && !(m->icw1 & ICW1_SNGL))
    {
      int sir = chip_pending (s, FALSE);
      chip_ack (m, 2);
      if (sir < 0)
        vector = s->vector_base | 7; /* spurious IRQ 15 */
      else
        {
          chip_ack (s, (guint)sir);
          vector = s->vector_base | (guint8)sir;
        }
    }
  else
    {
      chip_ack (m, (guint)ir);
      vector = m->vector_base | (guint8)ir;
    }
  update (pic);
  return vector;
}

static const BwIrqControllerOps pic_controller_ops = {
  .set_gsi = pic_set_gsi,
  .acknowledge = pic_acknowledge,
};

static void
chip_init_reset (BwPicChip *c)
{
  /* ICW1: edge detectors re-armed, IMR and ISR cleared, IR7 lowest,
   * special mask off, IRR reads selected. Level requests stay. */
  c->irr &= c->elcr & c->input;
  c->edge_seen = c->elcr & c->input;
  c->isr = 0;
  c->imr = 0;
  c->lowest = 7;
  c->special_mask = FALSE;
  c->read_isr = FALSE;
  c->poll = FALSE;
  c->rotate_aeoi = FALSE;
}

static void
chip_eoi (BwPicChip *c, guint8 ocw2)
{
  guint op = ocw2 >> 5, level = ocw2 & 7;
  guint p;

  switch (op)
    {
      case 1: /* non-specific EOI */
      case 5: /* rotate on non-specific EOI */
        p = priority_of (c, c->isr);
        if (p == 8)
          break;
        level = ir_of_priority (c, p);
        c->isr &= ~(1u << level);
        if (op == 5)
          c->lowest = (guint8)level;
        break;
      case 3: /* specific EOI */
        c->isr &= ~(1u << level);
        break;
      case 7: /* rotate on specific EOI */
        c->isr &= ~(1u << level);
        c->lowest = (guint8)level;
        break;
      case 6: /* set priority */
        c->lowest = (guint8)level;
        break;
      case 4:
        c->rotate_aeoi = TRUE;
        break;
      case 0:
        c->rotate_aeoi = FALSE;
        break;
      default: /* 2: no operation */
        break;
    }
}

/* Poll: the byte a poll read gives, with the acknowledge it implies. */
static guint8
chip_poll (BwPic *pic, guint n)
{
  BwPicChip *c = &pic->chip[n];
  int ir = chip_pending (c, n == 0);
  c->poll = FALSE;
  if (ir < 0)
    return 0;
  chip_ack (c, (guint)ir);
  if (n == 1)
    {
      /* The master's cascade request was served with it. */
      pic->chip[0].irr &= ~0x04;
    }
  update (pic);
  return 0x80 | (guint8)ir;
}

static void
chip_write (BwPic *pic, guint n, guint port, guint8 v)
{
  BwPicChip *c = &pic->chip[n];

  if (port == 0)
    {
      if (v & 0x10)
        {
          c->icw1 = v;
          c->icw4 = 0;
          c->init_step = 1;
          chip_init_reset (c);
          if (v & 0x08)
            bw_device_guest_error (&pic->parent, "ICW1 LTIM ignored: the ELCR selects level mode");
        }
      else if (v & 0x08)
        {
          if (v & 0x04)
            c->poll = TRUE;
          if ((v & 0x03) == 0x02)
            c->read_isr = FALSE;
          else if ((v & 0x03) == 0x03)
            c->read_isr = TRUE;
          if ((v & 0x60) == 0x60)
            c->special_mask = TRUE;
          else if ((v & 0x60) == 0x40)
            c->special_mask = FALSE;
        }
      else
        chip_eoi (c, v);
      update (pic);
      return;
    }

  switch (c->init_step)
    {
      case 1:
        c->vector_base = v & 0xf8;
        c->init_step = c->icw1 & ICW1_SNGL ? (c->icw1 & ICW1_IC4 ? 3 : 0) : 2;
        break;
      case 2:
        c->icw3 = v;
        c->init_step = c->icw1 & ICW1_IC4 ? 3 : 0;
        break;
      case 3:
        c->icw4 = v;
        c->init_step = 0;
        if (!(v & 0x01))
          bw_device_guest_error (&pic->parent, "ICW4 asks for 8080 mode; x86 mode is used");
        break;
      default:
        c->imr = v; /* OCW1 */
        break;
    }
  update (pic);
}

static guint8
chip_read (BwPic *pic, guint n, guint port)
{
  BwPicChip *c = &pic->chip[n];
  if (c->poll)
    return chip_poll (pic, n);
  if (port == 1)
    return c->imr;
  return c->read_isr ? c->isr : c->irr;
}

static void
pic_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write, guint n)
{
  if (is_write)
    chip_write (opaque, n, (guint)offset, (guint8)*data);
  else
    *data = chip_read (opaque, n, (guint)offset);
}

static void
pic_master_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  pic_io (opaque, offset, data, size, is_write, 0);
}

static void
pic_slave_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  pic_io (opaque, offset, data, size, is_write, 1);
}

static void
elcr_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwPic *pic = opaque;
  BwPicChip *c = &pic->chip[offset & 1];
  if (!is_write)
    {
      *data = c->elcr;
      return;
    }
  c->elcr = (guint8)*data & elcr_writable[offset & 1];
  /* Re-evaluate every input under its new mode. */
  for (guint ir = 0; ir < 8; ir++)
    {
      guint8 bit = 1u << ir;
      if (c->elcr & bit)
        {
          c->irr = (c->irr & ~bit) | (c->input & bit);
          c->edge_seen = (c->edge_seen & ~bit) | (c->input & bit);
        }
    }
  update (pic);
}

static const BwIoOps pic_master_ops = { .handler = pic_master_io, .max_access = 1 };
static const BwIoOps pic_slave_ops = { .handler = pic_slave_io, .max_access = 1 };
static const BwIoOps elcr_ops = { .handler = elcr_io, .max_access = 1 };

static gboolean
pic_realize (BwDevice *dev, GError **error)
{
  BwPic *pic = (BwPic *)dev;
  pic->router = bw_device_get_irq_router (dev);
  if (!bw_device_register_pio (dev, 0x20, 2, &pic_master_ops, pic, error)
      || !bw_device_register_pio (dev, 0xa0, 2, &pic_slave_ops, pic, error)
      || !bw_device_register_pio (dev, 0x4d0, 2, &elcr_ops, pic, error))
    return FALSE;
  bw_irq_router_set_controller (pic->router, &pic_controller_ops, pic);
  return TRUE;
}

static void
pic_unrealize (BwDevice *dev)
{
  BwPic *pic = (BwPic *)dev;
  bw_irq_router_set_controller (pic->router, NULL, NULL);
  bw_irq_router_set_cpu_line (pic->router, BW_CPU_LINE_INTR, FALSE);
}

static void
pic_reset (BwDevice *dev)
{
  BwPic *pic = (BwPic *)dev;
  for (guint n = 0; n < 2; n++)
    {
      BwPicChip *c = &pic->chip[n];
      guint8 input = c->input & (n == 0 ? ~0x04 : 0xff); /* the cascade pin follows the slave */
      *c = (BwPicChip){ 0 };
      c->input = input;
      chip_init_reset (c);
    }
  update (pic);
}

static gboolean
pic_post_load (void *opaque, int version, GError **error)
{
  BwPic *pic = opaque;
  for (guint n = 0; n < 2; n++)
    {
      BwPicChip *c = &pic->chip[n];
      c->elcr &= elcr_writable[n];
      c->vector_base &= 0xf8;
      c->lowest &= 7;
      if (c->init_step > 3)
        {
          g_set_error (error, BW_VMSTATE_ERROR, BW_VMSTATE_ERROR_INVALID,
                       "8259 initialization step %u is not 0-3", c->init_step);
          return FALSE;
        }
    }
  /* Pin levels are taken as saved: every source re-drives its line from
   * its own saved state, and the router passes on only changes. */
  update (pic);
  return TRUE;
}

static const BwVmStateField chip_fields[] = {
  BW_VMSTATE_U8 (BwPicChip, irr),
  BW_VMSTATE_U8 (BwPicChip, isr),
  BW_VMSTATE_U8 (BwPicChip, imr),
  BW_VMSTATE_U8 (BwPicChip, input),
  BW_VMSTATE_U8 (BwPicChip, edge_seen),
  BW_VMSTATE_U8 (BwPicChip, elcr),
  BW_VMSTATE_U8 (BwPicChip, lowest),
  BW_VMSTATE_U8 (BwPicChip, vector_base),
  BW_VMSTATE_U8 (BwPicChip, icw1),
  BW_VMSTATE_U8 (BwPicChip, icw3),
  BW_VMSTATE_U8 (BwPicChip, icw4),
  BW_VMSTATE_U8 (BwPicChip, init_step),
  BW_VMSTATE_BOOL (BwPicChip, read_isr),
  BW_VMSTATE_BOOL (BwPicChip, poll),
  BW_VMSTATE_BOOL (BwPicChip, special_mask),
  BW_VMSTATE_BOOL (BwPicChip, rotate_aeoi),
  BW_VMSTATE_BOOL (BwPicChip, output),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc chip_vmstate = {
  .name = "i8259",
  .version = 1,
  .minimum_version = 1,
  .fields = chip_fields,
};

static const BwVmStateField pic_fields[] = {
  BW_VMSTATE_STRUCT_ARRAY (BwPic, chip, BwPicChip, 2, chip_vmstate),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc pic_vmstate = {
  .name = "pic-i8259",
  .version = 1,
  .minimum_version = 1,
  .fields = pic_fields,
  .post_load = pic_post_load,
};

static const BwDeviceClass pic_class = {
  .name = "pic-i8259",
  .description = "Cascaded 8259A interrupt controllers with the PIIX3 ELCR",
  .instance_size = sizeof (BwPic),
  .priority = BW_DEVICE_PRIORITY_CORE,
  .realize = pic_realize,
  .reset = pic_reset,
  .unrealize = pic_unrealize,
  .vmstate = &pic_vmstate,
};

BW_DEVICE_REGISTER (pic_class)
