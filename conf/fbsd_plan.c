/* fbsd_plan: what jail(8) would do for one jail, decided in portable code (see fbsd_plan.h). Builds the plan;
 * hooks/fbsd_describe.c prints it and fbsd_args.c turns its items into system-call arguments.
 *
 * Facts followed (usr.sbin/jail: config.c, jail.c, command.c): the parameter list starts with the jail's name
 * and keeps the configuration's order; create_jail puts "persist" in front (and drops a configured false one)
 * so the jail survives until its first process is inside, then clears it; ip4.addr/ip6.addr values lose their
 * "iface|" part, their "/mask" and anything after a blank before they reach the kernel; an address with an
 * interface (its own or `interface`) is also added to that interface, /32 or /128 when no mask is given;
 * list values reach jailparam_import joined by commas; mount points are absolute; mount.devfs mounts devfs on
 * PATH/dev with ruleset=devfs_ruleset (4 when unset), mount.fdescfs on PATH/dev/fd, mount.procfs on PATH/proc. */
#include "fbsd_plan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devfs.h"
#include "fstab.h"
#include "readfile.h"

#define DEFAULT_DEVFS_RULESET 4 /* devfsrules_jail, jail(8)'s default for mount.devfs */

static int oom(char *err, size_t errlen)
{
	return conf_errf(err, errlen, NULL, 0, "out of memory");
}


static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static char *dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* --- parameters ------------------------------------------------------------------------------------------ */

static int add_param(struct fbsd_plan *p, const char *name, const char *value, char *err, size_t errlen)
{
	struct fbsd_param *e = conf_grow(&p->params, &p->nparams, sizeof *e);
	if (!e || !(e->name = strdup(name)) || (value && !(e->value = strdup(value))))
		return oom(err, errlen);
	return 0;
}

/* The kernel's part of an ip4.addr/ip6.addr value: no "iface|", no "/mask", nothing after a blank. */
static char *kernel_addr(const char *v)
{
	const char *bar = strchr(v, '|');
	const char *a = bar ? bar + 1 : v;
	return dupn(a, strcspn(a, "/ \t"));
}

static bool is_addr_param(const char *name)
{
	return strcmp(name, "ip4.addr") == 0 || strcmp(name, "ip6.addr") == 0;
}

/* Appends S to the comma-joined *acc. */
static int join(char **acc, const char *s)
{
	size_t a = *acc ? strlen(*acc) : 0, b = strlen(s);
	char *n = realloc(*acc, a + b + 2);
	if (!n)
		return -1;
	if (a)
		n[a++] = ',';
	memcpy(n + a, s, b + 1);
	*acc = n;
	return 0;
}

/* One configured parameter's value as jailparam_import takes it. *out NULL: no value. */
static int param_value(const struct conf_param *cp, const char *ruleset, char **out, char *err, size_t errlen)
{
	const struct param_def *d = cp->def;
	const struct conf_value *last = &cp->v[cp->n - 1];
	*out = NULL;
	if (strcmp(cp->name, "devfs_ruleset") == 0 && ruleset)
		return (*out = strdup(ruleset)) ? 0 : oom(err, errlen);
	if (d && d->type == PT_BOOL) {
		bool b;
		if (conf_parse_bool(last->text, &b) < 0)
			return conf_errf(err, errlen, last->file, last->line, "%s: bad boolean \"%s\"", cp->name,
					 last->text);
		/* libjail knows only true and false (and numbers). */
		return (*out = strdup(b ? "true" : "false")) ? 0 : oom(err, errlen);
	}
	if (d && !(d->flags & PF_LIST) && !is_addr_param(cp->name))
		return (*out = strdup(last->text)) ? 0 : oom(err, errlen);
	/* A list, or an unknown parameter given several times: comma-joined, as jail(8) does for arrays. */
	for (size_t i = 0; i < cp->n; i++) {
		char *piece = is_addr_param(cp->name) ? kernel_addr(cp->v[i].text) : strdup(cp->v[i].text);
		int rc = piece ? join(out, piece) : -1;
		free(piece);
		if (rc < 0)
			return oom(err, errlen);
	}
	return 0;
}

