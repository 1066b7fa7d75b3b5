/* devfs: devfs.rules(5) rulesets, the one /dev language on both systems.
 *
 * Three parts, and a jail's choice of rules (devfs_jail.c):
 *  - the parser (devfs.c): devfs.rules text (several files merge: the built-in defaults, then the user's)
 *    into rulesets, each rule already turned into the record devfs(8) would hand to the kernel with
 *    DEVFSIO_RADD;
 *  - the compiler's output (devfs.c): struct devfs_record, a portable mirror of FreeBSD's struct devfs_rule
 *    (same fields, same numeric constants), so Linux tests can check it and the FreeBSD back end copies it
 *    field by field into the kernel struct; devfs_load_plan lists the rulesets to load in an order the kernel
 *    accepts;
 *  - the evaluator (devfs_eval.c): what the kernel does with a ruleset on a devfs mount (fnmatch
 *    FNM_PATHNAME on the path below /dev, rules in rule-number order, later rules win, includes followed
 *    vfs.devfs.rule_depth levels deep, a hidden directory hides everything below it). Linux builds a jail's
 *    /dev from its answer (init/linux/devwalk.c walks the host's /dev).
 *
 * Facts from FreeBSD's sources (sbin/devfs/rule.c, sys/fs/devfs/devfs_rule.c, libexec/rc/rc.subr):
 *  - a rule line is `add [RULENUM] [path PATTERN] [type disk|mem|tape|tty]... ACTION...`; conditions come
 *    before actions; several `type` words OR together; user/group names are looked up with getpwnam/getgrnam
 *    on the host that loads the rules, and a number is accepted when no such name exists;
 *  - without RULENUM devfs(8) sends rule number 0 and the kernel numbers the rule 100 past the highest rule
 *    of its ruleset (100 for the first);
 *  - rc.subr reads the file line by line: text from the first '#' on is a comment, `[name=N]` starts ruleset
 *    N (clearing what it held, `devfs rule delset`), and `$name` in a rule is the number of a ruleset named
 *    in an earlier header (shell expansion), so an include must name a ruleset defined before it. */
#ifndef WARDER_DEVFS_H
#define WARDER_DEVFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The kernel's values (fs/devfs/devfs.h, sys/conf.h), under names that cannot clash with them. */
#define DEVFS_MAGIC_V 0xdb0a087aU /* DEVFS_MAGIC */
#define DEVFS_PATTERN_MAX 200     /* DEVFS_MAXPTRNLEN, the terminating NUL included */
enum {
	DEVFS_DRC_DSWFLAGS = 0x001, /* DRC_DSWFLAGS: match the driver's type flags */
	DEVFS_DRC_PATHPTRN = 0x002, /* DRC_PATHPTRN: match the path pattern */
};
enum {
	DEVFS_DRA_BACTS = 0x001,  /* DRA_BACTS: dr_bacts is set */
	DEVFS_DRA_UID = 0x002,    /* DRA_UID */
	DEVFS_DRA_GID = 0x004,    /* DRA_GID */
	DEVFS_DRA_MODE = 0x008,   /* DRA_MODE */
	DEVFS_DRA_INCSET = 0x010, /* DRA_INCSET */
};
enum {
	DEVFS_DRB_HIDE = 0x001,   /* DRB_HIDE */
	DEVFS_DRB_UNHIDE = 0x002, /* DRB_UNHIDE */
};
enum {
	DEVFS_D_TAPE = 0x0001, /* D_TAPE */
	DEVFS_D_DISK = 0x0002, /* D_DISK */
	DEVFS_D_TTY = 0x0004,  /* D_TTY */
	DEVFS_D_MEM = 0x0008,  /* D_MEM */
};

#define DEVFS_MKRID(rsn, rn) ((uint32_t)(rn) | ((uint32_t)(rsn) << 16)) /* mkrid */
#define DEVFS_RID2RSN(rid) ((uint16_t)((rid) >> 16))                    /* rid2rsn */
#define DEVFS_RID2RN(rid) ((uint16_t)((rid)&0xffff))                    /* rid2rn */

