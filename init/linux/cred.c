/* cred: the privilege drop in the main command's child, in DESIGN.md's order: capability bounding set (and
 * ambient/inheritable cleared), no_new_privs, supplementary groups, gid, uid.
 *
 * user/group/groups are looked up in the jail's own /etc/passwd and /etc/group (by then "/" is the jail), read
 * here rather than through getpwnam, which would ask the host's NSS. The jail owns those files: a fifo, a
 * device or a giant sparse file there is refused, never waited on or read to the end. Capabilities use the
 * raw system calls so that warder needs no libcap. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"
#include "safepath.h"
#include "setup.h"

#define MAX_GROUPS 64
#define MAX_DB_SIZE (16 << 20) /* a real passwd or group file is far smaller */

/* Docker's default set (moby oci/caps/defaults.go). */
static const char *const default_caps[] = {
	"chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid", "setuid", "setfcap", "setpcap",
	"net_bind_service", "sys_chroot", "kill", "audit_write",
};

static unsigned long long default_mask(void)
{
	unsigned long long m = 0;

	for (size_t i = 0; i < sizeof default_caps / sizeof default_caps[0]; i++)
		m |= 1ULL << conf_cap_parse(default_caps[i]);
	return m;
}

/* "chown, net_raw", "CAP_KILL", "all", "none", "default"; "-NAME" takes one away again. */
int lx_caps_parse(const char *list, unsigned long long *mask, char *err, size_t errlen)
{
	char buf[1024], *save = NULL;

	*mask = 0;
	if (snprintf(buf, sizeof buf, "%s", list) >= (int)sizeof buf) {
		snprintf(err, errlen, "caps: list too long");
		return -1;
	}
	for (char *t = strtok_r(buf, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
		bool minus = *t == '-';
		unsigned long long bits;
		int cap;

		t += minus || *t == '+';
		if (strcasecmp(t, "all") == 0) {
			bits = ~0ULL;
		} else if (strcasecmp(t, "none") == 0) {
			bits = 0;
			*mask = 0;
		} else if (strcasecmp(t, "default") == 0) {
			bits = default_mask();
		} else if ((cap = conf_cap_parse(t)) >= 0) {
			bits = 1ULL << cap;
		} else {
			snprintf(err, errlen, "caps: unknown capability \"%s\"", t);
			return -1;
		}
		*mask = minus ? *mask & ~bits : *mask | bits;
	}
	return 0;
}

/* --- capabilities ------------------------------------------------------------------------------------------ */

static int last_cap(void)
{
	FILE *fp = fopen("/proc/sys/kernel/cap_last_cap", "re");
	int n = -1;

	if (fp) {
		if (fscanf(fp, "%d", &n) != 1)
			n = -1;
		fclose(fp);
	}
	/* Without /proc (no mount.procfs), assume the kernel knows every capability we have a name for. */
	if (n < 0)
		for (n = 0; conf_cap_name(n + 1); n++)
			;
	return n;
}

static int caps_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };

	return (int)syscall(SYS_capget, &h, d);
}

