/* keeper: the host side of a jail. It walks hooks/steps.h's create order (host chains here, back-end steps
 * through init/jail.h, the in-jail steps by telling the init "go" and waiting for "started"), waits while the
 * jail runs, and walks the remove steps step_unwind() gives - all of them after a clean run, only the undo
 * of what was done after a failure. Portable: it calls only the back end and hooks.
 * It speaks init/kmsg.h with the init and writes the state file (init/state.h) while the jail runs. */
#include "keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "chain.h"
#include "cmd.h"
#include "container_of.h"
#include "control.h"
#include "kmsg.h"
#include "jail.h"
#include "jail_init.h"
#include "jail_limits.h"
#include "log.h"
#include "sdnotify.h"
#include "runstate.h"
#include "notify.h"
#include "sockets.h"
#include "state.h"

/* --- the keeper ------------------------------------------------------------------------------------------- */
struct keeper {
	struct jailrun r;
	struct ev_loop *loop;
	ev_signal sig[5];
	ev_io io;
	struct step_walk walk; /* what of the create and remove orders is done */
	int wstatus;     /* the init's wait status, from the remove step */
	int stop_sig;    /* the signal that asked us to stop, 0 none */
	bool init_gone;  /* end-of-file from the init */
	bool started;    /* "started" came */
	bool stop_sent;  /* "stop" went to the init */
	bool interrupt_sent; /* "interrupt" went to the init */
	int failed_step; /* from "failed", STEP_NONE when none */
	int exited;      /* from "exited": the command's code, -1 while it runs */
	int status;      /* from "status": the final code, -1 before */
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
	bool new_config; /* this build is a reload's: once it builds, the last failure is history */
	bool reload_req;
	enum run_state state;
	struct control *ctl;
	double since;        /* ev_now() when the jail was built */
	int cmd_pid;         /* from "info": the command's pid inside the jail */
	int restarts, last_exit;
	struct jailpw jail_user; /* behind r.jail_user */
};

static const int keeper_stop_signals[] = {SIGTERM, SIGINT};
static const int keeper_fwd_signals[] = {SIGUSR1, SIGUSR2};

static void set_state(struct keeper *k, enum run_state st)
{
	if (k->state == st)
		return;
	k->state = st;
	log_debug("keeper", "%s", run_state_name(st));
	run_notify(st);
}

static struct keeper *keeper_of_io(ev_io *w)
{
	return container_of(w, struct keeper, io);
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct keeper *k = keeper_of_io(w);
	struct kmsg m;
	int rc = kmsg_recv(w->fd, &m);
	if (rc <= 0) {
		k->init_gone = true;
		ev_io_stop(loop, w);
		ev_break(loop, EVBREAK_ONE);
		return;
	}
	switch ((enum kmsg_type)m.type) {
	case KMSG_STARTED:
		k->started = true;
		/* With readiness of its own the stack is running once it says so (ready_cb). */
		if (k->state == RUN_RELOADING && !notify_wanted(k->r.j)) {
			log_info("reload", "the stack runs again");
			set_state(k, RUN_RUNNING);
		}
		break;
	case KMSG_FAILED:
		k->failed_step = m.arg;
		break;
	case KMSG_EXITED:
		k->exited = m.arg;
		break;
	case KMSG_STATUS:
		k->status = m.arg;
		break;
	case KMSG_INFO:
		k->cmd_pid = m.arg;
		k->restarts = m.a2;
		k->last_exit = m.a3;
		return;
	default:
		log_warn("sync", "unexpected %s from the init", kmsg_name((enum kmsg_type)m.type));
		return;
	}
	ev_break(loop, EVBREAK_ONE);
}

/* --- reload and stop requests: from signals, the control socket, or run_reload() --------------------------- */
/* The new jail passes what `warder check` and the start of `warder run` check: its plan builds and the back
 * end accepts it. The error is the last line the log got. */
static int jail_valid(struct keeper *k, const struct jail *j, char *err, size_t errlen)
{
	struct plan p;
	enum os os = os_this();
	if (plan_verify(j, os, true, err, errlen) < 0)
		return -1;
	if (plan_build(j, os, plan_jailed(j, os), &p) < 0) {
		snprintf(err, errlen, "%s", log_last_error());
		return -1;
	}
	plan_free(&p);
	struct jailrun r = k->r;
	r.j = j;
	if (jail_backend.check && jail_backend.check(&r) < 0) {
		snprintf(err, errlen, "%s", log_last_error());
		return -1;
	}
	return 0;
}

