/* test-svc.c: boxwood-svc and its client library, end to end: a real
 * service autostarted in a private world per test. */
#define G_LOG_DOMAIN "boxwood-test"

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "app/main/bw-global-settings.h"
#include "app/main/bw-machine-settings.h"
#include "app/main/bw-settings-schema.h"
#include "bw-test.h"
#include "devices/storage/bw-disk.h"
#include "svc-test-util.h"

static SvcWorld world;

static void
setup (void)
{
  svc_world_init (&world, "10");
}

static void
teardown (void)
{
  svc_world_clear (&world);
}

static BwClient *
connect_ok (void)
{
  g_autoptr (GError) error = NULL;
  BwClient *c = bw_client_connect (&error);
  ck_assert_msg (c != NULL, "connect: %s", error ? error->message : "?");
  return c;
}

static char *
create_ok (BwClient *c, const char *name)
{
  g_autoptr (GError) error = NULL;
  char *uuid = bw_client_create_machine (c, name, "Debian_64", NULL, TRUE, NULL, &error);
  ck_assert_msg (uuid != NULL, "create %s: %s", name, error ? error->message : "?");
  return uuid;
}

static BwMachineSettings *
settings_of (BwClient *c, const char *machine)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *xml = bw_client_get_machine_settings (c, machine, NULL, NULL, &error);
  ck_assert_msg (xml != NULL, "settings of %s: %s", machine, error ? error->message : "?");
  BwMachineSettings *s = bw_machine_settings_load_from_data (xml, strlen (xml), machine, &error);
  ck_assert_msg (s != NULL, "parse: %s", error ? error->message : "?");
  return s;
}

START_TEST (test_autostart)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sock = svc_world_path (&world, "service");

  /* No service yet: a client that may not start one fails clearly. */
  BwClient *none = bw_client_connect_full (BW_CLIENT_FLAGS_NO_AUTOSTART, NULL, &error);
  ck_assert_ptr_null (none);
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_NO_SERVICE));
  ck_assert_msg (strstr (error->message, sock) != NULL, "%s", error->message);
  ck_assert (!g_file_test (sock, G_FILE_TEST_EXISTS));

  g_autoptr (BwClient) c = connect_ok ();
  g_autofree char *version = bw_client_get_version (c, &error);
  ck_assert_str_eq (version, PACKAGE_VERSION);
  ck_assert (g_file_test (sock, G_FILE_TEST_EXISTS));

  /* The runtime folder is private. */
  g_autofree char *dir = g_path_get_dirname (sock);
  struct stat st;
  ck_assert_int_eq (stat (dir, &st), 0);
  ck_assert_int_eq (st.st_mode & 0777, 0700);

  pid_t pid = svc_pid (c);
  ck_assert (svc_process_alive (pid));

  /* A second client finds the same service. */
  g_autoptr (BwClient) d = bw_client_connect_full (BW_CLIENT_FLAGS_NO_AUTOSTART, NULL, &error);
  ck_assert_ptr_nonnull (d);
  ck_assert_int_eq (svc_pid (d), pid);
}
END_TEST

START_TEST (test_fallback_runtime_dir)
{
  /* Without XDG_RUNTIME_DIR the socket goes to /tmp/boxwood-$UID; check
   * only the path choice (another user's service might live there). */
  g_autofree char *saved = g_strdup (g_getenv ("XDG_RUNTIME_DIR"));
  g_unsetenv ("XDG_RUNTIME_DIR");
  g_autofree char *expected = g_strdup_printf ("/tmp/boxwood-%u", (unsigned) getuid ());
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = bw_runtime_dir_get (&error);
  g_assert_no_error (error);
  ck_assert_str_eq (dir, expected);
  g_setenv ("XDG_RUNTIME_DIR", saved, TRUE);
}
END_TEST

#define RACERS 4

