/* emperor: the parts of `warder emperor` (init/cmd_emperor.c is its command line). The layers, bottom up; a
 * part calls those below it, never one above:
 *   emperor_state.c   the vassal table (by file, name and pid), the counts by state, READY=1
 *   emperor_vassal.c  one vassal's process: its config, the protocol, spawn, exit and respawn, orphans; the
 *                     emperor's stop (dependents first) and reload of every vassal
 *   emperor_dir.c     the directory: scan, watch, settle, file -> vassal
 *   emperor_ctl.c     the control socket's answers
 *   emperor_run.c     signals, the watches set up, the loop; what is left at the end
 * One vassal, a `warder run -c DIR/FILE` child, per *.conf or *.ini file in DIR: spawned once the file has
 * settled (after the vassals it depends on are ready), respawned whenever it ends while its file exists (a delay
 * that doubles while it keeps dying quickly), reloaded when the file changes, stopped when the file goes. It
 * stays down only after exiting with the exile code (26, uWSGI's), after `warder ctl emperor stop NAME`, or when
 * the emperor stops. The emperor talks to each vassal over uWSGI's Emperor protocol (init/vassal.h) and serves a
 * control socket in `warder ctl`'s format. */
#ifndef WARDER_EMPEROR_H
#define WARDER_EMPEROR_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ev.h>

#include "container_of.h"
#include "control.h"
#include "sockets.h"

#define STEP "emperor"
#define RESCAN 1.0      /* seconds between rescans: what the directory watch does not name */
#define SETTLE 0.3      /* a file is read once it went unchanged this long: not while it is being written */
#define SWEEP 0.1       /* orphans are looked for at most this often: a /proc read per reap is quadratic */
#define STEADY 10.0     /* a vassal that ran this long starts its throttle over */
#define KILL_MARGIN 5.0 /* seconds past a vassal's stop.timeout before SIGKILL */
#define NBUCKETS 1024
#define MAXDEPS 16
#define NAME_MAX_LEN 127
#define SLOTS 8 /* fds kept low for a spawn: a vassal's sockets and its protocol socket, when that many */

enum vstate {
	V_SETTLING,
	V_BAD,
	V_WAITING,
	V_THROTTLED,
	V_STARTING,
	V_RUNNING,
	V_RELOADING,
	V_STOPPING,
	V_STOPPED,
	V_EXILED,
};

/* What follows a vassal's exit after the emperor stopped it. */
enum after { AFTER_DOWN, AFTER_RESPAWN };

struct emperor;

/* What a file's change is told by (a struct stat is 144 bytes, times N vassals, twice). */
struct fstamp {
	ino_t ino;
	off_t size;
	struct timespec mtim;
};

/* A file that changed and is not yet acted upon, while it settles: kept aside, as few settle at a time. */
struct settling {
	struct vsl *v;
	struct settling *prev, *next; /* the queue, by DUE: each is queued SETTLE from its time */
	struct fstamp pending;        /* the file as last seen */
	ev_tstamp pending_at;         /* when PENDING was first seen as it is */
	ev_tstamp due;                /* while queued: when to look at it again */
	bool queued;
};

/* One per file: N of them, so its size is most of the emperor's memory (fields ordered to leave no holes). */
struct vsl {
	struct emperor *e;
	struct vsl *hnext; /* hash chain by file name */
	struct vsl *pnext; /* hash chain by pid, while it has one */
	struct vsl *nnext; /* hash chain by name */
	char *name;        /* the jail's name (cut to NAME_MAX_LEN bytes); the file name until it parses */
	char **deps;       /* the names it depends on: NDEPS of them, at most MAXDEPS */
	double stop_timeout;
	struct fstamp seen;  /* the file as last acted upon */
	struct settling *st; /* a change not yet acted upon: settling */
	double delay;        /* the throttle: the latest respawn's delay, 0 before any */
	ev_tstamp started;
	unsigned idx; /* its place in e->v */
	unsigned gen; /* scan generation it was last seen in */
	pid_t pid;
	int fd;                  /* our end of the protocol socket */
	int xfd;                 /* readable once its process has exited (proc_exit_fd); -1: the sweep reaps it */
	int restarts, last_exit; /* last_exit: -1 until it first ended */
	enum vstate state;
	enum after after;
	unsigned char ndeps;
	bool gone; /* the file was removed: free it once its process is gone */
	bool reload_sent, waited;
	bool reread; /* a changed file needs a new process: init-only, or reload = stack */
	ev_io io;
	ev_io exit;
	/* The respawn delay while it has no process, the kill after the stop's time while it stops, else the
	 * heartbeat (armed by the first one: the vassal must send the next in time); never two at once. */
	ev_timer timer;
	struct sockset ls; /* its `listen` sockets: held here across its deaths, passed to each new process */
	char file[];       /* its name in DIR; DIR/FILE is made where it is needed (vsl_path) */
};

