/* Unit tests of the config loader: the INI dialect, [*] inheritance, +=, variables, quoting, guards, includes,
 * uWSGI aliases, and every error with its exact "FILE:LINE: message". Run from the repository root. */
#include "conf.h"
#include "conf_impl.h"
#include "t.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>

#define D "tests/unit/data/conf/"

static char err[1024];

static struct conf *load(const char *text)
{
	struct conf *c = NULL;
	err[0] = '\0';
	if (conf_load_string("t.conf", text, &c, err, sizeof err) < 0) {
		fprintf(stderr, "unexpected error: %s\n", err);
		return NULL;
	}
	return c;
}

/* The load fails with exactly WANT. */
#define CHECK_ERR(text, want)                                                          \
	do {                                                                           \
		struct conf *c_ = NULL;                                                \
		err[0] = '\0';                                                         \
		CHECK_INT(conf_load_string("t.conf", text, &c_, err, sizeof err), -1); \
		CHECK(c_ == NULL);                                                     \
		CHECK_STR(err, want);                                                  \
	} while (0)

static const char *nth(const struct jail *j, const char *name, size_t i)
{
	const struct conf_value *v;
	size_t n = jail_list(j, name, &v);
	return i < n ? v[i].text : NULL;
}

TEST(basic_sections)
{
	struct conf *c = load("; a comment\n# another\n[*]\nexec.clean = true\n\n[web]\npath = /srv/web ; inline\n"
			      "[db]\npath = /srv/db\nexec.clean = false\n[empty]\n");
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_INT(c->njails, 3);
	CHECK_STR(c->jails[0].name, "web");
	CHECK_STR(c->jails[1].name, "db");
	CHECK_STR(c->jails[2].name, "empty");
	CHECK_INT(c->jails[2].line, 11);
	CHECK(conf_jail(c, NULL) == NULL);
	const struct jail *w = conf_jail(c, "web"), *d = conf_jail(c, "db"), *e = conf_jail(c, "empty");
	CHECK_STR(jail_get(w, "path"), "/srv/web");
	CHECK(jail_bool(w, "exec.clean"));
	CHECK(!jail_bool(d, "exec.clean"));
	CHECK(jail_bool(e, "exec.clean"));
	const struct conf_param *p = jail_param(w, "path");
	CHECK(p && p->n == 1 && strcmp(p->v[0].file, "t.conf") == 0 && p->v[0].line == 7);
	conf_free(c);
}

/* A section given again adds to the first: found by name among many (more than the first table holds). */
TEST(sections_reopened)
{
	char *text = malloc(200 * 48), *at = text;
	for (int i = 0; i < 150; i++)
		at += sprintf(at, "[j%d]\nhost.hostname = h%d\n", i, i);
	at += sprintf(at, "[j3]\ncommand = c3\n[*]\nexec.clean = true\n[j149]\ncommand = c149\n[j70]\ncommand = c70\n");
	struct conf *c = load(text);
	free(text);
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_INT(c->njails, 150);
	for (int i = 0; i < 150; i++) {
		char name[16], host[16];
		snprintf(name, sizeof name, "j%d", i);
		snprintf(host, sizeof host, "h%d", i);
		const struct jail *j = conf_jail(c, name);
		CHECK(j && strcmp(jail_get(j, "host.hostname"), host) == 0 && jail_bool(j, "exec.clean"));
		CHECK(j && (i == 3 || i == 70 || i == 149) == (jail_get(j, "command") != NULL));
	}
	CHECK_STR(jail_get(conf_jail(c, "j70"), "command"), "c70");
	CHECK_INT(conf_jail(c, "j149")->line, 299);
	conf_free(c);
}

TEST(lists_and_append)
{
	struct conf *c = load("[*]\nexec.prestart = a\nexec.prestart += b\ndepend = x\nip4.addr = 10.0.0.1\n"
			      "[j1]\nexec.prestart += c\nexec.prestart = d\n"
			      "[j2]\nexec.prestart = e\nexec.prestart = f\ndepend += y\n");
	CHECK(c != NULL);
	if (!c)
		return;
	const struct jail *j1 = conf_jail(c, "j1"), *j2 = conf_jail(c, "j2");
	/* j1: += appended to [*]'s, then = replaced what [*] gave */
	CHECK_STR(nth(j1, "exec.prestart", 0), "d");
	CHECK(nth(j1, "exec.prestart", 1) == NULL);
	/* j2: = replaced [*]'s; a repeated key appends */
	CHECK_STR(nth(j2, "exec.prestart", 0), "e");
	CHECK_STR(nth(j2, "exec.prestart", 1), "f");
	CHECK_STR(jail_get(j2, "exec.prestart"), "f");
	CHECK_STR(nth(j2, "depend", 0), "x");
	CHECK_STR(nth(j2, "depend", 1), "y");
	CHECK_STR(nth(j1, "depend", 0), "x");
	conf_free(c);
}

TEST(star_after_jail_wins)
{
	/* jail(8): a wildcard block after the jail's block is applied after it */
	struct conf *c =
		load("[web]\nhost.hostname = own\nexec.start = a\n[*]\nhost.hostname = common\nexec.start = b\n");
	CHECK(c != NULL);
	if (!c)
		return;
	const struct jail *w = conf_jail(c, NULL);
	CHECK_STR(jail_get(w, "host.hostname"), "common");
	CHECK_STR(nth(w, "exec.start", 0), "b");
	CHECK(nth(w, "exec.start", 1) == NULL);
	conf_free(c);
}

