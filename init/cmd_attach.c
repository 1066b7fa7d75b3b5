/* cmd_attach: `warder attach [-u USER] [--cap LIST] [--privileged] NAME|SOCKET -- CMD` (init/attach.h). */
#include <getopt.h>
#include <stdio.h>

#include "attach.h"
#include "cmd.h"
#include "conf.h"
#include "log.h"

static const char attach_usage[] =
	"usage: warder attach [-u USER] [--cap LIST] [--privileged] NAME|SOCKET [--] [CMD [ARGS...]]\n";

/* Options may come before or after NAME (warder attach NAME -u USER -- CMD). */
static int attach_opts(int argc, char **argv, struct attach_opts *o)
{
	static const struct option longopts[] = {
		{"user", required_argument, NULL, 'u'},
		{"cap", required_argument, NULL, 'C'},
		{"privileged", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char why[300];
	int opt;
	while ((opt = getopt_long(argc, argv, "+u:h", longopts, NULL)) != -1) {
		if (opt == 'u') {
			o->user = optarg;
		} else if (opt == 'C') {
			char *v = optarg;
			if (param_check(param_find("caps"), "--cap", &v, why, sizeof why) < 0)
				return log_err("attach", "%s", why), EXIT_USAGE;
			o->caps = optarg;
		} else if (opt == 'P') {
			o->privileged = true;
		} else {
			return cmd_usage(attach_usage, opt == 'h');
		}
	}
	return -1;
}

int cmd_attach(int argc, char **argv)
{
	struct attach_opts o = {0};
	int rc;
	optind = 0;
	if ((rc = attach_opts(argc, argv, &o)) >= 0)
		return rc;
	if (optind >= argc)
		return cmd_usage(attach_usage, false);
	const char *target = argv[optind];
	/* getopt goes on from the argument after NAME, as if NAME were the program name. */
	int base = optind;
	optind = 0; /* glibc: start afresh on the new vector */
	if ((rc = attach_opts(argc - base, argv + base, &o)) >= 0)
		return rc;
	optind += base;
	static char *sh[] = {"/bin/sh", NULL};
	char **cmd = optind < argc ? argv + optind : sh;
	return attach_run(target, cmd, &o);
}
