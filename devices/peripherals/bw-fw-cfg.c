/* bw-fw-cfg.c: the firmware configuration device: items, the file
 * directory, the e820 file, port access and the DMA interface. */
#include "config.h"

#include <string.h>
#include "vmm/bw-platform.h"
#include "devices/peripherals/bw-fw-cfg.h"

G_DEFINE_QUARK (bw-fw-cfg-error-quark, bw_fw_cfg_error)

#define DMA_SIGNATURE "QEMU CFG"
#define DMA_CHUNK 4096

typedef struct
{
  guint64 address;
  guint64 length;
  guint32 type;
} E820Entry;

typedef struct
{
  BwDevice parent;
  guint16 selector;
  guint32 offset;   /* into the selected item */
  guint8 dma_reg[8]; /* the DMA address register, big-endian */

  /*< not saved: rebuilt from the configuration >*/
  GHashTable *items; /* key -> GBytes */
  GPtrArray *files;  /* names; file i has key BW_FW_CFG_FILE_FIRST + i */
  GArray *e820_extra; /* E820Entry */
} BwFwCfg;

static const BwDeviceClass fw_cfg_class;

static BwFwCfg *
get (BwDevice *dev)
{
  g_assert (dev != NULL && dev->klass == &fw_cfg_class);
  return (BwFwCfg *) dev;
}

static GBytes *
lookup (BwFwCfg *s, guint16 selector)
{
  return g_hash_table_lookup (s->items, GUINT_TO_POINTER (selector & ~BW_FW_CFG_WRITE_CHANNEL));
}

void
bw_fw_cfg_set_item (BwDevice *dev, guint16 key, GBytes *data)
{
  BwFwCfg *s = get (dev);
  key &= ~BW_FW_CFG_WRITE_CHANNEL;
  if (data)
    g_hash_table_insert (s->items, GUINT_TO_POINTER (key), g_bytes_ref (data));
  else
    g_hash_table_remove (s->items, GUINT_TO_POINTER (key));
}

static void
set_le (BwDevice *dev, guint16 key, guint64 value, gsize size)
{
  guint8 b[8];
  for (gsize i = 0; i < size; i++)
    b[i] = (guint8) (value >> (8 * i));
  g_autoptr (GBytes) data = g_bytes_new (b, size);
  bw_fw_cfg_set_item (dev, key, data);
}

void
bw_fw_cfg_set_u16 (BwDevice *dev, guint16 key, guint16 value)
{
  set_le (dev, key, value, 2);
}

void
bw_fw_cfg_set_u32 (BwDevice *dev, guint16 key, guint32 value)
{
  set_le (dev, key, value, 4);
}

void
bw_fw_cfg_set_u64 (BwDevice *dev, guint16 key, guint64 value)
{
  set_le (dev, key, value, 8);
}

static void
put_be (guint8 *p, guint64 v, gsize size)
{
  for (gsize i = 0; i < size; i++)
    p[i] = (guint8) (v >> (8 * (size - 1 - i)));
}

static guint64
get_be (const guint8 *p, gsize size)
{
  guint64 v = 0;
  for (gsize i = 0; i < size; i++)
    v = (v << 8) | p[i];
  return v;
}

/* The directory: u32 count, then per file u32 size, u16 selector, u16
 * reserved, 56 bytes of name; all big-endian. */
static void
rebuild_directory (BwFwCfg *s)
{
  gsize len = 4 + (gsize) s->files->len * 64;
  guint8 *dir = g_malloc0 (len);
  put_be (dir, s->files->len, 4);
  for (guint i = 0; i < s->files->len; i++)
    {
      guint8 *e = dir + 4 + i * 64;
      guint16 key = BW_FW_CFG_FILE_FIRST + i;
      GBytes *data = lookup (s, key);
      put_be (e, data ? g_bytes_get_size (data) : 0, 4);
      put_be (e + 4, key, 2);
      strncpy ((char *) e + 8, g_ptr_array_index (s->files, i), BW_FW_CFG_MAX_FILE_NAME - 1);
    }
  g_autoptr (GBytes) bytes = g_bytes_new_take (dir, len);
  bw_fw_cfg_set_item (&s->parent, BW_FW_CFG_FILE_DIR, bytes);
}

guint16
bw_fw_cfg_find_file (BwDevice *dev, const char *name)
{
  BwFwCfg *s = get (dev);
  for (guint i = 0; i < s->files->len; i++)
    if (strcmp (g_ptr_array_index (s->files, i), name) == 0)
      return BW_FW_CFG_FILE_FIRST + i;
  return 0;
}

