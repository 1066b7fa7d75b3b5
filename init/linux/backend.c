/* backend: the Linux jail back end - the host side from create.c and cgroup.c, the in-jail side from
 * setup.c (lx_setup, lx_finish, lx_drop). Linux has no host-side aliases or mounts: every mount happens
 * inside the jail's own mount namespace. */
#include "create.h"
#include "setup.h"

const struct jail_backend jail_backend = {
	.os = OS_LINUX,
	.wanted = lx_wanted,
	.check = lx_check,
	.aliases = NULL,
	.mounts = NULL,
	.create = lx_create,
	.vnet = lx_vnet,
	.after_go = lx_after_go,
	.setup = lx_setup,
	.finish = lx_finish,
	.drop_prepare = lx_drop_prepare,
	.drop = lx_drop,
	.remove = lx_remove,
	.exit_fd = lx_exit_fd,
	.enter = lx_enter,
};
