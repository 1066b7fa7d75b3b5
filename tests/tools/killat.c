/* killat: an LD_PRELOAD for attach.sh. The first open(2) of a path that contains $KILLAT_PATH SIGSTOPs
 * process $KILLAT_STOP (if set), SIGKILLs process $KILLAT_PID and returns once that has exited, then opens as
 * asked: a jail's init that stops in the middle of `warder attach`, between two of its /proc/PID opens, its
 * keeper held (as if slow) so that its teardown does not race the attach. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
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
