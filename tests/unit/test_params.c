/* Unit tests of the parameter table against the code that consumes it: the caps validator takes exactly what
 * init/linux/cred.c's parser takes, init/rlimit.c knows exactly this system's rlimit names, and the platform
 * flags and defaults
 * say what the back ends do. */
#include "conf.h"
#include "devfs.h"
#include "rlimit.h"
#include "t.h"

#include <stdlib.h>
#include <sys/resource.h>

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
		{"all", 1},
		{"none", 1},
		{"default", 1},
		{"ALL", 1},
		{"CAP_KILL", 1},
		{"net_raw, chown", 1},
		{"default,-net_raw", 1},
		{"all -sys_admin", 1},
		{"none,+kill", 1},
		{"-default", 1},
		{"", 1},
		{"fly", 0},
		{"-fly", 0},
		{"cap_", 0},
		{"default,-", 0},
		{"--kill", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = check("caps", cases[i].v);
		if ((rc == 0) != cases[i].ok)
			fprintf(stderr, "caps = \"%s\": %d\n", cases[i].v, rc);
		CHECK_INT(rc == 0, cases[i].ok);
		/* The validator and the parser that applies the value agree on every case. */
		unsigned long long mask;
		char err[128];
		CHECK_INT(conf_caps_parse("caps", cases[i].v, &mask, err, sizeof err) == 0, cases[i].ok);
	}
}

TEST(caps_default)
{
	const struct param_def *d = param_find("caps");
	CHECK(d && d->dflt && check("caps", d->dflt) == 0);
	/* The table's default, shown by the man page, is the "default" word's set, and Docker's 14. */
	unsigned long long a = 1, b = 2, c = 3;
	char err[128];
	CHECK_INT(conf_caps_parse("caps", d->dflt, &a, err, sizeof err), 0);
	CHECK_INT(conf_caps_parse("caps", "default", &b, err, sizeof err), 0);
	CHECK(a == b && __builtin_popcountll(a) == 14);
	CHECK_INT(conf_caps_parse("caps", "all,-default,+chown", &c, err, sizeof err), 0);
	CHECK(c == (~a | 1ULL));
	CHECK_INT(conf_caps_parse("caps", "none,default,-kill,-none,net_admin", &c, err, sizeof err), 0);
	CHECK(c == 1ULL << conf_cap_parse("net_admin"));
	CHECK_INT(conf_caps_parse("caps", "chown,bogus", &c, err, sizeof err), -1);
	CHECK_STR(err, "caps: unknown capability \"bogus\"");
}

TEST(defaults_agree)
{
	/* The table holds the default the getters apply; devfs.h's constant (for callers without a jail) is it. */
	const struct param_def *d = param_find("devfs.rule_depth");
	CHECK(d && d->dflt && atoi(d->dflt) == DEVFS_DEFAULT_DEPTH);
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
	/* Every name the table flags for this system is one init/rlimit.c applies here, and no other is. */
#ifdef __FreeBSD__
	const unsigned here = PF_FREEBSD;
#else
	const unsigned here = PF_LINUX;
#endif
	static const char *const names[] = {
		"as",     "core",  "cpu",   "data",     "fsize",   "memlock", "nofile",  "nproc",
		"rss",    "stack", "locks", "msgqueue", "nice",    "rtprio",  "rttime",  "sigpending",
		"sbsize", "vmem",  "npts",  "swap",     "kqueues", "umtxp",   "pipebuf",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		int res;
		unsigned long long soft, hard;
		char err[128];
		bool has = rlimit_parse(names[i], "1", &res, &soft, &hard, err, sizeof err) == 0;
		if (has != ((param_rlimit_platforms(names[i]) & here) != 0))
			fprintf(stderr, "rlimit.%s: table and init/rlimit.c disagree\n", names[i]);
		CHECK_INT(has, (param_rlimit_platforms(names[i]) & here) != 0);
	}
}

TEST(rlimit_values)
{
	int res;
	unsigned long long soft = 0, hard = 0;
	char err[128] = "";
	CHECK_INT(rlimit_parse("nofile", "512:1K", &res, &soft, &hard, err, sizeof err), 0);
	CHECK(soft == 512 && hard == 1024);
	CHECK_INT(rlimit_parse("core", "0", &res, &soft, &hard, err, sizeof err), 0);
	CHECK(soft == 0 && hard == 0);
	CHECK_INT(rlimit_parse("stack", "8M:unlimited", &res, &soft, &hard, err, sizeof err), 0);
	CHECK(soft == 8u << 20 && hard == (unsigned long long)RLIM_INFINITY);
	CHECK_INT(rlimit_parse("nofile", "2:1", &res, &soft, &hard, err, sizeof err), -1);
	CHECK_STR(err, "rlimit.nofile: soft limit above the hard one in \"2:1\"");
	CHECK_INT(rlimit_parse("nofile", "lots", &res, &soft, &hard, err, sizeof err), -1);
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
	CHECK_INT(conf_load_string("t.conf", "[a]\npath = /j\n[b]\npath = /j\nmount.devfs = false\n", &c, err, sizeof err),
		  0);
	if (c) {
		CHECK(!jail_is_set(conf_jail(c, "a"), "mount.devfs"));
		CHECK(!jail_bool(conf_jail(c, "a"), "mount.devfs")); /* FreeBSD reads it as jail(8) does */
		CHECK(jail_is_set(conf_jail(c, "b"), "mount.devfs"));
		conf_free(c);
	}
}

/* Which parameters build a jail is the table's flag, one answer for check, run and the emperor on each system. */
TEST(builds_flags)
{
	for (size_t i = 0; i < param_count; i++) {
		const struct param_def *d = &param_table[i];
		if (d->flags & PF_KERNEL) /* jail_set creates the jail */
			CHECK(d->flags & PF_BUILDS_FREEBSD);
		if (d->flags & PF_BUILDS_LINUX)
			CHECK(d->flags & PF_LINUX);
		if (d->flags & PF_BUILDS_FREEBSD)
			CHECK(d->flags & PF_FREEBSD);
	}
	static const struct {
		const char *text;
		bool linux_builds, freebsd_builds;
	} cases[] = {
		{"[a]\ncommand = sleep 1\nexec.start = true\n", false, false},
		{"[a]\npath = /srv/a\n", true, true},
		{"[a]\nunshare = pid\n", true, false},
		{"[a]\nvnet.interface = e0b\n", true, false},
		{"[a]\nsetns-socket = /run/a.sock\n", true, false},
		{"[a]\njail-attach = web\n", false, true},
		{"[a]\nvnet = new\n", false, true},
		{"[a]\nallow.raw_sockets = 1\n", false, true}, /* unknown: a kernel parameter passed through */
		{"[a]\n$x = 1\ncommand = sleep $x\n", false, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct conf *c = NULL;
		char err[512];
		CHECK(conf_load_string("t.conf", cases[i].text, &c, err, sizeof err) == 0);
		if (!c)
			continue;
		CHECK_INT(jail_builds(&c->jails[0], PF_LINUX), cases[i].linux_builds);
		CHECK_INT(jail_builds(&c->jails[0], PF_FREEBSD), cases[i].freebsd_builds);
		conf_free(c);
	}
}

int main(void)
{
	RUN(builds_flags);
	RUN(caps_words);
	RUN(caps_default);
	RUN(defaults_agree);
	RUN(rlimit_platforms);
	RUN(rlimit_values);
	RUN(platforms_and_defaults);
	return T_DONE();
}
