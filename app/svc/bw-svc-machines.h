/* bw-svc-machines.h: the service's view of the registry and every machine.
 *
 * Owns the BwRegistry (boxwood.xml) and a cache of each registered
 * machine's settings, checked against the file's stat data before use so
 * that 1,000 machines list without re-parsing 1,000 files. Every write of
 * a settings file in Boxwood happens here, on the service's main loop, one
 * at a time, through the atomic-write API of app/main.
 *
 * Errors are BW_CLIENT_ERROR (they travel to clients as D-Bus errors) and
 * name the machine, file or key at fault. A "machine" argument is a name
 * or a UUID (braces allowed). */
#pragma once

#include <gio/gio.h>

#include "app/main/bw-machine-settings.h"

G_BEGIN_DECLS

typedef struct _BwSvcMachines BwSvcMachines;

/* config_dir NULL: bw_paths_user_home (). A broken boxwood.xml does not
 * fail this: every later call reports it instead. Finishes a machine
 * rename that a crash interrupted. */
BwSvcMachines *bw_svc_machines_new (const char *config_dir);
void bw_svc_machines_free (BwSvcMachines *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwSvcMachines, bw_svc_machines_free)

/* a(sssss): uuid, name, settings_path, state, error. */
GVariant *bw_svc_machines_list (BwSvcMachines *self, GError **error);

/* Borrowed settings of a registered, readable machine (valid until the
 * next change); path_out (borrowed) may be NULL. */
const BwMachineSettings *bw_svc_machines_lookup (BwSvcMachines *self,
                                                 const char *machine,
                                                 const char **path_out,
                                                 GError **error);

char *bw_svc_machines_get_xml (BwSvcMachines *self, const char *machine,
                               char **uuid_out, char **path_out, GError **error);

/* Returns the new machine's uuid. */
char *bw_svc_machines_create (BwSvcMachines *self, const char *name,
                              const char *os_type, const char *base_folder,
                              gboolean do_register, char **path_out,
                              GError **error);

/* Returns the uuid; name_out gets the machine's name. */
char *bw_svc_machines_register (BwSvcMachines *self, const char *path,
                                char **name_out, GError **error);

gboolean bw_svc_machines_unregister (BwSvcMachines *self, const char *machine,
                                     gboolean delete_files, char **uuid_out,
                                     GError **error);

/* changes: a(ss). All or nothing. uuid_out gets the machine's uuid;
 * media_changed_out is set when images were newly registered. */
gboolean bw_svc_machines_modify (BwSvcMachines *self, const char *machine,
                                 GVariant *changes, char **uuid_out,
                                 gboolean *media_changed_out, GError **error);

/* The live state (a session's) if any, else the persisted one, as the
 * interface's state string. */
gboolean bw_svc_machines_get_state (BwSvcMachines *self, const char *machine,
                                    const char **state_out, gint64 *last_change_out,
                                    GError **error);

/* Sessions set (or clear with NULL) a machine's live state. */
void bw_svc_machines_set_live_state (BwSvcMachines *self, const char *uuid,
                                     const char *state);
gboolean bw_svc_machines_is_live (BwSvcMachines *self, const char *uuid);

/* Writes a persisted state (PoweredOff, Saved, Aborted) with the time of
 * the change into the machine's settings file. */
gboolean bw_svc_machines_persist_state (BwSvcMachines *self, const char *uuid,
                                        BwMachineState state, GError **error);

/* State string of the interface <-> BwMachineState. */
const char *bw_svc_state_to_string (BwMachineState state);
gboolean bw_svc_state_from_string (const char *s, BwMachineState *out);

/* a{ss} of the global properties. */
GVariant *bw_svc_machines_get_properties (BwSvcMachines *self, GError **error);
gboolean bw_svc_machines_set_property (BwSvcMachines *self, const char *name,
                                       const char *value, GError **error);

/* Media registry (bw-svc-media.c). */
GVariant *bw_svc_media_list (BwSvcMachines *self, const char *kind, GError **error);
char *bw_svc_media_register (BwSvcMachines *self, const char *location,
                             const char *kind, gboolean *added_out, GError **error);
gboolean bw_svc_media_close (BwSvcMachines *self, const char *medium,
                             gboolean delete_file, GError **error);

G_END_DECLS
