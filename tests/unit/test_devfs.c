/* Unit tests of conf/devfs: the default rulesets, the seed's zvol ruleset, the kernel records, include depth,
 * the rules a jail uses and the ones a user namespace cannot apply, and every parser error (the walk of a
 * fake /dev is in test_devfs_linux.c). Run from the top of the source tree (data files). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "conf.h"
#include "devfs.h"
#include "jailpw.h"
#include "t.h"

#define DATA "tests/unit/data/devfs/"

static char err[512];

/* A fixed name table, so the tests do not depend on the host's passwd and group files. */
static int fake_ids(int kind, const char *name, uint32_t *id, void *arg)
{
	(void)arg;
	static const struct {
		int kind;
		const char *name;
		uint32_t id;
	} t[] = {{'u', "operator", 2}, {'g', "tty", 4}, {'g', "operator", 5}};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (t[i].kind == kind && strcmp(t[i].name, name) == 0) {
			*id = t[i].id;
			return 0;
		}
	return -1;
}

static void load_defaults(struct devfs_rules *r)
{
	memset(r, 0, sizeof *r);
	r->resolve = fake_ids;
	if (devfs_rules_load_defaults(r, err, sizeof err) < 0)
		fprintf(stderr, "defaults: %s\n", err);
}

static void load_with(struct devfs_rules *r, const char *file)
{
	load_defaults(r);
	if (devfs_rules_load(r, file, err, sizeof err) < 0)
		fprintf(stderr, "%s: %s\n", file, err);
}

/* A node list as FreeBSD and Linux hosts have them; aliases as a Linux walk sets them. */
static const struct {
	const char *path;
	enum devfs_ntype type;
} sample[] = {
	{"null", DEVFS_N_MEM},
	{"zero", DEVFS_N_MEM},
	{"full", DEVFS_N_MEM},
	{"random", DEVFS_N_MEM},
	{"urandom", DEVFS_N_MEM},
	{"crypto", DEVFS_N_DEV},
	{"mem", DEVFS_N_MEM},
	{"kmem", DEVFS_N_MEM},
	{"sda", DEVFS_N_DISK},
	{"ada0", DEVFS_N_DISK},
	{"ptmx", DEVFS_N_TTY},
	{"pts", DEVFS_N_DIR},
	{"pts/0", DEVFS_N_TTY},
	{"fd", DEVFS_N_DIR},
	{"fd/0", DEVFS_N_DEV},
	{"stdin", DEVFS_N_LINK},
	{"ttyp0", DEVFS_N_TTY},
	{"ttyv0", DEVFS_N_TTY},
	{"console", DEVFS_N_TTY},
	{"tty", DEVFS_N_TTY},
	{"fuse", DEVFS_N_DEV},
	{"zfs", DEVFS_N_DEV},
	{"pf", DEVFS_N_DEV},
	{"bpf", DEVFS_N_DEV},
	{"cam", DEVFS_N_DIR},
	{"cam/ctl", DEVFS_N_DEV},
	{"zvol", DEVFS_N_DIR},
	{"zvol/over8k", DEVFS_N_DIR},
	{"zvol/over8k/volgames1", DEVFS_N_DISK},
	{"zvol/over8k/other", DEVFS_N_DISK},
	{"zvol/tank/vol0", DEVFS_N_DISK},
};
#define NSAMPLE (sizeof sample / sizeof sample[0])

