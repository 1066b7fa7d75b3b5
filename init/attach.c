/* attach: `warder attach [-u USER] [--cap LIST] [--privileged] NAME|SOCKET -- CMD`, `warder list`, and the
 * setns socket a jail's init serves (uWSGI's setns-socket protocol: the payload "uwsgi-setns", a native int
 * with the number of fds, the namespace fds as SCM_RIGHTS; the user namespace is left out, as uWSGI does).
 * Entering is the back end's job (jail_backend.enter); this file finds the jail, gives the command the jail's
 * limits (init/jail_limits.h) and reports its status.
 *
 * The limits are the main command's, applied by the same code: the attached child runs rlimit_apply and
 * jail_backend.drop on them, as the command's child does. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "control.h"
#include "jail.h"
#include "jailpw.h"
#include "keeper.h"
#include "jail_limits.h"
#include "state.h"
#include "log.h"
#include "peer.h"
#include "proc.h"
#include "rlimit.h"
#include "supervise.h"

#define SETNS_MAGIC "uwsgi-setns"
#define SETNS_MAGIC_LEN 11
#define SETNS_MAX 32

/* --- the server, in the init ----------------------------------------------------------------------------- */
static int ns_fds[SETNS_MAX];
static int ns_count;
static uid_t ns_owner; /* who may have the fds besides root: the uid that runs the jail */

static int preopen(void)
{
	DIR *d = opendir("/proc/self/ns");
	if (!d) {
		log_errno("setns", "open /proc/self/ns");
		return -1;
	}
	struct dirent *de;
	while ((de = readdir(d)) && ns_count < SETNS_MAX) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "user") == 0)
			continue;
		int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			log_errno("setns", "open /proc/self/ns/%s", de->d_name);
			closedir(d);
			return -1;
		}
		ns_fds[ns_count++] = fd;
	}
	closedir(d);
	return 0;
}

static int unix_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa->sun_path) {
		log_err("setns", "%s: socket path too long", path);
		return -1;
	}
	memcpy(sa->sun_path, path, strlen(path));
	return 0;
}

int setns_listen(const char *path)
{
	struct sockaddr_un sa;
	if (unix_addr(path, &sa) < 0 || preopen() < 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_errno("setns", "socket");
		return -1;
	}
	struct stat st;
	/* A socket left by a jail that was killed; anything else at that path is not ours to remove. */
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	/* 0600: the namespace fds are root's (or the jail owner's) alone; setns_serve checks the peer too. */
	mode_t old = umask(0177);
	int rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc < 0 || listen(fd, 16) < 0) {
		log_errno("setns", "listen on %s", path);
		close(fd);
		return -1;
	}
	ns_owner = geteuid();
	log_debug("setns", "serving %d namespaces on %s", ns_count, path);
	return fd;
}

void setns_serve(int lfd)
{
	uid_t uid;
	int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_errno("setns", "accept");
		return;
	}
	/* The file mode is the first gate; this one holds even when someone loosened it. */
	if (peer_cred(c, &uid, NULL) < 0) {
		log_errno("setns", "peer credentials");
		close(c);
		return;
	}
	if (uid != 0 && uid != ns_owner) {
		log_warn("setns", "refused a client with uid %ld", (long)uid);
		close(c);
		return;
	}
	int count = ns_count;
	char magic[] = SETNS_MAGIC;
	struct iovec iov[2] = {{magic, SETNS_MAGIC_LEN}, {&count, sizeof count}};
	union {
		char buf[CMSG_SPACE(sizeof(int) * SETNS_MAX)];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof ctl);
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	if (count > 0) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)count);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)count);
		memcpy(CMSG_DATA(cm), ns_fds, sizeof(int) * (size_t)count);
	}
	if (sendmsg(c, &mh, MSG_NOSIGNAL) < 0)
		log_errno("setns", "sendmsg");
	close(c);
}

void setns_close(void)
{
	for (int i = 0; i < ns_count; i++)
		close(ns_fds[i]);
	ns_count = 0;
}

