/* bw-png.h: a small PNG writer for screenshots (8-bit RGB, zlib through
 * GIO's GZlibCompressor, so no extra library). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* pixels: XRGB8888 (0x00RRGGBB), stride in pixels. A new PNG file image,
 * or NULL with an error. */
GBytes *bw_png_encode_xrgb (const guint32 *pixels, guint width, guint height, guint stride,
                            GError **error);

G_END_DECLS
