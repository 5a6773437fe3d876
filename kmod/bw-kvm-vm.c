/* bw-kvm-vm.c: one KVM VM per platform, and its memory slots.
 *
 * The slots mirror bw_memory_get_slots(): after every map change (PAM,
 * a BAR moving, an MMIO range appearing) the listener diffs the old and
 * new lists, deletes what changed and adds what is new. While a slot is
 * gone a vCPU that touches it exits as MMIO and bw_memory_access() serves
 * it from the new map (already in place), so the result is right even in
 * that window.
 *
 * KVM wants page-aligned host addresses. Guest RAM is mmap()ed; a ROM's
 * bytes may not be (they are a g_malloc() copy), so a read-only slot with
 * an unaligned host address gets an aligned copy of its own (ROMs do not
 * change). An unaligned writable region (device RAM) cannot be copied
 * without losing coherence: it gets no slot and is reached through MMIO
 * exits, and the log says so once. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "kmod/bw-kvm-private.h"

typedef struct
{
  guint32 id;
  guint64 gpa;
  guint64 size;
  guint8 *source; /* the memory map's host pointer */
  gboolean read_only;
  void *copy; /* aligned copy of a read-only source, or NULL */
} Slot;

struct _BwKvmVm
{
  gint refs; /* under registry_mutex */
  const BwKvmSystem *sys;
  BwPlatform *platform;
  BwMemory *mem;
  int fd;

  GMutex slot_mutex;
  GArray *slots; /* Slot, in use */
  gboolean warned_unaligned;
};

static GMutex registry_mutex;
static GHashTable *registry; /* BwPlatform * -> BwKvmVm * */

static gboolean
page_aligned (const void *p)
{
  return ((guintptr)p & (BW_MEMORY_PAGE_SIZE - 1)) == 0;
}

static gboolean
set_region (BwKvmVm *vm, guint32 id, guint64 gpa, guint64 size, void *host, gboolean read_only,
            GError **error)
{
  struct kvm_userspace_memory_region region = {
    .slot = id,
    .flags = read_only ? KVM_MEM_READONLY : 0,
    .guest_phys_addr = gpa,
    .memory_size = size,
    .userspace_addr = (guint64)(guintptr)host,
  };
  if (bw_kvm_system_ioctl (vm->fd, KVM_SET_USER_MEMORY_REGION, &region) == 0)
    return TRUE;
  g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED,
               "KVM_SET_USER_MEMORY_REGION slot %u, %#" G_GINT64_MODIFIER "x+%#" G_GINT64_MODIFIER
               "x%s: %s",
               id, gpa, size, read_only ? " read-only" : "", g_strerror (errno));
  return FALSE;
}

static void
slot_clear (Slot *slot)
{
  if (slot->copy)
    munmap (slot->copy, slot->size);
  slot->copy = NULL;
}

static guint32
free_slot_id (BwKvmVm *vm)
{
  for (guint32 id = 0;; id++)
    {
      gboolean used = FALSE;
      for (guint i = 0; i < vm->slots->len && !used; i++)
        used = g_array_index (vm->slots, Slot, i).id == id;
      if (!used)
        return id;
    }
}

static gboolean
same_slot (const Slot *old, const BwMemorySlot *s)
{
  return old->gpa == s->gpa && old->size == s->size && old->source == s->host
         && old->read_only == !!s->read_only;
}

/* Brings the KVM slots in line with the memory map. Takes slot_mutex. */
static gboolean
sync_slots (BwKvmVm *vm, GError **error)
{
  g_autoptr (GArray) wanted = bw_memory_get_slots (vm->mem);
  gboolean ok = TRUE;
  g_mutex_lock (&vm->slot_mutex);

  /* Deletions first: a new slot may overlap one that goes away. */
  for (guint i = vm->slots->len; i-- > 0;)
    {
      Slot *old = &g_array_index (vm->slots, Slot, i);
      gboolean keep = FALSE;
      for (guint j = 0; j < wanted->len && !keep; j++)
        keep = same_slot (old, &g_array_index (wanted, BwMemorySlot, j));
      if (keep)
        continue;
      /* Deleting cannot fail for a slot that exists; if it does, later
       * additions report the overlap. */
      set_region (vm, old->id, old->gpa, 0, NULL, FALSE, NULL);
      slot_clear (old);
      g_array_remove_index (vm->slots, i);
    }

  for (guint j = 0; j < wanted->len; j++)
    {
      const BwMemorySlot *s = &g_array_index (wanted, BwMemorySlot, j);
      gboolean present = FALSE;
      for (guint i = 0; i < vm->slots->len && !present; i++)
        present = same_slot (&g_array_index (vm->slots, Slot, i), s);
      if (present)
        continue;

      Slot slot
          = { .gpa = s->gpa, .size = s->size, .source = s->host, .read_only = !!s->read_only };
      void *host = s->host;
      if (!page_aligned (host))
        {
          if (!s->read_only)
            {
              if (!vm->warned_unaligned)
                bw_log_printf (bw_platform_get_log (vm->platform), "KVM",
                               "Region %s at %#" G_GINT64_MODIFIER "x has host memory that is not "
                               "page-aligned; it is reached through MMIO exits (slow)",
                               s->name ? s->name : "?", s->gpa);
              vm->warned_unaligned = TRUE;
              continue;
            }
          slot.copy
              = mmap (NULL, s->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
          if (slot.copy == MAP_FAILED)
            {
              slot.copy = NULL;
              g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED,
                           "No memory for an aligned copy of %s (%" G_GUINT64_FORMAT " bytes)",
                           s->name ? s->name : "a ROM", s->size);
              ok = FALSE;
              break;
            }
          memcpy (slot.copy, s->host, s->size);
          mprotect (slot.copy, s->size, PROT_READ);
          host = slot.copy;
        }
      if (vm->slots->len >= (guint)vm->sys->nr_memslots)
        {
          g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED,
                       "The memory map needs more than the %d KVM memory slots this host has",
                       vm->sys->nr_memslots);
          slot_clear (&slot);
          ok = FALSE;
          break;
        }
      slot.id = free_slot_id (vm);
      if (!set_region (vm, slot.id, slot.gpa, slot.size, host, slot.read_only, error))
        {
          slot_clear (&slot);
          ok = FALSE;
          break;
        }
      g_array_append_val (vm->slots, slot);
    }
  g_mutex_unlock (&vm->slot_mutex);
  return ok;
}

