/* fbsd_plan: for every FreeBSD seed config in conf/examples, the jail_set parameter list, the mount list, the
 * alias list and the vnet list compared with what jail(8) would do; plus the pieces (addresses, fstab lines,
 * ruleset names, path checks, describe). Run from the repository root (make check does). */
#include "t.h"

#include "conf.h"
#include "fbsd_describe.h"
#include "fbsd_plan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char cwd[PATH_MAX];

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[65536];
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

/* Replaces the first FROM in *s with TO. */
static void subst(char **s, const char *from, const char *to)
{
	char *at = *s ? strstr(*s, from) : NULL;
	if (!at)
		return;
	size_t a = (size_t)(at - *s), lf = strlen(from), lt = strlen(to), n = strlen(*s);
	char *r = malloc(n - lf + lt + 1);
	memcpy(r, *s, a);
	memcpy(r + a, to, lt);
	strcpy(r + a + lt, at + lf);
	free(*s);
	*s = r;
}

static struct conf *load_text(const char *name, char *text)
{
	char err[512] = "";
	struct conf *c = NULL;
	if (!text || conf_load_string(name, text, &c, err, sizeof err) < 0) {
		fprintf(stderr, "  load %s: %s\n", name, err);
		c = NULL;
	}
	free(text);
	return c;
}

static void check_params(const struct fbsd_plan *p, const char *const *want)
{
	size_t n = 0;
	char got[512];
	for (; want[n]; n++) {
		if (n >= p->nparams) {
			CHECK_STR("(missing)", want[n]);
			continue;
		}
		snprintf(got, sizeof got, "%s%s%s", p->params[n].name, p->params[n].value ? "=" : "",
			 p->params[n].value ? p->params[n].value : "");
		CHECK_STR(got, want[n]);
	}
	CHECK_INT(p->nparams, n);
}

static void check_mounts(const struct fbsd_plan *p, const char *const *want)
{
	size_t n = 0;
	char got[1024];
	for (; want[n]; n++) {
		if (n >= p->nmounts) {
			CHECK_STR("(missing)", want[n]);
			continue;
		}
		const struct fbsd_mount *m = &p->mounts[n];
		snprintf(got, sizeof got, "%s %s %s %s", m->fstype, m->opts ? m->opts : "-", m->from, m->to);
		CHECK_STR(got, want[n]);
	}
	CHECK_INT(p->nmounts, n);
}

/* Seed 3: the VNET thin jail, its include inlined and its fstab taken from conf/examples. */
TEST(vnet_thin)
{
	char *text = slurp("conf/examples/freebsd-vnet-thin.conf"), fstab[PATH_MAX + 64], err[512] = "";
	snprintf(fstab, sizeof fstab, "\"%s/conf/examples/dev-nullfs-base.fstab\"", cwd);
	subst(&text, "\"/zdata/jails/${name}-nullfs-base.fstab\"", fstab);
	subst(&text, "include = freebsd-vnet-thin.d/*.conf", "[dev]\n$id = \"253\"\n$ip = \"192.168.7.${id}/24\"\n");
	struct conf *c = load_text("freebsd-vnet-thin.conf", text);
	const struct jail *j = c ? conf_jail(c, "dev") : NULL;
	struct fbsd_plan p;
	CHECK(j != NULL);
	if (!j)
		return;
	CHECK(fbsd_wanted(j));
	int rc = fbsd_plan_build(j, &p, err, sizeof err);
	CHECK_INT(rc, 0);
	if (rc) {
		fprintf(stderr, "  %s\n", err);
		conf_free(c);
		return;
	}
	CHECK_INT(p.mode, FBSD_CREATE);
	static const char *const params[] = {
		"persist",
		"name=dev",
		"devfs_ruleset=5",
		"allow.raw_sockets=true",
		"allow.mount=true",
		"allow.mount.devfs=true",
		"enforce_statfs=1",
		"host.hostname=dev",
		"path=/zdata/jails/dev-nullfs-base",
		"vnet=new",
		NULL,
	};
	check_params(&p, params);
	CHECK(!p.keep_persist);
	static const char *const mounts[] = {
		"nullfs ro /zdata/jails/templates/14.2-RELEASE-base /zdata/jails/dev-nullfs-base/",
		"nullfs rw /zdata/jails/containers/dev /zdata/jails/dev-nullfs-base/skeleton",
		"devfs ruleset=5 devfs /zdata/jails/dev-nullfs-base/dev",
		NULL,
	};
	check_mounts(&p, mounts);
	CHECK_INT(p.naliases, 0); /* `interface` without ip4.addr adds nothing */
	CHECK_INT(p.nvnet, 1);
	if (p.nvnet)
		CHECK_STR(p.vnet_ifs[0], "epair253b");
	CHECK_INT(p.ruleset.number, 5);
	CHECK(!p.ruleset.load);
	fbsd_plan_free(&p);
	conf_free(c);
}

