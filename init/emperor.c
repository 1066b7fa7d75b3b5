/* emperor: the vassal table, found by file name, jail name and pid (hash chains: nothing walks the table per
 * event, so N vassals cost N), and the emperor's life: stopping in dependency order, reloading, READY=1, the
 * run loop. The layers are drawn at the top of init/emperor.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "emperor.h"
#include "log.h"
#include "sdnotify.h"
#include "supervise.h"

/* --- the table ----------------------------------------------------------------------------------------- */
static unsigned bucket(const char *s)
{
	unsigned h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % NBUCKETS;
}

struct vsl *vsl_find_file(struct emperor *e, const char *file)
{
	for (struct vsl *v = e->hash[bucket(file)]; v; v = v->hnext)
		if (strcmp(v->file, file) == 0)
			return v;
	return NULL;
}

struct vsl *vsl_find_name(struct emperor *e, const char *name)
{
	for (struct vsl *v = e->names[bucket(name)]; v; v = v->nnext)
		if (strcmp(v->name, name) == 0 && v->state != V_BAD && v->state != V_SETTLING)
			return v;
	return NULL;
}

static void name_unlink(struct vsl *v)
{
	for (struct vsl **pp = &v->e->names[bucket(v->name)]; *pp; pp = &(*pp)->nnext)
		if (*pp == v) {
			*pp = v->nnext;
			break;
		}
}

void vsl_name_set(struct vsl *v, const char *name)
{
	name_unlink(v);
	snprintf(v->name, sizeof v->name, "%.*s", (int)sizeof v->name - 1, name); /* a long name is cut */
	v->nnext = v->e->names[bucket(v->name)];
	v->e->names[bucket(v->name)] = v;
}

void vsl_set_state(struct vsl *v, enum vstate st)
{
	v->e->count[v->state]--;
	v->e->count[st]++;
	v->state = st;
}

static unsigned pid_bucket(pid_t pid)
{
	return (unsigned)pid % NBUCKETS;
}

void vsl_pid_add(struct vsl *v, pid_t pid)
{
	v->pid = pid;
	v->pnext = v->e->pids[pid_bucket(pid)];
	v->e->pids[pid_bucket(pid)] = v;
}

void vsl_pid_del(struct vsl *v)
{
	for (struct vsl **pp = &v->e->pids[pid_bucket(v->pid)]; *pp; pp = &(*pp)->pnext)
		if (*pp == v) {
			*pp = v->pnext;
			break;
		}
	v->pid = 0;
}

struct vsl *vsl_find_pid(struct emperor *e, pid_t pid)
{
	for (struct vsl *v = e->pids[pid_bucket(pid)]; v; v = v->pnext)
		if (v->pid == pid)
			return v;
	return NULL;
}

void vsl_free_deps(struct vsl *v)
{
	for (size_t i = 0; i < v->ndeps; i++)
		free(v->deps[i]);
	v->ndeps = 0;
}

/* A vassal for FILE, in the table, settling; its watchers are the caller's to set. */
struct vsl *vsl_new(struct emperor *e, const char *file)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 64;
		struct vsl **nv = realloc(e->v, cap * sizeof *nv);
		if (!nv)
			return NULL;
		e->v = nv;
		e->cap = cap;
	}
	struct vsl *v = calloc(1, sizeof *v);
	if (!v || !(v->file = strdup(file)) || asprintf(&v->path, "%s/%s", e->dir, file) < 0) {
		if (v)
			free(v->file);
		free(v);
		return NULL;
	}
	v->e = e;
	v->fd = v->xfd = -1;
	v->last_exit = -1;
	v->state = V_SETTLING; /* SEEN is zero: the first file_check acts */
	e->count[V_SETTLING]++;
	vsl_name_set(v, file);
	v->hnext = e->hash[bucket(file)];
	e->hash[bucket(file)] = v;
	v->idx = e->n;
	e->v[e->n++] = v;
	return v;
}

void vsl_free(struct vsl *v)
{
	struct emperor *e = v->e;
	for (struct vsl **pp = &e->hash[bucket(v->file)]; *pp; pp = &(*pp)->hnext)
		if (*pp == v) {
			*pp = v->hnext;
			break;
		}
	name_unlink(v);
	e->count[v->state]--;
	e->v[v->idx] = e->v[--e->n];
	e->v[v->idx]->idx = v->idx;
	ev_timer_stop(e->loop, &v->timer);
	ev_timer_stop(e->loop, &v->settle);
	ev_timer_stop(e->loop, &v->beat);
	ev_stat_stop(e->loop, &v->st);
	vsl_free_deps(v);
	sockets_close(&v->ls, false);
	free(v->file);
	free(v->path);
	free(v);
}

/* --- stopping everything ------------------------------------------------------------------------------ */
/* V may stop once no vassal with a process depends on it: dependents go first. */
static bool has_live_dependent(struct emperor *e, const struct vsl *v)
{
	for (size_t i = 0; i < e->n; i++) {
		const struct vsl *w = e->v[i];
		for (size_t d = 0; w != v && w->pid > 0 && d < w->ndeps; d++)
			if (strcmp(w->deps[d], v->name) == 0)
				return true;
	}
	return false;
}

