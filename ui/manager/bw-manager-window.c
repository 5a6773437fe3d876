/* bw-manager-window.c: the manager's main window. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/manager/bw-manager-window.h"

#include <glib/gi18n.h>

#include "ui/manager/bw-error-text.h"
#include "ui/manager/bw-machine-details.h"
#include "ui/manager/bw-machine-list.h"
#include "ui/manager/bw-machine-row.h"
#include "ui/manager/bw-new-machine-wizard.h"
#include "ui/manager/bw-remove-dialog.h"
#include "ui/manager/bw-settings-dialog.h"

struct _BwManagerWindow
{
  GtkApplicationWindow parent_instance;

  GtkToggleButton *search_button;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkStack *list_stack;
  GtkListView *list_view;
  GtkLabel *empty_label;
  BwMachineDetails *details;
  GtkRevealer *error_revealer;
  GtkLabel *error_label;
  GtkWidget *retry_button;
  GtkWidget *context_popover;
  GMenuModel *context_menu;

  BwClient *client;
  BwMachineList *machines;
  GtkStringFilter *filter;
  GtkFilterListModel *filtered;
  GtkSingleSelection *selection;
  BwMachineItem *selected;
  char *pending_select; /* uuid to select once MachineRegistered brings it */
};

G_DEFINE_FINAL_TYPE (BwManagerWindow, bw_manager_window, GTK_TYPE_APPLICATION_WINDOW)

BwClient *
bw_manager_window_get_client (BwManagerWindow *self)
{
  return self->client;
}

void
bw_manager_window_show_error (BwManagerWindow *self, const char *doing, const GError *error)
{
  g_autofree char *text = bw_error_text (doing, error);
  gtk_label_set_text (self->error_label, text);
  gtk_widget_set_visible (
      self->retry_button,
      error != NULL && g_error_matches (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_NO_SERVICE));
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
  g_message ("%s", text);
}

static void
hide_error (BwManagerWindow *self)
{
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
}

static void
update_actions (BwManagerWindow *self)
{
  BwMachineItem *item = self->selected;
  gboolean connected = self->client != NULL;
  gboolean readable = item != NULL && bw_machine_item_get_error (item) == NULL;
  gboolean live = item != NULL && bw_machine_item_is_live (item);
  const struct
  {
    const char *name;
    gboolean enabled;
  } states[] = {
    { "new", connected },
    { "settings", readable },
    { "start", readable && !live },
    { "start-headless", readable && !live },
    { "remove", item != NULL && !live },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (states); i++)
    {
      GAction *a = g_action_map_lookup_action (G_ACTION_MAP (self), states[i].name);
      g_simple_action_set_enabled (G_SIMPLE_ACTION (a), states[i].enabled);
    }
}

static void
update_empty (BwManagerWindow *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  guint all = g_list_model_get_n_items (G_LIST_MODEL (self->machines));
  gtk_label_set_text (self->empty_label, all == 0 ? _ ("No machines yet. Choose New to create one.")
                                                  : _ ("No machine matches the search."));
  gtk_stack_set_visible_child_name (self->list_stack, shown > 0 ? "list" : "empty");
}

static void
on_item_notify (BwManagerWindow *self)
{
  update_actions (self);
}

static void
on_selection_changed (BwManagerWindow *self)
{
  BwMachineItem *item = gtk_single_selection_get_selected_item (self->selection);
  if (self->selected != NULL)
    g_signal_handlers_disconnect_by_data (self->selected, self);
  g_set_object (&self->selected, item);
  if (item != NULL)
    g_signal_connect_swapped (item, "notify::state", G_CALLBACK (on_item_notify), self);
  bw_machine_details_set_item (self->details, item);
  update_actions (self);
}

static void
on_items_changed (BwManagerWindow *self)
{
  update_empty (self);
  if (self->pending_select != NULL && bw_manager_window_select (self, self->pending_select))
    g_clear_pointer (&self->pending_select, g_free);
  on_selection_changed (self);
}

static void
on_client_closed (BwManagerWindow *self)
{
  g_autoptr (GError) error = g_error_new_literal (BW_CLIENT_ERROR, BW_CLIENT_ERROR_NO_SERVICE,
                                                  _ ("the service stopped"));
  bw_machine_list_set_client (self->machines, NULL, NULL);
  g_clear_object (&self->client);
  bw_manager_window_show_error (self, _ ("Lost the connection to Boxwood’s service"), error);
  update_actions (self);
}

