/* dev: the jail's /dev, a fresh tmpfs holding what the devfs ruleset leaves visible (DESIGN.md "/dev from
 * rulesets").
 *
 * Host device nodes the ruleset unhides are bind-mounted from the host (mknod would not work in a user
 * namespace, and a bind keeps the host's own node). The jail's terminals never come from the host: pts is a
 * new devpts instance, ptmx points into it, and host tty-class nodes are not passed (only /dev/tty, which
 * always means the caller's own terminal). The OCI base set - fd, std* links, shm, mqueue, console - is made
 * here, each judged by the ruleset under its Linux name and its FreeBSD alias. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devfs.h"
#include "log.h"
#include "setup.h"

#define DEV_STEP "devfs"

/* --- the ruleset ------------------------------------------------------------------------------------------ */

static int load_rules(const struct jail *j, struct devfs_rules *rules)
{
	const char *file = jail_get(j, "devfs.rules");
	char err[512];

	if (devfs_rules_load_defaults(rules, err, sizeof err) < 0) {
		log_err(DEV_STEP, "%s", err);
		return -1;
	}
	/* The installed default file is the built-in text again; only a file the user names must exist. */
	if (!file || (!jail_is_set(j, "devfs.rules") && access(file, R_OK) < 0))
		return 0;
	if (devfs_rules_load(rules, file, err, sizeof err) < 0) {
		log_err(DEV_STEP, "%s", err);
		return -1;
	}
	return 0;
}

static const struct devfs_ruleset *find_set(const struct jail *j, const struct devfs_rules *rules)
{
	const char *spec = jail_get(j, "devfs_ruleset");
	const struct devfs_ruleset *set;

	if (!spec)
		spec = "4";
	set = devfs_ruleset_find(rules, spec);
	if (!set)
		log_err(DEV_STEP, "devfs_ruleset %s is not defined in devfs.rules", spec);
	return set;
}

static unsigned rule_depth(const struct jail *j)
{
	return jail_is_set(j, "devfs.rule_depth") ? (unsigned)jail_int(j, "devfs.rule_depth") : DEVFS_DEFAULT_DEPTH;
}

/* --- building in the new tmpfs ------------------------------------------------------------------------------ */

static int dev_fd = -1; /* the jail's /dev tmpfs while it is being filled */

