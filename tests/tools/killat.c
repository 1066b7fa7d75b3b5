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

static int do_open(const char *name, const char *path, int flags, va_list ap)
{
	mode_t mode = flags & (O_CREAT | O_TMPFILE) ? va_arg(ap, mode_t) : 0;
	maybe_kill(path);
	int (*real)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, name);
	return real(path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int fd = do_open("open", path, flags, ap);
	va_end(ap);
	return fd;
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int fd = do_open("open64", path, flags, ap);
	va_end(ap);
	return fd;
}
