/* cmd_opts: what every command's command line shares, decided once: -v and -q (CMD_LOG_OPTS) set the log
 * level, and a command's usage text goes to stdout when asked for (-h, --help), else to stderr with
 * EXIT_USAGE. Each command keeps its own options and usage text. */
#include <stdio.h>

#include "cmd.h"
#include "log.h"

bool cmd_log_opt(int opt)
{
	if (opt == 'v')
		log_level = log_level < LOG_DEBUG ? log_level + 1 : LOG_DEBUG; /* more -v than levels: the last */
	else if (opt == 'q')
		log_level = LOG_QUIET;
	else
		return false;
	return true;
}

int cmd_usage(const char *usage, bool asked)
{
	fputs(usage, asked ? stdout : stderr);
	return asked ? 0 : EXIT_USAGE;
}
