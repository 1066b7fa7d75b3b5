/* pathglob: see pathglob.h. The pattern is walked one component at a time over a list of the paths matched
 * so far: a literal component is appended to each, a component with * ? or [ replaces each path by the
 * entries of that directory that match it (pmatch, as fnmatch(3)). glob(3) with no flags does the same: the
 * separators are kept as written, a match is joined to its directory with the pattern's own slashes, a pattern ending in
 * literal text matches if lstat finds it, and a trailing slash keeps the directories, marked by a slash. */
#include "pathglob.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pmatch.h"

struct list {
	size_t n, cap;
	char **v;
};

static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	*l = (struct list){0};
}

/* Appends A followed by the first BLEN bytes of B, as a new string. */
static int list_add(struct list *l, const char *a, const char *b, size_t blen)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		char **v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	size_t alen = strlen(a);
	char *s = malloc(alen + blen + 1);
	if (!s)
		return -1;
	memcpy(s, a, alen);
	memcpy(s + alen, b, blen);
	s[alen + blen] = '\0';
	l->v[l->n++] = s;
	return 0;
}

/* Whether the component holds an unquoted * ? or [ (pmatch then decides what a lone '[' means). */
static bool magic(const char *c, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (c[i] == '\\')
			i++;
		else if (c[i] == '*' || c[i] == '?' || c[i] == '[')
			return true;
	}
	return false;
}

/* A literal component, its backslashes removed, appended to every path of CUR. */
static int add_literal(struct list *cur, const char *c, size_t len)
{
	char *lit = malloc(len + 1);
	size_t n = 0;
	if (!lit)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (c[i] == '\\' && i + 1 < len)
			i++;
		lit[n++] = c[i];
	}
	for (size_t i = 0; i < cur->n; i++) {
		size_t have = strlen(cur->v[i]);
		char *s = realloc(cur->v[i], have + n + 1);
		if (!s) {
			free(lit);
			return -1;
		}
		memcpy(s + have, lit, n);
		s[have + n] = '\0';
		cur->v[i] = s;
	}
	free(lit);
	return 0;
}

/* Every path of CUR, a directory, replaced by its entries that COMP matches. A directory that cannot be read
 * matches nothing, as in glob(3) without GLOB_ERR. */
static int add_matches(struct list *cur, const char *c, size_t len)
{
	struct list next = {0};
	char *comp = strndup(c, len);
	if (!comp)
		return -1;
	for (size_t i = 0; i < cur->n; i++) {
		DIR *d = opendir(cur->v[i][0] ? cur->v[i] : ".");
		if (!d)
			continue;
		struct dirent *e;
		while ((e = readdir(d)))
			if (pmatch(comp, e->d_name, PM_PERIOD | PM_CLASSES) &&
			    list_add(&next, cur->v[i], e->d_name, strlen(e->d_name)) < 0) {
				closedir(d); /* read-only */
				free(comp);
				list_free(&next);
				return -1;
			}
		closedir(d); /* read-only */
	}
	free(comp);
	list_free(cur);
	*cur = next;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pathglob(const char *pattern, struct pathglob *g)
{
	struct list cur = {0};
	size_t end = strlen(pattern);
	bool mark = false, literal_end = true;
	*g = (struct pathglob){0};
	/* "PATTERN/" matches the directories PATTERN matches, with a slash after each. */
	while (end > 1 && pattern[end - 1] == '/')
		end--, mark = true;
	if (list_add(&cur, "", "", 0) < 0)
		goto oom;
	for (size_t at = 0; at < end && cur.n;) {
		size_t len = strspn(pattern + at, "/");
		if (len) {
			len = at + len > end ? end - at : len;
			if (add_literal(&cur, pattern + at, len) < 0)
				goto oom;
		} else {
			len = strcspn(pattern + at, "/");
			len = at + len > end ? end - at : len;
			literal_end = !magic(pattern + at, len);
			if ((literal_end ? add_literal : add_matches)(&cur, pattern + at, len) < 0)
				goto oom;
		}
		at += len;
	}
	struct stat st;
	size_t kept = 0;
	for (size_t i = 0; i < cur.n; i++) {
		if (literal_end && lstat(cur.v[i], &st) < 0) {
			free(cur.v[i]);
			continue;
		}
		if (mark && (stat(cur.v[i], &st) < 0 || !S_ISDIR(st.st_mode))) {
			free(cur.v[i]);
			continue;
		}
		if (mark) {
			size_t n = strlen(cur.v[i]);
			char *s = realloc(cur.v[i], n + 2);
			if (!s) {
				for (size_t j = i; j < cur.n; j++)
					free(cur.v[j]);
				cur.n = kept;
				goto oom;
			}
			s[n] = '/', s[n + 1] = '\0';
			cur.v[i] = s;
		}
		cur.v[kept++] = cur.v[i];
	}
	cur.n = kept;
	if (!cur.n) {
		list_free(&cur);
		return PATHGLOB_NOMATCH;
	}
	qsort(cur.v, cur.n, sizeof *cur.v, by_name);
	g->n = cur.n;
	g->path = cur.v;
	return 0;
oom:
	list_free(&cur);
	errno = ENOMEM;
	return -1;
}

void pathglob_free(struct pathglob *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->path[i]);
	free(g->path);
	*g = (struct pathglob){0};
}