gboolean
bw_manager_window_connect (BwManagerWindow *self)
{
  g_autoptr (GError) error = NULL;
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  self->client = bw_client_connect (&error);
  if (self->client == NULL || !bw_machine_list_set_client (self->machines, self->client, &error))
    {
      g_clear_object (&self->client);
      bw_manager_window_show_error (self, _ ("Could not list the machines"), error);
      update_actions (self);
      return FALSE;
    }
  g_signal_connect_swapped (self->client, "closed", G_CALLBACK (on_client_closed), self);
  hide_error (self);
  update_actions (self);
  return TRUE;
}

gboolean
bw_manager_window_select (BwManagerWindow *self, const char *uuid)
{
  GListModel *model = G_LIST_MODEL (self->filtered);
  guint n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (BwMachineItem) item = g_list_model_get_item (model, i);
      if (g_strcmp0 (bw_machine_item_get_uuid (item), uuid) == 0
          || g_strcmp0 (bw_machine_item_get_name (item), uuid) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", i);
          return TRUE;
        }
    }
  return FALSE;
}

void
bw_manager_window_select_machine (BwManagerWindow *self, const char *machine)
{
  g_return_if_fail (BW_IS_MANAGER_WINDOW (self));
  g_clear_pointer (&self->pending_select, g_free);
  if (machine == NULL || bw_manager_window_select (self, machine))
    return;
  if (self->client == NULL)
    {
      /* Not listed yet: once the service is back (Retry), it is chosen. */
      self->pending_select = g_strdup (machine);
      return;
    }
  g_autoptr (GError) error = g_error_new (BW_CLIENT_ERROR, BW_CLIENT_ERROR_UNKNOWN_MACHINE,
                                          _ ("there is no machine “%s”"), machine);
  bw_manager_window_show_error (self, _ ("Could not select the machine"), error);
}

static char *
find_vm_program (void)
{
  const char *env = g_getenv ("BOXWOOD_VM");
  if (env != NULL && *env != '\0')
    return g_file_test (env, G_FILE_TEST_IS_EXECUTABLE) ? g_strdup (env) : NULL;
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  if (self_path != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self_path);
      g_autofree char *next = g_build_filename (dir, "boxwood-vm", NULL);
      if (g_file_test (next, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&next);
    }
  g_autofree char *built = g_build_filename (BW_BUILD_DIR, "app", "vm", "boxwood-vm", NULL);
  if (g_file_test (built, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&built);
  return g_find_program_in_path ("boxwood-vm");
}

char *
bw_manager_find_vm_program (GError **error)
{
  char *program = find_vm_program ();
  if (program == NULL)
    g_set_error_literal (error, BW_CLIENT_ERROR, BW_CLIENT_ERROR_NOT_FOUND,
                         _ ("the program boxwood-vm was not found next to boxwood "
                            "(set BOXWOOD_VM to its path)"));
  return program;
}

typedef struct
{
  BwManagerWindow *window; /* weak */
  char *name;
} StartData;

static void
start_data_free (StartData *d)
{
  g_clear_weak_pointer (&d->window);
  g_free (d->name);
  g_free (d);
}

static void
on_vm_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StartData *d = user_data;
  GSubprocess *proc = G_SUBPROCESS (source);
  g_autofree char *err_text = NULL;
  g_autoptr (GError) error = NULL;
  g_subprocess_communicate_utf8_finish (proc, result, NULL, &err_text, &error);
  if (d->window != NULL && g_subprocess_get_if_exited (proc)
      && g_subprocess_get_exit_status (proc) != 0)
    {
      /* The VM process says why on its last line of stderr. */
      g_autofree char *line = g_strstrip (g_strdup (err_text ? err_text : ""));
      char *last = strrchr (line, '\n');
      g_autoptr (GError) e
          = g_error_new (BW_CLIENT_ERROR, BW_CLIENT_ERROR_FAILED, "%s",
                         *line ? (last ? last + 1 : line) : _ ("boxwood-vm exited with an error"));
      g_autofree char *doing = g_strdup_printf (_ ("“%s” stopped"), d->name);
      bw_manager_window_show_error (d->window, doing, e);
    }
  start_data_free (d);
}

