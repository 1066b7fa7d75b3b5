/* emperor: `warder emperor DIR`. One vassal, a `warder run -c DIR/FILE` child, per *.conf or *.ini file in
 * DIR: spawned once the file has settled (after the vassals it depends on are ready), respawned whenever it
 * ends while its file exists (a delay that doubles while it keeps dying quickly), reloaded when the file
 * changes, stopped when the file goes. It stays down only after exiting with the exile code (26, uWSGI's),
 * after `warder ctl emperor stop NAME`, or when the emperor stops. The emperor talks to each vassal over
 * uWSGI's Emperor protocol (init/vassal.h) and serves a control socket in `warder ctl`'s format. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

#include "cmd.h"
#include "conf.h"
#include "control.h"
#include "jail.h"
#include "log.h"
#include "proc.h"
#include "sockets.h"
#include "sdnotify.h"
#include "supervise.h"
#include "vassal.h"

#define STEP "emperor"
#define RESCAN 1.0       /* seconds between rescans: ev_stat misses some in-place edits */
#define SETTLE 0.3       /* a file is read once it went unchanged this long: not while it is being written */
#define SWEEP 0.1        /* orphans are looked for at most this often: a /proc read per reap is quadratic */
#define STEADY 10.0      /* a vassal that ran this long starts its throttle over */
#define KILL_MARGIN 5.0  /* seconds past a vassal's stop.timeout before SIGKILL */
#define NBUCKETS 1024
#define MAXDEPS 16

enum vstate {
	V_SETTLING, V_BAD, V_WAITING, V_THROTTLED, V_STARTING, V_RUNNING, V_RELOADING, V_STOPPING, V_STOPPED,
	V_EXILED,
};
static const char *const state_names[] = {
	[V_SETTLING] = "settling", [V_BAD] = "bad-config", [V_WAITING] = "waiting", [V_THROTTLED] = "throttled",
	[V_STARTING] = "starting", [V_RUNNING] = "running", [V_RELOADING] = "reloading", [V_STOPPING] = "stopping",
	[V_STOPPED] = "stopped", [V_EXILED] = "exiled",
};

/* What follows a vassal's exit after the emperor stopped it. */
enum after { AFTER_DOWN, AFTER_RESPAWN };

struct emperor;

struct vsl {
	struct emperor *e;
	struct vsl *hnext;   /* hash chain by file name */
	struct vsl *pnext;   /* hash chain by pid, while it has one */
	struct vsl *nnext;   /* hash chain by name */
	size_t idx;          /* its place in e->v */
	char *file, *path;
	char name[128];      /* the jail's name; the file name until the config parses */
	char *deps[MAXDEPS];
	size_t ndeps;
	double stop_timeout;
	struct stat seen;    /* the file as last acted upon */
	struct stat pending; /* a change not yet acted upon: settling */
	ev_tstamp pending_at; /* when PENDING was first seen as it is */
	enum vstate state;
	pid_t pid;
	int fd;              /* our end of the protocol socket */
	int xfd;             /* readable once its process has exited (proc_exit_fd); -1: the sweep reaps it */
	int restarts, last_exit; /* last_exit: -1 until it first ended */
	double delay;        /* the throttle: the latest respawn's delay, 0 before any */
	ev_tstamp started;
	unsigned gen;        /* scan generation it was last seen in */
	bool gone;           /* the file was removed: free it once its process is gone */
	bool reload_sent, waited;
	bool reread;         /* a changed file needs a new process: init-only, or reload = stack */
	enum after after;
	ev_io io;
	ev_io exit;
	ev_timer timer;
	ev_timer beat;       /* armed by the first heartbeat: the vassal must send the next in time */
	ev_stat st;
	ev_timer settle;
	struct sockset ls;   /* its `listen` sockets: held here across its deaths, passed to each new process */
};

