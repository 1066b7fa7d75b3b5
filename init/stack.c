/* stack: what an init runs inside a jail, around the supervised command (stack.h). The jail's init
 * (init/jail_init.c) runs it for the keeper; without jail parameters warder is itself the init of a jail someone
 * else made (FreeBSD's exec.start target: init-only mode, here) and runs every chain, in the step table's
 * order, around the supervised command. */
#include "stack.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "chain.h"
#include "container_of.h"
#include "exits.h"
#include "jail.h"
#include "kmsg.h"
#include "log.h"
#include "notify.h"
#include "reaper.h"
#include "runstate.h"
#include "sockets.h"
#include "steps.h"
#include "supervise.h"

/* A stop asked for while the create steps run: in a jail the keeper's "interrupt" (its end-of-file, too),
 * in init-only mode our own TERM, INT or HUP watchers, until the command starts. */
int init_interrupted(void *arg)
{
	struct init *in = arg;
	if (in->interrupt || in->created)
		return in->interrupt;
	if (!in->r) {
		/* Once the command runs (exec.poststart) the loop is sup's too: running it here would let the
		 * command's exit stop everything under the hook. */
		if (!in->s)
			ev_run(in->loop, EVRUN_NOWAIT);
		return in->interrupt;
	}
	struct pollfd p = {.fd = in->r->init_fd, .events = POLLIN};
	struct kmsg m;
	int fd;
	if (poll(&p, 1, 0) == 1) {
		int rc = kmsg_recv_fd(in->r->init_fd, &m, &fd);
		if (rc <= 0) {
			in->interrupt = SIGKILL;
		} else if (m.type == KMSG_INTERRUPT) {
			in->interrupt = m.arg;
		} else if (m.type == KMSG_NETNS && !in->r->net_got) {
			/* kept for the setup step that joins it */
			in->r->net_got = true;
			in->r->net_fd = fd;
			fd = -1;
		}
		if (fd >= 0)
			close(fd);
	}
	return in->interrupt;
}

int init_chain(struct init *in, enum step_id id)
{
	const struct step_def *d = step_get(id);
	bool create = step_creates(id);
	struct chain_ctx c = {
		.j = in->j,
		.step = id,
		.pid = in->host_pid,
		.jid = -1,
		.rootfd = -1,
		.inside = d->ctx == CTX_JAIL,
		.jail_user = in->r ? in->r->jail_user : NULL,
		.interrupted = create ? init_interrupted : NULL,
		.interrupted_arg = in,
	};
	log_debug(d->name, "%s chain", ctx_name(d->ctx));
	in->walk.ran[id] = true;
	/* init_interrupted runs the default loop while a hook's child runs, and that loop's SIGCHLD watcher
	 * reaps with waitpid(-1): it would take the hook's shell from under shell_run's waitpid. SIGCHLD stays
	 * blocked for the chain, and what the loop had pending is taken before the first hook forks. */
	bool guard = create && !in->r && !in->s && !in->created;
	sigset_t chld, old;
	if (guard) {
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigprocmask(SIG_BLOCK, &chld, &old);
		ev_run(in->loop, EVRUN_NOWAIT);
	}
	int rc = chain_run(&c, d->chain);
	if (guard)
		sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

/* The remove-side chains due before the processes are signalled: prestop (init-only mode; the keeper
 * runs it on the host otherwise) and stop, each only when its create-side partner completed. */
static bool stop_chain_ours(void *arg, enum step_id id)
{
	struct init *in = arg;
	return id == STEP_STOP || (id == STEP_PRESTOP && !in->r);
}

static int stop_chain_run(void *arg, enum step_id id)
{
	init_chain(arg, id);
	return 0;
}

void stop_chains(struct init *in)
{
	static const struct step_ops ops = {.has = stop_chain_ours, .undo = stop_chain_run};
	step_walk_back(&in->walk, STEP_STOP, &ops, in);
}

int stop_signal(const struct jail *j)
{
	int sig = jail_signal(j, "stop.signal");
	return sig > 0 ? sig : SIGTERM;
}

/* Everything in the jail: the whole pid namespace when we are its PID 1, else the command's process group
 * and our children (we are their subreaper). */
static void signal_all(struct init *in, int sig)
{
	reaper_signal_all(sig, in->o.pid_namespace, in->s ? sup_child(in->s) : 0);
}

/* stop.timeout passed and the command is still there. Once it is gone sup itself stops the rest (TERM,
 * its own timeout, KILL), so a KILL here is only due while it lives. */
static void stop_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct init *in = container_of(w, struct init, stop_timer);
	if (in->s && sup_child(in->s) > 0) {
		log_debug(step_name(STEP_STOP), "stop timeout passed: SIGKILL"); /* the kill step, tagged "stop" as ever */
		signal_all(in, SIGKILL);
	}
}

