/* fuzz-settings.c: libFuzzer target for the settings loaders.
 *
 * Feeds the bytes to the machine settings loader and to the boxwood.xml
 * loader. Whatever loads must write back and load again to the same
 * settings (the round trip the service relies on), and nothing may crash
 * or leak. Build: CC=clang meson setup build-fuzz -Dfuzzing=true
 * -Dgui=disabled && ninja -C build-fuzz tests/main/fuzz-settings; run:
 * build-fuzz/tests/main/fuzz-settings -max_total_time=120
 * tests/main/corpus-settings */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib.h>

#include "app/main/bw-global-settings.h"
#include "app/main/bw-machine-settings.h"

static void
check_machine (const char *data, size_t size)
{
  GError *error = NULL;
  BwMachineSettings *s = bw_machine_settings_load_from_data (data, size, "fuzz.bwvm", &error);
  if (s == NULL)
    {
      /* Every failure must say what and where. */
      if (error == NULL || error->message == NULL || !g_str_has_prefix (error->message, "fuzz.bwvm"))
        abort ();
      g_error_free (error);
      return;
    }
  gsize len = 0;
  char *text = bw_machine_settings_to_data (s, &len);
  BwMachineSettings *back = bw_machine_settings_load_from_data (text, len, "again.bwvm", &error);
  if (back == NULL)
    {
      fprintf (stderr, "rewritten settings do not load: %s\n%s\n", error->message, text);
      abort ();
    }
  if (!bw_machine_settings_equal (s, back))
    {
      fprintf (stderr, "round trip changed the settings:\n%s\n", text);
      abort ();
    }
  g_free (text);
  bw_machine_settings_free (back);
  bw_machine_settings_free (s);
}

static void
check_global (const char *data, size_t size)
{
  GError *error = NULL;
  BwGlobalSettings *g = bw_global_settings_load_from_data (data, size, "/fuzz/boxwood.xml", &error);
  if (g == NULL)
    {
      if (error == NULL || !g_str_has_prefix (error->message, "/fuzz/boxwood.xml"))
        abort ();
      g_error_free (error);
      return;
    }
  gsize len = 0;
  char *text = bw_global_settings_to_data (g, &len);
  BwGlobalSettings *back = bw_global_settings_load_from_data (text, len, "/fuzz/boxwood.xml", &error);
  if (back == NULL)
    {
      fprintf (stderr, "rewritten boxwood.xml does not load: %s\n%s\n", error->message, text);
      abort ();
    }
  if (!bw_global_settings_equal (g, back))
    {
      fprintf (stderr, "round trip changed boxwood.xml:\n%s\n", text);
      abort ();
    }
  g_free (text);
  bw_global_settings_free (back);
  bw_global_settings_free (g);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  check_machine ((const char *) data, size);
  check_global ((const char *) data, size);
  return 0;
}
