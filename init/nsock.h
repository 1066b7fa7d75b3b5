/* nsock: the socket behind NOTIFY_SOCKET and who sent to it - what Linux and FreeBSD do differently
 * (init/linux/nsock.c, init/freebsd/nsock.c). */
#ifndef WARDER_NSOCK_H
#define WARDER_NSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A datagram socket that records its senders' pids, made in this process's network namespace and
 * filesystem: Linux an abstract name (no path in the jail's root, writable or not), FreeBSD a path under
 * /var/run of the jail. ADDR receives the NOTIFY_SOCKET value. The fd (close-on-exec, non-blocking), or -1
 * after a log line. */
int nsock_open(const char *name, char *addr, size_t len);
/* One datagram into BUF; *PID is its sender as this process sees it (0: not in our pid namespace or not
 * known). The length, or -1 with errno (EAGAIN: none left). */
ssize_t nsock_recv(int fd, char *buf, size_t len, pid_t *pid);
/* PID is this process or a descendant of it (through reparenting to it as a reaper too). */
bool nsock_in_tree(pid_t pid);
void nsock_close(int fd, const char *addr);

#endif
