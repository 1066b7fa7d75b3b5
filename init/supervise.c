/* supervise: the PID-1 loop. Spawn the main command, forward signals to it, reap every child (orphans
 * too), and when the command exits stop what is left (TERM, then KILL after the stop timeout) and report
 * the command's status. Used by entrypoint mode and by a jail's init. Starting the command is sup_spawn.c,
 * its restart policy sup_restart.c: the top of the three, this file calls them and they call nothing here.
 *
 * Signals: every forwardable signal and SIGCHLD stay blocked while a sup exists and are read from one fd
 * (sigsrc), so no handler is installed and the command inherits warder's dispositions untouched. Other
 * ev_signal watchers on the same loop (the jail init's TERM/HUP) still fire: each signal read is fed to
 * them. The one exception, entrypoint as PID 1 during an orphan storm, long after the command's exec, is
 * the reaping mode before run_direct. */
#include "supervise.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "container_of.h"
#include "exits.h"
#include "log.h"
#include "reaper.h"
#include "sigsrc.h"
#include "sup_priv.h"

static bool forwardable(int sig)
{
	return sig != SIGCHLD && sig != SIGKILL &&
	       sig != SIGSTOP
#ifdef SIGRTMIN
	       /* glibc reserves the first real-time signals for its threads. */
	       && (sig < SIGRTMIN - 2 || sig >= SIGRTMIN)
#endif
		;
}

/* Status as an exit code: the code, 128+N for signal N (exit_zero mapping applied). */
static int sup_exit_code(const struct sup_opts *o, int wstatus)
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

static void signal_rest(struct sup *s, int sig)
{
	reaper_signal_all(sig, s->o->pid_namespace, s->pgrp);
}

static void command_changed(struct sup *s, int wstatus);

/* Reaps every child that has exited; true when none is left at all. */
static bool reap_all(struct sup *s)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG | WUNTRACED | WCONTINUED);
		if (pid > 0) {
			if (pid == s->pid) {
				command_changed(s, st);
				if (s->done) /* it found the end itself */
					return true;
			}
			continue;
		}
		if (pid == 0)
			return false;
		if (errno != EINTR)
			return errno == ECHILD;
	}
}

static void finish(struct sup *s)
{
	s->done = true;
	ev_timer_stop(s->loop, &s->kill_timer);
	ev_break(s->loop, EVBREAK_ONE);
}

static void check_done(struct sup *s)
{
	if (s->exited && !s->done && reap_all(s) && !s->done)
		finish(s);
}

static void kill_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct sup *s = container_of(w, struct sup, kill_timer);
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
	/* The command is gone and so is every child: as subreaper (or PID 1) we would have inherited any
	 * descendant left, so there is nothing to signal. */
	if (s->exited && !s->done && reap_all(s)) {
		if (!s->done)
			finish(s);
		return;
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
		ev_now_update(s->loop); /* sup_run may not have run the loop for a long time */
		ev_timer_set(&s->kill_timer, s->o->stop_timeout, 0.);
		ev_timer_start(s->loop, &s->kill_timer);
	}
	check_done(s);
}

/* Ctrl-Z reached the command: give the terminal back and stop ourselves, so the shell sees the job stop;
 * when it continues us, hand the terminal over again and wake the command. SIGTTOU is blocked, so
 * tcsetpgrp from the background needs no ignoring of it. */
static void child_stopped(struct sup *s)
{
	if (!s->tty || getpid() == 1)
		return;
	if (tcsetpgrp(STDIN_FILENO, getpgrp()) < 0)
		log_debug("job", "tcsetpgrp: %s", strerror(errno));
	raise(SIGSTOP);
	if (tcsetpgrp(STDIN_FILENO, s->pgrp) < 0)
		log_debug("job", "tcsetpgrp: %s", strerror(errno));
	kill(-s->pgrp, SIGCONT);
}


