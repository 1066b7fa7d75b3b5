/* keeper_ctl: what asks the keeper to reload or stop (keeper_priv.h): its signals (TERM and INT stop, HUP
 * reloads once the jail runs, USR1 and USR2 go to the init), the control socket (status, reload, stop) and
 * run_reload/run_stop from code in this process. A request breaks the loop; keeper.c acts on it. */
#include "keeper_priv.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "notify.h"
#include "sdnotify.h"

static const int keeper_stop_signals[] = {SIGTERM, SIGINT};
static const int keeper_fwd_signals[] = {SIGUSR1, SIGUSR2};

/* The new jail passes what `warder check` and the start of `warder run` check: its plan builds and the back
 * end accepts it. The error is the last line the log got. */
int keeper_valid(struct keeper *k, const struct jail *j, char *err, size_t errlen)
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
	if (conf_load_jail(k->file, NULL, k->name, &c, err, errlen) < 0) {
		log_err("reload", "%s: the jail keeps running as it is", err);
		return -1;
	}
	const struct jail *j = conf_jail(c, k->name);
	if (!j)
		snprintf(err, errlen, "%s: no jail named %s", k->file, k->name);
	if (!j || keeper_valid(k, j, err, errlen) < 0) {
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

const struct run_ops keeper_run_ops = {ops_reload, ops_stop};

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

void keeper_watch(struct keeper *k)
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

void keeper_unwatch(struct keeper *k)
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

int keeper_control_start(struct keeper *k)
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
void keeper_control_move(struct keeper *k)
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
