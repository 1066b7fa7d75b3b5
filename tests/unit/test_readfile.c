/* readfile: a regular file in one buffer of its size, anything else (a pipe, procfs) by a doubling buffer. */
#include "readfile.h"
#include "t.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/warder-readfile-XXXXXX";

static char *pattern(size_t n)
{
	char *p = malloc(n + 1);
	for (size_t i = 0; i < n; i++)
		p[i] = (char)('a' + (i * 7 + i / 13) % 26);
	p[n] = '\0';
	return p;
}

static void write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f)
		CHECK(fwrite(data, 1, n, f) == n && fclose(f) == 0);
}

/* Sizes around the old first buffer (4 KiB) and around a page, and one much larger. */
TEST(regular)
{
	static const size_t sizes[] = {0, 1, 4094, 4095, 4096, 4097, 10000, 300001};
	char path[64];
	snprintf(path, sizeof path, "%s/f", dir);
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		char *want = pattern(sizes[k]), *got = NULL;
		size_t len = 12345;
		write_file(path, want, sizes[k]);
		CHECK_INT(readfile(path, &got, &len), 0);
		CHECK_INT(len, sizes[k]);
		CHECK(got && got[len] == '\0' && memcmp(got, want, sizes[k]) == 0);
		free(got);
		free(want);
	}
}

TEST(nul_bytes)
{
	char path[64], *got = NULL;
	size_t len = 0;
	snprintf(path, sizeof path, "%s/nul", dir);
	write_file(path, "a\0b", 3);
	CHECK_INT(readfile(path, &got, &len), 0);
	CHECK_INT(len, 3);
	CHECK(got && strlen(got) == 1 && got[2] == 'b');
	free(got);
}

/* A pipe's size says nothing: 100,000 bytes from a writer, read through its /proc/self/fd link. */
TEST(pipe_grows)
{
	int p[2];
	CHECK_INT(pipe(p), 0);
	char *want = pattern(100000);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		for (size_t off = 0; off < 100000;) {
			ssize_t w = write(p[1], want + off, 100000 - off);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(p[1]);
	char path[64], *got = NULL;
	size_t len = 0;
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
	CHECK_INT(readfile(path, &got, &len), 0);
	close(p[0]);
	int st = -1;
	CHECK_INT(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0); /* the writer wrote it all */
	CHECK_INT(len, 100000);
	CHECK(got && got[len] == '\0' && memcmp(got, want, 100000) == 0);
	free(got);
	free(want);
}

/* procfs says 0 bytes for a regular file that has text. */
TEST(procfs)
{
	char *got = NULL;
	size_t len = 0;
	CHECK_INT(readfile("/proc/self/status", &got, &len), 0);
	CHECK(got && len > 0 && strncmp(got, "Name:", 5) == 0 && strlen(got) == len);
	free(got);
}

TEST(errors)
{
	char *got = NULL, path[64];
	errno = 0;
	CHECK_INT(readfile(dir, &got, NULL), -1);
	CHECK_INT(errno, EISDIR);
	snprintf(path, sizeof path, "%s/none", dir);
	errno = 0;
	CHECK_INT(readfile(path, &got, NULL), -1);
	CHECK_INT(errno, ENOENT);
}

int main(void)
{
	if (!mkdtemp(dir))
		return 1;
	RUN(regular);
	RUN(nul_bytes);
	RUN(pipe_grows);
	RUN(procfs);
	RUN(errors);
	char path[64];
	for (const char *const *f = (const char *const[]){"f", "nul", NULL}; *f; f++) {
		snprintf(path, sizeof path, "%s/%s", dir, *f);
		CHECK_INT(unlink(path), 0);
	}
	CHECK_INT(rmdir(dir), 0);
	return T_DONE();
}