/* Seed 4: the VNET samba jail with its own zvol ruleset 11 from a devfs.rules file. */
TEST(vnet_samba)
{
	char *text = slurp("conf/examples/freebsd-vnet-samba.conf"), rules[PATH_MAX + 64], err[512] = "";
	snprintf(rules, sizeof rules, "devfs.rules = %s/conf/examples/freebsd-vnet-samba.devfs.rules", cwd);
	subst(&text, "devfs.rules = /etc/devfs.rules", rules);
	subst(&text, "mount.fstab = \"/etc/fstab.samba\"",
	      "mount = \"/tank/share /home/jails/samba/share nullfs rw 0 0\"");
	struct conf *c = load_text("freebsd-vnet-samba.conf", text);
	const struct jail *j = c ? conf_jail(c, "samba") : NULL;
	struct fbsd_plan p;
	CHECK(j != NULL);
	if (!j)
		return;
	int rc = fbsd_plan_build(j, &p, err, sizeof err);
	CHECK_INT(rc, 0);
	if (rc) {
		fprintf(stderr, "  %s\n", err);
		conf_free(c);
		return;
	}
	static const char *const params[] = {
		"persist",
		"name=samba",
		"path=/home/jails/samba",
		"jid=1",
		"host.hostname=samba.local",
		"allow.raw_sockets=true",
		"allow.quotas=true",
		"enforce_statfs=1",
		"allow.mount=true",
		"allow.mount.fdescfs=true",
		"devfs_ruleset=11",
		"vnet=new",
		NULL,
	};
	check_params(&p, params);
	static const char *const mounts[] = {
		"nullfs rw /tank/share /home/jails/samba/share",
		"devfs ruleset=11 devfs /home/jails/samba/dev",
		NULL,
	};
	check_mounts(&p, mounts);
	CHECK_INT(p.ruleset.number, 11);
	CHECK(p.ruleset.load);
	CHECK_STR(p.ruleset.name, "devfsrules_jail_zvol");
	CHECK_INT(p.nvnet, 1);
	if (p.nvnet)
		CHECK_STR(p.vnet_ifs[0], "epair1b");
	CHECK_INT(p.naliases, 0);
	fbsd_plan_free(&p);
	conf_free(c);
}

/* uWSGI's libjail form: every jail2 line 1:1, the jidfile, the user; exec-pre-jail makes the alias. */
TEST(uwsgi_jail2)
{
	char err[512] = "";
	struct conf *c = load_text("uwsgi-freebsd-jail.conf", slurp("conf/examples/uwsgi-freebsd-jail.conf"));
	const struct jail *j = c ? conf_jail(c, NULL) : NULL;
	struct fbsd_plan p;
	CHECK(j != NULL);
	if (!j)
		return;
	CHECK_INT(fbsd_plan_build(j, &p, err, sizeof err), 0);
	static const char *const params[] = {
		"persist",
		"name=uwsgi-freebsd-jail",
		"path=/jails/001",
		"host.hostname=foobar",
		"ip4.addr=192.168.0.40",
		"allow.sysvipc=true",
		NULL, /* a known boolean: libjail takes true/false */
	};
	check_params(&p, params);
	CHECK_STR(p.jidfile, "/var/run/uwsgi-001.jid");
	CHECK_STR(p.user, "kratos");
	CHECK_INT(p.naliases, 0);
	CHECK_INT(p.nmounts, 0);
	fbsd_plan_free(&p);
	conf_free(c);
}

