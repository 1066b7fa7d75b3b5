/* jailconf_ini: the model jailconf.c reads, written out as warder's INI (see jailconf.h for what is written and
 * why), and the two entry points of `warder import-jailconf`. */
#include "jailconf.h"

#include "conf.h"
#include "jailconf_model.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* jail(8)'s internal (non-kernel) parameters: never handed to jail_set, so never passed through. */
static const char *const internal_params[] = {
	"allow.dying",
	"command",
	"depend",
	"exec.clean",
	"exec.consolelog",
	"exec.fib",
	"exec.jail_user",
	"exec.poststart",
	"exec.poststop",
	"exec.prepare",
	"exec.prestart",
	"exec.prestop",
	"exec.release",
	"exec.created",
	"exec.start",
	"exec.stop",
	"exec.system_jail_user",
	"exec.system_user",
	"exec.timeout",
	"interface",
	"ip_hostname",
	"mount",
	"mount.devfs",
	"mount.fdescfs",
	"mount.procfs",
	"mount.fstab",
	"stop.timeout",
	"vnet.interface",
};

/* Kernel parameters of the jailsys kind: a bare `ip4;` means "new" (libjail's empty value). */
static const char *const jailsys_params[] = {"ip4", "ip6", "sysvmsg", "sysvsem", "sysvshm"};

static bool in_list(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}
#define IN(list, name) in_list(list, sizeof list / sizeof list[0], name)

/* "allow.nomount" -> "allow.mount", "nopersist" -> "persist"; NULL when NAME has no "no" prefix. */
static char *strip_no(const char *name)
{
	const char *last = strrchr(name, '.');
	last = last ? last + 1 : name;
	if (strncmp(last, "no", 2) != 0 || !last[2])
		return NULL;
	char *s = malloc(strlen(name) - 1);
	if (s) {
		memcpy(s, name, (size_t)(last - name));
		strcpy(s + (last - name), last + 2);
	}
	return s;
}

static bool same_param(const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return true;
	char *sa = strip_no(a), *sb = strip_no(b);
	bool same = (sa && strcmp(sa, sb ? sb : b) == 0) || (sb && strcmp(sb, a) == 0);
	free(sa);
	free(sb);
	return same;
}

/* jail(8) drops what a later plain assignment of the same parameter in the same block replaces. */
static void drop_replaced(struct jc_section *s)
{
	for (size_t i = s->n; i-- > 0;) {
		if (s->st[i].dropped || s->st[i].op == '+')
			continue;
		for (size_t k = 0; k < i; k++)
			if (same_param(s->st[k].name, s->st[i].name))
				s->st[k].dropped = true;
	}
}

struct out {
	struct jc_buf b;
	char *err;
	size_t errlen;
};

static int emit(struct out *o, const struct jc_stmt *st, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int emit(struct out *o, const struct jc_stmt *st, const char *fmt, ...)
{
	char *line;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		return conf_errf(o->err, o->errlen, "-", 0, "out of memory");
	int rc = 0;
	if (n > CONF_LINE_MAX)
		rc = conf_errf(o->err, o->errlen, st ? st->file : "-", st ? st->line : 0,
			       "%s: the INI line would be %d bytes long; warder reads lines up to %d",
			       st ? st->name : "section", n, CONF_LINE_MAX);
	for (int i = 0; rc == 0 && i <= n; i++)
		if (jc_bput(&o->b, i < n ? line[i] : '\n') < 0)
			rc = conf_errf(o->err, o->errlen, "-", 0, "out of memory");
	free(line);
	return rc;
}

/* V as an INI value that reads back as the same text with the same expansion, appended to DST. */
static int ini_value(struct out *o, const struct jc_stmt *st, const struct jc_val *v, struct jc_buf *dst)
{
	const char *t = v->text;
	size_t n = strlen(t);
	if (strpbrk(t, "\n\r"))
		return conf_errf(o->err, o->errlen, st->file, st->line,
				 "%s: a value that spans lines cannot be written in INI", st->name);
	for (const char *sc = strchr(t, ';'); sc; sc = strchr(sc + 1, ';'))
		if (sc > t && (sc[-1] == ' ' || sc[-1] == '\t'))
			return conf_errf(o->err, o->errlen, st->file, st->line,
					 "%s: \" ;\" in a value would start an INI comment", st->name);
	if (v->lit_dollar && v->has_var)
		return conf_errf(o->err, o->errlen, st->file, st->line,
				 "%s: a value mixing a literal '$' with variables cannot be written in INI", st->name);
	bool literal = v->lit_dollar && strchr(t, '$');
	bool quote = !n || jc_blank(t[0]) || jc_blank(t[n - 1]) || strchr("\"';#", t[0]);
	char q = literal ? '\'' : quote ? '"' : 0;
	int rc = q ? jc_bput(dst, q) : 0;
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = jc_bput(dst, t[i]);
	if (rc == 0 && q)
		rc = jc_bput(dst, q);
	return rc < 0 ? conf_errf(o->err, o->errlen, st->file, st->line, "out of memory") : 0;
}

static int emit_values(struct out *o, const struct jc_stmt *st, const char *key, int op, bool list, bool join)
{
	struct jc_buf acc = {0};
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < st->nv; i++) {
		if (join && i > 0 && jc_bput(&acc, ',') < 0) {
			rc = conf_errf(o->err, o->errlen, st->file, st->line, "out of memory");
			break;
		}
		if (!join && !list && i + 1 < st->nv)
			continue; /* a scalar keeps its last value, as jail(8) does */
		if (!join && acc.s)
			acc.s[acc.n = 0] = '\0';
		if (ini_value(o, st, &st->v[i], &acc) < 0) {
			rc = -1;
			break;
		}
		if (!join)
			rc = emit(o, st, "%s %s %s", key, list && (i > 0 || op == '+') ? "+=" : "=", acc.s);
	}
	if (rc == 0 && join && strncmp(key, "jail2", 5) == 0)
		rc = emit(o, st, "jail2 = %s=%s", st->name, acc.s ? acc.s : "");
	else if (rc == 0 && join)
		rc = emit(o, st, "%s %s %s", key, op == '+' ? "+=" : "=", acc.s ? acc.s : "");
	free(acc.s);
	return rc;
}

