/* steps: the create and remove sequences of a jail, in jail(8)'s order, as one table.
 *
 * Each step has a context (host or jail), the chain parameter it runs (or a back-end action), and its undo
 * step. One walker (step_walk_forward, step_walk_back) serves the keeper, the jail's init, init-only mode and
 * `check`: it walks the create list forwards; after a failure it walks back over the steps done and runs
 * their undo steps, plus the remove-side partner of every chain whose create side completed (prestart ran, so
 * poststop runs) - warder's deliberate improvement on jail(8). `warder check` prints the same plan. */
#ifndef WARDER_STEPS_H
#define WARDER_STEPS_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

enum os { OS_LINUX, OS_FREEBSD };

enum step_ctx { CTX_HOST, CTX_JAIL };

enum step_id {
	STEP_NONE = 0,
	/* create */
	STEP_PREPARE,   /* exec.prepare (host) */
	STEP_ALIASES,   /* ip4.addr/ip6.addr aliases on the host interface (FreeBSD) */
	STEP_MOUNTS,    /* host-side mount, mount.fstab, mount.devfs, mount.fdescfs, mount.procfs (FreeBSD) */
	STEP_PRESTART,  /* exec.prestart (host) */
	STEP_CREATE,    /* jail_set JAIL_CREATE / clone with namespace flags */
	STEP_CREATED,   /* exec.created (host) */
	STEP_VNET,      /* vnet.interface moved in */
	STEP_JAILED,    /* exec.jailed (jail): uWSGI's post-jail/in-jail hooks, inside before the root changes */
	STEP_SETUP,     /* inside: root, /proc, /dev, fstab, hostname, limits (Linux); attach + reaper (FreeBSD) */
	STEP_START,     /* exec.start (jail) */
	STEP_COMMAND,   /* the supervised main command (jail) */
	STEP_POSTSTART, /* exec.poststart (host) */
	/* remove */
	STEP_PRESTOP,  /* exec.prestop (host) */
	STEP_STOP,     /* exec.stop (jail) */
	STEP_KILL,     /* SIGTERM everything, wait stop.timeout, SIGKILL */
	STEP_REMOVE,   /* jail_remove / the init exits and the namespaces go */
	STEP_POSTSTOP, /* exec.poststop (host) */
	STEP_UNMOUNTS, /* host-side unmounts, reverse order */
	STEP_UNALIAS,  /* aliases removed */
	STEP_RELEASE,  /* exec.release (host) */
	/* The keeper's sockets (`listen`): bound before the first create step and closed after the last remove
	 * step of its last jail. Outside both orders: they outlive every rebuild in between (init/sockets.h). */
	STEP_LISTEN,
	STEP_UNLISTEN,
	STEP_COUNT
};

struct step_def {
	enum step_id id;
	const char *name; /* "prestart" */
	enum step_ctx ctx;
	const char *chain; /* the chain parameter it runs, or NULL for a back-end action */
	enum step_id undo; /* the remove step that undoes it, STEP_NONE if none */
	unsigned os_mask;  /* 1 << OS_LINUX | 1 << OS_FREEBSD */
};

extern const struct step_def step_table[STEP_COUNT];
extern const enum step_id step_create_order[];
extern const size_t step_create_count;
extern const enum step_id step_remove_order[];
extern const size_t step_remove_count;

const struct step_def *step_get(enum step_id id);
const char *ctx_name(enum step_ctx ctx);
bool step_on(enum step_id id, enum os os); /* the step exists on OS */

/* The unwinding rule. DONE marks the create steps that completed (a step that failed is not done). Writes
 * to OUT, in remove-table order, the remove steps to run: the undo of every done back-end step and the
 * remove-side partner of every done chain (prepare->release, prestart->poststop, start->stop,
 * poststart->prestop); the command's undo is the kill step. With every step done it is the full remove
 * sequence. Returns how many were written (at most CAP; STEP_COUNT is always enough). */
size_t step_unwind(const bool done[STEP_COUNT], enum step_id *out, size_t cap);

