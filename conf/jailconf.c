/* jailconf: the reader of jail.conf(5) (see jailconf.h for the syntax): a lexer that yields strings already
 * unquoted (with flags saying whether a '$' in them expands) and a parser that builds sections of statements
 * the way jail(8)'s grammar does, into jailconf_model.h's model. jailconf_ini.c writes the model out. */
#include "jailconf_model.h"

#include "conf.h"
#include "pathglob.h"
#include "readfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INCLUDE_DEPTH 16

enum tok { T_EOF, T_STR, T_SEMI, T_LBRACE, T_RBRACE, T_COMMA, T_EQ, T_PLEQ, T_ERR };

struct lexer {
	const char *s, *file;
	int line;
	enum tok t;
	int tline;
	struct jc_val str;
	char *err;
	size_t errlen;
};

/* --- lexer ----------------------------------------------------------------------------------------------- */

int jc_bput(struct jc_buf *b, char c)
{
	if (b->n + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char *ns = realloc(b->s, cap);
		if (!ns)
			return -1;
		b->s = ns;
		b->cap = cap;
	}
	b->s[b->n++] = c;
	b->s[b->n] = '\0';
	return 0;
}

bool jc_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Skips blanks and comments; -1 on an unterminated C comment. */
static int skip(struct lexer *L)
{
	for (;;) {
		char c = *L->s;
		if (c == '\n')
			L->line++;
		if (jc_blank(c)) {
			L->s++;
		} else if (c == '#' || (c == '/' && L->s[1] == '/')) {
			L->s += strcspn(L->s, "\n");
		} else if (c == '/' && L->s[1] == '*') {
			int start = L->line;
			const char *end = strstr(L->s + 2, "*/");
			if (!end)
				return conf_errf(L->err, L->errlen, L->file, start, "unterminated /* comment");
			for (const char *p = L->s; p < end; p++)
				L->line += *p == '\n';
			L->s = end + 2;
		} else {
			return 0;
		}
	}
}

static int octal_or_hex(const char **sp, int base, int max)
{
	int v = 0, n = 0;
	const char *s = *sp;
	for (; n < max; n++, s++) {
		int d = *s >= '0' && *s <= '9'                 ? *s - '0'
			: base == 16 && *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			: base == 16 && *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
							       : -1;
		if (d < 0 || d >= base)
			break;
		v = v * base + d;
	}
	*sp = s;
	return n ? v : -1;
}

/* One backslash escape after the backslash; appends to b. C's escapes in "...", the character itself else. */
static int escape(struct lexer *L, struct jc_buf *b, bool dq)
{
	static const char from[] = "abfnrtv", to[] = "\a\b\f\n\r\t\v";
	char c = *L->s++;
	if (c == '\0')
		return conf_errf(L->err, L->errlen, L->file, L->line, "backslash at the end of the file");
	if (c == '\n') { /* a continued line */
		L->line++;
		return 0;
	}
	if (c == '$')
		L->str.lit_dollar = true;
	if (dq && strchr(from, c))
		return jc_bput(b, to[strchr(from, c) - from]);
	if (dq && (c >= '0' && c <= '7')) {
		L->s--;
		int v = octal_or_hex(&L->s, 8, 3);
		return jc_bput(b, (char)v);
	}
	if (dq && c == 'x') {
		int v = octal_or_hex(&L->s, 16, 2);
		if (v < 0)
			return conf_errf(L->err, L->errlen, L->file, L->line, "\\x without hex digits");
		return jc_bput(b, (char)v);
	}
	return jc_bput(b, c);
}

static int quoted(struct lexer *L, struct jc_buf *b, char q)
{
	int start = L->line;
	L->s++;
	for (;;) {
		char c = *L->s;
		if (c == '\0')
			return conf_errf(L->err, L->errlen, L->file, start, "unterminated %s string",
					 q == '"' ? "\"...\"" : "'...'");
		L->s++;
		if (c == q)
			return 0;
		if (c == '\\' && (q == '"' || *L->s == '\'' || *L->s == '\\')) {
			if (escape(L, b, q == '"') < 0)
				return -1;
			continue;
		}
		if (c == '\n')
			L->line++;
		if (c == '$') {
			if (q == '"')
				L->str.has_var = true;
			else
				L->str.lit_dollar = true;
		}
		if (jc_bput(b, c) < 0)
			return -1;
	}
}