/* TERM (stop.signal) to everything at once, as jail(8) does; the command's exit then hands the rest to sup. */
void begin_stop(struct init *in, bool run_chains, int sig)
{
	if (in->stopping)
		return;
	in->stopping = true;
	notify_stack_stopped();
	if (!in->r)
		run_notify(RUN_STOPPING);
	if (run_chains)
		stop_chains(in);
	if (!in->s)
		return;
	signal_all(in, sig);
	if (sig != SIGKILL) {
		ev_timer_init(&in->stop_timer, stop_timer_cb, in->o.stop_timeout > 0 ? in->o.stop_timeout : 0.001, 0.);
		ev_timer_start(in->loop, &in->stop_timer);
	}
}

/* --- the supervised command ------------------------------------------------------------------------------- */
/* The jailrun the back end's drop takes: the jail's own, or (init-only mode has none) OWN, naming only the
 * config. */
static struct jailrun *drop_run(struct init *in, struct jailrun *own)
{
	*own = (struct jailrun){.j = in->j, .name = in->j->name, .jid = -1, .sync_fd = -1, .init_fd = -1, .net_fd = -1};
	return in->r ? in->r : own;
}

/* The privilege drop `check` prints (user, group, groups, caps, no_new_privs), in a jail warder built and in
 * one made elsewhere alike. */
static int child_drop(void *arg)
{
	struct jailrun own;
	int rc = jail_backend.drop(drop_run(arg, &own));
	return rc == JAIL_ECONFIG ? EXIT_CONFIG : rc < 0 ? EXIT_OSERR : 0;
}

/* Before each start: the drop worked out here, so that the command's child can be a vfork one. */
static int child_drop_prepare(void *arg)
{
	struct jailrun own;
	return jail_backend.drop_prepare(drop_run(arg, &own));
}

/* Without a command the jail runs until it is stopped: a placeholder child stands in for the command (sup
 * needs one to supervise) and does nothing but wait for the stop signal. */
static int idle_child(void *arg)
{
	(void)arg;
	/* No fd of ours stays open in it: sup's exec report pipe must read end-of-file, as after an exec. */
	closefrom(3);
	for (;;)
		pause();
	return 0;
}

/* restart, restart.delay, restart.max_delay, restart.burst ("N/SECONDS") for sup. */
static void restart_policy(const struct jail *j, struct sup_opts *o)
{
	static const char *const words[] =
		{[RESTART_NO] = "no", [RESTART_ON_FAILURE] = "on-failure", [RESTART_ALWAYS] = "always"};
	const char *policy = jail_get(j, "restart"), *burst = jail_get(j, "restart.burst");
	for (size_t i = 0; policy && i < sizeof words / sizeof words[0]; i++)
		if (strcmp(policy, words[i]) == 0)
			o->restart = (int)i;
	o->restart_delay = jail_duration(j, "restart.delay");
	o->restart_max_delay = jail_duration(j, "restart.max_delay");
	/* "N/DURATION", as the parameter's check let it through ("5/1m": 5 within a minute) */
	char *end = NULL;
	long n = burst ? strtol(burst, &end, 10) : 0;
	double secs;
	if (end && end != burst && *end == '/' && conf_parse_duration(end + 1, &secs) == 0)
		o->burst_n = (int)n, o->burst_secs = secs;
	else
		o->burst_n = 0, o->burst_secs = 0;
}

/* A command of plain words that starts with an absolute path runs as sh -c would run it, without starting
 * the shell first (a few ms in a jail); anything a shell would interpret goes through sh -c. */
