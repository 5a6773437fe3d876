/* bw-application.c: the manager application. */
#define G_LOG_DOMAIN "boxwood-manager"
#include "config.h"

#include "app/manager/bw-application.h"

#include <glib/gi18n.h>

#include "ui/manager/bw-manager-window.h"
#include "ui/manager/bw-preferences-dialog.h"

#define APP_ID "org.boxwood.Boxwood"

struct _BwApplication
{
  GtkApplication parent_instance;
  GSettings *settings;
  gint64 started_us;
};

G_DEFINE_FINAL_TYPE (BwApplication, bw_application, GTK_TYPE_APPLICATION)

GSettings *
bw_application_load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema
      = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;
  if (schema == NULL)
    {
      /* Running from the build tree: data/ holds the compiled schema. */
      g_autofree char *dir = g_build_filename (BW_BUILD_DIR, "data", NULL);
      g_autoptr (GSettingsSchemaSource) local
          = g_settings_schema_source_new_from_directory (dir, source, FALSE, NULL);
      if (local != NULL)
        schema = g_settings_schema_source_lookup (local, APP_ID, TRUE);
    }
  if (schema == NULL)
    {
      g_warning ("GSettings schema %s is not installed; preferences are not kept", APP_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static BwManagerWindow *
main_window (BwApplication *self)
{
  GtkWindow *w = gtk_application_get_active_window (GTK_APPLICATION (self));
  while (w != NULL && !BW_IS_MANAGER_WINDOW (w))
    w = gtk_window_get_transient_for (w);
  return w ? BW_MANAGER_WINDOW (w) : NULL;
}

static void
action_preferences (GSimpleAction *action, GVariant *param, gpointer data)
{
  BwApplication *self = data;
  BwManagerWindow *win = main_window (self);
  if (self->settings == NULL)
    return;
  BwPreferencesDialog *dialog = bw_preferences_dialog_new (
      GTK_WINDOW (win), self->settings, win ? bw_manager_window_get_client (win) : NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
action_about (GSimpleAction *action, GVariant *param, gpointer data)
{
  BwApplication *self = data;
  const char *authors[] = { _ ("The Boxwood authors"), NULL };
  gtk_show_about_dialog (GTK_WINDOW (main_window (self)), "program-name", _ ("Boxwood"),
                         "logo-icon-name", APP_ID, "version", PACKAGE_VERSION, "comments",
                         _ ("Create and run virtual PCs"), "license-type", GTK_LICENSE_GPL_3_0,
                         "authors", authors, "translator-credits", _ ("translator-credits"), NULL);
}

static void
action_quit (GSimpleAction *action, GVariant *param, gpointer data)
{
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (data));
  while (windows != NULL)
    {
      gtk_window_destroy (windows->data);
      windows = gtk_application_get_windows (GTK_APPLICATION (data));
    }
}

static const GActionEntry app_entries[] = {
  { "preferences", action_preferences },
  { "about", action_about },
  { "quit", action_quit },
};

/* Phases of startup, printed with the first-frame report. */
static void
phase (BwApplication *self, const char *name)
{
  if (g_strcmp0 (g_getenv ("BOXWOOD_EXIT_AFTER_FIRST_FRAME"), "1") == 0)
    g_print ("phase %s %.1f\n", name, (g_get_monotonic_time () - self->started_us) / 1000.0);
}

static void
on_after_paint (GdkFrameClock *clock, BwApplication *self)
{
  g_signal_handlers_disconnect_by_func (clock, on_after_paint, self);
  g_print ("first-frame %.1f\n", (g_get_monotonic_time () - self->started_us) / 1000.0);
  g_application_quit (G_APPLICATION (self));
}

static void
on_window_mapped (GtkWidget *window, BwApplication *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), self);
}

/* The folder chosen in the preferences is the service's machine folder
 * too, so that boxwood-manage creates machines in the same place. */
static void
sync_machine_folder (BwApplication *self, BwManagerWindow *win)
{
  BwClient *client = bw_manager_window_get_client (win);
  if (self->settings == NULL || client == NULL)
    return;
  g_autofree char *folder = g_settings_get_string (self->settings, "machine-folder");
  if (*folder == '\0')
    return;
  g_autoptr (GHashTable) props = bw_client_get_system_properties (client, NULL);
  if (props != NULL && g_strcmp0 (g_hash_table_lookup (props, "machinefolder"), folder) != 0)
    {
      g_autoptr (GError) error = NULL;
      if (!bw_client_set_system_property (client, "machinefolder", folder, &error))
        bw_manager_window_show_error (win,
                                      _ ("Could not use the default machine folder from the "
                                         "preferences"),
                                      error);
    }
}

static void
bw_application_activate (GApplication *app)
{
  BwApplication *self = BW_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    {
      phase (self, "activate");
      BwManagerWindow *win = bw_manager_window_new (GTK_APPLICATION (app));
      phase (self, "window-built");
      if (g_strcmp0 (g_getenv ("BOXWOOD_EXIT_AFTER_FIRST_FRAME"), "1") == 0)
        g_signal_connect (win, "map", G_CALLBACK (on_window_mapped), self);
      if (bw_manager_window_connect (win))
        sync_machine_folder (self, win);
      phase (self, "listed");
      window = GTK_WINDOW (win);
    }
  gtk_window_present (window);
  phase (self, "presented");
}

/* `boxwood [--select MACHINE]`, also when the manager already runs: the
 * running one shows its window and selects the machine. */
static int
bw_application_command_line (GApplication *app, GApplicationCommandLine *cmdline)
{
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);
  const char *select = NULL;
  g_variant_dict_lookup (options, "select", "&s", &select);
  g_application_activate (app);
  BwManagerWindow *win = main_window (BW_APPLICATION (app));
  if (select != NULL && win != NULL)
    bw_manager_window_select_machine (win, select);
  return 0;
}

