/* params: the table of every parameter warder knows. It drives parsing (list or scalar), validation (type,
 * range, allowed words, a check function), the defaults the getters apply, and the man page. */
#include "conf.h"
#include "listen.h"
#include "ns.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define MSG(...) (snprintf(why, whylen, __VA_ARGS__), -1)

/* Replace *value with a freshly allocated copy of s. */
static int set_value(char **value, const char *s, char *why, size_t whylen)
{
	char *n = strdup(s);
	if (!n)
		return MSG("out of memory");
	free(*value);
	*value = n;
	return 0;
}

static size_t split_words(char *s, char **w, size_t max)
{
	size_t n = 0;
	for (char *tok = strtok(s, " \t"); tok; tok = strtok(NULL, " \t")) {
		if (n == max)
			return max + 1;
		w[n++] = tok;
	}
	return n;
}

/* Split a copy of V into 1..max blank-separated words; NULL when the count is out of range. */
static char *words_of(const char *v, char **w, size_t min, size_t max, size_t *n)
{
	char *copy = strdup(v);
	if (!copy)
		return NULL;
	*n = split_words(copy, w, max);
	if (*n < min || *n > max) {
		free(copy);
		return NULL;
	}
	return copy;
}

static bool in_words(const char *s, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (strcmp(s, words[i]) == 0)
			return true;
	return false;
}

/* unshare: comma-separated namespace names; uWSGI's "fs" is the mount namespace. */
static int check_unshare(const char *name, char **value, char *why, size_t whylen)
{
	char out[128], tok[32];
	size_t len = 0;
	for (const char *p = *value; *p;) {
		size_t n = strcspn(p, ",");
		if (n) {
			int id = -1;
			if (n < sizeof tok) { /* a longer one is no namespace's name */
				memcpy(tok, p, n);
				tok[n] = '\0';
				id = ns_find(tok);
			}
			if (id < 0)
				return MSG("%s: unknown namespace \"%.*s\" (use mount,pid,uts,ipc,net,user,cgroup,time)",
					   name, (int)n, p);
			const char *ns = ns_table[id].name;
			size_t k = strlen(ns);
			if (len + k + 2 > sizeof out)
				return MSG("%s: too many namespaces", name);
			if (len)
				out[len++] = ',';
			memcpy(out + len, ns, k + 1);
			len += k;
		}
		p += n + (p[n] == ',');
	}
	if (!len)
		return MSG("%s: no namespace named", name);
	return strcmp(out, *value) == 0 ? 0 : set_value(value, out, why, whylen);
}

/* uid_map, gid_map: "INSIDE OUTSIDE COUNT" as in /proc/PID/uid_map. */
static int check_idmap(const char *name, char **value, char *why, size_t whylen)
{
	char *w[3];
	size_t n;
	long long x;
	char *copy = words_of(*value, w, 3, 3, &n);
	int ok = copy && conf_parse_int(w[0], 0, 4294967295LL, &x) == 0 &&
		 conf_parse_int(w[1], 0, 4294967295LL, &x) == 0 && conf_parse_int(w[2], 1, 4294967295LL, &x) == 0;
	free(copy);
	return ok ? 0 : MSG("%s: expected \"INSIDE OUTSIDE COUNT\", got \"%s\"", name, *value);
}

/* pivot_root: "NEW OLD"; the kernel wants OLD under NEW. */
static int check_pivot_root(const char *name, char **value, char *why, size_t whylen)
{
	char *w[2];
	size_t n;
	char *copy = words_of(*value, w, 2, 2, &n);
	if (!copy || w[0][0] != '/' || w[1][0] != '/') {
		free(copy);
		return MSG("%s: expected \"NEW OLD\" (two absolute paths), got \"%s\"", name, *value);
	}
	size_t l = strlen(w[0]);
	bool under = strcmp(w[0], "/") == 0 || (strncmp(w[1], w[0], l) == 0 && w[1][l] == '/');
	free(copy);
	return under ? 0 : MSG("%s: OLD must be under NEW: \"%s\"", name, *value);
}

/* keep_mount: "SRC[:DST]", both absolute. */
static int check_keep_mount(const char *name, char **value, char *why, size_t whylen)
{
	const char *v = *value, *colon = strchr(v, ':');
	if (v[0] != '/' || (colon && colon[1] != '/'))
		return MSG("%s: expected \"SRC[:DST]\" with absolute paths, got \"%s\"", name, v);
	return 0;
}

