/* `warder check` prints the list each back end executes: for every config of conf/examples (tests/plan holds
 * their printed plans), on Linux the ops lx_plan_walk() hands the executor, step by step, are the lines check
 * prints; on FreeBSD the lists init/freebsd/backend.c walks (mounts, aliases, vnet interfaces, parameters,
 * rlimits) are the lines fbsd_describe() prints, in the order the back end takes them. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fbsd_describe.h"
#include "fbsd_plan.h"
#include "lx_plan.h"
#include "steps.h"
#include "t.h"

static const enum step_id lx_steps[] = {STEP_CREATE, STEP_VNET, STEP_SETUP, STEP_REMOVE};

/* The Linux back-end lines of check's plan for STEP: plan_build's items of that step, joined by newlines. */
static char *printed_step(const struct jail *j, enum step_id step)
{
	struct plan p;
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f || plan_build(j, OS_LINUX, true, &p) < 0) {
		if (f)
			fclose(f);
		free(out);
		return NULL;
	}
	bool first = true;
	for (size_t i = 0; i < p.n; i++)
		if (p.items[i].step == step) {
			fprintf(f, "%s%s", first ? "" : "\n", p.items[i].what);
			first = false;
		}
	plan_free(&p);
	fclose(f);
	return out;
}

struct rec {
	const struct jail *j;
	FILE *f;
	size_t n, fail_at; /* fail_at: the op (1-based) that fails, 0 none */
};

static int record(const struct lx_op *op, void *arg)
{
	struct rec *r = arg;
	if (++r->n == r->fail_at)
		return -1;
	char *text = lx_op_describe(r->j, op);
	fprintf(r->f, "%s%s", ftell(r->f) ? "\n" : "", text ? text : "(null)");
	free(text);
	return 0;
}

static char *walked(const struct jail *j, const struct lx_plan *p, enum step_id step, size_t fail_at, int *rc)
{
	char *out = NULL;
	size_t len = 0;
	struct rec r = {j, open_memstream(&out, &len), 0, fail_at};
	if (!r.f)
		return NULL;
	*rc = lx_plan_walk(j, p, step, record, &r);
	fclose(r.f);
	return out;
}

static void linux_jail(const struct jail *j)
{
	struct lx_plan p;
	CHECK(lx_plan_build(j, &p) == 0);
	for (size_t s = 0; s < sizeof lx_steps / sizeof lx_steps[0]; s++) {
		int rc = 0;
		char *w = walked(j, &p, lx_steps[s], 0, &rc), *d = lx_describe(j, lx_steps[s]);
		char *c = printed_step(j, lx_steps[s]);
		CHECK_INT(rc, 0);
		CHECK_STR(w, d ? d : "");
		CHECK_STR(c, w);
		free(w);
		free(d);
		free(c);
	}
	lx_plan_free(&p);
}

/* Lines of TEXT that start with PREFIX, in order, joined by newlines. */
static char *lines_with(const char *text, const char *prefix)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	for (const char *s = text ? text : ""; *s;) {
		size_t n = strcspn(s, "\n");
		if (strncmp(s, prefix, strlen(prefix)) == 0)
			fprintf(f, "%s%.*s", ftell(f) ? "\n" : "", (int)n, s);
		s += n + (s[n] == '\n');
	}
	fclose(f);
	return out;
}

static void check_lines(const struct jail *j, enum step_id step, const char *prefix, const char *want)
{
	char *d = fbsd_describe(j, step), *got = lines_with(d, prefix);
	CHECK_STR(got, want);
	free(got);
	free(d);
}

/* The backend's walk, written out as jail(8)'s commands: mounts in order and unmounts reversed, aliases
 * added in order and removed reversed, interfaces moved in, every rlimit. */