TEST(variables)
{
	struct conf *c = load("[*]\n"
			      "path = /jails/${name}\n"
			      "$epair = \"epair${id}\"\n"
			      "vnet.interface = \"${epair}b\"\n"
			      "exec.prestart += \"ifconfig ${epair} create up\"\n"
			      "exec.prestart += ifconfig ${epair}a up descr jail:$name\n"
			      "[dev]\n"
			      "$id = 253\n"
			      "$ip = \"192.168.7.${id}/24\"\n"
			      "host.hostname = ${name}.local\n"
			      "exec.start = ifconfig ${epair}b $ip up\n"
			      "exec.start += echo ${path} ${host.hostname} ${stop.timeout}\n"
			      "exec.start += echo $$HOME $1 cost$ '$ip' \"q\"\n"
			      "exec.stop = 'literal $ip ${name}'\n");
	CHECK(c != NULL);
	if (!c)
		return;
	const struct jail *j = conf_jail(c, "dev");
	CHECK_STR(jail_get(j, "path"), "/jails/dev");
	CHECK_STR(jail_get(j, "vnet.interface"), "epair253b");
	CHECK_STR(nth(j, "exec.prestart", 0), "ifconfig epair253 create up");
	CHECK_STR(nth(j, "exec.prestart", 1), "ifconfig epair253a up descr jail:dev");
	CHECK_STR(jail_get(j, "host.hostname"), "dev.local");
	CHECK_STR(nth(j, "exec.start", 0), "ifconfig epair253b 192.168.7.253/24 up");
	CHECK_STR(nth(j, "exec.start", 1), "echo /jails/dev dev.local 10");
	/* $$ is a '$'; "$1" and a trailing '$' are not references; quotes inside a value are characters */
	CHECK_STR(nth(j, "exec.start", 2), "echo $HOME $1 cost$ '192.168.7.253/24' \"q\"");
	CHECK_STR(jail_get(j, "exec.stop"), "literal $ip ${name}");
	CHECK(!jail_is_set(j, "$id"));
	conf_free(c);
}

TEST(quotes_kept_inside)
{
	struct conf *c = load("[web]\ncommand = /usr/sbin/nginx -g 'daemon off;'\nexec.start = \"a 'b' c\"\n"
			      "exec.stop = ''\nhost.hostname = \"\"\n");
	CHECK(c != NULL);
	if (!c)
		return;
	const struct jail *j = conf_jail(c, NULL);
	CHECK_STR(jail_get(j, "command"), "/usr/sbin/nginx -g 'daemon off;'");
	CHECK_STR(jail_get(j, "exec.start"), "a 'b' c");
	CHECK_STR(jail_get(j, "exec.stop"), "");
	CHECK_STR(jail_get(j, "host.hostname"), "");
	conf_free(c);
}

TEST(list_substitution)
{
	struct conf *c = load("[j]\nip4.addr = 10.0.0.1\nip4.addr += 10.0.0.2\ndepend = ${ip4.addr}\n"
			      "ip6.addr = ::1\nexec.start = echo ${ip6.addr}\n");
	CHECK(c != NULL);
	if (!c)
		return;
	const struct jail *j = conf_jail(c, NULL);
	/* a whole-value reference to a list gives every value; a one-value list substitutes inline */
	CHECK_STR(nth(j, "depend", 0), "10.0.0.1");
	CHECK_STR(nth(j, "depend", 1), "10.0.0.2");
	CHECK_STR(jail_get(j, "exec.start"), "echo ::1");
	conf_free(c);
	CHECK_ERR("[j]\nip4.addr = 10.0.0.1\nip4.addr += 10.0.0.2\nexec.start = ping ${ip4.addr}\n",
		  "t.conf:4: array cannot be substituted inline: $ip4.addr");
}

TEST(variable_errors)
{
	CHECK_ERR("[j]\npath = /a\nexec.start = echo $nope\n", "t.conf:3: unknown variable $nope");
	CHECK_ERR("[*]\n$e = \"epair${id}\"\nexec.start = up $e\n[j]\n", "t.conf:2: unknown variable $id");
	CHECK_ERR("[j]\n$a = x$b\n$b = y${a}\nexec.start = $a\n", "t.conf:3: variable loop: $a -> $b -> $a");
	CHECK_ERR("[j]\n$a = $a\ncommand = $a\n", "t.conf:2: variable loop: $a -> $a");
	CHECK_ERR("[j]\npath = /x${host.hostname}\nhost.hostname = ${path}\n",
		  "t.conf:3: variable loop: $path -> $host.hostname -> $path");
	CHECK_ERR("[j]\ncommand = echo ${x\n", "t.conf:2: unterminated ${ in value");
	CHECK_ERR("[j]\ncommand = echo ${}\n", "t.conf:2: bad variable reference \"${}\"");
	CHECK_ERR("[j]\n$path = /x\n", "t.conf:2: variable $path has the same name as a parameter");
	CHECK_ERR("[j]\n$a-b = /x\n", "t.conf:2: bad variable name \"$a-b\"");
	CHECK_ERR("[j]\n$a = 1\n$a = 2\n", "t.conf:3: $a given twice (first at 2)");
	CHECK_ERR("[j]\n$a += 1\n", "t.conf:2: $a is not a list: use = instead of +=");
	/* a variable nobody uses is not resolved */
	struct conf *c = load("[*]\n$e = \"epair${id}\"\n[j]\npath = /x\n");
	CHECK(c != NULL);
	conf_free(c);
}

TEST(syntax_errors)
{
	CHECK_ERR("path = /x\n[j]\n", "t.conf:1: path before any [section]");
	CHECK_ERR("[j]\npath = /x\njust some words\n", "t.conf:3: expected `key = value` or `[section]`");
	CHECK_ERR("[j]\npath = /x\n[broken\n", "t.conf:3: expected `key = value` or `[section]`");
	CHECK_ERR("[j]\n= value\n", "t.conf:2: expected `key = value` or `[section]`");
	/* the first error wins even when libinih goes on parsing */
	CHECK_ERR("[j]\nwords\nfrobnicate = 1\n", "t.conf:2: expected `key = value` or `[section]`");
	CHECK_ERR("[j]\nfrobnicate = 1\nwords\n", "t.conf:2: unknown key \"frobnicate\"");
	CHECK_ERR("[a b]\n", "t.conf:1: bad section name \"a b\"");
	CHECK_ERR("[]\n", "t.conf:1: bad section name \"\"");
	CHECK_ERR("[j]\npath = /x\n\tcommand = \"unterminated\n", "t.conf:3: unterminated quote");
	CHECK_ERR("[j]\ncommand = 'x\"\n", "t.conf:2: unterminated quote");
	CHECK_ERR("[j]\ncommand = \"\n", "t.conf:2: unterminated quote");
}