/* The main command stopped, continued or exited (wstatus from waitpid). */
static void command_changed(struct sup *s, int wstatus)
{
	if (WIFSTOPPED(wstatus)) {
		child_stopped(s);
		return;
	}
	if (WIFCONTINUED(wstatus))
		return;
	s->wstatus = wstatus;
	s->pid = 0;
	s->last_exit = sup_exit_code(s->o, s->wstatus);
	if (sup_restart_wanted(s)) {
		sup_restart_schedule(s);
		return;
	}
	s->exited = true;
	if (WIFSIGNALED(wstatus))
		log_debug("command", "exited on signal %d", WTERMSIG(wstatus));
	else
		log_debug("command", "exited with status %d", WEXITSTATUS(wstatus));
	if (s->tty)
		tcsetpgrp(STDIN_FILENO, getpgrp());
	if (s->o->on_exit)
		s->o->on_exit(sup_exit_code(s->o, s->wstatus), s->o->on_exit_arg);
	sup_stop(s, SIGTERM);
}

static void forward(struct sup *s, int sig)
{
	int to = s->o->rewrite[sig];
	if (to < 0 || s->pid == 0)
		return;
	int fwd = to > 0 ? to : sig;
	log_debug("signal", "forwarding %d", fwd);
	pid_t target = s->o->kill_pgroup ? -s->pgrp : s->pid;
	if (kill(target, fwd) < 0 && errno != ESRCH)
		log_errno("signal", "kill %d", (int)target);
	/* A container engine's stop: its KILL follows after its own timeout; warder ends first, with KILL for
	 * a command that ignores TERM after -t, and the command's status (137) as its own. */
	if (sig == SIGTERM && s->o->term_is_stop && s->o->stop_timeout > 0 && !s->killed &&
	    !ev_is_active(&s->kill_timer)) {
		log_debug("stop", "TERM passed on: SIGKILL in %.1fs", s->o->stop_timeout);
		ev_now_update(s->loop);
		ev_timer_set(&s->kill_timer, s->o->stop_timeout, 0.);
		ev_timer_start(s->loop, &s->kill_timer);
	}
	/* dumb-init's contract: a stop request to us is passed on, then we stop too, like a shell job. */
	if ((sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) && getpid() != 1)
		raise(SIGSTOP);
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
	switch (sup_spawn_command(s)) {
	case SPAWN_OK:
		return 0;
	case SPAWN_NOFORK:
		s->wstatus = EXIT_OSERR << 8;
		ev_once(s->loop, -1, 0, 0., fork_failed_cb, s);
		return -1;
	case SPAWN_REPORTED:
		break;
	}
	return -1;
}

static void restart_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct sup *s = container_of(w, struct sup, restart_timer);
	sup_restart_count(s);
	sup_spawn(s);
}

/* libev reaped a child on the default loop: it may be the command. */
static void child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	(void)loop, (void)revents;
	struct sup *s = container_of(w, struct sup, child);
	if (w->rpid == s->pid && s->pid > 0)
		command_changed(s, w->rstatus);
	check_done(s);
}

static void children_changed(struct sup *s)
{
	if (reap_all(s) && s->exited && !s->done)
		finish(s);
}

static void sig_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct sup *s = container_of(w, struct sup, sigio);
	struct sigsrc_info si[16];
	int n = sigsrc_read(w->fd, &s->sigs, si, 16);
	bool chld = false;
	for (int i = 0; i < n; i++) {
		if (si[i].sig == SIGCHLD) {
			chld = true;
			continue;
		}
		forward(s, si[i].sig);
		ev_feed_signal_event(loop, si[i].sig);
	}
	if (chld)
		children_changed(s);
}

