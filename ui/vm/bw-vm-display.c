/* bw-vm-display.c: the guest screen (GL) and its input. */
#define G_LOG_DOMAIN "boxwood-ui"
#include "config.h"

#include "ui/vm/bw-vm-display.h"

#include <epoxy/gl.h>
#include <math.h>
#include <glib/gi18n.h>

#include "ui/vm/bw-vm-geometry.h"
#include "ui/vm/bw-vm-grab.h"
#include "ui/vm/bw-vm-key-state.h"
#include "ui/vm/bw-vm-keymap.h"

struct _BwVmDisplay
{
  GtkWidget parent_instance;

  GtkScrolledWindow *scroller;
  GtkViewport *viewport;
  GtkGLArea *gl_area;

  BwVmFrameSource *source;
  GArray *poll_rects;
  BwVmDirty *dirty;
  int fb_width, fb_height;
  BwVmScaleMode scale_mode;
  int zoom_percent; /* guest pixel size in ONE_TO_ONE mode, 100 = 1:1 */
  guint tick_id;
  BwVmDisplayStats stats;

  /* GL objects (valid while gl_area is realized). */
  GLuint program, vao, vbo, texture;
  int tex_width, tex_height;
  GLint max_texture_size;
  gboolean gl_ok;

  /* Input. */
  BwVmKeyState *keys;
  GByteArray *out;
  guint host_key;
  gboolean host_down, host_combo;
  gboolean captured;
  gboolean capture_click; /* a primary press arrived; capture on its release */
  double last_x, last_y;
  gboolean have_last;
  guint buttons;
  double scroll_acc;
};

G_DEFINE_FINAL_TYPE (BwVmDisplay, bw_vm_display, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SCALE_MODE,
  PROP_CAPTURED,
  PROP_HOST_KEY,
  PROP_SCREEN_WIDTH,
  PROP_SCREEN_HEIGHT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_SCANCODES,
  SIGNAL_MOUSE,
  SIGNAL_HOST_ACTION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- GL ---- */

static const char vertex_src[] =
  "in vec2 pos;\n"
  "out vec2 uv;\n"
  "void main () {\n"
  "  gl_Position = vec4 (pos, 0.0, 1.0);\n"
  "  uv = vec2 ((pos.x + 1.0) * 0.5, (1.0 - pos.y) * 0.5);\n"
  "}\n";

/* XRGB8888 is B, G, R, X in memory; it is uploaded as RGBA bytes (which
 * GLES has too) and swizzled here. */
static const char fragment_src[] =
  "uniform sampler2D tex;\n"
  "in vec2 uv;\n"
  "out vec4 color;\n"
  "void main () {\n"
  "  color = vec4 (texture (tex, uv).bgr, 1.0);\n"
  "}\n";

static GLuint
compile (GLenum type, const char *header, const char *src, GError **error)
{
  const char *parts[2] = { header, src };
  GLuint shader = glCreateShader (type);
  GLint ok = 0;
  glShaderSource (shader, 2, parts, NULL);
  glCompileShader (shader);
  glGetShaderiv (shader, GL_COMPILE_STATUS, &ok);
  if (!ok)
    {
      char log[1024] = "";
      glGetShaderInfoLog (shader, sizeof log, NULL, log);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "display shader: %s", log);
      glDeleteShader (shader);
      return 0;
    }
  return shader;
}

