/* test-log.c: Logs/boxwood.log rotation (the current log and three older
 * ones), line format, guest-error rate limiting. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include "bw-test.h"
#include "vmm/bw-log.h"

static char *
read_file (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  return text;
}

static void
remove_tree (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_remove (path);
    }
  g_rmdir (dir);
}

START_TEST (test_rotation)
{
  g_autofree char *tmp = g_dir_make_tmp ("bw-log-XXXXXX", NULL);
  g_autofree char *logs = g_build_filename (tmp, "Logs", NULL);
  for (int run = 1; run <= 5; run++)
    {
      g_autoptr (GError) error = NULL;
      BwLog *log = bw_log_open (logs, &error);
      ck_assert_msg (log != NULL, "%s", error ? error->message : "");
      bw_log_printf (log, "VMM", "run %d", run);
      bw_log_close (log);
    }
  const char *names[] = { "boxwood.log", "boxwood.log.1", "boxwood.log.2", "boxwood.log.3" };
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *text = read_file (logs, names[i]);
      ck_assert_msg (text != NULL, "%s missing", names[i]);
      g_autofree char *marker = g_strdup_printf ("VMM: run %d\n", 5 - i);
      ck_assert_msg (strstr (text, marker) != NULL, "%s lacks “%s”", names[i], marker);
    }
  g_autofree char *fifth = read_file (logs, "boxwood.log.4");
  ck_assert_ptr_null (fifth);
  remove_tree (logs);
  g_rmdir (tmp);
}
END_TEST

START_TEST (test_rotation_error)
{
  /* A logs path that is a file cannot hold a log: a clear error. */
  g_autofree char *tmp = g_dir_make_tmp ("bw-log-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (tmp, "Logs", NULL);
  ck_assert (g_file_set_contents (file, "x", 1, NULL));
  g_autoptr (GError) error = NULL;
  ck_assert_ptr_null (bw_log_open (file, &error));
  ck_assert_ptr_nonnull (error);
  ck_assert_ptr_nonnull (strstr (error->message, file));
  g_remove (file);
  g_rmdir (tmp);
}
END_TEST

START_TEST (test_line_format)
{
  g_autoptr (BwLog) log = bw_log_new_memory ();
  ck_assert_ptr_null (bw_log_get_path (log));
  bw_log_printf (log, "pit", "mode %d", 2);
  bw_log_printf (log, NULL, "two\nlines\n");
  g_autofree char *text = bw_log_dup_contents (log);
  /* "HH:MM:SS.mmm tag: message" */
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  ck_assert (g_regex_match_simple ("^\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d pit: mode 2$", lines[0], 0,
                                   0));
  ck_assert (g_regex_match_simple ("^\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d VMM: two$", lines[1], 0, 0));
  ck_assert_str_eq (lines[2], "lines");
  ck_assert_str_eq (lines[3], "");
}
END_TEST

START_TEST (test_guest_errors_limited)
{
  g_autofree char *tmp = g_dir_make_tmp ("bw-log-XXXXXX", NULL);
  BwLog *log = bw_log_open (tmp, NULL);
  ck_assert_ptr_nonnull (log);
  for (int i = 0; i < 1000; i++)
    bw_log_guest_error (log, "i8042", "unknown command %#x", 0xee);
  for (int i = 0; i < 200; i++)
    bw_log_guest_error (log, "pio", "read from unclaimed %#x", i);
  bw_log_guest_error (log, "uart", "bad divisor");
  bw_log_close (log);

  g_autofree char *text = read_file (tmp, "boxwood.log");
  ck_assert_ptr_nonnull (text);
  ck_assert_ptr_nonnull (strstr (text, "i8042: guest error: unknown command 0xee\n"));
  ck_assert_ptr_nonnull (strstr (text, "i8042: guest error repeated 999 more times: unknown "
                                       "command 0xee\n"));
  /* Only the first BW_LOG_GUEST_ERROR_LIMIT distinct messages per tag. */
  g_autofree char *last_kept = g_strdup_printf ("unclaimed %#x\n", BW_LOG_GUEST_ERROR_LIMIT - 1);
  g_autofree char *first_dropped = g_strdup_printf ("unclaimed %#x\n", BW_LOG_GUEST_ERROR_LIMIT);
  ck_assert_ptr_nonnull (strstr (text, last_kept));
  ck_assert_ptr_null (strstr (text, first_dropped));
  ck_assert_ptr_nonnull (strstr (text, "pio: guest error: further new guest errors"));
  ck_assert_ptr_nonnull (strstr (text, "uart: guest error: bad divisor\n"));
  remove_tree (tmp);
}
END_TEST

START_TEST (test_capture_glib)
{
  g_autoptr (BwLog) log = bw_log_new_memory ();
  bw_log_capture_glib (log);
  g_log ("boxwood-devices", G_LOG_LEVEL_MESSAGE, "uart: back end %s gone", "unix:/tmp/x");
  g_log ("other-library", G_LOG_LEVEL_MESSAGE, "not ours");
  g_log ("boxwood-vmm", G_LOG_LEVEL_DEBUG, "too chatty");
  g_autofree char *text = bw_log_dup_contents (log);
  ck_assert_ptr_nonnull (strstr (text, "boxwood-devices: message: uart: back end unix:/tmp/x "
                                       "gone\n"));
  ck_assert_ptr_null (strstr (text, "not ours"));
  ck_assert_ptr_null (strstr (text, "too chatty"));
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("log");
  TCase *tc = tcase_create ("core");
  tcase_add_test (tc, test_rotation);
  tcase_add_test (tc, test_rotation_error);
  tcase_add_test (tc, test_line_format);
  tcase_add_test (tc, test_guest_errors_limited);
  tcase_add_test (tc, test_capture_glib);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
