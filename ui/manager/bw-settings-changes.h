/* bw-settings-changes.h: what the settings dialog sends to the service.
 *
 * The dialog edits a copy of the machine's settings; OK turns the
 * differences into one ModifyMachine change list (keys as in
 * data/dbus/org.boxwood.Service1.xml), applied all at once. No GTK. */
#pragma once

#include "app/main/bw-machine-settings.h"

G_BEGIN_DECLS

/* key, value, key, value, ..., NULL; empty when nothing changed. */
GStrv bw_settings_changes_compute (const BwMachineSettings *before, const BwMachineSettings *after);

/* The host: physical memory in MiB and online CPUs, for the bounds of
 * the memory and CPU controls. */
guint bw_host_memory_mib (void);
guint bw_host_cpu_count (void);

G_END_DECLS
