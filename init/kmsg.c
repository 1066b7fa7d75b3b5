/* kmsg: the keeper<->init protocol (kmsg.h): fixed-size messages on a SOCK_SEQPACKET socketpair. */
#include "kmsg.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include "log.h"
#include "steps.h"

static const char *const kmsg_names[] = {
	[KMSG_GO] = "go",         [KMSG_STARTED] = "started", [KMSG_FAILED] = "failed",
	[KMSG_EXITED] = "exited", [KMSG_STOP] = "stop",       [KMSG_RELOAD] = "reload",
	[KMSG_STATUS] = "status", [KMSG_INFO] = "info",       [KMSG_INTERRUPT] = "interrupt",
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

static int kmsg_put(int fd, const struct kmsg *m)
{
	ssize_t n;
	do
		n = send(fd, m, sizeof *m, MSG_NOSIGNAL);
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
	return kmsg_put(fd, &m);
}

int kmsg_send_info(int fd, int pid, int restarts, int last_exit)
{
	struct kmsg m = {KMSG_INFO, pid, restarts, last_exit};
	return kmsg_put(fd, &m);
}

int kmsg_recv(int fd, struct kmsg *m)
{
	ssize_t n;
	do
		n = recv(fd, m, sizeof *m, 0);
	while (n < 0 && errno == EINTR);
	if (n == 0 || (n < 0 && errno == ECONNRESET))
		return 0;
	if (n != (ssize_t)sizeof *m) {
		log_errno("sync", "recv");
		return -1;
	}
	log_debug("sync", "got %s %d", kmsg_name((enum kmsg_type)m->type), (int)m->arg);
	return 1;
}