static bool is_kernel(const struct conf_param *cp)
{
	if (cp->name[0] == '$')
		return false;
	return cp->def == NULL || (cp->def->flags & PF_KERNEL);
}

static const struct conf_param *first_kernel(const struct jail *j)
{
	for (size_t i = 0; i < j->np; i++)
		if (is_kernel(&j->p[i]) && j->p[i].n > 0)
			return &j->p[i];
	return NULL;
}

bool fbsd_wanted(const struct jail *j)
{
	return jail_builds(j, PF_FREEBSD);
}

int fbsd_params_build(const struct jail *j, struct fbsd_plan *p, char *err, size_t errlen)
{
	char rs[16] = "";
	const char *name = jail_get(j, "name");
	if (p->ruleset.number >= 0 && jail_is_set(j, "devfs_ruleset"))
		snprintf(rs, sizeof rs, "%d", p->ruleset.number);
	p->keep_persist = jail_bool(j, "persist");
	/* jail(8): persist first (without a value: true) while warder sets the jail up; the configured one
	 * is then left out, its value decides whether it is cleared afterwards. */
	if (add_param(p, "persist", NULL, err, errlen) < 0)
		return -1;
	if (!name && conf_all_digits(j->name)) {
		if (add_param(p, "jid", j->name, err, errlen) < 0)
			return -1;
	} else if (add_param(p, "name", name ? name : j->name, err, errlen) < 0) {
		return -1;
	}
	for (size_t i = 0; i < j->np; i++) {
		const struct conf_param *cp = &j->p[i];
		char *value;
		if (!is_kernel(cp) || cp->n == 0 || strcmp(cp->name, "persist") == 0 || strcmp(cp->name, "name") == 0)
			continue;
		if (param_value(cp, rs[0] ? rs : NULL, &value, err, errlen) < 0)
			return -1;
		int rc = add_param(p, cp->name, value, err, errlen);
		free(value);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* --- uWSGI's old API and jail-attach ---------------------------------------------------------------------- */

static int add_str(char ***v, size_t *n, const char *s)
{
	char **slot = conf_grow(v, n, sizeof *slot);
	return slot && (*slot = strdup(s)) ? 0 : -1;
}

static int oldjail_build(const struct jail *j, struct fbsd_plan *p, char *err, size_t errlen)
{
	const struct conf_param *cp = jail_param(j, "jail");
	const struct conf_value *v = &cp->v[cp->n - 1];
	const struct conf_param *k = first_kernel(j);
	if (k)
		return conf_errf(err, errlen, k->v[0].file, k->v[0].line,
				 "%s: the old jail(2) API (jail = %s) takes no jail parameters; use jail2 = path=... instead",
				 k->name, v->text);
	char *words[3] = {NULL, NULL, NULL};
	const char *s = v->text;
	for (int w = 0; w < 3; w++) {
		s += strspn(s, " \t");
		size_t len = strcspn(s, " \t");
		if (!len)
			break;
		if (!(words[w] = dupn(s, len))) {
			free(words[0]);
			free(words[1]);
			return oom(err, errlen);
		}
		s += len;
	}
	p->mode = FBSD_OLDAPI;
	p->old.path = words[0];
	p->old.hostname = words[1] ? words[1] : strdup("");
	p->old.name = words[2];
	if (!p->old.path || !p->old.hostname || p->old.path[0] != '/')
		return conf_errf(err, errlen, v->file, v->line,
				 "jail: expected \"/ROOTFS [HOSTNAME [JAILNAME]]\", got \"%s\"", v->text);
	static const struct {
		const char *param;
		int af;
	} ips[] = {{"jail-ip4", AF_INET}, {"jail-ip6", AF_INET6}};
	for (size_t t = 0; t < 2; t++) {
		const struct conf_value *iv;
		size_t n = jail_list(j, ips[t].param, &iv);
		for (size_t i = 0; i < n; i++) {
			unsigned char buf[16];
			if (inet_pton(ips[t].af, iv[i].text, buf) != 1)
				return conf_errf(err, errlen, iv[i].file, iv[i].line, "%s: not an IPv%d address: %s",
						 ips[t].param, t ? 6 : 4, iv[i].text);
			if (add_str(t ? &p->old.ip6 : &p->old.ip4, t ? &p->old.nip6 : &p->old.nip4, iv[i].text) < 0)
				return oom(err, errlen);
		}
	}
	return 0;
}

static int attach_build(const struct jail *j, struct fbsd_plan *p, char *err, size_t errlen)
{
	const struct conf_param *k = first_kernel(j);
	if (k)
		return conf_errf(err, errlen, k->v[0].file, k->v[0].line,
				 "%s: jail-attach joins an existing jail and sets no jail parameters", k->name);
	p->mode = FBSD_ATTACH;
	return (p->attach = strdup(jail_get(j, "jail-attach"))) ? 0 : oom(err, errlen);
}

/* --- mounts ---------------------------------------------------------------------------------------------- */

static int add_mount(struct fbsd_plan *p, const char *fstype, const char *from, const char *to, const char *opts,
		     const char *what)
{
	struct fbsd_mount *m = conf_grow(&p->mounts, &p->nmounts, sizeof *m);
	if (!m)
		return -1;
	m->what = what;
	m->fstype = strdup(fstype);
	m->from = strdup(from);
	m->to = strdup(to);
	m->opts = dup0(opts);
	return m->fstype && m->from && m->to && (m->opts || !opts) ? 0 : -1;
}

int fbsd_mount_line(struct fbsd_plan *p, const char *line, const char *what, const char *file, int lineno, char *err,
		    size_t errlen)
{
	struct fstab_entry e;
	int rc = fstab_parse_line(file, lineno, line, &e, err, errlen);
	if (rc <= 0)
		return rc;
	if (e.mountpoint[0] != '/')
		rc = conf_errf(err, errlen, file, lineno, "%s: %s: not an absolute pathname", what, e.mountpoint);
	else if (!e.noauto &&
		 add_mount(p, e.fstype, e.device, e.mountpoint, e.options && e.options[0] ? e.options : NULL, what) < 0)
		rc = oom(err, errlen);
	else
		rc = 0;
	fstab_entry_free(&e);
	return rc;
}

int fbsd_mount_text(struct fbsd_plan *p, const char *text, const char *name, char *err, size_t errlen)
{
	int lineno = 0;
	for (const char *s = text; *s;) {
		size_t len = strcspn(s, "\n");
		char *line = dupn(s, len);
		if (!line)
			return oom(err, errlen);
		int rc = fbsd_mount_line(p, line, "mount.fstab", name, ++lineno, err, errlen);
		free(line);
		if (rc < 0)
			return -1;
		s += len + (s[len] == '\n');
	}
	return 0;
}

static char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	while (la > 1 && a[la - 1] == '/')
		la--;
	char *s = malloc(la + strlen(b) + 1);
	if (s) {
		memcpy(s, a, la);
		strcpy(s + la, b);
	}
	return s;
}

/* mount.devfs, mount.fdescfs, mount.procfs: on the jail's path, after the fstab entries. */
static int pseudo_mounts(const struct jail *j, struct fbsd_plan *p, char *err, size_t errlen)
{
	static const struct {
		const char *param, *fstype, *sub;
	} fs[] = {
		{"mount.devfs", "devfs", "/dev"},
		{"mount.fdescfs", "fdescfs", "/dev/fd"},
		{"mount.procfs", "procfs", "/proc"},
	};
	for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++) {
		if (!jail_bool(j, fs[i].param))
			continue;
		if (!p->path) {
			const struct conf_param *cp = jail_param(j, fs[i].param);
			return conf_errf(err, errlen, cp ? cp->v[0].file : j->file, cp ? cp->v[0].line : j->line,
					 "%s: the jail has no path to mount on", fs[i].param);
		}
		char opts[32] = "", *to = path_join(p->path, fs[i].sub);
		if (i == 0)
			snprintf(opts, sizeof opts, "ruleset=%d", p->ruleset.number);
		int rc = to ? add_mount(p, fs[i].fstype, fs[i].fstype, to, opts[0] ? opts : NULL, fs[i].param) : -1;
		free(to);
		if (rc < 0)
			return oom(err, errlen);
	}
	return 0;
}

