/* conf: loading (read.c reads, expand.c builds each jail) and the lookups the rest of warder uses. */
#include "conf_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A [uwsgi] section takes its file's name: no other section may name that jail too. */
static int name_clash(const struct raw_conf *raw, const char *top, char *err, size_t errlen)
{
	ssize_t u = -1;
	for (size_t i = 0; i < raw->nsec && u < 0; i++)
		if (strcmp(raw->sec[i].name, "uwsgi") == 0)
			u = (ssize_t)i;
	for (size_t i = 0; u >= 0 && i < raw->nsec; i++)
		if ((ssize_t)i != u && conf_section_is(&raw->sec[u], top, raw->sec[i].name))
			return conf_errf(err, errlen, raw->sec[i].file, raw->sec[i].line,
					 "[%s] names the jail that [uwsgi] (line %d) names: a [uwsgi] section takes "
					 "its file's name",
					 raw->sec[i].name, raw->sec[u].line);
	return 0;
}

/* KEEP: the one jail built, as jail(8) -c NAME checks and makes only NAME: what every line says is checked
 * as the file is read (conf_read), a value made of variables when its jail is built; N jails from one
 * file cost one jail's work and memory. NULL builds them all. */
static int build_jails(struct conf *c, const struct raw_conf *raw, const char *keep, char *err, size_t errlen)
{
	const char *top = c->nfiles ? c->files[0] : NULL;
	if (name_clash(raw, top, err, errlen) < 0)
		return -1;
	struct raw_index ix;
	if (conf_raw_index(raw, &ix) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t n = keep ? 1 : raw->nsec - (ix.star >= 0);
	if (!(c->jails = calloc(n ? n : 1, sizeof *c->jails))) {
		conf_raw_index_free(&ix);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < raw->nsec && rc == 0 && c->njails < n; i++) {
		if ((ssize_t)i == ix.star || (keep && !conf_section_is(&raw->sec[i], top, keep)))
			continue;
		rc = conf_build_jail(raw, &ix, i, top, &c->jails[c->njails], err, errlen);
		c->njails++;
	}
	conf_raw_index_free(&ix);
	return rc < 0 ? -1 : 0;
}

static int load(const char *path, const char *text, const char *keep, struct conf **out, char *err, size_t errlen)
{
	struct raw_conf raw = {0};
	struct conf *c = calloc(1, sizeof *c);
	*out = NULL;
	if (!c) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	int rc = conf_read(c, &raw, path, text, keep, err, errlen);
	if (rc == 0)
		rc = build_jails(c, &raw, keep, err, errlen);
	conf_raw_free(&raw);
	if (rc < 0) {
		conf_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int conf_load(const char *path, struct conf **out, char *err, size_t errlen)
{
	return load(path, NULL, NULL, out, err, errlen);
}

int conf_load_string(const char *name, const char *text, struct conf **out, char *err, size_t errlen)
{
	return load(name, text, NULL, out, err, errlen);
}

int conf_load_jail(const char *path, const char *text, const char *jail, struct conf **out, char *err, size_t errlen)
{
	return load(path, text, jail, out, err, errlen);
}

void conf_free(struct conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->njails; i++)
		conf_jail_free(&c->jails[i]);
	free(c->jails);
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c);
}

const struct jail *conf_jail(const struct conf *c, const char *name)
{
	if (!name)
		return c->njails == 1 ? &c->jails[0] : NULL;
	for (size_t i = 0; i < c->njails; i++)
		if (strcmp(c->jails[i].name, name) == 0)
			return &c->jails[i];
	return NULL;
}

const struct conf_param *jail_param(const struct jail *j, const char *name)
{
	for (size_t i = 0; i < j->np; i++)
		if (strcmp(j->p[i].name, name) == 0)
			return &j->p[i];
	return NULL;
}

const char *jail_get(const struct jail *j, const char *name)
{
	const struct conf_param *p = jail_param(j, name);
	if (p && p->n)
		return p->v[p->n - 1].text;
	const struct param_def *d = param_find(name);
	return d ? d->dflt : NULL;
}

bool jail_bool(const struct jail *j, const char *name)
{
	const char *v = jail_get(j, name);
	bool b = false;
	return v && conf_parse_bool(v, &b) == 0 && b;
}

long long jail_int(const struct jail *j, const char *name)
{
	const char *v = jail_get(j, name);
	long long n = 0;
	if (!v || conf_parse_int(v, -9223372036854775807LL, 9223372036854775807LL, &n) < 0)
		return 0;
	return n;
}

double jail_duration(const struct jail *j, const char *name)
{
	const char *v = jail_get(j, name);
	double s;
	return v && conf_parse_duration(v, &s) == 0 ? s : -1;
}

int jail_signal(const struct jail *j, const char *name)
{
	const char *v = jail_get(j, name);
	int sig;
	return v && conf_parse_signal(v, &sig) == 0 ? sig : 0;
}

size_t jail_list(const struct jail *j, const char *name, const struct conf_value **out)
{
	const struct conf_param *p = jail_param(j, name);
	*out = p ? p->v : NULL;
	return p ? p->n : 0;
}

bool jail_is_set(const struct jail *j, const char *name)
{
	return jail_param(j, name) != NULL;
}
