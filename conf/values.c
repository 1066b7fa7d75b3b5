/* values: the parsers for warder's value types (booleans, durations, signals, sizes) and the name tables for
 * signals and Linux capabilities. The command line uses them too, so a value means the same everywhere. */
#include "conf.h"
#include "conf_impl.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *word;
	bool value;
} bool_words[] = {
	{"true", true},   {"yes", true}, {"on", true},   {"1", true},
	{"false", false}, {"no", false}, {"off", false}, {"0", false},
};

int conf_parse_bool(const char *s, bool *out)
{
	for (size_t i = 0; i < sizeof bool_words / sizeof bool_words[0]; i++) {
		if (strcasecmp(s, bool_words[i].word) == 0) {
			*out = bool_words[i].value;
			return 0;
		}
	}
	return -1;
}

static const struct {
	const char *suffix;
	double seconds;
} duration_units[] = {
	{"", 1}, {"s", 1}, {"ms", 0.001}, {"m", 60}, {"h", 3600},
};

/* Digits with at most one '.' (LEN bytes of S), as a double. strtod would also take "inf", "0x1p3", "1e3"
 * and leading blanks, and costs a static binary its whole float reader. */
static int decimal(const char *s, size_t len, double *out)
{
	double v = 0, scale = 1;
	size_t digits = 0;
	bool dot = false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.' && !dot) {
			dot = true;
			continue;
		}
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
		scale *= dot ? 10 : 1;
		digits++;
	}
	v /= scale;
	if (digits == 0 || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int conf_parse_decimal(const char *s, double *out)
{
	return decimal(s, strlen(s), out);
}

/* A decimal, then a unit. */
int conf_parse_duration(const char *s, double *seconds)
{
	size_t i = strspn(s, "0123456789.");
	double v;
	if (decimal(s, i, &v) < 0)
		return -1;
	for (size_t u = 0; u < sizeof duration_units / sizeof duration_units[0]; u++) {
		if (strcmp(s + i, duration_units[u].suffix) != 0)
			continue;
		v *= duration_units[u].seconds;
		if (!isfinite(v))
			return -1;
		*seconds = v;
		return 0;
	}
	return -1;
}

static const struct {
	const char *name;
	int sig;
} signal_names[] = {
	{"HUP", SIGHUP},       {"INT", SIGINT},   {"QUIT", SIGQUIT},   {"ILL", SIGILL},   {"TRAP", SIGTRAP},
	{"ABRT", SIGABRT},     {"IOT", SIGABRT},  {"BUS", SIGBUS},     {"FPE", SIGFPE},   {"KILL", SIGKILL},
	{"USR1", SIGUSR1},     {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},   {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},
	{"TERM", SIGTERM},     {"CHLD", SIGCHLD}, {"CONT", SIGCONT},   {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
	{"TTIN", SIGTTIN},     {"TTOU", SIGTTOU}, {"URG", SIGURG},     {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
	{"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"SYS", SIGSYS},
#ifdef SIGPWR
	{"PWR", SIGPWR},
#endif
#ifdef SIGINFO
	{"INFO", SIGINFO},
#endif
};

/* S past PREFIX (lower case) matched in either case, or S. strncasecmp(3) would do, but a static glibc links
 * five copies of it, one per instruction set, 25 KiB for two prefixes. */
static const char *skip_prefix_ci(const char *s, const char *prefix)
{
	size_t i = 0;
	while (prefix[i] && tolower((unsigned char)s[i]) == prefix[i])
		i++;
	return prefix[i] ? s : s + i;
}

/* A whole decimal number in [lo, hi]. */
static int parse_decimal(const char *s, long long lo, long long hi, long long *out)
{
	if (!isdigit((unsigned char)s[0]) && !(s[0] == '-' && isdigit((unsigned char)s[1])))
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int conf_parse_signal(const char *s, int *sig)
{
	long long n;
	if (isdigit((unsigned char)s[0]))
		return parse_decimal(s, 1, NSIG - 1, &n) < 0 ? -1 : (*sig = (int)n, 0);
	s = skip_prefix_ci(s, "sig");
	for (size_t i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++) {
		if (strcasecmp(s, signal_names[i].name) == 0) {
			*sig = signal_names[i].sig;
			return 0;
		}
	}
	return -1;
}

const char *conf_signal_name(int sig)
{
	for (size_t i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
		if (signal_names[i].sig == sig)
			return signal_names[i].name;
	return NULL;
}

static const struct {
	char suffix;
	int shift;
} size_units[] = {
	{'K', 10},
	{'M', 20},
	{'G', 30},
	{'T', 40},
};

int conf_parse_size(const char *s, long long *bytes)
{
	if (strcasecmp(s, "max") == 0) {
		*bytes = -1;
		return 0;
	}
	size_t i = 0;
	while (isdigit((unsigned char)s[i]))
		i++;
	if (i == 0 || i > 18)
		return -1;
	long long v = strtoll(s, NULL, 10);
	if (s[i] == '\0') {
		*bytes = v;
		return 0;
	}
	if (s[i + 1] != '\0')
		return -1;
	for (size_t u = 0; u < sizeof size_units / sizeof size_units[0]; u++) {
		if (toupper((unsigned char)s[i]) != size_units[u].suffix)
			continue;
		if (v > (LLONG_MAX >> size_units[u].shift))
			return -1;
		*bytes = v << size_units[u].shift;
		return 0;
	}
	return -1;
}

bool conf_all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int conf_parse_int(const char *s, long long lo, long long hi, long long *out)
{
	return parse_decimal(s, lo, hi, out);
}

/* Linux capability numbers (include/uapi/linux/capability.h); the table is the one place that knows them, so
 * that the config can be checked on any system. */
static const char *const cap_names[] = {
	"chown",
	"dac_override",
	"dac_read_search",
	"fowner",
	"fsetid",
	"kill",
	"setgid",
	"setuid",
	"setpcap",
	"linux_immutable",
	"net_bind_service",
	"net_broadcast",
	"net_admin",
	"net_raw",
	"ipc_lock",
	"ipc_owner",
	"sys_module",
	"sys_rawio",
	"sys_chroot",
	"sys_ptrace",
	"sys_pacct",
	"sys_admin",
	"sys_boot",
	"sys_nice",
	"sys_resource",
	"sys_time",
	"sys_tty_config",
	"mknod",
	"lease",
	"audit_write",
	"audit_control",
	"setfcap",
	"mac_override",
	"mac_admin",
	"syslog",
	"wake_alarm",
	"block_suspend",
	"audit_read",
	"perfmon",
	"bpf",
	"checkpoint_restore",
};

int conf_cap_parse(const char *name)
{
	name = skip_prefix_ci(name, "cap_");
	for (size_t i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
		if (strcasecmp(name, cap_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *conf_cap_name(int cap)
{
	if (cap < 0 || (size_t)cap >= sizeof cap_names / sizeof cap_names[0])
		return NULL;
	return cap_names[cap];
}

/* The reader and the key routing both cut and unquote values (conf_impl.h). */
int conf_quote(const char *raw)
{
	size_t n = strlen(raw);
	if (raw[0] != '\'' && raw[0] != '"')
		return 0;
	return n >= 2 && raw[n - 1] == raw[0] ? raw[0] : -1;
}

char *conf_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}
