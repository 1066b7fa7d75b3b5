/* proc: Linux's answers through /proc (see init/proc.h). */
#include "proc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int proc_self_path(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len);
	if (n < 0)
		return -1;
	if ((size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/* /proc/self/task/TID/children lists one thread's children; the callers are single-threaded. */
int proc_children(void (*fn)(pid_t pid, void *arg), void *arg)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%ld/children", (long)getpid());
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	long pid;
	while (fscanf(f, "%ld", &pid) == 1)
		fn((pid_t)pid, arg);
	fclose(f);
	return 0;
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

/* /proc/PID/stat: "PID (COMM) S ...", COMM may hold anything, so the state follows the last ')'. */
bool proc_is_zombie(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}