guint16
bw_fw_cfg_add_file (BwDevice *dev, const char *name, GBytes *data, GError **error)
{
  BwFwCfg *s = get (dev);
  if (!name || !*name || strlen (name) >= BW_FW_CFG_MAX_FILE_NAME)
    {
      g_set_error (error, BW_FW_CFG_ERROR, BW_FW_CFG_ERROR_NAME,
                   "fw_cfg file name “%s” is empty or longer than %d bytes", name ? name : "",
                   BW_FW_CFG_MAX_FILE_NAME - 1);
      return 0;
    }
  guint16 key = bw_fw_cfg_find_file (dev, name);
  if (key == 0)
    {
      if (BW_FW_CFG_FILE_FIRST + s->files->len > BW_FW_CFG_FILE_LAST)
        {
          g_set_error (error, BW_FW_CFG_ERROR, BW_FW_CFG_ERROR_FULL,
                       "fw_cfg has no room for file “%s”", name);
          return 0;
        }
      key = BW_FW_CFG_FILE_FIRST + s->files->len;
      g_ptr_array_add (s->files, g_strdup (name));
    }
  bw_fw_cfg_set_item (dev, key, data);
  rebuild_directory (s);
  return key;
}

/* "etc/e820": packed little-endian entries of u64 address, u64 length,
 * u32 type: RAM below the PCI hole, RAM above 4 GiB, then the extras. */
static void
rebuild_e820 (BwFwCfg *s)
{
  BwMemory *mem = bw_device_get_memory (&s->parent);
  g_autoptr (GByteArray) table = g_byte_array_new ();
  E820Entry ram[2] = { { 0, bw_memory_get_low_ram_size (mem), BW_E820_RAM },
                       { BW_MEMORY_4G, bw_memory_get_high_ram_size (mem), BW_E820_RAM } };

  for (guint i = 0; i < 2 + s->e820_extra->len; i++)
    {
      const E820Entry *e = i < 2 ? &ram[i] : &g_array_index (s->e820_extra, E820Entry, i - 2);
      if (e->length == 0)
        continue;
      guint8 b[20];
      for (int k = 0; k < 8; k++)
        {
          b[k] = (guint8) (e->address >> (8 * k));
          b[8 + k] = (guint8) (e->length >> (8 * k));
        }
      for (int k = 0; k < 4; k++)
        b[16 + k] = (guint8) (e->type >> (8 * k));
      g_byte_array_append (table, b, sizeof b);
    }
  g_autoptr (GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&table));
  bw_fw_cfg_add_file (&s->parent, "etc/e820", bytes, NULL);
}

void
bw_fw_cfg_add_e820 (BwDevice *dev, guint64 address, guint64 length, guint32 type)
{
  BwFwCfg *s = get (dev);
  E820Entry e = { address, length, type };
  g_array_append_val (s->e820_extra, e);
  rebuild_e820 (s);
}

/* DMA. */

static gboolean
dma_zero (BwMemory *mem, guint64 addr, guint64 len)
{
  static const guint8 zeros[DMA_CHUNK];
  while (len > 0)
    {
      gsize n = MIN (len, DMA_CHUNK);
      if (!bw_memory_write (mem, addr, zeros, n))
        return FALSE;
      addr += n;
      len -= n;
    }
  return TRUE;
}

/* Runs one descriptor; returns the control word to write back. */
static guint32
dma_run (BwFwCfg *s, guint32 control, guint32 length, guint64 address)
{
  BwMemory *mem = bw_device_get_memory (&s->parent);

  if (control & BW_FW_CFG_DMA_SELECT)
    {
      s->selector = control >> 16;
      s->offset = 0;
    }
  if (!(control & (BW_FW_CFG_DMA_READ | BW_FW_CFG_DMA_WRITE | BW_FW_CFG_DMA_SKIP)))
    return 0;
  if (control & (BW_FW_CFG_DMA_READ | BW_FW_CFG_DMA_WRITE))
    {
      if (length > 0 && address + length - 1 < address)
        {
          bw_device_guest_error (&s->parent, "DMA buffer wraps around the address space");
          return BW_FW_CFG_DMA_ERROR;
        }
    }
  if (!(control & BW_FW_CFG_DMA_READ) && (control & BW_FW_CFG_DMA_WRITE))
    {
      bw_device_guest_error (&s->parent, "DMA write to read-only item %#x", s->selector);
      return BW_FW_CFG_DMA_ERROR;
    }

  GBytes *item = lookup (s, s->selector);
  gsize size = 0;
  const guint8 *data = item ? g_bytes_get_data (item, &size) : NULL;
  guint64 avail = s->offset < size ? size - s->offset : 0;
  guint64 n = MIN (avail, length);

  if (control & BW_FW_CFG_DMA_READ)
    {
      if (n > 0 && !bw_memory_write (mem, address, data + s->offset, n))
        goto bad_buffer;
      if (length > n && !dma_zero (mem, address + n, length - n))
        goto bad_buffer;
    }
  s->offset += (guint32) n;
  return 0;

bad_buffer:
  bw_device_guest_error (&s->parent, "DMA buffer at %#" G_GINT64_MODIFIER "x (%u bytes) is not "
                         "guest RAM", address, length);
  return BW_FW_CFG_DMA_ERROR;
}

