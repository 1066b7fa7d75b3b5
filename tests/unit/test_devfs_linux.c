/* Unit tests of devfs.rules on Linux: the aliases that let FreeBSD's rulesets judge the Linux base set
 * (init/linux/dev.c's shm, mqueue, console, and full, tty), and ruleset 4 kept literally: it unhides fuse
 * and zfs as on FreeBSD, so a Linux host's /dev/fuse is in the jail unless the ruleset says otherwise. */
#include "devfs.h"
#include "t.h"

/* Which of NAMES (all of TYPE, aliased as devfs_walk and dev.c alias them) SPEC leaves visible, as "a b c". */
static const char *visible(const char *user_rules, const char *spec, const char *const *names,
			   const enum devfs_ntype *types, size_t n, char *buf, size_t len)
{
	struct devfs_rules r = {0};
	struct devfs_node nodes[16] = {{0}};
	char err[256];
	buf[0] = '\0';
	if (devfs_rules_load_defaults(&r, err, sizeof err) < 0 ||
	    (user_rules && devfs_rules_load_string(&r, "t.rules", user_rules, err, sizeof err) < 0)) {
		snprintf(buf, len, "error: %.200s", err);
		devfs_rules_free(&r);
		return buf;
	}
	const struct devfs_ruleset *set = devfs_ruleset_find(&r, spec);
	if (!set) {
		devfs_rules_free(&r);
		return "no such ruleset";
	}
	for (size_t i = 0; i < n; i++) {
		nodes[i].path = (char *)names[i];
		nodes[i].type = types[i];
		nodes[i].alias = devfs_linux_alias(names[i]);
	}
	devfs_eval(&r, set, DEVFS_DEFAULT_DEPTH, nodes, n);
	for (size_t i = 0; i < n; i++)
		if (nodes[i].visible)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? " " : "", names[i]);
	devfs_rules_free(&r);
	return buf;
}

static const char *const names[] = {"shm", "mqueue", "console", "full", "tty", "null", "fuse", "zfs", "sda", "kmsg",
				    "ttyS0"};
static const enum devfs_ntype types[] = {DEVFS_N_DIR, DEVFS_N_DIR, DEVFS_N_TTY, DEVFS_N_MEM, DEVFS_N_TTY,
					 DEVFS_N_MEM, DEVFS_N_DEV, DEVFS_N_DEV, DEVFS_N_DISK, DEVFS_N_MEM, DEVFS_N_TTY};
#define N (sizeof names / sizeof names[0])

TEST(aliases)
{
	CHECK_STR(devfs_linux_alias("shm"), "null");
	CHECK_STR(devfs_linux_alias("mqueue"), "null");
	CHECK_STR(devfs_linux_alias("console"), "ptmx");
	CHECK_STR(devfs_linux_alias("full"), "zero");
	CHECK_STR(devfs_linux_alias("tty"), "ptmx");
	CHECK(devfs_linux_alias("null") == NULL);
	CHECK(devfs_linux_alias("fuse") == NULL);
	CHECK(devfs_linux_alias("shm/x") == NULL); /* only the entry itself, not what is below it */
}

TEST(default_rulesets)
{
	char buf[256];
	CHECK_STR(visible(NULL, "1", names, types, N, buf, sizeof buf), "");
	/* ruleset 4, literally FreeBSD's: the base set plus fuse and zfs; host disks and kmsg never. ttyS0 matches
	 * ruleset 3's BSD pty pattern tty[...S...]*, but dev.c never binds a host terminal. */
	CHECK_STR(visible(NULL, "4", names, types, N, buf, sizeof buf),
		  "shm mqueue console full tty null fuse zfs ttyS0");
	CHECK_STR(visible(NULL, "devfsrules_jail_vnet", names, types, N, buf, sizeof buf),
		  "shm mqueue console full tty null fuse zfs ttyS0");
}

TEST(rules_by_linux_name)
{
	char buf[256];
	const char *rules = "[basic=10]\nadd include $devfsrules_hide_all\nadd include $devfsrules_unhide_basic\n"
			    "[login=11]\nadd include $devfsrules_hide_all\nadd include $devfsrules_unhide_login\n"
			    "[nocons=12]\nadd include $devfsrules_hide_all\nadd include $devfsrules_unhide_basic\n"
			    "add include $devfsrules_unhide_login\nadd include $devfsrules_jail\n"
			    "add path console hide\nadd path shm hide\n"
			    "[nofuse=13]\nadd include $devfsrules_hide_all\nadd include $devfsrules_unhide_basic\n"
			    "add include $devfsrules_unhide_login\n";
	/* basic: IPC counts as null; the terminals are login devices */
	CHECK_STR(visible(rules, "basic", names, types, N, buf, sizeof buf), "shm mqueue full null");
	CHECK_STR(visible(rules, "login", names, types, N, buf, sizeof buf), "console tty ttyS0");
	/* a rule may name the Linux entry itself; the alias does not shield it */
	CHECK_STR(visible(rules, "nocons", names, types, N, buf, sizeof buf), "mqueue full tty null fuse zfs ttyS0");
	/* without fuse and zfs: rulesets 1-3, the way to keep a Linux jail to the OCI base set */
	CHECK_STR(visible(rules, "nofuse", names, types, N, buf, sizeof buf), "shm mqueue console full tty null ttyS0");
}

int main(void)
{
	RUN(aliases);
	RUN(default_rulesets);
	RUN(rules_by_linux_name);
	return T_DONE();
}
