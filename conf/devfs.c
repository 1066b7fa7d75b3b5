/* devfs: the devfs.rules parser, the kernel-record compiler and the evaluator (see devfs.h for the FreeBSD
 * facts this follows). The parser reads a file as rc.subr's devfs_rulesets_from_file does and turns each
 * `add` line into the record devfs(8)'s rulespec parser would build; the evaluator applies records as
 * sys/fs/devfs/devfs_rule.c does on a mount. */
#include "devfs.h"
#include "conf.h"
#include "jailpw.h"
#include "log.h"
#include "ns.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sysmacros.h>
#endif

/* --- the parser ------------------------------------------------------------------------------------------ */

#define MAX_WORDS 64
#define RULE_STEP 100 /* devfs_rule_autonumber: the next rule is the last one + 100 */

struct lctx {
	struct devfs_rules *r;
	const char *file;
	int line;
	struct devfs_ruleset *cur;
	char *err;
	size_t errlen;
};

static int lerr(struct lctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int lerr(struct lctx *c, const char *fmt, ...)
{
	int k = snprintf(c->err, c->errlen, "%s:%d: ", c->file, c->line);
	if (k < 0 || (size_t)k >= c->errlen)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
	va_end(ap);
	return -1;
}

/* A decimal number in [lo, hi]; devfs(8)'s atonum takes only digits. */
static int parse_num(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	if (!conf_all_digits(s) || strlen(s) > 6)
		return -1;
	unsigned long v = strtoul(s, NULL, 10);
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static bool valid_name(const char *s, size_t n)
{
	/* rc.subr assigns the number to a shell variable of that name. */
	if (n == 0 || isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static struct devfs_ruleset *set_byname(const struct devfs_rules *r, const char *name, size_t n)
{
	for (size_t i = 0; i < r->nsets; i++)
		if (strlen(r->sets[i].name) == n && strncmp(r->sets[i].name, name, n) == 0)
			return &r->sets[i];
	return NULL;
}

const struct devfs_ruleset *devfs_ruleset_bynum(const struct devfs_rules *r, unsigned number)
{
	for (size_t i = 0; i < r->nsets; i++)
		if (r->sets[i].number == number)
			return &r->sets[i];
	return NULL;
}

const struct devfs_ruleset *devfs_ruleset_find(const struct devfs_rules *r, const char *spec)
{
	size_t n;
	while (isspace((unsigned char)*spec))
		spec++;
	if (*spec == '$')
		spec++;
	for (n = strlen(spec); n > 0 && isspace((unsigned char)spec[n - 1]); n--)
		;
	if (n > 0 && isdigit((unsigned char)spec[0])) {
		char buf[16];
		unsigned long v;
		if (n >= sizeof buf)
			return NULL;
		memcpy(buf, spec, n);
		buf[n] = '\0';
		return parse_num(buf, 1, 65535, &v) == 0 ? devfs_ruleset_bynum(r, (unsigned)v) : NULL;
	}
	return set_byname(r, spec, n);
}

/* `[name=N]`: open ruleset N. A header repeating a known name and number empties the ruleset, as rc.subr's
 * `devfs rule -s N delset` does before the rules that follow. */
static int header(struct lctx *c, const char *s, size_t len)
{
	const char *eq = memchr(s, '=', len);
	if (len < 2 || s[len - 1] != ']' || !eq)
		return lerr(c, "bad ruleset header '%.*s' (expected [name=number])", (int)len, s);
	const char *name = s + 1;
	size_t nlen = (size_t)(eq - name);
	char num[16];
	size_t numlen = (size_t)(s + len - 1 - (eq + 1));
	unsigned long number;
	if (!valid_name(name, nlen))
		return lerr(c, "bad ruleset name '%.*s' (letters, digits and _)", (int)nlen, name);
	if (numlen == 0 || numlen >= sizeof num)
		return lerr(c, "bad ruleset number in '%.*s' (1-65535)", (int)len, s);
	memcpy(num, eq + 1, numlen);
	num[numlen] = '\0';
	if (parse_num(num, 1, 65535, &number) < 0)
		return lerr(c, "bad ruleset number '%s' (1-65535)", num);

	struct devfs_ruleset *byname = set_byname(c->r, name, nlen);
	struct devfs_ruleset *bynum = (struct devfs_ruleset *)devfs_ruleset_bynum(c->r, (unsigned)number);
	if (bynum && bynum != byname)
		return lerr(c, "ruleset %lu is already named %s (%s:%d)", number, bynum->name, bynum->file,
			    bynum->line);
	if (byname && byname != bynum)
		return lerr(c, "ruleset name %s is already ruleset %u (%s:%d)", byname->name, byname->number,
			    byname->file, byname->line);
	if (bynum) {
		free(bynum->rules);
		bynum->rules = NULL;
		bynum->nrules = 0;
		bynum->file = c->file;
		bynum->line = c->line;
		c->cur = bynum;
		return 0;
	}
	struct devfs_ruleset *v = realloc(c->r->sets, (c->r->nsets + 1) * sizeof *v);
	if (!v)
		return lerr(c, "out of memory");
	c->r->sets = v;
	struct devfs_ruleset *set = &v[c->r->nsets];
	memset(set, 0, sizeof *set);
	set->name = strndup(name, nlen);
	if (!set->name)
		return lerr(c, "out of memory");
	set->number = (uint16_t)number;
	set->file = c->file;
	set->line = c->line;
	c->r->nsets++;
	c->cur = set;
	return 0;
}

/* Split a rule line into words as the shell that rc.subr evals it with would: blanks separate, '...' is
 * literal, "..." and bare text expand $name and ${name} to the number of a ruleset defined above, a
 * backslash quotes the next character. Globbing is off there (set -f), so '*' stays. */
struct words {
	char *buf; /* room for the line with every $name grown into a number (3 bytes for each 1) */
	char *w[MAX_WORDS];
	int n;
};

static int expand_var(struct lctx *c, const char **sp, const char *end, char **op, const char *oend)
{
	const char *s = *sp + 1;
	bool brace = s < end && *s == '{';
	if (brace)
		s++;
	const char *start = s;
	while (s < end && (isalnum((unsigned char)*s) || *s == '_'))
		s++;
	size_t n = (size_t)(s - start);
	if (brace && (s == end || *s != '}'))
		return lerr(c, "bad ${...} reference");
	if (n == 0)
		return lerr(c, "'$' without a ruleset name");
	const struct devfs_ruleset *set = set_byname(c->r, start, n);
	if (!set)
		return lerr(c, "unknown ruleset $%.*s (a ruleset must be defined before it is used)", (int)n, start);
	int k = snprintf(*op, (size_t)(oend - *op), "%u", set->number);
	if (k < 0 || k >= oend - *op)
		return lerr(c, "line too long");
	*op += k;
	*sp = brace ? s + 1 : s;
	return 0;
}

static int split_words(struct lctx *c, const char *s, size_t len, struct words *w)
{
	const char *end = s + len;
	if (!(w->buf = malloc(3 * len + 8)))
		return lerr(c, "out of memory");
	char *o = w->buf, *oend = w->buf + 3 * len + 7;
	w->n = 0;
	while (s < end) {
		while (s < end && isspace((unsigned char)*s))
			s++;
		if (s == end)
			break;
		if (w->n == MAX_WORDS)
			return lerr(c, "too many words in a rule");
		w->w[w->n++] = o;
		char quote = 0;
		while (s < end && (quote || !isspace((unsigned char)*s))) {
			if (o >= oend)
				return lerr(c, "line too long");
			if (quote == '\'' && *s != '\'') {
				*o++ = *s++;
			} else if (*s == quote) {
				quote = 0;
				s++;
			} else if (!quote && (*s == '\'' || *s == '"')) {
				quote = *s++;
			} else if (*s == '\\' && s + 1 < end) {
				*o++ = s[1];
				s += 2;
			} else if (*s == '$') {
				if (expand_var(c, &s, end, &o, oend) < 0)
					return -1;
			} else {
				*o++ = *s++;
			}
		}
		if (quote)
			return lerr(c, "unterminated %c quote", quote);
		*o++ = '\0';
	}
	return 0;
}

static int resolve_id(struct lctx *c, int kind, const char *name, uint32_t *id)
{
	const struct devfs_rules *r = c->r;
	unsigned long v;
	if (r->resolve) {
		if (r->resolve(kind, name, id, r->resolve_arg) == 0)
			return 0;
	} else {
		uid_t uid;
		gid_t gid;
		char err[300];
		if (kind == 'u' && jailpw_host_uid(name, &uid, err, sizeof err) == 0) {
			*id = (uint32_t)uid;
			return 0;
		}
		if (kind != 'u' && jailpw_host_group(name, &gid, err, sizeof err) == 0) {
			*id = (uint32_t)gid;
			return 0;
		}
	}
	/* devfs(8) takes a number when no such name exists. */
	if (conf_all_digits(name) && strlen(name) <= 10 && (v = strtoul(name, NULL, 10)) <= UINT32_MAX) {
		*id = (uint32_t)v;
		return 0;
	}
	return lerr(c, "unknown %s '%s'", kind == 'u' ? "user" : "group", name);
}

static const struct {
	const char *word;
	int flag;
} type_words[] = {
	{"disk", DEVFS_D_DISK},
	{"mem", DEVFS_D_MEM},
	{"tape", DEVFS_D_TAPE},
	{"tty", DEVFS_D_TTY},
};

/* The conditions: path and type, in any order, before the actions. */
static int conditions(struct lctx *c, struct words *w, int *i, struct devfs_record *rec)
{
	while (*i < w->n) {
		const char *k = w->w[*i];
		bool is_path = strcmp(k, "path") == 0, is_type = strcmp(k, "type") == 0;
		if (!is_path && !is_type)
			return 0;
		if (*i + 1 >= w->n)
			return lerr(c, "expecting an argument for %s", k);
		const char *arg = w->w[*i + 1];
		*i += 2;
		if (is_path) {
			if (strlen(arg) >= DEVFS_PATTERN_MAX)
				return lerr(c, "path pattern longer than %d characters", DEVFS_PATTERN_MAX - 1);
			strcpy(rec->dr_pathptrn, arg);
			rec->dr_icond |= DEVFS_DRC_PATHPTRN;
			continue;
		}
		size_t t;
		for (t = 0; t < sizeof type_words / sizeof type_words[0]; t++)
			if (strcmp(arg, type_words[t].word) == 0)
				break;
		if (t == sizeof type_words / sizeof type_words[0])
			return lerr(c, "unknown device type '%s' (disk, mem, tape, tty)", arg);
		rec->dr_dswflags |= type_words[t].flag;
		rec->dr_icond |= DEVFS_DRC_DSWFLAGS;
	}
	return 0;
}

static int act_mode(struct lctx *c, const char *arg, struct devfs_record *rec)
{
	unsigned long v = 0;
	const char *p = arg;
	for (; *p >= '0' && *p <= '7'; p++)
		v = v * 8 + (unsigned long)(*p - '0');
	if (p == arg || *p || p - arg > 5 || v > 07777)
		return lerr(c, "bad mode '%s' (octal, 0 to 7777)", arg);
	rec->dr_mode = (uint16_t)v;
	rec->dr_iacts |= DEVFS_DRA_MODE;
	return 0;
}

static int act_include(struct lctx *c, const char *arg, struct devfs_record *rec)
{
	unsigned long v;
	if (parse_num(arg, 1, 65535, &v) < 0)
		return lerr(c, "bad include '%s' (a ruleset number or $name)", arg);
	const struct devfs_ruleset *inc = devfs_ruleset_bynum(c->r, (unsigned)v);
	if (!inc)
		return lerr(c, "include of unknown ruleset %lu", v);
	if (inc == c->cur)
		return lerr(c, "ruleset %s includes itself", inc->name);
	/* The kernel keeps a ruleset only while it has rules: DEVFSIO_RADD fails with ESRCH otherwise. */
	if (inc->nrules == 0)
		return lerr(c, "include of empty ruleset %s (%lu)", inc->name, v);
	rec->dr_incset = (uint16_t)v;
	rec->dr_iacts |= DEVFS_DRA_INCSET;
	return 0;
}

static int actions(struct lctx *c, struct words *w, int i, struct devfs_record *rec)
{
	for (; i < w->n; i++) {
		const char *k = w->w[i];
		if (strcmp(k, "hide") == 0 || strcmp(k, "unhide") == 0) {
			rec->dr_iacts |= DEVFS_DRA_BACTS;
			rec->dr_bacts |= k[0] == 'h' ? DEVFS_DRB_HIDE : DEVFS_DRB_UNHIDE;
			continue;
		}
		bool known = strcmp(k, "user") == 0 || strcmp(k, "group") == 0 || strcmp(k, "mode") == 0 ||
			     strcmp(k, "include") == 0;
		if (!known) {
			if (strcmp(k, "path") == 0 || strcmp(k, "type") == 0)
				return lerr(c, "'%s' must come before the actions", k);
			return lerr(c, "unknown action '%s' (hide, unhide, user, group, mode, include)", k);
		}
		if (i + 1 >= w->n)
			return lerr(c, "expecting an argument for %s", k);
		const char *arg = w->w[++i];
		int rc = 0;
		if (k[0] == 'u') {
			rc = resolve_id(c, 'u', arg, &rec->dr_uid);
			rec->dr_iacts |= DEVFS_DRA_UID;
		} else if (k[0] == 'g') {
			rc = resolve_id(c, 'g', arg, &rec->dr_gid);
			rec->dr_iacts |= DEVFS_DRA_GID;
		} else if (k[0] == 'm') {
			rc = act_mode(c, arg, rec);
		} else {
			rc = act_include(c, arg, rec);
		}
		if (rc < 0)
			return -1;
	}
	if (rec->dr_iacts == 0)
		return lerr(c, "rule has no action (hide, unhide, user, group, mode, include)");
	return 0;
}

/* Give the rule its number as the kernel would and insert it in number order. */
static int insert_rule(struct lctx *c, struct devfs_rule *rule)
{
	struct devfs_ruleset *set = c->cur;
	unsigned rn = DEVFS_RID2RN(rule->rec.dr_id);
	if (rn == 0) {
		rn = set->nrules ? set->rules[set->nrules - 1].rnum + RULE_STEP : RULE_STEP;
		if (rn > 65535)
			return lerr(c, "ruleset %s is full: no rule number left after %u", set->name,
				    set->rules[set->nrules - 1].rnum);
	}
	size_t at = set->nrules;
	for (size_t i = 0; i < set->nrules; i++) {
		if (set->rules[i].rnum == rn)
			return lerr(c, "rule number %u is already used in ruleset %s (%s:%d)", rn, set->name,
				    set->rules[i].file, set->rules[i].line);
		if (set->rules[i].rnum > rn && at == set->nrules)
			at = i;
	}
	struct devfs_rule *v = realloc(set->rules, (set->nrules + 1) * sizeof *v);
	if (!v)
		return lerr(c, "out of memory");
	set->rules = v;
	memmove(&v[at + 1], &v[at], (set->nrules - at) * sizeof *v);
	rule->rnum = (uint16_t)rn;
	v[at] = *rule;
	set->nrules++;
	return 0;
}

static int rule_words(struct lctx *c, struct words *wp)
{
	struct words w = *wp;
	if (w.n == 0)
		return 0; /* only an expansion-free empty line: nothing to add */
	if (strcmp(w.w[0], "add") != 0)
		return lerr(c, "unknown command '%s' (devfs.rules lines are 'add ...')", w.w[0]);
	if (w.n == 1)
		return lerr(c, "empty rule");

	struct devfs_rule rule;
	memset(&rule, 0, sizeof rule);
	rule.file = c->file;
	rule.line = c->line;
	rule.rec.dr_magic = DEVFS_MAGIC_V;
	int i = 1;
	unsigned long rn = 0;
	if (conf_all_digits(w.w[1])) {
		if (parse_num(w.w[1], 1, 65535, &rn) < 0)
			return lerr(c, "bad rule number '%s' (1-65535)", w.w[1]);
		i = 2;
	}
	rule.rec.dr_id = DEVFS_MKRID(c->cur->number, rn);
	if (conditions(c, &w, &i, &rule.rec) < 0 || actions(c, &w, i, &rule.rec) < 0)
		return -1;
	return insert_rule(c, &rule);
}

static int rule_line(struct lctx *c, const char *s, size_t len)
{
	struct words w = {0};
	if (!c->cur)
		return lerr(c, "rule before any [name=number] ruleset header");
	int rc = split_words(c, s, len, &w) < 0 ? -1 : rule_words(c, &w);
	free(w.buf);
	return rc;
}

static int one_line(struct lctx *c, const char *s, size_t len)
{
	const char *hash = memchr(s, '#', len);
	if (hash)
		len = (size_t)(hash - s);
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0)
		return 0;
	if (*s == '[')
		return header(c, s, len);
	return rule_line(c, s, len);
}

static const char *add_file(struct devfs_rules *r, const char *name)
{
	char **v = realloc(r->files, (r->nfiles + 1) * sizeof *v);
	if (!v)
		return NULL;
	r->files = v;
	if (!(v[r->nfiles] = strdup(name)))
		return NULL;
	return v[r->nfiles++];
}

int devfs_rules_load_string(struct devfs_rules *r, const char *name, const char *text, char *err, size_t errlen)
{
	struct lctx c = {.r = r, .err = err, .errlen = errlen};
	c.file = add_file(r, name);
	if (!c.file) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		c.line++;
		if (one_line(&c, s, len) < 0)
			return -1;
		s += len + (nl ? 1 : 0);
	}
	return 0;
}

int devfs_rules_load_defaults(struct devfs_rules *r, char *err, size_t errlen)
{
	return devfs_rules_load_string(r, DEVFS_DEFAULT_NAME, devfs_default_rules, err, errlen);
}

int devfs_rules_load(struct devfs_rules *r, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *text = NULL;
	size_t cap = 0, len = 0, got;
	int rc = -1;
	do {
		if (len + 4096 + 1 > cap) {
			char *t = realloc(text, cap = len + 4096 + 1 + cap);
			if (!t) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto out;
			}
			text = t;
		}
		got = fread(text + len, 1, cap - len - 1, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	text[len] = '\0';
	if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "%s: not a text file", path);
		goto out;
	}
	rc = devfs_rules_load_string(r, path, text, err, errlen);
out:
	free(text);
	fclose(f); /* read-only: nothing to lose on close */
	return rc;
}

void devfs_rules_free(struct devfs_rules *r)
{
	for (size_t i = 0; i < r->nsets; i++) {
		free(r->sets[i].name);
		free(r->sets[i].rules);
	}
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i]);
	free(r->sets);
	free(r->files);
	r->sets = NULL;
	r->files = NULL;
	r->nsets = r->nfiles = 0;
}

