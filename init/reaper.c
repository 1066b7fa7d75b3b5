/* reaper: subreaper registration and child bookkeeping; the two systems differ only here. */
#include "reaper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#else
#include <sys/procctl.h>
#endif

#include "log.h"
#include "supervise.h"

void reaper_signal_all(int sig, bool pidns, pid_t pgrp)
{
	if (pidns) {
		if (kill(-1, sig) < 0 && errno != ESRCH)
			log_errno("stop", "kill -%d everything", sig);
		return;
	}
	if (pgrp > 0 && kill(-pgrp, sig) < 0 && errno != ESRCH)
		log_errno("stop", "kill -%d group %ld", sig, (long)pgrp);
	reaper_signal_children(sig);
}

#ifdef __linux__
int sup_become_reaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

static void signal_one(long pid, int sig)
{
	if (kill((pid_t)pid, sig) < 0 && errno != ESRCH)
		log_errno("stop", "kill -%d %ld", sig, pid);
}

/* /proc/thread-self/children lists this thread's children; we are single-threaded. Plain read(2) and a
 * digit loop: this runs on every stop, and scanf would pull stdio's scanner into a small process. */
int reaper_signal_children(int sig)
{
	int fd = open("/proc/thread-self/children", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char buf[4096];
	long pid = 0;
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
				pid = pid * 10 + (buf[i] - '0');
				digits = true;
			} else if (digits) {
				signal_one(pid, sig);
				n++;
				pid = 0;
				digits = false;
			}
		}
	}
	if (digits) {
		signal_one(pid, sig);
		n++;
	}
	close(fd);
	return n;
}
#else
int sup_become_reaper(void)
{
	return procctl(P_PID, getpid(), PROC_REAP_ACQUIRE, NULL);
}

/* FreeBSD: the reaper signals all its descendants in one call. */
int reaper_signal_children(int sig)
{
	struct procctl_reaper_kill rk = {.rk_sig = sig, .rk_flags = 0};
	if (procctl(P_PID, getpid(), PROC_REAP_KILL, &rk) < 0) {
		if (errno == ESRCH)
			return 0;
		log_errno("stop", "reap-kill -%d", sig);
		return -1;
	}
	return (int)rk.rk_killed;
}
#endif
