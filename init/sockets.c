/* sockets: binding, keeping, inheriting and passing a jail's listening sockets (see sockets.h). Portable:
 * the same calls on Linux and FreeBSD. */
#include "sockets.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "exits.h"
#include "jailpw.h"
#include "log.h"
#include "steps.h"

#define STEP step_name(STEP_LISTEN)
#define SOCKETS_MAX 64

struct sockset sockets_jail;

/* --- sockets passed to this process ------------------------------------------------------------------- */
static int inherited[SOCKETS_MAX];
static size_t ninherited;

void sockets_inherit(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	if (pid && fds && strtol(pid, NULL, 10) == (long)getpid()) {
		long n = strtol(fds, NULL, 10);
		for (long i = 0; i < n && ninherited < SOCKETS_MAX; i++) {
			int fd = 3 + (int)i;
			/* Ours now, and nobody else's: nothing we start may inherit it unasked. */
			if (fcntl(fd, F_SETFD, FD_CLOEXEC) == 0)
				inherited[ninherited++] = fd;
		}
		log_debug(STEP, "%zu sockets passed in", ninherited);
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

/* FD is a socket of SPEC's type bound to SPEC's address. */
static bool same_socket(int fd, const struct listen_spec *spec)
{
	int type;
	socklen_t tl = sizeof type;
	struct sockaddr_storage sa;
	socklen_t sl = sizeof sa;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != spec->socktype ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) < 0 || sa.ss_family != spec->family)
		return false;
	if (spec->family == AF_UNIX)
		return strcmp(((struct sockaddr_un *)&sa)->sun_path, spec->path) == 0;
	if (spec->family == AF_INET) {
		const struct sockaddr_in *a = (void *)&sa, *b = (const void *)&spec->sa;
		return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *a = (void *)&sa, *b = (const void *)&spec->sa;
	return a->sin6_port == b->sin6_port && memcmp(&a->sin6_addr, &b->sin6_addr, sizeof a->sin6_addr) == 0;
}

static int take_inherited(const struct listen_spec *spec)
{
	for (size_t i = 0; i < ninherited; i++) {
		if (inherited[i] < 0 || !same_socket(inherited[i], spec))
			continue;
		int fd = inherited[i];
		inherited[i] = -1;
		log_debug(STEP, "%s: passed in as fd %d", spec->addr, fd);
		return fd;
	}
	return -1;
}

/* --- binding ------------------------------------------------------------------------------------------ */
/* A socket file already at PATH: one nobody listens on was left by a process killed before it could
 * remove it (SIGKILL); anything else is in use. 0 when PATH is free now, -1 with errno. */
static int unix_clear(const char *path, const struct listen_spec *spec)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode))
		return errno = EEXIST, -1;
	int fd = socket(AF_UNIX, spec->socktype | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int rc = connect(fd, (const struct sockaddr *)&spec->sa, spec->salen), e = errno;
	close(fd);
	if (rc == 0 || e != ECONNREFUSED)
		return errno = EADDRINUSE, -1;
	log_info(STEP, "%s: removing the stale socket file", spec->addr);
	return unlink(path);
}

/* OWNER and GROUP of a unix socket: the host's users for a host-side socket, the jail's for an inside one
 * (the init's root is the jail's by then). */
static int unix_owner(const struct listen_spec *spec, uid_t *uid, gid_t *gid)
{
	char err[300];
	struct jailpw w;
	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (spec->owner[0]) {
		if ((spec->inside ? jailpw_user(spec->owner, &w, err, sizeof err)
				  : jailpw_host(spec->owner, &w, err, sizeof err)) < 0) {
			log_err(STEP, "%s: owner: %s", spec->addr, err);
			return -1;
		}
		*uid = w.uid;
		*gid = w.gid;
	}
	if (spec->group[0] && (spec->inside ? jailpw_group(spec->group, gid, err, sizeof err)
					    : jailpw_host_group(spec->group, gid, err, sizeof err)) < 0) {
		log_err(STEP, "%s: group: %s", spec->addr, err);
		return -1;
	}
	return 0;
}