/* The visible sample nodes for SPEC at DEPTH, space-separated in sample order. */
static const char *visible(const struct devfs_rules *r, const char *spec, unsigned depth)
{
	static char out[1024];
	struct devfs_node nodes[NSAMPLE];
	const struct devfs_ruleset *set = devfs_ruleset_find(r, spec);
	out[0] = '\0';
	if (!set)
		return "(no such ruleset)";
	memset(nodes, 0, sizeof nodes);
	for (size_t i = 0; i < NSAMPLE; i++) {
		nodes[i].path = (char *)sample[i].path;
		nodes[i].type = sample[i].type;
		nodes[i].alias = devfs_linux_alias(sample[i].path);
	}
	devfs_eval(r, set, depth, nodes, NSAMPLE);
	for (size_t i = 0; i < NSAMPLE; i++) {
		if (!nodes[i].visible)
			continue;
		if (out[0])
			strcat(out, " ");
		strcat(out, nodes[i].path);
	}
	return out;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[16384];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

#define BASIC "null zero full random urandom crypto"
/* console answers to ptmx on Linux (devfs_linux_alias), so the login ruleset shows it */
#define LOGIN "ptmx pts pts/0 fd fd/0 stdin ttyp0 console tty"
#define ALL_SAMPLE                                                                                          \
	"null zero full random urandom crypto mem kmem sda ada0 ptmx pts pts/0 fd fd/0 stdin ttyp0 ttyv0 "  \
	"console tty fuse zfs pf bpf cam cam/ctl zvol zvol/over8k zvol/over8k/volgames1 zvol/over8k/other " \
	"zvol/tank/vol0"

TEST(defaults_text_matches_shipped_file)
{
	const char *file = slurp("conf/devfs.rules");
	CHECK(file != NULL);
	CHECK_STR(devfs_default_rules, file ? file : "");
}

TEST(defaults_parse)
{
	struct devfs_rules r;
	load_defaults(&r);
	CHECK_INT(r.nsets, 5);
	static const struct {
		const char *name;
		unsigned number;
		size_t nrules;
	} want[] = {
		{"devfsrules_hide_all", 1, 1}, {"devfsrules_unhide_basic", 2, 5}, {"devfsrules_unhide_login", 3, 10},
		{"devfsrules_jail", 4, 5},     {"devfsrules_jail_vnet", 5, 5},
	};
	for (size_t i = 0; i < 5 && i < r.nsets; i++) {
		CHECK_STR(r.sets[i].name, want[i].name);
		CHECK_INT(r.sets[i].number, want[i].number);
		CHECK_INT(r.sets[i].nrules, want[i].nrules);
		CHECK(devfs_ruleset_find(&r, want[i].name) == &r.sets[i]);
	}
	devfs_rules_free(&r);
}

TEST(find_by_number_or_name)
{
	struct devfs_rules r;
	load_with(&r, DATA "zvol.rules");
	const struct devfs_ruleset *s;
	CHECK((s = devfs_ruleset_find(&r, "4")) && s->number == 4);
	CHECK((s = devfs_ruleset_find(&r, "devfsrules_jail")) && s->number == 4);
	CHECK((s = devfs_ruleset_find(&r, "$devfsrules_jail_vnet")) && s->number == 5);
	CHECK((s = devfs_ruleset_find(&r, " 11 ")) && strcmp(s->name, "devfsrules_jail_zvol") == 0);
	CHECK((s = devfs_ruleset_find(&r, "devfsrules_jail_zvol")) && s->number == 11);
	CHECK(devfs_ruleset_find(&r, "0") == NULL);
	CHECK(devfs_ruleset_find(&r, "6") == NULL);
	CHECK(devfs_ruleset_find(&r, "70000") == NULL);
	CHECK(devfs_ruleset_find(&r, "devfsrules_nosuch") == NULL);
	CHECK(devfs_ruleset_find(&r, "") == NULL);
	devfs_rules_free(&r);
}

/* The kernel's numbers (fs/devfs/devfs.h, sys/conf.h of FreeBSD 14), written out by hand. */
TEST(constants_are_the_kernels)
{
	CHECK_INT(DEVFS_MAGIC_V, 0xdb0a087aU);
	CHECK_INT(DEVFS_PATTERN_MAX, 200);
	CHECK_INT(DEVFS_DRC_DSWFLAGS, 0x001);
	CHECK_INT(DEVFS_DRC_PATHPTRN, 0x002);
	CHECK_INT(DEVFS_DRA_BACTS, 0x001);
	CHECK_INT(DEVFS_DRA_UID, 0x002);
	CHECK_INT(DEVFS_DRA_GID, 0x004);
	CHECK_INT(DEVFS_DRA_MODE, 0x008);
	CHECK_INT(DEVFS_DRA_INCSET, 0x010);
	CHECK_INT(DEVFS_DRB_HIDE, 0x001);
	CHECK_INT(DEVFS_DRB_UNHIDE, 0x002);
	CHECK_INT(DEVFS_D_TAPE, 0x0001);
	CHECK_INT(DEVFS_D_DISK, 0x0002);
	CHECK_INT(DEVFS_D_TTY, 0x0004);
	CHECK_INT(DEVFS_D_MEM, 0x0008);
	CHECK_INT(DEVFS_MKRID(4, 100), 0x00040064);
	CHECK_INT(DEVFS_RID2RSN(0x000b012c), 11);
	CHECK_INT(DEVFS_RID2RN(0x000b012c), 300);
}

static void check_record(const struct devfs_rule *rule, uint32_t id, uint16_t rnum, int icond, int dswflags,
			 const char *ptrn, int iacts, int bacts, uint16_t incset)
{
	CHECK_INT(rule->rec.dr_magic, 0xdb0a087aU);
	CHECK_INT(rule->rec.dr_id, id);
	CHECK_INT(rule->rnum, rnum);
	CHECK_INT(rule->rec.dr_icond, icond);
	CHECK_INT(rule->rec.dr_dswflags, dswflags);
	CHECK_STR(rule->rec.dr_pathptrn, ptrn);
	CHECK_INT(rule->rec.dr_iacts, iacts);
	CHECK_INT(rule->rec.dr_bacts, bacts);
	CHECK_INT(rule->rec.dr_incset, incset);
}

/* Hand-computed: devfs(8) sends rule number 0 (dr_id = set << 16) and the kernel numbers 100, 200, ... */
TEST(records_of_default_rulesets)
{
	struct devfs_rules r;
	load_defaults(&r);
	const struct devfs_ruleset *s1 = devfs_ruleset_find(&r, "1"), *s3 = devfs_ruleset_find(&r, "3"),
				   *s4 = devfs_ruleset_find(&r, "4"), *s5 = devfs_ruleset_find(&r, "5");
	CHECK(s1 && s3 && s4 && s5);
	if (!s1 || !s3 || !s4 || !s5)
		return;
	check_record(&s1->rules[0], 0x00010000, 100, 0, 0, "", 0x01, 0x01, 0);
	check_record(&s3->rules[0], 0x00030000, 100, 0x02, 0, "pty[pqrsPQRSlmnoLMNO]*", 0x01, 0x02, 0);
	check_record(&s3->rules[4], 0x00030000, 500, 0x02, 0, "pts/*", 0x01, 0x02, 0);
	check_record(&s3->rules[9], 0x00030000, 1000, 0x02, 0, "stderr", 0x01, 0x02, 0);
	check_record(&s4->rules[0], 0x00040000, 100, 0, 0, "", 0x10, 0, 1);
	check_record(&s4->rules[1], 0x00040000, 200, 0, 0, "", 0x10, 0, 2);
	check_record(&s4->rules[2], 0x00040000, 300, 0, 0, "", 0x10, 0, 3);
	check_record(&s4->rules[3], 0x00040000, 400, 0x02, 0, "fuse", 0x01, 0x02, 0);
	check_record(&s4->rules[4], 0x00040000, 500, 0x02, 0, "zfs", 0x01, 0x02, 0);
	check_record(&s5->rules[3], 0x00050000, 400, 0, 0, "", 0x10, 0, 4);
	check_record(&s5->rules[4], 0x00050000, 500, 0x02, 0, "pf", 0x01, 0x02, 0);
	CHECK_STR(s4->rules[3].file, DEVFS_DEFAULT_NAME);

	char buf[256];
	devfs_record_format(&s4->rules[0].rec, s4->rules[0].rnum, buf, sizeof buf);
	CHECK_STR(buf, "100 include 1");
	devfs_record_format(&s3->rules[4].rec, s3->rules[4].rnum, buf, sizeof buf);
	CHECK_STR(buf, "500 path 'pts/*' unhide");
	devfs_record_format(&s1->rules[0].rec, s1->rules[0].rnum, buf, sizeof buf);
	CHECK_STR(buf, "100 hide");
	devfs_rules_free(&r);
}

TEST(records_of_zvol_seed)
{
	struct devfs_rules r;
	load_with(&r, DATA "zvol.rules");
	const struct devfs_ruleset *s = devfs_ruleset_find(&r, "devfsrules_jail_zvol");
	CHECK(s && s->nrules == 9);
	if (!s || s->nrules != 9)
		return;
	for (unsigned i = 0; i < 4; i++)
		check_record(&s->rules[i], 0x000b0000, (uint16_t)(100 * (i + 1)), 0, 0, "", 0x10, 0, (uint16_t)(i + 1));
	static const char *const paths[] = {"cam", "cam/ctl", "zvol", "zvol/over8k", "zvol/over8k/volgames*"};
	for (unsigned i = 0; i < 5; i++)
		check_record(&s->rules[4 + i], 0x000b0000, (uint16_t)(500 + 100 * i), 0x02, 0, paths[i], 0x01, 0x02, 0);
	CHECK_INT(s->rules[8].line, 11);
	CHECK_STR(s->rules[8].file, DATA "zvol.rules");

	/* Load order: every included ruleset before the one that includes it. */
	const struct devfs_ruleset *plan[8];
	int n = devfs_load_plan(&r, s, true, plan, 8);
	CHECK_INT(n, 5);
	if (n == 5) {
		CHECK_INT(plan[0]->number, 1);
		CHECK_INT(plan[1]->number, 2);
		CHECK_INT(plan[2]->number, 3);
		CHECK_INT(plan[3]->number, 4);
		CHECK_INT(plan[4]->number, 11);
	}
	CHECK_INT(devfs_load_plan(&r, s, true, plan, 4), -1);
	CHECK_INT(devfs_load_plan(&r, s, false, plan, 8), 1);
	CHECK(plan[0] == s);
	devfs_rules_free(&r);
}

/* A redefined ruleset can close an include loop; the load plan must refuse it, not recurse forever
 * (found by the fuzzer: tests/fuzz/regress/devfs-include-cycle). */
TEST(include_loop_refused)
{
	struct devfs_rules r = {0};
	const struct devfs_ruleset *out[8];
	int rc = devfs_rules_load_string(&r, "loop.rules",
					 "[a=10]\nadd path null unhide\n[b=11]\nadd include $a\n[a=10]\nadd include $b\n",
					 err, sizeof err);
	if (rc == 0) {
		CHECK_INT(devfs_load_plan(&r, devfs_ruleset_find(&r, "a"), true, out, 8), -1);
		CHECK_INT(devfs_load_plan(&r, devfs_ruleset_find(&r, "b"), true, out, 8), -1);
	} else {
		CHECK(rc == -1);
	}
	devfs_rules_free(&r);
}

/* Without a resolver of their own, rules ask the registered host resolver: warder registers jailpw's, so user
 * and group names are the host's (the static build reads /etc/passwd and /etc/group itself); a number names
 * itself. getpwnam/getgrnam in this test are the oracle. None registered: names are unknown, numbers work. */
TEST(host_names)
{
	struct devfs_rules r = {0};
	CHECK_INT(devfs_rules_load_string(&r, "none.rules", "[none=22]\nadd path a unhide user daemon\n", err, sizeof err),
		  -1);
	CHECK_STR(err, "none.rules:2: unknown user 'daemon'");
	devfs_rules_free(&r);
	CHECK_INT(devfs_rules_load_string(&r, "none.rules", "[none=22]\nadd path a unhide user 7 group 8\n", err,
					  sizeof err),
		  0);
	devfs_rules_free(&r);
	devfs_set_host_resolver(jailpw_host_id);
	struct passwd *pw = getpwnam("daemon");
	struct group *gr = getgrnam("tty");
	if (!pw || !gr) {
		fprintf(stderr, "# host_names: no daemon user or tty group here, skipped\n");
		return;
	}
	uid_t uid = pw->pw_uid;
	gid_t gid = gr->gr_gid;
	int rc = devfs_rules_load_string(&r, "host.rules",
					 "[host=21]\nadd path a unhide user daemon group tty\nadd path b unhide user 4321\n",
					 err, sizeof err);
	CHECK_INT(rc, 0);
	const struct devfs_ruleset *s = devfs_ruleset_find(&r, "host");
	CHECK(s && s->nrules == 2);
	if (s && s->nrules == 2) {
		CHECK_INT(s->rules[0].rec.dr_uid, uid);
		CHECK_INT(s->rules[0].rec.dr_gid, gid);
		CHECK_INT(s->rules[1].rec.dr_uid, 4321);
	}
	devfs_rules_free(&r);
}

/* Written numbers keep their place; autonumbering continues 100 after the highest rule, as the kernel does. */
TEST(explicit_rule_numbers)
{
	struct devfs_rules r = {0};
	r.resolve = fake_ids;
	int rc = devfs_rules_load_string(&r, "num.rules",
					 "[num=20]\n"
					 "add 50 path a hide\n"
					 "add path b type disk type tty hide\n"
					 "add 10 path c unhide mode 660 user operator group 7\n",
					 err, sizeof err);
	CHECK_INT(rc, 0);
	const struct devfs_ruleset *s = devfs_ruleset_find(&r, "num");
	CHECK(s && s->nrules == 3);
	if (s && s->nrules == 3) {
		check_record(&s->rules[0], 0x0014000a, 10, 0x02, 0, "c", 0x01 | 0x02 | 0x04 | 0x08, 0x02, 0);
		CHECK_INT(s->rules[0].rec.dr_mode, 0660);
		CHECK_INT(s->rules[0].rec.dr_uid, 2);
		CHECK_INT(s->rules[0].rec.dr_gid, 7);
		check_record(&s->rules[1], 0x00140032, 50, 0x02, 0, "a", 0x01, 0x01, 0);
		check_record(&s->rules[2], 0x00140000, 150, 0x03, 0x0002 | 0x0004, "b", 0x01, 0x01, 0);
		char buf[256];
		devfs_record_format(&s->rules[0].rec, s->rules[0].rnum, buf, sizeof buf);
		CHECK_STR(buf, "10 path 'c' unhide user 2 group 7 mode 660");
		devfs_record_format(&s->rules[2].rec, s->rules[2].rnum, buf, sizeof buf);
		CHECK_STR(buf, "150 type disk type tty path 'b' hide");
	}
	devfs_rules_free(&r);
}

TEST(eval_rulesets_4_and_5)
{
	struct devfs_rules r;
	load_defaults(&r);
	CHECK_STR(visible(&r, "4", 1), BASIC " " LOGIN " fuse zfs");
	CHECK_STR(visible(&r, "devfsrules_jail_vnet", 1), BASIC " " LOGIN " fuse zfs pf");
	/* Depth 0: the includes are skipped, nothing hides anything. */
	CHECK_STR(visible(&r, "5", 0), ALL_SAMPLE);
	/* Ruleset 2 alone hides nothing: it "requires devfsrules_hide_all". */
	CHECK_STR(visible(&r, "2", 1), ALL_SAMPLE);
	CHECK_STR(visible(&r, "1", 1), "");
	/* Depth 2 changes nothing for 5: its includes of 4's includes repeat what it did. */
	CHECK_STR(visible(&r, "5", 2), BASIC " " LOGIN " fuse zfs pf");
	devfs_rules_free(&r);
}

TEST(eval_zvol_seed)
{
	struct devfs_rules r;
	load_with(&r, DATA "zvol.rules");
	const char *want = BASIC " " LOGIN " fuse zfs cam cam/ctl zvol zvol/over8k zvol/over8k/volgames1";
	CHECK_STR(visible(&r, "11", 1), want);
	CHECK_STR(visible(&r, "11", 2), want);
	/* Ruleset 4 alone at depth 1 leaves every node visible; at depth 2 its includes hide them. */
	CHECK_STR(visible(&r, "only_jail", 1), ALL_SAMPLE);
	CHECK_STR(visible(&r, "only_jail", 2), BASIC " " LOGIN " fuse zfs zvol");
	devfs_rules_free(&r);
}

/* 'zvol/x' is unreachable while 'zvol' is hidden. */
TEST(hidden_directory_hides_children)
{
	struct devfs_rules r;
	load_defaults(&r);
	CHECK_INT(devfs_rules_load_string(&r, "dir.rules",
					  "[dirs=40]\n"
					  "add include $devfsrules_hide_all\n"
					  "add path 'zvol/*/*' unhide\n"
					  "add path 'zvol/*' unhide\n",
					  err, sizeof err),
		  0);
	CHECK_STR(visible(&r, "dirs", 1), "");
	CHECK_INT(devfs_rules_load_string(&r, "dir2.rules",
					  "[dirs2=41]\n"
					  "add include 40\n"
					  "add path zvol unhide\n",
					  err, sizeof err),
		  0);
	/* FNM_PATHNAME: a star stops at '/', so each level needs its own rule. */
	CHECK_STR(visible(&r, "dirs2", 2), "zvol zvol/over8k zvol/over8k/volgames1 zvol/over8k/other zvol/tank/vol0");
	CHECK_STR(visible(&r, "dirs2", 1), ALL_SAMPLE);
	devfs_rules_free(&r);
}

TEST(eval_nested_depths)
{
	struct devfs_rules r;
	load_with(&r, DATA "nested.rules");
	struct devfs_node n[3] = {{.path = "secret1", .type = DEVFS_N_DEV},
				  {.path = "secret2", .type = DEVFS_N_DEV},
				  {.path = "null", .type = DEVFS_N_MEM}};
	const struct devfs_ruleset *outer = devfs_ruleset_find(&r, "outer");
	CHECK(outer != NULL);
	if (!outer)
		return;
	devfs_eval(&r, outer, 1, n, 3);
	CHECK(n[0].visible && n[1].visible && !n[2].visible);
	CHECK(n[1].set_mode && n[1].mode == 0640 && n[1].set_uid && n[1].uid == 2 && n[1].set_gid && n[1].gid == 4);
	CHECK(!n[0].set_mode && !n[0].set_uid && !n[0].set_gid);
	devfs_eval(&r, outer, 2, n, 3);
	CHECK(!n[0].visible && n[1].visible && !n[2].visible);
	devfs_eval(&r, outer, 0, n, 3);
	CHECK(n[0].visible && n[1].visible && n[2].visible);
	CHECK(!n[1].set_mode);
	devfs_rules_free(&r);
}

/* A user's file may replace a default ruleset ([name=N] again: rc.subr's delset). */
TEST(merge_and_replace)
{
	struct devfs_rules r;
	load_defaults(&r);
	CHECK_INT(devfs_rules_load_string(&r, "user.rules",
					  "[devfsrules_jail=4]  # mine\n"
					  "add include $devfsrules_hide_all\n"
					  "add path null unhide\n",
					  err, sizeof err),
		  0);
	const struct devfs_ruleset *s4 = devfs_ruleset_find(&r, "4");
	CHECK(s4 && s4->nrules == 2 && strcmp(s4->file, "user.rules") == 0);
	CHECK_INT(r.nsets, 5);
	CHECK_STR(visible(&r, "4", 1), "null");
	/* 5 includes 4 by number, so it sees the new 4 (its own includes of 1-3 still apply). */
	CHECK_STR(visible(&r, "5", 1), BASIC " " LOGIN " pf");
	devfs_rules_free(&r);
}

TEST(exposes_host_devices)
{
	struct devfs_rules r;
	char what[64];
	load_with(&r, DATA "zvol.rules");
	CHECK(!devfs_exposes_host_devices(&r, devfs_ruleset_find(&r, "4"), 1, what, sizeof what));
	CHECK(!devfs_exposes_host_devices(&r, devfs_ruleset_find(&r, "5"), 1, what, sizeof what));
	CHECK(devfs_exposes_host_devices(&r, devfs_ruleset_find(&r, "11"), 1, what, sizeof what));
	CHECK_STR(what, "zvol/over8k");
	CHECK(devfs_exposes_host_devices(&r, devfs_ruleset_find(&r, "only_jail"), 1, what, sizeof what));
	CHECK_STR(what, "mem");
	CHECK(!devfs_exposes_host_devices(&r, devfs_ruleset_find(&r, "only_jail"), 2, what, sizeof what));
	CHECK_INT(devfs_rules_load_string(&r, "t.rules",
					  "[disks=50]\nadd include 1\nadd type disk unhide\n"
					  "[mems=51]\nadd include 1\nadd type mem unhide group operator mode 0640\n",
					  err, sizeof err),
		  0);
	CHECK(devfs_exposes_host_devices(&r, devfs_ruleset_find(&r, "disks"), 1, what, sizeof what));
	CHECK_STR(what, "sda");
	CHECK(devfs_exposes_host_devices(&r, devfs_ruleset_find(&r, "mems"), 1, what, sizeof what));
	CHECK_STR(what, "mem");
	devfs_rules_free(&r);
}

TEST(linux_aliases)
{
	CHECK_STR(devfs_linux_alias("full"), "zero");
	CHECK_STR(devfs_linux_alias("tty"), "ptmx");
	CHECK(devfs_linux_alias("tty0") == NULL);
}

/* "FILE:LINE FILE:LINE ..." of the rules SPEC runs at DEPTH that set a user, group or mode. */
static const char *owner_lines(const struct devfs_rules *r, const char *spec, unsigned depth, char *buf, size_t len)
{
	const struct devfs_rule *out[8];
	const struct devfs_ruleset *set = devfs_ruleset_find(r, spec);
	buf[0] = '\0';
	if (!set)
		return "no such ruleset";
	size_t n = devfs_owner_rules(r, set, depth, out, 8);
	for (size_t i = 0; i < n && i < 8; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%d", i ? " " : "", out[i]->line);
	return buf;
}

TEST(owner_rules)
{
	struct devfs_rules r;
	char buf[128];
	load_with(&r, DATA "owners.rules");
	CHECK_STR(owner_lines(&r, "4", 1, buf, sizeof buf), "");
	CHECK_STR(owner_lines(&r, "owners", 0, buf, sizeof buf), "9 10");
	CHECK_STR(owner_lines(&r, "owners", 1, buf, sizeof buf), "3 9 10");
	/* depth 1: owners' own rules run, not what owners includes */
	CHECK_STR(owner_lines(&r, "deep", 1, buf, sizeof buf), "9 10 15");
	CHECK_STR(owner_lines(&r, "deep", 2, buf, sizeof buf), "3 9 10 15");
	/* each rule once, however often it is reached; the count goes past max */
	const struct devfs_rule *one[1];
	CHECK_INT(devfs_owner_rules(&r, devfs_ruleset_find(&r, "deep"), 2, one, 1), 4);
	CHECK_INT(one[0]->line, 3);
	devfs_rules_free(&r);
}

/* A config of one jail [j]; "@" in BODY stands for the absolute path of owners.rules. */
static struct conf *jail_conf(const char *body)
{
	char text[2048], cwd[1024];
	struct conf *c = NULL;
	size_t k = (size_t)snprintf(text, sizeof text, "[j]\n");
	if (!getcwd(cwd, sizeof cwd))
		return NULL;
	for (const char *b = body; *b && k < sizeof text - 1100; b++)
		if (*b == '@')
			k += (size_t)snprintf(text + k, sizeof text - k, "%s/" DATA "owners.rules", cwd);
		else
			text[k++] = *b;
	text[k++] = '\n';
	text[k] = '\0';
	if (conf_load_string("t.conf", text, &c, err, sizeof err) < 0)
		fprintf(stderr, "t.conf: %s\n", err);
	return c;
}

/* What devfs_check_linux writes to stderr, and how many rules it names. */
static size_t check_linux(const struct jail *j, char *buf, size_t len)
{
	FILE *f = tmpfile();
	int saved = dup(2);
	size_t n, k;
	fflush(stderr);
	dup2(fileno(f), 2);
	n = devfs_check_linux(j);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	k = fread(buf, 1, len - 1, f);
	buf[k] = '\0';
	fclose(f);
	return n;
}

TEST(jail_rules_and_userns_warning)
{
	struct devfs_rules r = {0};
	const struct devfs_ruleset *set;
	unsigned depth;
	char out[4096];
	struct conf *c = jail_conf("path = /nonexistent\nunshare = mount,user\ndevfs.rules = @\n"
				   "devfs_ruleset = owners");
	CHECK(c != NULL);
	if (!c)
		return;
	const struct jail *j = &c->jails[0];
	CHECK_INT(devfs_jail_rules(j, &r, &set, &depth, err, sizeof err), 0);
	CHECK(set && set->number == 31 && depth == 1);
	devfs_rules_free(&r);
	CHECK(devfs_linux_wanted(j));
	CHECK(devfs_linux_userns(j));
	CHECK_INT(check_linux(j, out, sizeof out), 3);
	CHECK(strstr(out, "/tests/unit/data/devfs/owners.rules:3: devfs rule \"100 path 'zero' group 5\" cannot apply in "
			  "jail j: it has a user namespace") != NULL);
	CHECK(strstr(out, "owners.rules:9: devfs rule \"400 path 'null' mode 600\"") != NULL);
	CHECK(strstr(out, "owners.rules:10: devfs rule \"500 path 'tty*' user 2 group 4\"") != NULL);
	conf_free(c);

	/* root in the host's user namespace makes the nodes: every rule applies, nothing to say */
	c = jail_conf("path = /nonexistent\nunshare = mount,pid\ndevfs.rules = @\n"
		      "devfs_ruleset = owners");
	CHECK(c && !devfs_linux_userns(&c->jails[0]) && check_linux(&c->jails[0], out, sizeof out) == 0 && !out[0]);
	conf_free(c);
	/* no /dev built: nothing to say either */
	c = jail_conf("path = /nonexistent\nunshare = user,mount\nmount.devfs = false\ndevfs.rules = @\n"
		      "devfs_ruleset = owners");
	CHECK(c && !devfs_linux_wanted(&c->jails[0]) && check_linux(&c->jails[0], out, sizeof out) == 0);
	conf_free(c);
	/* ruleset 4 sets no owner */
	c = jail_conf("path = /nonexistent\nunshare = user,mount");
	CHECK(c && check_linux(&c->jails[0], out, sizeof out) == 0);
	conf_free(c);

	c = jail_conf("path = /x\ndevfs.rules = @\ndevfs_ruleset = nosuch");
	CHECK(c && devfs_jail_rules(&c->jails[0], &r, &set, &depth, err, sizeof err) == -1);
	CHECK_STR(err, "devfs_ruleset nosuch is not defined in devfs.rules");
	devfs_rules_free(&r);
	conf_free(c);
	c = jail_conf("path = /x\ndevfs.rules = /nonexistent/devfs.rules");
	CHECK(c && devfs_jail_rules(&c->jails[0], &r, &set, &depth, err, sizeof err) == -1);
	CHECK(strstr(err, "/nonexistent/devfs.rules") != NULL);
	devfs_rules_free(&r);
	conf_free(c);
}

/* Each bad text, loaded after the defaults, and the one-line error it must give. */
static const struct {
	const char *text;
	const char *want;
} bad[] = {
	{"add path x hide\n", "bad.rules:1: rule before any [name=number] ruleset header"},
	{"[a=60]\n\nadd path x frob\n", "bad.rules:3: unknown action 'frob' (hide, unhide, user, group, mode, include)"},
	{"[a=60]\nadd path x mode 0999\n", "bad.rules:2: bad mode '0999' (octal, 0 to 7777)"},
	{"[a=60]\nadd path x mode u+rw\n", "bad.rules:2: bad mode 'u+rw' (octal, 0 to 7777)"},
	{"[a=60]\nadd path x mode 17777\n", "bad.rules:2: bad mode '17777' (octal, 0 to 7777)"},
	{"[a=60]\nadd include $nosuch\n",
	 "bad.rules:2: unknown ruleset $nosuch (a ruleset must be defined before it is used)"},
	{"[a=60]\nadd include $later\n[later=61]\nadd hide\n",
	 "bad.rules:2: unknown ruleset $later (a ruleset must be defined before it is used)"},
	{"[a=60]\nadd include 99\n", "bad.rules:2: include of unknown ruleset 99"},
	{"[a=60]\nadd include foo\n", "bad.rules:2: bad include 'foo' (a ruleset number or $name)"},
	{"[a=60]\nadd hide\nadd include $a\n", "bad.rules:3: ruleset a includes itself"},
	{"[e=60]\n[a=61]\nadd include $e\n", "bad.rules:3: include of empty ruleset e (60)"},
	{"[a=60]\n[b=60]\n", "bad.rules:2: ruleset 60 is already named a (bad.rules:1)"},
	{"[devfsrules_mine=4]\n", "bad.rules:1: ruleset 4 is already named devfsrules_jail (devfs.rules(defaults):42)"},
	{"[a=60]\n[a=61]\n", "bad.rules:2: ruleset name a is already ruleset 60 (bad.rules:1)"},
	{"[a=0]\n", "bad.rules:1: bad ruleset number '0' (1-65535)"},
	{"[a=65536]\n", "bad.rules:1: bad ruleset number '65536' (1-65535)"},
	{"[a=x]\n", "bad.rules:1: bad ruleset number 'x' (1-65535)"},
	{"[a]\n", "bad.rules:1: bad ruleset header '[a]' (expected [name=number])"},
	{"[a=1] trailing\n", "bad.rules:1: bad ruleset header '[a=1] trailing' (expected [name=number])"},
	{"[my-set=60]\n", "bad.rules:1: bad ruleset name 'my-set' (letters, digits and _)"},
	{"[=60]\n", "bad.rules:1: bad ruleset name '' (letters, digits and _)"},
	{"[a=60]\nadd path\n", "bad.rules:2: expecting an argument for path"},
	{"[a=60]\nadd path x mode\n", "bad.rules:2: expecting an argument for mode"},
	{"[a=60]\nadd type floppy hide\n", "bad.rules:2: unknown device type 'floppy' (disk, mem, tape, tty)"},
	{"[a=60]\nadd hide path x\n", "bad.rules:2: 'path' must come before the actions"},
	{"[a=60]\ndelset\n", "bad.rules:2: unknown command 'delset' (devfs.rules lines are 'add ...')"},
	{"[a=60]\nadd\n", "bad.rules:2: empty rule"},
	{"[a=60]\nadd path 'x unhide\n", "bad.rules:2: unterminated ' quote"},
	{"[a=60]\nadd path x\n", "bad.rules:2: rule has no action (hide, unhide, user, group, mode, include)"},
	{"[a=60]\nadd 100 path a hide\nadd 100 path b hide\n",
	 "bad.rules:3: rule number 100 is already used in ruleset a (bad.rules:2)"},
	{"[a=60]\nadd 0 path a hide\n", "bad.rules:2: bad rule number '0' (1-65535)"},
	{"[a=60]\nadd 65535 path a hide\nadd path b hide\n",
	 "bad.rules:3: ruleset a is full: no rule number left after 65535"},
	{"[a=60]\nadd path x user nosuchuser\n", "bad.rules:2: unknown user 'nosuchuser'"},
	{"[a=60]\nadd path x group nosuchgroup\n", "bad.rules:2: unknown group 'nosuchgroup'"},
	{"[a=60]\nadd path x include ${a\n", "bad.rules:2: bad ${...} reference"},
	{"[a=60]\nadd path $ hide\n", "bad.rules:2: '$' without a ruleset name"},
};

TEST(parser_errors)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct devfs_rules r;
		load_defaults(&r);
		err[0] = '\0';
		CHECK_INT(devfs_rules_load_string(&r, "bad.rules", bad[i].text, err, sizeof err), -1);
		CHECK_STR(err, bad[i].want);
		devfs_rules_free(&r);
	}
	/* A pattern one character too long for dr_pathptrn. */
	char text[400];
	snprintf(text, sizeof text, "[a=60]\nadd path %0200d hide\n", 0);
	struct devfs_rules r;
	load_defaults(&r);
	CHECK_INT(devfs_rules_load_string(&r, "bad.rules", text, err, sizeof err), -1);
	CHECK_STR(err, "bad.rules:2: path pattern longer than 199 characters");
	devfs_rules_free(&r);
}