static void
dma_start (BwFwCfg *s)
{
  BwMemory *mem = bw_device_get_memory (&s->parent);
  guint64 desc_addr = get_be (s->dma_reg, 8);
  guint8 desc[16];

  memset (s->dma_reg, 0, sizeof s->dma_reg);
  if (desc_addr + sizeof desc - 1 < desc_addr || !bw_memory_read (mem, desc_addr, desc, sizeof desc))
    {
      bw_device_guest_error (&s->parent, "DMA descriptor at %#" G_GINT64_MODIFIER "x is not "
                             "guest RAM", desc_addr);
      /* Tell the guest where we can: the control word may still be RAM. */
      guint8 err[4];
      put_be (err, BW_FW_CFG_DMA_ERROR, 4);
      if (desc_addr + 3 >= desc_addr)
        bw_memory_write (mem, desc_addr, err, 4);
      return;
    }
  guint32 control = (guint32) get_be (desc, 4);
  guint32 length = (guint32) get_be (desc + 4, 4);
  guint64 address = get_be (desc + 8, 8);
  guint8 result[4];
  put_be (result, dma_run (s, control, length, address), 4);
  bw_memory_write (mem, desc_addr, result, 4);
}

/* Port I/O. */

static void
ctl_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwFwCfg *s = opaque;
  if (offset == 0)
    {
      /* The selector: a word (or byte) write; reads give nothing. */
      if (is_write)
        {
          s->selector = (guint16) *data;
          s->offset = 0;
        }
      else
        *data = 0;
      return;
    }
  if (is_write)
    {
      bw_device_guest_error (&s->parent, "write to the data port (no item is writable)");
      return;
    }
  GBytes *item = lookup (s, s->selector);
  gsize len = 0;
  const guint8 *bytes = item ? g_bytes_get_data (item, &len) : NULL;
  if (s->offset < len)
    *data = bytes[s->offset++];
  else
    *data = 0;
}

static void
dma_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  BwFwCfg *s = opaque;
  if (!is_write)
    {
      guint64 v = 0;
      for (guint i = 0; i < size && offset + i < 8; i++)
        v |= (guint64) (guint8) DMA_SIGNATURE[offset + i] << (8 * i);
      *data = v;
      return;
    }
  /* The register holds the address big-endian in port order; a write
   * that reaches its last byte (the low half at 0x518) starts DMA. */
  for (guint i = 0; i < size && offset + i < 8; i++)
    s->dma_reg[offset + i] = (guint8) (*data >> (8 * i));
  if (offset + size >= 8)
    dma_start (s);
}

static const BwIoOps ctl_ops = { .handler = ctl_io, .max_access = 2 };
static const BwIoOps dma_ops = { .handler = dma_io, .max_access = 4, .aligned = TRUE };