/* --- the compiler's output --------------------------------------------------------------------------------- */

static int plan_visit(const struct devfs_rules *r, const struct devfs_ruleset *set, const struct devfs_ruleset **out,
		      size_t max, size_t *n, size_t depth)
{
	for (size_t i = 0; i < *n; i++)
		if (out[i] == set)
			return 0;
	/* A chain longer than the number of rulesets is a loop (a redefined ruleset can include one that
	 * includes it); the kernel could not load it either. */
	if (depth > r->nsets)
		return -1;
	for (size_t i = 0; i < set->nrules; i++) {
		const struct devfs_record *rec = &set->rules[i].rec;
		if (!(rec->dr_iacts & DEVFS_DRA_INCSET))
			continue;
		const struct devfs_ruleset *inc = devfs_ruleset_bynum(r, rec->dr_incset);
		if (inc && inc != set && plan_visit(r, inc, out, max, n, depth + 1) < 0)
			return -1;
	}
	if (*n == max)
		return -1;
	out[(*n)++] = set;
	return 0;
}

int devfs_load_plan(const struct devfs_rules *r, const struct devfs_ruleset *set, bool includes,
		    const struct devfs_ruleset **out, size_t max)
{
	size_t n = 0;
	if (!includes) {
		if (max < 1)
			return -1;
		out[0] = set;
		return 1;
	}
	return plan_visit(r, set, out, max, &n, 0) < 0 ? -1 : (int)n;
}