static bool split_plain(struct init *in, const char *cmd)
{
	size_t len = strlen(cmd), n = 0;
	char *save = NULL;
	if (cmd[0] != '/' || len >= sizeof in->words)
		return false;
	for (const char *p = cmd; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/._-+,:@= \t", *p))
			return false;
	memcpy(in->words, cmd, len + 1);
	for (char *t = strtok_r(in->words, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == sizeof in->argv / sizeof in->argv[0] - 1)
			return false;
		in->argv[n++] = t;
	}
	in->argv[n] = NULL;
	return true;
}

/* The command's listening sockets: the keeper's, and the `inside` ones bound here on the first start (they
 * stay open across reload = stack). 0, or the exit status. */
static int command_sockets(struct init *in)
{
	int rc = sockets_open(&sockets_jail, in->j, in->r ? SOCKETS_INSIDE : SOCKETS_INIT_ONLY);
	if (rc)
		return rc;
	in->o.npass = sockets_export(&sockets_jail, in->j->name, in->pass, sizeof in->pass / sizeof in->pass[0]);
	if (in->o.npass < 0)
		return EXIT_OSERR;
	in->o.pass_fds = in->pass;
	return 0;
}

int command_start(struct init *in)
{
	const char *cmd = jail_get(in->j, "command");
	static char idle_name[] = "(no command)";
	if (!cmd || !split_plain(in, cmd)) {
		in->argv[0] = "/bin/sh";
		in->argv[1] = "-c";
		in->argv[2] = (char *)cmd;
		in->argv[3] = NULL;
	}
	in->o.argv = in->argv;
	double t = jail_duration(in->j, "stop.timeout");
	in->o.stop_timeout = t < 0 ? 10 : t;
	in->o.pid_namespace = in->r ? in->r->pid_ns : getpid() == 1;
	in->o.child_setup = child_drop;
	in->o.child_prepare = jail_backend.drop_prepare ? child_drop_prepare : NULL;
	in->o.child_arg = in;
	in->o.on_exit = on_command_exit;
	in->o.on_exit_arg = in;
	if (command_sockets(in))
		return -1;
	if (cmd)
		restart_policy(in->j, &in->o);
	else {
		in->argv[0] = idle_name;
		in->argv[1] = NULL;
		in->o.child_setup = idle_child;
		in->o.child_prepare = NULL; /* it never execs: a vfork parent would wait for ever */
		/* The placeholder's end by our own stop is a clean stop. */
		in->o.exit_zero[128 + stop_signal(in->j)] = 1;
		in->o.exit_zero[128 + SIGKILL] = 1;
	}
	in->s = sup_new(in->loop, &in->o);
	if (!in->s) {
		log_errno(step_name(STEP_COMMAND), "out of memory");
		return -1;
	}
	log_info(step_name(STEP_COMMAND), "%s", cmd ? cmd : "none: the jail runs until it is stopped");
	/* A command that cannot be executed exits 126/127 through the loop like any other. */
	sup_spawn(in->s);
	notify_stack_started();
	in->walk.done[STEP_COMMAND] = true;
	return 0;
}

/* The command exited on its own. Init-only: the stop chains run now, before sup TERMs the rest. In a
 * jail: tell the keeper, which runs exec.prestop on the host and then says "stop". Without an exec.prestop
 * that answer is always "stop, with the stop chains" (keeper.c's remove walk): the init goes on at once
 * rather than wait a round trip for it, and the keeper's "stop" is left unread. */
void on_command_exit(int code, void *arg)
{
	struct init *in = arg;
	if (in->stopping || in->reloading)
		return;
	in->stopping = true;
	if (!in->r) {
		if (in->created)
			stop_chains(in);
		else
			in->stop_deferred = true;
		return;
	}
	if (ev_is_active(&in->sync_io))
		ev_io_stop(in->loop, &in->sync_io);
	if (in->fail_code)
		code = in->fail_code;
	if (kmsg_send(in->r->init_fd, KMSG_EXITED, code) < 0)
		return;
	if (!jail_is_set(in->j, step_get(STEP_PRESTOP)->chain)) {
		stop_chains(in);
		return;
	}
	struct kmsg m;
	while (kmsg_recv(in->r->init_fd, &m) > 0) {
		if (m.type != KMSG_STOP)
			continue;
		if (m.arg)
			stop_chains(in);
		return;
	}
}

static void run_loop(struct init *in)
{
	while (!sup_done(in->s))
		ev_run(in->loop, EVRUN_ONCE);
}

/* --- reload = stack ---------------------------------------------------------------------------------------- */
/* exec.stop, then every process but this init gets stop.signal (SIGKILL after stop.timeout); once all are
 * reaped, run_loop returns and restart_stack starts exec.start and the command again, in the same jail. */
void begin_reload(struct init *in)
{
	if (in->stopping || in->reloading || !in->s)
		return;
	in->reloading = true;
	notify_stack_stopped();
	if (!in->r)
		run_notify(RUN_RELOADING);
	log_info("reload", "restarting the processes in the jail");
	if (in->walk.done[STEP_START] && !in->walk.ran[STEP_STOP])
		init_chain(in, STEP_STOP);
	sup_stop(in->s, stop_signal(in->j));
}

/* Returns 0, or the exit status when exec.start failed (the jail then stops with it). */
static int restart_stack(struct init *in)
{
	in->restarts_before += sup_restarts(in->s);
	sup_free(in->s);
	in->s = NULL;
	in->reloading = false;
	in->walk.ran[STEP_STOP] = false;
	in->walk.done[STEP_COMMAND] = false;
	in->walk.done[STEP_START] = false;
	if (init_chain(in, STEP_START) < 0) {
		log_err("reload", "exec.start failed: stopping the jail");
		return EXIT_SOFTWARE;
	}
	in->walk.done[STEP_START] = true;
	if (command_start(in) < 0)
		return EXIT_OSERR;
	if (!in->r && !notify_wanted(in->j))
		run_notify(RUN_RUNNING);
	else if (in->r)
		kmsg_send(in->r->init_fd, KMSG_STARTED, 0);
	return 0;
}

/* --- readiness (init/notify.h): a missed ready.timeout or watchdog --------------------------------------- */
static void ready_restart(void *arg)
{
	begin_reload(arg);
}

/* The stack goes as if the command had exited by itself, and the jail ends with EXIT_NOTREADY. */
static void ready_fail(void *arg)
{
	struct init *in = arg;
	if (in->stopping || !in->s)
		return;
	in->fail_code = EXIT_NOTREADY;
	sup_stop(in->s, stop_signal(in->j));
}

int ready_open(struct init *in)
{
	struct notify_policy pol = {ready_restart, ready_fail, in};
	return notify_init_open(in->loop, in->j, in->o.pid_namespace || (in->r && in->r->pid_ns), in->r != NULL, &pol);
}

/* Runs the stack until it is gone for good; reloads in between. Returns 0 or a failed restart's status. */
int run_stack(struct init *in)
{
	for (;;) {
		run_loop(in);
		if (!in->reloading || in->stopping)
			return 0;
		int code = restart_stack(in);
		if (code)
			return code;
	}
}

/* --- init-only mode --------------------------------------------------------------------------------------- */
static void stop_sig_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop, (void)revents;
	struct init *in = w->data;
	log_info("signal", "%s: stopping", conf_signal_name(w->signum));
	if (!in->created && !in->interrupt)
		in->interrupt = w->signum;
	if (!in->s) {
		in->stopping = true;
		return;
	}
	begin_stop(in, true, stop_signal(in->j));
}