TEST(file_errors)
{
	struct devfs_rules r;
	load_defaults(&r);
	CHECK_INT(devfs_rules_load(&r, DATA "bad.rules", err, sizeof err), -1);
	CHECK_STR(err, DATA "bad.rules:4: unknown action 'unhid' (hide, unhide, user, group, mode, include)");
	CHECK_INT(devfs_rules_load(&r, "/nonexistent/devfs.rules", err, sizeof err), -1);
	CHECK_STR(err, "/nonexistent/devfs.rules: No such file or directory");
	devfs_rules_free(&r);
}

/* Quoting and comments as rc.subr's shell sees them. */
TEST(quoting_and_comments)
{
	struct devfs_rules r;
	load_defaults(&r);
	CHECK_INT(devfs_rules_load_string(&r, "q.rules",
					  "   # indented comment\n"
					  "[q=70]   \n"
					  "\tadd path \"a b*\" unhide # trailing\n"
					  "add path a\\ c hide\n"
					  "add path 'x'y\"z\" hide\n"
					  "add include \"$devfsrules_hide_all\"\n",
					  err, sizeof err),
		  0);
	const struct devfs_ruleset *s = devfs_ruleset_find(&r, "q");
	CHECK(s && s->nrules == 4);
	if (s && s->nrules == 4) {
		CHECK_STR(s->rules[0].rec.dr_pathptrn, "a b*");
		CHECK_STR(s->rules[1].rec.dr_pathptrn, "a c");
		CHECK_STR(s->rules[2].rec.dr_pathptrn, "xyz");
		CHECK_INT(s->rules[3].rec.dr_incset, 1);
		CHECK_INT(s->rules[0].line, 3);
	}
	devfs_rules_free(&r);
}