/* uWSGI's old API: jail(2) with path, hostname and the jail-ip4 addresses; no jail_set list. */
TEST(uwsgi_oldjail)
{
	char err[512] = "";
	struct conf *c = load_text("uwsgi-freebsd-oldjail.conf", slurp("conf/examples/uwsgi-freebsd-oldjail.conf"));
	const struct jail *j = c ? conf_jail(c, NULL) : NULL;
	struct fbsd_plan p;
	CHECK(j != NULL);
	if (!j)
		return;
	CHECK(fbsd_wanted(j));
	CHECK_INT(fbsd_plan_build(j, &p, err, sizeof err), 0);
	CHECK_INT(p.mode, FBSD_OLDAPI);
	CHECK_STR(p.old.path, "/jails/001");
	CHECK_STR(p.old.hostname, "foobar");
	CHECK(p.old.name == NULL);
	CHECK_INT(p.old.nip4, 1);
	if (p.old.nip4)
		CHECK_STR(p.old.ip4[0], "192.168.0.40");
	CHECK_INT(p.nparams, 0);
	fbsd_plan_free(&p);
	conf_free(c);
}

static struct conf *cfg(const char *text)
{
	return load_text("t.conf", strdup(text));
}

TEST(aliases_and_addresses)
{
	char err[512] = "";
	struct conf *c = cfg("[w]\npath = /j/w\ninterface = em0\nip4.addr = 10.0.0.2\nip4.addr += lo1|10.1.0.2/24\n"
			     "ip6.addr = fd00::2/64\nip4.addr += em1|10.2.0.2/255.255.0.0\n");
	const struct jail *j = c ? conf_jail(c, "w") : NULL;
	struct fbsd_plan p;
	CHECK(j != NULL);
	if (!j)
		return;
	CHECK_INT(fbsd_plan_build(j, &p, err, sizeof err), 0);
	static const char *const params[] = {
		"persist", "name=w", "path=/j/w", "ip4.addr=10.0.0.2,10.1.0.2,10.2.0.2", "ip6.addr=fd00::2", NULL,
	};
	check_params(&p, params);
	CHECK_INT(p.naliases, 4);
	char *d = fbsd_describe(j, STEP_ALIASES);
	CHECK_STR(d, "ifconfig em0 inet 10.0.0.2/32 alias\nifconfig lo1 inet 10.1.0.2/24 alias\n"
		     "ifconfig em1 inet 10.2.0.2/16 alias\nifconfig em0 inet6 fd00::2/64 alias");
	free(d);
	d = fbsd_describe(j, STEP_UNALIAS);
	CHECK_STR(d, "ifconfig em0 inet6 fd00::2 -alias\nifconfig em1 inet 10.2.0.2 -alias\n"
		     "ifconfig lo1 inet 10.1.0.2 -alias\nifconfig em0 inet 10.0.0.2 -alias");
	free(d);
	fbsd_plan_free(&p);
	conf_free(c);

	char *a;
	int prefix;
	CHECK_INT(fbsd_addr_parse(4, "10.0.0.1/255.255.255.128", &a, &prefix), 0);
	CHECK_INT(prefix, 25);
	free(a);
	CHECK_INT(fbsd_addr_parse(4, "10.0.0.1/255.0.255.0", &a, &prefix), -1);
	CHECK_INT(fbsd_addr_parse(4, "10.0.0.1/33", &a, &prefix), -1);
	CHECK_INT(fbsd_addr_parse(6, "10.0.0.1", &a, &prefix), -1);

	c = cfg("[w]\npath = /j/w\nip4.addr = em0|10.0.0.300/24\n");
	j = c ? conf_jail(c, "w") : NULL;
	if (j) {
		CHECK_INT(fbsd_plan_build(j, &p, err, sizeof err), -1);
		CHECK_STR(err, "t.conf:3: ip4.addr: bad address \"10.0.0.300/24\"");
	}
	conf_free(c);
}