/* `reload = jail`: the config must pass `check` before the running jail is touched. */
static int reload_read(struct keeper *k, char *err, size_t errlen)
{
	struct conf *c = NULL;
	if (!k->file)
		return 0;
	if (conf_load(k->file, &c, err, errlen) < 0) {
		log_err("reload", "%s: the jail keeps running as it is", err);
		return -1;
	}
	const struct jail *j = conf_jail(c, k->name);
	if (!j)
		snprintf(err, errlen, "%s: no jail named %s", k->file, k->name);
	if (!j || jail_valid(k, j, err, errlen) < 0) {
		log_err("reload", "%s: the jail keeps running as it is", err);
		conf_free(c);
		return -1;
	}
	conf_free(k->pending);
	k->pending = c;
	return 0;
}

static int request_reload(struct keeper *k, char *err, size_t errlen)
{
	char buf[1024];
	if (!err)
		err = buf, errlen = sizeof buf;
	if (k->state != RUN_RUNNING || k->reload_req || k->stop_sig) {
		snprintf(err, errlen, "cannot reload while %s", k->stop_sig ? "stopping" : run_state_name(k->state));
		log_warn("reload", "%s", err);
		return -1;
	}
	if (strcmp(jail_get(k->r.j, "reload"), "jail") == 0 && reload_read(k, err, errlen) < 0)
		return -1;
	log_info("reload", "reload = %s", jail_get(k->r.j, "reload"));
	k->reload_req = true;
	if (strcmp(jail_get(k->r.j, "reload"), "exit") != 0)
		sdnotify_reloading(); /* now, before `warder ctl reload` returns to systemd's ExecReload= */
	ev_break(k->loop, EVBREAK_ONE);
	return 0;
}

static void request_stop(struct keeper *k, int sig)
{
	if (!k->stop_sig) {
		k->stop_sig = sig;
		log_info("signal", "%s: stopping", conf_signal_name(sig) ? conf_signal_name(sig) : "signal");
	}
	ev_break(k->loop, EVBREAK_ONE);
}

/* runstate.h: run_reload and run_stop, from code in this process. */
static int ops_reload(void *arg, char *err, size_t errlen)
{
	return request_reload(arg, err, errlen);
}

static void ops_stop(void *arg)
{
	request_stop(arg, SIGTERM);
}

static const struct run_ops keeper_ops = {ops_reload, ops_stop};

static void sig_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop, (void)revents;
	struct keeper *k = w->data;
	for (size_t i = 0; i < sizeof keeper_fwd_signals / sizeof keeper_fwd_signals[0]; i++) {
		if (w->signum != keeper_fwd_signals[i])
			continue;
		/* Not ours to act on: the init passes it to the main command. */
		if (k->r.init_pid > 0 && kill(k->r.init_pid, w->signum) < 0 && errno != ESRCH)
			log_errno("signal", "forward %d to the init", w->signum);
		return;
	}
	/* While the jail is being built, SIGHUP is what a closing terminal sends (jail(8) stops then too): a
	 * stop. Once it runs, SIGHUP is a reload. */
	if (w->signum == SIGHUP && k->state != RUN_STARTING)
		request_reload(k, NULL, 0);
	else
		request_stop(k, w->signum);
}

static void keeper_watch(struct keeper *k)
{
	size_t n = 0;
	for (size_t i = 0; i < sizeof keeper_stop_signals / sizeof keeper_stop_signals[0]; i++, n++)
		ev_signal_init(&k->sig[n], sig_cb, keeper_stop_signals[i]);
	for (size_t i = 0; i < sizeof keeper_fwd_signals / sizeof keeper_fwd_signals[0]; i++, n++)
		ev_signal_init(&k->sig[n], sig_cb, keeper_fwd_signals[i]);
	ev_signal_init(&k->sig[n], sig_cb, SIGHUP);
	n++;
	for (size_t i = 0; i < n; i++) {
		k->sig[i].data = k;
		ev_signal_start(k->loop, &k->sig[i]);
	}
}

static void keeper_unwatch(struct keeper *k)
{
	for (size_t i = 0; i < sizeof k->sig / sizeof k->sig[0]; i++)
		if (ev_is_active(&k->sig[i]))
			ev_signal_stop(k->loop, &k->sig[i]);
	if (ev_is_active(&k->io))
		ev_io_stop(k->loop, &k->io);
}

