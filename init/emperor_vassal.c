/* emperor_vassal: one vassal's process. Its config (name, depend, stop.timeout), the protocol bytes, the
 * spawn (`warder run -c FILE` with its sockets), its exit (an exit fd per vassal, reaped by pid), the throttled
 * respawn, the stop, and the orphans that dead vassals leave to us (the emperor is their subreaper); above them,
 * the emperor's stop and reload of every vassal. It calls only emperor_state.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "emperor.h"
#include "exits.h"
#include "jail.h"
#include "log.h"
#include "proc.h"
#include "sdnotify.h"
#include "vassal.h"

static void vassal_exited(struct vsl *v, int status);

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
		char **nd = realloc(v->deps, (v->ndeps + 1) * sizeof *nd); /* to size: most vassals have none */
		if (!nd)
			return;
		v->deps = nd;
		v->deps[v->ndeps] = strdup(t);
		if (v->deps[v->ndeps])
			v->ndeps++;
	}
}

/* 0, or -1 after a FILE:LINE line; the vassal keeps what it knew. */
int vassal_parse(struct vsl *v)
{
	char err[1024], buf[PATH_MAX];
	const char *path = vsl_path(v, buf);
	struct conf *c = NULL;
	if (conf_load(path, &c, err, sizeof err) < 0) {
		log_err(STEP, "%s", err);
		return -1;
	}
	const struct jail *j = conf_jail(c, NULL);
	if (!j) {
		log_err(STEP, "%s: %s: a vassal's file holds one jail", path, c->njails ? "several jails" : "no jail");
		conf_free(c);
		return -1;
	}
	struct vsl *other = vsl_find_name(v->e, j->name);
	if (other && other != v) {
		log_err(STEP, "%s: jail %s is already governed from %s (a [uwsgi] section takes its file's base name)",
			path, j->name, other->file);
		conf_free(c);
		return -1;
	}
	/* Bound here, once, so that connections queue while the vassal dies and comes back (init/sockets.h). */
	if (sockets_open(&v->ls, j, SOCKETS_HOST) != 0) {
		log_err(STEP, "%s: the vassal keeps what it had", path);
		conf_free(c);
		return -1;
	}
	if (vsl_name_set(v, j->name) < 0) {
		log_errno(STEP, "%s", path);
		conf_free(c);
		return -1;
	}
	/* A reload that keeps the process would keep the old file's command: such a vassal is restarted. */
	bool jailed = jail_backend.wanted && jail_backend.wanted(j);
	v->reread = !jailed || strcmp(jail_get(j, "reload"), "stack") == 0;
	vsl_free_deps(v);
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
			vsl_set_state(v, V_RUNNING);
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
			ev_set_cb(&v->timer, vassal_beat_cb); /* running, not stopping: the timer is free */
			v->timer.repeat = v->e->heartbeat;
			ev_timer_again(v->e->loop, &v->timer);
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
	struct vsl *v = container_of(w, struct vsl, io);
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
	struct vsl *v = vsl_find_pid(e, pid);
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
void emperor_drain_orphans(struct emperor *e)
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

void emperor_sweep_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	sweep_orphans(container_of(w, struct emperor, sweep));
}

/* After a reap. DEAD: a vassal just reaped, whose whole subtree goes where the system can name it (0: none);
 * the rest is swept soon, once for a whole burst of reaps (5,000 vassals stopping are 5,000 reaps). */
void emperor_kill_orphans(struct emperor *e, pid_t dead)
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
	struct vsl *v = container_of(w, struct vsl, timer);
	if (v->pid <= 0)
		return;
	log_warn(STEP, "vassal %s did not stop in %.0f s: SIGKILL", v->name, v->stop_timeout + KILL_MARGIN);
	kill(-v->pid, SIGKILL);
	kill(v->pid, SIGKILL);
}

void vassal_beat_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	struct vsl *v = container_of(w, struct vsl, timer);
	ev_timer_stop(loop, w);
	if (v->pid <= 0 || v->state == V_STOPPING)
		return;
	log_warn(STEP, "vassal %s sent no heartbeat in %.0f s: SIGKILL, then respawn", v->name, v->e->heartbeat);
	kill(-v->pid, SIGKILL);
	kill(v->pid, SIGKILL);
}

