/* bw-svc-machines-private.h: shared by the files that make up
 * BwSvcMachines (machines, media, rename). */
#pragma once

#include <sys/stat.h>

#include "app/main/bw-registry.h"
#include "app/svc/bw-svc-machines.h"

G_BEGIN_DECLS

/* One registered machine as last read from disk. */
typedef struct {
  char *uuid;
  char *path;
  BwMachineSettings *settings; /* NULL when the file is broken */
  GError *error;               /* why, naming file and line */
  /* stat data of the file when it was read; a change means re-read. */
  gboolean have_stat;
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
} BwSvcMachineEntry;

struct _BwSvcMachines {
  char *config_dir;
  BwRegistry *registry;     /* NULL when boxwood.xml is broken */
  GError *registry_error;   /* why */
  GHashTable *entries;      /* uuid -> BwSvcMachineEntry */
  GHashTable *live_states;  /* uuid -> state string (sessions) */
};

/* Fails with the boxwood.xml error when the registry could not load. */
gboolean bw_svc_machines_check_registry (BwSvcMachines *self, GError **error);

/* The up-to-date entry of a registered uuid (re-read when the file
 * changed). */
BwSvcMachineEntry *bw_svc_machines_entry (BwSvcMachines *self, const char *uuid,
                                          const char *path);
/* Forget the cached copy (after a write, or to drop an entry). */
void bw_svc_machines_forget (BwSvcMachines *self, const char *uuid);

/* Turn an error of app/main or devices/storage into BW_CLIENT_ERROR,
 * keeping the message; not_found is the code for "no such thing". */
void bw_svc_error_propagate (GError **dest, GError *src, int not_found);

/* Rename support (bw-svc-rename.c). */
/* Writes `settings` (whose name changed) to old_path, then moves the
 * machine's folder and files to the new name and updates the registry. */
gboolean bw_svc_rename_machine (BwSvcMachines *self, const char *uuid,
                                const char *old_path, BwMachineSettings *settings,
                                char **new_path_out, GError **error);
void bw_svc_rename_recover (BwSvcMachines *self);

G_END_DECLS
