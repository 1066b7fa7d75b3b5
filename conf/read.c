/* read: files to entries. libinih does the INI syntax; our line reader in front of it counts lines (libinih
 * built by Debian gives its handler no line numbers), strips indentation (the seeds indent guarded lines, which
 * libinih would take for continuations), rejects binary data, applies the uWSGI if-exists / if-not-exists
 * guards, and lifts libinih's line limit (Debian builds it with 200 bytes): a line that does not fit reaches
 * libinih as `KEY = <stand-in>` and the handler takes the real value back from the reader. The handler hands each
 * key to keymap.c, which says what it stands for, and follows includes. */
#include "conf_impl.h"
#include "keymap.h"
#include "log.h"
#include "pathglob.h"
#include "readfile.h"
#include "strhash.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_GUARDS 32
#define MAX_INCLUDE_DEPTH 16
#define MAX_SECTION_NAME 49 /* libinih keeps 50 bytes of a section name */
#define STANDIN "\x01"      /* what libinih gets for a long value: binary data never reaches it otherwise */

struct guard {
	const char *key;
	int line;
	bool keep;
};

struct src { /* one file being parsed */
	const char *file;
	const char *text;
	size_t len, pos;
	int line;
	int fail_line;            /* where our handler reported an error */
	const char *base_section; /* the includer's section, for keys before any [section] here */
	char *real;               /* realpath, for include loops; NULL for a string */
	struct src *up;           /* the includer */
	struct guard guards[MAX_GUARDS];
	int nguards;
	char *buf; /* the current line, whole */
	size_t cap;
	const char *standin; /* the real value of the current line when libinih got STANDIN, else NULL */
};

struct loader {
	struct conf *c;
	struct raw_conf *raw;
	char *err;
	size_t errlen;
	bool failed;
	struct src *cur;
	int depth;
	size_t hint;         /* the section last found */
	size_t *slot, nslot; /* sections by name: index + 1, 0 empty; open addressing, at most half full */
	/* With KEEP, the entries of another jail's section go once its run of lines ends (a file of many jails
	 * costs one jail's memory): the run's section, where its entries and their text began. A section that
	 * comes back after its entries went makes REOPENED: the file is read again, every entry kept. */
	const char *keep;
	size_t run_sec, run_mark;
	struct text_block *run_text;
	size_t run_used;
	bool reopened;
	unsigned warned, mute; /* warnings given; the first MUTE are not given again on the second reading */
};

void *conf_grow(void *vp, size_t *n, size_t sz)
{
	void **v = vp;
	void *nv = realloc(*v, (*n + 1) * sz);
	if (!nv)
		return NULL;
	*v = nv;
	memset((char *)nv + *n * sz, 0, sz);
	return (char *)nv + (*n)++ * sz;
}

