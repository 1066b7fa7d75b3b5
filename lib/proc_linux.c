/* proc: Linux's answers through /proc (see lib/proc.h). */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "safepath.h"

int proc_self_path(char *buf, size_t len)
{
	return safe_readlink("/proc/self/exe", buf, len);
}

/* Plain read(2) and a digit loop: the stop path runs this, and scanf would pull stdio's scanner into a
 * small process. */
int proc_children_of(pid_t pid, void (*fn)(pid_t child, void *arg), void *arg)
{
	char path[64];
	if (pid)
		snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", (long)pid, (long)pid);
	else
		snprintf(path, sizeof path, "/proc/thread-self/children");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char buf[4096];
	long child = 0;
	bool digits = false;
	int n = 0;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] >= '0' && buf[i] <= '9') {
				child = child * 10 + (buf[i] - '0');
				digits = true;
			} else if (digits) {
				fn((pid_t)child, arg);
				n++;
				child = 0;
				digits = false;
			}
		}
	}
	if (digits) {
		fn((pid_t)child, arg);
		n++;
	}
	close(fd); /* read-only: nothing to lose */
	return n;
}

int proc_children(void (*fn)(pid_t pid, void *arg), void *arg)
{
	return proc_children_of(0, fn, arg) < 0 ? -1 : 0;
}

int proc_kill_subtree(pid_t child)
{
	(void)child;
	return 0;
}

int proc_exit_fd(pid_t child)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, child, 0); /* close-on-exec by itself */
#else
	(void)child;
	errno = ENOSYS;
	return -1;
#endif
}

/* /proc/PID/stat from its third field on ("PID (COMM) STATE PPID ..."; COMM may hold anything, so the last
 * ')' ends it), into BUF; NULL with errno. */
static const char *stat_fields(pid_t pid, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2]) {
		errno = EINVAL;
		return NULL;
	}
	return p + 2;
}

bool proc_is_zombie(pid_t pid)
{
	char buf[512];
	const char *p = stat_fields(pid, buf, sizeof buf);
	return p && (*p == 'Z' || *p == 'X');
}

pid_t proc_parent(pid_t pid)
{
	char buf[512], *end;
	const char *p = stat_fields(pid, buf, sizeof buf);
	if (!p)
		return -1;
	long ppid = p[1] == ' ' ? strtol(p + 2, &end, 10) : -1;
	if (ppid < 0 || end == p + 2) {
		errno = EINVAL;
		return -1;
	}
	return (pid_t)ppid;
}

pid_t proc_vfork_shared(int (*fn)(void *arg), void *arg)
{
	/* Its stack is ours, below this frame: we are suspended until it execs or exits. */
	char stack[32768] __attribute__((aligned(16)));
	return clone(fn, stack + sizeof stack, CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, arg);
}

int proc_unshare_fds(unsigned from)
{
	return close_range(from, ~0U, CLOSE_RANGE_UNSHARE);
}
