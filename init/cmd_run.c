/* cmd_run: `warder run -c FILE [NAME]`. With jail parameters the keeper (init/keeper.c) builds the jail;
 * without any, warder is the init of a jail someone else made (init/stack.h, init-only mode). */
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "cmd.h"
#include "jail.h"
#include "keeper.h"
#include "log.h"
#include "sdnotify.h"
#include "sockets.h"
#include "stack.h"
#include "vassal.h"

extern const char demo_conf[]; /* init/demo_conf.c */

static const char run_usage[] = "usage: warder run [-v] [-q] [--log-format text|json] -c FILE [NAME]\n"
				"       warder run demo                  the demo jail from the built-in config\n"
				"       warder run --demo-config         print the built-in demo config\n";

/* The demo config names its rootfs @ROOTFS@: $WARDER_DEMO_ROOTFS, else build/demo-rootfs here. */
static char *demo_text(void)
{
	char cwd[512], root[600];
	const char *env = getenv("WARDER_DEMO_ROOTFS");
	if (env && *env)
		snprintf(root, sizeof root, "%s", env);
	else if (getcwd(cwd, sizeof cwd))
		snprintf(root, sizeof root, "%s/build/demo-rootfs", cwd);
	else
		return NULL;
	static const char mark[] = "@ROOTFS@";
	size_t marks = 0;
	for (const char *p = strstr(demo_conf, mark); p; p = strstr(p + 1, mark))
		marks++;
	size_t len = strlen(demo_conf) + marks * strlen(root) + 1, o = 0;
	char *out = malloc(len);
	if (!out)
		return NULL;
	for (const char *p = demo_conf, *at; *p; p = at + sizeof mark - 1) {
		at = strstr(p, mark);
		if (!at) {
			snprintf(out + o, len - o, "%s", p);
			break;
		}
		o += (size_t)snprintf(out + o, len - o, "%.*s%s", (int)(at - p), p, root);
	}
	return out;
}

static int load(const char *file, const char *name, struct conf **c)
{
	char err[1024];
	int rc;
	if (file) {
		rc = conf_load_jail(file, NULL, name, c, err, sizeof err);
	} else {
		char *text = demo_text();
		if (!text) {
			log_errno("run", "demo config");
			return EXIT_OSERR;
		}
		rc = conf_load_jail("demo.conf", text, name, c, err, sizeof err);
		free(text);
	}
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_CONFIG;
	}
	if (!conf_jail(*c, name)) {
		if (name)
			fprintf(stderr, "%s: no jail named %s\n", file ? file : "demo.conf", name);
		else
			fprintf(stderr, "%s: %s: name the jail to run\n", file ? file : "demo.conf",
				(*c)->njails ? "several jails" : "no jail");
		conf_free(*c);
		return EXIT_CONFIG;
	}
	return 0;
}

static const char *run_file; /* -c FILE, read again by a reload = jail */

static int run_jail(const struct jail *j)
{
	log_set_name(j->name);
	bool jailed = jail_backend.wanted && jail_backend.wanted(j);
	/* The keeper reaps the init with waitpid; the default loop's SIGCHLD handler would reap it first. It polls
	 * its few fds: no epoll set to make, in the keeper and again in the init it forks. */
	struct ev_loop *loop = jailed ? ev_loop_new(EVBACKEND_POLL | EVFLAG_NOENV) : EV_DEFAULT;
	if (!loop) {
		log_err("run", "cannot initialise the event loop");
		return EXIT_OSERR;
	}
	int code = EXIT_OSERR;
	sockets_inherit();
	char who[160];
	snprintf(who, sizeof who, "jail %s", j->name);
	if (sdnotify_start(loop, who) == 0 && vassal_start(loop, j) == 0) {
		code = jailed ? keeper_run(loop, j, j->name, run_file) : run_init_only(j);
		vassal_end(code);
	}
	sdnotify_end(code);
#ifdef __SANITIZE_ADDRESS__
	if (jailed)
		ev_loop_destroy(loop);
#endif
	return code;
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"log-format", required_argument, NULL, 'L'},
		{"demo-config", no_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *file = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+c:" CMD_LOG_OPTS "h", longopts, NULL)) != -1) {
		if (cmd_log_opt(opt))
			continue;
		switch (opt) {
		case 'c':
			file = optarg;
			break;
		case 'L':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
				fprintf(stderr, "warder run: --log-format is text or json\n%s", run_usage);
				return EXIT_USAGE;
			}
			log_json = strcmp(optarg, "json") == 0;
			break;
		case 'D':
			fputs(demo_conf, stdout);
			return 0;
		default:
			return cmd_usage(run_usage, opt == 'h');
		}
	}
	if (argc - optind > 1 || (!file && (argc - optind != 1 || strcmp(argv[optind], "demo") != 0)))
		return cmd_usage(run_usage, false);
	const char *name = optind < argc ? argv[optind] : NULL;
	struct conf *c = NULL;
	int code = load(file, name, &c);
	if (code)
		return code;
	/* What the files settle is a config error before any step runs (hooks/verify.c). */
	const struct jail *j = conf_jail(c, name);
	char err[1024];
	if (plan_verify(j, os_this(), jail_backend.wanted && jail_backend.wanted(j), err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		conf_free(c);
		return EXIT_CONFIG;
	}
#ifdef __GLIBC__
	/* The file's lines, read and checked, are freed: give the pages back before the init is cloned from
	 * this process (a file of 200 jails leaves them in both otherwise). */
	malloc_trim(0);
#endif
	run_file = file;
	code = run_jail(j);
#ifdef __SANITIZE_ADDRESS__
	/* Everything freed, for the leak check at exit. */
	conf_free(c);
	return code;
#else
	/* The run is over and the jail gone. Freeing the config and the loop, then the C library's exit handlers,
	 * would touch pages the stop has not (a stop of many jails at once is CPU-bound): 7% of a jail's stop. */
	fflush(NULL);
	_exit(code);
#endif
}
