/* cmd: the subcommands; each lives in its own file and returns the process exit status. */
#ifndef WARDER_CMD_H
#define WARDER_CMD_H

#include <stdbool.h>

#include "exits.h"

/* The options every command that logs takes, for its getopt string: -v more output (up to debug), -q only
 * errors and warnings. cmd_log_opt: OPT was one of them, and is done (init/cmd_opts.c). */
#define CMD_LOG_OPTS "vq"
bool cmd_log_opt(int opt);
/* USAGE on stdout and 0 when ASKED (-h, --help), else on stderr and EXIT_USAGE. */
int cmd_usage(const char *usage, bool asked);

int cmd_entry(int argc, char **argv);  /* init/entry.c: warder [opts] -- CMD */
int cmd_check(int argc, char **argv);  /* warder check -c FILE [NAME] */
int cmd_run(int argc, char **argv);    /* warder run -c FILE [NAME] */
int cmd_attach(int argc, char **argv); /* warder attach NAME|SOCKET -- CMD */
int cmd_list(int argc, char **argv);   /* warder list */
int cmd_ctl(int argc, char **argv);    /* warder ctl NAME|PATH CMD */
int cmd_emperor(int argc, char **argv);
int cmd_import_jailconf(int argc, char **argv);

#endif