/* --- the client ------------------------------------------------------------------------------------------- */
/* Connect to a setns socket: the fds, and the serving init's pid (the socket's peer credentials). */
static int setns_fetch(const char *path, int *fds, size_t *n, pid_t *pid)
{
	struct sockaddr_un sa;
	if (unix_addr(path, &sa) < 0)
		return -1;
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		log_errno("attach", "connect %s", path);
		if (s >= 0)
			close(s);
		return -1;
	}
	char magic[SETNS_MAGIC_LEN];
	int count = 0;
	struct iovec iov[2] = {{magic, sizeof magic}, {&count, sizeof count}};
	union {
		char buf[CMSG_SPACE(sizeof(int) * SETNS_MAX)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf};
	ssize_t got;
	do
		got = recvmsg(s, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL);
	while (got < 0 && errno == EINTR);
	uid_t uid;
	int rc = peer_cred(s, &uid, pid); /* the serving init's pid */
	close(s);
	if (got < 0 || rc < 0) {
		log_errno("attach", "read %s", path);
		return -1;
	}
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	size_t nfd = cm && cm->cmsg_type == SCM_RIGHTS ? (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;
	if (nfd)
		memcpy(fds, CMSG_DATA(cm), nfd * sizeof(int));
	if (got != (ssize_t)(sizeof magic + sizeof count) || memcmp(magic, SETNS_MAGIC, sizeof magic) != 0 ||
	    (size_t)count != nfd) {
		log_err("attach", "%s: not a setns socket", path);
		for (size_t i = 0; i < nfd; i++)
			close(fds[i]);
		return -1;
	}
	*n = nfd;
	return 0;
}

/* --- the client's steps ------------------------------------------------------------------------------------ */
/* The jail warder runs behind setns socket PATH, served by PID: its name into NAME, or -1 when none is ours.
 * The serving init's pid decides (the path may be spelt another way). */
static int name_by_socket(const char *path, pid_t pid, char *name, size_t len)
{
	char dir[512];
	DIR *d = opendir(state_dir(dir, sizeof dir));
	struct dirent *de;
	int rc = -1;
	while (d && rc < 0 && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		struct jail_state s;
		if (l <= 6 || strcmp(de->d_name + l - 6, ".state") != 0)
			continue;
		snprintf(name, len, "%.*s", (int)(l - 6), de->d_name);
		if (state_read(name, &s) == 0 && state_alive(&s) && (s.pid == pid || strcmp(s.socket, path) == 0))
			rc = 0;
	}
	if (d)
		closedir(d);
	return rc;
}

/* In the attached child, inside the jail: the rlimits and the privilege drop of the main command (the back
 * end's drop: bounding and permitted/effective caps, no_new_privs, groups, gid, uid read back). */
static int take_limits(const struct jail *j, const char *name)
{
	struct jailpw w;
	char err[300];
	const char *user = jail_get(j, "user");
	/* The home, and a clear message for a user the jail lacks, while its files are readable. */
	if (user && jailpw_user(user, &w, err, sizeof err) < 0) {
		log_err("attach", "%s", err);
		return -1;
	}
	if (rlimit_apply(j, "attach") < 0)
		return -1;
	struct jailrun r = {.j = j, .name = name, .jid = -1, .sync_fd = -1, .init_fd = -1};
	if (!jail_backend.drop || jail_backend.drop(&r) < 0)
		return -1;
	if (user) {
		if (chdir(w.home) < 0 && chdir("/") < 0)
			log_errno("attach", "chdir /");
		if (setenv("HOME", w.home, 1) < 0 || setenv("USER", w.name, 1) < 0) {
			log_errno("attach", "setenv");
			return -1;
		}
	}
	return 0;
}

static int wait_child(pid_t pid)
{
	int st;
	pid_t w;
	do
		w = waitpid(pid, &st, 0);
	while (w < 0 && errno == EINTR);
	if (w < 0) {
		log_errno("attach", "waitpid");
		return EXIT_OSERR;
	}
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

/* Fork (a pid namespace takes only children), take the jail's limits, run CMD; return its status. */
static int run_attached(char **cmd, const struct jail *j, const char *name)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old_int, old_quit;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid_t pid = fork();
	if (pid < 0) {
		log_errno("attach", "fork");
		return EXIT_OSERR;
	}
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		sup_restore_sigpipe(); /* warder ignores it; the command gets what warder was started with */
		if (take_limits(j, name) < 0)
			_exit(EXIT_OSERR);
		execvp(cmd[0], cmd);
		int err = errno;
		log_errno("attach", "cannot execute %s", cmd[0]);
		_exit(err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC);
	}
	return wait_child(pid);
}

static const char attach_usage[] =
	"usage: warder attach [-u USER] [--cap LIST] [--privileged] NAME|SOCKET [--] [CMD [ARGS...]]\n";