static gboolean
gl_setup (BwVmDisplay *self, GError **error)
{
  GdkGLContext *context = gtk_gl_area_get_context (self->gl_area);
  const char *header = gdk_gl_context_get_use_es (context)
                         ? "#version 300 es\nprecision mediump float;\n"
                         : "#version 150\n";
  static const GLfloat quad[] = { -1, -1, 1, -1, -1, 1, 1, 1 };
  GLuint vs, fs;
  GLint ok = 0;

  vs = compile (GL_VERTEX_SHADER, header, vertex_src, error);
  if (vs == 0)
    return FALSE;
  fs = compile (GL_FRAGMENT_SHADER, header, fragment_src, error);
  if (fs == 0)
    {
      glDeleteShader (vs);
      return FALSE;
    }
  self->program = glCreateProgram ();
  glAttachShader (self->program, vs);
  glAttachShader (self->program, fs);
  glBindAttribLocation (self->program, 0, "pos");
  glLinkProgram (self->program);
  glDeleteShader (vs);
  glDeleteShader (fs);
  glGetProgramiv (self->program, GL_LINK_STATUS, &ok);
  if (!ok)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "display shader program did not link");
      return FALSE;
    }

  glGenVertexArrays (1, &self->vao);
  glBindVertexArray (self->vao);
  glGenBuffers (1, &self->vbo);
  glBindBuffer (GL_ARRAY_BUFFER, self->vbo);
  glBufferData (GL_ARRAY_BUFFER, sizeof quad, quad, GL_STATIC_DRAW);
  glEnableVertexAttribArray (0);
  glVertexAttribPointer (0, 2, GL_FLOAT, GL_FALSE, 0, NULL);
  glBindVertexArray (0);

  glGenTextures (1, &self->texture);
  glBindTexture (GL_TEXTURE_2D, self->texture);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  self->tex_width = self->tex_height = 0;
  glGetIntegerv (GL_MAX_TEXTURE_SIZE, &self->max_texture_size);
  return TRUE;
}

static void
gl_realize (BwVmDisplay *self)
{
  g_autoptr (GError) error = NULL;

  gtk_gl_area_make_current (self->gl_area);
  if (gtk_gl_area_get_error (self->gl_area) != NULL)
    {
      g_warning ("The guest screen cannot be shown: %s",
                 gtk_gl_area_get_error (self->gl_area)->message);
      return;
    }
  self->gl_ok = gl_setup (self, &error);
  if (!self->gl_ok)
    {
      g_warning ("The guest screen cannot be shown: %s", error->message);
      gtk_gl_area_set_error (self->gl_area, error);
      return;
    }
  /* A new context has an empty texture: upload everything again. */
  bw_vm_dirty_set_size (self->dirty, self->fb_width, self->fb_height);
}

static void
gl_unrealize (BwVmDisplay *self)
{
  gtk_gl_area_make_current (self->gl_area);
  if (gtk_gl_area_get_error (self->gl_area) == NULL)
    {
      glDeleteTextures (1, &self->texture);
      glDeleteBuffers (1, &self->vbo);
      glDeleteVertexArrays (1, &self->vao);
      glDeleteProgram (self->program);
    }
  self->texture = self->vbo = self->vao = self->program = 0;
  self->gl_ok = FALSE;
}

static void
upload (BwVmDisplay *self)
{
  const guint32 *pixels;
  int width, height, stride;
  guint n;
  const BwVmRect *rects;

  if (bw_vm_dirty_is_empty (self->dirty) || self->source == NULL)
    return;
  pixels = bw_vm_frame_source_get_pixels (self->source, &width, &height, &stride);
  if (pixels == NULL || width != self->fb_width || height != self->fb_height)
    {
      bw_vm_dirty_clear (self->dirty);
      return;
    }
  if (width > self->max_texture_size || height > self->max_texture_size)
    {
      g_warning ("The guest screen (%dx%d) is larger than this GL can show (%d)", width, height,
                 self->max_texture_size);
      self->tex_width = self->tex_height = 0;
      bw_vm_dirty_clear (self->dirty);
      return;
    }
  glBindTexture (GL_TEXTURE_2D, self->texture);
  glPixelStorei (GL_UNPACK_ALIGNMENT, 4);
  glPixelStorei (GL_UNPACK_ROW_LENGTH, stride);
  if (self->tex_width != width || self->tex_height != height)
    {
      glTexImage2D (GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                    pixels);
      self->tex_width = width;
      self->tex_height = height;
      self->stats.uploads++;
      self->stats.uploaded_pixels += (guint64) width * height;
    }
  else
    {
      rects = bw_vm_dirty_peek (self->dirty, &n);
      for (guint i = 0; i < n; i++)
        {
          const BwVmRect *r = &rects[i];
          glTexSubImage2D (GL_TEXTURE_2D, 0, r->x, r->y, r->width, r->height, GL_RGBA,
                           GL_UNSIGNED_BYTE, pixels + (gsize) r->y * stride + r->x);
          self->stats.uploads++;
          self->stats.uploaded_pixels += (guint64) r->width * r->height;
        }
    }
  glPixelStorei (GL_UNPACK_ROW_LENGTH, 0);
  bw_vm_dirty_clear (self->dirty);
}