struct emperor {
	struct ev_loop *loop;
	char *dir;
	double throttle, max_throttle;
	double heartbeat; /* seconds of silence after which a vassal that sent heartbeats is killed; 0: never */
	struct vsl **v;
	size_t n, cap;
	struct vsl *hash[NBUCKETS];
	struct vsl *pids[NBUCKETS];
	struct vsl *names[NBUCKETS];
	size_t count[V_EXILED + 1]; /* vassals in each state: no walk of the table per event */
	unsigned gen;
	size_t live;        /* vassals with a process */
	size_t unsignalled; /* while stopping: vassals with a process not yet told to stop */
	bool stopping;
	int ifd; /* the inotify watch on DIR; -1: DIRW, a stat watcher */
	ev_io dirio;
	ev_stat dirw;
	ev_timer scan;
	struct settling *shead, *stail; /* the files settling, by the time they are due */
	ev_timer settle;                /* at the first one's */
	ev_signal term, intr, hup;
	ev_signal chld;
	ev_timer sweep;
	struct control *ctl;
	bool orphans_warned;
	size_t orphans_seen; /* counted by each sweep */
	int slots;           /* SLOTS fds from here hold /dev/null (NUL): a spawn puts its fds there; -1: none */
	int nul;
	char self[PATH_MAX]; /* this executable, resolved at start: what every vassal runs */
};

/* emperor_state.c */
struct vsl *vsl_find_file(struct emperor *e, const char *file);
struct vsl *vsl_find_name(struct emperor *e, const char *name); /* one whose config parsed */
struct vsl *vsl_find_pid(struct emperor *e, pid_t pid);
int vsl_name_set(struct vsl *v, const char *name); /* -1: out of memory, the name stays */
void vsl_set_state(struct vsl *v, enum vstate st);
void vsl_pid_add(struct vsl *v, pid_t pid);
void vsl_pid_del(struct vsl *v);
void vsl_free_deps(struct vsl *v);
struct vsl *vsl_new(struct emperor *e, const char *file);      /* NULL with errno */
const char *vsl_path(const struct vsl *v, char buf[PATH_MAX]); /* DIR/FILE in BUF */
void vsl_free(struct vsl *v);
struct settling *vsl_settling(struct vsl *v); /* V's, made if none; NULL: out of memory */
void vsl_settle_queue(struct vsl *v, ev_tstamp due);
void vsl_settle_unqueue(struct vsl *v);
void vsl_settle_drop(struct vsl *v); /* unqueued and freed */
void emperor_settle(struct emperor *e);

/* emperor_vassal.c */
int vassal_parse(struct vsl *v);
void vassal_spawn(struct vsl *v);
void vassal_stop(struct vsl *v, enum after after);
void vassal_reload(struct vsl *v, bool file_changed);
void vassal_respawn_cb(struct ev_loop *loop, ev_timer *w, int revents);
void vassal_beat_cb(struct ev_loop *loop, ev_timer *w, int revents);
void emperor_slots_open(struct emperor *e);
void emperor_slots_close(struct emperor *e);
void emperor_kill_orphans(struct emperor *e, pid_t dead);
void emperor_sweep_cb(struct ev_loop *loop, ev_timer *w, int revents);
void emperor_drain_orphans(struct emperor *e);
void emperor_stop_next(struct emperor *e);
void emperor_stop(struct emperor *e);
void emperor_reload(struct emperor *e);

/* emperor_dir.c */
void emperor_scan(struct emperor *e);
void emperor_dir_watch(struct emperor *e); /* the scan's watchers: inotify or a stat watcher, the rescan timer */
void emperor_dir_unwatch(struct emperor *e);

/* emperor_ctl.c */
void emperor_ctl_cb(enum ctl_req req, struct ctl_out *out, void *arg);
void emperor_ctl_vassal_cb(enum ctl_req req, const char *target, struct ctl_out *out, void *arg);

/* emperor_run.c */
int emperor_run(struct emperor *e, const char *ctl); /* E filled in by the command line; the exit code */

#endif
