/* Unit tests of lib/pmatch: it answers as the C library's fnmatch(3) in the C locale, for every flag
 * combination warder uses, over hand-picked cases and a hundred thousand random patterns of the bytes that
 * matter; PM_CLASSES reads "[[:digit:]]" as glob(3) does, and without it the brackets are devfs's. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "pmatch.h"
#include "t.h"

static const int combos[][2] = {
	{0, 0},
	{PM_PATHNAME, FNM_PATHNAME},
	{PM_PERIOD, FNM_PERIOD},
	{PM_PATHNAME | PM_PERIOD, FNM_PATHNAME | FNM_PERIOD},
};

static void same(const char *pat, const char *s, int classes)
{
	for (size_t i = 0; i < sizeof combos / sizeof combos[0]; i++) {
		int want = fnmatch(pat, s, combos[i][1]) == 0;
		int got = pmatch(pat, s, combos[i][0] | classes);
		if (got != want) {
			static char name[160];
			snprintf(name, sizeof name, "pattern \"%s\" string \"%s\" flags %d", pat, s,
				 combos[i][0] | classes);
			t_name = name;
			CHECK_INT(got, want);
		}
	}
}

TEST(cases)
{
	static const char *const pairs[][2] = {
		{"*", ""},           {"*", "abc"},         {"a*c", "abbbc"},   {"a*c", "ab/c"},  {"*/*", "a/b"},
		{"*", ".hidden"},    {".*", ".hidden"},    {"a/.*", "a/.b"},   {"a/*", "a/.b"},  {"?", "/"},
		{"?", "."},          {"[ab]", "b"},        {"[!ab]", "c"},     {"[^ab]", "a"},   {"[]]", "]"},
		{"[!]]", "]"},       {"[a-c]x", "bx"},     {"[a-]", "-"},      {"[\\]]", "]"},   {"\\*", "*"},
		{"\\*", "a"},        {"[", "["},           {"[ab", "[ab"},     {"a[/]b", "a/b"}, {"tty*", "ttyS0"},
		{"pts/*", "pts/3"},  {"pts/*", "pts/3/x"}, {"*/*/*", "a/b/c"}, {"**a", "bba"},   {"*a*b*c", "xaybzc"},
		{"*a*b*c", "xaybz"}, {"disk*", "disk0s1"}, {"[.]x", ".x"},     {"x[.]", "x."},   {"*.conf", "a.conf"},
		{"*.conf", ".conf"}, {"a*", "a"},          {"*b", "b/b"},      {"a?c", "a/c"},
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
		same(pairs[i][0], pairs[i][1], 0);
	/* POSIX and FreeBSD's kernel, where glibc departs: an escaped '/' is a '/', the '.' after it leads, an
	 * unterminated '[' is an ordinary byte wherever it stands */
	CHECK(pmatch("*\\/?", "-./a", PM_PATHNAME));
	CHECK(!pmatch("\\/*", "/.a", PM_PATHNAME | PM_PERIOD));
	CHECK(pmatch("*[*-", "][-[-", 0));
	CHECK(pmatch("[[:digit:]]*", "7z", PM_CLASSES));
	CHECK(!pmatch("[[:digit:]]*", "z7", PM_CLASSES));
	CHECK(pmatch("[![:upper:]]", "a", PM_CLASSES));
	CHECK(pmatch("x[[:alpha:][:digit:]]", "x5", PM_CLASSES));
	same("[[:digit:]]*", "7z", PM_CLASSES);
	same("[[:space:]x]", " ", PM_CLASSES);
	/* devfs has no classes: the bracket is the bytes "[:digt", then a literal ']' */
	CHECK(pmatch("[[:digit:]]", "d]", 0));
	CHECK(!pmatch("[[:digit:]]", "5", 0));
}

TEST(random_against_fnmatch)
{
	static const char pat_bytes[] = "ab./*?*[]!^-\\";
	static const char str_bytes[] = "ab./-][";
	unsigned seed = 12345;
	int compared = 0;
	for (int n = 0; n < 100000; n++) {
		char pat[9], s[9];
		seed = seed * 1103515245 + 12345;
		size_t pl = (seed >> 16) % 8, sl = (seed >> 8) % 8;
		for (size_t i = 0; i < pl; i++) {
			seed = seed * 1103515245 + 12345;
			pat[i] = pat_bytes[(seed >> 16) % (sizeof pat_bytes - 1)];
		}
		pat[pl] = '\0';
		for (size_t i = 0; i < sl; i++) {
			seed = seed * 1103515245 + 12345;
			s[i] = str_bytes[(seed >> 16) % (sizeof str_bytes - 1)];
		}
		s[sl] = '\0';
		/* Left out where glibc departs from POSIX and from FreeBSD's kernel, pmatch's models (cases below):
		 * a trailing '\\', an escaped '/' under FNM_PATHNAME, a '[' without its ']' after a '*'. */
		const char *open = strrchr(pat, '[');
		if ((pl && pat[pl - 1] == '\\') || strstr(pat, "\\/") || (open && !strchr(open, ']')))
			continue;
		same(pat, s, 0);
		compared++;
	}
	CHECK(compared > 60000);
}

int main(void)
{
	RUN(cases);
	RUN(random_against_fnmatch);
	return T_DONE();
}
