/* initbench: the measuring helpers of tests/bench/run.sh, one program with four jobs.
 *
 *   initbench orphans N [STAMPFILE]
 *       Leaves N orphans behind, cheaply: fork(2) costs ~2 ms on the benchmark machine, which would make the
 *       reaping benchmark measure fork and nothing else, so each orphan is made with clone(CLONE_VM): a
 *       CLONE_VFORK child clones a grandchild and exits at once, so the grandchild (which sleeps 1 ms, as
 *       tests/tools/orphans does) is reparented to the nearest reaper. When done, writes CLOCK_MONOTONIC (ns)
 *       to STAMPFILE, so the caller can tell how long the init took after the burst.
 *   initbench reap [-P] [-s STAMPFILE] -- INIT ARGS...
 *       Runs INIT (as PID 1 of new pid and mount namespaces with a fresh /proc when -P), waits for it with
 *       WNOWAIT so that the exited init is still a zombie we can read, and prints one line:
 *         wall_ns cpu_ns tail_ns status
 *       wall: fork of INIT to its exit; cpu: the init's own CPU time (sum_exec_runtime from
 *       /proc/PID/schedstat, ns; its children's time is not in it); tail: INIT's exit minus the stamp the
 *       command wrote (-1 without -s); status: INIT's exit code, or 128+N.
 *   initbench siglat N FIFO [-P] -- INIT ARGS... initbench sigrecv FIFO
 *       Sends SIGUSR1 to INIT's pid N times, one at a time, and reads back from FIFO the CLOCK_MONOTONIC
 *       time at which the command's handler ran; prints "median_ns p99_ns max_ns lost". Then SIGTERM.
 *   initbench sigrecv FIFO
 *       The command side of siglat.
 *   initbench pair N -- A ARGS... :: B ARGS...
 *       Runs A and B alternately, N pairs after 3 warm-up pairs (odd pairs B first, so that neither always runs
 *       right after the other's teardown), output to /dev/null; prints one line:
 *         a_median_ms b_median_ms ratio_min ratio_median ratio_max failed
 *       ratio = A's wall / B's wall of the same pair: machine drift hits both runs of a pair alike.
 *   initbench waitfloor CMD ARGS...
 *       The floor of reaping: runs CMD, then reaps with a bare blocking wait() loop until no child is left;
 *       exits with CMD's status. What any init must at least do, to measure an init's reaping against.
 *   initbench sigfloor CMD ARGS...
 *       The floor of an init that must also forward signals, so cannot sleep in wait(): every signal blocked
 *       and waited for with sigwaitinfo(2); on SIGCHLD, waitpid(-1, WNOHANG) until 0. Per wake-up that is
 *       the wait for the signal, one waitpid per child and the one that finds no more: what warder does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "initbench: %s: %s\n", what, strerror(errno));
	exit(111);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void stamp_write(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		die(path);
	fprintf(f, "%lld\n", (long long)now_ns());
	if (fclose(f) != 0)
		die(path);
}

/* --- orphans: the grandchildren share our memory (CLONE_VM), so they use raw syscalls only, each on its
 * own stack from a ring large enough that a stack is long free when it comes round again. */
#define NSTACK 4096
#define STACK 8192
static char stacks[NSTACK][STACK] __attribute__((aligned(16)));
static char vfork_stack[65536] __attribute__((aligned(16)));
static long next_stack;

static int grandchild(void *arg)
{
	(void)arg;
	struct timespec ms = {0, 1000000};
	syscall(SYS_nanosleep, &ms, NULL);
	syscall(SYS_exit, 0);
	return 0;
}

static int child(void *arg)
{
	(void)arg;
	char *top = stacks[next_stack % NSTACK] + STACK;
	if (clone(grandchild, top, CLONE_VM | SIGCHLD, NULL) < 0)
		syscall(SYS_exit, 1);
	syscall(SYS_exit, 0);
	return 0;
}

