/* The devfs.rules parser on top of the built-in defaults, then what the back ends do with a ruleset: the load
 * plan, devfs(8)'s print-back of every record, the evaluator on a fixed /dev at depths 0-3, and the host
 * device check. User and group names resolve through a fixed table, never the host's NSS. */
#include "devfs.h"
#include "sandbox.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_sandbox();
	return 0;
}

static int resolve(int kind, const char *name, uint32_t *id, void *arg)
{
	(void)arg;
	static const char *const users[] = {"root", "operator", "app"}, *const groups[] = {"wheel", "operator", "video"};
	const char *const *t = kind == 'u' ? users : groups;
	for (uint32_t i = 0; i < 3; i++)
		if (strcmp(name, t[i]) == 0) {
			*id = i == 2 ? 1000 : i * 2;
			return 0;
		}
	return -1;
}

static const struct {
	const char *path;
	enum devfs_ntype type;
} dev[] = {
	{"null", DEVFS_N_DEV},      {"zero", DEVFS_N_DEV},
	{"full", DEVFS_N_DEV},      {"random", DEVFS_N_DEV},
	{"mem", DEVFS_N_MEM},       {"kmem", DEVFS_N_MEM},
	{"ada0", DEVFS_N_DISK},     {"ada0p1", DEVFS_N_DISK},
	{"pts", DEVFS_N_DIR},       {"pts/0", DEVFS_N_TTY},
	{"ptmx", DEVFS_N_TTY},      {"zvol", DEVFS_N_DIR},
	{"zvol/tank", DEVFS_N_DIR}, {"zvol/tank/vol1", DEVFS_N_DISK},
	{"fd", DEVFS_N_LINK},       {"sa0", DEVFS_N_TAPE},
	{"bpf", DEVFS_N_DEV},       {"pf", DEVFS_N_DEV},
	{"stdin", DEVFS_N_LINK},
};
#define NDEV (sizeof dev / sizeof dev[0])

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char err[512] = "";
	struct devfs_rules r = {.resolve = resolve};
	if (devfs_rules_load_defaults(&r, err, sizeof err) != 0)
		abort(); /* the built-in rules always load */
	if (devfs_rules_load_string(&r, "/fuzz/devfs.rules", text, err, sizeof err) == 0) {
		for (size_t s = 0; s < r.nsets; s++) {
			const struct devfs_ruleset *set = &r.sets[s];
			const struct devfs_ruleset *plan[64];
			(void)devfs_load_plan(&r, set, true, plan, 64); /* include cycles: refused (e0cd370) */
			char buf[512];
			for (size_t k = 0; k < set->nrules; k++)
				devfs_record_format(&set->rules[k].rec, set->rules[k].rnum, buf, sizeof buf);
			struct devfs_node nodes[NDEV];
			for (unsigned depth = 0; depth <= 3; depth++) {
				memset(nodes, 0, sizeof nodes);
				for (size_t k = 0; k < NDEV; k++) {
					nodes[k].path = (char *)dev[k].path;
					nodes[k].type = dev[k].type;
					nodes[k].alias = devfs_linux_alias(dev[k].path);
				}
				devfs_eval(&r, set, depth, nodes, NDEV);
			}
			(void)devfs_exposes_host_devices(&r, set, 1, buf, sizeof buf);
			char spec[16];
			snprintf(spec, sizeof spec, "%u", set->number);
			if (devfs_ruleset_find(&r, spec) == NULL || devfs_ruleset_find(&r, set->name) == NULL)
				abort(); /* every loaded ruleset is found by number and by name */
		}
	} else if (!err[0]) {
		abort();
	}
	devfs_rules_free(&r);
	free(text);
	return 0;
}