TEST(persist_and_order)
{
	char err[512] = "";
	struct conf *c = cfg("[*]\nallow.mount = yes\n[7]\npath = /j/7\npersist = true\nzfs.mount_snapshot = 1\n"
			     "mount.procfs = true\nmount.fdescfs = true\nmount.devfs = true\nexec.fib = 2\n");
	const struct jail *j = c ? conf_jail(c, "7") : NULL;
	struct fbsd_plan p;
	CHECK(j != NULL);
	if (!j)
		return;
	CHECK_INT(fbsd_plan_build(j, &p, err, sizeof err), 0);
	if (err[0])
		fprintf(stderr, "  %s\n", err);
	/* a numeric section is the jid; a configured persist stays on; unknown names pass through */
	static const char *const params[] =
		{"persist", "jid=7", "allow.mount=true", "path=/j/7", "zfs.mount_snapshot=1", NULL};
	check_params(&p, params);
	CHECK(p.keep_persist);
	static const char *const mounts[] = {
		"devfs ruleset=4 devfs /j/7/dev",
		"fdescfs - fdescfs /j/7/dev/fd",
		"procfs - procfs /j/7/proc",
		NULL,
	};
	check_mounts(&p, mounts);
	CHECK_INT(p.fib, 2);
	char *d = fbsd_describe(j, STEP_UNMOUNTS);
	CHECK_STR(d, "umount /j/7/proc\numount /j/7/dev/fd\numount /j/7/dev");
	free(d);
	d = fbsd_describe(j, STEP_SETUP);
	CHECK_STR(d, "jail_attach(7)\nprocctl(P_PID, getpid(), PROC_REAP_ACQUIRE)\nsetfib(2)");
	free(d);
	d = fbsd_describe(j, STEP_CREATE);
	CHECK_STR(d, "jail_set(JAIL_CREATE)\npersist\njid=7\nallow.mount=true\npath=/j/7\nzfs.mount_snapshot=1");
	free(d);
	fbsd_plan_free(&p);
	conf_free(c);
}

/* rlimit.* is set by the init after jail_attach, in config order; Linux-only names are refused. */
TEST(rlimits)
{
	char err[512] = "";
	struct conf *c = cfg("[*]\nrlimit.core = 0\n[r]\npath = /j/r\nrlimit.nofile = 512:1024\n"
			     "rlimit.sbsize = 1M:unlimited\nrlimit.core = 1K\n");
	const struct jail *j = c ? conf_jail(c, "r") : NULL;
	struct fbsd_plan p;
	CHECK(j != NULL);
	if (j) {
		CHECK_INT(fbsd_plan_build(j, &p, err, sizeof err), 0);
		CHECK_INT(p.nrlimits, 3);
		static const char *const params[] = {"persist", "name=r", "path=/j/r", NULL};
		check_params(&p, params); /* none of them is a jail parameter */
		fbsd_plan_free(&p);
		char *d = fbsd_describe(j, STEP_SETUP);
		CHECK_STR(d, "jail_attach(r)\nprocctl(P_PID, getpid(), PROC_REAP_ACQUIRE)\n"
			     "setrlimit(RLIMIT_CORE, 1K)\nsetrlimit(RLIMIT_NOFILE, 512:1024)\n"
			     "setrlimit(RLIMIT_SBSIZE, 1M:unlimited)");
		free(d);
	}
	conf_free(c);
	c = cfg("[r]\npath = /j/r\nrlimit.msgqueue = 10\n");
	j = c ? conf_jail(c, "r") : NULL;
	CHECK(j != NULL);
	if (j) {
		CHECK_INT(fbsd_plan_build(j, &p, err, sizeof err), -1);
		CHECK_STR(err, "t.conf:3: rlimit.msgqueue: not a FreeBSD resource limit");
		char *d = fbsd_describe(j, STEP_SETUP);
		CHECK_STR(d, "error: t.conf:3: rlimit.msgqueue: not a FreeBSD resource limit");
		free(d);
	}
	conf_free(c);
}

