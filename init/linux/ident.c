/* ident: the jail's identity - its hostname (uts namespace) and a working loopback (net namespace). */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "inside.h"
#include "log.h"
#include "ns.h"

/* The uts names: without its own uts namespace the jail would rename the host. */
static const struct {
	const char *param;
	int (*set)(const char *, size_t);
} uts_names[] = {
	{ "host.hostname", sethostname },
	{ "host.domainname", setdomainname },
};

static int set_uts(const struct jail *j)
{
	for (size_t i = 0; i < sizeof uts_names / sizeof uts_names[0]; i++) {
		const char *name = jail_get(j, uts_names[i].param);
		if (!name || !*name)
			continue;
		if (!(ns_list(jail_get(j, "unshare")) & NS_BIT(NS_UTS))) {
			log_err(LX_STEP, "%s %s needs its own uts namespace: add uts to unshare", uts_names[i].param,
				name);
			return -1;
		}
		if (uts_names[i].set(name, strlen(name)) < 0) {
			log_errno(LX_STEP, "set %s to %s", uts_names[i].param, name);
			return -1;
		}
	}
	return 0;
}

/* A new net namespace starts with lo down; every service expects 127.0.0.1 to answer. */
static int loopback_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (s < 0) {
		log_errno(LX_STEP, "loopback: socket");
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		log_errno(LX_STEP, "loopback: get flags of lo");
		goto out;
	}
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
		log_errno(LX_STEP, "loopback: bring lo up");
		goto out;
	}
	rc = 0;
out:
	close(s);
	return rc;
}

int lxid_apply(const struct jail *j)
{
	if (set_uts(j) < 0)
		return -1;
	if ((ns_list(jail_get(j, "unshare")) & NS_BIT(NS_NET)) && loopback_up() < 0)
		return -1;
	return 0;
}