struct sup *sup_new(struct ev_loop *loop, struct sup_opts *o)
{
	struct sup *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->loop = loop;
	s->o = o;
	sigemptyset(&s->sigs);
	for (int sig = 1; sig < NSIG; sig++)
		if (forwardable(sig) || sig == SIGCHLD)
			sigaddset(&s->sigs, sig);
	sigprocmask(SIG_BLOCK, &s->sigs, &s->mask0);
	int fd = sigsrc_open(&s->sigs);
	if (fd < 0) {
		log_errno("supervise", "cannot read signals");
		sigprocmask(SIG_SETMASK, &s->mask0, NULL);
		free(s);
		return NULL;
	}
	ev_io_init(&s->sigio, sig_cb, fd, EV_READ);
	ev_io_start(loop, &s->sigio);
	/* The default loop reaps on SIGCHLD by itself when it sees one (a SIGCHLD pending in the keeper's
	 * loop before the init was cloned, or any after sup_free): what it reaps comes here. */
	ev_child_init(&s->child, child_cb, 0, 1);
	if (ev_is_default_loop(loop))
		ev_child_start(loop, &s->child);
	ev_init(&s->kill_timer, kill_cb);
	ev_init(&s->restart_timer, restart_cb);
	s->last_exit = -1;
	if (o->restart != RESTART_NO && o->burst_n > 0) {
		s->burst = calloc((size_t)o->burst_n, sizeof *s->burst);
		if (!s->burst) {
			sup_free(s);
			return NULL;
		}
	}
	return s;
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

void sup_free(struct sup *s)
{
	if (!s)
		return;
	ev_io_stop(s->loop, &s->sigio);
	close(s->sigio.fd);
	if (ev_is_active(&s->child))
		ev_child_stop(s->loop, &s->child);
	ev_timer_stop(s->loop, &s->kill_timer);
	ev_timer_stop(s->loop, &s->restart_timer);
	sigprocmask(SIG_SETMASK, &s->mask0, NULL);
	free(s->burst);
	free(s);
}

/* Reaping mode. Waiting for SIGCHLD and then draining with waitpid costs two system calls per wake-up beyond
 * the reaping itself (the wait for the signal, the waitpid that finds no more); a bare init sleeps in wait()
 * and pays one per child. After a run of SIGCHLD wake-ups (an orphan storm), a PID 1 without a terminal
 * sleeps in waitid() the same way: the forwardable signals are unblocked into a handler that counts them and,
 * while we sleep there, jumps out (sigsetjmp without the mask: no system call per wait). waitid writes its
 * siginfo before it returns, so a child it reaped just before the jump is not lost. SIGCHLD stays blocked
 * and pending: leaving the mode drains what is left. The command was exec'd with the old dispositions before
 * any handler exists, and they are put back when the mode ends. */
#define FAST_AFTER 64 /* SIGCHLD wake-ups before the mode is worth its set-up */
#ifdef __linux__      /* only there is the entrypoint the PID 1 of a pid namespace */
#include <setjmp.h>

static sigjmp_buf fast_jb;
static volatile sig_atomic_t fast_sleeping;     /* in waitid: the handler jumps out */
static volatile sig_atomic_t fast_raised[NSIG]; /* written by the handler only */
static sig_atomic_t fast_handled[NSIG];         /* written by the loop only */
static volatile sig_atomic_t fast_any;
static siginfo_t fast_si;
static struct sigaction fast_old[NSIG];
static sigset_t fast_mask; /* the mask in the mode: SIGCHLD and nothing else of ours blocked */
static bool fast;

static void fast_handler(int sig)
{
	fast_raised[sig]++;
	fast_any = 1;
	if (fast_sleeping) {
		fast_sleeping = 0;
		siglongjmp(fast_jb, 1);
	}
}

static bool fast_ok(const struct sup *s)
{
	return s->o->pid_namespace && s->o->restart == RESTART_NO && !s->tty && !s->exited && !s->stopping &&
	       !s->done && !ev_is_active(&s->kill_timer);
}

/* Forward what the handler counted, in signal order (as sigtimedwait hands them out). */
static void fast_forward(struct sup *s)
{
	while (fast_any) {
		fast_any = 0;
		for (int sig = 1; sig < NSIG; sig++)
			while (fast_handled[sig] != fast_raised[sig]) {
				fast_handled[sig]++;
				forward(s, sig);
			}
	}
}

static void fast_enter(struct sup *s)
{
	struct sigaction sa = {.sa_handler = fast_handler, .sa_flags = SA_RESTART};
	sa.sa_mask = s->sigs;
	sigset_t unblock = s->sigs;
	sigdelset(&unblock, SIGCHLD);
	for (int sig = 1; sig < NSIG; sig++) {
		fast_raised[sig] = fast_handled[sig] = 0;
		if (sigismember(&unblock, sig) == 1 && sigaction(sig, &sa, &fast_old[sig]) < 0)
			sigdelset(&unblock, sig); /* stays blocked: read when the mode ends */
	}
	fast_any = 0;
	fast = true;
	sigprocmask(SIG_UNBLOCK, &unblock, NULL); /* what was pending comes in now, counted */
	sigprocmask(SIG_SETMASK, NULL, &fast_mask);
}

static void fast_leave(struct sup *s)
{
	sigprocmask(SIG_BLOCK, &s->sigs, NULL);
	fast = false;
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&s->sigs, sig) == 1 && sig != SIGCHLD && !sigismember(&fast_mask, sig))
			sigaction(sig, &fast_old[sig], NULL);
	fast_forward(s);
}

