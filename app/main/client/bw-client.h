/* bw-client.h: the client side of boxwood-svc.
 *
 * Every program that reads or changes machines (boxwood-manage, the manager
 * window, boxwood-vm) goes through a BwClient: it connects to the service's
 * socket, starting boxwood-svc first when none runs, and turns each D-Bus
 * call of org.boxwood.Service1 (data/dbus/org.boxwood.Service1.xml) into a
 * typed synchronous call. Errors come back as BW_CLIENT_ERROR with the
 * service's own message ("unknown machine 'foo'", ...), without the
 * "GDBus.Error:..." prefix.
 *
 * Change signals of the service are re-emitted as GObject signals on the
 * BwClient, in the thread-default main context of the thread that
 * connected:
 *   "machine-registered"     (const char *uuid, const char *name)
 *   "machine-unregistered"   (const char *uuid)
 *   "machine-changed"        (const char *uuid)
 *   "machine-state-changed"  (const char *uuid, const char *state)
 *   "media-changed"          ()
 *   "system-properties-changed" ()
 *   "closed"                 ()  the service went away (killed, crashed)
 *
 * A "machine" argument is a machine's name or UUID. File and folder
 * arguments may be relative to the caller's current folder; the library
 * makes them absolute before they reach the service. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BW_CLIENT_ERROR (bw_client_error_quark ())

/* Each code is also a D-Bus error name org.boxwood.Error.<Name>. */
typedef enum {
  BW_CLIENT_ERROR_FAILED,           /* org.boxwood.Error.Failed */
  BW_CLIENT_ERROR_NO_SERVICE,       /* .NoService: could not start/connect */
  BW_CLIENT_ERROR_UNKNOWN_MACHINE,  /* .UnknownMachine */
  BW_CLIENT_ERROR_DUPLICATE_NAME,   /* .DuplicateName: name or UUID taken */
  BW_CLIENT_ERROR_INVALID_ARGUMENT, /* .InvalidArgument: bad key or value */
  BW_CLIENT_ERROR_NOT_FOUND,        /* .NotFound: a file does not exist */
  BW_CLIENT_ERROR_EXISTS,           /* .Exists: a file is in the way */
  BW_CLIENT_ERROR_BROKEN_SETTINGS,  /* .BrokenSettings: unreadable file */
  BW_CLIENT_ERROR_BUSY,             /* .Busy: machine running, medium used */
  BW_CLIENT_ERROR_UNKNOWN_MEDIUM,   /* .UnknownMedium */
  BW_CLIENT_ERROR_IO,               /* .IO: read/write failure */
} BwClientError;

GQuark bw_client_error_quark (void);

/* One row of bw_client_list_machines(). error is NULL for a readable
 * machine; otherwise it names the file and the fault (and name may be
 * ""). */
typedef struct {
  char *uuid;
  char *name;
  char *settings_path;
  char *state;
  char *error;
} BwClientMachine;

void bw_client_machine_free (BwClientMachine *machine);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwClientMachine, bw_client_machine_free)

/* One row of bw_client_list_media(). */
typedef struct {
  char *uuid;
  char *location;
  char *kind;     /* "hdd" or "dvd" */
  char *format;   /* "VDI", "RAW", "ISO" */
  guint64 size;   /* logical size in bytes */
  char **used_by; /* machine names, NULL-terminated */
  char *error;    /* NULL when the image opened cleanly */
} BwClientMedium;

void bw_client_medium_free (BwClientMedium *medium);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwClientMedium, bw_client_medium_free)

/* One row of bw_client_list_sessions(). */
typedef struct {
  char *uuid;
  char *name;
  char *address;
  char *state;
  guint pid;
} BwClientSession;

void bw_client_session_free (BwClientSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwClientSession, bw_client_session_free)

typedef enum {
  BW_CLIENT_FLAGS_NONE = 0,
  /* Connect only to a running service; fail with NO_SERVICE otherwise. */
  BW_CLIENT_FLAGS_NO_AUTOSTART = 1 << 0,
} BwClientFlags;

#define BW_TYPE_CLIENT (bw_client_get_type ())
G_DECLARE_FINAL_TYPE (BwClient, bw_client, BW, CLIENT, GObject)

/* Connects to boxwood-svc, starting it when it does not run. The service
 * binary is $BOXWOOD_SVC if set, else boxwood-svc next to the running
 * executable, else boxwood-svc in the build tree or on PATH. Retries for a
 * few seconds; two clients starting at once end up on one service. */
BwClient *bw_client_connect (GError **error);
BwClient *bw_client_connect_full (BwClientFlags flags, GCancellable *cancellable,
                                  GError **error);

/* The underlying connection (for the VM process, which must keep it open
 * while its session lives). */
GDBusConnection *bw_client_get_connection (BwClient *self);

char *bw_client_get_version (BwClient *self, GError **error);

/* Element type BwClientMachine; the array frees its elements. */
GPtrArray *bw_client_list_machines (BwClient *self, GError **error);

/* The settings file's XML text; uuid and settings_path may be NULL. */
char *bw_client_get_machine_settings (BwClient *self, const char *machine,
                                      char **uuid, char **settings_path,
                                      GError **error);

/* Returns the new machine's UUID. base_folder and os_type may be NULL. */
char *bw_client_create_machine (BwClient *self, const char *name,
                                const char *os_type, const char *base_folder,
                                gboolean register_machine, char **settings_path,
                                GError **error);

char *bw_client_register_machine (BwClient *self, const char *settings_path,
                                  GError **error);

gboolean bw_client_unregister_machine (BwClient *self, const char *machine,
                                       gboolean delete_files, GError **error);

/* changes: NULL-terminated list of key, value, key, value, ..., NULL.
 * Keys and values as documented at ModifyMachine in the interface XML.
 * All or nothing. */
gboolean bw_client_modify_machine (BwClient *self, const char *machine,
                                   const char *const *changes, GError **error);

/* Returns the state string; last_change (may be NULL) gets microseconds
 * since the epoch, 0 if unknown. */
char *bw_client_get_machine_state (BwClient *self, const char *machine,
                                   gint64 *last_change, GError **error);

/* name -> value, both char *. */
GHashTable *bw_client_get_system_properties (BwClient *self, GError **error);
gboolean bw_client_set_system_property (BwClient *self, const char *name,
                                        const char *value, GError **error);

/* kind: "hdd", "dvd" or NULL for all. Element type BwClientMedium. */
GPtrArray *bw_client_list_media (BwClient *self, const char *kind, GError **error);
char *bw_client_register_medium (BwClient *self, const char *location,
                                 const char *kind, GError **error);
gboolean bw_client_close_medium (BwClient *self, const char *medium,
                                 gboolean delete_file, GError **error);

/* For the VM process: register the session served at address (normally
 * "unix:path=" + bw_runtime_dir_session_socket (uuid)) and report state
 * changes; the service records "aborted" (and removes that socket) if this
 * client's connection closes before a final "poweroff" or "saved". If the
 * service itself goes away ("closed"), connect again and register again
 * with the current state. Returns the machine's UUID. */
char *bw_client_register_session (BwClient *self, const char *machine,
                                  const char *address, GError **error);
gboolean bw_client_set_session_state (BwClient *self, const char *machine,
                                      const char *state, GError **error);
/* Element type BwClientSession. */
GPtrArray *bw_client_list_sessions (BwClient *self, GError **error);

G_END_DECLS
