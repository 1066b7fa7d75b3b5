/* sup_priv: the supervisor's state, shared by its parts: supervise.c (the loop: signals, reaping, the stop
 * sequence), sup_spawn.c (starting the command) and sup_restart.c (the restart policy and its back-off). */
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
	ev_io sigio;          /* the sigsrc fd */
	ev_child child;       /* the default loop's own SIGCHLD reaping (see sup_new) */
	sigset_t sigs;        /* blocked while we exist and read through sigio */
	sigset_t mask0;       /* the mask before: restored in the child and by sup_free */
	ev_timer kill_timer;
	ev_timer restart_timer;
	double started;       /* ev_now() when the command last started */
	double *burst;        /* start times of recent restarts, a ring of burst_n */
	int burst_i;
	int restarts;
	int last_exit;
	double delay;         /* next restart delay */
	pid_t pid;            /* main command, 0 before spawn and after it exited */
	pid_t pgrp;           /* its process group */
	int wstatus;          /* its wait status */
	bool exited;          /* the main command has exited */
	bool stopping;        /* TERM (or the stop signal) was sent to everything */
	bool killed;          /* KILL was sent */
	bool done;            /* command gone and no child left */
	bool tty;             /* the command owns our controlling terminal */
	volatile int exec_err; /* the vfork child's exec errno, written into our memory */
	char listen_pid[32];  /* "LISTEN_PID=N" for the command's environment, filled in by the child */
};

/* Status as an exit code: the code, 128+N for signal N (exit_zero mapping applied). */
int sup_exit_code(const struct sup_opts *o, int wstatus);

/* sup_restart.c: whether the command that just exited is started again, and when. */
bool sup_restart_wanted(struct sup *s);
void sup_restart_schedule(struct sup *s);
void sup_restart_cb(struct ev_loop *loop, ev_timer *w, int revents);

#endif
