/* shell: running one hook command. It gets a fresh child in its own process group; the child sets itself up
 * (enter hook, stdio, user, environment) and reports a setup failure to the parent through a close-on-exec
 * pipe, so that the parent prints the one line. The parent polls the child with waitpid
 * WNOHANG, tees the output when asked, and enforces exec.timeout on the whole process group.
 *
 * A host-side command runs under a hook reaper, a child subreaper between warder and the shell: whatever the
 * command leaves behind (a background job, setsid, a double fork) is reparented to the reaper, which kills
 * and reaps it all once the shell has exited. Nothing a host hook starts outlives it. In-jail commands have
 * no reaper: exec.start may start the jail's services, and the jail's end ends them. */
#include "shell.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exits.h"
#include "ids.h"
#include "jailpw.h"
#include "log.h"
#include "proc.h"
#include "reaper.h"

#define CLEAN_PATH "/sbin:/bin:/usr/sbin:/usr/bin:/usr/local/sbin:/usr/local/bin"
#define KILL_GRACE_MS 2000 /* between the timeout's SIGTERM and SIGKILL */

extern char **environ;

/* ---- the child ---- */

/* Report a setup failure to the parent and die; the parent prints it. */
static void __attribute__((noreturn)) child_fail(int fd, const char *what)
{
	char msg[300];
	int n = snprintf(msg, sizeof msg, "%s%s%s", what, errno ? ": " : "", errno ? strerror(errno) : "");
	if (n > 0) {
		ssize_t w = write(fd, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
		(void)w; /* nothing more can be done from here */
	}
	_exit(EXIT_OSERR);
}

/* Default dispositions first, then the mask: warder's handlers must never run in a child. */
static void child_signals(void)
{
	sigset_t none;
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL); /* EINVAL for the few reserved numbers is fine */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The hook gets SIGPIPE's default like any program: a stdout or stderr whose reader is gone (warder run |
 * head -1) would kill it at its first echo, and a cleanup step with it. Such a stream becomes /dev/null. */
static void child_quiet_gone(void)
{
	for (int fd = STDOUT_FILENO; fd <= STDERR_FILENO; fd++) {
		if (!log_stream_gone(fd))
			continue;
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, fd);
			close(null);
		}
	}
}

struct env {
	char **v;
	size_t n, cap;
};

/* Set KEY=VAL in E, replacing an earlier KEY. */
static int env_set(struct env *e, const char *key, const char *val)
{
	size_t kl = strlen(key);
	char *s = malloc(kl + strlen(val) + 2);
	if (!s)
		return -1;
	sprintf(s, "%s=%s", key, val);
	for (size_t i = 0; i < e->n; i++)
		if (strncmp(e->v[i], key, kl) == 0 && e->v[i][kl] == '=') {
			e->v[i] = s;
			return 0;
		}
	if (e->n + 2 > e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 32;
		char **v = realloc(e->v, cap * sizeof *v);
		if (!v)
			return -1;
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n++] = s;
	e->v[e->n] = NULL;
	return 0;
}

/* The target user: exec.jail_user inside, exec.system_user on the host; NULL means "stay who we are". */
static const char *target_user(const struct chain_ctx *c)
{
	const char *key = c->inside ? "exec.jail_user" : "exec.system_user";
	return jail_is_set(c->j, key) ? jail_get(c->j, key) : NULL;
}

