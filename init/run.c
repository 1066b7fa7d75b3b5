/* run: `warder run -c FILE [NAME]`. With jail parameters the keeper (init/keeper.c) builds the jail and this
 * file's run_jail_init is its init; without any, warder is the init of a jail someone else made (FreeBSD's
 * exec.start target) and runs every chain here, in the step table's order, around the supervised command. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ev.h>

#include "chain.h"
#include "cmd.h"
#include "jail.h"
#include "keeper.h"
#include "kmsg.h"
#include "log.h"
#include "reaper.h"
#include "run.h"
#include "notify.h"
#include "sockets.h"
#include "sdnotify.h"
#include "supervise.h"
#include "vassal.h"

extern const char demo_conf[]; /* init/demo_conf.c */

struct init {
	const struct jail *j;
	struct jailrun *r; /* NULL: no keeper (init-only mode) */
	struct ev_loop *loop;
	struct sup_opts o;
	struct sup *s;
	char *argv[33];
	char words[1024];     /* the command's words when it runs without a shell (split_plain) */
	int pass[64];         /* the listening sockets handed to the command (init/sockets.h) */
	int fail_code;        /* EXIT_NOTREADY once ready.fail = stop stopped the stack */
	pid_t host_pid;
	bool done[STEP_COUNT];
	bool ran[STEP_COUNT]; /* remove-side chains already run */
	bool stopping;
	bool reloading;       /* reload = stack under way: the stack stops, then starts again */
	bool created;         /* every create step ran (init-only mode: exec.poststart included) */
	bool stop_deferred;   /* the command ended before that: prestop and stop wait for poststart */
	int interrupt;        /* the signal of a stop asked for while the create steps ran, 0 none */
	int restarts_before;  /* restarts of the stacks before the last reload */
	struct kmsg info;     /* the last "info" sent to the keeper */
	ev_io sync, setns;
	ev_signal term, intr, hup;
	ev_timer stop_timer;
	ev_prepare info_check;
};

/* --- hooks for code in the same process (run.h) ----------------------------------------------------------- */
static struct init *init_only;    /* this process's init-only loop; jail mode goes through the keeper */
static run_state_fn state_fn;
static void *state_arg;

const char *run_state_name(enum run_state s)
{
	static const char *const names[] = {[RUN_STARTING] = "starting", [RUN_RUNNING] = "running",
					    [RUN_RELOADING] = "reloading", [RUN_STOPPING] = "stopping"};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

void run_on_state(run_state_fn fn, void *arg)
{
	state_fn = fn;
	state_arg = arg;
}

void run_notify(enum run_state s)
{
	notify_run_state(s);
	/* What a service manager hears (sdnotify.h): "running" is where warder decides the jail is ready. */
	if (s == RUN_RUNNING)
		sdnotify_ready("running");
	else if (s == RUN_RELOADING)
		sdnotify_reloading();
	else if (s == RUN_STOPPING)
		sdnotify_stopping();
	if (state_fn)
		state_fn(s, state_arg);
}

/* A stop asked for while the create steps run: in a jail the keeper's "interrupt" (its end-of-file, too),
 * in init-only mode our own TERM, INT or HUP watchers, until the command starts. */
static int init_interrupted(void *arg)
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
	if (poll(&p, 1, 0) == 1) {
		int rc = kmsg_recv(in->r->init_fd, &m);
		if (rc <= 0)
			in->interrupt = SIGKILL;
		else if (m.type == KMSG_INTERRUPT)
			in->interrupt = m.arg;
	}
	return in->interrupt;
}

static int init_chain(struct init *in, enum step_id id)
{
	const struct step_def *d = step_get(id);
	bool create = false;
	for (size_t i = 0; i < step_create_count; i++)
		create |= step_create_order[i] == id;
	struct chain_ctx c = {
		.j = in->j, .step = id, .pid = in->host_pid, .jid = -1, .rootfd = -1, .inside = d->ctx == CTX_JAIL,
		.jail_user = in->r ? in->r->jail_user : NULL,
		.interrupted = create ? init_interrupted : NULL, .interrupted_arg = in,
	};
	log_debug(d->name, "%s chain", ctx_name(d->ctx));
	in->ran[id] = true;
	return chain_run(&c, d->chain);
}

/* The remove-side chains due before the processes are signalled: prestop (init-only mode; the keeper
 * runs it on the host otherwise) and stop, each only when its create-side partner completed. */
