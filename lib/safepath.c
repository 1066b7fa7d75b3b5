/* safepath: in-root path resolution. The only platform split is in_root() and the mount target's name;
 * everything else is built on them with *at() calls relative to an fd that was itself resolved in the root. */
#include "safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int safe_readlink(const char *link, char *buf, size_t len)
{
	ssize_t n = readlink(link, buf, len);
	if (n < 0)
		return -1;
	if ((size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

#ifdef __linux__
#include <linux/openat2.h>
#include <sys/syscall.h>

static int in_root(int rootfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? mode : 0,
		/* Magic links (/proc/PID/fd/N) would lead anywhere; no real rootfs needs them. */
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	return (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof how);
}

static int fd_name(int fd, char *buf, size_t len)
{
	int n = snprintf(buf, len, "/proc/self/fd/%d", fd);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int safe_fd_path(int fd, char *buf, size_t len)
{
	char name[64];
	if (fd_name(fd, name, sizeof name) < 0)
		return -1;
	return safe_readlink(name, buf, len);
}

static int chmod_fd(int fd, mode_t mode)
{
	char name[64];
	if (fd_name(fd, name, sizeof name) < 0)
		return -1;
	return chmod(name, mode);
}
#else /* FreeBSD */
#include <sys/user.h>

/* O_RESOLVE_BENEATH refuses what would leave the root (ENOTCAPABLE) instead of clamping it. */
static int in_root(int rootfd, const char *path, int flags, mode_t mode)
{
	while (*path == '/')
		path++;
	return openat(rootfd, *path ? path : ".", flags | O_CLOEXEC | O_RESOLVE_BENEATH, mode);
}

static int fd_name(int fd, char *buf, size_t len)
{
	struct kinfo_file kf = {.kf_structsize = KINFO_FILE_SIZE};
	if (fcntl(fd, F_KINFO, &kf) < 0)
		return -1;
	if (strlen(kf.kf_path) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, kf.kf_path);
	return 0;
}

int safe_fd_path(int fd, char *buf, size_t len)
{
	return fd_name(fd, buf, len);
}

static int chmod_fd(int fd, mode_t mode)
{
	return fchmodat(fd, "", mode, AT_EMPTY_PATH);
}
#endif

int safe_open(int rootfd, const char *path, int flags, mode_t mode)
{
	if (rootfd == SAFE_NOROOT)
		return openat(AT_FDCWD, path, flags | O_CLOEXEC, mode);
	return in_root(rootfd, path, flags, mode);
}

/* Open the directory that holds PATH's last component (O_PATH|O_DIRECTORY) and copy that component into BASE
 * (trailing slashes dropped). For operations that must not follow the last component (symlink, unlink,
 * mkdir). Fails with EINVAL for "/" or an empty PATH, ENAMETOOLONG when BASE is too small. Returns the fd. */
static int safe_open_parent(int rootfd, const char *path, char *base, size_t len)
{
	size_t end = strlen(path);
	while (end > 0 && path[end - 1] == '/')
		end--;
	if (end == 0) {
		errno = EINVAL;
		return -1;
	}
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (end - start >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(base, path + start, end - start);
	base[end - start] = '\0';
	if (strcmp(base, "..") == 0 || strcmp(base, ".") == 0) {
		errno = EINVAL;
		return -1;
	}
	char dir[4096];
	if (start >= sizeof dir) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, start);
	dir[start] = '\0';
	if (start == 0)
		strcpy(dir, rootfd == SAFE_NOROOT ? "." : "/");
	return safe_open(rootfd, dir, O_PATH | O_DIRECTORY, 0);
}

/* mkdir of one component below an already resolved prefix. */
static int mkdir_one(int rootfd, const char *prefix, mode_t mode)
{
	char base[256];
	int dfd = safe_open_parent(rootfd, prefix, base, sizeof base);
	if (dfd < 0)
		return -1;
	int rc = mkdirat(dfd, base, mode);
	int err = errno;
	close(dfd);
	if (rc < 0 && err != EEXIST) {
		errno = err;
		return -1;
	}
	return 0;
}

int safe_mkdir_p(int rootfd, const char *path, mode_t mode)
{
	char buf[4096];
	if (strlen(path) >= sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	for (char *p = buf; *p; p++) {
		if (*p != '/' || p == buf || p[-1] == '/')
			continue;
		*p = '\0';
		int rc = mkdir_one(rootfd, buf, mode);
		*p = '/';
		if (rc < 0)
			return -1;
	}
	if (mkdir_one(rootfd, buf, mode) < 0)
		return -1;
	/* EEXIST above may be a file or a dangling link: only a directory will do. */
	int fd = safe_open(rootfd, path, O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return -1;
	return close(fd);
}

int safe_write_file(int rootfd, const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = safe_open(rootfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOCTTY, mode);
	if (fd < 0)
		return -1;
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			int err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return close(fd);
}

int safe_symlink(int rootfd, const char *target, const char *link)
{
	char base[256];
	int dfd = safe_open_parent(rootfd, link, base, sizeof base);
	if (dfd < 0)
		return -1;
	int rc = symlinkat(target, dfd, base);
	int err = errno;
	close(dfd);
	errno = err;
	return rc;
}

int safe_unlink(int rootfd, const char *path)
{
	char base[256];
	int dfd = safe_open_parent(rootfd, path, base, sizeof base);
	if (dfd < 0)
		return -1;
	int rc = unlinkat(dfd, base, 0);
	int err = errno;
	close(dfd);
	errno = err;
	return rc;
}

int safe_chmod(int rootfd, const char *path, mode_t mode)
{
	if (rootfd == SAFE_NOROOT)
		return chmod(path, mode);
	int fd = safe_open(rootfd, path, O_PATH, 0);
	if (fd < 0)
		return -1;
	int rc = chmod_fd(fd, mode);
	int err = errno;
	close(fd);
	errno = err;
	return rc;
}

int safe_mount_target(int rootfd, const char *path, int *fd, char *buf, size_t len)
{
	*fd = -1;
	if (rootfd == SAFE_NOROOT) {
		if (strlen(path) >= len) {
			errno = ENAMETOOLONG;
			return -1;
		}
		strcpy(buf, path);
		return 0;
	}
	int f = safe_open(rootfd, path, O_PATH, 0);
	if (f < 0)
		return -1;
	if (fd_name(f, buf, len) < 0) {
		int err = errno;
		close(f);
		errno = err;
		return -1;
	}
	*fd = f;
	return 0;
}

int safe_resolve(int rootfd, const char *path, char *buf, size_t len)
{
	int fd;
	if (safe_mount_target(rootfd, path, &fd, buf, len) < 0)
		return -1;
	if (fd < 0)
		return 0;
	int rc = safe_fd_path(fd, buf, len);
	int err = errno;
	close(fd);
	errno = err;
	return rc;
}
