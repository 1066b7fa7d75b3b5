/* ident: the jail's identity - its hostname and domain name (uts namespace) and a working loopback (net
 * namespace). */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "inside.h"
#include "log.h"

/* The uts names; lx_plan refuses them without the jail's own uts namespace. */
int lxid_uts(const char *param, const char *value)
{
	int rc = strcmp(param, "host.domainname") == 0 ? setdomainname(value, strlen(value))
						       : sethostname(value, strlen(value));
	if (rc < 0) {
		log_errno(LX_STEP, "set %s to %s", param, value);
		return -1;
	}
	return 0;
}

/* lo up: 0, or -1 with errno and *WHAT the call that failed. Quiet: the keeper's child (lx_after_go) says it
 * in its own step. */
int lxid_loopback_up(const char **what)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1, e;

	if (s < 0) {
		*what = "socket";
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		*what = "get flags of lo";
	} else if (ifr.ifr_flags & IFF_UP) {
		rc = 0; /* up already: the keeper made the namespace (lx_after_go) */
	} else {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			*what = "bring lo up";
		else
			rc = 0;
	}
	e = errno;
	close(s);
	errno = e;
	return rc;
}

/* A new net namespace starts with lo down; every service expects 127.0.0.1 to answer. */
int lxid_loopback(void)
{
	const char *what;
	if (lxid_loopback_up(&what) < 0) {
		log_errno(LX_STEP, "loopback: %s", what);
		return -1;
	}
	return 0;
}
