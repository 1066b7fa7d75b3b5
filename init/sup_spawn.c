/* sup_spawn: starting the main command; the lowest part of the supervisor, it calls nothing of the others.
 * vfork when the child only execs, fork and a report pipe when a setup step runs first; its own process group
 * and the terminal, the signal mask and SIGPIPE as warder found them (SIGPIPE's bookkeeping lives here), the
 * passed sockets as fds 3.. with LISTEN_PID rewritten to the command's pid. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <ev.h>

#include "exits.h"
#include "log.h"
#include "proc.h"
#include "sockets.h"
#include "sup_priv.h"

extern char **environ;

static bool sigpipe_ignored_at_start; /* SIGPIPE was SIG_IGN when warder started */

void sup_ignore_sigpipe(void)
{
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigemptyset(&ign.sa_mask);
	if (sigaction(SIGPIPE, &ign, &old) == 0)
		sigpipe_ignored_at_start = old.sa_handler == SIG_IGN;
}

void sup_restore_sigpipe(void)
{
	struct sigaction dfl = {.sa_handler = sigpipe_ignored_at_start ? SIG_IGN : SIG_DFL};
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGPIPE, &dfl, NULL);
}

static int exec_failure_code(int err)
{
	return err == ENOENT || err == ENOTDIR ? EXIT_NOTFOUND : EXIT_NOEXEC;
}

/* Socket activation: LISTEN_PID names the process meant to use the fds; that is now the command. The
 * parent builds the environment (no malloc or setenv may happen in a vfork child); the child writes its
 * pid into the slot. NULL: the environment stays as it is. */
static char **listen_env(struct sup *s)
{
	const char *lp = getenv("LISTEN_PID");
	if (!lp || strtol(lp, NULL, 10) != (long)getpid())
		return NULL;
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 1, sizeof *env);
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		env[i] = strncmp(environ[i], "LISTEN_PID=", 11) == 0 ? s->listen_pid : environ[i];
	return env;
}

static void listen_pid_fill(char *buf, size_t len, long pid)
{
	char digits[24];
	int n = 0;
	do
		digits[n++] = (char)('0' + pid % 10);
	while ((pid /= 10) > 0);
	size_t o = 11;
	memcpy(buf, "LISTEN_PID=", o);
	while (n > 0 && o + 1 < len)
		buf[o++] = digits[--n];
	buf[o] = '\0';
}

struct exec_report {
	int err;  /* errno of the failure */
	int code; /* exit status to use */
};

/* In the child: its own process group, the terminal's foreground when warder had it, the signal mask and
 * SIGPIPE's disposition warder was started with (no other disposition was changed), then exec. Only async-signal-safe calls: this
 * may be a vfork child. The failure goes to REPORT (a pipe) or, without one, into our shared memory. */
static void __attribute__((noreturn)) child_exec(struct sup *s, bool take_tty, char **env, int report)
{
	setpgid(0, 0);
	if (take_tty)
		tcsetpgrp(STDIN_FILENO, getpid()); /* SIGTTOU is still blocked here */
	sup_restore_sigpipe();
	sigprocmask(SIG_SETMASK, &s->mask0, NULL);
	struct exec_report r = {0, 0};
	if (s->o->child_setup && (r.code = s->o->child_setup(s->o->child_arg)) != 0)
		goto fail;
	/* After the setup, which marks every other fd close-on-exec: these are declared, they cross. */
	if (s->o->npass > 0 && sockets_place(s->o->pass_fds, s->o->npass, 3) < 0) {
		r.err = errno;
		r.code = EXIT_OSERR;
		goto fail;
	}
	if (env) {
		listen_pid_fill(s->listen_pid, sizeof s->listen_pid, (long)getpid());
		environ = env; /* not execvpe: FreeBSD has it from 14.1 only; sup_spawn puts environ back */
	}
	execvp(s->o->argv[0], s->o->argv);
	r.err = errno;
	r.code = exec_failure_code(errno);
fail:
	if (report < 0) {
		s->exec_err = r.err;
		s->child_failed = true;
	} else if (write(report, &r, sizeof r) < 0)
		_exit(r.code);
	_exit(r.code);
}