static const struct {
	const char *word;
	const char *number;
} hidepid_words[] = {{"off", "0"}, {"noaccess", "1"}, {"invisible", "2"}};

/* hidepid: procfs's words become its numbers, so that jail_int works. */
static int check_hidepid(const char *name, char **value, char *why, size_t whylen)
{
	(void)name;
	for (size_t i = 0; i < sizeof hidepid_words / sizeof hidepid_words[0]; i++)
		if (strcmp(*value, hidepid_words[i].word) == 0)
			return set_value(value, hidepid_words[i].number, why, whylen);
	return 0;
}

/* vnet: new | inherit, or a boolean (jail.conf's bare "vnet;" means new). */
static int check_vnet(const char *name, char **value, char *why, size_t whylen)
{
	bool b;
	if (strcmp(*value, "new") == 0 || strcmp(*value, "inherit") == 0)
		return 0;
	if (conf_parse_bool(*value, &b) == 0)
		return set_value(value, b ? "new" : "inherit", why, whylen);
	return MSG("%s: expected new, inherit or a boolean, got \"%s\"", name, *value);
}

/* devfs_ruleset: a number, or a ruleset name from devfs.rules. */
static int check_ruleset(const char *name, char **value, char *why, size_t whylen)
{
	long long n;
	const char *v = *value;
	if (isdigit((unsigned char)v[0]))
		return conf_parse_int(v, 0, 65535, &n) == 0 ? 0 : MSG("%s: bad ruleset number \"%s\"", name, v);
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return MSG("%s: bad ruleset name \"%s\"", name, v);
	return 0;
}

/* mount: one fstab line "DEVICE MOUNTPOINT TYPE [OPTIONS [DUMP [PASS]]]". */
static int check_fstab_line(const char *name, char **value, char *why, size_t whylen)
{
	char *w[6];
	size_t n;
	char *copy = words_of(*value, w, 3, 6, &n);
	bool ok = copy && w[1][0] == '/';
	free(copy);
	return ok ? 0 : MSG("%s: expected an fstab line \"DEVICE /MOUNTPOINT TYPE [OPTIONS]\", got \"%s\"", name, *value);
}

static int number_or_max(const char *s, long long min)
{
	long long n;
	return strcmp(s, "max") == 0 || conf_parse_int(s, min, 9223372036854775807LL, &n) == 0 ? 0 : -1;
}

static int check_pids_max(const char *name, char **value, char *why, size_t whylen)
{
	return number_or_max(*value, 0) == 0 ? 0 : MSG("%s: expected a number or max, got \"%s\"", name, *value);
}

/* cgroup.cpu.max: "QUOTA [PERIOD]" in microseconds, QUOTA may be max (cgroup v2's cpu.max). */
static int check_cpu_max(const char *name, char **value, char *why, size_t whylen)
{
	char *w[2];
	size_t n;
	long long p;
	char *copy = words_of(*value, w, 1, 2, &n);
	bool ok = copy && number_or_max(w[0], 1) == 0 && (n == 1 || conf_parse_int(w[1], 1, 1000000, &p) == 0);
	free(copy);
	return ok ? 0 : MSG("%s: expected \"QUOTA [PERIOD]\" or max, got \"%s\"", name, *value);
}

/* Resource limits by platform: Linux's setrlimit(2) names and FreeBSD 14's (vmem is FreeBSD's name for as). */
static const struct {
	const char *name;
	unsigned flags;
} rlimits[] = {
	{"as", PF_BOTH},         {"core", PF_BOTH},     {"cpu", PF_BOTH},        {"data", PF_BOTH},
	{"fsize", PF_BOTH},      {"memlock", PF_BOTH},  {"nofile", PF_BOTH},     {"nproc", PF_BOTH},
	{"rss", PF_BOTH},        {"stack", PF_BOTH},    {"locks", PF_LINUX},     {"msgqueue", PF_LINUX},
	{"nice", PF_LINUX},      {"rtprio", PF_LINUX},  {"rttime", PF_LINUX},    {"sigpending", PF_LINUX},
	{"sbsize", PF_FREEBSD},  {"vmem", PF_FREEBSD},  {"npts", PF_FREEBSD},    {"swap", PF_FREEBSD},
	{"kqueues", PF_FREEBSD}, {"umtxp", PF_FREEBSD}, {"pipebuf", PF_FREEBSD},
};

unsigned param_rlimit_platforms(const char *resource)
{
	for (size_t i = 0; i < sizeof rlimits / sizeof rlimits[0]; i++)
		if (strcmp(resource, rlimits[i].name) == 0)
			return rlimits[i].flags;
	return 0;
}

