/* log: the one place that formats warder's messages.
 * Runtime: "warder[NAME]: STEP: what failed: strerror"; config: "FILE:LINE: message". */
#ifndef WARDER_LOG_H
#define WARDER_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum { LOG_QUIET = 0, LOG_NORMAL = 1, LOG_VERBOSE = 2, LOG_DEBUG = 3 };

extern int log_level; /* LOG_NORMAL unless -q / -v */
extern int log_json;  /* --log-format json */

void log_set_name(const char *jail); /* NULL: plain "warder" */

/* The text of the last error or warning line (without the "warder[NAME]: STEP: " prefix), "" before any:
 * for answers that repeat what the log said (a refused reload). */
const char *log_last_error(void);

/* FD is a pipe, FIFO or socket whose reader has gone away: writing there fails (EPIPE). */
bool log_stream_gone(int fd);

/* Errors and warnings always print (errors even with -q). */
void log_err(const char *step, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_errno(const char *step, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_warn(const char *step, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Progress: shown at LOG_NORMAL; detail: at LOG_VERBOSE. */
void log_info(const char *step, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_debug(const char *step, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
