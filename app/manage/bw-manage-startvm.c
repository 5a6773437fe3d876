/* bw-manage-startvm.c: `boxwood-manage startvm`: start a machine in its
 * own boxwood-vm process and wait until it runs. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage-client.h"
#include "app/manage/bw-manage-session.h"

static const char usage[] = "startvm NAME|UUID [--type gui|headless]\n";

static const char help[]
    = "Starts the machine in its own process (boxwood-vm) and returns once it runs.\n"
      "\n"
      "Options:\n"
      "  --type gui        In a window (the default).\n"
      "  --type headless   Without a window; control it with 'controlvm'.\n"
      "\n"
      "The VM program is $BOXWOOD_VM if set, else boxwood-vm next to boxwood-manage\n"
      "(or in the build tree), else boxwood-vm on PATH.\n";

/* How long a machine may take to report "running". */
#define START_TIMEOUT_MS 120000

static char *
find_vm_program (void)
{
  const char *env = g_getenv ("BOXWOOD_VM");
  if (env != NULL && *env != '\0')
    return g_strdup (env);
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  if (self != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self);
      const char *candidates[] = { "boxwood-vm", "../vm/boxwood-vm" };
      for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
        {
          g_autofree char *p = g_build_filename (dir, candidates[i], NULL);
          if (g_file_test (p, G_FILE_TEST_IS_EXECUTABLE))
            return g_canonicalize_filename (p, NULL);
        }
    }
  return g_find_program_in_path ("boxwood-vm");
}

/* In the child: its own session, so that it outlives us and our
 * terminal's signals. */
static void
child_setup (gpointer data)
{
  setsid ();
}

static void
print_vm_output (const char *err_path)
{
  g_autofree char *text = NULL;
  if (g_file_get_contents (err_path, &text, NULL, NULL) && *text != '\0')
    fputs (text, stderr);
}

static int
run (const BwManageCommand *cmd, BwManageArgs *args)
{
  static const char *const types[] = { "gui", "headless", "separate", NULL };
  const char *machine = NULL, *opt, *pos;
  guint type = 0;

  while (bw_manage_args_next (args, &opt, &pos))
    {
      if (pos != NULL)
        {
          if (machine != NULL)
            return bw_manage_args_unexpected (args, pos);
          machine = pos;
        }
      else if (strcmp (opt, "--type") == 0)
        {
          if (!bw_manage_args_choice (args, types, &type))
            return bw_manage_args_status (args);
        }
      else
        return bw_manage_args_unknown (args, opt);
    }
  if (machine == NULL)
    return bw_manage_args_missing (args, "the machine's name or UUID");

  g_autoptr (BwClient) client = bw_manage_connect ();
  if (client == NULL)
    return BW_MANAGE_EXIT_FAILURE;
  g_autoptr (GError) error = NULL;
  g_autoptr (BwClientSession) running = bw_manage_find_session (client, machine, &error);
  if (error != NULL)
    return bw_manage_client_error (error);
  if (running != NULL && g_strcmp0 (running->state, "poweroff") != 0
      && g_strcmp0 (running->state, "aborted") != 0)
    return bw_manage_error ("Machine '%s' is already %s (process %u)", machine, running->state,
                            running->pid);

  g_autofree char *vm = find_vm_program ();
  if (vm == NULL)
    return bw_manage_error ("Cannot find boxwood-vm (set BOXWOOD_VM to its path)");

  g_autofree char *err_path = NULL;
  int err_fd = g_file_open_tmp ("boxwood-startvm-XXXXXX", &err_path, &error);
  if (err_fd < 0)
    return bw_manage_gerror (error);
  int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  const char *argv[] = { vm, "--startvm", machine, type == 1 ? "--headless" : NULL, NULL };
  GPid pid = 0;
  /* stdin and stdout on /dev/null, stderr into the file we show if it
   * fails to start. */
  gboolean spawned = g_spawn_async_with_fds (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                             child_setup, NULL, &pid, null_fd, null_fd, err_fd,
                                             &error);
  close (err_fd);
  if (null_fd >= 0)
    close (null_fd);
  if (!spawned)
    {
      g_unlink (err_path);
      return bw_manage_error ("Cannot start %s: %s", vm, error->message);
    }

  /* Running, or the process's own words if it ends first. */
  int status = BW_MANAGE_EXIT_FAILURE;
  for (guint waited = 0;; waited += 50)
    {
      int wstatus = 0;
      if (waitpid (pid, &wstatus, WNOHANG) == pid)
        {
          print_vm_output (err_path);
          bw_manage_error ("Machine '%s' did not start: boxwood-vm %s %d", machine,
                           WIFEXITED (wstatus) ? "exited with status" : "was killed by signal",
                           WIFEXITED (wstatus) ? WEXITSTATUS (wstatus) : WTERMSIG (wstatus));
          break;
        }
      g_autoptr (BwClientSession) s = bw_manage_find_session (client, machine, NULL);
      if (s != NULL && s->pid == (guint) pid
          && (g_strcmp0 (s->state, "running") == 0 || g_strcmp0 (s->state, "paused") == 0))
        {
          printf ("Machine \"%s\" has been successfully started (process %d).\n", machine,
                  (int) pid);
          status = BW_MANAGE_EXIT_OK;
          break;
        }
      if (waited >= START_TIMEOUT_MS)
        {
          bw_manage_error ("Machine '%s' did not report running within %u s; it still starts "
                           "as process %d",
                           machine, START_TIMEOUT_MS / 1000, (int) pid);
          break;
        }
      g_usleep (50000);
    }
  /* The running process keeps writing to the file it has open. */
  g_unlink (err_path);
  return status;
}

const BwManageCommand bw_manage_cmd_startvm = {
  .name = "startvm",
  .summary = "Start a machine",
  .usage = usage,
  .help = help,
  .run = run,
};