TEST(attach_and_conflicts)
{
	char err[512] = "";
	struct conf *c = cfg("[w]\njail-attach = web\nmount.devfs = false\n");
	const struct jail *j = c ? conf_jail(c, "w") : NULL;
	struct fbsd_plan p;
	if (j) {
		CHECK_INT(fbsd_plan_build(j, &p, err, sizeof err), 0);
		CHECK_INT(p.mode, FBSD_ATTACH);
		char *d = fbsd_describe(j, STEP_REMOVE);
		CHECK(d == NULL); /* someone else's jail: nothing to remove */
		free(d);
		fbsd_plan_free(&p);
	}
	CHECK(j != NULL);
	conf_free(c);
	c = cfg("[w]\njail = /j/w h\nhost.hostname = x\n");
	j = c ? conf_jail(c, "w") : NULL;
	CHECK(j != NULL);
	if (j) {
		CHECK_INT(fbsd_plan_build(j, &p, err, sizeof err), -1);
		CHECK_STR(err, "t.conf:3: host.hostname: the old jail(2) API (jail = /j/w h) takes no jail parameters; "
			       "use jail2 = path=... instead");
	}
	conf_free(c);
	c = cfg("[w]\nexec.start = /bin/true\n");
	j = c ? conf_jail(c, "w") : NULL;
	CHECK(j && !fbsd_wanted(j)); /* the init of a jail someone else made */
	conf_free(c);
}

TEST(mount_lines)
{
	struct fbsd_plan p;
	char err[512] = "";
	memset(&p, 0, sizeof p);
	CHECK_INT(fbsd_mount_text(&p, "# c\n\n/a\\040b /j/x nullfs ro,noatime 0 0\ntmpfs /j/tmp tmpfs rw,size=64m\n",
				  "fs", err, sizeof err),
		  0);
	static const char *const want[] = {"nullfs ro,noatime /a b /j/x", "tmpfs rw,size=64m tmpfs /j/tmp", NULL};
	check_mounts(&p, want);
	CHECK_INT(fbsd_mount_text(&p, "/a rel nullfs ro\n", "fs", err, sizeof err), -1);
	CHECK_STR(err, "fs:1: mount.fstab: rel: not an absolute pathname");
	fbsd_plan_free(&p);
}

TEST(rulesets)
{
	char err[512] = "";
	CHECK_INT(fbsd_ruleset_lookup("[a=3]\n# x\n [devfsrules_jail_zvol=11]\nadd hide\n", "devfsrules_jail_zvol"), 11);
	CHECK_INT(fbsd_ruleset_lookup("[a=3]\n", "b"), -1);
	struct conf *c = cfg("[w]\npath = /j/w\nmount.devfs = true\ndevfs_ruleset = devfsrules_jail_vnet\n");
	const struct jail *j = c ? conf_jail(c, "w") : NULL;
	struct fbsd_ruleset rs;
	if (j) {
		CHECK_INT(fbsd_ruleset_resolve(j, &rs, err, sizeof err), 0);
		CHECK_INT(rs.number, 5);
		CHECK(!rs.load);
		free(rs.name);
		free(rs.file);
	}
	conf_free(c);
	c = cfg("[w]\npath = /j/w\ndevfs_ruleset = nosuchset\n");
	j = c ? conf_jail(c, "w") : NULL;
	if (j) {
		CHECK_INT(fbsd_ruleset_resolve(j, &rs, err, sizeof err), -1);
		CHECK_STR(err, "t.conf:3: devfs_ruleset: no ruleset named \"nosuchset\" in the default rulesets "
			       "(set devfs.rules = FILE)");
	}
	conf_free(c);
}