/* The report pipe must stay clear of the numbers the passed sockets take in the child (3..MIN-1). */
static int pipe_above(int p[2], int min)
{
	for (int i = 0; i < 2; i++) {
		if (p[i] >= min)
			continue;
		int fd = fcntl(p[i], F_DUPFD_CLOEXEC, min);
		if (fd < 0) {
			close(p[0]);
			close(p[1]);
			return -1;
		}
		close(p[i]);
		p[i] = fd;
	}
	return 0;
}

/* Without a setup step, or with one child_prepare readied (system calls only), the child only makes system
 * calls and execs: vfork shares our memory until then, which spares copying the page tables and lets the
 * child leave its failure in s->exec_err and s->child_failed. Any other setup step (the privilege drop
 * prepare could not work out, the idle placeholder that never execs) needs a real fork and reports through a
 * pipe. Returns the pid or -1; *reported is true when the child reported that it cannot run. */
static pid_t spawn_child(struct sup *s, bool take_tty, char **env, bool *reported)
{
	*reported = false;
	s->exec_err = 0;
	s->child_failed = false;
	if (!s->o->child_setup || (s->o->child_prepare && s->o->child_prepare(s->o->child_arg) == 0)) {
#ifdef __linux__
		/* A child that changes its uid makes the kernel mark the mm it shares with us not dumpable; once it
		 * has exec'd (or exited) the mm is ours alone again and gets its flag back. */
		int dumpable = s->o->child_setup ? prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) : -1;
#endif
		pid_t pid = vfork();
		if (pid == 0)
			child_exec(s, take_tty, env, -1);
#ifdef __linux__
		if (dumpable >= 0 && prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != dumpable)
			prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
#endif
		if (pid > 0 && s->child_failed) {
			*reported = true;
			if (s->exec_err) {
				errno = s->exec_err;
				log_errno("command", "cannot execute %s", s->o->argv[0]);
			}
		}
		return pid;
	}
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0 || pipe_above(p, 3 + s->o->npass) < 0)
		return -1;
	pid_t pid = proc_fork();
	if (pid == 0) {
		close(p[0]);
		child_exec(s, take_tty, env, p[1]);
	}
	int e = errno;
	close(p[1]);
	if (pid > 0) {
		/* Both sides set the group, so whoever runs first wins the race cleanly. */
		setpgid(pid, pid);
		struct exec_report r;
		ssize_t n;
		do
			n = read(p[0], &r, sizeof r);
		while (n < 0 && errno == EINTR);
		if (n == (ssize_t)sizeof r) {
			/* The child is exiting with r.code; its wait status arrives through the loop. */
			*reported = true;
			if (r.err) {
				errno = r.err;
				log_errno("command", "cannot execute %s", s->o->argv[0]);
			}
		}
	}
	close(p[0]);
	errno = e;
	return pid;
}

enum sup_spawned sup_spawn_command(struct sup *s)
{
	/* A terminal is taken over only when we are its foreground job now. */
	bool take_tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
	char **env = listen_env(s);
	/* Every signal blocked: nothing of ours may run in the child before it restores the mask. */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	bool reported;
	char **environ0 = environ;
	pid_t pid = spawn_child(s, take_tty, env, &reported);
	int e = errno;
	environ = environ0; /* a vfork child set ours to env */
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(env);
	if (pid < 0) {
		errno = e;
		log_errno("command", "fork");
		return SPAWN_NOFORK;
	}
	s->pid = pid;
	s->pgrp = pid;
	s->tty = take_tty;
	if (reported)
		return SPAWN_REPORTED;
	s->started = ev_now(s->loop);
	log_debug("command", "started %s as pid %d", s->o->argv[0], (int)pid);
	return SPAWN_OK;
}
