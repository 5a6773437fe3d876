/* test-app-process.c: boxwood-vm end to end, with a real boxwood-svc in a
 * private world (temporary HOME, BOXWOOD_USER_HOME, XDG_RUNTIME_DIR):
 * start a machine headless on a small guest (tests/guests/keys.bin,
 * which prints on COM1 every code the keyboard sends, a file named in the machine's settings), drive
 * it through its session socket (GetInfo, Pause, Resume, Reset, keys,
 * PowerOff) and see each state in the service; then SIGKILL a running VM
 * process and see the service record the machine as aborted and remove
 * the session socket. A TAP skip when no CPU backend can run here. */
#include "config.h"

#include <gio/gunixsocketaddress.h>
#include "bw-test.h"
#include "svc/svc-test-util.h"
#include "app/main/client/bw-dbus-session1.h"
#include "vmm/bw-cpu-backend.h"

static SvcWorld world;
static BwClient *client;
static char *serial_path;

static void
setup (void)
{
  svc_world_init (&world, "2");
  g_autoptr (GError) error = NULL;
  client = bw_client_connect (&error);
  ck_assert_msg (client, "%s", error ? error->message : "");
  g_autofree char *uuid
    = bw_client_create_machine (client, "e2e", NULL, NULL, TRUE, NULL, &error);
  ck_assert_msg (uuid, "%s", error ? error->message : "");
  serial_path = g_build_filename (world.root, "com1.txt", NULL);
  g_autofree char *mode = g_strdup_printf ("file %s", serial_path);
  const char *changes[] = { "memory", "16", "uart1", "0x3f8 4", "uartmode1", mode, NULL };
  ck_assert_msg (bw_client_modify_machine (client, "e2e", changes, &error), "%s",
                 error ? error->message : "");
}

static void
teardown (void)
{
  g_clear_object (&client);
  g_clear_pointer (&serial_path, g_free);
  svc_world_clear (&world);
}

static GPid
start_vm_env (char **envp, const char *machine)
{
  const char *build = g_getenv ("BW_BUILD_ROOT");
  g_autofree char *exe = g_build_filename (build, "app", "vm", "boxwood-vm", NULL);
  g_autofree char *guest = g_build_filename (build, "tests", "guests", "keys.bin", NULL);
  const char *argv[] = { exe, "--startvm", machine, "--headless", "--image", guest,
                         "--image-kind", "flat", NULL };
  GPid pid = 0;
  g_autoptr (GError) error = NULL;
  ck_assert_msg (g_spawn_async (NULL, (char **) argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &pid, &error),
                 "%s", error ? error->message : "");
  return pid;
}

static GPid
start_vm (void)
{
  return start_vm_env (NULL, "e2e");
}

static char *
machine_state (void)
{
  g_autoptr (GError) error = NULL;
  char *state = bw_client_get_machine_state (client, "e2e", NULL, &error);
  ck_assert_msg (state, "%s", error ? error->message : "");
  return state;
}

/* Polls the service (signals are not needed for this). */
static gboolean
wait_state (const char *want, guint max_ms)
{
  for (guint waited = 0; waited <= max_ms; waited += 20)
    {
      g_autofree char *state = machine_state ();
      if (g_str_equal (state, want))
        return TRUE;
      g_usleep (20000);
    }
  return FALSE;
}

static int
wait_exit (GPid pid, guint max_ms)
{
  int status = -1;
  for (guint waited = 0; waited <= max_ms; waited += 20)
    {
      if (waitpid (pid, &status, WNOHANG) == pid)
        return status;
      g_usleep (20000);
    }
  kill (pid, SIGKILL);
  waitpid (pid, &status, 0);
  ck_abort_msg ("boxwood-vm did not exit within %u ms", max_ms);
  return status;
}

