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

  /* The manager draws lists and labels only: GTK's cairo renderer shows
   * its first frame about 0.8 s sooner than the GL renderer where GL is
   * software (llvmpipe), and no slower elsewhere. GSK_RENDERER=gl (or
   * any value) set by the user wins; the mark makes sure boxwood-vm,
   * whose display is a GtkGLArea, does not inherit the choice. */
  if (g_getenv ("GSK_RENDERER") == NULL)
    {
      g_setenv ("GSK_RENDERER", "cairo", TRUE);
      g_setenv ("BOXWOOD_MANAGER_SET_GSK_RENDERER", "1", TRUE);
    }

  g_autoptr (BwApplication) app = bw_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