static int bind_unix(int fd, const struct listen_spec *spec)
{
	uid_t uid;
	gid_t gid;
	if (unix_owner(spec, &uid, &gid) < 0)
		return -1;
	if (unix_clear(spec->path, spec) < 0) {
		log_errno(STEP, "%s: %s", spec->addr, errno == EEXIST ? "exists and is not a socket" : "in use");
		return -1;
	}
	/* Created owner-only; the mode and owner the config asks for come after, never a wider window. */
	mode_t old = umask(0177);
	int rc = bind(fd, (const struct sockaddr *)&spec->sa, spec->salen);
	umask(old);
	if (rc < 0) {
		log_errno(STEP, "%s: bind", spec->addr);
		return -1;
	}
	if ((spec->mode >= 0 && chmod(spec->path, (mode_t)spec->mode) < 0) ||
	    ((uid != (uid_t)-1 || gid != (gid_t)-1) && lchown(spec->path, uid, gid) < 0)) {
		log_errno(STEP, "%s: set mode and owner", spec->addr);
		if (unlink(spec->path) < 0)
			log_errno(STEP, "%s: unlink", spec->addr);
		return -1;
	}
	return 0;
}

static int bind_inet(int fd, const struct listen_spec *spec)
{
	int one = 1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    (spec->reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)) {
		log_errno(STEP, "%s: setsockopt", spec->addr);
		return -1;
	}
	if (bind(fd, (const struct sockaddr *)&spec->sa, spec->salen) < 0) {
		log_errno(STEP, "%s: bind", spec->addr);
		return -1;
	}
	return 0;
}

/* A new socket for SPEC: bound, listening. The fd, or -1 after a line naming the address. */
static int bind_one(const struct listen_spec *spec)
{
	int fd = socket(spec->family, spec->socktype | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_errno(STEP, "%s: socket", spec->addr);
		return -1;
	}
	if ((spec->family == AF_UNIX ? bind_unix(fd, spec) : bind_inet(fd, spec)) < 0) {
		close(fd);
		return -1;
	}
	if (spec->socktype == SOCK_STREAM && listen(fd, spec->backlog ? spec->backlog : SOMAXCONN) < 0) {
		log_errno(STEP, "%s: listen", spec->addr);
		if (spec->family == AF_UNIX && unlink(spec->path) < 0)
			log_errno(STEP, "%s: unlink", spec->addr);
		close(fd);
		return -1;
	}
	log_info(STEP, "%s: bound%s", spec->addr, spec->inside ? " inside the jail" : "");
	return fd;
}

static void close_one(struct lsock *s)
{
	if (s->fd < 0)
		return;
	close(s->fd);
	s->fd = -1;
	/* A path we bound, still ours: a socket file at the same place (a stale one was never ours). */
	if (s->owned && s->spec.family == AF_UNIX && unlink(s->spec.path) < 0 && errno != ENOENT)
		log_errno(STEP, "%s: unlink", s->spec.addr);
}

/* --- the set ------------------------------------------------------------------------------------------- */
static bool binds_here(const struct listen_spec *spec, enum sockets_where where)
{
	return where == SOCKETS_INIT_ONLY || spec->inside == (where == SOCKETS_INSIDE);
}

/* An open socket of SET for SPEC (same address, same side), marked kept; -1 when none. */
static int keep_open(struct sockset *set, bool *kept, const struct listen_spec *spec)
{
	for (size_t k = 0; k < set->n; k++) {
		struct lsock *s = &set->s[k];
		if (kept[k] || s->spec.inside != spec->inside || strcmp(s->spec.addr, spec->addr) != 0)
			continue;
		kept[k] = true;
		return (int)k;
	}
	return -1;
}

/* One entry of the new set: kept, passed in, or bound. 0, or an exit status. */
static int open_one(struct sockset *set, bool *kept, struct lsock *n, const struct conf_value *v,
		    enum sockets_where where, bool *fresh)
{
	char why[256];
	*fresh = false;
	if (listen_parse(v->text, &n->spec, why, sizeof why) < 0) {
		fprintf(stderr, "%s:%d: listen: %s\n", v->file, v->line, why);
		return EXIT_CONFIG;
	}
	int k = keep_open(set, kept, &n->spec);
	if (k >= 0 && set->s[k].fd >= 0) {
		n->fd = set->s[k].fd;
		n->owned = set->s[k].owned;
		/* A new backlog applies to the socket already listening. */
		if (n->spec.socktype == SOCK_STREAM && n->spec.backlog != set->s[k].spec.backlog &&
		    listen(n->fd, n->spec.backlog ? n->spec.backlog : SOMAXCONN) < 0)
			log_errno(STEP, "%s: listen with the new backlog", n->spec.addr);
		return 0;
	}
	if (!binds_here(&n->spec, where))
		return 0;
	if ((n->fd = take_inherited(&n->spec)) >= 0)
		return 0;
	if (where == SOCKETS_INIT_ONLY && !n->spec.inside) {
		fprintf(stderr,
			"%s:%d: listen = %s: this config builds no jail (init-only mode), so there is no host "
			"side to bind it on before the jail exists: add `inside`, or have it passed in "
			"(warder emperor, a systemd socket unit)\n",
			v->file, v->line, n->spec.addr);
		return EXIT_CONFIG;
	}
	if ((n->fd = bind_one(&n->spec)) < 0)
		return EXIT_OSERR;
	n->owned = *fresh = true;
	return 0;
}

