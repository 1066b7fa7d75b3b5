/* fbsd_describe: a FreeBSD plan (conf/fbsd_plan.c) as `warder check --os freebsd` prints it, step by step, in
 * jail(8)'s terms; the addresses and mounts shown are the very arguments the back end passes (fbsd_args.c). */
#include "fbsd_describe.h"

#include <stdlib.h>
#include <string.h>

#include "fbsd_plan.h"
#include "text.h"

/* A value as jail(8) prints it: quoted when empty or holding blanks or quotes. */
static void put_param(struct text *t, const struct fbsd_param *pa)
{
	const char *v = pa->value;
	if (!v) {
		text_put(t, "%s", pa->name);
		return;
	}
	char q = !*v || strchr(v, '\'') ? '"' : strchr(v, '"') ? '\'' : strpbrk(v, " \t") ? '"' : 0;
	if (!q) {
		text_put(t, "%s=%s", pa->name, v);
		return;
	}
	size_t len = strlen(v);
	char *buf = malloc(2 * len + 3), *o = buf;
	if (!buf) {
		t->oom = true;
		return;
	}
	*o++ = q;
	for (; *v; v++) {
		if (*v == '\\' || *v == q)
			*o++ = '\\';
		*o++ = *v;
	}
	*o++ = q;
	*o = '\0';
	text_put(t, "%s=%s", pa->name, buf);
	free(buf);
}

static const char *jail_ref(const struct fbsd_plan *p)
{
	if (p->mode == FBSD_ATTACH)
		return p->attach;
	if (p->mode == FBSD_OLDAPI)
		return p->old.name ? p->old.name : p->name;
	for (size_t i = 0; i < p->nparams; i++)
		if (strcmp(p->params[i].name, "name") == 0 || strcmp(p->params[i].name, "jid") == 0)
			return p->params[i].value;
	return p->name;
}

static void describe_create(struct text *t, const struct fbsd_plan *p)
{
	if (p->mode == FBSD_ATTACH) {
		text_put(t, "join the existing jail %s (jail-attach): nothing is created", p->attach);
	} else if (p->mode == FBSD_OLDAPI) {
		text_put(t, "jail(2) version 2: path=%s hostname=%s%s%s", p->old.path, p->old.hostname,
			 p->old.name ? " name=" : "", p->old.name ? p->old.name : "");
		for (size_t i = 0; i < p->old.nip4; i++)
			text_put(t, "ip4=%s", p->old.ip4[i]);
		for (size_t i = 0; i < p->old.nip6; i++)
			text_put(t, "ip6=%s", p->old.ip6[i]);
	} else {
		text_put(t, "jail_set(JAIL_CREATE)");
		for (size_t i = 0; i < p->nparams; i++)
			put_param(t, &p->params[i]);
	}
	if (p->jidfile)
		text_put(t, "write the jid to %s", p->jidfile);
	if (p->mode == FBSD_CREATE && !p->keep_persist)
		text_put(t, "jail_set(JAIL_UPDATE) nopersist, once the init is inside");
}

static void describe_mount(struct text *t, const struct fbsd_mount *m, bool down)
{
	if (down)
		text_put(t, "umount %s", m->to);
	else
		text_put(t, "mount -t %s%s%s %s %s", m->fstype, m->opts ? " -o " : "", m->opts ? m->opts : "", m->from,
			 m->to);
}

static void describe_alias(struct text *t, const struct fbsd_alias *a, bool down)
{
	char buf[128], *argv[6];
	fbsd_alias_argv(a, !down, buf, sizeof buf, argv); /* what the back end runs */
	text_put(t, "ifconfig %s %s %s %s", argv[1], argv[2], argv[3], argv[4]);
}

/* As setrlimit(2) is called: RLIMIT_NOFILE from "nofile"; the value as the config wrote it. */
static void describe_rlimit(struct text *t, const struct fbsd_param *r)
{
	char res[32];
	size_t n = 0;
	for (const char *c = r->name; *c && n < sizeof res - 1; c++)
		res[n++] = *c >= 'a' && *c <= 'z' ? (char)(*c - 'a' + 'A') : *c;
	res[n] = '\0';
	text_put(t, "setrlimit(RLIMIT_%s, %s)", res, r->value);
}

static void describe_step(struct text *t, const struct fbsd_plan *p, enum step_id step, const char *note)
{
	switch (step) {
	case STEP_ALIASES:
	case STEP_UNALIAS:
		for (size_t i = 0; i < p->naliases; i++)
			describe_alias(t, &p->aliases[step == STEP_ALIASES ? i : p->naliases - 1 - i],
				       step == STEP_UNALIAS);
		break;
	case STEP_MOUNTS:
		if (p->ruleset.load)
			text_put(t, "devfs ruleset %d (%s) loaded from %s unless the kernel has it", p->ruleset.number,
				 p->ruleset.name ? p->ruleset.name : "?", p->ruleset.file);
		if (note)
			text_put(t, "%s", note);
		/* fall through */
	case STEP_UNMOUNTS:
		for (size_t i = 0; i < p->nmounts; i++)
			describe_mount(t, &p->mounts[step == STEP_MOUNTS ? i : p->nmounts - 1 - i],
				       step == STEP_UNMOUNTS);
		break;
	case STEP_CREATE:
		describe_create(t, p);
		break;
	case STEP_VNET:
		for (size_t i = 0; i < p->nvnet; i++)
			text_put(t, "ifconfig %s vnet %s", p->vnet_ifs[i], jail_ref(p));
		break;
	case STEP_SETUP:
		text_put(t, "jail_attach(%s)", jail_ref(p));
		text_put(t, "procctl(P_PID, getpid(), PROC_REAP_ACQUIRE)");
		if (p->fib >= 0)
			text_put(t, "setfib(%d)", p->fib);
		for (size_t i = 0; i < p->nrlimits; i++)
			describe_rlimit(t, &p->rlimits[i]);
		break;
	case STEP_REMOVE:
		for (size_t i = p->nvnet; i-- > 0;)
			text_put(t, "ifconfig %s -vnet %s", p->vnet_ifs[i], jail_ref(p));
		if (p->mode != FBSD_ATTACH)
			text_put(t, "jail_remove(%s)", jail_ref(p));
		break;
	default:
		break;
	}
}

char *fbsd_describe(const struct jail *j, enum step_id step)
{
	struct fbsd_plan p;
	struct text t = {0};
	char err[512], *note;
	if (fbsd_plan_lenient(j, &p, &note, err, sizeof err) < 0)
		text_put(&t, "error: %s", err);
	else
		describe_step(&t, &p, step, note);
	fbsd_plan_free(&p);
	free(note);
	return text_take(&t);
}