static BwDBusSession1 *
connect_session (GDBusConnection **conn_out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) sessions = bw_client_list_sessions (client, &error);
  ck_assert_msg (sessions, "%s", error ? error->message : "");
  ck_assert_uint_eq (sessions->len, 1);
  BwClientSession *s = g_ptr_array_index (sessions, 0);
  ck_assert_str_eq (s->name, "e2e");
  ck_assert_uint_ne (s->pid, 0);
  GDBusConnection *conn = g_dbus_connection_new_for_address_sync (
    s->address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL, NULL, &error);
  ck_assert_msg (conn, "%s: %s", s->address, error ? error->message : "");
  BwDBusSession1 *proxy = bw_dbus_session1_proxy_new_sync (
    conn, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES, NULL, "/org/boxwood/Session", NULL, &error);
  ck_assert_msg (proxy, "%s", error ? error->message : "");
  *conn_out = conn;
  return proxy;
}

static gboolean
serial_says (const char *needle, guint max_ms)
{
  for (guint waited = 0; waited <= max_ms; waited += 20)
    {
      g_autofree char *text = NULL;
      if (g_file_get_contents (serial_path, &text, NULL, NULL) && strstr (text, needle))
        return TRUE;
      g_usleep (20000);
    }
  return FALSE;
}

START_TEST (test_control_through_session)
{
  GPid pid = start_vm ();
  ck_assert_msg (wait_state ("running", 30000), "the machine never ran");
  /* The guest ran and reached COM1, which the settings send to a file. */
  ck_assert_msg (serial_says ("READY\n", 30000), "no guest output on COM1");

  g_autoptr (GDBusConnection) conn = NULL;
  g_autoptr (BwDBusSession1) session = connect_session (&conn);
  g_autoptr (GError) error = NULL;
  g_autofree char *uuid = NULL, *name = NULL, *state = NULL, *backend = NULL;
  ck_assert_msg (bw_dbus_session1_call_get_info_sync (session, &uuid, &name, &state, &backend,
                                                      NULL, &error),
                 "%s", error ? error->message : "");
  ck_assert_str_eq (name, "e2e");
  ck_assert_str_eq (state, "running");
  ck_assert_msg (bw_cpu_backend_find (backend), "backend “%s”", backend);

  ck_assert_msg (bw_dbus_session1_call_pause_sync (session, NULL, &error), "%s",
                 error ? error->message : "");
  ck_assert (wait_state ("paused", 2000));
  /* Pausing twice is refused with Busy, naming the state. */
  ck_assert (!bw_dbus_session1_call_pause_sync (session, NULL, &error));
  ck_assert_msg (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BUSY), "%s",
                 error->message);
  ck_assert_ptr_nonnull (strstr (error->message, "paused"));
  g_clear_error (&error);
  /* The ACPI power button needs a running guest to listen. */
  ck_assert (!bw_dbus_session1_call_acpi_shutdown_sync (session, NULL, &error));
  ck_assert_msg (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_BUSY), "%s",
                 error->message);
  ck_assert_ptr_nonnull (strstr (error->message, "paused"));
  g_clear_error (&error);
  ck_assert (bw_dbus_session1_call_resume_sync (session, NULL, &error));
  ck_assert (wait_state ("running", 2000));

  /* Keys, in set 1 as VBoxManage takes them: the guest reads them back
   * through the i8042 (set 2 inside, translated to set 1 again). The
   * array has no trailing 00, which a bytestring binding would lose. */
  GVariant *codes = g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "\x1e\x9e", 2, 1);
  g_autoptr (GVariant) r1 = g_dbus_proxy_call_sync (G_DBUS_PROXY (session), "PutScancodes",
                                                    g_variant_new ("(@ay)", codes),
                                                    G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  ck_assert_msg (r1, "%s", error ? error->message : "");
  ck_assert_msg (serial_says ("READY\n1E 9E ", 10000), "the guest did not see A pressed");
  GVariant *bad = g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "\x00", 1, 1);
  g_autoptr (GVariant) r2 = g_dbus_proxy_call_sync (G_DBUS_PROXY (session), "PutScancodes",
                                                    g_variant_new ("(@ay)", bad),
                                                    G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  ck_assert (!r2);
  ck_assert (g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_INVALID_ARGUMENT));
  g_clear_error (&error);
  /* Text: "L" is Shift + l. */
  ck_assert (bw_dbus_session1_call_put_string_sync (session, "L\n", NULL, &error));
  ck_assert_msg (serial_says ("1E 9E 2A 26 A6 AA 1C 9C ", 10000), "the guest did not see “L⏎”");
  ck_assert (!bw_dbus_session1_call_put_string_sync (session, "\xc3\xa9", NULL, &error));
  g_clear_error (&error);

  /* Reset starts the guest again: it says READY once more. */
  ck_assert (bw_dbus_session1_call_reset_sync (session, NULL, &error));
  ck_assert_msg (serial_says ("1C 9C READY\n", 30000), "the guest did not start again");

  ck_assert_msg (bw_dbus_session1_call_power_off_sync (session, NULL, &error), "%s",
                 error ? error->message : "");
  int status = wait_exit (pid, 10000);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  ck_assert (wait_state ("poweroff", 2000));
  g_autoptr (GPtrArray) sessions = bw_client_list_sessions (client, NULL);
  ck_assert_uint_eq (sessions->len, 0);
  g_autofree char *sock_dir = svc_world_path (&world, "sessions");
  g_autoptr (GDir) dir = g_dir_open (sock_dir, 0, NULL);
  ck_assert (!dir || g_dir_read_name (dir) == NULL);

  /* The machine's log tells the story. */
  g_autofree char *log_path
    = g_build_filename (world.machines, "e2e", "Logs", "boxwood.log", NULL);
  g_autofree char *log = NULL;
  ck_assert_msg (g_file_get_contents (log_path, &log, NULL, NULL), "no %s", log_path);
  ck_assert_ptr_nonnull (strstr (log, "State: running -> paused"));
  ck_assert_ptr_nonnull (strstr (log, "State: running -> poweredoff"));
  ck_assert_ptr_nonnull (strstr (log, "Flat binary"));
}
END_TEST

