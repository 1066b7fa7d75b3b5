/* devfs_eval: what the kernel does with a ruleset on a devfs mount (sys/fs/devfs/devfs_rule.c), for Linux's
 * /dev and for `warder check`'s warning about disks and memory left visible. */
#include "devfs.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmatch.h"

/* --- the evaluator ------------------------------------------------------------------------------------------ */

struct verdict {
	bool hidden;
	bool set_uid, set_gid, set_mode;
	uint32_t uid, gid;
	uint16_t mode;
};

static int type_flag(enum devfs_ntype t)
{
	switch (t) {
	case DEVFS_N_DISK:
		return DEVFS_D_DISK;
	case DEVFS_N_MEM:
		return DEVFS_D_MEM;
	case DEVFS_N_TAPE:
		return DEVFS_D_TAPE;
	case DEVFS_N_TTY:
		return DEVFS_D_TTY;
	default:
		return 0;
	}
}

/* devfs_rule_match: a type condition needs a device whose driver has one of the flags (directories and
 * links never match it); a path condition matches as the kernel's fnmatch with FNM_PATHNAME (pmatch), so
 * '*' stops at '/'. */
static bool rule_matches(const struct devfs_record *rec, const char *path, const char *alias, enum devfs_ntype t)
{
	if ((rec->dr_icond & DEVFS_DRC_DSWFLAGS) && !(type_flag(t) & rec->dr_dswflags))
		return false;
	if (rec->dr_icond & DEVFS_DRC_PATHPTRN) {
		bool m = pmatch(rec->dr_pathptrn, path, PM_PATHNAME);
		if (!m && alias)
			m = pmatch(rec->dr_pathptrn, alias, PM_PATHNAME);
		if (!m)
			return false;
	}
	return true;
}

/* devfs_rule_run / devfs_ruleset_applyde: every rule in number order; an include runs the other ruleset
 * with one level less, and not at all once the depth is used up. */
static void apply_set(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth, const char *path,
		      const char *alias, enum devfs_ntype t, struct verdict *v)
{
	for (size_t i = 0; i < set->nrules; i++) {
		const struct devfs_record *rec = &set->rules[i].rec;
		if (!rule_matches(rec, path, alias, t))
			continue;
		if (rec->dr_iacts & DEVFS_DRA_BACTS) {
			if (rec->dr_bacts & DEVFS_DRB_HIDE)
				v->hidden = true;
			if (rec->dr_bacts & DEVFS_DRB_UNHIDE)
				v->hidden = false;
		}
		if (rec->dr_iacts & DEVFS_DRA_UID) {
			v->set_uid = true;
			v->uid = rec->dr_uid;
		}
		if (rec->dr_iacts & DEVFS_DRA_GID) {
			v->set_gid = true;
			v->gid = rec->dr_gid;
		}
		if (rec->dr_iacts & DEVFS_DRA_MODE) {
			v->set_mode = true;
			v->mode = rec->dr_mode;
		}
		if ((rec->dr_iacts & DEVFS_DRA_INCSET) && depth > 0) {
			const struct devfs_ruleset *inc = devfs_ruleset_bynum(r, rec->dr_incset);
			if (inc)
				apply_set(r, inc, depth - 1, path, alias, t, v);
		}
	}
}

/* A hidden directory hides what is below it: check every parent as a directory. */
static bool parents_visible(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth, const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	if (len >= sizeof buf)
		return false;
	memcpy(buf, path, len + 1);
	for (char *slash = strchr(buf, '/'); slash; slash = strchr(slash + 1, '/')) {
		struct verdict v = {0};
		*slash = '\0';
		apply_set(r, set, depth, buf, devfs_linux_alias(buf), DEVFS_N_DIR, &v);
		*slash = '/';
		if (v.hidden)
			return false;
	}
	return true;
}

void devfs_eval(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth, struct devfs_node *nodes,
		size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct devfs_node *node = &nodes[i];
		struct verdict v = {0};
		apply_set(r, set, depth, node->path, node->alias, node->type, &v);
		node->visible = !v.hidden && parents_visible(r, set, depth, node->path);
		node->set_uid = v.set_uid;
		node->set_gid = v.set_gid;
		node->set_mode = v.set_mode;
		node->uid = v.uid;
		node->gid = v.gid;
		node->mode = v.mode;
	}
}

bool devfs_uses_types(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth)
{
	for (size_t i = 0; i < set->nrules; i++) {
		const struct devfs_record *rec = &set->rules[i].rec;
		if (rec->dr_icond & DEVFS_DRC_DSWFLAGS)
			return true;
		if ((rec->dr_iacts & DEVFS_DRA_INCSET) && depth > 0) {
			const struct devfs_ruleset *inc = devfs_ruleset_bynum(r, rec->dr_incset);
			if (inc && devfs_uses_types(r, inc, depth - 1))
				return true;
		}
	}
	return false;
}

