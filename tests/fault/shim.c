/* An LD_PRELOAD fault injector for warder's tests (never linked into warder). It wraps the calls that build
 * and tear down a jail and makes the Nth call of one kind fail with a chosen errno:
 *
 *   WARDER_FAULT=KIND:N:ERRNO    e.g. mount:3:EPERM, clone:1:ENOMEM, cgroup_write:2:EBUSY (ERRNO by name or
 *                                number); unset: count only
 *   WARDER_FAULT_COUNT=FILE      the shared counters (struct fault_state, see shim.h; faultstat prints them);
 *                                unset: anonymous shared memory, inherited by forks only
 *
 * Kinds: mount umount2 clone (clone, clone3 and syscall(SYS_clone3)) pivot_root (syscall) unshare setns
 * idmap_write (write(2) to /proc/PID/{uid_map,gid_map,setgroups}) cgroup_write (write(2) to a file under
 * /sys/fs/cgroup) cgroup_mkdir (mkdir/mkdirat under /sys/fs/cgroup) fork (fork, _Fork, and vfork on x86_64)
 * execve (execve, execv, execvp, execvpe, fexecve) openat2 move_mount fsmount open_tree fsopen (glibc wrappers
 * and syscall(2)) socketpair.
 *
 * Counting is global over every process of one run: the state lives in a MAP_SHARED mapping made before the
 * first fork, so the keeper, the init it clones and their children before exec share it, and a dynamically
 * linked program they exec (a host hook's /bin/sh, if LD_PRELOAD survives its environment) maps the same file
 * again. Calls are also counted per role (shim.h) for the report. The jail's steps are serialised by the
 * keeper/init protocol, so the Nth call is the same call from run to run; fault.sh checks that. */
#define _GNU_SOURCE
#include "shim.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FAULT_NAME(k) #k,
static const char *const kind_names[FK_COUNT] = {FAULT_KINDS(FAULT_NAME)};

static struct fault_state *st;
static int want_kind = -1;
static uint32_t want_n;
static int want_errno;

static const struct {
	const char *name;
	int e;
} errnos[] = {
	{"EPERM", EPERM},   {"ENOENT", ENOENT}, {"EINTR", EINTR},     {"EIO", EIO},       {"E2BIG", E2BIG},
	{"EBADF", EBADF},   {"EAGAIN", EAGAIN}, {"ENOMEM", ENOMEM},   {"EACCES", EACCES}, {"EFAULT", EFAULT},
	{"EBUSY", EBUSY},   {"EEXIST", EEXIST}, {"ENOTDIR", ENOTDIR}, {"EINVAL", EINVAL}, {"ENFILE", ENFILE},
	{"EMFILE", EMFILE}, {"ENOSPC", ENOSPC}, {"EROFS", EROFS},     {"ELOOP", ELOOP},   {"ENOSYS", ENOSYS},
	{"EUSERS", EUSERS}, {"ENODEV", ENODEV}, {"EXDEV", EXDEV},
};

