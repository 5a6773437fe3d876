/* svc-test-util.h: a private world for each service test.
 *
 * Every test gets temporary HOME, BOXWOOD_USER_HOME and XDG_RUNTIME_DIR,
 * and BOXWOOD_SVC pointing at the built boxwood-svc, so that the client
 * library autostarts a real service that touches nothing outside. */
#pragma once

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/main/client/bw-client.h"
#include "app/main/client/bw-runtime-dir.h"

typedef struct {
  char *root;
  char *home;
  char *config;
  char *runtime;
  char *machines;   /* "$HOME/Boxwood VMs" */
} SvcWorld;

static inline void
svc_world_init (SvcWorld *w, const char *idle_timeout)
{
  const char *build = g_getenv ("BW_BUILD_ROOT");
  g_assert_nonnull (build);
  w->root = g_dir_make_tmp ("bw-svc-test-XXXXXX", NULL);
  g_assert_nonnull (w->root);
  w->home = g_build_filename (w->root, "home", NULL);
  w->config = g_build_filename (w->root, "config", NULL);
  w->runtime = g_build_filename (w->root, "run", NULL);
  w->machines = g_build_filename (w->home, "Boxwood VMs", NULL);
  g_mkdir_with_parents (w->home, 0700);
  g_mkdir_with_parents (w->runtime, 0700);
  g_setenv ("HOME", w->home, TRUE);
  g_setenv ("BOXWOOD_USER_HOME", w->config, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", w->runtime, TRUE);
  g_setenv ("XDG_CONFIG_HOME", w->config, TRUE);
  g_setenv ("BOXWOOD_SVC_IDLE_TIMEOUT", idle_timeout, TRUE);
  g_autofree char *svc = g_build_filename (build, "app", "svc", "boxwood-svc", NULL);
  g_setenv ("BOXWOOD_SVC", svc, TRUE);
}

static inline char *
svc_world_path (SvcWorld *w, const char *relative)
{
  return g_build_filename (w->runtime, "boxwood", relative, NULL);
}

/* The pid of the service a client is connected to. */
static inline pid_t
svc_pid (BwClient *client)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) props = bw_client_get_system_properties (client, &error);
  g_assert_no_error (error);
  const char *pid = g_hash_table_lookup (props, "pid");
  g_assert_nonnull (pid);
  return (pid_t) g_ascii_strtoll (pid, NULL, 10);
}

static inline gboolean
svc_process_alive (pid_t pid)
{
  /* The service is not our child (double fork), so kill(0) tells; a dead
   * one that nobody reaped yet (a zombie) counts as gone. */
  if (kill (pid, 0) != 0 && errno == ESRCH)
    return FALSE;
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return FALSE;
  const char *paren = strrchr (stat, ')');
  return paren == NULL || (paren[1] != '\0' && paren[2] != 'Z' && paren[2] != 'X');
}

/* Waits (bounded, generously) until pid is gone. */
static inline gboolean
svc_wait_gone (pid_t pid, guint max_ms)
{
  for (guint waited = 0; waited < max_ms; waited += 10)
    {
      if (!svc_process_alive (pid))
        return TRUE;
      g_usleep (10000);
    }
  return !svc_process_alive (pid);
}

/* Stops the world's service (if one runs) and removes the folders. */
static inline void
svc_world_clear (SvcWorld *w)
{
  g_autoptr (BwClient) c = bw_client_connect_full (BW_CLIENT_FLAGS_NO_AUTOSTART, NULL, NULL);
  if (c != NULL)
    {
      pid_t pid = svc_pid (c);
      g_clear_object (&c);
      kill (pid, SIGTERM);
      svc_wait_gone (pid, 5000);
    }
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", w->root);
  (void) !system (cmd);
  g_free (w->root);
  g_free (w->home);
  g_free (w->config);
  g_free (w->runtime);
  g_free (w->machines);
}

/* Runs the default main context until *flag is set or max_ms passed. */
static inline gboolean
svc_wait_flag (gboolean *flag, guint max_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) max_ms * 1000;
  while (!*flag && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  return *flag;
}
