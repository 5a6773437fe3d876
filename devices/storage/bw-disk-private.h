/* bw-disk-private.h: BwDisk's insides, shared by bw-disk.c and
 * bw-disk-clone.c. */
#pragma once

#include "devices/storage/bw-disk.h"
#include "devices/storage/bw-raw-image.h"
#include "devices/storage/bw-vdi.h"

G_BEGIN_DECLS

struct _BwDisk
{
  gatomicrefcount ref;
  GMutex lock; /* serialises every access to vdi / raw */
  char *path;
  BwDiskFormat format;
  BwDiskOpenFlags flags;
  BwVdi *vdi;
  BwRawImage *raw;
  BwDisk *parent; /* owned reference; differencing VDI only */
};

G_END_DECLS
