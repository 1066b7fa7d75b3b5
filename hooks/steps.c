/* steps: the step table, the create and remove orders, and the unwinding rule.
 *
 * The order is jail(8)'s (usr.sbin/jail: the create and remove step arrays), with warder's own steps in the
 * places the Linux back end needs them. `undo` names the remove step that takes a create step back: the
 * back-end partner for a non-chain step, the remove-side chain for a chain. */
#include "steps.h"

#include <string.h>

#include "log.h"

#define BOTH (1u << OS_LINUX | 1u << OS_FREEBSD)
#define FBSD (1u << OS_FREEBSD)

const struct step_def step_table[STEP_COUNT] = {
	[STEP_NONE] = {STEP_NONE, "none", CTX_HOST, NULL, STEP_NONE, 0},
	[STEP_PREPARE] = {STEP_PREPARE, "prepare", CTX_HOST, "exec.prepare", STEP_RELEASE, BOTH},
	[STEP_ALIASES] = {STEP_ALIASES, "aliases", CTX_HOST, NULL, STEP_UNALIAS, FBSD},
	[STEP_MOUNTS] = {STEP_MOUNTS, "mounts", CTX_HOST, NULL, STEP_UNMOUNTS, FBSD},
	[STEP_PRESTART] = {STEP_PRESTART, "prestart", CTX_HOST, "exec.prestart", STEP_POSTSTOP, BOTH},
	[STEP_CREATE] = {STEP_CREATE, "create", CTX_HOST, NULL, STEP_REMOVE, BOTH},
	[STEP_CREATED] = {STEP_CREATED, "created", CTX_HOST, "exec.created", STEP_NONE, BOTH},
	[STEP_VNET] = {STEP_VNET, "vnet", CTX_HOST, NULL, STEP_NONE, BOTH},
	[STEP_JAILED] = {STEP_JAILED, "jailed", CTX_JAIL, "exec.jailed", STEP_NONE, BOTH},
	[STEP_SETUP] = {STEP_SETUP, "setup", CTX_JAIL, NULL, STEP_NONE, BOTH},
	[STEP_START] = {STEP_START, "start", CTX_JAIL, "exec.start", STEP_STOP, BOTH},
	/* The command's undo is the stop sequence: TERM, stop.timeout, KILL. */
	[STEP_COMMAND] = {STEP_COMMAND, "command", CTX_JAIL, NULL, STEP_KILL, BOTH},
	[STEP_POSTSTART] = {STEP_POSTSTART, "poststart", CTX_HOST, "exec.poststart", STEP_PRESTOP, BOTH},
	[STEP_PRESTOP] = {STEP_PRESTOP, "prestop", CTX_HOST, "exec.prestop", STEP_NONE, BOTH},
	[STEP_STOP] = {STEP_STOP, "stop", CTX_JAIL, "exec.stop", STEP_NONE, BOTH},
	[STEP_KILL] = {STEP_KILL, "kill", CTX_JAIL, NULL, STEP_NONE, BOTH},
	[STEP_REMOVE] = {STEP_REMOVE, "remove", CTX_HOST, NULL, STEP_NONE, BOTH},
	[STEP_POSTSTOP] = {STEP_POSTSTOP, "poststop", CTX_HOST, "exec.poststop", STEP_NONE, BOTH},
	[STEP_UNMOUNTS] = {STEP_UNMOUNTS, "unmounts", CTX_HOST, NULL, STEP_NONE, FBSD},
	[STEP_UNALIAS] = {STEP_UNALIAS, "unalias", CTX_HOST, NULL, STEP_NONE, FBSD},
	[STEP_RELEASE] = {STEP_RELEASE, "release", CTX_HOST, "exec.release", STEP_NONE, BOTH},
	[STEP_LISTEN] = {STEP_LISTEN, "listen", CTX_HOST, NULL, STEP_UNLISTEN, BOTH},
	[STEP_UNLISTEN] = {STEP_UNLISTEN, "unlisten", CTX_HOST, NULL, STEP_NONE, BOTH},
};

const enum step_id step_create_order[] = {
	STEP_PREPARE, STEP_ALIASES, STEP_MOUNTS, STEP_PRESTART, STEP_CREATE,  STEP_CREATED,
	STEP_VNET,    STEP_JAILED,  STEP_SETUP,  STEP_START,    STEP_COMMAND, STEP_POSTSTART,
};
const size_t step_create_count = sizeof step_create_order / sizeof step_create_order[0];