/* conf_errf's text; the loader's fail() words its errors the same way. */
static void conf_verrf(char *err, size_t errlen, const char *file, int line, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
static void conf_verrf(char *err, size_t errlen, const char *file, int line, const char *fmt, va_list ap)
{
	char msg[768];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (file && line > 0)
		snprintf(err, errlen, "%s:%d: %s", file, line, msg);
	else if (file)
		snprintf(err, errlen, "%s: %s", file, msg);
	else
		snprintf(err, errlen, "%s", msg);
}

int conf_errf(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	conf_verrf(err, errlen, file, line, fmt, ap);
	va_end(ap);
	return -1;
}

/* An error at the current line of the current file. */
static int fail(struct loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct loader *L, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	conf_verrf(L->err, L->errlen, L->cur->file, L->cur->line, fmt, ap);
	va_end(ap);
	L->failed = true;
	return -1;
}

/* ---- sections and entries ---- */

/* The slot where NAME is, or the empty one where it would go. */
static size_t *section_slot(const struct loader *L, const char *name)
{
	size_t mask = L->nslot - 1, i = str_hash(name) & mask;
	while (L->slot[i] && strcmp(L->raw->sec[L->slot[i] - 1].name, name) != 0)
		i = (i + 1) & mask;
	return &L->slot[i];
}

static ssize_t section_find(struct loader *L, const char *name)
{
	const struct raw_conf *raw = L->raw;
	if (L->hint < raw->nsec && strcmp(raw->sec[L->hint].name, name) == 0)
		return (ssize_t)L->hint; /* a section's keys come one after the other */
	if (!L->nslot)
		return -1;
	size_t i = *section_slot(L, name);
	return i ? (ssize_t)(L->hint = i - 1) : -1;
}

static int section_index(struct loader *L, size_t s)
{
	if (2 * (L->raw->nsec + 1) > L->nslot) {
		size_t n = L->nslot ? 2 * L->nslot : 64, *old = L->slot;
		if (!(L->slot = calloc(n, sizeof *L->slot))) {
			L->slot = old;
			return -1;
		}
		free(old);
		L->nslot = n;
		for (size_t i = 0; i < s; i++)
			*section_slot(L, L->raw->sec[i].name) = i + 1;
	}
	*section_slot(L, L->raw->sec[s].name) = s + 1;
	return 0;
}

static int section_add(struct loader *L, const char *name)
{
	if (section_find(L, name) >= 0)
		return 0;
	struct raw_conf *raw = L->raw;
	if (raw->nsec == raw->sec_cap) {
		size_t cap = raw->sec_cap ? 2 * raw->sec_cap : 16;
		struct section *n = realloc(raw->sec, cap * sizeof *n);
		if (!n)
			return fail(L, "out of memory");
		raw->sec = n;
		raw->sec_cap = cap;
	}
	struct section *s = &raw->sec[raw->nsec];
	if (!(s->name = strdup(name)))
		return fail(L, "out of memory");
	s->file = L->cur->file;
	s->line = L->cur->line;
	s->first = s->last = 0;
	s->dropped = false;
	if (section_index(L, L->raw->nsec) < 0) {
		free(s->name);
		return fail(L, "out of memory");
	}
	L->hint = L->raw->nsec++;
	return 0;
}

/* A copy of S that lives as long as RAW: a file's thousands of keys and values cost a few allocations. */
static char *raw_strdup(struct raw_conf *raw, const char *s)
{
	size_t n = strlen(s) + 1;
	struct text_block *b = raw->text;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > 16000 ? n : 16000;
		if (!(b = malloc(sizeof *b + cap)))
			return NULL;
		*b = (struct text_block){.next = raw->text, .cap = cap};
		raw->text = b;
	}
	char *d = memcpy(b->data + b->used, s, n);
	b->used += n;
	return d;
}

/* Room for N more entries. */
static int entries_reserve(struct raw_conf *raw, size_t n)
{
	if (raw->cap - raw->nent >= n)
		return 0;
	size_t cap = raw->nent + n;
	struct entry *e = realloc(raw->ent, cap * sizeof *e);
	if (!e)
		return -1;
	raw->ent = e;
	raw->cap = cap;
	return 0;
}

static void entry_remove(struct raw_conf *raw, size_t i)
{
	memmove(&raw->ent[i], &raw->ent[i + 1], (raw->nent - i - 1) * sizeof raw->ent[0]);
	raw->nent--;
	for (size_t k = 0; k < raw->nsec; k++) {
		struct section *sec = &raw->sec[k];
		sec->first -= sec->first > i;
		sec->last -= sec->last > i;
	}
}

/* The run of entries that just ended, when it is another jail's whole section: checked, and let go. */
static void run_drop(struct loader *L)
{
	struct raw_conf *raw = L->raw;
	if (L->run_sec >= raw->nsec)
		return;
	struct section *sec = &raw->sec[L->run_sec];
	L->run_sec = SIZE_MAX;
	if (strcmp(sec->name, "*") == 0 || conf_section_is(sec, L->c->files[0], L->keep) || sec->first != L->run_mark)
		return;
	raw->nent = L->run_mark;
	for (struct text_block *b; (b = raw->text) != L->run_text;) {
		raw->text = b->next;
		free(b);
	}
	if (raw->text)
		raw->text->used = L->run_used;
	sec->first = sec->last = 0;
	sec->dropped = true;
}

