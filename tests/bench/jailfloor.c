/* jailfloor: the floor of a full jail, the least any runner must do for the bench's jail row: new mount,
 * pid, uts, ipc and net namespaces (made by the child, pid by the parent), the rootfs bound and pivoted into, /proc, a /dev of the usual nodes
 * bound from the host (as ruleset 4 and bwrap --dev give), then CMD as PID 1; the caller waits for it.
 * With -c DIR it also makes a cgroup DIR, puts the jail in it and removes it afterwards (as warder does).
 * With -i the jail's PID 1 is an init, as warder's and bwrap's are: it forks CMD, passes SIGTERM and SIGINT
 * on to it, reaps every child and exits with CMD's status; the caller passes them on to that init and waits
 * for it (the least a runner that stops its jail gracefully and cleans up after it does).
 * With -w the jail has what warder's default jail has beyond bwrap's: the rootfs nodev, a nodev /dev (its
 * nodes bound in one by one, /dev/fuse too), the fd and std* links, /dev/shm and /dev/mqueue file systems,
 * and lo up: the floor of warder's own jail, mount for mount.
 *   jailfloor [-c CGROUPDIR] [-i] [-w] ROOTFS CMD [ARGS...]      exit: CMD's status, 111 when a step failed */
#define _GNU_SOURCE
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRY(x)                      \
	do {                        \
		if ((x) < 0) {      \
			perror(#x); \
			_exit(111); \
		}                   \
	} while (0)

static void bind_dev(const char *name)
{
	char path[64];
	snprintf(path, sizeof path, "dev/%s", name);
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
	TRY(fd);
	close(fd);
	snprintf(path, sizeof path, "/dev/%s", name);
	char to[64];
	snprintf(to, sizeof to, "dev/%s", name);
	TRY(mount(path, to, NULL, MS_BIND, NULL));
}

/* What -w adds, in the rootfs (the working directory), /proc and /dev mounted. */
static void like_warder(void)
{
	bind_dev("fuse");
	static const char *links[][2] = {
		{"/proc/self/fd", "dev/fd"},
		{"/proc/self/fd/0", "dev/stdin"},
		{"/proc/self/fd/1", "dev/stdout"},
		{"/proc/self/fd/2", "dev/stderr"},
	};
	for (size_t i = 0; i < sizeof links / sizeof *links; i++)
		TRY(symlink(links[i][0], links[i][1]));
	TRY(mkdir("dev/shm", 0755));
	TRY(mount("tmpfs", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777"));
	TRY(mkdir("dev/mqueue", 0755));
	TRY(mount("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	TRY(s);
	struct ifreq ifr = {.ifr_name = "lo", .ifr_flags = IFF_UP};
	TRY(ioctl(s, SIOCSIFFLAGS, &ifr));
	close(s);
}

static int status_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Until PID has exited: SIGTERM and SIGINT (blocked, in SET with SIGCHLD) go on to it; every child that
 * exits is reaped. PID's status. */
static int forward_until(pid_t pid, const sigset_t *set)
{
	for (;;) {
		siginfo_t si;
		if (sigwaitinfo(set, &si) < 0)
			continue;
		if (si.si_signo != SIGCHLD) {
			kill(pid, si.si_signo);
			continue;
		}
		int st;
		pid_t r;
		while ((r = waitpid(-1, &st, WNOHANG)) > 0)
			if (r == pid)
				return st;
	}
}

int main(int argc, char **argv)
{
	const char *cg = NULL;
	int init = 0, wj = 0;
	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		cg = argv[2];
		argv += 2, argc -= 2;
	}
	if (argc > 1 && strcmp(argv[1], "-i") == 0) {
		init = 1;
		argv++, argc--;
	}
	if (argc > 1 && strcmp(argv[1], "-w") == 0) {
		wj = 1;
		argv++, argc--;
	}
	if (argc < 3)
		return fprintf(stderr, "usage: jailfloor [-c CGROUPDIR] [-i] [-w] ROOTFS CMD [ARGS...]\n"), 64;
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	if (init)
		TRY(sigprocmask(SIG_BLOCK, &set, &old));
	if (cg)
		TRY(mkdir(cg, 0755));
	int go[2];
	TRY(pipe2(go, O_CLOEXEC));
	TRY(unshare(CLONE_NEWPID));
	pid_t p = fork();
	TRY(p);
	if (p == 0) {
		char c;
		close(go[1]);
		if (cg && read(go[0], &c, 1) != 1) /* in its cgroup before it does anything */
			_exit(111);
		TRY(unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET));
		TRY(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
		TRY(mount(argv[1], argv[1], NULL, MS_BIND | MS_REC, NULL));
		if (wj)
			TRY(mount(NULL, argv[1], NULL, MS_REMOUNT | MS_BIND | MS_NODEV, NULL));
		TRY(chdir(argv[1]));
		TRY(mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
		TRY(mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC | (wj ? MS_NODEV : 0),
			  wj ? "mode=755,size=64k" : "mode=755"));
		static const char *nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
		for (size_t i = 0; i < sizeof nodes / sizeof *nodes; i++)
			bind_dev(nodes[i]);
		TRY(mkdir("dev/pts", 0755));
		TRY(mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666"));
		TRY(symlink("pts/ptmx", "dev/ptmx"));
		if (wj)
			like_warder();
		TRY(syscall(SYS_pivot_root, ".", "."));
		TRY(umount2(".", MNT_DETACH));
		TRY(chdir("/"));
		if (init) {
			pid_t c = fork();
			TRY(c);
			if (c > 0)
				_exit(status_code(forward_until(c, &set)));
			TRY(sigprocmask(SIG_SETMASK, &old, NULL));
		}
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (cg) {
		char path[4096];
		snprintf(path, sizeof path, "%s/cgroup.procs", cg);
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		TRY(fd);
		TRY(dprintf(fd, "%d\n", (int)p));
		close(fd);
		TRY(write(go[1], "x", 1));
	}
	close(go[1]);
	int st;
	if (init)
		st = forward_until(p, &set);
	else
		TRY(waitpid(p, &st, 0));
	if (cg)
		TRY(rmdir(cg));
	return status_code(st);
}