static int mounts_build(const struct jail *j, struct fbsd_plan *p, bool lenient, char **note, char *err, size_t errlen)
{
	const struct conf_value *v;
	size_t n = jail_list(j, "mount", &v);
	for (size_t i = 0; i < n; i++)
		if (fbsd_mount_line(p, v[i].text, "mount", v[i].file, v[i].line, err, errlen) < 0)
			return -1;
	n = jail_list(j, "mount.fstab", &v);
	for (size_t i = 0; i < n; i++) {
		char *text = NULL;
		int e = readfile(v[i].text, &text, NULL) < 0 ? errno : 0;
		if (!text && lenient && e != ENOMEM) {
			/* `warder check --os freebsd` on a host without the file: name it, go on. */
			char buf[512];
			snprintf(buf, sizeof buf, "mount -a -F %s (not readable here: %s)", v[i].text, strerror(e));
			free(*note);
			if (!(*note = strdup(buf)))
				return oom(err, errlen);
			continue;
		}
		if (!text)
			return conf_errf(err, errlen, v[i].file, v[i].line, "mount.fstab: %s: %s", v[i].text,
					 strerror(e));
		int rc = fbsd_mount_text(p, text, v[i].text, err, errlen);
		free(text);
		if (rc < 0)
			return -1;
	}
	return pseudo_mounts(j, p, err, errlen);
}

