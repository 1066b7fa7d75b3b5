/* sdnotify: warder telling the service manager that started it (systemd, Type=notify) how it is doing, over
 * the datagram socket named by NOTIFY_SOCKET, as sd_notify(3) does. Only `warder run` and `warder emperor`
 * speak it; the entrypoint mode leaves NOTIFY_SOCKET to the command it runs.
 *
 * sdnotify_start takes NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID out of the environment, so that nothing
 * warder starts (hooks, the jail's command, vassals) talks to the manager in warder's name. Without
 * NOTIFY_SOCKET every function here does nothing. */
#ifndef WARDER_SDNOTIFY_H
#define WARDER_SDNOTIFY_H

#include <stdbool.h>

struct ev_loop;

/* Open the socket; with WATCHDOG_USEC (for this pid) ping WATCHDOG=1 every half period from LOOP. WHO
 * starts every STATUS= line ("jail web"). 0, also without NOTIFY_SOCKET; -1 after a log line. */
int sdnotify_start(struct ev_loop *loop, const char *who);
/* In a process forked from warder (the jail's init): forget the socket and the timer without a word. */
void sdnotify_forget(struct ev_loop *loop);
/* The end: STATUS= with the exit code, close. */
void sdnotify_end(int code);
bool sdnotify_active(void);

/* READY=1 (once until the next reload) with STATUS=WHO: STATUS. Called where warder decides the jail or the
 * emperor is ready to serve. */
void sdnotify_ready(const char *status);
/* RELOADING=1 with MONOTONIC_USEC= (as systemd's notify-reload wants), once, when ready: READY=1 follows
 * when the reload is done. */
void sdnotify_reloading(void);
void sdnotify_stopping(void);
void sdnotify_status(const char *fmt, ...) /* STATUS=WHO: TEXT */
	__attribute__((format(printf, 1, 2)));

#endif
