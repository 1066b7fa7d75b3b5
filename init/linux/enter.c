/* enter: `warder attach` on Linux - join a running jail's cgroups, namespaces and root.
 *
 * Order matters: the cgroups while the host's cgroupfs is still visible; the user namespace first (an
 * unprivileged caller gains its powers over the jail's other namespaces only there); the mount namespace last
 * (it changes what /proc means); then the init's own root, in case it is chrooted below its namespace's root. */
#include "create.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "log.h"
#include "ns.h"
#include "proc.h"
#include "setns.h"

#define EN_STEP "attach"

#define NKINDS NS_COUNT

/* The k-th namespace in join order: its /proc file name and clone type. */
static const struct ns_def *kind(size_t k)
{
	return &ns_table[ns_join_order[k]];
}

static const char *kind_name(int type)
{
	for (size_t i = 0; i < NS_COUNT; i++)
		if (ns_table[i].clone_flag == (unsigned long long)type)
			return ns_table[i].proc;
	return NULL;
}

/* Entering our own namespace is pointless, and for a user namespace an error. */
static bool is_ours(int fd, const char *name)
{
	char path[64];
	struct stat a, b;
	snprintf(path, sizeof path, "/proc/self/ns/%s", name);
	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static int join_ns(int fd)
{
	int type = ioctl(fd, NS_GET_NSTYPE);
	const char *name = type > 0 ? kind_name(type) : NULL;
	if (!name) {
		log_errno(EN_STEP, "not a namespace fd");
		return -1;
	}
	if (is_ours(fd, name))
		return 0;
	if (setns(fd, type) < 0) {
		log_errno(EN_STEP, "setns %s", name);
		return -1;
	}
	return 0;
}

/* --- cgroups: every hierarchy in which the init sits elsewhere than we do ------------------------------- */
static bool is_fs(const char *path, long magic)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && (long)sf.f_type == magic;
}

/* The mount of hierarchy CTRLS ("" for v2; v1: the first controller or name=X) into buf. */
static int hier_mount(const char *ctrls, char *buf, size_t len)
{
	if (!*ctrls) {
		const char *v2 =
			is_fs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC) ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
		snprintf(buf, len, "%s", v2);
		return is_fs(buf, CGROUP2_SUPER_MAGIC) ? 0 : -1;
	}
	const char *first = strncmp(ctrls, "name=", 5) == 0 ? ctrls + 5 : ctrls;
	snprintf(buf, len, "/sys/fs/cgroup/%.*s", (int)strcspn(first, ","), first);
	return is_fs(buf, CGROUP_SUPER_MAGIC) ? 0 : -1;
}

/* The path of hierarchy CTRLS in /proc/PID/cgroup (PID 0: ourselves). */
static int cg_path(pid_t pid, const char *ctrls, char *out, size_t len)
{
	char file[64], line[1024];
	if (pid)
		snprintf(file, sizeof file, "/proc/%ld/cgroup", (long)pid);
	else
		snprintf(file, sizeof file, "/proc/self/cgroup");
	FILE *f = fopen(file, "re");
	if (!f)
		return -1;
	int rc = -1;
	while (rc < 0 && fgets(line, sizeof line, f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		if (strcmp(c1 + 1, ctrls) == 0)
			rc = snprintf(out, len, "%.*s", (int)strcspn(c2 + 1, "\n"), c2 + 1) < (int)len ? 0 : -1;
	}
	fclose(f);
	return rc;
}

static int join_one(const char *ctrls, const char *path)
{
	char mnt[256], mine[512], file[1024], num[24];
	if (cg_path(0, ctrls, mine, sizeof mine) == 0 && strcmp(mine, path) == 0)
		return 0;
	if (hier_mount(ctrls, mnt, sizeof mnt) < 0)
		return 0; /* a hierarchy this host does not mount: nothing to join */
	snprintf(file, sizeof file, "%s%s/cgroup.procs", mnt, path);
	snprintf(num, sizeof num, "%ld", (long)getpid());
	int fd = open(file, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, num, strlen(num));
	int err = errno;
	if (fd >= 0 && close(fd) < 0 && n >= 0)
		n = -1, err = errno;
	if (n != (ssize_t)strlen(num)) {
		errno = err;
		log_errno(EN_STEP, "join cgroup %s%s", mnt, path);
		return -1;
	}
	return 0;
}

static int join_cgroups(pid_t pid)
{
	char file[64], line[1024];
	snprintf(file, sizeof file, "/proc/%ld/cgroup", (long)pid);
	FILE *f = fopen(file, "re");
	if (!f) {
		log_errno(EN_STEP, "open %s", file);
		return -1;
	}
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof line, f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		c2[1 + strcspn(c2 + 1, "\n")] = '\0';
		rc = join_one(c1 + 1, c2 + 1);
	}
	fclose(f);
	return rc;
}

