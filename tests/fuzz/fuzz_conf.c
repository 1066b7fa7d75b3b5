/* The config reader: INI through libinih, the section merge, uWSGI aliases, guards, includes (from the
 * sandbox's /fuzz tree: inc.d/, fragment.inc, an include loop), variable expansion, the parameter table's
 * validators; then every lookup, what check verifies and warns about, and both plans (`warder check`), printed
 * to /dev/null; and each of the first jails loaded alone, as `run NAME` loads it. */
#include "conf.h"
#include "log.h"
#include "sandbox.h"
#include "steps.h"

static int devnull = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0)
		fuzz_die("/dev/null");
	fuzz_sandbox();
	return 0;
}

static void lookups(const struct jail *j)
{
	for (size_t i = 0; i < param_count; i++) {
		const char *name = param_table[i].name;
		if (param_table[i].flags & PF_PREFIX)
			continue;
		(void)jail_get(j, name);
		(void)jail_is_set(j, name);
		const struct conf_value *v;
		size_t n = jail_list(j, name, &v);
		for (size_t k = 0; k < n; k++)
			if (!v[k].text)
				abort();
		switch (param_table[i].type) {
		case PT_BOOL:
			(void)jail_bool(j, name);
			break;
		case PT_INT:
			(void)jail_int(j, name);
			break;
		case PT_DURATION:
			(void)jail_duration(j, name);
			break;
		case PT_SIGNAL:
			(void)jail_signal(j, name);
			break;
		default:
			break;
		}
	}
	for (enum os os = OS_LINUX; os <= OS_FREEBSD; os++) {
		struct plan p;
		char err[1024] = "";
		if (plan_verify(j, os, plan_jailed(j, os), err, sizeof err) < 0 && !err[0])
			abort(); /* a config error names its line */
		plan_warn(j, os, plan_jailed(j, os));
		if (plan_build(j, os, plan_jailed(j, os), &p) == 0) {
			(void)plan_print(&p, j, devnull);
			plan_free(&p);
		}
	}
}

/* `run NAME` reads the file keeping NAME's lines alone (and reads it again, whole, when a section comes back):
 * the jail it builds is the one the whole load built. */
static void same_alone(const char *text, const struct jail *whole)
{
	char err[512] = "";
	struct conf *c = NULL;
	if (conf_load_jail("/fuzz/main.conf", text, whole->name, &c, err, sizeof err) < 0)
		abort();
	const struct jail *j = conf_jail(c, whole->name);
	if (!j || c->njails != 1 || j->np != whole->np || j->line != whole->line)
		abort();
	for (size_t i = 0; i < j->np; i++) {
		const struct conf_param *a = &j->p[i], *b = &whole->p[i];
		if (strcmp(a->name, b->name) != 0 || a->n != b->n)
			abort();
		for (size_t k = 0; k < a->n; k++)
			if (strcmp(a->v[k].text, b->v[k].text) != 0 || a->v[k].line != b->v[k].line)
				abort();
	}
	conf_free(c);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	char err[512] = "";
	struct conf *c = NULL;
	if (conf_load_string("/fuzz/main.conf", text, &c, err, sizeof err) == 0) {
		for (size_t i = 0; i < c->njails; i++) {
			lookups(&c->jails[i]);
			if (i < 3)
				same_alone(text, &c->jails[i]);
		}
		(void)conf_jail(c, NULL);
		conf_free(c);
	} else if (!err[0]) {
		abort(); /* an error must come with its one-line message */
	}
	free(text);
	return 0;
}
