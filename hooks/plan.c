/* plan: the resolved steps of one jail, as data: built once, printed by `warder check`, walked by the keeper.
 *
 * Chain steps list their expanded values; back-end steps get a description, one line per action: on FreeBSD
 * from hooks/fbsd_describe.h (jail(8)'s equivalent commands), on Linux from hooks/lx_plan.h: each back end's own
 * list of operations, the one it executes. A step that does nothing for this jail is left out, as jail(8) skips a step whose parameter is unset. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl_out.h"
#include "fbsd_describe.h"
#include "fbsd_plan.h"
#include "listen.h"
#include "log.h"
#include "lx_plan.h"
#include "steps.h"

static const char *const os_names[] = {[OS_LINUX] = "linux", [OS_FREEBSD] = "freebsd"};

const char *os_name(enum os os)
{
	return os_names[os];
}

int os_parse(const char *s, enum os *out)
{
	for (size_t i = 0; i < sizeof os_names / sizeof os_names[0]; i++)
		if (strcmp(s, os_names[i]) == 0) {
			*out = (enum os)i;
			return 0;
		}
	return -1;
}

enum os os_this(void)
{
#ifdef __FreeBSD__
	return OS_FREEBSD;
#else
	return OS_LINUX;
#endif
}

/* ---- jailed or init-only ---- */

bool plan_jailed(const struct jail *j, enum os os)
{
	return jail_builds(j, os == OS_FREEBSD ? PF_FREEBSD : PF_LINUX);
}

/* ---- building ---- */

struct builder {
	struct plan *p;
	size_t cap;
	enum step_id step;
	enum step_ctx ctx;
	int failed;
};

static void add(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct builder *b, const char *fmt, ...)
{
	if (b->failed)
		return;
	if (b->p->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		struct plan_item *it = realloc(b->p->items, cap * sizeof *it);
		if (!it) {
			b->failed = 1;
			return;
		}
		b->p->items = it;
		b->cap = cap;
	}
	va_list ap;
	va_start(ap, fmt);
	char *s;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return;
	}
	b->p->items[b->p->n++] = (struct plan_item){b->step, b->ctx, s};
}

/* Each line of TEXT as one item (fbsd_describe's multi-line descriptions). */
static void add_lines(struct builder *b, const char *text)
{
	for (const char *s = text; *s;) {
		size_t len = strcspn(s, "\n");
		if (len)
			add(b, "%.*s", (int)len, s);
		s += len + (s[len] == '\n');
	}
}

static void add_list(struct builder *b, const struct jail *j, const char *param)
{
	const struct conf_value *v;
	size_t n = jail_list(j, param, &v);
	for (size_t i = 0; i < n; i++)
		add(b, "%s", v[i].text);
}

/* ---- steps that are neither chains nor back-end specific ---- */

static void describe_command(struct builder *b, const struct jail *j, enum os os)
{
	if (!jail_is_set(j, "command"))
		return;
	add(b, "%s", jail_get(j, "command"));
	const char *user = jail_is_set(j, "user") ? jail_get(j, "user") : "root";
	const char *group = jail_is_set(j, "group") ? jail_get(j, "group") : NULL;
	char where[600] = "";
	if (jail_is_set(j, "chdir"))
		snprintf(where, sizeof where, " in %s", jail_get(j, "chdir"));
	if (os == OS_LINUX)
		add(b, "as %s%s%s%s, caps %s%s", user, group ? ":" : "", group ? group : "", where, jail_get(j, "caps"),
		    jail_bool(j, "no_new_privs") ? ", no_new_privs" : "");
	else
		add(b, "as %s%s%s%s", user, group ? ":" : "", group ? group : "", where);
}

static void describe_kill(struct builder *b, const struct jail *j)
{
	add(b, "%s to every process, KILL after stop.timeout %gs", jail_get(j, "stop.signal"),
	    jail_duration(j, "stop.timeout"));
}

/* ---- sockets (`listen`): the keeper's step 0 and its last step; `inside` ones come with the command ---- */

static void describe_sockets(struct builder *b, const struct jail *j, bool jailed, enum step_id s)
{
	const struct conf_value *v;
	size_t n = jail_list(j, "listen", &v);
	for (size_t i = 0; i < n; i++) {
		struct listen_spec l;
		char why[256];
		if (listen_parse(v[i].text, &l, why, sizeof why) < 0)
			continue; /* refused when the config was read */
		const char *name = l.name[0] ? l.name : j->name;
		bool inside = l.inside && jailed;
		if (s == STEP_LISTEN && !inside)
			add(b,
			    jailed || l.inside
				    ? "bind %s as fd %zu (%s), held across reloads"
				    : "take %s as fd %zu (%s) from LISTEN_FDS: init-only mode has no host side",
			    l.addr, 3 + i, name);
		else if (s == STEP_COMMAND && inside)
			add(b, "bind %s inside the jail as fd %zu (%s), held across reload = stack", l.addr, 3 + i, name);
		else if (s == STEP_UNLISTEN && !inside)
			add(b, "close %s%s%s", l.addr, l.kind == LK_UNIX ? ", unlink " : "",
			    l.kind == LK_UNIX ? l.path : "");
	}
	if (s == STEP_COMMAND && n)
		add(b, "LISTEN_FDS=%zu, LISTEN_PID the command's pid, fds 3..%zu", n, 2 + n);
}

