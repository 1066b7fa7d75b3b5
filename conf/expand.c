/* expand: one jail from the entries, as jail(8) builds it. [*] and the jail's own section are merged in file
 * order first (a list's "=" replaces what another section gave, "+=" and repeats append; a scalar's later
 * value wins); only then are variables resolved, per jail, against the merged whole: so [*] may use a variable
 * each jail defines, $name / ${name} is the jail's name, ${param} is a parameter's value, variables may use
 * variables, and $$ is a '$'. Parameters are expanded eagerly, variables when used. Then every value is
 * validated against the table and normalised. */
#include "conf_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

struct mp { /* a parameter or variable of this jail, merged */
	const struct param_def *def;
	const char *name;
	bool var;
	const struct entry **e;
	size_t ne;
	int state; /* 0 not expanded, 1 being expanded, 2 done */
	char **out;
	const struct entry **oe; /* the entry each out value came from */
	size_t nout;
};

struct ctx {
	const char *jail;
	size_t section; /* the jail's own section in raw_conf */
	struct mp *p;
	size_t np;
	const struct mp *stack[MAX_DEPTH];
	size_t depth;
	char *err;
	size_t errlen;
};

struct buf {
	char *p;
	size_t n, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->n + n + 1) * 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

static int oom(struct ctx *x, const struct entry *e)
{
	return conf_errf(x->err, x->errlen, e->file, e->line, "out of memory");
}

static struct mp *mp_find(struct ctx *x, const char *name)
{
	for (size_t i = 0; i < x->np; i++)
		if (strcmp(x->p[i].name, name) == 0)
			return &x->p[i];
	return NULL;
}

static int mp_push_entry(struct mp *m, const struct entry *e)
{
	const struct entry **n = realloc(m->e, (m->ne + 1) * sizeof *n);
	if (!n)
		return -1;
	m->e = n;
	n[m->ne++] = e;
	return 0;
}

/* Apply one entry to the merged set. */
static int merge_entry(struct ctx *x, const struct entry *e)
{
	struct mp *m = mp_find(x, e->name);
	if (!m) {
		struct mp *n = realloc(x->p, (x->np + 1) * sizeof *n);
		if (!n)
			return oom(x, e);
		x->p = n;
		m = &n[x->np++];
		*m = (struct mp){.def = e->def, .name = e->name, .var = e->name[0] == '$'};
	}
	bool list = m->def && (m->def->flags & PF_LIST);
	const struct entry *last = m->ne ? m->e[m->ne - 1] : NULL;
	/* A list's "=" replaces the whole list, as jail.conf's does, unless it repeats the "=" just before it in
	 * the same section (a repeated key appends, uWSGI's habit): so "=" after another section's value or after
	 * a "+=" starts afresh. */
	if (!list || (!e->append && last && (last->section != e->section || last->append)))
		m->ne = 0;
	return mp_push_entry(m, e) < 0 ? oom(x, e) : 0;
}

static int mp_emit(struct mp *m, const struct entry *e, const char *prefix, const char *s, size_t n)
{
	size_t lp = prefix ? strlen(prefix) : 0;
	char *v = malloc(lp + n + 1);
	char **o = realloc(m->out, (m->nout + 1) * sizeof *o);
	if (o)
		m->out = o;
	const struct entry **oe = realloc(m->oe, (m->nout + 1) * sizeof *oe);
	if (oe)
		m->oe = oe;
	if (!v || !o || !oe) {
		free(v);
		return -1;
	}
	if (lp)
		memcpy(v, prefix, lp);
	memcpy(v + lp, s, n);
	v[lp + n] = '\0';
	m->out[m->nout] = v;
	m->oe[m->nout++] = e;
	return 0;
}

static int expand_mp(struct ctx *x, struct mp *m);

/* The values NAME stands for in this jail: a variable, a parameter (expanded first), the jail's name, or a
 * parameter's default. */
static int resolve(struct ctx *x, const struct entry *e, const char *name, const char *const **vals, size_t *n)
{
	char vname[160];
	snprintf(vname, sizeof vname, "$%s", name);
	struct mp *m = mp_find(x, vname);
	if (!m)
		m = mp_find(x, name);
	if (m) {
		if (m->state == 1) {
			char chain[512] = "";
			size_t i = x->depth;
			while (i > 0 && x->stack[i - 1] != m)
				i--;
			for (i = i ? i - 1 : 0; i < x->depth; i++)
				snprintf(chain + strlen(chain), sizeof chain - strlen(chain), "%s%s -> ",
					 x->stack[i]->var ? "" : "$", x->stack[i]->name);
			return conf_errf(x->err, x->errlen, e->file, e->line, "variable loop: %s%s%s", chain,
					 m->var ? "" : "$", m->name);
		}
		if (expand_mp(x, m) < 0)
			return -1;
		*vals = (const char *const *)m->out;
		*n = m->nout;
		return 0;
	}
	if (strcmp(name, "name") == 0) {
		*vals = &x->jail;
		*n = 1;
		return 0;
	}
	const struct param_def *d = param_find(name);
	if (d && d->dflt) {
		*vals = &d->dflt;
		*n = 1;
		return 0;
	}
	return conf_errf(x->err, x->errlen, e->file, e->line, "unknown variable $%s", name);
}