static int emit_bare(struct out *o, const struct jc_stmt *st, const struct param_def *d, const char *name, bool value)
{
	if (d && d->type == PT_BOOL)
		return emit(o, st, "%s = %s", name, value ? "true" : "false");
	if (strcmp(name, "vnet") == 0 || IN(jailsys_params, name))
		return emit(o, st, "%s = %s", name, value ? "new" : "disable");
	if (!d)
		return emit(o, st, "jail2 = %s", st->name);
	return conf_errf(o->err, o->errlen, st->file, st->line, "%s: needs a value", name);
}

static int emit_stmt(struct out *o, const struct jc_stmt *st)
{
	if (st->name[0] == '$') {
		if (st->op != '=' || st->nv != 1)
			return conf_errf(o->err, o->errlen, st->file, st->line,
					 "%s: a variable takes exactly one value (warder has no list variables)",
					 st->name);
		return emit_values(o, st, st->name, '=', false, false);
	}
	if (strpbrk(st->name, " \t=[];#") || !st->name[0])
		return conf_errf(o->err, o->errlen, st->file, st->line, "\"%s\": not a parameter name", st->name);
	const struct param_def *d = param_find(st->name);
	if (!d) {
		char *base = strip_no(st->name);
		const struct param_def *bd = base ? param_find(base) : NULL;
		if (bd && bd->type == PT_BOOL && st->op == 0) {
			int rc = emit_bare(o, st, bd, base, false);
			free(base);
			return rc;
		}
		free(base);
	}
	if (!d && IN(internal_params, st->name))
		return conf_errf(o->err, o->errlen, st->file, st->line,
				 "%s: this jail(8) parameter is not supported by warder", st->name);
	if (st->op == 0)
		return emit_bare(o, st, d, st->name, true);
	if (!d)
		return emit_values(o, st, "jail2", st->op, false, true);
	return emit_values(o, st, st->name, st->op, d->flags & PF_LIST, false);
}

static int write_ini(struct jc_model *m, char **out, char *err, size_t errlen)
{
	struct out o = {.err = err, .errlen = errlen};
	int rc = emit(&o, NULL, "; converted from %s by warder import-jailconf", m->top);
	for (size_t i = 0; i < m->nsec && rc == 0; i++) {
		struct jc_section *s = &m->sec[i];
		if (s->n == 0 && strcmp(s->name, "*") == 0)
			continue;
		drop_replaced(s);
		if (strcmp(s->file, m->top) != 0)
			rc = emit(&o, NULL, "; from %s", s->file);
		if (rc == 0)
			rc = emit(&o, NULL, "[%s]", s->name);
		for (size_t k = 0; k < s->n && rc == 0; k++)
			if (!s->st[k].dropped)
				rc = emit_stmt(&o, &s->st[k]);
	}
	if (rc < 0) {
		free(o.b.s);
		return -1;
	}
	*out = o.b.s;
	return 0;
}

static int convert(const char *name, const char *text, const char *root, char **out, char *err, size_t errlen)
{
	struct jc_model m = {.root = root, .top = name};
	int rc = jailconf_parse(&m, name, text, err, errlen);
	if (rc == 0) {
		m.top = m.files[0];
		rc = write_ini(&m, out, err, errlen);
	}
	jailconf_model_free(&m);
	return rc;
}

int jailconf_to_ini(const char *path, const char *root, char **out, char *err, size_t errlen)
{
	return convert(path, NULL, root, out, err, errlen);
}

int jailconf_string_to_ini(const char *name, const char *text, const char *dir, const char *root, char **out, char *err,
			   size_t errlen)
{
	/* Relative includes resolve against the directory of NAME: give NAME that directory. */
	char full[4096];
	if (dir && name[0] != '/')
		snprintf(full, sizeof full, "%s/%s", dir, name);
	else
		snprintf(full, sizeof full, "%s", name);
	return convert(full, text, root, out, err, errlen);
}