static bool backend_step(enum step_id s)
{
	return !step_get(s)->chain && s != STEP_COMMAND && s != STEP_KILL;
}

static void build_step(struct builder *b, const struct jail *j, enum os os, bool jailed, enum step_id s)
{
	const struct step_def *d = step_get(s);
	b->step = s;
	b->ctx = jailed ? d->ctx : CTX_JAIL;
	if (d->chain) {
		add_list(b, j, d->chain);
	} else if (s == STEP_COMMAND) {
		describe_sockets(b, j, jailed, s);
		describe_command(b, j, os);
	} else if (s == STEP_LISTEN || s == STEP_UNLISTEN) {
		describe_sockets(b, j, jailed, s);
	} else if (s == STEP_KILL) {
		describe_kill(b, j);
	} else {
		/* The back ends' own lists: what they execute is what is printed. */
		char *text = os == OS_FREEBSD ? fbsd_describe(j, s) : lx_describe(j, s);
		if (text)
			add_lines(b, text);
		free(text);
	}
}

/* The plan is the walk a clean run takes: every create step, then the whole remove order. */
struct plan_walk {
	struct builder *b;
	const struct jail *j;
	enum os os;
	bool jailed;
};

static bool plan_has(void *arg, enum step_id s)
{
	struct plan_walk *w = arg;
	/* Init-only: no back end, the chains and the command run where warder is. */
	return step_on(s, w->os) && (w->jailed || !backend_step(s));
}

static int plan_step(void *arg, enum step_id s)
{
	struct plan_walk *w = arg;
	build_step(w->b, w->j, w->os, w->jailed, s);
	return 0;
}

int plan_build(const struct jail *j, enum os os, bool jailed, struct plan *out)
{
	static const struct step_ops ops = {.has = plan_has, .run = plan_step, .undo = plan_step};
	*out = (struct plan){.os = os, .jailed = jailed};
	struct builder b = {.p = out};
	struct plan_walk pw = {&b, j, os, jailed};
	struct step_walk w;
	build_step(&b, j, os, jailed, STEP_LISTEN);
	step_walk_reset(&w);
	step_walk_forward(&w, STEP_NONE, &ops, &pw);
	step_walk_built(&w);
	step_walk_back(&w, STEP_NONE, &ops, &pw);
	build_step(&b, j, os, jailed, STEP_UNLISTEN);
	if (b.failed) {
		log_errno("check", "building the plan");
		plan_free(out);
		return -1;
	}
	return 0;
}

/* ---- printing ---- */

static size_t position(enum step_id s)
{
	if (s == STEP_LISTEN)
		return 0;
	if (s == STEP_UNLISTEN)
		return step_remove_count + 1;
	for (size_t i = 0; i < step_create_count; i++)
		if (step_create_order[i] == s)
			return i + 1;
	for (size_t i = 0; i < step_remove_count; i++)
		if (step_remove_order[i] == s)
			return i + 1;
	return 0;
}

static bool is_remove(enum step_id s)
{
	return (s >= STEP_PRESTOP && s <= STEP_RELEASE) || s == STEP_UNLISTEN;
}

int plan_print(const struct plan *p, const struct jail *j, int fd)
{
	int rc = dprintf(fd, "# jail %s (%s:%d) on %s: %s\n# create\n", j->name, j->file, j->line, os_name(p->os),
			 p->jailed ? "builds the jail" : "init only, no jail parameters: one context");
	bool removing = false;
	for (size_t i = 0; i < p->n && rc >= 0; i++) {
		const struct plan_item *it = &p->items[i];
		if (is_remove(it->step) && !removing) {
			removing = true;
			rc = dprintf(fd, "# remove\n");
		}
		if (rc >= 0)
			rc = dprintf(fd, "%3zu %-10s %-4s  %s\n", position(it->step), step_get(it->step)->name,
				     p->jailed ? ctx_name(it->ctx) : "init", it->what);
	}
	if (rc >= 0 && !removing)
		rc = dprintf(fd, "# remove\n");
	return rc < 0 ? -1 : 0;
}

void plan_json(const struct plan *p, struct ctl_out *o)
{
	ctl_put(o, "\"os\":\"%s\",\"jailed\":%s,\"steps\":[", os_name(p->os), p->jailed ? "true" : "false");
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_item *it = &p->items[i];
		if (i == 0 || p->items[i - 1].step != it->step) {
			ctl_put(o,
				"%s{\"position\":%zu,\"step\":\"%s\",\"phase\":\"%s\",\"context\":\"%s\",\"actions\":[",
				i ? "]}," : "", position(it->step), step_get(it->step)->name,
				is_remove(it->step) ? "remove" : "create", p->jailed ? ctx_name(it->ctx) : "init");
		} else {
			ctl_put(o, ",");
		}
		ctl_put_str(o, it->what);
	}
	ctl_put(o, "%s]", p->n ? "]}" : "");
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->items[i].what);
	free(p->items);
	p->items = NULL;
	p->n = 0;
}
