/* supervise: the PID-1 loop. Spawn the main command, forward signals to it, reap every child (orphans
 * too), and when the command exits stop what is left (TERM, then KILL after the stop timeout) and report
 * the command's status. Used by entrypoint mode and by a jail's init. */
#include "supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <ev.h>

#include "cmd.h"
#include "log.h"
#include "reaper.h"

/* Hardware faults are real crashes when the kernel sends them; only a kill(2) of one is forwarded. */
static const int fault_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};

struct sup {
	struct ev_loop *loop;
	struct sup_opts *o;
	ev_signal sig[NSIG];
	ev_child child;
	ev_timer kill_timer;
	ev_timer restart_timer;
	double started;       /* ev_now() when the command last started */
	double *burst;        /* start times of recent restarts, a ring of burst_n */
	int burst_i;
	int restarts;
	int last_exit;
	double delay;         /* next restart delay */
	bool gave_up;
	pid_t pid;            /* main command, 0 before spawn and after it exited */
	pid_t pgrp;           /* its process group */
	int wstatus;          /* its wait status */
	bool exited;          /* the main command has exited */
	bool stopping;        /* TERM (or the stop signal) was sent to everything */
	bool killed;          /* KILL was sent */
	bool done;            /* command gone and no child left */
	bool tty;             /* the command owns our controlling terminal */
	sigset_t mask0;       /* signal mask we were started with, restored in the child */
	bool ignored0[NSIG];  /* signals ignored when we were started, ignored again in the child */
};

/* The fault-signal handler runs outside libev, so it reads the target from here. */
static volatile sig_atomic_t fault_target;
static volatile sig_atomic_t fault_pgroup;

static bool is_fault(int sig)
{
	for (size_t i = 0; i < sizeof fault_signals / sizeof fault_signals[0]; i++)
		if (fault_signals[i] == sig)
			return true;
	return false;
}

static bool forwardable(int sig)
{
	return sig != SIGCHLD && sig != SIGKILL && sig != SIGSTOP && !is_fault(sig)
#ifdef SIGRTMIN
	       /* glibc reserves the first real-time signals for its threads. */
	       && (sig < SIGRTMIN - 2 || sig >= SIGRTMIN)
#endif
		;
}

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (si->si_code == SI_USER || si->si_code == SI_QUEUE
#ifdef SI_TKILL
	    || si->si_code == SI_TKILL
#endif
	) {
		pid_t t = (pid_t)fault_target;
		if (t > 0)
			kill(fault_pgroup ? -t : t, sig);
		return;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

int sup_exit_code(const struct sup_opts *o, int wstatus)
{
	int code;
	if (WIFEXITED(wstatus))
		code = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		code = 128 + WTERMSIG(wstatus);
	else
		code = EXIT_SOFTWARE;
	if (code < 256 && o->exit_zero[code])
		code = 0;
	return code;
}

/* Everything left: the whole pid namespace when we are its PID 1, else the command's process group and
 * our remaining children (orphans reparented to us as subreaper). */
static void signal_rest(struct sup *s, int sig)
{
	if (s->o->pid_namespace) {
		if (kill(-1, sig) < 0 && errno != ESRCH)
			log_errno("stop", "kill -%d all", sig);
		return;
	}
	if (s->pgrp > 0 && kill(-s->pgrp, sig) < 0 && errno != ESRCH)
		log_errno("stop", "kill -%d group %d", sig, (int)s->pgrp);
	reaper_signal_children(sig);
}

static void check_done(struct sup *s)
{
	if (!s->exited || s->done)
		return;
	if (reaper_has_children())
		return;
	s->done = true;
	ev_timer_stop(s->loop, &s->kill_timer);
	ev_break(s->loop, EVBREAK_ONE);
}

static void kill_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct sup *s = (struct sup *)((char *)w - offsetof(struct sup, kill_timer));
	if (s->killed)
		return;
	s->killed = true;
	log_debug("stop", "stop timeout (%.1fs) passed: SIGKILL", s->o->stop_timeout);
	if (s->pid > 0)
		kill(s->pid, SIGKILL);
	signal_rest(s, SIGKILL);
}

