/* bw-error-text.h: service errors in words a person can act on.
 *
 * The service's messages name the thing and the fault ("machine 'x' is
 * running; power it off first"); this adds what the person was doing and
 * what to do next, translated. No GTK. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* doing: what failed, already translated ("Could not change “Debian”").
 * Returns "DOING: MESSAGE. ADVICE" as one paragraph. */
char *bw_error_text (const char *doing, const GError *error);

G_END_DECLS
