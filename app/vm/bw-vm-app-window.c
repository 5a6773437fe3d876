/* bw-vm-app-window.c: the VM window on this process's machine.
 *
 * BwVmAppController implements BwVmController over the BwVm and the
 * BwPcBoard. The VM's state listeners run on vCPU threads, so each state
 * change is handed to the main context before the window hears of it. */
#include "config.h"

#include <gtk/gtk.h>
#include "app/vm/bw-vm-app-window.h"
#include "ui/vm/bw-vm-vga-source.h"
#include "devices/ide/bw-ide.h"
#include "ui/vm/bw-vm-display.h"
#include "ui/vm/bw-vm-window.h"
#include "vmm/bw-cpu-backend.h"

/* How often the disk and CD lights look at the drives' counters (the
 * window keeps a light on for 250 ms, so steady I/O shows steadily). */
#define ACTIVITY_POLL_MS 200

#define BW_VM_APP_TYPE_CONTROLLER (bw_vm_app_controller_get_type ())
G_DECLARE_FINAL_TYPE (BwVmAppController, bw_vm_app_controller, BW_VM_APP, CONTROLLER, GObject)

struct _BwVmAppController
{
  GObject parent_instance;
  BwVmApp *app; /* outlives the controller: closed before the VM goes */
  guint listener;
  char *backend_note;
  /* The machine's first CD drive (what the Devices menu changes). */
  gboolean has_cd;
  guint cd_channel, cd_position;
  /* Activity lights: the IDE counters as last seen, per position. */
  BwIdeDriveKind kinds[4];
  guint64 seen[4];
  guint activity_id;
};

static void bw_vm_app_controller_iface_init (BwVmControllerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BwVmAppController, bw_vm_app_controller, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BW_VM_TYPE_CONTROLLER,
                                                      bw_vm_app_controller_iface_init))

static BwVmAppController *
self_of (BwVmController *c)
{
  return BW_VM_APP_CONTROLLER (c);
}

static const char *
ctl_get_name (BwVmController *c)
{
  return self_of (c)->app->name;
}

static BwVmRunState
ctl_get_state (BwVmController *c)
{
  BwVmApp *app = self_of (c)->app;
  if (!app->vm)
    return BW_VM_RUN_STATE_POWERED_OFF;
  switch (bw_vm_get_state (app->vm))
    {
    case BW_VM_STATE_CREATED: return BW_VM_RUN_STATE_STARTING;
    case BW_VM_STATE_RUNNING: return BW_VM_RUN_STATE_RUNNING;
    case BW_VM_STATE_PAUSED: return BW_VM_RUN_STATE_PAUSED;
    case BW_VM_STATE_POWERED_OFF: return BW_VM_RUN_STATE_POWERED_OFF;
    case BW_VM_STATE_ABORTED:
    default: return BW_VM_RUN_STATE_ABORTED;
    }
}

static const char *
ctl_get_backend_name (BwVmController *c)
{
  BwVmApp *app = self_of (c)->app;
  const BwCpuBackend *backend = app->vm ? bw_vm_get_backend (app->vm) : NULL;
  if (!backend)
    return NULL;
  return g_str_equal (backend->name, "kvm") ? "KVM" : "software CPU";
}

static const char *
ctl_get_backend_note (BwVmController *c)
{
  return self_of (c)->backend_note;
}

static gboolean
ctl_has_acpi (BwVmController *c)
{
  return bw_vm_app_has_acpi (self_of (c)->app);
}

static char *
ctl_get_log_path (BwVmController *c)
{
  BwVmApp *app = self_of (c)->app;
  const char *dir = app->config ? bw_config_get_string_default (app->config, "logs-dir", NULL)
                                : NULL;
  return dir ? g_build_filename (dir, "boxwood.log", NULL) : NULL;
}

static char *
ctl_get_medium (BwVmController *c)
{
  BwVmAppController *self = self_of (c);
  return self->has_cd ? g_strdup (bw_vm_app_get_medium (self->app, self->cd_channel,
                                                        self->cd_position))
                      : NULL;
}

static gboolean
ctl_has_cd_drive (BwVmController *c)
{
  return self_of (c)->has_cd;
}

