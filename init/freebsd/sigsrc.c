/* sigsrc: a kqueue with EVFILT_SIGNAL marks that a signal came; sigtimedwait(2) dequeues it (the signals
 * stay blocked, so kqueue only records them). */
#include "sigsrc.h"

#include <sys/types.h>
#include <sys/event.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

int sigsrc_open(const sigset_t *set)
{
	int kq = kqueuex(KQUEUE_CLOEXEC);
	if (kq < 0)
		return -1;
	struct kevent ev[_SIG_MAXSIG];
	int n = 0;
	for (int sig = 1; sig < _SIG_MAXSIG && n < _SIG_MAXSIG; sig++)
		if (sigismember(set, sig) == 1)
			EV_SET(&ev[n++], sig, EVFILT_SIGNAL, EV_ADD, 0, 0, NULL);
	if (kevent(kq, ev, n, NULL, 0, NULL) < 0) {
		int e = errno;
		close(kq);
		errno = e;
		return -1;
	}
	return kq;
}

int sigsrc_read(int fd, const sigset_t *set, struct sigsrc_info *out, int n)
{
	/* Drain the notes first: a signal that comes after this leaves a new one, so none is missed. */
	struct kevent ev[16];
	const struct timespec zero = {0, 0};
	while (kevent(fd, NULL, 0, ev, 16, &zero) == 16)
		;
	int got = 0;
	while (got < n) {
		siginfo_t si;
		int sig = sigtimedwait(set, &si, &zero);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		out[got].sig = sig;
		out[got].user = si.si_code == SI_USER || si.si_code == SI_QUEUE || si.si_code == SI_LWP;
		got++;
	}
	return got;
}