START_TEST (test_concurrent_start)
{
  /* Several clients start at the same moment: each may spawn a service,
   * but all of them must end up talking to one. */
  int fds[2];
  ck_assert_int_eq (pipe (fds), 0);
  pid_t kids[RACERS];
  for (int i = 0; i < RACERS; i++)
    {
      kids[i] = fork ();
      ck_assert_int_ge (kids[i], 0);
      if (kids[i] == 0)
        {
          close (fds[0]);
          g_autoptr (GError) error = NULL;
          BwClient *c = bw_client_connect (&error);
          int pid = c ? (int) svc_pid (c) : -1;
          (void) !write (fds[1], &pid, sizeof pid);
          g_usleep (200000);
          _exit (c ? 0 : 1);
        }
    }
  close (fds[1]);
  int pids[RACERS];
  for (int i = 0; i < RACERS; i++)
    ck_assert_int_eq (read (fds[0], &pids[i], sizeof pids[i]), sizeof pids[i]);
  for (int i = 0; i < RACERS; i++)
    {
      int status;
      waitpid (kids[i], &status, 0);
      ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0);
      ck_assert_int_gt (pids[i], 0);
      ck_assert_int_eq (pids[i], pids[0]);
    }
  close (fds[0]);

  g_autoptr (BwClient) c = connect_ok ();
  ck_assert_int_eq (svc_pid (c), pids[0]);
}
END_TEST

typedef struct {
  gboolean registered, changed, unregistered, props;
  char *uuid;
} Seen;

static void
on_registered (BwClient *c, const char *uuid, const char *name, Seen *seen)
{
  seen->registered = TRUE;
  g_free (seen->uuid);
  seen->uuid = g_strdup (uuid);
}

static void
on_changed (BwClient *c, const char *uuid, Seen *seen)
{
  if (g_strcmp0 (uuid, seen->uuid) == 0)
    seen->changed = TRUE;
}

static void
on_unregistered (BwClient *c, const char *uuid, Seen *seen)
{
  if (g_strcmp0 (uuid, seen->uuid) == 0)
    seen->unregistered = TRUE;
}

static void
on_props (BwClient *c, Seen *seen)
{
  seen->props = TRUE;
}

START_TEST (test_changes_reach_other_client)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BwClient) a = connect_ok ();
  g_autoptr (BwClient) b = connect_ok ();
  Seen seen = { 0 };
  g_signal_connect (b, "machine-registered", G_CALLBACK (on_registered), &seen);
  g_signal_connect (b, "machine-changed", G_CALLBACK (on_changed), &seen);
  g_signal_connect (b, "machine-unregistered", G_CALLBACK (on_unregistered), &seen);
  g_signal_connect (b, "system-properties-changed", G_CALLBACK (on_props), &seen);

  g_autofree char *path = NULL;
  g_autofree char *uuid =
      bw_client_create_machine (a, "Alpha", "Debian_64", NULL, TRUE, &path, &error);
  g_assert_no_error (error);
  g_autofree char *expected = g_build_filename (world.machines, "Alpha", "Alpha.bwvm", NULL);
  ck_assert_str_eq (path, expected);
  ck_assert (svc_wait_flag (&seen.registered, 5000));
  ck_assert_str_eq (seen.uuid, uuid);

  g_autoptr (GPtrArray) list = bw_client_list_machines (b, &error);
  g_assert_no_error (error);
  ck_assert_int_eq (list->len, 1);
  BwClientMachine *m = g_ptr_array_index (list, 0);
  ck_assert_str_eq (m->uuid, uuid);
  ck_assert_str_eq (m->name, "Alpha");
  ck_assert_str_eq (m->state, "poweroff");
  ck_assert_ptr_null (m->error);

  const char *changes[] = { "memory", "768", "cpus", "2", "description", "two words",
                            "boot1", "disk", "uart1", "0x3f8 4", "uartmode1", "file /tmp/x y",
                            NULL };
  ck_assert (bw_client_modify_machine (a, uuid, changes, &error));
  g_assert_no_error (error);
  ck_assert (svc_wait_flag (&seen.changed, 5000));

  /* Seen by the other client, and on disk, valid against the schema. */
  g_autoptr (BwMachineSettings) s = settings_of (b, "Alpha");
  ck_assert_uint_eq (s->hardware->memory_mib, 768);
  ck_assert_uint_eq (s->hardware->cpu_count, 2);
  ck_assert_str_eq (s->description, "two words");
  ck_assert_int_eq (s->hardware->boot_order[0], BW_BOOT_DEVICE_DISK);
  ck_assert (s->hardware->serial_ports[0].enabled);
  ck_assert_int_eq (s->hardware->serial_ports[0].mode, BW_SERIAL_MODE_FILE);
  ck_assert_str_eq (s->hardware->serial_ports[0].path, "/tmp/x y");
  g_autoptr (BwMachineSettings) on_disk = bw_machine_settings_load (path, &error);
  g_assert_no_error (error);
  ck_assert_uint_eq (on_disk->hardware->memory_mib, 768);
  ck_assert_msg (bw_settings_schema_validate_file (path, &error), "%s",
                 error ? error->message : "");

  /* System properties: change and signal. */
  g_autofree char *folder = g_build_filename (world.root, "elsewhere", NULL);
  ck_assert (bw_client_set_system_property (a, "machinefolder", folder, &error));
  ck_assert (svc_wait_flag (&seen.props, 5000));
  g_autoptr (GHashTable) props = bw_client_get_system_properties (b, &error);
  ck_assert_str_eq (g_hash_table_lookup (props, "machinefolder"), folder);

  ck_assert (bw_client_unregister_machine (a, "Alpha", TRUE, &error));
  g_assert_no_error (error);
  ck_assert (svc_wait_flag (&seen.unregistered, 5000));
  ck_assert (!g_file_test (path, G_FILE_TEST_EXISTS));
  g_autoptr (GPtrArray) after = bw_client_list_machines (b, &error);
  ck_assert_int_eq (after->len, 0);
  g_free (seen.uuid);
}
END_TEST

