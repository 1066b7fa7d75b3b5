/* action: the builtin actions of a chain, in uWSGI's hook syntax ("mount:proc none /proc nodev hidepid=2").
 *
 * A chain value is a builtin when it starts with a known "ACTION:" prefix; anything else is a shell command.
 * Builtins run inside the calling process (a mount lands in its mount namespace, chdir changes its cwd,
 * putenv its environment), with the caller's privileges. When the chain_ctx has a root fd every PATH is
 * resolved inside that root (lib/safepath.h); a mount's SRC stays as given (it names the host side). */
#ifndef WARDER_ACTION_H
#define WARDER_ACTION_H

#include <stdbool.h>
#include <stddef.h>

struct chain_ctx;

/* The action VALUE starts with ("mount"), or NULL when VALUE is a shell command. */
const char *action_name(const char *value);
static inline bool action_is_builtin(const char *value)
{
	return action_name(value) != NULL;
}

/* Run the builtin VALUE. Returns 0, or -1 after one log line naming the step, the value and the failure. */
int action_run(const struct chain_ctx *c, const char *value);

/* The usage line of action number I ("mount:FSTYPE SRC DST [FLAGS [DATA]]"), NULL past the last one: for
 * `warder check --params` and the man page. */
const char *action_usage(unsigned i);

#endif