struct emperor {
	struct ev_loop *loop;
	char *dir;
	double throttle, max_throttle;
	double heartbeat;    /* seconds of silence after which a vassal that sent heartbeats is killed; 0: never */
	struct vsl **v;
	size_t n, cap;
	struct vsl *hash[NBUCKETS];
	struct vsl *pids[NBUCKETS];
	struct vsl *names[NBUCKETS];
	size_t count[V_EXILED + 1]; /* vassals in each state: no walk of the table per event */
	unsigned gen;
	size_t live;         /* vassals with a process */
	size_t unsignalled;  /* while stopping: vassals with a process not yet told to stop */
	bool stopping;
	ev_stat dirw;
	ev_timer scan;
	ev_signal term, intr, hup;
	ev_signal chld;
	ev_timer sweep;
	struct control *ctl;
	bool orphans_warned;
	size_t orphans_seen; /* counted by each sweep */
	char self[PATH_MAX]; /* this executable, resolved at start: what every vassal runs */
};

#define CONTAINER(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))

static void vassal_spawn(struct vsl *v);
static void vassal_exited(struct vsl *v, int status);
static void emperor_stop_next(struct emperor *e);
static void emperor_settle(struct emperor *e);

/* --- the table ----------------------------------------------------------------------------------------- */
static unsigned bucket(const char *s)
{
	unsigned h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h % NBUCKETS;
}

static struct vsl *find_file(struct emperor *e, const char *file)
{
	for (struct vsl *v = e->hash[bucket(file)]; v; v = v->hnext)
		if (strcmp(v->file, file) == 0)
			return v;
	return NULL;
}

static struct vsl *find_name(struct emperor *e, const char *name)
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

static void name_set(struct vsl *v, const char *name)
{
	name_unlink(v);
	snprintf(v->name, sizeof v->name, "%.*s", (int)sizeof v->name - 1, name); /* a long name is cut */
	v->nnext = v->e->names[bucket(v->name)];
	v->e->names[bucket(v->name)] = v;
}

static void set_state(struct vsl *v, enum vstate st)
{
	v->e->count[v->state]--;
	v->e->count[st]++;
	v->state = st;
}

static unsigned pid_bucket(pid_t pid)
{
	return (unsigned)pid % NBUCKETS;
}

static void pid_add(struct vsl *v, pid_t pid)
{
	v->pid = pid;
	v->pnext = v->e->pids[pid_bucket(pid)];
	v->e->pids[pid_bucket(pid)] = v;
}

static void pid_del(struct vsl *v)
{
	for (struct vsl **pp = &v->e->pids[pid_bucket(v->pid)]; *pp; pp = &(*pp)->pnext)
		if (*pp == v) {
			*pp = v->pnext;
			break;
		}
	v->pid = 0;
}

static struct vsl *find_pid(struct emperor *e, pid_t pid)
{
	for (struct vsl *v = e->pids[pid_bucket(pid)]; v; v = v->pnext)
		if (v->pid == pid)
			return v;
	return NULL;
}

static void free_deps(struct vsl *v)
{
	for (size_t i = 0; i < v->ndeps; i++)
		free(v->deps[i]);
	v->ndeps = 0;
}

static void vsl_free(struct vsl *v)
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
	free_deps(v);
	sockets_close(&v->ls, false);
	free(v->file);
	free(v->path);
	free(v);
}

