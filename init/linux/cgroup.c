/* cgroup: the jail's own cgroups and their limits.
 *
 * cgroup v2 first: a cgroup "warder-NAME" under the keeper's own, on /sys/fs/cgroup (v2-only hosts) or
 * /sys/fs/cgroup/unified (hybrid hosts). A limit whose controller v2 does not have goes to that controller's
 * v1 hierarchy (/sys/fs/cgroup/CONTROLLER), in a cgroup of the same name. Removal kills what is left in them
 * and removes them, so nothing outlives the jail. */
#include "create.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "scan.h"

#define CG_STEP "cgroup"
#define CG_MOUNT "/sys/fs/cgroup"

static int v1_memory(const char *dir, const char *value);
static int v1_cpu(const char *dir, const char *value);
static int v1_plain(const char *dir, const char *value);

/* Each limit: its parameter, its controller, its v2 file, and how to write it on v1. */
static const struct cg_limit {
	const char *param;
	const char *ctrl;
	const char *v2file;
	int (*v1)(const char *dir, const char *value);
} limits[] = {
	{"cgroup.memory.max", "memory", "memory.max", v1_memory},
	{"cgroup.pids.max", "pids", "pids.max", v1_plain},
	{"cgroup.cpu.max", "cpu", "cpu.max", v1_cpu},
};
#define NLIMITS (sizeof limits / sizeof limits[0])

static bool is_fs(const char *path, long magic)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && (long)sf.f_type == magic;
}

/* The cgroup v2 mount, or NULL. */
static const char *v2_root(void)
{
	if (is_fs(CG_MOUNT, CGROUP2_SUPER_MAGIC))
		return CG_MOUNT;
	if (is_fs(CG_MOUNT "/unified", CGROUP2_SUPER_MAGIC))
		return CG_MOUNT "/unified";
	return NULL;
}

static bool list_has(const char *list, const char *word)
{
	size_t wl = strlen(word);
	for (const char *p = list; *p;) {
		size_t l = strcspn(p, ", \n");
		if (l == wl && strncmp(p, word, l) == 0)
			return true;
		p += l;
		p += strspn(p, ", \n");
	}
	return false;
}

/* Our own cgroup in the hierarchy of CTRL (NULL: the v2 one) from /proc/self/cgroup. */
static int own_path(const char *ctrl, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f) {
		log_errno(CG_STEP, "open /proc/self/cgroup");
		return -1;
	}
	char line[1024];
	int rc = -1;
	while (rc < 0 && fgets(line, sizeof line, f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		c2[1 + strcspn(c2 + 1, "\n")] = '\0';
		bool match = ctrl ? list_has(c1 + 1, ctrl) : (strcmp(line, "0:") == 0 || c1[1] == '\0');
		if (match && strcmp(c2 + 1, "/") != 0)
			rc = snprintf(out, len, "%s", c2 + 1) < (int)len ? 0 : -1;
		else if (match)
			rc = (out[0] = '\0', 0);
	}
	fclose(f);
	if (rc < 0)
		log_err(CG_STEP, "no %s cgroup in /proc/self/cgroup", ctrl ? ctrl : "v2");
	return rc;
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n;
	do
		n = read(fd, buf, len - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int write_file(const char *dir, const char *file, const char *value)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		log_errno(CG_STEP, "open %s", path);
		return -1;
	}
	size_t len = strlen(value);
	ssize_t n = write(fd, value, len);
	int err = errno;
	if (close(fd) < 0 && n >= 0)
		n = -1, err = errno;
	if (n != (ssize_t)len) {
		errno = n < 0 ? err : EIO;
		log_errno(CG_STEP, "write \"%s\" to %s", value, path);
		return -1;
	}
	return 0;
}

static int v1_plain(const char *dir, const char *value)
{
	return write_file(dir, "pids.max", value);
}

static int v1_memory(const char *dir, const char *value)
{
	long long bytes;
	char num[32];
	if (conf_parse_size(value, &bytes) < 0) {
		log_err(CG_STEP, "cgroup.memory.max: bad size \"%s\"", value);
		return -1;
	}
	snprintf(num, sizeof num, "%lld", bytes);
	if (write_file(dir, "memory.limit_in_bytes", num) < 0)
		return -1;
	/* With swap accounting the limit must cover swap too, or the jail swaps past it. */
	char path[1024];
	snprintf(path, sizeof path, "%s/memory.memsw.limit_in_bytes", dir);
	if (access(path, F_OK) == 0 && write_file(dir, "memory.memsw.limit_in_bytes", num) < 0)
		return -1;
	return 0;
}

