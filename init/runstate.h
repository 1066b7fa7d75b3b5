/* runstate: what code in the same process as `warder run` (the emperor's vassal side) may call: reload and
 * stop the jail, and hear of its state changes. Whatever runs the jail here registers how to reload and
 * stop it (the keeper in jail mode, the init-only loop otherwise), so that callers need neither. */
#ifndef WARDER_RUNSTATE_H
#define WARDER_RUNSTATE_H

#include <stddef.h>

enum run_state { RUN_STARTING, RUN_RUNNING, RUN_RELOADING, RUN_STOPPING };

const char *run_state_name(enum run_state s);

/* As SIGHUP: reload as the jail's `reload` says. 0, or -1 with the reason in ERR (may be NULL). */
int run_reload(char *err, size_t errlen);
/* As SIGTERM: stop the jail. 0, or -1 when nothing runs in this process. */
int run_stop(void);

/* FN hears every state change (one hook; NULL removes it). Called on the loop, never from a signal handler. */
typedef void (*run_state_fn)(enum run_state s, void *arg);
void run_on_state(run_state_fn fn, void *arg);
void run_notify(enum run_state s); /* the keeper and the init-only loop report here */

/* The jail running in this process, for run_reload and run_stop: RELOAD returns as run_reload does (ERR never
 * NULL), STOP begins the stop. Registered once it runs; run_register(NULL, NULL) when it is gone. */
struct run_ops {
	int (*reload)(void *arg, char *err, size_t errlen);
	void (*stop)(void *arg);
};
void run_register(const struct run_ops *ops, void *arg);

#endif
