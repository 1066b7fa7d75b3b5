/* devfs_jail: the rules a jail uses (its devfs.rules file over the defaults, its ruleset and depth), and what
 * `warder check` says about those a Linux user namespace cannot apply. */
#include "devfs.h"
#include "conf.h"
#include "log.h"
#include "ns.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* --- a jail's rules ------------------------------------------------------------------------------------------ */

int devfs_jail_rules(const struct jail *j, struct devfs_rules *r, const struct devfs_ruleset **set, unsigned *depth,
		     char *err, size_t errlen)
{
	const char *file = jail_get(j, "devfs.rules");
	const char *spec = jail_get(j, "devfs_ruleset");

	*set = NULL;
	*depth = (unsigned)jail_int(j, "devfs.rule_depth"); /* the table's default: DEVFS_DEFAULT_DEPTH */
	if (devfs_rules_load_defaults(r, err, errlen) < 0)
		return -1;
	/* The installed default file is the built-in text again; only a file the user names must exist. */
	if (file && (jail_is_set(j, "devfs.rules") || access(file, R_OK) == 0) &&
	    devfs_rules_load(r, file, err, errlen) < 0)
		return -1;
	if (!spec)
		spec = "4";
	*set = devfs_ruleset_find(r, spec);
	if (!*set) {
		snprintf(err, errlen, "devfs_ruleset %s is not defined in devfs.rules", spec);
		return -1;
	}
	return 0;
}

static void owner_visit(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth,
			const struct devfs_rule **out, size_t max, size_t *n)
{
	for (size_t i = 0; i < set->nrules; i++) {
		const struct devfs_rule *rule = &set->rules[i];
		const struct devfs_record *rec = &rule->rec;
		if ((rec->dr_iacts & DEVFS_DRA_INCSET) && depth > 0) {
			const struct devfs_ruleset *inc = devfs_ruleset_bynum(r, rec->dr_incset);
			if (inc)
				owner_visit(r, inc, depth - 1, out, max, n);
		}
		if (!(rec->dr_iacts & (DEVFS_DRA_UID | DEVFS_DRA_GID | DEVFS_DRA_MODE)))
			continue;
		bool seen = false;
		for (size_t k = 0; k < *n && k < max && !seen; k++)
			seen = out[k] == rule;
		if (seen)
			continue;
		if (*n < max)
			out[*n] = rule;
		(*n)++;
	}
}

size_t devfs_owner_rules(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth,
			 const struct devfs_rule **out, size_t max)
{
	size_t n = 0;
	owner_visit(r, set, depth, out, max, &n);
	return n;
}

bool devfs_linux_wanted(const struct jail *j)
{
	if (jail_is_set(j, "mount.devfs"))
		return jail_bool(j, "mount.devfs");
	return jail_is_set(j, "path");
}

bool devfs_linux_userns(const struct jail *j)
{
	return (ns_list(jail_get(j, "unshare")) & NS_BIT(NS_USER)) != 0;
}

size_t devfs_check_linux(const struct jail *j)
{
	struct devfs_rules r = {0};
	const struct devfs_ruleset *set;
	const struct devfs_rule *rules[64];
	unsigned depth;
	char err[512];
	size_t n = 0;

	/* A ruleset that does not load is reported by whoever checks the config for errors. */
	if (!devfs_linux_wanted(j) || !devfs_linux_userns(j) || devfs_jail_rules(j, &r, &set, &depth, err, sizeof err) < 0)
		goto out;
	n = devfs_owner_rules(&r, set, depth, rules, sizeof rules / sizeof rules[0]);
	for (size_t i = 0; i < n && i < sizeof rules / sizeof rules[0]; i++) {
		char text[DEVFS_PATTERN_MAX + 128];
		devfs_record_format(&rules[i]->rec, rules[i]->rnum, text, sizeof text);
		log_warn("check",
			 "%s:%d: devfs rule \"%s\" cannot apply in jail %s: it has a user namespace, so its "
			 "/dev nodes are the host's, bind-mounted (user, group and mode stay the host's)",
			 rules[i]->file, rules[i]->line, text, j->name);
	}
	if (n > sizeof rules / sizeof rules[0])
		log_warn("check", "jail %s: %zu more devfs rules with user, group or mode cannot apply either", j->name,
			 n - sizeof rules / sizeof rules[0]);
out:
	devfs_rules_free(&r);
	return n;
}
