/* bw-vm-app.c: boxwood-vm's start-up, state reports and shutdown. */
#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "app/vm/bw-vm-app.h"
#include "app/vm/bw-vm-app-config.h"
#include "app/vm/bw-vm-app-private.h"
#include "devices/ide/bw-ide.h"
#ifdef BW_VM_HAVE_WINDOW
#include "app/vm/bw-vm-app-window.h"
#endif

const char *
bw_vm_app_state_word (BwVmState state)
{
  switch (state)
    {
    case BW_VM_STATE_CREATED: return "starting";
    case BW_VM_STATE_RUNNING: return "running";
    case BW_VM_STATE_PAUSED: return "paused";
    case BW_VM_STATE_POWERED_OFF: return "poweroff";
    case BW_VM_STATE_ABORTED:
    default: return "aborted";
    }
}

void
bw_vm_app_report (BwVmApp *app, const char *state)
{
  if (app->final || g_strcmp0 (app->reported, state) == 0)
    return;
  g_free (app->reported);
  app->reported = g_strdup (state);
  app->final = g_str_equal (state, "poweroff") || g_str_equal (state, "aborted");
  if (app->vm)
    bw_log_printf (bw_vm_get_log (app->vm), "Session", "Reporting state %s", state);
  if (app->skeleton)
    bw_dbus_session1_emit_state_changed (app->skeleton, state);
  /* No new session clients after the end; GLib removes the socket file,
   * before the service would (it does for an aborted session). */
  if (app->final)
    bw_vm_app_session_stop_listening (app);
  g_autoptr (GError) error = NULL;
  if (app->registered
      && !bw_client_set_session_state (app->client, app->uuid, state, &error))
    g_warning ("cannot report state %s to boxwood-svc: %s", state, error->message);
  if (app->final && app->loop)
    g_main_loop_quit (app->loop);
}

typedef struct
{
  BwVmApp *app;
  BwVmState state;
} StateMessage;

static gboolean
report_on_main (gpointer data)
{
  StateMessage *m = data;
  bw_vm_app_report (m->app, bw_vm_app_state_word (m->state));
  return G_SOURCE_REMOVE;
}

/* Any thread (a vCPU thread when the guest powers off or fails). */
static void
on_vm_state (void *user_data, BwVm *vm, BwVmState old_state, BwVmState new_state,
             const char *reason)
{
  StateMessage *m = g_new (StateMessage, 1);
  m->app = user_data;
  m->state = new_state;
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, report_on_main, m, g_free);
}

static gboolean
on_signal (gpointer user_data)
{
  BwVmApp *app = user_data;
  BwVmState state = bw_vm_get_state (app->vm);
  if (state == BW_VM_STATE_RUNNING || state == BW_VM_STATE_PAUSED)
    bw_vm_power_off (app->vm, "the process was asked to terminate", NULL);
  return G_SOURCE_CONTINUE;
}

static void
app_free (BwVmApp *app)
{
#ifdef BW_VM_HAVE_WINDOW
  bw_vm_app_window_close (app);
#endif
  bw_vm_app_session_stop (app);
  g_clear_pointer (&app->vm, bw_vm_free);
  g_clear_pointer (&app->board, bw_pc_board_free);
  g_clear_pointer (&app->config, bw_config_free);
  if (app->client)
    g_dbus_connection_flush_sync (bw_client_get_connection (app->client), NULL, NULL);
  g_clear_object (&app->client);
  g_clear_pointer (&app->loop, g_main_loop_unref);
  g_free (app->uuid);
  g_free (app->name);
  g_free (app->ide_controller);
  for (guint i = 0; i < G_N_ELEMENTS (app->dvd_recorded); i++)
    g_free (app->dvd_recorded[i]);
  g_free (app->reported);
  g_free (app);
}

