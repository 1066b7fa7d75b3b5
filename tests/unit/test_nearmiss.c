/* Near-miss suggestions: the edit distance, the choice among candidates, and what keymap suggests for keys
 * people mistype. */
#include <string.h>

#include "keymap.h"
#include "nearmiss.h"
#include "t.h"

static const char *suggest(const char *key)
{
	static struct nearmiss s;
	keymap_suggest(key, &s);
	return s.best;
}

TEST(distance)
{
	CHECK_INT(nearmiss_distance("persist", "persist"), 0);
	CHECK_INT(nearmiss_distance("kitten", "sitting"), 3);
	CHECK_INT(nearmiss_distance("", "uid"), 3);
	CHECK_INT(nearmiss_distance("jial", "jail"), 2); /* a transposition is two edits */
	CHECK_INT(nearmiss_distance("user", "usr"), 1);
	char longer[200];
	memset(longer, 'a', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	CHECK_INT(nearmiss_distance(longer, "a"), (size_t)-1);
}

TEST(choice)
{
	struct nearmiss s;
	nearmiss_start(&s);
	CHECK_STR(s.best, "");
	nearmiss_consider(&s, "exec.strat", "exec.stop"); /* 3 edits: too far */
	CHECK_STR(s.best, "");
	nearmiss_consider(&s, "exec.strat", "exec.start");
	CHECK_STR(s.best, "exec.start");
	CHECK_INT(s.dist, 2);
	nearmiss_consider(&s, "exec.strat", "exec.stat"); /* nearer wins */
	CHECK_STR(s.best, "exec.stat");
	nearmiss_consider(&s, "exec.strat", "exec.strut"); /* as near: the first stays */
	CHECK_STR(s.best, "exec.stat");
	nearmiss_consider(&s, "exec.strat", "exec.strategy"); /* a prefix never displaces a near name */
	CHECK_STR(s.best, "exec.stat");

	nearmiss_start(&s);
	nearmiss_consider(&s, "persistent", "persist"); /* found by its prefix */
	CHECK_STR(s.best, "persist");
	CHECK_INT(s.dist, (size_t)-1);
	nearmiss_consider(&s, "persistent", "persistant"); /* a near name replaces a prefix */
	CHECK_STR(s.best, "persistant");
	nearmiss_start(&s);
	nearmiss_consider(&s, "pers", "persist"); /* a 4-character key names a prefix */
	CHECK_STR(s.best, "persist");
	nearmiss_start(&s);
	nearmiss_consider(&s, "per", "persist"); /* a shorter one does not */
	CHECK_STR(s.best, "");
}

/* Keys as people mistype them, and what keymap suggests ("" for nothing). */
static const struct {
	const char *key, *want;
} keys[] = {
	/* typos */
	{"host.hostnme", "host.hostname"},
	{"mount.devfss", "mount.devfs"},
	{"exec.prestrat", "exec.prestart"},
	{"allow.mont", "allow.mount"},
	{"uuid", "uid"},
	{"jail3", "jail"}, /* the parameter table comes before the aliases */
	{"includ", "include"},
	/* transpositions */
	{"exec-pre-jial", "exec-pre-jail"},
	{"hook-aasp", "hook-asap"},
	{"mount-as-roto", "mount-as-root"},
	{"umount-in-jali", "umount-in-jail"},
	{"namepsace", "namespace"},
	{"libjial", "libjail"},
	/* a common prefix, nothing within two edits */
	{"persistent", "persist"},
	{"namespace-keep", "namespace"},
	/* nothing near */
	{"frobnicate", ""},
	{"xyzzy", ""},
	{"socket-timeout", ""},
};

TEST(keys_suggested)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		CHECK_STR(suggest(keys[i].key), keys[i].want);
	char longer[300]; /* too long to measure */
	memset(longer, 'q', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	CHECK_STR(suggest(longer), "");
}

int main(void)
{
	RUN(distance);
	RUN(choice);
	RUN(keys_suggested);
	return T_DONE();
}
