/* notify: readiness of the stack (see notify.h). The init side receives and judges; the keeper side keeps the
 * state; in init-only mode both are this process. */
#include "notify.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>

#include "listen.h"
#include "log.h"
#include "nsock.h"
#include "notifymsg.h"

#define STEP "ready"
#define MAX_OBSERVERS 4

enum ready_mode { READY_STARTED, READY_NOTIFY, READY_SOCKET };

static struct {
	/* the state (keeper, or init-only) */
	struct notify_state st;
	char status[256];
	bool wanted;
	struct {
		notify_observer fn;
		void *arg;
	} obs[MAX_OBSERVERS];
	size_t nobs;
	/* keeper */
	struct ev_loop *kloop;
	int kfd, relay;
	ev_io kio;
	void (*state_fn)(enum run_state, void *);
	void *state_arg;
	/* init */
	struct ev_loop *loop;
	const struct jail *j;
	enum ready_mode mode;
	struct listen_spec probe;
	struct notify_policy pol;
	bool pid_ns, relaying, stack_ready, running;
	double timeout, watchdog;
	int fd;
	char addr[128];
	ev_io io;
	ev_timer ready_timer, dog_timer, probe_timer;
} n = {.kfd = -1, .relay = -1, .fd = -1};

static enum ready_mode mode_of(const struct jail *j)
{
	const char *r = jail_get(j, "ready");
	if (r && strcmp(r, "notify") == 0)
		return READY_NOTIFY;
	if (r && strncmp(r, "socket:", 7) == 0)
		return READY_SOCKET;
	return READY_STARTED;
}

bool notify_wanted(const struct jail *j)
{
	return mode_of(j) != READY_STARTED || jail_duration(j, "watchdog") > 0;
}

const struct notify_state *notify_state(void)
{
	n.st.status = n.status;
	return &n.st;
}

int notify_observe(notify_observer fn, void *arg)
{
	if (n.nobs == MAX_OBSERVERS)
		return -1;
	n.obs[n.nobs].fn = fn;
	n.obs[n.nobs++].arg = arg;
	return 0;
}

static void changed(void)
{
	for (size_t i = 0; i < n.nobs; i++)
		n.obs[i].fn(notify_state(), n.obs[i].arg);
}

void notify_run_state(enum run_state s)
{
	if (!n.wanted) {
		n.st.ready = s == RUN_RUNNING;
		n.st.reloading = s == RUN_RELOADING;
	}
	n.st.stopping = s == RUN_STOPPING;
	if (s == RUN_STARTING)
		n.status[0] = '\0';
	changed();
}

/* A believed message, in the process that keeps the state. */
static void apply(const struct sdn_msg *m)
{
	if (m->has_status)
		snprintf(n.status, sizeof n.status, "%s", m->status);
	if (m->mainpid)
		n.st.mainpid = (pid_t)m->mainpid;
	if (m->stopping)
		n.st.stopping = true;
	if (m->reloading && !m->ready) {
		n.st.ready = false;
		n.st.reloading = true;
		if (n.state_fn)
			n.state_fn(RUN_RELOADING, n.state_arg);
	}
	if (m->ready) {
		n.st.ready = true;
		n.st.reloading = false;
		if (n.state_fn)
			n.state_fn(RUN_RUNNING, n.state_arg);
	}
	changed();
}

/* --- the keeper ------------------------------------------------------------------------------------------ */
static void kio_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	char buf[4096];
	ssize_t len = recv(w->fd, buf, sizeof buf, 0);
	if (len < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (len <= 0) {
		ev_io_stop(loop, w);
		return;
	}
	struct sdn_msg m;
	if (notifymsg_parse(buf, (size_t)len, &m) == 0)
		apply(&m);
}

int notify_keeper_open(struct ev_loop *loop, const struct jail *j, void (*fn)(enum run_state, void *), void *arg)
{
	n.wanted = notify_wanted(j);
	n.st = (struct notify_state){0};
	n.status[0] = '\0';
	n.state_fn = fn;
	n.state_arg = arg;
	if (!n.wanted)
		return 0;
	int p[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p) < 0) {
		log_errno(STEP, "socketpair");
		return -1;
	}
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
		log_errno(STEP, "fcntl O_NONBLOCK");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	n.kloop = loop;
	n.kfd = p[0];
	n.relay = p[1];
	ev_io_init(&n.kio, kio_cb, n.kfd, EV_READ);
	ev_io_start(loop, &n.kio);
	return 0;
}

void notify_keeper_close(void)
{
	if (n.kfd >= 0) {
		ev_io_stop(n.kloop, &n.kio);
		close(n.kfd);
	}
	if (n.relay >= 0)
		close(n.relay);
	n.kfd = n.relay = -1;
	n.state_fn = NULL;
}

