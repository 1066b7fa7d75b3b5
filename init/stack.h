/* stack: what an init runs in a jail: the in-jail chains, the supervised command, its stop and `reload =
 * stack`. Two inits run it: the jail's init the keeper forks (init/jail_init.c), which adds the keeper's
 * messages; and init-only mode (run_init_only), where warder is the init of a jail someone else made. */
#ifndef WARDER_STACK_H
#define WARDER_STACK_H

#include <stdbool.h>
#include <sys/types.h>

#include <ev.h>

#include "jail.h"
#include "kmsg.h"
#include "steps.h"
#include "supervise.h"

struct init {
	const struct jail *j;
	struct jailrun *r; /* NULL: no keeper (init-only mode) */
	struct ev_loop *loop;
	struct sup_opts o;
	struct sup *s;
	char *argv[33];
	char words[1024]; /* the command's words when it runs without a shell (split_plain) */
	int pass[64];     /* the listening sockets handed to the command (init/sockets.h) */
	int fail_code;    /* EXIT_NOTREADY once ready.fail = stop stopped the stack */
	pid_t host_pid;
	struct step_walk walk; /* the create steps done, the remove-side chains already run */
	int setns_fd;          /* the setns socket, listening once the command starts; -1 none */
	bool stopping;
	bool reloading;          /* reload = stack under way: the stack stops, then starts again */
	bool created;            /* every create step ran (init-only mode: exec.poststart included) */
	bool stop_deferred;      /* the command ended before that: prestop and stop wait for poststart */
	int interrupt;           /* the signal of a stop asked for while the create steps ran, 0 none */
	int restarts_before;     /* restarts of the stacks before the last reload */
	struct kmsg info;        /* the last "info" sent to the keeper */
	ev_io sync_io, setns_io; /* the keeper's messages, the setns socket (init/jail_init.c) */
	ev_signal term, intr, hup;
	ev_timer stop_timer;
	ev_prepare info_check;
};

/* Without jail parameters: warder is the init of the jail it runs in; every chain runs here, around the
 * command. Returns the exit status. */
int run_init_only(const struct jail *j);

/* --- for the jail's init (init/jail_init.c) --------------------------------------------------------------- */
/* A stop asked for while the create steps run: the signal, 0 none (chain_ctx.interrupted). */
int init_interrupted(void *arg);
int init_chain(struct init *in, enum step_id id);
/* The remove-side chains due before the processes are signalled (prestop in init-only mode, stop). */
void stop_chains(struct init *in);
int stop_signal(const struct jail *j);
/* Stop the stack: SIG to everything, the stop chains first when RUN_CHAINS. */
void begin_stop(struct init *in, bool run_chains, int sig);
/* reload = stack: the stack stops, and run_stack starts it again. */
void begin_reload(struct init *in);
int ready_open(struct init *in);
/* Start the command under sup: 0, or -1 after a log line. */
int command_start(struct init *in);
/* sup's on_exit: the command exited on its own with CODE (ARG is the init). */
void on_command_exit(int code, void *arg);
/* Runs the stack until it is gone for good; reloads in between. Returns 0 or a failed restart's status. */
int run_stack(struct init *in);

#endif
