/* nsock (FreeBSD): a unix datagram socket at a path under the jail's /var/run (FreeBSD has no abstract
 * names) with LOCAL_CREDS_PERSISTENT, so that every datagram carries its sender's pid (SCM_CREDS2); the
 * parent chain from kern.proc.pid. A process outside the jail cannot see the path to send to it; one that
 * could is still not believed unless it descends from the init. */
#include "nsock.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/sysctl.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/user.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

int nsock_open(const char *name, char *addr, size_t len)
{
	unsigned char rnd[8];
	if (getentropy(rnd, sizeof rnd) < 0) {
		log_errno("notify", "getentropy");
		return -1;
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int n = snprintf(sa.sun_path, sizeof sa.sun_path, "/var/run/warder-notify.%s.%02x%02x%02x%02x", name, rnd[0],
			 rnd[1], rnd[2], rnd[3]);
	if (n < 0 || (size_t)n >= sizeof sa.sun_path || snprintf(addr, len, "%s", sa.sun_path) >= (int)len) {
		log_err("notify", "jail name too long for a socket path");
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;
	if (fd < 0) {
		log_errno("notify", "socket");
		return -1;
	}
	if (setsockopt(fd, SOL_LOCAL, LOCAL_CREDS_PERSISTENT, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, (socklen_t)SUN_LEN(&sa)) < 0) {
		log_errno("notify", "bind %s", addr);
		close(fd);
		return -1;
	}
	return fd;
}

ssize_t nsock_recv(int fd, char *buf, size_t len, pid_t *pid)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(SOCKCRED2SIZE(16))];
	} c;
	struct iovec iov = {buf, len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b, .msg_controllen = sizeof c.b};
	ssize_t n;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	*pid = 0;
	if (n < 0)
		return -1;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h)) {
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDS2) {
			struct sockcred2 sc;
			memcpy(&sc, CMSG_DATA(h), sizeof sc);
			*pid = sc.sc_pid;
		} else if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
			size_t nfd = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < nfd; i++) {
				int f;
				memcpy(&f, CMSG_DATA(h) + i * sizeof(int), sizeof f);
				close(f);
			}
		}
	}
	return (size_t)n > len ? (ssize_t)len : n;
}

static pid_t parent_of(pid_t pid)
{
	int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PID, (int)pid};
	struct kinfo_proc kp;
	size_t len = sizeof kp;
	if (sysctl(mib, 4, &kp, &len, NULL, 0) < 0 || len != sizeof kp)
		return -1;
	return kp.ki_ppid;
}

bool nsock_in_tree(pid_t pid)
{
	pid_t self = getpid();
	for (int i = 0; i < 128 && pid > 1; i++) {
		if (pid == self)
			return true;
		pid = parent_of(pid);
	}
	return pid == self;
}

void nsock_close(int fd, const char *addr)
{
	if (fd < 0)
		return;
	close(fd);
	if (addr && addr[0] == '/' && unlink(addr) < 0 && errno != ENOENT)
		log_errno("notify", "unlink %s", addr);
}
