/* main.c: `boxwood`, the manager window (or, with --startvm, a VM window). */
#define G_LOG_DOMAIN "boxwood-manager"
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/manager/bw-application.h"
#include "ui/manager/bw-manager-window.h"

/* `boxwood --startvm NAME|UUID [--headless]` opens only the machine's VM
 * window, as `VirtualBox --startvm` does: the VM process takes over with
 * the same arguments. Returns only when there is no --startvm. */
static int
maybe_become_vm_window (int argc, char **argv)
{
  gboolean wanted = FALSE;
  for (int i = 1; i < argc && !wanted; i++)
    wanted = strcmp (argv[i], "--startvm") == 0 || g_str_has_prefix (argv[i], "--startvm=");
  if (!wanted)
    return -1;
  g_autoptr (GError) error = NULL;
  g_autofree char *program = bw_manager_find_vm_program (&error);
  if (program == NULL)
    {
      fprintf (stderr, "boxwood: %s\n", error->message);
      return 1;
    }
  argv[0] = program;
  execv (program, argv);
  fprintf (stderr, "boxwood: %s: %s\n", program, g_strerror (errno));
  return 1;
}

int
main (int argc, char **argv)
{
  const char *localedir = g_getenv ("BOXWOOD_LOCALEDIR");
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir && *localedir ? localedir : BW_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  int vm_status = maybe_become_vm_window (argc, argv);
  if (vm_status >= 0)
    return vm_status;

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