bool jail_builds(const struct jail *j, unsigned platform)
{
	unsigned flag = platform == PF_FREEBSD ? PF_BUILDS_FREEBSD : PF_BUILDS_LINUX;
	for (size_t i = 0; i < j->np; i++) {
		const struct conf_param *p = &j->p[i];
		if (p->n == 0 || p->name[0] == '$') /* $NAME: a variable, not a parameter */
			continue;
		if (p->def ? (p->def->flags & flag) != 0 : platform == PF_FREEBSD)
			return true;
	}
	return false;
}

static int rlimit_number(const char *s)
{
	long long n;
	return strcmp(s, "unlimited") == 0 || strcmp(s, "infinity") == 0 || conf_parse_size(s, &n) == 0 ? 0 : -1;
}

/* rlimit.NAME: "SOFT[:HARD]", each a number (K/M/G allowed) or unlimited. */
static int check_rlimit(const char *name, char **value, char *why, size_t whylen)
{
	const char *res = strchr(name, '.') + 1;
	if (!param_rlimit_platforms(res))
		return MSG("%s: unknown resource \"%s\"", name, res);
	char *copy = strdup(*value);
	if (!copy)
		return MSG("out of memory");
	char *colon = strchr(copy, ':');
	if (colon)
		*colon = '\0';
	bool ok = rlimit_number(copy) == 0 && (!colon || rlimit_number(colon + 1) == 0);
	free(copy);
	return ok ? 0 : MSG("%s: expected \"SOFT[:HARD]\" (numbers or unlimited), got \"%s\"", name, *value);
}

/* Docker's default set (moby oci/caps/defaults.go): what "default" means, and the caps parameter's default. */
#define DEFAULT_CAPS                                                                                             \
	"chown,dac_override,fowner,fsetid,kill,setgid,setuid,setpcap,net_bind_service,net_raw,sys_chroot,mknod," \
	"audit_write,setfcap"

/* The words of a caps list (conf.h); DEFAULT_OK is false while expanding "default" itself. */
static int caps_words(const char *name, const char *list, unsigned long long *mask, bool default_ok, char *err,
		      size_t errlen)
{
	char *copy = strdup(list), *save = NULL;
	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	int rc = 0;
	for (char *t = strtok_r(copy, ", \t", &save); t && rc == 0; t = strtok_r(NULL, ", \t", &save)) {
		bool minus = *t == '-';
		unsigned long long bits = 0;
		int cap;
		t += minus || *t == '+';
		if (strcasecmp(t, "all") == 0) {
			bits = ~0ULL;
		} else if (strcasecmp(t, "none") == 0) {
			*mask = 0;
		} else if (default_ok && strcasecmp(t, "default") == 0) {
			rc = caps_words(name, DEFAULT_CAPS, &bits, false, err, errlen);
		} else if ((cap = conf_cap_parse(t)) >= 0) {
			bits = 1ULL << cap;
		} else {
			snprintf(err, errlen, "%s: unknown capability \"%s\"", name, t);
			rc = -1;
		}
		*mask = minus ? *mask & ~bits : *mask | bits;
	}
	free(copy);
	return rc;
}

int conf_caps_parse(const char *name, const char *list, unsigned long long *mask, char *err, size_t errlen)
{
	*mask = 0;
	return caps_words(name, list, mask, true, err, errlen);
}

static int check_caps(const char *name, char **value, char *why, size_t whylen)
{
	unsigned long long mask;
	return conf_caps_parse(name, *value, &mask, why, whylen);
}

/* restart.burst: "N/SECONDS": at most N restarts within SECONDS. */
static int check_burst(const char *name, char **value, char *why, size_t whylen)
{
	const char *slash = strchr(*value, '/');
	long long n;
	double d;
	char count[32];
	if (!slash || (size_t)(slash - *value) >= sizeof count)
		return MSG("%s: expected \"N/SECONDS\", got \"%s\"", name, *value);
	memcpy(count, *value, (size_t)(slash - *value));
	count[slash - *value] = '\0';
	if (conf_parse_int(count, 1, 1000000, &n) < 0 || conf_parse_duration(slash + 1, &d) < 0 || d <= 0)
		return MSG("%s: expected \"N/SECONDS\", got \"%s\"", name, *value);
	return 0;
}

