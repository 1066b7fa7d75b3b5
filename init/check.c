/* check: `warder check -c FILE [NAME] [--os freebsd|linux]` loads the config, then prints the plan of every
 * jail (or of NAME): each step in order with its context and expanded commands. Nothing is run.
 * `warder check --params` prints the parameter table and the builtin actions. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "cmd.h"
#include "conf.h"
#include "devfs.h"
#include "log.h"
#include "steps.h"

static const char *const type_names[] = {
	[PT_STRING] = "string", [PT_PATH] = "path",     [PT_BOOL] = "bool", [PT_INT] = "int",
	[PT_DURATION] = "duration", [PT_SIGNAL] = "signal", [PT_SIZE] = "size",
};

static const char *platform(unsigned flags)
{
	if ((flags & PF_BOTH) == PF_BOTH)
		return "both";
	return (flags & PF_LINUX) ? "linux" : "freebsd";
}

static int print_params(void)
{
	printf("%-26s %-14s %-8s %-12s %s\n", "# name", "type", "platform", "default", "description");
	for (size_t i = 0; i < param_count; i++) {
		const struct param_def *d = &param_table[i];
		char type[32];
		snprintf(type, sizeof type, "%s%s%s", type_names[d->type], d->flags & PF_LIST ? ",list" : "",
			 d->flags & PF_KERNEL ? ",kernel" : "");
		printf("%-26s %-14s %-8s %-12s %s\n", d->name, type, platform(d->flags), d->dflt ? d->dflt : "-",
		       d->doc);
	}
	printf("# builtin actions (a chain value starting with ACTION: runs inside warder)\n");
	for (unsigned i = 0; action_usage(i); i++)
		printf("%s\n", action_usage(i));
	return fflush(stdout) == 0 ? 0 : EXIT_OSERR;
}

static int usage(void)
{
	fprintf(stderr, "usage: warder check -c FILE [NAME] [--os freebsd|linux]\n"
			"       warder check --params\n");
	return EXIT_USAGE;
}

static int check_jail(const struct jail *j, enum os os)
{
	struct plan p;
	char err[1024];
	bool jailed = plan_jailed(j, os);
	if (plan_verify(j, os, jailed, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_CONFIG;
	}
	plan_warn(j, os, jailed);
	if (plan_build(j, os, jailed, &p) < 0)
		return EXIT_OSERR;
	int rc = plan_print(&p, j, STDOUT_FILENO);
	if (os == OS_LINUX && p.jailed)
		devfs_check_linux(j);
	plan_free(&p);
	if (rc < 0) {
		log_errno("check", "writing the plan");
		return EXIT_OSERR;
	}
	return 0;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"os", required_argument, NULL, 'o'},
		{"params", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *file = NULL;
	enum os os = os_this();
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			file = optarg;
			break;
		case 'o':
			if (os_parse(optarg, &os) < 0) {
				fprintf(stderr, "warder check: --os takes freebsd or linux, not %s\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'P':
			return print_params();
		default:
			return usage();
		}
	}
	/* NAME may come before or after the options. */
	const char *name = NULL;
	for (; optind < argc; optind++) {
		if (strcmp(argv[optind], "--os") == 0 && optind + 1 < argc) {
			if (os_parse(argv[++optind], &os) < 0)
				return usage();
		} else if (!name) {
			name = argv[optind];
		} else {
			return usage();
		}
	}
	if (!file)
		return usage();
	struct conf *cf;
	char err[1024];
	if (conf_load(file, &cf, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_CONFIG;
	}
	int rc = 0;
	if (name) {
		const struct jail *j = conf_jail(cf, name);
		if (!j) {
			fprintf(stderr, "%s: no jail [%s] in this file\n", file, name);
			rc = EXIT_CONFIG;
		} else {
			rc = check_jail(j, os);
		}
	}
	for (size_t i = 0; !name && i < cf->njails && rc == 0; i++) {
		if (i)
			putchar('\n');
		fflush(stdout);
		rc = check_jail(&cf->jails[i], os);
	}
	conf_free(cf);
	return rc;
}