void devfs_record_format(const struct devfs_record *rec, uint16_t rnum, char *buf, size_t len)
{
	size_t k = 0;
#define PUT(...)                                                                      \
	do {                                                                          \
		int m_ = snprintf(buf + k, k < len ? len - k : 0, __VA_ARGS__);       \
		if (m_ > 0)                                                           \
			k += (size_t)m_;                                              \
	} while (0)
	if (len == 0)
		return;
	PUT("%u", (unsigned)rnum);
	if (rec->dr_icond & DEVFS_DRC_DSWFLAGS)
		for (size_t t = 0; t < sizeof type_words / sizeof type_words[0]; t++)
			if (rec->dr_dswflags & type_words[t].flag)
				PUT(" type %s", type_words[t].word);
	if (rec->dr_icond & DEVFS_DRC_PATHPTRN)
		PUT(" path '%s'", rec->dr_pathptrn);
	if ((rec->dr_iacts & DEVFS_DRA_BACTS) && (rec->dr_bacts & DEVFS_DRB_HIDE))
		PUT(" hide");
	if ((rec->dr_iacts & DEVFS_DRA_BACTS) && (rec->dr_bacts & DEVFS_DRB_UNHIDE))
		PUT(" unhide");
	if (rec->dr_iacts & DEVFS_DRA_UID)
		PUT(" user %u", (unsigned)rec->dr_uid);
	if (rec->dr_iacts & DEVFS_DRA_GID)
		PUT(" group %u", (unsigned)rec->dr_gid);
	if (rec->dr_iacts & DEVFS_DRA_MODE)
		PUT(" mode %o", (unsigned)rec->dr_mode);
	if (rec->dr_iacts & DEVFS_DRA_INCSET)
		PUT(" include %u", (unsigned)rec->dr_incset);
#undef PUT
}

