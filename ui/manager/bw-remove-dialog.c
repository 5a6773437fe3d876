/* bw-remove-dialog.c: unregister a machine, or delete its files. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/manager/bw-remove-dialog.h"

#include <glib/gi18n.h>

#include "ui/manager/bw-manager-window.h"

struct _BwRemoveDialog
{
  GtkWindow parent_instance;
  GtkLabel *heading;
  GtkLabel *files_label;
  GtkLabel *kept_label;
  BwClient *client;
  BwMachineItem *item;
};

G_DEFINE_FINAL_TYPE (BwRemoveDialog, bw_remove_dialog, GTK_TYPE_WINDOW)

GPtrArray *
bw_remove_dialog_files_to_delete (const char *settings_path)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  if (settings_path == NULL)
    return files;
  g_autofree char *dir = g_path_get_dirname (settings_path);
  g_autofree char *prev = g_strconcat (settings_path, "-prev", NULL);
  g_autofree char *logs = g_build_filename (dir, "Logs", NULL);
  const char *candidates[] = { settings_path, prev, logs };
  for (gsize i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (g_file_test (candidates[i], G_FILE_TEST_EXISTS))
      g_ptr_array_add (files, g_strdup (candidates[i]));
  return files;
}

static void
remove_machine (BwRemoveDialog *self, gboolean delete_files)
{
  g_autoptr (GError) error = NULL;
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  if (!bw_client_unregister_machine (self->client, bw_machine_item_get_uuid (self->item),
                                     delete_files, &error)
      && BW_IS_MANAGER_WINDOW (parent))
    {
      g_autofree char *doing
          = g_strdup_printf (_ ("Could not remove “%s”"), bw_machine_item_get_name (self->item));
      bw_manager_window_show_error (BW_MANAGER_WINDOW (parent), doing, error);
    }
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_unregister_clicked (BwRemoveDialog *self)
{
  remove_machine (self, FALSE);
}

static void
on_delete_clicked (BwRemoveDialog *self)
{
  remove_machine (self, TRUE);
}

BwRemoveDialog *
bw_remove_dialog_new (GtkWindow *parent, BwClient *client, BwMachineItem *item)
{
  BwRemoveDialog *self = g_object_new (BW_TYPE_REMOVE_DIALOG, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  self->item = g_object_ref (item);

  g_autofree char *heading = g_strdup_printf (_ ("Remove “%s”?"), bw_machine_item_get_name (item));
  gtk_label_set_text (self->heading, heading);
  g_autoptr (GPtrArray) files
      = bw_remove_dialog_files_to_delete (bw_machine_item_get_settings_path (item));
  g_autoptr (GString) text = g_string_new (NULL);
  for (guint i = 0; i < files->len; i++)
    g_string_append_printf (text, "%s%s", i ? "\n" : "", (char *)g_ptr_array_index (files, i));
  gtk_label_set_text (self->files_label, text->len ? text->str : _ ("(no files found)"));

  /* Disk images stay: another machine or a later one may want them. */
  g_autoptr (GString) kept = g_string_new (NULL);
  const BwMachineSettings *s = bw_machine_item_get_settings (item, NULL);
  for (guint c = 0; s != NULL && c < s->hardware->storage_controllers->len; c++)
    {
      BwStorageController *ctl = g_ptr_array_index (s->hardware->storage_controllers, c);
      for (guint a = 0; a < ctl->attachments->len; a++)
        {
          BwStorageAttachment *att = g_ptr_array_index (ctl->attachments, a);
          if (att->medium != NULL)
            g_string_append_printf (kept, "\n%s", att->medium);
        }
    }
  if (kept->len > 0)
    {
      g_autofree char *t
          = g_strdup_printf (_ ("Disk and disc images are kept in either case:%s"), kept->str);
      gtk_label_set_text (self->kept_label, t);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->kept_label), kept->len > 0);
  return self;
}

static void
bw_remove_dialog_dispose (GObject *object)
{
  BwRemoveDialog *self = BW_REMOVE_DIALOG (object);
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_REMOVE_DIALOG);
  g_clear_object (&self->client);
  g_clear_object (&self->item);
  G_OBJECT_CLASS (bw_remove_dialog_parent_class)->dispose (object);
}

static void
bw_remove_dialog_class_init (BwRemoveDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = bw_remove_dialog_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/boxwood/Boxwood/ui/bw-remove-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, BwRemoveDialog, heading);
  gtk_widget_class_bind_template_child (widget_class, BwRemoveDialog, files_label);
  gtk_widget_class_bind_template_child (widget_class, BwRemoveDialog, kept_label);
  gtk_widget_class_bind_template_callback (widget_class, on_unregister_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_delete_clicked);
  gtk_widget_class_bind_template_callback (widget_class, gtk_window_destroy);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bw_remove_dialog_init (BwRemoveDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