/* One wait in the mode; false when the mode must end. */
static bool fast_wait(struct sup *s)
{
	fast_forward(s);
	if (!fast_ok(s))
		return false;
	fast_si.si_pid = 0;
	if (sigsetjmp(fast_jb, 0) == 0) {
		fast_sleeping = 1;
		int r = fast_any ? 0 : waitid(P_ALL, 0, &fast_si, WEXITED | WSTOPPED | WCONTINUED);
		fast_sleeping = 0;
		if (r < 0 && errno != EINTR)
			return false; /* ECHILD: the drain after the mode finds the end */
	} else {
		sigprocmask(SIG_SETMASK, &fast_mask, NULL); /* the jump left the handler's mask */
	}
	if (fast_si.si_pid > 0 && fast_si.si_pid == s->pid) {
		int st;
		switch (fast_si.si_code) {
		case CLD_EXITED:
			st = W_EXITCODE(fast_si.si_status, 0);
			break;
		case CLD_KILLED:
			st = W_EXITCODE(0, fast_si.si_status);
			break;
		case CLD_DUMPED:
			st = W_EXITCODE(0, fast_si.si_status) | WCOREFLAG;
			break;
		case CLD_STOPPED:
			st = W_STOPCODE(fast_si.si_status);
			break;
		default:
			return true; /* continued: nothing to do */
		}
		command_changed(s, st);
	}
	return true;
}

#else
static const bool fast = false;
static bool fast_ok(const struct sup *s)
{
	(void)s;
	return false;
}
static void fast_enter(struct sup *s)
{
	(void)s;
}
static void fast_leave(struct sup *s)
{
	(void)s;
}
static bool fast_wait(struct sup *s)
{
	(void)s;
	return false;
}
#endif

/* sup_run owns its loop, and nothing but our signals and the stop timer can happen: wait for the signals
 * themselves, one system call per wake-up instead of epoll and a read, and the least latency. */
static void run_direct(struct sup *s)
{
	int chld_wakes = 0;
	while (!s->done) {
		if (fast) {
			if (!fast_wait(s))
				fast_leave(s);
			continue;
		}
		struct timespec ts, *tp = NULL;
		if (ev_is_active(&s->kill_timer)) {
			ev_now_update(s->loop);
			double left = ev_timer_remaining(s->loop, &s->kill_timer);
			if (left <= 0) {
				ev_timer_stop(s->loop, &s->kill_timer);
				kill_cb(s->loop, &s->kill_timer, EV_TIMER);
				continue;
			}
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
			tp = &ts;
		}
		siginfo_t si;
		int sig = sigtimedwait(&s->sigs, &si, tp);
		if (sig == SIGCHLD) {
			children_changed(s);
			/* a terminal on stderr: a background write must not meet a caught SIGTTOU */
			if (++chld_wakes == FAST_AFTER && fast_ok(s) && !isatty(STDERR_FILENO))
				fast_enter(s);
		} else if (sig > 0) {
			forward(s, sig);
		}
	}
	if (fast)
		fast_leave(s);
}

int sup_run(struct ev_loop *loop, struct sup_opts *o)
{
	struct sup *s = sup_new(loop, o);
	if (!s) {
		log_errno("supervise", "out of memory");
		return EXIT_OSERR;
	}
	/* A command that could not be forked ends through an ev_once; one that failed to exec is reaped
	 * like any other exit. */
	if (sup_spawn(s) < 0)
		ev_run(loop, EVRUN_NOWAIT);
	run_direct(s);
	int code = sup_status(s);
	sup_free(s);
	return code;
}
