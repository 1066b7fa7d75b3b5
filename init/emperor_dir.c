/* emperor_dir: the vassals' directory. A scan (at start, when the directory changes, and every RESCAN seconds)
 * makes a vassal per *.conf or *.ini file, notices changed and removed files, and lets a new or changed file
 * settle before it is read. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "emperor.h"
#include "log.h"

/* --- the directory ------------------------------------------------------------------------------------ */
static bool changed(const struct stat *a, const struct stat *b)
{
	return a->st_ino != b->st_ino || a->st_size != b->st_size || a->st_mtim.tv_sec != b->st_mtim.tv_sec ||
	       a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

static void file_gone(struct vsl *v)
{
	log_info(STEP, "%s removed", v->file);
	v->gone = true;
	if (v->pid > 0)
		vassal_stop(v, AFTER_DOWN);
	else
		vsl_free(v);
}

/* A file just written may not be complete (a `printf > FILE` creates it empty first): it is read once it
 * is SETTLE seconds old, or went unchanged that long (a clock that disagrees with the file's mtime). */
static bool settled(struct vsl *v, const struct stat *now)
{
	struct ev_loop *loop = v->e->loop;
	if (changed(&v->pending, now)) {
		v->pending = *now;
		v->pending_at = ev_now(loop);
	}
	double mtime = (double)now->st_mtim.tv_sec + (double)now->st_mtim.tv_nsec / 1e9;
	if (ev_time() - mtime >= SETTLE || ev_now(loop) - v->pending_at >= SETTLE) {
		ev_timer_stop(loop, &v->settle);
		return true;
	}
	if (!ev_is_active(&v->settle)) {
		ev_timer_set(&v->settle, SETTLE, 0.);
		ev_timer_start(loop, &v->settle);
	}
	return false;
}

/* The file as it is now against what we last acted on: a new file starts its vassal, a changed one
 * reloads it. */
static void file_check(struct vsl *v, const struct stat *now)
{
	if (!changed(&v->seen, now) || !settled(v, now))
		return;
	v->seen = *now;
	bool was_bad = v->state == V_BAD, fresh = v->state == V_SETTLING;
	if (vassal_parse(v) < 0) {
		if (v->pid <= 0)
			vsl_set_state(v, V_BAD);
		return;
	}
	if (was_bad)
		vsl_set_state(v, V_STOPPED);
	if (fresh)
		vassal_spawn(v);
	else
		vassal_reload(v, true);
}

static void file_recheck(struct vsl *v)
{
	struct stat now;
	if (v->gone)
		return;
	if (stat(v->path, &now) < 0 || !S_ISREG(now.st_mode))
		file_gone(v);
	else
		file_check(v, &now);
}

static void settle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	file_recheck(container_of(w, struct vsl, settle));
}

static void stat_cb(struct ev_loop *loop, ev_stat *w, int revents)
{
	(void)loop, (void)revents;
	file_recheck(container_of(w, struct vsl, st));
}

static struct vsl *vassal_new(struct emperor *e, const char *file)
{
	struct vsl *v = vsl_new(e, file);
	if (!v)
		return NULL;
	ev_timer_init(&v->timer, vassal_respawn_cb, 0., 0.);
	ev_timer_init(&v->beat, vassal_beat_cb, 0., 0.);
	ev_init(&v->settle, settle_cb);
	ev_stat_init(&v->st, stat_cb, v->path, 0.);
	ev_stat_start(e->loop, &v->st);
	return v;
}

/* NAME.conf, and NAME.ini as in a uWSGI vassals directory; not a hidden file (an editor's temporary). */
static bool is_conf(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' && ((n > 5 && strcmp(name + n - 5, ".conf") == 0) ||
				  (n > 4 && strcmp(name + n - 4, ".ini") == 0));
}

void emperor_scan(struct emperor *e)
{
	if (e->stopping)
		return; /* the vassals that are left only go */
	DIR *d = opendir(e->dir);
	if (!d) {
		log_errno(STEP, "open %s", e->dir);
		return;
	}
	unsigned gen = ++e->gen;
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat st;
		if (!is_conf(de->d_name) || fstatat(dirfd(d), de->d_name, &st, 0) < 0 || !S_ISREG(st.st_mode))
			continue;
		struct vsl *v = vsl_find_file(e, de->d_name);
		if (v && v->gone)
			continue; /* still stopping; a new file of that name waits for the next scan */
		if (v) {
			v->gen = gen;
			file_check(v, &st);
			continue;
		}
		if (e->stopping || !(v = vassal_new(e, de->d_name))) {
			if (!e->stopping)
				log_errno(STEP, "%s: out of memory", de->d_name);
			continue;
		}
		v->gen = gen;
		file_check(v, &st);
	}
	closedir(d);
	for (size_t i = e->n; i-- > 0;)
		if (e->v[i]->gen != gen && !e->v[i]->gone)
			file_gone(e->v[i]);
}

void emperor_dir_cb(struct ev_loop *loop, ev_stat *w, int revents)
{
	(void)loop, (void)revents;
	emperor_scan(container_of(w, struct emperor, dirw));
}

void emperor_scan_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	emperor_scan(container_of(w, struct emperor, scan));
}
