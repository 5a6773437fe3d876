/* bw-application.h: the `boxwood` GtkApplication (org.boxwood.Boxwood).
 *
 * App actions: app.preferences, app.about, app.quit; accelerators for
 * the window's actions. Preferences live in GSettings; the schema is
 * found where it is installed or, when running from the build tree, in
 * its data/ folder.
 *
 * With BOXWOOD_EXIT_AFTER_FIRST_FRAME=1 the application prints
 * "first-frame MS" (milliseconds since the process started) once the
 * window has been painted, and quits: the startup benchmark uses it. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BW_TYPE_APPLICATION (bw_application_get_type ())
G_DECLARE_FINAL_TYPE (BwApplication, bw_application, BW, APPLICATION, GtkApplication)

BwApplication *bw_application_new (void);

/* org.boxwood.Boxwood settings, from the installed schemas or the build
 * tree's; NULL (with a warning) when neither has it. */
GSettings *bw_application_load_settings (void);

G_END_DECLS