/* --- the config: name, depend, stop.timeout ------------------------------------------------------------- */
static void add_deps(struct vsl *v, const char *text)
{
	char buf[512];
	snprintf(buf, sizeof buf, "%s", text);
	for (char *save = NULL, *t = strtok_r(buf, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
		if (v->ndeps == MAXDEPS) {
			log_warn(STEP, "%s: more than %d dependencies: the rest are ignored", v->file, MAXDEPS);
			return;
		}
		v->deps[v->ndeps] = strdup(t);
		if (v->deps[v->ndeps])
			v->ndeps++;
	}
}

/* 0, or -1 after a FILE:LINE line; the vassal keeps what it knew. */
static int vassal_parse(struct vsl *v)
{
	char err[1024];
	struct conf *c = NULL;
	if (conf_load(v->path, &c, err, sizeof err) < 0) {
		log_err(STEP, "%s", err);
		return -1;
	}
	const struct jail *j = conf_jail(c, NULL);
	if (!j) {
		log_err(STEP, "%s: %s: a vassal's file holds one jail", v->path, c->njails ? "several jails" : "no jail");
		conf_free(c);
		return -1;
	}
	struct vsl *other = find_name(v->e, j->name);
	if (other && other != v) {
		log_err(STEP, "%s: jail %s is already governed from %s (a [uwsgi] section takes its file's base name)",
			v->path, j->name, other->file);
		conf_free(c);
		return -1;
	}
	/* Bound here, once, so that connections queue while the vassal dies and comes back (init/sockets.h). */
	if (sockets_open(&v->ls, j, SOCKETS_HOST) != 0) {
		log_err(STEP, "%s: the vassal keeps what it had", v->path);
		conf_free(c);
		return -1;
	}
	name_set(v, j->name);
	/* A reload that keeps the process would keep the old file's command: such a vassal is restarted. */
	bool jailed = jail_backend.wanted && jail_backend.wanted(j);
	v->reread = !jailed || strcmp(jail_get(j, "reload"), "stack") == 0;
	free_deps(v);
	const struct conf_value *deps;
	size_t nd = jail_list(j, "depend", &deps);
	for (size_t i = 0; i < nd; i++)
		add_deps(v, deps[i].text);
	double t = jail_duration(j, "stop.timeout");
	v->stop_timeout = t < 0 ? 10 : t;
	conf_free(c);
	return 0;
}

/* --- the protocol ------------------------------------------------------------------------------------- */
static void say(struct vsl *v, unsigned char byte)
{
	if (v->fd >= 0 && send(v->fd, &byte, 1, MSG_NOSIGNAL) != 1)
		log_errno(STEP, "%s: send %u", v->name, byte);
}

static void start_dependents(struct emperor *e, const char *name)
{
	for (size_t i = 0; i < e->n && e->count[V_WAITING] > 0; i++) {
		struct vsl *w = e->v[i];
		for (size_t d = 0; w->state == V_WAITING && d < w->ndeps; d++)
			if (strcmp(w->deps[d], name) == 0) {
				vassal_spawn(w);
				break;
			}
	}
}

static void on_byte(struct vsl *v, unsigned char byte)
{
	switch (byte) {
	case VASSAL_SPAWNED:
		log_debug(STEP, "vassal %s has been spawned", v->name);
		break;
	case VASSAL_READY:
		if (v->state == V_STARTING || v->state == V_RELOADING) {
			set_state(v, V_RUNNING);
			v->reload_sent = false;
			log_info(STEP, "vassal %s (%s) is ready, pid %ld", v->name, v->file, (long)v->pid);
			start_dependents(v->e, v->name);
			emperor_settle(v->e);
		}
		break;
	case VASSAL_VOLUNTARY:
		/* As uWSGI's Emperor: it is picked up again while its file exists (or stays down if exiled). */
		if (v->state != V_STOPPING)
			log_info(STEP, "vassal %s stops by itself", v->name);
		break;
	case VASSAL_HEARTBEAT:
		/* As uWSGI's Emperor: after the first one, a vassal that goes silent is hung. */
		if (v->e->heartbeat > 0 && v->state != V_STOPPING) {
			v->beat.repeat = v->e->heartbeat;
			ev_timer_again(v->e->loop, &v->beat);
		}
		break;
	case VASSAL_LOYAL:
		break;
	default:
		log_debug(STEP, "vassal %s: unknown byte %u", v->name, byte);
	}
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct vsl *v = CONTAINER(w, struct vsl, io);
	unsigned char buf[64];
	ssize_t n = read(w->fd, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		/* Its process is going; the child watcher decides what next. */
		ev_io_stop(loop, w);
		close(v->fd);
		v->fd = -1;
		return;
	}
	for (ssize_t i = 0; i < n; i++)
		on_byte(v, buf[i]);
}

/* --- processes ---------------------------------------------------------------------------------------- */
/* Reaping looks at one child at a time (waitpid(PID)): waitpid(-1) walks every child we have, and N
 * vassals ending one by one would cost N walks of N. */
static void sweep_child(pid_t pid, void *arg)
{
	struct emperor *e = arg;
	struct vsl *v = find_pid(e, pid);
	int st;
	if (v && v->xfd >= 0)
		return; /* its exit fd tells */
	pid_t r = waitpid(pid, &st, WNOHANG);
	if (v) {
		if (r == pid)
			vassal_exited(v, st);
		return;
	}
	e->orphans_seen++;
	if (r == 0 && kill(pid, SIGKILL) < 0 && errno != ESRCH)
		log_errno(STEP, "kill the orphan %ld", (long)pid);
}

/* A child of ours that is not a vassal was left by one that died (we are its subreaper): none may stay. The
 * dead are reaped here, the living killed and reaped by a later sweep. */
static void sweep_orphans(struct emperor *e)
{
	if (proc_children(sweep_child, e) < 0 && !e->orphans_warned) {
		log_errno(STEP, "list the orphans to kill");
		e->orphans_warned = true; /* once: this runs after every burst of reaps */
	}
}

/* At exit, once every vassal is gone: a killed orphan hands its own children to us, so sweep and reap
 * until none is left (for a few seconds at most: a process stuck in the kernel may not die). */
static void drain_orphans(struct emperor *e)
{
	for (int round = 0; round < 500; round++) {
		e->orphans_seen = 0;
		sweep_orphans(e);
		if (e->orphans_seen == 0)
			return;
		usleep(10000);
	}
	log_warn(STEP, "some orphans did not die");
}

static void sweep_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	sweep_orphans(CONTAINER(w, struct emperor, sweep));
}

