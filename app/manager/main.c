/* main.c: `boxwood`, the manager window. */
#define G_LOG_DOMAIN "boxwood-manager"
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "app/manager/bw-application.h"

int
main (int argc, char **argv)
{
  const char *localedir = g_getenv ("BOXWOOD_LOCALEDIR");
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir && *localedir ? localedir : BW_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_autoptr (BwApplication) app = bw_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
