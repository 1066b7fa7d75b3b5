/* chain_driver: runs hook chains from a config the way the keeper does, for tests/integration/chains.sh.
 *   chain_driver FILE NAME STEP        run one step's chain (e.g. prestart); exit 0, or 70 when it failed
 *   chain_driver FILE NAME lifecycle   the create order (back-end steps count as done), then the full
 *                                      remove order; after a failure, the unwinding rule's remove steps */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "exits.h"
#include "log.h"
#include "safepath.h"

static int rootfd = SAFE_NOROOT;

/* One step's chain (none for a back-end step): 0, or EXIT_SOFTWARE. */
static int run_step(void *arg, enum step_id id)
{
	const struct step_def *d = step_get(id);
	if (!d->chain)
		return 0;
	struct chain_ctx c = {.j = arg, .step = id, .pid = 4242, .jid = -1, .rootfd = rootfd, .inside = d->ctx == CTX_JAIL};
	return chain_run(&c, d->chain) < 0 ? EXIT_SOFTWARE : 0;
}

static int lifecycle(const struct jail *j)
{
	static const struct step_ops ops = {.run = run_step, .undo = run_step};
	struct step_walk w;
	step_walk_reset(&w);
	int rc = step_walk_forward(&w, STEP_NONE, &ops, (void *)j);
	int undo = step_walk_back(&w, STEP_NONE, &ops, (void *)j);
	return rc ? rc : undo;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: chain_driver FILE NAME STEP|lifecycle\n");
		return EXIT_USAGE;
	}
	if (getenv("DRIVER_VERBOSE"))
		log_level = LOG_VERBOSE;
	/* DRIVER_ROOT: builtins resolve paths inside it. DRIVER_LEAK_FD: an fd without close-on-exec, which
	 * must still not reach a hook. */
	if (getenv("DRIVER_ROOT") && (rootfd = open(getenv("DRIVER_ROOT"), O_PATH | O_DIRECTORY)) < 0) {
		perror("DRIVER_ROOT");
		return EXIT_USAGE;
	}
	if (getenv("DRIVER_LEAK_FD") && open("/dev/null", O_RDONLY) < 0) {
		perror("/dev/null");
		return EXIT_USAGE;
	}
	struct conf *c;
	char err[512];
	if (conf_load(argv[1], &c, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_CONFIG;
	}
	const struct jail *j = conf_jail(c, argv[2]);
	int rc = EXIT_USAGE;
	log_set_name(argv[2]);
	if (!j) {
		fprintf(stderr, "no jail %s\n", argv[2]);
	} else if (strcmp(argv[3], "lifecycle") == 0) {
		rc = lifecycle(j);
	} else if (step_by_name(argv[3]) != STEP_NONE) {
		rc = run_step((void *)j, step_by_name(argv[3]));
	}
	conf_free(c);
	return rc;
}