static gboolean
gl_render (BwVmDisplay *self, GdkGLContext *context)
{
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self->gl_area));
  int area_w = gtk_widget_get_width (GTK_WIDGET (self->gl_area)) * scale;
  int area_h = gtk_widget_get_height (GTK_WIDGET (self->gl_area)) * scale;
  BwVmRect dest;
  GLint filter;
  gint64 start = g_get_monotonic_time ();

  self->stats.renders++;
  glClearColor (0, 0, 0, 1);
  glClear (GL_COLOR_BUFFER_BIT);
  if (!self->gl_ok)
    return TRUE;
  upload (self);
  /* A blank guest screen (no mode) shows black, not the last picture. */
  if (self->fb_width == 0 || self->tex_width == 0 || self->tex_height == 0)
    return TRUE;

  if (self->scale_mode == BW_VM_SCALE_FIT)
    bw_vm_geometry_fit (self->tex_width, self->tex_height, area_w, area_h, &dest);
  else
    bw_vm_geometry_fixed (self->tex_width, self->tex_height, area_w, area_h, scale,
                          self->zoom_percent, &dest);
  filter = bw_vm_geometry_is_integer_scale (self->tex_width, self->tex_height, &dest)
             ? GL_NEAREST
             : GL_LINEAR;
  glBindTexture (GL_TEXTURE_2D, self->texture);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri (GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  /* GL's origin is the bottom left. */
  glViewport (dest.x, area_h - dest.y - dest.height, dest.width, dest.height);
  glUseProgram (self->program);
  glUniform1i (glGetUniformLocation (self->program, "tex"), 0);
  glActiveTexture (GL_TEXTURE0);
  glBindVertexArray (self->vao);
  glDrawArrays (GL_TRIANGLE_STRIP, 0, 4);
  glBindVertexArray (0);
  glUseProgram (0);
  self->stats.render_us += (guint64) (g_get_monotonic_time () - start);
  return TRUE;
}

/* ---- Frame source polling ---- */

static void
update_size_request (BwVmDisplay *self)
{
  if (self->scale_mode == BW_VM_SCALE_ONE_TO_ONE && self->fb_width > 0)
    {
      gtk_widget_set_size_request (GTK_WIDGET (self->gl_area),
                                   self->fb_width * self->zoom_percent / 100,
                                   self->fb_height * self->zoom_percent / 100);
      gtk_scrolled_window_set_policy (self->scroller, GTK_POLICY_AUTOMATIC,
                                      GTK_POLICY_AUTOMATIC);
    }
  else
    {
      gtk_widget_set_size_request (GTK_WIDGET (self->gl_area), -1, -1);
      gtk_scrolled_window_set_policy (self->scroller, GTK_POLICY_EXTERNAL, GTK_POLICY_EXTERNAL);
    }
}