/* The name of the reference at s[i] == '$' into name; sets *end past it. 0: not a reference ("$$", "$1"). */
static int ref_name(struct ctx *x, const struct entry *e, const char *s, size_t i, char *name, size_t len, size_t *end)
{
	size_t a, b;
	if (s[i + 1] == '{') {
		const char *close = strchr(s + i + 2, '}');
		if (!close)
			return conf_errf(x->err, x->errlen, e->file, e->line, "unterminated ${ in value");
		a = i + 2;
		b = (size_t)(close - s);
		*end = b + 1;
	} else if (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '_') {
		a = i + 1;
		for (b = a; isalnum((unsigned char)s[b]) || s[b] == '_'; b++)
			;
		*end = b;
	} else {
		return 0;
	}
	if (b == a || b - a >= len)
		return conf_errf(x->err, x->errlen, e->file, e->line, "bad variable reference \"%.*s\"",
				 (int)(*end - i), s + i);
	memcpy(name, s + a, b - a);
	name[b - a] = '\0';
	return 1;
}

/* Expand S (the value of entry E, without its quotes) into M's values. */
static int expand_text(struct ctx *x, struct mp *m, const struct entry *e, const char *s)
{
	struct buf b = {0};
	size_t i = 0, len = strlen(s);
	int rc = 0;
	while (rc == 0 && i < len) {
		char name[128];
		size_t end = len;
		const char *const *vals = NULL;
		size_t n = 0;
		if (s[i] != '$') {
			size_t run = strcspn(s + i, "$");
			rc = buf_add(&b, s + i, run) < 0 ? oom(x, e) : 0;
			i += run;
			continue;
		}
		if (s[i + 1] == '$') {
			rc = buf_add(&b, "$", 1) < 0 ? oom(x, e) : 0;
			i += 2;
			continue;
		}
		int r = ref_name(x, e, s, i, name, sizeof name, &end);
		if (r <= 0) {
			rc = r < 0 ? -1 : (buf_add(&b, "$", 1) < 0 ? oom(x, e) : 0);
			i++;
			continue;
		}
		if (resolve(x, e, name, &vals, &n) < 0) {
			rc = -1;
		} else if (n > 1 && i == 0 && end == len) {
			for (size_t k = 0; rc == 0 && k < n; k++) /* a whole-value reference to a list: every value */
				rc = mp_emit(m, e, e->prefix, vals[k], strlen(vals[k])) < 0 ? oom(x, e) : 0;
			free(b.p);
			return rc;
		} else if (n > 1) {
			rc = conf_errf(x->err, x->errlen, e->file, e->line, "array cannot be substituted inline: $%s",
				       name);
		} else {
			rc = buf_add(&b, vals[0], strlen(vals[0])) < 0 ? oom(x, e) : 0;
		}
		i = end;
	}
	if (rc == 0)
		rc = mp_emit(m, e, e->prefix, b.p ? b.p : "", b.n) < 0 ? oom(x, e) : 0;
	free(b.p);
	return rc;
}

static int expand_entry(struct ctx *x, struct mp *m, const struct entry *e)
{
	int q = conf_quote(e->raw);
	size_t n = strlen(e->raw);
	if (q == '\'')
		return mp_emit(m, e, e->prefix, e->raw + 1, n - 2) < 0 ? oom(x, e) : 0;
	if (q == 0)
		return expand_text(x, m, e, e->raw);
	char *inner = strndup(e->raw + 1, n - 2);
	if (!inner)
		return oom(x, e);
	int rc = expand_text(x, m, e, inner);
	free(inner);
	return rc;
}

static int expand_mp(struct ctx *x, struct mp *m)
{
	if (m->state == 2)
		return 0;
	if (x->depth == MAX_DEPTH)
		return conf_errf(x->err, x->errlen, m->e[0]->file, m->e[0]->line, "variables nested deeper than %d",
				 MAX_DEPTH);
	m->state = 1;
	x->stack[x->depth++] = m;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < m->ne; i++)
		rc = expand_entry(x, m, m->e[i]);
	x->depth--;
	m->state = 2;
	return rc;
}