/* v2's "QUOTA [PERIOD]" (QUOTA may be max) as v1's cfs_period_us and cfs_quota_us. */
static int v1_cpu(const char *dir, const char *value)
{
	char quota[32] = "", period[32] = "100000";
	const char *p = value;
	if (!scan_word(&p, quota, sizeof quota)) {
		log_err(CG_STEP, "cgroup.cpu.max: bad value \"%s\"", value);
		return -1;
	}
	if (!scan_word(&p, period, sizeof period))
		snprintf(period, sizeof period, "100000");
	if (strcmp(quota, "max") == 0)
		snprintf(quota, sizeof quota, "-1");
	if (write_file(dir, "cpu.cfs_period_us", period) < 0 || write_file(dir, "cpu.cfs_quota_us", quota) < 0)
		return -1;
	return 0;
}

/* v2's value: bytes for memory (the config may say 64M), the text for the others. */
static int v2_value(const struct cg_limit *l, const char *text, char *out, size_t len)
{
	long long bytes;
	if (strcmp(l->ctrl, "memory") != 0) {
		snprintf(out, len, "%s", text);
		return 0;
	}
	if (conf_parse_size(text, &bytes) < 0) {
		log_err(CG_STEP, "%s: bad size \"%s\"", l->param, text);
		return -1;
	}
	if (bytes < 0)
		snprintf(out, len, "max");
	else
		snprintf(out, len, "%lld", bytes);
	return 0;
}

/* Where the limits go: the parent directory in the hierarchy that has CTRL (NULL: the plain v2 one). */
struct cg_place {
	bool v2;
	char parent[768];
};

static bool v2_has(const char *parent, const char *ctrl)
{
	char path[1024], buf[512];
	snprintf(path, sizeof path, "%s/cgroup.controllers", parent);
	return read_file(path, buf, sizeof buf) == 0 && list_has(buf, ctrl);
}

/* Where a cgroup for CTRL (NULL: any, v2) goes; V2 is v2_root()'s answer. */
static int place_in(const char *v2, const char *ctrl, struct cg_place *pl)
{
	char own[512];
	if (v2 && own_path(NULL, own, sizeof own) == 0) {
		snprintf(pl->parent, sizeof pl->parent, "%s%s", v2, own);
		pl->v2 = true;
		if (!ctrl || v2_has(pl->parent, ctrl))
			return 0;
	}
	if (!ctrl)
		return -1;
	char mnt[64];
	snprintf(mnt, sizeof mnt, CG_MOUNT "/%s", ctrl);
	if (!is_fs(mnt, CGROUP_SUPER_MAGIC) || own_path(ctrl, own, sizeof own) < 0) {
		log_err(CG_STEP, "no %s controller on this host (neither cgroup v2 nor a v1 hierarchy)", ctrl);
		return -1;
	}
	snprintf(pl->parent, sizeof pl->parent, "%s%s", mnt, own);
	pl->v2 = false;
	return 0;
}

static int place_of(const char *ctrl, struct cg_place *pl)
{
	return place_in(v2_root(), ctrl, pl);
}

int lxcg_check(struct jailrun *r)
{
	for (size_t i = 0; i < NLIMITS; i++) {
		struct cg_place pl;
		if (!jail_is_set(r->j, limits[i].param))
			continue;
		if (place_of(limits[i].ctrl, &pl) < 0)
			return -1;
		if (access(pl.parent, W_OK) < 0) {
			log_err(CG_STEP, "%s: refused: cannot create a cgroup in %s (%s)%s", limits[i].param, pl.parent,
				strerror(errno), r->rootless ? "; run as root or delegate that cgroup to this user" : "");
			return -1;
		}
	}
	return 0;
}

/* A cgroup of this name left by a keeper that was killed: empty, so removed and made again. One with
 * processes belongs to a jail still running. */
static bool stale(const char *path)
{
	char procs[1100], buf[64];
	snprintf(procs, sizeof procs, "%s/cgroup.procs", path);
	if (read_file(procs, buf, sizeof buf) < 0 || buf[0] != '\0' || rmdir(path) < 0) {
		errno = EEXIST;
		return false;
	}
	log_warn(CG_STEP, "removed %s, left behind by an earlier run", path);
	return true;
}

static int add_dir(struct jailrun *r, const struct cg_place *pl, char **dir)
{
	struct lx_priv *p = r->priv;
	char path[1024];
	snprintf(path, sizeof path, "%s/warder-%s", pl->parent, r->name);
	for (int i = 0; i < p->ncg; i++)
		if (strcmp(p->cgdirs[i], path) == 0)
			return (*dir = p->cgdirs[i], 0);
	if (p->ncg == LXCG_MAX) {
		log_err(CG_STEP, "too many cgroup hierarchies");
		return -1;
	}
	if (mkdir(path, 0755) < 0 && !(errno == EEXIST && stale(path) && mkdir(path, 0755) == 0)) {
		log_errno(CG_STEP, "mkdir %s", path);
		return -1;
	}
	if (!(p->cgdirs[p->ncg] = strdup(path))) {
		log_errno(CG_STEP, "out of memory");
		if (rmdir(path) < 0)
			log_errno(CG_STEP, "rmdir %s", path);
		return -1;
	}
	*dir = p->cgdirs[p->ncg++];
	log_debug(CG_STEP, "created %s", path);
	return 0;
}