/* jail (uWSGI's old API): "ROOTFS [HOSTNAME [JAILNAME]]". */
static int check_old_jail(const char *name, char **value, char *why, size_t whylen)
{
	char *w[3];
	size_t n;
	char *copy = words_of(*value, w, 1, 3, &n);
	bool ok = copy && w[0][0] == '/';
	free(copy);
	return ok ? 0 : MSG("%s: expected \"/ROOTFS [HOSTNAME [JAILNAME]]\", got \"%s\"", name, *value);
}

/* listen: parsed here only to be refused early; init/listen.c parses it again where it binds. */
static int check_listen(const char *name, char **value, char *why, size_t whylen)
{
	struct listen_spec s;
	char msg[256];
	if (listen_parse(*value, &s, msg, sizeof msg) < 0)
		return MSG("%s: %s", name, msg);
	return 0;
}

/* ready: started, notify, or socket:ADDRESS (an address as listen takes it, probed by connecting). */
static int check_ready(const char *name, char **value, char *why, size_t whylen)
{
	struct listen_spec s;
	char msg[256];
	if (strcmp(*value, "started") == 0 || strcmp(*value, "notify") == 0)
		return 0;
	if (strncmp(*value, "socket:", 7) != 0)
		return MSG("%s: \"%s\" is not one of started, notify, socket:ADDRESS", name, *value);
	if (listen_parse(*value + 7, &s, msg, sizeof msg) < 0)
		return MSG("%s: %s", name, msg);
	if (s.socktype != SOCK_STREAM || strchr(*value + 7, ' '))
		return MSG("%s: socket: takes a tcp: or unix: address alone", name);
	return 0;
}

static const char *const w_ip_mode[] = {"new", "inherit", "disable", NULL};
static const char *const w_restart[] = {"no", "on-failure", "always", NULL};
static const char *const w_reload[] = {"stack", "jail", "exit", NULL};
static const char *const w_ready_fail[] = {"restart", "stop", NULL};

#define LC PF_LIST | PF_CHAIN | PF_BOTH
#define FK PF_FREEBSD | PF_KERNEL | PF_BUILDS_FREEBSD
#define P(n, t, f, d, doc)                        \
	{                                         \
		n, t, f, d, doc, NULL, 0, 0, NULL \
	}
#define PW(n, f, d, w, doc)                            \
	{                                              \
		n, PT_STRING, f, d, doc, w, 0, 0, NULL \
	}
#define PI(n, f, d, lo, hi, doc)                         \
	{                                                \
		n, PT_INT, f, d, doc, NULL, lo, hi, NULL \
	}
#define PC(n, t, f, d, c, doc)                 \
	{                                      \
		n, t, f, d, doc, NULL, 0, 0, c \
	}

