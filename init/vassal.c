/* vassal: `warder run` under an emperor. The emperor's bytes become the jail's own stop and reload (through
 * init/runstate.h; in init-only mode a reload ends the process so the emperor starts it from the file
 * again); the jail's state goes back as "spawned", "ready", "loyal", heartbeats and, when it stops by
 * itself, "voluntary shutdown". */
#include "vassal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <ev.h>

#include "conf.h"
#include "jail.h"
#include "log.h"
#include "runstate.h"

#define STEP "vassal"

static struct vassal {
	struct ev_loop *loop;
	const struct jail *j;
	int fd;
	bool asked; /* the emperor asked for a stop or a reload: not a voluntary end */
	bool ready; /* "ready" went out for the current run */
	bool loyal;
	bool jail_mode;
	ev_io io;
	ev_timer beat;
} v = {.fd = -1};

static void say(unsigned char byte)
{
	if (v.fd < 0)
		return;
	ssize_t n;
	do
		n = send(v.fd, &byte, 1, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		log_debug(STEP, "send %u to the emperor: %s", byte, n < 0 ? strerror(errno) : "short");
}

static void do_stop(void)
{
	v.asked = true;
	/* Before the jail runs nothing is registered to stop: the signal does it as it would anyway. */
	if (run_stop() == 0)
		return;
	kill(getpid(), SIGTERM);
}

static void do_reload(void)
{
	char err[256] = "";
	v.asked = true;
	/* Init-only: a reload in place would run the command it started with, not its edited file's. Ending
	 * lets the emperor start it again from the file (uWSGI's respawns whatever is not exiled). */
	if (!v.jail_mode) {
		log_info(STEP, "reload: ending, to be started again from the file");
		do_stop();
		return;
	}
	if (run_reload(err, sizeof err) < 0)
		log_warn(STEP, "reload: %s", err);
}

static void beat_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)w, (void)revents;
	say(VASSAL_HEARTBEAT);
}

static void became_ready(void)
{
	if (v.ready)
		return;
	v.ready = true;
	v.asked = false; /* a reload is over; a later end is the jail's own again */
	say(VASSAL_READY);
	if (!v.loyal) {
		v.loyal = true;
		say(VASSAL_LOYAL);
	}
	double hb = jail_duration(v.j, "heartbeat");
	if (hb > 0 && !ev_is_active(&v.beat)) {
		ev_timer_init(&v.beat, beat_cb, hb, hb);
		ev_timer_start(v.loop, &v.beat);
		say(VASSAL_HEARTBEAT);
	}
}

static void state_cb(enum run_state s, void *arg)
{
	(void)arg;
	if (s == RUN_RUNNING) {
		became_ready();
	} else if (s == RUN_RELOADING && v.ready) {
		v.ready = false;
		say(VASSAL_SPAWNED);
	}
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	unsigned char byte;
	ssize_t n = read(w->fd, &byte, 1);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		log_info(STEP, "the emperor is gone: stopping");
		ev_io_stop(loop, w);
		close(v.fd);
		v.fd = -1;
		do_stop();
		return;
	}
	switch (byte) {
	case VASSAL_STOP:
	case VASSAL_GRACEFUL_STOP:
		log_info(STEP, "the emperor asks for a stop");
		do_stop();
		break;
	case VASSAL_RELOAD:
		log_info(STEP, "the emperor asks for a reload");
		do_reload();
		break;
	default:
		log_debug(STEP, "ignoring byte %u from the emperor", byte);
	}
}

/* The emperor's fd: a number in the environment, an open socket, never passed on. */
static int take_fd(const char *env)
{
	char *end;
	errno = 0;
	long fd = strtol(env, &end, 10);
	if (errno || *end || end == env || fd < 3 || fd > 65535 || fcntl((int)fd, F_GETFD) < 0) {
		log_warn(STEP, "UWSGI_EMPEROR_FD=%s is not an open descriptor: no emperor", env);
		return -1;
	}
	if (fcntl((int)fd, F_SETFD, FD_CLOEXEC) < 0 || fcntl((int)fd, F_SETFL, O_NONBLOCK) < 0) {
		log_errno(STEP, "fcntl emperor fd %ld", fd);
		return -1;
	}
	return (int)fd;
}

int vassal_start(struct ev_loop *loop, const struct jail *j)
{
	const char *env = getenv("UWSGI_EMPEROR_FD");
	if (!env)
		return 0;
	int fd = take_fd(env);
	unsetenv("UWSGI_EMPEROR_FD");
	unsetenv("UWSGI_EMPEROR_FD_CONFIG");
	if (fd < 0)
		return 0;
#ifdef __linux__
	/* uWSGI's emperor sets SIGKILL here; we clean up on end-of-file instead. */
	if (prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) < 0) {
		log_errno(STEP, "prctl PR_SET_PDEATHSIG 0");
		close(fd);
		return -1;
	}
#endif
	v.loop = loop;
	v.j = j;
	v.fd = fd;
	v.jail_mode = jail_backend.wanted && jail_backend.wanted(j);
	ev_io_init(&v.io, io_cb, fd, EV_READ);
	ev_io_start(loop, &v.io);
	run_on_state(state_cb, NULL);
	log_debug(STEP, "emperor on fd %d", fd);
	say(VASSAL_SPAWNED);
	return 0;
}

static void unwatch(struct ev_loop *loop)
{
	if (ev_is_active(&v.io))
		ev_io_stop(loop, &v.io);
	if (ev_is_active(&v.beat))
		ev_timer_stop(loop, &v.beat);
}

void vassal_forget(struct ev_loop *loop)
{
	if (v.fd < 0)
		return;
	unwatch(loop);
	close(v.fd);
	v.fd = -1;
}

void vassal_end(int code)
{
	if (v.fd < 0)
		return;
	unwatch(v.loop);
	run_on_state(NULL, NULL);
	if (!v.asked) {
		log_debug(STEP, "stopped by itself (%d): voluntary shutdown", code);
		say(VASSAL_VOLUNTARY);
	}
	close(v.fd);
	v.fd = -1;
}

bool vassal_active(void)
{
	return v.fd >= 0;
}