START_TEST (test_idle_exit)
{
  g_setenv ("BOXWOOD_SVC_IDLE_TIMEOUT", "0.2", TRUE);
  g_autofree char *sock = svc_world_path (&world, "service");
  BwClient *c = connect_ok ();
  pid_t pid = svc_pid (c);
  g_object_unref (c);

  /* Gone soon after the last client left, and its socket with it. */
  ck_assert (svc_wait_gone (pid, 10000));
  ck_assert (!g_file_test (sock, G_FILE_TEST_EXISTS));

  /* The next client starts a fresh one. */
  g_autoptr (BwClient) d = connect_ok ();
  ck_assert_int_ne (svc_pid (d), pid);
}
END_TEST

START_TEST (test_stays_while_clients_remain)
{
  g_setenv ("BOXWOOD_SVC_IDLE_TIMEOUT", "0.1", TRUE);
  g_autoptr (BwClient) a = connect_ok ();
  pid_t pid = svc_pid (a);
  BwClient *b = connect_ok ();
  g_object_unref (b);
  /* Ten idle timeouts later, still serving a. */
  g_usleep (1000000);
  ck_assert (svc_process_alive (pid));
  ck_assert_int_eq (svc_pid (a), pid);
}
END_TEST

START_TEST (test_errors)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BwClient) c = connect_ok ();
  g_autofree char *uuid = create_ok (c, "Beta");

  ck_assert_ptr_null (bw_client_get_machine_settings (c, "Nope", NULL, NULL, &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_UNKNOWN_MACHINE));
  ck_assert_str_eq (error->message, "unknown machine 'Nope'");
  g_clear_error (&error);

  ck_assert_ptr_null (bw_client_create_machine (c, "Beta", NULL, NULL, TRUE, NULL, &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_DUPLICATE_NAME));
  ck_assert_msg (strstr (error->message, "'Beta'") != NULL, "%s", error->message);
  g_clear_error (&error);

  ck_assert_ptr_null (bw_client_create_machine (c, "a/b", NULL, NULL, TRUE, NULL, &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);

  ck_assert_ptr_null (bw_client_create_machine (c, "G", "NoSuchOS", NULL, TRUE, NULL, &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT));
  ck_assert_msg (strstr (error->message, "NoSuchOS") != NULL, "%s", error->message);
  g_clear_error (&error);

  /* All or nothing: the good memory change is not applied either. */
  const char *bad[] = { "memory", "256", "cpus", "999", NULL };
  ck_assert (!bw_client_modify_machine (c, "Beta", bad, &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT));
  ck_assert_msg (g_str_has_prefix (error->message, "cpus: "), "%s", error->message);
  g_clear_error (&error);
  g_autoptr (BwMachineSettings) s = settings_of (c, uuid);
  ck_assert_uint_ne (s->hardware->memory_mib, 256);

  const char *unknown[] = { "warp", "9", NULL };
  ck_assert (!bw_client_modify_machine (c, "Beta", unknown, &error));
  ck_assert_str_eq (error->message, "unknown setting 'warp'");
  g_clear_error (&error);

  const char *relative[] = { "kernel", "vmlinuz", NULL };
  ck_assert (!bw_client_modify_machine (c, "Beta", relative, &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);

  g_autofree char *missing = g_build_filename (world.root, "missing.bwvm", NULL);
  ck_assert_ptr_null (bw_client_register_machine (c, missing, &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_NOT_FOUND));
  g_clear_error (&error);

  ck_assert (!bw_client_set_system_property (c, "color", "blue", &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);

  ck_assert (!bw_client_unregister_machine (c, "Nope", FALSE, &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_UNKNOWN_MACHINE));
  g_clear_error (&error);

  /* Rename onto a registered name. */
  g_free (create_ok (c, "Gamma"));
  const char *dup[] = { "name", "Gamma", NULL };
  ck_assert (!bw_client_modify_machine (c, "Beta", dup, &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_DUPLICATE_NAME));
}
END_TEST

START_TEST (test_rename_moves_folder)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BwClient) c = connect_ok ();
  g_autofree char *uuid = create_ok (c, "Old");
  g_autofree char *old_dir = g_build_filename (world.machines, "Old", NULL);
  g_autofree char *disk = g_build_filename (old_dir, "Old.vdi", NULL);
  BwDisk *d = bw_disk_create (disk, BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC, 1 << 20, &error);
  g_assert_no_error (error);
  bw_disk_close (d);
  g_autofree char *attach = g_strconcat ("hdd ", disk, NULL);
  const char *att[] = { "storageattach:IDE:0:0", attach, NULL };
  ck_assert_msg (bw_client_modify_machine (c, uuid, att, &error), "%s",
                 error ? error->message : "");

  const char *ren[] = { "name", "New", NULL };
  ck_assert_msg (bw_client_modify_machine (c, "Old", ren, &error), "%s",
                 error ? error->message : "");

  g_autofree char *new_file = g_build_filename (world.machines, "New", "New.bwvm", NULL);
  g_autofree char *new_disk = g_build_filename (world.machines, "New", "Old.vdi", NULL);
  ck_assert (g_file_test (new_file, G_FILE_TEST_IS_REGULAR));
  ck_assert (!g_file_test (old_dir, G_FILE_TEST_EXISTS));

  g_autoptr (GPtrArray) list = bw_client_list_machines (c, &error);
  BwClientMachine *m = g_ptr_array_index (list, 0);
  ck_assert_str_eq (m->name, "New");
  ck_assert_str_eq (m->settings_path, new_file);

  /* The disk moved with the folder, and the settings and media registry
   * follow it. */
  g_autoptr (BwMachineSettings) s = settings_of (c, "New");
  BwStorageController *ide = bw_hardware_find_controller (s->hardware, "IDE");
  ck_assert_str_eq (bw_storage_controller_find (ide, 0, 0)->medium, new_disk);
  g_autoptr (GPtrArray) media = bw_client_list_media (c, "hdd", &error);
  ck_assert_int_eq (media->len, 1);
  BwClientMedium *md = g_ptr_array_index (media, 0);
  ck_assert_str_eq (md->location, new_disk);
  ck_assert_ptr_null (md->error);
}
END_TEST

