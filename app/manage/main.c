/* main.c: boxwood-manage, Boxwood's command line (see bw-manage.c). */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include "app/manage/bw-manage.h"

int
main (int argc, char **argv)
{
  return bw_manage_main (argc, argv);
}
