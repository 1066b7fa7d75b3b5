/* dev: the jail's /dev, a fresh tmpfs holding what the devfs ruleset leaves visible (DESIGN.md "/dev from
 * rulesets"), from the host nodes devwalk.c finds.
 *
 * When warder is root in the host's user namespace, each host device node the ruleset unhides is made anew with
 * mknod(2) in the jail's tmpfs, with the host node's owner and mode unless a user, group or mode rule says
 * otherwise (as runc makes a privileged container's nodes): the host's nodes are only looked at. The tmpfs
 * stays nodev, so a node the jail makes later is inert; each node made here is bound onto itself without nodev.
 * In a user namespace mknod is refused, so the host's node is bind-mounted instead, and user, group and mode
 * rules cannot apply (`warder check` names them). The jail's terminals never come from the host: pts is a new
 * devpts instance, ptmx points into it, and host tty-class nodes are not passed (only /dev/tty, which always
 * means the caller's own terminal). The OCI base set - fd, std* links, shm, mqueue, console - is made here,
 * each judged by the ruleset under its Linux name and its FreeBSD alias. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/capability.h>

#include "devfs.h"
#include "devwalk.h"
#include "inside.h"
#include "log.h"
#include "ns.h"
#include "safepath.h"
#include "scan.h"
#include "setup.h"

#define DEV_STEP "devfs"

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

/* A user namespace (a rootless jail, or root's own) cannot make device nodes: there the host's are bound. So
 * are they where warder lacks CAP_MKNOD (a container that drops it). */
static int bind_node(const struct devfs_node *nd)
{
	char src[PATH_MAX + 8];
	int fd, rc;

	snprintf(src, sizeof src, "/dev/%s", nd->path);
	if (nd->set_mode || nd->set_uid || nd->set_gid)
		log_warn(DEV_STEP,
			 "%s: user, group and mode rules cannot apply in a user namespace or without CAP_MKNOD "
			 "(the node is the host's)",
			 src);
	fd = openat(dev_fd, nd->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_errno(DEV_STEP, "create %s", src);
		return -1;
	}
	close(fd);
	fd = openat(dev_fd, nd->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		log_errno(DEV_STEP, "open %s", src);
		return -1;
	}
	rc = lxfs_bind_fd(src, fd, false, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, src);
	close(fd);
	return rc;
}

/* The jail's own node: the host node's type and number, its owner and mode unless a rule sets them; then bound
 * onto itself without nodev, the one mount in /dev where a device works. Made under a umask of 0 (host_nodes),
 * so mknod gives the permission bits, and owned by ME:MY_GID (our ids): chown and chmod only where they change
 * something. */
