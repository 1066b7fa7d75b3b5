/* devwalk: the host's /dev as a list of nodes for a devfs ruleset to judge (conf/devfs_eval.c), and the
 * Linux device majors that stand for FreeBSD's driver types in `type` conditions. */
#include "devwalk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "devfs.h"

/* Linux device majors (Documentation/admin-guide/devices.txt) as the FreeBSD driver types. */
static const struct {
	unsigned lo, hi;
	enum devfs_ntype type;
} char_majors[] = {
	{1, 1, DEVFS_N_MEM},     /* mem, kmem, null, port, zero, full, random, urandom, kmsg */
	{4, 5, DEVFS_N_TTY},     /* tty*, ttyS*, tty, console, ptmx */
	{136, 143, DEVFS_N_TTY}, /* the pts nodes */
	{9, 9, DEVFS_N_TAPE},    /* st*, nst* */
	{37, 37, DEVFS_N_TAPE},  /* ht*, nht* */
};

enum devfs_ntype lxdev_type_of(mode_t st_mode, dev_t rdev)
{
	if (S_ISDIR(st_mode))
		return DEVFS_N_DIR;
	if (S_ISLNK(st_mode))
		return DEVFS_N_LINK;
	if (S_ISBLK(st_mode))
		return DEVFS_N_DISK;
	if (!S_ISCHR(st_mode))
		return DEVFS_N_DEV;
	unsigned maj = (unsigned)major(rdev);
	for (size_t i = 0; i < sizeof char_majors / sizeof char_majors[0]; i++)
		if (maj >= char_majors[i].lo && maj <= char_majors[i].hi)
			return char_majors[i].type;
	return DEVFS_N_DEV;
}


struct walk {
	struct devfs_node *v;
	size_t n, cap;
	char *err;
	size_t errlen;
	/* With a ruleset: directories it hides are listed but not entered (nothing below them can show). */
	const struct devfs_rules *rules;
	const struct devfs_ruleset *set;
	unsigned depth;
	/* The ruleset has no `type` condition, so a name decides alone: an entry it hides is not even looked at
	 * (no lstat, no readlink), as it could not show whatever it is. */
	bool by_name;
};

static int werr(struct walk *w, const char *what, const char *path)
{
	snprintf(w->err, w->errlen, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

static int werr_in(struct walk *w, const char *what, const char *dir, const char *name)
{
	snprintf(w->err, w->errlen, "%s %s/%s: %s", what, dir, name, strerror(errno));
	return -1;
}

static int push_node(struct walk *w, int dfd, const char *name, const char *rel, const char *dir, const struct stat *st)
{
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct devfs_node *v = realloc(w->v, cap * sizeof *v);
		if (!v)
			return werr(w, "listing", dir);
		w->v = v;
		w->cap = cap;
	}
	struct devfs_node *node = &w->v[w->n];
	memset(node, 0, sizeof *node);
	if (!(node->path = strdup(rel)))
		return werr(w, "listing", dir);
	w->n++;
	node->st_mode = st->st_mode;
	node->st_uid = st->st_uid;
	node->st_gid = st->st_gid;
	node->rdev = st->st_rdev;
	node->type = lxdev_type_of(st->st_mode, st->st_rdev);
	node->alias = devfs_linux_alias(rel);
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t k = readlinkat(dfd, name, target, sizeof target - 1);
		if (k < 0)
			return werr_in(w, "readlink", dir, name);
		target[k] = '\0';
		if (!(node->link = strdup(target)))
			return werr(w, "listing", dir);
	}
	return 0;
}

static bool may_show(const struct walk *w, const char *rel)
{
	if (!w->set)
		return true;
	struct devfs_node dir = {.path = (char *)rel, .type = DEVFS_N_DIR, .alias = devfs_linux_alias(rel)};
	devfs_eval(w->rules, w->set, w->depth, &dir, 1);
	return dir.visible;
}

static int walk_dir(struct walk *w, const char *top, const char *rel, dev_t topdev)
{
	char dir[PATH_MAX];
	int k = snprintf(dir, sizeof dir, "%s%s%s", top, *rel ? "/" : "", rel);
	if (k < 0 || (size_t)k >= sizeof dir) {
		errno = ENAMETOOLONG;
		return werr(w, "opendir", top);
	}
	DIR *d = opendir(dir);
	if (!d)
		return werr(w, "opendir", dir);
	int rc = 0;
	struct dirent *de;
	errno = 0;
	while (rc == 0 && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char sub[PATH_MAX];
		struct stat st;
		if (snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name) >= (int)sizeof sub) {
			errno = ENAMETOOLONG;
			rc = werr(w, "listing", dir);
			break;
		}
		if (w->by_name && !may_show(w, sub)) /* the verdict for a directory is every type's here */
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT) /* gone while we looked: /dev changes under us */
				continue;
			rc = werr_in(w, "lstat", dir, de->d_name);
			break;
		}
		rc = push_node(w, dirfd(d), de->d_name, sub, dir, &st);
		/* pts, shm, mqueue, hugepages are mounts of their own: listed, not entered. */
		if (rc == 0 && S_ISDIR(st.st_mode) && st.st_dev == topdev && may_show(w, sub))
			rc = walk_dir(w, top, sub, topdev);
		errno = 0;
	}
	if (rc == 0 && errno != 0)
		rc = werr(w, "readdir", dir);
	closedir(d);
	return rc;
}

static int node_cmp(const void *a, const void *b)
{
	return strcmp(((const struct devfs_node *)a)->path, ((const struct devfs_node *)b)->path);
}

static int walk(struct walk *w, const char *dir, struct devfs_node **out, size_t *n)
{
	struct stat st;
	*out = NULL;
	*n = 0;
	if (stat(dir, &st) < 0)
		return werr(w, "stat", dir);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return werr(w, "stat", dir);
	}
	if (walk_dir(w, dir, "", st.st_dev) < 0) {
		devfs_nodes_free(w->v, w->n);
		return -1;
	}
	if (w->n)
		qsort(w->v, w->n, sizeof *w->v, node_cmp);
	*out = w->v;
	*n = w->n;
	return 0;
}

int lxdev_walk(const char *dir, struct devfs_node **out, size_t *n, char *err, size_t errlen)
{
	struct walk w = {.err = err, .errlen = errlen};
	return walk(&w, dir, out, n);
}

int lxdev_visible(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth, const char *dir,
		  struct devfs_node **out, size_t *n, char *err, size_t errlen)
{
	struct walk w = {.err = err,
			 .errlen = errlen,
			 .rules = r,
			 .set = set,
			 .depth = depth,
			 .by_name = !devfs_uses_types(r, set, depth)};
	struct devfs_node *v;
	size_t nv, k = 0;
	if (walk(&w, dir, &v, &nv) < 0)
		return -1;
	devfs_eval(r, set, depth, v, nv);
	for (size_t i = 0; i < nv; i++) {
		if (v[i].visible) {
			v[k++] = v[i];
		} else {
			free(v[i].path);
			free(v[i].link);
		}
	}
	*out = v;
	*n = k;
	return 0;
}
