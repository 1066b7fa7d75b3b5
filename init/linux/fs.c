/* fs: the jail's mount tree, built inside the init's new mount namespace.
 *
 * Order (DESIGN.md): private propagation, the rootfs bound onto itself, mount/mount.fstab/keep_mount entries,
 * /proc and /sys, then pivot_root. Every target inside the rootfs is opened with openat2 RESOLVE_IN_ROOT and
 * the mount is attached to that fd with the new mount API (fsopen/fsmount/open_tree/move_mount), so a symlink
 * planted in the rootfs cannot redirect a mount onto the host. Sources are host paths: the config names them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fstab.h"
#include "log.h"
#include "inside.h"
#include "safepath.h"
#include "scan.h"

static int root_fd = -1; /* the rootfs, "/" of every in-root lookup; "/" itself when there is no rootfs */
static char *root_path;  /* host path of the rootfs, NULL when there is none */
static char *kept_old;   /* pivot_root OLD as seen from inside, while still attached */

int lxfs_private(void)
{
	/* Nothing we mount may propagate back to the host, and host events must not reach in. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		log_errno(LX_STEP, "make the mount tree private");
		return -1;
	}
	return 0;
}

/* --- mounting through fds --------------------------------------------------------------------------------- */

static int attach(int mnt_fd, int target_fd, const char *what)
{
	if (move_mount(mnt_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		log_errno(LX_STEP, "attach %s", what);
		return -1;
	}
	return 0;
}

/* The kernel explains a refused fs option through the fs context fd: pass its text on. */
static void fs_context_error(int fsfd, const char *fstype, const char *what)
{
	char msg[256];
	int e = errno;
	ssize_t n = read(fsfd, msg, sizeof msg - 1);

	if (n > 2) {
		msg[n] = '\0';
		msg[strcspn(msg, "\n")] = '\0';
		log_err(LX_STEP, "mount %s on %s: %s (%s)", fstype, what, strerror(e), msg + 2);
	} else {
		errno = e;
		log_errno(LX_STEP, "mount %s on %s", fstype, what);
	}
}

/* DATA is "key=value,flag,..." as fstab and mount(8) write it. */
static int fs_configure(int fsfd, const char *data)
{
	char *copy, *save = NULL;
	int rc = 0;

	if (!data || !*data)
		return 0;
	copy = strdup(data);
	if (!copy)
		return -1;
	for (char *opt = strtok_r(copy, ",", &save); opt && rc == 0; opt = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(opt, '=');
		if (eq) {
			*eq = '\0';
			rc = fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
		} else {
			rc = fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
		}
	}
	free(copy);
	return rc;
}

static int mount_fs_src(const char *fstype, const char *src, const char *data, unsigned long attrs, int target_fd,
			const char *what)
{
	int fsfd = fsopen(fstype, FSOPEN_CLOEXEC), mfd = -1, rc = -1;

	if (fsfd < 0) {
		log_errno(LX_STEP, "mount %s on %s: fsopen", fstype, what);
		return -1;
	}
	if ((src && fsconfig(fsfd, FSCONFIG_SET_STRING, "source", src, 0) < 0) || fs_configure(fsfd, data) < 0 ||
	    fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		fs_context_error(fsfd, fstype, what);
		goto out;
	}
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned)attrs);
	if (mfd < 0) {
		log_errno(LX_STEP, "mount %s on %s: fsmount", fstype, what);
		goto out;
	}
	rc = attach(mfd, target_fd, what);
out:
	if (mfd >= 0)
		close(mfd);
	close(fsfd);
	return rc;
}

int lxfs_mount_fs(const char *fstype, const char *data, unsigned long attrs, int target_fd, const char *what)
{
	return mount_fs_src(fstype, fstype, data, attrs, target_fd, what);
}

int lxfs_bind_fd(const char *src, int target_fd, bool recursive, unsigned long attrs, const char *what)
{
	unsigned rec = recursive ? AT_RECURSIVE : 0;
	int t = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
	int rc = -1;

	if (t < 0) {
		log_errno(LX_STEP, "bind %s on %s", src, what);
		return -1;
	}
	/* Flags go on the detached copy, so the mount is never visible without them. */
	if (attrs) {
		struct mount_attr a = {.attr_set = attrs};
		if (mount_setattr(t, "", AT_EMPTY_PATH | rec, &a, sizeof a) < 0) {
			log_errno(LX_STEP, "bind %s on %s: set mount flags", src, what);
			goto out;
		}
	}
	rc = attach(t, target_fd, what);
out:
	close(t);
	return rc;
}