static gboolean
ctl_pause (BwVmController *c, GError **error)
{
  return bw_vm_pause (self_of (c)->app->vm, error);
}

static gboolean
ctl_resume (BwVmController *c, GError **error)
{
  return bw_vm_resume (self_of (c)->app->vm, error);
}

static gboolean
ctl_reset (BwVmController *c, GError **error)
{
  return bw_vm_reset (self_of (c)->app->vm, error);
}

static gboolean
ctl_power_off (BwVmController *c, GError **error)
{
  return bw_vm_power_off (self_of (c)->app->vm, "powered off from the window", error);
}

static gboolean
ctl_acpi_shutdown (BwVmController *c, GError **error)
{
  return bw_vm_app_acpi_shutdown (self_of (c)->app, error);
}

/* The same path as `controlvm dvdattach`: the drive, the log, the
 * settings; "medium-changed" follows from the drive's notification. */
static gboolean
ctl_mount_medium (BwVmController *c, const char *path, GError **error)
{
  BwVmAppController *self = self_of (c);
  if (!self->has_cd)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           "The machine has no CD drive; add one in its storage settings "
                           "while it is powered off");
      return FALSE;
    }
  return bw_vm_app_mount_medium (self->app, self->cd_channel, self->cd_position, path, error);
}

static void
ctl_put_scancodes (BwVmController *c, const guint8 *codes, gsize len)
{
  BwVmApp *app = self_of (c)->app;
  if (app->board)
    bw_pc_board_put_scancodes (app->board, codes, len);
}

static void
ctl_put_mouse (BwVmController *c, int dx, int dy, int dz, guint buttons)
{
  BwVmApp *app = self_of (c)->app;
  if (app->board)
    bw_pc_board_put_mouse (app->board, dx, dy, dz, buttons);
}

static gboolean
ctl_get_io_bytes (BwVmController *c, BwVmActivity kind, guint64 *read, guint64 *written)
{
  BwVmAppController *self = self_of (c);
  BwDevice *ide = self->app->board ? bw_pc_board_get_ide (self->app->board) : NULL;
  BwIdeDriveKind want = kind == BW_VM_ACTIVITY_CD ? BW_IDE_DRIVE_CDROM : BW_IDE_DRIVE_HDD;
  gboolean any = FALSE;
  *read = *written = 0;
  for (guint i = 0; ide && i < G_N_ELEMENTS (self->kinds); i++)
    {
      guint64 r = 0, w = 0;
      if (self->kinds[i] != want || !bw_ide_get_activity (ide, i / 2, i % 2, &r, &w))
        continue;
      *read += r;
      *written += w;
      any = TRUE;
    }
  return any;
}

static void
bw_vm_app_controller_iface_init (BwVmControllerInterface *iface)
{
  iface->get_name = ctl_get_name;
  iface->get_state = ctl_get_state;
  iface->get_backend_name = ctl_get_backend_name;
  iface->get_backend_note = ctl_get_backend_note;
  iface->has_acpi = ctl_has_acpi;
  iface->get_log_path = ctl_get_log_path;
  iface->get_medium = ctl_get_medium;
  iface->has_cd_drive = ctl_has_cd_drive;
  iface->get_io_bytes = ctl_get_io_bytes;
  iface->pause = ctl_pause;
  iface->resume = ctl_resume;
  iface->reset = ctl_reset;
  iface->power_off = ctl_power_off;
  iface->acpi_shutdown = ctl_acpi_shutdown;
  iface->mount_medium = ctl_mount_medium;
  iface->put_scancodes = ctl_put_scancodes;
  iface->put_mouse = ctl_put_mouse;
}

/* Which lights the drives' counters ask for since the last look. */
static gboolean
poll_activity (gpointer data)
{
  BwVmAppController *self = data;
  BwDevice *ide = self->app->board ? bw_pc_board_get_ide (self->app->board) : NULL;
  guint what = 0;
  for (guint i = 0; ide && i < G_N_ELEMENTS (self->seen); i++)
    {
      guint64 r = 0, w = 0;
      if (self->kinds[i] == BW_IDE_DRIVE_NONE || !bw_ide_get_activity (ide, i / 2, i % 2, &r, &w))
        continue;
      if (r + w != self->seen[i])
        what |= self->kinds[i] == BW_IDE_DRIVE_CDROM ? BW_VM_ACTIVITY_CD : BW_VM_ACTIVITY_DISK;
      self->seen[i] = r + w;
    }
  if (what)
    bw_vm_controller_emit_activity (BW_VM_CONTROLLER (self), what);
  return G_SOURCE_CONTINUE;
}

