/* Unit tests of conf/scan: scan_word reads what sscanf's "%Ns" reads, word by word, for the formats it
 * replaced (mountinfo's fifth field, pivot_root's two paths, cpu.max's quota and period). */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "scan.h"
#include "t.h"

TEST(words_as_sscanf)
{
	static const char *const texts[] = {
		"",
		"   ",
		"a",
		" a b ",
		"\ta\n\vb\fc\r",
		"/new /new/old",
		"/new /new/old extra",
		"123456789 x",
		"36 25 0:32 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n",
		"max",
		"max 100000",
		"one-long-word",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char a[5] = "", b[5] = "", c[2] = "", sa[5] = "", sb[5] = "", sc[2] = "";
		int want = sscanf(texts[i], "%4s %4s %1s", a, b, c);
		const char *p = texts[i];
		int got = 0;
		if (scan_word(&p, sa, sizeof sa) && ++got && scan_word(&p, sb, sizeof sb) && ++got &&
		    scan_word(&p, sc, sizeof sc))
			got++;
		t_name = texts[i];
		CHECK_INT(got, want < 0 ? 0 : want);
		CHECK_STR(sa, want >= 1 ? a : "");
		if (want >= 2)
			CHECK_STR(sb, b);
		if (want >= 3)
			CHECK_STR(sc, c);
	}
	const char *p = "1 2 3 4 five six";
	char w[8];
	for (int i = 0; i < 4; i++)
		CHECK(scan_word(&p, NULL, SIZE_MAX) == 1);
	CHECK(scan_word(&p, w, sizeof w) == 4);
	CHECK_STR(w, "five");
}

TEST(small_files)
{
	char path[] = "/tmp/warder-scan-XXXXXX", buf[8];
	int fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, "40\n", 3) == 3);
	CHECK_INT(scan_file(path, buf, sizeof buf), 3);
	CHECK_STR(buf, "40\n");
	CHECK(fd >= 0 && write(fd, "0123456789", 10) == 10);
	CHECK_INT(scan_file(path, buf, sizeof buf), 7); /* the start of a longer file */
	CHECK_STR(buf, "40\n0123");
	if (fd >= 0)
		close(fd);
	unlink(path);
	CHECK_INT(scan_file(path, buf, sizeof buf), -1);
}

int main(void)
{
	RUN(words_as_sscanf);
	RUN(small_files);
	return T_DONE();
}
