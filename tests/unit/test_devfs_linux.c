/* Unit tests of devfs.rules on Linux: the aliases that let FreeBSD's rulesets judge the Linux base set
 * (init/linux/dev.c's shm, mqueue, console, and full, tty), and ruleset 4 kept literally: it unhides fuse
 * and zfs as on FreeBSD, so a Linux host's /dev/fuse is in the jail unless the ruleset says otherwise; the walk
 * of a fake /dev (init/linux/devwalk.c), which does not enter a directory the ruleset hides. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devfs.h"
#include "linux/devwalk.h"
#include "t.h"

#define DATA "tests/unit/data/devfs/"

static char err[512];

static void load_with(struct devfs_rules *r, const char *file)
{
	memset(r, 0, sizeof *r);
	if (devfs_rules_load_defaults(r, err, sizeof err) < 0 || devfs_rules_load(r, file, err, sizeof err) < 0)
		fprintf(stderr, "%s: %s\n", file, err);
}

/* Which of NAMES (all of TYPE, aliased as the walk in init/linux/devwalk.c aliases them) SPEC leaves visible, as "a b c". */
static const char *visible(const char *user_rules, const char *spec, const char *const *names,
			   const enum devfs_ntype *types, size_t n, char *buf, size_t len)
{
	struct devfs_rules r = {0};
	struct devfs_node nodes[16] = {{0}};
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

static const char *const names[] = {"shm",  "mqueue", "console", "full", "tty",  "null",
				    "fuse", "zfs",    "sda",     "kmsg", "ttyS0"};
static const enum devfs_ntype types[] = {DEVFS_N_DIR, DEVFS_N_DIR, DEVFS_N_TTY,  DEVFS_N_MEM, DEVFS_N_TTY, DEVFS_N_MEM,
					 DEVFS_N_DEV, DEVFS_N_DEV, DEVFS_N_DISK, DEVFS_N_MEM, DEVFS_N_TTY};
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


/* DIR/NAME with a chain of directories below it whose path is longer than PATH_MAX. */
static int make_deep(const char *top, const char *name)
{
	char p[512], seg[201];
	memset(seg, 'd', 200);
	seg[200] = '\0';
	snprintf(p, sizeof p, "%s/%s", top, name);
	int fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; fd >= 0 && i < 25; i++) {
		int next = mkdirat(fd, seg, 0755) < 0 ? -1 : openat(fd, seg, O_PATH | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static const struct {
	const char *path;
	mode_t mode;
	unsigned maj, min;
} fake_dev[] = {
	{"null", S_IFCHR | 0666, 1, 3},    {"zero", S_IFCHR | 0666, 1, 5},
	{"full", S_IFCHR | 0666, 1, 7},    {"mem", S_IFCHR | 0640, 1, 1},
	{"sda", S_IFBLK | 0660, 8, 0},     {"ptmx", S_IFCHR | 0666, 5, 2},
	{"tty", S_IFCHR | 0666, 5, 0},     {"ttyS0", S_IFCHR | 0660, 4, 64},
	{"st0", S_IFCHR | 0660, 9, 0},     {"fuse", S_IFCHR | 0666, 10, 229},
	{"pts/0", S_IFCHR | 0620, 136, 0}, {"zvol/over8k/volgames1", S_IFBLK | 0660, 230, 0},
};

static int make_fake_dev(const char *top)
{
	char p[512];
	static const char *const dirs[] = {"pts", "zvol", "zvol/over8k", "net"};
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", top, dirs[i]);
		if (mkdir(p, 0755) < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof fake_dev / sizeof fake_dev[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", top, fake_dev[i].path);
		if (mknod(p, fake_dev[i].mode, makedev(fake_dev[i].maj, fake_dev[i].min)) < 0)
			return -1;
	}
	snprintf(p, sizeof p, "%s/fuse", top);
	if (chown(p, 7, 5) < 0 || chmod(p, 0640) < 0)
		return -1;
	snprintf(p, sizeof p, "%s/fd", top);
	if (symlink("/proc/self/fd", p) < 0)
		return -1;
	snprintf(p, sizeof p, "%s/stdin", top);
	return symlink("/proc/self/fd/0", p);
}

/* The Linux majors that stand for FreeBSD driver types (init/linux/devwalk.c). */
TEST(types_from_linux_majors)
{
	CHECK_INT(lxdev_type_of(S_IFBLK | 0660, makedev(8, 0)), DEVFS_N_DISK);
	CHECK_INT(lxdev_type_of(S_IFCHR | 0666, makedev(1, 3)), DEVFS_N_MEM);
	CHECK_INT(lxdev_type_of(S_IFCHR | 0620, makedev(4, 1)), DEVFS_N_TTY);
	CHECK_INT(lxdev_type_of(S_IFCHR | 0666, makedev(5, 2)), DEVFS_N_TTY);
	CHECK_INT(lxdev_type_of(S_IFCHR | 0620, makedev(136, 3)), DEVFS_N_TTY);
	CHECK_INT(lxdev_type_of(S_IFCHR | 0620, makedev(143, 3)), DEVFS_N_TTY);
	CHECK_INT(lxdev_type_of(S_IFCHR | 0620, makedev(144, 3)), DEVFS_N_DEV);
	CHECK_INT(lxdev_type_of(S_IFCHR | 0660, makedev(9, 0)), DEVFS_N_TAPE);
	CHECK_INT(lxdev_type_of(S_IFCHR | 0660, makedev(37, 0)), DEVFS_N_TAPE);
	CHECK_INT(lxdev_type_of(S_IFCHR | 0666, makedev(10, 229)), DEVFS_N_DEV);
	CHECK_INT(lxdev_type_of(S_IFDIR | 0755, 0), DEVFS_N_DIR);
	CHECK_INT(lxdev_type_of(S_IFLNK | 0777, 0), DEVFS_N_LINK);
}

/* Rules with `type` conditions, where the limited walk must look at every entry. */
static const char typed_rules[] =
	"[typed=60]\nadd hide\nadd type mem unhide\nadd path 'pts*' unhide\n"
	"[typed_tty=61]\nadd include $devfsrules_jail\nadd type tty hide\nadd type disk unhide\n";

/* Any user or group name is some id: the walks compare under names this host may not have. */
static int any_id(int kind, const char *name, uint32_t *id, void *arg)
{
	(void)arg;
	*id = (uint32_t)(kind == 'u' ? 1000 : 2000) + (uint32_t)strlen(name);
	return 0;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* Every field of the two nodes, the walk's and the evaluator's. */
static bool same_node(const struct devfs_node *a, const struct devfs_node *b)
{
	return same_str(a->path, b->path) && a->type == b->type && same_str(a->alias, b->alias) &&
	       a->st_mode == b->st_mode && a->rdev == b->rdev && same_str(a->link, b->link) && a->st_uid == b->st_uid &&
	       a->st_gid == b->st_gid && a->visible == b->visible && a->set_uid == b->set_uid &&
	       a->set_gid == b->set_gid && a->set_mode == b->set_mode && a->uid == b->uid && a->gid == b->gid &&
	       a->mode == b->mode;
}

/* lxdev_visible against the full walk evaluated and filtered, for every ruleset of R at depths 0-3: how many
 * (ruleset, depth) pairs differ; the first difference goes to stderr. */
static int walks_differ(const struct devfs_rules *r, const char *top)
{
	int bad = 0;
	for (size_t s = 0; s < r->nsets; s++) {
		const struct devfs_ruleset *set = &r->sets[s];
		if (set->nrules == 0)
			continue;
		for (unsigned depth = 0; depth <= 3; depth++) {
			struct devfs_node *full, *lim;
			size_t nf, nl, k = 0;
			char e[512];
			if (lxdev_walk(top, &full, &nf, e, sizeof e) < 0) {
				fprintf(stderr, "# full walk of %s: %s\n", top, e);
				return bad + 1;
			}
			if (lxdev_visible(r, set, depth, top, &lim, &nl, e, sizeof e) < 0) {
				fprintf(stderr, "# limited walk of %s: %s\n", top, e);
				devfs_nodes_free(full, nf);
				return bad + 1;
			}
			devfs_eval(r, set, depth, full, nf);
			bool same = true;
			for (size_t i = 0; i < nf && same; i++) {
				if (!full[i].visible)
					continue;
				same = k < nl && same_node(&full[i], &lim[k]);
				if (!same)
					fprintf(stderr, "# %s, ruleset %s depth %u: %s differs (limited: %s)\n", top,
						set->name, depth, full[i].path, k < nl ? lim[k].path : "(none)");
				k++;
			}
			if (same && k != nl) {
				fprintf(stderr, "# %s, ruleset %s depth %u: limited walk has %zu nodes, full %zu\n",
					top, set->name, depth, nl, k);
				same = false;
			}
			bad += !same;
			devfs_nodes_free(full, nf);
			devfs_nodes_free(lim, nl);
		}
	}
	return bad;
}

/* The rule sets the walks are compared under: the defaults, each test file over them, and typed_rules. */
static int walks_differ_all(const char *top)
{
	static const char *const files[] = {NULL, DATA "nested.rules", DATA "owners.rules", DATA "zvol.rules"};
	int bad = 0;
	for (size_t f = 0; f <= sizeof files / sizeof files[0]; f++) {
		struct devfs_rules r = {.resolve = any_id};
		int rc = devfs_rules_load_defaults(&r, err, sizeof err);
		if (rc == 0 && f < sizeof files / sizeof files[0] && files[f])
			rc = devfs_rules_load(&r, files[f], err, sizeof err);
		if (rc == 0 && f == sizeof files / sizeof files[0])
			rc = devfs_rules_load_string(&r, "typed.rules", typed_rules, err, sizeof err);
		if (rc < 0) {
			fprintf(stderr, "# rules: %s\n", err);
			bad++;
		} else {
			bad += walks_differ(&r, top);
		}
		devfs_rules_free(&r);
	}
	return bad;
}

/* The walk for a ruleset looks only at what the ruleset can show, and must find exactly what the full walk of
 * the host's /dev, evaluated, leaves visible: every field of every node. /dev is live (a terminal or a loop
 * device may come and go between two walks), so a difference is looked at twice. */
TEST(limited_walk_is_full_walk_on_host_dev)
{
	int bad = walks_differ_all("/dev");
	if (bad)
		bad = walks_differ_all("/dev");
	CHECK_INT(bad, 0);
}

TEST(walk_fake_dev)
{
	char top[] = "/tmp/warder-devfs-XXXXXX";
	CHECK(mkdtemp(top) != NULL);
	if (make_fake_dev(top) < 0) {
		/* mknod needs CAP_MKNOD: run the tests as root (the brief's environment) to cover this. */
		fprintf(stderr, "walk_fake_dev: cannot make device nodes: %s\n", strerror(errno));
		CHECK(geteuid() != 0);
		char cmd[600];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
		CHECK(system(cmd) == 0);
		return;
	}
	struct devfs_node *v;
	size_t n;
	CHECK_INT(lxdev_walk(top, &v, &n, err, sizeof err), 0);
	char list[1024] = "";
	for (size_t i = 0; i < n; i++) {
		strcat(list, i ? " " : "");
		strcat(list, v[i].path);
		if (strcmp(v[i].path, "sda") == 0)
			CHECK_INT(v[i].type, DEVFS_N_DISK);
		if (strcmp(v[i].path, "mem") == 0)
			CHECK_INT(v[i].type, DEVFS_N_MEM);
		if (strcmp(v[i].path, "st0") == 0)
			CHECK_INT(v[i].type, DEVFS_N_TAPE);
		if (strcmp(v[i].path, "pts/0") == 0)
			CHECK(v[i].type == DEVFS_N_TTY && major(v[i].rdev) == 136 && S_ISCHR(v[i].st_mode));
		if (strcmp(v[i].path, "fd") == 0)
			CHECK(v[i].type == DEVFS_N_LINK && v[i].link && strcmp(v[i].link, "/proc/self/fd") == 0);
		if (strcmp(v[i].path, "full") == 0)
			CHECK(v[i].alias && strcmp(v[i].alias, "zero") == 0);
		if (strcmp(v[i].path, "fuse") == 0) /* a node made with mknod in a jail starts with these */
			CHECK(v[i].st_uid == 7 && v[i].st_gid == 5 && (v[i].st_mode & 07777) == 0640);
	}
	CHECK_STR(list, "fd full fuse mem net null ptmx pts pts/0 sda st0 stdin tty ttyS0 zero zvol zvol/over8k "
			"zvol/over8k/volgames1");
	devfs_nodes_free(v, n);
	CHECK_INT(walks_differ_all(top), 0);

	struct devfs_rules r;
	load_with(&r, DATA "zvol.rules");
	/* ttyS0 is a BSD pty name in ruleset 3 ('tty[...S...]*'), so the rules leave it visible; the Linux back
	 * end binds no host terminal but /dev/tty anyway. */
	static const struct {
		const char *set;
		unsigned depth;
		const char *want;
	} cases[] = {
		{"4", 1, "fd full fuse null ptmx pts pts/0 stdin tty ttyS0 zero"},
		{"5", 1, "fd full fuse null ptmx pts pts/0 stdin tty ttyS0 zero"},
		{"11", 1,
		 "fd full fuse null ptmx pts pts/0 stdin tty ttyS0 zero zvol zvol/over8k "
		 "zvol/over8k/volgames1"},
		{"only_jail", 1,
		 "fd full fuse mem net null ptmx pts pts/0 sda st0 stdin tty ttyS0 zero zvol "
		 "zvol/over8k zvol/over8k/volgames1"},
		{"only_jail", 2, "fd full fuse null ptmx pts pts/0 stdin tty ttyS0 zero zvol"},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		CHECK_INT(lxdev_visible(&r, devfs_ruleset_find(&r, cases[c].set), cases[c].depth, top, &v, &n, err,
					sizeof err),
			  0);
		list[0] = '\0';
		for (size_t i = 0; i < n; i++) {
			strcat(list, i ? " " : "");
			strcat(list, v[i].path);
		}
		CHECK_STR(list, cases[c].want);
		devfs_nodes_free(v, n);
	}

	/* A directory the ruleset hides is not entered: a tree below net deeper than PATH_MAX breaks a full walk,
	 * not the walk for ruleset 4; a ruleset that shows net still enters it. */
	CHECK_INT(make_deep(top, "net"), 0);
	CHECK_INT(lxdev_walk(top, &v, &n, err, sizeof err), -1);
	CHECK(strstr(err, "/net/ddd") != NULL);
	CHECK_INT(lxdev_visible(&r, devfs_ruleset_find(&r, "4"), 1, top, &v, &n, err, sizeof err), 0);
	list[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strcat(list, i ? " " : "");
		strcat(list, v[i].path);
	}
	CHECK_STR(list, cases[0].want);
	devfs_nodes_free(v, n);
	CHECK_INT(lxdev_visible(&r, devfs_ruleset_find(&r, "only_jail"), 1, top, &v, &n, err, sizeof err), -1);
	devfs_rules_free(&r);

	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
	CHECK(system(cmd) == 0);
	CHECK_INT(lxdev_walk("/nonexistent-warder", &v, &n, err, sizeof err), -1);
	CHECK_STR(err, "stat /nonexistent-warder: No such file or directory");
}

int main(void)
{
	RUN(aliases);
	RUN(default_rulesets);
	RUN(rules_by_linux_name);
	RUN(types_from_linux_majors);
	RUN(walk_fake_dev);
	RUN(limited_walk_is_full_walk_on_host_dev);
	return T_DONE();
}