static int run_start(struct loader *L, size_t s)
{
	run_drop(L);
	if (L->raw->sec[s].dropped) {
		L->reopened = L->failed = true;
		return -1;
	}
	L->run_sec = s;
	L->run_mark = L->raw->nent;
	L->run_text = L->raw->text;
	L->run_used = L->run_text ? L->run_text->used : 0;
	return 0;
}

/* A scalar set twice in one section is a mistake, except that namespace's implied values yield. Returns 1 when
 * the new value is to be dropped. */
static int check_twice(struct loader *L, const struct keyval *v)
{
	struct raw_conf *raw = L->raw;
	const struct section *sec = &raw->sec[v->section];
	for (size_t i = sec->first; i < sec->last; i++) {
		struct entry *e = &raw->ent[i];
		if (e->section != v->section || strcmp(e->name, v->name) != 0)
			continue;
		if (v->implied)
			return 1;
		if (e->implied) {
			entry_remove(raw, i);
			return 0;
		}
		if (e->file == L->cur->file)
			return fail(L, "%s given twice (first at %d)", v->key, e->line);
		return fail(L, "%s given twice (first at %s:%d)", v->key, e->file, e->line);
	}
	return 0;
}

/* Values without variables are checked as soon as they are read, so that [*] is checked even when no jail
 * uses a parameter; the others are checked once expanded, per jail. */
static int precheck(struct loader *L, const struct keyval *v, int quote)
{
	if (!v->def || (quote != '\'' && strchr(v->raw, '$')))
		return 0;
	char why[512];
	if (!quote && !v->def->check) {     /* nothing rewrites the value: checked where it is */
		char *raw = (char *)v->raw; /* param_check writes only through a check function */
		return param_check(v->def, v->name, &raw, why, sizeof why) < 0 ? fail(L, "%s", why) : 0;
	}
	size_t n = strlen(v->raw);
	char *copy = quote ? strndup(v->raw + 1, n - 2) : strdup(v->raw);
	if (!copy)
		return fail(L, "out of memory");
	int rc = param_check(v->def, v->name, &copy, why, sizeof why);
	free(copy);
	return rc < 0 ? fail(L, "%s", why) : 0;
}

static int add_entry(struct loader *L, const struct keyval *v)
{
	bool list = v->def && (v->def->flags & PF_LIST);
	int quote = conf_quote(v->raw);
	if (!v->raw[0])
		return fail(L, "%s: empty value", v->key);
	if (quote < 0)
		return fail(L, "unterminated quote");
	if (v->append && !list)
		return fail(L, "%s is not a list: use = instead of +=", v->key);
	if (L->keep && v->section != L->run_sec && run_start(L, v->section) < 0)
		return -1;
	if (!list) {
		int t = check_twice(L, v);
		if (t)
			return t < 0 ? -1 : 0;
	}
	if (precheck(L, v, quote) < 0)
		return -1;
	struct raw_conf *raw = L->raw;
	if (raw->nent == raw->cap && entries_reserve(raw, raw->cap ? raw->cap : 32) < 0)
		return fail(L, "out of memory");
	struct section *sec = &raw->sec[v->section];
	if (sec->first == sec->last)
		sec->first = raw->nent;
	sec->last = raw->nent + 1;
	struct entry *e = &raw->ent[raw->nent];
	/* A parameter's own name needs no copy: a prefix parameter's (rlimit.*) is more than its name. */
	bool own = v->def && !(v->def->flags & PF_PREFIX);
	*e = (struct entry){.def = v->def,
			    .name = own ? v->def->name : raw_strdup(raw, v->name),
			    .raw = raw_strdup(raw, v->raw),
			    .prefix = v->prefix,
			    .append = v->append,
			    .implied = v->implied,
			    .section = v->section,
			    .file = L->cur->file,
			    .line = L->cur->line};
	raw->nent++;
	if (!e->name || !e->raw)
		return fail(L, "out of memory");
	return 0;
}

/* ---- the sink keymap.c routes keys into ---- */

