/* proc: the few questions about processes that Linux and FreeBSD answer differently (lib/proc_linux.c,
 * lib/proc_freebsd.c). The emperor uses them to re-execute itself and to clear what a dead vassal left;
 * the state files' readers to tell a running jail (an init that is its keeper's child) from a stale file. */
#ifndef WARDER_PROC_H
#define WARDER_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

/* fork(2). warder has one thread and no pthread_atfork handler, so fork(3) runs nothing that _Fork does not,
 * but for NSS's state, which a static build (WARDER_NO_NSS) does not have: there, _Fork, and a static glibc
 * leaves out fork(3)'s handler machinery (3 KiB). */
static inline pid_t proc_fork(void)
{
#if defined(WARDER_NO_NSS) && defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	return _Fork();
#else
	return fork();
#endif
}

/* This executable's absolute path, into BUF. 0, or -1 with errno. */
int proc_self_path(char *buf, size_t len);

/* FN for every direct child of this process, orphans reparented to it included. 0, or -1 with errno when
 * they cannot be listed (FreeBSD: we are not a reaper). */
int proc_children(void (*fn)(pid_t pid, void *arg), void *arg);

/* Linux: FN for every pid in PID's /proc children list (0: this thread's), read the one way the reaper,
 * the emperor and `ctl` share; warder's processes are single-threaded, so a thread's children are all.
 * How many, or -1 with errno. */
int proc_children_of(pid_t pid, void (*fn)(pid_t child, void *arg), void *arg);

/* SIGKILL to every process that CHILD, a child of ours already reaped, left behind. The caller is a
 * (sub)reaper. FreeBSD kills the whole subtree at once; Linux cannot name them before they are reparented
 * to us, so it does nothing here and proc_children finds them. How many were signalled, or -1 with errno. */
int proc_kill_subtree(pid_t child);

/* An fd that turns readable once CHILD, a child of ours not yet reaped, has exited (Linux: a pidfd; FreeBSD: a
 * kqueue watching its exit); waitpid(CHILD) then reaps it, a look at that child alone where waitpid(-1) walks
 * every child we have (the emperor has thousands). -1 with errno. */
int proc_exit_fd(pid_t child);

/* As vfork(2), FN(ARG) in a child that shares our memory while we wait for its exec or exit, but sharing our
 * fd table too, which vfork copies: O(open fds) per child, and the emperor holds two per vassal. The child
 * must call proc_unshare_fds before it touches an fd. Its pid, or -1 with errno (FreeBSD: ENOSYS, the caller
 * uses vfork). */
pid_t proc_vfork_shared(int (*fn)(void *arg), void *arg);

/* In such a child: a table of its own that holds only the fds below FROM (none above is copied). */
int proc_unshare_fds(unsigned from);

/* PID exists and has exited but is not yet reaped (a zombie): kill(pid, 0) still succeeds on it. */
bool proc_is_zombie(pid_t pid);

/* PID's parent (its reaper's pid once its parent is gone), or -1 with errno when PID cannot be looked at. */
pid_t proc_parent(pid_t pid);

#endif