TEST(value_errors)
{
	CHECK_ERR("[j]\npath = /a\npath = /b\n", "t.conf:3: path given twice (first at 2)");
	CHECK_ERR("[j]\nexec.start =\n", "t.conf:2: exec.start: empty value");
	CHECK_ERR("[j]\nexec.start += \n", "t.conf:2: exec.start: empty value");
	CHECK_ERR("[j]\ncommand = \n", "t.conf:2: command: empty value");
	CHECK_ERR("[j]\ncommand += x\n", "t.conf:2: command is not a list: use = instead of +=");
	CHECK_ERR("[j]\npath = srv/j\n", "t.conf:2: path: path must be absolute: srv/j");
	CHECK_ERR("[*]\n$r = srv\n[j]\npath = $r/j\n", "t.conf:4: path: path must be absolute: srv/j");
	CHECK_ERR("[j]\npersist = maybe\n", "t.conf:2: persist: bad boolean \"maybe\" (use true or false)");
	CHECK_ERR("[j]\nenforce_statfs = x\n", "t.conf:2: enforce_statfs: bad number \"x\"");
	CHECK_ERR("[j]\nenforce_statfs = 3\n", "t.conf:2: enforce_statfs: 3 is out of range 0..2");
	CHECK_ERR("[j]\nstop.timeout = 10x\n",
		  "t.conf:2: stop.timeout: bad duration \"10x\" (use 10, 1.5, 500ms, 2s, 1m)");
	CHECK_ERR("[j]\nstop.signal = FOO\n", "t.conf:2: stop.signal: bad signal \"FOO\"");
	CHECK_ERR("[j]\ncgroup.memory.max = 12Q\n", "t.conf:2: cgroup.memory.max: bad size \"12Q\" (use 64M, 1G or max)");
	CHECK_ERR("[j]\nrestart = sometimes\n", "t.conf:2: restart: \"sometimes\" is not one of no, on-failure, always");
	CHECK_ERR("[j]\nunshare = mount,bogus\n",
		  "t.conf:2: unshare: unknown namespace \"bogus\" (use mount,pid,uts,ipc,net,user,cgroup,time)");
	CHECK_ERR("[j]\nunshare = pid,mountmountmountmountmountmountmount\n",
		  "t.conf:2: unshare: unknown namespace \"mountmountmountmountmountmountmount\" "
		  "(use mount,pid,uts,ipc,net,user,cgroup,time)");
	CHECK_ERR("[j]\ncaps = chown,fly\n", "t.conf:2: caps: unknown capability \"fly\"");
	CHECK_ERR("[j]\nrlimit.files = 10\n", "t.conf:2: rlimit.files: unknown resource \"files\"");
	CHECK_ERR("[j]\nrlimit.nofile = lots\n",
		  "t.conf:2: rlimit.nofile: expected \"SOFT[:HARD]\" (numbers or unlimited), got \"lots\"");
	CHECK_ERR("[j]\nuid_map = 0 1000\n", "t.conf:2: uid_map: expected \"INSIDE OUTSIDE COUNT\", got \"0 1000\"");
	CHECK_ERR("[j]\npivot_root = /ns /old\n", "t.conf:2: pivot_root: OLD must be under NEW: \"/ns /old\"");
	CHECK_ERR("[j]\nhidepid = 3\n", "t.conf:2: hidepid: 3 is out of range 0..2");
	CHECK_ERR("[j]\nvnet = maybe\n", "t.conf:2: vnet: expected new, inherit or a boolean, got \"maybe\"");
	CHECK_ERR("[j]\nmount = tmpfs\n",
		  "t.conf:2: mount: expected an fstab line \"DEVICE /MOUNTPOINT TYPE [OPTIONS]\", got \"tmpfs\"");
	/* a bad value in [*] is reported even when there is no jail */
	CHECK_ERR("[*]\npersist = 2\n", "t.conf:2: persist: bad boolean \"2\" (use true or false)");
}

TEST(unknown_keys)
{
	CHECK_ERR("[j]\nexec.prestrat = x\n", "t.conf:2: unknown key \"exec.prestrat\", did you mean \"exec.prestart\"?");
	CHECK_ERR("[j]\npersistent = true\n", "t.conf:2: unknown key \"persistent\", did you mean \"persist\"?");
	CHECK_ERR("[j]\nexec-pre-jial = x\n", "t.conf:2: unknown key \"exec-pre-jial\", did you mean \"exec-pre-jail\"?");
	CHECK_ERR("[j]\nfrobnicate = 1\n", "t.conf:2: unknown key \"frobnicate\"");
	/* in a kernel parameter's namespace an unknown name passes through, unless it is a typo of a known one */
	CHECK_ERR("[j]\nallow.mont = 1\n", "t.conf:2: unknown key \"allow.mont\", did you mean \"allow.mount\"?");
	CHECK_ERR("[j]\nhost.hostnme = x\n", "t.conf:2: unknown key \"host.hostnme\", did you mean \"host.hostname\"?");
	struct conf *c = load("[j]\nallow.mlock = 1\nlinux.osname = Linux\nzfs.mount_snapshot = 1\nsecurity.x.y = 2\n");
	CHECK(c != NULL);
	if (!c)
		return;
	const struct jail *j = conf_jail(c, NULL);
	const struct conf_param *p = jail_param(j, "allow.mlock");
	CHECK(p && p->def == NULL && strcmp(p->v[0].text, "1") == 0);
	CHECK_STR(jail_get(j, "linux.osname"), "Linux");
	CHECK(jail_is_set(j, "zfs.mount_snapshot") && jail_is_set(j, "security.x.y"));
	conf_free(c);
}