/* After a reap. DEAD: a vassal just reaped, whose whole subtree goes where the system can name it (0: none);
 * the rest is swept soon, once for a whole burst of reaps (5,000 vassals stopping are 5,000 reaps). */
static void kill_orphans(struct emperor *e, pid_t dead)
{
	if (dead > 0 && proc_kill_subtree(dead) < 0)
		log_errno(STEP, "kill what vassal pid %ld left", (long)dead);
	if (!ev_is_active(&e->sweep)) {
		ev_timer_set(&e->sweep, SWEEP, 0.);
		ev_timer_start(e->loop, &e->sweep);
	}
}

static void kill_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct vsl *v = CONTAINER(w, struct vsl, timer);
	if (v->pid <= 0)
		return;
	log_warn(STEP, "vassal %s did not stop in %.0f s: SIGKILL", v->name, v->stop_timeout + KILL_MARGIN);
	kill(-v->pid, SIGKILL);
	kill(v->pid, SIGKILL);
}

static void beat_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	struct vsl *v = CONTAINER(w, struct vsl, beat);
	ev_timer_stop(loop, w);
	if (v->pid <= 0 || v->state == V_STOPPING)
		return;
	log_warn(STEP, "vassal %s sent no heartbeat in %.0f s: SIGKILL, then respawn", v->name, v->e->heartbeat);
	kill(-v->pid, SIGKILL);
	kill(v->pid, SIGKILL);
}

/* TERM to the vassal (its keeper stops the jail), KILL to its process group after its stop time. AFTER: what
 * its exit leads to (the emperor's own stop and a removed file win over it). */
static void vassal_stop(struct vsl *v, enum after after)
{
	struct emperor *e = v->e;
	ev_timer_stop(e->loop, &v->timer);
	v->after = after;
	if (v->pid <= 0) {
		set_state(v, V_STOPPED);
		return;
	}
	if (v->state == V_STOPPING)
		return;
	log_info(STEP, "stopping vassal %s, pid %ld", v->name, (long)v->pid);
	set_state(v, V_STOPPING);
	ev_timer_stop(e->loop, &v->beat);
	/* The byte tells the vassal the stop is ours (no "voluntary shutdown" back); the signal works without it. */
	say(v, VASSAL_STOP);
	if (kill(v->pid, SIGTERM) < 0 && errno != ESRCH)
		log_errno(STEP, "kill -TERM %ld", (long)v->pid);
	ev_timer_init(&v->timer, kill_cb, v->stop_timeout + KILL_MARGIN, 0.);
	ev_timer_start(e->loop, &v->timer);
}

