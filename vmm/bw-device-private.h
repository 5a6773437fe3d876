/* bw-device-private.h: device bookkeeping shared by bw-device.c and
 * bw-platform.c. */
#pragma once

#include "vmm/bw-device.h"

typedef struct _BwDevicePrivate
{
  guint order;       /* when it was added, for stable ordering */
  GPtrArray *timers; /* BwTimer, freed with the device */
  GPtrArray *irqs;   /* BwIrqLine sources, freed with the device */
  GPtrArray *opaques; /* opaque pointers its bus ranges were registered with */
} BwDevicePrivate;

BwDevice *bw_device_instance_new (const BwDeviceClass *klass, BwPlatform *platform,
                                  const char *id, BwConfig *config, guint order);
/* Unrealizes if needed, releases ranges, lines and timers, frees. */
void bw_device_instance_free (BwDevice *dev);
