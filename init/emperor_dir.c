/* emperor_dir: the vassals' directory. A scan (at start, on an inotify overflow, and every RESCAN seconds)
 * makes a vassal per *.conf or *.ini file and notices changed and removed files; between scans one inotify
 * watch on the directory names each file that changed, so N vassals cost one watch, not N. A new or changed
 * file settles before it is read. It calls emperor_vassal.c and emperor_state.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "emperor.h"
#include "log.h"

/* --- the directory ------------------------------------------------------------------------------------ */
static struct fstamp stamp(const struct stat *st)
{
	return (struct fstamp){.ino = st->st_ino, .size = st->st_size, .mtim = st->st_mtim};
}

static bool changed(const struct fstamp *a, const struct stat *b)
{
	return a->ino != b->st_ino || a->size != b->st_size || a->mtim.tv_sec != b->st_mtim.tv_sec ||
	       a->mtim.tv_nsec != b->st_mtim.tv_nsec;
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

static void settle_arm(struct emperor *e)
{
	if (e->shead && !ev_is_active(&e->settle)) {
		double in = e->shead->due - ev_now(e->loop);
		ev_timer_set(&e->settle, in > 0 ? in : 0., 0.);
		ev_timer_start(e->loop, &e->settle);
	}
}

/* A file just written may not be complete (a `printf > FILE` creates it empty first): it is read once it
 * is SETTLE seconds old, or went unchanged that long (a clock that disagrees with the file's mtime). */
static bool settled(struct vsl *v, const struct stat *now)
{
	struct ev_loop *loop = v->e->loop;
	struct settling *s = vsl_settling(v);
	if (!s) {
		log_errno(STEP, "%s: out of memory", v->file);
		return false; /* the next scan looks again */
	}
	if (changed(&s->pending, now)) {
		s->pending = stamp(now);
		s->pending_at = ev_now(loop);
	}
	double mtime = (double)now->st_mtim.tv_sec + (double)now->st_mtim.tv_nsec / 1e9;
	if (ev_time() - mtime >= SETTLE || ev_now(loop) - s->pending_at >= SETTLE) {
		vsl_settle_drop(v);
		return true;
	}
	if (!s->queued) {
		vsl_settle_queue(v, ev_now(loop) + SETTLE);
		settle_arm(v->e);
	}
	return false;
}

/* The file as it is now against what we last acted on: a new file starts its vassal, a changed one
 * reloads it. */
static void file_check(struct vsl *v, const struct stat *now)
{
	if (!changed(&v->seen, now)) {
		if (v->st && !v->st->queued)
			vsl_settle_drop(v); /* it went back as it was: nothing settles */
		return;
	}
	if (!settled(v, now))
		return;
	v->seen = stamp(now);
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
	char path[PATH_MAX];
	if (v->gone)
		return;
	if (stat(vsl_path(v, path), &now) < 0 || !S_ISREG(now.st_mode))
		file_gone(v);
	else
		file_check(v, &now);
}

/* The files due: looked at again; one that changed meanwhile goes back in the queue. */
static void settle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	struct emperor *e = container_of(w, struct emperor, settle);
	while (e->shead && e->shead->due <= ev_now(loop)) {
		struct vsl *v = e->shead->v;
		vsl_settle_unqueue(v);
		file_recheck(v);
	}
	settle_arm(e);
}

static struct vsl *vassal_new(struct emperor *e, const char *file)
{
	struct vsl *v = vsl_new(e, file);
	if (!v)
		return NULL;
	ev_timer_init(&v->timer, vassal_respawn_cb, 0., 0.);
	return v;
}

/* NAME.conf, and NAME.ini as in a uWSGI vassals directory; not a hidden file (an editor's temporary). */
static bool is_conf(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' &&
	       ((n > 5 && strcmp(name + n - 5, ".conf") == 0) || (n > 4 && strcmp(name + n - 4, ".ini") == 0));
}

