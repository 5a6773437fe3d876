/* bw-manage-args.h: VBoxManage-style argument scanning.
 *
 * Options may take several values (`--uart1 0x3f8 4`, `--uartmode1 file
 * PATH`), so GOption does not fit: a command walks its arguments with
 * bw_manage_args_next() and takes each option's values itself. Every
 * helper that fails has already printed an error naming the option and the
 * fault and set the exit status returned by bw_manage_args_status(). */
#pragma once

#include <glib.h>

#include "app/manage/bw-manage.h"

G_BEGIN_DECLS

BwManageArgs *bw_manage_args_new (const BwManageCommand *cmd, int argc, char **argv);
void bw_manage_args_free (BwManageArgs *args);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BwManageArgs, bw_manage_args_free)

/* Next argument: TRUE with *option set to "--name" (or a "-x" short form)
 * or with *option NULL and *positional set; FALSE at the end. */
gboolean bw_manage_args_next (BwManageArgs *args, const char **option, const char **positional);

/* The value of the current option ("--opt VALUE" or "--opt=VALUE"). */
gboolean bw_manage_args_value (BwManageArgs *args, const char **value);
/* The next raw argument, for options with a second value. */
gboolean bw_manage_args_extra (BwManageArgs *args, const char *what, const char **value);

gboolean bw_manage_args_uint (BwManageArgs *args, guint64 min, guint64 max, guint64 *value);
/* One of a NULL-terminated list of words, case-insensitive; returns the
 * index in *index. */
gboolean bw_manage_args_choice (BwManageArgs *args, const char *const *choices, guint *index);

/* Exit status after a failure in one of the helpers above, or after the
 * command reported an unknown option. */
int bw_manage_args_status (BwManageArgs *args);
int bw_manage_args_unknown (BwManageArgs *args, const char *option);
int bw_manage_args_unexpected (BwManageArgs *args, const char *positional);
int bw_manage_args_missing (BwManageArgs *args, const char *what);

const BwManageCommand *bw_manage_args_command (BwManageArgs *args);
const char *bw_manage_args_current (BwManageArgs *args);

/* Parses a number as VBoxManage does (decimal, or 0x hex); FALSE when it
 * is not a number in [min, max]. */
gboolean bw_manage_parse_uint (const char *text, guint64 min, guint64 max, guint64 *value);

G_END_DECLS