/* --- the control socket ----------------------------------------------------------------------------------- */
static void keeper_status(struct keeper *k, struct control_status *st)
{
	memset(st, 0, sizeof *st);
	st->name = k->name;
	st->state = k->stop_sig ? run_state_name(RUN_STOPPING) : run_state_name(k->state);
	st->pid = k->r.init_pid;
	if (k->cmd_pid > 0 && k->r.init_pid > 0) {
		pid_t p = k->r.pid_ns ? control_host_pid(k->r.init_pid, k->cmd_pid) : k->cmd_pid;
		if (p > 0)
			st->pids[st->npids++] = p;
	}
	st->uptime = k->since > 0 ? (long long)(ev_time() - k->since) : 0;
	st->restarts = k->restarts;
	st->last_exit = k->last_exit;
	st->jid = k->r.jid >= 0 ? k->r.jid : (long)k->r.init_pid;
	if (k->r.init_pid > 0)
		control_namespaces(k->r.init_pid, st->namespaces, sizeof st->namespaces);
	st->config = k->file;
	st->reload_error = k->reload_error[0] ? k->reload_error : NULL;
	st->ready = k->state == RUN_RUNNING && !k->stop_sig;
	st->notify_status = notify_state()->status;
}

static void control_cb(enum ctl_req req, struct ctl_out *out, void *arg)
{
	struct keeper *k = arg;
	char err[1024];
	struct control_status st;
	switch (req) {
	case CTL_STATUS:
		keeper_status(k, &st);
		control_status_json(out, &st);
		break;
	case CTL_RELOAD:
		control_answer(out, request_reload(k, err, sizeof err) < 0 ? err : NULL);
		break;
	case CTL_STOP:
		log_info("control", "stop requested");
		request_stop(k, SIGTERM);
		control_answer(out, NULL);
		break;
	default:
		control_answer(out, "bad request");
	}
}

/* Where the config wants the control socket: its `control`, else the default; NULL for none. */
static const char *control_want(const struct keeper *k, char *buf, size_t len)
{
	const char *path = jail_get(k->r.j, "control");
	return path ? path : control_default_path(k->name, buf, len);
}

static int control_start(struct keeper *k)
{
	char buf[512];
	const char *path = control_want(k, buf, sizeof buf);
	if (!path)
		return 0;
	k->ctl = control_open(k->loop, path, geteuid(), control_cb, k);
	return k->ctl ? 0 : -1;
}

/* reload = jail read a config whose `control` differs: serve the new path, then drop the old one. When the
 * new one cannot be had, the old one stays: the jail must stay reachable. */
static void control_move(struct keeper *k)
{
	char buf[512];
	const char *want = control_want(k, buf, sizeof buf), *have = k->ctl ? control_path(k->ctl) : NULL;
	if (!want || (have && strcmp(want, have) == 0))
		return;
	struct control *c = control_open(k->loop, want, geteuid(), control_cb, k);
	if (!c) {
		log_warn("reload", "the control socket stays at %s", have ? have : "(none)");
		return;
	}
	log_info("reload", "the control socket moves to %s", want);
	control_close(k->ctl);
	k->ctl = c;
}

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
		.j = k->r.j, .step = id, .pid = k->r.init_pid, .jid = k->r.jid, .rootfd = -1, .inside = false,
		.interrupted = create ? keeper_interrupted : NULL, .interrupted_arg = k,
	};
	return chain_run(&c, step_get(id)->chain);
}

/* The init's entry in its new process: the keeper's watchers and sockets are not its own. */
struct init_arg {
	struct keeper *k;
};