static void respawn_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct vsl *v = CONTAINER(w, struct vsl, timer);
	v->restarts++;
	vassal_spawn(v);
}

/* The respawn after an end: the throttle to start with, doubled for each end that comes quickly after a
 * start, up to the maximum; a vassal that ran STEADY seconds starts over. */
static void throttle(struct vsl *v)
{
	struct emperor *e = v->e;
	if (ev_now(e->loop) - v->started >= STEADY || v->delay <= 0)
		v->delay = e->throttle;
	else
		v->delay = v->delay * 2 > e->max_throttle ? e->max_throttle : v->delay * 2;
	log_info(STEP, "vassal %s ended (exit %d): respawn in %.0f ms", v->name, v->last_exit, v->delay * 1000);
	set_state(v, V_THROTTLED);
	ev_timer_init(&v->timer, respawn_cb, v->delay, 0.);
	ev_timer_start(e->loop, &v->timer);
}

static void exit_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	struct vsl *v = CONTAINER(w, struct vsl, exit);
	int st = 0;
	pid_t r = waitpid(v->pid, &st, WNOHANG);
	if (r == 0 || (r < 0 && errno == EINTR))
		return;
	if (r < 0)
		log_errno(STEP, "%s: reap pid %ld", v->name, (long)v->pid);
	vassal_exited(v, st);
}

/* Its process was reaped with status ST. */
static void vassal_exited(struct vsl *v, int st)
{
	struct emperor *e = v->e;
	struct ev_loop *loop = e->loop;
	pid_t dead = v->pid;
	if (v->xfd >= 0) {
		ev_io_stop(loop, &v->exit);
		close(v->xfd);
		v->xfd = -1;
	}
	ev_timer_stop(loop, &v->timer);
	ev_timer_stop(loop, &v->beat);
	if (v->fd >= 0) {
		ev_io_stop(loop, &v->io);
		close(v->fd);
		v->fd = -1;
	}
	v->last_exit = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
	pid_del(v);
	e->live--;
	kill_orphans(e, dead);
	if (e->stopping || v->gone || (v->state == V_STOPPING && v->after == AFTER_DOWN)) {
		log_info(STEP, "vassal %s stopped (exit %d)", v->name, v->last_exit);
		set_state(v, V_STOPPED);
		if (v->gone)
			vsl_free(v);
		if (e->stopping)
			emperor_stop_next(e);
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_EXILE) {
		log_info(STEP, "vassal %s exiled itself (exit %d): it stays down until its file changes", v->name,
			 EXIT_EXILE);
		set_state(v, V_EXILED);
	} else if (v->state == V_STOPPING || v->reload_sent) {
		/* Ended for a reload or a restart we asked for: at once, whatever its status. */
		log_info(STEP, "vassal %s exited for its reload (exit %d): respawning", v->name, v->last_exit);
		v->restarts++;
		vassal_spawn(v);
	} else {
		throttle(v);
	}
	emperor_settle(e);
}

static bool deps_ready(struct vsl *v)
{
	for (size_t i = 0; i < v->ndeps; i++) {
		struct vsl *d = find_name(v->e, v->deps[i]);
		if (!d || d->state != V_RUNNING) {
			if (!v->waited)
				log_info(STEP, "vassal %s waits for %s", v->name, v->deps[i]);
			v->waited = true;
			return false;
		}
	}
	return true;
}

/* In the child: a clean slate, then `warder run -c PATH` with its listening sockets as fds 3.. (LISTEN_FDS,
 * systemd's convention) and the protocol socket after them. */
static void exec_vassal(struct vsl *v, const char *self, int fd)
{
	int fds[65];
	char num[16];
	size_t n = sockets_export(&v->ls, v->name, fds, 64);
	fds[n] = fd;
	char *argv[] = {"warder", "run", "-c", v->path, NULL};
	sigset_t none;
	setpgid(0, 0);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int null = open("/dev/null", O_RDONLY);
	if (null < 0 || dup2(null, 0) < 0 || sockets_place(fds, (int)n + 1, 3) < 0) {
		perror("warder: emperor: vassal fds");
		_exit(EXIT_OSERR);
	}
	closefrom(4 + (unsigned)n);
	snprintf(num, sizeof num, "%zu", 3 + n);
	setenv("UWSGI_EMPEROR_FD", num, 1);
	execv(self, argv);
	fprintf(stderr, "warder: emperor: exec %s: %s\n", self, strerror(errno));
	_exit(EXIT_NOEXEC);
}

