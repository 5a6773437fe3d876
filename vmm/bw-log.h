/* bw-log.h: the VM's log, Logs/boxwood.log.
 *
 * Every running machine writes one. Opening rotates the old ones first,
 * as VirtualBox does with VBox.log: boxwood.log.2 becomes .3 (the old .3
 * is deleted), .1 becomes .2, boxwood.log becomes .1; so the current log
 * and three older ones are kept.
 *
 * Each line starts with the time since the log was opened,
 * "HH:MM:SS.mmm ", then a tag ("VMM", "CPU", a device's name) and the
 * message. Guest-visible errors (an unhandled port, a bad command to a
 * device) go through bw_log_guest_error(), which reports each distinct
 * message from a device once in full and then only counts repeats, so a
 * guest hammering a port cannot fill the disk.
 *
 * Thread-safe. A log opened with a NULL folder writes to memory only
 * (tests, and the time before the machine folder is known); its text is
 * available with bw_log_dup_contents(). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BW_LOG_FILE_NAME "boxwood.log"
#define BW_LOG_KEEP 3 /* rotated files kept besides the current one */

typedef struct _BwLog BwLog;

/* Creates logs_dir if needed, rotates, opens boxwood.log. */
BwLog *bw_log_open (const char *logs_dir, GError **error);
/* A log kept in memory. */
BwLog *bw_log_new_memory (void);
void bw_log_close (BwLog *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwLog, bw_log_close)

/* Rotation alone: what bw_log_open() does before opening. */
gboolean bw_log_rotate (const char *logs_dir, GError **error);

/* The file path, or NULL for a memory log. */
const char *bw_log_get_path (BwLog *log);

/* One line (a trailing newline is added when missing). */
void bw_log_printf (BwLog *log, const char *tag, const char *format, ...) G_GNUC_PRINTF (3, 4);
void bw_log_vprintf (BwLog *log, const char *tag, const char *format, va_list args)
  G_GNUC_PRINTF (3, 0);

/* A guest-visible error from a device: "tag: guest error: message". The
 * first BW_LOG_GUEST_ERROR_LIMIT distinct messages per tag are written;
 * repeats of a message are counted and summed up at close. */
#define BW_LOG_GUEST_ERROR_LIMIT 64
void bw_log_guest_error (BwLog *log, const char *tag, const char *format, ...)
  G_GNUC_PRINTF (3, 4);

/* Also copy every line to stderr (boxwood-vm --verbose). */
void bw_log_set_echo (BwLog *log, gboolean echo);

void bw_log_flush (BwLog *log);

/* Copies GLib messages of level message, warning and critical from the
 * boxwood-* log domains into log as well (they still go to stderr).
 * GLib allows one writer per process: the first call installs it, later
 * calls only change the target; closing the target log detaches it. */
void bw_log_capture_glib (BwLog *log);

/* Everything written so far (memory logs keep it all; file logs read the
 * file back). */
char *bw_log_dup_contents (BwLog *log);

G_END_DECLS