void sup_stop(struct sup *s, int sig)
{
	/* Called again when the command exits during a stop: the last child may be gone already. */
	if (s->stopping) {
		check_done(s);
		return;
	}
	s->stopping = true;
	if (ev_is_active(&s->restart_timer)) {
		ev_timer_stop(s->loop, &s->restart_timer);
		s->exited = true;
	}
	if (s->o->stop_timeout <= 0 || sig == SIGKILL) {
		s->killed = true;
		if (s->pid > 0)
			kill(s->pid, SIGKILL);
		signal_rest(s, SIGKILL);
	} else {
		if (s->pid > 0)
			kill(s->pid, sig);
		signal_rest(s, sig);
		ev_timer_set(&s->kill_timer, s->o->stop_timeout, 0.);
		ev_timer_start(s->loop, &s->kill_timer);
	}
	check_done(s);
}

/* Ctrl-Z reached the command: give the terminal back and stop ourselves, so the shell sees the job stop;
 * when it continues us, hand the terminal over again and wake the command. */
static void child_stopped(struct sup *s)
{
	if (!s->tty || getpid() == 1)
		return;
	signal(SIGTTOU, SIG_IGN);
	if (tcsetpgrp(STDIN_FILENO, getpgrp()) < 0)
		log_debug("job", "tcsetpgrp: %s", strerror(errno));
	raise(SIGSTOP);
	if (tcsetpgrp(STDIN_FILENO, s->pgrp) < 0)
		log_debug("job", "tcsetpgrp: %s", strerror(errno));
	signal(SIGTTOU, SIG_DFL);
	kill(-s->pgrp, SIGCONT);
}

static bool restart_wanted(struct sup *s)
{
	if (s->stopping || s->o->restart == RESTART_NO)
		return false;
	if (s->o->restart == RESTART_ON_FAILURE && s->last_exit == 0)
		return false;
	if (s->o->burst_n > 0 && s->burst) {
		/* The ring holds the last burst_n restart times: a full window that fits in burst_secs is a
		 * crash loop. */
		double oldest = s->burst[s->burst_i];
		if (s->restarts >= s->o->burst_n && ev_now(s->loop) - oldest < s->o->burst_secs) {
			log_err("command", "restarted %d times within %gs: giving up, stopping the jail",
				s->o->burst_n, s->o->burst_secs);
			s->gave_up = true;
			return false;
		}
	}
	return true;
}

static void restart_schedule(struct sup *s)
{
	double now = ev_now(s->loop);
	/* A command that ran for longer than the longest delay was healthy: start the backoff over. */
	if (s->delay <= 0 || now - s->started > s->o->restart_max_delay)
		s->delay = s->o->restart_delay;
	log_info("command", "exited with status %d; restarting in %.2gs", s->last_exit, s->delay);
	ev_timer_set(&s->restart_timer, s->delay, 0.);
	ev_timer_start(s->loop, &s->restart_timer);
	s->delay *= 2;
	if (s->delay > s->o->restart_max_delay)
		s->delay = s->o->restart_max_delay;
}

static void restart_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct sup *s = (struct sup *)((char *)w - offsetof(struct sup, restart_timer));
	if (s->burst) {
		s->burst[s->burst_i] = ev_now(s->loop);
		s->burst_i = (s->burst_i + 1) % s->o->burst_n;
	}
	s->restarts++;
	sup_spawn(s);
}

