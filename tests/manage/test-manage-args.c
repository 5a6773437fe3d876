/* test-manage-args.c: boxwood-manage's argument scanner and number parser,
 * which every subcommand relies on for its syntax errors. */
#define G_LOG_DOMAIN "boxwood-test"
#include "config.h"

#include "bw-test.h"

#include "app/manage/bw-manage-args.h"
#include "app/manage/bw-manage.h"

START_TEST (test_parse_uint)
{
  guint64 v = 0;

  ck_assert (bw_manage_parse_uint ("0", 0, 10, &v) && v == 0);
  ck_assert (bw_manage_parse_uint ("10", 0, 10, &v) && v == 10);
  ck_assert (bw_manage_parse_uint ("0x3f8", 0, 0xffff, &v) && v == 0x3f8);
  ck_assert (bw_manage_parse_uint ("0X2F8", 0, 0xffff, &v) && v == 0x2f8);
  ck_assert (bw_manage_parse_uint ("18446744073709551615", 0, G_MAXUINT64, &v) && v == G_MAXUINT64);
  v = 7;
  ck_assert (!bw_manage_parse_uint ("11", 0, 10, &v));
  ck_assert (!bw_manage_parse_uint ("3", 4, 10, &v));
  ck_assert (!bw_manage_parse_uint ("", 0, 10, &v));
  ck_assert (!bw_manage_parse_uint (NULL, 0, 10, &v));
  ck_assert (!bw_manage_parse_uint ("-1", 0, 10, &v));
  ck_assert (!bw_manage_parse_uint ("+1", 0, 10, &v));
  ck_assert (!bw_manage_parse_uint (" 1", 0, 10, &v));
  ck_assert (!bw_manage_parse_uint ("1 ", 0, 10, &v));
  ck_assert (!bw_manage_parse_uint ("1.5", 0, 10, &v));
  ck_assert (!bw_manage_parse_uint ("0x", 0, 10, &v));
  ck_assert (!bw_manage_parse_uint ("0x-1", 0, 10, &v));
  ck_assert (!bw_manage_parse_uint ("0x 1", 0, 10, &v));
  ck_assert (!bw_manage_parse_uint ("12abc", 0, 100, &v));
  ck_assert (!bw_manage_parse_uint ("18446744073709551616", 0, G_MAXUINT64, &v));
  ck_assert_uint_eq (v, 7); /* untouched on failure */
}
END_TEST

static const BwManageCommand fake = { .name = "fake", .summary = "", .usage = "fake\n" };

START_TEST (test_scan_options_and_values)
{
  char *argv[] = { "vm", "--memory", "64", "--name=a=b",      "--uart1", "0x3f8",
                   "4",  "-h",       "--", "--not-an-option", "-",       NULL };
  g_autoptr (BwManageArgs) args = bw_manage_args_new (&fake, G_N_ELEMENTS (argv) - 1, argv);
  const char *opt, *pos, *value;
  guint64 n;

  ck_assert (bw_manage_args_next (args, &opt, &pos));
  ck_assert_ptr_null (opt);
  ck_assert_str_eq (pos, "vm");

  ck_assert (bw_manage_args_next (args, &opt, &pos));
  ck_assert_str_eq (opt, "--memory");
  ck_assert (bw_manage_args_uint (args, 4, 1024, &n));
  ck_assert_uint_eq (n, 64);

  ck_assert (bw_manage_args_next (args, &opt, &pos));
  ck_assert_str_eq (opt, "--name");
  ck_assert (bw_manage_args_value (args, &value));
  ck_assert_str_eq (value, "a=b");

  ck_assert (bw_manage_args_next (args, &opt, &pos));
  ck_assert_str_eq (opt, "--uart1");
  ck_assert (bw_manage_args_value (args, &value));
  ck_assert_str_eq (value, "0x3f8");
  ck_assert (bw_manage_args_extra (args, "an IRQ", &value));
  ck_assert_str_eq (value, "4");

  ck_assert (bw_manage_args_next (args, &opt, &pos));
  ck_assert_str_eq (opt, "-h");

  /* After "--" everything is positional; "-" alone always is. */
  ck_assert (bw_manage_args_next (args, &opt, &pos));
  ck_assert_ptr_null (opt);
  ck_assert_str_eq (pos, "--not-an-option");
  ck_assert (bw_manage_args_next (args, &opt, &pos));
  ck_assert_str_eq (pos, "-");
  ck_assert (!bw_manage_args_next (args, &opt, &pos));
}
END_TEST

START_TEST (test_missing_values_fail)
{
  char *argv[] = { "--cpus", NULL };
  g_autoptr (BwManageArgs) args = bw_manage_args_new (&fake, 1, argv);
  const char *opt, *pos, *value;

  ck_assert (bw_manage_args_next (args, &opt, &pos));
  ck_assert (!bw_manage_args_value (args, &value));
  ck_assert_int_eq (bw_manage_args_status (args), BW_MANAGE_EXIT_SYNTAX);
}
END_TEST

START_TEST (test_choice)
{
  static const char *const words[] = { "auto", "kvm", "software", NULL };
  char *argv[] = { "--acceleration", "KVM", "--acceleration", "warp", NULL };
  g_autoptr (BwManageArgs) args = bw_manage_args_new (&fake, 4, argv);
  const char *opt, *pos;
  guint idx = 99;

  ck_assert (bw_manage_args_next (args, &opt, &pos));
  ck_assert (bw_manage_args_choice (args, words, &idx));
  ck_assert_uint_eq (idx, 1);
  ck_assert (bw_manage_args_next (args, &opt, &pos));
  ck_assert (!bw_manage_args_choice (args, words, &idx));
  ck_assert_uint_eq (idx, 1);
}
END_TEST

START_TEST (test_command_table)
{
  const char *names[]
      = { "list",        "showvminfo",  "createvm",       "registervm",   "unregistervm",
          "modifyvm",    "storagectl",  "storageattach",  "createmedium", "showmediuminfo",
          "closemedium", "clonemedium", "convertfromraw", "setproperty" };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const BwManageCommand *cmd = bw_manage_find_command (names[i]);
      ck_assert_ptr_nonnull (cmd);
      ck_assert_str_eq (cmd->name, names[i]);
      ck_assert (g_str_has_prefix (cmd->usage, names[i]));
      ck_assert (cmd->summary != NULL && *cmd->summary != '\0');
      ck_assert (cmd->help != NULL && *cmd->help != '\0');
      ck_assert_ptr_nonnull (cmd->run);
    }
  ck_assert_ptr_eq (bw_manage_find_command ("CreateVM"), bw_manage_find_command ("createvm"));
  ck_assert_ptr_null (bw_manage_find_command ("teleport"));
}
END_TEST

int
main (void)
{
  Suite *suite = suite_create ("manage-args");
  TCase *tc = tcase_create ("args");

  tcase_add_test (tc, test_parse_uint);
  tcase_add_test (tc, test_scan_options_and_values);
  tcase_add_test (tc, test_missing_values_fail);
  tcase_add_test (tc, test_choice);
  tcase_add_test (tc, test_command_table);
  suite_add_tcase (suite, tc);
  return bw_test_run (suite);
}