/* Runs at every exit while stopping: it walks the table only while some vassal still waits for its
 * dependents to go, so stopping N vassals without `depend` costs one walk, not N. */
void emperor_stop_next(struct emperor *e)
{
	if (e->unsignalled > 0) {
		bool deps = false;
		for (size_t i = 0; i < e->n && !deps; i++)
			deps = e->v[i]->ndeps > 0;
		e->unsignalled = 0;
		for (size_t i = 0; i < e->n; i++) {
			struct vsl *v = e->v[i];
			if (v->pid <= 0 || v->state == V_STOPPING)
				continue;
			if (deps && has_live_dependent(e, v))
				e->unsignalled++;
			else
				vassal_stop(v, AFTER_DOWN);
		}
	}
	if (e->live == 0)
		ev_break(e->loop, EVBREAK_ALL);
}

void emperor_stop(struct emperor *e)
{
	if (e->stopping)
		return;
	e->stopping = true;
	sdnotify_stopping();
	log_info(STEP, "stopping %zu vassals", e->live);
	ev_timer_stop(e->loop, &e->scan);
	ev_stat_stop(e->loop, &e->dirw);
	for (size_t i = 0; i < e->n; i++) {
		ev_stat_stop(e->loop, &e->v[i]->st);
		ev_timer_stop(e->loop, &e->v[i]->settle);
		if (e->v[i]->pid <= 0)
			ev_timer_stop(e->loop, &e->v[i]->timer);
	}
	e->unsignalled = e->live;
	emperor_stop_next(e);
}

void emperor_reload(struct emperor *e)
{
	log_info(STEP, "reloading every vassal");
	sdnotify_reloading();
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i]->state == V_RUNNING || e->v[i]->state == V_STARTING)
			vassal_reload(e->v[i], false);
	emperor_settle(e);
}

/* systemd's READY=1 (sdnotify.h): once no vassal is settling, starting or reloading (a dead one respawns on its own
 * time, a waiting one waits for another). */
void emperor_settle(struct emperor *e)
{
	if (e->stopping || !sdnotify_active() || e->count[V_SETTLING] || e->count[V_STARTING] ||
	    e->count[V_RELOADING])
		return;
	char status[64];
	snprintf(status, sizeof status, "%zu of %zu vassals ready", e->count[V_RUNNING], e->n);
	sdnotify_ready(status);
}

static void sig_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop, (void)revents;
	struct emperor *e = w->data;
	if (w->signum == SIGHUP)
		emperor_reload(e);
	else
		emperor_stop(e);
}

/* A child ended: a vassal tells through its exit fd, anything else is found by the sweep. */
static void chld_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop, (void)revents;
	emperor_kill_orphans(container_of(w, struct emperor, chld), 0);
}

static void watch(struct emperor *e)
{
	ev_signal *sigs[] = {&e->term, &e->intr, &e->hup};
	int nums[] = {SIGTERM, SIGINT, SIGHUP};
	for (size_t i = 0; i < 3; i++) {
		ev_signal_init(sigs[i], sig_cb, nums[i]);
		sigs[i]->data = e;
		ev_signal_start(e->loop, sigs[i]);
	}
	ev_signal_init(&e->chld, chld_cb, SIGCHLD);
	ev_signal_start(e->loop, &e->chld);
	ev_init(&e->sweep, emperor_sweep_cb);
	ev_stat_init(&e->dirw, emperor_dir_cb, e->dir, 0.);
	ev_stat_start(e->loop, &e->dirw);
	ev_timer_init(&e->scan, emperor_scan_cb, RESCAN, RESCAN);
	ev_timer_start(e->loop, &e->scan);
}

static void unwatch(struct emperor *e)
{
	ev_signal_stop(e->loop, &e->term);
	ev_signal_stop(e->loop, &e->intr);
	ev_signal_stop(e->loop, &e->hup);
	ev_signal_stop(e->loop, &e->chld);
	ev_timer_stop(e->loop, &e->sweep);
	ev_stat_stop(e->loop, &e->dirw);
	ev_timer_stop(e->loop, &e->scan);
	while (e->n)
		vsl_free(e->v[e->n - 1]);
	free(e->v);
}

int emperor_run(struct emperor *e, const char *ctl)
{
	char buf[600];
	if (!ctl)
		ctl = control_default_path("emperor", buf, sizeof buf);
	if (ctl && !(e->ctl = control_open(e->loop, ctl, geteuid(), emperor_ctl_cb, e)))
		return EXIT_OSERR;
	if (e->ctl)
		control_serve_targets(e->ctl, emperor_ctl_vassal_cb);
	if (sup_become_reaper() < 0)
		log_errno(STEP, "cannot become a child subreaper");
	watch(e);
	log_info(STEP, "governing %s", e->dir);
	emperor_scan(e);
	emperor_settle(e);
	ev_run(e->loop, 0);
	emperor_drain_orphans(e);
	log_info(STEP, "every vassal is gone");
	unwatch(e);
	control_close(e->ctl);
	e->ctl = NULL;
	return 0;
}