/* The counters only move while the guest runs: no wake-ups otherwise. */
static void
update_activity_poll (BwVmAppController *self)
{
  gboolean running = self->app->vm && bw_vm_get_state (self->app->vm) == BW_VM_STATE_RUNNING;
  gboolean any = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (self->kinds); i++)
    any |= self->kinds[i] != BW_IDE_DRIVE_NONE;
  if (running && any && !self->activity_id)
    self->activity_id = g_timeout_add (ACTIVITY_POLL_MS, poll_activity, self);
  else if (!(running && any))
    g_clear_handle_id (&self->activity_id, g_source_remove);
}

static gboolean
state_on_main (gpointer data)
{
  update_activity_poll (BW_VM_APP_CONTROLLER (data));
  bw_vm_controller_emit_state_changed (BW_VM_CONTROLLER (data));
  return G_SOURCE_REMOVE;
}

/* Any thread. */
static void
on_vm_state (void *user_data, BwVm *vm, BwVmState old_state, BwVmState new_state,
             const char *reason)
{
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, state_on_main,
                              g_object_ref (user_data), g_object_unref);
}

static void
bw_vm_app_controller_dispose (GObject *object)
{
  BwVmAppController *self = BW_VM_APP_CONTROLLER (object);
  g_clear_handle_id (&self->activity_id, g_source_remove);
  if (self->listener && self->app->vm)
    bw_vm_remove_state_listener (self->app->vm, self->listener);
  self->listener = 0;
  G_OBJECT_CLASS (bw_vm_app_controller_parent_class)->dispose (object);
}

static void
bw_vm_app_controller_finalize (GObject *object)
{
  g_free (BW_VM_APP_CONTROLLER (object)->backend_note);
  G_OBJECT_CLASS (bw_vm_app_controller_parent_class)->finalize (object);
}

static void
bw_vm_app_controller_class_init (BwVmAppControllerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = bw_vm_app_controller_dispose;
  G_OBJECT_CLASS (klass)->finalize = bw_vm_app_controller_finalize;
}

static void
bw_vm_app_controller_init (BwVmAppController *self)
{
}

/* Why the software CPU runs when KVM was not asked against. */
static char *
backend_note (BwVm *vm)
{
  const BwCpuBackend *backend = bw_vm_get_backend (vm);
  const char *accel = bw_config_get_string_default (bw_vm_get_config (vm), "acceleration", "auto");
  if (!backend || g_str_equal (backend->name, "kvm") || !g_str_equal (accel, "auto"))
    return NULL;
  /* The probe alone (no calibration) names what a person can fix, such
   * as /dev/kvm's permissions; past it, the execution manager's own
   * verdict (KVM measured unusable or slow here). */
  const BwCpuBackend *kvm = bw_cpu_backend_find ("kvm");
  g_autoptr (GError) error = NULL;
  if (!kvm || !kvm->probe (&error))
    return g_strdup_printf ("hardware virtualization is not available%s%s",
                            error ? ": " : "", error ? error->message : "");
  const char *why = bw_vm_get_backend_reason (vm);
  return g_strdup (why ? why : "KVM measured slower than the software CPU here");
}

/* The drives on the IDE controller; the first CD drive is the one the
 * Devices menu serves (as `controlvm dvdattach` takes the first). */
static void
find_drives (BwVmAppController *self)
{
  BwDevice *ide = self->app->board ? bw_pc_board_get_ide (self->app->board) : NULL;
  for (guint i = 0; ide && i < G_N_ELEMENTS (self->kinds); i++)
    {
      BwIdeDriveInfo info;
      if (!bw_ide_get_drive_info (ide, i / 2, i % 2, &info))
        continue;
      self->kinds[i] = info.kind;
      if (info.kind == BW_IDE_DRIVE_CDROM && !self->has_cd)
        {
          self->has_cd = TRUE;
          self->cd_channel = i / 2;
          self->cd_position = i % 2;
        }
    }
}

