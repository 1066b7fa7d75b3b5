/* fbsd_plan: every FreeBSD jail decision, as data, in portable C (built and tested on Linux).
 *
 * From one resolved jail (conf.h) this module decides what jail(8) would do: the parameter list handed to
 * jail_set, the old jail(2) request for uWSGI's `jail = ROOTFS [HOSTNAME [NAME]]`, the host-side mounts in
 * jail(8)'s order (unmount = the reverse), the IP aliases, the vnet interfaces, the devfs ruleset, exec.fib,
 * the init's resource limits.
 * Portable data, hence in conf/: init/freebsd/ only turns these lists into system calls (their arguments are
 * fbsd_args.c's), and `warder check --os freebsd` prints them through hooks/fbsd_describe.h. Errors are one
 * line "FILE:LINE: message" in err (the value's origin) and the caller exits 78, except for files read at
 * plan time (mount.fstab, devfs.rules), whose errors name that file. */
#ifndef WARDER_FBSD_PLAN_H
#define WARDER_FBSD_PLAN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "conf.h"

/* One jail_set parameter, exactly as jail(8) hands it to jailparam_import(). value NULL: set without a
 * value, as jail.conf's bare `param;` (a boolean true; a jailsys parameter such as vnet then means "new"). */
struct fbsd_param {
	char *name;
	char *value;
};

/* One host-side mount. jail(8) runs `mount -t FSTYPE [-o OPTS] FROM TO`; warder calls nmount(2) with the
 * same fields (fstype, from, fspath, and each OPTS item as name[=value]). */
struct fbsd_mount {
	char *fstype;
	char *from;
	char *to;         /* absolute host path */
	char *opts;       /* comma list, NULL when none */
	const char *what; /* "mount", "mount.fstab", "mount.devfs", "mount.fdescfs", "mount.procfs" */
};

/* One address added to a host interface (`ip4.addr = iface|addr/mask`, or `interface` + ip4.addr). */
struct fbsd_alias {
	int af; /* 4 or 6 */
	char *iface;
	char *addr; /* the address alone */
	int prefix; /* 0..32 / 0..128; 32 / 128 when the value has no mask, as jail(8) does */
};

/* uWSGI's old API: jail(2) with struct jail version 2 (create and attach in one call). */
struct fbsd_oldjail {
	char *path;
	char *hostname; /* "" when not given */
	char *name;     /* NULL when not given */
	char **ip4, **ip6;
	size_t nip4, nip6;
};

/* The devfs ruleset for mount.devfs and the devfs_ruleset parameter. */
struct fbsd_ruleset {
	int number; /* -1: no ruleset at all (no devfs_ruleset and no mount.devfs) */
	char *name; /* the ruleset's name when known, else NULL */
	char *file; /* devfs.rules file that defines it, NULL when only a number was given */
	bool load;  /* the config names the rules file (`devfs.rules = FILE`): warder loads the ruleset into
			the kernel (DEVFSIO_RADD) when the kernel does not have it yet */
};

enum fbsd_mode {
	FBSD_CREATE, /* jail_set(JAIL_CREATE) with params */
	FBSD_OLDAPI, /* jail(2) with old */
	FBSD_ATTACH, /* jail-attach: join an existing jail, create and remove nothing */
};

struct fbsd_plan {
	enum fbsd_mode mode;
	char *name;                /* the jail's name (the section's) */
	char *path;                /* the jail's root, NULL when none */
	struct fbsd_param *params; /* FBSD_CREATE: name first, then every kernel parameter in config order */
	size_t nparams;
	bool keep_persist;         /* the config sets persist: keep it after the init is inside */
	struct fbsd_oldjail old;   /* FBSD_OLDAPI */
	char *attach;              /* FBSD_ATTACH: jid or name */
	char *jidfile;             /* NULL: none */
	struct fbsd_mount *mounts; /* mount order; unmount in reverse */
	size_t nmounts;
	struct fbsd_alias *aliases; /* add order; remove in reverse */
	size_t naliases;
	char **vnet_ifs; /* vnet.interface, moved in in this order */
	size_t nvnet;
	struct fbsd_ruleset ruleset;
	int fib;                    /* exec.fib, -1 when unset */
	struct fbsd_param *rlimits; /* rlimit.NAME = SOFT[:HARD] set by the init (name "nofile"), config order */
	size_t nrlimits;
	char *user, *group; /* main command's identity inside the jail, NULL: stay root */
};