static void
poll_source (BwVmDisplay *self)
{
  gboolean resized = FALSE;

  if (self->source == NULL)
    return;
  g_array_set_size (self->poll_rects, 0);
  self->stats.polls++;
  if (!bw_vm_frame_source_update (self->source, self->poll_rects, &resized))
    return;
  if (resized)
    {
      int w, h, stride;
      if (bw_vm_frame_source_get_pixels (self->source, &w, &h, &stride) == NULL)
        w = h = 0;
      self->fb_width = w;
      self->fb_height = h;
      bw_vm_dirty_set_size (self->dirty, w, h);
      update_size_request (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCREEN_WIDTH]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCREEN_HEIGHT]);
    }
  for (guint i = 0; i < self->poll_rects->len; i++)
    bw_vm_dirty_add (self->dirty, &g_array_index (self->poll_rects, BwVmRect, i));
  if (resized || !bw_vm_dirty_is_empty (self->dirty))
    gtk_gl_area_queue_render (self->gl_area);
}

static gboolean
tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  poll_source (BW_VM_DISPLAY (widget));
  return G_SOURCE_CONTINUE;
}

/* ---- Keyboard ---- */

static void
flush_out (BwVmDisplay *self)
{
  if (self->out->len == 0)
    return;
  g_autoptr (GBytes) bytes = g_bytes_new (self->out->data, self->out->len);
  g_byte_array_set_size (self->out, 0);
  g_signal_emit (self, signals[SIGNAL_SCANCODES], 0, bytes);
}

void
bw_vm_display_release_keys (BwVmDisplay *self)
{
  g_return_if_fail (BW_VM_IS_DISPLAY (self));
  bw_vm_key_state_release_all (self->keys, self->out);
  flush_out (self);
  self->host_down = FALSE;
  if (self->buttons != 0)
    {
      self->buttons = 0;
      g_signal_emit (self, signals[SIGNAL_MOUSE], 0, 0, 0, 0, 0u);
    }
}

void
bw_vm_display_send_combo (BwVmDisplay *self, const guint *evdev_keys, guint n_keys)
{
  guint8 seq[BW_VM_KEYMAP_MAX_SEQ];
  g_return_if_fail (BW_VM_IS_DISPLAY (self));
  for (guint i = 0; i < n_keys; i++)
    g_byte_array_append (self->out, seq, bw_vm_keymap_encode (evdev_keys[i], TRUE, seq));
  for (guint i = n_keys; i-- > 0;)
    g_byte_array_append (self->out, seq, bw_vm_keymap_encode (evdev_keys[i], FALSE, seq));
  flush_out (self);
}

static gboolean
host_combo (BwVmDisplay *self, guint evdev)
{
  BwVmHostAction action;
  switch (evdev)
    {
    case 33: /* F */
      action = BW_VM_HOST_ACTION_FULLSCREEN;
      break;
    case 46: /* C */
      action = BW_VM_HOST_ACTION_SCALE_MODE;
      break;
    case BW_VM_KEY_DELETE:
    case 83: /* keypad Del */
      action = BW_VM_HOST_ACTION_CTRL_ALT_DEL;
      break;
    case 25: /* P */
      action = BW_VM_HOST_ACTION_PAUSE;
      break;
    case 19: /* R */
      action = BW_VM_HOST_ACTION_RESET;
      break;
    case 16: /* Q */
      action = BW_VM_HOST_ACTION_CLOSE;
      break;
    default:
      return FALSE;
    }
  g_signal_emit (self, signals[SIGNAL_HOST_ACTION], 0, action);
  return TRUE;
}

static gboolean
key_pressed (BwVmDisplay *self, guint keyval, guint keycode, GdkModifierType state,
             GtkEventControllerKey *controller)
{
  guint evdev = bw_vm_keymap_evdev_from_hardware (keycode);

  if (evdev == self->host_key)
    {
      if (!self->host_down)
        self->host_combo = FALSE;
      self->host_down = TRUE;
      return TRUE;
    }
  if (self->host_down)
    {
      /* Host+key never reaches the guest, combo or not. */
      self->host_combo = TRUE;
      host_combo (self, evdev);
      return TRUE;
    }
  bw_vm_key_state_press (self->keys, evdev, self->out);
  flush_out (self);
  return TRUE;
}

