/* proc: FreeBSD's answers through sysctl(3) and the reaper's procctl(2) requests (see lib/proc.h). */
#include "proc.h"

#include <sys/types.h>
#include <sys/event.h>
#include <sys/procctl.h>
#include <sys/sysctl.h>
#include <sys/user.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

int proc_self_path(char *buf, size_t len)
{
	int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PATHNAME, -1};
	size_t n = len;
	if (sysctl(mib, 4, buf, &n, NULL, 0) < 0)
		return -1;
	if (n == 0 || buf[0] != '/') {
		errno = ENOENT; /* the kernel no longer knows the file's name */
		return -1;
	}
	return 0;
}

/* Without reaper status the GETPIDS and KILL requests act on our reaper's descendants, other people's. */
static int owned_reaper(struct procctl_reaper_status *rs)
{
	if (procctl(P_PID, getpid(), PROC_REAP_STATUS, rs) < 0)
		return -1;
	if (!(rs->rs_flags & REAPER_STATUS_OWNED)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

int proc_children(void (*fn)(pid_t pid, void *arg), void *arg)
{
	struct procctl_reaper_status rs;
	if (owned_reaper(&rs) < 0)
		return -1;
	/* Room for those born since the count; zero-filled so that the end shows as !REAPER_PIDINFO_VALID. */
	u_int n = rs.rs_descendants + 64;
	struct procctl_reaper_pidinfo *pi = calloc(n, sizeof *pi);
	if (!pi)
		return -1;
	struct procctl_reaper_pids rp = {.rp_count = n, .rp_pids = pi};
	if (procctl(P_PID, getpid(), PROC_REAP_GETPIDS, &rp) < 0) {
		int saved = errno;
		free(pi);
		errno = saved;
		return -1;
	}
	for (u_int i = 0; i < n && (pi[i].pi_flags & REAPER_PIDINFO_VALID); i++)
		if (pi[i].pi_flags & REAPER_PIDINFO_CHILD)
			fn(pi[i].pi_pid, arg);
	free(pi);
	return 0;
}

/* The kernel remembers which direct child of ours each descendant came from, even after that child died. */
int proc_kill_subtree(pid_t child)
{
	struct procctl_reaper_status rs;
	if (owned_reaper(&rs) < 0)
		return -1;
	struct procctl_reaper_kill rk = {.rk_sig = SIGKILL, .rk_flags = REAPER_KILL_SUBTREE, .rk_subtree = child};
	if (procctl(P_PID, getpid(), PROC_REAP_KILL, &rk) < 0)
		return errno == ESRCH ? 0 : -1; /* ESRCH: nothing was left */
	return (int)rk.rk_killed;
}

int proc_exit_fd(pid_t child)
{
	int kq = kqueue();
	if (kq < 0)
		return -1;
	struct kevent ev;
	EV_SET(&ev, child, EVFILT_PROC, EV_ADD | EV_ONESHOT, NOTE_EXIT, 0, NULL);
	if (fcntl(kq, F_SETFD, FD_CLOEXEC) < 0 || kevent(kq, &ev, 1, NULL, 0, NULL) < 0) {
		int saved = errno;
		close(kq);
		errno = saved;
		return -1;
	}
	return kq;
}

bool proc_is_zombie(pid_t pid)
{
	int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PID, (int)pid};
	struct kinfo_proc kp;
	size_t n = sizeof kp;
	return sysctl(mib, 4, &kp, &n, NULL, 0) == 0 && n == sizeof kp && kp.ki_stat == SZOMB;
}

pid_t proc_parent(pid_t pid)
{
	int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PID, (int)pid};
	struct kinfo_proc kp;
	size_t n = sizeof kp;
	if (sysctl(mib, 4, &kp, &n, NULL, 0) < 0)
		return -1;
	if (n != sizeof kp) {
		errno = ESRCH;
		return -1;
	}
	return kp.ki_ppid;
}

pid_t proc_vfork_shared(int (*fn)(void *arg), void *arg)
{
	(void)fn, (void)arg;
	errno = ENOSYS;
	return -1;
}

int proc_unshare_fds(unsigned from)
{
	(void)from;
	errno = ENOSYS;
	return -1;
}
