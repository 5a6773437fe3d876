/* bw-paths.h: where Boxwood keeps its files.
 *
 * Global config folder: $BOXWOOD_USER_HOME, else $XDG_CONFIG_HOME/boxwood
 * (g_get_user_config_dir ()). Default machine folder: "$HOME/Boxwood VMs".
 * A machine NAME lives in "<machine folder>/NAME/NAME.bwvm"; its Logs/ and
 * Snapshots/ folders are made only when first used. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BW_GLOBAL_SETTINGS_FILE_NAME "boxwood.xml"
#define BW_MACHINE_SETTINGS_SUFFIX   ".bwvm"
/* Suffix of the previous version kept by every atomic write. */
#define BW_PREV_SUFFIX               "-prev"

/* The global config folder (not created). */
char *bw_paths_user_home (void);
/* <user home>/boxwood.xml */
char *bw_paths_global_settings_file (void);
/* "$HOME/Boxwood VMs" (g_get_home_dir () honours $HOME). */
char *bw_paths_default_machine_folder (void);
/* "<base_folder>/NAME/NAME.bwvm"; NULL and an error when NAME cannot be a
 * file name (empty, "/" inside, "." or ".."). */
char *bw_paths_machine_settings_file (const char *base_folder,
                                      const char *name,
                                      GError    **error);
/* The folder holding a machine's settings file. */
char *bw_paths_machine_folder (const char *settings_file);
/* <machine folder>/Logs and <machine folder>/Snapshots; made (mode 0755,
 * with parents) when `create` is TRUE, NULL and an error if that fails. */
char *bw_paths_machine_logs_dir (const char *settings_file,
                                 gboolean    create,
                                 GError    **error);
char *bw_paths_machine_snapshots_dir (const char *settings_file,
                                      gboolean    create,
                                      GError    **error);
/* Make an absolute, normalised path ("a/../b" resolved lexically) from a
 * path that may be relative to `base` (NULL: the current folder). */
char *bw_paths_absolute (const char *path, const char *base);

G_END_DECLS
