/* keeper_priv: the keeper's state, shared by its parts: keeper.c (the walk over the steps, the state files, one
 * build after another), keeper_init.c (its side of the jail's init: making it, its messages, its end) and
 * keeper_ctl.c (reload and stop requests: signals, the control socket, run_reload). */
#ifndef WARDER_KEEPER_PRIV_H
#define WARDER_KEEPER_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include <ev.h>

#include "conf.h"
#include "jail.h"
#include "jailpw.h"
#include "runstate.h"
#include "steps.h"

struct control;

struct keeper {
	struct jailrun r;
	struct ev_loop *loop;
	ev_signal sig[5];
	ev_io io;
	struct step_walk walk; /* what of the create and remove orders is done */
	int wstatus;           /* the init's wait status, from the remove step */
	int stop_sig;          /* the signal that asked us to stop, 0 none */
	bool init_gone;        /* end-of-file from the init */
	bool started;          /* "started" came */
	bool stop_sent;        /* "stop" went to the init */
	bool last;             /* this removal ends the keeper (no rebuild follows) */
	bool interrupt_sent;   /* "interrupt" went to the init */
	int failed_step;       /* from "failed", STEP_NONE when none */
	int exited;            /* from "exited": the command's code, -1 while it runs */
	int status;            /* from "status": the final code, -1 before */
	/* Reload and control. */
	char name[128];
	const char *file;     /* the config file, NULL for the built-in demo */
	struct conf *owned;   /* a config a reload read; the first one is the caller's */
	struct conf *pending; /* read for the reload = jail under way */
	/* The config the jail last built from (good_conf NULL: the caller's), rebuilt when a reload's does not
	 * build; reload_error says why, for status. */
	struct conf *good_conf;
	const struct jail *good_j;
	char reload_error[1400];
	enum step_id failed_at; /* the create step a failed build stopped at */
	bool config_error;      /* that step failed for a name in the config that cannot work (78) */
	bool new_config;        /* this build is a reload's: once it builds, the last failure is history */
	bool reload_req;
	enum run_state state;
	struct control *ctl;
	double since; /* ev_now() when the jail was built */
	int cmd_pid;  /* from "info": the command's pid inside the jail */
	int restarts, last_exit;
	struct jailpw jail_user; /* behind r.jail_user; last: keeper_run zeroes what comes before it */
};
_Static_assert(offsetof(struct keeper, jail_user) + sizeof(struct jailpw) == sizeof(struct keeper),
	       "jail_user is struct keeper's last member");

/* keeper.c */
void keeper_set_state(struct keeper *k, enum run_state st);

/* keeper_init.c. STEP_CREATE: the back end makes the jail and its init, which waits for "go": 0, or -1 after a
 * line (k->config_error when a name in the config cannot work). */
int keeper_create_init(struct keeper *k);
/* The in-jail steps, run by the init: 0, or the exit status; k->walk marks what the init completed. */
int keeper_inside(struct keeper *k);
/* STEP_STOP and STEP_KILL: "stop" to the init, once; RUN_STOP_CHAIN: exec.stop runs first. */
void keeper_send_stop(struct keeper *k, bool run_stop_chain);
/* STEP_REMOVE: wait for the init's final status, close the channel, remove the jail (k->wstatus). */
int keeper_init_end(struct keeper *k);

/* keeper_ctl.c. The jail passes what `warder check` and the start of `warder run` check: 0, or -1 with ERR. */
int keeper_valid(struct keeper *k, const struct jail *j, char *err, size_t errlen);
void keeper_watch(struct keeper *k);   /* the stop, reload and forwarded signals */
void keeper_unwatch(struct keeper *k); /* and the init's channel */
int keeper_control_start(struct keeper *k);
/* reload = jail read a config whose `control` differs: serve the new path, then drop the old one. */
void keeper_control_move(struct keeper *k);
extern const struct run_ops keeper_run_ops; /* run_reload and run_stop (init/runstate.h) */

#endif