/* struct devfs_rule, field for field (kernel types: dr_id devfs_rid = uint32_t, uid_t and gid_t uint32_t,
 * mode_t uint16_t on FreeBSD, dr_incset devfs_rsnum = uint16_t). */
struct devfs_record {
	uint32_t dr_magic; /* DEVFS_MAGIC_V */
	uint32_t dr_id;    /* DEVFS_MKRID(ruleset, rule); rule 0 = let the kernel number it */
	int dr_icond;      /* DEVFS_DRC_* */
	int dr_dswflags;   /* DEVFS_D_* */
	char dr_pathptrn[DEVFS_PATTERN_MAX];
	int dr_iacts; /* DEVFS_DRA_* */
	int dr_bacts; /* DEVFS_DRB_* */
	uint32_t dr_uid;
	uint32_t dr_gid;
	uint16_t dr_mode; /* permission bits only (07777) */
	uint16_t dr_incset;
};

/* One `add` line. */
struct devfs_rule {
	struct devfs_record rec; /* exactly what devfs(8) sends: the rule number is 0 unless written */
	uint16_t rnum;           /* the number the kernel gives it (autonumbering applied) */
	const char *file;        /* points into devfs_rules.files */
	int line;
};

struct devfs_ruleset {
	char *name;               /* "devfsrules_jail" */
	uint16_t number;          /* 1..65535 */
	struct devfs_rule *rules; /* sorted by rnum: the kernel's order */
	size_t nrules;
	const char *file; /* where its (last) header is */
	int line;
};

struct devfs_rules {
	struct devfs_ruleset *sets; /* in order of first definition */
	size_t nsets;
	char **files;
	size_t nfiles;
	/* Resolves user/group names (kind 'u' or 'g'); 0 on success, -1 when unknown. NULL: the host
	 * resolver (devfs_set_host_resolver), as devfs(8) asks getpwnam/getgrnam. Set before loading. */
	int (*resolve)(int kind, const char *name, uint32_t *id, void *arg);
	void *resolve_arg;
};

/* The resolver of rules without one of their own: the host's user and group databases, which the program
 * registers once at start (init/main.c: jailpw_host_id), so that this layer reads no databases itself. None
 * registered: a name is unknown and only numbers are taken. */
void devfs_set_host_resolver(int (*fn)(int kind, const char *name, uint32_t *id, void *arg));

/* The built-in default rulesets 1-5 (FreeBSD's etc/defaults/devfs.rules), generated from conf/devfs.rules. */
extern const char devfs_default_rules[];
#define DEVFS_DEFAULT_NAME "devfs.rules(defaults)"

/* A zeroed struct devfs_rules is empty and ready. Loading adds to it (files in the order loaded: the defaults
 * first, then the user's). On error returns -1 with "FILE:LINE: message" in err; the struct stays valid for
 * devfs_rules_free but may hold part of the failed file, so do not use it for a jail then. */
int devfs_rules_load(struct devfs_rules *r, const char *path, char *err, size_t errlen);
int devfs_rules_load_string(struct devfs_rules *r, const char *name, const char *text, char *err, size_t errlen);
int devfs_rules_load_defaults(struct devfs_rules *r, char *err, size_t errlen);
void devfs_rules_free(struct devfs_rules *r);

/* A ruleset by number ("4") or name ("devfsrules_jail", "$devfsrules_jail"); NULL when unknown. */
const struct devfs_ruleset *devfs_ruleset_find(const struct devfs_rules *r, const char *spec);
const struct devfs_ruleset *devfs_ruleset_bynum(const struct devfs_rules *r, unsigned number);

/* The rulesets to load for SET, each after every ruleset it includes (the kernel refuses an include of a
 * ruleset it does not have): with includes false just SET. Fills out[] (at most max), returns the count or
 * -1 when max is too small. Load each with `delset` first, then its rules' records in order. */
