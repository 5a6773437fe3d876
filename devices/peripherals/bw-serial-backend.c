/* bw-serial-backend.c: serial back ends (disconnected, file, unix socket)
 * on a GLib main context. One GSource per back end watches its file
 * descriptors and is woken through its ready time when the UART queues
 * output or makes room for input. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>
#include "devices/peripherals/bw-serial-backend.h"

G_DEFINE_QUARK (bw-serial-backend-error-quark, bw_serial_backend_error)

#define OUTPUT_LIMIT (1u << 20) /* queued output kept for a slow peer */
/* Queued output beyond which the UART falls back to the baud rate: far
 * more than a main context that keeps up ever has waiting, far less than
 * OUTPUT_LIMIT, so that a paced guest loses nothing for a long while. */
#define OUTPUT_HIGH_WATER (64u << 10)
#define INPUT_BUFFER 4096
#define RETRY_NS (1 * G_TIME_SPAN_MILLISECOND)

typedef struct
{
  GSource source;
  BwSerialBackend *backend;
} BackendSource;

struct _BwSerialBackend
{
  gint ref_count;
  GMutex mutex; /* guards everything below that both sides touch */
  BwSerialBackendMode mode;
  char *path;
  GRecMutex *lock;
  BwSerialNotifyFunc notify;
  void *notify_opaque;
  gboolean closed;

  int listen_fd; /* server */
  int fd;        /* the file or the connected socket; -1 when none */
  gpointer listen_tag;
  gpointer fd_tag;
  GByteArray *out;
  guint8 in[INPUT_BUFFER];
  gsize in_len;
  gboolean notify_wanted; /* input or a connection change not yet told */
  guint64 dropped;
  GSource *source;
};

static const char *const mode_names[] = { "disconnected", "file", "server", "client" };

gboolean
bw_serial_backend_mode_from_string (const char *text, BwSerialBackendMode *mode, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (mode_names); i++)
    if (g_strcmp0 (text, mode_names[i]) == 0)
      {
        *mode = i;
        return TRUE;
      }
  g_set_error (error, BW_SERIAL_BACKEND_ERROR, BW_SERIAL_BACKEND_ERROR_INVALID,
               "Unknown serial port mode “%s” (disconnected, file, server or client)",
               text ? text : "");
  return FALSE;
}

const char *
bw_serial_backend_mode_to_string (BwSerialBackendMode mode)
{
  return mode < G_N_ELEMENTS (mode_names) ? mode_names[mode] : "invalid";
}

static BwSerialBackend *
backend_ref (BwSerialBackend *be)
{
  g_atomic_int_inc (&be->ref_count);
  return be;
}

static void
backend_unref (BwSerialBackend *be)
{
  if (!g_atomic_int_dec_and_test (&be->ref_count))
    return;
  if (be->fd >= 0)
    close (be->fd);
  if (be->listen_fd >= 0)
    close (be->listen_fd);
  g_byte_array_unref (be->out);
  g_mutex_clear (&be->mutex);
  g_free (be->path);
  g_free (be);
}