static void stop_chains(struct init *in)
{
	enum step_id todo[STEP_COUNT];
	size_t n = step_unwind(in->done, todo, STEP_COUNT);
	for (size_t i = 0; i < n; i++) {
		bool due = todo[i] == STEP_STOP || (todo[i] == STEP_PRESTOP && !in->r);
		if (due && !in->ran[todo[i]])
			init_chain(in, todo[i]);
	}
}

static int stop_signal(const struct jail *j)
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
	struct init *in = (struct init *)((char *)w - offsetof(struct init, stop_timer));
	if (in->s && sup_child(in->s) > 0) {
		log_debug("stop", "stop timeout passed: SIGKILL");
		signal_all(in, SIGKILL);
	}
}

/* TERM (stop.signal) to everything at once, as jail(8) does; the command's exit then hands the rest to sup. */
static void begin_stop(struct init *in, bool run_chains, int sig)
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
static int child_drop(void *arg)
{
	struct init *in = arg;
	int rc = jail_backend.drop(in->r);
	return rc == JAIL_ECONFIG ? EXIT_CONFIG : rc < 0 ? EXIT_OSERR : 0;
}

static void on_command_exit(int code, void *arg);

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
	static const char *const words[] = {[RESTART_NO] = "no", [RESTART_ON_FAILURE] = "on-failure",
					    [RESTART_ALWAYS] = "always"};
	const char *policy = jail_get(j, "restart"), *burst = jail_get(j, "restart.burst");
	for (size_t i = 0; policy && i < sizeof words / sizeof words[0]; i++)
		if (strcmp(policy, words[i]) == 0)
			o->restart = (int)i;
	o->restart_delay = jail_duration(j, "restart.delay");
	o->restart_max_delay = jail_duration(j, "restart.max_delay");
	if (!burst || sscanf(burst, "%d/%lf", &o->burst_n, &o->burst_secs) != 2)
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
	in->o.npass = (int)sockets_export(&sockets_jail, in->j->name, in->pass, sizeof in->pass / sizeof in->pass[0]);
	in->o.pass_fds = in->pass;
	return 0;
}

static int command_start(struct init *in)
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
	in->o.child_setup = in->r ? child_drop : NULL;
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
		/* The placeholder's end by our own stop is a clean stop. */
		in->o.exit_zero[128 + stop_signal(in->j)] = 1;
		in->o.exit_zero[128 + SIGKILL] = 1;
	}
	in->s = sup_new(in->loop, &in->o);
	if (!in->s) {
		log_errno("command", "out of memory");
		return -1;
	}
	log_info("command", "%s", cmd ? cmd : "none: the jail runs until it is stopped");
	/* A command that cannot be executed exits 126/127 through the loop like any other. */
	sup_spawn(in->s);
	notify_stack_started();
	in->done[STEP_COMMAND] = true;
	return 0;
}

/* The command exited on its own. Init-only: the stop chains run now, before sup TERMs the rest. In a
 * jail: tell the keeper, which runs exec.prestop on the host and then says "stop". */