/* TERM to the vassal (its keeper stops the jail), KILL to its process group after its stop time. AFTER: what
 * its exit leads to (the emperor's own stop and a removed file win over it). */
void vassal_stop(struct vsl *v, enum after after)
{
	struct emperor *e = v->e;
	v->after = after;
	if (v->pid > 0 && v->state == V_STOPPING)
		return; /* its timer is the SIGKILL after stop.timeout: a second stop must not cancel it */
	ev_timer_stop(e->loop, &v->timer);
	if (v->pid <= 0) {
		vsl_set_state(v, V_STOPPED);
		return;
	}
	log_info(STEP, "stopping vassal %s, pid %ld", v->name, (long)v->pid);
	vsl_set_state(v, V_STOPPING);
	/* The byte tells the vassal the stop is ours (no "voluntary shutdown" back); the signal works without it. */
	say(v, VASSAL_STOP);
	if (kill(v->pid, SIGTERM) < 0 && errno != ESRCH)
		log_errno(STEP, "kill -TERM %ld", (long)v->pid);
	ev_timer_init(&v->timer, kill_cb, v->stop_timeout + KILL_MARGIN, 0.);
	ev_timer_start(e->loop, &v->timer);
}

void vassal_respawn_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct vsl *v = container_of(w, struct vsl, timer);
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
	vsl_set_state(v, V_THROTTLED);
	ev_timer_init(&v->timer, vassal_respawn_cb, v->delay, 0.);
	ev_timer_start(e->loop, &v->timer);
}

static void exit_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	struct vsl *v = container_of(w, struct vsl, exit);
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
	if (v->fd >= 0) {
		ev_io_stop(loop, &v->io);
		close(v->fd);
		v->fd = -1;
	}
	v->last_exit = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
	vsl_pid_del(v);
	e->live--;
	emperor_kill_orphans(e, dead);
	if (e->stopping || v->gone || (v->state == V_STOPPING && v->after == AFTER_DOWN)) {
		log_info(STEP, "vassal %s stopped (exit %d)", v->name, v->last_exit);
		vsl_set_state(v, V_STOPPED);
		if (v->gone)
			vsl_free(v);
		if (e->stopping)
			emperor_stop_next(e);
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == EXIT_EXILE) {
		log_info(STEP, "vassal %s exiled itself (exit %d): it stays down until its file changes", v->name,
			 EXIT_EXILE);
		vsl_set_state(v, V_EXILED);
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
		struct vsl *d = vsl_find_name(v->e, v->deps[i]);
		if (!d || d->state != V_RUNNING) {
			if (!v->waited)
				log_info(STEP, "vassal %s waits for %s", v->name, v->deps[i]);
			v->waited = true;
			return false;
		}
	}
	return true;
}

extern char **environ;

/* The vassal's environment: ours without LISTEN_* and UWSGI_EMPEROR_FD, then its own (LISTEN_FDS, systemd's
 * convention, when it has sockets; the protocol socket's number). Built before the vfork: the child shares our
 * memory, so it may not malloc or setenv; it writes its pid into PID. */
struct venv {
	char **env;
	char *names; /* LISTEN_FDNAMES=... */
	char fds[32], pid[32], efd[40];
	int fdv[65]; /* its sockets, then the protocol socket: fds 3.. in the child */
	int nfd;
};

static bool ours(const char *var)
{
	static const char *const names[] = {"LISTEN_FDS=", "LISTEN_FDNAMES=", "LISTEN_PID=", "UWSGI_EMPEROR_FD="};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strncmp(var, names[i], strlen(names[i])) == 0)
			return true;
	return false;
}

