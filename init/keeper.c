/* keeper: the host side of a jail. It walks hooks/steps.h's create order (host chains here, back-end steps
 * through init/jail.h, the in-jail steps by telling the init "go" and waiting for "started"), waits while the
 * jail runs, and walks the remove steps step_unwind() gives - all of them after a clean run, only the undo
 * of what was done after a failure. Portable: it calls only the back end and hooks.
 * It writes the state files (init/state.h) while the jail runs; keeper_init.c speaks with the init (init/kmsg.h),
 * keeper_ctl.c takes the reload and stop requests. */
#include "keeper.h"
#include "keeper_priv.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "chain.h"
#include "control.h"
#include "exits.h"
#include "jail.h"
#include "jail_limits.h"
#include "kmsg.h"
#include "log.h"
#include "notify.h"
#include "runstate.h"
#include "sockets.h"
#include "state.h"
#include "steps.h"

/* --- building and removing ------------------------------------------------------------------------------ */
/* Deliver signals that arrived while a chain ran, without blocking. */
static void keeper_poll(struct keeper *k)
{
	ev_run(k->loop, EVRUN_NOWAIT);
}

/* A create-side hook asks this while it runs: a signal's stop request interrupts it. */
static int keeper_interrupted(void *arg)
{
	struct keeper *k = arg;
	keeper_poll(k);
	return k->stop_sig;
}

static int host_chain(struct keeper *k, enum step_id id, bool create)
{
	struct chain_ctx c = {
		.j = k->r.j,
		.step = id,
		.pid = k->r.init_pid,
		.jid = k->r.jid,
		.rootfd = -1,
		.inside = false,
		.interrupted = create ? keeper_interrupted : NULL,
		.interrupted_arg = k,
	};
	return chain_run(&c, step_get(id)->chain);
}

/* A back-end create step; NULL ops are steps this platform does not have. */
static int backend_step(struct keeper *k, enum step_id id, bool forward)
{
	const struct jail_backend *b = &jail_backend;
	switch (id) {
	case STEP_ALIASES:
	case STEP_UNALIAS:
		return b->aliases ? b->aliases(&k->r, forward) : 0;
	case STEP_MOUNTS:
	case STEP_UNMOUNTS:
		return b->mounts ? b->mounts(&k->r, forward) : 0;
	case STEP_VNET:
		return b->vnet ? b->vnet(&k->r, forward) : 0;
	case STEP_CREATE:
		return keeper_create_init(k);
	default:
		return 0;
	}
}

/* A create step: a host chain here, a back-end step through init/jail.h, the in-jail ones in the init (the
 * first of them runs them all: keeper_inside marks what the init did). 0, or the exit status. */
static int keeper_step(void *arg, enum step_id id)
{
	struct keeper *k = arg;
	const struct step_def *d = step_get(id);
	log_debug(d->name, "%s step", ctx_name(d->ctx));
	if (d->ctx == CTX_JAIL)
		return keeper_inside(k);
	if ((d->chain ? host_chain(k, id, true) : backend_step(k, id, true)) < 0)
		return k->stop_sig       ? 128 + k->stop_sig
		       : d->chain        ? EXIT_SOFTWARE
		       : k->config_error ? EXIT_CONFIG
					 : EXIT_OSERR;
	return 0;
}

static int remove_step(struct keeper *k, enum step_id id);

static int keeper_undo(void *arg, enum step_id id)
{
	struct keeper *k = arg;
	const struct step_def *d = step_get(id);
	log_debug(d->name, "%s step", ctx_name(d->ctx));
	if (remove_step(k, id) < 0)
		return d->chain ? EXIT_SOFTWARE : EXIT_OSERR;
	return 0;
}

/* The steps this system has; a signal's stop request ends the create walk before the next step. */
static bool keeper_has(void *arg, enum step_id id)
{
	(void)arg;
	return step_on(id, jail_backend.os);
}

static const struct step_ops keeper_steps = {keeper_has, keeper_interrupted, keeper_step, keeper_undo};

/* Walk the create order. Returns 0, or -1 with *code and k->failed_at set; k->walk marks what completed. */
static int create_walk(struct keeper *k, int *code)
{
	int rc = step_walk_forward(&k->walk, STEP_NONE, &keeper_steps, k);
	if (rc == 0)
		return 0;
	*code = rc;
	/* In the jail, the init said which step failed. */
	k->failed_at = k->failed_step ? (enum step_id)k->failed_step : k->walk.at;
	return -1;
}

/* list, attach and ctl find a jail through these files alone: 0, or -1 after a line. */
static int write_state(struct keeper *k)
{
	struct jail_state s;
	memset(&s, 0, sizeof s);
	snprintf(s.name, sizeof s.name, "%s", k->r.name);
	s.pid = k->r.init_pid;
	s.keeper = getpid();
	s.started = (long long)time(NULL);
	const char *path = jail_get(k->r.j, "path"), *sock = jail_get(k->r.j, "setns-socket");
	snprintf(s.path, sizeof s.path, "%s", path ? path : "");
	snprintf(s.socket, sizeof s.socket, "%s", sock ? sock : "");
	snprintf(s.control, sizeof s.control, "%s", k->ctl ? control_path(k->ctl) : "");
	/* With its limits in the same file: attach never finds the jail without them (one file to write and
	 * remove, not two). */
	return state_write(&s, limits_write, k->r.j);
}