static void freebsd_jail(const struct jail *j)
{
	struct fbsd_plan p;
	char err[512];
	if (fbsd_plan_build(j, &p, err, sizeof err) < 0) {
		/* a file read at plan time (mount.fstab, devfs.rules) is not on this host: check names it */
		char *d = fbsd_describe(j, STEP_MOUNTS);
		CHECK(d != NULL);
		free(d);
		return;
	}
	char *m = NULL, *u = NULL, *a = NULL, *ua = NULL, *v = NULL, *rl = NULL;
	size_t ml, ul, al, ual, vl, rll;
	FILE *fm = open_memstream(&m, &ml), *fu = open_memstream(&u, &ul), *fa = open_memstream(&a, &al),
	     *fua = open_memstream(&ua, &ual), *fv = open_memstream(&v, &vl), *fr = open_memstream(&rl, &rll);
	for (size_t i = 0; i < p.nmounts; i++) {
		const struct fbsd_mount *x = &p.mounts[i], *y = &p.mounts[p.nmounts - 1 - i];
		fprintf(fm, "%smount -t %s%s%s %s %s", i ? "\n" : "", x->fstype, x->opts ? " -o " : "",
			x->opts ? x->opts : "", x->from, x->to);
		fprintf(fu, "%sumount %s", i ? "\n" : "", y->to);
	}
	for (size_t i = 0; i < p.naliases; i++) {
		char buf[128], *argv[6];
		fbsd_alias_argv(&p.aliases[i], true, buf, sizeof buf, argv);
		fprintf(fa, "%sifconfig %s %s %s %s", i ? "\n" : "", argv[1], argv[2], argv[3], argv[4]);
		fbsd_alias_argv(&p.aliases[p.naliases - 1 - i], false, buf, sizeof buf, argv);
		fprintf(fua, "%sifconfig %s %s %s %s", i ? "\n" : "", argv[1], argv[2], argv[3], argv[4]);
	}
	for (size_t i = 0; i < p.nvnet; i++)
		fprintf(fv, "%sifconfig %s vnet", i ? "\n" : "", p.vnet_ifs[i]);
	for (size_t i = 0; i < p.nrlimits; i++)
		fprintf(fr, "%ssetrlimit(", i ? "\n" : "");
	fclose(fm), fclose(fu), fclose(fa), fclose(fua), fclose(fv), fclose(fr);
	check_lines(j, STEP_MOUNTS, "mount -t ", m);
	check_lines(j, STEP_UNMOUNTS, "umount ", u);
	check_lines(j, STEP_ALIASES, "ifconfig ", a);
	check_lines(j, STEP_UNALIAS, "ifconfig ", ua);
	char *d = fbsd_describe(j, STEP_VNET), *got = lines_with(d, "ifconfig ");
	/* "ifconfig IF vnet JAIL": the interfaces in the back end's order */
	size_t n = 0;
	for (char *s = got; s && *s; n++) {
		CHECK(n < p.nvnet && strncmp(s + 9, p.vnet_ifs[n], strlen(p.vnet_ifs[n])) == 0);
		s += strcspn(s, "\n");
		s += *s == '\n';
	}
	CHECK_INT(n, p.nvnet);
	free(got);
	free(d);
	d = fbsd_describe(j, STEP_SETUP);
	got = lines_with(d, "setrlimit(");
	size_t k = 0;
	for (char *s = got; s && *s; k++)
		s += strcspn(s, "\n"), s += *s == '\n';
	CHECK_INT(k, p.nrlimits);
	CHECK_INT(strstr(d ? d : "", "setfib(") != NULL, p.fib >= 0);
	free(got);
	free(d);
	/* jail_set's parameters: one line each after jail_set(JAIL_CREATE) */
	if (p.mode == FBSD_CREATE) {
		d = fbsd_describe(j, STEP_CREATE);
		const char *s = d ? strstr(d, "jail_set(JAIL_CREATE)\n") : NULL;
		CHECK(s != NULL);
		for (size_t i = 0; s && i < p.nparams; i++) {
			s = strchr(s, '\n');
			s = s ? s + 1 : NULL;
			CHECK(s && strstr(s, p.params[i].name) != NULL);
		}
		free(d);
	}
	free(m), free(u), free(a), free(ua), free(v), free(rl);
	fbsd_plan_free(&p);
}