static void on_command_exit(int code, void *arg)
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
	if (ev_is_active(&in->sync))
		ev_io_stop(in->loop, &in->sync);
	if (in->fail_code)
		code = in->fail_code;
	if (kmsg_send(in->r->init_fd, KMSG_EXITED, code) < 0)
		return;
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
static void begin_reload(struct init *in)
{
	if (in->stopping || in->reloading || !in->s)
		return;
	in->reloading = true;
	notify_stack_stopped();
	if (!in->r)
		run_notify(RUN_RELOADING);
	log_info("reload", "restarting the processes in the jail");
	if (in->done[STEP_START] && in->ran[STEP_STOP] == false)
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
	in->ran[STEP_STOP] = false;
	in->done[STEP_COMMAND] = false;
	in->done[STEP_START] = false;
	if (init_chain(in, STEP_START) < 0) {
		log_err("reload", "exec.start failed: stopping the jail");
		return EXIT_SOFTWARE;
	}
	in->done[STEP_START] = true;
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

static int ready_open(struct init *in)
{
	struct notify_policy pol = {ready_restart, ready_fail, in};
	return notify_init_open(in->loop, in->j, in->o.pid_namespace || (in->r && in->r->pid_ns), in->r != NULL, &pol);
}

/* Runs the stack until it is gone for good; reloads in between. Returns 0 or a failed restart's status. */
static int run_stack(struct init *in)
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

/* A reload once the stack runs; before that, SIGHUP is a closing terminal's: a stop (see keeper.c). */
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

static int init_only_create(struct init *in)
{
	for (size_t i = 0; i < step_create_count; i++) {
		enum step_id id = step_create_order[i];
		const struct step_def *d = step_get(id);
		ev_run(in->loop, EVRUN_NOWAIT);
		if (in->stopping && !in->s) {
			log_err(d->name, "not run: stopping (SIG%s)", conf_signal_name(in->interrupt));
			return 128 + in->interrupt;
		}
		if (id == STEP_COMMAND) {
			if (command_start(in) < 0)
				return EXIT_OSERR;
		} else if (d->chain) {
			if (init_chain(in, id) < 0)
				return in->interrupt ? 128 + in->interrupt : EXIT_SOFTWARE;
			in->done[id] = true;
		}
	}
	return 0;
}

static int run_init_only(const struct jail *j)
{
	struct init in;
	memset(&in, 0, sizeof in);
	in.j = j;
	in.loop = EV_DEFAULT;
	in.host_pid = getpid();
	if (getpid() != 1 && sup_become_reaper() < 0)
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
	init_only = &in;
	run_notify(RUN_STARTING);
	code = init_only_create(&in);
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
	/* poststop and release; prestop and stop already ran when the stop began. */
	enum step_id todo[STEP_COUNT];
	size_t n = step_unwind(in.done, todo, STEP_COUNT);
	for (size_t i = 0; i < n; i++) {
		const struct step_def *d = step_get(todo[i]);
		if (d->chain && !in.ran[todo[i]] && d->id != STEP_STOP && d->id != STEP_PRESTOP &&
		    init_chain(&in, todo[i]) < 0 && code == 0)
			code = EXIT_SOFTWARE;
	}
	if (ev_is_active(&in.stop_timer))
		ev_timer_stop(in.loop, &in.stop_timer);
	ev_signal_stop(in.loop, &in.term);
	ev_signal_stop(in.loop, &in.intr);
	ev_signal_stop(in.loop, &in.hup);
	init_only = NULL;
	sup_free(in.s);
	notify_init_close();
	sockets_close(&sockets_jail, false);
	return code;
}

/* --- the jail's init -------------------------------------------------------------------------------------- */
/* Without a pid namespace nothing kills what the in-jail steps started: do it before reporting. */
static void kill_leftovers(struct init *in)
{
	if (in->r->pid_ns)
		return;
	reaper_signal_children(SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

static int init_failed(struct init *in, enum step_id step, int code)
{
	kill_leftovers(in);
	kmsg_send(in->r->init_fd, KMSG_FAILED, (int)step);
	return code;
}

static void sync_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct init *in = (struct init *)((char *)w - offsetof(struct init, sync));
	struct kmsg m;
	int rc = kmsg_recv(w->fd, &m);
	if (rc <= 0) {
		/* The keeper is gone (PR_SET_PDEATHSIG normally beats us to it). */
		ev_io_stop(loop, w);
		begin_stop(in, false, SIGKILL);
		return;
	}
	if (m.type == KMSG_STOP) {
		ev_io_stop(loop, w);
		begin_stop(in, m.arg != 0, stop_signal(in->j));
	} else if (m.type == KMSG_RELOAD) {
		begin_reload(in);
	}
}

/* Before the loop waits: tell the keeper when the command's pid, restarts or last exit changed (its
 * status answers from what it heard last). */
static void info_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop, (void)revents;
	struct init *in = (struct init *)((char *)w - offsetof(struct init, info_check));
	if (!in->s || in->stopping)
		return;
	struct kmsg m = {KMSG_INFO, (int)sup_child(in->s), in->restarts_before + sup_restarts(in->s),
			 sup_last_exit(in->s)};
	if (m.arg == in->info.arg && m.a2 == in->info.a2 && m.a3 == in->info.a3)
		return;
	in->info = m;
	kmsg_send_info(in->r->init_fd, m.arg, m.a2, m.a3);
}

static void setns_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	setns_serve(w->fd);
}

/* A step fails: its code, or 128+N when the keeper's stop request (signal N) ended it. */
static int init_step_failed(struct init *in, enum step_id step, int code)
{
	return init_failed(in, step, in->interrupt ? 128 + in->interrupt : code);
}

/* Before each in-jail step: after a stop request nothing more starts. */
static bool init_stop_asked(struct init *in, enum step_id next)
{
	if (!init_interrupted(in))
		return false;
	log_err(step_get(next)->name, "not run: stopping (SIG%s)", conf_signal_name(in->interrupt));
	return true;
}

