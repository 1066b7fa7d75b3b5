/* sdnotify: the sender side of sd_notify(3) for `warder run` and `warder emperor` (see sdnotify.h). One
 * datagram per message, as systemd reads them; a manager that is gone costs one warning, never the jail. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "conf.h"
#include "log.h"
#include "sdnotify.h"

#define STEP "sd_notify"

static struct {
	int fd;
	struct sockaddr_un sa;
	socklen_t salen;
	bool ready;    /* READY=1 went, and no RELOADING=1 since */
	bool warned;   /* one warning when the manager stops listening */
	char who[160]; /* what every STATUS= line starts with */
	ev_timer dog;
	struct ev_loop *loop;
} sd = {.fd = -1};

bool sdnotify_active(void)
{
	return sd.fd >= 0;
}

static void send_msg(const char *msg)
{
	if (sd.fd < 0)
		return;
	ssize_t n;
	do
		n = sendto(sd.fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sd.sa, sd.salen);
	while (n < 0 && errno == EINTR);
	if (n < 0 && !sd.warned) {
		sd.warned = true;
		log_errno(STEP, "send to NOTIFY_SOCKET %s%s", sd.sa.sun_path[0] ? "" : "@",
			  sd.sa.sun_path + !sd.sa.sun_path[0]);
	} else if (n >= 0) {
		sd.warned = false;
	}
}

static void dog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)w, (void)revents;
	send_msg("WATCHDOG=1");
}

/* NOTIFY_SOCKET: a path, or "@name" for the abstract namespace. */
static int address(const char *s)
{
	size_t len = strlen(s);
	if ((s[0] != '/' && s[0] != '@') || len < 2 || len >= sizeof sd.sa.sun_path) {
		log_warn(STEP, "NOTIFY_SOCKET=%s: not a unix socket path warder can use; not notifying", s);
		return -1;
	}
	memset(&sd.sa, 0, sizeof sd.sa);
	sd.sa.sun_family = AF_UNIX;
	memcpy(sd.sa.sun_path, s, len);
	if (s[0] == '@')
		sd.sa.sun_path[0] = '\0';
	sd.salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (s[0] == '/'));
	return 0;
}

/* WATCHDOG_USEC for this process (WATCHDOG_PID, when set, names it): the period in seconds, 0 for none. */
static double watchdog_period(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	long long us, p;
	if (!usec)
		return 0;
	if (conf_parse_int(usec, 1, 1LL << 53, &us) < 0) {
		log_warn(STEP, "WATCHDOG_USEC=%s is not a number of microseconds: no watchdog pings", usec);
		return 0;
	}
	if (pid && (conf_parse_int(pid, 1, 1LL << 31, &p) < 0 || p != (long long)getpid()))
		return 0;
	return (double)us / 1e6;
}

int sdnotify_start(struct ev_loop *loop, const char *who)
{
	snprintf(sd.who, sizeof sd.who, "%s", who);
	const char *s = getenv("NOTIFY_SOCKET");
	double period = s ? watchdog_period() : 0;
	int rc = 0;
	if (s && address(s) == 0) {
		sd.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (sd.fd < 0) {
			log_errno(STEP, "socket");
			rc = -1;
		} else if (period > 0) {
			/* Half the period, as sd_watchdog_enabled(3) advises: one late ping is not a death. */
			sd.loop = loop;
			ev_timer_init(&sd.dog, dog_cb, period / 2, period / 2);
			ev_timer_start(loop, &sd.dog);
			ev_unref(loop); /* the pings alone must not keep a loop running */
		}
	}
	/* Ours alone: what warder starts must not speak to the manager in warder's name. */
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	return rc;
}

static void stop_dog(struct ev_loop *loop)
{
	if (sd.loop && ev_is_active(&sd.dog)) {
		ev_ref(loop);
		ev_timer_stop(loop, &sd.dog);
	}
	sd.loop = NULL;
}

void sdnotify_forget(struct ev_loop *loop)
{
	stop_dog(loop);
	if (sd.fd >= 0)
		close(sd.fd);
	sd.fd = -1;
}

void sdnotify_end(int code)
{
	if (sd.fd < 0)
		return;
	sdnotify_status("exited with status %d", code);
	stop_dog(sd.loop);
	close(sd.fd);
	sd.fd = -1;
}

void sdnotify_status(const char *fmt, ...)
{
	if (sd.fd < 0)
		return;
	char msg[512];
	int n = snprintf(msg, sizeof msg, "STATUS=%s: ", sd.who);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
	va_end(ap);
	send_msg(msg);
}

void sdnotify_ready(const char *status)
{
	if (sd.fd < 0)
		return;
	char msg[512];
	snprintf(msg, sizeof msg, "%sSTATUS=%s: %s", sd.ready ? "" : "READY=1\n", sd.who, status ? status : "ready");
	sd.ready = true;
	send_msg(msg);
}

void sdnotify_reloading(void)
{
	/* Only from ready: the keeper says it as soon as it takes the request (before `warder ctl reload`
	 * returns, so that systemd's ExecReload= waits for READY=1) and again when the stack stops. */
	if (sd.fd < 0 || !sd.ready)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	char msg[256];
	snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=%s: reloading",
		 (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000, sd.who);
	sd.ready = false;
	send_msg(msg);
}

void sdnotify_stopping(void)
{
	if (sd.fd < 0)
		return;
	char msg[256];
	snprintf(msg, sizeof msg, "STOPPING=1\nSTATUS=%s: stopping", sd.who);
	sd.ready = false;
	send_msg(msg);
}
