/* bw-serial-backend.h: where a UART's line goes: nowhere, a file, or a
 * unix socket (as server: listen and take one client at a time; as
 * client: connect to a listening program).
 *
 * The back end does its I/O on a GLib main context (the platform's), so
 * the vCPU never waits for it: the UART hands over output bytes with
 * bw_serial_backend_write(), which only queues them, and takes input with
 * bw_serial_backend_read(). When input arrives or the connection changes,
 * the back end calls its notify function with the platform lock held; it
 * never blocks on that lock (it retries a little later instead), so a
 * vCPU holding the lock cannot deadlock with the main context.
 *
 * Output queued while nothing is connected is dropped, as on a serial
 * line that nobody listens to; so is output beyond a generous limit when
 * the peer does not read. Before that, bw_serial_backend_would_block()
 * tells the UART that its peer lags, so that it sends at the line's speed
 * instead of at once. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BW_SERIAL_BACKEND_ERROR (bw_serial_backend_error_quark ())
GQuark bw_serial_backend_error_quark (void);

typedef enum
{
  BW_SERIAL_BACKEND_ERROR_INVALID, /* bad mode or path */
  BW_SERIAL_BACKEND_ERROR_IO,      /* open, bind, listen or connect failed */
} BwSerialBackendError;

typedef enum
{
  BW_SERIAL_BACKEND_DISCONNECTED,
  BW_SERIAL_BACKEND_FILE,   /* guest output appended to a file */
  BW_SERIAL_BACKEND_SERVER, /* unix socket that the back end listens on */
  BW_SERIAL_BACKEND_CLIENT, /* unix socket that the back end connects to */
} BwSerialBackendMode;

typedef struct _BwSerialBackend BwSerialBackend;

/* Called with the platform lock held: input is waiting or the connection
 * came or went. */
typedef void (*BwSerialNotifyFunc) (void *opaque);

/* "disconnected", "file", "server", "client". */
gboolean bw_serial_backend_mode_from_string (const char *text, BwSerialBackendMode *mode,
                                             GError **error);
const char *bw_serial_backend_mode_to_string (BwSerialBackendMode mode);

/* path: the file or socket (ignored when disconnected). lock: the
 * platform lock. */
BwSerialBackend *bw_serial_backend_new (BwSerialBackendMode mode, const char *path,
                                        GMainContext *context, GRecMutex *lock,
                                        BwSerialNotifyFunc notify, void *opaque, GError **error);
/* Stops calling notify, writes what output is still queued (files),
 * closes, removes a server's socket file and frees. Called with the
 * platform lock held. NULL is accepted. */
void bw_serial_backend_close (BwSerialBackend *backend);

BwSerialBackendMode bw_serial_backend_get_mode (BwSerialBackend *backend);
/* A file is always connected; a socket while it has a peer. */
gboolean bw_serial_backend_is_connected (BwSerialBackend *backend);

/* TRUE while more output is queued than a peer that reads keeps waiting
 * (the peer does not read, or the main context is stalled). FALSE when
 * nothing is connected: such output is dropped at once anyway. */
gboolean bw_serial_backend_would_block (BwSerialBackend *backend);
/* Queues one byte of guest output; never blocks. */
void bw_serial_backend_write (BwSerialBackend *backend, guint8 byte);
/* Takes up to max bytes of input; returns how many. */
gsize bw_serial_backend_read (BwSerialBackend *backend, guint8 *buf, gsize max);

/* Bytes dropped so far (nobody connected, or the peer too slow). */
guint64 bw_serial_backend_get_dropped (BwSerialBackend *backend);

G_END_DECLS
