/* sys: the FreeBSD calls whose headers clash with warder's names, kept in sys.c behind plain C types.
 * <sys/jail.h> defines a `struct jail` (the old API's) that clashes with conf.h's, and <fs/devfs/devfs.h>
 * a `struct devfs_rule` that clashes with conf/devfs.h's; libjail's <jail.h> is shadowed by init/jail.h
 * unless warder's directories are -iquote. Every function returns -1 with errno set (libjail's message in
 * ERR when it has one) on failure. */
#ifndef WARDER_FBSD_SYS_H
#define WARDER_FBSD_SYS_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* jail(2), struct jail version 2 (addresses from fbsd_oldjail_addrs): creates the jail and moves the caller
 * into it. Returns the jid. */
int fbsd_sys_oldjail(const char *path, const char *hostname, const char *name, struct in_addr *ip4, size_t nip4,
		     struct in6_addr *ip6, size_t nip6);
int fbsd_sys_attach(int jid); /* jail_attach(2) */
int fbsd_sys_remove(int jid); /* jail_remove(2) */
/* libjail: jailparam_init/import for each name=value (value NULL: none), jailparam_set(JAIL_CREATE). */
int fbsd_sys_create(char *const *names, char *const *values, size_t n, char *err, size_t errlen);
int fbsd_sys_getid(const char *name, char *err, size_t errlen); /* jail_getid */
int fbsd_sys_nopersist(int jid, char *err, size_t errlen);      /* jail_setv JAIL_UPDATE nopersist */

/* struct devfs_rule's fields (conf/devfs.h's struct devfs_record carries the same ones). */
struct fbsd_sys_rule {
	uint32_t magic, id;
	int icond, dswflags;
	const char *pattern;
	int iacts, bacts;
	uint32_t uid, gid;
	uint16_t mode, incset;
};
int fbsd_sys_has_ruleset(int devfd, unsigned number);               /* 1, 0, or -1 */
int fbsd_sys_rule_add(int devfd, const struct fbsd_sys_rule *rule); /* DEVFSIO_RADD */

#endif