/* The window's state, kept in the BwVmApp. */
typedef struct
{
  GtkApplication *gtk_app;
  BwVmAppController *controller;
  BwVmWindow *window;
} WindowState;

gboolean
bw_vm_app_window_init (GError **error)
{
  /* Capture needs the pointer confined and warped, which GTK 4 offers on
   * X11 only; on a Wayland desktop XWayland turns the grab and the warps
   * of a hidden pointer into Wayland's pointer constraints (as it does
   * for games). So X11 first, Wayland where there is no X server;
   * GDK_BACKEND set by the user still wins. */
  if (g_getenv ("GDK_BACKEND") == NULL)
    gdk_set_allowed_backends ("x11,*");
  if (!gtk_init_check ())
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "Cannot open the display%s%s (use --headless to run without a window)",
                   g_getenv ("DISPLAY") ? " " : "",
                   g_getenv ("DISPLAY") ? g_getenv ("DISPLAY") : "");
      return FALSE;
    }
  return TRUE;
}

/* The host-key preference, when the schema is installed. */
static char *
host_key_setting (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema
    = source ? g_settings_schema_source_lookup (source, "org.boxwood.Boxwood", TRUE) : NULL;
  if (!schema || !g_settings_schema_has_key (schema, "host-key"))
    return NULL;
  g_autoptr (GSettings) settings = g_settings_new_full (schema, NULL, NULL);
  return g_settings_get_string (settings, "host-key");
}

gboolean
bw_vm_app_window_open (BwVmApp *app, GError **error)
{
  BwDevice *vga = bw_pc_board_get_vga (app->board);
  WindowState *ws = g_new0 (WindowState, 1);
  app->window = ws;
  /* Never run: registering runs GtkApplication's start-up; our own main
   * loop then serves the window too. */
  ws->gtk_app = gtk_application_new (NULL, G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (ws->gtk_app), NULL, error))
    return FALSE;
  ws->controller = g_object_new (BW_VM_APP_TYPE_CONTROLLER, NULL);
  ws->controller->app = app;
  ws->controller->backend_note = backend_note (app->vm);
  find_drives (ws->controller);
  update_activity_poll (ws->controller);
  ws->controller->listener = bw_vm_add_state_listener (app->vm, on_vm_state, ws->controller);
  g_autoptr (BwVmFrameSource) source = vga ? bw_vm_vga_source_new (vga) : NULL;
  ws->window = bw_vm_window_new (ws->gtk_app, BW_VM_CONTROLLER (ws->controller), source);
  g_object_add_weak_pointer (G_OBJECT (ws->window), (gpointer *) &ws->window);
  /* The machine's display setting: scaled to the window, or fixed. */
  BwVmDisplay *display = bw_vm_window_get_display (ws->window);
  bw_vm_display_set_zoom (display, app->scale_fixed ? (int) app->scale_percent : 100);
  bw_vm_display_set_scale_mode (display,
                                app->scale_fixed ? BW_VM_SCALE_ONE_TO_ONE : BW_VM_SCALE_FIT);
  g_autofree char *host_key = host_key_setting ();
  if (host_key)
    bw_vm_window_set_host_key (ws->window, host_key);
  gtk_window_present (GTK_WINDOW (ws->window));
  /* It may have changed before the listener was added. */
  bw_vm_controller_emit_state_changed (BW_VM_CONTROLLER (ws->controller));
  return TRUE;
}

void
bw_vm_app_window_medium_changed (BwVmApp *app)
{
  WindowState *ws = app->window;
  if (ws && ws->controller)
    bw_vm_controller_emit_medium_changed (BW_VM_CONTROLLER (ws->controller));
}

void
bw_vm_app_window_close (BwVmApp *app)
{
  WindowState *ws = app->window;
  if (!ws)
    return;
  if (ws->window)
    gtk_window_destroy (GTK_WINDOW (ws->window));
  /* Let GTK finish with the window before the frame source's VGA goes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (ws->controller)
    g_object_run_dispose (G_OBJECT (ws->controller));
  g_clear_object (&ws->controller);
  g_clear_object (&ws->gtk_app);
  g_free (ws);
  app->window = NULL;
}
