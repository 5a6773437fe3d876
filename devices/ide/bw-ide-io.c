/* bw-ide-io.c: disk I/O off the vCPU thread.
 *
 * Each channel has at most one request in flight (a channel runs one
 * command at a time). In thread mode a worker thread per channel, started
 * on the first request, reads or writes the image into the request's own
 * buffer and then completes the request under the platform lock. The
 * worker never blocks on that lock: it tries it and otherwise waits on its
 * condition for a moment, so that whoever holds the lock (a reset, a
 * saved-state write, unrealize, a test's bw_ide_wait_idle()) can complete
 * the request itself through bw_ide_io_drain() instead, and so that
 * unrealize can always join the thread. In sync mode the I/O runs inside
 * the submitting call. */
#include "config.h"

#include <time.h>
#include "devices/ide/bw-ide-private.h"

enum
{
  IO_IDLE,
  IO_QUEUED,
  IO_RUNNING,
  IO_DONE,
};

static void
perform (BwIdeIoOp op, BwDisk *disk, guint64 offset, guint32 len, guint8 *data, gboolean *ok,
         GError **error)
{
  switch (op)
    {
    case BW_IDE_IO_READ:
      *ok = bw_disk_read (disk, offset, data, len, error);
      break;
    case BW_IDE_IO_WRITE:
      *ok = bw_disk_write (disk, offset, data, len, error);
      break;
    case BW_IDE_IO_FLUSH:
      *ok = bw_disk_flush (disk, error);
      break;
    }
}

/* Runs the completion of a finished request; io->mutex is not held. */
static void
complete (BwIdeChannel *ch)
{
  BwIdeIo *io = &ch->io;
  BwIdeIoDone done = io->done;
  GError *error = io->error;
  gboolean ok = io->ok;
  io->error = NULL;
  io->done = NULL;
  g_clear_pointer (&io->disk, bw_disk_unref);
  if (done)
    done (ch, ok, error);
  g_clear_error (&error);
}

/* Waits on the condition for at most 50 µs (io->mutex held). */
static void
wait_briefly (BwIdeIo *io)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  ts.tv_nsec += 50 * 1000;
  if (ts.tv_nsec >= 1000000000)
    {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000;
    }
  pthread_cond_timedwait (&io->cond, &io->mutex, &ts);
}

static gpointer
worker_main (gpointer data)
{
  BwIdeChannel *ch = data;
  BwIdeIo *io = &ch->io;
  GRecMutex *lock = bw_platform_get_lock (bw_ide_device (ch)->platform);

  pthread_mutex_lock (&io->mutex);
  for (;;)
    {
      while (io->state != IO_QUEUED && !io->quit)
        pthread_cond_wait (&io->cond, &io->mutex);
      if (io->quit)
        break;
      io->state = IO_RUNNING;
      guint64 seq = io->seq;
      BwIdeIoOp op = io->op;
      BwDisk *disk = io->disk;
      guint64 offset = io->offset;
      guint32 len = io->len;
      pthread_mutex_unlock (&io->mutex);

      gboolean ok = FALSE;
      GError *error = NULL;
      perform (op, disk, offset, len, io->data, &ok, &error);

      pthread_mutex_lock (&io->mutex);
      io->ok = ok;
      io->error = error;
      io->state = IO_DONE;
      pthread_cond_broadcast (&io->cond);
      for (guint tries = 0; io->state == IO_DONE && io->seq == seq && !io->quit; tries++)
        {
          if (g_rec_mutex_trylock (lock))
            {
              gboolean mine = io->state == IO_DONE && io->seq == seq;
              if (mine)
                io->state = IO_IDLE;
              pthread_mutex_unlock (&io->mutex);
              if (mine)
                complete (ch);
              g_rec_mutex_unlock (lock);
              pthread_mutex_lock (&io->mutex);
              break;
            }
          /* The holder is usually a vCPU inside a port access: give it a
           * moment, then sleep until someone completes for us. */
          if (tries < 32)
            {
              pthread_mutex_unlock (&io->mutex);
              g_thread_yield ();
              pthread_mutex_lock (&io->mutex);
            }
          else
            wait_briefly (io);
        }
    }
  pthread_mutex_unlock (&io->mutex);
  return NULL;
}

void
bw_ide_io_init (BwIdeChannel *ch, gboolean sync)
{
  BwIdeIo *io = &ch->io;
  pthread_condattr_t attr;
  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_mutex_init (&io->mutex, NULL);
  pthread_cond_init (&io->cond, &attr);
  pthread_condattr_destroy (&attr);
  io->sync = sync;
  io->state = IO_IDLE;
  io->data = g_malloc0 (BW_IDE_BUF_SIZE);
}

