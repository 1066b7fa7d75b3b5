/* conf_impl.h: what the conf/ files share between themselves; nothing outside conf/ includes it.
 *
 * Loading has two stages. read.c turns the files into sections of entries (one entry per assignment, uWSGI's
 * names already mapped to warder's, guards and includes already applied). expand.c then builds each jail:
 * it merges [*] and the jail's section in file order, expands variables, validates and normalises. */
#ifndef WARDER_CONF_IMPL_H
#define WARDER_CONF_IMPL_H

#include "conf.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct entry {
	const struct param_def *def; /* NULL: a variable or a pass-through kernel parameter */
	const char *name;            /* warder's name; "$x" for a variable */
	char *raw;                   /* the value as written, quotes included */
	const char *prefix;          /* "mount:" / "umount:" for uWSGI's mount-/umount- hooks, else NULL */
	const char *file;
	unsigned section; /* index into raw_conf.sec */
	int line;
	bool append;  /* written with += */
	bool implied; /* set by namespace = ...: yields to the same key written in the section */
};

struct section {
	char *name; /* "*" or a jail name */
	const char *file;
	int line;
	size_t first, last; /* its entries lie in ent[first, last) (with others' when it is reopened) */
	bool dropped;       /* another jail's, checked and let go (conf_read's KEEP) */
};

/* The entries' names and values, copied one after the other into blocks freed together. */
struct text_block {
	struct text_block *next;
	size_t used, cap;
	char data[];
};

struct raw_conf {
	struct section *sec;
	size_t nsec, sec_cap;
	struct entry *ent; /* file order */
	size_t nent, cap;
	struct text_block *text;
};

/* Each section's entries, in file order: bysec[off[s], off[s + 1]) index ent; STAR is [*]'s section or -1.
 * Made once per load, so that building every jail reads each entry once and [*]'s once per jail. */
struct raw_index {
	size_t *bysec, *off;
	ssize_t star;
};
int conf_raw_index(const struct raw_conf *raw, struct raw_index *ix);
void conf_raw_index_free(struct raw_index *ix);

/* read.c: parse PATH (or TEXT when not NULL) into RAW, recording every file in C->files. */
/* KEEP: the one jail to be built, or NULL. Another jail's entries are checked as they are read, then let go. */
int conf_read(struct conf *c, struct raw_conf *raw, const char *path, const char *text, const char *keep, char *err,
	      size_t errlen);
void conf_raw_free(struct raw_conf *raw);

/* expand.c: build jail J from section S of RAW (IX: its index); TOP is the file loaded (it names a [uwsgi]
 * section). */
int conf_build_jail(const struct raw_conf *raw, const struct raw_index *ix, size_t s, const char *top, struct jail *j,
		    char *err, size_t errlen);
/* Whether section SEC of the file TOP names the jail NAME (a [uwsgi] section takes TOP's name). */
bool conf_section_is(const struct section *sec, const char *top, const char *name);
void conf_jail_free(struct jail *j);

/* values.c. A value's quoting: 0 none, '\'' literal, '"' expanded; -1 when the closing quote is missing. */
int conf_quote(const char *raw);
/* S without its leading and trailing blanks and tabs (cut in place). */
char *conf_trim(char *s);

#endif