static void
add_config_items (BwFwCfg *s)
{
  BwDevice *dev = &s->parent;
  BwConfig *root = bw_platform_get_config (dev->platform);
  gint64 cpus = CLAMP (bw_config_get_int_default (root, "cpus", 1), 1, 0xFFFF);
  gint64 max_cpus = CLAMP (bw_config_get_int_default (root, "max-cpus", cpus), cpus, 0xFFFF);

  g_autoptr (GBytes) sig = g_bytes_new_static ("QEMU", 4);
  bw_fw_cfg_set_item (dev, BW_FW_CFG_SIGNATURE, sig);
  bw_fw_cfg_set_u32 (dev, BW_FW_CFG_ID, BW_FW_CFG_ID_TRADITIONAL | BW_FW_CFG_ID_DMA);

  guint8 uuid[16] = { 0 };
  const char *text = bw_config_get_string_default (root, "uuid", NULL);
  if (text && g_uuid_string_is_valid (text))
    for (guint i = 0, j = 0; i < 16 && text[j]; j++)
      {
        if (text[j] == '-')
          continue;
        uuid[i] = (g_ascii_xdigit_value (text[j]) << 4) | g_ascii_xdigit_value (text[j + 1]);
        i++, j++;
      }
  g_autoptr (GBytes) uuid_bytes = g_bytes_new (uuid, sizeof uuid);
  bw_fw_cfg_set_item (dev, BW_FW_CFG_UUID, uuid_bytes);

  bw_fw_cfg_set_u64 (dev, BW_FW_CFG_RAM_SIZE, bw_memory_get_ram_size (bw_device_get_memory (dev)));
  bw_fw_cfg_set_u16 (dev, BW_FW_CFG_NOGRAPHIC, 0);
  bw_fw_cfg_set_u16 (dev, BW_FW_CFG_NB_CPUS, (guint16) cpus);
  bw_fw_cfg_set_u16 (dev, BW_FW_CFG_MAX_CPUS, (guint16) max_cpus);

  /* SeaBIOS counts the CPUs to start from this file (CMOS otherwise). */
  guint8 boot_cpus[2] = { cpus & 0xFF, cpus >> 8 };
  g_autoptr (GBytes) boot_cpus_bytes = g_bytes_new (boot_cpus, 2);

  gboolean menu = bw_config_get_bool_default (dev->config, "boot-menu", FALSE);
  bw_fw_cfg_set_u16 (dev, BW_FW_CFG_BOOT_MENU, menu);
  rebuild_directory (s);
  rebuild_e820 (s);
  bw_fw_cfg_add_file (dev, "etc/boot-cpus", boot_cpus_bytes, NULL);
  if (menu)
    {
      guint16 wait = CLAMP (bw_config_get_int_default (dev->config, "boot-menu-wait", 3000), 0,
                            0xFFFF);
      guint8 b[2] = { wait & 0xFF, wait >> 8 };
      g_autoptr (GBytes) bytes = g_bytes_new (b, 2);
      bw_fw_cfg_add_file (dev, "etc/boot-menu-wait", bytes, NULL);
    }
  gint64 fail_wait = bw_config_get_int_default (dev->config, "boot-fail-wait", -1);
  guint32 fw = fail_wait < 0 ? G_MAXUINT32 : (guint32) MIN (fail_wait, G_MAXUINT32 - 1);
  guint8 b[4] = { fw, fw >> 8, fw >> 16, fw >> 24 };
  g_autoptr (GBytes) fail_bytes = g_bytes_new (b, 4);
  bw_fw_cfg_add_file (dev, "etc/boot-fail-wait", fail_bytes, NULL);

  const char *order = bw_config_get_string_default (dev->config, "bootorder", NULL);
  if (order && *order)
    {
      /* SeaBIOS reads the list as text up to its terminator. */
      g_autoptr (GBytes) bytes = g_bytes_new (order, strlen (order) + 1);
      bw_fw_cfg_add_file (dev, "bootorder", bytes, NULL);
    }
}

static gboolean
fw_cfg_realize (BwDevice *dev, GError **error)
{
  BwFwCfg *s = get (dev);
  s->items = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_bytes_unref);
  s->files = g_ptr_array_new_with_free_func (g_free);
  s->e820_extra = g_array_new (FALSE, FALSE, sizeof (E820Entry));
  add_config_items (s);
  return bw_device_register_pio (dev, BW_FW_CFG_PORT_SELECTOR, 2, &ctl_ops, s, error)
         && bw_device_register_pio (dev, BW_FW_CFG_PORT_DMA, 8, &dma_ops, s, error);
}

static void
fw_cfg_unrealize (BwDevice *dev)
{
  BwFwCfg *s = get (dev);
  g_clear_pointer (&s->items, g_hash_table_unref);
  g_clear_pointer (&s->files, g_ptr_array_unref);
  g_clear_pointer (&s->e820_extra, g_array_unref);
}

static void
fw_cfg_reset (BwDevice *dev)
{
  BwFwCfg *s = get (dev);
  s->selector = 0;
  s->offset = 0;
  memset (s->dma_reg, 0, sizeof s->dma_reg);
}

static const BwVmStateField fw_cfg_fields[] = {
  BW_VMSTATE_U16 (BwFwCfg, selector),
  BW_VMSTATE_U32 (BwFwCfg, offset),
  BW_VMSTATE_BUFFER (BwFwCfg, dma_reg, 8),
  BW_VMSTATE_END_OF_FIELDS,
};

static const BwVmStateDesc fw_cfg_vmstate = {
  .name = "fw-cfg",
  .version = 1,
  .minimum_version = 1,
  .fields = fw_cfg_fields,
};

static const BwDeviceClass fw_cfg_class = {
  .name = BW_FW_CFG_CLASS,
  .description = "QEMU firmware configuration interface (fw_cfg) with DMA",
  .instance_size = sizeof (BwFwCfg),
  .priority = BW_DEVICE_PRIORITY_FIRMWARE,
  .realize = fw_cfg_realize,
  .reset = fw_cfg_reset,
  .unrealize = fw_cfg_unrealize,
  .vmstate = &fw_cfg_vmstate,
};

BW_DEVICE_REGISTER (fw_cfg_class)
