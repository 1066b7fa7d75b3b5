/* cred: the privilege drop in the main command's child, in DESIGN.md's order: capability bounding set (and
 * ambient/inheritable cleared), no_new_privs, supplementary groups, gid, uid. lxcred_prepare works it out in
 * the init before each start, so that the child (then a vfork one) only makes the system calls.
 *
 * user/group/groups are looked up in the jail's own /etc/passwd and /etc/group (conf/jailpw.c; by then "/"
 * is the jail). Capabilities use the raw system calls so that warder needs no libcap. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ids.h"
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
static int add_groups(const char *value, gid_t *list, size_t *n, bool say)
{
	char err[300], *save = NULL, *buf = strdup(value);
	int rc = 0;

	if (!buf) {
		if (say)
			log_errno(LX_STEP, "groups");
		return -1;
	}
	for (char *t = strtok_r(buf, ", \t", &save); t && rc == 0; t = strtok_r(NULL, ", \t", &save)) {
		if (strcasecmp(t, "none") == 0)
			continue;
		if (*n == MAX_GROUPS) {
			if (say)
				log_err(LX_STEP, "groups: more than %d", MAX_GROUPS);
			rc = -1;
		} else if (jailpw_group(t, &list[*n], err, sizeof err) < 0) {
			if (say)
				log_err(LX_STEP, "%s", err);
			rc = -1;
		} else {
			(*n)++;
		}
	}
	free(buf);
	return rc;
}

static int wanted_groups(const struct jail *j, const struct jailpw *w, gid_t *list, size_t *n, bool *asked, bool say)
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
		if (add_groups(v[i].text, list, n, say) < 0)
			return -1;
	return 0;
}

/* --- the drop -------------------------------------------------------------------------------------------- */

/* A user namespace whose setgroups is "deny" (rootless) refuses every setgroups call. System calls only:
 * this runs in a vfork child. */
static bool setgroups_denied(void)
{
	char buf[16] = "";
	int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd); /* read only */
	return n >= 4 && strncmp(buf, "deny", 4) == 0;
}

static int set_groups(const gid_t *list, size_t n, bool asked)
{
	/* /proc/self/setgroups is read only when the call was refused: the common case costs no file. */
	if (ids_setgroups(n, list) == 0)
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

	if (change_gid && ids_setresgid(gid, gid, gid) < 0) {
		log_errno(LX_STEP, "setgid %u", (unsigned)gid);
		return -1;
	}
	if (change_uid && ids_setresuid(uid, uid, uid) < 0) {
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

/* The drop worked out: what is left for the command's child are system calls. */
struct drop_plan {
	unsigned long long mask;
	uid_t uid;
	gid_t gid;
	bool change_uid, change_gid, asked, nnp;
	size_t n;
	gid_t list[MAX_GROUPS]; /* 256 KiB: only the pages the groups fill are ever touched */
};

static struct drop_plan planned;
static bool planned_ok; /* lxcred_prepare filled it for the next start */

/* The config's user, group, groups and caps, the names looked up in the jail's files. SAY: log what fails. */
static int resolve(const struct jail *j, struct drop_plan *p, bool say)
{
	const char *user = jail_get(j, "user"), *group = jail_get(j, "group"), *caps = jail_get(j, "caps");
	/* Not zeroed whole: its group list is 256 KiB, and every page zeroed is one more fault. */
	struct jailpw w;
	char err[300];
	int rc;

	w.uid = 0, w.gid = 0, w.ngroups = 0;
	if (conf_caps_parse("caps", caps ? caps : "default", &p->mask, err, sizeof err) < 0) {
		if (say)
			log_err(LX_STEP, "%s", err);
		return -1;
	}
	if (user && (rc = jailpw_user(user, &w, err, sizeof err)) < 0) {
		if (say)
			log_err(LX_STEP, "%s", err);
		return rc == JAILPW_UNKNOWN ? JAIL_ECONFIG : -1;
	}
	p->gid = w.gid;
	if (group && (rc = jailpw_group(group, &p->gid, err, sizeof err)) < 0) {
		if (say)
			log_err(LX_STEP, "%s", err);
		return rc == JAILPW_UNKNOWN ? JAIL_ECONFIG : -1;
	}
	if (wanted_groups(j, &w, p->list, &p->n, &p->asked, say) < 0)
		return -1;
	p->uid = w.uid;
	p->change_uid = user != NULL;
	p->change_gid = user != NULL || group != NULL;
	p->nnp = no_new_privs(j);
	return 0;
}

/* System calls only, in DESIGN.md's order. */
static int apply(const struct drop_plan *p)
{
	if (caps_bound(p->mask) < 0)
		return -1;
	if (p->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_errno(LX_STEP, "no_new_privs");
		return -1;
	}
	/* Without user or groups this clears what the host gave the keeper. */
	if (set_groups(p->list, p->n, p->asked) < 0)
		return -1;
	if (set_ids(p->uid, p->gid, p->change_uid, p->change_gid) < 0)
		return -1;
	/* uid 0 keeps its permitted set across setuid: cut it to the granted set by hand. Any other uid lost
	 * it all in setuid, as the kernel's rules say. */
	if (caps_limit(p->mask) < 0) {
		log_errno(LX_STEP, "limit the capabilities to the granted set");
		return -1;
	}
	return 0;
}

int lxcred_prepare(const struct jail *j)
{
	/* Quiet: when it fails the child looks everything up again and says what is wrong, as it always did. */
	planned_ok = resolve(j, &planned, false) == 0;
	return planned_ok ? 0 : -1;
}

int lxcred_drop(const struct jail *j)
{
	/* Look everything up while the files are still readable to us (done already when prepared). */
	if (!planned_ok) {
		int rc = resolve(j, &planned, true);
		if (rc < 0)
			return rc;
	}
	return apply(&planned);
}
