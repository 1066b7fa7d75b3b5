/* Builtin actions: parsing, and paths resolved inside a root so that no symlink reaches the host. The
 * "host" here is OUT, a directory next to the root that every escape attempt aims at. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "action.h"
#include "chain.h"
#include "log.h"
#include "safepath.h"
#include "t.h"

static char base[64], root[128], out[128];
static struct chain_ctx ctx;

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fprintf(stderr, "setup failed: %s\n", cmd);
}

static bool exists(const char *dir, const char *name)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char v[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v, sizeof v, fmt, ap);
	va_end(ap);
	return action_run(&ctx, v);
}

TEST(recognises_builtins)
{
	CHECK_STR(action_name("mount:proc none /proc nodev hidepid=2"), "mount");
	CHECK_STR(action_name("exec:echo hi"), "exec");
	CHECK_STR(action_name("cd:/srv"), "cd");
	CHECK(action_name("ifconfig em0 192.168.0.40 alias") == NULL);
	CHECK(action_name("mountx:proc") == NULL);
	CHECK(action_name("echo a:b") == NULL);
	CHECK(!action_is_builtin("mount -t devfs devfs /jails/001/dev"));
	CHECK(action_usage(0) != NULL);
	CHECK(action_usage(1000) == NULL);
}

TEST(bad_arguments_fail)
{
	CHECK_INT(action_run(&ctx, "write:/nospace"), -1);
	CHECK_INT(action_run(&ctx, "chmod:/x 999"), -1);
	CHECK_INT(action_run(&ctx, "chmod:/x"), -1);
	CHECK_INT(action_run(&ctx, "symlink:/only-one"), -1);
	CHECK_INT(action_run(&ctx, "mount:proc none"), -1);
	CHECK_INT(action_run(&ctx, "umount:/x sideways"), -1);
	CHECK_INT(action_run(&ctx, "putenv:NOEQUALS"), -1);
	CHECK_INT(action_run(&ctx, "mkdir:"), -1);
	CHECK_INT(action_run(&ctx, "nosuch:thing"), -1);
}

TEST(files_land_inside)
{
	CHECK_INT(action_run(&ctx, "mkdir:/a/b/c"), 0);
	CHECK(exists(root, "a/b/c"));
	CHECK_INT(action_run(&ctx, "write:/a/f hello world"), 0);
	char p[256], buf[64] = "";
	snprintf(p, sizeof p, "%s/a/f", root);
	FILE *f = fopen(p, "r");
	CHECK(f != NULL);
	if (f) {
		CHECK(fgets(buf, sizeof buf, f) != NULL);
		fclose(f);
	}
	CHECK_STR(buf, "hello world");
	CHECK_INT(action_run(&ctx, "chmod:/a/f 0600"), 0);
	struct stat st;
	CHECK_INT(stat(p, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(action_run(&ctx, "symlink:/a/f /a/link"), 0);
	CHECK(exists(root, "a/link"));
	CHECK_INT(action_run(&ctx, "unlink:/a/link"), 0);
	CHECK(!exists(root, "a/link"));
	CHECK_INT(action_run(&ctx, "mkdir:/a/b/c"), 0);  /* existing: fine */
	CHECK_INT(action_run(&ctx, "mkdir:/a/f/x"), -1); /* through a file: no */
}

