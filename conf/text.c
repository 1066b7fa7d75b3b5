#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void text_put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	char *s = len < 0 || t->oom ? NULL : realloc(t->s, t->n + (size_t)len + 2);
	if (!s) {
		t->oom = true;
		return;
	}
	t->s = s;
	if (t->n)
		t->s[t->n++] = '\n';
	va_start(ap, fmt);
	vsnprintf(t->s + t->n, (size_t)len + 1, fmt, ap);
	va_end(ap);
	t->n += (size_t)len;
}

char *text_take(struct text *t)
{
	char *s = t->s;
	if (t->oom) {
		free(s);
		s = NULL;
	}
	*t = (struct text){0};
	return s;
}