START_TEST (test_broken_file_listed)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BwClient) c = connect_ok ();
  g_free (create_ok (c, "Good"));
  g_autofree char *bad_uuid = NULL;
  g_autofree char *bad_path = NULL;
  bad_uuid = bw_client_create_machine (c, "Bad", NULL, NULL, TRUE, &bad_path, &error);
  g_assert_no_error (error);

  /* Truncate the file behind the service's back, as a crash of an editor
   * might; its -prev goes too so nothing can stand in for it. */
  g_autofree char *prev = g_strconcat (bad_path, "-prev", NULL);
  g_unlink (prev);
  ck_assert (g_file_set_contents (bad_path, "<?xml version=\"1.0\"?>\n<BoxwoodMachine", -1, NULL));

  g_autoptr (GPtrArray) list = bw_client_list_machines (c, &error);
  g_assert_no_error (error);
  ck_assert_int_eq (list->len, 2);
  BwClientMachine *good = g_ptr_array_index (list, 0);
  BwClientMachine *bad = g_ptr_array_index (list, 1);
  ck_assert_str_eq (good->name, "Good");
  ck_assert_ptr_null (good->error);
  ck_assert_str_eq (bad->uuid, bad_uuid);
  ck_assert_ptr_nonnull (bad->error);
  ck_assert_msg (strstr (bad->error, bad_path) != NULL, "%s", bad->error);

  ck_assert_ptr_null (bw_client_get_machine_settings (c, bad_uuid, NULL, NULL, &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BROKEN_SETTINGS));
}
END_TEST

