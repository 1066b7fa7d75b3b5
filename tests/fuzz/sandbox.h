/* The fuzzers' jail: the config reader's includes and guards, the importer's .include and plan building
 * read the file system, and opening the wrong host file (a fifo, /dev/watchdog, a tty) can hang or act.
 * Before the first input each target enters new mount and pid namespaces (a user namespace first when not
 * root) and forks: the child, PID 1 there, goes on fuzzing in a chroot of $WARDER_FUZZ_ROOT, bound read-only,
 * with two things inside: /work, the only writable place (libFuzzer's corpus and crash files, the working
 * directory before and after, so the relative paths run.sh passes keep working), and /proc, a fresh procfs
 * with subset=pid showing only the fuzzer itself (LeakSanitizer reads /proc/self/maps and /proc/self/task; no
 * /proc/1/root or /proc/kmsg of the host). The parent waits and exits with the child's status. No silent
 * fallback: when the sandbox cannot be made the target exits 2. WARDER_FUZZ_NOSANDBOX=1 skips it, to
 * symbolize a crash file (llvm-symbolizer is not in the chroot). */
#ifndef WARDER_FUZZ_SANDBOX_H
#define WARDER_FUZZ_SANDBOX_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static void fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz sandbox: %s: %s\n", what, strerror(errno));
	_exit(2);
}

static void fuzz_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		fuzz_die(path);
	size_t n = strlen(text);
	if (write(fd, text, n) != (ssize_t)n || close(fd) != 0)
		fuzz_die(path);
}

static void fuzz_sandbox(void)
{
	const char *root = getenv("WARDER_FUZZ_ROOT");
	const char *off = getenv("WARDER_FUZZ_NOSANDBOX");
	char cwd[4096], path[4200];
	if (off && strcmp(off, "1") == 0)
		return;
	if (!root || root[0] != '/') {
		errno = EINVAL;
		fuzz_die("WARDER_FUZZ_ROOT must name the prepared tree (absolute)");
	}
	if (!getcwd(cwd, sizeof cwd))
		fuzz_die("getcwd");
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0)
		fuzz_die("stdin from /dev/null");
	if (geteuid() != 0) {
		uid_t uid = geteuid();
		gid_t gid = getegid();
		char map[64];
		if (unshare(CLONE_NEWUSER) < 0)
			fuzz_die("unshare(CLONE_NEWUSER)");
		fuzz_write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
		fuzz_write_file("/proc/self/uid_map", map);
		snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
		fuzz_write_file("/proc/self/gid_map", map);
	}
	if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0)
		fuzz_die("unshare(CLONE_NEWNS|CLONE_NEWPID)");
	pid_t pid = fork();
	if (pid < 0)
		fuzz_die("fork");
	if (pid > 0) {
		int st;
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR)
				fuzz_die("waitpid");
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		fuzz_die("PR_SET_PDEATHSIG");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		fuzz_die("make / private");
	if (mount(root, root, NULL, MS_BIND, NULL) < 0)
		fuzz_die("bind the sandbox tree");
	snprintf(path, sizeof path, "%s/work", root);
	if (mount(cwd, path, NULL, MS_BIND, NULL) < 0)
		fuzz_die("bind the working directory on /work");
	if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		fuzz_die("remount /work");
	snprintf(path, sizeof path, "%s/proc", root);
	if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "subset=pid") < 0)
		fuzz_die("mount proc subset=pid");
	if (mount(NULL, root, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		fuzz_die("remount the sandbox tree read-only");
	if (chroot(root) < 0 || chdir("/work") < 0)
		fuzz_die("chroot");
}

/* A NUL-terminated copy of the input (the parsers take C strings). */
static char *fuzz_cstr(const unsigned char *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

#endif
