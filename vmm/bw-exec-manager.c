/* bw-exec-manager.c: choosing the CPU backend (rules in
 * bw-exec-manager.h), with every step written to the VM log. */
#include "config.h"

#include <string.h>
#include "vmm/bw-exec-manager.h"

G_DEFINE_QUARK (bw-exec-manager-error-quark, bw_exec_manager_error)

void
bw_exec_choice_clear (BwExecChoice *choice)
{
  g_clear_pointer (&choice->reason, g_free);
  memset (choice, 0, sizeof *choice);
}

static const char *
verdict_name (BwCpuVerdict verdict)
{
  switch (verdict)
    {
    case BW_CPU_VERDICT_GOOD:
      return "good";
    case BW_CPU_VERDICT_SLOW:
      return "slow";
    default:
      return "unavailable";
    }
}

static void
assess (const BwCpuBackend *backend, BwLog *log, BwCpuAssessment *result)
{
  g_autoptr (GError) error = NULL;
  memset (result, 0, sizeof *result);
  if (!backend->probe || !backend->probe (&error))
    {
      result->verdict = BW_CPU_VERDICT_UNAVAILABLE;
      g_strlcpy (result->reason, error ? error->message : "no probe", sizeof result->reason);
    }
  else if (backend->assess)
    backend->assess (result);
  else
    {
      result->verdict = BW_CPU_VERDICT_GOOD;
      g_strlcpy (result->reason, "available (no calibration)", sizeof result->reason);
    }
  bw_log_printf (log, "EM", "Backend %s: %s, score %.3g: %s", backend->name,
                 verdict_name (result->verdict), result->score, result->reason);
}

gboolean
bw_exec_manager_choose (const char *acceleration, GPtrArray *backends, BwLog *log,
                        BwExecChoice *choice, GError **error)
{
  g_autoptr (GPtrArray) registered = NULL;
  memset (choice, 0, sizeof *choice);
  if (!backends)
    backends = registered = bw_cpu_backend_list ();
  if (!acceleration || !*acceleration)
    acceleration = "auto";
  bw_log_printf (log, "EM", "Acceleration setting: %s", acceleration);

  if (strcmp (acceleration, "auto") != 0)
    {
      const BwCpuBackend *backend = NULL;
      for (guint i = 0; i < backends->len; i++)
        if (strcmp (((const BwCpuBackend *) g_ptr_array_index (backends, i))->name, acceleration)
            == 0)
          backend = g_ptr_array_index (backends, i);
      if (!backend)
        {
          g_set_error (error, BW_EXEC_MANAGER_ERROR, BW_EXEC_MANAGER_ERROR_UNKNOWN,
                       "Acceleration “%s” is not available in this build (no such CPU backend)",
                       acceleration);
          bw_log_printf (log, "EM", "No backend named %s", acceleration);
          return FALSE;
        }
      GError *local = NULL;
      if (!backend->probe || !backend->probe (&local))
        {
          g_set_error (error, BW_EXEC_MANAGER_ERROR, BW_EXEC_MANAGER_ERROR_UNAVAILABLE,
                       "Acceleration “%s” was asked for but cannot run here: %s", acceleration,
                       local ? local->message : "no probe");
          bw_log_printf (log, "EM", "Forced backend %s unavailable: %s", backend->name,
                         local ? local->message : "no probe");
          g_clear_error (&local);
          return FALSE;
        }
      choice->backend = backend;
      choice->assessment.verdict = BW_CPU_VERDICT_GOOD;
      choice->reason = g_strdup_printf ("%s was chosen in the machine settings", backend->name);
      bw_log_printf (log, "EM", "Using the %s backend: %s", backend->name, choice->reason);
      return TRUE;
    }

  const BwCpuBackend *best_good = NULL, *best_slow = NULL;
  BwCpuAssessment good = { 0 }, slow = { 0 };
  g_autoptr (GString) why_not = g_string_new (NULL);
  g_autoptr (GString) details = g_string_new (NULL);
  for (guint i = 0; i < backends->len; i++)
    {
      const BwCpuBackend *backend = g_ptr_array_index (backends, i);
      BwCpuAssessment a;
      assess (backend, log, &a);
      if (a.verdict == BW_CPU_VERDICT_GOOD
          && (!best_good || backend->preference < best_good->preference))
        best_good = backend, good = a;
      else if (a.verdict == BW_CPU_VERDICT_SLOW && (!best_slow || a.score > slow.score))
        best_slow = backend, slow = a;
      if (a.verdict != BW_CPU_VERDICT_GOOD)
        {
          g_string_append_printf (why_not, "%s%s is %s", why_not->len ? ", " : "", backend->name,
                                  verdict_name (a.verdict));
          g_string_append_printf (details, "%s%s: %s", details->len ? "; " : "", backend->name,
                                  a.reason);
        }
    }

  /* The full reasons of each backend are in the log lines above; the
   * choice's reason stays one short sentence. */
  if (best_good)
    {
      choice->backend = best_good;
      choice->assessment = good;
      choice->reason = why_not->len
                         ? g_strdup_printf ("%s is the preferred usable backend (%s)",
                                            best_good->name, why_not->str)
                         : g_strdup_printf ("%s is the preferred usable backend", best_good->name);
    }
  else if (best_slow)
    {
      choice->backend = best_slow;
      choice->assessment = slow;
      choice->warning = TRUE;
      choice->reason = g_strdup_printf ("no backend measured well (%s); %s is the fastest of them",
                                        why_not->str, best_slow->name);
    }
  else
    {
      g_set_error (error, BW_EXEC_MANAGER_ERROR, BW_EXEC_MANAGER_ERROR_UNAVAILABLE,
                   "No CPU backend can run on this host: %s",
                   details->len ? details->str : "none is built in");
      bw_log_printf (log, "EM", "No usable backend: %s", why_not->len ? why_not->str : "none");
      return FALSE;
    }
  bw_log_printf (log, "EM", "%sUsing the %s backend: %s", choice->warning ? "WARNING: " : "",
                 choice->backend->name, choice->reason);
  return TRUE;
}

BwClockMode
bw_exec_manager_choose_clock (const char *setting, const BwCpuBackend *backend, guint n_vcpus,
                              BwLog *log)
{
  if (!setting || !*setting)
    setting = "auto";
  BwClockMode mode;
  const char *why;
  if (strcmp (setting, "manual") == 0)
    mode = BW_CLOCK_MANUAL, why = "chosen in the machine settings (time moves only when told)";
  else if (strcmp (setting, "host") == 0)
    mode = BW_CLOCK_HOST, why = "chosen in the machine settings";
  else if (!backend->drives_virtual_clock)
    mode = BW_CLOCK_HOST, why = strcmp (setting, "virtual") == 0
                                  ? "the virtual clock was asked for, but this backend cannot drive one"
                                  : "the CPU runs at host speed";
  else if (n_vcpus != 1)
    mode = BW_CLOCK_HOST, why = "a virtual clock follows one vCPU, and this machine has more";
  else
    mode = BW_CLOCK_VIRTUAL, why = "guest time follows the instructions the software CPU executes, "
                                   "at a rate that tracks host time";
  bw_log_printf (log, "EM", "Clock: %s (%s)",
                 mode == BW_CLOCK_VIRTUAL ? "virtual" : mode == BW_CLOCK_HOST ? "host" : "manual",
                 why);
  return mode;
}
