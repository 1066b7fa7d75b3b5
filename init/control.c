/* control: the control socket's wire format (request parser, JSON answers) and its server on a libev loop.
 * A connection sends one line and gets one line; a client that says nothing is dropped after a timeout, so
 * it cannot hold the keeper. Only root and the jail's owner are served (peer credentials). */
#include "control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <ev.h>

#include "container_of.h"
#include "state.h"
#include "log.h"
#include "ns.h"
#include "peer.h"
#include "proc.h"
#include "unixsock.h"

#define CTL_STEP "control"
#define CTL_TIMEOUT 5.0 /* seconds a client has to send its line */

static const char *const req_names[] = {
	[CTL_STATUS] = "status",
	[CTL_RELOAD] = "reload",
	[CTL_STOP] = "stop",
	[CTL_START] = "start",
};

static bool target_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-';
}

enum ctl_req control_parse_target(const char *buf, size_t len, char *target, size_t tlen)
{
	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	const char *sp = memchr(buf, ' ', len);
	size_t vlen = sp ? (size_t)(sp - buf) : len, t = sp ? len - vlen - 1 : 0;
	if (tlen == 0 || t >= tlen || (sp && t == 0))
		return CTL_BAD;
	for (size_t i = 0; i < t; i++)
		if (!target_char(sp[1 + i]))
			return CTL_BAD;
	memcpy(target, sp ? sp + 1 : "", t);
	target[t] = '\0';
	for (size_t i = 0; i < sizeof req_names / sizeof req_names[0]; i++)
		if (strlen(req_names[i]) == vlen && memcmp(buf, req_names[i], vlen) == 0)
			return (i == CTL_START && !t) || (i == CTL_STATUS && t) ? CTL_BAD : (enum ctl_req)i;
	return CTL_BAD;
}

enum ctl_req control_parse(const char *buf, size_t len)
{
	char target[2] = "";
	enum ctl_req r = control_parse_target(buf, len, target, sizeof target);
	return target[0] ? CTL_BAD : r;
}

const char *control_req_name(enum ctl_req r)
{
	return r >= 0 && (size_t)r < sizeof req_names / sizeof req_names[0] ? req_names[r] : "?";
}

/* --- JSON ------------------------------------------------------------------------------------------------- */
static void put_names(struct ctl_out *o, const char *csv)
{
	ctl_put(o, "[");
	for (const char *p = csv, *e; p && *p; p = *e ? e + 1 : e) {
		e = p + strcspn(p, ",");
		char one[32];
		snprintf(one, sizeof one, "%.*s", (int)(e - p), p);
		ctl_put(o, "%s", p == csv ? "" : ",");
		ctl_put_str(o, one);
	}
	ctl_put(o, "]");
}

void control_status_json(struct ctl_out *o, const struct control_status *st)
{
	ctl_put(o, "{\"name\":");
	ctl_put_str(o, st->name);
	ctl_put(o, ",\"state\":");
	ctl_put_str(o, st->state);
	ctl_put(o, ",\"pid\":%ld,\"pids\":[", (long)st->pid);
	for (size_t i = 0; i < st->npids && i < CTL_MAX_PIDS; i++)
		ctl_put(o, "%s%ld", i ? "," : "", (long)st->pids[i]);
	ctl_put(o, "],\"uptime\":%lld,\"restarts\":%d,\"last_exit\":", st->uptime, st->restarts);
	if (st->last_exit < 0)
		ctl_put(o, "null");
	else
		ctl_put(o, "%d", st->last_exit);
	ctl_put(o, ",\"jid\":%ld,\"namespaces\":", st->jid);
	put_names(o, st->namespaces);
	ctl_put(o, ",\"config\":");
	ctl_put_str(o, st->config);
	ctl_put(o, ",\"reload_error\":");
	ctl_put_str(o, st->reload_error);
	ctl_put(o, ",\"ready\":%s,\"status\":", st->ready ? "true" : "false");
	ctl_put_str(o, st->notify_status && st->notify_status[0] ? st->notify_status : NULL);
	ctl_put(o, "}\n");
}

void control_answer(struct ctl_out *o, const char *error)
{
	if (!error) {
		ctl_put(o, "{\"ok\":true}\n");
		return;
	}
	ctl_put(o, "{\"error\":");
	ctl_put_str(o, error);
	ctl_put(o, "}\n");
}

#ifdef __linux__
void control_namespaces(pid_t pid, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < NS_COUNT; i++) {
		char a[64], b[64];
		struct stat sa, sb;
		snprintf(a, sizeof a, "/proc/%ld/ns/%s", (long)pid, ns_table[i].proc);
		snprintf(b, sizeof b, "/proc/self/ns/%s", ns_table[i].proc);
		if (stat(a, &sa) < 0 || stat(b, &sb) < 0 || sa.st_ino == sb.st_ino)
			continue;
		int n = snprintf(buf + o, len - o, "%s%s", o ? "," : "", ns_table[i].name);
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
}

