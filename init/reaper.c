/* reaper: subreaper registration and child bookkeeping; the two systems differ only here. */
#include "reaper.h"

#include <dirent.h>
#include <errno.h>
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

bool reaper_has_children(void)
{
	siginfo_t si;
	/* WNOWAIT leaves any zombie for libev's SIGCHLD handler to reap and report. */
	int rc;
	do
		rc = waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT);
	while (rc < 0 && errno == EINTR);
	return !(rc < 0 && errno == ECHILD);
}

#ifdef __linux__
int sup_become_reaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

/* /proc/self/task/TID/children lists the children of each thread; we are single-threaded. */
int reaper_signal_children(int sig)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%ld/children", (long)getpid());
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	long pid;
	int n = 0;
	while (fscanf(f, "%ld", &pid) == 1) {
		if (kill((pid_t)pid, sig) < 0 && errno != ESRCH)
			log_errno("stop", "kill -%d %ld", sig, pid);
		n++;
	}
	fclose(f);
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