/* Does J build a jail (keeper + init)? True with the old API, jail-attach, or any kernel parameter; false:
 * `warder run` is the init of a jail someone else made (exec.start = warder run ...). */
bool fbsd_wanted(const struct jail *j);

/* Decide everything for J. Reads mount.fstab and devfs.rules files as jail(8) and devfs(8) would.
 * Returns 0, or -1 with one line in err; *out is then empty (nothing to free). */
int fbsd_plan_build(const struct jail *j, struct fbsd_plan *out, char *err, size_t errlen);
void fbsd_plan_free(struct fbsd_plan *p);
/* fbsd_plan_build's errors without its reads of host files: a mount.fstab or devfs.rules file that is not on
 * this host is left to run time (a hook may make it). For plan_verify. */
int fbsd_plan_verify(const struct jail *j, char *err, size_t errlen);
/* fbsd_plan_build for describing: a mount.fstab file not readable here is left to run time and named in
 * *NOTE (caller frees; NULL when none). On failure *out and *note are empty. */
int fbsd_plan_lenient(const struct jail *j, struct fbsd_plan *out, char **note, char *err, size_t errlen);

/* Pieces of fbsd_plan_build, for the tests and for callers that need only one list. */
int fbsd_params_build(const struct jail *j, struct fbsd_plan *p, char *err, size_t errlen);
/* One fstab-format line (a `mount` value or a mount.fstab line) split as jail(8) splits it: fields
 * separated by blanks, \NNN octal escapes in the first two, `#` starts a comment. Appends 0 or 1 entries. */
int fbsd_mount_line(struct fbsd_plan *p, const char *line, const char *what, const char *file, int lineno, char *err,
		    size_t errlen);
/* Every line of an fstab-format text (mount.fstab's content); NAME is used in messages. */
int fbsd_mount_text(struct fbsd_plan *p, const char *text, const char *name, char *err, size_t errlen);
/* Parse "addr", "addr/prefix" or "addr/dotted-mask" of family AF (4 or 6). Returns 0 or -1. */
int fbsd_addr_parse(int af, const char *s, char **addr, int *prefix);
/* Resolve devfs_ruleset (number, or name through `devfs.rules` / the system rules files). */
int fbsd_ruleset_resolve(const struct jail *j, struct fbsd_ruleset *out, char *err, size_t errlen);
/* Look NAME up in a devfs.rules text: the number of `[NAME=N]`, or -1. */
int fbsd_ruleset_lookup(const char *text, const char *name);

/* jail(8)'s check before mounting on or unmounting TO: TO must be absolute, and no component of TO below the
 * jail's path may be a symbolic link (the host would follow it). Uses lstat(2). Returns 0 or -1 with err. */
int fbsd_path_check(const char *jailpath, const char *to, char *err, size_t errlen);

/* --- the system calls' arguments (fbsd_args.c), built here so that the tests check them on Linux;
 * init/freebsd/ passes them on unchanged ------------------------------------------------------------------ */

#define FBSD_IFCONFIG "/sbin/ifconfig"
#define FBSD_IFNAMSIZ 16 /* <net/if.h>'s IFNAMSIZ, the terminating NUL included */

/* nmount(2)'s iovec for M, as mount(8) builds it: "fstype", "fspath", "from" (and nullfs's "target"), then a
 * name and a value per option of M->opts ("rw", the default, is not sent; an option without `=` has no value:
 * a NULL, 0-length iovec), then "errmsg" and ERRMSG for the kernel's message. The options are split in BUF,
 * which must outlive IOV. Returns the number of iovecs, or -1 when IOV (MAX entries) or BUF is too small. */
int fbsd_mount_iov(const struct fbsd_mount *m, struct iovec *iov, size_t max, char *buf, size_t buflen, char *errmsg,
		   size_t errlen);

/* ifconfig(8)'s command that adds (ADD) or removes alias A, as jail(8) runs it:
 * /sbin/ifconfig IFACE inet|inet6 ADDR/PREFIX alias (ADDR -alias to remove). The address is written in BUF;
 * ARGV gets 6 entries, the last NULL. */
void fbsd_alias_argv(const struct fbsd_alias *a, bool add, char *buf, size_t buflen, char *argv[6]);

/* jail(2)'s address arrays (struct jail's ip4 and ip6) for O, in O's order. Returns 0, or -1 with errno
 * (ENOMEM; EINVAL for an address the plan would have refused). The caller frees *A4 and *A6. */
int fbsd_oldjail_addrs(const struct fbsd_oldjail *o, struct in_addr **a4, struct in6_addr **a6);

#endif