/* Linux entries of the OCI base set (init/linux/dev.c) that FreeBSD's rulesets do not name, and the FreeBSD
 * node each counts as; a rule naming the Linux name itself matches too. */
static const struct {
	const char *linux_name, *freebsd_name;
} linux_aliases[] = {
	{"full", "zero"},    /* a harmless source like zero */
	{"tty", "ptmx"},     /* the controlling terminal: a login device */
	{"console", "ptmx"}, /* the jail's own terminal, as OCI's terminal: true gives it */
	{"shm", "null"},     /* POSIX shared memory: IPC is as basic as null (a fresh tmpfs, never the host's) */
	{"mqueue", "null"},  /* POSIX message queues: the same (a fresh mqueue fs) */
};

const char *devfs_linux_alias(const char *path)
{
	for (size_t i = 0; i < sizeof linux_aliases / sizeof linux_aliases[0]; i++)
		if (strcmp(path, linux_aliases[i].linux_name) == 0)
			return linux_aliases[i].freebsd_name;
	return NULL;
}

void devfs_nodes_free(struct devfs_node *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(nodes[i].path);
		free(nodes[i].link);
	}
	free(nodes);
}

/* --- the warning for `warder check` -------------------------------------------------------------------------- */

/* Typical disk and memory nodes of both systems. */
static const struct {
	const char *path;
	enum devfs_ntype type;
} danger_probes[] = {
	{"mem", DEVFS_N_MEM},      {"kmem", DEVFS_N_MEM},       {"port", DEVFS_N_MEM},   {"io", DEVFS_N_MEM},
	{"sda", DEVFS_N_DISK},     {"sda1", DEVFS_N_DISK},      {"vda", DEVFS_N_DISK},   {"xvda", DEVFS_N_DISK},
	{"nvme0n1", DEVFS_N_DISK}, {"nvme0n1p1", DEVFS_N_DISK}, {"loop0", DEVFS_N_DISK}, {"dm-0", DEVFS_N_DISK},
	{"md0", DEVFS_N_DISK},     {"sr0", DEVFS_N_DISK},       {"ada0", DEVFS_N_DISK},  {"ada0p1", DEVFS_N_DISK},
	{"da0", DEVFS_N_DISK},     {"nvd0", DEVFS_N_DISK},      {"nda0", DEVFS_N_DISK},  {"vtbd0", DEVFS_N_DISK},
	{"mmcsd0", DEVFS_N_DISK},  {"cd0", DEVFS_N_DISK},
};

/* Directories that hold disks on either system; an unhide rule below one of them exposes disks. */
static const char *const disk_dirs[] = {"zvol", "mapper", "disk",  "gpt", "gptid", "diskid",
					"ufs",  "label",  "iscsi", "md",  "ada",   "nvme"};

static bool exposes_disk_dir(const struct devfs_rules *r, const struct devfs_ruleset *top, unsigned depth,
			     const struct devfs_ruleset *set, unsigned left, char *what, size_t whatlen)
{
	for (size_t i = 0; i < set->nrules; i++) {
		const struct devfs_record *rec = &set->rules[i].rec;
		if ((rec->dr_iacts & DEVFS_DRA_INCSET) && left > 0) {
			const struct devfs_ruleset *inc = devfs_ruleset_bynum(r, rec->dr_incset);
			if (inc && exposes_disk_dir(r, top, depth, inc, left - 1, what, whatlen))
				return true;
		}
		if (!(rec->dr_bacts & DEVFS_DRB_UNHIDE) || !(rec->dr_icond & DEVFS_DRC_PATHPTRN))
			continue;
		const char *slash = strchr(rec->dr_pathptrn, '/');
		if (!slash)
			continue;
		char first[DEVFS_PATTERN_MAX];
		memcpy(first, rec->dr_pathptrn, (size_t)(slash - rec->dr_pathptrn));
		first[slash - rec->dr_pathptrn] = '\0';
		for (size_t d = 0; d < sizeof disk_dirs / sizeof disk_dirs[0]; d++) {
			if (!pmatch(first, disk_dirs[d], 0))
				continue;
			struct devfs_node dir = {.path = (char *)disk_dirs[d], .type = DEVFS_N_DIR};
			devfs_eval(r, top, depth, &dir, 1);
			if (dir.visible) {
				snprintf(what, whatlen, "%s", rec->dr_pathptrn);
				return true;
			}
		}
	}
	return false;
}

bool devfs_exposes_host_devices(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth,
				char *what, size_t whatlen)
{
	for (size_t i = 0; i < sizeof danger_probes / sizeof danger_probes[0]; i++) {
		struct devfs_node probe = {.path = (char *)danger_probes[i].path, .type = danger_probes[i].type};
		devfs_eval(r, set, depth, &probe, 1);
		if (probe.visible) {
			snprintf(what, whatlen, "%s", probe.path);
			return true;
		}
	}
	return exposes_disk_dir(r, set, depth, set, depth, what, whatlen);
}