/* The last NSpid field of /proc/PID/status: its pid in its own (innermost) namespace. */
static pid_t inner_pid(pid_t pid)
{
	char path[64], line[256];
	long v = 0;
	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "NSpid:", 6) != 0)
			continue;
		for (char *p = line + 6, *e; *p; p = e) {
			long x = strtol(p, &e, 10);
			if (e == p)
				break;
			v = x;
		}
		break;
	}
	fclose(f);
	return (pid_t)v;
}

struct host_pid {
	pid_t inner, found;
};

static void match_inner(pid_t c, void *arg)
{
	struct host_pid *h = arg;
	if (!h->found && inner_pid(c) == h->inner)
		h->found = c;
}

pid_t control_host_pid(pid_t init, pid_t inner)
{
	struct host_pid h = {inner, 0};
	return proc_children_of(init, match_inner, &h) < 0 ? 0 : h.found;
}
#else
pid_t control_host_pid(pid_t init, pid_t inner)
{
	(void)init;
	return inner;
}

void control_namespaces(pid_t pid, char *buf, size_t len)
{
	(void)pid;
	if (len)
		buf[0] = '\0';
}
#endif

/* --- the server ------------------------------------------------------------------------------------------ */
struct conn {
	struct control *c;
	struct conn *next;
	ev_io io;
	ev_timer timer;
	char buf[CTL_LINE_MAX];
	size_t n;
};

struct control {
	struct ev_loop *loop;
	ev_io io;
	char path[sizeof((struct sockaddr_un *)0)->sun_path];
	uid_t owner;
	control_fn fn;
	control_target_fn tfn;
	void *arg;
	struct conn *conns;
};

void control_serve_targets(struct control *c, control_target_fn fn)
{
	c->tfn = fn;
}

const char *control_default_path(const char *name, char *buf, size_t len)
{
	const char *env = getenv("WARDER_RUNDIR"), *xdg = getenv("XDG_RUNTIME_DIR");
	if (!(env && *env) && geteuid() != 0 && !(xdg && *xdg)) {
		log_debug(CTL_STEP, "no control socket: not root and no XDG_RUNTIME_DIR");
		return NULL;
	}
	char dir[512];
	snprintf(buf, len, "%s/%s.ctl", state_dir(dir, sizeof dir), name);
	return buf;
}

const char *control_path(const struct control *c)
{
	return c->path;
}

static void conn_free(struct conn *k)
{
	struct control *c = k->c;
	for (struct conn **pp = &c->conns; *pp; pp = &(*pp)->next) {
		if (*pp == k) {
			*pp = k->next;
			break;
		}
	}
	ev_io_stop(c->loop, &k->io);
	ev_timer_stop(c->loop, &k->timer);
	close(k->io.fd);
	free(k);
}

static void conn_reply(struct conn *k, const struct ctl_out *o)
{
	size_t sent = 0;
	if (o->full) {
		log_warn(CTL_STEP, "out of memory for the answer: dropped");
		return;
	}
	while (sent < o->len) {
		ssize_t n = send(k->io.fd, o->p + sent, o->len - sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			/* The answer fits an empty socket buffer: only a client that reads nothing gets here. */
			log_warn(CTL_STEP, "a client does not read its answer: dropped");
			return;
		}
		if (n < 0) {
			log_errno(CTL_STEP, "send the answer");
			return;
		}
		sent += (size_t)n;
	}
}

/* The line is complete (or the client closed its side): answer it and close. */
static void conn_done(struct conn *k)
{
	struct control *c = k->c;
	struct ctl_out out = {0};
	char target[CTL_LINE_MAX];
	enum ctl_req req = control_parse_target(k->buf, k->n, target, sizeof target);
	if (req == CTL_BAD || (target[0] && !c->tfn)) {
		log_warn(CTL_STEP, "bad request");
		control_answer(&out, c->tfn ? "bad request: status, reload, stop, or reload, stop, start NAME"
					    : "bad request: status, reload or stop");
	} else if (target[0]) {
		log_debug(CTL_STEP, "request %s %s", control_req_name(req), target);
		c->tfn(req, target, &out, c->arg);
	} else {
		log_debug(CTL_STEP, "request %s", control_req_name(req));
		c->fn(req, &out, c->arg);
	}
	conn_reply(k, &out);
	ctl_out_free(&out);
	conn_free(k);
}

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	struct conn *k = container_of(w, struct conn, io);
	ssize_t n = recv(w->fd, k->buf + k->n, sizeof k->buf - k->n, 0);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n < 0) {
		log_errno(CTL_STEP, "recv");
		conn_free(k);
		return;
	}
	if (n == 0 && k->n == 0) {
		/* A probe (another keeper checking whether the socket is alive): nothing to answer. */
		log_debug(CTL_STEP, "a client closed without a request");
		conn_free(k);
		return;
	}
	k->n += (size_t)n;
	if (n == 0 || memchr(k->buf, '\n', k->n)) {
		char *nl = memchr(k->buf, '\n', k->n);
		if (nl)
			k->n = (size_t)(nl - k->buf) + 1;
		conn_done(k);
	} else if (k->n == sizeof k->buf) {
		log_warn(CTL_STEP, "request longer than %d bytes: dropped", CTL_LINE_MAX);
		conn_free(k);
	}
}

