/* keeper_init: the keeper's side of its jail's init (keeper_priv.h). The back end makes the init, which waits
 * for "go"; it runs the in-jail steps and answers with "started" or "failed STEP" (init/kmsg.h); while the jail
 * runs it reports the command's exits and pids; on removal it gets "stop" and reports the final status. */
#include "keeper_priv.h"

#include <errno.h>
#include <unistd.h>

#include "container_of.h"
#include "control.h"
#include "exits.h"
#include "jail_init.h"
#include "kmsg.h"
#include "log.h"
#include "notify.h"
#include "steps.h"

/* Here, below keeper.c, as the init's messages move the state too. */
void keeper_set_state(struct keeper *k, enum run_state st)
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
			keeper_set_state(k, RUN_RUNNING);
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
int keeper_create_init(struct keeper *k)
{
	struct init_arg a = {k};
	int fds[2];
	const char *user = jail_get(k->r.j, "exec.jail_user");
	k->r.jail_user = NULL;
	if (user && jail_bool(k->r.j, "exec.system_jail_user")) {
		char err[300];
		int rc = jailpw_host(user, &k->jail_user, err, sizeof err);
		if (rc < 0) {
			log_err(step_name(STEP_CREATE), "exec.jail_user (exec.system_jail_user): %s", err);
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
	log_info(step_name(STEP_CREATE), "the init of the jail is pid %ld", (long)k->r.init_pid);
	ev_io_init(&k->io, io_cb, k->r.sync_fd, EV_READ);
	ev_io_start(k->loop, &k->io);
	return 0;
}

/* The in-jail steps run in the init: "go", then wait for "started" or "failed STEP". 0, or the exit status. */
int keeper_inside(struct keeper *k)
{
	if (kmsg_send(k->r.sync_fd, KMSG_GO, (int)k->r.init_pid) < 0)
		return EXIT_OSERR;
	/* Its failure is the init's: it fails its setup step, which says where. */
	if (jail_backend.after_go)
		jail_backend.after_go(&k->r);
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

void keeper_send_stop(struct keeper *k, bool run_stop_chain)
{
	if (k->stop_sent || k->init_gone || k->r.sync_fd < 0)
		return;
	k->stop_sent = true;
	kmsg_send(k->r.sync_fd, KMSG_STOP, run_stop_chain);
}

static void exit_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	ev_io_stop(loop, w);
}

/* After "stop" the init has nothing to ask: it tells the command's exit and then its status, just before it
 * exits. With an fd for that exit the keeper leaves the socket alone until then and reads them after: one
 * wake-up, not two (the stop of many jails at once is CPU-bound). Its loop polls (cmd_run.c): a watcher
 * stopped is an fd not watched. */
static void await_init_exit(struct keeper *k)
{
	int fd = jail_backend.exit_fd && ev_is_active(&k->io) ? jail_backend.exit_fd(&k->r) : -1;
	if (fd < 0)
		return;
	ev_io w;
	ev_io_init(&w, exit_cb, fd, EV_READ);
	ev_io_start(k->loop, &w);
	ev_io_stop(k->loop, &k->io);
	while (ev_is_active(&w))
		ev_run(k->loop, EVRUN_ONCE);
	ev_io_start(k->loop, &k->io);
}

int keeper_init_end(struct keeper *k)
{
	if (k->stop_sent && k->status < 0 && !k->init_gone)
		await_init_exit(k);
	/* The init reports the final status once everything inside is stopped, then exits. */
	while (k->stop_sent && k->status < 0 && !k->init_gone)
		ev_run(k->loop, EVRUN_ONCE);
	if (ev_is_active(&k->io))
		ev_io_stop(k->loop, &k->io);
	if (k->r.sync_fd >= 0)
		close(k->r.sync_fd);
	k->r.sync_fd = -1;
	/* Nothing runs in the jail now: the control socket goes while the kernel tears it down (the state file
	 * stays until the jail is gone: it holds the name). */
	if (k->last && k->status >= 0) {
		control_close(k->ctl);
		k->ctl = NULL;
	}
	return jail_backend.remove(&k->r, &k->wstatus);
}
