/* bw-preferences-dialog.c: default machine folder and host key. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/manager/bw-preferences-dialog.h"

#include <glib/gi18n.h>

#include "ui/manager/bw-error-text.h"

const char *const bw_host_key_names[]
    = { "Control_R", "Control_L", "Alt_R", "Alt_L", "Super_R", NULL };

struct _BwPreferencesDialog
{
  GtkWindow parent_instance;
  GtkEntry *folder_entry;
  GtkDropDown *host_key_dropdown;
  GtkLabel *problem_label;
  GSettings *settings;
  BwClient *client;
};

G_DEFINE_FINAL_TYPE (BwPreferencesDialog, bw_preferences_dialog, GTK_TYPE_WINDOW)

static gboolean
host_key_get (GValue *value, GVariant *variant, gpointer data)
{
  const char *name = g_variant_get_string (variant, NULL);
  for (guint i = 0; bw_host_key_names[i]; i++)
    if (g_str_equal (name, bw_host_key_names[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
host_key_set (const GValue *value, const GVariantType *type, gpointer data)
{
  guint i = g_value_get_uint (value);
  if (i >= g_strv_length ((char **)bw_host_key_names))
    return NULL;
  return g_variant_new_string (bw_host_key_names[i]);
}

static void
on_changed (BwPreferencesDialog *self)
{
}

/* The folder is stored when the dialog closes: a half-typed path must not
 * reach the service on every key press. */
static gboolean
on_close_request (BwPreferencesDialog *self)
{
  g_autofree char *folder
      = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->folder_entry))));
  if (*folder != '\0' && !g_path_is_absolute (folder))
    {
      gtk_label_set_text (self->problem_label,
                          _ ("The default machine folder must be a full path, starting with “/”."));
      gtk_widget_set_visible (GTK_WIDGET (self->problem_label), TRUE);
      return TRUE;
    }
  g_autoptr (GError) error = NULL;
  if (self->client != NULL
      && !bw_client_set_system_property (self->client, "machinefolder", folder, &error))
    {
      g_autofree char *text
          = bw_error_text (_ ("Could not change the default machine folder"), error);
      gtk_label_set_text (self->problem_label, text);
      gtk_widget_set_visible (GTK_WIDGET (self->problem_label), TRUE);
      return TRUE;
    }
  g_settings_set_string (self->settings, "machine-folder", folder);
  return FALSE;
}

static void
on_folder_chosen (GtkNativeDialog *chooser, int response, BwPreferencesDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->folder_entry), path);
    }
  g_object_unref (chooser);
}

static void
on_choose_folder (BwPreferencesDialog *self)
{
  GtkFileChooserNative *chooser
      = gtk_file_chooser_native_new (_ ("Default Machine Folder"), GTK_WINDOW (self),
                                     GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, NULL, NULL);
  g_signal_connect (chooser, "response", G_CALLBACK (on_folder_chosen), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

BwPreferencesDialog *
bw_preferences_dialog_new (GtkWindow *parent, GSettings *settings, BwClient *client)
{
  BwPreferencesDialog *self
      = g_object_new (BW_TYPE_PREFERENCES_DIALOG, "transient-for", parent, NULL);
  self->settings = g_object_ref (settings);
  self->client = client ? g_object_ref (client) : NULL;
  g_autofree char *folder = g_settings_get_string (settings, "machine-folder");
  gtk_editable_set_text (GTK_EDITABLE (self->folder_entry), folder);
  g_settings_bind_with_mapping (settings, "host-key", self->host_key_dropdown, "selected",
                                G_SETTINGS_BIND_DEFAULT, host_key_get, host_key_set, NULL, NULL);
  return self;
}

static void
bw_preferences_dialog_dispose (GObject *object)
{
  BwPreferencesDialog *self = BW_PREFERENCES_DIALOG (object);
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_PREFERENCES_DIALOG);
  g_clear_object (&self->settings);
  g_clear_object (&self->client);
  G_OBJECT_CLASS (bw_preferences_dialog_parent_class)->dispose (object);
}

static void
bw_preferences_dialog_class_init (BwPreferencesDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = bw_preferences_dialog_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/boxwood/Boxwood/ui/bw-preferences-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesDialog, folder_entry);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesDialog, host_key_dropdown);
  gtk_widget_class_bind_template_child (widget_class, BwPreferencesDialog, problem_label);
  gtk_widget_class_bind_template_callback (widget_class, on_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_folder);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bw_preferences_dialog_init (BwPreferencesDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "close-request", G_CALLBACK (on_close_request), NULL);
}
