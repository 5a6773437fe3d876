/* bw-machine-preview.c: live preview of a running guest's screen. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/manager/bw-machine-preview.h"

#include <glib/gi18n.h>

#include "app/main/client/bw-dbus-session1.h"

struct _BwMachinePreview
{
  GtkBox parent_instance;
  GtkPicture *picture;

  BwMachineItem *item;
  gulong state_id;
  guint timer_id;
  /* Of the fetch in flight (connect, screenshot, decode); NULL when none.
   * Whoever cancels it also clears it, so a cancelled callback leaves
   * self alone. */
  GCancellable *cancellable;
  BwDBusSession1 *session; /* the item's VM process; NULL until needed */
  gboolean shot_once;      /* a paused machine: shown once, not polled */
  guint frames;
};

G_DEFINE_FINAL_TYPE (BwMachinePreview, bw_machine_preview, GTK_TYPE_BOX)

void
bw_machine_preview_fit (int width, int height, int max_w, int max_h, int *out_w, int *out_h)
{
  double s = 1.0;
  if (width > 0 && height > 0)
    s = MIN (1.0, MIN ((double)max_w / width, (double)max_h / height));
  *out_w = MAX (1, (int)(width * s + 0.5));
  *out_h = MAX (1, (int)(height * s + 0.5));
}

gboolean
bw_machine_preview_shows_state (const char *state)
{
  return g_strcmp0 (state, "running") == 0 || g_strcmp0 (state, "paused") == 0;
}

gboolean
bw_machine_preview_polls_state (const char *state)
{
  return g_strcmp0 (state, "running") == 0;
}

guint
bw_machine_preview_get_frame_count (BwMachinePreview *self)
{
  g_return_val_if_fail (BW_IS_MACHINE_PREVIEW (self), 0);
  return self->frames;
}

/* ---- One fetch: session -> PNG -> scaled texture ----------------------- */

static void
fetch_done (BwMachinePreview *self)
{
  g_clear_object (&self->cancellable);
}

/* Worker thread: decode the PNG and scale it down. */
static void
decode_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  GBytes *png = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type ("png", &error);
  gsize len = 0;
  const guchar *bytes = g_bytes_get_data (png, &len);
  if (loader == NULL || !gdk_pixbuf_loader_write (loader, bytes, len, &error)
      || !gdk_pixbuf_loader_close (loader, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  GdkPixbuf *full = gdk_pixbuf_loader_get_pixbuf (loader);
  int w, h;
  bw_machine_preview_fit (gdk_pixbuf_get_width (full), gdk_pixbuf_get_height (full),
                          BW_MACHINE_PREVIEW_MAX_WIDTH, BW_MACHINE_PREVIEW_MAX_HEIGHT, &w, &h);
  g_autoptr (GdkPixbuf) small = gdk_pixbuf_scale_simple (full, w, h, GDK_INTERP_BILINEAR);
  g_task_return_pointer (task, gdk_texture_new_for_pixbuf (small), g_object_unref);
}

static void
on_decoded (GObject *source, GAsyncResult *result, gpointer data)
{
  BwMachinePreview *self = BW_MACHINE_PREVIEW (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  fetch_done (self);
  if (texture == NULL)
    {
      g_debug ("preview: the guest screen could not be decoded: %s", error->message);
      return;
    }
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (texture));
  self->frames++;
  g_autofree char *what
      = g_strdup_printf (_ ("Scaled down to %d × %d pixels"), gdk_texture_get_width (texture),
                         gdk_texture_get_height (texture));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->picture),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, what, -1);
}

static void
on_png (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (BwMachinePreview) self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) png = NULL;
  if (!bw_dbus_session1_call_screenshot_png_finish (BW_DBUS_SESSION1 (source), &png, result,
                                                    &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* The VM process went away or is busy; the next tick asks anew. */
      g_debug ("preview: no screenshot: %s", error->message);
      g_clear_object (&self->session);
      fetch_done (self);
      return;
    }
  GTask *task = g_task_new (self, self->cancellable, on_decoded, NULL);
  g_task_set_task_data (task, g_variant_get_data_as_bytes (png), (GDestroyNotify)g_bytes_unref);
  g_task_run_in_thread (task, decode_thread);
  g_object_unref (task);
}

static void
ask_screenshot (BwMachinePreview *self)
{
  bw_dbus_session1_call_screenshot_png (self->session, self->cancellable, on_png,
                                        g_object_ref (self));
}

static void
on_proxy (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (BwMachinePreview) self = data;
  g_autoptr (GError) error = NULL;
  BwDBusSession1 *session = bw_dbus_session1_proxy_new_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (session == NULL)
    {
      g_debug ("preview: no session proxy: %s", error->message);
      fetch_done (self);
      return;
    }
  self->session = session;
  ask_screenshot (self);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr (BwMachinePreview) self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) conn = g_dbus_connection_new_for_address_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (conn == NULL)
    {
      g_debug ("preview: cannot reach the session: %s", error->message);
      fetch_done (self);
      return;
    }
  bw_dbus_session1_proxy_new (
      conn, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS,
      NULL, "/org/boxwood/Session", self->cancellable, on_proxy, g_object_ref (self));
}

