/* jail_init: the init of a jail the keeper built, in the process the back end made for it (jail_init.h). It
 * waits for the keeper's "go", runs the in-jail steps, runs the stack (init/stack.h) and answers the keeper's
 * messages (init/kmsg.h) until "stop". */
#include "jail_init.h"

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>

#include "container_of.h"
#include "exits.h"
#include "log.h"
#include "notify.h"
#include "reaper.h"
#include "sdnotify.h"
#include "setns.h"
#include "sockets.h"
#include "stack.h"
#include "vassal.h"

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
	struct init *in = container_of(w, struct init, sync_io);
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
	struct init *in = container_of(w, struct init, info_check);
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

/* A chain fails: EXIT_SOFTWARE, or 128+N when the keeper's stop request (signal N) ended it. */
static int chain_failed(struct init *in)
{
	return in->interrupt ? 128 + in->interrupt : EXIT_SOFTWARE;
}

/* The in-jail steps: exec.jailed; the setns socket and the back end's setup; exec.start and the back end's
 * finish; the command. 0, or the exit status. */
static int in_jail_step(void *arg, enum step_id id)
{
	struct init *in = arg;
	const char *sock;
	switch (id) {
	case STEP_JAILED:
		return init_chain(in, id) < 0 ? chain_failed(in) : 0;
	case STEP_SETUP:
		sock = jail_get(in->j, "setns-socket");
		if (sock && (in->setns_fd = setns_listen(sock)) < 0)
			return EXIT_OSERR;
		return jail_backend.setup(in->r) < 0 ? EXIT_OSERR : 0;
	case STEP_START:
		if (init_chain(in, id) < 0)
			return chain_failed(in);
		if (jail_backend.finish && jail_backend.finish(in->r) < 0)
			return EXIT_OSERR;
		if (in->setns_fd >= 0) {
			ev_io_init(&in->setns_io, setns_cb, in->setns_fd, EV_READ);
			ev_io_start(in->loop, &in->setns_io);
		}
		return 0;
	case STEP_COMMAND:
		return ready_open(in) < 0 || command_start(in) < 0 ? EXIT_OSERR : 0;
	default:
		return 0;
	}
}

static bool in_jail(void *arg, enum step_id id)
{
	(void)arg;
	return step_get(id)->ctx == CTX_JAIL;
}

/* After a stop request (the keeper's "interrupt") nothing more starts. */
static const struct step_ops in_jail_steps = {.has = in_jail, .stopped = init_interrupted, .run = in_jail_step};

int run_jail_init(struct jailrun *r, struct ev_loop *loop)
{
	struct init in;
	vassal_forget(loop);   /* the emperor's fd is the keeper's */
	sdnotify_forget(loop); /* and so is systemd's socket */
	memset(&in, 0, sizeof in);
	in.j = r->j;
	in.r = r;
	in.loop = loop;
	struct kmsg m;
	if (kmsg_recv(r->init_fd, &m) <= 0 || m.type != KMSG_GO)
		return EXIT_OSERR;
	in.host_pid = (pid_t)m.arg;
	if (!r->pid_ns && reaper_become() < 0)
		log_errno("init", "cannot become a child subreaper");
	in.setns_fd = -1;
	int code = step_walk_forward(&in.walk, STEP_COMMAND, &in_jail_steps, &in);
	if (code) {
		/* Stopped or failed before the command ran: when exec.start completed, its partner runs here, before
		 * the init goes (the keeper's walk has no in-jail steps left once the init is gone). */
		stop_chains(&in);
		return init_failed(&in, in.walk.at, code);
	}
	in.created = true; /* from here the keeper's messages are sync_cb's */
	kmsg_send(r->init_fd, KMSG_STARTED, 0);
	ev_io_init(&in.sync_io, sync_cb, r->init_fd, EV_READ);
	ev_io_start(loop, &in.sync_io);
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
	if (ev_is_active(&in.setns_io))
		ev_io_stop(loop, &in.setns_io);
	if (ev_is_active(&in.stop_timer))
		ev_timer_stop(loop, &in.stop_timer);
	setns_close();
	notify_init_close();
	sockets_close(&sockets_jail, true);
	kmsg_send(r->init_fd, KMSG_STATUS, code);
	/* No sup_free: the init exits now, and its mask given back could let a late signal decide how. */
	return code;
}
