/* jailpw: the jail's /etc/passwd and /etc/group, read without NSS (see jailpw.h). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "jailpw.h"
#include "safepath.h"

#define MAX_DB_SIZE (16 << 20) /* a real passwd or group file is far smaller */

/* Split a colon-separated line into at most N fields (the rest NULL); returns the number found. */
static int split_fields(char *line, char **f, int n)
{
	int k = 0;

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

/* PATH whole into *DB (NUL-terminated; NULL when there is no such file), resolved inside "/", the last
 * component not followed, never blocking; only a regular file up to MAX_DB_SIZE is read. */
static int read_db(const char *top, const char *whose, const char *path, char **db, char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	size_t len = 0;
	char *buf;
	int root, fd;
	const char *what = "open";

	*db = NULL;
	if ((root = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto fail;
	fd = safe_open(root, path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY, 0);
	close(root);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		goto fail;
	what = "stat";
	if (fstat(fd, &st) < 0)
		goto fail_fd;
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_DB_SIZE) {
		snprintf(err, errlen, "%s %s: %s", whose, path,
			 S_ISREG(st.st_mode) ? "larger than 16 MiB, refused" : "not a regular file, refused");
		close(fd);
		return -1;
	}
	what = "read";
	if (!(buf = malloc((size_t)st.st_size + 1)))
		goto fail_fd;
	/* The size is from fstat; a file growing meanwhile is read only that far. */
	while (len < (size_t)st.st_size && (n = read(fd, buf + len, (size_t)st.st_size - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			goto fail_fd;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*db = buf;
	return 0;
fail_fd:
	n = errno;
	close(fd);
	errno = (int)n;
fail:
	snprintf(err, errlen, "%s %s %s: %s", what, whose, path, strerror(errno));
	return -1;
}

static bool lists_member(char *members, const char *who)
{
	char *save = NULL;

	for (char *m = strtok_r(members, ",", &save); m; m = strtok_r(NULL, ",", &save))
		if (strcmp(m, who) == 0)
			return true;
	return false;
}

/* One walk of /etc/group: the gid of NAME, and the groups that list MEMBER. */
struct group_query {
	const char *name;
	const char *member;
	gid_t gid;
	bool found;
	gid_t *list;
	size_t n;
};

static int scan_groups(const char *top, const char *whose, struct group_query *q, char *err, size_t errlen)
{
	char *db, *save = NULL, *f[4];

	if (read_db(top, whose, "/etc/group", &db, err, errlen) < 0)
		return -1;
	for (char *line = db ? strtok_r(db, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		if (split_fields(line, f, 4) < 3 || !conf_all_digits(f[2]))
			continue;
		gid_t gid = (gid_t)strtoul(f[2], NULL, 10);
		if (q->name && !q->found && (strcmp(f[0], q->name) == 0 || strcmp(f[2], q->name) == 0)) {
			q->gid = gid;
			q->found = true;
		}
		if (q->member && f[3] && lists_member(f[3], q->member) && q->n++ < JAILPW_MAX_GROUPS)
			q->list[q->n - 1] = gid;
	}
	free(db);
	if (q->n > JAILPW_MAX_GROUPS) {
		snprintf(err, errlen, "user %s: in more than %d groups in %s /etc/group", q->member, JAILPW_MAX_GROUPS,
			 whose);
		return -1;
	}
	return 0;
}

/* What lookup_user does besides the passwd line: the user's groups, and a bare uid the file lacks. */
enum { WITH_GROUPS = 1, BARE_UID = 2 };

static int lookup_user(const char *top, const char *whose, const char *user, int how, struct jailpw *w, char *err,
		       size_t errlen)
{
	char *db, *save = NULL, *f[7];

	memset(w, 0, offsetof(struct jailpw, groups)); /* the group list is filled up to ngroups */
	if (read_db(top, whose, "/etc/passwd", &db, err, errlen) < 0)
		return -1;
	for (char *line = db ? strtok_r(db, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		if (split_fields(line, f, 7) < 4 || !conf_all_digits(f[2]) || !conf_all_digits(f[3]))
			continue;
		if (strcmp(f[0], user) == 0 || (conf_all_digits(user) && strcmp(f[2], user) == 0)) {
			w->uid = (uid_t)strtoul(f[2], NULL, 10);
			w->gid = (gid_t)strtoul(f[3], NULL, 10);
			snprintf(w->name, sizeof w->name, "%s", f[0]);
			snprintf(w->home, sizeof w->home, "%s", f[5] && *f[5] == '/' ? f[5] : "/");
			snprintf(w->shell, sizeof w->shell, "%s", f[6] && *f[6] == '/' ? f[6] : "/bin/sh");
			w->found = true;
			break;
		}
	}
	free(db);
	if (w->found && !(how & WITH_GROUPS))
		return 0;
	if (w->found) {
		struct group_query q = {.member = w->name, .list = w->groups};
		if (scan_groups(top, whose, &q, err, errlen) < 0)
			return -1;
		w->ngroups = q.n;
		return 0;
	}
	if (!(how & BARE_UID) || !conf_all_digits(user)) {
		snprintf(err, errlen, "user %s: not in %s /etc/passwd", user, whose);
		return JAILPW_UNKNOWN;
	}
	/* A bare uid unknown to the jail runs with gid 0, as Docker's --user does. */
	w->uid = (uid_t)strtoul(user, NULL, 10);
	snprintf(w->name, sizeof w->name, "%s", user);
	snprintf(w->home, sizeof w->home, "/");
	snprintf(w->shell, sizeof w->shell, "/bin/sh");
	return 0;
}

static int lookup_group(const char *top, const char *whose, const char *name, gid_t *gid, char *err, size_t errlen)
{
	struct group_query q = {.name = name};

	if (scan_groups(top, whose, &q, err, errlen) < 0)
		return -1;
	if (q.found)
		*gid = q.gid;
	else if (conf_all_digits(name))
		*gid = (gid_t)strtoul(name, NULL, 10);
	else {
		snprintf(err, errlen, "group %s: not in %s /etc/group", name, whose);
		return JAILPW_UNKNOWN;
	}
	return 0;
}

int jailpw_user(const char *user, struct jailpw *w, char *err, size_t errlen)
{
	return lookup_user("/", "the jail's", user, WITH_GROUPS | BARE_UID, w, err, errlen);
}

int jailpw_group(const char *name, gid_t *gid, char *err, size_t errlen)
{
	return lookup_group("/", "the jail's", name, gid, err, errlen);
}

int jailpw_user_at(const char *root, const char *user, struct jailpw *w, char *err, size_t errlen)
{
	return lookup_user(root, "the jail's", user, WITH_GROUPS | BARE_UID, w, err, errlen);
}

int jailpw_group_at(const char *root, const char *name, gid_t *gid, char *err, size_t errlen)
{
	return lookup_group(root, "the jail's", name, gid, err, errlen);
}

#ifdef WARDER_NO_NSS
/* A static C library would load NSS modules built for the shared one (systemd's crashes it): the host's
 * own files, as "files" in nsswitch.conf reads them. */
int jailpw_host(const char *user, struct jailpw *w, char *err, size_t errlen)
{
	char self[32];
	if (!user) {
		snprintf(self, sizeof self, "%u", (unsigned)getuid());
		user = self;
	}
	int rc = lookup_user("/", "the host's", user, WITH_GROUPS, w, err, errlen);
	if (rc < 0)
		return rc;
	/* initgroups(3) puts the primary group in the list too */
	bool has = false;
	for (size_t i = 0; i < w->ngroups; i++)
		has |= w->groups[i] == w->gid;
	if (!has && w->ngroups < JAILPW_MAX_GROUPS)
		w->groups[w->ngroups++] = w->gid;
	return 0;
}

static int host_uid(const char *name, uid_t *uid, char *err, size_t errlen)
{
	struct jailpw w;
	if (lookup_user("/", "the host's", name, 0, &w, err, errlen) < 0)
		return -1;
	*uid = w.uid;
	return 0;
}

int jailpw_host_group(const char *name, gid_t *gid, char *err, size_t errlen)
{
	return lookup_group("/", "the host's", name, gid, err, errlen);
}
#else
int jailpw_host(const char *user, struct jailpw *w, char *err, size_t errlen)
{
	memset(w, 0, offsetof(struct jailpw, groups)); /* the group list is filled up to ngroups */
	errno = 0;
	struct passwd *pw = user ? getpwnam(user) : getpwuid(getuid());
	if (!pw) {
		snprintf(err, errlen, "user %s: not in the host's passwd database", user ? user : "(current uid)");
		return errno == 0 || errno == ENOENT || errno == ESRCH ? JAILPW_UNKNOWN : -1;
	}
	w->uid = pw->pw_uid;
	w->gid = pw->pw_gid;
	w->found = true;
	snprintf(w->name, sizeof w->name, "%s", pw->pw_name);
	snprintf(w->home, sizeof w->home, "%s", pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/");
	snprintf(w->shell, sizeof w->shell, "%s", pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh");
	int n = JAILPW_MAX_GROUPS;
	if (getgrouplist(w->name, w->gid, w->groups, &n) < 0) {
		snprintf(err, errlen, "user %s: in more than %d groups", w->name, JAILPW_MAX_GROUPS);
		return -1;
	}
	w->ngroups = (size_t)n;
	return 0;
}

static int host_uid(const char *name, uid_t *uid, char *err, size_t errlen)
{
	errno = 0;
	struct passwd *pw = getpwnam(name);
	if (!pw) {
		snprintf(err, errlen, "user %s: not in the host's passwd database", name);
		return -1;
	}
	*uid = pw->pw_uid;
	return 0;
}

int jailpw_host_group(const char *name, gid_t *gid, char *err, size_t errlen)
{
	errno = 0;
	struct group *gr = getgrnam(name);
	if (gr) {
		*gid = gr->gr_gid;
		return 0;
	}
	if (conf_all_digits(name)) {
		*gid = (gid_t)strtoul(name, NULL, 10);
		return 0;
	}
	snprintf(err, errlen, "group %s: not in the host's group database", name);
	return -1;
}
#endif

int jailpw_host_id(int kind, const char *name, uint32_t *id, void *arg)
{
	char err[300];

	(void)arg;
	if (kind == 'u') {
		uid_t uid;
		if (host_uid(name, &uid, err, sizeof err) < 0)
			return -1;
		*id = (uint32_t)uid;
		return 0;
	}
	gid_t gid;
	if (jailpw_host_group(name, &gid, err, sizeof err) < 0)
		return -1;
	*id = (uint32_t)gid;
	return 0;
}