static void vassal_spawn(struct vsl *v)
{
	struct emperor *e = v->e;
	if (e->stopping || v->gone || v->pid > 0 || !deps_ready(v)) {
		if (!e->stopping && !v->gone && v->pid <= 0)
			set_state(v, V_WAITING);
		return;
	}
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		log_errno(STEP, "%s: socketpair", v->name);
		throttle(v);
		return;
	}
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid_t pid = fork();
	if (pid == 0)
		exec_vassal(v, e->self, sp[1]);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(sp[1]);
	if (pid < 0) {
		log_errno(STEP, "%s: fork", v->name);
		close(sp[0]);
		throttle(v);
		return;
	}
	setpgid(pid, pid); /* also here: a stop may come before the child ran */
	pid_add(v, pid);
	v->fd = sp[0];
	v->reload_sent = v->waited = false;
	v->after = AFTER_DOWN;
	set_state(v, V_STARTING);
	v->started = ev_now(e->loop);
	e->live++;
	fcntl(v->fd, F_SETFL, O_NONBLOCK);
	ev_io_init(&v->io, io_cb, v->fd, EV_READ);
	ev_io_start(e->loop, &v->io);
	/* Without an exit fd (too many open files) the sweep that every SIGCHLD arms reaps it. */
	if ((v->xfd = proc_exit_fd(pid)) < 0) {
		log_errno(STEP, "%s: watch pid %ld", v->name, (long)pid);
	} else {
		ev_io_init(&v->exit, exit_cb, v->xfd, EV_READ);
		ev_io_start(e->loop, &v->exit);
	}
	log_info(STEP, "vassal %s (%s) spawned, pid %ld", v->name, v->file, (long)pid);
}

/* FILE_CHANGED: the new file must take effect, so a vassal whose reload keeps its process (init-only, reload =
 * stack) is stopped and started again instead. One that is down (throttled, exiled, stopped) starts now. */
static void vassal_reload(struct vsl *v, bool file_changed)
{
	if (v->pid <= 0) {
		ev_timer_stop(v->e->loop, &v->timer);
		vassal_spawn(v);
		return;
	}
	if (v->state == V_STOPPING) {
		if (v->after == AFTER_DOWN && !v->gone)
			v->after = AFTER_RESPAWN;
		return;
	}
	if (file_changed && v->reread) {
		log_info(STEP, "restarting vassal %s, pid %ld, for its new file", v->name, (long)v->pid);
		vassal_stop(v, AFTER_RESPAWN);
		return;
	}
	log_info(STEP, "reloading vassal %s, pid %ld", v->name, (long)v->pid);
	v->reload_sent = true;
	set_state(v, V_RELOADING);
	say(v, VASSAL_RELOAD);
}

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
			set_state(v, V_BAD);
		return;
	}
	if (was_bad)
		set_state(v, V_STOPPED);
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
	file_recheck(CONTAINER(w, struct vsl, settle));
}

static void stat_cb(struct ev_loop *loop, ev_stat *w, int revents)
{
	(void)loop, (void)revents;
	file_recheck(CONTAINER(w, struct vsl, st));
}

static struct vsl *vassal_new(struct emperor *e, const char *file)
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
	name_set(v, file);
	v->hnext = e->hash[bucket(file)];
	e->hash[bucket(file)] = v;
	v->idx = e->n;
	e->v[e->n++] = v;
	ev_timer_init(&v->timer, respawn_cb, 0., 0.);
	ev_timer_init(&v->beat, beat_cb, 0., 0.);
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