static void child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	(void)loop, (void)revents;
	struct sup *s = (struct sup *)((char *)w - offsetof(struct sup, child));
	if (w->rpid != s->pid || s->pid == 0) {
		check_done(s);
		return;
	}
	if (WIFSTOPPED(w->rstatus)) {
		child_stopped(s);
		return;
	}
	if (WIFCONTINUED(w->rstatus))
		return;
	s->wstatus = w->rstatus;
	s->pid = 0;
	fault_target = 0;
	s->last_exit = sup_exit_code(s->o, s->wstatus);
	if (restart_wanted(s)) {
		restart_schedule(s);
		return;
	}
	s->exited = true;
	if (WIFSIGNALED(w->rstatus))
		log_debug("command", "exited on signal %d", WTERMSIG(w->rstatus));
	else
		log_debug("command", "exited with status %d", WEXITSTATUS(w->rstatus));
	if (s->tty) {
		signal(SIGTTOU, SIG_IGN);
		tcsetpgrp(STDIN_FILENO, getpgrp());
		signal(SIGTTOU, SIG_DFL);
	}
	if (s->o->on_exit)
		s->o->on_exit(sup_exit_code(s->o, s->wstatus), s->o->on_exit_arg);
	sup_stop(s, SIGTERM);
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop, (void)revents;
	struct sup *s = w->data;
	int sig = w->signum, to = s->o->rewrite[sig];
	if (to < 0 || s->pid == 0)
		return;
	if (to > 0)
		sig = to;
	log_debug("signal", "forwarding %d", sig);
	pid_t target = s->o->kill_pgroup ? -s->pgrp : s->pid;
	if (kill(target, sig) < 0 && errno != ESRCH)
		log_errno("signal", "kill %d", (int)target);
	/* dumb-init's contract: a stop request to us is passed on, then we stop too, like a shell job. */
	if ((w->signum == SIGTSTP || w->signum == SIGTTIN || w->signum == SIGTTOU) && getpid() != 1)
		raise(SIGSTOP);
}

struct sup *sup_new(struct ev_loop *loop, struct sup_opts *o)
{
	struct sup *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->loop = loop;
	s->o = o;
	sigprocmask(SIG_SETMASK, NULL, &s->mask0);
	for (int sig = 1; sig < NSIG; sig++) {
		struct sigaction sa;
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			s->ignored0[sig] = true;
		if (!forwardable(sig))
			continue;
		ev_signal_init(&s->sig[sig], signal_cb, sig);
		s->sig[sig].data = s;
		ev_signal_start(loop, &s->sig[sig]);
	}
	struct sigaction fa = {.sa_sigaction = fault_handler, .sa_flags = SA_SIGINFO | SA_RESTART};
	sigemptyset(&fa.sa_mask);
	for (size_t i = 0; i < sizeof fault_signals / sizeof fault_signals[0]; i++)
		sigaction(fault_signals[i], &fa, NULL);
	ev_child_init(&s->child, child_cb, 0, 1);
	ev_child_start(loop, &s->child);
	ev_init(&s->kill_timer, kill_cb);
	ev_init(&s->restart_timer, restart_cb);
	s->last_exit = -1;
	if (o->restart != RESTART_NO && o->burst_n > 0) {
		s->burst = calloc((size_t)o->burst_n, sizeof *s->burst);
		if (!s->burst) {
			free(s);
			return NULL;
		}
	}
	return s;
}

/* In the child: back to the signal state warder was started with, its own process group, the terminal's
 * foreground when warder had it. Only async-signal-safe calls until exec. */
static void child_prepare(struct sup *s, bool take_tty)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		sa.sa_handler = s->ignored0[sig] ? SIG_IGN : SIG_DFL;
		sigaction(sig, &sa, NULL);
	}
	setpgid(0, 0);
	if (take_tty) {
		sa.sa_handler = SIG_IGN;
		sigaction(SIGTTOU, &sa, NULL);
		tcsetpgrp(STDIN_FILENO, getpid());
		sa.sa_handler = s->ignored0[SIGTTOU] ? SIG_IGN : SIG_DFL;
		sigaction(SIGTTOU, &sa, NULL);
	}
	sigprocmask(SIG_SETMASK, &s->mask0, NULL);
}

/* Socket activation: LISTEN_PID names the process meant to use the fds; that is now the command. */
static void child_listen_pid(pid_t parent)
{
	const char *lp = getenv("LISTEN_PID");
	if (!lp || strtol(lp, NULL, 10) != (long)parent)
		return;
	char buf[24];
	snprintf(buf, sizeof buf, "%ld", (long)getpid());
	setenv("LISTEN_PID", buf, 1);
}

struct exec_report {
	int err;   /* errno of the failure */
	int code;  /* exit status to use */
};

