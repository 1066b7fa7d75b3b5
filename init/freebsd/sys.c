/* sys: thin wrappers over <sys/jail.h>, libjail and the devfs ioctls (see sys.h for why they live alone). */
#include "sys.h"

#include <sys/param.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/jail.h>
#include <sys/ioctl.h>
#include <sys/queue.h> /* fs/devfs/devfs.h uses TAILQ without including it */
#include <fs/devfs/devfs.h>
#include <errno.h>
#include <jail.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fbsd_sys_oldjail(const char *path, const char *hostname, const char *name, struct in_addr *ip4, size_t nip4,
		     struct in6_addr *ip6, size_t nip6)
{
	struct jail j = {
		.version = JAIL_API_VERSION,
		.path = (char *)path,
		.hostname = (char *)hostname,
		.jailname = (char *)name,
		.ip4s = (uint32_t)nip4,
		.ip6s = (uint32_t)nip6,
		.ip4 = ip4,
		.ip6 = ip6,
	};
	return jail(&j);
}

int fbsd_sys_attach(int jid)
{
	return jail_attach(jid);
}

int fbsd_sys_remove(int jid)
{
	return jail_remove(jid);
}

int fbsd_sys_create(char *const *names, char *const *values, size_t n, char *err, size_t errlen)
{
	struct jailparam *jp = calloc(n ? n : 1, sizeof *jp);
	size_t done = 0;
	int jid = -1;
	if (!jp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (; done < n; done++) {
		if (jailparam_init(&jp[done], names[done]) < 0)
			break;
		if (jailparam_import(&jp[done], values[done]) < 0) {
			done++;
			goto out;
		}
	}
	if (done == n)
		jid = jailparam_set(jp, (unsigned)n, JAIL_CREATE);
out:
	if (jid < 0)
		snprintf(err, errlen, "%s", jail_errmsg);
	jailparam_free(jp, (unsigned)done);
	free(jp);
	return jid;
}

int fbsd_sys_getid(const char *name, char *err, size_t errlen)
{
	int jid = jail_getid(name);
	if (jid < 0)
		snprintf(err, errlen, "%s", jail_errmsg);
	return jid;
}

int fbsd_sys_nopersist(int jid, char *err, size_t errlen)
{
	char jids[16];
	snprintf(jids, sizeof jids, "%d", jid);
	if (jail_setv(JAIL_UPDATE, "jid", jids, "nopersist", NULL, NULL) >= 0)
		return 0;
	snprintf(err, errlen, "%s", jail_errmsg);
	return -1;
}

int fbsd_sys_has_ruleset(int devfd, unsigned number)
{
	devfs_rsnum rs = 0;
	/* DEVFSIO_SGETNEXT walks the kernel's rulesets in order and fails past the last one. */
	while (ioctl(devfd, DEVFSIO_SGETNEXT, &rs) == 0) {
		if (rs == number)
			return 1;
		if (rs > number)
			return 0;
	}
	return errno == ENOENT ? 0 : -1;
}

int fbsd_sys_rule_add(int devfd, const struct fbsd_sys_rule *r)
{
	struct devfs_rule dr;
	memset(&dr, 0, sizeof dr);
	dr.dr_magic = r->magic;
	dr.dr_id = r->id;
	dr.dr_icond = r->icond;
	dr.dr_dswflags = r->dswflags;
	strlcpy(dr.dr_pathptrn, r->pattern, sizeof dr.dr_pathptrn);
	dr.dr_iacts = r->iacts;
	dr.dr_bacts = r->bacts;
	dr.dr_uid = r->uid;
	dr.dr_gid = r->gid;
	dr.dr_mode = r->mode;
	dr.dr_incset = r->incset;
	return ioctl(devfd, DEVFSIO_RADD, &dr);
}
