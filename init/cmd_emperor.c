/* cmd_emperor: `warder emperor [options] DIR`, the command line; init/emperor.h draws the rest. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "conf.h"
#include "emperor.h"
#include "log.h"
#include "proc.h"
#include "sdnotify.h"

/* --- the command line ------------------------------------------------------------------------------------ */
static const char emperor_usage[] =
	"usage: warder emperor [-v] [-q] [-t|--emperor-throttle MS] [--emperor-max-throttle MS] [--heartbeat SECS]\n"
	"                      [--control PATH] DIR\n";

static int secs_arg(const char *s, double *out)
{
	double v;
	if (conf_parse_decimal(s, &v) < 0 || v > 86400) {
		fprintf(stderr, "warder emperor: %s: not a number of seconds\n%s", s, emperor_usage);
		return -1;
	}
	*out = v;
	return 0;
}

static int ms_arg(const char *s, double *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || end == s || v < 0 || v > 86400000) {
		fprintf(stderr, "warder emperor: %s: not a number of milliseconds\n%s", s, emperor_usage);
		return -1;
	}
	*out = (double)v / 1000;
	return 0;
}

int cmd_emperor(int argc, char **argv)
{
	/* uWSGI's names, and the short ones warder had first. */
	static const struct option longopts[] = {
		{"emperor-throttle", required_argument, NULL, 't'},
		{"throttle", required_argument, NULL, 't'},
		{"emperor-max-throttle", required_argument, NULL, 'M'},
		{"max-throttle", required_argument, NULL, 'M'},
		{"control", required_argument, NULL, 'C'},
		{"heartbeat", required_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct emperor e = {.throttle = 1.0, .max_throttle = 180.0, .heartbeat = 30.0};
	const char *ctl = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+t:" CMD_LOG_OPTS "h", longopts, NULL)) != -1) {
		if (cmd_log_opt(opt))
			continue;
		switch (opt) {
		case 't':
			if (ms_arg(optarg, &e.throttle) < 0)
				return EXIT_USAGE;
			break;
		case 'M':
			if (ms_arg(optarg, &e.max_throttle) < 0)
				return EXIT_USAGE;
			break;
		case 'H':
			if (secs_arg(optarg, &e.heartbeat) < 0)
				return EXIT_USAGE;
			break;
		case 'C':
			ctl = optarg;
			break;
		default:
			return cmd_usage(emperor_usage, opt == 'h');
		}
	}
	if (argc - optind != 1)
		return cmd_usage(emperor_usage, false);
	if (e.max_throttle < e.throttle)
		e.max_throttle = e.throttle;
	e.dir = realpath(argv[optind], NULL);
	struct stat st;
	if (!e.dir || stat(e.dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		log_err(STEP, "%s: %s", argv[optind], e.dir ? "not a directory" : strerror(errno));
		free(e.dir);
		return EXIT_USAGE;
	}
	/* Now, while the name still leads to this file: vassals start from it for as long as we run. */
	if (proc_self_path(e.self, sizeof e.self) < 0) {
		log_errno(STEP, "find this executable's path");
		free(e.dir);
		return EXIT_OSERR;
	}
	/* Not the default loop: that one reaps with waitpid(-1) on every SIGCHLD (see sweep_child). */
	e.loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOENV);
	if (!e.loop) {
		log_errno(STEP, "event loop");
		free(e.dir);
		return EXIT_OSERR;
	}
	char who[PATH_MAX + 16];
	snprintf(who, sizeof who, "emperor of %s", e.dir);
	int code = sdnotify_start(e.loop, who) < 0 ? EXIT_OSERR : emperor_run(&e, ctl);
	sdnotify_end(code);
	ev_loop_destroy(e.loop);
	free(e.dir);
	return code;
}
