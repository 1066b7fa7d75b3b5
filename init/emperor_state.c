/* emperor_state: the bottom of `warder emperor`, what every other part reads: the vassal table, found by file
 * name, jail name and pid (hash chains: nothing walks the table per event, so N vassals cost N), the counts by
 * state and READY=1. It calls nothing of the emperor's. The layers are drawn at the top of init/emperor.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emperor.h"
#include "sdnotify.h"
#include "strhash.h"

/* --- the table ----------------------------------------------------------------------------------------- */
static unsigned bucket(const char *s)
{
	return str_hash(s) % NBUCKETS;
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

int vsl_name_set(struct vsl *v, const char *name)
{
	char *copy = strndup(name, NAME_MAX_LEN); /* a long name is cut */
	if (!copy)
		return -1;
	if (v->name)
		name_unlink(v);
	free(v->name);
	v->name = copy;
	v->nnext = v->e->names[bucket(v->name)];
	v->e->names[bucket(v->name)] = v;
	return 0;
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
	free(v->deps);
	v->deps = NULL;
	v->ndeps = 0;
}

/* A vassal for FILE, in the table, settling; its watchers are the caller's to set. */
struct vsl *vsl_new(struct emperor *e, const char *file)
{
	size_t len = strlen(file) + 1;
	if (strlen(e->dir) + 1 + len > PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 64;
		struct vsl **nv = realloc(e->v, cap * sizeof *nv);
		if (!nv)
			return NULL;
		e->v = nv;
		e->cap = cap;
	}
	struct vsl *v = calloc(1, sizeof *v + len);
	if (!v)
		return NULL;
	memcpy(v->file, file, len);
	v->e = e;
	if (vsl_name_set(v, file) < 0) {
		free(v);
		return NULL;
	}
	v->fd = v->xfd = -1;
	v->last_exit = -1;
	v->state = V_SETTLING; /* SEEN is zero: the first file_check acts */
	e->count[V_SETTLING]++;
	v->hnext = e->hash[bucket(file)];
	e->hash[bucket(file)] = v;
	v->idx = (unsigned)e->n;
	e->v[e->n++] = v;
	return v;
}

/* Not kept in the vassal: N copies of DIR. It fits, vsl_new made sure. */
const char *vsl_path(const struct vsl *v, char buf[PATH_MAX])
{
	snprintf(buf, PATH_MAX, "%s/%s", v->e->dir, v->file);
	return buf;
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
	vsl_settle_drop(v);
	vsl_free_deps(v);
	sockets_close(&v->ls, false);
	free(v->name);
	free(v);
}

struct settling *vsl_settling(struct vsl *v)
{
	if (!v->st && (v->st = calloc(1, sizeof *v->st)))
		v->st->v = v;
	return v->st;
}

void vsl_settle_queue(struct vsl *v, ev_tstamp due)
{
	struct emperor *e = v->e;
	struct settling *s = v->st;
	s->due = due;
	s->next = NULL;
	s->prev = e->stail;
	if (e->stail)
		e->stail->next = s;
	else
		e->shead = s;
	e->stail = s;
	s->queued = true;
}

void vsl_settle_unqueue(struct vsl *v)
{
	struct emperor *e = v->e;
	struct settling *s = v->st;
	if (!s || !s->queued)
		return;
	if (s->prev)
		s->prev->next = s->next;
	else
		e->shead = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		e->stail = s->prev;
	s->prev = s->next = NULL;
	s->queued = false;
}

void vsl_settle_drop(struct vsl *v)
{
	vsl_settle_unqueue(v);
	free(v->st);
	v->st = NULL;
}

/* systemd's READY=1 (sdnotify.h): once no vassal is settling, starting or reloading (a dead one respawns on its own
 * time, a waiting one waits for another). */
void emperor_settle(struct emperor *e)
{
	if (e->stopping || !sdnotify_active() || e->count[V_SETTLING] || e->count[V_STARTING] || e->count[V_RELOADING])
		return;
	char status[64];
	snprintf(status, sizeof status, "%zu of %zu vassals ready", e->count[V_RUNNING], e->n);
	sdnotify_ready(status);
}