/* --- the evaluator ------------------------------------------------------------------------------------------ */

struct verdict {
	bool hidden;
	bool set_uid, set_gid, set_mode;
	uint32_t uid, gid;
	uint16_t mode;
};

static int type_flag(enum devfs_ntype t)
{
	switch (t) {
	case DEVFS_N_DISK: return DEVFS_D_DISK;
	case DEVFS_N_MEM: return DEVFS_D_MEM;
	case DEVFS_N_TAPE: return DEVFS_D_TAPE;
	case DEVFS_N_TTY: return DEVFS_D_TTY;
	default: return 0;
	}
}

/* devfs_rule_match: a type condition needs a device whose driver has one of the flags (directories and
 * links never match it); a path condition is fnmatch(3) with FNM_PATHNAME, so '*' stops at '/'. */
static bool rule_matches(const struct devfs_record *rec, const char *path, const char *alias, enum devfs_ntype t)
{
	if ((rec->dr_icond & DEVFS_DRC_DSWFLAGS) && !(type_flag(t) & rec->dr_dswflags))
		return false;
	if (rec->dr_icond & DEVFS_DRC_PATHPTRN) {
		bool m = fnmatch(rec->dr_pathptrn, path, FNM_PATHNAME) == 0;
		if (!m && alias)
			m = fnmatch(rec->dr_pathptrn, alias, FNM_PATHNAME) == 0;
		if (!m)
			return false;
	}
	return true;
}

