/* hold-session.c: plays the VM process's part towards boxwood-svc for the
 * boxwood-manage tests: registers a session for a machine over the real
 * client library, reports a state, says "ready" and holds the session until
 * its stdin closes (then exits without reporting "poweroff").
 *
 *   hold-session MACHINE [STATE]        (STATE defaults to "running") */
#define G_LOG_DOMAIN "boxwood-test"
#include "config.h"

#include <stdio.h>

#include "app/main/client/bw-client.h"

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  char buf[64];

  if (argc < 2)
    {
      fprintf (stderr, "usage: hold-session MACHINE [STATE]\n");
      return 2;
    }
  g_autoptr (BwClient) client = bw_client_connect (&error);
  if (client == NULL)
    {
      fprintf (stderr, "hold-session: %s\n", error->message);
      return 1;
    }
  g_autofree char *address = g_strdup_printf ("unix:path=%s/no-such-session", g_get_tmp_dir ());
  g_autofree char *uuid = bw_client_register_session (client, argv[1], address, &error);
  if (uuid == NULL
      || !bw_client_set_session_state (client, argv[1], argc > 2 ? argv[2] : "running", &error))
    {
      fprintf (stderr, "hold-session: %s\n", error->message);
      return 1;
    }
  printf ("ready %s\n", uuid);
  fflush (stdout);
  while (fgets (buf, sizeof buf, stdin) != NULL)
    ;
  return 0;
}
