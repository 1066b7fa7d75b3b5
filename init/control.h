/* control: the control socket of a jail or of the emperor. One request line per connection ("status",
 * "reload", "stop"), one JSON line back. The keeper and the emperor serve it on their libev loops; `warder
 * ctl` (init/cmd_ctl.c) is the client. */
#ifndef WARDER_CONTROL_H
#define WARDER_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ctl_out.h"

enum ctl_req { CTL_BAD = -1, CTL_STATUS, CTL_RELOAD, CTL_STOP, CTL_START };

#define CTL_LINE_MAX 256 /* longest request line, newline included */

/* One request line (a trailing "\n" or "\r\n" allowed, nothing else around the word). CTL_BAD otherwise. */
enum ctl_req control_parse(const char *buf, size_t len);
/* The same, also taking "VERB TARGET" (one space; TARGET: letters, digits, '.', '_', '-', at most TLEN - 1
 * bytes), as the emperor's socket does for one vassal. TARGET gets "" when the line has none. "start" is
 * valid only with a target. */
enum ctl_req control_parse_target(const char *buf, size_t len, char *target, size_t tlen);
const char *control_req_name(enum ctl_req r);

#define CTL_MAX_PIDS 8
struct control_status {
	const char *name;
	const char *state;        /* starting, running, reloading, stopping */
	pid_t pid;                /* the init's host pid, 0 when none */
	pid_t pids[CTL_MAX_PIDS]; /* the main command's host pids */
	size_t npids;
	long long uptime; /* seconds since the jail was (re)built */
	int restarts;
	int last_exit;             /* -1: none yet */
	long jid;                  /* FreeBSD jid; on Linux the init's pid */
	char namespaces[128];      /* comma-separated names */
	const char *config;        /* the config file, NULL for the built-in demo */
	const char *reload_error;  /* why the last reload failed (the jail runs its last good config), NULL */
	bool ready;                /* the stack is ready as `ready` defines it (init/notify.h) */
	const char *notify_status; /* the stack's last STATUS= text; NULL or "" when none */
};

/* The status as one JSON object and a newline. */
void control_status_json(struct ctl_out *o, const struct control_status *st);
/* {"ok":true} or {"error":"MSG"}, newline included. */
void control_answer(struct ctl_out *o, const char *error);

/* The namespaces PID does not share with us (Linux); "" elsewhere. */
void control_namespaces(pid_t pid, char *buf, size_t len);
/* The host pid of INNER, a child of the init INIT seen from inside its pid namespace; 0 when not found. */
pid_t control_host_pid(pid_t init, pid_t inner);

/* --- the server ----------------------------------------------------------------------------------------- */
struct ev_loop;
struct control;
/* HANDLE answers REQ: it writes the JSON line into OUT. It runs on the loop; a reload or stop it starts
 * goes on after the answer is sent. */
typedef void (*control_fn)(enum ctl_req req, struct ctl_out *out, void *arg);

/* Requests that name a target ("stop NAME") go to FN instead of being refused: the emperor's vassals. */
typedef void (*control_target_fn)(enum ctl_req req, const char *target, struct ctl_out *out, void *arg);
void control_serve_targets(struct control *c, control_target_fn fn);

/* The default path: $WARDER_RUNDIR, /run/warder as root or $XDG_RUNTIME_DIR/warder, then NAME.ctl. NULL
 * (after a debug line) when none applies. */
const char *control_default_path(const char *name, char *buf, size_t len);
/* Bind PATH (0600; a stale socket there is replaced), serve it on LOOP to root and OWNER only. NULL after a
 * log line. */
struct control *control_open(struct ev_loop *loop, const char *path, uid_t owner, control_fn fn, void *arg);
void control_close(struct control *c);  /* stop serving, close, remove the socket file */
void control_forget(struct control *c); /* in a forked child: stop and close, leave the file */
const char *control_path(const struct control *c);

#endif
