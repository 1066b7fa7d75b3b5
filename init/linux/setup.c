/* setup: the Linux init's work inside the jail is lx_plan's STEP_SETUP list (hooks/lx_plan.c decides it, in
 * DESIGN.md's order; `warder check` prints the same list); this file walks it and hands each op to the file
 * that does it: fs.c, dev.c, ident.c, init/rlimit.c. In the command's child, lx_drop: caps bounding set,
 * no_new_privs, groups, gid, uid (cred.c). */
#include <sched.h>
#include <unistd.h>

#include "create.h"
#include "inside.h"
#include "kmsg.h"
#include "log.h"
#include "lx_plan.h"
#include "rlimit.h"
#include "setup.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Only stdin, stdout and stderr may cross into the jail: a leaked directory fd would be a way out. */
static int seal_fds(void)
{
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
		log_errno(LX_STEP, "mark inherited fds close-on-exec");
		return -1;
	}
	return 0;
}

/* The network namespace the keeper made beside the mounts (lx_after_go): its KMSG_NETNS is the first message
 * after "go", here unless a check for a stop request took it first. */
static int net_join(struct jailrun *r)
{
	if (!r->priv)
		return 0; /* no keeper made this jail (a test driver): the namespaces are the caller's */
	if (!r->net_got) {
		struct kmsg m;
		int fd;
		if (kmsg_recv_fd(r->init_fd, &m, &fd) <= 0 || m.type != KMSG_NETNS) {
			if (fd >= 0)
				close(fd);
			log_err(LX_STEP, "no network namespace from the keeper");
			return -1;
		}
		r->net_got = true;
		r->net_fd = fd;
	}
	if (r->net_fd < 0)
		return -1; /* the keeper said why */
	int rc = setns(r->net_fd, CLONE_NEWNET);
	if (rc < 0)
		log_errno(LX_STEP, "join the network namespace");
	close(r->net_fd);
	r->net_fd = -1;
	return rc;
}

/* One op of lx_plan's STEP_SETUP list. */
static int setup_op(const struct lx_op *op, void *arg)
{
	struct jailrun *r = arg;
	const struct jail *j = r->j;
	const struct lx_priv *p = r->priv;

	switch (op->kind) {
	case LXO_REFUSE:
		log_err(LX_STEP, "%s", op->text);
		return -1;
	case LXO_PRIVATE:
		/* Private since the init's birth; only exec.jailed, run in between, could have changed that. */
		if (p && p->born_private && !jail_is_set(j, step_get(STEP_JAILED)->chain))
			return 0;
		return lxfs_private();
	case LXO_ROOT:
		return lxfs_root(j, op->flag);
	case LXO_MOUNT:
		return lxfs_mount_line(op->v);
	case LXO_FSTAB:
		return lxfs_mount_fstab(op->arg);
	case LXO_KEEP:
		return lxfs_keep_mount(op->v);
	case LXO_PROC:
		return lxfs_proc(op->arg, op->flag);
	case LXO_SYS:
		return lxfs_sys();
	case LXO_TMP:
		return lxfs_tmp();
	case LXO_DEV:
		return lxdev_build(j, op->flag);
	case LXO_PIVOT:
		return lxfs_pivot(j);
	case LXO_UTS:
		return lxid_uts(op->name, op->arg);
	case LXO_NETJOIN:
		return net_join(r);
	case LXO_LOOPBACK:
		return lxid_loopback();
	case LXO_RLIMITS:
		return rlimit_apply(j, LX_STEP);
	default:
		log_err(LX_STEP, "operation %d is not an in-jail one", (int)op->kind);
		return -1;
	}
}

int lx_setup(struct jailrun *r)
{
	const struct lx_plan *plan = lx_plan_of(r);

	if (!plan || seal_fds() < 0 || lx_plan_walk(r->j, plan, STEP_SETUP, setup_op, r) < 0)
		return -1;
	log_debug(LX_STEP, "inside the jail: root, mounts, /dev, identity and limits in place");
	return 0;
}

int lx_finish(struct jailrun *r)
{
	(void)r;
	return lxfs_finish();
}

int lx_drop_prepare(struct jailrun *r)
{
	return lxcred_prepare(r->j);
}

int lx_drop(struct jailrun *r)
{
	if (seal_fds() < 0)
		return -1;
	return lxcred_drop(r->j);
}
