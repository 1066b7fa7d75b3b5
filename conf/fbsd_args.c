/* fbsd_args: the system calls' arguments for a plan's items (nmount's iovec, ifconfig's argv, jail(2)'s address
 * arrays), built in portable code so that the unit tests check them on Linux; init/freebsd/ passes them on
 * unchanged and `check --os freebsd` prints the same ones. Declared in fbsd_plan.h. */
#include "fbsd_plan.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static bool iov_add(struct iovec *iov, size_t *n, size_t max, const char *name, const char *value)
{
	if (*n + 2 > max)
		return false;
	iov[*n].iov_base = (void *)name;
	iov[*n].iov_len = strlen(name) + 1;
	iov[*n + 1].iov_base = (void *)value;
	iov[*n + 1].iov_len = value ? strlen(value) + 1 : 0;
	*n += 2;
	return true;
}

int fbsd_mount_iov(const struct fbsd_mount *m, struct iovec *iov, size_t max, char *buf, size_t buflen, char *errmsg,
		   size_t errlen)
{
	size_t n = 0;
	const char *opts = m->opts ? m->opts : "";
	if (strlen(opts) >= buflen)
		return -1;
	strcpy(buf, opts);
	bool room = iov_add(iov, &n, max, "fstype", m->fstype) && iov_add(iov, &n, max, "fspath", m->to) &&
		    iov_add(iov, &n, max, "from", m->from);
	if (room && strcmp(m->fstype, "nullfs") == 0)
		room = iov_add(iov, &n, max, "target", m->from);
	for (char *save, *o = strtok_r(buf, ",", &save); room && o; o = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(o, '=');
		if (strcmp(o, "rw") == 0)
			continue; /* the default; mount(8) sends no option for it */
		if (eq)
			*eq++ = '\0';
		room = iov_add(iov, &n, max, o, eq);
	}
	if (!room || n + 2 > max)
		return -1;
	errmsg[0] = '\0';
	iov[n].iov_base = (void *)"errmsg";
	iov[n].iov_len = sizeof "errmsg";
	iov[n + 1].iov_base = errmsg;
	iov[n + 1].iov_len = errlen;
	return (int)n + 2;
}

void fbsd_alias_argv(const struct fbsd_alias *a, bool add, char *buf, size_t buflen, char *argv[6])
{
	if (add)
		snprintf(buf, buflen, "%s/%d", a->addr, a->prefix);
	else
		snprintf(buf, buflen, "%s", a->addr);
	argv[0] = (char *)FBSD_IFCONFIG;
	argv[1] = a->iface;
	argv[2] = (char *)(a->af == 4 ? "inet" : "inet6");
	argv[3] = buf;
	argv[4] = (char *)(add ? "alias" : "-alias");
	argv[5] = NULL;
}

int fbsd_oldjail_addrs(const struct fbsd_oldjail *o, struct in_addr **a4, struct in6_addr **a6)
{
	*a4 = o->nip4 ? calloc(o->nip4, sizeof **a4) : NULL;
	*a6 = o->nip6 ? calloc(o->nip6, sizeof **a6) : NULL;
	int e = 0;
	if ((o->nip4 && !*a4) || (o->nip6 && !*a6))
		e = ENOMEM;
	for (size_t i = 0; !e && i < o->nip4; i++)
		if (inet_pton(AF_INET, o->ip4[i], &(*a4)[i]) != 1)
			e = EINVAL;
	for (size_t i = 0; !e && i < o->nip6; i++)
		if (inet_pton(AF_INET6, o->ip6[i], &(*a6)[i]) != 1)
			e = EINVAL;
	if (!e)
		return 0;
	free(*a4);
	free(*a6);
	*a4 = NULL;
	*a6 = NULL;
	errno = e;
	return -1;
}