static int sink_add(void *ctx, const struct keyval *v)
{
	return add_entry(ctx, v);
}
static int sink_fail(void *ctx, const char *msg)
{
	return fail(ctx, "%s", msg);
}

static void sink_warn(void *ctx, const char *msg)
{
	struct loader *L = ctx;
	if (L->mute) {
		L->mute--;
		return;
	}
	L->warned++;
	log_warn("conf", "%s:%d: %s", L->cur->file, L->cur->line, msg);
}

static int route(struct loader *L, struct keyval *v)
{
	const struct keymap_sink sink = {.add = sink_add, .fail = sink_fail, .warn = sink_warn, .ctx = L};
	return keymap_route(v, strcmp(L->raw->sec[v->section].name, "uwsgi") == 0, &sink);
}

/* ---- files and includes ---- */

static int parse_file(struct loader *L, const char *path, const char *base_section);

static int include_one(struct loader *L, const char *path, const char *base)
{
	char real[PATH_MAX];
	if (realpath(path, real)) {
		for (struct src *s = L->cur; s; s = s->up) {
			if (!s->real || strcmp(s->real, real) != 0)
				continue;
			const char *names[MAX_INCLUDE_DEPTH + 2];
			size_t k = 0;
			for (struct src *t = L->cur; k < MAX_INCLUDE_DEPTH + 2; t = t->up) {
				names[k++] = t->file;
				if (t == s)
					break;
			}
			char chain[1024] = "";
			while (k--)
				snprintf(chain + strlen(chain), sizeof chain - strlen(chain), "%s -> ", names[k]);
			return fail(L, "include loop: %s%s", chain, path);
		}
	}
	if (L->depth >= MAX_INCLUDE_DEPTH)
		return fail(L, "includes nested deeper than %d", MAX_INCLUDE_DEPTH);
	return parse_file(L, path, base);
}

/* include = GLOB: relative to the including file; each match is read at this point, in glob order. */
static int include(struct loader *L, const char *value, const char *base)
{
	char pat[PATH_MAX + 256], dir[PATH_MAX];
	int quote = conf_quote(value);
	if (!value[0])
		return fail(L, "include: empty value");
	if (quote < 0)
		return fail(L, "unterminated quote");
	size_t n = strlen(value) - (quote ? 2 : 0);
	snprintf(dir, sizeof dir, "%s", L->cur->file);
	char *slash = strrchr(dir, '/');
	if (value[quote != 0] == '/')
		snprintf(pat, sizeof pat, "%.*s", (int)n, value + (quote != 0));
	else if (slash)
		snprintf(pat, sizeof pat, "%.*s/%.*s", (int)(slash - dir), dir, (int)n, value + (quote != 0));
	else
		snprintf(pat, sizeof pat, "%.*s", (int)n, value + (quote != 0));
	if (!strpbrk(pat, "*?["))
		return include_one(L, pat, base);
	struct pathglob g;
	int rc = pathglob(pat, &g);
	if (rc == PATHGLOB_NOMATCH)
		return fail(L, "include matches nothing: %s", value);
	if (rc != 0)
		return fail(L, "include: cannot expand %s", value);
	for (size_t i = 0; rc == 0 && i < g.n; i++)
		rc = include_one(L, g.path[i], base);
	pathglob_free(&g);
	return rc;
}

/* ---- the line reader in front of libinih ---- */

static int exists(const char *p, struct stat *st)
{
	return stat(p, st) == 0;
}
static int is_dir(const char *p, struct stat *st)
{
	return stat(p, st) == 0 && S_ISDIR(st->st_mode);
}
static int is_file(const char *p, struct stat *st)
{
	return stat(p, st) == 0 && S_ISREG(st->st_mode);
}

static const struct {
	const char *key;
	int (*test)(const char *path, struct stat *st);
	bool negate;
} guard_kinds[] = {
	{"if-exists", exists, false}, {"if-not-exists", exists, true}, {"if-dir", is_dir, false},
	{"if-not-dir", is_dir, true}, {"if-file", is_file, false},     {"if-not-file", is_file, true},
};

static bool guards_keep(const struct src *s)
{
	return s->nguards == 0 || s->guards[s->nguards - 1].keep;
}

