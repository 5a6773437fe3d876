/* fuzz-vga-ports.c: libFuzzer target over the VGA with Bochs VBE.
 *
 * Each input builds a platform with the chipset and a VGA (1 MiB VRAM,
 * no BIOS) and plays the bytes as guest actions: VGA and VBE port writes
 * and reads, VBE register writes, accesses of 1-8 bytes anywhere in the
 * A0000-BFFFF window, PCI configuration writes to the VGA (BAR0, BAR2,
 * ROM BAR, command), accesses to the BAR2 register mirror, CPU writes to the LFB behind the
 * device's back and DMA into it, rendering through two clients, the text read-out, PNG export,
 * clock steps, resets and saved-state round trips with cut and damaged
 * copies. Anything the sanitizers catch is a bug.
 *
 *   CC=clang meson setup build-vga-fuzz -Dfuzzing=true
 *   ninja -C build-vga-fuzz tests/devices/display/fuzz-vga-ports
 *   build-vga-fuzz/tests/devices/display/fuzz-vga-ports -max_total_time=120 */
#include "config.h"

#include <string.h>
#include "devices/chipset/bw-chipset.h"
#include "devices/display/bw-vga.h"
#include "vmm/bw-platform.h"
#include "tests/bw-fuzz-stream.h"

static guint
vga_devfn (BwPlatform *p)
{
  guint64 v;
  for (guint devfn = 0; devfn < 256; devfn += 8)
    {
      v = 0x80000000u | (devfn << 8);
      bw_platform_pio (p, 0xcf8, &v, 4, TRUE);
      v = 0;
      bw_platform_pio (p, 0xcfc, &v, 4, FALSE);
      if (v == 0x11111234u)
        return devfn;
    }
  __builtin_trap ();
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
      gsize cut = state->len ? take (s, 3) % state->len : 0;
      if (bw_platform_load_state (p, state->data, cut, NULL))
        __builtin_trap ();
      bw_platform_load_state (p, state->data, state->len, NULL);
    }
  if (how & 2)
    {
      /* Damage among the registers (the first 4 KiB): it may load or
       * fail, never crash; after a failure the board is reset. */
      if (state->len)
        state->data[take (s, 2) % MIN (state->len, 4096)] ^= (guint8)take (s, 1);
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
  BwPlatform *p = bw_platform_new_test (16);
  BwConfig *config = bw_platform_get_config (p);
  bw_config_set_int (config, "devices/vga/vram-mb", 1);
  bw_config_set_string (config, "devices/vga/rom", "");
  if (!bw_chipset_add (p, NULL))
    __builtin_trap ();
  BwDevice *vga = bw_platform_add_device (p, BW_VGA_CLASS, "vga", NULL, NULL);
  if (!vga || !bw_platform_realize (p, NULL))
    __builtin_trap ();
  BwMemory *mem = bw_platform_get_memory (p);
  guint devfn = vga_devfn (p);
  BwVgaClient *clients[2] = { bw_vga_client_new (vga), bw_vga_client_new (vga) };
  GArray *rects = g_array_new (FALSE, FALSE, sizeof (BwVgaRect));
  guint32 lfb = 0;

  for (guint ops = 0; s.pos < s.len && ops < 4096; ops++)
    {
      guint op = take (&s, 1);
      guint64 v;
      static const guint sizes[] = { 1, 2, 4, 8 };
      switch (op % 16)
        {
          case 0:
          case 1:
          case 2:
            {
              guint16 port = 0x3b0 + take (&s, 1) % 0x30;
              v = take (&s, 1);
              bw_platform_pio (p, port, &v, (op >> 4) & 1 ? 2 : 1, TRUE);
              break;
            }
          case 3:
            {
              guint16 port = 0x3b0 + take (&s, 1) % 0x30;
              bw_platform_pio (p, port, &v, 1, FALSE);
              break;
            }
          case 4:
          case 5:
            {
              v = take (&s, 1) % 16;
              bw_platform_pio (p, 0x1ce, &v, 2, TRUE);
              v = take (&s, 2);
              bw_platform_pio (p, 0x1cf, &v, 2, TRUE);
              break;
            }
          case 6:
            if (op & 0x10)
              {
                /* BAR2, the register mirror (where case 11 may put it). */
                guint sz = sizes[(op >> 5) & 3];
                v = take (&s, 2);
                bw_platform_mmio (p, 0xfebf0000u + take (&s, 2) % 0x1000, &v, sz, (op & 0x80) != 0);
              }
            else
              bw_platform_pio (p, 0x1ce + take (&s, 1) % 3, &v, 2, FALSE);
            break;
          case 7:
          case 8:
          case 9:
            {
              guint sz = sizes[(op >> 4) & 3];
              v = ((guint64)take (&s, 4) << 32) | take (&s, 4);
              bw_platform_mmio (p, 0xa0000 + take (&s, 3) % 0x20000, &v, sz, TRUE);
              break;
            }
          case 10:
            bw_platform_mmio (p, 0xa0000 + take (&s, 3) % 0x20000, &v, sizes[(op >> 4) & 3], FALSE);
            break;
          case 11:
            {
              /* PCI config of the VGA: command, BAR0, ROM BAR. */
              static const guint regs[] = { 0x04, 0x10, 0x30, 0x18 };
              guint reg = regs[(op >> 4) & 3];
              v = 0x80000000u | (devfn << 8) | reg;
              bw_platform_pio (p, 0xcf8, &v, 4, TRUE);
              v = (op & 0x40) ? (reg == 0x18 ? 0xfebf0000u : 0xe0000000u) : take (&s, 4);
              if (reg == 0x04)
                v &= 0x7;
              bw_platform_pio (p, 0xcfc, &v, 4, TRUE);
              v = 0x80000010u | (devfn << 8);
              bw_platform_pio (p, 0xcf8, &v, 4, TRUE);
              bw_platform_pio (p, 0xcfc, &v, 4, FALSE);
              lfb = (guint32)v & ~0xfu;
              break;
            }
          case 12:
            {
              /* The CPU writes the LFB without a trap, or DMA does. */
              guint32 off = take (&s, 3) % (1u << 20);
              guint8 b = (guint8)take (&s, 1);
              guint8 *host = lfb ? bw_memory_get_host_range (mem, lfb + off, 1, TRUE) : NULL;
              if (host && (op & 0x10))
                *host = b;
              else if (lfb)
                bw_memory_write (mem, lfb + off, &b, 1);
              break;
            }
          case 13:
            g_array_set_size (rects, 0);
            bw_vga_client_update (clients[(op >> 4) & 1], rects);
            for (guint i = 0; i < rects->len; i++)
              {
                BwVgaRect *r = &g_array_index (rects, BwVgaRect, i);
                guint w, h, stride;
                const guint32 *fb = bw_vga_get_framebuffer (vga, &w, &h, &stride);
                if (r->x < 0 || r->y < 0 || r->width <= 0 || r->height <= 0
                    || (guint)(r->x + r->width) > w || (guint)(r->y + r->height) > h)
                  __builtin_trap ();
                /* Touch the corners: ASan checks they are inside. */
                volatile guint32 sink
                    = fb[(gsize)r->y * stride + r->x]
                      + fb[(gsize)(r->y + r->height - 1) * stride + r->x + r->width - 1];
                (void)sink;
              }
            break;
          case 14:
            {
              guint what = (op >> 4) & 7;
              if (what == 0)
                {
                  GBytes *png = bw_vga_get_png (vga, NULL);
                  g_clear_pointer (&png, g_bytes_unref);
                }
              else if (what < 4)
                {
                  g_free (bw_vga_get_screen_text (vga, NULL));
                }
              else if (what == 4)
                bw_platform_reset (p);
              else if (what == 5)
                state_round_trip (p, &s);
              else
                {
                  BwVgaModeInfo info;
                  bw_vga_get_mode (vga, &info);
                }
              break;
            }
          default:
            bw_platform_lock (p);
            bw_clock_step (bw_platform_get_clock (p), (gint64)take (&s, 2) * 100000);
            bw_platform_unlock (p);
            break;
        }
    }
  g_array_unref (rects);
  bw_vga_client_free (clients[0]);
  bw_vga_client_free (clients[1]);
  bw_platform_free (p);
  return 0;
}
