/* text: lines of a description written into memory, one per call, joined by newlines (what `check` prints
 * of a plan). Portable, no system calls. */
#ifndef WARDER_TEXT_H
#define WARDER_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct text {
	char *s;
	size_t n;
	bool oom; /* memory ran out: the text is dropped */
};
void text_put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text (NULL when nothing was written), or NULL and nothing to free once memory ran out. */
char *text_take(struct text *t);

#endif
