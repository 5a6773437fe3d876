/* bw-registry.h: the machine and media registry on top of boxwood.xml.
 *
 * A BwRegistry is the global settings of one config folder plus the
 * operations the service and the command line need: create, register,
 * unregister and find machines, list them tolerating broken files, and
 * keep the media registry. Nothing here talks to the service: the service
 * (which owns every write) uses it directly, and so do tests. Not
 * thread-safe; one owner at a time. */
#pragma once

#include <glib.h>

#include "app/main/bw-global-settings.h"
#include "app/main/bw-machine-settings.h"

G_BEGIN_DECLS

typedef struct _BwRegistry BwRegistry;

/* One registered machine as listed: either its settings or the error that
 * loading them gave (naming path and line). */
typedef struct {
  char              *uuid;       /* as registered in boxwood.xml */
  char              *path;
  BwMachineSettings *settings;   /* NULL when loading failed */
  GError            *error;      /* NULL when loaded */
} BwRegistryMachine;

void bw_registry_machine_free (BwRegistryMachine *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwRegistryMachine, bw_registry_machine_free)

/* Open the registry of `config_dir` (NULL: bw_paths_user_home ()). A
 * missing boxwood.xml gives defaults (written on the first save). */
BwRegistry       *bw_registry_open (const char *config_dir, GError **error);
void              bw_registry_free (BwRegistry *reg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwRegistry, bw_registry_free)

const char       *bw_registry_get_config_dir (BwRegistry *reg);
const char       *bw_registry_get_global_path (BwRegistry *reg);  /* .../boxwood.xml */
BwGlobalSettings *bw_registry_get_global (BwRegistry *reg);       /* owned by reg */
/* Write boxwood.xml (atomic). */
gboolean          bw_registry_save (BwRegistry *reg, GError **error);
/* Re-read boxwood.xml from disk, dropping unsaved changes. */
gboolean          bw_registry_reload (BwRegistry *reg, GError **error);

/* Set the default machine folder (made absolute) and save. */
gboolean          bw_registry_set_machine_folder (BwRegistry *reg,
                                                  const char *folder,
                                                  GError    **error);

/* Every registered machine in registration order, each loaded from its
 * file or with its load error (GPtrArray of BwRegistryMachine*, with a
 * free function). Never fails as a whole. */
GPtrArray        *bw_registry_list_machines (BwRegistry *reg);

/* Find a registered machine by uuid or by name (names compared exactly;
 * broken files are skipped for name matches) and load its settings.
 * `path_out` (optional) gets the settings path. */
BwMachineSettings *bw_registry_find_machine (BwRegistry  *reg,
                                             const char  *name_or_uuid,
                                             char       **path_out,
                                             GError     **error);

/* Create machine `name` in `base_folder` (NULL: the default machine
 * folder): "<base>/NAME/NAME.bwvm" with bw_machine_settings_new defaults,
 * written atomically. Fails if that file exists or (when `do_register`) a
 * registered machine has the same name. Registers and saves boxwood.xml
 * when `do_register`. Returns the new settings; `path_out` gets the file. */
BwMachineSettings *bw_registry_create_machine (BwRegistry  *reg,
                                               const char  *name,
                                               const char  *os_type,
                                               const char  *base_folder,
                                               gboolean     do_register,
                                               char       **path_out,
                                               GError     **error);

/* Register an existing settings file: loads it, refuses a uuid, name or
 * path already registered, adds it and saves boxwood.xml. Returns the
 * loaded settings. */
BwMachineSettings *bw_registry_register_machine (BwRegistry *reg,
                                                 const char *settings_path,
                                                 GError    **error);

/* Remove a machine (by uuid or name) from the registry and save. With
 * `delete_files`, also delete its settings file, its -prev and backup
 * files, Logs/ and Snapshots/ contents it made, and the machine folder if
 * it is then empty (disk images are left to the caller). `path_out`
 * (optional) gets the settings path it had. */
gboolean          bw_registry_unregister_machine (BwRegistry *reg,
                                                  const char *name_or_uuid,
                                                  gboolean    delete_files,
                                                  char      **path_out,
                                                  GError    **error);

/* After a machine was renamed or moved: update its registered path. */
gboolean          bw_registry_update_machine_path (BwRegistry *reg,
                                                   const char *uuid,
                                                   const char *new_path,
                                                   GError    **error);

/* Media registry. add refuses a uuid or path already registered (same
 * kind); remove works by uuid or path. Both save boxwood.xml. The medium
 * is copied. */
gboolean          bw_registry_add_medium (BwRegistry     *reg,
                                          const BwMedium *medium,
                                          GError        **error);
gboolean          bw_registry_remove_medium (BwRegistry  *reg,
                                             BwMediumKind kind,
                                             const char  *uuid_or_path,
                                             GError     **error);
/* Media of one kind (borrowed pointers, valid until the next change). */
GPtrArray        *bw_registry_list_media (BwRegistry *reg, BwMediumKind kind);

G_END_DECLS
