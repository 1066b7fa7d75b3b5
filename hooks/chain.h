/* chain: runs the values of one chain parameter (exec.prestart, exec.start, ...) in order.
 *
 * A value that starts with a known "ACTION:" prefix is a builtin (hooks/action.h) run inside warder itself;
 * anything else is a shell command (hooks/shell.h) run by /bin/sh -c in its own process group, with
 * exec.timeout, exec.consolelog, exec.clean, exec.jail_user / exec.system_user applied, and WARDER_NAME, WARDER_PATH,
 * WARDER_JID, WARDER_PHASE in its environment. A host-side command (inside == false) runs under a hook
 * reaper that kills and reaps whatever it leaves behind. The first failure, or a stop request, stops the
 * chain. */
#ifndef WARDER_CHAIN_H
#define WARDER_CHAIN_H

#include "hookctx.h"

/* Run every value of CHAIN (e.g. "exec.prestart"). An unset chain is success. Returns 0, or -1 after one
 * log line naming the step, the command and how it failed (exit code, signal, timeout). */
int chain_run(const struct chain_ctx *c, const char *chain);

/* Run one value (a builtin or a shell command) as chain_run would. */
int chain_run_value(const struct chain_ctx *c, const char *value);

#endif