static void child_env(const struct chain_ctx *c, const struct jailpw *pw, int errfd, struct env *e)
{
	if (jail_bool(c->j, "exec.clean")) {
		const char *term = getenv("TERM");
		if (env_set(e, "HOME", pw->home) || env_set(e, "SHELL", pw->shell) || env_set(e, "USER", pw->name) ||
		    env_set(e, "PATH", CLEAN_PATH) || (term && env_set(e, "TERM", term)))
			child_fail(errfd, "environment");
	} else {
		for (char **p = environ; *p; p++) {
			char *eq = strchr(*p, '=');
			if (!eq)
				continue;
			*eq = '\0';
			int rc = env_set(e, *p, eq + 1);
			*eq = '=';
			if (rc)
				child_fail(errfd, "environment");
		}
	}
	char jid[32] = "";
	if (c->jid >= 0)
		snprintf(jid, sizeof jid, "%ld", c->jid);
	else if (c->pid > 0)
		snprintf(jid, sizeof jid, "%ld", (long)c->pid);
	const char *path = jail_get(c->j, "path");
	if (env_set(e, "WARDER_NAME", c->j->name) || env_set(e, "WARDER_PATH", path ? path : "") ||
	    env_set(e, "WARDER_JID", jid) || env_set(e, "WARDER_PHASE", hook_step_name(c)))
		child_fail(errfd, "environment");
}

/* setgroups, setgid, setuid, each checked; then make sure there is no way back to root. */
static void child_user(const struct jailpw *w, int errfd)
{
	if (ids_setgroups(w->ngroups, w->groups) < 0)
		child_fail(errfd, "setgroups");
	if (ids_setgid(w->gid) < 0)
		child_fail(errfd, "setgid");
	if (ids_setuid(w->uid) < 0)
		child_fail(errfd, "setuid");
	errno = 0;
	if (w->uid != 0 && (ids_setuid(0) == 0 || getuid() != w->uid || geteuid() != w->uid))
		child_fail(errfd, "setuid did not drop root");
}

struct child_io {
	int out;   /* stdout and stderr of the command, -1: inherited */
	int errfd; /* write end of the setup-report pipe */
};

static void __attribute__((noreturn)) child_run(const struct chain_ctx *c, const char *cmd, struct child_io io)
{
	errno = 0;
	if (setpgid(0, 0) < 0)
		child_fail(io.errfd, "setpgid");
	child_signals();
	if (io.out >= 0 && (dup2(io.out, STDOUT_FILENO) < 0 || dup2(io.out, STDERR_FILENO) < 0))
		child_fail(io.errfd, "dup2");
	child_quiet_gone();
	/* The user comes from the host's databases for host-side commands and with exec.system_jail_user
	 * (looked up before entering, as jail(8) does: by the keeper when the hook runs in the init), else
	 * from the jail's own files once inside. */
	const char *user = target_user(c);
	bool sys_jail = c->inside && user && jail_bool(c->j, "exec.system_jail_user");
	bool host = !c->inside || sys_jail;
	struct jailpw pw;
	char err[300];
	errno = 0;
	if (sys_jail && c->jail_user)
		pw = *c->jail_user;
	else if (sys_jail && !c->enter)
		child_fail(io.errfd, "exec.system_jail_user: the host's passwd is out of reach from inside the jail");
	else if (host && jailpw_host(user, &pw, err, sizeof err) < 0) {
		errno = 0;
		child_fail(io.errfd, err);
	}
	if (c->enter && c->enter(c, c->enter_arg) < 0) {
		errno = 0;
		child_fail(io.errfd, "entering the jail failed");
	}
	if (!host) {
		char self[32];
		snprintf(self, sizeof self, "%u", (unsigned)getuid());
		if (jailpw_user(user ? user : self, &pw, err, sizeof err) < 0) {
			errno = 0;
			child_fail(io.errfd, err);
		}
	}
	struct env e = {0};
	child_env(c, &pw, io.errfd, &e);
	if (user)
		child_user(&pw, io.errfd);
	if (jail_bool(c->j, "exec.clean") && chdir(pw.home) < 0) {
		char what[1100];
		snprintf(what, sizeof what, "chdir %s", pw.home);
		child_fail(io.errfd, what);
	}
	/* Only stdio crosses. The report pipe moves to fd 3 and closes itself at exec. */
	if (io.errfd != 3 && dup2(io.errfd, 3) < 0)
		child_fail(io.errfd, "dup2");
	io.errfd = 3;
	if (fcntl(3, F_SETFD, FD_CLOEXEC) < 0)
		child_fail(io.errfd, "fcntl");
	closefrom(4);
	char *argv[] = {"sh", "-c", (char *)cmd, NULL};
	execve("/bin/sh", argv, e.v);
	child_fail(io.errfd, "exec /bin/sh");
}