static void
key_released (BwVmDisplay *self, guint keyval, guint keycode, GdkModifierType state,
              GtkEventControllerKey *controller)
{
  guint evdev = bw_vm_keymap_evdev_from_hardware (keycode);

  if (evdev == self->host_key)
    {
      gboolean toggle = self->host_down && !self->host_combo;
      self->host_down = FALSE;
      if (toggle)
        bw_vm_display_set_captured (self, !self->captured);
      return;
    }
  bw_vm_key_state_release (self->keys, evdev, self->out);
  flush_out (self);
}

static void
focus_leave (BwVmDisplay *self, GtkEventControllerFocus *controller)
{
  bw_vm_display_release_keys (self);
  bw_vm_display_set_captured (self, FALSE);
}

/* ---- Mouse ---- */

static guint
button_bit (guint button)
{
  switch (button)
    {
    case GDK_BUTTON_PRIMARY:
      return 1 << 0;
    case GDK_BUTTON_SECONDARY:
      return 1 << 1;
    case GDK_BUTTON_MIDDLE:
      return 1 << 2;
    case 8:
      return 1 << 3;
    case 9:
      return 1 << 4;
    default:
      return 0;
    }
}

static void
recentre (BwVmDisplay *self)
{
  GtkWidget *w = GTK_WIDGET (self->gl_area);
  double cx = gtk_widget_get_width (w) / 2.0, cy = gtk_widget_get_height (w) / 2.0;
  bw_vm_grab_warp (w, cx, cy);
  self->last_x = cx;
  self->last_y = cy;
  self->have_last = TRUE;
}

static void
motion (BwVmDisplay *self, double x, double y)
{
  GtkWidget *w = GTK_WIDGET (self->gl_area);
  int scale = gtk_widget_get_scale_factor (w);
  int dx, dy;

  if (!self->have_last)
    {
      self->last_x = x;
      self->last_y = y;
      self->have_last = TRUE;
      return;
    }
  dx = (int) ((x - self->last_x) * scale);
  dy = (int) ((y - self->last_y) * scale);
  self->last_x = x;
  self->last_y = y;
  if (dx != 0 || dy != 0)
    g_signal_emit (self, signals[SIGNAL_MOUSE], 0, dx, dy, 0, self->buttons);
  /* Back to the middle before the pointer reaches an edge. */
  if (bw_vm_grab_can_warp (w)
      && (fabs (x - gtk_widget_get_width (w) / 2.0) > gtk_widget_get_width (w) / 4.0
          || fabs (y - gtk_widget_get_height (w) / 2.0) > gtk_widget_get_height (w) / 4.0))
    recentre (self);
}