static void
start_machine (BwManagerWindow *self, gboolean headless)
{
  BwMachineItem *item = self->selected;
  if (item == NULL)
    return;
  g_autofree char *doing
      = g_strdup_printf (_ ("Could not start “%s”"), bw_machine_item_get_name (item));
  g_autoptr (GError) error = NULL;
  g_autofree char *program = bw_manager_find_vm_program (&error);
  if (program == NULL)
    {
      bw_manager_window_show_error (self, doing, error);
      return;
    }
  const char *argv[] = { program, "--startvm", bw_machine_item_get_uuid (item),
                         headless ? "--headless" : NULL, NULL };
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
      G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  /* The renderer the manager picked for itself (app/manager/main.c) is
   * not the VM window's business. */
  if (g_strcmp0 (g_getenv ("BOXWOOD_MANAGER_SET_GSK_RENDERER"), "1") == 0)
    {
      g_subprocess_launcher_unsetenv (launcher, "GSK_RENDERER");
      g_subprocess_launcher_unsetenv (launcher, "BOXWOOD_MANAGER_SET_GSK_RENDERER");
    }
  g_autoptr (GSubprocess) proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (proc == NULL)
    {
      bw_manager_window_show_error (self, doing, error);
      return;
    }
  StartData *d = g_new0 (StartData, 1);
  g_set_weak_pointer (&d->window, self);
  d->name = g_strdup (bw_machine_item_get_name (item));
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, on_vm_exited, d);
  hide_error (self);
}

static void
action_start (GSimpleAction *action, GVariant *param, gpointer data)
{
  start_machine (data, FALSE);
}

static void
action_start_headless (GSimpleAction *action, GVariant *param, gpointer data)
{
  start_machine (data, TRUE);
}

static void
on_wizard_created (BwManagerWindow *self, const char *uuid)
{
  hide_error (self);
  /* The service's MachineRegistered signal may still be on its way. */
  g_clear_pointer (&self->pending_select, g_free);
  if (!bw_manager_window_select (self, uuid))
    self->pending_select = g_strdup (uuid);
}

static void
action_new (GSimpleAction *action, GVariant *param, gpointer data)
{
  BwManagerWindow *self = data;
  if (self->client == NULL)
    return;
  BwNewMachineWizard *wizard = bw_new_machine_wizard_new (GTK_WINDOW (self), self->client);
  g_signal_connect_object (wizard, "created", G_CALLBACK (on_wizard_created), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (wizard));
}

static void
action_settings (GSimpleAction *action, GVariant *param, gpointer data)
{
  BwManagerWindow *self = data;
  if (self->selected == NULL || self->client == NULL)
    return;
  g_autoptr (GError) error = NULL;
  BwSettingsDialog *dialog
      = bw_settings_dialog_new (GTK_WINDOW (self), self->client, self->selected, &error);
  if (dialog == NULL)
    {
      g_autofree char *doing = g_strdup_printf (_ ("Could not open the settings of “%s”"),
                                                bw_machine_item_get_name (self->selected));
      bw_manager_window_show_error (self, doing, error);
      return;
    }
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
action_remove (GSimpleAction *action, GVariant *param, gpointer data)
{
  BwManagerWindow *self = data;
  if (self->selected == NULL || self->client == NULL)
    return;
  BwRemoveDialog *dialog = bw_remove_dialog_new (GTK_WINDOW (self), self->client, self->selected);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
action_search (GSimpleAction *action, GVariant *param, gpointer data)
{
  BwManagerWindow *self = data;
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
action_context_menu (GSimpleAction *action, GVariant *param, gpointer data)
{
  BwManagerWindow *self = data;
  if (self->selected == NULL)
    return;
  /* From the keyboard: point at the selected row when it is on screen. */
  GtkWidget *row = g_object_get_data (G_OBJECT (self->selected), "bw-row");
  graphene_point_t p = GRAPHENE_POINT_INIT (24, 24);
  if (row != NULL && gtk_widget_get_mapped (row))
    {
      graphene_point_t q = GRAPHENE_POINT_INIT (24, gtk_widget_get_height (row) / 2.f);
      if (!gtk_widget_compute_point (row, GTK_WIDGET (self->list_view), &q, &p))
        p = GRAPHENE_POINT_INIT (24, 24);
    }
  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_popover),
                               &(GdkRectangle){ (int)p.x, (int)p.y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->context_popover));
}

static const GActionEntry win_entries[] = {
  { "new", action_new },
  { "settings", action_settings },
  { "start", action_start },
  { "start-headless", action_start_headless },
  { "remove", action_remove },
  { "search", action_search },
  { "context-menu", action_context_menu },
};

static void
on_list_pressed (GtkGestureClick *gesture, int n_press, double x, double y, BwManagerWindow *self)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self->list_view), x, y, GTK_PICK_DEFAULT);
  GtkWidget *row = picked ? gtk_widget_get_ancestor (picked, BW_TYPE_MACHINE_ROW) : NULL;
  if (row == NULL)
    {
      /* the row's box may be picked as a list item widget around the row */
      for (GtkWidget *c = picked ? gtk_widget_get_first_child (picked) : NULL; c && !row;
           c = gtk_widget_get_next_sibling (c))
        if (BW_IS_MACHINE_ROW (c))
          row = c;
    }
  if (row == NULL)
    return;
  BwMachineItem *item = bw_machine_row_get_item (BW_MACHINE_ROW (row));
  if (item == NULL || !bw_manager_window_select (self, bw_machine_item_get_uuid (item)))
    return;
  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_popover),
                               &(GdkRectangle){ (int)x, (int)y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->context_popover));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