/* ---- the hook reaper ---- */

/* Wait for the shell. A SIGTERM (exec.timeout), or the SIGINT, SIGTERM or SIGHUP of a stop request, from
 * the parent goes on to the shell's process group, and SIGKILL follows after the grace: a stop request
 * comes by sigqueue with its grace (stop.timeout) in ms as the value, exec.timeout's by kill. Every signal
 * is blocked here; SIGCHLD is only a wake-up. */
static int reaper_wait(pid_t sh)
{
	long long kill_at = 0;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	for (;;) {
		int st;
		pid_t r = waitpid(sh, &st, WNOHANG);
		if (r == sh)
			return st;
		if (r < 0 && errno != EINTR)
			return -1;
		struct timespec tick = {0, 50 * 1000000};
		siginfo_t si;
		int sig = sigtimedwait(&set, &si, kill_at ? &tick : NULL);
		if (sig > 0 && sig != SIGCHLD && !kill_at) {
			kill(-sh, sig);
			kill_at = hook_now_ms() + (si.si_code == SI_QUEUE ? si.si_value.sival_int : KILL_GRACE_MS);
		}
		if (kill_at && hook_now_ms() >= kill_at)
			kill(-sh, SIGKILL);
	}
}

/* Kill and reap every child until none is left: killing one hands its own children to us. */
static void reaper_sweep(const struct chain_ctx *c)
{
	int idle = 0;
	for (;;) {
		int n = reaper_signal_children(SIGKILL);
		if (n < 0) {
			log_warn(hook_step_name(c), "cannot list what the command left behind (no /proc): not killed");
			return;
		}
		pid_t r = waitpid(-1, NULL, n > 0 ? 0 : WNOHANG);
		if (r < 0 && errno != EINTR)
			return; /* ECHILD: nothing left */
		if (r == 0) {
			/* A child the listing missed; give up after a second rather than hang the keeper. */
			if (++idle == 100) {
				log_warn(hook_step_name(c), "a process the command left behind could not be killed");
				return;
			}
			nanosleep(&(struct timespec){0, 10 * 1000000}, NULL);
		}
	}
}

/* Leave as the shell did, so that the parent tells the same story (exit code or signal). */
static void __attribute__((noreturn)) exit_as(int st)
{
	if (st >= 0 && WIFSIGNALED(st)) {
		int sig = WTERMSIG(st);
		struct rlimit none = {0, 0};
		sigset_t one;
		setrlimit(RLIMIT_CORE, &none); /* the shell's core, if any, is the one that counts */
		signal(sig, SIG_DFL);
		sigemptyset(&one);
		sigaddset(&one, sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		kill(getpid(), sig);
	}
	_exit(st >= 0 && WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_OSERR);
}

/* The reaper: its own process group (the parent's timeout signals reach it alone), the shell in another. It
 * starts with every signal blocked (spawn forks with a full mask). */
static void __attribute__((noreturn)) reaper_run(const struct chain_ctx *c, const char *cmd, struct child_io io)
{
	errno = 0;
	if (setpgid(0, 0) < 0)
		child_fail(io.errfd, "setpgid");
	if (reaper_become() < 0)
		child_fail(io.errfd, "become a child subreaper");
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL); /* SIGCHLD must not be SIG_IGN: that would reap for us */
	pid_t sh = proc_fork();
	if (sh < 0)
		child_fail(io.errfd, "fork");
	if (sh == 0)
		child_run(c, cmd, io);
	setpgid(sh, sh);
	closefrom(STDERR_FILENO + 1); /* the report pipe and the tee: the shell holds its own copies */
	int st = reaper_wait(sh);
	reaper_sweep(c);
	exit_as(st);
}