/* v2 hands a controller to a child only when the parent lists it in cgroup.subtree_control. */
static int v2_enable(const char *parent, const char *ctrl)
{
	char path[1024], buf[512], word[64];
	snprintf(path, sizeof path, "%s/cgroup.subtree_control", parent);
	if (read_file(path, buf, sizeof buf) == 0 && list_has(buf, ctrl))
		return 0;
	snprintf(word, sizeof word, "+%s", ctrl);
	return write_file(parent, "cgroup.subtree_control", word);
}

static int set_limit(struct jailrun *r, const struct cg_limit *l)
{
	const char *text = jail_get(r->j, l->param);
	struct cg_place pl;
	char *dir, value[64];
	if (place_of(l->ctrl, &pl) < 0)
		return -1;
	if (pl.v2 && v2_enable(pl.parent, l->ctrl) < 0)
		return -1;
	if (add_dir(r, &pl, &dir) < 0)
		return -1;
	if (!pl.v2)
		return l->v1(dir, text);
	if (v2_value(l, text, value, sizeof value) < 0)
		return -1;
	return write_file(dir, l->v2file, value);
}

/* Root's v2 cgroup, made before the init is cloned so that the init is born in it (CLONE_INTO_CGROUP): no
 * migration to wait for, and what the init does before "go" is counted in the jail's cgroup already. Returns
 * an fd of the directory, or -1 without a word: lxcg_create then does it the usual way, and says what failed. */
int lxcg_early(struct jailrun *r)
{
	struct lx_priv *p = r->priv;
	struct cg_place pl;
	char path[1024];
	const char *v2;
	if (r->rootless || p->ncg || !(v2 = v2_root()))
		return -1;
	if (place_in(v2, NULL, &pl) < 0) {
		p->cg_noplace = true; /* said once; lxcg_create does not ask again */
		return -1;
	}
	snprintf(path, sizeof path, "%s/warder-%s", pl.parent, r->name);
	if (mkdir(path, 0755) < 0)
		return -1;
	if (!(p->cgdirs[0] = strdup(path))) {
		if (rmdir(path) < 0)
			log_errno(CG_STEP, "rmdir %s", path);
		return -1;
	}
	p->ncg = 1;
	log_debug(CG_STEP, "created %s", path);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int lxcg_create(struct jailrun *r, pid_t pid)
{
	struct lx_priv *p = r->priv;
	struct cg_place pl;
	/* Root always gets a v2 cgroup (attach joins it, removal kills through it); a user only when asked. */
	if (!r->rootless && !p->cg_born && !p->cg_noplace && place_of(NULL, &pl) == 0) {
		char *dir;
		if (add_dir(r, &pl, &dir) < 0)
			return -1;
	}
	for (size_t i = 0; i < NLIMITS; i++)
		if (jail_is_set(r->j, limits[i].param) && set_limit(r, &limits[i]) < 0)
			return -1;
	char num[24];
	snprintf(num, sizeof num, "%ld", (long)pid);
	for (int i = p->cg_born ? 1 : 0; i < p->ncg; i++)
		if (write_file(p->cgdirs[i], "cgroup.procs", num) < 0)
			return -1;
	return 0;
}

/* SIGKILL every process left in DIR; true when it is empty. */
static bool kill_procs(const char *dir)
{
	char path[1024], buf[4096];
	snprintf(path, sizeof path, "%s/cgroup.kill", dir);
	if (access(path, F_OK) == 0 && write_file(dir, "cgroup.kill", "1") < 0)
		return false;
	snprintf(path, sizeof path, "%s/cgroup.procs", dir);
	if (read_file(path, buf, sizeof buf) < 0)
		return true;
	bool empty = true;
	for (char *s = buf, *end; *s; s = end) {
		long pid = strtol(s, &end, 10);
		if (end == s)
			break;
		empty = false;
		kill((pid_t)pid, SIGKILL);
	}
	return empty;
}

static int remove_dir(const char *dir)
{
	struct timespec tick = {0, 10 * 1000 * 1000};
	/* Empty as a rule (the init's exit took its pid namespace along): rmdir first, and only when it is
	 * busy kill what is left. Killed processes leave the cgroup only once they are reaped: retry for a while. */
	for (int i = 0;; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT) {
			log_debug(CG_STEP, "removed %s", dir);
			return 0;
		}
		if (errno != EBUSY || i == 500)
			break;
		if (i > 0)
			nanosleep(&tick, NULL);
		kill_procs(dir);
	}
	log_errno(CG_STEP, "rmdir %s", dir);
	return -1;
}

int lxcg_remove(struct jailrun *r)
{
	struct lx_priv *p = r->priv;
	int rc = 0;
	if (!p)
		return 0;
	for (int i = p->ncg - 1; i >= 0; i--) {
		if (remove_dir(p->cgdirs[i]) < 0)
			rc = -1;
		free(p->cgdirs[i]);
	}
	p->ncg = 0;
	return rc;
}
