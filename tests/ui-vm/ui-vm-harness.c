/* ui-vm-harness.c: BwVmWindow on a synthetic screen and a fake
 * controller, driven line by line from stdin by test-ui-vm-window.py.
 *
 * The fake records what the window asks of the machine and prints it:
 *   SC <hex bytes>           scancodes the window sent
 *   MOUSE dx dy dz buttons   mouse events
 *   CALL pause|resume|reset|poweroff|acpi
 * Commands (answers on one line):
 *   stats                    STATS polls renders uploads uploaded_pixels
 *   geometry                 GEOM x y w h (the GL area in surface pixels)
 *   damage x y w h RRGGBB    fills a rectangle of the screen and reports it
 *   state running|paused|poweroff
 *   title                    TITLE <window title>
 *   captured                 CAPTURED 0|1
 *   blur                     presents a second window (focus leaves)
 *   hostkey SETTING          bw_vm_window_set_host_key (as the host-key setting)
 *   action NAME [UINT]       activates the window action NAME ("vm.reset")
 *   scale fit|1:1            View > Scale to Window on or off
 *   resize W H               a new guest screen size (0 0: blank), pattern drawn
 *   screenshot PATH          OK or ERR <message>
 *   activity disk|cd         the controller reports disk or CD activity
 *   leds                     LEDS <disk 0|1> <cd 0|1> (status-bar lights on)
 *   quit
 * "READY" comes once the first frame was rendered. */
#define G_LOG_DOMAIN "boxwood-test"
#include "config.h"

#include <stdio.h>
#include <gio/gunixinputstream.h>
#include <gtk/gtk.h>

#include "ui/vm/bw-vm-window.h"

/* ---- Fake controller ---- */

#define BW_TYPE_FAKE_CONTROLLER (bw_fake_controller_get_type ())
G_DECLARE_FINAL_TYPE (BwFakeController, bw_fake_controller, BW, FAKE_CONTROLLER, GObject)

struct _BwFakeController
{
  GObject parent_instance;
  BwVmRunState state;
};

static void bw_fake_controller_iface_init (BwVmControllerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BwFakeController, bw_fake_controller, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BW_VM_TYPE_CONTROLLER,
                                                      bw_fake_controller_iface_init))

static void
say (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  putchar ('\n');
  fflush (stdout);
}

static void
set_state (BwFakeController *self, BwVmRunState state)
{
  self->state = state;
  bw_vm_controller_emit_state_changed (BW_VM_CONTROLLER (self));
}

static const char *
fake_get_name (BwVmController *c)
{
  return "Test";
}

static BwVmRunState
fake_get_state (BwVmController *c)
{
  return BW_FAKE_CONTROLLER (c)->state;
}

static const char *
fake_get_backend_name (BwVmController *c)
{
  return "software CPU";
}

static const char *
fake_get_backend_note (BwVmController *c)
{
  return "hardware virtualization is not available";
}

static gboolean
fake_has_acpi (BwVmController *c)
{
  return FALSE;
}

static gboolean
fake_pause (BwVmController *c, GError **error)
{
  say ("CALL pause");
  set_state (BW_FAKE_CONTROLLER (c), BW_VM_RUN_STATE_PAUSED);
  return TRUE;
}

static gboolean
fake_resume (BwVmController *c, GError **error)
{
  say ("CALL resume");
  set_state (BW_FAKE_CONTROLLER (c), BW_VM_RUN_STATE_RUNNING);
  return TRUE;
}

static gboolean
fake_reset (BwVmController *c, GError **error)
{
  say ("CALL reset");
  return TRUE;
}

static gboolean
fake_power_off (BwVmController *c, GError **error)
{
  say ("CALL poweroff");
  set_state (BW_FAKE_CONTROLLER (c), BW_VM_RUN_STATE_POWERED_OFF);
  return TRUE;
}

static void
fake_put_scancodes (BwVmController *c, const guint8 *codes, gsize len)
{
  GString *line = g_string_new ("SC");
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (line, " %02x", codes[i]);
  say ("%s", line->str);
  g_string_free (line, TRUE);
}

static void
fake_put_mouse (BwVmController *c, int dx, int dy, int dz, guint buttons)
{
  say ("MOUSE %d %d %d %u", dx, dy, dz, buttons);
}