int fbsd_path_check(const char *jailpath, const char *to, char *err, size_t errlen)
{
	if (to[0] != '/')
		return conf_errf(err, errlen, NULL, 0, "%s: not an absolute pathname", to);
	size_t plen = jailpath ? strlen(jailpath) : 0;
	while (plen > 1 && jailpath[plen - 1] == '/')
		plen--;
	/* Only components below the jail's path matter: that is what the jail's root can change. */
	if (!jailpath || strncmp(to, jailpath, plen) != 0 || (to[plen] != '/' && to[plen] != '\0'))
		return 0;
	char *t = strdup(to);
	if (!t)
		return oom(err, errlen);
	int rc = 0;
	for (char *s = t + plen; s && *s;) {
		char *slash = strchr(s + 1, '/');
		if (slash)
			*slash = '\0';
		struct stat st;
		if (lstat(t, &st) < 0) {
			rc = conf_errf(err, errlen, NULL, 0, "%s: %s", t, strerror(errno));
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			rc = conf_errf(err, errlen, NULL, 0, "%s is a symbolic link", t);
			break;
		}
		if (!slash)
			break;
		*slash = '/';
		s = slash;
		if (s[1] == '\0')
			break;
	}
	free(t);
	return rc;
}

/* --- addresses and interfaces ---------------------------------------------------------------------------- */

static int mask_prefix(int af, const char *m)
{
	char *end;
	unsigned char b[16];
	if (conf_all_digits(m)) {
		long n = strtol(m, &end, 10);
		return n <= (af == 4 ? 32 : 128) ? (int)n : -1;
	}
	if (af != 4 || inet_pton(AF_INET, m, b) != 1)
		return -1;
	uint32_t x = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	int n = 0;
	while (n < 32 && (x & (1u << (31 - n))))
		n++;
	/* A netmask must be contiguous ones. */
	return n == 32 || (x << n) == 0 ? n : -1;
}