static void
on_state (BwClient *c, const char *uuid, const char *state, GPtrArray *states)
{
  g_ptr_array_add (states, g_strdup (state));
}

static gboolean
has_state (GPtrArray *states, const char *state, guint max_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) max_ms * 1000;
  for (;;)
    {
      for (guint i = 0; i < states->len; i++)
        if (g_str_equal (g_ptr_array_index (states, i), state))
          return TRUE;
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
}

START_TEST (test_session_killed_is_aborted)
{
  g_autoptr (GError) error = NULL;

  /* A stand-in VM process: registers its session, says it runs, then is
   * killed without a word. Forked before this process starts GDBus's
   * worker thread, which a child could not use. */
  int go[2];
  ck_assert_int_eq (pipe (go), 0);
  pid_t vm = fork ();
  if (vm == 0)
    {
      close (go[1]);
      char b;
      if (read (go[0], &b, 1) != 1)
        _exit (3);
      g_autoptr (GError) e = NULL;
      BwClient *v = bw_client_connect (&e);
      g_autoptr (GPtrArray) list = v ? bw_client_list_machines (v, &e) : NULL;
      if (list == NULL || list->len != 1)
        _exit (1);
      const char *id = ((BwClientMachine *) g_ptr_array_index (list, 0))->uuid;
      g_autofree char *sock = bw_runtime_dir_session_socket (id, NULL);
      g_autofree char *addr = g_strconcat ("unix:path=", sock, NULL);
      g_file_set_contents (sock, "", 0, NULL); /* stands for its socket */
      if (!bw_client_register_session (v, "Vm", addr, &e)
          || !bw_client_set_session_state (v, "Vm", "running", &e))
        _exit (1);
      (void) !read (go[0], &b, 1); /* wait to be killed */
      _exit (2);
    }
  close (go[0]);

  g_autoptr (BwClient) c = connect_ok ();
  g_autofree char *uuid = create_ok (c, "Vm");
  g_autoptr (GPtrArray) states = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (c, "machine-state-changed", G_CALLBACK (on_state), states);
  ck_assert_int_eq (write (go[1], "g", 1), 1);
  ck_assert (has_state (states, "running", 5000));

  g_autofree char *state = bw_client_get_machine_state (c, "Vm", NULL, &error);
  ck_assert_str_eq (state, "running");
  g_autoptr (GPtrArray) sessions = bw_client_list_sessions (c, &error);
  ck_assert_int_eq (sessions->len, 1);
  ck_assert_int_eq (((BwClientSession *) g_ptr_array_index (sessions, 0))->pid, vm);

  /* Settings cannot change under a running machine; it cannot run twice. */
  const char *mem[] = { "memory", "128", NULL };
  ck_assert (!bw_client_modify_machine (c, "Vm", mem, &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BUSY));
  g_clear_error (&error);
  ck_assert_ptr_null (bw_client_register_session (c, "Vm", "unix:path=/x", &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BUSY));
  g_clear_error (&error);

  kill (vm, SIGKILL);
  waitpid (vm, NULL, 0);
  ck_assert (has_state (states, "aborted", 5000));

  g_autofree char *after = bw_client_get_machine_state (c, "Vm", NULL, &error);
  ck_assert_str_eq (after, "aborted");
  g_autoptr (BwMachineSettings) s = settings_of (c, "Vm");
  ck_assert_int_eq (s->state, BW_MACHINE_STATE_ABORTED);
  ck_assert_int_gt (s->last_state_change, 0);
  g_autofree char *sock = bw_runtime_dir_session_socket (uuid, NULL);
  ck_assert (!g_file_test (sock, G_FILE_TEST_EXISTS));
  /* Powered off now, so it can be changed again. */
  ck_assert (bw_client_modify_machine (c, "Vm", mem, &error));
  close (go[1]);
}
END_TEST

