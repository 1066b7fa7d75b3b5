/* Unit tests of the value parsers shared with the command line, the name tables and the parameter table. */
#include "conf.h"
#include "t.h"

#include <signal.h>
#include <stdlib.h>

TEST(booleans)
{
	static const struct {
		const char *s;
		int want; /* -1: rejected */
	} cases[] = {
		{"true", 1}, {"YES", 1}, {"on", 1}, {"1", 1},  {"false", 0},  {"No", 0},
		{"off", 0},  {"0", 0},   {"", -1},  {"2", -1}, {"truee", -1}, {" true", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool b = false;
		int rc = conf_parse_bool(cases[i].s, &b);
		CHECK_INT(rc < 0 ? -1 : b, cases[i].want);
	}
}

TEST(durations)
{
	static const struct {
		const char *s;
		double want; /* -1: rejected */
	} cases[] = {
		{"10", 10},   {"1.5", 1.5}, {"500ms", 0.5}, {"2s", 2},     {"1m", 60}, {"1h", 3600}, {"0", 0},
		{".5", 0.5},  {"", -1},     {"x", -1},      {"1.2.3", -1}, {"-1", -1}, {"inf", -1},  {"nan", -1},
		{"0x10", -1}, {"5 s", -1},  {"10d", -1},    {"1e3", -1},   {".", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		double d = -2;
		int rc = conf_parse_duration(cases[i].s, &d);
		if (rc < 0)
			d = -1;
		if (d != cases[i].want)
			fprintf(stderr, "duration \"%s\": got %g\n", cases[i].s, d);
		CHECK(d == cases[i].want);
	}
	/* the number alone (warder emperor --heartbeat): what strtod would read and more is refused */
	static const char *const bad[] = {"", ".", "1e3", " 5", "+5", "-5", "5s", "inf", "0x10", "1.2.3"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double d;
		t_name = bad[i];
		CHECK_INT(conf_parse_decimal(bad[i], &d), -1);
	}
	double d = 0;
	CHECK(conf_parse_decimal("0.25", &d) == 0 && d == 0.25);
	CHECK(conf_parse_decimal("86400", &d) == 0 && d == 86400);
	CHECK(conf_parse_decimal("0.1", &d) == 0 && d == 0.1); /* as exact as strtod's */
}

TEST(signals)
{
	static const struct {
		const char *s;
		int want; /* -1: rejected */
	} cases[] = {
		{"TERM", SIGTERM},  {"SIGTERM", SIGTERM}, {"sigkill", SIGKILL}, {"hup", SIGHUP}, {"15", 15},
		{"9", 9},           {"USR1", SIGUSR1},    {"WINCH", SIGWINCH},  {"0", -1},       {"", -1},
		{"SIG", -1},        {"FOO", -1},          {"-1", -1},           {"99999", -1},   {"15x", -1},
		{"SigHup", SIGHUP}, {"SI", -1},           {"SIGSIGTERM", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int sig = 0;
		int rc = conf_parse_signal(cases[i].s, &sig);
		CHECK_INT(rc < 0 ? -1 : sig, cases[i].want);
	}
	CHECK_STR(conf_signal_name(SIGTERM), "TERM");
	CHECK_STR(conf_signal_name(SIGKILL), "KILL");
	CHECK_STR(conf_signal_name(SIGABRT), "ABRT");
	CHECK(conf_signal_name(0) == NULL);
}

TEST(sizes)
{
	static const struct {
		const char *s;
		long long want; /* -2: rejected */
	} cases[] = {
		{"0", 0},
		{"4096", 4096},
		{"64K", 65536},
		{"64M", 64LL << 20},
		{"1g", 1LL << 30},
		{"2T", 2LL << 40},
		{"max", -1},
		{"MAX", -1},
		{"", -2},
		{"M", -2},
		{"12Q", -2},
		{"1MB", -2},
		{"-1", -2},
		{"99999999999T", -2},
		{"9999999999999999999", -2},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		long long n = 0;
		int rc = conf_parse_size(cases[i].s, &n);
		CHECK_INT(rc < 0 ? -2 : n, cases[i].want);
	}
}

TEST(ints_and_caps)
{
	long long n;
	CHECK_INT(conf_parse_int("42", 0, 100, &n), 0);
	CHECK_INT(n, 42);
	CHECK_INT(conf_parse_int("-1", -1, 3, &n), 0);
	CHECK_INT(n, -1);
	CHECK_INT(conf_parse_int("101", 0, 100, &n), -1);
	CHECK_INT(conf_parse_int("4x", 0, 100, &n), -1);
	CHECK_INT(conf_parse_int(" 4", 0, 100, &n), -1);
	CHECK_INT(conf_parse_int("", 0, 100, &n), -1);
	CHECK_INT(conf_cap_parse("CAP_NET_ADMIN"), 12);
	CHECK_INT(conf_cap_parse("net_admin"), 12);
	CHECK_INT(conf_cap_parse("chown"), 0);
	CHECK_INT(conf_cap_parse("checkpoint_restore"), 40);
	CHECK_INT(conf_cap_parse("fly"), -1);
	CHECK_INT(conf_cap_parse("Cap_Chown"), 0);
	CHECK_INT(conf_cap_parse("cap"), -1);
	CHECK_STR(conf_cap_name(21), "sys_admin");
	CHECK(conf_cap_name(41) == NULL && conf_cap_name(-1) == NULL);
}

/* Every default in the table passes the table's own validation; names are unique. */
TEST(table_consistent)
{
	char why[256];
	for (size_t i = 0; i < param_count; i++) {
		const struct param_def *d = &param_table[i];
		CHECK(d->name && d->doc && d->doc[0]);
		for (size_t k = i + 1; k < param_count; k++)
			if (strcmp(d->name, param_table[k].name) == 0) {
				fprintf(stderr, "duplicate %s\n", d->name);
				CHECK(0);
			}
		if (!d->dflt)
			continue;
		char *v = strdup(d->dflt);
		const char *name = (d->flags & PF_PREFIX) ? "rlimit.nofile" : d->name;
		int rc = param_check(d, name, &v, why, sizeof why);
		if (rc < 0)
			fprintf(stderr, "default of %s: %s\n", d->name, why);
		CHECK_INT(rc, 0);
		free(v);
	}
	static const char *const must[] = {
		"path",
		"command",
		"chdir",
		"user",
		"group",
		"groups",
		"host.hostname",
		"host.domainname",
		"host.hostuuid",
		"host.hostid",
		"exec.prepare",
		"exec.prestart",
		"exec.created",
		"exec.jailed",
		"exec.start",
		"exec.poststart",
		"exec.prestop",
		"exec.stop",
		"exec.poststop",
		"exec.release",
		"exec.clean",
		"exec.timeout",
		"exec.consolelog",
		"exec.jail_user",
		"exec.system_user",
		"exec.system_jail_user",
		"exec.fib",
		"stop.timeout",
		"depend",
		"persist",
		"unshare",
		"uid_map",
		"gid_map",
		"pivot_root",
		"keep_mount",
		"mount.procfs",
		"hidepid",
		"mount.sysfs",
		"mount.devfs",
		"devfs_ruleset",
		"devfs.rules",
		"devfs.rule_depth",
		"mount",
		"mount.fstab",
		"mount.fdescfs",
		"cgroup.memory.max",
		"cgroup.pids.max",
		"cgroup.cpu.max",
		"rlimit.nofile",
		"caps",
		"no_new_privs",
		"setns-socket",
		"control",
		"restart",
		"restart.delay",
		"restart.max_delay",
		"restart.burst",
		"reload",
		"heartbeat",
		"jid",
		"name",
		"ip4.addr",
		"ip6.addr",
		"ip4",
		"ip6",
		"vnet",
		"vnet.interface",
		"interface",
		"ip_hostname",
		"securelevel",
		"children.max",
		"enforce_statfs",
		"allow.set_hostname",
		"allow.sysvipc",
		"allow.raw_sockets",
		"allow.chflags",
		"allow.mount",
		"allow.mount.devfs",
		"allow.mount.fdescfs",
		"allow.mount.fusefs",
		"allow.mount.nullfs",
		"allow.mount.procfs",
		"allow.mount.linprocfs",
		"allow.mount.linsysfs",
		"allow.mount.tmpfs",
		"allow.mount.zfs",
		"allow.quotas",
		"allow.socket_af",
		"allow.reserved_ports",
		"allow.read_msgbuf",
		"allow.vmm",
		"sysvmsg",
		"sysvsem",
		"sysvshm",
		"osrelease",
		"osreldate",
		"jidfile",
		"jail-attach",
		"jail",
		"jail-ip4",
		"jail-ip6",
		"include",
		"namespace",
	};
	for (size_t i = 0; i < sizeof must / sizeof must[0]; i++) {
		if (!param_find(must[i]))
			fprintf(stderr, "missing parameter %s\n", must[i]);
		CHECK(param_find(must[i]) != NULL);
	}
	CHECK(param_find("rlimit.") == NULL);
	CHECK(param_find("exec") == NULL);
	const struct param_def *d = param_find("exec.prestart");
	CHECK(d && (d->flags & PF_CHAIN) && (d->flags & PF_LIST));
	CHECK_STR(param_find("stop.timeout")->dflt, "10");
	CHECK_STR(param_find("devfs_ruleset")->dflt, "4");
	CHECK_STR(param_find("devfs.rules")->dflt, WARDER_DATADIR "/devfs.rules");
}

TEST(normalising)
{
	char why[256];
	char *v = strdup("fs,net");
	CHECK_INT(param_check(param_find("unshare"), "unshare", &v, why, sizeof why), 0);
	CHECK_STR(v, "mount,net");
	free(v);
	v = strdup("noaccess");
	CHECK_INT(param_check(param_find("hidepid"), "hidepid", &v, why, sizeof why), 0);
	CHECK_STR(v, "1");
	free(v);
	v = strdup("no");
	CHECK_INT(param_check(param_find("vnet"), "vnet", &v, why, sizeof why), 0);
	CHECK_STR(v, "inherit");
	free(v);
	static const struct {
		const char *name, *value;
		int ok;
	} cases[] = {
		{"cgroup.cpu.max", "max", 1},
		{"cgroup.cpu.max", "50000 100000", 1},
		{"cgroup.cpu.max", "x", 0},
		{"cgroup.pids.max", "max", 1},
		{"cgroup.pids.max", "-3", 0},
		{"restart.burst", "5/10", 1},
		{"restart.burst", "5", 0},
		{"restart.burst", "0/10", 0},
		{"keep_mount", "/a:/b", 1},
		{"keep_mount", "a", 0},
		{"keep_mount", "/a:b", 0},
		{"jail", "/jails/001 foobar web", 1},
		{"jail", "jails", 0},
		{"devfs_ruleset", "devfsrules_jail", 1},
		{"devfs_ruleset", "70000", 0},
		{"devfs_ruleset", "a b", 0},
		{"rlimit.core", "0:unlimited", 1},
		{"rlimit.as", "1G", 1},
		{"caps", "CAP_CHOWN, net_raw", 1},
		{"caps", "all", 1},
		{"pivot_root", "/ /old", 1},
		{"pivot_root", "/ns", 0},
		{"uid_map", "0 100000 65536", 1},
		{"uid_map", "0 100000 0", 0},
		{"ip4", "inherit", 1},
		{"ip4", "maybe", 0},
		{"mount", "/a /b nullfs ro 0 0", 1},
		{"securelevel", "-1", 1},
		{"securelevel", "4", 0},
		{"unshare", "", 0},
		{"unshare", "mount,,pid", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		v = strdup(cases[i].value);
		int rc = param_check(param_find(cases[i].name), cases[i].name, &v, why, sizeof why);
		if ((rc == 0) != cases[i].ok)
			fprintf(stderr, "%s = \"%s\": rc %d (%s)\n", cases[i].name, cases[i].value, rc, why);
		CHECK_INT(rc == 0, cases[i].ok);
		free(v);
	}
}

int main(void)
{
	RUN(booleans);
	RUN(durations);
	RUN(signals);
	RUN(sizes);
	RUN(ints_and_caps);
	RUN(table_consistent);
	RUN(normalising);
	return T_DONE();
}
