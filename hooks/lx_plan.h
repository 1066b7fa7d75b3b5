/* lx_plan: every Linux jail decision, as data, in portable C (built and tested on any system).
 *
 * From one resolved jail this module decides what the Linux back end does at each of its steps: the
 * namespaces the init is cloned into, its id maps and cgroups (STEP_CREATE), the interfaces moved in
 * (STEP_VNET), every mount, /dev, the pivot, the names and limits inside (STEP_SETUP), what goes on removal
 * (STEP_REMOVE). `warder check` prints the list through lx_describe(); init/linux/ walks the very same list
 * with lx_plan_walk() and only turns each operation into system calls. */
#ifndef WARDER_LX_PLAN_H
#define WARDER_LX_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "steps.h"

enum lx_op_kind {
	/* STEP_CREATE, on the host */
	LXO_CLONE,   /* clone3 the init into ns; flag: the network namespace is made beside (LXO_NETJOIN) */
	LXO_IDMAPS,  /* write uid_map and gid_map (a rootless run maps itself to root when none is given) */
	LXO_CGROUPS, /* the init's cgroups and their limits */
	/* STEP_VNET */
	LXO_VNET, /* move interface arg into the init's network namespace */
	/* STEP_SETUP, inside the init */
	LXO_REFUSE,   /* the step fails with text: the config asks for what this jail cannot do */
	LXO_PRIVATE,  /* make the mount tree private */
	LXO_ROOT,     /* the rootfs: arg the path bound onto itself (flag: nodev), or NULL for "/" or pivot NEW */
	LXO_MOUNT,    /* one fstab line, v */
	LXO_FSTAB,    /* every line of file arg */
	LXO_KEEP,     /* keep_mount v */
	LXO_PROC,     /* procfs on /proc, arg hidepid or NULL; flag: no pid namespace (a warning) */
	LXO_SYS,      /* sysfs on /sys, read-only */
	LXO_TMP,      /* tmpfs on /tmp */
	LXO_DEV,      /* /dev from ruleset arg; flag: host nodes bound (user namespace) */
	LXO_PIVOT,    /* pivot_root into the rootfs */
	LXO_UTS,      /* name (host.hostname, host.domainname) set to arg */
	LXO_NETJOIN,  /* join the network namespace the keeper made beside the mounts (LXO_CLONE's flag) */
	LXO_LOOPBACK, /* bring lo up */
	LXO_RLIMITS,  /* every rlimit.NAME */
	/* STEP_REMOVE, on the host */
	LXO_REAP,     /* the init ends; its namespaces and mounts go with it */
	LXO_UNCGROUP, /* kill what is left in the cgroups, remove them */
	LXO_UNLINK,   /* remove the setns socket arg */
};

struct lx_op {
	enum step_id step;
	enum lx_op_kind kind;
	const char *name;           /* LXO_UTS: the parameter */
	const char *arg;            /* the value it works on (the jail's text), NULL when none */
	const struct conf_value *v; /* LXO_MOUNT, LXO_KEEP: the value, with its file and line */
	unsigned ns;                /* LXO_CLONE: NS_BIT()s (conf/ns.h) */
	bool flag;                  /* see the kinds */
	char *text;                 /* LXO_REFUSE: the message (owned) */
};

struct lx_plan {
	struct lx_op *ops; /* in execution order; each step's ops together, in the step table's order */
	size_t n;
};

/* Decide everything for J. 0, or -1 when out of memory (errno set); *out is then empty. */
int lx_plan_build(const struct jail *j, struct lx_plan *out);
void lx_plan_free(struct lx_plan *p);

/* What `warder check` prints for OP: one action per line, no trailing newline. Caller frees; NULL when out of
 * memory. */
char *lx_op_describe(const struct jail *j, const struct lx_op *op);
/* Every op of STEP in J's plan, one action per line; NULL when the step does nothing (or out of memory). */
char *lx_describe(const struct jail *j, enum step_id step);

/* The executor's loop: FN for each op of STEP in P's order, stopping at the first that fails (-1). Each op
 * done is written to the trace (below) before the next starts. */
typedef int (*lx_op_fn)(const struct lx_op *op, void *arg);
int lx_plan_walk(const struct jail *j, const struct lx_plan *p, enum step_id step, lx_op_fn fn, void *arg);

/* The trace of executed ops, for the test that compares run with check: when WARDER_PLAN_TRACE names a file,
 * lx_trace_open() (called once on the host, before the init is cloned, so that the init inherits it) opens it
 * for appending, and every op done adds "STEP<TAB>LINE" per line of its description. */
void lx_trace_open(void);

#endif