static void
bw_fake_controller_iface_init (BwVmControllerInterface *iface)
{
  iface->get_name = fake_get_name;
  iface->get_state = fake_get_state;
  iface->get_backend_name = fake_get_backend_name;
  iface->get_backend_note = fake_get_backend_note;
  iface->has_acpi = fake_has_acpi;
  iface->pause = fake_pause;
  iface->resume = fake_resume;
  iface->reset = fake_reset;
  iface->power_off = fake_power_off;
  iface->put_scancodes = fake_put_scancodes;
  iface->put_mouse = fake_put_mouse;
}

static void
bw_fake_controller_class_init (BwFakeControllerClass *klass)
{
}

static void
bw_fake_controller_init (BwFakeController *self)
{
  self->state = BW_VM_RUN_STATE_RUNNING;
}

/* ---- Harness ---- */

typedef struct
{
  GtkApplication *app;
  BwVmWindow *window;
  BwFakeController *controller;
  BwVmMemorySource *memory;
  GDataInputStream *input;
  gboolean ready;
} Harness;

/* The test pattern; test-ui-vm-window.py computes the same. */
static guint32
pattern (int x, int y)
{
  guint r = (guint) (x / 40) * 16 % 256, g = (guint) (y / 30) * 16 % 256;
  guint b = ((x / 40 + y / 30) & 1) ? 255 : 0;
  return (r << 16) | (g << 8) | b;
}

static void read_next (Harness *h);

static void
draw_pattern (Harness *h)
{
  int w, hh;
  guint32 *px = bw_vm_memory_source_get_pixels (h->memory, &w, &hh);
  for (int y = 0; y < hh; y++)
    for (int x = 0; x < w; x++)
      px[y * w + x] = pattern (x, y);
}

static void
command (Harness *h, const char *line)
{
  g_auto (GStrv) argv = g_strsplit (line, " ", -1);
  BwVmDisplay *display = bw_vm_window_get_display (h->window);

  if (argv[0] == NULL)
    return;
  if (g_str_equal (argv[0], "stats"))
    {
      BwVmDisplayStats st;
      bw_vm_display_get_stats (display, &st);
      say ("STATS %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
           " %" G_GUINT64_FORMAT, st.polls, st.renders, st.uploads, st.uploaded_pixels);
    }
  else if (g_str_equal (argv[0], "geometry"))
    {
      /* The GL area: the display's only leaf that draws. */
      GtkWidget *area = GTK_WIDGET (display);
      GtkNative *native = gtk_widget_get_native (area);
      graphene_rect_t bounds;
      double nx, ny;
      GtkWidget *child;
      for (child = gtk_widget_get_first_child (area); child; child = gtk_widget_get_first_child (child))
        if (GTK_IS_GL_AREA (child))
          break;
      gtk_native_get_surface_transform (native, &nx, &ny);
      if (child && gtk_widget_compute_bounds (child, GTK_WIDGET (native), &bounds))
        say ("GEOM %d %d %d %d", (int) (bounds.origin.x + nx), (int) (bounds.origin.y + ny),
             (int) bounds.size.width, (int) bounds.size.height);
      else
        say ("GEOM none");
    }
  else if (g_str_equal (argv[0], "damage") && g_strv_length (argv) == 6)
    {
      int x = atoi (argv[1]), y = atoi (argv[2]), w = atoi (argv[3]), hh = atoi (argv[4]);
      guint32 rgb = (guint32) g_ascii_strtoull (argv[5], NULL, 16);
      int fw, fh;
      guint32 *px = bw_vm_memory_source_get_pixels (h->memory, &fw, &fh);
      for (int yy = MAX (y, 0); yy < MIN (y + hh, fh); yy++)
        for (int xx = MAX (x, 0); xx < MIN (x + w, fw); xx++)
          px[yy * fw + xx] = rgb;
      bw_vm_memory_source_damage (h->memory, x, y, w, hh);
      say ("OK");
    }
  else if (g_str_equal (argv[0], "state") && argv[1] != NULL)
    {
      set_state (h->controller, g_str_equal (argv[1], "paused")     ? BW_VM_RUN_STATE_PAUSED
                                : g_str_equal (argv[1], "poweroff") ? BW_VM_RUN_STATE_POWERED_OFF
                                                                    : BW_VM_RUN_STATE_RUNNING);
      say ("OK");
    }
  else if (g_str_equal (argv[0], "title"))
    say ("TITLE %s", gtk_window_get_title (GTK_WINDOW (h->window)));
  else if (g_str_equal (argv[0], "captured"))
    say ("CAPTURED %d", bw_vm_display_get_captured (display));
  else if (g_str_equal (argv[0], "blur"))
    {
      GtkWidget *other = gtk_window_new ();
      gtk_window_set_title (GTK_WINDOW (other), "Other");
      gtk_window_set_default_size (GTK_WINDOW (other), 100, 100);
      gtk_window_present (GTK_WINDOW (other));
      say ("OK");
    }
  else if (g_str_equal (argv[0], "screenshot") && argv[1] != NULL)
    {
      g_autoptr (GError) error = NULL;
      if (bw_vm_window_save_screenshot (h->window, argv[1], &error))
        say ("OK");
      else
        say ("ERR %s", error->message);
    }
  else if (g_str_equal (argv[0], "hostkey") && argv[1] != NULL)
    {
      bw_vm_window_set_host_key (h->window, argv[1]);
      say ("OK");
    }
  else if (g_str_equal (argv[0], "action") && argv[1] != NULL)
    {
      g_autoptr (GVariant) param = argv[2] ? g_variant_ref_sink (g_variant_new_uint32 (
                                               (guint32) atoi (argv[2])))
                                           : NULL;
      gboolean ok = gtk_widget_activate_action_variant (GTK_WIDGET (h->window), argv[1], param);
      say (ok ? "OK" : "ERR no action %s", argv[1]);
    }
  else if (g_str_equal (argv[0], "scale") && argv[1] != NULL)
    {
      g_object_set (h->window, "scale-to-window", g_str_equal (argv[1], "fit"), NULL);
      say ("OK");
    }
  else if (g_str_equal (argv[0], "resize") && g_strv_length (argv) == 3)
    {
      bw_vm_memory_source_resize (h->memory, atoi (argv[1]), atoi (argv[2]));
      draw_pattern (h);
      say ("OK");
    }
  else if (g_str_equal (argv[0], "activity") && argv[1] != NULL)
    {
      bw_vm_controller_emit_activity (BW_VM_CONTROLLER (h->controller),
                                      g_str_equal (argv[1], "cd") ? BW_VM_ACTIVITY_CD
                                                                  : BW_VM_ACTIVITY_DISK);
      say ("OK");
    }
  else if (g_str_equal (argv[0], "leds"))
    {
      guint lit = bw_vm_window_get_lit_activity (h->window);
      say ("LEDS %d %d", !!(lit & BW_VM_ACTIVITY_DISK), !!(lit & BW_VM_ACTIVITY_CD));
    }
  else if (g_str_equal (argv[0], "quit"))
    g_application_quit (G_APPLICATION (h->app));
  else
    say ("ERR unknown command %s", argv[0]);
}