static int init_entry(struct jailrun *r, void *arg)
{
	struct keeper *k = ((struct init_arg *)arg)->k;
	keeper_unwatch(k);
	control_forget(k->ctl);
	k->ctl = NULL;
	run_register(NULL, NULL);
	ev_loop_fork(k->loop);
	return run_jail_init(r, k->loop);
}
static int do_create(struct keeper *k)
{
	struct init_arg a = {k};
	int fds[2];
	const char *user = jail_get(k->r.j, "exec.jail_user");
	k->r.jail_user = NULL;
	if (user && jail_bool(k->r.j, "exec.system_jail_user")) {
		char err[300];
		int rc = jailpw_host(user, &k->jail_user, err, sizeof err);
		if (rc < 0) {
			log_err("create", "exec.jail_user (exec.system_jail_user): %s", err);
			k->config_error = rc == JAILPW_UNKNOWN;
			return -1;
		}
		k->r.jail_user = &k->jail_user;
	}
	if (kmsg_pair(fds) < 0)
		return -1;
	k->r.sync_fd = fds[0];
	k->r.init_fd = fds[1];
	int rc = jail_backend.create(&k->r, init_entry, &a);
	close(fds[1]);
	k->r.init_fd = -1;
	if (rc < 0) {
		close(fds[0]);
		k->r.sync_fd = -1;
		return -1;
	}
	log_info("create", "the init of the jail is pid %ld", (long)k->r.init_pid);
	ev_io_init(&k->io, io_cb, k->r.sync_fd, EV_READ);
	ev_io_start(k->loop, &k->io);
	return 0;
}

/* The in-jail steps run in the init: "go", then wait for "started" or "failed STEP". 0, or the exit status. */
static int do_inside(struct keeper *k)
{
	if (kmsg_send(k->r.sync_fd, KMSG_GO, (int)k->r.init_pid) < 0)
		return EXIT_OSERR;
	while (!k->started && !k->failed_step && !k->init_gone) {
		ev_run(k->loop, EVRUN_ONCE);
		/* The in-jail hook gets the signal from the init, which then starts nothing more. */
		if (k->stop_sig && !k->interrupt_sent) {
			k->interrupt_sent = true;
			kmsg_send(k->r.sync_fd, KMSG_INTERRUPT, k->stop_sig);
		}
	}
	/* The init ran the in-jail steps up to the one it says failed. */
	if (k->started || k->failed_step)
		step_walk_mark(&k->walk, CTX_JAIL, k->started ? STEP_NONE : (enum step_id)k->failed_step);
	if (k->started)
		return 0;
	if (k->failed_step && k->stop_sig)
		return 128 + k->stop_sig;
	if (k->failed_step) {
		const struct step_def *d = step_get((enum step_id)k->failed_step);
		return d && d->chain ? EXIT_SOFTWARE : EXIT_OSERR;
	}
	log_err(step_name(STEP_CREATE), "the init exited before the jail started");
	return EXIT_OSERR;
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
		return do_create(k);
	default:
		return 0;
	}
}

/* A create step: a host chain here, a back-end step through init/jail.h, the in-jail ones in the init (the
 * first of them runs them all: do_inside marks what the init did). 0, or the exit status. */
static int keeper_step(void *arg, enum step_id id)
{
	struct keeper *k = arg;
	const struct step_def *d = step_get(id);
	log_debug(d->name, "%s step", ctx_name(d->ctx));
	if (d->ctx == CTX_JAIL)
		return do_inside(k);
	if ((d->chain ? host_chain(k, id, true) : backend_step(k, id, true)) < 0)
		return k->stop_sig ? 128 + k->stop_sig : d->chain ? EXIT_SOFTWARE : k->config_error ? EXIT_CONFIG : EXIT_OSERR;
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
	/* Without its limits file attach refuses the jail (never runs with more than the command). */
	return limits_save(k->r.j, k->r.name) < 0 || state_write(&s) < 0 ? -1 : 0;
}

/* Runs until a signal asks for a stop or the command exits (the init then waits for our "stop"). */
static void keeper_wait(struct keeper *k)
{
	while (!k->stop_sig && k->exited < 0 && !k->init_gone && k->status < 0 && !k->reload_req)
		ev_run(k->loop, EVRUN_ONCE);
}

static void send_stop(struct keeper *k, bool run_stop_chain)
{
	if (k->stop_sent || k->init_gone || k->r.sync_fd < 0)
		return;
	k->stop_sent = true;
	kmsg_send(k->r.sync_fd, KMSG_STOP, run_stop_chain);
}

