/* supervise: the PID-1 loop shared by entrypoint mode and a jail's init.
 *
 * One libev loop: one fd for every catchable signal, kept blocked (forwarded to the main command, rewritten
 * by the -r table; SIGCHLD reaps everything, orphans included, with a waitpid loop), a timer for the stop
 * timeout. When the main command exits, everything left gets SIGTERM, then SIGKILL after the stop timeout,
 * all is reaped, and the loop ends with the command's status. */
#ifndef WARDER_SUPERVISE_H
#define WARDER_SUPERVISE_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct ev_loop;

enum { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS };

struct sup_opts {
	char **argv;         /* the main command */
	bool kill_pgroup;    /* -g: forward to the command's whole process group */
	int rewrite[NSIG];   /* signal FROM -> TO; 0 entries mean "unchanged"; -1 means drop */
	double stop_timeout; /* seconds between SIGTERM and SIGKILL (0: SIGKILL at once) */
	int exit_zero[256];  /* -e: exit codes mapped to 0 */
	bool pid_namespace;  /* we are PID 1 of a pid namespace: "everything left" is every process */
	bool term_is_stop;   /* a SIGTERM passed on also arms the stop timeout: KILL after it */
	/* Runs in the child after fork, before exec (privilege drop, chdir); returns 0 or an errno-style
	 * exit status for the child (EXIT_OSERR). May be NULL. */
	int (*child_setup)(void *arg);
	/* Optional, in the parent before each start: 0 when it readied child_setup to make system calls only,
	 * into memory of its own (no malloc, no stdio): the child is then a vfork one (no page tables copied,
	 * none of our pages faulted in again). Anything else: a forked child. */
	int (*child_prepare)(void *arg);
	void *child_arg;
	/* Sockets handed to the command as fds 3.. (socket activation, init/sockets.h); the environment that
	 * names them is the caller's to set. */
	const int *pass_fds;
	int npass;
	/* Restart policy of the main command (jail mode): RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS.
	 * The delay doubles from restart_delay up to restart_max_delay while the command keeps failing
	 * quickly; more than burst_n restarts within burst_secs stops everything instead. */
	int restart;
	double restart_delay, restart_max_delay;
	int burst_n;
	double burst_secs;
	/* Called in the parent when the main command has exited for good (after its status is known,
	 * before the rest is stopped). May be NULL. */
	void (*on_exit)(int status, void *arg);
	void *on_exit_arg;
};

/* The whole entrypoint run: start the command, supervise, stop, return the exit code. */
int sup_run(struct ev_loop *loop, struct sup_opts *o);

/* Finer control, for the jail init which also talks to its keeper on the same loop. */
struct sup;
struct sup *sup_new(struct ev_loop *loop, struct sup_opts *o);
int sup_spawn(struct sup *s);           /* start the main command; -1 and a message when it cannot */
void sup_stop(struct sup *s, int sig);  /* begin the stop sequence: SIG to all, KILL after the timeout */
bool sup_done(const struct sup *s);     /* command gone and every child reaped */
int sup_status(const struct sup *s);    /* the exit code (valid once the command has exited) */
pid_t sup_child(const struct sup *s);   /* the main command's pid, 0 when none */
int sup_restarts(const struct sup *s);  /* how often the command was restarted */
int sup_last_exit(const struct sup *s); /* exit code of the last run, -1 before any exit */
void sup_free(struct sup *s);

/* SIGPIPE: warder never dies of a write (a closed pipe costs no cleanup step), so it ignores SIGPIPE for
 * itself; what it starts gets the disposition warder was started with back (tini's contract, and the
 * command's signal setup is the user's). sup_restore_sigpipe is async-signal-safe, for a (v)fork child. */
void sup_ignore_sigpipe(void);
void sup_restore_sigpipe(void);

#endif