/* ---- the parent ---- */

struct waiter {
	pid_t pid;
	int tee; /* read end of the output pipe when teeing, -1 otherwise */
	int log; /* consolelog fd, -1 when none */
	long long deadline, kill_at;
	bool timed_out;
	int stopped; /* the signal of a stop request passed on to the command, 0 none */
	bool reaper; /* w->pid is a hook reaper, which does its own killing after a SIGTERM */
};

static int stop_grace_ms(const struct chain_ctx *c)
{
	double t = jail_duration(c->j, "stop.timeout");
	return t < 0 ? 10000 : (int)(t * 1000);
}

/* A stop was asked for while the command runs: its process group gets the signal now, SIGKILL after
 * stop.timeout (a reaper passes both on to the shell's group; it hears the grace through sigqueue). */
static void stop_child(const struct chain_ctx *c, struct waiter *w, int sig)
{
	int grace = stop_grace_ms(c);
	long long at = hook_now_ms() + grace + (w->reaper ? KILL_GRACE_MS : 0);
	w->stopped = sig;
	if (w->reaper)
		sigqueue(w->pid, sig, (union sigval){.sival_int = grace});
	else
		kill(-w->pid, sig);
	if (!w->kill_at || at < w->kill_at)
		w->kill_at = at;
}

static void tee_drain(struct waiter *w)
{
	char buf[4096];
	for (;;) {
		ssize_t r = read(w->tee, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0) {
				close(w->tee);
				w->tee = -1;
			}
			return;
		}
		/* Best effort on our own stdout; the log is what the user asked for, so that one is checked. */
		ssize_t o = write(STDOUT_FILENO, buf, (size_t)r);
		(void)o;
		if (write(w->log, buf, (size_t)r) != r)
			log_errno(NULL, "exec.consolelog");
	}
}

/* Wait for the child, feeding the tee and enforcing the timeout and stop requests. Returns the wait
 * status or -1. */
static int wait_child(const struct chain_ctx *c, struct waiter *w)
{
	int tick = 1;
	for (;;) {
		int st;
		pid_t r = waitpid(w->pid, &st, WNOHANG);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r == w->pid)
			return st;
		int sig;
		if (!w->stopped && c->interrupted && (sig = c->interrupted(c->interrupted_arg)) > 0)
			stop_child(c, w, sig);
		long long now = hook_now_ms();
		if (w->deadline && now >= w->deadline && !w->timed_out && !w->stopped) {
			w->timed_out = true;
			kill(-w->pid, SIGTERM);
			/* A reaper kills after the grace itself; SIGKILL to it only if it is stuck. */
			w->kill_at = now + KILL_GRACE_MS * (w->reaper ? 2 : 1);
		}
		if ((w->timed_out || w->stopped) && now >= w->kill_at)
			kill(-w->pid, SIGKILL);
		struct pollfd p = {.fd = w->tee, .events = POLLIN};
		if (poll(&p, w->tee >= 0, tick) > 0)
			tee_drain(w);
		if (tick < 20)
			tick *= 2;
	}
}

static void describe_failure(const struct chain_ctx *c, const char *cmd, int st, const struct waiter *w, double timeout)
{
	const char *step = hook_step_name(c);
	if (w->stopped)
		log_err(step, "%s: stopped by SIG%s (%s)", cmd, conf_signal_name(w->stopped),
			WIFSIGNALED(st) ? "killed" : "exited");
	else if (w->timed_out)
		log_err(step, "%s: timed out after %gs (exec.timeout), process group killed", cmd, timeout);
	else if (WIFSIGNALED(st))
		log_err(step, "%s: killed by signal %d (%s)", cmd, WTERMSIG(st), conf_signal_name(WTERMSIG(st)));
	else
		log_err(step, "%s: exit status %d", cmd, WEXITSTATUS(st));
}

