/* The step table and the unwinding rule: a failure at each create step runs exactly the right remove steps. */
#include <stdio.h>
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

/* --- the walker, driven by a fake callback table that records what it is asked to do --------------------- */
struct fake {
	char log[1024];         /* "+name" for a create step run, "-name" for a remove step, space-separated */
	enum step_id fail;      /* the create step that fails (status 70) */
	enum step_id stop;      /* the create step before which a stop request (SIGTERM) comes */
	enum step_id fail_undo; /* a remove step that fails (status 71) */
	enum os os;             /* has: the steps on this system */
};

static void fake_log(struct fake *f, char sign, enum step_id id)
{
	size_t n = strlen(f->log);
	snprintf(f->log + n, sizeof f->log - n, "%s%c%s", n ? " " : "", sign, step_name(id));
}

static bool fake_has(void *arg, enum step_id id)
{
	return step_on(id, ((struct fake *)arg)->os);
}

static struct step_walk *fake_walk;

static int fake_stopped(void *arg)
{
	struct fake *f = arg;
	return f->stop != STEP_NONE && fake_walk->at == f->stop ? 15 : 0;
}

static int fake_run(void *arg, enum step_id id)
{
	struct fake *f = arg;
	fake_log(f, '+', id);
	return id == f->fail ? 70 : 0;
}

static int fake_undo(void *arg, enum step_id id)
{
	struct fake *f = arg;
	fake_log(f, '-', id);
	return id == f->fail_undo ? 71 : 0;
}

static const struct step_ops fake_ops = {fake_has, fake_stopped, fake_run, fake_undo};

/* Walk forward with F, then back; returns the log, *rc the forward walk's status and *at where it stopped. */
static const char *fake_cycle(struct fake *f, int *rc, enum step_id *at, int *undo_rc)
{
	struct step_walk w;
	step_walk_reset(&w);
	fake_walk = &w;
	*rc = step_walk_forward(&w, STEP_NONE, &fake_ops, f);
	*at = w.at;
	*undo_rc = step_walk_back(&w, STEP_NONE, &fake_ops, f);
	return f->log;
}

TEST(walk_forward_in_order)
{
	struct fake f = {.os = OS_FREEBSD};
	int rc, urc;
	enum step_id at;
	CHECK_STR(fake_cycle(&f, &rc, &at, &urc),
		  "+prepare +aliases +mounts +prestart +create +created +vnet +jailed +setup +start +command +poststart "
		  "-prestop -stop -kill -remove -poststop -unmounts -unalias -release");
	CHECK_INT(rc, 0);
	CHECK_INT(urc, 0);
	/* Linux: the steps it lacks are neither run nor undone. */
	struct fake l = {.os = OS_LINUX};
	CHECK_STR(fake_cycle(&l, &rc, &at, &urc),
		  "+prepare +prestart +create +created +vnet +jailed +setup +start +command +poststart "
		  "-prestop -stop -kill -remove -poststop -release");
}

/* A failure at each create step: the walk stops there, that step is not done, and walking back undoes
 * exactly what completed - a failed chain's partner does not run, a completed one's does. */
TEST(walk_unwinds_after_a_failure_at_each_step)
{
	static const char *want_back[] = {
		/* prepare fails */ "",
		/* aliases */ "-release",
		/* mounts */ "-unalias -release",
		/* prestart */ "-unmounts -unalias -release",
		/* create */ "-poststop -unmounts -unalias -release",
		/* created */ "-remove -poststop -unmounts -unalias -release",
		/* vnet */ "-remove -poststop -unmounts -unalias -release",
		/* jailed */ "-remove -poststop -unmounts -unalias -release",
		/* setup */ "-remove -poststop -unmounts -unalias -release",
		/* start */ "-remove -poststop -unmounts -unalias -release",
		/* command */ "-stop -remove -poststop -unmounts -unalias -release",
		/* poststart */ "-stop -kill -remove -poststop -unmounts -unalias -release",
	};
	CHECK_INT(sizeof want_back / sizeof want_back[0], step_create_count);
	for (size_t i = 0; i < step_create_count; i++) {
		struct fake f = {.os = OS_FREEBSD, .fail = step_create_order[i]};
		int rc, urc;
		enum step_id at;
		fake_cycle(&f, &rc, &at, &urc);
		CHECK_INT(rc, 70);
		CHECK_INT(at, step_create_order[i]);
		/* The forward part: every step up to the failed one, which ran. */
		char want[1024] = "";
		for (size_t k = 0; k <= i; k++)
			snprintf(want + strlen(want), sizeof want - strlen(want), "%s+%s", k ? " " : "",
				 step_name(step_create_order[k]));
		if (want_back[i][0])
			snprintf(want + strlen(want), sizeof want - strlen(want), " %s", want_back[i]);
		CHECK_STR(f.log, want);
	}
}