/* Options may come before or after NAME (warder attach NAME -u USER -- CMD). */
static int attach_opts(int argc, char **argv, struct attach_opts *o)
{
	static const struct option longopts[] = {
		{"user", required_argument, NULL, 'u'},
		{"cap", required_argument, NULL, 'C'},
		{"privileged", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char why[300];
	int opt;
	while ((opt = getopt_long(argc, argv, "+u:h", longopts, NULL)) != -1) {
		if (opt == 'u') {
			o->user = optarg;
		} else if (opt == 'C') {
			char *v = optarg;
			if (param_check(param_find("caps"), "--cap", &v, why, sizeof why) < 0)
				return log_err("attach", "%s", why), EXIT_USAGE;
			o->caps = optarg;
		} else if (opt == 'P') {
			o->privileged = true;
		} else {
			return fputs(attach_usage, opt == 'h' ? stdout : stderr), opt == 'h' ? 0 : EXIT_USAGE;
		}
	}
	return -1;
}

int cmd_attach(int argc, char **argv)
{
	struct attach_opts o = {0};
	int rc;
	optind = 0;
	if ((rc = attach_opts(argc, argv, &o)) >= 0)
		return rc;
	if (optind >= argc)
		return fputs(attach_usage, stderr), EXIT_USAGE;
	const char *target = argv[optind];
	/* getopt goes on from the argument after NAME, as if NAME were the program name. */
	int base = optind;
	optind = 0; /* glibc: start afresh on the new vector */
	if ((rc = attach_opts(argc - base, argv + base, &o)) >= 0)
		return rc;
	optind += base;
	static char *sh[] = {"/bin/sh", NULL};
	char **cmd = optind < argc ? argv + optind : sh;
	if (!jail_backend.enter) {
		log_err("attach", "this system's jails cannot be attached to");
		return EXIT_OSERR;
	}
	int fds[SETNS_MAX];
	size_t n = 0;
	pid_t pid;
	char name[256];
	bool ours;
	if (strchr(target, '/')) {
		if (setns_fetch(target, fds, &n, &pid) < 0)
			return EXIT_OSERR;
		ours = name_by_socket(target, pid, name, sizeof name) == 0;
	} else {
		/* No state: not a jail warder runs; the back end may still know it (FreeBSD's own jails). */
		struct jail_state s;
		ours = state_read(target, &s) == 0 && state_alive(&s);
		pid = ours ? s.pid : 0;
		snprintf(name, sizeof name, "%s", target);
	}
	/* Read before entering: the state directory is the host's. */
	if (!ours && strchr(target, '/'))
		log_warn("attach", "%s: no jail of ours serves this socket: the default limits apply", target);
	struct conf *c = NULL;
	const struct jail *j = limits_load(ours ? name : NULL, &o, &c);
	if (!j || jail_backend.enter(strchr(target, '/') ? NULL : target, pid, n ? fds : NULL, n) < 0) {
		for (size_t i = 0; !j && i < n; i++)
			close(fds[i]);
		conf_free(c);
		return EXIT_OSERR;
	}
	rc = run_attached(cmd, j, ours ? name : NULL);
	conf_free(c);
	return rc;
}

/* --- list ---------------------------------------------------------------------------------------------------- */
static void uptime(long long secs, char *buf, size_t len)
{
	if (secs >= 86400)
		snprintf(buf, len, "%lldd%02lldh", secs / 86400, secs % 86400 / 3600);
	else if (secs >= 3600)
		snprintf(buf, len, "%lldh%02lldm", secs / 3600, secs % 3600 / 60);
	else
		snprintf(buf, len, "%lldm%02llds", secs / 60, secs % 60);
}

/* One jail of `warder list --json` (schema: warder(8), JSON OUTPUT). */
static void list_json(struct ctl_out *o, const struct jail_state *s, long long now, bool first)
{
	ctl_put(o, "%s{\"name\":", first ? "" : ",");
	ctl_put_str(o, s->name);
	ctl_put(o, ",\"pid\":%ld,\"keeper\":%ld,\"started\":%lld,\"uptime\":%lld,\"path\":", (long)s->pid,
		(long)s->keeper, s->started, now - s->started);
	ctl_put_str(o, s->path[0] ? s->path : NULL);
	ctl_put(o, ",\"control\":");
	ctl_put_str(o, s->control[0] ? s->control : NULL);
	ctl_put(o, ",\"setns_socket\":");
	ctl_put_str(o, s->socket[0] ? s->socket : NULL);
	ctl_put(o, "}");
}

int cmd_list(int argc, char **argv)
{
	bool json = argc == 2 && strcmp(argv[1], "--json") == 0;
	if (argc > 1 && !json) {
		fputs("usage: warder list [--json]\n", stderr);
		return EXIT_USAGE;
	}
	char dir[512];
	state_dir(dir, sizeof dir);
	DIR *d = opendir(dir);
	struct ctl_out o = {0};
	if (!json)
		printf("%-20s %8s %9s  %s\n", "NAME", "PID", "UPTIME", "PATH");
	if (!d && errno != ENOENT)
		return log_errno("list", "open %s", dir), EXIT_OSERR;
	ctl_put(&o, "{\"jails\":[");
	struct dirent *de;
	long long now = (long long)time(NULL);
	bool first = true;
	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l <= 6 || strcmp(de->d_name + l - 6, ".state") != 0)
			continue;
		char name[256], up[32];
		snprintf(name, sizeof name, "%.*s", (int)(l - 6), de->d_name);
		struct jail_state s;
		/* A stale file: its keeper or init gone, or dead and not yet reaped (a keeper killed by SIGKILL). */
		if (state_read(name, &s) < 0 || !state_alive(&s) || proc_is_zombie(s.keeper) || proc_is_zombie(s.pid))
			continue;
		if (json) {
			list_json(&o, &s, now, first);
			first = false;
			continue;
		}
		uptime(now - s.started, up, sizeof up);
		printf("%-20s %8ld %9s  %s\n", s.name, (long)s.pid, up, s.path[0] ? s.path : "-");
	}
	if (d)
		closedir(d);
	ctl_put(&o, "]}\n");
	int rc = 0;
	if (json && (o.full || fputs(o.p, stdout) == EOF))
		rc = (log_err("list", "cannot write the list"), EXIT_OSERR);
	ctl_out_free(&o);
	return fflush(stdout) == 0 ? rc : EXIT_OSERR;
}
