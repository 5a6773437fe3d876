/* bw-manage.c: boxwood-manage's dispatcher: the subcommand table, help and
 * error reporting shared by every subcommand. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include "app/manage/bw-manage.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "app/manage/bw-manage-args.h"

static const BwManageCommand *const commands[] = {
  &bw_manage_cmd_list,           &bw_manage_cmd_showvminfo,    &bw_manage_cmd_createvm,
  &bw_manage_cmd_registervm,     &bw_manage_cmd_unregistervm,  &bw_manage_cmd_modifyvm,
  &bw_manage_cmd_storagectl,     &bw_manage_cmd_storageattach, &bw_manage_cmd_createmedium,
  &bw_manage_cmd_showmediuminfo, &bw_manage_cmd_closemedium,   &bw_manage_cmd_clonemedium,
  &bw_manage_cmd_convertfromraw, &bw_manage_cmd_setproperty,   &bw_manage_cmd_startvm,
  &bw_manage_cmd_controlvm,
};

const BwManageCommand *
bw_manage_find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_ascii_strcasecmp (commands[i]->name, name) == 0)
      return commands[i];
  return NULL;
}

void
bw_manage_print_usage (const BwManageCommand *cmd, FILE *out)
{
  g_auto (GStrv) lines = g_strsplit (cmd->usage, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (*lines[i] == '\0')
        continue;
      /* Lines starting with a space continue the synopsis above. */
      if (*lines[i] == ' ')
        fprintf (out, "%*s%s\n", (int)strlen ("Usage: boxwood-manage "), "", lines[i]);
      else
        fprintf (out, "%s boxwood-manage %s\n", i == 0 ? "Usage:" : "      ", lines[i]);
    }
}

static void
print_command_help (const BwManageCommand *cmd)
{
  bw_manage_print_usage (cmd, stdout);
  printf ("\n%s\n", cmd->summary);
  if (cmd->help != NULL && *cmd->help != '\0')
    printf ("\n%s", cmd->help);
}

static void
print_overview (FILE *out)
{
  fprintf (out, "Usage: boxwood-manage [--version] [--help] COMMAND [ARGUMENTS...]\n\n"
                "Boxwood's command line: everything the manager window does, scriptable.\n\n"
                "Commands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-16s %s\n", commands[i]->name, commands[i]->summary);
  fprintf (out, "  %-16s %s\n", "help", "Show the options of a command");
  fprintf (out, "\nRun 'boxwood-manage COMMAND --help' for the options of a command.\n");
}

static void
print_error_prefix (void)
{
  fputs ("boxwood-manage: error: ", stderr);
}

int
bw_manage_error (const char *format, ...)
{
  va_list ap;

  print_error_prefix ();
  va_start (ap, format);
  vfprintf (stderr, format, ap);
  va_end (ap);
  fputc ('\n', stderr);
  return BW_MANAGE_EXIT_FAILURE;
}

int
bw_manage_gerror (const GError *error)
{
  return bw_manage_error ("%s", error->message);
}

int
bw_manage_syntax_error (const BwManageCommand *cmd, const char *format, ...)
{
  va_list ap;

  print_error_prefix ();
  fprintf (stderr, "%s: ", cmd->name);
  va_start (ap, format);
  vfprintf (stderr, format, ap);
  va_end (ap);
  fputc ('\n', stderr);
  bw_manage_print_usage (cmd, stderr);
  fprintf (stderr, "Try 'boxwood-manage %s --help' for more information.\n", cmd->name);
  return BW_MANAGE_EXIT_SYNTAX;
}

/* VBoxManage accepts --help anywhere in a subcommand's arguments; so do
 * we, up to a "--" that ends the options. */
static gboolean
wants_help (int argc, char **argv)
{
  for (int i = 0; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        return FALSE;
      if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0
          || strcmp (argv[i], "-?") == 0)
        return TRUE;
    }
  return FALSE;
}

static int
run_help (int argc, char **argv)
{
  if (argc == 0)
    {
      print_overview (stdout);
      return BW_MANAGE_EXIT_OK;
    }
  const BwManageCommand *cmd = bw_manage_find_command (argv[0]);
  if (cmd == NULL)
    return bw_manage_error ("help: unknown command '%s'; run 'boxwood-manage --help' for the list",
                            argv[0]);
  print_command_help (cmd);
  return BW_MANAGE_EXIT_OK;
}

int
bw_manage_main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_set_prgname ("boxwood-manage");

  if (argc < 2)
    {
      print_overview (stderr);
      return BW_MANAGE_EXIT_SYNTAX;
    }

  const char *name = argv[1];
  if (strcmp (name, "--help") == 0 || strcmp (name, "-h") == 0 || strcmp (name, "-?") == 0)
    return run_help (0, NULL);
  if (strcmp (name, "--version") == 0 || strcmp (name, "-V") == 0 || strcmp (name, "version") == 0)
    {
      printf ("%s\n", PACKAGE_VERSION);
      return BW_MANAGE_EXIT_OK;
    }
  if (strcmp (name, "help") == 0)
    return run_help (argc - 2, argv + 2);

  const BwManageCommand *cmd = bw_manage_find_command (name);
  if (cmd == NULL)
    {
      bw_manage_error ("unknown command '%s'", name);
      fprintf (stderr, "Run 'boxwood-manage --help' for the list of commands.\n");
      return BW_MANAGE_EXIT_SYNTAX;
    }

  if (wants_help (argc - 2, argv + 2))
    {
      print_command_help (cmd);
      return BW_MANAGE_EXIT_OK;
    }

  g_autoptr (BwManageArgs) args = bw_manage_args_new (cmd, argc - 2, argv + 2);
  int status = cmd->run (cmd, args);
  /* A reader that went away early (| head) is no error worth a word. */
  if (fflush (stdout) != 0 || ferror (stdout))
    return errno == EPIPE ? BW_MANAGE_EXIT_FAILURE
                          : bw_manage_error ("could not write the output: %s", g_strerror (errno));
  return status;
}