void
bw_ide_io_shutdown (BwIdeChannel *ch)
{
  BwIdeIo *io = &ch->io;
  if (!io->data)
    return;
  bw_ide_io_discard (ch);
  pthread_mutex_lock (&io->mutex);
  io->quit = TRUE;
  pthread_cond_broadcast (&io->cond);
  pthread_mutex_unlock (&io->mutex);
  if (io->thread)
    g_thread_join (io->thread);
  io->thread = NULL;
  g_clear_pointer (&io->disk, bw_disk_unref);
  g_clear_error (&io->error);
  g_clear_pointer (&io->data, g_free);
  pthread_mutex_destroy (&io->mutex);
  pthread_cond_destroy (&io->cond);
}

/* Sync mode: completes finished requests, including the ones the
 * completions start, without recursing. */
static void
run_completions (BwIdeChannel *ch)
{
  BwIdeIo *io = &ch->io;
  if (io->completing)
    return;
  io->completing = TRUE;
  while (io->state == IO_DONE)
    {
      io->state = IO_IDLE;
      complete (ch);
    }
  io->completing = FALSE;
}

void
bw_ide_io_submit (BwIdeChannel *ch, BwIdeIoOp op, BwDisk *disk, guint64 offset, guint32 len,
                  BwIdeIoDone done)
{
  BwIdeIo *io = &ch->io;
  g_return_if_fail (len <= BW_IDE_BUF_SIZE);

  /* Every transfer runs for the drive that runs the command. */
  BwIdeDrive *d = bw_ide_active (ch);
  if (op == BW_IDE_IO_READ)
    __atomic_fetch_add (&d->bytes_read, (guint64) len, __ATOMIC_RELAXED);
  else if (op == BW_IDE_IO_WRITE)
    __atomic_fetch_add (&d->bytes_written, (guint64) len, __ATOMIC_RELAXED);

  pthread_mutex_lock (&io->mutex);
  g_warn_if_fail (io->state == IO_IDLE);
  io->op = op;
  io->disk = bw_disk_ref (disk);
  io->offset = offset;
  io->len = len;
  io->done = done;
  io->ok = FALSE;
  g_clear_error (&io->error);
  io->seq++;
  if (io->sync)
    {
      pthread_mutex_unlock (&io->mutex);
      perform (op, disk, offset, len, io->data, &io->ok, &io->error);
      io->state = IO_DONE;
      run_completions (ch);
      return;
    }
  io->state = IO_QUEUED;
  if (!io->thread)
    {
      g_autofree char *name = g_strdup_printf ("bw-ide%u", ch->index);
      io->thread = g_thread_new (name, worker_main, ch);
    }
  pthread_cond_broadcast (&io->cond);
  pthread_mutex_unlock (&io->mutex);
}

gboolean
bw_ide_io_busy (BwIdeChannel *ch)
{
  BwIdeIo *io = &ch->io;
  if (!io->data)
    return FALSE;
  pthread_mutex_lock (&io->mutex);
  gboolean busy = io->state != IO_IDLE;
  pthread_mutex_unlock (&io->mutex);
  return busy;
}

void
bw_ide_io_drain (BwIdeChannel *ch)
{
  BwIdeIo *io = &ch->io;
  if (!io->data)
    return;
  if (io->sync)
    {
      run_completions (ch);
      return;
    }
  pthread_mutex_lock (&io->mutex);
  while (io->state != IO_IDLE)
    {
      if (io->state == IO_DONE)
        {
          io->state = IO_IDLE;
          pthread_cond_broadcast (&io->cond);
          pthread_mutex_unlock (&io->mutex);
          complete (ch);
          pthread_mutex_lock (&io->mutex);
          continue;
        }
      pthread_cond_wait (&io->cond, &io->mutex);
    }
  pthread_mutex_unlock (&io->mutex);
}

void
bw_ide_io_discard (BwIdeChannel *ch)
{
  BwIdeIo *io = &ch->io;
  if (!io->data)
    return;
  pthread_mutex_lock (&io->mutex);
  while (io->state == IO_QUEUED || io->state == IO_RUNNING)
    pthread_cond_wait (&io->cond, &io->mutex);
  io->state = IO_IDLE;
  io->done = NULL;
  pthread_cond_broadcast (&io->cond);
  pthread_mutex_unlock (&io->mutex);
  g_clear_pointer (&io->disk, bw_disk_unref);
  g_clear_error (&io->error);
}
