/* log: message formatting for the whole program; writes whole lines with one write(2)
 * so that lines from keeper, init and hooks never interleave mid-line. */
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int log_level = LOG_NORMAL;
int log_json;
static char log_name[64];
static int log_gone; /* stderr's reader is gone (EPIPE): nothing more is written there */
static char last_error[1200];

const char *log_last_error(void)
{
	return last_error;
}

bool log_stream_gone(int fd)
{
	/* A pipe or FIFO without a reader polls as POLLERR, a socket whose peer left as POLLHUP. */
	struct pollfd p = {.fd = fd, .events = 0};
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

void log_set_name(const char *jail)
{
	if (jail)
		snprintf(log_name, sizeof log_name, "%s", jail);
	else
		log_name[0] = '\0';
}

static void json_escape(char *dst, size_t n, const char *s)
{
	size_t o = 0;
	for (; *s && o + 7 < n; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(dst + o, n - o, "\\u%04x", c);
		} else {
			dst[o++] = (char)c;
		}
	}
	dst[o] = '\0';
}

static void emit(const char *level, const char *step, const char *fmt, va_list ap, int err)
	__attribute__((format(printf, 3, 0)));
static void emit(const char *level, const char *step, const char *fmt, va_list ap, int err)
{
	char msg[1024], line[2048];
	int n = vsnprintf(msg, sizeof msg, fmt, ap);
	if (n < 0)
		return;
	if (err && (size_t)n < sizeof msg)
		snprintf(msg + n, sizeof msg - (size_t)n, ": %s", strerror(err));
	if (strcmp(level, "error") == 0 || strcmp(level, "warning") == 0)
		snprintf(last_error, sizeof last_error, "%s%s%s", step ? step : "", step ? ": " : "", msg);
	if (log_json) {
		char em[2100], en[140], es[140];
		json_escape(em, sizeof em, msg);
		json_escape(en, sizeof en, log_name);
		json_escape(es, sizeof es, step ? step : "");
		n = snprintf(line, sizeof line,
			     "{\"prog\":\"warder\",\"jail\":\"%s\",\"level\":\"%s\",\"step\":\"%s\",\"msg\":\"%s\"}\n",
			     en, level, es, em);
	} else {
		n = snprintf(line, sizeof line, "warder%s%s%s: %s%s%s\n", log_name[0] ? "[" : "", log_name,
			     log_name[0] ? "]" : "", step ? step : "", step ? ": " : "", msg);
	}
	if (n < 0 || log_gone)
		return;
	if ((size_t)n >= sizeof line) {
		n = sizeof line - 1;
		line[n - 1] = '\n';
	}
	int saved = errno;
	/* Best effort: a closed stderr must not take PID 1 down (SIGPIPE is ignored), and once its reader is
	 * gone there is no one to write for. */
	ssize_t w;
	do
		w = write(STDERR_FILENO, line, (size_t)n);
	while (w < 0 && errno == EINTR);
	if (w < 0 && errno == EPIPE)
		log_gone = 1;
	errno = saved;
}

#define LOG_FN(fn, lvl, tag, with_errno)                \
	void fn(const char *step, const char *fmt, ...) \
	{                                               \
		int err = with_errno ? errno : 0;       \
		if (log_level < lvl)                    \
			return;                         \
		va_list ap;                             \
		va_start(ap, fmt);                      \
		emit(tag, step, fmt, ap, err);          \
		va_end(ap);                             \
	}

LOG_FN(log_err, LOG_QUIET, "error", 0)
LOG_FN(log_errno, LOG_QUIET, "error", 1)
LOG_FN(log_warn, LOG_QUIET, "warning", 0)
LOG_FN(log_info, LOG_NORMAL, "info", 0)
LOG_FN(log_debug, LOG_VERBOSE, "debug", 0)
