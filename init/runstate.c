/* runstate: the run state and the reload and stop requests of the jail running in this process (runstate.h).
 * Code above (the keeper, the init-only loop) registers here; code beside it (the vassal side) calls here. */
#include "runstate.h"

#include <stdio.h>

#include "notify.h"
#include "sdnotify.h"

static run_state_fn state_fn;
static void *state_arg;
static const struct run_ops *run_ops;
static void *run_arg;

const char *run_state_name(enum run_state s)
{
	static const char *const names[] =
		{[RUN_STARTING] = "starting", [RUN_RUNNING] = "running", [RUN_RELOADING] = "reloading", [RUN_STOPPING] = "stopping"};
	return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

void run_on_state(run_state_fn fn, void *arg)
{
	state_fn = fn;
	state_arg = arg;
}

void run_notify(enum run_state s)
{
	notify_run_state(s);
	/* What a service manager hears (sdnotify.h): "running" is where warder decides the jail is ready. */
	if (s == RUN_RUNNING)
		sdnotify_ready("running");
	else if (s == RUN_RELOADING)
		sdnotify_reloading();
	else if (s == RUN_STOPPING)
		sdnotify_stopping();
	if (state_fn)
		state_fn(s, state_arg);
}

void run_register(const struct run_ops *ops, void *arg)
{
	run_ops = ops;
	run_arg = arg;
}

int run_reload(char *err, size_t errlen)
{
	char buf[1024];
	if (!err)
		err = buf, errlen = sizeof buf;
	if (!run_ops) {
		snprintf(err, errlen, "no jail runs here");
		return -1;
	}
	return run_ops->reload(run_arg, err, errlen);
}

int run_stop(void)
{
	if (!run_ops)
		return -1;
	run_ops->stop(run_arg);
	return 0;
}