int fbsd_addr_parse(int af, const char *s, char **addr, int *prefix)
{
	unsigned char buf[16];
	size_t len = strcspn(s, "/");
	char *a = dupn(s, len);
	*addr = NULL;
	if (!a)
		return -1;
	if (inet_pton(af == 4 ? AF_INET : AF_INET6, a, buf) != 1) {
		free(a);
		return -1;
	}
	*prefix = s[len] ? mask_prefix(af, s + len + 1) : (af == 4 ? 32 : 128);
	if (*prefix < 0) {
		free(a);
		return -1;
	}
	*addr = a;
	return 0;
}

/* An interface name as the kernel takes it: IFNAMSIZ-1 characters at most (struct ifreq cuts a longer one to
 * another interface's name), no blank or comma (a list written on one line, say). */
static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < FBSD_IFNAMSIZ && !s[strcspn(s, " \t,")];
}

static int aliases_build(const struct jail *j, struct fbsd_plan *p, char *err, size_t errlen)
{
	const char *iface = jail_get(j, "interface");
	for (int af = 4; af <= 6; af += 2) {
		const struct conf_value *v;
		size_t n = jail_list(j, af == 4 ? "ip4.addr" : "ip6.addr", &v);
		for (size_t i = 0; i < n; i++) {
			const char *bar = strchr(v[i].text, '|'), *a = bar ? bar + 1 : v[i].text;
			char *addr;
			int prefix;
			if (a[strcspn(a, " \t")])
				return conf_errf(err, errlen, v[i].file, v[i].line,
						 "ip%d.addr: ifconfig options after the address are not supported: %s",
						 af, a);
			if (fbsd_addr_parse(af, a, &addr, &prefix) < 0)
				return conf_errf(err, errlen, v[i].file, v[i].line, "ip%d.addr: bad address \"%s\"", af,
						 a);
			if (!bar && !iface) {
				free(addr);
				continue;
			}
			struct fbsd_alias *al = conf_grow(&p->aliases, &p->naliases, sizeof *al);
			if (!al) {
				free(addr);
				return oom(err, errlen);
			}
			al->af = af;
			al->addr = addr;
			al->prefix = prefix;
			al->iface = bar ? dupn(v[i].text, (size_t)(bar - v[i].text)) : strdup(iface);
			if (!al->iface)
				return oom(err, errlen);
			if (!ifname_ok(al->iface))
				return conf_errf(err, errlen, v[i].file, v[i].line,
						 "ip%d.addr: \"%s\": not an interface name (1 to %d characters, no blanks or commas)",
						 af, al->iface, FBSD_IFNAMSIZ - 1);
		}
	}
	const struct conf_value *v;
	size_t n = jail_list(j, "vnet.interface", &v);
	for (size_t i = 0; i < n; i++) {
		if (!ifname_ok(v[i].text))
			return conf_errf(err, errlen, v[i].file, v[i].line,
					 "vnet.interface: \"%s\": not an interface name (1 to %d characters, no blanks or commas)",
					 v[i].text, FBSD_IFNAMSIZ - 1);
		if (add_str(&p->vnet_ifs, &p->nvnet, v[i].text) < 0)
			return oom(err, errlen);
	}
	return 0;
}

/* --- devfs ruleset --------------------------------------------------------------------------------------- */

int fbsd_ruleset_lookup(const char *text, const char *name)
{
	size_t nl = strlen(name);
	for (const char *s = text; s && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL) {
		s += strspn(s, " \t");
		/* a header is "[name=N]" at the start of a line (devfs.rules(5)) */
		if (*s == '[' && strncmp(s + 1, name, nl) == 0 && s[1 + nl] == '=') {
			char *end;
			long n = strtol(s + 2 + nl, &end, 10);
			if (end != s + 2 + nl && *end == ']' && n > 0 && n <= 65535)
				return (int)n;
		}
	}
	return -1;
}