/* Settings from the service, then the configuration tree. */
static gboolean
load_machine (BwVmApp *app, const char *machine, const BwVmAppBootOverrides *overrides,
              GError **error)
{
  g_autofree char *settings_path = NULL;
  g_autofree char *xml = bw_client_get_machine_settings (app->client, machine, &app->uuid,
                                                         &settings_path, error);
  if (!xml)
    return FALSE;
  g_autoptr (BwMachineSettings) settings
    = bw_machine_settings_load_from_data (xml, strlen (xml), settings_path, error);
  if (!settings)
    return FALSE;
  app->name = g_strdup (settings->name);
  app->scale_fixed = bw_hardware_get_scale_mode (settings->hardware) == BW_SCALE_MODE_FIXED;
  app->scale_percent = bw_hardware_get_scale_percent (settings->hardware);
  for (guint i = 0; i < settings->hardware->storage_controllers->len; i++)
    {
      BwStorageController *c = g_ptr_array_index (settings->hardware->storage_controllers, i);
      if (c->bus == BW_STORAGE_BUS_IDE && !app->ide_controller)
        app->ide_controller = g_strdup (c->name);
    }
  app->config = bw_vm_app_config_from_settings (settings, settings_path, overrides, error);
  return app->config != NULL;
}

gboolean
bw_vm_app_record_medium (BwVmApp *app, guint channel, guint position, const char *path,
                         GError **error)
{
  guint i = channel * 2 + position;
  if (i >= G_N_ELEMENTS (app->dvd_recorded) || !app->ide_controller
      || g_strcmp0 (app->dvd_recorded[i], path) == 0)
    return TRUE;
  g_free (app->dvd_recorded[i]);
  app->dvd_recorded[i] = g_strdup (path);
  g_autofree char *key
    = g_strdup_printf ("storageattach:%s:%u:%u", app->ide_controller, channel, position);
  g_autofree char *value = g_strconcat ("dvddrive ", path ? path : "emptydrive", NULL);
  const char *changes[] = { key, value, NULL };
  return bw_client_modify_machine (app->client, app->uuid, changes, error);
}

gboolean
bw_vm_app_mount_medium (BwVmApp *app, guint channel, guint position, const char *path,
                        GError **error)
{
  BwDevice *ide = app->board ? bw_pc_board_get_ide (app->board) : NULL;
  BwVmState state = app->vm ? bw_vm_get_state (app->vm) : BW_VM_STATE_POWERED_OFF;
  if (state != BW_VM_STATE_RUNNING && state != BW_VM_STATE_PAUSED)
    {
      g_set_error (error, BW_VM_ERROR, BW_VM_ERROR_STATE, "The machine is %s",
                   bw_vm_state_to_string (state));
      return FALSE;
    }
  if (!ide)
    {
      g_set_error (error, BW_IDE_ERROR, BW_IDE_ERROR_NO_DRIVE, "The machine has no IDE controller");
      return FALSE;
    }
  if (path && !g_path_is_absolute (path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The image path “%s” is not absolute", path);
      return FALSE;
    }
  gboolean ok = path ? bw_ide_insert_medium (ide, channel, position, path, error)
                     : bw_ide_eject_medium (ide, channel, position, FALSE, error);
  if (!ok)
    return FALSE;
  bw_log_printf (bw_vm_get_log (app->vm), "Session", "DVD at %s port %u device %u: %s",
                 app->ide_controller ? app->ide_controller : "IDE", channel, position,
                 path ? path : "ejected");
  if (!bw_vm_app_record_medium (app, channel, position, path, error))
    {
      g_prefix_error (error, "The drive changed, but the settings could not record it: ");
      return FALSE;
    }
  return TRUE;
}

const char *
bw_vm_app_get_medium (BwVmApp *app, guint channel, guint position)
{
  guint i = channel * 2 + position;
  return i < G_N_ELEMENTS (app->dvd_recorded) ? app->dvd_recorded[i] : NULL;
}

gboolean
bw_vm_app_has_acpi (BwVmApp *app)
{
  return app->board && bw_pc_board_has_acpi (app->board);
}

gboolean
bw_vm_app_acpi_shutdown (BwVmApp *app, GError **error)
{
  BwVmState state = app->vm ? bw_vm_get_state (app->vm) : BW_VM_STATE_POWERED_OFF;
  if (state != BW_VM_STATE_RUNNING)
    {
      g_set_error (error, BW_VM_ERROR, BW_VM_ERROR_STATE,
                   "The machine is %s; the shutdown signal needs it running",
                   bw_vm_state_to_string (state));
      return FALSE;
    }
  if (!bw_vm_app_has_acpi (app))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "The machine has no ACPI, so there is no shutdown signal to send");
      return FALSE;
    }
  bw_pc_board_press_power_button (app->board);
  return TRUE;
}

