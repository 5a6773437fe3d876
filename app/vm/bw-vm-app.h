/* bw-vm-app.h: boxwood-vm, one running machine.
 *
 *   boxwood-vm --startvm NAME|UUID [--headless] [--verbose]
 *              [--kernel BZIMAGE [--initrd FILE]] [--append CMDLINE]
 *              [--image FILE [--image-kind flat|multiboot]] [--bios FILE]
 *
 * Loads the machine's settings through boxwood-svc (starting it if
 * needed), registers the session with the service (which refuses a
 * machine that already runs), translates the settings into the VMM's
 * configuration (bw-vm-app-config.h), builds the PC board, writes
 * Logs/boxwood.log, serves org.boxwood.Session1 on
 * $XDG_RUNTIME_DIR/boxwood/sessions/<uuid> and runs the machine until it
 * powers off or aborts, reporting every state change to the service.
 * SIGTERM, SIGINT and SIGHUP power the machine off. If the process dies
 * without reporting, the service sees its connection close and records
 * the machine as aborted.
 *
 * Exit status: 0 after power-off, 1 when the machine aborted or could not
 * start, 2 for a bad command line. Without --headless (and when built
 * with GTK) the machine's window opens (bw-vm-app-window.h); closing it
 * powers the machine off. */
#pragma once

G_BEGIN_DECLS

int bw_vm_app_main (int argc, char **argv);

G_END_DECLS