static gboolean
pointer_event (BwVmDisplay *self, GdkEvent *event, GtkEventControllerLegacy *controller)
{
  GdkEventType type = gdk_event_get_event_type (event);
  double x = 0, y = 0;

  if (!self->captured)
    {
      /* A click into the display captures; the click itself stays here.
       * The grab waits for the release: while the button is down the X
       * server holds the press's implicit grab, and XGrabPointer is
       * refused then (with a person's click, nearly always). */
      if (type == GDK_BUTTON_PRESS && gdk_button_event_get_button (event) == GDK_BUTTON_PRIMARY)
        {
          self->capture_click = TRUE;
          gtk_widget_grab_focus (GTK_WIDGET (self));
          return TRUE;
        }
      if (type == GDK_BUTTON_RELEASE && gdk_button_event_get_button (event) == GDK_BUTTON_PRIMARY
          && self->capture_click)
        {
          self->capture_click = FALSE;
          bw_vm_display_set_captured (self, TRUE);
          return TRUE;
        }
      return FALSE;
    }

  gdk_event_get_position (event, &x, &y);
  {
    /* Event positions are in surface coordinates; the maths wants the GL
     * area's. */
    GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self->gl_area));
    graphene_point_t in = GRAPHENE_POINT_INIT ((float) x, (float) y), out;
    double nx = 0, ny = 0;
    gtk_native_get_surface_transform (native, &nx, &ny);
    in.x -= (float) nx;
    in.y -= (float) ny;
    if (gtk_widget_compute_point (GTK_WIDGET (native), GTK_WIDGET (self->gl_area), &in, &out))
      {
        x = out.x;
        y = out.y;
      }
  }

  switch ((int) type)
    {
    case GDK_MOTION_NOTIFY:
      motion (self, x, y);
      return TRUE;
    case GDK_BUTTON_PRESS:
    case GDK_BUTTON_RELEASE:
      {
        guint bit = button_bit (gdk_button_event_get_button (event));
        if (bit == 0)
          return TRUE;
        if (type == GDK_BUTTON_PRESS)
          self->buttons |= bit;
        else
          self->buttons &= ~bit;
        g_signal_emit (self, signals[SIGNAL_MOUSE], 0, 0, 0, 0, self->buttons);
        return TRUE;
      }
    case GDK_SCROLL:
      {
        int dz = 0;
        switch (gdk_scroll_event_get_direction (event))
          {
          case GDK_SCROLL_UP:
            dz = -1;
            break;
          case GDK_SCROLL_DOWN:
            dz = 1;
            break;
          case GDK_SCROLL_SMOOTH:
            {
              double sdx, sdy;
              gdk_scroll_event_get_deltas (event, &sdx, &sdy);
              self->scroll_acc += sdy;
              dz = (int) self->scroll_acc;
              self->scroll_acc -= dz;
              break;
            }
          default:
            break;
          }
        if (dz != 0)
          g_signal_emit (self, signals[SIGNAL_MOUSE], 0, 0, 0, dz, self->buttons);
        return TRUE;
      }
    default:
      return FALSE;
    }
}

gboolean
bw_vm_display_get_captured (BwVmDisplay *self)
{
  g_return_val_if_fail (BW_VM_IS_DISPLAY (self), FALSE);
  return self->captured;
}

void
bw_vm_display_set_captured (BwVmDisplay *self, gboolean captured)
{
  g_return_if_fail (BW_VM_IS_DISPLAY (self));
  captured = !!captured;
  if (captured == self->captured)
    return;
  if (captured)
    {
      if (!gtk_widget_get_realized (GTK_WIDGET (self))
          || !bw_vm_grab_begin (GTK_WIDGET (self->gl_area), NULL))
        return;
      gtk_widget_grab_focus (GTK_WIDGET (self));
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self->gl_area), "none");
      self->have_last = FALSE;
      if (bw_vm_grab_can_warp (GTK_WIDGET (self->gl_area)))
        recentre (self);
    }
  else
    {
      if (gtk_widget_get_realized (GTK_WIDGET (self)))
        bw_vm_grab_end (GTK_WIDGET (self->gl_area));
      gtk_widget_set_cursor (GTK_WIDGET (self->gl_area), NULL);
      if (self->buttons != 0)
        {
          self->buttons = 0;
          g_signal_emit (self, signals[SIGNAL_MOUSE], 0, 0, 0, 0, 0u);
        }
    }
  self->captured = captured;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPTURED]);
}

/* ---- Public API and GObject ---- */

GtkWidget *
bw_vm_display_new (void)
{
  return g_object_new (BW_VM_TYPE_DISPLAY, NULL);
}

void
bw_vm_display_set_source (BwVmDisplay *self, BwVmFrameSource *source)
{
  g_return_if_fail (BW_VM_IS_DISPLAY (self));
  if (source == self->source)
    return;
  if (source != NULL)
    bw_vm_frame_source_ref (source);
  g_clear_pointer (&self->source, bw_vm_frame_source_unref);
  self->source = source;
  self->fb_width = self->fb_height = 0;
  bw_vm_dirty_set_size (self->dirty, 0, 0);
  poll_source (self);
}

BwVmFrameSource *
bw_vm_display_get_source (BwVmDisplay *self)
{
  g_return_val_if_fail (BW_VM_IS_DISPLAY (self), NULL);
  return self->source;
}

