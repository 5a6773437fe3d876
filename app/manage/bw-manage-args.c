/* bw-manage-args.c: VBoxManage-style argument scanning. */
#define G_LOG_DOMAIN "boxwood-manage"
#include "config.h"

#include "app/manage/bw-manage-args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct _BwManageArgs
{
  const BwManageCommand *cmd;
  int argc;
  char **argv;
  int next;                 /* index of the next argument to scan */
  char *option;             /* the current option's name, without any "=value" */
  const char *inline_value; /* the "=value" part of the current option, or NULL */
  gboolean only_positional; /* after "--" */
  int status;
};

BwManageArgs *
bw_manage_args_new (const BwManageCommand *cmd, int argc, char **argv)
{
  BwManageArgs *args = g_new0 (BwManageArgs, 1);
  args->cmd = cmd;
  args->argc = argc;
  args->argv = argv;
  args->status = BW_MANAGE_EXIT_SYNTAX;
  return args;
}

void
bw_manage_args_free (BwManageArgs *args)
{
  if (args == NULL)
    return;
  g_free (args->option);
  g_free (args);
}

const BwManageCommand *
bw_manage_args_command (BwManageArgs *args)
{
  return args->cmd;
}

const char *
bw_manage_args_current (BwManageArgs *args)
{
  return args->option;
}

gboolean
bw_manage_args_next (BwManageArgs *args, const char **option, const char **positional)
{
  *option = NULL;
  *positional = NULL;
  g_clear_pointer (&args->option, g_free);
  args->inline_value = NULL;

  while (args->next < args->argc)
    {
      const char *arg = args->argv[args->next++];

      if (!args->only_positional && strcmp (arg, "--") == 0)
        {
          args->only_positional = TRUE;
          continue;
        }
      /* "-" alone is a positional (stdin by convention); so is a negative
       * number, which no option here takes positionally anyway. */
      if (args->only_positional || arg[0] != '-' || arg[1] == '\0')
        {
          *positional = arg;
          return TRUE;
        }

      const char *eq = strchr (arg, '=');
      if (arg[1] == '-' && eq != NULL)
        {
          args->option = g_strndup (arg, eq - arg);
          args->inline_value = eq + 1;
        }
      else
        args->option = g_strdup (arg);
      *option = args->option;
      return TRUE;
    }
  return FALSE;
}

gboolean
bw_manage_args_value (BwManageArgs *args, const char **value)
{
  if (args->inline_value != NULL)
    {
      *value = args->inline_value;
      args->inline_value = NULL;
      return TRUE;
    }
  if (args->next >= args->argc)
    {
      bw_manage_syntax_error (args->cmd, "option '%s' needs a value", args->option);
      return FALSE;
    }
  *value = args->argv[args->next++];
  return TRUE;
}

gboolean
bw_manage_args_extra (BwManageArgs *args, const char *what, const char **value)
{
  if (args->next >= args->argc)
    {
      bw_manage_syntax_error (args->cmd, "option '%s' needs %s", args->option, what);
      return FALSE;
    }
  *value = args->argv[args->next++];
  return TRUE;
}

gboolean
bw_manage_parse_uint (const char *text, guint64 min, guint64 max, guint64 *value)
{
  guint64 v;
  char *end = NULL;

  if (text == NULL || *text == '\0' || *text == '-' || *text == '+' || g_ascii_isspace (*text))
    return FALSE;
  gboolean hex = g_str_has_prefix (text, "0x") || g_str_has_prefix (text, "0X");
  const char *digits = hex ? text + 2 : text;

  /* strtoull would take a sign or blanks after "0x"; we take digits only. */
  if (hex ? !g_ascii_isxdigit (*digits) : !g_ascii_isdigit (*digits))
    return FALSE;
  errno = 0;
  v = g_ascii_strtoull (digits, &end, hex ? 16 : 10);
  if (errno != 0 || *end != '\0' || v < min || v > max)
    return FALSE;
  *value = v;
  return TRUE;
}

gboolean
bw_manage_args_uint (BwManageArgs *args, guint64 min, guint64 max, guint64 *value)
{
  const char *text;

  if (!bw_manage_args_value (args, &text))
    return FALSE;
  if (!bw_manage_parse_uint (text, min, max, value))
    {
      guint64 any;
      if (bw_manage_parse_uint (text, 0, G_MAXUINT64, &any))
        bw_manage_syntax_error (args->cmd,
                                "option '%s': %s is out of range (%" G_GUINT64_FORMAT
                                "..%" G_GUINT64_FORMAT ")",
                                args->option, text, min, max);
      else
        bw_manage_syntax_error (args->cmd, "option '%s': '%s' is not a number", args->option, text);
      return FALSE;
    }
  return TRUE;
}

gboolean
bw_manage_args_choice (BwManageArgs *args, const char *const *choices, guint *index)
{
  const char *text;

  if (!bw_manage_args_value (args, &text))
    return FALSE;
  for (guint i = 0; choices[i] != NULL; i++)
    if (g_ascii_strcasecmp (text, choices[i]) == 0)
      {
        *index = i;
        return TRUE;
      }

  g_autofree char *list = g_strjoinv (", ", (char **)choices);
  bw_manage_syntax_error (args->cmd, "option '%s': '%s' is not one of %s", args->option, text,
                          list);
  return FALSE;
}

int
bw_manage_args_status (BwManageArgs *args)
{
  return args->status;
}

int
bw_manage_args_unknown (BwManageArgs *args, const char *option)
{
  return bw_manage_syntax_error (args->cmd, "unknown option '%s'", option);
}

int
bw_manage_args_unexpected (BwManageArgs *args, const char *positional)
{
  return bw_manage_syntax_error (args->cmd, "unexpected argument '%s'", positional);
}

int
bw_manage_args_missing (BwManageArgs *args, const char *what)
{
  return bw_manage_syntax_error (args->cmd, "missing %s", what);
}