static int remove_step(struct keeper *k, enum step_id id)
{
	const struct step_def *d = step_get(id);
	switch (id) {
	case STEP_STOP:
		send_stop(k, true);
		return 0;
	case STEP_KILL:
		send_stop(k, false);
		return 0;
	case STEP_REMOVE:
		/* The init reports the final status once everything inside is stopped, then exits. */
		while (k->stop_sent && k->status < 0 && !k->init_gone)
			ev_run(k->loop, EVRUN_ONCE);
		if (ev_is_active(&k->io))
			ev_io_stop(k->loop, &k->io);
		if (k->r.sync_fd >= 0)
			close(k->r.sync_fd);
		k->r.sync_fd = -1;
		return jail_backend.remove(&k->r, &k->wstatus);
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
	log_err("create", "jail %s is already running (keeper pid %ld)", name, (long)s.keeper);
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
		set_state(k, RUN_RELOADING);
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
	control_move(k);
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
	k->init_gone = k->started = k->stop_sent = k->interrupt_sent = k->config_error = false;
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
		log_info("ready", "the stack is ready%s%s", notify_state()->status[0] ? ": " : "", notify_state()->status);
	if (st == RUN_RUNNING || k->state == RUN_RUNNING)
		set_state(k, st);
}

/* One build of the jail: create, run, remove. *code is the exit status when this is the last. */
static enum outcome keeper_cycle(struct keeper *k, int *code)
{
	*code = 0;
	set_state(k, RUN_STARTING);
	/* Before any step: bound once, kept by this process across every rebuild (init/sockets.h). */
	if ((*code = sockets_open(&sockets_jail, k->r.j, SOCKETS_HOST)) != 0) {
		/* As a failed step: a reload whose new sockets cannot be had falls back to the last good config. */
		k->failed_at = STEP_LISTEN;
		set_state(k, RUN_STOPPING);
		return OUT_FAILED;
	}
	if (notify_keeper_open(k->loop, k->r.j, ready_cb, k) < 0) {
		*code = EXIT_OSERR;
		set_state(k, RUN_STOPPING);
		return OUT_STOP;
	}
	if (create_walk(k, code) < 0) {
		set_state(k, RUN_STOPPING);
		remove_walk(k, code, true);
		notify_keeper_close();
		return OUT_FAILED;
	}
	/* A jail nothing can find (no state) is not left running: it is unwound, as a failed step. */
	if (write_state(k) < 0) {
		*code = EXIT_OSERR;
		set_state(k, RUN_STOPPING);
		remove_walk(k, code, true);
		notify_keeper_close();
		state_remove(k->name);
		limits_remove(k->name);
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
		set_state(k, RUN_RUNNING);
	enum outcome out = keeper_serve(k);
	set_state(k, out == OUT_REBUILD ? RUN_RELOADING : RUN_STOPPING);
	if (k->exited >= 0 || k->stop_sig || out != OUT_STOP)
		log_debug("keeper", "removing the jail (%s)", out != OUT_STOP ? "reload" :
			  k->stop_sig ? "signal" : "command exited");
	/* After the command's own exit, the stop chains still run before the rest is stopped. */
	step_walk_reset(&k->walk);
	step_walk_built(&k->walk);
	remove_walk(k, code, false);
	notify_keeper_close();
	state_remove(k->name);
	limits_remove(k->name);
	if (out == OUT_EXIT) {
		log_info("reload", "reload = exit: the jail is gone, exiting 0");
		*code = 0;
	}
	return out;
}

int keeper_run(struct ev_loop *loop, const struct jail *j, const char *name, const char *file)
{
	struct keeper k;
	memset(&k, 0, sizeof k);
	snprintf(k.name, sizeof k.name, "%s", name);
	k.r = (struct jailrun){.j = j, .name = k.name, .jid = -1, .sync_fd = -1, .init_fd = -1,
			       .rootless = geteuid() != 0};
	k.file = file;
	k.exited = k.status = k.last_exit = -1;
	k.loop = loop;
	if (already_running(name))
		return EXIT_TEMPFAIL;
	/* What `warder check` refuses, and what this user or host cannot have, is refused before any step. */
	char err[1024];
	if (jail_valid(&k, j, err, sizeof err) < 0)
		return EXIT_CONFIG;
	keeper_watch(&k);
	if (control_start(&k) < 0) {
		keeper_unwatch(&k);
		return EXIT_OSERR;
	}
	run_register(&keeper_ops, &k);
	int code;
	enum { FIRST, RELOADED, FELL_BACK } build = FIRST;
	for (;;) {
		k.new_config = build == RELOADED;
		enum outcome out = keeper_cycle(&k, &code);
		if (out == OUT_FAILED && build == RELOADED && !k.stop_sig) {
			/* The new config passed check but did not build (a rootfs a hook was to make, say): the
			 * service comes back as it was rather than staying down. */
			snprintf(k.reload_error, sizeof k.reload_error, "the reloaded config failed to build: %s (exit %d)",
				 step_get(k.failed_at)->name, code);
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
