/* cmd_check: `warder check -c FILE [NAME] [--os freebsd|linux] [--json]` loads the config, then prints the plan of
 * every jail (or of NAME): each step in order with its context and expanded commands, and with --json the
 * parameters as set, each value with its FILE:LINE. Nothing is run.
 * `warder check --params` prints the parameter table and the builtin actions. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "cmd.h"
#include "conf.h"
#include "control.h"
#include "devfs.h"
#include "log.h"
#include "steps.h"

static const char *const type_names[] = {
	[PT_STRING] = "string",     [PT_PATH] = "path",     [PT_BOOL] = "bool", [PT_INT] = "int",
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
		printf("%-26s %-14s %-8s %-12s %s\n", d->name, type, platform(d->flags), d->dflt ? d->dflt : "-", d->doc);
	}
	printf("# builtin actions (a chain value starting with ACTION: runs inside warder)\n");
	for (unsigned i = 0; action_usage(i); i++)
		printf("%s\n", action_usage(i));
	return fflush(stdout) == 0 ? 0 : EXIT_OSERR;
}

/* -h and --help are usage errors here (EXIT_USAGE on stderr), as they always were. */
static int usage(void)
{
	return cmd_usage("usage: warder check -c FILE [NAME] [--os freebsd|linux] [--json]\n"
			 "       warder check --params\n",
			 false);
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

/* --- --json: the same plan as data (schema: warder(8), JSON OUTPUT) ----------------------------- */
static void params_json(const struct jail *j, struct ctl_out *o)
{
	ctl_put(o, ",\"parameters\":[");
	for (size_t i = 0; i < j->np; i++) {
		const struct conf_param *cp = &j->p[i];
		ctl_put(o, "%s{\"name\":", i ? "," : "");
		ctl_put_str(o, cp->name);
		ctl_put(o, ",\"known\":%s,\"list\":%s,\"values\":[", cp->def ? "true" : "false",
			cp->def && (cp->def->flags & PF_LIST) ? "true" : "false");
		for (size_t k = 0; k < cp->n; k++) {
			ctl_put(o, "%s{\"value\":", k ? "," : "");
			ctl_put_str(o, cp->v[k].text);
			ctl_put(o, ",\"file\":");
			ctl_put_str(o, cp->v[k].file);
			ctl_put(o, ",\"line\":%d}", cp->v[k].line);
		}
		ctl_put(o, "]}");
	}
	ctl_put(o, "]");
}

static int check_json(const struct jail *j, enum os os, struct ctl_out *o, bool first)
{
	struct plan p;
	if (plan_build(j, os, plan_jailed(j, os), &p) < 0)
		return EXIT_OSERR;
	ctl_put(o, "%s{\"name\":", first ? "" : ",");
	ctl_put_str(o, j->name);
	ctl_put(o, ",\"file\":");
	ctl_put_str(o, j->file);
	ctl_put(o, ",\"line\":%d,", j->line);
	plan_json(&p, o);
	if (os == OS_LINUX && p.jailed)
		devfs_check_linux(j); /* its warnings go to stderr, as without --json */
	params_json(j, o);
	ctl_put(o, "}");
	plan_free(&p);
	return 0;
}

static int print_json(const struct conf *cf, const struct jail *only, enum os os)
{
	struct ctl_out o = {0};
	int rc = 0;
	ctl_put(&o, "{\"jails\":[");
	for (size_t i = 0; i < cf->njails && rc == 0; i++)
		if (!only || only == &cf->jails[i])
			rc = check_json(&cf->jails[i], os, &o, only || i == 0);
	ctl_put(&o, "]}\n");
	if (rc == 0 && (o.full || fputs(o.p, stdout) == EOF || fflush(stdout) != 0)) {
		log_err("check", "cannot write the plan");
		rc = EXIT_OSERR;
	}
	ctl_out_free(&o);
	return rc;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"os", required_argument, NULL, 'o'},
		{"params", no_argument, NULL, 'P'},       {"json", no_argument, NULL, 'J'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	const char *file = NULL;
	enum os os = os_this();
	bool json = false;
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
		case 'J':
			json = true;
			break;
		default:
			return usage();
		}
	}
	/* NAME may come before or after the options. */
	const char *name = NULL;
	for (; optind < argc; optind++) {
		if (strcmp(argv[optind], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[optind], "--os") == 0 && optind + 1 < argc) {
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
	if (json) {
		const struct jail *j = name ? conf_jail(cf, name) : NULL;
		if (name && !j) {
			fprintf(stderr, "%s: no jail [%s] in this file\n", file, name);
			rc = EXIT_CONFIG;
		} else {
			rc = print_json(cf, j, os);
		}
		conf_free(cf);
		return rc;
	}
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