/* exec.jailed, the setns socket, the back end's setup, exec.start, its finish: in order, each reported. */
static int init_steps(struct init *in)
{
	const char *sock = jail_get(in->j, "setns-socket");
	if (init_stop_asked(in, STEP_JAILED) || init_chain(in, STEP_JAILED) < 0)
		return init_step_failed(in, STEP_JAILED, EXIT_SOFTWARE);
	in->done[STEP_JAILED] = true;
	int lfd = -1;
	if (init_stop_asked(in, STEP_SETUP))
		return init_step_failed(in, STEP_SETUP, EXIT_OSERR);
	if (sock && (lfd = setns_listen(sock)) < 0)
		return init_failed(in, STEP_SETUP, EXIT_OSERR);
	if (jail_backend.setup(in->r) < 0)
		return init_failed(in, STEP_SETUP, EXIT_OSERR);
	in->done[STEP_SETUP] = true;
	if (init_stop_asked(in, STEP_START) || init_chain(in, STEP_START) < 0)
		return init_step_failed(in, STEP_START, EXIT_SOFTWARE);
	if (jail_backend.finish && jail_backend.finish(in->r) < 0)
		return init_failed(in, STEP_START, EXIT_OSERR);
	in->done[STEP_START] = true;
	if (lfd >= 0) {
		ev_io_init(&in->setns, setns_cb, lfd, EV_READ);
		ev_io_start(in->loop, &in->setns);
	}
	return 0;
}

int run_jail_init(struct jailrun *r, struct ev_loop *loop)
{
	struct init in;
	vassal_forget(loop); /* the emperor's fd is the keeper's */
	sdnotify_forget(loop); /* and so is systemd's socket */
	memset(&in, 0, sizeof in);
	in.j = r->j;
	in.r = r;
	in.loop = loop;
	struct kmsg m;
	if (kmsg_recv(r->init_fd, &m) <= 0 || m.type != KMSG_GO)
		return EXIT_OSERR;
	in.host_pid = (pid_t)m.arg;
	if (!r->pid_ns && sup_become_reaper() < 0)
		log_errno("init", "cannot become a child subreaper");
	int code = init_steps(&in);
	if (code)
		return code;
	/* Never the command once a stop was asked for. */
	if (init_stop_asked(&in, STEP_COMMAND)) {
		stop_chains(&in); /* exec.start completed: its partner runs, here, before the init goes */
		return init_step_failed(&in, STEP_COMMAND, EXIT_OSERR);
	}
	if (ready_open(&in) < 0)
		return init_failed(&in, STEP_COMMAND, EXIT_OSERR);
	if (command_start(&in) < 0)
		return init_failed(&in, STEP_COMMAND, EXIT_OSERR);
	in.created = true; /* from here the keeper's messages are sync_cb's */
	kmsg_send(r->init_fd, KMSG_STARTED, 0);
	ev_io_init(&in.sync, sync_cb, r->init_fd, EV_READ);
	ev_io_start(loop, &in.sync);
	in.info.a3 = -2;
	ev_prepare_init(&in.info_check, info_cb);
	ev_prepare_start(loop, &in.info_check);
	code = run_stack(&in);
	if (code) {
		/* exec.start failed on a reload: the keeper stops the jail as after the command's exit. */
		kill_leftovers(&in);
		on_command_exit(code, &in);
	} else {
		code = in.fail_code ? in.fail_code : sup_status(in.s);
	}
	ev_prepare_stop(loop, &in.info_check);
	if (ev_is_active(&in.setns))
		ev_io_stop(loop, &in.setns);
	if (ev_is_active(&in.stop_timer))
		ev_timer_stop(loop, &in.stop_timer);
	setns_close();
	notify_init_close();
	sockets_close(&sockets_jail, true);
	kmsg_send(r->init_fd, KMSG_STATUS, code);
	sup_free(in.s);
	return code;
}

/* --- run.h: reload and stop from code in this process --------------------------------------------------- */
int run_reload(char *err, size_t errlen)
{
	if (!init_only)
		return keeper_reload(err, errlen);
	if (init_only->stopping || init_only->reloading || !init_only->s) {
		if (err)
			snprintf(err, errlen, "cannot reload while %s", init_only->stopping ? "stopping" : "starting");
		return -1;
	}
	begin_reload(init_only);
	return 0;
}

int run_stop(void)
{
	if (!init_only)
		return keeper_stop();
	log_info("stop", "stopping");
	begin_stop(init_only, true, stop_signal(init_only->j));
	return 0;
}

/* --- the command line ------------------------------------------------------------------------------------- */
static const char run_usage[] =
	"usage: warder run [-v] [-q] [--log-format text|json] -c FILE [NAME]\n"
	"       warder run demo                  the demo jail from the built-in config\n"
	"       warder run --demo-config         print the built-in demo config\n";