static int venv_build(struct venv *ve, const struct vsl *v, int fd)
{
	size_t k = 0, n = 0, o = 0;
	for (size_t i = 0; i < v->ls.n && k < 64; i++)
		if (v->ls.s[i].fd >= 0)
			ve->fdv[k++] = v->ls.s[i].fd;
	ve->fdv[k] = fd;
	ve->nfd = (int)k + 1;
	while (environ[n])
		n++;
	ve->names = NULL;
	if (!(ve->env = calloc(n + 5, sizeof *ve->env)))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!ours(environ[i]))
			ve->env[o++] = environ[i];
	if (k > 0) {
		size_t len = 16 + 64 * 65; /* 64 names (the cap above) of up to 64 bytes and a colon */
		if (!(ve->names = malloc(len))) {
			free(ve->env);
			return -1;
		}
		memcpy(ve->names, "LISTEN_FDNAMES=", 15);
		sockets_names(&v->ls, v->name, ve->names + 15, len - 15);
		snprintf(ve->fds, sizeof ve->fds, "LISTEN_FDS=%zu", k);
		snprintf(ve->pid, sizeof ve->pid, "LISTEN_PID=");
		ve->env[o++] = ve->fds;
		ve->env[o++] = ve->names;
		ve->env[o++] = ve->pid;
	}
	snprintf(ve->efd, sizeof ve->efd, "UWSGI_EMPEROR_FD=%zu", 3 + k);
	ve->env[o++] = ve->efd;
	return 0;
}

static void child_say(const char *what, int err)
{
	const char *e = strerror(err);
	struct iovec iov[] = {{(void *)"warder: emperor: ", 17},
			      {(void *)what, strlen(what)},
			      {(void *)": ", 2},
			      {(void *)e, strlen(e)},
			      {(void *)"\n", 1}};
	if (writev(STDERR_FILENO, iov, 5) < 0)
		return;
}

/* In the vfork child, async-signal-safe calls only: a clean slate, then `warder run -c PATH` with its
 * listening sockets as fds 3.. and the protocol socket after them. */
static void __attribute__((noreturn)) exec_vassal(const char *self, char *path, struct venv *ve)
{
	char *argv[] = {"warder", "run", "-c", path, NULL};
	sigset_t none;
	setpgid(0, 0);
	/* Our handlers are libev's: they must not run in the vassal (the dispositions are the child's own). */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || sockets_place(ve->fdv, ve->nfd, 3) < 0) {
		child_say("vassal fds", errno);
		_exit(EXIT_OSERR);
	}
	closefrom(3 + (unsigned)ve->nfd);
	if (ve->names) {
		/* LISTEN_PID=PID, without snprintf */
		char digits[24];
		int n = 0;
		long pid = (long)getpid();
		do
			digits[n++] = (char)('0' + pid % 10);
		while ((pid /= 10) > 0);
		size_t o = strlen(ve->pid);
		while (n > 0 && o + 1 < sizeof ve->pid)
			ve->pid[o++] = digits[--n];
		ve->pid[o] = '\0';
	}
	execve(self, argv, ve->env);
	child_say(self, errno);
	_exit(EXIT_NOEXEC);
}

/* The spawn: in a child that shares our fd table when the vassal's fds fit in the slots (they are put there,
 * and the child copies the table below them alone), else after a vfork, which copies every fd we hold. */
struct spawn {
	const char *self;
	char *path;
	struct venv *ve;
	int below; /* > 0: the table is shared, the child's is the fds below this */
};

static int spawn_child(void *arg)
{
	struct spawn *s = arg;
	if (s->below > 0 && proc_unshare_fds((unsigned)s->below) < 0) {
		child_say("vassal fds", errno);
		_exit(EXIT_OSERR);
	}
	exec_vassal(s->self, s->path, s->ve);
}

