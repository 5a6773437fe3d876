/* bw-iso-label.c: ISO 9660 volume label and OS guess. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/manager/bw-iso-label.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK (bw - iso - error - quark, bw_iso_error)

/* ECMA-119: the volume descriptor set starts at logical sector 16 (2048
 * bytes each). A primary volume descriptor is type 1, "CD001", version 1;
 * the volume identifier is 32 d-characters at byte 40, padded with
 * blanks. */
#define ISO_SECTOR 2048
#define ISO_PVD_OFFSET (16 * ISO_SECTOR)
#define ISO_VOLUME_ID_OFFSET 40
#define ISO_VOLUME_ID_LEN 32
#define ISO_MAX_DESCRIPTORS 32

char *
bw_iso_read_volume_label (const char *path, GError **error)
{
  FILE *f = fopen (path, "rb");
  if (f == NULL)
    {
      int e = errno;
      g_set_error (error, BW_ISO_ERROR, BW_ISO_ERROR_IO, "%s: %s", path, g_strerror (e));
      return NULL;
    }
  guint8 sector[ISO_SECTOR];
  char *label = NULL;
  /* Walk the descriptor set until the terminator (type 255): the primary
   * descriptor is normally first, but a boot record may come before. */
  for (int i = 0; i < ISO_MAX_DESCRIPTORS && label == NULL; i++)
    {
      if (fseeko (f, (off_t)ISO_PVD_OFFSET + (off_t)i * ISO_SECTOR, SEEK_SET) != 0
          || fread (sector, 1, sizeof sector, f) != sizeof sector
          || memcmp (sector + 1, "CD001", 5) != 0 || sector[0] == 255)
        break;
      if (sector[0] != 1 || sector[6] != 1)
        continue;
      gsize len = ISO_VOLUME_ID_LEN;
      const char *id = (const char *)sector + ISO_VOLUME_ID_OFFSET;
      while (len > 0 && (id[len - 1] == ' ' || id[len - 1] == '\0'))
        len--;
      /* d-characters are ASCII; anything else is replaced, never trusted. */
      label = g_strndup (id, len);
      for (char *p = label; *p; p++)
        if ((guchar)*p < 0x20 || (guchar)*p > 0x7e)
          *p = '?';
    }
  fclose (f);
  if (label == NULL)
    g_set_error (error, BW_ISO_ERROR, BW_ISO_ERROR_NOT_ISO,
                 "%s: not an ISO 9660 image (no primary volume descriptor at sector 16)", path);
  return label;
}

typedef struct
{
  const char *word;  /* lower case, matched as a substring */
  const char *os_32; /* OS type id for 32-bit media */
  const char *os_64; /* ... and for 64-bit ones */
} Rule;

/* Most specific first. Labels seen on real media: "Debian 12.4.0 amd64 n",
 * "Ubuntu 22.04.3 LTS amd64", "Fedora-WS-Live-39-1-5", "ARCH_202401",
 * "CCCOMA_X64FRE_EN-US_DV9" (Windows 10/11), "FreeBSD_Install",
 * "GRUB2_RESCUE" style labels say nothing. */
static const Rule rules[] = {
  { "debian", "Debian", "Debian_64" },
  { "ubuntu", "Ubuntu", "Ubuntu_64" },
  { "fedora", "Fedora", "Fedora_64" },
  { "arch", "ArchLinux", "ArchLinux_64" },
  { "opensuse", "OpenSUSE", "OpenSUSE_64" },
  { "freebsd", "FreeBSD", "FreeBSD_64" },
  { "openbsd", "OpenBSD", "OpenBSD_64" },
  { "netbsd", "NetBSD", "NetBSD_64" },
  { "cccoma", "Windows10", "Windows10_64" },
  { "win10", "Windows10", "Windows10_64" },
  { "win11", "Windows11_64", "Windows11_64" },
  { "win7", "Windows7", "Windows7_64" },
  { "freedos", "DOS", "DOS" },
  { "fd13", "DOS", "DOS" },
  { "linux", "Linux26", "Linux26_64" },
};

const char *
bw_iso_guess_os_type (const char *label)
{
  if (label == NULL || *label == '\0')
    return NULL;
  g_autofree char *low = g_ascii_strdown (label, -1);
  gboolean is_64 = strstr (low, "amd64") || strstr (low, "x86_64") || strstr (low, "x64")
                   || strstr (low, "64bit") || strstr (low, "_64");
  for (gsize i = 0; i < G_N_ELEMENTS (rules); i++)
    if (strstr (low, rules[i].word) != NULL)
      return is_64 ? rules[i].os_64 : rules[i].os_32;
  return NULL;
}