/* devfs_rule_run / devfs_ruleset_applyde: every rule in number order; an include runs the other ruleset
 * with one level less, and not at all once the depth is used up. */
static void apply_set(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth, const char *path,
		      const char *alias, enum devfs_ntype t, struct verdict *v)
{
	for (size_t i = 0; i < set->nrules; i++) {
		const struct devfs_record *rec = &set->rules[i].rec;
		if (!rule_matches(rec, path, alias, t))
			continue;
		if (rec->dr_iacts & DEVFS_DRA_BACTS) {
			if (rec->dr_bacts & DEVFS_DRB_HIDE)
				v->hidden = true;
			if (rec->dr_bacts & DEVFS_DRB_UNHIDE)
				v->hidden = false;
		}
		if (rec->dr_iacts & DEVFS_DRA_UID) {
			v->set_uid = true;
			v->uid = rec->dr_uid;
		}
		if (rec->dr_iacts & DEVFS_DRA_GID) {
			v->set_gid = true;
			v->gid = rec->dr_gid;
		}
		if (rec->dr_iacts & DEVFS_DRA_MODE) {
			v->set_mode = true;
			v->mode = rec->dr_mode;
		}
		if ((rec->dr_iacts & DEVFS_DRA_INCSET) && depth > 0) {
			const struct devfs_ruleset *inc = devfs_ruleset_bynum(r, rec->dr_incset);
			if (inc)
				apply_set(r, inc, depth - 1, path, alias, t, v);
		}
	}
}

