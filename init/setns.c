/* setns: uWSGI's setns-socket protocol, both sides (setns.h). The payload "uwsgi-setns", a native int with the
 * number of fds, the namespace fds as SCM_RIGHTS; the user namespace is left out, as uWSGI does. */
#include "setns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "peer.h"
#include "unixsock.h"

#define SETNS_MAGIC "uwsgi-setns"
#define SETNS_MAGIC_LEN 11

/* --- the server, in the init ----------------------------------------------------------------------------- */
static int ns_fds[SETNS_MAX];
static int ns_count;
static uid_t ns_owner; /* who may have the fds besides root: the uid that runs the jail */

static int preopen(void)
{
	DIR *d = opendir("/proc/self/ns");
	if (!d) {
		log_errno("setns", "open /proc/self/ns");
		return -1;
	}
	struct dirent *de;
	while ((de = readdir(d)) && ns_count < SETNS_MAX) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "user") == 0)
			continue;
		int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			log_errno("setns", "open /proc/self/ns/%s", de->d_name);
			closedir(d);
			return -1;
		}
		ns_fds[ns_count++] = fd;
	}
	closedir(d);
	return 0;
}

int setns_listen(const char *path)
{
	if (preopen() < 0)
		return -1;
	struct stat st;
	/* A socket left by a jail that was killed; anything else at that path is not ours to remove. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && unlink(path) < 0 && errno != ENOENT) {
		log_errno("setns", "unlink stale %s", path);
		return -1;
	}
	/* 0600: the namespace fds are root's (or the jail owner's) alone; setns_serve checks the peer too. */
	int fd = unixsock_listen("setns", path, 0);
	if (fd < 0)
		return -1;
	ns_owner = geteuid();
	log_debug("setns", "serving %d namespaces on %s", ns_count, path);
	return fd;
}

void setns_serve(int lfd)
{
	uid_t uid;
	int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_errno("setns", "accept");
		return;
	}
	/* The file mode is the first gate; this one holds even when someone loosened it. */
	if (peer_cred(c, &uid, NULL) < 0) {
		log_errno("setns", "peer credentials");
		close(c);
		return;
	}
	if (uid != 0 && uid != ns_owner) {
		log_warn("setns", "refused a client with uid %ld", (long)uid);
		close(c);
		return;
	}
	int count = ns_count;
	char magic[] = SETNS_MAGIC;
	struct iovec iov[2] = {{magic, SETNS_MAGIC_LEN}, {&count, sizeof count}};
	union {
		char buf[CMSG_SPACE(sizeof(int) * SETNS_MAX)];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof ctl);
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	if (count > 0) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)count);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)count);
		memcpy(CMSG_DATA(cm), ns_fds, sizeof(int) * (size_t)count);
	}
	if (sendmsg(c, &mh, MSG_NOSIGNAL) < 0)
		log_errno("setns", "sendmsg");
	close(c);
}

void setns_close(void)
{
	for (int i = 0; i < ns_count; i++)
		close(ns_fds[i]);
	ns_count = 0;
}

/* --- the client (warder attach) ---------------------------------------------------------------------------- */
/* Connect to a setns socket: the fds, and the serving init's pid (the socket's peer credentials). */
int setns_fetch(const char *path, int *fds, size_t *n, pid_t *pid)
{
	int s = unixsock_connect(path);
	if (s < 0) {
		log_errno("attach", "connect %s", path);
		return -1;
	}
	char magic[SETNS_MAGIC_LEN];
	int count = 0;
	struct iovec iov[2] = {{magic, sizeof magic}, {&count, sizeof count}};
	union {
		char buf[CMSG_SPACE(sizeof(int) * SETNS_MAX)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
	ssize_t got;
	do
		got = recvmsg(s, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL);
	while (got < 0 && errno == EINTR);
	uid_t uid;
	int rc = peer_cred(s, &uid, pid); /* the serving init's pid */
	close(s);
	if (got < 0 || rc < 0) {
		log_errno("attach", "read %s", path);
		return -1;
	}
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	size_t nfd = cm && cm->cmsg_type == SCM_RIGHTS ? (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;
	if (nfd)
		memcpy(fds, CMSG_DATA(cm), nfd * sizeof(int));
	if (got != (ssize_t)(sizeof magic + sizeof count) || memcmp(magic, SETNS_MAGIC, sizeof magic) != 0 ||
	    (size_t)count != nfd) {
		log_err("attach", "%s: not a setns socket", path);
		for (size_t i = 0; i < nfd; i++)
			close(fds[i]);
		return -1;
	}
	*n = nfd;
	return 0;
}
