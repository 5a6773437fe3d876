/* bw-vm-window.c: the VM window: menus, status bar, closing. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/vm/bw-vm-window.h"

#include <glib/gi18n.h>

#include "ui/vm/bw-vm-keymap.h"
#include "ui/vm/bw-vm-log-window.h"

struct _BwVmWindow
{
  GtkApplicationWindow parent_instance;

  GtkWidget *menu_bar;
  BwVmDisplay *display;
  GtkWidget *status_bar;
  GtkWidget *disk_led;
  GtkWidget *cd_led;
  GtkLabel *backend_label;
  GtkLabel *capture_label;

  BwVmController *controller;
  GtkWindow *log_window; /* weak */
  BwVmRunState state;
  guint disk_led_id, cd_led_id;
  gboolean confirmed_close;
  int last_screen_width, last_screen_height;
};

G_DEFINE_FINAL_TYPE (BwVmWindow, bw_vm_window, GTK_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_CONTROLLER,
  PROP_PAUSED,
  PROP_SCALE_TO_WINDOW,
  PROP_CAPTURED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
host_key_name (BwVmWindow *self)
{
  const char *name = bw_vm_keymap_key_name (bw_vm_display_get_host_key (self->display));
  return name ? name : "?";
}

char *
bw_vm_window_format_title (const char *name, BwVmRunState state, gboolean captured,
                           const char *key_name)
{
  /* TRANSLATORS: machine name, state; as VirtualBox: "Debian [Running] - Boxwood" */
  g_autofree char *title = g_strdup_printf (_("%s [%s] - Boxwood"), name ? name : "?",
                                            bw_vm_run_state_to_label (state));
  if (!captured)
    return g_steal_pointer (&title);
  /* TRANSLATORS: the title while the window holds keyboard and mouse */
  return g_strdup_printf (_("%s (captured: %s releases)"), title, key_name);
}

static void
update_title (BwVmWindow *self)
{
  g_autofree char *title = bw_vm_window_format_title (
    bw_vm_controller_get_name (self->controller), self->state,
    bw_vm_display_get_captured (self->display), host_key_name (self));
  gtk_window_set_title (GTK_WINDOW (self), title);
}

static void
update_capture_label (BwVmWindow *self)
{
  g_autofree char *text = NULL;
  if (bw_vm_display_get_captured (self->display))
    text = g_strdup_printf (_("Keyboard and mouse captured: press %s to release"),
                            host_key_name (self));
  else
    text = g_strdup_printf (_("Click the screen or press %s to capture"), host_key_name (self));
  gtk_label_set_text (self->capture_label, text);
}

static void
update_backend_label (BwVmWindow *self)
{
  const char *backend = bw_vm_controller_get_backend_name (self->controller);
  const char *note = bw_vm_controller_get_backend_note (self->controller);
  g_autofree char *text = NULL;

  if (backend == NULL)
    text = g_strdup (_("CPU: not started"));
  else
    text = g_strdup_printf (_("CPU: %s"), backend);
  gtk_label_set_text (self->backend_label, text);
  if (note != NULL)
    {
      /* TRANSLATORS: the backend, then why it runs the machine (e.g. "hardware
       * virtualization is not available: /dev/kvm does not exist") */
      g_autofree char *tip = g_strdup_printf (_("The %s runs this machine because %s."), backend,
                                              note);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->backend_label), tip);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->backend_label),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, tip, -1);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->backend_label), text);
}

/* What the CD light says: the disc in the drive (or that there is none). */
static char *
cd_text (BwVmWindow *self)
{
  g_autofree char *medium = bw_vm_controller_get_medium (self->controller);
  g_autofree char *base = medium ? g_path_get_basename (medium) : NULL;
  if (!bw_vm_controller_has_cd_drive (self->controller))
    return g_strdup (_("No CD/DVD drive"));
  if (base)
    /* TRANSLATORS: the disc image's file name */
    return g_strdup_printf (_("CD/DVD: %s"), base);
  return g_strdup (_("CD/DVD: empty"));
}