/* SLOTS free fds in a row, as low as they come: one we inherited may break a row, which starts again after it. */
void emperor_slots_open(struct emperor *e)
{
	e->slots = -1;
	if ((e->nul = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		return;
	int first = fcntl(e->nul, F_DUPFD_CLOEXEC, 0), n = first < 0 ? 0 : 1;
	for (int tries = 0; n > 0 && n < SLOTS && tries < 64; tries++) {
		int fd = fcntl(e->nul, F_DUPFD_CLOEXEC, first + n);
		if (fd == first + n) {
			n++;
			continue;
		}
		for (int i = 0; i < n; i++)
			close(first + i);
		first = fd;
		n = fd < 0 ? 0 : 1;
	}
	if (n == SLOTS) {
		e->slots = first;
		return;
	}
	for (int i = 0; i < n; i++)
		close(first + i); /* spawns copy the table */
}

void emperor_slots_close(struct emperor *e)
{
	for (int i = 0; e->slots >= 0 && i < SLOTS; i++)
		close(e->slots + i);
	if (e->nul >= 0)
		close(e->nul);
	e->slots = e->nul = -1;
}

static pid_t spawn(struct emperor *e, struct spawn *s)
{
	int n = s->ve->nfd, placed = 0;
	pid_t pid = -1;
	if (e->slots >= 0 && n <= SLOTS) {
		int fdv[SLOTS];
		memcpy(fdv, s->ve->fdv, (size_t)n * sizeof *fdv);
		while (placed < n && dup3(fdv[placed], e->slots + placed, O_CLOEXEC) == e->slots + placed)
			s->ve->fdv[placed] = e->slots + placed, placed++;
		if (placed == n) {
			s->below = e->slots + n;
			pid = proc_vfork_shared(spawn_child, s);
		}
		int err = errno;
		for (int i = 0; i < placed; i++)
			if (dup3(e->nul, e->slots + i, O_CLOEXEC) < 0)
				log_errno(STEP, "put /dev/null back in fd %d", e->slots + i);
		memcpy(s->ve->fdv, fdv, (size_t)n * sizeof *fdv);
		errno = err;
		if (pid > 0 || (placed == n && errno != ENOSYS))
			return pid;
		if (placed == n)
			emperor_slots_close(e); /* no shared spawn here */
	}
	/* vfork: a fork would copy our page tables and then fault in our pages again, per vassal. */
	s->below = 0;
	pid = vfork();
	if (pid == 0)
		spawn_child(s);
	return pid;
}

void vassal_spawn(struct vsl *v)
{
	struct emperor *e = v->e;
	if (e->stopping || v->gone || v->pid > 0 || !deps_ready(v)) {
		if (!e->stopping && !v->gone && v->pid <= 0)
			vsl_set_state(v, V_WAITING);
		return;
	}
	int sp[2] = {-1, -1};
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0 || fcntl(sp[0], F_SETFL, O_NONBLOCK) < 0) {
		log_errno(STEP, "%s: socketpair", v->name);
		if (sp[0] >= 0)
			close(sp[0]), close(sp[1]);
		throttle(v);
		return;
	}
	struct venv ve;
	if (venv_build(&ve, v, sp[1]) < 0) {
		log_errno(STEP, "%s: its environment", v->name);
		close(sp[0]), close(sp[1]);
		throttle(v);
		return;
	}
	char path[PATH_MAX];
	struct spawn s = {.self = e->self, .path = (char *)vsl_path(v, path), .ve = &ve};
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid_t pid = spawn(e, &s);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(ve.env);
	free(ve.names);
	close(sp[1]);
	if (pid < 0) {
		log_errno(STEP, "%s: fork", v->name);
		close(sp[0]);
		throttle(v);
		return;
	}
	setpgid(pid, pid); /* also here: a stop may come before the child ran */
	vsl_pid_add(v, pid);
	v->fd = sp[0];
	v->reload_sent = v->waited = false;
	v->after = AFTER_DOWN;
	vsl_set_state(v, V_STARTING);
	v->started = ev_now(e->loop);
	e->live++;
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
void vassal_reload(struct vsl *v, bool file_changed)
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
	vsl_set_state(v, V_RELOADING);
	say(v, VASSAL_RELOAD);
}

/* --- every vassal: the emperor's stop (dependents first) and reload ----------------------------------- */
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
	ev_timer_stop(e->loop, &e->settle);
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i]->pid <= 0)
			ev_timer_stop(e->loop, &e->v[i]->timer);
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
