/* Plan building: which steps appear, in which order, with which context and text; init-only mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "steps.h"
#include "t.h"

static struct conf *load(const char *text)
{
	struct conf *c = NULL;
	char err[512];
	if (conf_load_string("test.conf", text, &c, err, sizeof err) < 0) {
		fprintf(stderr, "load: %s\n", err);
		return NULL;
	}
	return c;
}

/* The printed plan of the first jail in TEXT. */
static char *printed(const char *text, enum os os)
{
	static char buf[8192];
	buf[0] = '\0';
	struct conf *c = load(text);
	if (!c)
		return buf;
	struct plan p;
	FILE *f = tmpfile();
	if (f && plan_build(&c->jails[0], os, plan_jailed(&c->jails[0], os), &p) == 0) {
		plan_print(&p, &c->jails[0], fileno(f));
		plan_free(&p);
		rewind(f);
		size_t n = fread(buf, 1, sizeof buf - 1, f);
		buf[n] = '\0';
	}
	if (f)
		fclose(f);
	conf_free(c);
	return buf;
}

/* The step names of the plan, one per item, joined by spaces, duplicates folded. */
static const char *steps_of(const char *text, enum os os)
{
	static char buf[1024];
	buf[0] = '\0';
	struct conf *c = load(text);
	struct plan p;
	if (!c || plan_build(&c->jails[0], os, plan_jailed(&c->jails[0], os), &p) < 0) {
		conf_free(c);
		return buf;
	}
	enum step_id last = STEP_NONE;
	for (size_t i = 0; i < p.n; i++) {
		if (p.items[i].step == last)
			continue;
		last = p.items[i].step;
		if (buf[0])
			strcat(buf, " ");
		strcat(buf, step_get(last)->name);
	}
	plan_free(&p);
	conf_free(c);
	return buf;
}

#define INIT_ONLY                                                                           \
	"[app]\nexec.start = echo one\nexec.start += mkdir:/run/app\ncommand = sleep 100\n" \
	"exec.poststop = echo bye\nstop.timeout = 3\n"

TEST(init_only)
{
	struct conf *c = load(INIT_ONLY);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK(!plan_jailed(&c->jails[0], OS_LINUX));
	CHECK(!plan_jailed(&c->jails[0], OS_FREEBSD));
	conf_free(c);
	const char *out = printed(INIT_ONLY, OS_LINUX);
	const char *head = "# jail app (test.conf:1) on linux: init only, no jail parameters: one context\n"
			   "# create\n"
			   " 10 start      init  echo one\n"
			   " 10 start      init  mkdir:/run/app\n"
			   " 11 command    init  sleep 100\n"
			   " 11 command    init  as root, caps ";
	CHECK(strncmp(out, head, strlen(head)) == 0);
	CHECK(strstr(out, "# remove\n  3 kill       init  TERM to every process, KILL after stop.timeout 3s\n"
			  "  5 poststop   init  echo bye\n") != NULL);
	CHECK_STR(steps_of(INIT_ONLY, OS_LINUX), "start command kill poststop");
	CHECK_STR(steps_of(INIT_ONLY, OS_FREEBSD), "start command kill poststop");
}

TEST(jailed_linux)
{
	const char *t = "[web]\npath = /srv/web\nunshare = mount,pid,uts\nhost.hostname = web.local\n"
			"mount.procfs = true\nexec.prestart = 'ip link add web0 type veth peer name web1'\n"
			"exec.start = /bin/sh /etc/rc\ncommand = /usr/sbin/nginx\nexec.poststop = ip link del web0\n";
	CHECK_STR(steps_of(t, OS_LINUX), "prestart create setup start command kill remove poststop");
	const char *out = printed(t, OS_LINUX);
	CHECK(strstr(out, "  4 prestart   host  ip link add web0 type veth peer name web1\n") != NULL);
	CHECK(strstr(out, "  5 create     host  clone the init into new namespaces: mount,pid,uts\n") != NULL);
	CHECK(strstr(out, "  9 setup      jail  mount proc on /proc\n") != NULL);
	CHECK(strstr(out, "  9 setup      jail  hostname web.local\n") != NULL);
	CHECK(strstr(out, " 10 start      jail  /bin/sh /etc/rc\n") != NULL);
	CHECK(strstr(out, "# remove\n") != NULL);
	CHECK(strstr(out, "  5 poststop   host  ip link del web0\n") != NULL);
	CHECK(strstr(out, "  3 mounts") == NULL); /* FreeBSD's host-side mount step */
}

/* Within each half, the step numbers never go down: the plan follows the tables. */
static bool ordered(const char *out)
{
	int last = 0;
	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (*l == '#') {
			last = 0;
			continue;
		}
		int n = atoi(l);
		if (n < last)
			return false;
		last = n;
	}
	return true;
}