static int caps_set(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };

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
	int last = last_cap();

	for (int cap = 0; cap <= last && cap < 64; cap++) {
		if (mask & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) {
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

/* --- the jail's /etc/passwd and /etc/group ------------------------------------------------------------------- */

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Split a colon-separated database line into at most N fields; returns the number found. */
static int split_fields(char *line, char **f, int n)
{
	int k = 0;

	line[strcspn(line, "\n")] = '\0';
	f[k++] = line;
	for (char *p = line; *p && k < n; p++)
		if (*p == ':') {
			*p = '\0';
			f[k++] = p + 1;
		}
	for (int i = k; i < n; i++)
		f[i] = NULL;
	return k;
}

/* Read the jail's database PATH whole into *DB (NUL-terminated; NULL when the file does not exist). It is
 * resolved inside "/" (the jail's root by now), without following a last symlink, without blocking (a
 * fifo), and only a regular file up to MAX_DB_SIZE is read: the jail's contents are not trusted. */
static int read_db(const char *path, char **db)
{
	struct stat st;
	ssize_t n;
	size_t len = 0;
	char *buf;
	int root, fd;

	*db = NULL;
	if ((root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		log_errno(LX_STEP, "open the jail's root for %s", path);
		return -1;
	}
	fd = safe_open(root, path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY, 0);
	close(root);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		log_errno(LX_STEP, "open the jail's %s", path);
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		log_errno(LX_STEP, "stat the jail's %s", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_DB_SIZE) {
		log_err(LX_STEP, "the jail's %s: %s", path,
			S_ISREG(st.st_mode) ? "larger than 16 MiB, refused" : "not a regular file, refused");
		close(fd);
		return -1;
	}
	if (!(buf = malloc((size_t)st.st_size + 1))) {
		log_errno(LX_STEP, "read the jail's %s", path);
		close(fd);
		return -1;
	}
	/* The size is from fstat; a file growing meanwhile is read only that far. */
	while (len < (size_t)st.st_size && (n = read(fd, buf + len, (size_t)st.st_size - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_errno(LX_STEP, "read the jail's %s", path);
			free(buf);
			close(fd);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*db = buf;
	return 0;
}

struct who {
	uid_t uid;
	gid_t gid;
	char name[256];
	bool found;
};

static int find_user(const char *user, struct who *w)
{
	char *db, *save = NULL, *f[7];

	memset(w, 0, sizeof *w);
	if (read_db("/etc/passwd", &db) < 0)
		return -1;
	for (char *line = db ? strtok_r(db, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		if (split_fields(line, f, 7) < 4 || !is_number(f[2]) || !is_number(f[3]))
			continue;
		if (strcmp(f[0], user) == 0 || (is_number(user) && strcmp(f[2], user) == 0)) {
			w->uid = (uid_t)strtoul(f[2], NULL, 10);
			w->gid = (gid_t)strtoul(f[3], NULL, 10);
			snprintf(w->name, sizeof w->name, "%s", f[0]);
			w->found = true;
			break;
		}
	}
	free(db);
	if (!w->found && is_number(user)) {
		/* A bare uid unknown to the jail runs with gid 0, as Docker's --user does. */
		w->uid = (uid_t)strtoul(user, NULL, 10);
		return 0;
	}
	if (!w->found) {
		log_err(LX_STEP, "user %s: not in the jail's /etc/passwd", user);
		return -1;
	}
	return 0;
}

/* Walk the jail's /etc/group: the gid of NAME, and the groups that list MEMBER. */
struct group_query {
	const char *name;   /* find its gid */
	const char *member; /* collect the groups listing it */
	gid_t gid;
	bool found;
	gid_t list[MAX_GROUPS];
	size_t n;
};

static bool lists_member(char *members, const char *who)
{
	char *save = NULL;

	for (char *m = strtok_r(members, ",", &save); m; m = strtok_r(NULL, ",", &save))
		if (strcmp(m, who) == 0)
			return true;
	return false;
}

static int scan_groups(struct group_query *q)
{
	char *db, *save = NULL, *f[4];

	if (read_db("/etc/group", &db) < 0)
		return -1;
	for (char *line = db ? strtok_r(db, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		if (split_fields(line, f, 4) < 3 || !is_number(f[2]))
			continue;
		gid_t gid = (gid_t)strtoul(f[2], NULL, 10);
		if (q->name && !q->found && (strcmp(f[0], q->name) == 0 || strcmp(f[2], q->name) == 0)) {
			q->gid = gid;
			q->found = true;
		}
		if (q->member && f[3] && lists_member(f[3], q->member) && q->n < MAX_GROUPS)
			q->list[q->n++] = gid;
	}
	free(db);
	return 0;
}

static int find_group(const char *name, gid_t *gid)
{
	struct group_query q = { .name = name };

	if (scan_groups(&q) < 0)
		return -1;
	if (!q.found && is_number(name)) {
		*gid = (gid_t)strtoul(name, NULL, 10);
		return 0;
	}
	if (!q.found) {
		log_err(LX_STEP, "group %s: not in the jail's /etc/group", name);
		return -1;
	}
	*gid = q.gid;
	return 0;
}

/* groups = a,b,... sets exactly those; "none" clears them; unset: the user's memberships in the jail's
 * /etc/group, as login, uWSGI's initgroups and Docker do. */
static int add_groups(const char *value, gid_t *list, size_t *n)
{
	char buf[1024], *save = NULL;

	if (snprintf(buf, sizeof buf, "%s", value) >= (int)sizeof buf) {
		log_err(LX_STEP, "groups: list too long");
		return -1;
	}
	for (char *t = strtok_r(buf, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
		if (strcasecmp(t, "none") == 0)
			continue;
		if (*n == MAX_GROUPS) {
			log_err(LX_STEP, "groups: more than %d", MAX_GROUPS);
			return -1;
		}
		if (find_group(t, &list[*n]) < 0)
			return -1;
		(*n)++;
	}
	return 0;
}

static int wanted_groups(const struct jail *j, const struct who *w, gid_t *list, size_t *n, bool *asked)
{
	const struct conf_value *v;
	size_t nv = jail_list(j, "groups", &v);

	*n = 0;
	*asked = nv > 0;
	if (nv == 0) {
		struct group_query q = { .member = w->found ? w->name : NULL };
		if (q.member && scan_groups(&q) < 0)
			return -1;
		memcpy(list, q.list, q.n * sizeof *list);
		*n = q.n;
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
	if (setgroups_denied()) {
		if (asked && n > 0) {
			log_err(LX_STEP, "groups: the user namespace denies setgroups (rootless jail)");
			return -1;
		}
		if (n > 0)
			log_warn(LX_STEP, "supplementary groups not set: the user namespace denies setgroups");
		return 0;
	}
	if (setgroups(n, list) < 0) {
		log_errno(LX_STEP, "setgroups");
		return -1;
	}
	return 0;
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
	return jail_is_set(j, "no_new_privs") ? jail_bool(j, "no_new_privs") : true;
}

int lxcred_drop(const struct jail *j)
{
	const char *user = jail_get(j, "user"), *group = jail_get(j, "group"), *caps = jail_get(j, "caps");
	unsigned long long mask = default_mask();
	struct who w = { .uid = 0, .gid = 0 };
	gid_t list[MAX_GROUPS], gid;
	size_t n;
	bool asked;
	char err[160];

	if (caps && lx_caps_parse(caps, &mask, err, sizeof err) < 0) {
		log_err(LX_STEP, "%s", err);
		return -1;
	}
	/* Look everything up while the files are still readable to us. */
	if (user && find_user(user, &w) < 0)
		return -1;
	gid = w.gid;
	if (group && find_group(group, &gid) < 0)
		return -1;
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