void
bw_vm_display_set_scale_mode (BwVmDisplay *self, BwVmScaleMode mode)
{
  g_return_if_fail (BW_VM_IS_DISPLAY (self));
  if (mode == self->scale_mode)
    return;
  self->scale_mode = mode;
  update_size_request (self);
  gtk_gl_area_queue_render (self->gl_area);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALE_MODE]);
}

void
bw_vm_display_set_zoom (BwVmDisplay *self, int percent)
{
  g_return_if_fail (BW_VM_IS_DISPLAY (self));
  percent = CLAMP (percent, 100, 200);
  if (percent == self->zoom_percent)
    return;
  self->zoom_percent = percent;
  update_size_request (self);
  gtk_gl_area_queue_render (self->gl_area);
}

int
bw_vm_display_get_zoom (BwVmDisplay *self)
{
  g_return_val_if_fail (BW_VM_IS_DISPLAY (self), 100);
  return self->zoom_percent;
}

BwVmScaleMode
bw_vm_display_get_scale_mode (BwVmDisplay *self)
{
  g_return_val_if_fail (BW_VM_IS_DISPLAY (self), BW_VM_SCALE_FIT);
  return self->scale_mode;
}

void
bw_vm_display_set_host_key (BwVmDisplay *self, guint evdev)
{
  g_return_if_fail (BW_VM_IS_DISPLAY (self));
  if (!bw_vm_keymap_has_key (evdev))
    evdev = BW_VM_KEY_RIGHTCTRL;
  if (evdev == self->host_key)
    return;
  self->host_key = evdev;
  self->host_down = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_KEY]);
}

guint
bw_vm_display_get_host_key (BwVmDisplay *self)
{
  g_return_val_if_fail (BW_VM_IS_DISPLAY (self), 0);
  return self->host_key;
}

void
bw_vm_display_get_screen_size (BwVmDisplay *self, int *width, int *height)
{
  *width = self->fb_width;
  *height = self->fb_height;
}

void
bw_vm_display_get_stats (BwVmDisplay *self, BwVmDisplayStats *stats)
{
  *stats = self->stats;
}

static void
bw_vm_display_map (GtkWidget *widget)
{
  BwVmDisplay *self = BW_VM_DISPLAY (widget);
  GTK_WIDGET_CLASS (bw_vm_display_parent_class)->map (widget);
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (widget, tick, NULL, NULL);
}

static void
bw_vm_display_unmap (GtkWidget *widget)
{
  BwVmDisplay *self = BW_VM_DISPLAY (widget);
  bw_vm_display_set_captured (self, FALSE);
  if (self->tick_id != 0)
    gtk_widget_remove_tick_callback (widget, self->tick_id);
  self->tick_id = 0;
  GTK_WIDGET_CLASS (bw_vm_display_parent_class)->unmap (widget);
}

