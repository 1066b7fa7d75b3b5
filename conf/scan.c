/* scan: see scan.h. */
#include "scan.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

size_t scan_word(const char **p, char *out, size_t cap)
{
	const char *s = *p;
	size_t n = 0;
	while (isspace((unsigned char)*s))
		s++;
	while (*s && !isspace((unsigned char)*s) && n + 1 < cap) {
		if (out)
			out[n] = *s;
		n++, s++;
	}
	if (out && cap)
		out[n] = '\0';
	*p = s;
	return n;
}

ssize_t scan_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	if (fd < 0)
		return -1;
	while (n + 1 < len) {
		ssize_t r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd); /* read-only */
			errno = e;
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd); /* read-only */
	buf[n] = '\0';
	return (ssize_t)n;
}