static void update_io_text (BwVmWindow *self, BwVmActivity kind);

static void
update_cd_led (BwVmWindow *self)
{
  g_autofree char *text = cd_text (self);
  gtk_widget_set_tooltip_text (self->cd_led, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->cd_led), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  text, -1);
  update_io_text (self, BW_VM_ACTIVITY_CD);
}

static void
update_actions (BwVmWindow *self)
{
  gboolean live = self->state == BW_VM_RUN_STATE_RUNNING || self->state == BW_VM_RUN_STATE_PAUSED;
  gboolean has_cd = bw_vm_controller_has_cd_drive (self->controller);
  g_autofree char *medium = bw_vm_controller_get_medium (self->controller);
  g_autofree char *log = bw_vm_controller_get_log_path (self->controller);
  GtkWidget *w = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (w, "vm.paused", live);
  gtk_widget_action_set_enabled (w, "vm.reset", live);
  gtk_widget_action_set_enabled (w, "vm.power-off", live || self->state == BW_VM_RUN_STATE_STARTING);
  gtk_widget_action_set_enabled (w, "vm.acpi-shutdown",
                                 self->state == BW_VM_RUN_STATE_RUNNING
                                   && bw_vm_controller_has_acpi (self->controller));
  gtk_widget_action_set_enabled (w, "vm.send-ctrl-alt-del", self->state == BW_VM_RUN_STATE_RUNNING);
  gtk_widget_action_set_enabled (w, "vm.send-ctrl-alt-backspace",
                                 self->state == BW_VM_RUN_STATE_RUNNING);
  gtk_widget_action_set_enabled (w, "vm.send-ctrl-alt-fn", self->state == BW_VM_RUN_STATE_RUNNING);
  gtk_widget_action_set_enabled (w, "vm.insert-disc", live && has_cd);
  gtk_widget_action_set_enabled (w, "vm.eject-disc", live && has_cd && medium != NULL);
  gtk_widget_action_set_enabled (w, "vm.show-log", log != NULL);
  update_cd_led (self);
}

static gboolean
close_idle (gpointer data)
{
  BwVmWindow *self = data;
  self->confirmed_close = TRUE;
  gtk_window_destroy (GTK_WINDOW (self));
  return G_SOURCE_REMOVE;
}

static void
state_changed (BwVmWindow *self)
{
  BwVmRunState old = self->state;
  self->state = bw_vm_controller_get_state (self->controller);
  if (old != self->state && (old == BW_VM_RUN_STATE_PAUSED || self->state == BW_VM_RUN_STATE_PAUSED))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
  if (self->state != BW_VM_RUN_STATE_RUNNING)
    {
      bw_vm_display_release_keys (self->display);
      bw_vm_display_set_captured (self->display, FALSE);
    }
  update_title (self);
  update_backend_label (self);
  update_actions (self);
  /* A machine that is off has nothing left to show (as VirtualBox). */
  if (self->state == BW_VM_RUN_STATE_POWERED_OFF && old != BW_VM_RUN_STATE_POWERED_OFF)
    g_idle_add_full (G_PRIORITY_DEFAULT, close_idle, g_object_ref (self), g_object_unref);
}

static void
show_error (BwVmWindow *self, const char *doing, const GError *error)
{
  GtkWidget *dialog = gtk_message_dialog_new (GTK_WINDOW (self), GTK_DIALOG_MODAL
                                                | GTK_DIALOG_DESTROY_WITH_PARENT,
                                              GTK_MESSAGE_ERROR, GTK_BUTTONS_CLOSE, "%s", doing);
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog), "%s", error->message);
  g_signal_connect (dialog, "response", G_CALLBACK (gtk_window_destroy), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
  g_message ("%s: %s", doing, error->message);
}

/* ---- LEDs ---- */

static gboolean
disk_led_off (gpointer data)
{
  BwVmWindow *self = data;
  self->disk_led_id = 0;
  gtk_widget_set_opacity (self->disk_led, 0.3);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->disk_led), GTK_ACCESSIBLE_STATE_BUSY, FALSE,
                               -1);
  return G_SOURCE_REMOVE;
}