static void scan(struct emperor *e)
{
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
		struct vsl *v = find_file(e, de->d_name);
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

static void dir_cb(struct ev_loop *loop, ev_stat *w, int revents)
{
	(void)loop, (void)revents;
	scan(CONTAINER(w, struct emperor, dirw));
}

static void scan_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	scan(CONTAINER(w, struct emperor, scan));
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
static void emperor_stop_next(struct emperor *e)
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

static void emperor_stop(struct emperor *e)
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

static void emperor_reload(struct emperor *e)
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
static void emperor_settle(struct emperor *e)
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
	kill_orphans(CONTAINER(w, struct emperor, chld), 0);
}

/* --- the control socket ------------------------------------------------------------------------------- */
static void status_json(struct emperor *e, struct ctl_out *o)
{
	ctl_put(o, "{\"name\":\"emperor\",\"pid\":%ld,\"dir\":", (long)getpid());
	ctl_put_str(o, e->dir);
	ctl_put(o, ",\"state\":\"%s\",\"vassals\":[", e->stopping ? "stopping" : "running");
	for (size_t i = 0; i < e->n; i++) {
		const struct vsl *v = e->v[i];
		ctl_put(o, "%s{\"name\":", i ? "," : "");
		ctl_put_str(o, v->name);
		ctl_put(o, ",\"file\":");
		ctl_put_str(o, v->file);
		ctl_put(o, ",\"pid\":%ld,\"state\":\"%s\",\"restarts\":%d,\"last_exit\":", (long)v->pid,
			state_names[v->state], v->restarts);
		/* As a jail's own status: null until it first ended. */
		if (v->last_exit < 0)
			ctl_put(o, "null");
		else
			ctl_put(o, "%d", v->last_exit);
		ctl_put(o, ",\"delay_ms\":%.0f}", v->delay * 1000);
	}
	ctl_put(o, "]}\n");
}

/* `warder ctl emperor stop|start|reload VASSAL`: by its jail's name or its file's name. */
static void ctl_vassal_cb(enum ctl_req req, const char *target, struct ctl_out *out, void *arg)
{
	struct emperor *e = arg;
	struct vsl *v = find_file(e, target);
	if (!v)
		v = find_name(e, target);
	if (!v || v->gone) {
		control_answer(out, "no such vassal");
		return;
	}
	if (e->stopping) {
		control_answer(out, "the emperor is stopping");
		return;
	}
	if ((req == CTL_START || req == CTL_RELOAD) && (v->state == V_BAD || v->state == V_SETTLING)) {
		control_answer(out, v->state == V_BAD ? "its file has an error: fix the file" : "its file is settling");
		return;
	}
	switch (req) {
	case CTL_STOP:
		log_info(STEP, "vassal %s: stop requested; it stays down until its file changes or `start`", v->name);
		ev_timer_stop(e->loop, &v->timer);
		vassal_stop(v, AFTER_DOWN);
		break;
	case CTL_START:
		if (v->pid > 0) {
			control_answer(out, "it runs");
			return;
		}
		v->delay = 0; /* a start by hand is not a crash loop */
		vassal_reload(v, false);
		break;
	case CTL_RELOAD:
		vassal_reload(v, false);
		break;
	default:
		control_answer(out, "bad request");
		return;
	}
	control_answer(out, NULL);
}

static void ctl_cb(enum ctl_req req, struct ctl_out *out, void *arg)
{
	struct emperor *e = arg;
	switch (req) {
	case CTL_STATUS:
		status_json(e, out);
		break;
	case CTL_RELOAD:
		emperor_reload(e);
		control_answer(out, NULL);
		break;
	case CTL_STOP:
		control_answer(out, NULL);
		emperor_stop(e);
		break;
	default:
		control_answer(out, "bad request");
	}
}

/* --- the command line ------------------------------------------------------------------------------------ */
static const char emperor_usage[] =
	"usage: warder emperor [-v] [-q] [-t|--emperor-throttle MS] [--emperor-max-throttle MS] [--heartbeat SECS]\n"
	"                      [--control PATH] DIR\n";

static int secs_arg(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (*end || end == s || !(v >= 0 && v <= 86400)) {
		fprintf(stderr, "warder emperor: %s: not a number of seconds\n%s", s, emperor_usage);
		return -1;
	}
	*out = v;
	return 0;
}

