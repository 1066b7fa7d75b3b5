/* sigsrc: signalfd(2); one read dequeues every pending signal it has room for. */
#include "sigsrc.h"

#include <errno.h>
#include <sys/signalfd.h>
#include <unistd.h>

int sigsrc_open(const sigset_t *set)
{
	return signalfd(-1, set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int sigsrc_read(int fd, const sigset_t *set, struct sigsrc_info *out, int n)
{
	(void)set;
	struct signalfd_siginfo si[16];
	if (n > 16)
		n = 16;
	ssize_t r;
	do
		r = read(fd, si, sizeof si[0] * (size_t)n);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return 0;
	int got = (int)((size_t)r / sizeof si[0]);
	for (int i = 0; i < got; i++) {
		out[i].sig = (int)si[i].ssi_signo;
		/* SI_USER, SI_QUEUE, SI_TKILL, ... are <= 0; the kernel's own codes are positive. */
		out[i].user = si[i].ssi_code <= 0;
	}
	return got;
}