typedef struct
{
  BwVmApp *app;
  guint channel, position;
  char *path;
} MediumMessage;

static void
medium_message_free (gpointer data)
{
  MediumMessage *m = data;
  g_free (m->path);
  g_free (m);
}

static gboolean
medium_on_main (gpointer data)
{
  MediumMessage *m = data;
  g_autoptr (GError) error = NULL;
  if (!m->app->final
      && !bw_vm_app_record_medium (m->app, m->channel, m->position, m->path, &error))
    g_warning ("cannot record the DVD change in the settings: %s", error->message);
#ifdef BW_VM_HAVE_WINDOW
  bw_vm_app_window_medium_changed (m->app);
#endif
  return G_SOURCE_REMOVE;
}

/* Under the platform lock, on any thread: the guest opened the tray or
 * the disc changed. The settings follow, as VirtualBox's do, from an idle
 * on the main thread (never a D-Bus call or a redraw under the lock). */
static void
on_medium (void *user_data, guint channel, guint position, const char *path)
{
  MediumMessage *m = g_new0 (MediumMessage, 1);
  m->app = user_data;
  m->channel = channel;
  m->position = position;
  m->path = g_strdup (path);
  g_idle_add_full (G_PRIORITY_DEFAULT, medium_on_main, m, medium_message_free);
}

static gboolean
build_machine (BwVmApp *app, gboolean verbose, GError **error)
{
  app->vm = bw_vm_new (app->config, error);
  if (!app->vm)
    return FALSE;
  BwLog *log = bw_vm_get_log (app->vm);
  bw_log_set_echo (log, verbose);
  bw_log_printf (log, "Session", "boxwood-vm %s, pid %d, machine “%s” {%s}", PACKAGE_VERSION,
                 (int) getpid (), app->name, app->uuid);
  app->board = bw_pc_board_new (bw_vm_get_platform (app->vm), error);
  if (!app->board)
    {
      bw_log_printf (log, "Session", "Cannot build the machine: %s", (*error)->message);
      return FALSE;
    }
  bw_pc_board_attach (app->board, app->vm);
  BwDevice *ide = bw_pc_board_get_ide (app->board);
  if (ide)
    {
      for (guint i = 0; i < G_N_ELEMENTS (app->dvd_recorded); i++)
        {
          g_autofree char *key = g_strdup_printf ("devices/%s/%s/%s/path", BW_VM_APP_IDE_ID,
                                                  i / 2 ? "secondary" : "primary",
                                                  i % 2 ? "slave" : "master");
          app->dvd_recorded[i]
            = g_strdup (bw_config_get_string_default (app->config, key, NULL));
        }
      bw_ide_set_medium_func (ide, on_medium, app);
    }
  bw_vm_add_state_listener (app->vm, on_vm_state, app);
  return TRUE;
}