/* Map listener: on the thread that changed the map, platform lock held. */
static void
map_changed (void *user_data, BwMemory *mem)
{
  BwKvmVm *vm = user_data;
  g_autoptr (GError) error = NULL;
  if (!sync_slots (vm, &error))
    /* The vCPU keeps running on what is mapped; accesses to what is
     * missing exit as MMIO and still reach the right place. */
    bw_log_printf (bw_platform_get_log (vm->platform), "KVM", "Memory slot update failed: %s",
                   error->message);
}

static void
vm_destroy (BwKvmVm *vm)
{
  if (vm->mem)
    {
      bw_platform_lock (vm->platform);
      bw_memory_remove_map_listener (vm->mem, map_changed, vm);
      bw_platform_unlock (vm->platform);
    }
  for (guint i = 0; vm->slots && i < vm->slots->len; i++)
    slot_clear (&g_array_index (vm->slots, Slot, i));
  g_clear_pointer (&vm->slots, g_array_unref);
  if (vm->fd >= 0)
    close (vm->fd);
  g_mutex_clear (&vm->slot_mutex);
  g_free (vm);
}

static BwKvmVm *
vm_create (BwPlatform *platform, GError **error)
{
  const BwKvmSystem *sys = bw_kvm_system_get (error);
  if (!sys)
    return NULL;
  BwKvmVm *vm = g_new0 (BwKvmVm, 1);
  vm->sys = sys;
  vm->platform = platform;
  vm->slots = g_array_new (FALSE, FALSE, sizeof (Slot));
  g_mutex_init (&vm->slot_mutex);
  vm->fd = bw_kvm_system_ioctl (sys->fd, KVM_CREATE_VM, 0);
  if (vm->fd < 0)
    {
      g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED, "KVM_CREATE_VM failed: %s",
                   g_strerror (errno));
      vm_destroy (vm);
      return NULL;
    }
  /* Intel needs these before the first vCPU; AMD ignores them. */
  guint64 identity = BW_KVM_IDENTITY_MAP_ADDR;
  if ((sys->has_identity_map_addr
       && bw_kvm_system_ioctl (vm->fd, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0)
      || (sys->has_tss_addr
          && bw_kvm_system_ioctl (vm->fd, KVM_SET_TSS_ADDR, (void *)(guintptr)BW_KVM_TSS_ADDR) < 0))
    {
      g_set_error (error, BW_KVM_ERROR, BW_KVM_ERROR_FAILED,
                   "Setting KVM's TSS and identity-map addresses failed: %s", g_strerror (errno));
      vm_destroy (vm);
      return NULL;
    }

  bw_platform_lock (platform);
  vm->mem = bw_platform_get_memory (platform);
  gboolean ok = sync_slots (vm, error);
  if (ok)
    bw_memory_add_map_listener (vm->mem, map_changed, vm);
  else
    vm->mem = NULL;
  bw_platform_unlock (platform);
  if (!ok)
    {
      vm_destroy (vm);
      return NULL;
    }
  bw_log_printf (bw_platform_get_log (platform), "KVM",
                 "KVM VM created: API %d, %u memory slots of %d, TSS at %#x", sys->api_version,
                 vm->slots->len, sys->nr_memslots, BW_KVM_TSS_ADDR);
  return vm;
}

BwKvmVm *
bw_kvm_vm_acquire (BwPlatform *platform, GError **error)
{
  g_mutex_lock (&registry_mutex);
  if (!registry)
    registry = g_hash_table_new (NULL, NULL);
  BwKvmVm *vm = g_hash_table_lookup (registry, platform);
  if (!vm)
    {
      vm = vm_create (platform, error);
      if (vm)
        g_hash_table_insert (registry, platform, vm);
    }
  if (vm)
    vm->refs++;
  g_mutex_unlock (&registry_mutex);
  return vm;
}

void
bw_kvm_vm_release (BwKvmVm *vm)
{
  if (!vm)
    return;
  g_mutex_lock (&registry_mutex);
  gboolean last = --vm->refs == 0;
  if (last)
    g_hash_table_remove (registry, vm->platform);
  g_mutex_unlock (&registry_mutex);
  if (last)
    vm_destroy (vm);
}

int
bw_kvm_vm_get_fd (BwKvmVm *vm)
{
  return vm->fd;
}

guint
bw_kvm_vm_get_n_slots (BwKvmVm *vm)
{
  g_mutex_lock (&vm->slot_mutex);
  guint n = vm->slots->len;
  g_mutex_unlock (&vm->slot_mutex);
  return n;
}