static int cmd_orphans(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 1000;
	for (long i = 0; i < n; i++) {
		next_stack = i;
		pid_t p = clone(child, vfork_stack + sizeof vfork_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
		if (p < 0)
			die("clone");
		int st;
		if (waitpid(p, &st, 0) < 0)
			die("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "initbench: orphan %ld: clone failed\n", i);
			return 1;
		}
	}
	if (argc > 3)
		stamp_write(argv[3]);
	return 0;
}

/* --- spawning an init, optionally as PID 1 of its own pid namespace (like unshare --pid --fork
 * --mount-proc) */
static pid_t spawn_init(char **argv, int pidns)
{
	/* Only the pid namespace here: the mount namespace is the child's, so that our /proc stays ours. */
	if (pidns && unshare(CLONE_NEWPID) < 0)
		die("unshare");
	pid_t p = fork();
	if (p < 0)
		die("fork");
	if (p == 0) {
		if (pidns) {
			if (unshare(CLONE_NEWNS) < 0)
				die("unshare mount");
			if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
				die("make / private");
			if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
				die("mount /proc");
		}
		execvp(argv[0], argv);
		die(argv[0]);
	}
	return p;
}

static int status_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int cmd_reap(int argc, char **argv)
{
	int pidns = 0, i = 2;
	const char *stamp = NULL;
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "-P") == 0)
			pidns = 1;
		else if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			stamp = argv[++i];
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: initbench reap [-P] [-s STAMP] -- INIT ARGS...\n");
		return 64;
	}
	if (stamp)
		unlink(stamp);
	int64_t t0 = now_ns();
	pid_t p = spawn_init(argv + i + 1, pidns);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	while (waitid(P_PID, p, &si, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR)
			die("waitid");
	int64_t t1 = now_ns();
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/schedstat", (int)p);
	long long cpu = -1;
	FILE *f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lld", &cpu) != 1)
			cpu = -1;
		fclose(f);
	}
	int st;
	if (waitpid(p, &st, 0) < 0)
		die("waitpid");
	long long tail = -1;
	if (stamp) {
		f = fopen(stamp, "r");
		long long s;
		if (f && fscanf(f, "%lld", &s) == 1)
			tail = t1 - s;
		if (f)
			fclose(f);
		unlink(stamp);
	}
	printf("%lld %lld %lld %d\n", (long long)(t1 - t0), cpu, tail, status_code(st));
	return 0;
}

/* --- signal latency */
static volatile sig_atomic_t got;
static volatile int64_t got_at;

static void on_usr1(int sig)
{
	(void)sig;
	got_at = now_ns();
	got = 1;
}