static gboolean
cd_led_off (gpointer data)
{
  BwVmWindow *self = data;
  self->cd_led_id = 0;
  gtk_widget_set_opacity (self->cd_led, 0.3);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->cd_led), GTK_ACCESSIBLE_STATE_BUSY, FALSE,
                               -1);
  return G_SOURCE_REMOVE;
}

static void
flash (GtkWidget *led, guint *id)
{
  if (*id == 0)
    gtk_accessible_update_state (GTK_ACCESSIBLE (led), GTK_ACCESSIBLE_STATE_BUSY, TRUE, -1);
  gtk_widget_set_opacity (led, 1.0);
  g_clear_handle_id (id, g_source_remove);
}

/* The light's tooltip and accessible description count the guest's I/O
 * (as VirtualBox's status bar tells per device). */
static void
update_io_text (BwVmWindow *self, BwVmActivity kind)
{
  GtkWidget *led = kind == BW_VM_ACTIVITY_CD ? self->cd_led : self->disk_led;
  guint64 r, w;
  if (!bw_vm_controller_get_io_bytes (self->controller, kind, &r, &w))
    return;
  g_autofree char *rs = g_format_size (r);
  g_autofree char *ws = g_format_size (w);
  g_autofree char *text = NULL;
  if (kind == BW_VM_ACTIVITY_CD)
    /* TRANSLATORS: an amount of data such as "2.1 MB" */
    text = g_strdup_printf (_("%s read"), rs);
  else
    /* TRANSLATORS: amounts of data such as "2.1 MB" */
    text = g_strdup_printf (_("%s read, %s written"), rs, ws);
  gtk_accessible_update_property (GTK_ACCESSIBLE (led), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                  -1);
  if (kind == BW_VM_ACTIVITY_DISK)
    {
      g_autofree char *tip = g_strdup_printf (_("Hard disk activity: %s"), text);
      gtk_widget_set_tooltip_text (led, tip);
    }
  else
    {
      /* The CD light's name says which disc; the counts follow it. */
      g_autofree char *name = cd_text (self);
      g_autofree char *tip = g_strdup_printf ("%s (%s)", name, text);
      gtk_widget_set_tooltip_text (led, tip);
    }
}

/* A light stays on 250 ms after the last activity it was told of; the
 * timeouts are removed in dispose, so they never outlive the window. */
static void
activity (BwVmWindow *self, guint what)
{
  if (what & BW_VM_ACTIVITY_DISK)
    {
      flash (self->disk_led, &self->disk_led_id);
      self->disk_led_id = g_timeout_add (250, disk_led_off, self);
      update_io_text (self, BW_VM_ACTIVITY_DISK);
    }
  if (what & BW_VM_ACTIVITY_CD)
    {
      flash (self->cd_led, &self->cd_led_id);
      self->cd_led_id = g_timeout_add (250, cd_led_off, self);
      update_io_text (self, BW_VM_ACTIVITY_CD);
    }
}

guint
bw_vm_window_get_lit_activity (BwVmWindow *self)
{
  g_return_val_if_fail (BW_VM_IS_WINDOW (self), 0);
  return (self->disk_led_id ? BW_VM_ACTIVITY_DISK : 0) | (self->cd_led_id ? BW_VM_ACTIVITY_CD : 0);
}

/* ---- Display callbacks ---- */

static void
display_scancodes (BwVmWindow *self, GBytes *codes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (codes, &len);
  if (self->state == BW_VM_RUN_STATE_RUNNING)
    bw_vm_controller_put_scancodes (self->controller, data, len);
}

static void
display_mouse (BwVmWindow *self, int dx, int dy, int dz, guint buttons)
{
  if (self->state == BW_VM_RUN_STATE_RUNNING)
    bw_vm_controller_put_mouse (self->controller, dx, dy, dz, buttons);
}