/* A hidden directory hides what is below it: check every parent as a directory. */
static bool parents_visible(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth,
			    const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	if (len >= sizeof buf)
		return false;
	memcpy(buf, path, len + 1);
	for (char *slash = strchr(buf, '/'); slash; slash = strchr(slash + 1, '/')) {
		struct verdict v = {0};
		*slash = '\0';
		apply_set(r, set, depth, buf, devfs_linux_alias(buf), DEVFS_N_DIR, &v);
		*slash = '/';
		if (v.hidden)
			return false;
	}
	return true;
}

void devfs_eval(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth,
		struct devfs_node *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct devfs_node *node = &nodes[i];
		struct verdict v = {0};
		apply_set(r, set, depth, node->path, node->alias, node->type, &v);
		node->visible = !v.hidden && parents_visible(r, set, depth, node->path);
		node->set_uid = v.set_uid;
		node->set_gid = v.set_gid;
		node->set_mode = v.set_mode;
		node->uid = v.uid;
		node->gid = v.gid;
		node->mode = v.mode;
	}
}

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

enum devfs_ntype devfs_type_of(mode_t st_mode, dev_t rdev)
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

/* Linux entries of the OCI base set (init/linux/dev.c) that FreeBSD's rulesets do not name, and the FreeBSD
 * node each counts as; a rule naming the Linux name itself matches too. */