/* The session socket of the item's VM process, from the service. */
static char *
session_address (BwMachinePreview *self)
{
  BwClient *client = bw_machine_item_get_client (self->item);
  if (client == NULL)
    return NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) sessions = bw_client_list_sessions (client, &error);
  if (sessions == NULL)
    return NULL;
  for (guint i = 0; i < sessions->len; i++)
    {
      BwClientSession *s = g_ptr_array_index (sessions, i);
      if (g_strcmp0 (s->uuid, bw_machine_item_get_uuid (self->item)) == 0)
        return g_strdup (s->address);
    }
  return NULL;
}

static void
fetch (BwMachinePreview *self)
{
  if (self->cancellable != NULL || self->item == NULL)
    return; /* one at a time: a slow guest is not asked twice */
  self->cancellable = g_cancellable_new ();
  if (self->session != NULL)
    {
      ask_screenshot (self);
      return;
    }
  g_autofree char *address = session_address (self);
  if (address == NULL)
    {
      fetch_done (self);
      return;
    }
  /* Asynchronous: the VM process answers a new connection from its main
   * loop, which may be busy starting the guest. */
  g_dbus_connection_new_for_address (address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT, NULL,
                                     self->cancellable, on_connected, g_object_ref (self));
}

static gboolean
on_tick (gpointer data)
{
  fetch (BW_MACHINE_PREVIEW (data));
  return G_SOURCE_CONTINUE;
}

/* ---- When to fetch ------------------------------------------------------ */

static void
stop (BwMachinePreview *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

static void
update (BwMachinePreview *self)
{
  const char *state = self->item ? bw_machine_item_get_state (self->item) : NULL;
  gboolean shows = bw_machine_preview_shows_state (state);

  if (!shows)
    {
      stop (self);
      g_clear_object (&self->session);
      gtk_picture_set_paintable (self->picture, NULL);
      self->shot_once = FALSE;
    }
  if (gtk_widget_get_visible (GTK_WIDGET (self)) != shows)
    {
      /* Showing maps the preview, and map calls update () itself. */
      gtk_widget_set_visible (GTK_WIDGET (self), shows);
      return;
    }
  gboolean mapped = gtk_widget_get_mapped (GTK_WIDGET (self));
  if (!shows || !mapped)
    {
      stop (self);
      return;
    }
  if (bw_machine_preview_polls_state (state))
    {
      self->shot_once = FALSE;
      if (self->timer_id == 0)
        {
          self->timer_id = g_timeout_add (BW_MACHINE_PREVIEW_INTERVAL_MS, on_tick, self);
          fetch (self);
        }
      return;
    }
  /* Paused: the screen does not change; show it as it stopped. */
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (!self->shot_once)
    {
      self->shot_once = TRUE;
      fetch (self);
    }
}

void
bw_machine_preview_set_item (BwMachinePreview *self, BwMachineItem *item)
{
  g_return_if_fail (BW_IS_MACHINE_PREVIEW (self));
  if (self->item == item)
    return;
  if (self->item != NULL)
    g_clear_signal_handler (&self->state_id, self->item);
  stop (self);
  g_clear_object (&self->session);
  gtk_picture_set_paintable (self->picture, NULL);
  self->shot_once = FALSE;
  self->frames = 0;
  g_set_object (&self->item, item);
  if (item != NULL)
    self->state_id = g_signal_connect_swapped (item, "notify::state", G_CALLBACK (update), self);
  update (self);
}

static void
bw_machine_preview_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (bw_machine_preview_parent_class)->map (widget);
  update (BW_MACHINE_PREVIEW (widget));
}

static void
bw_machine_preview_unmap (GtkWidget *widget)
{

  stop (BW_MACHINE_PREVIEW (widget));
  GTK_WIDGET_CLASS (bw_machine_preview_parent_class)->unmap (widget);
}

static void
bw_machine_preview_dispose (GObject *object)
{
  BwMachinePreview *self = BW_MACHINE_PREVIEW (object);
  stop (self);
  if (self->item != NULL)
    g_clear_signal_handler (&self->state_id, self->item);
  g_clear_object (&self->item);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_TYPE_MACHINE_PREVIEW);
  G_OBJECT_CLASS (bw_machine_preview_parent_class)->dispose (object);
}

static void
bw_machine_preview_class_init (BwMachinePreviewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = bw_machine_preview_dispose;
  widget_class->map = bw_machine_preview_map;
  widget_class->unmap = bw_machine_preview_unmap;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/boxwood/Boxwood/ui/bw-machine-preview.ui");
  gtk_widget_class_bind_template_child (widget_class, BwMachinePreview, picture);
}

static void
bw_machine_preview_init (BwMachinePreview *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
