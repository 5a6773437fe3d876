/* test-svc-crash.c: SIGKILL the service at random moments while another
 * process changes machines in a loop (its client restarts the service
 * each time), then check that every settings file parses and validates
 * and that no registered machine was lost. */
#define G_LOG_DOMAIN "boxwood-test"

#include "config.h"

#include <string.h>
#include <sys/mman.h>

#include "app/main/bw-global-settings.h"
#include "app/main/bw-machine-settings.h"
#include "app/main/bw-settings-schema.h"
#include "bw-test.h"
#include "svc-test-util.h"

#define KEEP 4       /* machines that must survive */
#define KILLS 60

typedef struct {
  volatile gint ops;        /* changes the modifier saw succeed */
  volatile gint errors;     /* calls that failed for a reason other than the kill */
  volatile gint ready;      /* keep machines exist; uuids below are set */
  volatile gint stop;
  char uuids[KEEP][40];
  char last_error[512];
} Shared;

static SvcWorld world;

static void
setup (void)
{
  svc_world_init (&world, "30");
}

static void
teardown (void)
{
  svc_world_clear (&world);
}

/* A failure because the service was killed under the call is expected;
 * after a kill a call may also have been applied without its reply, which
 * makes a retried create or unregister of a scratch machine fail. */
static gboolean
expected_failure (const GError *e)
{
  return e->domain == BW_CLIENT_ERROR
         && (e->code == BW_CLIENT_ERROR_NO_SERVICE || e->code == BW_CLIENT_ERROR_DUPLICATE_NAME
             || e->code == BW_CLIENT_ERROR_UNKNOWN_MACHINE || e->code == BW_CLIENT_ERROR_EXISTS);
}

static void
modifier (Shared *sh)
{
  BwClient *c = NULL;
  GRand *rand = g_rand_new_with_seed (getpid ());
  guint scratch = 0;

  while (!sh->stop)
    {
      g_autoptr (GError) e = NULL;
      if (c == NULL && (c = bw_client_connect (&e)) == NULL)
        continue;

      gboolean ok;
      if (!sh->ready)
        {
          /* Make the machines that must survive; a kill may interrupt
           * this too, so retry until each is registered. */
          ok = TRUE;
          for (int i = 0; ok && i < KEEP; i++)
            {
              g_autofree char *name = g_strdup_printf ("keep%d", i);
              g_autofree char *uuid = bw_client_create_machine (c, name, NULL, NULL, TRUE, NULL, &e);
              if (uuid == NULL && g_error_matches (e, BW_CLIENT_ERROR, BW_CLIENT_ERROR_DUPLICATE_NAME))
                g_clear_error (&e);
              else if (uuid == NULL)
                ok = FALSE;
            }
          g_autoptr (GPtrArray) list = ok ? bw_client_list_machines (c, &e) : NULL;
          if (list != NULL)
            {
              for (guint i = 0; i < list->len; i++)
                {
                  BwClientMachine *m = g_ptr_array_index (list, i);
                  if (g_str_has_prefix (m->name, "keep"))
                    g_strlcpy (sh->uuids[m->name[4] - '0'], m->uuid, sizeof sh->uuids[0]);
                }
              sh->ready = 1;
            }
          ok = list != NULL;
        }
      else
        {
          int i = g_rand_int_range (rand, 0, KEEP);
          const char *uuid = sh->uuids[i];
          switch (g_rand_int_range (rand, 0, 5))
            {
            case 0:
            case 1:
              {
                g_autofree char *mem = g_strdup_printf ("%d", g_rand_int_range (rand, 64, 4096));
                g_autofree char *desc = g_strnfill (g_rand_int_range (rand, 0, 4000), 'd');
                const char *ch[] = { "memory", mem, "description", desc, "cpus", "2", NULL };
                ok = bw_client_modify_machine (c, uuid, ch, &e);
                break;
              }
            case 2:
              {
                /* Renames move folders: the hardest case for a crash. */
                g_autofree char *name = g_strdup_printf ("keep%d-%u", i, g_rand_int (rand) % 1000);
                const char *ch[] = { "name", name, NULL };
                ok = bw_client_modify_machine (c, uuid, ch, &e);
                break;
              }
            case 3:
              {
                g_autofree char *name = g_strdup_printf ("scratch%u", scratch++);
                g_autofree char *id = bw_client_create_machine (c, name, NULL, NULL, TRUE, NULL, &e);
                ok = id != NULL;
                break;
              }
            default:
              {
                g_autoptr (GPtrArray) list = bw_client_list_machines (c, &e);
                ok = list != NULL;
                for (guint k = 0; ok && k < list->len; k++)
                  {
                    BwClientMachine *m = g_ptr_array_index (list, k);
                    if (g_str_has_prefix (m->name, "scratch"))
                      {
                        ok = bw_client_unregister_machine (c, m->uuid, TRUE, &e);
                        break;
                      }
                  }
              }
            }
        }

      if (ok)
        g_atomic_int_inc (&sh->ops);
      else if (e != NULL && !expected_failure (e))
        {
          g_atomic_int_inc (&sh->errors);
          g_strlcpy (sh->last_error, e->message, sizeof sh->last_error);
        }
      if (e != NULL && g_error_matches (e, BW_CLIENT_ERROR, BW_CLIENT_ERROR_NO_SERVICE))
        g_clear_object (&c);
    }
  g_clear_object (&c);
  g_rand_free (rand);
}