static int exec_failure_code(int err)
{
	return err == ENOENT || err == ENOTDIR ? EXIT_NOTFOUND : EXIT_NOEXEC;
}

/* The command could not be forked: it "exits" 71 from the loop, as one that cannot exec does through
 * child_cb, so that the stop sequence runs and the jail (or warder) ends. */
static void fork_failed_cb(int revents, void *arg)
{
	struct sup *s = arg;
	(void)revents;
	s->exited = true;
	if (s->o->on_exit)
		s->o->on_exit(sup_exit_code(s->o, s->wstatus), s->o->on_exit_arg);
	sup_stop(s, SIGTERM);
}

int sup_spawn(struct sup *s)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		log_errno("command", "pipe");
		s->wstatus = EXIT_OSERR << 8;
		return -1;
	}
	/* A terminal is taken over only when we are its foreground job now. */
	bool take_tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		child_prepare(s, take_tty);
		struct exec_report r = {0, 0};
		if (s->o->child_setup) {
			int rc = s->o->child_setup(s->o->child_arg);
			if (rc) {
				r.err = 0;
				r.code = rc;
				goto fail;
			}
		}
		child_listen_pid(parent);
		execvp(s->o->argv[0], s->o->argv);
		r.err = errno;
		r.code = exec_failure_code(errno);
	fail:
		if (write(p[1], &r, sizeof r) < 0)
			_exit(r.code);
		_exit(r.code);
	}
	int fork_err = errno;
	if (pid > 0) {
		/* Both sides set the group, so whoever runs first wins the race cleanly. */
		setpgid(pid, pid);
		s->pid = pid;
		s->pgrp = pid;
		s->tty = take_tty;
		fault_target = pid;
		fault_pgroup = s->o->kill_pgroup;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		errno = fork_err;
		log_errno("command", "fork");
		s->wstatus = EXIT_OSERR << 8;
		ev_once(s->loop, -1, 0, 0., fork_failed_cb, s);
		return -1;
	}
	struct exec_report r;
	ssize_t n;
	do
		n = read(p[0], &r, sizeof r);
	while (n < 0 && errno == EINTR);
	close(p[0]);
	if (n == (ssize_t)sizeof r) {
		/* The child is exiting with r.code; its wait status arrives through the loop. */
		if (r.err) {
			errno = r.err;
			log_errno("command", "cannot execute %s", s->o->argv[0]);
		}
		return -1;
	}
	s->started = ev_now(s->loop);
	log_debug("command", "started %s as pid %d", s->o->argv[0], (int)pid);
	return 0;
}

bool sup_done(const struct sup *s)
{
	return s->done;
}

int sup_status(const struct sup *s)
{
	return sup_exit_code(s->o, s->wstatus);
}

pid_t sup_child(const struct sup *s)
{
	return s->pid;
}

int sup_restarts(const struct sup *s)
{
	return s->restarts;
}

int sup_last_exit(const struct sup *s)
{
	return s->last_exit;
}

bool sup_gave_up(const struct sup *s)
{
	return s->gave_up;
}

void sup_free(struct sup *s)
{
	if (!s)
		return;
	for (int sig = 1; sig < NSIG; sig++)
		if (ev_is_active(&s->sig[sig]))
			ev_signal_stop(s->loop, &s->sig[sig]);
	ev_child_stop(s->loop, &s->child);
	ev_timer_stop(s->loop, &s->kill_timer);
	ev_timer_stop(s->loop, &s->restart_timer);
	free(s->burst);
	for (size_t i = 0; i < sizeof fault_signals / sizeof fault_signals[0]; i++)
		signal(fault_signals[i], SIG_DFL);
	free(s);
}

int sup_run(struct ev_loop *loop, struct sup_opts *o)
{
	struct sup *s = sup_new(loop, o);
	if (!s) {
		log_errno("supervise", "out of memory");
		return EXIT_OSERR;
	}
	sup_spawn(s);
	/* Even a command that failed to exec is reaped through the loop, like any other exit. */
	while (!s->done)
		ev_run(loop, EVRUN_ONCE);
	int code = sup_status(s);
	sup_free(s);
	return code;
}
