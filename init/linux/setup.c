/* setup: the one place that orders the Linux init's work inside the jail (DESIGN.md: namespaces, mounts,
 * hostname, then - in the command's child - caps bounding set, no_new_privs, groups, gid, uid). Each step lives
 * in its own file: fs.c, dev.c, ident.c, cred.c; the rlimits are init/rlimit.c's (portable). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "devfs.h"
#include "inside.h"
#include "log.h"
#include "ns.h"
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

/* /dev: default on for a jail with its own root, as jail(8) users expect from mount.devfs. */
static bool wants_devfs(const struct jail *j)
{
	return devfs_linux_wanted(j);
}

static bool wants_mounts(const struct jail *j)
{
	static const char *const params[] = { "path", "pivot_root", "mount", "mount.fstab", "keep_mount" };
	static const char *const bools[] = { "mount.procfs", "mount.sysfs", "mount.tmp" };

	for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
		if (jail_is_set(j, params[i]))
			return true;
	for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++)
		if (jail_bool(j, bools[i]))
			return true;
	return wants_devfs(j);
}

static int mount_tmp(const struct jail *j)
{
	int fd, rc;

	if (!jail_bool(j, "mount.tmp"))
		return 0;
	fd = lxfs_open_in_root("/tmp", O_PATH | O_DIRECTORY, 01777, true);
	if (fd < 0) {
		log_errno(LX_STEP, "mount.tmp: /tmp in the rootfs");
		return -1;
	}
	rc = lxfs_mount_fs("tmpfs", "mode=1777", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, fd, "/tmp");
	close(fd);
	return rc;
}

static int setup_fs(const struct jail *j)
{
	if (!wants_mounts(j))
		return 0;
	/* Making "/" private outside a mount namespace would change the host. */
	if (!(ns_list(jail_get(j, "unshare")) & NS_BIT(NS_MOUNT))) {
		log_err(LX_STEP, "the jail's mounts need its own mount namespace: add mount to unshare");
		return -1;
	}
	if (lxfs_private() < 0 || lxfs_root(j, wants_devfs(j)) < 0 || lxfs_mounts(j) < 0 || lxfs_proc_sys(j) < 0 ||
	    mount_tmp(j) < 0)
		return -1;
	if (wants_devfs(j) && lxdev_build(j) < 0)
		return -1;
	return lxfs_pivot(j);
}

int lx_setup(struct jailrun *r)
{
	const struct jail *j = r->j;

	if (seal_fds() < 0 || setup_fs(j) < 0 || lxid_apply(j) < 0 || rlimit_apply(j, LX_STEP) < 0)
		return -1;
	log_debug(LX_STEP, "inside the jail: root, mounts, /dev, identity and limits in place");
	return 0;
}

int lx_finish(struct jailrun *r)
{
	(void)r;
	return lxfs_finish();
}

int lx_drop(struct jailrun *r)
{
	if (seal_fds() < 0)
		return -1;
	return lxcred_drop(r->j);
}
