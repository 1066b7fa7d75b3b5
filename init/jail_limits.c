/* jail_limits: the jail's user, group(s), caps, no_new_privs and rlimit.* in warder's own dialect, the
 * [limits] section of STATEDIR/NAME.state. The keeper writes it with the state; `warder attach` reads it
 * back, with its own changes, and applies it as the main command gets it (runc exec's model: the
 * container's process settings, read from its state). */
#include "jail_limits.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "state.h"

/* What the main command's privilege drop and rlimits read: nothing else is recorded. */
static bool is_limit(const char *param)
{
	static const char *const keys[] = {"user", "group", "groups", "caps", "no_new_privs"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(param, keys[i]) == 0)
			return true;
	return strncmp(param, "rlimit.", 7) == 0;
}

/* J's limits as a config section, with O's changes (NULL: as they are). Values are single-quoted: literal. */
static void limits_emit(FILE *f, const struct jail *j, const struct attach_opts *o)
{
	bool own_user = o && o->user, own_caps = o && (o->caps || o->privileged);
	fputs("; the limits `warder attach` applies (see warder(8)); written by the jail's keeper\n[limits]\n", f);
	for (size_t i = 0; i < j->np; i++) {
		const struct conf_param *p = &j->p[i];
		if (!is_limit(p->name) ||
		    (own_user && (!strcmp(p->name, "user") || !strcmp(p->name, "group") || !strcmp(p->name, "groups"))) ||
		    (own_caps && !strcmp(p->name, "caps")) || (o && o->privileged && !strcmp(p->name, "no_new_privs")))
			continue;
		for (size_t k = 0; k < p->n; k++)
			fprintf(f, "%s = '%s'\n", p->name, p->v[k].text);
	}
	if (own_user)
		fprintf(f, "user = '%s'\n", o->user);
	if (o && o->privileged)
		fputs("caps = 'all'\nno_new_privs = 'false'\n", f);
	else if (own_caps)
		fprintf(f, "caps = '%s, %s'\n", jail_get(j, "caps") ? jail_get(j, "caps") : "default", o->caps);
}

void limits_write(FILE *f, const void *jail)
{
	limits_emit(f, jail, NULL);
}

/* NAME's recorded limits into *REC: the [limits] section of TEXT, its state file as attach read it, or (a jail
 * started by a warder before the two were one file) STATEDIR/NAME.limits. PATH gets the file's name. */
static int limits_read(const char *name, const char *text, char *path, size_t len, struct conf **rec, char *err,
		       size_t errlen)
{
	const char *sect = NULL;
	state_file(name, "state", path, len);
	if (text)
		sect = strncmp(text, "[limits]\n", 9) == 0 ? text : strstr(text, "\n[limits]\n");
	char old[1024];
	state_file(name, "limits", old, sizeof old);
	if (sect)
		return conf_load_string(path, sect + (*sect == '\n'), rec, err, errlen);
	if (access(old, F_OK) == 0) {
		snprintf(path, len, "%s", old);
		return conf_load(path, rec, err, errlen);
	}
	snprintf(err, errlen, "%s: no [limits] section", path);
	return -1;
}

/* The limits to attach with: jail NAME's as its keeper recorded them in STATE (its state file's text), or
 * with NAME NULL (a jail warder does not run) the defaults every main command starts from; with O's changes.
 * *C is the caller's to free. */
const struct jail *limits_load(const char *name, const char *state, const struct attach_opts *o, struct conf **c)
{
	char path[1024], err[1200];
	struct conf *rec = NULL;
	int rc;
	if (name) {
		rc = limits_read(name, state, path, sizeof path, &rec, err, sizeof err);
	} else {
		snprintf(path, sizeof path, "the default limits");
		rc = conf_load_string(path, "[limits]\n", &rec, err, sizeof err);
	}
	const struct jail *j = rc == 0 ? conf_jail(rec, "limits") : NULL;
	if (!j) {
		/* Without the jail's limits, refuse rather than guess at fewer. */
		log_err("attach", "%s: the jail's limits are unknown: %s", name ? name : "?",
			rc < 0 ? err : "no [limits]");
		conf_free(rec);
		return NULL;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f)
		limits_emit(f, j, o);
	conf_free(rec);
	if (!f || fclose(f) != 0) {
		log_errno("attach", "the jail's limits");
		free(text);
		return NULL;
	}
	j = conf_load_string(path, text, c, err, sizeof err) == 0 ? conf_jail(*c, "limits") : NULL;
	if (!j)
		log_err("attach", "%s", err);
	free(text);
	return j;
}