static const struct {
	const char *linux_name, *freebsd_name;
} linux_aliases[] = {
	{"full", "zero"},    /* a harmless source like zero */
	{"tty", "ptmx"},     /* the controlling terminal: a login device */
	{"console", "ptmx"}, /* the jail's own terminal, as OCI's terminal: true gives it */
	{"shm", "null"},     /* POSIX shared memory: IPC is as basic as null (a fresh tmpfs, never the host's) */
	{"mqueue", "null"},  /* POSIX message queues: the same (a fresh mqueue fs) */
};

const char *devfs_linux_alias(const char *path)
{
	for (size_t i = 0; i < sizeof linux_aliases / sizeof linux_aliases[0]; i++)
		if (strcmp(path, linux_aliases[i].linux_name) == 0)
			return linux_aliases[i].freebsd_name;
	return NULL;
}

void devfs_nodes_free(struct devfs_node *nodes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(nodes[i].path);
		free(nodes[i].link);
	}
	free(nodes);
}

/* --- the warning for `warder check` -------------------------------------------------------------------------- */

/* Typical disk and memory nodes of both systems. */
static const struct {
	const char *path;
	enum devfs_ntype type;
} danger_probes[] = {
	{"mem", DEVFS_N_MEM}, {"kmem", DEVFS_N_MEM}, {"port", DEVFS_N_MEM}, {"io", DEVFS_N_MEM},
	{"sda", DEVFS_N_DISK}, {"sda1", DEVFS_N_DISK}, {"vda", DEVFS_N_DISK}, {"xvda", DEVFS_N_DISK},
	{"nvme0n1", DEVFS_N_DISK}, {"nvme0n1p1", DEVFS_N_DISK}, {"loop0", DEVFS_N_DISK}, {"dm-0", DEVFS_N_DISK},
	{"md0", DEVFS_N_DISK}, {"sr0", DEVFS_N_DISK}, {"ada0", DEVFS_N_DISK}, {"ada0p1", DEVFS_N_DISK},
	{"da0", DEVFS_N_DISK}, {"nvd0", DEVFS_N_DISK}, {"nda0", DEVFS_N_DISK}, {"vtbd0", DEVFS_N_DISK},
	{"mmcsd0", DEVFS_N_DISK}, {"cd0", DEVFS_N_DISK},
};

/* Directories that hold disks on either system; an unhide rule below one of them exposes disks. */
static const char *const disk_dirs[] = {"zvol", "mapper", "disk", "gpt", "gptid", "diskid", "ufs", "label",
					"iscsi", "md", "ada", "nvme"};

static bool exposes_disk_dir(const struct devfs_rules *r, const struct devfs_ruleset *top, unsigned depth,
			     const struct devfs_ruleset *set, unsigned left, char *what, size_t whatlen)
{
	for (size_t i = 0; i < set->nrules; i++) {
		const struct devfs_record *rec = &set->rules[i].rec;
		if ((rec->dr_iacts & DEVFS_DRA_INCSET) && left > 0) {
			const struct devfs_ruleset *inc = devfs_ruleset_bynum(r, rec->dr_incset);
			if (inc && exposes_disk_dir(r, top, depth, inc, left - 1, what, whatlen))
				return true;
		}
		if (!(rec->dr_bacts & DEVFS_DRB_UNHIDE) || !(rec->dr_icond & DEVFS_DRC_PATHPTRN))
			continue;
		const char *slash = strchr(rec->dr_pathptrn, '/');
		if (!slash)
			continue;
		char first[DEVFS_PATTERN_MAX];
		memcpy(first, rec->dr_pathptrn, (size_t)(slash - rec->dr_pathptrn));
		first[slash - rec->dr_pathptrn] = '\0';
		for (size_t d = 0; d < sizeof disk_dirs / sizeof disk_dirs[0]; d++) {
			if (fnmatch(first, disk_dirs[d], 0) != 0)
				continue;
			struct devfs_node dir = {.path = (char *)disk_dirs[d], .type = DEVFS_N_DIR};
			devfs_eval(r, top, depth, &dir, 1);
			if (dir.visible) {
				snprintf(what, whatlen, "%s", rec->dr_pathptrn);
				return true;
			}
		}
	}
	return false;
}

