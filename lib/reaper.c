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
#include "proc.h"

/* Signalling everything is the kill step; its lines keep the tag they always had, the stop step's name
 * (lib/ sits below the step table of hooks/steps.h, so the name is written here). */
#define STEP "stop"

void reaper_signal_all(int sig, bool pidns, pid_t pgrp)
{
	if (pidns) {
		if (kill(-1, sig) < 0 && errno != ESRCH)
			log_errno(STEP, "kill -%d everything", sig);
		return;
	}
	if (pgrp > 0 && kill(-pgrp, sig) < 0 && errno != ESRCH)
		log_errno(STEP, "kill -%d group %ld", sig, (long)pgrp);
	reaper_signal_children(sig);
}

#ifdef __linux__
int reaper_become(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

static void signal_one(pid_t pid, void *arg)
{
	int sig = *(const int *)arg;
	if (kill(pid, sig) < 0 && errno != ESRCH)
		log_errno(STEP, "kill -%d %ld", sig, (long)pid);
}

/* One walk of /proc/thread-self/children (proc.c): those reparented to us as subreaper included. */
int reaper_signal_children(int sig)
{
	return proc_children_of(0, signal_one, &sig);
}
#else
int reaper_become(void)
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
		log_errno(STEP, "reap-kill -%d", sig);
		return -1;
	}
	return (int)rk.rk_killed;
}
#endif
