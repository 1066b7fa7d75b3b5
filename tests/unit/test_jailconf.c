/* jail.conf -> INI: the two FreeBSD seed configs convert to the expected text, the text loads in warder's
 * INI reader with the values jail(8) would compute, and malformed files fail with their exact errors.
 * Run from the repository root (make check does). */
#include "t.h"

#include "conf.h"
#include "jailconf.h"

#include <stdlib.h>

#define DATA "tests/unit/data/jailconf/"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strdup(buf);
}

static void seed(const char *conf, const char *root, const char *expected)
{
	char err[512] = "", *ini = NULL, *want = slurp(expected);
	int rc = jailconf_to_ini(conf, root, &ini, err, sizeof err);
	CHECK_INT(rc, 0);
	if (rc)
		fprintf(stderr, "  %s\n", err);
	CHECK_STR(ini, want);
	free(ini);
	free(want);
}

TEST(seed_003_vnet_thin)
{
	seed(DATA "003/etc/jail.conf", DATA "003", DATA "003.ini");
}

TEST(seed_004_vnet_samba)
{
	seed(DATA "004/etc/jail.conf", NULL, DATA "004.ini");
}

/* The converted text means in warder what the jail.conf meant to jail(8). */
static const char *value(const struct jail *j, const char *name, size_t i)
{
	const struct conf_value *v;
	size_t n = jail_list(j, name, &v);
	return i < n ? v[i].text : NULL;
}

TEST(seed_003_loads)
{
	char err[512] = "", *ini = NULL;
	struct conf *c = NULL;
	CHECK_INT(jailconf_to_ini(DATA "003/etc/jail.conf", DATA "003", &ini, err, sizeof err), 0);
	int rc = ini ? conf_load_string("003.ini", ini, &c, err, sizeof err) : -1;
	CHECK_INT(rc, 0);
	if (rc)
		fprintf(stderr, "  %s\n", err);
	const struct jail *j = c ? conf_jail(c, "dev") : NULL;
	CHECK(j != NULL);
	if (j) {
		CHECK_STR(jail_get(j, "path"), "/zdata/jails/dev-nullfs-base");
		CHECK_STR(jail_get(j, "vnet.interface"), "epair253b");
		CHECK_STR(value(j, "exec.prestart", 0), "ifconfig epair253 create up");
		CHECK_STR(value(j, "exec.start", 0), "/bin/sh /etc/rc");
		CHECK_STR(value(j, "exec.start", 1), "ifconfig epair253b 192.168.7.253/24 up");
		CHECK_STR(value(j, "exec.poststop", 1), "ifconfig epair253a destroy");
		CHECK_STR(jail_get(j, "devfs_ruleset"), "5");
		CHECK(jail_bool(j, "mount.devfs"));
	}
	conf_free(c);
	free(ini);
}

TEST(seed_004_loads)
{
	char err[512] = "", *ini = NULL;
	struct conf *c = NULL;
	CHECK_INT(jailconf_to_ini(DATA "004/etc/jail.conf", NULL, &ini, err, sizeof err), 0);
	int rc = ini ? conf_load_string("004.ini", ini, &c, err, sizeof err) : -1;
	CHECK_INT(rc, 0);
	if (rc)
		fprintf(stderr, "  %s\n", err);
	const struct jail *j = c ? conf_jail(c, "samba") : NULL;
	CHECK(j != NULL);
	if (j) {
		CHECK_STR(jail_get(j, "path"), "/home/jails/samba");
		CHECK_STR(jail_get(j, "vnet.interface"), "epair1b");
		CHECK_STR(value(j, "exec.prestart", 1), "ifconfig epair1a up descr 'jail samba side of the epair'");
		CHECK_STR(value(j, "exec.start", 1),
			  "ifconfig epair1b 192.168.1.240/24 up descr 'jail side of the epair only visible in the jail'");
		CHECK_STR(value(j, "exec.poststop", 0), "ifconfig bridge1 deletem epair1a deletem re0.7");
	}
	conf_free(c);
	free(ini);
}

/* Lines longer than libinih's buffer, in the file and in an included one, convert and load whole. */
TEST(long_lines)
{
	char err[512] = "", *ini = NULL;
	struct conf *c = NULL;
	CHECK_INT(jailconf_to_ini(DATA "long/jail.conf", NULL, &ini, err, sizeof err), 0);
	int rc = ini ? conf_load_string("long.ini", ini, &c, err, sizeof err) : -1;
	CHECK_INT(rc, 0);
	if (rc)
		fprintf(stderr, "  %s\n", err);
	const struct jail *w = c ? conf_jail(c, "web") : NULL, *d = c ? conf_jail(c, "db") : NULL;
	CHECK(w && d);
	if (w && d) {
		const char *s = value(w, "exec.start", 0);
		CHECK(s && strlen(s) == 305 && strncmp(s, "echo xxx", 8) == 0 && strspn(s + 5, "x") == 300);
		s = value(d, "exec.prestart", 0);
		CHECK(s && strlen(s) == 405 && strspn(s + 5, "z") == 400);
		s = jail_get(d, "osrelease");
		CHECK(s && strlen(s) == 250);
	}
	conf_free(c);
	free(ini);
}