const struct param_def param_table[] = {
	/* The jail and its main command. */
	P("path", PT_PATH, PF_BOTH | PF_KERNEL | PF_BUILDS_LINUX | PF_BUILDS_FREEBSD, NULL, "the jail's root directory"),
	P("command", PT_STRING, PF_BOTH, NULL,
	  "the main supervised command, run with /bin/sh -c (plain words from an absolute path: executed directly)"),
	P("chdir", PT_PATH, PF_BOTH, NULL, "working directory of the main command, inside the jail"),
	P("user", PT_STRING, PF_BOTH, NULL, "user (name or number) the main command runs as; uWSGI's uid"),
	P("group", PT_STRING, PF_BOTH, NULL, "group (name or number) the main command runs as; uWSGI's gid"),
	P("groups", PT_STRING, PF_BOTH | PF_LIST, NULL,
	  "supplementary groups of the main command; unset: every group the user is in, up to NGROUPS_MAX"),
	P("host.hostname", PT_STRING, PF_BOTH | PF_KERNEL | PF_JAIL | PF_BUILDS_FREEBSD, NULL, "the jail's hostname"),
	P("host.domainname", PT_STRING, PF_BOTH | PF_KERNEL | PF_BUILDS_FREEBSD, NULL, "the jail's NIS domain name"),
	P("host.hostuuid", PT_STRING, FK, NULL, "the jail's host UUID"),
	PI("host.hostid", FK, NULL, 0, 4294967295LL, "the jail's host id"),
	/* Hook chains, in the order they run. */
	P("exec.prepare", PT_STRING, LC, NULL, "host, first: may create the jail's filesystem"),
	P("exec.prestart", PT_STRING, LC, NULL, "host, after the host-side mounts, before the jail is created"),
	P("exec.created", PT_STRING, LC, NULL, "host, right after the jail is created"),
	P("exec.jailed", PT_STRING, LC, NULL, "jail, right after entering it, before privileges drop (uWSGI post-jail)"),
	P("exec.start", PT_STRING, LC, NULL, "jail, before the main command"),
	P("exec.poststart", PT_STRING, LC, NULL, "host, after exec.start and the main command started"),
	P("exec.prestop", PT_STRING, LC, NULL, "host, first when the jail is removed"),
	P("exec.stop", PT_STRING, LC, NULL, "jail, before its processes are signalled"),
	P("exec.poststop", PT_STRING, LC, NULL, "host, after the jail is removed"),
	P("exec.release", PT_STRING, LC, NULL, "host, last: may delete the jail's filesystem"),
	P("exec.clean", PT_BOOL, PF_BOTH, "false", "run hooks with a clean environment (HOME, SHELL, USER, TERM, PATH)"),
	P("exec.timeout", PT_DURATION, PF_BOTH, NULL, "time limit for each hook command"),
	P("exec.consolelog", PT_PATH, PF_BOTH, NULL, "file that receives the hooks' stdout and stderr"),
	P("exec.jail_user", PT_STRING, PF_BOTH, NULL, "user for hook commands inside the jail"),
	P("exec.system_user", PT_STRING, PF_BOTH, NULL, "user for hook commands on the host"),
	P("exec.system_jail_user", PT_BOOL, PF_BOTH, "false", "look exec.jail_user up in the host's passwd"),
	PI("exec.fib", PF_FREEBSD, NULL, 0, 65535, "routing table (FIB) for commands inside the jail"),
	P("stop.signal", PT_SIGNAL, PF_BOTH, "TERM", "signal that asks the main command to stop"),
	P("stop.timeout", PT_DURATION, PF_BOTH, "10", "seconds between TERM and KILL on stop; 0: KILL at once"),
	P("depend", PT_STRING, PF_BOTH | PF_LIST, NULL, "jails started before this one and stopped after it"),
	P("persist", PT_BOOL, PF_BOTH | PF_KERNEL | PF_BUILDS_FREEBSD, "false",
	  "keep the jail when its last process exits"),
	/* Linux isolation. */
	PC("unshare", PT_STRING, PF_LINUX | PF_BUILDS_LINUX, NULL, check_unshare,
	   "namespaces to create: mount,pid,uts,ipc,net,user,cgroup,time (uWSGI's fs is mount)"),
	PC("uid_map", PT_STRING, PF_LINUX | PF_LIST | PF_BUILDS_LINUX, NULL, check_idmap,
	   "user namespace uid mapping \"INSIDE OUTSIDE COUNT\""),
	PC("gid_map", PT_STRING, PF_LINUX | PF_LIST | PF_BUILDS_LINUX, NULL, check_idmap,
	   "user namespace gid mapping \"INSIDE OUTSIDE COUNT\""),
	PC("pivot_root", PT_STRING, PF_LINUX | PF_BUILDS_LINUX, NULL, check_pivot_root,
	   "\"NEW OLD\": pivot into NEW, the old root at OLD"),
	PC("keep_mount", PT_STRING, PF_LINUX | PF_LIST | PF_BUILDS_LINUX, NULL, check_keep_mount,
	   "\"SRC[:DST]\": bind a host mount into the jail (uWSGI's namespace-keep-mount)"),
	P("namespace", PT_STRING, PF_LINUX, NULL, "uWSGI's ROOTFS[:HOSTNAME] shorthand, as written (already applied)"),
	P("mount.procfs", PT_BOOL, PF_BOTH | PF_JAIL, "false", "mount procfs on /proc in the jail"),
	{"hidepid", PT_INT, PF_LINUX | PF_JAIL, NULL, "procfs hidepid: 0, 1 (noaccess) or 2 (invisible)", NULL, 0, 2,
	 check_hidepid},
	P("mount.sysfs", PT_BOOL, PF_LINUX | PF_JAIL, "false", "mount sysfs on /sys in the jail, read-only"),
	P("mount.devfs", PT_BOOL, PF_BOTH | PF_JAIL, NULL,
	  "mount a /dev built from devfs_ruleset; unset: yes for a Linux jail with a path, no on FreeBSD (jail(8))"),
	PC("devfs_ruleset", PT_STRING, PF_BOTH | PF_KERNEL | PF_JAIL | PF_BUILDS_FREEBSD, "4", check_ruleset,
	   "devfs ruleset number or name for /dev"),
	P("devfs.rules", PT_PATH, PF_BOTH | PF_JAIL, WARDER_DATADIR "/devfs.rules",
	  "devfs.rules(5) file that defines the rulesets"),
	PI("devfs.rule_depth", PF_LINUX | PF_JAIL, "1", 0, 16,
	   "how deep \"add include\" nests (FreeBSD's vfs.devfs.rule_depth)"),
	PC("mount", PT_STRING, PF_BOTH | PF_LIST | PF_JAIL, NULL, check_fstab_line,
	   "one fstab(5) line mounted for the jail"),
	P("mount.fstab", PT_PATH, PF_BOTH | PF_JAIL, NULL, "fstab(5) file mounted for the jail"),
	P("mount.fdescfs", PT_BOOL, PF_BOTH | PF_JAIL, "false", "mount fdescfs on /dev/fd in the jail"),
	P("mount.tmp", PT_BOOL, PF_LINUX | PF_JAIL, "false", "mount a fresh tmpfs on /tmp in the jail"),
	P("cgroup.memory.max", PT_SIZE, PF_LINUX | PF_BUILDS_LINUX, NULL, "cgroup v2 memory.max: bytes (K/M/G/T) or max"),
	PC("cgroup.pids.max", PT_STRING, PF_LINUX | PF_BUILDS_LINUX, NULL, check_pids_max,
	   "cgroup v2 pids.max: a number or max"),
	PC("cgroup.cpu.max", PT_STRING, PF_LINUX | PF_BUILDS_LINUX, NULL, check_cpu_max,
	   "cgroup v2 cpu.max: \"QUOTA [PERIOD]\" or max"),
	PC("rlimit.", PT_STRING, PF_BOTH | PF_PREFIX | PF_JAIL, NULL, check_rlimit,
	   "rlimit.RESOURCE = SOFT[:HARD] (numbers or unlimited); both systems: as core cpu data fsize memlock nofile "
	   "nproc rss stack; Linux: locks msgqueue nice rtprio rttime sigpending; FreeBSD: sbsize vmem npts swap "
	   "kqueues umtxp pipebuf"),
	PC("caps", PT_STRING, PF_LINUX, DEFAULT_CAPS, check_caps,
	   "capabilities kept, in order: all, none, default (this list), NAME or CAP_NAME; -NAME takes one away"),
	P("no_new_privs", PT_BOOL, PF_LINUX, "true", "set no_new_privs before the main command"),
	P("setns-socket", PT_PATH, PF_LINUX | PF_BUILDS_LINUX, NULL,
	  "unix socket that hands out the jail's namespace fds"),
	/* Supervision. */
	P("control", PT_PATH, PF_BOTH, NULL, "unix socket for status, reload, stop and attach"),
	PW("restart", PF_BOTH, "no", w_restart, "restart the main command: no, on-failure or always"),
	P("restart.delay", PT_DURATION, PF_BOTH, "1", "first delay before a restart, doubled each time"),
	P("restart.max_delay", PT_DURATION, PF_BOTH, "30", "longest delay before a restart"),
	PC("restart.burst", PT_STRING, PF_BOTH, "5/60", check_burst,
	   "\"N/SECONDS\": give up after N restarts within SECONDS"),
	PW("reload", PF_BOTH, "jail", w_reload,
	   "what reload rebuilds: stack (processes), jail, or exit (for a respawner)"),
	P("heartbeat", PT_DURATION, PF_BOTH, NULL, "interval of heartbeats to an emperor"),
	/* Sockets held across reloads (init/listen.c). */
	PC("listen", PT_STRING, PF_BOTH | PF_LIST, NULL, check_listen,
	   "\"ADDRESS [name=NAME] [backlog=N] [reuseport] [inside]\": a socket bound before the jail exists and "
	   "kept across reloads, passed to the command as fd 3 onwards (LISTEN_FDS); ADDRESS is tcp:HOST:PORT, "
	   "udp:HOST:PORT (HOST an IPv4 address, [IPv6] or *) or unix:/PATH[:MODE[:OWNER[:GROUP]]]; inside: bound in "
	   "the jail's network namespace and filesystem after exec.start"),
	/* Readiness (init/notify.c). */
	PC("ready", PT_STRING, PF_BOTH, "started", check_ready,
	   "when the stack is ready (what status, depend and an emperor wait for): started (the command runs), notify "
	   "(it sent READY=1 to NOTIFY_SOCKET) or socket:ADDRESS (a connection to tcp:HOST:PORT or unix:/PATH succeeds, "
	   "from inside the jail)"),
	P("ready.timeout", PT_DURATION, PF_BOTH, NULL,
	  "time the stack has to become ready after it starts; unset: no limit"),
	PW("ready.fail", PF_BOTH, "restart", w_ready_fail,
	   "what a missed ready.timeout or watchdog does: restart the stack, or stop the jail (exit 76)"),
	P("watchdog", PT_DURATION, PF_BOTH, NULL,
	  "the stack must send WATCHDOG=1 at least this often (WATCHDOG_USEC is set for it), else ready.fail applies"),
	/* FreeBSD jail parameters. */
	PI("jid", FK, NULL, 0, 2147483647, "the jail id"),
	P("name", PT_STRING, FK, NULL, "the jail's kernel name (default: the section name)"),
	P("ip4.addr", PT_STRING, FK | PF_LIST, NULL, "IPv4 address of the jail, [IFACE|]ADDR[/MASK]"),
	P("ip6.addr", PT_STRING, FK | PF_LIST, NULL, "IPv6 address of the jail, [IFACE|]ADDR[/PREFIX]"),
	PW("ip4", FK, NULL, w_ip_mode, "IPv4: new, inherit or disable"),
	PW("ip6", FK, NULL, w_ip_mode, "IPv6: new, inherit or disable"),
	PC("vnet", PT_STRING, FK, NULL, check_vnet, "own network stack: new or inherit (true means new)"),
	P("vnet.interface", PT_STRING, PF_BOTH | PF_LIST | PF_BUILDS_LINUX, NULL,
	  "interface moved into the jail's network stack (FreeBSD: vnet; Linux: its net namespace, unshare net)"),
	P("interface", PT_STRING, PF_FREEBSD, NULL, "host interface for ip4.addr / ip6.addr aliases"),
	P("ip_hostname", PT_BOOL, PF_FREEBSD, "false", "add the addresses host.hostname resolves to"),
	PI("securelevel", FK, NULL, -1, 3, "the jail's securelevel"),
	PI("children.max", FK, NULL, 0, 2147483647, "how many child jails this jail may create"),
	PI("enforce_statfs", FK, NULL, 0, 2, "which mount points the jail sees: 0 all, 1 under its root, 2 its root"),
	P("allow.set_hostname", PT_BOOL, FK, NULL, "the jail may change its hostname"),
	P("allow.sysvipc", PT_BOOL, FK, NULL, "the jail may use System V IPC (old form)"),
	P("allow.raw_sockets", PT_BOOL, FK, NULL, "the jail may create raw sockets"),
	P("allow.chflags", PT_BOOL, FK, NULL, "root in the jail may change system file flags"),
	P("allow.mount", PT_BOOL, FK, NULL, "root in the jail may mount allowed file systems"),
	P("allow.mount.devfs", PT_BOOL, FK, NULL, "the jail may mount devfs"),
	P("allow.mount.fdescfs", PT_BOOL, FK, NULL, "the jail may mount fdescfs"),
	P("allow.mount.fusefs", PT_BOOL, FK, NULL, "the jail may mount fusefs"),
	P("allow.mount.nullfs", PT_BOOL, FK, NULL, "the jail may mount nullfs"),
	P("allow.mount.procfs", PT_BOOL, FK, NULL, "the jail may mount procfs"),
	P("allow.mount.linprocfs", PT_BOOL, FK, NULL, "the jail may mount linprocfs"),
	P("allow.mount.linsysfs", PT_BOOL, FK, NULL, "the jail may mount linsysfs"),
	P("allow.mount.tmpfs", PT_BOOL, FK, NULL, "the jail may mount tmpfs"),
	P("allow.mount.zfs", PT_BOOL, FK, NULL, "the jail may mount ZFS datasets"),
	P("allow.quotas", PT_BOOL, FK, NULL, "root in the jail may manage quotas"),
	P("allow.socket_af", PT_BOOL, FK, NULL, "the jail may use any socket family"),
	P("allow.reserved_ports", PT_BOOL, FK, NULL, "root in the jail may bind ports below 1024"),
	P("allow.read_msgbuf", PT_BOOL, FK, NULL, "the jail may read the kernel message buffer"),
	P("allow.vmm", PT_BOOL, FK, NULL, "the jail may use vmm(4)"),
	PW("sysvmsg", FK, NULL, w_ip_mode, "System V message queues: new, inherit or disable"),
	PW("sysvsem", FK, NULL, w_ip_mode, "System V semaphores: new, inherit or disable"),
	PW("sysvshm", FK, NULL, w_ip_mode, "System V shared memory: new, inherit or disable"),
	P("osrelease", PT_STRING, FK, NULL, "the release name the jail reports"),
	PI("osreldate", FK, NULL, 1, 2147483647, "the __FreeBSD_version the jail reports"),
	P("jidfile", PT_PATH, PF_FREEBSD, NULL, "file that receives the jail id (uWSGI)"),
	P("jail-attach", PT_STRING, PF_FREEBSD | PF_BUILDS_FREEBSD, NULL, "join an existing jail by jid or name (uWSGI)"),
	PC("jail", PT_STRING, PF_FREEBSD | PF_BUILDS_FREEBSD, NULL, check_old_jail,
	   "uWSGI's old jail(2) API: \"ROOTFS [HOSTNAME [JAILNAME]]\""),
	P("jail-ip4", PT_STRING, PF_FREEBSD | PF_LIST, NULL, "IPv4 address for the old jail(2) API (uWSGI)"),
	P("jail-ip6", PT_STRING, PF_FREEBSD | PF_LIST, NULL, "IPv6 address for the old jail(2) API (uWSGI)"),
	P("include", PT_STRING, PF_BOTH, NULL, "read more config files at this point (a glob, relative to this file)"),
};
#define NPARAMS (sizeof param_table / sizeof param_table[0])
const size_t param_count = NPARAMS;

