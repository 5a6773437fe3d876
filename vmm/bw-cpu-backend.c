/* bw-cpu-backend.c: the registry of CPU backends. */
#include "config.h"

#include <string.h>
#include "vmm/bw-cpu-backend.h"

G_DEFINE_QUARK (bw-cpu-backend-error-quark, bw_cpu_backend_error)

static GMutex backends_mutex;
static GPtrArray *backends;

void
bw_cpu_backend_register (const BwCpuBackend *backend)
{
  g_return_if_fail (backend != NULL && backend->name != NULL);
  g_mutex_lock (&backends_mutex);
  if (!backends)
    backends = g_ptr_array_new ();
  if (!g_ptr_array_find (backends, backend, NULL))
    g_ptr_array_add (backends, (gpointer) backend);
  g_mutex_unlock (&backends_mutex);
}

const BwCpuBackend *
bw_cpu_backend_find (const char *name)
{
  const BwCpuBackend *found = NULL;
  g_mutex_lock (&backends_mutex);
  for (guint i = 0; backends && i < backends->len; i++)
    {
      const BwCpuBackend *b = g_ptr_array_index (backends, i);
      if (strcmp (b->name, name) == 0)
        found = b;
    }
  g_mutex_unlock (&backends_mutex);
  return found;
}

static gint
backend_compare (gconstpointer a, gconstpointer b)
{
  const BwCpuBackend *x = *(const BwCpuBackend *const *) a;
  const BwCpuBackend *y = *(const BwCpuBackend *const *) b;
  if (x->preference != y->preference)
    return x->preference < y->preference ? -1 : 1;
  return strcmp (x->name, y->name);
}

GPtrArray *
bw_cpu_backend_list (void)
{
  GPtrArray *list = g_ptr_array_new ();
  g_mutex_lock (&backends_mutex);
  for (guint i = 0; backends && i < backends->len; i++)
    g_ptr_array_add (list, g_ptr_array_index (backends, i));
  g_mutex_unlock (&backends_mutex);
  g_ptr_array_sort (list, backend_compare);
  return list;
}
