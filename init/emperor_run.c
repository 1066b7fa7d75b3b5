/* emperor_run: the top of `warder emperor`: its signals, the watch on the directory and the control socket set
 * up, the loop, and what is left once every vassal is gone. It calls down into the other parts and none calls
 * it. The layers are drawn at the top of init/emperor.h. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "emperor.h"
#include "exits.h"
#include "log.h"
#include "reaper.h"
#include "supervise.h"

static void sig_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop, (void)revents;
	struct emperor *e = w->data;
	if (w->signum == SIGHUP)
		emperor_reload(e);
	else
		emperor_stop(e);
}

/* A child ended: a vassal tells through its exit fd, anything else is found by the sweep. */
static void chld_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop, (void)revents;
	emperor_kill_orphans(container_of(w, struct emperor, chld), 0);
}

static void watch(struct emperor *e)
{
	ev_signal *sigs[] = {&e->term, &e->intr, &e->hup};
	int nums[] = {SIGTERM, SIGINT, SIGHUP};
	for (size_t i = 0; i < 3; i++) {
		ev_signal_init(sigs[i], sig_cb, nums[i]);
		sigs[i]->data = e;
		ev_signal_start(e->loop, sigs[i]);
	}
	ev_signal_init(&e->chld, chld_cb, SIGCHLD);
	ev_signal_start(e->loop, &e->chld);
	ev_init(&e->sweep, emperor_sweep_cb);
	emperor_dir_watch(e);
}

static void unwatch(struct emperor *e)
{
	ev_signal_stop(e->loop, &e->term);
	ev_signal_stop(e->loop, &e->intr);
	ev_signal_stop(e->loop, &e->hup);
	ev_signal_stop(e->loop, &e->chld);
	ev_timer_stop(e->loop, &e->sweep);
	emperor_dir_unwatch(e);
	while (e->n)
		vsl_free(e->v[e->n - 1]);
	free(e->v);
}

int emperor_run(struct emperor *e, const char *ctl)
{
	char buf[600];
	emperor_slots_open(e); /* first: the lowest fds */
	if (!ctl)
		ctl = control_default_path("emperor", buf, sizeof buf);
	if (ctl && !(e->ctl = control_open(e->loop, ctl, geteuid(), emperor_ctl_cb, e))) {
		emperor_slots_close(e);
		return EXIT_OSERR;
	}
	if (e->ctl)
		control_serve_targets(e->ctl, emperor_ctl_vassal_cb);
	if (reaper_become() < 0)
		log_errno(STEP, "cannot become a child subreaper");
	watch(e);
	log_info(STEP, "governing %s", e->dir);
	emperor_scan(e);
	emperor_settle(e);
	ev_run(e->loop, 0);
	emperor_drain_orphans(e);
	log_info(STEP, "every vassal is gone");
	unwatch(e);
	control_close(e->ctl);
	e->ctl = NULL;
	emperor_slots_close(e);
	return 0;
}