static bool token_char(const char *s)
{
	char c = *s;
	return c && !jc_blank(c) && !strchr(";{},=\"'#", c) && !(c == '+' && s[1] == '=');
}

/* A string: unquoted runs and quoted parts with nothing between them. */
static int string(struct lexer *L)
{
	struct jc_buf b = {0};
	memset(&L->str, 0, sizeof L->str);
	while (*L->s == '"' || *L->s == '\'' || token_char(L->s)) {
		if (b.n == 0 && !b.s && L->s[0] == '/' && (L->s[1] == '/' || L->s[1] == '*'))
			break;
		int rc = 0;
		if (*L->s == '"' || *L->s == '\'') {
			rc = quoted(L, &b, *L->s);
		} else if (*L->s == '\\') {
			L->s++;
			rc = escape(L, &b, false);
		} else {
			if (*L->s == '$')
				L->str.has_var = true;
			rc = jc_bput(&b, *L->s++);
		}
		if (rc < 0) {
			free(b.s);
			return rc;
		}
	}
	L->str.text = b.s ? b.s : strdup("");
	return L->str.text ? 0 : -1;
}

static int next(struct lexer *L)
{
	if (skip(L) < 0)
		return L->t = T_ERR;
	L->tline = L->line;
	static const struct {
		char c;
		enum tok t;
	} punct[] = {{';', T_SEMI}, {'{', T_LBRACE}, {'}', T_RBRACE}, {',', T_COMMA}, {'=', T_EQ}};
	if (!*L->s)
		return L->t = T_EOF;
	if (L->s[0] == '+' && L->s[1] == '=') {
		L->s += 2;
		return L->t = T_PLEQ;
	}
	for (size_t i = 0; i < sizeof punct / sizeof punct[0]; i++)
		if (*L->s == punct[i].c) {
			L->s++;
			return L->t = punct[i].t;
		}
	if (string(L) < 0) {
		if (!L->err[0])
			conf_errf(L->err, L->errlen, L->file, L->tline, "out of memory");
		return L->t = T_ERR;
	}
	return L->t = T_STR;
}

static const char *tok_name(enum tok t)
{
	static const char *const names[] = {"end of file", "a string", "';'",  "'{'",     "'}'",
					    "','",         "'='",      "'+='", "an error"};
	return names[t];
}

/* --- parser ---------------------------------------------------------------------------------------------- */

static struct jc_section *add_section(struct jc_model *m, const char *name, const char *file)
{
	struct jc_section *s = conf_grow(&m->sec, &m->nsec, sizeof *s);
	if (!s || !(s->name = strdup(name)))
		return NULL;
	s->file = file;
	return s;
}

static int parse_file(struct jc_model *m, const char *path, const char *text, int depth, char *err, size_t errlen);

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	char *d = malloc((size_t)(slash - path) + 1);
	if (d) {
		memcpy(d, path, (size_t)(slash - path));
		d[slash - path] = '\0';
	}
	return d;
}

static int do_include(struct jc_model *m, struct lexer *L, const char *pat, int depth)
{
	char *dir = dir_of(L->file), *full;
	if (!dir)
		return conf_errf(L->err, L->errlen, L->file, L->tline, "out of memory");
	const char *pre = pat[0] == '/' ? (m->root ? m->root : "") : dir;
	size_t len = strlen(pre) + strlen(pat) + 2;
	full = malloc(len);
	if (!full) {
		free(dir);
		return conf_errf(L->err, L->errlen, L->file, L->tline, "out of memory");
	}
	snprintf(full, len, "%s%s%s", pre, pat[0] == '/' ? "" : "/", pat);
	free(dir);
	struct pathglob g;
	int rc = pathglob(full, &g);
	if (rc == PATHGLOB_NOMATCH) {
		rc = conf_errf(L->err, L->errlen, L->file, L->tline, ".include \"%s\": no file matches %s", pat, full);
	} else if (rc != 0) {
		rc = conf_errf(L->err, L->errlen, L->file, L->tline, ".include \"%s\": out of memory", pat);
	} else if (depth >= INCLUDE_DEPTH) {
		rc = conf_errf(L->err, L->errlen, L->file, L->tline,
			       ".include \"%s\": includes nest too deep (a loop?)", pat);
	} else {
		for (size_t i = 0; i < g.n && rc == 0; i++)
			rc = parse_file(m, g.path[i], NULL, depth + 1, L->err, L->errlen);
	}
	pathglob_free(&g);
	free(full);
	return rc < 0 ? -1 : 0;
}

