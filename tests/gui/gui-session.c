/* gui-session.c: plays the VM process's part towards boxwood-svc for the
 * manager's GUI tests: registers a session for a machine over the real
 * client library, then reports each state read from stdin, one per line
 * ("running", "paused", ...), answering "ok STATE" or "error MESSAGE".
 * When stdin closes it exits without reporting "poweroff", which the
 * service records as "aborted" (a crashed VM process).
 *
 *   gui-session MACHINE */
#define G_LOG_DOMAIN "boxwood-test"
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "app/main/client/bw-client.h"

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  char line[128];

  if (argc != 2)
    {
      fprintf (stderr, "usage: gui-session MACHINE\n");
      return 2;
    }
  g_autoptr (BwClient) client = bw_client_connect (&error);
  if (client == NULL)
    {
      fprintf (stderr, "gui-session: %s\n", error->message);
      return 1;
    }
  g_autofree char *address = g_strdup_printf ("unix:path=%s/no-such-session", g_get_tmp_dir ());
  g_autofree char *uuid = bw_client_register_session (client, argv[1], address, &error);
  if (uuid == NULL)
    {
      fprintf (stderr, "gui-session: %s\n", error->message);
      return 1;
    }
  printf ("ready %s\n", uuid);
  fflush (stdout);
  while (fgets (line, sizeof line, stdin) != NULL)
    {
      g_strstrip (line);
      if (*line == '\0')
        continue;
      if (bw_client_set_session_state (client, argv[1], line, &error))
        printf ("ok %s\n", line);
      else
        {
          printf ("error %s\n", error->message);
          g_clear_error (&error);
        }
      fflush (stdout);
    }
  return 0;
}