/* libinih's inline comment rule: ';' after a blank starts a comment. Where the text before END stops: at a
 * comment, or at one of CHARS (NULL: none). */
static char *comment_or(char *s, const char *chars)
{
	bool was_space = false;
	for (; *s && !(chars && strchr(chars, *s)) && !(was_space && *s == ';'); s++)
		was_space = isspace((unsigned char)*s);
	return s;
}

/* A guard line (if-exists = PATH, endif =) is consumed here: returns 1, 0 for any other line, -1 on error.
 * LINE is the whole line; it is cut into pieces only when it is a guard. */
static int guard_line(struct loader *L, struct src *s, char *line)
{
	char key[32];
	if (line[0] != 'i' && line[0] != 'e') /* if-...  endif (the line starts past its indentation) */
		return 0;
	char *eq = strchr(line, '=');
	if (!eq || (size_t)(eq - line) >= sizeof key)
		return 0;
	memcpy(key, line, (size_t)(eq - line));
	key[eq - line] = '\0';
	char *k = conf_trim(key);
	size_t kind;
	for (kind = 0; kind < sizeof guard_kinds / sizeof guard_kinds[0]; kind++)
		if (strcmp(k, guard_kinds[kind].key) == 0)
			break;
	if (strcmp(k, "endif") == 0) {
		if (s->nguards == 0)
			return fail(L, "endif without if-exists or if-not-exists");
		s->nguards--;
		return 1;
	}
	if (kind == sizeof guard_kinds / sizeof guard_kinds[0])
		return 0;
	*comment_or(eq + 1, NULL) = '\0';
	char *v = conf_trim(eq + 1);
	if (s->nguards == MAX_GUARDS)
		return fail(L, "guards nested deeper than %d", MAX_GUARDS);
	if (!v[0])
		return fail(L, "%s: empty value", k);
	struct stat st;
	bool keep = guards_keep(s) && (guard_kinds[kind].test(v, &st) != 0) != guard_kinds[kind].negate;
	s->guards[s->nguards++] = (struct guard){.key = guard_kinds[kind].key, .line = s->line, .keep = keep};
	return 1;
}

/* [NAME] lines are noted here so that a section without keys still makes a jail. */
static int section_line(struct loader *L, const char *line)
{
	const char *end = strchr(line, ']');
	if (!end)
		return 0; /* libinih reports it */
	size_t n = (size_t)(end - line - 1);
	char name[MAX_SECTION_NAME + 1];
	bool ok = n > 0 && n <= MAX_SECTION_NAME;
	for (size_t i = 0; ok && i < n; i++) {
		unsigned char c = (unsigned char)line[1 + i];
		ok = isalnum(c) || c == '_' || c == '-' || c == '.' || (c == '*' && n == 1);
	}
	if (!ok)
		return fail(L, "bad section name \"%.*s\"", (int)n, line + 1);
	memcpy(name, line + 1, n);
	name[n] = '\0';
	return section_add(L, name);
}

/* The next line of S, whole, into s->buf without its indentation: its length, or -1 (error noted) / -2 (end). */
static ssize_t next_line(struct loader *L, struct src *s)
{
	if (s->pos >= s->len)
		return -2;
	const char *p = s->text + s->pos, *nl = memchr(p, '\n', s->len - s->pos);
	size_t n = nl ? (size_t)(nl - p) : s->len - s->pos;
	s->pos += n + (nl != NULL);
	s->line++;
	if (n && p[n - 1] == '\r')
		n--;
	if (s->line == 1 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3, n -= 3;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(L, "binary data in config");
	}
	if (n > CONF_LINE_MAX)
		return fail(L, "line longer than %d bytes", CONF_LINE_MAX);
	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	if (n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		while (cap < n + 1)
			cap *= 2;
		char *nb = realloc(s->buf, cap);
		if (!nb)
			return fail(L, "out of memory");
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf, p, n);
	s->buf[n] = '\0';
	return (ssize_t)n;
}

/* LINE (of length N) does not fit libinih's buffer STR of NUM bytes: give it `KEY= STANDIN` and keep the
 * value as libinih would have cut it (up to an inline comment, blanks trimmed) for the handler. */
