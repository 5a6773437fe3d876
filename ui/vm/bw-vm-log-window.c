/* bw-vm-log-window.c: the machine's log as read-only text. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/vm/bw-vm-log-window.h"

#include <glib/gi18n.h>
#include <string.h>

/* A long-running machine's log can grow; its end is what one looks for. */
#define LOG_TAIL_BYTES (2u << 20)

struct _BwVmLogWindow
{
  GtkWindow parent_instance;

  GtkTextView *view;
  char *path;
};

G_DEFINE_FINAL_TYPE (BwVmLogWindow, bw_vm_log_window, GTK_TYPE_WINDOW)

/* The last LOG_TAIL_BYTES of the file, from a line start, as valid UTF-8. */
static char *
read_tail (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  const char *start = data;
  if (len > LOG_TAIL_BYTES)
    {
      start = data + len - LOG_TAIL_BYTES;
      const char *nl = memchr (start, '\n', data + len - start);
      if (nl)
        start = nl + 1;
    }
  return g_utf8_make_valid (start, data + len - start);
}

gboolean
bw_vm_log_window_reload (BwVmLogWindow *self, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *text = read_tail (self->path, &local);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->view);
  GtkTextIter end;

  if (text == NULL)
    {
      g_autofree char *why = g_strdup_printf (_("The log cannot be shown: %s"), local->message);
      gtk_text_buffer_set_text (buffer, why, -1);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  gtk_text_buffer_set_text (buffer, text, -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_place_cursor (buffer, &end);
  gtk_text_view_scroll_to_mark (self->view, gtk_text_buffer_get_insert (buffer), 0, FALSE, 0,
                                1.0);
  return TRUE;
}

static void
reload_action (GtkWidget *widget, const char *name, GVariant *param)
{
  bw_vm_log_window_reload (BW_VM_LOG_WINDOW (widget), NULL);
}

static void
bw_vm_log_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), BW_VM_TYPE_LOG_WINDOW);
  G_OBJECT_CLASS (bw_vm_log_window_parent_class)->dispose (object);
}

static void
bw_vm_log_window_finalize (GObject *object)
{
  g_free (BW_VM_LOG_WINDOW (object)->path);
  G_OBJECT_CLASS (bw_vm_log_window_parent_class)->finalize (object);
}

static void
bw_vm_log_window_class_init (BwVmLogWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = bw_vm_log_window_dispose;
  G_OBJECT_CLASS (klass)->finalize = bw_vm_log_window_finalize;
  gtk_widget_class_install_action (widget_class, "log.reload", NULL, reload_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "log.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/boxwood/VmWindow/ui/bw-vm-log-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BwVmLogWindow, view);
}

static void
bw_vm_log_window_init (BwVmLogWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

BwVmLogWindow *
bw_vm_log_window_new (GtkWindow *parent, const char *machine_name, const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);
  BwVmLogWindow *self = g_object_new (BW_VM_TYPE_LOG_WINDOW, "transient-for", parent, NULL);
  /* TRANSLATORS: the machine's name */
  g_autofree char *title = g_strdup_printf (_("%s - Log"), machine_name ? machine_name : "?");
  gtk_window_set_title (GTK_WINDOW (self), title);
  self->path = g_strdup (path);
  bw_vm_log_window_reload (self, NULL);
  return self;
}