static int open_consolelog(const struct chain_ctx *c)
{
	if (!jail_is_set(c->j, "exec.consolelog"))
		return -1;
	const char *path = jail_get(c->j, "exec.consolelog");
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		log_errno(hook_step_name(c), "exec.consolelog %s", path);
	return fd < 0 ? -2 : fd;
}

/* Start the child; fills W and returns the read end of the setup-report pipe, or -1. */
static int spawn(const struct chain_ctx *c, const char *cmd, struct waiter *w)
{
	int rep[2], out[2] = {-1, -1};
	if (pipe2(rep, O_CLOEXEC) < 0) {
		log_errno(hook_step_name(c), "pipe");
		return -1;
	}
	if (w->log >= 0 && log_level >= LOG_VERBOSE && pipe2(out, O_CLOEXEC) < 0) {
		log_errno(hook_step_name(c), "pipe");
		close(rep[0]), close(rep[1]);
		return -1;
	}
	/* Set before the fork so that a failure leaves no child behind: the tee must never block the wait. Only
	 * our end: the child's stdout stays blocking, and its copy of this end closes at exec. */
	if (out[0] >= 0 && fcntl(out[0], F_SETFL, O_NONBLOCK) < 0) {
		log_errno(hook_step_name(c), "fcntl O_NONBLOCK");
		close(rep[0]), close(rep[1]);
		close(out[0]), close(out[1]);
		return -1;
	}
	struct child_io io = {.out = out[1] >= 0 ? out[1] : w->log, .errfd = rep[1]};
	sigset_t all, old;
	sigfillset(&all);
	fflush(NULL);
	sigprocmask(SIG_SETMASK, &all, &old); /* no handler of ours may run in the child */
	w->pid = proc_fork();
	if (w->pid == 0 && w->reaper)
		reaper_run(c, cmd, io);
	if (w->pid == 0)
		child_run(c, cmd, io);
	int fork_err = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (w->pid < 0) {
		errno = fork_err;
		log_errno(hook_step_name(c), "fork");
		close(rep[0]), close(rep[1]);
		if (out[0] >= 0)
			close(out[0]), close(out[1]);
		return -1;
	}
	setpgid(w->pid, w->pid); /* also in the parent, so that a timeout never misses the group */
	close(rep[1]);
	if (out[0] >= 0) {
		close(out[1]);
		w->tee = out[0];
	}
	return rep[0];
}

int shell_run(const struct chain_ctx *c, const char *cmd)
{
	const char *step = hook_step_name(c);
	double timeout = jail_is_set(c->j, "exec.timeout") ? jail_duration(c->j, "exec.timeout") : 0;
	struct waiter w = {.pid = -1, .tee = -1, .log = open_consolelog(c), .reaper = !c->inside};
	if (w.log == -2)
		return -1;
	long long start = hook_now_ms();
	if (timeout > 0)
		w.deadline = start + (long long)(timeout * 1000);
	int rep = spawn(c, cmd, &w);
	if (rep < 0) {
		if (w.log >= 0)
			close(w.log);
		return -1;
	}
	int st = wait_child(c, &w);
	if (w.timed_out || w.stopped)
		kill(-w.pid, SIGKILL); /* whatever of the group outlived the shell */
	if (w.tee >= 0) {
		tee_drain(&w);
		close(w.tee);
	}
	char report[300];
	ssize_t n = read(rep, report, sizeof report - 1);
	close(rep);
	if (w.log >= 0 && close(w.log) < 0)
		log_errno(step, "exec.consolelog");
	if (st < 0) {
		log_errno(step, "%s: waitpid", cmd);
		return -1;
	}
	if (n > 0) {
		report[n] = '\0';
		log_err(step, "%s: cannot start: %s", cmd, report);
		return -1;
	}
	if (!w.timed_out && !w.stopped && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		log_info(step, "%s ok %lldms", cmd, hook_now_ms() - start);
		return 0;
	}
	describe_failure(c, cmd, st, &w, timeout);
	return -1;
}