/* Move M's expanded values into a jail parameter, validating and normalising each. */
static int to_param(struct ctx *x, struct mp *m, struct conf_param *p)
{
	char why[512];
	*p = (struct conf_param){.def = m->def, .name = strdup(m->name), .v = calloc(m->nout, sizeof *p->v)};
	if (!p->name || !p->v)
		return oom(x, m->e[0]);
	for (size_t i = 0; i < m->nout; i++) {
		const struct entry *e = m->oe[i];
		p->v[i] = (struct conf_value){.text = m->out[i],
					      .file = e->file,
					      .line = e->line,
					      .inherited = e->section != x->section};
		m->out[i] = NULL;
		p->n++;
		if (m->def && param_check(m->def, m->name, &p->v[i].text, why, sizeof why) < 0)
			return conf_errf(x->err, x->errlen, e->file, e->line, "%s", why);
	}
	return 0;
}

static void ctx_free(struct ctx *x)
{
	for (size_t i = 0; i < x->np; i++) {
		for (size_t k = 0; k < x->p[i].nout; k++)
			free(x->p[i].out[k]);
		free(x->p[i].out);
		free(x->p[i].oe);
		free(x->p[i].e);
	}
	free(x->p);
}

static int build(struct ctx *x, const struct raw_conf *raw, const struct raw_index *ix, size_t s, struct jail *j)
{
	/* [*]'s entries and the section's, merged in file order */
	size_t a = ix->off[s], ae = ix->off[s + 1], b = 0, be = 0;
	if (ix->star >= 0 && (size_t)ix->star != s)
		b = ix->off[ix->star], be = ix->off[ix->star + 1];
	while (a < ae || b < be) {
		size_t i = b >= be || (a < ae && ix->bysec[a] < ix->bysec[b]) ? ix->bysec[a++] : ix->bysec[b++];
		if (merge_entry(x, &raw->ent[i]) < 0)
			return -1;
	}
	size_t nparams = 0;
	for (size_t i = 0; i < x->np; i++) {
		if (x->p[i].var)
			continue;
		nparams++;
		if (expand_mp(x, &x->p[i]) < 0)
			return -1;
	}
	if (!(j->p = calloc(nparams ? nparams : 1, sizeof *j->p)))
		return conf_errf(x->err, x->errlen, raw->sec[s].file, raw->sec[s].line, "out of memory");
	for (size_t i = 0; i < x->np; i++) {
		if (x->p[i].var)
			continue;
		int rc = to_param(x, &x->p[i], &j->p[j->np]);
		j->np++;
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* A [uwsgi] section is named after the file loaded (TOP), as uWSGI names vassals: app1.ini and app2.ini are
 * two jails, app1 and app2 (the base name without its last extension). *LEN: the name's length. */
static const char *section_jail_name_at(const struct section *sec, const char *top, size_t *len)
{
	if (strcmp(sec->name, "uwsgi") == 0 && top) {
		const char *base = strrchr(top, '/'), *dot;
		base = base ? base + 1 : top;
		dot = strrchr(base, '.');
		size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
		if (n) {
			*len = n;
			return base;
		}
	}
	*len = strlen(sec->name);
	return sec->name;
}

static char *section_jail_name(const struct section *sec, const char *top)
{
	size_t n;
	const char *s = section_jail_name_at(sec, top, &n);
	return strndup(s, n);
}

bool conf_section_is(const struct section *sec, const char *top, const char *name)
{
	size_t n;
	const char *s = section_jail_name_at(sec, top, &n);
	return strncmp(s, name, n) == 0 && name[n] == '\0';
}

static bool jail_name_ok(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

int conf_build_jail(const struct raw_conf *raw, const struct raw_index *ix, size_t s, const char *top, struct jail *j,
		    char *err, size_t errlen)
{
	*j = (struct jail){.name = section_jail_name(&raw->sec[s], top),
			   .file = raw->sec[s].file,
			   .line = raw->sec[s].line};
	if (!j->name)
		return conf_errf(err, errlen, j->file, j->line, "out of memory");
	if (!jail_name_ok(j->name))
		return conf_errf(err, errlen, j->file, j->line,
				 "[uwsgi] takes its file's name, and \"%s\" is not a jail name (letters, digits, _ - .)",
				 j->name);
	struct ctx x = {.jail = j->name, .section = s, .err = err, .errlen = errlen};
	int rc = build(&x, raw, ix, s, j);
	ctx_free(&x);
	return rc;
}

void conf_jail_free(struct jail *j)
{
	for (size_t i = 0; i < j->np; i++) {
		for (size_t k = 0; k < j->p[i].n; k++)
			free(j->p[i].v[k].text);
		free(j->p[i].v);
		free(j->p[i].name);
	}
	free(j->p);
	free(j->name);
	*j = (struct jail){0};
}