static void
display_captured_changed (BwVmWindow *self)
{
  update_title (self);
  update_capture_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPTURED]);
}

static void
display_screen_changed (BwVmWindow *self)
{
  int w, h;
  bw_vm_display_get_screen_size (self->display, &w, &h);
  if (w <= 0 || h <= 0 || (w == self->last_screen_width && h == self->last_screen_height))
    return;
  self->last_screen_width = w;
  self->last_screen_height = h;
  /* Follow the guest's resolution: size the window for 1:1 (the window
   * manager may clamp it to the screen). */
  if (!gtk_window_is_fullscreen (GTK_WINDOW (self))
      && !gtk_window_is_maximized (GTK_WINDOW (self)))
    {
      int bar_h = 0, status_h = 0;
      gtk_widget_measure (self->menu_bar, GTK_ORIENTATION_VERTICAL, -1, NULL, &bar_h, NULL, NULL);
      gtk_widget_measure (self->status_bar, GTK_ORIENTATION_VERTICAL, -1, NULL, &status_h, NULL,
                          NULL);
      gtk_window_set_default_size (GTK_WINDOW (self), w, h + bar_h + status_h);
    }
}

static void
send_ctrl_alt (BwVmWindow *self, guint key)
{
  guint keys[] = { BW_VM_KEY_LEFTCTRL, BW_VM_KEY_LEFTALT, key };
  bw_vm_display_send_combo (self->display, keys, G_N_ELEMENTS (keys));
}

static void do_close (BwVmWindow *self);

static void
display_host_action (BwVmWindow *self, int action)
{
  switch ((BwVmHostAction) action)
    {
    case BW_VM_HOST_ACTION_FULLSCREEN:
      if (gtk_window_is_fullscreen (GTK_WINDOW (self)))
        gtk_window_unfullscreen (GTK_WINDOW (self));
      else
        gtk_window_fullscreen (GTK_WINDOW (self));
      break;
    case BW_VM_HOST_ACTION_SCALE_MODE:
      g_object_set (self, "scale-to-window",
                    bw_vm_display_get_scale_mode (self->display) != BW_VM_SCALE_FIT, NULL);
      break;
    case BW_VM_HOST_ACTION_CTRL_ALT_DEL:
      if (self->state == BW_VM_RUN_STATE_RUNNING)
        send_ctrl_alt (self, BW_VM_KEY_DELETE);
      break;
    case BW_VM_HOST_ACTION_PAUSE:
      g_object_set (self, "paused", self->state != BW_VM_RUN_STATE_PAUSED, NULL);
      break;
    case BW_VM_HOST_ACTION_RESET:
      gtk_widget_activate_action (GTK_WIDGET (self), "vm.reset", NULL);
      break;
    case BW_VM_HOST_ACTION_CLOSE:
      do_close (self);
      break;
    }
}

/* ---- Actions ---- */

#define DO(self, call, doing)                                                                \
  G_STMT_START                                                                               \
  {                                                                                          \
    g_autoptr (GError) error_ = NULL;                                                        \
    if (!(call))                                                                             \
      show_error (self, doing, error_);                                                      \
  }                                                                                          \
  G_STMT_END

static void
reset_action (GtkWidget *widget, const char *name, GVariant *param)
{
  BwVmWindow *self = BW_VM_WINDOW (widget);
  DO (self, bw_vm_controller_reset (self->controller, &error_), _("The machine could not be reset"));
}

static void
power_off_action (GtkWidget *widget, const char *name, GVariant *param)
{
  BwVmWindow *self = BW_VM_WINDOW (widget);
  DO (self, bw_vm_controller_power_off (self->controller, &error_),
      _("The machine could not be powered off"));
}

static void
acpi_shutdown_action (GtkWidget *widget, const char *name, GVariant *param)
{
  BwVmWindow *self = BW_VM_WINDOW (widget);
  DO (self, bw_vm_controller_acpi_shutdown (self->controller, &error_),
      _("The shutdown signal could not be sent"));
}