/* Writes queued output; with blocking set (files at close) waits for it. */
static void
flush_output (BwSerialBackend *be)
{
  while (be->fd >= 0 && be->out->len > 0)
    {
      ssize_t n = write (be->fd, be->out->data, be->out->len);
      if (n > 0)
        {
          g_byte_array_remove_range (be->out, 0, (guint) n);
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
      /* The peer went away or the disk failed: what is queued is lost. */
      be->dropped += be->out->len;
      g_byte_array_set_size (be->out, 0);
      return;
    }
}

static void
drop_connection (BwSerialBackend *be)
{
  if (be->fd_tag)
    g_source_remove_unix_fd (be->source, be->fd_tag);
  be->fd_tag = NULL;
  if (be->fd >= 0)
    close (be->fd);
  be->fd = -1;
  be->dropped += be->out->len;
  g_byte_array_set_size (be->out, 0);
  be->notify_wanted = TRUE;
}

static void
accept_client (BwSerialBackend *be)
{
  int fd = accept (be->listen_fd, NULL, NULL);
  if (fd < 0)
    return;
  fcntl (fd, F_SETFD, FD_CLOEXEC);
  g_unix_set_fd_nonblocking (fd, TRUE, NULL);
  be->fd = fd;
  be->fd_tag = g_source_add_unix_fd (be->source, fd, G_IO_IN);
  be->notify_wanted = TRUE;
}

static void
read_input (BwSerialBackend *be)
{
  while (be->fd >= 0 && be->in_len < INPUT_BUFFER)
    {
      ssize_t n = read (be->fd, be->in + be->in_len, INPUT_BUFFER - be->in_len);
      if (n > 0)
        {
          be->in_len += n;
          be->notify_wanted = TRUE;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
      drop_connection (be); /* end of stream or error */
    }
}

/* Which events to wait for, now that the buffers changed. */
static void
update_watches (BwSerialBackend *be)
{
  if (be->listen_tag)
    g_source_modify_unix_fd (be->source, be->listen_tag, be->fd < 0 ? G_IO_IN : 0);
  if (be->fd_tag)
    {
      GIOCondition want = 0;
      if (be->in_len < INPUT_BUFFER)
        want |= G_IO_IN;
      if (be->out->len > 0)
        want |= G_IO_OUT;
      g_source_modify_unix_fd (be->source, be->fd_tag, want);
    }
}

static gboolean
source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  BwSerialBackend *be = ((BackendSource *) source)->backend;

  g_source_set_ready_time (source, -1);
  g_mutex_lock (&be->mutex);
  if (be->closed)
    {
      g_mutex_unlock (&be->mutex);
      return G_SOURCE_REMOVE;
    }
  if (be->listen_tag && be->fd < 0
      && (g_source_query_unix_fd (source, be->listen_tag) & G_IO_IN))
    accept_client (be);
  if (be->fd >= 0 && be->mode != BW_SERIAL_BACKEND_FILE)
    {
      GIOCondition got = be->fd_tag ? g_source_query_unix_fd (source, be->fd_tag) : 0;
      if (got & (G_IO_IN | G_IO_HUP | G_IO_ERR))
        read_input (be);
    }
  flush_output (be);
  update_watches (be);

  gboolean tell = be->notify_wanted;
  if (tell)
    {
      /* The notify function runs under the platform lock, but this thread
       * must never wait for it: a vCPU holding it may be waiting for our
       * mutex. Close happens under the platform lock, so holding it keeps
       * the back end open while we call out. */
      if (g_rec_mutex_trylock (be->lock))
        {
          be->notify_wanted = FALSE;
          g_mutex_unlock (&be->mutex);
          be->notify (be->notify_opaque);
          g_rec_mutex_unlock (be->lock);
          return G_SOURCE_CONTINUE;
        }
      g_source_set_ready_time (source, g_get_monotonic_time () + RETRY_NS / 1000);
    }
  g_mutex_unlock (&be->mutex);
  return G_SOURCE_CONTINUE;
}

static void
source_finalize (GSource *source)
{
  BwSerialBackend *be = ((BackendSource *) source)->backend;
  /* Last output of a file (power off) is written before it closes. */
  g_mutex_lock (&be->mutex);
  if (be->mode == BW_SERIAL_BACKEND_FILE)
    flush_output (be);
  g_mutex_unlock (&be->mutex);
  backend_unref (be);
}

static GSourceFuncs source_funcs = {
  .dispatch = source_dispatch,
  .finalize = source_finalize,
};

static gboolean
fill_address (struct sockaddr_un *addr, const char *path, GError **error)
{
  memset (addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (strlen (path) >= sizeof addr->sun_path)
    {
      g_set_error (error, BW_SERIAL_BACKEND_ERROR, BW_SERIAL_BACKEND_ERROR_INVALID,
                   "Serial port socket path “%s” is longer than %zu bytes", path,
                   sizeof addr->sun_path - 1);
      return FALSE;
    }
  strcpy (addr->sun_path, path);
  return TRUE;
}

static gboolean
io_error (GError **error, const char *what, const char *path)
{
  int saved = errno;
  g_set_error (error, BW_SERIAL_BACKEND_ERROR, BW_SERIAL_BACKEND_ERROR_IO,
               "Serial port: cannot %s “%s”: %s", what, path, g_strerror (saved));
  return FALSE;
}

static gboolean
open_server (BwSerialBackend *be, GError **error)
{
  struct sockaddr_un addr;
  struct stat st;
  if (!fill_address (&addr, be->path, error))
    return FALSE;
  /* A socket left behind by an earlier run is stale; anything else at
   * that path is the user's and stays. */
  if (lstat (be->path, &st) == 0 && S_ISSOCK (st.st_mode))
    unlink (be->path);
  be->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (be->listen_fd < 0)
    return io_error (error, "create a socket for", be->path);
  if (bind (be->listen_fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    return io_error (error, "listen on", be->path);
  if (listen (be->listen_fd, 1) < 0)
    return io_error (error, "listen on", be->path);
  return TRUE;
}

static gboolean
open_client (BwSerialBackend *be, GError **error)
{
  struct sockaddr_un addr;
  if (!fill_address (&addr, be->path, error))
    return FALSE;
  be->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (be->fd < 0)
    return io_error (error, "create a socket for", be->path);
  if (connect (be->fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    return io_error (error, "connect to", be->path);
  g_unix_set_fd_nonblocking (be->fd, TRUE, NULL);
  return TRUE;
}

BwSerialBackend *
bw_serial_backend_new (BwSerialBackendMode mode, const char *path, GMainContext *context,
                       GRecMutex *lock, BwSerialNotifyFunc notify, void *opaque, GError **error)
{
  if (mode != BW_SERIAL_BACKEND_DISCONNECTED && (!path || !*path))
    {
      g_set_error (error, BW_SERIAL_BACKEND_ERROR, BW_SERIAL_BACKEND_ERROR_INVALID,
                   "Serial port mode “%s” needs a path", bw_serial_backend_mode_to_string (mode));
      return NULL;
    }

  BwSerialBackend *be = g_new0 (BwSerialBackend, 1);
  be->ref_count = 1;
  g_mutex_init (&be->mutex);
  be->mode = mode;
  be->path = g_strdup (path);
  be->lock = lock;
  be->notify = notify;
  be->notify_opaque = opaque;
  be->fd = -1;
  be->listen_fd = -1;
  be->out = g_byte_array_new ();

  gboolean ok = TRUE;
  switch (mode)
    {
    case BW_SERIAL_BACKEND_DISCONNECTED:
      return be; /* no source: nothing to watch */
    case BW_SERIAL_BACKEND_FILE:
      be->fd = open (path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (be->fd < 0)
        ok = io_error (error, "open", path);
      break;
    case BW_SERIAL_BACKEND_SERVER:
      ok = open_server (be, error);
      break;
    case BW_SERIAL_BACKEND_CLIENT:
      ok = open_client (be, error);
      break;
    }
  if (!ok)
    {
      backend_unref (be);
      return NULL;
    }

  be->source = g_source_new (&source_funcs, sizeof (BackendSource));
  ((BackendSource *) be->source)->backend = backend_ref (be);
  g_source_set_name (be->source, "boxwood serial back end");
  if (be->listen_fd >= 0)
    be->listen_tag = g_source_add_unix_fd (be->source, be->listen_fd, G_IO_IN);
  if (be->fd >= 0 && mode == BW_SERIAL_BACKEND_CLIENT)
    be->fd_tag = g_source_add_unix_fd (be->source, be->fd, G_IO_IN);
  g_source_attach (be->source, context);
  return be;
}

void
bw_serial_backend_close (BwSerialBackend *be)
{
  if (!be)
    return;
  g_mutex_lock (&be->mutex);
  be->closed = TRUE;
  if (be->mode == BW_SERIAL_BACKEND_SERVER && be->listen_fd >= 0)
    unlink (be->path);
  g_mutex_unlock (&be->mutex);
  if (be->source)
    {
      g_source_destroy (be->source);
      g_source_unref (be->source); /* finalize flushes a file, drops its ref */
    }
  backend_unref (be);
}

BwSerialBackendMode
bw_serial_backend_get_mode (BwSerialBackend *be)
{
  return be->mode;
}

gboolean
bw_serial_backend_is_connected (BwSerialBackend *be)
{
  g_mutex_lock (&be->mutex);
  gboolean connected = be->fd >= 0;
  g_mutex_unlock (&be->mutex);
  return connected;
}

gboolean
bw_serial_backend_would_block (BwSerialBackend *be)
{
  g_mutex_lock (&be->mutex);
  gboolean full = be->fd >= 0 && !be->closed && be->out->len >= OUTPUT_HIGH_WATER;
  g_mutex_unlock (&be->mutex);
  return full;
}

void
bw_serial_backend_write (BwSerialBackend *be, guint8 byte)
{
  g_mutex_lock (&be->mutex);
  if (be->fd < 0 || be->closed || be->out->len >= OUTPUT_LIMIT)
    {
      be->dropped++;
      g_mutex_unlock (&be->mutex);
      return;
    }
  gboolean wake = be->out->len == 0;
  g_byte_array_append (be->out, &byte, 1);
  g_mutex_unlock (&be->mutex);
  if (wake)
    g_source_set_ready_time (be->source, 0);
}

gsize
bw_serial_backend_read (BwSerialBackend *be, guint8 *buf, gsize max)
{
  g_mutex_lock (&be->mutex);
  gsize n = MIN (max, be->in_len);
  gboolean was_full = be->in_len == INPUT_BUFFER;
  memcpy (buf, be->in, n);
  memmove (be->in, be->in + n, be->in_len - n);
  be->in_len -= n;
  g_mutex_unlock (&be->mutex);
  if (n > 0 && was_full)
    g_source_set_ready_time (be->source, 0); /* read from the peer again */
  return n;
}

guint64
bw_serial_backend_get_dropped (BwSerialBackend *be)
{
  g_mutex_lock (&be->mutex);
  guint64 dropped = be->dropped;
  g_mutex_unlock (&be->mutex);
  return dropped;
}
