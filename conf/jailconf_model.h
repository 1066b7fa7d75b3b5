/* jailconf_model: what jailconf.c reads a jail.conf(5) into and jailconf_ini.c writes out as INI; conf/ only.
 * Sections in file order ("*" for the global scope, as jail(8) keeps it), each a list of statements whose
 * values are already unquoted, with flags saying how a '$' in them behaves. */
#ifndef WARDER_JAILCONF_MODEL_H
#define WARDER_JAILCONF_MODEL_H

#include <stdbool.h>
#include <stddef.h>

/* A growing string, NUL-terminated. */
struct jc_buf {
	char *s;
	size_t n, cap;
};

struct jc_val {
	char *text;
	bool has_var;    /* a '$' that expands */
	bool lit_dollar; /* a '$' that must stay a character */
};

/* `name op value, value, ...;` */
struct jc_stmt {
	char *name;
	int op; /* '=', '+' (+=), 0: no value */
	struct jc_val *v;
	size_t nv;
	const char *file;
	int line;
	bool dropped; /* replaced by a later `=` in the same block (jailconf_ini.c) */
};

struct jc_section {
	char *name;
	const char *file; /* where it starts */
	struct jc_stmt *st;
	size_t n;
};

struct jc_model {
	struct jc_section *sec;
	size_t nsec;
	char **files;
	size_t nfiles;
	const char *root; /* prefixed to absolute .include paths, or NULL */
	const char *top;  /* the file read first */
};

/* Appends C to B; -1 when memory runs out. */
int jc_bput(struct jc_buf *b, char c);
/* jail(8)'s white space. */
bool jc_blank(char c);

/* jailconf.c: read PATH (TEXT, when not NULL, is its content) and its includes into M (root and top set by
 * the caller). Returns 0, or -1 with one line in err. */
int jailconf_parse(struct jc_model *m, const char *path, const char *text, char *err, size_t errlen);
void jailconf_model_free(struct jc_model *m);

#endif
