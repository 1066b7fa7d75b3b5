/* create: the Linux back end's host side - the init's clone, uid/gid maps, cgroups, vnet, removal.
 * Shared by init/linux/{create,cgroup,backend}.c only. */
#ifndef WARDER_LX_CREATE_H
#define WARDER_LX_CREATE_H

#include <stdbool.h>

#include "jail.h"
#include "lx_plan.h"
#include "steps.h"

#define LXC_CREATE step_name(STEP_CREATE)
#define LXC_REMOVE step_name(STEP_REMOVE)

bool lx_wanted(const struct jail *j);
int lx_check(struct jailrun *r);
int lx_create(struct jailrun *r, jail_init_fn init, void *arg);
int lx_vnet(struct jailrun *r, bool in);
int lx_after_go(struct jailrun *r); /* the network namespace made beside (lx_plan's LXO_CLONE flag) */
int lx_remove(struct jailrun *r, int *wstatus);
int lx_exit_fd(struct jailrun *r);
int lx_enter(const char *name, pid_t init_pid, pid_t keeper, const int *nsfds, size_t n); /* enter.c */

/* cgroup.c: the jail's own cgroups (v2 first, v1 where the controller lives). */
int lxcg_check(struct jailrun *r);             /* refuse limits this user cannot set */
int lxcg_create(struct jailrun *r, pid_t pid); /* make the cgroups, set the limits, move PID in */
int lxcg_early(struct jailrun *r);             /* the v2 cgroup made before the clone: its fd, or -1 */
int lxcg_remove(struct jailrun *r);            /* kill what is left in them and remove them */

/* The per-jail state create.c keeps in jailrun.priv. */
#define LXCG_MAX 8
struct lx_priv {
	char *cgdirs[LXCG_MAX]; /* created cgroup directories, in creation order */
	int ncg;
	bool cg_born;        /* the init was cloned into cgdirs[0] (CLONE_INTO_CGROUP): no move needed */
	bool cg_noplace;     /* lxcg_early found no v2 cgroup of ours (and said so) */
	bool born_private;   /* the init made its new mount tree private first thing (init_child) */
	bool net_beside;     /* the init was cloned without its network namespace: lx_after_go makes it */
	struct lx_plan plan; /* every step's operations, built once by lx_create; the init inherits it */
	int exit_fd;         /* the init's pidfd once lx_exit_fd opened it, else -1 */
};

/* The jail's plan: lx_create's, or, for a caller that made no jail (a test driver), one built for r->j. NULL
 * (logged) when out of memory. */
const struct lx_plan *lx_plan_of(struct jailrun *r);

#endif