static void conn_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct conn *k = container_of(w, struct conn, timer);
	log_warn(CTL_STEP, "a client sent no request within %gs: dropped", CTL_TIMEOUT);
	conn_free(k);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct control *c = container_of(w, struct control, io);
	int fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) {
		if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
			log_errno(CTL_STEP, "accept on %s", c->path);
		return;
	}
	uid_t uid;
	if (peer_cred(fd, &uid, NULL) < 0 || (uid != 0 && uid != c->owner)) {
		static const char refused[] = "{\"error\":\"refused\"}\n";
		if (peer_cred(fd, &uid, NULL) < 0)
			log_errno(CTL_STEP, "peer credentials");
		else
			log_warn(CTL_STEP, "refused a client with uid %ld", (long)uid);
		if (send(fd, refused, sizeof refused - 1, MSG_NOSIGNAL) < 0)
			log_debug(CTL_STEP, "send: %s", strerror(errno));
		close(fd);
		return;
	}
	struct conn *k = calloc(1, sizeof *k);
	if (!k) {
		log_errno(CTL_STEP, "out of memory");
		close(fd);
		return;
	}
	k->c = c;
	k->next = c->conns;
	c->conns = k;
	ev_io_init(&k->io, conn_read_cb, fd, EV_READ);
	ev_timer_init(&k->timer, conn_timer_cb, CTL_TIMEOUT, 0.);
	ev_io_start(loop, &k->io);
	ev_timer_start(loop, &k->timer);
}

/* A socket file left by a keeper that died: nobody answers on it. Anything else there is not ours. */
static int clear_stale(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : (log_errno(CTL_STEP, "%s", path), -1);
	if (!S_ISSOCK(st.st_mode)) {
		log_err(CTL_STEP, "%s exists and is not a socket", path);
		return -1;
	}
	int fd = unixsock_connect(path);
	if (fd >= 0) {
		close(fd);
		log_err(CTL_STEP, "%s: another keeper listens on it", path);
		return -1;
	}
	if (unlink(path) < 0) {
		log_errno(CTL_STEP, "unlink stale %s", path);
		return -1;
	}
	log_debug(CTL_STEP, "removed a stale %s", path);
	return 0;
}

static int make_dir_of(const char *path)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_errno(CTL_STEP, "mkdir %s", dir);
		return -1;
	}
	return 0;
}

struct control *control_open(struct ev_loop *loop, const char *path, uid_t owner, control_fn fn, void *arg)
{
	struct control *c = calloc(1, sizeof *c);
	if (!c) {
		log_errno(CTL_STEP, "out of memory");
		return NULL;
	}
	if (strlen(path) >= sizeof c->path) {
		log_err(CTL_STEP, "%s: path too long for a unix socket", path);
		free(c);
		return NULL;
	}
	snprintf(c->path, sizeof c->path, "%s", path);
	int fd = -1;
	if (make_dir_of(path) < 0 || clear_stale(path) < 0 || (fd = unixsock_listen(CTL_STEP, path, SOCK_NONBLOCK)) < 0) {
		free(c);
		return NULL;
	}
	c->loop = loop;
	c->owner = owner;
	c->fn = fn;
	c->arg = arg;
	ev_io_init(&c->io, accept_cb, fd, EV_READ);
	ev_io_start(loop, &c->io);
	log_debug(CTL_STEP, "listening on %s", path);
	return c;
}

void control_forget(struct control *c)
{
	if (!c)
		return;
	while (c->conns)
		conn_free(c->conns);
	ev_io_stop(c->loop, &c->io);
	close(c->io.fd);
	free(c);
}

void control_close(struct control *c)
{
	if (!c)
		return;
	char path[sizeof c->path];
	snprintf(path, sizeof path, "%s", c->path);
	control_forget(c);
	if (unlink(path) < 0 && errno != ENOENT)
		log_errno(CTL_STEP, "unlink %s", path);
}
