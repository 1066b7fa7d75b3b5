/* sup_priv: the supervisor's state, shared by its parts, bottom to top: sup_spawn.c (starting the command,
 * SIGPIPE's disposition for it) and sup_restart.c (the restart policy and its back-off) call nothing of the
 * others; supervise.c (the loop: signals, reaping, the stop sequence, the public sup_spawn) calls both. */
#ifndef WARDER_SUP_PRIV_H
#define WARDER_SUP_PRIV_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include <ev.h>

#include "supervise.h"

struct sup {
	struct ev_loop *loop;
	struct sup_opts *o;
	ev_io sigio;    /* the sigsrc fd */
	ev_child child; /* the default loop's own SIGCHLD reaping (see sup_new) */
	sigset_t sigs;  /* blocked while we exist and read through sigio */
	sigset_t mask0; /* the mask before: restored in the child and by sup_free */
	ev_timer kill_timer;
	ev_timer restart_timer;
	double started; /* ev_now() when the command last started */
	double *burst;  /* start times of recent restarts, a ring of burst_n */
	int burst_i;
	int restarts;
	int last_exit;
	double delay;               /* next restart delay */
	pid_t pid;                  /* main command, 0 before spawn and after it exited */
	pid_t pgrp;                 /* its process group */
	int wstatus;                /* its wait status */
	bool exited;                /* the main command has exited */
	bool stopping;              /* TERM (or the stop signal) was sent to everything */
	bool killed;                /* KILL was sent */
	bool done;                  /* command gone and no child left */
	bool tty;                   /* the command owns our controlling terminal */
	volatile int exec_err;      /* the vfork child's exec errno, written into our memory */
	volatile bool child_failed; /* the vfork child exits without exec (exec_err 0: its setup failed) */
	char listen_pid[32];        /* "LISTEN_PID=N" for the command's environment, filled in by the child */
};

/* sup_spawn.c: start the main command. SPAWN_REPORTED: the child said it cannot run (logged; its exit
 * arrives through the loop); SPAWN_NOFORK: no child at all (logged, errno kept). */
enum sup_spawned { SPAWN_OK, SPAWN_REPORTED, SPAWN_NOFORK };
enum sup_spawned sup_spawn_command(struct sup *s);

/* sup_restart.c: whether the command that just exited is started again, and when (arms restart_timer);
 * sup_restart_count books the restart that timer starts. */
bool sup_restart_wanted(struct sup *s);
void sup_restart_schedule(struct sup *s);
void sup_restart_count(struct sup *s);

#endif