TEST(jail2_passthrough)
{
	struct conf *c = load("[j]\njail2 = path=/jails/001\nlibjail = host.hostname=foobar\njail2 = allow.mount\n"
			      "jail2 = allow.sysvipc=1\njail2 = ip4.addr=192.168.0.40\njail2 = ip4.addr=192.168.0.41\n"
			      "jail2 = enforce_statfs=1\njail2 = allow.nfsd\njail2 = osrelease=\"13.2-RELEASE\"\n");
	CHECK(c != NULL);
	if (!c)
		return;
	const struct jail *j = conf_jail(c, NULL);
	CHECK_STR(jail_get(j, "path"), "/jails/001");
	CHECK_STR(jail_get(j, "host.hostname"), "foobar");
	CHECK(jail_bool(j, "allow.mount"));
	CHECK(jail_bool(j, "allow.sysvipc"));
	CHECK_STR(nth(j, "ip4.addr", 1), "192.168.0.41");
	CHECK_INT(jail_int(j, "enforce_statfs"), 1);
	const struct conf_param *p = jail_param(j, "allow.nfsd");
	CHECK(p && p->def == NULL && strcmp(p->v[0].text, "true") == 0);
	CHECK(jail_param(j, "path")->def == param_find("path"));
	CHECK_STR(jail_get(j, "osrelease"), "13.2-RELEASE");
	conf_free(c);
	CHECK_ERR("[j]\njail2 = enforce_statfs=5\n", "t.conf:2: enforce_statfs: 5 is out of range 0..2");
	CHECK_ERR("[j]\njail2 = =1\n", "t.conf:2: jail2: expected KEY[=VALUE], got \"=1\"");
	CHECK_ERR("[j]\njail2 = path=/a\npath = /b\n", "t.conf:3: path given twice (first at 2)");
}

/* A [uwsgi] section is named after the file loaded, as uWSGI names vassals: two such files are two jails. */
TEST(uwsgi_section_name)
{
	struct conf *c = NULL;
	CHECK_INT(conf_load_string("/etc/vassals/app1.ini", "[uwsgi]\nhost.hostname = ${name}.local\ncommand = x\n", &c,
				   err, sizeof err),
		  0);
	const struct jail *j = c ? conf_jail(c, NULL) : NULL;
	CHECK(j != NULL);
	if (j) {
		CHECK_STR(j->name, "app1");
		CHECK_STR(jail_get(j, "host.hostname"), "app1.local");
	}
	conf_free(c);
	c = NULL;
	CHECK_INT(conf_load_string("app2", "[uwsgi]\ncommand = x\n", &c, err, sizeof err), 0);
	CHECK_STR(c && c->njails ? c->jails[0].name : "", "app2");
	conf_free(c);
	c = NULL;
	CHECK_INT(conf_load_string("web.conf", "[web]\ncommand = x\n", &c, err, sizeof err), 0);
	CHECK_STR(c && c->njails ? c->jails[0].name : "", "web"); /* other sections keep their names */
	conf_free(c);
	c = NULL;
	CHECK_INT(conf_load_string("/v/my app.ini", "[uwsgi]\ncommand = x\n", &c, err, sizeof err), -1);
	CHECK_STR(err, "/v/my app.ini:1: [uwsgi] takes its file's name, and \"my app\" is not a jail name (letters, "
		       "digits, _ - .)");
}

TEST(uwsgi_aliases)
{
	struct conf *c = load("[uwsgi]\nuid = kratos\ngid = kratos\nunshare = fs,pid\n"
			      "hook-asap = write:/tmp/x 1\nexec-asap = echo asap\n"
			      "hook-pre-jail = exec:echo pre\nexec-pre-jail = ifconfig em0 alias\n"
			      "mount-pre-jail = tmpfs none /mnt\numount-pre-jail = /mnt\n"
			      "hook-post-jail = mount:none /distros/precise /ns bind\nexec-in-jail = echo in\n"
			      "hook-as-root = umount:/.old_root rec,detach\nexec-as-root = echo root\n"
			      "http-socket = :8080\nmaster = true\nhook-as-user = exec:echo ignored\n"
			      "pivot-root = /ns /ns/.old_root\n");
	CHECK(c != NULL);
	if (!c)
		return;
	const struct jail *j = conf_jail(c, "t"); /* [uwsgi] takes the name of its file, t.conf */
	CHECK_STR(jail_get(j, "user"), "kratos");
	CHECK_STR(jail_get(j, "group"), "kratos");
	CHECK_STR(jail_get(j, "unshare"), "mount,pid");
	CHECK_STR(nth(j, "exec.prepare", 0), "write:/tmp/x 1");
	CHECK_STR(nth(j, "exec.prepare", 1), "echo asap");
	CHECK_STR(nth(j, "exec.prestart", 0), "exec:echo pre");
	CHECK_STR(nth(j, "exec.prestart", 1), "ifconfig em0 alias");
	CHECK_STR(nth(j, "exec.prestart", 2), "mount:tmpfs none /mnt");
	CHECK_STR(nth(j, "exec.prestart", 3), "umount:/mnt");
	CHECK_STR(nth(j, "exec.jailed", 0), "mount:none /distros/precise /ns bind");
	CHECK_STR(nth(j, "exec.jailed", 1), "echo in");
	CHECK_STR(nth(j, "exec.start", 0), "umount:/.old_root rec,detach");
	CHECK_STR(nth(j, "exec.start", 1), "echo root");
	CHECK_STR(jail_get(j, "pivot_root"), "/ns /ns/.old_root");
	CHECK(!jail_is_set(j, "http-socket") && !jail_is_set(j, "master") && !jail_is_set(j, "hook-as-user"));
	CHECK_INT(j->np, 8);
	conf_free(c);
	/* uWSGI's application options are errors outside [uwsgi] */
	CHECK_ERR("[app]\nhttp-socket = :8080\n", "t.conf:2: unknown key \"http-socket\"");
	CHECK_ERR("[uwsgi]\nuid = a\nuser = b\n", "t.conf:3: user given twice (first at 2)");
}

