/* peer: who is at the other end of a connected unix socket (Linux SO_PEERCRED, FreeBSD LOCAL_PEERCRED). */
#ifndef WARDER_PEER_H
#define WARDER_PEER_H

#include <sys/types.h>

/* The peer's effective uid and, when PID is not NULL, its pid (the process that connected or listened).
 * 0, or -1 with errno set. */
int peer_cred(int fd, uid_t *uid, pid_t *pid);

#endif