/* root/evil -> OUT (absolute), root/up -> ../../../../.. , root/evilfile -> OUT/victim */
TEST(symlinks_cannot_escape)
{
	sh("ln -s %s %s/evil", out, root);
	sh("ln -s ../../../../../../../.. %s/up%s", root, "");
	sh("echo keep > %s/victim && chmod 600 %s/victim", out, out);
	sh("ln -s %s/victim %s/evilfile", out, root);

	run("write:/evil/w1 x%s", "");
	CHECK(!exists(out, "w1"));
	run("mkdir:/evil/m1%s", "");
	CHECK(!exists(out, "m1"));
	run("symlink:/etc/passwd /evil/s1%s", "");
	CHECK(!exists(out, "s1"));
	run("unlink:/evil/victim%s", "");
	CHECK(exists(out, "victim"));
	run("chmod:/evilfile 0777%s", "");
	run("chmod:/evil/victim 0777%s", "");
	run("write:/evilfile overwritten%s", "");
	char p[256];
	struct stat st;
	snprintf(p, sizeof p, "%s/victim", out);
	CHECK_INT(stat(p, &st), 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	CHECK_INT(st.st_size, 5);

	/* ".." and a relative link are clamped at the root: the write lands inside. */
	char v[512];
	snprintf(v, sizeof v, "mkdir:%s", out); /* OUT's path, but inside the root */
	CHECK_INT(action_run(&ctx, v), 0);
	CHECK_INT(run("write:/up%s/w2 inside", out), 0);
	CHECK(!exists(out, "w2"));
	char in[256];
	snprintf(in, sizeof in, "%s%s", root, out);
	CHECK(exists(in, "w2"));
	CHECK_INT(run("write:/../../..%s/w3 inside", out), 0);
	CHECK(!exists(out, "w3"));
	CHECK(exists(in, "w3"));
	/* Now that ROOT/OUT exists, the absolute link resolves to it, not to the real OUT. */
	CHECK_INT(run("write:/evil/w4 inside%s", ""), 0);
	CHECK(exists(in, "w4"));
	CHECK(!exists(out, "w4"));
}

TEST(chdir_stays_inside)
{
	char cwd[512], want[512];
	CHECK(getcwd(cwd, sizeof cwd) != NULL);
	CHECK_INT(action_run(&ctx, "cd:/evil"), 0);
	char now[512];
	CHECK(getcwd(now, sizeof now) != NULL);
	snprintf(want, sizeof want, "%s%s", root, out);
	CHECK_STR(now, want);
	CHECK_INT(chdir(cwd), 0);
	CHECK_INT(action_run(&ctx, "chdir:/does/not/exist"), -1);
}

TEST(process_actions)
{
	CHECK_INT(action_run(&ctx, "putenv:WARDER_TEST_VAR=a=b c"), 0);
	CHECK_STR(getenv("WARDER_TEST_VAR"), "a=b c");
	CHECK_INT(action_run(&ctx, "print:hello from a hook"), 0);
}

/* Root only: in a private mount namespace, a mount whose target is a symlink to OUT lands inside. */
TEST(mount_target_stays_inside)
{
	if (geteuid() != 0) {
		printf("# skipped: mount needs root\n");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(2);
		/* An fd opened before unshare() names the old namespace's mount: the kernel refuses it. */
		close(ctx.rootfd);
		ctx.rootfd = open(root, O_PATH | O_DIRECTORY);
		if (action_run(&ctx, "mount:tmpfs none /evil nodev,nosuid size=1m") < 0)
			_exit(3);
		struct stat st;
		char p[512];
		snprintf(p, sizeof p, "%s/mounted", out);
		if (action_run(&ctx, "write:/evil/mounted yes") < 0 || stat(p, &st) == 0)
			_exit(4); /* the real OUT must not be covered */
		if (action_run(&ctx, "umount:/evil") < 0)
			_exit(5);
		/* rec: the nested mount goes first, then the top one. */
		if (action_run(&ctx, "mount:tmpfs none /evil") < 0 || action_run(&ctx, "mkdir:/evil/sub") < 0 ||
		    action_run(&ctx, "mount:tmpfs none /evil/sub") < 0 || action_run(&ctx, "umount:/evil rec") < 0)
			_exit(7);
		if (action_run(&ctx, "umount:/evil") == 0)
			_exit(8); /* nothing left to unmount */
		if (action_run(&ctx, "mount:none /nonexistent-src /evil bind,ro") == 0)
			_exit(6);
		_exit(0);
	}
	int st = 0;
	CHECK_INT(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st));
	CHECK_INT(WEXITSTATUS(st), 0);
}

int main(void)
{
	log_level = LOG_QUIET;
	snprintf(base, sizeof base, "/tmp/warder-action.XXXXXX");
	if (!mkdtemp(base))
		return 1;
	snprintf(root, sizeof root, "%s/root", base);
	snprintf(out, sizeof out, "%s/outside", base);
	mkdir(root, 0755);
	mkdir(out, 0755);
	ctx = (struct chain_ctx){.step = STEP_PRESTART, .jid = -1, .rootfd = open(root, O_PATH | O_DIRECTORY)};
	RUN(recognises_builtins);
	RUN(bad_arguments_fail);
	RUN(files_land_inside);
	RUN(symlinks_cannot_escape);
	RUN(chdir_stays_inside);
	RUN(process_actions);
	RUN(mount_target_stays_inside);
	close(ctx.rootfd);
	sh("rm -rf %s%s", base, "");
	return T_DONE();
}