/* --- the walker: the one loop over the orders (the keeper, the jail's init, init-only mode, the tests) --- */
struct step_walk {
	bool done[STEP_COUNT]; /* create steps that completed */
	bool ran[STEP_COUNT];  /* steps already run in this build (a remove step runs once) */
	enum step_id at;       /* the create step under way, or the one the walk stopped at */
};
/* What a walk does at each step; ARG is the walker's caller. */
struct step_ops {
	/* Whether this walk has step ID; NULL: every step. A step it lacks is neither run nor done. */
	bool (*has)(void *arg, enum step_id id);
	/* Asked before each create step: the signal of a stop request, 0 none. Then the step does not run, a line
	 * says so and the walk returns 128+N. NULL: nothing stops the walk. */
	int (*stopped)(void *arg);
	/* Run create step ID / remove step ID: 0, or the exit status its failure means (> 0). */
	int (*run)(void *arg, enum step_id id);
	int (*undo)(void *arg, enum step_id id);
};
void step_walk_reset(struct step_walk *w);
/* Forward: the create steps the walk has and has not done, in order, through TO (STEP_NONE: to the end). A
 * step another process ran may be marked done beforehand (step_walk_mark); it is skipped. Returns 0, or the
 * failed step's status with w->at naming it; a failed step is not done. */
int step_walk_forward(struct step_walk *w, enum step_id to, const struct step_ops *ops, void *arg);
/* Back: the remove steps step_unwind() gives for w->done, in order, through TO (STEP_NONE: to the end),
 * each at most once (w->ran), so that a later walk goes on from where this one got. Every step runs even
 * after one failed (nothing is left behind); returns the first failure's status, 0 when none. */
int step_walk_back(struct step_walk *w, enum step_id to, const struct step_ops *ops, void *arg);
/* Mark done the create steps of context CTX before STOP in the create order (STEP_NONE: all of them): what
 * another process reports it completed. */
void step_walk_mark(struct step_walk *w, enum step_ctx ctx, enum step_id stop);
/* The jail ran: every create step counts as done, and walking back is the full remove order. */
void step_walk_built(struct step_walk *w);
bool step_creates(enum step_id id); /* ID is in the create order */
const char *step_name(enum step_id id);
enum step_id step_by_name(const char *name); /* STEP_NONE when no step has that name */

/* A plan: the resolved steps for one jail on one OS, for `warder check` and for the keeper. */
struct plan_item {
	enum step_id step;
	enum step_ctx ctx;
	char *what; /* the expanded command, builtin, or a description of the back-end action */
};
struct plan {
	struct plan_item *items; /* the create steps in order, then the remove steps in order */
	size_t n;
	enum os os;
	bool jailed;
};
/* Whether J builds a jail on OS (any jail parameter: path, unshare, a kernel parameter, jail2, ...), or
 * warder is only the init of a jail someone else made (then host and jail context are the same place). */
bool plan_jailed(const struct jail *j, enum os os);
/* Every step of J on OS that does something, with its expanded commands and back-end descriptions; steps
 * whose parameter is unset are left out, as jail(8) skips them. Returns 0, or -1 (out of memory, logged). */
int plan_build(const struct jail *j, enum os os, bool jailed, struct plan *out);
/* One line per item: "  4 prestart   host  ifconfig epair253 create up", under "# create" and "# remove".
 * Returns 0, or -1 when writing failed. */
int plan_print(const struct plan *p, const struct jail *j, int fd);
/* The same plan as JSON members for `warder check --json` (schema: warder(8)): "os", "jailed" and "steps", one
 * object per step with its position, name, phase, context and actions. */
struct ctl_out;
void plan_json(const struct plan *p, struct ctl_out *o);
void plan_free(struct plan *p);
/* What can be known before anything runs (hooks/verify.c), for `check` and for `run` before its first step.
 * plan_verify: the config errors the files settle (a parameter that does nothing in init-only mode, an
 * undefined devfs_ruleset on Linux, what the FreeBSD plan refuses): 0, or -1 with "FILE:LINE: message" in
 * err (exit 78). plan_warn: one warning per thing the host lacks today that a hook may still make (path,
 * user, group, exec.jail_user, exec.system_user, mount.fstab), each naming its line; only for this OS. */
int plan_verify(const struct jail *j, enum os os, bool jailed, char *err, size_t errlen);
void plan_warn(const struct jail *j, enum os os, bool jailed);
const char *os_name(enum os os); /* "linux", "freebsd" */
int os_parse(const char *s, enum os *out);
enum os os_this(void);

#endif
