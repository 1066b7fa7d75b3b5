/* Unit tests of list keys across "=", "+=" and repeats (DESIGN.md's dialect, jail.conf's "=" after "+="):
 * each case loads a config and compares jail j's exec.prestart values, joined with '|'. */
#include "conf.h"
#include "t.h"

#include <stdlib.h>

static const char *joined(const char *text, char *buf, size_t len)
{
	struct conf *c = NULL;
	char err[200];
	if (conf_load_string("t.conf", text, &c, err, sizeof err) < 0) {
		snprintf(buf, len, "error: %s", err);
		return buf;
	}
	const struct conf_value *v;
	size_t n = jail_list(conf_jail(c, "j"), "exec.prestart", &v);
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? "|" : "", v[i].text);
	conf_free(c);
	return buf;
}

TEST(lists)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		/* the reported bug: "=" after "+=" in the same section replaces the list */
		{"[j]\nexec.prestart += a\nexec.prestart = b\n", "b"},
		{"[j]\nexec.prestart = a\nexec.prestart += b\nexec.prestart = c\n", "c"},
		{"[*]\nexec.prestart = a\n[j]\nexec.prestart += b\nexec.prestart = c\n", "c"},
		/* and "=" after that starts a new run that repeats may extend */
		{"[j]\nexec.prestart += a\nexec.prestart = b\nexec.prestart = c\n", "b|c"},
		/* what stays as it was: += and repeats append, [*]'s value yields to the jail's "=" */
		{"[j]\nexec.prestart = a\nexec.prestart = b\n", "a|b"},
		{"[j]\nexec.prestart = a\nexec.prestart += b\n", "a|b"},
		{"[*]\nexec.prestart = a\n[j]\nexec.prestart += b\n", "a|b"},
		{"[*]\nexec.prestart = a\n[j]\nexec.prestart = b\nexec.prestart = c\n", "b|c"},
		{"[*]\nexec.prestart = a\nexec.prestart += z\n[j]\nexec.prestart = b\n", "b"},
		/* a wildcard section after the jail's is applied after it, as jail(8) does */
		{"[j]\nexec.prestart = a\n[*]\nexec.prestart = b\n", "b"},
		{"[j]\nexec.prestart = a\n[*]\nexec.prestart += b\n", "a|b"},
	};
	char buf[256];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		CHECK_STR(joined(cases[i].text, buf, sizeof buf), cases[i].want);
}

int main(void)
{
	RUN(lists);
	return T_DONE();
}