/* Runs until a signal asks for a stop or the command exits (the init then waits for our "stop"). */
static void keeper_wait(struct keeper *k)
{
	while (!k->stop_sig && k->exited < 0 && !k->init_gone && k->status < 0 && !k->reload_req)
		ev_run(k->loop, EVRUN_ONCE);
}

static int remove_step(struct keeper *k, enum step_id id)
{
	const struct step_def *d = step_get(id);
	switch (id) {
	case STEP_STOP:
		keeper_send_stop(k, true);
		return 0;
	case STEP_KILL:
		keeper_send_stop(k, false);
		return 0;
	case STEP_REMOVE:
		return keeper_init_end(k);
	default:
		return d->chain ? host_chain(k, id, false) : backend_step(k, id, false);
	}
}

static void remove_walk(struct keeper *k, int *code, bool failed)
{
	k->wstatus = -1;
	int rc = step_walk_back(&k->walk, STEP_NONE, &keeper_steps, k);
	if (failed)
		return;
	if (*code == 0)
		*code = rc;
	int wstatus = k->wstatus;
	/* The init's "status" is the command's; without it (the init was killed) its own exit says why. */
	if (k->status >= 0) {
		if (*code == 0)
			*code = k->status;
	} else if (wstatus >= 0 && *code == 0) {
		*code = WIFSIGNALED(wstatus) ? 128 + WTERMSIG(wstatus) : WEXITSTATUS(wstatus);
	}
}

static bool already_running(const char *name)
{
	struct jail_state s;
	if (state_read(name, &s) < 0 || !state_alive(&s))
		return false;
	log_err(step_name(STEP_CREATE), "jail %s is already running (keeper pid %ld)", name, (long)s.keeper);
	return true;
}


/* What a build of the jail ended in: stopped after it ran, failed to build, a reload = jail or exit. */
enum outcome { OUT_STOP, OUT_FAILED, OUT_REBUILD, OUT_EXIT };

/* Waits while the jail runs; a `reload = stack` is done here, by the init, in the same jail. */
static enum outcome keeper_serve(struct keeper *k)
{
	for (;;) {
		keeper_wait(k);
		if (!k->reload_req || k->stop_sig || k->exited >= 0 || k->init_gone || k->status >= 0)
			return OUT_STOP;
		k->reload_req = false;
		const char *mode = jail_get(k->r.j, "reload");
		if (strcmp(mode, "jail") == 0)
			return OUT_REBUILD;
		if (strcmp(mode, "exit") == 0)
			return OUT_EXIT;
		keeper_set_state(k, RUN_RELOADING);
		kmsg_send(k->r.sync_fd, KMSG_RELOAD, 0);
	}
}

/* Use config C (NULL: the caller's, J) from the next build on; the one in use goes unless it is the good one. */
static void keeper_use(struct keeper *k, struct conf *c, const struct jail *j)
{
	if (k->owned != k->good_conf)
		conf_free(k->owned);
	k->owned = c;
	k->r.j = j;
	keeper_control_move(k);
}

/* Between two builds of the jail in one keeper: the fresh config, and nothing of the last run. */
static void keeper_reset(struct keeper *k)
{
	if (k->pending) {
		struct conf *c = k->pending;
		k->pending = NULL;
		keeper_use(k, c, conf_jail(c, k->name));
	}
	step_walk_reset(&k->walk);
	k->r.init_pid = 0;
	k->r.sync_fd = k->r.init_fd = -1;
	k->init_gone = k->started = k->stop_sent = k->interrupt_sent = k->config_error = k->last = false;
	k->failed_step = 0;
	k->exited = k->status = -1;
	k->cmd_pid = 0;
}

/* init/notify.c: the stack became ready, or stopped being ready (RELOADING=1, a restart after a miss). */
static void ready_cb(enum run_state st, void *arg)
{
	struct keeper *k = arg;
	if (k->stop_sig || k->state == RUN_STOPPING)
		return;
	if (st == RUN_RUNNING && k->state != RUN_RUNNING)
		log_info("ready", "the stack is ready%s%s", notify_state()->status[0] ? ": " : "",
			 notify_state()->status);
	if (st == RUN_RUNNING || k->state == RUN_RUNNING)
		keeper_set_state(k, st);
}