TEST(freebsd_order)
{
	const char *t = "[j]\npath = /jails/j\nexec.prepare = zfs clone tank/base@1 tank/j\n"
			"exec.prestart = 'ifconfig epair1 create up'\nexec.created = echo created\n"
			"exec.start = /bin/sh /etc/rc\nexec.poststart = echo up\nexec.prestop = echo down\n"
			"exec.stop = /bin/sh /etc/rc.shutdown\nexec.poststop = ifconfig epair1a destroy\n"
			"exec.release = zfs destroy tank/j\nmount.devfs = true\n";
	const char *got = steps_of(t, OS_FREEBSD);
	CHECK(strncmp(got, "prepare ", 8) == 0);
	CHECK(strstr(got, "prepare mounts prestart create created") != NULL);
	CHECK(strstr(got, "start") != NULL);
	CHECK(strstr(got, "prestop stop kill remove poststop unmounts release") != NULL);
	CHECK(ordered(printed(t, OS_FREEBSD)));
	CHECK(ordered(printed(t, OS_LINUX)));
}

TEST(unset_steps_are_left_out)
{
	CHECK_STR(steps_of("[a]\ncommand = true\n", OS_LINUX), "command kill");
	CHECK_STR(steps_of("[a]\nexec.prepare = echo p\n", OS_LINUX), "prepare kill");
}

/* plan_verify on the first jail of TEXT: its error, "" when there is none. */
static const char *verified(const char *text, enum os os)
{
	static char err[1024];
	strcpy(err, "(load failed)");
	struct conf *c = load(text);
	if (!c)
		return err;
	err[0] = '\0';
	if (plan_verify(&c->jails[0], os, plan_jailed(&c->jails[0], os), err, sizeof err) == 0)
		err[0] = '\0';
	conf_free(c);
	return err;
}

TEST(verify)
{
	/* init-only: what only a jail warder builds would use */
	CHECK_STR(verified("[a]\ncommand = x\nmount.procfs = true\n", OS_LINUX),
		  "test.conf:3: mount.procfs does nothing here: [a] has no path (nor another jail parameter), so "
		  "warder builds no jail and runs only as the init of one made elsewhere");
	CHECK_STR(verified("[a]\nmount = tmpfs /t tmpfs rw\nmount += tmpfs /u tmpfs rw\n", OS_LINUX),
		  "test.conf:2: mount does nothing here: [a] has no path (nor another jail parameter), so "
		  "warder builds no jail and runs only as the init of one made elsewhere");
	CHECK_STR(verified("[a]\nmount.procfs = false\nexec.start = x\nuser = nobody\ncaps = none\n", OS_LINUX), "");
	CHECK_STR(verified("[*]\nmount.procfs = true\nhost.hostname = h\n[a]\ncommand = x\n", OS_LINUX), "");
	/* FreeBSD: host.hostname is a kernel parameter, so it builds a jail there */
	CHECK_STR(verified("[a]\nhost.hostname = h\n", OS_FREEBSD), "");
	/* Linux rulesets: warder's defaults are 1-5 by number and name */
	CHECK_STR(verified("[a]\npath = /\ndevfs_ruleset = devfsrules_jail_vnet\n", OS_LINUX), "");
	CHECK_STR(verified("[a]\npath = /\ndevfs_ruleset = 6\n", OS_LINUX),
		  "test.conf:3: devfs_ruleset 6: no such ruleset in warder's default rulesets (devfs.rules = FILE adds "
		  "more)");
	CHECK_STR(verified("[*]\ndevfs_ruleset = 6\n[a]\npath = /\n", OS_LINUX),
		  "test.conf:2: devfs_ruleset 6: no such ruleset in warder's default rulesets (devfs.rules = FILE adds "
		  "more)");
	CHECK_STR(verified("[a]\nunshare = pid\ndevfs_ruleset = 4\n", OS_LINUX),
		  "test.conf:3: devfs_ruleset does nothing here: [a] builds no /dev (mount.devfs is false, or unset in a "
		  "jail without path)");
	CHECK_STR(verified("[*]\ndevfs_ruleset = 4\n[a]\nunshare = pid\n", OS_LINUX), "");
	/* FreeBSD: a number may be in the kernel, a name must be in a file */
	CHECK_STR(verified("[a]\npath = /j\ndevfs_ruleset = 6\n", OS_FREEBSD), "");
	CHECK_STR(verified("[a]\npath = /j\ndevfs_ruleset = x\n", OS_FREEBSD),
		  "test.conf:3: devfs_ruleset: no ruleset named \"x\" in the default rulesets (set devfs.rules = FILE)");
}

int main(void)
{
	RUN(init_only);
	RUN(verify);
	RUN(jailed_linux);
	RUN(freebsd_order);
	RUN(unset_steps_are_left_out);
	return T_DONE();
}
