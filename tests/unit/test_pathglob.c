/* Unit tests of conf/pathglob: the same answers as glob(3) with no flags (which the includes used before)
 * over a tree of files, directories, hidden names and a dangling link, pattern by pattern. Not compared:
 * more than one trailing slash, or one after a literal name, where glibc's answers differ between a
 * relative and an absolute pattern ("d//" gives "d//", "/t/d//" gives "/t/d/"; "d/f/" gives the file). */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pathglob.h"
#include "t.h"

static char top[64];

static void put(const char *rel)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", top, rel);
	size_t n = strlen(p);
	if (p[n - 1] == '/') {
		p[n - 1] = '\0';
		mkdir(p, 0755);
		return;
	}
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
}

/* glob(3)'s list and pathglob's, each joined by newlines; "NOMATCH" when nothing matched. */
static void both(const char *pat, char *want, char *got, size_t len)
{
	glob_t g;
	struct pathglob pg;
	int rc = glob(pat, 0, NULL, &g);
	want[0] = got[0] = '\0';
	if (rc == GLOB_NOMATCH)
		snprintf(want, len, "NOMATCH");
	for (size_t i = 0; rc == 0 && i < g.gl_pathc; i++)
		snprintf(want + strlen(want), len - strlen(want), "%s\n", g.gl_pathv[i]);
	if (rc == 0)
		globfree(&g);
	rc = pathglob(pat, &pg);
	if (rc == PATHGLOB_NOMATCH)
		snprintf(got, len, "NOMATCH");
	for (size_t i = 0; rc == 0 && i < pg.n; i++)
		snprintf(got + strlen(got), len - strlen(got), "%s\n", pg.path[i]);
	if (rc == 0)
		pathglob_free(&pg);
}

TEST(same_as_glob)
{
	static const char *const files[] = {
		"a.conf", "b.conf",   "B.conf",  "c.txt",   ".hidden.conf", "d/",        "d/x.conf",   "d/y.conf",
		"e/",     "e/x.conf", "e/z.ini", "f.conf/", "sp ace.conf",  "q[1].conf", "star*.conf", "back\\slash",
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		put(files[i]);
	char p[256];
	snprintf(p, sizeof p, "%s/dangling.conf", top);
	CHECK(symlink("/nonexistent/warder-test", p) == 0);
	static const char *const pats[] = {
		"*.conf",
		"*",
		".*",
		"*/x.conf",
		"*/*",
		"?.conf",
		"[ab].conf",
		"[!a].conf",
		"[[:upper:]].conf",
		"d/*",
		"d//*",
		"*/",
		"d/",
		"a.conf",
		"nothing.conf",
		"nothing/*",
		"*/nothing",
		"q\\[1\\].conf",
		"star\\*.conf",
		"sp ace.conf",
		"\\a.conf",
		"back\\\\slash",
		"c.txt/*",
		"[.]hidden.conf",
		"*.ini",
		"*/*.ini",
		"",
		"d///x.conf",
		"d/*//",
		"e//*",
		"[",
		"[a",
		"dangling.conf",
		"dangl*",
	};
	char want[4096], got[4096], pat[512];
	for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
		snprintf(pat, sizeof pat, "%s/%s", top, pats[i]);
		both(pat, want, got, sizeof want);
		t_name = pats[i];
		CHECK_STR(got, want);
	}
	/* Relative patterns: the names come back as the pattern spells them, with no "./". */
	int cwd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK(cwd >= 0 && chdir(top) == 0);
	for (size_t i = 0; i < sizeof pats / sizeof pats[0]; i++) {
		both(pats[i], want, got, sizeof want);
		t_name = pats[i];
		CHECK_STR(got, want);
	}
	both("/", want, got, sizeof want);
	CHECK_STR(got, want);
	CHECK(cwd >= 0 && fchdir(cwd) == 0);
	if (cwd >= 0)
		close(cwd);
}

int main(void)
{
	snprintf(top, sizeof top, "/tmp/warder-pathglob-XXXXXX");
	if (!mkdtemp(top))
		return perror("mkdtemp"), 1;
	RUN(same_as_glob);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", top);
	return T_DONE();
}