/* FILE, a config file now as ST, seen by the scan of generation GEN. */
static void take(struct emperor *e, const char *file, const struct stat *st, unsigned gen)
{
	struct vsl *v = vsl_find_file(e, file);
	if (v && v->gone)
		return; /* still stopping; a new file of that name waits for the next scan */
	if (!v && !(v = vassal_new(e, file))) {
		if (errno == ENAMETOOLONG)
			log_errno(STEP, "%s/%s", e->dir, file);
		else
			log_errno(STEP, "%s: out of memory", file);
		return;
	}
	v->gen = gen;
	file_check(v, st);
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
		if (is_conf(de->d_name) && fstatat(dirfd(d), de->d_name, &st, 0) == 0 && S_ISREG(st.st_mode))
			take(e, de->d_name, &st, gen);
	}
	closedir(d);
	for (size_t i = e->n; i-- > 0;)
		if (e->v[i]->gen != gen && !e->v[i]->gone)
			file_gone(e->v[i]);
}

#ifdef __linux__
/* One file named by an inotify event: acted on as a scan would, without reading the rest. */
static void touched(struct emperor *e, const char *file)
{
	if (e->stopping || !is_conf(file))
		return;
	struct vsl *v = vsl_find_file(e, file);
	if (v) {
		file_recheck(v);
		return;
	}
	char path[PATH_MAX];
	struct stat st;
	if ((size_t)snprintf(path, sizeof path, "%s/%s", e->dir, file) < sizeof path && stat(path, &st) == 0 &&
	    S_ISREG(st.st_mode))
		take(e, file, &st, e->gen);
}

static void inotify_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	struct emperor *e = container_of(w, struct emperor, dirio);
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool rescan = false;
	ssize_t n;
	while ((n = read(w->fd, buf, sizeof buf)) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
			/* Lost events, or the directory itself moved or went: only a scan knows what is there now. */
			if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))
				rescan = true;
			else if (ev->len > 0)
				touched(e, ev->name);
			p += sizeof *ev + ev->len;
		}
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		log_errno(STEP, "read the inotify events of %s", e->dir);
	if (rescan)
		emperor_scan(e);
}
#endif

static void dir_cb(struct ev_loop *loop, ev_stat *w, int revents)
{
	(void)loop, (void)revents;
	emperor_scan(container_of(w, struct emperor, dirw));
}

static void scan_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	emperor_scan(container_of(w, struct emperor, scan));
}

/* One inotify watch on the directory; without inotify (FreeBSD 14, no watches left), a stat watcher on it, and
 * in both cases the rescan every RESCAN seconds, which catches what neither names (an edit of a symlink's
 * target, an in-place edit under the stat watcher). */
void emperor_dir_watch(struct emperor *e)
{
	e->ifd = -1;
#ifdef __linux__
	e->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (e->ifd >= 0 &&
	    inotify_add_watch(e->ifd, e->dir,
			      IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB | IN_MOVED_FROM | IN_MOVED_TO |
				      IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR) < 0) {
		close(e->ifd);
		e->ifd = -1;
	}
	if (e->ifd < 0)
		log_errno(STEP, "inotify on %s: it is polled instead", e->dir);
	else {
		ev_io_init(&e->dirio, inotify_cb, e->ifd, EV_READ);
		ev_io_start(e->loop, &e->dirio);
	}
#endif
	if (e->ifd < 0) {
		ev_stat_init(&e->dirw, dir_cb, e->dir, 0.);
		ev_stat_start(e->loop, &e->dirw);
	}
	ev_init(&e->settle, settle_cb);
	ev_timer_init(&e->scan, scan_cb, RESCAN, RESCAN);
	ev_timer_start(e->loop, &e->scan);
}

void emperor_dir_unwatch(struct emperor *e)
{
	if (e->ifd >= 0) {
		ev_io_stop(e->loop, &e->dirio);
		close(e->ifd);
		e->ifd = -1;
	} else {
		ev_stat_stop(e->loop, &e->dirw);
	}
	ev_timer_stop(e->loop, &e->scan);
	ev_timer_stop(e->loop, &e->settle);
}