START_TEST (test_sigkill_is_aborted)
{
  GPid pid = start_vm ();
  ck_assert_msg (wait_state ("running", 30000), "the machine never ran");
  g_autofree char *sock_dir = svc_world_path (&world, "sessions");
  kill (pid, SIGKILL);
  int status = wait_exit (pid, 5000);
  ck_assert (WIFSIGNALED (status));
  ck_assert_msg (wait_state ("aborted", 5000), "the service did not record the machine aborted");
  g_autoptr (GDir) dir = g_dir_open (sock_dir, 0, NULL);
  ck_assert_msg (!dir || g_dir_read_name (dir) == NULL, "the session socket was left behind");
  /* It can start again. */
  GPid again = start_vm ();
  ck_assert (wait_state ("running", 30000));
  kill (again, SIGTERM);
  status = wait_exit (again, 10000);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  ck_assert (wait_state ("poweroff", 2000));
}
END_TEST

START_TEST (test_second_instance_refused)
{
  GPid pid = start_vm ();
  ck_assert (wait_state ("running", 30000));
  GPid second = start_vm ();
  int status = wait_exit (second, 10000);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 1);
  /* The first still runs and is still reachable. */
  g_autofree char *state = machine_state ();
  ck_assert_str_eq (state, "running");
  g_autoptr (GDBusConnection) conn = NULL;
  g_autoptr (BwDBusSession1) session = connect_session (&conn);
  ck_assert (bw_dbus_session1_call_power_off_sync (session, NULL, NULL));
  status = wait_exit (pid, 10000);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}
END_TEST

/* COM1 on a unix socket that the VM listens on (settings "server PATH"):
 * a program connects and reads what the guest prints for typed keys. */
