/* cmd_ctl: `warder ctl NAME|PATH CMD`, the control socket's client. NAME is a running jail (the control path its
 * state file records, else the default path) or "emperor"; anything with a slash is the socket itself.
 * `warder ctl emperor VERB VASSAL` acts on one vassal (its name or its file's name).
 * Prints the one-line answer. Exit: 0 done, 1 the jail answered with an error, 64 usage, 69 nothing
 * listens, 77 refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd.h"
#include "control.h"
#include "state.h"
#include "log.h"
#include "unixsock.h"

#define EXIT_UNAVAILABLE 69 /* EX_UNAVAILABLE */
#define EXIT_NOPERM 77      /* EX_NOPERM */
#define CTL_WAIT 30         /* seconds to wait for the answer */

static const char ctl_usage[] = "usage: warder ctl NAME|PATH status|reload|stop\n"
				"       warder ctl emperor|PATH stop|start|reload VASSAL\n";

static void ctl_path(const char *target, char *buf, size_t len)
{
	char dir[512];
	struct jail_state s;
	if (strchr(target, '/')) {
		snprintf(buf, len, "%s", target);
		return;
	}
	if (state_read(target, &s) == 0 && s.control[0]) {
		snprintf(buf, len, "%s", s.control);
		return;
	}
	snprintf(buf, len, "%s/%s.ctl", state_dir(dir, sizeof dir), target);
	/* The emperor's socket is at a fixed place unless the run directory has one. */
	if (strcmp(target, "emperor") == 0 && access(buf, F_OK) < 0)
		snprintf(buf, len, "/run/warder/emperor.ctl");
}

static int ctl_connect(const char *path, const char *target)
{
	int fd = unixsock_connect(path), err = errno;
	if (fd >= 0)
		return fd;
	if (err == ENAMETOOLONG) {
		log_err("ctl", "%s: path too long for a unix socket", path);
		return -EXIT_USAGE;
	}
	if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
		log_errno("ctl", "socket");
		return -EXIT_OSERR;
	}
	if (err == EACCES || err == EPERM) {
		log_errno("ctl", "%s: refused (%s)", target, path);
		return -EXIT_NOPERM;
	}
	log_errno("ctl", "%s: not running (nothing listens on %s)", target, path);
	return -EXIT_UNAVAILABLE;
}

/* Send REQ, read one line back into ANS. 0, or an exit status after a log line. */
static int ctl_ask(int fd, const char *req, char *ans, size_t len)
{
	char line[CTL_LINE_MAX];
	int n = snprintf(line, sizeof line, "%s\n", req);
	struct timeval tv = {CTL_WAIT, 0};
	/* Without the time limit a wedged server would hold ctl for ever. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) {
		log_errno("ctl", "setsockopt SO_RCVTIMEO");
		return EXIT_OSERR;
	}
	/* A refusal may come, and the server close, before the request is sent: read the answer anyway. */
	if (send(fd, line, (size_t)n, MSG_NOSIGNAL) != n && errno != EPIPE && errno != ECONNRESET) {
		log_errno("ctl", "send");
		return EXIT_UNAVAILABLE;
	}
	size_t o = 0;
	while (o + 1 < len) {
		ssize_t r = recv(fd, ans + o, len - 1 - o, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			log_errno("ctl", "no answer");
			return EXIT_UNAVAILABLE;
		}
		if (r == 0)
			break;
		o += (size_t)r;
		if (memchr(ans, '\n', o))
			break;
	}
	ans[o] = '\0';
	if (o == 0) {
		log_err("ctl", "the connection closed without an answer");
		return EXIT_UNAVAILABLE;
	}
	return 0;
}

int cmd_ctl(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))
		return cmd_usage(ctl_usage, true);
	char req[CTL_LINE_MAX], target[CTL_LINE_MAX];
	int n = argc == 4   ? snprintf(req, sizeof req, "%s %s", argv[2], argv[3])
		: argc == 3 ? snprintf(req, sizeof req, "%s", argv[2])
			    : -1;
	if (n < 0 || (size_t)n >= sizeof req || !argv[1][0] || strchr(req, '\n') ||
	    control_parse_target(req, (size_t)n, target, sizeof target) == CTL_BAD)
		return cmd_usage(ctl_usage, false);
	char path[512];
	ctl_path(argv[1], path, sizeof path);
	int fd = ctl_connect(path, argv[1]);
	if (fd < 0)
		return -fd;
	/* An emperor's status lists every vassal: room for thousands. */
	size_t cap = 4u << 20;
	char *ans = malloc(cap);
	if (!ans) {
		log_errno("ctl", "out of memory");
		close(fd);
		return EXIT_OSERR;
	}
	int code = ctl_ask(fd, req, ans, cap);
	close(fd);
	if (code) {
		free(ans);
		return code;
	}
	fputs(ans, stdout);
	if (ans[strlen(ans) - 1] != '\n')
		putchar('\n');
	code = strncmp(ans, "{\"error\":\"refused\"", 18) == 0 ? EXIT_NOPERM : strncmp(ans, "{\"error\"", 8) == 0;
	free(ans);
	return code;
}