/* One statement whose name was just read; a global one goes into the "*" section jail(8) would use. */
static int statement(struct jc_model *m, struct lexer *L, struct jc_section **cur, bool global, int depth)
{
	struct jc_stmt st = {.name = L->str.text, .file = L->file, .line = L->tline};
	bool name_var = L->str.has_var;
	L->str.text = NULL;
	next(L);
	if (L->t == T_EQ || L->t == T_PLEQ) {
		st.op = L->t == T_EQ ? '=' : '+';
		next(L);
	} else if (L->t == T_STR) {
		st.op = '=';
	}
	while (st.op && L->t == T_STR) {
		struct jc_val *v = conf_grow(&st.v, &st.nv, sizeof *v);
		if (!v)
			goto oom;
		*v = L->str;
		L->str.text = NULL;
		if (next(L) != T_COMMA)
			break;
		next(L);
	}
	if (L->t == T_ERR)
		goto fail;
	if (st.op && st.nv == 0) {
		conf_errf(L->err, L->errlen, L->file, L->tline, "%s: expected a value, found %s", st.name,
			  tok_name(L->t));
		goto fail;
	}
	if (L->t != T_SEMI) {
		conf_errf(L->err, L->errlen, L->file, L->tline, "missing ';' after %s, found %s", st.name,
			  tok_name(L->t));
		goto fail;
	}
	if (strcmp(st.name, ".include") == 0) {
		int rc = -1;
		if (!global)
			conf_errf(L->err, L->errlen, L->file, st.line, ".include is allowed only outside jail blocks");
		else if (st.nv != 1)
			conf_errf(L->err, L->errlen, L->file, st.line, ".include takes one file name or glob");
		else if (st.v[0].has_var)
			conf_errf(L->err, L->errlen, L->file, st.line,
				  ".include: variables are not expanded in file names");
		else
			rc = do_include(m, L, st.v[0].text, depth);
		for (size_t i = 0; i < st.nv; i++)
			free(st.v[i].text);
		free(st.v);
		free(st.name);
		return rc;
	}
	if (name_var && st.name[0] != '$') {
		conf_errf(L->err, L->errlen, L->file, st.line, "%s: a parameter name cannot hold a variable", st.name);
		goto fail;
	}
	/* jail(8): a global parameter joins the last section when that is "*", else opens a new one. */
	if (global)
		*cur = m->nsec && strcmp(m->sec[m->nsec - 1].name, "*") == 0 ? &m->sec[m->nsec - 1]
									     : add_section(m, "*", L->file);
	if (!*cur)
		goto oom;
	struct jc_stmt *slot = conf_grow(&(*cur)->st, &(*cur)->n, sizeof *slot);
	if (!slot)
		goto oom;
	*slot = st;
	return 0;
oom:
	conf_errf(L->err, L->errlen, L->file, L->tline, "out of memory");
fail:
	for (size_t i = 0; i < st.nv; i++)
		free(st.v[i].text);
	free(st.v);
	free(st.name);
	return -1;
}

static bool wildcard_name(const char *n)
{
	for (const char *w = strchr(n, '*'); w; w = strchr(w + 1, '*'))
		if ((w == n || w[-1] == '.') && (w[1] == '\0' || w[1] == '.'))
			return true;
	return false;
}

