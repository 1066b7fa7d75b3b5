/* shell: one hook command, run by /bin/sh -c in its own process group with exec.timeout, exec.consolelog,
 * exec.clean and exec.jail_user / exec.system_user applied (hooks/chain.h tells the whole story). Both the
 * chain runner and the exec: builtin run commands through it. */
#ifndef WARDER_SHELL_H
#define WARDER_SHELL_H

#include "hookctx.h"

/* Run CMD. Returns 0, or -1 after one log line naming the step, the command and how it failed (exit code,
 * signal, timeout). */
int shell_run(const struct chain_ctx *c, const char *cmd);

#endif