/* The demo config names its rootfs @ROOTFS@: $WARDER_DEMO_ROOTFS, else build/demo-rootfs here. */
static char *demo_text(void)
{
	char cwd[512], root[600];
	const char *env = getenv("WARDER_DEMO_ROOTFS");
	if (env && *env)
		snprintf(root, sizeof root, "%s", env);
	else if (getcwd(cwd, sizeof cwd))
		snprintf(root, sizeof root, "%s/build/demo-rootfs", cwd);
	else
		return NULL;
	static const char mark[] = "@ROOTFS@";
	size_t marks = 0;
	for (const char *p = strstr(demo_conf, mark); p; p = strstr(p + 1, mark))
		marks++;
	size_t len = strlen(demo_conf) + marks * strlen(root) + 1, o = 0;
	char *out = malloc(len);
	if (!out)
		return NULL;
	for (const char *p = demo_conf, *at; *p; p = at + sizeof mark - 1) {
		at = strstr(p, mark);
		if (!at) {
			snprintf(out + o, len - o, "%s", p);
			break;
		}
		o += (size_t)snprintf(out + o, len - o, "%.*s%s", (int)(at - p), p, root);
	}
	return out;
}

static int load(const char *file, const char *name, struct conf **c)
{
	char err[1024];
	int rc;
	if (file) {
		rc = conf_load(file, c, err, sizeof err);
	} else {
		char *text = demo_text();
		if (!text) {
			log_errno("run", "demo config");
			return EXIT_OSERR;
		}
		rc = conf_load_string("demo.conf", text, c, err, sizeof err);
		free(text);
	}
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		return CONF_EXIT;
	}
	if (!conf_jail(*c, name)) {
		if (name)
			fprintf(stderr, "%s: no jail named %s\n", file ? file : "demo.conf", name);
		else
			fprintf(stderr, "%s: %s: name the jail to run\n", file ? file : "demo.conf",
				(*c)->njails ? "several jails" : "no jail");
		conf_free(*c);
		return CONF_EXIT;
	}
	return 0;
}

static const char *run_file; /* -c FILE, read again by a reload = jail */

static int run_jail(const struct jail *j)
{
	log_set_name(j->name);
	bool jailed = jail_backend.wanted && jail_backend.wanted(j);
	/* The keeper reaps the init with waitpid; the default loop's SIGCHLD handler would reap it first. */
	struct ev_loop *loop = jailed ? ev_loop_new(EVFLAG_AUTO | EVFLAG_NOENV) : EV_DEFAULT;
	if (!loop) {
		log_err("run", "cannot initialise the event loop");
		return EXIT_OSERR;
	}
	int code = EXIT_OSERR;
	sockets_inherit();
	char who[160];
	snprintf(who, sizeof who, "jail %s", j->name);
	if (sdnotify_start(loop, who) == 0 && vassal_start(loop, j) == 0) {
		code = jailed ? keeper_run(loop, j, j->name, run_file) : run_init_only(j);
		vassal_end(code);
	}
	sdnotify_end(code);
	if (jailed)
		ev_loop_destroy(loop);
	return code;
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"log-format", required_argument, NULL, 'L'}, {"demo-config", no_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	const char *file = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+c:vqh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': file = optarg; break;
		case 'v': log_level = log_level < LOG_DEBUG ? log_level + 1 : LOG_DEBUG; break;
		case 'q': log_level = LOG_QUIET; break;
		case 'L':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
				fprintf(stderr, "warder run: --log-format is text or json\n%s", run_usage);
				return EXIT_USAGE;
			}
			log_json = strcmp(optarg, "json") == 0;
			break;
		case 'D': fputs(demo_conf, stdout); return 0;
		case 'h': fputs(run_usage, stdout); return 0;
		default: fputs(run_usage, stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind > 1 || (!file && (argc - optind != 1 || strcmp(argv[optind], "demo") != 0))) {
		fputs(run_usage, stderr);
		return EXIT_USAGE;
	}
	const char *name = optind < argc ? argv[optind] : NULL;
	struct conf *c = NULL;
	int code = load(file, name, &c);
	if (code)
		return code;
	/* What the files settle is a config error before any step runs (hooks/verify.c). */
	const struct jail *j = conf_jail(c, name);
	char err[1024];
	if (plan_verify(j, os_this(), jail_backend.wanted && jail_backend.wanted(j), err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		conf_free(c);
		return CONF_EXIT;
	}
	run_file = file;
	code = run_jail(j);
	conf_free(c);
	return code;
}
