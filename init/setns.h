/* setns: uWSGI's setns-socket, the socket through which a jail's init hands out its namespaces. The jail's
 * init serves it (init/jail_init.c), `warder attach` and uWSGI are its clients. */
#ifndef WARDER_SETNS_H
#define WARDER_SETNS_H

#include <stddef.h>
#include <sys/types.h>

#define SETNS_MAX 32 /* most namespace fds one answer carries */

/* Bind PATH and open the /proc/self/ns entries now (before the root changes); returns the listening fd
 * (close-on-exec) or -1 after a log line. setns_serve answers one client: the payload "uwsgi-setns", an int
 * with the count, and the namespace fds (user excluded) as SCM_RIGHTS. */
int setns_listen(const char *path);
void setns_serve(int lfd);
void setns_close(void);

/* Connect to a setns socket: the fds into FDS (room for SETNS_MAX), their number into *N, and the serving
 * init's pid (the socket's peer credentials). 0, or -1 after a log line. */
int setns_fetch(const char *path, int *fds, size_t *n, pid_t *pid);

#endif