int
bw_vm_app_main (int argc, char **argv)
{
  g_autofree char *machine = NULL;
  gboolean headless = FALSE, verbose = FALSE;
  BwVmAppBootOverrides ov = { 0 };
  g_autofree char *kernel = NULL, *initrd = NULL, *append = NULL, *image = NULL;
  g_autofree char *image_kind = NULL, *bios = NULL;
  const GOptionEntry entries[] = {
    { "startvm", 0, 0, G_OPTION_ARG_STRING, &machine, "The machine to run", "NAME|UUID" },
    { "headless", 0, 0, G_OPTION_ARG_NONE, &headless, "Run without a window", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Copy the machine's log to stderr", NULL },
    { "kernel", 0, 0, G_OPTION_ARG_FILENAME, &kernel, "Boot this bzImage directly", "FILE" },
    { "initrd", 0, 0, G_OPTION_ARG_FILENAME, &initrd, "Initial RAM disk for --kernel", "FILE" },
    { "append", 0, 0, G_OPTION_ARG_STRING, &append, "Kernel command line", "TEXT" },
    { "image", 0, 0, G_OPTION_ARG_FILENAME, &image, "Run a test guest without firmware", "FILE" },
    { "image-kind", 0, 0, G_OPTION_ARG_STRING, &image_kind, "flat or multiboot (default)",
      "KIND" },
    { "bios", 0, 0, G_OPTION_ARG_FILENAME, &bios, "Another BIOS image", "FILE" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- run one Boxwood machine");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "boxwood-vm: %s (see --help)\n", error->message);
      return 2;
    }
  if (!machine || argc > 1)
    {
      fprintf (stderr, "boxwood-vm: %s (see --help)\n",
               machine ? "unexpected arguments" : "--startvm NAME|UUID is required");
      return 2;
    }
#ifdef BW_VM_HAVE_WINDOW
  if (!headless && !bw_vm_app_window_init (&error))
    {
      fprintf (stderr, "boxwood-vm: %s\n", error->message);
      return 1;
    }
#else
  if (!headless)
    {
      fprintf (stderr, "boxwood-vm: this boxwood-vm was built without the VM window (GTK); "
                       "use --headless\n");
      return 2;
    }
#endif
  if (initrd && !kernel)
    {
      fprintf (stderr, "boxwood-vm: --initrd needs --kernel\n");
      return 2;
    }
  ov.kernel = kernel;
  ov.initrd = initrd;
  ov.cmdline = append;
  ov.image = image;
  ov.image_kind = image_kind;
  ov.bios = bios;

  /* A session client that vanishes mid-reply must not take us down. */
  signal (SIGPIPE, SIG_IGN);
  (void) bw_client_error_quark ();
  BwVmApp *app = g_new0 (BwVmApp, 1);
  app->loop = g_main_loop_new (NULL, FALSE);
  int status = 1;
  g_autofree char *registered = NULL;

  app->client = bw_client_connect (&error);
  if (!app->client || !load_machine (app, machine, &ov, &error))
    goto out;
  if (!bw_vm_app_session_address (app, &error))
    goto out;
  registered = bw_client_register_session (app->client, app->uuid, app->address, &error);
  if (!registered)
    goto out; /* Busy: another process runs this machine */
  app->registered = TRUE;
  if (!bw_vm_app_session_start (app, &error))
    {
      bw_vm_app_report (app, "poweroff");
      goto out;
    }

  if (!build_machine (app, verbose, &error))
    {
      bw_vm_app_report (app, "poweroff"); /* nothing ran */
      goto out;
    }
  g_unix_signal_add (SIGTERM, on_signal, app);
  g_unix_signal_add (SIGINT, on_signal, app);
  g_unix_signal_add (SIGHUP, on_signal, app);

  if (!bw_vm_start (app->vm, &error))
    {
      /* The VM is aborted; its listener reports that. */
      g_main_context_iteration (NULL, FALSE);
      bw_vm_app_report (app, "aborted");
      goto out;
    }
#ifdef BW_VM_HAVE_WINDOW
  if (!headless && !bw_vm_app_window_open (app, &error))
    {
      bw_vm_power_off (app->vm, "the window could not be opened", NULL);
      g_main_loop_run (app->loop); /* until the power-off is reported */
      status = 1;
      goto out;
    }
#endif
  g_main_loop_run (app->loop);
  status = bw_vm_get_state (app->vm) == BW_VM_STATE_POWERED_OFF ? 0 : 1;

out:
  if (error)
    fprintf (stderr, "boxwood-vm: %s\n", error->message);
  app_free (app);
  return status;
}
