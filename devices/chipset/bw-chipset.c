/* bw-chipset.c: adds the PC chipset devices to a platform. */
#include "config.h"

#include "devices/chipset/bw-chipset.h"

gboolean
bw_chipset_add (BwPlatform *platform, GError **error)
{
  static const struct
  {
    const char *id, *klass;
  } set[] = {
    { "i440fx", "i440fx" },     { "piix3", "piix3" },      { "pic", "pic-i8259" },
    { "pit", "pit-i8254" },     { "rtc", "rtc-mc146818" }, { "port92", "port92" },
    { "debugcon", "debugcon" }, { "debuge9", "debugcon" },
  };
  BwConfig *e9 = bw_config_ensure_child (bw_platform_get_config (platform), "devices/debuge9");
  if (!bw_config_has (e9, "port"))
    bw_config_set_int (e9, "port", 0xe9);
  for (guint i = 0; i < G_N_ELEMENTS (set); i++)
    if (!bw_platform_add_device (platform, set[i].klass, set[i].id, NULL, error))
      return FALSE;
  return TRUE;
}
