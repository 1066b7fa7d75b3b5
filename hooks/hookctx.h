/* hookctx: what one hook value (a builtin or a shell command) runs with; chain, shell and action share it. */
#ifndef WARDER_HOOKCTX_H
#define WARDER_HOOKCTX_H

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "conf.h"
#include "jailpw.h"
#include "steps.h"

struct chain_ctx {
	const struct jail *j;
	enum step_id step; /* names the phase in messages and in WARDER_PHASE */
	pid_t pid;         /* the init's host pid (Linux), 0 when there is none yet */
	long jid;          /* FreeBSD jid, -1 when none; WARDER_JID is the jid, else pid */
	int rootfd;        /* builtins resolve every PATH inside this root; -1 (SAFE_NOROOT): as given */
	bool inside;       /* runs in the jail: exec.jail_user applies, else exec.system_user */
	/* exec.jail_user resolved on the host beforehand (exec.system_jail_user); NULL: resolved when needed. */
	const struct jailpw *jail_user;
	/* Runs in each command's child after fork, before the user switch and exec (e.g. jail_attach, setns,
	 * setfib). Returns 0, or -1 after printing one line; the command then fails with status 71. May be NULL. */
	int (*enter)(const struct chain_ctx *c, void *arg);
	void *enter_arg;
	/* Create-side chains: asked every few ms while a command runs and before each value; returns the
	 * signal of a stop request (SIGINT, SIGTERM, SIGHUP), 0 for none. The command's process group then
	 * gets that signal (SIGKILL after stop.timeout) and the chain fails there. NULL: nothing interrupts the
	 * chain (the remove side runs to its end, bounded by exec.timeout). */
	int (*interrupted)(void *arg);
	void *interrupted_arg;
};

/* The step's name, for messages and WARDER_PHASE. */
static inline const char *hook_step_name(const struct chain_ctx *c)
{
	return step_get(c->step)->name;
}

/* Monotonic milliseconds, for timeouts and the "ok Nms" lines. */
static inline long long hook_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