/* --- the init: what it tells --------------------------------------------------------------------------- */
/* To the keeper over the relay, or to the state here. */
static void tell(const struct sdn_msg *m)
{
	if (!n.relaying) {
		apply(m);
		return;
	}
	char buf[512];
	int len = snprintf(buf, sizeof buf, "%s%s%s%s%s%s", m->ready ? "READY=1\n" : "",
			   m->reloading ? "RELOADING=1\n" : "", m->stopping ? "STOPPING=1\n" : "",
			   m->has_status ? "STATUS=" : "", m->has_status ? m->status : "", m->has_status ? "\n" : "");
	if (m->mainpid)
		len += snprintf(buf + len, sizeof buf - (size_t)len, "MAINPID=%ld\n", m->mainpid);
	if (len > 0 && send(n.relay, buf, (size_t)len, MSG_NOSIGNAL) < 0 && errno != EPIPE)
		log_errno(STEP, "tell the keeper");
}

static void tell_simple(bool ready, bool reloading, const char *status)
{
	struct sdn_msg m = {.ready = ready, .reloading = reloading, .extend_usec = -1};
	if (status) {
		m.has_status = true;
		snprintf(m.status, sizeof m.status, "%s", status);
	}
	tell(&m);
}

static void became_ready(const char *how)
{
	if (n.stack_ready)
		return;
	n.stack_ready = true;
	if (ev_is_active(&n.ready_timer))
		ev_timer_stop(n.loop, &n.ready_timer);
	if (ev_is_active(&n.probe_timer))
		ev_timer_stop(n.loop, &n.probe_timer);
	/* In a jail the keeper says it, with the status text; here it is the only one to. */
	if (n.relaying)
		log_debug(STEP, "the stack is ready (%s)", how);
	else
		log_info(STEP, "the stack is ready (%s)", how);
}

/* ready.timeout or the watchdog ran out: ready.fail says what now. */
static void missed(const char *what)
{
	bool stop = strcmp(jail_get(n.j, "ready.fail"), "stop") == 0;
	log_err(STEP, "%s: %s", what, stop ? "stopping the jail" : "restarting the stack");
	notify_stack_stopped();
	if (stop) {
		n.pol.fail(n.pol.arg);
		return;
	}
	tell_simple(false, true, NULL);
	n.pol.restart(n.pol.arg);
}

static void ready_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)w, (void)revents;
	char what[64];
	snprintf(what, sizeof what, "not ready within ready.timeout (%gs)", n.timeout);
	missed(what);
}

static void dog_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)w, (void)revents;
	char what[64];
	snprintf(what, sizeof what, "no WATCHDOG=1 within %gs", n.watchdog);
	missed(what);
}

/* ready = socket:ADDRESS: a connection succeeds (from inside the jail). */
static void probe_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)w, (void)revents;
	int fd = socket(n.probe.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return;
	int rc = connect(fd, (const struct sockaddr *)&n.probe.sa, n.probe.salen);
	if (rc < 0 && errno == EINPROGRESS) {
		struct pollfd p = {fd, POLLOUT, 0};
		int err = 0;
		socklen_t l = sizeof err;
		rc = poll(&p, 1, 50) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) == 0 && err == 0 ? 0 : -1;
	}
	close(fd);
	if (rc == 0) {
		char how[200];
		snprintf(how, sizeof how, "%s accepts", n.probe.addr);
		became_ready(how);
		tell_simple(true, false, NULL);
	}
}

/* --- the init: what it hears ------------------------------------------------------------------------------ */
static bool believed(pid_t pid)
{
	/* In the jail's own pid namespace every pid we can see is the jail's (outsiders read as 0). */
	return pid > 0 && (n.pid_ns || nsock_in_tree(pid));
}