/* --- paths inside the rootfs -------------------------------------------------------------------------------- */

/* Open PATH inside the root; with MKDIRS create it (a directory when FLAGS has O_DIRECTORY, else an empty file
 * of MODE) and its missing parents first. Symlinks are followed only inside the root. */
int lxfs_open_in_root(const char *path, int flags, mode_t mode, bool mkdirs)
{
	bool dir = flags & O_DIRECTORY;
	int fd = safe_open(root_fd, path, flags, 0);

	if (fd >= 0 || errno != ENOENT || !mkdirs)
		return fd;
	if (dir) {
		if (safe_mkdir_p(root_fd, path, mode ? mode : 0755) < 0)
			return -1;
	} else {
		char parent[PATH_MAX];
		const char *slash = strrchr(path, '/');
		int w;
		if (slash && slash != path) {
			if ((size_t)(slash - path) >= sizeof parent) {
				errno = ENAMETOOLONG;
				return -1;
			}
			memcpy(parent, path, (size_t)(slash - path));
			parent[slash - path] = '\0';
			if (safe_mkdir_p(root_fd, parent, 0755) < 0)
				return -1;
		}
		w = safe_open(root_fd, path, O_WRONLY | O_CREAT | O_NOCTTY, mode ? mode : 0644);
		if (w < 0)
			return -1;
		close(w);
	}
	return safe_open(root_fd, path, flags, 0);
}

/* A target given as a host path under the rootfs (FreeBSD fstab style) is taken relative to the rootfs. */
static const char *in_root(const char *path)
{
	size_t n = root_path ? strlen(root_path) : 0;

	if (n > 1 && strncmp(path, root_path, n) == 0 && (path[n] == '/' || path[n] == '\0'))
		return path[n] ? path + n : "/";
	return path;
}

/* --- the rootfs ----------------------------------------------------------------------------------------------- */

static int is_mount_root(int dirfd, const char *path, bool *yes)
{
	struct statx st;

	if (statx(dirfd, path, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) < 0)
		return -1;
	*yes = st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT && st.stx_attributes & STATX_ATTR_MOUNT_ROOT;
	return 0;
}

/* pivot_root = NEW OLD (uWSGI): two absolute paths, OLD under NEW. */
static int parse_pivot(const char *v, char **new_root, char **old_root)
{
	char a[PATH_MAX], b[PATH_MAX];
	const char *p = v;
	size_t n;

	if (!scan_word(&p, a, sizeof a) || !scan_word(&p, b, sizeof b) || scan_word(&p, NULL, SIZE_MAX) ||
	    a[0] != '/' || b[0] != '/') {
		log_err(LX_STEP, "pivot_root: want \"NEW OLD\", two absolute paths, not \"%s\"", v);
		return -1;
	}
	n = strlen(a);
	while (n > 1 && a[n - 1] == '/')
		a[--n] = '\0';
	if (strncmp(b, a, n) != 0 || (n > 1 && b[n] != '/') || !b[n + (n > 1)]) {
		log_err(LX_STEP, "pivot_root: OLD %s is not a directory under NEW %s", b, a);
		return -1;
	}
	*new_root = strdup(a);
	*old_root = strdup(n > 1 ? b + n : b);
	if (!*new_root || !*old_root) {
		log_errno(LX_STEP, "pivot_root");
		return -1;
	}
	return 0;
}

static int bind_onto_itself(const char *path, bool nodev)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0) {
		log_errno(LX_STEP, "rootfs %s", path);
		return -1;
	}
	rc = lxfs_bind_fd(path, fd, true, nodev ? MOUNT_ATTR_NODEV : 0, path);
	close(fd);
	return rc;
}

static int open_root(const char *path)
{
	root_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		log_errno(LX_STEP, "open rootfs %s", path);
		return -1;
	}
	return 0;
}

