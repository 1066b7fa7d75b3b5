/* jail: the platform back end behind one small interface.
 *
 * The keeper (init/run.c) walks hooks/steps.h's tables and calls these for the non-chain steps. Every
 * function returns 0, or -1 after logging one line that names the step and what failed; a failed step has
 * undone its own partial work. Linux: init/linux/; FreeBSD: init/freebsd/. */
#ifndef WARDER_JAIL_H
#define WARDER_JAIL_H

#include <stdbool.h>
#include <sys/types.h>

#include "conf.h"
#include "steps.h"

struct jailrun {
	const struct jail *j;
	const char *name;
	pid_t init_pid; /* host pid of the jail's init (PID 1 inside on Linux, the reaper on FreeBSD) */
	long jid;       /* FreeBSD jid; -1 on Linux */
	int sync_fd;    /* keeper's end of the socketpair to the init, -1 when none */
	bool rootless;  /* not real root: only a user namespace's powers */
	void *priv;     /* back end state */
};

/* The init's body: runs inside the new jail after the back end's setup step. Returns the exit status. */
typedef int (*jail_init_fn)(struct jailrun *r, void *arg);

struct jail_backend {
	enum os os;
	int (*aliases)(struct jailrun *r, bool add);   /* STEP_ALIASES / STEP_UNALIAS */
	int (*mounts)(struct jailrun *r, bool mount);  /* STEP_MOUNTS / STEP_UNMOUNTS (host side) */
	/* STEP_CREATE: make the jail and its init process; the init blocks until jail_go(). */
	int (*create)(struct jailrun *r, jail_init_fn init, void *arg);
	int (*vnet)(struct jailrun *r, bool in);       /* STEP_VNET / given back on removal */
	int (*setup)(struct jailrun *r);               /* STEP_SETUP, inside the init */
	int (*drop)(struct jailrun *r);                /* in the main command's child: caps, nnp, groups, gid, uid */
	int (*remove)(struct jailrun *r);              /* STEP_REMOVE: the init is gone or killed; free it all */
};

extern const struct jail_backend jail_backend; /* this system's */

#endif
