/* bw-png.c: PNG encoding of an XRGB framebuffer: signature, IHDR, one
 * IDAT with the zlib stream of the filtered rows, IEND; each chunk with
 * its CRC-32 (PNG specification, ISO/IEC 15948). */
#include "config.h"

#include <gio/gio.h>
#include <string.h>
#include "devices/display/bw-png.h"
#include "devices/display/bw-vga.h"

static guint32 crc_table[256];

static void
crc_init (void)
{
  static gsize done;
  if (g_once_init_enter (&done))
    {
      for (guint32 n = 0; n < 256; n++)
        {
          guint32 c = n;
          for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
          crc_table[n] = c;
        }
      g_once_init_leave (&done, 1);
    }
}

static guint32
crc_update (guint32 crc, const guint8 *p, gsize len)
{
  for (gsize i = 0; i < len; i++)
    crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

static void
put_u32 (GByteArray *out, guint32 v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };
  g_byte_array_append (out, b, 4);
}

static void
put_chunk (GByteArray *out, const char *type, const guint8 *data, gsize len)
{
  put_u32 (out, (guint32)len);
  gsize at = out->len;
  g_byte_array_append (out, (const guint8 *)type, 4);
  if (len)
    g_byte_array_append (out, data, (guint)len);
  guint32 crc = crc_update (0xffffffffu, out->data + at, len + 4) ^ 0xffffffffu;
  put_u32 (out, crc);
}

/* The rows with filter type 1 (Sub): screens have long runs of one
 * colour, which Sub turns into zeros. */
static guint8 *
filtered_rows (const guint32 *pixels, guint width, guint height, guint stride, gsize *len)
{
  gsize row = 1 + (gsize)width * 3;
  guint8 *raw = g_malloc (row * height);
  for (guint y = 0; y < height; y++)
    {
      guint8 *d = raw + row * y;
      const guint32 *src = pixels + (gsize)y * stride;
      d[0] = 1;
      guint8 prev[3] = { 0, 0, 0 };
      for (guint x = 0; x < width; x++)
        {
          guint8 rgb[3] = { src[x] >> 16, src[x] >> 8, src[x] };
          for (int k = 0; k < 3; k++)
            {
              d[1 + x * 3 + k] = (guint8)(rgb[k] - prev[k]);
              prev[k] = rgb[k];
            }
        }
    }
  *len = row * height;
  return raw;
}

GBytes *
bw_png_encode_xrgb (const guint32 *pixels, guint width, guint height, guint stride, GError **error)
{
  if (width == 0 || height == 0 || width > 0x7fffffff / 4 || height > 0x7fffffff / width)
    {
      g_set_error (error, BW_VGA_ERROR, BW_VGA_ERROR_PNG, "Cannot make a PNG of %ux%u pixels",
                   width, height);
      return NULL;
    }
  crc_init ();
  gsize raw_len;
  g_autofree guint8 *raw = filtered_rows (pixels, width, height, stride, &raw_len);

  g_autoptr (GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 6);
  g_autoptr (GByteArray) idat = g_byte_array_new ();
  gsize in_pos = 0;
  guint8 buf[65536];
  for (;;)
    {
      gsize read = 0, written = 0;
      GConverterResult r
          = g_converter_convert (G_CONVERTER (z), raw + in_pos, raw_len - in_pos, buf, sizeof buf,
                                 G_CONVERTER_INPUT_AT_END, &read, &written, error);
      if (r == G_CONVERTER_ERROR)
        return NULL;
      in_pos += read;
      g_byte_array_append (idat, buf, (guint)written);
      if (r == G_CONVERTER_FINISHED)
        break;
    }

  GByteArray *out = g_byte_array_new ();
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_byte_array_append (out, signature, 8);
  guint8 ihdr[13] = { width >> 24,
                      width >> 16,
                      width >> 8,
                      width,
                      height >> 24,
                      height >> 16,
                      height >> 8,
                      height,
                      8 /* bit depth */,
                      2 /* RGB */,
                      0,
                      0,
                      0 };
  put_chunk (out, "IHDR", ihdr, sizeof ihdr);
  put_chunk (out, "IDAT", idat->data, idat->len);
  put_chunk (out, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (out);
}
