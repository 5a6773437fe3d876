/* bw-vga.h: the standard VGA with Bochs VBE extensions (PCI 1234:1111,
 * class 0300), the card SeaVGABIOS's vgabios-stdvga.bin drives.
 *
 * Guest side:
 *   ports 0x3B0-0x3DF   misc output, sequencer, CRTC (with the protect bit),
 *                       graphics controller, attribute controller (flip-flop
 *                       reset by reading input status 1), DAC, input status
 *   ports 0x1CE/0x1CF   Bochs VBE index/data (ID 0xB0C0-0xB0C5)
 *   0xA0000-0xBFFFF     the legacy window (MMIO: the planar logic), as the
 *                       memory map select bits say
 *   BAR0                the linear framebuffer: all of VRAM as device RAM
 *                       (fast on both CPU backends), prefetchable, sized to
 *                       the power of two at or above VRAM
 *   BAR2                4 KiB MMIO mirror of ports 0x3C0-0x3DF (at 0x400) and
 *                       the VBE registers (at 0x500), as QEMU's stdvga
 *   ROM BAR             the VGA BIOS: SeaBIOS maps and runs it like any PCI
 *                       option ROM (not through fw_cfg "genroms/")
 *
 * Configuration (the device's node, devices/<id>/):
 *   vram-mb    integer 1-256 (default 16): VRAM in MiB
 *   rom        path of the VGA BIOS; "" for none. Default: the root's
 *              firmware/vgabios, else SeaBIOS's vgabios-stdvga.bin from the
 *              seabios folder (missing: an error naming Debian's seabios
 *              package)
 *
 * Front ends (headless screenshot, VM window) read the screen through a
 * client: bw_vga_client_update() re-renders what changed into the
 * device's 32-bit XRGB framebuffer and hands out the rectangles that
 * changed since that client's previous call, so an unchanged screen costs
 * a scan of the watched VRAM pages and no copy. VRAM written through the
 * window is tracked by page; the LFB is guest RAM that the CPU writes
 * without a trap, so while it is mapped the displayed pages are compared
 * with a shadow copy instead.
 *
 * Every function here takes the platform lock. The framebuffer pointer
 * stays valid and unchanged until the next update of any client on the
 * same device: a front end copies the dirty rectangles out right away.
 *
 * Saved state: the registers and all of VRAM (bw-vga.c says how). Only
 * one VGA can be realized per process at a time (legacy ports are
 * exclusive per machine anyway; see the saved-state note in bw-vga.c). */
#pragma once

#include <glib.h>
#include "vmm/bw-device.h"

G_BEGIN_DECLS

#pragma GCC visibility push(default)

#define BW_VGA_CLASS "vga"

#define BW_VGA_ERROR (bw_vga_error_quark ())
GQuark bw_vga_error_quark (void);

typedef enum
{
  BW_VGA_ERROR_CONFIG,   /* a bad configuration value */
  BW_VGA_ERROR_ROM,      /* the VGA BIOS cannot be used */
  BW_VGA_ERROR_NOT_TEXT, /* the screen is not in a text mode */
  BW_VGA_ERROR_PNG,      /* the PNG could not be made or written */
} BwVgaError;

typedef enum
{
  BW_VGA_MODE_BLANK,    /* screen off, palette access, no valid mode */
  BW_VGA_MODE_TEXT,     /* VGA text mode */
  BW_VGA_MODE_GRAPHICS, /* VGA planar, CGA or 256-colour mode */
  BW_VGA_MODE_VBE,      /* Bochs VBE mode */
} BwVgaModeKind;

typedef struct
{
  BwVgaModeKind kind;
  guint width, height; /* of the framebuffer, in pixels */
  guint bpp;           /* VBE: 4, 8, 15, 16, 24, 32; VGA: 4 or 8; text: 0 */
  guint cols, rows;    /* text modes */
} BwVgaModeInfo;

typedef struct
{
  int x, y, width, height;
} BwVgaRect;

typedef struct _BwVgaClient BwVgaClient;

/* A reader of the screen. Its first update reports the whole screen. */
BwVgaClient *bw_vga_client_new (BwDevice *vga);
void bw_vga_client_free (BwVgaClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwVgaClient, bw_vga_client_free)

/* Renders what changed and appends to rects (BwVgaRect) what changed
 * since this client's last call (the whole screen after a size change).
 * Returns TRUE when the size changed since this client's last call. */
gboolean bw_vga_client_update (BwVgaClient *client, GArray *rects);

/* The framebuffer after the last update: XRGB8888 pixels, stride in
 * pixels. */
const guint32 *bw_vga_get_framebuffer (BwDevice *vga, guint *width, guint *height, guint *stride);
void bw_vga_get_mode (BwDevice *vga, BwVgaModeInfo *info);

/* The text screen as UTF-8 (code page 437 mapped to Unicode), one line
 * per row ending in '\n', trailing blanks of each row removed. */
char *bw_vga_get_screen_text (BwDevice *vga, GError **error);

/* The current screen (brought up to date first) as a PNG. */
GBytes *bw_vga_get_png (BwDevice *vga, GError **error);
gboolean bw_vga_write_png (BwDevice *vga, const char *path, GError **error);

#pragma GCC visibility pop

G_END_DECLS
