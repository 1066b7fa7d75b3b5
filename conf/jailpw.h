/* jailpw: who a user is, for the process about to become that user.
 *
 * jailpw_user reads the jail's own /etc/passwd and /etc/group (called once "/" is the jail's root) directly,
 * never through getpwnam(3): the host's NSS would read the jail's nsswitch.conf and load the modules it
 * names from the jail's /lib, as root. The jail owns those files: a fifo, a device or a giant sparse file is
 * refused, never waited on or read to the end. jailpw_host asks the host, for host-side commands.
 * Every function returns 0, or -1 with one line in ERR; none prints anything. */
#ifndef WARDER_JAILPW_H
#define WARDER_JAILPW_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define JAILPW_MAX_GROUPS NGROUPS_MAX /* what setgroups(2) takes: 65536 on Linux */

struct jailpw {
	uid_t uid;
	gid_t gid;
	bool found; /* in the passwd file; false for a bare uid it does not know (gid 0, as docker -u) */
	char name[256];
	char home[1024]; /* "/" when unknown */
	char shell[256]; /* "/bin/sh" when unknown */
	size_t ngroups;  /* supplementary groups: the jail's group file's that list the user; the host's as
			   * initgroups(3) would set them */
	gid_t groups[JAILPW_MAX_GROUPS];
};

/* USER: a name or a uid, in the jail's files (the current root's). */
/* The lookups return 0, JAILPW_UNKNOWN when the name is not in the file (the config names what is not there:
 * exit 78), or -1 when the file cannot be read; ERR holds one line either way. */
#define JAILPW_UNKNOWN (-2)
int jailpw_user(const char *user, struct jailpw *w, char *err, size_t errlen);

/* NAME: a group name or a gid, in the jail's /etc/group. */
int jailpw_group(const char *name, gid_t *gid, char *err, size_t errlen);
/* The same in the files below ROOT (a rootfs not entered yet, for `warder check`), resolved inside it. */
int jailpw_user_at(const char *root, const char *user, struct jailpw *w, char *err, size_t errlen);
int jailpw_group_at(const char *root, const char *name, gid_t *gid, char *err, size_t errlen);

/* USER (NULL: the current uid) and group NAME in the host's databases: through NSS, or with WARDER_NO_NSS
 * (the static build) from the host's /etc/passwd and /etc/group alone. */
int jailpw_host(const char *user, struct jailpw *w, char *err, size_t errlen);
int jailpw_host_group(const char *name, gid_t *gid, char *err, size_t errlen);
/* The host's uid (KIND 'u') or gid (else) of NAME, 0 or -1: the shape of a devfs.rules name resolver
 * (conf/devfs.h, devfs_set_host_resolver); ARG is unused. */
int jailpw_host_id(int kind, const char *name, uint32_t *id, void *arg);

#endif