int devfs_load_plan(const struct devfs_rules *r, const struct devfs_ruleset *set, bool includes,
		    const struct devfs_ruleset **out, size_t max);
/* One record as devfs(8) would print it back ("100 path 'ptmx' unhide"): for `warder check`. */
void devfs_record_format(const struct devfs_record *rec, uint16_t rnum, char *buf, size_t len);

/* --- evaluation ---------------------------------------------------------------------------------------- */

#define DEVFS_DEFAULT_DEPTH 1 /* vfs.devfs.rule_depth */

enum devfs_ntype {
	DEVFS_N_DEV, /* a device with none of the type flags */
	DEVFS_N_DISK,
	DEVFS_N_MEM,
	DEVFS_N_TAPE,
	DEVFS_N_TTY,
	DEVFS_N_DIR, /* directories and links have no driver: `type` conditions never match them */
	DEVFS_N_LINK,
};

struct devfs_node {
	char *path; /* below /dev without a leading slash: "pts/0", "zvol/tank/vol1" */
	enum devfs_ntype type;
	const char *alias; /* a second name rules may match it by (Linux "full" answers to "zero"); or NULL */
	/* From a walk (zero otherwise). */
	mode_t st_mode;
	dev_t rdev;
	char *link;   /* a symlink's target */
	uid_t st_uid; /* the host node's owner and group: a jail's node made with mknod starts with them */
	gid_t st_gid;
	/* Set by devfs_eval. */
	bool visible; /* the node and every directory above it are unhidden */
	bool set_uid, set_gid, set_mode;
	uint32_t uid, gid;
	uint16_t mode;
};

/* Apply SET (includes followed DEPTH levels) to every node. Directories above a node count even when they
 * are not in the list. */
void devfs_eval(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth, struct devfs_node *nodes,
		size_t n);
/* True when a rule SET runs (includes followed DEPTH levels) has a `type` condition: only then does a node's
 * type (its lstat) change what the ruleset says about it. */
bool devfs_uses_types(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth);

/* The FreeBSD name a Linux node also answers to, or NULL: how rulesets 2-4 cover the OCI base set. */
const char *devfs_linux_alias(const char *path);

void devfs_nodes_free(struct devfs_node *nodes, size_t n);

/* True when SET leaves a disk or memory device visible (a warning for `warder check`): judged on a fixed
 * list of typical FreeBSD and Linux disk and memory nodes, and on unhide rules that reach into a disk
 * directory (zvol/, mapper/, disk/, gpt/ ...). WHAT gets the first such node or pattern. */
bool devfs_exposes_host_devices(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth,
				char *what, size_t whatlen);

/* --- a jail's rules ---------------------------------------------------------------------------------------- */

struct jail;

/* The rules a jail uses: the built-in defaults, then its devfs.rules file (the installed default file only when
 * it is there); its ruleset (devfs_ruleset) and include depth (devfs.rule_depth). 0, or -1 with a message in
 * err (the struct is then only for devfs_rules_free). */
int devfs_jail_rules(const struct jail *j, struct devfs_rules *r, const struct devfs_ruleset **set, unsigned *depth,
		     char *err, size_t errlen);
/* The rules SET runs (includes followed DEPTH levels) that set a user, group or mode, each once, in the order
 * they run. Fills out[] with at most max; returns how many there are. */
size_t devfs_owner_rules(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth,
			 const struct devfs_rule **out, size_t max);
/* Linux: the jail gets a /dev built from its ruleset (mount.devfs; unset: when it has a path). */
bool devfs_linux_wanted(const struct jail *j);
/* Linux: the jail has its own user namespace (unshare lists user), so its /dev nodes are the host's bound in:
 * no mknod there, and user, group and mode rules cannot apply. */
bool devfs_linux_userns(const struct jail *j);
/* `warder check` on Linux: one warning per rule the jail's /dev cannot apply (FILE:LINE of the rule); returns
 * how many. Silent when the rules do not load (that is a config error, reported elsewhere). */
size_t devfs_check_linux(const struct jail *j);

#endif
