/* bench-vm-display.c: the VM display's cost (run under Xvfb, where GTK's
 * GL is Mesa llvmpipe, so every GL call is CPU work we can measure).
 *
 * For each size (1024x768, 1920x1080): N frames in which the whole guest
 * screen changes, shown 1:1 through the real path (frame source poll,
 * dirty bookkeeping, glTexSubImage2D, draw, GTK's compositing). Reports
 * the time spent in the display's render (upload and draw), the process
 * CPU time per frame (all threads, llvmpipe's included) and frames per
 * second (GTK's frame clock caps that at the refresh rate). Then the
 * CPU use of the window with an unchanged screen over 10 s.
 *
 *   bench-vm-display [FRAMES]   (default 120) */
#define G_LOG_DOMAIN "boxwood-bench"
#include "config.h"

#include <stdio.h>
#include <sys/resource.h>
#include <gtk/gtk.h>

#include "ui/vm/bw-vm-display.h"

typedef struct
{
  GtkWidget *window;
  BwVmDisplay *display;
  BwVmMemorySource *memory;
  int size_index;
  int frames_wanted, frames_done;
  guint64 last_renders;
  BwVmDisplayStats start_stats;
  gint64 start_wall, start_cpu;
  gboolean waiting_first;
  int status;
} Bench;

static const int sizes[][2] = { { 1024, 768 }, { 1920, 1080 } };

static gint64
cpu_us (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return (gint64) ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec
         + (gint64) ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
}

static void
paint_frame (Bench *b, guint n)
{
  int w, h;
  guint32 *px = bw_vm_memory_source_get_pixels (b->memory, &w, &h);
  /* A different picture every frame: a moving gradient. */
  for (int y = 0; y < h; y++)
    {
      guint32 row = ((guint32) (y + n) & 0xFF) << 8;
      for (int x = 0; x < w; x++)
        px[(gsize) y * w + x] = row | ((guint32) (x + n) & 0xFF) << 16 | (n & 0xFF);
    }
  bw_vm_memory_source_damage (b->memory, 0, 0, w, h);
}

static gboolean idle_measure (gpointer data);

static gboolean
tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  Bench *b = data;
  BwVmDisplayStats st;

  bw_vm_display_get_stats (b->display, &st);
  if (b->waiting_first)
    {
      /* The new size is up (first full upload done): start timing. */
      int w, h;
      bw_vm_display_get_screen_size (b->display, &w, &h);
      if (w != sizes[b->size_index][0] || st.renders == b->last_renders)
        return G_SOURCE_CONTINUE;
      b->waiting_first = FALSE;
      b->start_stats = st;
      b->start_wall = g_get_monotonic_time ();
      b->start_cpu = cpu_us ();
      b->frames_done = 0;
      b->last_renders = st.renders;
      paint_frame (b, 0);
      return G_SOURCE_CONTINUE;
    }
  if (st.renders == b->last_renders)
    return G_SOURCE_CONTINUE; /* the previous frame is not shown yet */
  b->last_renders = st.renders;
  if (++b->frames_done < b->frames_wanted)
    {
      paint_frame (b, (guint) b->frames_done);
      return G_SOURCE_CONTINUE;
    }

  {
    double wall = (g_get_monotonic_time () - b->start_wall) / 1e6;
    double cpu = (cpu_us () - b->start_cpu) / 1e3;
    guint64 renders = st.renders - b->start_stats.renders;
    double render_ms = (st.render_us - b->start_stats.render_us) / 1e3 / MAX (renders, 1);
    printf ("%dx%d full-screen updates: %d frames, render (upload+draw) %.2f ms/frame, "
            "process CPU %.2f ms/frame, %.1f frames/s, %.1f Mpixel/s uploaded\n",
            sizes[b->size_index][0], sizes[b->size_index][1], b->frames_wanted, render_ms,
            cpu / b->frames_wanted, b->frames_wanted / wall,
            (st.uploaded_pixels - b->start_stats.uploaded_pixels) / wall / 1e6);
    fflush (stdout);
  }
  if (++b->size_index < (int) G_N_ELEMENTS (sizes))
    {
      bw_vm_memory_source_resize (b->memory, sizes[b->size_index][0], sizes[b->size_index][1]);
      paint_frame (b, 0);
      b->waiting_first = TRUE;
      return G_SOURCE_CONTINUE;
    }
  /* Idle phase: leave the screen alone. */
  g_timeout_add_seconds (1, idle_measure, b);
  return G_SOURCE_REMOVE;
}

static gboolean
idle_done (gpointer data)
{
  Bench *b = data;
  BwVmDisplayStats st;
  double cpu = (cpu_us () - b->start_cpu) / 1e6;
  double wall = (g_get_monotonic_time () - b->start_wall) / 1e6;
  bw_vm_display_get_stats (b->display, &st);
  printf ("idle unchanged window (%dx%d) over %.1f s: CPU %.2f%% of one core, %" G_GUINT64_FORMAT
          " renders, %" G_GUINT64_FORMAT " uploads, %" G_GUINT64_FORMAT " source polls\n",
          sizes[G_N_ELEMENTS (sizes) - 1][0], sizes[G_N_ELEMENTS (sizes) - 1][1], wall,
          100.0 * cpu / wall, st.renders - b->start_stats.renders,
          st.uploads - b->start_stats.uploads, st.polls - b->start_stats.polls);
  fflush (stdout);
  b->status = (st.renders == b->start_stats.renders) ? 0 : 1;
  gtk_window_destroy (GTK_WINDOW (b->window));
  return G_SOURCE_REMOVE;
}

static gboolean
idle_measure (gpointer data)
{
  Bench *b = data;
  bw_vm_display_get_stats (b->display, &b->start_stats);
  b->start_wall = g_get_monotonic_time ();
  b->start_cpu = cpu_us ();
  g_timeout_add_seconds (10, idle_done, b);
  return G_SOURCE_REMOVE;
}

static void
window_destroyed (GtkWidget *w, gpointer data)
{
  *(gboolean *) data = TRUE;
}

int
main (int argc, char **argv)
{
  Bench b = { 0 };
  gboolean done = FALSE;
  g_autoptr (BwVmFrameSource) source = NULL;

  gtk_init ();
  b.frames_wanted = argc > 1 ? MAX (atoi (argv[1]), 1) : 120;
  source = bw_vm_memory_source_new (sizes[0][0], sizes[0][1], &b.memory);
  paint_frame (&b, 0);
  b.window = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (b.window), "bench-vm-display");
  gtk_window_set_default_size (GTK_WINDOW (b.window), 1920, 1080);
  b.display = BW_VM_DISPLAY (bw_vm_display_new ());
  bw_vm_display_set_scale_mode (b.display, BW_VM_SCALE_ONE_TO_ONE);
  bw_vm_display_set_source (b.display, source);
  gtk_window_set_child (GTK_WINDOW (b.window), GTK_WIDGET (b.display));
  g_signal_connect (b.window, "destroy", G_CALLBACK (window_destroyed), &done);
  b.waiting_first = TRUE;
  b.status = 1;
  gtk_widget_add_tick_callback (b.window, tick, &b, NULL);
  gtk_window_present (GTK_WINDOW (b.window));
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  return b.status;
}
