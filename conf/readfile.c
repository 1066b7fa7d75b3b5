/* readfile: see readfile.h. Plain read(2) with EINTR retried. A regular file's buffer is its size and two
 * bytes, so one read and the end-of-file read fill it: no copy, no page touched twice. A file that grows
 * meanwhile, or one whose size says nothing (a pipe, /proc), doubles the buffer. */
#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(int fd, char *buf, int e)
{
	free(buf);
	if (fd >= 0)
		close(fd); /* read-only: nothing to lose */
	errno = e;
	return -1;
}

int readfile(const char *path, char **text, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return fail(fd, NULL, errno);
	if (S_ISDIR(st.st_mode))
		return fail(fd, NULL, EISDIR);
	size_t cap = 4096, n = 0;
	if (S_ISREG(st.st_mode) && st.st_size > 0 && (unsigned long long)st.st_size < (size_t)-1 / 2)
		cap = (size_t)st.st_size + 2;
	char *buf = malloc(cap);
	if (!buf)
		return fail(fd, NULL, ENOMEM);
	for (;;) {
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb)
				return fail(fd, buf, ENOMEM);
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail(fd, buf, errno);
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*text = buf;
	if (len)
		*len = n;
	return 0;
}