TEST(namespace_shorthand)
{
	struct conf *c = load("[a]\nnamespace = /ns/001:myhost\nnamespace-keep-mount = /mnt/nfs1:/nfs\n"
			      "namespace-keep-mount = /apps/a/nfs\n"
			      "[b]\nunshare = mount,pid,uts,ipc,net\nnamespace = /ns/${name}\nmount.devfs = false\n");
	CHECK(c != NULL);
	if (!c)
		return;
	const struct jail *a = conf_jail(c, "a"), *b = conf_jail(c, "b");
	CHECK_STR(jail_get(a, "path"), "/ns/001");
	CHECK_STR(jail_get(a, "host.hostname"), "myhost");
	CHECK_STR(jail_get(a, "unshare"), "mount,pid,uts,ipc");
	CHECK(jail_bool(a, "mount.procfs") && jail_bool(a, "mount.devfs"));
	CHECK_STR(jail_get(a, "namespace"), "/ns/001:myhost");
	CHECK_STR(nth(a, "keep_mount", 0), "/mnt/nfs1:/nfs");
	CHECK_STR(nth(a, "keep_mount", 1), "/apps/a/nfs");
	/* what the section writes itself wins over what namespace implies, in either order */
	CHECK_STR(jail_get(b, "unshare"), "mount,pid,uts,ipc,net");
	CHECK(!jail_bool(b, "mount.devfs"));
	CHECK_STR(jail_get(b, "path"), "/ns/b");
	CHECK(!jail_is_set(b, "host.hostname"));
	conf_free(c);
	CHECK_ERR("[a]\nnamespace = :host\n", "t.conf:2: namespace: expected ROOTFS[:HOSTNAME], got \":host\"");
}

TEST(guards)
{
	struct conf *c = load("[j]\n"
			      "if-not-exists = /nonexistent/warder\n"
			      "  exec.prestart = kept1\n"
			      "  if-exists = /nonexistent/warder\n"
			      "    exec.prestart = dropped-nested\n"
			      "    [dropped]\n"
			      "    frobnicate = not even checked\n"
			      "  endif =\n"
			      "  exec.prestart = kept2\n"
			      "endif =\n"
			      "if-exists = /\n"
			      "    exec.prestart = kept3 ; comment\n"
			      "endif = if-exists\n"
			      "if-dir = /\n  exec.start = dir\nendif =\n"
			      "if-not-dir = /\n  exec.start = notdir\nendif =\n"
			      "if-file = tests/unit/test_conf.c\n  exec.start = file\nendif =\n"
			      "if-not-file = /\n  exec.start = notfile\nendif =\n"
			      "if-exists = /nonexistent ; trailing comment\n  exec.start = never\nendif =\n"
			      "command = after guards\n");
	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_INT(c->njails, 1);
	const struct jail *j = conf_jail(c, NULL);
	CHECK_STR(nth(j, "exec.prestart", 0), "kept1");
	CHECK_STR(nth(j, "exec.prestart", 1), "kept2");
	CHECK_STR(nth(j, "exec.prestart", 2), "kept3");
	CHECK(nth(j, "exec.prestart", 3) == NULL);
	CHECK_STR(nth(j, "exec.start", 0), "dir");
	CHECK_STR(nth(j, "exec.start", 1), "file");
	CHECK_STR(nth(j, "exec.start", 2), "notfile");
	CHECK(nth(j, "exec.start", 3) == NULL);
	const struct conf_param *p = jail_param(j, "command");
	CHECK(p && p->v[0].line == 29);
	conf_free(c);
	CHECK_ERR("[j]\npath = /x\nif-exists = /\n  command = x\n", "t.conf:3: if-exists without endif");
	CHECK_ERR("[j]\nif-not-exists = /nope\nif-exists = /\nendif =\n", "t.conf:2: if-not-exists without endif");
	CHECK_ERR("[j]\npath = /x\nendif =\n", "t.conf:3: endif without if-exists or if-not-exists");
	CHECK_ERR("[j]\nif-exists =\nendif =\n", "t.conf:2: if-exists: empty value");
}

/* A comment of 279 bytes (Russian, two bytes a letter): longer than libinih's 200-byte line buffer. */
#define RU_COMMENT \
	"; Этот комментарий по-русски длиннее буфера строки libinih в Debian и всё равно читается целиком без ошибки конфигурации Этот комментарий по-русски длиннее......"

/* LEN characters: "echo " then x's; the caller frees it. */
static char *long_command(size_t len)
{
	char *s = malloc(len + 1);
	if (!s)
		abort();
	memset(s, 'x', len);
	memcpy(s, "echo ", 5);
	s[len] = '\0';
	return s;
}

static char *printf_alloc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *printf_alloc(const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	return s;
}

