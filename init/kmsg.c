/* kmsg: the keeper<->init protocol (kmsg.h): fixed-size messages on a SOCK_SEQPACKET socketpair. */
#include "kmsg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "steps.h"

static const char *const kmsg_names[] = {
	[KMSG_GO] = "go",         [KMSG_STARTED] = "started", [KMSG_FAILED] = "failed",
	[KMSG_EXITED] = "exited", [KMSG_STOP] = "stop",       [KMSG_RELOAD] = "reload",
	[KMSG_STATUS] = "status", [KMSG_INFO] = "info",       [KMSG_INTERRUPT] = "interrupt",
	[KMSG_NETNS] = "netns",
};

const char *kmsg_name(enum kmsg_type t)
{
	if ((unsigned)t < sizeof kmsg_names / sizeof kmsg_names[0] && kmsg_names[t])
		return kmsg_names[t];
	return "unknown";
}

int kmsg_pair(int fds[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0) {
		log_errno(step_name(STEP_CREATE), "socketpair");
		return -1;
	}
	return 0;
}

/* One fd goes along as SCM_RIGHTS. */
union fd_cmsg {
	struct cmsghdr h;
	char buf[CMSG_SPACE(sizeof(int))];
};

static int kmsg_put(int fd, const struct kmsg *m, int pass)
{
	struct iovec iov = {(void *)m, sizeof *m};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	union fd_cmsg c;
	if (pass >= 0) {
		memset(&c, 0, sizeof c);
		mh.msg_control = c.buf;
		mh.msg_controllen = sizeof c.buf;
		struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(h), &pass, sizeof pass);
	}
	ssize_t n;
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof *m) {
		/* The other side being gone is reported by its end-of-file, not here. */
		if (errno != EPIPE && errno != ECONNRESET)
			log_errno("sync", "send %s", kmsg_name((enum kmsg_type)m->type));
		return -1;
	}
	log_debug("sync", "sent %s %d", kmsg_name((enum kmsg_type)m->type), (int)m->arg);
	return 0;
}

int kmsg_send(int fd, enum kmsg_type t, int arg)
{
	struct kmsg m = {(uint32_t)t, arg, 0, 0};
	return kmsg_put(fd, &m, -1);
}

int kmsg_send_fd(int fd, enum kmsg_type t, int arg, int pass)
{
	struct kmsg m = {(uint32_t)t, arg, 0, 0};
	return kmsg_put(fd, &m, pass);
}

int kmsg_send_info(int fd, int pid, int restarts, int last_exit)
{
	struct kmsg m = {KMSG_INFO, pid, restarts, last_exit};
	return kmsg_put(fd, &m, -1);
}

int kmsg_recv(int fd, struct kmsg *m)
{
	return kmsg_recv_fd(fd, m, NULL);
}

int kmsg_recv_fd(int fd, struct kmsg *m, int *passed)
{
	struct iovec iov = {m, sizeof *m};
	union fd_cmsg c;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof c.buf};
	ssize_t n;
	int got = -1;
	if (passed)
		*passed = -1;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
		if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS && h->cmsg_len == CMSG_LEN(sizeof got))
			memcpy(&got, CMSG_DATA(h), sizeof got);
	}
	if (n == 0 || (n < 0 && errno == ECONNRESET))
		return 0;
	if (n != (ssize_t)sizeof *m) {
		log_errno("sync", "recv");
		if (got >= 0)
			close(got);
		return -1;
	}
	if (passed)
		*passed = got;
	else if (got >= 0)
		close(got);
	log_debug("sync", "got %s %d", kmsg_name((enum kmsg_type)m->type), (int)m->arg);
	return 1;
}