static void
bw_vm_display_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BwVmDisplay *self = BW_VM_DISPLAY (object);
  switch (prop_id)
    {
    case PROP_SCALE_MODE:
      g_value_set_int (value, self->scale_mode);
      break;
    case PROP_CAPTURED:
      g_value_set_boolean (value, self->captured);
      break;
    case PROP_HOST_KEY:
      g_value_set_uint (value, self->host_key);
      break;
    case PROP_SCREEN_WIDTH:
      g_value_set_int (value, self->fb_width);
      break;
    case PROP_SCREEN_HEIGHT:
      g_value_set_int (value, self->fb_height);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_vm_display_set_property (GObject *object, guint prop_id, const GValue *value,
                            GParamSpec *pspec)
{
  BwVmDisplay *self = BW_VM_DISPLAY (object);
  switch (prop_id)
    {
    case PROP_SCALE_MODE:
      bw_vm_display_set_scale_mode (self, g_value_get_int (value));
      break;
    case PROP_CAPTURED:
      bw_vm_display_set_captured (self, g_value_get_boolean (value));
      break;
    case PROP_HOST_KEY:
      bw_vm_display_set_host_key (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bw_vm_display_dispose (GObject *object)
{
  BwVmDisplay *self = BW_VM_DISPLAY (object);
  g_clear_pointer (&self->source, bw_vm_frame_source_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), BW_VM_TYPE_DISPLAY);
  G_OBJECT_CLASS (bw_vm_display_parent_class)->dispose (object);
}

static void
bw_vm_display_finalize (GObject *object)
{
  BwVmDisplay *self = BW_VM_DISPLAY (object);
  g_array_unref (self->poll_rects);
  bw_vm_dirty_free (self->dirty);
  bw_vm_key_state_free (self->keys);
  g_byte_array_unref (self->out);
  G_OBJECT_CLASS (bw_vm_display_parent_class)->finalize (object);
}

static void
bw_vm_display_class_init (BwVmDisplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = bw_vm_display_get_property;
  object_class->set_property = bw_vm_display_set_property;
  object_class->dispose = bw_vm_display_dispose;
  object_class->finalize = bw_vm_display_finalize;
  widget_class->map = bw_vm_display_map;
  widget_class->unmap = bw_vm_display_unmap;

  properties[PROP_SCALE_MODE] = g_param_spec_int (
    "scale-mode", NULL, NULL, BW_VM_SCALE_FIT, BW_VM_SCALE_ONE_TO_ONE, BW_VM_SCALE_FIT,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAPTURED] = g_param_spec_boolean (
    "captured", NULL, NULL, FALSE,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOST_KEY] = g_param_spec_uint (
    "host-key", NULL, NULL, 1, BW_VM_KEY_MAX - 1, BW_VM_KEY_RIGHTCTRL,
    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SCREEN_WIDTH] = g_param_spec_int (
    "screen-width", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SCREEN_HEIGHT] = g_param_spec_int (
    "screen-height", NULL, NULL, 0, G_MAXINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* scancodes (GBytes of set-2 codes) */
  signals[SIGNAL_SCANCODES] = g_signal_new ("scancodes", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, G_TYPE_BYTES);
  /* mouse (dx, dy, dz, buttons) */
  signals[SIGNAL_MOUSE] = g_signal_new ("mouse", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 4, G_TYPE_INT,
                                        G_TYPE_INT, G_TYPE_INT, G_TYPE_UINT);
  /* host-action (BwVmHostAction) */
  signals[SIGNAL_HOST_ACTION] = g_signal_new ("host-action", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 1, G_TYPE_INT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/boxwood/VmWindow/ui/bw-vm-display.ui");
  gtk_widget_class_bind_template_child (widget_class, BwVmDisplay, scroller);
  gtk_widget_class_bind_template_child (widget_class, BwVmDisplay, viewport);
  gtk_widget_class_bind_template_child (widget_class, BwVmDisplay, gl_area);
  gtk_widget_class_bind_template_callback (widget_class, gl_realize);
  gtk_widget_class_bind_template_callback (widget_class, gl_unrealize);
  gtk_widget_class_bind_template_callback (widget_class, gl_render);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "bw-vm-display");
}

static void
bw_vm_display_init (BwVmDisplay *self)
{
  GtkEventController *controller;

  self->poll_rects = g_array_new (FALSE, FALSE, sizeof (BwVmRect));
  self->dirty = bw_vm_dirty_new ();
  self->zoom_percent = 100;
  self->keys = bw_vm_key_state_new ();
  self->out = g_byte_array_new ();
  self->host_key = BW_VM_KEY_RIGHTCTRL;
  gtk_widget_init_template (GTK_WIDGET (self));

  controller = gtk_event_controller_key_new ();
  g_signal_connect_swapped (controller, "key-pressed", G_CALLBACK (key_pressed), self);
  g_signal_connect_swapped (controller, "key-released", G_CALLBACK (key_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect_swapped (controller, "leave", G_CALLBACK (focus_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_legacy_new ();
  g_signal_connect_swapped (controller, "event", G_CALLBACK (pointer_event), self);
  gtk_widget_add_controller (GTK_WIDGET (self->gl_area), controller);
}
