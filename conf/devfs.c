/* devfs: the devfs.rules parser and the kernel-record compiler (see devfs.h for the FreeBSD facts this
 * follows). The parser reads a file as rc.subr's devfs_rulesets_from_file does and turns each `add` line
 * into the record devfs(8)'s rulespec parser would build. The evaluator is devfs_eval.c, a jail's rules
 * devfs_jail.c. */
#include "devfs.h"
#include "conf.h"
#include "readfile.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		return lerr(c, "ruleset %lu is already named %s (%s:%d)", number, bynum->name, bynum->file, bynum->line);
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

static int (*host_resolver)(int kind, const char *name, uint32_t *id, void *arg);

void devfs_set_host_resolver(int (*fn)(int kind, const char *name, uint32_t *id, void *arg))
{
	host_resolver = fn;
}

static int resolve_id(struct lctx *c, int kind, const char *name, uint32_t *id)
{
	const struct devfs_rules *r = c->r;
	unsigned long v;
	if (r->resolve) {
		if (r->resolve(kind, name, id, r->resolve_arg) == 0)
			return 0;
	} else if (host_resolver && host_resolver(kind, name, id, NULL) == 0) {
		return 0;
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
	char *text;
	size_t len;
	if (readfile(path, &text, &len) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = -1;
	if (strlen(text) != len)
		snprintf(err, errlen, "%s: not a text file", path);
	else
		rc = devfs_rules_load_string(r, path, text, err, errlen);
	free(text);
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
#define PUT(...)                                                                \
	do {                                                                    \
		int m_ = snprintf(buf + k, k < len ? len - k : 0, __VA_ARGS__); \
		if (m_ > 0)                                                     \
			k += (size_t)m_;                                        \
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
