/* ids: the calls that change a process's credentials. warder has one thread: on Linux the system call is
 * all that glibc's wrapper does for it, and the wrapper's code to make every other thread change too (1.4
 * KiB of the static binary) is never linked. Elsewhere, the C library's. */
#ifndef WARDER_IDS_H
#define WARDER_IDS_H

#include <grp.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/syscall.h>
#ifdef SYS_setuid32 /* a 32-bit ABI: the unsuffixed calls take 16-bit ids */
#define IDS_NR(call) SYS_##call##32
#else
#define IDS_NR(call) SYS_##call
#endif
static inline int ids_setgroups(size_t n, const gid_t *list)
{
	return (int)syscall(IDS_NR(setgroups), n, list);
}
static inline int ids_setgid(gid_t gid)
{
	return (int)syscall(IDS_NR(setgid), gid);
}
static inline int ids_setuid(uid_t uid)
{
	return (int)syscall(IDS_NR(setuid), uid);
}
static inline int ids_setresgid(gid_t r, gid_t e, gid_t s)
{
	return (int)syscall(IDS_NR(setresgid), r, e, s);
}
static inline int ids_setresuid(uid_t r, uid_t e, uid_t s)
{
	return (int)syscall(IDS_NR(setresuid), r, e, s);
}
#else
#define ids_setgroups(n, list) setgroups((int)(n), (list))
#define ids_setgid setgid
#define ids_setuid setuid
#endif

#endif
