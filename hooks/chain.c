/* chain: runs a chain's values in order, each a builtin (hooks/action.c) or a shell command
 * (hooks/shell.c), and stops at the first failure or stop request. */
#include "chain.h"

#include <string.h>

#include "action.h"
#include "log.h"
#include "shell.h"

int chain_run_value(const struct chain_ctx *c, const char *value)
{
	const char *name = action_name(value);
	if (!name)
		return shell_run(c, value);
	if (strcmp(name, "exec") == 0)
		return action_run(c, value); /* the shell command prints its own progress line */
	long long start = hook_now_ms();
	if (action_run(c, value) < 0)
		return -1;
	log_info(hook_step_name(c), "%s ok %lldms", value, hook_now_ms() - start);
	return 0;
}

int chain_run(const struct chain_ctx *c, const char *chain)
{
	const struct conf_value *v;
	size_t n = jail_list(c->j, chain, &v);
	for (size_t i = 0; i < n; i++) {
		int sig = c->interrupted ? c->interrupted(c->interrupted_arg) : 0;
		if (sig > 0) {
			log_err(hook_step_name(c), "%s: not run: stopping (SIG%s)", v[i].text, conf_signal_name(sig));
			return -1;
		}
		if (chain_run_value(c, v[i].text) < 0)
			return -1;
	}
	return 0;
}