/* jail(8) runs exec.poststop after the jail is gone and before the unmounts; exec.release comes last. */
const enum step_id step_remove_order[] = {
	STEP_PRESTOP, STEP_STOP, STEP_KILL, STEP_REMOVE, STEP_POSTSTOP, STEP_UNMOUNTS, STEP_UNALIAS, STEP_RELEASE,
};
const size_t step_remove_count = sizeof step_remove_order / sizeof step_remove_order[0];

const struct step_def *step_get(enum step_id id)
{
	if ((unsigned)id >= STEP_COUNT)
		return NULL;
	return &step_table[id];
}

const char *ctx_name(enum step_ctx ctx)
{
	return ctx == CTX_JAIL ? "jail" : "host";
}

bool step_on(enum step_id id, enum os os)
{
	const struct step_def *d = step_get(id);
	return d && (d->os_mask & (1u << os)) != 0;
}

/* The create step whose undo is REMOVE_ID, STEP_NONE when none. */
static enum step_id undone_by(enum step_id remove_id)
{
	for (size_t i = 0; i < step_create_count; i++)
		if (step_table[step_create_order[i]].undo == remove_id)
			return step_create_order[i];
	return STEP_NONE;
}

size_t step_unwind(const bool done[STEP_COUNT], enum step_id *out, size_t cap)
{
	size_t n = 0;
	/* The remove table mirrors the create table, so its order is "the steps done, in reverse". A failed
	 * step is not in DONE: a back-end step cleans up after itself, and a failed chain's partner is skipped. */
	for (size_t i = 0; i < step_remove_count; i++) {
		enum step_id c = undone_by(step_remove_order[i]);
		if (c != STEP_NONE && done[c] && n < cap)
			out[n++] = step_remove_order[i];
	}
	return n;
}

bool step_creates(enum step_id id)
{
	for (size_t i = 0; i < step_create_count; i++)
		if (step_create_order[i] == id)
			return true;
	return false;
}

const char *step_name(enum step_id id)
{
	const struct step_def *d = step_get(id);
	return d ? d->name : "?";
}

enum step_id step_by_name(const char *name)
{
	for (int id = 1; id < STEP_COUNT; id++)
		if (strcmp(step_table[id].name, name) == 0)
			return (enum step_id)id;
	return STEP_NONE;
}

/* --- the walker ------------------------------------------------------------------------------------------- */
void step_walk_reset(struct step_walk *w)
{
	memset(w, 0, sizeof *w);
}

static bool walk_has(const struct step_ops *ops, void *arg, enum step_id id)
{
	return !ops->has || ops->has(arg, id);
}

int step_walk_forward(struct step_walk *w, enum step_id to, const struct step_ops *ops, void *arg)
{
	for (size_t i = 0; i < step_create_count; i++) {
		enum step_id id = step_create_order[i];
		if (walk_has(ops, arg, id) && !w->done[id]) {
			w->at = id;
			int sig = ops->stopped ? ops->stopped(arg) : 0;
			if (sig) {
				log_err(step_name(id), "not run: stopping (SIG%s)", conf_signal_name(sig));
				return 128 + sig;
			}
			int rc = ops->run ? ops->run(arg, id) : 0;
			if (rc)
				return rc;
			w->done[id] = true;
		}
		if (id == to)
			break;
	}
	return 0;
}

int step_walk_back(struct step_walk *w, enum step_id to, const struct step_ops *ops, void *arg)
{
	enum step_id todo[STEP_COUNT];
	size_t n = step_unwind(w->done, todo, STEP_COUNT);
	int first = 0;
	/* The unwinding rule gives remove-table order: TO is reached when no later step is left to run. */
	size_t last = step_remove_count;
	for (size_t i = 0; to != STEP_NONE && i < step_remove_count; i++)
		if (step_remove_order[i] == to)
			last = i;
	for (size_t i = 0; i < n; i++) {
		enum step_id id = todo[i];
		bool after = false;
		for (size_t k = last + 1; k < step_remove_count; k++)
			after |= step_remove_order[k] == id;
		if (after)
			break;
		if (w->ran[id] || !walk_has(ops, arg, id))
			continue;
		w->ran[id] = true;
		int rc = ops->undo ? ops->undo(arg, id) : 0;
		if (rc && !first)
			first = rc;
	}
	return first;
}

void step_walk_mark(struct step_walk *w, enum step_ctx ctx, enum step_id stop)
{
	for (size_t i = 0; i < step_create_count && step_create_order[i] != stop; i++)
		if (step_table[step_create_order[i]].ctx == ctx)
			w->done[step_create_order[i]] = true;
}

void step_walk_built(struct step_walk *w)
{
	for (size_t i = 0; i < step_create_count; i++)
		w->done[step_create_order[i]] = true;
}
