/* unixsock: see unixsock.h. */
#include "unixsock.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

int unixsock_addr(struct sockaddr_un *sa, const char *path)
{
	size_t len = strlen(path);
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (len >= sizeof sa->sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa->sun_path, path, len);
	return 0;
}

int unixsock_connect(const char *path)
{
	struct sockaddr_un sa;
	if (unixsock_addr(&sa, path) < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
		return fd;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

int unixsock_listen(const char *step, const char *path, int flags)
{
	struct sockaddr_un sa;
	if (unixsock_addr(&sa, path) < 0) {
		log_err(step, "%s: path too long for a unix socket", path);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
	if (fd < 0) {
		log_errno(step, "socket");
		return -1;
	}
	mode_t old = umask(0177);
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc < 0) {
		log_errno(step, "bind %s", path);
		close(fd);
		return -1;
	}
	if (listen(fd, 16) < 0) {
		log_errno(step, "listen %s", path);
		if (unlink(path) < 0)
			log_errno(step, "unlink %s", path);
		close(fd);
		return -1;
	}
	return fd;
}