bool devfs_exposes_host_devices(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth,
				char *what, size_t whatlen)
{
	for (size_t i = 0; i < sizeof danger_probes / sizeof danger_probes[0]; i++) {
		struct devfs_node probe = {.path = (char *)danger_probes[i].path, .type = danger_probes[i].type};
		devfs_eval(r, set, depth, &probe, 1);
		if (probe.visible) {
			snprintf(what, whatlen, "%s", probe.path);
			return true;
		}
	}
	return exposes_disk_dir(r, set, depth, set, depth, what, whatlen);
}

/* --- a jail's rules ------------------------------------------------------------------------------------------ */

int devfs_jail_rules(const struct jail *j, struct devfs_rules *r, const struct devfs_ruleset **set, unsigned *depth,
		     char *err, size_t errlen)
{
	const char *file = jail_get(j, "devfs.rules");
	const char *spec = jail_get(j, "devfs_ruleset");

	*set = NULL;
	*depth = jail_is_set(j, "devfs.rule_depth") ? (unsigned)jail_int(j, "devfs.rule_depth") : DEVFS_DEFAULT_DEPTH;
	if (devfs_rules_load_defaults(r, err, errlen) < 0)
		return -1;
	/* The installed default file is the built-in text again; only a file the user names must exist. */
	if (file && (jail_is_set(j, "devfs.rules") || access(file, R_OK) == 0) &&
	    devfs_rules_load(r, file, err, errlen) < 0)
		return -1;
	if (!spec)
		spec = "4";
	*set = devfs_ruleset_find(r, spec);
	if (!*set) {
		snprintf(err, errlen, "devfs_ruleset %s is not defined in devfs.rules", spec);
		return -1;
	}
	return 0;
}

static void owner_visit(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth,
			const struct devfs_rule **out, size_t max, size_t *n)
{
	for (size_t i = 0; i < set->nrules; i++) {
		const struct devfs_rule *rule = &set->rules[i];
		const struct devfs_record *rec = &rule->rec;
		if ((rec->dr_iacts & DEVFS_DRA_INCSET) && depth > 0) {
			const struct devfs_ruleset *inc = devfs_ruleset_bynum(r, rec->dr_incset);
			if (inc)
				owner_visit(r, inc, depth - 1, out, max, n);
		}
		if (!(rec->dr_iacts & (DEVFS_DRA_UID | DEVFS_DRA_GID | DEVFS_DRA_MODE)))
			continue;
		bool seen = false;
		for (size_t k = 0; k < *n && k < max && !seen; k++)
			seen = out[k] == rule;
		if (seen)
			continue;
		if (*n < max)
			out[*n] = rule;
		(*n)++;
	}
}

size_t devfs_owner_rules(const struct devfs_rules *r, const struct devfs_ruleset *set, unsigned depth,
			 const struct devfs_rule **out, size_t max)
{
	size_t n = 0;
	owner_visit(r, set, depth, out, max, &n);
	return n;
}

bool devfs_linux_wanted(const struct jail *j)
{
	if (jail_is_set(j, "mount.devfs"))
		return jail_bool(j, "mount.devfs");
	return jail_is_set(j, "path");
}

bool devfs_linux_userns(const struct jail *j)
{
	return (ns_list(jail_get(j, "unshare")) & NS_BIT(NS_USER)) != 0;
}

size_t devfs_check_linux(const struct jail *j)
{
	struct devfs_rules r = {0};
	const struct devfs_ruleset *set;
	const struct devfs_rule *rules[64];
	unsigned depth;
	char err[512];
	size_t n = 0;

	/* A ruleset that does not load is reported by whoever checks the config for errors. */
	if (!devfs_linux_wanted(j) || !devfs_linux_userns(j) || devfs_jail_rules(j, &r, &set, &depth, err, sizeof err) < 0)
		goto out;
	n = devfs_owner_rules(&r, set, depth, rules, sizeof rules / sizeof rules[0]);
	for (size_t i = 0; i < n && i < sizeof rules / sizeof rules[0]; i++) {
		char text[DEVFS_PATTERN_MAX + 128];
		devfs_record_format(&rules[i]->rec, rules[i]->rnum, text, sizeof text);
		log_warn("check", "%s:%d: devfs rule \"%s\" cannot apply in jail %s: it has a user namespace, so its "
				  "/dev nodes are the host's, bind-mounted (user, group and mode stay the host's)",
			 rules[i]->file, rules[i]->line, text, j->name);
	}
	if (n > sizeof rules / sizeof rules[0])
		log_warn("check", "jail %s: %zu more devfs rules with user, group or mode cannot apply either", j->name,
			 n - sizeof rules / sizeof rules[0]);
out:
	devfs_rules_free(&r);
	return n;
}
