/* nsock (Linux): an abstract unix datagram socket with SO_PASSCRED; the sender's pid comes translated into
 * our pid namespace (0 for a process outside it), and the parent chain from /proc. */
#include "nsock.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

int nsock_open(const char *name, char *addr, size_t len)
{
	unsigned char rnd[8];
	char hex[17];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		log_errno("notify", "getrandom");
		return -1;
	}
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	/* '@' is how NOTIFY_SOCKET names an abstract socket; the name itself starts with a NUL byte. */
	int n = snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "warder/%s/%s", name, hex);
	if (n < 0 || (size_t)n >= sizeof sa.sun_path - 1 || snprintf(addr, len, "@%s", sa.sun_path + 1) >= (int)len) {
		log_err("notify", "jail name too long for a socket name");
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;
	if (fd < 0) {
		log_errno("notify", "socket");
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n)) < 0) {
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
		char b[CMSG_SPACE(sizeof(struct ucred))];
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
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDENTIALS) {
			struct ucred u;
			memcpy(&u, CMSG_DATA(h), sizeof u);
			*pid = u.pid;
		} else if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
			/* Nobody passes fds to us here: close what came, never keep it. */
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
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "PID (COMM) STATE PPID": COMM may hold anything, so read after its last ')'. */
	char *p = strrchr(buf, ')');
	long ppid;
	if (!p)
		return -1;
	/* Then " STATE PPID". */
	for (p++; isspace((unsigned char)*p); p++)
		;
	if (!*p++)
		return -1;
	char *end;
	ppid = strtol(p, &end, 10);
	if (end == p)
		return -1;
	return (pid_t)ppid;
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
	(void)addr; /* abstract: nothing in any filesystem */
	if (fd >= 0)
		close(fd);
}
