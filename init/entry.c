/* entry: `warder [options] -- CMD [ARGS...]`, the container entrypoint (a drop-in for tini, dumb-init and
 * catatonit). Options come from flags and from WARDER_* environment variables of the same meaning. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#else
#include <sys/procctl.h>
#endif

#include <ev.h>

#include "cmd.h"
#include "conf.h"
#include "log.h"
#include "reaper.h"
#include "supervise.h"

static const char usage_text[] =
	"usage: warder [options] [--] CMD [ARGS...]      run CMD as PID 1 (container entrypoint)\n"
	"       warder run -c FILE [NAME]                build a jail from FILE and be its init\n"
	"       warder check -c FILE [NAME] [--os OS] [--json]  validate FILE and print the plan\n"
	"       warder attach NAME|SOCKET [-u USER] -- CMD\n"
	"       warder list [--json] | ctl NAME CMD | emperor DIR | import-jailconf FILE\n"
	"\n"
	"entrypoint options:\n"
	"  -s          register as child subreaper (automatic when not PID 1)   WARDER_SUBREAPER=1\n"
	"  -g          forward signals to the command's whole process group     WARDER_KILL_PROCESS_GROUP=1\n"
	"  -p SIG      ask for SIG when warder's parent dies (PR_SET_PDEATHSIG)\n"
	"  -e CODE     map the command's exit code CODE to 0 (may repeat)\n"
	"  -t SECS     stop timeout between SIGTERM and SIGKILL (default 10)    WARDER_STOP_TIMEOUT=SECS\n"
	"  -r FROM:TO  rewrite signal FROM to TO before forwarding (TO 0 drops it; may repeat)\n"
	"  -v / -q     more / less output                                       WARDER_VERBOSITY=0..3\n"
	"  --version   print the version\n"
	"  -h, --help  this text\n"
	"\n"
	"exit status: the command's, 128+N when it died of signal N, 126 not executable, 127 not found,\n"
	"64 usage, 70 a hook chain failed, 71 a system call failed while building a jail, 75 already running,\n"
	"78 a config (or a user, group or ruleset it names) that cannot work\n";

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "warder: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'warder --help'.\n");
	return EXIT_USAGE;
}

static bool env_true(const char *name)
{
	const char *v = getenv(name);
	bool b = false;
	return v && conf_parse_bool(v, &b) == 0 && b;
}

static int parse_rewrite(struct sup_opts *o, const char *arg)
{
	char from_s[32];
	const char *colon = strchr(arg, ':');
	if (!colon || (size_t)(colon - arg) >= sizeof from_s)
		return -1;
	memcpy(from_s, arg, (size_t)(colon - arg));
	from_s[colon - arg] = '\0';
	int from, to;
	if (conf_parse_signal(from_s, &from) < 0 || from <= 0 || from >= NSIG)
		return -1;
	if (strcmp(colon + 1, "0") == 0)
		to = -1;
	else if (conf_parse_signal(colon + 1, &to) < 0 || to <= 0 || to >= NSIG)
		return -1;
	o->rewrite[from] = to;
	return 0;
}

static int parse_exit_code(struct sup_opts *o, const char *arg)
{
	char *end;
	errno = 0;
	long code = strtol(arg, &end, 10);
	if (errno || *end || end == arg || code < 0 || code > 255)
		return -1;
	o->exit_zero[code] = 1;
	return 0;
}

static int set_pdeathsig(int sig)
{
#ifdef __linux__
	return prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0);
#else
	return procctl(P_PID, getpid(), PROC_PDEATHSIG_CTL, &sig);
#endif
}

int cmd_entry(int argc, char **argv)
{
	static struct sup_opts o; /* large (signal and exit tables): static, not on the stack */
	bool subreaper = env_true("WARDER_SUBREAPER");
	int pdeathsig = 0;
	o.kill_pgroup = env_true("WARDER_KILL_PROCESS_GROUP");
	o.stop_timeout = 10;
	const char *v = getenv("WARDER_STOP_TIMEOUT");
	if (v && conf_parse_duration(v, &o.stop_timeout) < 0)
		return usage_error("WARDER_STOP_TIMEOUT: bad duration '%s'", v);
	if ((v = getenv("WARDER_VERBOSITY")) && *v >= '0' && *v <= '3' && !v[1])
		log_level = *v - '0';

	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;
	opterr = 0;
	/* '+': stop at the first non-option, so `warder sh -c ...` passes -c to sh. */
	while ((c = getopt_long(argc, argv, "+sgp:e:t:r:" CMD_LOG_OPTS "h", longopts, NULL)) != -1) {
		if (cmd_log_opt(c))
			continue;
		switch (c) {
		case 's':
			subreaper = true;
			break;
		case 'g':
			o.kill_pgroup = true;
			break;
		case 'p':
			if (conf_parse_signal(optarg, &pdeathsig) < 0 || pdeathsig <= 0 || pdeathsig >= NSIG)
				return usage_error("-p: bad signal '%s'", optarg);
			break;
		case 'e':
			if (parse_exit_code(&o, optarg) < 0)
				return usage_error("-e: bad exit code '%s' (0-255)", optarg);
			break;
		case 't':
			if (conf_parse_duration(optarg, &o.stop_timeout) < 0)
				return usage_error("-t: bad duration '%s'", optarg);
			break;
		case 'r':
			if (parse_rewrite(&o, optarg) < 0)
				return usage_error("-r: expected FROM:TO signals, got '%s'", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("warder %s\n", WARDER_VERSION);
			return 0;
		default:
			return usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("no command given");
	o.argv = argv + optind;

	if (pdeathsig && set_pdeathsig(pdeathsig) < 0)
		log_errno("startup", "cannot set parent-death signal");
	if (getpid() == 1) {
		/* PID 1 of a container: a TERM is the engine's stop, followed by its KILL (podman, docker). */
		o.pid_namespace = o.term_is_stop = true;
	} else if (reaper_become() < 0) {
		/* Without it orphans escape to the real init; only worth a warning when asked for. */
		if (subreaper)
			log_errno("startup", "cannot register as child subreaper");
		else
			log_debug("startup", "not a subreaper: %s", strerror(errno));
	} else if (!subreaper && getppid() != 1) {
		log_debug("startup", "registered as child subreaper");
	}

	/* Not the default loop: that one installs a SIGCHLD handler, and the command must inherit warder's
	 * signal dispositions untouched. */
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOENV);
	if (!loop) {
		log_err("startup", "cannot initialise the event loop");
		return EXIT_OSERR;
	}
	int code = sup_run(loop, &o);
	ev_loop_destroy(loop);
	return code;
}
