/* bw-firmware.c: the system BIOS in the memory map. */
#include "config.h"

#include <string.h>
#include "vmm/bw-firmware.h"

G_DEFINE_QUARK (bw-firmware-error-quark, bw_firmware_error)

char *
bw_firmware_seabios_path (const char *file_name)
{
  return g_build_filename (BW_SEABIOS_DIR, file_name, NULL);
}

gboolean
bw_firmware_map_bios (BwPlatform *platform, GBytes *image, GError **error)
{
  gsize size = g_bytes_get_size (image);
  const guint8 *data = g_bytes_get_data (image, NULL);

  if (size == 0 || size % 0x10000 != 0 || size > BW_FIRMWARE_MAX_SIZE)
    {
      g_set_error (error, BW_FIRMWARE_ERROR, BW_FIRMWARE_ERROR_INVALID,
                   "A BIOS image of %" G_GSIZE_FORMAT " bytes: it must be a whole number of "
                   "64 KiB blocks, at most 16 MiB",
                   size);
      return FALSE;
    }
  BwMemory *mem = bw_platform_get_memory (platform);
  gsize isa = MIN (size, (gsize) BW_FIRMWARE_ISA_BIOS_SIZE);
  BwMemoryRegion *high = bw_memory_add_rom (mem, "bios", BW_MEMORY_4G - size, data, size, error);
  if (!high)
    return FALSE;
  if (!bw_memory_add_rom (mem, "isa-bios", BW_MEMORY_PAM_END - isa, data + size - isa, isa, error))
    {
      bw_memory_remove_region (mem, high);
      return FALSE;
    }
  return TRUE;
}

gboolean
bw_firmware_load_bios (BwPlatform *platform, const char *path, GError **error)
{
  g_autofree char *default_path = NULL;
  if (!path)
    path = default_path = bw_firmware_seabios_path ("bios.bin");

  g_autoptr (GError) local = NULL;
  char *contents = NULL;
  gsize size = 0;
  if (!g_file_get_contents (path, &contents, &size, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, BW_FIRMWARE_ERROR, BW_FIRMWARE_ERROR_MISSING,
                     default_path ? "The SeaBIOS firmware %s is missing: install the Debian "
                                    "package “seabios”"
                                  : "The BIOS image %s does not exist",
                     path);
      else
        g_set_error (error, BW_FIRMWARE_ERROR, BW_FIRMWARE_ERROR_READ,
                     "Cannot read the BIOS image: %s", local->message);
      bw_log_printf (bw_platform_get_log (platform), "VMM", "Firmware: %s: %s", path,
                     local->message);
      return FALSE;
    }
  g_autoptr (GBytes) image = g_bytes_new_take (contents, size);
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, image);
  bw_log_printf (bw_platform_get_log (platform), "VMM",
                 "Firmware: %s, %" G_GSIZE_FORMAT " bytes, SHA-256 %s", path, size, sha);
  if (!bw_firmware_map_bios (platform, image, &local))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local), "%s: ", path);
      return FALSE;
    }
  return TRUE;
}
