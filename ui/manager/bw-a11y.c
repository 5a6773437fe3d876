/* bw-a11y.c: accessible names GTK 4.8 leaves out. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/manager/bw-a11y.h"

static GtkWidget *
first_toggle_button (GtkWidget *w)
{
  for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_TOGGLE_BUTTON (c))
        return c;
      GtkWidget *found = first_toggle_button (c);
      if (found != NULL)
        return found;
    }
  return NULL;
}

void
bw_a11y_name_drop_down_buttons (GtkWidget *root)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      if (!GTK_IS_DROP_DOWN (c))
        {
          bw_a11y_name_drop_down_buttons (c);
          continue;
        }
      GtkWidget *button = first_toggle_button (c);
      if (button == NULL)
        continue;
      GList *labels = gtk_widget_list_mnemonic_labels (c);
      GtkWidget *by = labels != NULL ? labels->data : c;
      g_list_free (labels);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                      by, NULL, -1);
    }
}