static char *stand_in(struct loader *L, struct src *s, char *str, int num)
{
	char *line = s->buf, *d = comment_or(line, "=:");
	if (*d != '=' && *d != ':') {
		fail(L, "expected `key = value` or `[section]`");
		return NULL;
	}
	size_t k = (size_t)(d - line);
	if (k + 1 + strlen(" " STANDIN) > (size_t)num - 1) {
		fail(L, "key longer than %d characters", num - 4);
		return NULL;
	}
	char *v = d + 1;
	*comment_or(v, NULL) = '\0';
	s->standin = conf_trim(v);
	memcpy(str, line, k + 1);
	strcpy(str + k + 1, " " STANDIN);
	return str;
}

static char *reader(char *str, int num, void *stream)
{
	struct loader *L = stream;
	struct src *s = L->cur;
	s->standin = NULL;
	if (L->failed)
		return NULL;
	ssize_t n = next_line(L, s);
	if (n == -2 && s->nguards) {
		s->line = s->guards[s->nguards - 1].line;
		fail(L, "%s without endif", s->guards[s->nguards - 1].key);
	}
	if (n < 0)
		return NULL;
	char *line = s->buf;
	bool fits = (size_t)n <= (size_t)num - 1;
	if (line[0] == ';' || line[0] == '#')
		return strcpy(str, fits ? line : ";"); /* a comment of any length */
	int g = guard_line(L, s, line);
	if (g < 0)
		return NULL;
	if (g > 0 || !guards_keep(s))
		return strcpy(str, ""); /* an empty line keeps libinih's line count in step with ours */
	if (line[0] == '[') {
		if (section_line(L, line) < 0)
			return NULL;
		if (!fits) /* a valid name is short: what follows its ']' libinih ignores */
			line[num - 1] = '\0';
		return strcpy(str, line);
	}
	return fits ? strcpy(str, line) : stand_in(L, s, str, num);
}

static int on_pair(void *user, const char *section, const char *name, const char *value)
{
	struct loader *L = user;
	struct src *s = L->cur;
	char key[256];
	if (L->failed)
		return 0;
	if (s->standin && strcmp(value, STANDIN) == 0)
		value = s->standin;
	size_t n = strlen(name);
	if (n >= sizeof key)
		n = sizeof key - 1;
	memcpy(key, name, n);
	key[n] = '\0';
	bool append = n && key[n - 1] == '+';
	if (append)
		key[--n] = '\0';
	char *k = conf_trim(key);
	const char *sec = section[0] ? section : s->base_section;
	ssize_t si = sec ? section_find(L, sec) : -1;
	int rc;
	if (!k[0])
		rc = fail(L, "expected `key = value` or `[section]`");
	else if (strcmp(k, "include") == 0)
		rc = append ? fail(L, "include is not a list: use = instead of +=")
			    : include(L, value, si >= 0 ? L->raw->sec[si].name : NULL);
	else if (!sec)
		rc = fail(L, "%s before any [section]", k);
	else {
		struct keyval v = {.section = (size_t)si, .key = k, .raw = value, .append = append};
		rc = si < 0 ? fail(L, "unknown section [%s]", sec) : route(L, &v);
	}
	if (rc < 0) {
		s->fail_line = s->line;
		return 0;
	}
	return 1;
}

static const char *add_file(struct conf *c, const char *path)
{
	char **n = realloc(c->files, (c->nfiles + 1) * sizeof *n);
	if (!n)
		return NULL;
	c->files = n;
	if (!(n[c->nfiles] = strdup(path)))
		return NULL;
	return n[c->nfiles++];
}

