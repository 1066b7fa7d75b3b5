/* conf: warder's INI dialect of jail.conf, read with libinih.
 *
 * A file holds [*] (defaults for every jail) and [NAME] sections. Loading merges [*] into each jail as jail(8)
 * does, maps uWSGI's option names onto warder's, applies if-exists/if-not-exists guards, follows includes, and
 * expands variables per jail. Every error is one line "FILE:LINE: message"; the caller exits 78.
 *
 * Dialect details: `include = GLOB` (relative to the including file; an included file's keys before any
 * [section] belong to the including section). Guards, evaluated on the host at load time and nestable:
 * if-exists / if-not-exists / if-dir / if-not-dir / if-file / if-not-file = PATH ... endif =. A value in '...'
 * is literal, in "..." expanded; $$ is '$'. uWSGI aliases, normalised at load: uid/gid -> user/group,
 * namespace-keep-mount -> keep_mount, pivot-root -> pivot_root, jail2/libjail = KEY[=VALUE] (1:1, no value:
 * true), namespace = ROOTFS[:HOSTNAME] (path, host.hostname, unshare, mount.procfs, mount.devfs, yielding to
 * the same keys written in the section), {hook,exec,mount,umount}-{asap,pre-jail,post-jail,in-jail,as-root}
 * -> exec.prepare / exec.prestart / exec.jailed / exec.jailed / exec.start (mount-/umount- values get a
 * "mount:"/"umount:" prefix). In [uwsgi], unknown keys are uWSGI's: one warning each, ignored. */
#ifndef WARDER_CONF_H
#define WARDER_CONF_H

#include <stdbool.h>
#include <stddef.h>

#define CONF_LINE_MAX (16 << 20) /* bytes in one line of a config file (warder.conf(5) says so) */

enum ptype {
	PT_STRING,
	PT_PATH,     /* must be absolute */
	PT_BOOL,     /* true/false, yes/no, on/off, 1/0 */
	PT_INT,      /* decimal integer, optional range in the table */
	PT_DURATION, /* seconds: "10", "1.5", "500ms", "2s", "1m" */
	PT_SIGNAL,   /* "TERM", "SIGTERM", "15" */
	PT_SIZE,     /* bytes: "64M", "1G", "max" */
};

/* param_def.flags */
enum {
	PF_LIST = 1 << 0,    /* values accumulate: "+=" and repeated keys append */
	PF_LINUX = 1 << 1,   /* meaningful on Linux */
	PF_FREEBSD = 1 << 2, /* meaningful on FreeBSD */
	PF_KERNEL = 1 << 3,  /* a FreeBSD kernel jail parameter: handed to jail_set */
	PF_CHAIN = 1 << 4,   /* a hook chain: each value is a command or ACTION:ARGS */
	PF_PREFIX = 1 << 5,  /* the name is a prefix: "rlimit." matches rlimit.nofile */
	PF_JAIL = 1 << 6,    /* acts only on a jail warder builds: a config error in init-only mode */
	/* Setting it makes warder build the jail (keeper + init) on that system; a config without any is the init
	 * of a jail made elsewhere. Every FreeBSD kernel parameter builds one (jail_set creates the jail). */
	PF_BUILDS_LINUX = 1 << 7,
	PF_BUILDS_FREEBSD = 1 << 8,
};
#define PF_BOTH (PF_LINUX | PF_FREEBSD)

struct param_def {
	const char *name;
	enum ptype type;
	unsigned flags;
	const char *dflt;         /* default as text, NULL: unset */
	const char *doc;          /* one line for `warder check --params` and the man page */
	const char *const *words; /* PT_STRING: the allowed words (NULL-terminated), NULL: any text */
	long long min, max;       /* PT_INT: the range when min < max */
	/* Extra validation run before the type check; may rewrite *value into its normal form (unshare's "fs"
	 * becomes "mount", hidepid's "invisible" becomes "2"). NAME is the full name (rlimit.nofile). */
	int (*check)(const char *name, char **value, char *why, size_t whylen);
};

