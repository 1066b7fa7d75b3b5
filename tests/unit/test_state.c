/* The state file: written whole with its [limits], read back in one read (state_load), fields and text. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "state.h"
#include "t.h"

static char dir[] = "/tmp/warder-test-state.XXXXXX";

static void tail(FILE *f, const void *arg)
{
	fputs(arg, f);
}

/* STATEDIR/NAME.state with TEXT as it is. */
static void put(const char *name, const char *text)
{
	char path[1024];
	state_file(name, "state", path, sizeof path);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

TEST(round_trip)
{
	struct jail_state s = {.pid = 4242, .keeper = 4241, .started = 1700000000};
	snprintf(s.name, sizeof s.name, "web");
	snprintf(s.path, sizeof s.path, "/srv/jails/web root");
	snprintf(s.control, sizeof s.control, "/run/warder/web.ctl");
	CHECK_INT(state_write(&s, tail, "[limits]\nuser = 'app'\n"), 0);
	struct jail_state r;
	char *text = NULL;
	CHECK_INT(state_load("web", &r, &text), 0);
	CHECK_STR(r.name, "web");
	CHECK_INT(r.pid, 4242);
	CHECK_INT(r.keeper, 4241);
	CHECK_INT(r.started, 1700000000);
	CHECK_STR(r.path, "/srv/jails/web root"); /* the rest of the line, spaces and all */
	CHECK_STR(r.socket, "");                  /* written as "-" */
	CHECK_STR(r.control, "/run/warder/web.ctl");
	CHECK(text && strstr(text, "\n[limits]\nuser = 'app'\n"));
	free(text);
	CHECK_INT(state_read("web", &r), 0);
	CHECK_INT(r.pid, 4242);
	CHECK_INT(state_remove("web"), 0);
	CHECK_INT(state_read("web", &r), -1);
	CHECK_INT(errno, ENOENT);
}

TEST(sections_end_the_fields)
{
	struct jail_state r;
	char *text = NULL;
	/* A key in [limits] is not the state's, whatever it is called. */
	put("a", "pid 10\nkeeper 9\n[limits]\npid 77\ncontrol /x\n");
	CHECK_INT(state_load("a", &r, &text), 0);
	CHECK_INT(r.pid, 10);
	CHECK_STR(r.control, "");
	CHECK_STR(text, "pid 10\nkeeper 9\n[limits]\npid 77\ncontrol /x\n");
	free(text);
	/* No final newline; unknown keys and lines without a value are passed over. */
	put("b", "colour blue\npidx 3\nkeeper\npid 12");
	CHECK_INT(state_load("b", &r, NULL), 0);
	CHECK_INT(r.pid, 12);
	CHECK_INT(r.keeper, 0);
}

TEST(refused)
{
	struct jail_state r;
	char *text = (char *)"unchanged";
	put("empty", "");
	CHECK_INT(state_load("empty", &r, &text), -1);
	CHECK_INT(errno, EINVAL);
	CHECK(text == NULL);
	put("nopid", "name nopid\nkeeper 5\n[limits]\n");
	CHECK_INT(state_load("nopid", &r, &text), -1);
	CHECK_INT(errno, EINVAL);
	CHECK(text == NULL);
	/* A pid only after the section is no pid. */
	put("late", "[limits]\npid 5\n");
	CHECK_INT(state_load("late", &r, NULL), -1);
}

TEST(long_values_truncate)
{
	char text[2200], want[600];
	memset(want, 'p', sizeof want - 1);
	want[sizeof want - 1] = '\0';
	snprintf(text, sizeof text, "pid 3\npath %s\nname %s\n", want, want);
	put("long", text);
	struct jail_state r;
	CHECK_INT(state_load("long", &r, NULL), 0);
	CHECK_INT(strlen(r.path), sizeof r.path - 1);
	CHECK_INT(strlen(r.name), sizeof r.name - 1);
	CHECK(r.path[0] == 'p' && r.name[0] == 'p');
}

/* A running jail is a keeper and its child: two live pids that are not each other's are a stale file's. */
TEST(alive)
{
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	CHECK(child > 0);
	CHECK_INT(proc_parent(child), getpid());
	CHECK_INT(proc_parent(getpid()), getppid());
	/* A name with ") S 1" in it does not fool the parse (the last ')' ends the name). */
	char old[16] = "";
	prctl(PR_GET_NAME, old);
	prctl(PR_SET_NAME, "x) S 1 (");
	CHECK_INT(proc_parent(getpid()), getppid());
	prctl(PR_SET_NAME, old);
	struct jail_state s = {.keeper = getpid(), .pid = child};
	CHECK(state_alive(&s));
	s = (struct jail_state){.keeper = child, .pid = getpid()};
	CHECK(!state_alive(&s));
	s = (struct jail_state){.keeper = getppid(), .pid = child};
	CHECK(!state_alive(&s));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	s = (struct jail_state){.keeper = getpid(), .pid = child};
	CHECK(!state_alive(&s));
	CHECK_INT(proc_parent(child), -1);
}

int main(void)
{
	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	setenv("WARDER_RUNDIR", dir, 1);
	RUN(round_trip);
	RUN(sections_end_the_fields);
	RUN(refused);
	RUN(long_values_truncate);
	RUN(alive);
	char cmd[100];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		t_fail++;
	return T_DONE();
}