static int parse_text(struct loader *L, const char *file, const char *text, size_t len, const char *base, char *real)
{
	struct src s = {.file = file, .text = text, .len = len, .base_section = base, .real = real, .up = L->cur};
	/* An entry a line, room for most files in one allocation, where doubling would copy and touch each page
	 * again (untouched room costs no memory). Only a hint: add_entry grows the array when a file needs more
	 * (a namespace = line makes up to six entries). With KEEP one jail's entries stay: no count. */
	size_t lines = 1;
	for (const char *p = text; !L->keep && (p = memchr(p, '\n', len - (size_t)(p - text))); p++)
		lines++;
	(void)entries_reserve(L->raw, lines);
	L->cur = &s;
	L->depth++;
	int ret = ini_parse_stream(reader, L, on_pair, L);
	if (ret > 0 && ret != s.fail_line) {
		/* a libinih syntax error came first: it keeps parsing, so later errors may have been noted */
		s.line = ret;
		fail(L, "expected `key = value` or `[section]`");
	}
	L->depth--;
	L->cur = s.up;
	free(s.buf);
	return L->failed ? -1 : 0;
}

static int parse_file(struct loader *L, const char *path, const char *base)
{
	char *text;
	size_t len;
	if (readfile(path, &text, &len) < 0) {
		if (L->cur)
			return fail(L, "%s: cannot read: %s", path, strerror(errno));
		L->failed = true;
		return conf_errf(L->err, L->errlen, path, 0, "cannot read: %s", strerror(errno));
	}
	const char *file = add_file(L->c, path);
	char *real = realpath(path, NULL);
	int rc = file ? parse_text(L, file, text, len, base, real) : -1;
	if (!file) {
		L->failed = true;
		snprintf(L->err, L->errlen, "%s: out of memory", path);
	}
	free(real);
	free(text);
	return rc;
}

static int read_all(struct loader *L, const char *path, const char *text)
{
	if (!text)
		return parse_file(L, path, NULL);
	const char *file = add_file(L->c, path);
	if (!file)
		snprintf(L->err, L->errlen, "%s: out of memory", path);
	return file ? parse_text(L, file, text, strlen(text), NULL, NULL) : -1;
}

int conf_read(struct conf *c, struct raw_conf *raw, const char *path, const char *text, const char *keep, char *err,
	      size_t errlen)
{
	struct loader L = {.c = c, .raw = raw, .err = err, .errlen = errlen, .keep = keep, .run_sec = SIZE_MAX};
	int rc = read_all(&L, path, text);
	if (rc < 0 && L.reopened) {
		unsigned warned = L.warned;
		free(L.slot);
		conf_raw_free(raw);
		while (c->nfiles)
			free(c->files[--c->nfiles]);
		L = (struct loader){.c = c, .raw = raw, .err = err, .errlen = errlen, .run_sec = SIZE_MAX, .mute = warned};
		rc = read_all(&L, path, text);
	}
	run_drop(&L);
	free(L.slot);
	return rc;
}

int conf_raw_index(const struct raw_conf *raw, struct raw_index *ix)
{
	*ix = (struct raw_index){.star = -1};
	ix->off = calloc(raw->nsec + 2, sizeof *ix->off);
	ix->bysec = malloc((raw->nent ? raw->nent : 1) * sizeof *ix->bysec);
	if (!ix->off || !ix->bysec) {
		conf_raw_index_free(ix);
		return -1;
	}
	for (size_t i = 0; i < raw->nsec; i++)
		if (strcmp(raw->sec[i].name, "*") == 0)
			ix->star = (ssize_t)i;
	for (size_t i = 0; i < raw->nent; i++)
		ix->off[raw->ent[i].section + 2]++;
	for (size_t s = 2; s < raw->nsec + 2; s++)
		ix->off[s] += ix->off[s - 1];
	for (size_t i = 0; i < raw->nent; i++) /* off[s + 1] is section s's next free slot, then its end */
		ix->bysec[ix->off[raw->ent[i].section + 1]++] = i;
	return 0;
}

void conf_raw_index_free(struct raw_index *ix)
{
	free(ix->bysec);
	free(ix->off);
	*ix = (struct raw_index){.star = -1};
}

void conf_raw_free(struct raw_conf *raw)
{
	for (struct text_block *b = raw->text, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	for (size_t i = 0; i < raw->nsec; i++)
		free(raw->sec[i].name);
	free(raw->ent);
	free(raw->sec);
	*raw = (struct raw_conf){0};
}