/* Lines of any length: comments in Russian longer than libinih's 200 bytes, and words past 1 KiB. */
TEST(long_lines)
{
	static const char ru[] =
		"Этот комментарий по-русски длиннее буфера строки libinih в Debian и всё равно читается целиком без ошибки конфигурации Этот комментарий по-русски длиннее......";
	static char text[8192];
	char user[1100];
	memset(user, 'u', sizeof user - 1);
	user[sizeof user - 1] = '\0';
	struct devfs_rules r;
	load_defaults(&r);
	snprintf(text, sizeof text, "# %s %s\n[long=71] # %s\nadd path 'null' unhide # %s %s\n", ru, ru, ru, ru, ru);
	CHECK_INT(devfs_rules_load_string(&r, "long.rules", text, err, sizeof err), 0);
	const struct devfs_ruleset *s = devfs_ruleset_find(&r, "long");
	CHECK(s && s->nrules == 1 && s->rules[0].line == 3);
	/* a word past the old 1 KiB line buffer gets the message about the word, not "line too long" */
	snprintf(text, sizeof text, "[long2=72]\nadd path null user %s\n", user);
	CHECK_INT(devfs_rules_load_string(&r, "long.rules", text, err, sizeof err), -1);
	CHECK(strncmp(err, "long.rules:2: ", 14) == 0 && !strstr(err, "too long"));
	devfs_rules_free(&r);
}

int main(void)
{
	RUN(defaults_text_matches_shipped_file);
	RUN(long_lines);
	RUN(defaults_parse);
	RUN(find_by_number_or_name);
	RUN(constants_are_the_kernels);
	RUN(records_of_default_rulesets);
	RUN(records_of_zvol_seed);
	RUN(explicit_rule_numbers);
	RUN(eval_rulesets_4_and_5);
	RUN(eval_zvol_seed);
	RUN(hidden_directory_hides_children);
	RUN(eval_nested_depths);
	RUN(merge_and_replace);
	RUN(exposes_host_devices);
	RUN(linux_aliases);
	RUN(owner_rules);
	RUN(jail_rules_and_userns_warning);
	RUN(host_names);
	RUN(parser_errors);
	RUN(include_loop_refused);
	RUN(file_errors);
	RUN(quoting_and_comments);
	return T_DONE();
}
