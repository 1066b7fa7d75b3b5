/* main: picks the subcommand; anything that is not one is the entrypoint mode (warder [opts] -- CMD). */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "devfs.h"
#include "jailpw.h"
#include "supervise.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
	{"check", cmd_check},
	{"run", cmd_run},
	{"attach", cmd_attach},
	{"list", cmd_list},
	{"ctl", cmd_ctl},
	{"emperor", cmd_emperor},
	{"import-jailconf", cmd_import_jailconf},
};

int main(int argc, char **argv)
{
	/* A reader that went away must never kill warder before its cleanup: writes fail with EPIPE instead. */
	sup_ignore_sigpipe();
	/* devfs.rules user and group names are the host's, as devfs(8) reads them. */
	devfs_set_host_resolver(jailpw_host_id);
	/* uWSGI's emperor runs a wrapper as `PROGRAM --ini NAME.ini` (--config for other extensions). */
	if (argc == 3 && (strcmp(argv[1], "--ini") == 0 || strcmp(argv[1], "--config") == 0)) {
		char *run_argv[] = {"run", "-c", argv[2], NULL};
		return cmd_run(3, run_argv);
	}
	if (argc > 1) {
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (strcmp(argv[1], commands[i].name) == 0)
				return commands[i].fn(argc - 1, argv + 1);
	}
	return cmd_entry(argc, argv);
}