static int cmd_sigrecv(int argc, char **argv)
{
	if (argc < 3)
		return 64;
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigdelset(&old, SIGUSR1);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	int fd = open(argv[2], O_WRONLY);
	if (fd < 0)
		die(argv[2]);
	int64_t ready = 0;
	if (write(fd, &ready, sizeof ready) != sizeof ready)
		die("write");
	for (;;) {
		while (!got)
			sigsuspend(&old);
		got = 0;
		int64_t t = got_at;
		if (write(fd, &t, sizeof t) != sizeof t)
			die("write");
	}
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int read_stamp(int fd, int64_t *t, int timeout_ms)
{
	struct pollfd pfd = {fd, POLLIN, 0};
	int r = poll(&pfd, 1, timeout_ms);
	if (r <= 0)
		return -1;
	return read(fd, t, sizeof *t) == sizeof *t ? 0 : -1;
}

static int cmd_siglat(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: initbench siglat N FIFO [-P] -- INIT ARGS...\n");
		return 64;
	}
	long n = atol(argv[2]);
	const char *fifo = argv[3];
	int i = 4, pidns = 0;
	for (; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-P") == 0)
			pidns = 1;
	if (i + 1 >= argc)
		return 64;
	unlink(fifo);
	if (mkfifo(fifo, 0600) < 0)
		die(fifo);
	pid_t p = spawn_init(argv + i + 1, pidns);
	int fd = open(fifo, O_RDONLY);
	if (fd < 0)
		die(fifo);
	int64_t t, *lat = calloc(n, sizeof *lat);
	if (!lat)
		die("calloc");
	if (read_stamp(fd, &t, 10000) < 0) {
		fprintf(stderr, "initbench: the command never became ready\n");
		kill(p, SIGKILL);
		return 1;
	}
	long got_n = 0, lost = 0;
	for (long k = 0; k < n; k++) {
		int64_t t0 = now_ns();
		if (kill(p, SIGUSR1) < 0)
			die("kill");
		if (read_stamp(fd, &t, 1000) < 0) {
			lost++;
			continue;
		}
		lat[got_n++] = t - t0;
	}
	/* A bare command as PID 1 of its namespace ignores TERM (no handler): KILL after 2 s. */
	kill(p, SIGTERM);
	int st;
	for (int w = 0; waitpid(p, &st, WNOHANG) == 0; w++) {
		if (w == 200)
			kill(p, SIGKILL);
		usleep(10000);
	}
	unlink(fifo);
	if (got_n == 0) {
		printf("-1 -1 -1 %ld\n", lost);
		return 1;
	}
	qsort(lat, got_n, sizeof *lat, cmp64);
	long p99 = (got_n * 99 + 99) / 100 - 1;
	printf("%lld %lld %lld %ld\n", (long long)lat[got_n / 2], (long long)lat[p99], (long long)lat[got_n - 1], lost);
	return 0;
}

/* --- pair */
static int64_t run_once(char **argv, int *failed)
{
	int64_t t0 = now_ns();
	pid_t p = fork();
	if (p < 0)
		die("fork");
	if (p == 0) {
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	int st;
	while (waitpid(p, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	if (status_code(st) != 0)
		(*failed)++;
	return now_ns() - t0;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median_d(double *v, long n)
{
	qsort(v, n, sizeof *v, cmpd);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int cmd_pair(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 0;
	int i = 3;
	if (n < 1 || i >= argc || strcmp(argv[i], "--") != 0)
		goto usage;
	char **a = argv + i + 1, **b = NULL;
	for (int k = i + 1; k < argc; k++)
		if (strcmp(argv[k], "::") == 0) {
			argv[k] = NULL;
			b = argv + k + 1;
		}
	if (!b || !*a || !*b)
		goto usage;
	double *ta = calloc(n, sizeof *ta), *tb = calloc(n, sizeof *tb), *r = calloc(n, sizeof *r);
	if (!ta || !tb || !r)
		die("calloc");
	int failed = 0, warm = 0;
	for (long k = -3; k < n; k++) {
		int64_t x, y;
		if (k & 1) {
			y = run_once(b, k < 0 ? &warm : &failed);
			x = run_once(a, k < 0 ? &warm : &failed);
		} else {
			x = run_once(a, k < 0 ? &warm : &failed);
			y = run_once(b, k < 0 ? &warm : &failed);
		}
		if (k < 0)
			continue;
		ta[k] = x / 1e6;
		tb[k] = y / 1e6;
		r[k] = (double)x / (double)y;
	}
	double rmed = median_d(r, n); /* sorts r: min and max are at the ends */
	printf("%.3f %.3f %.3f %.3f %.3f %d\n", median_d(ta, n), median_d(tb, n), r[0], rmed, r[n - 1], failed);
	return 0;
usage:
	fprintf(stderr, "usage: initbench pair N -- A ARGS... :: B ARGS...\n");
	return 64;
}

static int cmd_waitfloor(int argc, char **argv)
{
	if (argc < 3)
		return 64;
	pid_t p = fork();
	if (p < 0)
		die("fork");
	if (p == 0) {
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	int st, code = 0;
	pid_t w;
	while ((w = wait(&st)) > 0 || errno == EINTR)
		if (w == p)
			code = status_code(st);
	return code;
}

static int cmd_sigfloor(int argc, char **argv)
{
	if (argc < 3)
		return 64;
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid_t p = fork();
	if (p < 0)
		die("fork");
	if (p == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	int code = 0;
	for (;;) {
		int sig = sigwaitinfo(&all, NULL);
		if (sig != SIGCHLD)
			continue;
		for (;;) {
			int st;
			pid_t w = waitpid(-1, &st, WNOHANG);
			if (w == p)
				code = status_code(st);
			if (w > 0 || (w < 0 && errno == EINTR))
				continue;
			if (w < 0)
				return code; /* ECHILD: nothing left */
			break;
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		goto usage;
	if (strcmp(argv[1], "orphans") == 0)
		return cmd_orphans(argc, argv);
	if (strcmp(argv[1], "reap") == 0)
		return cmd_reap(argc, argv);
	if (strcmp(argv[1], "siglat") == 0)
		return cmd_siglat(argc, argv);
	if (strcmp(argv[1], "sigrecv") == 0)
		return cmd_sigrecv(argc, argv);
	if (strcmp(argv[1], "pair") == 0)
		return cmd_pair(argc, argv);
	if (strcmp(argv[1], "waitfloor") == 0)
		return cmd_waitfloor(argc, argv);
	if (strcmp(argv[1], "sigfloor") == 0)
		return cmd_sigfloor(argc, argv);
usage:
	fprintf(stderr, "usage: initbench orphans|reap|siglat|sigrecv|pair|waitfloor|sigfloor ...\n");
	return 64;
}
