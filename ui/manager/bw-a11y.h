/* bw-a11y.h: accessible names GTK 4.8 leaves out. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A GtkDropDown's focusable part is an inner toggle button that screen
 * readers announce as "GtkToggleButton". Names each such button under
 * root after the drop-down's mnemonic label (else the drop-down itself). */
void bw_a11y_name_drop_down_buttons (GtkWidget *root);

G_END_DECLS
