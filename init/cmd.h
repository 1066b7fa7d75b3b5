/* cmd: the subcommands; each lives in its own file and returns the process exit status. */
#ifndef WARDER_CMD_H
#define WARDER_CMD_H

#include <stdbool.h>

/* Each code means one thing (warder(8) EXIT STATUS). */
#define EXIT_EXILE 26    /* uWSGI's exile code: an emperor does not respawn a vassal that exits with it */
#define EXIT_USAGE 64    /* EX_USAGE */
#define EXIT_SOFTWARE 70 /* a hook chain failed */
#define EXIT_OSERR 71    /* a system call failed while building the jail */
#define EXIT_TEMPFAIL 75 /* EX_TEMPFAIL: a jail of that name is already running; try again later */
#define EXIT_NOTREADY 76 /* EX_PROTOCOL: the stack missed ready.timeout or its watchdog (ready.fail = stop) */
#define EXIT_CONFIG 78   /* EX_CONFIG: a config, or a name in it (user, group, ruleset), that cannot work */
#define EXIT_NOEXEC 126
#define EXIT_NOTFOUND 127

/* warder, run as a vassal, must never report uWSGI's exile code by accident. */
_Static_assert(EXIT_USAGE != EXIT_EXILE && EXIT_SOFTWARE != EXIT_EXILE && EXIT_OSERR != EXIT_EXILE &&
		       EXIT_TEMPFAIL != EXIT_EXILE && EXIT_NOTREADY != EXIT_EXILE && EXIT_CONFIG != EXIT_EXILE &&
		       EXIT_NOEXEC != EXIT_EXILE && EXIT_NOTFOUND != EXIT_EXILE,
	       "an exit code of warder's own is uWSGI's exile code");

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