static void heard(struct sdn_msg *m, pid_t pid)
{
	if (m->mainpid && !believed((pid_t)m->mainpid)) {
		log_warn(STEP, "MAINPID=%ld from pid %ld is not a process of the jail: ignored", m->mainpid, (long)pid);
		m->mainpid = 0;
	}
	if (m->watchdog && ev_is_active(&n.dog_timer))
		ev_timer_again(n.loop, &n.dog_timer);
	if (m->extend_usec >= 0 && !n.stack_ready && ev_is_active(&n.ready_timer)) {
		/* As systemd: the time left becomes at least the extension. */
		double ext = (double)m->extend_usec / 1e6;
		if (ext > ev_timer_remaining(n.loop, &n.ready_timer)) {
			ev_timer_stop(n.loop, &n.ready_timer);
			ev_timer_set(&n.ready_timer, ext, 0.);
			ev_timer_start(n.loop, &n.ready_timer);
		}
	}
	if (m->ready) {
		if (n.mode == READY_NOTIFY)
			became_ready("READY=1");
		else
			m->ready = false; /* `ready` says what ready is; READY=1 does not decide it */
	}
	if (m->stopping)
		notify_stack_stopped();
	tell(m);
	if (m->watchdog_trigger)
		missed("the stack sent WATCHDOG=trigger");
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	char buf[4096];
	for (int i = 0; i < 64; i++) { /* a flood waits for the next turn of the loop */
		pid_t pid;
		ssize_t len = nsock_recv(w->fd, buf, sizeof buf, &pid);
		if (len < 0)
			return;
		struct sdn_msg m;
		if (!believed(pid)) {
			log_debug(STEP, "a notification from pid %ld, not the jail's: ignored", (long)pid);
			continue;
		}
		if (notifymsg_parse(buf, (size_t)len, &m) == 0)
			heard(&m, pid);
	}
}

int notify_init_open(struct ev_loop *loop, const struct jail *j, bool pid_ns, bool relay, const struct notify_policy *pol)
{
	/* The keeper's end of the relay is the keeper's: the init only writes to its own. */
	if (n.kfd >= 0) {
		if (ev_is_active(&n.kio))
			ev_io_stop(loop, &n.kio);
		close(n.kfd);
		n.kfd = -1;
	}
	n.state_fn = NULL;
	n.wanted = notify_wanted(j);
	if (!n.wanted)
		return 0;
	n.loop = loop;
	n.j = j;
	n.mode = mode_of(j);
	n.pid_ns = pid_ns;
	n.relaying = relay;
	n.pol = *pol;
	n.timeout = jail_duration(j, "ready.timeout");
	n.watchdog = jail_duration(j, "watchdog");
	ev_init(&n.ready_timer, ready_timer_cb);
	ev_init(&n.dog_timer, dog_timer_cb);
	ev_init(&n.probe_timer, probe_cb);
	if (n.mode == READY_SOCKET) {
		char why[256];
		if (listen_parse(jail_get(j, "ready") + 7, &n.probe, why, sizeof why) < 0) {
			log_err(STEP, "ready: %s", why);
			return -1;
		}
	}
	if (n.mode == READY_NOTIFY || n.watchdog > 0) {
		if ((n.fd = nsock_open(j->name, n.addr, sizeof n.addr)) < 0)
			return -1;
		if (setenv("NOTIFY_SOCKET", n.addr, 1) < 0) {
			log_errno(STEP, "setenv NOTIFY_SOCKET");
			close(n.fd);
			n.fd = -1;
			return -1;
		}
		ev_io_init(&n.io, io_cb, n.fd, EV_READ);
		ev_io_start(loop, &n.io);
		log_debug(STEP, "NOTIFY_SOCKET=%s", n.addr);
	}
	if (n.watchdog > 0) {
		char usec[32];
		snprintf(usec, sizeof usec, "%lld", (long long)(n.watchdog * 1e6));
		if (setenv("WATCHDOG_USEC", usec, 1) < 0) {
			log_errno(STEP, "setenv WATCHDOG_USEC");
			return -1;
		}
	}
	return 0;
}

void notify_stack_started(void)
{
	if (!n.wanted || !n.loop)
		return;
	notify_stack_stopped();
	n.stack_ready = false;
	n.running = true;
	ev_now_update(n.loop);
	if (n.timeout > 0) {
		ev_timer_set(&n.ready_timer, n.timeout, 0.);
		ev_timer_start(n.loop, &n.ready_timer);
	}
	if (n.watchdog > 0) {
		n.dog_timer.repeat = n.watchdog;
		ev_timer_again(n.loop, &n.dog_timer);
	}
	if (n.mode == READY_SOCKET) {
		ev_timer_set(&n.probe_timer, 0., 0.1);
		ev_timer_start(n.loop, &n.probe_timer);
	} else if (n.mode == READY_STARTED) {
		became_ready("the command started");
		tell_simple(true, false, NULL);
	}
}

void notify_stack_stopped(void)
{
	if (!n.loop)
		return;
	n.running = false;
	ev_timer_stop(n.loop, &n.ready_timer);
	ev_timer_stop(n.loop, &n.dog_timer);
	ev_timer_stop(n.loop, &n.probe_timer);
}

void notify_init_close(void)
{
	if (!n.loop)
		return;
	notify_stack_stopped();
	if (n.fd >= 0) {
		ev_io_stop(n.loop, &n.io);
		nsock_close(n.fd, n.addr);
		n.fd = -1;
	}
	if (n.relay >= 0) {
		close(n.relay);
		n.relay = -1;
	}
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	n.loop = NULL;
}
