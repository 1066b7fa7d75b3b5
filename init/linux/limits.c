/* limits: rlimit.NAME = SOFT[:HARD], set in the init so that everything it starts inherits them. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "log.h"
#include "setup.h"

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	{ "as", RLIMIT_AS },           { "core", RLIMIT_CORE },       { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA },       { "fsize", RLIMIT_FSIZE },     { "locks", RLIMIT_LOCKS },
	{ "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE },   { "nproc", RLIMIT_NPROC },     { "rss", RLIMIT_RSS },
	{ "rtprio", RLIMIT_RTPRIO },   { "rttime", RLIMIT_RTTIME },   { "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },
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

int lx_rlimit_parse(const char *name, const char *value, int *resource, unsigned long long *soft,
		    unsigned long long *hard, char *err, size_t errlen)
{
	const char *colon = strchr(value, ':');
	size_t i, n = sizeof rlimits / sizeof rlimits[0];

	for (i = 0; i < n && strcasecmp(name, rlimits[i].name) != 0; i++)
		;
	if (i == n) {
		snprintf(err, errlen, "rlimit.%s: not a Linux resource limit", name);
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

int lxlim_apply(const struct jail *j)
{
	for (size_t i = 0; i < j->np; i++) {
		const struct conf_param *p = &j->p[i];
		unsigned long long soft, hard;
		char err[160];
		int res;

		if (strncmp(p->name, "rlimit.", 7) != 0 || p->n == 0)
			continue;
		if (lx_rlimit_parse(p->name + 7, p->v[p->n - 1].text, &res, &soft, &hard, err, sizeof err) < 0) {
			log_err(LX_STEP, "%s:%d: %s", p->v[p->n - 1].file, p->v[p->n - 1].line, err);
			return -1;
		}
		struct rlimit rl = { .rlim_cur = soft, .rlim_max = hard };
		if (setrlimit(res, &rl) < 0) {
			log_errno(LX_STEP, "setrlimit %s = %s", p->name, p->v[p->n - 1].text);
			return -1;
		}
	}
	return 0;
}
