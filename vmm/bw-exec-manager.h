/* bw-exec-manager.h: picks the CPU backend for a machine.
 *
 * The machine setting acceleration is "auto", "kvm" or "software" (any
 * registered backend's name is accepted, which tests use):
 *  - a backend name forces that backend: it must probe successfully, or
 *    the VM does not start (the error says why);
 *  - "auto" probes every registered backend, asks the available ones to
 *    assess themselves (the KVM backend runs its calibration there) and
 *    takes the GOOD one with the lowest preference; when none is GOOD it
 *    takes the SLOW one with the best score and says so as a warning
 *    (a /dev/kvm that emulates kernel code, no software CPU yet).
 * Every probe result, assessment and the decision go to the VM log.
 * Once the backend is known it also decides how guest time flows
 * (bw_exec_manager_choose_clock). */
#pragma once

#include <glib.h>
#include "vmm/bw-cpu-backend.h"
#include "vmm/bw-log.h"

G_BEGIN_DECLS

#define BW_EXEC_MANAGER_ERROR (bw_exec_manager_error_quark ())
GQuark bw_exec_manager_error_quark (void);

typedef enum
{
  BW_EXEC_MANAGER_ERROR_UNKNOWN,     /* no backend of that name */
  BW_EXEC_MANAGER_ERROR_UNAVAILABLE, /* the forced backend, or every backend, cannot run */
} BwExecManagerError;

typedef struct
{
  const BwCpuBackend *backend;
  BwCpuAssessment assessment; /* of the chosen backend */
  gboolean warning;           /* chosen although SLOW */
  char *reason;               /* one sentence: why this backend */
} BwExecChoice;

void bw_exec_choice_clear (BwExecChoice *choice);

/* backends: candidates (NULL: every registered backend). log may be NULL. */
gboolean bw_exec_manager_choose (const char *acceleration, GPtrArray *backends, BwLog *log,
                                 BwExecChoice *choice, GError **error);

/* The machine setting clock is "auto" (the default), "host", "virtual" or
 * "manual" (checked by bw_vm_new). The clock for a machine on backend with n_vcpus CPUs, logged with why:
 * "auto" gives BW_CLOCK_VIRTUAL for a backend that drives one
 * (drives_virtual_clock: the software CPU, slower than the host and
 * starved at times, so guest time follows what it executes) with one
 * vCPU, BW_CLOCK_HOST otherwise (KVM runs at host speed); "virtual" asks
 * for it and falls back to the host clock, saying so, where the backend
 * cannot; "host" and "manual" are taken as they are. */
BwClockMode bw_exec_manager_choose_clock (const char *setting, const BwCpuBackend *backend,
                                          guint n_vcpus, BwLog *log);

G_END_DECLS
