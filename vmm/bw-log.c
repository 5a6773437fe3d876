/* bw-log.c: Logs/boxwood.log, rotated at open, with rate-limited guest
 * errors. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include "vmm/bw-log.h"

typedef struct
{
  guint64 repeats;
} Seen;

struct _BwLog
{
  GMutex mutex;
  char *path;       /* NULL: memory only */
  FILE *file;
  GString *memory;  /* memory logs */
  gint64 start_us;
  gboolean echo;
  GHashTable *guest_errors;      /* "tag\0message" -> Seen */
  GHashTable *guest_error_count; /* tag -> distinct messages written */
};

static BwLog *
log_new (void)
{
  BwLog *log = g_new0 (BwLog, 1);
  g_mutex_init (&log->mutex);
  log->start_us = g_get_monotonic_time ();
  log->guest_errors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  log->guest_error_count = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return log;
}

static gboolean
rename_if_exists (const char *from, const char *to, GError **error)
{
  if (g_rename (from, to) == 0 || errno == ENOENT)
    return TRUE;
  int saved = errno;
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "Cannot rename %s to %s: %s",
               from, to, g_strerror (saved));
  return FALSE;
}

gboolean
bw_log_rotate (const char *logs_dir, GError **error)
{
  g_autofree char *base = g_build_filename (logs_dir, BW_LOG_FILE_NAME, NULL);
  g_autofree char *oldest = g_strdup_printf ("%s.%d", base, BW_LOG_KEEP);

  if (g_unlink (oldest) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "Cannot remove %s: %s",
                   oldest, g_strerror (saved));
      return FALSE;
    }
  for (int i = BW_LOG_KEEP - 1; i >= 1; i--)
    {
      g_autofree char *from = g_strdup_printf ("%s.%d", base, i);
      g_autofree char *to = g_strdup_printf ("%s.%d", base, i + 1);
      if (!rename_if_exists (from, to, error))
        return FALSE;
    }
  g_autofree char *first = g_strdup_printf ("%s.1", base);
  return rename_if_exists (base, first, error);
}

BwLog *
bw_log_open (const char *logs_dir, GError **error)
{
  if (g_mkdir_with_parents (logs_dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Cannot create the log folder %s: %s", logs_dir, g_strerror (saved));
      return NULL;
    }
  if (!bw_log_rotate (logs_dir, error))
    return NULL;

  g_autofree char *path = g_build_filename (logs_dir, BW_LOG_FILE_NAME, NULL);
  FILE *file = g_fopen (path, "w");
  if (!file)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "Cannot create %s: %s",
                   path, g_strerror (saved));
      return NULL;
    }
  BwLog *log = log_new ();
  log->path = g_steal_pointer (&path);
  log->file = file;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format_iso8601 (now);
  bw_log_printf (log, "VMM", "Boxwood %s log opened %s", PACKAGE_VERSION, stamp);
  return log;
}

BwLog *
bw_log_new_memory (void)
{
  BwLog *log = log_new ();
  log->memory = g_string_new (NULL);
  return log;
}

static void
write_line (BwLog *log, const char *tag, const char *message)
{
  gint64 ms = (g_get_monotonic_time () - log->start_us) / 1000;
  g_autofree char *line
    = g_strdup_printf ("%02d:%02d:%02d.%03d %s: %s%s", (int) (ms / 3600000), (int) (ms / 60000 % 60),
                       (int) (ms / 1000 % 60), (int) (ms % 1000), tag ? tag : "VMM", message,
                       g_str_has_suffix (message, "\n") ? "" : "\n");
  if (log->file)
    fputs (line, log->file);
  if (log->memory)
    g_string_append (log->memory, line);
  if (log->echo)
    fputs (line, stderr);
}

void
bw_log_vprintf (BwLog *log, const char *tag, const char *format, va_list args)
{
  if (!log)
    return;
  g_autofree char *message = g_strdup_vprintf (format, args);
  g_mutex_lock (&log->mutex);
  write_line (log, tag, message);
  g_mutex_unlock (&log->mutex);
}

void
bw_log_printf (BwLog *log, const char *tag, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  bw_log_vprintf (log, tag, format, args);
  va_end (args);
}

