/* peer: the credentials the kernel recorded for the other end of a unix socket at connect/listen time. */
#include "peer.h"

#include <sys/socket.h>
#include <sys/types.h>
#ifdef __FreeBSD__
#include <sys/un.h>
#include <sys/ucred.h> /* struct xucred, LOCAL_PEERCRED */
#endif

int peer_cred(int fd, uid_t *uid, pid_t *pid)
{
#ifdef SO_PEERCRED
	struct ucred cr;
	socklen_t len = sizeof cr;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return -1;
	*uid = cr.uid;
	if (pid)
		*pid = cr.pid;
#else
	struct xucred cr;
	socklen_t len = sizeof cr;
	if (getsockopt(fd, SOL_LOCAL, LOCAL_PEERCRED, &cr, &len) < 0)
		return -1;
	*uid = cr.cr_uid;
	if (pid)
		*pid = cr.cr_pid;
#endif
	return 0;
}
