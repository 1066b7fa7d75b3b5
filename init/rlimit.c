/* rlimit: rlimit.NAME = SOFT[:HARD] for the Linux and FreeBSD inits (see rlimit.h). */
#include "rlimit.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "log.h"

#ifdef __FreeBSD__
#define SYSTEM "FreeBSD"
#else
#define SYSTEM "Linux"
#endif

/* The names both systems share, then each one's own: a name is here exactly when this system defines it. */
static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	{"as", RLIMIT_AS},
	{"core", RLIMIT_CORE},
	{"cpu", RLIMIT_CPU},
	{"data", RLIMIT_DATA},
	{"fsize", RLIMIT_FSIZE},
	{"memlock", RLIMIT_MEMLOCK},
	{"nofile", RLIMIT_NOFILE},
	{"nproc", RLIMIT_NPROC},
	{"rss", RLIMIT_RSS},
	{"stack", RLIMIT_STACK},
#ifdef RLIMIT_LOCKS
	{"locks", RLIMIT_LOCKS},
#endif
#ifdef RLIMIT_MSGQUEUE
	{"msgqueue", RLIMIT_MSGQUEUE},
#endif
#ifdef RLIMIT_NICE
	{"nice", RLIMIT_NICE},
#endif
#ifdef RLIMIT_RTPRIO
	{"rtprio", RLIMIT_RTPRIO},
#endif
#ifdef RLIMIT_RTTIME
	{"rttime", RLIMIT_RTTIME},
#endif
#ifdef RLIMIT_SIGPENDING
	{"sigpending", RLIMIT_SIGPENDING},
#endif
#ifdef RLIMIT_SBSIZE
	{"sbsize", RLIMIT_SBSIZE},
#endif
#ifdef RLIMIT_VMEM
	{"vmem", RLIMIT_VMEM},
#endif
#ifdef RLIMIT_NPTS
	{"npts", RLIMIT_NPTS},
#endif
#ifdef RLIMIT_SWAP
	{"swap", RLIMIT_SWAP},
#endif
#ifdef RLIMIT_KQUEUES
	{"kqueues", RLIMIT_KQUEUES},
#endif
#ifdef RLIMIT_UMTXP
	{"umtxp", RLIMIT_UMTXP},
#endif
#ifdef RLIMIT_PIPEBUF
	{"pipebuf", RLIMIT_PIPEBUF},
#endif
};

/* A number with an optional K/M/G suffix (conf's size syntax), or unlimited/infinity. */
static int parse_limit(const char *s, size_t len, unsigned long long *out)
{
	char buf[32];
	long long n;

	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (strcasecmp(buf, "unlimited") == 0 || strcasecmp(buf, "infinity") == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	if (conf_parse_size(buf, &n) < 0 || n < 0)
		return -1;
	*out = (unsigned long long)n;
	return 0;
}

int rlimit_parse(const char *name, const char *value, int *resource, unsigned long long *soft, unsigned long long *hard,
		 char *err, size_t errlen)
{
	const char *colon = strchr(value, ':');
	size_t i, n = sizeof rlimits / sizeof rlimits[0];

	for (i = 0; i < n && strcasecmp(name, rlimits[i].name) != 0; i++)
		;
	if (i == n) {
		snprintf(err, errlen, "rlimit.%s: not a " SYSTEM " resource limit", name);
		return -1;
	}
	*resource = rlimits[i].resource;
	if (parse_limit(value, colon ? (size_t)(colon - value) : strlen(value), soft) < 0 ||
	    (colon && parse_limit(colon + 1, strlen(colon + 1), hard) < 0)) {
		snprintf(err, errlen, "rlimit.%s: want SOFT[:HARD], numbers or \"unlimited\", not \"%s\"", name, value);
		return -1;
	}
	if (!colon)
		*hard = *soft; /* one number sets both, as ulimit -n and systemd's LimitNOFILE= do */
	if (*soft > *hard) {
		snprintf(err, errlen, "rlimit.%s: soft limit above the hard one in \"%s\"", name, value);
		return -1;
	}
	return 0;
}

int rlimit_apply(const struct jail *j, const char *step)
{
	for (size_t i = 0; i < j->np; i++) {
		const struct conf_param *p = &j->p[i];
		unsigned long long soft, hard;
		char err[160];
		int res;

		if (strncmp(p->name, "rlimit.", 7) != 0 || p->n == 0)
			continue;
		if (rlimit_parse(p->name + 7, p->v[p->n - 1].text, &res, &soft, &hard, err, sizeof err) < 0) {
			log_err(step, "%s:%d: %s", p->v[p->n - 1].file, p->v[p->n - 1].line, err);
			return -1;
		}
		struct rlimit rl = {.rlim_cur = (rlim_t)soft, .rlim_max = (rlim_t)hard};
		if (setrlimit(res, &rl) < 0) {
			log_errno(step, "setrlimit %s = %s", p->name, p->v[p->n - 1].text);
			return -1;
		}
	}
	return 0;
}