static void
line_read (GObject *source, GAsyncResult *result, gpointer data)
{
  Harness *h = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish (h->input, result, NULL, &error);
  if (line == NULL)
    {
      g_application_quit (G_APPLICATION (h->app));
      return;
    }
  command (h, g_strstrip (line));
  read_next (h);
}

static void
read_next (Harness *h)
{
  g_data_input_stream_read_line_async (h->input, G_PRIORITY_DEFAULT, NULL, line_read, h);
}

static gboolean
check_ready (gpointer data)
{
  Harness *h = data;
  BwVmDisplayStats st;
  bw_vm_display_get_stats (bw_vm_window_get_display (h->window), &st);
  if (st.renders == 0 || st.uploads == 0)
    return G_SOURCE_CONTINUE;
  say ("READY");
  read_next (h);
  return G_SOURCE_REMOVE;
}

static void
activate (GtkApplication *app, Harness *h)
{
  g_autoptr (BwVmFrameSource) source = bw_vm_memory_source_new (640, 480, &h->memory);

  draw_pattern (h);
  h->controller = g_object_new (BW_TYPE_FAKE_CONTROLLER, NULL);
  h->window = bw_vm_window_new (app, BW_VM_CONTROLLER (h->controller), source);
  /* 1:1 so that the screenshot can be compared pixel for pixel. */
  g_object_set (h->window, "scale-to-window", FALSE, NULL);
  gtk_window_present (GTK_WINDOW (h->window));
  g_timeout_add (50, check_ready, h);
}

int
main (int argc, char **argv)
{
  Harness h = { 0 };
  int status;
  g_autoptr (GInputStream) in = g_unix_input_stream_new (0, FALSE);

  h.input = g_data_input_stream_new (in);
  h.app = gtk_application_new ("org.boxwood.VmWindowTest", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (h.app, "activate", G_CALLBACK (activate), &h);
  status = g_application_run (G_APPLICATION (h.app), argc, argv);
  g_clear_object (&h.controller);
  g_object_unref (h.input);
  g_object_unref (h.app);
  return status;
}