static void conv(const char *text, const char *want_ini_or_err, int want_rc)
{
	char err[512] = "", *ini = NULL;
	int rc = jailconf_string_to_ini("t.conf", text, NULL, NULL, &ini, err, sizeof err);
	CHECK_INT(rc, want_rc);
	CHECK_STR(rc == 0 ? ini : err, want_ini_or_err);
	free(ini);
}

TEST(syntax)
{
	/* no-prefix booleans, comma lists on list keys, the last of a scalar, quotes, escapes, comments */
	conv("a { mount.nodevfs; allow.nomount; ip4.addr = 10.0.0.1, em0|10.0.0.2/24; }\n",
	     "; converted from t.conf by warder import-jailconf\n[a]\nmount.devfs = false\nallow.mount = false\n"
	     "ip4.addr = 10.0.0.1\nip4.addr += em0|10.0.0.2/24\n",
	     0);
	conv("// c++\n/* c\n */ a { host.hostname = 'lit$x'; path = \"/j/\\$\"; # sh\n}\n",
	     "; converted from t.conf by warder import-jailconf\n[a]\nhost.hostname = 'lit$x'\npath = '/j/$'\n", 0);
	/* a later '=' in the same block replaces, '+=' keeps; a global after a block is its own [*] */
	conv("a { exec.start = x; exec.start = y; exec.start += z; }\npersist;\n",
	     "; converted from t.conf by warder import-jailconf\n[a]\nexec.start = y\nexec.start += z\n[*]\n"
	     "persist = true\n",
	     0);
	/* unknown kernel parameters pass through as jail2; empty and quote-led values keep their quotes */
	conv("a { zfs.mount_snapshot = 1; foo.bar; host.domainname = \"\"; exec.start = \"'q' r\"; }\n",
	     "; converted from t.conf by warder import-jailconf\n[a]\njail2 = zfs.mount_snapshot=1\njail2 = foo.bar\n"
	     "host.domainname = \"\"\nexec.start = \"'q' r\"\n",
	     0);
	conv("a { $x = \"$y\"'$z'; }\n",
	     "t.conf:1: $x: a value mixing a literal '$' with variables cannot be written in INI", -1);
}

static void bad(const char *file, const char *want)
{
	char err[512] = "", *ini = NULL, path[256], full[512];
	snprintf(path, sizeof path, DATA "bad/%s", file);
	snprintf(full, sizeof full, "%s%s", path, want);
	CHECK_INT(jailconf_to_ini(path, NULL, &ini, err, sizeof err), -1);
	CHECK_STR(err, full);
	free(ini);
}

TEST(malformed)
{
	bad("missing-brace.conf", ":1: missing '}' for the block web");
	bad("missing-semicolon.conf", ":3: missing ';' after path, found a string");
	bad("unterminated-quote.conf", ":2: unterminated \"...\" string");
	bad("unterminated-comment.conf", ":1: unterminated /* comment");
	bad("nested.conf", ":2: nested jail blocks are not supported");
	bad("partial-wildcard.conf", ":1: web.*: partial wildcard jail names are not supported");
	bad("include-nomatch.conf",
	    ":1: .include \"jail.conf.d/*.conf\": no file matches tests/unit/data/jailconf/bad/jail.conf.d/*.conf");
	bad("include-in-block.conf", ":2: .include is allowed only outside jail blocks");
	bad("internal-unsupported.conf", ":2: allow.dying: this jail(8) parameter is not supported by warder");
	bad("inline-comment.conf", ":2: exec.start: \" ;\" in a value would start an INI comment");
	bad("list-variable.conf", ":2: $v: a variable takes exactly one value (warder has no list variables)");
	bad("missing-value.conf", ":2: path: expected a value, found ';'");
	bad("stray-brace.conf", ":1: unexpected '}'");
	bad("does-not-exist.conf", ": No such file or directory");
}

int main(void)
{
	RUN(seed_003_vnet_thin);
	RUN(seed_004_vnet_samba);
	RUN(seed_003_loads);
	RUN(seed_004_loads);
	RUN(long_lines);
	RUN(syntax);
	RUN(malformed);
	return T_DONE();
}