TEST(path_check)
{
	char dir[] = "/tmp/fbsd-pathXXXXXX", p[256], err[512] = "";
	CHECK(mkdtemp(dir) != NULL);
	snprintf(p, sizeof p, "%s/dev", dir);
	CHECK_INT(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/proc", dir);
	CHECK_INT(symlink("/proc", p), 0);
	snprintf(p, sizeof p, "%s/dev", dir);
	CHECK_INT(fbsd_path_check(dir, p, err, sizeof err), 0);
	snprintf(p, sizeof p, "%s/proc", dir);
	CHECK_INT(fbsd_path_check(dir, p, err, sizeof err), -1);
	char want[300];
	snprintf(want, sizeof want, "%s/proc is a symbolic link", dir);
	CHECK_STR(err, want);
	CHECK_INT(fbsd_path_check(dir, "/elsewhere/x", err, sizeof err), 0); /* outside the jail: not checked */
	CHECK_INT(fbsd_path_check(dir, "rel", err, sizeof err), -1);
	unlink(p);
	snprintf(p, sizeof p, "%s/dev", dir);
	rmdir(p);
	rmdir(dir);
}

/* The iovec as text, "name=value" or "name" for a valueless option, each length checked against its string. */
static void iov_text(const struct iovec *iov, int n, char *out, size_t len)
{
	size_t at = 0;
	out[0] = '\0';
	for (int i = 0; i + 1 < n; i += 2) {
		const char *name = iov[i].iov_base, *value = iov[i + 1].iov_base;
		CHECK_INT(iov[i].iov_len, strlen(name) + 1);
		if (strcmp(name, "errmsg") == 0) {
			at += (size_t)snprintf(out + at, len - at, "%serrmsg[%zu]", at ? " " : "", iov[i + 1].iov_len);
			continue;
		}
		CHECK_INT(iov[i + 1].iov_len, value ? strlen(value) + 1 : 0);
		at += (size_t)snprintf(out + at, len - at, "%s%s%s%s", at ? " " : "", name, value ? "=" : "",
				       value ? value : "");
	}
}

/* nmount(2)'s arguments, from the plan's mounts, as mount(8) sends them. */
TEST(mount_iov)
{
	char err[512] = "", buf[256], errmsg[255], got[1024];
	struct iovec iov[64];
	struct fbsd_plan p;
	memset(&p, 0, sizeof p);
	CHECK_INT(fbsd_mount_text(&p, "/a\\040b /j/x nullfs ro,noatime 0 0\ntmpfs /j/tmp tmpfs rw,size=64m,mode=1777\n",
				  "fs", err, sizeof err),
		  0);
	CHECK_INT(p.nmounts, 2);
	if (p.nmounts != 2)
		return;
	int n = fbsd_mount_iov(&p.mounts[0], iov, 64, buf, sizeof buf, errmsg, sizeof errmsg);
	CHECK_INT(n, 14);
	iov_text(iov, n, got, sizeof got);
	CHECK_STR(got, "fstype=nullfs fspath=/j/x from=/a b target=/a b ro noatime errmsg[255]");
	CHECK(iov[n - 1].iov_base == errmsg);
	CHECK_INT(errmsg[0], 0);
	n = fbsd_mount_iov(&p.mounts[1], iov, 64, buf, sizeof buf, errmsg, sizeof errmsg);
	CHECK_INT(n, 12);
	iov_text(iov, n, got, sizeof got);
	CHECK_STR(got, "fstype=tmpfs fspath=/j/tmp from=tmpfs size=64m mode=1777 errmsg[255]"); /* rw: the default */
	/* Too little room is an error, never a mount with options left out. */
	CHECK_INT(fbsd_mount_iov(&p.mounts[1], iov, 11, buf, sizeof buf, errmsg, sizeof errmsg), -1);
	CHECK_INT(fbsd_mount_iov(&p.mounts[1], iov, 64, buf, 10, errmsg, sizeof errmsg), -1);
	fbsd_plan_free(&p);

	/* The pseudo-filesystems jail(8) mounts itself, from a configuration. */
	struct conf *c = cfg("[7]\npath = /j/7\nmount.procfs = true\nmount.devfs = true\ndevfs_ruleset = 11\n");
	const struct jail *j = c ? conf_jail(c, "7") : NULL;
	CHECK(j != NULL);
	if (!j)
		return;
	CHECK_INT(fbsd_plan_build(j, &p, err, sizeof err), 0);
	static const char *const want[] = {
		"fstype=devfs fspath=/j/7/dev from=devfs ruleset=11 errmsg[255]",
		"fstype=procfs fspath=/j/7/proc from=procfs errmsg[255]",
	};
	CHECK_INT(p.nmounts, 2);
	for (size_t i = 0; i < p.nmounts && i < 2; i++) {
		n = fbsd_mount_iov(&p.mounts[i], iov, 64, buf, sizeof buf, errmsg, sizeof errmsg);
		iov_text(iov, n, got, sizeof got);
		CHECK_STR(got, want[i]);
	}
	fbsd_plan_free(&p);
	conf_free(c);
}

static void argv_text(char *const *argv, char *out, size_t len)
{
	size_t at = 0;
	out[0] = '\0';
	for (int i = 0; argv[i] && i < 6; i++)
		at += (size_t)snprintf(out + at, len - at, "%s%s", i ? " " : "", argv[i]);
}

/* ifconfig(8)'s arguments for each alias, added in order and removed in reverse, as jail(8) runs them. */
TEST(alias_argv)
{
	char err[512] = "", buf[128], got[512], *argv[6];
	struct conf *c =
		cfg("[a]\npath = /j/a\ninterface = em0\nip4.addr = 10.1.1.1\nip4.addr += lo1|10.2.2.2/255.255.255.0\n"
		    "ip6.addr = fd00::1/64\n");
	const struct jail *j = c ? conf_jail(c, "a") : NULL;
	struct fbsd_plan p;
	CHECK(j != NULL);
	if (!j)
		return;
	CHECK_INT(fbsd_plan_build(j, &p, err, sizeof err), 0);
	static const char *const add[] = {
		"/sbin/ifconfig em0 inet 10.1.1.1/32 alias",
		"/sbin/ifconfig lo1 inet 10.2.2.2/24 alias",
		"/sbin/ifconfig em0 inet6 fd00::1/64 alias",
	};
	static const char *const del[] = {
		"/sbin/ifconfig em0 inet 10.1.1.1 -alias",
		"/sbin/ifconfig lo1 inet 10.2.2.2 -alias",
		"/sbin/ifconfig em0 inet6 fd00::1 -alias",
	};
	CHECK_INT(p.naliases, 3);
	for (size_t i = 0; i < p.naliases && i < 3; i++) {
		fbsd_alias_argv(&p.aliases[i], true, buf, sizeof buf, argv);
		CHECK(argv[5] == NULL);
		argv_text(argv, got, sizeof got);
		CHECK_STR(got, add[i]);
		fbsd_alias_argv(&p.aliases[i], false, buf, sizeof buf, argv);
		CHECK(argv[5] == NULL);
		argv_text(argv, got, sizeof got);
		CHECK_STR(got, del[i]);
	}
	fbsd_plan_free(&p);
	conf_free(c);
}

/* jail(2)'s address arrays for uWSGI's old API, in the configuration's order. */
TEST(oldjail_addrs)
{
	char err[512] = "";
	struct conf *c = cfg("[u]\njail = /jails/u host.example u\njail-ip4 = 10.0.0.2\njail-ip4 = 192.168.1.9\n"
			     "jail-ip6 = fd00::7\n");
	const struct jail *j = c ? conf_jail(c, "u") : NULL;
	struct fbsd_plan p;
	CHECK(j != NULL);
	if (!j)
		return;
	CHECK_INT(fbsd_plan_build(j, &p, err, sizeof err), 0);
	struct in_addr *a4 = NULL;
	struct in6_addr *a6 = NULL;
	CHECK_INT(fbsd_oldjail_addrs(&p.old, &a4, &a6), 0);
	CHECK_INT(p.old.nip4, 2);
	CHECK_INT(p.old.nip6, 1);
	if (a4 && a6 && p.old.nip4 == 2 && p.old.nip6 == 1) {
		CHECK_INT(ntohl(a4[0].s_addr), 0x0a000002);
		CHECK_INT(ntohl(a4[1].s_addr), 0xc0a80109);
		static const unsigned char want6[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
		CHECK(memcmp(a6[0].s6_addr, want6, 16) == 0);
	}
	free(a4);
	free(a6);
	/* An address the plan let through by mistake is EINVAL, not a jail with a zero address. */
	char *bad[] = {"10.0.0.300"};
	struct fbsd_oldjail o = {.path = "/j", .hostname = "", .ip4 = bad, .nip4 = 1};
	errno = 0;
	CHECK_INT(fbsd_oldjail_addrs(&o, &a4, &a6), -1);
	CHECK_INT(errno, EINVAL);
	CHECK(a4 == NULL && a6 == NULL);
	fbsd_plan_free(&p);
	conf_free(c);
}

/* SIOCSIFVNET's struct ifreq holds 15 characters of name: a longer vnet.interface is refused by the plan,
 * not cut to some other interface's name; an alias's interface is checked the same way. */
TEST(vnet_ifname)
{
	char err[512] = "";
	struct fbsd_plan p;
	struct conf *c = cfg("[v]\npath = /j/v\nvnet = new\nvnet.interface = epair123456789b\n");
	const struct jail *j = c ? conf_jail(c, "v") : NULL;
	CHECK(j != NULL);
	if (j) {
		CHECK_INT(fbsd_plan_build(j, &p, err, sizeof err), 0);
		CHECK_INT(p.nvnet, 1);
		fbsd_plan_free(&p);
	}
	conf_free(c);
	c = cfg("[v]\npath = /j/v\nvnet = new\nvnet.interface = epair1234567890b\n");
	j = c ? conf_jail(c, "v") : NULL;
	CHECK(j != NULL);
	if (j) {
		CHECK_INT(fbsd_plan_build(j, &p, err, sizeof err), -1);
		CHECK_STR(err, "t.conf:4: vnet.interface: \"epair1234567890b\": not an interface name (1 to 15 "
			       "characters, no blanks or commas)");
	}
	conf_free(c);
	/* A list written on one line is one value, whose "interface" would reach ifconfig as it stands. */
	c = cfg("[v]\npath = /j/v\nip4.addr = 10.1.1.1, lo1|10.2.2.2\n");
	j = c ? conf_jail(c, "v") : NULL;
	CHECK(j != NULL);
	if (j) {
		CHECK_INT(fbsd_plan_build(j, &p, err, sizeof err), -1);
		CHECK_STR(err, "t.conf:3: ip4.addr: \"10.1.1.1, lo1\": not an interface name (1 to 15 characters, no "
			       "blanks or commas)");
	}
	conf_free(c);
}

int main(void)
{
	if (!getcwd(cwd, sizeof cwd))
		return 1;
	RUN(vnet_thin);
	RUN(vnet_samba);
	RUN(uwsgi_jail2);
	RUN(uwsgi_oldjail);
	RUN(aliases_and_addresses);
	RUN(persist_and_order);
	RUN(attach_and_conflicts);
	RUN(rlimits);
	RUN(mount_lines);
	RUN(rulesets);
	RUN(path_check);
	RUN(mount_iov);
	RUN(alias_argv);
	RUN(oldjail_addrs);
	RUN(vnet_ifname);
	return T_DONE();
}