int lxfs_root(const struct jail *j, bool nodev)
{
	const char *path = jail_get(j, "path"), *pivot = jail_get(j, "pivot_root");
	char *new_root = NULL;
	bool mounted = false;

	if (pivot && parse_pivot(pivot, &new_root, &kept_old) < 0) {
		free(new_root);
		return -1;
	}
	if (pivot && path && strcmp(path, new_root) != 0) {
		log_err(LX_STEP, "pivot_root NEW %s differs from path %s", new_root, path);
		free(new_root);
		return -1;
	}
	if (!pivot && !path)
		return open_root("/");
	root_path = new_root ? new_root : strdup(path);
	if (!root_path) {
		log_errno(LX_STEP, "rootfs");
		return -1;
	}
	/* uWSGI's pivot_root wants NEW to be a mount point already (a post-jail hook binds it); with path, we
	 * make it one, taking the mounts below it along. */
	if (path && bind_onto_itself(root_path, nodev) < 0)
		return -1;
	if (open_root(root_path) < 0)
		return -1;
	if (is_mount_root(root_fd, "", &mounted) < 0) {
		log_errno(LX_STEP, "rootfs %s", root_path);
		return -1;
	}
	if (!mounted) {
		log_err(LX_STEP, "pivot_root: NEW %s is not a mount point (bind it in a post-jail hook)", root_path);
		return -1;
	}
	return 0;
}

/* --- mount, mount.fstab, keep_mount ----------------------------------------------------------------------- */

/* One fstab entry, its mount point inside the rootfs. FreeBSD's nullfs is a bind mount here. */
static int mount_entry(const struct fstab_entry *e)
{
	bool bind = e->flags & FSTAB_BIND || strcmp(e->fstype, "nullfs") == 0, isdir = true;
	unsigned long attrs = fstab_mount_attrs(e);
	struct stat st;
	int tfd, rc;

	if (e->noauto)
		return 0;
	if (e->flags & (FSTAB_REMOUNT | FSTAB_PROPAGATION)) {
		log_err(LX_STEP, "%s:%d: remount and propagation options have no meaning for a jail's mount", e->file,
			e->line);
		return -1;
	}
	if (bind && stat(e->device, &st) == 0 && !S_ISDIR(st.st_mode))
		isdir = false;
	tfd = lxfs_open_in_root(in_root(e->mountpoint), O_PATH | (isdir ? O_DIRECTORY : 0), 0, true);
	if (tfd < 0) {
		log_errno(LX_STEP, "%s:%d: mount point %s in the rootfs", e->file, e->line, e->mountpoint);
		return -1;
	}
	if (bind) {
		if (e->data && e->data[0])
			log_warn(LX_STEP, "%s:%d: options \"%s\" ignored on a bind mount", e->file, e->line, e->data);
		rc = lxfs_bind_fd(e->device, tfd, e->flags & FSTAB_REC, attrs, e->mountpoint);
	} else {
		rc = mount_fs_src(e->fstype, e->device, e->data, attrs, tfd, e->mountpoint);
	}
	close(tfd);
	return rc;
}

int lxfs_mount_line(const struct conf_value *v)
{
	struct fstab_entry e;
	char err[512];
	int rc = fstab_parse_line(v->file ? v->file : "config", v->line, v->text, &e, err, sizeof err);

	if (rc < 0) {
		log_err(LX_STEP, "%s", err);
		return -1;
	}
	if (rc == 0)
		return 0;
	rc = mount_entry(&e);
	fstab_entry_free(&e);
	return rc;
}

int lxfs_mount_fstab(const char *file)
{
	struct fstab_entry *v = NULL;
	size_t n = 0;
	char err[512];
	int rc = 0;

	if (fstab_load(file, &v, &n, err, sizeof err) < 0) {
		log_err(LX_STEP, "%s", err);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = mount_entry(&v[i]);
	fstab_free(v, n);
	return rc;
}

/* keep_mount = SRC[:DST] (uWSGI's namespace-keep-mount): without DST the same path, or, when SRC lies in the
 * rootfs, its place inside the jail. */
static int keep_mount(const char *v, const char *where)
{
	char src[PATH_MAX];
	const char *colon = strchr(v, ':'), *dst;
	struct stat st;
	size_t n = colon ? (size_t)(colon - v) : strlen(v);
	int tfd, rc;

	if (n >= sizeof src || n == 0) {
		log_err(LX_STEP, "%s: keep_mount wants SRC[:DST]", where);
		return -1;
	}
	memcpy(src, v, n);
	src[n] = '\0';
	dst = colon ? colon + 1 : in_root(src);
	if (stat(src, &st) < 0) {
		log_errno(LX_STEP, "%s: keep_mount %s", where, src);
		return -1;
	}
	tfd = lxfs_open_in_root(dst, O_PATH | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0), 0, true);
	if (tfd < 0) {
		log_errno(LX_STEP, "%s: keep_mount target %s in the rootfs", where, dst);
		return -1;
	}
	rc = lxfs_bind_fd(src, tfd, true, 0, dst);
	close(tfd);
	return rc;
}

