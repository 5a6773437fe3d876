/* bw-test.h: the one runner every Check test executable ends with.
 *
 * meson runs each executable with protocol 'tap' and the environment
 * CK_TAP_LOG_FILE_NAME=- CK_VERBOSITY=silent, so Check prints TAP on
 * stdout and nothing else. */
#pragma once

#include <check.h>
#include <stdlib.h>

static inline int
bw_test_run (Suite *suite)
{
  SRunner *runner = srunner_create (suite);
  srunner_run_all (runner, CK_ENV);
  int failed = srunner_ntests_failed (runner);
  srunner_free (runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