static int block(struct jc_model *m, struct lexer *L, char *name, int depth)
{
	int start = L->tline;
	if (strcmp(name, "*") != 0 && wildcard_name(name)) {
		conf_errf(L->err, L->errlen, L->file, start, "%s: partial wildcard jail names are not supported", name);
		free(name);
		return -1;
	}
	if (!name[0] || strpbrk(name, "[]; \t=")) {
		conf_errf(L->err, L->errlen, L->file, start, "\"%s\": not a jail name warder can use", name);
		free(name);
		return -1;
	}
	struct jc_section *s = add_section(m, name, L->file);
	free(name);
	if (!s)
		return conf_errf(L->err, L->errlen, L->file, start, "out of memory");
	size_t idx = m->nsec - 1;
	for (;;) {
		struct jc_section *cur = &m->sec[idx];
		next(L);
		if (L->t == T_RBRACE)
			return 0;
		if (L->t == T_SEMI)
			continue;
		if (L->t == T_EOF)
			return conf_errf(L->err, L->errlen, L->file, start, "missing '}' for the block %s",
					 m->sec[idx].name);
		if (L->t != T_STR) {
			if (L->t != T_ERR)
				conf_errf(L->err, L->errlen, L->file, L->tline, "expected a parameter, found %s",
					  tok_name(L->t));
			return -1;
		}
		const char *p = L->s;
		int line = L->line;
		if (skip(L) == 0 && *L->s == '{') {
			free(L->str.text);
			L->str.text = NULL;
			return conf_errf(L->err, L->errlen, L->file, L->tline, "nested jail blocks are not supported");
		}
		L->s = p;
		L->line = line;
		if (statement(m, L, &cur, false, depth) < 0)
			return -1;
	}
}


static int parse_text(struct jc_model *m, const char *file, const char *text, int depth, char *err, size_t errlen)
{
	struct lexer L = {.s = text, .file = file, .line = 1, .err = err, .errlen = errlen};
	struct jc_section *cur = NULL;
	int rc = 0;
	err[0] = '\0';
	while (rc == 0) {
		next(&L);
		if (L.t == T_EOF)
			break;
		if (L.t == T_SEMI)
			continue;
		if (L.t != T_STR) {
			if (L.t != T_ERR)
				conf_errf(err, errlen, file, L.tline, "unexpected %s", tok_name(L.t));
			rc = -1;
			break;
		}
		const char *p = L.s;
		int line = L.line;
		if (skip(&L) == 0 && *L.s == '{') {
			L.s++;
			char *name = L.str.text;
			L.str.text = NULL;
			rc = block(m, &L, name, depth);
			continue;
		}
		if (err[0]) {
			rc = -1;
			break;
		}
		L.s = p;
		L.line = line;
		rc = statement(m, &L, &cur, true, depth);
	}
	free(L.str.text);
	return rc;
}

static int parse_file(struct jc_model *m, const char *path, const char *text, int depth, char *err, size_t errlen)
{
	char **slot = conf_grow(&m->files, &m->nfiles, sizeof *slot);
	if (!slot || !(*slot = strdup(path)))
		return conf_errf(err, errlen, path, 0, "out of memory");
	const char *file = *slot;
	char *owned = NULL;
	if (!text) {
		size_t len = 0;
		int rd = readfile(path, &owned, &len);
		if (rd == 0 && strlen(owned) != len) {
			free(owned);
			errno = EINVAL;
			rd = -1;
		}
		if (rd < 0)
			return conf_errf(err, errlen, path, 0, "%s",
					 errno == EINVAL ? "not a text file (NUL byte)" : strerror(errno));
		text = owned;
	}
	int rc = parse_text(m, file, text, depth, err, errlen);
	free(owned);
	return rc;
}

int jailconf_parse(struct jc_model *m, const char *path, const char *text, char *err, size_t errlen)
{
	return parse_file(m, path, text, 0, err, errlen);
}

void jailconf_model_free(struct jc_model *m)
{
	for (size_t i = 0; i < m->nsec; i++) {
		for (size_t k = 0; k < m->sec[i].n; k++) {
			struct jc_stmt *st = &m->sec[i].st[k];
			for (size_t v = 0; v < st->nv; v++)
				free(st->v[v].text);
			free(st->v);
			free(st->name);
		}
		free(m->sec[i].st);
		free(m->sec[i].name);
	}
	free(m->sec);
	for (size_t i = 0; i < m->nfiles; i++)
		free(m->files[i]);
	free(m->files);
}