int lxfs_keep_mount(const struct conf_value *v)
{
	char where[PATH_MAX + 32];
	snprintf(where, sizeof where, "%s:%d", v->file ? v->file : "config", v->line);
	return keep_mount(v->text, where);
}

/* --- /proc and /sys ----------------------------------------------------------------------------------------- */

static int mount_special(const char *fstype, const char *dir, const char *data, unsigned long attrs)
{
	int tfd = lxfs_open_in_root(dir, O_PATH | O_DIRECTORY, 0555, true), rc;

	if (tfd < 0) {
		log_errno(LX_STEP, "%s: mount point %s in the rootfs", fstype, dir);
		return -1;
	}
	rc = lxfs_mount_fs(fstype, data, attrs, tfd, dir);
	close(tfd);
	return rc;
}

#define SAFE_ATTRS (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

int lxfs_proc(const char *hidepid, bool host_pids)
{
	char data[64] = "";
	if (hidepid)
		snprintf(data, sizeof data, "hidepid=%s", hidepid);
	if (host_pids)
		log_warn(LX_STEP, "mount.procfs without a pid namespace shows the host's processes");
	return mount_special("proc", "/proc", data, SAFE_ATTRS);
}

int lxfs_sys(void)
{
	return mount_special("sysfs", "/sys", NULL, SAFE_ATTRS | MOUNT_ATTR_RDONLY);
}

int lxfs_tmp(void)
{
	int fd = lxfs_open_in_root("/tmp", O_PATH | O_DIRECTORY, 01777, true), rc;

	if (fd < 0) {
		log_errno(LX_STEP, "mount.tmp: /tmp in the rootfs");
		return -1;
	}
	rc = lxfs_mount_fs("tmpfs", "mode=1777", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, fd, "/tmp");
	close(fd);
	return rc;
}

/* --- pivot_root -------------------------------------------------------------------------------------------- */

static int sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

int lxfs_pivot(const struct jail *j)
{
	(void)j;
	if (!root_path)
		return 0;
	if (fchdir(root_fd) < 0) {
		log_errno(LX_STEP, "chdir to the rootfs %s", root_path);
		return -1;
	}
	if (kept_old) {
		/* uWSGI's pattern: the old tree stays at OLD until a hook or lx_finish detaches it. */
		if (sys_pivot_root(".", kept_old + 1) < 0) {
			log_errno(LX_STEP, "pivot_root %s %s%s", root_path, root_path, kept_old);
			return -1;
		}
	} else {
		/* Stack the old root on the new one, then detach it: no directory needed for it. */
		if (sys_pivot_root(".", ".") < 0) {
			log_errno(LX_STEP, "pivot_root to %s", root_path);
			return -1;
		}
		if (umount2(".", MNT_DETACH) < 0) {
			log_errno(LX_STEP, "detach the old root");
			return -1;
		}
	}
	if (chdir("/") < 0) {
		log_errno(LX_STEP, "chdir /");
		return -1;
	}
	/* From here "/" is the jail: lookups need no root fd any more. */
	close(root_fd);
	root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0) {
		log_errno(LX_STEP, "open /");
		return -1;
	}
	return 0;
}

int lxfs_finish(void)
{
	bool mounted = false;

	if (!kept_old)
		return 0;
	if (is_mount_root(AT_FDCWD, kept_old, &mounted) < 0 && errno != ENOENT) {
		log_errno(LX_STEP, "old root %s", kept_old);
		return -1;
	}
	if (mounted && umount2(kept_old, MNT_DETACH) < 0) {
		log_errno(LX_STEP, "detach the old root %s", kept_old);
		return -1;
	}
	if (mounted)
		log_debug(LX_STEP, "detached the old root at %s", kept_old);
	free(kept_old);
	kept_old = NULL;
	return 0;
}
