/* kvm-test.h: what the KVM tests share: the skip when there is no
 * /dev/kvm, the test devices the guests talk to (guest-common.inc has
 * their addresses), and loading a guest binary. */
#pragma once

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "kmod/bw-kvm.h"
#include "vmm/bw-platform.h"

#define KVM_TEST_LOAD_ADDR 0x7c00u
#define KVM_TEST_RESULT 0x7e00u
#define KVM_TEST_PORT_BASE 0x510u
#define KVM_TEST_MMIO_BASE 0xa0000u

/* A TAP plan that skips the whole executable when /dev/kvm cannot be
 * opened. Opens the device directly (not through kmod/), so that no test
 * process starts with the backend's state already set. */
static inline gboolean
kvm_test_skip_without_kvm (void)
{
  const char *path = g_getenv ("BOXWOOD_KVM_DEVICE");
  if (!path || !*path)
    path = "/dev/kvm";
  int fd = open (path, O_RDWR | O_CLOEXEC);
  if (fd >= 0)
    {
      close (fd);
      return FALSE;
    }
  printf ("1..0 # SKIP %s cannot be opened (%s): no KVM on this host\n", path, g_strerror (errno));
  return TRUE;
}

/* The port device: offset 0 logs byte writes and counts byte reads from
 * 0x40; offset 2 reads 0xBEEF and logs word writes; offset 4 reads
 * 0x12345678; offset 8 asks for power-off. */
typedef struct
{
  BwPlatform *platform;
  GByteArray *log;
  GArray *words;
  guint8 next_read;
  guint8 answer; /* when non-zero, byte reads return it (and signal) */
  GMutex mutex;  /* for a test thread waiting on `reads` */
  GCond cond;
  guint reads;
} KvmTestPorts;

static void
kvm_test_ports_io (void *opaque, guint64 offset, guint64 *data, guint size, gboolean is_write)
{
  KvmTestPorts *p = opaque;
  switch (offset)
    {
      case 0:
        if (is_write && size == 1)
          g_byte_array_append (p->log, (guint8 *)data, 1);
        else if (!is_write && size == 1)
          {
            *data = p->answer ? p->answer : p->next_read++;
            g_mutex_lock (&p->mutex);
            p->reads++;
            g_cond_broadcast (&p->cond);
            g_mutex_unlock (&p->mutex);
          }
        break;
      case 2:
        if (is_write && size == 2)
          {
            guint16 w = (guint16)*data;
            g_array_append_val (p->words, w);
          }
        else if (!is_write)
          *data = 0xbeef;
        break;
      case 4:
        if (!is_write)
          *data = 0x12345678;
        break;
      case 8:
        if (is_write)
          bw_platform_request (p->platform, BW_PLATFORM_REQUEST_POWEROFF, "the test guest is done");
        break;
      default:
        break;
    }
}

static const BwIoOps kvm_test_ports_ops = { .handler = kvm_test_ports_io, .max_access = 4 };

static inline KvmTestPorts *
kvm_test_ports_new (BwPlatform *platform)
{
  KvmTestPorts *p = g_new0 (KvmTestPorts, 1);
  p->platform = platform;
  p->log = g_byte_array_new ();
  p->words = g_array_new (FALSE, FALSE, sizeof (guint16));
  p->next_read = 0x40;
  g_mutex_init (&p->mutex);
  g_cond_init (&p->cond);
  bw_platform_lock (platform);
  ck_assert (bw_io_bus_register (bw_platform_get_pio (platform), "kvm-test", KVM_TEST_PORT_BASE, 16,
                                 &kvm_test_ports_ops, p, NULL));
  bw_platform_unlock (platform);
  return p;
}

static inline void
kvm_test_ports_free (KvmTestPorts *p)
{
  g_byte_array_unref (p->log);
  g_array_unref (p->words);
  g_mutex_clear (&p->mutex);
  g_cond_clear (&p->cond);
  g_free (p);
}

/* Asserts the port log is exactly the n bytes given. */
static inline void
kvm_test_ports_expect (KvmTestPorts *p, const guint8 *bytes, guint n)
{
  g_autoptr (GString) got = g_string_new (NULL);
  for (guint i = 0; i < p->log->len; i++)
    g_string_append_printf (got, " %02x", p->log->data[i]);
  ck_assert_msg (p->log->len == n && memcmp (p->log->data, bytes, n) == 0,
                 "port log is%s, %u bytes expected", got->str, n);
}

#ifdef BW_KVM_GUEST_DIR
/* Copies tests/kvm/guest-NAME.bin (built by nasm) to 0000:7C00. */
static inline void
kvm_test_load_guest (BwPlatform *platform, const char *name)
{
  g_autofree char *path = g_strdup_printf ("%s/guest-%s.bin", BW_KVM_GUEST_DIR, name);
  g_autofree char *code = NULL;
  gsize len;
  g_autoptr (GError) error = NULL;
  ck_assert_msg (g_file_get_contents (path, &code, &len, &error), "%s",
                 error ? error->message : "");
  ck_assert (bw_memory_write (bw_platform_get_memory (platform), KVM_TEST_LOAD_ADDR, code, len));
}
#endif

/* Real mode at 0000:7C00 with interrupts off, from the reset state. */
static inline void
kvm_test_start_at_load_addr (BwVcpu *vcpu)
{
  const BwCpuBackend *b = vcpu->backend;
  BwX86Regs regs;
  g_autoptr (GError) error = NULL;
  ck_assert_msg (b->get_regs (vcpu, &regs, &error), "%s", error ? error->message : "");
  regs.seg[BW_X86_SEG_CS].selector = 0;
  regs.seg[BW_X86_SEG_CS].base = 0;
  regs.rip = KVM_TEST_LOAD_ADDR;
  regs.rflags = 0x2;
  ck_assert_msg (b->set_regs (vcpu, &regs, &error), "%s", error ? error->message : "");
}