/* The table's entries chained by their name's first byte, in table order: a lookup (one per key of every
 * jail a file holds) compares a handful of names, not all of them, and finds the same first match. */
static unsigned short by_first[256], next_same[NPARAMS];

const struct param_def *param_find(const char *name)
{
	static bool ready;
	if (!ready) {
		for (size_t i = NPARAMS; i-- > 0;) {
			unsigned char c = (unsigned char)param_table[i].name[0];
			next_same[i] = by_first[c];
			by_first[c] = (unsigned short)(i + 1);
		}
		ready = true;
	}
	for (unsigned i = by_first[(unsigned char)name[0]]; i; i = next_same[i - 1]) {
		const struct param_def *d = &param_table[i - 1];
		if (d->flags & PF_PREFIX) {
			size_t l = strlen(d->name);
			if (strncmp(name, d->name, l) == 0 && name[l])
				return d;
		} else if (strcmp(name, d->name) == 0) {
			return d;
		}
	}
	return NULL;
}

static int check_type(const struct param_def *d, const char *name, const char *v, char *why, size_t whylen)
{
	bool b;
	long long n;
	double s;
	int sig;
	switch (d->type) {
	case PT_PATH:
		return v[0] == '/' ? 0 : MSG("%s: path must be absolute: %s", name, v);
	case PT_BOOL:
		return conf_parse_bool(v, &b) == 0 ? 0 : MSG("%s: bad boolean \"%s\" (use true or false)", name, v);
	case PT_INT:
		if (conf_parse_int(v, -9223372036854775807LL, 9223372036854775807LL, &n) < 0)
			return MSG("%s: bad number \"%s\"", name, v);
		if (d->min < d->max && (n < d->min || n > d->max))
			return MSG("%s: %s is out of range %lld..%lld", name, v, d->min, d->max);
		return 0;
	case PT_DURATION:
		return conf_parse_duration(v, &s) == 0
			       ? 0
			       : MSG("%s: bad duration \"%s\" (use 10, 1.5, 500ms, 2s, 1m)", name, v);
	case PT_SIGNAL:
		return conf_parse_signal(v, &sig) == 0 ? 0 : MSG("%s: bad signal \"%s\"", name, v);
	case PT_SIZE:
		return conf_parse_size(v, &n) == 0 ? 0 : MSG("%s: bad size \"%s\" (use 64M, 1G or max)", name, v);
	case PT_STRING:
		break;
	}
	return 0;
}

static int check_words(const struct param_def *d, const char *name, const char *v, char *why, size_t whylen)
{
	if (!d->words || in_words(v, d->words))
		return 0;
	char list[128] = "";
	for (size_t i = 0; d->words[i]; i++)
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", d->words[i]);
	return MSG("%s: \"%s\" is not one of %s", name, v, list);
}

int param_check(const struct param_def *d, const char *name, char **value, char *why, size_t whylen)
{
	if (d->check && d->check(name, value, why, whylen) < 0)
		return -1;
	if (check_type(d, name, *value, why, whylen) < 0)
		return -1;
	return check_words(d, name, *value, why, whylen);
}
