/* cmd: the subcommands; each lives in its own file and returns the process exit status. */
#ifndef WARDER_CMD_H
#define WARDER_CMD_H

#include "exits.h"

int cmd_entry(int argc, char **argv);  /* init/entry.c: warder [opts] -- CMD */
int cmd_check(int argc, char **argv);  /* warder check -c FILE [NAME] */
int cmd_run(int argc, char **argv);    /* warder run -c FILE [NAME] */
int cmd_attach(int argc, char **argv); /* warder attach NAME|SOCKET -- CMD */
int cmd_list(int argc, char **argv);   /* warder list */
int cmd_ctl(int argc, char **argv);    /* warder ctl NAME|PATH CMD */
int cmd_emperor(int argc, char **argv);
int cmd_import_jailconf(int argc, char **argv);

#endif