int fbsd_ruleset_resolve(const struct jail *j, struct fbsd_ruleset *out, char *err, size_t errlen)
{
	const struct conf_param *cp = jail_param(j, "devfs_ruleset");
	const char *spec = cp ? cp->v[cp->n - 1].text : NULL;
	memset(out, 0, sizeof *out);
	out->number = -1;
	if (!spec && !jail_bool(j, "mount.devfs"))
		return 0;
	struct devfs_rules r = {0};
	int rc = devfs_rules_load_defaults(&r, err, errlen);
	bool named = jail_is_set(j, "devfs.rules");
	const char *file = named ? jail_get(j, "devfs.rules") : NULL;
	if (rc == 0 && file && access(file, F_OK) < 0 && spec && conf_all_digits(spec)) {
		/* Not on this host (a FreeBSD path under `warder check` on Linux): the number still decides;
		 * loading it at run time reads the file then, and fails there if it is still missing. */
		out->number = atoi(spec);
		out->load = true;
		devfs_rules_free(&r);
		return (out->file = strdup(file)) ? 0 : oom(err, errlen);
	}
	if (rc == 0 && file)
		rc = devfs_rules_load(&r, file, err, errlen);
	if (rc == 0) {
		char num[16];
		if (!spec)
			snprintf(num, sizeof num, "%d", DEFAULT_DEVFS_RULESET);
		const char *what = spec ? spec : num;
		const struct devfs_ruleset *set = devfs_ruleset_find(&r, what);
		if (set) {
			out->number = set->number;
			out->name = dup0(set->name);
			/* Only a ruleset defined in the file the config names is warder's to load. */
			out->load = file && set->file && strcmp(set->file, DEVFS_DEFAULT_NAME) != 0;
			out->file = out->load ? dup0(file) : NULL;
		} else if (conf_all_digits(what)) {
			out->number = atoi(what); /* the kernel must have it */
		} else {
			rc = conf_errf(err, errlen, cp->v[cp->n - 1].file, cp->v[cp->n - 1].line,
				       "devfs_ruleset: no ruleset named \"%s\" in %s%s", what,
				       file ? file : "the default rulesets", file ? "" : " (set devfs.rules = FILE)");
		}
	}
	devfs_rules_free(&r);
	return rc;
}

/* --- resource limits ------------------------------------------------------------------------------------- */

/* The table accepts both systems' names; a Linux-only one (msgqueue, rtprio, ...) cannot be set here. */
static int rlimits_build(const struct jail *j, struct fbsd_plan *p, char *err, size_t errlen)
{
	for (size_t i = 0; i < j->np; i++) {
		const struct conf_param *cp = &j->p[i];
		if (strncmp(cp->name, "rlimit.", 7) != 0 || cp->n == 0)
			continue;
		const struct conf_value *v = &cp->v[cp->n - 1];
		if (!(param_rlimit_platforms(cp->name + 7) & PF_FREEBSD))
			return conf_errf(err, errlen, v->file, v->line, "%s: not a FreeBSD resource limit", cp->name);
		struct fbsd_param *r = conf_grow(&p->rlimits, &p->nrlimits, sizeof *r);
		if (!r || !(r->name = strdup(cp->name + 7)) || !(r->value = strdup(v->text)))
			return oom(err, errlen);
	}
	return 0;
}

/* --- the whole plan -------------------------------------------------------------------------------------- */

