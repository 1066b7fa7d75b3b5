/* sigsrc: blocked signals read from one pollable fd (Linux signalfd, FreeBSD kqueue), so that a loop (PID 1's,
 * a jail's keeper's) needs one watcher and no handler: no signal frame, no wake-up pipe, nothing a child
 * inherits but the mask. */
#ifndef WARDER_SIGSRC_H
#define WARDER_SIGSRC_H

#include <errno.h>
#include <signal.h>

struct sigsrc_info {
	int sig;
	int user; /* sent by a process (kill, sigqueue, tkill), not raised by the kernel for a fault */
};

/* An fd that polls readable while a signal of SET is pending; SET must be blocked. -1 and errno. */
int sigsrc_open(const sigset_t *set);
/* Dequeues up to N pending signals of SET; returns how many, 0 when none is pending. */
int sigsrc_read(int fd, const sigset_t *set, struct sigsrc_info *out, int n);
/* Blocks SET (OLD gets the mask before) and opens its fd; when that fails, the mask is OLD again. -1 and
 * errno. */
static inline int sigsrc_block_open(const sigset_t *set, sigset_t *old)
{
	sigprocmask(SIG_BLOCK, set, old);
	int fd = sigsrc_open(set);
	if (fd < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, old, NULL);
		errno = e;
	}
	return fd;
}

/* In a child of the process that opened FD: lets go of what the child inherited of it. */
void sigsrc_forget(int fd);

#endif