/* The table of every known parameter, in man-page order; see conf/params.c. */
extern const struct param_def param_table[];
extern const size_t param_count;
const struct param_def *param_find(const char *name);
/* Validate VALUE for D (type, range, words, check) and normalise it in place; -1 with a message in why. */
int param_check(const struct param_def *d, const char *name, char **value, char *why, size_t whylen);
/* rlimit.RESOURCE: the platforms (PF_LINUX, PF_FREEBSD) that have RESOURCE; 0 when none does. */
unsigned param_rlimit_platforms(const char *resource);
struct jail;
/* Does J build a jail on PLATFORM (PF_LINUX or PF_FREEBSD)? A parameter flagged PF_BUILDS_* for it is set;
 * on FreeBSD also one the table does not know (handed to jail_set as it is). */
bool jail_builds(const struct jail *j, unsigned platform);

struct conf_value {
	char *text;       /* expanded; for chains, builtins keep their "ACTION:" prefix */
	const char *file; /* points into conf->files */
	int line;
	bool inherited; /* given in [*], not in the jail's own section */
};

struct conf_param {
	const struct param_def *def; /* NULL: an unknown FreeBSD kernel parameter, passed through by name */
	char *name;
	struct conf_value *v;
	size_t n;
};

struct jail {
	char *name;
	struct conf_param *p;
	size_t np;
	const char *file; /* where its section starts */
	int line;
};

struct conf {
	char **files; /* every file read, includes too; conf_value.file points here */
	size_t nfiles;
	struct jail *jails; /* file order, [*] excluded */
	size_t njails;
};

/* Load PATH. On error returns -1 and writes "FILE:LINE: message" into err. */
int conf_load(const char *path, struct conf **out, char *err, size_t errlen);
/* The same from memory; NAME is used as FILE in messages. */
int conf_load_string(const char *name, const char *text, struct conf **out, char *err, size_t errlen);
/* Either of them building only the jail called JAIL (when not NULL), as jail(8) -c JAIL: every line is read
 * and checked, but another jail's values made of variables only when that jail is built. TEXT NULL reads
 * PATH. */
int conf_load_jail(const char *path, const char *text, const char *jail, struct conf **out, char *err, size_t errlen);
void conf_free(struct conf *c);

/* The jail called NAME, or, with NAME NULL, the only jail (NULL when there are several or none). */
const struct jail *conf_jail(const struct conf *c, const char *name);

/* Lookups apply the table's default when the parameter is not set. */
const struct conf_param *jail_param(const struct jail *j, const char *name); /* NULL when unset */
const char *jail_get(const struct jail *j, const char *name);                /* last value or default */
bool jail_bool(const struct jail *j, const char *name);
long long jail_int(const struct jail *j, const char *name);
double jail_duration(const struct jail *j, const char *name); /* seconds; -1 when unset with no default */
int jail_signal(const struct jail *j, const char *name);

/* "FILE:LINE: message" into ERR ("FILE: message" when LINE is 0, the message alone when FILE is NULL), as
 * every parser of warder reports; returns -1. */
int conf_errf(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* One more zeroed element of SZ bytes at the end of the array *VP of *N: its address, or NULL (the array
 * is left as it was) when memory ran out. */
void *conf_grow(void *vp, size_t *n, size_t sz);
size_t jail_list(const struct jail *j, const char *name, const struct conf_value **out);
bool jail_is_set(const struct jail *j, const char *name);

/* Value parsers shared with the command line; return 0 or -1. */
int conf_parse_bool(const char *s, bool *out);
int conf_parse_duration(const char *s, double *seconds);
int conf_parse_decimal(const char *s, double *out); /* digits with at most one '.', nothing else */
int conf_parse_signal(const char *s, int *sig);
int conf_parse_size(const char *s, long long *bytes); /* -1 for "max" */
const char *conf_signal_name(int sig);                /* "TERM"; NULL for a signal without a name */
int conf_parse_int(const char *s, long long lo, long long hi, long long *out);
bool conf_all_digits(const char *s); /* one or more decimal digits and nothing else */
/* Linux capability names ("net_admin", "CAP_NET_ADMIN"), usable on any system; -1 / NULL when unknown. */
int conf_cap_parse(const char *name);
const char *conf_cap_name(int cap);
/* A caps list into a mask of capability numbers: words separated by commas or blanks, each all, none, default
 * (the parameter table's default for caps), NAME or CAP_NAME (any case); "-WORD" takes it away again, "+WORD"
 * adds as a bare word does. 0, or -1 with one line in ERR ("NAME: ..."). Portable: check validates with it,
 * the Linux privilege drop applies it. */
int conf_caps_parse(const char *name, const char *list, unsigned long long *mask, char *err, size_t errlen);

#endif