TEST(every_example)
{
	glob_t g;
	size_t jails = 0;
	CHECK(glob("conf/examples/*.conf", 0, NULL, &g) == 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct conf *c = NULL;
		char err[512];
		CHECK(conf_load(g.gl_pathv[i], &c, err, sizeof err) == 0);
		for (size_t k = 0; c && k < c->njails; k++, jails++) {
			t_name = g.gl_pathv[i];
			linux_jail(&c->jails[k]);
			freebsd_jail(&c->jails[k]);
		}
		conf_free(c);
	}
	CHECK(jails >= 7);
	globfree(&g);
}

static struct conf *load(const char *text)
{
	struct conf *c = NULL;
	char err[512];
	if (conf_load_string("t.conf", text, &c, err, sizeof err) < 0)
		fprintf(stderr, "load: %s\n", err);
	return c;
}

/* What check prints for STEP of TEXT's first jail ("" for none). */
static char *step_of(const char *text, enum step_id step)
{
	struct conf *c = load(text);
	char *d = c ? lx_describe(&c->jails[0], step) : NULL;
	conf_free(c);
	return d ? d : strdup("");
}

static char *setup_of(const char *text)
{
	return step_of(text, STEP_SETUP);
}

/* The decisions that init/linux/ once took again on its own. */
TEST(linux_decisions)
{
	char *d = setup_of("[a]\nunshare = pid\ncommand = true\n");
	CHECK_STR(d, ""); /* nothing mounts: the tree stays as it is */
	free(d);
	d = setup_of("[a]\npath = /srv/a\nunshare = pid\nmount.devfs = false\n");
	CHECK_STR(d, "fail: the jail's mounts need its own mount namespace: add mount to unshare");
	free(d);
	d = setup_of("[a]\nunshare = mount,net\nmount.tmp = true\nhost.hostname = a\n");
	CHECK_STR(d, "make the mount tree private\nmount inside the current root\nmount a tmpfs on /tmp\n"
		     "fail: host.hostname a needs its own uts namespace: add uts to unshare");
	free(d);
	d = setup_of("[a]\npath = /srv/a\nunshare = mount,uts,net,user\nmount.tmp = true\nhost.domainname = d\n");
	CHECK_STR(d, "make the mount tree private\nbind the rootfs /srv/a onto itself\nmount a tmpfs on /tmp\n"
		     "build /dev on a tmpfs from devfs ruleset 4, host nodes bound (user namespace)\n"
		     "pivot_root into /srv/a, detach the old root\ndomainname d\nbring the loopback interface up");
	free(d);
	struct conf *c = load("[a]\npath = /srv/a\nunshare = pid\nvnet.interface = v0\nvnet.interface += v1\n"
			      "setns-socket = /run/a.sock\n");
	if (c) {
		char *cr = lx_describe(&c->jails[0], STEP_CREATE), *v = lx_describe(&c->jails[0], STEP_VNET),
		     *rm = lx_describe(&c->jails[0], STEP_REMOVE);
		/* path brings a mount namespace; no user namespace, no id maps */
		CHECK(cr && strncmp(cr, "clone the init into new namespaces: mount,pid\n", 46) == 0 &&
		      !strstr(cr, "uid_map"));
		CHECK_STR(v,
			  "move interface v0 into the network namespace\nmove interface v1 into the network namespace");
		CHECK(rm && strstr(rm, "remove the setns socket /run/a.sock") != NULL);
		free(cr), free(v), free(rm);
		conf_free(c);
	}
}

/* The network namespace is made on the host beside the init's mounts, and joined before the first op that may
 * use the network; not when a host step before "go" or exec.jailed works in it, nor in a user namespace. */
