/* jail: the platform back end behind one small interface.
 *
 * The keeper (init/keeper.c) walks hooks/steps.h's tables and calls these for the non-chain steps. Every
 * function returns 0, or -1 after logging one line that names the step and what failed; a failed step has
 * undone its own partial work. A NULL op is a step this platform does not have. Linux: init/linux/;
 * FreeBSD: init/freebsd/. */
#ifndef WARDER_JAIL_H
#define WARDER_JAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "conf.h"
#include "jailpw.h"
#include "steps.h"

struct jailrun {
	const struct jail *j;
	const char *name;
	pid_t init_pid; /* host pid of the jail's init (PID 1 inside on Linux, the reaper on FreeBSD) */
	long jid;       /* FreeBSD jid; -1 on Linux */
	int sync_fd;    /* keeper's end of the socketpair to the init, -1 when none */
	int init_fd;    /* the init's end; the keeper closes its copy once the init exists */
	bool rootless;  /* not real root: only a user namespace's powers */
	bool pid_ns;    /* the init is PID 1 of its own pid namespace: stopping it stops everything */
	/* The init's copy: the network namespace the keeper passed (KMSG_NETNS) until the init joins it, -1 none
	 * (the keeper could not make one, and said why); net_got once that message came. */
	int net_fd;
	bool net_got;
	/* exec.jail_user as the host's passwd has it (exec.system_jail_user), looked up by the keeper before the
	 * jail exists, when the host's files are still in view; NULL otherwise. */
	const struct jailpw *jail_user;
	void *priv; /* back end state */
};

/* The init's body: runs inside the new jail, in the new process, once the back end made it. Returns the
 * init's exit status; the back end's child exits with it. */
typedef int (*jail_init_fn)(struct jailrun *r, void *arg);

#define JAIL_ECONFIG (-2) /* a step failed for a name in the config that cannot work here */

struct jail_backend {
	enum os os;
	/* Does this config build a jail (keeper + init), or is `run` the init of a jail someone else made? */
	bool (*wanted)(const struct jail *j);
	/* Before any step: refuse, with one line, what this user cannot have (rootless: vnet, cgroups it
	 * cannot write, namespaces without a user namespace). */
	int (*check)(struct jailrun *r);
	int (*aliases)(struct jailrun *r, bool add);  /* STEP_ALIASES / STEP_UNALIAS */
	int (*mounts)(struct jailrun *r, bool mount); /* STEP_MOUNTS / STEP_UNMOUNTS (host side) */
	/* STEP_CREATE: make the jail and its init process (the init blocks until the keeper's "go"), its
	 * identity maps and its resource limits. */
	int (*create)(struct jailrun *r, jail_init_fn init, void *arg);
	int (*vnet)(struct jailrun *r, bool in); /* STEP_VNET / given back on removal */
	/* Optional, on the host right after "go", while the init runs the in-jail steps (Linux: the network
	 * namespace made beside them). -1 after a line: the init fails its setup. */
	int (*after_go)(struct jailrun *r);
	int (*setup)(struct jailrun *r);  /* STEP_SETUP, inside the init */
	int (*finish)(struct jailrun *r); /* inside the init, after exec.start */
	/* In the main command's child: caps, nnp, groups, gid, uid. -1, or JAIL_ECONFIG when a user or group the
	 * config names is not in the jail (the child then exits 78, not 71). */
	int (*drop)(struct jailrun *r);
	/* Optional, in the parent before each start of the command: readies drop so that it makes system calls
	 * only (the child is then a vfork one). 0, or -1 (nothing said): drop then does it all in a forked child. */
	int (*drop_prepare)(struct jailrun *r);
	/* STEP_REMOVE: wait for the init (killing it when it is still there), free the rest. Returns the
	 * init's wait status in *wstatus (-1 when it was not ours to wait for). */
	int (*remove)(struct jailrun *r, int *wstatus);
	/* Optional: an fd that polls readable once the init has exited (Linux: its pidfd), -1 when there is none.
	 * The back end keeps it, and remove closes it. */
	int (*exit_fd)(struct jailrun *r);
	/* `warder attach`, in the attaching process: enter jail NAME (NULL with a setns socket) and its root.
	 * INIT_PID: the init warder's state names for it (0: none), KEEPER its keeper (0: none), whose child it
	 * must still be once held. Linux joins that init's cgroups and namespaces, or NSFDS (N of them, from a
	 * setns socket, closed here); FreeBSD asks the kernel for NAME, as jexec(8). -1 after a log line; errno
	 * ESRCH when the jail stopped while it was being entered. */
	int (*enter)(const char *name, pid_t init_pid, pid_t keeper, const int *nsfds, size_t n);
};

extern const struct jail_backend jail_backend; /* this system's */

#endif