/* mkdir -p below /dev; the tmpfs is ours and fresh, so no symlink can be in the way. */
static int make_parents(const char *path)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *s = strchr(buf, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdirat(dev_fd, buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

static int bind_node(const struct devfs_node *nd)
{
	char src[PATH_MAX + 8], what[PATH_MAX + 8];
	int fd, rc;

	snprintf(src, sizeof src, "/dev/%s", nd->path);
	snprintf(what, sizeof what, "/dev/%s", nd->path);
	if (make_parents(nd->path) < 0) {
		log_errno(DEV_STEP, "mkdir for %s", what);
		return -1;
	}
	fd = openat(dev_fd, nd->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_errno(DEV_STEP, "create %s", what);
		return -1;
	}
	close(fd);
	fd = openat(dev_fd, nd->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		log_errno(DEV_STEP, "open %s", what);
		return -1;
	}
	rc = lxfs_bind_fd(src, fd, false, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, what);
	close(fd);
	return rc;
}

static bool is_device(const struct devfs_node *nd)
{
	return S_ISCHR(nd->st_mode) || S_ISBLK(nd->st_mode);
}

/* Host terminals stay on the host: the jail has its own devpts. /dev/tty (5,0) is safe - it is always the
 * opener's controlling terminal. */
static bool host_terminal(const struct devfs_node *nd)
{
	return nd->type == DEVFS_N_TTY && !(S_ISCHR(nd->st_mode) && nd->rdev == makedev(5, 0));
}

static int host_nodes(const struct devfs_rules *rules, const struct devfs_ruleset *set, unsigned depth)
{
	struct devfs_node *nodes = NULL;
	size_t n = 0;
	char err[512];
	int rc = 0;

	if (devfs_visible(rules, set, depth, "/dev", &nodes, &n, err, sizeof err) < 0) {
		log_err(DEV_STEP, "%s", err);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct devfs_node *nd = &nodes[i];
		if (!is_device(nd) || host_terminal(nd))
			continue;
		if (nd->set_mode || nd->set_uid || nd->set_gid)
			log_warn(DEV_STEP, "/dev/%s: mode/user/group rules are not applied on Linux (the node is the host's)",
				 nd->path);
		rc = bind_node(nd);
	}
	devfs_nodes_free(nodes, n);
	return rc;
}

/* --- the base set ---------------------------------------------------------------------------------------- */

enum base_kind { B_DEVPTS, B_LINK, B_TMPFS, B_MQUEUE, B_CONSOLE };

/* A ruleset judges each entry by its name and, for shm, mqueue and console (names FreeBSD's rulesets do not
 * use), by the FreeBSD node conf/devfs.c's devfs_linux_alias gives it. */
static const struct base_entry {
	const char *name;
	enum devfs_ntype type;
	enum base_kind kind;
	const char *arg; /* link target or mount data */
} base_set[] = {
	{ "pts", DEVFS_N_DIR, B_DEVPTS, "newinstance,ptmxmode=0666,mode=620" },
	{ "ptmx", DEVFS_N_TTY, B_LINK, "pts/ptmx" },
	{ "fd", DEVFS_N_LINK, B_LINK, "/proc/self/fd" },
	{ "stdin", DEVFS_N_LINK, B_LINK, "/proc/self/fd/0" },
	{ "stdout", DEVFS_N_LINK, B_LINK, "/proc/self/fd/1" },
	{ "stderr", DEVFS_N_LINK, B_LINK, "/proc/self/fd/2" },
	{ "shm", DEVFS_N_DIR, B_TMPFS, "mode=1777" },
	{ "mqueue", DEVFS_N_DIR, B_MQUEUE, NULL },
	{ "console", DEVFS_N_TTY, B_CONSOLE, NULL },
};
#define NBASE (sizeof base_set / sizeof base_set[0])

/* Ask the ruleset about the base entries as if they were host nodes. */
static void base_visible(const struct devfs_rules *rules, const struct devfs_ruleset *set, unsigned depth,
			 bool visible[NBASE])
{
	struct devfs_node nodes[NBASE];

	memset(nodes, 0, sizeof nodes);
	for (size_t i = 0; i < NBASE; i++) {
		nodes[i].path = (char *)base_set[i].name;
		nodes[i].type = base_set[i].type;
		nodes[i].alias = devfs_linux_alias(base_set[i].name);
	}
	devfs_eval(rules, set, depth, nodes, NBASE);
	for (size_t i = 0; i < NBASE; i++)
		visible[i] = nodes[i].visible;
}

static int mount_in_dev(const char *name, const char *fstype, const char *data, unsigned long attrs)
{
	char what[64];
	int fd, rc;

	snprintf(what, sizeof what, "/dev/%s", name);
	if (mkdirat(dev_fd, name, 0755) < 0 && errno != EEXIST) {
		log_errno(DEV_STEP, "mkdir %s", what);
		return -1;
	}
	fd = openat(dev_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		log_errno(DEV_STEP, "open %s", what);
		return -1;
	}
	rc = lxfs_mount_fs(fstype, data, attrs, fd, what);
	close(fd);
	return rc;
}

/* The terminal the init was started on, if any, becomes the jail's console (as OCI's terminal: true). */
static int console(void)
{
	char tty[PATH_MAX];
	int fd, rc;

	for (int i = 0; i <= 2; i++)
		if (isatty(i) && ttyname_r(i, tty, sizeof tty) == 0)
			goto found;
	return 0;
found:
	fd = openat(dev_fd, "console", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_errno(DEV_STEP, "create /dev/console");
		return -1;
	}
	close(fd);
	fd = openat(dev_fd, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		log_errno(DEV_STEP, "open /dev/console");
		return -1;
	}
	rc = lxfs_bind_fd(tty, fd, false, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, "/dev/console");
	close(fd);
	return rc;
}

static int base_entry(const struct jail *j, const struct base_entry *b, bool pts_visible)
{
	const unsigned long safe = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC;

	switch (b->kind) {
	case B_DEVPTS:
		return mount_in_dev(b->name, "devpts", b->arg, safe);
	case B_LINK:
		/* ptmx without pts would point nowhere */
		if (strcmp(b->name, "ptmx") == 0 && !pts_visible)
			return 0;
		if (symlinkat(b->arg, dev_fd, b->name) < 0) {
			log_errno(DEV_STEP, "symlink /dev/%s", b->name);
			return -1;
		}
		return 0;
	case B_TMPFS:
		return mount_in_dev(b->name, "tmpfs", b->arg, safe | MOUNT_ATTR_NODEV);
	case B_MQUEUE:
		/* Another ipc namespace's queues would be the host's. */
		if (!lx_unshares(j, "ipc"))
			return 0;
		return mount_in_dev(b->name, "mqueue", NULL, safe | MOUNT_ATTR_NODEV);
	case B_CONSOLE:
		return console();
	}
	return 0;
}

static int base_nodes(const struct jail *j, const struct devfs_rules *rules, const struct devfs_ruleset *set,
		      unsigned depth)
{
	bool visible[NBASE];

	base_visible(rules, set, depth, visible);
	for (size_t i = 0; i < NBASE; i++)
		if (visible[i] && base_entry(j, &base_set[i], visible[0]) < 0)
			return -1;
	return 0;
}

/* --- the whole of /dev ------------------------------------------------------------------------------------- */

static int mount_dev_tmpfs(void)
{
	int target = lxfs_open_in_root("/dev", O_PATH | O_DIRECTORY, 0755, true);
	int rc;

	if (target < 0) {
		log_errno(DEV_STEP, "/dev in the rootfs");
		return -1;
	}
	/* nodev: a node mknod'ed here later is inert; the bound host nodes keep their own mounts' flags. */
	rc = lxfs_mount_fs("tmpfs", "mode=755,size=64k", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODEV,
			   target, "/dev");
	close(target);
	if (rc < 0)
		return -1;
	dev_fd = lxfs_open_in_root("/dev", O_PATH | O_DIRECTORY, 0, false);
	if (dev_fd < 0) {
		log_errno(DEV_STEP, "open the new /dev");
		return -1;
	}
	return 0;
}

int lxdev_build(const struct jail *j)
{
	struct devfs_rules rules;
	const struct devfs_ruleset *set;
	unsigned depth = rule_depth(j);
	int rc = -1;

	memset(&rules, 0, sizeof rules);
	if (load_rules(j, &rules) < 0 || !(set = find_set(j, &rules)))
		goto out;
	if (mount_dev_tmpfs() < 0)
		goto out;
	rc = host_nodes(&rules, set, depth) < 0 || base_nodes(j, &rules, set, depth) < 0 ? -1 : 0;
	if (rc == 0)
		log_debug(DEV_STEP, "/dev built from ruleset %u (%s), depth %u", set->number, set->name, depth);
out:
	if (dev_fd >= 0)
		close(dev_fd);
	dev_fd = -1;
	devfs_rules_free(&rules);
	return rc;
}
