/* bw-paths.c: where Boxwood keeps its files. */
#define G_LOG_DOMAIN "boxwood-main"
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

#include "app/main/bw-paths.h"
#include "app/main/bw-settings-error.h"

char *
bw_paths_user_home (void)
{
  const char *env = g_getenv ("BOXWOOD_USER_HOME");
  if (env != NULL && env[0] != '\0')
    return bw_paths_absolute (env, NULL);
  return g_build_filename (g_get_user_config_dir (), "boxwood", NULL);
}

char *
bw_paths_global_settings_file (void)
{
  g_autofree char *home = bw_paths_user_home ();
  return g_build_filename (home, BW_GLOBAL_SETTINGS_FILE_NAME, NULL);
}

char *
bw_paths_default_machine_folder (void)
{
  /* g_get_home_dir () caches; read $HOME first so tests that set it
   * after start-up see their folder. */
  const char *home = g_getenv ("HOME");
  if (home == NULL || home[0] == '\0')
    home = g_get_home_dir ();
  return g_build_filename (home, "Boxwood VMs", NULL);
}

char *
bw_paths_machine_settings_file (const char *base_folder, const char *name,
                                GError **error)
{
  if (name == NULL || name[0] == '\0' || strchr (name, '/') != NULL ||
      strcmp (name, ".") == 0 || strcmp (name, "..") == 0 ||
      !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, BW_SETTINGS_ERROR, BW_SETTINGS_ERROR_INVALID,
                   "machine name \"%s\" cannot be used as a file name "
                   "(empty, \".\", \"..\" or containing \"/\")", name ? name : "");
      return NULL;
    }
  g_autofree char *base = base_folder ? bw_paths_absolute (base_folder, NULL)
                                      : bw_paths_default_machine_folder ();
  g_autofree char *file = g_strconcat (name, BW_MACHINE_SETTINGS_SUFFIX, NULL);
  return g_build_filename (base, name, file, NULL);
}

char *
bw_paths_machine_folder (const char *settings_file)
{
  return g_path_get_dirname (settings_file);
}

static char *
machine_subdir (const char *settings_file, const char *sub, gboolean create,
                GError **error)
{
  g_autofree char *folder = bw_paths_machine_folder (settings_file);
  char *dir = g_build_filename (folder, sub, NULL);
  if (create && g_mkdir_with_parents (dir, 0755) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   "cannot create folder %s: %s", dir, g_strerror (e));
      g_free (dir);
      return NULL;
    }
  return dir;
}

char *
bw_paths_machine_logs_dir (const char *settings_file, gboolean create, GError **error)
{
  return machine_subdir (settings_file, "Logs", create, error);
}

char *
bw_paths_machine_snapshots_dir (const char *settings_file, gboolean create,
                                GError **error)
{
  return machine_subdir (settings_file, "Snapshots", create, error);
}

char *
bw_paths_absolute (const char *path, const char *base)
{
  g_autofree char *joined = NULL;
  if (g_path_is_absolute (path))
    joined = g_strdup (path);
  else if (base != NULL)
    joined = g_build_filename (base, path, NULL);
  else
    {
      g_autofree char *cwd = g_get_current_dir ();
      joined = g_build_filename (cwd, path, NULL);
    }

  /* Resolve "." and ".." lexically; symlinks are kept as the user named
   * them. */
  g_auto (GStrv) parts = g_strsplit (joined, "/", -1);
  GPtrArray *out = g_ptr_array_new ();
  for (char **p = parts; *p != NULL; p++)
    {
      if ((*p)[0] == '\0' || strcmp (*p, ".") == 0)
        continue;
      if (strcmp (*p, "..") == 0)
        {
          if (out->len > 0)
            g_ptr_array_remove_index (out, out->len - 1);
          continue;
        }
      g_ptr_array_add (out, *p);
    }
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < out->len; i++)
    {
      g_string_append_c (s, '/');
      g_string_append (s, g_ptr_array_index (out, i));
    }
  if (s->len == 0)
    g_string_append_c (s, '/');
  g_ptr_array_free (out, TRUE);
  return g_string_free (s, FALSE);
}