START_TEST (test_media)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BwClient) c = connect_ok ();
  g_free (create_ok (c, "Disky"));
  g_autofree char *disk = g_build_filename (world.root, "d.vdi", NULL);
  BwDisk *d = bw_disk_create (disk, BW_DISK_FORMAT_VDI, BW_DISK_VARIANT_DYNAMIC, 8 << 20, &error);
  g_assert_no_error (error);
  bw_disk_close (d);

  g_autofree char *muuid = bw_client_register_medium (c, disk, "hdd", &error);
  g_assert_no_error (error);
  /* Again, relative to our folder: the same medium. */
  ck_assert_int_eq (chdir (world.root), 0);
  g_autofree char *again = bw_client_register_medium (c, "d.vdi", "hdd", &error);
  g_assert_no_error (error);
  ck_assert_str_eq (again, muuid);

  /* A file that is not a disk image is refused with its name. */
  g_autofree char *junk = g_build_filename (world.root, "junk.vdi", NULL);
  g_file_set_contents (junk, "<<< Oracle VM VirtualBox Disk Image >>>\n", -1, NULL);
  ck_assert_ptr_null (bw_client_register_medium (c, junk, "hdd", &error));
  ck_assert_msg (error && strstr (error->message, junk) != NULL, "%s",
                 error ? error->message : "");
  g_clear_error (&error);

  g_autofree char *attach = g_strconcat ("hdd ", disk, NULL);
  const char *att[] = { "storageattach:IDE:0:0", attach, NULL };
  ck_assert (bw_client_modify_machine (c, "Disky", att, &error));
  g_autoptr (GPtrArray) media = bw_client_list_media (c, "hdd", &error);
  ck_assert_int_eq (media->len, 1);
  BwClientMedium *m = g_ptr_array_index (media, 0);
  ck_assert_str_eq (m->uuid, muuid);
  ck_assert_str_eq (m->format, "VDI");
  ck_assert_uint_eq (m->size, 8 << 20);
  ck_assert_str_eq (m->used_by[0], "Disky");

  ck_assert (!bw_client_close_medium (c, disk, TRUE, &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BUSY));
  g_clear_error (&error);

  const char *detach[] = { "storageattach:IDE:0:0", "none", NULL };
  ck_assert (bw_client_modify_machine (c, "Disky", detach, &error));
  ck_assert (bw_client_close_medium (c, muuid, TRUE, &error));
  ck_assert (!g_file_test (disk, G_FILE_TEST_EXISTS));
  g_autoptr (GPtrArray) none = bw_client_list_media (c, NULL, &error);
  ck_assert_int_eq (none->len, 0);
}
END_TEST

START_TEST (test_rename_recovery)
{
  /* A service killed in the middle of a rename: the settings say "Two",
   * the journal says where the file goes, the file has been renamed in
   * its old folder, the registry still points at the old file. The next
   * service finishes the move. */
  g_autoptr (GError) error = NULL;
  BwClient *c = connect_ok ();
  g_autofree char *old_path = NULL;
  g_autofree char *uuid = bw_client_create_machine (c, "One", NULL, NULL, TRUE, &old_path, &error);
  pid_t pid = svc_pid (c);
  g_object_unref (c);
  kill (pid, SIGKILL);
  ck_assert (svc_wait_gone (pid, 5000));

  g_autoptr (BwMachineSettings) s = bw_machine_settings_load (old_path, &error);
  g_free (s->name);
  s->name = g_strdup ("Two");
  ck_assert (bw_machine_settings_save (s, old_path, &error));
  g_autofree char *to = g_build_filename (world.machines, "Two", "Two.bwvm", NULL);
  g_autofree char *journal = g_build_filename (world.config, "rename-journal", NULL);
  g_autofree char *text =
      g_strdup_printf ("[rename]\nuuid=%s\nfrom=%s\nto=%s\n", uuid, old_path, to);
  ck_assert (g_file_set_contents (journal, text, -1, NULL));
  g_autofree char *old_dir = g_path_get_dirname (old_path);
  g_autofree char *mid = g_build_filename (old_dir, "Two.bwvm", NULL);
  ck_assert_int_eq (g_rename (old_path, mid), 0);

  g_autoptr (BwClient) d = connect_ok ();
  g_autoptr (GPtrArray) list = bw_client_list_machines (d, &error);
  ck_assert_int_eq (list->len, 1);
  BwClientMachine *m = g_ptr_array_index (list, 0);
  ck_assert_msg (m->error == NULL, "%s", m->error);
  ck_assert_str_eq (m->name, "Two");
  ck_assert_str_eq (m->settings_path, to);
  ck_assert (!g_file_test (journal, G_FILE_TEST_EXISTS));
  ck_assert (!g_file_test (old_dir, G_FILE_TEST_EXISTS));
}
END_TEST

