/* bw-vm-app-private.h: the state of one boxwood-vm process, shared by
 * its files (bw-vm-app.c: start-up and state reports; bw-vm-app-session.c:
 * the org.boxwood.Session1 server). */
#pragma once

#include <gio/gio.h>
#include "app/main/client/bw-client.h"
#include "app/main/client/bw-dbus-session1.h"
#include "devices/board/bw-pc-board.h"
#include "vmm/bw-vm.h"

G_BEGIN_DECLS

typedef struct
{
  BwClient *client;
  char *uuid;
  char *name;
  char *ide_controller; /* the settings' IDE controller name, or NULL */
  char *dvd_recorded[4]; /* per IDE position: the disc the settings name */
  gboolean scale_fixed;  /* the settings' display scaling: fixed factor */
  guint scale_percent;   /* ... of this many percent (else scaled to the window) */
  BwConfig *config;
  BwVm *vm;
  BwPcBoard *board;
  gboolean registered;  /* RegisterSession succeeded */

  /* The session server. */
  char *socket_path;
  char *address;
  GDBusServer *server;
  GDBusAuthObserver *observer;
  BwDBusSession1 *skeleton;
  GPtrArray *connections;

  GMainLoop *loop;
  char *reported;   /* last state told to the service */
  gboolean final;   /* poweroff or aborted reported */

  void *window;     /* bw-vm-app-window.c's state; NULL when headless */
} BwVmApp;

/* Records in the settings (through the service) that the DVD drive at
 * IDE channel/position now holds path (NULL: empty), unless they say so
 * already. Main thread. */
gboolean bw_vm_app_record_medium (BwVmApp *app, guint channel, guint position, const char *path,
                                  GError **error);

/* Inserts the ISO at path (NULL: ejects) into the CD drive at IDE
 * channel/position of the running machine, logs it and records it in the
 * settings: what `controlvm dvdattach` and the window's Devices menu do.
 * Errors: BW_VM_ERROR_STATE when not running or paused, BW_IDE_ERROR_*
 * from the drive, G_IO_ERROR_INVALID_ARGUMENT for a relative path, a
 * BW_CLIENT_ERROR when the service refuses the settings change. */
gboolean bw_vm_app_mount_medium (BwVmApp *app, guint channel, guint position, const char *path,
                                 GError **error);
/* The disc in that drive as the settings have it (NULL: none). */
const char *bw_vm_app_get_medium (BwVmApp *app, guint channel, guint position);

/* Whether the board has ACPI (the power button reaches the guest). */
gboolean bw_vm_app_has_acpi (BwVmApp *app);
/* Presses the ACPI power button: the guest's OS decides to shut down.
 * BW_VM_ERROR_STATE unless running; G_IO_ERROR_NOT_SUPPORTED without
 * ACPI. */
gboolean bw_vm_app_acpi_shutdown (BwVmApp *app, GError **error);

/* Service state words ("running", "paused", "poweroff", "aborted"). */
const char *bw_vm_app_state_word (BwVmState state);

/* Tells the service and the session's clients (main thread). */
void bw_vm_app_report (BwVmApp *app, const char *state);

/* socket_path and address of the session (before registering). */
gboolean bw_vm_app_session_address (BwVmApp *app, GError **error);
/* Serves the session (after registering). */
gboolean bw_vm_app_session_start (BwVmApp *app, GError **error);
/* Stops accepting clients (the socket goes); connections stay open. */
void bw_vm_app_session_stop_listening (BwVmApp *app);
/* Closes everything. */
void bw_vm_app_session_stop (BwVmApp *app);

G_END_DECLS
