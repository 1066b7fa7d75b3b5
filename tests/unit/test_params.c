/* Unit tests of the parameter table against the code that consumes it: the caps validator takes exactly what
 * init/linux/cred.c's parser takes, the rlimit names match each system's, and the platform flags and defaults
 * say what the back ends do. */
#include "conf.h"
#include "t.h"

#include <stdlib.h>

#ifdef __linux__
#include "linux/setup.h"
#endif

static int check(const char *name, const char *value)
{
	const struct param_def *d = param_find(name);
	char *v = strdup(value), why[256];
	int rc = d && v ? param_check(d, name, &v, why, sizeof why) : -2;
	free(v);
	return rc;
}

TEST(caps_words)
{
	static const struct {
		const char *v;
		int ok;
	} cases[] = {
		{"all", 1}, {"none", 1}, {"default", 1}, {"ALL", 1}, {"CAP_KILL", 1}, {"net_raw, chown", 1},
		{"default,-net_raw", 1}, {"all -sys_admin", 1}, {"none,+kill", 1}, {"-default", 1}, {"", 1},
		{"fly", 0}, {"-fly", 0}, {"cap_", 0}, {"default,-", 0}, {"--kill", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = check("caps", cases[i].v);
		if ((rc == 0) != cases[i].ok)
			fprintf(stderr, "caps = \"%s\": %d\n", cases[i].v, rc);
		CHECK_INT(rc == 0, cases[i].ok);
#ifdef __linux__
		/* The validator and the parser that applies the value agree on every case. */
		unsigned long long mask;
		char err[128];
		CHECK_INT(lx_caps_parse(cases[i].v, &mask, err, sizeof err) == 0, cases[i].ok);
#endif
	}
}

TEST(caps_default)
{
	const struct param_def *d = param_find("caps");
	CHECK(d && d->dflt && check("caps", d->dflt) == 0);
#ifdef __linux__
	/* The table's default, shown by the man page, is cred.c's "default" set. */
	unsigned long long a = 1, b = 2;
	char err[128];
	CHECK_INT(lx_caps_parse(d->dflt, &a, err, sizeof err), 0);
	CHECK_INT(lx_caps_parse("default", &b, err, sizeof err), 0);
	CHECK(a == b && a != 0);
#endif
}

TEST(rlimit_platforms)
{
	CHECK_INT(param_rlimit_platforms("nofile"), PF_BOTH);
	CHECK_INT(param_rlimit_platforms("msgqueue"), PF_LINUX);
	CHECK_INT(param_rlimit_platforms("sbsize"), PF_FREEBSD);
	CHECK_INT(param_rlimit_platforms("vmem"), PF_FREEBSD);
	CHECK_INT(param_rlimit_platforms("files"), 0);
	CHECK_INT(param_rlimit_platforms(""), 0);
	CHECK_INT(check("rlimit.sbsize", "1M"), 0);
	CHECK_INT(check("rlimit.rtprio", "10"), 0);
	CHECK_INT(check("rlimit.files", "10"), -1);
#ifdef __linux__
	/* Every name flagged Linux is one init/linux/limits.c applies, and no other is. */
	static const char *const names[] = {
		"as", "core", "cpu", "data", "fsize", "memlock", "nofile", "nproc", "rss", "stack", "locks", "msgqueue",
		"nice", "rtprio", "rttime", "sigpending", "sbsize", "vmem", "npts", "swap", "kqueues", "umtxp", "pipebuf",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		int res;
		unsigned long long soft, hard;
		char err[128];
		bool linux_has = lx_rlimit_parse(names[i], "1", &res, &soft, &hard, err, sizeof err) == 0;
		if (linux_has != ((param_rlimit_platforms(names[i]) & PF_LINUX) != 0))
			fprintf(stderr, "rlimit.%s: table and limits.c disagree\n", names[i]);
		CHECK_INT(linux_has, (param_rlimit_platforms(names[i]) & PF_LINUX) != 0);
	}
#endif
}

TEST(platforms_and_defaults)
{
	const struct param_def *d = param_find("vnet.interface");
	CHECK(d && (d->flags & PF_BOTH) == PF_BOTH && (d->flags & PF_LIST));
	/* mount.devfs has no single default: Linux builds /dev for a jail with a path, FreeBSD only when asked. */
	d = param_find("mount.devfs");
	CHECK(d && d->dflt == NULL);
	struct conf *c = NULL;
	char err[256];
	CHECK_INT(conf_load_string("t.conf", "[a]\npath = /j\n[b]\npath = /j\nmount.devfs = false\n", &c, err,
				   sizeof err), 0);
	if (c) {
		CHECK(!jail_is_set(conf_jail(c, "a"), "mount.devfs"));
		CHECK(!jail_bool(conf_jail(c, "a"), "mount.devfs")); /* FreeBSD reads it as jail(8) does */
		CHECK(jail_is_set(conf_jail(c, "b"), "mount.devfs"));
		conf_free(c);
	}
}

int main(void)
{
	RUN(caps_words);
	RUN(caps_default);
	RUN(rlimit_platforms);
	RUN(platforms_and_defaults);
	return T_DONE();
}
