/* unixsock: the stream sockets at a path through which warder talks to itself (ctl and the control socket,
 * attach and the init's setns socket): the path checked against sun_path in one place. */
#ifndef WARDER_UNIXSOCK_H
#define WARDER_UNIXSOCK_H

#include <sys/socket.h>
#include <sys/un.h>

/* PATH as an AF_UNIX address into SA. 0, or -1 with errno ENAMETOOLONG when it does not fit. */
int unixsock_addr(struct sockaddr_un *sa, const char *path);

/* A stream socket connected to PATH. The fd, or -1 with errno and no log line (ENAMETOOLONG: PATH does not
 * fit): what a refusal means is the caller's to say. */
int unixsock_connect(const char *path);

/* A stream socket listening at PATH, with FLAGS (SOCK_NONBLOCK) added. The file is created 0600 (the umask
 * around bind): no moment in which others could connect. The fd, or -1 after a line under STEP naming what
 * failed; a failed listen leaves no file behind. */
int unixsock_listen(const char *step, const char *path, int flags);

#endif