static int make_node(const struct devfs_node *nd, uid_t me, gid_t my_gid)
{
	char what[PATH_MAX + 8];
	mode_t perm = nd->set_mode ? nd->mode : nd->st_mode & 07777;
	uid_t uid = nd->set_uid ? (uid_t)nd->uid : nd->st_uid;
	gid_t gid = nd->set_gid ? (gid_t)nd->gid : nd->st_gid;
	struct mount_attr a = {.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, .attr_clr = MOUNT_ATTR_NODEV};
	int t, rc = -1;

	snprintf(what, sizeof what, "/dev/%s", nd->path);
	if (mknodat(dev_fd, nd->path, (nd->st_mode & S_IFMT) | (perm & 0777), nd->rdev) < 0) {
		log_errno(DEV_STEP, "mknod %s", what);
		return -1;
	}
	/* chown first: it clears set-id bits a mode rule may ask for. */
	if ((uid != me || gid != my_gid) && fchownat(dev_fd, nd->path, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) {
		log_errno(DEV_STEP, "chown %s %lu:%lu", what, (unsigned long)uid, (unsigned long)gid);
		return -1;
	}
	if ((perm & ~0777) && fchmodat(dev_fd, nd->path, perm, 0) < 0) {
		log_errno(DEV_STEP, "chmod %s %04o", what, (unsigned)perm);
		return -1;
	}
	t = open_tree(dev_fd, nd->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (t < 0) {
		log_errno(DEV_STEP, "bind %s onto itself", what);
		return -1;
	}
	if (mount_setattr(t, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
		log_errno(DEV_STEP, "bind %s onto itself: set mount flags", what);
	/* Our fresh tmpfs holds no symlink on the way, and move_mount does not follow a last one. */
	else if (move_mount(t, "", dev_fd, nd->path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		log_errno(DEV_STEP, "bind %s onto itself: attach", what);
	else
		rc = 0;
	close(t);
	return rc;
}

/* mknod(2) of a device needs CAP_MKNOD in the host's user namespace: the identity map is the whole id range
 * there, and a container may run warder without the capability. */
static bool can_mknod(void)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2];
	char map[128];
	unsigned long v[3];
	ssize_t len;
	char *p, *end;

	if (syscall(SYS_capget, &h, d) < 0 || !(d[CAP_MKNOD / 32].effective & (1U << (CAP_MKNOD % 32))))
		return false;
	len = scan_file("/proc/self/uid_map", map, sizeof map);
	if (len < 0)
		return false;
	/* One line, "0 0 4294967295", and nothing after it. */
	p = map;
	for (int i = 0; i < 3; i++, p = end) {
		v[i] = strtoul(p, &end, 10);
		if (end == p)
			return false;
	}
	return v[0] == 0 && v[1] == 0 && v[2] == 4294967295UL && p == map + len - 1 && *p == '\n';
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

static int host_nodes(const struct devfs_rules *rules, const struct devfs_ruleset *set, unsigned depth, bool own)
{
	struct devfs_node *nodes = NULL;
	size_t n = 0;
	char err[512];
	int rc = 0;

	if (lxdev_visible(rules, set, depth, "/dev", &nodes, &n, err, sizeof err) < 0) {
		log_err(DEV_STEP, "%s", err);
		return -1;
	}
	mode_t mask = umask(0);
	uid_t me = geteuid();
	gid_t my_gid = getegid();
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct devfs_node *nd = &nodes[i];
		if (!is_device(nd) || host_terminal(nd))
			continue;
		if (make_parents(nd->path) < 0) {
			log_errno(DEV_STEP, "mkdir for /dev/%s", nd->path);
			rc = -1;
			break;
		}
		rc = own ? make_node(nd, me, my_gid) : bind_node(nd);
	}
	umask(mask);
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
	{"pts", DEVFS_N_DIR, B_DEVPTS, "newinstance,ptmxmode=0666,mode=620"},
	{"ptmx", DEVFS_N_TTY, B_LINK, "pts/ptmx"},
	{"fd", DEVFS_N_LINK, B_LINK, "/proc/self/fd"},
	{"stdin", DEVFS_N_LINK, B_LINK, "/proc/self/fd/0"},
	{"stdout", DEVFS_N_LINK, B_LINK, "/proc/self/fd/1"},
	{"stderr", DEVFS_N_LINK, B_LINK, "/proc/self/fd/2"},
	{"shm", DEVFS_N_DIR, B_TMPFS, "mode=1777"},
	{"mqueue", DEVFS_N_DIR, B_MQUEUE, NULL},
	{"console", DEVFS_N_TTY, B_CONSOLE, NULL},
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

/* FD's terminal's path, when the kernel names it and the name leads back to the same device: ttyname_r
 * without its scan of /dev, which a static binary pays for in size. 0, or -1. */
static int tty_path(int fd, char *buf, size_t len)
{
	struct stat a, b;
	if (!isatty(fd) || fstat(fd, &a) < 0 || safe_fd_path(fd, buf, len) < 0)
		return -1;
	return stat(buf, &b) == 0 && S_ISCHR(b.st_mode) && a.st_rdev == b.st_rdev && a.st_ino == b.st_ino ? 0 : -1;
}

/* The terminal the init was started on, if any, becomes the jail's console (as OCI's terminal: true). */
static int console(void)
{
	char tty[PATH_MAX];
	int fd, rc;

	for (int i = 0; i <= 2; i++)
		if (tty_path(i, tty, sizeof tty) == 0)
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
		if (!(ns_list(jail_get(j, "unshare")) & NS_BIT(NS_IPC)))
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
	/* nodev: a node mknod'ed here later is inert; each node made or bound here is a mount of its own. */
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

int lxdev_build(const struct jail *j, bool userns)
{
	struct devfs_rules rules = {0};
	const struct devfs_ruleset *set;
	unsigned depth;
	/* A jail's own user namespace never has CAP_MKNOD in the host's. */
	bool own = !userns && can_mknod();
	char err[512];
	int rc = -1;

	if (devfs_jail_rules(j, &rules, &set, &depth, err, sizeof err) < 0) {
		log_err(DEV_STEP, "%s", err);
		goto out;
	}
	if (mount_dev_tmpfs() < 0)
		goto out;
	rc = host_nodes(&rules, set, depth, own) < 0 || base_nodes(j, &rules, set, depth) < 0 ? -1 : 0;
	if (rc == 0)
		log_debug(DEV_STEP, "/dev built from ruleset %u (%s), depth %u, host nodes %s", set->number, set->name,
			  depth, own ? "made with mknod" : "bound");
out:
	if (dev_fd >= 0)
		close(dev_fd);
	dev_fd = -1;
	devfs_rules_free(&rules);
	return rc;
}