START_TEST (test_serial_unix_socket)
{
  g_autofree char *sock = g_build_filename (world.root, "com1.sock", NULL);
  g_autofree char *mode = g_strdup_printf ("server %s", sock);
  const char *changes[] = { "uartmode1", mode, NULL };
  g_autoptr (GError) error = NULL;
  ck_assert_msg (bw_client_modify_machine (client, "e2e", changes, &error), "%s",
                 error ? error->message : "");
  GPid pid = start_vm ();
  ck_assert (wait_state ("running", 30000));
  g_autoptr (GSocketClient) sc = g_socket_client_new ();
  g_autoptr (GSocketAddress) addr = g_unix_socket_address_new (sock);
  g_autoptr (GSocketConnection) conn = NULL;
  for (guint waited = 0; waited <= 10000 && !conn; waited += 20)
    {
      g_clear_error (&error);
      conn = g_socket_client_connect (sc, G_SOCKET_CONNECTABLE (addr), NULL, &error);
      if (!conn)
        g_usleep (20000);
    }
  ck_assert_msg (conn, "%s: %s", sock, error ? error->message : "");
  GSocket *socket = g_socket_connection_get_socket (conn);
  g_socket_set_timeout (socket, 1);

  g_autoptr (GDBusConnection) bus = NULL;
  g_autoptr (BwDBusSession1) session = connect_session (&bus);
  g_autoptr (GString) got = g_string_new (NULL);
  /* Type until the guest's answer comes back over the socket (the back
   * end may take a moment to notice the new peer). */
  for (guint tries = 0; tries < 20 && !strstr (got->str, "1E 9E "); tries++)
    {
      ck_assert (bw_dbus_session1_call_put_string_sync (session, "a", NULL, NULL));
      char buf[256];
      gssize n = g_socket_receive (socket, buf, sizeof buf, NULL, NULL);
      if (n > 0)
        g_string_append_len (got, buf, n);
    }
  ck_assert_msg (strstr (got->str, "1E 9E "), "the socket got: “%s”", got->str);
  ck_assert (bw_dbus_session1_call_power_off_sync (session, NULL, NULL));
  int status = wait_exit (pid, 10000);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0);
}
END_TEST

START_TEST (test_start_failures)
{
  /* A backend that cannot run: the start fails, the machine is aborted,
   * the log says why and the socket is gone. */
  const char *changes[] = { "acceleration", "kvm", NULL };
  ck_assert (bw_client_modify_machine (client, "e2e", changes, NULL));
  g_auto (GStrv) env = g_get_environ ();
  env = g_environ_setenv (env, "BOXWOOD_KVM_DEVICE", "/nonexistent/kvm", TRUE);
  int status = wait_exit (start_vm_env (env, "e2e"), 10000);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 1);
  ck_assert (wait_state ("aborted", 2000));
  g_autofree char *log_path
    = g_build_filename (world.machines, "e2e", "Logs", "boxwood.log", NULL);
  g_autofree char *log = NULL;
  ck_assert (g_file_get_contents (log_path, &log, NULL, NULL));
  ck_assert_ptr_nonnull (strstr (log, "/nonexistent/kvm"));
  g_autofree char *sock_dir = svc_world_path (&world, "sessions");
  g_autoptr (GDir) dir = g_dir_open (sock_dir, 0, NULL);
  ck_assert (!dir || g_dir_read_name (dir) == NULL);

  /* An unknown machine: nothing starts. */
  status = wait_exit (start_vm_env (NULL, "no-such-machine"), 10000);
  ck_assert (WIFEXITED (status) && WEXITSTATUS (status) == 1);
}
END_TEST

int
main (void)
{
  /* Any backend that can run the guest here. */
  gboolean runnable = FALSE;
  g_autoptr (GPtrArray) backends = bw_cpu_backend_list ();
  for (guint i = 0; backends && i < backends->len && !runnable; i++)
    runnable = ((const BwCpuBackend *) g_ptr_array_index (backends, i))->probe (NULL);
  if (!runnable)
    {
      g_print ("1..0 # SKIP no CPU backend can run a guest here\n");
      return 0;
    }
  g_autofree char *guest
    = g_build_filename (g_getenv ("BW_BUILD_ROOT"), "tests", "guests", "keys.bin", NULL);
  if (!g_file_test (guest, G_FILE_TEST_EXISTS))
    {
      g_print ("1..0 # SKIP the guest %s was not built (nasm missing?)\n", guest);
      return 0;
    }
  (void) bw_client_error_quark ();
  Suite *s = suite_create ("app-process");
  TCase *tc = tcase_create ("process");
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 120);
  tcase_add_test (tc, test_control_through_session);
  tcase_add_test (tc, test_sigkill_is_aborted);
  tcase_add_test (tc, test_second_instance_refused);
  tcase_add_test (tc, test_start_failures);
  tcase_add_test (tc, test_serial_unix_socket);
  suite_add_tcase (s, tc);
  return bw_test_run (s);
}