static pid_t
service_pid_from_lock (void)
{
  g_autofree char *lock = svc_world_path (&world, "service.lock");
  g_autofree char *text = NULL;
  if (!g_file_get_contents (lock, &text, NULL, NULL))
    return 0;
  return (pid_t) g_ascii_strtoll (text, NULL, 10);
}

static void
check_settings_file (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BwMachineSettings) s = bw_machine_settings_load (path, &error);
  ck_assert_msg (s != NULL, "%s", error ? error->message : "");
  ck_assert_msg (!s->loaded_from_prev, "%s: only its -prev was readable", path);
  ck_assert_msg (bw_machine_settings_validate (s, &error), "%s", error ? error->message : "");
  ck_assert_msg (bw_settings_schema_validate_file (path, &error), "%s",
                 error ? error->message : "");
}

START_TEST (test_kill_while_modifying)
{
  Shared *sh = mmap (NULL, sizeof (Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                     -1, 0);
  ck_assert (sh != MAP_FAILED);
  memset (sh, 0, sizeof *sh);

  /* Forked before this process uses GDBus (a child cannot inherit its
   * worker thread). */
  pid_t child = fork ();
  ck_assert_int_ge (child, 0);
  if (child == 0)
    {
      modifier (sh);
      _exit (0);
    }

  for (int i = 0; i < 1000 && !sh->ready; i++)
    g_usleep (10000);
  ck_assert_msg (sh->ready, "the modifier never created its machines");

  GRand *rand = g_rand_new_with_seed (g_random_int ());
  int kills = 0;
  for (int k = 0; k < KILLS; k++)
    {
      /* Kill only after the modifier got work done since the last kill,
       * so the test proves progress and never just kills idle services. */
      gint before = g_atomic_int_get (&sh->ops);
      for (int w = 0; w < 2000 && g_atomic_int_get (&sh->ops) < before + 2; w++)
        g_usleep (5000);
      ck_assert_msg (g_atomic_int_get (&sh->ops) >= before + 2, "the modifier stalled");
      g_usleep (g_rand_int_range (rand, 0, 25000));
      pid_t pid = service_pid_from_lock ();
      if (pid > 0 && kill (pid, SIGKILL) == 0)
        kills++;
    }
  g_rand_free (rand);
  sh->stop = 1;
  int status;
  waitpid (child, &status, 0);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  ck_assert_msg (sh->errors == 0, "%d unexpected errors, last: %s", sh->errors, sh->last_error);
  ck_assert_int_ge (kills, KILLS / 2);

  /* A fresh service: it finishes an interrupted rename and lists every
   * machine readable. */
  g_autoptr (GError) error = NULL;
  BwClient *c = bw_client_connect (&error);
  ck_assert_msg (c != NULL, "%s", error ? error->message : "");
  g_autoptr (GPtrArray) list = bw_client_list_machines (c, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      BwClientMachine *m = g_ptr_array_index (list, i);
      ck_assert_msg (m->error == NULL, "%s: %s", m->name, m->error);
    }
  pid_t pid = svc_pid (c);
  g_object_unref (c);
  kill (pid, SIGTERM);
  ck_assert (svc_wait_gone (pid, 5000));

  /* Now on disk, with no service: boxwood.xml and every .bwvm. */
  g_autofree char *global_path = g_build_filename (world.config, "boxwood.xml", NULL);
  g_autoptr (BwGlobalSettings) global = bw_global_settings_load (global_path, &error);
  ck_assert_msg (global != NULL, "%s", error ? error->message : "");
  ck_assert (!global->loaded_from_prev);
  ck_assert_msg (bw_settings_schema_validate_file (global_path, &error), "%s",
                 error ? error->message : "");

  for (int i = 0; i < KEEP; i++)
    {
      BwMachineEntry *entry = bw_global_settings_find_machine (global, sh->uuids[i]);
      ck_assert_msg (entry != NULL, "machine keep%d {%s} was lost", i, sh->uuids[i]);
      g_autoptr (BwMachineSettings) s = bw_machine_settings_load (entry->path, &error);
      ck_assert_msg (s != NULL, "%s", error ? error->message : "");
      ck_assert_str_eq (s->uuid, sh->uuids[i]);
    }
  for (guint i = 0; i < global->machines->len; i++)
    check_settings_file (((BwMachineEntry *) g_ptr_array_index (global->machines, i))->path);

  /* Files of machines whose registration a kill cut short must parse too. */
  guint files = 0;
  g_autoptr (GDir) top = g_dir_open (world.machines, 0, &error);
  g_assert_no_error (error);
  const char *folder;
  while ((folder = g_dir_read_name (top)) != NULL)
    {
      g_autofree char *dir = g_build_filename (world.machines, folder, NULL);
      g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
      const char *name;
      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        if (g_str_has_suffix (name, ".bwvm"))
          {
            g_autofree char *path = g_build_filename (dir, name, NULL);
            check_settings_file (path);
            files++;
          }
    }
  ck_assert_uint_ge (files, KEEP);
  g_printerr ("# %d kills, %d changes, %u settings files checked\n", kills, sh->ops, files);
  munmap (sh, sizeof *sh);
}
END_TEST

static Suite *
crash_suite (void)
{
  Suite *s = suite_create ("svc-crash");
  TCase *tc = tcase_create ("crash");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_test (tc, test_kill_while_modifying);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (crash_suite ());
}