static void
on_closed (BwClient *c, gboolean *flag)
{
  *flag = TRUE;
}

START_TEST (test_closed_when_service_dies)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BwClient) c = connect_ok ();
  gboolean closed = FALSE;
  g_signal_connect (c, "closed", G_CALLBACK (on_closed), &closed);
  kill (svc_pid (c), SIGKILL);
  ck_assert (svc_wait_flag (&closed, 5000));

  /* Calls on the dead connection say so; a new client starts a new one. */
  ck_assert_ptr_null (bw_client_list_machines (c, &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_NO_SERVICE));
  g_clear_error (&error);
  g_autoptr (BwClient) d = connect_ok ();
  g_autoptr (GPtrArray) list = bw_client_list_machines (d, &error);
  g_assert_no_error (error);
  ck_assert_int_eq (list->len, 0);
}
END_TEST

START_TEST (test_broken_registry)
{
  /* A damaged boxwood.xml: the service still answers, and says what is
   * wrong with which file instead of acting on a half-read registry. */
  g_autoptr (GError) error = NULL;
  g_mkdir_with_parents (world.config, 0700);
  g_autofree char *global = g_build_filename (world.config, "boxwood.xml", NULL);
  ck_assert (g_file_set_contents (global, "<?xml version=\"1.0\"?>\n<Boxwood><Mach", -1, NULL));
  g_autoptr (BwClient) c = connect_ok ();
  ck_assert_ptr_null (bw_client_list_machines (c, &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BROKEN_SETTINGS));
  ck_assert_msg (strstr (error->message, global) != NULL, "%s", error->message);
  g_clear_error (&error);
  ck_assert_ptr_null (bw_client_create_machine (c, "X", NULL, NULL, TRUE, NULL, &error));
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BROKEN_SETTINGS));
  g_autofree char *text = NULL;
  g_file_get_contents (global, &text, NULL, NULL);
  ck_assert_str_eq (text, "<?xml version=\"1.0\"?>\n<Boxwood><Mach");
}
END_TEST

START_TEST (test_churn_against_idle_exit)
{
  /* Clients come and go while the service keeps exiting after 10 ms of
   * idleness: a client that meets a service on its way out must still get
   * through (to it or to the next one), never fail. */
  g_setenv ("BOXWOOD_SVC_IDLE_TIMEOUT", "0.01", TRUE);
  GRand *rand = g_rand_new_with_seed (42);
  GHashTable *pids = g_hash_table_new (NULL, NULL);
  for (int i = 0; i < 60; i++)
    {
      g_autoptr (GError) error = NULL;
      BwClient *c = bw_client_connect (&error);
      ck_assert_msg (c != NULL, "round %d: %s", i, error ? error->message : "");
      g_autoptr (GPtrArray) list = bw_client_list_machines (c, &error);
      ck_assert_msg (list != NULL, "round %d: %s", i, error ? error->message : "");
      g_hash_table_add (pids, GINT_TO_POINTER (svc_pid (c)));
      g_object_unref (c);
      g_usleep (g_rand_int_range (rand, 0, 20000));
    }
  /* The point was to meet exiting services: there were several. */
  ck_assert_uint_gt (g_hash_table_size (pids), 1);
  g_hash_table_unref (pids);
  g_rand_free (rand);
}
END_TEST

