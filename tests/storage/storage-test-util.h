/* storage-test-util.h: temporary folders, file patching and comparing,
 * and deterministic patterns for the storage tests. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <check.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

/* A fresh temporary folder per test; HOME points into it so nothing can
 * touch the real one. Removed by storage_test_teardown. */
static char *storage_test_dir;

static void
storage_test_setup (void)
{
  g_autoptr (GError) error = NULL;
  storage_test_dir = g_dir_make_tmp ("bw-storage-XXXXXX", &error);
  ck_assert_msg (storage_test_dir != NULL, "tmp dir: %s", error ? error->message : "");
  g_setenv ("HOME", storage_test_dir, TRUE);
  g_setenv ("BOXWOOD_USER_HOME", storage_test_dir, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", storage_test_dir, TRUE);
}

static void
storage_test_teardown (void)
{
  g_autoptr (GDir) dir = g_dir_open (storage_test_dir, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *p = g_build_filename (storage_test_dir, name, NULL);
      g_unlink (p);
    }
  g_rmdir (storage_test_dir);
  g_clear_pointer (&storage_test_dir, g_free);
}

static G_GNUC_UNUSED char *
tpath (const char *name)
{
  return g_build_filename (storage_test_dir, name, NULL);
}

/* Byte i of a pattern seeded with seed: never all zero over a sector. */
static G_GNUC_UNUSED void
fill_pattern (guint8 *buf, gsize len, guint64 start, guint32 seed)
{
  for (gsize i = 0; i < len; i++)
    {
      guint64 x = (start + i) * 2654435761u + seed;
      buf[i] = (guint8) ((x >> 13) ^ (x >> 5) ^ seed) | 1;
    }
}

static G_GNUC_UNUSED gboolean
is_all (const guint8 *buf, gsize len, guint8 v)
{
  for (gsize i = 0; i < len; i++)
    if (buf[i] != v)
      return FALSE;
  return TRUE;
}

static G_GNUC_UNUSED GBytes *
read_file_bytes (const char *path)
{
  char *data = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;
  ck_assert_msg (g_file_get_contents (path, &data, &len, &error), "read %s: %s", path,
                 error ? error->message : "");
  return g_bytes_new_take (data, len);
}

static G_GNUC_UNUSED void
patch_bytes (const char *path, goffset offset, const void *data, gsize len)
{
  FILE *f = fopen (path, "r+b");
  ck_assert_ptr_nonnull (f);
  ck_assert_int_eq (fseeko (f, offset, SEEK_SET), 0);
  ck_assert_uint_eq (fwrite (data, 1, len, f), len);
  fclose (f);
}

static G_GNUC_UNUSED void
patch_u32 (const char *path, goffset offset, guint32 v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
  patch_bytes (path, offset, b, 4);
}

static G_GNUC_UNUSED void
patch_u64 (const char *path, goffset offset, guint64 v)
{
  patch_u32 (path, offset, (guint32) v);
  patch_u32 (path, offset + 4, (guint32) (v >> 32));
}

/* Runs argv (NULL-terminated); returns the exit status, output in *out. */
static G_GNUC_UNUSED int
run_tool (char **out, const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  char *so = NULL, *se = NULL;
  int status = -1;
  gboolean ok = g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &so,
                              &se, &status, &error);
  ck_assert_msg (ok, "cannot run %s: %s", argv[0], error ? error->message : "");
  if (out)
    *out = g_strconcat (so, se, NULL);
  g_free (so);
  g_free (se);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}