static int fbsd_build(const struct jail *j, struct fbsd_plan *p, bool lenient, char **note, char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	p->fib = -1;
	p->ruleset.number = -1;
	if (!(p->name = strdup(j->name)))
		return oom(err, errlen);
	if (jail_is_set(j, "path") && !(p->path = strdup(jail_get(j, "path"))))
		return oom(err, errlen);
	if (jail_is_set(j, "jail") && jail_is_set(j, "jail-attach")) {
		const struct conf_param *cp = jail_param(j, "jail-attach");
		return conf_errf(err, errlen, cp->v[0].file, cp->v[0].line,
				 "jail-attach: joins an existing jail, but jail = ... creates one: use one of them");
	}
	if (jail_is_set(j, "jail") && !p->path &&
	    !(p->path = strndup(jail_get(j, "jail"), strcspn(jail_get(j, "jail"), " \t"))))
		return oom(err, errlen);
	if (fbsd_ruleset_resolve(j, &p->ruleset, err, errlen) < 0)
		return -1;
	int rc = jail_is_set(j, "jail")          ? oldjail_build(j, p, err, errlen)
		 : jail_is_set(j, "jail-attach") ? attach_build(j, p, err, errlen)
						 : fbsd_params_build(j, p, err, errlen);
	if (rc < 0 || mounts_build(j, p, lenient, note, err, errlen) < 0 || aliases_build(j, p, err, errlen) < 0)
		return -1;
	if (jail_is_set(j, "exec.fib"))
		p->fib = (int)jail_int(j, "exec.fib");
	if (rlimits_build(j, p, err, errlen) < 0)
		return -1;
	if ((jail_is_set(j, "jidfile") && !(p->jidfile = strdup(jail_get(j, "jidfile")))) ||
	    (jail_is_set(j, "user") && !(p->user = strdup(jail_get(j, "user")))) ||
	    (jail_is_set(j, "group") && !(p->group = strdup(jail_get(j, "group")))))
		return oom(err, errlen);
	return 0;
}

int fbsd_plan_build(const struct jail *j, struct fbsd_plan *out, char *err, size_t errlen)
{
	int rc = fbsd_build(j, out, false, NULL, err, errlen);
	if (rc < 0) {
		fbsd_plan_free(out);
		memset(out, 0, sizeof *out);
	}
	return rc;
}

int fbsd_plan_lenient(const struct jail *j, struct fbsd_plan *out, char **note, char *err, size_t errlen)
{
	*note = NULL;
	int rc = fbsd_build(j, out, true, note, err, errlen);
	if (rc < 0) {
		fbsd_plan_free(out);
		memset(out, 0, sizeof *out);
		free(*note);
		*note = NULL;
	}
	return rc;
}

int fbsd_plan_verify(const struct jail *j, char *err, size_t errlen)
{
	struct fbsd_plan p;
	char *note;
	int rc = fbsd_plan_lenient(j, &p, &note, err, errlen);
	fbsd_plan_free(&p);
	free(note);
	return rc;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Kernel parameters and rlimits: both name = value pairs. */
static void free_pairs(struct fbsd_param *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

void fbsd_plan_free(struct fbsd_plan *p)
{
	free_pairs(p->params, p->nparams);
	free_pairs(p->rlimits, p->nrlimits);
	for (size_t i = 0; i < p->nmounts; i++) {
		free(p->mounts[i].fstype);
		free(p->mounts[i].from);
		free(p->mounts[i].to);
		free(p->mounts[i].opts);
	}
	for (size_t i = 0; i < p->naliases; i++) {
		free(p->aliases[i].iface);
		free(p->aliases[i].addr);
	}
	free(p->mounts);
	free(p->aliases);
	free_strv(p->vnet_ifs, p->nvnet);
	free_strv(p->old.ip4, p->old.nip4);
	free_strv(p->old.ip6, p->old.nip6);
	free(p->old.path);
	free(p->old.hostname);
	free(p->old.name);
	free(p->name);
	free(p->path);
	free(p->attach);
	free(p->jidfile);
	free(p->ruleset.name);
	free(p->ruleset.file);
	free(p->user);
	free(p->group);
	memset(p, 0, sizeof *p);
}
