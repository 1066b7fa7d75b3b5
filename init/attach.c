/* attach: `warder attach`'s work once its arguments are parsed (init/cmd_attach.c): find the jail (by name
 * through its state file, or by its setns socket, init/setns.h), have the back end enter it
 * (jail_backend.enter), give the command the jail's limits (init/jail_limits.h) and report its status.
 *
 * The limits are the main command's, applied by the same code: the attached child runs rlimit_apply and
 * jail_backend.drop on them, as the command's child does. */
#include "attach.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exits.h"
#include "jail.h"
#include "jailpw.h"
#include "log.h"
#include "proc.h"
#include "rlimit.h"
#include "setns.h"
#include "state.h"
#include "supervise.h"

/* The jail warder runs behind setns socket PATH, served by PID: its name into NAME, or -1 when none is ours.
 * The serving init's pid decides (the path may be spelt another way). */
struct by_socket {
	const char *path;
	pid_t pid;
	char *name;
	size_t len;
};

static int by_socket(const char *name, const struct jail_state *s, void *arg)
{
	struct by_socket *b = arg;
	if (!state_alive(s) || (s->pid != b->pid && strcmp(s->socket, b->path) != 0))
		return 0;
	snprintf(b->name, b->len, "%s", name);
	return 1;
}

static int name_by_socket(const char *path, pid_t pid, char *name, size_t len)
{
	struct by_socket b = {path, pid, name, len};
	return state_each(by_socket, &b) == 1 ? 0 : -1;
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
	pid_t pid = proc_fork();
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

int attach_run(const char *target, char **cmd, const struct attach_opts *o)
{
	int rc;
	if (!jail_backend.enter) {
		log_err("attach", "this system's jails cannot be attached to");
		return EXIT_OSERR;
	}
	int fds[SETNS_MAX];
	size_t n = 0;
	pid_t pid;
	char name[256];
	bool ours;
	struct jail_state s;
	char *state = NULL;
	if (strchr(target, '/')) {
		if (setns_fetch(target, fds, &n, &pid) < 0)
			return EXIT_OSERR;
		ours = name_by_socket(target, pid, name, sizeof name) == 0;
		/* The limits come from the file read now: it must still name the init whose namespaces we hold. */
		if (ours && (state_load(name, &s, &state) < 0 || s.pid != pid)) {
			log_err("attach", "%s: jail %s was rebuilt or stopped while attaching", target, name);
			free(state);
			for (size_t i = 0; i < n; i++)
				close(fds[i]);
			return EXIT_TEMPFAIL;
		}
	} else {
		/* No state: not a jail warder runs; the back end may still know it (FreeBSD's own jails). */
		ours = state_load(target, &s, &state) == 0 && state_alive(&s);
		pid = ours ? s.pid : 0;
		snprintf(name, sizeof name, "%s", target);
	}
	/* Read before entering: the state directory is the host's. */
	if (!ours && strchr(target, '/'))
		log_warn("attach", "%s: no jail of ours serves this socket: the default limits apply", target);
	struct conf *c = NULL;
	const struct jail *j = limits_load(ours ? name : NULL, state, o, &c);
	free(state);
	const char *by_name = strchr(target, '/') ? NULL : target;
	errno = 0;
	if (!j || jail_backend.enter(by_name, pid, ours ? s.keeper : 0, n ? fds : NULL, n) < 0) {
		/* The back end's ESRCH: the jail stopped under us, worth a retry. */
		int code = j && errno == ESRCH ? EXIT_TEMPFAIL : EXIT_OSERR;
		for (size_t i = 0; !j && i < n; i++)
			close(fds[i]);
		conf_free(c);
		return code;
	}
	rc = run_attached(cmd, j, ours ? name : NULL);
	conf_free(c);
	return rc;
}
