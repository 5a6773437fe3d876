/* bw-manage.h: boxwood-manage's subcommand table and shared helpers.
 *
 * Each subcommand lives in its own bw-manage-<name>.c and exports one
 * BwManageCommand. The dispatcher (bw-manage.c) handles --help for every
 * subcommand, so a command's run function only sees real work. */
#pragma once

#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

/* Exit statuses as VBoxManage uses them. */
enum
{
  BW_MANAGE_EXIT_OK = 0,
  BW_MANAGE_EXIT_FAILURE = 1,
  BW_MANAGE_EXIT_SYNTAX = 2,
};

typedef struct _BwManageCommand BwManageCommand;
typedef struct _BwManageArgs BwManageArgs;

typedef int (*BwManageRunFunc) (const BwManageCommand *cmd, BwManageArgs *args);

struct _BwManageCommand
{
  const char *name;
  const char *summary; /* one line for `boxwood-manage --help` */
  const char *usage;   /* synopsis lines after "boxwood-manage " */
  const char *help;    /* option descriptions, shown by --help */
  BwManageRunFunc run;
};

extern const BwManageCommand bw_manage_cmd_list;
extern const BwManageCommand bw_manage_cmd_showvminfo;
extern const BwManageCommand bw_manage_cmd_createvm;
extern const BwManageCommand bw_manage_cmd_registervm;
extern const BwManageCommand bw_manage_cmd_unregistervm;
extern const BwManageCommand bw_manage_cmd_modifyvm;
extern const BwManageCommand bw_manage_cmd_storagectl;
extern const BwManageCommand bw_manage_cmd_storageattach;
extern const BwManageCommand bw_manage_cmd_createmedium;
extern const BwManageCommand bw_manage_cmd_showmediuminfo;
extern const BwManageCommand bw_manage_cmd_closemedium;
extern const BwManageCommand bw_manage_cmd_clonemedium;
extern const BwManageCommand bw_manage_cmd_convertfromraw;
extern const BwManageCommand bw_manage_cmd_setproperty;
extern const BwManageCommand bw_manage_cmd_startvm;
extern const BwManageCommand bw_manage_cmd_controlvm;

/* The program: returns the process exit status. */
int bw_manage_main (int argc, char **argv);

const BwManageCommand *bw_manage_find_command (const char *name);
void bw_manage_print_usage (const BwManageCommand *cmd, FILE *out);

/* Errors go to stderr as "boxwood-manage: error: ..." and return the exit
 * status to use. Syntax errors add the subcommand's usage and a hint. */
int bw_manage_error (const char *format, ...) G_GNUC_PRINTF (1, 2);
int bw_manage_gerror (const GError *error);
int bw_manage_syntax_error (const BwManageCommand *cmd, const char *format, ...)
    G_GNUC_PRINTF (2, 3);

G_END_DECLS
