/* fuzz-peripheral-ports.c: libFuzzer target for the peripheral devices.
 *
 * Each input builds a fresh test platform with the i8042, four UARTs and
 * fw_cfg, then applies the input as a program: port reads and writes of
 * 1, 2 or 4 bytes anywhere in the devices' ranges, clock steps, keyboard
 * and mouse input from the front-end side, DMA descriptors in guest
 * memory, and saved state taken, damaged and loaded back. Whatever the
 * guest does, the VMM must not crash or touch memory it does not own.
 *
 *   CC=clang meson setup build-fuzz -Dfuzzing=true -Dgui=disabled
 *   ninja -C build-fuzz tests/devices/peripherals/fuzz-peripheral-ports
 *   mkdir -p build-fuzz/corpus-periph
 *   build-fuzz/tests/devices/peripherals/fuzz-peripheral-ports \
 *       -max_total_time=120 build-fuzz/corpus-periph */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include "vmm/bw-platform.h"
#include "devices/peripherals/bw-i8042.h"
#include "devices/peripherals/bw-uart.h"
#include "devices/peripherals/bw-fw-cfg.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* Port ranges worth aiming at, and a little around them. */
static const guint16 bases[] = { 0x60, 0x64, 0x3F8, 0x2F8, 0x3E8, 0x2E8, 0x510, 0x514 };

typedef struct
{
  const guint8 *data;
  size_t size;
  size_t pos;
} Input;

static guint64
take (Input *in, guint bytes)
{
  guint64 v = 0;
  for (guint i = 0; i < bytes; i++)
    v = (v << 8) | (in->pos < in->size ? in->data[in->pos++] : 0);
  return v;
}

static void
log_quietly (const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
}

static BwPlatform *
make_platform (void)
{
  BwPlatform *p = bw_platform_new_test (2);
  g_autoptr (GError) error = NULL;
  static const char *const serials[] = { "serial0", "serial1", "serial2", "serial3" };
  if (!bw_platform_add_device (p, BW_I8042_CLASS, "i8042", NULL, &error)
      || !bw_platform_add_device (p, BW_FW_CFG_CLASS, "fw-cfg", NULL, &error))
    abort ();
  for (guint i = 0; i < G_N_ELEMENTS (serials); i++)
    if (!bw_platform_add_device (p, BW_UART_CLASS, serials[i], NULL, &error))
      abort ();
  if (!bw_platform_realize (p, &error))
    abort ();
  return p;
}

static void
dma_descriptor (BwPlatform *p, Input *in)
{
  guint8 d[16];
  guint64 at = take (in, 2) << 4; /* inside the 2 MiB, mostly */
  guint32 control = (guint32) take (in, 4);
  guint32 length = (guint32) take (in, 2); /* keep transfers short */
  guint64 address = take (in, 1) & 1 ? take (in, 8) : take (in, 3);
  for (int i = 0; i < 4; i++)
    d[i] = (guint8) (control >> (24 - 8 * i)), d[4 + i] = (guint8) (length >> (24 - 8 * i));
  for (int i = 0; i < 8; i++)
    d[8 + i] = (guint8) (address >> (56 - 8 * i));
  bw_memory_write (bw_platform_get_memory (p), at, d, sizeof d);
  bw_io_bus_write (bw_platform_get_pio (p), 0x514, 4, GUINT32_SWAP_LE_BE ((guint32) (at >> 32)));
  bw_io_bus_write (bw_platform_get_pio (p), 0x518, 4, GUINT32_SWAP_LE_BE ((guint32) at));
}

static void
damaged_state (BwPlatform *p, Input *in)
{
  g_autoptr (GByteArray) state = g_byte_array_new ();
  bw_platform_save_state (p, state);
  guint flips = take (in, 1) % 8;
  for (guint i = 0; i < flips && state->len > 0; i++)
    {
      guint at = (guint) (take (in, 2) % state->len);
      state->data[at] ^= (guint8) take (in, 1);
    }
  guint len = state->len;
  if (take (in, 1) == 0xFF)
    len = (guint) (take (in, 2) % (state->len + 1));
  if (!bw_platform_load_state (p, state->data, len, NULL))
    bw_platform_reset (p); /* a half-loaded device is reset, as the VM does */
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  static gboolean quiet;
  if (!quiet)
    {
      g_log_set_default_handler (log_quietly, NULL);
      quiet = TRUE;
    }

  BwPlatform *p = make_platform ();
  BwIoBus *pio = bw_platform_get_pio (p);
  BwDevice *kbc = bw_platform_find_device (p, "i8042");
  Input in = { data, size, 0 };

  while (in.pos < in.size)
    {
      guint op = (guint) take (&in, 1);
      guint16 port = bases[(op >> 4) % G_N_ELEMENTS (bases)] + (guint16) (take (&in, 1) % 12);
      guint sizes[] = { 1, 1, 2, 4 };
      guint width = sizes[(op >> 2) & 3];
      switch (op & 0x0F)
        {
        case 0:
        case 1:
        case 2:
        case 3:
          bw_io_bus_write (pio, port, width, take (&in, width));
          break;
        case 4:
        case 5:
        case 6:
          bw_io_bus_read (pio, port, width);
          break;
        case 7:
          bw_clock_step (bw_platform_get_clock (p), (gint64) take (&in, 3) << (take (&in, 1) % 12));
          break;
        case 8:
          {
            guint8 codes[4];
            guint n = (guint) take (&in, 1) % 5;
            for (guint i = 0; i < n; i++)
              codes[i] = (guint8) take (&in, 1);
            bw_i8042_put_scancodes (kbc, codes, n);
            break;
          }
        case 9:
          bw_i8042_put_mouse (kbc, (gint8) take (&in, 1) * 37, (gint8) take (&in, 1) * 37,
                              (gint8) take (&in, 1), (guint) take (&in, 1));
          break;
        case 10:
          dma_descriptor (p, &in);
          break;
        case 11:
          damaged_state (p, &in);
          break;
        case 12:
          bw_platform_reset (p);
          break;
        default:
          /* Writes anywhere in the port space now and then. */
          bw_io_bus_write (pio, (guint16) take (&in, 2), width, take (&in, width));
          break;
        }
    }
  bw_platform_free (p);
  return 0;
}