TEST(net_beside)
{
	static const char base[] = "[a]\npath = /srv/a\nunshare = mount,pid,net\nmount.procfs = true\n";
	static const char beside[] =
		"clone the init into new namespaces: mount,pid\n"
		"make the network namespace, its loopback up, on the host while the init mounts; the init joins it\n";
	static const char cgroup[] = "the init into a cgroup of its own (as root always; as a user only for limits)";
	char buf[512], want[512];
	char *d = step_of(base, STEP_CREATE);
	snprintf(want, sizeof want, "%s%s", beside, cgroup);
	CHECK_STR(d, want);
	free(d);
	d = setup_of(base);
	CHECK_STR(d, "make the mount tree private\nbind the rootfs /srv/a onto itself\nmount proc on /proc\n"
		     "build /dev on a tmpfs from devfs ruleset 4, nodes made with mknod\n"
		     "pivot_root into /srv/a, detach the old root\njoin the network namespace made on the host\n"
		     "bring the loopback interface up");
	free(d);
	/* sysfs shows the mounter's interfaces, a mount line may be a network filesystem: joined before them */
	snprintf(buf, sizeof buf, "%smount.sysfs = true\nmount = tmpfs /srv/a/run tmpfs rw 0 0\n", base);
	d = setup_of(buf);
	CHECK_STR(d, "make the mount tree private\nbind the rootfs /srv/a onto itself\n"
		     "join the network namespace made on the host\nmount tmpfs /srv/a/run tmpfs rw 0 0\n"
		     "mount proc on /proc\nmount sysfs on /sys read-only\n"
		     "build /dev on a tmpfs from devfs ruleset 4, nodes made with mknod\n"
		     "pivot_root into /srv/a, detach the old root\nbring the loopback interface up");
	free(d);
	static const char *const in_clone[] = {
		"exec.created = true\n",          /* works in it through the init's pid */
		"vnet.interface = v0\n",          /* moved into it before go */
		"exec.jailed = true\n",           /* runs inside before the mounts */
		"unshare = mount,pid,net,user\n", /* the jail's user namespace must own it */
		"host.hostname = a\n",            /* refused (no uts namespace): nothing to overlap */
	};
	for (size_t i = 0; i < sizeof in_clone / sizeof in_clone[0]; i++) {
		/* one unshare line: the entry's, else base's */
		snprintf(buf, sizeof buf, "[a]\npath = /srv/a\n%smount.procfs = true\n%s",
			 strncmp(in_clone[i], "unshare", 7) ? "unshare = mount,pid,net\n" : "", in_clone[i]);
		t_name = in_clone[i];
		d = step_of(buf, STEP_CREATE);
		CHECK(strstr(d, i == 3 ? "new namespaces: mount,pid,net,user\n" : "new namespaces: mount,pid,net\n"));
		CHECK(!strstr(d, "the init joins it"));
		free(d);
		d = setup_of(buf);
		CHECK(!strstr(d, "join the network namespace"));
		free(d);
	}
	t_name = NULL;
}

/* The walk stops at the first op that fails: nothing after it runs. */
TEST(walk_stops_at_failure)
{
	struct conf *c = load("[a]\npath = /srv/a\nunshare = mount,uts\nmount.procfs = true\nhost.hostname = a\n");
	if (!c)
		return;
	struct lx_plan p;
	CHECK(lx_plan_build(&c->jails[0], &p) == 0);
	int rc = 0;
	char *w = walked(&c->jails[0], &p, STEP_SETUP, 3, &rc);
	CHECK_INT(rc, -1);
	CHECK_STR(w, "make the mount tree private\nbind the rootfs /srv/a onto itself");
	free(w);
	lx_plan_free(&p);
	conf_free(c);
}

int main(void)
{
	RUN(every_example);
	RUN(linux_decisions);
	RUN(net_beside);
	RUN(walk_stops_at_failure);
	return T_DONE();
}
