/* The step table and the unwinding rule: a failure at each create step runs exactly the right remove steps. */
#include <string.h>

#include "steps.h"
#include "t.h"

TEST(table_is_consistent)
{
	for (int i = 1; i < STEP_COUNT; i++) {
		CHECK_INT(step_table[i].id, i);
		CHECK(step_table[i].name != NULL);
		CHECK(step_table[i].os_mask != 0);
	}
	CHECK(step_get(STEP_COUNT) == NULL);
	CHECK_STR(step_get(STEP_PRESTART)->chain, "exec.prestart");
	CHECK_STR(ctx_name(step_get(STEP_START)->ctx), "jail");
	CHECK_STR(ctx_name(step_get(STEP_POSTSTART)->ctx), "host");
	CHECK(!step_on(STEP_MOUNTS, OS_LINUX));
	CHECK(step_on(STEP_MOUNTS, OS_FREEBSD));
}

/* Step names joined with spaces, for readable comparisons. */
static const char *names(const enum step_id *ids, size_t n)
{
	static char buf[512];
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(buf, " ");
		strcat(buf, step_get(ids[i])->name);
	}
	return buf;
}

TEST(orders_follow_jail8)
{
	CHECK_STR(names(step_create_order, step_create_count),
		  "prepare aliases mounts prestart create created vnet jailed setup start command poststart");
	CHECK_STR(names(step_remove_order, step_remove_count),
		  "prestop stop kill remove poststop unmounts unalias release");
}

/* What runs when create step number FAIL (index in step_create_order) fails. */
static const char *unwind_after(size_t fail)
{
	bool done[STEP_COUNT] = {false};
	enum step_id out[STEP_COUNT];
	for (size_t i = 0; i < fail && i < step_create_count; i++)
		done[step_create_order[i]] = true;
	return names(out, step_unwind(done, out, STEP_COUNT));
}

TEST(unwind_at_every_step)
{
	static const char *want[] = {
		/* prepare fails */ "",
		/* aliases */ "release",
		/* mounts */ "unalias release",
		/* prestart */ "unmounts unalias release",
		/* create */ "poststop unmounts unalias release",
		/* created */ "remove poststop unmounts unalias release",
		/* vnet */ "remove poststop unmounts unalias release",
		/* jailed */ "remove poststop unmounts unalias release",
		/* setup */ "remove poststop unmounts unalias release",
		/* start */ "remove poststop unmounts unalias release",
		/* command */ "stop remove poststop unmounts unalias release",
		/* poststart */ "stop kill remove poststop unmounts unalias release",
		/* all done: the full remove sequence */
		"prestop stop kill remove poststop unmounts unalias release",
	};
	CHECK_INT(sizeof want / sizeof want[0], step_create_count + 1);
	for (size_t i = 0; i <= step_create_count; i++)
		CHECK_STR(unwind_after(i), want[i]);
}

TEST(unwind_respects_cap_and_gaps)
{
	bool done[STEP_COUNT] = {false};
	enum step_id out[2];
	/* Linux: no alias or mount steps are ever done. */
	done[STEP_PREPARE] = done[STEP_PRESTART] = done[STEP_CREATE] = true;
	CHECK_INT(step_unwind(done, out, 2), 2);
	CHECK_STR(names(out, 2), "remove poststop");
}

int main(void)
{
	RUN(table_is_consistent);
	RUN(orders_follow_jail8);
	RUN(unwind_at_every_step);
	RUN(unwind_respects_cap_and_gaps);
	return T_DONE();
}
