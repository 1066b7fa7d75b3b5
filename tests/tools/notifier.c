/* notifier: a service that speaks sd_notify(3) to NOTIFY_SOCKET, for the readiness tests.
 *   notifier late SECS            STATUS=starting, READY=1 and STATUS=serving after SECS
 *   notifier never                STATUS=never ready, and never READY=1
 *   notifier watchdog N SECS      READY=1, then WATCHDOG=1 every SECS, N times, then silence
 *   notifier extend SECS USEC     EXTEND_TIMEOUT_USEC=USEC, READY=1 after SECS
 * Each start appends "start PID" to $NOTIFIER_LOG, READY=1 appends "ready PID"; SIGTERM sends STOPPING=1 and
 * exits 0. An '@' in NOTIFY_SOCKET names an abstract socket, as systemd's sd_notify reads it. */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void note(const char *what)
{
	const char *log = getenv("NOTIFIER_LOG");
	FILE *f = log ? fopen(log, "a") : NULL;
	if (f) {
		fprintf(f, "%s %ld\n", what, (long)getpid());
		fclose(f);
	}
}

static void say(const char *msg)
{
	const char *e = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (!e || strlen(e) >= sizeof sa.sun_path) {
		fprintf(stderr, "notifier: no NOTIFY_SOCKET\n");
		exit(2);
	}
	strcpy(sa.sun_path, e);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(e));
	if (e[0] == '@')
		sa.sun_path[0] = '\0';
	else
		len++;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa, len) < 0) {
		perror("notifier: sendto");
		exit(2);
	}
	close(fd);
}

static void term(int sig)
{
	(void)sig;
	say("STOPPING=1");
	_exit(0);
}

static void nap(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) < 0)
		;
}

static void ready(void)
{
	say("READY=1\nSTATUS=serving");
	note("ready");
}

int main(int argc, char **argv)
{
	signal(SIGTERM, term);
	note("start");
	if (argc == 3 && strcmp(argv[1], "late") == 0) {
		say("STATUS=starting");
		nap(atof(argv[2]));
		ready();
	} else if (argc == 2 && strcmp(argv[1], "never") == 0) {
		say("STATUS=never ready");
	} else if (argc == 4 && strcmp(argv[1], "watchdog") == 0) {
		ready();
		for (int i = 0; i < atoi(argv[2]); i++) {
			nap(atof(argv[3]));
			say("WATCHDOG=1");
		}
	} else if (argc == 4 && strcmp(argv[1], "extend") == 0) {
		char m[64];
		snprintf(m, sizeof m, "EXTEND_TIMEOUT_USEC=%s", argv[3]);
		say(m);
		nap(atof(argv[2]));
		ready();
	} else {
		fprintf(stderr, "usage: notifier late SECS | never | watchdog N SECS | extend SECS USEC\n");
		return 64;
	}
	for (;;)
		pause();
}