/* One build of the jail: create, run, remove. *code is the exit status when this is the last. */
static enum outcome keeper_cycle(struct keeper *k, int *code)
{
	*code = 0;
	keeper_set_state(k, RUN_STARTING);
	/* Before any step: bound once, kept by this process across every rebuild (init/sockets.h). */
	if ((*code = sockets_open(&sockets_jail, k->r.j, SOCKETS_HOST)) != 0) {
		/* As a failed step: a reload whose new sockets cannot be had falls back to the last good config. */
		k->failed_at = STEP_LISTEN;
		keeper_set_state(k, RUN_STOPPING);
		return OUT_FAILED;
	}
	if (notify_keeper_open(k->loop, k->r.j, ready_cb, k) < 0) {
		*code = EXIT_OSERR;
		keeper_set_state(k, RUN_STOPPING);
		return OUT_STOP;
	}
	if (create_walk(k, code) < 0) {
		keeper_set_state(k, RUN_STOPPING);
		remove_walk(k, code, true);
		notify_keeper_close();
		return OUT_FAILED;
	}
	/* A jail nothing can find (no state) is not left running: it is unwound, as a failed step. */
	if (write_state(k) < 0) {
		*code = EXIT_OSERR;
		keeper_set_state(k, RUN_STOPPING);
		remove_walk(k, code, true);
		notify_keeper_close();
		state_remove(k->name);
		return OUT_STOP;
	}
	/* Built: this config is the one a failed reload comes back to. */
	if (k->good_conf != k->owned)
		conf_free(k->good_conf);
	k->good_conf = k->owned;
	k->good_j = k->r.j;
	if (k->new_config)
		k->reload_error[0] = '\0';
	k->since = ev_time();
	if (!notify_wanted(k->r.j) || notify_state()->ready)
		keeper_set_state(k, RUN_RUNNING);
	enum outcome out = keeper_serve(k);
	keeper_set_state(k, out == OUT_REBUILD ? RUN_RELOADING : RUN_STOPPING);
	if (k->exited >= 0 || k->stop_sig || out != OUT_STOP)
		log_debug("keeper", "removing the jail (%s)",
			  out != OUT_STOP ? "reload"
			  : k->stop_sig   ? "signal"
					  : "command exited");
	k->last = out != OUT_REBUILD || k->stop_sig;
	/* After the command's own exit, the stop chains still run before the rest is stopped. */
	step_walk_reset(&k->walk);
	step_walk_built(&k->walk);
	remove_walk(k, code, false);
	notify_keeper_close();
	state_remove(k->name);
	if (out == OUT_EXIT) {
		log_info("reload", "reload = exit: the jail is gone, exiting 0");
		*code = 0;
	}
	return out;
}

int keeper_run(struct ev_loop *loop, const struct jail *j, const char *name, const char *file)
{
	struct keeper k;
	/* jail_user's 256 KiB group list stays untouched (jailpw_host fills what it uses): zeroed, it would be
	 * resident in the keeper and in the init it forks, for every jail. */
	memset(&k, 0, offsetof(struct keeper, jail_user));
	snprintf(k.name, sizeof k.name, "%s", name);
	k.r = (struct jailrun){.j = j,
			       .name = k.name,
			       .jid = -1,
			       .sync_fd = -1,
			       .init_fd = -1,
			       .net_fd = -1,
			       .rootless = geteuid() != 0};
	k.file = file;
	k.exited = k.status = k.last_exit = -1;
	k.loop = loop;
	if (already_running(name))
		return EXIT_TEMPFAIL;
	/* What `warder check` refuses, and what this user or host cannot have, is refused before any step. */
	char err[1024];
	if (keeper_valid(&k, j, err, sizeof err) < 0)
		return EXIT_CONFIG;
	keeper_watch(&k);
	if (keeper_control_start(&k) < 0) {
		keeper_unwatch(&k);
		return EXIT_OSERR;
	}
	run_register(&keeper_run_ops, &k);
	int code;
	enum { FIRST, RELOADED, FELL_BACK } build = FIRST;
	for (;;) {
		k.new_config = build == RELOADED;
		enum outcome out = keeper_cycle(&k, &code);
		if (out == OUT_FAILED && build == RELOADED && !k.stop_sig) {
			/* The new config passed check but did not build (a rootfs a hook was to make, say): the
			 * service comes back as it was rather than staying down. */
			snprintf(k.reload_error, sizeof k.reload_error,
				 "the reloaded config failed to build: %s (exit %d)", step_get(k.failed_at)->name, code);
			log_err("reload", "%s; building the jail again from the last config that worked", k.reload_error);
			keeper_reset(&k);
			keeper_use(&k, k.good_conf, k.good_j);
			build = FELL_BACK;
			continue;
		}
		if (out == OUT_FAILED && build == FELL_BACK && !k.stop_sig)
			log_err("reload", "the last config that worked failed to build too: exiting %d", code);
		if (out != OUT_REBUILD || k.stop_sig)
			break;
		log_info("reload", "building the jail again");
		keeper_reset(&k);
		build = RELOADED;
	}
	run_register(NULL, NULL);
	sockets_close(&sockets_jail, false);
	control_close(k.ctl);
	keeper_unwatch(&k);
	conf_free(k.pending);
	if (k.good_conf != k.owned)
		conf_free(k.good_conf);
	conf_free(k.owned);
	return code;
}