void
bw_log_guest_error (BwLog *log, const char *tag, const char *format, ...)
{
  if (!log)
    return;
  va_list args;
  va_start (args, format);
  g_autofree char *message = g_strdup_vprintf (format, args);
  va_end (args);
  if (!tag)
    tag = "VMM";

  g_autofree char *key = g_strconcat (tag, "\n", message, NULL);
  g_mutex_lock (&log->mutex);
  Seen *seen = g_hash_table_lookup (log->guest_errors, key);
  if (seen)
    seen->repeats++;
  else
    {
      guint written = GPOINTER_TO_UINT (g_hash_table_lookup (log->guest_error_count, tag));
      if (written < BW_LOG_GUEST_ERROR_LIMIT)
        {
          g_autofree char *line = g_strdup_printf ("guest error: %s", message);
          write_line (log, tag, line);
          g_hash_table_insert (log->guest_errors, g_steal_pointer (&key), g_new0 (Seen, 1));
          if (written + 1 == BW_LOG_GUEST_ERROR_LIMIT)
            write_line (log, tag, "guest error: further new guest errors of this device are not "
                                  "logged");
        }
      g_hash_table_insert (log->guest_error_count, g_strdup (tag), GUINT_TO_POINTER (written + 1));
    }
  g_mutex_unlock (&log->mutex);
}

void
bw_log_set_echo (BwLog *log, gboolean echo)
{
  log->echo = echo;
}

const char *
bw_log_get_path (BwLog *log)
{
  return log->path;
}

void
bw_log_flush (BwLog *log)
{
  if (!log)
    return;
  g_mutex_lock (&log->mutex);
  if (log->file)
    fflush (log->file);
  g_mutex_unlock (&log->mutex);
}

char *
bw_log_dup_contents (BwLog *log)
{
  if (log->memory)
    {
      g_mutex_lock (&log->mutex);
      char *text = g_strdup (log->memory->str);
      g_mutex_unlock (&log->mutex);
      return text;
    }
  bw_log_flush (log);
  char *text = NULL;
  if (!g_file_get_contents (log->path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

static GMutex capture_mutex;
static BwLog *capture_target;
static gboolean capture_installed;

static GLogWriterOutput
capture_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  if (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL))
    {
      const char *domain = NULL, *message = NULL;
      for (gsize i = 0; i < n_fields; i++)
        {
          if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0 && fields[i].length < 0)
            domain = fields[i].value;
          else if (strcmp (fields[i].key, "MESSAGE") == 0 && fields[i].length < 0)
            message = fields[i].value;
        }
      g_mutex_lock (&capture_mutex);
      if (capture_target && message && domain && g_str_has_prefix (domain, "boxwood"))
        bw_log_printf (capture_target, domain, "%s: %s",
                       (level & G_LOG_LEVEL_CRITICAL)  ? "CRITICAL"
                       : (level & G_LOG_LEVEL_WARNING) ? "WARNING"
                                                       : "message",
                       message);
      g_mutex_unlock (&capture_mutex);
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

void
bw_log_capture_glib (BwLog *log)
{
  g_mutex_lock (&capture_mutex);
  capture_target = log;
  gboolean install = !capture_installed;
  capture_installed = TRUE;
  g_mutex_unlock (&capture_mutex);
  if (install)
    g_log_set_writer_func (capture_writer, NULL, NULL);
}

void
bw_log_close (BwLog *log)
{
  if (!log)
    return;
  g_mutex_lock (&capture_mutex);
  if (capture_target == log)
    capture_target = NULL;
  g_mutex_unlock (&capture_mutex);
  g_mutex_lock (&log->mutex);
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init (&iter, log->guest_errors);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Seen *seen = value;
      if (seen->repeats == 0)
        continue;
      const char *nl = strchr (key, '\n');
      g_autofree char *tag = g_strndup (key, nl - (const char *) key);
      g_autofree char *line = g_strdup_printf (
        "guest error repeated %" G_GUINT64_FORMAT " more times: %s", seen->repeats, nl + 1);
      write_line (log, tag, line);
    }
  if (log->file)
    fclose (log->file);
  g_mutex_unlock (&log->mutex);
  if (log->memory)
    g_string_free (log->memory, TRUE);
  g_hash_table_unref (log->guest_errors);
  g_hash_table_unref (log->guest_error_count);
  g_mutex_clear (&log->mutex);
  g_free (log->path);
  g_free (log);
}