static void fault_init(void)
{
	if (st)
		return;
	const char *f = getenv("WARDER_FAULT_COUNT");
	void *p = MAP_FAILED;
	if (f && *f) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, f, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0) {
			struct stat sb;
			if (fstat(fd, &sb) == 0 && (size_t)sb.st_size < sizeof *st)
				(void)!ftruncate(fd, sizeof *st);
			p = mmap(NULL, sizeof *st, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
			close(fd);
		}
	}
	if (p == MAP_FAILED)
		p = mmap(NULL, sizeof *st, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		abort();
	st = p;
	uint32_t zero = 0;
	if (__atomic_compare_exchange_n(&st->magic, &zero, FAULT_MAGIC, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		st->first_pid = getpid();
	const char *w = getenv("WARDER_FAULT");
	if (w && *w) {
		char kind[32], en[32];
		unsigned n;
		if (sscanf(w, "%31[a-z0-9_]:%u:%31s", kind, &n, en) != 3)
			abort();
		for (int k = 0; k < FK_COUNT; k++)
			if (strcmp(kind, kind_names[k]) == 0)
				want_kind = k;
		for (size_t i = 0; i < sizeof errnos / sizeof errnos[0]; i++)
			if (strcmp(en, errnos[i].name) == 0)
				want_errno = errnos[i].e;
		if (!want_errno)
			want_errno = atoi(en);
		if (want_kind < 0 || want_errno <= 0 || n == 0) {
			static const char msg[] = "fault shim: bad WARDER_FAULT (KIND:N:ERRNO)\n";
			(void)!write(2, msg, sizeof msg - 1);
			abort();
		}
		want_n = n;
	}
}

__attribute__((constructor)) static void fault_ctor(void)
{
	fault_init();
}

/* Count one call of KIND; true when this one must fail (errno is set then). */
static int fault_hit(enum fault_kind kind)
{
	int e = errno;
	fault_init();
	pid_t me = (pid_t)syscall(SYS_getpid);
	enum fault_role role = me == st->first_pid ? FR_FIRST : me == 1 ? FR_INIT : FR_OTHER;
	uint32_t n = __atomic_add_fetch(&st->total[kind], 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&st->by_role[role][kind], 1, __ATOMIC_SEQ_CST);
	if ((int)kind == want_kind && n == want_n) {
		st->injected_pid = me;
		st->injected_role = role;
		__atomic_add_fetch(&st->injected, 1, __ATOMIC_SEQ_CST);
		errno = want_errno;
		return 1;
	}
	errno = e;
	return 0;
}

#define REAL(name)                            \
	static __typeof__(name) *real_##name; \
	if (!real_##name)                     \
	real_##name = dlsym(RTLD_NEXT, #name)

/* The kind of a write to FD, by what the fd names: /proc/N/{uid_map,gid_map,setgroups} or /sys/fs/cgroup/. */
static int fd_kind(int fd)
{
	if (fd <= 2)
		return -1;
	char link[64], path[512];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof path - 1);
	if (n <= 0)
		return -1;
	path[n] = 0;
	if (strncmp(path, "/sys/fs/cgroup/", 15) == 0)
		return FK_cgroup_write;
	if (strncmp(path, "/proc/", 6) == 0) {
		const char *b = strrchr(path, '/') + 1;
		if (!strcmp(b, "uid_map") || !strcmp(b, "gid_map") || !strcmp(b, "setgroups"))
			return FK_idmap_write;
	}
	return -1;
}

static int under_cgroupfs(int dirfd, const char *path)
{
	char buf[512];
	if (path[0] != '/' && dirfd != AT_FDCWD) {
		char link[64];
		snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
		ssize_t n = readlink(link, buf, sizeof buf - 1);
		if (n <= 0)
			return 0;
		buf[n] = 0;
		path = buf;
	}
	return strncmp(path, "/sys/fs/cgroup/", 15) == 0;
}

ssize_t write(int fd, const void *b, size_t n)
{
	REAL(write);
	int k = fd_kind(fd);
	if (k >= 0 && fault_hit((enum fault_kind)k))
		return -1;
	return real_write(fd, b, n);
}

int mkdir(const char *path, mode_t mode)
{
	REAL(mkdir);
	if (under_cgroupfs(AT_FDCWD, path) && fault_hit(FK_cgroup_mkdir))
		return -1;
	return real_mkdir(path, mode);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	REAL(mkdirat);
	if (under_cgroupfs(dirfd, path) && fault_hit(FK_cgroup_mkdir))
		return -1;
	return real_mkdirat(dirfd, path, mode);
}

int mount(const char *src, const char *dst, const char *type, unsigned long flags, const void *data)
{
	REAL(mount);
	return fault_hit(FK_mount) ? -1 : real_mount(src, dst, type, flags, data);
}

int umount2(const char *target, int flags)
{
	REAL(umount2);
	return fault_hit(FK_umount2) ? -1 : real_umount2(target, flags);
}

int umount(const char *target)
{
	REAL(umount);
	return fault_hit(FK_umount2) ? -1 : real_umount(target);
}

int unshare(int flags)
{
	REAL(unshare);
	return fault_hit(FK_unshare) ? -1 : real_unshare(flags);
}

int setns(int fd, int nstype)
{
	REAL(setns);
	return fault_hit(FK_setns) ? -1 : real_setns(fd, nstype);
}

pid_t fork(void)
{
	REAL(fork);
	return fault_hit(FK_fork) ? -1 : real_fork();
}

/* A static build's fork (lib/proc.h); WARDER_DYN links the same objects. */
pid_t _Fork(void)
{
	REAL(_Fork);
	return fault_hit(FK_fork) ? -1 : real__Fork();
}

/* vfork cannot be wrapped by a C function: its child would return through a frame the parent still needs.
 * So the wrapper is a tail jump: the helper counts the call and answers the real vfork, or NULL when this
 * call must fail (errno set), and the wrapper jumps there with the caller's frame untouched. */
#if defined(__x86_64__)
__attribute__((visibility("hidden"), used)) void *shim_vfork_target(void);
void *shim_vfork_target(void)
{
	static void *real;
	if (!real)
		real = dlsym(RTLD_NEXT, "vfork");
	return fault_hit(FK_fork) ? NULL : real;
}
__asm__(".text\n.globl vfork\n.type vfork, @function\nvfork:\n"
	"\tsub $8, %rsp\n\tcall shim_vfork_target\n\tadd $8, %rsp\n"
	"\ttest %rax, %rax\n\tjz 1f\n\tjmp *%rax\n1:\tmov $-1, %eax\n\tret\n.size vfork, .-vfork\n");
#endif

int socketpair(int domain, int type, int protocol, int sv[2])
{
	REAL(socketpair);
	return fault_hit(FK_socketpair) ? -1 : real_socketpair(domain, type, protocol, sv);
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	REAL(execve);
	return fault_hit(FK_execve) ? -1 : real_execve(path, argv, envp);
}

int execv(const char *path, char *const argv[])
{
	REAL(execv);
	return fault_hit(FK_execve) ? -1 : real_execv(path, argv);
}

int execvp(const char *file, char *const argv[])
{
	REAL(execvp);
	return fault_hit(FK_execve) ? -1 : real_execvp(file, argv);
}

int execvpe(const char *file, char *const argv[], char *const envp[])
{
	REAL(execvpe);
	return fault_hit(FK_execve) ? -1 : real_execvpe(file, argv, envp);
}

int fexecve(int fd, char *const argv[], char *const envp[])
{
	REAL(fexecve);
	return fault_hit(FK_execve) ? -1 : real_fexecve(fd, argv, envp);
}

int clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	REAL(clone);
	va_list ap;
	va_start(ap, arg);
	pid_t *ptid = va_arg(ap, pid_t *);
	void *tls = va_arg(ap, void *);
	pid_t *ctid = va_arg(ap, pid_t *);
	va_end(ap);
	if (fault_hit(FK_clone))
		return -1;
	return real_clone(fn, stack, flags, arg, ptid, tls, ctid);
}

/* glibc 2.36's wrappers of the new mount API. */
int fsopen(const char *fs, unsigned int flags)
{
	REAL(fsopen);
	return fault_hit(FK_fsopen) ? -1 : real_fsopen(fs, flags);
}

int fsmount(int fd, unsigned int flags, unsigned int attrs)
{
	REAL(fsmount);
	return fault_hit(FK_fsmount) ? -1 : real_fsmount(fd, flags, attrs);
}

int move_mount(int from, const char *fp, int to, const char *tp, unsigned int flags)
{
	REAL(move_mount);
	return fault_hit(FK_move_mount) ? -1 : real_move_mount(from, fp, to, tp, flags);
}

int open_tree(int dfd, const char *path, unsigned int flags)
{
	REAL(open_tree);
	return fault_hit(FK_open_tree) ? -1 : real_open_tree(dfd, path, flags);
}

/* syscall(2): the calls glibc has no wrapper for (clone3, pivot_root, openat2) and the mount API by number. */
long syscall(long nr, ...)
{
	REAL(syscall);
	va_list ap;
	va_start(ap, nr);
	long a[6];
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	int k = nr == SYS_clone3 || nr == SYS_clone ? FK_clone
		: nr == SYS_pivot_root              ? FK_pivot_root
		: nr == SYS_openat2                 ? FK_openat2
		: nr == SYS_move_mount              ? FK_move_mount
		: nr == SYS_fsmount                 ? FK_fsmount
		: nr == SYS_open_tree               ? FK_open_tree
		: nr == SYS_fsopen                  ? FK_fsopen
		: nr == SYS_mount                   ? FK_mount
		: nr == SYS_umount2                 ? FK_umount2
		: nr == SYS_unshare                 ? FK_unshare
		: nr == SYS_setns                   ? FK_setns
						    : -1;
	if (k >= 0 && fault_hit((enum fault_kind)k))
		return -1;
	return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
