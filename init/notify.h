/* notify: when the stack is ready, as the service says (sd_notify), as a probe finds, or as soon as it runs.
 *
 * `ready = notify` or a `watchdog` gives the main command NOTIFY_SOCKET: a datagram socket the jail's init
 * makes in the jail's own view (Linux: an abstract name in the jail's network namespace; FreeBSD: a path in
 * its /var/run), so the jail needs no writable host path. The init believes only datagrams whose sender
 * (SO_PASSCRED / LOCAL_CREDS) is one of the jail's processes, runs ready.timeout and the watchdog (their
 * expiry restarts the stack or stops the jail, ready.fail), and relays what it believed to the keeper over a
 * socketpair of its own. The keeper calls "running" only what is ready: that is what `warder ctl NAME
 * status`, an emperor's `depend` and uWSGI's Emperor ("ready", byte 5) wait for. Init-only mode does the
 * same in one process.
 *
 * Others hear of it through notify_observe(): warder's own sd_notify to systemd hooks in there. */
#ifndef WARDER_NOTIFY_H
#define WARDER_NOTIFY_H

#include <stdbool.h>
#include <sys/types.h>

#include "conf.h"
#include "runstate.h"

struct ev_loop;

/* What the keeper (or the init-only loop) knows about the stack. */
struct notify_state {
	bool ready;         /* ready as `ready` defines it: the jail is "running" */
	bool reloading;     /* RELOADING=1, a reload, or a restart after a missed timeout */
	bool stopping;      /* STOPPING=1 or the jail is being stopped */
	const char *status; /* the last STATUS= text, "" when none */
	pid_t mainpid;      /* MAINPID= as the jail sees it, 0 when none */
};

/* This jail's stack speaks to NOTIFY_SOCKET or is probed: `ready` is not `started`, or a watchdog is set. */
bool notify_wanted(const struct jail *j);
const struct notify_state *notify_state(void);
/* FN hears every change of the state (up to 4 observers); called on the loop. */
typedef void (*notify_observer)(const struct notify_state *st, void *arg);
int notify_observe(notify_observer fn, void *arg);
/* run_notify() reports the run state here; without readiness of its own, "running" is "ready". */
void notify_run_state(enum run_state s);

/* --- the keeper: one relay per build of the jail --------------------------------------------------------- */
/* Before the jail is created: the relay the init will write to; FN hears RUN_RUNNING when the stack is ready
 * and RUN_RELOADING when it is not any more. 0, or -1 after a log line. Nothing when !notify_wanted(J). */
int notify_keeper_open(struct ev_loop *loop, const struct jail *j, void (*fn)(enum run_state, void *), void *arg);
void notify_keeper_close(void);

/* --- the init ---------------------------------------------------------------------------------------- */
struct notify_policy {
	void (*restart)(void *arg); /* restart the stack */
	void (*fail)(void *arg);    /* stop the jail with EXIT_NOTREADY */
	void *arg;
};
/* In the init, in the jail's view, before the first command: NOTIFY_SOCKET (and WATCHDOG_USEC) in the
 * environment, the socket watched. RELAY: jail mode (the keeper hears it); else the state is kept here. */
int notify_init_open(struct ev_loop *loop, const struct jail *j, bool pid_ns, bool relay,
		     const struct notify_policy *pol);
void notify_stack_started(void); /* a new stack: not ready, timers armed, probing */
void notify_stack_stopped(void); /* the stack is going: timers off */
void notify_init_close(void);

#endif