START_TEST (test_other_uid_refused)
{
  /* The folder's mode keeps other users out; behind it, the service
   * itself refuses a peer of another uid. Open the folder and socket up
   * and try as "nobody" (possible only as root; elsewhere the folder
   * check is all there is to see). */
  if (getuid () != 0)
    return;
  g_autofree char *sock = svc_world_path (&world, "service");
  g_autofree char *dir = g_path_get_dirname (sock);

  /* Forked before this process starts GDBus, which a child cannot use. */
  int go[2];
  ck_assert_int_eq (pipe (go), 0);
  pid_t kid = fork ();
  if (kid == 0)
    {
      char b;
      close (go[1]);
      if (read (go[0], &b, 1) != 1 || setgid (65534) != 0 || setuid (65534) != 0)
        _exit (3);
      g_autofree char *escaped = g_dbus_address_escape_value (sock);
      g_autofree char *address = g_strconcat ("unix:path=", escaped, NULL);
      g_autoptr (GError) e = NULL;
      g_autoptr (GDBusConnection) conn = g_dbus_connection_new_for_address_sync (
          address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &e);
      if (conn == NULL)
        _exit (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED) ? 4 : 0);
      g_autoptr (GVariant) r = g_dbus_connection_call_sync (
          conn, NULL, "/org/boxwood/Service", "org.boxwood.Service1", "ListMachines", NULL, NULL,
          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &e);
      _exit (r == NULL ? 2 : 1);
    }
  close (go[0]);

  g_autoptr (BwClient) c = connect_ok ();
  ck_assert_int_eq (chmod (world.root, 0755), 0);
  ck_assert_int_eq (chmod (world.runtime, 0755), 0);
  ck_assert_int_eq (chmod (dir, 0755), 0);
  ck_assert_int_eq (chmod (sock, 0666), 0);
  ck_assert_int_eq (write (go[1], "g", 1), 1);
  int status;
  waitpid (kid, &status, 0);
  /* 0: the handshake was refused (not the file system: that is 4). */
  ck_assert_msg (WIFEXITED (status) && WEXITSTATUS (status) == 0, "status %d", status);
  chmod (dir, 0700);
  close (go[1]);

  /* The service still serves its own user. */
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = bw_client_list_machines (c, &error);
  g_assert_no_error (error);
  ck_assert_int_eq (list->len, 0);
}
END_TEST

START_TEST (test_two_runtime_dirs_one_service)
{
  /* A desktop session and an ssh login (another runtime folder, same
   * config folder) must share one writer of boxwood.xml. */
  g_autoptr (GError) error = NULL;
  g_autoptr (BwClient) a = connect_ok ();
  pid_t pid = svc_pid (a);
  g_free (create_ok (a, "Shared"));

  g_autofree char *other = g_build_filename (world.root, "run2", NULL);
  g_mkdir_with_parents (other, 0700);
  g_setenv ("XDG_RUNTIME_DIR", other, TRUE);
  g_autoptr (BwClient) b = connect_ok ();
  ck_assert_int_eq (svc_pid (b), pid);
  g_autoptr (GPtrArray) list = bw_client_list_machines (b, &error);
  ck_assert_int_eq (list->len, 1);
  g_autofree char *sock2 = g_build_filename (other, "boxwood", "service", NULL);
  ck_assert (!g_file_test (sock2, G_FILE_TEST_EXISTS));
  g_setenv ("XDG_RUNTIME_DIR", world.runtime, TRUE);
}
END_TEST

static Suite *
svc_suite (void)
{
  Suite *s = suite_create ("svc");
  TCase *tc = tcase_create ("service");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 30);
  tcase_add_test (tc, test_autostart);
  tcase_add_test (tc, test_fallback_runtime_dir);
  tcase_add_test (tc, test_concurrent_start);
  tcase_add_test (tc, test_changes_reach_other_client);
  tcase_add_test (tc, test_idle_exit);
  tcase_add_test (tc, test_stays_while_clients_remain);
  tcase_add_test (tc, test_errors);
  tcase_add_test (tc, test_rename_moves_folder);
  tcase_add_test (tc, test_broken_file_listed);
  tcase_add_test (tc, test_session_killed_is_aborted);
  tcase_add_test (tc, test_media);
  tcase_add_test (tc, test_rename_recovery);
  tcase_add_test (tc, test_closed_when_service_dies);
  tcase_add_test (tc, test_broken_registry);
  tcase_add_test (tc, test_churn_against_idle_exit);
  tcase_add_test (tc, test_other_uid_refused);
  tcase_add_test (tc, test_two_runtime_dirs_one_service);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return bw_test_run (svc_suite ());
}