TEST(long_lines)
{
	/* libinih's buffer holds 199 characters: longer lines reach it as a stand-in, restored in the handler */
	char *cmd = long_command(300), *text = printf_alloc("[j]\npath = /x\ncommand = %s\n", cmd);
	struct conf *c = load(text);
	CHECK(c != NULL);
	if (c) {
		CHECK_STR(jail_get(conf_jail(c, NULL), "command"), cmd);
		const struct conf_param *p = jail_param(conf_jail(c, NULL), "command");
		CHECK(p && p->v[0].line == 3);
	}
	conf_free(c);
	free(text);
	/* the value is cut as libinih cuts a short one: blanks trimmed, " ;" starts a comment */
	text = printf_alloc(RU_COMMENT "\n[j] " RU_COMMENT "\n  exec.start +=   %s   ; " RU_COMMENT "\nexec.start += a;b\n"
				       "host.hostname = h " RU_COMMENT "\n",
			    cmd);
	c = load(text);
	CHECK(c != NULL);
	if (c) {
		const struct jail *j = conf_jail(c, "j");
		CHECK_STR(nth(j, "exec.start", 0), cmd);
		CHECK_STR(nth(j, "exec.start", 1), "a;b");
		CHECK_INT(jail_param(j, "exec.start")->v[1].line, 4);
		CHECK_STR(jail_get(j, "host.hostname"), "h");
	}
	conf_free(c);
	free(text);
	free(cmd);
	/* 1 MiB, in a variable, a jail2 line and a namespace line too */
	cmd = long_command(1 << 20);
	text = printf_alloc("[j]\n$v = %s\ncommand = \"${v}\"\njail2 = allow.x=%s\nnamespace = /r%s:h\n", cmd, cmd + 5,
			    cmd + 5);
	c = load(text);
	CHECK(c != NULL);
	if (c) {
		const struct jail *j = conf_jail(c, "j");
		CHECK_STR(jail_get(j, "command"), cmd);
		CHECK_STR(jail_get(j, "allow.x"), cmd + 5);
		CHECK_INT(strlen(jail_get(j, "path")), (1 << 20) - 3);
	}
	conf_free(c);
	free(text);
	free(cmd);
	/* long guard paths are tested whole (they were cut at 255 bytes) */
	cmd = long_command(400);
	text = printf_alloc("[j]\npath = /x\nif-not-exists = /nonexistent/%s\ncommand = kept\nendif =\n"
			    "if-exists = /nonexistent/%s\ncommand = %s\nendif = ; " RU_COMMENT "\n",
			    cmd, cmd, cmd);
	c = load(text);
	CHECK(c != NULL);
	if (c)
		CHECK_STR(jail_get(conf_jail(c, NULL), "command"), "kept");
	conf_free(c);
	free(text);
	/* errors name the line */
	text = printf_alloc("[j]\npath = /x\n%s\n", cmd);
	CHECK_ERR(text, "t.conf:3: expected `key = value` or `[section]`");
	free(text);
	text = printf_alloc("[j]\npath = /x\n%s = 1\n", cmd);
	CHECK_ERR(text, "t.conf:3: key longer than 196 characters");
	free(text);
	text = printf_alloc("[j]\npath = /x\ncommand = %s\ncommand = y\n", cmd);
	CHECK_ERR(text, "t.conf:4: command given twice (first at 3)");
	free(text);
	free(cmd);
	/* the documented limit: CONF_LINE_MAX bytes in a line */
	cmd = long_command(CONF_LINE_MAX - 10);
	text = printf_alloc("[j]\npath = /x\ncommand = %s\n", cmd);
	c = load(text);
	CHECK(c != NULL);
	conf_free(c);
	free(text);
	text = printf_alloc("[j]\npath = /x\ncommand = %s1\n", cmd);
	CHECK_ERR(text, "t.conf:3: line longer than 16777216 bytes");
	free(text);
	free(cmd);
}

TEST(binary)
{
	CHECK_ERR("[j]\npath = /x\ncommand = a\001b\n", "t.conf:3: binary data in config");
	CHECK_ERR("[j]\r\npath = /x\r\ncommand = a\rb\r\n", "t.conf:3: binary data in config");
	struct conf *c = load("\xEF\xBB\xBF[j]\r\npath = /x\r\n");
	CHECK(c != NULL);
	if (c)
		CHECK_STR(jail_get(conf_jail(c, "j"), "path"), "/x");
	conf_free(c);
}

TEST(files)
{
	struct conf *c = NULL;
	CHECK_INT(conf_load(D "long.conf", &c, err, sizeof err), 0);
	if (c)
		CHECK_INT(strlen(jail_get(conf_jail(c, "web"), "exec.start")), 205);
	conf_free(c);
	c = NULL;
	CHECK_INT(conf_load(D "long-include.conf", &c, err, sizeof err), 0);
	if (c) {
		const struct conf_param *p = jail_param(conf_jail(c, "web"), "exec.start");
		CHECK(p && strlen(p->v[0].text) == 405 && strcmp(p->v[0].file, D "long.inc") == 0 && p->v[0].line == 2);
	}
	conf_free(c);
	c = NULL;
	CHECK_INT(conf_load(D "binary.conf", &c, err, sizeof err), -1);
	CHECK_STR(err, D "binary.conf:3: binary data in config");
	CHECK_INT(conf_load(D "nonexistent.conf", &c, err, sizeof err), -1);
	CHECK_STR(err, D "nonexistent.conf: cannot read: No such file or directory");
	CHECK_INT(conf_load(D "inc.d", &c, err, sizeof err), -1);
	CHECK_STR(err, D "inc.d: cannot read: Is a directory");
	CHECK_INT(conf_load(D "include-none.conf", &c, err, sizeof err), -1);
	CHECK_STR(err, D "include-none.conf:3: include matches nothing: nothing-*.conf");
	CHECK_INT(conf_load(D "include-missing.conf", &c, err, sizeof err), -1);
	CHECK_STR(err, D "include-missing.conf:4: " D "missing.conf: cannot read: No such file or directory");
	CHECK_INT(conf_load(D "loop-a.conf", &c, err, sizeof err), -1);
	CHECK_STR(err, D "loop-b.conf:2: include loop: " D "loop-a.conf -> " D "loop-b.conf -> " D "loop-a.conf");
	CHECK(c == NULL);
}