int sockets_open(struct sockset *set, const struct jail *j, enum sockets_where where)
{
	const struct conf_value *v;
	size_t n = jail_list(j, "listen", &v);
	if (n > SOCKETS_MAX) {
		fprintf(stderr, "%s:%d: listen: %d sockets at most\n", v[SOCKETS_MAX].file, v[SOCKETS_MAX].line,
			SOCKETS_MAX);
		return EXIT_CONFIG;
	}
	if (n == 0 && set->n == 0)
		return 0;
	struct lsock *ns = calloc(n ? n : 1, sizeof *ns);
	bool *kept = calloc(set->n + 1, sizeof *kept), fresh[SOCKETS_MAX] = {false};
	if (!ns || !kept) {
		log_errno(STEP, "out of memory");
		free(ns);
		free(kept);
		return EXIT_OSERR;
	}
	for (size_t i = 0; i < n; i++) {
		ns[i].fd = -1;
		int rc = open_one(set, kept, &ns[i], &v[i], where, &fresh[i]);
		if (rc == 0)
			continue;
		/* Nothing of this attempt stays: the set is as it was. */
		for (size_t b = 0; b < i; b++)
			if (fresh[b])
				close_one(&ns[b]);
		free(ns);
		free(kept);
		return rc;
	}
	for (size_t k = 0; k < set->n; k++)
		if (!kept[k]) {
			log_info(STEP, "%s: no longer listed: closed", set->s[k].spec.addr);
			close_one(&set->s[k]);
		}
	free(kept);
	free(set->s);
	set->s = ns;
	set->n = n;
	return 0;
}

void sockets_close(struct sockset *set, bool inside_only)
{
	for (size_t i = 0; i < set->n; i++)
		if (!inside_only || set->s[i].spec.inside)
			close_one(&set->s[i]);
	if (inside_only)
		return;
	free(set->s);
	set->s = NULL;
	set->n = 0;
}

void sockets_names(const struct sockset *set, const char *dflt_name, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < set->n && o < len; i++) {
		if (set->s[i].fd < 0)
			continue;
		const char *name = set->s[i].spec.name[0] ? set->s[i].spec.name : dflt_name;
		int w = snprintf(buf + o, len - o, "%s%s", o ? ":" : "", name);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

int sockets_export(const struct sockset *set, const char *dflt_name, int *fds, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < set->n && k < max; i++)
		if (set->s[i].fd >= 0)
			fds[k++] = set->s[i].fd;
	if (k == 0) {
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
		unsetenv("LISTEN_PID");
		return 0;
	}
	char num[32], names[SOCKETS_MAX * 65];
	snprintf(num, sizeof num, "%zu", k);
	int rc = setenv("LISTEN_FDS", num, 1);
	sockets_names(set, dflt_name, names, sizeof names);
	rc = rc < 0 ? rc : setenv("LISTEN_FDNAMES", names, 1);
	snprintf(num, sizeof num, "%ld", (long)getpid());
	rc = rc < 0 ? rc : setenv("LISTEN_PID", num, 1);
	if (rc < 0) {
		log_errno(STEP, "setenv LISTEN_FDS");
		return -1;
	}
	return (int)k;
}

int sockets_place(const int *fds, int n, int first)
{
	int tmp[SOCKETS_MAX + 1];
	if (n > SOCKETS_MAX + 1)
		return -1;
	/* Out of the way first: a target number may hold another of FDS. */
	for (int i = 0; i < n; i++)
		if ((tmp[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, first + n)) < 0)
			return -1;
	for (int i = 0; i < n; i++)
		if (dup2(tmp[i], first + i) < 0)
			return -1;
	return 0;
}
