#define G_LOG_DOMAIN "boxwood-svc"

#include "config.h"

#include "app/svc/bw-svc.h"

int
main (int argc, char **argv)
{
  return bw_svc_main (argc, argv);
}