static void
show_log_action (GtkWidget *widget, const char *name, GVariant *param)
{
  BwVmWindow *self = BW_VM_WINDOW (widget);
  g_autofree char *path = bw_vm_controller_get_log_path (self->controller);
  if (path == NULL)
    return;
  if (self->log_window != NULL)
    bw_vm_log_window_reload (BW_VM_LOG_WINDOW (self->log_window), NULL);
  else
    {
      self->log_window = GTK_WINDOW (
        bw_vm_log_window_new (GTK_WINDOW (self), bw_vm_controller_get_name (self->controller),
                              path));
      gtk_window_set_destroy_with_parent (self->log_window, TRUE);
      g_object_add_weak_pointer (G_OBJECT (self->log_window), (gpointer *) &self->log_window);
    }
  gtk_window_present (self->log_window);
}

static void
send_ctrl_alt_del_action (GtkWidget *widget, const char *name, GVariant *param)
{
  send_ctrl_alt (BW_VM_WINDOW (widget), BW_VM_KEY_DELETE);
}

static void
send_ctrl_alt_backspace_action (GtkWidget *widget, const char *name, GVariant *param)
{
  send_ctrl_alt (BW_VM_WINDOW (widget), BW_VM_KEY_BACKSPACE);
}

static void
send_ctrl_alt_fn_action (GtkWidget *widget, const char *name, GVariant *param)
{
  guint n = g_variant_get_uint32 (param);
  if (n >= 1 && n <= 10)
    send_ctrl_alt (BW_VM_WINDOW (widget), BW_VM_KEY_F1 + n - 1);
  else if (n == 11)
    send_ctrl_alt (BW_VM_WINDOW (widget), BW_VM_KEY_F11);
  else if (n == 12)
    send_ctrl_alt (BW_VM_WINDOW (widget), BW_VM_KEY_F12);
}

static void
screenshot_response (GtkNativeDialog *chooser, int response, BwVmWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path != NULL)
        DO (self, bw_vm_window_save_screenshot (self, path, &error_),
            _("The screenshot could not be saved"));
    }
  g_object_unref (chooser);
}

static void
screenshot_action (GtkWidget *widget, const char *name, GVariant *param)
{
  BwVmWindow *self = BW_VM_WINDOW (widget);
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (
    _("Save Screenshot"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
    _("_Cancel"));
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H-%M-%S");
  g_autofree char *file_name = g_strdup_printf ("%s %s.png",
                                                bw_vm_controller_get_name (self->controller),
                                                stamp);

  gtk_file_filter_set_name (filter, _("PNG images"));
  gtk_file_filter_add_mime_type (filter, "image/png");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), file_name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (screenshot_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
insert_response (GtkNativeDialog *chooser, int response, BwVmWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path != NULL)
        DO (self, bw_vm_controller_mount_medium (self->controller, path, &error_),
            _("The disc image could not be inserted"));
    }
  g_object_unref (chooser);
}

