/* Every example config in conf/examples loads, and resolves to what its seed scenario means. */
#include "conf.h"
#include "t.h"

#include <sys/stat.h>

#define EX "conf/examples/"

static char err[1024];

static struct conf *load(const char *path)
{
	struct conf *c = NULL;
	if (conf_load(path, &c, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	return c;
}

static const char *nth(const struct jail *j, const char *name, size_t i)
{
	const struct conf_value *v;
	size_t n = jail_list(j, name, &v);
	return i < n ? v[i].text : NULL;
}

static size_t count(const struct jail *j, const char *name)
{
	const struct conf_value *v;
	return jail_list(j, name, &v);
}

TEST(uwsgi_namespace)
{
	struct conf *c = load(EX "uwsgi-namespace.conf");
	CHECK(c != NULL);
	if (!c)
		return;
	const struct jail *j = conf_jail(c, NULL);
	CHECK_STR(j->name, "uwsgi-namespace"); /* [uwsgi] takes its file's base name */
	CHECK_STR(jail_get(j, "unshare"), "mount");
	CHECK_STR(jail_get(j, "pivot_root"), "/ns /ns/.old_root");
	CHECK_INT(count(j, "exec.jailed"), 1);
	CHECK_STR(nth(j, "exec.jailed", 0), "mount:none /distros/precise /ns bind");
	CHECK_INT(count(j, "exec.start"), 4);
	CHECK_STR(nth(j, "exec.start", 0), "mount:proc none /proc nodev hidepid=2");
	CHECK_STR(nth(j, "exec.start", 1), "mount:none /.old_root/dev /dev bind");
	CHECK_STR(nth(j, "exec.start", 2), "mount:none /.old_root/dev/pts /dev/pts bind");
	CHECK_STR(nth(j, "exec.start", 3), "umount:/.old_root rec,detach");
	CHECK(!jail_is_set(j, "http-socket"));
	conf_free(c);

	c = load(EX "uwsgi-namespace-shorthand.conf");
	CHECK(c != NULL);
	if (!c)
		return;
	j = conf_jail(c, NULL);
	CHECK_STR(jail_get(j, "path"), "/ns/001");
	CHECK_STR(jail_get(j, "host.hostname"), "mybeautifulhostname");
	CHECK_STR(jail_get(j, "unshare"), "mount,pid,uts,ipc");
	CHECK(jail_bool(j, "mount.procfs") && jail_bool(j, "mount.devfs"));
	CHECK_STR(jail_get(j, "keep_mount"), "/mnt/nfs1:/nfs");
	CHECK_STR(jail_get(j, "user"), "uwsgi");
	CHECK_STR(jail_get(j, "chdir"), "/home/uwsgi/uwsgi");
	conf_free(c);
}

TEST(uwsgi_freebsd_jail)
{
	struct stat st;
	struct conf *c = load(EX "uwsgi-freebsd-jail.conf");
	CHECK(c != NULL);
	if (!c)
		return;
	const struct jail *j = conf_jail(c, "uwsgi-freebsd-jail"); /* [uwsgi]: its file's name */
	bool has_devfs = stat("/jails/001/dev/zero", &st) == 0;
	CHECK_INT(count(j, "exec.prestart"), has_devfs ? 1 : 2);
	if (!has_devfs)
		CHECK_STR(nth(j, "exec.prestart", 0), "mount -t devfs devfs /jails/001/dev");
	CHECK_STR(jail_get(j, "exec.prestart"), "ifconfig em0 192.168.0.40 alias");
	CHECK_STR(jail_get(j, "path"), "/jails/001");
	CHECK_STR(jail_get(j, "host.hostname"), "foobar");
	CHECK_STR(jail_get(j, "ip4.addr"), "192.168.0.40");
	CHECK(jail_bool(j, "allow.sysvipc"));
	CHECK_STR(jail_get(j, "jidfile"), "/var/run/uwsgi-001.jid");
	CHECK_STR(jail_get(j, "user"), "kratos");
	CHECK_STR(jail_get(j, "group"), "kratos");
	conf_free(c);

	c = load(EX "uwsgi-freebsd-oldjail.conf");
	CHECK(c != NULL);
	if (!c)
		return;
	j = conf_jail(c, NULL);
	CHECK_STR(jail_get(j, "jail"), "/jails/001 foobar");
	CHECK_STR(jail_get(j, "jail-ip4"), "192.168.0.40");
	CHECK_STR(jail_get(j, "exec.prestart"), "ifconfig em0 192.168.0.40 alias");
	conf_free(c);
}

TEST(freebsd_vnet_thin)
{
	struct conf *c = load(EX "freebsd-vnet-thin.conf");
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_INT(c->njails, 1);
	const struct jail *j = conf_jail(c, "dev");
	CHECK(j != NULL);
	if (!j) {
		conf_free(c);
		return;
	}
	CHECK_STR(j->file, EX "freebsd-vnet-thin.d/dev.conf");
	CHECK_STR(jail_get(j, "devfs_ruleset"), "5");
	CHECK_STR(jail_get(j, "vnet"), "new");
	CHECK_STR(jail_get(j, "vnet.interface"), "epair253b");
	CHECK_STR(jail_get(j, "path"), "/zdata/jails/dev-nullfs-base");
	CHECK_STR(jail_get(j, "host.hostname"), "dev");
	CHECK_STR(jail_get(j, "exec.consolelog"), "/var/log/jail_console_dev.log");
	CHECK_STR(jail_get(j, "mount.fstab"), "/zdata/jails/dev-nullfs-base.fstab");
	CHECK_STR(jail_get(j, "interface"), "igc0bridge");
	CHECK_INT(jail_int(j, "enforce_statfs"), 1);
	CHECK(jail_bool(j, "allow.raw_sockets") && jail_bool(j, "allow.mount") && jail_bool(j, "allow.mount.devfs"));
	CHECK(jail_bool(j, "exec.clean") && jail_bool(j, "mount.devfs"));
	CHECK_INT(count(j, "exec.prestart"), 3);
	CHECK_STR(nth(j, "exec.prestart", 0), "ifconfig epair253 create up");
	CHECK_STR(nth(j, "exec.prestart", 1), "ifconfig epair253a up descr jail:dev");
	CHECK_STR(nth(j, "exec.prestart", 2), "ifconfig igc0bridge addm epair253a up");
	CHECK_INT(count(j, "exec.start"), 3);
	CHECK_STR(nth(j, "exec.start", 0), "/bin/sh /etc/rc");
	CHECK_STR(nth(j, "exec.start", 1), "ifconfig epair253b 192.168.7.253/24 up");
	CHECK_STR(nth(j, "exec.start", 2), "route add default 192.168.7.101");
	CHECK_STR(jail_get(j, "exec.stop"), "/bin/sh /etc/rc.shutdown");
	CHECK_INT(count(j, "exec.poststop"), 2);
	CHECK_STR(nth(j, "exec.poststop", 0), "ifconfig igc0bridge deletem epair253a");
	CHECK_STR(nth(j, "exec.poststop", 1), "ifconfig epair253a destroy");
	conf_free(c);
}

TEST(freebsd_vnet_samba)
{
	struct conf *c = load(EX "freebsd-vnet-samba.conf");
	CHECK(c != NULL);
	if (!c)
		return;
	const struct jail *j = conf_jail(c, NULL);
	CHECK_STR(j->name, "samba");
	CHECK_INT(jail_int(j, "jid"), 1);
	CHECK_STR(jail_get(j, "path"), "/home/jails/samba");
	CHECK_STR(jail_get(j, "host.hostname"), "samba.local");
	CHECK_STR(jail_get(j, "exec.consolelog"), "/var/log/jail/console_samba.log");
	CHECK_STR(jail_get(j, "devfs_ruleset"), "11");
	CHECK_STR(jail_get(j, "vnet.interface"), "epair1b");
	CHECK(jail_bool(j, "allow.quotas") && jail_bool(j, "allow.mount.fdescfs"));
	CHECK_INT(count(j, "exec.prepare"), 2);
	CHECK_STR(nth(j, "exec.prepare", 0), "ifconfig epair1 create");
	CHECK_STR(nth(j, "exec.prepare", 1), "ifconfig bridge1 create");
	CHECK_STR(nth(j, "exec.prestart", 1), "ifconfig epair1a up descr 'jail samba side of the epair'");
	CHECK_STR(nth(j, "exec.prestart", 2),
		  "ifconfig bridge1 up addm re0.7 addm epair1a descr 'bridge for the jail samba'");
	CHECK_STR(nth(j, "exec.start", 1),
		  "ifconfig epair1b 192.168.1.240/24 up descr 'jail side of the epair only visible in the jail'");
	CHECK_STR(nth(j, "exec.start", 2), "route add default 192.168.1.250");
	CHECK_INT(count(j, "exec.poststop"), 3);
	CHECK_STR(nth(j, "exec.poststop", 0), "ifconfig bridge1 deletem epair1a deletem re0.7");
	conf_free(c);
}

TEST(linux_busybox)
{
	struct conf *c = load(EX "linux-busybox.conf");
	CHECK(c != NULL);
	if (!c)
		return;
	const struct jail *j = conf_jail(c, NULL);
	CHECK_STR(j->name, "busybox");
	CHECK_STR(jail_get(j, "host.hostname"), "busybox.jail");
	CHECK_STR(jail_get(j, "exec.start"), "echo \"busybox.jail starting\" > /tmp/started");
	CHECK_INT(jail_int(j, "hidepid"), 2);
	CHECK(jail_duration(j, "stop.timeout") == 5);
	CHECK_STR(jail_get(j, "command"), "while :; do date; sleep 5; done");
	conf_free(c);
}

int main(void)
{
	RUN(uwsgi_namespace);
	RUN(uwsgi_freebsd_jail);
	RUN(freebsd_vnet_thin);
	RUN(freebsd_vnet_samba);
	RUN(linux_busybox);
	return T_DONE();
}