/* The partner rule, chain by chain: prestart completed and start failed -> poststop runs, stop does not. */
TEST(walk_partner_rule)
{
	struct fake f = {.os = OS_LINUX, .fail = STEP_START};
	int rc, urc;
	enum step_id at;
	const char *log = fake_cycle(&f, &rc, &at, &urc);
	CHECK(strstr(log, "-poststop") != NULL);
	CHECK(strstr(log, "-release") != NULL);
	CHECK(strstr(log, "-stop") == NULL);
	CHECK(strstr(log, "-prestop") == NULL);
	/* poststart failed: stop (start's partner) runs, prestop (its own) does not. */
	struct fake g = {.os = OS_LINUX, .fail = STEP_POSTSTART};
	log = fake_cycle(&g, &rc, &at, &urc);
	CHECK(strstr(log, "-stop -kill") != NULL);
	CHECK(strstr(log, "-prestop") == NULL);
}

/* A stop request before a step: it does not run, the walk returns 128+N and unwinds what completed. */
TEST(walk_stops_on_request)
{
	struct fake f = {.os = OS_LINUX, .stop = STEP_CREATED};
	int rc, urc;
	enum step_id at;
	CHECK_STR(fake_cycle(&f, &rc, &at, &urc), "+prepare +prestart +create -remove -poststop -release");
	CHECK_INT(rc, 128 + 15);
	CHECK_INT(at, STEP_CREATED);
}

/* A failed remove step does not stop the unwinding; the first failure's status is returned. */
TEST(walk_back_goes_on_after_a_failure)
{
	struct fake f = {.os = OS_LINUX, .fail_undo = STEP_REMOVE};
	int rc, urc;
	enum step_id at;
	const char *log = fake_cycle(&f, &rc, &at, &urc);
	CHECK(strstr(log, "-remove -poststop -release") != NULL);
	CHECK_INT(urc, 71);
}

/* Forward to a target, then on; back to a target, then on from where it got; marked steps are skipped. */
TEST(walk_in_parts)
{
	struct fake f = {.os = OS_LINUX};
	struct step_walk w;
	step_walk_reset(&w);
	fake_walk = &w;
	CHECK_INT(step_walk_forward(&w, STEP_CREATE, &fake_ops, &f), 0);
	CHECK_STR(f.log, "+prepare +prestart +create");
	/* Another process ran the in-jail steps up to exec.start, which failed there. */
	step_walk_mark(&w, CTX_JAIL, STEP_START);
	CHECK(w.done[STEP_JAILED] && w.done[STEP_SETUP] && !w.done[STEP_START] && !w.done[STEP_CREATED]);
	f.log[0] = '\0';
	CHECK_INT(step_walk_forward(&w, STEP_NONE, &fake_ops, &f), 0);
	CHECK_STR(f.log, "+created +vnet +start +command +poststart");
	f.log[0] = '\0';
	CHECK_INT(step_walk_back(&w, STEP_STOP, &fake_ops, &f), 0);
	CHECK_STR(f.log, "-prestop -stop");
	f.log[0] = '\0';
	CHECK_INT(step_walk_back(&w, STEP_NONE, &fake_ops, &f), 0);
	CHECK_STR(f.log, "-kill -remove -poststop -release");
	/* Everything ran once: a third walk does nothing. */
	f.log[0] = '\0';
	step_walk_back(&w, STEP_NONE, &fake_ops, &f);
	CHECK_STR(f.log, "");
	/* The jail ran: walking back is the full remove order. */
	step_walk_reset(&w);
	step_walk_built(&w);
	step_walk_back(&w, STEP_NONE, &fake_ops, &f);
	CHECK_STR(f.log, "-prestop -stop -kill -remove -poststop -release");
}

TEST(names_and_lookups)
{
	CHECK_INT(step_by_name("poststop"), STEP_POSTSTOP);
	CHECK_INT(step_by_name("nosuch"), STEP_NONE);
	CHECK_STR(step_name(STEP_CREATE), "create");
	CHECK(step_creates(STEP_START));
	CHECK(!step_creates(STEP_STOP));
	CHECK(!step_creates(STEP_LISTEN));
}

int main(void)
{
	RUN(table_is_consistent);
	RUN(orders_follow_jail8);
	RUN(unwind_at_every_step);
	RUN(unwind_respects_cap_and_gaps);
	RUN(walk_forward_in_order);
	RUN(walk_unwinds_after_a_failure_at_each_step);
	RUN(walk_partner_rule);
	RUN(walk_stops_on_request);
	RUN(walk_back_goes_on_after_a_failure);
	RUN(walk_in_parts);
	RUN(names_and_lookups);
	return T_DONE();
}
