/* sigsrc: blocked signals read from one pollable fd (Linux signalfd, FreeBSD kqueue), so that the PID-1
 * loop needs one watcher and no handler for every signal it forwards. */
#ifndef WARDER_SIGSRC_H
#define WARDER_SIGSRC_H

#include <signal.h>

struct sigsrc_info {
	int sig;
	int user; /* sent by a process (kill, sigqueue, tkill), not raised by the kernel for a fault */
};

/* An fd that polls readable while a signal of SET is pending; SET must be blocked. -1 and errno. */
int sigsrc_open(const sigset_t *set);
/* Dequeues up to N pending signals of SET; returns how many, 0 when none is pending. */
int sigsrc_read(int fd, const sigset_t *set, struct sigsrc_info *out, int n);

#endif