static void
insert_disc_action (GtkWidget *widget, const char *name, GVariant *param)
{
  BwVmWindow *self = BW_VM_WINDOW (widget);
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (
    _("Insert Disc Image"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN, _("_Insert"),
    _("_Cancel"));
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Disc images (ISO)"));
  gtk_file_filter_add_pattern (filter, "*.iso");
  gtk_file_filter_add_pattern (filter, "*.ISO");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (insert_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
eject_disc_action (GtkWidget *widget, const char *name, GVariant *param)
{
  BwVmWindow *self = BW_VM_WINDOW (widget);
  DO (self, bw_vm_controller_mount_medium (self->controller, NULL, &error_),
      _("The disc could not be ejected"));
}

static void
about_action (GtkWidget *widget, const char *name, GVariant *param)
{
  gtk_show_about_dialog (GTK_WINDOW (widget), "program-name", "Boxwood", "version",
                         PACKAGE_VERSION, "comments",
                         _("Runs PC virtual machines on KVM or on its own x86 CPU"),
                         "license-type", GTK_LICENSE_GPL_3_0, "logo-icon-name",
                         "org.boxwood.Boxwood", NULL);
}

/* ---- Closing ---- */

enum
{
  CLOSE_ACPI = 1,
  CLOSE_POWER_OFF = 2,
};

static void
close_response (GtkDialog *dialog, int response, BwVmWindow *self)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response == CLOSE_ACPI)
    DO (self, bw_vm_controller_acpi_shutdown (self->controller, &error_),
        _("The shutdown signal could not be sent"));
  else if (response == CLOSE_POWER_OFF)
    DO (self, bw_vm_controller_power_off (self->controller, &error_),
        _("The machine could not be powered off"));
}

static void
do_close (BwVmWindow *self)
{
  GtkWidget *dialog;

  if (self->state != BW_VM_RUN_STATE_RUNNING && self->state != BW_VM_RUN_STATE_PAUSED
      && self->state != BW_VM_RUN_STATE_STARTING)
    {
      close_idle (self);
      return;
    }
  bw_vm_display_set_captured (self->display, FALSE);
  dialog = gtk_message_dialog_new (GTK_WINDOW (self),
                                   GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Close the virtual machine?"));
  gtk_window_set_title (GTK_WINDOW (dialog), _("Close Virtual Machine"));
  gtk_message_dialog_format_secondary_text (
    GTK_MESSAGE_DIALOG (dialog), "%s",
    _("Sending the shutdown signal lets the guest shut down cleanly. Powering off is like "
      "pulling the plug: unsaved data in the guest is lost."));
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Cancel"), GTK_RESPONSE_CANCEL);
  if (bw_vm_controller_has_acpi (self->controller) && self->state == BW_VM_RUN_STATE_RUNNING)
    gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Send the Shutdown Signal"), CLOSE_ACPI);
  gtk_dialog_add_button (GTK_DIALOG (dialog), _("_Power Off the Machine"), CLOSE_POWER_OFF);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog),
                                   bw_vm_controller_has_acpi (self->controller)
                                     ? CLOSE_ACPI
                                     : CLOSE_POWER_OFF);
  g_signal_connect (dialog, "response", G_CALLBACK (close_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
bw_vm_window_close_request (GtkWindow *window)
{
  BwVmWindow *self = BW_VM_WINDOW (window);
  if (self->confirmed_close)
    return FALSE;
  do_close (self);
  return TRUE;
}

/* ---- Public API ---- */

BwVmWindow *
bw_vm_window_new (GtkApplication *app, BwVmController *controller, BwVmFrameSource *source)
{
  BwVmWindow *self;
  g_return_val_if_fail (BW_VM_IS_CONTROLLER (controller), NULL);
  self = g_object_new (BW_VM_TYPE_WINDOW, "application", app, "controller", controller, NULL);
  if (source != NULL)
    bw_vm_display_set_source (self->display, source);
  return self;
}

BwVmController *
bw_vm_window_get_controller (BwVmWindow *self)
{
  return self->controller;
}

BwVmDisplay *
bw_vm_window_get_display (BwVmWindow *self)
{
  return self->display;
}

void
bw_vm_window_set_host_key (BwVmWindow *self, const char *setting)
{
  guint key = bw_vm_keymap_key_from_setting (setting);
  bw_vm_display_set_host_key (self->display, key != 0 ? key : BW_VM_KEY_RIGHTCTRL);
  update_title (self);
  update_capture_label (self);
}

gboolean
bw_vm_window_save_screenshot (BwVmWindow *self, const char *path, GError **error)
{
  BwVmFrameSource *source = bw_vm_display_get_source (self->display);
  const guint32 *pixels = NULL;
  int width = 0, height = 0, stride = 0;
  g_autofree guint32 *copy = NULL;
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  if (source != NULL)
    pixels = bw_vm_frame_source_get_pixels (source, &width, &height, &stride);
  if (pixels == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The guest screen is blank; there is nothing to save"));
      return FALSE;
    }
  /* XRGB with X undefined -> opaque BGRA bytes. */
  copy = g_new (guint32, (gsize) width * height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      copy[(gsize) y * width + x] = GUINT32_TO_LE (pixels[(gsize) y * stride + x] | 0xFF000000u);
  bytes = g_bytes_new_take (g_steal_pointer (&copy), (gsize) width * height * 4);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, bytes,
                                    (gsize) width * 4);
  if (!gdk_texture_save_to_png (texture, path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s could not be written"), path);
      return FALSE;
    }
  return TRUE;
}

/* ---- GObject ---- */

static void
bw_vm_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BwVmWindow *self = BW_VM_WINDOW (object);
  switch (prop_id)
    {
    case PROP_CONTROLLER:
      g_value_set_object (value, self->controller);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, self->state == BW_VM_RUN_STATE_PAUSED);
      break;
    /* The menu model asks before the template children are bound. */
    case PROP_SCALE_TO_WINDOW:
      g_value_set_boolean (value, self->display == NULL
                                    || bw_vm_display_get_scale_mode (self->display)
                                         == BW_VM_SCALE_FIT);
      break;
    case PROP_CAPTURED:
      g_value_set_boolean (value, self->display != NULL
                                    && bw_vm_display_get_captured (self->display));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_paused (BwVmWindow *self, gboolean paused)
{
  if (paused == (self->state == BW_VM_RUN_STATE_PAUSED))
    return;
  if (paused)
    DO (self, bw_vm_controller_pause (self->controller, &error_),
        _("The machine could not be paused"));
  else
    DO (self, bw_vm_controller_resume (self->controller, &error_),
        _("The machine could not be resumed"));
  /* The controller reports the new state through "state-changed"; notify
   * anyway so that the menu's check mark shows the truth after a failure. */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

static void
bw_vm_window_set_property (GObject *object, guint prop_id, const GValue *value,
                           GParamSpec *pspec)
{
  BwVmWindow *self = BW_VM_WINDOW (object);
  switch (prop_id)
    {
    case PROP_CONTROLLER:
      self->controller = g_value_dup_object (value);
      break;
    case PROP_PAUSED:
      set_paused (self, g_value_get_boolean (value));
      break;
    case PROP_SCALE_TO_WINDOW:
      bw_vm_display_set_scale_mode (self->display, g_value_get_boolean (value)
                                                     ? BW_VM_SCALE_FIT
                                                     : BW_VM_SCALE_ONE_TO_ONE);
      g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_CAPTURED:
      bw_vm_display_set_captured (self->display, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
window_active_changed (BwVmWindow *self)
{
  /* Keys held while another window takes over would stay down. */
  if (!gtk_window_is_active (GTK_WINDOW (self)))
    {
      bw_vm_display_release_keys (self->display);
      bw_vm_display_set_captured (self->display, FALSE);
    }
}

static void
bw_vm_window_constructed (GObject *object)
{
  BwVmWindow *self = BW_VM_WINDOW (object);

  G_OBJECT_CLASS (bw_vm_window_parent_class)->constructed (object);
  g_return_if_fail (self->controller != NULL);
  g_signal_connect_object (self->controller, "state-changed", G_CALLBACK (state_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->controller, "activity", G_CALLBACK (activity), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->controller, "medium-changed", G_CALLBACK (update_actions), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (self, "notify::is-active", G_CALLBACK (window_active_changed), NULL);
  self->state = bw_vm_controller_get_state (self->controller);
  /* Keys go to the guest from the start (the display keeps the focus). */
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->display));
  update_title (self);
  update_backend_label (self);
  update_capture_label (self);
  update_actions (self);
  update_io_text (self, BW_VM_ACTIVITY_DISK);
}

static void
bw_vm_window_dispose (GObject *object)
{
  BwVmWindow *self = BW_VM_WINDOW (object);
  if (self->log_window != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->log_window), (gpointer *) &self->log_window);
      gtk_window_destroy (self->log_window);
      self->log_window = NULL;
    }
  g_clear_handle_id (&self->disk_led_id, g_source_remove);
  g_clear_handle_id (&self->cd_led_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_VM_TYPE_WINDOW);
  G_OBJECT_CLASS (bw_vm_window_parent_class)->dispose (object);
}

static void
bw_vm_window_finalize (GObject *object)
{
  BwVmWindow *self = BW_VM_WINDOW (object);
  g_clear_object (&self->controller);
  G_OBJECT_CLASS (bw_vm_window_parent_class)->finalize (object);
}

static void
bw_vm_window_class_init (BwVmWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = bw_vm_window_get_property;
  object_class->set_property = bw_vm_window_set_property;
  object_class->constructed = bw_vm_window_constructed;
  object_class->dispose = bw_vm_window_dispose;
  object_class->finalize = bw_vm_window_finalize;
  window_class->close_request = bw_vm_window_close_request;

  properties[PROP_CONTROLLER] = g_param_spec_object (
    "controller", NULL, NULL, BW_VM_TYPE_CONTROLLER,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAUSED] = g_param_spec_boolean (
    "paused", NULL, NULL, FALSE,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SCALE_TO_WINDOW] = g_param_spec_boolean (
    "scale-to-window", NULL, NULL, TRUE,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAPTURED] = g_param_spec_boolean (
    "captured", NULL, NULL, FALSE,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_property_action (widget_class, "vm.paused", "paused");
  gtk_widget_class_install_property_action (widget_class, "vm.fullscreen", "fullscreened");
  gtk_widget_class_install_property_action (widget_class, "vm.scale-to-window", "scale-to-window");
  gtk_widget_class_install_property_action (widget_class, "vm.captured", "captured");
  gtk_widget_class_install_action (widget_class, "vm.reset", NULL, reset_action);
  gtk_widget_class_install_action (widget_class, "vm.power-off", NULL, power_off_action);
  gtk_widget_class_install_action (widget_class, "vm.acpi-shutdown", NULL, acpi_shutdown_action);
  gtk_widget_class_install_action (widget_class, "vm.show-log", NULL, show_log_action);
  gtk_widget_class_install_action (widget_class, "vm.screenshot", NULL, screenshot_action);
  gtk_widget_class_install_action (widget_class, "vm.send-ctrl-alt-del", NULL,
                                   send_ctrl_alt_del_action);
  gtk_widget_class_install_action (widget_class, "vm.send-ctrl-alt-backspace", NULL,
                                   send_ctrl_alt_backspace_action);
  gtk_widget_class_install_action (widget_class, "vm.send-ctrl-alt-fn", "u",
                                   send_ctrl_alt_fn_action);
  gtk_widget_class_install_action (widget_class, "vm.insert-disc", NULL, insert_disc_action);
  gtk_widget_class_install_action (widget_class, "vm.eject-disc", NULL, eject_disc_action);
  gtk_widget_class_install_action (widget_class, "vm.about", NULL, about_action);

  g_type_ensure (BW_VM_TYPE_DISPLAY);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/boxwood/VmWindow/ui/bw-vm-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BwVmWindow, menu_bar);
  gtk_widget_class_bind_template_child (widget_class, BwVmWindow, display);
  gtk_widget_class_bind_template_child (widget_class, BwVmWindow, status_bar);
  gtk_widget_class_bind_template_child (widget_class, BwVmWindow, disk_led);
  gtk_widget_class_bind_template_child (widget_class, BwVmWindow, cd_led);
  gtk_widget_class_bind_template_child (widget_class, BwVmWindow, backend_label);
  gtk_widget_class_bind_template_child (widget_class, BwVmWindow, capture_label);
  gtk_widget_class_bind_template_callback (widget_class, display_scancodes);
  gtk_widget_class_bind_template_callback (widget_class, display_mouse);
  gtk_widget_class_bind_template_callback (widget_class, display_host_action);
  gtk_widget_class_bind_template_callback (widget_class, display_captured_changed);
  gtk_widget_class_bind_template_callback (widget_class, display_screen_changed);
}

static void
bw_vm_window_init (BwVmWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