/* --- namespaces and root ------------------------------------------------------------------------------------ */
static int open_ns(pid_t pid, const char *name)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/ns/%s", (long)pid, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno != ENOENT)
		log_errno(EN_STEP, "open %s", path);
	return fd;
}

/* Join FDS in ns_join_order (user first, mnt last); close them. */
static int join_all(int *fds, size_t n)
{
	int rc = 0;
	for (size_t k = 0; k < NKINDS && rc == 0; k++)
		for (size_t i = 0; i < n && rc == 0; i++)
			if (fds[i] >= 0 && (unsigned long long)ioctl(fds[i], NS_GET_NSTYPE) == kind(k)->clone_flag) {
				rc = join_ns(fds[i]);
				close(fds[i]);
				fds[i] = -1;
			}
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}

/* Whether the process behind PIDFD has exited: a /proc/PID file opened while it lives is its, but one opened
 * after its exit is missing (ENOENT, taken for a namespace this kernel lacks) or, the pid reused, another's. */
static bool gone(int pidfd)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	return pidfd >= 0 && poll(&p, 1, 0) != 0;
}

/* The init stopped while we took its handles: say so; errno ESRCH tells attach to ask for a retry (75). */
static int stopped(pid_t pid)
{
	log_err(EN_STEP, "the jail's init (pid %ld) stopped while attaching", (long)pid);
	errno = ESRCH;
	return -1;
}

int lx_enter(const char *name, pid_t pid, pid_t keeper, const int *nsfds, size_t n)
{
	int fds[SETNS_MAX + NKINDS];
	size_t nfds = 0;
	char rootp[64];
	int pidfd = -1, rootfd = -1;
	/* Ours from here: every way out closes them. */
	for (size_t i = 0; nsfds && i < n; i++)
		if (nfds < SETNS_MAX)
			fds[nfds++] = nsfds[i];
		else
			close(nsfds[i]);
	if (pid <= 0) {
		log_err(EN_STEP, "no running jail named %s", name ? name : "?");
		errno = ENOENT;
		goto fail;
	}
	/* Held from before the first /proc/PID open: the pid cannot be another process's while this one lives. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	/* The pid was the keeper's child when attach read the state; since then it may have been freed and
	 * taken by another process, whose namespaces (the host's) are not the jail's. */
	if ((pidfd < 0 && errno == ESRCH) || (keeper > 0 && proc_parent(pid) != keeper)) {
		stopped(pid);
		goto fail;
	}
	snprintf(rootp, sizeof rootp, "/proc/%ld/root", (long)pid);
	rootfd = open(rootp, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		log_errno(EN_STEP, "open %s", rootp);
		goto fail;
	}
	if (join_cgroups(pid) < 0)
		goto fail;
	/* A setns socket leaves the user namespace out (uWSGI's habit); without root we need it. */
	for (size_t k = 0; k < NKINDS; k++) {
		if (nsfds && !(k == 0 && geteuid() != 0))
			continue;
		int fd = open_ns(pid, kind(k)->proc);
		if (fd >= 0)
			fds[nfds++] = fd;
		else if (errno != ENOENT)
			goto fail;
	}
	/* Alive after the last open: every handle is of this init, and none it has was taken for missing. */
	if (gone(pidfd)) {
		stopped(pid);
		goto fail;
	}
	int joined = join_all(fds, nfds);
	nfds = 0; /* join_all closed them */
	if (joined < 0)
		goto fail;
	if (fchdir(rootfd) < 0 || chroot(".") < 0 || chdir("/") < 0) {
		log_errno(EN_STEP, "enter the root of pid %ld", (long)pid);
		goto fail;
	}
	close(rootfd);
	if (pidfd >= 0)
		close(pidfd);
	return 0;
fail:;
	int err = errno;
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	if (rootfd >= 0)
		close(rootfd);
	if (pidfd >= 0)
		close(pidfd);
	errno = err;
	return -1;
}