TEST(includes)
{
	struct conf *c = NULL;
	if (conf_load(D "main.conf", &c, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		CHECK(0);
		return;
	}
	CHECK_INT(c->nfiles, 4);
	CHECK_INT(c->njails, 3);
	CHECK_STR(c->jails[0].name, "web");
	CHECK_STR(c->jails[0].file, D "inc.d/10-web.conf");
	CHECK_INT(c->jails[0].line, 2);
	CHECK_STR(c->jails[1].name, "db");
	CHECK_STR(c->jails[2].name, "late");
	const struct jail *w = conf_jail(c, "web"), *l = conf_jail(c, "late");
	CHECK_STR(jail_get(w, "path"), "/srv/web");
	CHECK(jail_bool(w, "exec.clean"));
	const struct conf_param *p = jail_param(l, "path");
	CHECK(p && strcmp(p->v[0].text, "/srv/late") == 0 && strcmp(p->v[0].file, D "fragment.inc") == 0 &&
	      p->v[0].line == 2);
	conf_free(c);
	/* a relative include in a config read from memory resolves against the name's directory */
	c = NULL;
	CHECK_INT(conf_load_string(D "mem.conf", "include = inc.d/2*.conf\n", &c, err, sizeof err), 0);
	CHECK(c && c->njails == 1 && strcmp(c->jails[0].name, "db") == 0);
	conf_free(c);
	CHECK_ERR("[j]\ninclude += x\n", "t.conf:2: include is not a list: use = instead of +=");
}

TEST(getters)
{
	struct conf *c = load("[j]\nstop.timeout = 1.5\nexec.timeout = 500ms\nstop.signal = SIGQUIT\nhidepid = invisible\n"
			      "vnet = true\ncgroup.memory.max = 64M\n");
	CHECK(c != NULL);
	if (!c)
		return;
	const struct jail *j = conf_jail(c, NULL);
	CHECK(jail_duration(j, "stop.timeout") == 1.5);
	CHECK(jail_duration(j, "exec.timeout") == 0.5);
	CHECK(jail_duration(j, "restart.delay") == 1);
	CHECK(jail_duration(j, "heartbeat") == -1);
	CHECK_INT(jail_signal(j, "stop.signal"), SIGQUIT);
	CHECK_INT(jail_int(j, "hidepid"), 2);
	CHECK_STR(jail_get(j, "vnet"), "new");
	CHECK_STR(jail_get(j, "devfs_ruleset"), "4");
	CHECK_INT(jail_int(j, "devfs_ruleset"), 4);
	CHECK_INT(jail_int(j, "devfs.rule_depth"), 1);
	CHECK(jail_bool(j, "no_new_privs"));
	CHECK(!jail_bool(j, "persist"));
	CHECK(!jail_is_set(j, "persist"));
	CHECK(jail_get(j, "path") == NULL);
	CHECK_STR(jail_get(j, "reload"), "jail");
	CHECK_STR(jail_get(j, "cgroup.memory.max"), "64M");
	const struct conf_value *v;
	CHECK_INT(jail_list(j, "exec.start", &v), 0);
	CHECK(v == NULL);
	conf_free(c);
}

/* `run NAME` keeps one jail: the others are still built and checked, with the same messages. */
TEST(load_one_jail)
{
	const char *text = "[*]\nexec.clean = true\n[web]\npath = /srv/web\n[db]\npath = /srv/db\nexec.clean = false\n"
			   "[empty]\n";
	struct conf *c = NULL;
	CHECK_INT(conf_load_jail("t.conf", text, "db", &c, err, sizeof err), 0);
	if (!c)
		return;
	CHECK_INT(c->njails, 1);
	CHECK_STR(c->jails[0].name, "db");
	CHECK_STR(jail_get(conf_jail(c, "db"), "path"), "/srv/db");
	CHECK(!jail_bool(conf_jail(c, "db"), "exec.clean"));
	CHECK(conf_jail(c, "web") == NULL);
	conf_free(c);
	CHECK_INT(conf_load_jail("t.conf", text, "empty", &c, err, sizeof err), 0);
	CHECK(c && c->njails == 1 && jail_bool(&c->jails[0], "exec.clean")); /* [*] still applies */
	conf_free(c);
	CHECK_INT(conf_load_jail("t.conf", text, "none", &c, err, sizeof err), 0);
	CHECK(c && c->njails == 0 && conf_jail(c, "none") == NULL);
	conf_free(c);
	/* An error in another jail fails the load as a whole load does, with its message. */
	const char *bad = "[web]\npath = /srv/web\nmount.procfs = maybe\n[db]\npath = /srv/db\n";
	char whole[1024];
	c = NULL;
	CHECK_INT(conf_load_string("t.conf", bad, &c, whole, sizeof whole), -1);
	CHECK_INT(conf_load_jail("t.conf", bad, "db", &c, err, sizeof err), -1);
	CHECK(c == NULL);
	CHECK_STR(err, whole);
	CHECK(strstr(err, "t.conf:3:") != NULL);
	/* As jail(8) -c db: a value of another jail that its variables make bad fails that jail, not db. */
	const char *var = "[web]\npath = /srv/web\nexec.start = \"$nope\"\n[db]\npath = /srv/db\n";
	CHECK_INT(conf_load_string("t.conf", var, &c, whole, sizeof whole), -1);
	CHECK(strstr(whole, "t.conf:3: unknown variable $nope") != NULL);
	CHECK_INT(conf_load_jail("t.conf", var, "db", &c, err, sizeof err), 0);
	CHECK(c && c->njails == 1 && strcmp(c->jails[0].name, "db") == 0);
	conf_free(c);
	CHECK_INT(conf_load_jail("t.conf", var, "web", &c, err, sizeof err), -1);
	CHECK_STR(err, whole);
	/* A [uwsgi] section takes its file's name: another section of that name is refused, whole or not. */
	const char *two = "[uwsgi]\npath = /srv/a\n[app]\npath = /srv/b\n";
	CHECK_INT(conf_load_string("/etc/app.ini", two, &c, whole, sizeof whole), -1);
	CHECK(strstr(whole, "/etc/app.ini:3: [app] names the jail that [uwsgi] (line 1) names") != NULL);
	CHECK_INT(conf_load_jail("/etc/app.ini", two, "app", &c, err, sizeof err), -1);
	CHECK_STR(err, whole);
	CHECK_INT(conf_load_jail("/etc/b.ini", two, "b", &c, err, sizeof err), 0);
	CHECK(c && c->njails == 1 && strcmp(jail_get(&c->jails[0], "path"), "/srv/a") == 0);
	conf_free(c);
	/* Many jails: the one kept is built whole, wherever it is. */
	char *big = malloc(300 * 64), *at = big;
	for (int i = 0; i < 300; i++)
		at += sprintf(at, "[j%d]\nhost.hostname = h%d\ncommand = x %d\n", i, i, i);
	CHECK_INT(conf_load_jail("big.conf", big, "j150", &c, err, sizeof err), 0);
	CHECK(c && c->njails == 1);
	if (c) {
		CHECK_STR(jail_get(&c->jails[0], "host.hostname"), "h150");
		CHECK_INT(c->jails[0].line, 451);
	}
	conf_free(c);
	free(big);
}

/* What `run NAME` keeps of a file as it reads it: NAME's entries and [*]'s; another jail's lines are checked, then
 * let go. A jail whose lines come back after another's is read whole again, with the same result and messages. */
TEST(read_keeps_one_jail)
{
	char whole[1024];
	char *big = malloc(300 * 80), *at = big;
	at += sprintf(at, "[*]\nexec.clean = true\n");
	for (int i = 0; i < 300; i++)
		at += sprintf(at, "[j%d]\nhost.hostname = h%d\ncommand = x %d\n", i, i, i);
	struct conf *c = calloc(1, sizeof *c);
	struct raw_conf raw = {0};
	CHECK_INT(conf_read(c, &raw, "big.conf", big, "j150", err, sizeof err), 0);
	CHECK_INT(raw.nsec, 301);
	CHECK_INT(raw.nent, 3); /* [*]'s one and j150's two */
	size_t kept = 0;
	for (size_t i = 0; i < raw.nent; i++)
		kept += strcmp(raw.sec[raw.ent[i].section].name, "j150") == 0;
	CHECK_INT(kept, 2);
	CHECK(raw.sec[1].dropped && !raw.sec[151].dropped && !raw.sec[0].dropped);
	conf_raw_free(&raw);
	conf_free(c);
	c = calloc(1, sizeof *c);
	CHECK_INT(conf_read(c, &raw, "big.conf", big, NULL, err, sizeof err), 0);
	CHECK_INT(raw.nent, 601);
	conf_raw_free(&raw);
	conf_free(c);
	free(big);

	/* web comes back after db: given twice is found across its two blocks, whichever jail is run. */
	const char *twice = "[web]\npath = /srv/web\n[db]\npath = /srv/db\n[web]\npath = /srv/x\n";
	c = NULL;
	CHECK_INT(conf_load_string("t.conf", twice, &c, whole, sizeof whole), -1);
	CHECK(strstr(whole, "t.conf:6: path given twice (first at 2)") != NULL);
	CHECK_INT(conf_load_jail("t.conf", twice, "db", &c, err, sizeof err), -1);
	CHECK_STR(err, whole);
	CHECK_INT(conf_load_jail("t.conf", twice, "web", &c, err, sizeof err), -1);
	CHECK_STR(err, whole);
	/* Both blocks of a jail that comes back apply, and the jail between them is built alone. */
	const char *back = "[web]\npath = /srv/web\n[db]\npath = /srv/db\n[web]\ncommand = x\n[*]\nexec.clean = 1\n";
	CHECK_INT(conf_load_jail("t.conf", back, "web", &c, err, sizeof err), 0);
	CHECK(c && c->njails == 1 && strcmp(jail_get(&c->jails[0], "path"), "/srv/web") == 0 &&
	      jail_is_set(&c->jails[0], "command") && jail_bool(&c->jails[0], "exec.clean"));
	conf_free(c);
	CHECK_INT(conf_load_jail("t.conf", back, "db", &c, err, sizeof err), 0);
	CHECK(c && c->njails == 1 && strcmp(jail_get(&c->jails[0], "path"), "/srv/db") == 0 &&
	      !jail_is_set(&c->jails[0], "command") && jail_bool(&c->jails[0], "exec.clean"));
	conf_free(c);
	/* An error after the point where the file is read again is the whole load's. */
	const char *late = "[web]\npath = /srv/web\n[db]\npath = /srv/db\n[web]\ncommand = x\n[db]\nnope.x = 1\n";
	CHECK_INT(conf_load_string("t.conf", late, &c, whole, sizeof whole), -1);
	CHECK_INT(conf_load_jail("t.conf", late, "db", &c, err, sizeof err), -1);
	CHECK_STR(err, whole);
	CHECK(strstr(err, "t.conf:8:") != NULL);
}

int main(void)
{
	RUN(basic_sections);
	RUN(read_keeps_one_jail);
	RUN(lists_and_append);
	RUN(star_after_jail_wins);
	RUN(variables);
	RUN(quotes_kept_inside);
	RUN(list_substitution);
	RUN(variable_errors);
	RUN(syntax_errors);
	RUN(value_errors);
	RUN(unknown_keys);
	RUN(jail2_passthrough);
	RUN(uwsgi_section_name);
	RUN(uwsgi_aliases);
	RUN(namespace_shorthand);
	RUN(guards);
	RUN(long_lines);
	RUN(binary);
	RUN(files);
	RUN(includes);
	RUN(getters);
	RUN(load_one_jail);
	RUN(sections_reopened);
	return T_DONE();
}