static void
bw_application_startup (GApplication *app)
{
  BwApplication *self = BW_APPLICATION (app);
  phase (self, "startup");
  G_APPLICATION_CLASS (bw_application_parent_class)->startup (app);
  phase (self, "gtk-ready");

  self->settings = bw_application_load_settings ();
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries, G_N_ELEMENTS (app_entries),
                                   app);
  static const struct
  {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "win.new", { "<Control>n", NULL } },
    { "win.settings", { "<Control>s", NULL } },
    { "win.start-headless", { "<Control><Shift>Return", NULL } },
    { "win.remove", { "Delete", NULL } },
    { "win.search", { "<Control>f", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "app.quit", { "<Control>q", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action,
                                           accels[i].accels);
}

static void
bw_application_dispose (GObject *object)
{
  g_clear_object (&BW_APPLICATION (object)->settings);
  G_OBJECT_CLASS (bw_application_parent_class)->dispose (object);
}

static void
bw_application_class_init (BwApplicationClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = bw_application_dispose;
  G_APPLICATION_CLASS (klass)->activate = bw_application_activate;
  G_APPLICATION_CLASS (klass)->startup = bw_application_startup;
  G_APPLICATION_CLASS (klass)->command_line = bw_application_command_line;
}

static void
bw_application_init (BwApplication *self)
{
  self->started_us = g_get_monotonic_time ();
  static const GOptionEntry options[] = {
    { "select", 0, 0, G_OPTION_ARG_STRING, NULL, N_ ("Select this machine in the list"),
      N_ ("NAME|UUID") },
    { NULL },
  };
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

BwApplication *
bw_application_new (void)
{
  return g_object_new (BW_TYPE_APPLICATION, "application-id", APP_ID, "flags",
                       G_APPLICATION_HANDLES_COMMAND_LINE, "resource-base-path",
                       "/org/boxwood/Boxwood", NULL);
}
