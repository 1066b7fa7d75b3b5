/* keymap: which key of a section goes where. warder's parameter names, uWSGI's aliases (uid, gid, hook-*,
 * exec-*, mount-*, umount-*), jail2/libjail, namespace's all-in-one jail, $variables, FreeBSD kernel parameters
 * passed through by name, and unknown keys (an error with a near-miss suggestion, or a warning in [uwsgi]).
 * read.c owns the entries and the line being read; it hands each key here with a sink that stores the values
 * a key stands for and reports errors at that line. */
#ifndef WARDER_KEYMAP_H
#define WARDER_KEYMAP_H

#include "nearmiss.h"

#include <stdbool.h>
#include <stddef.h>

struct param_def;

/* One value as routed: what read.c makes an entry of. */
struct keyval {
	size_t section;
	const struct param_def *def; /* NULL: a variable or a pass-through kernel parameter */
	const char *name;            /* warder's name */
	const char *key;             /* as written, for messages */
	const char *raw;
	const char *prefix; /* "mount:" / "umount:" for uWSGI's mount-/umount- hooks, else NULL */
	bool append, implied;
};

struct keymap_sink {
	int (*add)(void *ctx, const struct keyval *v); /* 0, or -1 with the error reported */
	int (*fail)(void *ctx, const char *msg);       /* reports MSG at the current line; returns -1 */
	void (*warn)(void *ctx, const char *msg);      /* a warning at the current line */
	void *ctx;
};

/* Route V (section, key, raw and append set); UWSGI: the key is in the [uwsgi] section, where an unknown key is
 * left to uWSGI. Returns 0, or -1 with the error reported through SINK. */
int keymap_route(struct keyval *v, bool uwsgi, const struct keymap_sink *sink);

/* The key a section accepts that is nearest to KEY (see nearmiss.h). */
void keymap_suggest(const char *key, struct nearmiss *s);

#endif
