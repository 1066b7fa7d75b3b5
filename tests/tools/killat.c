/* killat: an LD_PRELOAD for attach.sh. The first open(2) of a path that contains $KILLAT_PATH SIGSTOPs
 * process $KILLAT_STOP (if set), SIGKILLs process $KILLAT_PID and returns once that has exited, then opens as
 * asked: a jail's init that stops in the middle of `warder attach`, between two of its /proc/PID opens, its
 * keeper held (as if slow) so that its teardown does not race the attach.
 * With $KILLAT_REUSE=PID instead, the first pidfd_open(2) of PID SIGKILLs it, waits until its keeper has
 * reaped it, and gives its pid to a child of ours (through ns_last_pid) that pauses until we exit: a jail's
 * init whose pid is another process's by the time `warder attach` takes hold of it. "taken" goes into file
 * $KILLAT_OUT once the child has the pid. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void maybe_kill(const char *path)
{
	static int done;
	const char *pat = getenv("KILLAT_PATH"), *pid = getenv("KILLAT_PID"), *stop = getenv("KILLAT_STOP");
	if (done || !pat || !pid || !path || !strstr(path, pat))
		return;
	done = 1;
	if (stop)
		kill(atoi(stop), SIGSTOP);
	int fd = (int)syscall(SYS_pidfd_open, atoi(pid), 0);
	kill(atoi(pid), SIGKILL);
	if (fd >= 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		poll(&p, 1, 5000);
		close(fd);
	}
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	maybe_kill(path);
	int (*real)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	return real(path, flags, mode);
}

/* One function under both names: on a 64-bit C library they are the same call. */
int open64(const char *path, int flags, ...) __attribute__((alias("open")));

static void nap(void)
{
	struct timespec t = {0, 1000000};
	nanosleep(&t, NULL);
}

/* Fork until the child's pid is PID (other forks on the host may take it first). 0 once it has. */
static int take_pid(pid_t pid)
{
	pid_t me = getpid();
	for (int tries = 0; tries < 100; tries++) {
		int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		char num[24];
		int len = snprintf(num, sizeof num, "%ld", (long)pid - 1);
		ssize_t w = write(fd, num, (size_t)len);
		close(fd);
		if (w != len)
			return -1;
		pid_t c = fork();
		if (c == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() == me)
				pause();
			_exit(0);
		}
		if (c == pid)
			return 0;
		if (c < 0)
			return -1;
		kill(c, SIGKILL);
		waitpid(c, NULL, 0);
	}
	return -1;
}

static void maybe_reuse(long nr, long arg)
{
	static int done;
	const char *pid = getenv("KILLAT_REUSE");
	if (done || nr != SYS_pidfd_open || !pid || arg != atol(pid))
		return;
	done = 1;
	kill((pid_t)arg, SIGKILL);
	/* Its keeper reaps it (a zombie still holds the pid). */
	for (int i = 0; i < 5000 && (kill((pid_t)arg, 0) == 0 || errno != ESRCH); i++)
		nap();
	const char *out = getenv("KILLAT_OUT");
	if (take_pid((pid_t)arg) == 0 && out) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0) {
			ssize_t w = write(fd, "taken\n", 6); /* a short write shows as a failed check */
			(void)w;
			close(fd);
		}
	}
}

/* glibc's own syscall(2) reads six arguments whatever the call takes: so does this one. */
long syscall(long nr, ...)
{
	va_list ap;
	long a[6];
	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	maybe_reuse(nr, a[0]);
	long (*real)(long, ...) = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
