/* cred: the privilege drop in the main command's child, in DESIGN.md's order: capability bounding set (and
 * ambient/inheritable cleared), no_new_privs, supplementary groups, gid, uid.
 *
 * user/group/groups are looked up in the jail's own /etc/passwd and /etc/group (conf/jailpw.c; by then "/"
 * is the jail). Capabilities use the raw system calls so that warder needs no libcap. */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "inside.h"
#include "jailpw.h"
#include "log.h"
#include "setup.h"

#define MAX_GROUPS JAILPW_MAX_GROUPS

/* --- capabilities ------------------------------------------------------------------------------------------ */

static int caps_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};

	return (int)syscall(SYS_capget, &h, d);
}

static int caps_set(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};

	return (int)syscall(SYS_capset, &h, d);
}

/* Limit permitted/effective to MASK (and keep them as they are otherwise); inheritable always empty. */
static int caps_limit(unsigned long long mask)
{
	struct __user_cap_data_struct d[2];

	if (caps_get(d) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		__u32 m = (__u32)(mask >> (32 * i));
		d[i].permitted &= m;
		d[i].effective &= m;
		d[i].inheritable = 0;
	}
	return caps_set(d);
}

static int caps_bound(unsigned long long mask)
{
	/* The kernel answers EINVAL from the first capability past its last: that ends the list, with no need
	 * for /proc/sys/kernel/cap_last_cap (nor /proc at all). */
	for (int cap = 0; cap < 64; cap++) {
		if (mask & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break;
			log_errno(LX_STEP, "drop capability %s from the bounding set", conf_cap_name(cap));
			return -1;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		log_errno(LX_STEP, "clear the ambient capabilities");
		return -1;
	}
	/* Keep permitted for now (setuid needs CAP_SETUID), but nothing may be inherited across exec. */
	if (caps_limit(~0ULL) < 0) {
		log_errno(LX_STEP, "clear the inheritable capabilities");
		return -1;
	}
	return 0;
}

/* --- the groups ------------------------------------------------------------------------------------------ */

/* groups = a,b,... sets exactly those; "none" clears them; unset: the user's memberships in the jail's
 * /etc/group, as login, uWSGI's initgroups and Docker do. */
static int add_groups(const char *value, gid_t *list, size_t *n)
{
	char err[300], *save = NULL, *buf = strdup(value);
	int rc = 0;

	if (!buf) {
		log_errno(LX_STEP, "groups");
		return -1;
	}
	for (char *t = strtok_r(buf, ", \t", &save); t && rc == 0; t = strtok_r(NULL, ", \t", &save)) {
		if (strcasecmp(t, "none") == 0)
			continue;
		if (*n == MAX_GROUPS) {
			log_err(LX_STEP, "groups: more than %d", MAX_GROUPS);
			rc = -1;
		} else if (jailpw_group(t, &list[*n], err, sizeof err) < 0) {
			log_err(LX_STEP, "%s", err);
			rc = -1;
		} else {
			(*n)++;
		}
	}
	free(buf);
	return rc;
}

static int wanted_groups(const struct jail *j, const struct jailpw *w, gid_t *list, size_t *n, bool *asked)
{
	const struct conf_value *v;
	size_t nv = jail_list(j, "groups", &v);

	*n = 0;
	*asked = nv > 0;
	if (nv == 0) {
		memcpy(list, w->groups, w->ngroups * sizeof *list);
		*n = w->ngroups;
		return 0;
	}
	for (size_t i = 0; i < nv; i++)
		if (add_groups(v[i].text, list, n) < 0)
			return -1;
	return 0;
}

/* --- the drop -------------------------------------------------------------------------------------------- */

/* A user namespace whose setgroups is "deny" (rootless) refuses every setgroups call. */
static bool setgroups_denied(void)
{
	char buf[16] = "";
	FILE *fp = fopen("/proc/self/setgroups", "re");

	if (!fp)
		return false;
	if (!fgets(buf, sizeof buf, fp))
		buf[0] = '\0';
	fclose(fp);
	return strncmp(buf, "deny", 4) == 0;
}

static int set_groups(const gid_t *list, size_t n, bool asked)
{
	/* /proc/self/setgroups is read only when the call was refused: the common case costs no file. */
	if (setgroups(n, list) == 0)
		return 0;
	int e = errno;
	if (e == EPERM && setgroups_denied()) {
		if (asked && n > 0) {
			log_err(LX_STEP, "groups: the user namespace denies setgroups (rootless jail)");
			return -1;
		}
		if (n > 0)
			log_warn(LX_STEP, "supplementary groups not set: the user namespace denies setgroups");
		return 0;
	}
	errno = e;
	log_errno(LX_STEP, "setgroups");
	return -1;
}

static int set_ids(uid_t uid, gid_t gid, bool change_uid, bool change_gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (change_gid && setresgid(gid, gid, gid) < 0) {
		log_errno(LX_STEP, "setgid %u", (unsigned)gid);
		return -1;
	}
	if (change_uid && setresuid(uid, uid, uid) < 0) {
		log_errno(LX_STEP, "setuid %u", (unsigned)uid);
		return -1;
	}
	/* Trust nothing: read the ids back. */
	if (getresgid(&rg, &eg, &sg) < 0 || getresuid(&ru, &eu, &su) < 0) {
		log_errno(LX_STEP, "read back uid/gid");
		return -1;
	}
	if ((change_gid && (rg != gid || eg != gid || sg != gid)) ||
	    (change_uid && (ru != uid || eu != uid || su != uid))) {
		log_err(LX_STEP, "uid/gid did not change to %u/%u", (unsigned)uid, (unsigned)gid);
		return -1;
	}
	return 0;
}

static bool no_new_privs(const struct jail *j)
{
	return jail_bool(j, "no_new_privs"); /* the table's default: true */
}

int lxcred_drop(const struct jail *j)
{
	const char *user = jail_get(j, "user"), *group = jail_get(j, "group"), *caps = jail_get(j, "caps");
	unsigned long long mask;
	/* Not zeroed whole: its group list is 256 KiB, and every page zeroed is one more fault before exec. */
	struct jailpw w;
	gid_t list[MAX_GROUPS], gid;
	size_t n;
	bool asked;
	char err[300];

	w.uid = 0, w.gid = 0, w.ngroups = 0;
	if (conf_caps_parse("caps", caps ? caps : "default", &mask, err, sizeof err) < 0) {
		log_err(LX_STEP, "%s", err);
		return -1;
	}
	/* Look everything up while the files are still readable to us. */
	int rc;
	if (user && (rc = jailpw_user(user, &w, err, sizeof err)) < 0) {
		log_err(LX_STEP, "%s", err);
		return rc == JAILPW_UNKNOWN ? JAIL_ECONFIG : -1;
	}
	gid = w.gid;
	if (group && (rc = jailpw_group(group, &gid, err, sizeof err)) < 0) {
		log_err(LX_STEP, "%s", err);
		return rc == JAILPW_UNKNOWN ? JAIL_ECONFIG : -1;
	}
	if (wanted_groups(j, &w, list, &n, &asked) < 0)
		return -1;

	if (caps_bound(mask) < 0)
		return -1;
	if (no_new_privs(j) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_errno(LX_STEP, "no_new_privs");
		return -1;
	}
	/* Without user or groups this clears what the host gave the keeper. */
	if (set_groups(list, n, asked) < 0)
		return -1;
	if (set_ids(w.uid, gid, user != NULL, user != NULL || group != NULL) < 0)
		return -1;
	/* uid 0 keeps its permitted set across setuid: cut it to the granted set by hand. Any other uid lost
	 * it all in setuid, as the kernel's rules say. */
	if (caps_limit(mask) < 0) {
		log_errno(LX_STEP, "limit the capabilities to the granted set");
		return -1;
	}
	return 0;
}