/* A reload once the stack runs; before that, SIGHUP is a closing terminal's: a stop (see keeper_ctl.c). */
static void hup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct init *in = w->data;
	if (!in->created && !in->s)
		stop_sig_cb(loop, w, revents);
	else
		begin_reload(in);
}

static void watch_stop_signals(struct init *in)
{
	/* sup would forward TERM and INT to the command; here they start the stop sequence instead. */
	in->o.rewrite[SIGTERM] = -1;
	in->o.rewrite[SIGINT] = -1;
	ev_signal_init(&in->term, stop_sig_cb, SIGTERM);
	ev_signal_init(&in->intr, stop_sig_cb, SIGINT);
	in->term.data = in->intr.data = in;
	ev_signal_start(in->loop, &in->term);
	ev_signal_start(in->loop, &in->intr);
	/* SIGHUP restarts the stack (reload = stack semantics: there is no jail of ours to rebuild). */
	in->o.rewrite[SIGHUP] = -1;
	ev_signal_init(&in->hup, hup_cb, SIGHUP);
	in->hup.data = in;
	ev_signal_start(in->loop, &in->hup);
}

/* Init-only mode walks every step: the chains and the command run here, the back-end steps are someone
 * else's (they count as done, and undoing them is nothing). A stop before the command ends the walk. */