on_list_activate (BwManagerWindow *self, guint position)
{
  gtk_single_selection_set_selected (self->selection, position);
  g_action_group_activate_action (G_ACTION_GROUP (self), "start", NULL);
}

static void
on_search_changed (BwManagerWindow *self)
{
  gtk_string_filter_set_search (self->filter,
                                gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
on_stop_search (BwManagerWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
on_retry_clicked (BwManagerWindow *self)
{
  bw_manager_window_connect (self);
}

static void
on_error_close_clicked (BwManagerWindow *self)
{
  hide_error (self);
}

static void
factory_setup (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer data)
{
  gtk_list_item_set_child (list_item, bw_machine_row_new ());
}

static void
factory_bind (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer data)
{
  BwMachineRow *row = BW_MACHINE_ROW (gtk_list_item_get_child (list_item));
  BwMachineItem *item = gtk_list_item_get_item (list_item);
  bw_machine_row_set_item (row, item);
  g_object_set_data (G_OBJECT (item), "bw-row", row);
}

static void
factory_unbind (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer data)
{
  BwMachineItem *item = gtk_list_item_get_item (list_item);
  BwMachineRow *row = BW_MACHINE_ROW (gtk_list_item_get_child (list_item));
  if (item != NULL && g_object_get_data (G_OBJECT (item), "bw-row") == row)
    g_object_set_data (G_OBJECT (item), "bw-row", NULL);
  bw_machine_row_set_item (row, NULL);
}

BwManagerWindow *
bw_manager_window_new (GtkApplication *app)
{
  return g_object_new (BW_TYPE_MANAGER_WINDOW, "application", app, NULL);
}

static void
bw_manager_window_dispose (GObject *object)
{
  BwManagerWindow *self = BW_MANAGER_WINDOW (object);
  if (self->selected != NULL)
    g_signal_handlers_disconnect_by_data (self->selected, self);
  g_clear_object (&self->selected);
  g_clear_pointer (&self->pending_select, g_free);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_pointer (&self->context_popover, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_MANAGER_WINDOW);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);
  g_clear_object (&self->client);
  g_clear_object (&self->machines);
  G_OBJECT_CLASS (bw_manager_window_parent_class)->dispose (object);
}

static void
bw_manager_window_class_init (BwManagerWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = bw_manager_window_dispose;

  g_type_ensure (BW_TYPE_MACHINE_DETAILS);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/boxwood/Boxwood/ui/bw-manager-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BwManagerWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, BwManagerWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, BwManagerWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, BwManagerWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, BwManagerWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, BwManagerWindow, empty_label);
  gtk_widget_class_bind_template_child (widget_class, BwManagerWindow, details);
  gtk_widget_class_bind_template_child (widget_class, BwManagerWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, BwManagerWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, BwManagerWindow, retry_button);
  gtk_widget_class_bind_template_child (widget_class, BwManagerWindow, context_menu);
  gtk_widget_class_bind_template_callback (widget_class, on_list_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_retry_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_error_close_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK,
                                       "win.context-menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "win.context-menu", NULL);
}

static void
bw_manager_window_init (BwManagerWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_action_map_add_action_entries (G_ACTION_MAP (self), win_entries, G_N_ELEMENTS (win_entries),
                                   self);

  self->machines = bw_machine_list_new ();
  self->filter
      = gtk_string_filter_new (gtk_property_expression_new (BW_TYPE_MACHINE_ITEM, NULL, "name"));
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->machines)),
                                              GTK_FILTER (self->filter));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->filtered));
  g_signal_connect_swapped (self->selection, "notify::selected-item",
                            G_CALLBACK (on_selection_changed), self);
  /* After the list view's own handler: on_items_changed may select the
   * machine just added, and selecting before the list view has seen the
   * new item crashes GTK 4.8 (a wizard's machine whose MachineRegistered
   * signal came after the wizard closed). */
  g_signal_connect_data (self->selection, "items-changed", G_CALLBACK (on_items_changed), self,
                         NULL, G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (factory_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (factory_bind), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (factory_unbind), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  self->context_popover = gtk_popover_menu_new_from_model (self->context_menu);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->context_popover), FALSE);
  gtk_widget_set_halign (self->context_popover, GTK_ALIGN_START);
  gtk_widget_set_parent (self->context_popover, GTK_WIDGET (self->list_view));

  GtkGesture *click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_list_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), GTK_EVENT_CONTROLLER (click));

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  update_empty (self);
  update_actions (self);
}
