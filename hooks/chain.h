/* chain: runs the values of one chain parameter (exec.prestart, exec.start, ...) in order.
 *
 * A value that starts with a known "ACTION:" prefix is a builtin (hooks/action.h) run inside warder itself;
 * anything else is a shell command run by /bin/sh -c in its own process group, with exec.timeout,
 * exec.consolelog, exec.clean, exec.jail_user / exec.system_user applied, and WARDER_NAME, WARDER_PATH,
 * WARDER_JID, WARDER_PHASE in its environment. A host-side command (inside == false) runs under a hook
 * reaper that kills and reaps whatever it leaves behind. The first failure, or a stop request, stops the
 * chain. */
#ifndef WARDER_CHAIN_H
#define WARDER_CHAIN_H

#include <stdbool.h>
#include <sys/types.h>

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

/* Run every value of CHAIN (e.g. "exec.prestart"). An unset chain is success. Returns 0, or -1 after one
 * log line naming the step, the command and how it failed (exit code, signal, timeout). */
int chain_run(const struct chain_ctx *c, const char *chain);

/* Run one value (a builtin or a shell command) as chain_run would. */
int chain_run_value(const struct chain_ctx *c, const char *value);

/* Run one shell command (the exec: builtin and chain_run use it). */
int chain_run_shell(const struct chain_ctx *c, const char *cmd);

#endif
