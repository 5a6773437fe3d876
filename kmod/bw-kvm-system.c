/* bw-kvm-system.c: /dev/kvm, opened once per process on the first probe,
 * with the capabilities, CPUID and MSR lists the backend needs. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "kmod/bw-kvm-private.h"

G_DEFINE_QUARK (bw - kvm - error - quark, bw_kvm_error)

static GMutex system_mutex;
static gboolean system_tried;
static BwKvmSystem *system_ok;
static GError *system_error;

int
bw_kvm_system_ioctl (int fd, unsigned long request, void *arg)
{
  int r;
  do
    r = ioctl (fd, request, arg);
  while (r < 0 && errno == EINTR);
  return r;
}

static const char *
device_path (void)
{
  const char *path = g_getenv ("BOXWOOD_KVM_DEVICE");
  return path && *path ? path : "/dev/kvm";
}

static gboolean
need_cap (int fd, const char *path, int cap, const char *name, const char *why, GError **error)
{
  if (ioctl (fd, KVM_CHECK_EXTENSION, cap) > 0)
    return TRUE;
  g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_UNAVAILABLE,
               "%s lacks %s, which the KVM backend needs %s", path, name, why);
  return FALSE;
}

static struct kvm_cpuid2 *
get_supported_cpuid (int fd, const char *path, GError **error)
{
  for (guint n = 64; n <= 4096; n *= 2)
    {
      struct kvm_cpuid2 *cpuid = g_malloc0 (sizeof *cpuid + n * sizeof cpuid->entries[0]);
      cpuid->nent = n;
      if (bw_kvm_system_ioctl (fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
        return cpuid;
      int err = errno;
      g_free (cpuid);
      if (err != E2BIG)
        {
          g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_UNAVAILABLE,
                       "%s: KVM_GET_SUPPORTED_CPUID failed: %s", path, g_strerror (err));
          return NULL;
        }
    }
  g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_UNAVAILABLE,
               "%s: KVM_GET_SUPPORTED_CPUID returns more than 4096 entries", path);
  return NULL;
}

static gboolean
get_msr_list (BwKvmSystem *sys, const char *path, GError **error)
{
  struct kvm_msr_list probe = { .nmsrs = 0 };
  if (ioctl (sys->fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 && errno != E2BIG)
    {
      g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_UNAVAILABLE,
                   "%s: KVM_GET_MSR_INDEX_LIST failed: %s", path, g_strerror (errno));
      return FALSE;
    }
  guint n = probe.nmsrs;
  struct kvm_msr_list *list = g_malloc0 (sizeof *list + n * sizeof (guint32));
  list->nmsrs = n;
  if (bw_kvm_system_ioctl (sys->fd, KVM_GET_MSR_INDEX_LIST, list) < 0)
    {
      g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_UNAVAILABLE,
                   "%s: KVM_GET_MSR_INDEX_LIST failed: %s", path, g_strerror (errno));
      g_free (list);
      return FALSE;
    }
  sys->n_msrs = list->nmsrs;
  sys->msrs = g_memdup2 (list->indices, list->nmsrs * sizeof (guint32));
  g_free (list);
  return TRUE;
}

static void
system_free (BwKvmSystem *sys)
{
  if (sys->fd >= 0)
    close (sys->fd);
  g_free (sys->cpuid);
  g_free (sys->msrs);
  g_free (sys);
}

static BwKvmSystem *
system_open (GError **error)
{
  const char *path = device_path ();
  BwKvmSystem *sys = g_new0 (BwKvmSystem, 1);
  sys->fd = open (path, O_RDWR | O_CLOEXEC);
  if (sys->fd < 0)
    {
      int err = errno;
      g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_UNAVAILABLE, "Cannot open %s: %s%s", path,
                   g_strerror (err),
                   err == EACCES ? " (the user needs to be in the group that owns it, usually kvm)"
                   : err == ENOENT ? " (no KVM on this host: the kvm module is not loaded, or "
                                     "the CPU has no hardware virtualization)"
                                   : "");
      goto failed;
    }
  sys->api_version = ioctl (sys->fd, KVM_GET_API_VERSION, 0);
  if (sys->api_version != KVM_API_VERSION)
    {
      g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_UNAVAILABLE,
                   "%s speaks KVM API version %d, not %d", path, sys->api_version, KVM_API_VERSION);
      goto failed;
    }
  if (!need_cap (sys->fd, path, KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", "for guest RAM", error)
      || !need_cap (sys->fd, path, KVM_CAP_READONLY_MEM, "KVM_CAP_READONLY_MEM",
                    "for ROMs and PAM shadowing", error)
      || !need_cap (sys->fd, path, KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT",
                    "to stop a running vCPU (Linux 4.11 or later)", error)
      || !need_cap (sys->fd, path, KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", "to set CPUID", error))
    goto failed;
  int mmap_size = ioctl (sys->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
  if (mmap_size < (int)sizeof (struct kvm_run))
    {
      g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_UNAVAILABLE,
                   "%s: KVM_GET_VCPU_MMAP_SIZE gives %d bytes, too small", path, mmap_size);
      goto failed;
    }
  sys->vcpu_mmap_size = mmap_size;
  sys->nr_memslots = ioctl (sys->fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
  if (sys->nr_memslots <= 0)
    sys->nr_memslots = 32; /* the oldest kernels' count */
  sys->has_tss_addr = ioctl (sys->fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0;
  sys->has_identity_map_addr
      = ioctl (sys->fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_IDENTITY_MAP_ADDR) > 0;
  sys->has_vcpu_events = ioctl (sys->fd, KVM_CHECK_EXTENSION, KVM_CAP_VCPU_EVENTS) > 0;
  sys->has_debugregs = ioctl (sys->fd, KVM_CHECK_EXTENSION, KVM_CAP_DEBUGREGS) > 0;
  sys->has_xcrs = ioctl (sys->fd, KVM_CHECK_EXTENSION, KVM_CAP_XCRS) > 0;
  if (ioctl (sys->fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE) > 0)
    {
      int size2 = ioctl (sys->fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
      sys->has_xsave2 = size2 > 0;
      sys->xsave_size = MAX ((gsize)MAX (size2, 0), sizeof (struct kvm_xsave));
    }
  sys->cpuid = get_supported_cpuid (sys->fd, path, error);
  if (!sys->cpuid || !get_msr_list (sys, path, error))
    goto failed;
  return sys;

failed:
  system_free (sys);
  return NULL;
}

const BwKvmSystem *
bw_kvm_system_get (GError **error)
{
  g_mutex_lock (&system_mutex);
  if (!system_tried)
    {
      system_tried = TRUE;
      system_ok = system_open (&system_error);
    }
  BwKvmSystem *sys = system_ok;
  if (!sys)
    g_propagate_error (error, g_error_copy (system_error));
  g_mutex_unlock (&system_mutex);
  return sys;
}

gboolean
bw_kvm_system_has_msr (const BwKvmSystem *sys, guint32 index)
{
  for (guint i = 0; i < sys->n_msrs; i++)
    if (sys->msrs[i] == index)
      return TRUE;
  return FALSE;
}

gboolean
bw_kvm_probe (GError **error)
{
  return bw_kvm_system_get (error) != NULL;
}

gboolean
bw_kvm_is_open (void)
{
  g_mutex_lock (&system_mutex);
  gboolean tried = system_tried;
  g_mutex_unlock (&system_mutex);
  return tried;
}