static int init_only_stopped(void *arg)
{
	struct init *in = arg;
	ev_run(in->loop, EVRUN_NOWAIT);
	if (!in->stopping || in->s)
		return 0;
	return in->interrupt ? in->interrupt : SIGTERM; /* run_stop's, as SIGTERM */
}

static int init_only_step(void *arg, enum step_id id)
{
	struct init *in = arg;
	if (id == STEP_COMMAND)
		return command_start(in) < 0 ? EXIT_OSERR : 0;
	if (step_get(id)->chain && init_chain(in, id) < 0)
		return in->interrupt ? 128 + in->interrupt : EXIT_SOFTWARE;
	return 0;
}

/* The remove-side chains not run yet: poststop and release, and prestop and stop when the stop came before
 * stop_chains could run them (a completed chain's partner runs; the walk runs each once). */
static int init_only_undo(void *arg, enum step_id id)
{
	if (!step_get(id)->chain)
		return 0;
	return init_chain(arg, id) < 0 ? EXIT_SOFTWARE : 0;
}

static const struct step_ops init_only_steps = {NULL, init_only_stopped, init_only_step, init_only_undo};

/* runstate.h: run_reload and run_stop, from code in this process. */
static int init_only_reload(void *arg, char *err, size_t errlen)
{
	struct init *in = arg;
	if (in->stopping || in->reloading || !in->s) {
		snprintf(err, errlen, "cannot reload while %s", in->stopping ? "stopping" : "starting");
		return -1;
	}
	begin_reload(in);
	return 0;
}

static void init_only_stop(void *arg)
{
	struct init *in = arg;
	log_info(step_name(STEP_STOP), "stopping");
	begin_stop(in, true, stop_signal(in->j));
}

static const struct run_ops init_only_ops = {init_only_reload, init_only_stop};

int run_init_only(const struct jail *j)
{
	struct init in;
	memset(&in, 0, sizeof in);
	in.j = j;
	in.loop = EV_DEFAULT;
	in.host_pid = getpid();
	if (getpid() != 1 && reaper_become() < 0)
		log_errno("init", "cannot become a child subreaper");
	int code = sockets_open(&sockets_jail, j, SOCKETS_INIT_ONLY);
	if (code)
		return code;
	in.o.pid_namespace = getpid() == 1;
	if (ready_open(&in) < 0) {
		sockets_close(&sockets_jail, false);
		return EXIT_OSERR;
	}
	watch_stop_signals(&in);
	run_register(&init_only_ops, &in);
	run_notify(RUN_STARTING);
	code = step_walk_forward(&in.walk, STEP_NONE, &init_only_steps, &in);
	in.created = true;
	if (in.stop_deferred)
		stop_chains(&in);
	if (code == 0 && in.s) {
		if (!notify_wanted(j))
			run_notify(RUN_RUNNING);
		code = run_stack(&in);
		if (code == 0)
			code = in.fail_code ? in.fail_code : sup_status(in.s);
		else
			stop_chains(&in);
	} else if (in.s) {
		begin_stop(&in, true, SIGKILL);
		run_loop(&in);
	}
	int rc = step_walk_back(&in.walk, STEP_NONE, &init_only_steps, &in);
	if (code == 0)
		code = rc;
	if (ev_is_active(&in.stop_timer))
		ev_timer_stop(in.loop, &in.stop_timer);
	ev_signal_stop(in.loop, &in.term);
	ev_signal_stop(in.loop, &in.intr);
	ev_signal_stop(in.loop, &in.hup);
	run_register(NULL, NULL);
	sup_free(in.s);
	notify_init_close();
	sockets_close(&sockets_jail, false);
	return code;
}
