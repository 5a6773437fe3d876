/* boxwood-vm: everything is in bw-vm-app.c (linked by the tests too). */
#include "config.h"

#include <glib.h>
#include "app/vm/bw-vm-app.h"

int
main (int argc, char **argv)
{
  return bw_vm_app_main (argc, argv);
}