static int ms_arg(const char *s, double *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || end == s || v < 0 || v > 86400000) {
		fprintf(stderr, "warder emperor: %s: not a number of milliseconds\n%s", s, emperor_usage);
		return -1;
	}
	*out = (double)v / 1000;
	return 0;
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
	ev_init(&e->sweep, sweep_cb);
	ev_stat_init(&e->dirw, dir_cb, e->dir, 0.);
	ev_stat_start(e->loop, &e->dirw);
	ev_timer_init(&e->scan, scan_cb, RESCAN, RESCAN);
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

static int emperor_run(struct emperor *e, const char *ctl)
{
	char buf[600];
	if (!ctl)
		ctl = control_default_path("emperor", buf, sizeof buf);
	if (ctl && !(e->ctl = control_open(e->loop, ctl, geteuid(), ctl_cb, e)))
		return EXIT_OSERR;
	if (e->ctl)
		control_serve_targets(e->ctl, ctl_vassal_cb);
	if (sup_become_reaper() < 0)
		log_errno(STEP, "cannot become a child subreaper");
	watch(e);
	log_info(STEP, "governing %s", e->dir);
	scan(e);
	emperor_settle(e);
	ev_run(e->loop, 0);
	drain_orphans(e);
	log_info(STEP, "every vassal is gone");
	unwatch(e);
	control_close(e->ctl);
	e->ctl = NULL;
	return 0;
}

int cmd_emperor(int argc, char **argv)
{
	/* uWSGI's names, and the short ones warder had first. */
	static const struct option longopts[] = {
		{"emperor-throttle", required_argument, NULL, 't'}, {"throttle", required_argument, NULL, 't'},
		{"emperor-max-throttle", required_argument, NULL, 'M'}, {"max-throttle", required_argument, NULL, 'M'},
		{"control", required_argument, NULL, 'C'},
		{"heartbeat", required_argument, NULL, 'H'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	struct emperor e = {.throttle = 1.0, .max_throttle = 180.0, .heartbeat = 30.0};
	const char *ctl = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+t:vqh", longopts, NULL)) != -1) {
		switch (opt) {
		case 't': if (ms_arg(optarg, &e.throttle) < 0) return EXIT_USAGE; break;
		case 'M': if (ms_arg(optarg, &e.max_throttle) < 0) return EXIT_USAGE; break;
		case 'H': if (secs_arg(optarg, &e.heartbeat) < 0) return EXIT_USAGE; break;
		case 'C': ctl = optarg; break;
		case 'v': log_level = log_level < LOG_DEBUG ? log_level + 1 : LOG_DEBUG; break;
		case 'q': log_level = LOG_QUIET; break;
		case 'h': fputs(emperor_usage, stdout); return 0;
		default: fputs(emperor_usage, stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fputs(emperor_usage, stderr);
		return EXIT_USAGE;
	}
	if (e.max_throttle < e.throttle)
		e.max_throttle = e.throttle;
	e.dir = realpath(argv[optind], NULL);
	struct stat st;
	if (!e.dir || stat(e.dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		log_err(STEP, "%s: %s", argv[optind], e.dir ? "not a directory" : strerror(errno));
		free(e.dir);
		return EXIT_USAGE;
	}
	/* Now, while the name still leads to this file: vassals start from it for as long as we run. */
	if (proc_self_path(e.self, sizeof e.self) < 0) {
		log_errno(STEP, "find this executable's path");
		free(e.dir);
		return EXIT_OSERR;
	}
	/* Not the default loop: that one reaps with waitpid(-1) on every SIGCHLD (see sweep_child). */
	e.loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOENV);
	if (!e.loop) {
		log_errno(STEP, "event loop");
		free(e.dir);
		return EXIT_OSERR;
	}
	char who[PATH_MAX + 16];
	snprintf(who, sizeof who, "emperor of %s", e.dir);
	int code = sdnotify_start(e.loop, who) < 0 ? EXIT_OSERR : emperor_run(&e, ctl);
	sdnotify_end(code);
	ev_loop_destroy(e.loop);
	free(e.dir);
	return code;
}
